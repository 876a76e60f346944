/*
 * assumeutxo: loading a UTXO snapshot (Core's ActivateSnapshot and
 * PopulateAndValidateSnapshot), following it while the old chainstate
 * validates in the background (background.c), and what happens when that
 * ends (Core's MaybeCompleteSnapshotValidation), across restarts.
 *
 * Design. The store keeps two chainstates (store.h: STORE_CS_TIP, the one
 * followed, and STORE_CS_OTHER). loadtxoutset is a typed request
 * (validation_load_snapshot) served on the validation thread, which so
 * stays the store's only writer while the RPC worker waits, holding the
 * file's bytes: Core's checks, the coins into the second chainstate and
 * their hash (snapshot.h), then one write transaction that swaps the two
 * chainstates and also writes the snapshot chainstate's active chain up
 * to the base block and the record (validation_int.h: struct au_record);
 * the thread moves its in-memory tip to the base and starts the
 * background thread on the old chainstate. The background thread reports
 * its end with VMSG_BG_DONE; the validation thread then drops the
 * background chainstate (agreed) or takes it back as the followed one and
 * stops the node (disagreed), as Core.
 *
 * Threads: validation_load_snapshot is called on an RPC worker and served
 * on the validation thread; au_startup and au_start run on the main
 * thread before the validation thread runs; the rest on the validation
 * thread; validation_chainstates and the net's getters on any thread.
 * Lock: v->au_mu, a leaf except that validation_chainstates holds it
 * while it reads the background chainstate's tip (whose lock is a leaf)
 * and the chainstate's lock is never taken under it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/coinstats.h"
#include "validation/snapshot.h"
#include "validation/validation_int.h"

#define AU_META "assumeutxo"
#define AU_RECORD_LEN (1 + 32 + 4 + 8 + 32)

/* ---- the record ---- */

static void
record_encode(const struct au_record *r, uint8_t out[AU_RECORD_LEN])
{
	out[0] = (uint8_t)r->state;
	memcpy(out + 1, r->base, 32);
	le32_write(out + 33, (uint32_t)r->height);
	le64_write(out + 37, r->chain_tx);
	memcpy(out + 45, r->hash_serialized, 32);
}

/* 0 with *r (AU_NONE when there is none), or -1 (store failure, damage). */
static int
record_get(struct store_rtxn *t, struct au_record *r)
{
	const uint8_t *p;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = store_get_meta(t, AU_META, &p, &len);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (len != AU_RECORD_LEN || p[0] < AU_LOADING || p[0] > AU_INVALID) {
		log_warnx("[snapshot] the store's snapshot record is damaged");
		return -1;
	}
	r->state = (enum au_state)p[0];
	memcpy(r->base, p + 1, 32);
	r->height = (int32_t)le32_read(p + 33);
	r->chain_tx = le64_read(p + 37);
	memcpy(r->hash_serialized, p + 45, 32);
	return 0;
}

static int
record_put(struct store_wtxn *w, const struct au_record *r)
{
	uint8_t buf[AU_RECORD_LEN];

	record_encode(r, buf);
	return store_put_meta(w, AU_META, buf, sizeof(buf));
}

