/*
 * The network RPC methods, run on the net thread (net_call), with result
 * keys and types as Bitcoin Core 30 documents them. params is the
 * positional array the rpc thread built (named arguments already placed);
 * a JSON null counts as absent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "config.h"
#include "crypto/bip324.h"
#include "mempool/policy.h"
#include "net/addrman.h"
#include "net/banman.h"
#include "net/net_int.h"
#include "net/orphanage.h"
#include "net/v2transport.h"
#include "rpc/rpc_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

typedef json_t *(*net_rpc_fn)(struct net *, json_t *, struct rpc_error *);

static json_t *
fail(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

static json_t *
arg(json_t *params, size_t i)
{
	json_t *v = json_is_array(params) ? json_array_get(params, i) : NULL;

	return json_is_null(v) ? NULL : v;
}

static int
arg_str(json_t *params, size_t i, const char *name, const char **out,
    struct rpc_error *err)
{
	json_t *v = arg(params, i);

	if (v == NULL) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		fail(err, RPC_TYPE_ERROR, "JSON value of type %s for field %s "
		    "is not of expected type string",
		    json_is_integer(v) || json_is_real(v) ? "number" :
		    json_is_boolean(v) ? "bool" : json_is_array(v) ? "array" :
		    "object", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

static int
arg_int(json_t *params, size_t i, const char *name, int64_t *out, int *set,
    struct rpc_error *err)
{
	json_t *v = arg(params, i);

	*set = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		fail(err, RPC_TYPE_ERROR, "JSON value of type %s for field %s "
		    "is not of expected type number", json_is_string(v) ?
		    "string" : json_is_boolean(v) ? "bool" : json_is_real(v) ?
		    "non-integer number" : "object", name);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

static int
arg_bool(json_t *params, size_t i, const char *name, int *out, int *set,
    struct rpc_error *err)
{
	json_t *v = arg(params, i);

	*set = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		fail(err, RPC_TYPE_ERROR, "JSON value of type %s for field %s "
		    "is not of expected type bool", json_is_string(v) ?
		    "string" : json_is_number(v) ? "number" : "object", name);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

static json_t *
services_names(uint64_t services)
{
	static const char *const names[] = {
		[0] = "NETWORK", [2] = "BLOOM", [3] = "WITNESS",
		[6] = "COMPACT_FILTERS", [10] = "NETWORK_LIMITED",
		[11] = "P2P_V2",
	};
	json_t *a = json_array();
	char buf[32];
	int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(services & (1ULL << bit)))
			continue;
		if (bit < (int)(sizeof(names) / sizeof(names[0])) && names[bit])
			json_array_append_new(a, json_string(names[bit]));
		else {
			snprintf(buf, sizeof(buf), "UNKNOWN[2^%d]", bit);
			json_array_append_new(a, json_string(buf));
		}
	}
	return a;
}

static json_t *
services_hex(uint64_t services)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)services);
	return json_string(buf);
}

static int
live(const struct peer *p)
{
	return !p->disconnect && !p->connecting;
}

static json_t *
per_msg(const uint64_t *v)
{
	json_t *o = json_object();
	int t;

	/* Core lists them sorted by name; only non-zero entries. */
	const char *names[MT_COUNT];
	int idx[MT_COUNT], n = 0, i, j;

	for (t = 0; t < MT_COUNT; t++) {
		if (v[t] == 0)
			continue;
		names[n] = msg_type_name((enum msg_type)t);
		idx[n++] = t;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *tn = names[j];
			int ti = idx[j];

			names[j] = names[j - 1];
			idx[j] = idx[j - 1];
			names[j - 1] = tn;
			idx[j - 1] = ti;
		}
	for (i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)
		    v[idx[i]]));
	return o;
}

