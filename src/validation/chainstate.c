/*
 * The chainstate: loading the block index, accepting headers and blocks
 * (Core's AcceptBlockHeader, AcceptBlock, ProcessNewBlock and
 * ProcessNewBlockHeaders), and the read accessors other modules use.
 *
 * Block data that arrives on top of the tip is not written on its own:
 * it stays "pending" (the caller's bytes) and goes to the store in the
 * same transaction that connects it, so an imported block costs one
 * commit. Anything still pending when processing ends is flushed with
 * the dirty index entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/pow.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

#define DEFAULT_NETWORK_HASHPS_LOOKUP 120

void
cs_lock(struct chainstate *cs)
{
	pthread_mutex_lock(&cs->lock);
}

void
cs_unlock(struct chainstate *cs)
{
	pthread_mutex_unlock(&cs->lock);
}

const struct chainparams *
chainstate_params(const struct chainstate *cs)
{
	return cs->cp;
}

struct store *
chainstate_store(const struct chainstate *cs)
{
	return cs->store;
}

void
chainstate_set_hooks(struct chainstate *cs, const struct chainstate_hooks *h)
{
	cs->hooks = *h;
}

void
cs_mark_dirty(struct chainstate *cs, struct bindex *b)
{
	if (b->dirty)
		return;
	b->dirty = 1;
	blist_add(&cs->dirty, b);
}

int
cs_write(struct chainstate *cs,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg)
{
	return cs_txn(cs, fn, arg, 1);
}

int
cs_txn(struct chainstate *cs,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg, int commit)
{
	struct store_wtxn *w;
	int rc;

	/* One write transaction at a time: a sync batch commits first. */
	cs_batch_end(cs);
	for (;;) {
		if ((rc = store_write_begin_flags(cs->store,
			 cs->bulk_write ? STORE_W_BULK : 0, &w)) != STORE_OK)
			return rc;
		if ((rc = store_txn_use(store_wtxn_reader(w), cs->role)) !=
		    0) {
			store_write_abort(w);
			return rc;
		}
		rc = fn(cs, w, arg);
		if (rc == 0 && commit)
			rc = store_write_commit(w);
		else
			store_write_abort(w);
		if (rc != STORE_MAPFULL)
			return rc;
		if (store_grow(cs->store) != STORE_OK)
			return STORE_ERROR;
	}
}

/* pow_ancestor_fn over the block index: arg is the chain's last block. */
static int
pow_get(void *arg, int32_t height, struct pow_block *out)
{
	struct bindex *b = bindex_ancestor(arg, height);

	if (b == NULL)
		return -1;
	out->height = b->e.height;
	out->time = b->e.hdr.time;
	out->bits = b->e.hdr.bits;
	return 0;
}

uint32_t
next_work_required(struct chainstate *cs, struct bindex *prev,
    const struct block_header *h)
{
	struct pow_block pb;
	uint32_t bits;

	pb.height = prev->e.height;
	pb.time = prev->e.hdr.time;
	pb.bits = prev->e.hdr.bits;
	if (pow_next_work_required(cs->cp, &pb, h->time, pow_get, prev,
		&bits) != 0)
		fatalx("%s: ancestor missing below height %d", __func__,
		    prev->e.height);
	return bits;
}

static void
set_chainwork(struct bindex *b)
{
	struct arith256 work, proof;

	arith256_block_proof(&proof, b->e.hdr.bits);
	if (b->parent) {
		arith256_from_be(&work, b->parent->e.chainwork);
		arith256_add(&work, &work, &proof);
	} else
		work = proof;
	arith256_to_be(&work, b->e.chainwork);
}

/* The block's transactions were received once (Core's nTx > 0). */
static int
tx_known(const struct bindex *b)
{
	return (b->e.status & BLOCK_VALID_TX) && b->e.tx_count > 0;
}

static int
failed(const struct bindex *b)
{
	return (b->e.status & BLOCK_FAILED_MASK) != 0;
}

void
cs_maybe_candidate(struct chainstate *cs, struct bindex *b)
{
	struct bindex *tip = chain_tip(&cs->chain);

	if (failed(b) || b->e.chain_tx == 0 || !(b->e.status & BLOCK_VALID_TX))
		return;
	/* On a snapshot: no going below its base, whose history is not here. */
	if (cs->snap_base && !bindex_descends(b, cs->snap_base))
		return;
	if (tip == NULL || tip == b || !bindex_better(tip, b))
		cand_add(&cs->cand, b);
}

