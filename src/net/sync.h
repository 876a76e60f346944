/*
 * Block sync's face to the rest of the net module: the state it keeps per
 * peer (struct peer_sync, embedded in struct peer as p->sync) and the calls
 * the other net files make. Included through net_int.h; nothing outside
 * src/net uses it.
 *
 * Block sync is three files: sync.c (our view of the header chain, what
 * each peer has, start-up), blockdl.c (headers-first download: getheaders
 * we send, blocks we request, stalls and timeouts) and blockserve.c
 * (getheaders, getblocks and getdata for blocks answered, new tips
 * announced). Their shared inside is sync_int.h.
 *
 * Ownership: struct peer_sync belongs to block sync and is read and written
 * on the net thread only, like everything reachable from struct net; no
 * lock guards it. Other net files may read it (getpeerinfo, eviction,
 * transaction requests read preferred_download); only msg_handlers.c writes
 * to it, to record what the handshake and sendheaders said
 * (preferred_download, prefers_headers).
 */
#ifndef BR_NET_SYNC_H
#define BR_NET_SYNC_H

#include <stddef.h>
#include <stdint.h>

struct net;
struct peer;
struct sync;
struct inflight;
struct block_header;
struct locator_msg;
struct store_rtxn;
struct block_index_entry;
struct netq_block_done;
struct netq_headers_done;
struct netq_tip;
struct cmpct_block;
struct hdrsync;

struct peer_sync {
	/* What the peer has. */
	uint8_t best_hash[32]; /* best block we know it has */
	int32_t best_height;   /* -1 until known */
	uint8_t best_work[32]; /* big-endian */
	int has_best;
	uint8_t unknown_hash[32]; /* announced, not in our index yet */
	int has_unknown;
	uint8_t cmpct_bad[32]; /* a compact block to punish if its */
	int has_cmpct_bad;     /* header proves valid */
	int32_t
	    common_height;   /* last common block with our header chain, -1 */
	uint32_t common_gen; /* header chain generation it was computed for */

	/* Serving and announcing to it (blockserve.c). */
	uint8_t
	    continuation[32]; /* getblocks: inv the tip when this is asked */
	int has_continuation;
	uint8_t hdr_sent[32];	 /* best header we sent it */
	int32_t hdr_sent_height; /* -1 until then */
	int has_hdr_sent;
	unsigned prefers_headers : 1;  /* it sent sendheaders (BIP130) */
	unsigned sent_sendheaders : 1; /* we sent it sendheaders */
	unsigned ibd_announce : 1;     /* tell it our tip (initial download) */
	int64_t ibd_announce_us;       /* when we last did */

	/* Downloading from it (blockdl.c). */
	unsigned started : 1;		 /* headers sync started with it */
	unsigned preferred_download : 1; /* Core's fPreferredDownload */
	int64_t getheaders_time;      /* node time of the last getheaders, s */
	int headers_pending;	      /* batches at validation */
	unsigned last_batch_full : 1; /* the newest of them had 2,000 */
	struct inflight *inflight;    /* oldest request first */
	int n_inflight;
	int64_t downloading_since_us;
	int64_t stalling_since_us;
	int blocks_pending; /* blocks at validation */

	/* Low-work headers sync with it (presync.c), NULL when none. */
	struct hdrsync *hs;
};

/* Initial values of a new peer's state. */
void sync_peer_init(struct peer_sync *ps);

/* ---- sync.c ---- */
struct sync *sync_new(struct net *n);
void sync_free(struct sync *s);
/* Reads the tip and best header from the store (start-up). */
void sync_load(struct sync *s);
void sync_tip_changed(struct net *n, const struct netq_tip *t);
/*
 * A block at height on our tip, checked but not yet connected: sent at
 * once as a cmpctblock to the high-bandwidth peers that have our tip and
 * not the block (Core's NewPoWValidBlock). The announcement after the
 * connection then skips them.
 */
void sync_pow_valid(struct net *n, int32_t height, const uint8_t *raw,
    size_t len);
