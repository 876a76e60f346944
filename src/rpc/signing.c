/*
 * Methods that sign or check signatures with keys the caller supplies (the
 * node has no wallet): verifymessage, signmessagewithprivkey,
 * signrawtransactionwithkey, combinerawtransaction. The cryptography, the
 * message format and the signing of inputs live in chain/message.c,
 * crypto/key.c and script/sign.c; this file reads the parameters, finds
 * the spent outputs (the pool first, through mempool_req_outpoints, then
 * the UTXO set in a read transaction) and words the answers as Bitcoin
 * Core 28.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/keyio.h"
#include "chain/message.h"
#include "crypto/hash.h"
#include "mempool/mempool.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "script/script.h"
#include "script/sign.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

static json_t *
m_verifymessage(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const json_t *msg = rpc_param(c, 2);
	enum message_result r;
	char *sig;
	size_t siglen = 0;

	/* NULL (malformed) is reported only after the address is checked. */
	sig = rpc_base64_decode(json_string_value(rpc_param(c, 1)), &siglen);
	r = message_verify(cp, json_string_value(rpc_param(c, 0)),
	    (const uint8_t *)sig, siglen, json_string_value(msg),
	    json_string_length(msg));
	free(sig);
	switch (r) {
	case MESSAGE_ERR_INVALID_ADDRESS:
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Invalid address");
	case MESSAGE_ERR_ADDRESS_NO_KEY:
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "Address does not refer to key");
	case MESSAGE_ERR_MALFORMED_SIGNATURE:
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "Malformed base64 encoding");
	case MESSAGE_ERR_PUBKEY_NOT_RECOVERED:
	case MESSAGE_ERR_NOT_SIGNED: return json_false();
	case MESSAGE_OK: break;
	}
	return json_true();
}

