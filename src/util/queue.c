/*
 * Locked queues (see queue.h for the contract).
 *
 * Lock order: a queue's mutex is a leaf: nothing else is locked while it is
 * held, and it is never held across a wait other than its own condition
 * variables.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/metrics.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"

struct queue {
	pthread_mutex_t mu; /* guards head, tail, len, closed */
	pthread_cond_t nonempty;
	pthread_cond_t nonfull;
	struct msg *head;
	struct msg *tail;
	size_t len;
	size_t hwm;
	enum queue_policy pol;
	int closed;
	int efd;
	char name[32];
	/* label indices in M_QUEUE_DEPTH, _PEAK, _CAPACITY, _BLOCKED, _REFUSED */
	int li[5];
};

/*
 * The queue's gauges, set under its mutex (so one writer at a time): the
 * metrics cost one relaxed store per push or pop and no lock of their own.
 */
static void
note_depth(struct queue *q)
{
	metrics_set(M_QUEUE_DEPTH, q->li[0], (double)q->len);
	metrics_set_max(M_QUEUE_PEAK, q->li[1], (double)q->len);
}

struct msg *
msg_new(int type, uint64_t peer_id, const void *data, size_t len)
{
	struct msg *m = xmalloc(sizeof(*m) + len);

	m->next = NULL;
	m->type = type;
	m->peer_id = peer_id;
	m->len = len;
	if (data && len)
		memcpy(m->data, data, len);
	return m;
}

void
msg_free(struct msg *m)
{
	free(m);
}

struct queue *
queue_new(const char *name, size_t hwm, enum queue_policy pol)
{
	struct queue *q = xcalloc(1, sizeof(*q));
	pthread_condattr_t ca;

	pthread_mutex_init(&q->mu, NULL);
	/* Timed pops measure against the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &ca);
	pthread_cond_init(&q->nonfull, &ca);
	pthread_condattr_destroy(&ca);
	q->hwm = hwm ? hwm : 1;
	q->pol = pol;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd == -1)
		fatal("queue_new %s: eventfd", name);
	strncpy(q->name, name, sizeof(q->name) - 1);
	q->li[0] = metrics_label(M_QUEUE_DEPTH, q->name);
	q->li[1] = metrics_label(M_QUEUE_PEAK, q->name);
	q->li[2] = metrics_label(M_QUEUE_CAPACITY, q->name);
	q->li[3] = metrics_label(M_QUEUE_BLOCKED, q->name);
	q->li[4] = metrics_label(M_QUEUE_REFUSED, q->name);
	metrics_set(M_QUEUE_DEPTH, q->li[0], 0);
	metrics_set(M_QUEUE_CAPACITY, q->li[2], (double)q->hwm);
	return q;
}

void
queue_free(struct queue *q)
{
	struct msg *m, *next;

	if (q == NULL)
		return;
	for (m = q->head; m; m = next) {
		next = m->next;
		msg_free(m);
	}
	close(q->efd);
	pthread_cond_destroy(&q->nonempty);
	pthread_cond_destroy(&q->nonfull);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

static void
wake_loop(struct queue *q)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already non-zero: the loop is awake. */
	if (write(q->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		fatal("queue %s: eventfd write", q->name);
}

static int
push(struct queue *q, struct msg *m, int wait)
{
	int was_empty;
	int64_t t0 = 0;

	m->next = NULL;
	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->len >= q->hwm) {
		if (!wait) {
			pthread_mutex_unlock(&q->mu);
			metrics_inc(M_QUEUE_REFUSED, q->li[4]);
			return QUEUE_EFULL;
		}
		if (t0 == 0)
			t0 = time_mono_micros();
		pthread_cond_wait(&q->nonfull, &q->mu);
	}
	if (t0)
		metrics_add(M_QUEUE_BLOCKED, q->li[3],
		    (uint64_t)(time_mono_micros() - t0));
	if (q->closed) {
		pthread_mutex_unlock(&q->mu);
		return QUEUE_ECLOSED;
	}
	was_empty = q->head == NULL;
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->len++;
	note_depth(q);
	if (was_empty)
		pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
	if (was_empty)
		wake_loop(q);
	return 0;
}

int
queue_push(struct queue *q, struct msg *m)
{
	return push(q, m, q->pol == QUEUE_BLOCK);
}

int
queue_push_wait(struct queue *q, struct msg *m)
{
	return push(q, m, 1);
}

struct msg *
queue_drain(struct queue *q)
{
	struct msg *list;
	uint64_t v;

	/* Clear the wake-up first so a push racing with us wakes us again. */
	if (read(q->efd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		fatal("queue %s: eventfd read", q->name);
	pthread_mutex_lock(&q->mu);
	list = q->head;
	q->head = q->tail = NULL;
	q->len = 0;
	note_depth(q);
	pthread_cond_broadcast(&q->nonfull);
	pthread_mutex_unlock(&q->mu);
	return list;
}

struct msg *
queue_pop(struct queue *q, int timeout_ms)
{
	struct timespec deadline;
	struct msg *m;
	int rc = 0;

	if (timeout_ms >= 0)
		time_deadline(CLOCK_MONOTONIC, timeout_ms, &deadline);
	pthread_mutex_lock(&q->mu);
	while (q->head == NULL && !q->closed && rc != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->nonempty, &q->mu);
		else
			rc = pthread_cond_timedwait(&q->nonempty, &q->mu,
			    &deadline);
	}
	m = q->head;
	if (m) {
		q->head = m->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->len--;
		note_depth(q);
		m->next = NULL;
		pthread_cond_signal(&q->nonfull);
		/* Other consumers may be waiting for what is left. */
		if (q->head)
			pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->mu);
	return m;
}

int
queue_fd(const struct queue *q)
{
	return q->efd;
}

void
queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_cond_broadcast(&q->nonfull);
	pthread_mutex_unlock(&q->mu);
	wake_loop(q);
}

int
queue_closed(struct queue *q)
{
	int c;

	pthread_mutex_lock(&q->mu);
	c = q->closed;
	pthread_mutex_unlock(&q->mu);
	return c;
}

size_t
queue_len(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}

const char *
queue_name(const struct queue *q)
{
	return q->name;
}
