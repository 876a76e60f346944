/*
 * The mempool's RPC methods, run on the mempool thread (mempool_call): the
 * pool is the thread's own, so every method reads and changes it without a
 * lock. Parameters, errors and result shapes follow Bitcoin Core 30.
 *
 * The RPC server has already checked arity and JSON types against its
 * table, and turned the BTC amounts of sendrawtransaction and
 * testmempoolaccept into integer satoshis (it owns the amount parser);
 * everything else is read and checked here. Methods whose names start with
 * '_' are lookups for other RPC methods (getrawtransaction, gettxout,
 * gettxspendingprevout, the raw transaction signers), not in the public
 * table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool_int.h"
#include "rpc/rpc.h"
#include "script/opcodes.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/callparam.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's MAX_PACKAGE_COUNT: testmempoolaccept takes at most this many. */
#define MP_MAX_PACKAGE_COUNT 25

/* ---- Decoding ---- */

/*
 * Core's DecodeHexTx as sendrawtransaction and testmempoolaccept call it:
 * the extended (witness) serialization only, every byte used. 0 with *raw
 * (xmalloc'd) and *tx (borrowing it), or -1.
 */
static int
decode_hex_tx(const char *hex, uint8_t **raw, size_t *len, struct tx *tx)
{
	struct rbuf r;

	if (hex == NULL || hex_decode_alloc(hex, raw, len) == -1)
		return -1;
	rbuf_init(&r, *raw, *len);
	if (tx_parse(&r, tx, TX_ALLOW_WITNESS) == -1) {
		free(*raw);
		return -1;
	}
	if (rbuf_left(&r) != 0) {
		tx_free(tx);
		free(*raw);
		return -1;
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

/* ---- Acceptance outcomes ---- */

/* Core's TxValidationState::ToString(): reason, then ", debug" if any. */
static void
state_string(const struct accept_result *r, char *out, size_t len)
{
	const char *reason = r->reason[0] ? r->reason :
	    r->code == ACCEPT_MISSING_INPUTS ?
	    "bad-txns-inputs-missingorspent" : "unknown-error";

	if (r->debug[0])
		snprintf(out, len, "%s, %s", reason, r->debug);
	else
		snprintf(out, len, "%s", reason);
}

/* Core's BroadcastTransaction error mapping for a refused transaction. */
static void
fail_broadcast(struct call *c, const struct accept_result *r)
{
	char st[400];

	state_string(r, st, sizeof(st));
	switch (r->code) {
	case ACCEPT_IN_CHAIN:
		call_fail(c, RPC_VERIFY_ALREADY_IN_CHAIN,
		    "Transaction outputs already in utxo set");
		break;
	case ACCEPT_MISSING_INPUTS:
	case ACCEPT_ERROR:
		call_fail(c, RPC_VERIFY_ERROR, "%s", st);
		break;
	default:
		call_fail(c, RPC_VERIFY_REJECTED, "%s", st);
		break;
	}
}

/*
 * Core's first check in BroadcastTransaction: an output of tx already in
 * the UTXO set means the transaction is confirmed. 1 if so, 0 if not, -1
 * on a store failure.
 */
static int
outputs_in_utxo_set(struct mempool *m, const struct tx *tx)
{
	struct store_rtxn *t;
	struct outpoint op;
	struct coin coin;
	size_t i;
	int rc = 0, st;

	if (store_read_begin(m->store, &t) != STORE_OK)
		return -1;
	memcpy(op.hash, tx->txid, 32);
	for (i = 0; i < tx->vout_count && rc == 0; i++) {
		op.n = (uint32_t)i;
		st = store_get_coin(t, &op, &coin);
		if (st == STORE_OK)
			rc = 1;
		else if (st != STORE_NOTFOUND)
			rc = -1;
	}
	store_read_end(t);
	return rc;
}

/*
 * sendrawtransaction [hex, maxfeerate sat/kvB, maxburnamount sat] (the RPC
 * server converted both amounts).
 */
static void
m_sendrawtransaction(struct mempool *m, struct call *c, json_t *params)
{
	struct accept_result *r;
	struct pool_entry_info e;
	struct tx tx;
	uint8_t *raw, txid[32];
	size_t len, i;
	int64_t feerate, burn, vsize, maxfee;
	int rc;

	if (callparam_int(c, params, 1, POLICY_DEFAULT_MAX_RAW_TX_FEE_RATE,
	    &feerate) != 0 || callparam_int(c, params, 2, 0, &burn) != 0)
		return;
	if (feerate < 0 || burn < 0) {
		call_fail(c, RPC_TYPE_ERROR, "Amount out of range");
		return;
	}
	if (decode_hex_tx(json_string_value(callparam(params, 0)), &raw, &len,
	    &tx) != 0) {
		call_fail(c, RPC_DESERIALIZATION_ERROR, "TX decode failed. Make "
		    "sure the tx has at least one input.");
		return;
	}
	for (i = 0; i < tx.vout_count; i++)
		if (script_burns(tx.vout[i].script, tx.vout[i].script_len) &&
		    tx.vout[i].value > burn) {
			tx_free(&tx);
			free(raw);
			call_fail(c, RPC_VERIFY_ERROR, "Unspendable output "
			    "exceeds maximum configured by user "
			    "(maxburnamount)");
			return;
		}
	memcpy(txid, tx.txid, 32);
	/* Core's GetVirtualTransactionSize without sigops. */
	vsize = (int64_t)((tx_weight(&tx) + 3) / 4);
	rc = outputs_in_utxo_set(m, &tx);
	tx_free(&tx);
	if (rc != 0) {
		free(raw);
		if (rc > 0)
			call_fail(c, RPC_VERIFY_ALREADY_IN_CHAIN,
			    "Transaction outputs already in utxo set");
		else
			call_fail(c, RPC_DATABASE_ERROR,
			    "Database read failed");
		return;
	}
	/* Already there (any witness): nothing to do but answer its txid. */
	if (pool_get(m->pool, txid, &e) == 0) {
		free(raw);
		call_finish(c, json_hash(txid), NULL);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	maxfee = policy_fee_at(feerate, vsize);
	if (feerate > 0) {
		/* As Core: a test acceptance first, to learn the fee. */
		if (pool_accept(m->pool, raw, len, ACCEPT_TEST_ONLY, 0, r) !=
		    ACCEPT_OK) {
			fail_broadcast(c, r);
			goto out;
		}
		if (r->fee > maxfee) {
			call_fail(c, RPC_VERIFY_ERROR, "Fee exceeds maximum "
			    "configured by user (e.g. -maxtxfee, maxfeerate)");
			goto out;
		}
	}
	switch (mempool_accept_local(m, raw, len, 0, 0, r)) {
	case ACCEPT_OK:
	case ACCEPT_ALREADY:
	case ACCEPT_SAME_TXID:
		call_finish(c, json_hash(txid), NULL);
		break;
	default:
		fail_broadcast(c, r);
		break;
	}
out:
	free(r);
	free(raw);
}

/* One testmempoolaccept result object for a transaction that was checked. */
static void
accept_json(json_t *o, const struct accept_result *r, int64_t feerate,
    int *exit_early)
{
	char st[400];
	json_t *fees, *inc;
	int64_t maxfee;

	if (r->code == ACCEPT_OK) {
		maxfee = policy_fee_at(feerate, r->vsize);
		if (maxfee && r->fee > maxfee) {
			json_object_set_new(o, "allowed", json_false());
			json_object_set_new(o, "reject-reason",
			    json_string("max-fee-exceeded"));
			*exit_early = 1;
			return;
		}
		json_object_set_new(o, "allowed", json_true());
		json_object_set_new(o, "vsize", json_integer(r->vsize));
		fees = json_object();
		json_object_set_new(fees, "base", rpc_amount(r->fee));
		json_object_set_new(fees, "effective-feerate",
		    rpc_amount(r->effective_feerate));
		inc = json_array();
		json_array_append_new(inc, json_hash(r->wtxid));
		json_object_set_new(fees, "effective-includes", inc);
		json_object_set_new(o, "fees", fees);
		return;
	}
	json_object_set_new(o, "allowed", json_false());
	if (r->code == ACCEPT_MISSING_INPUTS) {
		json_object_set_new(o, "reject-reason",
		    json_string("missing-inputs"));
		return;
	}
	state_string(r, st, sizeof(st));
	json_object_set_new(o, "reject-reason", json_string(r->reason));
	json_object_set_new(o, "reject-details", json_string(st));
}

/* testmempoolaccept [[hex, ...], maxfeerate sat/kvB]. Adds nothing. */
static void
m_testmempoolaccept(struct mempool *m, struct call *c, json_t *params)
{
	json_t *txs = callparam(params, 0), *out, *o, *v;
	struct accept_result *r;
	const char *pkg_reason = NULL;
	uint8_t **raws;
	size_t *lens, n, i;
	struct tx tx;
	int64_t feerate;
	int pkg_failed = 0, exit_early = 0;

	if (!json_is_array(txs)) {
		call_fail(c, RPC_TYPE_ERROR, "JSON value of type %s is not of "
		    "expected type array", txs ? json_type_name(txs) : "null");
		return;
	}
	n = json_array_size(txs);
	if (n < 1 || n > MP_MAX_PACKAGE_COUNT) {
		call_fail(c, RPC_INVALID_PARAMETER, "Array must contain between "
		    "1 and %d transactions.", MP_MAX_PACKAGE_COUNT);
		return;
	}
	if (callparam_int(c, params, 1, POLICY_DEFAULT_MAX_RAW_TX_FEE_RATE,
	    &feerate) != 0)
		return;
	raws = xcalloc(n, sizeof(*raws));
	lens = xcalloc(n, sizeof(*lens));
	r = xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		v = json_array_get(txs, i);
		if (!json_is_string(v)) {
			call_fail(c, RPC_MISC_ERROR, "JSON value of type %s is "
			    "not of expected type string", json_type_name(v));
			goto out;
		}
		if (decode_hex_tx(json_string_value(v), &raws[i], &lens[i],
		    &tx) != 0) {
			raws[i] = NULL;
			call_fail(c, RPC_DESERIALIZATION_ERROR,
			    "TX decode failed: %.300s Make sure the tx has at "
			    "least one input.", json_string_value(v));
			goto out;
		}
		/* Ids for every row, also those the pool never reaches. */
		memcpy(r[i].txid, tx.txid, 32);
		memcpy(r[i].wtxid, tx.wtxid, 32);
		tx_free(&tx);
	}
	if (n == 1)
		pool_accept(m->pool, raws[0], lens[0], ACCEPT_TEST_ONLY, 0, r);
	else if (pool_test_package(m->pool, (const uint8_t *const *)raws,
	    lens, n, 0, r, &pkg_reason) != 0)
		/*
		 * Core shows "package-error" for package policy failures
		 * only, not for its PCKG_TX state ("transaction failed"),
		 * whose failing transaction speaks for itself.
		 */
		pkg_failed = pkg_reason == NULL ||
		    strcmp(pkg_reason, "transaction failed") != 0;
	out = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "txid", json_hash(r[i].txid));
		json_object_set_new(o, "wtxid", json_hash(r[i].wtxid));
		if (pkg_failed)
			json_object_set_new(o, "package-error",
			    json_string(pkg_reason ? pkg_reason :
			    "package-error"));
		/* Not reached (the package stopped earlier): ids only. */
		if (!exit_early && !(r[i].code == ACCEPT_POLICY &&
		    r[i].reason[0] == '\0'))
			accept_json(o, &r[i], feerate, &exit_early);
		json_array_append_new(out, o);
	}
	call_finish(c, out, NULL);
out:
	for (i = 0; i < n; i++)
		free(raws[i]);
	free(raws);
	free(lens);
	free(r);
}

