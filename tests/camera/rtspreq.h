/*
 * rtspreq.h: one RTSP request read from a client's bytes, for mimamori-testcam --replay.
 *
 * Pure: no I/O. The request's header values point into the caller's buffer, so they are valid
 * until the caller moves or overwrites it.
 */
#ifndef TC_RTSPREQ_H
#define TC_RTSPREQ_H

#include <stddef.h>

#define TC_REQ_MAX 8192 /* a request head larger than this is refused */

typedef struct {
    char method[32];
    char uri[1024];
    long cseq;        /* -1 when absent */
    const char *head; /* from the first header line to the blank line */
    size_t head_len;
} tc_req_t;

/*
 * Parses the request at the start of buf (n bytes). Returns the bytes it takes, body included
 * (Content-Length), when whole; 0 when more bytes are needed; -1 when it is not an RTSP/1.0
 * request or its head is over TC_REQ_MAX.
 */
long tc_req_parse(const char *buf, size_t n, tc_req_t *r);

/* The value of header name (case-insensitive), without surrounding blanks, and its length in
 *len; NULL when absent. */
const char *tc_req_header(const tc_req_t *r, const char *name, size_t *len);

/* The path of an rtsp:// URI ("/cam00/trackID=0"), or of a bare path; "" when none. */
const char *tc_req_path(const char *uri);

#endif
