/*
 * The validation thread: the only writer of the chainstate. It consumes
 * blocks and headers from its queue (from the network with a peer id, from
 * RPC, from -loadblock import) and answers through listener callbacks.
 *
 * CONTRACT (used by net and rpc): the signatures below are fixed; the
 * implementer adds what it needs.
 *
 * Listener callbacks run on the validation thread. They must not block or
 * take other modules' locks: they copy what they need into the receiving
 * thread's own queue and return.
 */
#ifndef BR_VALIDATION_H
#define BR_VALIDATION_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"

struct store;
struct chainparams;
struct validation;

/* Outcome of a submitted block or header batch. */
enum val_result {
	VAL_OK = 0,		/* accepted (block: stored, maybe connected) */
	VAL_DUPLICATE = 1,	/* already known and valid */
	VAL_ORPHAN = 2,		/* parent unknown: the peer should send headers first */
	VAL_INVALID = -1,	/* consensus-invalid: the sender misbehaved */
	VAL_ERROR = -2,		/* our own failure (store); not the sender's fault */
};

struct validation_listener {
	void *arg;
	void (*block_done)(void *arg, uint64_t peer_id, const uint8_t hash[32],
	    enum val_result res, const char *reason);
	/* last: hash of the last header of the batch that was accepted. */
	void (*headers_done)(void *arg, uint64_t peer_id, enum val_result res,
	    const char *reason, const uint8_t last[32]);
	void (*tip_changed)(void *arg, const uint8_t hash[32], int32_t height,
	    int initial_download);
	/*
	 * Additions for the mempool (NULL members are skipped). A block
	 * joined or left the active chain at height: called right after the
	 * write transaction that connected or disconnected it committed, in
	 * chain order (a reorg: disconnections from the old tip down, then
	 * the new branch upwards). raw is the block with witness, valid only
	 * during the call. reorg_done follows an activation step (or an
	 * invalidateblock) that disconnected blocks, once the new branch is
	 * connected, before tip_changed.
	 */
	void (*block_connected)(void *arg, const uint8_t *raw, size_t len,
	    int32_t height);
	void (*block_disconnected)(void *arg, const uint8_t *raw, size_t len,
	    int32_t height);
	void (*reorg_done)(void *arg);
};

/* Queue a block; the bytes are copied. 0, or QUEUE_EFULL/QUEUE_ECLOSED. */
int validation_submit_block(struct validation *v, uint64_t peer_id,
    const uint8_t *raw, size_t len);
/* Queue a batch of headers (at most 2000); copied. */
int validation_submit_headers(struct validation *v, uint64_t peer_id,
    const struct block_header *hdrs, size_t n);
/* Registers a listener; call before the net and rpc threads start. */
void validation_add_listener(struct validation *v,
    const struct validation_listener *l);
struct args;
struct rpc_error;
typedef struct json_t json_t;

/*
 * Loads the block index from the store, connects genesis on a new store,
 * starts the thread (named "validation") and the -loadblock import.
 */
int validation_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation **out);
/* Finishes the block in hand, commits, joins the thread. */
void validation_stop(struct validation *v);
/*
 * Runs an RPC method on the validation thread (generatetoaddress,
 * submitblock, invalidateblock, ...): see util/call.h. params is a JSON
 * array; on success *result is owned by the caller.
 */
int validation_call(struct validation *v, const char *method, json_t *params,
    json_t **result, struct rpc_error *err, int timeout_ms);

/* Initial block download as Core (tip older than 24 h of node time, or below minimum chain work). */
int validation_is_initial_download(struct validation *v);

/*
 * ---- Additions (validation implementation) ----
 *
 * Listener callbacks see peer id VALIDATION_PEER_LOCAL for blocks that
 * came from RPC (submitblock, generate*) or from -loadblock.
 *
 * validation_call serves: generatetoaddress, generatetodescriptor,
 * generateblock, submitblock, submitheader, getblocktemplate,
 * getmininginfo, getnetworkhashps, invalidateblock, reconsiderblock,
 * preciousblock, verifychain, getchaintips, waitfornewblock,
 * waitforblock, waitforblockheight (these answer when their condition
 * holds or their own timeout passes, so pass a timeout_ms above theirs),
 * syncwithvalidationinterfacequeue (a barrier: answered after everything
 * queued before it) and scantxoutset (runs on the calling thread over one
 * store read transaction). Other methods: RPC_METHOD_NOT_FOUND.
 * validation_has_method tells which (any thread).
 *
 * validation_chainstate gives the chainstate core (chainstate.h) for
 * read-only lookups under its mutex (chainstate_tip, chainstate_lookup,
 * chainstate_best_header, chainstate_active_hash); any thread.
 */
#define VALIDATION_PEER_LOCAL 0
int validation_has_method(const char *method);
struct chainstate;
struct chainstate *validation_chainstate(struct validation *v);

/*
 * ---- Additions (mempool wiring) ----
 *
 * validation_start_sc: validation_start with a signature cache (borrowed,
 * must outlive the validation thread; NULL: none) shared with the mempool,
 * so signatures checked at acceptance are not checked again in blocks.
 * Also reads -blockmaxweight and -blockreservedweight (Core's init errors).
 */
struct sigcache;
int validation_start_sc(const struct args *a, const struct chainparams *cp,
    struct store *s, struct sigcache *sc, struct validation **out);

/*
 * Removes every listener registered with arg and returns once no
 * callback of theirs is running or will run. Any thread but the
 * validation thread (it waits for the callbacks in flight).
 */
