/*
 * err.h: the one error type of mimamori.
 *
 * Every function that can fail returns an mm_err_t: 0 (MM_OK) on success and a negative code
 * otherwise. Native errors (LMDB, ZeroMQ, OpenSSL, libuv, libav, errno) are converted where they
 * are called, and their detail is written to the diagnostic log there; callers see only these
 * codes. The table below generates both the enum and the messages, so they cannot drift apart.
 */
#ifndef MM_ERR_H
#define MM_ERR_H

#include <stddef.h>

#define MM_ERR_MAP(X)                                                                              \
    X(NOMEM, -1, "out of memory")                                                                  \
    X(INVAL, -2, "invalid argument")                                                               \
    X(IO, -3, "input/output error")                                                                \
    X(NOTFOUND, -4, "not found")                                                                   \
    X(EXIST, -5, "already exists")                                                                 \
    X(CRYPTO, -6, "cryptographic library failure")                                                 \
    X(VERIFY, -7, "verification failed")                                                           \
    X(CONFIG, -8, "configuration error")                                                           \
    X(PROTO, -9, "malformed message")                                                              \
    X(DB, -10, "database error")                                                                   \
    X(FULL, -11, "no space left")                                                                  \
    X(TOOBIG, -12, "input too large")                                                              \
    X(CLOSED, -13, "closed")                                                                       \
    X(AGAIN, -14, "try again")                                                                     \
    X(TIMEDOUT, -15, "timed out")                                                                  \
    X(MEDIA, -16, "media error")                                                                   \
    X(NET, -17, "network error")                                                                   \
    X(PARSE, -18, "parse error")                                                                   \
    X(DENIED, -19, "permission denied")                                                            \
    X(CONFLICT, -20, "conflicting state")                                                          \
    X(RANGE, -21, "out of range")                                                                  \
    X(CORRUPT, -22, "data corrupt")                                                                \
    X(ERASED, -23, "erased: no key to decrypt it exists any more")

typedef enum {
    MM_OK = 0,
#define MM_ERR_ENUM(name, code, msg) MM_E##name = (code),
    MM_ERR_MAP(MM_ERR_ENUM)
#undef MM_ERR_ENUM
} mm_err_t;

/* Returns a static, human-readable message for err. Never NULL, even for unknown codes. */
const char *mm_strerror(int err);

/* Returns the symbolic name ("MM_EIO") for err, or "MM_E?" for unknown codes. */
const char *mm_err_name(int err);

/*
 * Writes why (printf-style) into msg (cap bytes, NUL-terminated; nothing when msg is NULL or cap
 * is 0) and returns err: for functions that say why they refuse in a caller's buffer.
 */
mm_err_t mm_errf(mm_err_t err, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
