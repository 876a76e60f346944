/*
 * Finding peers with an empty or stale address manager, as Core: the DNS
 * seeds (Core's ThreadDNSAddressSeed) and the fixed seeds (the part of
 * Core's ThreadOpenConnections that adds them). Core runs the first on a
 * thread that sleeps; here it is a state machine the net thread's tick
 * advances, and the lookups are evdns requests on the net thread's event
 * base (n->dns), so nothing blocks and nothing is shared with another
 * thread.
 *
 * The DNS seeds are asked for "x9.<seed>" (the service bits Core wants,
 * NODE_NETWORK | NODE_WITNESS), A and AAAA; at most 32 addresses per seed
 * go to the address manager, with the seed's own internal address as
 * their source (one bucket group per seed) and an age of 3 to 7 days. A
 * seed whose name gives nothing, and every seed when a proxy is set
 * (resolving would tell the local resolver where we go), becomes an
 * addr-fetch connection to the seed's name, through the proxy if any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "chain/chainparams.h"
#include "net/addrman.h"
#include "net/net_int.h"
#include "util/args.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Core's constants (net.cpp). */
#define DNSSEEDS_TO_QUERY_AT_ONCE 3
#define DNSSEEDS_DELAY_FEW_PEERS_US (11 * 1000000LL)
#define DNSSEEDS_DELAY_MANY_PEERS_US (300 * 1000000LL)
#define DNSSEEDS_DELAY_PEER_THRESHOLD 1000
#define SEED_OUTBOUND_CONNECTION_THRESHOLD 2
#define SEEDNODE_TIMEOUT_US (30 * 1000000LL)
#define SEED_MAX_IPS 32
#define FIXED_SEEDS_DELAY 60 /* s, node time */
#define SEEDS_SERVICES (NODE_NETWORK | NODE_WITNESS)

enum seed_phase {
	SP_SEEDNODES, /* -seednode given: they get 30 s first */
	SP_START,     /* shuffle, decide how many to ask at once */
	SP_NEXT,      /* ask the next seed, or wait first */
	SP_WAIT,      /* waiting before the next group */
	SP_DONE,
};

struct seeds {
	char **names; /* shuffled */
	size_t n, next;
	int dnsseed, force, fixed, use_seednodes;
	enum seed_phase phase;
	int right_now;	    /* seeds left to ask before checking peers */
	int64_t started_us; /* monotonic: when the seeding began */
	int64_t wait_left_us, step_end_us;
	int waiting_logged; /* for the network being off */
	size_t found, pending;
	int64_t fixed_start;   /* node time: the fixed seeds' 60 s */
	int64_t next_check_us; /* monotonic: the next look at empty networks */
};

struct seed_req {
	struct net *n;
	char *seed;
	char *host; /* x9.<seed> */
};

int
seeds_read_options(struct net *n, char *err, size_t errlen)
{
	struct seeds *s = xcalloc(1, sizeof(*s));
	const char *const *vals;
	const char *const *list;
	size_t nv, i;
	int dflt;

	n->seeds = s;
	/* Core: on by default unless -connect or -maxconnections=0. */
	dflt = !args_is_set(n->args, "connect") && n->max_connections > 0;
	/* Seeds give IPv4 and IPv6 addresses only: off without those (Core). */
	if (!(n->reachable & (1u << NETC_IPV4 | 1u << NETC_IPV6)))
		dflt = 0;
	s->dnsseed = args_get_bool(n->args, "dnsseed", dflt);
	s->force = args_get_bool(n->args, "forcednsseed", 0);
	s->fixed = args_get_bool(n->args, "fixedseeds", 1);
	s->use_seednodes = args_is_set(n->args, "seednode");
	if (s->force && !s->dnsseed) {
		snprintf(err, errlen,
		    "Cannot set -forcednsseed to true when setting -dnsseed "
		    "to false.");
		return -1;
	}
	list = n->cp->dns_seeds;
	nv = n->cp->n_dns_seeds;
	/* Core's -signetseednode replaces signet's seeds; ours for regtest. */
	if (n->cp->id == CHAIN_SIGNET &&
	    args_is_set(n->args, "signetseednode"))
		nv = args_get_all(n->args, "signetseednode", &list);
	if (args_is_set(n->args, "regtestdnsseed")) {
		if (n->cp->id != CHAIN_REGTEST) {
			snprintf(err, errlen,
			    "-regtestdnsseed is only allowed on regtest");
			return -1;
		}
		nv = args_get_all(n->args, "regtestdnsseed", &list);
	}
	s->names = xcalloc(nv ? nv : 1, sizeof(*s->names));
	for (i = 0; i < nv; i++)
		s->names[s->n++] = xstrdup(list[i]);
	if (args_is_set(n->args, "dnsseednameserver")) {
		struct service ns;

		vals = NULL;
		args_get_all(n->args, "dnsseednameserver", &vals);
		if (service_parse(vals[0], 53, &ns) != 0 ||
		    (ns.addr.net != NET_IPV4 && ns.addr.net != NET_IPV6) ||
		    ns.port == 0) {
			snprintf(err, errlen,
			    "Invalid -dnsseednameserver address: '%s'",
			    vals[0]);
			return -1;
		}
		n->nameserver = ns;
	}
	s->phase = s->use_seednodes ? SP_SEEDNODES : SP_START;
	return 0;
}

