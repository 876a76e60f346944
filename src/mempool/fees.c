/*
 * The fee estimator (fees.h): Core's CBlockPolicyEstimator and its
 * TxConfirmStats, rewritten from their behaviour. The arithmetic follows
 * Core's exactly (doubles, the same order of operations, unsigned
 * wrap-around where Core has it) so that a node fed the same transactions
 * and blocks answers the same estimates.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/fees.h"
#include "mempool/fees_int.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's bucket boundaries: MIN_BUCKET_FEERATE up to MAX_BUCKET_FEERATE. */
#define MIN_BUCKET_FEERATE 1000.0
#define MAX_BUCKET_FEERATE 1e7
#define FEE_SPACING 1.05
#define INF_FEERATE 1e99

/* Core's horizons: periods tracked, decay per block, blocks per period. */
static const struct {
	unsigned periods;
	double decay;
	unsigned scale;
} horizons[FEES_NHORIZONS] = {
	[FEES_SHORT] = { 12, .962, 1 },
	[FEES_MEDIUM] = { 24, .9952, 2 },
	[FEES_LONG] = { 42, .99931, 24 },
};

/* Core's SUFFICIENT_FEETXS and SUFFICIENT_TXS_SHORT (txs per block). */
#define SUFFICIENT_FEETXS 0.1
#define SUFFICIENT_TXS_SHORT 0.5
/* Core's OLDEST_ESTIMATE_HISTORY: history older than this is not used. */
#define OLDEST_ESTIMATE_HISTORY (6 * 1008)
const char *
fees_horizon_name(enum fees_horizon h)
{
	switch (h) {
	case FEES_SHORT: return "short";
	case FEES_MEDIUM: return "medium";
	case FEES_LONG: return "long";
	}
	return "?";
}

/* ---- one horizon ---- */

static unsigned
max_confirms(const struct stats *s)
{
	return s->scale * s->periods;
}

void
stats_free(struct stats *s)
{
	free(s->feerate_avg);
	free(s->txct_avg);
	free(s->conf_avg);
	free(s->fail_avg);
	free(s->unconf);
	free(s->old_unconf);
	memset(s, 0, sizeof(*s));
}

/* Empty counts for nb buckets and the given shape. */
static void
stats_init(struct stats *s, size_t nb, unsigned periods, double decay,
    unsigned scale)
{
	memset(s, 0, sizeof(*s));
	s->decay = decay;
	s->scale = scale;
	s->periods = periods;
	s->feerate_avg = xcalloc(nb, sizeof(double));
	s->txct_avg = xcalloc(nb, sizeof(double));
	s->conf_avg = xcalloc((size_t)periods * nb, sizeof(double));
	s->fail_avg = xcalloc((size_t)periods * nb, sizeof(double));
	s->unconf = xcalloc((size_t)max_confirms(s) * nb, sizeof(int));
	s->old_unconf = xcalloc(nb, sizeof(int));
}

/* Core's bucketMap.lower_bound: the first bucket whose bound is >= rate. */
static unsigned
bucket_of(const struct fees *f, double rate)
{
	size_t lo = 0, hi = f->nb - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->buckets[mid] < rate)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned)lo;
}

/* Core's ClearCurrent: the slot of this height starts a new round. */
static void
stats_clear_current(struct stats *s, size_t nb, uint32_t height)
{
	int *row = s->unconf + (size_t)(height % max_confirms(s)) * nb;
	size_t j;

	for (j = 0; j < nb; j++) {
		s->old_unconf[j] += row[j];
		row[j] = 0;
	}
}

static void
stats_decay(struct stats *s, size_t nb)
{
	size_t i, j;

	for (j = 0; j < nb; j++) {
		for (i = 0; i < s->periods; i++) {
			s->conf_avg[i * nb + j] *= s->decay;
			s->fail_avg[i * nb + j] *= s->decay;
		}
		s->feerate_avg[j] *= s->decay;
		s->txct_avg[j] *= s->decay;
	}
}

/* Core's Record: confirmed after blocks (>= 1) at rate in bucket b. */
static void
stats_record(struct stats *s, size_t nb, int blocks, unsigned b, double rate)
{
	unsigned periods_to_confirm, i;

	if (blocks < 1)
		return;
	periods_to_confirm = ((unsigned)blocks + s->scale - 1) / s->scale;
	for (i = periods_to_confirm; i <= s->periods; i++)
		s->conf_avg[(size_t)(i - 1) * nb + b] += 1;
	s->txct_avg[b] += 1;
	s->feerate_avg[b] += rate;
}

