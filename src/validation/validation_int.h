/*
 * The validation thread's internals, shared by validation.c (the thread,
 * queues and listeners), import.c (-loadblock/-reindex), mining.c and the
 * request files serve_mining.c and serve_chain.c. Nothing outside
 * src/validation includes this.
 */
#ifndef BR_VALIDATION_INT_H
#define BR_VALIDATION_INT_H

#include <pthread.h>
#include <stdint.h>

#include "consensus/consensus.h"
#include "util/queue.h"
#include "util/request.h"
#include "validation/chainstate.h"
#include "validation/validation.h"

/* Message types on the validation thread's queues. */
enum vmsg_type {
	VMSG_BLOCK = 1,	   /* raw block from the network or RPC */
	VMSG_HEADERS,	   /* array of struct block_header */
	VMSG_REQUEST,	   /* struct request * (util/request.h) */
	VMSG_IMPORT_BLOCK, /* struct import_hdr, then the raw block */
	VMSG_IMPORT_DONE,  /* the import thread has finished */
	VMSG_WRITE,	   /* struct write_job * (validation_write) */
	VMSG_BG_DONE,	   /* struct bg_result: background validation ended */
};

/*
 * assumeutxo (assumeutxo.c): the record of a UTXO snapshot, the meta value
 * "assumeutxo" in the store, written in the same transaction as the
 * chainstate change it describes, so a restart finds each stage:
 *   AU_LOADING    the second chainstate is being filled from a file (a
 *                 restart discards it);
 *   AU_ACTIVE     the snapshot's chainstate is followed, the other one
 *                 validates in the background;
 *   AU_VALIDATED  background validation agreed; the background chainstate
 *                 is gone (a restart forgets the record);
 *   AU_INVALID    it disagreed: the validated chainstate is followed again
 *                 and the node stopped (a restart discards the snapshot).
 */
enum au_state { AU_NONE = 0, AU_LOADING, AU_ACTIVE, AU_VALIDATED, AU_INVALID };

struct au_record {
	enum au_state state;
	uint8_t base[32]; /* internal order */
	int32_t height;
	uint64_t chain_tx;
	uint8_t hash_serialized[32]; /* the table's, internal order */
};

/* What background validation found (background.c). */
struct bg_result {
	int ok;		   /* reached the base, and the hash agrees */
	int invalid_block; /* a block on the way failed: block, reason */
	uint8_t block[32];
	char reason[192];
	int32_t height; /* where it stopped */
	uint8_t tip[32];
	uint8_t got[32]; /* its hash_serialized_3 at the base */
};

/* What the import thread puts before each block it read. */
struct import_hdr {
	uint64_t file_off; /* bytes of the file read so far */
	uint64_t file_size;
};

#define VALIDATION_MAX_LISTENERS 8

struct hold;

struct validation {
	const struct args *args;
	const struct chainparams *cp;
	struct store *store;
	struct chainstate *cs;

	/*
	 * Incoming queues. netq: blocks and headers from peers, refused at
	 * its mark so net stops reading the peer. callq: typed requests
	 * from the rpc thread (VMSG_REQUEST), index writes (VMSG_WRITE) and
	 * background validation's end (VMSG_BG_DONE), refused at its mark.
	 * impq: the import thread's blocks; the importer waits
	 * at its mark, which bounds the memory an import holds.
	 */
	struct queue *netq;
	struct queue *callq;
	struct queue *impq;

	pthread_t thread;
	int thread_started;
	int stopping; /* atomic */

	/*
	 * hook_mu guards listeners, nlisteners, tmpl_fn, tmpl_arg,
	 * hook_busy and the operator warnings (warnings, nwarnings: Core's
	 * kernel warnings, for the RPC "warnings" fields); a leaf lock, never held across a callback. The
	 * validation thread copies the listeners (or the source) and counts
	 * itself in hook_busy while it calls them, so a thread removing one
	 * waits on hook_cv until hook_busy is 0 and then knows its arg is
	 * no longer used.
	 */
	pthread_mutex_t hook_mu;
	pthread_cond_t hook_cv;
	int hook_busy;
	struct validation_listener listeners[VALIDATION_MAX_LISTENERS];
	size_t nlisteners;
	validation_template_fn tmpl_fn;
	void *tmpl_arg;
	char warnings[VALIDATION_MAX_WARNINGS][VALIDATION_WARNING_LEN];
	int nwarnings;

