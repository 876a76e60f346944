/*
 * UTXO set statistics, as Bitcoin Core's gettxoutsetinfo computes them
 * (hash_type hash_serialized_3 and muhash), and MuHash3072.
 *
 * Threads: any; coinstats_compute runs over the caller's read transaction
 * and holds it for the whole scan (seconds on a large set: call it on an
 * RPC worker, never on the validation thread, and remember that the
 * transaction delays store_grow until it ends). The muhash functions are
 * pure and reentrant.
 */
#ifndef BR_COINSTATS_H
#define BR_COINSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"
#include "store/store.h"
#include "util/buf.h"

struct coinstats {
	int32_t height;	       /* the tip's; -1 for an empty chain */
	uint8_t bestblock[32]; /* internal order */
	uint64_t txouts;       /* unspent outputs */
	uint64_t transactions; /* distinct txids among them */
	uint64_t bogosize;     /* Core's GetBogoSize summed */
	int64_t total_amount;  /* satoshis */
	/*
	 * Double SHA-256 of every coin's serialization in outpoint order,
	 * internal order: display with hash_to_hex (reversed, as Core).
	 */
	uint8_t hash_serialized[32];
	int have_muhash;
	uint8_t muhash[32]; /* internal order, display reversed */
};

/*
 * Scans every coin of t. Returns 0, or a negative STORE_* code from the
 * store (the statistics are then incomplete and must not be shown).
 */
int coinstats_compute(struct store_rtxn *t, int want_muhash,
    struct coinstats *out);

/*
 * The bytes both hashes consume for one coin (Core's TxOutSer): txid (32,
 * internal order), LE32 n, LE32 height * 2 + coinbase, LE64 value,
 * CompactSize script length, script. Appended to w.
 */
void coinstats_serialize_coin(struct wbuf *w, const struct outpoint *op,
    const struct coin *c);

/*
 * MuHash3072: a set hash in the multiplicative group modulo the prime
 * 2^3072 - 1103717. Each element is SHA-256'd, the digest is expanded with
 * ChaCha20 (key = digest, nonce and counter 0) into 384 bytes read as a
 * little-endian number, and multiplied into the numerator (insert) or the
 * denominator (remove). The final hash is SHA-256 of numerator/denominator
 * as 384 little-endian bytes. Insertion order does not matter.
 */
#define MUHASH_LIMBS (3072 / 64)
struct muhash {
	uint64_t num[MUHASH_LIMBS]; /* little-endian limbs, reduced */
	uint64_t den[MUHASH_LIMBS];
};

void muhash_init(struct muhash *m);
void muhash_insert(struct muhash *m, const void *data, size_t len);
void muhash_remove(struct muhash *m, const void *data, size_t len);
/* Leaves m holding the same set (denominator folded in). */
void muhash_finalize(struct muhash *m, uint8_t out[32]);

#endif
