/*
 * rtsp.h: our RTSP/1.0 client — one camera's session over one non-blocking TCP socket, RTP and
 * RTCP interleaved on it (RTP/AVP/TCP, channels 0-1), no threads of its own.
 *
 * The session runs OPTIONS, DESCRIBE (Accept: application/sdp), SETUP and PLAY, then reads the
 * interleaved packets and hands each to the depacketiser (edge/rtp.h), which calls the frame
 * callback for every access unit. While playing it sends a keep-alive every half of the
 * session's timeout (default 60 s, so every 30 s): GET_PARAMETER when the server listed it in
 * its answer to OPTIONS, else OPTIONS. A server that never answers a keep-alive is no error; a
 * session that sends nothing for EDGE_RTSP_READ_DEADLINE_US is. A 401 is answered once, with
 * Digest (RFC 7616, MD5, qop "auth" or none) when offered, else Basic, from the user and
 * password in the URL; the URL shown in any message has its password hidden (common/redact.h).
 * Closing sends TEARDOWN when the session is playing (without waiting for the answer).
 *
 * The socket is read 64 KiB at a time into the session's buffer; the incremental parser
 * (edge_rtsp_parse) takes responses (status line, headers, a Content-Length body) and `$`
 * frames from it in any order. The caller (edge/readers.h) polls the descriptor for the events
 * edge_rtsp_events asks for and calls edge_rtsp_step when it is ready or the deadline has come.
 * Only rtsp:// URLs: rtsps:// cameras are read by libavformat (edge/ingest.h).
 */
#ifndef EDGE_RTSP_H
#define EDGE_RTSP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "edge/rtp.h"

#define EDGE_RTSP_READ_DEADLINE_US 10000000 /* a session silent this long has failed */
#define EDGE_RTSP_MAX_HEADERS 32
#define EDGE_RTSP_HEAD_MAX 8192  /* a response's status line and headers */
#define EDGE_RTSP_BODY_MAX 32768 /* a response's body (an SDP) */

/* ---- the response parser (pure; fuzz_rtsp) ---- */

typedef enum {
    EDGE_RTSP_RESPONSE, /* "RTSP/1.0 200 OK" ... */
    EDGE_RTSP_REQUEST, /* a request from the server (e.g. SET_PARAMETER, a keep-alive of its own) */
    EDGE_RTSP_FRAME,   /* '$', channel, 16-bit length, packet */
} edge_rtsp_kind_t;

typedef struct {
    const char *name, *value; /* not NUL-terminated; value without surrounding white space */
    size_t name_len, value_len;
} edge_rtsp_header_t;

typedef struct {
    edge_rtsp_kind_t kind;
    int status;          /* RESPONSE: 100..999 */
    const char *method;  /* REQUEST: its method (not NUL-terminated), method_len bytes */
    size_t method_len;
    uint8_t channel;     /* FRAME */
    const uint8_t *data; /* FRAME: the packet; RESPONSE/REQUEST: the body (may be empty) */
    size_t len;
    size_t n_headers; /* headers beyond EDGE_RTSP_MAX_HEADERS are skipped */
    edge_rtsp_header_t headers[EDGE_RTSP_MAX_HEADERS];
} edge_rtsp_msg_t;

/*
 * Takes one message from the start of buf (len bytes). Returns the bytes it takes (> 0) with
 * *m filled (pointing into buf), 0 when buf holds only the start of a message, or a negative
 * mm_err_t with why said in why (cap bytes): MM_EPROTO for bytes that are no RTSP message,
 * MM_ETOOBIG for a head or body beyond the limits above.
 */
long edge_rtsp_parse(const uint8_t *buf, size_t len, edge_rtsp_msg_t *m, char *why, size_t cap);

/* The value of m's first header called name (case-insensitive), its length in *len; NULL if
 * none. */
const char *edge_rtsp_header(const edge_rtsp_msg_t *m, const char *name, size_t *len);

/* ---- authentication (pure) ---- */

typedef struct {
    int digest; /* 0: Basic */
    int qop_auth;
    int stale; /* Digest: the nonce expired, the password was right (RFC 2617) */
    char realm[256], nonce[256], opaque[256];
} edge_rtsp_challenge_t;