	/* Block assembly limits (-blockmaxweight, -blockreservedweight). */
	size_t block_max_weight;
	size_t block_reserved_weight;
	int has_block_version; /* -blockversion (regtest only) */
	int32_t block_version;
	int print_priority; /* -printpriority */

	/* Owned by the validation thread. */
	int activate_pending; /* more blocks to connect (reindex) */
	int64_t stop_at_height;
	int stop_requested;
	struct msg *import_list; /* drained, not yet processed */
	struct hold *held;	 /* imported blocks waiting for a parent */
	size_t held_count, held_bytes;
	uint64_t import_blocks; /* connected from import so far */
	int64_t import_start_us;
	int64_t import_log_us;
	int importing;
	int reindexing;

	/* Mining statistics for getmininginfo (owner thread). */
	int have_assembled;
	uint64_t last_block_weight;
	uint64_t last_block_txs;
	uint64_t extra_nonce;

	/* The import thread (-loadblock). */
	pthread_t import_thread;
	int import_started;
	char **import_files;
	size_t nimport_files;
	/*
	 * A full -reindex under way (store/reindex.h): its old block files
	 * come first in import_files. import_read_all (atomic) is set by the
	 * import thread once it has read every file without being stopped;
	 * the validation thread then deletes the old files at import_done.
	 */
	int reindex_files;
	int import_read_all;

	/*
	 * assumeutxo. au_mu, a leaf, guards au (the store's record as of
	 * the last commit; written only by the validation thread, which
	 * reads it without the lock), cache_db and cache_tip
	 * (getchainstates: [0] the background chainstate's, [1] the followed
	 * one's). bg is the validation
	 * thread's own. au_limited, bg_next, bg_base and halted are atomics.
	 * bg_finishing (under au_mu): the background chainstate has
	 * reported and its thread is gone, but the validation thread has not
	 * yet dropped it (validated or invalid); getchainstates still shows
	 * it, at bg_fin_tip/bg_fin_height, so that nobody sees one
	 * chainstate while NODE_NETWORK is still off.
	 */
	pthread_mutex_t au_mu;
	struct au_record au;
	uint64_t cache_db[2], cache_tip[2];
	struct bgval *bg;
	int bg_finishing;
	uint8_t bg_fin_tip[32];
	int32_t bg_fin_height;
	int au_limited;	 /* NODE_NETWORK_LIMITED only */
	int32_t bg_next; /* the height background validation needs, -1 */
	int32_t bg_base; /* the snapshot base's height, -1 */
	int halted;	 /* the snapshot failed: nothing more to do */
};

/* validation.c */
/* Core's split of -dbcache: coins database and coins tip caches, bytes. */
void validation_cache_sizes(const struct args *a, uint64_t *db,
    uint64_t *tip);
/*
 * Pushes r to the call queue and waits for the answer (request_wait's
 * contract); a full or closed queue abandons r: REQUEST_E_UNAVAILABLE.
 */
int validation_request(struct validation *v, struct request *r, int timeout_ms,
    void *out, struct request_error *err);
void validation_notify_block(struct validation *v,
    const struct block_result *r, uint64_t peer_id);
/* Runs a block through the chainstate and tells listeners (RPC and net). */
enum val_result validation_process_block(struct validation *v,
    uint64_t peer_id, const uint8_t *raw, size_t len, struct block_result *r);
/* Handles everything now on the network queue (the sync barrier). */
void validation_drain_net(struct validation *v);
/* Activates after invalidate/reconsider/precious; fatalx on store failure. */
void validation_activate(struct validation *v);
/*
 * Asks the template source (the mempool); *out is zeroed first and stays
 * empty without a source. Validation thread; holds no store transaction.
 */
