/*
 * Inside the mempool module: the thread's context and what its files share
 * (mempool.c: thread, queues, listeners, chain events; serve.c: the
 * requests served for the rpc thread; persist.c: mempool.dat; estimate.c:
 * the fee estimator's feeding, file and requests). Nothing
 * outside src/mempool includes this.
 *
 * Everything in struct mempool below "owned by the mempool thread" is
 * touched only by that thread; the atomics are read by any thread.
 */
#ifndef BR_MEMPOOL_INT_H
#define BR_MEMPOOL_INT_H

#include <pthread.h>
#include <stdint.h>

#include "mempool/fees.h"
#include "mempool/mempool.h"
#include "mempool/policy.h"
#include "mempool/pool.h"

struct queue;
struct msg;
struct chainstate;

#define MEMPOOL_MAX_LISTENERS 4

/* Message types on the mempool queues. */
enum mpq_type {
	MPQ_TX = 1,		/* raw tx from a peer (peer_id set) */
	MPQ_REQUEST,		/* struct request * (util/request.h) */
	MPQ_BLOCK_CONNECTED,	/* struct mpq_block, then the raw block */
	MPQ_BLOCK_DISCONNECTED, /* same */
	MPQ_REORG_DONE,		/* the tip settled after disconnections */
	MPQ_TEMPLATE, /* struct mpq_template_req * (validation thread waits) */
	MPQ_REPLAY,   /* size_t listener index: tell it of every entry */
	MPQ_PACKAGE,  /* struct mpq_package, then the raws (txq) */
	MPQ_STOP,
};

struct mpq_block {
	int32_t height;
};

/* Fee-rate bands of the mempool metrics (sat/vB), lower bounds. */
#define MEMPOOL_NBANDS 8

/* A 1p1c package from peers: the two raws follow, parent first. */
struct mpq_package {
	uint64_t peer[2];
	size_t len[2];
};

struct mempool {
	const struct args *args;
	const struct chainparams *cp;
	struct store *store;
	struct validation *v;
	struct chainstate *cs;
	struct sigcache *sigcache;
	struct policy pol;  /* read-only after mempool_start */
	char datpath[4096]; /* <chaindir>/mempool.dat */

	struct queue *ctlq; /* blocks, requests, templates (QUEUE_BLOCK) */
	struct queue *txq;  /* peers' transactions (QUEUE_REFUSE) */
	int band_li[MEMPOOL_NBANDS]; /* fee-rate bands' metric labels */
	pthread_t thread;
	int thread_started;
	int registered; /* listener and template source set */
	int stopping;	/* atomic: mempool_stop has begun */

	struct mempool_listener listeners[MEMPOOL_MAX_LISTENERS];
	size_t nlisteners; /* atomic: appended to, never removed */

	/* Owned by the mempool thread. */
	struct pool *pool;
	uint64_t cur_peer; /* peer of the acceptance in hand, for the hooks */
	int loaded; /* mempool.dat load attempt finished (getmempoolinfo "loaded") */
	int64_t last_expire; /* node time of the last expiry pass */
	struct accept_result
	    scratch;	/* a peer's acceptance (large: not on the stack) */
	int readding;	/* a reorg puts transactions back (limits bypassed) */
	int in_package; /* a package's members are being accepted */

	/* The fee estimator, owned by the mempool thread; NULL with -blocksonly. */
	struct fees *fees;
	char feepath[4096];  /* <chaindir>/fee_estimates.dat */
	/*
	 * When the hourly write of fee_estimates.dat is due, on the monotonic
	 * clock: Core's scheduler task, which mockscheduler brings forward
	 * and setmocktime does not move.
	 */
	int64_t fee_flush_due_us;
	struct fees_block_tx
	    *blkconf; /* the block in hand's confirmed entries */
	size_t nblkconf, capblkconf;

	/*
	 * While a package from peers is in hand: its members' wtxids and
	 * senders, so the hooks tag each with its own peer (pkg_n 0: none).
	 */
	size_t pkg_n;
	uint8_t pkg_wtxid[2][32];
	uint64_t pkg_peer[2];

