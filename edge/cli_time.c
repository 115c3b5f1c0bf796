/*
 * cli_time.c: times as a person types and reads them at the site (cli.h edge_cli_parse_time,
 * cli_impl.h): in the site's zone, which the edge names in its answers, whatever the machine's
 * zone or TZ says. A date and time the site's clock never shows (30 February, the hour skipped
 * when summer time begins) is no time; of the hour shown twice when it ends, the first is meant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"
#include "edge/cli.h"
#include "edge/cli_impl.h"

/* A date and time without "Z" is the process's local time: the site's (edge_cli_use_zone). */
int edge_cli_parse_time(const char *s, int64_t now_us, int64_t *out_us)
{
    if (!s || !*s)
        return -1;
    if (strcmp(s, "now") == 0) {
        *out_us = now_us;
        return 0;
    }
    char *end;
    if (s[0] == '-' || s[0] == '@') {
        errno = 0;
        long long v = strtoll(s + 1, &end, 10);
        if (end == s + 1 || errno || v < 0 || v > 100LL * 365 * 86400)
            return -1;
        if (s[0] == '@') {
            if (*end)
                return -1;
            *out_us = (int64_t)v * 1000000;
            return 0;
        }
        int64_t unit = !strcmp(end, "s")   ? 1
                       : !strcmp(end, "m") ? 60
                       : !strcmp(end, "h") ? 3600
                       : !strcmp(end, "d") ? 86400
                                           : 0;
        if (!unit)
            return -1;
        *out_us = now_us - (int64_t)v * unit * 1000000;
        return 0;
    }
    struct tm tm = {0};
    int y, mo, d, h, mi, sec = 0, n = 0;
    char sep;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
        (sep != ' ' && sep != 'T'))
        return -1;
    const char *rest = s + n;
    if (*rest == ':') {
        int m2 = 0;
        if (sscanf(rest, ":%2d%n", &sec, &m2) != 1)
            return -1;
        rest += m2;
    }
    int utc = 0;
    if (*rest == 'Z') {
        utc = 1;
        rest++;
    }
    if (*rest || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || y < 1970)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    time_t t = utc ? timegm(&tm) : mktime(&tm);
    /* A day the month does not have (normalised into the next), or a time the site's clock never
     * shows (skipped when summer time begins), is no time. */
    if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d ||
        tm.tm_hour != h || tm.tm_min != mi)
        return -1;
    if (!utc) {
        /* The hour that repeats when summer time ends: the first of the two, whichever mktime
         * chose (the same wall time read with the other offset is the other one). */
        struct tm other = tm;
        other.tm_year = y - 1900, other.tm_mon = mo - 1, other.tm_mday = d;
        other.tm_hour = h, other.tm_min = mi, other.tm_sec = sec;
        other.tm_isdst = !tm.tm_isdst;
        time_t t2 = mktime(&other);
        if (t2 != (time_t)-1 && t2 < t && other.tm_hour == h && other.tm_min == mi &&
            other.tm_mday == d)
            t = t2;
    }
    *out_us = (int64_t)t * 1000000;
    return 0;
}

void edge_cli_format_time(int64_t us, char buf[MM_LOCALTIME_MAX])
{
    if (us <= 0)
        snprintf(buf, MM_LOCALTIME_MAX, "-");
    else
        mm_time_local(us, buf);
}

/*
 * The zone this process shows and reads times in: the site's, as the edge's answers name it, not
 * the machine's or TZ's (timefmt.h). Until the edge has said, Asia/Tokyo; on a machine without the
 * time zone database, Japan's rule itself (UTC+9, no daylight saving), as close as can be.
 */
static char zone_used[MM_TZ_NAME_MAX];
static int zone_from_edge;

void edge_cli_use_zone(const char *name, int from_edge)
{
    if (strcmp(zone_used, name) != 0) {
        if (mm_tz_use(name) != 0) {
            if (zone_used[0])
                return;
            setenv("TZ", "JST-9", 1);
            tzset();
        }
        snprintf(zone_used, sizeof zone_used, "%s", name);
    }
    zone_from_edge |= from_edge;
}

int edge_cli_zone_from_edge(void)
{
    return zone_from_edge;
}
