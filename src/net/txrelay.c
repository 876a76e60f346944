/*
 * Transaction relay on the net thread: the relay mirror of the mempool,
 * transactions received from peers (handed to the mempool thread), the
 * mempool's verdicts (punishment, recent rejects, the orphanage) and the
 * bookkeeping for peers that go. Announcing and serving are in
 * txannounce.c, requesting in txrequest.c; doc/p2p.md has the rules.
 *
 * The mempool decides; this file only reacts. A transaction goes
 * peer -> h_tx -> mempool_submit_tx, and the answer comes back through
 * the listener as NETQ_TX_ADDED or NETQ_TX_REJECTED tagged with the peer
 * id. Until then a copy of its bytes waits in the pending table, so that
 * a missing-inputs verdict can put it in the orphanage.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool.h"
#include "mempool/pool.h"
#include "net/net_int.h"
#include "net/orphanage.h"
#include "net/txrelay_int.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"

struct reject_ent {
	uint8_t key[32];
};

/* A bounded set of hashes: a ring of keys plus a table over it. */
struct rejset {
	struct htab *tab;
	struct reject_ent **ring; /* allocated on first use */
	size_t pos, n;
};

struct pending_sub {
	uint8_t wtxid[32]; /* the key */
	uint8_t txid[32];
	uint8_t *raw;
	size_t len;
	size_t weight;
	int has_witness;
	TAILQ_ENTRY(pending_sub) entry;
};
TAILQ_HEAD(pending_list, pending_sub);

static struct rejset *
rejset_new(void)
{
	struct rejset *r = xcalloc(1, sizeof(*r));

	r->tab = htab_new(32, offsetof(struct reject_ent, key));
	return r;
}

struct txrelay *
txrelay_new(struct net *n, struct mempool *mp)
{
	struct txrelay *t = xcalloc(1, sizeof(*t));
	int64_t max_orphans;

	t->n = n;
	t->mp = mp;
	t->by_txid = htab_new(32, offsetof(struct relay_tx, txid));
	t->by_wtxid = htab_new(32, offsetof(struct relay_tx, wtxid));
	TAILQ_INIT(&t->order);
	t->rejects = rejset_new();
	t->reconsider = rejset_new();
	t->pending = htab_new(32, offsetof(struct pending_sub, wtxid));
	t->pending_order = xcalloc(1, sizeof(*t->pending_order));
	TAILQ_INIT(t->pending_order);
	t->orphans = orphanage_new();
	max_orphans = args_get_int(n->args, "maxorphantx", ORPHAN_MAX);
	orphanage_set_max(t->orphans,
	    max_orphans < 0 ? 0 : (size_t)max_orphans);
	t->anns = htab_new(33, 0);
	t->known_k0 = rand_u64();
	t->known_k1 = rand_u64();
	t->next_orphan_sweep_us = time_mono_micros() + ORPHAN_SWEEP_US;
	return t;
}

static void
rejset_clear(struct rejset *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		htab_del(r->tab, r->ring[i]->key);
		free(r->ring[i]);
	}
	free(r->ring);
	r->ring = NULL;
	r->n = r->pos = 0;
}

static void
rejset_free(struct rejset *r)
{
	rejset_clear(r);
	htab_free(r->tab);
	free(r);
}

static void
pending_drop(struct txrelay *t, struct pending_sub *ps)
{
	htab_del(t->pending, ps->wtxid);
	TAILQ_REMOVE(t->pending_order, ps, entry);
	t->npending--;
	t->pending_bytes -= ps->len;
	free(ps->raw);
	free(ps);
}

static void
mirror_drop(struct txrelay *t, struct relay_tx *rt)
{
	htab_del(t->by_txid, rt->txid);
	htab_del(t->by_wtxid, rt->wtxid);
	TAILQ_REMOVE(&t->order, rt, entry);
	t->mirror_bytes -= rt->len;
	free(rt->raw);
	free(rt);
}

void
txrelay_free(struct txrelay *t)
{
	struct relay_tx *rt;
	struct pending_sub *ps;

	if (t == NULL)
		return;
	while ((rt = TAILQ_FIRST(&t->order)) != NULL)
		mirror_drop(t, rt);
	while ((ps = TAILQ_FIRST(t->pending_order)) != NULL)
		pending_drop(t, ps);
	rejset_free(t->rejects);
	rejset_free(t->reconsider);
	txreq_free_all(t);
	orphanage_free(t->orphans);
	htab_free(t->by_txid);
	htab_free(t->by_wtxid);
	htab_free(t->pending);
	htab_free(t->anns);
	free(t->pending_order);
	free(t);
}

