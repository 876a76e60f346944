/*
 * Address <-> script, following the decision order of Core 30's
 * DecodeDestination: a string that starts with the chain's Bech32 prefix is
 * treated as Bech32 (so the error is about Bech32), anything else as
 * Base58.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chain/address.h"
#include "chain/base58.h"
#include "chain/bech32.h"
#include "util/xmalloc.h"
#include "util/errbuf.h"

#define OP_0 0x00
#define OP_1 0x51
#define OP_16 0x60
#define OP_DUP 0x76
#define OP_HASH160 0xa9
#define OP_EQUAL 0x87
#define OP_EQUALVERIFY 0x88
#define OP_CHECKSIG 0xac

#define HASH160_LEN 20
#define WITNESS_V0_KEYHASH_LEN 20
#define WITNESS_V0_SCRIPTHASH_LEN 32
#define WITNESS_V1_TAPROOT_LEN 32
#define WITNESS_PROG_MIN 2
#define WITNESS_PROG_MAX 40
/* Core's DecodeBase58 bound when it only asks "is this Base58 at all". */
#define BASE58_PROBE_MAX 100

/* Pay-to-anchor (BIP 431 ephemeral anchors): witness v1 program 4e73. */
static const uint8_t anchor_prog[2] = { 0x4e, 0x73 };

static size_t
p2pkh_script(const uint8_t hash[HASH160_LEN], uint8_t *s)
{
	s[0] = OP_DUP;
	s[1] = OP_HASH160;
	s[2] = HASH160_LEN;
	memcpy(s + 3, hash, HASH160_LEN);
	s[23] = OP_EQUALVERIFY;
	s[24] = OP_CHECKSIG;
	return 25;
}

static size_t
p2sh_script(const uint8_t hash[HASH160_LEN], uint8_t *s)
{
	s[0] = OP_HASH160;
	s[1] = HASH160_LEN;
	memcpy(s + 2, hash, HASH160_LEN);
	s[22] = OP_EQUAL;
	return 23;
}

static size_t
witness_script(int version, const uint8_t *prog, size_t n, uint8_t *s)
{
	s[0] = version == 0 ? OP_0 : (uint8_t)(OP_1 + version - 1);
	s[1] = (uint8_t)n;
	memcpy(s + 2, prog, n);
	return n + 2;
}

static const char *
byte_word(size_t n)
{
	return n == 1 ? "byte" : "bytes";
}

static int
decode_base58(const struct chainparams *p, const char *addr, uint8_t *script,
    size_t *script_len, char *err, size_t errlen)
{
	uint8_t data[1 + HASH160_LEN], probe[BASE58_PROBE_MAX];
	size_t n;

	if (base58check_decode(addr, data, sizeof(data), &n) == 0) {
		if (n == sizeof(data) && data[0] == p->p2pkh_prefix) {
			*script_len = p2pkh_script(data + 1, script);
			return 0;
		}
		if (n == sizeof(data) && data[0] == p->p2sh_prefix) {
			*script_len = p2sh_script(data + 1, script);
			return 0;
		}
		if (n >= 1 &&
		    (data[0] == p->p2pkh_prefix || data[0] == p->p2sh_prefix))
			errbuf_printf(err, errlen,
			    "Invalid length for Base58 address "
			    "(P2PKH or P2SH)");
		else
			errbuf_printf(err, errlen,
			    "Invalid or unsupported Base58-encoded address.");
		return -1;
	}
	/* Not Base58Check: say whether it was Base58 at all. */
	if (base58_decode(addr, probe, sizeof(probe), &n) == -1)
		errbuf_printf(err, errlen,
		    "Invalid or unsupported Segwit (Bech32) or "
		    "Base58 encoding.");
	else
		errbuf_printf(err, errlen,
		    "Invalid checksum or length of Base58 "
		    "address (P2PKH or P2SH)");
	return -1;
}

