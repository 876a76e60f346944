/*
 * Compact block relay (BIP152 version 2) on the net thread: sendcmpct,
 * the high-bandwidth peer list, rebuilding from the relay mirror and the
 * extra pool, getblocktxn and blocktxn. See cmpctrelay.h.
 */
#include <stdlib.h>
#include <string.h>

#include "net/cmpct.h"
#include "net/net_int.h"
#include "net/sync_int.h"
#include "net/txrelay_int.h"
#include "primitives/block.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct extra_tx {
	uint8_t wtxid[32];
	uint8_t *raw; /* NULL: empty slot */
	size_t len;
};

struct cmpctrelay {
	/* High-bandwidth peers we chose, oldest first (Core's list). */
	uint64_t hb[CMPCT_MAX_HB_PEERS];
	size_t nhb;
	/* The extra pool: a ring, the next slot to overwrite at pos. */
	struct extra_tx *extra;
	size_t extra_max, extra_pos;
	struct cmpct_stats stats;
};

struct cmpctrelay *
cmpctrelay_new(size_t extra_max)
{
	struct cmpctrelay *c = xcalloc(1, sizeof(*c));

	c->extra_max = extra_max;
	if (extra_max)
		c->extra = xcalloc(extra_max, sizeof(*c->extra));
	return c;
}

void
cmpctrelay_free(struct cmpctrelay *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->extra_max; i++)
		free(c->extra[i].raw);
	free(c->extra);
	free(c);
}

void
cmpct_get_stats(struct net *n, struct cmpct_stats *out)
{
	*out = n->cmpct->stats;
}

void
cmpct_extra_add(struct net *n, const uint8_t wtxid[32], const uint8_t *raw,
    size_t len)
{
	struct cmpctrelay *c = n->cmpct;
	struct extra_tx *e;

	if (c->extra_max == 0 || len > MAX_EXTRA_TX_BYTES)
		return;
	e = &c->extra[c->extra_pos];
	free(e->raw);
	memcpy(e->wtxid, wtxid, 32);
	e->raw = xmalloc(len ? len : 1);
	memcpy(e->raw, raw, len);
	e->len = len;
	c->extra_pos = (c->extra_pos + 1) % c->extra_max;
}

/* ---- sendcmpct ---- */

static void
send_sendcmpct(struct peer *p, int hb)
{
	uint8_t b[9];

	b[0] = hb ? 1 : 0;
	le64_write(b + 1, CMPCTBLOCKS_VERSION);
	peer_send(p, MT_SENDCMPCT, b, sizeof(b));
}

void
cmpct_peer_handshake(struct peer *p)
{
	int common = p->version < PROTOCOL_VERSION ? p->version :
						     PROTOCOL_VERSION;

	/* Sent to every peer: even one without blocks may ask us for them. */
	if (common >= SHORT_IDS_BLOCKS_VERSION)
		send_sendcmpct(p, 0);
}

int
cmpct_on_sendcmpct(struct peer *p, struct rbuf *r)
{
	uint64_t version;
	int announce;

	if (sendcmpct_parse(r, &announce, &version) != 0)
		return H_MALFORMED;
	/* Only version 2, with witnesses, as Core; others are ignored. */
	if (version != CMPCTBLOCKS_VERSION)
		return H_OK;
	p->cmpct.provides = 1;
	p->cmpct.hb_from = announce;
	return H_OK;
}

static void
hb_remove_at(struct cmpctrelay *c, size_t i)
{
	memmove(&c->hb[i], &c->hb[i + 1], (c->nhb - i - 1) * sizeof(c->hb[0]));
	c->nhb--;
}

void
cmpct_peer_gone(struct net *n, struct peer *p)
{
	struct cmpctrelay *c = n->cmpct;
	size_t i;

	if (p->cmpct.partial) {
		cmpct_partial_free(p->cmpct.partial);
		free(p->cmpct.partial);
		p->cmpct.partial = NULL;
	}
	/* Its slot frees up for the next peer that gives us a block. */
	for (i = 0; i < c->nhb; i++)
		if (c->hb[i] == p->id) {
			hb_remove_at(c, i);
			break;
		}
}

