/*
 * Network methods. Every one reads or changes the net thread's state: the
 * handler (on an rpc thread) checks and parses the parameters, sends one
 * typed request to the net thread (net.h, "Requests served for the rpc
 * thread"), and turns the snapshot it gets back into Core's JSON, or the
 * request's status into Core's error. getblockfrompeer, in Core's
 * blockchain category, is here too: the net thread serves it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "config.h"
#include "mempool/policy.h"
#include "net/net.h"
#include "net/netperm.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Core's words for a net request's status, per method where they differ. */
struct net_wording {
	int status;
	int code;
	const char *message;
};

static const struct net_wording common_words[] = {
	{ NET_E_NODE_ADDED, RPC_CLIENT_NODE_ALREADY_ADDED,
	    "Error: Node already added" },
	{ NET_E_NOT_CONNECTED, RPC_CLIENT_NODE_NOT_CONNECTED,
	    "Node not found in connected nodes" },
	{ NET_E_BANNED, RPC_CLIENT_NODE_ALREADY_ADDED,
	    "Error: IP/Subnet already banned" },
	{ NET_E_BAN_IN_PAST, RPC_INVALID_PARAMETER,
	    "Error: Absolute timestamp is in the past" },
	{ NET_E_NOT_BANNED, RPC_CLIENT_INVALID_IP_OR_SUBNET,
	    "Error: Unban failed. Requested address/subnet was not previously "
	    "manually banned." },
	{ NET_E_CAPACITY, RPC_CLIENT_NODE_CAPACITY_REACHED,
	    "Error: Already at capacity for specified connection type." },
	{ 0, 0, NULL },
};

static const struct net_wording addnode_words[] = {
	{ NET_E_V2_DISABLED, RPC_INVALID_PARAMETER,
	    "Error: v2transport "
	    "requested but not enabled (see -v2transport)" },
	{ NET_E_NODE_NOT_ADDED, RPC_CLIENT_NODE_NOT_ADDED,
	    "Error: Node could "
	    "not be removed. It has not been added previously." },
	{ 0, 0, NULL },
};

static const struct net_wording addednode_words[] = {
	{ NET_E_NODE_NOT_ADDED, RPC_CLIENT_NODE_NOT_ADDED,
	    "Error: Node has not been added." },
	{ 0, 0, NULL },
};

static const struct net_wording addconn_words[] = {
	{ NET_E_V2_DISABLED, RPC_INVALID_PARAMETER,
	    "Error: Adding v2transport "
	    "connections requires -v2transport init flag to be set." },
	{ 0, 0, NULL },
};

static void
word_error(const char *method, const struct request_error *re,
    const struct net_wording *own, struct rpc_error *err)
{
	const struct net_wording *w;

	if (re->status == REQUEST_E_UNAVAILABLE) {
		rpc_fail(err, RPC_CLIENT_P2P_DISABLED,
		    "Error: Peer-to-peer "
		    "functionality missing or disabled");
		return;
	}
	for (w = own; w && w->message; w++)
		if (w->status == re->status) {
			rpc_fail(err, w->code, "%s", w->message);
			return;
		}
	for (w = common_words; w->message; w++)
		if (w->status == re->status) {
			rpc_fail(err, w->code, "%s", w->message);
			return;
		}
	/* A time-out, or a status this file does not know: our fault. */
	rpc_fail(err, RPC_INTERNAL_ERROR, "%s: %s", method, re->message);
}

/*
 * Sends r to the net thread and waits. 0 with *out filled (out may be
 * NULL for requests without an output), or -1 with *err in Core's words.
 */
static int
ask(struct rpc_ctx *c, struct request *r, void *out,
    const struct net_wording *own, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct request_error re;
	char none;

	if (net_request(sh->net, r, sh->call_timeout_ms, out ? out : &none,
		&re) == 0)
		return 0;
	word_error(c->m->name, &re, own, err);
	return -1;
}

static json_t *
services_names(uint64_t services)
{
	static const char *const names[] = {
		[0] = "NETWORK",
		[2] = "BLOOM",
		[3] = "WITNESS",
		[6] = "COMPACT_FILTERS",
		[10] = "NETWORK_LIMITED",
		[11] = "P2P_V2",
	};
	json_t *a = json_array();
	char buf[32];
	int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(services & (1ULL << bit)))
			continue;
		if (bit < (int)(sizeof(names) / sizeof(names[0])) &&
		    names[bit])
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
cmp_msg_name(const void *x, const void *y)
{
	return strcmp(msg_type_name(*(const enum msg_type *)x),
	    msg_type_name(*(const enum msg_type *)y));
}

/* Core lists the per-message counters sorted by name, non-zero ones only. */
static json_t *
per_msg(const uint64_t *v)
{
	json_t *o = json_object();
	enum msg_type t[MT_COUNT];
	int k = 0, i;

	for (i = 0; i < MT_COUNT; i++)
		if (v[i] != 0)
			t[k++] = (enum msg_type)i;
	qsort(t, (size_t)k, sizeof(t[0]), cmp_msg_name);
	for (i = 0; i < k; i++)
		json_object_set_new(o, msg_type_name(t[i]),
		    json_integer((json_int_t)v[t[i]]));
	return o;
}

