/*
 * Automatic and manual pruning on a chainstate (validation/prune.c) with
 * tiny block files: pairs wholly below tip - 288 go until the files fit the
 * target, their blocks lose their data in memory and in the store, and the
 * last 288 blocks are always kept. Prune locks keep what a lagging index
 * still has to read, and a disconnected block moves them back.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testenv.h"
#include "unit.h"
#include "chain/chainparams.h"
#include "store/store.h"
#include "validation/chainstate.h"

struct scan {
	int pruned, kept;
	int32_t max_pruned_height, min_kept_height;
	uint64_t kept_bytes;
};

static int
on_file(void *arg, const struct store_blockfile *f)
{
	struct scan *sc = arg;

	if (f->pruned) {
		sc->pruned++;
		if (f->height_last > sc->max_pruned_height)
			sc->max_pruned_height = f->height_last;
	} else {
		sc->kept++;
		sc->kept_bytes += f->bytes;
		if (f->height_first >= 0 &&
		    (sc->min_kept_height < 0 ||
			f->height_first < sc->min_kept_height))
			sc->min_kept_height = f->height_first;
	}
	return 0;
}

static struct scan
scan_files(struct testenv *e)
{
	struct scan sc = { 0, 0, -1, -1, 0 };
	struct store_rtxn *r;

	if (store_read_begin(e->s, &r) == 0) {
		CHECK(store_iter_blockfiles(r, on_file, &sc) == 0);
		store_read_end(r);
	}
	return sc;
}

/* 1 if the active block at height has its data, 0 if not, -1 on error. */
static int
have_block(struct testenv *e, int32_t height)
{
	struct store_rtxn *r;
	struct block_index_entry ent;
	const uint8_t *p;
	uint8_t h[32];
	size_t len;
	int rc = -1, got;

	if (store_read_begin(e->s, &r) != 0)
		return -1;
	if (store_get_active_hash(r, height, h) == 0 &&
	    store_get_index(r, h, &ent) == 0) {
		got = store_get_block(r, h, &p, &len);
		if (got == 0 && (ent.status & BLOCK_HAVE_DATA))
			rc = 1;
		else if (got == STORE_NOTFOUND &&
		    !(ent.status & (BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO)))
			rc = 0;
	}
	store_read_end(r);
	return rc;
}

/*
 * A chainstate on 4 KiB block files that prunes from height 100 with the
 * given target and locks. 0, or -1 (already reported).
 */
static int
open_small_files(struct testenv *e, uint64_t target,
    const struct chainstate_prune_lock *locks, size_t nlocks)
{
	struct chainstate_opts o;

	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	if (testenv_open(e, "test-prune", &o) != 0) {
		CHECK(0);
		return -1;
	}
	testenv_close_keep(e);
	e->blockfile_size = 4096;
	e->opts.prune_target = target;
	e->opts.prune_locks = locks;
	e->opts.n_prune_locks = nlocks;
	e->cp->prune_after_height = 100;
	if (testenv_reopen(e) != 0) {
		CHECK(0);
		return -1;
	}
	return 0;
}

static void
test_auto_prune(void)
{
	struct testenv e;
	struct scan sc;
	int32_t ph;

	/* A 20,000-byte target. */
	if (open_small_files(&e, 20000, NULL, 0) != 0)
		return;
	CHECK(testenv_mine(&e, 450) == 0);
	CHECK_EQ_INT(testenv_tip(&e).height, 450);
	sc = scan_files(&e);
	CHECK(sc.pruned > 0);
	/* Nothing within 288 of the tip went. */
	CHECK(sc.max_pruned_height <= 450 - 288);
	/* Under the target, or nothing left that may go. */
	CHECK(sc.kept_bytes < 20000 || sc.min_kept_height > 450 - 288 - 30);
	ph = chainstate_prune_height(e.cs);
	CHECK(ph > 0 && ph <= 450 - 288 + 1);
	CHECK_EQ_INT(have_block(&e, 1), 0);
	CHECK_EQ_INT(have_block(&e, ph - 1), 0);
	CHECK_EQ_INT(have_block(&e, ph), 1);
	CHECK_EQ_INT(have_block(&e, 450 - 288), 1);
	CHECK_EQ_INT(have_block(&e, 450), 1);
	CHECK_EQ_INT(chainstate_have_pruned(e.cs), 1);
	/* Reopened: the prune height is found again from the index. */
	testenv_close_keep(&e);
	CHECK(testenv_reopen(&e) == 0);
	CHECK_EQ_INT(chainstate_prune_height(e.cs), ph);
	testenv_close(&e);
}

