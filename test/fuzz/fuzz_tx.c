/*
 * libFuzzer target for transaction parsing (primitives/tx.h) and the
 * context-free checks (consensus_check_tx, consensus/consensus.h).
 *
 * Input: one byte of parse flags (bit 0: allow witness), then the bytes of
 * a transaction; trailing bytes are left unread. When tx_parse accepts:
 *  - serializing the tx gives back exactly the bytes it consumed, and those
 *    bytes parse again to the same tx;
 *  - txid and wtxid are the double SHA-256 of the stripped and the full
 *    serialization, and total_size, base_size and the weight agree;
 *  - tx_copy and tx_compute_ids give the same ids and sizes;
 *  - with and without witness parsing the answer only differs where BIP144
 *    says it may (an empty input list read as the marker);
 *  - consensus_check_tx gives the answer and the reason of an independent
 *    rendering of Core's CheckTransaction, checks in Core's order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_tx"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Serializes tx into a fresh wbuf the caller frees. */
static void
serialize(const struct tx *tx, int with_witness, struct wbuf *w)
{
	wbuf_init(w);
	tx_serialize(tx, w, with_witness);
}

static int
same_tx(const struct tx *a, const struct tx *b)
{
	return memcmp(a->txid, b->txid, 32) == 0 &&
	    memcmp(a->wtxid, b->wtxid, 32) == 0 &&
	    a->total_size == b->total_size && a->base_size == b->base_size &&
	    a->vin_count == b->vin_count && a->vout_count == b->vout_count &&
	    a->version == b->version && a->locktime == b->locktime;
}

/* Core's CheckTransaction, written out plainly, for comparison. */
static const char *
reference_check(const struct tx *tx)
{
	static const uint8_t zero[32];
	struct wbuf w;
	int64_t total = 0;
	size_t i, j, stripped;
	int coinbase;

	if (tx->vin_count == 0)
		return "bad-txns-vin-empty";
	if (tx->vout_count == 0)
		return "bad-txns-vout-empty";
	serialize(tx, 0, &w);
	stripped = w.len;
	wbuf_free(&w);
	if (stripped * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
		return "bad-txns-oversize";
	for (i = 0; i < tx->vout_count; i++) {
		if (tx->vout[i].value < 0)
			return "bad-txns-vout-negative";
		if (tx->vout[i].value > MAX_MONEY)
			return "bad-txns-vout-toolarge";
		total += tx->vout[i].value;
		if (total > MAX_MONEY)
			return "bad-txns-txouttotal-toolarge";
	}
	for (i = 0; i < tx->vin_count; i++)
		for (j = i + 1; j < tx->vin_count; j++)
			if (tx->vin[i].prevout.n == tx->vin[j].prevout.n &&
			    memcmp(tx->vin[i].prevout.hash,
				tx->vin[j].prevout.hash, 32) == 0)
				return "bad-txns-inputs-duplicate";
	coinbase = tx->vin_count == 1 && tx->vin[0].prevout.n == UINT32_MAX &&
	    memcmp(tx->vin[0].prevout.hash, zero, 32) == 0;
	if (coinbase) {
		if (tx->vin[0].script_len < 2 || tx->vin[0].script_len > 100)
			return "bad-cb-length";
	} else {
		for (i = 0; i < tx->vin_count; i++)
			if (tx->vin[i].prevout.n == UINT32_MAX &&
			    memcmp(tx->vin[i].prevout.hash, zero, 32) == 0)
				return "bad-txns-prevout-null";
	}
	return NULL;
}

static void
check_parsed(const struct tx *tx, const uint8_t *raw, size_t consumed,
    int flags)
{
	struct wbuf full, stripped;
	struct tx copy, re, shallow;
	struct rbuf r;
	uint8_t h[32];
	const char *reason = NULL, *want;
	int rc;

	PROP(tx->total_size == consumed);
	if (!(flags & TX_ALLOW_WITNESS))
		PROP(!tx_has_witness(tx));

	/* Round trip: exactly the consumed bytes. */
	serialize(tx, 1, &full);
	PROP(full.len == consumed);
	PROP(memcmp(full.p, raw, consumed) == 0);
	serialize(tx, 0, &stripped);
	PROP(stripped.len == tx->base_size);
	PROP(tx_has_witness(tx) ? stripped.len < full.len :
				  stripped.len == full.len);

	/* Ids are the hashes of the two serializations. */
	hash256(stripped.p, stripped.len, h);
	PROP(memcmp(h, tx->txid, 32) == 0);
	hash256(full.p, full.len, h);
	PROP(memcmp(h, tx->wtxid, 32) == 0);
	PROP(tx_weight(tx) == stripped.len * 3 + full.len);

	/* Recomputing the ids from the structure changes nothing. */
	shallow = *tx;
	memset(shallow.txid, 0, 32);
	memset(shallow.wtxid, 0, 32);
	shallow.total_size = shallow.base_size = 0;
	tx_compute_ids(&shallow);
	PROP(same_tx(&shallow, tx));

	/* A deep copy is the same transaction and outlives the input. */
	tx_copy(&copy, tx);
	PROP(same_tx(&copy, tx));
	PROP(copy.arena != NULL);
	PROP(tx_is_coinbase(&copy) == tx_is_coinbase(tx));
	tx_free(&copy);

	/* Its own serialization parses back, all of it. */
	rbuf_init(&r, full.p, full.len);
	PROP(tx_parse(&r, &re, flags) == 0);
	PROP(rbuf_left(&r) == 0);
	PROP(same_tx(&re, tx));
	tx_free(&re);

	/* Only a transaction without inputs may read differently. */
	if (tx->vin_count > 0 && !tx_has_witness(tx)) {
		rbuf_init(&r, raw, consumed);
		rc = tx_parse(&r, &re, flags ^ TX_ALLOW_WITNESS);
		PROP(rc == 0);
		PROP(rbuf_left(&r) == 0);
		PROP(same_tx(&re, tx));
		tx_free(&re);
	}

	want = reference_check(tx);
	rc = consensus_check_tx(tx, &reason);
	PROP(rc == 0 || rc == -1);
	PROP((rc == 0) == (want == NULL));
	if (rc == -1)
		PROP(reason != NULL && strcmp(reason, want) == 0);
	PROP(consensus_check_tx(tx, NULL) == rc);

	wbuf_free(&full);
	wbuf_free(&stripped);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbuf r;
	struct tx tx;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0] & 1 ? TX_ALLOW_WITNESS : 0;
	rbuf_init(&r, data + 1, size - 1);
	if (tx_parse(&r, &tx, flags) != 0) {
		/* Nothing to free after a failure. */
		PROP(tx.vin == NULL && tx.vout == NULL && tx.arena == NULL);
		return 0;
	}
	check_parsed(&tx, data + 1, r.off, flags);
	tx_free(&tx);
	return 0;
}
