/*
 * disclosure_decide.c: the decisions on a request — prepared, approved or denied by people,
 * expired at its deadline when nobody decided — and the manager's release of its hold.
 *
 * Every step people take first expires a request past its deadline, so that nobody decides what
 * the deadline has closed. Nothing is ever approved without its holds, and an approved request
 * keeps them until the manager releases them: only a person can say that the inquiry no longer
 * needs the footage.
 */
#include "edge/disclosure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "edge/disclosure_impl.h"
#include "edge/redact.h"

static int sel_has(const sel_t *s, const char *camera)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->cam[i], camera) == 0)
            return 1;
    return 0;
}

/* Records the decision (approved, denied, expired): by whom ("" for none), why, over sel (NULL:
 * the request's cameras and range), with no regions kept clear. */
static void decide(rec_t *r, const char *decision, const char *by, const char *reason,
                   const sel_t *sel, int64_t now_us)
{
    snprintf(r->decision, sizeof r->decision, "%s", decision);
    edge_disclosure_copy(r->decided_by, sizeof r->decided_by, by);
    r->decided_us = now_us;
    edge_disclosure_copy(r->decision_reason, sizeof r->decision_reason, reason);
    if (sel)
        r->approved = *sel;
    else
        edge_disclosure_request_sel(r, &r->approved);
    r->n_regions = 0;
}

/* Takes step, a person's: r->state becomes it and the step is logged with r, or r->state is back
 * as it was and msg says that what ("the denial") could not be stored. On success *out (may be
 * NULL) is the request as shown. */
static mm_err_t take(edge_disclosure_t *d, rec_t *r, mm_disclosure_step_t step, const step_t *s,
                     int64_t now_us, const char *what, json_t **out, char *msg, size_t cap)
{
    mm_disclosure_step_t was = r->state;
    r->state = step;
    mm_err_t err = edge_disclosure_log_step(d, r, step, s, now_us);
    if (err != MM_OK) {
        r->state = was;
        return mm_errf(err, msg, cap, "%s could not be stored: %s", what, mm_strerror(err));
    }
    if (out)
        *out = edge_disclosure_rec_json(r, 1);
    return MM_OK;
}

/* The person who takes a decision (what: "an approval") and the reason they give: MM_OK, or
 * MM_EINVAL with msg saying which is missing or not UTF-8 of the right length. */
static mm_err_t who_and_why(const char *what, const char *by, const char *reason, char *msg,
                            size_t cap)
{
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "%s names who gives it", what);
    if (!reason || !mm_utf8_field_ok(reason, MM_LONG_TEXT_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "%s gives a reason of 1 to %d bytes", what,
                       MM_LONG_TEXT_MAX - 1);
    return MM_OK;
}

mm_err_t edge_disclosure_expire(edge_disclosure_t *d, rec_t *r, int64_t now_us)
{
    char when[MM_LOCALTIME_MAX], text[128];
    edge_disclosure_time_text(r->q.deadline_us, when, sizeof when);
    snprintf(text, sizeof text, "not decided by its deadline, %s", when);
    mm_disclosure_step_t was = r->state;
    r->state = MM_DISCLOSURE_STEP_EXPIRED;
    decide(r, "expired", "", text, NULL, now_us);
    step_t s = {.text = text};
    mm_err_t err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_EXPIRED, &s, now_us);
    if (err != MM_OK) {
        r->state = was;
        r->decision[0] = 0;
        return err;
    }
    edge_disclosure_release_holds(d, r, "expired", now_us);
    return MM_OK;
}

/*
 * Loads id for a step by people as it stands now, into *out (allocated here; the caller frees it,
 * on an error too): refuses an unknown request, and expires one undecided past its deadline
 * first, as for every step people take.
 */
static mm_err_t load_now(edge_disclosure_t *d, const char *id, rec_t **out, int64_t now_us,
                         char *msg, size_t cap)
{
    rec_t *r = *out = calloc(1, sizeof *r);
    if (!r)
        return mm_errf(MM_ENOMEM, msg, cap, "out of memory");
    mm_err_t err = edge_disclosure_rec_load(d, id, r);
    if (err == MM_ENOTFOUND)
        return mm_errf(err, msg, cap, "no disclosure request %.63s", id ? id : "");
    if (err != MM_OK)
        return mm_errf(err, msg, cap, "the request %s cannot be read: %s", id, mm_strerror(err));
    if (edge_disclosure_due(r, now_us) && (err = edge_disclosure_expire(d, r, now_us)) != MM_OK)
        return mm_errf(err, msg, cap, "the request %s cannot be expired: %s", id, mm_strerror(err));
    return MM_OK;
}