/* The headers gauge; the validation thread moves best_header. */
static void
note_best_header(const struct chainstate *cs)
{
	if (!cs->background && cs->best_header)
		metrics_set(M_CHAIN_HEADERS, 0, cs->best_header->e.height);
}

void
cs_recompute_best_header(struct chainstate *cs)
{
	struct bindex *best = NULL;
	size_t i;

	for (i = 0; i < cs->map.nall; i++) {
		struct bindex *b = cs->map.all[i];

		if (failed(b))
			continue;
		if (best == NULL || bindex_better(b, best))
			best = b;
	}
	if (best != cs->best_header) {
		cs->best_header = best;
		cs->best_header_dirty = 1;
		note_best_header(cs);
	}
}

static void
update_best_header(struct chainstate *cs, struct bindex *b)
{
	if (!failed(b) &&
	    (cs->best_header == NULL ||
		bindex_work_cmp(b, cs->best_header) > 0)) {
		cs->best_header = b;
		cs->best_header_dirty = 1;
		note_best_header(cs);
	}
}

/*
 * b now has data: if its parent's ancestry all has data, it and every
 * waiting descendant get their chain tx count and may become candidates.
 * Under lock.
 */
static void
link_block(struct chainstate *cs, struct bindex *b)
{
	struct bindex_list *ul = &cs->unlinked;
	struct bindex **queue;
	size_t qn = 0, qcap = 8, i;

	if (b->parent && b->parent->e.chain_tx == 0) {
		blist_add(ul, b);
		return;
	}
	queue = xreallocarray(NULL, qcap, sizeof(*queue));
	queue[qn++] = b;
	while (qn > 0) {
		struct bindex *x = queue[--qn];

		x->e.chain_tx = (x->parent ? x->parent->e.chain_tx : 0) +
		    x->e.tx_count;
		cs_mark_dirty(cs, x);
		cs_maybe_candidate(cs, x);
		for (i = 0; i < ul->n;) {
			if (ul->v[i]->parent == x) {
				if (qn == qcap) {
					qcap *= 2;
					queue = xreallocarray(queue, qcap,
					    sizeof(*queue));
				}
				queue[qn++] = ul->v[i];
				ul->v[i] = ul->v[--ul->n];
			} else
				i++;
		}
	}
	free(queue);
}

void
cs_link_children(struct chainstate *cs, struct bindex *parent)
{
	struct bindex_list *ul = &cs->unlinked;
	struct bindex *b;
	size_t i;

	for (i = 0; i < ul->n;) {
		if (ul->v[i]->parent == parent) {
			b = ul->v[i];
			ul->v[i] = ul->v[--ul->n];
			link_block(cs, b);
			i = 0;
		} else
			i++;
	}
}

static int
flush_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct bindex_list *dl = &cs->dirty;
	size_t i;
	int rc;

	(void)arg;
	for (i = 0; i < dl->n; i++) {
		struct bindex *b = dl->v[i];

		if (!b->dirty)
			continue;
		if (b->pending_raw &&
		    (rc = store_put_block(w, b->e.hash, b->pending_raw,
			 b->pending_len)) != 0)
			return rc;
		if ((rc = store_put_index(w, &b->e)) != 0)
			return rc;
	}
	if (cs->best_header_dirty && cs->best_header &&
	    (rc = store_set_best_header(w, cs->best_header->e.hash)) != 0)
		return rc;
	return 0;
}

int
cs_flush_dirty(struct chainstate *cs)
{
	struct bindex_list *dl = &cs->dirty;
	size_t i;
	int any = cs->best_header_dirty, rc;

	for (i = 0; i < dl->n && !any; i++)
		any = dl->v[i]->dirty;
	if (!any) {
		dl->n = 0;
		return 0;
	}
	if (cs->batch) {
		/* Into the sync batch: its blocks may be among these. */
		if ((rc = flush_txn(cs, cs->batch, NULL)) != 0)
			fatalx("validation: store failure writing the block "
			       "index inside a sync batch (%s); the store "
			       "keeps its last commit, from which the next "
			       "start resumes",
			    store_strerror(rc));
	} else if ((rc = cs_write(cs, flush_txn, NULL)) != 0) {
		log_warnx("chainstate: index flush failed: %s",
		    store_strerror(rc));
		return -1;
	}
	for (i = 0; i < dl->n; i++) {
		dl->v[i]->dirty = 0;
		dl->v[i]->pending_raw = NULL;
		dl->v[i]->pending_len = 0;
	}
	dl->n = 0;
	cs->best_header_dirty = 0;
	return 0;
}

