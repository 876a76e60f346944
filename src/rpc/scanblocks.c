/*
 * scanblocks: which blocks of the active chain may hold the scripts of
 * some output descriptors, from the compact block filter index (BIP158),
 * optionally confirmed against each block and its undo data to drop the
 * filters' false positives. The scan runs on the calling worker, over
 * store read transactions of its own renewed every SCAN_BATCH blocks; one
 * scan at a time, as Core, with "status" and "abort" from any worker.
 * Parameters, errors and result shape follow Bitcoin Core 28.
 */
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "index/blockfilter.h"
#include "index/filterindex.h"
#include "primitives/block.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/xmalloc.h"

#define SCAN_BATCH 1000
/* How long a scan waits for the index to catch up with the tip. */
#define SCAN_TIP_WAIT_MS 30000

/* One scan at a time; "status" and "abort" read and set these. */
static struct rpc_scan_slot slot;

static int
filter_matches(const uint8_t hash[32], const struct store_filter *f,
    const struct rpc_needles *nd)
{
	uint64_t k0, k1;
	size_t i;

	blockfilter_key(hash, &k0, &k1);
	for (i = 0; i < nd->n; i++)
		if (gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M,
			f->filter, f->len, nd->v[i].script, nd->v[i].len) == 1)
			return 1;
	return 0;
}

static int
is_needle(const struct rpc_needles *nd, const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < nd->n; i++)
		if (nd->v[i].len == len &&
		    memcmp(nd->v[i].script, s, len) == 0)
			return 1;
	return 0;
}

/*
 * Core's CheckBlockFilterMatches: an output of the block, or an output one
 * of its inputs spends, has a needle's script. 1, 0, or -1 when the block
 * or its undo data cannot be read.
 */
static int
block_matches(struct store_rtxn *t, const uint8_t hash[32], int32_t height,
    const struct rpc_needles *nd)
{
	struct consensus_coin *spent = NULL;
	const uint8_t *raw, *undo;
	struct block b;
	size_t len, ulen, i, j, k, nspent = 0;
	int found = 0;

	if (store_get_block(t, hash, &raw, &len) != STORE_OK ||
	    store_get_undo(t, hash, &undo, &ulen) != STORE_OK)
		return -1;
	if (rpc_block_spent(raw, len, height > 0 ? undo : NULL, ulen, height,
		&b, &spent) != 0)
		return -1;
	for (i = 0; i < b.tx_count && !found; i++) {
		for (j = 0; j < b.txs[i].vout_count && !found; j++)
			found = is_needle(nd, b.txs[i].vout[j].script,
			    b.txs[i].vout[j].script_len);
		if (i > 0)
			nspent += b.txs[i].vin_count;
	}
	for (k = 0; spent && k < nspent && !found; k++)
		found = is_needle(nd, spent[k].out.script,
		    spent[k].out.script_len);
	block_free(&b);
	free(spent);
	return found;
}

/*
 * Core's active_chain[getInt<int>()]: dflt when v is null; a number that
 * is no int is "JSON integer out of range", a height off the chain (below
 * lo or above the tip) -8 "Invalid NAME". 0 or -1 with err.
 */