void validation_template(struct validation *v,
    const struct template_request *req, struct template_txs *out);

/* assumeutxo.c */
/*
 * Start-up, before the chainstate opens: settles what the snapshot record
 * says (a load cut short, a finished validation, a failed one, -reindex)
 * and, with a snapshot in use, tells the chainstate through o. 0, or -1
 * with the reason logged.
 */
int au_startup(struct validation *v, const struct args *a,
    struct chainstate_opts *o);
/*
 * The store part of it: reads the record and settles it (reindex: a
 * snapshot is dropped whatever its stage). 0 with what remains in *out
 * (AU_NONE or AU_ACTIVE), or -1 logged.
 */
struct store;
int au_settle(struct store *s, int reindex, struct au_record *out);
/* After the chainstate opened: background validation, if any. */
void au_start(struct validation *v);
void au_stop(struct validation *v);
/* Blocks were stored: background validation may go on. */
void au_blocks_stored(struct validation *v);
void au_dispatch(struct validation *v, struct msg *m);

/* background.c */
struct bgval;
struct bindex;
/*
 * Starts the background chainstate at tip (a block of main's index,
 * where the store's second chainstate is) towards main->snap_base; expect
 * is the hash_serialized_3 the base's UTXO set must have. done runs once,
 * on the background thread, when it ends (not when stopped). *next (an
 * atomic) follows the height it needs next; -1 after bgval_stop.
 */
struct bgval *bgval_start(struct chainstate *main, struct bindex *tip,
    const uint8_t expect[32],
    void (*done)(void *arg, const struct bg_result *r), void *arg,
    int32_t *next);
void bgval_wake(struct bgval *bg);
/* Stops (after the block in hand), joins and frees. */
void bgval_stop(struct bgval *bg);
/* Its tip: any thread. */
int bgval_tip(struct bgval *bg, uint8_t hash[32], int32_t *height);

/* import.c */
int import_start(struct validation *v);
void import_stop(struct validation *v);
void import_process(struct validation *v, struct msg *m);
void import_done(struct validation *v);
void import_release_children(struct validation *v, const uint8_t hash[32]);
void import_free_held(struct validation *v);

/* mining.c */
struct block_tmpl {
	struct wbuf raw; /* serialized block, nonce 0 */
	struct block b;	 /* parsed view of raw */
	int parsed;
	int32_t height;
	int64_t coinbase_value;
	int has_commitment;
	/* the coinbase's commitment output script */
	uint8_t commitment[CONSENSUS_COMMITMENT_SIZE];
};
/*
 * Assembles a block on the tip paying script, with txs (may be 0)
 * after the coinbase, whose output claims the subsidy plus fees. 0, or
 * -1 (tip missing; cannot happen after start).
 */
int mining_assemble(struct validation *v, const uint8_t *script,
    size_t script_len, const struct tx *txs, size_t ntx, int64_t fees,
    struct block_tmpl *t);
/* Core's coinbase sigop reservation (BlockAssembler's starting cost). */
#define MINING_COINBASE_SIGOPS 400
/*
 * The mempool's best transactions for the next block within the weight
 * and sigop budget left by the coinbase, parsed: txs[i] borrow t->txs[i].raw.
 * Returns the number of transactions; *txs is xmalloc'd (free with
 * mining_txs_free), *fees their base fees summed.
 */
size_t mining_select(struct validation *v, struct template_txs *t,
    struct tx **txs, int64_t *fees);
void mining_txs_free(struct tx *txs, size_t n);
void mining_tmpl_free(struct block_tmpl *t);
/*
 * Grinds the header nonce of t->raw. Returns 1 when the proof of work
 * holds, 0 when the nonce space ran out (assemble again), -1 when
 * *max_tries reached zero.
 */
int mining_grind(struct validation *v, struct block_tmpl *t,
    uint64_t *max_tries);

#endif
