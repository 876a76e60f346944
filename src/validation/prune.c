/*
 * Pruning as Core's (-prune): whole block file pairs are deleted once
 * every block in them is more than MIN_BLOCKS_TO_KEEP below the tip;
 * automatically while the files take more than the target, or by hand
 * (pruneblockchain) up to a height. The blocks lose BLOCK_HAVE_DATA and
 * BLOCK_HAVE_UNDO in the same write transaction that drops their records
 * (store_prune_file); the files go after it commits.
 *
 * Prune locks (chainstate.h) hold pruning below an index that lags; the
 * index moves its own lock, the pruner and a disconnected block only read
 * and lower it.
 *
 * Validation thread only, outside any write transaction. prune_height is
 * published for the rpc thread (getblockchaininfo) as an atomic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

/* Core's MIN_BLOCKS_TO_KEEP: a reorganisation this deep keeps its undo data. */
#define MIN_BLOCKS_TO_KEEP 288
/* Core's PRUNE_LOCK_BUFFER: blocks kept below a lock, for a short reorg. */
#define PRUNE_LOCK_BUFFER 10
/* The meta key (store_put_meta) recording that blocks were pruned once. */
#define META_HAVE_PRUNED "havepruned"

struct pick {
	int32_t limit;	/* files whose blocks are all at or below it */
	uint64_t usage; /* bytes still used, as files are picked */
	uint64_t target;
	uint32_t *files;
	size_t n, cap;
};

static int
pick_file(void *arg, const struct store_blockfile *f)
{
	struct pick *p = arg;

	if (f->pruned || f->current || f->bytes == 0)
		return 0;
	if (p->target != 0 && p->usage < p->target)
		return 1; /* under the target: done */
	if (f->height_last < 0 || f->height_last > p->limit)
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->files = xreallocarray(p->files, p->cap, sizeof(*p->files));
	}
	p->files[p->n++] = f->num;
	p->usage -= f->bytes < p->usage ? f->bytes : p->usage;
	return 0;
}

/* A block whose record a pruned file held: its data is gone. */
static int
lose_data(void *arg, const uint8_t hash[32])
{
	struct chainstate *cs = arg;
	struct bindex *b = bindex_find(&cs->map, hash);

	if (b == NULL)
		return 0;
	cs_lock(cs);
	b->e.status &= ~(BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO);
	if (!chain_contains(&cs->chain, b))
		cand_remove(&cs->cand, b);
	cs_unlock(cs);
	cs_mark_dirty(cs, b);
	return 0;
}

static int
prune_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct pick *p = arg;
	uint8_t one = 1;
	size_t i;
	int rc;

	for (i = 0; i < p->n; i++)
		if ((rc = store_prune_file(w, p->files[i], lose_data, cs)) != 0)
			return rc;
	return store_put_meta(w, META_HAVE_PRUNED, &one, 1);
}

/*
 * Core's GetPruneHeight, plus one: the lowest height from which the active
 * chain has every block's data up to the tip; 0 when nothing is pruned.
 */
static void
update_prune_height(struct chainstate *cs)
{
	struct bindex *b = chain_tip(&cs->chain);
	int32_t h = 0;

	if (b != NULL) {
		while (b->parent != NULL && (b->parent->e.status &
						BLOCK_HAVE_DATA))
			b = b->parent;
		h = b->parent != NULL ? b->e.height : 0;
	}
	__atomic_store_n(&cs->prune_height, h, __ATOMIC_RELAXED);
}

int32_t
chainstate_prune_height(struct chainstate *cs)
{
	return __atomic_load_n(&cs->prune_height, __ATOMIC_RELAXED);
}

int
chainstate_have_pruned(struct chainstate *cs)
{
	struct store_rtxn *r;
	const uint8_t *p;
	size_t n;
	int rc;

	if (store_read_begin(cs->store, &r) != 0)
		return -1;
	rc = store_get_meta(r, META_HAVE_PRUNED, &p, &n);
	store_read_end(r);
	return rc == STORE_OK ? 1 : rc == STORE_NOTFOUND ? 0 : -1;
}

/*
 * The limit lowered to keep the PRUNE_LOCK_BUFFER blocks below every
 * lock and the locked ones above (Core's FlushStateToDisk), logging the
 * lock that decides against the tip, as Core does, even when the caller's
 * limit is lower still. Unlike Core's, the result may go below 1: an
 * index with no best block still needs block 1 and genesis.
 */
static int32_t
apply_locks(struct chainstate *cs, int32_t limit)
{
	struct bindex *tip = chain_tip(&cs->chain);
	int32_t last = tip != NULL ? tip->e.height : 0, h, lock_h;
	const char *limiting = NULL;
	size_t i;

	for (i = 0; i < cs->n_prune_locks; i++) {
		h = __atomic_load_n(&cs->prune_locks[i].height,
		    __ATOMIC_ACQUIRE);
		lock_h = h - PRUNE_LOCK_BUFFER - 1;
		if (lock_h <= last) {
			last = lock_h;
			limiting = cs->prune_locks[i].name;
		}
	}
	if (limiting != NULL)
		log_debug(LOG_PRUNE, "%s limited pruning to height %d",
		    limiting, (int)last);
	return last < limit ? last : limit;
}

