/*
 * The transaction pool: the unconfirmed transactions a node holds, with
 * their fees, sizes and in-pool parent/child links, and the acceptance rules
 * that let a transaction in (Core's MemPoolAccept: consensus on the current
 * UTXO set plus policy, RBF, TRUC, package limits).
 *
 * Threads: none of its own and no locks. A pool belongs to one thread (the
 * mempool thread in the daemon, see mempool.h; unit tests drive it directly)
 * and every function here must be called from that thread. It reads the
 * chain through short store read transactions (store.h) and the
 * chainstate's any-thread lookups (chainstate_tip, chainstate_lookup,
 * chainstate_active_hash, under the validation mutex), and never waits for
 * another thread, so the validation thread may wait for it.
 *
 * Ownership: the pool owns a copy of every transaction's raw bytes and its
 * parsed struct tx (which borrows those bytes). Pointers handed out in
 * struct pool_entry_info are valid until the pool next changes.
 *
 * Consistency with the chain: acceptance reads the UTXO set of one store
 * snapshot. The owner tells the pool about every block connected or
 * disconnected, in order (pool_block_connected/_disconnected); a
 * transaction accepted against a snapshot newer than the last block the
 * pool was told about is fixed up when that notification arrives (a
 * confirmed or conflicting entry is removed then).
 */
#ifndef BR_POOL_H
#define BR_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "mempool/policy.h"
#include "primitives/block.h"
#include "primitives/tx.h"

struct chainparams;
struct chainstate;
struct sigcache;
struct store;
struct pool;

/* Height that coins created by pool transactions report (Core's MEMPOOL_HEIGHT). */
#define POOL_MEMPOOL_HEIGHT 0x7fffffff

/* What the pool reads the chain through; borrowed, must outlive the pool. */
struct pool_env {
	const struct chainparams *cp;
	struct store *store;
	struct chainstate *cs;	   /* tip, MTP, sequence-lock lookups */
	struct sigcache *sigcache; /* may be NULL */
	const struct policy *pol;
};

/* Why an entry left the pool (Core's MemPoolRemovalReason). */
enum pool_removal {
	POOL_REMOVED_EXPIRY,	/* older than -mempoolexpiry */
	POOL_REMOVED_SIZELIMIT, /* trimmed to -maxmempool */
	POOL_REMOVED_REORG,	/* no longer valid after a reorg */
	POOL_REMOVED_BLOCK,	/* confirmed in a block */
	POOL_REMOVED_CONFLICT,	/* a block spent one of its inputs */
	POOL_REMOVED_REPLACED, /* replaced by a higher-fee transaction (RBF) */
};
const char *pool_removal_name(enum pool_removal why);

/* A copy of one entry's figures. */
struct pool_entry_info {
	uint8_t txid[32];
	uint8_t wtxid[32];
	const struct tx *tx; /* borrowed, see above */
	const uint8_t *raw;  /* serialized with witness, borrowed */
	size_t raw_len;
	int64_t fee;	      /* base fee, satoshis */
	int64_t modified_fee; /* fee + prioritisetransaction delta */
	int64_t vsize;	      /* with the sigop adjustment */
	size_t weight;
	int64_t sigop_cost;
	int64_t time;	/* entry time, node_time() seconds */
	int32_t height; /* tip height when it entered */
	/*
	 * In added/removed hooks only: Core's mempool sequence number of
	 * this addition or removal (getrawmempool's mempool_sequence is the
	 * next one).
	 */
	uint64_t sequence;
	/* Including the entry itself, as Core reports them. */
	size_t anc_count;
	int64_t anc_size;
	int64_t anc_fees; /* modified */
	size_t desc_count;
	int64_t desc_size;
	int64_t desc_fees;	    /* modified */
	int bip125_replaceable;	    /* signals, or an in-pool ancestor does */
	size_t nparents, nchildren; /* in-pool links */
};

/* Hooks, called on the owner's thread inside the call that caused them. */
struct pool_hooks {
	void *arg;
	void (*added)(void *arg, const struct pool_entry_info *e);
	void (*removed)(void *arg, const struct pool_entry_info *e,
	    enum pool_removal why);
};

