#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "unit.h"
#include "util/queue.h"

static void
test_fifo_and_drain(void)
{
	struct queue *q = queue_new("t", 16, QUEUE_REFUSE);
	struct msg *m, *list;
	int i, n;

	for (i = 0; i < 5; i++)
		CHECK(queue_push(q,
			  msg_new(i, (uint64_t)i * 10, &i, sizeof(i))) == 0);
	CHECK_EQ_INT(queue_len(q), 5);
	list = queue_drain(q);
	CHECK_EQ_INT(queue_len(q), 0);
	for (n = 0, m = list; m; n++) {
		struct msg *next = m->next;
		int v;

		memcpy(&v, m->data, sizeof(v));
		CHECK_EQ_INT(m->type, n);
		CHECK_EQ_INT(v, n);
		CHECK_EQ_INT(m->peer_id, (uint64_t)n * 10);
		msg_free(m);
		m = next;
	}
	CHECK_EQ_INT(n, 5);
	CHECK(queue_drain(q) == NULL);
	queue_free(q);
}

static void
test_hwm_refuse(void)
{
	struct queue *q = queue_new("t", 2, QUEUE_REFUSE);
	struct msg *m = msg_new(1, 0, NULL, 0);

	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	CHECK(queue_push(q, m) == QUEUE_EFULL);
	msg_free(queue_pop(q, 0));
	CHECK(queue_push(q, m) == 0);
	queue_free(q);
}

static void
test_close(void)
{
	struct queue *q = queue_new("t", 4, QUEUE_BLOCK);
	struct msg *m = msg_new(1, 0, NULL, 0), *x;

	CHECK(queue_push(q, msg_new(7, 0, NULL, 0)) == 0);
	queue_close(q);
	CHECK(queue_closed(q));
	CHECK(queue_push(q, m) == QUEUE_ECLOSED);
	msg_free(m);
	/* What was queued before close is still delivered, then NULL. */
	x = queue_pop(q, -1);
	CHECK(x != NULL && x->type == 7);
	msg_free(x);
	CHECK(queue_pop(q, -1) == NULL);
	queue_free(q);
}

static void
test_pop_timeout(void)
{
	struct queue *q = queue_new("t", 4, QUEUE_BLOCK);

	CHECK(queue_pop(q, 20) == NULL);
	queue_free(q);
}

static void
test_eventfd_edge(void)
{
	struct queue *q = queue_new("t", 8, QUEUE_BLOCK);
	struct pollfd p = { .fd = queue_fd(q), .events = POLLIN };
	struct msg *m;

	CHECK(poll(&p, 1, 0) == 0);
	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	CHECK(queue_push(q, msg_new(2, 0, NULL, 0)) == 0);
	CHECK(poll(&p, 1, 0) == 1);
	m = queue_drain(q);
	CHECK(m && m->next && !m->next->next);
	msg_free(m->next);
	msg_free(m);
	/* Drained: the fd is quiet again until the next empty->non-empty push. */
	CHECK(poll(&p, 1, 0) == 0);
	queue_free(q);
}

#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 20000

struct stress {
	struct queue *q;
	int id;
	uint64_t sum;
	uint64_t count;
	int order_ok;
};

static void *
producer(void *arg)
{
	struct stress *s = arg;
	uint64_t i;

	for (i = 0; i < PER_PRODUCER; i++) {
		uint64_t v = i;

		if (queue_push(s->q, msg_new(s->id, i, &v, sizeof(v))) != 0)
			s->order_ok = 0;
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	struct stress *s = arg;
	uint64_t last[PRODUCERS], v;
	struct msg *m;
	int i;

	for (i = 0; i < PRODUCERS; i++)
		last[i] = UINT64_MAX;
	while ((m = queue_pop(s->q, -1)) != NULL) {
		memcpy(&v, m->data, sizeof(v));
		/* Per producer, one consumer sees increasing sequence numbers. */
		if (last[m->type] != UINT64_MAX && v <= last[m->type])
			s->order_ok = 0;
		last[m->type] = v;
		s->sum += v;
		s->count++;
		msg_free(m);
	}
	return NULL;
}

static void
test_mpmc_stress(void)
{
	struct queue *q = queue_new("stress", 64, QUEUE_BLOCK);
	pthread_t pt[PRODUCERS], ct[CONSUMERS];
	struct stress ps[PRODUCERS], cs[CONSUMERS];
	uint64_t sum = 0, count = 0;
	int i;

	for (i = 0; i < CONSUMERS; i++) {
		cs[i] = (struct stress){ .q = q, .id = i, .order_ok = 1 };
		pthread_create(&ct[i], NULL, consumer, &cs[i]);
	}
	for (i = 0; i < PRODUCERS; i++) {
		ps[i] = (struct stress){ .q = q, .id = i, .order_ok = 1 };
		pthread_create(&pt[i], NULL, producer, &ps[i]);
	}
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(pt[i], NULL);
		CHECK(ps[i].order_ok);
	}
	queue_close(q);
	for (i = 0; i < CONSUMERS; i++) {
		pthread_join(ct[i], NULL);
		CHECK(cs[i].order_ok);
		sum += cs[i].sum;
		count += cs[i].count;
	}
	CHECK_EQ_INT(count, (uint64_t)PRODUCERS * PER_PRODUCER);
	CHECK(sum ==
	    (uint64_t)PRODUCERS * PER_PRODUCER * (PER_PRODUCER - 1) / 2);
	queue_free(q);
}

