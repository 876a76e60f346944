/*
 * Block serving, on the net thread: getheaders and getblocks answered
 * from the active chain, blocks from the store (Core's
 * anti-fingerprinting rule for blocks off the active chain), and new tips
 * announced with headers to peers that sent sendheaders and with inv to
 * the others (during initial download, our tip by inv at most once a
 * second to a peer that lacks it).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/pow.h"
#include "net/cmpct.h"
#include "net/sync_int.h"
#include "primitives/block.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Blocks off the active chain are served only if this recent. */
#define STALE_RELAY_AGE_LIMIT (30 * 24 * 3600)

static int send_stored_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len, int how, const char *hex);

/* Announces one block to p by inv. */
static void
send_block_inv(struct peer *p, const uint8_t hash[32])
{
	struct inv iv;
	struct wbuf w;

	iv.type = MSG_BLOCK;
	memcpy(iv.hash, hash, 32);
	wbuf_init(&w);
	inv_encode(&w, &iv, 1);
	peer_send_wbuf(p, MT_INV, &w);
	wbuf_free(&w);
}

/* The initial-download announcement: our tip, by inv, if it still lacks it. */
static void
announce_tip_inv(struct net *n, struct peer *p, int64_t now_us)
{
	struct sync *s = n->sync;
	struct store_rtxn *t = sync_rtxn(n);
	int has;

	has = sync_peer_has_header(s, t, p, s->tip, s->tip_height);
	store_read_end(t);
	p->sync.ibd_announce = 0;
	p->sync.ibd_announce_us = now_us;
	if (has)
		return;
	send_block_inv(p, s->tip);
}

void
blockserve_tick(struct net *n, struct peer *p)
{
	/* Real time: a frozen mock clock must not silence it. */
	if (p->sync.ibd_announce &&
	    time_mono_micros() - p->sync.ibd_announce_us >= 1000000)
		announce_tip_inv(n, p, time_mono_micros());
}

/* ---- announcements ---- */

/*
 * Announces block hash to a high-bandwidth peer by cmpctblock. 1 if sent.
 * Blocks we accept out of initial download went out earlier, before they
 * were connected (sync_pow_valid); this covers the rest (one from a peer
 * that lacked our tip then, or a queue that dropped the early copy).
 */
static int
send_cmpct_announce(struct net *n, struct store_rtxn *t, struct peer *p,
    const uint8_t hash[32])
{
	const uint8_t *raw;
	size_t len;
	char hex[65];

	if (store_get_block(t, hash, &raw, &len) != STORE_OK)
		return 0;
	hash_to_hex(hash, hex);
	log_debug(LOG_NET, "sending header-and-ids %s to peer=%llu", hex,
	    (unsigned long long)p->id);
	return send_stored_block(n, p, raw, len, SERVE_BLOCK_CMPCT, hex) == 0;
}

static void
announce_to_peer(struct net *n, struct store_rtxn *t, struct peer *p,
    const struct block_index_entry *blocks, size_t nb)
{
	struct sync *s = n->sync;
	struct block_header hdrs[MAX_BLOCKS_TO_ANNOUNCE];
	const struct block_index_entry *tip = &blocks[nb - 1];
	size_t i, nh = 0;
	/*
	 * Headers for a peer that prefers them, or a compact block for a
	 * high-bandwidth one when there is a single block to announce; inv
	 * otherwise (Core's fRevertToInv).
	 */
	int hb = p->cmpct.hb_from && nb == 1;
	int revert = !p->sync.prefers_headers && !hb;
	struct wbuf w;

	for (i = 0; i < nb && !revert; i++) {
		const struct block_index_entry *b = &blocks[i];

		if (!sync_on_active_chain(t, b)) {
			revert = 1; /* reorganised away meanwhile */
			break;
		}
		if (nh > 0 &&
		    memcmp(b->hdr.prev, blocks[i - 1].hash, 32) != 0) {
			revert = 1;
			break;
		}
		if (nh == 0 &&
		    sync_peer_has_header(s, t, p, b->hash, b->height))
			continue;
		if (nh > 0 || b->height == 0 ||
		    sync_peer_has_header(s, t, p, b->hdr.prev, b->height - 1))
			hdrs[nh++] = b->hdr;
		else
			revert = 1; /* nothing we send would connect */
	}
	if (!revert) {
		if (nh == 0)
			return;
		if (!(hb && nh == 1 &&
			send_cmpct_announce(n, t, p, tip->hash))) {
			wbuf_init(&w);
			headers_encode(&w, hdrs, nh);
			peer_send_wbuf(p, MT_HEADERS, &w);
			wbuf_free(&w);
		}
		memcpy(p->sync.hdr_sent, tip->hash, 32);
		p->sync.hdr_sent_height = tip->height;
		p->sync.has_hdr_sent = 1;
		return;
	}
	if (sync_peer_has_header(s, t, p, tip->hash, tip->height))
		return;
	send_block_inv(p, tip->hash);
}