struct pool *pool_new(const struct pool_env *env);
void pool_free(struct pool *p);
void pool_set_hooks(struct pool *p, const struct pool_hooks *h);

/* ---- Acceptance ---- */

/* Outcome classes of an acceptance (Core's TxValidationResult, folded). */
enum accept_code {
	ACCEPT_OK = 0,
	ACCEPT_ALREADY, /* same txid already in the pool: "txn-already-in-mempool" */
	ACCEPT_SAME_TXID, /* same txid, other witness: "txn-same-nonwitness-data-in-mempool" */
	ACCEPT_CONSENSUS, /* invalid by consensus: the sender misbehaved */
	ACCEPT_POLICY, /* valid but not accepted: non-standard, fee, limits */
	ACCEPT_MISSING_INPUTS, /* an input is neither in the UTXO set nor the pool */
	ACCEPT_CONFLICT, /* conflicts and may not replace: "txn-mempool-conflict" */
	ACCEPT_IN_CHAIN, /* outputs already in the UTXO set: "txn-already-known" */
	ACCEPT_WITNESS_STRIPPED, /* witness missing/mutated: don't remember the txid as bad */
	ACCEPT_ERROR, /* our own failure (store) */
};

#define ACCEPT_MAX_MISSING 32
#define ACCEPT_MAX_REPLACED 100 /* Core's MAX_REPLACEMENT_CANDIDATES */

struct accept_result {
	enum accept_code code;
	char reason
	    [96]; /* Core's reject reason, e.g. "min relay fee not met" */
	char debug[256]; /* Core's debug text, e.g. "100 < 141" */
	uint8_t txid[32], wtxid[32];
	int64_t fee; /* base fee (when inputs were found) */
	int64_t vsize;
	int64_t effective_feerate; /* sat/kvB, as testmempoolaccept reports */
	/*
	 * Core's TX_RECONSIDERABLE: refused for its fee rate alone (the
	 * minimum fees, or an RBF fee rule); a child paying for it may get
	 * both in as a package.
	 */
	int reconsiderable;
	/* ACCEPT_MISSING_INPUTS: the parents' txids not found (orphan handling). */
	size_t nmissing;
	uint8_t missing[ACCEPT_MAX_MISSING][32];
	/* ACCEPT_OK: txids this one replaced (already removed from the pool). */
	size_t nreplaced;
	uint8_t replaced[ACCEPT_MAX_REPLACED][32];
};

/* Flags for pool_accept. */
#define ACCEPT_TEST_ONLY \
	0x1 /* check everything, add nothing (testmempoolaccept) */
#define ACCEPT_BYPASS_LIMITS \
	0x2 /* reorg re-add: no fee floor, no size trimming (Core's bypass_limits) */
#define ACCEPT_NO_RBF 0x4 /* conflicts are refused outright */

/*
 * Parses raw (with witness) and runs every check of Core's
 * AcceptToMemoryPool against the current tip: context-free checks, not a
 * coinbase, standardness, finality (IsFinalTx at tip+1, MTP), inputs from
 * the UTXO set or the pool, coinbase maturity, BIP68 sequence locks, money
 * range and fee, sigop limits, min relay fee and the pool's rolling minimum,
 * ancestor/descendant limits, RBF (full RBF: Core 30's rules 2-5), TRUC,
 * then scripts with the standard flags (a failure is retried with the
 * mandatory flags to tell policy from consensus, as Core). With
 * max_feerate > 0 (sat/kvB), a higher fee rate is refused with "max-fee-exceeded".
 * Returns r->code (ACCEPT_OK when added, or when it would be with
 * ACCEPT_TEST_ONLY).
 */
enum accept_code pool_accept(struct pool *p, const uint8_t *raw, size_t len,
    int flags, int64_t max_feerate, struct accept_result *r);

