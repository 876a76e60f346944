/*
 * HKDF with HMAC-SHA256 (RFC 5869), as BIP324 derives its keys.
 * Reentrant. Callers wipe the PRK and outputs when they are keys.
 */
#ifndef BR_HKDF_H
#define BR_HKDF_H

#include <stddef.h>
#include <stdint.h>

#define HKDF_SHA256_MAXLEN (255 * 32)

/* PRK = HMAC-SHA256(salt, ikm). */
void hkdf_sha256_extract(const void *salt, size_t saltlen, const void *ikm,
    size_t ikmlen, uint8_t prk[32]);
/* out = the first len bytes of T(1) || T(2) || ...; len <= HKDF_SHA256_MAXLEN. */
void hkdf_sha256_expand(const uint8_t prk[32], const void *info,
    size_t infolen, uint8_t *out, size_t len);

#endif