static int
height_param(json_t *v, int32_t dflt, int32_t lo, int32_t tip_h,
    const char *name, int32_t *out, struct rpc_error *err)
{
	int h;

	if (v == NULL || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (rpc_get_int(v, &h, err) == -1)
		return -1;
	if (h < lo || h > tip_h) {
		rpc_fail(err, RPC_MISC_ERROR, "Invalid %s", name);
		return -1;
	}
	*out = h;
	return 0;
}

static json_t *
scan(struct rpc_ctx *c, const struct rpc_needles *nd, int32_t from, int32_t to,
    uint8_t type, int check_fp, struct rpc_error *err)
{
	struct store_rtxn *t = NULL;
	struct store_filter f;
	uint8_t hash[32];
	json_t *hits = json_array(), *res;
	int32_t h, last = from;
	int aborted = 0, m;

	for (h = from; h <= to; h++) {
		if (t == NULL || (h - from) % SCAN_BATCH == 0) {
			if (t != NULL)
				store_read_end(t);
			if (rpc_read_begin(c->rpc, &t, err) == -1) {
				json_decref(hits);
				return NULL;
			}
		}
		if (__atomic_load_n(&slot.abort, __ATOMIC_RELAXED)) {
			aborted = 1;
			break;
		}
		__atomic_store_n(&slot.height, h, __ATOMIC_RELAXED);
		__atomic_store_n(&slot.progress,
		    to > from ?
			(int)((int64_t)(h - from) * 100 / (to - from)) :
			100,
		    __ATOMIC_RELAXED);
		if (store_get_active_hash(t, h, hash) != STORE_OK ||
		    store_get_blockfilter(t, type, hash, &f) != STORE_OK) {
			store_read_end(t);
			json_decref(hits);
			return rpc_fail(err, RPC_MISC_ERROR,
			    "Filter not found. "
			    "Block filters are still in the process of being "
			    "indexed.");
		}
		m = filter_matches(hash, &f, nd);
		if (m && check_fp && (m = block_matches(t, hash, h, nd)) < 0) {
			store_read_end(t);
			json_decref(hits);
			return rpc_fail(err, RPC_MISC_ERROR,
			    "Block not found on disk");
		}
		if (m)
			json_array_append_new(hits, rpc_hash_json(hash));
		last = h;
	}
	if (t != NULL)
		store_read_end(t);
	res = json_object();
	json_object_set_new(res, "from_height", json_integer(from));
	json_object_set_new(res, "to_height", json_integer(last));
	json_object_set_new(res, "relevant_blocks", hits);
	json_object_set_new(res, "completed", json_boolean(!aborted));
	return res;
}

static json_t *
m_scanblocks(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *action = json_string_value(rpc_param(c, 0));
	json_t *objs = rpc_param(c, 1), *ft = rpc_param(c, 4),
	       *opts = rpc_param(c, 5), *fp, *res;
	const char *name = ft && !json_is_null(ft) ? json_string_value(ft) :
						     "basic";
	struct rpc_needles nd;
	struct store_rtxn *t;
	uint8_t tip[32], type;
	int32_t tip_h, from, to;

	if (action == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "action is required");
	if ((res = rpc_scan_control(&slot, action, 1)) != NULL)
		return res;
	if (strcmp(action, "start") != 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid action '%s'", action);
	if (name == NULL || blockfilter_type_by_name(name, &type) != 0)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Unknown filtertype");
	fp = json_object_get(opts, "filter_false_positives");
	if (fp != NULL && !json_is_null(fp) && !json_is_boolean(fp))
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value of type %s is "
		    "not of expected type bool",
		    rpc_json_type_name(fp));
	if (sh->fi == NULL || filterindex_type(sh->fi) != type)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Index is not enabled for "
		    "filtertype %s",
		    name);
	/* Core reads the heights next, then the scan objects. */
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, tip, &tip_h) != STORE_OK)
		tip_h = -1;
	store_read_end(t);
	if (height_param(rpc_param(c, 2), 0, 0, tip_h, "start_height", &from,
		err) == -1 ||
	    height_param(rpc_param(c, 3), tip_h, from, tip_h, "stop_height",
		&to, err) == -1)
		return NULL;
	/* Core reads the array unchecked: a missing one is a type error. */
	if (!json_is_array(objs))
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value of type %s is "
		    "not of expected type array",
		    objs ? rpc_json_type_name(objs) : "null");
	if (rpc_scan_claim(&slot, err) != 0)
		return NULL;
	res = NULL;
	if (rpc_needles_parse(sh->cp, objs, &nd, err) != 0)
		goto out;
	/* No read transaction may be held while the index catches up. */
	(void)filterindex_wait_for_tip(sh->fi, SCAN_TIP_WAIT_MS);
	res = scan(c, &nd, from, to, type, json_is_true(fp), err);
	rpc_needles_free(&nd);
out:
	rpc_scan_release(&slot);
	return res;
}

const struct rpc_method rpc_scanblocks_methods[] = {
	{ "scanblocks", "blockchain", m_scanblocks, 0,
	    { { "action", RPC_ARG_STR, 1, NULL,
		  "The action to execute: \"start\" for starting a scan, "
		  "\"abort\" for aborting the current scan (returns true when "
		  "abort was successful), \"status\" for progress report (in %) "
		  "of the current scan" },
		{ "scanobjects", RPC_ARG_ARR, 0, NULL,
		    "Array of scan objects (descriptors raw(HEX) and addr(ADDR), "
		    "or objects with \"desc\"). Required for \"start\" action" },
		{ "start_height", RPC_ARG_NUM, 0, "0",
		    "Height to start to scan from" },
		{ "stop_height", RPC_ARG_NUM, 0, "chain tip",
		    "Height to stop to scan" },
		{ "filtertype", RPC_ARG_STR, 0, "basic",
		    "The type name of the filter" },
		{ "options", RPC_ARG_OPTIONS, 0, NULL,
		    "filter_false_positives "
		    "(boolean, default=false): Filter false positives (slower and "
		    "may fail on pruned nodes). Otherwise they may occur at a rate "
		    "of 1/M" } },
	    "Return relevant blockhashes for given descriptors (requires "
	    "blockfilterindex).\nThis call may take several minutes. Make sure "
	    "to use no RPC timeout (bitroot-cli -rpcclienttimeout=0)",
	    "When action=='status' and no scan is in progress - possibly "
	    "already completed\nnull    (json null)\n\n"
	    "When action=='start'; only returns after scan completes\n"
	    "{                              (json object)\n"
	    "  \"from_height\" : n,             (numeric) The height we started the scan from\n"
	    "  \"to_height\" : n,               (numeric) The height we ended the scan at\n"
	    "  \"relevant_blocks\" : [          (json array) Blocks that may have matched a scanobject.\n"
	    "    \"hex\",                       (string) A relevant blockhash\n"
	    "    ...\n  ],\n"
	    "  \"completed\" : true|false       (boolean) true if the scan process was not aborted\n"
	    "}\n\n"
	    "When action=='status' and a scan is currently in progress\n"
	    "{                    (json object)\n"
	    "  \"progress\" : n,      (numeric) Approximate percent complete\n"
	    "  \"current_height\" : n (numeric) Height of the block currently being scanned\n"
	    "}\n\n"
	    "When action=='abort'\ntrue|false    (boolean) True if scan will be aborted (not necessarily before this RPC returns), or false if there is no scan to abort\n",
	    "start '[\"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)\"]' 300000",
	    RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
