/*
 * Blockchain RPC methods that need the validation state: invalidateblock,
 * reconsiderblock, preciousblock, verifychain, getchaintips, the waitfor*
 * family, syncwithvalidationinterfacequeue (a barrier through the queue)
 * and scantxoutset (on the caller's thread, over one store snapshot).
 * Parameters, errors and result shapes follow Bitcoin Core 30.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "rpc/rpc.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"

#define DEFAULT_CHECKLEVEL 3
#define DEFAULT_CHECKBLOCKS 6

static void
m_invalidateblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t hash[32];
	int rc;

	if (callparam_hash(c, params, 0, "blockhash", hash) != 0)
		return;
	rc = chainstate_invalidate(v->cs, hash);
	if (rc == -1) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
		return;
	}
	/* Core accepts the genesis block and leaves the chain as it is. */
	if (rc == -2) {
		call_finish(c, json_null(), NULL);
		return;
	}
	if (rc == -4) {
		call_fail(c, RPC_MISC_ERROR, "Cannot invalidate a block at or "
		    "below the base of the UTXO snapshot in use before "
		    "background validation has finished");
		return;
	}
	if (rc != 0)
		fatalx("validation: store failure in invalidateblock");
	validation_activate(v);
	call_finish(c, json_null(), NULL);
}

static void
m_reconsiderblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t hash[32];
	int rc;

	if (callparam_hash(c, params, 0, "blockhash", hash) != 0)
		return;
	rc = chainstate_reconsider(v->cs, hash);
	if (rc == -1) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
		return;
	}
	if (rc != 0)
		fatalx("validation: store failure in reconsiderblock");
	validation_activate(v);
	call_finish(c, json_null(), NULL);
}

static void
m_preciousblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t hash[32];

	if (callparam_hash(c, params, 0, "blockhash", hash) != 0)
		return;
	if (chainstate_precious(v->cs, hash) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
		return;
	}
	validation_activate(v);
	call_finish(c, json_null(), NULL);
}

static void
m_verifychain(struct validation *v, struct call *c, json_t *params)
{
	int64_t level, nblocks;

	if (callparam_int(c, params, 0, DEFAULT_CHECKLEVEL, &level) != 0 ||
	    callparam_int(c, params, 1, DEFAULT_CHECKBLOCKS, &nblocks) != 0)
		return;
	call_finish(c, json_boolean(chainstate_verify(v->cs, (int)level,
	    (int)nblocks)), NULL);
}

static void
tip_cb(void *arg, const struct block_index_entry *e, int branchlen,
    const char *status)
{
	json_array_append_new(arg, json_pack("{s:i,s:o,s:i,s:s}", "height",
	    (json_int_t)e->height, "hash", json_hash(e->hash), "branchlen",
	    (json_int_t)branchlen, "status", status));
}

static void
m_getchaintips(struct validation *v, struct call *c, json_t *params)
{
	json_t *out = json_array();

	(void)params;
	chainstate_chain_tips(v->cs, tip_cb, out);
	call_finish(c, out, NULL);
}

static int
wait_timeout(struct call *c, json_t *params, size_t i, int64_t *ms)
{
	if (callparam_int(c, params, i, 0, ms) != 0)
		return -1;
	if (*ms < 0) {
		call_fail(c, RPC_MISC_ERROR, "Negative timeout");
		return -1;
	}
	return 0;
}

static void
m_waitfornewblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t hash[32];
	int64_t ms;

	if (wait_timeout(c, params, 0, &ms) != 0)
		return;
	if (callparam(params, 1)) {
		if (callparam_hash(c, params, 1, "current_tip", hash) != 0)
			return;
		validation_wait_add(v, c, WAIT_NEW_BLOCK, hash, 0, ms);
	} else
		validation_wait_add(v, c, WAIT_NEW_BLOCK, NULL, 0, ms);
}

static void
m_waitforblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t hash[32];
	int64_t ms;

	if (callparam_hash(c, params, 0, "blockhash", hash) != 0 ||
	    wait_timeout(c, params, 1, &ms) != 0)
		return;
	validation_wait_add(v, c, WAIT_BLOCK_HASH, hash, 0, ms);
}