static int
load_cb(void *arg, const struct block_index_entry *e)
{
	struct chainstate *cs = arg;
	struct bindex *b;

	if (bindex_find(&cs->map, e->hash))
		return 0;
	b = bindex_insert(&cs->map, e->hash);
	b->e = *e;
	b->seq = e->sequence_id;
	if (b->seq >= cs->next_seq)
		cs->next_seq = b->seq + 1;
	return 0;
}

static int
height_cmp(const void *a, const void *b)
{
	const struct bindex *x = *(struct bindex *const *)a;
	const struct bindex *y = *(struct bindex *const *)b;

	return x->e.height < y->e.height ? -1 : x->e.height > y->e.height;
}

static int
load_index(struct chainstate *cs)
{
	struct store_rtxn *r;
	struct bindex **v, *tip = NULL;
	uint8_t hash[32], best[32];
	int32_t height;
	int rc, have_best;
	size_t i, n;

	if (store_read_begin(cs->store, &r) != STORE_OK)
		return -1;
	rc = store_iter_index(r, load_cb, cs);
	if (rc < 0) {
		store_read_end(r);
		return -1;
	}
	rc = store_get_tip(r, hash, &height);
	have_best = store_get_best_header(r, best) == STORE_OK;
	store_read_end(r);
	if (rc != STORE_OK)
		height = -1;

	if (cs->opts.snapshot &&
	    (cs->snap_base = bindex_find(&cs->map, cs->opts.snapshot_base)) ==
		NULL) {
		log_warnx(
		    "chainstate: the snapshot's base block is not in the "
		    "block index: store corrupt");
		return -1;
	}
	cs->snap_chain_tx = cs->opts.snapshot_chain_tx;
	n = cs->map.nall;
	v = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	if (n > 0) {
		memcpy(v, cs->map.all, n * sizeof(*v));
		qsort(v, n, sizeof(*v), height_cmp);
	}
	for (i = 0; i < n; i++) {
		struct bindex *b = v[i];

		if (b->e.height > 0) {
			b->parent = bindex_find(&cs->map, b->e.hdr.prev);
			if (b->parent == NULL ||
			    b->parent->e.height != b->e.height - 1) {
				char hex[65];

				hash_to_hex(b->e.hash, hex);
				log_warnx("chainstate: index entry %s has no "
					  "parent: store corrupt",
				    hex);
				free(v);
				return -1;
			}
		}
		bindex_build_skip(b);
		/*
		 * Recompute what is derived, rather than trusting it. As
		 * Core's (nTx > 0), a block counts once its transactions
		 * were received, data pruned since or not: else after a
		 * restart nothing above a pruned block could be connected.
		 */
		if (tx_known(b) &&
		    (b->parent == NULL || b->parent->e.chain_tx != 0))
			b->e.chain_tx = (b->parent ? b->parent->e.chain_tx :
						     0) +
			    b->e.tx_count;
		else {
			b->e.chain_tx = 0;
			if (tx_known(b))
				blist_add(&cs->unlinked, b);
		}
		/* A snapshot's base stands in for its history. */
		if (b == cs->snap_base && b->e.chain_tx == 0)
			b->e.chain_tx = cs->snap_chain_tx;
		if (b->parent && failed(b->parent) && !failed(b))
			b->e.status |= BLOCK_FAILED_CHILD;
	}
	free(v);
	if (height >= 0) {
		tip = bindex_find(&cs->map, hash);
		if (tip == NULL || tip->e.height != height) {
			log_warnx("chainstate: the store's tip is not in its "
				  "block index: store corrupt");
			return -1;
		}
	}
	chain_set_tip(&cs->chain, tip);
	for (i = 0; i < cs->map.nall; i++)
		cs_maybe_candidate(cs, cs->map.all[i]);
	if (tip)
		cand_add(&cs->cand, tip);
	cand_prune(&cs->cand, tip ? tip : NULL);
	cs_recompute_best_header(cs);
	if (have_best && cs->best_header &&
	    memcmp(best, cs->best_header->e.hash, 32) == 0)
		cs->best_header_dirty = 0;
	return 0;
}

static int
genesis_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct block *b = arg;
	struct val_state st;
	int rc;

	vs_clear(&st);
	rc = connect_block(cs, w, cs->genesis_tmp, b, 0, &st);
	if (rc == 0 && (rc = store_set_best_header(w, b->hash)) != 0)
		return rc;
	return rc;
}

