/*
 * console_form.c: form bodies read strictly (see console_form.h).
 */
#include "edge/console_form.h"

#include <stdio.h>
#include <string.h>

#include "common/httpparse.h"
#include "common/utf8.h"

/* Says why in msg, and refuses the body (err.h mm_errf). */
#define bad(msg, cap, ...) mm_errf(MM_EPROTO, msg, cap, __VA_ARGS__)

/* One pair "name=value" (len bytes, no '&') into its field. */
static mm_err_t one_pair(const char *p, size_t len, edge_form_field_t *fields, size_t n, char *msg,
                         size_t cap)
{
    const char *eq = memchr(p, '=', len);
    if (!eq)
        return bad(msg, cap, "the form has a part with no '='");
    size_t nl = (size_t)(eq - p);
    edge_form_field_t *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
        if (strlen(fields[i].name) == nl && memcmp(fields[i].name, p, nl) == 0)
            f = &fields[i];
    if (!f)
        return bad(msg, cap, "the form has a field this page does not send");
    if (f->given)
        return bad(msg, cap, "the form gives \"%s\" twice", f->name);
    f->given = 1;
    long vl = mm_http_pct_decode(eq + 1, len - nl - 1, 1, f->out, f->cap);
    if (vl < 0)
        return bad(msg, cap, "\"%s\" is too long or badly encoded", f->name);
    if (!mm_utf8_valid(f->out, (size_t)vl) || strlen(f->out) != (size_t)vl)
        return bad(msg, cap, "\"%s\" is not UTF-8 text", f->name);
    for (long i = 0; i < vl; i++)
        if ((unsigned char)f->out[i] < 0x20 || f->out[i] == 0x7f)
            return bad(msg, cap, "\"%s\" holds a control character", f->name);
    return MM_OK;
}

mm_err_t edge_form_parse(const char *body, size_t len, edge_form_field_t *fields, size_t n,
                         char *msg, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        fields[i].given = 0;
        if (fields[i].cap)
            fields[i].out[0] = 0;
    }
    if (len > EDGE_FORM_MAX)
        return bad(msg, cap, "the form is longer than %d bytes", EDGE_FORM_MAX);
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t plen = amp ? (size_t)(amp - (body + i)) : len - i;
        if (plen) {
            mm_err_t err = one_pair(body + i, plen, fields, n, msg, cap);
            if (err != MM_OK)
                return err;
        }
        i += plen + 1;
    }
    for (size_t k = 0; k < n; k++)
        if (fields[k].required && !fields[k].out[0])
            return bad(msg, cap, "the form needs \"%s\"", fields[k].name);
    return MM_OK;
}