/* Core's TxConfirmStats::removeTx. */
static void
stats_remove(struct stats *s, size_t nb, uint32_t entry_height, uint32_t best,
    unsigned b, int in_block)
{
	int ago = (int)(best - entry_height);
	unsigned periods_ago, i, slots = max_confirms(s);
	int *cell;

	if (best == 0)
		ago = 0;
	if (ago < 0) {
		log_debug(LOG_ESTIMATEFEE,
		    "Blockpolicy error, blocks ago is "
		    "negative for mempool tx");
		return;
	}
	if (ago >= (int)slots) {
		if (s->old_unconf[b] > 0)
			s->old_unconf[b]--;
		else
			log_debug(LOG_ESTIMATEFEE,
			    "Blockpolicy error, mempool "
			    "tx removed from >25 blocks,bucketIndex=%u already",
			    b);
	} else {
		cell = &s->unconf[(size_t)(entry_height % slots) * nb + b];
		if (*cell > 0)
			(*cell)--;
		else
			log_debug(LOG_ESTIMATEFEE,
			    "Blockpolicy error, mempool "
			    "tx removed from blockIndex=%u,bucketIndex=%u "
			    "already",
			    entry_height % slots, b);
	}
	/* A failure only once it has waited a whole period. */
	if (!in_block && (unsigned)ago >= s->scale) {
		periods_ago = (unsigned)ago / s->scale;
		for (i = 0; i < periods_ago && i < s->periods; i++)
			s->fail_avg[(size_t)i * nb + b] += 1;
	}
}

static void
bucket_reset(struct fees_bucket *b)
{
	memset(b, 0, sizeof(*b));
	b->start = b->end = -1;
}

/* The counts of a bucket range, copied into a result bucket. */
static void
bucket_set(struct fees_bucket *b, const struct fees *f, unsigned near,
    unsigned far, double conf, double total, int extra, double fail)
{
	unsigned lo = near < far ? near : far, hi = near < far ? far : near;

	b->start = lo ? f->buckets[lo - 1] : 0;
	b->end = f->buckets[hi];
	b->within_target = conf;
	b->total_confirmed = total;
	b->in_mempool = extra;
	b->left_mempool = fail;
}

/*
 * Core's EstimateMedianVal. Walks from the highest bucket down, grouping
 * buckets until a group holds enough confirmed transactions, and keeps the
 * last group whose success rate met the threshold; answers the average
 * fee rate of the bucket holding that group's median transaction, or -1.
 */
static double
stats_estimate(const struct fees *f, const struct stats *s, int target,
    double sufficient, double success, uint32_t height,
    struct fees_result *res)
{
	size_t nb = f->nb;
	double conf = 0, total = 0, fail = 0, partial = 0, median = -1;
	double tx_sum = 0;
	int extra = 0, found = 0, new_range = 1, passing = 1;
	unsigned period = ((unsigned)target + s->scale - 1) / s->scale;
	unsigned maxb = (unsigned)nb - 1, bins = max_confirms(s);
	unsigned cur_near = maxb, best_near = maxb, cur_far = maxb;
	unsigned best_far = maxb, lo, hi, j, c;
	struct fees_bucket pass, failb;
	int b;

	bucket_reset(&pass);
	bucket_reset(&failb);
	/*
	 * A loaded file may give the horizons any shape: a target beyond
	 * this one's (conservative estimates ask the medium horizon at the
	 * short one's range) has no data here.
	 */
	if (target < 1 || (unsigned)target > bins) {
		if (res != NULL) {
			res->pass = pass;
			res->fail = failb;
			res->decay = s->decay;
			res->scale = s->scale;
		}
		return -1;
	}
	for (b = (int)maxb; b >= 0; b--) {
		if (new_range) {
			cur_near = (unsigned)b;
			new_range = 0;
		}
		cur_far = (unsigned)b;
		conf += s->conf_avg[(size_t)(period - 1) * nb + b];
		partial += s->txct_avg[b];
		total += s->txct_avg[b];
		fail += s->fail_avg[(size_t)(period - 1) * nb + b];
		/* Core's unsigned index arithmetic, wrap-around included. */
		for (c = (unsigned)target; c < bins; c++)
			extra +=
			    s->unconf[(size_t)((uint32_t)(height - c) % bins) *
				    nb +
				b];
		extra += s->old_unconf[b];
		if (partial < sufficient / (1 - s->decay))
			continue;
		partial = 0;
		if (conf / (total + fail + extra) < success) {
			if (passing) {
				bucket_set(&failb, f, cur_near, cur_far, conf,
				    total, extra, fail);
				passing = 0;
			}
			continue;
		}
		bucket_reset(&failb);
		found = 1;
		passing = 1;
		pass.within_target = conf;
		pass.total_confirmed = total;
		pass.in_mempool = extra;
		pass.left_mempool = fail;
		conf = total = fail = 0;
		extra = 0;
		best_near = cur_near;
		best_far = cur_far;
		new_range = 1;
	}

