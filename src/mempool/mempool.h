/*
 * The mempool thread: owns the transaction pool (pool.h) and makes every
 * acceptance and relay decision. Other threads reach it only through its
 * queues and hear from it only through listener callbacks.
 *
 * Queues (both drained by the thread "mempool", control first):
 *   - control (QUEUE_BLOCK): block connected/disconnected notifications
 *     from the validation thread's listener, requests from the rpc
 *     thread (util/request.h, mempool_ask) and template requests from
 *     the validation thread. FIFO, so a template asked for after a
 *     block was connected is built after that block's transactions
 *     left the pool. The validation thread may wait on this queue; the
 *     mempool thread never waits on validation.
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

#include "mempool/fees.h"
#include "util/request.h"

struct args;
struct chainparams;
struct store;
struct validation;
struct sigcache;
struct mempool;
struct outpoint;

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
	MEMPOOL_REJ_CONSENSUS = 1,  /* invalid: misbehaving (Core punishes) */
	MEMPOOL_REJ_POLICY,	    /* not accepted, not the peer's fault */
	MEMPOOL_REJ_MISSING_INPUTS, /* orphan: parents listed */
	MEMPOOL_REJ_ALREADY,	    /* already have it */
	MEMPOOL_REJ_WITNESS, /* witness stripped/mutated: forget the wtxid only */
	/*
	 * Core's TX_RECONSIDERABLE: its fee rate alone was too low; a child
	 * in the orphanage may pay for it as a 1p1c package.
	 */
	MEMPOOL_REJ_RECONSIDERABLE,
};

/* One pool event for tx_event; pointers valid only during the call. */
struct mempool_tx_event {
	int added; /* 1 entered, 0 left */
	const uint8_t *txid;
	const uint8_t *raw; /* added: with witness */
	size_t len;
	int confirmed;	   /* left because a block confirmed it */
	uint64_t sequence; /* Core's mempool sequence number */
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
	void (*tx_rejected)(void *arg, uint64_t peer_id,
	    const uint8_t txid[32], const uint8_t wtxid[32],
	    enum mempool_reject kind, const char *reason,
	    const uint8_t (*parents)[32], size_t nparents);
	/*
	 * Every addition and removal, confirmations included, in the pool's
	 * order, with Core's mempool sequence number (what ZMQ's "sequence"
	 * topic carries and getrawmempool's mempool_sequence counts). Not
	 * replayed to a listener that registers late. NULL: not wanted.
	 */
	void (*tx_event)(void *arg, const struct mempool_tx_event *e);
	/*
	 * A package from peers (mempool_submit_package) was refused as a
	 * whole; its members' own verdicts come as tx_added / tx_rejected
	 * (a member missing inputs is not reported). wtxids in package
	 * order. NULL: not wanted.
	 */
	void (*package_rejected)(void *arg, const uint8_t (*wtxids)[32],
	    size_t n);
	/*
	 * The pool is done with one message from mempool_submit_tx (peer_id
	 * as submitted) or mempool_submit_package (peer_id: peers[0], the
	 * parent's sender), after every other call that message caused. One
	 * per message taken from the queue, none for messages dropped at
	 * shutdown: what lets net process a peer's messages in order.
	 * NULL: not wanted.
	 */
	void (*tx_done)(void *arg, uint64_t peer_id);
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
int mempool_submit_tx(struct mempool *m, uint64_t peer_id, const uint8_t *raw,
    size_t len);

/*
 * A 1p1c package from peers (Core 28's package relay): parent raws[0]
 * from peers[0], child raws[1] from peers[1] (bytes copied). Evaluated as
 * submitpackage does; listeners hear each member's verdict, tagged with
 * its sender, and package_rejected if the package failed. 0,
 * QUEUE_EFULL or QUEUE_ECLOSED.
 */
int mempool_submit_package(struct mempool *m, const uint64_t peers[2],
    const uint8_t *const raws[2], const size_t lens[2]);

/* ---- Requests served for the rpc thread ---- */

/*
 * Each request below is a request_fn (util/request.h) that runs on the
 * mempool thread against the pool; the rpc thread asks with mempool_ask
 * and formats the answer. Inputs and outputs are plain structs: what an
 * input points to belongs to the request once asked (freed by the in_free
 * named with it); what an output points to belongs to the caller after a
 * successful mempool_ask (released by the out_free named with it).
 * Failures carry one of these statuses and Core's message (for
 * MEMPOOL_E_INVALID and MEMPOOL_E_REJECTED, Core's state string: the
 * reject reason, then ", " and the details if any).
 */
enum mempool_status {
	MEMPOOL_E_NOT_FOUND = 1, /* the transaction is not in the pool */
	MEMPOOL_E_IN_CHAIN,	 /* its outputs are in the UTXO set */
	MEMPOOL_E_INVALID,	 /* missing inputs, or our failure */
	MEMPOOL_E_REJECTED,	 /* refused by policy or consensus */
	MEMPOOL_E_MAX_FEE,	 /* the fee is over the caller's maximum */
	MEMPOOL_E_STORE,	 /* a store read failed */
	MEMPOOL_E_DUST,		 /* prioritisation of a tx with dust outputs */
	MEMPOOL_E_NOT_LOADED,	 /* mempool.dat not loaded yet */
	MEMPOOL_E_DUMP,		 /* mempool.dat could not be written */
	MEMPOOL_E_IMPORT,	 /* importmempool: the file did not load */
	MEMPOOL_E_PARAM,	 /* a bad parameter (Core's -8 message) */
	MEMPOOL_E_NO_ESTIMATOR,	 /* -blocksonly: no fee estimator */
};

/*
 * Pushes a request for fn onto the control queue and waits up to
 * timeout_ms: 0 with *out (outlen bytes) filled, or -1 with *err
 * (REQUEST_E_UNAVAILABLE when the thread is stopping, REQUEST_E_TIMEOUT,
 * or a mempool_status). in (inlen bytes) is copied and what it points to
 * is the request's from here on, whatever the outcome. Any thread but the
 * mempool thread.
 */
int mempool_ask(struct mempool *m, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), int timeout_ms, struct request_error *err);