/* ---- Pool contents ---- */

static int
cmp_txid_bytes(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct idlist {
	uint8_t (*v)[32];
	size_t n, cap;
};

static void
idlist_add(struct idlist *l, const uint8_t id[32])
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, 32);
	}
	memcpy(l->v[l->n++], id, 32);
}

static int
collect_id(void *arg, const struct pool_entry_info *e)
{
	idlist_add(arg, e->txid);
	return 0;
}

/* Core's entryToJSON. */
static json_t *
entry_json(struct mempool *m, const struct pool_entry_info *e)
{
	struct pool_entry_info pe;
	struct idlist kids = { NULL, 0, 0 };
	json_t *o = json_object(), *fees, *deps, *spent;
	char **dep = NULL, hex[65];
	size_t i, j, ndep = 0;

	json_object_set_new(o, "vsize", json_integer(e->vsize));
	json_object_set_new(o, "weight", json_integer((json_int_t)e->weight));
	json_object_set_new(o, "time", json_integer(e->time));
	json_object_set_new(o, "height", json_integer(e->height));
	json_object_set_new(o, "descendantcount",
	    json_integer((json_int_t)e->desc_count));
	json_object_set_new(o, "descendantsize", json_integer(e->desc_size));
	json_object_set_new(o, "ancestorcount",
	    json_integer((json_int_t)e->anc_count));
	json_object_set_new(o, "ancestorsize", json_integer(e->anc_size));
	json_object_set_new(o, "wtxid", json_hash(e->wtxid));
	fees = json_object();
	json_object_set_new(fees, "base", rpc_amount(e->fee));
	json_object_set_new(fees, "modified", rpc_amount(e->modified_fee));
	json_object_set_new(fees, "ancestor", rpc_amount(e->anc_fees));
	json_object_set_new(fees, "descendant", rpc_amount(e->desc_fees));
	json_object_set_new(o, "fees", fees);

	/* Parents in the pool, once each, in the order of their hex (a std::set<string>). */
	dep = xcalloc(e->tx->vin_count ? e->tx->vin_count : 1, sizeof(*dep));
	for (i = 0; i < e->tx->vin_count; i++) {
		if (pool_get(m->pool, e->tx->vin[i].prevout.hash, &pe) != 0)
			continue;
		hash_to_hex(e->tx->vin[i].prevout.hash, hex);
		for (j = 0; j < ndep; j++)
			if (strcmp(dep[j], hex) == 0)
				break;
		if (j == ndep)
			dep[ndep++] = xstrdup(hex);
	}
	if (ndep > 1)
		qsort(dep, ndep, sizeof(*dep), cmp_str);
	deps = json_array();
	for (i = 0; i < ndep; i++) {
		json_array_append_new(deps, json_string(dep[i]));
		free(dep[i]);
	}
	free(dep);
	json_object_set_new(o, "depends", deps);

	/* Children in txid order, as Core's set of entries compares them. */
	pool_children(m->pool, e->txid, collect_id, &kids);
	if (kids.n > 1)
		qsort(kids.v, kids.n, 32, cmp_txid_bytes);
	spent = json_array();
	for (i = 0; i < kids.n; i++)
		json_array_append_new(spent, json_hash(kids.v[i]));
	free(kids.v);
	json_object_set_new(o, "spentby", spent);
	json_object_set_new(o, "bip125-replaceable",
	    json_boolean(e->bip125_replaceable));
	/* Initial broadcast is not tracked: every entry counts as relayed. */
	json_object_set_new(o, "unbroadcast", json_false());
	return o;
}

