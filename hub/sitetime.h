/*
 * sitetime.h: the hour and the day of an instant in a site's time zone, at the hub.
 *
 * The hub serves sites that may name different zones (site_facts.timezone), so it cannot make
 * one of them its own the way a site's processes do (common/timefmt.h mm_tz_use): it asks the C
 * library in the site's zone for the one call and puts its own zone back. Japan's zone, which
 * nearly every site names, is UTC+9 all year and needs no lookup.
 */
#ifndef HUB_SITETIME_H
#define HUB_SITETIME_H

#include <stdint.h>

/* The hour (0..23) and the day ("YYYY-MM-DD") that us falls on in zone: an IANA name of the
 * system's database (common/timefmt.h mm_tz_check); "", NULL or a name it refuses is Asia/Tokyo,
 * as a site that has not said. Not thread-safe (it sets TZ for the call): the hub's loop only. */
void hub_sitetime(const char *zone, int64_t us, int *hour, char day[11]);

#endif
