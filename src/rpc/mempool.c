/*
 * Mempool methods. The pool belongs to the mempool thread, which answers
 * typed requests (mempool.h, "Requests served for the rpc thread"); this
 * file parses the parameters, asks, and writes Core's JSON. It also holds
 * the pool lookups other method files make (rpc_mempool_tx,
 * rpc_mempool_outpoints) and the mapping of the mempool's statuses to
 * JSON-RPC errors.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool.h"
#include "mempool/policy.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "script/opcodes.h"
#include "util/hex.h"
#include "validation/validation.h"
#include "util/xmalloc.h"

/* Core's MAX_PACKAGE_COUNT. */
#define MAX_PACKAGE_COUNT 25

/* ---- Asking the mempool thread ---- */

static int
status_code(int status)
{
	switch (status) {
	case MEMPOOL_E_NOT_FOUND: return RPC_INVALID_ADDRESS_OR_KEY;
	case MEMPOOL_E_IN_CHAIN: return RPC_VERIFY_ALREADY_IN_CHAIN;
	case MEMPOOL_E_INVALID:
	case MEMPOOL_E_MAX_FEE: return RPC_VERIFY_ERROR;
	case MEMPOOL_E_REJECTED: return RPC_VERIFY_REJECTED;
	case MEMPOOL_E_STORE: return RPC_DATABASE_ERROR;
	case MEMPOOL_E_DUST:
	case MEMPOOL_E_PARAM: return RPC_INVALID_PARAMETER;
	case MEMPOOL_E_NO_ESTIMATOR: return RPC_INTERNAL_ERROR;
	case MEMPOOL_E_NOT_LOADED:
	case MEMPOOL_E_DUMP:
	case MEMPOOL_E_IMPORT: return RPC_MISC_ERROR;
	case REQUEST_E_UNAVAILABLE: return RPC_CLIENT_NOT_CONNECTED;
	default: return RPC_INTERNAL_ERROR;
	}
}

/*
 * mempool_ask with the rpc server's time-out; the mempool's statuses
 * become Core's error codes. 0, or -1 with *err (-33 without a mempool,
 * in which case what in points to is freed here).
 */
static int
ask(struct rpc *r, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(r);
	struct request_error rerr;
	void *copy;

	if (sh->mp == NULL) {
		if (in_free != NULL) {
			copy = xmemdup(in, inlen);
			in_free(copy);
			free(copy);
		}
		rpc_fail(err, RPC_MEMPOOL_DISABLED,
		    "Mempool disabled or instance not found");
		return -1;
	}
	if (mempool_ask(sh->mp, fn, in, inlen, in_free, out, outlen, out_free,
		sh->call_timeout_ms, &rerr) == 0)
		return 0;
	if (rerr.status == REQUEST_E_TIMEOUT)
		rpc_fail(err, RPC_INTERNAL_ERROR, "mempool: %s", rerr.message);
	else
		rpc_fail(err, status_code(rerr.status), "%s", rerr.message);
	return -1;
}

int
rpc_mempool_ask(struct rpc *r, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), struct rpc_error *err)
{
	return ask(r, fn, in, inlen, in_free, out, outlen, out_free, err);
}

int
rpc_mempool_tx(struct rpc *r, const uint8_t txid[32], uint8_t **raw,
    size_t *len, struct rpc_error *err)
{
	struct mempool_txid_in in;
	struct mempool_tx_out out;

	memcpy(in.txid, txid, 32);
	memset(&out, 0, sizeof(out));
	if (ask(r, mempool_req_tx, &in, sizeof(in), NULL, &out, sizeof(out),
		mempool_tx_out_free, err) != 0)
		return -1;
	*raw = out.raw;
	*len = out.len;
	return 0;
}

int
rpc_mempool_outpoints(struct rpc *r, const struct outpoint *ops, size_t n,
    struct mempool_outpoints_out *out, struct rpc_error *err)
{
	struct mempool_outpoints_in in;

	in.ops = xcalloc(n ? n : 1, sizeof(*in.ops));
	if (n > 0)
		memcpy(in.ops, ops, n * sizeof(*ops));
	in.n = n;
	memset(out, 0, sizeof(*out));
	return ask(r, mempool_req_outpoints, &in, sizeof(in),
	    mempool_outpoints_in_free, out, sizeof(*out),
	    mempool_outpoints_out_free, err);
}

/* ---- Parameters ---- */

/* Core's ParseFeeRate: BTC/kvB, below 1 BTC/kvB; absent gives the default. */
static int
parse_feerate(const json_t *v, int64_t *sat, struct rpc_error *err)
{
	if (v == NULL) {
		*sat = POLICY_DEFAULT_MAX_RAW_TX_FEE_RATE;
		return 0;
	}
	if (rpc_parse_amount(v, sat, err) == -1)
		return -1;
	if (*sat >= COIN) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Fee rates larger than or "
		    "equal to 1BTC/kvB are not accepted");
		return -1;
	}
	return 0;
}

/*
 * Core's DecodeHexTx as sendrawtransaction and testmempoolaccept call it:
 * the extended (witness) serialization only, every byte used. 0 with *raw
 * (xmalloc'd), *len and *tx (borrowing *raw), or -1.
 */
static int
decode_hex_tx(const char *hex, uint8_t **raw, size_t *len, struct tx *tx)
{
	if (hex == NULL || hex_decode_alloc(hex, raw, len) == -1)
		return -1;
	if (rpc_decode_tx(*raw, *len, 0, 1, tx) == -1) {
		free(*raw);
		return -1;
	}
	return 0;
}

static int script_burns(const uint8_t *s, size_t len);

/* The array of a package: between min and MAX_PACKAGE_COUNT. 0, or -1 with err. */
static int
package_size(const json_t *txs, size_t min, size_t *n, struct rpc_error *err)
{
	if (!json_is_array(txs)) {
		rpc_fail_type(err, txs, "array");
		return -1;
	}
	*n = json_array_size(txs);
	if (*n < min || *n > MAX_PACKAGE_COUNT) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Array must contain "
		    "between %zu and %d transactions.",
		    min, MAX_PACKAGE_COUNT);
		return -1;
	}
	return 0;
}

