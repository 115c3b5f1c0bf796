/*
 * disclosure_codec.c: disclosure records as stored JSON text and back (see disclosure_codec.h).
 *
 * The request as filed and its history are laid out as disclosure.c has always built them; the
 * members that come as the disclosure goes stand in the order the record kept (members.h),
 * because the site's steps, the chunks and the downloads come in whatever order they come.
 */
#include "hub/disclosure_codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/codec.h"

static json_t *step_json(const hub_disclosure_step_t *h)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "time_us", (json_int_t)h->time_us, "step",
                          hub_disclosure_state_name(h->step), "by", h->by, "text", h->text);
    int bad = !o;
    if (h->has_index)
        hub_codec_add(o, "index", json_integer((json_int_t)h->index), &bad);
    hub_codec_add(o, "hub_log_index", json_integer((json_int_t)h->hub_log_index), &bad);
    if (h->has_sha256)
        hub_codec_add(o, "sha256", hub_codec_hex32_json(h->sha256), &bad);
    if (h->has_bytes)
        hub_codec_add(o, "bytes", json_integer((json_int_t)h->bytes), &bad);
    if (h->has_manifest)
        hub_codec_add(o, "manifest_sha256", hub_codec_hex32_json(h->manifest_sha256), &bad);
    if (h->regions[0])
        hub_codec_add(o, "regions", json_string(h->regions), &bad);
    if (h->download[0])
        hub_codec_add(o, "download", json_string(h->download), &bad);
    return hub_codec_built(o, bad);
}

static json_t *export_json(const hub_disclosure_export_t *x)
{
    return json_pack("{s:o, s:I, s:o, s:I, s:I}", "sha256", hub_codec_hex32_json(x->sha256),
                     "bytes", (json_int_t)x->bytes, "manifest_sha256",
                     hub_codec_hex32_json(x->manifest_sha256), "index", (json_int_t)x->index,
                     "time_us", (json_int_t)x->time_us);
}

/* The request as filed, up to and with its hub-log entry. */
static json_t *filed_json(const hub_disclosure_rec_t *r)
{
    json_t *cams = json_array();
    for (size_t i = 0; cams && i < r->n_cameras; i++)
        json_array_append_new(cams, json_string(r->cameras[i]));
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:I, "
                     "s:I, s:s, s:I}",
                     "id", r->id, "site", r->site, "state", hub_disclosure_state_name(r->state),
                     "requester", "id", r->requester, "name", r->requester_name, "organisation",
                     r->organisation, "legal_basis", mm_legal_basis_name(r->legal_basis),
                     "reference", r->reference, "reason", r->reason, "cameras", cams, "from_us",
                     (json_int_t)r->from_us, "to_us", (json_int_t)r->to_us, "recipient",
                     r->recipient, "time_us", (json_int_t)r->time_us, "deadline_us",
                     (json_int_t)r->deadline_us, "signature", r->signature, "hub_log_index",
                     (json_int_t)r->hub_log_index);
}

/* The members that came as the disclosure went, in their order. */
static void later_json(json_t *o, const hub_disclosure_rec_t *r, int *bad)
{
    for (uint8_t i = 0; i < r->members.n; i++) {
        switch (r->members.tag[i]) {
        case HUB_DISCLOSURE_FORWARDED:
            hub_codec_add(o, "forwarded_index", json_integer((json_int_t)r->forwarded.index), bad);
            hub_codec_add(o, "forwarded_us", json_integer(r->forwarded.time_us), bad);
            break;
        case HUB_DISCLOSURE_EXPORT:
            hub_codec_add(o, "export", export_json(&r->export), bad);
            break;
        case HUB_DISCLOSURE_HOLDS_RELEASED:
            hub_codec_add(o, "holds_released_us", json_integer(r->holds_released_us), bad);
            break;
        case HUB_DISCLOSURE_APPROVED:
            hub_codec_add(o, "approved_index", json_integer((json_int_t)r->approved_index), bad);
            break;
        case HUB_DISCLOSURE_RECEIVED:
            hub_codec_add(o, "received_us", json_integer(r->received_us), bad);
            break;
        case HUB_DISCLOSURE_PART:
            hub_codec_add(o, "part_sha256", hub_codec_hex32_json(r->part_sha256), bad);
            break;
        case HUB_DISCLOSURE_DOWNLOADED:
            hub_codec_add(o, "downloaded_us", json_integer(r->downloaded_us), bad);
            break;
        }
    }
}

json_t *hub_disclosure_rec_json(const hub_disclosure_rec_t *r)
{
    json_t *o = filed_json(r);
    int bad = !o;
    json_t *history = json_array();
    for (size_t i = 0; history && i < r->n_history; i++)
        hub_codec_append(&history, step_json(&r->history[i]));
    hub_codec_add(o, "history", history, &bad);
    hub_codec_add(o, "downloads", json_integer(r->downloads), &bad);
    hub_codec_add(o, "holding", json_boolean(r->holding), &bad);
    later_json(o, r, &bad);
    return hub_codec_built(o, bad);
}

