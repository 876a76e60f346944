/*
 * Transactions and the map gate (see store_int.h for why the gate exists).
 *
 * Threads: read transactions on any thread (MDB_NOTLS ties the reader slot
 * to the transaction, not the thread), begun and ended on the same
 * thread. Write transactions and store_grow on the writer threads (store.h:
 * validation, background validation, a snapshot load), one open write
 * transaction per thread; LMDB makes the writers take turns.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Read transactions open on this thread: store_grow here would wait forever. */
static _Thread_local unsigned int thread_txns;
/* This thread's write transaction is open (one per thread at a time). */
static _Thread_local int thread_wtxn;

int
store_lmdb_err(const char *what, int rc)
{
	if (rc == MDB_NOTFOUND)
		return STORE_NOTFOUND;
	if (rc == MDB_MAP_FULL) {
		log_debug(LOG_STORE, "store: %s: %s", what, mdb_strerror(rc));
		return STORE_MAPFULL;
	}
	log_warnx("store: %s: %s", what, mdb_strerror(rc));
	return STORE_ERROR;
}

const char *
store_strerror(int code)
{
	switch (code) {
	case STORE_OK: return "ok";
	case STORE_NOTFOUND: return "not found";
	case STORE_ERROR: return "store failure (see the log)";
	case STORE_MAPFULL: return "store map full (grow and retry)";
	case STORE_EXISTS: return "already there";
	default: return "unknown store error";
	}
}

int
store_gate_enter(struct store *s)
{
	pthread_mutex_lock(&s->gate_mu);
	/*
	 * A pending resize goes first, or busy readers could starve it. A
	 * thread that already holds a transaction goes ahead: making it wait
	 * would deadlock, since the resize waits for that transaction.
	 */
	if (thread_txns == 0)
		while (s->grow_pending)
			pthread_cond_wait(&s->gate_cv, &s->gate_mu);
	s->open_txns++;
	pthread_mutex_unlock(&s->gate_mu);
	thread_txns++;
	return 0;
}

void
store_gate_leave(struct store *s)
{
	pthread_mutex_lock(&s->gate_mu);
	if (s->open_txns == 0)
		fatalx("%s: unbalanced transaction count", __func__);
	if (--s->open_txns == 0)
		pthread_cond_broadcast(&s->gate_cv);
	pthread_mutex_unlock(&s->gate_mu);
	thread_txns--;
}

int
store_txn_init_slot(struct store_rtxn *t)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)(uintptr_t)META_TIPSLOT;
	k.mv_size = strlen(META_TIPSLOT);
	rc = mdb_get(t->txn, t->s->db_meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		t->tipslot = t->slot = 0;
		return STORE_OK;
	}
	if (rc != 0)
		return store_lmdb_err("get tipslot", rc);
	if (v.mv_size != 1 || *(const uint8_t *)v.mv_data > 1) {
		log_warnx("store: corrupt tipslot record");
		return STORE_ERROR;
	}
	t->tipslot = t->slot = *(const uint8_t *)v.mv_data;
	return STORE_OK;
}

int
store_read_begin(struct store *s, struct store_rtxn **out)
{
	struct store_rtxn *t;
	int rc;

	store_gate_enter(s);
	t = xcalloc(1, sizeof(*t));
	t->s = s;
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn)) != 0) {
		free(t);
		store_gate_leave(s);
		return store_lmdb_err("read begin", rc);
	}
	if ((rc = store_txn_init_slot(t)) != STORE_OK) {
		mdb_txn_abort(t->txn);
		free(t);
		store_gate_leave(s);
		return rc;
	}
	*out = t;
	return STORE_OK;
}

void
store_read_end(struct store_rtxn *t)
{
	struct store *s;

	if (t == NULL)
		return;
	if (t->is_writer)
		fatalx("%s: called on a write transaction's reader", __func__);
	s = t->s;
	mdb_txn_abort(t->txn);
	store_txn_free_bufs(t);
	free(t);
	store_gate_leave(s);
}

/*
 * Runs with gate_mu held and no transaction open in the process: adopt a
 * map size grown by another process (MDB_MAP_RESIZED).
 */