/*
 * The array of hex transactions of testmempoolaccept and submitpackage,
 * into in (raws and lens allocated for in->n); each decoded into dec[i]
 * (NULL: freed at once; else the caller frees all of them whatever the
 * outcome, unused ones zeroed) and, with burn >= 0, its burnt outputs
 * checked against burn (satoshis) before the next is read, as Core does.
 * An element that is not a string fails with type_code (testmempoolaccept
 * -1 as Core's get_str(), submitpackage -3 as Core 28.1's argument check).
 * 0, or -1 with err.
 */
static int
decode_hex_txs(const json_t *txs, struct mempool_test_in *in, struct tx *dec,
    int64_t burn, int type_code, struct rpc_error *err)
{
	struct tx tx, *t;
	json_t *v;
	size_t i, k;
	int burnt;

	for (i = 0; i < in->n; i++) {
		v = json_array_get(txs, i);
		if (!json_is_string(v)) {
			rpc_fail(err, type_code,
			    "JSON value of type %s is "
			    "not of expected type string",
			    rpc_json_type_name(v));
			return -1;
		}
		t = dec ? &dec[i] : &tx;
		if (decode_hex_tx(json_string_value(v), &in->raws[i],
			&in->lens[i], t) != 0) {
			in->raws[i] = NULL;
			rpc_fail(err, RPC_DESERIALIZATION_ERROR,
			    "TX decode failed: %.300s Make sure the tx has at "
			    "least one input.",
			    json_string_value(v));
			return -1;
		}
		for (k = 0, burnt = 0; burn >= 0 && k < t->vout_count; k++)
			burnt |= script_burns(t->vout[k].script,
				     t->vout[k].script_len) &&
			    t->vout[k].value > burn;
		if (dec == NULL)
			tx_free(&tx);
		if (burnt) {
			rpc_fail(err, RPC_VERIFY_ERROR,
			    "Unspendable output "
			    "exceeds maximum configured by user "
			    "(maxburnamount)");
			return -1;
		}
	}
	return 0;
}

/* Core's CScript::IsUnspendable() || !HasValidOps(): provably burnt. */
static int
script_burns(const uint8_t *s, size_t len)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;

	if ((len > 0 && s[0] == OP_RETURN) || len > MAX_SCRIPT_SIZE)
		return 1;
	while (pc < len) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl) ||
		    op > OP_NOP10 || dl > MAX_SCRIPT_ELEMENT_SIZE)
			return 1;
	}
	return 0;
}

/* A txid parameter as Core's ParseHashV reads it. */
static int
param_txid(struct rpc_ctx *c, size_t i, const char *name, uint8_t txid[32],
    struct rpc_error *err)
{
	return rpc_parse_hash(rpc_param(c, i), name, txid, err);
}

/* ---- Acceptance ---- */

/*
 * sendrawtransaction, in Core 28's order: maxburnamount, the decoding, the
 * burn check, and only then maxfeerate (so undecodable hex is reported
 * before a bad fee rate), before the pool sees the transaction.
 */
static json_t *
m_sendrawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_send_in in;
	struct mempool_send_out out;
	int64_t burn = 0, feerate;
	struct tx tx;
	size_t i;
	int rc;

	if (rpc_param(c, 2) &&
	    rpc_parse_amount(rpc_param(c, 2), &burn, err) == -1)
		return NULL;
	if (burn < 0)
		return rpc_fail(err, RPC_TYPE_ERROR, "Amount out of range");
	memset(&in, 0, sizeof(in));
	if (decode_hex_tx(json_string_value(rpc_param(c, 0)), &in.raw, &in.len,
		&tx) != 0)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode "
		    "failed. Make sure the tx has at least one input.");
	for (i = 0; i < tx.vout_count; i++)
		if (script_burns(tx.vout[i].script, tx.vout[i].script_len) &&
		    tx.vout[i].value > burn) {
			tx_free(&tx);
			free(in.raw);
			return rpc_fail(err, RPC_VERIFY_ERROR,
			    "Unspendable "
			    "output exceeds maximum configured by user "
			    "(maxburnamount)");
		}
	rc = parse_feerate(rpc_param(c, 1), &feerate, err);
	if (rc == 0 && feerate < 0) {
		rpc_fail(err, RPC_TYPE_ERROR, "Amount out of range");
		rc = -1;
	}
	if (rc == -1) {
		tx_free(&tx);
		free(in.raw);
		return NULL;
	}
	memcpy(in.txid, tx.txid, 32);
	in.nout = (uint32_t)tx.vout_count;
	in.check_fee = feerate > 0;
	/* Core's GetVirtualTransactionSize without sigops. */
	in.max_fee = policy_fee_at(feerate,
	    (int64_t)((tx_weight(&tx) + 3) / 4));
	tx_free(&tx);
	if (ask(c->rpc, mempool_req_send, &in, sizeof(in),
		mempool_send_in_free, &out, sizeof(out), NULL, err) != 0)
		return NULL;
	return rpc_hash_json(out.txid);
}

/* One testmempoolaccept row for a transaction the pool checked. */
static void
accept_json(json_t *o, const struct mempool_test_row *row, int64_t feerate,
    int *exit_early)
{
	json_t *fees, *inc;
	int64_t maxfee;

	if (row->allowed) {
		maxfee = policy_fee_at(feerate, row->vsize);
		if (maxfee && row->fee > maxfee) {
			json_object_set_new(o, "allowed", json_false());
			json_object_set_new(o, "reject-reason",
			    json_string("max-fee-exceeded"));
			*exit_early = 1;
			return;
		}
		json_object_set_new(o, "allowed", json_true());
		json_object_set_new(o, "vsize", json_integer(row->vsize));
		fees = json_object();
		json_object_set_new(fees, "base", rpc_amount(row->fee));
		json_object_set_new(fees, "effective-feerate",
		    rpc_amount(row->effective_feerate));
		inc = json_array();
		json_array_append_new(inc, rpc_hash_json(row->wtxid));
		json_object_set_new(fees, "effective-includes", inc);
		json_object_set_new(o, "fees", fees);
		return;
	}
	json_object_set_new(o, "allowed", json_false());
	if (row->missing_inputs) {
		json_object_set_new(o, "reject-reason",
		    json_string("missing-inputs"));
		return;
	}
	json_object_set_new(o, "reject-reason", json_string(row->reason));
	json_object_set_new(o, "reject-details", json_string(row->details));
}

