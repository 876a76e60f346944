/*
 * ChaCha20 as RFC 8439 section 2.3 defines it: 20 rounds over a 4x4 state
 * of constants, key, a 32-bit block counter and a 96-bit nonce. Portable C;
 * BIP324 encrypts a few bytes of length per packet with it, the bulk goes
 * through OpenSSL's AEAD (chacha20poly1305.c).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/chacha20.h"
#include "util/buf.h"

#define ROTL(v, n) ((v) << (n) | (v) >> (32 - (n)))
#define QR(a, b, c, d) \
	do { \
		a += b; \
		d ^= a; \
		d = ROTL(d, 16); \
		c += d; \
		b ^= c; \
		b = ROTL(b, 12); \
		a += b; \
		d ^= a; \
		d = ROTL(d, 8); \
		c += d; \
		b ^= c; \
		b = ROTL(b, 7); \
	} while (0)

/* "expand 32-byte k" */
static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32,
	0x6b206574 };

static void
core(const uint32_t in[16], uint8_t out[CHACHA20_BLOCKLEN])
{
	uint32_t x[16];
	int i;

	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		le32_write(out + 4 * i, x[i] + in[i]);
	OPENSSL_cleanse(x, sizeof(x));
}

static void
set_key(uint32_t s[16], const uint8_t key[CHACHA20_KEYLEN])
{
	int i;

	memcpy(s, sigma, sizeof(sigma));
	for (i = 0; i < 8; i++)
		s[4 + i] = le32_read(key + 4 * i);
}

static void
set_nonce(uint32_t s[16], const uint8_t nonce[CHACHA20_NONCELEN],
    uint32_t counter)
{
	s[12] = counter;
	s[13] = le32_read(nonce);
	s[14] = le32_read(nonce + 4);
	s[15] = le32_read(nonce + 8);
}

void
chacha20_block(const uint8_t key[CHACHA20_KEYLEN],
    const uint8_t nonce[CHACHA20_NONCELEN], uint32_t counter,
    uint8_t out[CHACHA20_BLOCKLEN])
{
	uint32_t s[16];

	set_key(s, key);
	set_nonce(s, nonce, counter);
	core(s, out);
	OPENSSL_cleanse(s, sizeof(s));
}

void
chacha20_nonce96(uint8_t nonce[CHACHA20_NONCELEN], uint32_t lo, uint64_t hi)
{
	le32_write(nonce, lo);
	le32_write(nonce + 4, (uint32_t)hi);
	le32_write(nonce + 8, (uint32_t)(hi >> 32));
}

void
chacha20_init(struct chacha20 *c, const uint8_t key[CHACHA20_KEYLEN])
{
	static const uint8_t zero[CHACHA20_NONCELEN];

	set_key(c->state, key);
	set_nonce(c->state, zero, 0);
	c->left = 0;
}

void
chacha20_seek(struct chacha20 *c, const uint8_t nonce[CHACHA20_NONCELEN],
    uint32_t counter)
{
	set_nonce(c->state, nonce, counter);
	c->left = 0;
}

/* The next block into c->buf; the counter wraps as RFC 8439's 32 bits do. */
static void
refill(struct chacha20 *c)
{
	core(c->state, c->buf);
	c->state[12]++;
	c->left = CHACHA20_BLOCKLEN;
}

void
chacha20_keystream(struct chacha20 *c, uint8_t *out, size_t n)
{
	size_t k;

	while (n > 0) {
		if (c->left == 0)
			refill(c);
		k = n < c->left ? n : c->left;
		memcpy(out, c->buf + CHACHA20_BLOCKLEN - c->left, k);
		c->left -= (unsigned)k;
		out += k;
		n -= k;
	}
}

void
chacha20_crypt(struct chacha20 *c, const uint8_t *in, uint8_t *out, size_t n)
{
	const uint8_t *ks;
	size_t k, i;

	while (n > 0) {
		if (c->left == 0)
			refill(c);
		k = n < c->left ? n : c->left;
		ks = c->buf + CHACHA20_BLOCKLEN - c->left;
		for (i = 0; i < k; i++)
			out[i] = in[i] ^ ks[i];
		c->left -= (unsigned)k;
		in += k;
		out += k;
		n -= k;
	}
}

void
chacha20_wipe(struct chacha20 *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

void
fschacha20_init(struct fschacha20 *f, const uint8_t key[CHACHA20_KEYLEN])
{
	chacha20_init(&f->c, key);
	f->chunk_counter = 0;
	f->rekey_counter = 0;
}

void
fschacha20_crypt(struct fschacha20 *f, const uint8_t *in, uint8_t *out,
    size_t n)
{
	uint8_t key[CHACHA20_KEYLEN], nonce[CHACHA20_NONCELEN];

	chacha20_crypt(&f->c, in, out, n);
	if (++f->chunk_counter < FSCHACHA20_REKEY_INTERVAL)
		return;
	/* The old key cannot be recovered from the new one: forward security. */
	chacha20_keystream(&f->c, key, sizeof(key));
	chacha20_init(&f->c, key);
	OPENSSL_cleanse(key, sizeof(key));
	chacha20_nonce96(nonce, 0, ++f->rekey_counter);
	chacha20_seek(&f->c, nonce, 0);
	f->chunk_counter = 0;
}

void
fschacha20_wipe(struct fschacha20 *f)
{
	OPENSSL_cleanse(f, sizeof(*f));
}

void
crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
