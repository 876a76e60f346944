/*
 * The fee estimator: Bitcoin Core's block policy estimator (policy/fees.cpp),
 * learnt from the node's own pool and blocks. Transactions are grouped in
 * fee-rate buckets (1,000 sat/kvB up to 1e7, each 1.05 times the last, and
 * one open bucket above); three horizons (short, medium, long) keep
 * exponentially decaying counts of how many transactions of each bucket
 * confirmed within how many blocks, how many left the pool unconfirmed,
 * and how many are still waiting. An estimate is the lowest bucket range
 * whose success rate stays above a threshold.
 *
 * Threads: none, no locks. A struct fees belongs to one thread (the
 * mempool thread in the daemon, which feeds it the pool's additions and
 * removals and the blocks connected; unit tests drive it directly).
 *
 * Fee rates are satoshis per 1,000 virtual bytes (Core's CFeeRate), as
 * integers at the interface and doubles inside, as Core keeps them.
 */
#ifndef BR_FEES_H
#define BR_FEES_H

#include <stddef.h>
#include <stdint.h>

struct fees;
struct wbuf;

/* Core's FeeEstimateHorizon, in Core's ALL_FEE_ESTIMATE_HORIZONS order. */
enum fees_horizon {
	FEES_SHORT = 0,
	FEES_MEDIUM,
	FEES_LONG,
};
#define FEES_NHORIZONS 3

/* Core's success thresholds for estimatesmartfee. */
#define FEES_HALF_SUCCESS 0.6	 /* at target / 2 */
#define FEES_SUCCESS 0.85	 /* at target */
#define FEES_DOUBLE_SUCCESS 0.95 /* at 2 * target; estimaterawfee's default */

/* Core's fee_estimates.dat versions: needed to read, and ours (28.1). */
#define FEES_FILE_VERSION_REQUIRED 149900
#define FEES_FILE_VERSION 280100

struct fees *fees_new(void);
void fees_free(struct fees *f);

/* "short", "medium" or "long". */
const char *fees_horizon_name(enum fees_horizon h);

/*
 * A transaction entered the pool at chain height `height` (the tip when it
 * was accepted) with base fee `fee` satoshis and virtual size `vsize`.
 * valid: Core's validForFeeEstimation (not in IBD, no in-pool parents, not
 * a reorg re-add, not part of a package); an invalid one is only counted.
 * A transaction entering at another height than the last block seen is
 * ignored, as Core does (the estimator is catching up).
 */
void fees_tx_added(struct fees *f, const uint8_t txid[32], uint32_t height,
    int64_t fee, int64_t vsize, int valid);
/*
 * A tracked transaction left the pool unconfirmed (evicted, expired,
 * replaced, conflicting); one waiting for a full period counts as a
 * failure. 1 if it was tracked, 0 if not.
 */
int fees_tx_removed(struct fees *f, const uint8_t txid[32]);

/* A pool transaction that a block confirmed, as the pool knew it. */
struct fees_block_tx {
	uint8_t txid[32];
	uint32_t height; /* its entry height */
	int64_t fee, vsize;
};
/*
 * A block at `height` joined the chain and confirmed the pool's
 * transactions txs[0..n). Heights at or below the best seen are ignored
 * (reorgs), as Core does. Decays every average, then records each tracked
 * transaction's confirmation delay.
 */
void fees_block(struct fees *f, uint32_t height,
    const struct fees_block_tx *txs, size_t n);
/*
 * Core's FlushUnconfirmed: every tracked transaction is forgotten as if
 * it had left the pool (done before writing the file at shutdown).
 * Returns how many.
 */
size_t fees_flush_unconfirmed(struct fees *f);

/* ---- Estimates ---- */

/* The highest confirmation target a horizon tracks (12, 48, 1008). */
unsigned fees_max_target(const struct fees *f, enum fees_horizon h);

/* One bucket range of an estimate (Core's EstimatorBucket). */
struct fees_bucket {
	double start, end; /* -1: none */
	double within_target, total_confirmed, left_mempool;
	int in_mempool;
};
struct fees_result {
	struct fees_bucket pass, fail;
	double decay;
	unsigned scale;
};

/*
 * Core's estimateRawFee: the fee rate (sat/kvB) that met threshold at
 * target in horizon h, or 0 when none did (or target is out of the
 * horizon's range, or threshold > 1). res (may be NULL) gets the pass and
 * fail ranges.
 */
int64_t fees_estimate_raw(const struct fees *f, int target, double threshold,
    enum fees_horizon h, struct fees_result *res);
/*
 * Core's estimateSmartFee: the maximum of the 60% estimate at target / 2,
 * the 85% one at target and the 95% one at 2 * target (conservative: that
 * last one at every longer horizon too), with the target clamped to what
 * the data can answer. Returns the rate (sat/kvB) or 0; *returned_target
 * is the target used (0 when no block history).
 */
int64_t fees_estimate_smart(const struct fees *f, int target, int conservative,
    int *returned_target);

/* ---- fee_estimates.dat (Core's format) ---- */

/* Appends the file's bytes to w. */
void fees_write(const struct fees *f, struct wbuf *w);
/*
 * Replaces f's history with the file's (what is tracked in the pool is
 * kept). 0; 1 for a file too old in format to use (nothing changed); or
 * -1 with Core's reason in err (a corrupt file; nothing changed).
 */
int fees_read(struct fees *f, const uint8_t *p, size_t len, char *err,
    size_t errlen);

/* Counters for tests and the log. */
uint32_t fees_best_height(const struct fees *f);
size_t fees_tracked(const struct fees *f);

#endif