/*
 * Loads id for a step that decides (prepare, approve, deny): load_now, then refuses a state the
 * step does not take (an expired request among them).
 */
static mm_err_t load_for_step(edge_disclosure_t *d, const char *id, rec_t **out, int64_t now_us,
                              const char *step, char *msg, size_t cap)
{
    mm_err_t err = load_now(d, id, out, now_us, msg, cap);
    if (err != MM_OK)
        return err;
    const rec_t *r = *out;
    char when[MM_LOCALTIME_MAX];
    switch (r->state) {
    case MM_DISCLOSURE_STEP_HELD:
    case MM_DISCLOSURE_STEP_PREPARED:
    case MM_DISCLOSURE_STEP_FAILED:
        return MM_OK;
    case MM_DISCLOSURE_STEP_REFUSED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s was refused on arrival (%s): nothing to %s", id,
                       r->refusal, step);
    case MM_DISCLOSURE_STEP_EXPIRED:
        edge_disclosure_time_text(r->q.deadline_us, when, sizeof when);
        return mm_errf(MM_ECONFLICT, msg, cap, "%s expired undecided at its deadline, %s", id,
                       when);
    case MM_DISCLOSURE_STEP_DENIED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is denied already (by %s)", id, r->decided_by);
    case MM_DISCLOSURE_STEP_APPROVED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is approved (by %s); its export is being built",
                       id, r->decided_by);
    case MM_DISCLOSURE_STEP_RELEASED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is closed: %s released its hold", id,
                       r->released_by);
    default:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is %s already (approved by %s)", id,
                       mm_disclosure_step_name(r->state), r->decided_by);
    }
}

static void range_text(int64_t from, int64_t to, char *out, size_t cap)
{
    char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
    edge_disclosure_time_text(from, a, sizeof a);
    edge_disclosure_time_text(to, b, sizeof b);
    snprintf(out, cap, "%s to %s", a, b);
}

mm_err_t edge_disclosure_prepare(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *const *cameras, size_t n, int64_t from_us,
                                 int64_t to_us, const char *note, int64_t now_us, json_t **out,
                                 char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    if (!note)
        note = "";
    if (!by || !mm_utf8_field_ok(by, MM_ID_MAX, 1))
        return mm_errf(MM_EINVAL, msg, cap, "a preparation names who makes it");
    if (!mm_utf8_field_ok(note, MM_LONG_TEXT_MAX, 0))
        return mm_errf(MM_EINVAL, msg, cap, "a note is at most %d bytes of UTF-8",
                       MM_LONG_TEXT_MAX - 1);
    rec_t *r = NULL;
    mm_err_t err = load_for_step(d, id, &r, now_us, "prepare", msg, cap);
    if (err != MM_OK)
        goto out;
    if (r->n_preps == EDGE_DISCLOSURE_PREPS_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "%s has %d preparations already; no more are taken", id,
                      EDGE_DISCLOSURE_PREPS_MAX);
        goto out;
    }
    sel_t req, sel;
    edge_disclosure_request_sel(r, &req);
    memset(&sel, 0, sizeof sel);
    char list[MM_LONG_TEXT_MAX];
    edge_disclosure_join_cams(&req, list, sizeof list);
    for (size_t i = 0; i < n; i++) {
        if (!sel_has(&req, cameras[i])) {
            err = mm_errf(MM_EINVAL, msg, cap, "camera %.63s is not one of the request's (%s)",
                          cameras[i], list);
            goto out;
        }
        if (sel_has(&sel, cameras[i])) {
            err = mm_errf(MM_EINVAL, msg, cap, "camera %.63s is named twice", cameras[i]);
            goto out;
        }
        edge_disclosure_copy(sel.cam[sel.n++], MM_ID_MAX, cameras[i]);
    }
    if (!n)
        sel = req;
    sel.from_us = from_us ? from_us : req.from_us;
    sel.to_us = to_us ? to_us : req.to_us;
    if (sel.from_us < req.from_us || sel.to_us > req.to_us || sel.from_us >= sel.to_us) {
        char range[100];
        range_text(req.from_us, req.to_us, range, sizeof range);
        err = mm_errf(MM_EINVAL, msg, cap,
                      "the range must run forwards and lie inside the request's, %s", range);
        goto out;
    }
    prep_t *p = &r->preps[r->n_preps++];
    memset(p, 0, sizeof *p);
    edge_disclosure_copy(p->by, sizeof p->by, by);
    p->time_us = now_us;
    p->sel = sel;
    edge_disclosure_copy(p->note, sizeof p->note, note);
    step_t s = {.by = by, .sel = &sel, .text = note};
    err = take(d, r, MM_DISCLOSURE_STEP_PREPARED, &s, now_us, "the preparation", out, msg, cap);
