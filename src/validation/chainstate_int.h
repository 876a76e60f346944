/*
 * Chainstate internals shared by the files of src/validation; nothing
 * outside the module includes this.
 *
 * chainstate.c: open/load, header and block acceptance, lookups.
 * checks.c: context-free and contextual checks of headers, blocks, txs.
 * connect.c: connecting and disconnecting a block against the UTXO set.
 * scripts.c: handing script checks to the check queue.
 * activate.c: best-chain selection, reorgs, invalidate/reconsider/precious.
 */
#ifndef BR_CHAINSTATE_INT_H
#define BR_CHAINSTATE_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "script/script.h"
#include "store/store.h"
#include "util/buf.h"
#include "validation/blockindex.h"
#include "validation/chainstate.h"
#include "validation/versionbits.h"

/*
 * How far ahead of node time a header may be (Core's
 * MAX_FUTURE_BLOCK_TIME). It depends on the node's clock, so it is a check
 * here rather than a rule in src/consensus.
 */
#define MAX_FUTURE_BLOCK_TIME (2 * 60 * 60)

struct connect_scratch;
struct script_batch;

struct chainstate {
	const struct chainparams *cp;
	struct store *store;
	struct chainstate_opts opts;
	struct chainstate_hooks hooks;
	/* Owner thread: the unknown version-bits watcher, and whether it warned. */
	struct vb_warn vbw;
	int vb_warned;

	/*
	 * The validation mutex: guards map, chain, cand, best_header and
	 * every bindex's fields against readers on other threads. The owner
	 * holds it only while mutating them in memory (see chainstate.h).
	 */
	pthread_mutex_t lock;
	struct bindex_map map;
	struct active_chain chain;
	struct cand_set cand;
	struct bindex *best_header;
	int best_header_dirty;	     /* not yet written to the store */
	struct bindex_list dirty;    /* entries changed in memory only */
	struct bindex_list unlinked; /* data, but an ancestor lacks it */
	struct bindex *genesis_tmp;  /* genesis while it is connected */

	int32_t prune_height; /* atomic: chainstate_prune_height */
	/* Prune locks: fixed at open; each height an atomic (prune.c). */
	struct {
		char name[64];
		int32_t height;
	} prune_locks[CHAINSTATE_MAX_PRUNE_LOCKS];
	size_t n_prune_locks;
	int64_t next_seq;     /* arrival order of block data */
	int64_t precious_seq; /* negative, counts down */
	uint8_t last_precious_work[32];

	/* Read by other threads without the lock (atomics). */
	int ibd_done; /* latched off */
	int importing;
	int have_tip;
	int tip_work_ok; /* tip has the minimum chain work */
	int64_t tip_time;

	/* The block chainstate_process_* is working on (submitblock's answer). */
	struct bindex *watch;
	struct block *watch_block; /* its parsed form, valid meanwhile */
	const uint8_t *watch_raw;  /* and its bytes (block_connected hook) */
	size_t watch_len;
	int watch_checked;
	struct val_state watch_state;

	struct connect_scratch *scratch;
	struct script_batch *scripts;
	/*
	 * -debug=bench totals over blocks connected to the tip (owner
	 * thread only): wall time in connect_one, the part of it in script
	 * checks, and the block count.
	 */
	int64_t bench_connect_us;
	int64_t bench_script_us;
	uint64_t bench_blocks;
	uint8_t *rawbuf; /* copy of a stored block being connected */
	size_t rawcap;

	/*
	 * assumeutxo (assumeutxo.c). snap_base: the block the followed
	 * chainstate's UTXO snapshot is based on, while background
	 * validation has not agreed with it (NULL otherwise). It stands in
	 * for the history below it: its chain_tx is the snapshot's, and only
	 * blocks descending from it may become the tip.
	 */
	struct bindex *snap_base;
	uint64_t snap_chain_tx;
	/*
	 * A background chainstate (background.c) has no block index of its
	 * own (it walks the followed chainstate's, whose entries it never
	 * changes): its connections write only coins, undo, active chain and
	 * tip, to the store chainstate named by role.
	 */
	int background;
	size_t last_connected_len; /* bytes of the block connected last */
	enum store_cs role;

