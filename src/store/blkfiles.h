/*
 * Block files: the raw blocks (blkNNNNN.dat) and undo data (revNNNNN.dat)
 * of the store, framed as Bitcoin Core's: each record is the chain's
 * message start, a little-endian 32-bit length and the bytes; an undo
 * record is followed by its 32-byte checksum. Where a record is, and how
 * far each file is used, lives in LMDB (store_blocks.c); this layer only
 * writes, flushes and reads bytes at given places and checks the frame.
 *
 * Threads: blkfiles_write on the writer threads (LMDB's writer lock makes
 * them take turns); blkfiles_flush from any thread (store_sync);
 * blkfiles_read from any thread (it opens its own descriptor, so a reader
 * never races a writer's eviction of a cached one). The write cache is
 * guarded by mu, a leaf lock.
 */
#ifndef BR_STORE_BLKFILES_H
#define BR_STORE_BLKFILES_H

#include <stddef.h>
#include <stdint.h>

#define BLKF_BLOCK 0 /* blkNNNNN.dat */
#define BLKF_UNDO 1  /* revNNNNN.dat */
/* Message start and length before each record. */
#define BLKF_HDR 8
/* The checksum after an undo record (Core's rev files). */
#define BLKF_UNDO_SUM 32
/* Core's MAX_BLOCKFILE_SIZE, and its -fastprune size. */
#define BLKF_MAX_SIZE (128u << 20)
#define BLKF_FAST_SIZE 0x10000u

struct blkfiles;

/* Creates dir if missing. -1 with a message in err. */
int blkfiles_open(const char *dir, const uint8_t magic[4], uint32_t max_size,
    struct blkfiles **out, char *err, size_t errlen);
/* Flushes (fdatasync) what is dirty and closes. */
void blkfiles_close(struct blkfiles *bf);
const char *blkfiles_dir(const struct blkfiles *bf);
uint32_t blkfiles_max_size(const struct blkfiles *bf);
/* "DIR/blk00012.dat" into buf. */
void blkfiles_path(const struct blkfiles *bf, int kind, uint32_t num,
    char *buf, size_t len);

/*
 * Writes one record, header then data then tail (tail_len 0 for a block,
 * the checksum for undo), so that the data starts at byte off + BLKF_HDR
 * of file num. The file is created if missing. 0, or -1 (logged).
 */
int blkfiles_write(struct blkfiles *bf, int kind, uint32_t num, uint64_t off,
    const uint8_t *data, uint32_t len, const uint8_t *tail, uint32_t tail_len);
/*
 * Makes every write so far durable: fdatasync of each file written since
 * the last flush, and of the directory when a file was created. 0 or -1
 * (logged).
 */
int blkfiles_flush(struct blkfiles *bf);

/*
 * Reads the record whose data starts at pos in file num and is len bytes
 * long, followed by tail_len more bytes: checks that the file is there,
 * that the record and its tail lie inside the file, and the frame (the
 * message start and a length equal to len). On success *out (malloc'd,
 * len + tail_len bytes, at least 1) belongs to the caller. -1 with the
 * file, the offset and what is wrong in err.
 */
int blkfiles_read(const struct blkfiles *bf, int kind, uint32_t num,
    uint32_t pos, uint32_t len, uint32_t tail_len, uint8_t **out, char *err,
    size_t errlen);
/* The same on an open descriptor (name is for messages); for the fuzzer. */
int blkfiles_read_fd(int fd, const char *name, const uint8_t magic[4],
    uint32_t pos, uint32_t len, uint32_t tail_len, uint8_t **out, char *err,
    size_t errlen);
/* Removes file num of kind (pruning); a missing file is not an error. */
int blkfiles_remove(struct blkfiles *bf, int kind, uint32_t num);

#endif
