/*
 * The AEAD through OpenSSL's EVP "ChaCha20-Poly1305" (its assembly paths);
 * the rekeying keystream through our own ChaCha20. One EVP context per
 * direction is set up once with the cipher and then re-keyed per packet,
 * which avoids a provider fetch per call.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/chacha20poly1305.h"
#include "util/log.h"

void
chacha20poly1305_init(struct chacha20poly1305 *a,
    const uint8_t key[CHACHA20POLY1305_KEYLEN])
{
	a->ctx = EVP_CIPHER_CTX_new();
	if (a->ctx == NULL ||
	    EVP_CipherInit_ex(a->ctx, EVP_chacha20_poly1305(), NULL, NULL,
		NULL, 1) != 1)
		fatalx(
		    "chacha20poly1305_init: OpenSSL has no ChaCha20-Poly1305");
	memcpy(a->key, key, CHACHA20POLY1305_KEYLEN);
}

void
chacha20poly1305_set_key(struct chacha20poly1305 *a,
    const uint8_t key[CHACHA20POLY1305_KEYLEN])
{
	memcpy(a->key, key, CHACHA20POLY1305_KEYLEN);
}

/* EVP counts in int; BIP324 packets are at most 16 MB, so this never trips. */
static int
ilen(size_t n)
{
	if (n > INT_MAX)
		fatalx("chacha20poly1305: length %zu too large", n);
	return (int)n;
}

static void
start(struct chacha20poly1305 *a, const uint8_t nonce[CHACHA20_NONCELEN],
    const uint8_t *aad, size_t aadlen, int enc)
{
	int outl;

	if (EVP_CipherInit_ex(a->ctx, NULL, NULL, a->key, nonce, enc) != 1)
		fatalx("chacha20poly1305: EVP_CipherInit_ex");
	if (aadlen > 0 &&
	    EVP_CipherUpdate(a->ctx, NULL, &outl, aad, ilen(aadlen)) != 1)
		fatalx("chacha20poly1305: aad");
}

static void
update(struct chacha20poly1305 *a, const uint8_t *in, size_t n, uint8_t *out)
{
	int outl;

	if (n > 0 &&
	    (EVP_CipherUpdate(a->ctx, out, &outl, in, ilen(n)) != 1 ||
		(size_t)outl != n))
		fatalx("chacha20poly1305: EVP_CipherUpdate");
}

void
chacha20poly1305_encrypt(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2, uint8_t *out)
{
	uint8_t fin[16];
	int outl;

	start(a, nonce, aad, aadlen, 1);
	update(a, p1, n1, out);
	update(a, p2, n2, out + n1);
	if (EVP_CipherFinal_ex(a->ctx, fin, &outl) != 1 || outl != 0 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG,
		CHACHA20POLY1305_TAGLEN, out + n1 + n2) != 1)
		fatalx("chacha20poly1305_encrypt: final");
}

int
chacha20poly1305_decrypt(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *in, uint8_t *out1, size_t n1, uint8_t *out2, size_t n2)
{
	uint8_t tag[CHACHA20POLY1305_TAGLEN], fin[16];
	int outl;

	start(a, nonce, aad, aadlen, 0);
	update(a, in, n1, out1);
	update(a, in + n1, n2, out2);
	memcpy(tag, in + n1 + n2, sizeof(tag));
	if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, sizeof(tag),
		tag) != 1)
		fatalx("chacha20poly1305_decrypt: set tag");
	/* Final compares the tag in constant time. */
	return EVP_CipherFinal_ex(a->ctx, fin, &outl) == 1 ? 0 : -1;
}

void
chacha20poly1305_keystream(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], uint8_t *out, size_t n)
{
	struct chacha20 c;

	chacha20_init(&c, a->key);
	chacha20_seek(&c, nonce, 1);
	chacha20_keystream(&c, out, n);
	chacha20_wipe(&c);
}

void
chacha20poly1305_free(struct chacha20poly1305 *a)
{
	EVP_CIPHER_CTX_free(a->ctx);
	a->ctx = NULL;
	OPENSSL_cleanse(a->key, sizeof(a->key));
}

void
fschacha20poly1305_init(struct fschacha20poly1305 *f,
    const uint8_t key[CHACHA20POLY1305_KEYLEN])
{
	chacha20poly1305_init(&f->aead, key);
	f->packet_counter = 0;
	f->rekey_counter = 0;
}

static void
next_packet(struct fschacha20poly1305 *f)
{
	uint8_t nonce[CHACHA20_NONCELEN], block[CHACHA20_BLOCKLEN];

	if (++f->packet_counter < FSCHACHA20POLY1305_REKEY_INTERVAL)
		return;
	/* A whole block, as Core, though only the first 32 bytes are used. */
	chacha20_nonce96(nonce, 0xffffffffu, f->rekey_counter);
	chacha20poly1305_keystream(&f->aead, nonce, block, sizeof(block));
	chacha20poly1305_set_key(&f->aead, block);
	OPENSSL_cleanse(block, sizeof(block));
	f->packet_counter = 0;
	f->rekey_counter++;
}

void
fschacha20poly1305_encrypt(struct fschacha20poly1305 *f, const uint8_t *aad,
    size_t aadlen, const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2,
    uint8_t *out)
{
	uint8_t nonce[CHACHA20_NONCELEN];

	chacha20_nonce96(nonce, f->packet_counter, f->rekey_counter);
	chacha20poly1305_encrypt(&f->aead, nonce, aad, aadlen, p1, n1, p2, n2,
	    out);
	next_packet(f);
}

int
fschacha20poly1305_decrypt(struct fschacha20poly1305 *f, const uint8_t *aad,
    size_t aadlen, const uint8_t *in, uint8_t *out1, size_t n1, uint8_t *out2,
    size_t n2)
{
	uint8_t nonce[CHACHA20_NONCELEN];
	int rc;

	chacha20_nonce96(nonce, f->packet_counter, f->rekey_counter);
	rc = chacha20poly1305_decrypt(&f->aead, nonce, aad, aadlen, in, out1,
	    n1, out2, n2);
	next_packet(f);
	return rc;
}

void
fschacha20poly1305_free(struct fschacha20poly1305 *f)
{
	chacha20poly1305_free(&f->aead);
	f->packet_counter = 0;
	f->rekey_counter = 0;
}