/*
 * testmempoolaccept with several transactions (a package, in order, each
 * may spend earlier ones): every one checked as if the earlier ones were
 * in the pool; nothing is added. r has n entries. Returns 0, or -1 when the
 * package as a whole is refused (*pkg_reason: "package-not-sorted",
 * "package-contains-duplicates", "conflict-in-package",
 * "package-mempool-limits, DETAILS" (Core's state string, valid until the
 * next call on p), ...); then the entries that were not reached have code
 * ACCEPT_POLICY and reason "". Each member's own limits count its in-pool
 * ancestors only; the package's are checked as a whole before the
 * scripts, as Core 28's.
 */
int pool_test_package(struct pool *p, const uint8_t *const *raws,
    const size_t *lens, size_t n, int64_t max_feerate, struct accept_result *r,
    const char **pkg_reason);

/* ---- Packages (package.c): Core 28's AcceptPackage ---- */

/* Core's MAX_PACKAGE_COUNT and MAX_PACKAGE_WEIGHT. */
#define PACKAGE_MAX_COUNT 25
#define PACKAGE_MAX_WEIGHT 404000

/* Core's PackageValidationResult. */
enum pkg_state {
	PKG_OK = 0,
	PKG_POLICY,	   /* the package as a whole breaks a package rule */
	PKG_TX,		   /* "transaction failed": see the transactions */
	PKG_MEMPOOL_ERROR, /* our own failure */
};

/* Core's MempoolAcceptResult::ResultType, and "no result". */
enum pkg_tx_kind {
	PKG_TX_NONE = 0,      /* not evaluated */
	PKG_TX_VALID,	      /* entered the pool now */
	PKG_TX_IN_POOL,	      /* already there */
	PKG_TX_OTHER_WITNESS, /* its txid is there with another witness */
	PKG_TX_INVALID,
};

struct pkg_tx_result {
	enum pkg_tx_kind kind;
	uint8_t txid[32], wtxid[32];
	uint8_t other_wtxid[32];   /* PKG_TX_OTHER_WITNESS */
	int64_t vsize, fee;	   /* VALID and IN_POOL; fee is the base fee */
	int64_t effective_feerate; /* VALID: sat/kvB */
	size_t nincludes; /* VALID: whose fees and sizes that rate counts */
	uint8_t includes[PACKAGE_MAX_COUNT][32];
	struct accept_result
	    r; /* INVALID: the refusal; VALID: what it replaced */
};

struct pkg_result {
	enum pkg_state state;
	char reason[256]; /* not PKG_OK: Core's package reject reason */
	char debug[256];
	size_t n;
	struct pkg_tx_result tx[PACKAGE_MAX_COUNT]; /* in package order */
};

/*
 * submitpackage and 1p1c package relay (Core 28's ProcessNewPackage with
 * test_accept false): a well-formed package of one child and its
 * unconfirmed parents, last the child (or one transaction). Transactions
 * already in the pool are not evaluated again; each other one is tried on
 * its own (RBF allowed), and those refused for their fee rate alone (or
 * missing a package parent) are then evaluated together at their
 * package fee rate, its limits checked as a whole and, when it
 * conflicts with the pool, Core 28's package RBF rules (one parent and
 * one child; package_rbf.c). max_feerate (sat/kvB, 0: none) is
 * Core's client_maxfeerate. Hooks fire for what enters, as it enters;
 * the pool is trimmed at the end. out (large: allocate it) says the rest;
 * returns out->state.
 */
enum pkg_state pool_accept_package(struct pool *p, const uint8_t *const *raws,
    const size_t *lens, size_t n, int64_t max_feerate, struct pkg_result *out);

/* ---- Chain events (owner thread, in chain order) ---- */

/*
 * A block joined the active chain at height: removes its transactions and
 * every pool transaction that conflicts with them (and their descendants),
 * then the entries that are no longer final or whose coinbase spends are
 * immature (Core's removeForBlock + removeForReorg's checks).
 */
void pool_block_connected(struct pool *p, const struct block *b,
    int32_t height);
