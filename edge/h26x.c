/*
 * h26x.c: reading the picture size out of H.264 (ITU-T H.264 7.3.2.1.1) and H.265 (ITU-T H.265
 * 7.3.2.2) sequence parameter sets.
 *
 * The bit reader takes emulation-prevention bytes (00 00 03) out as it goes, so the NAL unit is
 * read in place. Every read is bounded: running past the end sets a sticky error, exp-Golomb
 * codes longer than 32 bits are refused, and the caller checks the error once at the end, so a
 * hostile SPS can only produce MM_EPARSE, never a read out of bounds.
 */
#include "edge/h26x.h"

/* The offset of the first byte after the next start code at or after i, or n when none. */
static size_t after_start_code(const uint8_t *p, size_t n, size_t i)
{
    for (; i + 3 <= n; i++) {
        if (p[i + 2] > 1) {
            i += 2;
        } else if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
            return i + 3;
        }
    }
    return n;
}

int edge_annexb_next(const uint8_t *p, size_t n, size_t *off, const uint8_t **nal, size_t *len)
{
    for (;;) {
        size_t start = after_start_code(p, n, *off);
        if (start >= n)
            return 0;
        size_t next = after_start_code(p, n, start);
        size_t end = next < n ? next - 3 : n;
        while (end > start && p[end - 1] == 0)
            end--;
        *off = next < n ? next - 3 : n;
        if (end > start) {
            *nal = p + start;
            *len = end - start;
            return 1;
        }
    }
}

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos; /* byte position of the current byte */
    int bit;    /* bits of the current byte already consumed, 0..7 */
    int zeros;  /* zero bytes just before pos, for emulation prevention */
    int err;
} bits_t;

static void bits_init(bits_t *b, const uint8_t *p, size_t len)
{
    *b = (bits_t){.p = p, .len = len};
}

/* Moves to the next byte, skipping an emulation-prevention byte (03 after 00 00). */
static void bits_next_byte(bits_t *b)
{
    b->zeros = b->p[b->pos] == 0 ? b->zeros + 1 : 0;
    b->pos++;
    b->bit = 0;
    if (b->zeros >= 2 && b->pos < b->len && b->p[b->pos] == 3) {
        b->pos++;
        b->zeros = 0;
    }
}

static uint32_t bits_u1(bits_t *b)
{
    if (b->pos >= b->len) {
        b->err = 1;
        return 0;
    }
    uint32_t v = (b->p[b->pos] >> (7 - b->bit)) & 1;
    if (++b->bit == 8)
        bits_next_byte(b);
    return v;
}

static uint32_t bits_u(bits_t *b, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 1) | bits_u1(b);
    return v;
}

static void bits_skip(bits_t *b, int n)
{
    for (int i = 0; i < n && !b->err; i++)
        bits_u1(b);
}

static uint32_t bits_ue(bits_t *b)
{
    int zeros = 0;
    while (bits_u1(b) == 0) {
        if (b->err || ++zeros > 31) {
            b->err = 1;
            return 0;
        }
    }
    return (uint32_t)((1ull << zeros) - 1 + bits_u(b, zeros));
}

