/*
 * Best-chain selection (Core's ActivateBestChain): the active chain moves
 * to the candidate with the most work (ties: the one whose data arrived
 * first), disconnecting back to the fork with undo data and connecting the
 * new branch one block per transaction. A block that fails is marked
 * invalid with all its descendants and the search starts again, which
 * brings the node back to the best chain that is still valid.
 *
 * Also invalidateblock, reconsiderblock and preciousblock, which only
 * change marks and candidates; the caller activates afterwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

struct conn_arg {
	struct bindex *bi;
	const struct block *b;
	struct val_state st;
};

static int
failed(const struct bindex *b)
{
	return (b->e.status & BLOCK_FAILED_MASK) != 0;
}

void
mark_block_failed(struct chainstate *cs, struct bindex *bi)
{
	size_t i;

	cs_lock(cs);
	bi->e.status |= BLOCK_FAILED_VALID;
	cs_mark_dirty(cs, bi);
	cand_remove(&cs->cand, bi);
	for (i = 0; i < cs->map.nall; i++) {
		struct bindex *b = cs->map.all[i];

		if (b->e.height <= bi->e.height ||
		    (b->e.status & BLOCK_FAILED_CHILD) ||
		    bindex_ancestor(b, bi->e.height) != bi)
			continue;
		b->e.status |= BLOCK_FAILED_CHILD;
		cs_mark_dirty(cs, b);
		cand_remove(&cs->cand, b);
	}
	if (cs->best_header == NULL || failed(cs->best_header))
		cs_recompute_best_header(cs);
	cs_unlock(cs);
}

static int
connect_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct conn_arg *a = arg;
	int rc;

	vs_clear(&a->st);
	rc = connect_block(cs, w, a->bi, a->b, 0, &a->st);
	if (rc == 0 && cs->best_header_dirty && cs->best_header)
		rc = store_set_best_header(w, cs->best_header->e.hash);
	return rc;
}

/*
 * Connects bi on top of the tip. 0: connected; 1: invalid (marked);
 * -1: store failure.
 */
static int
connect_one_untimed(struct chainstate *cs, struct bindex *bi)
{
	struct conn_arg a;
	struct block parsed, *b;
	struct store_rtxn *r;
	const uint8_t *raw = NULL;
	size_t len = 0;
	int rc, own = 0, batched = cs_batch_wanted(cs);

	/* Before the block is read: ending a batch reuses cs->rawbuf. */
	if (!batched)
		cs_batch_end(cs);
	memset(&a, 0, sizeof(a));
	a.bi = bi;
	if (bi == cs->watch && cs->watch_block) {
		b = cs->watch_block;
		raw = cs->watch_raw;
		len = cs->watch_len;
	} else {
		if (!bi->pending_raw && cs->batch) {
			/* Stored in the open batch, maybe: read through it. */
			rc = cs_load_block(cs, store_wtxn_reader(cs->batch), bi,
			    &raw, &len, &parsed);
		} else if (!bi->pending_raw) {
			if (store_read_begin(cs->store, &r) != STORE_OK)
				return -1;
			rc = cs_load_block(cs, r, bi, &raw, &len, &parsed);
			store_read_end(r);
		} else
			rc = cs_load_block(cs, NULL, bi, &raw, &len, &parsed);
		if (rc != 0) {
			char hex[65];

			hash_to_hex(bi->e.hash, hex);
			log_warnx("chainstate: block %s is in the index but "
				  "cannot be read",
			    hex);
			return -1;
		}
		b = &parsed;
		own = 1;
		/* Stored data is checked again, as Core's ConnectBlock does. */
		if (check_block(cs, b, 1, 1, &a.st) != 0 ||
		    contextual_check_block(cs, b, bi->parent, &a.st) != 0) {
			rc = -1;
			goto done;
		}
	}
	a.b = b;
	if (batched)
		rc = cs_batch_connect(cs, bi, b, connect_txn, &a, &a.st);
	else
		rc = cs_write(cs, connect_txn, &a);
done:
	if (own)
		block_free(&parsed);
	if (rc == 0) {
		cs_lock(cs);
		bi->e.status |= BLOCK_VALID_HEADER | BLOCK_VALID_TREE |
		    BLOCK_VALID_TX | BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA;
		if (bi->parent)
			bi->e.status |= BLOCK_HAVE_UNDO;
		bi->pending_raw = NULL;
		bi->pending_len = 0;
		bi->dirty = 0;
		cs->best_header_dirty = 0;
		cs->last_connected_len = len;
		chain_set_tip(&cs->chain, bi);
		if (batched)
			cs->batch_hidden++;
		cand_add(&cs->cand, bi);
		cand_prune(&cs->cand, bi);
		cs_unlock(cs);
		cs_log_update_tip(cs);
		if (bi == cs->watch)
			cs->watch_checked = 1;
		if (batched) {
			/* Its hook waits for the commit (syncbatch.c). */
			cs_batch_check(cs);
			return 0;
		}
		/* raw is the caller's block or cs->rawbuf: both still intact. */
		if (cs->hooks.block_connected && raw)
			cs->hooks.block_connected(cs->hooks.arg, &bi->e, raw,
			    len);
		return 0;
	}

	if (!a.st.invalid) {
		char hex[65];

		hash_to_hex(bi->e.hash, hex);
		log_warnx("chainstate: store failure connecting %s: %s", hex,
		    a.st.error ? a.st.debug : store_strerror(rc));
		return -1;
	}
	cs_log_connect_failed(cs, bi, &a.st);
	if (bi == cs->watch) {
		cs->watch_checked = 1;
		cs->watch_state = a.st;
	}
	mark_block_failed(cs, bi);
	return 1;
}

