/*
 * zap.h: who may talk to the hub. A ZeroMQ ZAP handler (RFC 27) on the hub's loop that lets in
 * a CURVE client only when its public key belongs to a configured site, and names it by that
 * site's id (User-Id), which the hub then reads from every message. Anyone else is refused and
 * recorded as an unknown_peer finding. With CURVE's encryption this is the uplink's part of
 * R-N7.7: encrypted in transit, between authenticated peers.
 */
#ifndef HUB_ZAP_H
#define HUB_ZAP_H

#include <uv.h>

#include "common/err.h"
#include "hub/findings.h"
#include "hub/hubconf.h"

typedef struct hub_zap hub_zap_t;

/* Binds inproc://zeromq.zap.01 in zctx; must run before any CURVE server socket binds. */
mm_err_t hub_zap_create(uv_loop_t *loop, void *zctx, const hub_config_t *cfg,
                        hub_findings_t *findings, hub_zap_t **out);
void hub_zap_close(hub_zap_t *z, void (*done)(void *arg), void *arg);

#endif
