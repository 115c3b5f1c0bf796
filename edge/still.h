/*
 * still.h: one still frame of a camera's recording, as a JPEG image — what the site console shows
 * a manager to draw an own-images disclosure's regions to keep on (R-N8), so that the rectangles
 * are marked on the picture rather than typed as fractions.
 *
 * The frame is the keyframe at or before the time asked for, in the segment recorded at that
 * time: read from its encrypted file (each chunk authenticated as it is decrypted, segment.h),
 * decoded with libavcodec's H.264 or H.265 decoder, and encoded with its MJPEG encoder at the
 * camera's own picture size. Nothing is written to disk. The caller decides who may see it and
 * logs it (ops: the "still" action).
 *
 * Synchronous; reads the store and the segment file and decodes one picture on the calling
 * thread (tens of milliseconds for a full-HD keyframe).
 */
#ifndef EDGE_STILL_H
#define EDGE_STILL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "edge/vault.h"

#define EDGE_STILL_MAX (8 * 1024 * 1024) /* the largest image made */

typedef struct {
    uint8_t *data; /* the JPEG (malloc'd; the caller frees it) */
    size_t len;
    int width, height;
    int64_t time_us; /* the keyframe's recording time */
    char codec[16];  /* the recording's codec, as its segment names it */
} edge_still_t;

/*
 * The keyframe of camera at or before at_us in the segment recorded at at_us, as a JPEG.
 * MM_ENOTFOUND when nothing was recorded at at_us (a gap, before the first or after the last
 * segment), MM_EERASED when that footage's key is gone (past retention), MM_ECORRUPT for a
 * segment that does not read back, MM_EMEDIA when it does not decode or encode (msg says why),
 * MM_EINVAL for a bad camera id, MM_ENOMEM. msg (cap bytes) says why in words a person reads.
 */
mm_err_t edge_still_jpeg(const edge_vault_t *v, const char *camera, int64_t at_us,
                         edge_still_t *out, char *msg, size_t cap);

#endif
