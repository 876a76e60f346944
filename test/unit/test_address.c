/*
 * Addresses, Base58, Bech32 and descriptors, driven by Core's key_io and
 * base58 vectors, BIP173/BIP350/BIP380 test vectors and the error messages
 * Core's validateaddress gives.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chain/address.h"
#include "chain/base58.h"
#include "chain/bech32.h"
#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "chain/keyio.h"
#include "util/hex.h"
#include "util/xmalloc.h"
#include "unit.h"

static struct chainparams *chains[5];
static const enum chain_id chain_ids[5] = { CHAIN_MAIN, CHAIN_TESTNET3,
	CHAIN_TESTNET4, CHAIN_SIGNET, CHAIN_REGTEST };

static struct chainparams *
chain(enum chain_id id)
{
	size_t i;

	for (i = 0; i < 5; i++) {
		if (chain_ids[i] != id)
			continue;
		if (chains[i] == NULL)
			chains[i] = chainparams_new(id);
		return chains[i];
	}
	return NULL;
}

static json_t *
load(const char *rel)
{
	json_error_t e;
	json_t *j = json_load_file(SHARED_PATH(rel), 0, &e);

	if (j == NULL || !json_is_array(j)) {
		fprintf(stderr, "cannot load %s: %s\n", rel, e.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Script of addr on p as lowercase hex, or NULL (error into err). */
static char *
script_hex(struct chainparams *p, const char *addr, char *err, size_t errlen)
{
	uint8_t script[ADDRESS_MAX_SCRIPT];
	size_t len;

	if (address_to_script(p, addr, script, &len, err, errlen) == -1)
		return NULL;
	return hex_encode_alloc(script, len);
}

static char *
flip_case(const char *s)
{
	char *t = xstrdup(s), *q;

	for (q = t; *q != '\0'; q++) {
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
		else if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	}
	return t;
}

static void
test_key_io_valid(void)
{
	json_t *v = load("vectors/core/key_io_valid.json"), *e;
	size_t i, n_addr = 0, n_priv = 0;
	char err[ADDRESS_ERR_LEN];

	CHECK(v != NULL);
	if (v == NULL)
		return;
	json_array_foreach (v, i, e) {
		const char *addr = json_string_value(json_array_get(e, 0));
		const char *hex = json_string_value(json_array_get(e, 1));
		json_t *meta = json_array_get(e, 2);
		const char *cname = json_string_value(
		    json_object_get(meta, "chain"));
		int priv = json_is_true(json_object_get(meta, "isPrivkey"));
		int flip = json_is_true(json_object_get(meta, "tryCaseFlip"));
		struct chainparams *p;
		enum chain_id id;
		uint8_t *script;
		size_t len;
		char *got, *flipped;

		CHECK(addr != NULL && hex != NULL && cname != NULL);
		if (addr == NULL || hex == NULL || cname == NULL ||
		    chainparams_id_from_name(cname, &id) == -1) {
			CHECK(!"bad vector");
			continue;
		}
		p = chain(id);
		if (priv) {
			uint8_t secret[32];
			char shex[65], *wif;
			int comp,
			    want = json_is_true(
				json_object_get(meta, "isCompressed"));

			/* A WIF key is no address, on its chain or any. */
			CHECK(script_hex(p, addr, err, sizeof(err)) == NULL);
			/* It decodes to its key and compression, and back. */
			CHECK(
			    keyio_decode_secret(p, addr, secret, &comp) == 0);
			hex_encode(secret, 32, shex);
			CHECK_EQ_STR(shex, hex);
			CHECK_EQ_INT(comp, want);
			wif = keyio_encode_secret(p, secret, comp);
			CHECK_EQ_STR(wif, addr);
			free(wif);
			n_priv++;
			continue;
		}
		got = script_hex(p, addr, err, sizeof(err));
		if (got == NULL)
			fprintf(stderr, "%s: %s\n", addr, err);
		CHECK(got != NULL && strcmp(got, hex) == 0);
		free(got);
		CHECK(hex_decode_alloc(hex, &script, &len) == 0);
		got = address_from_script(p, script, len);
		CHECK(got != NULL && strcmp(got, addr) == 0);
		free(got);
		free(script);
		/* Bech32 is case-insensitive; Base58 is not. */
		flipped = flip_case(addr);
		got = script_hex(p, flipped, err, sizeof(err));
		if (flip)
			CHECK(got != NULL && strcmp(got, hex) == 0);
		else
			CHECK(got == NULL);
		free(got);
		free(flipped);
		n_addr++;
	}
	printf("key_io_valid: %zu addresses both ways, %zu keys refused\n",
	    n_addr, n_priv);
	CHECK(n_addr >= 50);
	json_decref(v);
}

