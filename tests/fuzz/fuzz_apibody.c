/*
 * fuzz_apibody.c: bodies of the hub API's requests that change something (hub/apibody.h), as
 * anyone holding a token could send them; every input goes to every parser. Nothing may crash
 * or hang. A body that parses must be one the handler can trust: known enumerations, texts
 * that are NUL-terminated UTF-8 without control characters other than newline and tab,
 * required texts present, finding ids positive and within the limit, dates in form, a hearing
 * offer's date, place and how to answer (an offer without one refused as incomplete); a
 * disclosure with a legal basis, a reference where its basis needs one, 1..16 distinct camera
 * ids, a range from before to, and a recipient that parses; a resident's complaint (public, no
 * login) within its size, its text at most 2000 characters without tabs, its contact one line,
 * its camera an id. A body that does not parse must say why (and one too long for the public
 * route says so as MM_ETOOBIG, for 413). Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/age.h"
#include "common/entry.h"
#include "common/keys.h"
#include "common/utf8.h"
#include "hub/apibody.h"

static void check_text(const char *buf, size_t cap, int required)
{
    const char *nul = memchr(buf, 0, cap);
    if (!nul || !mm_utf8_valid(buf, (size_t)(nul - buf)) || (required && !buf[0]))
        abort();
    for (const char *p = buf; p < nul; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
            abort();
}

static void check_failure(mm_err_t err, const char *msg, size_t cap)
{
    if (err != MM_EPROTO || !memchr(msg, 0, cap) || !msg[0])
        abort();
}

static void others(const char *body, size_t size)
{
    static hub_measure_body_t m;
    static hub_hearing_body_t h;
    static hub_publication_body_t p;
    char msg[256];
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_measure(body, size, &m, msg, sizeof msg);
    if (err == MM_OK) {
        if (!hub_measure_kind_name(m.kind) || m.n_findings < 1 ||
            m.n_findings > HUB_MEASURE_FINDINGS_MAX)
            abort();
        for (size_t i = 0; i < m.n_findings; i++)
            if (m.findings[i] < 1)
                abort();
        check_text(m.text, sizeof m.text, 1);
    } else {
        check_failure(err, msg, sizeof msg);
    }
    memset(msg, 0x5a, sizeof msg);
    err = hub_body_hearing(body, size, &h, msg, sizeof msg);
    if (err == MM_OK) {
        check_text(h.text, sizeof h.text, 1);
        if (h.offer && (strlen(h.deadline) != 10 || h.deadline[4] != '-' || h.deadline[7] != '-'))
            abort();
        if (!h.offer && !hub_hearing_outcome_name(h.outcome))
            abort();
        /* An offer names its date ("YYYY-MM-DD[ HH:MM]"), place (one line) and how to answer. */
        check_text(h.date, sizeof h.date, h.offer);
        check_text(h.place, sizeof h.place, h.offer);
        check_text(h.how, sizeof h.how, h.offer);
        if (h.offer &&
            ((strlen(h.date) != 10 && strlen(h.date) != 16) || h.date[4] != '-' ||
             h.date[7] != '-' || (h.date[10] && h.date[10] != ' ') || strchr(h.place, '\n')))
            abort();
    } else if (err == MM_EINVAL) { /* an offer without a particular: named */
        if (!memchr(msg, 0, sizeof msg) || !strstr(msg, "a hearing offer needs"))
            abort();
    } else {
        check_failure(err, msg, sizeof msg);
    }
    memset(msg, 0x5a, sizeof msg);
    err = hub_body_publication(body, size, &p, msg, sizeof msg);
    if (err == MM_OK)
        check_text(p.text, sizeof p.text, 1);
    else
        check_failure(err, msg, sizeof msg);
}

static void requests(const char *body, size_t size)
{
    static hub_complaint_body_t c;
    static hub_request_body_t r;
    char msg[256];
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_complaint(body, size, &c, msg, sizeof msg);
    if (err == MM_OK) {
        check_text(c.site, sizeof c.site, 1);
        check_text(c.camera, sizeof c.camera, 0);
        check_text(c.text, sizeof c.text, 1);
        check_text(c.contact, sizeof c.contact, 0);
        if (c.via != HUB_COMPLAINT_VIA_PUBLIC && c.via != HUB_COMPLAINT_VIA_STAFF)
            abort();
        if (strchr(c.site, '\n') || strchr(c.camera, '\n') || strchr(c.contact, '\n'))
            abort();
    } else {
        check_failure(err, msg, sizeof msg);
    }
    mm_err_t (*const parsers[])(const char *, size_t, hub_request_body_t *, char *, size_t) = {
        hub_body_appeal, hub_body_measures, hub_body_report_request};
    for (size_t i = 0; i < 3; i++) {
        memset(msg, 0x5a, sizeof msg);
        err = parsers[i](body, size, &r, msg, sizeof msg);
        if (err == MM_OK) {
            check_text(r.text, sizeof r.text, i != 2);
            if (i == 1 && (r.deadline_days < 1 || r.deadline_days > 90))
                abort();
            if (i == 2 && (r.from_us < 0 || r.to_us <= r.from_us || r.deadline_days < 1 ||
                           r.deadline_days > 90))
                abort();
        } else {
            check_failure(err, msg, sizeof msg);
        }
    }
}

