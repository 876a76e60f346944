/*
 * Key expressions of descriptors (BIP380): hex public keys, WIF private
 * keys, xpub/xprv with a derivation path and an optional range, each with
 * an optional [fingerprint/path] origin. Parsed and worded as Core 28's
 * ParsePubkey/ParsePubkeyInner, including which forms a context refuses:
 * uncompressed keys outside the top level and sh(), x-only keys outside
 * tr()/rawtr(), hybrid keys anywhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chain/base58.h"
#include "chain/descriptor_int.h"
#include "chain/keyio.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "util/errbuf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

void
desc_key_free(struct desc_key *k)
{
	if (k == NULL)
		return;
	free(k->path);
	free(k->opath);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* Core's IsHex: non-empty, even length, hex digits only. */
static int
is_hex(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n % 2 != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (hex_digit(s[i]) < 0)
			return 0;
	return 1;
}

/* Core's ParseUInt32: optional '+', then decimal digits only. */
static int
parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n > 0 && s[0] == '+') {
		s++;
		n--;
	}
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > 0xffffffffULL)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * Core's ParseKeyPath over the '/'-separated elements in [s, end) (an
 * empty range is one empty element, which fails, as in Core): each a
 * number below 2^31 with an optional ' or h; the marker of each hardened
 * step is remembered in *apostrophe. Appends to *path.
 */
static int
parse_path(const char *s, const char *end, uint32_t **path, size_t *n,
    int *apostrophe, char *err, size_t errlen)
{
	const char *e;
	size_t len;
	uint32_t v, hard;

	for (;;) {
		e = memchr(s, '/', (size_t)(end - s));
		if (e == NULL)
			e = end;
		len = (size_t)(e - s);
		hard = 0;
		if (len > 0 && (s[len - 1] == '\'' || s[len - 1] == 'h')) {
			*apostrophe = s[len - 1] == '\'';
			hard = BIP32_HARDENED;
			len--;
		}
		if (parse_u32(s, len, &v) != 0) {
			errbuf_printf(err, errlen,
			    "Key path value '%.*s' is not a valid uint32",
			    (int)len, s);
			return -1;
		}
		if (v > 0x7fffffffU) {
			errbuf_printf(err, errlen,
			    "Key path value %u is out of range", v);
			return -1;
		}
		*path = xreallocarray(*path, *n + 1, sizeof(**path));
		(*path)[(*n)++] = v | hard;
		if (e == end)
			break;
		s = e + 1;
	}
	return 0;
}

/* CPubKey::GetLen of the first byte: 33, 65 or 0 (invalid). */
static size_t
pubkey_len_for(uint8_t h)
{
	if (h == 2 || h == 3)
		return 33;
	if (h == 4 || h == 6 || h == 7)
		return 65;
	return 0;
}

static int
parse_hex_key(const char *str, size_t n, enum desc_ctx ctx, struct desc_key *k,
    char *err, size_t errlen)
{
	int permit_unc = ctx == CTX_TOP || ctx == CTX_P2SH;
	uint8_t data[65];
	size_t len = n / 2, i;

	if (len > sizeof(data))
		goto invalid;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(hex_digit(str[2 * i]) << 4 |
		    hex_digit(str[2 * i + 1]));
	if (len > 0 && pubkey_len_for(data[0]) == len &&
	    (data[0] == 6 || data[0] == 7)) {
		errbuf_printf(err, errlen,
		    "Hybrid public keys are not allowed");
		return -1;
	}
	if (len > 0 && pubkey_len_for(data[0]) == len &&
	    key_pubkey_valid(data, len)) {
		if (!permit_unc && len != 33) {
			errbuf_printf(err, errlen,
			    "Uncompressed keys are not allowed");
			return -1;
		}
		memcpy(k->pub, data, len);
		k->publen = len;
		return 0;
	}
	if (len == 32 && ctx == CTX_P2TR) {
		k->pub[0] = 2;
		memcpy(k->pub + 1, data, 32);
		if (key_pubkey_valid(k->pub, 33)) {
			k->publen = 33;
			k->xonly = 1;
			return 0;
		}
	}
invalid:
	errbuf_printf(err, errlen, "Pubkey '%.*s' is invalid", (int)n, str);
	return -1;
}

/* Core's DecodeExtKey / DecodeExtPubKey for this chain's versions. */
static int
decode_ext(const struct chainparams *cp, const char *str,
    struct bip32_key *out)
{
	uint8_t buf[BIP32_EXTKEY_SIZE];
	uint32_t version;
	size_t n;
	int rc = -1;

