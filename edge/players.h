/*
 * players.h: the players a site's configuration names — the only programs the edge starts to
 * show footage (R-N7.3: viewing is looking, not copying).
 *
 *   "players": {"ffplay": "ffplay -loglevel error -autoexit -",
 *               "mpv": "/usr/bin/mpv --really-quiet -"}
 *
 * Each player has a name (what `mimamori-edge playback --player NAME` asks for) and a command:
 * words separated by spaces, the first a program (looked up on the edge's PATH, or a path), run
 * by the edge without a shell, with the MPEG-TS stream on its standard input. Characters a shell
 * would read differently (| & ; < > ( ) $ ` \ " ' * ? { } and control characters) are refused, so
 * that what the configuration says is exactly what runs. Without the key a site has one player,
 * EDGE_PLAYER_DEFAULT_NAME; an empty object names none (playback then only goes to the site
 * console over the control socket). The players are part of the standards document, so a change
 * is a new version filed with the city.
 */
#ifndef EDGE_PLAYERS_H
#define EDGE_PLAYERS_H

#include <jansson.h>
#include <stddef.h>

#include "common/config.h"

#define EDGE_MAX_PLAYERS 8
#define EDGE_PLAYER_NAME_MAX 32  /* bytes of a name, with its NUL */
#define EDGE_PLAYER_CMD_MAX 1024 /* bytes of a command, with its NUL */
#define EDGE_PLAYER_WORDS_MAX 32 /* words of a command */
#define EDGE_PLAYER_DEFAULT_NAME "ffplay"
#define EDGE_PLAYER_DEFAULT_CMD "ffplay -loglevel error -autoexit -"

typedef struct {
    char name[EDGE_PLAYER_NAME_MAX];
    char command[EDGE_PLAYER_CMD_MAX];
} edge_player_conf_t;

typedef struct {
    size_t n;
    edge_player_conf_t v[EDGE_MAX_PLAYERS]; /* in the configuration's order */
} edge_players_t;

/*
 * Reads root's "players" into out (the default player when the key is absent), recording each
 * problem in conf under "players" or "players.NAME": not an object, more than EDGE_MAX_PLAYERS,
 * a name that is not 1-31 of a-z A-Z 0-9 . _ -, a command that is empty, too long, has too many
 * words or a character a shell would read differently.
 */
void edge_players_parse(mm_conf_t *conf, json_t *root, edge_players_t *out);

/* The player called name, or NULL. */
const edge_player_conf_t *edge_players_find(const edge_players_t *p, const char *name);

/* The players' names, "ffplay, mpv" ("(none)" when there is none), into buf. */
void edge_players_names(const edge_players_t *p, char *buf, size_t cap);

/*
 * Splits command into its words: copies it into buf (cap bytes) and points argv[0..n) into the
 * copy, argv[n] = NULL. Returns n (at least 1), or -1 when command is empty, does not fit, has
 * more than max - 1 words, or holds a character edge_players_parse refuses.
 */
int edge_player_words(const char *command, char *buf, size_t cap, char **argv, size_t max);

#endif