static json_t *
peer_json(struct net *n, struct peer *p, int64_t now_us)
{
	json_t *o = json_object(), *a;
	char buf[NETADDR_STRLEN];
	const char *perms[7];
	int32_t heights[32], tip;
	size_t k, i;

	json_object_set_new(o, "id", json_integer((json_int_t)p->id));
	json_object_set_new(o, "addr", json_string(p->addr_name));
	if (p->has_bind) {
		service_format(&p->bind, buf, sizeof(buf));
		json_object_set_new(o, "addrbind", json_string(buf));
	}
	if (p->has_addr_local) {
		service_format(&p->addr_local, buf, sizeof(buf));
		json_object_set_new(o, "addrlocal", json_string(buf));
	}
	json_object_set_new(o, "network", json_string(net_class_name(
	    netaddr_class(&p->addr.addr))));
	json_object_set_new(o, "services", services_hex(p->services));
	json_object_set_new(o, "servicesnames", services_names(p->services));
	json_object_set_new(o, "relaytxes", json_boolean(p->relay_txs));
	json_object_set_new(o, "last_inv_sequence",
	    json_integer((json_int_t)txrelay_peer_last_seq(p)));
	json_object_set_new(o, "inv_to_send",
	    json_integer((json_int_t)txrelay_peer_inv_queued(p)));
	json_object_set_new(o, "lastsend", json_integer(p->last_send));
	json_object_set_new(o, "lastrecv", json_integer(p->last_recv));
	json_object_set_new(o, "last_transaction",
	    json_integer(p->last_tx_time));
	json_object_set_new(o, "last_block", json_integer(p->last_block_time));
	json_object_set_new(o, "bytessent",
	    json_integer((json_int_t)p->bytes_sent));
	json_object_set_new(o, "bytesrecv",
	    json_integer((json_int_t)p->bytes_recv));
	json_object_set_new(o, "conntime", json_integer(p->conn_time));
	json_object_set_new(o, "timeoffset", json_integer(p->time_offset));
	if (p->last_ping_us > 0)
		json_object_set_new(o, "pingtime",
		    json_real((double)p->last_ping_us / 1e6));
	if (p->min_ping_us != INT64_MAX)
		json_object_set_new(o, "minping",
		    json_real((double)p->min_ping_us / 1e6));
	if (p->ping_nonce && now_us > p->ping_start_us)
		json_object_set_new(o, "pingwait",
		    json_real((double)(now_us - p->ping_start_us) / 1e6));
	json_object_set_new(o, "version", json_integer(p->version));
	json_object_set_new(o, "subver", json_string(p->subver ? p->subver :
	    ""));
	json_object_set_new(o, "inbound",
	    json_boolean(p->type == CONN_INBOUND));
	json_object_set_new(o, "bip152_hb_to", json_false());
	json_object_set_new(o, "bip152_hb_from", json_false());
	json_object_set_new(o, "startingheight",
	    json_integer(p->start_height));
	json_object_set_new(o, "presynced_headers", json_integer(-1));
	json_object_set_new(o, "synced_headers",
	    json_integer(p->sync.has_best ? p->sync.best_height : -1));
	tip = sync_tip_height(n);
	json_object_set_new(o, "synced_blocks",
	    json_integer(p->sync.has_best ? (p->sync.common_height < tip ?
	    p->sync.common_height : tip) : -1));
	a = json_array();
	k = sync_inflight_heights(p, heights, 32);
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_integer(heights[i]));
	json_object_set_new(o, "inflight", a);
	json_object_set_new(o, "addr_relay_enabled",
	    json_boolean(p->addrs.relay));
	json_object_set_new(o, "addr_processed",
	    json_integer((json_int_t)p->addrs.processed));
	json_object_set_new(o, "addr_rate_limited",
	    json_integer((json_int_t)p->addrs.rate_limited));
	a = json_array();
	k = netperm_names(p->perms, perms);
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_string(perms[i]));
	json_object_set_new(o, "permissions", a);
	json_object_set_new(o, "minfeefilter", rpc_amount(p->fee_filter));
	json_object_set_new(o, "bytessent_per_msg", per_msg(p->sent_per_msg));
	json_object_set_new(o, "bytesrecv_per_msg", per_msg(p->recv_per_msg));
	json_object_set_new(o, "connection_type",
	    json_string(conn_type_name(p->type)));
	{
		const uint8_t *sid = p->v2 ? v2t_session_id(p->v2) : NULL;
		char hex[2 * BIP324_SESSION_ID_LEN + 1] = "";

		json_object_set_new(o, "transport_protocol_type", json_string(
		    p->v2 == NULL ? "v1" : v2t_detecting(p->v2) ? "detecting" :
		    "v2"));
		if (sid)
			hex_encode(sid, BIP324_SESSION_ID_LEN, hex);
		json_object_set_new(o, "session_id", json_string(hex));
	}
	return o;
}

static json_t *
m_getpeerinfo(struct net *n, json_t *params, struct rpc_error *err)
{
	json_t *a = json_array();
	int64_t now_us = net_now_us();
	struct peer *p;

	TAILQ_FOREACH(p, &n->peers, entry)
		if (live(p))
			json_array_append_new(a, peer_json(n, p, now_us));
	return a;
}