static int
record_del(struct store_wtxn *w)
{
	int rc = store_del_meta(w, AU_META);

	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Empties the second chainstate and forgets the record, in one write
 * transaction on the calling thread (growing the map as needed).
 */
/*
 * Runs fn in a write transaction and commits it; a full map is grown and
 * the whole transaction run again. Returns a STORE_ status.
 */
static int
write_retry(struct store *s, int (*fn)(struct store_wtxn *, const void *),
    const void *arg)
{
	struct store_wtxn *w;
	int rc;

	for (;;) {
		if ((rc = store_write_begin(s, &w)) != STORE_OK)
			return rc;
		if ((rc = fn(w, arg)) == 0)
			rc = store_write_commit(w);
		else
			store_write_abort(w);
		if (rc != STORE_MAPFULL)
			return rc;
		if (store_grow(s) != STORE_OK)
			return STORE_ERROR;
	}
}

static int
discard_other_txn(struct store_wtxn *w, const void *arg)
{
	int rc;

	(void)arg;
	if ((rc = store_txn_use(store_wtxn_reader(w), STORE_CS_OTHER)) == 0 &&
	    (rc = store_clear_chainstate(w)) == 0)
		rc = record_del(w);
	return rc;
}

static int
discard_other(struct store *s)
{
	return write_retry(s, discard_other_txn, NULL);
}

static int
write_record_txn(struct store_wtxn *w, const void *arg)
{
	return record_put(w, arg);
}

static int
write_record(struct store *s, const struct au_record *r)
{
	return write_retry(s, write_record_txn, r);
}

/* ---- cache sizes (getchainstates) ---- */

/*
 * Core's MaybeRebalanceCaches: with two chainstates the one that needs it
 * (the followed one in initial download, else the background one) gets
 * 95%. Only reported: the store's reads are cached by the page cache,
 * and the tip cache's size is what bounds a sync batch (syncbatch.c).
 */
static void
rebalance(struct validation *v, int two)
{
	uint64_t db, tip;
	double big = 0.95, small = 0.05;
	int ibd = two && chainstate_is_initial_download(v->cs);

	validation_cache_sizes(v->args, &db, &tip);
	pthread_mutex_lock(&v->au_mu);
	if (!two) {
		v->cache_db[1] = db;
		v->cache_tip[1] = tip;
		v->cache_db[0] = v->cache_tip[0] = 0;
	} else {
		v->cache_db[1] = (uint64_t)((double)db * (ibd ? big : small));
		v->cache_tip[1] = (uint64_t)((double)tip *
		    (ibd ? big : small));
		v->cache_db[0] = (uint64_t)((double)db * (ibd ? small : big));
		v->cache_tip[0] = (uint64_t)((double)tip *
		    (ibd ? small : big));
	}
	pthread_mutex_unlock(&v->au_mu);
}

/* ---- start-up ---- */

int
au_settle(struct store *s, int reindex, struct au_record *out)
{
	struct store_rtxn *t;
	struct au_record r;
	char hex[65];
	int rc;

	if (store_read_begin(s, &t) != STORE_OK)
		return -1;
	rc = record_get(t, &r);
	store_read_end(t);
	if (rc != 0)
		return -1;
	hash_to_hex(r.base, hex);
	if (r.state != AU_NONE && reindex) {
		log_info("[snapshot] deleting snapshot chainstate due to "
			 "reindexing");
		r.state = AU_LOADING; /* discarded below */
	}
	switch (r.state) {
	case AU_NONE:
	case AU_ACTIVE: break;
	case AU_LOADING:
	case AU_INVALID:
		log_info("[snapshot] discarding the %s snapshot chainstate "
			 "based on %s",
		    r.state == AU_INVALID ? "invalid" : "unfinished", hex);
		if (discard_other(s) != STORE_OK) {
			log_warnx("Error: cannot discard the snapshot "
				  "chainstate");
			return -1;
		}
		r.state = AU_NONE;
		break;
	case AU_VALIDATED:
		log_info("[snapshot] the snapshot chainstate based on %s was "
			 "validated: it is the node's chainstate now",
		    hex);
		if (discard_other(s) != STORE_OK)
			return -1;
		r.state = AU_NONE;
		break;
	}
	*out = r;
	return 0;
}

int
au_startup(struct validation *v, const struct args *a,
    struct chainstate_opts *o)
{
	const struct assumeutxo *au;
	struct au_record r;
	char hex[65];

	pthread_mutex_init(&v->au_mu, NULL);
	v->bg_next = v->bg_base = -1;
	if (au_settle(v->store,
		args_get_bool(a, "reindex", 0) ||
		    args_get_bool(a, "reindex-chainstate", 0),
		&r) != 0)
		return -1;
	if (r.state == AU_ACTIVE) {
		hash_to_hex(r.base, hex);
		if ((au = chainparams_assumeutxo_for_hash(v->cp, r.base)) ==
		    NULL) {
			log_warnx(
			    "Error: A fatal internal error occurred, see "
			    "debug.log for details: Assumeutxo data not found "
			    "for the given blockhash '%s'.",
			    hex);
			return -1;
		}
		log_info("[snapshot] detected active snapshot chainstate (%s) "
			 "- loading",
		    hex);
		log_info("Running node in NODE_NETWORK_LIMITED mode until "
			 "snapshot background sync completes");
		/* Core checks the end against the table, not the record. */
		memcpy(r.hash_serialized, au->hash_serialized, 32);
		o->snapshot = 1;
		memcpy(o->snapshot_base, r.base, 32);
		o->snapshot_chain_tx = r.chain_tx;
		__atomic_store_n(&v->au_limited, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&v->bg_base, r.height, __ATOMIC_RELAXED);
	}
	v->au = r;
	return 0;
}

static void bg_done(void *arg, const struct bg_result *r);

/* Starts background validation from the store's second chainstate. */
static int
start_background(struct validation *v)
{
	struct store_rtxn *t;
	struct bindex *tip;
	uint8_t hash[32];
	int32_t height;
	int rc;

	if (store_read_begin(v->store, &t) != STORE_OK)
		return -1;
	rc = store_txn_use(t, STORE_CS_OTHER);
	if (rc == STORE_OK)
		rc = store_get_tip(t, hash, &height);
	store_read_end(t);
	if (rc != STORE_OK || height < 0 ||
	    (tip = bindex_find(&v->cs->map, hash)) == NULL ||
	    tip->e.height != height) {
		log_warnx("[snapshot] the background chainstate's tip is not "
			  "in the block index: store corrupt");
		return -1;
	}
	v->bg = bgval_start(v->cs, tip, v->au.hash_serialized, bg_done, v,
	    &v->bg_next);
	return 0;
}

void
au_start(struct validation *v)
{
	if (v->au.state != AU_ACTIVE) {
		rebalance(v, 0);
		return;
	}
	if (start_background(v) != 0)
		fatalx("%s: cannot resume background validation", __func__);
	rebalance(v, 1);
}

void
au_stop(struct validation *v)
{
	struct bgval *bg;

	pthread_mutex_lock(&v->au_mu);
	bg = v->bg;
	v->bg = NULL;
	pthread_mutex_unlock(&v->au_mu);
	bgval_stop(bg);
	pthread_mutex_destroy(&v->au_mu);
}

void
au_blocks_stored(struct validation *v)
{
	if (v->bg)
		bgval_wake(v->bg);
}

/* ---- loadtxoutset, on the RPC worker ---- */

static void
heights_list(const struct chainparams *cp, char *out, size_t len)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < cp->n_assumeutxo && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%d", i ? ", " : "",
		    cp->assumeutxo[i].height);
}

