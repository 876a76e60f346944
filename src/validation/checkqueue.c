/*
 * The script-check worker pool; design, result and lock order are in
 * checkqueue.h.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "script/script.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/checkqueue.h"

struct batch {
	const struct checkqueue_job *jobs;
	size_t n;
	struct sigcache *cache;
	int store;
};

struct worker {
	struct checkqueue *cq;
	int id;
	pthread_t tid;
};

struct checkqueue {
	int nworkers;
	struct worker *workers;

	/* Serializes checkqueue_run callers; taken before lock. */
	pthread_mutex_t run_lock;

	/*
	 * Guards everything down to fail_err. Held only to publish, join,
	 * leave or record a failure.
	 */
	pthread_mutex_t lock;
	pthread_cond_t work_cv; /* a batch was published, or stop */
	pthread_cond_t done_cv; /* the last worker left a batch */
	uint64_t gen;		/* batches published so far */
	int open;		/* workers may still join the batch */
	int active;		/* workers inside the batch */
	int stop;
	struct batch cur;
	size_t fail_index; /* lowest failure so far */
	int fail_err;

	/* Shared by the threads of a batch without the lock. */
	atomic_size_t next;	/* next job to claim */
	atomic_size_t fail_min; /* SIZE_MAX, or fail_index */
};

static void
record_failure(struct checkqueue *cq, size_t i, int err)
{
	size_t cur;

	pthread_mutex_lock(&cq->lock);
	if (i < cq->fail_index) {
		cq->fail_index = i;
		cq->fail_err = err;
	}
	pthread_mutex_unlock(&cq->lock);
	cur = atomic_load(&cq->fail_min);
	while (
	    i < cur && !atomic_compare_exchange_weak(&cq->fail_min, &cur, i))
		;
}

/* Claims and verifies jobs until none are left; run by every thread. */
static void
work(struct checkqueue *cq, const struct batch *b)
{
	const struct checkqueue_job *j;
	size_t i;
	int err;

	for (;;) {
		i = atomic_fetch_add(&cq->next, 1);
		/* Claims only grow: past a failure, all that is left is too. */
		if (i >= b->n || i > atomic_load(&cq->fail_min))
			return;
		j = &b->jobs[i];
		if (!script_verify_input_cached(j->tx, j->nin, j->spent,
			j->flags, j->td, b->cache, b->store, &err))
			record_failure(cq, i, err);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct checkqueue *cq = w->cq;
	struct batch b;
	uint64_t seen = 0;
	char name[16];

	snprintf(name, sizeof(name), "scriptch.%d", w->id);
	log_thread_name(name);
	pthread_mutex_lock(&cq->lock);
	for (;;) {
		while (!cq->stop && cq->gen == seen)
			pthread_cond_wait(&cq->work_cv, &cq->lock);
		if (cq->stop)
			break;
		seen = cq->gen;
		/* Too late for this batch: the caller has finished it. */
		if (!cq->open)
			continue;
		cq->active++;
		b = cq->cur;
		pthread_mutex_unlock(&cq->lock);
		work(cq, &b);
		pthread_mutex_lock(&cq->lock);
		if (--cq->active == 0)
			pthread_cond_signal(&cq->done_cv);
	}
	pthread_mutex_unlock(&cq->lock);
	return NULL;
}

struct checkqueue *
checkqueue_new(int nthreads)
{
	struct checkqueue *cq;
	sigset_t all, old;
	int i;

	if (nthreads < 0)
		nthreads = 0;
	if (nthreads > CHECKQUEUE_MAX_THREADS)
		nthreads = CHECKQUEUE_MAX_THREADS;
	cq = xcalloc(1, sizeof(*cq));
	cq->nworkers = nthreads > 1 ? nthreads - 1 : 0;
	if (pthread_mutex_init(&cq->run_lock, NULL) != 0 ||
	    pthread_mutex_init(&cq->lock, NULL) != 0 ||
	    pthread_cond_init(&cq->work_cv, NULL) != 0 ||
	    pthread_cond_init(&cq->done_cv, NULL) != 0)
		fatalx("%s: pthread init", __func__);
	atomic_init(&cq->next, 0);
	atomic_init(&cq->fail_min, SIZE_MAX);
	if (cq->nworkers == 0)
		return cq;

	cq->workers = xcalloc((size_t)cq->nworkers, sizeof(*cq->workers));
	/* Workers inherit a full signal mask: signals are main's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < cq->nworkers; i++) {
		cq->workers[i].cq = cq;
		cq->workers[i].id = i;
		if (pthread_create(&cq->workers[i].tid, NULL, worker_main,
			&cq->workers[i]) != 0)
			fatalx("%s: pthread_create", __func__);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return cq;
}

void
checkqueue_free(struct checkqueue *cq)
{
	int i;

	if (cq == NULL)
		return;
	pthread_mutex_lock(&cq->lock);
	cq->stop = 1;
	pthread_cond_broadcast(&cq->work_cv);
	pthread_mutex_unlock(&cq->lock);
	for (i = 0; i < cq->nworkers; i++)
		pthread_join(cq->workers[i].tid, NULL);
	free(cq->workers);
	pthread_cond_destroy(&cq->work_cv);
	pthread_cond_destroy(&cq->done_cv);
	pthread_mutex_destroy(&cq->lock);
	pthread_mutex_destroy(&cq->run_lock);
	free(cq);
}

int
checkqueue_threads(const struct checkqueue *cq)
{
	return cq->nworkers + 1;
}

int
checkqueue_run(struct checkqueue *cq, const struct checkqueue_job *jobs,
    size_t n, struct sigcache *cache, int store, struct checkqueue_fail *fail)
{
	struct batch b;
	int failed;

	b.jobs = jobs;
	b.n = n;
	b.cache = cache;
	b.store = store;

	pthread_mutex_lock(&cq->run_lock);
	pthread_mutex_lock(&cq->lock);
	cq->fail_index = SIZE_MAX;
	cq->fail_err = SCRIPT_ERR_OK;
	atomic_store(&cq->next, 0);
	atomic_store(&cq->fail_min, SIZE_MAX);
	cq->cur = b;
	/* A batch of one is not worth waking anyone for. */
	if (cq->nworkers > 0 && n > 1) {
		cq->open = 1;
		cq->gen++;
		pthread_cond_broadcast(&cq->work_cv);
	}
	pthread_mutex_unlock(&cq->lock);

	work(cq, &b);

	pthread_mutex_lock(&cq->lock);
	cq->open = 0;
	while (cq->active > 0)
		pthread_cond_wait(&cq->done_cv, &cq->lock);
	failed = cq->fail_index != SIZE_MAX;
	if (failed && fail != NULL) {
		fail->index = cq->fail_index;
		fail->err = cq->fail_err;
	}
	pthread_mutex_unlock(&cq->lock);
	pthread_mutex_unlock(&cq->run_lock);
	return failed ? -1 : 0;
}
