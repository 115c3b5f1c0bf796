/*
 * www.c: looking up compiled-in web files, and the security headers (see www.h).
 */
#include "common/www.h"

#include <arpa/inet.h>
#include <h2o.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mm_www_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 423:
        return "Locked";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

void mm_www_security_headers(h2o_req_t *req, const char *csp, const char *hsts)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0,
                          NULL, H2O_STRLIT("nosniff"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("no-referrer"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-frame-options"), 0, NULL,
                          H2O_STRLIT("DENY"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0,
                          NULL, h2o_strdup(&req->pool, csp, SIZE_MAX).base, strlen(csp));
    if (hsts)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_STRICT_TRANSPORT_SECURITY, NULL,
                       hsts, strlen(hsts));
}

const mm_www_file_t *mm_www_find(const mm_www_file_t *files, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(files[mid].name, name);
        if (c == 0)
            return &files[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *mm_www_body(h2o_req_t *req, size_t *len)
{
    *len = req->entity.base ? req->entity.len : 0;
    return *len ? req->entity.base : NULL;
}

int mm_www_header(h2o_req_t *req, const char *name, char *out, size_t cap)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0)
        return 0;
    const h2o_iovec_t *v = &req->headers.entries[i].value;
    if (v->len >= cap)
        return -1;
    memcpy(out, v->base, v->len);
    out[v->len] = 0;
    return 1;
}

int mm_www_peer(h2o_req_t *req, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    h2o_conn_t *conn = req->conn;
    socklen_t len = conn && conn->callbacks->get_peername
                        ? conn->callbacks->get_peername(conn, (struct sockaddr *)&ss)
                        : 0;
    const void *addr = NULL;
    if (len && ss.ss_family == AF_INET)
        addr = &((struct sockaddr_in *)&ss)->sin_addr;
    else if (len && ss.ss_family == AF_INET6)
        addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    return addr && inet_ntop(ss.ss_family, addr, out, (socklen_t)cap) ? 0 : -1;
}

char *mm_www_json_text(json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(body);
    return text;
}

json_t *mm_www_error_body(int status, const char *code, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return json_pack("{s:{s:i, s:s, s:s}}", "error", "status", status, "code", code, "message",
                     msg);
}

int mm_www_head_only(h2o_req_t *req, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        return 0;
    req->res.content_length = len;
    h2o_start_response(req, &generator);
    h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    return 1;
}