/* The snapshot's coins hash to the table's value? 0, or -1 with err. */
static int
check_content_hash(struct validation *v, const struct assumeutxo *au,
    char *err, size_t errlen)
{
	struct store_rtxn *t;
	struct coinstats st;
	char want[65], got[65];
	int rc;

	if (store_read_begin(v->store, &t) != STORE_OK) {
		snprintf(err, errlen,
		    "Population failed: Failed to generate "
		    "coins stats");
		return -1;
	}
	rc = store_txn_use(t, STORE_CS_OTHER);
	if (rc == STORE_OK)
		rc = coinstats_compute(t, 0, &st);
	store_read_end(t);
	if (rc != STORE_OK) {
		snprintf(err, errlen,
		    "Population failed: Failed to generate "
		    "coins stats");
		return -1;
	}
	if (memcmp(st.hash_serialized, au->hash_serialized, 32) != 0) {
		hash_to_hex(au->hash_serialized, want);
		hash_to_hex(st.hash_serialized, got);
		snprintf(err, errlen,
		    "Population failed: Bad snapshot content "
		    "hash: expected %s, got %s",
		    want, got);
		return -1;
	}
	return 0;
}

static int activate(struct validation *v, const struct au_record *rec,
    char *err, size_t errlen);

/* Core's ActivateSnapshot, on the validation thread. 0, or -1 with err. */
static int
load(struct validation *v, const struct snapshot_meta *m, struct rbuf *coins,
    size_t mempool_size, struct snapshot_load_result *out, char *err,
    size_t errlen)
{
	const struct assumeutxo *au, *auh;
	struct block_index_entry be, tip;
	struct au_record rec;
	char hex[65], heights[256], msg[256];
	int rc, loaded = 0;

	/* The validation thread writes v->au: no lock needed to read it. */
	if (v->au.state != AU_NONE) {
		snprintf(err, errlen,
		    "Can't activate a snapshot-based "
		    "chainstate more than once");
		return -1;
	}
	rc = -1;
	hash_to_hex(m->base_hash, hex);
	if ((au = chainparams_assumeutxo_for_hash(v->cp, m->base_hash)) ==
	    NULL) {
		heights_list(v->cp, heights, sizeof(heights));
		snprintf(err, errlen,
		    "assumeutxo block hash in snapshot "
		    "metadata not recognized (hash: %s). The following "
		    "snapshot heights are available: %s",
		    hex, heights);
		goto out;
	}
	switch (chainstate_snapshot_check(v->cs, m->base_hash, &be)) {
	case 0: break;
	case -1:
		snprintf(err, errlen,
		    "The base block header (%s) must appear "
		    "in the headers chain. Make sure all headers are syncing, "
		    "and call loadtxoutset again",
		    hex);
		goto out;
	case -2:
		snprintf(err, errlen,
		    "The base block header (%s) is part of "
		    "an invalid chain",
		    hex);
		goto out;
	default:
		snprintf(err, errlen,
		    "A forked headers-chain with more work "
		    "than the chain with the snapshot base block header "
		    "exists. Please proceed to sync without AssumeUtxo.");
		goto out;
	}
	if (mempool_size > 0) {
		snprintf(err, errlen,
		    "Can't activate a snapshot when mempool "
		    "not empty");
		goto out;
	}
	/* Core's PopulateAndValidateSnapshot from here. */
	if ((auh = chainparams_assumeutxo_for_height(v->cp, be.height)) ==
	    NULL) {
		snprintf(err, errlen,
		    "Population failed: Assumeutxo height in "
		    "snapshot metadata not recognized (%d) - refusing to load "
		    "snapshot",
		    be.height);
		goto out;
	}
	if (chainstate_tip(v->cs, &tip) != 0 ||
	    memcmp(tip.chainwork, be.chainwork, 32) >= 0) {
		snprintf(err, errlen,
		    "Population failed: Work does not exceed "
		    "active chainstate");
		goto out;
	}
	if (v->cs->opts.txindex) {
		snprintf(err, errlen,
		    "bitrootd cannot load a snapshot with "
		    "-txindex (restart without it to load one)");
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	rec.state = AU_LOADING;
	memcpy(rec.base, m->base_hash, 32);
	rec.height = be.height;
	rec.chain_tx = auh->chain_tx;
	memcpy(rec.hash_serialized, auh->hash_serialized, 32);
	if (write_record(v->store, &rec) != STORE_OK) {
		snprintf(err, errlen,
		    "Population failed: could not write "
		    "base blockhash");
		goto out;
	}
	loaded = 1;
	if (snapshot_load_coins(v->store, coins, m, be.height, msg,
		sizeof(msg)) != 0) {
		snprintf(err, errlen, "Population failed: %s", msg);
		goto out;
	}
	if (check_content_hash(v, auh, err, errlen) != 0)
		goto out;
	log_info("[snapshot] validated snapshot based on %s", hex);
	rec.state = AU_ACTIVE;
	if (activate(v, &rec, err, errlen) != 0)
		goto out;
	out->coins = m->coins;
	memcpy(out->base_hash, m->base_hash, 32);
	out->base_height = be.height;
	rc = 0;
out:
	if (rc != 0 && loaded && discard_other(v->store) != STORE_OK)
		fatalx("%s: Failed to remove snapshot chainstate dir: the "
		       "store's second chainstate cannot be emptied",
		    __func__);
	return rc;
}

struct load_in {
	struct snapshot_meta m;
	struct rbuf coins; /* the caller's bytes: it waits for the answer */
	size_t mempool_size;
};

static void
serve_load(void *owner, void *inp, void *outp, struct request *r)
{
	struct load_in *in = inp;
	char err[sizeof(((struct request_error *)0)->message)];

	if (load(owner, &in->m, &in->coins, in->mempool_size, outp, err,
		sizeof(err)) != 0)
		request_fail(r, VALIDATION_E_REFUSED, "%s", err);
}

int
validation_load_snapshot(struct validation *v, const struct snapshot_meta *m,
    struct rbuf *coins, size_t mempool_size, struct snapshot_load_result *out,
    char *err, size_t errlen)
{
	struct request_error e;
	struct load_in in;
	struct request *r;

	in.m = *m;
	in.coins = *coins;
	in.mempool_size = mempool_size;
	r = request_new(serve_load, &in, sizeof(in), NULL, sizeof(*out), NULL);
	/*
	 * No time-out: the thread reads the caller's bytes until it answers,
	 * and every request is answered (served, or refused at shutdown).
	 */
	if (validation_request(v, r, INT_MAX, out, &e) != 0) {
		snprintf(err, errlen, "%s", e.message);
		return -1;
	}
	return 0;
}

/* ---- activation, on the validation thread ---- */

struct activate_arg {
	struct bindex *base;
	const struct au_record *rec;
};

static int
activate_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct activate_arg *a = arg;
	struct block_index_entry e;
	struct bindex *b;
	int rc;

	(void)cs;
	if ((rc = store_swap_chainstates(w)) != 0 ||
	    (rc = store_txn_use(store_wtxn_reader(w), STORE_CS_TIP)) != 0)
		return rc;
	for (b = a->base; b; b = b->parent)
		if ((rc = store_set_active_hash(w, b->e.height, b->e.hash)) !=
		    0)
			return rc;
	if ((rc = store_set_tip(w, a->base->e.hash, a->base->e.height)) != 0 ||
	    (rc = record_put(w, a->rec)) != 0)
		return rc;
	e = a->base->e;
	if (e.chain_tx == 0)
		e.chain_tx = a->rec->chain_tx;
	return store_put_index(w, &e);
}