static json_t *
peer_json(const struct net_peer_info *p)
{
	json_t *o = json_object(), *a;
	const char *perms[7];
	size_t k, i;

	json_object_set_new(o, "id", json_integer((json_int_t)p->id));
	json_object_set_new(o, "addr", json_string(p->addr));
	if (p->addrbind[0])
		json_object_set_new(o, "addrbind", json_string(p->addrbind));
	if (p->addrlocal[0])
		json_object_set_new(o, "addrlocal", json_string(p->addrlocal));
	json_object_set_new(o, "network", json_string(p->network));
	json_object_set_new(o, "services", services_hex(p->services));
	json_object_set_new(o, "servicesnames", services_names(p->services));
	json_object_set_new(o, "relaytxes", json_boolean(p->relaytxes));
	json_object_set_new(o, "last_inv_sequence",
	    json_integer((json_int_t)p->last_inv_sequence));
	json_object_set_new(o, "inv_to_send",
	    json_integer((json_int_t)p->inv_to_send));
	json_object_set_new(o, "lastsend", json_integer(p->lastsend));
	json_object_set_new(o, "lastrecv", json_integer(p->lastrecv));
	json_object_set_new(o, "last_transaction",
	    json_integer(p->last_transaction));
	json_object_set_new(o, "last_block", json_integer(p->last_block));
	json_object_set_new(o, "bytessent",
	    json_integer((json_int_t)p->bytessent));
	json_object_set_new(o, "bytesrecv",
	    json_integer((json_int_t)p->bytesrecv));
	json_object_set_new(o, "conntime", json_integer(p->conntime));
	json_object_set_new(o, "timeoffset", json_integer(p->timeoffset));
	if (p->has_pingtime)
		json_object_set_new(o, "pingtime",
		    json_real((double)p->pingtime_us / 1e6));
	if (p->has_minping)
		json_object_set_new(o, "minping",
		    json_real((double)p->minping_us / 1e6));
	if (p->has_pingwait)
		json_object_set_new(o, "pingwait",
		    json_real((double)p->pingwait_us / 1e6));
	json_object_set_new(o, "version", json_integer(p->version));
	json_object_set_new(o, "subver", json_string(p->subver));
	json_object_set_new(o, "inbound", json_boolean(p->inbound));
	/* We never pick high-bandwidth peers ourselves. */
	json_object_set_new(o, "bip152_hb_to", json_boolean(p->bip152_hb_to));
	json_object_set_new(o, "bip152_hb_from",
	    json_boolean(p->bip152_hb_from));
	json_object_set_new(o, "startingheight",
	    json_integer(p->startingheight));
	json_object_set_new(o, "presynced_headers",
	    json_integer(p->presynced_headers));
	json_object_set_new(o, "synced_headers",
	    json_integer(p->synced_headers));
	json_object_set_new(o, "synced_blocks",
	    json_integer(p->synced_blocks));
	a = json_array();
	for (i = 0; i < p->ninflight; i++)
		json_array_append_new(a, json_integer(p->inflight[i]));
	json_object_set_new(o, "inflight", a);
	json_object_set_new(o, "addr_relay_enabled",
	    json_boolean(p->addr_relay_enabled));
	json_object_set_new(o, "addr_processed",
	    json_integer((json_int_t)p->addr_processed));
	json_object_set_new(o, "addr_rate_limited",
	    json_integer((json_int_t)p->addr_rate_limited));
	a = json_array();
	k = netperm_names(p->permissions, perms);
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_string(perms[i]));
	json_object_set_new(o, "permissions", a);
	json_object_set_new(o, "minfeefilter", rpc_amount(p->minfeefilter));
	json_object_set_new(o, "bytessent_per_msg",
	    per_msg(p->bytessent_per_msg));
	json_object_set_new(o, "bytesrecv_per_msg",
	    per_msg(p->bytesrecv_per_msg));
	json_object_set_new(o, "connection_type",
	    json_string(p->connection_type));
	json_object_set_new(o, "transport_protocol_type",
	    json_string(p->transport));
	json_object_set_new(o, "session_id", json_string(p->session_id));
	return o;
}

static json_t *
m_getpeerinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	struct net_peers out;
	struct request *r;
	json_t *a;
	size_t i;

	r = request_new(net_req_peers, NULL, 0, NULL, sizeof(out),
	    net_peers_free);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < out.n; i++)
		json_array_append_new(a, peer_json(&out.peers[i]));
	net_peers_free(&out);
	return a;
}

static int
get_totals(struct rpc_ctx *c, struct net_totals *out, struct rpc_error *err)
{
	struct request *r;

	r = request_new(net_req_totals, NULL, 0, NULL, sizeof(*out), NULL);
	return ask(c, r, out, NULL, err);
}

static json_t *
m_getconnectioncount(struct rpc_ctx *c, struct rpc_error *err)
{
	struct net_totals t;

	if (get_totals(c, &t, err) != 0)
		return NULL;
	return json_integer((json_int_t)t.connections);
}

static json_t *
m_getnettotals(struct rpc_ctx *c, struct rpc_error *err)
{
	struct net_totals t;
	json_t *o, *u;

	if (get_totals(c, &t, err) != 0)
		return NULL;
	o = json_object();
	u = json_object();
	json_object_set_new(o, "totalbytesrecv",
	    json_integer((json_int_t)t.bytes_recv));
	json_object_set_new(o, "totalbytessent",
	    json_integer((json_int_t)t.bytes_sent));
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

static json_t *
m_getnetworkinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	static const enum net_class nets[] = { NETC_IPV4, NETC_IPV6,
		NETC_ONION, NETC_I2P, NETC_CJDNS };
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct net_totals t;
	struct policy pol;
	json_t *o, *a;
	char perr[256];
	size_t i;
	int maj = 0, min = 0, rev = 0;

	if (get_totals(c, &t, err) != 0)
		return NULL;
	o = json_object();
	sscanf(PACKAGE_VERSION, "%d.%d.%d", &maj, &min, &rev);
	json_object_set_new(o, "version",
	    json_integer(maj * 10000 + min * 100 + rev));
	json_object_set_new(o, "subversion", json_string(t.subver));
	json_object_set_new(o, "protocolversion",
	    json_integer(PROTOCOL_VERSION));
	json_object_set_new(o, "localservices",
	    services_hex(t.local_services));
	json_object_set_new(o, "localservicesnames",
	    services_names(t.local_services));
	json_object_set_new(o, "localrelay", json_boolean(t.local_relay));
	json_object_set_new(o, "timeoffset", json_integer(t.time_offset));
	json_object_set_new(o, "networkactive",
	    json_boolean(t.network_active));
	json_object_set_new(o, "connections",
	    json_integer((json_int_t)t.connections));
	json_object_set_new(o, "connections_in",
	    json_integer((json_int_t)t.connections_in));
	json_object_set_new(o, "connections_out",
	    json_integer((json_int_t)t.connections_out));
	a = json_array();
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		json_t *e = json_object();
		int reach = (t.reachable >> nets[i]) & 1;

		json_object_set_new(e, "name",
		    json_string(net_class_name(nets[i])));
		json_object_set_new(e, "limited", json_boolean(!reach));
		json_object_set_new(e, "reachable", json_boolean(reach));
		json_object_set_new(e, "proxy", json_string(t.proxy[nets[i]]));
		json_object_set_new(e, "proxy_randomize_credentials",
		    json_boolean(t.proxy[nets[i]][0] && t.proxy_randomize));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "networks", a);
	/* The mempool's own reading of -minrelaytxfee and -incrementalrelayfee. */
	if (policy_init(&pol, sh->args, sh->cp->id != CHAIN_MAIN, perr,
		sizeof(perr)) != 0)
		policy_init(&pol, NULL, 0, perr, sizeof(perr));
	json_object_set_new(o, "relayfee", rpc_amount(pol.min_relay_fee));
	json_object_set_new(o, "incrementalfee",
	    rpc_amount(pol.incremental_relay_fee));
	a = json_array();
	for (i = 0; i < t.nlocal; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "address",
		    json_string(t.local[i].address));
		json_object_set_new(e, "port", json_integer(t.local[i].port));
		json_object_set_new(e, "score", json_integer(t.local[i].score));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "localaddresses", a);
	json_object_set_new(o, "warnings", rpc_warnings_json(c->rpc));
	return o;
}

