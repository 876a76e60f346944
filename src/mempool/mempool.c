/*
 * The mempool thread.
 *
 * Design. One thread ("mempool") owns the pool (pool.h) and is the only
 * one that touches it. Two queues come in (mempool.h):
 *
 *	ctlq	control, QUEUE_BLOCK: block connected/disconnected and
 *		reorg-done notifications from the validation thread's
 *		listener, requests from the rpc thread (serve.c), and
 *		block-template requests from the validation thread, which
 *		waits for the answer. Handled first, in the order pushed.
 *	txq	transactions from peers, QUEUE_REFUSE at MEMPOOL_TXQ_HWM
 *		(the net thread drops what does not fit). Drained into a
 *		local list, one transaction handled between looks at ctlq,
 *		so a block or a template never waits behind a flood of
 *		transactions; memory is bounded by twice the mark.
 *
 * With nothing to do the thread sleeps in poll(2) on both queues'
 * eventfds, waking at least every second to expire old entries (every
 * EXPIRE_INTERVAL seconds of node time, and before an acceptance when
 * node time moved) and to republish the decaying minimum fee.
 *
 * Because the validation thread pushes a block's notification before it
 * can ask for a template, and ctlq is FIFO, a template is always built
 * after the pool has dropped the transactions of every block before it.
 *
 * Answers leave through the listeners (mempool.h), called on this thread
 * from the pool's hooks; an acceptance in hand records its peer in
 * m->cur_peer for them. mempool_stop() closes both queues; the thread
 * finishes the message in hand, and what is still queued is answered
 * (requests fail, templates come back empty) and freed. The validation
 * thread's listener and template source are then removed, which waits for
 * any of their calls in flight, and mempool.dat is written.
 *
 * Locks: none of its own; m->min_fee_rate and m->size are atomics.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "mempool/mempool_int.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/validation.h"

#define CTLQ_HWM 64 /* block notices (block copies), requests, templates */
#define EXPIRE_INTERVAL 60 /* node-time seconds between expiry passes */
#define IDLE_WAKE_MS 1000  /* housekeeping look while idle */

/* Whether -debug=mempool is on: skips formatting hex for nothing. */
#define MEMPOOL_DEBUG_ON() \
	(__atomic_load_n(&log_debug_mask, __ATOMIC_RELAXED) & LOG_MEMPOOL)

/* A template request: lives on the waiting validation thread's stack. */
struct mpq_template_req {
	pthread_mutex_t mu; /* guards done; leaf */
	pthread_cond_t cv;
	int done;
	const struct template_request *req;
	struct template_txs *out;
};

int64_t
mempool_min_fee_rate(struct mempool *m)
{
	return __atomic_load_n(&m->min_fee_rate, __ATOMIC_RELAXED);
}

size_t
mempool_size(struct mempool *m)
{
	return __atomic_load_n(&m->size, __ATOMIC_RELAXED);
}

void
mempool_publish(struct mempool *m)
{
	int64_t rate = pool_min_fee(m->pool, m->pol.max_mempool_bytes);

	if (rate < m->pol.min_relay_fee)
		rate = m->pol.min_relay_fee;
	__atomic_store_n(&m->min_fee_rate, rate, __ATOMIC_RELAXED);
	__atomic_store_n(&m->size, pool_count(m->pool), __ATOMIC_RELAXED);
	metrics_set(M_MEMPOOL_TXS, 0, (double)pool_count(m->pool));
	metrics_set(M_MEMPOOL_BYTES, 0, (double)pool_total_vsize(m->pool));
	metrics_set(M_MEMPOOL_MIN_FEE, 0, (double)rate);
}

/* ---- metrics (mempool thread) ---- */

static const int64_t band_lo[MEMPOOL_NBANDS] = { 0, 1, 2, 5, 10, 20, 50, 100 };

