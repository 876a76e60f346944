/*
 * The chainstate core: block index, consensus checks, block connection and
 * disconnection, best-chain selection and reorganisations, without any
 * thread of its own. The validation thread (validation.c) drives it; unit
 * tests and benchmarks drive it directly.
 *
 * Threads: every function here except the ones marked "any thread" must be
 * called from one thread at a time, the chainstate's owner (the validation
 * thread in the daemon). The owner is the only writer of its store
 * chainstate (cs->role) and, unless it is a background chainstate, of the
 * block index.
 *
 * Lock: cs->lock (the "validation mutex") guards the in-memory block index
 * and active chain against readers on other threads. The owner takes it
 * only around in-memory mutations, never across store I/O or script
 * checks. It is a leaf lock except that store read transactions may be
 * begun while holding it (the store's gate lock comes after it).
 */
#ifndef BR_CHAINSTATE_H
#define BR_CHAINSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "store/store.h"
#include "validation/validation.h"

struct chainparams;
struct chainstate;

/* Why a block or header was refused, as Core's BlockValidationState. */
struct val_state {
	int invalid; /* consensus-invalid: reason says why */
	int error;   /* our own failure (store): not the sender's fault */
	int mutated; /* may be a corrupted copy: header not marked invalid */
	char reason[160]; /* Core's reject reason, e.g. "bad-txnmrklroot" */
	char debug[192];  /* detail for the log */
};

/* What happened to one processed block. */
struct block_result {
	enum val_result res;
	uint8_t hash[32];
	int accepted; /* stored or already had (Core's ProcessNewBlock result) */
	int new_block;	     /* the block's data was not known before */
	int checked;	     /* a full connection of it was attempted */
	struct val_state st; /* the refusal, if any */
};

struct sigcache;

struct chainstate_opts {
	int script_threads;	   /* -par: 0 picks the number of cores */
	struct sigcache *sigcache; /* may be NULL; borrowed */
	int64_t stop_at_height;	   /* -stopatheight, 0: none */
	int assume_ibd; /* stay in initial download while importing */
	int txindex;	/* -txindex: keep the transaction index */
	/*
	 * -dbcache in bytes: during initial download, blocks share a store
	 * write transaction until its estimated dirty pages reach this
	 * (syncbatch.c); 0: one transaction per block. The owner must also
	 * allow batches (chainstate_allow_batches).
	 */
	uint64_t batch_bytes;
	/*
	 * -prune: the bytes of block files to keep (automatic pruning), 0
	 * for none, CHAINSTATE_PRUNE_MANUAL for pruneblockchain only.
	 */
	uint64_t prune_target;
	/*
	 * Prune locks (Core's): one per index that reads stored blocks and
	 * undo data on its own thread, with the height of its best block at
	 * start-up (-1: none yet). Copied at open; see chainstate_prune_lock_*.
	 */
	const struct chainstate_prune_lock *prune_locks;
	size_t n_prune_locks;
	/*
	 * assumeutxo: the store's followed chainstate came from a UTXO
	 * snapshot based on this block, with chain_tx transactions up to it,
	 * and background validation has not yet agreed with it.
	 */
	int snapshot;
	uint8_t snapshot_base[32];
	uint64_t snapshot_chain_tx;
};

#define CHAINSTATE_PRUNE_MANUAL UINT64_MAX

#define CHAINSTATE_MAX_PRUNE_LOCKS 4

/* Notifications to the owner, called on the owner's thread. */
struct chainstate_hooks {
	void *arg;
	/* The active tip moved (once per activation step). */
	void (*tip_changed)(void *arg, const struct block_index_entry *tip,
	    int initial_download);
	/*
	 * A block joined (left) the active chain: called right after the
	 * write transaction that connected (disconnected) it committed, in
	 * chain order. raw is the block with witness, valid only during the
	 * call. NULL: not called (and a disconnected block is not re-read).
	 */
	void (*block_connected)(void *arg, const struct block_index_entry *e,
	    const uint8_t *raw, size_t len);
	void (*block_disconnected)(void *arg,
	    const struct block_index_entry *e, const uint8_t *raw, size_t len);
	/*
	 * An activation step or invalidation that disconnected blocks has
	 * finished (after the new branch's blocks were connected), before
	 * tip_changed.
	 */
	void (*reorg_done)(void *arg);
	/*
	 * A new block on the active tip passed every check short of
	 * connecting it (Core's NewPoWValidBlock), out of initial download:
	 * called before it is connected, so that high-bandwidth compact
	 * block peers hear of it at once. raw is valid only during the call.
	 */
	void (*pow_valid_block)(void *arg, const struct block_index_entry *e,
	    const uint8_t *raw, size_t len);
	/*
	 * A warning for the operator that Core raises as a kernel warning
	 * (its -alertnotify): "Unknown new rules activated (versionbit N)",
	 * once a run, after a tip move out of initial download.
	 */
	void (*warning)(void *arg, const char *msg);
};