static void
test_key_io_invalid(void)
{
	json_t *v = load("vectors/core/key_io_invalid.json"), *e;
	char err[ADDRESS_ERR_LEN], *got;
	size_t i, c, n = 0;

	CHECK(v != NULL);
	if (v == NULL)
		return;
	json_array_foreach (v, i, e) {
		const char *s = json_string_value(json_array_get(e, 0));

		CHECK(s != NULL);
		if (s == NULL)
			continue;
		for (c = 0; c < 5; c++) {
			err[0] = '\0';
			got = script_hex(chain(chain_ids[c]), s, err,
			    sizeof(err));
			if (got != NULL)
				fprintf(stderr, "accepted on %s: %s\n",
				    chain(chain_ids[c])->name, s);
			CHECK(got == NULL);
			CHECK(err[0] != '\0');
			free(got);
			{
				uint8_t secret[32];
				int comp;

				CHECK(keyio_decode_secret(chain(chain_ids[c]),
					  s, secret, &comp) == -1);
			}
			n++;
		}
	}
	printf("key_io_invalid: %zu strings refused on 5 chains (%zu)\n",
	    json_array_size(v), n);
	json_decref(v);
}

static void
test_base58_vectors(void)
{
	json_t *v = load("vectors/core/base58_encode_decode.json"), *e;
	uint8_t buf[512];
	size_t i, len, n = 0;
	char *enc, *hex;

	CHECK(v != NULL);
	if (v == NULL)
		return;
	json_array_foreach (v, i, e) {
		const char *h = json_string_value(json_array_get(e, 0));
		const char *b58 = json_string_value(json_array_get(e, 1));
		uint8_t *bytes;
		size_t blen;

		CHECK(h != NULL && b58 != NULL &&
		    hex_decode_alloc(h, &bytes, &blen) == 0);
		if (h == NULL || b58 == NULL)
			continue;
		enc = base58_encode(bytes, blen);
		CHECK_EQ_STR(enc, b58);
		free(enc);
		CHECK(base58_decode(b58, buf, sizeof(buf), &len) == 0);
		hex = hex_encode_alloc(buf, len);
		/* Core's vector has upper-case hex in one entry. */
		CHECK(strcasecmp(hex, h) == 0);
		free(hex);
		free(bytes);
		n++;
	}
	printf("base58_encode_decode: %zu vectors both ways\n", n);
	json_decref(v);
}

