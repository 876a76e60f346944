/*
 * The mempool thread: owns the transaction pool (pool.h) and makes every
 * acceptance and relay decision. Other threads reach it only through its
 * queues and hear from it only through listener callbacks.
 *
 * Queues (both drained by the thread "mempool", control first):
 *   - control (QUEUE_BLOCK): block connected/disconnected notifications
 *     from the validation thread's listener, RPC calls (struct call *,
 *     util/call.h) and template requests from the validation thread. FIFO,
 *     so a template asked for after a block was connected is built after
 *     that block's transactions left the pool. The validation thread may
 *     wait on this queue; the mempool thread never waits on validation.
 *   - transactions (QUEUE_REFUSE, MEMPOOL_TXQ_HWM): raw transactions from
 *     peers, tagged with the peer id. When full the net thread drops the
 *     transaction (it is re-announced or re-requested later).
 *
 * Lock order: the mempool thread takes the validation mutex (through the
 * chainstate's any-thread lookups) and store read transactions, never
 * both while waiting for anything, and holds no lock of its own across a
 * call out. Listener callbacks run on the mempool thread, must not block,
 * and copy what they need into their own thread's queue.
 */
#ifndef BR_MEMPOOL_H
#define BR_MEMPOOL_H

#include <stddef.h>
#include <stdint.h>

struct args;
struct chainparams;
struct store;
struct validation;
struct sigcache;
struct mempool;
struct rpc_error;
typedef struct json_t json_t;

#define MEMPOOL_TXQ_HWM 4096
/* Peer id for transactions from RPC (sendrawtransaction) or mempool.dat. */
#define MEMPOOL_PEER_LOCAL 0
/*
 * The "peer" of a transaction put back in the pool after a reorganisation:
 * listeners mirror it but do not announce it (Core relays only what came
 * from a peer or was submitted locally).
 */
#define MEMPOOL_PEER_REORG UINT64_MAX

/* Why a peer's transaction was refused, for the net thread's decisions. */
enum mempool_reject {
	MEMPOOL_REJ_CONSENSUS = 1,	/* invalid: misbehaving (Core punishes) */
	MEMPOOL_REJ_POLICY,		/* not accepted, not the peer's fault */
	MEMPOOL_REJ_MISSING_INPUTS,	/* orphan: parents listed */
	MEMPOOL_REJ_ALREADY,		/* already have it */
	MEMPOOL_REJ_WITNESS,		/* witness stripped/mutated: forget the wtxid only */
};

/* One pool event for tx_event; pointers valid only during the call. */
struct mempool_tx_event {
	int added;			/* 1 entered, 0 left */
	const uint8_t *txid;
	const uint8_t *raw;		/* added: with witness */
	size_t len;
	int confirmed;			/* left because a block confirmed it */
	uint64_t sequence;		/* Core's mempool sequence number */
};

struct mempool_listener {
	void *arg;
	/*
	 * A transaction entered the pool (from peer_id, MEMPOOL_PEER_LOCAL
	 * or MEMPOOL_PEER_REORG). raw is the serialization with witness, valid
	 * only during the call. fee_rate in sat/kvB (base fee / vsize:
	 * what Core's feefilter compares).
	 */
	void (*tx_added)(void *arg, uint64_t peer_id, const uint8_t txid[32],
	    const uint8_t wtxid[32], int64_t fee_rate, const uint8_t *raw,
	    size_t len);
	/* It left the pool (confirmed, conflict, replaced, evicted, expired). */
	void (*tx_removed)(void *arg, const uint8_t txid[32],
	    const uint8_t wtxid[32], int why);
	/*
	 * A peer's transaction was refused. For MEMPOOL_REJ_MISSING_INPUTS,
	 * parents lists nparents parent txids to ask the peer for.
	 */
	void (*tx_rejected)(void *arg, uint64_t peer_id, const uint8_t txid[32],
	    const uint8_t wtxid[32], enum mempool_reject kind,
	    const char *reason, const uint8_t (*parents)[32], size_t nparents);
	/*
	 * Every addition and removal, confirmations included, in the pool's
	 * order, with Core's mempool sequence number (what ZMQ's "sequence"
	 * topic carries and getrawmempool's mempool_sequence counts). Not
	 * replayed to a listener that registers late. NULL: not wanted.
	 */
	void (*tx_event)(void *arg, const struct mempool_tx_event *e);
};

/*
 * Reads the relay options (policy_init), loads <chaindir>/mempool.dat
 * when -persistmempool, registers with the validation thread for block
 * events and as its block-template source, and starts the thread. 0, or
 * -1 with "Error: ..." logged (a bad relay option).
 */
int mempool_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation *v, struct sigcache *sc,
    struct mempool **out);
/* Finishes the message in hand, writes mempool.dat when -persistmempool, joins. */
void mempool_stop(struct mempool *m);

/* Registers a listener; before the net and rpc threads start. */
void mempool_add_listener(struct mempool *m, const struct mempool_listener *l);

/* A transaction from a peer (bytes copied). 0, QUEUE_EFULL or QUEUE_ECLOSED. */
int mempool_submit_tx(struct mempool *m, uint64_t peer_id,
    const uint8_t *raw, size_t len);

/*
 * Runs an RPC method on the mempool thread: sendrawtransaction,
 * testmempoolaccept, getrawmempool, getmempoolinfo, getmempoolentry,
 * getmempoolancestors, getmempooldescendants, prioritisetransaction,
 * getprioritisedtransactions, savemempool, and the lookups other methods
 * need (see mempool_has_method). Same contract as validation_call.
 */
int mempool_call(struct mempool *m, const char *method, json_t *params,
    json_t **result, struct rpc_error *err, int timeout_ms);
int mempool_has_method(const char *method);

/*
 * The pool's rolling minimum fee rate, floored at -minrelaytxfee, in
 * sat/kvB, for the net thread's feefilter. Any thread (atomic).
 */
int64_t mempool_min_fee_rate(struct mempool *m);
/* Number of transactions in the pool. Any thread (atomic). */
size_t mempool_size(struct mempool *m);

#endif
