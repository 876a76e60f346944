/*
 * Transactions (BIP144 serialization).
 *
 * A parsed struct tx borrows: scripts and witness items point into the bytes
 * that were parsed, which the caller must keep alive and unchanged for the
 * life of the tx. Only the vin/vout/witness arrays are allocated; tx_free
 * releases them (not the borrowed bytes). A tx built by hand may point its
 * scripts anywhere that outlives it.
 *
 * txid and wtxid are computed by tx_parse and by tx_compute_ids.
 */
#ifndef BR_TX_H
#define BR_TX_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define COIN 100000000LL
#define MAX_MONEY (21000000LL * COIN)
#define SEQUENCE_FINAL 0xffffffffu
/*
 * nLockTime below this is a block height, from it on a UNIX time (Core's
 * LOCKTIME_THRESHOLD).
 */
#define LOCKTIME_THRESHOLD 500000000u
/*
 * BIP68 relative lock times in nSequence (Core's CTxIn constants): bit 31
 * disables the lock, bit 22 makes it a time in units of 512 seconds
 * (granularity 9) instead of blocks, and the low 16 bits are the value.
 */
#define SEQUENCE_LOCKTIME_DISABLE_FLAG (1u << 31)
#define SEQUENCE_LOCKTIME_TYPE_FLAG (1u << 22)
#define SEQUENCE_LOCKTIME_MASK 0x0000ffffu
#define SEQUENCE_LOCKTIME_GRANULARITY 9
/* BIP141: a byte outside the witness weighs this much, one inside it 1. */
#define WITNESS_SCALE_FACTOR 4

struct witem {
	const uint8_t *p;
	size_t len;
};

struct outpoint {
	uint8_t hash[32];
	uint32_t n;
};

struct txin {
	struct outpoint prevout;
	const uint8_t *script;
	size_t script_len;
	uint32_t sequence;
	size_t wit_count;
	struct witem *wit; /* wit_count items, allocated */
};

struct txout {
	int64_t value;
	const uint8_t *script;
	size_t script_len;
};

struct tx {
	int32_t version;
	uint32_t locktime;
	size_t vin_count;
	struct txin *vin;
	size_t vout_count;
	struct txout *vout;
	uint8_t txid[32];
	uint8_t wtxid[32];
	size_t total_size; /* serialized with witness */
	size_t base_size;  /* serialized without witness */
	uint8_t *arena;	   /* owned bytes (tx_copy), or NULL when borrowed */
};

enum tx_parse_flags {
	TX_ALLOW_WITNESS = 1,
};

/*
 * Parses one transaction at r's cursor. Returns 0, or -1 on malformed input
 * (truncated, non-canonical CompactSize, counts over the size limit,
 * superfluous witness marker, witness flag with all-empty witnesses), in
 * which case *tx holds nothing to free and r's offset is unspecified.
 */
int tx_parse(struct rbuf *r, struct tx *tx, int flags);
void tx_free(struct tx *tx);
void tx_serialize(const struct tx *tx, struct wbuf *w, int with_witness);
void tx_compute_ids(struct tx *tx);
int tx_has_witness(const struct tx *tx);
int tx_is_coinbase(const struct tx *tx);
/* BIP141 weight: base_size * 3 + total_size. */
size_t tx_weight(const struct tx *tx);
/* Deep copy whose scripts and witness items live in one xmalloc'd arena. */
void tx_copy(struct tx *dst, const struct tx *src);

#endif
