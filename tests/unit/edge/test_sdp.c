/*
 * test_sdp.c: the video stream out of a camera's SDP (edge/sdp.h) — GStreamer's H.264 and H.265
 * answers as mimamori-testcam gives them, the shapes other cameras give (audio first, several
 * formats, absolute and session-level controls, no control at all), parameter sets to Annex B,
 * and each error naming what is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edge/sdp.h"

#define BASE "rtsp://127.0.0.1:8554/cam/"

static edge_sdp_t sdp;
static char msg[256];

static mm_err_t parse(const char *body, const char *base)
{
    msg[0] = '\0';
    return edge_sdp_parse(body, strlen(body), base, &sdp, msg, sizeof(msg));
}

/* As mimamori-testcam (gst-rtsp-server, rtph264pay) answers, LF line ends. */
static const char gst264[] =
    "v=0\r\no=- 1261048 1 IN IP4 127.0.0.1\r\ns=Session streamed with GStreamer\r\n"
    "i=rtsp-server\r\nt=0 0\r\na=tool:GStreamer\r\na=type:broadcast\r\na=control:*\r\n"
    "a=range:npt=now-\r\nm=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:512\r\n"
    "a=rtpmap:96 H264/90000\r\na=framerate:15\r\n"
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFtoCgL/lwFqDAwNSgAAAAwCAAAAPR4sXUA"
    "==,aM48gA==;profile-level-id=42c016;level-asymmetry-allowed=1\r\n"
    "a=control:stream=0\r\na=ts-refclk:local\r\na=mediaclk:sender\r\n";

static void test_sdp_gstreamer_h264(void **state)
{
    (void)state;
    assert_int_equal(parse(gst264, BASE), MM_OK);
    assert_int_equal(sdp.codec, EDGE_RTP_H264);
    assert_int_equal(sdp.payload_type, 96);
    assert_int_equal(sdp.clock_rate, 90000);
    assert_int_equal(sdp.packetization_mode, 1);
    assert_string_equal(sdp.control, BASE "stream=0");
    /* Z0LAFtoC... is a 28-byte SPS, aM48gA== a 4-byte PPS. */
    assert_int_equal(sdp.sprop_len, 4 + 28 + 4 + 4);
    assert_memory_equal(sdp.sprop, "\0\0\0\1\x67\x42\xc0\x16", 8);
    assert_memory_equal(sdp.sprop + 32, "\0\0\0\1\x68\xce\x3c\x80", 8);
    assert_false(sdp.sprop_invalid);
    /* The parameter sets give the picture size through the RTP reader. */
    edge_rtp_t *r = NULL;
    assert_int_equal(
        edge_rtp_create(sdp.codec, sdp.payload_type, sdp.clock_rate, sdp.sprop, sdp.sprop_len, &r),
        MM_OK);
    edge_rtp_destroy(r);
}

static void test_sdp_gstreamer_h265_sets_in_vps_sps_pps_order(void **state)
{
    (void)state;
    const char *body =
        "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=x\nt=0 0\na=control:*\nm=video 0 RTP/AVP 96\n"
        "a=rtpmap:96 H265/90000\n"
        "a=fmtp:96 sprop-pps=RAHAcDBgMSA=;sprop-vps=QAEMAf//BAgAAAMAmAgAAAMAAD+6AkA=;"
        "sprop-sps=QgEBBAgAAAMAmAgAAAMAAD+QAKBALj4kpS3SUmF/+AAIAAtQYGBgQAAAAwBAAAADA8I=\n"
        "a=control:stream=0\n";
    assert_int_equal(parse(body, "rtsp://h/cam"), MM_OK);
    assert_int_equal(sdp.codec, EDGE_RTP_H265);
    assert_string_equal(sdp.control, "rtsp://h/cam/stream=0");
    assert_int_equal(sdp.sprop[4] >> 1, 32);
    size_t off = 4 + 23;
    assert_memory_equal(sdp.sprop + off, "\0\0\0\1", 4);
    assert_int_equal(sdp.sprop[off + 4] >> 1, 33);
    assert_int_equal(sdp.sprop_len, 4 + 23 + 4 + 50 + 4 + 8);
    assert_memory_equal(sdp.sprop + 4 + 23 + 4 + 50, "\0\0\0\1", 4);
    assert_int_equal(sdp.sprop[sdp.sprop_len - 8] >> 1, 34);
}

