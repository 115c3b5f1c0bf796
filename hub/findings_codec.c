/*
 * findings_codec.c: findings as stored JSON text and back (see findings_codec.h).
 *
 * A stored finding is written in the layout of its source, with the members each source has
 * always written, so that a hub's existing findings read and write back byte for byte: the
 * member order is the one jansson kept when raise and reconcile built them (findings.c), not
 * one chosen here.
 */
#include "hub/findings_codec.h"

#include <string.h>

#include "hub/codec.h"

json_t *hub_evidence_json(const hub_evidence_t *ev)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < ev->n; i++) {
        const hub_evidence_item_t *it = &ev->item[i];
        json_t *v = NULL;
        switch (it->type) {
        case HUB_EVIDENCE_INT:
            v = json_integer(it->i);
            break;
        case HUB_EVIDENCE_TEXT:
            v = json_string(it->text);
            break;
        case HUB_EVIDENCE_INTS:
            v = json_array();
            for (size_t k = 0; v && k < it->n_ints; k++)
                json_array_append_new(v, json_integer(it->ints[k]));
            break;
        }
        if (!v || json_object_set_new(o, it->name, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* One member of a stored evidence: 0, or an error for what the evidence cannot hold. */
static mm_err_t evidence_member(hub_evidence_t *ev, const char *name, const json_t *v)
{
    if (json_is_integer(v))
        return hub_evidence_int(ev, name, json_integer_value(v));
    if (json_is_string(v))
        return hub_evidence_text(ev, name, json_string_value(v));
    if (!json_is_array(v) || json_array_size(v) > HUB_EVIDENCE_INTS_MAX)
        return MM_ECORRUPT;
    int64_t ints[HUB_EVIDENCE_INTS_MAX];
    for (size_t k = 0; k < json_array_size(v); k++) {
        if (!json_is_integer(json_array_get(v, k)))
            return MM_ECORRUPT;
        ints[k] = json_integer_value(json_array_get(v, k));
    }
    return hub_evidence_ints(ev, name, json_array_size(v), ints);
}

mm_err_t hub_evidence_from_json(const json_t *o, hub_evidence_t *out)
{
    hub_evidence_deinit(out);
    if (!o || json_is_null(o))
        return MM_OK;
    if (!json_is_object(o))
        return MM_ECORRUPT;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)o, name, v)
    {
        if (strlen(name) >= sizeof out->item[0].name)
            return MM_ECORRUPT;
        mm_err_t err = evidence_member(out, name, v);
        if (err != MM_OK)
            return err == MM_ERANGE ? MM_ECORRUPT : err;
    }
    return MM_OK;
}

static json_t *history_json(const hub_finding_t *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < f->n_history; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "state",
                                           hub_finding_state_name(f->history[i].state), "at",
                                           f->history[i].at));
    return a;
}

json_t *hub_finding_json(const hub_finding_t *f)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *state = hub_finding_state_name(f->state);
    const char *severity = hub_severity_name(f->severity);
    const char *source = hub_finding_source_name(f->source);
    int bad = 0;
    hub_codec_add(o, "id", json_integer((json_int_t)f->id), &bad);
    hub_codec_add(o, "site", json_string(f->site), &bad);
    hub_codec_add(o, "kind", json_string(f->kind), &bad);
    if (f->source == HUB_FINDING_SOURCE_VERIFICATION) {
        hub_codec_add(o, "severity", json_string(severity), &bad);
        hub_codec_add(o, "message", json_string(f->message), &bad);
        hub_codec_add(o, "first_seen", json_string(f->first_seen), &bad);
        hub_codec_add(o, "last_seen", json_string(f->last_seen), &bad);
        hub_codec_add(o, "count", json_integer(f->count), &bad);
        hub_codec_add(o, "evidence", hub_evidence_json(&f->evidence), &bad);
        hub_codec_add(o, "state", json_string(state), &bad);
        hub_codec_add(o, "source", json_string(source), &bad);
        hub_codec_add(o, "history", history_json(f), &bad);
    } else {
        hub_codec_add(o, "first_seen", json_string(f->first_seen), &bad);
        hub_codec_add(o, "source", json_string(source), &bad);
        hub_codec_add(o, "count", json_integer(f->count), &bad);
        hub_codec_add(o, "dedupe", json_string(f->dedupe), &bad);
        hub_codec_add(o, "history", history_json(f), &bad);
        hub_codec_add(o, "state", json_string(state), &bad);
        hub_codec_add(o, "severity", json_string(severity), &bad);
        hub_codec_add(o, "rule", json_string(f->rule), &bad);
        hub_codec_add(o, "message", json_string(f->message), &bad);
        hub_codec_add(o, "evidence", hub_evidence_json(&f->evidence), &bad);
        hub_codec_add(o, "last_seen", json_string(f->last_seen), &bad);
        if (f->closed_at[0])
            hub_codec_add(o, "closed_at", json_string(f->closed_at), &bad);
    }
    return hub_codec_built(o, bad);
}

static mm_err_t history_from_json(const json_t *a, hub_finding_t *out)
{
    size_t i;
    json_t *h;
    json_array_foreach((json_t *)a, i, h)
    {
        hub_finding_state_t st;
        char at[MM_RFC3339_MAX];
        if (!hub_finding_state_parse(json_string_value(json_object_get(h, "state")), &st) ||
            hub_codec_str(h, "at", at, sizeof at) != 0)
            return MM_ECORRUPT;
        if (hub_finding_step(out, st, at) != MM_OK)
            return MM_ENOMEM;
    }
    return MM_OK;
}

mm_err_t hub_finding_from_json(const json_t *o, hub_finding_t *out)
{
    hub_finding_init(out);
    if (!json_is_object(o))
        return MM_ECORRUPT;
    out->id = (uint64_t)hub_codec_int(o, "id");
    out->count = hub_codec_int(o, "count");
    if (hub_codec_str(o, "site", out->site, sizeof out->site) ||
        hub_codec_str(o, "kind", out->kind, sizeof out->kind) ||
        hub_codec_str(o, "rule", out->rule, sizeof out->rule) ||
        hub_codec_str(o, "dedupe", out->dedupe, sizeof out->dedupe) ||
        hub_codec_str(o, "message", out->message, sizeof out->message) ||
        hub_codec_str(o, "first_seen", out->first_seen, sizeof out->first_seen) ||
        hub_codec_str(o, "last_seen", out->last_seen, sizeof out->last_seen) ||
        hub_codec_str(o, "closed_at", out->closed_at, sizeof out->closed_at))
        return MM_ECORRUPT;
    const char *severity = json_string_value(json_object_get(o, "severity"));
    const char *source = json_string_value(json_object_get(o, "source"));
    if ((severity && !hub_severity_parse(severity, &out->severity)) ||
        (source && !hub_finding_source_parse(source, &out->source)))
        return MM_ECORRUPT;
    mm_err_t err = history_from_json(json_object_get(o, "history"), out);
    /* The state is its own member; the history's last step says the same. */
    const char *state = json_string_value(json_object_get(o, "state"));
    if (err == MM_OK && state && !hub_finding_state_parse(state, &out->state))
        err = MM_ECORRUPT;
    if (err == MM_OK)
        err = hub_evidence_from_json(json_object_get(o, "evidence"), &out->evidence);
    return err;
}

HUB_CODEC_TEXT_DEFINE(hub_finding, hub_finding_t)