void
seeds_free(struct net *n)
{
	struct seeds *s = n->seeds;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s);
	n->seeds = NULL;
}

/*
 * The net thread's resolver: the system's, or with -dnsseednameserver
 * (a debug option for tests) that one server and nothing else, with no
 * hosts file and no search domains.
 */
struct evdns_base *
net_resolver(struct net *n)
{
	char ns[NETADDR_STRLEN + 8];

	if (n->dns != NULL)
		return n->dns;
	if (n->nameserver.port == 0) {
		n->dns = evdns_base_new(n->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS);
		return n->dns;
	}
	if ((n->dns = evdns_base_new(n->base, 0)) == NULL)
		return NULL;
	service_format(&n->nameserver, ns, sizeof(ns));
	if (evdns_base_nameserver_ip_add(n->dns, ns) != 0) {
		log_warnx("net: cannot use name server %s", ns);
		evdns_base_free(n->dns, 0);
		n->dns = NULL;
		return NULL;
	}
	evdns_base_set_option(n->dns, "timeout:", "2");
	evdns_base_set_option(n->dns, "attempts:", "2");
	return n->dns;
}

/* Full-relay outbound peers past the handshake (Core's GetFullOutboundConnCount). */
static int
full_outbound(struct net *n)
{
	struct peer *p;
	int c = 0;

	TAILQ_FOREACH (p, &n->peers, entry)
		if (!p->disconnect && p->handshaked &&
		    p->type == CONN_OUTBOUND_FULL)
			c++;
	return c;
}

/* A DNS name we may look up: letters, digits, '-', '.' and one letter. */
static int
is_dns_name(const char *s)
{
	int alpha = 0;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			alpha = 1;
		else if (!(*s >= '0' && *s <= '9') && *s != '-' && *s != '.')
			return 0;
	}
	return alpha;
}

/* Core's AddAddrFetch: a short connection to the seed's name for addr. */
static void
seed_addr_fetch(struct net *n, const char *seed)
{
	net_connect(n, seed, CONN_ADDR_FETCH, NULL, n->v2transport);
}

static void
seed_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct seed_req *r = arg;
	struct net *n = r->n;
	struct seeds *s = n->seeds;
	struct addr_entry add[SEED_MAX_IPS];
	struct evutil_addrinfo *ai;
	struct netaddr src;
	int64_t now = node_time();
	size_t k = 0;

	if (n->stopping || s == NULL)
		goto out;
	s->pending--;
	for (ai = result == 0 ? res : NULL; ai && k < SEED_MAX_IPS;
	     ai = ai->ai_next) {
		struct addr_entry *e = &add[k];

		memset(e, 0, sizeof(*e));
		if (service_from_sockaddr(&e->svc, ai->ai_addr) != 0)
			continue;
		e->svc.port = n->cp->default_port;
		e->services = SEEDS_SERVICES;
		/* Between 3 and 7 days old, as Core. */
		e->time = (uint32_t)(now - 3 * 86400 -
		    (int64_t)rand_range(4 * 86400));
		k++;
	}
	if (k > 0) {
		netaddr_set_internal(&src, r->host);
		addrman_add(n->addrman, add, k, &src, 0, now);
		s->found += k;
		log_debug(LOG_NET, "%zu addresses from DNS seed %s", k,
		    r->seed);
	} else {
		/* Nothing for our service bits: ask one of its nodes (Core). */
		log_debug(LOG_NET, "DNS seed %s gave no addresses (%s)",
		    r->seed, result ? evutil_gai_strerror(result) : "empty");
		seed_addr_fetch(n, r->seed);
	}
	if (s->phase == SP_DONE && s->pending == 0)
		log_info("%zu addresses found from DNS seeds", s->found);
