/*
 * The validation thread: the only writer of the chainstate. It consumes
 * blocks and headers from its queue (from the network with a peer id, from
 * RPC, from -loadblock import) and answers through listener callbacks.
 *
 * Grouped by object: the thread (start, stop, the chainstate it owns),
 * blocks and headers in, listeners out, block templates (the mempool as
 * source), writes for indexes kept in the store, chainstates and
 * assumeutxo, and the typed requests the rpc thread sends.
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
struct args;

/* ---- The thread ---- */

/*
 * Loads the block index from the store, connects genesis on a new store,
 * starts the thread (named "validation") and the -loadblock import.
 */
int validation_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation **out);
/* Finishes the block in hand, commits, joins the thread. */
void validation_stop(struct validation *v);
/* Initial block download as Core (tip older than 24 h of node time, or below minimum chain work). */
int validation_is_initial_download(struct validation *v);
/* Blocks are being imported (-loadblock) or reindexed: Core's LoadingBlocks. Any thread. */
int validation_is_loading(struct validation *v);

/*
 * validation_start_sc: validation_start with a signature cache (borrowed,
 * must outlive the validation thread; NULL: none) shared with the mempool,
 * so signatures checked at acceptance are not checked again in blocks.
 * Also reads -blockmaxweight and -blockreservedweight (Core's init errors).
 */
struct sigcache;
int validation_start_sc(const struct args *a, const struct chainparams *cp,
    struct store *s, struct sigcache *sc, struct validation **out);
/*
 * validation_start_locks: validation_start_sc with the prune locks of the
 * indexes that will read stored blocks (chainstate.h; -prune with
 * -blockfilterindex), in place before the thread can prune anything.
 * The array is copied. An index finds its lock by name and moves it
 * (any thread): validation_prune_lock_find gives -1 for an unknown name,
 * validation_prune_lock_set ignores id -1.
 */
struct chainstate_prune_lock {
	const char *name; /* the index's name, for the log (copied) */
	int32_t height;	  /* its best block's height, -1 for none */
};
int validation_start_locks(const struct args *a, const struct chainparams *cp,
    struct store *s, struct sigcache *sc,
    const struct chainstate_prune_lock *locks, size_t nlocks,
    struct validation **out);
int validation_prune_lock_find(struct validation *v, const char *name);
void validation_prune_lock_set(struct validation *v, int id, int32_t height);

/*
 * Listener callbacks see peer id VALIDATION_PEER_LOCAL for blocks that
 * came from RPC (submitblock, generate*) or from -loadblock.
 *
 * validation_chainstate gives the chainstate core (chainstate.h) for
 * read-only lookups under its mutex (chainstate_tip, chainstate_lookup,
 * chainstate_best_header, chainstate_active_hash); any thread.
 */
#define VALIDATION_PEER_LOCAL 0
struct chainstate;
struct chainstate *validation_chainstate(struct validation *v);

/* ---- Blocks and headers in ---- */

/* Outcome of a submitted block or header batch. */
enum val_result {
	VAL_OK = 0,	   /* accepted (block: stored, maybe connected) */
	VAL_DUPLICATE = 1, /* already known and valid */
	VAL_ORPHAN =
	    2, /* parent unknown: the peer should send headers first */
	VAL_INVALID = -1, /* consensus-invalid: the sender misbehaved */
	VAL_ERROR = -2,	  /* our own failure (store); not the sender's fault */
};

/* Queue a block; the bytes are copied. 0, or QUEUE_EFULL/QUEUE_ECLOSED. */
int validation_submit_block(struct validation *v, uint64_t peer_id,
    const uint8_t *raw, size_t len);
/* Queue a batch of headers (at most 2000); copied. */
int validation_submit_headers(struct validation *v, uint64_t peer_id,
    const struct block_header *hdrs, size_t n);
/* ---- Listeners ---- */

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
	 * For the mempool (NULL members are skipped). A block
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
	/*
	 * For the net thread: a new block on the tip passed every check but
	 * connection (Core's NewPoWValidBlock); comes before that block's
	 * block_connected and tip_changed, and only out of initial download.
	 * raw is the block with witness, valid only during the call.
	 */
	void (*pow_valid_block)(void *arg, const uint8_t *raw, size_t len,
	    int32_t height);
	/*
	 * A new operator warning (Core's kernel warnings, which run its
	 * -alertnotify): "Unknown new rules activated (versionbit N)". Once
	 * per warning and run; msg valid only during the call.
	 */
	void (*warning)(void *arg, const char *msg);
};

