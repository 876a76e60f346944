/*
 * Keeping outbound peers useful, as Core's PeerManager does:
 *
 *  - ConsiderEviction, per outbound peer: one whose best known block has
 *    less work than our tip gets CHAIN_SYNC_TIMEOUT to show a chain as
 *    good as the tip we had when we noticed; then one getheaders from just
 *    below that tip, HEADERS_RESPONSE_TIME to answer, and a disconnect if
 *    it still lags. Up to four full-relay peers that once showed our tip's
 *    work are protected for good, so that an attacker cannot make us drop
 *    all our honest peers at once.
 *  - CheckForStaleTipAndEvictPeers, every 45 s: when our tip has not moved
 *    for three block intervals with nothing in flight, allow one extra
 *    full-relay outbound peer; once initial sync is over, an extra
 *    block-relay-only peer every 5 minutes or so. More peers than the
 *    targets: the extra one that told us least lately of a new block goes,
 *    if it has been connected for 30 s and nothing is in flight from it.
 *
 * Net thread only, like all of struct net.
 */
#include <string.h>

#include "chain/chainparams.h"
#include "net/net_int.h"
#include "net/sync_int.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"

#define CHAIN_SYNC_TIMEOUT (20 * 60)	     /* s */
#define OUTBOUND_PROTECT_MAX 4		     /* full-relay peers kept */
#define STALE_CHECK_INTERVAL (10 * 60)	     /* s, node time */
#define EXTRA_PEER_CHECK_US (45 * 1000000LL) /* the check's period */
#define MINIMUM_CONNECT_TIME 30		     /* s before an extra peer goes */
#define EXTRA_BLOCK_RELAY_INTERVAL (5 * 60)  /* s, mean */

static int
work_cmp(const uint8_t a[32], const uint8_t b[32])
{
	return memcmp(a, b, 32);
}

void
outbound_consider_eviction(struct net *n, struct peer *p, int64_t now)
{
	struct sync *s = n->sync;
	struct peer_chainsync *cs = &p->chainsync;
	int caught_up;

	if (!p->handshaked || p->disconnect || !p->sync.started)
		return;
	/* Protection for the first few full-relay peers with our tip's work. */
	if (p->type == CONN_OUTBOUND_FULL && !cs->protect &&
	    p->sync.has_best && n->n_protected < OUTBOUND_PROTECT_MAX &&
	    work_cmp(p->sync.best_work, s->tip_work) >= 0) {
		log_debug(LOG_NET,
		    "Protecting outbound peer=%llu from eviction",
		    (unsigned long long)p->id);
		cs->protect = 1;
		n->n_protected++;
	}
	if (cs->protect ||
	    (p->type != CONN_OUTBOUND_FULL && p->type != CONN_BLOCK_RELAY))
		return;
	caught_up = p->sync.has_best &&
	    work_cmp(p->sync.best_work, s->tip_work) >= 0;
	if (caught_up) {
		cs->timeout = 0;
		cs->has_work = 0;
		cs->sent_getheaders = 0;
	} else if (cs->timeout == 0 ||
	    (cs->has_work && p->sync.has_best &&
		work_cmp(p->sync.best_work, cs->work) >= 0)) {
		/*
		 * Behind our tip, noticed now, or it reached the tip we
		 * measured it against while we moved on: a new deadline
		 * against the tip of now.
		 */
		cs->timeout = now + CHAIN_SYNC_TIMEOUT;
		memcpy(cs->work, s->tip_work, 32);
		cs->work_height = s->tip_height;
		cs->has_work = 1;
		cs->sent_getheaders = 0;
	} else if (now > cs->timeout) {
		char hex[65];

		if (cs->sent_getheaders) {
			if (p->sync.has_best)
				hash_to_hex(p->sync.best_hash, hex);
			log_info("Outbound peer has old chain, best known "
				 "block = %s, peer=%llu",
			    p->sync.has_best ? hex : "<none>",
			    (unsigned long long)p->id);
			peer_disconnect(p, "outbound peer has old chain");
			return;
		}
		/* One chance to show us its chain, from below that tip. */
		sync_send_getheaders_at(n, p,
		    cs->work_height > 0 ? cs->work_height - 1 : 0);
		log_debug(LOG_NET,
		    "sending getheaders to outbound peer=%llu to verify "
		    "chain work",
		    (unsigned long long)p->id);
		cs->sent_getheaders = 1;
		cs->timeout = now + HEADERS_RESPONSE_TIME;
	}
}

void
outbound_peer_gone(struct net *n, struct peer *p)
{
	if (p->chainsync.protect && n->n_protected > 0)
		n->n_protected--;
	p->chainsync.protect = 0;
}

void
outbound_block_announced(struct net *n, struct peer *p)
{
	(void)n;
	p->last_block_announcement = node_time();
}

