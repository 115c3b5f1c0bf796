/*
 * setup.h: `mimamori-edge setup`, the first install's questions of a site (usage in
 * edge/setup.c), and `--check-config`, which loads a site configuration as the edge would.
 */
#ifndef EDGE_SETUP_H
#define EDGE_SETUP_H

/* argv[1] is "setup". Exit status: 0 written, 1 failure, 2 wrong usage or answer. */
int edge_setup_main(int argc, char **argv);
/* 0 when path loads (key file included), 2 with every problem printed otherwise. */
int edge_setup_check(const char *path);

#endif
