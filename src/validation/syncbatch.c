/*
 * Sync batches: during initial block download the blocks connected on
 * top of the tip share one store write transaction instead of one each.
 *
 * Why: a block's coins are spread over the whole coins table, so each
 * commit rewrites (copy on write) and fdatasyncs one 4 KiB page per
 * coin it spends or creates. At 10 M coins that was about 0.4 s of a
 * block's 0.7 s (doc/benchmarks.md). Pages that several blocks touch are
 * written once per batch, and the flush is paid once per batch.
 *
 * What it costs: a power cut or kill -9 loses the open batch (the store
 * opens at the last commit; the blocks are fetched or imported again),
 * and other threads do not see the batch's blocks until it commits: the
 * chainstate's accessors leave them out (batch_hidden) and everything
 * that reads the store sees the last commit, so the two agree. The
 * hooks (block_connected, tip_changed) are held back until the commit,
 * because their listeners read the store.
 *
 * When a batch ends: its estimated dirty pages reach -dbcache, it is
 * BATCH_MAX_US old, the validation thread runs out of work or is asked
 * something (validation.c), or anything other than a connection on the
 * tip needs a write transaction (cs_txn). The validation thread opens
 * one only with no background chainstate thread writing; that thread
 * (background.c) batches its own blocks, and ends its batch when
 * another writer waits for the store (a bulk write after BG_YIELD_US),
 * or no next block is stored yet.
 */
#include <math.h>
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

/* Bounds what a power cut can take, and how long other threads lag. */
#define BATCH_MAX_US (15 * 1000 * 1000)
/* How long a bulk write may wait for background validation's batch. */
#define BG_YIELD_US (5 * 1000 * 1000)
/* The index entry, undo position, active-chain entry and tip of a block. */
#define PAGES_PER_BLOCK 8
/* A new leaf for about every this many coins added (splits). */
#define COINS_PER_NEW_LEAF 32

int
cs_batch_wanted(struct chainstate *cs)
{
	if (cs->batch_budget == 0)
		return 0;
	/*
	 * Background validation (background.c) is always catching up, but
	 * it shares the store's one writer with the validation thread: it
	 * gives way at once to a write of that thread (or a map resize),
	 * and to the storing of a downloaded block (a bulk write) once its
	 * batch is BG_YIELD_US old. Giving way to those at once made
	 * batches of one block, since the validation thread stores each
	 * block it downloads for the background chainstate in a
	 * transaction of its own.
	 */
	if (cs->background)
		return cs->batch == NULL ||
		    (!store_write_waiting(cs->store, 1) &&
			(time_mono_micros() - cs->batch_start_us <
				BG_YIELD_US ||
			    !store_write_waiting(cs->store, 0)));
	return cs->batch_allowed && chainstate_is_initial_download(cs);
}

/*
 * Makes room for a batch of budget dirty pages: the map must hold the
 * last commit's pages plus twice the budget (freed pages cannot be
 * reused within the transaction that frees them). A map full in the
 * middle of a batch would cost the batch and the node.
 */
static int
batch_room(struct chainstate *cs)
{
	size_t used, size;

	for (;;) {
		if (store_map_room(cs->store, &used, &size) != STORE_OK)
			return -1;
		if (used <= size / 2 &&
		    size - used >= 2 * cs->batch_budget + ((size_t)64 << 20))
			return 0;
		if (store_grow(cs->store) != STORE_OK)
			return -1;
	}
}

static int
batch_begin(struct chainstate *cs)
{
	struct store_wtxn *w;

	if (batch_room(cs) != 0 ||
	    store_write_begin(cs->store, &w) != STORE_OK)
		return -1;
	if (store_txn_use(store_wtxn_reader(w), cs->role) != 0 ||
	    store_coins_pages(store_wtxn_reader(w), &cs->batch_leaf_pages,
		&cs->batch_branch_pages, &cs->batch_page_size) != STORE_OK) {
		store_write_abort(w);
		return -1;
	}
	cs->batch = w;
	cs->batch_start_us = time_mono_micros();
	cs->batch_ops = 0;
	cs->batch_n = 0;
	return 0;
}

/*
 * The batch's dirty pages, estimated from its coin writes: n writes
 * spread uniformly over p leaves touch p(1 - e^(-n/p)) of them (a chain
 * whose spends have locality touches fewer), plus leaves split off by
 * added coins, every branch page at most, and each block's own records.
 */
