/*
 * Core's compact output encodings (primitives/compress.h): VARINT vectors
 * from Core's serialize tests, amounts from its compress tests, the six
 * special script forms both ways, and the odd decodings Core has
 * (wrapping amounts, off-curve keys, oversized scripts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/compress.h"
#include "primitives/tx.h"
#include "script/opcodes.h"
#include "util/hex.h"
#include "util/xmalloc.h"
#include "unit.h"

static void
test_varint_vectors(void)
{
	static const struct {
		uint64_t v;
		const char *hex;
	} vec[] = {
		{ 0, "00" },
		{ 0x7f, "7f" },
		{ 0x80, "8000" },
		{ 0x1234, "a334" },
		{ 0xffff, "82fe7f" },
		{ 0x123456, "c7e756" },
		{ 0x80123456, "86ffc7e756" },
		{ 0xffffffff, "8efefefe7f" },
		{ 0x7fffffffffffffffull, "fefefefefefefefe7f" },
		{ 0xffffffffffffffffull, "80fefefefefefefefe7f" },
	};
	uint8_t out[COMPRESS_VARINT_MAX], raw[16];
	char hex[2 * COMPRESS_VARINT_MAX + 1];
	struct rbuf r;
	uint64_t got;
	size_t i, n;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		n = compress_varint_put(out, vec[i].v);
		hex_encode(out, n, hex);
		CHECK_EQ_STR(hex, vec[i].hex);
		rbuf_init(&r, out, n);
		CHECK(compress_varint_get(&r, UINT64_MAX, &got) == 0);
		CHECK(got == vec[i].v);
		CHECK_EQ_INT(rbuf_left(&r), 0);
	}
	/* A 32-bit field refuses what does not fit, as ReadVarInt<uint32_t>. */
	n = compress_varint_put(out, 0x100000000ull);
	rbuf_init(&r, out, n);
	CHECK(compress_varint_get(&r, UINT32_MAX, &got) == -1);
	CHECK_EQ_INT(r.off, 0);
	n = compress_varint_put(out, 0xffffffff);
	rbuf_init(&r, out, n);
	CHECK(compress_varint_get(&r, UINT32_MAX, &got) == 0 &&
	    got == 0xffffffff);
	/* Truncated: a continuation bit with nothing after it. */
	raw[0] = 0x80;
	rbuf_init(&r, raw, 1);
	CHECK(compress_varint_get(&r, UINT64_MAX, &got) == -1);
	/* Eleven continuation groups overflow 64 bits. */
	memset(raw, 0xfe, 11);
	raw[11] = 0x7f;
	rbuf_init(&r, raw, 12);
	CHECK(compress_varint_get(&r, UINT64_MAX, &got) == -1);
}

static void
test_amounts(void)
{
	static const struct {
		uint64_t n, c;
	} vec[] = {
		{ 0, 0x0 },
		{ 1, 0x1 },
		{ 1000000, 0x7 },
		{ 100000000, 0x9 },
		{ 5000000000ull, 0x32 },
		{ 2100000000000000ull, 0x1406f40 },
	};
	uint64_t i;
	size_t k;

	for (k = 0; k < sizeof(vec) / sizeof(vec[0]); k++) {
		CHECK(compress_amount(vec[k].n) == vec[k].c);
		CHECK(decompress_amount(vec[k].c) == vec[k].n);
	}
	for (i = 1; i <= 100000; i++)
		CHECK(decompress_amount(compress_amount(i * 1000000)) ==
		    i * 1000000);
	for (i = 0; i < 100000; i++)
		CHECK(compress_amount(decompress_amount(i)) == i);
	/* Far above the money range Core's arithmetic wraps; so does ours. */
	CHECK(decompress_amount(10) == 1000000000ull);
	CHECK(decompress_amount(UINT64_MAX - 5) ==
	    (((UINT64_MAX - 6) / 10) + 1) * 1000000000ull);
}

/* A valid uncompressed key: the generator point. */
static const char
    *GX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
static const char
    *GY = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

