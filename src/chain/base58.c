/*
 * Base58: big-number conversion between base 256 and base 58, one digit at
 * a time over a byte buffer sized from the input length.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/base58.h"
#include "crypto/hash.h"
#include "util/xmalloc.h"

static const char alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Core's IsSpace: the C locale's whitespace, whatever the locale. */
static int
is_space(char c)
{
	return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ||
	    c == '\v';
}

static int
digit_value(char c)
{
	const char *q;

	if (c == '\0' || (q = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(q - alphabet);
}

char *
base58_encode(const uint8_t *p, size_t len)
{
	size_t zeroes = 0, size, length = 0, i, j, k;
	uint8_t *b58;
	unsigned carry;
	char *out;

	while (zeroes < len && p[zeroes] == 0)
		zeroes++;
	/* log(256) / log(58), rounded up. */
	size = (len - zeroes) * 138 / 100 + 1;
	b58 = xcalloc(size, 1);
	for (i = zeroes; i < len; i++) {
		carry = p[i];
		/* Only digits written so far need the carry pushed through. */
		for (j = 0; (carry != 0 || j < length) && j < size; j++) {
			carry += 256u * b58[size - 1 - j];
			b58[size - 1 - j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		length = j;
	}
	out = xmalloc(zeroes + length + 1);
	memset(out, '1', zeroes);
	for (k = 0; k < length; k++)
		out[zeroes + k] = alphabet[b58[size - length + k]];
	out[zeroes + length] = '\0';
	free(b58);
	return out;
}

char *
base58check_encode(const uint8_t *p, size_t len)
{
	uint8_t h[32], *buf = xmalloc(len + 4);
	char *out;

	memcpy(buf, p, len);
	hash256(p, len, h);
	memcpy(buf + len, h, 4);
	out = base58_encode(buf, len + 4);
	free(buf);
	return out;
}

int
base58_decode(const char *s, uint8_t *out, size_t max, size_t *outlen)
{
	size_t zeroes = 0, length = 0, size, i;
	uint8_t *b256;
	unsigned carry;
	int v, rc = -1;

	while (*s != '\0' && is_space(*s))
		s++;
	while (*s == '1') {
		if (++zeroes > max)
			return -1;
		s++;
	}
	/* log(58) / log(256), rounded up. */
	size = strlen(s) * 733 / 1000 + 1;
	b256 = xcalloc(size, 1);
	while (*s != '\0' && !is_space(*s)) {
		if ((v = digit_value(*s)) == -1)
			goto out;
		carry = (unsigned)v;
		for (i = 0; (carry != 0 || i < length) && i < size; i++) {
			carry += 58u * b256[size - 1 - i];
			b256[size - 1 - i] = (uint8_t)(carry % 256);
			carry /= 256;
		}
		length = i;
		if (length + zeroes > max)
			goto out;
		s++;
	}
	while (is_space(*s))
		s++;
	if (*s != '\0')
		goto out;
	memset(out, 0, zeroes);
	memcpy(out + zeroes, b256 + size - length, length);
	*outlen = zeroes + length;
	rc = 0;
out:
	free(b256);
	return rc;
}

int
base58check_decode(const char *s, uint8_t *out, size_t max, size_t *outlen)
{
	uint8_t *buf = xmalloc(max + 4), h[32];
	size_t n;
	int rc = -1;

	if (base58_decode(s, buf, max + 4, &n) == -1 || n < 4)
		goto out;
	hash256(buf, n - 4, h);
	if (memcmp(h, buf + n - 4, 4) != 0)
		goto out;
	memcpy(out, buf, n - 4);
	*outlen = n - 4;
	rc = 0;
out:
	free(buf);
	return rc;
}
