/*
 * Telling peers about transactions, as Core's SendMessages does:
 *   - a transaction entering the mempool is queued (by wtxid) for every
 *     peer that relays transactions, except the one it came from and those
 *     that know it already;
 *   - the queue is sent on a trickle: a Poisson timer per outbound peer
 *     (mean 2 s), one shared by all inbound peers (mean 5 s, so that their
 *     timings do not tell where a transaction started), every tick for
 *     noban peers; at most INVENTORY_BROADCAST_TARGET plus 5 per 1,000
 *     queued (Core's scaling), never over INVENTORY_BROADCAST_MAX, in
 *     arrival order (parents before children);
 *   - when it is sent, a transaction that left the mirror or pays less
 *     than the peer's feefilter is skipped; wtxidrelay peers get MSG_WTX
 *     by wtxid, others MSG_TX by txid;
 *   - a peer may fetch (getdata) only what was in the mirror at our last
 *     inv to it (Core's m_last_inv_sequence), so that it cannot probe for
 *     transactions we have not announced yet;
 *   - `mempool` (BIP35) is answered at the next trickle with the whole
 *     mirror above the peer's feefilter;
 *   - our feefilter (BIP133): after the handshake, then on a Poisson timer
 *     of mean 10 minutes, sooner when the mempool's minimum fee moved by a
 *     third or more.
 * What a peer knows is kept in two generations of KNOWN_GEN hashes (a
 * rolling set, like Core's rolling bloom filter), salted per node.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool.h"
#include "net/net_int.h"
#include "net/orphanage.h"
#include "net/txrelay_int.h"
#include "primitives/tx.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Announcements queued for one peer; past it the newest are not queued. */
#define PEER_INV_QUEUE_MAX 100000
#define KNOWN_SLOTS (2 * KNOWN_GEN)

/* ---- what a peer knows ---- */

static uint64_t
known_hash(struct txrelay *t, const uint8_t hash[32])
{
	/* 0 marks an empty slot. */
	return siphash(t->known_k0, t->known_k1, hash, 32) | 1;
}

static int
set_has(const uint64_t *set, uint64_t h)
{
	size_t i = (size_t)(h % KNOWN_SLOTS);

	if (set == NULL)
		return 0;
	while (set[i] != 0) {
		if (set[i] == h)
			return 1;
		i = (i + 1) % KNOWN_SLOTS;
	}
	return 0;
}

void
txann_known_add(struct net *n, struct peer *p, const uint8_t hash[32])
{
	struct peer_tx *pt = peer_tx_get(p);
	uint64_t h = known_hash(n->tx, hash);
	size_t i;

	if (set_has(pt->known[0], h) || set_has(pt->known[1], h))
		return;
	if (pt->known[0] == NULL)
		pt->known[0] = xcalloc(KNOWN_SLOTS, sizeof(uint64_t));
	if (pt->nknown == KNOWN_GEN) {
		/* The older generation is forgotten. */
		free(pt->known[1]);
		pt->known[1] = pt->known[0];
		pt->known[0] = xcalloc(KNOWN_SLOTS, sizeof(uint64_t));
		pt->nknown = 0;
	}
	i = (size_t)(h % KNOWN_SLOTS);
	while (pt->known[0][i] != 0)
		i = (i + 1) % KNOWN_SLOTS;
	pt->known[0][i] = h;
	pt->nknown++;
}

int
txann_known_has(struct net *n, struct peer *p, const uint8_t hash[32])
{
	uint64_t h;

	if (p->tx == NULL)
		return 0;
	h = known_hash(n->tx, hash);
	return set_has(p->tx->known[0], h) || set_has(p->tx->known[1], h);
}

void
txann_peer_free(struct peer_tx *pt)
{
	free(pt->inv);
	free(pt->known[0]);
	free(pt->known[1]);
	free(pt->gd);
	free(pt);
}

/* ---- queueing ---- */

static int
relays_to(const struct peer *p)
{
	return p->version_recv && !p->disconnect && p->relay_txs &&
	    p->type != CONN_BLOCK_RELAY && p->type != CONN_FEELER;
}

void
txann_queue(struct net *n, const struct relay_tx *rt, uint64_t from_peer)
{
	struct peer_tx *pt;
	struct peer *p;

	TAILQ_FOREACH (p, &n->peers, entry) {
		/* The feefilter is checked at sending: it may change. */
		if (p->id == from_peer || !relays_to(p) ||
		    txann_known_has(n, p,
			p->wtxid_relay ? rt->wtxid : rt->txid))
			continue;
		pt = peer_tx_get(p);
		if (pt->ninv >= PEER_INV_QUEUE_MAX)
			continue;
		if (pt->ninv == pt->invcap) {
			pt->invcap = pt->invcap ? pt->invcap * 2 : 16;
			pt->inv = xreallocarray(pt->inv, pt->invcap, 32);
		}
		memcpy(pt->inv[pt->ninv++], rt->wtxid, 32);
	}
}

