/*
 * BIP158 compact block filters: the Golomb-coded set (GCS), the basic
 * filter of a block, the filter hash and the filter header chain.
 *
 * Pure functions without state: any thread. Hashes are 32 bytes in
 * internal byte order (as the block hash); hash_to_hex shows them as Core
 * does.
 */
#ifndef BR_BLOCKFILTER_H
#define BR_BLOCKFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "util/buf.h"

/* Filter types (BIP158); basic is the only one defined. */
#define BLOCKFILTER_BASIC 0
#define BLOCKFILTER_TYPES 1

/* The basic filter's Golomb-Rice parameter and false-positive rate 1/M. */
#define BASIC_FILTER_P 19
#define BASIC_FILTER_M 784931u

/* A byte string borrowed from elsewhere (a script). */
struct bf_item {
	const uint8_t *p;
	size_t len;
};

/*
 * Appends to out the GCS of the distinct items (equal byte strings count
 * once) under the SipHash key k0, k1 with parameters p (1..32) and m:
 * CompactSize(N), then the sorted hashed values' differences Golomb-Rice
 * coded, most significant bit first, padded with zero bits to a byte.
 * The items array is reordered.
 */
void gcs_encode(uint64_t k0, uint64_t k1, int p, uint32_t m,
    struct bf_item *items, size_t n, struct wbuf *out);
/*
 * Whether the filter (as gcs_encode writes it) matches item: 1 if it may
 * hold it (false positives at the rate 1/m), 0 if it does not, -1 if the
 * filter is malformed.
 */
int gcs_match(uint64_t k0, uint64_t k1, int p, uint32_t m,
    const uint8_t *filter, size_t len, const uint8_t *item, size_t ilen);

/* The SipHash key of a block's filters: its hash's first 16 bytes. */
void blockfilter_key(const uint8_t block_hash[32], uint64_t *k0, uint64_t *k1);
/*
 * Appends block b's basic filter to out. Its elements: every output
 * script except empty ones and those starting with OP_RETURN, and every
 * non-empty script of the outputs its inputs spent, prev[0..nprev) (the
 * block's undo data; order does not matter), each distinct one once.
 */
void blockfilter_basic(const struct block *b, const struct bf_item *prev,
    size_t nprev, struct wbuf *out);
/* The filter hash: double SHA-256 of the encoded filter. */
void blockfilter_hash(const uint8_t *filter, size_t len, uint8_t out[32]);
/*
 * The filter header: double SHA-256 of the filter hash then the previous
 * block's header (32 zero bytes before the genesis block).
 */
void blockfilter_header(const uint8_t filter_hash[32],
    const uint8_t prev_header[32], uint8_t out[32]);

/* "basic" -> BLOCKFILTER_BASIC: 0, or -1 for an unknown name (exact match). */
int blockfilter_type_by_name(const char *name, uint8_t *type);
/* The type's name, "" if unknown. */
const char *blockfilter_type_name(uint8_t type);

#endif
