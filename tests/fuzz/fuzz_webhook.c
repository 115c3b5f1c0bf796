/*
 * fuzz_webhook.c: what the alerts' webhook reads from outside (webhook.h) — the receiver's
 * answer, of which the status line is parsed (edge_webhook_status), and the URL of the
 * configuration (edge_webhook_url_parse), on arbitrary bytes. A status is 100..599, or 0 only
 * while a shorter prefix of a status line could still grow into one, and every prefix of an
 * answer that gave a code gives 0 or the same code; a URL parsed has a host, a port 1..65535 and
 * a path that begins with '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    int code = edge_webhook_status(buf, size);
    if (code != -1 && code != 0 && (code < 100 || code > 599))
        __builtin_trap();
    if (code > 0)
        for (size_t n = 0; n < size && n < 600; n++) {
            int c = edge_webhook_status(buf, n);
            if (c != 0 && c != code)
                __builtin_trap();
        }
    if (code == 0 && size >= 512)
        __builtin_trap();
    char text[2048];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    edge_webhook_url_t url;
    char why[256];
    if (edge_webhook_url_parse(text, &url, why, sizeof why) == 0) {
        if (!url.host[0] || url.port < 1 || url.port > 65535 || url.path[0] != '/' ||
            strnlen(url.path, sizeof url.path) >= sizeof url.path)
            __builtin_trap();
    } else if (!why[0]) {
        __builtin_trap();
    }
    return 0;
}