/* A resident's complaint, through the public route. */
static void public_complaint(const char *body, size_t size)
{
    static hub_public_complaint_body_t c;
    char msg[256];
    memset(&c, 0x5a, sizeof c);
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_public_complaint(body, size, &c, msg, sizeof msg);
    if (size > HUB_PUBLIC_BODY_MAX) {
        if (err != MM_ETOOBIG || !memchr(msg, 0, sizeof msg) || !msg[0])
            abort();
        return;
    }
    if (err != MM_OK) {
        check_failure(err, msg, sizeof msg);
        return;
    }
    check_text(c.text, sizeof c.text, 1);
    check_text(c.contact, sizeof c.contact, 0);
    check_text(c.camera, sizeof c.camera, 0);
    size_t chars = 0;
    for (const char *p = c.text; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    if (chars > HUB_PUBLIC_TEXT_CHARS || strchr(c.text, '\t') || strchr(c.contact, '\n') ||
        strchr(c.contact, '\t') || (c.camera[0] && !mm_keys_name_ok(c.camera)))
        abort();
}

static void disclosure(const char *body, size_t size)
{
    static hub_disclosure_body_t b;
    char msg[256];
    memset(&b, 0x5a, sizeof b);
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_disclosure(body, size, &b, msg, sizeof msg);
    if (err != MM_OK) {
        check_failure(err, msg, sizeof msg);
        return;
    }
    check_text(b.site, sizeof b.site, 1);
    check_text(b.reference, sizeof b.reference, 0);
    check_text(b.reason, sizeof b.reason, 1);
    check_text(b.recipient, sizeof b.recipient, 1);
    check_text(b.organisation, sizeof b.organisation, 0);
    if (strchr(b.site, '\n') || strchr(b.reference, '\n') || strchr(b.recipient, '\n') ||
        strchr(b.organisation, '\n'))
        abort();
    if (b.legal_basis == MM_LEGAL_BASIS_NONE || !mm_legal_basis_name(b.legal_basis))
        abort();
    if (!b.reference[0] &&
        (b.legal_basis == MM_LEGAL_BASIS_LAW || b.legal_basis == MM_LEGAL_BASIS_CONSENT))
        abort();
    if (b.from_us < 0 || b.to_us <= b.from_us)
        abort();
    uint8_t pub[32];
    if (mm_age_recipient_parse(b.recipient, pub) != MM_OK)
        abort();
    if (b.n_cameras < 1 || b.n_cameras > MM_REQUEST_CAMERAS_MAX)
        abort();
    for (size_t i = 0; i < b.n_cameras; i++) {
        if (!memchr(b.cameras[i], 0, sizeof b.cameras[i]) || !mm_keys_name_ok(b.cameras[i]))
            abort();
        for (size_t k = 0; k < i; k++)
            if (!strcmp(b.cameras[i], b.cameras[k]))
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    others((const char *)data, size);
    requests((const char *)data, size);
    public_complaint((const char *)data, size);
    disclosure((const char *)data, size);
    hub_decision_body_t d;
    char msg[256];
    memset(&d, 0x5a, sizeof d);
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_decision((const char *)data, size, &d, msg, sizeof msg);
    if (err == MM_OK) {
        const char *nul = memchr(d.reason, 0, sizeof d.reason);
        if (!nul ||
            (d.decision != HUB_FILING_STATE_ACCEPTED && d.decision != HUB_FILING_STATE_RETURNED) ||
            !mm_utf8_valid(d.reason, (size_t)(nul - d.reason)))
            abort();
        for (const char *p = d.reason; p < nul; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                abort();
        if (d.decision == HUB_FILING_STATE_RETURNED && !d.reason[0])
            abort();
    } else if (err != MM_EPROTO || !memchr(msg, 0, sizeof msg) || !msg[0]) {
        abort();
    }
    return 0;
}
