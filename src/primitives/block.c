#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "primitives/block.h"
#include "util/xmalloc.h"

int
header_parse(struct rbuf *r, struct block_header *h)
{
	uint32_t v;

	if (rbuf_get_le32(r, &v) == -1 || rbuf_get(r, h->prev, 32) == -1 ||
	    rbuf_get(r, h->merkle, 32) == -1 ||
	    rbuf_get_le32(r, &h->time) == -1 ||
	    rbuf_get_le32(r, &h->bits) == -1 ||
	    rbuf_get_le32(r, &h->nonce) == -1)
		return -1;
	h->version = (int32_t)v;
	return 0;
}

void
header_serialize(const struct block_header *h, uint8_t out[80])
{
	le32_write(out, (uint32_t)h->version);
	memcpy(out + 4, h->prev, 32);
	memcpy(out + 36, h->merkle, 32);
	le32_write(out + 68, h->time);
	le32_write(out + 72, h->bits);
	le32_write(out + 76, h->nonce);
}

void
header_hash(const struct block_header *h, uint8_t out[32])
{
	uint8_t b[80];

	header_serialize(h, b);
	hash256(b, 80, out);
}

int
block_parse_prefix(const uint8_t *raw, size_t len, struct block *b,
    size_t *used)
{
	struct rbuf r;
	uint64_t n, i;

	memset(b, 0, sizeof(*b));
	rbuf_init(&r, raw, len);
	if (header_parse(&r, &b->hdr) == -1 || rbuf_get_compact(&r, &n) == -1)
		return -1;
	/* A transaction is at least 10 bytes; refuse counts that cannot fit. */
	if (n > rbuf_left(&r) / 10)
		return -1;
	b->txs = n ? xcalloc(n, sizeof(struct tx)) : NULL;
	for (i = 0; i < n; i++) {
		if (tx_parse(&r, &b->txs[i], TX_ALLOW_WITNESS) == -1) {
			block_free(b);
			return -1;
		}
		b->tx_count = i + 1;
	}
	hash256(raw, BLOCK_HEADER_SIZE, b->hash);
	b->size = r.off;
	*used = r.off;
	return 0;
}

int
block_parse(const uint8_t *raw, size_t len, struct block *b)
{
	size_t used;

	if (block_parse_prefix(raw, len, b, &used) != 0)
		return -1;
	if (used != len) {
		block_free(b);
		return -1;
	}
	return 0;
}

void
block_free(struct block *b)
{
	size_t i;

	for (i = 0; i < b->tx_count; i++)
		tx_free(&b->txs[i]);
	free(b->txs);
	memset(b, 0, sizeof(*b));
}

void
block_serialize(const struct block *b, struct wbuf *w, int with_witness)
{
	uint8_t h[80];
	size_t i;

	header_serialize(&b->hdr, h);
	wbuf_put(w, h, 80);
	wbuf_put_compact(w, b->tx_count);
	for (i = 0; i < b->tx_count; i++)
		tx_serialize(&b->txs[i], w, with_witness);
}

void
merkle_root(const uint8_t (*hashes)[32], size_t n, uint8_t out[32],
    int *mutated)
{
	uint8_t(*level)[32], pair[64];
	size_t i, len = n;
	int mut = 0;

	if (n == 0) {
		memset(out, 0, 32);
		if (mutated)
			*mutated = 0;
		return;
	}
	level = xmalloc((n + 1) * 32);
	memcpy(level, hashes, n * 32);
	while (len > 1) {
		/* Identical neighbours make a different tree hash the same. */
		for (i = 0; i + 1 < len; i += 2)
			if (memcmp(level[i], level[i + 1], 32) == 0)
				mut = 1;
		if (len & 1) {
			memcpy(level[len], level[len - 1], 32);
			len++;
		}
		for (i = 0; i < len / 2; i++) {
			memcpy(pair, level[2 * i], 32);
			memcpy(pair + 32, level[2 * i + 1], 32);
			hash256(pair, 64, level[i]);
		}
		len /= 2;
	}
	memcpy(out, level[0], 32);
	free(level);
	if (mutated)
		*mutated = mut;
}

void
block_merkle_root(const struct block *b, uint8_t out[32], int *mutated)
{
	uint8_t(*h)[32];
	size_t i;

	h = xmalloc((b->tx_count ? b->tx_count : 1) * 32);
	for (i = 0; i < b->tx_count; i++)
		memcpy(h[i], b->txs[i].txid, 32);
	merkle_root((const uint8_t(*)[32])h, b->tx_count, out, mutated);
	free(h);
}

void
block_witness_merkle_root(const struct block *b, uint8_t out[32])
{
	uint8_t(*h)[32];
	size_t i;

	h = xmalloc((b->tx_count ? b->tx_count : 1) * 32);
	for (i = 0; i < b->tx_count; i++) {
		if (i == 0)
			memset(h[0], 0, 32);
		else
			memcpy(h[i], b->txs[i].wtxid, 32);
	}
	merkle_root((const uint8_t(*)[32])h, b->tx_count, out, NULL);
	free(h);
}
