/*
 * fuzz_livemux.c: a camera's frames as the live view muxes them (edge/livemux.h) — the first
 * byte picks the codec (even: H.264, odd: H.265), the rest is a keyframe's NAL units as the RTSP
 * reader would hand them (Annex B), used for the parameter sets and then muxed three times.
 * Nothing may crash or hang; a muxer that was made has given an init segment that starts with
 * ftyp and names its codec as MSE does (avc1. or hvc1.), and each frame after the first closes
 * one fragment that starts with moof.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edge/livemux.h"

typedef struct {
    int inits, fragments;
} seen_t;

static void out(void *arg, const uint8_t *buf, size_t len, int init, int key)
{
    seen_t *s = arg;
    (void)key;
    if (len < 8 || memcmp(buf + 4, init ? "ftyp" : "moof", 4) != 0)
        abort();
    if (init)
        s->inits++;
    else
        s->fragments++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    const char *codec = data[0] & 1 ? "hevc" : "h264";
    seen_t s = {0, 0};
    edge_livemux_t *m = NULL;
    if (edge_livemux_create(codec, data + 1, size - 1, 64, 48, out, &s, &m) != MM_OK)
        return 0;
    const char *name = edge_livemux_codec(m);
    if (s.inits != 1 || strncmp(name, data[0] & 1 ? "hvc1." : "avc1.", 5) != 0)
        abort();
    int ok = 0;
    for (int i = 0; i < 3; i++)
        ok += edge_livemux_frame(m, data + 1, size - 1, 1, 66667LL * i) == MM_OK;
    if (ok == 3 && s.fragments != 2)
        abort();
    edge_livemux_destroy(m);
    return 0;
}
