#include <string.h>

#include "util/hex.h"
#include "util/xmalloc.h"

static const char digits[] = "0123456789abcdef";

void
hex_encode(const void *p, size_t len, char *out)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = '\0';
}

char *
hex_encode_alloc(const void *p, size_t len)
{
	char *s = xmalloc(2 * len + 1);

	hex_encode(p, len, s);
	return s;
}

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_is_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n % 2)
		return 0;
	for (i = 0; i < n; i++)
		if (hex_digit(s[i]) < 0)
			return 0;
	return 1;
}

int
hex_decode(const char *s, uint8_t *out, size_t outcap)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (n % 2 || n / 2 > outcap || n / 2 > 0x7fffffff)
		return -1;
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

int
hex_decode_alloc(const char *s, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(s);
	uint8_t *p;

	if (n % 2)
		return -1;
	p = xmalloc(n / 2 + 1);
	if (hex_decode(s, p, n / 2) < 0) {
		free(p);
		return -1;
	}
	*out = p;
	*outlen = n / 2;
	return 0;
}

void
hash_to_hex(const uint8_t h[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[h[31 - i] >> 4];
		out[2 * i + 1] = digits[h[31 - i] & 15];
	}
	out[64] = '\0';
}

int
hash_from_hex(const char *s, uint8_t h[32])
{
	uint8_t tmp[32];
	int i;

	if (strlen(s) != 64 || hex_decode(s, tmp, 32) != 32)
		return -1;
	for (i = 0; i < 32; i++)
		h[i] = tmp[31 - i];
	return 0;
}

int
hash_cmp_hex(const void *a, const void *b)
{
	const uint8_t *x = a, *y = b;
	int i;

	for (i = 31; i >= 0; i--)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}
