/*
 * measures_codec.c: measures as stored JSON text and back (see measures_codec.h).
 *
 * The members stand in the order measures.c has always set them: the measure as created, its
 * history, its state (set after the history on creation), then the hearing and the publication
 * as they came, which the ordinance's order makes always this order.
 */
#include "hub/measures_codec.h"

#include <string.h>

#include "hub/codec.h"

static json_t *history_json(const hub_measure_t *m)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < m->n_history; i++) {
        const hub_measure_step_t *h = &m->history[i];
        hub_codec_append(&a, json_pack("{s:s, s:I, s:s, s:s}", "state",
                                       hub_measure_state_name(h->state), "time_us",
                                       (json_int_t)h->time_us, "by", h->by, "text", h->text));
    }
    return a;
}

static json_t *hearing_json(const hub_hearing_t *h)
{
    json_t *o = json_pack("{s:s, s:s, s:I}", "deadline", h->deadline, "letter", h->letter,
                          "offered_us", (json_int_t)h->offered_us);
    /* An offer made before date, place and how were asked for has none: written as it was. */
    if (o && h->date[0] &&
        (json_object_set_new(o, "date", json_string(h->date)) ||
         json_object_set_new(o, "place", json_string(h->place)) ||
         json_object_set_new(o, "how", json_string(h->how)))) {
        json_decref(o);
        return NULL;
    }
    if (o && h->heard &&
        (json_object_set_new(o, "outcome", json_string(hub_hearing_outcome_name(h->outcome))) ||
         json_object_set_new(o, "record", json_string(h->record)) ||
         json_object_set_new(o, "recorded_us", json_integer(h->recorded_us)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *hub_measure_json(const hub_measure_t *m)
{
    json_t *findings = json_array();
    for (size_t i = 0; findings && i < m->n_findings; i++)
        json_array_append_new(findings, json_integer((json_int_t)m->findings[i]));
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:I, s:o, s:s}", "id", (json_int_t)m->id,
                          "site", m->site, "kind", hub_measure_kind_name(m->kind), "findings",
                          findings, "text", m->text, "by", m->by, "time_us", (json_int_t)m->time_us,
                          "history", history_json(m), "state", hub_measure_state_name(m->state));
    if (o && m->has_hearing && json_object_set_new(o, "hearing", hearing_json(&m->hearing)) != 0)
        goto fail;
    if (o && m->published &&
        json_object_set_new(o, "publication",
                            json_pack("{s:s, s:I}", "text", m->publication, "published_us",
                                      (json_int_t)m->published_us)) != 0)
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static int history_from(const json_t *a, hub_measure_t *m)
{
    size_t i;
    json_t *h;
    if (json_array_size(a) > HUB_MEASURE_HISTORY_MAX)
        return -1;
    json_array_foreach((json_t *)a, i, h)
    {
        hub_measure_step_t *s = &m->history[m->n_history++];
        s->time_us = hub_codec_int(h, "time_us");
        if (!hub_measure_state_parse(json_string_value(json_object_get(h, "state")), &s->state) ||
            hub_codec_str(h, "by", s->by, sizeof s->by) ||
            hub_codec_str(h, "text", s->text, sizeof s->text))
            return -1;
    }
    return 0;
}

static int hearing_from(const json_t *o, hub_hearing_t *h)
{
    h->offered_us = hub_codec_int(o, "offered_us");
    h->recorded_us = hub_codec_int(o, "recorded_us");
    h->heard = hub_codec_has(o, "outcome");
    if (h->heard &&
        !hub_hearing_outcome_parse(json_string_value(json_object_get(o, "outcome")), &h->outcome))
        return -1;
    return hub_codec_str(o, "deadline", h->deadline, sizeof h->deadline) ||
                   hub_codec_str(o, "date", h->date, sizeof h->date) ||
                   hub_codec_str(o, "place", h->place, sizeof h->place) ||
                   hub_codec_str(o, "how", h->how, sizeof h->how) ||
                   hub_codec_str(o, "letter", h->letter, sizeof h->letter) ||
                   hub_codec_str(o, "record", h->record, sizeof h->record)
               ? -1
               : 0;
}

mm_err_t hub_measure_from_json(const json_t *o, hub_measure_t *out)
{
    memset(out, 0, sizeof *out);
    const json_t *findings = json_object_get(o, "findings");
    const json_t *hearing = json_object_get(o, "hearing"), *pub = json_object_get(o, "publication");
    if (!json_is_object(o) || json_array_size(findings) > HUB_MEASURE_FINDINGS_MAX ||
        !hub_measure_kind_parse(json_string_value(json_object_get(o, "kind")), &out->kind) ||
        !hub_measure_state_parse(json_string_value(json_object_get(o, "state")), &out->state) ||
        hub_codec_str(o, "site", out->site, sizeof out->site) ||
        hub_codec_str(o, "text", out->text, sizeof out->text) ||
        hub_codec_str(o, "by", out->by, sizeof out->by) ||
        history_from(json_object_get(o, "history"), out))
        return MM_ECORRUPT;
    out->id = (uint64_t)hub_codec_int(o, "id");
    out->time_us = hub_codec_int(o, "time_us");
    for (size_t i = 0; i < json_array_size(findings); i++)
        out->findings[out->n_findings++] =
            (uint64_t)json_integer_value(json_array_get(findings, i));
    out->has_hearing = json_is_object(hearing);
    if (out->has_hearing && hearing_from(hearing, &out->hearing))
        return MM_ECORRUPT;
    out->published = json_is_object(pub);
    out->published_us = hub_codec_int(pub, "published_us");
    if (out->published && hub_codec_str(pub, "text", out->publication, sizeof out->publication))
        return MM_ECORRUPT;
    return MM_OK;
}

HUB_CODEC_TEXT_DEFINE(hub_measure, hub_measure_t)

json_t *hub_measure_detail(hub_action_t action, const hub_measure_t *m)
{
    switch (action) {
    case HUB_ACTION_GUIDANCE_GIVEN:
    case HUB_ACTION_RECOMMENDATION_GIVEN: {
        json_t *ids = json_array();
        for (size_t i = 0; ids && i < m->n_findings; i++)
            json_array_append_new(ids, json_integer((json_int_t)m->findings[i]));
        return json_pack("{s:o}", "findings", ids);
    }
    case HUB_ACTION_HEARING_OFFERED:
        return json_pack("{s:s, s:s, s:s, s:s}", "deadline", m->hearing.deadline, "date",
                         m->hearing.date, "place", m->hearing.place, "how", m->hearing.how);
    case HUB_ACTION_HEARING_RECORDED:
        return json_pack("{s:s}", "outcome", hub_hearing_outcome_name(m->hearing.outcome));
    default:
        return NULL;
    }
}

int hub_measure_notice_kind(hub_action_t action, mm_request_kind_t *kind)
{
    switch (action) {
    case HUB_ACTION_GUIDANCE_GIVEN:
        *kind = MM_REQUEST_KIND_GUIDANCE;
        return 1;
    case HUB_ACTION_RECOMMENDATION_GIVEN:
        *kind = MM_REQUEST_KIND_RECOMMENDATION;
        return 1;
    case HUB_ACTION_HEARING_OFFERED:
        *kind = MM_REQUEST_KIND_HEARING_OFFER;
        return 1;
    case HUB_ACTION_RECOMMENDATION_PUBLISHED:
        *kind = MM_REQUEST_KIND_PUBLICATION;
        return 1;
    default:
        return 0;
    }
}

json_t *hub_measure_notice_detail(hub_action_t action, const hub_measure_t *m)
{
    json_int_t id = (json_int_t)m->id;
    const hub_hearing_t *h = &m->hearing;
    switch (action) {
    case HUB_ACTION_GUIDANCE_GIVEN:
    case HUB_ACTION_RECOMMENDATION_GIVEN: {
        json_t *ids = json_array();
        for (size_t i = 0; ids && i < m->n_findings; i++)
            json_array_append_new(ids, json_integer((json_int_t)m->findings[i]));
        return json_pack("{s:I, s:o}", "measure", id, "findings", ids);
    }
    case HUB_ACTION_HEARING_OFFERED:
        return json_pack("{s:I, s:s, s:s, s:s, s:s}", "measure", id, "date", h->date, "place",
                         h->place, "how", h->how, "deadline", h->deadline);
    case HUB_ACTION_RECOMMENDATION_PUBLISHED:
        return json_pack("{s:I, s:I}", "measure", id, "published_us", (json_int_t)m->published_us);
    default:
        return NULL;
    }
}
