/*
 * disclosure_receipt.c: a request received from the hub — checked, held or refused — and the
 * hub's notice that the requester downloaded an export; the holds placed on receipt and
 * released when a request closes.
 *
 * Holds are the one thing not written in the record's transaction: the retention module places
 * and releases them in transactions of their own, so the order is chosen to make a stop
 * harmless. Holds are placed before the "held" step (a stop in between leaves holds and no
 * record: the receipt is redone from the logged city request, and a hold already there with the
 * same camera and range counts as placed); a denial, an expiry and the manager's release of a
 * delivered request are logged before the holds are released (a stop in between leaves a closed
 * request with holds: the next start releases them).
 */
#include "edge/disclosure.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/age.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/legalbasis.h"
#include "edge/disclosure_impl.h"
#include "edge/retention.h"

/* Releases what is left of r's holds; a hold already gone is fine. */
mm_err_t edge_disclosure_release_holds(edge_disclosure_t *d, const rec_t *r, const char *why,
                                       int64_t now_us)
{
    char reason[MM_TEXT_MAX];
    snprintf(reason, sizeof reason, "disclosure request %.63s %s", r->q.id, why);
    mm_err_t first = MM_OK;
    for (size_t i = 0; i < r->n_holds; i++) {
        char h[MM_ID_MAX];
        edge_disclosure_hold_id(r->q.id, i, h);
        edge_retention_report_t rep;
        mm_err_t err = edge_retention_release_hold(d->conf.vault, h, reason, now_us, &rep);
        if (err == MM_ENOTFOUND)
            continue;
        if (err != MM_OK)
            MM_ERROR("disclosure %s: cannot release hold %s: %s", r->q.id, h, mm_strerror(err));
        else if (d->conf.logged)
            d->conf.logged(d->conf.arg);
        if (first == MM_OK)
            first = err;
    }
    return first;
}