#define VALIDATION_MAX_WARNINGS 4
#define VALIDATION_WARNING_LEN 128
/*
 * The warnings raised so far, oldest first (getblockchaininfo's,
 * getnetworkinfo's and getmininginfo's "warnings"); returns how many were
 * copied into out. Any thread.
 */
int validation_warnings(struct validation *v,
    char out[][VALIDATION_WARNING_LEN], int max);

/* Registers a listener; call before the net and rpc threads start. */
void validation_add_listener(struct validation *v,
    const struct validation_listener *l);
/*
 * Removes every listener registered with arg and returns once no
 * callback of theirs is running or will run. Any thread but the
 * validation thread (it waits for the callbacks in flight).
 */
void validation_remove_listener(struct validation *v, void *arg);

/* ---- Block templates: the mempool as source ---- */

/*
 * The block template source: the mempool, asked by the validation thread
 * when it assembles a block (generatetoaddress, generatetodescriptor,
 * getblocktemplate), looks up transactions by txid (generateblock), or
 * counts them (getmininginfo's pooledtx).
 */
enum template_mode {
	TEMPLATE_SELECT, /* the best transactions within the budget */
	TEMPLATE_LOOKUP, /* exactly txids, in order (raw NULL: not there) */
	TEMPLATE_COUNT,	 /* only pool_size */
};

struct template_request {
	enum template_mode mode;
	size_t max_weight;	    /* SELECT: coinbase's share taken out */
	int64_t max_sigop_cost;	    /* SELECT: same */
	const uint8_t (*txids)[32]; /* LOOKUP */
	size_t ntxids;
};

struct template_tx {
	uint8_t *raw; /* serialized with witness; xmalloc'd, or NULL */
	size_t len;
	uint8_t txid[32];
	uint8_t wtxid[32];
	int64_t fee; /* base fee: what the coinbase may claim */
	int64_t sigop_cost;
	size_t weight;
	size_t ndepends;
	uint32_t *depends; /* 1-based positions of in-template parents */
};