void
blockserve_new_tip(struct net *n, struct store_rtxn *t, const uint8_t old[32],
    int32_t old_height)
{
	struct sync *s = n->sync;
	struct block_index_entry blocks[MAX_BLOCKS_TO_ANNOUNCE], e;
	uint8_t cur[32];
	size_t nb = 0, i;
	struct peer *p;

	if (s->ibd && memcmp(old, s->tip, 32) != 0) {
		/*
		 * Core relays nothing during initial download. Then a node behind
		 * us in a line of nodes would never hear of our new blocks, so a
		 * peer that lacks our tip is told about it, at most once a second
		 * (sync_tick sends it).
		 */
		TAILQ_FOREACH (p, &n->peers, entry)
			if (p->handshaked && !p->disconnect &&
			    !sync_peer_has_header(s, t, p, s->tip,
				s->tip_height))
				p->sync.ibd_announce = 1;
	}
	if (!s->ibd && memcmp(old, s->tip, 32) != 0) {
		/* The new blocks, newest first, back to the old tip (at most 8). */
		memcpy(cur, s->tip, 32);
		while (
		    nb < MAX_BLOCKS_TO_ANNOUNCE && memcmp(cur, old, 32) != 0) {
			if (store_get_index(t, cur, &e) != STORE_OK)
				break;
			blocks[nb++] = e;
			if (e.height == 0 ||
			    e.height <= old_height - MAX_BLOCKS_TO_ANNOUNCE)
				break;
			memcpy(cur, e.hdr.prev, 32);
		}
		/* Oldest first. */
		for (i = 0; i < nb / 2; i++) {
			e = blocks[i];
			blocks[i] = blocks[nb - 1 - i];
			blocks[nb - 1 - i] = e;
		}
		if (nb > 0)
			TAILQ_FOREACH (p, &n->peers, entry)
				if (p->handshaked && !p->disconnect)
					announce_to_peer(n, t, p, blocks, nb);
	}
}

void
sync_pow_valid(struct net *n, int32_t height, const uint8_t *raw, size_t len)
{
	struct sync *s = n->sync;
	struct store_rtxn *t = NULL;
	struct block b;
	struct wbuf w;
	struct peer *p;
	char hex[65];

	/* Our view may lag validation's: only a block on the tip we know. */
	if (s->ibd || height != s->tip_height + 1 || block_parse(raw, len, &b))
		return;
	if (memcmp(b.hdr.prev, s->tip, 32) != 0) {
		block_free(&b);
		return;
	}
	hash_to_hex(b.hash, hex);
	free(s->recent_raw);
	s->recent_raw = xmalloc(len);
	memcpy(s->recent_raw, raw, len);
	s->recent_len = len;
	memcpy(s->recent_hash, b.hash, 32);
	wbuf_init(&w);
	cmpct_block_encode(&w, &b, rand_u64());
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (!p->handshaked || p->disconnect || !p->cmpct.hb_from)
			continue;
		/* One that told us of it, or was sent it, has it. */
		if ((p->sync.has_unknown &&
			memcmp(p->sync.unknown_hash, b.hash, 32) == 0) ||
		    (p->sync.has_best &&
			memcmp(p->sync.best_hash, b.hash, 32) == 0) ||
		    (p->sync.has_hdr_sent &&
			memcmp(p->sync.hdr_sent, b.hash, 32) == 0))
			continue;
		if (t == NULL)
			t = sync_rtxn(n);
		if (!sync_peer_has_header(s, t, p, s->tip, s->tip_height))
			continue;
		log_debug(LOG_NET,
		    "PeerManager::NewPoWValidBlock sending header-and-ids %s "
		    "to peer=%llu",
		    hex, (unsigned long long)p->id);
		peer_send(p, MT_CMPCTBLOCK, w.p, w.len);
		memcpy(p->sync.hdr_sent, b.hash, 32);
		p->sync.hdr_sent_height = height;
		p->sync.has_hdr_sent = 1;
	}
	if (t != NULL)
		store_read_end(t);
	wbuf_free(&w);
	block_free(&b);
}

int
blockserve_recent(struct sync *s, struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t **raw, size_t *len)
{
	struct block_index_entry e;

	if (s->recent_raw == NULL || memcmp(s->recent_hash, hash, 32) != 0)
		return 0;
	/* Once it failed validation, it is no longer served. */
	if (store_get_index(t, hash, &e) == STORE_OK &&
	    (e.status & BLOCK_FAILED_MASK))
		return -1;
	*raw = s->recent_raw;
	*len = s->recent_len;
	return 1;
}

/* ---- serving ---- */

