/*
 * ingest_own.c: a camera read by our RTSP client on the reader pool (readers.h, rtsp.h), its
 * frames handed to ingest_frame (see ingest_impl.h). The callbacks run on the camera's reader
 * thread.
 *
 * A keyframe whose parameter sets have never been seen (a camera that sends them late, or only
 * in band and not yet) cannot start a segment that a player could decode: it is taken as an
 * ordinary frame, and the segment starts at the first keyframe with them.
 */
#include <stdatomic.h>

#include "common/diag.h"
#include "common/redact.h"
#include "edge/ingest_impl.h"

static int own_frame(void *arg, const edge_rtsp_stream_t *st, const edge_rtp_frame_t *f)
{
    camera_t *c = arg;
    if (!c->in_session) {
        c->in_session = 1;
        ingest_session_begin(c);
        MM_INFO("%s: recording %s (%s %dx%d)", c->id, c->shown, st->codec, f->width, f->height);
    }
    if (f->lost)
        MM_DEBUG("%s: %u packets or frames lost before this frame", c->id, f->lost);
    int key = f->key && f->params_len > 0;
    if (f->key && !key && !c->waiting_params) {
        c->waiting_params = 1;
        MM_WARN("%s: a keyframe before any parameter sets (SPS/PPS); waiting for them", c->id);
    } else if (key) {
        c->waiting_params = 0;
    }
    ingest_frame_t fr = {.codec = st->codec,
                         .data = f->data,
                         .len = f->len,
                         .key = key,
                         .ts = f->ts,
                         .rate = f->clock_rate,
                         .pts = f->ts,
                         .extradata = f->params,
                         .extradata_len = f->params_len,
                         .width = f->width,
                         .height = f->height};
    return ingest_frame(c, &fr) != MM_OK;
}

static void own_ended(void *arg, mm_err_t err, const char *why)
{
    camera_t *c = arg;
    char reason[MM_TEXT_MAX], clean[MM_REDACT_MAX];
    (void)err;
    if (ingest_paused(c, reason, sizeof reason))
        ingest_note_break(c, reason, NULL);
    else if (!atomic_load(&c->in->stop))
        ingest_note_break(c, c->in_session ? "connection to the camera lost" : "camera unreachable",
                          mm_redact(why, clean, sizeof clean));
    /* The segment ends at the last frame written (on stop, pause or camera failure). */
    ingest_session_end(c);
    c->in_session = 0;
    c->waiting_params = 0;
}

mm_err_t ingest_own_add(edge_readers_t *r, camera_t *c)
{
    edge_reader_fns_t fns = {.frame = own_frame, .ended = own_ended};
    return edge_readers_add(r, c->id, c->url, &fns, c, &c->reader);
}