static void
bands_init(struct mempool *m)
{
	char name[16];
	int i;

	for (i = 0; i < MEMPOOL_NBANDS; i++) {
		if (i + 1 < MEMPOOL_NBANDS)
			snprintf(name, sizeof(name), "%lld-%lld",
			    (long long)band_lo[i], (long long)band_lo[i + 1]);
		else
			snprintf(name, sizeof(name), "%lld+",
			    (long long)band_lo[i]);
		m->band_li[i] = metrics_label(M_MEMPOOL_BAND_TXS, name);
		metrics_label(M_MEMPOOL_BAND_VBYTES, name);
		metrics_set(M_MEMPOOL_BAND_TXS, m->band_li[i], 0);
		metrics_set(M_MEMPOOL_BAND_VBYTES, m->band_li[i], 0);
	}
}

/* An entry entered (dir 1) or left (-1): its band by base fee rate (a
 * prioritisation may change the modified fee while it is in the pool). */
static void
note_band(struct mempool *m, const struct pool_entry_info *e, int dir)
{
	int64_t sat_per_vb = e->vsize > 0 ? e->fee / e->vsize : 0;
	int i = MEMPOOL_NBANDS - 1;

	while (i > 0 && sat_per_vb < band_lo[i])
		i--;
	metrics_gauge_add(M_MEMPOOL_BAND_TXS, m->band_li[i], dir);
	metrics_gauge_add(M_MEMPOOL_BAND_VBYTES, m->band_li[i],
	    (double)(dir * e->vsize));
}

void
mempool_note_result(enum accept_code code, const struct accept_result *r)
{
	int li;

	if (code == ACCEPT_OK) {
		metrics_inc(M_MEMPOOL_ACCEPTED, 0);
		return;
	}
	/* Seen reasons are found without a lock; a new one is added once. */
	if ((li = metrics_label_find(M_MEMPOOL_REJECTED, r->reason)) < 0)
		li = metrics_label(M_MEMPOOL_REJECTED,
		    r->reason[0] ? r->reason : "unknown");
	metrics_inc(M_MEMPOOL_REJECTED, li);
}

/*
 * The thread is already running (it may be loading mempool.dat): the slot
 * is filled first and the count published with release order, so the
 * thread, loading it with acquire, never sees a half-written listener.
 */
void
mempool_add_listener(struct mempool *m, const struct mempool_listener *l)
{
	size_t n = __atomic_load_n(&m->nlisteners, __ATOMIC_RELAXED);

	if (n == MEMPOOL_MAX_LISTENERS)
		fatalx("%s: too many listeners", __func__);
	m->listeners[n] = *l;
	__atomic_store_n(&m->nlisteners, n + 1, __ATOMIC_RELEASE);
	/*
	 * The pool may already hold transactions (mempool.dat is loaded
	 * before net registers): the thread replays them to the newcomer, so
	 * net's mirror can serve them. One that enters meanwhile may be told
	 * twice; listeners take a repeat as a refresh.
	 */
	if (l->tx_added != NULL && m->ctlq != NULL &&
	    queue_push(m->ctlq, msg_new(MPQ_REPLAY, 0, &n, sizeof(n))) != 0)
		log_warnx("mempool: cannot replay the pool to a new listener");
}

static size_t
nlisteners(struct mempool *m)
{
	return __atomic_load_n(&m->nlisteners, __ATOMIC_ACQUIRE);
}

/* ---- pool hooks: fan out to the listeners ---- */

/* The rate listeners hear: Core's feefilter compares the base fee, not a prioritised one. */
static int64_t
base_rate(const struct pool_entry_info *e)
{
	return e->vsize > 0 ? e->fee * 1000 / e->vsize : 0;
}

