/*
 * Rules about a block as a whole: median time past and the BIP113 lock-time
 * cutoff, the subsidy, buried deployments, the coinbase (BIP34 height,
 * BIP30), size and weight, and the BIP141 witness commitment.
 */
#include <string.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "util/hex.h"

/*
 * Core's BIP34_IMPLIES_BIP30_LIMIT: a pre-BIP34 mainnet coinbase whose
 * script happens to begin with this height could be repeated here, so
 * BIP30 is checked again from this height on.
 */
#define BIP34_IMPLIES_BIP30_LIMIT 1983702

/* What a BIP141 commitment output begins with: OP_RETURN, push 36, aa21a9ed. */
static const uint8_t commitment_header[6] = { 0x6a, 0x24, 0xaa, 0x21, 0xa9,
	0xed };

int
consensus_median_time_past(consensus_time_fn next, void *cursor, int64_t *mtp)
{
	int64_t t[CONSENSUS_MTP_SPAN], v;
	size_t n = 0, j;
	int rc;

	while (n < CONSENSUS_MTP_SPAN) {
		if ((rc = next(cursor, &v)) < 0)
			return -1;
		if (rc > 0)
			break;
		/* Insertion sort as they come: eleven values at most. */
		for (j = n; j > 0 && t[j - 1] > v; j--)
			t[j] = t[j - 1];
		t[j] = v;
		n++;
	}
	if (n == 0)
		return -1;
	*mtp = t[n / 2];
	return 0;
}

int64_t
consensus_locktime_cutoff(const struct chainparams *cp, int32_t height,
    int64_t prev_mtp, int64_t block_time)
{
	/* BIP113 came with CSV: a miner cannot move the MTP forward alone. */
	if (consensus_deployment_active(cp->csv_height, height))
		return prev_mtp;
	return block_time;
}

int
consensus_deployment_active(int32_t dep_height, int32_t height)
{
	return dep_height >= 0 && height >= dep_height;
}

int64_t
consensus_block_subsidy(const struct chainparams *cp, int32_t height)
{
	int32_t halvings = height / cp->halving_interval;

	/* A shift by 64 or more is undefined in C; the subsidy is 0 by then. */
	if (halvings >= 64)
		return 0;
	return (50 * COIN) >> halvings;
}

