/* HKDF-SHA256 over libcrypto's HMAC (crypto/hash.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
hkdf_sha256_extract(const void *salt, size_t saltlen, const void *ikm,
    size_t ikmlen, uint8_t prk[32])
{
	hmac_sha256(salt, saltlen, ikm, ikmlen, prk);
}

void
hkdf_sha256_expand(const uint8_t prk[32], const void *info, size_t infolen,
    uint8_t *out, size_t len)
{
	uint8_t t[32], *m;
	size_t mlen, off = 0, k;
	unsigned i;

	if (len > HKDF_SHA256_MAXLEN)
		fatalx("hkdf_sha256_expand: %zu bytes asked", len);
	/* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
	m = xmalloc(32 + infolen + 1);
	for (i = 1; off < len; i++) {
		mlen = 0;
		if (i > 1) {
			memcpy(m, t, 32);
			mlen = 32;
		}
		if (infolen)
			memcpy(m + mlen, info, infolen);
		mlen += infolen;
		m[mlen++] = (uint8_t)i;
		hmac_sha256(prk, 32, m, mlen, t);
		k = len - off < 32 ? len - off : 32;
		memcpy(out + off, t, k);
		off += k;
	}
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(m, 32 + infolen + 1);
	free(m);
}
