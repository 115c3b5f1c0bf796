/*
 * console_qr.c: a QR code as an SVG picture (console_impl.h), drawn from libqrencode's modules:
 * one path of unit squares on a white field with a four-module quiet zone, scaled by the page.
 */
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/console_impl.h"

#define QUIET 4

char *edge_console_qr_svg(const char *text)
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