	/*
	 * Sync batch (syncbatch.c): during initial download, blocks
	 * connected on top of the tip share one store write transaction.
	 * Owner thread only, except batch_hidden, which the lock guards:
	 * the top batch_hidden blocks of chain are connected in the open
	 * batch and not yet committed, so accessors other threads use
	 * (chainstate_tip, _lookup, _active_hash) leave them out.
	 * batch_budget: -dbcache in bytes, the estimated dirty pages a
	 * batch may hold (0: no batches). batch_allowed: the owner says
	 * nothing else writes to the store meanwhile (no background
	 * chainstate thread).
	 */
	struct store_wtxn *batch;
	uint64_t batch_budget;
	int batch_allowed;
	/*
	 * The next write transaction may wait for background validation's
	 * batch (STORE_W_BULK): set around storing a block that did not
	 * move the tip. Validation thread only.
	 */
	int bulk_write;
	int64_t batch_start_us;
	uint64_t batch_ops;	   /* places in the coins table it wrote */
	uint64_t batch_leaf_pages; /* coins table's pages when it began */
	uint64_t batch_branch_pages;
	uint64_t batch_page_size;
	struct bindex **batch_blocks; /* connected in it: hooks owed */
	size_t batch_n, batch_cap;
	int batch_tip_owed; /* tip_changed held back until the commit */
	int32_t batch_hidden;
	uint64_t batch_commits; /* batches committed (-debug=bench) */
};

