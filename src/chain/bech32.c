/*
 * Bech32 and Bech32m: a BCH code over GF(32) with a 30-bit checksum.
 *
 * Error location works on the residue a wrong string leaves. The checksum
 * is linear, so a symbol changed by e at distance p from the end adds a
 * fixed pattern contrib(p, e) to the residue; one error is found by looking
 * the residue up among those patterns, two errors by looking up residue ^
 * contrib(p1, e1). The code's distance makes a match of two or fewer errors
 * unique, so this finds what Core's syndrome-based search finds.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/bech32.h"
#include "util/xmalloc.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
static const uint32_t generator[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
	0x3d4233dd, 0x2a1462b3 };

#define CONST_BECH32 1u
#define CONST_BECH32M 0x2bc830a3u

static uint32_t
polymod_step(uint32_t chk, uint8_t v)
{
	uint32_t top = chk >> 25;
	int i;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= generator[i];
	return chk;
}

/* Checksum state over the expanded hrp followed by n symbols. */
static uint32_t
polymod(const char *hrp, size_t hrplen, const uint8_t *data, size_t n)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] & 31);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, data[i]);
	return chk;
}

static uint32_t
encoding_const(enum bech32_encoding enc)
{
	return enc == BECH32_BECH32M ? CONST_BECH32M : CONST_BECH32;
}

static int
symbol_value(unsigned char c)
{
	const char *q;

	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	if (c == '\0' || (q = strchr(charset, c)) == NULL)
		return -1;
	return (int)(q - charset);
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

int
bech32_encode(enum bech32_encoding enc, const char *hrp, const uint8_t *data,
    size_t n, char *out, size_t outcap)
{
	size_t hrplen = strlen(hrp), i, total;
	uint32_t chk;
	uint8_t zeros[BECH32_CHECKSUM_LEN] = { 0 };

	total = hrplen + 1 + n + BECH32_CHECKSUM_LEN;
	if (enc == BECH32_INVALID || total + 1 > outcap)
		return -1;
	for (i = 0; i < n; i++)
		if (data[i] > 31)
			return -1;
	chk = polymod(hrp, hrplen, data, n);
	/* Six zero symbols make room for the checksum in the remainder. */
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		chk = polymod_step(chk, zeros[i]);
	chk ^= encoding_const(enc);
	memcpy(out, hrp, hrplen);
	out[hrplen] = '1';
	for (i = 0; i < n; i++)
		out[hrplen + 1 + i] = charset[data[i]];
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		out[hrplen + 1 + n + i] =
		    charset[(chk >> (5 * (BECH32_CHECKSUM_LEN - 1 - i))) & 31];
	out[total] = '\0';
	return (int)total;
}

/* Core's CheckCharacters: printable ASCII and a single case. */
static int
check_characters(const char *s, int *locs, size_t *nlocs)
{
	int has_lower = 0, has_upper = 0;
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z') {
			if (has_upper)
				goto bad;
			has_lower = 1;
		} else if (c >= 'A' && c <= 'Z') {
			if (has_lower)
				goto bad;
			has_upper = 1;
		} else if (c < 33 || c > 126) {
			goto bad;
		}
		continue;
bad:
		if (locs != NULL)
			locs[n] = (int)i;
		n++;
	}
	if (nlocs != NULL)
		*nlocs = n;
	return n == 0 ? 0 : -1;
}

