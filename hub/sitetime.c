/*
 * sitetime.c: an instant's hour and day in a site's zone (see sitetime.h).
 */
#include "hub/sitetime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"

static time_t seconds(int64_t us)
{
    return (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
}

static void from_tm(const struct tm *tm, int *hour, char day[11])
{
    *hour = tm->tm_hour;
    if (!strftime(day, 11, "%Y-%m-%d", tm))
        snprintf(day, 11, "0000-00-00"); /* a year past 9999 */
}

void hub_sitetime(const char *zone, int64_t us, int *hour, char day[11])
{
    char why[160];
    time_t t = seconds(us);
    struct tm tm;
    const char *was = getenv("TZ");
    char *saved = was ? strdup(was) : NULL;
    char tz[MM_TZ_NAME_MAX + 1];
    int local = zone && zone[0] && strcmp(zone, MM_TZ_DEFAULT) != 0 && (!was || saved) &&
                mm_tz_check(zone, why, sizeof why) == 0;
    if (local) {
        snprintf(tz, sizeof tz, ":%s", zone); /* ":" : a file of the database, no POSIX rule */
        local = setenv("TZ", tz, 1) == 0;
        tzset();
        local = local && localtime_r(&t, &tm) != NULL;
        if (saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
    }
    free(saved);
    if (!local) {
        time_t jst = t + MM_JST_OFFSET_S;
        if (!gmtime_r(&jst, &tm))
            memset(&tm, 0, sizeof tm);
    }
    from_tm(&tm, hour, day);
}