/* A transaction's place in the pool, as getmempoolentry shows it. */
struct mempool_entry {
	uint8_t txid[32], wtxid[32];
	int64_t vsize;
	int64_t weight;
	int64_t time;	/* entered the pool, node time */
	int32_t height; /* tip height then */
	int64_t desc_count, desc_size, anc_count, anc_size;
	int64_t fee, modified_fee, anc_fees, desc_fees; /* satoshis */
	int bip125_replaceable;
	/*
	 * In-pool parents, once each, in the order of their hex (Core's
	 * std::set<std::string>), and in-pool children in txid byte order
	 * (Core's set of entries). Owned by the entry; NULL when n is 0 or
	 * when the request did not ask for them.
	 */
	uint8_t (*depends)[32];
	size_t ndepends;
	uint8_t (*spentby)[32];
	size_t nspentby;
};

/* A list of entries; mempool_entries_free releases it. */
struct mempool_entries {
	struct mempool_entry *v;
	size_t n;
	uint64_t sequence; /* mempool_req_list: Core's mempool_sequence */
};
void mempool_entries_free(void *entries);
void mempool_entry_free(void *entry);

/*
 * mempool_req_list: every entry in Core's getrawmempool order (fewer
 * ancestors first, then higher modified fee rate, then higher txid).
 * in: struct mempool_list_in; out: struct mempool_entries.
 */