struct relay_tx *
txrelay_find(struct txrelay *t, const uint8_t hash[32], int is_wtxid)
{
	return htab_get(is_wtxid ? t->by_wtxid : t->by_txid, hash);
}

struct peer_tx *
peer_tx_get(struct peer *p)
{
	if (p->tx == NULL) {
		p->tx = xcalloc(1, sizeof(*p->tx));
		p->tx->feefilter_sent = -1;
	}
	return p->tx;
}

int
txrelay_rejects_incoming(const struct peer *p)
{
	if (p->type == CONN_BLOCK_RELAY || p->type == CONN_FEELER)
		return 1;
	return p->net->blocksonly && !peer_has_perm(p, PF_RELAY);
}

/* ---- recent rejects ---- */

int
txrelay_recently_rejected(struct txrelay *t, const uint8_t hash[32])
{
	return htab_get(t->rejects->tab, hash) != NULL;
}

int
txrelay_reconsiderable(struct txrelay *t, const uint8_t hash[32])
{
	return htab_get(t->reconsider->tab, hash) != NULL;
}

static void
rejset_add(struct rejset *r, const uint8_t hash[32])
{
	struct reject_ent *e;

	if (htab_get(r->tab, hash))
		return;
	if (r->ring == NULL)
		r->ring = xcalloc(RECENT_REJECTS_MAX, sizeof(*r->ring));
	if (r->n == RECENT_REJECTS_MAX) {
		/* Full: the oldest goes, as a rolling filter forgets. */
		e = r->ring[r->pos];
		htab_del(r->tab, e->key);
	} else {
		e = xmalloc(sizeof(*e));
		r->n++;
	}
	memcpy(e->key, hash, 32);
	htab_put(r->tab, e);
	r->ring[r->pos] = e;
	r->pos = (r->pos + 1) % RECENT_REJECTS_MAX;
}

void
txrelay_reconsider_add(struct txrelay *t, const uint8_t hash[32])
{
	rejset_add(t->reconsider, hash);
}

static void
reject_add(struct txrelay *t, const uint8_t hash[32])
{
	rejset_add(t->rejects, hash);
}

void
txrelay_tip_changed(struct net *n)
{
	/* A new tip may make a rejected transaction valid (Core resets). */
	if (n->tx) {
		rejset_clear(n->tx->rejects);
		rejset_clear(n->tx->reconsider);
	}
}

/* ---- orphans and blocks ---- */

struct spent_key {
	uint8_t key[36]; /* txid, then the index little-endian */
};

static void
spent_key_of(const struct outpoint *op, uint8_t key[36])
{
	memcpy(key, op->hash, 32);
	le32_write(key + 32, op->n);
}

int
txrelay_has_orphans(const struct net *n)
{
	return n->tx != NULL && orphanage_count(n->tx->orphans) > 0;
}

/*
 * Core's TxOrphanage::EraseForBlock: an orphan that spends anything the
 * block spends is in the block or conflicts with it; either way it can
 * never come in.
 */
void
txrelay_block_connected(struct net *n, const uint8_t *raw, size_t len)
{
	struct txrelay *t = n->tx;
	struct htab *spent;
	struct spent_key *keys;
	uint8_t(*gone)[32], key[36];
	const struct orphan *o;
	struct block b;
	struct rbuf r;
	struct tx tx;
	size_t i, j, nkeys = 0, ngone = 0, norphans;

	if (t == NULL || (norphans = orphanage_count(t->orphans)) == 0)
		return;
	if (block_parse(raw, len, &b) != 0)
		fatalx("%s: a connected block does not parse", __func__);
	for (i = 1; i < b.tx_count; i++)
		nkeys += b.txs[i].vin_count;
	keys = xcalloc(nkeys ? nkeys : 1, sizeof(*keys));
	spent = htab_new(36, offsetof(struct spent_key, key));
	for (i = 1, nkeys = 0; i < b.tx_count; i++)
		for (j = 0; j < b.txs[i].vin_count; j++) {
			spent_key_of(&b.txs[i].vin[j].prevout,
			    keys[nkeys].key);
			if (htab_put(spent, &keys[nkeys]) == 0)
				nkeys++;
		}
	block_free(&b);
	gone = xcalloc(norphans, sizeof(*gone));
	for (i = 0; i < norphans; i++) {
		o = orphanage_at(t->orphans, i);
		rbuf_init(&r, o->raw, o->len);
		if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0)
			fatalx("%s: the orphanage holds a bad tx", __func__);
		for (j = 0; j < tx.vin_count; j++) {
			spent_key_of(&tx.vin[j].prevout, key);
			if (htab_get(spent, key) != NULL) {
				memcpy(gone[ngone++], o->wtxid, 32);
				break;
			}
		}
		tx_free(&tx);
	}
	for (i = 0; i < ngone; i++)
		orphanage_erase(t->orphans, gone[i]);
	if (ngone > 0)
		log_debug(LOG_MEMPOOL,
		    "Erased %zu orphan transaction(s) "
		    "included or conflicted by block",
		    ngone);
	free(gone);
	htab_free(spent);
	free(keys);
}