enum bech32_encoding
bech32_decode(const char *s, char *hrp, size_t hrpcap, uint8_t *data,
    size_t datacap, size_t *n)
{
	size_t len = strlen(s), pos, i, dlen;
	uint8_t values[BECH32_MAX_LEN];
	char lhrp[BECH32_MAX_LEN];
	const char *sep;
	uint32_t chk;
	int v;

	if (check_characters(s, NULL, NULL) == -1 || len > BECH32_MAX_LEN)
		return BECH32_INVALID;
	if ((sep = strrchr(s, '1')) == NULL)
		return BECH32_INVALID;
	pos = (size_t)(sep - s);
	if (pos == 0 || pos + BECH32_CHECKSUM_LEN >= len)
		return BECH32_INVALID;
	dlen = len - 1 - pos;
	for (i = 0; i < dlen; i++) {
		if ((v = symbol_value((unsigned char)s[pos + 1 + i])) == -1)
			return BECH32_INVALID;
		values[i] = (uint8_t)v;
	}
	for (i = 0; i < pos; i++)
		lhrp[i] = (char)lower((unsigned char)s[i]);
	chk = polymod(lhrp, pos, values, dlen);
	if (pos + 1 > hrpcap || dlen - BECH32_CHECKSUM_LEN > datacap)
		return BECH32_INVALID;
	if (chk != CONST_BECH32 && chk != CONST_BECH32M)
		return BECH32_INVALID;
	memcpy(hrp, lhrp, pos);
	hrp[pos] = '\0';
	memcpy(data, values, dlen - BECH32_CHECKSUM_LEN);
	*n = dlen - BECH32_CHECKSUM_LEN;
	return chk == CONST_BECH32 ? BECH32_BECH32 : BECH32_BECH32M;
}

/* One candidate error: its residue pattern, distance from the end, value. */
struct pattern {
	uint32_t residue;
	uint16_t dist;
	uint8_t e;
};

static int
pattern_cmp(const void *a, const void *b)
{
	const struct pattern *x = a, *y = b;

	if (x->residue != y->residue)
		return x->residue < y->residue ? -1 : 1;
	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return (int)x->e - (int)y->e;
}

/*
 * Fills pats with contrib(p, e) for every p < len and e in 1..31, sorted
 * by residue. Returns the count.
 */
static size_t
build_patterns(size_t len, struct pattern *pats)
{
	uint32_t basis[5];
	size_t p, n = 0;
	int k, e;
	uint32_t r;

	for (k = 0; k < 5; k++)
		basis[k] = 1u << k;
	for (p = 0; p < len; p++) {
		for (e = 1; e < 32; e++) {
			r = 0;
			for (k = 0; k < 5; k++)
				if ((e >> k) & 1)
					r ^= basis[k];
			pats[n].residue = r;
			pats[n].dist = (uint16_t)p;
			pats[n].e = (uint8_t)e;
			n++;
		}
		/* One more symbol after this one shifts every pattern. */
		for (k = 0; k < 5; k++)
			basis[k] = polymod_step(basis[k], 0);
	}
	qsort(pats, n, sizeof(*pats), pattern_cmp);
	return n;
}

static const struct pattern *
find_pattern(const struct pattern *pats, size_t n, uint32_t residue)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pats[mid].residue < residue)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pats[lo].residue == residue ? &pats[lo] : NULL;
}

/*
 * Finds at most two symbol errors that explain residue: returns how many
 * (0 if none do) with their distances from the end of the string in dist.
 */
static size_t
locate(const struct pattern *pats, size_t n, uint32_t residue, size_t dist[2])
{
	const struct pattern *q;
	size_t i;

	if ((q = find_pattern(pats, n, residue)) != NULL) {
		dist[0] = q->dist;
		return 1;
	}
	for (i = 0; i < n; i++) {
		q = find_pattern(pats, n, residue ^ pats[i].residue);
		/*
		 * Two changes at one position are one change, found above;
		 * residues are distinct across positions (distance >= 3).
		 */
		if (q != NULL && q->dist != pats[i].dist) {
			dist[0] = pats[i].dist;
			dist[1] = q->dist;
			return 2;
		}
	}
	return 0;
}

static const char *
located(const char *msg, int *found, size_t nfound, int **locs, size_t *nlocs)
{
	size_t i;
	int t;

	if (nfound == 2 && found[0] > found[1]) {
		t = found[0];
		found[0] = found[1];
		found[1] = t;
	}
	if (locs != NULL) {
		*locs = NULL;
		if (nfound > 0) {
			*locs = xcalloc(nfound, sizeof(int));
			for (i = 0; i < nfound; i++)
				(*locs)[i] = found[i];
		}
		*nlocs = nfound;
	}
	return msg;
}