static json_t *
m_ping(struct rpc_ctx *c, struct rpc_error *err)
{
	struct request *r;

	r = request_new(net_req_ping, NULL, 0, NULL, 0, NULL);
	return ask(c, r, NULL, NULL, err) == 0 ? json_null() : NULL;
}

static const char *
param_str(struct rpc_ctx *c, size_t i)
{
	json_t *v = rpc_param(c, i);

	return v ? json_string_value(v) : NULL;
}

static json_t *
m_addnode(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *node = param_str(c, 0), *cmd = param_str(c, 1);
	json_t *v2 = rpc_param(c, 2);
	struct net_addnode_in in;
	struct request *r;

	if (node == NULL || cmd == NULL)
		cmd = "";
	if (strcmp(cmd, "onetry") == 0)
		in.cmd = NET_ADDNODE_ONETRY;
	else if (strcmp(cmd, "add") == 0)
		in.cmd = NET_ADDNODE_ADD;
	else if (strcmp(cmd, "remove") == 0)
		in.cmd = NET_ADDNODE_REMOVE;
	else
		return rpc_fail(err, RPC_MISC_ERROR,
		    "addnode \"node\" "
		    "\"command\" ( v2transport )\n\ncommand: 'add' to add a "
		    "node to the list, 'remove' to remove a node from the list, "
		    "'onetry' to try a connection to the node once");
	in.node = xstrdup(node);
	/* Default: -v2transport (Core), known to the net thread. */
	in.v2 = v2 ? json_is_true(v2) : -1;
	r = request_new(net_req_addnode, &in, sizeof(in), net_addnode_in_free,
	    0, NULL);
	return ask(c, r, NULL, addnode_words, err) == 0 ? json_null() : NULL;
}

static json_t *
m_disconnectnode(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *addr = param_str(c, 0);
	json_t *id = rpc_param(c, 1);
	int64_t n;
	struct net_disconnect_in in;
	struct request *r;

	memset(&in, 0, sizeof(in));
	if (addr && id == NULL)
		in.addr = xstrdup(addr);
	else if (id && (addr == NULL || addr[0] == '\0')) {
		if (rpc_get_int64(id, &n, err) == -1)
			return NULL;
		in.id = n > 0 ? (uint64_t)n : 0;
	} else
		return rpc_fail(err, RPC_INVALID_PARAMS,
		    "Only one of address "
		    "and nodeid should be provided.");
	r = request_new(net_req_disconnect, &in, sizeof(in),
	    net_disconnect_in_free, 0, NULL);
	return ask(c, r, NULL, NULL, err) == 0 ? json_null() : NULL;
}

static json_t *
m_getaddednodeinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *node = param_str(c, 0);
	char *in = node ? xstrdup(node) : NULL;
	struct net_added out;
	struct request *r;
	json_t *a;
	size_t i;

	r = request_new(net_req_added, &in, sizeof(in), net_str_in_free,
	    sizeof(out), net_added_free);
	if (ask(c, r, &out, addednode_words, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < out.n; i++) {
		const struct net_added_info *x = &out.nodes[i];
		json_t *o = json_object(), *addrs = json_array();

		json_object_set_new(o, "addednode", json_string(x->name));
		json_object_set_new(o, "connected",
		    json_boolean(x->connected));
		if (x->connected) {
			json_t *e = json_object();

			json_object_set_new(e, "address",
			    json_string(x->address));
			json_object_set_new(e, "connected",
			    json_string(x->inbound ? "inbound" : "outbound"));
			json_array_append_new(addrs, e);
		}
		json_object_set_new(o, "addresses", addrs);
		json_array_append_new(a, o);
	}
	net_added_free(&out);
	return a;
}

static int
parse_ban_target(const char *s, struct subnet *sn)
{
	struct netaddr a;

	if (strchr(s, '/'))
		return subnet_parse(s, sn);
	if (netaddr_lookup_numeric(s, &a) == -1 || !netaddr_is_valid(&a))
		return -1;
	subnet_single(sn, &a);
	return 0;
}