/* ---- pending submissions ---- */

static void
pending_add(struct txrelay *t, const struct tx *tx, const uint8_t *raw,
    size_t len)
{
	struct pending_sub *ps;
	size_t weight = tx_weight(tx);

	/* Too big to be an orphan: no need to keep it. */
	if (weight > ORPHAN_MAX_WEIGHT || htab_get(t->pending, tx->wtxid))
		return;
	while (t->npending > 0 &&
	    (t->npending >= PENDING_SUB_MAX ||
		t->pending_bytes + len > PENDING_SUB_BYTES))
		pending_drop(t, TAILQ_FIRST(t->pending_order));
	ps = xcalloc(1, sizeof(*ps));
	memcpy(ps->wtxid, tx->wtxid, 32);
	memcpy(ps->txid, tx->txid, 32);
	ps->raw = xmalloc(len);
	memcpy(ps->raw, raw, len);
	ps->len = len;
	ps->weight = weight;
	ps->has_witness = tx_has_witness(tx);
	htab_put(t->pending, ps);
	TAILQ_INSERT_TAIL(t->pending_order, ps, entry);
	t->npending++;
	t->pending_bytes += len;
}

/* ---- receiving ---- */

static void
log_tx(const char *what, const uint8_t txid[32], const uint8_t wtxid[32],
    uint64_t peer)
{
	char a[65], b[65];

	hash_to_hex(txid, a);
	hash_to_hex(wtxid, b);
	log_debug(LOG_MEMPOOL, "%s %s (wtxid=%s) peer=%llu", what, a, b,
	    (unsigned long long)peer);
}

int
txrelay_on_tx(struct peer *p, struct rbuf *r)
{
	struct net *n = p->net;
	struct txrelay *t = n->tx;
	const struct orphan *o;
	struct tx tx;
	size_t len;
	int rc;

	if (txrelay_rejects_incoming(p)) {
		peer_disconnect(p,
		    "transaction sent in violation of protocol");
		return H_OK;
	}
	if (t == NULL) {
		log_debug(LOG_MEMPOOL,
		    "tx (%zu bytes) from peer=%llu ignored: "
		    "no mempool",
		    r->len, (unsigned long long)p->id);
		return H_OK;
	}
	if (sync_is_ibd(n)) {
		log_debug(LOG_MEMPOOL, "ignoring tx during IBD peer=%llu",
		    (unsigned long long)p->id);
		return H_OK;
	}
	if (tx_parse(r, &tx, TX_ALLOW_WITNESS) != 0)
		return H_MALFORMED;
	/* Only the transaction's own bytes go on: trailing data is not it. */
	len = r->off;
	txann_known_add(n, p, p->wtxid_relay ? tx.wtxid : tx.txid);
	txreq_forget(n, tx.txid);
	txreq_forget(n, tx.wtxid);
	if (txrelay_find(t, tx.wtxid, 1)) {
		if (peer_has_perm(p, PF_FORCERELAY)) {
			/* A gateway's transactions are relayed again (Core). */
			log_tx("Force relaying tx", tx.txid, tx.wtxid, p->id);
			txann_queue(n, txrelay_find(t, tx.wtxid, 1), p->id);
		} else
			log_tx("tx already in mempool:", tx.txid, tx.wtxid,
			    p->id);
		goto out;
	}
	if (txrelay_recently_rejected(t, tx.wtxid) ||
	    txrelay_recently_rejected(t, tx.txid)) {
		log_tx("tx recently rejected, not resubmitted:", tx.txid,
		    tx.wtxid, p->id);
		goto out;
	}
	if (txrelay_reconsiderable(t, tx.wtxid)) {
		/* Not alone again; but a child may have come meanwhile (Core 28). */
		log_tx("found tx in reconsiderable rejects, looking for child "
		       "in orphanage:",
		    tx.txid, tx.wtxid, p->id);
		txpkg_try(n, p->id, tx.txid, tx.wtxid, r->p, len);
		goto out;
	}
	if ((o = orphanage_get(t->orphans, tx.wtxid)) != NULL) {
		orphanage_add(t->orphans, p->id, o->txid, o->wtxid, o->raw,
		    o->len, o->weight, (const uint8_t(*)[32])o->parents,
		    o->nparents, node_time(), NULL);
		log_tx("tx already in the orphanage:", tx.txid, tx.wtxid,
		    p->id);
		goto out;
	}
	rc = mempool_submit_tx(t->mp, p->id, r->p, len);
	if (rc == 0) {
		pending_add(t, &tx, r->p, len);
		peer_tx_submitted(n, p->id);
	}
	else if (rc == QUEUE_EFULL)
		log_tx("mempool queue full, dropped tx", tx.txid, tx.wtxid,
		    p->id);
out:
	tx_free(&tx);
	return H_OK;
}

