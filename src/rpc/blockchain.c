/*
 * Blockchain methods. Reads go through one short LMDB read transaction per
 * call; JSON is built inside it and nothing borrowed survives it.
 * Methods that change or wait on the chain are in chainctl.c, and
 * scantxoutset in scantxoutset.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "mempool/mempool.h"
#include "primitives/block.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/coinstats.h"
#include "validation/validation.h"

/* Reads the tip; 0 or -1. */
static int
read_tip(struct rpc *r, uint8_t h[32], int32_t *height)
{
	struct store_rtxn *t;
	int rc;

	if (store_read_begin(rpc_shared(r)->store, &t) != STORE_OK)
		return -1;
	rc = store_get_tip(t, h, height);
	store_read_end(t);
	return rc == STORE_OK ? 0 : -1;
}

/* The active tip for getblockcount/getbestblockhash. 0, or -1 with err. */
static int
tip_or_fail(struct rpc_ctx *c, uint8_t hash[32], int32_t *height,
    struct rpc_error *err)
{
	if (read_tip(c->rpc, hash, height) == -1 || *height < 0) {
		rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
		return -1;
	}
	return 0;
}

static json_t *
m_getblockcount(struct rpc_ctx *c, struct rpc_error *err)
{
	uint8_t h[32];
	int32_t height;

	if (tip_or_fail(c, h, &height, err) == -1)
		return NULL;
	return json_integer(height);
}

static json_t *
m_getbestblockhash(struct rpc_ctx *c, struct rpc_error *err)
{
	uint8_t h[32];
	int32_t height;

	if (tip_or_fail(c, h, &height, err) == -1)
		return NULL;
	return rpc_hash_json(h);
}

static json_t *
m_getblockhash(struct rpc_ctx *c, struct rpc_error *err)
{
	struct store_rtxn *t;
	uint8_t h[32];
	int32_t height;
	int rc, want;

	if (rpc_get_int(rpc_param(c, 0), &want, err) == -1)
		return NULL;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, h, &height) != STORE_OK || want < 0 ||
	    want > height) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Block height out of range");
	}
	rc = store_get_active_hash(t, (int32_t)want, h);
	store_read_end(t);
	if (rc != STORE_OK)
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	return rpc_hash_json(h);
}

static json_t *
m_getblockheader(struct rpc_ctx *c, struct rpc_error *err)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	uint8_t h[32], raw[80];
	char hex[161];
	json_t *res, *verbose = rpc_param(c, 1);

	if (rpc_parse_hash(rpc_param(c, 0), "hash", h, err) == -1)
		return NULL;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (verbose && json_is_false(verbose)) {
		if (store_get_index(t, h, &e) != STORE_OK) {
			store_read_end(t);
			return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Block not found");
		}
		store_read_end(t);
		header_serialize(&e.hdr, raw);
		hex_encode(raw, sizeof(raw), hex);
		return json_string(hex);
	}
	res = rpc_header_json(t, h, err);
	store_read_end(t);
	return res;
}

/* Loads the raw block with Core's errors. *raw is a copy the caller frees. */
static int
load_block(struct store_rtxn *t, const uint8_t h[32], uint8_t **raw,
    size_t *len, struct rpc_error *err)
{
	struct block_index_entry e;
	const uint8_t *p;

	if (store_get_index(t, h, &e) != STORE_OK) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
		return -1;
	}
	if (!(e.status & BLOCK_HAVE_DATA)) {
		/* Core's IsBlockPruned: once received (tx count known), then gone. */
		rpc_fail(err, RPC_MISC_ERROR, "%s",
		    e.tx_count > 0 && rpc_have_pruned(t) ?
			"Block not available (pruned data)" :
			"Block not available (not fully downloaded)");
		return -1;
	}
	/* Core's answer when the file cannot give the block back. */
	if (store_get_block(t, h, &p, len) != STORE_OK) {
		rpc_fail(err, RPC_MISC_ERROR, "Block not found on disk");
		return -1;
	}
	*raw = xmemdup(p, *len);
	return 0;
}

static json_t *
m_getblock(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct store_rtxn *t;
	struct block_index_entry e;
	struct block b;
	struct wbuf w;
	struct consensus_coin *spent = NULL;
	const uint8_t *up;
	uint8_t h[32], *raw, *undo = NULL;
	size_t len, ulen = 0, i, k;
	json_t *res, *txs;
	char *hex;
	int verbosity = rpc_param_verbosity(rpc_param(c, 1), 1), rc;

	if (rpc_parse_hash(rpc_param(c, 0), "blockhash", h, err) == -1)
		return NULL;
	if (rpc_check_verbosity(rpc_param(c, 1), err) == -1)
		return NULL;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (load_block(t, h, &raw, &len, err) == -1) {
		store_read_end(t);
		return NULL;
	}
	if (verbosity <= 0) {
		store_read_end(t);
		hex = hex_encode_alloc(raw, len);
		free(raw);
		res = json_string(hex);
		free(hex);
		return res;
	}
	/*
	 * Fees (2) and prevouts (3) come from the undo record, which only
	 * blocks connected once have; Core omits both without it.
	 */
	if (verbosity >= 2) {
		rc = store_get_undo(t, h, &up, &ulen);
		if (rc == STORE_OK) {
			undo = ulen ? xmemdup(up, ulen) : xmalloc(1);
			/* The record is checked against the block's height. */
			if (store_get_index(t, h, &e) != STORE_OK)
				rc = STORE_ERROR;
		}
		if (rc != STORE_OK && rc != STORE_NOTFOUND) {
			free(undo);
			store_read_end(t);
			free(raw);
			return rpc_fail(err, RPC_INTERNAL_ERROR, "%s",
			    RPC_UNDO_UNREADABLE);
		}
	}
	res = rpc_header_json(t, h, err);
	store_read_end(t);
	if (res == NULL) {
		free(undo);
		free(raw);
		return NULL;
	}
	rc = rpc_block_spent(raw, len, undo, ulen, e.height, &b, &spent);
	if (rc != 0) {
		free(undo);
		free(raw);
		json_decref(res);
		return rpc_block_read_fail(err, rc);
	}
	wbuf_init(&w);
	block_serialize(&b, &w, 0);
	json_object_set_new(res, "strippedsize",
	    json_integer((json_int_t)w.len));
	wbuf_free(&w);
	json_object_set_new(res, "size", json_integer((json_int_t)len));
	json_object_set_new(res, "weight",
	    json_integer((json_int_t)consensus_block_weight(&b)));
	txs = json_array();
	for (i = 0, k = 0; i < b.tx_count; i++) {
		if (verbosity == 1)
			json_array_append_new(txs,
			    rpc_hash_json(b.txs[i].txid));
		else
			json_array_append_new(txs,
			    rpc_tx_json_spent(&b.txs[i], cp, 1,
				spent && i > 0 ? spent + k : NULL,
				verbosity >= 3));
		if (i > 0)
			k += b.txs[i].vin_count;
	}
	json_object_set_new(res, "tx", txs);
	block_free(&b);
	free(spent);
	free(undo);
	free(raw);
	return res;
}