static void
on_added(void *arg, const struct pool_entry_info *e)
{
	struct mempool *m = arg;
	int64_t rate = base_rate(e);
	struct mempool_tx_event ev;
	uint64_t peer = m->cur_peer;
	size_t i;

	note_band(m, e, 1);
	/* A package from peers: each member is its own sender's. */
	for (i = 0; i < m->pkg_n; i++)
		if (memcmp(m->pkg_wtxid[i], e->wtxid, 32) == 0)
			peer = m->pkg_peer[i];
	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_added)
			m->listeners[i].tx_added(m->listeners[i].arg, peer,
			    e->txid, e->wtxid, rate, e->raw, e->raw_len);
	mempool_fees_added(m, e);
	memset(&ev, 0, sizeof(ev));
	ev.added = 1;
	ev.txid = e->txid;
	ev.raw = e->raw;
	ev.len = e->raw_len;
	ev.sequence = e->sequence;
	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_event)
			m->listeners[i].tx_event(m->listeners[i].arg, &ev);
}

static void
on_removed(void *arg, const struct pool_entry_info *e, enum pool_removal why)
{
	struct mempool *m = arg;
	struct mempool_tx_event ev;
	size_t i;

	note_band(m, e, -1);
	/* The pool logs the removal itself (-debug=mempool). */
	mempool_fees_removed(m, e, why);
	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_removed)
			m->listeners[i].tx_removed(m->listeners[i].arg,
			    e->txid, e->wtxid, (int)why);
	memset(&ev, 0, sizeof(ev));
	ev.txid = e->txid;
	ev.confirmed = why == POOL_REMOVED_BLOCK;
	ev.sequence = e->sequence;
	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_event)
			m->listeners[i].tx_event(m->listeners[i].arg, &ev);
}

/* ---- acceptance ---- */

/* Expires old entries every EXPIRE_INTERVAL, or whenever node time moved (force). */
static void
maybe_expire(struct mempool *m, int force)
{
	int64_t now = node_time();
	size_t n;

	if (now == m->last_expire ||
	    (!force && now - m->last_expire < EXPIRE_INTERVAL &&
		now >= m->last_expire))
		return;
	m->last_expire = now;
	if ((n = pool_expire(m->pool, now)) > 0)
		log_debug(LOG_MEMPOOL,
		    "Expired %zu transactions from the "
		    "memory pool",
		    n);
}

enum accept_code
mempool_accept_local(struct mempool *m, const uint8_t *raw, size_t len,
    int flags, int64_t max_feerate, struct accept_result *r)
{
	enum accept_code code;

	if (!(flags & ACCEPT_TEST_ONLY))
		maybe_expire(m, 1);
	m->cur_peer = MEMPOOL_PEER_LOCAL;
	code = pool_accept(m->pool, raw, len, flags, max_feerate, r);
	mempool_publish(m);
	if (!(flags & ACCEPT_TEST_ONLY))
		mempool_note_result(code, r);
	return code;
}

enum pkg_state
mempool_accept_package(struct mempool *m, const uint8_t *const *raws,
    const size_t *lens, size_t n, int64_t max_feerate, const uint64_t *peers,
    struct pkg_result *out)
{
	enum pkg_state st;
	size_t i;

	maybe_expire(m, 1);
	m->cur_peer = MEMPOOL_PEER_LOCAL;
	m->pkg_n = 0;
	if (peers != NULL && n <= 2) {
		struct rbuf rb;
		struct tx tx;

		/* The pool parses them again; the hooks need the wtxids first. */
		for (i = 0; i < n; i++) {
			rbuf_init(&rb, raws[i], lens[i]);
			if (tx_parse(&rb, &tx, TX_ALLOW_WITNESS) != 0)
				continue;
			memcpy(m->pkg_wtxid[m->pkg_n], tx.wtxid, 32);
			m->pkg_peer[m->pkg_n++] = peers[i];
			tx_free(&tx);
		}
	}
	/* Core does not learn fees from what came in a package. */
	m->in_package = 1;
	st = pool_accept_package(m->pool, raws, lens, n, max_feerate, out);
	m->in_package = 0;
	m->pkg_n = 0;
	mempool_publish(m);
	return st;
}

