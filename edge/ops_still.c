/*
 * ops_still.c: `still` (ops_impl.h, still.h) — the keyframe of a camera at or before a time, as a
 * JPEG, for the manager and operators: the site console draws an own-images disclosure's regions
 * to keep on it (R-N8). The call is one access entry with the camera and the time asked for
 * (start_us), as every call is. The answer carries the image in base64 with its size and the
 * keyframe's own time; decoding one picture on the loop takes tens of milliseconds, a person's
 * click, as a password's hash does.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/crypto.h"
#include "edge/ops_impl.h"
#include "edge/still.h"

void edge_ops_do_still(edge_ops_call_t *c)
{
    const edge_request_t *r = c->r;
    edge_still_t st;
    char msg[MM_TEXT_MAX];
    mm_err_t err = edge_still_jpeg(c->ops->vault, r->camera, r->from_us, &st, msg, sizeof msg);
    if (err != MM_OK) {
        edge_ops_refuse(c, err == MM_EERASED ? "not_found" : edge_ops_err_code(err), "%s", msg);
        return;
    }
    size_t cap = mm_base64_encoded_len(st.len) + 1;
    char *b64 = malloc(cap);
    if (!b64 || mm_base64_encode(st.data, st.len, b64, cap) < 0) {
        free(b64);
        free(st.data);
        edge_ops_refuse(c, "internal", "out of memory");
        return;
    }
    json_t *res =
        json_pack("{s:s, s:I, s:I, s:i, s:i, s:s, s:s, s:s}", "camera", r->camera, "at_us",
                  (json_int_t)r->from_us, "time_us", (json_int_t)st.time_us, "width", st.width,
                  "height", st.height, "codec", st.codec, "type", "image/jpeg", "jpeg", b64);
    free(b64);
    free(st.data);
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "still frame of %dx%d", st.width, st.height);
    edge_ops_answer(c, res, note);
}