static int
gate_adopt_mapsize(struct store *s)
{
	MDB_envinfo info;
	int rc;

	pthread_mutex_lock(&s->gate_mu);
	s->grow_pending = 1;
	while (s->open_txns > 0)
		pthread_cond_wait(&s->gate_cv, &s->gate_mu);
	rc = mdb_env_set_mapsize(s->env, 0);
	if (rc == 0 && (rc = mdb_env_info(s->env, &info)) == 0)
		s->mapsize = info.me_mapsize;
	s->grow_pending = 0;
	pthread_cond_broadcast(&s->gate_cv);
	pthread_mutex_unlock(&s->gate_mu);
	return rc;
}

static void
waiters(struct store *s, int urgent, int d)
{
	if (d > 0) {
		__atomic_add_fetch(&s->write_waiters, 1, __ATOMIC_RELAXED);
		if (urgent)
			__atomic_add_fetch(&s->urgent_waiters, 1,
			    __ATOMIC_RELAXED);
	} else {
		__atomic_sub_fetch(&s->write_waiters, 1, __ATOMIC_RELAXED);
		if (urgent)
			__atomic_sub_fetch(&s->urgent_waiters, 1,
			    __ATOMIC_RELAXED);
	}
}

int
store_write_begin(struct store *s, struct store_wtxn **out)
{
	return store_write_begin_flags(s, 0, out);
}

int
store_write_begin_flags(struct store *s, int flags,
    struct store_wtxn **out)
{
	struct store_wtxn *t;
	int rc, tries = 0, urgent = !(flags & STORE_W_BULK);

	if (thread_wtxn)
		fatalx("%s: a write transaction is already open", __func__);
	t = xcalloc(1, sizeof(*t));
	t->r.s = s;
	t->r.is_writer = 1;
	waiters(s, urgent, 1);
	for (;;) {
		store_gate_enter(s);
		rc = mdb_txn_begin(s->env, NULL, 0, &t->r.txn);
		if (rc == 0)
			break;
		store_gate_leave(s);
		if (rc != MDB_MAP_RESIZED || tries++ > 0 || thread_txns > 0) {
			waiters(s, urgent, -1);
			free(t);
			return store_lmdb_err("write begin", rc);
		}
		if ((rc = gate_adopt_mapsize(s)) != 0) {
			waiters(s, urgent, -1);
			free(t);
			return store_lmdb_err("adopt map size", rc);
		}
	}
	waiters(s, urgent, -1);
	if ((rc = store_txn_init_slot(&t->r)) != STORE_OK) {
		mdb_txn_abort(t->r.txn);
		store_gate_leave(s);
		free(t);
		return rc;
	}
	thread_wtxn = 1;
	*out = t;
	return STORE_OK;
}

static void
wtxn_release(struct store_wtxn *t)
{
	struct store *s = t->r.s;

	thread_wtxn = 0;
	store_txn_free_bufs(&t->r);
	free(t);
	store_gate_leave(s);
}

/*
 * The store's metrics, on the writing thread after a commit: writers take
 * turns (LMDB's writer lock), so the gauges have one writer at a time, and
 * mdb_env_info only reads the meta page.
 */
void
store_metrics_size(struct store *s)
{
	MDB_envinfo info;
	MDB_stat st;

	if (mdb_env_info(s->env, &info) == 0 &&
	    mdb_env_stat(s->env, &st) == 0) {
		metrics_set(M_STORE_MAP_SIZE, 0, (double)info.me_mapsize);
		metrics_set(M_STORE_USED_BYTES, 0,
		    (double)(info.me_last_pgno + 1) * st.ms_psize);
	}
}

static void
note_commit(struct store *s, int64_t us)
{
	metrics_observe_us(M_STORE_COMMIT, 0, us);
	store_metrics_size(s);
}

