/*
 * finding.c: a finding as a value (findings.h) — its evidence, its history, lists of findings.
 *
 * The store (findings.c) keeps findings, the rules (rules.c) make them and the codec
 * (findings_codec.c) turns them into text and back; what they all hold is this one value. Its
 * evidence is a short list of named facts rather than a struct of its own per kind, because the
 * facts differ with every kind of finding and the city reads them, not the code: each is a
 * number, a text or a list of numbers, in the order given. The texts and the history are the
 * only memory a finding owns.
 */
#include "hub/findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MM_ENUM_DEFINE(hub_severity, HUB_SEVERITY, HUB_SEVERITY_MAP, "severity")

/* --- evidence ------------------------------------------------------------------------------- */

static hub_evidence_item_t *item_add(hub_evidence_t *ev, const char *name, hub_evidence_type_t type)
{
    if (ev->n >= HUB_EVIDENCE_MAX)
        return NULL;
    hub_evidence_item_t *it = &ev->item[ev->n];
    memset(it, 0, sizeof *it);
    size_t len = strlen(name);
    if (len >= sizeof it->name)
        len = sizeof it->name - 1;
    memcpy(it->name, name, len);
    it->type = type;
    return it;
}

mm_err_t hub_evidence_int(hub_evidence_t *ev, const char *name, int64_t v)
{
    hub_evidence_item_t *it = item_add(ev, name, HUB_EVIDENCE_INT);
    if (!it)
        return MM_ERANGE;
    it->i = v;
    ev->n++;
    return MM_OK;
}

mm_err_t hub_evidence_text(hub_evidence_t *ev, const char *name, const char *text)
{
    hub_evidence_item_t *it = item_add(ev, name, HUB_EVIDENCE_TEXT);
    if (!it)
        return MM_ERANGE;
    if (!(it->text = strdup(text ? text : "")))
        return MM_ENOMEM;
    ev->n++;
    return MM_OK;
}

mm_err_t hub_evidence_ints(hub_evidence_t *ev, const char *name, size_t n, const int64_t *v)
{
    hub_evidence_item_t *it =
        n <= HUB_EVIDENCE_INTS_MAX ? item_add(ev, name, HUB_EVIDENCE_INTS) : NULL;
    if (!it)
        return MM_ERANGE;
    it->n_ints = n;
    if (n)
        memcpy(it->ints, v, n * sizeof *v);
    ev->n++;
    return MM_OK;
}

const hub_evidence_item_t *hub_evidence_get(const hub_evidence_t *ev, const char *name)
{
    for (size_t i = 0; i < ev->n; i++)
        if (!strcmp(ev->item[i].name, name))
            return &ev->item[i];
    return NULL;
}

static int item_equal(const hub_evidence_item_t *a, const hub_evidence_item_t *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case HUB_EVIDENCE_INT:
        return a->i == b->i;
    case HUB_EVIDENCE_TEXT:
        return !strcmp(a->text, b->text);
    case HUB_EVIDENCE_INTS:
        return a->n_ints == b->n_ints && !memcmp(a->ints, b->ints, a->n_ints * sizeof *a->ints);
    }
    return 0;
}

int hub_evidence_equal(const hub_evidence_t *a, const hub_evidence_t *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const hub_evidence_item_t *other = hub_evidence_get(b, a->item[i].name);
        if (!other || !item_equal(&a->item[i], other))
            return 0;
    }
    return 1;
}

mm_err_t hub_evidence_copy(hub_evidence_t *dst, const hub_evidence_t *src)
{
    hub_evidence_deinit(dst);
    for (size_t i = 0; i < src->n; i++) {
        dst->item[i] = src->item[i];
        dst->item[i].text = NULL;
        if (src->item[i].text && !(dst->item[i].text = strdup(src->item[i].text))) {
            dst->n = i;
            hub_evidence_deinit(dst);
            return MM_ENOMEM;
        }
    }
    dst->n = src->n;
    return MM_OK;
}

void hub_evidence_deinit(hub_evidence_t *ev)
{
    for (size_t i = 0; i < ev->n; i++)
        free(ev->item[i].text);
    ev->n = 0;
}

/* --- a finding ------------------------------------------------------------------------------ */

void hub_finding_init(hub_finding_t *f)
{
    memset(f, 0, sizeof *f);
}

void hub_finding_deinit(hub_finding_t *f)
{
    hub_evidence_deinit(&f->evidence);
    free(f->history);
    memset(f, 0, sizeof *f);
}

mm_err_t hub_finding_step(hub_finding_t *f, hub_finding_state_t state, const char *at)
{
    hub_finding_step_t *h = realloc(f->history, (f->n_history + 1) * sizeof *h);
    if (!h)
        return MM_ENOMEM;
    f->history = h;
    h = &h[f->n_history++];
    memset(h, 0, sizeof *h);
    h->state = state;
    snprintf(h->at, sizeof h->at, "%s", at);
    f->state = state;
    return MM_OK;
}

/* --- lists ---------------------------------------------------------------------------------- */

void hub_finding_list_init(hub_finding_list_t *l)
{
    memset(l, 0, sizeof *l);
}

void hub_finding_list_deinit(hub_finding_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        hub_finding_deinit(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

hub_finding_t *hub_finding_list_add(hub_finding_list_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        hub_finding_t *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return NULL;
        l->items = items;
        l->cap = cap;
    }
    hub_finding_t *f = &l->items[l->n++];
    hub_finding_init(f);
    return f;
}
