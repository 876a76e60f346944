/*
 * scantxoutset: a scan of the UTXO set for the scripts of output
 * descriptors, on the calling worker over one store read transaction
 * (nothing of the validation thread's is needed). One scan at a time, as
 * Core; "status" and "abort" reach the running one from any worker.
 * Parameters, errors and result shape follow Bitcoin Core 28.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/xmalloc.h"

struct scan {
	struct rpc_needles nd;
	struct store_rtxn *t;
	int32_t tip_height;
	uint64_t txouts;
	int64_t total;
	json_t *unspents;
};

/* One scan at a time, as Core; progress and abort are shared with "status"/"abort". */
static struct rpc_scan_slot slot;

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
		__atomic_store_n(&slot.progress, op->hash[31] * 100 / 256,
		    __ATOMIC_RELAXED);
		if (__atomic_load_n(&slot.abort, __ATOMIC_RELAXED))
			return 1;
	}
	for (i = 0; i < sc->nd.n; i++)
		if (sc->nd.v[i].len == c->script_len &&
		    memcmp(sc->nd.v[i].script, c->script, c->script_len) == 0)
			break;
	if (i == sc->nd.n)
		return 0;
	sc->total += c->value;
	hex = hex_encode_alloc(c->script, c->script_len);
	u = json_object();
	json_object_set_new(u, "txid", rpc_hash_json(op->hash));
	json_object_set_new(u, "vout", json_integer(op->n));
	json_object_set_new(u, "scriptPubKey", json_string(hex));
	json_object_set_new(u, "desc", json_string(sc->nd.v[i].desc));
	json_object_set_new(u, "amount", rpc_amount(c->value));
	json_object_set_new(u, "coinbase", json_boolean(c->coinbase));
	json_object_set_new(u, "height", json_integer(c->height));
	if (store_get_active_hash(sc->t, c->height, bh) == STORE_OK)
		json_object_set_new(u, "blockhash", rpc_hash_json(bh));
	json_object_set_new(u, "confirmations",
	    json_integer(sc->tip_height - c->height + 1));
	json_array_append_new(sc->unspents, u);
	free(hex);
	return 0;
}

json_t *
rpc_scan_control(struct rpc_scan_slot *s, const char *action, int with_height)
{
	int running = __atomic_load_n(&s->running, __ATOMIC_ACQUIRE);

	if (strcmp(action, "status") == 0) {
		if (!running)
			return json_null();
		if (!with_height)
			return json_pack("{s:i}", "progress",
			    (json_int_t)__atomic_load_n(&s->progress,
				__ATOMIC_RELAXED));
		return json_pack("{s:i,s:i}", "progress",
		    (json_int_t)__atomic_load_n(&s->progress,
			__ATOMIC_RELAXED),
		    "current_height",
		    (json_int_t)__atomic_load_n(&s->height, __ATOMIC_RELAXED));
	}
	if (strcmp(action, "abort") == 0) {
		if (!running)
			return json_false();
		__atomic_store_n(&s->abort, 1, __ATOMIC_RELAXED);
		return json_true();
	}
	return NULL;
}

int
rpc_scan_claim(struct rpc_scan_slot *s, struct rpc_error *err)
{
	if (__atomic_exchange_n(&s->running, 1, __ATOMIC_ACQ_REL)) {
		rpc_fail(err, RPC_MISC_ERROR,
		    "Scan already in progress, use "
		    "action \"abort\" or \"status\"");
		return -1;
	}
	__atomic_store_n(&s->abort, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->progress, 0, __ATOMIC_RELAXED);
	return 0;
}

void
rpc_scan_release(struct rpc_scan_slot *s)
{
	__atomic_store_n(&s->running, 0, __ATOMIC_RELEASE);
}

void
rpc_needles_free(struct rpc_needles *nd)
{
	size_t i;

	for (i = 0; i < nd->n; i++) {
		free(nd->v[i].script);
		free(nd->v[i].desc);
	}
	free(nd->v);
	memset(nd, 0, sizeof(*nd));
}

static void
add_script(const struct chainparams *cp, struct rpc_needles *nd,
    const uint8_t *s, size_t n, const char *inferred)
{
	nd->v = xreallocarray(nd->v, nd->n + 1, sizeof(*nd->v));
	nd->v[nd->n].script = xmemdup(s, n ? n : 1);
	nd->v[nd->n].len = n;
	/* raw() and addr() are inferred from the script alone. */
	nd->v[nd->n].desc = inferred != NULL ? xstrdup(inferred) :
	    rpc_script_descriptor(s, n, cp);
	nd->n++;
}