static json_t *
m_testmempoolaccept(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *txs = rpc_param(c, 0), *res, *o;
	struct mempool_test_in in;
	struct mempool_test_out out;
	int64_t feerate;
	size_t n, i;
	int exit_early = 0;

	if (package_size(txs, 1, &n, err) != 0)
		return NULL;
	if (parse_feerate(rpc_param(c, 1), &feerate, err) == -1)
		return NULL;
	in.raws = xcalloc(n, sizeof(*in.raws));
	in.lens = xcalloc(n, sizeof(*in.lens));
	in.n = n;
	if (decode_hex_txs(txs, &in, NULL, -1, RPC_MISC_ERROR, err) != 0)
		goto fail;
	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_test, &in, sizeof(in),
		mempool_test_in_free, &out, sizeof(out), mempool_test_out_free,
		err) != 0)
		return NULL;
	res = json_array();
	for (i = 0; i < out.n; i++) {
		o = json_object();
		json_object_set_new(o, "txid",
		    rpc_hash_json(out.rows[i].txid));
		json_object_set_new(o, "wtxid",
		    rpc_hash_json(out.rows[i].wtxid));
		if (out.package_failed)
			json_object_set_new(o, "package-error",
			    json_string(out.package_reason));
		if (!exit_early && out.rows[i].checked)
			accept_json(o, &out.rows[i], feerate, &exit_early);
		json_array_append_new(res, o);
	}
	mempool_test_out_free(&out);
	return res;
fail:
	mempool_test_in_free(&in);
	return NULL;
}

/* ---- submitpackage ---- */

/* One row of "tx-results", as Core 28 writes it. */
static json_t *
package_row_json(const struct mempool_package_row *row)
{
	json_t *o = json_object(), *fees, *inc;
	size_t k;

	json_object_set_new(o, "txid", rpc_hash_json(row->txid));
	switch (row->kind) {
	case MEMPOOL_PKG_OTHER_WITNESS:
		json_object_set_new(o, "other-wtxid",
		    rpc_hash_json(row->other_wtxid));
		break;
	case MEMPOOL_PKG_INVALID:
		json_object_set_new(o, "error", json_string(row->error));
		break;
	case MEMPOOL_PKG_VALID:
	case MEMPOOL_PKG_IN_POOL:
		json_object_set_new(o, "vsize", json_integer(row->vsize));
		fees = json_object();
		json_object_set_new(fees, "base", rpc_amount(row->fee));
		/* Core does not recompute it for what was there already. */
		if (row->kind == MEMPOOL_PKG_VALID) {
			json_object_set_new(fees, "effective-feerate",
			    rpc_amount(row->effective_feerate));
			inc = json_array();
			for (k = 0; k < row->nincludes; k++)
				json_array_append_new(inc,
				    rpc_hash_json(row->includes[k]));
			json_object_set_new(fees, "effective-includes", inc);
		}
		json_object_set_new(o, "fees", fees);
		break;
	default: break;
	}
	return o;
}

/*
 * Core's std::set<uint256> order: the bytes as stored (memcmp), not as
 * written in hex.
 */
static int
hash_cmp_stored(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/*
 * submitpackage: Core 28 checks the array's size, reads maxfeerate and
 * maxburnamount, decodes every transaction (checking its burn), then the
 * topology, before the pool sees anything.
 */
static json_t *
m_submitpackage(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *txs = rpc_param(c, 0), *res, *map, *list;
	struct mempool_package_in in;
	struct mempool_package_out out;
	uint8_t(*replaced)[32] = NULL;
	struct tx *dec;
	int64_t feerate, burn = 0;
	size_t n, i, nrep = 0;

	/* Core 28: a package of one is for testmempoolaccept only. */
	if (package_size(txs, 2, &n, err) != 0)
		return NULL;
	if (parse_feerate(rpc_param(c, 1), &feerate, err) == -1)
		return NULL;
	if (rpc_param(c, 2) &&
	    rpc_parse_amount(rpc_param(c, 2), &burn, err) == -1)
		return NULL;
	if (feerate < 0 || burn < 0)
		return rpc_fail(err, RPC_TYPE_ERROR, "Amount out of range");
	memset(&in, 0, sizeof(in));
	in.txs.raws = xcalloc(n, sizeof(*in.txs.raws));
	in.txs.lens = xcalloc(n, sizeof(*in.txs.lens));
	in.txs.n = n;
	in.max_feerate = feerate;
	dec = xcalloc(n, sizeof(*dec));
	if (decode_hex_txs(txs, &in.txs, dec, burn, RPC_TYPE_ERROR, err) != 0)
		goto fail;
	if (!policy_child_with_parents(dec, n, 1)) {
		rpc_fail(err, RPC_VERIFY_ERROR,
		    "package topology disallowed. "
		    "not child-with-parents or parents depend on each other.");
		goto fail;
	}
	for (i = 0; i < n; i++)
		tx_free(&dec[i]);
	free(dec);
	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_package, &in, sizeof(in),
		mempool_package_in_free, &out, sizeof(out),
		mempool_package_out_free, err) != 0)
		return NULL;
	if (out.internal) {
		rpc_fail(err, RPC_VERIFY_ERROR, "%s", out.msg);
		mempool_package_out_free(&out);
		return NULL;
	}
	res = json_object();
	json_object_set_new(res, "package_msg",
	    json_string(out.failed ? out.msg : "success"));
	map = json_object();
	for (i = 0; i < out.n; i++) {
		const struct mempool_package_row *row = &out.rows[i];
		char hex[65];

		/*
		 * Core 28 writes "error": "unevaluated" into a row it then
		 * never adds: such a transaction is missing from the map.
		 */
		if (row->kind == MEMPOOL_PKG_NONE)
			continue;
		hash_to_hex(row->wtxid, hex);
		json_object_set_new(map, hex, package_row_json(row));
		if (row->kind != MEMPOOL_PKG_VALID || row->nreplaced == 0)
			continue;
		replaced = xreallocarray(replaced, nrep + row->nreplaced, 32);
		memcpy(replaced[nrep], row->replaced, row->nreplaced * 32);
		nrep += row->nreplaced;
	}
	json_object_set_new(res, "tx-results", map);
	if (nrep > 0)
		/* Core's std::set<uint256>: hex order. */
		qsort(replaced, nrep, 32, hash_cmp_stored);
	list = json_array();
	for (i = 0; i < nrep; i++)
		if (i == 0 || memcmp(replaced[i], replaced[i - 1], 32) != 0)
			json_array_append_new(list,
			    rpc_hash_json(replaced[i]));
	json_object_set_new(res, "replaced-transactions", list);
	free(replaced);
	mempool_package_out_free(&out);
	return res;
