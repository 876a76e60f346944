/*
 * The net thread's start-up, run by net_start before the thread exists:
 * the options (connection limits, buffers, services, user agent,
 * whitelists, -listen and friends), the listening sockets (-port, -bind,
 * -whitebind) and the connections the options ask for (-connect,
 * -addnode, -seednode; the seeds' options are seeds.c's). Errors are the user's: they come
 * back as a message in err and net_start stops start-up with it.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/listener.h>
#include <event2/util.h>

#include "chain/chainparams.h"
#include "config.h"
#include "net/addrman.h"
#include "net/localaddr.h"
#include "net/cmpct.h"
#include "net/net_int.h"
#include "util/args.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int
bind_one(struct net *n, const struct service *svc, uint32_t perms,
    int explicit)
{
	struct sockaddr_storage ss;
	struct evconnlistener *evl;
	struct listener *l;
	socklen_t len;
	char s[NETADDR_STRLEN];
	int fd, one = 1;

	service_format(svc, s, sizeof(s));
	if ((len = service_to_sockaddr(svc, &ss)) == 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		if (explicit)
			log_warn("Unable to bind to %s on this computer", s);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* One socket per family: the IPv6 one must not take IPv4 too. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		int e = errno;

		close(fd);
		/* The errno too: under load "in use" and "denied" differ. */
		if (e == EADDRINUSE)
			log_warnx(
			    "Unable to bind to %s on this computer. "
			    "bitrootd is probably already running. (bind "
			    "returned error %s, errno %d)",
			    s, strerror(e), e);
		else if (explicit)
			log_warnx("Unable to bind to %s on this computer "
				  "(bind returned error %s, errno %d)",
			    s, strerror(e), e);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		log_warn("net: listen %s", s);
		close(fd);
		return -1;
	}
	l = NULL;
	n->listeners = xreallocarray(n->listeners, n->nlisteners + 1,
	    sizeof(*n->listeners));
	l = &n->listeners[n->nlisteners];
	memset(l, 0, sizeof(*l));
	l->addr = *svc;
	l->perms = perms;
	l->net = n;
	/* The callback argument is filled in once the array stops moving. */
	evl = evconnlistener_new(n->base, net_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (evl == NULL) {
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(evl, net_accept_error_cb);
	l->ev = evl;
	n->nlisteners++;
	log_info("Bound to %s", s);
	/* An address bound by hand is one of ours (Core's LOCAL_BIND). */
	if (explicit)
		local_add(n, svc, LOCAL_BIND);
	return 0;
}

int
net_setup_listeners(struct net *n, char *err, size_t errlen)
{
	const char *const *vals;
	size_t nb, nwb, i;
	struct service svc;
	uint16_t port;
	int64_t p;

	p = args_get_int(n->args, "port", n->cp->default_port);
	if (p <= 0 || p > 65535) {
		snprintf(err, errlen, "Invalid port specified in -port: '%s'",
		    args_get(n->args, "port"));
		return -1;
	}
	port = (uint16_t)p;
	nb = args_get_all(n->args, "bind", &vals);
	for (i = 0; i < nb; i++) {
		const char *v = vals[i];
		char *eq;
		char buf[128];

		/* Core's "-bind=ADDR=onion" suffix: accepted, served as usual. */
		snprintf(buf, sizeof(buf), "%s", v);
		if ((eq = strchr(buf, '=')) != NULL)
			*eq = '\0';
		if (service_parse(buf, port, &svc) == -1) {
			snprintf(err, errlen,
			    "Cannot resolve -bind address: "
			    "'%s'",
			    v);
			return -1;
		}
		if (n->listen && bind_one(n, &svc, 0, 1) == -1) {
			snprintf(err, errlen,
			    "Unable to bind to %s on this "
			    "computer",
			    v);
			return -1;
		}
	}
	nwb = args_get_all(n->args, "whitebind", &vals);
	for (i = 0; i < nwb; i++) {
		uint32_t flags;
		const char *rest;
		int dir;

		if (netperm_parse(vals[i], n->implicit_perms, &flags, &dir,
			&rest, err, errlen) == -1)
			return -1;
		if (service_parse(rest, 0, &svc) == -1 || svc.port == 0) {
			snprintf(err, errlen,
			    "Need to specify a port with "
			    "-whitebind: '%s'",
			    rest);
			return -1;
		}
		if (n->listen && bind_one(n, &svc, flags, 1) == -1) {
			snprintf(err, errlen,
			    "Unable to bind to %s on this "
			    "computer",
			    rest);
			return -1;
		}
	}
	if (n->listen && nb == 0 && nwb == 0) {
		struct service any6, any4;
		int ok = 0;

		memset(&any6, 0, sizeof(any6));
		memset(&any4, 0, sizeof(any4));
		any6.addr.net = NET_IPV6;
		any6.addr.len = 16;
		any6.port = port;
		any4.addr.net = NET_IPV4;
		any4.addr.len = 4;
		any4.port = port;
		ok += bind_one(n, &any6, 0, 0) == 0;
		ok += bind_one(n, &any4, 0, 0) == 0;
		if (!ok) {
			snprintf(err, errlen,
			    "Failed to listen on any port. "
			    "Use -listen=0 if you want this.");
			return -1;
		}
	}
	for (i = 0; i < n->nlisteners; i++)
		evconnlistener_set_cb(n->listeners[i].ev, net_accept_cb,
		    &n->listeners[i]);
	return 0;
}

static int
build_subver(struct net *n, char *err, size_t errlen)
{
	static const char safe[] =
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890 .,;-_/:?@()";
	const char *const *vals;
	size_t nc, i, len;
	char buf[4096];

	nc = args_get_all(n->args, "uacomment", &vals);
	len = (size_t)snprintf(buf, sizeof(buf), "/bitroot:%s",
	    PACKAGE_VERSION);
	for (i = 0; i < nc; i++) {
		const char *c = vals[i];

		if (strspn(c, safe) != strlen(c)) {
			snprintf(err, errlen,
			    "User Agent comment (%s) contains "
			    "unsafe characters.",
			    c);
			return -1;
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i == 0 ? "(" : "; ", c);
		if (len >= sizeof(buf) - 4)
			break;
	}
	if (nc > 0)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, ")");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/");
	if (len > MAX_SUBVERSION_LENGTH) {
		snprintf(err, errlen,
		    "Total length of network version string "
		    "(%zu) exceeds maximum length (%d). Reduce the number or "
		    "size of uacomments.",
		    len, MAX_SUBVERSION_LENGTH);
		return -1;
	}
	memcpy(n->subver, buf, len + 1);
	return 0;
}