static int
connect_genesis(struct chainstate *cs)
{
	struct block b;
	struct bindex *g;
	int rc;

	if (block_parse(cs->cp->genesis_raw, cs->cp->genesis_len, &b) != 0)
		fatalx("%s: genesis block does not parse", __func__);
	cs_lock(cs);
	g = bindex_find(&cs->map, b.hash);
	if (g == NULL) {
		g = bindex_insert(&cs->map, b.hash);
		g->e.hdr = b.hdr;
		g->e.height = 0;
		set_chainwork(g);
	}
	g->e.tx_count = (uint32_t)b.tx_count;
	g->e.chain_tx = b.tx_count;
	g->e.status |= BLOCK_VALID_HEADER | BLOCK_VALID_TREE | BLOCK_VALID_TX |
	    BLOCK_HAVE_DATA;
	g->seq = cs->next_seq++;
	g->e.sequence_id = (uint32_t)g->seq;
	g->pending_raw = cs->cp->genesis_raw;
	g->pending_len = cs->cp->genesis_len;
	cs_unlock(cs);
	cs->genesis_tmp = g;
	rc = cs_write(cs, genesis_txn, &b);
	block_free(&b);
	if (rc != 0) {
		log_warnx("chainstate: cannot write the genesis block: %s",
		    store_strerror(rc));
		return -1;
	}
	cs_lock(cs);
	g->e.status |= BLOCK_VALID_SCRIPTS;
	g->pending_raw = NULL;
	g->pending_len = 0;
	chain_set_tip(&cs->chain, g);
	cand_add(&cs->cand, g);
	cs->best_header = g;
	cs->best_header_dirty = 0;
	cs_unlock(cs);
	return 0;
}

static void
update_ibd_inputs(struct chainstate *cs)
{
	struct bindex *tip = chain_tip(&cs->chain);
	int work_ok = tip &&
	    memcmp(tip->e.chainwork, cs->cp->minimum_chain_work, 32) >= 0;

	__atomic_store_n(&cs->tip_time, tip ? (int64_t)tip->e.hdr.time : 0,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&cs->tip_work_ok, work_ok, __ATOMIC_RELAXED);
	__atomic_store_n(&cs->have_tip, tip != NULL, __ATOMIC_RELEASE);
}

/*
 * Core's UpdateTip check: out of initial download, a version bit that
 * activated rules we do not know is a warning (once; Core keeps it set
 * until a restart).
 */
static void
check_unknown_rules(struct chainstate *cs, struct bindex *tip)
{
	char msg[80];
	int bit;

	if (cs->vb_warned || cs->background || cs->hooks.warning == NULL)
		return;
	if ((bit = vb_warn_active(&cs->vbw, cs->cp, tip)) < 0)
		return;
	cs->vb_warned = 1;
	snprintf(msg, sizeof(msg),
	    "Unknown new rules activated (versionbit "
	    "%d)",
	    bit);
	log_warnx("Warning: %s", msg);
	cs->hooks.warning(cs->hooks.arg, msg);
}

void
cs_tip_moved(struct chainstate *cs)
{
	struct bindex *tip = chain_tip(&cs->chain);
	int ibd;

	update_ibd_inputs(cs);
	ibd = chainstate_is_initial_download(cs);
	if (tip && !ibd)
		check_unknown_rules(cs, tip);
	cs_metrics_tip(cs);
	if (cs->batch) {
		/* Listeners read the store: they hear at the commit. */
		cs->batch_tip_owed = 1;
		/*
		 * Out of initial download no block waits any longer; at
		 * -stopatheight the owner must hear now, to stop there.
		 */
		if (!ibd || (cs->opts.stop_at_height > 0 && tip &&
				tip->e.height >= cs->opts.stop_at_height))
			cs_batch_end(cs);
		return;
	}
	if (tip && cs->hooks.tip_changed)
		cs->hooks.tip_changed(cs->hooks.arg, &tip->e, ibd);
}

int
chainstate_open(const struct chainparams *cp, struct store *s,
    const struct chainstate_opts *o, struct chainstate **out)
{
	struct chainstate *cs = xcalloc(1, sizeof(*cs));

	cs->cp = cp;
	cs->store = s;
	if (o)
		cs->opts = *o;
	pthread_mutex_init(&cs->lock, NULL);
	bindex_map_init(&cs->map);
	chain_init(&cs->chain);
	cand_init(&cs->cand);
	cs->next_seq = 1;
	cs->precious_seq = -1;
	cs->batch_budget = cs->opts.batch_bytes;
	cs->scripts = script_batch_new(cs->opts.script_threads,
	    cs->opts.sigcache);
	if (load_index(cs) != 0) {
		chainstate_close(cs);
		return -1;
	}
	if (chain_tip(&cs->chain) == NULL && connect_genesis(cs) != 0) {
		chainstate_close(cs);
		return -1;
	}
	if (memcmp(chain_at(&cs->chain, 0)->e.hash, cp->genesis_hash, 32) !=
	    0) {
		log_warnx("chainstate: the store's genesis block is not this "
			  "chain's");
		chainstate_close(cs);
		return -1;
	}
	update_ibd_inputs(cs);
	cs_metrics_tip(cs);
	chainstate_prune_init(cs);
	*out = cs;
	return 0;
}