/* Why a request cannot be held, into why (cap bytes); 0 when it can. */
static int check_request(edge_disclosure_t *d, const mm_city_request_t *q, char *why, size_t cap)
{
    /* The signature first: nothing else of an unsigned request is worth reading. */
    char *stmt = malloc(MM_STATEMENT_MAX);
    size_t len = 0;
    if (!stmt) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    mm_err_t err = mm_disclosure_statement(q, d->conf.site, stmt, MM_STATEMENT_MAX, &len);
    if (!q->has_signature)
        snprintf(why, cap, "the request carries no signature of the hub");
    else if (err != MM_OK)
        snprintf(why, cap, "the request's statement cannot be made (%s)", mm_strerror(err));
    else if (mm_ed25519_verify(d->hub_pub, stmt, len, q->signature) != MM_OK)
        snprintf(why, cap, "the hub's signature does not verify");
    else
        why[0] = 0;
    free(stmt);
    if (why[0])
        return -1;
    if (!mm_id_ok(q->id)) {
        snprintf(why, cap,
                 "the request id is not one the site can use (1-63 of A-Z a-z 0-9 . _ -)");
        return -1;
    }
    if (q->legal_basis == MM_LEGAL_BASIS_NONE || !mm_legal_basis_name(q->legal_basis)) {
        snprintf(why, cap, "the legal basis is none of consent, law, emergency, own_images");
        return -1;
    }
    /* The hub refuses such a request before it signs it; one that reaches the site all the same
     * (a hub that did not check, or a forged one) is refused here, naming the clause (R-K2.2.5,
     * R-N7.4). */
    if (!mm_legal_basis_admitted(d->conf.policy, q->legal_basis)) {
        mm_legal_basis_refusal(d->conf.policy, q->legal_basis, why, cap);
        return -1;
    }
    if (q->n_cameras == 0 || q->n_cameras > CAMS_MAX) {
        snprintf(why, cap, "the request names %zu cameras (1 to %d)", q->n_cameras, CAMS_MAX);
        return -1;
    }
    for (size_t i = 0; i < q->n_cameras; i++) {
        size_t k = 0;
        while (k < d->n_cameras && strcmp(d->cameras[k], q->cameras[i]) != 0)
            k++;
        if (k == d->n_cameras) {
            snprintf(why, cap, "this site has no camera %.63s", q->cameras[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->cameras[j], q->cameras[i]) == 0) {
                snprintf(why, cap, "camera %.63s is named twice", q->cameras[i]);
                return -1;
            }
    }
    if (q->from_us >= q->to_us || q->from_us < 0) {
        snprintf(why, cap,
                 "the range is empty or runs backwards (from_us %" PRId64 ", to_us %" PRId64 ")",
                 q->from_us, q->to_us);
        return -1;
    }
    uint8_t pub[32];
    if (mm_age_recipient_parse(q->recipient, pub) != MM_OK) {
        snprintf(why, cap, "the recipient is not an age X25519 recipient (age1...)");
        return -1;
    }
    return 0;
}

/* Places the hold of camera i, or recognises it from an earlier attempt. */
static mm_err_t place_hold(edge_disclosure_t *d, const mm_city_request_t *q, size_t i,
                           int64_t now_us)
{
    char h[MM_ID_MAX], reason[MM_TEXT_MAX];
    edge_disclosure_hold_id(q->id, i, h);
    char full[MM_TEXT_MAX + 512];
    snprintf(full, sizeof full, "disclosure request %s (%s%s%s)", q->id,
             mm_legal_basis_name(q->legal_basis), q->reference[0] ? ": " : "", q->reference);
    edge_disclosure_copy(reason, sizeof reason, full);
    mm_err_t err = edge_vault_hold_place(d->conf.vault, h, q->cameras[i], q->from_us, q->to_us,
                                         reason, now_us);
    if (err == MM_EEXIST) {
        edge_hold_row_t row;
        err = edge_vault_hold_get(d->conf.vault, h, &row);
        if (err == MM_OK && (strcmp(row.camera, q->cameras[i]) != 0 || row.start_us != q->from_us ||
                             row.end_us != q->to_us)) {
            MM_ERROR("disclosure %s: hold %s exists for something else", q->id, h);
            err = MM_ECONFLICT;
        }
    }
    if (err == MM_OK && d->conf.logged)
        d->conf.logged(d->conf.arg);
    return err;
}

static mm_err_t receipt(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    mm_err_t err = edge_disclosure_rec_load(d, q->id, r);
    if (err != MM_ENOTFOUND) {
        free(r);
        return err; /* handled before (MM_OK), or the record cannot be read */
    }
    err = MM_OK;
    memset(r, 0, sizeof *r);
    r->q = *q;
    r->received_us = now_us;
    char why[MM_BASIS_REFUSAL_MAX];
    if (check_request(d, q, why, sizeof why) != 0) {
        r->state = MM_DISCLOSURE_STEP_REFUSED;
        edge_disclosure_copy(r->refusal, sizeof r->refusal, why);
        step_t s = {.text = why};
        err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_REFUSED, &s, now_us);
        MM_WARN("disclosure %s refused: %s", q->id, why);
        free(r);
        return err;
    }
    for (size_t i = 0; err == MM_OK && i < q->n_cameras; i++)
        err = place_hold(d, q, i, now_us);
    if (err == MM_OK) {
        r->n_holds = q->n_cameras;
        r->state = MM_DISCLOSURE_STEP_HELD;
        step_t s = {.text = q->text};
        err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_HELD, &s, now_us);
    }
    if (err != MM_OK)
        MM_ERROR("disclosure %s: the receipt is not finished (%s); it is tried again", q->id,
                 mm_strerror(err));
    else
        MM_WARN("disclosure request %s (%s) held on %zu camera(s); the manager decides it "
                "(mimamori-edge disclosures)",
                q->id, mm_legal_basis_name(q->legal_basis), q->n_cameras);
    free(r);
    return err;
}

static mm_err_t downloaded(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    rec_t *r = calloc(1, sizeof *r);
    if (!r)
        return MM_ENOMEM;
    mm_err_t err = edge_disclosure_rec_load(d, q->disclosure, r);
    if (err == MM_ENOTFOUND)
        MM_WARN("city request %s: the hub says disclosure %s was downloaded, but the site has no "
                "such request",
                q->id, q->disclosure);
    if (err == MM_OK && !r->downloaded_us) {
        char when[MM_LOCALTIME_MAX], text[128];
        edge_disclosure_time_text(q->time_us, when, sizeof when);
        snprintf(text, sizeof text, "the requester downloaded the export from the hub at %s", when);
        mm_disclosure_step_t was = r->state;
        r->downloaded_us = now_us;
        if (r->state == MM_DISCLOSURE_STEP_DELIVERED)
            r->state = MM_DISCLOSURE_STEP_DOWNLOADED;
        const sel_t *sel = r->decision[0] ? &r->approved : NULL;
        step_t s = {.sel = sel, .text = text};
        err = edge_disclosure_log_step(d, r, MM_DISCLOSURE_STEP_DOWNLOADED, &s, now_us);
        if (err != MM_OK)
            r->state = was;
    }
    free(r);
    return err;
}

mm_err_t edge_disclosure_receive(edge_disclosure_t *d, const mm_city_request_t *q, int64_t now_us)
{
    mm_err_t err;
    if (q->kind == MM_REQUEST_KIND_DISCLOSURE)
        err = receipt(d, q, now_us);
    else if (q->kind == MM_REQUEST_KIND_DISCLOSURE_DOWNLOADED)
        err = downloaded(d, q, now_us);
    else
        return MM_EINVAL;
    if (err != MM_OK && err != MM_ENOTFOUND)
        d->catch_up = 1;
    return err;
}
