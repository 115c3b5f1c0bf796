/*
 * rangecheck.c: whether a request's range can hold footage (see rangecheck.h).
 *
 * Seconds and milliseconds are told from microseconds by where they land: a value below
 * 2000-01-01 in microseconds (at most 9.5e14) that, scaled up by a thousand or a million, lands
 * between 2000 and a year from now was almost surely written in the smaller unit. The two windows
 * cannot both hold one value (they are a factor of a thousand apart and each spans less than
 * two), and values are divided, never multiplied, so nothing overflows.
 */
#include "hub/rangecheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/timefmt.h"

#define DAY_US (86400LL * 1000000)
#define Y2000_US (946684800LL * 1000000) /* 2000-01-01T00:00:00Z */

static int refuse(hub_range_why_t *why, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(hub_range_why_t *why, const char *code, const char *fmt, ...)
{
    why->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
    return -1;
}

int64_t hub_range_unit(int64_t us, int64_t now_us)
{
    if (us >= Y2000_US || us <= 0)
        return 0;
    int64_t latest = now_us + 366 * DAY_US;
    static const int64_t units[] = {1000000, 1000};
    for (size_t i = 0; i < 2; i++)
        if (us >= Y2000_US / units[i] && us <= latest / units[i])
            return units[i];
    return 0;
}

static int unit_of(const char *name, int64_t v, int64_t now_us, hub_range_why_t *why)
{
    int64_t unit = hub_range_unit(v, now_us);
    if (!unit)
        return 0;
    char as[MM_RFC3339_MAX];
    mm_time_rfc3339(v * unit, as);
    int s = unit == 1000000;
    return refuse(why, s ? "range_in_seconds" : "range_in_milliseconds",
                  "%s %lld looks like %s, not microseconds since the epoch: as %s it is %s, which "
                  "is %lld microseconds",
                  name, (long long)v, s ? "seconds" : "milliseconds",
                  s ? "seconds" : "milliseconds", as, (long long)(v * unit));
}

int hub_range_check_units(int64_t from_us, int64_t to_us, int64_t now_us, hub_range_why_t *why)
{
    if (unit_of("from_us", from_us, now_us, why) || unit_of("to_us", to_us, now_us, why))
        return -1;
    return 0;
}

/* Whether a hold in f keeps some of [from, to) on one of the cameras. */
static int held(const hub_site_footage_t *f, const char *const *cameras, size_t n, int64_t from,
                int64_t to)
{
    for (size_t i = 0; i < f->n_held; i++) {
        const hub_held_range_t *h = &f->held[i];
        if (h->from_us >= to || h->to_us <= from)
            continue;
        for (size_t c = 0; c < n; c++)
            if (!strcmp(h->camera, cameras[c]))
                return 1;
    }
    return 0;
}

int hub_range_check(int64_t from_us, int64_t to_us, const char *const *cameras, size_t n_cameras,
                    const hub_site_footage_t *f, int64_t now_us, hub_range_why_t *why)
{
    if (hub_range_check_units(from_us, to_us, now_us, why))
        return -1;
    char end[MM_RFC3339_MAX], at[MM_RFC3339_MAX];
    mm_time_rfc3339(to_us, end);
    if (f->first_us > 0 && to_us <= f->first_us) {
        mm_time_rfc3339(f->first_us, at);
        return refuse(why, "before_first_recording",
                      "the range ends %s, before the site's first recording (%s): the site has "
                      "no footage of it",
                      end, at);
    }
    if (f->retention_days > 0) {
        int64_t kept_from = now_us - (int64_t)f->retention_days * DAY_US;
        if (to_us <= kept_from && !held(f, cameras, n_cameras, from_us, to_us)) {
            mm_time_rfc3339(kept_from, at);
            return refuse(why, "outside_retention",
                          "the range ends %s, before anything the site still keeps: it keeps "
                          "footage %d days (its registered retention), from %s, and no hold "
                          "keeps any of the range",
                          end, f->retention_days, at);
        }
    }
    return 0;
}