void
chainstate_close(struct chainstate *cs)
{
	if (cs == NULL)
		return;
	/* On the thread that connected: a sync batch is its transaction. */
	cs_batch_end(cs);
	(void)cs_flush_dirty(cs);
	free(cs->batch_blocks);
	script_batch_free(cs->scripts);
	connect_scratch_free(cs->scratch);
	free(cs->rawbuf);
	bindex_map_free(&cs->map);
	chain_free(&cs->chain);
	cand_free(&cs->cand);
	blist_free(&cs->dirty);
	blist_free(&cs->unlinked);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

void
cs_log_reject(const uint8_t hash[32], const char *what,
    const struct val_state *st)
{
	char hex[65];

	hash_to_hex(hash, hex);
	if (st->error)
		log_warnx("%s %s: error: %s", what, hex, st->debug);
	else if (strcmp(what, "block") == 0)
		log_info("BlockChecked: block hash=%s state=%s%s%s", hex,
		    st->reason, st->debug[0] ? ", " : "", st->debug);
	else
		log_warnx("%s %s rejected: %s, %s", what, hex, st->reason,
		    st->debug);
}

/*
 * Core's AcceptBlockHeader. On success *out is the (possibly already
 * known) entry. Under no lock: takes it to insert.
 */
static int
accept_header(struct chainstate *cs, const struct block_header *h,
    const uint8_t hash[32], struct bindex **out, struct val_state *st)
{
	struct bindex *b = bindex_find(&cs->map, hash), *prev;
	char hx[65];

	if (b) {
		*out = b;
		if (failed(b))
			return vs_invalid(st, 0, "duplicate-invalid",
			    "block is marked invalid");
		return 0;
	}
	if (check_header_pow(cs, h, hash, st) != 0)
		return -1;
	prev = bindex_find(&cs->map, h->prev);
	if (prev == NULL)
		return vs_invalid(st, 0, "prev-blk-not-found",
		    "previous block not found");
	if (failed(prev))
		return vs_invalid(st, 0, "bad-prevblk",
		    "previous block invalid");
	if (contextual_check_header(cs, h, prev, node_time(), st) != 0)
		return -1;
	cs_lock(cs);
	b = bindex_insert(&cs->map, hash);
	b->e.hdr = *h;
	b->e.height = prev->e.height + 1;
	b->e.status = BLOCK_VALID_HEADER | BLOCK_VALID_TREE;
	b->parent = prev;
	bindex_build_skip(b);
	set_chainwork(b);
	update_best_header(cs, b);
	cs_unlock(cs);
	cs_mark_dirty(cs, b);
	*out = b;
	/* Core's wording; only at -debug=validation during initial download. */
	hash_to_hex(hash, hx);
	if (chainstate_is_initial_download(cs))
		log_debug(LOG_VALIDATION, "Saw new header hash=%s height=%d",
		    hx, b->e.height);
	else
		log_info("Saw new header hash=%s height=%d", hx, b->e.height);
	return 0;
}

/* Core's AcceptBlock, after CheckBlock passed. */
static int
accept_block(struct chainstate *cs, const uint8_t *raw, size_t len,
    const struct block *blk, struct bindex **out, int *new_block,
    struct val_state *st)
{
	struct bindex *b;

	*new_block = 0;
	if (accept_header(cs, &blk->hdr, blk->hash, &b, st) != 0)
		return -1;
	*out = b;
	if (b->e.status & BLOCK_HAVE_DATA)
		return 0;
	if (contextual_check_block(cs, blk, b->parent, st) != 0) {
		/* A mutated copy says nothing about the real block. */
		if (!st->mutated)
			mark_block_failed(cs, b);
		return -1;
	}
	*new_block = 1;
	cs_lock(cs);
	b->e.tx_count = (uint32_t)blk->tx_count;
	b->e.status |= BLOCK_HAVE_DATA | BLOCK_VALID_TX;
	b->seq = cs->next_seq++;
	b->e.sequence_id = (uint32_t)b->seq;
	b->pending_raw = raw;
	b->pending_len = len;
	link_block(cs, b);
	cs_unlock(cs);
	cs_mark_dirty(cs, b);
	return 0;
}

enum val_result
chainstate_process_parsed(struct chainstate *cs, const uint8_t *raw,
    size_t len, struct block *b, struct block_result *r)
{
	struct bindex *bi = NULL, *tip0;
	int more = 0, rc;

	memset(r, 0, sizeof(*r));
	memcpy(r->hash, b->hash, 32);
	if (check_block(cs, b, 1, 1, &r->st) != 0 ||
	    accept_block(cs, raw, len, b, &bi, &r->new_block, &r->st) != 0) {
		r->checked = 1;
		if (r->st.error)
			r->res = VAL_ERROR;
		else if (strcmp(r->st.reason, "prev-blk-not-found") == 0)
			r->res = VAL_ORPHAN;
		else
			r->res = VAL_INVALID;
		if (r->res == VAL_INVALID)
			log_warnx(
			    "ProcessNewBlock: AcceptBlock FAILED (%s%s%s)",
			    r->st.reason, r->st.debug[0] ? ", " : "",
			    r->st.debug);
		if (r->res != VAL_ORPHAN)
			cs_log_reject(b->hash, "block", &r->st);
		if (cs_flush_dirty(cs) != 0)
			r->res = VAL_ERROR;
		return r->res;
	}
	r->accepted = 1;
	if (r->new_block && cs->hooks.pow_valid_block &&
	    bi->parent == chain_tip(&cs->chain) &&
	    !chainstate_is_initial_download(cs))
		cs->hooks.pow_valid_block(cs->hooks.arg, &bi->e, raw, len);
	cs->watch = bi;
	cs->watch_block = b;
	cs->watch_raw = raw;
	cs->watch_len = len;
	cs->watch_checked = 0;
	vs_clear(&cs->watch_state);
	tip0 = chain_tip(&cs->chain);
	rc = activate_best_chain(cs, 0, &more);
	cs->watch = NULL;
	cs->watch_block = NULL;
	cs->watch_raw = NULL;
	cs->watch_len = 0;
	/*
	 * A block that did not move the tip (one that only background
	 * validation needs yet, most often) is stored as a bulk write.
	 */
	cs->bulk_write = rc == 0 && chain_tip(&cs->chain) == tip0;
	if (rc == 0)
		rc = cs_flush_dirty(cs);
	cs->bulk_write = 0;
	if (rc != 0) {
		vs_error(&r->st, "store failure while connecting");
		r->res = VAL_ERROR;
		return r->res;
	}
	r->checked = cs->watch_checked;
	if (cs->watch_checked && cs->watch_state.invalid) {
		r->st = cs->watch_state;
		r->res = VAL_INVALID;
	} else
		r->res = r->new_block ? VAL_OK : VAL_DUPLICATE;
	return r->res;
}

enum val_result
chainstate_process_block(struct chainstate *cs, const uint8_t *raw, size_t len,
    struct block_result *r)
{
	struct block b;
	enum val_result res;
	size_t used;

	/* As Core, bytes after the last transaction are ignored, not kept. */
	if (block_parse_prefix(raw, len, &b, &used) != 0) {
		memset(r, 0, sizeof(*r));
		if (len >= BLOCK_HEADER_SIZE) {
			struct block_header h;
			struct rbuf rb;

			rbuf_init(&rb, raw, len);
			if (header_parse(&rb, &h) == 0)
				header_hash(&h, r->hash);
		}
		vs_invalid(&r->st, 1, "block-decode-failed",
		    "block does not deserialize");
		r->res = VAL_INVALID;
		return r->res;
	}
	res = chainstate_process_parsed(cs, raw, used, &b, r);
	block_free(&b);
	return res;
}

enum val_result
chainstate_process_headers(struct chainstate *cs, const struct block_header *h,
    size_t n, size_t *accepted, uint8_t last[32], struct val_state *st)
{
	enum val_result res = VAL_OK;
	struct bindex *b;
	uint8_t hash[32];
	size_t i;

	vs_clear(st);
	*accepted = 0;
	for (i = 0; i < n; i++) {
		header_hash(&h[i], hash);
		if (accept_header(cs, &h[i], hash, &b, st) != 0) {
			if (strcmp(st->reason, "prev-blk-not-found") == 0 &&
			    i == 0)
				res = VAL_ORPHAN;
			else {
				res = VAL_INVALID;
				cs_log_reject(hash, "header", st);
			}
			break;
		}
		memcpy(last, hash, 32);
		(*accepted)++;
	}
	if (cs_flush_dirty(cs) != 0) {
		vs_error(st, "store failure writing headers");
		return VAL_ERROR;
	}
	return res;
}

int
chainstate_activate(struct chainstate *cs, int max_blocks, int *more)
{
	int rc;

	*more = 0;
	rc = activate_best_chain(cs, max_blocks, more);
	if (cs_flush_dirty(cs) != 0)
		rc = -1;
	return rc;
}

void
chainstate_allow_batches(struct chainstate *cs, int on)
{
	cs->batch_allowed = on;
	if (!on)
		cs_batch_end(cs);
}

void
chainstate_end_batch(struct chainstate *cs)
{
	cs_batch_end(cs);
}

int
chainstate_tip(struct chainstate *cs, struct block_index_entry *out)
{
	struct bindex *t;
	int rc = -1;

	cs_lock(cs);
	if ((t = cs_published_tip(cs)) != NULL) {
		*out = t->e;
		rc = 0;
	}
	cs_unlock(cs);
	return rc;
}

int
chainstate_snapshot_check(struct chainstate *cs, const uint8_t hash[32],
    struct block_index_entry *e)
{
	struct bindex *b;
	int rc = 0;

	cs_lock(cs);
	if ((b = bindex_find(&cs->map, hash)) == NULL)
		rc = -1;
	else if (failed(b))
		rc = -2;
	else if (cs->best_header == NULL ||
	    bindex_ancestor(cs->best_header, b->e.height) != b)
		rc = -3;
	else
		*e = b->e;
	cs_unlock(cs);
	return rc;
}

int
chainstate_best_header(struct chainstate *cs, struct block_index_entry *out)
{
	int rc = -1;

	cs_lock(cs);
	if (cs->best_header) {
		*out = cs->best_header->e;
		rc = 0;
	}
	cs_unlock(cs);
	return rc;
}

int
chainstate_lookup(struct chainstate *cs, const uint8_t hash[32],
    struct block_index_entry *out, int *active)
{
	struct bindex *b;
	int rc = -1;

	cs_lock(cs);
	if ((b = bindex_find(&cs->map, hash)) != NULL) {
		if (out)
			*out = b->e;
		if (active)
			*active = chain_contains(&cs->chain, b) &&
			    b->e.height <= cs_published_height(cs);
		rc = 0;
	}
	cs_unlock(cs);
	return rc;
}

int
chainstate_active_hash(struct chainstate *cs, int32_t height, uint8_t hash[32])
{
	struct bindex *b;
	int rc = -1;

	cs_lock(cs);
	if (height <= cs_published_height(cs) &&
	    (b = chain_at(&cs->chain, height)) != NULL) {
		memcpy(hash, b->e.hash, 32);
		rc = 0;
	}
	cs_unlock(cs);
	return rc;
}

int
chainstate_is_initial_download(struct chainstate *cs)
{
	if (__atomic_load_n(&cs->ibd_done, __ATOMIC_RELAXED))
		return 0;
	if (__atomic_load_n(&cs->importing, __ATOMIC_RELAXED))
		return 1;
	if (!__atomic_load_n(&cs->have_tip, __ATOMIC_ACQUIRE))
		return 1;
	if (!__atomic_load_n(&cs->tip_work_ok, __ATOMIC_RELAXED))
		return 1;
	if (__atomic_load_n(&cs->tip_time, __ATOMIC_RELAXED) <
	    node_time() - cs->cp->max_tip_age)
		return 1;
	if (!__atomic_exchange_n(&cs->ibd_done, 1, __ATOMIC_RELAXED))
		log_info("Leaving InitialBlockDownload (latching to false)");
	return 0;
}

void
chainstate_set_importing(struct chainstate *cs, int on)
{
	__atomic_store_n(&cs->importing, on, __ATOMIC_RELAXED);
}

int
chainstate_is_importing(struct chainstate *cs)
{
	return __atomic_load_n(&cs->importing, __ATOMIC_RELAXED);
}

int64_t
chainstate_tip_mtp(struct chainstate *cs)
{
	return bindex_median_time_past(chain_tip(&cs->chain));
}

double
chainstate_network_hashps(struct chainstate *cs, int lookup, int32_t height)
{
	struct bindex *pb, *p0;
	struct arith256 a, b;
	int64_t tmin, tmax, t;
	int i;

	pb = chain_tip(&cs->chain);
	if (height >= 0 && height < cs->chain.height)
		pb = chain_at(&cs->chain, height);
	if (pb == NULL || pb->e.height == 0)
		return 0;
	if (lookup <= 0)
		lookup = pb->e.height %
			(int)(cs->cp->target_timespan /
			    cs->cp->target_spacing) +
		    1;
	if (lookup > pb->e.height)
		lookup = pb->e.height;
	p0 = pb;
	tmin = tmax = pb->e.hdr.time;
	for (i = 0; i < lookup; i++) {
		p0 = p0->parent;
		t = p0->e.hdr.time;
		if (t < tmin)
			tmin = t;
		if (t > tmax)
			tmax = t;
	}
	if (tmin == tmax)
		return 0;
	arith256_from_be(&a, pb->e.chainwork);
	arith256_from_be(&b, p0->e.chainwork);
	arith256_sub(&a, &a, &b);
	return arith256_to_double(&a) / (double)(tmax - tmin);
}

struct test_arg {
	struct bindex *bi;
	const struct block *b;
	struct val_state *st;
};

static int
test_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct test_arg *ta = arg;

	return connect_block(cs, w, ta->bi, ta->b, 1, ta->st);
}