fail:
	for (i = 0; i < n; i++)
		tx_free(&dec[i]);
	free(dec);
	mempool_package_in_free(&in);
	return NULL;
}

/* ---- Pool contents ---- */

/* Core's entryToJSON. */
static json_t *
entry_json(const struct mempool_entry *e)
{
	json_t *o = json_object(), *fees, *deps, *spent;
	size_t i;

	json_object_set_new(o, "vsize", json_integer(e->vsize));
	json_object_set_new(o, "weight", json_integer(e->weight));
	json_object_set_new(o, "time", json_integer(e->time));
	json_object_set_new(o, "height", json_integer(e->height));
	json_object_set_new(o, "descendantcount", json_integer(e->desc_count));
	json_object_set_new(o, "descendantsize", json_integer(e->desc_size));
	json_object_set_new(o, "ancestorcount", json_integer(e->anc_count));
	json_object_set_new(o, "ancestorsize", json_integer(e->anc_size));
	json_object_set_new(o, "wtxid", rpc_hash_json(e->wtxid));
	fees = json_object();
	json_object_set_new(fees, "base", rpc_amount(e->fee));
	json_object_set_new(fees, "modified", rpc_amount(e->modified_fee));
	json_object_set_new(fees, "ancestor", rpc_amount(e->anc_fees));
	json_object_set_new(fees, "descendant", rpc_amount(e->desc_fees));
	json_object_set_new(o, "fees", fees);
	deps = json_array();
	for (i = 0; i < e->ndepends; i++)
		json_array_append_new(deps, rpc_hash_json(e->depends[i]));
	json_object_set_new(o, "depends", deps);
	spent = json_array();
	for (i = 0; i < e->nspentby; i++)
		json_array_append_new(spent, rpc_hash_json(e->spentby[i]));
	json_object_set_new(o, "spentby", spent);
	json_object_set_new(o, "bip125-replaceable",
	    json_boolean(e->bip125_replaceable));
	/* Initial broadcast is not tracked: every entry counts as relayed. */
	json_object_set_new(o, "unbroadcast", json_false());
	return o;
}

/* A list as getrawmempool and the relatives methods show it. */
static json_t *
entries_json(const struct mempool_entries *l, int verbose)
{
	json_t *res = verbose ? json_object() : json_array();
	char hex[65];
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!verbose) {
			json_array_append_new(res,
			    rpc_hash_json(l->v[i].txid));
			continue;
		}
		hash_to_hex(l->v[i].txid, hex);
		json_object_set_new(res, hex, entry_json(&l->v[i]));
	}
	return res;
}

static json_t *
m_getrawmempool(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_list_in in;
	struct mempool_entries out;
	json_t *res, *ids;
	int verbose = json_is_true(rpc_param(c, 0));
	int seq = json_is_true(rpc_param(c, 1));

	if (verbose && seq)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Verbose results "
		    "cannot contain mempool sequence values.");
	in.full = verbose;
	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_list, &in, sizeof(in), NULL, &out,
		sizeof(out), mempool_entries_free, err) != 0)
		return NULL;
	if (seq) {
		ids = entries_json(&out, 0);
		res = json_object();
		json_object_set_new(res, "txids", ids);
		json_object_set_new(res, "mempool_sequence",
		    json_integer((json_int_t)out.sequence));
	} else
		res = entries_json(&out, verbose);
	mempool_entries_free(&out);
	return res;
}

static json_t *
m_getmempoolentry(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_txid_in in;
	struct mempool_entry out;
	json_t *res;

	if (param_txid(c, 0, "parameter 1", in.txid, err) != 0)
		return NULL;
	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_entry, &in, sizeof(in), NULL, &out,
		sizeof(out), mempool_entry_free, err) != 0)
		return NULL;
	res = entry_json(&out);
	mempool_entry_free(&out);
	return res;
}

/* getmempoolancestors / getmempooldescendants. */
static json_t *
relatives(struct rpc_ctx *c, int up, struct rpc_error *err)
{
	struct mempool_relatives_in in;
	struct mempool_entries out;
	json_t *res;

	memset(&in, 0, sizeof(in));
	if (param_txid(c, 0, "parameter 1", in.txid, err) != 0)
		return NULL;
	in.up = up;
	in.full = json_is_true(rpc_param(c, 1));
	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_relatives, &in, sizeof(in), NULL, &out,
		sizeof(out), mempool_entries_free, err) != 0)
		return NULL;
	res = entries_json(&out, in.full);
	mempool_entries_free(&out);
	return res;
}

static json_t *
m_getmempoolancestors(struct rpc_ctx *c, struct rpc_error *err)
{
	return relatives(c, 1, err);
}

static json_t *
m_getmempooldescendants(struct rpc_ctx *c, struct rpc_error *err)
{
	return relatives(c, 0, err);
}

static json_t *
m_getmempoolinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_info i;
	json_t *o;

	memset(&i, 0, sizeof(i));
	if (ask(c->rpc, mempool_req_info, NULL, 0, NULL, &i, sizeof(i), NULL,
		err) != 0)
		return NULL;
	o = json_object();
	json_object_set_new(o, "loaded", json_boolean(i.loaded));
	json_object_set_new(o, "size", json_integer((json_int_t)i.size));
	json_object_set_new(o, "bytes", json_integer(i.bytes));
	json_object_set_new(o, "usage", json_integer((json_int_t)i.usage));
	json_object_set_new(o, "total_fee", rpc_amount(i.total_fee));
	json_object_set_new(o, "maxmempool",
	    json_integer((json_int_t)i.max_mempool));
	json_object_set_new(o, "mempoolminfee", rpc_amount(i.min_fee));
	json_object_set_new(o, "minrelaytxfee", rpc_amount(i.min_relay_fee));
	json_object_set_new(o, "incrementalrelayfee",
	    rpc_amount(i.incremental_relay_fee));
	json_object_set_new(o, "unbroadcastcount", json_integer(0));
	json_object_set_new(o, "fullrbf", json_true());
	json_object_set_new(o, "permitbaremultisig",
	    json_boolean(i.permit_bare_multisig));
	json_object_set_new(o, "maxdatacarriersize",
	    json_integer((json_int_t)i.max_datacarrier));
	return o;
}