void
cmpct_maybe_set_hb(struct net *n, struct peer *p)
{
	struct cmpctrelay *c = n->cmpct;
	struct peer *q;
	size_t i;
	int outbound_hb = 0;
	uint64_t tmp;

	/* -blocksonly: no mempool worth rebuilding from (Core). */
	if (n->blocksonly || !p->cmpct.provides)
		return;
	for (i = 0; i < c->nhb; i++) {
		if (c->hb[i] == p->id) {
			/* Already one: it moves to the back, last to go. */
			hb_remove_at(c, i);
			c->hb[c->nhb++] = p->id;
			return;
		}
		if ((q = net_peer_by_id(n, c->hb[i])) != NULL &&
		    q->type != CONN_INBOUND)
			outbound_hb++;
	}
	/*
	 * An inbound peer must not push out our last outbound high-bandwidth
	 * peer: that one moves to the second slot, out of the way (Core).
	 */
	if (p->type == CONN_INBOUND && c->nhb >= CMPCT_MAX_HB_PEERS &&
	    outbound_hb == 1 && (q = net_peer_by_id(n, c->hb[0])) != NULL &&
	    q->type != CONN_INBOUND) {
		tmp = c->hb[0];
		c->hb[0] = c->hb[1];
		c->hb[1] = tmp;
	}
	if (c->nhb >= CMPCT_MAX_HB_PEERS) {
		if ((q = net_peer_by_id(n, c->hb[0])) != NULL) {
			send_sendcmpct(q, 0);
			q->cmpct.hb_to = 0;
		}
		hb_remove_at(c, 0);
	}
	send_sendcmpct(p, 1);
	p->cmpct.hb_to = 1;
	c->hb[c->nhb++] = p->id;
	log_debug(LOG_CMPCTBLOCK,
	    "peer=%llu is now a high-bandwidth compact "
	    "block peer",
	    (unsigned long long)p->id);
}

/* ---- rebuilding ---- */

static void
offer_all(struct net *n, struct cmpct_partial *pb)
{
	struct cmpctrelay *c = n->cmpct;
	struct relay_tx *rt;
	size_t i;

	if (n->tx)
		TAILQ_FOREACH (rt, &n->tx->order, entry)
			cmpct_partial_offer(pb, rt->wtxid, rt->raw, rt->len,
			    0);
	for (i = 0; i < c->extra_max; i++)
		if (c->extra[i].raw)
			cmpct_partial_offer(pb, c->extra[i].wtxid,
			    c->extra[i].raw, c->extra[i].len, 1);
}

static void
drop_partial(struct peer *p)
{
	if (p->cmpct.partial) {
		cmpct_partial_free(p->cmpct.partial);
		free(p->cmpct.partial);
		p->cmpct.partial = NULL;
	}
}

/*
 * A collision or a failed rebuild: the block in full (Core), in flight
 * from p so that block sync does not ask another peer meanwhile.
 */
static void
fall_back(struct net *n, struct peer *p, const uint8_t hash[32],
    int32_t height)
{
	char hex[65];

	hash_to_hex(hash, hex);
	log_debug(LOG_CMPCTBLOCK,
	    "compact block %s from peer=%llu "
	    "failed to rebuild, asking for the full block",
	    hex, (unsigned long long)p->id);
	n->cmpct->stats.fell_back++;
	sync_mark_inflight(n, p, hash, height);
	sync_getdata_block(p, hash);
}

/* Hands the whole block to block sync; H_OK, H_RETRY, or CMPCT_FAILED. */
static int
submit(struct net *n, struct peer *p, const struct cmpct_partial *pb)
{
	struct wbuf w;
	char hex[65];
	int rc;

	wbuf_init(&w);
	if (cmpct_partial_finish(pb, &w) != CMPCT_OK) {
		wbuf_free(&w);
		return CMPCT_FAILED;
	}
	rc = sync_on_cmpct_block(n, p, w.p, w.len);
	wbuf_free(&w);
	if (rc == H_OK) {
		hash_to_hex(pb->hash, hex);
		log_debug(LOG_CMPCTBLOCK,
		    "Successfully reconstructed block %s "
		    "with %zu txn prefilled, %zu txn from mempool (incl at "
		    "least %zu from extra pool) and %zu txn requested",
		    hex, pb->prefilled, pb->from_pool + pb->from_extra,
		    pb->from_extra,
		    pb->n - pb->prefilled - pb->from_pool - pb->from_extra);
	}
	return rc;
}

int
cmpct_rebuild(struct net *n, struct peer *p, const struct cmpct_block *cb,
    int32_t height, int wait)
{
	struct cmpctrelay *c = n->cmpct;
	struct cmpct_partial *pb = xcalloc(1, sizeof(*pb));
	uint16_t *missing;
	size_t nmiss;
	struct wbuf w;
	int rc;

	rc = cmpct_partial_init(pb, cb);
	if (rc == CMPCT_INVALID) {
		cmpct_partial_free(pb);
		free(pb);
		/* Disconnected for it: block sync frees the request. */
		peer_misbehaving(p, "invalid compact block");
		peer_maybe_punish(p);
		return H_OK;
	}
	if (rc == CMPCT_FAILED) {
		if (wait)
			fall_back(n, p, pb->hash, height);
		cmpct_partial_free(pb);
		free(pb);
		return H_OK;
	}
	c->stats.received++;
	offer_all(n, pb);
	if (cmpct_partial_complete(pb)) {
		rc = submit(n, p, pb);
		if (rc == CMPCT_FAILED) {
			if (wait)
				fall_back(n, p, pb->hash, height);
		} else if (rc == H_OK)
			c->stats.no_round_trip++;
		cmpct_partial_free(pb);
		free(pb);
		return rc == H_RETRY ? H_RETRY : H_OK;
	}
	if (!wait) {
		/* In flight elsewhere: only a free rebuild was worth trying. */
		cmpct_partial_free(pb);
		free(pb);
		return H_OK;
	}
	sync_mark_inflight(n, p, pb->hash, height);
	missing = xcalloc(pb->n, sizeof(*missing));
	nmiss = cmpct_partial_missing(pb, missing);
	wbuf_init(&w);
	getblocktxn_encode(&w, pb->hash, missing, nmiss);
	peer_send_wbuf(p, MT_GETBLOCKTXN, &w);
	wbuf_free(&w);
	free(missing);
	drop_partial(p);
	p->cmpct.partial = pb;
	p->cmpct.partial_height = height;
	return H_OK;
}