static int
activate(struct validation *v, const struct au_record *rec, char *err,
    size_t errlen)
{
	struct chainstate *cs = v->cs;
	struct activate_arg a;
	struct bindex *base, *old;
	char hex[65];
	size_t i;

	if (cs_flush_dirty(cs) != 0)
		fatalx(
		    "validation: store failure before activating a snapshot");
	base = bindex_find(&cs->map, rec->base);
	old = chain_tip(&cs->chain);
	/* The chain may have moved while the coins were loading. */
	if (base == NULL || (base->e.status & BLOCK_FAILED_MASK) ||
	    bindex_work_cmp(old, base) >= 0) {
		snprintf(err, errlen,
		    "work does not exceed active chainstate");
		return -1;
	}
	a.base = base;
	a.rec = rec;
	if (cs_write(cs, activate_txn, &a) != 0)
		fatalx("validation: store failure activating a snapshot");
	cs_lock(cs);
	cs->snap_base = base;
	cs->snap_chain_tx = rec->chain_tx;
	if (base->e.chain_tx == 0)
		base->e.chain_tx = rec->chain_tx;
	chain_set_tip(&cs->chain, base);
	cand_free(&cs->cand);
	for (i = 0; i < cs->map.nall; i++)
		cs->map.all[i]->candidate = 0;
	cand_add(&cs->cand, base);
	cs_link_children(cs, base);
	for (i = 0; i < cs->map.nall; i++)
		cs_maybe_candidate(cs, cs->map.all[i]);
	cs_unlock(cs);
	pthread_mutex_lock(&v->au_mu);
	v->au = *rec;
	pthread_mutex_unlock(&v->au_mu);
	__atomic_store_n(&v->au_limited, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->bg_base, base->e.height, __ATOMIC_RELAXED);
	v->bg = bgval_start(cs, old, rec->hash_serialized, bg_done, v,
	    &v->bg_next);
	cs_tip_moved(cs);
	rebalance(v, 1);
	v->activate_pending = 1;
	hash_to_hex(base->e.hash, hex);
	log_info("[snapshot] successfully activated snapshot %s", hex);
	return 0;
}

