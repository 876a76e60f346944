/*
 * Our own addresses (localaddr.c), as Core's mapLocalHost and its
 * helpers. Net thread only, like struct net.
 */
#ifndef BR_NET_LOCALADDR_H
#define BR_NET_LOCALADDR_H

#include <stdint.h>

#include "net/netaddr.h"

struct net;
struct peer;

/* Core's scores: how we learnt an address. */
#define LOCAL_IF 1     /* a network interface (-discover) */
#define LOCAL_BIND 2   /* an explicit -bind */
#define LOCAL_MAPPED 3 /* a port mapping (bitrootd has none) */
#define LOCAL_MANUAL 4 /* -externalip */
/* The most addresses kept (interfaces can be many). */
#define LOCAL_MAX 64

struct local_addr {
	struct service svc;
	int score;
};

/*
 * Adds s (Core's AddLocal): refused (-1) unless routable, of a reachable
 * network, and -discover is on or score is LOCAL_MANUAL or more. A known
 * address seen again with at least its score gains a point.
 */
int local_add(struct net *n, const struct service *s, int score);
/* Core's GetReachabilityFrom: how well a peer at theirs reaches ours. */
int local_reachability(const struct netaddr *ours,
    const struct netaddr *theirs);
/* The best address for a peer at peer (Core's GetLocal); -1: none. */
int local_best_for(const struct net *n, const struct netaddr *peer,
    struct service *out);
/*
 * What to advertise to p (Core's GetLocalAddrForPeer): the best local
 * address, or with -discover sometimes the address p sees us at; 0, or
 * -1 when nothing routable.
 */
int local_addr_for_peer(const struct net *n, const struct peer *p,
    struct service *out);
/* -discover: the interfaces' routable addresses, with port (getifaddrs). */
void local_discover(struct net *n, uint16_t port);

#endif
