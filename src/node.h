/*
 * The node: the subsystems in their start-up order (store, validation,
 * net, rpc) and the reverse shutdown. Called from the main thread only.
 */
#ifndef BR_NODE_H
#define BR_NODE_H

struct args;
struct node;

/* Starts every subsystem; on failure logs why, stops what started, returns -1. */
int node_start(const struct args *a, struct node **out);
/* Stops rpc, net, validation (finishing the block in hand), then the store. */
void node_stop(struct node *n);

#endif