static json_t *
m_setban(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *target = param_str(c, 0), *cmd = param_str(c, 1);
	json_t *bantime = rpc_param(c, 2), *absolute = rpc_param(c, 3);
	struct net_setban_in in;
	struct request *r;

	if (cmd == NULL ||
	    (strcmp(cmd, "add") != 0 && strcmp(cmd, "remove") != 0))
		return rpc_fail(err, RPC_MISC_ERROR,
		    "setban \"subnet\" "
		    "\"command\" ( bantime absolute )\n\ncommand: 'add' to add "
		    "an IP/Subnet to the list, 'remove' to remove an IP/Subnet "
		    "from the list");
	memset(&in, 0, sizeof(in));
	if (target == NULL || parse_ban_target(target, &in.sn) == -1)
		return rpc_fail(err, RPC_CLIENT_INVALID_IP_OR_SUBNET,
		    "Error: Invalid IP/Subnet");
	in.single = strchr(target, '/') == NULL;
	in.add = strcmp(cmd, "add") == 0;
	/* Core reads the ban time for "add" only. */
	if (in.add && bantime &&
	    rpc_get_int64(bantime, &in.bantime, err) == -1)
		return NULL;
	in.absolute = absolute ? json_is_true(absolute) : 0;
	r = request_new(net_req_setban, &in, sizeof(in), NULL, 0, NULL);
	return ask(c, r, NULL, NULL, err) == 0 ? json_null() : NULL;
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
m_listbanned(struct rpc_ctx *c, struct rpc_error *err)
{
	struct net_bans out;
	struct request *r;
	json_t *a;
	size_t i;

	r = request_new(net_req_listbanned, NULL, 0, NULL, sizeof(out),
	    net_bans_free);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	qsort(out.bans, out.n, sizeof(*out.bans), cmp_ban);
	a = json_array();
	for (i = 0; i < out.n; i++) {
		const struct ban_entry *b = &out.bans[i];
		json_t *o = json_object();
		char s[NETADDR_STRLEN];

		subnet_format(&b->sn, s, sizeof(s));
		json_object_set_new(o, "address", json_string(s));
		json_object_set_new(o, "ban_created",
		    json_integer(b->created));
		json_object_set_new(o, "banned_until", json_integer(b->until));
		json_object_set_new(o, "ban_duration",
		    json_integer(b->until - b->created));
		json_object_set_new(o, "time_remaining",
		    json_integer(b->until - out.now));
		json_array_append_new(a, o);
	}
	net_bans_free(&out);
	return a;
}

static json_t *
m_clearbanned(struct rpc_ctx *c, struct rpc_error *err)
{
	struct request *r;

	r = request_new(net_req_clearbanned, NULL, 0, NULL, 0, NULL);
	return ask(c, r, NULL, NULL, err) == 0 ? json_null() : NULL;
}

static json_t *
m_setnetworkactive(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *v = rpc_param(c, 0);
	struct request *r;
	int state, now;

	if (v == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMS,
		    "setnetworkactive state");
	state = json_is_true(v);
	r = request_new(net_req_setactive, &state, sizeof(state), NULL,
	    sizeof(now), NULL);
	if (ask(c, r, &now, NULL, err) != 0)
		return NULL;
	return json_boolean(now);
}

static json_t *
m_getnodeaddresses(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *net = param_str(c, 1);
	json_t *count = rpc_param(c, 0), *a;
	enum net_class cls = NETC_UNROUTABLE;
	struct net_addrs_in in;
	struct net_addrs out;
	struct request *r;
	size_t i;
	int n;

	if (rpc_get_int_or(count, 1, &n, err) == -1)
		return NULL;
	if (n < 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Address count out of range");
	if (net && net_class_parse(net, &cls) == -1)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Network not recognized: %s", net);
	in.count = (size_t)n;
	in.cls = net ? (int)cls : -1;
	r = request_new(net_req_addresses, &in, sizeof(in), NULL, sizeof(out),
	    net_addrs_free);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < out.n; i++) {
		const struct addr_entry *e = &out.v[i];
		json_t *o = json_object();
		char s[NETADDR_STRLEN];

		netaddr_format(&e->svc.addr, s, sizeof(s));
		json_object_set_new(o, "time", json_integer(e->time));
		json_object_set_new(o, "services",
		    json_integer((json_int_t)e->services));
		json_object_set_new(o, "address", json_string(s));
		json_object_set_new(o, "port", json_integer(e->svc.port));
		json_object_set_new(o, "network",
		    json_string(net_class_name(netaddr_class(&e->svc.addr))));
		json_array_append_new(a, o);
	}
	net_addrs_free(&out);
	return a;
}

static json_t *
table_counts(size_t n_new, size_t n_tried)
{
	json_t *o = json_object();

	json_object_set_new(o, "new", json_integer((json_int_t)n_new));
	json_object_set_new(o, "tried", json_integer((json_int_t)n_tried));
	json_object_set_new(o, "total",
	    json_integer((json_int_t)(n_new + n_tried)));
	return o;
}

static json_t *
m_getaddrmaninfo(struct rpc_ctx *c, struct rpc_error *err)
{
	struct net_addrman_counts out;
	struct request *r;
	size_t all_new = 0, all_tried = 0;
	json_t *o;
	int k;

	r = request_new(net_req_addrmaninfo, NULL, 0, NULL, sizeof(out), NULL);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	/* Core's networks in its order; unroutable ones are never stored. */
	o = json_object();
	for (k = NETC_IPV4; k <= NETC_CJDNS; k++) {
		json_object_set_new(o, net_class_name((enum net_class)k),
		    table_counts(out.n_new[k], out.n_tried[k]));
		all_new += out.n_new[k];
		all_tried += out.n_tried[k];
	}
	json_object_set_new(o, "all_networks",
	    table_counts(all_new, all_tried));
	return o;
}

static json_t *
m_getrawaddrman(struct rpc_ctx *c, struct rpc_error *err)
{
	static const char *const tables[2] = { "new", "tried" };
	struct net_rawaddrs out;
	struct request *r;
	char key[32], s[NETADDR_STRLEN];
	json_t *res, *tbl, *e;
	size_t i;
	int t;

	r = request_new(net_req_rawaddrman, NULL, 0, NULL, sizeof(out),
	    net_rawaddrs_free);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	res = json_object();
	for (t = 0; t < 2; t++) {
		tbl = json_object();
		for (i = 0; i < out.n[t]; i++) {
			const struct addrman_slot *sl = &out.v[t][i];

			e = json_object();
			netaddr_format(&sl->a.svc.addr, s, sizeof(s));
			json_object_set_new(e, "address", json_string(s));
			json_object_set_new(e, "port",
			    json_integer(sl->a.svc.port));
			json_object_set_new(e, "services",
			    json_integer((json_int_t)sl->a.services));
			json_object_set_new(e, "time",
			    json_integer(sl->a.time));
			json_object_set_new(e, "network",
			    json_string(net_class_name(
				netaddr_class(&sl->a.svc.addr))));
			netaddr_format(&sl->source, s, sizeof(s));
			json_object_set_new(e, "source", json_string(s));
			json_object_set_new(e, "source_network",
			    json_string(
				net_class_name(netaddr_class(&sl->source))));
			snprintf(key, sizeof(key), "%d/%d", sl->bucket,
			    sl->position);
			json_object_set_new(tbl, key, e);
		}
		json_object_set_new(res, tables[t], tbl);
	}
	net_rawaddrs_free(&out);
	return res;
}

static const struct net_wording sendmsg_words[] = {
	{ NET_E_NOT_CONNECTED, RPC_MISC_ERROR,
	    "Error: Could not send message to peer" },
	{ 0, 0, NULL },
};

static json_t *
m_sendmsgtopeer(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *id = rpc_param(c, 0);
	const char *type = param_str(c, 1), *hex = param_str(c, 2);
	struct net_sendmsg_in in;
	struct request *r;
	int64_t n;

	/* Core reads the peer id first. */
	if (id != NULL && rpc_get_int64(id, &n, err) == -1)
		return NULL;
	if (id == NULL || type == NULL || hex == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMS,
		    "sendmsgtopeer "
		    "needs peer_id, msg_type and msg");
	if (strlen(type) > 12)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Error: msg_type too long, max length is 12");
	memset(&in, 0, sizeof(in));
	if (hex_decode_alloc(hex, &in.payload, &in.len) == -1)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Error parsing input for msg");
	/* A negative id matches no peer, as in Core. */
	in.id = n < 0 ? UINT64_MAX : (uint64_t)n;
	snprintf(in.cmd, sizeof(in.cmd), "%s", type);
	r = request_new(net_req_sendmsg, &in, sizeof(in), net_sendmsg_in_free,
	    0, NULL);
	if (ask(c, r, NULL, sendmsg_words, err) != 0)
		return NULL;
	return json_object();
}

/* Core's FetchBlock errors, all RPC_MISC_ERROR with the net thread's words. */
static const struct net_wording fetch_words[] = {
	{ NET_E_LOADING, RPC_MISC_ERROR, "Loading blocks ..." },
	{ NET_E_NO_PEER, RPC_MISC_ERROR, "Peer does not exist" },
	{ NET_E_PRE_SEGWIT, RPC_MISC_ERROR, "Pre-SegWit peer" },
	{ NET_E_NOT_FULLY_CONNECTED, RPC_MISC_ERROR,
	    "Peer not fully connected" },
	{ 0, 0, NULL },
};

/*
 * getblockfrompeer: the header must be known and the block not stored
 * (read here, as Core reads its block index), then the net thread asks the
 * peer (net_req_fetchblock). In prune mode only blocks at or below the tip
 * may be fetched (Core: fetching ahead would keep block files from being
 * pruned); a pruned block is fetched again and stored like any other.
 */
static json_t *
m_getblockfrompeer(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *id = rpc_param(c, 1);
	struct block_index_entry e;
	struct net_fetch_in in;
	struct store_rtxn *t;
	struct request *r;
	uint8_t tiph[32];
	int32_t tip;
	int64_t n;
	int rc;

	memset(&in, 0, sizeof(in));
	if (rpc_parse_hash(rpc_param(c, 0), "blockhash", in.hash, err) == -1 ||
	    rpc_get_int64(id, &n, err) == -1)
		return NULL;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	rc = store_get_index(t, in.hash, &e);
	if (store_get_tip(t, tiph, &tip) != STORE_OK)
		tip = -1;
	store_read_end(t);
	if (rc != STORE_OK)
		return rpc_fail(err, RPC_MISC_ERROR, "Block header missing");
	if (rpc_prune_mode(c->rpc) && e.height > tip)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "In prune mode, only blocks that the node has already "
		    "synced previously can be fetched from a peer");
	if (e.status & BLOCK_HAVE_DATA)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Block already downloaded");
	in.height = e.height;
	/* A negative id matches no peer, as in Core. */
	in.id = n < 0 ? UINT64_MAX : (uint64_t)n;
	r = request_new(net_req_fetchblock, &in, sizeof(in), NULL, 0, NULL);
	if (ask(c, r, NULL, fetch_words, err) != 0)
		return NULL;
	return json_object();
}