static void
test_base58_rules(void)
{
	uint8_t buf[128];
	size_t len;
	char *s;

	/* Whitespace around is skipped, inside is not. */
	CHECK(base58_decode(" \t\n\v\f\r skip \r\f\v\n\t ", buf, sizeof(buf),
		  &len) == 0);
	CHECK(len == 3 && buf[0] == 0x97 && buf[1] == 0x1a && buf[2] == 0x55);
	CHECK(base58_decode("sk ip", buf, sizeof(buf), &len) == -1);
	CHECK(base58_decode("invalid", buf, sizeof(buf), &len) == -1);
	CHECK(base58_decode("0OIl", buf, sizeof(buf), &len) == -1);
	CHECK(base58_decode("", buf, sizeof(buf), &len) == 0 && len == 0);
	/* The bound covers leading zeros and the rest alike. */
	CHECK(base58_decode("1111111111", buf, 10, &len) == 0 && len == 10);
	CHECK(base58_decode("1111111111", buf, 9, &len) == -1);
	CHECK(base58_decode("zzzzz", buf, 4, &len) == 0 && len == 4);
	CHECK(base58_decode("211111", buf, 4, &len) == 0 && len == 4);
	CHECK(base58_decode("2111111", buf, 4, &len) == -1);
	/* Base58Check of "hello world", as in Core's tests. */
	CHECK(
	    base58check_decode("3vQB7B6MrGQZaxCuFg4oh", buf, 100, &len) == 0);
	CHECK(len == 11 && memcmp(buf, "hello world", 11) == 0);
	CHECK(
	    base58check_decode("3vQB7B6MrGQZaxCuFg4oi", buf, 100, &len) == -1);
	CHECK(base58check_decode("3vQB7B6MrGQZaxCuFg4oh0IOl", buf, 100,
		  &len) == -1);
	CHECK(
	    base58check_decode("3vQB7B6MrGQZaxCuFg4oh", buf, 10, &len) == -1);
	CHECK(base58check_decode("1", buf, 100, &len) == -1);
	s = base58check_encode((const uint8_t *)"hello world", 11);
	CHECK_EQ_STR(s, "3vQB7B6MrGQZaxCuFg4oh");
	free(s);
}

