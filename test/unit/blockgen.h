/*
 * Test helper: builds transactions and blocks in C for the validation
 * tests (coinbases with the BIP34 height, anyone-can-spend outputs, spends,
 * witness commitments), solved against regtest's easy target.
 *
 * Everything is a plain value owned by the caller; bg_*_free releases it.
 */
#ifndef BR_TEST_BLOCKGEN_H
#define BR_TEST_BLOCKGEN_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "util/buf.h"

struct chainparams;

#define BG_MAX_SCRIPT 540
#define BG_MAX_WIT 4

/* OP_TRUE: spendable with an empty scriptSig. */
extern const uint8_t bg_op_true[1];
/* P2WSH of OP_TRUE: spent with the witness [OP_TRUE]. */
extern uint8_t bg_p2wsh_true[34];

struct bg_in {
	uint8_t txid[32];
	uint32_t n;
	uint8_t script[BG_MAX_SCRIPT];
	size_t script_len;
	uint32_t sequence;
	size_t nwit;
	uint8_t wit[BG_MAX_WIT][BG_MAX_SCRIPT];
	size_t wit_len[BG_MAX_WIT];
	const uint8_t *big; /* borrowed: a last, large witness item */
	size_t big_len;
};

struct bg_out {
	int64_t value;
	uint8_t script[BG_MAX_SCRIPT];
	size_t script_len;
};

struct bg_tx {
	int32_t version;
	uint32_t locktime;
	size_t nin, nout;
	struct bg_in *in;
	struct bg_out *out;
};

void bg_init(void);
void bg_tx_init(struct bg_tx *t);
void bg_tx_free(struct bg_tx *t);
void bg_tx_copy(struct bg_tx *dst, const struct bg_tx *src);
struct bg_in *bg_tx_add_in(struct bg_tx *t, const uint8_t txid[32],
    uint32_t n);
struct bg_out *bg_tx_add_out(struct bg_tx *t, int64_t value,
    const uint8_t *script, size_t len);
void bg_in_add_wit(struct bg_in *in, const uint8_t *item, size_t len);
int bg_tx_has_witness(const struct bg_tx *t);
void bg_tx_serialize(const struct bg_tx *t, struct wbuf *w, int with_witness);
void bg_tx_txid(const struct bg_tx *t, uint8_t txid[32]);
void bg_tx_wtxid(const struct bg_tx *t, uint8_t wtxid[32]);

struct bg_block {
	struct block_header hdr;
	int32_t height;
	size_t ntx, cap;
	struct bg_tx *txs; /* txs[0] is the coinbase */
};

/*
 * A block on prev at height with a coinbase paying value (use
 * bg_subsidy) to OP_TRUE, its scriptSig the height push and an extra byte.
 */
void bg_block_init(struct bg_block *b, const uint8_t prev[32], int32_t height,
    uint32_t time, uint32_t bits, int64_t value);
void bg_block_free(struct bg_block *b);
/* Appends a copy of t. */
void bg_block_add(struct bg_block *b, const struct bg_tx *t);
/* Adds the BIP141 commitment output and the coinbase's reserved value. */
void bg_block_commit_witness(struct bg_block *b);
/* Sets the merkle root from the current transactions. */
void bg_block_merkle(struct bg_block *b);
/* Grinds the nonce until the header meets its nBits (regtest: quick). */
void bg_block_solve(struct bg_block *b, const struct chainparams *cp);
/* Grinds until the header does NOT meet its nBits. */
void bg_block_unsolve(struct bg_block *b, const struct chainparams *cp);
void bg_block_hash(const struct bg_block *b, uint8_t hash[32]);
/* Serializes with witnesses; the caller frees w. */
void bg_block_serialize(const struct bg_block *b, struct wbuf *w);
int64_t bg_subsidy(int32_t height);

#endif
