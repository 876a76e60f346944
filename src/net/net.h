/*
 * The network thread: one libevent base multiplexing the listeners and
 * every peer. CONTRACT for node.c and rpc.
 */
#ifndef BR_NET_H
#define BR_NET_H

struct args;
struct chainparams;
struct store;
struct validation;
struct mempool;
struct net;
struct rpc_error;
typedef struct json_t json_t;

/* Binds the listeners (failure to bind is an error), starts the thread "net". */
int net_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation *v, struct mempool *mp,
    struct net **out);
/* Closes every peer and listener, persists addresses and bans, joins. */
void net_stop(struct net *n);
/*
 * Runs an RPC method on the net thread (getpeerinfo, addnode, setban, ...):
 * see util/call.h. params is a JSON array; *result owned by the caller.
 */
int net_call(struct net *n, const char *method, json_t *params,
    json_t **result, struct rpc_error *err, int timeout_ms);

#endif
