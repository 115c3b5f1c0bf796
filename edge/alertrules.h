/*
 * alertrules.h: what needs the site's attention now — the alerts the console shows at once and
 * the webhook receives (alerts.h) — decided from a snapshot of the edge's state.
 *
 * This module decides; it reads no clock, no store and no socket, and logs nothing: the runner
 * (alerts.h) takes the snapshot, calls edge_alerts_decide on every tick, compares the set with
 * the one before (edge_alerts_diff) and logs and posts each change. One alert is one (kind,
 * subject) pair; while it stands its since_us and words do not change.
 *
 *   camera_down         a camera that should record has sent no frame for camera_down_seconds
 *                       (a camera the manager suspended or abolished, or one stopped for space,
 *                       is not expected to send); subject the camera, since its last frame
 *   disk_alarm          free space is below the configured minimum (the storage alarm of
 *                       storage.h, cleared when twice the minimum is free); subject "disk"
 *   hub_down            nothing from the hub for hub_down_minutes; subject "hub", since the last
 *                       acknowledgement (or the edge's start)
 *   city_request        a complaint, measure or report request from the city not yet answered
 *                       (R-N10.1, R-N12); subject its id, since it was received
 *   city_notice         a notice of the city nobody has acknowledged (R-N4.2, R-N10.2, R-N11)
 *   disclosure_waiting  a disclosure request waiting for the manager (to decide, or approve again)
 *   emergency_report    an emergency grant that has ended without its report (R-N6.3: "without
 *                       delay"); since it ended
 *   filing_returned     the city returned the filed standards and no later version is filed
 *   deadline_near       an open city request, site complaint (14 days, R-N12) or waiting disclosure
 *                       whose deadline is at most deadline_days away; since deadline - that
 *   overdue             the same, past its deadline; since the deadline
 *
 * Words: each alert carries its text in Japanese and in English, made here from the kind, the
 * subject and the numbers, and without times (the reader shows since_us in the site's zone).
 */
#ifndef EDGE_ALERTRULES_H
#define EDGE_ALERTRULES_H

#include <stddef.h>
#include <stdint.h>

#include "common/entry.h"
#include "common/enum.h"

#define EDGE_ALERT_KIND_MAP(X, P)                                                                  \
    X(P, CAMERA_DOWN, "camera_down")                                                               \
    X(P, DISK_ALARM, "disk_alarm")                                                                 \
    X(P, HUB_DOWN, "hub_down")                                                                     \
    X(P, CITY_REQUEST, "city_request")                                                             \
    X(P, CITY_NOTICE, "city_notice")                                                               \
    X(P, DISCLOSURE_WAITING, "disclosure_waiting")                                                 \
    X(P, EMERGENCY_REPORT, "emergency_report")                                                     \
    X(P, FILING_RETURNED, "filing_returned")                                                       \
    X(P, DEADLINE_NEAR, "deadline_near")                                                           \
    X(P, OVERDUE, "overdue")
MM_ENUM_DECLARE(edge_alert_kind, EDGE_ALERT, EDGE_ALERT_KIND_MAP)

/* What is open at the site, as the snapshot found it. */
typedef enum {
    EDGE_OPEN_REQUEST = 0, /* a city request not answered; what: its kind ("complaint", ...) */
    EDGE_OPEN_NOTICE,      /* a city notice not acknowledged; what: its kind */
    EDGE_OPEN_COMPLAINT,   /* a complaint received at the site, not closed */
    EDGE_OPEN_DISCLOSURE,  /* a disclosure request waiting for the manager */
    EDGE_OPEN_GRANT,       /* an emergency grant whose report is open; since: when it ends */
    EDGE_OPEN_FILING,      /* the city's return of filed standards; what: the version */
} edge_open_kind_t;

#define EDGE_ALERT_TEXT_MAX 512
#define EDGE_ALERT_ITEMS_MAX 256 /* open items a snapshot holds; more are not looked at */
#define EDGE_ALERT_CAMERAS_MAX 64

typedef struct {
    char id[MM_ID_MAX];
    int watched;     /* 1: it should be recording; 0: suspended, abolished or stopped for space */
    int64_t seen_us; /* its last frame, or when the edge began to watch it (start, resume) */
} edge_alert_camera_t;

typedef struct {
    edge_open_kind_t kind;
    char id[MM_ID_MAX];
    char what[MM_ID_MAX]; /* the request's or notice's kind, the filing's version; "" none */
    int64_t since_us;     /* received; a grant: when it ends (until_us) */
    int64_t deadline_us;  /* 0: none */
} edge_open_item_t;

/* A snapshot of the edge's state, with the thresholds of the configuration ("alerts"). */
typedef struct {
    int64_t now_us;
    int camera_down_seconds, hub_down_minutes, deadline_days;
    size_t n_cameras;
    edge_alert_camera_t cameras[EDGE_ALERT_CAMERAS_MAX];
    int disk_alarm; /* storage.h's alarm stands */
    int64_t disk_since_us;
    uint64_t free_mb, min_free_mb;
    int64_t hub_seen_us; /* the hub's last acknowledgement, or the edge's start */
    size_t n_items;
    edge_open_item_t items[EDGE_ALERT_ITEMS_MAX];
} edge_alert_state_t;

typedef struct {
    edge_alert_kind_t kind;
    char subject[MM_ID_MAX];
    int64_t since_us;
    int64_t deadline_us; /* deadline_near, overdue; else 0 */
    char text_ja[EDGE_ALERT_TEXT_MAX];
    char text_en[EDGE_ALERT_TEXT_MAX];
} edge_alert_t;

/*
 * The alerts of state s into out[0..cap), in order of kind then subject. Returns how many there
 * are (more than cap when out was too small: the first cap are written).
 */
size_t edge_alerts_decide(const edge_alert_state_t *s, edge_alert_t *out, size_t cap);

/* Whether a and b are the same alert (kind and subject). */
int edge_alert_same(const edge_alert_t *a, const edge_alert_t *b);

/*
 * What changed from prev[0..np) to cur[0..nc) (both as edge_alerts_decide orders them):
 * changed(arg, alert, raised) for each alert of cur not in prev (raised 1) and each of prev not
 * in cur (raised 0), cleared ones first. Returns how many changes.
 */
size_t edge_alerts_diff(const edge_alert_t *prev, size_t np, const edge_alert_t *cur, size_t nc,
                        void (*changed)(void *arg, const edge_alert_t *a, int raised), void *arg);

#endif