static uint64_t
batch_dirty_bytes(const struct chainstate *cs)
{
	double p = (double)cs->batch_leaf_pages, n = (double)cs->batch_ops;
	double pages = p > 0 ? p * -expm1(-n / p) : n;

	pages += n / COINS_PER_NEW_LEAF + (double)cs->batch_branch_pages +
	    (double)(cs->batch_n * PAGES_PER_BLOCK);
	return (uint64_t)pages * cs->batch_page_size;
}

/*
 * The places a block writes in the coins table: each coin it spends, and
 * each transaction's new coins (keyed by txid, so they sit side by side).
 */
static uint64_t
block_coin_writes(const struct block *b)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < b->tx_count; i++)
		n += (i > 0 ? b->txs[i].vin_count : 0) + 1;
	return n;
}

int
cs_batch_connect(struct chainstate *cs, struct bindex *bi,
    const struct block *b,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg, const struct val_state *st)
{
	char hex[65];
	int rc;

	if (cs->batch == NULL && batch_begin(cs) != 0)
		return -1;
	if ((rc = fn(cs, cs->batch, arg)) != 0) {
		/* Checks come before writes: an invalid block wrote nothing. */
		if (st->invalid)
			return 1;
		hash_to_hex(bi->e.hash, hex);
		fatalx("validation: store failure connecting %s inside a "
		       "sync batch of %zu blocks (%s); the store keeps its "
		       "last commit, from which the next start resumes",
		    hex, cs->batch_n,
		    st->error ? st->debug : store_strerror(rc));
	}
	cs->batch_ops += block_coin_writes(b);
	if (cs->batch_n == cs->batch_cap) {
		cs->batch_cap = cs->batch_cap ? cs->batch_cap * 2 : 64;
		cs->batch_blocks = xreallocarray(cs->batch_blocks,
		    cs->batch_cap, sizeof(*cs->batch_blocks));
	}
	cs->batch_blocks[cs->batch_n++] = bi;
	return 0;
}

void
cs_batch_check(struct chainstate *cs)
{
	if (cs->batch == NULL)
		return;
	if (batch_dirty_bytes(cs) >= cs->batch_budget ||
	    time_mono_micros() - cs->batch_start_us >= BATCH_MAX_US ||
	    !cs_batch_wanted(cs))
		cs_batch_end(cs);
}

void
cs_batch_end(struct chainstate *cs)
{
	struct bindex *bi, *tip;
	size_t i, n, len;
	char hex[65];
	int rc;

	if (cs->batch == NULL)
		return;
	rc = store_write_commit(cs->batch);
	cs->batch = NULL;
	/*
	 * Its meta page too: the next commit may be seconds away, and a
	 * batch is many blocks, so a power cut takes nothing that returned
	 * (one more flush a batch; at the tip, DATA mode's rule stands).
	 */
	if (rc == STORE_OK)
		rc = store_sync(cs->store);
	if (rc != STORE_OK)
		fatalx("validation: store failure committing a sync batch of "
		       "%zu blocks (%s); the store keeps its last commit, "
		       "from which the next start resumes",
		    cs->batch_n, store_strerror(rc));
	cs->batch_commits++;
	log_debug(LOG_BENCH,
	    "sync batch: %zu blocks, %llu coin writes, ~%llu KiB dirty, "
	    "%.3f s",
	    cs->batch_n, (unsigned long long)cs->batch_ops,
	    (unsigned long long)(batch_dirty_bytes(cs) >> 10),
	    (double)(time_mono_micros() - cs->batch_start_us) / 1e6);
	cs_lock(cs);
	cs->batch_hidden = 0;
	tip = chain_tip(&cs->chain);
	cs_unlock(cs);
	/* The listeners read the store: only now do they hear. */
	n = cs->batch_n;
	cs->batch_n = 0;
	for (i = 0; i < n && cs->hooks.block_connected; i++) {
		bi = cs->batch_blocks[i];
		if (cs_copy_stored_block(cs, bi->e.hash, &len) != STORE_OK) {
			hash_to_hex(bi->e.hash, hex);
			fatalx("validation: block %s, committed a moment ago, "
			       "cannot be read back",
			    hex);
		}
		cs->hooks.block_connected(cs->hooks.arg, &bi->e, cs->rawbuf,
		    len);
	}
	if (cs->batch_tip_owed) {
		cs->batch_tip_owed = 0;
		if (tip && cs->hooks.tip_changed)
			cs->hooks.tip_changed(cs->hooks.arg, &tip->e,
			    chainstate_is_initial_download(cs));
	}
}

struct bindex *
cs_published_tip(struct chainstate *cs)
{
	return chain_at(&cs->chain, cs->chain.height - cs->batch_hidden);
}

int32_t
cs_published_height(struct chainstate *cs)
{
	return cs->chain.height - cs->batch_hidden;
}