static json_t *
m_getdifficulty(struct rpc_ctx *c, struct rpc_error *err)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	uint8_t h[32];
	int32_t height;

	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, h, &height) != STORE_OK ||
	    store_get_index(t, h, &e) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
	}
	store_read_end(t);
	return json_real(arith256_difficulty(e.hdr.bits));
}

/* Bytes the chainstate occupies on disk. */
static int64_t
disk_size(struct rpc *r)
{
	char *p = xasprintf("%s/chainstate/data.mdb",
	    args_chaindir(rpc_shared(r)->args));
	struct stat st;
	int64_t n = 0;

	if (stat(p, &st) == 0)
		n = (int64_t)st.st_blocks * 512;
	free(p);
	return n;
}

/*
 * Core's GuessVerificationProgress without built-in chain statistics: the
 * transaction rate is measured over the last month of our own chain.
 */
double
rpc_verification_progress(struct store_rtxn *t, const struct chainparams *cp,
    const struct block_index_entry *tip)
{
	struct block_index_entry old;
	uint8_t h[32];
	int32_t back = chainparams_progress_back(cp);

	if (tip->height > back &&
	    store_get_active_hash(t, tip->height - back, h) == STORE_OK &&
	    store_get_index(t, h, &old) == STORE_OK)
		return chainparams_progress(tip->chain_tx, tip->hdr.time,
		    old.chain_tx, old.hdr.time, node_time());
	return chainparams_progress(tip->chain_tx, tip->hdr.time, 0, 0,
	    node_time());
}

static json_t *
m_getblockchaininfo(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct block_index_entry tip, best;
	struct store_rtxn *t;
	struct arith256 w;
	uint8_t h[32], bh[32];
	uint64_t blkbytes;
	int32_t height;
	char hex[65];
	json_t *o;

	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, h, &height) != STORE_OK ||
	    store_get_index(t, h, &tip) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
	}
	if (store_get_best_header(t, bh) != STORE_OK ||
	    store_get_index(t, bh, &best) != STORE_OK)
		best = tip;
	o = json_object();
	json_object_set_new(o, "chain", json_string(sh->cp->name));
	json_object_set_new(o, "blocks", json_integer(tip.height));
	json_object_set_new(o, "headers",
	    json_integer(best.height > tip.height ? best.height : tip.height));
	json_object_set_new(o, "bestblockhash", rpc_hash_json(tip.hash));
	rpc_set_bits_json(o, tip.hdr.bits);
	json_object_set_new(o, "time", json_integer(tip.hdr.time));
	json_object_set_new(o, "mediantime",
	    json_integer(rpc_median_time(t, tip.hash)));
	json_object_set_new(o, "verificationprogress",
	    json_real(rpc_verification_progress(t, sh->cp, &tip)));
	/* Core's size_on_disk: the block and undo files (CalculateCurrentUsage). */
	if (store_blockfiles_size(t, &blkbytes) != STORE_OK)
		blkbytes = 0;
	store_read_end(t);
	json_object_set_new(o, "initialblockdownload",
	    json_boolean(sh->v ? validation_is_initial_download(sh->v) : 1));
	arith256_from_be(&w, tip.chainwork);
	arith256_to_hex(&w, hex);
	json_object_set_new(o, "chainwork", json_string(hex));
	json_object_set_new(o, "size_on_disk", json_integer((json_int_t)blkbytes));
	rpc_prune_json(c->rpc, o);
	if (sh->cp->id == CHAIN_SIGNET) {
		char *s = hex_encode_alloc(sh->cp->signet_challenge,
		    sh->cp->signet_challenge_len);

		json_object_set_new(o, "signet_challenge", json_string(s));
		free(s);
	}
	json_object_set_new(o, "warnings", rpc_warnings_json(c->rpc));
	return o;
}

/* ---- getchaintips ---- */

struct tipent {
	uint8_t hash[32];
	uint8_t prev[32];
	int32_t height;
	uint32_t status;
	uint64_t chain_tx;
	int has_child;
};

struct tipcoll {
	struct tipent *v;
	size_t n, cap;
};

static int
collect_cb(void *arg, const struct block_index_entry *e)
{
	struct tipcoll *tc = arg;
	struct tipent *x;

	if (tc->n == tc->cap) {
		tc->cap = tc->cap ? tc->cap * 2 : 1024;
		tc->v = xreallocarray(tc->v, tc->cap, sizeof(*tc->v));
	}
	x = &tc->v[tc->n++];
	memcpy(x->hash, e->hash, 32);
	memcpy(x->prev, e->hdr.prev, 32);
	x->height = e->height;
	x->status = e->status;
	x->chain_tx = e->chain_tx;
	x->has_child = 0;
	return 0;
}