static json_t *
m_signmessagewithprivkey(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const json_t *msg = rpc_param(c, 1);
	uint8_t secret[32], sig[KEY_COMPACT_SIZE];
	char b64[((KEY_COMPACT_SIZE + 2) / 3) * 4 + 1];
	int compressed, rc;

	if (keyio_decode_secret(cp, json_string_value(rpc_param(c, 0)), secret,
		&compressed) == -1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Invalid private key");
	rc = message_sign(secret, compressed, json_string_value(msg),
	    json_string_length(msg), sig);
	explicit_bzero(secret, sizeof(secret));
	if (rc == -1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Sign failed");
	rpc_base64_encode(sig, sizeof(sig), b64);
	return json_string(b64);
}

/* ---- Raw transactions ---- */

/*
 * The outputs the inputs of tx spend, as Core's FindCoins and the coins
 * view of combinerawtransaction see them: a pool transaction's output
 * first, else the UTXO set. spent[i] gets a copy (script owned in
 * scripts[i]); have[i] is 0 when the output is unknown or spent.
 */
struct coins {
	struct txout *spent;
	uint8_t **scripts;
	int *have;
	size_t n;
};

static void
coins_free(struct coins *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		free(cs->scripts[i]);
	free(cs->scripts);
	free(cs->spent);
	free(cs->have);
	memset(cs, 0, sizeof(*cs));
}

static void
coin_set(struct coins *cs, size_t i, int64_t value, const uint8_t *s,
    size_t len)
{
	free(cs->scripts[i]);
	cs->scripts[i] = xmalloc(len ? len : 1);
	if (len > 0)
		memcpy(cs->scripts[i], s, len);
	cs->spent[i].value = value;
	cs->spent[i].script = cs->scripts[i];
	cs->spent[i].script_len = len;
	cs->have[i] = 1;
}

static int
find_coins(struct rpc_ctx *c, const struct tx *tx, struct coins *cs,
    struct rpc_error *err)
{
	struct mempool_outpoints_out ans;
	const struct mempool_outpoint_row *row;
	struct store_rtxn *t;
	struct outpoint *ops;
	struct coin coin;
	size_t i;
	int rc;

	cs->n = tx->vin_count;
	cs->spent = xcalloc(cs->n + 1, sizeof(*cs->spent));
	cs->scripts = xcalloc(cs->n + 1, sizeof(*cs->scripts));
	cs->have = xcalloc(cs->n + 1, sizeof(*cs->have));
	memset(&ans, 0, sizeof(ans));
	/* Without a mempool (unit tests) only the UTXO set is asked. */
	if (rpc_shared(c->rpc)->mp != NULL) {
		ops = xcalloc(cs->n + 1, sizeof(*ops));
		for (i = 0; i < cs->n; i++)
			ops[i] = tx->vin[i].prevout;
		rc = rpc_mempool_outpoints(c->rpc, ops, cs->n, &ans, err);
		free(ops);
		if (rc != 0)
			return -1;
	}
	if (rpc_read_begin(c->rpc, &t, err) == -1) {
		mempool_outpoints_out_free(&ans);
		return -1;
	}
	for (i = 0; i < cs->n; i++) {
		row = i < ans.n ? &ans.rows[i] : NULL;
		/* The pool has the transaction: its output or nothing. */
		if (row != NULL && row->tx_in_pool) {
			if (row->has_output)
				coin_set(cs, i, row->value, row->script,
				    row->script_len);
			continue;
		}
		if (store_get_coin(t, &tx->vin[i].prevout, &coin) == STORE_OK)
			coin_set(cs, i, coin.value, coin.script,
			    coin.script_len);
	}
	store_read_end(t);
	mempool_outpoints_out_free(&ans);
	return 0;
}

/* Core's DecodeHexTx. 0 with *tx borrowing *raw (the caller frees both). */
static int
decode_hex_tx(const char *hex, uint8_t **raw, struct tx *tx)
{
	size_t len;

	if (hex == NULL || *hex == '\0' ||
	    hex_decode_alloc(hex, raw, &len) == -1)
		return -1;
	if (rpc_decode_tx(*raw, len, 1, 1, tx) == -1) {
		free(*raw);
		return -1;
	}
	return 0;
}

static int
is_p2wsh(const uint8_t *s, size_t len)
{
	return len == 34 && s[0] == 0x00 && s[1] == 32;
}

static int
same_script(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/*
 * A prevtxs entry's redeemScript/witnessScript, added to the provider
 * with its P2WSH form, and checked against the output script (Core's
 * ParsePrevouts). 0 or -1 with err.
 */
static int
prevout_scripts(json_t *o, const uint8_t *spk, size_t spk_len,
    struct sign_provider *prov, struct rpc_error *err)
{
	static const char *const names[] = { "redeemScript", "witnessScript" };
	static const char *const types[] = { "string", "string" };
	json_t *rs = json_object_get(o, "redeemScript");
	json_t *ws = json_object_get(o, "witnessScript");
	uint8_t *script, *rscript, wp[34], sh[34], shwp[34];
	size_t len, rlen, wplen, shlen, shwplen;
	int rc = -1;

	if (rpc_check_obj(o, names, types, 2, 1, 0, err) == -1)
		return -1;
	if (json_is_null(rs))
		rs = NULL;
	if (json_is_null(ws))
		ws = NULL;
	if (rs == NULL && ws == NULL) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Missing redeemScript/witnessScript");
		return -1;
	}
	/* The witness script when there is one. */
	if (rpc_parse_hexv(ws ? ws : rs, ws ? "witnessScript" : "redeemScript",
		&script, &len, err) == -1)
		return -1;
	sign_provider_add_script(prov, script, len);
	wplen = script_wrap(script, len, 1, wp);
	sign_provider_add_script(prov, wp, wplen);
	if (ws && rs &&
	    strcmp(json_string_value(ws), json_string_value(rs)) != 0) {
		if (rpc_parse_hexv(rs, "redeemScript", &rscript, &rlen, err) ==
		    -1)
			goto out;
		if (!same_script(rscript, rlen, wp, wplen)) {
			free(rscript);
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "redeemScript does not correspond to witnessScript");
			goto out;
		}
		free(rscript);
	}
	if (script_is_p2sh(spk, spk_len)) {
		shlen = script_wrap(script, len, 0, sh);
		shwplen = script_wrap(wp, wplen, 0, shwp);
		if (!same_script(spk, spk_len, sh, shlen) &&
		    !same_script(spk, spk_len, shwp, shwplen))
			goto mismatch;
	} else if (!same_script(spk, spk_len, wp, wplen))
		goto mismatch;
	rc = 0;
	goto out;
mismatch:
	rpc_fail(err, RPC_INVALID_PARAMETER,
	    "redeemScript/witnessScript does not match scriptPubKey");
out:
	free(script);
	return rc;
}

/*
 * Core's ParsePrevouts: each entry names an output (txid, vout,
 * scriptPubKey, amount) that overrides what was found for the inputs, and
 * for P2SH and P2WSH outputs brings the scripts to sign with.
 */
static int
parse_prevouts(json_t *prevtxs, const struct tx *tx, struct coins *cs,
    struct sign_provider *prov, struct rpc_error *err)
{
	static const char *const names[] = { "scriptPubKey", "txid", "vout" };
	static const char *const types[] = { "string", "string", "number" };
	struct outpoint op;
	json_t *o, *v, *extra = json_array();
	uint8_t *spk = NULL;
	size_t i, j, len;
	int64_t value;
	char *a, *b;
	int rc = -1, found;

	json_array_foreach (prevtxs, i, o) {
		if (!json_is_object(o)) {
			rpc_fail(err, RPC_DESERIALIZATION_ERROR,
			    "expected "
			    "object with {\"txid'\",\"vout\",\"scriptPubKey\"}");
			goto out;
		}
		if (rpc_check_obj(o, names, types, 3, 0, 0, err) == -1 ||
		    rpc_parse_hash(json_object_get(o, "txid"), "txid", op.hash,
			err) == -1)
			goto out;
		v = json_object_get(o, "vout");
		if (!json_is_integer(v) || json_integer_value(v) > INT_MAX ||
		    json_integer_value(v) < INT_MIN) {
			rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
			goto out;
		}
		if (json_integer_value(v) < 0) {
			rpc_fail(err, RPC_DESERIALIZATION_ERROR,
			    "vout cannot be negative");
			goto out;
		}
		op.n = (uint32_t)json_integer_value(v);
		if (rpc_parse_hexv(json_object_get(o, "scriptPubKey"),
			"scriptPubKey", &spk, &len, err) == -1)
			goto out;
		/*
		 * The entry overrides the output of every input that spends
		 * it, unless that output is known with another script.
		 */
		found = 0;
		for (j = 0; j < tx->vin_count && !found; j++) {
			if (memcmp(tx->vin[j].prevout.hash, op.hash, 32) !=
				0 ||
			    tx->vin[j].prevout.n != op.n)
				continue;
			found = 1;
			if (cs->have[j] &&
			    !same_script(cs->spent[j].script,
				cs->spent[j].script_len, spk, len)) {
				a = rpc_script_asm(cs->spent[j].script,
				    cs->spent[j].script_len, 0);
				b = rpc_script_asm(spk, len, 0);
				rpc_fail(err, RPC_DESERIALIZATION_ERROR,
				    "Previous output scriptPubKey mismatch:\n"
				    "%s\nvs:\n%s",
				    a, b);
				free(a);
				free(b);
				goto out;
			}
		}
		/* Entries for other outputs still conflict among themselves. */
		if (!found) {
			char key[80], hex[65];

			hash_to_hex(op.hash, hex);
			snprintf(key, sizeof(key), "%s:%u", hex, op.n);
			json_array_foreach (extra, j, v)
				if (strcmp(json_string_value(
					       json_array_get(v, 0)),
					key) == 0)
					break;
			if (j < json_array_size(extra)) {
				uint8_t *old;
				size_t olen;

				(void)hex_decode_alloc(json_string_value(
							   json_array_get(v,
							       1)),
				    &old, &olen);
				if (!same_script(old, olen, spk, len)) {
					a = rpc_script_asm(old, olen, 0);
					b = rpc_script_asm(spk, len, 0);
					rpc_fail(err,
					    RPC_DESERIALIZATION_ERROR,
					    "Previous output scriptPubKey "
					    "mismatch:\n%s\nvs:\n%s",
					    a, b);
					free(a);
					free(b);
					free(old);
					goto out;
				}
				free(old);
			} else {
				a = hex_encode_alloc(spk, len);
				json_array_append_new(extra,
				    json_pack("[s,s]", key, a));
				free(a);
			}
		}
		value = MAX_MONEY;
		if (json_object_get(o, "amount") != NULL &&
		    rpc_parse_amount(json_object_get(o, "amount"), &value,
			err) == -1)
			goto out;
		for (j = 0; j < tx->vin_count; j++)
			if (memcmp(tx->vin[j].prevout.hash, op.hash, 32) ==
				0 &&
			    tx->vin[j].prevout.n == op.n)
				coin_set(cs, j, value, spk, len);
		if ((script_is_p2sh(spk, len) || is_p2wsh(spk, len)) &&
		    prevout_scripts(o, spk, len, prov, err) == -1)
			goto out;
		free(spk);
		spk = NULL;
	}
	rc = 0;
out:
	free(spk);
	json_decref(extra);
	return rc;
}

/* Core's SighashFromStr; -1 for an unknown name. */
int
rpc_parse_sighash(const char *s)
{
	static const struct {
		const char *name;
		int type;
	} types[] = {
		{ "DEFAULT", SIGHASH_DEFAULT },
		{ "ALL", SIGHASH_ALL },
		{ "ALL|ANYONECANPAY", SIGHASH_ALL | SIGHASH_ANYONECANPAY },
		{ "NONE", SIGHASH_NONE },
		{ "NONE|ANYONECANPAY", SIGHASH_NONE | SIGHASH_ANYONECANPAY },
		{ "SINGLE", SIGHASH_SINGLE },
		{ "SINGLE|ANYONECANPAY",
		    SIGHASH_SINGLE | SIGHASH_ANYONECANPAY },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i].name) == 0)
			return types[i].type;
	return -1;
}