/*
 * A block left the active chain: its transactions (not the coinbase) are
 * offered back with ACCEPT_BYPASS_LIMITS, in block order, after any
 * disconnected block above it (the owner calls this from the old tip down
 * and pool_reorg_done once the chain has settled).
 */
void pool_block_disconnected(struct pool *p, const struct block *b,
    int32_t height);
/* After a reorg: drops what the new tip makes invalid (finality, maturity, sequence locks), trims. */
void pool_reorg_done(struct pool *p);

/* ---- Housekeeping ---- */

/* Removes entries that entered before now - expiry (and their descendants); returns how many. */
size_t pool_expire(struct pool *p, int64_t now);
/*
 * Evicts the lowest descendant-feerate packages until the pool's memory
 * usage is at most max_bytes; raises the rolling minimum fee rate.
 */
void pool_trim(struct pool *p, size_t max_bytes);
/* Core's GetMinFee: the rolling minimum fee rate (sat/kvB, decays with a 12 h half-life). */
int64_t pool_min_fee(struct pool *p, size_t max_bytes);
/* prioritisetransaction: adds delta (satoshis) to txid's modified fee (also before it arrives). */
void pool_prioritise(struct pool *p, const uint8_t txid[32], int64_t delta);
/* The delta recorded for txid (0 if none). */
int64_t pool_get_delta(const struct pool *p, const uint8_t txid[32]);
/*
 * Sets an entry's entry time (mempool.dat keeps the original one, so a
 * reload does not restart the expiry clock). 0, or -1 if not in the pool.
 */
int pool_set_time(struct pool *p, const uint8_t txid[32], int64_t time);
/*
 * Every recorded delta, of entries and of
 * transactions not in the pool (getprioritisedtransactions), in no
 * particular order; cb returns non-zero to stop. cb must not change the pool.
 */
void pool_foreach_delta(const struct pool *p,
    int (*cb)(void *arg, const uint8_t txid[32], int64_t delta), void *arg);

/* ---- Lookups ---- */

size_t pool_count(const struct pool *p);
int64_t pool_total_vsize(const struct pool *p); /* Core's "bytes" */
size_t pool_usage(
    const struct pool *p); /* estimated heap bytes, Core's "usage" */
int64_t pool_total_fee(const struct pool *p);
/* Monotonic count of additions and removals (getrawmempool's mempool_sequence). */
uint64_t pool_sequence(const struct pool *p);

/* 0 with *out, or -1 when txid (or wtxid) is not in the pool. */
int pool_get(const struct pool *p, const uint8_t txid[32],
    struct pool_entry_info *out);
int pool_get_by_wtxid(const struct pool *p, const uint8_t wtxid[32],
    struct pool_entry_info *out);
/* The pool transaction that spends op: 1 with its txid, or 0. */
int pool_spender(const struct pool *p, const struct outpoint *op,
    uint8_t txid[32]);
/*
 * An output created by a pool transaction: 1 with *out (script borrowed,
 * height POOL_MEMPOOL_HEIGHT), 0 if none (or already spent in the pool
 * when unspent_only).
 */
int pool_get_output(const struct pool *p, const struct outpoint *op,
    int unspent_only, struct txout *out);

/*
 * Iteration; cb returns non-zero to stop. pool_foreach visits every entry
 * in no particular order; ancestors/descendants exclude the entry itself;
 * parents/children are the direct in-pool links. -1 if txid is not in the pool.
 */
void pool_foreach(const struct pool *p,
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg);
int pool_ancestors(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg);
int pool_descendants(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg);
int pool_parents(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg);
int pool_children(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg);

/*
 * Block template selection (Core's BlockAssembler::addPackageTxs): entries
 * by ancestor fee rate, each after its in-pool parents, skipping packages
 * below min_feerate (sat/kvB) and stopping at max_weight / max_sigop_cost
 * (the caller has already taken the coinbase's share out). cb is called in
 * block order; returns how many were selected.
 */
size_t pool_select(struct pool *p, size_t max_weight, int64_t max_sigop_cost,
    int64_t min_feerate,
    void (*cb)(void *arg, const struct pool_entry_info *e), void *arg);

#endif