static int
cmp_tipent_hash(const void *a, const void *b)
{
	return memcmp(((const struct tipent *)a)->hash,
	    ((const struct tipent *)b)->hash, 32);
}

static struct tipent *
tip_find(struct tipcoll *tc, const uint8_t h[32])
{
	struct tipent key;

	memcpy(key.hash, h, 32);
	return bsearch(&key, tc->v, tc->n, sizeof(*tc->v), cmp_tipent_hash);
}

static int
cmp_tip_order(const void *a, const void *b)
{
	const struct tipent *const *x = a, *const *y = b;

	if ((*x)->height != (*y)->height)
		return (*x)->height > (*y)->height ? -1 : 1;
	return memcmp((*x)->hash, (*y)->hash, 32);
}

static json_t *
m_getchaintips(struct rpc_ctx *c, struct rpc_error *err)
{
	struct tipcoll tc = { NULL, 0, 0 };
	struct tipent **tips, *p, *f;
	struct store_rtxn *t;
	uint8_t tiphash[32], ah[32];
	int32_t tip_h;
	size_t i, nt = 0;
	json_t *arr, *o;
	const char *status;

	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, tiphash, &tip_h) != STORE_OK ||
	    store_iter_index(t, collect_cb, &tc) != STORE_OK) {
		store_read_end(t);
		free(tc.v);
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	}
	qsort(tc.v, tc.n, sizeof(*tc.v), cmp_tipent_hash);
	for (i = 0; i < tc.n; i++)
		if (tc.v[i].height > 0 && (p = tip_find(&tc, tc.v[i].prev)))
			p->has_child = 1;
	tips = xcalloc(tc.n + 1, sizeof(*tips));
	for (i = 0; i < tc.n; i++)
		if (!tc.v[i].has_child ||
		    memcmp(tc.v[i].hash, tiphash, 32) == 0)
			tips[nt++] = &tc.v[i];
	qsort(tips, nt, sizeof(*tips), cmp_tip_order);
	arr = json_array();
	for (i = 0; i < nt; i++) {
		int active = 0;

		/* Walk back to the fork with the active chain. */
		f = tips[i];
		while (f) {
			if (f->height <= tip_h &&
			    store_get_active_hash(t, f->height, ah) ==
				STORE_OK &&
			    memcmp(ah, f->hash, 32) == 0)
				break;
			f = f->height > 0 ? tip_find(&tc, f->prev) : NULL;
		}
		if (f == tips[i])
			active = 1;
		if (active)
			status = "active";
		else if (tips[i]->status & BLOCK_FAILED_MASK)
			status = "invalid";
		else if (tips[i]->chain_tx == 0)
			status = "headers-only";
		else if (tips[i]->status & BLOCK_VALID_SCRIPTS)
			status = "valid-fork";
		else if (tips[i]->status & BLOCK_VALID_TREE)
			status = "valid-headers";
		else
			status = "unknown";
		o = json_object();
		json_object_set_new(o, "height",
		    json_integer(tips[i]->height));
		json_object_set_new(o, "hash", rpc_hash_json(tips[i]->hash));
		json_object_set_new(o, "branchlen",
		    json_integer(f ? tips[i]->height - f->height :
				     tips[i]->height + 1));
		json_object_set_new(o, "status", json_string(status));
		json_array_append_new(arr, o);
	}
	store_read_end(t);
	free(tips);
	free(tc.v);
	return arr;
}

/* ---- gettxout ---- */

/*
 * What the mempool says about op (include_mempool): 1 when a pool
 * transaction spends it (gettxout answers null), 2 with *coin filled
 * (its script in *script, xmalloc'd) when a pool transaction creates it,
 * 0 to look in the UTXO set, -1 with *err.
 */
static int
txout_in_mempool(struct rpc_ctx *c, const struct outpoint *op,
    struct coin *coin, uint8_t **script, struct rpc_error *err)
{
	struct mempool_outpoints_out ans;
	struct mempool_outpoint_row *row;
	int rc = 0;

	if (rpc_shared(c->rpc)->mp == NULL)
		return 0;
	if (rpc_mempool_outpoints(c->rpc, op, 1, &ans, err) != 0)
		return -1;
	row = &ans.rows[0];
	if (row->spent)
		rc = 1;
	else if (row->has_output) {
		memset(coin, 0, sizeof(*coin));
		coin->value = row->value;
		*script = row->script;
		row->script = NULL;
		coin->script = *script;
		coin->script_len = row->script_len;
		rc = 2;
	}
	mempool_outpoints_out_free(&ans);
	return rc;
}

static json_t *
m_gettxout(struct rpc_ctx *c, struct rpc_error *err)
{
	struct outpoint op;
	struct coin coin;
	struct store_rtxn *t;
	json_t *nv = rpc_param(c, 1), *o;
	const json_t *mp = rpc_param(c, 2);
	uint8_t tip[32], *script = NULL;
	int32_t tip_h;
	int rc, in_pool = 0;

	if (rpc_parse_hash(rpc_param(c, 0), "txid", op.hash, err) == -1)
		return NULL;
	/* Core reads n with getInt<uint32_t>(). */
	if (!json_is_integer(nv) || json_integer_value(nv) < 0 ||
	    json_integer_value(nv) > UINT32_MAX)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "JSON integer out of range");
	op.n = (uint32_t)json_integer_value(nv);
	if (mp == NULL || json_is_true(mp)) {
		/* Spent in the mempool: null, as Core's CCoinsViewMemPool. */
		in_pool = txout_in_mempool(c, &op, &coin, &script, err);
		if (in_pool == -1)
			return NULL;
		if (in_pool == 1)
			return json_null();
	}
	if (rpc_read_begin(c->rpc, &t, err) == -1) {
		free(script);
		return NULL;
	}
	rc = in_pool == 2 ? STORE_OK : store_get_coin(t, &op, &coin);
	if (rc == STORE_NOTFOUND) {
		store_read_end(t);
		return json_null();
	}
	if (rc != STORE_OK || store_get_tip(t, tip, &tip_h) != STORE_OK) {
		store_read_end(t);
		free(script);
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	}
	o = json_object();
	json_object_set_new(o, "bestblock", rpc_hash_json(tip));
	/* Outputs of mempool transactions have no confirmation yet. */
	json_object_set_new(o, "confirmations",
	    json_integer(in_pool == 2 ? 0 : tip_h - coin.height + 1));
	json_object_set_new(o, "value", rpc_amount(coin.value));
	json_object_set_new(o, "scriptPubKey",
	    rpc_script_pubkey_json(coin.script, coin.script_len,
		rpc_shared(c->rpc)->cp, 1, 1));
	json_object_set_new(o, "coinbase", json_boolean(coin.coinbase));
	store_read_end(t);
	free(script);
	return o;
}