out:
    free(r);
    return err;
}

/* "CAMERA:x,y,w,h": a camera id, and a region as redact.h's edge_region_parse reads it. */
static int region_parse(const char *s, region_t *g)
{
    const char *colon = strchr(s, ':');
    edge_region_t r;
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof g->camera ||
        edge_region_parse(colon + 1, &r) != MM_OK)
        return -1;
    snprintf(g->camera, sizeof g->camera, "%.*s", (int)(colon - s), s);
    g->x = r.x;
    g->y = r.y;
    g->w = r.w;
    g->h = r.h;
    return 0;
}

mm_err_t edge_disclosure_approve(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, const char *const *keep, size_t n_keep,
                                 int64_t now_us, json_t **out, char *msg, size_t cap)
{
    if (out)
        *out = NULL;
    mm_err_t err = who_and_why("an approval", by, reason, msg, cap);
    if (err != MM_OK)
        return err;
    rec_t *r = NULL;
    char *regions = NULL;
    err = load_for_step(d, id, &r, now_us, "approve", msg, cap);
    if (err != MM_OK)
        goto out;
    /* Nobody approves what they prepared alone: someone else prepared it, or nobody did. */
    size_t own = 0;
    for (size_t i = 0; i < r->n_preps; i++)
        own += strcmp(r->preps[i].by, by) == 0;
    if (r->n_preps && own == r->n_preps) {
        err = mm_errf(MM_ECONFLICT, msg, cap,
                      "nobody approves what they prepared alone: every preparation of %s is %s's; "
                      "someone else must prepare it",
                      id, by);
        goto out;
    }
    int own_images = r->q.legal_basis == MM_LEGAL_BASIS_OWN_IMAGES;
    if (own_images && !n_keep) {
        err = mm_errf(MM_EINVAL, msg, cap,
                      "%s asks for the requester's own images (R-N8): mark the requester with at "
                      "least one --keep CAMERA:x,y,w,h; everything else is blurred",
                      id);
        goto out;
    }
    if (!own_images && n_keep) {
        err = mm_errf(MM_EINVAL, msg, cap,
                      "--keep is only for own-images requests; %s's legal basis is %s", id,
                      mm_legal_basis_name(r->q.legal_basis));
        goto out;
    }
    if (n_keep > EDGE_DISCLOSURE_REGIONS_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "at most %d regions", EDGE_DISCLOSURE_REGIONS_MAX);
        goto out;
    }
    sel_t scratch;
    const sel_t *sel = edge_disclosure_current_sel(r, &scratch);
    region_t regs[EDGE_DISCLOSURE_REGIONS_MAX];
    for (size_t i = 0; i < n_keep; i++) {
        if (region_parse(keep[i], &regs[i]) != 0) {
            err = mm_errf(MM_EINVAL, msg, cap,
                          "\"%.100s\" is not a region CAMERA:x,y,w,h in fractions of the frame "
                          "(each 0 to 1, w and h above 0, x+w and y+h at most 1)",
                          keep[i]);
            goto out;
        }
        if (!sel_has(sel, regs[i].camera)) {
            err =
                mm_errf(MM_EINVAL, msg, cap, "region %.100s: camera %s is not one being disclosed",
                        keep[i], regs[i].camera);
            goto out;
        }
    }
    decide(r, "approved", by, reason, sel, now_us);
    r->n_regions = n_keep;
    memcpy(r->regions, regs, n_keep * sizeof *regs);
    r->attempts++;
    r->failure[0] = 0;
    r->exported = 0;
    json_t *rj = edge_disclosure_regions_json(r);
    regions = rj ? json_dumps(rj, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(rj);
    if (!regions) {
        err = mm_errf(MM_ENOMEM, msg, cap, "out of memory");
        goto out;
    }
    if (strlen(regions) >= MM_LONG_TEXT_MAX) {
        err = mm_errf(MM_EINVAL, msg, cap, "the regions do not fit in the log entry; give fewer");
        goto out;
    }
    step_t s = {.by = by, .sel = sel, .text = reason, .regions = n_keep ? regions : ""};
    err = take(d, r, MM_DISCLOSURE_STEP_APPROVED, &s, now_us, "the approval", out, msg, cap);
    if (err == MM_OK)
        edge_disclosure_export_kick(d);
out:
    free(regions);
    free(r);
    return err;
}

