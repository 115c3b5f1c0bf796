/*
 * frametime.c: frame times from stream timestamps bounded by the monotonic clock (frametime.h).
 */
#include "edge/frametime.h"

#include <string.h>

#define BACK_STEP_US 1000000LL /* timestamps going back more than this are a reset */

void edge_frametime_reset(edge_frametime_t *t)
{
    uint64_t reanchors = t->reanchors;
    memset(t, 0, sizeof *t);
    t->reanchors = reanchors;
}

static void anchor(edge_frametime_t *t, int64_t ts, uint32_t rate, int64_t mono)
{
    if (t->anchored)
        t->reanchors++;
    t->anchored = 1;
    t->ts0 = ts;
    t->rate = rate;
    t->mono0 = mono;
    t->window_start = mono;
    t->window_lag = 0;
}

/* The stream's time of ts on the anchor, in µs; overflow-safe for any 64-bit difference that a
 * day of 90 kHz ticks (or far more) makes. */
static int64_t on_anchor(const edge_frametime_t *t, int64_t ts)
{
    int64_t d = ts - t->ts0;
    int64_t whole = d / (int64_t)t->rate, part = d % (int64_t)t->rate;
    return t->mono0 + whole * 1000000 + part * 1000000 / (int64_t)t->rate;
}

/* Drift: once per window, a least delay above the slack moves the anchor forward by it. */
static void take_up(edge_frametime_t *t, int64_t time, int64_t mono)
{
    int64_t lag = mono - time;
    if (mono - t->window_start < EDGE_FRAMETIME_WINDOW_US) {
        if (lag < t->window_lag)
            t->window_lag = lag;
        return;
    }
    if (t->window_lag > EDGE_FRAMETIME_SLACK_US)
        t->mono0 += t->window_lag;
    t->window_start = mono;
    t->window_lag = lag;
}

int64_t edge_frametime_at(edge_frametime_t *t, int64_t ts, uint32_t rate, int64_t mono)
{
    int64_t time;
    if (rate == 0) {
        time = mono;
    } else if (!t->anchored || rate != t->rate) {
        anchor(t, ts, rate, mono);
        time = mono;
    } else {
        int64_t step = ts - t->last_ts;
        time = on_anchor(t, ts);
        int back = step < 0 && -step >= (int64_t)rate * BACK_STEP_US / 1000000;
        if (back || time > mono || mono - time > EDGE_FRAMETIME_MAX_LAG_US) {
            anchor(t, ts, rate, mono);
            time = mono;
        } else {
            take_up(t, time, mono);
            time = on_anchor(t, ts);
        }
    }
    if (time < t->last)
        time = t->last;
    t->last_ts = ts;
    t->last = time;
    return time;
}
