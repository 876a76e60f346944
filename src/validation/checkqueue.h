/*
 * Script-check worker pool: verifies a batch of transaction inputs (one
 * block's, typically) on N threads, the calling thread included, and
 * reports the first failing input.
 *
 * Design. checkqueue_new(n) starts n - 1 workers named "scriptch.0",
 * "scriptch.1", ... (Core's -par counts the caller as one of them); with
 * n of 0 or 1 there are no workers and checkqueue_run verifies inline on
 * the caller. Workers sleep on a condition variable between batches. A
 * batch is an array of jobs the caller owns: checkqueue_run publishes it,
 * wakes the workers, claims jobs itself from the same atomic counter, and
 * returns only once every worker has left the batch, so the array, the
 * transactions, the spent outputs and the script_txdata it points to need
 * to live only for the duration of the call.
 *
 * Result. The reported failure is the one with the lowest index, whatever
 * the thread timing: after a failure at index i, jobs above i are skipped
 * but jobs below i still run, so the answer is the same on every run and
 * every thread count.
 *
 * Locks. cq->lock guards the batch description, the generation counter,
 * the count of workers inside a batch and the failure record; it is held
 * only to publish, join, leave or record, never while a script runs. It is
 * taken after cq->run_lock, which serializes callers of checkqueue_run
 * (any thread may call it; concurrent callers take turns). Signature-cache
 * stripe locks (sigcache.h) may be taken while neither is held.
 */
#ifndef BR_CHECKQUEUE_H
#define BR_CHECKQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"
#include "script/script.h"

struct sigcache;

/* One input to verify: the arguments of script_verify_input. */
struct checkqueue_job {
	const struct tx *tx;
	size_t nin;			/* input index in tx */
	const struct txout *spent;	/* the output input nin spends */
	uint32_t flags;			/* SCRIPT_VERIFY_* */
	const struct script_txdata *td; /* tx's precomputed data, or NULL */
};

struct checkqueue_fail {
	size_t index; /* index into the jobs array */
	int err;      /* SCRIPT_ERR_* */
};

/* Maximum nthreads (Core's MAX_SCRIPTCHECK_THREADS is 15 workers + 1). */
#define CHECKQUEUE_MAX_THREADS 16

struct checkqueue;

/*
 * Starts nthreads - 1 workers; nthreads is clamped to
 * [0, CHECKQUEUE_MAX_THREADS]. Call from the thread that will own the
 * pool; workers block all signals so they go to the daemon's main thread.
 * fatalx if a thread cannot be created.
 */
struct checkqueue *checkqueue_new(int nthreads);
/* Stops and joins the workers. No checkqueue_run may be in progress. */
void checkqueue_free(struct checkqueue *cq);
/* Threads that run a batch, the caller included (1 when inline). */
int checkqueue_threads(const struct checkqueue *cq);

/*
 * Verifies jobs[0..n). cache (may be NULL) and store are passed to
 * script_verify_input_cached: blocks use store = 0 (hits are consumed),
 * the mempool store = 1. Returns 0 if every job verified, -1 if one
 * failed, with *fail (may be NULL) set to the lowest failing index and its
 * SCRIPT_ERR_* code.
 */
int checkqueue_run(struct checkqueue *cq, const struct checkqueue_job *jobs,
    size_t n, struct sigcache *cache, int store, struct checkqueue_fail *fail);

#endif