/*
 * Loads the block index from the store, connects the genesis block into an
 * empty store and continues any interrupted activation lazily (call
 * chainstate_activate). Returns 0, or -1 with the reason logged.
 */
int chainstate_open(const struct chainparams *cp, struct store *s,
    const struct chainstate_opts *o, struct chainstate **out);
void chainstate_close(struct chainstate *cs);
void chainstate_set_hooks(struct chainstate *cs,
    const struct chainstate_hooks *h);
const struct chainparams *chainstate_params(const struct chainstate *cs);
struct store *chainstate_store(const struct chainstate *cs);

/*
 * Processes a serialized block as Core's ProcessNewBlock with forced
 * processing: checks, stores, and connects it if it makes the best chain
 * (with up to max_connect blocks connected in this call; pass 0 for no
 * limit and then call chainstate_activate while it says there is more).
 * Returns r->res: VAL_OK, VAL_DUPLICATE, VAL_ORPHAN (parent unknown: not
 * stored), VAL_INVALID (r->st.reason) or VAL_ERROR.
 */
enum val_result chainstate_process_block(struct chainstate *cs,
    const uint8_t *raw, size_t len, struct block_result *r);
/* Same for a block already parsed (b borrows raw: keep both alive). */
enum val_result chainstate_process_parsed(struct chainstate *cs,
    const uint8_t *raw, size_t len, struct block *b, struct block_result *r);

/*
 * Accepts headers in order (Core's ProcessNewBlockHeaders). On return
 * *accepted counts the leading headers now in the index and last is the
 * hash of the last one of them. VAL_OK, VAL_ORPHAN (first header does not
 * connect), VAL_INVALID (st) or VAL_ERROR.
 */
enum val_result chainstate_process_headers(struct chainstate *cs,
    const struct block_header *h, size_t n, size_t *accepted, uint8_t last[32],
    struct val_state *st);

/*
 * Moves the active chain towards the best candidate, connecting at most
 * max_blocks (0: no limit). *more is set when work remains. Returns 0, or
 * -1 on a store failure (fatal for the caller).
 */
int chainstate_activate(struct chainstate *cs, int max_blocks, int *more);
/*
 * After a store failure (blockdamage.c): forgets the data of blocks the
 * store found damaged that are not in the active chain, so they are
 * downloaded again. Returns how many damaged blocks were queued (0: the
 * failure was something else), with the first one's hash in first_hex
 * (one in the active chain if any, with *in_chain set).
 */
/*
 * Pruning (prune.c; validation thread). chainstate_prune_auto deletes
 * block files while they take more than the target, keeping the last
 * 288 blocks (called when the tip moved); chainstate_prune_manual those
 * whose blocks are all at or below height (clamped to tip - 288). 0 or
 * -1 (store failure). chainstate_prune_height (any thread): the lowest
 * height from which the active chain has every block, 0 when nothing is
 * pruned. chainstate_have_pruned: 1 if blocks were ever pruned, 0 if
 * not, -1 on a store failure.
 */
int chainstate_prune_auto(struct chainstate *cs);
int chainstate_prune_manual(struct chainstate *cs, int32_t height);
int32_t chainstate_prune_height(struct chainstate *cs);
int chainstate_have_pruned(struct chainstate *cs);
void chainstate_prune_init(struct chainstate *cs);
/*
 * Prune locks, as Core's: pruning keeps every block above the lowest
 * lock's height less PRUNE_LOCK_BUFFER (10), so an index that lags still
 * finds the blocks and undo data it has to read; a lock of -1 keeps every
 * block. A disconnected block moves every lock above its parent back to
 * the parent (validation thread), so a reorg's new branch is indexed from
 * the fork. chainstate_prune_lock_find (any thread; the set is fixed at
 * open): the lock's id, or -1 when no lock has that name.
 * chainstate_prune_lock_set (any thread; an atomic the pruner reads):
 * the index's best height after each commit: the index raises its lock
 * only after writing what it read, so a value the pruner reads late only
 * keeps more. (An index that commits a batch of the old branch after a
 * reorg moved its lock back raises it again until it reaches the new
 * branch; the 288 blocks below the tip are kept in any case, and a
 * reorg deeper than that has no undo data in prune mode.)
 */