void validation_remove_listener(struct validation *v, void *arg);

/*
 * The block template source: the mempool, asked by the validation thread
 * when it assembles a block (generatetoaddress, generatetodescriptor,
 * getblocktemplate), looks up transactions by txid (generateblock), or
 * counts them (getmininginfo's pooledtx).
 */
enum template_mode {
	TEMPLATE_SELECT,	/* the best transactions within the budget */
	TEMPLATE_LOOKUP,	/* exactly txids, in order (raw NULL: not there) */
	TEMPLATE_COUNT,		/* only pool_size */
};

struct template_request {
	enum template_mode mode;
	size_t max_weight;		/* SELECT: coinbase's share taken out */
	int64_t max_sigop_cost;		/* SELECT: same */
	const uint8_t (*txids)[32];	/* LOOKUP */
	size_t ntxids;
};

struct template_tx {
	uint8_t *raw;		/* serialized with witness; xmalloc'd, or NULL */
	size_t len;
	uint8_t txid[32];
	uint8_t wtxid[32];
	int64_t fee;		/* base fee: what the coinbase may claim */
	int64_t sigop_cost;
	size_t weight;
	size_t ndepends;
	uint32_t *depends;	/* 1-based positions of in-template parents */
};

struct template_txs {
	struct template_tx *txs;	/* in block order; xmalloc'd */
	size_t n;
	size_t pool_size;		/* transactions in the pool */
};

/*
 * fn fills *out (zeroed by the caller) and returns when it has, on the
 * validation thread; it may wait for the mempool thread, which never
 * waits for validation. An empty answer is always acceptable (shutdown).
 */
typedef void (*validation_template_fn)(void *arg,
    const struct template_request *req, struct template_txs *out);
/*
 * Sets (fn non-NULL) or clears the source. Clearing returns once no call
 * of the old source is running, so its arg may be freed then. Any thread
 * but the validation thread.
 */
void validation_set_template_source(struct validation *v,
    validation_template_fn fn, void *arg);
void template_txs_free(struct template_txs *t);

/*
 * ---- Additions (indexes kept in the store) ----
 *
 * validation_write runs fn(w, arg) inside a write transaction on the
 * validation thread, for an index whose data lives in the store but is
 * computed on its own thread (the block filter index): the validation
 * thread stays the store's only writer. The transaction commits when fn
 * returns 0 and is aborted otherwise; fn may run more than once (the map
 * was full: aborted, grown, run again), so it only writes through w and
 * keeps no state between runs. The caller waits for the answer: fn's
 * code, a store code, or QUEUE_ECLOSED / QUEUE_EFULL when validation is
 * stopping or its call queue is full (nothing was written). Any thread but
 * the validation thread, holding no store transaction. Jobs share the RPC
 * call queue, so they are served between blocks.
 */
struct store_wtxn;
typedef int (*validation_write_fn)(struct store_wtxn *w, void *arg);
int validation_write(struct validation *v, validation_write_fn fn,
    void *arg);

/*
 * ---- Additions (assumeutxo: assumeutxo.c, background.c; doc/assumeutxo.md) ----
 *
 * validation_load_snapshot is Core's ActivateSnapshot for loadtxoutset.
 * m is the snapshot's metadata, coins the file's bytes after it. On the
 * calling RPC worker it checks the snapshot against the chain parameters'
 * assumeutxo table and the block index, loads the coins into the store's
 * second chainstate and checks their hash; then the validation thread
 * makes that chainstate the followed one (tip: the base block) and starts
 * background validation of the old one, on its own thread, from where it
 * was up to the base block. mempool_size: the mempool's size when called
 * (Core refuses a non-empty mempool). 0 with *out, or -1 with Core's
 * message in err (what follows "Unable to load UTXO snapshot: "); nothing
 * of a refused snapshot stays in the store. Any thread but the validation
 * thread, holding no store transaction; one load at a time.
 */
struct rbuf;
struct snapshot_meta;
struct snapshot_load_result {
	uint64_t coins;
	uint8_t base_hash[32];		/* internal order */
	int32_t base_height;
};
int validation_load_snapshot(struct validation *v,
    const struct snapshot_meta *m, struct rbuf *coins, size_t mempool_size,
    struct snapshot_load_result *out, char *err, size_t errlen);

/* getchainstates: the chainstates, the background one first. Any thread. */
struct chainstate_info {
	int32_t height;
	uint8_t tip[32];		/* internal order */
	uint64_t chain_tx;
	uint32_t bits;
	uint32_t time;
	int from_snapshot;		/* snapshot_base is set */
	uint8_t snapshot_base[32];
	int validated;
	uint64_t coins_db_cache_bytes;
	uint64_t coins_tip_cache_bytes;
};
struct chainstates_info {
	int32_t headers;		/* the best header's height, -1: none */
	size_t n;			/* 1 or 2 */
	struct chainstate_info cs[2];
};
void validation_chainstates(struct validation *v,
    struct chainstates_info *out);

/*
 * For the net thread (any thread): while background validation still
 * needs blocks below a snapshot's base, 0 with the height of the first
 * block it needs and the base's; -1 otherwise. validation_snapshot_limited:
 * whether the node lacks the blocks below a snapshot's base (it then
 * offers NODE_NETWORK_LIMITED only, as Core).
 */
int validation_background_range(struct validation *v, int32_t *from,
    int32_t *to);
int validation_snapshot_limited(struct validation *v);

#endif