/* ---- Prioritisation and persistence ---- */

/* prioritisetransaction [txid, dummy, fee_delta]. */
static json_t *
m_prioritisetransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_prioritise_in in;
	char none; /* the request answers nothing */
	json_t *dummy = rpc_param(c, 1), *delta = rpc_param(c, 2);

	if (param_txid(c, 0, "txid", in.txid, err) != 0)
		return NULL;
	if (dummy != NULL && !json_is_number(dummy))
		return rpc_fail_type(err, dummy, "number");
	/* Core reads a number's text as an integer: "1.5" does not parse. */
	if (json_is_real(delta))
		return rpc_fail(err, RPC_MISC_ERROR,
		    "JSON integer out of range");
	if (!json_is_integer(delta))
		return rpc_fail_type(err, delta, "number");
	if (dummy != NULL && json_number_value(dummy) != 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Priority is no "
		    "longer supported, dummy argument to prioritisetransaction "
		    "must be 0.");
	in.delta = json_integer_value(delta);
	if (ask(c->rpc, mempool_req_prioritise, &in, sizeof(in), NULL, &none,
		0, NULL, err) != 0)
		return NULL;
	return json_true();
}

static json_t *
m_getprioritisedtransactions(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_deltas out;
	json_t *res, *o;
	char hex[65];
	size_t i;

	memset(&out, 0, sizeof(out));
	if (ask(c->rpc, mempool_req_deltas, NULL, 0, NULL, &out, sizeof(out),
		mempool_deltas_free, err) != 0)
		return NULL;
	res = json_object();
	for (i = 0; i < out.n; i++) {
		o = json_object();
		json_object_set_new(o, "fee_delta",
		    json_integer(out.v[i].delta));
		json_object_set_new(o, "in_mempool",
		    json_boolean(out.v[i].in_pool));
		if (out.v[i].in_pool)
			json_object_set_new(o, "modified_fee",
			    json_integer(out.v[i].modified_fee));
		hash_to_hex(out.v[i].txid, hex);
		json_object_set_new(res, hex, o);
	}
	mempool_deltas_free(&out);
	return res;
}

static json_t *
m_savemempool(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_save_out out;

	if (ask(c->rpc, mempool_req_save, NULL, 0, NULL, &out, sizeof(out),
		NULL, err) != 0)
		return NULL;
	return json_pack("{s:s}", "filename", out.path);
}

/* ---- importmempool ---- */

/* An optional boolean of the options object: Core's get_bool wording. */
static int
opt_bool(json_t *opts, const char *key, int dflt, int *out,
    struct rpc_error *err)
{
	json_t *v = json_object_get(opts, key);

	if (v == NULL || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v)) {
		rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value of type %s is not of "
		    "expected type bool",
		    rpc_json_type_name(v));
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

static json_t *
m_importmempool(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	json_t *path = rpc_param(c, 0), *opts = rpc_param(c, 1);
	struct mempool_import_in in;

	if (sh->v == NULL || validation_is_initial_download(sh->v))
		return rpc_fail(err, RPC_CLIENT_IN_INITIAL_DOWNLOAD,
		    "Can only "
		    "import the mempool after the block download and sync is "
		    "done.");
	if (!json_is_string(path))
		return rpc_fail_type(err, path, "string");
	memset(&in, 0, sizeof(in));
	/* Unknown keys are ignored, as Core does. */
	if (opt_bool(opts, "use_current_time", 1, &in.opts.use_current_time,
		err) != 0 ||
	    opt_bool(opts, "apply_fee_delta_priority", 0,
		&in.opts.apply_fee_delta, err) != 0 ||
	    opt_bool(opts, "apply_unbroadcast_set", 0,
		&in.opts.apply_unbroadcast, err) != 0)
		return NULL;
	/* A relative path is the caller's business: as Core, from our cwd. */
	in.path = xstrdup(json_string_value(path));
	if (ask(c->rpc, mempool_req_import, &in, sizeof(in),
		mempool_import_in_free, NULL, 0, NULL, err) != 0)
		return NULL;
	return json_object();
}

/* ---- gettxspendingprevout ---- */

static json_t *
m_gettxspendingprevout(struct rpc_ctx *c, struct rpc_error *err)
{
	static const char *const names[] = { "txid", "vout" };
	static const char *const types[] = { "string", "number" };
	json_t *outs = rpc_param(c, 0), *o, *res, *item;
	struct mempool_outpoints_out ans;
	struct outpoint *ops;
	json_int_t n;
	size_t i, nops = json_array_size(outs);

	if (nops == 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid parameter, outputs are missing");
	ops = xcalloc(nops, sizeof(*ops));
	json_array_foreach (outs, i, o) {
		if (!json_is_object(o)) {
			rpc_fail_type(err, o, "object");
			goto fail;
		}
		if (rpc_check_obj(o, names, types, 2, 0, 1, err) == -1 ||
		    rpc_parse_hash(json_object_get(o, "txid"), "txid",
			ops[i].hash, err) == -1)
			goto fail;
		n = json_integer_value(json_object_get(o, "vout"));
		if (!json_is_integer(json_object_get(o, "vout")) ||
		    n < INT_MIN || n > INT_MAX) {
			rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
			goto fail;
		}
		if (n < 0) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, vout cannot be negative");
			goto fail;
		}
		ops[i].n = (uint32_t)n;
	}
	if (rpc_mempool_outpoints(c->rpc, ops, nops, &ans, err) != 0)
		goto fail;
	res = json_array();
	for (i = 0; i < nops; i++) {
		item = json_object();
		json_object_set_new(item, "txid", rpc_hash_json(ops[i].hash));
		json_object_set_new(item, "vout", json_integer(ops[i].n));
		if (ans.rows[i].spent)
			json_object_set_new(item, "spendingtxid",
			    rpc_hash_json(ans.rows[i].spender));
		json_array_append_new(res, item);
	}
	mempool_outpoints_out_free(&ans);
	free(ops);
	return res;
fail:
	free(ops);
	return NULL;
}

