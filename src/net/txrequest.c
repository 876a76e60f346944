/*
 * Which peer we ask for an announced transaction, and when: a simplified
 * Core TxRequestTracker. Every announcement (a txid, or a wtxid from a
 * wtxidrelay peer) is kept with the peers that made it. One of them at a
 * time is asked:
 *   - preferred peers (outbound, or noban: Core's preferred download
 *     peers) are ready at once; others only NONPREF_PEER_TX_DELAY_US after
 *     their announcement, so that an outbound peer is asked first;
 *   - among the ready ones a preferred peer wins, then the earliest;
 *   - a peer has at most MAX_PEER_TX_REQUEST_IN_FLIGHT requests open and
 *     MAX_PEER_TX_ANNOUNCEMENTS announcements tracked (the relay
 *     permission lifts the latter);
 *   - a request not answered in GETDATA_TX_INTERVAL_US, or answered with
 *     notfound, drops that peer's announcement and the next ready
 *     announcer is asked on the next tick;
 *   - the transaction arriving (from anyone), or a verdict on it, forgets
 *     the whole entry.
 * Core's further refinements (delaying txid announcements while wtxid
 * peers exist, the overloaded-peer delay, per-peer random tie-breaking)
 * are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "net/net_int.h"
#include "net/txrelay_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct ann_peer {
	uint64_t peer;
	int64_t ready_us; /* monotonic */
	int preferred;
};

struct tx_ann {
	uint8_t key[33]; /* the hash, then 1 for a wtxid */
	struct ann_peer *v;
	size_t n, cap;
	uint64_t inflight; /* the peer asked, 0: nobody */
	int64_t expiry_us;
};

static void
make_key(uint8_t key[33], const uint8_t hash[32], int is_wtxid)
{
	memcpy(key, hash, 32);
	key[32] = is_wtxid ? 1 : 0;
}

static void
ann_free(struct tx_ann *a)
{
	free(a->v);
	free(a);
}

void
txreq_free_all(struct txrelay *t)
{
	struct tx_ann *a;
	size_t pos = 0, n = htab_count(t->anns), k = 0, i;
	struct tx_ann **all;

	if (n == 0)
		return;
	all = xcalloc(n, sizeof(*all));
	while ((a = htab_next(t->anns, &pos)) != NULL)
		all[k++] = a;
	for (i = 0; i < k; i++) {
		htab_del(t->anns, all[i]->key);
		ann_free(all[i]);
	}
	free(all);
}

static void
request(struct net *n, struct tx_ann *a, struct peer *p, int64_t now_us)
{
	struct peer_tx *pt = peer_tx_get(p);

	a->inflight = p->id;
	a->expiry_us = now_us + GETDATA_TX_INTERVAL_US;
	pt->n_inflight++;
	if (pt->ngd == pt->gdcap) {
		pt->gdcap = pt->gdcap ? pt->gdcap * 2 : 16;
		pt->gd = xreallocarray(pt->gd, pt->gdcap, sizeof(*pt->gd));
	}
	/* A txid is asked for with its witness (Core's MSG_WITNESS_TX). */
	pt->gd[pt->ngd].type = a->key[32] ? MSG_WTX : MSG_WITNESS_TX;
	memcpy(pt->gd[pt->ngd].hash, a->key, 32);
	pt->ngd++;
}

/* Drops announcer i; the peer may be gone already (p NULL). */
static void
drop_announcer(struct tx_ann *a, size_t i, struct peer *p)
{
	if (p && p->tx) {
		p->tx->n_ann--;
		if (a->inflight == a->v[i].peer)
			p->tx->n_inflight--;
	}
	if (a->inflight == a->v[i].peer)
		a->inflight = 0;
	a->v[i] = a->v[--a->n];
}

static void
try_request(struct net *n, struct tx_ann *a, int64_t now_us)
{
	struct ann_peer *best = NULL;
	struct peer *bp = NULL, *p;
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct ann_peer *ap = &a->v[i];

		if (ap->ready_us > now_us)
			continue;
		if ((p = net_peer_by_id(n, ap->peer)) == NULL ||
		    p->disconnect ||
		    (p->tx &&
			p->tx->n_inflight >= MAX_PEER_TX_REQUEST_IN_FLIGHT))
			continue;
		if (best == NULL || (ap->preferred && !best->preferred) ||
		    (ap->preferred == best->preferred &&
			ap->ready_us < best->ready_us)) {
			best = ap;
			bp = p;
		}
	}
	if (best)
		request(n, a, bp, now_us);
}

