/*
 * -prune on the RPC side: pruneblockchain (served by the validation
 * thread, validation_prune_blockchain) and the pruning fields of
 * getblockchaininfo, with Core's checks, errors and JSON.
 */
#include <string.h>

#include "chain/chainparams.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/log.h"
#include "validation/chainstate.h"
#include "validation/validation.h"

/* Core's MIN_BLOCKS_TO_KEEP and TIMESTAMP_WINDOW. */
#define MIN_BLOCKS_TO_KEEP 288
#define TIMESTAMP_WINDOW (2 * 60 * 60)

int
rpc_have_pruned(struct store_rtxn *t)
{
	const uint8_t *p;
	size_t n;

	return store_get_meta(t, "havepruned", &p, &n) == STORE_OK;
}

int
rpc_prune_mode(struct rpc *rpc)
{
	struct rpc_shared *sh = rpc_shared(rpc);

	return sh->v != NULL && validation_prune_target(sh->v) != 0;
}

void
rpc_prune_json(struct rpc *rpc, json_t *o)
{
	struct rpc_shared *sh = rpc_shared(rpc);
	uint64_t target = sh->v ? validation_prune_target(sh->v) : 0;

	json_object_set_new(o, "pruned", json_boolean(target != 0));
	if (target == 0)
		return;
	json_object_set_new(o, "pruneheight",
	    json_integer(validation_prune_height(sh->v)));
	json_object_set_new(o, "automatic_pruning",
	    json_boolean(target != CHAINSTATE_PRUNE_MANUAL));
	if (target != CHAINSTATE_PRUNE_MANUAL)
		json_object_set_new(o, "prune_target_size",
		    json_integer((json_int_t)target));
}

/*
 * Core's FindEarliestAtLeast on the active chain: the first block whose
 * time, or any earlier block's, is at least t. -1 when none is.
 */
static int32_t
earliest_at_least(struct store_rtxn *r, int32_t tip, int64_t t)
{
	struct block_index_entry e;
	uint8_t h[32];
	int64_t max = 0;
	int32_t i;

	for (i = 0; i <= tip; i++) {
		if (store_get_active_hash(r, i, h) != STORE_OK ||
		    store_get_index(r, h, &e) != STORE_OK)
			return -1;
		if ((int64_t)e.hdr.time > max)
			max = e.hdr.time;
		if (max >= t)
			return i;
	}
	return -1;
}

json_t *
rpc_pruneblockchain(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct request_error e;
	struct store_rtxn *t;
	json_int_t h = json_integer_value(rpc_param(c, 0));
	uint8_t tiph[32];
	int32_t tip, last;

	if (sh->v == NULL || validation_prune_target(sh->v) == 0)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Cannot prune blocks because node is not in prune mode.");
	if (h < 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Negative block height.");
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, tiph, &tip) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
	}
	/* Above 1e9 it is a time: the first block at most 2 h younger. */
	if (h > 1000000000) {
		h = earliest_at_least(t, tip, h - TIMESTAMP_WINDOW);
		if (h < 0) {
			store_read_end(t);
			return rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Could not find block with at least the specified "
			    "timestamp.");
		}
	}
	store_read_end(t);
	if (tip < sh->cp->prune_after_height)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Blockchain is too short for pruning.");
	if (h > tip)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Blockchain is shorter than the attempted prune height.");
	if (h > tip - MIN_BLOCKS_TO_KEEP) {
		log_debug(LOG_RPC, "Attempt to prune blocks close to the tip.  "
				   "Retaining the minimum number of blocks.");
		h = tip - MIN_BLOCKS_TO_KEEP;
	}
	if (validation_prune_blockchain(sh->v, (int32_t)h, &last,
		sh->call_timeout_ms, &e) != 0)
		return rpc_validation_fail(c, &e, err);
	return json_integer(last);
}