static int32_t bits_se(bits_t *b)
{
    uint32_t k = bits_ue(b);
    return (k & 1) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

/* Skips an H.264 scaling_list() of size entries (7.3.2.1.1.1). */
static void h264_skip_scaling_list(bits_t *b, int size)
{
    int last = 8, next = 8;
    for (int j = 0; j < size && !b->err; j++) {
        if (next != 0) {
            int32_t delta = bits_se(b);
            if (delta < -128 || delta > 127) {
                b->err = 1;
                return;
            }
            next = (last + delta + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
}

static int h264_high_profile(uint32_t profile)
{
    switch (profile) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
        return 1;
    default:
        return 0;
    }
}

/* Reads the SPS up to pic_order_cnt's fields; returns chroma_format_idc (3 with a separate
 * colour plane counts as 0, as ChromaArrayType does). */
static uint32_t h264_sps_head(bits_t *b)
{
    uint32_t profile = bits_u(b, 8);
    bits_skip(b, 16);    /* constraint flags, level_idc */
    if (bits_ue(b) > 31) /* seq_parameter_set_id */
        b->err = 1;
    uint32_t chroma = 1;
    if (h264_high_profile(profile)) {
        chroma = bits_ue(b);
        if (chroma > 3)
            b->err = 1;
        if (chroma == 3 && bits_u1(b))
            chroma = 0;
        bits_ue(b); /* bit_depth_luma_minus8 */
        bits_ue(b); /* bit_depth_chroma_minus8 */
        bits_u1(b); /* qpprime_y_zero_transform_bypass_flag */
        if (bits_u1(b)) {
            int n = chroma == 3 ? 12 : 8;
            for (int i = 0; i < n && !b->err; i++)
                if (bits_u1(b))
                    h264_skip_scaling_list(b, i < 6 ? 16 : 64);
        }
    }
    bits_ue(b); /* log2_max_frame_num_minus4 */
    uint32_t poc_type = bits_ue(b);
    if (poc_type == 0) {
        bits_ue(b);
    } else if (poc_type == 1) {
        bits_u1(b);
        bits_se(b);
        bits_se(b);
        uint32_t n = bits_ue(b);
        if (n > 255)
            b->err = 1;
        for (uint32_t i = 0; i < n && !b->err; i++)
            bits_se(b);
    } else if (poc_type > 2) {
        b->err = 1;
    }
    return chroma;
}

mm_err_t edge_h264_sps_size(const uint8_t *nal, size_t len, int *w, int *h)
{
    if (len < 2 || edge_h264_nal_type(nal[0]) != EDGE_H264_NAL_SPS)
        return MM_EPARSE;
    bits_t b;
    bits_init(&b, nal + 1, len - 1);
    uint32_t chroma = h264_sps_head(&b);
    bits_ue(&b); /* max_num_ref_frames */
    bits_u1(&b); /* gaps_in_frame_num_value_allowed_flag */
    uint32_t wmbs = bits_ue(&b) + 1;
    uint32_t hmap = bits_ue(&b) + 1;
    uint32_t frame_mbs_only = bits_u1(&b);
    if (!frame_mbs_only)
        bits_u1(&b); /* mb_adaptive_frame_field_flag */
    bits_u1(&b);     /* direct_8x8_inference_flag */
    uint32_t crop[4] = {0, 0, 0, 0};
    if (bits_u1(&b))
        for (int i = 0; i < 4; i++)
            crop[i] = bits_ue(&b);
    if (b.err || wmbs > 1024 || hmap > 1024)
        return MM_EPARSE;
    uint32_t sub_w = chroma == 1 || chroma == 2 ? 2 : 1;
    uint32_t sub_h = chroma == 1 ? 2 : 1;
    uint32_t unit_x = chroma == 0 ? 1 : sub_w;
    uint32_t unit_y = (chroma == 0 ? 1 : sub_h) * (2 - frame_mbs_only);
    int64_t width = (int64_t)wmbs * 16 - (int64_t)unit_x * ((int64_t)crop[0] + crop[1]);
    int64_t height =
        (int64_t)hmap * 16 * (2 - frame_mbs_only) - (int64_t)unit_y * ((int64_t)crop[2] + crop[3]);
    if (width <= 0 || height <= 0)
        return MM_EPARSE;
    *w = (int)width;
    *h = (int)height;
    return MM_OK;
}

/* Skips profile_tier_level(1, max_sub_layers_minus1) (H.265 7.3.3). */
static void h265_skip_ptl(bits_t *b, uint32_t max_sub_layers_minus1)
{
    bits_skip(b, 96); /* general profile space .. general_level_idc */
    uint32_t prof[8] = {0}, lev[8] = {0};
    for (uint32_t i = 0; i < max_sub_layers_minus1; i++) {
        prof[i] = bits_u1(b);
        lev[i] = bits_u1(b);
    }
    if (max_sub_layers_minus1 > 0)
        bits_skip(b, 2 * (8 - (int)max_sub_layers_minus1));
    for (uint32_t i = 0; i < max_sub_layers_minus1; i++) {
        if (prof[i])
            bits_skip(b, 88);
        if (lev[i])
            bits_skip(b, 8);
    }
}

mm_err_t edge_h265_sps_size(const uint8_t *nal, size_t len, int *w, int *h)
{
    if (len < 3 || edge_h265_nal_type(nal[0]) != EDGE_H265_NAL_SPS)
        return MM_EPARSE;
    bits_t b;
    bits_init(&b, nal + 2, len - 2);
    bits_skip(&b, 4); /* sps_video_parameter_set_id */
    uint32_t max_sub_layers_minus1 = bits_u(&b, 3);
    if (max_sub_layers_minus1 > 6)
        return MM_EPARSE;
    bits_u1(&b); /* sps_temporal_id_nesting_flag */
    h265_skip_ptl(&b, max_sub_layers_minus1);
    if (bits_ue(&b) > 15) /* sps_seq_parameter_set_id */
        return MM_EPARSE;
    uint32_t chroma = bits_ue(&b);
    if (chroma > 3)
        return MM_EPARSE;
    if (chroma == 3 && bits_u1(&b))
        chroma = 0;
    uint32_t width = bits_ue(&b), height = bits_ue(&b);
    uint32_t win[4] = {0, 0, 0, 0};
    if (bits_u1(&b))
        for (int i = 0; i < 4; i++)
            win[i] = bits_ue(&b);
    if (b.err || width == 0 || height == 0 || width > 16888 || height > 16888)
        return MM_EPARSE;
    uint32_t sub_w = chroma == 1 || chroma == 2 ? 2 : 1;
    uint32_t sub_h = chroma == 1 ? 2 : 1;
    int64_t cw = (int64_t)width - (int64_t)sub_w * ((int64_t)win[0] + win[1]);
    int64_t ch = (int64_t)height - (int64_t)sub_h * ((int64_t)win[2] + win[3]);
    if (cw <= 0 || ch <= 0)
        return MM_EPARSE;
    *w = (int)cw;
    *h = (int)ch;
    return MM_OK;
}
