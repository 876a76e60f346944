/*
 * Partial merkle trees, as Core's CPartialMerkleTree: the tree over a
 * block's txids is walked depth first; each node visited gets a flag bit
 * (1: some matched txid lies below), and a node that is a leaf or has no
 * match below contributes its hash and is not descended into. Levels with
 * an odd count pair their last node with itself, as the merkle root does.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "primitives/merkleblock.h"
#include "util/xmalloc.h"

/* The fewest transactions a block could hold past which a proof is refused. */
#define MERKLEBLOCK_MAX_TX (MAX_BLOCK_WEIGHT / (WITNESS_SCALE_FACTOR * 60))

/* Nodes at height h (0: the txids) of a tree over ntx leaves. */
static size_t
tree_width(size_t ntx, int h)
{
	return (ntx + ((size_t)1 << h) - 1) >> h;
}

static int
tree_height(size_t ntx)
{
	int h = 0;

	while (tree_width(ntx, h) > 1)
		h++;
	return h;
}

static void
hash_pair(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t b[64];

	memcpy(b, l, 32);
	memcpy(b + 32, r, 32);
	hash256(b, 64, out);
}

/* ---- Building ---- */

struct builder {
	const uint8_t (*txids)[32];
	const int *match;
	size_t n;
	struct merkleblock *mb;
	size_t hcap, bcap;
};

static void
node_hash(const struct builder *b, int h, size_t pos, uint8_t out[32])
{
	uint8_t l[32], r[32];

	if (h == 0) {
		memcpy(out, b->txids[pos], 32);
		return;
	}
	node_hash(b, h - 1, pos * 2, l);
	if (pos * 2 + 1 < tree_width(b->n, h - 1))
		node_hash(b, h - 1, pos * 2 + 1, r);
	else
		memcpy(r, l, 32);
	hash_pair(l, r, out);
}

static int
get_bit(const struct merkleblock *mb, size_t i)
{
	return (mb->bits[i / 8] >> (i % 8)) & 1;
}

static void
push_bit(struct builder *b, int bit)
{
	struct merkleblock *mb = b->mb;

	if (mb->nbits % 8 == 0) {
		if (mb->nbits / 8 == b->bcap) {
			b->bcap = b->bcap ? b->bcap * 2 : 16;
			mb->bits = xreallocarray(mb->bits, b->bcap, 1);
		}
		mb->bits[mb->nbits / 8] = 0;
	}
	if (bit)
		mb->bits[mb->nbits / 8] |= (uint8_t)(1u << (mb->nbits % 8));
	mb->nbits++;
}

static void
push_hash(struct builder *b, const uint8_t h[32])
{
	struct merkleblock *mb = b->mb;

	if (mb->nhashes == b->hcap) {
		b->hcap = b->hcap ? b->hcap * 2 : 16;
		mb->hashes = xreallocarray(mb->hashes, b->hcap, 32);
	}
	memcpy(mb->hashes[mb->nhashes++], h, 32);
}

static void
build(struct builder *b, int h, size_t pos)
{
	uint8_t hash[32];
	size_t p, end = (pos + 1) << h;
	int parent = 0;

	for (p = pos << h; p < end && p < b->n; p++)
		parent |= b->match[p] != 0;
	push_bit(b, parent);
	if (h == 0 || !parent) {
		node_hash(b, h, pos, hash);
		push_hash(b, hash);
		return;
	}
	build(b, h - 1, pos * 2);
	if (pos * 2 + 1 < tree_width(b->n, h - 1))
		build(b, h - 1, pos * 2 + 1);
}

void
merkleblock_build(const struct block_header *hdr, const uint8_t (*txids)[32],
    const int *match, size_t n, struct merkleblock *out)
{
	struct builder b;

	memset(out, 0, sizeof(*out));
	out->hdr = *hdr;
	out->ntx = (uint32_t)n;
	memset(&b, 0, sizeof(b));
	b.txids = txids;
	b.match = match;
	b.n = n;
	b.mb = out;
	build(&b, tree_height(n), 0);
}

void
merkleblock_serialize(const struct merkleblock *mb, struct wbuf *w)
{
	uint8_t hdr[BLOCK_HEADER_SIZE];
	size_t i;

	header_serialize(&mb->hdr, hdr);
	wbuf_put(w, hdr, sizeof(hdr));
	wbuf_put_le32(w, mb->ntx);
	wbuf_put_compact(w, mb->nhashes);
	for (i = 0; i < mb->nhashes; i++)
		wbuf_put(w, mb->hashes[i], 32);
	wbuf_put_compact(w, (mb->nbits + 7) / 8);
	wbuf_put(w, mb->bits, (mb->nbits + 7) / 8);
}

/* ---- Reading ---- */

/* Core's ReadCompactSize with its range check, each failure told apart. */
static enum merkleblock_err
read_size(struct rbuf *r, uint64_t *out)
{
	uint8_t first;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	if (rbuf_get_u8(r, &first) == -1)
		return MERKLEBLOCK_EOF;
	if (first < 253)
		*out = first;
	else if (first == 253) {
		if (rbuf_get_le16(r, &v16) == -1)
			return MERKLEBLOCK_EOF;
		if (v16 < 253)
			return MERKLEBLOCK_NONCANONICAL;
		*out = v16;
	} else if (first == 254) {
		if (rbuf_get_le32(r, &v32) == -1)
			return MERKLEBLOCK_EOF;
		if (v32 < 0x10000u)
			return MERKLEBLOCK_NONCANONICAL;
		*out = v32;
	} else {
		if (rbuf_get_le64(r, &v64) == -1)
			return MERKLEBLOCK_EOF;
		if (v64 < 0x100000000ull)
			return MERKLEBLOCK_NONCANONICAL;
		*out = v64;
	}
	if (*out > COMPACT_MAX_SIZE)
		return MERKLEBLOCK_TOO_LARGE;
	return MERKLEBLOCK_OK;
}