int
store_write_commit(struct store_wtxn *t)
{
	struct store *s = t->r.s;
	int64_t now, t0 = time_mono_micros();
	int rc;

	/*
	 * The block files' bytes go down before the commit that records
	 * where they are, in the modes whose commits are durable.
	 */
	if (s->sync_mode != STORE_SYNC_PERIODIC && store_blocks_flush(s) != 0) {
		store_write_abort(t);
		return STORE_ERROR;
	}
	/* mdb_txn_commit frees the transaction whatever it returns. */
	rc = mdb_txn_commit(t->r.txn);
	wtxn_release(t);
	if (rc != 0)
		return store_lmdb_err("commit", rc);
	note_commit(s, time_mono_micros() - t0);
	if (s->sync_mode == STORE_SYNC_PERIODIC && s->sync_interval_us > 0) {
		now = time_mono_micros();
		/*
		 * The commit stands; a failed flush means the disk is failing
		 * (and the kernel may have dropped the dirty pages), so stop
		 * rather than report a committed block as not committed.
		 */
		if (now -
			    __atomic_load_n(&s->last_sync_us,
				__ATOMIC_RELAXED) >=
			s->sync_interval_us &&
		    store_sync(s) != 0)
			fatalx("%s: flushing the store failed", __func__);
	}
	return STORE_OK;
}

void
store_write_abort(struct store_wtxn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->r.txn);
	wtxn_release(t);
}

struct store_rtxn *
store_wtxn_reader(struct store_wtxn *t)
{
	return &t->r;
}

int
store_grow(struct store *s)
{
	MDB_envinfo info;
	size_t want;
	int rc;

	if (thread_wtxn)
		fatalx("%s: called with a write transaction open", __func__);
	if (thread_txns > 0)
		fatalx(
		    "%s: called with a read transaction open on this thread",
		    __func__);
	pthread_mutex_lock(&s->gate_mu);
	if (s->mapsize > SIZE_MAX / 2) {
		pthread_mutex_unlock(&s->gate_mu);
		log_warnx("store: map size %zu cannot grow further",
		    s->mapsize);
		return STORE_ERROR;
	}
	s->grow_pending = 1;
	/* Every transaction waits for a resize: urgent. */
	waiters(s, 1, 1);
	while (s->open_txns > 0)
		pthread_cond_wait(&s->gate_cv, &s->gate_mu);
	waiters(s, 1, -1);
	want = s->mapsize * 2;
	rc = mdb_env_set_mapsize(s->env, want);
	if (rc == 0 && (rc = mdb_env_info(s->env, &info)) == 0)
		s->mapsize = info.me_mapsize;
	s->grow_pending = 0;
	pthread_cond_broadcast(&s->gate_cv);
	pthread_mutex_unlock(&s->gate_mu);
	if (rc != 0)
		return store_lmdb_err("grow map", rc);
	log_info("store: map grown to %zu KiB", s->mapsize >> 10);
	return STORE_OK;
}

int
store_write_waiting(struct store *s, int urgent_only)
{
	return __atomic_load_n(urgent_only ? &s->urgent_waiters :
					     &s->write_waiters,
		   __ATOMIC_RELAXED) > 0;
}

int
store_map_room(struct store *s, size_t *used, size_t *size)
{
	MDB_envinfo info;
	MDB_stat st;
	int rc;

	if ((rc = mdb_env_info(s->env, &info)) != 0 ||
	    (rc = mdb_env_stat(s->env, &st)) != 0)
		return store_lmdb_err("map room", rc);
	*used = (size_t)(info.me_last_pgno + 1) * st.ms_psize;
	*size = store_map_size(s);
	return STORE_OK;
}

size_t
store_map_size(struct store *s)
{
	size_t n;

	pthread_mutex_lock(&s->gate_mu);
	n = s->mapsize;
	pthread_mutex_unlock(&s->gate_mu);
	return n;
}

int
store_sync(struct store *s)
{
	int rc;

	/* Block bytes before the LMDB pages that point at them. */
	if (store_blocks_flush(s) != 0)
		return STORE_ERROR;
	if ((rc = mdb_env_sync(s->env, 1)) != 0)
		return store_lmdb_err("sync", rc);
	__atomic_store_n(&s->last_sync_us, time_mono_micros(),
	    __ATOMIC_RELAXED);
	return STORE_OK;
}