/* Core's BlockRequestAllowed: the anti-fingerprinting rule. */
int
sync_block_request_allowed(struct net *n, struct store_rtxn *t,
    const struct block_index_entry *e)
{
	struct block_index_entry best;
	uint8_t bh[32];

	if (sync_on_active_chain(t, e))
		return 1;
	if (!(e->status & BLOCK_VALID_SCRIPTS) ||
	    store_get_best_header(t, bh) != STORE_OK ||
	    store_get_index(t, bh, &best) != STORE_OK)
		return 0;
	return (int64_t)best.hdr.time - (int64_t)e->hdr.time <
	    STALE_RELAY_AGE_LIMIT &&
	    pow_equivalent_time(best.chainwork, e->chainwork, best.hdr.bits,
		n->cp->target_spacing) < STALE_RELAY_AGE_LIMIT;
}

/* Sends a block read from the store as how asks. 0, or -1. */
static int
send_stored_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len, int how, const char *hex)
{
	struct block b;
	struct wbuf w;

	if (how == SERVE_BLOCK_WITNESS) {
		peer_send(p, MT_BLOCK, raw, len);
		return 0;
	}
	if (block_parse(raw, len, &b) != 0) {
		log_warnx("net: stored block %s does not parse", hex);
		return -1;
	}
	wbuf_init(&w);
	if (how == SERVE_BLOCK_CMPCT) {
		cmpct_block_encode(&w, &b, rand_u64());
		peer_send_wbuf(p, MT_CMPCTBLOCK, &w);
	} else {
		/* Stripped for a peer that asked without the witness flag. */
		block_serialize(&b, &w, 0);
		peer_send_wbuf(p, MT_BLOCK, &w);
	}
	wbuf_free(&w);
	block_free(&b);
	return 0;
}

int
sync_serve_block(struct net *n, struct peer *p, const uint8_t hash[32],
    int how)
{
	struct sync *s = n->sync;
	struct block_index_entry e;
	struct store_rtxn *t = sync_rtxn(n);
	const uint8_t *raw;
	size_t len;
	char hex[65];
	int rc = -1;

	hash_to_hex(hash, hex);
	/*
	 * Announced before it was connected: the store may not hold it yet.
	 * It is on our tip, so compact is fine for it.
	 */
	switch (blockserve_recent(s, t, hash, &raw, &len)) {
	case 1: rc = send_stored_block(n, p, raw, len, how, hex); goto out;
	case -1: goto out;
	default: break;
	}
	if (store_get_index(t, hash, &e) != STORE_OK) {
		log_debug(LOG_NET, "getdata for unknown block %s peer=%llu",
		    hex, (unsigned long long)p->id);
		goto out;
	}
	if (!sync_block_request_allowed(n, t, &e)) {
		log_debug(LOG_NET,
		    "ignoring request from peer=%llu for old "
		    "block that isn't in the main chain",
		    (unsigned long long)p->id);
		goto out;
	}
	/*
	 * Offering NODE_NETWORK_LIMITED only (pruned, or a snapshot's history
	 * missing): nothing deeper than BIP159's 288 blocks plus Core's two
	 * for races, and the peer that asks is disconnected, as Core does.
	 */
	if (!(net_services(n) & NODE_NETWORK) &&
	    s->tip_height - e.height > NODE_NETWORK_LIMITED_MIN_BLOCKS + 2) {
		log_debug(LOG_NET,
		    "Ignore block request below NODE_NETWORK_LIMITED "
		    "threshold, disconnect peer=%llu",
		    (unsigned long long)p->id);
		peer_disconnect(p, "block request below the limited threshold");
		goto out;
	}
	if (!(e.status & BLOCK_HAVE_DATA) ||
	    store_get_block(t, hash, &raw, &len) != STORE_OK)
		goto out;
	/*
	 * A peer asking for an old block as compact would have nothing in its
	 * mempool to rebuild it from: the full block instead (Core).
	 */
	if (how == SERVE_BLOCK_CMPCT &&
	    !(sync_can_direct_fetch(n) &&
		e.height >= s->tip_height - MAX_CMPCTBLOCK_DEPTH))
		how = SERVE_BLOCK_WITNESS;
	if (send_stored_block(n, p, raw, len, how, hex) != 0)
		goto out;
	rc = 0;
	if (p->sync.has_continuation &&
	    memcmp(p->sync.continuation, hash, 32) == 0) {
		/* Tells a getblocks peer to ask for the next batch. */
		p->sync.has_continuation = 0;
		send_block_inv(p, s->tip);
	}
out:
	store_read_end(t);
	return rc;
}

/*
 * Core's FindForkInGlobalIndex: the first locator block on our active
 * chain, or our tip for the first one that descends from it (a header we
 * hold past our tip: the peer has everything we could send), or genesis
 * when none is known.
 */
