/*
 * console_form.h: the bodies the site console's pages post — HTML form encoding
 * (application/x-www-form-urlencoded: "person=kanri&password=..."), read strictly: at most
 * EDGE_FORM_MAX bytes, only the names the route expects, each at most once, each value
 * percent-decoded ('+' a space), UTF-8, with no control character, and fitting its field. Pure
 * and fuzzed (tests/fuzz/fuzz_console_form.c).
 */
#ifndef EDGE_CONSOLE_FORM_H
#define EDGE_CONSOLE_FORM_H

#include <stddef.h>

#include "common/err.h"

#define EDGE_FORM_MAX 4096

typedef struct {
    const char *name;
    char *out;    /* the decoded value, "" when absent */
    size_t cap;   /* bytes of out, with the NUL */
    int required; /* absent or empty is a mistake */
    int given;    /* set by edge_form_parse */
} edge_form_field_t;

/*
 * Reads body (len bytes) into fields[0..n). MM_OK, or MM_EPROTO with msg (cap bytes) naming the
 * problem and the field: too long, a pair with no '=', an unknown or repeated name, a bad escape,
 * a value that is not UTF-8, holds a control character or is too long, a required field absent.
 * A value is never quoted in msg (it may be a password).
 */
mm_err_t edge_form_parse(const char *body, size_t len, edge_form_field_t *fields, size_t n,
                         char *msg, size_t cap);

#endif
