/*
 * fuzz_rtsp.c: what a camera (or anyone at its address) sends the edge's RTSP client over TCP —
 * responses, requests of its own and interleaved `$` frames, in any order — through the
 * incremental parser (edge/rtsp.h), message after message as the client takes them. Nothing may
 * crash or hang. A message taken must lie inside the input (its headers, body and packet), a
 * frame must take exactly 4 bytes plus its length, and the same message must come out when the
 * input arrives cut at any point (0 "need more" for every prefix of it). A refusal must say why.
 * Each WWW-Authenticate value is also parsed and, when it is a challenge we answer, answered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/rtsp.h"

static void inside(const uint8_t *buf, size_t len, const void *p, size_t n)
{
    const uint8_t *q = p;
    if (n && (q < buf || q + n > buf + len))
        abort();
}

static void check(const uint8_t *buf, size_t len, const edge_rtsp_msg_t *m, long rc)
{
    if (rc <= 0 || (size_t)rc > len)
        abort();
    if (m->kind == EDGE_RTSP_FRAME && (size_t)rc != 4 + m->len)
        abort();
    if (m->kind == EDGE_RTSP_RESPONSE && (m->status < 100 || m->status > 999))
        abort();
    inside(buf, (size_t)rc, m->data, m->len);
    if (m->n_headers > EDGE_RTSP_MAX_HEADERS)
        abort();
    for (size_t i = 0; i < m->n_headers; i++) {
        const edge_rtsp_header_t *h = &m->headers[i];
        if (h->name_len == 0)
            abort();
        inside(buf, (size_t)rc, h->name, h->name_len);
        inside(buf, (size_t)rc, h->value, h->value_len);
        edge_rtsp_challenge_t c;
        if (h->name_len == 16 && memcmp(h->name, "WWW-Authenticate", 16) == 0 &&
            edge_rtsp_challenge_parse(h->value, h->value_len, &c) == MM_OK) {
            char out[2048];
            edge_rtsp_authorization(&c, "user", "pass", "DESCRIBE", "rtsp://h/x", "abc", 1, out,
                                    sizeof out);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    size_t off = 0;
    while (off < size) {
        edge_rtsp_msg_t m;
        char why[128] = "";
        long rc = edge_rtsp_parse(data + off, size - off, &m, why, sizeof why);
        if (rc < 0) {
            if (!why[0])
                abort();
            break;
        }
        if (rc == 0)
            break;
        check(data + off, size - off, &m, rc);
        /* Cut short anywhere, the same bytes are no message yet. */
        for (size_t cut = 1; cut < (size_t)rc; cut = cut < 64 ? cut + 1 : cut * 2) {
            edge_rtsp_msg_t p;
            if (edge_rtsp_parse(data + off, cut, &p, why, sizeof why) != 0 ||
                edge_rtsp_parse(data + off, (size_t)rc - 1, &p, why, sizeof why) != 0)
                abort();
        }
        off += (size_t)rc;
    }
    return 0;
}
