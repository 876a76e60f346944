/*
 * Our own addresses, as Core's mapLocalHost: what -externalip says
 * (LOCAL_MANUAL), what an explicit -bind to a routable address gives
 * (LOCAL_BIND) and, with -discover (on when listening without
 * -externalip or -proxy), the routable addresses of the host's interfaces
 * (LOCAL_IF, from getifaddrs). getnetworkinfo lists them as
 * "localaddresses"; address relay advertises the best one for each peer
 * (Core's GetLocalAddrForPeer): once when an outbound peer's version
 * arrives, then about once a day, while listening and out of initial
 * block download.
 *
 * Owned by the net thread like the rest of struct net; no lock.
 */
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/localaddr.h"
#include "net/net_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's reachability classes (GetReachabilityFrom), best last. */
enum {
	REACH_UNREACHABLE,
	REACH_DEFAULT,
	REACH_TEREDO,
	REACH_IPV6_WEAK,
	REACH_IPV4,
	REACH_IPV6_STRONG,
	REACH_PRIVATE,
};

/* Core's "extended" networks: Teredo apart from IPv6. */
enum ext_net { EXT_UNROUTABLE, EXT_IPV4, EXT_IPV6, EXT_TEREDO, EXT_PRIVACY };

static int
v6_has_prefix(const struct netaddr *a, const uint8_t *pfx, size_t len)
{
	return a->net == NET_IPV6 && memcmp(a->a, pfx, len) == 0;
}

static enum ext_net
ext_net(const struct netaddr *a)
{
	static const uint8_t teredo[4] = { 0x20, 0x01, 0x00, 0x00 };

	if (!netaddr_is_routable(a))
		return EXT_UNROUTABLE;
	switch (netaddr_class(a)) {
	case NETC_IPV4: return EXT_IPV4;
	case NETC_IPV6:
	case NETC_CJDNS:
		return v6_has_prefix(a, teredo, 4) ? EXT_TEREDO : EXT_IPV6;
	default: return EXT_PRIVACY;
	}
}

int
local_reachability(const struct netaddr *ours, const struct netaddr *theirs)
{
	/* 6to4 and NAT64 addresses are tunnels: a weak IPv6 address. */
	static const uint8_t sixtofour[2] = { 0x20, 0x02 };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	enum ext_net o = ext_net(ours), t = ext_net(theirs);
	int tunnel = v6_has_prefix(ours, sixtofour, 2) ||
	    v6_has_prefix(ours, nat64, 12);

	if (o == EXT_UNROUTABLE || netaddr_is_internal(ours))
		return REACH_UNREACHABLE;
	switch (t) {
	case EXT_IPV4: return o == EXT_IPV4 ? REACH_IPV4 : REACH_DEFAULT;
	case EXT_IPV6:
		if (o == EXT_TEREDO)
			return REACH_TEREDO;
		if (o == EXT_IPV4)
			return REACH_IPV4;
		if (o == EXT_IPV6)
			return tunnel ? REACH_IPV6_WEAK : REACH_IPV6_STRONG;
		return REACH_DEFAULT;
	case EXT_PRIVACY:
		if (o == EXT_IPV4)
			return REACH_IPV4;
		return o == EXT_PRIVACY ? REACH_PRIVATE : REACH_DEFAULT;
	case EXT_TEREDO:
		if (o == EXT_TEREDO)
			return REACH_TEREDO;
		if (o == EXT_IPV6)
			return REACH_IPV6_WEAK;
		return o == EXT_IPV4 ? REACH_IPV4 : REACH_DEFAULT;
	case EXT_UNROUTABLE:
	default:
		/* A peer on an unroutable address: Tor or I2P, or a test. */
		switch (o) {
		case EXT_TEREDO: return REACH_TEREDO;
		case EXT_IPV6: return REACH_IPV6_WEAK;
		case EXT_IPV4: return REACH_IPV4;
		case EXT_PRIVACY: return REACH_PRIVATE;
		default: return REACH_DEFAULT;
		}
	}
}