/* -debug=bench: a running total every this many blocks connected. */
#define BENCH_LOG_EVERY 100

void
cs_bench_log(struct chainstate *cs, const char *when)
{
	double conn = cs->bench_connect_us / 1e6;
	double scr = cs->bench_script_us / 1e6;

	log_debug(LOG_BENCH,
	    "scripts %.3f s of %.3f s connect "
	    "(%.1f%%), -par=%d, %llu blocks, %s",
	    scr, conn, conn > 0 ? 100.0 * scr / conn : 0.0,
	    script_batch_threads(cs->scripts),
	    (unsigned long long)cs->bench_blocks, when);
}

/* The chain's block metrics and the status page's recent blocks. */
static void
note_connected(struct chainstate *cs, const struct bindex *bi, int64_t us)
{
	struct metrics_block mb;

	metrics_observe_us(M_CHAIN_BLOCK_VALIDATION, 0, us);
	metrics_inc(M_CHAIN_BLOCKS_CONNECTED, 0);
	metrics_add(M_CHAIN_BLOCK_TXS, 0, bi->e.tx_count);
	memset(&mb, 0, sizeof(mb));
	memcpy(mb.hash, bi->e.hash, 32);
	mb.height = bi->e.height;
	mb.ntx = bi->e.tx_count;
	mb.size = cs->last_connected_len;
	mb.time = bi->e.hdr.time;
	mb.validation_us = us;
	metrics_block_connected(&mb);
}

/*
 * Core's "Connect total" of -debug=bench: reading, checking, connecting
 * and committing a block, with the script checks counted apart. Blocks
 * that fail count too; their time was spent all the same.
 */
static int
connect_one(struct chainstate *cs, struct bindex *bi)
{
	int64_t t0 = time_mono_micros();
	int64_t s0 = script_batch_micros(cs->scripts);
	int64_t us;
	int rc;

	rc = connect_one_untimed(cs, bi);
	us = time_mono_micros() - t0;
	if (rc == 0 && !cs->background)
		note_connected(cs, bi, us);
	cs->bench_connect_us += us;
	cs->bench_script_us += script_batch_micros(cs->scripts) - s0;
	if (++cs->bench_blocks % BENCH_LOG_EVERY == 0)
		cs_bench_log(cs, "running total");
	return rc;
}