static void
roundtrip(const uint8_t *s, size_t len, size_t want_len)
{
	struct wbuf w, out;
	struct rbuf r;

	wbuf_init(&w);
	wbuf_init(&out);
	compress_script_put(&w, s, len);
	CHECK_EQ_INT(w.len, want_len);
	rbuf_init(&r, w.p, w.len);
	CHECK(compress_script_get(&r, &out) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	CHECK_EQ_INT(out.len, len);
	CHECK(len == 0 || memcmp(out.p, s, len) == 0);
	wbuf_free(&w);
	wbuf_free(&out);
}

static void
test_scripts(void)
{
	uint8_t s[80], bad[33];
	struct wbuf w, out;
	struct rbuf r;

	/* P2PKH and P2SH: type byte and the 20-byte hash. */
	s[0] = OP_DUP;
	s[1] = OP_HASH160;
	s[2] = 20;
	memset(s + 3, 0x11, 20);
	s[23] = OP_EQUALVERIFY;
	s[24] = OP_CHECKSIG;
	roundtrip(s, 25, 21);
	s[0] = OP_HASH160;
	s[1] = 20;
	memset(s + 2, 0x22, 20);
	s[22] = OP_EQUAL;
	roundtrip(s, 23, 21);
	/* P2PK, compressed key (Core does not check it is on the curve). */
	s[0] = 33;
	s[1] = 0x03;
	memset(s + 2, 0x33, 32);
	s[34] = OP_CHECKSIG;
	roundtrip(s, 35, 33);
	/* P2PK, uncompressed valid key: x and parity only. */
	s[0] = 65;
	s[1] = 0x04;
	hex_decode(GX, s + 2, 32);
	hex_decode(GY, s + 34, 32);
	s[66] = OP_CHECKSIG;
	roundtrip(s, 67, 33);
	/* Off the curve: not compressible, kept whole. */
	s[40] ^= 1;
	roundtrip(s, 67, 1 + 67);
	/* Other scripts: VARINT(length + 6) and the bytes. */
	roundtrip(s, 0, 1);
	s[0] = OP_RETURN;
	roundtrip(s, 1, 2);
	memset(s, 0x51, 80);
	roundtrip(s, 80, 1 + 80);
	memset(s, 0x51, 80);
	roundtrip(s, 75, 1 + 75);

	/* Decoding an x that is not on the curve gives an empty script. */
	wbuf_init(&w);
	wbuf_init(&out);
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x05; /* x = 0 has no point */
	rbuf_init(&r, bad, 33);
	CHECK(compress_script_get(&r, &out) == 0 && out.len == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	/* Over MAX_SCRIPT_SIZE: skipped, OP_RETURN in its place. */
	wbuf_reset(&w);
	{
		uint8_t v[COMPRESS_VARINT_MAX];
		size_t n = compress_varint_put(v, MAX_SCRIPT_SIZE + 1 + 6);
		uint8_t *big = xcalloc(1, MAX_SCRIPT_SIZE + 1);

		wbuf_put(&w, v, n);
		wbuf_put(&w, big, MAX_SCRIPT_SIZE + 1);
		free(big);
	}
	rbuf_init(&r, w.p, w.len);
	wbuf_reset(&out);
	CHECK(compress_script_get(&r, &out) == 0);
	CHECK(out.len == 1 && out.p[0] == OP_RETURN);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	/* Truncated: a special form without its 32 bytes, a short script. */
	rbuf_init(&r, bad, 20);
	CHECK(compress_script_get(&r, &out) == -1);
	CHECK_EQ_INT(r.off, 0);
	bad[0] = 6 + 10;
	rbuf_init(&r, bad, 5);
	CHECK(compress_script_get(&r, &out) == -1);
	wbuf_free(&w);
	wbuf_free(&out);
}

static void
test_coin(void)
{
	static const uint8_t p2sh[23] = { OP_HASH160, 20, 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, OP_EQUAL };
	struct compressed_coin c;
	struct wbuf w;
	struct rbuf r;
	char hex[128];

	wbuf_init(&w);
	memset(&c, 0, sizeof(c));
	wbuf_init(&c.script);
	/* Height 110 coinbase paying 50 BTC: code 221, amount 50. */
	compress_coin_put(&w, 110, 1, 50 * COIN, p2sh, sizeof(p2sh));
	hex_encode(w.p, 3, hex);
	CHECK_EQ_STR(hex, "805d32");
	rbuf_init(&r, w.p, w.len);
	CHECK(compress_coin_get(&r, &c) == 0);
	CHECK(c.height == 110 && c.coinbase == 1 && c.value == 50 * COIN);
	CHECK(c.script.len == sizeof(p2sh) &&
	    memcmp(c.script.p, p2sh, sizeof(p2sh)) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	/* Cut anywhere, it does not read and the cursor stays put. */
	rbuf_init(&r, w.p, w.len - 1);
	CHECK(compress_coin_get(&r, &c) == -1);
	CHECK_EQ_INT(r.off, 0);
	wbuf_free(&w);
	wbuf_free(&c.script);
}

UNIT_MAIN(UNIT_CASE(test_varint_vectors), UNIT_CASE(test_amounts),
    UNIT_CASE(test_scripts), UNIT_CASE(test_coin))