static json_t *
m_addpeeraddress(struct rpc_ctx *c, struct rpc_error *err)
{
	const char *addr = param_str(c, 0);
	json_t *port = rpc_param(c, 1), *tried = rpc_param(c, 2), *o;
	struct net_addpeer_in in;
	struct net_addpeer_out out;
	struct request *r;
	int64_t p = 0;

	if (addr == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMS,
		    "address is required");
	if ((port != NULL && rpc_get_int64(port, &p, err) == -1) || p < 0 ||
	    p > 65535)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "JSON integer out of range");
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	/* An address that does not parse is not added, with no reason given. */
	if (netaddr_parse(addr, &in.svc.addr) == 0 ||
	    netaddr_parse_name(addr, &in.svc.addr) == 0) {
		in.svc.port = (uint16_t)p;
		in.tried = tried ? json_is_true(tried) : 0;
		r = request_new(net_req_addpeer, &in, sizeof(in), NULL,
		    sizeof(out), NULL);
		if (ask(c, r, &out, NULL, err) != 0)
			return NULL;
	}
	o = json_object();
	if (out.error)
		json_object_set_new(o, "error", json_string(out.error));
	json_object_set_new(o, "success", json_boolean(out.success));
	return o;
}

static json_t *
m_addconnection(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *addr = param_str(c, 0), *type = param_str(c, 1);
	json_t *v2 = rpc_param(c, 2), *o;
	struct net_addconn_in in;
	struct request *r;

	if (sh->cp->id != CHAIN_REGTEST)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "addconnection is for "
		    "regression testing (-regtest mode) only.");
	if (addr == NULL || type == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMS,
		    "addconnection "
		    "\"address\" \"connection_type\" v2transport");
	if (strcmp(type, "outbound-full-relay") == 0)
		in.kind = NET_CONN_OUTBOUND_FULL;
	else if (strcmp(type, "block-relay-only") == 0)
		in.kind = NET_CONN_BLOCK_RELAY;
	else if (strcmp(type, "addr-fetch") == 0)
		in.kind = NET_CONN_ADDR_FETCH;
	else if (strcmp(type, "feeler") == 0)
		in.kind = NET_CONN_FEELER;
	else
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "addconnection "
		    "\"address\" \"connection_type\" v2transport\n\n"
		    "connection_type: \"outbound-full-relay\", "
		    "\"block-relay-only\", \"addr-fetch\" or \"feeler\"");
	in.v2 = v2 ? json_is_true(v2) : 0;
	in.addr = xstrdup(addr);
	r = request_new(net_req_addconn, &in, sizeof(in), net_addconn_in_free,
	    0, NULL);
	if (ask(c, r, NULL, addconn_words, err) != 0)
		return NULL;
	o = json_object();
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "connection_type", json_string(type));
	return o;
}