const char *
bech32_locate_errors(const char *s, int **locs, size_t *nlocs)
{
	static const enum bech32_encoding encs[2] = { BECH32_BECH32,
		BECH32_BECH32M };
	size_t len = strlen(s), pos, dlen, i, npat, cnt, best_n = 0;
	uint8_t values[BECH32_MAX_LEN];
	char lhrp[BECH32_MAX_LEN];
	struct pattern *pats;
	enum bech32_encoding best_enc = BECH32_INVALID;
	int found[2], best[2], *all;
	size_t dist[2];
	uint32_t chk;
	const char *sep, *msg;
	int v, e;

	if (locs != NULL) {
		*locs = NULL;
		*nlocs = 0;
	}
	if (len > BECH32_MAX_LEN) {
		if (locs != NULL) {
			*locs = xcalloc(len - BECH32_MAX_LEN, sizeof(int));
			for (i = BECH32_MAX_LEN; i < len; i++)
				(*locs)[i - BECH32_MAX_LEN] = (int)i;
			*nlocs = len - BECH32_MAX_LEN;
		}
		return "Bech32 string too long";
	}
	all = xcalloc(len + 1, sizeof(int));
	if (check_characters(s, all, &cnt) == -1) {
		if (locs != NULL) {
			*locs = all;
			*nlocs = cnt;
		} else {
			free(all);
		}
		return "Invalid character or mixed case";
	}
	free(all);
	if ((sep = strrchr(s, '1')) == NULL)
		return "Missing separator";
	pos = (size_t)(sep - s);
	if (pos == 0 || pos + BECH32_CHECKSUM_LEN >= len) {
		found[0] = (int)pos;
		return located("Invalid separator position", found, 1, locs,
		    nlocs);
	}
	dlen = len - 1 - pos;
	for (i = 0; i < dlen; i++) {
		if ((v = symbol_value((unsigned char)s[pos + 1 + i])) == -1) {
			found[0] = (int)(pos + 1 + i);
			return located("Invalid Base 32 character", found, 1,
			    locs, nlocs);
		}
		values[i] = (uint8_t)v;
	}
	for (i = 0; i < pos; i++)
		lhrp[i] = (char)lower((unsigned char)s[i]);
	chk = polymod(lhrp, pos, values, dlen);

	pats = xcalloc(dlen * 31, sizeof(*pats));
	npat = build_patterns(dlen, pats);
	for (e = 0; e < 2; e++) {
		uint32_t residue = chk ^ encoding_const(encs[e]);

		if (residue == 0) {
			free(pats);
			return "";
		}
		cnt = locate(pats, npat, residue, dist);
		for (i = 0; i < cnt; i++)
			found[i] = (int)(len - 1 - dist[i]);
		/* Core keeps the encoding that needs fewer corrections. */
		if (best_n == 0 || (cnt > 0 && cnt < best_n)) {
			best_n = cnt;
			for (i = 0; i < cnt; i++)
				best[i] = found[i];
			if (cnt > 0)
				best_enc = encs[e];
		}
	}
	free(pats);
	msg = best_enc == BECH32_BECH32M ? "Invalid Bech32m checksum" :
	    best_enc == BECH32_BECH32	 ? "Invalid Bech32 checksum" :
					   "Invalid checksum";
	return located(msg, best, best_n, locs, nlocs);
}

int
bech32_convert_bits(const uint8_t *in, size_t n, int frombits, int tobits,
    int pad, uint8_t *out, size_t outcap)
{
	uint32_t acc = 0, maxv = (1u << tobits) - 1;
	uint32_t max_acc = (1u << (frombits + tobits - 1)) - 1;
	size_t i, k = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		if (in[i] >> frombits)
			return -1;
		acc = ((acc << frombits) | in[i]) & max_acc;
		bits += frombits;
		while (bits >= tobits) {
			bits -= tobits;
			if (k == outcap)
				return -1;
			out[k++] = (uint8_t)((acc >> bits) & maxv);
		}
	}
	if (pad) {
		if (bits > 0) {
			if (k == outcap)
				return -1;
			out[k++] = (uint8_t)((acc << (tobits - bits)) & maxv);
		}
	} else if (bits >= frombits || ((acc << (tobits - bits)) & maxv)) {
		return -1;
	}
	return (int)k;
}
