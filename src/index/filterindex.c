/*
 * The compact block filter index (see filterindex.h for the contract).
 *
 * Design. The thread "filterindex" sleeps on cv until validation's
 * tip_changed listener (or start-up) sets wake. It then works in steps;
 * each step is one store read transaction and one batch:
 *
 *	1. read the tip; find where the best block meets the active chain
 *	   (the fork: the best block itself when it is on it);
 *	2. if the fork is the tip, the index is caught up (the tip is the
 *	   best block or an ancestor of it): latch synced, stop;
 *	3. else index the active chain from fork + 1 on: block, undo record,
 *	   filter, header chained from the parent's stored header, until
 *	   BATCH_MAX_BLOCKS, BATCH_MAX_BYTES of filters or BATCH_MAX_US;
 *	4. end the read transaction, have the validation thread write the
 *	   batch and the new best block (validation_write), publish the new
 *	   best block under mu and wake waiters.
 *
 * An index that is not synced yet does nothing while an import
 * (-loadblock) or -reindex runs, and looks every IMPORT_POLL_MS whether it
 * ended: Core too starts its indexes' first sync after the import. A
 * synced index follows the tip meanwhile.
 *
 * A reorg needs no undoing: filters are kept by block hash and a block's
 * filter and header never change, so going back to the fork only moves
 * the best block, in the same write as the new branch's first batch.
 *
 * Locks: mu (a leaf) guards wake, stopping and the published status; it is
 * never held across a store transaction or a wait for another thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/filterindex.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/undo.h"
#include "validation/validation.h"

/* One batch: one read transaction on this thread, one write on validation's. */
#define BATCH_MAX_BLOCKS 1000
#define BATCH_MAX_BYTES (4u << 20)
#define BATCH_MAX_US 250000
/* Progress lines while catching up. */
#define LOG_EVERY_BLOCKS 10000
/* Retry delay when validation's call queue is full. */
#define QUEUE_FULL_RETRY_MS 20
/* How often an index that is not synced looks whether an import ended. */
#define IMPORT_POLL_MS 250

/* What a step found. */
enum step {
	STEP_IDLE,		/* caught up (or stopping): sleep until woken */
	STEP_MORE,		/* more to do: go on */
	STEP_IMPORT,		/* not synced and an import runs: poll */
};

/* The best block in the store's meta: hash, then height LE32. */
#define MARKER_LEN (32 + 4)

struct fentry {
	uint8_t hash[32];
	int32_t height;
	uint8_t filter_hash[32];
	uint8_t header[32];
	uint8_t *filter;	/* xmalloc'd */
	size_t len;
};

struct batch {
	uint8_t type;
	const char *marker_key;
	struct fentry *e;
	size_t n, cap;
	size_t bytes;
};

struct filterindex {
	struct store *store;
	struct validation *v;
	uint8_t type;
	char name[48];
	char marker_key[40];
	pthread_t thread;
	int started;

	/*
	 * mu guards everything below. cv wakes the index thread (wake,
	 * stopping); progress_cv tells filterindex_wait_for_tip that the
	 * index moved (progress counts steps) or stopped.
	 */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t progress_cv;
	int wake;
	int stopping;
	int synced;
	int has_best;
	int32_t best_height;
	uint8_t best[32];
	uint64_t progress;
};

/* ---- options ---- */