/* ---- the mempool's notices ---- */

static void
resubmit_children(struct txrelay *t, const uint8_t txid[32])
{
	uint8_t(*kids)[32];
	const struct orphan *o;
	size_t k, i, max = orphanage_count(t->orphans);

	if (max == 0)
		return;
	kids = xreallocarray(NULL, max, sizeof(*kids));
	k = orphanage_children(t->orphans, txid, kids, max);
	for (i = 0; i < k; i++) {
		if ((o = orphanage_get(t->orphans, kids[i])) == NULL)
			continue;
		log_tx("resubmitting orphan", o->txid, o->wtxid, o->from[0]);
		/*
		 * A full queue: it stays an orphan until it expires. Sent,
		 * it is its sender's work, as Core's orphan work set is.
		 */
		if (mempool_submit_tx(t->mp, o->from[0], o->raw, o->len) == 0)
			peer_tx_submitted(t->n, o->from[0]);
	}
	free(kids);
}

void
txrelay_on_added(struct net *n, uint64_t peer_id, const uint8_t *d, size_t len)
{
	struct txrelay *t = n->tx;
	struct netq_tx_added a;
	struct relay_tx *rt;
	struct pending_sub *ps;
	struct peer *p;

	if (len < sizeof(a))
		fatalx("net queue: bad tx_added");
	if (t == NULL)
		return;
	memcpy(&a, d, sizeof(a));
	if ((ps = htab_get(t->pending, a.wtxid)) != NULL)
		pending_drop(t, ps);
	/* Same txid, other witness: the pool replaced it. */
	if ((rt = txrelay_find(t, a.txid, 0)) != NULL)
		mirror_drop(t, rt);
	if ((rt = txrelay_find(t, a.wtxid, 1)) != NULL)
		mirror_drop(t, rt);
	rt = xcalloc(1, sizeof(*rt));
	memcpy(rt->txid, a.txid, 32);
	memcpy(rt->wtxid, a.wtxid, 32);
	rt->fee_rate = a.fee_rate;
	rt->seq = ++t->seq;
	rt->len = len - sizeof(a);
	rt->raw = xmalloc(rt->len ? rt->len : 1);
	memcpy(rt->raw, d + sizeof(a), rt->len);
	htab_put(t->by_txid, rt);
	htab_put(t->by_wtxid, rt);
	TAILQ_INSERT_TAIL(&t->order, rt, entry);
	t->mirror_bytes += rt->len;
	log_tx("relay: mirrored tx", a.txid, a.wtxid, peer_id);

	txreq_forget(n, a.txid);
	txreq_forget(n, a.wtxid);
	if (peer_id != MEMPOOL_PEER_LOCAL && peer_id != MEMPOOL_PEER_REORG &&
	    (p = net_peer_by_id(n, peer_id)) != NULL)
		p->last_tx_time = node_time();
	orphanage_erase(t->orphans, a.wtxid);
	resubmit_children(t, a.txid);
	/*
	 * Put back by a reorg: served on request and listed for `mempool`,
	 * but not announced: Core's MaybeUpdateMempoolForReorg relays
	 * nothing.
	 */
	if (peer_id != MEMPOOL_PEER_REORG)
		txann_queue(n, rt, peer_id);
}