/* Core's TxInErrorToJSON. */
static json_t *
input_error_json(const struct txin *in, const char *msg)
{
	json_t *o = json_object(), *wit = json_array();
	size_t i;

	json_object_set_new(o, "txid", rpc_hash_json(in->prevout.hash));
	json_object_set_new(o, "vout", json_integer(in->prevout.n));
	for (i = 0; i < in->wit_count; i++)
		json_array_append_new(wit,
		    rpc_hex_json(in->wit[i].p, in->wit[i].len));
	json_object_set_new(o, "witness", wit);
	json_object_set_new(o, "scriptSig",
	    rpc_hex_json(in->script, in->script_len));
	json_object_set_new(o, "sequence", json_integer(in->sequence));
	json_object_set_new(o, "error", json_string(msg));
	return o;
}

static json_t *
m_signrawtransactionwithkey(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	json_t *keys = rpc_param(c, 1), *v, *res = NULL, *errs;
	struct sign_provider *prov;
	struct sign_keep *keep = NULL;
	struct coins cs;
	struct tx tx;
	const char **errors = NULL;
	uint8_t *raw, secret[32];
	size_t i;
	int compressed, hash_type = SIGHASH_DEFAULT, complete;
	char *hex;

	if (decode_hex_tx(json_string_value(rpc_param(c, 0)), &raw, &tx) == -1)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode "
		    "failed. Make sure the tx has at least one input.");
	memset(&cs, 0, sizeof(cs));
	prov = sign_provider_new();
	json_array_foreach (keys, i, v) {
		if (!json_is_string(v)) {
			rpc_fail_type(err, v, "string");
			goto out;
		}
		if (keyio_decode_secret(cp, json_string_value(v), secret,
			&compressed) == -1) {
			rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Invalid private key");
			goto out;
		}
		(void)sign_provider_add_key(prov, secret, compressed);
		explicit_bzero(secret, sizeof(secret));
	}
	if (find_coins(c, &tx, &cs, err) == -1)
		goto out;
	if (rpc_param(c, 2) &&
	    parse_prevouts(rpc_param(c, 2), &tx, &cs, prov, err) == -1)
		goto out;
	if (rpc_param(c, 3) &&
	    (hash_type = rpc_parse_sighash(json_string_value(rpc_param(c, 3)))) ==
		-1) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "'%s' is not a valid sighash "
		    "parameter.",
		    json_string_value(rpc_param(c, 3)));
		goto out;
	}
	errors = xcalloc(tx.vin_count + 1, sizeof(*errors));
	complete = sign_transaction(&tx, prov, cs.spent, cs.have, hash_type,
	    errors, &keep);
	errs = json_array();
	for (i = 0; i < tx.vin_count; i++) {
		if (errors[i] == NULL)
			continue;
		/* Core throws this one instead of listing it. */
		if (strcmp(errors[i], SIGN_ERR_MISSING_AMOUNT) == 0) {
			hex = hex_encode_alloc(cs.spent[i].script,
			    cs.spent[i].script_len);
			if (strlen(hex) > 30)
				hex[30] = '\0';
			rpc_fail(err, RPC_TYPE_ERROR,
			    "Missing amount for "
			    "CTxOut(nValue=%lld.%08lld, scriptPubKey=%s)",
			    (long long)(cs.spent[i].value / COIN),
			    (long long)(cs.spent[i].value % COIN), hex);
			free(hex);
			json_decref(errs);
			goto out;
		}
		json_array_append_new(errs,
		    input_error_json(&tx.vin[i], errors[i]));
	}
	res = json_object();
	json_object_set_new(res, "hex", rpc_tx_hex_json(&tx));
	json_object_set_new(res, "complete", json_boolean(complete));
	if (json_array_size(errs) > 0)
		json_object_set_new(res, "errors", errs);
	else
		json_decref(errs);
