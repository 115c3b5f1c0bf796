/*
 * refusals.h: refusals to accounts the site does not know, counted rather than each logged.
 *
 * Any account that may reach the control socket can send requests as fast as it likes; every one
 * from an account that is none of the site's people is refused. Logging each as its own access
 * entry would let such an account fill the site log (300 requests, 300 entries, 0.6 s). So the
 * first refusal in an account's minute is logged at once, as before, and those after it in the
 * same minute are counted: when the minute is over, one access entry carries their number
 * (access.count) with the last one's action and reason. Refusals to the site's own people are
 * still logged one by one (they are accountable, and there are few of them).
 *
 * Policy only, as access.h: the caller appends the entries. No locks; one loop.
 */
#ifndef EDGE_REFUSALS_H
#define EDGE_REFUSALS_H

#include <stdint.h>
#include <sys/types.h>

#include "common/entry.h"

#define EDGE_REFUSALS_WINDOW_US (60LL * 1000000) /* one entry per account per minute */
#define EDGE_REFUSALS_ACCOUNTS 64 /* accounts counted at once; more are logged one by one */

/* What one account's minute adds up to, for its entry. */
typedef struct {
    uid_t uid;
    char account[40];
    char action[32];
    char reason[MM_TEXT_MAX];
    int64_t since_us; /* the minute's start: its first, logged, refusal */
    uint32_t count;   /* refusals after the first, not yet logged */
} edge_refusal_t;

typedef struct {
    edge_refusal_t slot[EDGE_REFUSALS_ACCOUNTS];
    int used[EDGE_REFUSALS_ACCOUNTS];
} edge_refusals_t;

/*
 * A refusal to an account nobody at the site has, at now_us: 1 when it is to be logged now, as
 * its account's first in a minute (or when EDGE_REFUSALS_ACCOUNTS accounts are being counted
 * already); 0 when it was counted for the minute's entry.
 */
int edge_refusals_note(edge_refusals_t *r, uid_t uid, const char *account, const char *action,
                       const char *reason, int64_t now_us);

/*
 * One account whose minute is over at now_us (every account with all), with refusals counted:
 * fills out and returns 1, and starts the account's next minute at now_us (0 refusals); an
 * account whose minute is over with nothing counted is forgotten. 0 when there is none left.
 * Call until 0.
 */
int edge_refusals_due(edge_refusals_t *r, int64_t now_us, int all, edge_refusal_t *out);

#endif
