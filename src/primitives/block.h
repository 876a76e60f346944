/*
 * Block headers and blocks. A parsed struct block borrows its raw bytes (see
 * tx.h): keep them alive for the life of the block.
 */
#ifndef BR_BLOCK_H
#define BR_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"
#include "util/buf.h"

#define BLOCK_HEADER_SIZE 80
#define MAX_BLOCK_WEIGHT 4000000
#define MAX_BLOCK_SERIALIZED_SIZE 4000000
#define MAX_BLOCK_SIGOPS_COST 80000

struct block_header {
	int32_t version;
	uint8_t prev[32];
	uint8_t merkle[32];
	uint32_t time;
	uint32_t bits;
	uint32_t nonce;
};

struct block {
	struct block_header hdr;
	uint8_t hash[32];
	size_t tx_count;
	struct tx *txs;
	size_t size; /* serialized size with witness */
};

int header_parse(struct rbuf *r, struct block_header *h);
void header_serialize(const struct block_header *h, uint8_t out[80]);
void header_hash(const struct block_header *h, uint8_t out[32]);

/* Returns 0, or -1 if malformed or if bytes are left after the last tx. */
int block_parse(const uint8_t *raw, size_t len, struct block *b);
/*
 * A block at the start of raw, as Core reads one from a message or a hex
 * string: bytes after the last transaction are ignored (Core's
 * DecodeHexBlk and its "block" message handler never look at them). *used
 * is the block's own length, the bytes to keep. Returns 0, or -1 if the
 * block itself is malformed.
 */
int block_parse_prefix(const uint8_t *raw, size_t len, struct block *b,
    size_t *used);
void block_free(struct block *b);
void block_serialize(const struct block *b, struct wbuf *w, int with_witness);

/*
 * Merkle root of the txids; *mutated is set when two identical hashes end a
 * level (CVE-2012-2459), as Core's BlockMerkleRoot does.
 */
void block_merkle_root(const struct block *b, uint8_t out[32], int *mutated);
/* Same over wtxids, with the coinbase's taken as zero (BIP141). */
void block_witness_merkle_root(const struct block *b, uint8_t out[32]);
/* Merkle root of an array of n 32-byte hashes (n > 0). */
void merkle_root(const uint8_t (*hashes)[32], size_t n, uint8_t out[32],
    int *mutated);
/*
 * Weight and the witness commitment are consensus rules:
 * consensus_block_weight, consensus_witness_commitment_index
 * (consensus/consensus.h).
 */

#endif