static void test_sdp_audio_first_several_formats_absolute_control(void **state)
{
    (void)state;
    const char *body = "v=0\r\ns=cam\r\na=control:rtsp://10.0.0.5/live/\r\n"
                       "m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=control:track2\r\n"
                       "m=video 0 RTP/AVP 26 97 98\r\na=rtpmap:97 MP4V-ES/90000\r\n"
                       "a=rtpmap:98 h264/90000\r\na=fmtp:97 config=000001\r\n"
                       "a=fmtp:98 sprop-parameter-sets=Z0LAFg\r\n"
                       "a=control:rtsp://10.0.0.5/live/track1\r\n"
                       "m=video 0 RTP/AVP 99\r\na=rtpmap:99 H265/90000\r\n";
    assert_int_equal(parse(body, BASE), MM_OK);
    assert_int_equal(sdp.codec, EDGE_RTP_H264);
    assert_int_equal(sdp.payload_type, 98);
    assert_int_equal(sdp.packetization_mode, 0);
    assert_string_equal(sdp.control, "rtsp://10.0.0.5/live/track1");
    assert_int_equal(sdp.sprop_len, 8); /* unpadded base64 is fine */
}

static void test_sdp_control_resolution(void **state)
{
    (void)state;
#define FMT "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n%s"
    char body[512];
    /* A session-level control that is absolute becomes the base. */
    snprintf(body, sizeof(body),
             "v=0\na=control:rtsp://cam/s\nm=video 0 RTP/AVP 96\n"
             "a=rtpmap:96 H264/90000\na=control:v\n");
    assert_int_equal(parse(body, BASE), MM_OK);
    assert_string_equal(sdp.control, "rtsp://cam/s/v");
    /* No control at all: the base. "*": the base. A path from the root. */
    snprintf(body, sizeof(body), FMT, "");
    assert_int_equal(parse(body, BASE), MM_OK);
    assert_string_equal(sdp.control, BASE);
    snprintf(body, sizeof(body), FMT, "a=control:*\n");
    assert_int_equal(parse(body, "rtsp://a:1/b"), MM_OK);
    assert_string_equal(sdp.control, "rtsp://a:1/b");
    snprintf(body, sizeof(body), FMT, "a=control:/other/track\n");
    assert_int_equal(parse(body, "rtsp://u:p@a:1/b/c"), MM_OK);
    assert_string_equal(sdp.control, "rtsp://u:p@a:1/other/track");
    /* Nothing to set up: no control and no base. */
    snprintf(body, sizeof(body), FMT, "");
    assert_int_equal(parse(body, NULL), MM_EPARSE);
    assert_non_null(strstr(msg, "no control URL"));
    /* Too long. */
    char longctl[1200];
    memset(longctl, 'x', sizeof(longctl));
    memcpy(longctl, "a=control:", 10);
    longctl[sizeof(longctl) - 2] = '\n';
    longctl[sizeof(longctl) - 1] = '\0';
    char big[1400];
    snprintf(big, sizeof(big), FMT, longctl);
    assert_int_equal(parse(big, BASE), MM_ETOOBIG);
    assert_non_null(strstr(msg, "control URL"));
}

static void test_sdp_errors_name_what_is_missing(void **state)
{
    (void)state;
    assert_int_equal(parse("v=0\nm=audio 0 RTP/AVP 0\n", BASE), MM_EPARSE);
    assert_string_equal(msg, "no video media (m=video) in the SDP");
    assert_int_equal(parse("", BASE), MM_EPARSE);
    assert_int_equal(parse("v=0\nm=video 0 RTP/AVP 97\na=rtpmap:97 MP4V-ES/90000\n", BASE),
                     MM_EPARSE);
    assert_string_equal(msg, "video format 97 is MP4V-ES/90000, not H264 or H265");
    assert_int_equal(parse("v=0\nm=video 0 RTP/AVP 26\n", BASE), MM_EPARSE);
    assert_string_equal(msg, "video format 26 has no a=rtpmap, so is not H264 or H265");
    assert_int_equal(parse("v=0\nm=video 0 RTP/AVP\n", BASE), MM_EPARSE);
    assert_non_null(strstr(msg, "malformed video media line"));
    assert_int_equal(parse("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264\n", BASE), MM_EPARSE);
    assert_string_equal(msg, "video format 96 (H264) has no clock rate");
    assert_int_equal(parse("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96\n", BASE), MM_EPARSE);
    assert_string_equal(msg, "malformed a=rtpmap for video format 96");
}

static void test_sdp_bad_sprop_is_left_out_and_flagged(void **state)
{
    (void)state;
    const char *body = "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n"
                       "a=fmtp:96 sprop-parameter-sets=Z0LA*Fg==,aM48gA==\n";
    assert_int_equal(parse(body, BASE), MM_OK);
    assert_true(sdp.sprop_invalid);
    assert_int_equal(sdp.sprop_len, 8);
    assert_memory_equal(sdp.sprop, "\0\0\0\1\x68\xce\x3c\x80", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdp_gstreamer_h264),
        cmocka_unit_test(test_sdp_gstreamer_h265_sets_in_vps_sps_pps_order),
        cmocka_unit_test(test_sdp_audio_first_several_formats_absolute_control),
        cmocka_unit_test(test_sdp_control_resolution),
        cmocka_unit_test(test_sdp_errors_name_what_is_missing),
        cmocka_unit_test(test_sdp_bad_sprop_is_left_out_and_flagged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