int
cmpct_on_blocktxn(struct peer *p, struct rbuf *r)
{
	struct net *n = p->net;
	struct cmpct_partial *pb = p->cmpct.partial;
	struct blocktxn_msg m;
	char hex[65];
	int rc;

	if (blocktxn_parse(r, &m) != 0)
		return H_MALFORMED;
	if (pb == NULL || memcmp(pb->hash, m.hash, 32) != 0) {
		hash_to_hex(m.hash, hex);
		log_debug(LOG_NET,
		    "Peer %llu sent us block transactions for "
		    "block we weren't expecting (%s)",
		    (unsigned long long)p->id, hex);
		blocktxn_msg_free(&m);
		return H_OK;
	}
	/* A retry (validation's queue was full) finds the block whole. */
	if (!cmpct_partial_complete(pb) &&
	    cmpct_partial_fill(pb, &m) != CMPCT_OK) {
		blocktxn_msg_free(&m);
		drop_partial(p);
		peer_misbehaving(p,
		    "invalid compact block/non-matching block "
		    "transactions");
		peer_maybe_punish(p);
		return H_OK;
	}
	blocktxn_msg_free(&m);
	rc = submit(n, p, pb);
	if (rc == H_RETRY)
		return H_RETRY;
	if (rc == CMPCT_FAILED)
		fall_back(n, p, pb->hash, p->cmpct.partial_height);
	else
		n->cmpct->stats.via_blocktxn++;
	drop_partial(p);
	return H_OK;
}

/* ---- serving ---- */

static void
send_blocktxn(struct peer *p, const struct block *b,
    const struct blocktxn_req *q)
{
	struct wbuf w;
	size_t i;

	for (i = 0; i < q->n; i++)
		if (q->idx[i] >= b->tx_count) {
			peer_misbehaving(p,
			    "getblocktxn with out-of-bounds tx "
			    "indices");
			peer_maybe_punish(p);
			return;
		}
	wbuf_init(&w);
	wbuf_put(&w, q->hash, 32);
	wbuf_put_compact(&w, q->n);
	for (i = 0; i < q->n; i++)
		tx_serialize(&b->txs[q->idx[i]], &w, 1);
	peer_send_wbuf(p, MT_BLOCKTXN, &w);
	wbuf_free(&w);
}

int
cmpct_on_getblocktxn(struct peer *p, struct rbuf *r)
{
	struct net *n = p->net;
	struct block_index_entry e;
	struct blocktxn_req q;
	struct store_rtxn *t;
	const uint8_t *raw;
	struct block b;
	size_t len;
	char hex[65];
	int rc;

	if (getblocktxn_parse(r, &q) != 0)
		return H_MALFORMED;
	t = sync_rtxn(n);
	/* The block announced before it was connected: from memory. */
	if ((rc = blockserve_recent(n->sync, t, q.hash, &raw, &len)) != 0) {
		if (rc == 1 && block_parse(raw, len, &b) == 0) {
			send_blocktxn(p, &b, &q);
			block_free(&b);
		}
		store_read_end(t);
		blocktxn_req_free(&q);
		return H_OK;
	}
	if (store_get_index(t, q.hash, &e) != STORE_OK ||
	    !(e.status & BLOCK_HAVE_DATA)) {
		store_read_end(t);
		log_debug(LOG_NET,
		    "Peer %llu sent us a getblocktxn for a block "
		    "we don't have",
		    (unsigned long long)p->id);
		blocktxn_req_free(&q);
		return H_OK;
	}
	if (e.height < sync_tip_height(n) - MAX_BLOCKTXN_DEPTH) {
		store_read_end(t);
		/*
		 * Deeper blocks cost a disk read: the peer gets the whole block,
		 * so that asking costs it as much as us (Core).
		 */
		log_debug(LOG_NET,
		    "Peer %llu sent us a getblocktxn for a block "
		    "> %d deep",
		    (unsigned long long)p->id, MAX_BLOCKTXN_DEPTH);
		sync_serve_block(n, p, q.hash, SERVE_BLOCK_WITNESS);
		blocktxn_req_free(&q);
		return H_OK;
	}
	if (store_get_block(t, q.hash, &raw, &len) != STORE_OK ||
	    block_parse(raw, len, &b) != 0) {
		hash_to_hex(q.hash, hex);
		log_warnx("net: stored block %s cannot be read", hex);
		store_read_end(t);
		blocktxn_req_free(&q);
		return H_OK;
	}
	send_blocktxn(p, &b, &q);
	block_free(&b);
	store_read_end(t);
	blocktxn_req_free(&q);
	return H_OK;
}