/*
 * Adds the scripts of one scan object, as Core's
 * EvalDescriptorStringOrObject: a ranged descriptor is expanded over its
 * "range" (0 to 1000 by default). 0, or -1 after failing err.
 */
int
rpc_descriptor_object(const json_t *obj, const char **text, int64_t *lo,
    int64_t *hi, struct rpc_error *err)
{
	json_t *desc, *range;

	*lo = 0;
	*hi = 1000;
	if (json_is_object(obj)) {
		desc = json_object_get(obj, "desc");
		if (desc == NULL || json_is_null(desc)) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Descriptor needs to be provided in scan object");
			return -1;
		}
		if ((*text = json_string_value(desc)) == NULL) {
			rpc_fail(err, RPC_TYPE_ERROR,
			    "JSON value of type %s is not of expected type "
			    "string",
			    rpc_json_type_name(desc));
			return -1;
		}
		range = json_object_get(obj, "range");
		if (range != NULL && !json_is_null(range) &&
		    rpc_descriptor_range(range, lo, hi, err) != 0)
			return -1;
	} else if (json_is_string(obj))
		*text = json_string_value(obj);
	else {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Scan object needs to be either a string or an object");
		return -1;
	}
	return 0;
}

static int
add_needle(const struct chainparams *cp, struct rpc_needles *nd, json_t *obj,
    struct rpc_error *err)
{
	char derr[DESCRIPTOR_ERR_LEN];
	struct descriptor_output o;
	struct descriptor *d;
	const char *text;
	int64_t lo, hi, i;
	size_t k;

	if (rpc_descriptor_object(obj, &text, &lo, &hi, err) != 0)
		return -1;
	if (descriptor_parse(cp, text, 0, &d, derr, sizeof(derr)) != 0) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s", derr);
		return -1;
	}
	if (!descriptor_is_range(d))
		lo = hi = 0;
	for (i = lo; i <= hi; i++) {
		if (descriptor_expand(d, (uint32_t)i, &o) != 0) {
			rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Cannot derive script without private keys: '%s'",
			    text);
			descriptor_free(d);
			return -1;
		}
		for (k = 0; k < o.n; k++)
			add_script(cp, nd, o.script[k], o.len[k],
			    o.inferred[k]);
		descriptor_output_free(&o);
	}
	descriptor_free(d);
	return 0;
}

int
rpc_needles_parse(const struct chainparams *cp, json_t *objs,
    struct rpc_needles *nd, struct rpc_error *err)
{
	size_t i;

	memset(nd, 0, sizeof(*nd));
	for (i = 0; i < json_array_size(objs); i++)
		if (add_needle(cp, nd, json_array_get(objs, i), err) != 0) {
			rpc_needles_free(nd);
			return -1;
		}
	return 0;
}

json_t *
rpc_scantxoutset(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *action = json_string_value(rpc_param(c, 0));
	json_t *objs, *res;
	struct scan sc;
	uint8_t tip[32];
	int rc;

	if (action == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "action is required");
	if ((res = rpc_scan_control(&slot, action, 0)) != NULL)
		return res;
	if (strcmp(action, "start") != 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid action '%s'", action);
	objs = rpc_param(c, 1);
	if (objs == NULL)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "scanobjects argument is required for the start action");
	if (!json_is_array(objs))
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value is not an array as expected");
	if (rpc_scan_claim(&slot, err) != 0)
		return NULL;
	memset(&sc, 0, sizeof(sc));
	if (rpc_needles_parse(sh->cp, objs, &sc.nd, err) != 0) {
		rpc_scan_release(&slot);
		return NULL;
	}
	if (store_read_begin(sh->store, &sc.t) != STORE_OK) {
		rpc_needles_free(&sc.nd);
		rpc_scan_release(&slot);
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	}
	if (store_get_tip(sc.t, tip, &sc.tip_height) != STORE_OK)
		sc.tip_height = -1;
	sc.unspents = json_array();
	rc = store_iter_coins(sc.t, scan_cb, &sc);
	store_read_end(sc.t);
	rpc_needles_free(&sc.nd);
	rpc_scan_release(&slot);
	if (rc < 0) {
		json_decref(sc.unspents);
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	}
	res = json_object();
	json_object_set_new(res, "success", json_boolean(rc == 0));
	json_object_set_new(res, "txouts",
	    json_integer((json_int_t)sc.txouts));
	json_object_set_new(res, "height", json_integer(sc.tip_height));
	json_object_set_new(res, "bestblock", rpc_hash_json(tip));
	json_object_set_new(res, "unspents", sc.unspents);
	json_object_set_new(res, "total_amount", rpc_amount(sc.total));
	return res;
}
