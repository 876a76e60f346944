/*
 * A block's script checks: collected while the block's inputs are found,
 * then verified in one batch on the check queue (validation/checkqueue.h),
 * whose workers and the validation thread share the work.
 *
 * The wall time spent in each batch is added up for -debug=bench: two
 * monotonic clock reads per block, cheap enough to leave on always.
 */
#include <stdlib.h>
#include <unistd.h>

#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/checkqueue.h"

struct script_batch {
	struct checkqueue *cq;
	struct sigcache *cache;
	struct checkqueue_job *jobs;
	size_t n, cap;
	int64_t run_us; /* total in checkqueue_run */
};

struct script_batch *
script_batch_new(int threads, struct sigcache *cache)
{
	struct script_batch *sb = xcalloc(1, sizeof(*sb));
	long ncpu;

	if (threads <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (int)ncpu : 1;
	}
	if (threads > CHECKQUEUE_MAX_THREADS)
		threads = CHECKQUEUE_MAX_THREADS;
	sb->cq = checkqueue_new(threads);
	sb->cache = cache;
	return sb;
}

void
script_batch_free(struct script_batch *sb)
{
	if (sb == NULL)
		return;
	checkqueue_free(sb->cq);
	free(sb->jobs);
	free(sb);
}

void
script_batch_begin(struct script_batch *sb)
{
	sb->n = 0;
}

void
script_batch_add(struct script_batch *sb, const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td)
{
	struct checkqueue_job *j;

	if (sb->n == sb->cap) {
		sb->cap = sb->cap ? sb->cap * 2 : 1024;
		sb->jobs = xreallocarray(sb->jobs, sb->cap, sizeof(*sb->jobs));
	}
	j = &sb->jobs[sb->n++];
	j->tx = tx;
	j->nin = nin;
	j->spent = spent;
	j->flags = flags;
	j->td = td;
}

int
script_batch_wait(struct script_batch *sb, int *err)
{
	struct checkqueue_fail fail;
	size_t n = sb->n;
	int64_t t0;
	int rc;

	sb->n = 0;
	if (n == 0)
		return 0;
	t0 = time_mono_micros();
	/* Blocks consume cache hits rather than adding to the cache. */
	rc = checkqueue_run(sb->cq, sb->jobs, n, sb->cache, 0, &fail);
	sb->run_us += time_mono_micros() - t0;
	if (rc != 0) {
		*err = fail.err;
		return -1;
	}
	return 0;
}

int64_t
script_batch_micros(const struct script_batch *sb)
{
	return sb->run_us;
}

int
script_batch_threads(const struct script_batch *sb)
{
	return checkqueue_threads(sb->cq);
}

void
script_batch_discard(struct script_batch *sb)
{
	sb->n = 0;
}