out:
	free(errors);
	sign_provider_free(prov);
	coins_free(&cs);
	tx_free(&tx);
	sign_keep_free(keep);
	free(raw);
	return res;
}

static json_t *
m_combinerawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *txs = rpc_param(c, 0), *v, *res = NULL;
	struct sign_keep *keep = NULL;
	struct coins cs;
	struct tx *vars, merged;
	uint8_t **raws;
	size_t n = 0, i;

	memset(&cs, 0, sizeof(cs));
	memset(&merged, 0, sizeof(merged));
	vars = xcalloc(json_array_size(txs) + 1, sizeof(*vars));
	raws = xcalloc(json_array_size(txs) + 1, sizeof(*raws));
	json_array_foreach (txs, i, v) {
		if (!json_is_string(v)) {
			rpc_fail_type(err, v, "string");
			goto out;
		}
		if (decode_hex_tx(json_string_value(v), &raws[n], &vars[n]) ==
		    -1) {
			rpc_fail(err, RPC_DESERIALIZATION_ERROR,
			    "TX decode "
			    "failed for tx %zu. Make sure the tx has at least "
			    "one input.",
			    i);
			goto out;
		}
		n++;
	}
	if (n == 0) {
		rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Missing transactions");
		goto out;
	}
	tx_copy(&merged, &vars[0]);
	if (find_coins(c, &merged, &cs, err) == -1)
		goto out;
	for (i = 0; i < merged.vin_count; i++)
		if (!cs.have[i]) {
			rpc_fail(err, RPC_VERIFY_ERROR,
			    "Input not found or already spent");
			goto out;
		}
	sign_combine(&merged, vars, n, cs.spent, &keep);
	res = rpc_tx_hex_json(&merged);
