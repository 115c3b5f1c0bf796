/*
 * err.c: messages for mm_err_t, generated from the same table as the enum.
 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *mm_strerror(int err)
{
    switch (err) {
    case MM_OK:
        return "success";
#define MM_ERR_MSG(name, code, msg)                                                                \
    case MM_E##name:                                                                               \
        return msg;
        MM_ERR_MAP(MM_ERR_MSG)
#undef MM_ERR_MSG
    }
    return "unknown error";
}

const char *mm_err_name(int err)
{
    switch (err) {
    case MM_OK:
        return "MM_OK";
#define MM_ERR_NAME(name, code, msg)                                                               \
    case MM_E##name:                                                                               \
        return "MM_E" #name;
        MM_ERR_MAP(MM_ERR_NAME)
#undef MM_ERR_NAME
    }
    return "MM_E?";
}

mm_err_t mm_errf(mm_err_t err, char *msg, size_t cap, const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}