	lo = best_near < best_far ? best_near : best_far;
	hi = best_near < best_far ? best_far : best_near;
	for (j = lo; j <= hi; j++)
		tx_sum += s->txct_avg[j];
	if (found && tx_sum != 0) {
		tx_sum = tx_sum / 2;
		for (j = lo; j <= hi; j++) {
			if (s->txct_avg[j] < tx_sum)
				tx_sum -= s->txct_avg[j];
			else {
				median = s->feerate_avg[j] / s->txct_avg[j];
				break;
			}
		}
		pass.start = lo ? f->buckets[lo - 1] : 0;
		pass.end = f->buckets[hi];
	}
	/* Passing until the last buckets ran out of data: those failed. */
	if (passing && !new_range)
		bucket_set(&failb, f, cur_near, cur_far, conf, total, extra,
		    fail);
	log_debug(LOG_ESTIMATEFEE,
	    "FeeEst: %d > %.0f%% decay %.5f: feerate: "
	    "%g from (%g - %g) %.1f/(%.1f %d mem %.1f out) Fail: (%g - %g) "
	    "%.1f/(%.1f %d mem %.1f out)",
	    target, 100.0 * success, s->decay, median, pass.start, pass.end,
	    pass.within_target, pass.total_confirmed, pass.in_mempool,
	    pass.left_mempool, failb.start, failb.end, failb.within_target,
	    failb.total_confirmed, failb.in_mempool, failb.left_mempool);
	if (res != NULL) {
		res->pass = pass;
		res->fail = failb;
		res->decay = s->decay;
		res->scale = s->scale;
	}
	return median;
}

/* ---- the estimator ---- */

static void
buckets_default(struct fees *f)
{
	double b;
	size_t n = 0;

	for (b = MIN_BUCKET_FEERATE; b <= MAX_BUCKET_FEERATE; b *= FEE_SPACING)
		n++;
	f->buckets = xcalloc(n + 1, sizeof(double));
	n = 0;
	for (b = MIN_BUCKET_FEERATE; b <= MAX_BUCKET_FEERATE; b *= FEE_SPACING)
		f->buckets[n++] = b;
	f->buckets[n++] = INF_FEERATE;
	f->nb = n;
}

struct fees *
fees_new(void)
{
	struct fees *f = xcalloc(1, sizeof(*f));
	int h;

	buckets_default(f);
	for (h = 0; h < FEES_NHORIZONS; h++)
		stats_init(&f->st[h], f->nb, horizons[h].periods,
		    horizons[h].decay, horizons[h].scale);
	f->tracked = htab_new(32, offsetof(struct tracked, txid));
	return f;
}

static void
tracked_clear(struct fees *f)
{
	struct tracked *t;
	size_t pos = 0;

	while ((t = htab_next(f->tracked, &pos)) != NULL)
		free(t);
	htab_free(f->tracked);
}

void
fees_forget_tracked(struct fees *f)
{
	tracked_clear(f);
	f->tracked = htab_new(32, offsetof(struct tracked, txid));
}

void
fees_free(struct fees *f)
{
	int h;

	if (f == NULL)
		return;
	for (h = 0; h < FEES_NHORIZONS; h++)
		stats_free(&f->st[h]);
	free(f->buckets);
	tracked_clear(f);
	free(f);
}

uint32_t
fees_best_height(const struct fees *f)
{
	return f->best_height;
}

size_t
fees_tracked(const struct fees *f)
{
	return htab_count(f->tracked);
}

unsigned
fees_max_target(const struct fees *f, enum fees_horizon h)
{
	return max_confirms(&f->st[h]);
}

/* CFeeRate(fee, vsize).GetFeePerK(), as a double. */
static double
rate_of(int64_t fee, int64_t vsize)
{
	return vsize > 0 ? (double)(fee * 1000 / vsize) : 0;
}

