/*
 * Inside the pool: the entry layout and what pool.c (entries, links,
 * removal, housekeeping, lookups), accept.c (acceptance), rbf.c
 * (replacement and TRUC rules), chainview.c (tip, MTP, finality and
 * sequence locks read from a store snapshot) and select.c (block
 * selection) share. Nothing outside the pool's files includes this.
 *
 * Aggregates: every entry caches the sums over its ancestor set and over
 * its descendant set, both including itself (Core's "with ancestors" and
 * "with descendants" figures). Sets are sets: a diamond counts each
 * entry once. Adding or removing an entry updates the cached sums of the
 * entries whose sets change; reorg re-adds recompute them outright.
 */
#ifndef BR_POOL_INT_H
#define BR_POOL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mempool/pool.h"
#include "primitives/tx.h"

struct store_rtxn;

/* Core's EXTRA_DESCENDANT_TX_SIZE_LIMIT (CPFP carve-out). */
#define POOL_CARVEOUT_VSIZE 10000
/* Core's ROLLING_FEE_HALFLIFE: 12 hours. */
#define POOL_ROLLING_FEE_HALFLIFE (60 * 60 * 12)
/* BIP431: a TRUC tx has at most one unconfirmed ancestor and one child. */
#define POOL_TRUC_ANCESTOR_LIMIT 2
#define POOL_TRUC_DESCENDANT_LIMIT 2

struct pentry;

/* One input's claim on an outpoint: the spends table's item. */
struct pspend {
	uint8_t key[36]; /* prevout hash, then LE32 index */
	struct pentry *by;
};

/* A growable array of entry pointers. */
struct pvec {
	struct pentry **v;
	size_t n, cap;
};

struct pentry {
	uint8_t txid[32];  /* key of the txid table (offset 0) */
	uint8_t wtxid[32]; /* key of the wtxid table */
	struct tx tx;	   /* borrows raw */
	uint8_t *raw;
	size_t raw_len;
	struct pspend *spends; /* tx.vin_count, in the spends table */

	int64_t fee;
	int64_t modfee; /* fee + prioritisation delta */
	int64_t vsize;
	size_t weight;
	int64_t sigops;
	int64_t time;
	int32_t height;
	int spends_coinbase;
	size_t usage; /* this entry's share of pool_usage */

	size_t anc_count;
	int64_t anc_size, anc_fees, anc_sigops;
	size_t desc_count;
	int64_t desc_size, desc_fees;

	struct pvec parents, children;

	/* Traversal and removal scratch. */
	uint64_t mark;
	int removing;
	/* Added quietly by a package trial (package.c): not counted in a member's own limits. */
	int in_package;

	/* pool_select scratch. */
	int sel_done, sel_failed;
	uint64_t sel_version;
	int64_t sel_size, sel_fees, sel_sigops;
};

/*
 * A block's transactions waiting to be offered back after a reorg. One that
 * a block of the new branch confirms is given up (raw NULL, len 0).
 */
struct pending_block {
	size_t n;
	uint8_t **raw;
	size_t *len;
	uint8_t (*txid)[32];
};

struct pool {
	struct pool_env env;
	struct pool_hooks hooks;
	struct htab *by_txid;  /* struct pentry by txid */
	struct htab *by_wtxid; /* struct pentry by wtxid */
	struct htab *spends;   /* struct pspend by outpoint */
	struct htab *deltas;   /* struct pdelta by txid */

	uint64_t epoch; /* traversal marks */
	uint64_t sequence;
	int64_t total_vsize;
	int64_t total_fee;
	size_t usage;

	/* Core's rolling minimum fee (sat/kvB). */
	double rolling_min;
	int64_t last_rolling_update;
	int block_since_bump;

	/* Tip MTP cache (by tip hash). */
	int have_mtp;
	uint8_t mtp_hash[32];
	int64_t mtp;

	/*
	 * Set during a package trial that replaces (package.c): the entries
	 * a quiet addition evicts are kept here and put back afterwards.
	 */
	struct pool_stash *stash;
	/* pool_test_package's package message with details (its *pkg_reason). */
	char pkg_msg[320];

	/* Disconnected blocks, old tip first (pool_block_disconnected). */
	struct pending_block *pend;
	size_t npend, cappend;
};

struct pdelta {
	uint8_t txid[32];
	int64_t delta;
};