/* ---- getchaintxstats ---- */

static json_t *
m_getchaintxstats(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct block_index_entry e, past;
	struct store_rtxn *t;
	uint8_t h[32], ah[32];
	int32_t tip_h;
	int64_t count, diff;
	json_t *o;

	if (rpc_param(c, 1) &&
	    rpc_parse_hash(rpc_param(c, 1), "blockhash", h, err) == -1)
		return NULL;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, ah, &tip_h) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
	}
	if (rpc_param(c, 1) == NULL)
		memcpy(h, ah, 32);
	if (store_get_index(t, h, &e) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block not found");
	}
	if (e.height > tip_h ||
	    store_get_active_hash(t, e.height, ah) != STORE_OK ||
	    memcmp(ah, h, 32) != 0) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Block is not in main chain");
	}
	if (rpc_param(c, 0) == NULL) {
		count = 30 * 24 * 60 * 60 / cp->target_spacing;
		if (count > e.height - 1)
			count = e.height - 1;
		if (count < 0)
			count = 0;
	} else {
		int n;

		if (rpc_get_int(rpc_param(c, 0), &n, err) == -1) {
			store_read_end(t);
			return NULL;
		}
		count = n;
		if (count < 0 || (count > 0 && count >= e.height)) {
			store_read_end(t);
			return rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid block count: should be between 0 and the "
			    "block's height - 1");
		}
	}
	if (store_get_active_hash(t, e.height - (int32_t)count, ah) !=
		STORE_OK ||
	    store_get_index(t, ah, &past) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Database read failed");
	}
	diff = rpc_median_time(t, e.hash) - rpc_median_time(t, past.hash);
	store_read_end(t);
	o = json_object();
	json_object_set_new(o, "time", json_integer(e.hdr.time));
	if (e.chain_tx)
		json_object_set_new(o, "txcount",
		    json_integer((json_int_t)e.chain_tx));
	json_object_set_new(o, "window_final_block_hash",
	    rpc_hash_json(e.hash));
	json_object_set_new(o, "window_final_block_height",
	    json_integer(e.height));
	json_object_set_new(o, "window_block_count", json_integer(count));
	if (count > 0) {
		json_object_set_new(o, "window_interval", json_integer(diff));
		if (e.chain_tx && past.chain_tx) {
			uint64_t wtx = e.chain_tx - past.chain_tx;

			json_object_set_new(o, "window_tx_count",
			    json_integer((json_int_t)wtx));
			if (diff > 0)
				json_object_set_new(o, "txrate",
				    json_real((double)wtx / (double)diff));
		}
	}
	return o;
}

/* ---- getdeploymentinfo ---- */

static json_t *
m_getdeploymentinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct chain_deployment d[CHAIN_MAX_DEPLOYMENTS];
	struct block_index_entry e;
	struct store_rtxn *t;
	uint8_t h[32];
	int32_t tip_h;
	size_t i, n;
	json_t *o, *deps, *x, *b9;
	int active;

	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (rpc_param(c, 0)) {
		if (rpc_parse_hash(rpc_param(c, 0), "blockhash", h, err) ==
		    -1) {
			store_read_end(t);
			return NULL;
		}
	} else if (store_get_tip(t, h, &tip_h) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "No chain tip");
	}
	if (store_get_index(t, h, &e) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block not found");
	}
	store_read_end(t);
	o = json_object();
	json_object_set_new(o, "hash", rpc_hash_json(e.hash));
	json_object_set_new(o, "height", json_integer(e.height));
	deps = json_object();
	n = chainparams_deployments(cp, d, CHAIN_MAX_DEPLOYMENTS);
	for (i = 0; i < n; i++) {
		/* State for the block after this one, as Core reports it. */
		active = d[i].height != DEPLOYMENT_NO_HEIGHT &&
		    e.height + 1 >= d[i].height;
		x = json_object();
		if (d[i].type == DEPLOYMENT_BURIED) {
			json_object_set_new(x, "type", json_string("buried"));
			json_object_set_new(x, "active", json_boolean(active));
			json_object_set_new(x, "height",
			    json_integer(d[i].height));
		} else {
			json_object_set_new(x, "type", json_string("bip9"));
			if (active)
				json_object_set_new(x, "height",
				    json_integer(d[i].height));
			json_object_set_new(x, "active", json_boolean(active));
			/*
			 * No "bit": Core shows it only while a deployment is
			 * started or locked in, states we do not track.
			 */
			b9 = json_object();
			json_object_set_new(b9, "start_time",
			    json_integer(d[i].start_time));
			json_object_set_new(b9, "timeout",
			    json_integer(d[i].timeout));
			json_object_set_new(b9, "min_activation_height",
			    json_integer(d[i].min_activation_height));
			json_object_set_new(b9, "status",
			    json_string(active ? "active" : "defined"));
			json_object_set_new(b9, "since",
			    json_integer(active ? d[i].height : 0));
			json_object_set_new(b9, "status_next",
			    json_string(active ? "active" : "defined"));
			json_object_set_new(x, "bip9", b9);
		}
		json_object_set_new(deps, d[i].name, x);
	}
	json_object_set_new(o, "deployments", deps);
	return o;
}