/* Live connections, from the counters (no walk over 10,000 peers). */
static size_t
count_dir(struct net *n, int inbound)
{
	size_t all = 0, in = n->n_by_type[CONN_INBOUND];
	int t;

	for (t = 0; t <= CONN_ADDR_FETCH; t++)
		all += n->n_by_type[t];
	all -= n->n_connecting;
	if (inbound < 0)
		return all;
	return inbound ? in : all - in;
}

static json_t *
m_getconnectioncount(struct net *n, json_t *params, struct rpc_error *err)
{
	return json_integer((json_int_t)count_dir(n, -1));
}

static json_t *
m_ping(struct net *n, json_t *params, struct rpc_error *err)
{
	struct peer *p;

	/* Sent on the next tick, as Core sends on the next message pass. */
	TAILQ_FOREACH(p, &n->peers, entry)
		p->ping_queued = 1;
	return json_null();
}

static json_t *
m_getnettotals(struct net *n, json_t *params, struct rpc_error *err)
{
	json_t *o = json_object(), *u = json_object();

	json_object_set_new(o, "totalbytesrecv",
	    json_integer((json_int_t)n->total_recv));
	json_object_set_new(o, "totalbytessent",
	    json_integer((json_int_t)n->total_sent));
	json_object_set_new(o, "timemillis",
	    json_integer(time_wall_micros() / 1000));
	/* No -maxuploadtarget: unlimited, as Core's default. */
	json_object_set_new(u, "timeframe", json_integer(86400));
	json_object_set_new(u, "target", json_integer(0));
	json_object_set_new(u, "target_reached", json_false());
	json_object_set_new(u, "serve_historical_blocks", json_true());
	json_object_set_new(u, "bytes_left_in_cycle", json_integer(0));
	json_object_set_new(u, "time_left_in_cycle", json_integer(0));
	json_object_set_new(o, "uploadtarget", u);
	return o;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
median_outbound_offset(struct net *n)
{
	int64_t v[64];
	struct peer *p;
	size_t k = 0;

	TAILQ_FOREACH(p, &n->peers, entry)
		if (live(p) && p->handshaked && p->type != CONN_INBOUND &&
		    k < 64)
			v[k++] = p->time_offset;
	/* Core needs a few samples before it reports anything. */
	if (k < 5)
		return 0;
	qsort(v, k, sizeof(v[0]), cmp_i64);
	return v[k / 2];
}

static json_t *
m_getnetworkinfo(struct net *n, json_t *params, struct rpc_error *err)
{
	static const char *const nets[] = { "ipv4", "ipv6", "onion", "i2p",
	    "cjdns" };
	json_t *o = json_object(), *a;
	struct policy pol;
	char perr[256];
	size_t i;
	int maj = 0, min = 0, rev = 0;

	sscanf(PACKAGE_VERSION, "%d.%d.%d", &maj, &min, &rev);
	json_object_set_new(o, "version",
	    json_integer(maj * 10000 + min * 100 + rev));
	json_object_set_new(o, "subversion", json_string(n->subver));
	json_object_set_new(o, "protocolversion",
	    json_integer(PROTOCOL_VERSION));
	json_object_set_new(o, "localservices",
	    services_hex(net_services(n)));
	json_object_set_new(o, "localservicesnames",
	    services_names(net_services(n)));
	json_object_set_new(o, "localrelay", json_boolean(!n->blocksonly));
	json_object_set_new(o, "timeoffset",
	    json_integer(median_outbound_offset(n)));
	json_object_set_new(o, "networkactive",
	    json_boolean(n->network_active));
	json_object_set_new(o, "connections",
	    json_integer((json_int_t)count_dir(n, -1)));
	json_object_set_new(o, "connections_in",
	    json_integer((json_int_t)count_dir(n, 1)));
	json_object_set_new(o, "connections_out",
	    json_integer((json_int_t)count_dir(n, 0)));
	a = json_array();
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		json_t *e = json_object();
		int reach = i < 2;	/* no proxies: IPv4 and IPv6 only */

		json_object_set_new(e, "name", json_string(nets[i]));
		json_object_set_new(e, "limited", json_boolean(!reach));
		json_object_set_new(e, "reachable", json_boolean(reach));
		json_object_set_new(e, "proxy", json_string(""));
		json_object_set_new(e, "proxy_randomize_credentials",
		    json_false());
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "networks", a);
	/* The mempool's own reading of -minrelaytxfee and -incrementalrelayfee. */
	if (policy_init(&pol, n->args, n->cp->id != CHAIN_MAIN, perr,
	    sizeof(perr)) != 0)
		policy_init(&pol, NULL, 0, perr, sizeof(perr));
	json_object_set_new(o, "relayfee", rpc_amount(pol.min_relay_fee));
	json_object_set_new(o, "incrementalfee",
	    rpc_amount(pol.incremental_relay_fee));
	json_object_set_new(o, "localaddresses", json_array());
	json_object_set_new(o, "warnings", json_array());
	return o;
}