enum merkleblock_err
merkleblock_parse(struct rbuf *r, struct merkleblock *out)
{
	enum merkleblock_err e;
	const uint8_t *p;
	uint64_t n;

	memset(out, 0, sizeof(*out));
	if (header_parse(r, &out->hdr) == -1 ||
	    rbuf_get_le32(r, &out->ntx) == -1)
		return MERKLEBLOCK_EOF;
	if ((e = read_size(r, &n)) != MERKLEBLOCK_OK)
		return e;
	/* Check the bytes are there before allocating for them. */
	if ((p = rbuf_ptr(r, n * 32)) == NULL)
		return MERKLEBLOCK_EOF;
	out->nhashes = n;
	out->hashes = n ? xmemdup(p, n * 32) : NULL;
	if ((e = read_size(r, &n)) != MERKLEBLOCK_OK ||
	    ((p = rbuf_ptr(r, n)) == NULL && (e = MERKLEBLOCK_EOF))) {
		merkleblock_free(out);
		return e;
	}
	out->nbits = n * 8;
	out->bits = n ? xmemdup(p, n) : NULL;
	return MERKLEBLOCK_OK;
}

const char *
merkleblock_strerror(enum merkleblock_err e)
{
	switch (e) {
	case MERKLEBLOCK_OK: return "No error";
	case MERKLEBLOCK_EOF: return "DataStream::read(): end of data";
	case MERKLEBLOCK_NONCANONICAL:
		return "non-canonical ReadCompactSize()";
	case MERKLEBLOCK_TOO_LARGE: return "ReadCompactSize(): size too large";
	}
	return "unknown error";
}

/* ---- Extracting ---- */

struct walker {
	const struct merkleblock *mb;
	size_t bits_used, hashes_used;
	uint8_t (*matches)[32];
	uint32_t *pos;
	size_t nmatch;
	int bad;
};

static void
extract(struct walker *w, int h, size_t pos, uint8_t out[32])
{
	const struct merkleblock *mb = w->mb;
	uint8_t l[32], r[32];
	int parent;

	memset(out, 0, 32);
	if (w->bits_used >= mb->nbits) {
		w->bad = 1;
		return;
	}
	parent = get_bit(mb, w->bits_used++);
	if (h == 0 || !parent) {
		if (w->hashes_used >= mb->nhashes) {
			w->bad = 1;
			return;
		}
		memcpy(out, mb->hashes[w->hashes_used++], 32);
		if (h == 0 && parent) {
			/* At most one match per hash: the arrays have room. */
			memcpy(w->matches[w->nmatch], out, 32);
			w->pos[w->nmatch++] = (uint32_t)pos;
		}
		return;
	}
	extract(w, h - 1, pos * 2, l);
	if (pos * 2 + 1 < tree_width(mb->ntx, h - 1)) {
		extract(w, h - 1, pos * 2 + 1, r);
		/* Distinct txids never make equal siblings (CVE-2012-2459). */
		if (memcmp(l, r, 32) == 0)
			w->bad = 1;
	} else
		memcpy(r, l, 32);
	hash_pair(l, r, out);
}

int
merkleblock_extract(const struct merkleblock *mb, uint8_t root[32],
    uint8_t (**matches)[32], uint32_t **pos, size_t *nmatch)
{
	struct walker w;

	memset(root, 0, 32);
	*matches = NULL;
	*pos = NULL;
	*nmatch = 0;
	if (mb->ntx == 0 || mb->ntx > MERKLEBLOCK_MAX_TX)
		return -1;
	/* No more hashes than txids, at least one bit per hash. */
	if (mb->nhashes > mb->ntx || mb->nbits < mb->nhashes)
		return -1;
	memset(&w, 0, sizeof(w));
	w.mb = mb;
	w.matches = xcalloc(mb->nhashes ? mb->nhashes : 1, 32);
	w.pos = xcalloc(mb->nhashes ? mb->nhashes : 1, sizeof(*w.pos));
	extract(&w, tree_height(mb->ntx), 0, root);
	/* Every hash used, every bit but the padding of the last byte. */
	if (w.bad || (w.bits_used + 7) / 8 != (mb->nbits + 7) / 8 ||
	    w.hashes_used != mb->nhashes) {
		memset(root, 0, 32);
		free(w.matches);
		free(w.pos);
		return -1;
	}
	if (w.nmatch == 0) {
		free(w.matches);
		free(w.pos);
		return 0;
	}
	*matches = w.matches;
	*pos = w.pos;
	*nmatch = w.nmatch;
	return 0;
}

void
merkleblock_free(struct merkleblock *mb)
{
	free(mb->hashes);
	free(mb->bits);
	mb->hashes = NULL;
	mb->bits = NULL;
	mb->nhashes = mb->nbits = 0;
}
