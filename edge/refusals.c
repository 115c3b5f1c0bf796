/*
 * refusals.c: refusals to unknown accounts, counted per account and minute (see refusals.h).
 */
#include "edge/refusals.h"

#include <stdio.h>
#include <string.h>

int edge_refusals_note(edge_refusals_t *r, uid_t uid, const char *account, const char *action,
                       const char *reason, int64_t now_us)
{
    int free_slot = -1;
    for (int i = 0; i < EDGE_REFUSALS_ACCOUNTS; i++) {
        if (!r->used[i]) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        edge_refusal_t *s = &r->slot[i];
        if (s->uid != uid)
            continue;
        if (now_us - s->since_us >= EDGE_REFUSALS_WINDOW_US && s->count == 0) {
            s->since_us = now_us; /* a new minute, nothing owed from the last: log this one */
            return 1;
        }
        s->count++;
        snprintf(s->action, sizeof s->action, "%s", action);
        snprintf(s->reason, sizeof s->reason, "%s", reason);
        return 0;
    }
    if (free_slot < 0)
        return 1;
    edge_refusal_t *s = &r->slot[free_slot];
    memset(s, 0, sizeof *s);
    r->used[free_slot] = 1;
    s->uid = uid;
    snprintf(s->account, sizeof s->account, "%s", account);
    s->since_us = now_us;
    return 1;
}

int edge_refusals_due(edge_refusals_t *r, int64_t now_us, int all, edge_refusal_t *out)
{
    for (int i = 0; i < EDGE_REFUSALS_ACCOUNTS; i++) {
        edge_refusal_t *s = &r->slot[i];
        if (!r->used[i] || (!all && now_us - s->since_us < EDGE_REFUSALS_WINDOW_US))
            continue;
        if (s->count == 0) {
            r->used[i] = 0;
            continue;
        }
        *out = *s;
        s->count = 0;
        s->since_us = now_us;
        return 1;
    }
    return 0;
}
