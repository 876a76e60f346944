/*
 * The fee estimator on the mempool thread (fees.h is the estimator
 * itself): what feeds it (the pool's hooks and the blocks connected),
 * fee_estimates.dat (read before the thread starts, written every hour and
 * at shutdown, as Core 28), and the requests estimatesmartfee and
 * estimaterawfee send. Everything here runs on the mempool thread, except
 * start and stop, which run on the main thread while the mempool thread
 * does not exist.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chainparams.h"
#include "mempool/mempool_int.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

/* Core's MAX_FILE_AGE: an older file would serve stale estimates. */
#define FEE_FILE_MAX_AGE_HOURS 60
/*
 * Core's FEE_FLUSH_INTERVAL: the file is rewritten every hour of real
 * (monotonic) time, a task of Core's scheduler: mockscheduler brings it
 * forward (mempool_req_mockforward), setmocktime does not.
 */
#define FEE_FLUSH_INTERVAL_US (3600 * 1000000LL)
/* A file larger than this is not one Core or we wrote (1,000 buckets max). */
#define FEE_FILE_MAX_BYTES (64u << 20)

/* Reads the file unless missing, stale (and not accepted) or corrupt. */
static void
load(struct mempool *m, int accept_stale)
{
	struct stat st;
	uint8_t *p;
	size_t len;
	char err[256];
	long long age;
	int rc;

	if (stat(m->feepath, &st) != 0) {
		log_info("%s is not found. Continue anyway.", m->feepath);
		return;
	}
	/* Whole hours, wall clock (not mock time), as Core counts them. */
	age = ((long long)time(NULL) - (long long)st.st_mtime) / 3600;
	if (age > FEE_FILE_MAX_AGE_HOURS && !accept_stale) {
		log_info(
		    "Fee estimation file %s too old (age=%lld > %d hours) "
		    "and will not be used to avoid serving stale estimates.",
		    m->feepath, age, FEE_FILE_MAX_AGE_HOURS);
		return;
	}
	if (file_read_all(m->feepath, FEE_FILE_MAX_BYTES, &p, &len) != 0) {
		log_warn("Failed to read fee estimates from %s. Continue "
			 "anyway.",
		    m->feepath);
		return;
	}
	err[0] = '\0';
	rc = fees_read(m->fees, p, len, err, sizeof(err));
	free(p);
	if (rc < 0)
		log_info("Failed to read fee estimates from %s. Continue "
			 "anyway. (%s)",
		    m->feepath, err);
}

int
mempool_fees_start(struct mempool *m)
{
	int accept_stale = args_get_bool(m->args, "acceptstalefeeestimates",
	    0);
	int n;

	if (accept_stale && m->cp->id != CHAIN_REGTEST) {
		log_warnx("Error: acceptstalefeeestimates is not supported on "
			  "%s chain.",
		    args_chain_name(m->args));
		return -1;
	}
	/* Core has no estimator when it ignores peers' transactions. */
	if (args_get_bool(m->args, "blocksonly", 0))
		return 0;
	n = snprintf(m->feepath, sizeof(m->feepath), "%s/fee_estimates.dat",
	    args_chaindir(m->args));
	if (n < 0 || (size_t)n >= sizeof(m->feepath)) {
		log_warnx("Error: the data directory path is too long");
		return -1;
	}
	m->fees = fees_new();
	load(m, accept_stale);
	m->fee_flush_due_us = time_mono_micros() + FEE_FLUSH_INTERVAL_US;
	return 0;
}

static void
write_file(struct mempool *m)
{
	struct wbuf w;
	const char *step;

	wbuf_init(&w);
	fees_write(m->fees, &w);
	if (file_write_atomic(m->feepath, w.p, w.len, &step) != 0)
		log_warn("Failed to write fee estimates to %s (cannot %s). "
			 "Continue anyway.",
		    m->feepath, step);
	else
		log_info("Flushed fee estimates to fee_estimates.dat.");
	wbuf_free(&w);
	/* As Core's scheduleEvery: the next run an interval after this one. */
	m->fee_flush_due_us = time_mono_micros() + FEE_FLUSH_INTERVAL_US;
}

void
mempool_fees_tick(struct mempool *m)
{
	if (m->fees != NULL && time_mono_micros() >= m->fee_flush_due_us)
		write_file(m);
}

void
mempool_req_mockforward(void *owner, void *in, void *out, struct request *r)
{
	struct mempool *m = owner;

	(void)out;
	(void)r;
	m->fee_flush_due_us -= *(const int64_t *)in;
	mempool_fees_tick(m);
}