/* ---- gettxoutsetinfo: on an RPC worker, over one read transaction ---- */

static json_t *
m_gettxoutsetinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *ht = rpc_param(c, 0) ? json_string_value(rpc_param(c, 0)) :
					   "hash_serialized_3";
	struct coinstats st;
	struct store_rtxn *t;
	char hex[65];
	json_t *o;
	int want_muhash, rc;

	if (strcmp(ht, "hash_serialized_3") == 0)
		want_muhash = 0;
	else if (strcmp(ht, "muhash") == 0)
		want_muhash = 1;
	else if (strcmp(ht, "none") == 0)
		want_muhash = 0;
	else
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "'%s' is not a valid hash_type", ht);
	if (rpc_param(c, 1))
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Querying specific block heights requires "
		    "coinstatsindex");
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	rc = coinstats_compute(t, want_muhash, &st);
	store_read_end(t);
	if (rc != 0)
		return rpc_fail(err, RPC_INTERNAL_ERROR,
		    "Unable to read UTXO set");
	o = json_object();
	json_object_set_new(o, "height", json_integer(st.height));
	json_object_set_new(o, "bestblock", rpc_hash_json(st.bestblock));
	json_object_set_new(o, "txouts", json_integer((json_int_t)st.txouts));
	json_object_set_new(o, "bogosize",
	    json_integer((json_int_t)st.bogosize));
	if (strcmp(ht, "hash_serialized_3") == 0) {
		hash_to_hex(st.hash_serialized, hex);
		json_object_set_new(o, "hash_serialized_3", json_string(hex));
	} else if (want_muhash) {
		hash_to_hex(st.muhash, hex);
		json_object_set_new(o, "muhash", json_string(hex));
	}
	json_object_set_new(o, "total_amount", rpc_amount(st.total_amount));
	json_object_set_new(o, "transactions",
	    json_integer((json_int_t)st.transactions));
	json_object_set_new(o, "disk_size", json_integer(disk_size(c->rpc)));
	return o;
}

/* ---- The table ---- */

#define HASH_RESULT "\"hex\"    (string) the block hash, hex-encoded\n"
#define WAIT_RESULT \
	"{                  (json object)\n" \
	"  \"hash\" : \"hex\",   (string) The blockhash\n" \
	"  \"height\" : n      (numeric) Block height\n" \
	"}\n"

#define HEADER_FIELDS \
	"  \"hash\" : \"hex\",                 (string) the block hash (same as provided)\n" \
	"  \"confirmations\" : n,            (numeric) The number of confirmations, or -1 if the block is not on the main chain\n" \
	"  \"height\" : n,                   (numeric) The block height or index\n" \
	"  \"version\" : n,                  (numeric) The block version\n" \
	"  \"versionHex\" : \"hex\",           (string) The block version formatted in hexadecimal\n" \
	"  \"merkleroot\" : \"hex\",           (string) The merkle root\n" \
	"  \"time\" : xxx,                   (numeric) The block time expressed in UNIX epoch time\n" \
	"  \"mediantime\" : xxx,             (numeric) The median block time expressed in UNIX epoch time\n" \
	"  \"nonce\" : n,                    (numeric) The nonce\n" \
	"  \"bits\" : \"hex\",                 (string) nBits: compact representation of the block difficulty target\n" \
	"  \"target\" : \"hex\",               (string) The difficulty target\n" \
	"  \"difficulty\" : n,               (numeric) The difficulty\n" \
	"  \"chainwork\" : \"hex\",            (string) Expected number of hashes required to produce the current chain\n" \
	"  \"nTx\" : n,                      (numeric) The number of transactions in the block\n" \
	"  \"previousblockhash\" : \"hex\",    (string, optional) The hash of the previous block (if available)\n" \
	"  \"nextblockhash\" : \"hex\",        (string, optional) The hash of the next block (if available)\n"

#define EX_HASH \
	"\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\""