mm_err_t edge_disclosure_deny(edge_disclosure_t *d, const char *id, const char *by,
                              const char *reason, int64_t now_us, json_t **out, char *msg,
                              size_t cap)
{
    if (out)
        *out = NULL;
    mm_err_t err = who_and_why("a denial", by, reason, msg, cap);
    if (err != MM_OK)
        return err;
    rec_t *r = NULL;
    err = load_for_step(d, id, &r, now_us, "deny", msg, cap);
    if (err != MM_OK)
        goto out;
    decide(r, "denied", by, reason, NULL, now_us);
    step_t s = {.by = by, .text = reason};
    err = take(d, r, MM_DISCLOSURE_STEP_DENIED, &s, now_us, "the denial", out, msg, cap);
    if (err == MM_OK) /* what fails here is released at the next start */
        edge_disclosure_release_holds(d, r, "denied", now_us);
out:
    free(r);
    return err;
}

/*
 * Why r's hold cannot be released now (MM_ECONFLICT with msg), or MM_OK: approved, its export
 * delivered (downloaded too, perhaps) or failed, and at least one of its holds still there.
 */
static mm_err_t release_allowed(edge_disclosure_t *d, const rec_t *r, char *msg, size_t cap)
{
    const char *id = r->q.id;
    char when[MM_LOCALTIME_MAX];
    switch (r->state) {
    case MM_DISCLOSURE_STEP_DELIVERED:
    case MM_DISCLOSURE_STEP_DOWNLOADED:
    case MM_DISCLOSURE_STEP_FAILED:
        break;
    case MM_DISCLOSURE_STEP_HELD:
    case MM_DISCLOSURE_STEP_PREPARED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s is not decided: only an approved request's hold is released; deny it to "
                       "release its footage",
                       id);
    case MM_DISCLOSURE_STEP_REFUSED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s was refused on arrival (%s): it holds nothing",
                       id, r->refusal);
    case MM_DISCLOSURE_STEP_DENIED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s is denied (by %s): its hold was released then",
                       id, r->decided_by);
    case MM_DISCLOSURE_STEP_EXPIRED:
        edge_disclosure_time_text(r->q.deadline_us, when, sizeof when);
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s expired undecided at its deadline, %s: its hold was released then", id,
                       when);
    case MM_DISCLOSURE_STEP_APPROVED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s's export is being built: its hold is released once the export is "
                       "delivered (or has failed)",
                       id);
    case MM_DISCLOSURE_STEP_EXPORTED:
        return mm_errf(MM_ECONFLICT, msg, cap,
                       "%s's export is being sent to the hub: its hold is released once the export "
                       "is delivered (or has failed)",
                       id);
    case MM_DISCLOSURE_STEP_RELEASED:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s's hold is released already (by %s)", id,
                       r->released_by);
    default:
        return mm_errf(MM_ECONFLICT, msg, cap, "%s's hold cannot be released now", id);
    }
    size_t left = 0;
    for (size_t i = 0; i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        edge_hold_row_t row;
        edge_disclosure_hold_id(id, i, h);
        mm_err_t err = edge_vault_hold_get(d->conf.vault, h, &row);
        if (err != MM_OK && err != MM_ENOTFOUND)
            return mm_errf(err, msg, cap, "the hold %s cannot be read: %s", h, mm_strerror(err));
        left += err == MM_OK;
    }
    if (!left)
        return mm_errf(MM_ECONFLICT, msg, cap, "%s holds no footage any more: its holds are gone",
                       id);
    return MM_OK;
}

mm_err_t edge_disclosure_release(edge_disclosure_t *d, const char *id, const char *by,
                                 const char *reason, int64_t now_us, json_t **out, char *msg,
                                 size_t cap)
{
    if (out)
        *out = NULL;
    mm_err_t err = who_and_why("a release", by, reason, msg, cap);
    if (err != MM_OK)
        return err;
    rec_t *r = NULL;
    err = load_now(d, id, &r, now_us, msg, cap);
    if (err == MM_OK)
        err = release_allowed(d, r, msg, cap);
    if (err != MM_OK)
        goto out;
    /* Logged first: a stop before the holds go leaves a released request with holds, which the
     * next start releases. */
    r->released_us = now_us;
    edge_disclosure_copy(r->released_by, sizeof r->released_by, by);
    edge_disclosure_copy(r->release_reason, sizeof r->release_reason, reason);
    step_t s = {.by = by, .text = reason};
    err = take(d, r, MM_DISCLOSURE_STEP_RELEASED, &s, now_us, "the release", out, msg, cap);
    if (err == MM_OK) /* what fails here is released at the next start */
        edge_disclosure_release_holds(d, r, "released", now_us);
out:
    free(r);
    return err;
}
