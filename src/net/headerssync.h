/*
 * Low-work headers sync with one peer (Core's HeadersSyncState): the
 * defence against a peer that fills the block index with cheap headers.
 *
 * A peer whose headers, counted from where they leave our chain, have less
 * work than the anti-DoS threshold (-minimumchainwork, or our tip less 144
 * blocks of work) gets one of these instead of having its headers stored.
 * It runs in two phases:
 *
 *  - PRESYNC: each header is checked only for continuity and a permitted
 *    difficulty change; we keep the last header, the height, the total
 *    work, and one bit (a salted hash of the header) every
 *    commitment_period headers. When the total reaches the threshold we
 *    switch to
 *  - REDOWNLOAD: the peer is asked for the same headers again from the
 *    start. Each one is checked against the bit stored for its height and
 *    buffered (48 bytes: the previous hash is implied). A header leaves the
 *    buffer (is released to be stored) once redownload_buffer_size headers
 *    past it have matched their commitments, or once the redownloaded chain
 *    itself has reached the threshold; from then on everything is released.
 *
 * Any mismatch, a header that does not continue the last one, a difficulty
 * change no valid chain can make, a chain longer than any the clock allows,
 * or a short batch before the end (the peer stopped) ends the sync: the
 * state goes FINAL and the caller drops it. Memory is bounded: the
 * commitment bits by max_commitments (6 blocks a second, the fastest the
 * median-time-past rule allows, from the start's median time past to now
 * plus two hours), the buffer by redownload_buffer_size plus one batch.
 *
 * Pure algorithm: no store, no sockets, no clock (the caller passes the
 * time); one object per peer, owned by the caller (block sync keeps it in
 * struct peer_sync, on the net thread). Not thread-safe.
 */
#ifndef BR_NET_HEADERSSYNC_H
#define BR_NET_HEADERSSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "primitives/block.h"

struct hdrsync;

struct hdrsync_params {
	uint32_t commitment_period;	 /* one bit every this many headers */
	uint32_t redownload_buffer_size; /* headers held back in redownload */
};

/* The block the peer's chain leaves ours at (Core's chain_start). */
struct hdrsync_start {
	struct block_header hdr;
	uint8_t hash[32];
	int32_t height;
	uint8_t chainwork[32]; /* big-endian */
	int64_t mtp;	       /* its median time past */
};

enum hdrsync_state { HDRSYNC_PRESYNC, HDRSYNC_REDOWNLOAD, HDRSYNC_FINAL };

/* What one batch did (Core's ProcessingResult, less the headers). */
struct hdrsync_result {
	int success;	  /* 0: the sync failed on this batch (now FINAL) */
	int request_more; /* ask the peer for more (hdrsync_locator_hash) */
};

/* The parameters for cp's chain (Core 28's values). */
void hdrsync_params_for(const struct chainparams *cp,
    struct hdrsync_params *out);

/*
 * A new sync from start towards min_work (big-endian), at node time now
 * (seconds). salt is 24 random bytes the caller draws: the commitment
 * hash key (16) and the commitment offset (8), so that a peer can neither
 * aim at the bits we keep nor know which heights carry them. cp and the object must
 * outlive it.
 */
struct hdrsync *hdrsync_new(const struct chainparams *cp,
    const struct hdrsync_params *prm, uint64_t peer_id,
    const struct hdrsync_start *start, const uint8_t min_work[32], int64_t now,
    const uint8_t salt[24]);
void hdrsync_free(struct hdrsync *hs);

/*
 * The next batch of count headers from the peer (hashes[i] is the hash of
 * h[i]; the batch is continuous and its proof of work checked by the
 * caller). full: the batch was a full headers message (2000). Headers it
 * makes ready are appended to the ready list (hdrsync_ready). Call only
 * while the state is not FINAL.
 */
void hdrsync_process(struct hdrsync *hs, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count, int full,
    struct hdrsync_result *res);

/*
 * The headers released so far and not yet consumed, oldest first (a
 * continuous chain from the start). Valid until the next call on hs.
 */
const struct block_header *hdrsync_ready(const struct hdrsync *hs,
    size_t *count);
/* The caller has taken the first k ready headers. */
void hdrsync_consume(struct hdrsync *hs, size_t k);

enum hdrsync_state hdrsync_state(const struct hdrsync *hs);
/* The hash the next getheaders' locator starts with. */
void hdrsync_locator_hash(const struct hdrsync *hs, uint8_t out[32]);
/* The start's height (the rest of the locator is ours from there). */
int32_t hdrsync_start_height(const struct hdrsync *hs);
/* Presync progress (kept through redownload): height, work, last time. */
int32_t hdrsync_presync_height(const struct hdrsync *hs);
void hdrsync_presync_work(const struct hdrsync *hs, uint8_t out[32]);
int64_t hdrsync_presync_time(const struct hdrsync *hs);
/* Bytes held now (commitments, buffer, ready list): for the memory bound. */
size_t hdrsync_mem(const struct hdrsync *hs);
/* The most commitments this sync may hold. */
uint64_t hdrsync_max_commitments(const struct hdrsync *hs);

#endif