	if (base58check_decode(str, buf, sizeof(buf), &n) != 0 ||
	    n != BIP32_EXTKEY_SIZE)
		goto out;
	version = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (version == cp->ext_priv_prefix)
		rc = bip32_parse(buf, 1, out);
	else if (version == cp->ext_pub_prefix)
		rc = bip32_parse(buf, 0, out);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* ParsePubkeyInner: the key and what follows it, without an origin. */
static int
parse_inner(const struct chainparams *cp, const char *s, size_t n,
    enum desc_ctx ctx, struct desc_key *k, char *err, size_t errlen)
{
	const char *slash = memchr(s, '/', n), *end = s + n, *pend;
	size_t klen = slash != NULL ? (size_t)(slash - s) : n;
	char *str;
	int compressed, rc = -1;

	if (klen == 0) {
		errbuf_printf(err, errlen, "No key provided");
		return -1;
	}
	if (slash == NULL && is_hex(s, n))
		return parse_hex_key(s, n, ctx, k, err, errlen);
	str = xmalloc(klen + 1);
	memcpy(str, s, klen);
	str[klen] = '\0';
	if (slash == NULL &&
	    keyio_decode_secret(cp, str, k->secret, &compressed) == 0) {
		if (!compressed && ctx != CTX_TOP && ctx != CTX_P2SH) {
			errbuf_printf(err, errlen,
			    "Uncompressed keys are not allowed");
			goto out;
		}
		k->has_secret = 1;
		if (key_pubkey(k->secret, compressed, k->pub, &k->publen) != 0)
			goto invalid;
		k->xonly = ctx == CTX_P2TR;
		rc = 0;
		goto out;
	}
	if (decode_ext(cp, str, &k->ext) != 0)
		goto invalid;
	k->is_ext = 1;
	k->has_secret = k->ext.has_secret;
	/* Core reads the range first, then the steps before it. */
	pend = end;
	if (slash != NULL) {
		const char *last = end;

		while (last > slash && last[-1] != '/')
			last--;
		if (end - last == 1 && last[0] == '*') {
			k->derive = DERIVE_UNHARDENED;
			pend = last - 1;
		} else if (end - last == 2 && last[0] == '*' &&
		    (last[1] == '\'' || last[1] == 'h')) {
			k->derive = DERIVE_HARDENED;
			k->apostrophe = last[1] == '\'';
			pend = last - 1;
		}
		if (pend > slash &&
		    parse_path(slash + 1, pend, &k->path, &k->npath,
			&k->apostrophe, err, errlen) != 0)
			goto out;
	}
	rc = 0;
	goto out;
invalid:
	errbuf_printf(err, errlen, "key '%s' is not valid", str);
out:
	OPENSSL_cleanse(str, klen);
	free(str);
	return rc;
}

int
desc_key_parse(const struct chainparams *cp, const char *s, size_t n,
    enum desc_ctx ctx, struct desc_key **out, char *err, size_t errlen)
{
	const char *close = memchr(s, ']', n), *fend, *slash;
	struct desc_key *k = xcalloc(1, sizeof(*k));
	size_t i;