#define TXID_EX "\"mytxid\""

#define ENTRY_FIELDS(IND) \
	IND "\"vsize\" : n,            (numeric) virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted.\n" IND \
	    "\"weight\" : n,           (numeric) transaction weight as defined in BIP 141.\n" IND \
	    "\"time\" : xxx,           (numeric) local time transaction entered pool in seconds since 1 Jan 1970 GMT\n" IND \
	    "\"height\" : n,           (numeric) block height when transaction entered pool\n" IND \
	    "\"descendantcount\" : n,  (numeric) number of in-mempool descendant transactions (including this one)\n" IND \
	    "\"descendantsize\" : n,   (numeric) virtual transaction size of in-mempool descendants (including this one)\n" IND \
	    "\"ancestorcount\" : n,    (numeric) number of in-mempool ancestor transactions (including this one)\n" IND \
	    "\"ancestorsize\" : n,     (numeric) virtual transaction size of in-mempool ancestors (including this one)\n" IND \
	    "\"wtxid\" : \"hex\",        (string) hash of serialized transaction, including witness data\n" IND \
	    "\"fees\" : {              (json object)\n" IND \
	    "  \"base\" : n,           (numeric) transaction fee, denominated in BTC\n" IND \
	    "  \"modified\" : n,       (numeric) transaction fee with fee deltas used for mining priority, denominated in BTC\n" IND \
	    "  \"ancestor\" : n,       (numeric) transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in BTC\n" IND \
	    "  \"descendant\" : n      (numeric) transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in BTC\n" IND \
	    "},\n" IND \
	    "\"depends\" : [           (json array) unconfirmed transactions used as inputs for this transaction\n" IND \
	    "  \"hex\",                (string) parent transaction id\n" IND \
	    "  ...\n" IND "],\n" IND \
	    "\"spentby\" : [           (json array) unconfirmed transactions spending outputs from this transaction\n" IND \
	    "  \"hex\",                (string) child transaction id\n" IND \
	    "  ...\n" IND "],\n" IND \
	    "\"bip125-replaceable\" : true|false,  (boolean) Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability. (DEPRECATED)\n" IND \
	    "\"unbroadcast\" : true|false          (boolean) Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)\n"

#define ENTRY_MAP(WHAT) \
	"{                           (json object)\n" \
	"  \"transactionid\" : {       (json object)\n" ENTRY_FIELDS( \
	    "    ") "  },\n  ...\n}\n"

#define RELATIVES_RESULT(WHAT) \
	"Result (for verbose = false):\n" \
	"[           (json array)\n" \
	"  \"hex\",    (string) The transaction id of an in-mempool " WHAT \
	" transaction\n" \
	"  ...\n]\n\n" \
	"Result (for verbose = true):\n" ENTRY_MAP(WHAT)

/* sendrawtransaction's and submitpackage's maxburnamount (Core's text). */
#define MAXBURN_HELP							\
	"Reject transactions with provably unspendable outputs (e.g. "	\
	"'datacarrier' outputs that use the OP_RETURN opcode) greater "	\
	"than the specified value, expressed in BTC.\nIf burning funds "	\
	"through unspendable outputs is desired, increase this value.\n"	\
	"This check is based on heuristics and does not guarantee "	\
	"spendability of outputs.\n"
#define MAXFEERATE_HELP \
	"Reject transactions whose fee rate is higher than the specified " \
	"value, expressed in BTC/kvB.\nFee rates larger than 1BTC/kvB are " \
	"rejected.\nSet to 0 to accept any fee rate."