/* ---- sending ---- */

static int64_t
poisson_us(int64_t mean_us)
{
	return (int64_t)(-log1p(-rand_double()) * (double)mean_us);
}

struct inv_batch {
	struct inv *v;
	size_t n, cap;
};

static void
batch_flush(struct peer *p, struct inv_batch *b)
{
	struct wbuf w;

	if (b->n == 0)
		return;
	wbuf_init(&w);
	inv_encode(&w, b->v, b->n);
	peer_send_wbuf(p, MT_INV, &w);
	wbuf_free(&w);
	b->n = 0;
}

/* Adds rt to the batch if the peer should hear of it; 1 if added. */
static int
batch_add(struct net *n, struct peer *p, struct inv_batch *b,
    const struct relay_tx *rt)
{
	const uint8_t *hash = p->wtxid_relay ? rt->wtxid : rt->txid;

	if (rt->fee_rate < p->fee_filter || txann_known_has(n, p, hash))
		return 0;
	txann_known_add(n, p, hash);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	b->v[b->n].type = p->wtxid_relay ? MSG_WTX : MSG_TX;
	memcpy(b->v[b->n].hash, hash, 32);
	b->n++;
	if (b->n == MAX_INV_SZ)
		batch_flush(p, b);
	return 1;
}

static void
send_invs(struct net *n, struct peer *p, struct inv_batch *b)
{
	struct txrelay *t = n->tx;
	struct peer_tx *pt = p->tx;
	struct relay_tx *rt;
	size_t max, i, sent = 0;

	if (pt->send_mempool) {
		pt->send_mempool = 0;
		TAILQ_FOREACH (rt, &t->order, entry)
			batch_add(n, p, b, rt);
		batch_flush(p, b);
	}
	max = INVENTORY_BROADCAST_TARGET + pt->ninv / 1000 * 5;
	if (max > INVENTORY_BROADCAST_MAX)
		max = INVENTORY_BROADCAST_MAX;
	for (i = 0; i < pt->ninv && sent < max; i++) {
		/* Gone from the mirror meanwhile: dropped. */
		if ((rt = txrelay_find(t, pt->inv[i], 1)) == NULL)
			continue;
		sent += batch_add(n, p, b, rt);
	}
	if (i > 0) {
		memmove(pt->inv, pt->inv + i, (pt->ninv - i) * 32);
		pt->ninv -= i;
	}
	batch_flush(p, b);
	pt->last_inv_seq = t->seq;
}

static void
maybe_send_feefilter(struct net *n, struct peer *p, int64_t now_us)
{
	struct peer_tx *pt;
	int64_t cur;
	uint8_t b[8];

	if (n->blocksonly || p->version < FEEFILTER_VERSION ||
	    peer_has_perm(p, PF_FORCERELAY) || p->type == CONN_BLOCK_RELAY ||
	    p->type == CONN_FEELER)
		return;
	pt = peer_tx_get(p);
	if (sync_is_ibd(n))
		/* Tx invs are ignored in initial download: say so. */
		cur = MAX_MONEY_SAT;
	else {
		cur = mempool_min_fee_rate(n->tx->mp);
		if (pt->feefilter_sent == MAX_MONEY_SAT)
			pt->next_feefilter_us = 0;
	}
	if (now_us >= pt->next_feefilter_us) {
		if (cur != pt->feefilter_sent) {
			le64_write(b, (uint64_t)cur);
			peer_send(p, MT_FEEFILTER, b, sizeof(b));
			pt->feefilter_sent = cur;
		}
		pt->next_feefilter_us = now_us +
		    poisson_us(AVG_FEEFILTER_BROADCAST_US);
	} else if (now_us + MAX_FEEFILTER_CHANGE_DELAY_US <
		pt->next_feefilter_us &&
	    (cur < 3 * pt->feefilter_sent / 4 ||
		cur > 4 * pt->feefilter_sent / 3))
		pt->next_feefilter_us = now_us +
		    (int64_t)rand_range(MAX_FEEFILTER_CHANGE_DELAY_US);
}