static int32_t
find_fork(struct sync *s, struct store_rtxn *t, const struct locator_msg *m)
{
	struct block_index_entry e;
	uint8_t a[32];
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (store_get_index(t, m->hashes[i], &e) != STORE_OK)
			continue;
		if (sync_on_active_chain(t, &e))
			return e.height;
		if (e.height > s->tip_height &&
		    sync_ancestor(s, t, e.hash, e.height, s->tip_height, a) ==
			0 &&
		    memcmp(a, s->tip, 32) == 0)
			return s->tip_height;
	}
	return 0;
}

void
sync_serve_getheaders(struct net *n, struct peer *p,
    const struct locator_msg *m)
{
	static const uint8_t zero[32];
	struct sync *s = n->sync;
	struct block_index_entry e;
	struct block_header *hdrs;
	struct store_rtxn *t = sync_rtxn(n);
	uint8_t hh[32], last[32];
	int32_t h, start, last_h = -1;
	size_t nh = 0;
	struct wbuf w;

	if (memcmp(s->tip_work, n->cp->minimum_chain_work, 32) < 0 &&
	    !peer_has_perm(p, PF_DOWNLOAD)) {
		log_debug(LOG_NET,
		    "Ignoring getheaders from peer=%llu because "
		    "active chain has too little work; sending empty response",
		    (unsigned long long)p->id);
		store_read_end(t);
		wbuf_init(&w);
		headers_encode(&w, NULL, 0);
		peer_send_wbuf(p, MT_HEADERS, &w);
		wbuf_free(&w);
		return;
	}
	hdrs = xcalloc(MAX_HEADERS_RESULTS, sizeof(*hdrs));
	if (m->n == 0) {
		/* No locator: just the stop block, if it may be shown. */
		if (store_get_index(t, m->stop, &e) != STORE_OK)
			goto out;
		if (!sync_block_request_allowed(n, t, &e)) {
			log_debug(LOG_NET,
			    "ignoring request from peer=%llu for "
			    "old block header that isn't in the main chain",
			    (unsigned long long)p->id);
			goto out;
		}
		hdrs[nh++] = e.hdr;
		memcpy(p->sync.hdr_sent, e.hash, 32);
		p->sync.hdr_sent_height = e.height;
		p->sync.has_hdr_sent = 1;
	} else {
		start = find_fork(s, t, m) + 1;
		log_debug(LOG_NET, "getheaders %d to %s from peer=%llu", start,
		    memcmp(m->stop, zero, 32) ? "stop" : "end",
		    (unsigned long long)p->id);
		for (h = start; h <= s->tip_height && nh < MAX_HEADERS_RESULTS;
		     h++) {
			if (store_get_active_hash(t, h, hh) != STORE_OK ||
			    store_get_index(t, hh, &e) != STORE_OK)
				break;
			hdrs[nh++] = e.hdr;
			memcpy(last, hh, 32);
			last_h = h;
			if (memcmp(hh, m->stop, 32) == 0)
				break;
		}
		/* What the peer now has: the last sent, or our tip. */
		if (nh > 0) {
			memcpy(p->sync.hdr_sent, last, 32);
			p->sync.hdr_sent_height = last_h;
		} else {
			memcpy(p->sync.hdr_sent, s->tip, 32);
			p->sync.hdr_sent_height = s->tip_height;
		}
		p->sync.has_hdr_sent = 1;
	}
	wbuf_init(&w);
	headers_encode(&w, hdrs, nh);
	peer_send_wbuf(p, MT_HEADERS, &w);
	wbuf_free(&w);
out:
	free(hdrs);
	store_read_end(t);
}

void
sync_serve_getblocks(struct net *n, struct peer *p,
    const struct locator_msg *m)
{
	struct sync *s = n->sync;
	struct store_rtxn *t = sync_rtxn(n);
	struct inv *v;
	uint8_t hh[32];
	int32_t h;
	size_t k = 0;
	struct wbuf w;

	v = xcalloc(MAX_GETBLOCKS_RESULTS, sizeof(*v));
	for (h = find_fork(s, t, m) + 1; h <= s->tip_height; h++) {
		if (store_get_active_hash(t, h, hh) != STORE_OK)
			break;
		if (memcmp(hh, m->stop, 32) == 0)
			break;
		v[k].type = MSG_BLOCK;
		memcpy(v[k].hash, hh, 32);
		if (++k == MAX_GETBLOCKS_RESULTS) {
			/* Its getdata for this one triggers the next batch. */
			memcpy(p->sync.continuation, hh, 32);
			p->sync.has_continuation = 1;
			break;
		}
	}
	store_read_end(t);
	if (k > 0) {
		wbuf_init(&w);
		inv_encode(&w, v, k);
		peer_send_wbuf(p, MT_INV, &w);
		wbuf_free(&w);
	}
	free(v);
}
