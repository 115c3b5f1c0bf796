/*
 * redact.h: what a URL must not show when it is written where people read (a diagnostic line, a
 * site-log entry, a status answer, a configuration problem).
 *
 * A camera's RTSP URL carries its password ("rtsp://user:PASS@host/path"), and a query string
 * may carry a token; neither belongs in a log. Every place that shows a URL, or a text that may
 * hold one (a library's message), passes it through mm_redact first.
 */
#ifndef MM_REDACT_H
#define MM_REDACT_H

#include <stddef.h>

/* Enough for a camera URL or a diagnostic line; longer text is cut (and still redacted). */
#define MM_REDACT_MAX 1024

/*
 * Copies text into out (cap bytes, at least 1; always NUL-terminated, cut when it does not fit)
 * with every URL in it ("scheme://..." up to white space or a quote) made safe to show: its user
 * information keeps the user name and hides the password ("rtsp://user:***@host/..."; a user
 * information without a colon, which may itself be a token, becomes "***@"), and its query
 * becomes "?***". An '@' anywhere before the query counts as the end of the user information,
 * so that an unencoded '/' in a password hides too much rather than too little. Returns out.
 */
const char *mm_redact(const char *text, char *out, size_t cap);

#endif
