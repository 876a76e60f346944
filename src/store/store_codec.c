/*
 * Value encodings of the store.
 *
 * A coin is VARINT(height * 2 + coinbase), VARINT(compressed amount), then
 * the script's raw bytes to the end of the value: its length is implied,
 * and store_get_coin hands out a pointer into the map without copying.
 * The VARINT and the amount compression are Core's (primitives/compress.h,
 * shared with the UTXO snapshot files), so round amounts take one to
 * three bytes instead of eight.
 */
#include <pthread.h>
#include <string.h>

#include "store/store_int.h"
#include "primitives/compress.h"
#include "primitives/block.h"
#include "primitives/tx.h"

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
	n = compress_varint_put(out, code);
	n += compress_varint_put(out + n, compress_amount((uint64_t)c->value));
	*len = n;
	return 0;
}

int
codec_coin_decode(uint8_t *p, size_t len, struct coin *c)
{
	struct rbuf r;
	uint64_t code, x, value;

	rbuf_init(&r, p, len);
	if (compress_varint_get(&r, UINT32_MAX, &code) == -1 ||
	    compress_varint_get(&r, UINT64_MAX, &x) == -1)
		return -1;
	value = decompress_amount(x);
	/* We wrote it in range; anything else is damage (or wrapped). */
	if (value > (uint64_t)MAX_MONEY ||
	    (x != 0 && compress_amount(value) != x))
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

/*
 * CRC-32C, reflected, one table lookup per byte. Bit rot is what it is for:
 * it catches every error of up to 32 consecutive bits (so any flip inside
 * one value), and a coin's key and value are about 60 bytes, a few
 * hundred nanoseconds at most.
 */
#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	uint32_t c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t
crc_feed(uint32_t c, const uint8_t *p, size_t n)
{
	while (n-- > 0)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

uint32_t
codec_sum(const void *key, size_t klen, const void *val, size_t vlen)
{
	uint32_t c = 0xffffffffu;

	pthread_once(&crc_once, crc_init);
	c = crc_feed(c, key, klen);
	c = crc_feed(c, val, vlen);
	return ~c;
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
