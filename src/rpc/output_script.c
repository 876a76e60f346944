/*
 * Util methods on output scripts: createmultisig and deriveaddresses, as
 * Bitcoin Core 28 answers them. Answered from the chain parameters alone.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/descriptor.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "rpc/rpc_int.h"
#include "script/script.h"
#include "script/solver.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

enum output_type { OUT_LEGACY, OUT_P2SH_SEGWIT, OUT_BECH32, OUT_BECH32M };

/* Core's ParseOutputType; -1 for an unknown name. */
static int
parse_output_type(const char *s)
{
	static const char *const names[] = {
		"legacy",
		"p2sh-segwit",
		"bech32",
		"bech32m",
	};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Core's HexToPubKey. 0 with the key (xmalloc'd), or -1 with err. */
static int
hex_to_pubkey(const json_t *v, uint8_t **pk, size_t *len,
    struct rpc_error *err)
{
	const char *s = json_string_value(v);
	char q[160];

	if (s == NULL) {
		rpc_fail_type(err, v, "string");
		return -1;
	}
	snprintf(q, sizeof(q), "%s", s);
	if (*s == '\0' || hex_decode_alloc(s, pk, len) == -1) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Pubkey \"%s\" must be a hex string", q);
		return -1;
	}
	if (*len != 33 && *len != 65) {
		free(*pk);
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Pubkey \"%s\" must "
		    "have a length of either 33 or 65 bytes",
		    q);
		return -1;
	}
	if (!key_pubkey_valid(*pk, *len)) {
		free(*pk);
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Pubkey \"%s\" must be cryptographically valid.", q);
		return -1;
	}
	return 0;
}

/* An xmalloc'd descriptor string with its checksum appended. */
static char *
with_checksum(struct jout *o)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1];

	if (descriptor_checksum(o->p, o->len, sum) == 0) {
		jout_puts(o, "#");
		jout_puts(o, sum);
	}
	return o->p;
}

/*
 * The descriptor Core infers for the multisig output: sh(multi()),
 * sh(wsh(multi())) or wsh(multi()) with the keys as given. Core's
 * inference refuses hybrid keys (06, 07), so it then falls back to
 * describing the address: addr().
 */
static char *
multisig_descriptor(enum output_type type, int required, uint8_t **keys,
    const size_t *lens, size_t n, const char *address)
{
	struct jout o = { NULL, 0, 0 };
	char num[16], *hex;
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i][0] == 6 || keys[i][0] == 7) {
			jout_puts(&o, "addr(");
			jout_puts(&o, address);
			jout_puts(&o, ")");
			return with_checksum(&o);
		}
	jout_puts(&o,
	    type == OUT_BECH32		? "wsh(" :
		type == OUT_P2SH_SEGWIT ? "sh(wsh(" :
					  "sh(");
	snprintf(num, sizeof(num), "multi(%d", required);
	jout_puts(&o, num);
	for (i = 0; i < n; i++) {
		hex = hex_encode_alloc(keys[i], lens[i]);
		jout_puts(&o, ",");
		jout_puts(&o, hex);
		free(hex);
	}
	jout_puts(&o, type == OUT_P2SH_SEGWIT ? ")))" : "))");
	return with_checksum(&o);
}

