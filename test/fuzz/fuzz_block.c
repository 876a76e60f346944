/*
 * libFuzzer target for block parsing (primitives/block.h).
 *
 * Input: the bytes of a block. When block_parse accepts them:
 *  - serializing the block with witnesses gives back the input exactly,
 *    and the stripped serialization parses to the same txids;
 *  - the hash is that of the first 80 bytes, and of the parsed header;
 *  - the merkle root, its mutation flag (CVE-2012-2459), the witness
 *    merkle root, the witness commitment index and the weight agree with
 *    plain re-implementations here, written from BIP141 and Core's
 *    ComputeMerkleRoot rather than from block.c.
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
#include "util/xmalloc.h"

#define FUZZ_NAME "fuzz_block"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Merkle root by recursion over the tree's halves: the left subtree holds
 * the largest power of two below n leaves; a missing right subtree is the
 * left one again (Bitcoin's duplication of the last node). *mut is set
 * when two sibling nodes are equal, which is what Core reports: at every
 * level, an equal pair among the nodes that existed before duplication.
 */
static void
ref_root(uint8_t (*h)[32], size_t n, size_t depth, uint8_t out[32], int *mut)
{
	uint8_t l[32], r[32], pair[64];
	size_t half;

	if (depth == 0) {
		memcpy(out, h[0], 32);
		return;
	}
	half = (size_t)1 << (depth - 1);
	ref_root(h, n < half ? n : half, depth - 1, l, mut);
	if (n > half) {
		ref_root(h + half, n - half, depth - 1, r, mut);
		if (memcmp(l, r, 32) == 0)
			*mut = 1;
	} else
		memcpy(r, l, 32);
	memcpy(pair, l, 32);
	memcpy(pair + 32, r, 32);
	hash256(pair, 64, out);
}

static void
ref_merkle(uint8_t (*h)[32], size_t n, uint8_t out[32], int *mut)
{
	size_t depth = 0;

	*mut = 0;
	if (n == 0) {
		memset(out, 0, 32);
		return;
	}
	while (((size_t)1 << depth) < n)
		depth++;
	ref_root(h, n, depth, out, mut);
}

static int
ref_commitment_index(const struct block *b)
{
	static const uint8_t head[6] = { 0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed };
	const struct tx *cb;
	size_t i;

	if (b->tx_count == 0)
		return -1;
	cb = &b->txs[0];
	for (i = cb->vout_count; i-- > 0;)
		if (cb->vout[i].script_len >= 38 &&
		    memcmp(cb->vout[i].script, head, sizeof(head)) == 0)
			return (int)i;
	return -1;
}

static void
check_block(const struct block *b, const uint8_t *raw, size_t len)
{
	uint8_t(*ids)[32], root[32], want[32], hdr[80];
	struct wbuf full, stripped;
	struct block re;
	size_t i;
	int mut, want_mut;

	PROP(b->size == len);
	hash256(raw, BLOCK_HEADER_SIZE, want);
	PROP(memcmp(b->hash, want, 32) == 0);
	header_hash(&b->hdr, root);
	PROP(memcmp(b->hash, root, 32) == 0);
	header_serialize(&b->hdr, hdr);
	PROP(memcmp(hdr, raw, 80) == 0);

	wbuf_init(&full);
	block_serialize(b, &full, 1);
	PROP(full.len == len);
	PROP(memcmp(full.p, raw, len) == 0);
	wbuf_init(&stripped);
	block_serialize(b, &stripped, 0);
	PROP(consensus_block_weight(b) == stripped.len * 3 + full.len);

	/*
	 * The stripped block parses to the same txids, unless a tx without
	 * inputs reads as a witness marker there (BIP144's ambiguity).
	 */
	if (block_parse(stripped.p, stripped.len, &re) == 0) {
		PROP(re.tx_count == b->tx_count);
		for (i = 0; i < b->tx_count; i++) {
			PROP(memcmp(re.txs[i].txid, b->txs[i].txid, 32) == 0);
			PROP(memcmp(re.txs[i].wtxid, b->txs[i].txid, 32) == 0);
		}
		block_free(&re);
	} else {
		for (i = 0; i < b->tx_count; i++)
			if (b->txs[i].vin_count == 0)
				break;
		PROP(i < b->tx_count);
	}

	ids = xcalloc(b->tx_count + 1, 32);
	for (i = 0; i < b->tx_count; i++)
		memcpy(ids[i], b->txs[i].txid, 32);
	ref_merkle(ids, b->tx_count, want, &want_mut);
	mut = -1;
	block_merkle_root(b, root, &mut);
	PROP(memcmp(root, want, 32) == 0);
	PROP(mut == want_mut);
	block_merkle_root(b, root, NULL);
	PROP(memcmp(root, want, 32) == 0);
	merkle_root((const uint8_t(*)[32])ids, b->tx_count, root, &mut);
	PROP(memcmp(root, want, 32) == 0);
	PROP(mut == want_mut);

	/* BIP141: the coinbase's wtxid counts as zero. */
	for (i = 0; i < b->tx_count; i++) {
		if (i == 0)
			memset(ids[0], 0, 32);
		else
			memcpy(ids[i], b->txs[i].wtxid, 32);
	}
	ref_merkle(ids, b->tx_count, want, &want_mut);
	block_witness_merkle_root(b, root);
	PROP(memcmp(root, want, 32) == 0);
	free(ids);

	PROP(consensus_witness_commitment_index(b) == ref_commitment_index(b));

	wbuf_free(&full);
	wbuf_free(&stripped);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct block b;

	if (block_parse(data, size, &b) != 0) {
		PROP(b.txs == NULL && b.tx_count == 0);
		return 0;
	}
	check_block(&b, data, size);
	block_free(&b);
	return 0;
}