void
txreq_announce(struct net *n, struct peer *p, const uint8_t hash[32],
    int is_wtxid, int urgent, int64_t now_us)
{
	struct txrelay *t = n->tx;
	struct peer_tx *pt = peer_tx_get(p);
	struct ann_peer *ap;
	struct tx_ann *a;
	uint8_t key[33];
	size_t i;

	make_key(key, hash, is_wtxid);
	a = htab_get(t->anns, key);
	if (a)
		for (i = 0; i < a->n; i++)
			if (a->v[i].peer == p->id)
				return;
	if (!urgent && pt->n_ann >= MAX_PEER_TX_ANNOUNCEMENTS &&
	    !peer_has_perm(p, PF_RELAY))
		return;
	if (a == NULL) {
		a = xcalloc(1, sizeof(*a));
		memcpy(a->key, key, sizeof(key));
		htab_put(t->anns, a);
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 2;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	ap = &a->v[a->n++];
	ap->peer = p->id;
	ap->preferred = urgent || p->sync.preferred_download;
	ap->ready_us = now_us + (ap->preferred ? 0 : NONPREF_PEER_TX_DELAY_US);
	pt->n_ann++;
	if (a->inflight == 0 && ap->ready_us <= now_us &&
	    pt->n_inflight < MAX_PEER_TX_REQUEST_IN_FLIGHT)
		request(n, a, p, now_us);
}

void
txreq_flush(struct net *n, struct peer *p)
{
	struct peer_tx *pt = p->tx;
	struct wbuf w;
	size_t off = 0, k;

	if (pt == NULL || pt->ngd == 0)
		return;
	while (off < pt->ngd) {
		k = pt->ngd - off;
		if (k > MAX_INV_SZ)
			k = MAX_INV_SZ;
		wbuf_init(&w);
		inv_encode(&w, pt->gd + off, k);
		peer_send_wbuf(p, MT_GETDATA, &w);
		wbuf_free(&w);
		off += k;
	}
	log_debug(LOG_NET, "requested %zu transaction(s) from peer=%llu",
	    pt->ngd, (unsigned long long)p->id);
	pt->ngd = 0;
}

void
txreq_forget(struct net *n, const uint8_t hash[32])
{
	struct tx_ann *a;
	uint8_t key[33];
	int w;

	for (w = 0; w < 2; w++) {
		make_key(key, hash, w);
		if ((a = htab_del(n->tx->anns, key)) == NULL)
			continue;
		while (a->n > 0)
			drop_announcer(a, a->n - 1,
			    net_peer_by_id(n, a->v[a->n - 1].peer));
		ann_free(a);
	}
}

void
txreq_notfound(struct net *n, struct peer *p, const uint8_t hash[32],
    int is_wtxid)
{
	struct tx_ann *a;
	uint8_t key[33];
	size_t i;

	make_key(key, hash, is_wtxid);
	if ((a = htab_get(n->tx->anns, key)) == NULL || a->inflight != p->id)
		return;
	for (i = 0; i < a->n; i++)
		if (a->v[i].peer == p->id) {
			drop_announcer(a, i, p);
			break;
		}
	/* Another announcer, if any, is asked on the next tick. */
	if (a->n == 0) {
		htab_del(n->tx->anns, a->key);
		ann_free(a);
	}
}

int
txreq_tracked(struct net *n, const uint8_t hash[32], int is_wtxid)
{
	uint8_t key[33];

	make_key(key, hash, is_wtxid);
	return htab_get(n->tx->anns, key) != NULL;
}

static void
delete_empty(struct txrelay *t, struct tx_ann **dead, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		htab_del(t->anns, dead[i]->key);
		ann_free(dead[i]);
	}
	free(dead);
}

void
txreq_tick(struct net *n, int64_t now_us)
{
	struct txrelay *t = n->tx;
	struct tx_ann *a, **dead;
	struct peer *p;
	size_t pos = 0, k = 0, i, count = htab_count(t->anns);
	char hex[65];

	if (count == 0)
		return;
	dead = xcalloc(count, sizeof(*dead));
	while ((a = htab_next(t->anns, &pos)) != NULL) {
		if (a->inflight && now_us >= a->expiry_us) {
			hash_to_hex(a->key, hex);
			log_debug(LOG_NET,
			    "timeout of inflight tx %s from "
			    "peer=%llu",
			    hex, (unsigned long long)a->inflight);
			for (i = 0; i < a->n; i++)
				if (a->v[i].peer == a->inflight) {
					drop_announcer(a, i,
					    net_peer_by_id(n, a->inflight));
					break;
				}
		}
		if (a->n == 0) {
			dead[k++] = a;
			continue;
		}
		if (a->inflight == 0)
			try_request(n, a, now_us);
	}
	delete_empty(t, dead, k);
	TAILQ_FOREACH (p, &n->peers, entry)
		if (p->tx && p->tx->ngd && !p->disconnect)
			txreq_flush(n, p);
}

void
txreq_peer_gone(struct net *n, struct peer *p)
{
	struct txrelay *t = n->tx;
	struct tx_ann *a, **dead;
	size_t pos = 0, k = 0, i, count = htab_count(t->anns);

	if (p->tx == NULL || p->tx->n_ann == 0 || count == 0)
		return;
	dead = xcalloc(count, sizeof(*dead));
	while ((a = htab_next(t->anns, &pos)) != NULL) {
		for (i = 0; i < a->n; i++)
			if (a->v[i].peer == p->id) {
				/* Its counters go with it: no peer to update. */
				drop_announcer(a, i, NULL);
				break;
			}
		if (a->n == 0)
			dead[k++] = a;
	}
	delete_empty(t, dead, k);
}