int
chainstate_test_block(struct chainstate *cs, const struct block *b,
    int check_pow, int check_merkle, struct val_state *st)
{
	struct bindex *tip = chain_tip(&cs->chain), dummy;
	struct test_arg ta;
	int rc;

	vs_clear(st);
	if (memcmp(b->hdr.prev, tip->e.hash, 32) != 0)
		return vs_invalid(st, 0, "inconclusive-not-best-prevblk",
		    "block does not build on the tip");
	memset(&dummy, 0, sizeof(dummy));
	memcpy(dummy.e.hash, b->hash, 32);
	dummy.e.hdr = b->hdr;
	dummy.e.height = tip->e.height + 1;
	dummy.parent = tip;
	bindex_build_skip(&dummy);
	if (contextual_check_header(cs, &b->hdr, tip, node_time(), st) != 0 ||
	    check_block(cs, b, check_pow, check_merkle, st) != 0 ||
	    contextual_check_block(cs, b, tip, st) != 0)
		return -1;
	ta.bi = &dummy;
	ta.b = b;
	ta.st = st;
	rc = cs_txn(cs, test_txn, &ta, 0);
	if (rc != 0 && !st->invalid && !st->error)
		vs_error(st, "store failure: %s", store_strerror(rc));
	return rc == 0 ? 0 : -1;
}

