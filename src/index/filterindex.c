/*
 * The compact block filter index (see filterindex.h for the contract).
 *
 * Design. The thread "filterindex" sleeps on cv until one of validation's
 * listeners (or start-up) sets wake: block_connected queues the block
 * (ev, at most EVENTS_MAX), tip_changed only wakes. It then works in
 * steps; each step is one store read transaction and one batch, which
 * the validation thread writes with the new best block
 * (validation_write) before the best block is published under mu:
 *
 *   - follow_events, once the index is synced: the blocks connected, in
 *     order, as Core's BlockConnected. Each one not indexed yet is, with
 *     any ancestors not indexed, from the block and its undo record, its
 *     header chained on its parent's; it becomes the best block unless it
 *     is the best block or an ancestor of it. So a block that was on the
 *     active chain only for a moment has its filter too.
 *   - follow_chain, when no event waits: where the best block meets the
 *     active chain (the fork), then the active chain from the fork up to
 *     the tip, in batches of BATCH_MAX_BLOCKS, BATCH_MAX_BYTES of filters
 *     or BATCH_MAX_US. When the fork is the tip (the tip is the best block
 *     or an ancestor of it) the index is caught up: synced latches. This
 *     is how it catches up at start-up, after an import, after a restart
 *     with the index off, and after the event queue overflowed.
 *
 * Until it is synced the index drops the events (Core ignores
 * BlockConnected then) and does nothing while an import (-loadblock) or
 * -reindex runs, looking every IMPORT_POLL_MS whether it ended: Core too
 * starts its indexes' first sync after the import.
 *
 * A reorg needs no undoing: filters are kept by block hash and a block's
 * filter and header never change, so going back to the fork only moves
 * the best block, in the same write as the new branch's first batch.
 *
 * Locks: mu (a leaf) guards wake, stopping, the event queue and the
 * published status; it is never held across a store transaction or a
 * wait for another thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/hash.h"
#include "index/filterindex.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "consensus/consensus.h"
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
	STEP_IDLE,   /* caught up (or stopping): sleep until woken */
	STEP_MORE,   /* more to do: go on */
	STEP_IMPORT, /* not synced and an import runs: poll */
};

/* Connected blocks queued for the index; past it, it follows the chain. */
#define EVENTS_MAX 4096
/* Connected blocks taken per step. */
#define EVENTS_PER_STEP 256

/* The best block in the store's meta: hash, then height LE32. */
#define MARKER_LEN (32 + 4)

struct fentry {
	uint8_t hash[32];
	int32_t height;
	uint8_t filter_hash[32];
	uint8_t header[32];
	uint8_t *filter; /* xmalloc'd */
	size_t len;
};

struct batch {
	uint8_t type;
	const char *marker_key;
	struct fentry *e;
	size_t n, cap;
	size_t bytes;
	uint8_t best[32]; /* the best block once the batch is written */
	int32_t best_height;
};

/* A block connected, as validation's listener saw it. */
struct fevent {
	uint8_t hash[32];
	int32_t height;
};

