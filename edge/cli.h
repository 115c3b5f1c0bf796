/*
 * cli.h: the operator commands of mimamori-edge (status, cameras, search, playback, standards,
 * operators, emergency, camera, requests, disclosures, disclosure, complaint, complaints, hold,
 * holds), each a client of the running edge's control socket (control.h). The edge decides what
 * the caller may do; the client only asks and shows.
 *
 * Exit status, the same for every command:
 *   0 done; 1 the edge failed or is busy; 2 bad usage or a request the edge found malformed;
 *   3 refused: the caller may not do this; 4 not found (camera, person, grant, footage, city or
 *   disclosure request, complaint); 5 conflict (already in that state: answered, decided, expired,
 *   closed; a disclosure its approver alone prepared); 6 the edge cannot be reached.
 */
#ifndef EDGE_CLI_H
#define EDGE_CLI_H

#include <stdint.h>

enum {
    EDGE_EXIT_OK = 0,
    EDGE_EXIT_FAILED = 1,
    EDGE_EXIT_USAGE = 2,
    EDGE_EXIT_DENIED = 3,
    EDGE_EXIT_NOT_FOUND = 4,
    EDGE_EXIT_CONFLICT = 5,
    EDGE_EXIT_UNREACHABLE = 6,
};

/* Whether argv[1] names an operator command. */
int edge_cli_is_command(const char *name);

/* Runs the command argv[1] with its arguments; returns the exit status. */
int edge_cli_main(int argc, char **argv);

/*
 * Parses a time for --from/--to: "now", "-90s", "-10m", "-2h", "-1d" (before now), "@<unix
 * seconds>", or a date and time "YYYY-MM-DD HH:MM[:SS]" / "YYYY-MM-DDTHH:MM[:SS]" in the process's
 * zone — the command makes it the site's (timefmt.h mm_tz_use) before it reads one — or with a
 * trailing "Z" in UTC. -1 when it is none of those.
 */
int edge_cli_parse_time(const char *s, int64_t now_us, int64_t *out_us);

#endif