static int
prune(struct chainstate *cs, int32_t limit, uint64_t target)
{
	struct store_rtxn *r;
	struct pick p;
	size_t i;
	int rc;

	/*
	 * Background validation of a UTXO snapshot still needs the blocks
	 * below the base: nothing is pruned until it has agreed (Core keeps
	 * them too, more finely; doc/store.md).
	 */
	if (cs->snap_base != NULL) {
		log_debug(LOG_PRUNE, "Prune: skipped while a UTXO snapshot is "
				     "validated in the background");
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.target = target;
	if (store_read_begin(cs->store, &r) != 0)
		return -1;
	rc = store_blockfiles_size(r, &p.usage);
	if (rc == 0 && (target == 0 || p.usage >= target)) {
		p.limit = apply_locks(cs, limit);
		rc = store_iter_blockfiles(r, pick_file, &p);
	}
	store_read_end(r);
	if (rc < 0) {
		free(p.files);
		return -1;
	}
	if (p.n > 0) {
		if (cs_write(cs, prune_txn, &p) != 0 ||
		    cs_flush_dirty(cs) != 0) {
			free(p.files);
			return -1;
		}
		for (i = 0; i < p.n; i++) {
			store_prune_remove(cs->store, p.files[i]);
			log_debug(LOG_PRUNE, "Prune: deleted blk/rev (%05u)",
			    p.files[i]);
		}
		log_info("Prune: %zu block file pair(s) deleted, blocks up to "
			 "height %d may be gone",
		    p.n, (int)limit);
	}
	free(p.files);
	update_prune_height(cs);
	return 0;
}

int
chainstate_prune_auto(struct chainstate *cs)
{
	struct bindex *tip = chain_tip(&cs->chain);

	if (cs->opts.prune_target == 0 ||
	    cs->opts.prune_target == CHAINSTATE_PRUNE_MANUAL ||
	    cs->background || tip == NULL ||
	    tip->e.height <= cs->cp->prune_after_height)
		return 0;
	return prune(cs, tip->e.height - MIN_BLOCKS_TO_KEEP,
	    cs->opts.prune_target);
}

int
chainstate_prune_manual(struct chainstate *cs, int32_t height)
{
	struct bindex *tip = chain_tip(&cs->chain);

	if (tip == NULL)
		return 0;
	if (height > tip->e.height - MIN_BLOCKS_TO_KEEP)
		height = tip->e.height - MIN_BLOCKS_TO_KEEP;
	return prune(cs, height, 0);
}

void
chainstate_prune_init(struct chainstate *cs)
{
	size_t i, n = cs->opts.n_prune_locks;

	if (n > CHAINSTATE_MAX_PRUNE_LOCKS)
		fatalx("chainstate: %zu prune locks, at most %d", n,
		    CHAINSTATE_MAX_PRUNE_LOCKS);
	for (i = 0; i < n; i++) {
		snprintf(cs->prune_locks[i].name,
		    sizeof(cs->prune_locks[i].name), "%s",
		    cs->opts.prune_locks[i].name);
		cs->prune_locks[i].height = cs->opts.prune_locks[i].height;
	}
	cs->n_prune_locks = n;
	/* The caller's array is not ours to keep. */
	cs->opts.prune_locks = NULL;
	cs->opts.n_prune_locks = 0;
	update_prune_height(cs);
}

int
chainstate_prune_lock_find(struct chainstate *cs, const char *name)
{
	size_t i;

	for (i = 0; i < cs->n_prune_locks; i++)
		if (strcmp(cs->prune_locks[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
chainstate_prune_lock_set(struct chainstate *cs, int id, int32_t height)
{
	if (id < 0 || (size_t)id >= cs->n_prune_locks)
		return;
	__atomic_store_n(&cs->prune_locks[id].height, height,
	    __ATOMIC_RELEASE);
}

int32_t
chainstate_prune_lock_height(struct chainstate *cs, int id)
{
	if (id < 0 || (size_t)id >= cs->n_prune_locks)
		return -1;
	return __atomic_load_n(&cs->prune_locks[id].height, __ATOMIC_ACQUIRE);
}

void
chainstate_prune_locks_disconnected(struct chainstate *cs, int32_t height)
{
	int32_t max_h = height - 1, h;
	size_t i;

	for (i = 0; i < cs->n_prune_locks; i++) {
		h = __atomic_load_n(&cs->prune_locks[i].height,
		    __ATOMIC_ACQUIRE);
		/* A value the index set meanwhile is lowered too. */
		while (h > max_h &&
		    !__atomic_compare_exchange_n(&cs->prune_locks[i].height, &h,
			max_h, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if (h > max_h)
			log_debug(LOG_PRUNE, "%s prune lock moved back to %d",
			    cs->prune_locks[i].name, (int)max_h);
	}
}
