/*
 * Value encodings of the store.
 *
 * A coin is VARINT(height * 2 + coinbase), VARINT(compressed amount), then
 * the script's raw bytes to the end of the value: its length is implied,
 * and store_get_coin hands out a pointer into the map without copying.
 * The VARINT is base-128, most significant group first, with one added to
 * every group but the last so each number has exactly one encoding (the
 * same scheme as Core's coins database). Amounts are compressed the way
 * Core does (trailing decimal zeros folded into the exponent), so round
 * amounts take one to three bytes instead of eight.
 */
#include <string.h>

#include "store/store_int.h"
#include "primitives/block.h"
#include "primitives/tx.h"

size_t
codec_varint_put(uint8_t *p, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0, i;

	for (;;) {
		tmp[n] = (uint8_t)((v & 0x7f) | (n ? 0x80 : 0));
		if (v <= 0x7f)
			break;
		v = (v >> 7) - 1;
		n++;
	}
	for (i = 0; i <= n; i++)
		p[i] = tmp[n - i];
	return n + 1;
}

int
codec_varint_get(struct rbuf *r, uint64_t *v)
{
	uint64_t n = 0;
	uint8_t b;

	for (;;) {
		if (rbuf_get_u8(r, &b) == -1)
			return -1;
		if (n > (UINT64_MAX >> 7))
			return -1;
		n = (n << 7) | (b & 0x7f);
		if (!(b & 0x80))
			break;
		if (n == UINT64_MAX)
			return -1;
		n++;
	}
	*v = n;
	return 0;
}

/* n is at most MAX_MONEY (checked by the caller), so n * 9 cannot overflow. */
uint64_t
codec_amount_compress(uint64_t n)
{
	unsigned int e = 0;
	uint64_t d;

	if (n == 0)
		return 0;
	while (n % 10 == 0 && e < 9) {
		n /= 10;
		e++;
	}
	if (e < 9) {
		d = n % 10;
		n /= 10;
		return 1 + (n * 9 + d - 1) * 10 + e;
	}
	return 1 + (n - 1) * 10 + 9;
}

/* Inverse of the above; -1 for a value that decodes above MAX_MONEY. */
int
codec_amount_decompress(uint64_t x, uint64_t *out)
{
	unsigned int e;
	uint64_t n, d;

	if (x == 0) {
		*out = 0;
		return 0;
	}
	x--;
	e = x % 10;
	x /= 10;
	if (e < 9) {
		d = x % 9 + 1;
		x /= 9;
		if (x > (uint64_t)MAX_MONEY / 10)
			return -1;
		n = x * 10 + d;
	} else {
		if (x > (uint64_t)MAX_MONEY)
			return -1;
		n = x + 1;
	}
	while (e--) {
		if (n > (uint64_t)MAX_MONEY / 10)
			return -1;
		n *= 10;
	}
	if (n > (uint64_t)MAX_MONEY)
		return -1;
	*out = n;
	return 0;
}

int
codec_coin_encode_hdr(const struct coin *c, uint8_t out[COIN_HDR_MAX],
    size_t *len)
{
	uint64_t code;
	size_t n;

	if (c->height < 0 || c->value < 0 || c->value > MAX_MONEY ||
	    (c->script_len > 0 && c->script == NULL))
		return -1;
	code = (uint64_t)c->height * 2 + (c->coinbase ? 1 : 0);
	n = codec_varint_put(out, code);
	n += codec_varint_put(out + n,
	    codec_amount_compress((uint64_t)c->value));
	*len = n;
	return 0;
}

int
codec_coin_decode(uint8_t *p, size_t len, struct coin *c)
{
	struct rbuf r;
	uint64_t code, x, value;

	rbuf_init(&r, p, len);
	if (codec_varint_get(&r, &code) == -1 || code > UINT32_MAX ||
	    codec_varint_get(&r, &x) == -1 ||
	    codec_amount_decompress(x, &value) == -1)
		return -1;
	c->height = (int32_t)(code >> 1);
	c->coinbase = (int)(code & 1);
	c->value = (int64_t)value;
	c->script = p + r.off;
	c->script_len = len - r.off;
	return 0;
}

void
codec_coin_key(const struct outpoint *op, uint8_t key[COIN_KEY_LEN])
{
	memcpy(key, op->hash, 32);
	key[32] = (uint8_t)(op->n >> 24);
	key[33] = (uint8_t)(op->n >> 16);
	key[34] = (uint8_t)(op->n >> 8);
	key[35] = (uint8_t)op->n;
}

void
codec_coin_key_parse(const uint8_t key[COIN_KEY_LEN], struct outpoint *op)
{
	memcpy(op->hash, key, 32);
	op->n = (uint32_t)key[32] << 24 | (uint32_t)key[33] << 16 |
	    (uint32_t)key[34] << 8 | (uint32_t)key[35];
}

void
codec_index_encode(const struct block_index_entry *e,
    uint8_t out[INDEX_VALUE_LEN])
{
	uint8_t *p = out;

	header_serialize(&e->hdr, p);
	p += 80;
	le32_write(p, (uint32_t)e->height);
	p += 4;
	memcpy(p, e->chainwork, 32);
	p += 32;
	le32_write(p, e->status);
	p += 4;
	le32_write(p, e->tx_count);
	p += 4;
	le64_write(p, e->chain_tx);
	p += 8;
	le32_write(p, e->sequence_id);
}

int
codec_index_decode(const uint8_t *p, size_t len, const uint8_t hash[32],
    struct block_index_entry *e)
{
	struct rbuf r;

	if (len != INDEX_VALUE_LEN)
		return -1;
	rbuf_init(&r, p, 80);
	if (header_parse(&r, &e->hdr) == -1)
		return -1;
	p += 80;
	memcpy(e->hash, hash, 32);
	e->height = (int32_t)le32_read(p);
	p += 4;
	memcpy(e->chainwork, p, 32);
	p += 32;
	e->status = le32_read(p);
	p += 4;
	e->tx_count = le32_read(p);
	p += 4;
	e->chain_tx = le64_read(p);
	p += 8;
	e->sequence_id = le32_read(p);
	return 0;
}