enum mempool_reject
mempool_reject_kind(const struct accept_result *r)
{
	if (r->code == ACCEPT_POLICY && r->reconsiderable)
		return MEMPOOL_REJ_RECONSIDERABLE;
	switch (r->code) {
	case ACCEPT_CONSENSUS: return MEMPOOL_REJ_CONSENSUS;
	case ACCEPT_MISSING_INPUTS: return MEMPOOL_REJ_MISSING_INPUTS;
	case ACCEPT_ALREADY:
	case ACCEPT_SAME_TXID:
	case ACCEPT_IN_CHAIN: return MEMPOOL_REJ_ALREADY;
	case ACCEPT_WITNESS_STRIPPED: return MEMPOOL_REJ_WITNESS;
	default: return MEMPOOL_REJ_POLICY;
	}
}

static void
handle_tx(struct mempool *m, struct msg *msg)
{
	struct accept_result *r = &m->scratch;
	enum accept_code code;
	enum mempool_reject kind;
	char hex[65], whex[65];
	size_t i;

	maybe_expire(m, 1);
	m->cur_peer = msg->peer_id;
	code = pool_accept(m->pool, msg->data, msg->len, 0, 0, r);
	m->cur_peer = MEMPOOL_PEER_LOCAL;
	mempool_publish(m);
	mempool_note_result(code, r);
	hash_to_hex(r->txid, hex);
	if (code == ACCEPT_OK) {
		if (MEMPOOL_DEBUG_ON()) {
			hash_to_hex(r->wtxid, whex);
			log_debug(LOG_MEMPOOL,
			    "AcceptToMemoryPool: peer=%llu: "
			    "accepted %s (wtxid=%s) (poolsz %zu txn, %zu kB)",
			    (unsigned long long)msg->peer_id, hex, whex,
			    pool_count(m->pool), pool_usage(m->pool) / 1000);
		}
		return;
	}
	if (code == ACCEPT_ERROR)
		log_warnx("mempool: our own failure accepting %s: %s%s%s", hex,
		    r->reason, r->debug[0] ? ", " : "", r->debug);
	else if (MEMPOOL_DEBUG_ON()) {
		hash_to_hex(r->wtxid, whex);
		log_debug(LOG_MEMPOOL,
		    "%s (wtxid=%s) from peer=%llu was not "
		    "accepted: %s%s%s",
		    hex, whex, (unsigned long long)msg->peer_id, r->reason,
		    r->debug[0] ? ", " : "", r->debug);
	}
	kind = mempool_reject_kind(r);
	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_rejected)
			m->listeners[i].tx_rejected(m->listeners[i].arg,
			    msg->peer_id, r->txid, r->wtxid, kind, r->reason,
			    kind == MEMPOOL_REJ_MISSING_INPUTS ?
				(const uint8_t(*)[32])r->missing :
				NULL,
			    kind == MEMPOOL_REJ_MISSING_INPUTS ? r->nmissing :
								 0);
}

void
mempool_notify_done(struct mempool *m, uint64_t peer_id)
{
	size_t i;

	for (i = 0; i < nlisteners(m); i++)
		if (m->listeners[i].tx_done)
			m->listeners[i].tx_done(m->listeners[i].arg, peer_id);
}

/* ---- chain events ---- */

static void
handle_block(struct mempool *m, struct msg *msg)
{
	struct mpq_block hdr;
	struct block b;

	if (msg->len < sizeof(hdr))
		fatalx("%s: short block notice", __func__);
	memcpy(&hdr, msg->data, sizeof(hdr));
	/* Our own copy of a block the validation thread connected. */
	if (block_parse(msg->data + sizeof(hdr), msg->len - sizeof(hdr), &b) !=
	    0)
		fatalx("%s: a block from validation does not parse", __func__);
	if (msg->type == MPQ_BLOCK_CONNECTED) {
		pool_block_connected(m->pool, &b, hdr.height);
		mempool_fees_block(m, hdr.height);
		pool_trim(m->pool, m->pol.max_mempool_bytes);
	} else {
		m->readding = 1;
		pool_block_disconnected(m->pool, &b, hdr.height);
		m->readding = 0;
	}
	block_free(&b);
	mempool_publish(m);
}