out:
	if (res)
		evutil_freeaddrinfo(res);
	free(r->seed);
	free(r->host);
	free(r);
}

static void
ask_seed(struct net *n, const char *seed)
{
	struct seeds *s = n->seeds;
	struct evutil_addrinfo hints;
	struct evdns_base *dns;
	struct seed_req *r;
	size_t len;

	log_info("Loading addresses from DNS seed %s", seed);
	/* Through a proxy, or a seed given as an address: no lookup (Core). */
	if (n->proxy[NETC_IPV4].port != 0 || !is_dns_name(seed) ||
	    (dns = net_resolver(n)) == NULL) {
		seed_addr_fetch(n, seed);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->n = n;
	r->seed = xstrdup(seed);
	r->host = xasprintf("x%x.%s", (unsigned)SEEDS_SERVICES, seed);
	/* The root's dot is not part of the query. */
	len = strlen(r->host);
	if (len > 1 && r->host[len - 1] == '.')
		r->host[len - 1] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	s->pending++;
	/* The callback may run at once, on a cached or failed lookup. */
	evdns_getaddrinfo(dns, r->host, NULL, &hints, seed_cb, r);
}

static void
shuffle(char **v, size_t n)
{
	size_t i, j;
	char *t;

	for (i = n; i > 1; i--) {
		j = (size_t)rand_range(i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void
finish(struct seeds *s, const char *why)
{
	s->phase = SP_DONE;
	if (why)
		log_info("%s", why);
	if (s->pending == 0 && why == NULL)
		log_info("%zu addresses found from DNS seeds", s->found);
}

/* One step of Core's ThreadDNSAddressSeed; from the tick. */
static void
dns_seed_step(struct net *n, int64_t mono)
{
	struct seeds *s = n->seeds;
	int64_t step;

	switch (s->phase) {
	case SP_SEEDNODES:
		if (mono > s->started_us + SEEDNODE_TIMEOUT_US) {
			log_info(
			    "Couldn't connect to enough peers via seed "
			    "nodes. Handing fetch logic to the DNS seeds.");
			s->phase = SP_START;
		} else if (full_outbound(n) >=
		    SEED_OUTBOUND_CONNECTION_THRESHOLD) {
			log_info("P2P peers available. Finished fetching data "
				 "from seed nodes.");
			s->phase = SP_START;
		} else
			return;
		/* FALLTHROUGH */
	case SP_START:
		shuffle(s->names, s->n);
		if (s->force || addrman_size(n->addrman, -1, -1) == 0)
			s->right_now = (int)s->n;
		if (full_outbound(n) >= SEED_OUTBOUND_CONNECTION_THRESHOLD &&
		    s->use_seednodes && s->right_now == 0) {
			finish(s,
			    "Skipping DNS seeds. Enough peers have been "
			    "found");
			return;
		}
		s->phase = SP_NEXT;
		/* FALLTHROUGH */
	case SP_NEXT:
		if (s->next >= s->n) {
			finish(s, NULL);
			return;
		}
		if (s->right_now == 0) {
			s->right_now = DNSSEEDS_TO_QUERY_AT_ONCE;
			if (addrman_size(n->addrman, -1, -1) > 0) {
				s->wait_left_us = addrman_size(n->addrman, -1,
						      -1) >=
					DNSSEEDS_DELAY_PEER_THRESHOLD ?
				    DNSSEEDS_DELAY_MANY_PEERS_US :
				    DNSSEEDS_DELAY_FEW_PEERS_US;
				log_info(
				    "Waiting %lld seconds before querying "
				    "DNS seeds.",
				    (long long)(s->wait_left_us / 1000000));
				s->step_end_us = 0;
				s->phase = SP_WAIT;
				return;
			}
		}
		break;
	case SP_WAIT:
		if (s->step_end_us == 0) {
			/* Wake every 11 s to see whether enough peers came. */
			step = s->wait_left_us < DNSSEEDS_DELAY_FEW_PEERS_US ?
			    s->wait_left_us :
			    DNSSEEDS_DELAY_FEW_PEERS_US;
			s->step_end_us = mono + step;
			s->wait_left_us -= step;
			return;
		}
		if (mono < s->step_end_us)
			return;
		s->step_end_us = 0;
		if (full_outbound(n) >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
			if (s->found > 0) {
				log_info("%zu addresses found from DNS seeds",
				    s->found);
				finish(s,
				    "P2P peers available. Finished DNS "
				    "seeding.");
			} else
				finish(s,
				    "P2P peers available. Skipped DNS "
				    "seeding.");
			return;
		}
		if (s->wait_left_us > 0)
			return;
		s->phase = SP_NEXT;
		break;
	case SP_DONE: return;
	}
	/* Hold off while the network is off (setnetworkactive false). */
	if (!n->network_active) {
		if (!s->waiting_logged)
			log_info(
			    "Waiting for network to be reactivated before "
			    "querying DNS seeds.");
		s->waiting_logged = 1;
		return;
	}
	s->waiting_logged = 0;
	ask_seed(n, s->names[s->next++]);
	s->right_now--;
}

/* Reachable networks with no address in the manager (Core's GetReachableEmptyNetworks). */
static unsigned
empty_networks(struct net *n)
{
	unsigned reach = n->reachable & ~(1u << NETC_UNROUTABLE);

	return reach & ~addrman_classes(n->addrman, reach);
}

size_t
seeds_parse_fixed(const uint8_t *p, size_t len, int64_t now,
    struct addr_entry **out)
{
	struct addr_entry *v = NULL;
	size_t nv = 0, off = 0;

	while (off + 2 <= len) {
		struct addr_entry e;
		uint8_t id = p[off], l = p[off + 1];

		if (off + 2 + l + 2 > len || l > NETADDR_MAXLEN)
			break;
		memset(&e, 0, sizeof(e));
		e.svc.addr.net = id;
		e.svc.addr.len = l;
		memcpy(e.svc.addr.a, p + off + 2, l);
		e.svc.port = (uint16_t)(p[off + 2 + l] << 8 | p[off + 3 + l]);
		off += 4 + (size_t)l;
		if (!netaddr_is_valid(&e.svc.addr))
			continue;
		e.services = SEEDS_SERVICES;
		/* One to two weeks old, as Core's ConvertSeeds. */
		e.time = (uint32_t)(now - 7 * 86400 -
		    (int64_t)rand_range(7 * 86400));
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = e;
	}
	*out = v;
	return nv;
}

/* Core's fixed seeds: after 60 s, or at once with no other source. */
static void
fixed_seed_step(struct net *n, int64_t now)
{
	struct seeds *s = n->seeds;
	struct addr_entry *v;
	struct netaddr src;
	unsigned empty;
	size_t nv, i, k;
	int due, at_once;

	if (!s->fixed || !n->use_addrman_outgoing)
		return;
	/* The cheap tests first: the walk runs only when one holds. */
	due = now > s->fixed_start + FIXED_SEEDS_DELAY;
	at_once = !s->dnsseed && !s->use_seednodes && n->nadded == 0;
	if (!due && !at_once)
		return;
	/* A walk of the table: once a second is plenty (Core: each pass). */
	if (time_mono_micros() < s->next_check_us)
		return;
	s->next_check_us = time_mono_micros() + 1000000;
	if ((empty = empty_networks(n)) == 0)
		return;
	if (due)
		log_info(
		    "Adding fixed seeds as 60 seconds have passed and "
		    "addrman is empty for at least one reachable network");
	else
		log_info("Adding fixed seeds as -dnsseed=0 (or IPv4/IPv6 "
			 "connections are disabled via -onlynet) and neither "
			 "-addnode nor -seednode are provided");
	nv = seeds_parse_fixed(n->cp->fixed_seeds, n->cp->fixed_seeds_len,
	    node_time(), &v);
	/* Only the networks we can reach and know nothing of (Core). */
	for (i = k = 0; i < nv; i++)
		if ((empty >> netaddr_class(&v[i].svc.addr)) & 1)
			v[k++] = v[i];
	netaddr_set_internal(&src, "fixedseeds");
	addrman_add(n->addrman, v, k, &src, 0, node_time());
	free(v);
	s->fixed = 0;
	log_info("Added %zu fixed seeds from reachable networks.", k);
}

void
seeds_start(struct net *n)
{
	struct seeds *s = n->seeds;

	s->started_us = time_mono_micros();
	s->fixed_start = node_time();
	if (!s->dnsseed) {
		log_info("DNS seeding disabled");
		s->phase = SP_DONE;
	} else if (s->use_seednodes)
		log_info("-seednode enabled. Trying the provided seeds for "
			 "%d seconds before defaulting to the dnsseeds.",
		    (int)(SEEDNODE_TIMEOUT_US / 1000000));
	if (!s->fixed)
		log_info("Fixed seeds are disabled");
}

void
seeds_tick(struct net *n, int64_t now)
{
	struct seeds *s = n->seeds;

	if (s->phase != SP_DONE)
		dns_seed_step(n, time_mono_micros());
	fixed_seed_step(n, now);
}
