/*
 * Consensus checks that need no UTXO set: proof of work, the context-free
 * block and transaction checks (Core's CheckBlock, CheckTransaction) and
 * the checks against the parent block (ContextualCheckBlockHeader,
 * ContextualCheckBlock). Reject reasons are Core's strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/pow.h"
#include "chain/signet.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

/* A transaction with more inputs than this is checked for duplicates by sorting. */
#define DUP_CHECK_LINEAR 16

void
vs_clear(struct val_state *st)
{
	memset(st, 0, sizeof(*st));
}

int
vs_invalid(struct val_state *st, int mutated, const char *reason,
    const char *fmt, ...)
{
	va_list ap;

	st->invalid = 1;
	st->mutated = mutated;
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(st->debug, sizeof(st->debug), fmt, ap);
	va_end(ap);
	return -1;
}

int
vs_error(struct val_state *st, const char *fmt, ...)
{
	va_list ap;

	st->error = 1;
	snprintf(st->reason, sizeof(st->reason), "%s", "store-error");
	va_start(ap, fmt);
	vsnprintf(st->debug, sizeof(st->debug), fmt, ap);
	va_end(ap);
	return -1;
}

int
money_range(int64_t v)
{
	return v >= 0 && v <= MAX_MONEY;
}

int
deployment_active(int32_t dep_height, int32_t height)
{
	return dep_height >= 0 && height >= dep_height;
}

int64_t
block_subsidy(const struct chainparams *cp, int32_t height)
{
	int32_t halvings = height / cp->halving_interval;

	/* A shift by 64 or more is undefined; the subsidy is zero by then. */
	if (halvings >= 64)
		return 0;
	return (50 * COIN) >> halvings;
}

int
check_header_pow(const struct chainstate *cs, const struct block_header *h,
    const uint8_t hash[32], struct val_state *st)
{
	if (pow_check(cs->cp, hash, h->bits) != 0)
		return vs_invalid(st, 0, "high-hash",
		    "proof of work failed");
	return 0;
}

unsigned
tx_legacy_sigops(const struct tx *tx)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		n += script_sigops(tx->vin[i].script, tx->vin[i].script_len, 0);
	for (i = 0; i < tx->vout_count; i++)
		n += script_sigops(tx->vout[i].script, tx->vout[i].script_len,
		    0);
	return n;
}

static int
outpoint_cmp(const void *a, const void *b)
{
	const struct outpoint *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, 32);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int
has_duplicate_inputs(const struct tx *tx)
{
	struct outpoint *v;
	size_t i, j;
	int dup = 0;

	if (tx->vin_count <= DUP_CHECK_LINEAR) {
		for (i = 0; i < tx->vin_count; i++)
			for (j = i + 1; j < tx->vin_count; j++)
				if (tx->vin[i].prevout.n ==
				    tx->vin[j].prevout.n &&
				    memcmp(tx->vin[i].prevout.hash,
				    tx->vin[j].prevout.hash, 32) == 0)
					return 1;
		return 0;
	}
	v = xreallocarray(NULL, tx->vin_count, sizeof(*v));
	for (i = 0; i < tx->vin_count; i++)
		v[i] = tx->vin[i].prevout;
	qsort(v, tx->vin_count, sizeof(*v), outpoint_cmp);
	for (i = 1; i < tx->vin_count && !dup; i++)
		dup = outpoint_cmp(&v[i - 1], &v[i]) == 0;
	free(v);
	return dup;
}

static int
prevout_is_null(const struct outpoint *op)
{
	static const uint8_t zero[32];

	return op->n == 0xffffffffu && memcmp(op->hash, zero, 32) == 0;
}