/* --- reading -------------------------------------------------------------------------------- */

static int step_from(const json_t *o, hub_disclosure_step_t *h)
{
    if (!hub_disclosure_state_parse(json_string_value(json_object_get(o, "step")), &h->step) ||
        hub_codec_str(o, "by", h->by, sizeof h->by) ||
        hub_codec_str(o, "text", h->text, sizeof h->text) ||
        hub_codec_str(o, "regions", h->regions, sizeof h->regions) ||
        hub_codec_str(o, "download", h->download, sizeof h->download))
        return -1;
    h->time_us = hub_codec_int(o, "time_us");
    h->has_index = hub_codec_has(o, "index");
    h->index = (uint64_t)hub_codec_int(o, "index");
    h->hub_log_index = (uint64_t)hub_codec_int(o, "hub_log_index");
    h->has_sha256 = hub_codec_has(o, "sha256");
    h->has_bytes = hub_codec_has(o, "bytes");
    h->bytes = (uint64_t)hub_codec_int(o, "bytes");
    h->has_manifest = hub_codec_has(o, "manifest_sha256");
    if ((h->has_sha256 && hub_codec_hex32(o, "sha256", h->sha256)) ||
        (h->has_manifest && hub_codec_hex32(o, "manifest_sha256", h->manifest_sha256)))
        return -1;
    return 0;
}

static int export_from(const json_t *o, hub_disclosure_export_t *x)
{
    x->bytes = (uint64_t)hub_codec_int(o, "bytes");
    x->index = (uint64_t)hub_codec_int(o, "index");
    x->time_us = hub_codec_int(o, "time_us");
    return hub_codec_hex32(o, "sha256", x->sha256) ||
                   hub_codec_hex32(o, "manifest_sha256", x->manifest_sha256)
               ? -1
               : 0;
}

static int filed_from(const json_t *o, hub_disclosure_rec_t *r)
{
    const json_t *who = json_object_get(o, "requester"), *cams = json_object_get(o, "cameras");
    if (!hub_disclosure_state_parse(json_string_value(json_object_get(o, "state")), &r->state) ||
        !mm_legal_basis_parse(json_string_value(json_object_get(o, "legal_basis")),
                              &r->legal_basis) ||
        json_array_size(cams) > MM_REQUEST_CAMERAS_MAX ||
        hub_codec_str(o, "id", r->id, sizeof r->id) ||
        hub_codec_str(o, "site", r->site, sizeof r->site) ||
        hub_codec_str(who, "id", r->requester, sizeof r->requester) ||
        hub_codec_str(who, "name", r->requester_name, sizeof r->requester_name) ||
        hub_codec_str(who, "organisation", r->organisation, sizeof r->organisation) ||
        hub_codec_str(o, "reference", r->reference, sizeof r->reference) ||
        hub_codec_str(o, "reason", r->reason, sizeof r->reason) ||
        hub_codec_str(o, "recipient", r->recipient, sizeof r->recipient) ||
        hub_codec_str(o, "signature", r->signature, sizeof r->signature))
        return -1;
    for (size_t i = 0; i < json_array_size(cams); i++) {
        const json_t *c = json_array_get(cams, i);
        if (!json_is_string(c) || json_string_length(c) >= sizeof r->cameras[0])
            return -1;
        memcpy(r->cameras[r->n_cameras++], json_string_value(c), json_string_length(c) + 1);
    }
    r->from_us = hub_codec_int(o, "from_us");
    r->to_us = hub_codec_int(o, "to_us");
    r->time_us = hub_codec_int(o, "time_us");
    r->deadline_us = hub_codec_int(o, "deadline_us");
    r->hub_log_index = (uint64_t)hub_codec_int(o, "hub_log_index");
    r->downloads = hub_codec_int(o, "downloads");
    r->holding = hub_codec_bool(o, "holding");
    return 0;
}

/* One of the members that come as the disclosure goes: 0, -1 when it is not what it should be,
 * 1 when key is none of them. */