static struct added_node *
find_added(struct net *n, const char *name, size_t *idx)
{
	struct service a, b;
	int anum;
	size_t i;

	anum = service_parse(name, n->cp->default_port, &a) == 0;
	for (i = 0; i < n->nadded; i++) {
		struct added_node *x = n->added[i];

		if (x->from_connect)
			continue;
		if (strcmp(x->name, name) == 0 || (anum &&
		    service_parse(x->name, n->cp->default_port, &b) == 0 &&
		    service_eq(&a, &b))) {
			if (idx)
				*idx = i;
			return x;
		}
	}
	return NULL;
}

static json_t *
m_addnode(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *node, *cmd;
	struct added_node *a;
	struct peer *p;
	size_t idx;
	int v2 = 0, set;

	if (arg_str(params, 0, "node", &node, err) == -1 ||
	    arg_str(params, 1, "command", &cmd, err) == -1 ||
	    arg_bool(params, 2, "v2transport", &v2, &set, err) == -1)
		return NULL;
	if (node == NULL || cmd == NULL || (strcmp(cmd, "onetry") != 0 &&
	    strcmp(cmd, "add") != 0 && strcmp(cmd, "remove") != 0))
		return fail(err, RPC_MISC_ERROR, "addnode \"node\" \"command\" "
		    "( v2transport )\n\ncommand: 'add' to add a node to the "
		    "list, 'remove' to remove a node from the list, 'onetry' "
		    "to try a connection to the node once");
	/* Default: -v2transport (Core). */
	if (!set)
		v2 = n->v2transport;
	if (v2 && !n->v2transport && strcmp(cmd, "remove") != 0)
		return fail(err, RPC_INVALID_PARAMETER, "Error: v2transport "
		    "requested but not enabled (see -v2transport)");
	if (strcmp(cmd, "onetry") == 0) {
		net_connect(n, node, CONN_MANUAL, NULL, v2);
		return json_null();
	}
	if (strcmp(cmd, "add") == 0) {
		if (find_added(n, node, NULL))
			return fail(err, RPC_CLIENT_NODE_ALREADY_ADDED,
			    "Error: Node already added");
		a = xcalloc(1, sizeof(*a));
		a->name = xstrdup(node);
		a->backoff_us = ADDNODE_BACKOFF_MIN_US;
		a->use_v2 = v2;
		n->added = xreallocarray(n->added, n->nadded + 1,
		    sizeof(*n->added));
		n->added[n->nadded++] = a;
		return json_null();
	}
	if ((a = find_added(n, node, &idx)) == NULL)
		return fail(err, RPC_CLIENT_NODE_NOT_ADDED, "Error: Node could "
		    "not be removed. It has not been added previously.");
	/* The connection stays (as Core); it just stops being "added". */
	TAILQ_FOREACH(p, &n->peers, entry)
		if (p->added == a)
			p->added = NULL;
	memmove(&n->added[idx], &n->added[idx + 1],
	    (n->nadded - idx - 1) * sizeof(*n->added));
	n->nadded--;
	free(a->name);
	free(a);
	return json_null();
}

static json_t *
m_disconnectnode(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *addr;
	struct peer *p, *found = NULL;
	int64_t id;
	int set;

	if (arg_str(params, 0, "address", &addr, err) == -1 ||
	    arg_int(params, 1, "nodeid", &id, &set, err) == -1)
		return NULL;
	if (addr && !set) {
		TAILQ_FOREACH(p, &n->peers, entry)
			if (live(p) && strcmp(p->addr_name, addr) == 0) {
				found = p;
				break;
			}
	} else if (set && (addr == NULL || addr[0] == '\0')) {
		p = id > 0 ? net_peer_by_id(n, (uint64_t)id) : NULL;
		if (p && live(p))
			found = p;
	} else
		return fail(err, RPC_INVALID_PARAMS, "Only one of address and "
		    "nodeid should be provided.");
	if (found == NULL)
		return fail(err, RPC_CLIENT_NODE_NOT_CONNECTED,
		    "Node not found in connected nodes");
	peer_disconnect(found, "disconnectnode requested");
	return json_null();
}

