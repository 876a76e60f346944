/*
 * Consensus checks that need no UTXO set: proof of work, the context-free
 * block checks (Core's CheckBlock) and the checks against the parent block
 * (ContextualCheckBlockHeader, ContextualCheckBlock). The rules themselves
 * live in src/consensus and chain/pow.h; this file applies them to the
 * block index and reports with Core's reject reasons.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/pow.h"
#include "chain/signet.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "validation/chainstate_int.h"

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
check_header_pow(const struct chainstate *cs, const struct block_header *h,
    const uint8_t hash[32], struct val_state *st)
{
	if (pow_check(cs->cp, hash, h->bits) != 0)
		return vs_invalid(st, 0, "high-hash", "proof of work failed");
	return 0;
}

int
check_block(const struct chainstate *cs, const struct block *b, int check_pow,
    int check_merkle, struct val_state *st)
{
	const char *reason;
	char hex[65];
	uint8_t root[32];
	unsigned sigops = 0;
	size_t i;
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
	if (consensus_check_block_size(b) != 0)
		return vs_invalid(st, 0, "bad-blk-length",
		    "size limits failed");
	if (!tx_is_coinbase(&b->txs[0]))
		return vs_invalid(st, 0, "bad-cb-missing",
		    "first tx is not coinbase");
	for (i = 1; i < b->tx_count; i++)
		if (tx_is_coinbase(&b->txs[i]))
			return vs_invalid(st, 0, "bad-cb-multiple",
			    "more than one coinbase");
	for (i = 0; i < b->tx_count; i++) {
		if (consensus_check_tx(&b->txs[i], &reason) != 0) {
			hash_to_hex(b->txs[i].txid, hex);
			return vs_invalid(st, 0, reason,
			    "Transaction check failed (tx hash %s)", hex);
		}
	}
	for (i = 0; i < b->tx_count; i++)
		sigops += consensus_legacy_sigops(&b->txs[i]);
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
	if (pow_check_timewarp(cp, height, (int64_t)h->time,
		(int64_t)prev->e.hdr.time) != 0)
		return vs_invalid(st, 0, "time-timewarp-attack",
		    "block's timestamp is too early on diff adjustment block");
	if ((int64_t)h->time <= bindex_median_time_past(prev))
		return vs_invalid(st, 0, "time-too-old",
		    "block's timestamp is too early");
	if ((int64_t)h->time > now + MAX_FUTURE_BLOCK_TIME)
		return vs_invalid(st, 0, "time-too-new",
		    "block timestamp too far in the future");
	if ((h->version < 2 &&
		consensus_deployment_active(cp->bip34_height, height)) ||
	    (h->version < 3 &&
		consensus_deployment_active(cp->bip66_height, height)) ||
	    (h->version < 4 &&
		consensus_deployment_active(cp->bip65_height, height))) {
		char reason[32];

		snprintf(reason, sizeof(reason), "bad-version(0x%08x)",
		    (uint32_t)h->version);
		return vs_invalid(st, 0, reason,
		    "rejected nVersion=0x%08x block", (uint32_t)h->version);
	}
	return 0;
}

/* Core's debug text for a CheckWitnessMalleation failure. */
static const char *
witness_debug(const char *reason)
{
	if (strcmp(reason, "bad-witness-nonce-size") == 0)
		return "invalid witness reserved value size";
	if (strcmp(reason, "bad-witness-merkle-match") == 0)
		return "witness merkle commitment mismatch";
	return "unexpected witness data found";
}

int
contextual_check_block(struct chainstate *cs, const struct block *b,
    struct bindex *prev, struct val_state *st)
{
	const struct chainparams *cp = cs->cp;
	int32_t height = prev ? prev->e.height + 1 : 0;
	const char *reason;
	int64_t cutoff;
	size_t i;

	cutoff = consensus_locktime_cutoff(cp, height,
	    prev ? bindex_median_time_past(prev) : (int64_t)b->hdr.time,
	    (int64_t)b->hdr.time);
	for (i = 0; i < b->tx_count; i++)
		if (!consensus_tx_is_final(&b->txs[i], height, cutoff))
			return vs_invalid(st, 0, "bad-txns-nonfinal",
			    "non-final transaction");
	if (consensus_deployment_active(cp->bip34_height, height) &&
	    consensus_check_coinbase_height(&b->txs[0], height) != 0)
		return vs_invalid(st, 0, "bad-cb-height",
		    "block height mismatch in coinbase");
	if (consensus_check_witness(b,
		consensus_deployment_active(cp->segwit_height, height),
		&reason) != 0)
		return vs_invalid(st, 1, reason, "%s", witness_debug(reason));
	if (consensus_block_weight(b) > MAX_BLOCK_WEIGHT)
		return vs_invalid(st, 0, "bad-blk-weight",
		    "weight limit failed");
	return 0;
}