int
check_transaction(const struct tx *tx, struct val_state *st)
{
	int64_t out_total = 0;
	size_t i;

	if (tx->vin_count == 0)
		return vs_invalid(st, 0, "bad-txns-vin-empty", "no inputs");
	if (tx->vout_count == 0)
		return vs_invalid(st, 0, "bad-txns-vout-empty", "no outputs");
	if (tx->base_size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
		return vs_invalid(st, 0, "bad-txns-oversize", "size limits");
	for (i = 0; i < tx->vout_count; i++) {
		int64_t v = tx->vout[i].value;

		if (v < 0)
			return vs_invalid(st, 0, "bad-txns-vout-negative",
			    "output %zu is negative", i);
		if (v > MAX_MONEY)
			return vs_invalid(st, 0, "bad-txns-vout-toolarge",
			    "output %zu is too large", i);
		out_total += v;
		if (!money_range(out_total))
			return vs_invalid(st, 0, "bad-txns-txouttotal-toolarge",
			    "output total is too large");
	}
	if (has_duplicate_inputs(tx))
		return vs_invalid(st, 0, "bad-txns-inputs-duplicate",
		    "duplicate inputs");
	if (tx_is_coinbase(tx)) {
		size_t n = tx->vin[0].script_len;

		if (n < MIN_COINBASE_SCRIPT || n > MAX_COINBASE_SCRIPT)
			return vs_invalid(st, 0, "bad-cb-length",
			    "coinbase script size %zu", n);
	} else {
		for (i = 0; i < tx->vin_count; i++)
			if (prevout_is_null(&tx->vin[i].prevout))
				return vs_invalid(st, 0,
				    "bad-txns-prevout-null",
				    "input %zu spends the null outpoint", i);
	}
	return 0;
}

int
check_block(const struct chainstate *cs, const struct block *b,
    int check_pow, int check_merkle, struct val_state *st)
{
	char hex[65];
	uint8_t root[32];
	unsigned sigops = 0;
	size_t i, base_size;
	int mutated = 0;

	if (check_pow && check_header_pow(cs, &b->hdr, b->hash, st) != 0)
		return -1;
	/* Signet: the block's signature is its other proof of work. */
	if (check_pow && cs->cp->id == CHAIN_SIGNET &&
	    signet_check_block(cs->cp, b, NULL) != 0)
		return vs_invalid(st, 0, "bad-signet-blksig",
		    "signet block signature validation failure");
	if (check_merkle) {
		if (b->tx_count == 0)
			return vs_invalid(st, 1, "bad-txnmrklroot",
			    "hashMerkleRoot mismatch");
		block_merkle_root(b, root, &mutated);
		if (memcmp(root, b->hdr.merkle, 32) != 0)
			return vs_invalid(st, 1, "bad-txnmrklroot",
			    "hashMerkleRoot mismatch");
		/* CVE-2012-2459: a copy with duplicated txs hashes the same. */
		if (mutated)
			return vs_invalid(st, 1, "bad-txns-duplicate",
			    "duplicate transaction");
	}
	/* Size limits: the serialization without witness, counted. */
	base_size = BLOCK_HEADER_SIZE + compact_size_len(b->tx_count);
	for (i = 0; i < b->tx_count; i++)
		base_size += b->txs[i].base_size;
	if (b->tx_count == 0 ||
	    b->tx_count * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
	    base_size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
		return vs_invalid(st, 0, "bad-blk-length", "size limits failed");
	if (!tx_is_coinbase(&b->txs[0]))
		return vs_invalid(st, 0, "bad-cb-missing",
		    "first tx is not coinbase");
	for (i = 1; i < b->tx_count; i++)
		if (tx_is_coinbase(&b->txs[i]))
			return vs_invalid(st, 0, "bad-cb-multiple",
			    "more than one coinbase");
	for (i = 0; i < b->tx_count; i++) {
		struct val_state txst;

		vs_clear(&txst);
		if (check_transaction(&b->txs[i], &txst) != 0) {
			hash_to_hex(b->txs[i].txid, hex);
			return vs_invalid(st, 0, txst.reason,
			    "Transaction check failed (tx hash %s) %s", hex,
			    txst.debug);
		}
	}
	for (i = 0; i < b->tx_count; i++)
		sigops += tx_legacy_sigops(&b->txs[i]);
	if ((uint64_t)sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST)
		return vs_invalid(st, 0, "bad-blk-sigops",
		    "out-of-bounds SigOpCount");
	return 0;
}

int
contextual_check_header(struct chainstate *cs, const struct block_header *h,
    struct bindex *prev, int64_t now, struct val_state *st)
{
	const struct chainparams *cp = cs->cp;
	int32_t height = prev->e.height + 1;
	uint32_t bits = next_work_required(cs, prev, h);

	if (h->bits != bits)
		return vs_invalid(st, 0, "bad-diffbits",
		    "incorrect proof of work");
	if (cp->enforce_bip94 &&
	    height % (int32_t)(cp->target_timespan / cp->target_spacing) == 0 &&
	    (int64_t)h->time < (int64_t)prev->e.hdr.time - MAX_TIMEWARP)
		return vs_invalid(st, 0, "time-timewarp-attack",
		    "block's timestamp is too early on diff adjustment block");
	if ((int64_t)h->time <= bindex_median_time_past(prev))
		return vs_invalid(st, 0, "time-too-old",
		    "block's timestamp is too early");
	if ((int64_t)h->time > now + MAX_FUTURE_BLOCK_TIME)
		return vs_invalid(st, 0, "time-too-new",
		    "block timestamp too far in the future");
	if ((h->version < 2 && deployment_active(cp->bip34_height, height)) ||
	    (h->version < 3 && deployment_active(cp->bip66_height, height)) ||
	    (h->version < 4 && deployment_active(cp->bip65_height, height))) {
		char reason[32];

		snprintf(reason, sizeof(reason), "bad-version(0x%08x)",
		    (uint32_t)h->version);
		return vs_invalid(st, 0, reason, "rejected nVersion=0x%08x block",
		    (uint32_t)h->version);
	}
	return 0;
}

int
tx_is_final(const struct tx *tx, int32_t height, int64_t time)
{
	size_t i;
	int64_t limit;

	if (tx->locktime == 0)
		return 1;
	limit = tx->locktime < LOCKTIME_THRESHOLD ? height : time;
	if ((int64_t)tx->locktime < limit)
		return 1;
	/* A final sequence on every input disables the lock time. */
	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].sequence != SEQUENCE_FINAL)
			return 0;
	return 1;
}

