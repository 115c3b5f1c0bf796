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

char *mm_qr_text(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, q = 2;
    size_t cap = (size_t)((w + 2 * q) / 2 + 2) * (size_t)(2 + 3 * (w + 2 * q) + 1) + 1, n = 0;
    char *out = malloc(cap);
    if (!out) {
        QRcode_free(qr);
        return NULL;
    }
    for (int y = -q; y < w + q; y += 2) {
        n += (size_t)snprintf(out + n, cap - n, "  ");
        for (int x = -q; x < w + q; x++) {
            int top = y >= 0 && y < w && x >= 0 && x < w && (qr->data[y * w + x] & 1);
            int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (qr->data[(y + 1) * w + x] & 1);
            /* dark modules print as spaces on a light terminal's inverse: light = block */
            n += (size_t)snprintf(out + n, cap - n, "%s",
                                  top && bot ? " "
                                  : top      ? "\u2584"
                                  : bot      ? "\u2580"
                                             : "\u2588");
        }
        n += (size_t)snprintf(out + n, cap - n, "\n");
    }
    QRcode_free(qr);
    return out;
}