/* A proxy option's "ip[:port]" (Core's default port 9050); 0 or -1. */
static int
parse_proxy(const char *v, struct service *out)
{
	if (service_parse(v, 9050, out) != 0 || out->port == 0)
		return -1;
	return out->addr.net == NET_IPV4 || out->addr.net == NET_IPV6 ? 0 : -1;
}

/*
 * -proxy, -onion, -proxyrandomize and -onlynet as Core's init: which
 * networks automatic connections may use, and through which proxy.
 */
static int
read_proxies(struct net *n, char *err, size_t errlen)
{
	const char *v, *const *vals;
	struct service ps;
	enum net_class c;
	size_t nv, i;
	int have_proxy = 0, onion_off = 0;

	memset(n->proxy, 0, sizeof(n->proxy));
	v = args_get(n->args, "proxy");
	if (v && *v && strcmp(v, "0") != 0) {
		if (parse_proxy(v, &ps) != 0) {
			snprintf(err, errlen,
			    "Invalid -proxy address or "
			    "hostname: '%s'",
			    v);
			return -1;
		}
		n->proxy[NETC_IPV4] = n->proxy[NETC_IPV6] = ps;
		n->proxy[NETC_ONION] = ps;
		have_proxy = 1;
	}
	v = args_get(n->args, "onion");
	if (v && *v) {
		if (strcmp(v, "0") == 0) {
			memset(&n->proxy[NETC_ONION], 0, sizeof(ps));
			onion_off = 1;
		} else if (parse_proxy(v, &ps) != 0) {
			snprintf(err, errlen,
			    "Invalid -onion address or "
			    "hostname: '%s'",
			    v);
			return -1;
		} else
			n->proxy[NETC_ONION] = ps;
	}
	n->proxy_randomize = args_get_bool(n->args, "proxyrandomize", 1);

	n->reachable = 1u << NETC_IPV4 | 1u << NETC_IPV6;
	if (n->proxy[NETC_ONION].port != 0)
		n->reachable |= 1u << NETC_ONION;
	nv = args_get_all(n->args, "onlynet", &vals);
	if (nv > 0) {
		n->reachable = 0;
		for (i = 0; i < nv; i++) {
			if (net_class_parse(vals[i], &c) != 0 ||
			    c == NETC_UNROUTABLE) {
				snprintf(err, errlen,
				    "Unknown network specified "
				    "in -onlynet: '%s'",
				    vals[i]);
				return -1;
			}
			n->reachable |= 1u << c;
		}
		if ((n->reachable & 1u << NETC_ONION) &&
		    n->proxy[NETC_ONION].port == 0) {
			snprintf(err, errlen,
			    "Outbound connections restricted "
			    "to Tor (-onlynet=onion) but the proxy for reaching "
			    "the Tor network is %s",
			    onion_off ?
				"explicitly "
				"forbidden: -onion=0" :
				"not provided: none of "
				"-proxy, -onion or -listenonion is given");
			return -1;
		}
		if (n->reachable & 1u << NETC_I2P) {
			snprintf(err, errlen,
			    "Outbound connections restricted "
			    "to i2p (-onlynet=i2p) but -i2psam is not provided");
			return -1;
		}
		if (n->reachable & 1u << NETC_CJDNS) {
			snprintf(err, errlen,
			    "Outbound connections restricted "
			    "to CJDNS (-onlynet=cjdns) but -cjdnsreachable is "
			    "not provided");
			return -1;
		}
	}
	return have_proxy;
}