	/* Atomics (any thread). */
	int64_t min_fee_rate; /* mempool_min_fee_rate() */
	size_t size;	      /* mempool_size() */
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
/*
 * A package through pool_accept_package with the thread's bookkeeping
 * (expiry, atomics). peers (NULL: local) names each member's sender for
 * the listeners; with peers, refusals are told to the listeners too.
 * out is large: allocate it.
 */
enum pkg_state mempool_accept_package(struct mempool *m,
    const uint8_t *const *raws, const size_t *lens, size_t n,
    int64_t max_feerate, const uint64_t *peers, struct pkg_result *out);
/* The MPQ_PACKAGE message from mempool_submit_package (package_relay.c). */
void mempool_handle_package(struct mempool *m, const struct msg *msg);
/* The listener kind for a refusal with code c (Core's TxValidationResult). */
enum mempool_reject mempool_reject_kind(const struct accept_result *r);
/* Core's TxValidationState::ToString: reason, then ", " and the debug text. */
void mempool_state_string(const struct accept_result *a, char *out,
    size_t len);
/* Refreshes the atomics after the pool changed (mempool thread). */
void mempool_publish(struct mempool *m);

/* ---- persist.c: mempool.dat (Core's format, version 2 with its XOR key) ---- */
/* Writes every entry (tx, time, fee delta) and the deltas; 0 or -1 (logged). */
int mempool_dump(struct mempool *m);
/* Loads it at start-up through mempool_accept_local; 0 or -1 (logged, not fatal). */
int mempool_load(struct mempool *m);
/*
 * Loads a file in mempool.dat's format from path (importmempool): each
 * entry is accepted as a local transaction would be. 0, or -1 (logged)
 * when the file cannot be read or parsed; what was accepted before the
 * failure stays.
 */
int mempool_load_file(struct mempool *m, const char *path,
    const struct mempool_load_opts *o);

/* ---- persist_read.c: the file's decoder, on a buffer ---- */
#define MEMPOOL_DAT_VERSION_NO_KEY 1
#define MEMPOOL_DAT_VERSION 2
#define MEMPOOL_DAT_KEY_LEN 8
/* Where obfuscation starts: version, CompactSize, key. */
#define MEMPOOL_DAT_KEY_END (8 + 1 + MEMPOOL_DAT_KEY_LEN)

struct tx;
/*
 * What the decoder hands over, in file order. entry: one transaction (tx
 * parsed, raw its bytes in the buffer), its entry time and fee delta;
 * returns 0, or -1 with *why to stop the load. delta: a fee delta of a
 * transaction not in the file's entries. unbroadcast: a txid of the set.
 */
struct mempool_dat_sink {
	int (*entry)(void *arg, const struct tx *tx, const uint8_t *raw,
	    size_t len, int64_t time, int64_t delta, const char **why);
	void (*delta)(void *arg, const uint8_t txid[32], int64_t delta);
	void (*unbroadcast)(void *arg, const uint8_t txid[32]);
	void *arg;
};
struct mempool_dat_counts {
	uint64_t total; /* the count the file gives */
	uint64_t tried; /* entries read and accepted by the sink */
};
/*
 * Decodes the file's bytes buf[0..len), un-XORing them in place. 0, or -1
 * with *why (a static string) when the file is malformed or the sink
 * stopped; what was handed over before stays handed over.
 */
int mempool_dat_read(uint8_t *buf, size_t len,
    const struct mempool_dat_sink *s, struct mempool_dat_counts *k,
    const char **why);
/* XORs p[0..len), at file offset off, with the key (Core's obfuscation). */
void mempool_dat_xor(uint8_t *p, size_t len, size_t off,
    const uint8_t key[MEMPOOL_DAT_KEY_LEN]);

/* ---- estimate.c: the fee estimator (fees.h) on the mempool thread ---- */
/*
 * Before the thread starts: checks -acceptstalefeeestimates (regtest
 * only), creates the estimator unless -blocksonly and reads
 * fee_estimates.dat. 0, or -1 with "Error: ..." logged.
 */
int mempool_fees_start(struct mempool *m);
/* After the thread ended: counts what waits as left, writes the file, frees. */
void mempool_fees_stop(struct mempool *m);
/* Pool hooks: an entry added; removed (confirmed ones wait for the block). */
void mempool_fees_added(struct mempool *m, const struct pool_entry_info *e);
void mempool_fees_removed(struct mempool *m, const struct pool_entry_info *e,
    enum pool_removal why);
/* After pool_block_connected: the block's confirmations go in. */
void mempool_fees_block(struct mempool *m, int32_t height);
/* Housekeeping: rewrites the file every hour of node time. */
void mempool_fees_tick(struct mempool *m);

#endif
