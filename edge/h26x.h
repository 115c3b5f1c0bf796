/*
 * h26x.h: the little of H.264 and H.265 bitstreams the RTP reader needs — NAL unit types
 * (parameter sets, keyframes) and a sequence parameter set's picture size.
 *
 * Pure functions over borrowed bytes; nothing is allocated. A NAL unit here is the unit without
 * any start code, its header first, emulation-prevention bytes still in (they are taken out
 * while reading).
 */
#ifndef EDGE_H26X_H
#define EDGE_H26X_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The NAL unit types the reader treats specially. */
enum {
    EDGE_H264_NAL_IDR = 5,
    EDGE_H264_NAL_SPS = 7,
    EDGE_H264_NAL_PPS = 8,
    EDGE_H265_NAL_IRAP_FIRST = 16, /* BLA_W_LP .. RSV_IRAP_VCL23: random access points */
    EDGE_H265_NAL_IRAP_LAST = 23,
    EDGE_H265_NAL_VPS = 32,
    EDGE_H265_NAL_SPS = 33,
    EDGE_H265_NAL_PPS = 34,
};

/* The NAL unit type of the first header byte(s): H.264 takes the low 5 bits of byte 0, H.265
 * bits 1..6 of byte 0. */
static inline int edge_h264_nal_type(uint8_t b0)
{
    return b0 & 0x1f;
}
static inline int edge_h265_nal_type(uint8_t b0)
{
    return (b0 >> 1) & 0x3f;
}

/*
 * The next NAL unit of an Annex B buffer p[0..n) from *off on (start codes 00 00 01 or
 * 00 00 00 01; zero bytes before the next start code are not part of the unit). Returns 1 and
 * sets *nal, *len (never 0) and *off past it, or 0 when no unit is left.
 */
int edge_annexb_next(const uint8_t *p, size_t n, size_t *off, const uint8_t **nal, size_t *len);

/*
 * The picture size an SPS NAL unit (header included) declares, after its cropping window.
 * MM_EPARSE when the unit is cut short or a value is out of range (then *w and *h are not set).
 */
mm_err_t edge_h264_sps_size(const uint8_t *nal, size_t len, int *w, int *h);
mm_err_t edge_h265_sps_size(const uint8_t *nal, size_t len, int *w, int *h);

#endif
