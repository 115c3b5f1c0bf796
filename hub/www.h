/*
 * www.h: the city's dashboard — the static files under hub/www, compiled into the hub at build
 * time (common/www_embed.cmake), and the routes that serve them:
 *
 *   GET /                 index.html: the dashboard (it asks for a token when it has none)
 *   GET /registry         registry.html: the public registry, for residents (no login)
 *   GET /static/{name}    static/<name>: scripts, style sheet, icon
 *
 * Nothing is read from disk: a name is looked up in the compiled-in table only, so a path
 * cannot reach any other file, and the installed hub needs no directory of its own. Each answer
 * carries its content type, an ETag (a hash of the file) with Cache-Control: no-cache, so that
 * a browser revalidates and gets 304 until the hub is upgraded, and the security headers of
 * every hub answer (http.h). The pages hold no inline script or style, so the
 * Content-Security-Policy can allow only the hub's own files.
 */
#ifndef HUB_WWW_H
#define HUB_WWW_H

#include <stddef.h>

#include "common/err.h"
#include "hub/http.h"
#include "common/httpparse.h"
#include "common/www.h"

/* The longest name looked up: "static/" and a decoded path segment. */
#define HUB_WWW_NAME_MAX (sizeof "static/" + MM_HTTP_PARAM_MAX)

/* A file of hub/www (common/www.h). */
typedef mm_www_file_t hub_www_file_t;

/* The table the build generates (www_files.c, common/www_embed.cmake), in name order. */
extern const hub_www_file_t hub_www_files[];
extern const size_t hub_www_n_files;

/* The file called name (NUL-terminated, exact match), or NULL. The result is static. */
const hub_www_file_t *hub_www_find(const char *name);

/* Adds the routes above to h (three of its routes). */
mm_err_t hub_www_register(hub_http_t *h);

#endif