/*
 * Core's Lookup(value, port, fNameLookup) for -externalip: a Tor v3 or I2P
 * name as it is, else getaddrinfo on this host (a name only with name
 * lookups on, -dns; numeric hosts always), the first address it gives.
 * Never through the proxy: Core resolves -externalip at start-up with the
 * system resolver, proxy or not. Blocking, which start-up may be.
 * 0 or -1.
 */
static int
lookup_externalip(const char *s, uint16_t default_port, int allow_dns,
    struct service *out)
{
	char host[256];
	struct addrinfo hints, *res, *ai;
	uint16_t port;
	int rc = -1;

	if (service_split(s, default_port, host, sizeof(host), &port) == -1 ||
	    host[0] == '\0')
		return -1;
	memset(out, 0, sizeof(*out));
	if (netaddr_parse_name(host, &out->addr) == 0) {
		out->port = port;
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = allow_dns ? AI_ADDRCONFIG : AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (service_from_sockaddr(out, ai->ai_addr) == 0) {
			out->port = port;
			rc = 0;
			break;
		}
	freeaddrinfo(res);
	return rc;
}

/*
 * -externalip and -discover (Core's init): our own addresses. Discovery
 * is on by default only when listening without -externalip or -proxy.
 */
static int
read_local_addrs(struct net *n, int have_proxy, char *err, size_t errlen)
{
	const char *const *vals;
	struct service s;
	int64_t p;
	uint16_t port;
	size_t nv, i;

	p = args_get_int(n->args, "port", n->cp->default_port);
	port = p > 0 && p <= 65535 ? (uint16_t)p : n->cp->default_port;
	nv = args_get_all(n->args, "externalip", &vals);
	n->discover = args_get_bool(n->args, "discover",
	    n->listen && nv == 0 && !have_proxy);
	for (i = 0; i < nv; i++) {
		if (lookup_externalip(vals[i], port,
			args_get_bool(n->args, "dns", 1), &s) != 0 ||
		    !netaddr_is_valid(&s.addr)) {
			snprintf(err, errlen,
			    "Cannot resolve -externalip address: '%s'",
			    vals[i]);
			return -1;
		}
		local_add(n, &s, LOCAL_MANUAL);
	}
	if (n->discover)
		local_discover(n, port);
	return 0;
}

int
net_read_options(struct net *n, char *err, size_t errlen)
{
	const char *const *vals;
	struct rlimit rl;
	int64_t v, maxconn, avail;
	size_t nv, i, nbind;
	int any_bind, have_proxy;

	maxconn = args_get_int(n->args, "maxconnections",
	    DEFAULT_MAX_PEER_CONNECTIONS);
	if (maxconn < 0)
		maxconn = 0;
	nbind = args_get_all(n->args, "bind", &vals) +
	    args_get_all(n->args, "whitebind", &vals);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY) {
		avail = (int64_t)rl.rlim_cur - MIN_CORE_FILEDESCRIPTORS -
		    MAX_ADDNODE_CONNECTIONS - (int64_t)(nbind ? nbind : 2);
		if (avail < 0)
			avail = 0;
		if (maxconn > avail) {
			log_warnx(
			    "Reducing -maxconnections from %lld to %lld, "
			    "because of system limitations.",
			    (long long)maxconn, (long long)avail);
			maxconn = avail;
		}
	}
	n->max_connections = (int)maxconn;
	n->max_outbound_full = maxconn < MAX_OUTBOUND_FULL_RELAY ?
	    (int)maxconn :
	    MAX_OUTBOUND_FULL_RELAY;
	n->max_block_relay = (int)maxconn - n->max_outbound_full <
		MAX_BLOCK_RELAY_ONLY ?
	    (int)maxconn - n->max_outbound_full :
	    MAX_BLOCK_RELAY_ONLY;
	n->max_inbound = (int)maxconn -
	    (n->max_outbound_full + n->max_block_relay +
		MAX_FEELER_CONNECTIONS);
	if (n->max_inbound < 0)
		n->max_inbound = 0;

