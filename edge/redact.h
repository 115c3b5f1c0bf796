/*
 * redact.h: masking everyone but the requester in a clip disclosed on an own-images request
 * (R-N8: "other people in the frame are masked in the export").
 *
 * The site manager marks the requester as one or more rectangles (regions) of the frame. Every
 * pixel outside their union is blurred so strongly that nothing in it can be read or recognised;
 * the pixels inside are kept. This is the only place where footage is re-encoded: the result is
 * an H.264 MP4 written by libx264, with the same picture size and the same frame times as the
 * clip it came from. Its frames are therefore not the ones recorded, and their content hash is
 * not the one in the site log.
 *
 * Regions are fractions of the frame so that they do not depend on the resolution. In pixels
 * they are rounded inwards to even coordinates (4:2:0 chroma covers pixels in pairs), so a kept
 * rectangle can only lose a pixel of the requester at its edges, never show one of someone else.
 *
 * The functions are synchronous, keep no state between calls and may run on any thread;
 * edge_redact_mp4 decodes and encodes the whole clip, which takes seconds to minutes on the
 * calling thread (libav adds its own worker threads).
 */
#ifndef EDGE_REDACT_H
#define EDGE_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The most regions one clip may keep. */
#define EDGE_REDACT_MAX_REGIONS 32

/* A rectangle in fractions of the frame: 0 <= x, y; 0 < w, h; x + w <= 1; y + h <= 1 (where a
 * sum may exceed 1 by 1e-9, so that decimal fractions such as 0.7 + 0.3 reach the edge). */
typedef struct {
    double x, y, w, h;
} edge_region_t;

/* What a redaction did. */
typedef struct {
    uint64_t frames_in;  /* video frames read from the input */
    uint64_t frames_out; /* frames encoded and written */
    int width, height;   /* picture size, in pixels (input and output alike) */
    char encoder[16];    /* the encoder used: "libx264" */
} edge_redact_report_t;

/*
 * Parses a region given as "x,y,w,h": four decimal numbers (digits with an optional fraction,
 * such as "0", "0.25", ".5", "1.0"; no sign, exponent or space), separated by single commas,
 * which satisfy the constraints of edge_region_t. This is the form the control socket and the
 * hub take. Returns MM_EINVAL, with *out unchanged, for anything else.
 */
mm_err_t edge_region_parse(const char *s, edge_region_t *out);

/*
 * Reads the MP4 at in_path, which holds one H.264 or H.265 video track (as edge_footage_mp4
 * writes it), decodes every frame, blurs everything outside the union of regions[0..n) (n may
 * be 0: the whole frame is blurred), and writes the result to out_path as an MP4 with one H.264
 * track (libx264, yuv420p, CRF 23, preset veryfast, a keyframe every 2 seconds): same picture
 * size, same frames in the same display order, same presentation times. Other tracks of the
 * input are not copied. The one exception to "same frames": leading pictures of an open group
 * of pictures that refer to frames before the clip's start decode to nothing and are left out
 * (logged; frames_in - frames_out counts them).
 *
 * The file is written to out_path + ".tmp" (mode 0600: it holds the requester in clear), synced
 * and renamed over out_path; on any failure the temporary file is removed and out_path is left
 * as it was. Fills rep when not NULL; on failure frames_out is 0 (nothing was written) and the
 * rest says how far the work got.
 *
 * Errors: MM_EINVAL for a NULL or empty path, an out_path too long, regions NULL with n > 0, n
 * above EDGE_REDACT_MAX_REGIONS, or a region that breaks the constraints of edge_region_t.
 * MM_EIO when in_path cannot be opened or read (missing, unreadable), or out_path's temporary
 * file cannot be created, written, synced or renamed; MM_EFULL when the disk is full. MM_EMEDIA
 * for an input that is not an MP4 with an H.264 or H.265 track, that does not decode (damaged,
 * or its picture size or pixel format changes within the clip), that holds no frame, and for a
 * failure of the filters or of the encoder (libx264 missing, or refusing the picture size, such as
 * an odd width); each is logged with libav's own message. MM_ENOMEM when an allocation fails.
 */
mm_err_t edge_redact_mp4(const char *in_path, const char *out_path, const edge_region_t *regions,
                         size_t n, edge_redact_report_t *rep);

#endif
