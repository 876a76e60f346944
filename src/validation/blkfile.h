/*
 * The reader of -loadblock files (blk*.dat or a bootstrap.dat): per block
 * the chain's message start, a 4-byte little-endian length, the raw block.
 * Bytes between blocks (zero padding of Core's preallocated files,
 * garbage) are skipped by scanning for the next message start, and a
 * length below a header or above the serialized block limit is treated as
 * garbage too. A truncated last block ends the file.
 *
 * No state: any thread (the import thread calls it).
 */
#ifndef BR_BLKFILE_H
#define BR_BLKFILE_H

#include <stdint.h>
#include <stdio.h>

/*
 * Called for each block: its bytes (valid during the call only), its
 * size, and the file offset just after it. Returns 0 to go on, -1 to stop.
 */
typedef int (*blkfile_block_fn)(void *arg, const uint8_t *block, uint32_t size,
    uint64_t end_off);

/*
 * Reads f to its end (or until on_block returns -1, or *stop, read
 * atomically, becomes non-zero; stop may be NULL). Returns the number of
 * blocks handed to on_block that it accepted.
 */
uint64_t blkfile_scan(FILE *f, const uint8_t magic[4], const int *stop,
    blkfile_block_fn on_block, void *arg);

#endif
