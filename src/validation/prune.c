/*
 * Pruning as Core's (-prune): whole block file pairs are deleted once
 * every block in them is more than MIN_BLOCKS_TO_KEEP below the tip;
 * automatically while the files take more than the target, or by hand
 * (pruneblockchain) up to a height. The blocks lose BLOCK_HAVE_DATA and
 * BLOCK_HAVE_UNDO in the same write transaction that drops their records
 * (store_prune_file); the files go after it commits.
 *
 * Validation thread only, outside any write transaction. prune_height is
 * published for the rpc thread (getblockchaininfo) as an atomic.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

/* Core's MIN_BLOCKS_TO_KEEP: a reorganisation this deep keeps its undo data. */
#define MIN_BLOCKS_TO_KEEP 288
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
	p.limit = limit;
	p.target = target;
	if (store_read_begin(cs->store, &r) != 0)
		return -1;
	rc = store_blockfiles_size(r, &p.usage);
	if (rc == 0 && (target == 0 || p.usage >= target))
		rc = store_iter_blockfiles(r, pick_file, &p);
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
	update_prune_height(cs);
}