static json_t *
m_createmultisig(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	json_t *jreq = rpc_param(c, 0), *jkeys = rpc_param(c, 1), *v, *res;
	json_t *jtype = rpc_param(c, 2);
	uint8_t **keys, wp[34], sh[34];
	size_t *lens, n = 0, i, wlen, shlen;
	struct wbuf redeem;
	json_int_t required;
	int type, asked, compressed = 1;
	char *addr, *desc;

	if (!json_is_integer(jreq) || json_integer_value(jreq) < INT_MIN ||
	    json_integer_value(jreq) > INT_MAX)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "JSON integer out of range");
	required = json_integer_value(jreq);
	keys = xcalloc(json_array_size(jkeys) + 1, sizeof(*keys));
	lens = xcalloc(json_array_size(jkeys) + 1, sizeof(*lens));
	res = NULL;
	json_array_foreach (jkeys, i, v) {
		if (hex_to_pubkey(v, &keys[n], &lens[n], err) == -1)
			goto out;
		if (lens[n] != 33)
			compressed = 0;
		n++;
	}
	asked = parse_output_type(jtype ? json_string_value(jtype) : "legacy");
	if (asked == -1) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Unknown address type '%s'", json_string_value(jtype));
		goto out;
	}
	if (asked == OUT_BECH32M) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "createmultisig cannot create bech32m multisig addresses");
		goto out;
	}
	if (required < 1) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "a multisignature address "
		    "must require at least one key to redeem");
		goto out;
	}
	if ((json_int_t)n < required) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "not enough keys supplied "
		    "(got %zu keys, but need at least %d to redeem)",
		    n, (int)required);
		goto out;
	}
	if (n > MAX_PUBKEYS_PER_MULTISIG) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Number of keys involved in "
		    "the multisignature address creation > %d\nReduce the "
		    "number",
		    MAX_PUBKEYS_PER_MULTISIG);
		goto out;
	}
	wbuf_init(&redeem);
	script_build_multisig(&redeem, (int)required,
	    (const uint8_t *const *)keys, lens, n);
	/* Uncompressed keys have no place in segwit: legacy it is. */
	type = compressed ? asked : OUT_LEGACY;
	if (type == OUT_LEGACY && redeem.len > MAX_SCRIPT_ELEMENT_SIZE) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "redeemScript exceeds size "
		    "limit: %zu > %d",
		    redeem.len, MAX_SCRIPT_ELEMENT_SIZE);
		wbuf_free(&redeem);
		goto out;
	}
	if (type == OUT_LEGACY)
		shlen = script_wrap(redeem.p, redeem.len, 0, sh);
	else {
		wlen = script_wrap(redeem.p, redeem.len, 1, wp);
		if (type == OUT_BECH32) {
			memcpy(sh, wp, wlen);
			shlen = wlen;
		} else
			shlen = script_wrap(wp, wlen, 0, sh);
	}
	addr = address_from_script(cp, sh, shlen);
	desc = multisig_descriptor(type, (int)required, keys, lens, n, addr);
	res = json_object();
	json_object_set_new(res, "address", json_string(addr));
	json_object_set_new(res, "redeemScript",
	    rpc_hex_json(redeem.p, redeem.len));
	json_object_set_new(res, "descriptor", json_string(desc));
	/* Core warns when the descriptor's type is not the one asked for. */
	if (type != asked)
		json_object_set_new(res, "warnings",
		    json_pack("[s]",
			"Unable to make chosen address type, please ensure no "
			"uncompressed public keys are present."));
	free(desc);
	free(addr);
	wbuf_free(&redeem);
out:
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(lens);
	return res;
}

/* ---- deriveaddresses ---- */

int
rpc_descriptor_range(const json_t *v, int64_t *lo, int64_t *hi,
    struct rpc_error *err)
{
	if (json_is_number(v)) {
		*lo = 0;
		if (rpc_get_int64(v, hi, err) == -1)
			return -1;
	} else if (json_is_array(v) && json_array_size(v) == 2 &&
	    json_is_number(json_array_get(v, 0)) &&
	    json_is_number(json_array_get(v, 1))) {
		if (rpc_get_int64(json_array_get(v, 0), lo, err) == -1 ||
		    rpc_get_int64(json_array_get(v, 1), hi, err) == -1)
			return -1;
		if (*lo > *hi) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Range specified as "
			    "[begin,end] must not have begin after end");
			return -1;
		}
	} else {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Range must be specified as end or as [begin,end]");
		return -1;
	}
	if (*lo < 0) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Range should be greater or equal than 0");
		return -1;
	}
	if ((*hi >> 31) != 0) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "End of range is too high");
		return -1;
	}
	if (*hi >= *lo + 1000000) {
		rpc_fail(err, RPC_INVALID_PARAMETER, "Range is too large");
		return -1;
	}
	return 0;
}

