/*
 * files.h: making a directory's entries durable, and checking that a secret file is private.
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

/*
 * A key or token file (path) must be readable by its owner alone: MM_EDENIED, with why naming
 * the file, its mode and the fix ("chmod 600 FILE"), when the group or others may read or write
 * it; MM_EIO with why when it cannot be looked at. The daemons refuse to start on either.
 */
mm_err_t mm_file_private_check(const char *path, char *why, size_t cap);

#endif
