/*
 * libFuzzer target for addresses (chain/address.h), Bech32 and Bech32m
 * (chain/bech32.h) and Base58 (chain/base58.h), on every chain's
 * parameters (descriptors: fuzz_descriptor.c).
 *
 * Input: a selector byte (mode and chain), then a string or bytes.
 * Properties:
 *  - what decodes encodes back to its normal spelling (Bech32 in lower
 *    case, Base58 without the surrounding blanks it may carry), and that
 *    decodes to the same thing; what is encoded decodes back;
 *  - a failure always has a message; Bech32 error positions are ascending,
 *    inside the string, and a checksum error located at one or two
 *    positions can be repaired by changing only those characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chain/address.h"
#include "chain/base58.h"
#include "chain/bech32.h"
#include "chain/chainparams.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define FUZZ_NAME "fuzz_address"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strings longer than any address or descriptor the node sees. */
#define MAX_TEXT 1024

static const char b32chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static struct chainparams *chains[5];

static int
is_blank(char c)
{
	return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ||
	    c == '\v';
}

/* s without leading and trailing blanks, into out (room for strlen(s)+1). */
static void
strip(const char *s, char *out)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void
lowercase(const char *s, char *out)
{
	for (; *s; s++)
		*out++ = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
	*out = '\0';
}

static void
check_locs(const char *s, const int *locs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		PROP(locs[i] >= 0 && (size_t)locs[i] < strlen(s));
		if (i > 0)
			PROP(locs[i] > locs[i - 1]);
	}
}

/*
 * A checksum error reported at positions locs: some choice of data
 * characters there makes s decode with encoding want.
 */
static int
repairable(const char *s, const int *locs, size_t n, enum bech32_encoding want)
{
	char t[BECH32_MAX_LEN + 1], hrp[BECH32_MAX_LEN + 1], cs[33];
	uint8_t data[BECH32_MAX_LEN];
	size_t i, j, dn, len = strlen(s);
	int upper = 0;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper = 1;
	for (i = 0; i < 32; i++)
		cs[i] = upper && b32chars[i] >= 'a' ?
		    (char)(b32chars[i] - 'a' + 'A') :
		    b32chars[i];
	cs[32] = '\0';
	memcpy(t, s, len + 1);
	for (i = 0; i < 32; i++) {
		t[locs[0]] = cs[i];
		for (j = 0; j < (n == 2 ? 32u : 1u); j++) {
			if (n == 2)
				t[locs[1]] = cs[j];
			if (bech32_decode(t, hrp, sizeof(hrp), data,
				sizeof(data), &dn) == want)
				return 1;
		}
	}
	return 0;
}

static void
check_bech32_string(const char *s)
{
	char hrp[MAX_TEXT + 1], out[MAX_TEXT + 1], low[MAX_TEXT + 1];
	uint8_t data[MAX_TEXT];
	enum bech32_encoding enc;
	const char *msg;
	size_t n, nlocs;
	int *locs, k;

	enc = bech32_decode(s, hrp, sizeof(hrp), data, sizeof(data), &n);
	msg = bech32_locate_errors(s, &locs, &nlocs);
	if (enc != BECH32_INVALID) {
		PROP(strlen(s) <= BECH32_MAX_LEN);
		k = bech32_encode(enc, hrp, data, n, out, sizeof(out));
		PROP(k >= 0 && (size_t)k == strlen(s));
		lowercase(s, low);
		PROP(strcmp(out, low) == 0);
		PROP(*msg == '\0' && locs == NULL && nlocs == 0);
		return;
	}
	PROP(*msg != '\0');
	PROP((locs == NULL) == (nlocs == 0));
	check_locs(s, locs, nlocs);
	if (strcmp(msg, "Missing separator") == 0)
		PROP(strchr(s, '1') == NULL);
	if (nlocs > 0 &&
	    (strcmp(msg, "Invalid Bech32 checksum") == 0 ||
		strcmp(msg, "Invalid Bech32m checksum") == 0)) {
		PROP(nlocs <= 2);
		PROP(repairable(s, locs, nlocs,
		    strcmp(msg, "Invalid Bech32m checksum") == 0 ?
			BECH32_BECH32M :
			BECH32_BECH32));
	}
	free(locs);
}

/* Encoding direction: hrp and 8-bit data from the input. */
static void
check_bech32_encode(const uint8_t *p, size_t n)
{
	char hrp[84], s[BECH32_MAX_LEN + 1], dhrp[BECH32_MAX_LEN + 1];
	uint8_t five[BECH32_MAX_LEN], back[BECH32_MAX_LEN];
	uint8_t dec[BECH32_MAX_LEN];
	enum bech32_encoding enc;
	size_t hl, i, dn;
	int k5, k8, len;

	if (n < 2)
		return;
	enc = p[0] & 1 ? BECH32_BECH32M : BECH32_BECH32;
	hl = (size_t)(p[0] >> 1) % 20 + 1;
	if (n < 1 + hl)
		return;
	/* hrp characters: printable, lower case, per BIP173. */
	for (i = 0; i < hl; i++) {
		hrp[i] = (char)(33 + p[1 + i] % 94);
		if (hrp[i] >= 'A' && hrp[i] <= 'Z')
			hrp[i] = (char)(hrp[i] - 'A' + 'a');
	}
	hrp[hl] = '\0';
	p += 1 + hl;
	n -= 1 + hl;
	k5 = bech32_convert_bits(p, n, 8, 5, 1, five, sizeof(five));
	if (k5 < 0)
		return;
	k8 = bech32_convert_bits(five, (size_t)k5, 5, 8, 0, back,
	    sizeof(back));
	PROP(k8 >= 0 && (size_t)k8 == n && memcmp(back, p, n) == 0);
	len = bech32_encode(enc, hrp, five, (size_t)k5, s, sizeof(s));
	if (len < 0) {
		PROP(hl + 1 + (size_t)k5 + 6 > BECH32_MAX_LEN);
		return;
	}
	PROP(bech32_decode(s, dhrp, sizeof(dhrp), dec, sizeof(dec), &dn) ==
	    enc);
	PROP(strcmp(dhrp, hrp) == 0 && dn == (size_t)k5 &&
	    memcmp(dec, five, dn) == 0);
	PROP(*bech32_locate_errors(s, NULL, NULL) == '\0');
}