static json_t *
m_deriveaddresses(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	/* Core counts the parameters given, a null range included. */
	int range_given = json_array_size(c->params) > 1;
	char emsg[DESCRIPTOR_ERR_LEN], *addr;
	struct descriptor *d;
	int64_t lo = 0, hi = 0, i;
	json_t *res;

	if (rpc_param(c, 1) &&
	    rpc_descriptor_range(rpc_param(c, 1), &lo, &hi, err) == -1)
		return NULL;
	if (descriptor_parse(cp, json_string_value(rpc_param(c, 0)), 1, &d,
		emsg, sizeof(emsg)) == -1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s", emsg);
	if (!descriptor_is_range(d) && range_given) {
		descriptor_free(d);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Range should not "
		    "be specified for an un-ranged descriptor");
	}
	if (descriptor_is_range(d) && !range_given) {
		descriptor_free(d);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Range must be specified for a ranged descriptor");
	}
	res = json_array();
	for (i = lo; i <= hi; i++) {
		struct descriptor_output o;
		size_t k;

		if (descriptor_expand(d, (uint32_t)i, &o) != 0) {
			descriptor_free(d);
			json_decref(res);
			return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Cannot derive script without private keys");
		}
		for (k = 0; k < o.n; k++) {
			addr = address_from_script(cp, o.script[k], o.len[k]);
			/* combo()'s P2PK has no address: Core skips it. */
			if (addr == NULL && o.n > 1 && k == 0)
				continue;
			if (addr == NULL) {
				descriptor_output_free(&o);
				descriptor_free(d);
				json_decref(res);
				return rpc_fail(err,
				    RPC_INVALID_ADDRESS_OR_KEY,
				    "Descriptor does not have a "
				    "corresponding address");
			}
			json_array_append_new(res, json_string(addr));
			free(addr);
		}
		descriptor_output_free(&o);
	}
	descriptor_free(d);
	return res;
}

const struct rpc_method rpc_output_script_methods[] = {
	{ "createmultisig", "util", m_createmultisig, RPC_F_FAST,
	    { { "nrequired", RPC_ARG_NUM, 1, NULL,
		  "The number of required signatures out of the n keys." },
		{ "keys", RPC_ARG_ARR, 1, NULL,
		    "The hex-encoded public keys." },
		{ "address_type", RPC_ARG_STR, 0, "\"legacy\"",
		    "The address type to use. Options are \"legacy\", "
		    "\"p2sh-segwit\", and \"bech32\"." } },
	    "Creates a multi-signature address with n signature of m keys "
	    "required.\nIt returns a json object with the address and "
	    "redeemScript.",
	    "{                            (json object)\n"
	    "  \"address\" : \"str\",         (string) The value of the new multisig address.\n"
	    "  \"redeemScript\" : \"hex\",    (string) The string value of the hex-encoded redemption script.\n"
	    "  \"descriptor\" : \"str\",      (string) The descriptor for this multisig\n"
	    "  \"warnings\" : [             (json array, optional) Any warnings resulting from the creation of this multisig\n"
	    "    \"str\",                   (string)\n"
	    "    ...\n  ]\n}\n",
	    "2 \"[\\\"03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd\\\",\\\"03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626\\\"]\"",
	    RPC_ON_RPC },
	{ "deriveaddresses", "util", m_deriveaddresses, RPC_F_FAST,
	    { { "descriptor", RPC_ARG_STR, 1, NULL, "The descriptor." },
		{ "range", RPC_ARG_RANGE, 0, NULL,
		    "If a ranged descriptor is used, this specifies the end or the "
		    "range (in [begin,end] notation) to derive." } },
	    "Derives one or more addresses corresponding to an output "
	    "descriptor.\nExamples of output descriptors are:\n"
	    "    raw(<hex script>)                                 Outputs "
	    "whose output script equals the specified hex-encoded bytes\n"
	    "    addr(<address>)                                   Outputs "
	    "paying to the given address\n\nBitroot parses raw() and addr() "
	    "descriptors so far (see getdescriptorinfo).",
	    "[           (json array)\n"
	    "  \"str\",    (string) the derived addresses\n"
	    "  ...\n]\n",
	    "\"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)#fm24fxxy\"",
	    RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
