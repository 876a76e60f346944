/*
 * Locked queues between threads, in the spirit of memcached's cq_push/cq_pop.
 *
 * A queue carries struct msg, a typed message with a peer id and a payload
 * copied in at creation. The mutex is held only to link or unlink; nothing is
 * allocated, freed or signalled-for-I/O under it except the eventfd write.
 *
 * Waking: a queue owns an eventfd. A push that makes the queue go from empty
 * to non-empty writes to it, so a libevent loop registers queue_fd() for
 * EV_READ and, when woken, calls queue_drain() to take every message at once
 * (one swap). A thread without an event loop calls queue_pop() instead,
 * which waits on a condition variable.
 *
 * High-water mark: each queue has one. With QUEUE_REFUSE a push at the mark
 * fails with QUEUE_EFULL and the caller keeps its message (the network uses
 * this to stop reading a peer); with QUEUE_BLOCK the pusher waits until
 * there is room or the queue closes.
 *
 * queue_close() wakes every waiter; later pushes fail with QUEUE_ECLOSED;
 * pops still return what is queued, then NULL.
 */
#ifndef BR_QUEUE_H
#define BR_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct msg {
	struct msg *next; /* owned by the queue while queued */
	int type;
	uint64_t peer_id;
	size_t len;
	uint8_t data[]; /* len bytes */
};

enum queue_policy { QUEUE_BLOCK, QUEUE_REFUSE };

#define QUEUE_ECLOSED (-1)
#define QUEUE_EFULL (-2)

/* xmalloc'd message with a copy of len bytes of data (data may be NULL). */
struct msg *msg_new(int type, uint64_t peer_id, const void *data, size_t len);
void msg_free(struct msg *m);

struct queue *queue_new(const char *name, size_t hwm, enum queue_policy pol);
void queue_free(struct queue *q);
/* On success the queue owns m. On failure the caller still owns m. */
int queue_push(struct queue *q, struct msg *m);
/*
 * Pushes m, waiting for room whatever the queue's policy: for the few
 * senders of a QUEUE_REFUSE queue whose messages must not be lost (the
 * mempool's notices to net). Returns 0, or QUEUE_ECLOSED (the caller still
 * owns m) once queue_close() has run, which also ends a wait in progress.
 */
int queue_push_wait(struct queue *q, struct msg *m);
/* Takes every queued message at once, oldest first, linked by ->next. */
struct msg *queue_drain(struct queue *q);
/*
 * Pops the oldest message, waiting up to timeout_ms (-1: forever). NULL on
 * timeout, or when the queue is closed and empty.
 */
struct msg *queue_pop(struct queue *q, int timeout_ms);
/* The eventfd to register with a libevent loop; read side is drained by queue_drain. */
int queue_fd(const struct queue *q);
void queue_close(struct queue *q);
int queue_closed(struct queue *q);
size_t queue_len(struct queue *q);
const char *queue_name(const struct queue *q);

#endif