	*out = NULL;
	if (close != NULL &&
	    memchr(close + 1, ']', n - (size_t)(close - s) - 1) != NULL) {
		errbuf_printf(err, errlen,
		    "Multiple ']' characters found for a single pubkey");
		goto fail;
	}
	if (close == NULL) {
		if (parse_inner(cp, s, n, ctx, k, err, errlen) != 0)
			goto fail;
		*out = k;
		return 0;
	}
	if (close == s || s[0] != '[') {
		errbuf_printf(err, errlen,
		    "Key origin start '[ character expected but not "
		    "found, got '%c' instead",
		    close == s ? ']' : s[0]);
		goto fail;
	}
	slash = memchr(s + 1, '/', (size_t)(close - s - 1));
	fend = slash != NULL ? slash : close;
	if (fend - (s + 1) != 8) {
		errbuf_printf(err, errlen,
		    "Fingerprint is not 4 bytes (%u characters instead of 8 "
		    "characters)",
		    (unsigned)(fend - (s + 1)));
		goto fail;
	}
	if (!is_hex(s + 1, 8)) {
		errbuf_printf(err, errlen, "Fingerprint '%.8s' is not hex",
		    s + 1);
		goto fail;
	}
	for (i = 0; i < 4; i++)
		k->fpr[i] = (uint8_t)(hex_digit(s[1 + 2 * i]) << 4 |
		    hex_digit(s[2 + 2 * i]));
	k->has_origin = 1;
	if (slash != NULL) {
		if (parse_path(slash + 1, close, &k->opath, &k->nopath,
			&k->apostrophe, err, errlen) != 0)
			goto fail;
	}
	if (parse_inner(cp, close + 1, n - (size_t)(close + 1 - s), ctx, k,
		err, errlen) != 0)
		goto fail;
	*out = k;
	return 0;
fail:
	desc_key_free(k);
	return -1;
}

int
desc_key_is_range(const struct desc_key *k)
{
	return k->is_ext && k->derive != DERIVE_NONE;
}

size_t
desc_key_size(const struct desc_key *k)
{
	return k->is_ext ? 33 : k->publen;
}

void
desc_pubkey_clear(struct desc_pubkey *p)
{
	free(p->path);
	memset(p, 0, sizeof(*p));
}

/* Derives from *cur along n steps, replacing *cur; 0 or -1. */
static int
derive_steps(struct bip32_key *cur, const uint32_t *steps, size_t n)
{
	struct bip32_key next;
	size_t i;

	for (i = 0; i < n; i++) {
		if (bip32_derive(cur, steps[i], &next) != 0)
			return -1;
		bip32_wipe(cur);
		*cur = next;
	}
	return 0;
}

int
desc_key_derive(struct desc_key *k, uint32_t pos, struct desc_pubkey *out)
{
	struct bip32_key cur;
	uint8_t h[20];
	uint32_t last;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	out->xonly = k->xonly;
	if (!k->is_ext) {
		memcpy(out->pub, k->pub, k->publen);
		out->len = k->publen;
		/* Core's ConstPubkeyProvider: the key's own id, no path. */
		hash160(k->pub, k->publen, h);
		memcpy(out->fpr, h, 4);
	} else {
		n = k->npath + (k->derive != DERIVE_NONE);
		out->path = xcalloc(n + 1, sizeof(*out->path));
		if (k->npath > 0)
			memcpy(out->path, k->path,
			    k->npath * sizeof(*k->path));
		out->npath = n;
		if (k->derive == DERIVE_NONE) {
			cur = k->ext;
			rc = derive_steps(&cur, k->path, k->npath);
		} else {
			if (!k->have_prefix) {
				k->prefix = k->ext;
				if (derive_steps(&k->prefix, k->path,
					k->npath) != 0) {
					bip32_wipe(&k->prefix);
					desc_pubkey_clear(out);
					return -1;
				}
				k->have_prefix = 1;
			}
			last = pos |
			    (k->derive == DERIVE_HARDENED ? BIP32_HARDENED :
							    0);
			out->path[k->npath] = last;
			cur = k->prefix;
			rc = derive_steps(&cur, &last, 1);
		}
		if (rc == 0)
			memcpy(out->pub, cur.pub, 33);
		bip32_wipe(&cur);
		if (rc != 0) {
			desc_pubkey_clear(out);
			return -1;
		}
		out->len = 33;
		bip32_fingerprint(&k->ext, out->fpr);
	}
	if (k->has_origin) {
		uint32_t *p = xcalloc(k->nopath + out->npath + 1, sizeof(*p));

		if (k->nopath > 0)
			memcpy(p, k->opath, k->nopath * sizeof(*p));
		if (out->npath > 0)
			memcpy(p + k->nopath, out->path,
			    out->npath * sizeof(*p));
		free(out->path);
		out->path = p;
		out->npath += k->nopath;
		memcpy(out->fpr, k->fpr, 4);
	}
	return 0;
}

void
desc_path_append(char **buf, const uint32_t *path, size_t n, int apostrophe)
{
	size_t i;

	for (i = 0; i < n; i++)
		desc_append(buf, "/%u%s", path[i] & ~BIP32_HARDENED,
		    (path[i] & BIP32_HARDENED) ? (apostrophe ? "'" : "h") :
						 "");
}

void
desc_key_append(const struct chainparams *cp, const struct desc_key *k,
    char **buf)
{
	uint8_t ser[BIP32_EXTKEY_SIZE];
	char hex[131], *b58;

	if (k->has_origin) {
		hex_encode(k->fpr, 4, hex);
		desc_append(buf, "[%s", hex);
		desc_path_append(buf, k->opath, k->nopath, k->apostrophe);
		desc_append(buf, "]");
	}
	if (!k->is_ext) {
		if (k->xonly)
			hex_encode(k->pub + 1, 32, hex);
		else
			hex_encode(k->pub, k->publen, hex);
		desc_append(buf, "%s", hex);
		return;
	}
	bip32_serialize(&k->ext, cp->ext_pub_prefix, 0, ser);
	b58 = base58check_encode(ser, sizeof(ser));
	desc_append(buf, "%s", b58);
	free(b58);
	desc_path_append(buf, k->path, k->npath, k->apostrophe);
	if (k->derive == DERIVE_UNHARDENED)
		desc_append(buf, "/*");
	else if (k->derive == DERIVE_HARDENED)
		desc_append(buf, "/*%s", k->apostrophe ? "'" : "h");
}
