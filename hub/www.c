/*
 * www.c: the dashboard's routes over the compiled-in files (see www.h).
 *
 * The one path parameter, {name} of /static/{name}, has been decoded and checked by the router
 * (httpparse.h: no "." or ".." segment, no control character, one segment only), and is then only
 * compared with the names in the table: "static/" + name either is one of the files the build
 * embedded or the answer is 404. No file system call is made for any request.
 */
#include "hub/www.h"

#include <stdio.h>
#include <string.h>

const hub_www_file_t *hub_www_find(const char *name)
{
    return mm_www_find(hub_www_files, hub_www_n_files, name);
}

static void serve(hub_http_req_t *req, const char *name)
{
    const hub_www_file_t *f = hub_www_find(name);
    if (!f) {
        hub_http_error(req, 404, "not_found", "no such resource");
        return;
    }
    hub_http_static(req, f->content_type, f->data, f->len, f->etag, MM_WWW_CACHE);
}

static void get_dashboard(hub_http_req_t *req, void *arg)
{
    (void)arg;
    serve(req, "index.html");
}

static void get_registry_page(hub_http_req_t *req, void *arg)
{
    (void)arg;
    serve(req, "registry.html");
}

static void get_static(hub_http_req_t *req, void *arg)
{
    (void)arg;
    const char *name = hub_http_param(req, "name");
    char path[HUB_WWW_NAME_MAX];
    int n = snprintf(path, sizeof path, "static/%s", name ? name : "");
    /* A decoded name may hold '/' (%2F): no embedded file under static/ is in a subfolder, so it
     * simply finds nothing. */
    if (!name || n < 0 || (size_t)n >= sizeof path) {
        hub_http_error(req, 404, "not_found", "no such resource");
        return;
    }
    serve(req, path);
}

mm_err_t hub_www_register(hub_http_t *h)
{
    mm_err_t err = hub_http_route(h, "GET", "/", 0, get_dashboard, NULL);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/registry", 0, get_registry_page, NULL);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/static/{name}", 0, get_static, NULL);
    return err;
}