void
fees_tx_added(struct fees *f, const uint8_t txid[32], uint32_t height,
    int64_t fee, int64_t vsize, int valid)
{
	struct tracked *t;
	double rate;
	int h;

	if (htab_get(f->tracked, txid) != NULL) {
		log_debug(LOG_ESTIMATEFEE,
		    "Blockpolicy error mempool tx "
		    "already being tracked");
		return;
	}
	/* Side chains, reorgs, or an estimator behind the tip. */
	if (height != f->best_height)
		return;
	if (!valid) {
		f->nuntracked_blk++;
		return;
	}
	f->ntracked_blk++;
	rate = rate_of(fee, vsize);
	t = xcalloc(1, sizeof(*t));
	memcpy(t->txid, txid, 32);
	t->height = height;
	t->bucket = bucket_of(f, rate);
	for (h = 0; h < FEES_NHORIZONS; h++) {
		struct stats *s = &f->st[h];

		s->unconf[(size_t)(height % max_confirms(s)) * f->nb +
		    t->bucket]++;
	}
	if (htab_put(f->tracked, t) != 0)
		fatalx("%s: tracked twice", __func__);
}

static int
remove_tx(struct fees *f, const uint8_t txid[32], int in_block)
{
	struct tracked *t = htab_del(f->tracked, txid);
	int h;

	if (t == NULL)
		return 0;
	for (h = 0; h < FEES_NHORIZONS; h++)
		stats_remove(&f->st[h], f->nb, t->height, f->best_height,
		    t->bucket, in_block);
	free(t);
	return 1;
}

int
fees_tx_removed(struct fees *f, const uint8_t txid[32])
{
	return remove_tx(f, txid, 0);
}

unsigned
fees_block_span(const struct fees *f)
{
	return f->first_recorded == 0 ? 0 : f->best_height - f->first_recorded;
}

unsigned
fees_historical_span(const struct fees *f)
{
	if (f->hist_first == 0)
		return 0;
	if (f->best_height - f->hist_best > OLDEST_ESTIMATE_HISTORY)
		return 0;
	return f->hist_best - f->hist_first;
}

/* Core's MaxUsableEstimate: half the span of history we have. */
static unsigned
max_usable(const struct fees *f)
{
	unsigned span = fees_block_span(f), hist = fees_historical_span(f);
	unsigned half = (span > hist ? span : hist) / 2;
	unsigned lmax = max_confirms(&f->st[FEES_LONG]);

	return lmax < half ? lmax : half;
}

void
fees_block(struct fees *f, uint32_t height, const struct fees_block_tx *txs,
    size_t n)
{
	unsigned counted = 0;
	size_t i;
	int h, blocks;

	/* Reorgs and side chains do not count, as in Core. */
	if (height <= f->best_height)
		return;
	f->best_height = height;
	for (h = 0; h < FEES_NHORIZONS; h++) {
		stats_clear_current(&f->st[h], f->nb, height);
		stats_decay(&f->st[h], f->nb);
	}
	for (i = 0; i < n; i++) {
		double rate;
		unsigned b;

		if (!remove_tx(f, txs[i].txid, 1))
			continue;
		blocks = (int)(height - txs[i].height);
		if (blocks <= 0)
			continue;
		rate = rate_of(txs[i].fee, txs[i].vsize);
		b = bucket_of(f, rate);
		for (h = 0; h < FEES_NHORIZONS; h++)
			stats_record(&f->st[h], f->nb, blocks, b, rate);
		counted++;
	}
	if (f->first_recorded == 0 && counted > 0) {
		f->first_recorded = f->best_height;
		log_debug(LOG_ESTIMATEFEE,
		    "Blockpolicy first recorded height "
		    "%u",
		    f->first_recorded);
	}
	log_debug(LOG_ESTIMATEFEE,
	    "Blockpolicy estimates updated by %u of "
	    "%zu block txs, since last block %u of %u tracked, mempool map "
	    "size %zu, max target %u from %s",
	    counted, n, f->ntracked_blk, f->ntracked_blk + f->nuntracked_blk,
	    htab_count(f->tracked), max_usable(f),
	    fees_historical_span(f) > fees_block_span(f) ? "historical" :
							   "current");
	f->ntracked_blk = f->nuntracked_blk = 0;
}

