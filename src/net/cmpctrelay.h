/*
 * Compact block relay (BIP152, version 2) on the net thread: the sendcmpct
 * exchange, the choice of up to three high-bandwidth peers as Core makes
 * it, rebuilding announced blocks from the relay mirror (txrelay) and a
 * pool of recently evicted, replaced or rejected transactions, getblocktxn
 * and blocktxn both ways. Included through net_int.h; the byte codec is
 * cmpct.h.
 *
 * Ownership: struct peer_cmpct lives in struct peer (p->cmpct), struct
 * cmpctrelay in struct net (n->cmpct); both are read and written on the
 * net thread only, like everything reachable from struct net, and no lock
 * guards them. Block sync (blockdl.c) decides when a compact block is
 * rebuilt and owns the in-flight request; this part rebuilds it.
 */
#ifndef BR_NET_CMPCTRELAY_H
#define BR_NET_CMPCTRELAY_H

#include <stddef.h>
#include <stdint.h>

struct net;
struct peer;
struct rbuf;
struct cmpct_block;
struct cmpct_partial;
struct cmpctrelay;

struct peer_cmpct {
	unsigned provides : 1; /* it sent sendcmpct version 2 */
	unsigned hb_from : 1;  /* it asked us to announce by cmpctblock */
	unsigned hb_to : 1;    /* we asked it to (getpeerinfo bip152_hb_to) */
	struct cmpct_partial *partial; /* waiting for its blocktxn */
	int32_t partial_height;	       /* of that block */
};

/* extra_max: -blockreconstructionextratxn. */
struct cmpctrelay *cmpctrelay_new(size_t extra_max);
void cmpctrelay_free(struct cmpctrelay *c);

/* After verack: offer version 2 compact blocks, low-bandwidth (Core). */
void cmpct_peer_handshake(struct peer *p);
void cmpct_peer_gone(struct net *n, struct peer *p);
int cmpct_on_sendcmpct(struct peer *p, struct rbuf *r);
int cmpct_on_getblocktxn(struct peer *p, struct rbuf *r);
int cmpct_on_blocktxn(struct peer *p, struct rbuf *r);

/*
 * Keeps a copy of a transaction that left the pool or was refused, for
 * rebuilding (Core's vExtraTxnForCompact, a ring of
 * -blockreconstructionextratxn entries).
 */
void cmpct_extra_add(struct net *n, const uint8_t wtxid[32],
    const uint8_t *raw, size_t len);

/*
 * Rebuilds the block of cb, whose header sits at height. wait: p may be
 * asked for what is missing (the request is ours: block sync put or
 * left it in flight from p); else only a rebuild without a round trip is
 * tried. Returns H_OK or H_RETRY (validation's queue is full).
 */
int cmpct_rebuild(struct net *n, struct peer *p, const struct cmpct_block *cb,
    int32_t height, int wait);

/*
 * Core's MaybeSetPeerAsAnnouncingHeaderAndIDs: p just gave us a new block;
 * make it one of our high-bandwidth peers.
 */
void cmpct_maybe_set_hb(struct net *n, struct peer *p);

/* Rebuild counters since start-up (doc/benchmarks.md, getnetworkinfo-free). */
struct cmpct_stats {
	uint64_t received;	/* compact blocks we tried to rebuild */
	uint64_t no_round_trip; /* rebuilt from what we held */
	uint64_t via_blocktxn;	/* needed a getblocktxn */
	uint64_t fell_back;	/* collision or failure: full block asked */
};
void cmpct_get_stats(struct net *n, struct cmpct_stats *out);

#endif
