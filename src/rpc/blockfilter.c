/*
 * Compact block filters over RPC: getblockfilter, the block filter
 * index's entry in getindexinfo (rawtx.c) and its part of the
 * syncwithvalidationinterfacequeue barrier. The index answers with typed
 * values (index/filterindex.h, store_get_blockfilter); the JSON is made
 * here, on the rpc worker, with the index's status read under its lock and
 * the filter read in a store read transaction of our own.
 */
#include <stdlib.h>
#include <string.h>

#include "index/filterindex.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/*
 * How long getblockfilter waits for the index to reach the tip once it is
 * synced (Core waits for its validation queue to drain; ours is bounded).
 */
#define FILTER_TIP_WAIT_MS 30000

static json_t *
m_getblockfilter(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	json_t *ft = rpc_param(c, 1), *res = NULL;
	const char *name = "basic";
	struct block_index_entry e;
	struct store_filter f;
	struct store_rtxn *t;
	uint8_t hash[32], type;
	char hex[65], *fhex;
	int connected, ready, rc;

	if (rpc_parse_hash(rpc_param(c, 0), "blockhash", hash, err) == -1)
		return NULL;
	if (ft != NULL)
		name = json_string_value(ft);
	if (blockfilter_type_by_name(name, &type) != 0)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Unknown filtertype");
	if (sh->fi == NULL || filterindex_type(sh->fi) != type)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Index is not enabled for "
		    "filtertype %s",
		    name);
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	rc = store_get_index(t, hash, &e);
	store_read_end(t);
	if (rc == STORE_NOTFOUND)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block not found");
	if (rc != STORE_OK)
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	connected = (e.status & BLOCK_VALID_SCRIPTS) &&
	    !(e.status & BLOCK_FAILED_MASK);
	/* No read transaction may be held while we wait for the index. */
	ready = filterindex_wait_for_tip(sh->fi, FILTER_TIP_WAIT_MS);
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_blockfilter(t, type, hash, &f) == STORE_OK) {
		fhex = hex_encode_alloc(f.filter, f.len);
		hash_to_hex(f.header, hex);
		res = json_pack("{s:s,s:s}", "filter", fhex, "header", hex);
		free(fhex);
	}
	store_read_end(t);
	if (res != NULL)
		return res;
	if (!connected)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Filter not "
		    "found. Block was not connected to active chain.");
	if (!ready)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Filter not found. Block "
		    "filters are still in the process of being indexed.");
	return rpc_fail(err, RPC_INTERNAL_ERROR,
	    "Filter not found. This "
	    "error is unexpected and indicates index corruption.");
}

void
rpc_blockfilter_indexinfo(struct rpc *r, const char *want, json_t *res)
{
	struct filterindex_status st;
	struct filterindex *fi = rpc_shared(r)->fi;

	if (fi == NULL)
		return;
	filterindex_status(fi, &st);
	if (want != NULL && *want != '\0' && strcmp(want, st.name) != 0)
		return;
	json_object_set_new(res, st.name,
	    json_pack("{s:b,s:I}", "synced", st.synced, "best_block_height",
		(json_int_t)st.best_height));
}

json_t *
rpc_syncwithvalidationinterfacequeue(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);

	if (rpc_validation_sync(c, err) != 0)
		return NULL;
	/* Every block connected before the barrier is now in the index's queue. */
	if (sh->fi != NULL)
		(void)filterindex_sync(sh->fi, sh->call_timeout_ms);
	return json_null();
}

#define EX_FILTER \
	"\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\" \"basic\""

const struct rpc_method rpc_blockfilter_methods[] = {
	{ "getblockfilter", "blockchain", m_getblockfilter, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL, "The hash of the block" },
		{ "filtertype", RPC_ARG_STR, 0, "\"basic\"",
		    "The type name of the filter" } },
	    "Retrieve a BIP 157 content filter for a particular block.",
	    "{                      (json object)\n"
	    "  \"filter\" : \"hex\",    (string) the hex-encoded filter data\n"
	    "  \"header\" : \"hex\"     (string) the hex-encoded filter header\n"
	    "}\n",
	    EX_FILTER, RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