struct template_txs {
	struct template_tx *txs; /* in block order; xmalloc'd */
	size_t n;
	size_t pool_size; /* transactions in the pool */
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

/* ---- Writes for indexes kept in the store ---- */

/*
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
int validation_write(struct validation *v, validation_write_fn fn, void *arg);

/* ---- Chainstates and assumeutxo (doc/assumeutxo.md) ---- */

/*
 * validation_load_snapshot is Core's ActivateSnapshot for loadtxoutset,
 * a request served on the validation thread (the store's only writer)
 * while the caller waits, however long the load takes: the thread reads
 * coins, the file's bytes after the metadata m, until it answers. It
 * checks the snapshot against the chain parameters' assumeutxo table and
 * the block index, loads the coins into the store's second chainstate,
 * checks their hash, makes that chainstate the followed one (tip: the
 * base block) and starts background validation of the old one, on its
 * own thread, from where it was up to the base block. mempool_size: the
 * mempool's size when called (Core refuses a non-empty mempool). 0 with
 * *out, or -1 with Core's message in err (what follows "Unable to load
 * UTXO snapshot: "); nothing of a refused snapshot stays in the store.
 * Any thread but the validation thread, holding no store transaction.
 */
struct rbuf;
struct snapshot_meta;
struct snapshot_load_result {
	uint64_t coins;
	uint8_t base_hash[32]; /* internal order */
	int32_t base_height;
};
int validation_load_snapshot(struct validation *v,
    const struct snapshot_meta *m, struct rbuf *coins, size_t mempool_size,
    struct snapshot_load_result *out, char *err, size_t errlen);

/* getchainstates: the chainstates, the background one first. Any thread. */
struct chainstate_info {
	int32_t height;
	uint8_t tip[32]; /* internal order */
	uint64_t chain_tx;
	uint32_t bits;
	uint32_t time;
	int from_snapshot; /* snapshot_base is set */
	uint8_t snapshot_base[32];
	int validated;
	uint64_t coins_db_cache_bytes;
	uint64_t coins_tip_cache_bytes;
};
struct chainstates_info {
	int32_t headers; /* the best header's height, -1: none */
	size_t n;	 /* 1 or 2 */
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
/*
 * -prune (any thread; fixed at start): validation_prune_target is 0 when
 * off, CHAINSTATE_PRUNE_MANUAL for -prune=1, else the target in bytes;
 * validation_prune_height the lowest height from which the active chain
 * has every block (0: nothing pruned; Core's pruneheight).
 */
uint64_t validation_prune_target(struct validation *v);
int32_t validation_prune_height(struct validation *v);

/*
 * ---- Requests served for the rpc thread ----
 *
 * Each function below sends one typed request (util/request.h) to the
 * validation thread's call queue and waits up to timeout_ms for the
 * answer; requests are served between blocks, in the order they were
 * queued. Inputs are copied (the caller keeps its own); outputs are plain
 * snapshots the caller owns afterwards (free them as noted). Nothing here
 * knows JSON: the rpc module parses parameters and formats the answers.
 *
 * Returns 0 with *out filled, or -1 with *err: err->status is one of the
 * validation statuses below (err->message in Core's words), or
 * REQUEST_E_TIMEOUT (no answer in time; the request may still run), or
 * REQUEST_E_UNAVAILABLE (the call queue is closed or full: nothing ran).
 * Any thread but the validation thread, holding no store transaction.
 */
struct request_error;

enum validation_status {
	VALIDATION_E_NOT_FOUND = 1, /* no such block */
	VALIDATION_E_REFUSED, /* refused as things stand (Core: misc error) */
	VALIDATION_E_REJECTED, /* the block or header is invalid (verify error) */
	VALIDATION_E_FAILED,   /* the block could not be made or accepted */
	VALIDATION_E_SHUTDOWN, /* stopping or halted: nothing ran */
};

/* invalidateblock, reconsiderblock, preciousblock; then the best chain is activated. */
enum validation_mark {
	VALIDATION_INVALIDATE,
	VALIDATION_RECONSIDER,
	VALIDATION_PRECIOUS,
};
/*
 * NOT_FOUND: no such block. REFUSED: invalidating at or below the base
 * of a snapshot still validated in the background. Invalidating the
 * genesis block succeeds and changes nothing, as in Core.
 */
int validation_mark_block(struct validation *v, enum validation_mark how,
    const uint8_t hash[32], int timeout_ms, struct request_error *err);

/*
 * pruneblockchain: prunes the files whose blocks are all at or below
 * height (clamped to tip - 288); *last_pruned is Core's answer, the height
 * of the last block pruned, -1 for none.
 */
int validation_prune_blockchain(struct validation *v, int32_t height,
    int32_t *last_pruned, int timeout_ms, struct request_error *err);

/* verifychain: *ok is whether the check passed. */
int validation_verify_chain(struct validation *v, int level, int nblocks,
    int *ok, int timeout_ms, struct request_error *err);

/*
 * syncwithvalidationinterfacequeue: answered once every block and header
 * batch queued before it has been handled and its listeners called.
 */
int validation_sync(struct validation *v, int timeout_ms,
    struct request_error *err);

/* generatetoaddress, generatetodescriptor: blocks mined on the tip. */
struct validation_generated {
	uint8_t (*hashes)[32]; /* in mining order, internal order; xmalloc'd */
	size_t n;
};
/*
 * Mines up to nblocks blocks paying script, with the mempool's best
 * transactions, trying at most max_tries nonces in all (as Core, -1 is
 * nearly forever); fewer blocks when the tries run out or at shutdown.
 * REFUSED: the assembled block failed TestBlockValidity; FAILED: a block
 * was not accepted.
 */
int validation_generate(struct validation *v, const uint8_t *script,
    size_t script_len, int64_t nblocks, int64_t max_tries,
    struct validation_generated *out, int timeout_ms,
    struct request_error *err);
void validation_generated_free(struct validation_generated *g);

/* generateblock: one entry of its transaction list. */
struct validation_block_tx {
	int is_txid;	  /* txid names a mempool transaction */
	uint8_t txid[32]; /* internal order */
	uint8_t *raw;	  /* else: the transaction, with witness */
	size_t len;
};
struct validation_block_made {
	int missing; /* txs[missing_at] is not in the mempool */
	size_t missing_at;
	int made; /* hash (and raw) hold the block */
	uint8_t hash[32];
	uint8_t *raw; /* submit == 0: the block; xmalloc'd */
	size_t len;
};
/*
 * Mines one block paying script with exactly txs (their raw bytes are
 * copied; each must parse, the caller checked), txids looked up in the
 * mempool in order: the first one missing answers out->missing and makes
 * nothing. complete == 0: the caller's list was cut short at a bad entry,
 * so only the lookups are done (made == 0). Otherwise, submit: the block
 * goes through validation; else it is returned in raw. The fees are left
 * unclaimed, as Core. REJECTED: TestBlockValidity failed; REFUSED: no
 * nonce found; FAILED: not accepted.
 */
int validation_generate_block(struct validation *v, const uint8_t *script,
    size_t script_len, const struct validation_block_tx *txs, size_t ntxs,
    int complete, int submit, struct validation_block_made *out,
    int timeout_ms, struct request_error *err);
void validation_block_made_free(struct validation_block_made *b);

/* What became of a block (submitblock) or a proposal (getblocktemplate). */
enum validation_verdict {
	VALIDATION_ACCEPTED,		   /* valid (Core answers null) */
	VALIDATION_DUPLICATE,		   /* already known and valid */
	VALIDATION_DUPLICATE_INVALID,	   /* known, invalid */
	VALIDATION_DUPLICATE_INCONCLUSIVE, /* known, not fully checked */
	VALIDATION_INCONCLUSIVE,	   /* stored, not (yet) connected */
	VALIDATION_INVALID,		   /* reason says why ("" if none) */
};
struct validation_block_verdict {
	enum validation_verdict verdict;
	char reason[160];
};
/*
 * submitblock: raw holds one block that parses and starts with a coinbase
 * (the caller checked). A witness-committing block whose coinbase lacks
 * the witness nonce gets the default one, as Core. REJECTED (with Core's
 * debug text): our own failure while storing it.
 */
int validation_submit_rpc_block(struct validation *v, const uint8_t *raw,
    size_t len, struct validation_block_verdict *out, int timeout_ms,
    struct request_error *err);
/*
 * getblocktemplate's proposal mode: checks a parsed block (raw) against
 * the tip without storing it. Never INCONCLUSIVE: a known block answers
 * DUPLICATE (valid), DUPLICATE_INVALID or DUPLICATE_INCONCLUSIVE.
 */
int validation_check_proposal(struct validation *v, const uint8_t *raw,
    size_t len, struct validation_block_verdict *out, int timeout_ms,
    struct request_error *err);
/*
 * submitheader: raw is one 80-byte header. REJECTED: its parent is
 * unknown (message "Must submit previous header (HASH) first") or it is
 * invalid (the reason).
 */
int validation_submit_rpc_header(struct validation *v, const uint8_t raw[80],
    int timeout_ms, struct request_error *err);

/* getblocktemplate: a block template on the tip, for a coinbase the miner builds. */
#define VALIDATION_MAX_DEPLOYMENTS 8
struct validation_template {
	int32_t version;
	int32_t height;	  /* of the block to mine */
	uint8_t prev[32]; /* the tip, internal order */
	uint32_t bits;
	uint32_t curtime;
	int64_t mintime;	/* the tip's median time past + 1 */
	int64_t coinbase_value; /* subsidy plus fees */
	int pre_segwit;		/* segwit not active at height */
	int has_commitment;
	uint8_t commitment[38]; /* the witness commitment output script */
	struct template_txs
	    txs; /* after the coinbase; free with template_txs_free */
	size_t ndeployments; /* version-bits deployments, the chain's order */
	struct {
		const char *name; /* static */
		int bit;
		int active;	/* a rule of the block */
		int signalling; /* started or locked in: vbavailable */
	} deployments[VALIDATION_MAX_DEPLOYMENTS];
};
/* FAILED: no chain tip (cannot happen once started). */
int validation_get_template(struct validation *v,
    struct validation_template *out, int timeout_ms,
    struct request_error *err);

/* getmininginfo's values that the validation thread holds. */
struct validation_mining_info {
	int32_t height;	      /* the tip's */
	uint32_t bits;	      /* the tip's */
	uint32_t next_bits;   /* the next block's if mined now */
	double networkhashps; /* over the last 120 blocks */
	size_t pooledtx;      /* the mempool's transactions */
	int have_assembled;   /* a block was assembled since start */
	uint64_t last_block_weight;
	uint64_t last_block_txs;
};
int validation_mining_info(struct validation *v,
    struct validation_mining_info *out, int timeout_ms,
    struct request_error *err);

#endif
