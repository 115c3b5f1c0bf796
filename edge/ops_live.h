/*
 * ops_live.h: watching a camera live on the site console, as ops decides and logs it (ops.h).
 *
 * The console asks edge_ops_live_open as the person logged in: decided by edge_access_decide for
 * EDGE_ACT_LIVE exactly as the control socket decides (an operator; the manager is no operator,
 * R-N6.1; an emergency holder only under a grant that allows live, R-N6.2), for a camera that
 * records (neither suspended nor abolished), with a purpose the site declared or another under a
 * basis the policy admits (purpose.h; Kawaguchi 第2の2(5), Naha 第7条第4号). The call is one
 * access entry, allowed or refused, and a watch that starts is a `viewing` entry "started"
 * (player "@live", speed 1, start_us its start) and, when it ends, one "ended" with its range,
 * the bytes sent and why it ended, which names the frames shown (Naha 第2条第3号: displayed
 * images are personal information handled).
 *
 * While it runs the console asks edge_ops_live_still (five times a second): the right ends when
 * the operator role is revoked (R-N7.2), the grant revoked or expired (R-N6.2), or the camera
 * suspended or abolished. The control socket's `live` is refused: live video goes to the console.
 */
#ifndef EDGE_OPS_LIVE_H
#define EDGE_OPS_LIVE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/legalbasis.h"
#include "edge/ops.h"

#define EDGE_LIVE_PLAYER "@live" /* the viewing entries' player for live view */

typedef struct edge_live_right edge_live_right_t;

/*
 * person watches camera live for purpose under basis (MM_LEGAL_BASIS_NONE: none): the right,
 * logged; or NULL with *refusal the control socket's answer ({"ok": false, "code", "error"}; the
 * caller owns it).
 */
edge_live_right_t *edge_ops_live_open(edge_ops_t *ops, const char *person, const char *camera,
                                      const char *purpose, mm_legal_basis_t basis,
                                      json_t **refusal);
/* Whether the right holds now: 1, or 0 with why it ended in why (cap bytes). */
int edge_ops_live_still(edge_ops_t *ops, const edge_live_right_t *r, char *why, size_t cap);
/* The watch's session id, purpose as recorded, camera index, and whether the purpose is another. */
const char *edge_ops_live_session(const edge_live_right_t *r);
const char *edge_ops_live_purpose(const edge_live_right_t *r);
int edge_ops_live_camera(const edge_live_right_t *r);
/* Logs the watch's end (why it ended, the bytes and frames sent) and frees r. */
void edge_ops_live_close(edge_ops_t *ops, edge_live_right_t *r, const char *why, uint64_t bytes,
                         uint64_t frames);
/* The recorder, for the live view's tap (ingest.h); NULL before recording starts. */
edge_ingest_t *edge_ops_ingest(edge_ops_t *ops);

#endif
