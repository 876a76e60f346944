/*
 * The text names of the BIP155 networks that are not IP: Tor v3 onion
 * services ("<56 base32>.onion": the service's public key, a two-byte
 * SHA3-256 checksum and the version 3) and I2P destinations ("<52
 * base32>.b32.i2p": the hash of the destination), read and written as
 * Core's CNetAddr::SetSpecial and ToStringAddr do. Base32 is RFC 4648's
 * alphabet in lower case, without padding.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "net/netaddr.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static size_t
b32_encode(const uint8_t *p, size_t n, char *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

/* Decodes exactly nchars characters into want bytes; -1 on any bad one or
 * on non-zero left-over bits. */
static int
b32_decode(const char *s, size_t nchars, uint8_t *out, size_t want)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0, i;
	const char *c;

	for (i = 0; i < nchars; i++) {
		if ((c = strchr(b32, tolower((unsigned char)s[i]))) == NULL ||
		    *c == '\0')
			return -1;
		acc = acc << 5 | (unsigned)(c - b32);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == want)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (o != want || (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return 0;
}

static int
onion_checksum(const uint8_t pub[32], uint8_t version, uint8_t out[2])
{
	static const char prefix[] = ".onion checksum";
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha3_256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, prefix, sizeof(prefix) - 1) == 1 &&
	    EVP_DigestUpdate(ctx, pub, 32) == 1 &&
	    EVP_DigestUpdate(ctx, &version, 1) == 1 &&
	    EVP_DigestFinal_ex(ctx, h, &hl) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, h, 2);
	return 0;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int
netaddr_parse_name(const char *s, struct netaddr *a)
{
	uint8_t raw[35], ck[2];
	size_t n = strlen(s);

	if (ends_with(s, n, ".onion") && n == 56 + 6) {
		if (b32_decode(s, 56, raw, sizeof(raw)) == -1 ||
		    raw[34] != 3 || onion_checksum(raw, 3, ck) == -1 ||
		    memcmp(ck, raw + 32, 2) != 0)
			return -1;
		memset(a, 0, sizeof(*a));
		a->net = NET_TORV3;
		a->len = 32;
		memcpy(a->a, raw, 32);
		return 0;
	}
	if (ends_with(s, n, ".b32.i2p") && n == 52 + 8) {
		if (b32_decode(s, 52, raw, 32) == -1)
			return -1;
		memset(a, 0, sizeof(*a));
		a->net = NET_I2P;
		a->len = 32;
		memcpy(a->a, raw, 32);
		return 0;
	}
	return -1;
}

int
netaddr_format_name(const struct netaddr *a, char *out, size_t outlen)
{
	uint8_t raw[35];
	char txt[64];

	if (a->net == NET_TORV3 && a->len == 32) {
		memcpy(raw, a->a, 32);
		raw[34] = 3;
		if (onion_checksum(raw, 3, raw + 32) == -1)
			return -1;
		b32_encode(raw, 35, txt);
		snprintf(out, outlen, "%s.onion", txt);
		return 0;
	}
	if (a->net == NET_I2P && a->len == 32) {
		b32_encode(a->a, 32, txt);
		snprintf(out, outlen, "%s.b32.i2p", txt);
		return 0;
	}
	return -1;
}
