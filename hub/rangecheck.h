/*
 * rangecheck.h: whether the range a request names can hold footage at all, before anything is
 * filed, forwarded or held (R-K2.2.6b, R-N7.4, R-N7.5).
 *
 * A request names microseconds since the epoch. People write seconds or milliseconds by mistake,
 * and a range the site cannot have is otherwise found out only when the manager approves it,
 * days later. So the hub refuses, with a code and a message that says why:
 *
 *   "range_in_seconds", "range_in_milliseconds"  a time that, read as microseconds, falls before
 *       2000 but, read as seconds or milliseconds, falls between 2000 and a year from now (no
 *       camera of mimamori's records before 2000, so nothing is refused that could be meant);
 *   "before_first_recording"  a range that ends at or before the site's first recording (the
 *       start of its first segment_recorded entry, from its verified log);
 *   "outside_retention"  a range that ends at or before now minus the site's registered
 *       retention (what the site may still keep) unless a hold — the manager's site hold or a
 *       disclosure's — keeps some of it on one of the request's cameras.
 *
 * Each check applies only when the hub knows what it needs (a first recording, a registered
 * retention): what the hub does not know it does not refuse on. The function is pure: the caller
 * gathers what the site's record and the disclosures say (disclosure.c).
 */
#ifndef HUB_RANGECHECK_H
#define HUB_RANGECHECK_H

#include <stddef.h>
#include <stdint.h>

/* Footage a hold keeps: camera's in [from_us, to_us). */
typedef struct {
    const char *camera;
    int64_t from_us, to_us;
} hub_held_range_t;

/* What the hub knows of the footage a site has. */
typedef struct {
    int64_t first_us;   /* the start of its first recording; 0: not known */
    int retention_days; /* its registered retention; 0: not known */
    const hub_held_range_t *held;
    size_t n_held;
} hub_site_footage_t;

/* Why a range was refused. */
typedef struct {
    const char *code; /* one of the codes above */
    char message[512];
} hub_range_why_t;

/* 1000000 when us, meant as microseconds, looks like seconds; 1000 when like milliseconds; 0
 * when not (at now_us). */
int64_t hub_range_unit(int64_t us, int64_t now_us);

/* Whether from_us and to_us look like microseconds: 0, or -1 with why ("range_in_seconds" or
 * "range_in_milliseconds", naming the field, its value and what it would be as microseconds). */
int hub_range_check_units(int64_t from_us, int64_t to_us, int64_t now_us, hub_range_why_t *why);

/*
 * Whether [from_us, to_us) on cameras[0 .. n_cameras) of a site with footage f can be asked for
 * at now_us: hub_range_check_units, then the first recording, then retention and holds. 0, or
 * -1 with why. The range is taken as running forwards and ended (the caller checks that).
 */
int hub_range_check(int64_t from_us, int64_t to_us, const char *const *cameras, size_t n_cameras,
                    const hub_site_footage_t *f, int64_t now_us, hub_range_why_t *why);

#endif
