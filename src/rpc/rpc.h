/*
 * The RPC server thread (evhttp) and its workers, as node.c starts and
 * stops them; and the two formatting helpers other threads still call.
 */
#ifndef BR_RPC_H
#define BR_RPC_H

#include <stddef.h>
#include <stdint.h>

struct args;
struct chainparams;
struct store;
struct validation;
struct net;
struct mempool;
struct rpc;
struct zmqpub;
struct filterindex;

/* ---- The server ---- */

/*
 * Binds -rpcbind addresses, writes the cookie, starts the thread "rpc" and
 * -rpcthreads workers. Until rpc_set_ready() every method but help/stop
 * answers -28 (warming up). net may be NULL (-connect=0 still has net; a
 * unit test may have none).
 */
int rpc_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation *v, struct mempool *mp, struct net *n,
    struct rpc **out);
/*
 * rpc_set_warmup_status: the message warm-up errors (-28) carry, e.g.
 * "Loading block index...", "Verifying blocks..."; any thread, before
 * rpc_set_ready.
 */
void rpc_set_warmup_status(struct rpc *r, const char *msg);
/* The ZeroMQ publisher getzmqnotifications lists (NULL: none); before ready. */
void rpc_set_zmq(struct rpc *r, const struct zmqpub *z);
/*
 * rpc_set_filterindex: the block filter index getblockfilter and
 * getindexinfo read (NULL: none). Main thread, before rpc_set_ready; the
 * index must outlive rpc_stop.
 */
void rpc_set_filterindex(struct rpc *r, struct filterindex *fi);
void rpc_set_ready(struct rpc *r);
/* Stops accepting, finishes requests in hand, removes the cookie, joins. */
void rpc_stop(struct rpc *r);

/* ---- The metrics listener (metrics_http.c) ---- */

struct metrics_http;

/*
 * With -metricsbind: binds it and starts the thread "metrics" serving
 * /metrics, / and /status.json; *out is NULL without the option. -1 after
 * logging why (a bad -metricsbind or -metricsallowip value, a failed bind).
 * Main thread.
 */
int metrics_http_start(const struct args *a, const struct chainparams *cp,
    struct metrics_http **out);
/* Stops the thread, closes the listener, frees mh (NULL: nothing). */
void metrics_http_stop(struct metrics_http *mh);

/* ---- Formatting ---- */

/*
 * The descriptor Core infers for an output script (InferDescriptor: pk(),
 * multi(), rawtr(), addr() or raw()), with its checksum; xmalloc'd. Any
 * thread.
 */
char *rpc_script_descriptor(const uint8_t *s, size_t len,
    const struct chainparams *cp);

#endif