/* Reads one WWW-Authenticate value. MM_EPROTO for a scheme other than Basic and Digest, or a
 * Digest without realm or nonce, or with an algorithm other than MD5. */
mm_err_t edge_rtsp_challenge_parse(const char *v, size_t n, edge_rtsp_challenge_t *c);

/*
 * The Authorization value answering c for a request (method, uri) with user and password:
 * "Basic base64(user:pass)", or "Digest username=..., response=..." (with qop auth: the cnonce
 * and nonce count nc given). MM_ETOOBIG if it does not fit in cap.
 */
mm_err_t edge_rtsp_authorization(const edge_rtsp_challenge_t *c, const char *user, const char *pass,
                                 const char *method, const char *uri, const char *cnonce,
                                 unsigned nc, char *out, size_t cap);

/* ---- the URL (pure) ---- */

typedef struct {
    char user[128], pass[128]; /* percent-decoded; empty when the URL has none */
    char host[256];            /* without brackets for IPv6 */
    unsigned port;             /* 554 when none is given */
    char request[1024];        /* the URL without its user information: what requests name */
} edge_rtsp_url_t;

/* Splits an rtsp:// URL. MM_EINVAL with why (which never shows the password) for one that is
 * not rtsp://, has no host, a bad port, or parts too long. */
mm_err_t edge_rtsp_url_parse(const char *url, edge_rtsp_url_t *u, char *why, size_t cap);

/* ---- the session ---- */

typedef struct edge_rtsp edge_rtsp_t;

/* What the stream is, known once PLAY has been answered. */
typedef struct {
    const char *codec; /* "h264" or "hevc" */
    uint32_t clock_rate;
} edge_rtsp_stream_t;

/* Called from edge_rtsp_step for each access unit; nonzero ends the session (edge_rtsp_step
 * then returns MM_ECLOSED). */
typedef int (*edge_rtsp_frame_fn)(void *arg, const edge_rtsp_stream_t *st,
                                  const edge_rtp_frame_t *f);

/*
 * Starts a session with url (rtsp://[user[:password]@]host[:port]/path) and begins the
 * non-blocking connect, never blocking: an address is connected to at once, a host name is
 * resolved on a thread of its own first (resolve.h), and a name that does not resolve ends the
 * session at a later step; now is the monotonic time (µs). MM_EINVAL with why for a URL that is
 * not one, MM_ENET for a socket that cannot be made.
 */
mm_err_t edge_rtsp_open(const char *url, int64_t now, edge_rtsp_frame_fn fn, void *arg,
                        edge_rtsp_t **out, char *why, size_t cap);

/* The descriptor to poll: the socket, or while the host name is resolved the resolver's. It
 * changes once, when the connect begins: poll the new one after each step. */
int edge_rtsp_fd(const edge_rtsp_t *s);

/* The poll events the session waits for (EPOLLIN, plus EPOLLOUT while it has bytes to send). */
uint32_t edge_rtsp_events(const edge_rtsp_t *s);

/* The monotonic time by which edge_rtsp_step must be called again (keep-alive, deadline). */
int64_t edge_rtsp_deadline(const edge_rtsp_t *s);

/*
 * Does all the reading and writing the socket allows, and what is due at now. MM_OK while the
 * session goes on; otherwise the session is over (MM_ENET, MM_ETIMEDOUT, MM_EDENIED for a
 * refused login, MM_EPROTO, MM_EMEDIA for a stream that is no H.264/H.265, MM_ECLOSED when the
 * server closed) and why says what happened, for a person.
 */
mm_err_t edge_rtsp_step(edge_rtsp_t *s, int64_t now, char *why, size_t cap);

/* The stream once playing, else NULL. */
const edge_rtsp_stream_t *edge_rtsp_stream(const edge_rtsp_t *s);

/* Sends TEARDOWN if playing (best effort, not waiting), closes the socket, frees s. Accepts
 * NULL. */
void edge_rtsp_close(edge_rtsp_t *s);

#endif
