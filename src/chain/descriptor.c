/*
 * Descriptor entry points (parse, free, the properties getdescriptorinfo
 * reports, private keys for signing) and the BIP380 checksum. The parts
 * live in descriptor_keys.c, descriptor_parse.c, descriptor_expand.c and
 * descriptor_string.c (see descriptor_int.h).
 *
 * The checksum is a BCH code over GF(32) like Bech32's, with a 40-bit
 * state: each character gives its position in a 95-character set as a
 * 5-bit symbol plus a group number (0-2); every three group numbers are
 * folded into one more symbol.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chain/descriptor_int.h"
#include "crypto/bip32.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "util/errbuf.h"

static const char input_charset[] = "0123456789()[],'/*abcdefgh@:$%{}"
				    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
				    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
static const char checksum_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint64_t
polymod(uint64_t c, unsigned val)
{
	static const uint64_t gen[5] = { 0xf5dee51989ULL, 0xa9fdca3312ULL,
		0x1bab10e32dULL, 0x3706b1677aULL, 0x644d626ffdULL };
	unsigned top = (unsigned)(c >> 35);
	int i;

	c = ((c & 0x7ffffffffULL) << 5) ^ val;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			c ^= gen[i];
	return c;
}

int
descriptor_checksum(const char *s, size_t len,
    char out[DESCRIPTOR_CHECKSUM_LEN + 1])
{
	uint64_t c = 1;
	unsigned cls = 0, clscount = 0, pos;
	const char *q;
	size_t i;
	int j;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0' || (q = strchr(input_charset, s[i])) == NULL)
			return -1;
		pos = (unsigned)(q - input_charset);
		c = polymod(c, pos & 31);
		cls = cls * 3 + (pos >> 5);
		if (++clscount == 3) {
			c = polymod(c, cls);
			cls = 0;
			clscount = 0;
		}
	}
	if (clscount > 0)
		c = polymod(c, cls);
	/* Room for the checksum, and ^1 so appended zeros still count. */
	for (j = 0; j < DESCRIPTOR_CHECKSUM_LEN; j++)
		c = polymod(c, 0);
	c ^= 1;
	for (j = 0; j < DESCRIPTOR_CHECKSUM_LEN; j++)
		out[j] = checksum_charset[(c >> (5 * (7 - j))) & 31];
	out[DESCRIPTOR_CHECKSUM_LEN] = '\0';
	return 0;
}

/* Core's CheckChecksum: at most one '#', then exactly eight that match. */
static int
check_checksum(const char *s, int require, size_t *payload_len,
    char sum[DESCRIPTOR_CHECKSUM_LEN + 1], char *err, size_t errlen)
{
	const char *hash = strchr(s, '#');
	size_t n;

	if (hash != NULL && strchr(hash + 1, '#') != NULL) {
		errbuf_printf(err, errlen, "Multiple '#' symbols");
		return -1;
	}
	if (hash == NULL && require) {
		errbuf_printf(err, errlen, "Missing checksum");
		return -1;
	}
	if (hash != NULL &&
	    (n = strlen(hash + 1)) != DESCRIPTOR_CHECKSUM_LEN) {
		errbuf_printf(err, errlen,
		    "Expected 8 character checksum, not %zu "
		    "characters",
		    n);
		return -1;
	}
	*payload_len = hash != NULL ? (size_t)(hash - s) : strlen(s);
	if (descriptor_checksum(s, *payload_len, sum) == -1) {
		errbuf_printf(err, errlen, "Invalid characters in payload");
		return -1;
	}
	if (hash != NULL && strcmp(hash + 1, sum) != 0) {
		errbuf_printf(err, errlen,
		    "Provided checksum '%s' does not match "
		    "computed checksum '%s'",
		    hash + 1, sum);
		return -1;
	}
	return 0;
}

int
descriptor_parse(const struct chainparams *p, const char *s,
    int require_checksum, struct descriptor **out, char *err, size_t errlen)
{
	struct descriptor *d;
	const char *sp = s;
	size_t n;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	d = xcalloc(1, sizeof(*d));
	d->cp = p;
	if (check_checksum(s, require_checksum, &n, d->checksum, err,
		errlen) == -1)
		goto fail;
	d->root = desc_parse_script(p, &sp, s + n, CTX_TOP, err, errlen);
	if (d->root == NULL)
		goto fail;
	if (sp != s + n) {
		/* Text after a whole expression: Core says nothing more. */
		if (errlen > 0)
			err[0] = '\0';
		goto fail;
	}
	*out = d;
	return 0;
fail:
	descriptor_free(d);
	return -1;
}

void
descriptor_free(struct descriptor *d)
{
	if (d == NULL)
		return;
	desc_node_free(d->root);
	free(d);
}

const char *
descriptor_input_checksum(const struct descriptor *d)
{
	return d->checksum;
}

static int
node_is_range(const struct desc_node *n)
{
	size_t i;

	for (i = 0; i < n->nkeys; i++)
		if (desc_key_is_range(n->keys[i]))
			return 1;
	for (i = 0; i < n->nsubs; i++)
		if (node_is_range(n->subs[i]))
			return 1;
	return 0;
}

static int
node_has_secret(const struct desc_node *n)
{
	size_t i;

	for (i = 0; i < n->nkeys; i++)
		if (n->keys[i]->has_secret)
			return 1;
	for (i = 0; i < n->nsubs; i++)
		if (node_has_secret(n->subs[i]))
			return 1;
	return 0;
}

int
descriptor_is_range(const struct descriptor *d)
{
	return node_is_range(d->root);
}

int
descriptor_is_solvable(const struct descriptor *d)
{
	return d->root->type != DESC_RAW && d->root->type != DESC_ADDR;
}

int
descriptor_has_private_keys(const struct descriptor *d)
{
	return node_has_secret(d->root);
}

/* The secret of k at pos, if it has one; 1 when *secret was set. */
static int
key_secret_at(const struct desc_key *k, uint32_t pos, uint8_t secret[32],
    int *compressed)
{
	struct bip32_key cur, next;
	size_t i;

	if (!k->has_secret)
		return 0;
	if (!k->is_ext) {
		memcpy(secret, k->secret, 32);
		*compressed = k->publen == 33;
		return 1;
	}
	cur = k->ext;
	for (i = 0; i <= k->npath; i++) {
		uint32_t step;

		if (i == k->npath && k->derive == DERIVE_NONE)
			break;
		step = i < k->npath ? k->path[i] :
		    (pos | (k->derive == DERIVE_HARDENED ? BIP32_HARDENED : 0));
		if (bip32_derive(&cur, step, &next) != 0) {
			bip32_wipe(&cur);
			return 0;
		}
		bip32_wipe(&cur);
		cur = next;
	}
	memcpy(secret, cur.secret, 32);
	*compressed = 1;
	bip32_wipe(&cur);
	return 1;
}

static size_t
node_keys(const struct desc_node *n, uint32_t pos, uint8_t (*keys)[32],
    int *compressed, size_t have, size_t max)
{
	size_t i;

	for (i = 0; i < n->nkeys && have < max; i++)
		have += (size_t)key_secret_at(n->keys[i], pos, keys[have],
		    &compressed[have]);
	for (i = 0; i < n->nsubs && have < max; i++)
		have = node_keys(n->subs[i], pos, keys, compressed, have, max);
	return have;
}

size_t
descriptor_private_keys(const struct descriptor *d, uint32_t pos,
    uint8_t (*keys)[32], int *compressed, size_t max)
{
	return node_keys(d->root, pos, keys, compressed, 0, max);
}