void
mempool_fees_stop(struct mempool *m)
{
	if (m->fees == NULL)
		return;
	/* Core's Flush: what still waits counts as left, then the file. */
	(void)fees_flush_unconfirmed(m->fees);
	write_file(m);
	fees_free(m->fees);
	m->fees = NULL;
	free(m->blkconf);
	m->blkconf = NULL;
}

/* ---- feeding ---- */

void
mempool_fees_added(struct mempool *m, const struct pool_entry_info *e)
{
	int valid;

	if (m->fees == NULL)
		return;
	/*
	 * Core's validForFeeEstimation: not put back by a reorg (limits
	 * bypassed), not submitted in a package (submitpackage, 1p1c relay),
	 * the node not in initial download, and no parent in the pool.
	 */
	valid = !m->readding && !m->in_package && e->nparents == 0 &&
	    !validation_is_initial_download(m->v);
	fees_tx_added(m->fees, e->txid, (uint32_t)e->height, e->fee, e->vsize,
	    valid);
}

void
mempool_fees_removed(struct mempool *m, const struct pool_entry_info *e,
    enum pool_removal why)
{
	struct fees_block_tx *t;

	if (m->fees == NULL)
		return;
	if (why != POOL_REMOVED_BLOCK) {
		(void)fees_tx_removed(m->fees, e->txid);
		return;
	}
	/* Confirmed: kept for mempool_fees_block, as Core's removed-for-block list. */
	if (m->nblkconf == m->capblkconf) {
		m->capblkconf = m->capblkconf ? m->capblkconf * 2 : 256;
		m->blkconf = xreallocarray(m->blkconf, m->capblkconf,
		    sizeof(*m->blkconf));
	}
	t = &m->blkconf[m->nblkconf++];
	memcpy(t->txid, e->txid, 32);
	t->height = (uint32_t)e->height;
	t->fee = e->fee;
	t->vsize = e->vsize;
}

void
mempool_fees_block(struct mempool *m, int32_t height)
{
	if (m->fees != NULL && height > 0)
		fees_block(m->fees, (uint32_t)height, m->blkconf, m->nblkconf);
	m->nblkconf = 0;
}

/* ---- requests ---- */

static int
check_target(struct mempool *m, int target, struct request *r)
{
	unsigned max;

	if (m->fees == NULL) {
		request_fail(r, MEMPOOL_E_NO_ESTIMATOR,
		    "Fee estimation disabled");
		return -1;
	}
	max = fees_max_target(m->fees, FEES_LONG);
	if (target < 1 || (unsigned)target > max) {
		request_fail(r, MEMPOOL_E_PARAM,
		    "Invalid conf_target, must be "
		    "between 1 and %u",
		    max);
		return -1;
	}
	return 0;
}

void
mempool_req_fee_smart(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_fee_smart_in *in = in_;
	struct mempool_fee_smart_out *out = out_;
	int64_t floor;

	if (check_target(m, in->target, r) != 0)
		return;
	if (!in->mode_ok) {
		request_fail(r, MEMPOOL_E_PARAM,
		    "Invalid estimate_mode "
		    "parameter, must be one of: \"unset\", \"economical\", "
		    "\"conservative\"");
		return;
	}
	out->rate = fees_estimate_smart(m->fees, in->target, in->conservative,
	    &out->blocks);
	/* Never below what the pool or a relay would take (Core). */
	floor = pool_min_fee(m->pool, m->pol.max_mempool_bytes);
	if (floor < m->pol.min_relay_fee)
		floor = m->pol.min_relay_fee;
	if (out->rate > 0 && out->rate < floor)
		out->rate = floor;
}

void
mempool_req_fee_raw(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_fee_raw_in *in = in_;
	struct mempool_fee_raw_out *out = out_;
	struct mempool_fee_horizon *o;
	int h;

	if (check_target(m, in->target, r) != 0)
		return;
	if (!(in->threshold >= 0 && in->threshold <= 1)) {
		request_fail(r, MEMPOOL_E_PARAM, "Invalid threshold");
		return;
	}
	out->n = 0;
	for (h = 0; h < FEES_NHORIZONS; h++) {
		/* Only the horizons that track the target. */
		if ((unsigned)in->target > fees_max_target(m->fees, h))
			continue;
		o = &out->h[out->n++];
		o->horizon = h;
		o->rate = fees_estimate_raw(m->fees, in->target, in->threshold,
		    h, &o->res);
	}
}