	n->allow_dns = args_get_bool(n->args, "dns", 1);
	n->logips = args_get_bool(n->args, "logips", 0);
	n->peer_timeout = args_get_int(n->args, "peertimeout",
	    DEFAULT_PEER_CONNECT_TIMEOUT);
	if (n->peer_timeout <= 0) {
		snprintf(err, errlen,
		    "peertimeout must be a positive "
		    "integer.");
		return -1;
	}
	v = args_get_int(n->args, "timeout", DEFAULT_CONNECT_TIMEOUT_MS);
	n->connect_timeout_ms = v > 0 && v < 3600000 ?
	    (int)v :
	    DEFAULT_CONNECT_TIMEOUT_MS;
	v = args_get_int(n->args, "maxreceivebuffer",
	    DEFAULT_MAXRECEIVEBUFFER);
	n->max_recv_buffer = v > 0 ? (size_t)v * 1000 :
				     DEFAULT_MAXRECEIVEBUFFER * 1000;
	v = args_get_int(n->args, "maxsendbuffer", DEFAULT_MAXSENDBUFFER);
	n->max_send_buffer = v > 0 ? (size_t)v * 1000 :
				     DEFAULT_MAXSENDBUFFER * 1000;
	n->local_services = NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED;
	/* BIP324, on by default as in Core. */
	n->v2transport = args_get_bool(n->args, "v2transport", 1);
	if (n->v2transport)
		n->local_services |= NODE_P2P_V2;
	/* node_start has checked that the basic filter index runs. */
	if (args_get_bool(n->args, "peerblockfilters", 0))
		n->local_services |= NODE_COMPACT_FILTERS;
	if (build_subver(n, err, errlen) == -1)
		return -1;

