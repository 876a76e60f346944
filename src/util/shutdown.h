/*
 * Shutdown requests. shutdown_request() is async-signal-safe (it sets a
 * sig_atomic_t and writes to an eventfd), so the SIGTERM/SIGINT handlers and
 * the RPC "stop" method use the same path. The main thread waits on
 * shutdown_fd() and then stops the threads in order.
 */
#ifndef BR_SHUTDOWN_H
#define BR_SHUTDOWN_H

int shutdown_init(void);
void shutdown_request(void);
int shutdown_requested(void);
int shutdown_fd(void);
/*
 * A shutdown because the node cannot go on (Core's fatalError, as after a
 * UTXO snapshot failed validation): main prints "Error: msg" on stderr
 * after stopping and exits 1. Any thread, not from a signal handler; the
 * first message is kept. shutdown_fatal_message: it, or NULL.
 */
void shutdown_request_fatal(const char *msg);
const char *shutdown_fatal_message(void);

#endif