size_t
consensus_bip34_push(int32_t height, uint8_t out[CONSENSUS_BIP34_PUSH_MAX])
{
	uint8_t num[5];
	size_t n = 0;
	int64_t v = height;

	/* CScript::push_int64: small numbers are opcodes, not pushes. */
	if (height == 0) {
		out[0] = 0x00; /* OP_0 */
		return 1;
	}
	if (height >= 1 && height <= 16) {
		out[0] = 0x50 + (uint8_t)height; /* OP_1..OP_16 */
		return 1;
	}
	while (v > 0) {
		num[n++] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	/* CScriptNum: a set top bit would read as negative; add a sign byte. */
	if (num[n - 1] & 0x80)
		num[n++] = 0x00;
	out[0] = (uint8_t)n;
	memcpy(out + 1, num, n);
	return n + 1;
}

int
consensus_check_coinbase_height(const struct tx *cb, int32_t height)
{
	uint8_t expect[CONSENSUS_BIP34_PUSH_MAX];
	size_t n = consensus_bip34_push(height, expect);
	const struct txin *in;

	if (cb->vin_count == 0)
		return -1;
	in = &cb->vin[0];
	/* A prefix: the miner may put anything after the height. */
	if (in->script_len < n || memcmp(in->script, expect, n) != 0)
		return -1;
	return 0;
}

static int
hash_is(const uint8_t h[32], const char *hex)
{
	uint8_t v[32];

	return hash_from_hex(hex, v) == 0 && memcmp(v, h, 32) == 0;
}

int
consensus_is_bip30_repeat(int32_t height, const uint8_t hash[32])
{
	/* The two mainnet coinbases that repeated earlier ones (BIP30). */
	return (height == 91842 &&
		   hash_is(hash,
		       "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec")) ||
	    (height == 91880 &&
		hash_is(hash,
		    "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721"));
}

int
consensus_bip30_enforced(const struct chainparams *cp, int32_t height,
    const uint8_t hash[32], const uint8_t *bip34_hash)
{
	const char *activation = NULL;

	if (height >= BIP34_IMPLIES_BIP30_LIMIT)
		return 1;
	if (consensus_is_bip30_repeat(height, hash))
		return 0;
	/*
	 * Past a known BIP34 activation block every coinbase names its
	 * height, so no transaction can repeat: skip the coin lookups.
	 */
	if (cp->id == CHAIN_MAIN)
		activation =
		    "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8";
	else if (cp->id == CHAIN_TESTNET3)
		activation =
		    "0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8";
	if (activation == NULL || bip34_hash == NULL)
		return 1;
	return !hash_is(bip34_hash, activation);
}

size_t
consensus_block_stripped_size(const struct block *b)
{
	size_t n = BLOCK_HEADER_SIZE + compact_size_len(b->tx_count), i;

	for (i = 0; i < b->tx_count; i++)
		n += b->txs[i].base_size;
	return n;
}

size_t
consensus_block_weight(const struct block *b)
{
	size_t stripped = consensus_block_stripped_size(b);
	size_t total = BLOCK_HEADER_SIZE + compact_size_len(b->tx_count), i;

	for (i = 0; i < b->tx_count; i++)
		total += b->txs[i].total_size;
	return stripped * (WITNESS_SCALE_FACTOR - 1) + total;
}

int
consensus_check_block_size(const struct block *b)
{
	if (b->tx_count == 0 ||
	    b->tx_count * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
	    consensus_block_stripped_size(b) * WITNESS_SCALE_FACTOR >
		MAX_BLOCK_WEIGHT)
		return -1;
	return 0;
}

int
consensus_witness_commitment_index(const struct block *b)
{
	const struct tx *cb;
	size_t i;
	int idx = -1;

	if (b->tx_count == 0)
		return -1;
	cb = &b->txs[0];
	/* The last match counts, as in Core. */
	for (i = 0; i < cb->vout_count; i++)
		if (cb->vout[i].script_len >= CONSENSUS_COMMITMENT_SIZE &&
		    memcmp(cb->vout[i].script, commitment_header,
			sizeof(commitment_header)) == 0)
			idx = (int)i;
	return idx;
}

void
consensus_witness_commitment(const uint8_t witness_root[32],
    const uint8_t reserved[32], uint8_t script[CONSENSUS_COMMITMENT_SIZE])
{
	struct sha256_ctx c;

	memcpy(script, commitment_header, sizeof(commitment_header));
	sha256_init(&c);
	sha256_update(&c, witness_root, 32);
	sha256_update(&c, reserved, 32);
	hash256_final(&c, script + sizeof(commitment_header));
}

int
consensus_check_witness(const struct block *b, int expect_commitment,
    const char **reason)
{
	uint8_t root[32], want[CONSENSUS_COMMITMENT_SIZE];
	const struct txin *in;
	size_t i;
	int pos;

	if (expect_commitment &&
	    (pos = consensus_witness_commitment_index(b)) >= 0) {
		in = b->txs[0].vin_count ? &b->txs[0].vin[0] : NULL;
		if (in == NULL || in->wit_count != 1 || in->wit[0].len != 32) {
			*reason = "bad-witness-nonce-size";
			return -1;
		}
		block_witness_merkle_root(b, root);
		consensus_witness_commitment(root, in->wit[0].p, want);
		if (memcmp(want + sizeof(commitment_header),
			b->txs[0].vout[pos].script + sizeof(commitment_header),
			32) != 0) {
			*reason = "bad-witness-merkle-match";
			return -1;
		}
		return 0;
	}
	/* Witness data no commitment covers could be anything: refuse it. */
	for (i = 0; i < b->tx_count; i++)
		if (tx_has_witness(&b->txs[i])) {
			*reason = "unexpected-witness";
			return -1;
		}
	return 0;
}
