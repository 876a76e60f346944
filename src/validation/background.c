/*
 * Background validation (assumeutxo): after a UTXO snapshot became the
 * followed chainstate, the chainstate the node had before goes on from
 * where it was, block by block, up to the snapshot's base block, and then
 * checks that its UTXO set hashes to what the chain parameters promised
 * for that block (Core's background chainstate and
 * MaybeCompleteSnapshotValidation).
 *
 * Design. One thread, "bgvalid", owns a chainstate core of its own
 * (struct chainstate with background set): its active chain, connect
 * scratch and script-check pool, and the store's second chainstate
 * (STORE_CS_OTHER: coins, active chain, tip; undo data is shared). It has
 * no block index: it walks the followed chainstate's, from the base block
 * down through parent pointers, which never change once an entry exists;
 * it reads no field the validation thread changes. Its path is fixed: the
 * base block's ancestors. A tip off that path (the node was on another
 * branch when the snapshot was loaded) is disconnected first.
 *
 * Blocks come from the store, where the validation thread puts every block
 * it accepts; when the next one is not there the thread sleeps until
 * bgval_wake (the validation thread calls it after storing blocks) or a
 * second has passed. Each block is checked again (CheckBlock,
 * ContextualCheckBlock) and connected in a sync batch (syncbatch.c): the
 * blocks connected in a row share one write transaction, which commits
 * when its dirty pages reach -dbcache's coins share, after 15 s, when no
 * next block is stored yet, or when the validation thread waits to write
 * (store_write_waiting): at once for its own chainstate's work, after
 * BG_YIELD_US (syncbatch.c) for a bulk write, the storing of a downloaded
 * block that did not move the tip. A crash loses the open batch; the next
 * start resumes from the last commit.
 *
 * The end is reported once, through the done callback, on this thread:
 * reached the base with the right hash, with another hash, or a block on
 * the way was invalid. Then the thread exits; bgval_stop joins it.
 *
 * Locks: bg->mu (a leaf) guards wake/stop; the chainstate's lock guards its
 * active chain for bgval_tip readers. Neither is held across store I/O.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/coinstats.h"
#include "validation/validation_int.h"

/* A progress line every this many blocks. */
#define BG_LOG_EVERY 1000

struct bgval {
	struct chainstate *cs; /* the background chainstate */
	struct bindex *base;   /* in the followed chainstate's index */
	uint8_t expect[32];    /* hash_serialized_3 at the base */
	void (*done)(void *arg, const struct bg_result *r);
	void *arg;
	int32_t *next; /* atomic: the height it needs next */

	pthread_t thread;
	int started;
	pthread_mutex_t mu; /* guards wake and stop; a leaf */
	pthread_cond_t cv;
	unsigned int wake;
	int stop;
};

static int
stopping(struct bgval *bg)
{
	int s;

	pthread_mutex_lock(&bg->mu);
	s = bg->stop;
	pthread_mutex_unlock(&bg->mu);
	return s;
}

/* Sleeps until woken, stopped or a second has passed since seen. */
static void
wait_for_blocks(struct bgval *bg, unsigned int *seen)
{
	struct timespec ts;

	pthread_mutex_lock(&bg->mu);
	if (!bg->stop && bg->wake == *seen) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		(void)pthread_cond_timedwait(&bg->cv, &bg->mu, &ts);
	}
	*seen = bg->wake;
	pthread_mutex_unlock(&bg->mu);
}

/*
 * The block's bytes from the store, copied to cs->rawbuf and parsed: 0,
 * 1 when the store does not have them yet, -1 on a store failure or a
 * stored block that does not parse.
 */
static int
load_block(struct chainstate *cs, struct bindex *bi, struct block *b)
{
	size_t n;
	int rc;

	rc = cs_copy_stored_block(cs, bi->e.hash, &n);
	if (rc == STORE_NOTFOUND)
		return 1;
	if (rc != STORE_OK)
		return -1;
	return block_parse(cs->rawbuf, n, b) == 0 ? 0 : -1;
}

struct bg_conn {
	struct bindex *bi;
	const struct block *b;
	struct val_state st;
};

static int
bg_connect_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct bg_conn *c = arg;

	vs_clear(&c->st);
	return connect_block(cs, w, c->bi, c->b, 0, &c->st);
}