/* Sets st to a consensus failure and returns -1. */
int vs_invalid(struct val_state *st, int mutated, const char *reason,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sets st to our own failure and returns -1. */
int vs_error(struct val_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vs_clear(struct val_state *st);

/* checks.c */
int check_header_pow(const struct chainstate *cs, const struct block_header *h,
    const uint8_t hash[32], struct val_state *st);
int check_block(const struct chainstate *cs, const struct block *b,
    int check_pow, int check_merkle, struct val_state *st);
int contextual_check_header(struct chainstate *cs,
    const struct block_header *h, struct bindex *prev, int64_t now,
    struct val_state *st);
int contextual_check_block(struct chainstate *cs, const struct block *b,
    struct bindex *prev, struct val_state *st);

/* chainstate.c */
uint32_t next_work_required(struct chainstate *cs, struct bindex *prev,
    const struct block_header *h);
void cs_lock(struct chainstate *cs);
void cs_unlock(struct chainstate *cs);
/* Adds b to the candidates if it may become the tip. */
void cs_maybe_candidate(struct chainstate *cs, struct bindex *b);
/* Writes every dirty index entry (and pending block data) in one txn. */
int cs_flush_dirty(struct chainstate *cs);
/* Recomputes the most-work valid header. Under lock. */
void cs_recompute_best_header(struct chainstate *cs);
/* The chain gauges (height, headers, progress, IBD) from the tip (tiplog.c). */
void cs_metrics_tip(struct chainstate *cs);
/*
 * Runs fn in a write transaction, growing the map and redoing it on
 * MAPFULL; commits if fn returns 0 (cs_txn: only if commit), else aborts.
 * Returns fn's or the store's code.
 */
int cs_write(struct chainstate *cs,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg);
int cs_txn(struct chainstate *cs,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg, int commit);
/* Queues b for the next index flush. */
void cs_mark_dirty(struct chainstate *cs, struct bindex *b);
/* After the tip moved: IBD inputs and the tip_changed hook. */
void cs_tip_moved(struct chainstate *cs);

/* syncbatch.c */
/* Whether the next block connected on the tip goes into a sync batch. */
int cs_batch_wanted(struct chainstate *cs);
/*
 * Runs fn in the open batch (opening it, growing the map first if it is
 * more than half full). 0: fn succeeded, bi is connected in the batch
 * and its block_connected hook is owed; 1: fn failed with the batch
 * untouched (an invalid block writes nothing before its checks pass);
 * a store failure inside a batch stops the node (fatalx): the batch's
 * earlier blocks are connected in memory and cannot be taken back, and
 * the store still holds the last commit, which the next start resumes.
 */
int cs_batch_connect(struct chainstate *cs, struct bindex *bi,
    const struct block *b,
    int (*fn)(struct chainstate *cs, struct store_wtxn *w, void *arg),
    void *arg, const struct val_state *st);
/* Ends the open batch if it is full or old enough, or batches must stop. */
void cs_batch_check(struct chainstate *cs);
/*
 * Commits the open batch, if any, then makes its blocks visible to other
 * threads and calls the hooks held back (block_connected in chain order,
 * then tip_changed). A failed commit stops the node, as above.
 */
void cs_batch_end(struct chainstate *cs);
/* The tip other threads see: chain's, less the uncommitted blocks. */
struct bindex *cs_published_tip(struct chainstate *cs);
int32_t cs_published_height(struct chainstate *cs);
/* Logs a refused block or header with its hash (debug.log). */
void cs_log_reject(const uint8_t hash[32], const char *what,
    const struct val_state *st);
/*
 * parent's chain tx count became known: its children waiting in the
 * unlinked list get theirs, and so on down. Under lock.
 */
void cs_link_children(struct chainstate *cs, struct bindex *parent);

/*
 * txindex.c: the transaction index (-txindex), kept in the store. With
 * cs->opts.txindex off these do nothing. Both run inside the write
 * transaction of the block connected or disconnected and return 0 or a
 * negative STORE_* code.
 */
int txindex_connect(struct chainstate *cs, struct store_wtxn *w,
    const struct bindex *bi, const struct block *b);
int txindex_disconnect(struct chainstate *cs, struct store_wtxn *w,
    const struct bindex *bi, const struct block *b);

/* connect.c */
uint32_t block_script_flags(const struct chainstate *cs,
    const struct bindex *bi);
/*
 * Connects b (index entry bi, whose parent must be the view's tip) inside
 * w. With just_check nothing is written. Returns 0, -1 with st set (invalid
 * or error), or STORE_MAPFULL (abort, grow, redo).
 */
int connect_block(struct chainstate *cs, struct store_wtxn *w,
    struct bindex *bi, const struct block *b, int just_check,
    struct val_state *st);
/*
 * Disconnects bi (the view's tip) inside w using its stored undo data.
 * Returns 0, 1 if the coins did not match exactly (unclean), -1 on a
 * missing block or undo, or STORE_MAPFULL.
 */
int disconnect_block(struct chainstate *cs, struct store_wtxn *w,
    struct bindex *bi);
/*
 * disconnect_block as a cs_write callback (arg: the bindex); an unclean
 * undo is STORE_ERROR there, since the UTXO set and undo data disagree.
 */
int disconnect_block_txn(struct chainstate *cs, struct store_wtxn *w,
    void *arg);
void connect_scratch_free(struct connect_scratch *s);
/*
 * Copies the stored block hash into cs->rawbuf (*len bytes) in a read
 * transaction of its own, so none is open once it returns. Returns
 * STORE_OK, STORE_NOTFOUND or another store status.
 */
int cs_copy_stored_block(struct chainstate *cs, const uint8_t hash[32],
    size_t *len);
/* Loads a block's bytes for connection (pending or stored) and parses it. */
int cs_load_block(struct chainstate *cs, struct store_rtxn *r,
    struct bindex *bi, const uint8_t **raw, size_t *len, struct block *b);

/* scripts.c */
struct sigcache;
struct script_batch *script_batch_new(int threads, struct sigcache *cache);
void script_batch_free(struct script_batch *sb);
void script_batch_begin(struct script_batch *sb);
void script_batch_add(struct script_batch *sb, const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td);
/* Runs every check; 0, or -1 with the first failure's script error. */
int script_batch_wait(struct script_batch *sb, int *err);
/* Drops the collected checks unrun (the block failed otherwise). */
void script_batch_discard(struct script_batch *sb);
/* Wall time spent in script_batch_wait's batches so far, microseconds. */
int64_t script_batch_micros(const struct script_batch *sb);
/* Threads that verify a batch, the caller included (-par). */
int script_batch_threads(const struct script_batch *sb);

/* activate.c */
/*
 * Logs the -debug=bench totals ("[bench] scripts S s of C s connect (P%),
 * -par=N, B blocks, WHEN"). Owner thread; nothing when bench is off.
 */
void cs_bench_log(struct chainstate *cs, const char *when);
int activate_best_chain(struct chainstate *cs, int max_blocks, int *more);
/* Marks bi failed (FAILED_VALID) and its descendants FAILED_CHILD. */
void mark_block_failed(struct chainstate *cs, struct bindex *bi);

/* tiplog.c: Core's wording, owner thread (doc/logging.md). */
/* "UpdateTip: new best=... height=... ..." for the active tip. */
void cs_log_update_tip(struct chainstate *cs);
/* ERROR: ConnectBlock, InvalidChainFound, ConnectTip ... failed. */
void cs_log_connect_failed(struct chainstate *cs, const struct bindex *bad,
    const struct val_state *st);

#endif