size_t
fees_flush_unconfirmed(struct fees *f)
{
	struct tracked *t;
	size_t pos = 0, n = 0, k;
	uint8_t(*ids)[32];

	/* Collect first: the table must not change while iterated. */
	ids = xcalloc(htab_count(f->tracked) + 1, 32);
	while ((t = htab_next(f->tracked, &pos)) != NULL)
		memcpy(ids[n++], t->txid, 32);
	for (k = 0; k < n; k++)
		(void)remove_tx(f, ids[k], 0);
	free(ids);
	log_debug(LOG_ESTIMATEFEE, "Recorded %zu unconfirmed txs from mempool",
	    n);
	return n;
}

/* ---- estimates ---- */

static double
sufficient_of(enum fees_horizon h)
{
	return h == FEES_SHORT ? SUFFICIENT_TXS_SHORT : SUFFICIENT_FEETXS;
}

int64_t
fees_estimate_raw(const struct fees *f, int target, double threshold,
    enum fees_horizon h, struct fees_result *res)
{
	const struct stats *s = &f->st[h];
	double median;

	if (target <= 0 || (unsigned)target > max_confirms(s))
		return 0;
	if (threshold > 1)
		return 0;
	median = stats_estimate(f, s, target, sufficient_of(h), threshold,
	    f->best_height, res);
	return median < 0 ? 0 : (int64_t)llround(median);
}

/* One horizon's answer at target with threshold, or -1. */
static double
horizon_estimate(const struct fees *f, enum fees_horizon h, unsigned target,
    double threshold, struct fees_result *res)
{
	return stats_estimate(f, &f->st[h], (int)target, sufficient_of(h),
	    threshold, f->best_height, res);
}

/*
 * Core's estimateCombinedFee: from the shortest horizon that tracks
 * target; with check_shorter, a lower answer from a shorter horizon's
 * longest target wins.
 */
static double
combined(const struct fees *f, unsigned target, double threshold,
    int check_shorter)
{
	unsigned smax = fees_max_target(f, FEES_SHORT);
	unsigned mmax = fees_max_target(f, FEES_MEDIUM);
	double est = -1, alt;

	if (target < 1 || target > fees_max_target(f, FEES_LONG))
		return -1;
	if (target <= smax)
		est = horizon_estimate(f, FEES_SHORT, target, threshold, NULL);
	else if (target <= mmax)
		est = horizon_estimate(f, FEES_MEDIUM, target, threshold,
		    NULL);
	else
		est = horizon_estimate(f, FEES_LONG, target, threshold, NULL);
	if (!check_shorter)
		return est;
	if (target > mmax) {
		alt = horizon_estimate(f, FEES_MEDIUM, mmax, threshold, NULL);
		if (alt > 0 && (est == -1 || alt < est))
			est = alt;
	}
	if (target > smax) {
		alt = horizon_estimate(f, FEES_SHORT, smax, threshold, NULL);
		if (alt > 0 && (est == -1 || alt < est))
			est = alt;
	}
	return est;
}

/* Core's estimateConservativeFee: 95% at double_target on longer horizons too. */
static double
conservative_est(const struct fees *f, unsigned double_target)
{
	double est = -1, l;

	if (double_target <= fees_max_target(f, FEES_SHORT))
		est = horizon_estimate(f, FEES_MEDIUM, double_target,
		    FEES_DOUBLE_SUCCESS, NULL);
	if (double_target <= fees_max_target(f, FEES_MEDIUM)) {
		l = horizon_estimate(f, FEES_LONG, double_target,
		    FEES_DOUBLE_SUCCESS, NULL);
		if (l > est)
			est = l;
	}
	return est;
}

int64_t
fees_estimate_smart(const struct fees *f, int target, int conservative,
    int *returned_target)
{
	double median, est;
	unsigned usable, t;

	*returned_target = target;
	if (target <= 0 || (unsigned)target > fees_max_target(f, FEES_LONG))
		return 0;
	/* No sensible estimate for the next block alone. */
	if (target == 1)
		target = 2;
	usable = max_usable(f);
	if ((unsigned)target > usable)
		target = (int)usable;
	*returned_target = target;
	if (target <= 1)
		return 0;
	t = (unsigned)target;
	median = combined(f, t / 2, FEES_HALF_SUCCESS, 1);
	est = combined(f, t, FEES_SUCCESS, 1);
	if (est > median)
		median = est;
	est = combined(f, 2 * t, FEES_DOUBLE_SUCCESS, !conservative);
	if (est > median)
		median = est;
	if (conservative || median == -1) {
		est = conservative_est(f, 2 * t);
		if (est > median)
			median = est;
	}
	return median < 0 ? 0 : (int64_t)llround(median);
}