static void
check_base58(const char *s)
{
	uint8_t out[MAX_TEXT];
	char trimmed[MAX_TEXT + 1], *enc;
	size_t n;

	strip(s, trimmed);
	if (base58_decode(s, out, sizeof(out), &n) == 0) {
		enc = base58_encode(out, n);
		PROP(strcmp(enc, trimmed) == 0);
		free(enc);
	}
	if (base58check_decode(s, out, sizeof(out), &n) == 0) {
		enc = base58check_encode(out, n);
		PROP(strcmp(enc, trimmed) == 0);
		free(enc);
	}
	/* A bound below the decoded length refuses. */
	if (base58_decode(s, out, sizeof(out), &n) == 0 && n > 0)
		PROP(base58_decode(s, out, n - 1, &n) == -1);
}

static void
check_base58_encode(const uint8_t *p, size_t n)
{
	uint8_t out[MAX_TEXT + 4];
	char *s;
	size_t k;

	s = base58_encode(p, n);
	PROP(base58_decode(s, out, n, &k) == 0 && k == n &&
	    memcmp(out, p, n) == 0);
	free(s);
	s = base58check_encode(p, n);
	PROP(base58check_decode(s, out, n, &k) == 0 && k == n &&
	    memcmp(out, p, n) == 0);
	free(s);
}

static void
check_address(const struct chainparams *cp, const char *s)
{
	uint8_t script[ADDRESS_MAX_SCRIPT], script2[ADDRESS_MAX_SCRIPT];
	char err[ADDRESS_ERR_LEN], err2[ADDRESS_ERR_LEN];
	char norm[MAX_TEXT + 1], *enc;
	size_t len, len2, nlocs;
	int *locs, rc;

	rc = address_decode(cp, s, script, &len, err, sizeof(err), &locs,
	    &nlocs);
	PROP(address_to_script(cp, s, script2, &len2, err2, sizeof(err2)) ==
	    rc);
	if (rc != 0) {
		PROP(rc == -1);
		PROP(err[0] != '\0' && strcmp(err, err2) == 0);
		PROP((locs == NULL) == (nlocs == 0));
		check_locs(s, locs, nlocs);
		free(locs);
		return;
	}
	PROP(locs == NULL && nlocs == 0);
	PROP(len2 == len && memcmp(script, script2, len) == 0);
	PROP(len <= ADDRESS_MAX_SCRIPT);
	enc = address_from_script(cp, script, len);
	PROP(enc != NULL);
	if (strncasecmp(s, cp->bech32_hrp, strlen(cp->bech32_hrp)) == 0)
		lowercase(s, norm);
	else
		strip(s, norm);
	PROP(strcmp(enc, norm) == 0);
	PROP(address_to_script(cp, enc, script2, &len2, NULL, 0) == 0);
	PROP(len2 == len && memcmp(script, script2, len) == 0);
	free(enc);
}

static void
check_script(const struct chainparams *cp, const uint8_t *p, size_t n)
{
	uint8_t script[ADDRESS_MAX_SCRIPT];
	char err[ADDRESS_ERR_LEN], *enc;
	size_t len;

	if ((enc = address_from_script(cp, p, n)) == NULL)
		return;
	PROP(address_to_script(cp, enc, script, &len, err, sizeof(err)) == 0);
	PROP(len == n && memcmp(script, p, n) == 0);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum chain_id ids[5] = { CHAIN_MAIN, CHAIN_TESTNET3,
		CHAIN_TESTNET4, CHAIN_SIGNET, CHAIN_REGTEST };
	const struct chainparams *cp;
	char s[MAX_TEXT + 1];
	size_t i, n;

	if (chains[0] == NULL)
		for (i = 0; i < 5; i++)
			chains[i] = chainparams_new(ids[i]);
	if (size < 1 || size - 1 > MAX_TEXT)
		return 0;
	cp = chains[(data[0] >> 3) % 5];
	n = size - 1;
	memcpy(s, data + 1, n);
	s[n] = '\0';
	switch (data[0] & 7) {
	case 0: check_address(cp, s); break;
	case 1: check_bech32_string(s); break;
	case 2: check_bech32_encode(data + 1, n); break;
	case 3: check_base58(s); break;
	case 4: check_base58_encode(data + 1, n); break;
	case 5: check_script(cp, data + 1, n); break;
	/* 6 and 7 were descriptors, now fuzz_descriptor's. */
	case 6: check_address(cp, s); break;
	default: check_script(cp, data + 1, n); break;
	}
	return 0;
}