/* ---- pool.c ---- */
void pvec_push(struct pvec *v, struct pentry *e);
void pvec_free(struct pvec *v);
int pvec_has(const struct pvec *v, const struct pentry *e);
struct pentry *pool_find(const struct pool *p, const uint8_t txid[32]);
struct pentry *pool_find_wtxid(const struct pool *p, const uint8_t wtxid[32]);
/* The pool entry spending op, or NULL. */
struct pentry *pool_find_spender(const struct pool *p,
    const struct outpoint *op);
void pool_outpoint_key(const struct outpoint *op, uint8_t key[36]);
/* A fresh traversal mark. */
uint64_t pool_new_mark(struct pool *p);
/* In-pool ancestors / descendants of e (e excluded), appended to out. */
void pool_collect_ancestors(struct pool *p, struct pentry *e,
    struct pvec *out);
void pool_collect_descendants(struct pool *p, struct pentry *e,
    struct pvec *out);
/* Every entry of in plus all their descendants, each once. */
void pool_with_descendants(struct pool *p, const struct pvec *in,
    struct pvec *out);
/* Appends the entries spending outputs 0..nout-1 of txid, each once. */
void pool_collect_spenders(const struct pool *p, const uint8_t txid[32],
    size_t nout, struct pvec *out);
/*
 * Takes ownership of e (raw, tx, spends filled in; figures set) and links
 * it under parents (its distinct in-pool parents). quiet: no hook.
 */
void pool_add_entry(struct pool *p, struct pentry *e,
    const struct pvec *parents, int quiet);
/* Removes every entry of set (callers pass sets closed as they need). */
void pool_remove_set(struct pool *p, const struct pvec *set,
    enum pool_removal why, int quiet);
void pool_entry_free(struct pentry *e);
void pool_fill_info(const struct pool *p, const struct pentry *e,
    struct pool_entry_info *out);
/* Core's trackPackageRemoved. */
void pool_track_removed(struct pool *p, int64_t rate);
/* CFeeRate(fee, size): sat/kvB, truncating; 0 for size 0. */
int64_t pool_feerate(int64_t fee, int64_t size);
/* Core's FormatMoney: "0.00001", at least two decimals. */
void pool_format_money(int64_t v, char *out, size_t len);
/* CFeeRate::ToString: "0.00001000 BTC/kvB". */
void pool_format_feerate(int64_t rate, char *out, size_t len);

/* ---- chainview.c ---- */
struct consensus_coin;
/* The tip of the snapshot: hash, height and median time past. */
int chainview_tip(struct pool *p, struct store_rtxn *rt, uint8_t hash[32],
    int32_t *height, int64_t *mtp);
/* Core's CheckFinalTxAtTip: final in the block after the tip. 1 or 0. */
int chainview_is_final(const struct tx *tx, int32_t tip_height,
    int64_t tip_mtp);
/*
 * Core's CheckSequenceLocksAtTip: BIP68 for the block after the tip
 * (tip_height, tip_mtp) of snapshot rt; coins[i] is the coin vin[i] spends,
 * a coin of the pool at height tip_height + 1. 1 if the locks are met, 0 if
 * not, -1 on a store failure.
 */
int chainview_sequence_locks_ok(struct store_rtxn *rt, const struct tx *tx,
    const struct consensus_coin *coins, int32_t tip_height, int64_t tip_mtp);

/* ---- rbf.c ---- */
struct accept_result;
/*
 * Core's ReplacementChecks for a candidate with modified fee modfee and
 * vsize over its direct conflicts; fills all (conflicts with their
 * descendants). 0, or -1 with r's reason and debug set.
 */
int rbf_check(struct pool *p, const struct tx *tx, int64_t modfee,
    int64_t vsize, const struct pvec *conflicts, struct pvec *all,
    struct accept_result *r);
/* Core's EntriesAndTxidsDisjoint. 0 or -1 with r set. */
int rbf_disjoint(const struct pvec *ancestors, const struct pvec *conflicts,
    const struct tx *tx, struct accept_result *r);
/* Core's SingleTRUCChecks (no sibling eviction). 0 or -1 with r set. */
int truc_check(const struct tx *tx, int64_t vsize,
    const struct pvec *ancestors, const struct pvec *conflicts,
    struct accept_result *r);