static json_t *
m_getaddednodeinfo(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *node;
	json_t *a = json_array();
	struct service svc;
	struct peer *p;
	size_t i;

	if (arg_str(params, 0, "node", &node, err) == -1) {
		json_decref(a);
		return NULL;
	}
	if (node && find_added(n, node, NULL) == NULL) {
		json_decref(a);
		return fail(err, RPC_CLIENT_NODE_NOT_ADDED,
		    "Error: Node has not been added.");
	}
	for (i = 0; i < n->nadded; i++) {
		struct added_node *x = n->added[i];
		struct peer *conn = NULL;
		json_t *o, *addrs;
		int num;

		if (x->from_connect || (node && strcmp(x->name, node) != 0 &&
		    find_added(n, node, NULL) != x))
			continue;
		num = service_parse(x->name, n->cp->default_port, &svc) == 0;
		TAILQ_FOREACH(p, &n->peers, entry) {
			if (!live(p))
				continue;
			if ((p->added == x && p->handshaked) ||
			    (num && service_eq(&p->addr, &svc))) {
				conn = p;
				break;
			}
		}
		o = json_object();
		json_object_set_new(o, "addednode", json_string(x->name));
		json_object_set_new(o, "connected", json_boolean(conn != NULL));
		addrs = json_array();
		if (conn) {
			json_t *e = json_object();
			char buf[NETADDR_STRLEN];

			service_format(&conn->addr, buf, sizeof(buf));
			json_object_set_new(e, "address", json_string(buf));
			json_object_set_new(e, "connected", json_string(
			    conn->type == CONN_INBOUND ? "inbound" :
			    "outbound"));
			json_array_append_new(addrs, e);
		}
		json_object_set_new(o, "addresses", addrs);
		json_array_append_new(a, o);
	}
	return a;
}

static int
parse_ban_target(const char *s, struct subnet *sn)
{
	struct netaddr a;

	if (strchr(s, '/'))
		return subnet_parse(s, sn);
	if (netaddr_parse(s, &a) == -1 || !netaddr_is_valid(&a))
		return -1;
	subnet_single(sn, &a);
	return 0;
}

static json_t *
m_setban(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *target, *cmd;
	struct subnet sn;
	struct peer *p;
	int64_t bantime = 0, now = node_time();
	int absolute = 0, set;

	if (arg_str(params, 0, "subnet", &target, err) == -1 ||
	    arg_str(params, 1, "command", &cmd, err) == -1 ||
	    arg_int(params, 2, "bantime", &bantime, &set, err) == -1 ||
	    arg_bool(params, 3, "absolute", &absolute, &set, err) == -1)
		return NULL;
	if (cmd == NULL || (strcmp(cmd, "add") != 0 &&
	    strcmp(cmd, "remove") != 0))
		return fail(err, RPC_MISC_ERROR, "setban \"subnet\" \"command\" "
		    "( bantime absolute )\n\ncommand: 'add' to add an "
		    "IP/Subnet to the list, 'remove' to remove an IP/Subnet "
		    "from the list");
	if (target == NULL || parse_ban_target(target, &sn) == -1)
		return fail(err, RPC_CLIENT_INVALID_IP_OR_SUBNET,
		    "Error: Invalid IP/Subnet");
	if (strcmp(cmd, "add") == 0) {
		/* Core: a single address is banned when any ban covers it. */
		if (strchr(target, '/') == NULL ?
		    banman_is_banned(n->banman, &sn.base, now) :
		    banman_is_banned_subnet(n->banman, &sn, now))
			return fail(err, RPC_CLIENT_NODE_ALREADY_ADDED,
			    "Error: IP/Subnet already banned");
		if (absolute && bantime < now)
			return fail(err, RPC_INVALID_PARAMETER,
			    "Error: Absolute timestamp is in the past");
		banman_ban(n->banman, &sn, bantime, absolute, now);
		TAILQ_FOREACH(p, &n->peers, entry)
			if (!p->disconnect && subnet_match(&sn, &p->addr.addr))
				peer_disconnect(p, "banned by setban");
		banman_save(n->banman);
		return json_null();
	}
	if (banman_unban(n->banman, &sn) == -1)
		return fail(err, RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Unban "
		    "failed. Requested address/subnet was not previously "
		    "manually banned.");
	banman_save(n->banman);
	return json_null();
}

/* Core's CSubNet order: network, then address bytes, then mask. */
static int
cmp_ban(const void *x, const void *y)
{
	const struct subnet *a = &((const struct ban_entry *)x)->sn;
	const struct subnet *b = &((const struct ban_entry *)y)->sn;
	int c;

	if (a->base.net != b->base.net)
		return a->base.net < b->base.net ? -1 : 1;
	if (a->base.len != b->base.len)
		return a->base.len < b->base.len ? -1 : 1;
	c = memcmp(a->base.a, b->base.a, a->base.len);
	if (c != 0)
		return c;
	return a->bits < b->bits ? -1 : a->bits > b->bits;
}

