/*
 * Hashing through libcrypto's low-level SHA-256 and RIPEMD-160 (the fast
 * paths with SHA-NI/AVX2 where the CPU has them). OpenSSL 3's one-shot
 * SHA256() goes through EVP_Q_digest, which fetches the algorithm on every
 * call (a lock and a lookup); block hashing calls this millions of times,
 * so every helper here uses the Init/Update/Final functions directly.
 */
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/ripemd.h>

#include "crypto/hash.h"
#include "util/log.h"

void
sha256_init(struct sha256_ctx *c)
{
	SHA256_Init(&c->c);
}

void
sha256_update(struct sha256_ctx *c, const void *p, size_t n)
{
	SHA256_Update(&c->c, p, n);
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[32])
{
	SHA256_Final(out, &c->c);
}

void
sha256(const void *p, size_t n, uint8_t out[32])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, p, n);
	SHA256_Final(out, &c);
}

void
hash256(const void *p, size_t n, uint8_t out[32])
{
	uint8_t t[32];

	sha256(p, n, t);
	sha256(t, 32, out);
}

void
hash256_final(struct sha256_ctx *c, uint8_t out[32])
{
	uint8_t t[32];

	SHA256_Final(t, &c->c);
	sha256(t, 32, out);
}

void
ripemd160(const void *p, size_t n, uint8_t out[20])
{
	RIPEMD160_CTX c;

	RIPEMD160_Init(&c);
	RIPEMD160_Update(&c, p, n);
	RIPEMD160_Final(out, &c);
}

void
hash160(const void *p, size_t n, uint8_t out[20])
{
	uint8_t t[32];

	sha256(p, n, t);
	ripemd160(t, 32, out);
}

void
sha1(const void *p, size_t n, uint8_t out[20])
{
	SHA_CTX c;

	SHA1_Init(&c);
	SHA1_Update(&c, p, n);
	SHA1_Final(out, &c);
}

void
tagged_hash_init(struct sha256_ctx *c, const char *tag)
{
	uint8_t t[32];

	sha256(tag, strlen(tag), t);
	SHA256_Init(&c->c);
	SHA256_Update(&c->c, t, 32);
	SHA256_Update(&c->c, t, 32);
}

void
tagged_hash(const char *tag, const void *p, size_t n, uint8_t out[32])
{
	struct sha256_ctx c;

	tagged_hash_init(&c, tag);
	sha256_update(&c, p, n);
	sha256_final(&c, out);
}

void
hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
    uint8_t out[32])
{
	unsigned int len = 32;

	if (HMAC(EVP_sha256(), key, (int)keylen, p, n, out, &len) == NULL)
		fatalx("hmac_sha256: libcrypto failed");
}
