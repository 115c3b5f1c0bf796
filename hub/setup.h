/*
 * setup.h: `mimamori-hub setup`, the first install's questions (docs in hub/setup.c's usage),
 * and `--check-config`, which loads a configuration as the daemon would and says what is wrong.
 */
#ifndef HUB_SETUP_H
#define HUB_SETUP_H

/* argv[1] is "setup". Exit status: 0 written, 1 failure, 2 wrong usage or answer. */
int hub_setup_main(int argc, char **argv);
/* 0 when path loads (key file included), 2 with every problem printed otherwise. */
int hub_setup_check(const char *path);

#endif