static json_t *
orphan_json(const struct net_orphan_info *e, int64_t verbosity)
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
		json_array_append_new(from,
		    json_integer((json_int_t)e->from[i]));
	json_object_set_new(o, "from", from);
	if (verbosity >= 2) {
		raw = hex_encode_alloc(e->raw, e->len);
		json_object_set_new(o, "hex", json_string(raw));
		free(raw);
	}
	return o;
}

/* Core's hidden test helper: the orphanage's contents. */
static json_t *
m_getorphantxs(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *v = rpc_param(c, 0), *a;
	int verbosity;
	struct net_orphans out;
	struct request *r;
	char hex[65];
	size_t i;
	int with_raw;

	if (rpc_get_int_or(v, 0, &verbosity, err) == -1)
		return NULL;
	if (verbosity < 0 || verbosity > 2)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid verbosity "
		    "value %lld",
		    (long long)verbosity);
	with_raw = verbosity >= 2;
	r = request_new(net_req_orphans, &with_raw, sizeof(with_raw), NULL,
	    sizeof(out), net_orphans_free);
	if (ask(c, r, &out, NULL, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < out.n; i++) {
		if (verbosity == 0) {
			hash_to_hex(out.v[i].txid, hex);
			json_array_append_new(a, json_string(hex));
		} else
			json_array_append_new(a,
			    orphan_json(&out.v[i], verbosity));
	}
	net_orphans_free(&out);
	return a;
}

#define NODE_EX "\"192.168.0.6:8333\""