static void
m_waitforblockheight(struct validation *v, struct call *c, json_t *params)
{
	int64_t h, ms;

	if (callparam_int(c, params, 0, -1, &h) != 0 ||
	    wait_timeout(c, params, 1, &ms) != 0)
		return;
	validation_wait_add(v, c, WAIT_HEIGHT, NULL, (int32_t)h, ms);
}

static void
m_syncwithvalidationinterfacequeue(struct validation *v, struct call *c,
    json_t *params)
{
	/*
	 * A barrier: blocks and headers queued before this call (on the
	 * network queue, which the loop serves after calls) are handled,
	 * and their listeners called, before it is answered.
	 */
	(void)params;
	validation_drain_net(v);
	call_finish(c, json_null(), NULL);
}

/* ---- scantxoutset ---- */

struct needle {
	uint8_t *script;
	size_t len;
	char *desc;		/* the inferred descriptor, with checksum */
};

struct scan {
	struct needle *v;
	size_t n;
	struct store_rtxn *t;
	int32_t tip_height;
	uint64_t txouts;
	int64_t total;
	json_t *unspents;
	struct validation *val;
};

/* One scan at a time, as Core; progress and abort are shared with "status"/"abort". */
static int scan_running;	/* atomic */
static int scan_abort;		/* atomic */
static int scan_progress;	/* atomic, percent */

static int
scan_cb(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct scan *sc = arg;
	uint8_t bh[32];
	char *hex;
	size_t i;
	json_t *u;

	sc->txouts++;
	if ((sc->txouts & 0xfff) == 0) {
		__atomic_store_n(&scan_progress, op->hash[31] * 100 / 256,
		    __ATOMIC_RELAXED);
		if (__atomic_load_n(&scan_abort, __ATOMIC_RELAXED))
			return 1;
	}
	for (i = 0; i < sc->n; i++)
		if (sc->v[i].len == c->script_len &&
		    memcmp(sc->v[i].script, c->script, c->script_len) == 0)
			break;
	if (i == sc->n)
		return 0;
	sc->total += c->value;
	hex = hex_encode_alloc(c->script, c->script_len);
	u = json_object();
	json_object_set_new(u, "txid", json_hash(op->hash));
	json_object_set_new(u, "vout", json_integer(op->n));
	json_object_set_new(u, "scriptPubKey", json_string(hex));
	json_object_set_new(u, "desc", json_string(sc->v[i].desc));
	json_object_set_new(u, "amount", rpc_amount(c->value));
	json_object_set_new(u, "coinbase", json_boolean(c->coinbase));
	json_object_set_new(u, "height", json_integer(c->height));
	if (store_get_active_hash(sc->t, c->height, bh) == STORE_OK)
		json_object_set_new(u, "blockhash", json_hash(bh));
	json_object_set_new(u, "confirmations",
	    json_integer(sc->tip_height - c->height + 1));
	json_array_append_new(sc->unspents, u);
	free(hex);
	return 0;
}

static void
free_needles(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->v[i].script);
		free(sc->v[i].desc);
	}
	free(sc->v);
}

/* Adds the script of one scan object; 0, or -1 after failing c. */
static int
add_needle(struct validation *v, struct call *c, struct scan *sc,
    json_t *obj)
{
	char err[DESCRIPTOR_ERR_LEN];
	struct descriptor *d;
	const uint8_t *s;
	const char *text;
	size_t n;

	if (json_is_object(obj)) {
		text = json_string_value(json_object_get(obj, "desc"));
		if (text == NULL) {
			call_fail(c, RPC_INVALID_PARAMETER,
			    "Invalid scan object");
			return -1;
		}
	} else if (json_is_string(obj))
		text = json_string_value(obj);
	else {
		call_fail(c, RPC_INVALID_PARAMETER, "Invalid scan object");
		return -1;
	}
	if (descriptor_parse(v->cp, text, 0, &d, err, sizeof(err)) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "%s", err);
		return -1;
	}
	s = descriptor_script(d, &n);
	sc->v = xreallocarray(sc->v, sc->n + 1, sizeof(*sc->v));
	sc->v[sc->n].script = xmemdup(s, n ? n : 1);
	sc->v[sc->n].len = n;
	sc->v[sc->n].desc = rpc_script_descriptor(s, n, v->cp);
	sc->n++;
	descriptor_free(d);
	return 0;
}