/* Validation listener: copies the block into a control message (may wait for room). */
static void
push_block(struct mempool *m, int type, const uint8_t *raw, size_t len,
    int32_t height)
{
	struct mpq_block hdr;
	struct msg *msg;

	memset(&hdr, 0, sizeof(hdr));
	hdr.height = height;
	msg = msg_new(type, 0, NULL, sizeof(hdr) + len);
	memcpy(msg->data, &hdr, sizeof(hdr));
	memcpy(msg->data + sizeof(hdr), raw, len);
	/* Closed: we are stopping and the pool is about to be freed. */
	if (queue_push(m->ctlq, msg) != 0)
		msg_free(msg);
}

static void
vl_block_connected(void *arg, const uint8_t *raw, size_t len, int32_t height)
{
	push_block(arg, MPQ_BLOCK_CONNECTED, raw, len, height);
}

static void
vl_block_disconnected(void *arg, const uint8_t *raw, size_t len,
    int32_t height)
{
	push_block(arg, MPQ_BLOCK_DISCONNECTED, raw, len, height);
}

static void
vl_reorg_done(void *arg)
{
	struct mempool *m = arg;
	struct msg *msg = msg_new(MPQ_REORG_DONE, 0, NULL, 0);

	if (queue_push(m->ctlq, msg) != 0)
		msg_free(msg);
}

/* ---- block templates ---- */

/* Position of a selected transaction, keyed by txid (depends). */
struct txpos {
	uint8_t txid[32];
	uint32_t pos; /* 1-based, as getblocktemplate counts */
};

struct sel {
	struct template_txs *out;
	size_t cap;
	struct htab *pos;
	struct txpos *slots; /* one per selected tx, owned here */
	size_t nslots;
};

static void
copy_entry(struct template_tx *x, const struct pool_entry_info *e)
{
	memset(x, 0, sizeof(*x));
	x->raw = xmemdup(e->raw, e->raw_len);
	x->len = e->raw_len;
	memcpy(x->txid, e->txid, 32);
	memcpy(x->wtxid, e->wtxid, 32);
	x->fee = e->fee;
	x->sigop_cost = e->sigop_cost;
	x->weight = e->weight;
}

/*
 * pool_select's callback, in block order: parents come first, so every
 * in-template parent of this entry already has a position. Core lists a
 * parent once per input that spends it; so does this.
 */
static void
select_cb(void *arg, const struct pool_entry_info *e)
{
	struct sel *s = arg;
	struct template_tx *x;
	const struct txpos *p;
	struct txpos *slot;
	size_t i;

	if (s->out->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->out->txs = xreallocarray(s->out->txs, s->cap,
		    sizeof(*s->out->txs));
	}
	x = &s->out->txs[s->out->n++];
	copy_entry(x, e);
	for (i = 0; i < e->tx->vin_count; i++) {
		p = htab_get(s->pos, e->tx->vin[i].prevout.hash);
		if (p == NULL)
			continue;
		x->depends = xreallocarray(x->depends, x->ndepends + 1,
		    sizeof(*x->depends));
		x->depends[x->ndepends++] = p->pos;
	}
	slot = &s->slots[s->nslots++];
	memcpy(slot->txid, e->txid, 32);
	slot->pos = (uint32_t)s->out->n;
	if (htab_put(s->pos, slot) != 0)
		fatalx("%s: pool_select gave %zu twice", __func__, s->out->n);
}

static void
build_template(struct mempool *m, const struct template_request *req,
    struct template_txs *out)
{
	struct pool_entry_info e;
	struct sel s;
	size_t i;

