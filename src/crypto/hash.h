/*
 * Hashes through OpenSSL's libcrypto. Outputs are in internal byte order;
 * use hash_to_hex (util/hex.h) to display them as Core does.
 * All functions are reentrant.
 */
#ifndef BR_HASH_H
#define BR_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/sha.h>

struct sha256_ctx {
	SHA256_CTX c;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);

void sha256(const void *p, size_t n, uint8_t out[32]);
/* SHA256(SHA256(x)): txids, block hashes, checksums. */
void hash256(const void *p, size_t n, uint8_t out[32]);
/* Finalises c and hashes the result once more. */
void hash256_final(struct sha256_ctx *c, uint8_t out[32]);
void ripemd160(const void *p, size_t n, uint8_t out[20]);
/* RIPEMD160(SHA256(x)). */
void hash160(const void *p, size_t n, uint8_t out[20]);
void sha1(const void *p, size_t n, uint8_t out[20]);
/* BIP340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || msg). */
void tagged_hash_init(struct sha256_ctx *c, const char *tag);
void tagged_hash(const char *tag, const void *p, size_t n, uint8_t out[32]);
/* HMAC-SHA256 (rpcauth). */
void hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
    uint8_t out[32]);

#endif