const struct rpc_method rpc_blockchain_methods[] = {
	{ "getbestblockhash", "blockchain", m_getbestblockhash, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the hash of the best (tip) block in the most-work "
	    "fully-validated chain.",
	    HASH_RESULT, "", RPC_ON_RPC },
	{ "getblock", "blockchain", m_getblock, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL, "The block hash" },
		{ "verbosity|verbose", RPC_ARG_NUM_OR_BOOL, 0, "1",
		    "0 for hex-encoded data, 1 for a JSON object, 2 for JSON "
		    "object with transaction data, and 3 for JSON object with "
		    "transaction data including prevout information for inputs" } },
	    "If verbosity is 0, returns a string that is serialized, "
	    "hex-encoded data for block 'hash'.\nIf verbosity is 1, returns an "
	    "Object with information about block <hash>.\nIf verbosity is 2, "
	    "returns an Object with information about block <hash> and "
	    "information about each transaction.\nIf verbosity is 3, returns "
	    "an Object with information about block <hash> and information "
	    "about each transaction, including prevout information for "
	    "inputs (only for unpruned blocks in the current best chain).",
	    "Result (for verbosity = 0):\n\"hex\"    (string) A string that is "
	    "serialized, hex-encoded data for block 'hash'\n\n"
	    "Result (for verbosity = 1):\n{\n" HEADER_FIELDS
	    "  \"strippedsize\" : n,             (numeric) The block size excluding witness data\n"
	    "  \"size\" : n,                     (numeric) The block size\n"
	    "  \"weight\" : n,                   (numeric) The block weight as defined in BIP 141\n"
	    "  \"tx\" : [                        (json array) The transaction ids\n"
	    "    \"hex\",                        (string) The transaction id\n"
	    "    ...\n  ]\n}\n\n"
	    "Result (for verbosity = 2):\n{\n"
	    "  ...,                            Same output as verbosity = 1\n"
	    "  \"tx\" : [                        (json array)\n"
	    "    {                             (json object)\n"
	    "      ...,                        The transactions in the format of the getrawtransaction RPC. Different from verbosity = 1 \"tx\" result\n"
	    "      \"fee\" : n                   (numeric) The transaction fee in BTC, omitted if block undo data is not available\n"
	    "    },\n    ...\n  ]\n}\n\n"
	    "Result (for verbosity >= 3):\n{\n"
	    "  ...,                                   Same output as verbosity = 2\n"
	    "  \"tx\" : [                               (json array)\n"
	    "    {                                    (json object)\n"
	    "      \"vin\" : [                          (json array)\n"
	    "        {                                (json object)\n"
	    "          ...,                           The same output as verbosity = 2\n"
	    "          \"prevout\" : {                  (json object) (Only if undo information is available)\n"
	    "            \"generated\" : true|false,    (boolean) Coinbase or not\n"
	    "            \"height\" : n,                (numeric) The height of the prevout\n"
	    "            \"value\" : n,                 (numeric) The value in BTC\n"
	    "            \"scriptPubKey\" : {           (json object)\n"
	    "              \"asm\" : \"str\",             (string) Disassembly of the output script\n"
	    "              \"desc\" : \"str\",            (string) Inferred descriptor for the output\n"
	    "              \"hex\" : \"hex\",             (string) The raw output script bytes, hex-encoded\n"
	    "              \"address\" : \"str\",         (string, optional) The Bitcoin address (only if a well-defined address exists)\n"
	    "              \"type\" : \"str\"             (string) The type (one of: nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, witness_unknown)\n"
	    "            }\n"
	    "          }\n"
	    "        },\n        ...\n      ]\n"
	    "    },\n    ...\n  ]\n}\n",
	    EX_HASH, RPC_ON_RPC },
	{ "getblockchaininfo", "blockchain", m_getblockchaininfo, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns an object containing various state info regarding "
	    "blockchain processing.",
	    "{\n"
	    "  \"chain\" : \"str\",                 (string) current network name (main, test, testnet4, signet, regtest)\n"
	    "  \"blocks\" : n,                    (numeric) the height of the most-work fully-validated chain. The genesis block has height 0\n"
	    "  \"headers\" : n,                   (numeric) the current number of headers we have validated\n"
	    "  \"bestblockhash\" : \"str\",         (string) the hash of the currently best block\n"
	    "  \"bits\" : \"hex\",                  (string) nBits: compact representation of the block difficulty target\n"
	    "  \"target\" : \"hex\",                (string) The difficulty target\n"
	    "  \"difficulty\" : n,                (numeric) the current difficulty\n"
	    "  \"time\" : xxx,                    (numeric) The block time expressed in UNIX epoch time\n"
	    "  \"mediantime\" : xxx,              (numeric) The median block time expressed in UNIX epoch time\n"
	    "  \"verificationprogress\" : n,      (numeric) estimate of verification progress [0..1]\n"
	    "  \"initialblockdownload\" : true|false, (boolean) estimate of whether this node is in Initial Block Download mode\n"
	    "  \"chainwork\" : \"hex\",             (string) total amount of work in active chain, in hexadecimal\n"
	    "  \"size_on_disk\" : n,              (numeric) the estimated size of the block and undo files on disk\n"
	    "  \"pruned\" : true|false,           (boolean) if the blocks are subject to pruning\n"
	    "  \"signet_challenge\" : \"hex\",      (string, optional) the block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)\n"
	    "  \"warnings\" : [                   (json array) any network and blockchain warnings\n"
	    "    \"str\",                         (string) warning\n"
	    "    ...\n  ]\n}\n",
	    "", RPC_ON_RPC },
	{ "getblockcount", "blockchain", m_getblockcount, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the height of the most-work fully-validated chain.\n"
	    "The genesis block has height 0.",
	    "n    (numeric) The current block count\n", "", RPC_ON_RPC },
	{ "getblockhash", "blockchain", m_getblockhash, RPC_F_FAST,
	    { { "height", RPC_ARG_NUM, 1, NULL, "The height index" } },
	    "Returns hash of block in best-block-chain at height provided.",
	    "\"hex\"    (string) The block hash\n", "1000", RPC_ON_RPC },
	{ "getblockheader", "blockchain", m_getblockheader, RPC_F_FAST,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL, "The block hash" },
		{ "verbose", RPC_ARG_BOOL, 0, "true",
		    "true for a json object, false for the hex-encoded data" } },
	    "If verbose is false, returns a string that is serialized, "
	    "hex-encoded data for blockheader 'hash'.\nIf verbose is true, "
	    "returns an Object with information about blockheader <hash>.",
	    "Result (for verbose = true):\n{\n" HEADER_FIELDS "}\n\n"
	    "Result (for verbose=false):\n\"hex\"    (string) A string that is "
	    "serialized, hex-encoded data for block 'hash'\n",
	    EX_HASH, RPC_ON_RPC },
	{ "getchaintips", "blockchain", m_getchaintips, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Return information about all known tips in the block tree, "
	    "including the main chain as well as orphaned branches.",
	    "[                        (json array)\n"
	    "  {                      (json object)\n"
	    "    \"height\" : n,        (numeric) height of the chain tip\n"
	    "    \"hash\" : \"hex\",      (string) block hash of the tip\n"
	    "    \"branchlen\" : n,     (numeric) zero for main chain, otherwise length of branch connecting the tip to the main chain\n"
	    "    \"status\" : \"str\"     (string) status of the chain (active, valid-fork, valid-headers, headers-only, invalid)\n"
	    "  },\n  ...\n]\n",
	    "", RPC_ON_RPC },
	{ "getchaintxstats", "blockchain", m_getchaintxstats, RPC_F_FAST,
	    { { "nblocks", RPC_ARG_NUM, 0, "one month",
		  "Size of the window in number of blocks" },
		{ "blockhash", RPC_ARG_HEX, 0, "chain tip",
		    "The hash of the block that ends the window." } },
	    "Compute statistics about the total number and rate of "
	    "transactions in the chain.",
	    "{\n"
	    "  \"time\" : xxx,                        (numeric) The timestamp for the final block in the window, expressed in UNIX epoch time\n"
	    "  \"txcount\" : n,                       (numeric, optional) The total number of transactions in the chain up to that point, if known\n"
	    "  \"window_final_block_hash\" : \"hex\",   (string) The hash of the final block in the window\n"
	    "  \"window_final_block_height\" : n,     (numeric) The height of the final block in the window.\n"
	    "  \"window_block_count\" : n,            (numeric) Size of the window in number of blocks\n"
	    "  \"window_interval\" : n,               (numeric, optional) The elapsed time in the window in seconds. Only returned if \"window_block_count\" is > 0\n"
	    "  \"window_tx_count\" : n,               (numeric, optional) The number of transactions in the window. Only returned if \"window_block_count\" is > 0 and if txcount exists for the start and end of the window.\n"
	    "  \"txrate\" : n                         (numeric, optional) The average rate of transactions per second in the window. Only returned if \"window_interval\" is > 0 and if window_tx_count exists.\n"
	    "}\n",
	    "2016", RPC_ON_RPC },
	{ "getdeploymentinfo", "blockchain", m_getdeploymentinfo, RPC_F_FAST,
	    { { "blockhash", RPC_ARG_HEX, 0, "hash of current chain tip",
		"The block hash at which to query deployment state" } },
	    "Returns an object containing various state info regarding "
	    "deployments of consensus changes.",
	    "{\n"
	    "  \"hash\" : \"str\",          (string) requested block hash (or tip)\n"
	    "  \"height\" : n,            (numeric) requested block height (or tip)\n"
	    "  \"deployments\" : {        (json object)\n"
	    "    \"xxxx\" : {             (json object) name of the deployment\n"
	    "      \"type\" : \"str\",      (string) one of \"buried\", \"bip9\"\n"
	    "      \"height\" : n,        (numeric, optional) height of the first block which the rules are or will be enforced (only for \"buried\" type, or \"bip9\" type with \"active\" status)\n"
	    "      \"active\" : true|false, (boolean) true if the rules are enforced for the mempool and the next block\n"
	    "      \"bip9\" : {           (json object, optional) status of bip9 softforks (only for \"bip9\" type)\n"
	    "        ...\n      }\n    },\n    ...\n  }\n}\n",
	    "", RPC_ON_RPC },
	{ "getdifficulty", "blockchain", m_getdifficulty, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the proof-of-work difficulty as a multiple of the "
	    "minimum difficulty.",
	    "n    (numeric) the proof-of-work difficulty as a multiple of the "
	    "minimum difficulty.\n",
	    "", RPC_ON_RPC },
	{ "gettxout", "blockchain", m_gettxout, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL, "The transaction id" },
		{ "n", RPC_ARG_NUM, 1, NULL, "vout number" },
		{ "include_mempool", RPC_ARG_BOOL, 0, "true",
		    "Whether to include the mempool." } },
	    "Returns details about an unspent transaction output.",
	    "Result (If the UTXO was not found):\nnull    (json null)\n\n"
	    "Result (Otherwise):\n{\n"
	    "  \"bestblock\" : \"hex\",    (string) The hash of the block at the tip of the chain\n"
	    "  \"confirmations\" : n,    (numeric) The number of confirmations\n"
	    "  \"value\" : n,            (numeric) The transaction value in BTC\n"
	    "  \"scriptPubKey\" : {      (json object)\n"
	    "    \"asm\" : \"str\",        (string) Disassembly of the output script\n"
	    "    \"desc\" : \"str\",       (string) Inferred descriptor for the output\n"
	    "    \"hex\" : \"hex\",        (string) The raw output script bytes, hex-encoded\n"
	    "    \"type\" : \"str\",       (string) The type, eg pubkeyhash\n"
	    "    \"address\" : \"str\"     (string, optional) The Bitcoin address (only if a well-defined address exists)\n"
	    "  },\n"
	    "  \"coinbase\" : true|false (boolean) Coinbase or not\n}\n",
	    "\"txid\" 1", RPC_ON_RPC },
	{ "gettxoutsetinfo", "blockchain", m_gettxoutsetinfo, 0,
	    { { "hash_type", RPC_ARG_STR, 0, "hash_serialized_3",
		  "Which UTXO set hash should be calculated. Options: "
		  "'hash_serialized_3', 'muhash', 'none'." },
		{ "hash_or_height", RPC_ARG_STR_OR_NUM, 0,
		    "the current best block",
		    "The block hash or height of the target height (requires "
		    "coinstatsindex)." },
		{ "use_index", RPC_ARG_BOOL, 0, "true",
		    "Use coinstatsindex, if available." } },
	    "Returns statistics about the unspent transaction output set.\n"
	    "Note this call may take some time.",
	    "{\n"
	    "  \"height\" : n,              (numeric) The block height (index) of the returned statistics\n"
	    "  \"bestblock\" : \"hex\",       (string) The hash of the block at which these statistics are calculated\n"
	    "  \"txouts\" : n,              (numeric) The number of unspent transaction outputs\n"
	    "  \"bogosize\" : n,            (numeric) Database-independent, meaningless metric indicating the UTXO set size\n"
	    "  \"hash_serialized_3\" : \"hex\", (string, optional) The serialized hash (only present if 'hash_serialized_3' hash_type is chosen)\n"
	    "  \"muhash\" : \"hex\",          (string, optional) The serialized hash (only present if 'muhash' hash_type is chosen)\n"
	    "  \"total_amount\" : n,        (numeric) The total amount of coins in the UTXO set\n"
	    "  \"transactions\" : n,        (numeric) The number of transactions with unspent outputs\n"
	    "  \"disk_size\" : n            (numeric) The estimated size of the chainstate on disk\n"
	    "}\n",
	    "", RPC_ON_RPC },
	{ "invalidateblock", "hidden", rpc_invalidateblock, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL,
		"the hash of the block to mark as invalid" } },
	    "Permanently marks a block as invalid, as if it violated a "
	    "consensus rule.",
	    NULL, EX_HASH, RPC_ON_VALIDATION },
	{ "preciousblock", "blockchain", rpc_preciousblock, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL,
		"the hash of the block to mark as precious" } },
	    "Treats a block as if it were received before others with the "
	    "same work.\n\nA later preciousblock call can override the effect "
	    "of an earlier one.\n\nThe effects of preciousblock are not "
	    "retained across restarts.",
	    NULL, EX_HASH, RPC_ON_VALIDATION },
	{ "reconsiderblock", "hidden", rpc_reconsiderblock, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL,
		"the hash of the block to reconsider" } },
	    "Removes invalidity status of a block, its ancestors and its "
	    "descendants, reconsider them for activation.\nThis can be used "
	    "to undo the effects of invalidateblock.",
	    NULL, EX_HASH, RPC_ON_VALIDATION },
	{ "scantxoutset", "blockchain", rpc_scantxoutset, 0,
	    { { "action", RPC_ARG_STR, 1, NULL,
		  "The action to execute: \"start\", \"abort\" or \"status\"" },
		{ "scanobjects", RPC_ARG_ARR, 0, NULL,
		    "Array of scan objects (descriptors raw(HEX) and addr(ADDR), "
		    "or objects with \"desc\")" } },
	    "Scans the unspent transaction output set for entries that match "
	    "certain output descriptors.",
	    "{\n"
	    "  \"success\" : true|false,     (boolean) Whether the scan was completed\n"
	    "  \"txouts\" : n,               (numeric) The number of unspent transaction outputs scanned\n"
	    "  \"height\" : n,               (numeric) The block height at which the scan was done\n"
	    "  \"bestblock\" : \"hex\",        (string) The hash of the block at the tip of the chain\n"
	    "  \"unspents\" : [ ... ],       (json array)\n"
	    "  \"total_amount\" : n          (numeric) The total amount of all found unspent outputs in BTC\n"
	    "}\n",
	    "start '[\"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)\"]'",
	    RPC_ON_RPC },
	{ "pruneblockchain", "blockchain", rpc_pruneblockchain, 0,
	    { { "height", RPC_ARG_NUM, 1, NULL,
		"The block height to prune up to. May be set to a discrete "
		"height, or to a UNIX epoch time\nto prune blocks whose block "
		"time is at least 2 hours older than the provided timestamp." } },
	    "Attempts to delete block and undo data up to a specified height "
	    "or timestamp, if eligible for pruning.\nRequires "
	    "`-prune` to be enabled at startup. While pruned data may be "
	    "re-fetched in some cases (e.g., via `getblockfrompeer`), local "
	    "deletion is irreversible.",
	    "n    (numeric) Height of the last block pruned\n",
	    "1000", RPC_ON_VALIDATION },
	{ "verifychain", "blockchain", rpc_verifychain, 0,
	    { { "checklevel", RPC_ARG_NUM, 0, "3",
		  "How thorough the block verification is" },
		{ "nblocks", RPC_ARG_NUM, 0, "6",
		    "The number of blocks to check, 0 checks all" } },
	    "Verifies blockchain database.",
	    "true|false    (boolean) Verification finished successfully.\n",
	    "", RPC_ON_VALIDATION },
	{ "waitforblock", "blockchain", rpc_waitforblock, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL, "Block hash to wait for." },
		{ "timeout", RPC_ARG_NUM, 0, "0",
		    "Time in milliseconds to wait for a response. 0 indicates no "
		    "timeout." } },
	    "Waits for a specific new block and returns useful info about "
	    "it.\n\nReturns the current block on timeout or exit.\n\nMake sure "
	    "to use no RPC timeout (bitroot-cli -rpcclienttimeout=0)",
	    WAIT_RESULT, EX_HASH " 1000", RPC_ON_VALIDATION },
	{ "waitforblockheight", "blockchain", rpc_waitforblockheight, 0,
	    { { "height", RPC_ARG_NUM, 1, NULL, "Block height to wait for." },
		{ "timeout", RPC_ARG_NUM, 0, "0",
		    "Time in milliseconds to wait for a response. 0 indicates no "
		    "timeout." } },
	    "Waits for (at least) block height and returns the height and "
	    "hash\nof the current tip.\n\nReturns the current block on timeout "
	    "or exit.\n\nMake sure to use no RPC timeout (bitroot-cli "
	    "-rpcclienttimeout=0)",
	    WAIT_RESULT, "100 1000", RPC_ON_VALIDATION },
	{ "waitfornewblock", "blockchain", rpc_waitfornewblock, 0,
	    { { "timeout", RPC_ARG_NUM, 0, "0",
		  "Time in milliseconds to wait for a response. 0 indicates no "
		  "timeout." },
		{ "current_tip", RPC_ARG_HEX, 0, NULL,
		    "Method waits for the chain tip to differ from this." } },
	    "Waits for any new block and returns useful info about it.\n\n"
	    "Returns the current block on timeout or exit.\n\nMake sure to "
	    "use no RPC timeout (bitroot-cli -rpcclienttimeout=0)",
	    WAIT_RESULT, "1000", RPC_ON_VALIDATION },
	{ "syncwithvalidationinterfacequeue", "hidden",
	    rpc_syncwithvalidationinterfacequeue, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Waits for the validation interface queue to catch up on "
	    "everything that was there when we entered this function.",
	    NULL, "", RPC_ON_VALIDATION },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