	n->implicit_perms = netperm_implicit(args_get_bool(n->args,
						 "whitelistrelay", 1),
	    args_get_bool(n->args, "whitelistforcerelay", 0));
	nv = args_get_all(n->args, "whitelist", &vals);
	for (i = 0; i < nv; i++) {
		struct whitelist_entry w;
		const char *rest;

		memset(&w, 0, sizeof(w));
		if (netperm_parse(vals[i], n->implicit_perms, &w.flags, &w.dir,
			&rest, err, errlen) == -1)
			return -1;
		if (subnet_parse(rest, &w.sn) == -1) {
			snprintf(err, errlen,
			    "Invalid netmask specified in "
			    "-whitelist: '%s'",
			    rest);
			return -1;
		}
		n->whitelist = xreallocarray(n->whitelist, n->nwhitelist + 1,
		    sizeof(*n->whitelist));
		n->whitelist[n->nwhitelist++] = w;
	}

	n->network_active = args_get_bool(n->args, "networkactive", 1);
	if ((have_proxy = read_proxies(n, err, errlen)) < 0)
		return -1;
	/*
	 * -bind turns listening on; -connect and -proxy turn it off by
	 * default, in that order of precedence (Core's soft settings).
	 */
	any_bind = args_is_set(n->args, "bind") ||
	    args_is_set(n->args, "whitebind");
	n->listen = args_get_bool(n->args, "listen",
	    any_bind ? 1 : !args_is_set(n->args, "connect") && !have_proxy);
	if (maxconn == 0)
		n->listen = 0;
	if (read_local_addrs(n, have_proxy, err, errlen) == -1)
		return -1;
	n->use_addrman_outgoing = !args_is_set(n->args, "connect");
	n->blocksonly = args_get_bool(n->args, "blocksonly", 0);
	/* Negative counts as none (Core). */
	v = args_get_int(n->args, "blockreconstructionextratxn",
	    DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN);
	n->extra_txn = v > 0 ? (size_t)v : 0;
	/*
	 * -test=nopublicdial: the test framework gives it to every bitrootd so
	 * that addresses a test gossips (which must be routable) are never
	 * dialled by the automatic connections; only loopback traffic leaves.
	 */
	nv = args_get_all(n->args, "test", &vals);
	for (i = 0; i < nv; i++) {
		if (strcmp(vals[i], "nopublicdial") == 0)
			n->no_public_dial = 1;
		else if (strcmp(vals[i], "addrman") == 0)
			n->deterministic_addrman = 1;
		else {
			snprintf(err, errlen,
			    "-test=%s unknown test option "
			    "(bitrootd knows: addrman, nopublicdial)",
			    vals[i]);
			return -1;
		}
	}
	return seeds_read_options(n, err, errlen);
}

static void
add_node(struct net *n, const char *name, int from_connect)
{
	struct added_node *a = xcalloc(1, sizeof(*a));

	a->name = xstrdup(name);
	a->from_connect = from_connect;
	a->backoff_us = ADDNODE_BACKOFF_MIN_US;
	a->use_v2 = n->v2transport;
	n->added = xreallocarray(n->added, n->nadded + 1, sizeof(*n->added));
	n->added[n->nadded++] = a;
}

/* The connections the options ask for: -connect, -addnode, -seednode. */
void
net_add_targets(struct net *n)
{
	const char *const *vals;
	size_t nv, i;

	nv = args_get_all(n->args, "connect", &vals);
	for (i = 0; i < nv; i++)
		if (strcmp(vals[i], "0") != 0 && vals[i][0] != '\0')
			add_node(n, vals[i], 1);
	/* -addnode is kept connected even with -connect (Core). */
	nv = args_get_all(n->args, "addnode", &vals);
	for (i = 0; i < nv; i++)
		add_node(n, vals[i], 0);
	if (n->use_addrman_outgoing) {
		nv = args_get_all(n->args, "seednode", &vals);
		for (i = 0; i < nv; i++)
			net_connect(n, vals[i], CONN_ADDR_FETCH, NULL,
			    n->v2transport);
	}
}