int
filterindex_options(const struct args *a, unsigned *types, int *serve,
    char *err, size_t errlen)
{
	const char *v = args_get(a, "blockfilterindex");
	const char *const *vals;
	size_t i, n;
	uint8_t t;

	*types = 0;
	if (v != NULL && (*v == '\0' || strcmp(v, "1") == 0))
		*types = (1u << BLOCKFILTER_TYPES) - 1;
	else if (v != NULL && strcmp(v, "0") != 0) {
		n = args_get_all(a, "blockfilterindex", &vals);
		for (i = 0; i < n; i++) {
			if (blockfilter_type_by_name(vals[i], &t) != 0) {
				snprintf(err, errlen, "Unknown -blockfilterindex "
				    "value %s.", vals[i]);
				return -1;
			}
			*types |= 1u << t;
		}
	}
	*serve = args_get_bool(a, "peerblockfilters", 0);
	if (*serve && !(*types & (1u << BLOCKFILTER_BASIC))) {
		snprintf(err, errlen, "Cannot set -peerblockfilters without "
		    "-blockfilterindex.");
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

static int
on_active_chain(struct store_rtxn *t, const uint8_t hash[32], int32_t height)
{
	uint8_t h[32];

	return store_get_active_hash(t, height, h) == STORE_OK &&
	    memcmp(h, hash, 32) == 0;
}

/* e becomes its parent's entry (the key is copied: e is the output too). */
static int
parent_of(struct store_rtxn *t, struct block_index_entry *e)
{
	uint8_t prev[32];

	memcpy(prev, e->hdr.prev, 32);
	return store_get_index(t, prev, e);
}

int
filterindex_ancestor(struct store_rtxn *t,
    const struct block_index_entry *stop, int32_t height, uint8_t out[32])
{
	struct block_index_entry e = *stop;
	int rc;

	if (height < 0 || height > e.height)
		return STORE_NOTFOUND;
	for (;;) {
		if (e.height == height) {
			memcpy(out, e.hash, 32);
			return STORE_OK;
		}
		/* Once on the active chain, its height map answers at once. */
		if (on_active_chain(t, e.hash, e.height))
			return store_get_active_hash(t, height, out);
		if ((rc = parent_of(t, &e)) != STORE_OK)
			return rc;
	}
}

int
filterindex_range(struct store_rtxn *t, uint8_t type,
    const struct block_index_entry *stop, int32_t start,
    struct store_filter *out, uint8_t (*hashes)[32])
{
	struct block_index_entry e = *stop;
	uint8_t hash[32];
	int32_t h;
	int active = 0, rc;

	if (start < 0 || start > e.height)
		return STORE_NOTFOUND;
	for (h = e.height; h >= start; h--) {
		if (active)
			rc = store_get_active_hash(t, h, hash);
		else {
			memcpy(hash, e.hash, 32);
			active = on_active_chain(t, e.hash, e.height);
			rc = STORE_OK;
		}
		if (rc != STORE_OK ||
		    (rc = store_get_blockfilter(t, type, hash,
		    &out[h - start])) != STORE_OK)
			return rc;
		if (hashes)
			memcpy(hashes[h - start], hash, 32);
		if (!active && h > start &&
		    (rc = parent_of(t, &e)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* ---- status ---- */

void
filterindex_status(struct filterindex *fi, struct filterindex_status *st)
{
	pthread_mutex_lock(&fi->mu);
	st->name = fi->name;
	st->synced = fi->synced;
	st->has_best = fi->has_best;
	st->best_height = fi->has_best ? fi->best_height : 0;
	memcpy(st->best, fi->best, 32);
	pthread_mutex_unlock(&fi->mu);
}

uint8_t
filterindex_type(const struct filterindex *fi)
{
	return fi->type;
}

/* Whether the active tip is best or an ancestor of it. */
static int
covers_tip(struct filterindex *fi, const uint8_t best[32], int32_t best_h)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	uint8_t tip[32], anc[32];
	int32_t tip_h;
	int ok = 0;

	if (store_read_begin(fi->store, &t) != STORE_OK)
		return 1;	/* logged; do not keep the caller waiting */
	if (store_get_tip(t, tip, &tip_h) == STORE_OK && tip_h <= best_h &&
	    store_get_index(t, best, &e) == STORE_OK &&
	    filterindex_ancestor(t, &e, tip_h, anc) == STORE_OK)
		ok = memcmp(anc, tip, 32) == 0;
	store_read_end(t);
	return ok;
}

static void
deadline_ts(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
filterindex_wait_for_tip(struct filterindex *fi, int timeout_ms)
{
	struct timespec ts;
	uint8_t best[32];
	int32_t best_h;
	uint64_t seen;
	int has;

	deadline_ts(&ts, timeout_ms);
	pthread_mutex_lock(&fi->mu);
	if (!fi->synced) {
		pthread_mutex_unlock(&fi->mu);
		return 0;
	}
	for (;;) {
		if (fi->stopping)
			break;
		has = fi->has_best;
		memcpy(best, fi->best, 32);
		best_h = fi->best_height;
		seen = fi->progress;
		pthread_mutex_unlock(&fi->mu);
		if (has && covers_tip(fi, best, best_h))
			return 1;
		pthread_mutex_lock(&fi->mu);
		while (fi->progress == seen && !fi->stopping)
			if (pthread_cond_timedwait(&fi->progress_cv, &fi->mu,
			    &ts) == ETIMEDOUT)
				goto out;
	}
out:
	pthread_mutex_unlock(&fi->mu);
	return 1;
}

/* ---- building ---- */

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->e[i].filter);
	b->n = 0;
	b->bytes = 0;
}

/*
 * Computes the filter of the block hash at height into e, its header
 * chained on prev_header. STORE_ERROR (logged) when the block or its undo
 * record is missing or does not parse: the active chain always has both.
 */
static int
index_block(struct store_rtxn *t, const uint8_t hash[32], int32_t height,
    const uint8_t prev_header[32], struct fentry *e)
{
	struct bf_item *prev = NULL;
	struct undo_coin uc;
	struct block b;
	struct rbuf r;
	struct wbuf w;
	const uint8_t *raw, *undo = NULL;
	size_t len, ulen = 0, nin = 0, i, k;
	char hex[65];

	hash_to_hex(hash, hex);
	if (store_get_block(t, hash, &raw, &len) != STORE_OK) {
		log_warnx("filterindex: block %s (height %d) is not stored",
		    hex, height);
		return STORE_ERROR;
	}
	/* The bytes stay mapped until the read transaction ends. */
	if (block_parse(raw, len, &b) != 0) {
		log_warnx("filterindex: stored block %s does not parse", hex);
		return STORE_ERROR;
	}
	for (i = 1; i < b.tx_count; i++)
		nin += b.txs[i].vin_count;
	if (height > 0 && store_get_undo(t, hash, &undo, &ulen) != STORE_OK) {
		log_warnx("filterindex: no undo data for block %s", hex);
		block_free(&b);
		return STORE_ERROR;
	}
	prev = xcalloc(nin ? nin : 1, sizeof(*prev));
	rbuf_init(&r, undo, ulen);
	for (k = 0; k < nin && height > 0; k++) {
		if (undo_get(&r, &uc) != 0)
			break;
		prev[k].p = uc.out.script;
		prev[k].len = uc.out.script_len;
	}
	if ((height > 0 && k != nin) || rbuf_left(&r) != 0) {
		log_warnx("filterindex: undo data of block %s does not match "
		    "its inputs", hex);
		free(prev);
		block_free(&b);
		return STORE_ERROR;
	}
	wbuf_init(&w);
	blockfilter_basic(&b, prev, height > 0 ? nin : 0, &w);
	memcpy(e->hash, hash, 32);
	e->height = height;
	e->filter = wbuf_steal(&w, &e->len);
	blockfilter_hash(e->filter, e->len, e->filter_hash);
	blockfilter_header(e->filter_hash, prev_header, e->header);
	free(prev);
	block_free(&b);
	return STORE_OK;
}

static int
write_batch(struct store_wtxn *w, void *arg)
{
	struct batch *b = arg;
	struct store_filter f;
	uint8_t marker[MARKER_LEN];
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		memcpy(f.filter_hash, b->e[i].filter_hash, 32);
		memcpy(f.header, b->e[i].header, 32);
		f.filter = b->e[i].filter;
		f.len = b->e[i].len;
		if ((rc = store_put_blockfilter(w, b->type, b->e[i].hash,
		    &f)) != STORE_OK)
			return rc;
	}
	memcpy(marker, b->e[b->n - 1].hash, 32);
	le32_write(marker + 32, (uint32_t)b->e[b->n - 1].height);
	return store_put_meta(w, b->marker_key, marker, sizeof(marker));
}

/* Has the validation thread commit the batch. 0, or -1 when stopping. */
static int
commit_batch(struct filterindex *fi, struct batch *b)
{
	struct timespec nap = { 0, QUEUE_FULL_RETRY_MS * 1000000L };
	int rc;

	while ((rc = validation_write(fi->v, write_batch, b)) == QUEUE_EFULL)
		nanosleep(&nap, NULL);
	if (rc == QUEUE_ECLOSED)
		return -1;
	if (rc != 0)
		fatalx("filterindex: writing a batch of block filters failed: "
		    "%s", store_strerror(rc));
	return 0;
}

/*
 * Where the best block meets the active chain: its height in *fork_h.
 * STORE_NOTFOUND when the best block or an ancestor is not in the block
 * index (then the index starts again from genesis).
 */
static int
find_fork(struct store_rtxn *t, const uint8_t best[32], int32_t *fork_h)
{
	struct block_index_entry e;
	int rc;

	if ((rc = store_get_index(t, best, &e)) != STORE_OK)
		return rc;
	while (!on_active_chain(t, e.hash, e.height)) {
		if (e.height == 0)
			return STORE_NOTFOUND;
		if ((rc = parent_of(t, &e)) != STORE_OK)
			return rc;
	}
	*fork_h = e.height;
	return STORE_OK;
}

static void
forget_best(struct filterindex *fi, const char *why)
{
	log_warnx("%s: %s; indexing again from the genesis block", fi->name,
	    why);
	pthread_mutex_lock(&fi->mu);
	fi->has_best = 0;
	fi->best_height = 0;
	pthread_mutex_unlock(&fi->mu);
}

static void
caught_up(struct filterindex *fi, int32_t height)
{
	pthread_mutex_lock(&fi->mu);
	if (!fi->synced) {
		fi->synced = 1;
		log_info("%s is enabled at height %d", fi->name, height);
	}
	fi->progress++;
	pthread_cond_broadcast(&fi->progress_cv);
	pthread_mutex_unlock(&fi->mu);
}

/* One step (see the design note). */
static enum step
sync_step(struct filterindex *fi, struct batch *b)
{
	struct store_rtxn *t;
	struct store_filter pf;
	uint8_t best[32], tip[32], hash[32], prev_header[32];
	int32_t best_h, tip_h, fork_h = -1, h, last_h;
	int64_t start_us = time_mono_micros();
	int has_best, synced, rc;

	pthread_mutex_lock(&fi->mu);
	has_best = fi->has_best;
	memcpy(best, fi->best, 32);
	best_h = fi->best_height;
	synced = fi->synced;
	pthread_mutex_unlock(&fi->mu);
	/*
	 * As Core: an index that is not synced starts catching up once an
	 * import or reindex has finished; a synced one follows the tip.
	 */
	if (!synced && chainstate_is_importing(validation_chainstate(fi->v)))
		return STEP_IMPORT;

	if (store_read_begin(fi->store, &t) != STORE_OK)
		fatalx("filterindex: cannot begin a store read transaction");
	if (store_get_tip(t, tip, &tip_h) != STORE_OK || tip_h < 0) {
		store_read_end(t);
		return STEP_IDLE;	/* no chain yet: the first tip wakes us */
	}
	if (has_best) {
		rc = find_fork(t, best, &fork_h);
		if (rc == STORE_NOTFOUND) {
			store_read_end(t);
			forget_best(fi, "its best block is not in the block "
			    "index");
			return STEP_MORE;
		}
		if (rc != STORE_OK)
			fatalx("filterindex: store failure reading the block "
			    "index");
		if (fork_h == tip_h) {
			store_read_end(t);
			caught_up(fi, best_h);
			return STEP_IDLE;
		}
	}
	memset(prev_header, 0, 32);
	if (fork_h >= 0) {
		if (store_get_active_hash(t, fork_h, hash) != STORE_OK)
			fatalx("filterindex: active chain unreadable");
		rc = store_get_blockfilter(t, fi->type, hash, &pf);
		if (rc == STORE_NOTFOUND) {
			store_read_end(t);
			forget_best(fi, "a block before its best block has no "
			    "filter");
			return STEP_MORE;
		}
		if (rc != STORE_OK)
			fatalx("filterindex: store failure reading a filter");
		memcpy(prev_header, pf.header, 32);
	}
	if (!has_best)
		log_info("Syncing %s with block chain from height 0", fi->name);
	else if (fork_h < best_h)
		log_debug(LOG_VALIDATION, "%s: best block %d left the active "
		    "chain; going on from the fork at height %d", fi->name,
		    best_h, fork_h);
	batch_clear(b);
	for (h = fork_h + 1; h <= tip_h; h++) {
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 64;
			b->e = xreallocarray(b->e, b->cap, sizeof(*b->e));
		}
		if (store_get_active_hash(t, h, hash) != STORE_OK ||
		    index_block(t, hash, h, prev_header, &b->e[b->n]) != 0)
			fatalx("filterindex: cannot index the active chain at "
			    "height %d", h);
		memcpy(prev_header, b->e[b->n].header, 32);
		b->bytes += b->e[b->n].len;
		b->n++;
		if (b->n >= BATCH_MAX_BLOCKS || b->bytes >= BATCH_MAX_BYTES ||
		    time_mono_micros() - start_us >= BATCH_MAX_US)
			break;
	}
	store_read_end(t);
	if (commit_batch(fi, b) != 0) {
		batch_clear(b);
		return STEP_IDLE;
	}
	last_h = b->e[b->n - 1].height;
	pthread_mutex_lock(&fi->mu);
	memcpy(fi->best, b->e[b->n - 1].hash, 32);
	fi->best_height = last_h;
	fi->has_best = 1;
	fi->progress++;
	pthread_cond_broadcast(&fi->progress_cv);
	pthread_mutex_unlock(&fi->mu);
	if (last_h / LOG_EVERY_BLOCKS != (last_h - (int32_t)b->n) /
	    LOG_EVERY_BLOCKS)
		log_info("Syncing %s with block chain from height %d",
		    fi->name, last_h);
	batch_clear(b);
	if (last_h == tip_h)
		caught_up(fi, last_h);
	/* More blocks, or the tip moved meanwhile: the next step looks. */
	return STEP_MORE;
}

static void *
filterindex_main(void *arg)
{
	struct filterindex *fi = arg;
	enum step st = STEP_IDLE;
	struct timespec ts;
	struct batch b;

	log_thread_name("filterindex");
	memset(&b, 0, sizeof(b));
	b.type = fi->type;
	b.marker_key = fi->marker_key;
	log_info("%s thread start", fi->name);
	for (;;) {
		pthread_mutex_lock(&fi->mu);
		if (st == STEP_IMPORT && !fi->stopping) {
			deadline_ts(&ts, IMPORT_POLL_MS);
			(void)pthread_cond_timedwait(&fi->cv, &fi->mu, &ts);
		}
		while (st == STEP_IDLE && !fi->wake && !fi->stopping)
			pthread_cond_wait(&fi->cv, &fi->mu);
		if (fi->stopping) {
			pthread_mutex_unlock(&fi->mu);
			break;
		}
		fi->wake = 0;
		pthread_mutex_unlock(&fi->mu);
		st = sync_step(fi, &b);
	}
	batch_clear(&b);
	free(b.e);
	log_info("%s thread exit", fi->name);
	return NULL;
}

/* Validation's listener: runs on the validation thread, only wakes us. */
static void
on_tip_changed(void *arg, const uint8_t hash[32], int32_t height, int ibd)
{
	struct filterindex *fi = arg;

	(void)hash;
	(void)height;
	(void)ibd;
	pthread_mutex_lock(&fi->mu);
	fi->wake = 1;
	pthread_cond_signal(&fi->cv);
	pthread_mutex_unlock(&fi->mu);
}

/* ---- life cycle ---- */

/* The stored best block, if it is still in the block index. */
static int
load_best(struct filterindex *fi)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	const uint8_t *v;
	uint8_t tip[32];
	int32_t tip_h;
	size_t len;
	char hex[65];
	int rc;

	if (store_read_begin(fi->store, &t) != STORE_OK)
		return -1;
	rc = store_get_meta(t, fi->marker_key, &v, &len);
	if (rc == STORE_OK && len == MARKER_LEN) {
		memcpy(fi->best, v, 32);
		fi->best_height = (int32_t)le32_read(v + 32);
		if (store_get_index(t, fi->best, &e) == STORE_OK &&
		    e.height == fi->best_height)
			fi->has_best = 1;
		else
			log_warnx("%s: best block of the index not found; "
			    "indexing again", fi->name);
	} else if (rc == STORE_OK)
		log_warnx("%s: malformed best block record; indexing again",
		    fi->name);
	else if (rc != STORE_NOTFOUND) {
		store_read_end(t);
		return -1;
	}
	if (!fi->has_best) {
		memset(fi->best, 0, 32);
		fi->best_height = 0;
	}
	/* Core: synced at start when the index is at the tip. */
	fi->synced = fi->has_best && store_get_tip(t, tip, &tip_h) ==
	    STORE_OK && memcmp(tip, fi->best, 32) == 0;
	store_read_end(t);
	if (fi->has_best) {
		hash_to_hex(fi->best, hex);
		log_info("%s: best block %s at height %d%s", fi->name, hex,
		    fi->best_height, fi->synced ? " (the tip)" : "");
	}
	return 0;
}

int
filterindex_start(struct store *s, struct validation *v, uint8_t type,
    struct filterindex **out)
{
	struct filterindex *fi = xcalloc(1, sizeof(*fi));
	struct validation_listener l;

	fi->store = s;
	fi->v = v;
	fi->type = type;
	snprintf(fi->name, sizeof(fi->name), "%s block filter index",
	    blockfilter_type_name(type));
	snprintf(fi->marker_key, sizeof(fi->marker_key), "blockfilterindex.%s",
	    blockfilter_type_name(type));
	pthread_mutex_init(&fi->mu, NULL);
	pthread_cond_init(&fi->cv, NULL);
	pthread_cond_init(&fi->progress_cv, NULL);
	if (load_best(fi) != 0) {
		log_warnx("Error: %s: cannot read its state from the store",
		    fi->name);
		filterindex_stop(fi);
		return -1;
	}
	memset(&l, 0, sizeof(l));
	l.arg = fi;
	l.tip_changed = on_tip_changed;
	validation_add_listener(v, &l);
	fi->wake = 1;
	if (pthread_create(&fi->thread, NULL, filterindex_main, fi) != 0) {
		log_warnx("Error: %s: cannot start the thread", fi->name);
		filterindex_stop(fi);
		return -1;
	}
	fi->started = 1;
	*out = fi;
	return 0;
}

void
filterindex_stop(struct filterindex *fi)
{
	if (fi == NULL)
		return;
	validation_remove_listener(fi->v, fi);
	pthread_mutex_lock(&fi->mu);
	fi->stopping = 1;
	pthread_cond_broadcast(&fi->cv);
	pthread_cond_broadcast(&fi->progress_cv);
	pthread_mutex_unlock(&fi->mu);
	if (fi->started)
		pthread_join(fi->thread, NULL);
	pthread_cond_destroy(&fi->progress_cv);
	pthread_cond_destroy(&fi->cv);
	pthread_mutex_destroy(&fi->mu);
	free(fi);
}