static void
m_scantxoutset(struct validation *v, struct call *c, json_t *params)
{
	const char *action;
	json_t *objs, *res;
	struct scan sc;
	uint8_t tip[32];
	size_t i;
	int rc;

	if (callparam_str(c, params, 0, &action) != 0)
		return;
	if (action == NULL) {
		call_fail(c, RPC_INVALID_PARAMETER, "action is required");
		return;
	}
	if (strcmp(action, "status") == 0) {
		if (!__atomic_load_n(&scan_running, __ATOMIC_ACQUIRE))
			call_finish(c, json_null(), NULL);
		else
			call_finish(c, json_pack("{s:i}", "progress",
			    (json_int_t)__atomic_load_n(&scan_progress,
			    __ATOMIC_RELAXED)), NULL);
		return;
	}
	if (strcmp(action, "abort") == 0) {
		if (!__atomic_load_n(&scan_running, __ATOMIC_ACQUIRE)) {
			call_finish(c, json_false(), NULL);
			return;
		}
		__atomic_store_n(&scan_abort, 1, __ATOMIC_RELAXED);
		call_finish(c, json_true(), NULL);
		return;
	}
	if (strcmp(action, "start") != 0) {
		call_fail(c, RPC_INVALID_PARAMETER, "Invalid action '%s'",
		    action);
		return;
	}
	objs = callparam(params, 1);
	if (objs == NULL) {
		call_fail(c, RPC_MISC_ERROR,
		    "scanobjects argument is required for the start action");
		return;
	}
	if (!json_is_array(objs)) {
		call_fail(c, RPC_TYPE_ERROR,
		    "JSON value is not an array as expected");
		return;
	}
	if (__atomic_exchange_n(&scan_running, 1, __ATOMIC_ACQ_REL)) {
		call_fail(c, RPC_MISC_ERROR, "Scan already in progress, use "
		    "action \"abort\" or \"status\"");
		return;
	}
	__atomic_store_n(&scan_abort, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&scan_progress, 0, __ATOMIC_RELAXED);
	memset(&sc, 0, sizeof(sc));
	sc.val = v;
	for (i = 0; i < json_array_size(objs); i++) {
		if (add_needle(v, c, &sc, json_array_get(objs, i)) != 0) {
			free_needles(&sc);
			__atomic_store_n(&scan_running, 0, __ATOMIC_RELEASE);
			return;
		}
	}
	if (store_read_begin(v->store, &sc.t) != STORE_OK) {
		free_needles(&sc);
		__atomic_store_n(&scan_running, 0, __ATOMIC_RELEASE);
		call_fail(c, RPC_DATABASE_ERROR, "Database read failed");
		return;
	}
	if (store_get_tip(sc.t, tip, &sc.tip_height) != STORE_OK)
		sc.tip_height = -1;
	sc.unspents = json_array();
	rc = store_iter_coins(sc.t, scan_cb, &sc);
	store_read_end(sc.t);
	free_needles(&sc);
	__atomic_store_n(&scan_running, 0, __ATOMIC_RELEASE);
	if (rc < 0) {
		json_decref(sc.unspents);
		call_fail(c, RPC_DATABASE_ERROR, "Database read failed");
		return;
	}
	res = json_object();
	json_object_set_new(res, "success", json_boolean(rc == 0));
	json_object_set_new(res, "txouts", json_integer((json_int_t)sc.txouts));
	json_object_set_new(res, "height", json_integer(sc.tip_height));
	json_object_set_new(res, "bestblock", json_hash(tip));
	json_object_set_new(res, "unspents", sc.unspents);
	json_object_set_new(res, "total_amount", rpc_amount(sc.total));
	call_finish(c, res, NULL);
}

const struct vcall_entry vcall_chain[] = {
	{ "invalidateblock", m_invalidateblock, 0 },
	{ "reconsiderblock", m_reconsiderblock, 0 },
	{ "preciousblock", m_preciousblock, 0 },
	{ "verifychain", m_verifychain, 0 },
	{ "getchaintips", m_getchaintips, 0 },
	{ "waitfornewblock", m_waitfornewblock, 0 },
	{ "waitforblock", m_waitforblock, 0 },
	{ "waitforblockheight", m_waitforblockheight, 0 },
	{ "syncwithvalidationinterfacequeue",
	    m_syncwithvalidationinterfacequeue, 0 },
	{ "scantxoutset", m_scantxoutset, 1 },
	{ NULL, NULL, 0 },
};
