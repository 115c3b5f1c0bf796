/*
 * timefmt.c: RFC 3339 instants and days in Japan (see timefmt.h).
 *
 * gmtime_r and timegm do the calendar; Japan's days are UTC's shifted by nine hours. Instants
 * before 1970 round towards the earlier second, so that a negative time never prints the
 * following second.
 */
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The whole second at or before us. */
static time_t seconds(int64_t us)
{
    return (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
}

static void utc(time_t t, struct tm *tm)
{
    if (!gmtime_r(&t, tm))
        memset(tm, 0, sizeof *tm);
}

void mm_time_rfc3339(int64_t us, char out[MM_RFC3339_MAX])
{
    struct tm tm;
    utc(seconds(us), &tm);
    strftime(out, MM_RFC3339_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void mm_time_rfc3339_us(int64_t us, char out[MM_RFC3339_MAX])
{
    time_t s = seconds(us);
    struct tm tm;
    utc(s, &tm);
    size_t n = strftime(out, MM_RFC3339_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, MM_RFC3339_MAX - n, ".%06lldZ", (long long)(us - (int64_t)s * 1000000));
}

void mm_jst_time(int64_t us, char out[MM_RFC3339_MAX])
{
    struct tm tm;
    utc(seconds(us) + MM_JST_OFFSET_S, &tm);
    strftime(out, MM_RFC3339_MAX, "%Y-%m-%d %H:%M:%S", &tm);
}

void mm_jst_day(int64_t us, char out[11])
{
    struct tm tm;
    utc(seconds(us) + MM_JST_OFFSET_S, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int mm_jst_date_us(const char *ymd, int64_t *out)
{
    struct tm tm = {0};
    int n = 0;
    if (!ymd || strlen(ymd) != 10 ||
        sscanf(ymd, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10 ||
        tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = ((int64_t)timegm(&tm) - MM_JST_OFFSET_S) * 1000000;
    return 0;
}

int64_t mm_jst_add_months(int64_t us, int months)
{
    time_t s = seconds(us);
    struct tm tm;
    utc(s + MM_JST_OFFSET_S, &tm);
    tm.tm_mon += months;
    return ((int64_t)timegm(&tm) - MM_JST_OFFSET_S) * 1000000 + (us - (int64_t)s * 1000000);
}