struct entries {
	struct pool_entry_info *v;
	size_t n, cap;
};

static int
collect_entry(void *arg, const struct pool_entry_info *e)
{
	struct entries *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *e;
	return 0;
}

/*
 * Core's GetSortedDepthAndScore: fewer in-pool ancestors first, then
 * higher modified fee rate, then higher txid.
 */
static int
cmp_depth_score(const void *a, const void *b)
{
	const struct pool_entry_info *x = a, *y = b;
	__int128 fx, fy;

	if (x->anc_count != y->anc_count)
		return x->anc_count < y->anc_count ? -1 : 1;
	fx = (__int128)x->modified_fee * y->vsize;
	fy = (__int128)y->modified_fee * x->vsize;
	if (fx != fy)
		return fx > fy ? -1 : 1;
	/* Core's CompareTxMemPoolEntryByScore: the higher txid first. */
	return memcmp(y->txid, x->txid, 32);
}

static void
m_getrawmempool(struct mempool *m, struct call *c, json_t *params)
{
	struct entries l = { NULL, 0, 0 };
	json_t *res, *ids;
	char hex[65];
	size_t i;
	int verbose, seq;

	if (callparam_bool(c, params, 0, 0, &verbose) != 0 ||
	    callparam_bool(c, params, 1, 0, &seq) != 0)
		return;
	if (verbose && seq) {
		call_fail(c, RPC_INVALID_PARAMETER, "Verbose results cannot "
		    "contain mempool sequence values.");
		return;
	}
	pool_foreach(m->pool, collect_entry, &l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_depth_score);
	if (verbose) {
		res = json_object();
		for (i = 0; i < l.n; i++) {
			hash_to_hex(l.v[i].txid, hex);
			json_object_set_new(res, hex, entry_json(m, &l.v[i]));
		}
	} else {
		ids = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(ids, json_hash(l.v[i].txid));
		if (seq) {
			res = json_object();
			json_object_set_new(res, "txids", ids);
			/* Core's counter starts at 1, ours at 0. */
			json_object_set_new(res, "mempool_sequence",
			    json_integer((json_int_t)pool_sequence(m->pool) +
			    1));
		} else
			res = ids;
	}
	free(l.v);
	call_finish(c, res, NULL);
}