size_t
bip34_height_push(int32_t height, uint8_t out[8])
{
	uint8_t num[5];
	size_t n = 0;
	int64_t v = height;

	if (height == 0) {
		out[0] = 0x00;		/* OP_0 */
		return 1;
	}
	if (height >= 1 && height <= 16) {
		out[0] = 0x50 + (uint8_t)height;	/* OP_1..OP_16 */
		return 1;
	}
	while (v > 0) {
		num[n++] = v & 0xff;
		v >>= 8;
	}
	/* A set top bit would read as negative: add a sign byte. */
	if (num[n - 1] & 0x80)
		num[n++] = 0x00;
	out[0] = (uint8_t)n;
	memcpy(out + 1, num, n);
	return n + 1;
}

static int
check_witness_malleation(const struct block *b, int expect_commitment,
    struct val_state *st)
{
	size_t i;

	if (expect_commitment) {
		int pos = block_witness_commitment_index(b);

		if (pos >= 0) {
			const struct txin *cbin = &b->txs[0].vin[0];
			struct sha256_ctx c;
			uint8_t root[32], commit[32];

			if (cbin->wit_count != 1 || cbin->wit[0].len != 32)
				return vs_invalid(st, 1,
				    "bad-witness-nonce-size",
				    "invalid witness reserved value size");
			block_witness_merkle_root(b, root);
			sha256_init(&c);
			sha256_update(&c, root, 32);
			sha256_update(&c, cbin->wit[0].p, 32);
			hash256_final(&c, commit);
			if (memcmp(commit, b->txs[0].vout[pos].script + 6,
			    32) != 0)
				return vs_invalid(st, 1,
				    "bad-witness-merkle-match",
				    "witness merkle commitment mismatch");
			return 0;
		}
	}
	/* Without a commitment, witness data would be unaccounted spam. */
	for (i = 0; i < b->tx_count; i++)
		if (tx_has_witness(&b->txs[i]))
			return vs_invalid(st, 1, "unexpected-witness",
			    "unexpected witness data found");
	return 0;
}

int
contextual_check_block(struct chainstate *cs, const struct block *b,
    struct bindex *prev, struct val_state *st)
{
	const struct chainparams *cp = cs->cp;
	int32_t height = prev ? prev->e.height + 1 : 0;
	int64_t cutoff;
	size_t i;

	/* BIP113: lock times compare against the median time past once CSV is active. */
	if (deployment_active(cp->csv_height, height) && prev)
		cutoff = bindex_median_time_past(prev);
	else
		cutoff = b->hdr.time;
	for (i = 0; i < b->tx_count; i++)
		if (!tx_is_final(&b->txs[i], height, cutoff))
			return vs_invalid(st, 0, "bad-txns-nonfinal",
			    "non-final transaction");
	if (deployment_active(cp->bip34_height, height)) {
		const struct txin *in = &b->txs[0].vin[0];
		uint8_t expect[8];
		size_t n = bip34_height_push(height, expect);

		if (in->script_len < n || memcmp(in->script, expect, n) != 0)
			return vs_invalid(st, 0, "bad-cb-height",
			    "block height mismatch in coinbase");
	}
	if (check_witness_malleation(b, deployment_active(cp->segwit_height,
	    height), st) != 0)
		return -1;
	if (block_weight(b) > MAX_BLOCK_WEIGHT)
		return vs_invalid(st, 0, "bad-blk-weight",
		    "weight limit failed");
	return 0;
}