static int
reindex_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct bindex *g = arg;
	struct block_index_entry e;
	size_t i;
	int rc;

	if ((rc = store_reset_chainstate(w)) != 0)
		return rc;
	for (i = 0; i < cs->map.nall; i++) {
		struct bindex *b = cs->map.all[i];

		e = b->e;
		if (b != g)
			e.status &= ~(BLOCK_VALID_SCRIPTS | BLOCK_HAVE_UNDO |
			    BLOCK_FAILED_MASK);
		if ((rc = store_put_index(w, &e)) != 0)
			return rc;
	}
	if ((rc = store_set_active_hash(w, 0, g->e.hash)) != 0 ||
	    (rc = store_set_tip(w, g->e.hash, 0)) != 0)
		return rc;
	return 0;
}

int
chainstate_reindex(struct chainstate *cs)
{
	struct bindex *g = chain_at(&cs->chain, 0);
	size_t i;
	int rc;

	log_info("reindex: forgetting the chainstate, keeping %zu blocks",
	    cs->map.nall);
	if ((rc = cs_write(cs, reindex_txn, g)) != 0) {
		log_warnx("reindex: store failure: %s", store_strerror(rc));
		return -1;
	}
	cs_lock(cs);
	for (i = 0; i < cs->map.nall; i++) {
		struct bindex *b = cs->map.all[i];

		if (b != g)
			b->e.status &= ~(BLOCK_VALID_SCRIPTS |
			    BLOCK_HAVE_UNDO | BLOCK_FAILED_MASK);
	}
	chain_set_tip(&cs->chain, g);
	cand_free(&cs->cand);
	for (i = 0; i < cs->map.nall; i++)
		cs->map.all[i]->candidate = 0;
	for (i = 0; i < cs->map.nall; i++)
		cs_maybe_candidate(cs, cs->map.all[i]);
	cand_add(&cs->cand, g);
	cs_recompute_best_header(cs);
	cs_unlock(cs);
	cs_tip_moved(cs);
	return 0;
}
