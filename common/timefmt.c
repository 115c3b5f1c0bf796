/*
 * timefmt.c: RFC 3339 instants, days in Japan and a site's zone (see timefmt.h).
 *
 * gmtime_r and timegm do the calendar; Japan's days are UTC's shifted by nine hours. Instants
 * before 1970 round towards the earlier second, so that a negative time never prints the
 * following second. A site's zone is the C library's local time, with TZ set to the zone's name:
 * glibc reads the zone's TZif file itself, and silently takes UTC for a name it cannot find,
 * which is why a name is checked against the files before it is used.
 */
#include "common/timefmt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* The name's shape: parts of [A-Za-z0-9._+-], none empty or starting with '.', joined by '/'. */
static int tz_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= MM_TZ_NAME_MAX)
        return 0;
    int start = 1;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (start)
                return 0;
            start = 1;
            continue;
        }
        if (start && c == '.')
            return 0;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '+' || c == '-'))
            return 0;
        start = 0;
    }
    return !start;
}

int mm_tz_check(const char *name, char *msg, size_t cap)
{
    if (!name || !tz_name_ok(name)) {
        snprintf(msg, cap, "\"%.80s\" is not a time zone name (an IANA name such as Asia/Tokyo)",
                 name ? name : "");
        return -1;
    }
    if (!strcmp(name, "localtime") || !strcmp(name, "posixrules") || !strncmp(name, "posix/", 6) ||
        !strncmp(name, "right/", 6)) {
        snprintf(msg, cap, "\"%s\" is not a zone a site may name (an IANA name such as Asia/Tokyo)",
                 name);
        return -1;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char magic[4] = {0};
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
             memcmp(magic, "TZif", 4) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        snprintf(msg, cap, "unknown time zone \"%s\" (not in the time zone database %s)", name,
                 dir);
        return -1;
    }
    return 0;
}

int mm_tz_use(const char *name)
{
    char why[160], tz[MM_TZ_NAME_MAX + 1];
    if (mm_tz_check(name, why, sizeof why) != 0)
        return -1;
    snprintf(tz, sizeof tz, ":%s", name); /* ":" : a file of the database, never a POSIX rule */
    if (setenv("TZ", tz, 1) != 0)
        return -1;
    tzset();
    return 0;
}

void mm_time_local(int64_t us, char out[MM_LOCALTIME_MAX])
{
    time_t t = seconds(us);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    strftime(out, MM_LOCALTIME_MAX, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

void mm_local_day(int64_t us, char out[11])
{
    time_t t = seconds(us);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