	out->pool_size = pool_count(m->pool);
	switch (req->mode) {
	case TEMPLATE_COUNT: break;
	case TEMPLATE_LOOKUP:
		out->txs = xcalloc(req->ntxids ? req->ntxids : 1,
		    sizeof(*out->txs));
		out->n = req->ntxids;
		for (i = 0; i < req->ntxids; i++)
			if (pool_get(m->pool, req->txids[i], &e) == 0)
				copy_entry(&out->txs[i], &e);
		break;
	case TEMPLATE_SELECT:
		memset(&s, 0, sizeof(s));
		s.out = out;
		s.pos = htab_new(32, offsetof(struct txpos, txid));
		/* At most every entry is selected. */
		s.slots = xcalloc(out->pool_size ? out->pool_size : 1,
		    sizeof(*s.slots));
		pool_select(m->pool, req->max_weight, req->max_sigop_cost,
		    m->pol.block_min_tx_fee, select_cb, &s);
		htab_free(s.pos);
		free(s.slots);
		break;
	}
}

static void
answer_template(struct mpq_template_req *tr)
{
	pthread_mutex_lock(&tr->mu);
	tr->done = 1;
	pthread_cond_signal(&tr->cv);
	/* After this unlock tr may be gone: the waiter returns. */
	pthread_mutex_unlock(&tr->mu);
}

static struct mpq_template_req *
template_of(struct msg *msg)
{
	struct mpq_template_req *tr;

	if (msg->len != sizeof(tr))
		fatalx("%s: bad template message", __func__);
	memcpy(&tr, msg->data, sizeof(tr));
	return tr;
}

/*
 * The validation thread's template source: queues the request behind any
 * block notices and waits for the mempool thread. A closed queue (we are
 * stopping) answers an empty template at once.
 */
static void
template_source(void *arg, const struct template_request *req,
    struct template_txs *out)
{
	struct mempool *m = arg;
	struct mpq_template_req tr, *p = &tr;
	struct msg *msg;

	memset(&tr, 0, sizeof(tr));
	pthread_mutex_init(&tr.mu, NULL);
	pthread_cond_init(&tr.cv, NULL);
	tr.req = req;
	tr.out = out;
	msg = msg_new(MPQ_TEMPLATE, 0, &p, sizeof(p));
	if (queue_push(m->ctlq, msg) != 0) {
		msg_free(msg);
		tr.done = 1;
	}
	pthread_mutex_lock(&tr.mu);
	while (!tr.done)
		pthread_cond_wait(&tr.cv, &tr.mu);
	pthread_mutex_unlock(&tr.mu);
	pthread_cond_destroy(&tr.cv);
	pthread_mutex_destroy(&tr.mu);
}

/* ---- requests from the rpc thread ---- */

int
mempool_ask(struct mempool *m, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), int timeout_ms, struct request_error *err)
{
	struct request *r;
	struct msg *msg;

	r = request_new(fn, in, inlen, in_free, outlen, out_free);
	msg = msg_new(MPQ_REQUEST, 0, &r, sizeof(r));
	if (queue_push(m->ctlq, msg) != 0) {
		msg_free(msg);
		request_abandon(r);
		err->status = REQUEST_E_UNAVAILABLE;
		snprintf(err->message, sizeof(err->message), "Shutting down");
		return -1;
	}
	return request_wait(r, timeout_ms, out, err);
}

static struct request *
request_of(struct msg *msg)
{
	struct request *r;

	if (msg->len != sizeof(r))
		fatalx("%s: bad request message", __func__);
	memcpy(&r, msg->data, sizeof(r));
	return r;
}

/* ---- the thread ---- */

struct replay_ctx {
	const struct mempool_listener *l;
};

static int
replay_one(void *arg, const struct pool_entry_info *e)
{
	struct replay_ctx *rc = arg;

	rc->l->tx_added(rc->l->arg, MEMPOOL_PEER_LOCAL, e->txid, e->wtxid,
	    base_rate(e), e->raw, e->raw_len);
	return 0;
}