static int later_from(const char *key, const json_t *v, const json_t *o, hub_disclosure_rec_t *r)
{
    int tag = -1, bad = 0;
    if (!strcmp(key, "forwarded_index")) {
        tag = HUB_DISCLOSURE_FORWARDED;
        r->forwarded =
            (hub_origin_t){(uint64_t)json_integer_value(v), hub_codec_int(o, "forwarded_us")};
    } else if (!strcmp(key, "export")) {
        tag = HUB_DISCLOSURE_EXPORT;
        bad = export_from(v, &r->export);
    } else if (!strcmp(key, "holds_released_us")) {
        tag = HUB_DISCLOSURE_HOLDS_RELEASED;
        r->holds_released_us = json_integer_value(v);
    } else if (!strcmp(key, "approved_index")) {
        tag = HUB_DISCLOSURE_APPROVED;
        r->approved_index = (uint64_t)json_integer_value(v);
    } else if (!strcmp(key, "received_us")) {
        tag = HUB_DISCLOSURE_RECEIVED;
        r->received_us = json_integer_value(v);
    } else if (!strcmp(key, "part_sha256")) {
        tag = HUB_DISCLOSURE_PART;
        bad = hub_codec_hex32(o, "part_sha256", r->part_sha256);
    } else if (!strcmp(key, "downloaded_us")) {
        tag = HUB_DISCLOSURE_DOWNLOADED;
        r->downloaded_us = json_integer_value(v);
    }
    if (tag < 0)
        return 1;
    hub_members_add(&r->members, tag);
    return bad ? -1 : 0;
}

mm_err_t hub_disclosure_rec_from_json(const json_t *o, hub_disclosure_rec_t *out)
{
    hub_disclosure_rec_init(out);
    if (!json_is_object(o) || filed_from(o, out))
        return MM_ECORRUPT;
    const json_t *history = json_object_get(o, "history");
    for (size_t i = 0; i < json_array_size(history); i++) {
        hub_disclosure_step_t *h = hub_disclosure_rec_add_step(out);
        if (!h)
            return MM_ENOMEM;
        if (step_from(json_array_get(history, i), h))
            return MM_ECORRUPT;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (later_from(key, v, o, out) < 0)
            return MM_ECORRUPT;
    }
    return MM_OK;
}

HUB_CODEC_TEXT_DEFINE(hub_disclosure_rec, hub_disclosure_rec_t)

/* --- the particulars of city actions (the hub log's JSON detail, audit.h) ------------------ */

json_t *hub_disclosure_filing_detail(const hub_disclosure_body_t *b)
{
    json_t *cams = json_array();
    for (size_t i = 0; cams && i < b->n_cameras; i++)
        json_array_append_new(cams, json_string(b->cameras[i]));
    return json_pack("{s:s, s:s, s:o, s:I, s:I, s:s, s:s}", "legal_basis",
                     mm_legal_basis_name(b->legal_basis), "reference", b->reference, "cameras",
                     cams, "from_us", (json_int_t)b->from_us, "to_us", (json_int_t)b->to_us,
                     "recipient", b->recipient, "organisation", b->organisation);
}

json_t *hub_disclosure_step_detail(const mm_disclosure_t *s, uint64_t index, int64_t site_time)
{
    json_t *o =
        json_pack("{s:I, s:I}", "index", (json_int_t)index, "time_us", (json_int_t)site_time);
    if (!o)
        return NULL;
    if (s->has_sha256) {
        char h[65], m[65];
        mm_hex32(s->sha256, h);
        mm_hex32(s->manifest_sha256, m);
        json_object_set_new(o, "sha256", json_string(h));
        json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
        json_object_set_new(o, "manifest_sha256", json_string(m));
    }
    if (s->legal_basis != MM_LEGAL_BASIS_NONE)
        json_object_set_new(o, "legal_basis", json_string(mm_legal_basis_name(s->legal_basis)));
    if (s->requester[0])
        json_object_set_new(o, "requester", json_string(s->requester));
    if (s->from_us || s->to_us) {
        json_object_set_new(o, "from_us", json_integer((json_int_t)s->from_us));
        json_object_set_new(o, "to_us", json_integer((json_int_t)s->to_us));
    }
    const char *optional[][2] = {
        {"cameras", s->cameras}, {"reference", s->reference}, {"regions", s->regions}};
    for (size_t i = 0; i < 3; i++) {
        if (!optional[i][1][0])
            continue;
        json_object_set_new(o, optional[i][0], json_string(optional[i][1]));
        char *text = json_dumps(o, JSON_COMPACT);
        size_t n = text ? strlen(text) : SIZE_MAX;
        free(text);
        if (n >= MM_LONG_TEXT_MAX)
            json_object_del(o, optional[i][0]);
    }
    return o;
}

json_t *hub_disclosure_download_detail(const hub_disclosure_rec_t *rec, const char *download)
{
    char hex[65];
    mm_hex32(rec->export.sha256, hex);
    return json_pack("{s:s, s:I, s:s}", "sha256", hex, "bytes", (json_int_t)rec->export.bytes,
                     "download", download);
}

json_t *hub_disclosure_received_detail(const char *sha_hex, uint64_t bytes)
{
    return json_pack("{s:s, s:I}", "sha256", sha_hex, "bytes", (json_int_t)bytes);
}