/* ---- the end of background validation, on the validation thread ---- */

static void
bg_done(void *arg, const struct bg_result *r)
{
	struct validation *v = arg;
	struct msg *m = msg_new(VMSG_BG_DONE, 0, r, sizeof(*r));
	int rc;

	/* The queue refuses at its mark: try again until it takes it. */
	while ((rc = queue_push(v->callq, m)) == QUEUE_EFULL)
		usleep(10000);
	if (rc != 0)
		msg_free(m); /* shutting down: a restart finishes it */
}

static int
validated_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	const struct au_record *r = arg;
	int rc;

	(void)cs;
	if ((rc = store_txn_use(store_wtxn_reader(w), STORE_CS_OTHER)) != 0 ||
	    (rc = store_clear_chainstate(w)) != 0)
		return rc;
	return record_put(w, r);
}

static void
validated(struct validation *v)
{
	struct chainstate *cs = v->cs;
	struct au_record r = v->au;
	struct bindex *b, *base = cs->snap_base;
	char hex[65];
	size_t i;

	r.state = AU_VALIDATED;
	if (cs_write(cs, validated_txn, &r) != 0)
		fatalx("validation: store failure dropping the background "
		       "chainstate");
	hash_to_hex(base->e.hash, hex);
	log_info("[snapshot] snapshot beginning at %s has been fully "
		 "validated",
	    hex);
	cs_lock(cs);
	/* Its history is validated now: connected, with undo data. */
	for (b = base; b && b->parent; b = b->parent) {
		if (!(b->e.status & BLOCK_HAVE_DATA) ||
		    (b->e.status & BLOCK_VALID_SCRIPTS))
			continue;
		b->e.status |= BLOCK_VALID_SCRIPTS | BLOCK_HAVE_UNDO;
		cs_mark_dirty(cs, b);
	}
	cs->snap_base = NULL;
	for (i = 0; i < cs->map.nall; i++)
		cs_maybe_candidate(cs, cs->map.all[i]);
	cs_unlock(cs);
	if (cs_flush_dirty(cs) != 0)
		fatalx(
		    "validation: store failure after background validation");
	pthread_mutex_lock(&v->au_mu);
	v->au.state = AU_VALIDATED;
	pthread_mutex_unlock(&v->au_mu);
	__atomic_store_n(&v->bg_base, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->au_limited, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&v->au_mu);
	v->bg_finishing = 0;
	pthread_mutex_unlock(&v->au_mu);
	log_info("[snapshot] re-enabling NODE_NETWORK services");
	log_info("[snapshot] allocating all cache to the snapshot chainstate");
	rebalance(v, 0);
	v->activate_pending = 1;
}