static void
replay(struct mempool *m, const struct msg *msg)
{
	struct replay_ctx rc;
	size_t idx;

	if (msg->len != sizeof(idx))
		fatalx("mempool queue: bad replay");
	memcpy(&idx, msg->data, sizeof(idx));
	if (idx >= nlisteners(m))
		return;
	rc.l = &m->listeners[idx];
	pool_foreach(m->pool, replay_one, &rc);
	log_debug(LOG_MEMPOOL, "replayed %zu transactions to listener %zu",
	    pool_count(m->pool), idx);
}

static void
dispatch(struct mempool *m, struct msg *msg)
{
	struct mpq_template_req *tr;

	switch (msg->type) {
	case MPQ_TX:
		handle_tx(m, msg);
		mempool_notify_done(m, msg->peer_id);
		break;
	case MPQ_PACKAGE:
		maybe_expire(m, 1);
		mempool_handle_package(m, msg);
		break;
	case MPQ_REQUEST:
		request_serve(request_of(msg), m);
		mempool_publish(m);
		break;
	case MPQ_BLOCK_CONNECTED:
	case MPQ_BLOCK_DISCONNECTED: handle_block(m, msg); break;
	case MPQ_REORG_DONE:
		m->cur_peer = MEMPOOL_PEER_REORG;
		m->readding = 1;
		pool_reorg_done(m->pool);
		m->readding = 0;
		m->cur_peer = MEMPOOL_PEER_LOCAL;
		mempool_publish(m);
		break;
	case MPQ_REPLAY: replay(m, msg); break;
	case MPQ_TEMPLATE:
		tr = template_of(msg);
		build_template(m, tr->req, tr->out);
		answer_template(tr);
		break;
	default:
		log_warnx("mempool: unknown message type %d", msg->type);
		break;
	}
	msg_free(msg);
}

/* Answers what can no longer be served: requests fail, templates come empty. */
static void
drop_messages(struct msg *list)
{
	struct msg *msg, *next;

	for (msg = list; msg; msg = next) {
		next = msg->next;
		if (msg->type == MPQ_REQUEST)
			request_refuse(request_of(msg), REQUEST_E_UNAVAILABLE,
			    "Shutting down");
		else if (msg->type == MPQ_TEMPLATE)
			answer_template(template_of(msg));
		msg_free(msg);
	}
}

static int
stopping(struct mempool *m)
{
	return __atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE);
}

/*
 * As Core's load thread: mempool.dat is read once a -loadblock import or a
 * reindex is over, so its transactions meet the whole chain, and only then
 * does getmempoolinfo say "loaded" (which Core's test framework waits for).
 */
static void
maybe_load(struct mempool *m)
{
	if (m->loaded || chainstate_is_importing(validation_chainstate(m->v)))
		return;
	if (m->pol.persist)
		(void)mempool_load(m);
	m->loaded = 1;
	mempool_publish(m);
}

static void *
mempool_main(void *arg)
{
	struct mempool *m = arg;
	struct msg *ctl, *txs = NULL, *msg;
	struct pollfd pfd[2];

	log_thread_name("mempool");
	m->last_expire = node_time();
	mempool_publish(m);
	pfd[0].fd = queue_fd(m->ctlq);
	pfd[1].fd = queue_fd(m->txq);
	while (!stopping(m)) {
		maybe_load(m);
		for (ctl = queue_drain(m->ctlq); ctl; ctl = msg) {
			msg = ctl->next;
			ctl->next = NULL;
			dispatch(m, ctl);
			if (stopping(m)) {
				drop_messages(msg);
				goto out;
			}
		}
		if (txs == NULL)
			txs = queue_drain(m->txq);
		if (txs != NULL) {
			msg = txs;
			txs = msg->next;
			msg->next = NULL;
			dispatch(m, msg);
			continue;
		}
		maybe_expire(m, 0);
		mempool_fees_tick(m);
		mempool_publish(m);
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, IDLE_WAKE_MS) == -1 && errno != EINTR)
			fatal("mempool: poll");
	}
out:
	drop_messages(txs);
	return NULL;
}