static void
m_getmempoolentry(struct mempool *m, struct call *c, json_t *params)
{
	struct pool_entry_info e;
	uint8_t txid[32];

	if (callparam_hash(c, params, 0, "parameter 1", txid) != 0)
		return;
	if (pool_get(m->pool, txid, &e) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY,
		    "Transaction not in mempool");
		return;
	}
	call_finish(c, entry_json(m, &e), NULL);
}

/* getmempoolancestors / getmempooldescendants: sorted by txid bytes, as Core's set. */
static void
relatives(struct mempool *m, struct call *c, json_t *params, int up)
{
	struct pool_entry_info e;
	struct idlist l = { NULL, 0, 0 };
	uint8_t txid[32];
	char hex[65];
	json_t *res;
	size_t i;
	int verbose;

	if (callparam_hash(c, params, 0, "parameter 1", txid) != 0 ||
	    callparam_bool(c, params, 1, 0, &verbose) != 0)
		return;
	if ((up ? pool_ancestors : pool_descendants)(m->pool, txid,
	    collect_id, &l) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY,
		    "Transaction not in mempool");
		return;
	}
	if (l.n > 1)
		qsort(l.v, l.n, 32, cmp_txid_bytes);
	res = verbose ? json_object() : json_array();
	for (i = 0; i < l.n; i++) {
		if (!verbose) {
			json_array_append_new(res, json_hash(l.v[i]));
			continue;
		}
		if (pool_get(m->pool, l.v[i], &e) != 0)
			continue;
		hash_to_hex(l.v[i], hex);
		json_object_set_new(res, hex, entry_json(m, &e));
	}
	free(l.v);
	call_finish(c, res, NULL);
}

