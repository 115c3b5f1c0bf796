/*
 * ratelimit.h: how often one client may do something that anyone may do without an account (a
 * resident's complaint online, R-N12): at most limit times in a window of window_us per client,
 * counted in a table of a fixed number of slots, so that no flood of clients makes it grow.
 *
 * A client is its address: an IPv4 address whole, an IPv6 address by its /64 prefix (what one
 * subscriber is usually given, so that a single line cannot pick a new address for each try).
 * A client's window starts at its first use and ends window_us later; its uses in it are counted.
 * When every slot holds a window still running, the one that began longest ago gives way: a
 * client flooding from many addresses frees the others' slots faster, but each of its addresses
 * still gets no more than limit uses. The hub runs behind no proxy of its own; one that forwards
 * for everybody makes them all one client.
 *
 * A table belongs to the loop thread; nothing here is locked.
 */
#ifndef HUB_RATELIMIT_H
#define HUB_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define HUB_RATELIMIT_KEY_MAX 64 /* a client's key, with its NUL (an IPv6 prefix's text fits) */

typedef struct hub_ratelimit hub_ratelimit_t;

/* A table of slots clients (at least 1), limit uses (at least 1) per window_us (more than 0).
 * MM_EINVAL, MM_ENOMEM. */
mm_err_t hub_ratelimit_create(size_t slots, unsigned limit, int64_t window_us,
                              hub_ratelimit_t **out);
/* Accepts NULL. */
void hub_ratelimit_destroy(hub_ratelimit_t *r);

/* The client key of a numeric address (as inet_ntop writes it; an IPv4-mapped IPv6 address is
 * its IPv4 address) into key: 0, or -1 when addr is no address. */
int hub_ratelimit_key(const char *addr, char key[HUB_RATELIMIT_KEY_MAX]);

/*
 * One use by the client key at now_us: 0 when it may (the use is counted), else how many
 * microseconds until it may again (more than 0; nothing counted).
 */
int64_t hub_ratelimit_take(hub_ratelimit_t *r, const char *key, int64_t now_us);

#endif
