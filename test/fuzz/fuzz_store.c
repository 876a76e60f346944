/*
 * libFuzzer target for the store's record codecs (store/store_codec.c):
 * the coin values and block index entries bitrootd reads back from
 * data.mdb, where a damaged or hand-edited file can put any bytes.
 *
 * Input: a selector byte, then the record. Selector bit 0 clear: a coin
 * value (codec_coin_decode); set: a block index value, its first 32 bytes
 * taken as the key (the block hash). The coin key is checked on the first
 * COIN_KEY_LEN bytes either way. Properties:
 *  - a coin that decodes has a height within int32, a flag 0 or 1 and an
 *    amount in the money range, and encodes back to exactly the bytes read
 *    (the VARINTs and the amount compression have one spelling each);
 *  - the script is the rest of the value, borrowed in place;
 *  - an index value decodes only at INDEX_VALUE_LEN bytes, then encodes
 *    back to the same bytes and keeps the key as its hash;
 *  - a coin key parses to an outpoint that makes the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/tx.h"
#include "store/store_int.h"

#define FUZZ_NAME "fuzz_store"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_coin(const uint8_t *data, size_t size)
{
	uint8_t *p, hdr[COIN_HDR_MAX];
	struct coin c;
	size_t n;

	/* The decoder works in place (the map is writable to it). */
	p = malloc(size ? size : 1);
	PROP(p != NULL);
	memcpy(p, data, size);
	if (codec_coin_decode(p, size, &c) == 0) {
		PROP(c.height >= 0);
		PROP(c.coinbase == 0 || c.coinbase == 1);
		PROP(c.value >= 0 && c.value <= MAX_MONEY);
		PROP(c.script >= p && c.script + c.script_len == p + size);
		PROP(codec_coin_encode_hdr(&c, hdr, &n) == 0);
		PROP(n + c.script_len == size);
		PROP(memcmp(hdr, data, n) == 0);
	}
	free(p);
}

static void
check_index(const uint8_t *data, size_t size)
{
	struct block_index_entry e;
	uint8_t out[INDEX_VALUE_LEN];

	if (size < 32)
		return;
	memset(&e, 0, sizeof(e));
	if (codec_index_decode(data + 32, size - 32, data, &e) != 0) {
		PROP(size - 32 != INDEX_VALUE_LEN);
		return;
	}
	PROP(size - 32 == INDEX_VALUE_LEN);
	PROP(memcmp(e.hash, data, 32) == 0);
	codec_index_encode(&e, out);
	PROP(memcmp(out, data + 32, INDEX_VALUE_LEN) == 0);
}

static void
check_key(const uint8_t *data, size_t size)
{
	struct outpoint op;
	uint8_t key[COIN_KEY_LEN];

	if (size < COIN_KEY_LEN)
		return;
	codec_coin_key_parse(data, &op);
	codec_coin_key(&op, key);
	PROP(memcmp(key, data, COIN_KEY_LEN) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		check_index(data + 1, size - 1);
	else
		check_coin(data + 1, size - 1);
	check_key(data + 1, size - 1);
	return 0;
}