void
txrelay_on_removed(struct net *n, const uint8_t *d, size_t len)
{
	struct netq_tx_removed r;
	struct relay_tx *rt;

	if (len != sizeof(r))
		fatalx("net queue: bad tx_removed");
	if (n->tx == NULL)
		return;
	memcpy(&r, d, sizeof(r));
	/* Queued announcements of it are dropped when their time comes. */
	if ((rt = txrelay_find(n->tx, r.wtxid, 1)) != NULL) {
		/*
		 * Replaced or evicted, it may still be mined by others: kept for
		 * rebuilding compact blocks (Core keeps the replaced ones).
		 */
		if (r.why == POOL_REMOVED_REPLACED ||
		    r.why == POOL_REMOVED_SIZELIMIT)
			cmpct_extra_add(n, rt->wtxid, rt->raw, rt->len);
		mirror_drop(n->tx, rt);
	}
}

static void
keep_orphan(struct net *n, struct peer *p, const struct netq_tx_rejected *j,
    const uint8_t (*parents)[32])
{
	struct txrelay *t = n->tx;
	struct pending_sub *ps = htab_get(t->pending, j->wtxid);
	const struct orphan *o;
	int64_t now_us = time_mono_micros();
	size_t i, evicted = 0;
	int rc;

	for (i = 0; i < j->nparents; i++)
		if (txrelay_recently_rejected(t, parents[i])) {
			log_tx("not keeping orphan with rejected parents",
			    j->txid, j->wtxid, p->id);
			/*
			 * No witness makes it acceptable: the txid goes too,
			 * so that txid announcements are not followed (Core).
			 */
			reject_add(t, j->wtxid);
			reject_add(t, j->txid);
			goto out;
		}
	if ((o = orphanage_get(t->orphans, j->wtxid)) != NULL)
		rc = orphanage_add(t->orphans, p->id, o->txid, o->wtxid,
		    o->raw, o->len, o->weight, parents, j->nparents,
		    node_time(), NULL);
	else if (ps == NULL) {
		/* Its bytes were not kept (too big, or pushed out). */
		log_tx("orphan not kept (bytes not held)", j->txid, j->wtxid,
		    p->id);
		goto out;
	} else
		rc = orphanage_add(t->orphans, p->id, ps->txid, ps->wtxid,
		    ps->raw, ps->len, ps->weight, parents, j->nparents,
		    node_time(), &evicted);
	if (rc == ORPHAN_ETOOBIG || rc == ORPHAN_EINVAL) {
		log_tx("ignoring large or malformed orphan tx", j->txid,
		    j->wtxid, p->id);
		goto out;
	}
	if (rc == ORPHAN_ADDED) {
		char a[65], b[65];

		if (ps)
			cmpct_extra_add(n, ps->wtxid, ps->raw, ps->len);

		hash_to_hex(j->txid, a);
		hash_to_hex(j->wtxid, b);
		log_debug(LOG_MEMPOOL,
		    "stored orphan tx %s (wtxid=%s), "
		    "weight: %zu (mapsz %zu) peer=%llu",
		    a, b, ps->weight, orphanage_count(t->orphans),
		    (unsigned long long)p->id);
		if (evicted)
			log_debug(LOG_MEMPOOL,
			    "orphanage overflow, removed "
			    "%zu tx",
			    evicted);
	}
	/* Ask the sender for the parents we lack (Core: by txid). */
	for (i = 0; i < j->nparents && !p->disconnect; i++)
		if (!txrelay_find(t, parents[i], 0))
			txreq_announce(n, p, parents[i], 0, 1, now_us);
	txreq_flush(n, p);
out:
	if (ps)
		pending_drop(t, ps);
}

