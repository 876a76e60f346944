/*
 * Helpers shared by test_store.c and test_store_crash.c: temporary store
 * directories and deterministic records to write and check.
 */
#ifndef BR_TEST_STORE_TESTUTIL_H
#define BR_TEST_STORE_TESTUTIL_H

#include <stdint.h>

#include "store/store.h"

/* The regtest network magic the test stores are opened with. */
extern const uint8_t REGTEST[4];

/* A fresh temporary directory; the store goes in <tmp>/chainstate. */
struct tdir {
	char base[256];
	char cs[300];
};
void tdir_make(struct tdir *t);
void tdir_free(struct tdir *t);

/* A hash made from (i, tag): distinct for distinct pairs. */
void mkhash(uint32_t i, uint8_t tag, uint8_t out[32]);
/* Index entry number i, every field set from i; entry_equal compares all. */
void fill_entry(struct block_index_entry *e, uint32_t i);
int entry_equal(const struct block_index_entry *a,
    const struct block_index_entry *b);

/*
 * Block i of the map-growth tests from blob (at least 20,064 bytes): raw
 * block, undo, 10 coins and the tip in one transaction; a STORE_ status.
 * write_block_grow grows the map and retries on STORE_MAPFULL, counting
 * the grows. verify_blocks: whether blocks 0..n-1 read back intact.
 */
/* Test block i (20000 bytes from blob, made unique) and its hash. */
void test_block(uint32_t i, const uint8_t *blob, uint8_t raw[20000],
    uint8_t hash[32]);
int write_block(struct store *s, uint32_t i, const uint8_t *blob);
int write_block_grow(struct store *s, uint32_t i, const uint8_t *blob,
    int *grows);
int verify_blocks(struct store *s, uint32_t n, const uint8_t *blob);

#endif