/* Whether another full-relay or manual connection reaches p's network. */
static int
other_on_network(struct net *n, const struct peer *p)
{
	enum net_class c = netaddr_class(&p->addr.addr);
	const struct peer *q;

	TAILQ_FOREACH (q, &n->peers, entry)
		if (q != p && !q->disconnect &&
		    (q->type == CONN_OUTBOUND_FULL ||
			q->type == CONN_MANUAL) &&
		    netaddr_class(&q->addr.addr) == c)
			return 1;
	return 0;
}

static int
busy(const struct peer *p, int64_t now)
{
	return now - p->conn_time < MINIMUM_CONNECT_TIME ||
	    p->sync.n_inflight > 0;
}

/* An extra block-relay-only peer: the younger of the two newest goes. */
static void
evict_extra_block_relay(struct net *n, int64_t now)
{
	struct peer *p, *young = NULL, *next = NULL, *victim;

	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->type != CONN_BLOCK_RELAY || p->disconnect)
			continue;
		if (young == NULL || p->id > young->id) {
			next = young;
			young = p;
		} else if (next == NULL || p->id > next->id)
			next = p;
	}
	if (young == NULL || next == NULL)
		return;
	/* The newest brought a block more lately: keep it (Core). */
	victim = young->last_block_time > next->last_block_time ? next : young;
	if (busy(victim, now)) {
		log_debug(LOG_NET,
		    "keeping block-relay-only peer=%llu chosen for eviction "
		    "(connect time: %lld, blocks_in_flight: %d)",
		    (unsigned long long)victim->id,
		    (long long)victim->conn_time, victim->sync.n_inflight);
		return;
	}
	log_debug(LOG_NET,
	    "disconnecting extra block-relay-only peer=%llu (last block "
	    "received at time %lld)",
	    (unsigned long long)victim->id,
	    (long long)victim->last_block_time);
	peer_disconnect(victim, "extra block-relay-only peer");
}

/* An extra full-relay peer: the one that least lately told us of a block. */
static void
evict_extra_full(struct net *n, int64_t now)
{
	struct peer *p, *worst = NULL;

	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->type != CONN_OUTBOUND_FULL || p->disconnect ||
		    !p->handshaked || p->chainsync.protect ||
		    !other_on_network(n, p))
			continue;
		if (worst == NULL ||
		    p->last_block_announcement <
			worst->last_block_announcement ||
		    (p->last_block_announcement ==
			    worst->last_block_announcement &&
			p->id > worst->id))
			worst = p;
	}
	if (worst == NULL)
		return;
	if (busy(worst, now)) {
		log_debug(LOG_NET,
		    "keeping outbound peer=%llu chosen for eviction "
		    "(connect time: %lld, blocks_in_flight: %d)",
		    (unsigned long long)worst->id, (long long)worst->conn_time,
		    worst->sync.n_inflight);
		return;
	}
	log_debug(LOG_NET,
	    "disconnecting extra outbound peer=%llu (last block "
	    "announcement received at time %lld)",
	    (unsigned long long)worst->id,
	    (long long)worst->last_block_announcement);
	peer_disconnect(worst, "extra outbound peer");
	/*
	 * A new peer came since the stale tip was seen: no more extras until
	 * the tip looks stale again.
	 */
	n->try_new_outbound = 0;
}

void
outbound_tick(struct net *n)
{
	struct sync *s = n->sync;
	int64_t now = node_time(), mono = time_mono_micros();

	if (mono < n->next_extra_check_us)
		return;
	n->next_extra_check_us = mono + EXTRA_PEER_CHECK_US;
	if (net_count_type(n, CONN_BLOCK_RELAY) > n->max_block_relay)
		evict_extra_block_relay(n, now);
	if (net_count_type(n, CONN_OUTBOUND_FULL) > n->max_outbound_full)
		evict_extra_full(n, now);
	if (now > n->stale_check_time) {
		if (n->last_tip_update == 0)
			n->last_tip_update = now;
		if (n->network_active && n->use_addrman_outgoing &&
		    n->last_tip_update < now - 3 * n->cp->target_spacing &&
		    htab_count(s->inflight) == 0) {
			log_info(
			    "Potential stale tip detected, will try using "
			    "extra outbound peer (last tip update: %lld "
			    "seconds ago)",
			    (long long)(now - n->last_tip_update));
			n->try_new_outbound = 1;
		} else
			n->try_new_outbound = 0;
		n->stale_check_time = now + STALE_CHECK_INTERVAL;
	}
	if (!n->extra_block_relay && sync_can_direct_fetch(n))
		n->extra_block_relay = 1;
}

int
outbound_extra_wanted(struct net *n, int64_t now, enum conn_type *type)
{
	if (n->try_new_outbound) {
		*type = CONN_OUTBOUND_FULL;
		return 1;
	}
	if (n->extra_block_relay && now > n->next_extra_block_relay) {
		n->next_extra_block_relay = now +
		    EXTRA_BLOCK_RELAY_INTERVAL / 2 +
		    (int64_t)rand_range(EXTRA_BLOCK_RELAY_INTERVAL);
		*type = CONN_BLOCK_RELAY;
		return 1;
	}
	return 0;
}
