/*
 * ingest.h: recording cameras — one thread per camera, libavformat in, segment files out.
 *
 * Each thread reads its camera over RTSP/TCP without transcoding, with a socket timeout, a read
 * deadline and an interrupt callback (so stopping never waits on the network), reconnects with
 * capped exponential backoff (0.5 s doubling to 10 s), and cuts a new segment at the first
 * keyframe after the target length. Frame times are the wall clock at receipt. A finished
 * segment is handed to the libuv loop thread (uv_async_send), where the owner's callback runs.
 */
#ifndef EDGE_INGEST_H
#define EDGE_INGEST_H

#include <stddef.h>
#include <uv.h>

#include "err.h"
#include "segment.h"

typedef struct {
    const char *id;         /* camera id */
    const char *url;        /* rtsp://... */
    const char *dir;        /* where its segment files go (exists) */
    int segment_seconds;    /* target length */
} edge_camera_conf_t;

/* Called on the loop thread for every finished segment. */
typedef void (*edge_ingest_cb)(const edge_segment_info_t *info, void *arg);

typedef struct edge_ingest edge_ingest_t;

/* Prepares recording of n cameras (the configuration is copied). Nothing starts yet. */
mm_err_t edge_ingest_create(uv_loop_t *loop, const edge_camera_conf_t *cams, size_t n,
                            edge_ingest_cb cb, void *arg, edge_ingest_t **out);

/* Starts one thread per camera. */
mm_err_t edge_ingest_start(edge_ingest_t *in);

/*
 * On the loop thread: stops every thread (they finish their open segments), delivers every
 * segment not yet delivered to the callback, and closes the loop handle. Call once.
 */
void edge_ingest_stop(edge_ingest_t *in);

/* Frees in after the loop has run its close callbacks. Accepts NULL. */
void edge_ingest_destroy(edge_ingest_t *in);

#endif