static void
m_getmempoolancestors(struct mempool *m, struct call *c, json_t *params)
{
	relatives(m, c, params, 1);
}

static void
m_getmempooldescendants(struct mempool *m, struct call *c, json_t *params)
{
	relatives(m, c, params, 0);
}

static void
m_getmempoolinfo(struct mempool *m, struct call *c, json_t *params)
{
	const struct policy *pol = &m->pol;
	int64_t minfee = pool_min_fee(m->pool, pol->max_mempool_bytes);
	json_t *o = json_object();

	(void)params;
	if (minfee < pol->min_relay_fee)
		minfee = pol->min_relay_fee;
	json_object_set_new(o, "loaded", json_boolean(m->loaded));
	json_object_set_new(o, "size",
	    json_integer((json_int_t)pool_count(m->pool)));
	json_object_set_new(o, "bytes",
	    json_integer(pool_total_vsize(m->pool)));
	json_object_set_new(o, "usage",
	    json_integer((json_int_t)pool_usage(m->pool)));
	json_object_set_new(o, "total_fee",
	    rpc_amount(pool_total_fee(m->pool)));
	json_object_set_new(o, "maxmempool",
	    json_integer((json_int_t)pol->max_mempool_bytes));
	json_object_set_new(o, "mempoolminfee", rpc_amount(minfee));
	json_object_set_new(o, "minrelaytxfee", rpc_amount(pol->min_relay_fee));
	json_object_set_new(o, "incrementalrelayfee",
	    rpc_amount(pol->incremental_relay_fee));
	json_object_set_new(o, "unbroadcastcount", json_integer(0));
	json_object_set_new(o, "fullrbf", json_true());
	json_object_set_new(o, "permitbaremultisig",
	    json_boolean(pol->permit_bare_multisig));
	json_object_set_new(o, "maxdatacarriersize",
	    json_integer(pol->datacarrier ?
	    (json_int_t)pol->max_datacarrier_bytes : 0));
	call_finish(c, o, NULL);
}

/* ---- Prioritisation ---- */

