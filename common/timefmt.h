/*
 * timefmt.h: instants written for people and for the API, days in Japan, and a site's zone.
 *
 * Every instant inside mimamori is microseconds since the Unix epoch (clock.h). The API writes
 * them as RFC 3339 in UTC; days that the ordinances count (a camera's recording day, a deadline,
 * an ordinance's effective date) are days in Japan, which is UTC+9 all year (no daylight saving).
 * One module does both, so that no file keeps its own copy of the offset or the format.
 *
 * What a person reads or types at a site is in the site's time zone (its configuration's
 * "timezone", an IANA name, Asia/Tokyo by default), never in whatever zone the machine or the
 * caller's TZ happens to name: a process that shows times to people makes the site's zone its
 * own once, at start (mm_tz_use), and then formats with mm_time_local; the C library's mktime and
 * localtime_r follow the same zone. The Japan-day helpers stay for what a rule counts in Japan.
 */
#ifndef MM_TIMEFMT_H
#define MM_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define MM_JST_OFFSET_S (9 * 3600) /* Japan Standard Time: UTC+9, all year */
#define MM_RFC3339_MAX 40          /* room for either form below, with its NUL */

/* us as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, rounded down) into out. */
void mm_time_rfc3339(int64_t us, char out[MM_RFC3339_MAX]);

/* us as "YYYY-MM-DDTHH:MM:SS.ffffffZ", to the microsecond. */
void mm_time_rfc3339_us(int64_t us, char out[MM_RFC3339_MAX]);

/* The day in Japan that us falls on, as "YYYY-MM-DD". */
void mm_jst_day(int64_t us, char out[11]);

/*
 * Midnight in Japan at the start of the day "YYYY-MM-DD" (exactly ten characters, month 1-12,
 * day 1-31) into *out. 0 on success, -1 when ymd is not such a date.
 */
int mm_jst_date_us(const char *ymd, int64_t *out);

/* The instant months calendar months after us, as Japan's calendar counts them (the 31st of a
 * shorter month carries into the next, as timegm does). */
int64_t mm_jst_add_months(int64_t us, int months);

#define MM_TZ_DEFAULT "Asia/Tokyo"
#define MM_TZ_NAME_MAX 64   /* an IANA zone name, with its NUL */
#define MM_LOCALTIME_MAX 48 /* "YYYY-MM-DD HH:MM:SS" and a zone abbreviation, with its NUL */

/*
 * Whether name is a zone of the system's time zone database (Debian's tzdata, under $TZDIR or
 * /usr/share/zoneinfo): parts of A-Z a-z 0-9 . _ + - joined by "/", none starting with ".", at
 * most MM_TZ_NAME_MAX - 1 bytes, naming a TZif file there ("Asia/Tokyo", "Europe/London",
 * "UTC"). The machine's own zone ("localtime") and the "posix/" and "right/" copies are not
 * names a site may give. 0 when it is one; -1 with why in msg (cap bytes) when not.
 */
int mm_tz_check(const char *name, char *msg, size_t cap);

/*
 * Makes name (one mm_tz_check accepts) the zone of this process's local time: TZ is set to it
 * and tzset() called, so that localtime_r, mktime and mm_time_local follow it whatever TZ the
 * process was started with. Call it before any thread starts. 0, or -1 when name is not a zone
 * of the database (nothing is changed then).
 */
int mm_tz_use(const char *name);

/* us in the process's zone (mm_tz_use) as "YYYY-MM-DD HH:MM:SS JST" (the zone's abbreviation at
 * that instant; whole seconds, rounded down). */
void mm_time_local(int64_t us, char out[MM_LOCALTIME_MAX]);

/* The day in the process's zone that us falls on, as "YYYY-MM-DD". */
void mm_local_day(int64_t us, char out[11]);

#endif
