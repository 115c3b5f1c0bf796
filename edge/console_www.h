/*
 * console_www.h: the site console's files — the folder edge/www, compiled into the edge at build
 * time (common/www_embed.cmake through mm_embed_www, edge/CMakeLists.txt) as the hub's dashboard
 * is (hub/www.h). Nothing is read from disk: console_pages.c looks names up in this table only.
 */
#ifndef EDGE_CONSOLE_WWW_H
#define EDGE_CONSOLE_WWW_H

#include <stddef.h>

#include "common/www.h"

/* The table the build generates, in name order. */
extern const mm_www_file_t edge_console_www_files[];
extern const size_t edge_console_www_n_files;

#endif
