/*
 * Whole-file reads and writes, for the files the node reads or writes at
 * once (configuration, mempool.dat, fee_estimates.dat). Any thread.
 */
#ifndef BR_FILE_H
#define BR_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads the regular file at path into an xmalloc'd buffer with a NUL after
 * its len bytes (so text can be parsed as a string); the caller frees it.
 * Returns 0, or -1 with errno set: EISDIR for a directory, EFBIG past max
 * bytes (max 0: no limit), EIO when the file ends before its size.
 */
int file_read_all(const char *path, size_t max, uint8_t **out, size_t *len);

/*
 * Replaces the file at path with len bytes, durably: written to
 * "<path>.new", fsync'd, renamed over path, and the directory fsync'd, so
 * a crash leaves the old file or the new one, never a torn one. 0, or -1
 * with errno set and *step naming what failed ("create", "write",
 * "rename"); the temporary file is removed.
 */
int file_write_atomic(const char *path, const uint8_t *p, size_t len,
    const char **step);

#endif