static void
test_manual_prune(void)
{
	struct testenv e;
	struct scan sc;

	if (open_small_files(&e, CHAINSTATE_PRUNE_MANUAL, NULL, 0) != 0)
		return;
	CHECK(testenv_mine(&e, 400) == 0);
	/* Manual mode never prunes by itself. */
	sc = scan_files(&e);
	CHECK_EQ_INT(sc.pruned, 0);
	CHECK_EQ_INT(chainstate_prune_height(e.cs), 0);
	CHECK_EQ_INT(chainstate_have_pruned(e.cs), 0);
	CHECK(chainstate_prune_manual(e.cs, 50) == 0);
	sc = scan_files(&e);
	CHECK(sc.pruned > 0 && sc.max_pruned_height <= 50);
	CHECK_EQ_INT(have_block(&e, 1), 0);
	CHECK_EQ_INT(have_block(&e, 60), 1);
	/* Asked for everything: clamped to tip - 288. */
	CHECK(chainstate_prune_manual(e.cs, 400) == 0);
	sc = scan_files(&e);
	CHECK(sc.max_pruned_height <= 400 - 288);
	CHECK(chainstate_prune_height(e.cs) > 60);
	CHECK_EQ_INT(have_block(&e, 400 - 288), 1);
	/*
	 * Reopened with its first blocks pruned, the chain still grows: a
	 * pruned block's transactions still count (Core's nTx).
	 */
	testenv_close_keep(&e);
	CHECK(testenv_reopen(&e) == 0);
	CHECK(testenv_mine(&e, 5) == 0);
	CHECK_EQ_INT(testenv_tip(&e).height, 405);
	testenv_close(&e);
}

static void
test_prune_locks(void)
{
	struct chainstate_prune_lock lk[2] = { { "index a", 60 },
		{ "index b", -1 } };
	struct store_rtxn *r;
	struct testenv e;
	struct scan sc;
	uint8_t h[32];
	int a, b;

	if (open_small_files(&e, CHAINSTATE_PRUNE_MANUAL, lk, 2) != 0)
		return;
	a = chainstate_prune_lock_find(e.cs, "index a");
	b = chainstate_prune_lock_find(e.cs, "index b");
	CHECK_EQ_INT(a, 0);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(chainstate_prune_lock_find(e.cs, "index c"), -1);
	CHECK_EQ_INT(chainstate_prune_lock_height(e.cs, a), 60);
	CHECK(testenv_mine(&e, 400) == 0);

	/* An index with no best block holds everything, genesis included. */
	CHECK(chainstate_prune_manual(e.cs, 400) == 0);
	sc = scan_files(&e);
	CHECK_EQ_INT(sc.pruned, 0);
	CHECK_EQ_INT(have_block(&e, 0), 1);
	CHECK_EQ_INT(chainstate_prune_height(e.cs), 0);

	/* The lowest lock, less the 10-block buffer, decides. */
	chainstate_prune_lock_set(e.cs, b, 300);
	CHECK(chainstate_prune_manual(e.cs, 400) == 0);
	sc = scan_files(&e);
	CHECK(sc.pruned > 0);
	CHECK(sc.max_pruned_height <= 60 - 11);
	CHECK_EQ_INT(have_block(&e, 1), 0);
	CHECK_EQ_INT(have_block(&e, 50), 1);
	CHECK_EQ_INT(have_block(&e, 61), 1);
	/* Moved up: pruning follows, still below the lock. */
	chainstate_prune_lock_set(e.cs, a, 100);
	CHECK(chainstate_prune_manual(e.cs, 400) == 0);
	sc = scan_files(&e);
	CHECK(sc.max_pruned_height > 49 && sc.max_pruned_height <= 89);
	CHECK_EQ_INT(have_block(&e, 90), 1);
	/* Without locks in the way the 288 rule is the limit. */
	chainstate_prune_lock_set(e.cs, a, 400);
	chainstate_prune_lock_set(e.cs, b, 400);
	CHECK(chainstate_prune_manual(e.cs, 400) == 0);
	sc = scan_files(&e);
	CHECK(sc.max_pruned_height > 89);
	CHECK(sc.max_pruned_height <= 400 - 288);

	/* Disconnecting 395..400 moves locks above 394 back to 394. */
	chainstate_prune_lock_set(e.cs, b, 200);
	CHECK(store_read_begin(e.s, &r) == 0);
	CHECK(store_get_active_hash(r, 395, h) == 0);
	store_read_end(r);
	CHECK(chainstate_invalidate(e.cs, h) == 0);
	CHECK_EQ_INT(testenv_tip(&e).height, 394);
	CHECK_EQ_INT(chainstate_prune_lock_height(e.cs, a), 394);
	CHECK_EQ_INT(chainstate_prune_lock_height(e.cs, b), 200);
	testenv_close(&e);
}

UNIT_MAIN(UNIT_CASE(test_auto_prune), UNIT_CASE(test_manual_prune),
    UNIT_CASE(test_prune_locks))