int
local_add(struct net *n, const struct service *s, int score)
{
	char buf[NETADDR_STRLEN];
	size_t i;

	if (!netaddr_is_routable(&s->addr))
		return -1;
	if (!n->discover && score < LOCAL_MANUAL)
		return -1;
	if (!((n->reachable >> netaddr_class(&s->addr)) & 1))
		return -1;
	service_format(s, buf, sizeof(buf));
	log_info("AddLocal(%s,%d)", buf, score);
	for (i = 0; i < n->nlocals; i++) {
		struct local_addr *l = &n->locals[i];

		if (!netaddr_eq(&l->svc.addr, &s->addr))
			continue;
		/* Seen again: a point more (Core). */
		if (score >= l->score) {
			l->score = score + 1;
			l->svc.port = s->port;
		}
		return 0;
	}
	if (n->nlocals == LOCAL_MAX)
		return -1;
	n->locals = xreallocarray(n->locals, n->nlocals + 1,
	    sizeof(*n->locals));
	n->locals[n->nlocals].svc = *s;
	n->locals[n->nlocals].score = score;
	n->nlocals++;
	return 0;
}

static int
is_privacy_net(const struct netaddr *a)
{
	return a->net == NET_TORV3 || a->net == NET_I2P;
}

int
local_best_for(const struct net *n, const struct netaddr *peer,
    struct service *out)
{
	int best_reach = -1, best_score = -1;
	size_t i;

	if (!n->listen)
		return -1;
	for (i = 0; i < n->nlocals; i++) {
		const struct local_addr *l = &n->locals[i];
		int reach;

		/* No privacy-net address to others, nor the reverse (Core). */
		if (l->svc.addr.net != peer->net &&
		    (is_privacy_net(&l->svc.addr) || is_privacy_net(peer)))
			continue;
		reach = local_reachability(&l->svc.addr, peer);
		if (reach > best_reach ||
		    (reach == best_reach && l->score > best_score)) {
			*out = l->svc;
			best_reach = reach;
			best_score = l->score;
		}
	}
	return best_reach >= 0 ? 0 : -1;
}

int
local_addr_for_peer(const struct net *n, const struct peer *p,
    struct service *out)
{
	struct service s;
	int have, score = 0;
	size_t i;

	have = local_best_for(n, &p->addr.addr, &s) == 0;
	if (have)
		for (i = 0; i < n->nlocals; i++)
			if (netaddr_eq(&n->locals[i].svc.addr, &s.addr))
				score = n->locals[i].score;
	/*
	 * With -discover, sometimes the address the peer sees us at: it
	 * may know better (Core's IsPeerAddrLocalGood), more often when
	 * ours was not set by hand.
	 */
	if (n->discover && p->has_addr_local &&
	    netaddr_is_routable(&p->addr.addr) &&
	    netaddr_is_routable(&p->addr_local.addr) &&
	    ((n->reachable >> netaddr_class(&p->addr_local.addr)) & 1) &&
	    (!have || rand_range(score > LOCAL_MANUAL ? 8 : 2) == 0)) {
		if (p->type == CONN_INBOUND || !have)
			s = p->addr_local;
		else
			s.addr = p->addr_local.addr;
		have = 1;
	}
	if (!have || !netaddr_is_routable(&s.addr))
		return -1;
	*out = s;
	return 0;
}

void
local_discover(struct net *n, uint16_t port)
{
	struct ifaddrs *ifs, *ifa;
	struct service s;
	char buf[NETADDR_STRLEN];

	if (getifaddrs(&ifs) != 0) {
		log_warn("Discover: getifaddrs");
		return;
	}
	for (ifa = ifs; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		if (ifa->ifa_addr->sa_family != AF_INET &&
		    ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		if (service_from_sockaddr(&s, ifa->ifa_addr) != 0)
			continue;
		s.port = port;
		if (local_add(n, &s, LOCAL_IF) == 0) {
			netaddr_format(&s.addr, buf, sizeof(buf));
			log_info("Discover: %s %s: %s",
			    s.addr.net == NET_IPV4 ? "IPv4" : "IPv6",
			    ifa->ifa_name, buf);
		}
	}
	freeifaddrs(ifs);
}
