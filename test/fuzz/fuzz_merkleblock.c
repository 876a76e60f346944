/*
 * libFuzzer target for merkle block proofs (primitives/merkleblock.h), the
 * bytes verifytxoutproof reads.
 *
 * Input: the bytes of a proof; trailing bytes are left unread. When
 * merkleblock_parse accepts:
 *  - serializing it gives back exactly the bytes it consumed;
 *  - merkleblock_extract either fails with an all-zero root and nothing
 *    allocated, or gives matches at strictly ascending positions below the
 *    transaction count, no more than the hashes, each a hash of the proof;
 *  - for a well-formed proof of up to 64 transactions, a proof of every
 *    leaf of a tree of that size (made-up txids) gives back every leaf,
 *    in order, and that tree's merkle root.
 * When it refuses, the error is one of Core's three.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/merkleblock.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_merkleblock"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
contains(const struct merkleblock *mb, const uint8_t h[32])
{
	size_t i;

	for (i = 0; i < mb->nhashes; i++)
		if (memcmp(mb->hashes[i], h, 32) == 0)
			return 1;
	return 0;
}

/* All leaves matched in a tree of n made-up txids: all come back. */
static void
full_tree(const struct block_header *hdr, size_t n)
{
	struct merkleblock mb;
	uint8_t(*ids)[32], root[32], (*m)[32];
	uint32_t *pos;
	size_t i, nm;
	int *match, mutated;

	ids = calloc(n, 32);
	match = calloc(n, sizeof(*match));
	if (ids == NULL || match == NULL)
		abort();
	for (i = 0; i < n; i++) {
		memcpy(ids[i], &i, sizeof(i));
		ids[i][31] = 0xaa;
		match[i] = 1;
	}
	merkleblock_build(hdr, (const uint8_t(*)[32])ids, match, n, &mb);
	merkle_root((const uint8_t(*)[32])ids, n, mb.hdr.merkle, &mutated);
	PROP(merkleblock_extract(&mb, root, &m, &pos, &nm) == 0);
	PROP(memcmp(root, mb.hdr.merkle, 32) == 0);
	PROP(nm == n);
	for (i = 0; i < nm; i++)
		PROP(pos[i] == i && memcmp(m[i], ids[i], 32) == 0);
	free(m);
	free(pos);
	merkleblock_free(&mb);
	free(ids);
	free(match);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum merkleblock_err e;
	struct merkleblock mb;
	struct wbuf w;
	struct rbuf r;
	uint8_t root[32], zero[32], (*m)[32];
	uint32_t *pos;
	size_t nm, i;

	rbuf_init(&r, data, size);
	e = merkleblock_parse(&r, &mb);
	if (e != MERKLEBLOCK_OK) {
		PROP(e == MERKLEBLOCK_EOF || e == MERKLEBLOCK_NONCANONICAL ||
		    e == MERKLEBLOCK_TOO_LARGE);
		return 0;
	}
	wbuf_init(&w);
	merkleblock_serialize(&mb, &w);
	PROP(w.len == r.off && memcmp(w.p, data, w.len) == 0);
	wbuf_free(&w);
	memset(zero, 0, 32);
	if (merkleblock_extract(&mb, root, &m, &pos, &nm) == -1) {
		PROP(memcmp(root, zero, 32) == 0);
		PROP(m == NULL && pos == NULL && nm == 0);
	} else {
		PROP(nm <= mb.nhashes && nm <= mb.ntx);
		for (i = 0; i < nm; i++) {
			PROP(pos[i] < mb.ntx);
			PROP(i == 0 || pos[i] > pos[i - 1]);
			PROP(contains(&mb, m[i]));
		}
		free(m);
		free(pos);
		if (mb.ntx <= 64)
			full_tree(&mb.hdr, mb.ntx);
	}
	merkleblock_free(&mb);
	return 0;
}