static json_t *
m_listbanned(struct net *n, json_t *params, struct rpc_error *err)
{
	const struct ban_entry *list;
	struct ban_entry *b;
	json_t *a = json_array();
	int64_t now = node_time();
	size_t nb, i;

	list = banman_list(n->banman, now, &nb);
	b = xcalloc(nb ? nb : 1, sizeof(*b));
	memcpy(b, list, nb * sizeof(*b));
	qsort(b, nb, sizeof(*b), cmp_ban);
	for (i = 0; i < nb; i++) {
		json_t *o = json_object();
		char s[NETADDR_STRLEN];

		subnet_format(&b[i].sn, s, sizeof(s));
		json_object_set_new(o, "address", json_string(s));
		json_object_set_new(o, "ban_created",
		    json_integer(b[i].created));
		json_object_set_new(o, "banned_until",
		    json_integer(b[i].until));
		json_object_set_new(o, "ban_duration",
		    json_integer(b[i].until - b[i].created));
		json_object_set_new(o, "time_remaining",
		    json_integer(b[i].until - now));
		json_array_append_new(a, o);
	}
	free(b);
	return a;
}

static json_t *
m_clearbanned(struct net *n, json_t *params, struct rpc_error *err)
{
	banman_clear(n->banman);
	banman_save(n->banman);
	return json_null();
}

static json_t *
m_setnetworkactive(struct net *n, json_t *params, struct rpc_error *err)
{
	struct peer *p;
	int state, set;

	if (arg_bool(params, 0, "state", &state, &set, err) == -1)
		return NULL;
	if (!set)
		return fail(err, RPC_INVALID_PARAMS, "setnetworkactive state");
	if (n->network_active != state)
		log_info("SetNetworkActive: %s", state ? "true" : "false");
	n->network_active = state;
	if (!state)
		TAILQ_FOREACH(p, &n->peers, entry)
			peer_disconnect(p, "network disabled");
	return json_boolean(n->network_active);
}

static json_t *
m_getnodeaddresses(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *net;
	struct addr_entry *v;
	enum net_class cls = NETC_UNROUTABLE;
	json_t *a;
	int64_t count = 1;
	size_t k, i, max;
	int set;

	if (arg_int(params, 0, "count", &count, &set, err) == -1 ||
	    arg_str(params, 1, "network", &net, err) == -1)
		return NULL;
	if (count < 0)
		return fail(err, RPC_INVALID_PARAMETER,
		    "Address count out of range");
	if (net && net_class_parse(net, &cls) == -1)
		return fail(err, RPC_INVALID_PARAMETER,
		    "Network not recognized: %s", net);
	max = addrman_size(n->addrman, -1, -1);
	if (count > 0 && (size_t)count < max)
		max = (size_t)count;
	v = xcalloc(max + 1, sizeof(*v));
	k = addrman_get_addr(n->addrman, max, 0, net ? (int)cls : -1,
	    node_time(), v);
	a = json_array();
	for (i = 0; i < k; i++) {
		json_t *o = json_object();
		char s[NETADDR_STRLEN];

		netaddr_format(&v[i].svc.addr, s, sizeof(s));
		json_object_set_new(o, "time", json_integer(v[i].time));
		json_object_set_new(o, "services",
		    json_integer((json_int_t)v[i].services));
		json_object_set_new(o, "address", json_string(s));
		json_object_set_new(o, "port", json_integer(v[i].svc.port));
		json_object_set_new(o, "network", json_string(net_class_name(
		    netaddr_class(&v[i].svc.addr))));
		json_array_append_new(a, o);
	}
	free(v);
	return a;
}

static json_t *
m_addpeeraddress(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *addr;
	struct addr_entry e;
	json_t *o;
	int64_t port = 0, now = node_time();
	int tried = 0, set, success = 0;

	if (arg_str(params, 0, "address", &addr, err) == -1 ||
	    arg_int(params, 1, "port", &port, &set, err) == -1 ||
	    arg_bool(params, 2, "tried", &tried, &set, err) == -1)
		return NULL;
	if (addr == NULL)
		return fail(err, RPC_INVALID_PARAMS, "address is required");
	if (port < 0 || port > 65535)
		return fail(err, RPC_MISC_ERROR, "JSON integer out of range");
	o = json_object();
	memset(&e, 0, sizeof(e));
	if (netaddr_parse(addr, &e.svc.addr) == 0) {
		e.svc.port = (uint16_t)port;
		e.services = NODE_NETWORK | NODE_WITNESS;
		e.time = (uint32_t)now;
		/* The address announces itself: it is its own source. */
		if (addrman_add(n->addrman, &e, 1, &e.svc.addr, 0, now) == 1) {
			success = 1;
			if (tried && addrman_good(n->addrman, &e.svc, now) != 0) {
				success = 0;
				json_object_set_new(o, "error",
				    json_string("failed-adding-to-tried"));
			}
		} else
			json_object_set_new(o, "error",
			    json_string("failed-adding-to-new"));
	}
	json_object_set_new(o, "success", json_boolean(success));
	return o;
}