static int
decode_bech32(const struct chainparams *p, const char *addr, uint8_t *script,
    size_t *script_len, char *err, size_t errlen, int **locs, size_t *nlocs)
{
	char hrp[BECH32_MAX_LEN + 1];
	uint8_t data[BECH32_MAX_LEN], prog[BECH32_MAX_LEN];
	enum bech32_encoding enc;
	size_t n;
	int version, plen;

	enc = bech32_decode(addr, hrp, sizeof(hrp), data, sizeof(data), &n);
	if (enc == BECH32_INVALID) {
		const char *msg = bech32_locate_errors(addr, locs, nlocs);

		errbuf_printf(err, errlen, "%s", msg);
		return -1;
	}
	if (n == 0) {
		errbuf_printf(err, errlen, "Empty Bech32 data section");
		return -1;
	}
	if (strcmp(hrp, p->bech32_hrp) != 0) {
		errbuf_printf(err, errlen,
		    "Invalid or unsupported prefix for Segwit "
		    "(Bech32) address (expected %s, got %s).",
		    p->bech32_hrp, hrp);
		return -1;
	}
	version = data[0];
	if (version == 0 && enc != BECH32_BECH32) {
		errbuf_printf(err, errlen,
		    "Version 0 witness address must use Bech32 checksum");
		return -1;
	}
	if (version != 0 && enc != BECH32_BECH32M) {
		errbuf_printf(err, errlen,
		    "Version 1+ witness address must use Bech32m checksum");
		return -1;
	}
	plen = bech32_convert_bits(data + 1, n - 1, 5, 8, 0, prog,
	    sizeof(prog));
	if (plen < 0) {
		errbuf_printf(err, errlen,
		    "Invalid padding in Bech32 data section");
		return -1;
	}
	if (version == 0) {
		if (plen != WITNESS_V0_KEYHASH_LEN &&
		    plen != WITNESS_V0_SCRIPTHASH_LEN) {
			errbuf_printf(err, errlen,
			    "Invalid Bech32 v0 address program "
			    "size (%d %s), per BIP141",
			    plen, byte_word((size_t)plen));
			return -1;
		}
	} else if (!(version == 1 &&
		       (plen == WITNESS_V1_TAPROOT_LEN ||
			   (plen == sizeof(anchor_prog) &&
			       memcmp(prog, anchor_prog,
				   sizeof(anchor_prog)) == 0)))) {
		/* Taproot and anchors pass; other programs are checked. */
		if (version > 16) {
			errbuf_printf(err, errlen,
			    "Invalid Bech32 address witness version");
			return -1;
		}
		if (plen < WITNESS_PROG_MIN || plen > WITNESS_PROG_MAX) {
			errbuf_printf(err, errlen,
			    "Invalid Bech32 address program "
			    "size (%d %s)",
			    plen, byte_word((size_t)plen));
			return -1;
		}
	}
	*script_len = witness_script(version, prog, (size_t)plen, script);
	return 0;
}

int
address_decode(const struct chainparams *p, const char *addr,
    uint8_t script[ADDRESS_MAX_SCRIPT], size_t *script_len, char *err,
    size_t errlen, int **locs, size_t *nlocs)
{
	size_t hrplen = strlen(p->bech32_hrp);
	int *dummy_locs = NULL;
	size_t dummy_n = 0;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (locs == NULL) {
		locs = &dummy_locs;
		nlocs = &dummy_n;
	}
	*locs = NULL;
	*nlocs = 0;
	/* Only the chain's own prefix routes a string to Bech32. */
	if (strncasecmp(addr, p->bech32_hrp, hrplen) == 0)
		rc = decode_bech32(p, addr, script, script_len, err, errlen,
		    locs, nlocs);
	else
		rc = decode_base58(p, addr, script, script_len, err, errlen);
	free(dummy_locs);
	return rc;
}

int
address_to_script(const struct chainparams *p, const char *addr,
    uint8_t script[ADDRESS_MAX_SCRIPT], size_t *script_len, char *err,
    size_t errlen)
{
	return address_decode(p, addr, script, script_len, err, errlen, NULL,
	    NULL);
}

static char *
base58_address(uint8_t prefix, const uint8_t *hash)
{
	uint8_t data[1 + HASH160_LEN];

	data[0] = prefix;
	memcpy(data + 1, hash, HASH160_LEN);
	return base58check_encode(data, sizeof(data));
}

static char *
segwit_address(const struct chainparams *p, int version, const uint8_t *prog,
    size_t n)
{
	uint8_t data[1 + (WITNESS_PROG_MAX * 8 + 4) / 5];
	char out[BECH32_MAX_LEN + 1];
	int k;

	data[0] = (uint8_t)version;
	k = bech32_convert_bits(prog, n, 8, 5, 1, data + 1, sizeof(data) - 1);
	if (k < 0 ||
	    bech32_encode(version == 0 ? BECH32_BECH32 : BECH32_BECH32M,
		p->bech32_hrp, data, (size_t)k + 1, out, sizeof(out)) < 0)
		return NULL;
	return xstrdup(out);
}

char *
address_from_script(const struct chainparams *p, const uint8_t *s, size_t len)
{
	int version;
	size_t n;

	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 &&
	    s[2] == HASH160_LEN && s[23] == OP_EQUALVERIFY &&
	    s[24] == OP_CHECKSIG)
		return base58_address(p->p2pkh_prefix, s + 3);
	if (len == 23 && s[0] == OP_HASH160 && s[1] == HASH160_LEN &&
	    s[22] == OP_EQUAL)
		return base58_address(p->p2sh_prefix, s + 2);
	/* Witness program: a version opcode, then one push of 2 to 40 bytes. */
	if (len < 4 || len > ADDRESS_MAX_SCRIPT)
		return NULL;
	if (s[0] != OP_0 && (s[0] < OP_1 || s[0] > OP_16))
		return NULL;
	if ((size_t)s[1] + 2 != len)
		return NULL;
	version = s[0] == OP_0 ? 0 : s[0] - OP_1 + 1;
	n = s[1];
	/* Core has no destination for other v0 sizes. */
	if (version == 0 && n != WITNESS_V0_KEYHASH_LEN &&
	    n != WITNESS_V0_SCRIPTHASH_LEN)
		return NULL;
	return segwit_address(p, version, s + 2, n);
}