out:
	for (i = 0; i < n; i++) {
		tx_free(&vars[i]);
		free(raws[i]);
	}
	free(vars);
	free(raws);
	tx_free(&merged);
	sign_keep_free(keep);
	coins_free(&cs);
	return res;
}

#define SIGN_RESULT \
	"{                             (json object)\n" \
	"  \"hex\" : \"hex\",              (string) The hex-encoded raw transaction with signature(s)\n" \
	"  \"complete\" : true|false,    (boolean) If the transaction has a complete set of signatures\n" \
	"  \"errors\" : [                (json array, optional) Script verification errors (if there are any)\n" \
	"    {                         (json object)\n" \
	"      \"txid\" : \"hex\",         (string) The hash of the referenced, previous transaction\n" \
	"      \"vout\" : n,             (numeric) The index of the output to spent and used as input\n" \
	"      \"witness\" : [           (json array)\n" \
	"        \"hex\",                (string)\n" \
	"        ...\n" \
	"      ],\n" \
	"      \"scriptSig\" : \"hex\",    (string) The hex-encoded signature script\n" \
	"      \"sequence\" : n,         (numeric) Script sequence number\n" \
	"      \"error\" : \"str\"         (string) Verification or signing error related to the input\n" \
	"    },\n" \
	"    ...\n" \
	"  ]\n" \
	"}\n"