/*
 * Tells the block_disconnected hook about bi, which just left the chain.
 * Its bytes are still stored (disconnecting keeps block data); they are
 * copied out so no read transaction is open while the hook runs (it may
 * wait for room in another thread's queue).
 */
static int
notify_disconnected(struct chainstate *cs, struct bindex *bi)
{
	size_t n;

	if (cs->hooks.block_disconnected == NULL)
		return 0;
	if (cs_copy_stored_block(cs, bi->e.hash, &n) != STORE_OK)
		return -1;
	cs->hooks.block_disconnected(cs->hooks.arg, &bi->e, cs->rawbuf, n);
	return 0;
}

/* Disconnects the tip. 0, or -1 on a store failure or inconsistency. */
static int
disconnect_one(struct chainstate *cs)
{
	struct bindex *tip = chain_tip(&cs->chain);
	char hex[65];
	int rc;

	if (tip == NULL || tip->parent == NULL)
		return -1;
	if ((rc = cs_write(cs, disconnect_block_txn, tip)) != 0) {
		hash_to_hex(tip->e.hash, hex);
		log_warnx("chainstate: cannot disconnect %s (%d): undo data "
			  "or coins inconsistent",
		    hex, rc);
		return -1;
	}
	cs_lock(cs);
	chain_set_tip(&cs->chain, tip->parent);
	cs_maybe_candidate(cs, tip->parent);
	cs_unlock(cs);
	if (!cs->background) {
		metrics_inc(M_CHAIN_BLOCKS_DISCONNECTED, 0);
		metrics_block_disconnected(tip->e.height);
	}
	/* An index's new branch starts at the fork: keep its blocks. */
	chainstate_prune_locks_disconnected(cs, tip->e.height);
	cs_log_update_tip(cs);
	if (notify_disconnected(cs, tip) != 0) {
		hash_to_hex(tip->e.hash, hex);
		log_warnx("chainstate: disconnected block %s cannot be read "
			  "back",
		    hex);
		return -1;
	}
	return 0;
}

int
activate_best_chain(struct chainstate *cs, int max_blocks, int *more)
{
	struct bindex *start = chain_tip(&cs->chain), *best, *fork, *tip;
	struct bindex **path = NULL, *b;
	size_t pcap = 0, n, i;
	int connected = 0, disconnected = 0, rc = 0;

	*more = 0;
	for (;;) {
		tip = chain_tip(&cs->chain);
		best = cand_best(&cs->cand);
		if (best == NULL || best == tip ||
		    (tip && !bindex_better(best, tip)))
			break;
		fork = chain_find_fork(&cs->chain, best);
		while (chain_tip(&cs->chain) != fork) {
			if (disconnect_one(cs) != 0) {
				rc = -1;
				goto out;
			}
			disconnected++;
		}
		n = (size_t)(best->e.height - (fork ? fork->e.height : -1));
		if (n > pcap) {
			pcap = n;
			path = xreallocarray(path, pcap, sizeof(*path));
		}
		for (i = n, b = best; i > 0; b = b->parent)
			path[--i] = b;
		for (i = 0; i < n; i++) {
			if (max_blocks > 0 && connected >= max_blocks) {
				*more = 1;
				goto out;
			}
			rc = connect_one(cs, path[i]);
			if (rc < 0)
				goto out;
			if (rc > 0) {
				rc = 0;
				break;
			}
			connected++;
		}
	}
out:
	free(path);
	if (disconnected && !cs->background)
		metrics_inc(M_CHAIN_REORGS, 0);
	/* The reorg's listeners read the store: its blocks first. */
	if (disconnected)
		cs_batch_end(cs);
	if (disconnected && rc == 0 && cs->hooks.reorg_done)
		cs->hooks.reorg_done(cs->hooks.arg);
	if (chain_tip(&cs->chain) != start) {
		cs_tip_moved(cs);
		/* Files below the new tip - 288 may go (-prune). */
		if (rc == 0 && chainstate_prune_auto(cs) != 0)
			rc = -1;
	}
	return rc;
}

