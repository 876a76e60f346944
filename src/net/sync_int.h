/*
 * Inside block sync (sync.c, blockdl.c, blockserve.c): the state struct
 * net keeps for it (struct sync, n->sync) and the functions the three
 * files share. Net thread only, like everything reachable from struct net;
 * nothing here is locked. The rest of the net module uses sync.h.
 */
#ifndef BR_NET_SYNC_INT_H
#define BR_NET_SYNC_INT_H

#include <stdint.h>

#include "chain/arith256.h"
#include "net/net_int.h"

#define MAX_BLOCKS_IN_TRANSIT_PER_PEER 16
#define BLOCK_DOWNLOAD_WINDOW 1024
#define BLOCK_STALLING_TIMEOUT_DEFAULT_US 2000000LL
#define BLOCK_STALLING_TIMEOUT_MAX_US 64000000LL
/* Block download timeout, in units of the target spacing (Core). */
#define BLOCK_DOWNLOAD_TIMEOUT_BASE 1.0
#define BLOCK_DOWNLOAD_TIMEOUT_PER_PEER 0.5

struct inflight {
	uint8_t hash[32]; /* map key */
	uint64_t peer_id;
	int32_t height;
	int64_t time_us;
	int historical;	       /* for background validation */
	struct inflight *next; /* the peer's list, oldest first */
};

/* A block at validation, or stored beyond our tip. */
struct blk {
	uint8_t hash[32]; /* map key */
	int32_t height;
	int count;
	unsigned via_cmpct : 1; /* rebuilt from a cmpctblock (not punished) */
};

struct sync {
	struct net *n;
	uint8_t (*hc)[32]; /* best header chain: hc[h] at height h */
	size_t hc_cap;
	int32_t hc_height; /* -1: empty */
	uint32_t hc_gen;   /* bumped when a branch is replaced */
	uint8_t tip[32];
	int32_t tip_height;
	uint8_t tip_work[32]; /* big-endian */
	int64_t tip_time;     /* the tip header's timestamp */
	/*
	 * The tip as of the last tip notice: what the next one announces
	 * from. Not tip itself, which any refresh of the chain (a header batch
	 * done) may already have moved to a block whose notice is still
	 * queued; that notice would then find nothing new to announce.
	 */
	uint8_t announced[32];
	int32_t announced_height; /* -1: none yet, take the tip */
	/*
	 * The last height where the header chain and the active chain agree:
	 * the tip, unless the best headers are on another branch (a reorg to
	 * come), whose blocks are then fetched from here on.
	 */
	int32_t hc_fork;
	int ibd; /* as of the last tip; sync_is_ibd is live */
	/*
	 * The last block announced before it was connected (sync_pow_valid),
	 * kept so that getdata and getblocktxn for it are answered while
	 * validation still holds it (Core's m_most_recent_block).
	 */
	uint8_t *recent_raw;
	size_t recent_len;
	uint8_t recent_hash[32];
	struct htab *inflight; /* hash -> struct inflight */
	struct htab *pending;  /* hash -> struct blk: at validation */
	struct htab *have;     /* hash -> struct blk: stored, above tip */
	int32_t scan_from;     /* no unrequested block below this */
	/*
	 * The same for the blocks below a UTXO snapshot's base that
	 * background validation needs (validation_background_range).
	 */
	int32_t hist_scan;
	int64_t stall_timeout_us;
	int n_preferred; /* handshaked preferred-download peers */
	int n_sync_started;
	/* Low-work headers sync (presync.c): whose progress the log shows. */
	uint64_t presync_best; /* peer id, 0: none */
	uint8_t presync_best_work[32];
	int64_t presync_report_us; /* last progress line */
};

/* ---- sync.c ---- */
/* A read transaction on the store; failing to begin one is fatal. */
struct store_rtxn *sync_rtxn(struct net *n);
/* Re-reads the tip and the best header chain from the store. */
void sync_refresh_chain(struct sync *s, struct store_rtxn *t);
int sync_on_active_chain(struct store_rtxn *t,
    const struct block_index_entry *e);
/* Core's UpdateBlockAvailability: p announced hash. */
void sync_update_availability(struct sync *s, struct store_rtxn *t,
    struct peer *p, const uint8_t hash[32]);
/* Core's ProcessBlockAvailability: an announced block that is now known. */
void sync_process_unknown(struct sync *s, struct store_rtxn *t,
    struct peer *p);
/* Last height where the peer's best branch and our header chain agree, -1. */
int32_t sync_peer_common(struct sync *s, struct store_rtxn *t, struct peer *p);
/*
 * The hash at height want on the branch that ends at (hash, height): 0, or
 * -1 if want is out of range or the walk back leaves the index or is too
 * long (Core's GetAncestor, without its skip list).
 */
int sync_ancestor(struct sync *s, struct store_rtxn *t, const uint8_t hash[32],
    int32_t height, int32_t want, uint8_t out[32]);
/* Whether p has the header hash at height (it told us, or we sent it). */
int sync_peer_has_header(struct sync *s, struct store_rtxn *t, struct peer *p,
    const uint8_t hash[32], int32_t height);

/* ---- blockdl.c ---- */
/*
 * getheaders to p with first (may be NULL) at the head of the locator,
 * then our best header chain from height top down.
 */
void blockdl_send_getheaders(struct net *n, struct peer *p,
    const uint8_t *first, int32_t top);
/*
 * Core's GetAntiDoSWorkThreshold: the tip's work less 144 of its blocks,
 * or the minimum chain work if that is more.
 */
void sync_antidos_threshold(struct sync *s, struct store_rtxn *t,
    struct arith256 *out);
/* Core's CanDirectFetch: our tip is less than 20 block intervals old. */
int sync_can_direct_fetch(struct net *n);
/* The tip moved: stall timeout and stored-block tracking follow it. */
void blockdl_new_tip(struct sync *s);

/* ---- blockserve.c ---- */
/* The tip moved from old: announce the new blocks (or mark ibd announces). */
void blockserve_new_tip(struct net *n, struct store_rtxn *t,
    const uint8_t old[32], int32_t old_height);
/*
 * Whether hash is the block announced before being connected: 1 with its
 * bytes (valid until the next sync_pow_valid) in *raw, *len; -1 if it is
 * but has failed validation since (not to be served); 0 if not.
 */
int blockserve_recent(struct sync *s, struct store_rtxn *t,
    const uint8_t hash[32], const uint8_t **raw, size_t *len);
/* Periodic, per handshaked peer: the initial-download tip announcement. */
void blockserve_tick(struct net *n, struct peer *p);

/* ---- presync.c ---- */
#define PRESYNC_DONE 0	 /* the batch went to the peer's low-work sync */
#define PRESYNC_FAILED 1 /* the sync ended on it: process it as usual */
/* A batch from a peer with a sync on (p->sync.hs). */
int presync_continue(struct net *n, struct peer *p,
    const struct block_header *h, const uint8_t (*hashes)[32], size_t count);
/*
 * A batch that connects at start (read in t): 1 if its chain has too little
 * work to store (ignored, or a low-work sync started), 0 to store it.
 */
int presync_try_low_work(struct net *n, struct peer *p, struct store_rtxn *t,
    const struct block_index_entry *start, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count);
/* Released headers to validation: 0, or -1 while its queue is full. */
int presync_drain(struct net *n, struct peer *p);
/* Ends p's sync, if any, and forgets its progress. */
void presync_drop(struct net *n, struct peer *p);
/* Periodic: headers that waited for validation's queue. */
void presync_tick(struct net *n, struct peer *p);

#endif