/* prioritisetransaction [txid, dummy, fee_delta]. */
static void
m_prioritisetransaction(struct mempool *m, struct call *c, json_t *params)
{
	struct pool_entry_info e;
	uint8_t txid[32];
	json_t *dummy = callparam(params, 1);
	int64_t delta;

	if (callparam_hash(c, params, 0, "txid", txid) != 0)
		return;
	if (dummy != NULL && !json_is_number(dummy)) {
		call_fail(c, RPC_TYPE_ERROR, "JSON value of type %s is not of "
		    "expected type number", json_type_name(dummy));
		return;
	}
	if (callparam(params, 2) == NULL) {
		call_fail(c, RPC_TYPE_ERROR, "JSON value of type null is not "
		    "of expected type number");
		return;
	}
	if (callparam_int(c, params, 2, 0, &delta) != 0)
		return;
	if (dummy != NULL && json_number_value(dummy) != 0) {
		call_fail(c, RPC_INVALID_PARAMETER, "Priority is no longer "
		    "supported, dummy argument to prioritisetransaction must "
		    "be 0.");
		return;
	}
	/* Core 30: a dust output is allowed only at zero fee, kept so. */
	if (m->pol.require_standard && pool_get(m->pool, txid, &e) == 0 &&
	    policy_dust_count(&m->pol, e.tx) > 0) {
		call_fail(c, RPC_INVALID_PARAMETER, "Priority is not supported "
		    "for transactions with dust outputs.");
		return;
	}
	pool_prioritise(m->pool, txid, delta);
	mempool_publish(m);
	call_finish(c, json_true(), NULL);
}

static int
delta_json(void *arg, const uint8_t txid[32], int64_t delta)
{
	struct mempool *m = ((void **)arg)[0];
	json_t *res = ((void **)arg)[1], *o = json_object();
	struct pool_entry_info e;
	char hex[65];
	int in = pool_get(m->pool, txid, &e) == 0;

	json_object_set_new(o, "fee_delta", json_integer(delta));
	json_object_set_new(o, "in_mempool", json_boolean(in));
	if (in)
		json_object_set_new(o, "modified_fee",
		    json_integer(e.modified_fee));
	hash_to_hex(txid, hex);
	json_object_set_new(res, hex, o);
	return 0;
}

static void
m_getprioritisedtransactions(struct mempool *m, struct call *c,
    json_t *params)
{
	json_t *res = json_object();
	void *arg[2] = { m, res };

	(void)params;
	pool_foreach_delta(m->pool, delta_json, arg);
	call_finish(c, res, NULL);
}

static void
m_savemempool(struct mempool *m, struct call *c, json_t *params)
{
	(void)params;
	if (!m->loaded) {
		call_fail(c, RPC_MISC_ERROR, "The mempool was not loaded yet");
		return;
	}
	if (mempool_dump(m) != 0) {
		call_fail(c, RPC_MISC_ERROR, "Unable to dump mempool to disk");
		return;
	}
	call_finish(c, json_pack("{s:s}", "filename", m->datpath), NULL);
}

/* ---- Lookups for other methods ---- */

/* _mempool_gettx [txid]: the pool transaction's hex (with witness), or null. */
static void
m_gettx(struct mempool *m, struct call *c, json_t *params)
{
	struct pool_entry_info e;
	uint8_t txid[32];
	char *hex;
	json_t *res;

	if (callparam_hash(c, params, 0, "txid", txid) != 0)
		return;
	if (pool_get(m->pool, txid, &e) != 0) {
		call_finish(c, json_null(), NULL);
		return;
	}
	hex = hex_encode_alloc(e.raw, e.raw_len);
	res = json_string(hex);
	free(hex);
	call_finish(c, res, NULL);
}

/*
 * _mempool_txout [txid, n]: what the pool says about one output, for
 * gettxout with include_mempool: {"spent": true} when a pool transaction
 * spends it, {"value": sat, "script": hex} when a pool transaction
 * creates it, else {} (ask the UTXO set).
 */
static void
m_txout(struct mempool *m, struct call *c, json_t *params)
{
	struct outpoint op;
	struct txout out;
	uint8_t spender[32];
	int64_t n;
	json_t *o;
	char *hex;

	if (callparam_hash(c, params, 0, "txid", op.hash) != 0 ||
	    callparam_int(c, params, 1, -1, &n) != 0)
		return;
	if (n < 0 || n > UINT32_MAX) {
		call_fail(c, RPC_MISC_ERROR, "JSON integer out of range");
		return;
	}
	op.n = (uint32_t)n;
	o = json_object();
	if (pool_spender(m->pool, &op, spender))
		json_object_set_new(o, "spent", json_true());
	else if (pool_get_output(m->pool, &op, 0, &out)) {
		hex = hex_encode_alloc(out.script, out.script_len);
		json_object_set_new(o, "value", json_integer(out.value));
		json_object_set_new(o, "script", json_string(hex));
		free(hex);
	}
	call_finish(c, o, NULL);
}