int
chainstate_invalidate(struct chainstate *cs, const uint8_t hash[32])
{
	struct bindex *bi = bindex_find(&cs->map, hash), *tip;
	size_t i;
	int moved = 0, rc = 0;

	if (bi == NULL)
		return -1;
	if (bi->parent == NULL)
		return -2;
	/* No undo data below a snapshot's base until it is validated. */
	if (cs->snap_base && bindex_descends(cs->snap_base, bi))
		return -4;
	while (chain_contains(&cs->chain, bi)) {
		tip = chain_tip(&cs->chain);
		if (disconnect_one(cs) != 0) {
			rc = -3;
			break;
		}
		moved = 1;
		if (tip != bi) {
			cs_lock(cs);
			tip->e.status |= BLOCK_FAILED_CHILD;
			cs_mark_dirty(cs, tip);
			cand_remove(&cs->cand, tip);
			cs_unlock(cs);
		}
	}
	if (rc == 0)
		mark_block_failed(cs, bi);
	/* Anything at least as good as the new tip may be chosen now. */
	cs_lock(cs);
	for (i = 0; i < cs->map.nall; i++)
		cs_maybe_candidate(cs, cs->map.all[i]);
	cs_unlock(cs);
	if (cs_flush_dirty(cs) != 0)
		rc = -3;
	if (moved && rc == 0 && cs->hooks.reorg_done)
		cs->hooks.reorg_done(cs->hooks.arg);
	if (moved)
		cs_tip_moved(cs);
	return rc;
}

static void
clear_failure(struct chainstate *cs, struct bindex *b)
{
	if (!failed(b))
		return;
	b->e.status &= ~BLOCK_FAILED_MASK;
	cs_mark_dirty(cs, b);
	cs_maybe_candidate(cs, b);
}

int
chainstate_reconsider(struct chainstate *cs, const uint8_t hash[32])
{
	struct bindex *bi = bindex_find(&cs->map, hash), *b;
	size_t i;

	if (bi == NULL)
		return -1;
	cs_lock(cs);
	for (i = 0; i < cs->map.nall; i++) {
		b = cs->map.all[i];
		if (b->e.height > bi->e.height && failed(b) &&
		    bindex_ancestor(b, bi->e.height) == bi)
			clear_failure(cs, b);
	}
	for (b = bi; b; b = b->parent)
		clear_failure(cs, b);
	cs_recompute_best_header(cs);
	cs_unlock(cs);
	return cs_flush_dirty(cs) == 0 ? 0 : -3;
}

int
chainstate_precious(struct chainstate *cs, const uint8_t hash[32])
{
	struct bindex *bi = bindex_find(&cs->map, hash);
	struct bindex *tip = chain_tip(&cs->chain);

	if (bi == NULL)
		return -1;
	if (bindex_work_cmp(bi, tip) < 0)
		return 0;
	cs_lock(cs);
	/* A new block since the last call: start counting from the top again. */
	if (memcmp(tip->e.chainwork, cs->last_precious_work, 32) > 0)
		cs->precious_seq = -1;
	memcpy(cs->last_precious_work, tip->e.chainwork, 32);
	cand_remove(&cs->cand, bi);
	bi->seq = cs->precious_seq;
	if (cs->precious_seq > INT32_MIN)
		cs->precious_seq--;
	if ((bi->e.status & BLOCK_VALID_TX) && bi->e.chain_tx != 0 &&
	    !failed(bi)) {
		cand_add(&cs->cand, bi);
		cand_prune(&cs->cand, tip);
	}
	cs_unlock(cs);
	return 0;
}