void
txrelay_on_rejected(struct net *n, uint64_t peer_id, const uint8_t *d,
    size_t len)
{
	struct txrelay *t = n->tx;
	struct netq_tx_rejected j;
	uint8_t(*parents)[32] = NULL;
	struct pending_sub *ps;
	struct peer *p;
	char a[65];
	int orphan;

	if (len < sizeof(j))
		fatalx("net queue: bad tx_rejected");
	memcpy(&j, d, sizeof(j));
	if (len != sizeof(j) + (size_t)j.nparents * 32)
		fatalx("net queue: bad tx_rejected parents");
	if (t == NULL)
		return;
	j.reason[sizeof(j.reason) - 1] = '\0';
	if (j.nparents) {
		/* Copied: the message bytes carry no alignment promise. */
		parents = xreallocarray(NULL, j.nparents, 32);
		memcpy(parents, d + sizeof(j), (size_t)j.nparents * 32);
	}
	txreq_forget(n, j.txid);
	txreq_forget(n, j.wtxid);
	p = peer_id != MEMPOOL_PEER_LOCAL ? net_peer_by_id(n, peer_id) : NULL;
	if (p && p->disconnect)
		p = NULL;
	hash_to_hex(j.txid, a);
	log_debug(LOG_MEMPOOL, "tx %s from peer=%llu was not accepted: %s", a,
	    (unsigned long long)peer_id, j.reason);
	orphan = orphanage_get(t->orphans, j.wtxid) != NULL;
	ps = htab_get(t->pending, j.wtxid);
	switch (j.kind) {
	case MEMPOOL_REJ_MISSING_INPUTS:
		if (p && j.nparents > 0) {
			keep_orphan(n, p, &j, (const uint8_t(*)[32])parents);
			free(parents);
			return;
		}
		break;
	case MEMPOOL_REJ_CONSENSUS:
		if (p) {
			peer_misbehaving(p, "invalid transaction %s: %s", a,
			    j.reason);
			peer_maybe_punish(p);
		}
		/* FALLTHROUGH */
	case MEMPOOL_REJ_POLICY:
		/* Refused here, it may be mined elsewhere (Core). */
		if (ps)
			cmpct_extra_add(n, ps->wtxid, ps->raw, ps->len);
		reject_add(t, j.wtxid);
		/* A txid names the tx only when there is no witness to vary. */
		if (memcmp(j.txid, j.wtxid, 32) == 0)
			reject_add(t, j.txid);
		if (orphan)
			orphanage_erase(t->orphans, j.wtxid);
		break;
	case MEMPOOL_REJ_RECONSIDERABLE:
		/* Not alone again; with a child from the orphanage, maybe. */
		txrelay_reconsider_add(t, j.wtxid);
		if (orphan)
			orphanage_erase(t->orphans, j.wtxid);
		/* Its bytes are held only when it came alone from a peer. */
		if (p && ps)
			txpkg_try(n, p->id, j.txid, j.wtxid, ps->raw, ps->len);
		break;
	case MEMPOOL_REJ_WITNESS:
		/* Malleable: remember nothing (Core). */
		if (orphan)
			orphanage_erase(t->orphans, j.wtxid);
		break;
	case MEMPOOL_REJ_ALREADY:
	default: break;
	}
	if (ps)
		pending_drop(t, ps);
	free(parents);
}

/* ---- peers and time ---- */

void
txrelay_tick(struct net *n)
{
	struct txrelay *t = n->tx;
	int64_t now_us = time_mono_micros();
	size_t gone;

	if (t == NULL)
		return;
	txreq_tick(n, now_us);
	txann_tick(n, now_us);
	if (now_us >= t->next_orphan_sweep_us) {
		t->next_orphan_sweep_us = now_us + ORPHAN_SWEEP_US;
		if ((gone = orphanage_expire(t->orphans, node_time())) > 0)
			log_debug(LOG_MEMPOOL,
			    "Erased %zu orphan transaction(s) "
			    "due to expiration",
			    gone);
	}
}

void
txrelay_peer_gone(struct net *n, struct peer *p)
{
	size_t gone;

	if (n->tx) {
		txreq_peer_gone(n, p);
		gone = orphanage_erase_peer(n->tx->orphans, p->id);
		if (gone)
			log_debug(LOG_MEMPOOL,
			    "Erased %zu orphan transaction(s) "
			    "from peer=%llu",
			    gone, (unsigned long long)p->id);
	}
	if (p->tx) {
		txann_peer_free(p->tx);
		p->tx = NULL;
	}
}

uint64_t
txrelay_peer_last_seq(const struct peer *p)
{
	return p->tx ? p->tx->last_inv_seq : 0;
}

size_t
txrelay_peer_inv_queued(const struct peer *p)
{
	return p->tx ? p->tx->ninv : 0;
}

const struct orphanage *
txrelay_orphanage(struct net *n)
{
	return n->tx ? n->tx->orphans : NULL;
}
