/*
 * files.h: making a directory's entries durable.
 *
 * A file that is created, renamed or unlinked survives a crash only once its directory has been
 * synced too (fsync of the file covers its bytes, not its name). Every module that publishes a
 * file under its final name calls this after the rename.
 */
#ifndef MM_FILES_H
#define MM_FILES_H

#include "common/err.h"

/* fsync of the directory dir. MM_EIO (errno kept) when it cannot be opened or synced. */
mm_err_t mm_dir_sync(const char *dir);

/* mm_dir_sync of the directory that holds path ("." when path has no slash). MM_ERANGE when
 * that directory's name is longer than PATH_MAX. */
mm_err_t mm_dir_sync_of(const char *path);

#endif