/*
 * Reads the outpoint list of the lookups below: [[txid, n], ...], as the
 * RPC server writes it (it has checked every value). 0 with *ops
 * (xmalloc'd, *n entries), or -1 after failing c.
 */
static int
outpoint_list(struct call *c, json_t *params, struct outpoint **ops,
    size_t *n)
{
	json_t *list = callparam(params, 0), *e;
	size_t i;

	*ops = xcalloc(json_array_size(list) + 1, sizeof(**ops));
	*n = 0;
	json_array_foreach(list, i, e) {
		json_t *jn = json_array_get(e, 1);

		if (!json_is_string(json_array_get(e, 0)) ||
		    hash_from_hex(json_string_value(json_array_get(e, 0)),
		    (*ops)[i].hash) == -1 || !json_is_integer(jn) ||
		    json_integer_value(jn) < 0 ||
		    json_integer_value(jn) > UINT32_MAX) {
			free(*ops);
			call_fail(c, RPC_INTERNAL_ERROR, "Bad outpoint list");
			return -1;
		}
		(*ops)[i].n = (uint32_t)json_integer_value(jn);
	}
	*n = json_array_size(list);
	return 0;
}

/*
 * _mempool_spenders [[txid, n], ...]: for each outpoint the txid of the
 * pool transaction that spends it, or null (gettxspendingprevout).
 */
static void
m_spenders(struct mempool *m, struct call *c, json_t *params)
{
	struct outpoint *ops;
	uint8_t spender[32];
	size_t n, i;
	json_t *res;

	if (outpoint_list(c, params, &ops, &n) == -1)
		return;
	res = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(res, pool_spender(m->pool, &ops[i],
		    spender) ? json_hash(spender) : json_null());
	free(ops);
	call_finish(c, res, NULL);
}

/*
 * _mempool_prevouts [[txid, n], ...]: the outputs pool transactions
 * create, as Core's CCoinsViewMemPool shows them to the raw transaction
 * methods: for each outpoint null when no pool transaction has that txid
 * (ask the UTXO set), {} when one has but not that output, else {"value":
 * sat, "script": hex}. Spends inside the pool do not hide an output.
 */
static void
m_prevouts(struct mempool *m, struct call *c, json_t *params)
{
	struct pool_entry_info e;
	struct outpoint *ops;
	const struct txout *o;
	size_t n, i;
	json_t *res, *item;
	char *hex;

	if (outpoint_list(c, params, &ops, &n) == -1)
		return;
	res = json_array();
	for (i = 0; i < n; i++) {
		if (pool_get(m->pool, ops[i].hash, &e) != 0) {
			json_array_append_new(res, json_null());
			continue;
		}
		item = json_object();
		if (ops[i].n < e.tx->vout_count) {
			o = &e.tx->vout[ops[i].n];
			hex = hex_encode_alloc(o->script, o->script_len);
			json_object_set_new(item, "value",
			    json_integer(o->value));
			json_object_set_new(item, "script", json_string(hex));
			free(hex);
		}
		json_array_append_new(res, item);
	}
	free(ops);
	call_finish(c, res, NULL);
}

const struct mempool_rpc_entry mempool_rpc_methods[] = {
	{ "getmempoolancestors", m_getmempoolancestors },
	{ "getmempooldescendants", m_getmempooldescendants },
	{ "getmempoolentry", m_getmempoolentry },
	{ "getmempoolinfo", m_getmempoolinfo },
	{ "getprioritisedtransactions", m_getprioritisedtransactions },
	{ "getrawmempool", m_getrawmempool },
	{ "prioritisetransaction", m_prioritisetransaction },
	{ "savemempool", m_savemempool },
	{ "sendrawtransaction", m_sendrawtransaction },
	{ "testmempoolaccept", m_testmempoolaccept },
	{ "_mempool_gettx", m_gettx },
	{ "_mempool_txout", m_txout },
	{ "_mempool_spenders", m_spenders },
	{ "_mempool_prevouts", m_prevouts },
	{ NULL, NULL },
};