const struct rpc_method rpc_signing_methods[] = {
	{ "combinerawtransaction", "rawtransactions", m_combinerawtransaction,
	    0,
	    { { "txs", RPC_ARG_ARR, 1, NULL,
		"The hex strings of partially signed transactions" } },
	    "Combine multiple partially signed transactions into one "
	    "transaction.\nThe combined transaction may be another partially "
	    "signed transaction or a \nfully signed transaction.",
	    "\"str\"    (string) The hex-encoded raw transaction with "
	    "signature(s)\n",
	    "'[\"myhex1\", \"myhex2\", \"myhex3\"]'", RPC_ON_RPC },
	{ "signrawtransactionwithkey", "rawtransactions",
	    m_signrawtransactionwithkey, 0,
	    { { "hexstring", RPC_ARG_STR, 1, NULL,
		  "The transaction hex string" },
		{ "privkeys", RPC_ARG_ARR, 1, NULL,
		    "The base58-encoded private keys for signing" },
		{ "prevtxs", RPC_ARG_ARR, 0, NULL,
		    "The previous dependent transaction outputs: [{\"txid\":\"hex\","
		    "\"vout\":n,\"scriptPubKey\":\"hex\",\"redeemScript\":\"hex\","
		    "\"witnessScript\":\"hex\",\"amount\":amount},...]" },
		{ "sighashtype", RPC_ARG_STR, 0,
		    "\"DEFAULT for Taproot, ALL otherwise\"",
		    "The signature hash type. Must be one of:\n"
		    "       \"DEFAULT\"\n       \"ALL\"\n       \"NONE\"\n"
		    "       \"SINGLE\"\n       \"ALL|ANYONECANPAY\"\n"
		    "       \"NONE|ANYONECANPAY\"\n       \"SINGLE|ANYONECANPAY\"" } },
	    "Sign inputs for raw transaction (serialized, hex-encoded).\nThe "
	    "second argument is an array of base58-encoded private\nkeys that "
	    "will be the only keys used to sign the transaction.\nThe third "
	    "optional argument (may be null) is an array of previous "
	    "transaction outputs that\nthis transaction depends on but may not "
	    "yet be in the block chain.",
	    SIGN_RESULT, "\"myhex\" \"[\\\"key1\\\",\\\"key2\\\"]\"",
	    RPC_ON_RPC },
	{ "signmessagewithprivkey", "util", m_signmessagewithprivkey,
	    RPC_F_FAST,
	    { { "privkey", RPC_ARG_STR, 1, NULL,
		  "The private key to sign the message with." },
		{ "message", RPC_ARG_STR, 1, NULL,
		    "The message to create a signature of." } },
	    "Sign a message with the private key of an address",
	    "\"str\"    (string) The signature of the message encoded in base "
	    "64\n",
	    "\"privkey\" \"my message\"", RPC_ON_RPC },
	{ "verifymessage", "util", m_verifymessage, RPC_F_FAST,
	    { { "address", RPC_ARG_STR, 1, NULL,
		  "The bitcoin address to use for the signature." },
		{ "signature", RPC_ARG_STR, 1, NULL,
		    "The signature provided by the signer in base 64 encoding (see "
		    "signmessage)." },
		{ "message", RPC_ARG_STR, 1, NULL,
		    "The message that was signed." } },
	    "Verify a signed message.",
	    "true|false    (boolean) If the signature is verified or not.\n",
	    "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" "
	    "\"my message\"",
	    RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
