/*
 * Inside transaction relay (txrelay.c, txannounce.c, txrequest.c): the
 * state struct net keeps for it and the functions its three files share.
 * Net thread only, like everything reachable from struct net.
 *
 * The relay mirror is the net thread's copy of what the mempool holds
 * (built from the mempool listener's tx_added / tx_removed): raw bytes and
 * fee rate by txid and by wtxid, in arrival order (which is topological:
 * a child enters the pool only after its parents). It answers getdata and
 * `mempool`, and lets us skip announcements of what we already have.
 */
#ifndef BR_TXRELAY_INT_H
#define BR_TXRELAY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "net/net_int.h"

struct orphanage;
struct htab;

/* Core's timings and limits (net_processing.cpp, txrequest.h). */
#define INBOUND_INVENTORY_BROADCAST_US 5000000LL
#define OUTBOUND_INVENTORY_BROADCAST_US 2000000LL
#define INVENTORY_BROADCAST_TARGET 70 /* 14 per second times 5 s */
#define INVENTORY_BROADCAST_MAX 1000
#define AVG_FEEFILTER_BROADCAST_US (10 * 60 * 1000000LL)
#define MAX_FEEFILTER_CHANGE_DELAY_US (5 * 60 * 1000000LL)
#define MAX_PEER_TX_REQUEST_IN_FLIGHT 100
#define MAX_PEER_TX_ANNOUNCEMENTS 5000
#define NONPREF_PEER_TX_DELAY_US 2000000LL
#define GETDATA_TX_INTERVAL_US 60000000LL
#define MAX_MONEY_SAT 2100000000000000LL
/* Rejected wtxids (and txids of witness-less txs) remembered until the
 * tip changes; Core keeps 120,000 in a rolling bloom filter. */
#define RECENT_REJECTS_MAX 120000
/* Raw copies of transactions at the mempool, kept until its verdict so a
 * missing-inputs one can go to the orphanage. Bounded by count and bytes;
 * past either the oldest copy goes (that transaction cannot become an
 * orphan, as if the orphanage were full). */
#define PENDING_SUB_MAX 8192
#define PENDING_SUB_BYTES (32u * 1000 * 1000)
/* Orphans are swept for expiry once a minute, as Core every 5 minutes. */
#define ORPHAN_SWEEP_US 60000000LL
/* What a peer announced or was sent, per generation (two are kept). */
#define KNOWN_GEN 4096

struct relay_tx {
	uint8_t txid[32]; /* keys of the two tables */
	uint8_t wtxid[32];
	int64_t fee_rate; /* sat/kvB */
	uint64_t seq;	  /* mirror sequence when it arrived */
	uint8_t *raw;	  /* with witness */
	size_t len;
	TAILQ_ENTRY(relay_tx) entry; /* arrival order */
};
TAILQ_HEAD(relay_list, relay_tx);

/* Per peer, allocated on first use (most bench peers never need it). */
struct peer_tx {
	uint8_t (*inv)[32]; /* wtxids to announce, oldest first */
	size_t ninv, invcap;
	uint64_t *known[2]; /* open-addressing sets, [0] current */
	size_t nknown;
	int64_t next_inv_us;	   /* monotonic */
	int64_t next_feefilter_us; /* monotonic, 0: at the next tick */
	int64_t feefilter_sent;	   /* -1: none yet */
	uint64_t last_inv_seq;	   /* mirror sequence at our last inv */
	unsigned send_mempool : 1; /* BIP35 answer due */
	int n_ann;		   /* announcements tracked for it */
	int n_inflight;		   /* our requests it has not answered */
	struct inv *gd;		   /* requests being batched */
	size_t ngd, gdcap;
};

struct txrelay {
	struct net *n;
	struct mempool *mp;
	/* The mirror. */
	struct htab *by_txid, *by_wtxid;
	struct relay_list order;
	uint64_t seq;
	size_t mirror_bytes;
	/* Recent rejects (Core's m_lazy_recent_rejects). */
	struct rejset *rejects;
	/*
	 * Core 28's m_lazy_recent_rejects_reconsiderable: wtxids refused for
	 * their fee rate alone (not fetched or submitted alone again, but
	 * tried with a child from the orphanage), and hashes of 1p1c
	 * packages that failed (not tried again). Both sets are forgotten
	 * when the tip changes.
	 */
	struct rejset *reconsider;
	/* Transactions at the mempool, awaiting its verdict. */
	struct htab *pending;
	struct pending_list *pending_order;
	size_t npending, pending_bytes;
	struct orphanage *orphans;
	int64_t next_orphan_sweep_us;
	/* Announcements and requests (txrequest.c). */
	struct htab *anns;
	int64_t next_inv_inbound_us; /* shared by inbound peers (Core) */
	uint64_t known_k0, known_k1;
};

/* ---- txrelay.c ---- */
struct relay_tx *txrelay_find(struct txrelay *t, const uint8_t hash[32],
    int is_wtxid);
int txrelay_recently_rejected(struct txrelay *t, const uint8_t hash[32]);
int txrelay_reconsiderable(struct txrelay *t, const uint8_t hash[32]);
void txrelay_reconsider_add(struct txrelay *t, const uint8_t hash[32]);
/* Peer state, allocated on first use. */
struct peer_tx *peer_tx_get(struct peer *p);
/* Core's RejectIncomingTxs: block-relay/feeler, or -blocksonly without relay. */
int txrelay_rejects_incoming(const struct peer *p);

/* ---- txannounce.c ---- */
void txann_queue(struct net *n, const struct relay_tx *rt, uint64_t from_peer);
void txann_known_add(struct net *n, struct peer *p, const uint8_t hash[32]);
int txann_known_has(struct net *n, struct peer *p, const uint8_t hash[32]);
/* Trickled invs, the BIP35 answer and feefilter; called by the tick. */
void txann_tick(struct net *n, int64_t now_us);
void txann_peer_free(struct peer_tx *pt);

/* ---- txpackage.c ---- */
/*
 * The mempool refused this transaction (from peer) for its fee rate
 * alone: if a child of it waits in the orphanage, submits the pair as a
 * 1p1c package (Core 28's Find1P1CPackage).
 */
void txpkg_try(struct net *n, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], const uint8_t *raw, size_t len);

/* ---- txrequest.c ---- */
/*
 * Records that p announced hash (a wtxid when is_wtxid); asks p at once
 * when p is ready (preferred, or urgent: an orphan's parent) and nobody
 * else is asked. Requests are batched in p's gd; txreq_flush sends them.
 */
void txreq_announce(struct net *n, struct peer *p, const uint8_t hash[32],
    int is_wtxid, int urgent, int64_t now_us);
void txreq_flush(struct net *n, struct peer *p);
/* We have, or have judged, the transaction: forget every announcement. */
void txreq_forget(struct net *n, const uint8_t hash[32]);
/* p answered notfound: ask another announcer. */
void txreq_notfound(struct net *n, struct peer *p, const uint8_t hash[32],
    int is_wtxid);
int txreq_tracked(struct net *n, const uint8_t hash[32], int is_wtxid);
/* Timeouts and delayed announcements; called by the tick. */
void txreq_tick(struct net *n, int64_t now_us);
void txreq_peer_gone(struct net *n, struct peer *p);
void txreq_free_all(struct txrelay *t);

#endif
