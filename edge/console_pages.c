/*
 * console_pages.c: the site console's pages, its compiled-in files (console_www.h) and the
 * site's status (console_impl.h).
 *
 * The one path parameter, {name} of /static/{name}, has been decoded and checked by the router
 * (common/httpparse.h: no "." or ".." segment, no control character, one segment only), and is
 * then only compared with the names in the table: "static/" + name is one of the files the build
 * embedded or the answer is 404. No file system call is made for any request.
 */
#include <stdio.h>
#include <string.h>

#include "common/httpparse.h"
#include "edge/console_impl.h"
#include "edge/console_www.h"

static void serve(edge_http_req_t *req, const char *name)
{
    const mm_www_file_t *f = mm_www_find(edge_console_www_files, edge_console_www_n_files, name);
    if (!f)
        edge_http_error(req, 404, "not_found", "no such resource");
    else
        edge_http_static(req, f);
}

/* The home page for a person logged in; anybody else is sent to the login page. */
static void get_home(edge_http_req_t *req, void *arg)
{
    (void)arg;
    mm_session_t *s = edge_console_session(req);
    if (!s || s->stage != MM_SESSION_FULL)
        edge_http_see_other(req, "/login");
    else
        serve(req, "index.html");
}

static void get_login(edge_http_req_t *req, void *arg)
{
    (void)arg;
    serve(req, "login.html");
}

static void get_static(edge_http_req_t *req, void *arg)
{
    (void)arg;
    const char *name = edge_http_param(req, "name");
    char path[sizeof "static/" + MM_HTTP_PARAM_MAX];
    int n = snprintf(path, sizeof path, "static/%s", name ? name : "");
    /* A decoded name may hold '/' (%2F): no file under static/ is in a subfolder, so it simply
     * finds nothing. */
    if (!name || n < 0 || (size_t)n >= sizeof path)
        edge_http_error(req, 404, "not_found", "no such resource");
    else
        serve(req, path);
}

static void get_status(edge_http_req_t *req, void *arg)
{
    edge_request_t r = {.action = EDGE_ACT_STATUS};
    edge_console_call(arg, req, &r);
}

mm_err_t edge_console_page_routes(edge_console_t *c)
{
    mm_err_t err = edge_console_route(c, "GET", "/", EDGE_NEED_NONE, get_home);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/login", EDGE_NEED_NONE, get_login);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/static/{name}", 0, get_static);
    if (err == MM_OK)
        err = edge_console_route(c, "GET", "/api/status", EDGE_NEED_FULL, get_status);
    return err;
}
