/*
 * zap.c: the hub's ZAP handler (see zap.h).
 */
#include "hub/zap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/diag.h"
#include "common/zloop.h"

#define MAX_UNKNOWN 1024 /* distinct refused keys remembered as findings */

struct hub_zap {
    void *socket;
    mm_zsock_t *zs;
    const hub_config_t *cfg;
    hub_findings_t *findings;
    /* Distinct refused keys recorded as findings this run (at most MAX_UNKNOWN). */
    size_t n_unknown;
    uint8_t unknown[MAX_UNKNOWN][32];
    void (*done)(void *);
    void *done_arg;
};

static int part_is(zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);
    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static void reply(hub_zap_t *z, zmq_msg_t *request_id, const char *code, const char *text,
                  const char *user)
{
    const void *parts[6] = {"1.0", zmq_msg_data(request_id), code, text, user, ""};
    size_t lens[6] = {3, zmq_msg_size(request_id), strlen(code), strlen(text), strlen(user), 0};
    if (mm_zsock_send(z->zs, parts, lens, 6) != MM_OK)
        MM_ERROR("zap: cannot send the reply");
}

static void on_request(mm_zsock_t *zs, mm_zmsg_t *msg, void *arg)
{
    (void)zs;
    hub_zap_t *z = arg;
    /* version, request id, domain, address, identity, mechanism, credentials... */
    if (msg->n < 6 || !part_is(&msg->parts[0], "1.0")) {
        MM_WARN("zap: malformed request of %zu parts", msg->n);
        if (msg->n >= 2)
            reply(z, &msg->parts[1], "500", "malformed ZAP request", "");
        return;
    }
    char address[64] = "?";
    size_t al = zmq_msg_size(&msg->parts[3]);
    if (al < sizeof address) {
        memcpy(address, zmq_msg_data(&msg->parts[3]), al);
        address[al] = 0;
    }
    if (!part_is(&msg->parts[5], "CURVE") || msg->n != 7 || zmq_msg_size(&msg->parts[6]) != 32) {
        MM_WARN("zap: refusing a non-CURVE connection from %s", address);
        reply(z, &msg->parts[1], "400", "CURVE required", "");
        return;
    }
    const uint8_t *key = zmq_msg_data(&msg->parts[6]);
    const hub_site_conf_t *site = hub_config_site_by_key(z->cfg, key);
    if (site) {
        MM_DEBUG("zap: site %s connects from %s", site->id, address);
        reply(z, &msg->parts[1], "200", "OK", site->id);
        return;
    }
    char z85[MM_Z85_KEY_LEN + 1];
    zmq_z85_encode(z85, key, 32);
    MM_WARN("zap: refusing unknown key %s from %s", z85, address);
    reply(z, &msg->parts[1], "400", "unknown key", "");
    /*
     * One finding per distinct key; repeats only move its last_seen and count. Beyond
     * MAX_UNKNOWN distinct keys, new ones are only logged, so that a peer making up keys cannot
     * grow the store without bound.
     */
    int known = 0;
    for (size_t i = 0; i < z->n_unknown && !known; i++)
        known = memcmp(z->unknown[i], key, 32) == 0;
    if (!known && z->n_unknown >= MAX_UNKNOWN) {
        MM_WARN("zap: %d distinct unknown keys recorded already; not recording %s", MAX_UNKNOWN,
                z85);
        return;
    }
    hub_evidence_t ev = {0};
    hub_evidence_text(&ev, "curve_public", z85);
    hub_evidence_text(&ev, "address", address);
    if (hub_findings_raise(z->findings, "", "unknown_peer", HUB_SEVERITY_MEDIUM, z85, &ev,
                           mm_now_us(), "a peer with an unknown key tried to connect from %s",
                           address) == MM_OK &&
        !known)
        memcpy(z->unknown[z->n_unknown++], key, 32);
    hub_evidence_deinit(&ev);
}

mm_err_t hub_zap_create(uv_loop_t *loop, void *zctx, const hub_config_t *cfg,
                        hub_findings_t *findings, hub_zap_t **out)
{
    hub_zap_t *z = calloc(1, sizeof *z);
    if (!z)
        return MM_ENOMEM;
    z->cfg = cfg;
    z->findings = findings;
    z->socket = zmq_socket(zctx, ZMQ_REP);
    int linger = 0;
    if (!z->socket || zmq_setsockopt(z->socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(z->socket, "inproc://zeromq.zap.01") != 0) {
        MM_ERROR("zap: cannot bind the ZAP handler: %s", zmq_strerror(zmq_errno()));
        if (z->socket)
            zmq_close(z->socket);
        free(z);
        return MM_ENET;
    }
    mm_err_t err = mm_zsock_create(loop, z->socket, on_request, z, &z->zs);
    if (err != MM_OK) {
        zmq_close(z->socket);
        free(z);
        return err;
    }
    *out = z;
    return MM_OK;
}

static void on_closed(void *arg)
{
    hub_zap_t *z = arg;
    void (*done)(void *) = z->done;
    void *darg = z->done_arg;
    zmq_close(z->socket);
    free(z);
    if (done)
        done(darg);
}

void hub_zap_close(hub_zap_t *z, void (*done)(void *arg), void *arg)
{
    if (!z)
        return;
    z->done = done;
    z->done_arg = arg;
    mm_zsock_close(z->zs, on_closed, z);
}