struct mempool_list_in {
	int full; /* fill every field, depends and spentby too; 0: txids only */
};
void mempool_req_list(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_entry: one entry. in: struct mempool_txid_in; out: struct
 * mempool_entry (mempool_entry_free). MEMPOOL_E_NOT_FOUND.
 */
struct mempool_txid_in {
	uint8_t txid[32];
};
void mempool_req_entry(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_relatives: the in-pool ancestors (up) or descendants of a
 * pool transaction, itself excluded, in txid byte order. in: struct
 * mempool_relatives_in; out: struct mempool_entries (txids only unless
 * full). MEMPOOL_E_NOT_FOUND.
 */
struct mempool_relatives_in {
	uint8_t txid[32];
	int up;
	int full;
};
void mempool_req_relatives(void *m, void *in, void *out, struct request *r);

/* mempool_req_info: no input; out: struct mempool_info (owns nothing). */
struct mempool_info {
	int loaded;	    /* the mempool.dat load attempt finished */
	size_t size;	    /* transactions */
	int64_t bytes;	    /* sum of vsizes */
	size_t usage;	    /* memory */
	int64_t total_fee;  /* satoshis, base fees */
	size_t max_mempool; /* bytes */
	int64_t min_fee;    /* sat/kvB, at least min_relay_fee */
	int64_t min_relay_fee, incremental_relay_fee; /* sat/kvB */
	int permit_bare_multisig;
	size_t max_datacarrier; /* 0 when -datacarrier=0 */
};
void mempool_req_info(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_send: sendrawtransaction after the rpc thread's own checks
 * (decoding, maxburnamount). in: struct mempool_send_in (raw freed with
 * mempool_send_in_free); out: struct mempool_send_out (owns nothing).
 * MEMPOOL_E_IN_CHAIN, _STORE, _INVALID, _REJECTED, _MAX_FEE. A
 * transaction already in the pool succeeds.
 */
struct mempool_send_in {
	uint8_t *raw; /* with witness */
	size_t len;
	uint8_t txid[32]; /* the transaction's, and its output count */
	uint32_t nout;
	int check_fee;	 /* refuse a fee above max_fee */
	int64_t max_fee; /* satoshis */
};
struct mempool_send_out {
	uint8_t txid[32];
};
void mempool_send_in_free(void *in);
void mempool_req_send(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_test: testmempoolaccept for one transaction or a package
 * (parents first); nothing is added. in: struct mempool_test_in (freed
 * with mempool_test_in_free); out: struct mempool_test_out (freed with
 * mempool_test_out_free), one row per transaction in input order.
 */
struct mempool_test_in {
	uint8_t **raws;
	size_t *lens;
	size_t n;
};
struct mempool_test_row {
	uint8_t txid[32], wtxid[32];
	int checked; /* 0: not reached (the package stopped earlier) */
	int allowed;
	int missing_inputs;	   /* refused as an orphan */
	int64_t vsize, fee;	   /* allowed */
	int64_t effective_feerate; /* allowed: sat/kvB */
	char reason[96];	   /* refused: Core's reject reason */
	char details[400];	   /* refused: Core's state string */
};
struct mempool_test_out {
	struct mempool_test_row *rows;
	size_t n;
	int package_failed; /* the package as a whole was refused */
	char package_reason[320]; /* Core's package state string */
};
void mempool_test_in_free(void *in);
void mempool_test_out_free(void *out);
void mempool_req_test(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_package: submitpackage after the rpc thread's own checks
 * (decoding, maxburnamount, topology). in: struct mempool_package_in
 * (freed with mempool_package_in_free); out:
 * struct mempool_package_out (mempool_package_out_free), one row per
 * transaction in input order. What entered the pool is relayed.
 */
struct mempool_package_in {
	struct mempool_test_in txs; /* the package, in order */
	int64_t max_feerate;	    /* sat/kvB; 0: no limit */
};
enum mempool_package_kind {
	MEMPOOL_PKG_NONE = 0,	   /* no result (Core: "unevaluated") */
	MEMPOOL_PKG_VALID,	   /* entered now */
	MEMPOOL_PKG_IN_POOL,	   /* was there already */
	MEMPOOL_PKG_OTHER_WITNESS, /* its txid is there, other witness */
	MEMPOOL_PKG_INVALID,
};
struct mempool_package_row {
	int kind; /* enum mempool_package_kind */
	uint8_t txid[32], wtxid[32];
	uint8_t other_wtxid[32];   /* OTHER_WITNESS */
	int64_t vsize, fee;	   /* VALID, IN_POOL (base fee, satoshis) */
	int64_t effective_feerate; /* VALID: sat/kvB */
	uint8_t (*includes)[32];   /* VALID: wtxids in that rate */
	size_t nincludes;
	uint8_t (*replaced)[32]; /* VALID: txids it replaced */
	size_t nreplaced;
	char error[400]; /* INVALID: Core's state string */
};
struct mempool_package_out {
	int failed;    /* package_msg is not "success" */
	int internal;  /* Core's PCKG_MEMPOOL_ERROR */
	char msg[520]; /* Core's package state string: reason, debug */
	struct mempool_package_row *rows;
	size_t n;
};
void mempool_package_in_free(void *in);
void mempool_package_out_free(void *out);
void mempool_req_package(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_prioritise: adds delta satoshis to a transaction's modified
 * fee (in the pool or not yet). in: struct mempool_prioritise_in; no
 * output. MEMPOOL_E_DUST.
 */
struct mempool_prioritise_in {
	uint8_t txid[32];
	int64_t delta;
};
void mempool_req_prioritise(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_deltas: every prioritisation, in the pool's order. No
 * input; out: struct mempool_deltas (mempool_deltas_free).
 */
struct mempool_delta {
	uint8_t txid[32];
	int64_t delta;
	int in_pool;
	int64_t modified_fee; /* in_pool */
};
struct mempool_deltas {
	struct mempool_delta *v;
	size_t n;
};
void mempool_deltas_free(void *deltas);
void mempool_req_deltas(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_import: importmempool. in: struct mempool_import_in
 * (mempool_import_in_free); no output. MEMPOOL_E_NOT_LOADED,
 * MEMPOOL_E_IMPORT.
 */
struct mempool_load_opts {
	int use_current_time; /* entry times are now, not the file's */
	int apply_fee_delta; /* take the file's prioritisetransaction deltas */
	int apply_unbroadcast; /* take the file's unbroadcast set */
};
struct mempool_import_in {
	char *path; /* xmalloc'd */
	struct mempool_load_opts opts;
};
void mempool_req_import(void *m, void *in, void *out, struct request *r);
void mempool_import_in_free(void *in);

/*
 * mempool_req_save: writes mempool.dat. No input; out: struct
 * mempool_save_out (owns nothing). MEMPOOL_E_NOT_LOADED, MEMPOOL_E_DUMP.
 */
struct mempool_save_out {
	char path[4096];
};
void mempool_req_save(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_mockforward: mockscheduler. The mempool thread's scheduled
 * work (Core's scheduler tasks: the hourly write of fee_estimates.dat)
 * comes in (int64_t) microseconds sooner, and what is now due runs before
 * the answer. No output; never fails.
 */
void mempool_req_mockforward(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_tx: a pool transaction's serialization with witness. in:
 * struct mempool_txid_in; out: struct mempool_tx_out (mempool_tx_out_free).
 * Not in the pool: raw NULL, not a failure.
 */
struct mempool_tx_out {
	uint8_t *raw;
	size_t len;
};
void mempool_tx_out_free(void *out);
void mempool_req_tx(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_outpoints: what the pool says of each outpoint, for
 * gettxout and /rest/getutxos (a spent one is gone, one created is
 * there), gettxspendingprevout (the spender) and the raw transaction
 * signers (the output as Core's CCoinsViewMemPool shows it: spends inside
 * the pool do not hide it). in: struct mempool_outpoints_in (ops freed
 * with mempool_outpoints_in_free); out: struct mempool_outpoints_out, one
 * row per outpoint in order (mempool_outpoints_out_free).
 */
struct mempool_outpoints_in {
	struct outpoint *ops;
	size_t n;
};
struct mempool_outpoint_row {
	int spent;	     /* a pool transaction spends it: */
	uint8_t spender[32]; /* that transaction's txid */
	int tx_in_pool;	     /* a pool transaction has its txid */
	int has_output;	     /* and that output: */
	int64_t value;
	uint8_t *script; /* owned by the row */
	size_t script_len;
};
struct mempool_outpoints_out {
	struct mempool_outpoint_row *rows;
	size_t n;
};
void mempool_outpoints_in_free(void *in);
void mempool_outpoints_out_free(void *out);
void mempool_req_outpoints(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_fee_smart: estimatesmartfee. in: struct
 * mempool_fee_smart_in (mode_ok 0: the caller could not parse the mode,
 * refused after the target, in Core's order); out: struct
 * mempool_fee_smart_out (owns nothing). MEMPOOL_E_PARAM,
 * MEMPOOL_E_NO_ESTIMATOR.
 */
struct mempool_fee_smart_in {
	int target;
	int mode_ok;
	int conservative;
};
struct mempool_fee_smart_out {
	int64_t
	    rate;   /* sat/kvB, 0: no estimate; at least the pool's minimum */
	int blocks; /* the target answered */
};
void mempool_req_fee_smart(void *m, void *in, void *out, struct request *r);

/*
 * mempool_req_fee_raw: estimaterawfee. in: struct mempool_fee_raw_in; out:
 * struct mempool_fee_raw_out (owns nothing), one row per horizon that
 * tracks the target, short first. MEMPOOL_E_PARAM, MEMPOOL_E_NO_ESTIMATOR.
 */
struct mempool_fee_raw_in {
	int target;
	double threshold; /* refused outside [0, 1] */
};
struct mempool_fee_horizon {
	enum fees_horizon horizon;
	int64_t rate; /* sat/kvB, 0: none met the threshold */
	struct fees_result res;
};
struct mempool_fee_raw_out {
	int n;
	struct mempool_fee_horizon h[FEES_NHORIZONS];
};
void mempool_req_fee_raw(void *m, void *in, void *out, struct request *r);

/*
 * The pool's rolling minimum fee rate, floored at -minrelaytxfee, in
 * sat/kvB, for the net thread's feefilter. Any thread (atomic).
 */
int64_t mempool_min_fee_rate(struct mempool *m);
/* Number of transactions in the pool. Any thread (atomic). */
size_t mempool_size(struct mempool *m);

#endif
