/*
 * disclosureapi.c: the disclosure routes of the hub's API (see disclosureapi.h). The handlers
 * only translate: what may be filed, seen and downloaded is disclosure.c's to decide.
 */
#include "hub/disclosureapi.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/clock.h"
#include "hub/disclosure_codec.h"

/* Answers with the record rec (then given back). */
static void answer_record(hub_http_req_t *req, int status, hub_disclosure_rec_t *rec)
{
    json_t *o = hub_disclosure_rec_json(rec);
    hub_disclosure_rec_deinit(rec);
    if (!o)
        hub_http_error(req, 500, "internal", "out of memory");
    else
        hub_http_json(req, status, o);
}

static void post_disclosure(hub_http_req_t *req, void *arg)
{
    hub_disclosure_t *d = arg;
    size_t len;
    const char *body = hub_http_body(req, &len);
    hub_disclosure_body_t *b = malloc(sizeof *b); /* kilobytes: the request's own, on the heap */
    hub_disclosure_rec_t *rec = malloc(sizeof *rec);
    if (!b || !rec) {
        free(b);
        free(rec);
        hub_http_error(req, 500, "internal", "out of memory");
        return;
    }
    char msg[256];
    hub_disclosure_why_t why;
    if (hub_body_disclosure(body, len, b, msg, sizeof msg) != MM_OK)
        hub_http_error(req, 400, "bad_body", "%s", msg);
    else if (hub_disclosure_file(d, hub_http_caller(req), b, mm_now_us(), rec, &why) != MM_OK)
        hub_http_error(req, why.status, why.code, "%s", why.message);
    else
        answer_record(req, 201, rec);
    free(b);
    free(rec);
}

static int add_record(void *arg, const hub_disclosure_rec_t *rec)
{
    json_t *o = hub_disclosure_rec_json(rec);
    return !o || json_array_append_new(arg, o) != 0;
}

static void get_disclosures(hub_http_req_t *req, void *arg)
{
    json_t *list = json_array();
    if (!list || hub_disclosure_each(arg, hub_http_caller(req), add_record, list) != MM_OK) {
        json_decref(list);
        hub_http_error(req, 500, "storage", "cannot read the disclosures");
    } else {
        hub_http_json(req, 200, json_pack("{s:o}", "disclosures", list));
    }
}

static void get_disclosure(hub_http_req_t *req, void *arg)
{
    const char *id = hub_http_param(req, "id");
    hub_disclosure_rec_t *rec = malloc(sizeof *rec);
    if (!rec)
        hub_http_error(req, 500, "internal", "out of memory");
    else if (hub_disclosure_get(arg, hub_http_caller(req), id, rec) != MM_OK)
        hub_http_error(req, 404, "unknown_disclosure", "no disclosure \"%.64s\"", id ? id : "");
    else
        answer_record(req, 200, rec);
    free(rec);
}

static void get_export(hub_http_req_t *req, void *arg)
{
    const char *id = hub_http_param(req, "id");
    int fd;
    uint64_t size;
    hub_disclosure_why_t why;
    if (hub_disclosure_download(arg, hub_http_caller(req), id, mm_now_us(), &fd, &size, &why) !=
        MM_OK) {
        hub_http_error(req, why.status, why.code, "%s", why.message);
        return;
    }
    char name[96];
    snprintf(name, sizeof name, "%s.age", id); /* "disclosure-N": a plain name */
    hub_http_file(req, fd, size, "application/octet-stream", name);
}

#define SEE (HUB_ROLE_OVERSIGHT | HUB_ROLE_READONLY | HUB_ROLE_REQUESTER)

mm_err_t hub_disclosureapi_register(hub_http_t *h, hub_disclosure_t *d)
{
    mm_err_t err =
        hub_http_route(h, "POST", "/api/v1/disclosures", HUB_ROLE_REQUESTER, post_disclosure, d);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/disclosures", SEE, get_disclosures, d);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/disclosures/{id}", SEE, get_disclosure, d);
    /* Readers may ask, and are told why not: the city oversees, it does not receive footage. */
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/disclosures/{id}/export", SEE, get_export, d);
    return err;
}
