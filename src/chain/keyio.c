/*
 * Wallet Import Format (see keyio.h).
 */
#include <string.h>

#include "chain/base58.h"
#include "chain/keyio.h"
#include "crypto/key.h"

/* Prefix, key, compression flag. */
#define WIF_MAX_PAYLOAD 34

int
keyio_decode_secret(const struct chainparams *p, const char *s,
    uint8_t secret[32], int *compressed)
{
	uint8_t buf[WIF_MAX_PAYLOAD];
	size_t n;
	int rc = -1;

	if (base58check_decode(s, buf, sizeof(buf), &n) == -1)
		return -1;
	if ((n == 33 || (n == 34 && buf[33] == 1)) &&
	    buf[0] == p->wif_prefix) {
		memcpy(secret, buf + 1, 32);
		*compressed = n == 34;
		rc = key_secret_valid(secret) ? 0 : -1;
	}
	explicit_bzero(buf, sizeof(buf));
	if (rc == -1)
		explicit_bzero(secret, 32);
	return rc;
}

char *
keyio_encode_secret(const struct chainparams *p, const uint8_t secret[32],
    int compressed)
{
	uint8_t buf[WIF_MAX_PAYLOAD];
	char *s;

	buf[0] = p->wif_prefix;
	memcpy(buf + 1, secret, 32);
	buf[33] = 1;
	s = base58check_encode(buf, compressed ? 34 : 33);
	explicit_bzero(buf, sizeof(buf));
	return s;
}
