/*
 * Whole-file reads, for the files the node reads at once (configuration,
 * mempool.dat). Any thread.
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

#endif