static int
invalid_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	const struct au_record *r = arg;
	int rc;

	(void)cs;
	if ((rc = store_swap_chainstates(w)) != 0)
		return rc;
	return record_put(w, r);
}

/*
 * Core's handle_invalid_snapshot: the validated chainstate is followed
 * again, the snapshot's is kept until the next start, the node stops.
 */
static void
invalid(struct validation *v, const struct bg_result *res)
{
	struct chainstate *cs = v->cs;
	struct au_record r = v->au;
	struct bindex *bad;
	char hex[65];

	__atomic_store_n(&v->halted, 1, __ATOMIC_RELAXED);
	v->activate_pending = 0;
	log_warnx(
	    "[snapshot] !!! bitrootd failed to validate the "
	    "-assumeutxo snapshot state. This indicates a hardware problem, "
	    "or a bug in the software, or a bad software modification that "
	    "allowed an invalid snapshot to be loaded. As a result of this, "
	    "the node will shut down and stop using any state that was built "
	    "on the snapshot, resetting the chain height from %d to %d. On "
	    "the next restart, the node will resume syncing from %d without "
	    "using any snapshot data. Please report this incident to the "
	    "bitrootd developers, including how you obtained the snapshot. "
	    "The invalid snapshot chainstate is discarded at the next start.",
	    cs->chain.height, res->height, res->height);
	if (res->invalid_block) {
		hash_to_hex(res->block, hex);
		log_warnx("[snapshot] block %s below the snapshot's base is "
			  "invalid: %s",
		    hex, res->reason);
		if ((bad = bindex_find(&cs->map, res->block)) != NULL)
			mark_block_failed(cs, bad);
		(void)cs_flush_dirty(cs);
	} else
		log_warnx("%s", res->reason);
	log_warnx("[snapshot] deleting snapshot, reverting to validated "
		  "chain, and stopping node");
	r.state = AU_INVALID;
	if (cs_write(cs, invalid_txn, &r) != 0)
		fatalx("validation: store failure reverting to the validated "
		       "chainstate");
	pthread_mutex_lock(&v->au_mu);
	v->au.state = AU_INVALID;
	v->bg_finishing = 0;
	pthread_mutex_unlock(&v->au_mu);
	__atomic_store_n(&v->bg_base, -1, __ATOMIC_RELAXED);
	shutdown_request_fatal(
	    "bitrootd failed to validate the -assumeutxo "
	    "snapshot state; the node stopped and will resume from the "
	    "validated chain without the snapshot (see debug.log)");
}

