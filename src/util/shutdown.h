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

#endif
