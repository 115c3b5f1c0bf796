/*
 * apibody.c: strict parsers of API request bodies (see apibody.h).
 */
#include "hub/apibody.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/age.h"
#include "common/keys.h"
#include "common/utf8.h"

#define BODY_MAX (64 * 1024)

/* Says why in msg, and refuses the body (err.h mm_errf). */
#define bad(msg, cap, ...) mm_errf(MM_EPROTO, msg, cap, __VA_ARGS__)

/* The body as a JSON object with no key outside allowed; NULL with msg set otherwise. */
static json_t *object(const char *body, size_t len, const char *const *allowed, char *msg,
                      size_t cap)
{
    if (!body || len == 0) {
        bad(msg, cap, "the request needs a JSON body");
        return NULL;
    }
    if (len > BODY_MAX) {
        bad(msg, cap, "the body is longer than %d bytes", BODY_MAX);
        return NULL;
    }
    json_error_t je;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        bad(msg, cap, "the body is not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        bad(msg, cap, "the body must be a JSON object");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            ok |= !strcmp(key, allowed[i]);
        if (!ok) {
            char shown[48];
            mm_utf8_valid(key, strlen(key)) ? snprintf(shown, sizeof shown, "%.40s", key)
                                            : snprintf(shown, sizeof shown, "(not UTF-8)");
            bad(msg, cap, "\"%s\" is not a key of this request", shown);
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* A text field: absent gives "", else a string of at most cap - 1 bytes, UTF-8, no control
 * characters but newline and tab when multiline. -1 with msg on a bad value. */
static int text(json_t *o, const char *key, char *out, size_t cap, int multiline, char *msg,
                size_t mcap)
{
    json_t *v = json_object_get(o, key);
    out[0] = 0;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!s || strlen(s) != n) {
        bad(msg, mcap, "\"%s\" must be a string without NUL", key);
        return -1;
    }
    if (n >= cap) {
        bad(msg, mcap, "\"%s\" is longer than %zu bytes", key, cap - 1);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && !(multiline && (s[i] == '\n' || s[i] == '\t'))) {
            bad(msg, mcap, "\"%s\" holds a control character", key);
            return -1;
        }
    memcpy(out, s, n + 1);
    return 0;
}

/* A short single-line field: absent gives "" unless required. */
static int line(json_t *o, const char *key, char *out, size_t cap, int required, char *msg,
                size_t mcap)
{
    if (text(o, key, out, cap, 0, msg, mcap) != 0)
        return -1;
    if (required && !out[0]) {
        bad(msg, mcap, "\"%s\" is required", key);
        return -1;
    }
    return 0;
}

mm_err_t hub_body_decision(const char *body, size_t len, hub_decision_body_t *out, char *msg,
                           size_t cap)
{
    static const char *const keys[] = {"decision", "reason", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    const char *d = json_string_value(json_object_get(o, "decision"));
    if (!hub_filing_state_parse(d, &out->decision) || out->decision == HUB_FILING_STATE_RECEIVED) {
        bad(msg, cap, "\"decision\" must be \"accepted\" or \"returned\"");
    } else if (text(o, "reason", out->reason, sizeof out->reason, 1, msg, cap) == 0) {
        if (out->decision == HUB_FILING_STATE_RETURNED && !out->reason[0])
            bad(msg, cap, "a returned filing needs its \"reason\"");
        else
            err = MM_OK;
    }
    json_decref(o);
    return err;
}

/* A required multi-line text. */
static int required_text(json_t *o, const char *key, char *out, size_t cap, char *msg, size_t mcap)
{
    if (text(o, key, out, cap, 1, msg, mcap) != 0)
        return -1;
    if (!out[0]) {
        bad(msg, mcap, "\"%s\" is required and must not be empty", key);
        return -1;
    }
    return 0;
}

mm_err_t hub_body_measure(const char *body, size_t len, hub_measure_body_t *out, char *msg,
                          size_t cap)
{
    static const char *const keys[] = {"kind", "findings", "text", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    json_t *f = json_object_get(o, "findings");
    if (!hub_measure_kind_parse(kind, &out->kind)) {
        bad(msg, cap, "\"kind\" must be \"guidance\" or \"recommendation\"");
    } else if (!json_is_array(f) || json_array_size(f) == 0 ||
               json_array_size(f) > HUB_MEASURE_FINDINGS_MAX) {
        bad(msg, cap,
            "\"findings\" must list 1 to %d finding ids: a measure is tied to findings "
            "(R-N10.2)",
            HUB_MEASURE_FINDINGS_MAX);
    } else if (required_text(o, "text", out->text, sizeof out->text, msg, cap) == 0) {
        err = MM_OK;
        size_t i;
        json_t *v;
        json_array_foreach(f, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) < 1) {
                bad(msg, cap, "\"findings\"[%zu] must be a finding id (a positive integer)", i);
                err = MM_EPROTO;
                break;
            }
            out->findings[out->n_findings++] = (uint64_t)json_integer_value(v);
        }
    }
    json_decref(o);
    return err;
}

static int date_ok(const char *s)
{
    if (strlen(s) != 10)
        return 0;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* "YYYY-MM-DD", or that and " HH:MM" (or "THH:MM"). */
static int date_time_ok(const char *s)
{
    char day[11];
    size_t n = strlen(s);
    if (n < 10)
        return 0;
    snprintf(day, sizeof day, "%.10s", s);
    if (!date_ok(day))
        return 0;
    if (n == 10)
        return 1;
    const char *t = s + 10;
    return n == 16 && (t[0] == ' ' || t[0] == 'T') && t[1] >= '0' && t[1] <= '2' && t[2] >= '0' &&
           t[2] <= '9' && (t[1] - '0') * 10 + (t[2] - '0') < 24 && t[3] == ':' && t[4] >= '0' &&
           t[4] <= '5' && t[5] >= '0' && t[5] <= '9';
}

/* An offer's particulars: the hearing's date, place and how to answer (R-N11.2). A missing one
 * is MM_EINVAL naming it; a malformed one MM_EPROTO. */
static mm_err_t hearing_offer(json_t *o, hub_hearing_body_t *out, char *msg, size_t cap)
{
    const char *d = json_string_value(json_object_get(o, "deadline"));
    if (!d || !date_ok(d))
        return bad(msg, cap, "\"deadline\" must be a date YYYY-MM-DD");
    if (json_object_get(o, "outcome"))
        return bad(msg, cap, "an offer has no \"outcome\"");
    snprintf(out->deadline, sizeof out->deadline, "%s", d);
    if (line(o, "date", out->date, sizeof out->date, 0, msg, cap) != 0 ||
        line(o, "place", out->place, sizeof out->place, 0, msg, cap) != 0 ||
        text(o, "how", out->how, sizeof out->how, 1, msg, cap) != 0)
        return MM_EPROTO;
    if (out->date[0] && !date_time_ok(out->date))
        return bad(msg, cap, "\"date\" must be the hearing's date, YYYY-MM-DD or YYYY-MM-DD HH:MM");
    if (out->date[0] && out->date[10] == 'T')
        out->date[10] = ' ';
    const char *missing = !out->date[0]    ? "date\": when the hearing is held"
                          : !out->place[0] ? "place\": where it is held"
                          : !out->how[0]   ? "how\": how the party answers"
                                           : NULL;
    if (missing)
        return mm_errf(MM_EINVAL, msg, cap, "a hearing offer needs \"%s (R-N11.2)", missing);
    return MM_OK;
}

mm_err_t hub_body_hearing(const char *body, size_t len, hub_hearing_body_t *out, char *msg,
                          size_t cap)
{
    static const char *const keys[] = {"action", "deadline", "date", "place",
                                       "how",    "outcome",  "text", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    const char *action = json_string_value(json_object_get(o, "action"));
    if (!action || (strcmp(action, "offer") && strcmp(action, "outcome"))) {
        bad(msg, cap, "\"action\" must be \"offer\" or \"outcome\"");
    } else if (required_text(o, "text", out->text, sizeof out->text, msg, cap) == 0) {
        out->offer = !strcmp(action, "offer");
        const char *oc = json_string_value(json_object_get(o, "outcome"));
        if (out->offer)
            err = hearing_offer(o, out, msg, cap);
        else if (json_object_get(o, "deadline") || json_object_get(o, "date") ||
                 json_object_get(o, "place") || json_object_get(o, "how"))
            bad(msg, cap, "an outcome has no \"deadline\", \"date\", \"place\" or \"how\"");
        else if (!hub_hearing_outcome_parse(oc, &out->outcome))
            bad(msg, cap, "\"outcome\" must be opinion_stated, no_opinion or declined");
        else
            err = MM_OK;
    }
    json_decref(o);
    return err;
}

/* A body of a required "text" and nothing else, into text (tcap bytes). */
static mm_err_t text_only(const char *body, size_t len, char *text, size_t tcap, char *msg,
                          size_t cap)
{
    static const char *const keys[] = {"text", NULL};
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = required_text(o, "text", text, tcap, msg, cap) == 0 ? MM_OK : MM_EPROTO;
    json_decref(o);
    return err;
}

mm_err_t hub_body_publication(const char *body, size_t len, hub_publication_body_t *out, char *msg,
                              size_t cap)
{
    memset(out, 0, sizeof *out);
    return text_only(body, len, out->text, sizeof out->text, msg, cap);
}

static int deadline_days(json_t *o, int *out, char *msg, size_t cap)
{
    json_t *v = json_object_get(o, "deadline_days");
    *out = 14;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 90) {
        bad(msg, cap, "\"deadline_days\" must be a whole number of days, 1 to 90");
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

mm_err_t hub_body_complaint(const char *body, size_t len, hub_complaint_body_t *out, char *msg,
                            size_t cap)
{
    static const char *const keys[] = {"site", "camera", "text", "contact", "via", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    char via[16];
    if (line(o, "site", out->site, sizeof out->site, 1, msg, cap) == 0 &&
        line(o, "camera", out->camera, sizeof out->camera, 0, msg, cap) == 0 &&
        required_text(o, "text", out->text, sizeof out->text, msg, cap) == 0 &&
        line(o, "contact", out->contact, sizeof out->contact, 0, msg, cap) == 0 &&
        line(o, "via", via, sizeof via, 0, msg, cap) == 0) {
        out->via = HUB_COMPLAINT_VIA_PUBLIC; /* when absent */
        if (via[0] && !hub_complaint_via_parse(via, &out->via))
            bad(msg, cap, "\"via\" must be \"public\" or \"staff\"");
        else
            err = MM_OK;
    }
    json_decref(o);
    return err;
}

/* The characters (code points) of UTF-8 text s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

mm_err_t hub_body_public_complaint(const char *body, size_t len, hub_public_complaint_body_t *out,
                                   char *msg, size_t cap)
{
    static const char *const keys[] = {"text", "contact", "camera", NULL};
    memset(out, 0, sizeof *out);
    if (len > HUB_PUBLIC_BODY_MAX)
        return mm_errf(MM_ETOOBIG, msg, cap, "the body is longer than %d bytes",
                       HUB_PUBLIC_BODY_MAX);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    json_t *t = json_object_get(o, "text");
    if (json_is_string(t) && json_string_length(t) < 4 * HUB_PUBLIC_TEXT_CHARS &&
        strlen(json_string_value(t)) == json_string_length(t) &&
        chars(json_string_value(t)) > HUB_PUBLIC_TEXT_CHARS) {
        bad(msg, cap, "\"text\" is longer than %d characters", HUB_PUBLIC_TEXT_CHARS);
    } else if (text(o, "text", out->text, sizeof out->text, 1, msg, cap) != 0) {
        /* msg says which */
    } else if (!out->text[0]) {
        bad(msg, cap, "\"text\" is required: say what happened");
    } else if (strchr(out->text, '\t')) {
        bad(msg, cap, "\"text\" holds a control character");
    } else if (line(o, "contact", out->contact, sizeof out->contact, 0, msg, cap) == 0 &&
               line(o, "camera", out->camera, sizeof out->camera, 0, msg, cap) == 0) {
        if (out->camera[0] && !mm_keys_name_ok(out->camera))
            bad(msg, cap, "\"camera\" is no camera id");
        else
            err = MM_OK;
    }
    json_decref(o);
    return err;
}

mm_err_t hub_body_appeal(const char *body, size_t len, hub_request_body_t *out, char *msg,
                         size_t cap)
{
    memset(out, 0, sizeof *out);
    return text_only(body, len, out->text, sizeof out->text, msg, cap);
}

mm_err_t hub_body_measures(const char *body, size_t len, hub_request_body_t *out, char *msg,
                           size_t cap)
{
    static const char *const keys[] = {"text", "deadline_days", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = required_text(o, "text", out->text, sizeof out->text, msg, cap) == 0 &&
                           deadline_days(o, &out->deadline_days, msg, cap) == 0
                       ? MM_OK
                       : MM_EPROTO;
    json_decref(o);
    return err;
}

mm_err_t hub_body_report_request(const char *body, size_t len, hub_request_body_t *out, char *msg,
                                 size_t cap)
{
    static const char *const keys[] = {"from_us", "to_us", "text", "deadline_days", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    json_t *f = json_object_get(o, "from_us"), *t = json_object_get(o, "to_us");
    if (!json_is_integer(f) || !json_is_integer(t) || json_integer_value(f) < 0 ||
        json_integer_value(t) <= json_integer_value(f))
        bad(msg, cap, "\"from_us\" and \"to_us\" must be times in microseconds, from before to");
    else if (text(o, "text", out->text, sizeof out->text, 1, msg, cap) == 0 &&
             deadline_days(o, &out->deadline_days, msg, cap) == 0) {
        out->from_us = json_integer_value(f);
        out->to_us = json_integer_value(t);
        err = MM_OK;
    }
    json_decref(o);
    return err;
}

static int disclosure_cameras(json_t *o, hub_disclosure_body_t *out, char *msg, size_t cap)
{
    json_t *cams = json_object_get(o, "cameras");
    if (!json_is_array(cams) || json_array_size(cams) == 0 ||
        json_array_size(cams) > MM_REQUEST_CAMERAS_MAX) {
        bad(msg, cap, "\"cameras\" must list 1 to %d camera ids", MM_REQUEST_CAMERAS_MAX);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(cams, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || strlen(id) != json_string_length(v) || !mm_keys_name_ok(id)) {
            bad(msg, cap,
                "\"cameras\"[%zu] must be a camera id: 1-63 characters of A-Z a-z 0-9 . _ -", i);
            return -1;
        }
        for (size_t k = 0; k < out->n_cameras; k++)
            if (!strcmp(out->cameras[k], id)) {
                bad(msg, cap, "\"cameras\" names %s twice", id);
                return -1;
            }
        snprintf(out->cameras[out->n_cameras++], sizeof out->cameras[0], "%s", id);
    }
    return 0;
}

static int disclosure_range(json_t *o, hub_disclosure_body_t *out, char *msg, size_t cap)
{
    json_t *f = json_object_get(o, "from_us"), *t = json_object_get(o, "to_us");
    if (!json_is_integer(f) || json_integer_value(f) < 0) {
        bad(msg, cap, "\"from_us\" must be a time in microseconds since the epoch");
        return -1;
    }
    if (!json_is_integer(t) || json_integer_value(t) < 0) {
        bad(msg, cap, "\"to_us\" must be a time in microseconds since the epoch");
        return -1;
    }
    if (json_integer_value(f) >= json_integer_value(t)) {
        bad(msg, cap, "\"from_us\" must be before \"to_us\"");
        return -1;
    }
    out->from_us = json_integer_value(f);
    out->to_us = json_integer_value(t);
    return 0;
}

mm_err_t hub_body_disclosure(const char *body, size_t len, hub_disclosure_body_t *out, char *msg,
                             size_t cap)
{
    static const char *const keys[] = {"site",         "cameras",   "from_us", "to_us",
                                       "legal_basis",  "reference", "reason",  "recipient",
                                       "organisation", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = object(body, len, keys, msg, cap);
    if (!o)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    const char *basis = json_string_value(json_object_get(o, "legal_basis"));
    mm_legal_basis_t lb = MM_LEGAL_BASIS_NONE;
    uint8_t pub[32];
    if (line(o, "site", out->site, sizeof out->site, 1, msg, cap) != 0 ||
        disclosure_cameras(o, out, msg, cap) != 0 || disclosure_range(o, out, msg, cap) != 0) {
        /* msg says which */
    } else if (!mm_legal_basis_parse(basis, &lb) || lb == MM_LEGAL_BASIS_NONE) {
        bad(msg, cap,
            "\"legal_basis\": a disclosure needs a legal basis: consent, law, emergency or "
            "own_images");
    } else if (line(o, "reference", out->reference, sizeof out->reference, 0, msg, cap) != 0 ||
               required_text(o, "reason", out->reason, sizeof out->reason, msg, cap) != 0 ||
               line(o, "recipient", out->recipient, sizeof out->recipient, 1, msg, cap) != 0 ||
               line(o, "organisation", out->organisation, sizeof out->organisation, 0, msg, cap) !=
                   0) {
        /* msg says which */
    } else if (!out->reference[0] && (lb == MM_LEGAL_BASIS_LAW || lb == MM_LEGAL_BASIS_CONSENT)) {
        bad(msg, cap, "\"reference\" is required for legal basis %s: %s", basis,
            lb == MM_LEGAL_BASIS_LAW ? "the warrant or the investigative inquiry's number"
                                     : "the subject's written consent");
    } else if (mm_age_recipient_parse(out->recipient, pub) != MM_OK) {
        bad(msg, cap, "\"recipient\" is not an age X25519 recipient (age1...)");
    } else {
        out->legal_basis = lb;
        err = MM_OK;
    }
    json_decref(o);
    return err;
}
