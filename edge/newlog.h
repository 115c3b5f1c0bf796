/*
 * newlog.h: `mimamori-edge new-log`, the step of the recovery from a lost store (a disk replaced)
 * that lets the hub accept the site's log again.
 *
 * The site keeps its key (from the key file's backup) but its log is gone: a log that starts at
 * index 0 again would differ from the one the hub holds, which the hub refuses as a fork. So,
 * before the edge first starts on the new, empty store, this writes entry 0 of a new log: a
 * log_restarted entry (common/entry.h) with the epoch (1 for the first log begun anew, then 2...,
 * as the hub's finding or the site's record says), the reason and the size of the lost log the
 * hub held. The hub, seeing it as entry 0 of a batch that does not match what it holds, closes
 * the old log at its size (kept, readable), opens a new one for the site, stores the batch and
 * raises the finding "site_log_restarted" (hub/mirror.h). The epoch must be the next one, so an
 * old first batch replayed later cannot begin the log anew a second time.
 */
#ifndef EDGE_NEWLOG_H
#define EDGE_NEWLOG_H

/* new-log --config FILE --epoch N --reason TEXT [--previous-size N]: 0 written, 1 refused or
 * failed (the reason on stderr), 2 wrong usage or a configuration that does not load. */
int edge_newlog_main(int argc, char **argv);

#endif