struct filterindex {
	struct store *store;
	struct validation *v;
	uint8_t type;
	char name[FILTERINDEX_NAME_LEN];
	char marker_key[40];
	pthread_t thread;
	int started;
	int lock_id; /* its prune lock (validation_prune_lock_find), or -1 */

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
	/*
	 * Blocks connected, oldest first: the listener appends, the index
	 * thread removes from the front once they are written. ev_pushed
	 * and ev_done count them (filterindex_sync).
	 */
	struct fevent ev[EVENTS_MAX];
	size_t nev;
	int ev_overflow;
	uint64_t ev_pushed;
	uint64_t ev_done;
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
				snprintf(err, errlen,
				    "Unknown -blockfilterindex "
				    "value %s.",
				    vals[i]);
				return -1;
			}
			*types |= 1u << t;
		}
	}
	*serve = args_get_bool(a, "peerblockfilters", 0);
	if (*serve && !(*types & (1u << BLOCKFILTER_BASIC))) {
		snprintf(err, errlen,
		    "Cannot set -peerblockfilters without "
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
		return 1; /* logged; do not keep the caller waiting */
	if (store_get_tip(t, tip, &tip_h) == STORE_OK && tip_h <= best_h &&
	    store_get_index(t, best, &e) == STORE_OK &&
	    filterindex_ancestor(t, &e, tip_h, anc) == STORE_OK)
		ok = memcmp(anc, tip, 32) == 0;
	store_read_end(t);
	return ok;
}

int
filterindex_wait_for_tip(struct filterindex *fi, int timeout_ms)
{
	struct timespec ts;
	uint8_t best[32];
	int32_t best_h;
	uint64_t seen;
	int has;

	time_deadline(CLOCK_REALTIME, timeout_ms, &ts);
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

static int
batch_full(const struct batch *b, int64_t start_us)
{
	return b->n >= BATCH_MAX_BLOCKS || b->bytes >= BATCH_MAX_BYTES ||
	    time_mono_micros() - start_us >= BATCH_MAX_US;
}

static struct fentry *
batch_next(struct batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->e = xreallocarray(b->e, b->cap, sizeof(*b->e));
	}
	return &b->e[b->n];
}

/*
 * Computes the filter of the block hash at height into e, its header
 * chained on prev_header. STORE_ERROR (logged) when the block or its undo
 * record is missing or does not parse: a block that was connected has
 * both, and keeps them after it is disconnected.
 */
static int
index_block(struct store_rtxn *t, const uint8_t hash[32], int32_t height,
    const uint8_t prev_header[32], struct fentry *e)
{
	struct bf_item *prev = NULL;
	struct consensus_coin *coins = NULL;
	struct block b;
	struct wbuf w;
	const uint8_t *raw, *undo = NULL;
	size_t len, ulen = 0, nin = 0, k;
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
	if (height > 0 && store_get_undo(t, hash, &undo, &ulen) != STORE_OK) {
		log_warnx("filterindex: no undo data for block %s", hex);
		block_free(&b);
		return STORE_ERROR;
	}
	if (height == 0)
		nin = 0; /* the genesis block spends nothing */
	else if (consensus_undo_read(undo, ulen, &b, &coins, &nin) != 0) {
		log_warnx("filterindex: undo data of block %s does not match "
			  "its inputs",
		    hex);
		block_free(&b);
		return STORE_ERROR;
	}
	prev = xcalloc(nin ? nin : 1, sizeof(*prev));
	for (k = 0; k < nin; k++) {
		prev[k].p = coins[k].out.script;
		prev[k].len = coins[k].out.script_len;
	}
	free(coins);
	wbuf_init(&w);
	blockfilter_basic(&b, prev, nin, &w);
	memcpy(e->hash, hash, 32);
	e->height = height;
	e->filter = wbuf_steal(&w, &e->len);
	blockfilter_hash(e->filter, e->len, e->filter_hash);
	blockfilter_header(e->filter_hash, prev_header, e->header);
	free(prev);
	block_free(&b);
	return STORE_OK;
}

/*
 * The header of the block hash if it is indexed, in the batch not yet
 * written (newest first: usually the last entry) or in the store. 1, 0
 * when it is not indexed; fatal on a store failure.
 */
static int
indexed_header(struct filterindex *fi, struct store_rtxn *t,
    const struct batch *b, const uint8_t hash[32], uint8_t header[32])
{
	struct store_filter f;
	size_t i;
	int rc;

	for (i = b->n; i > 0; i--)
		if (memcmp(b->e[i - 1].hash, hash, 32) == 0) {
			memcpy(header, b->e[i - 1].header, 32);
			return 1;
		}
	rc = store_get_blockfilter(t, fi->type, hash, &f);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		fatalx("filterindex: store failure reading a filter");
	memcpy(header, f.header, 32);
	return 1;
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
	memcpy(marker, b->best, 32);
	le32_write(marker + 32, (uint32_t)b->best_height);
	return store_put_meta(w, b->marker_key, marker, sizeof(marker));
}

/*
 * Has the validation thread commit the batch and the best block, then
 * publishes the best block and counts done events. 0, or -1 when
 * validation is stopping (nothing written).
 */
static int
commit_batch(struct filterindex *fi, struct batch *b, size_t events)
{
	struct timespec nap = { 0, QUEUE_FULL_RETRY_MS * 1000000L };
	int rc;

	while ((rc = validation_write(fi->v, write_batch, b)) == QUEUE_EFULL)
		nanosleep(&nap, NULL);
	if (rc == QUEUE_ECLOSED) {
		batch_clear(b);
		return -1;
	}
	if (rc != 0)
		fatalx("filterindex: writing a batch of block filters failed: "
		       "%s",
		    store_strerror(rc));
	pthread_mutex_lock(&fi->mu);
	memcpy(fi->best, b->best, 32);
	fi->best_height = b->best_height;
	fi->has_best = 1;
	/* Written: pruning may now go up to these blocks. */
	validation_prune_lock_set(fi->v, fi->lock_id, b->best_height);
	/* Events are removed only here, by this thread: the front is ours. */
	if (events > fi->nev)
		events = fi->nev;
	memmove(fi->ev, fi->ev + events, (fi->nev - events) * sizeof(*fi->ev));
	fi->nev -= events;
	fi->ev_done += events;
	fi->progress++;
	pthread_cond_broadcast(&fi->progress_cv);
	pthread_mutex_unlock(&fi->mu);
	if (b->n > 0 &&
	    b->best_height / LOG_EVERY_BLOCKS !=
		(b->best_height - (int32_t)b->n) / LOG_EVERY_BLOCKS)
		log_info("Syncing %s with block chain from height %d",
		    fi->name, b->best_height);
	batch_clear(b);
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
	validation_prune_lock_set(fi->v, fi->lock_id, -1);
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

/*
 * Indexes the blocks connected since the last step, in the order they
 * were connected (Core's BlockConnected), so that a block that was on the
 * active chain only briefly has its filter too: each one not yet indexed
 * (with its ancestors that are not), and each becomes the best block
 * unless it is already the best block or an ancestor of it.
 */
static enum step
follow_events(struct filterindex *fi, struct batch *b, const struct fevent *ev,
    size_t nev)
{
	struct block_index_entry e, be;
	struct store_rtxn *t;
	uint8_t(*path)[32] = NULL, hdr[32], anc[32];
	size_t used, np, i;
	int64_t start_us = time_mono_micros();
	int has_best, moved = 0;

	batch_clear(b);
	pthread_mutex_lock(&fi->mu);
	has_best = fi->has_best;
	memcpy(b->best, fi->best, 32);
	b->best_height = fi->best_height;
	pthread_mutex_unlock(&fi->mu);
	if (store_read_begin(fi->store, &t) != STORE_OK)
		fatalx("filterindex: cannot begin a store read transaction");
	path = xcalloc(BATCH_MAX_BLOCKS, sizeof(*path));
	for (used = 0; used < nev && !batch_full(b, start_us); used++) {
		if (store_get_index(t, ev[used].hash, &e) != STORE_OK)
			continue; /* cannot happen: it was connected */
		if (has_best && store_get_index(t, b->best, &be) == STORE_OK &&
		    filterindex_ancestor(t, &be, e.height, anc) == STORE_OK &&
		    memcmp(anc, e.hash, 32) == 0)
			continue;
		/* The blocks back to one that is indexed, newest first. */
		for (np = 0; !indexed_header(fi, t, b, e.hash, hdr);) {
			if (np == BATCH_MAX_BLOCKS)
				break;
			memcpy(path[np++], e.hash, 32);
			if (e.height == 0) {
				memset(hdr, 0, 32);
				break;
			}
			if (parent_of(t, &e) != STORE_OK)
				fatalx(
				    "filterindex: a connected block's parent "
				    "is not in the block index");
		}
		if (np == BATCH_MAX_BLOCKS) {
			/* A long way back: following the chain does it. */
			pthread_mutex_lock(&fi->mu);
			fi->ev_overflow = 1;
			pthread_mutex_unlock(&fi->mu);
			break;
		}
		for (i = np; i > 0; i--) {
			if (store_get_index(t, path[i - 1], &e) != STORE_OK ||
			    index_block(t, e.hash, e.height, hdr,
				batch_next(b)) != STORE_OK)
				fatalx("filterindex: cannot index a connected "
				       "block at height %d",
				    e.height);
			memcpy(hdr, b->e[b->n].header, 32);
			b->bytes += b->e[b->n].len;
			b->n++;
		}
		memcpy(b->best, ev[used].hash, 32);
		b->best_height = ev[used].height;
		has_best = 1;
		moved = 1;
	}
	store_read_end(t);
	free(path);
	if (!moved) {
		/* Nothing new (blocks the index already had): no write. */
		pthread_mutex_lock(&fi->mu);
		if (used > fi->nev)
			used = fi->nev;
		memmove(fi->ev, fi->ev + used,
		    (fi->nev - used) * sizeof(*fi->ev));
		fi->nev -= used;
		fi->ev_done += used;
		fi->progress++;
		pthread_cond_broadcast(&fi->progress_cv);
		pthread_mutex_unlock(&fi->mu);
		return STEP_MORE;
	}
	if (commit_batch(fi, b, used) != 0)
		return STEP_IDLE;
	return STEP_MORE;
}

/*
 * Follows the active chain from where the best block meets it up to the
 * tip: how the index catches up (start-up, after an import, after a
 * restart with the index off), and the check that it is caught up.
 */
static enum step
follow_chain(struct filterindex *fi, struct batch *b)
{
	struct store_rtxn *t;
	uint8_t best[32], tip[32], hash[32], prev_header[32];
	int32_t best_h, tip_h, fork_h = -1, h;
	int64_t start_us = time_mono_micros();
	int has_best, rc;

	batch_clear(b);
	pthread_mutex_lock(&fi->mu);
	has_best = fi->has_best;
	memcpy(best, fi->best, 32);
	best_h = fi->best_height;
	pthread_mutex_unlock(&fi->mu);

	if (store_read_begin(fi->store, &t) != STORE_OK)
		fatalx("filterindex: cannot begin a store read transaction");
	if (store_get_tip(t, tip, &tip_h) != STORE_OK || tip_h < 0) {
		store_read_end(t);
		return STEP_IDLE; /* no chain yet: the first tip wakes us */
	}
	if (has_best) {
		rc = find_fork(t, best, &fork_h);
		if (rc == STORE_NOTFOUND) {
			store_read_end(t);
			forget_best(fi,
			    "its best block is not in the block "
			    "index");
			return STEP_MORE;
		}
		if (rc != STORE_OK)
			fatalx("filterindex: store failure reading the block "
			       "index");
		/* The tip is the best block or an ancestor of it. */
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
		if (!indexed_header(fi, t, b, hash, prev_header)) {
			store_read_end(t);
			forget_best(fi,
			    "a block before its best block has no "
			    "filter");
			return STEP_MORE;
		}
	}
	if (!has_best)
		log_info("Syncing %s with block chain from height 0",
		    fi->name);
	else if (fork_h < best_h)
		log_debug(LOG_VALIDATION,
		    "%s: best block %d left the active "
		    "chain; going on from the fork at height %d",
		    fi->name, best_h, fork_h);
	for (h = fork_h + 1; h <= tip_h && !batch_full(b, start_us); h++) {
		if (store_get_active_hash(t, h, hash) != STORE_OK ||
		    index_block(t, hash, h, prev_header, batch_next(b)) != 0)
			fatalx("filterindex: cannot index the active chain at "
			       "height %d",
			    h);
		memcpy(prev_header, b->e[b->n].header, 32);
		b->bytes += b->e[b->n].len;
		b->n++;
	}
	store_read_end(t);
	memcpy(b->best, b->e[b->n - 1].hash, 32);
	b->best_height = b->e[b->n - 1].height;
	if (commit_batch(fi, b, 0) != 0)
		return STEP_IDLE;
	if (b->best_height == tip_h)
		caught_up(fi, tip_h);
	/* More blocks, or the tip moved meanwhile: the next step looks. */
	return STEP_MORE;
}

/* One step (see the design note). */
static enum step
sync_step(struct filterindex *fi, struct batch *b)
{
	struct fevent ev[EVENTS_PER_STEP];
	size_t nev = 0;
	int synced;

	pthread_mutex_lock(&fi->mu);
	synced = fi->synced;
	if (!synced || fi->ev_overflow) {
		/*
		 * Core ignores BlockConnected until its index is synced;
		 * after an overflow, following the chain does their work.
		 */
		fi->nev = 0;
		fi->ev_overflow = 0;
		fi->ev_done = fi->ev_pushed;
	} else {
		nev = fi->nev < EVENTS_PER_STEP ? fi->nev : EVENTS_PER_STEP;
		memcpy(ev, fi->ev, nev * sizeof(*ev));
	}
	pthread_mutex_unlock(&fi->mu);
	/*
	 * As Core: an index that is not synced starts catching up once an
	 * import or reindex has finished; a synced one follows the tip.
	 */
	if (!synced && chainstate_is_importing(validation_chainstate(fi->v)))
		return STEP_IMPORT;
	if (nev > 0)
		return follow_events(fi, b, ev, nev);
	return follow_chain(fi, b);
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
			time_deadline(CLOCK_REALTIME, IMPORT_POLL_MS, &ts);
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

/*
 * Validation's listeners: they run on the validation thread and only
 * queue or wake. A block connected is queued for follow_events; past
 * EVENTS_MAX the queue is dropped and the index follows the chain.
 */
static void
on_block_connected(void *arg, const uint8_t *raw, size_t len, int32_t height)
{
	struct filterindex *fi = arg;
	struct fevent e;

	if (len < BLOCK_HEADER_SIZE)
		return;
	hash256(raw, BLOCK_HEADER_SIZE, e.hash);
	e.height = height;
	pthread_mutex_lock(&fi->mu);
	if (fi->nev < EVENTS_MAX)
		fi->ev[fi->nev++] = e;
	else
		fi->ev_overflow = 1;
	fi->ev_pushed++;
	fi->wake = 1;
	pthread_cond_signal(&fi->cv);
	pthread_mutex_unlock(&fi->mu);
}

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

int
filterindex_sync(struct filterindex *fi, int timeout_ms)
{
	struct timespec ts;
	uint64_t want;
	int rc = 0;

	time_deadline(CLOCK_REALTIME, timeout_ms, &ts);
	pthread_mutex_lock(&fi->mu);
	want = fi->ev_pushed;
	while (fi->ev_done < want && !fi->stopping)
		if (pthread_cond_timedwait(&fi->progress_cv, &fi->mu, &ts) ==
		    ETIMEDOUT) {
			rc = -1;
			break;
		}
	pthread_mutex_unlock(&fi->mu);
	return rc;
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
				  "indexing again",
			    fi->name);
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
	fi->synced = fi->has_best &&
	    store_get_tip(t, tip, &tip_h) == STORE_OK &&
	    memcmp(tip, fi->best, 32) == 0;
	store_read_end(t);
	if (fi->has_best) {
		hash_to_hex(fi->best, hex);
		log_info("%s: best block %s at height %d%s", fi->name, hex,
		    fi->best_height, fi->synced ? " (the tip)" : "");
	}
	return 0;
}

void
filterindex_name(uint8_t type, char name[FILTERINDEX_NAME_LEN])
{
	snprintf(name, FILTERINDEX_NAME_LEN, "%s block filter index",
	    blockfilter_type_name(type));
}

/*
 * Core's check at an index's start: an index that is behind the tip must
 * find every block from its best block's fork with the active chain (or
 * from genesis) to the tip, else it could never catch up. 0, or -1 after
 * Core's error.
 */
static int
check_pruned(struct filterindex *fi)
{
	int32_t pruned_below = validation_prune_height(fi->v), fork_h = -1;
	struct store_rtxn *t;
	int rc = STORE_OK;

	if (fi->synced || pruned_below == 0)
		return 0;
	if (fi->has_best) {
		if (store_read_begin(fi->store, &t) != STORE_OK)
			return -1;
		rc = find_fork(t, fi->best, &fork_h);
		store_read_end(t);
		if (rc == STORE_NOTFOUND)
			fork_h = -1;
		else if (rc != STORE_OK)
			return -1;
	}
	/* It reads from block fork_h + 1; the data starts at pruned_below. */
	if (fork_h + 1 >= pruned_below)
		return 0;
	log_warnx("Error: %s best block of the index goes beyond pruned "
		  "data. Please disable the index or reindex (which will "
		  "download the whole blockchain again)",
	    fi->name);
	return -1;
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
	filterindex_name(type, fi->name);
	snprintf(fi->marker_key, sizeof(fi->marker_key), "blockfilterindex.%s",
	    blockfilter_type_name(type));
	fi->lock_id = validation_prune_lock_find(v, fi->name);
	pthread_mutex_init(&fi->mu, NULL);
	pthread_cond_init(&fi->cv, NULL);
	pthread_cond_init(&fi->progress_cv, NULL);
	if (load_best(fi) != 0) {
		log_warnx("Error: %s: cannot read its state from the store",
		    fi->name);
		filterindex_stop(fi);
		return -1;
	}
	if (check_pruned(fi) != 0) {
		filterindex_stop(fi);
		return -1;
	}
	/* Its lock held everything until now: from here, its best block. */
	validation_prune_lock_set(v, fi->lock_id,
	    fi->has_best ? fi->best_height : -1);
	memset(&l, 0, sizeof(l));
	l.arg = fi;
	l.tip_changed = on_tip_changed;
	l.block_connected = on_block_connected;
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