void
txann_tick(struct net *n, int64_t now_us)
{
	struct txrelay *t = n->tx;
	struct inv_batch b;
	struct peer_tx *pt;
	struct peer *p;
	int trickle;

	memset(&b, 0, sizeof(b));
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (!p->handshaked || p->disconnect)
			continue;
		maybe_send_feefilter(n, p, now_us);
		if (!relays_to(p)) {
			if (p->tx)
				p->tx->ninv = 0;
			continue;
		}
		if ((pt = p->tx) == NULL ||
		    (pt->ninv == 0 && !pt->send_mempool))
			continue;
		trickle = peer_has_perm(p, PF_NOBAN);
		if (pt->next_inv_us < now_us) {
			trickle = 1;
			if (p->type == CONN_INBOUND) {
				if (t->next_inv_inbound_us < now_us)
					t->next_inv_inbound_us = now_us +
					    poisson_us(
						INBOUND_INVENTORY_BROADCAST_US);
				pt->next_inv_us = t->next_inv_inbound_us;
			} else
				pt->next_inv_us = now_us +
				    poisson_us(
					OUTBOUND_INVENTORY_BROADCAST_US);
		}
		if (trickle)
			send_invs(n, p, &b);
	}
	free(b.v);
}

/* ---- serving ---- */

int
txrelay_serve(struct peer *p, const struct inv *iv)
{
	struct txrelay *t = p->net->tx;
	uint32_t base = iv->type & ~MSG_WITNESS_FLAG;
	const struct relay_tx *rt;
	struct rbuf r;
	struct wbuf w;
	struct tx tx;

	if (t == NULL ||
	    (rt = txrelay_find(t, iv->hash, base == MSG_WTX)) == NULL)
		return -1;
	/* Only what was there when we last told the peer anything. */
	if (rt->seq > txrelay_peer_last_seq(p))
		return -1;
	if (base == MSG_TX && !(iv->type & MSG_WITNESS_FLAG)) {
		rbuf_init(&r, rt->raw, rt->len);
		if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0)
			fatalx("txrelay_serve: mirror holds a bad tx");
		wbuf_init(&w);
		tx_serialize(&tx, &w, 0);
		peer_send_wbuf(p, MT_TX, &w);
		wbuf_free(&w);
		tx_free(&tx);
	} else
		peer_send(p, MT_TX, rt->raw, rt->len);
	return 0;
}

void
txrelay_on_mempool(struct peer *p)
{
	if (p->net->tx == NULL) {
		log_debug(LOG_NET,
		    "mempool request ignored (no mempool) "
		    "peer=%llu",
		    (unsigned long long)p->id);
		return;
	}
	peer_tx_get(p)->send_mempool = 1;
}

/* ---- receiving announcements ---- */

int
txrelay_on_inv(struct peer *p, const struct inv *iv)
{
	struct net *n = p->net;
	struct txrelay *t = n->tx;
	int is_wtxid = (iv->type & ~MSG_WITNESS_FLAG) == MSG_WTX;
	int have;
	char hex[65], why[160];

	/*
	 * wtxidrelay peers announce by wtxid only, others by txid: the other
	 * kind is ignored before anything else (Core).
	 */
	if (is_wtxid != (int)p->wtxid_relay)
		return 0;
	hash_to_hex(iv->hash, hex);
	if (txrelay_rejects_incoming(p)) {
		snprintf(why, sizeof(why),
		    "transaction (%s) inv sent in "
		    "violation of protocol",
		    hex);
		peer_disconnect(p, why);
		return -1;
	}
	if (t == NULL) {
		log_debug(LOG_NET,
		    "got inv: tx %s ignored (no mempool) "
		    "peer=%llu",
		    hex, (unsigned long long)p->id);
		return 0;
	}
	have = txrelay_find(t, iv->hash, is_wtxid) ||
	    txrelay_recently_rejected(t, iv->hash) ||
	    txrelay_reconsiderable(t, iv->hash) ||
	    (is_wtxid && orphanage_get(t->orphans, iv->hash));
	/* Core's line, word for word: tests of mixed networks read it. */
	log_debug(LOG_NET, "got inv: %s %s  %s peer=%llu",
	    is_wtxid ? "wtx" : "tx", hex, have ? "have" : "new",
	    (unsigned long long)p->id);
	txann_known_add(n, p, iv->hash);
	if (have || sync_is_ibd(n))
		return 0;
	txreq_announce(n, p, iv->hash, is_wtxid, 0, time_mono_micros());
	return 0;
}

void
txrelay_inv_done(struct peer *p)
{
	if (p->net->tx && !p->disconnect)
		txreq_flush(p->net, p);
}

void
txrelay_on_notfound(struct peer *p, const struct inv *v, size_t count)
{
	size_t i;
	uint32_t base;

	if (p->net->tx == NULL)
		return;
	for (i = 0; i < count; i++) {
		base = v[i].type & ~MSG_WITNESS_FLAG;
		if (base == MSG_TX || base == MSG_WTX)
			txreq_notfound(p->net, p, v[i].hash, base == MSG_WTX);
	}
}
