/*
 * players.c: the players a site's configuration names (see players.h). Pure: it reads the
 * configuration and splits commands; starting a player is player.h's.
 */
#include "edge/players.h"

#include <stdio.h>
#include <string.h>

/* What a shell would read as more than a word; a command holding one is refused rather than
 * run differently from how it reads. */
#define SHELL_CHARS "|&;<>()$`\\\"'*?{}"

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= EDGE_PLAYER_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

int edge_player_words(const char *command, char *buf, size_t cap, char **argv, size_t max)
{
    size_t len = strlen(command);
    if (len + 1 > cap || max < 2)
        return -1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)command[i] < 0x20 || command[i] == 0x7f ||
            strchr(SHELL_CHARS, command[i]))
            return -1;
    memcpy(buf, command, len + 1);
    size_t n = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (n + 1 >= max)
            return -1;
        argv[n++] = w;
    }
    argv[n] = NULL;
    return n ? (int)n : -1;
}

static void add_default(edge_players_t *out)
{
    out->n = 1;
    snprintf(out->v[0].name, sizeof out->v[0].name, "%s", EDGE_PLAYER_DEFAULT_NAME);
    snprintf(out->v[0].command, sizeof out->v[0].command, "%s", EDGE_PLAYER_DEFAULT_CMD);
}

void edge_players_parse(mm_conf_t *conf, json_t *root, edge_players_t *out)
{
    memset(out, 0, sizeof *out);
    json_t *p = json_object_get(root, "players");
    if (!p) {
        add_default(out);
        return;
    }
    if (!json_is_object(p)) {
        mm_conf_problem(conf, "players",
                        "must be an object naming each player and its command, e.g. "
                        "{\"" EDGE_PLAYER_DEFAULT_NAME "\": \"" EDGE_PLAYER_DEFAULT_CMD "\"}");
        return;
    }
    if (json_object_size(p) > EDGE_MAX_PLAYERS) {
        mm_conf_problem(conf, "players", "at most %d players, got %zu", EDGE_MAX_PLAYERS,
                        json_object_size(p));
        return;
    }
    const char *name;
    json_t *v;
    json_object_foreach(p, name, v)
    {
        char kp[EDGE_PLAYER_NAME_MAX + 80];
        snprintf(kp, sizeof kp, "players.%.*s", EDGE_PLAYER_NAME_MAX + 8, name);
        if (!name_ok(name)) {
            mm_conf_problem(conf, kp, "a player's name is 1-31 characters of A-Z a-z 0-9 . _ -");
            continue;
        }
        const char *cmd = json_string_value(v);
        char buf[EDGE_PLAYER_CMD_MAX];
        char *argv[EDGE_PLAYER_WORDS_MAX];
        if (!cmd) {
            mm_conf_problem(conf, kp, "must be the player's command, a string");
        } else if (strlen(cmd) >= EDGE_PLAYER_CMD_MAX) {
            mm_conf_problem(conf, kp, "a command has at most %d bytes, got %zu",
                            EDGE_PLAYER_CMD_MAX - 1, strlen(cmd));
        } else if (edge_player_words(cmd, buf, sizeof buf, argv, EDGE_PLAYER_WORDS_MAX) < 0) {
            mm_conf_problem(conf, kp,
                            "the command runs without a shell: at most %d words separated by "
                            "spaces, with none of %s or control characters; got \"%.80s\"",
                            EDGE_PLAYER_WORDS_MAX - 1, SHELL_CHARS, cmd);
        } else {
            edge_player_conf_t *pl = &out->v[out->n++];
            snprintf(pl->name, sizeof pl->name, "%s", name);
            snprintf(pl->command, sizeof pl->command, "%s", cmd);
        }
    }
}

const edge_player_conf_t *edge_players_find(const edge_players_t *p, const char *name)
{
    for (size_t i = 0; name && i < p->n; i++)
        if (strcmp(p->v[i].name, name) == 0)
            return &p->v[i];
    return NULL;
}

void edge_players_names(const edge_players_t *p, char *buf, size_t cap)
{
    size_t at = 0;
    if (cap)
        buf[0] = 0;
    for (size_t i = 0; i < p->n && at < cap; i++) {
        int n = snprintf(buf + at, cap - at, "%s%s", i ? ", " : "", p->v[i].name);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    if (p->n == 0)
        snprintf(buf, cap, "(none)");
}