static const char *const bech32_valid[] = { "A12UEL5L", "a12uel5l",
	"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
	"11"
	"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
	"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	"?1ezyfcl", NULL };

static const char *const bech32m_valid[] = { "A1LQFN3A", "a1lqfn3a",
	"an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
	"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
	"11"
	"lllllllllllllllllllllllllllllllllllllllll"
	"lllllllllllllllllllllllllllllllllllllllllludsr8",
	"split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
	"?1v759aa", NULL };

static void
check_valid_strings(const char *const *list, enum bech32_encoding want)
{
	char hrp[BECH32_MAX_LEN + 1], out[BECH32_MAX_LEN + 1], low[128];
	uint8_t data[BECH32_MAX_LEN];
	size_t i, k, n;
	int *locs;
	size_t nlocs;

	for (i = 0; list[i] != NULL; i++) {
		CHECK(bech32_decode(list[i], hrp, sizeof(hrp), data,
			  sizeof(data), &n) == want);
		CHECK_EQ_STR(bech32_locate_errors(list[i], &locs, &nlocs), "");
		CHECK(locs == NULL && nlocs == 0);
		/* Encoding gives the lowercase string back. */
		CHECK(bech32_encode(want, hrp, data, n, out, sizeof(out)) > 0);
		for (k = 0; list[i][k] != '\0' && k < sizeof(low) - 1; k++)
			low[k] = (char)(list[i][k] >= 'A' &&
				    list[i][k] <= 'Z' ?
				list[i][k] - 'A' + 'a' :
				list[i][k]);
		low[k] = '\0';
		CHECK_EQ_STR(out, low);
		/* One symbol changed: invalid, and located there. */
		if (n > 0) {
			char *bad = xstrdup(low);
			size_t pos = strlen(hrp) + 1;

			bad[pos] = bad[pos] == 'q' ? 'p' : 'q';
			CHECK(bech32_decode(bad, hrp, sizeof(hrp), data,
				  sizeof(data), &n) == BECH32_INVALID);
			(void)bech32_locate_errors(bad, &locs, &nlocs);
			CHECK(nlocs == 1 && locs[0] == (int)pos);
			free(locs);
			free(bad);
		}
	}
}

struct located {
	const char *s;
	const char *msg;
	int locs[8];
	size_t n;
};

/* BIP173 invalid strings, with the errors Core's LocateErrors gives. */
static const struct located bech32_invalid[] = {
	{ " 1nwldj5", "Invalid character or mixed case", { 0 }, 1 },
	{ "\x7f"
	  "1axkwrx",
	    "Invalid character or mixed case", { 0 }, 1 },
	{ "\x80"
	  "1eym55h",
	    "Invalid character or mixed case", { 0 }, 1 },
	{ "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
	    "Bech32 string too long", { 90 }, 1 },
	{ "pzry9x0s0muk", "Missing separator", { 0 }, 0 },
	{ "1pzry9x0s0muk", "Invalid separator position", { 0 }, 1 },
	{ "x1b4n0q5v", "Invalid Base 32 character", { 2 }, 1 },
	{ "li1dgmt3", "Invalid separator position", { 2 }, 1 },
	{ "de1lg7wt\xff", "Invalid character or mixed case", { 8 }, 1 },
	/* The checksum covers the hrp in lower case; the error is there. */
	{ "A1G7SGD8", "Invalid checksum", { 0 }, 0 },
	{ "10a06t8", "Invalid separator position", { 0 }, 1 },
	{ "1qzzfhee", "Invalid separator position", { 0 }, 1 },
	{ "a12UEL5L", "Invalid character or mixed case", { 3, 4, 5, 7 }, 4 },
	{ "A12uEL5L", "Invalid character or mixed case", { 3 }, 1 },
	{ "abcdef1qpzrz9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
	    "Invalid Bech32 checksum", { 11 }, 1 },
	{ "test1zg69w7y6hn0aqy352euf40x77qddq3dc", "Invalid Bech32 checksum",
	    { 9, 16 }, 2 },
	/* BIP350's: a Bech32m string with one symbol off. */
	{ "abcdef1l7aum6echk45nj2s0wdvt2fg8x9yrzpqzd3ryx",
	    "Invalid Bech32m checksum", { 21 }, 1 },
	{ NULL, NULL, { 0 }, 0 }
};

static void
test_bech32(void)
{
	char hrp[BECH32_MAX_LEN + 1];
	uint8_t data[BECH32_MAX_LEN], in[40], five[70], back[40];
	size_t i, k, n, nlocs;
	const char *msg;
	int *locs, len5, len8;

	check_valid_strings(bech32_valid, BECH32_BECH32);
	check_valid_strings(bech32m_valid, BECH32_BECH32M);
	for (i = 0; bech32_invalid[i].s != NULL; i++) {
		const struct located *c = &bech32_invalid[i];

		CHECK(bech32_decode(c->s, hrp, sizeof(hrp), data, sizeof(data),
			  &n) == BECH32_INVALID);
		msg = bech32_locate_errors(c->s, &locs, &nlocs);
		CHECK_EQ_STR(msg, c->msg);
		CHECK_EQ_INT(nlocs, c->n);
		for (k = 0; k < nlocs && k < c->n; k++)
			CHECK_EQ_INT(locs[k], c->locs[k]);
		free(locs);
	}
	/* Regrouping bits both ways, and Core's padding rules. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	len5 = bech32_convert_bits(in, sizeof(in), 8, 5, 1, five,
	    sizeof(five));
	CHECK_EQ_INT(len5, 64);
	len8 = bech32_convert_bits(five, (size_t)len5, 5, 8, 0, back,
	    sizeof(back));
	CHECK(len8 == 40 && memcmp(in, back, 40) == 0);
	five[0] = 32;
	CHECK(bech32_convert_bits(five, 1, 5, 8, 0, back, sizeof(back)) == -1);
	five[0] = 1; /* five leftover bits, nonzero: refused */
	CHECK(bech32_convert_bits(five, 1, 5, 8, 0, back, sizeof(back)) == -1);
	CHECK(bech32_convert_bits(in, 40, 8, 5, 1, five, 10) == -1);
	data[0] = 40;
	CHECK(bech32_encode(BECH32_BECH32, "bc", data, 1, (char *)five,
		  sizeof(five)) == -1);
	CHECK(
	    bech32_encode(BECH32_BECH32, "bc", in, 0, (char *)five, 5) == -1);
}

struct bad_addr {
	enum chain_id chain;
	const char *addr;
	const char *err;
	int locs[2];
	size_t n;
};

/* Core's validateaddress messages for the BIP173 and BIP350 failures. */
static const struct bad_addr bad_addrs[] = {
	{ CHAIN_MAIN, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
	    "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
	    { 0 }, 0 },
	{ CHAIN_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
	    "Invalid Bech32 checksum", { 41 }, 1 },
	{ CHAIN_MAIN, "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_MAIN, "bc1rw5uspcuh",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_MAIN,
	    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_MAIN, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
	    "Invalid Bech32 v0 address program size (16 bytes), per BIP141",
	    { 0 }, 0 },
	{ CHAIN_TESTNET3,
	    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
	    "Invalid character or mixed case", { 58 }, 1 },
	{ CHAIN_MAIN, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4",
	    "Invalid character or mixed case", { 40 }, 1 },
	{ CHAIN_MAIN, "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_TESTNET4,
	    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
	    "Invalid padding in Bech32 data section", { 0 }, 0 },
	{ CHAIN_MAIN, "bc1gmk9yu", "Empty Bech32 data section", { 0 }, 0 },
	{ CHAIN_MAIN,
	    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_MAIN, "BC1PFYSXZMFQ2PHHYARVV9HXGTJGFAZYCWJYPQQQF9ZLQ6",
	    "Version 1+ witness address must use Bech32m checksum", { 0 }, 0 },
	{ CHAIN_MAIN, "bc1qfysxzmfq2phhyarvv9hxgtjgfazycwjypqqqfm706a",
	    "Version 0 witness address must use Bech32 checksum", { 0 }, 0 },
	{ CHAIN_MAIN,
	    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
	    "Invalid Bech32 address witness version", { 0 }, 0 },
	{ CHAIN_MAIN, "bc1pw5dgrnzv",
	    "Invalid Bech32 address program size (1 byte)", { 0 }, 0 },
	{ CHAIN_MAIN,
	    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
	    "Invalid Bech32 address program size (41 bytes)", { 0 }, 0 },
	{ CHAIN_MAIN,
	    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
	    "Invalid padding in Bech32 data section", { 0 }, 0 },
	{ CHAIN_MAIN, "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9",
	    "Invalid or unsupported prefix for Segwit (Bech32) address "
	    "(expected bc, got bcrt).",
	    { 0 }, 0 },
	{ CHAIN_MAIN, "Address is not valid Base58 or Bech32 ",
	    "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
	    { 0 }, 0 },
	/* A testnet P2PKH on mainnet: good Base58Check, foreign prefix. */
	{ CHAIN_MAIN, "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ",
	    "Invalid or unsupported Base58-encoded address.", { 0 }, 0 },
	{ CHAIN_MAIN, "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mp",
	    "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
	    { 0 }, 0 },
	/* Empty is Base58, of nothing: too short for a checksum. */
	{ CHAIN_MAIN, "",
	    "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
	    { 0 }, 0 },
	{ 0, NULL, NULL, { 0 }, 0 }
};

static void
test_address_errors(void)
{
	uint8_t script[ADDRESS_MAX_SCRIPT], data[20];
	char err[ADDRESS_ERR_LEN], *a;
	size_t i, k, len, nlocs;
	int *locs;

	for (i = 0; bad_addrs[i].addr != NULL; i++) {
		const struct bad_addr *b = &bad_addrs[i];

		CHECK(address_decode(chain(b->chain), b->addr, script, &len,
			  err, sizeof(err), &locs, &nlocs) == -1);
		CHECK_EQ_STR(err, b->err);
		CHECK_EQ_INT(nlocs, b->n);
		for (k = 0; k < nlocs && k < b->n; k++)
			CHECK_EQ_INT(locs[k], b->locs[k]);
		free(locs);
	}
	/* Right prefix, wrong length: version 0 and a 19-byte hash. */
	memset(data, 7, sizeof(data));
	data[0] = 0;
	a = base58check_encode(data, sizeof(data));
	CHECK(address_to_script(chain(CHAIN_MAIN), a, script, &len, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err, "Invalid length for Base58 address (P2PKH or P2SH)");
	free(a);
	/* A Base58Check payload longer than an address is not one. */
	a = base58check_encode((const uint8_t *)"0123456789abcdefghijklm", 23);
	CHECK(address_to_script(chain(CHAIN_MAIN), a, script, &len, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
	free(a);
	/* A short error buffer truncates; a zero one is left alone. */
	CHECK(address_to_script(chain(CHAIN_MAIN), "bc1gmk9yu", script, &len,
		  err, 6) == -1);
	CHECK_EQ_STR(err, "Empty");
	CHECK(address_to_script(chain(CHAIN_MAIN), "bc1gmk9yu", script, &len,
		  NULL, 0) == -1);
}

struct good_addr {
	enum chain_id chain;
	const char *addr;  /* as Core encodes it */
	const char *input; /* another spelling, or NULL */
	const char *script;
};

static const struct good_addr good_addrs[] = {
	{ CHAIN_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
	    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
	    "0014751e76e8199196d454941c45d1b3a323f1433bd6" },
	{ CHAIN_MAIN,
	    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
	    NULL,
	    "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
	{ CHAIN_TESTNET3,
	    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
	    NULL,
	    "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
	{ CHAIN_MAIN,
	    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
	    NULL,
	    "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6" },
	{ CHAIN_MAIN, "bc1sw50qgdz25j", "BC1SW50QGDZ25J", "6002751e" },
	{ CHAIN_MAIN, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", NULL,
	    "5210751e76e8199196d454941c45d1b3a323" },
	{ CHAIN_SIGNET,
	    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
	    NULL,
	    "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433" },
	{ CHAIN_MAIN,
	    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
	    NULL,
	    "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" },
	/* Pay-to-anchor. */
	{ CHAIN_MAIN, "bc1pfeessrawgf", NULL, "51024e73" },
	{ CHAIN_REGTEST, "bcrt1pfeesnyr2tx", NULL, "51024e73" },
	/* Core skips whitespace around Base58. */
	{ CHAIN_MAIN, "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs",
	    " 1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs\n",
	    "76a914f54a5851e9372b87810a8e60cdd2e7cfd80b6e3188ac" },
	{ 0, NULL, NULL, NULL }
};

static void
test_address_roundtrip(void)
{
	struct chainparams *m = chain(CHAIN_MAIN);
	char err[ADDRESS_ERR_LEN], *got;
	uint8_t *script;
	size_t i, len;
	static const char *const no_address[] = {
		/* P2PK, bare multisig, OP_RETURN, empty, v0 of 21 bytes,
		 * a push that overruns, 43 bytes, OP_1 with 1 byte. */
		"2102c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5ac",
		"512102c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee551ae",
		"6a0568656c6c6f", "",
		"0015751e76e8199196d454941c45d1b3a323f1433bd6aa",
		"0015751e76e8199196d454941c45d1b3a323f1433bd6",
		"6029000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
		"510101", "76a914f54a5851e9372b87810a8e60cdd2e7cfd80b6e3188ad",
		NULL
	};

	for (i = 0; good_addrs[i].addr != NULL; i++) {
		const struct good_addr *g = &good_addrs[i];
		struct chainparams *p = chain(g->chain);

		got = script_hex(p, g->input ? g->input : g->addr, err,
		    sizeof(err));
		if (got == NULL)
			fprintf(stderr, "%s: %s\n", g->addr, err);
		CHECK(got != NULL && strcmp(got, g->script) == 0);
		free(got);
		CHECK(hex_decode_alloc(g->script, &script, &len) == 0);
		got = address_from_script(p, script, len);
		CHECK_EQ_STR(got, g->addr);
		free(got);
		free(script);
	}
	for (i = 0; no_address[i] != NULL; i++) {
		CHECK(hex_decode_alloc(no_address[i], &script, &len) == 0);
		got = address_from_script(m, script, len);
		CHECK(got == NULL);
		free(got);
		free(script);
	}
	/* One script, every chain's spelling. */
	CHECK(hex_decode_alloc("0014751e76e8199196d454941c45d1b3a323f1433bd6",
		  &script, &len) == 0);
	got = address_from_script(chain(CHAIN_REGTEST), script, len);
	CHECK_EQ_STR(got, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
	free(got);
	got = address_from_script(chain(CHAIN_TESTNET4), script, len);
	CHECK_EQ_STR(got, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
	free(got);
	free(script);
}

static void
test_descriptor_checksums(void)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1];
	static const char *const known[][2] = {
		/* BIP380's example; Core's RPC help example. */
		{ "raw(deadbeef)", "89f8spxm" },
		{ "addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)", "02wpgw69" },
		{ "raw(DEADBEEF)", "49w2hhz7" },
		{ "addr(1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs)", "gyz4qs5t" },
		{ "raw(6a)", "4mhr9ur5" }, { NULL, NULL }
	};
	size_t i;

	for (i = 0; known[i][0] != NULL; i++) {
		CHECK(descriptor_checksum(known[i][0], strlen(known[i][0]),
			  sum) == 0);
		CHECK_EQ_STR(sum, known[i][1]);
	}
	CHECK(descriptor_checksum("raw(\xc3\x9c)", 7, sum) == -1);
	CHECK(descriptor_checksum("a\nb", 3, sum) == -1);
	/* Only the given length counts. */
	CHECK(descriptor_checksum("raw(deadbeef)#zzz", 13, sum) == 0);
	CHECK_EQ_STR(sum, "89f8spxm");
}

struct desc_case {
	enum chain_id chain;
	const char *in;
	int require;
	const char *err; /* NULL: valid */
	const char *norm;
	const char *script;
};

static const struct desc_case desc_cases[] = {
	{ CHAIN_MAIN, "raw(deadbeef)#89f8spxm", 1, NULL,
	    "raw(deadbeef)#89f8spxm", "deadbeef" },
	{ CHAIN_MAIN, "raw(DEADBEEF)", 0, NULL, "raw(deadbeef)#89f8spxm",
	    "deadbeef" },
	{ CHAIN_TESTNET3, "addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)#02wpgw69",
	    1, NULL, "addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)#02wpgw69",
	    "76a914399c39ac90dac26965fb55fdb2035e6715fdac4e88ac" },
	{ CHAIN_MAIN, "addr(BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4)", 0,
	    NULL, "addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)#uyjndxcw",
	    "0014751e76e8199196d454941c45d1b3a323f1433bd6" },
	{ CHAIN_MAIN, "raw(deadbeef)", 1, "Missing checksum", NULL, NULL },
	{ CHAIN_MAIN, "raw(deadbeef)#", 0,
	    "Expected 8 character checksum, not 0 characters", NULL, NULL },
	{ CHAIN_MAIN, "raw(deadbeef)#89f8spxmx", 0,
	    "Expected 8 character checksum, not 9 characters", NULL, NULL },
	{ CHAIN_MAIN, "raw(deadbeef)#89f8spx", 0,
	    "Expected 8 character checksum, not 7 characters", NULL, NULL },
	{ CHAIN_MAIN, "raw(deadbeef)#89f8spxn", 0,
	    "Provided checksum '89f8spxn' does not match computed checksum "
	    "'89f8spxm'",
	    NULL, NULL },
	{ CHAIN_MAIN, "raw(deedbeef)#89f8spxm", 0,
	    "Provided checksum '89f8spxm' does not match computed checksum "
	    "'xj8ljs75'",
	    NULL, NULL },
	{ CHAIN_MAIN, "raw(deadbeef)##9f8spxm", 0, "Multiple '#' symbols",
	    NULL, NULL },
	{ CHAIN_MAIN, "raw(\xc3\x9c)#00000000", 0,
	    "Invalid characters in payload", NULL, NULL },
	{ CHAIN_MAIN, "raw()", 0, "Raw script is not hex", NULL, NULL },
	{ CHAIN_MAIN, "raw(abc)", 0, "Raw script is not hex", NULL, NULL },
	{ CHAIN_MAIN, "raw(zz)", 0, "Raw script is not hex", NULL, NULL },
	{ CHAIN_MAIN, "addr(asdf)", 0, "Address is not valid", NULL, NULL },
	/* A testnet address on mainnet. */
	{ CHAIN_MAIN, "addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)", 0,
	    "Address is not valid", NULL, NULL },
	{ CHAIN_MAIN, "addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4) ", 0,
	    "'addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4) ' is not a "
	    "valid descriptor function",
	    NULL, NULL },
	{ CHAIN_MAIN, "foo(bar)", 0,
	    "'foo(bar)' is not a valid descriptor "
	    "function",
	    NULL, NULL },
	{ CHAIN_MAIN, "", 0, "'' is not a valid descriptor function", NULL,
	    NULL },
	{ CHAIN_MAIN,
	    "sh(sh(pkh(02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5)))",
	    0, "Can only have sh() at top level", NULL, NULL },
	{ 0, NULL, 0, NULL, NULL, NULL }
};

static void
test_descriptors(void)
{
	char err[DESCRIPTOR_ERR_LEN], sum[DESCRIPTOR_CHECKSUM_LEN + 1];
	struct descriptor *d, *d2;
	struct descriptor_output o;
	size_t i, len, n = 0;
	char *norm, *hex;

	for (i = 0; desc_cases[i].in != NULL; i++) {
		const struct desc_case *c = &desc_cases[i];
		int rc = descriptor_parse(chain(c->chain), c->in, c->require,
		    &d, err, sizeof(err));

		n++;
		if (c->err != NULL) {
			CHECK(rc == -1 && d == NULL);
			CHECK_EQ_STR(err, c->err);
			continue;
		}
		CHECK(rc == 0 && d != NULL);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", c->in, err);
			continue;
		}
		CHECK(descriptor_expand(d, 0, &o) == 0 && o.n == 1);
		hex = hex_encode_alloc(o.script[0], o.len[0]);
		CHECK_EQ_STR(hex, c->script);
		free(hex);
		descriptor_output_free(&o);
		norm = descriptor_to_string(d);
		CHECK_EQ_STR(norm, c->norm);
		/* getdescriptorinfo's checksum is of the input as given. */
		len = strcspn(c->in, "#");
		CHECK(descriptor_checksum(c->in, len, sum) == 0);
		CHECK_EQ_STR(descriptor_input_checksum(d), sum);
		CHECK(!descriptor_is_range(d) && !descriptor_is_solvable(d) &&
		    !descriptor_has_private_keys(d));
		/* The normal form parses, with its checksum required. */
		CHECK(descriptor_parse(chain(c->chain), norm, 1, &d2, err,
			  sizeof(err)) == 0);
		if (d2 != NULL) {
			char *again = descriptor_to_string(d2);

			CHECK_EQ_STR(again, norm);
			free(again);
		}
		descriptor_free(d2);
		free(norm);
		descriptor_free(d);
	}
	printf("descriptors: %zu cases\n", n);
}

static void
test_cleanup(void)
{
	size_t i;

	for (i = 0; i < 5; i++) {
		chainparams_free(chains[i]);
		chains[i] = NULL;
	}
}

UNIT_MAIN(UNIT_CASE(test_key_io_valid), UNIT_CASE(test_key_io_invalid),
    UNIT_CASE(test_base58_vectors), UNIT_CASE(test_base58_rules),
    UNIT_CASE(test_bech32), UNIT_CASE(test_address_errors),
    UNIT_CASE(test_address_roundtrip), UNIT_CASE(test_descriptor_checksums),
    UNIT_CASE(test_descriptors), UNIT_CASE(test_cleanup))