/* Producers block at the high-water mark while a drainer empties in swaps. */
static void *
drainer(void *arg)
{
	struct stress *s = arg;
	struct pollfd p = { .fd = queue_fd(s->q), .events = POLLIN };
	struct msg *m, *next;

	while (s->count < (uint64_t)PRODUCERS * PER_PRODUCER) {
		if (poll(&p, 1, 1000) <= 0)
			continue;
		for (m = queue_drain(s->q); m; m = next) {
			next = m->next;
			s->count++;
			msg_free(m);
		}
	}
	return NULL;
}

static void
test_blocking_hwm_with_drain(void)
{
	struct queue *q = queue_new("drain", 8, QUEUE_BLOCK);
	pthread_t pt[PRODUCERS], dt;
	struct stress ps[PRODUCERS], ds = { .q = q };
	int i;

	pthread_create(&dt, NULL, drainer, &ds);
	for (i = 0; i < PRODUCERS; i++) {
		ps[i] = (struct stress){ .q = q, .id = i, .order_ok = 1 };
		pthread_create(&pt[i], NULL, producer, &ps[i]);
	}
	for (i = 0; i < PRODUCERS; i++)
		pthread_join(pt[i], NULL);
	pthread_join(dt, NULL);
	CHECK_EQ_INT(ds.count, (uint64_t)PRODUCERS * PER_PRODUCER);
	queue_free(q);
}

struct waiter {
	struct queue *q;
	struct msg *m;
	int rc;
	volatile int done;
};

static void *
push_waiter(void *arg)
{
	struct waiter *w = arg;

	w->rc = queue_push_wait(w->q, w->m);
	w->done = 1;
	return NULL;
}

/* A refusing queue at its mark: queue_push_wait waits until a drain makes room. */
static void
test_push_wait_room(void)
{
	struct queue *q = queue_new("t", 1, QUEUE_REFUSE);
	struct waiter w = { .q = q, .m = msg_new(2, 0, NULL, 0), .rc = 99 };
	struct msg *list;
	pthread_t t;

	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	CHECK(queue_push(q, w.m) == QUEUE_EFULL);
	pthread_create(&t, NULL, push_waiter, &w);
	usleep(50000);
	CHECK(!w.done);
	list = queue_drain(q);
	CHECK(list && list->type == 1 && !list->next);
	msg_free(list);
	pthread_join(t, NULL);
	CHECK_EQ_INT(w.rc, 0);
	list = queue_drain(q);
	CHECK(list && list->type == 2 && !list->next);
	msg_free(list);
	queue_free(q);
}

/* Shutdown: closing the queue ends the wait, and the pusher keeps its message. */
static void
test_push_wait_close(void)
{
	struct queue *q = queue_new("t", 1, QUEUE_REFUSE);
	struct waiter w = { .q = q, .m = msg_new(2, 0, NULL, 0), .rc = 99 };
	pthread_t t;

	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	pthread_create(&t, NULL, push_waiter, &w);
	usleep(50000);
	CHECK(!w.done);
	queue_close(q);
	pthread_join(t, NULL);
	CHECK_EQ_INT(w.rc, QUEUE_ECLOSED);
	CHECK_EQ_INT(queue_len(q), 1);
	msg_free(w.m);
	queue_free(q);
}

UNIT_MAIN(UNIT_CASE(test_fifo_and_drain), UNIT_CASE(test_hwm_refuse),
    UNIT_CASE(test_push_wait_room), UNIT_CASE(test_push_wait_close),
    UNIT_CASE(test_close), UNIT_CASE(test_pop_timeout),
    UNIT_CASE(test_eventfd_edge), UNIT_CASE(test_mpmc_stress),
    UNIT_CASE(test_blocking_hwm_with_drain))