/* Tip height, for version messages and stats. */
int32_t sync_tip_height(struct net *n);
/* Initial block download, evaluated now (Core's IsInitialBlockDownload). */
int sync_is_ibd(struct net *n);
/*
 * The tip is within a day's worth of blocks of now by its timestamp (Core's
 * ApproximateBestBlockDepth below NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS):
 * then a pruned peer can serve what we still lack.
 */
int sync_tip_is_recent(struct net *n);

/* ---- blockdl.c ---- */
/* The handshake is done: start headers sync with p if it is a source. */
void sync_peer_handshake(struct net *n, struct peer *p);
void sync_peer_gone(struct net *n, struct peer *p);
int sync_on_headers(struct net *n, struct peer *p,
    const struct block_header *h, size_t count);
int sync_on_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len);
/*
 * sync_on_block for a block rebuilt from p's cmpctblock: if it fails past
 * its header, p is not punished (BIP152 lets it announce unvalidated).
 */
int sync_on_cmpct_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len);
/*
 * A compact block: its header checked and taken as Core takes it, then the
 * block rebuilt (cmpctrelay.c) when Core would try: a block we asked p for,
 * or one that extends our recent tip.
 */
int sync_on_cmpctblock(struct net *n, struct peer *p,
    const struct cmpct_block *cb);
/* Puts hash at height in flight from p (a compact block being rebuilt). */
void sync_mark_inflight(struct net *n, struct peer *p, const uint8_t hash[32],
    int32_t height);
/*
 * getblockfrompeer (net.h, net_req_fetchblock): asks p for block hash (at
 * height) now, in flight from p alone. p has finished its handshake.
 */
void sync_fetch_block(struct net *n, struct peer *p, const uint8_t hash[32],
    int32_t height);
/* Asks p for block hash in full, with witnesses (no bookkeeping). */
void sync_getdata_block(struct peer *p, const uint8_t hash[32]);
void sync_on_block_inv(struct net *n, struct peer *p, const uint8_t hash[32],
    int *want_headers);
void sync_send_getheaders(struct net *n, struct peer *p, int force);
/* A getheaders whose locator starts at height of our header chain. */
void sync_send_getheaders_at(struct net *n, struct peer *p, int32_t height);
void sync_block_done(struct net *n, uint64_t peer_id,
    const struct netq_block_done *d);
void sync_headers_done(struct net *n, uint64_t peer_id,
    const struct netq_headers_done *d);
/* Requests blocks from every peer with free slots. */
void sync_schedule_all(struct net *n);
/* Stall and download timeouts, header timeouts; called by the tick. */
void sync_tick(struct net *n);
/* p's low-work headers presync height, -1 when none (getpeerinfo). */
int32_t presync_height(const struct peer *p);
/* Heights of blocks in flight from p (getpeerinfo). */
size_t sync_inflight_heights(struct peer *p, int32_t *out, size_t max);

/* ---- blockserve.c ---- */
void sync_serve_getheaders(struct net *n, struct peer *p,
    const struct locator_msg *m);
void sync_serve_getblocks(struct net *n, struct peer *p,
    const struct locator_msg *m);
/* How sync_serve_block sends a block. */
#define SERVE_BLOCK_STRIPPED 0 /* MSG_BLOCK: without witnesses */
#define SERVE_BLOCK_WITNESS 1  /* MSG_WITNESS_BLOCK */
#define SERVE_BLOCK_CMPCT 2    /* MSG_CMPCT_BLOCK: compact if recent (Core) */
/* Sends block hash to p. 0, or -1 if not allowed/known. */
int sync_serve_block(struct net *n, struct peer *p, const uint8_t hash[32],
    int how);
/*
 * Core's BlockRequestAllowed: whether a peer may be shown block e (on the
 * active chain, or a fully validated block less than a month off it).
 */
int sync_block_request_allowed(struct net *n, struct store_rtxn *t,
    const struct block_index_entry *e);

#endif