static void
set_tip(struct bgval *bg, struct bindex *tip)
{
	cs_lock(bg->cs);
	chain_set_tip(&bg->cs->chain, tip);
	cs_unlock(bg->cs);
}

static void
publish_next(struct bgval *bg)
{
	struct bindex *tip = chain_tip(&bg->cs->chain);
	struct bindex *fork = bindex_fork(tip, bg->base);
	int32_t next = fork ? fork->e.height + 1 : 0;

	__atomic_store_n(bg->next, next, __ATOMIC_RELAXED);
}

/* Checks the UTXO set at the base against the promised hash. */
static void
finish(struct bgval *bg, struct bg_result *res)
{
	struct store_rtxn *t;
	struct coinstats st;
	char hex[65];
	int rc;

	log_info("[snapshot] computing UTXO stats for background chainstate "
		 "to validate snapshot - this could take a few minutes");
	if (store_read_begin(bg->cs->store, &t) != STORE_OK)
		fatalx("%s: cannot read the store", __func__);
	rc = store_txn_use(t, STORE_CS_OTHER);
	if (rc == STORE_OK)
		rc = coinstats_compute(t, 0, &st);
	store_read_end(t);
	if (rc != STORE_OK)
		fatalx(
		    "%s: [snapshot] failed to generate stats for validation "
		    "coins db",
		    __func__);
	memcpy(res->got, st.hash_serialized, 32);
	if (st.height != bg->base->e.height ||
	    memcmp(st.bestblock, bg->base->e.hash, 32) != 0) {
		hash_to_hex(st.bestblock, hex);
		snprintf(res->reason, sizeof(res->reason),
		    "the background "
		    "chainstate ended at %s (height %d), not the base block",
		    hex, st.height);
		return;
	}
	res->ok = memcmp(st.hash_serialized, bg->expect, 32) == 0;
	if (!res->ok) {
		char want[65];

		hash_to_hex(bg->expect, want);
		hash_to_hex(st.hash_serialized, hex);
		snprintf(res->reason, sizeof(res->reason),
		    "[snapshot] hash "
		    "mismatch: actual=%s, expected=%s",
		    hex, want);
	}
}

/* One step towards the base. 0: moved; 1: no block yet; 2: ended (res). */
static int
step(struct bgval *bg, struct bg_result *res)
{
	struct chainstate *cs = bg->cs;
	struct bindex *tip = chain_tip(&cs->chain), *next;
	struct bg_conn c;
	struct block b;
	char hex[65];
	int rc;

	if (tip == bg->base) {
		cs_batch_end(cs);
		finish(bg, res);
		return 2;
	}
	if (bindex_ancestor(bg->base, tip->e.height) != tip) {
		/* Another branch: back to where it meets the base's. */
		if (cs_write(cs, disconnect_block_txn, tip) != 0) {
			hash_to_hex(tip->e.hash, hex);
			fatalx("%s: cannot disconnect %s from the background "
			       "chainstate: undo data or coins inconsistent",
			    __func__, hex);
		}
		set_tip(bg, tip->parent);
		publish_next(bg);
		return 0;
	}
	next = bindex_ancestor(bg->base, tip->e.height + 1);
	rc = load_block(cs, next, &b);
	if (rc == 1) {
		/* The validation thread must be free to store it. */
		cs_batch_end(cs);
		return 1;
	}
	if (rc != 0) {
		hash_to_hex(next->e.hash, hex);
		fatalx("%s: block %s cannot be read back from the store",
		    __func__, hex);
	}
	memset(&c, 0, sizeof(c));
	c.bi = next;
	c.b = &b;
	if (check_block(cs, &b, 1, 1, &c.st) == 0 &&
	    contextual_check_block(cs, &b, next->parent, &c.st) == 0)
		rc = cs_batch_wanted(cs) ?
		    cs_batch_connect(cs, next, &b, bg_connect_txn, &c, &c.st) :
		    cs_write(cs, bg_connect_txn, &c);
	else
		rc = -1;
	block_free(&b);
	if (rc != 0) {
		/* What the batch connected before it stays. */
		cs_batch_end(cs);
		if (!c.st.invalid) {
			hash_to_hex(next->e.hash, hex);
			fatalx("%s: store failure connecting %s in the "
			       "background chainstate: %s",
			    __func__, hex,
			    c.st.error ? c.st.debug : store_strerror(rc));
		}
		cs_log_reject(next->e.hash, "block", &c.st);
		res->invalid_block = 1;
		memcpy(res->block, next->e.hash, 32);
		snprintf(res->reason, sizeof(res->reason), "%s", c.st.reason);
		return 2;
	}
	set_tip(bg, next);
	publish_next(bg);
	cs_batch_check(cs);
	if (next->e.height % BG_LOG_EVERY == 0) {
		/* Core's "[background validation] UpdateTip", as often. */
		cs_log_update_tip(bg->cs);
		log_info("[background validation] height %d of %d",
		    next->e.height, bg->base->e.height);
	}
	return 0;
}

