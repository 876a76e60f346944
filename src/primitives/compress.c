/*
 * Core's compact output encodings (compress.h). The special script forms
 * need the curve for uncompressed keys: whether a key is valid (only valid
 * ones compress) and, decoding, the y coordinate from x and its parity.
 * libsecp256k1's static context does both.
 */
#include <string.h>

#include <secp256k1.h>

#include "primitives/compress.h"
#include "script/opcodes.h"

size_t
compress_varint_put(uint8_t out[COMPRESS_VARINT_MAX], uint64_t v)
{
	uint8_t tmp[COMPRESS_VARINT_MAX];
	size_t n = 0, i;

	for (;;) {
		tmp[n] = (uint8_t)((v & 0x7f) | (n ? 0x80 : 0));
		if (v <= 0x7f)
			break;
		v = (v >> 7) - 1;
		n++;
	}
	for (i = 0; i <= n; i++)
		out[i] = tmp[n - i];
	return n + 1;
}

int
compress_varint_get(struct rbuf *r, uint64_t max, uint64_t *v)
{
	size_t save = r->off;
	uint64_t n = 0;
	uint8_t b;

	for (;;) {
		if (rbuf_get_u8(r, &b) == -1 || n > (max >> 7))
			goto bad;
		n = (n << 7) | (b & 0x7f);
		if (!(b & 0x80))
			break;
		if (n == max)
			goto bad;
		n++;
	}
	*v = n;
	return 0;
bad:
	r->off = save;
	return -1;
}

uint64_t
compress_amount(uint64_t n)
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

uint64_t
decompress_amount(uint64_t x)
{
	unsigned int e;
	uint64_t n, d;

	if (x == 0)
		return 0;
	x--;
	e = x % 10;
	x /= 10;
	if (e < 9) {
		d = x % 9 + 1;
		x /= 9;
		n = x * 10 + d;
	} else
		n = x + 1;
	while (e--)
		n *= 10;
	return n;
}

/* Bytes after the type byte of special script form t (Core's GetSpecialScriptSize). */
static size_t
special_size(uint64_t t)
{
	return t < 2 ? 20 : 32;
}

/* Whether s is P2PK with an uncompressed key that is on the curve. */
static int
uncompressed_p2pk(const uint8_t *s, size_t len)
{
	secp256k1_pubkey pk;

	if (len != 67 || s[0] != 65 || s[66] != OP_CHECKSIG || s[1] != 0x04)
		return 0;
	return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, s + 1,
	    65);
}

void
compress_script_put(struct wbuf *w, const uint8_t *s, size_t len)
{
	uint8_t v[COMPRESS_VARINT_MAX];

	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
	    s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG) {
		wbuf_put_u8(w, 0x00);
		wbuf_put(w, s + 3, 20);
		return;
	}
	if (len == 23 && s[0] == OP_HASH160 && s[1] == 20 &&
	    s[22] == OP_EQUAL) {
		wbuf_put_u8(w, 0x01);
		wbuf_put(w, s + 2, 20);
		return;
	}
	if (len == 35 && s[0] == 33 && s[34] == OP_CHECKSIG &&
	    (s[1] == 0x02 || s[1] == 0x03)) {
		wbuf_put(w, s + 1, 33);
		return;
	}
	if (uncompressed_p2pk(s, len)) {
		wbuf_put_u8(w, (uint8_t)(0x04 | (s[65] & 0x01)));
		wbuf_put(w, s + 2, 32);
		return;
	}
	wbuf_put(w, v,
	    compress_varint_put(v, (uint64_t)len + COMPRESS_SPECIAL_SCRIPTS));
	if (len > 0)
		wbuf_put(w, s, len);
}

/* Core's DecompressScript for the six special forms. */
static void
special_decompress(uint64_t t, const uint8_t *p, struct wbuf *out)
{
	secp256k1_pubkey pk;
	uint8_t key[65];
	size_t klen = sizeof(key);

	switch (t) {
	case 0x00:
		wbuf_put_u8(out, OP_DUP);
		wbuf_put_u8(out, OP_HASH160);
		wbuf_put_u8(out, 20);
		wbuf_put(out, p, 20);
		wbuf_put_u8(out, OP_EQUALVERIFY);
		wbuf_put_u8(out, OP_CHECKSIG);
		break;
	case 0x01:
		wbuf_put_u8(out, OP_HASH160);
		wbuf_put_u8(out, 20);
		wbuf_put(out, p, 20);
		wbuf_put_u8(out, OP_EQUAL);
		break;
	case 0x02:
	case 0x03:
		wbuf_put_u8(out, 33);
		wbuf_put_u8(out, (uint8_t)t);
		wbuf_put(out, p, 32);
		wbuf_put_u8(out, OP_CHECKSIG);
		break;
	default:
		/* 0x04/0x05: the compressed key with that parity, expanded. */
		key[0] = (uint8_t)(t - 2);
		memcpy(key + 1, p, 32);
		if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk,
			key, 33))
			return;
		secp256k1_ec_pubkey_serialize(secp256k1_context_static, key,
		    &klen, &pk, SECP256K1_EC_UNCOMPRESSED);
		wbuf_put_u8(out, 65);
		wbuf_put(out, key, 65);
		wbuf_put_u8(out, OP_CHECKSIG);
		break;
	}
}

int
compress_script_get(struct rbuf *r, struct wbuf *out)
{
	size_t save = r->off;
	const uint8_t *p;
	uint64_t n;

	if (compress_varint_get(r, UINT32_MAX, &n) == -1)
		return -1;
	if (n < COMPRESS_SPECIAL_SCRIPTS) {
		if ((p = rbuf_ptr(r, special_size(n))) == NULL)
			goto bad;
		special_decompress(n, p, out);
		return 0;
	}
	n -= COMPRESS_SPECIAL_SCRIPTS;
	if (n > MAX_SCRIPT_SIZE) {
		/* Core keeps a short unspendable script in its place. */
		if (rbuf_skip(r, n) == -1)
			goto bad;
		wbuf_put_u8(out, OP_RETURN);
		return 0;
	}
	if ((p = rbuf_ptr(r, n)) == NULL)
		goto bad;
	wbuf_put(out, p, n);
	return 0;
bad:
	r->off = save;
	return -1;
}

void
compress_coin_put(struct wbuf *w, uint32_t height, int coinbase, int64_t value,
    const uint8_t *script, size_t len)
{
	uint8_t v[COMPRESS_VARINT_MAX];

	wbuf_put(w, v,
	    compress_varint_put(v, (uint64_t)height * 2 + (coinbase ? 1 : 0)));
	wbuf_put(w, v,
	    compress_varint_put(v, compress_amount((uint64_t)value)));
	compress_script_put(w, script, len);
}

int
compress_coin_get(struct rbuf *r, struct compressed_coin *c)
{
	size_t save = r->off;
	uint64_t code, x;

	wbuf_reset(&c->script);
	if (compress_varint_get(r, UINT32_MAX, &code) == -1 ||
	    compress_varint_get(r, UINT64_MAX, &x) == -1 ||
	    compress_script_get(r, &c->script) == -1) {
		r->off = save;
		return -1;
	}
	c->height = (uint32_t)(code >> 1);
	c->coinbase = (int)(code & 1);
	c->value = (int64_t)decompress_amount(x);
	return 0;
}
