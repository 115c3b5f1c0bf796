/*
 * fuzz_rtspreq.c: the replay camera's request reading on arbitrary bytes, as a client sends them
 * (requests one after another): the request parser, its header lookup, the path of the URI and
 * both logins (Basic, and Digest's parameter list). Its corpus is tests/camera/corpus/rtspreq/,
 * replayed under ctest as fuzz.replay.testcam_rtspreq.
 */
#include <stdint.h>
#include <string.h>

#include "tests/camera/rtspauth.h"
#include "tests/camera/rtspreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tc_auth_t basic, digest;
    if (!basic.user) {
        tc_auth_init(&basic, "viewer:s3cret", 0);
        tc_auth_init(&digest, "viewer:s3cret", 1);
    }
    const char *buf = (const char *)data;
    size_t pos = 0;
    while (pos < size) {
        tc_req_t r;
        long used = tc_req_parse(buf + pos, size - pos, &r);
        if (used <= 0)
            break;
        if ((size_t)used > size - pos || strlen(r.method) >= sizeof r.method)
            __builtin_trap();
        size_t len;
        const char *a = tc_req_header(&r, "Authorization", &len);
        if (a && (a < r.head || a + len > r.head + r.head_len))
            __builtin_trap();
        tc_auth_ok(&basic, r.method, a, a ? len : 0);
        tc_auth_ok(&digest, r.method, a, a ? len : 0);
        tc_req_header(&r, "Transport", &len);
        tc_req_header(&r, "Session", &len);
        const char *path = tc_req_path(r.uri);
        if (path[0] && path[0] != '/' && path != r.uri)
            __builtin_trap();
        pos += (size_t)used;
    }
    return 0;
}
