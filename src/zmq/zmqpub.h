/*
 * ZeroMQ notifications (-zmqpub*): Bitcoin Core's PUB sockets and
 * messages, published from a thread of their own (doc/zmq.md).
 *
 * Threads: zmqpub_start and zmqpub_stop run on the main thread. The
 * validation and mempool listeners it registers run on those threads and
 * only copy an event into the "zmq" queue (never waiting: when the queue is
 * full the event is dropped and counted, as a ZeroMQ high-water mark
 * drops). The thread "zmq" owns the libzmq context and sockets.
 */
#ifndef BR_ZMQPUB_H
#define BR_ZMQPUB_H

#include <stddef.h>
#include <stdint.h>

struct args;
struct store;
struct validation;
struct mempool;
struct zmqpub;

/*
 * Reads -zmqpub<topic>=<address> (each may be given more than once) and
 * -zmqpub<topic>hwm. With none set, returns 0 with *out NULL. Otherwise
 * binds the sockets, starts the thread and registers with v and mp
 * (mp may be NULL), returning 0 with *out. A socket that cannot bind
 * disables ZeroMQ, as in Core: logged, 0 with *out NULL. -1 with the
 * reason logged for a bad option value.
 */
int zmqpub_start(const struct args *a, struct store *s, struct validation *v,
    struct mempool *mp, struct zmqpub **out);
/*
 * Publishes what is queued, closes the sockets and joins. Call after the
 * validation and mempool threads have stopped (they hold the listeners).
 * NULL is allowed.
 */
void zmqpub_stop(struct zmqpub *z);

/* One active notifier, for getzmqnotifications. Strings live as long as z. */
struct zmqpub_notifier_info {
	const char *type; /* "pubhashblock", ... */
	const char *address;
	int hwm;
};
/* Notifiers in Core's order (by type, then as given). Any thread. */
size_t zmqpub_count(const struct zmqpub *z);
void zmqpub_notifier(const struct zmqpub *z, size_t i,
    struct zmqpub_notifier_info *out);
/* Events dropped because the zmq queue was full. Any thread (atomic). */
uint64_t zmqpub_dropped(const struct zmqpub *z);

#endif