/* ---- start and stop ---- */

int
mempool_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation *v, struct sigcache *sc,
    struct mempool **out)
{
	struct mempool *m = xcalloc(1, sizeof(*m));
	struct validation_listener vl;
	struct pool_hooks h;
	struct pool_env env;
	char err[256];
	int n;

	err[0] = '\0';
	if (policy_init(&m->pol, a, cp->id != CHAIN_MAIN, err, sizeof(err)) !=
	    0) {
		log_warnx("Error: %s", err[0] ? err : "bad relay option");
		free(m);
		return -1;
	}
	m->args = a;
	m->cp = cp;
	m->store = s;
	m->v = v;
	m->cs = validation_chainstate(v);
	m->sigcache = sc;
	n = snprintf(m->datpath, sizeof(m->datpath), "%s/mempool.dat",
	    args_chaindir(a));
	if (n < 0 || (size_t)n >= sizeof(m->datpath)) {
		log_warnx("Error: the data directory path is too long");
		free(m);
		return -1;
	}
	memset(&env, 0, sizeof(env));
	env.cp = cp;
	env.store = s;
	env.cs = m->cs;
	env.sigcache = sc;
	env.pol = &m->pol;
	if (mempool_fees_start(m) != 0) {
		free(m);
		return -1;
	}
	m->pool = pool_new(&env);
	memset(&h, 0, sizeof(h));
	h.arg = m;
	h.added = on_added;
	h.removed = on_removed;
	pool_set_hooks(m->pool, &h);
	bands_init(m);
	m->ctlq = queue_new("mempool-ctl", CTLQ_HWM, QUEUE_BLOCK);
	m->txq = queue_new("mempool-tx", MEMPOOL_TXQ_HWM, QUEUE_REFUSE);
	mempool_publish(m);

	/* Block notices queue up from here; the thread picks them up. */
	memset(&vl, 0, sizeof(vl));
	vl.arg = m;
	vl.block_connected = vl_block_connected;
	vl.block_disconnected = vl_block_disconnected;
	vl.reorg_done = vl_reorg_done;
	validation_add_listener(v, &vl);
	validation_set_template_source(v, template_source, m);
	m->registered = 1;
	if (pthread_create(&m->thread, NULL, mempool_main, m) != 0) {
		log_warnx("Error: mempool: cannot start the thread");
		mempool_stop(m);
		return -1;
	}
	m->thread_started = 1;
	*out = m;
	return 0;
}

void
mempool_stop(struct mempool *m)
{
	if (m == NULL)
		return;
	__atomic_store_n(&m->stopping, 1, __ATOMIC_RELEASE);
	/* Wakes the thread, and a validation thread waiting for room. */
	queue_close(m->ctlq);
	queue_close(m->txq);
	if (m->thread_started)
		pthread_join(m->thread, NULL);
	drop_messages(queue_drain(m->ctlq));
	drop_messages(queue_drain(m->txq));
	/* From here the validation thread cannot reach m. */
	if (m->registered) {
		validation_set_template_source(m->v, NULL, NULL);
		validation_remove_listener(m->v, m);
	}
	/* Templates asked for while we unregistered found the queue closed. */
	drop_messages(queue_drain(m->ctlq));
	/* Not before the load was tried (Core's GetLoadTried): it would
	 * overwrite mempool.dat with what little arrived meanwhile. */
	if (m->thread_started && m->pol.persist && m->loaded)
		(void)mempool_dump(m);
	mempool_fees_stop(m);
	pool_free(m->pool);
	queue_free(m->ctlq);
	queue_free(m->txq);
	free(m);
}

int
mempool_submit_tx(struct mempool *m, uint64_t peer_id, const uint8_t *raw,
    size_t len)
{
	struct msg *msg = msg_new(MPQ_TX, peer_id, raw, len);
	int rc;

	if ((rc = queue_push(m->txq, msg)) != 0)
		msg_free(msg);
	return rc;
}
