/*
 * raw() and addr() descriptors and the BIP380 descriptor checksum.
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

#include "chain/address.h"
#include "chain/descriptor.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "util/errbuf.h"

static const char input_charset[] = "0123456789()[],'/*abcdefgh@:$%{}"
				    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
				    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
static const char checksum_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

enum descriptor_kind { DESC_RAW, DESC_ADDR };

struct descriptor {
	enum descriptor_kind kind;
	uint8_t *script;
	size_t script_len;
	char *addr; /* DESC_ADDR: normalised address */
	char checksum[DESCRIPTOR_CHECKSUM_LEN + 1];
};

/* Descriptor functions Core knows but this node does not parse. */
static const char *const other_functions[] = { "pk", "pkh", "wpkh", "combo",
	"sh", "wsh", "tr", "rawtr", "multi", "sortedmulti", "multi_a",
	"sortedmulti_a", "musig", NULL };

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

/* Is s (n bytes) name(...)? Then *arg and *arglen are the inside. */
static int
is_func(const char *s, size_t n, const char *name, const char **arg,
    size_t *arglen)
{
	size_t k = strlen(name);

	if (n < k + 2 || strncmp(s, name, k) != 0 || s[k] != '(' ||
	    s[n - 1] != ')')
		return 0;
	*arg = s + k + 1;
	*arglen = n - k - 2;
	return 1;
}

static int
parse_raw(struct descriptor *d, const char *arg, size_t n, char *err,
    size_t errlen)
{
	char *hex = xmalloc(n + 1);
	int rc = 0;

	memcpy(hex, arg, n);
	hex[n] = '\0';
	/* Core's IsHex: non-empty, even length, hex digits only. */
	if (n == 0 || !hex_is_valid(hex) ||
	    hex_decode_alloc(hex, &d->script, &d->script_len) == -1) {
		errbuf_printf(err, errlen, "Raw script is not hex");
		rc = -1;
	}
	free(hex);
	return rc;
}

static int
parse_addr(const struct chainparams *p, struct descriptor *d, const char *arg,
    size_t n, char *err, size_t errlen)
{
	uint8_t script[ADDRESS_MAX_SCRIPT];
	char *a = xmalloc(n + 1);
	size_t len;

	memcpy(a, arg, n);
	a[n] = '\0';
	if (address_to_script(p, a, script, &len, NULL, 0) == -1 ||
	    (d->addr = address_from_script(p, script, len)) == NULL) {
		errbuf_printf(err, errlen, "Address is not valid");
		free(a);
		return -1;
	}
	free(a);
	d->script = xmemdup(script, len);
	d->script_len = len;
	return 0;
}

int
descriptor_parse(const struct chainparams *p, const char *s,
    int require_checksum, struct descriptor **out, char *err, size_t errlen)
{
	struct descriptor *d;
	const char *arg;
	size_t n, arglen, i;
	int rc;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	d = xcalloc(1, sizeof(*d));
	if (check_checksum(s, require_checksum, &n, d->checksum, err,
		errlen) == -1)
		goto fail;
	if (is_func(s, n, "raw", &arg, &arglen)) {
		d->kind = DESC_RAW;
		rc = parse_raw(d, arg, arglen, err, errlen);
	} else if (is_func(s, n, "addr", &arg, &arglen)) {
		d->kind = DESC_ADDR;
		rc = parse_addr(p, d, arg, arglen, err, errlen);
	} else {
		for (i = 0; other_functions[i] != NULL; i++) {
			if (is_func(s, n, other_functions[i], &arg, &arglen)) {
				errbuf_printf(err, errlen,
				    "%s() descriptors are not "
				    "supported by this node",
				    other_functions[i]);
				goto fail;
			}
		}
		errbuf_printf(err, errlen,
		    "'%.*s' is not a valid descriptor function", (int)n, s);
		goto fail;
	}
	if (rc == -1)
		goto fail;
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
	free(d->script);
	free(d->addr);
	free(d);
}

const uint8_t *
descriptor_script(const struct descriptor *d, size_t *len)
{
	*len = d->script_len;
	return d->script;
}

char *
descriptor_to_string(const struct descriptor *d)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1], *body, *out;

	if (d->kind == DESC_RAW) {
		char *hex = hex_encode_alloc(d->script, d->script_len);

		body = xasprintf("raw(%s)", hex);
		free(hex);
	} else {
		body = xasprintf("addr(%s)", d->addr);
	}
	/* Hex and address characters are all in the descriptor set. */
	if (descriptor_checksum(body, strlen(body), sum) == -1)
		fatalx("%s: no checksum for %s", __func__, body);
	out = xasprintf("%s#%s", body, sum);
	free(body);
	return out;
}

const char *
descriptor_input_checksum(const struct descriptor *d)
{
	return d->checksum;
}

int
descriptor_is_range(const struct descriptor *d)
{
	return 0;
}

int
descriptor_is_solvable(const struct descriptor *d)
{
	return 0;
}

int
descriptor_has_private_keys(const struct descriptor *d)
{
	return 0;
}