static json_t *
m_addconnection(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *addr, *type;
	enum conn_type t;
	json_t *o;
	int v2 = 0, set, max = -1, total;

	if (n->cp->id != CHAIN_REGTEST)
		return fail(err, RPC_MISC_ERROR, "addconnection is for "
		    "regression testing (-regtest mode) only.");
	if (arg_str(params, 0, "address", &addr, err) == -1 ||
	    arg_str(params, 1, "connection_type", &type, err) == -1 ||
	    arg_bool(params, 2, "v2transport", &v2, &set, err) == -1)
		return NULL;
	if (addr == NULL || type == NULL)
		return fail(err, RPC_INVALID_PARAMS, "addconnection \"address\" "
		    "\"connection_type\" v2transport");
	if (strcmp(type, "outbound-full-relay") == 0) {
		t = CONN_OUTBOUND_FULL;
		max = n->max_outbound_full;
	} else if (strcmp(type, "block-relay-only") == 0) {
		t = CONN_BLOCK_RELAY;
		max = n->max_block_relay;
	} else if (strcmp(type, "addr-fetch") == 0)
		t = CONN_ADDR_FETCH;
	else if (strcmp(type, "feeler") == 0)
		t = CONN_FEELER;
	else
		return fail(err, RPC_INVALID_PARAMETER, "addconnection "
		    "\"address\" \"connection_type\" v2transport\n\n"
		    "connection_type: \"outbound-full-relay\", "
		    "\"block-relay-only\", \"addr-fetch\" or \"feeler\"");
	if (v2 && !n->v2transport)
		return fail(err, RPC_INVALID_PARAMETER, "Error: Adding "
		    "v2transport connections requires -v2transport init flag "
		    "to be set.");
	total = net_count_type(n, CONN_OUTBOUND_FULL) +
	    net_count_type(n, CONN_BLOCK_RELAY) +
	    net_count_type(n, CONN_FEELER) + net_count_type(n, CONN_ADDR_FETCH);
	if ((max >= 0 && net_count_type(n, t) >= max) ||
	    total >= n->max_outbound_full + n->max_block_relay +
	    MAX_FEELER_CONNECTIONS)
		return fail(err, RPC_CLIENT_NODE_CAPACITY_REACHED,
		    "Error: Already at capacity for specified connection type.");
	net_connect(n, addr, t, NULL, v2);
	o = json_object();
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "connection_type", json_string(type));
	return o;
}

static json_t *
m_getaddrmaninfo(struct net *n, json_t *params, struct rpc_error *err)
{
	static const enum net_class cls[] = { NETC_IPV4, NETC_IPV6, NETC_ONION,
	    NETC_I2P, NETC_CJDNS };
	json_t *o = json_object(), *e;
	size_t i;

	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		e = json_object();
		json_object_set_new(e, "new", json_integer((json_int_t)
		    addrman_size(n->addrman, (int)cls[i], 1)));
		json_object_set_new(e, "tried", json_integer((json_int_t)
		    addrman_size(n->addrman, (int)cls[i], 0)));
		json_object_set_new(e, "total", json_integer((json_int_t)
		    addrman_size(n->addrman, (int)cls[i], -1)));
		json_object_set_new(o, net_class_name(cls[i]), e);
	}
	e = json_object();
	json_object_set_new(e, "new",
	    json_integer((json_int_t)addrman_size(n->addrman, -1, 1)));
	json_object_set_new(e, "tried",
	    json_integer((json_int_t)addrman_size(n->addrman, -1, 0)));
	json_object_set_new(e, "total",
	    json_integer((json_int_t)addrman_size(n->addrman, -1, -1)));
	json_object_set_new(o, "all_networks", e);
	return o;
}

