/*
 * ratelimit.c: uses per client in a window, in a fixed table (see ratelimit.h).
 *
 * The table is searched whole on each use: it is for requests a person makes by hand (a
 * complaint), some thousands of slots at most, where a walk costs microseconds. A slot whose
 * window has ended is as good as free.
 */
#include "hub/ratelimit.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char key[HUB_RATELIMIT_KEY_MAX]; /* "" when free */
    int64_t start_us;
    unsigned used;
} slot_t;

struct hub_ratelimit {
    unsigned limit;
    int64_t window_us;
    size_t n;
    slot_t slots[];
};

mm_err_t hub_ratelimit_create(size_t slots, unsigned limit, int64_t window_us,
                              hub_ratelimit_t **out)
{
    *out = NULL;
    if (!slots || !limit || window_us <= 0 ||
        slots > (SIZE_MAX - sizeof(hub_ratelimit_t)) / sizeof(slot_t))
        return MM_EINVAL;
    hub_ratelimit_t *r = calloc(1, sizeof *r + slots * sizeof(slot_t));
    if (!r)
        return MM_ENOMEM;
    r->limit = limit;
    r->window_us = window_us;
    r->n = slots;
    *out = r;
    return MM_OK;
}

void hub_ratelimit_destroy(hub_ratelimit_t *r)
{
    free(r);
}

int hub_ratelimit_key(const char *addr, char key[HUB_RATELIMIT_KEY_MAX])
{
    unsigned char b[16];
    if (addr && inet_pton(AF_INET, addr, b) == 1) {
        snprintf(key, HUB_RATELIMIT_KEY_MAX, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return 0;
    }
    if (!addr || inet_pton(AF_INET6, addr, b) != 1)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(b, mapped, sizeof mapped)) {
        snprintf(key, HUB_RATELIMIT_KEY_MAX, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
        return 0;
    }
    memset(b + 8, 0, 8); /* the /64 */
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, b, text, sizeof text))
        return -1;
    snprintf(key, HUB_RATELIMIT_KEY_MAX, "%s/64", text);
    return 0;
}

/* Whether s is free, or its window has ended (or began after now: the clock went back). */
static int ended(const hub_ratelimit_t *r, const slot_t *s, int64_t now_us)
{
    return !s->key[0] || now_us - s->start_us >= r->window_us || now_us < s->start_us;
}

int64_t hub_ratelimit_take(hub_ratelimit_t *r, const char *key, int64_t now_us)
{
    /* The client's slot; else a free or ended one; else the one whose window began first. */
    slot_t *mine = NULL, *spare = NULL;
    for (size_t i = 0; i < r->n && !mine; i++) {
        slot_t *s = &r->slots[i];
        if (s->key[0] && !strncmp(s->key, key, sizeof s->key))
            mine = s;
        else if (ended(r, s, now_us)
                     ? !spare || !ended(r, spare, now_us)
                     : !spare || (!ended(r, spare, now_us) && s->start_us < spare->start_us))
            spare = s;
    }
    if (!mine && !spare)
        return r->window_us; /* no slot at all: cannot be (create takes one at least) */
    if (!mine) {
        mine = spare;
        snprintf(mine->key, sizeof mine->key, "%s", key);
        mine->used = 0;
    } else if (ended(r, mine, now_us)) {
        mine->used = 0;
    }
    if (!mine->used)
        mine->start_us = now_us;
    if (mine->used >= r->limit)
        return mine->start_us + r->window_us - now_us;
    mine->used++;
    return 0;
}