const struct rpc_method rpc_mempool_methods[] = {
	{ "getmempoolancestors", "blockchain", m_getmempoolancestors, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		  "The transaction id (must be in mempool)" },
		{ "verbose", RPC_ARG_BOOL, 0, "false",
		    "True for a json object, false for array of transaction ids" } },
	    "If txid is in the mempool, returns all in-mempool ancestors.",
	    RELATIVES_RESULT("ancestor"), TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempooldescendants", "blockchain", m_getmempooldescendants, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		  "The transaction id (must be in mempool)" },
		{ "verbose", RPC_ARG_BOOL, 0, "false",
		    "True for a json object, false for array of transaction ids" } },
	    "If txid is in the mempool, returns all in-mempool descendants.",
	    RELATIVES_RESULT("descendant"), TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempoolentry", "blockchain", m_getmempoolentry, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		"The transaction id (must be in mempool)" } },
	    "Returns mempool data for given transaction",
	    "{                         (json object)\n" ENTRY_FIELDS(
		"  ") "}\n",
	    TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempoolinfo", "blockchain", m_getmempoolinfo, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns details on the active state of the TX memory pool.",
	    "{\n"
	    "  \"loaded\" : true|false,         (boolean) True if the initial load attempt of the persisted mempool finished\n"
	    "  \"size\" : n,                    (numeric) Current tx count\n"
	    "  \"bytes\" : n,                   (numeric) Sum of all virtual transaction sizes as defined in BIP 141. Differs from actual serialized size because witness data is discounted\n"
	    "  \"usage\" : n,                   (numeric) Total memory usage for the mempool\n"
	    "  \"total_fee\" : n,               (numeric) Total fees for the mempool in BTC, ignoring modified fees through prioritisetransaction\n"
	    "  \"maxmempool\" : n,              (numeric) Maximum memory usage for the mempool\n"
	    "  \"mempoolminfee\" : n,           (numeric) Minimum fee rate in BTC/kvB for tx to be accepted. Is the maximum of minrelaytxfee and minimum mempool fee\n"
	    "  \"minrelaytxfee\" : n,           (numeric) Current minimum relay fee for transactions\n"
	    "  \"incrementalrelayfee\" : n,     (numeric) minimum fee rate increment for mempool limiting or replacement in BTC/kvB\n"
	    "  \"unbroadcastcount\" : n,        (numeric) Current number of transactions that haven't passed initial broadcast yet\n"
	    "  \"fullrbf\" : true|false,        (boolean) True if the mempool accepts RBF without replaceability signaling inspection (DEPRECATED)\n"
	    "  \"permitbaremultisig\" : true|false, (boolean) True if the mempool accepts transactions with bare multisig outputs\n"
	    "  \"maxdatacarriersize\" : n       (numeric) Maximum number of bytes that can be used by OP_RETURN outputs in the mempool\n"
	    "}\n",
	    "", RPC_ON_MEMPOOL },
	{ "getprioritisedtransactions", "mining", m_getprioritisedtransactions,
	    0, { { NULL, 0, 0, NULL, NULL } },
	    "Returns a map of all user-created (see prioritisetransaction) fee "
	    "deltas by txid, and whether the tx is present in mempool.",
	    "{                                 (json object) prioritisation keyed by txid\n"
	    "  \"<transactionid>\" : {           (json object)\n"
	    "    \"fee_delta\" : n,              (numeric) transaction fee delta in satoshis\n"
	    "    \"in_mempool\" : true|false,    (boolean) whether this transaction is currently in mempool\n"
	    "    \"modified_fee\" : n            (numeric, optional) modified fee in satoshis. Only returned if in_mempool=true\n"
	    "  },\n  ...\n}\n",
	    "", RPC_ON_MEMPOOL },
	{ "getrawmempool", "blockchain", m_getrawmempool, 0,
	    { { "verbose", RPC_ARG_BOOL, 0, "false",
		  "True for a json object, false for array of transaction ids" },
		{ "mempool_sequence", RPC_ARG_BOOL, 0, "false",
		    "If verbose=false, returns a json object with transaction "
		    "list and mempool sequence number attached." } },
	    "Returns all transaction ids in memory pool as a json array of "
	    "string transaction ids.\n\nHint: use getmempoolentry to fetch a "
	    "specific transaction from the mempool.",
	    "Result (for verbose = false):\n[           (json array)\n"
	    "  \"hex\",    (string) The transaction id\n  ...\n]\n\n"
	    "Result (for verbose = true):\n" ENTRY_MAP(
		"") "\n"
		    "Result (for verbose = false and mempool_sequence = true):\n"
		    "{                            (json object)\n"
		    "  \"txids\" : [                (json array)\n"
		    "    \"hex\",                   (string) The transaction id\n"
		    "    ...\n  ],\n"
		    "  \"mempool_sequence\" : n     (numeric) The mempool sequence value.\n"
		    "}\n",
	    "true", RPC_ON_MEMPOOL },
	{ "gettxspendingprevout", "blockchain", m_gettxspendingprevout, 0,
	    { { "outputs", RPC_ARG_ARR, 1, NULL,
		"The transaction outputs that we want to check, and within "
		"each, the txid (string) vout (numeric)." } },
	    "Scans the mempool to find transactions spending any of the given "
	    "outputs",
	    "[                              (json array)\n"
	    "  {                            (json object)\n"
	    "    \"txid\" : \"hex\",            (string) the transaction id of the checked output\n"
	    "    \"vout\" : n,                (numeric) the vout value of the checked output\n"
	    "    \"spendingtxid\" : \"hex\"     (string, optional) the transaction id of the mempool transaction spending this output (omitted if unspent)\n"
	    "  },\n  ...\n]\n",
	    "\"[{\\\"txid\\\":\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\",\\\"vout\\\":3}]\"",
	    RPC_ON_MEMPOOL },
	{ "prioritisetransaction", "mining", m_prioritisetransaction, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL, "The transaction id." },
		{ "dummy", RPC_ARG_NUM, 0, NULL,
		    "API-Compatibility for previous API. Must be zero or null.\n"
		    "DEPRECATED. For forward compatibility use named arguments "
		    "and omit this parameter." },
		{ "fee_delta", RPC_ARG_NUM, 1, NULL,
		    "The fee value (in satoshis) to add (or subtract, if "
		    "negative).\nNote, that this value is not a fee rate. It is a "
		    "value to modify absolute fee of the TX.\nThe fee is not "
		    "actually paid, only the algorithm for selecting transactions "
		    "into a block\nconsiders the transaction as it would have paid "
		    "a higher (or lower) fee." } },
	    "Accepts the transaction into mined blocks at a higher (or lower) "
	    "priority",
	    "true|false    (boolean) Returns true\n", "\"txid\" 0.0 10000",
	    RPC_ON_MEMPOOL },
	{ "importmempool", "blockchain", m_importmempool, 0,
	    { { "filepath", RPC_ARG_STR, 1, NULL, "The mempool file" },
		{ "options", RPC_ARG_OPTIONS, 0, NULL,
		    "Options object that can be "
		    "used to pass named arguments: use_current_time (boolean, "
		    "default=true) whether to use the current system time or the "
		    "entry time metadata from the mempool file; "
		    "apply_fee_delta_priority (boolean, default=false) whether to "
		    "apply the fee delta metadata from the mempool file, added to "
		    "any existing fee deltas; apply_unbroadcast_set (boolean, "
		    "default=false) whether to apply the unbroadcast set metadata "
		    "from the mempool file." } },
	    "Import a mempool.dat file and attempt to add its contents to the "
	    "mempool.\nWarning: Importing untrusted files is dangerous, "
	    "especially if metadata from the file is taken over.",
	    "{}    (empty JSON object)\n", "/path/to/mempool.dat",
	    RPC_ON_MEMPOOL },
	{ "savemempool", "blockchain", m_savemempool, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Dumps the mempool to disk. It will fail until the previous dump "
	    "is fully loaded.",
	    "{                    (json object)\n"
	    "  \"filename\" : \"str\"  (string) the directory and file where the mempool was saved\n"
	    "}\n",
	    "", RPC_ON_MEMPOOL },
	{ "sendrawtransaction", "rawtransactions", m_sendrawtransaction, 0,
	    { { "hexstring", RPC_ARG_HEX, 1, NULL,
		  "The hex string of the raw transaction" },
		{ "maxfeerate", RPC_ARG_AMOUNT, 0, "\"0.10\"",
		    MAXFEERATE_HELP },
		{ "maxburnamount", RPC_ARG_AMOUNT, 0, "\"0.00\"",
		    MAXBURN_HELP } },
	    "Submit a raw transaction (serialized, hex-encoded) to local node "
	    "and network.\n\nThe transaction will be sent unconditionally to "
	    "all peers, so using sendrawtransaction\nfor manual rebroadcast "
	    "may degrade privacy by leaking the transaction's origin, as\n"
	    "nodes will normally not rebroadcast non-wallet transactions "
	    "already in their mempool.\n\nA specific exception, "
	    "RPC_TRANSACTION_ALREADY_IN_UTXO_SET, may throw if the "
	    "transaction cannot be added to the mempool.\n\nRelated RPCs: "
	    "createrawtransaction",
	    "\"hex\"    (string) The transaction hash in hex\n",
	    "\"signedhex\"", RPC_ON_MEMPOOL },
	{ "submitpackage", "rawtransactions", m_submitpackage, 0,
	    { { "package", RPC_ARG_ARR, 1, NULL,
		  "An array of raw transactions.\nThe package must solely "
		  "consist of a child and its parents. None of the parents may "
		  "depend on each other.\nThe package must be topologically "
		  "sorted, with the child being the last element in the array." },
		{ "maxfeerate", RPC_ARG_AMOUNT, 0, "\"0.10\"",
		    MAXFEERATE_HELP },
		{ "maxburnamount", RPC_ARG_AMOUNT, 0, "\"0.00\"",
		    MAXBURN_HELP } },
	    "Submit a package of raw transactions (serialized, hex-encoded) to "
	    "local node.\nThe package will be validated according to consensus "
	    "and mempool policy rules. If any transaction passes, it will be "
	    "accepted to mempool.\nThis RPC is experimental and the interface "
	    "may be unstable. Refer to doc/policy/packages.md for "
	    "documentation on package policies.\nWarning: successful "
	    "submission does not mean the transactions will propagate "
	    "throughout the network.",
	    "{                                   (json object)\n"
	    "  \"package_msg\" : \"str\",             (string) The transaction package result message. \"success\" indicates all transactions were accepted into or are already in the mempool.\n"
	    "  \"tx-results\" : {                 (json object) transaction results keyed by wtxid\n"
	    "    \"wtxid\" : {                    (json object) transaction wtxid\n"
	    "      \"txid\" : \"hex\",              (string) The transaction hash in hex\n"
	    "      \"other-wtxid\" : \"hex\",       (string, optional) The wtxid of a different transaction with the same txid but different witness found in the mempool. This means the submitted transaction was ignored.\n"
	    "      \"vsize\" : n,                 (numeric, optional) Sigops-adjusted virtual transaction size.\n"
	    "      \"fees\" : {                   (json object, optional) Transaction fees\n"
	    "        \"base\" : n,                (numeric) transaction fee in BTC\n"
	    "        \"effective-feerate\" : n,   (numeric, optional) if the transaction was not already in the mempool, the effective feerate in BTC per KvB. For example, the package feerate and/or feerate with modified fees from prioritisetransaction.\n"
	    "        \"effective-includes\" : [   (json array, optional) if effective-feerate is provided, the wtxids of the transactions whose fees and vsizes are included in effective-feerate.\n"
	    "          \"hex\",                   (string) transaction wtxid in hex\n"
	    "          ...\n"
	    "        ]\n"
	    "      },\n"
	    "      \"error\" : \"str\"              (string, optional) The transaction error string, if it was rejected by the mempool\n"
	    "    },\n"
	    "    ...\n"
	    "  },\n"
	    "  \"replaced-transactions\" : [      (json array, optional) List of txids of replaced transactions\n"
	    "    \"hex\",                         (string) The transaction id\n"
	    "    ...\n"
	    "  ]\n"
	    "}\n",
	    "'[\"raw-parent-tx-1\", \"raw-parent-tx-2\", \"raw-child-tx\"]'",
	    RPC_ON_MEMPOOL },
	{ "testmempoolaccept", "rawtransactions", m_testmempoolaccept, 0,
	    { { "rawtxs", RPC_ARG_ARR, 1, NULL,
		  "An array of hex strings of raw transactions." },
		{ "maxfeerate", RPC_ARG_AMOUNT, 0, "\"0.10\"",
		    MAXFEERATE_HELP } },
	    "Returns result of mempool acceptance tests indicating if raw "
	    "transaction(s) (serialized, hex-encoded) would be accepted by "
	    "mempool.\n\nIf multiple transactions are passed in, parents must "
	    "come before children and package policies apply: the "
	    "transactions cannot conflict with any mempool transactions or "
	    "each other.\n\nIf one transaction fails, other transactions may "
	    "not be fully validated (the 'allowed' key will be blank).\n\nThe "
	    "maximum number of transactions allowed is 25.\n\nThis checks if "
	    "transactions violate the consensus or policy rules.\n\nSee "
	    "sendrawtransaction call.",
	    "[                               (json array) The result of the mempool acceptance test for each raw transaction in the input array.\n"
	    "                                Returns results for each transaction in the same order they were passed in.\n"
	    "                                Transactions that cannot be fully validated due to failures in other transactions will not contain an 'allowed' result.\n"
	    "  {                             (json object)\n"
	    "    \"txid\" : \"hex\",             (string) The transaction hash in hex\n"
	    "    \"wtxid\" : \"hex\",            (string) The transaction witness hash in hex\n"
	    "    \"package-error\" : \"str\",    (string, optional) Package validation error, if any (only possible if rawtxs had more than 1 transaction).\n"
	    "    \"allowed\" : true|false,     (boolean, optional) Whether this tx would be accepted to the mempool and pass client-specified maxfeerate. If not present, the tx was not fully validated due to a failure in another tx in the list.\n"
	    "    \"vsize\" : n,                (numeric, optional) Virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted (only present when 'allowed' is true)\n"
	    "    \"fees\" : {                  (json object, optional) Transaction fees (only present if 'allowed' is true)\n"
	    "      \"base\" : n,               (numeric) transaction fee in BTC\n"
	    "      \"effective-feerate\" : n,  (numeric) the effective feerate in BTC per KvB. May differ from the base feerate if, for example, there are modified fees from prioritisetransaction or a package feerate was used.\n"
	    "      \"effective-includes\" : [  (json array) transactions whose fees and vsizes are included in effective-feerate.\n"
	    "        \"hex\",                  (string) transaction wtxid in hex\n"
	    "        ...\n      ]\n    },\n"
	    "    \"reject-reason\" : \"str\",    (string, optional) Rejection reason (only present when 'allowed' is false)\n"
	    "    \"reject-details\" : \"str\"    (string, optional) Rejection details (only present when 'allowed' is false and rejection details exist)\n"
	    "  },\n  ...\n]\n",
	    "'[\"signedhex\"]'", RPC_ON_MEMPOOL },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