static json_t *
m_sendmsgtopeer(struct net *n, json_t *params, struct rpc_error *err)
{
	const char *type, *hex;
	struct peer *p;
	uint8_t *data = NULL;
	size_t len = 0;
	int64_t id;
	int set;

	if (arg_int(params, 0, "peer_id", &id, &set, err) == -1 ||
	    arg_str(params, 1, "msg_type", &type, err) == -1 ||
	    arg_str(params, 2, "msg", &hex, err) == -1)
		return NULL;
	if (!set || type == NULL || hex == NULL)
		return fail(err, RPC_INVALID_PARAMS,
		    "sendmsgtopeer peer_id \"msg_type\" \"msg\"");
	if (strlen(type) > MSG_COMMAND_SIZE)
		return fail(err, RPC_INVALID_PARAMETER, "Error: msg_type too "
		    "long, max length is %d", MSG_COMMAND_SIZE);
	if (hex_decode_alloc(hex, &data, &len) == -1)
		return fail(err, RPC_INVALID_PARAMETER,
		    "Error parsing input for msg");
	p = id > 0 ? net_peer_by_id(n, (uint64_t)id) : NULL;
	if (p == NULL || !live(p)) {
		free(data);
		return fail(err, RPC_MISC_ERROR,
		    "Error: Could not send message to peer");
	}
	peer_send_cmd(p, type, data, len);
	free(data);
	return json_object();
}

static json_t *
orphan_json(const struct orphan *e, int64_t verbosity)
{
	json_t *o = json_object(), *from = json_array();
	char hex[65], *raw;
	size_t i;

	hash_to_hex(e->txid, hex);
	json_object_set_new(o, "txid", json_string(hex));
	hash_to_hex(e->wtxid, hex);
	json_object_set_new(o, "wtxid", json_string(hex));
	json_object_set_new(o, "bytes", json_integer((json_int_t)e->len));
	json_object_set_new(o, "vsize",
	    json_integer((json_int_t)((e->weight + 3) / 4)));
	json_object_set_new(o, "weight", json_integer((json_int_t)e->weight));
	for (i = 0; i < e->nfrom; i++)
		json_array_append_new(from, json_integer((json_int_t)e->from[i]));
	json_object_set_new(o, "from", from);
	if (verbosity >= 2) {
		raw = xmalloc(e->len * 2 + 1);
		hex_encode(e->raw, e->len, raw);
		json_object_set_new(o, "hex", json_string(raw));
		free(raw);
	}
	return o;
}

/* Core's hidden test helper: the orphanage's contents. */
static json_t *
m_getorphantxs(struct net *n, json_t *params, struct rpc_error *err)
{
	const struct orphanage *o = txrelay_orphanage(n);
	const struct orphan *e;
	json_t *a;
	int64_t verbosity = 0;
	char hex[65];
	size_t i;
	int set;

	if (arg_int(params, 0, "verbosity", &verbosity, &set, err) == -1)
		return NULL;
	if (verbosity < 0 || verbosity > 2)
		return fail(err, RPC_INVALID_PARAMETER, "Invalid verbosity "
		    "value %lld", (long long)verbosity);
	a = json_array();
	for (i = 0; o && (e = orphanage_at(o, i)) != NULL; i++) {
		if (verbosity == 0) {
			hash_to_hex(e->txid, hex);
			json_array_append_new(a, json_string(hex));
		} else
			json_array_append_new(a, orphan_json(e, verbosity));
	}
	return a;
}

static const struct {
	const char *name;
	net_rpc_fn fn;
} methods[] = {
	{ "addconnection", m_addconnection },
	{ "addnode", m_addnode },
	{ "addpeeraddress", m_addpeeraddress },
	{ "clearbanned", m_clearbanned },
	{ "disconnectnode", m_disconnectnode },
	{ "getaddednodeinfo", m_getaddednodeinfo },
	{ "getaddrmaninfo", m_getaddrmaninfo },
	{ "getconnectioncount", m_getconnectioncount },
	{ "getnettotals", m_getnettotals },
	{ "getnetworkinfo", m_getnetworkinfo },
	{ "getnodeaddresses", m_getnodeaddresses },
	{ "getorphantxs", m_getorphantxs },
	{ "getpeerinfo", m_getpeerinfo },
	{ "listbanned", m_listbanned },
	{ "ping", m_ping },
	{ "sendmsgtopeer", m_sendmsgtopeer },
	{ "setban", m_setban },
	{ "setnetworkactive", m_setnetworkactive },
};

json_t *
net_rpc_run(struct net *n, const char *method, json_t *params,
    struct rpc_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].fn(n, params, err);
	return fail(err, RPC_METHOD_NOT_FOUND, "Method not found");
}