int chainstate_prune_lock_find(struct chainstate *cs, const char *name);
void chainstate_prune_lock_set(struct chainstate *cs, int id, int32_t height);
int32_t chainstate_prune_lock_height(struct chainstate *cs, int id);
void chainstate_prune_locks_disconnected(struct chainstate *cs,
    int32_t height);

int chainstate_forget_damaged(struct chainstate *cs, char first_hex[65],
    int *in_chain);

/* Core's invalidateblock, reconsiderblock, preciousblock. -1: unknown hash. */
int chainstate_invalidate(struct chainstate *cs, const uint8_t hash[32]);
int chainstate_reconsider(struct chainstate *cs, const uint8_t hash[32]);
int chainstate_precious(struct chainstate *cs, const uint8_t hash[32]);

/*
 * Checks that b would be a valid next block on the current tip without
 * changing anything (Core's TestBlockValidity). check_pow and
 * check_merkle 0 skip those checks (templates). 0 or -1 with st.
 */
int chainstate_test_block(struct chainstate *cs, const struct block *b,
    int check_pow, int check_merkle, struct val_state *st);

/*
 * verifychain: checks the last nblocks (0: all) of the active chain at
 * level 0..4 as Core. Returns 1 if every check passed, 0 if not (logged).
 */
int chainstate_verify(struct chainstate *cs, int level, int nblocks);
/* The same; on failure, what failed and where goes to why (may be NULL). */
int chainstate_verify_why(struct chainstate *cs, int level, int nblocks,
    char *why, size_t whylen);

/*
 * Reindex: forgets the UTXO set, the active chain and every validity
 * result but keeps the stored blocks, then reconnects from genesis
 * (chainstate_activate does the work, step by step). 0 or -1.
 */
int chainstate_reindex(struct chainstate *cs);
/*
 * With -txindex: brings the transaction index up to the active tip at
 * start-up (builds it when it is missing or was left on a block no longer
 * in the active chain), logging progress. Owner thread, before the chain
 * moves. Returns 0, or -1 with the reason logged.
 */
int chainstate_sync_txindex(struct chainstate *cs);

/*
 * loadtxoutset's checks of a snapshot's base block (any thread, under the
 * validation mutex): 0 with its entry in *e; -1 not in the index; -2 part
 * of an invalid chain; -3 the best header does not descend from it.
 */
int chainstate_snapshot_check(struct chainstate *cs, const uint8_t hash[32],
    struct block_index_entry *e);

/*
 * The active tip as committed to the store (a sync batch's blocks are
 * left out until it commits). -1 if there is none yet. Any thread.
 */
int chainstate_tip(struct chainstate *cs, struct block_index_entry *out);
/*
 * Sync batches (syncbatch.c), owner thread only: whether one may be
 * open (nothing else writes to the store; off commits the open one),
 * and committing the open one now.
 */
void chainstate_allow_batches(struct chainstate *cs, int on);
void chainstate_end_batch(struct chainstate *cs);
/* Most-work valid header. */
int chainstate_best_header(struct chainstate *cs,
    struct block_index_entry *out);
/* Copies the index entry of hash; *active says if it is on the active chain. */
int chainstate_lookup(struct chainstate *cs, const uint8_t hash[32],
    struct block_index_entry *out, int *active);
/* The active chain's hash at height; -1 if above the tip. */
int chainstate_active_hash(struct chainstate *cs, int32_t height,
    uint8_t hash[32]);
/* Initial block download, latched off as Core. Any thread. */
int chainstate_is_initial_download(struct chainstate *cs);
/* Marks an import in progress (keeps initial download on). Any thread. */
void chainstate_set_importing(struct chainstate *cs, int on);
/* Whether an import (-loadblock) or -reindex is in progress. Any thread. */
int chainstate_is_importing(struct chainstate *cs);

/* The tip's median time past. Owner thread. */
int64_t chainstate_tip_mtp(struct chainstate *cs);

/*
 * Core's getnetworkhashps estimate: work per second over the lookup blocks
 * before height (-1: the tip; lookup <= 0: since the last retarget). Owner
 * thread.
 */
double chainstate_network_hashps(struct chainstate *cs, int lookup,
    int32_t height);

#endif
