/*
 * api_hublog.c: the hub's own log (api_impl.h) — its signed checkpoint for anyone, and its
 * entries, the city's actions, for those who read what the city reads, at most 1000 at a time.
 * The entries are shown as a site's are, so that the same tools check both.
 */
#include "hub/api_impl.h"

#include <stdlib.h>
#include <string.h>

#include "common/merkle.h"

static void get_hub_checkpoint(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    char *note = NULL;
    mm_err_t err = hub_hublog_checkpoint(api->hublog, &note);
    if (err == MM_ENOTFOUND) {
        hub_http_error(req, 404, "no_checkpoint", "the hub has logged no city action yet");
        return;
    }
    if (err != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the hub's checkpoint");
        return;
    }
    hub_http_text(req, 200, "text/plain; charset=utf-8", note, strlen(note));
    free(note);
}

static int add_hub_entry(uint64_t index, const void *data, size_t len, void *arg)
{
    mm_hash_t leaf;
    mm_merkle_leaf_hash(data, len, &leaf);
    return hub_api_add_entry(index, data, len, &leaf, arg);
}

static void get_hub_entries(hub_http_req_t *req, void *arg)
{
    hub_api_t *api = arg;
    uint64_t size = 0, start, end;
    if (hub_hublog_size(api->hublog, &size) != MM_OK) {
        hub_http_error(req, 500, "storage", "cannot read the hub's log");
        return;
    }
    if (hub_api_query_u64(req, "start", 0, &start) != 0 ||
        hub_api_query_u64(req, "end", start + 100, &end) != 0)
        return;
    if (end < start || end - start > 1000) {
        hub_http_error(req, 400, "bad_query",
                       "end must be at least start, and at most 1000 "
                       "entries apart");
        return;
    }
    json_t *entries = json_array();
    if (hub_hublog_entries(api->hublog, start, end, add_hub_entry, entries) != MM_OK) {
        json_decref(entries);
        hub_http_error(req, 500, "storage", "cannot read the hub's log");
        return;
    }
    hub_http_json(req, 200,
                  json_pack("{s:s, s:I, s:o}", "origin", hub_hublog_origin(api->hublog), "size",
                            (json_int_t)size, "entries", entries));
}

mm_err_t hub_api_hublog_register(hub_http_t *h, hub_api_t *api)
{
    mm_err_t err = hub_http_route(h, "GET", "/api/v1/hub/checkpoint", 0, get_hub_checkpoint, api);
    if (err == MM_OK)
        err = hub_http_route(h, "GET", "/api/v1/hub/entries", HUB_API_READ, get_hub_entries, api);
    return err;
}