/* ---- package_limits.c ---- */
/*
 * Core 28's CheckPackageLimits: the n transactions txs evaluated together
 * (none in the pool), of total_vsize, against the ancestor and descendant
 * limits as one transaction with all their in-pool ancestors. 0, or -1
 * with Core's message in err.
 */
int package_limits_check(struct pool *p, const struct tx *const *txs,
    size_t n, int64_t total_vsize, char *err, size_t len);

/* ---- package_rbf.c ---- */
/* Pool entries a trial evicted, to be put back (owner: package.c). */
struct pool_stash;
struct pool_stash *pool_stash_new(void);
/* Copies the entries of set (about to be removed) into s. */
void pool_stash_save(struct pool_stash *s, const struct pvec *set);
/* Adds the saved entries back quietly, as they were, and empties s. */
void pool_stash_restore(struct pool *p, struct pool_stash *s);
void pool_stash_free(struct pool_stash *s);

/* One package RBF attempt: what package.c knows, and the outcome. */
struct package_rbf {
	size_t n;		/* transactions evaluated together */
	uint8_t txid[2][32];	/* parent, child (when n == 2) */
	int64_t modfee[2], vsize[2];
	int64_t total_modfee, total_vsize;
	int has_pool_ancestors; /* a member spends a pool transaction */
	/* ... one that the package would evict (see package.c). */
	int spends_replaced;
	struct pvec direct;	/* the members' pool conflicts, each once */
	struct pvec all;	/* out: direct with their descendants */
	char reason[256], debug[256];
};
/* Sorts entries by txid as Core's sets of entries are (stored bytes). */
void package_rbf_sort(struct pvec *v);
/* Core's CheckConflictTopology over direct. 0, or -1 with msg. */
int package_rbf_topology(const struct pvec *direct, char *msg, size_t len);
/*
 * Core's ImprovesFeerateDiagram: replacing all (direct and their
 * descendants) by a chunk of fee and vsize must leave a strictly better
 * diagram. 0, or -1 with msg (a topology refusal, or the diagram's).
 */
int package_rbf_diagram(const struct pvec *direct, const struct pvec *all,
    int64_t fee, int64_t vsize, char *msg, size_t len);
/*
 * Core 28's PackageRBFChecks over r (direct non-empty): 0 with r->all
 * filled, or -1 with r->reason ("package RBF failed: ...") and r->debug.
 */
int package_rbf_check(struct pool *p, struct package_rbf *r);

/* ---- accept.c ---- */
/* Internal flags on top of pool.h's. */
#define ACCEPT_INT_QUIET 0x100	    /* no hooks */
#define ACCEPT_INT_NO_REPLACE 0x200 /* conflicts refused (packages) */
#define ACCEPT_INT_NO_TRIM 0x400
/* Package evaluation: no individual fee floor (the package's is checked). */
#define ACCEPT_INT_PKG_FEERATE 0x800
/* Stop before the script checks (a package's cheap checks come first). */
#define ACCEPT_INT_NO_SCRIPTS 0x1000
/*
 * max_feerate is Core 28's client_maxfeerate: a modified fee rate above it
 * is refused with "max feerate exceeded" before the scripts are checked.
 */
#define ACCEPT_INT_CLIENT_MAXRATE 0x2000
/*
 * Package RBF (package.c checks it for the package): conflicts are
 * evicted without the single-transaction replacement rules.
 */
#define ACCEPT_INT_PKG_RBF 0x4000
/*
 * A member of a package evaluated together: its own ancestor and
 * descendant limits count its in-pool ancestors only, not the members
 * added for the trial (in_package); no carve-out. The package's limits
 * are checked as a whole (package_limits.c).
 */
#define ACCEPT_INT_PKG_LIMITS 0x8000

enum accept_code pool_accept_flags(struct pool *p, const uint8_t *raw,
    size_t len, int flags, int64_t max_feerate, struct accept_result *r);
/*
 * Core's CheckFeeRate for vsize and modified fee modfee: the pool's
 * rolling minimum, then the minimum relay fee. 0, or -1 with r set and
 * r->reconsiderable.
 */
int accept_check_feerate(struct pool *p, int64_t vsize, int64_t modfee,
    struct accept_result *r);
/* Sets r's code, reason and debug (printf). Returns code. */
enum accept_code accept_fail(struct accept_result *r, enum accept_code code,
    const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
