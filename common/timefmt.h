/*
 * timefmt.h: instants written for people and for the API, and days in Japan.
 *
 * Every instant inside mimamori is microseconds since the Unix epoch (clock.h). The API writes
 * them as RFC 3339 in UTC; days that the ordinances count (a camera's recording day, a deadline,
 * an ordinance's effective date) are days in Japan, which is UTC+9 all year (no daylight saving).
 * One module does both, so that no file keeps its own copy of the offset or the format.
 */
#ifndef MM_TIMEFMT_H
#define MM_TIMEFMT_H

#include <stdint.h>

#define MM_JST_OFFSET_S (9 * 3600) /* Japan Standard Time: UTC+9, all year */
#define MM_RFC3339_MAX 40          /* room for either form below, with its NUL */

/* us as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, rounded down) into out. */
void mm_time_rfc3339(int64_t us, char out[MM_RFC3339_MAX]);

/* us as "YYYY-MM-DDTHH:MM:SS.ffffffZ", to the microsecond. */
void mm_time_rfc3339_us(int64_t us, char out[MM_RFC3339_MAX]);

/* us as Japan time for people, "YYYY-MM-DD HH:MM:SS" (whole seconds, rounded down). */
void mm_jst_time(int64_t us, char out[MM_RFC3339_MAX]);

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

#endif