static void *
bg_main(void *arg)
{
	struct bgval *bg = arg;
	struct bg_result res;
	struct bindex *tip;
	unsigned int seen = 0;
	int rc = 0;

	log_thread_name("bgvalid");
	memset(&res, 0, sizeof(res));
	while (!stopping(bg)) {
		if ((rc = step(bg, &res)) == 2)
			break;
		if (rc == 1)
			wait_for_blocks(bg, &seen);
	}
	/* The batch's transaction belongs to this thread. */
	cs_batch_end(bg->cs);
	if (rc != 2)
		return NULL;
	tip = chain_tip(&bg->cs->chain);
	res.height = tip->e.height;
	memcpy(res.tip, tip->e.hash, 32);
	bg->done(bg->arg, &res);
	return NULL;
}

struct bgval *
bgval_start(struct chainstate *main, struct bindex *tip,
    const uint8_t expect[32], void (*done)(void *, const struct bg_result *),
    void *arg, int32_t *next)
{
	struct bgval *bg = xcalloc(1, sizeof(*bg));
	struct chainstate *cs = xcalloc(1, sizeof(*cs));
	char hex[65];

	cs->cp = main->cp;
	cs->store = main->store;
	cs->opts = main->opts;
	cs->opts.txindex = 0;
	cs->opts.snapshot = 0;
	cs->background = 1;
	cs->role = STORE_CS_OTHER;
	pthread_mutex_init(&cs->lock, NULL);
	bindex_map_init(&cs->map);
	chain_init(&cs->chain);
	cand_init(&cs->cand);
	chain_set_tip(&cs->chain, tip);
	cs->batch_budget = cs->opts.batch_bytes;
	cs->scripts = script_batch_new(cs->opts.script_threads,
	    cs->opts.sigcache);
	bg->cs = cs;
	bg->base = main->snap_base;
	memcpy(bg->expect, expect, 32);
	bg->done = done;
	bg->arg = arg;
	bg->next = next;
	pthread_mutex_init(&bg->mu, NULL);
	pthread_cond_init(&bg->cv, NULL);
	publish_next(bg);
	hash_to_hex(bg->base->e.hash, hex);
	log_info("[background validation] from height %d to the snapshot's "
		 "base %s (height %d)",
	    tip->e.height, hex, bg->base->e.height);
	if (pthread_create(&bg->thread, NULL, bg_main, bg) != 0)
		fatalx("%s: cannot start the background validation thread",
		    __func__);
	bg->started = 1;
	return bg;
}

void
bgval_wake(struct bgval *bg)
{
	pthread_mutex_lock(&bg->mu);
	bg->wake++;
	pthread_cond_signal(&bg->cv);
	pthread_mutex_unlock(&bg->mu);
}

void
bgval_stop(struct bgval *bg)
{
	if (bg == NULL)
		return;
	pthread_mutex_lock(&bg->mu);
	bg->stop = 1;
	pthread_cond_signal(&bg->cv);
	pthread_mutex_unlock(&bg->mu);
	if (bg->started)
		pthread_join(bg->thread, NULL);
	__atomic_store_n(bg->next, -1, __ATOMIC_RELAXED);
	chainstate_close(bg->cs);
	pthread_cond_destroy(&bg->cv);
	pthread_mutex_destroy(&bg->mu);
	free(bg);
}

int
bgval_tip(struct bgval *bg, uint8_t hash[32], int32_t *height)
{
	struct bindex *t;

	cs_lock(bg->cs);
	t = chain_tip(&bg->cs->chain);
	memcpy(hash, t->e.hash, 32);
	*height = t->e.height;
	cs_unlock(bg->cs);
	return 0;
}