const struct rpc_method rpc_net_methods[] = {
	{ "addnode", "network", m_addnode, 0,
	    { { "node", RPC_ARG_STR, 1, NULL,
		  "The address of the peer to connect to" },
		{ "command", RPC_ARG_STR, 1, NULL,
		    "'add' to add a node to the list, 'remove' to remove a node "
		    "from the list, 'onetry' to try a connection to the node "
		    "once" },
		{ "v2transport", RPC_ARG_BOOL, 0, "set by -v2transport",
		    "Attempt to connect using BIP324 v2 transport protocol "
		    "(ignored for 'remove' command)" } },
	    "Attempts to add or remove a node from the addnode list.\nOr try "
	    "a connection to a node once.\nNodes added using addnode (or "
	    "-connect) are protected from DoS disconnection and are not "
	    "required to be\nfull nodes/support SegWit as other outbound "
	    "peers are (though such peers will not be synced from).",
	    NULL, NODE_EX " \"onetry\"", RPC_ON_NET },
	{ "clearbanned", "network", m_clearbanned, 0,
	    { { NULL, 0, 0, NULL, NULL } }, "Clear all banned IPs.", NULL, "",
	    RPC_ON_NET },
	{ "disconnectnode", "network", m_disconnectnode, 0,
	    { { "address", RPC_ARG_STR, 0, "fallback to nodeid",
		  "The IP address/port of the node" },
		{ "nodeid", RPC_ARG_NUM, 0, "fallback to address",
		    "The node ID (see getpeerinfo for node IDs)" } },
	    "Immediately disconnects from the specified peer node.\n\nStrictly "
	    "one out of 'address' and 'nodeid' can be provided to identify "
	    "the node.\n\nTo disconnect by nodeid, either set 'address' to the "
	    "empty string, or call using the named 'nodeid' argument only.",
	    NULL, NODE_EX, RPC_ON_NET },
	{ "getaddednodeinfo", "network", m_getaddednodeinfo, 0,
	    { { "node", RPC_ARG_STR, 0, "all nodes",
		"If provided, return information about this specific node, "
		"otherwise all nodes are returned." } },
	    "Returns information about the given added node, or all added "
	    "nodes\n(note that onetry addnodes are not listed here)",
	    "[                     (json array)\n"
	    "  {                   (json object)\n"
	    "    \"addednode\" : \"str\",   (string) The node IP address or name (as provided to addnode)\n"
	    "    \"connected\" : true|false, (boolean) If connected\n"
	    "    \"addresses\" : [ {\"address\", \"connected\"}, ... ]\n"
	    "  },\n  ...\n]\n",
	    "", RPC_ON_NET },
	{ "getconnectioncount", "network", m_getconnectioncount, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the number of connections to other nodes.",
	    "n    (numeric) The connection count\n", "", RPC_ON_NET },
	{ "getnettotals", "network", m_getnettotals, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns information about network traffic, including bytes in, "
	    "bytes out,\nand current system time.",
	    "{\n"
	    "  \"totalbytesrecv\" : n,   (numeric) Total bytes received\n"
	    "  \"totalbytessent\" : n,   (numeric) Total bytes sent\n"
	    "  \"timemillis\" : xxx,     (numeric) Current system UNIX epoch time in milliseconds\n"
	    "  \"uploadtarget\" : { ... } (json object)\n}\n",
	    "", RPC_ON_NET },
	{ "getnetworkinfo", "network", m_getnetworkinfo, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns an object containing various state info regarding P2P "
	    "networking.",
	    "{\n"
	    "  \"version\" : n,          (numeric) the server version\n"
	    "  \"subversion\" : \"str\",   (string) the server subversion string\n"
	    "  \"protocolversion\" : n,  (numeric) the protocol version\n"
	    "  \"localservices\" : \"hex\", (string) the services we offer to the network\n"
	    "  \"localservicesnames\" : [ \"str\", ... ],\n"
	    "  \"localrelay\" : true|false,\n"
	    "  \"timeoffset\" : n,\n"
	    "  \"connections\" : n, \"connections_in\" : n, \"connections_out\" : n,\n"
	    "  \"networkactive\" : true|false,\n"
	    "  \"networks\" : [ ... ],\n"
	    "  \"relayfee\" : n, \"incrementalfee\" : n,\n"
	    "  \"localaddresses\" : [ ... ],\n"
	    "  \"warnings\" : [ \"str\", ... ]\n}\n",
	    "", RPC_ON_NET },
	{ "getnodeaddresses", "network", m_getnodeaddresses, 0,
	    { { "count", RPC_ARG_NUM, 0, "1",
		  "The maximum number of addresses to return. Specify 0 to "
		  "return all known addresses." },
		{ "network", RPC_ARG_STR, 0, "all networks",
		    "Return only addresses of the specified network. Can be one "
		    "of: ipv4, ipv6, onion, i2p, cjdns." } },
	    "Return known addresses, after filtering for quality and recency."
	    "\nThese can potentially be used to find new peers in the "
	    "network.\nThe total number of addresses known to the node may be "
	    "higher.",
	    "[ {\"time\", \"services\", \"address\", \"port\", \"network\"}, ... ]\n",
	    "8", RPC_ON_NET },
	{ "getpeerinfo", "network", m_getpeerinfo, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns data about each connected network peer as a json array "
	    "of objects.",
	    "[\n  {\n"
	    "    \"id\" : n,                (numeric) Peer index\n"
	    "    \"addr\" : \"host:port\",    (string) The IP address and port of the peer\n"
	    "    \"addrbind\" : \"ip:port\",  (string, optional) Bind address of the connection to the peer\n"
	    "    \"services\" : \"hex\",      (string) The services offered\n"
	    "    \"lastsend\", \"lastrecv\", \"bytessent\", \"bytesrecv\", \"conntime\", \"pingtime\",\n"
	    "    \"version\" : n,           (numeric) The peer version, such as 70001\n"
	    "    \"subver\" : \"str\",        (string) The string version\n"
	    "    \"inbound\" : true|false,  (boolean) Inbound (true) or Outbound (false)\n"
	    "    \"startingheight\", \"synced_headers\", \"synced_blocks\", \"connection_type\",\n"
	    "    \"bytessent_per_msg\" : { ... }, \"bytesrecv_per_msg\" : { ... }\n"
	    "  },\n  ...\n]\n",
	    "", RPC_ON_NET },
	{ "listbanned", "network", m_listbanned, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "List all manually banned IPs/Subnets.",
	    "[ {\"address\", \"ban_created\", \"banned_until\", \"ban_duration\", \"time_remaining\"}, ... ]\n",
	    "", RPC_ON_NET },
	{ "ping", "network", m_ping, 0, { { NULL, 0, 0, NULL, NULL } },
	    "Requests that a ping be sent to all other nodes, to measure ping "
	    "time.\nResults are provided in getpeerinfo.\nPing command is "
	    "handled in queue with all other commands, so it measures "
	    "processing backlog, not just network ping.",
	    NULL, "", RPC_ON_NET },
	{ "setban", "network", m_setban, 0,
	    { { "subnet", RPC_ARG_STR, 1, NULL,
		  "The IP/Subnet (see getpeerinfo for nodes IP) with an optional "
		  "netmask (default is /32 = single IP)" },
		{ "command", RPC_ARG_STR, 1, NULL,
		    "'add' to add an IP/Subnet to the list, 'remove' to remove an "
		    "IP/Subnet from the list" },
		{ "bantime", RPC_ARG_NUM, 0, "0",
		    "time in seconds how long (or until when if [absolute] is set) "
		    "the IP is banned (0 or empty means using the default time of "
		    "24h which can also be overwritten by the -bantime startup "
		    "argument)" },
		{ "absolute", RPC_ARG_BOOL, 0, "false",
		    "If set, the bantime must be an absolute timestamp expressed "
		    "in UNIX epoch time" } },
	    "Attempts to add or remove an IP/Subnet from the banned list.",
	    NULL, "\"192.168.0.6\" \"add\" 86400", RPC_ON_NET },
	{ "setnetworkactive", "network", m_setnetworkactive, 0,
	    { { "state", RPC_ARG_BOOL, 1, NULL,
		"true to enable networking, false to disable" } },
	    "Disable/enable all p2p network activity.",
	    "true|false    (boolean) The value that was passed in\n", "false",
	    RPC_ON_NET },
	{ "addconnection", "hidden", m_addconnection, 0,
	    { { "address", RPC_ARG_STR, 1, NULL,
		  "The IP address and port to attempt connecting to." },
		{ "connection_type", RPC_ARG_STR, 1, NULL,
		    "Type of connection to open (\"outbound-full-relay\", "
		    "\"block-relay-only\", \"addr-fetch\" or \"feeler\")." },
		{ "v2transport", RPC_ARG_BOOL, 1, NULL,
		    "Attempt to connect using BIP324 v2 transport protocol" } },
	    "Open an outbound connection to a specified node. This RPC is for "
	    "testing only.",
	    "{\n  \"address\" : \"str\",           (string) Address of newly added connection.\n"
	    "  \"connection_type\" : \"str\"    (string) Type of connection opened.\n}\n",
	    "\"192.168.0.6:8333\" \"outbound-full-relay\" true", RPC_ON_NET },
	{ "getaddrmaninfo", "network", m_getaddrmaninfo, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Provides information about the node's address manager by "
	    "returning the number of addresses in the `new` and `tried` tables "
	    "and their sum for all networks.",
	    "{                   (json object) json object with network type as keys\n"
	    "  \"network\" : {     (json object) the network (ipv4, ipv6, onion, i2p, cjdns, all_networks)\n"
	    "    \"new\" : n,      (numeric) number of addresses in the new table, which represent potential peers the node has discovered but hasn't yet successfully connected to.\n"
	    "    \"tried\" : n,    (numeric) number of addresses in the tried table, which represent peers the node has successfully connected to in the past.\n"
	    "    \"total\" : n     (numeric) total number of addresses in both new/tried tables\n"
	    "  },\n  ...\n}\n",
	    "", RPC_ON_NET },
	{ "getrawaddrman", "hidden", m_getrawaddrman, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "EXPERIMENTAL warning: this call may be changed in future "
	    "releases.\n\nReturns information on all address manager entries "
	    "for the new and tried tables.",
	    "{                                  (json object)\n"
	    "  \"table\" : {                      (json object) buckets with addresses in the address manager table ( new, tried )\n"
	    "    \"bucket/position\" : {          (json object) the location in the address manager table (<bucket>/<position>)\n"
	    "      \"address\" : \"str\",           (string) The address of the node\n"
	    "      \"port\" : n,                  (numeric) The port number of the node\n"
	    "      \"network\" : \"str\",           (string) The network (ipv4, ipv6, onion, i2p, cjdns) of the address\n"
	    "      \"services\" : n,              (numeric) The services offered by the node\n"
	    "      \"time\" : xxx,                (numeric) The UNIX epoch time when the node was last seen\n"
	    "      \"source\" : \"str\",            (string) The address that relayed the address to us\n"
	    "      \"source_network\" : \"str\"     (string) The network (ipv4, ipv6, onion, i2p, cjdns) of the source address\n"
	    "    },\n    ...\n  },\n  ...\n}\n",
	    "", RPC_ON_NET },
	{ "sendmsgtopeer", "hidden", m_sendmsgtopeer, 0,
	    { { "peer_id", RPC_ARG_NUM, 1, NULL,
		  "The peer to send the message to." },
		{ "msg_type", RPC_ARG_STR, 1, NULL,
		    "The message type (maximum length 12)" },
		{ "msg", RPC_ARG_STR, 1, NULL,
		    "The serialized message body to "
		    "send, in hex, without a message header" } },
	    "Send a p2p message to a peer specified by id.\nThe message type "
	    "and body must be provided, the message header will be "
	    "generated.\nThis RPC is for testing only.",
	    "{}    (empty JSON object)\n", "0 \"addr\" \"ffffff\"",
	    RPC_ON_NET },
	{ "getblockfrompeer", "blockchain", m_getblockfrompeer, 0,
	    { { "blockhash", RPC_ARG_HEX, 1, NULL,
		  "The block hash to try to fetch" },
		{ "peer_id", RPC_ARG_NUM, 1, NULL,
		    "The peer to fetch it from (see getpeerinfo for peer "
		    "IDs)" } },
	    "Attempt to fetch block from a given peer.\n\nWe must have the "
	    "header for this block, e.g. using submitheader.\nThe block will "
	    "not have any undo data which can limit the usage of the block "
	    "data in a context where the undo data is needed.\nSubsequent "
	    "calls for the same block may cause the response from the "
	    "previous peer to be ignored.\nPeers generally ignore requests "
	    "for a stale block that they never fully verified, or one that "
	    "is more than a month old.\nWhen a peer does not respond with a "
	    "block, we will disconnect.\nNote: The block could be re-pruned "
	    "as soon as it is received.\n\nReturns an empty JSON object if "
	    "the request was successfully scheduled.",
	    "{}    (empty JSON object)\n",
	    "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"
	    "\" 0",
	    RPC_ON_NET },
	{ "addpeeraddress", "hidden", m_addpeeraddress, 0,
	    { { "address", RPC_ARG_STR, 1, NULL,
		  "The IP address of the peer" },
		{ "port", RPC_ARG_NUM, 1, NULL, "The port of the peer" },
		{ "tried", RPC_ARG_BOOL, 0, "false",
		    "If true, attempt to add the peer to the tried addresses "
		    "table" } },
	    "Add the address of a potential peer to an address manager "
	    "table. This RPC is for testing only.",
	    "{\n  \"success\" : true|false,  (boolean) whether the peer address was successfully added to the address manager table\n"
	    "  \"error\" : \"str\"          (string, optional) error description, if the address could not be added\n}\n",
	    "\"1.2.3.4\" 8333 true", RPC_ON_NET },
	{ "getorphantxs", "hidden", m_getorphantxs, 0,
	    { { "verbosity", RPC_ARG_NUM, 0, "0",
		"0 for an array of txids (may contain duplicates), 1 for an "
		"array of objects with orphan tx details, and 2 for details "
		"plus tx hex" } },
	    "Shows transactions in the tx orphanage.\n\nEXPERIMENTAL warning: "
	    "this call may be changed in future releases.",
	    "[                         (json array)\n"
	    "  \"hex\",                 (string) The transaction hash in hex\n"
	    "  ...\n]\n"
	    "or, for verbosity 1 and 2:\n"
	    "[\n  {\n"
	    "    \"txid\" : \"hex\",      (string) The transaction hash in hex\n"
	    "    \"wtxid\" : \"hex\",     (string) The transaction witness hash in hex\n"
	    "    \"bytes\" : n,         (numeric) The serialized transaction size in bytes\n"
	    "    \"vsize\" : n,         (numeric) The virtual transaction size\n"
	    "    \"weight\" : n,        (numeric) The transaction weight\n"
	    "    \"from\" : [ n, ... ], (json array) Ids of the peers that announced it\n"
	    "    \"hex\" : \"hex\"        (string) The serialized transaction (verbosity 2)\n"
	    "  },\n  ...\n]\n",
	    "2", RPC_ON_NET },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
