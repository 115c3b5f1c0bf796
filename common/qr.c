/*
 * qr.c: a QR code as an SVG picture or as terminal text (see qr.h).
 */
#include "common/qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

char *mm_qr_svg(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, side = w + 2 * QUIET;
    size_t cap = 512 + (size_t)w * (size_t)w * 24;
    char *out = malloc(cap);
    if (!out) {
        QRcode_free(qr);
        return NULL;
    }
    size_t n = (size_t)snprintf(out, cap,
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                                "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                                "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                                side, side, side, side);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                n += (size_t)snprintf(out + n, cap - n, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
    snprintf(out + n, cap - n, "\"/></svg>\n");
    QRcode_free(qr);
    return out;
}

/* Whether module (x, y) of qr is dark; outside the code (the quiet zone) it is light. */
static int dark(const QRcode *qr, int x, int y)
{
    return x >= 0 && y >= 0 && x < qr->width && y < qr->width && (qr->data[y * qr->width + x] & 1);
}

char *mm_qr_text(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    /* Light modules are drawn (a full block, U+2588) and dark ones left blank, so that the code
     * reads on a dark terminal; upper/lower half blocks (U+2580, U+2584) for mixed pairs. */
    int q = 2, side = qr->width + 2 * q;
    size_t cap = (size_t)(side + 1) * (size_t)((side + 1) / 2 + 1) * 3 + 1;
    char *out = malloc(cap), *p = out;
    if (!out) {
        QRcode_free(qr);
        return NULL;
    }
    for (int y = -q; y < qr->width + q; y += 2) {
        for (int x = -q; x < qr->width + q; x++) {
            int top = !dark(qr, x, y), bottom = !dark(qr, x, y + 1);
            const char *c = top && bottom ? "\xe2\x96\x88"
                            : top         ? "\xe2\x96\x80"
                            : bottom      ? "\xe2\x96\x84"
                                          : " ";
            size_t n = strlen(c);
            memcpy(p, c, n);
            p += n;
        }
        *p++ = '\n';
    }
    *p = 0;
    QRcode_free(qr);
    return out;
}
