/*
 * Inside the mempool module: the thread's context and what its files share
 * (mempool.c: thread, queues, listeners, chain events; serve.c: the
 * requests served for the rpc thread; persist.c: mempool.dat). Nothing
 * outside src/mempool includes this.
 *
 * Everything in struct mempool below "owned by the mempool thread" is
 * touched only by that thread; the atomics are read by any thread.
 */
#ifndef BR_MEMPOOL_INT_H
#define BR_MEMPOOL_INT_H

#include <pthread.h>
#include <stdint.h>

#include "mempool/mempool.h"
#include "mempool/policy.h"
#include "mempool/pool.h"

struct queue;
struct chainstate;

#define MEMPOOL_MAX_LISTENERS 4

/* Message types on the mempool queues. */
enum mpq_type {
	MPQ_TX = 1,		/* raw tx from a peer (peer_id set) */
	MPQ_REQUEST,		/* struct request * (util/request.h) */
	MPQ_BLOCK_CONNECTED,	/* struct mpq_block, then the raw block */
	MPQ_BLOCK_DISCONNECTED,	/* same */
	MPQ_REORG_DONE,		/* the tip settled after disconnections */
	MPQ_TEMPLATE,		/* struct mpq_template_req * (validation thread waits) */
	MPQ_REPLAY,		/* size_t listener index: tell it of every entry */
	MPQ_STOP,
};

struct mpq_block {
	int32_t height;
};

/* Fee-rate bands of the mempool metrics (sat/vB), lower bounds. */
#define MEMPOOL_NBANDS 8

struct mempool {
	const struct args *args;
	const struct chainparams *cp;
	struct store *store;
	struct validation *v;
	struct chainstate *cs;
	struct sigcache *sigcache;
	struct policy pol;		/* read-only after mempool_start */
	char datpath[4096];		/* <chaindir>/mempool.dat */

	struct queue *ctlq;		/* blocks, requests, templates (QUEUE_BLOCK) */
	struct queue *txq;		/* peers' transactions (QUEUE_REFUSE) */
	int band_li[MEMPOOL_NBANDS];	/* fee-rate bands' metric labels */
	pthread_t thread;
	int thread_started;
	int registered;			/* listener and template source set */
	int stopping;			/* atomic: mempool_stop has begun */

	struct mempool_listener listeners[MEMPOOL_MAX_LISTENERS];
	size_t nlisteners;		/* atomic: appended to, never removed */

	/* Owned by the mempool thread. */
	struct pool *pool;
	uint64_t cur_peer;		/* peer of the acceptance in hand, for the hooks */
	int loaded;			/* mempool.dat load attempt finished (getmempoolinfo "loaded") */
	int64_t last_expire;		/* node time of the last expiry pass */
	struct accept_result scratch;	/* a peer's acceptance (large: not on the stack) */

	/* Atomics (any thread). */
	int64_t min_fee_rate;		/* mempool_min_fee_rate() */
	size_t size;			/* mempool_size() */
};

/*
 * Counts an acceptance, or a refusal by Core's reject reason, in the
 * metrics (util/metrics.h). Mempool thread.
 */
void mempool_note_result(enum accept_code code, const struct accept_result *r);
/*
 * Submits a local transaction (RPC, mempool.dat): pool_accept with peer
 * MEMPOOL_PEER_LOCAL, so listeners hear of it (the net thread relays it).
 * Returns r->code.
 */
enum accept_code mempool_accept_local(struct mempool *m, const uint8_t *raw,
    size_t len, int flags, int64_t max_feerate, struct accept_result *r);
/* Refreshes the atomics after the pool changed (mempool thread). */
void mempool_publish(struct mempool *m);

/* ---- persist.c: mempool.dat (Core's format, version 2 with its XOR key) ---- */
/* Writes every entry (tx, time, fee delta) and the deltas; 0 or -1 (logged). */
int mempool_dump(struct mempool *m);
/* Loads it at start-up through mempool_accept_local; 0 or -1 (logged, not fatal). */
int mempool_load(struct mempool *m);

#endif