void
au_dispatch(struct validation *v, struct msg *m)
{
	struct bg_result res;
	struct bgval *bg;

	if (m->len != sizeof(res))
		fatalx("%s: bad background result", __func__);
	memcpy(&res, m->data, sizeof(res));
	pthread_mutex_lock(&v->au_mu);
	bg = v->bg;
	v->bg = NULL;
	v->bg_finishing =
	    bg && bgval_tip(bg, v->bg_fin_tip, &v->bg_fin_height) == 0;
	pthread_mutex_unlock(&v->au_mu);
	/* Its thread has returned after reporting: this only joins. */
	bgval_stop(bg);
	if (res.ok)
		validated(v);
	else
		invalid(v, &res);
}

/* ---- what other threads read ---- */

void
validation_chainstates(struct validation *v, struct chainstates_info *out)
{
	struct block_index_entry e;
	struct chainstate_info *ci;
	uint8_t hash[32];
	int32_t height;
	int two = 0;

	memset(out, 0, sizeof(*out));
	out->headers = chainstate_best_header(v->cs, &e) == 0 ? e.height : -1;
	pthread_mutex_lock(&v->au_mu);
	if ((v->bg != NULL && bgval_tip(v->bg, hash, &height) == 0) ||
	    (v->bg == NULL && v->bg_finishing &&
		(memcpy(hash, v->bg_fin_tip, 32), height = v->bg_fin_height,
		    1))) {
		two = 1;
		out->cs[0].height = height;
		memcpy(out->cs[0].tip, hash, 32);
		out->cs[0].validated = 1;
		out->cs[0].coins_db_cache_bytes = v->cache_db[0];
		out->cs[0].coins_tip_cache_bytes = v->cache_tip[0];
	}
	ci = &out->cs[two];
	ci->coins_db_cache_bytes = v->cache_db[1];
	ci->coins_tip_cache_bytes = v->cache_tip[1];
	if (v->au.state == AU_ACTIVE || v->au.state == AU_VALIDATED) {
		ci->from_snapshot = 1;
		memcpy(ci->snapshot_base, v->au.base, 32);
	}
	pthread_mutex_unlock(&v->au_mu);
	out->n = (size_t)two + 1;
	ci->validated = !ci->from_snapshot || out->n == 1;
	if (chainstate_tip(v->cs, &e) == 0) {
		ci->height = e.height;
		memcpy(ci->tip, e.hash, 32);
		ci->chain_tx = e.chain_tx;
		ci->bits = e.hdr.bits;
		ci->time = e.hdr.time;
	}
	if (two && chainstate_lookup(v->cs, out->cs[0].tip, &e, NULL) == 0) {
		out->cs[0].chain_tx = e.chain_tx;
		out->cs[0].bits = e.hdr.bits;
		out->cs[0].time = e.hdr.time;
	}
}

int
validation_background_range(struct validation *v, int32_t *from, int32_t *to)
{
	int32_t base = __atomic_load_n(&v->bg_base, __ATOMIC_RELAXED);
	int32_t next = __atomic_load_n(&v->bg_next, __ATOMIC_RELAXED);

	if (base < 0 || next < 0 || next > base)
		return -1;
	*from = next;
	*to = base;
	return 0;
}

int
validation_snapshot_limited(struct validation *v)
{
	return __atomic_load_n(&v->au_limited, __ATOMIC_RELAXED);
}
