/*
 * The requests the net thread serves for the rpc thread (net.h, "Requests
 * served for the rpc thread"). Each runs on the net thread between two
 * events, reads or changes struct net, and hands back a plain snapshot;
 * the rpc thread turns it into Core's JSON and words the errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "crypto/bip324.h"
#include "net/addrman.h"
#include "net/banman.h"
#include "net/net.h"
#include "net/localaddr.h"
#include "net/net_int.h"
#include "net/orphanage.h"
#include "net/v2transport.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

static int
live(const struct peer *p)
{
	return !p->disconnect && !p->connecting;
}

/*
 * The one place that reads a peer's fields for getpeerinfo: everything
 * the rpc thread shows about a peer is copied here.
 */
static void
peer_snapshot(struct net *n, struct peer *p, int64_t now_us, int32_t tip,
    struct net_peer_info *o)
{
	const uint8_t *sid;

	memset(o, 0, sizeof(*o));
	o->id = p->id;
	snprintf(o->addr, sizeof(o->addr), "%s", p->addr_name);
	if (p->has_bind)
		service_format(&p->bind, o->addrbind, sizeof(o->addrbind));
	if (p->has_addr_local)
		service_format(&p->addr_local, o->addrlocal,
		    sizeof(o->addrlocal));
	o->network = net_class_name(netaddr_class(&p->addr.addr));
	o->services = p->services;
	o->relaytxes = p->relay_txs;
	o->last_inv_sequence = txrelay_peer_last_seq(p);
	o->inv_to_send = txrelay_peer_inv_queued(p);
	o->lastsend = p->last_send;
	o->lastrecv = p->last_recv;
	o->last_transaction = p->last_tx_time;
	o->last_block = p->last_block_time;
	o->bytessent = p->bytes_sent;
	o->bytesrecv = p->bytes_recv;
	o->conntime = p->conn_time;
	o->timeoffset = p->time_offset;
	o->has_pingtime = p->last_ping_us > 0;
	o->pingtime_us = p->last_ping_us;
	o->has_minping = p->min_ping_us != INT64_MAX;
	o->minping_us = p->min_ping_us;
	o->has_pingwait = p->ping_nonce && now_us > p->ping_start_us;
	o->pingwait_us = now_us - p->ping_start_us;
	o->version = p->version;
	snprintf(o->subver, sizeof(o->subver), "%s",
	    p->subver ? p->subver : "");
	o->inbound = p->type == CONN_INBOUND;
	o->bip152_hb_from = p->cmpct.hb_from;
	o->bip152_hb_to = p->cmpct.hb_to;
	o->startingheight = p->start_height;
	o->presynced_headers = presync_height(p);
	o->synced_headers = p->sync.has_best ? p->sync.best_height : -1;
	o->synced_blocks = p->sync.has_best ?
	    (p->sync.common_height < tip ? p->sync.common_height : tip) :
	    -1;
	o->ninflight = sync_inflight_heights(p, o->inflight,
	    NET_PEER_INFLIGHT_MAX);
	o->addr_relay_enabled = p->addrs.relay;
	o->addr_processed = p->addrs.processed;
	o->addr_rate_limited = p->addrs.rate_limited;
	o->permissions = p->perms;
	o->minfeefilter = p->fee_filter;
	memcpy(o->bytessent_per_msg, p->sent_per_msg,
	    sizeof(o->bytessent_per_msg));
	memcpy(o->bytesrecv_per_msg, p->recv_per_msg,
	    sizeof(o->bytesrecv_per_msg));
	o->connection_type = conn_type_name(p->type);
	o->transport = p->v2 == NULL ? "v1" :
	    v2t_detecting(p->v2)     ? "detecting" :
				       "v2";
	sid = p->v2 ? v2t_session_id(p->v2) : NULL;
	if (sid)
		hex_encode(sid, BIP324_SESSION_ID_LEN, o->session_id);
}

void
net_req_peers(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_peers *o = out;
	int64_t now_us = net_now_us();
	int32_t tip = sync_tip_height(n);
	struct peer *p;
	size_t cap = 0;

	TAILQ_FOREACH (p, &n->peers, entry)
		cap++;
	o->peers = xcalloc(cap ? cap : 1, sizeof(*o->peers));
	o->n = 0;
	TAILQ_FOREACH (p, &n->peers, entry)
		if (live(p))
			peer_snapshot(n, p, now_us, tip, &o->peers[o->n++]);
}

void
net_peers_free(void *peers)
{
	struct net_peers *o = peers;

	free(o->peers);
	o->peers = NULL;
}

/* Live connections, from the counters (no walk over 10,000 peers). */
static void
count_conns(struct net *n, struct net_totals *o)
{
	size_t all = 0;
	int t;

	for (t = 0; t <= CONN_ADDR_FETCH; t++)
		all += n->n_by_type[t];
	all -= n->n_connecting;
	o->connections = all;
	o->connections_in = n->n_by_type[CONN_INBOUND];
	o->connections_out = all - o->connections_in;
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

	TAILQ_FOREACH (p, &n->peers, entry)
		if (live(p) && p->handshaked && p->type != CONN_INBOUND &&
		    k < 64)
			v[k++] = p->time_offset;
	/* Core needs a few samples before it reports anything. */
	if (k < 5)
		return 0;
	qsort(v, k, sizeof(v[0]), cmp_i64);
	return v[k / 2];
}

void
net_req_totals(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_totals *o = out;
	int c;

	o->bytes_recv = n->total_recv;
	o->bytes_sent = n->total_sent;
	count_conns(n, o);
	o->network_active = n->network_active;
	o->local_services = net_services(n);
	o->local_relay = !n->blocksonly;
	o->time_offset = median_outbound_offset(n);
	snprintf(o->subver, sizeof(o->subver), "%s", n->subver);
	o->reachable = n->reachable;
	o->proxy_randomize = n->proxy_randomize;
	for (c = 0; c <= NETC_CJDNS; c++) {
		o->proxy[c][0] = '\0';
		if (n->proxy[c].port != 0)
			service_format(&n->proxy[c], o->proxy[c],
			    sizeof(o->proxy[c]));
	}
	for (o->nlocal = 0; o->nlocal < n->nlocals && o->nlocal < NET_LOCAL_MAX;
	     o->nlocal++) {
		const struct local_addr *l = &n->locals[o->nlocal];

		netaddr_format(&l->svc.addr, o->local[o->nlocal].address,
		    sizeof(o->local[o->nlocal].address));
		o->local[o->nlocal].port = l->svc.port;
		o->local[o->nlocal].score = l->score;
	}
}

void
net_req_ping(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct peer *p;

	/* Sent on the next tick, as Core sends on the next message pass. */
	TAILQ_FOREACH (p, &n->peers, entry)
		p->ping_queued = 1;
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
		if (strcmp(x->name, name) == 0 ||
		    (anum &&
			service_parse(x->name, n->cp->default_port, &b) == 0 &&
			service_eq(&a, &b))) {
			if (idx)
				*idx = i;
			return x;
		}
	}
	return NULL;
}

void
net_req_addnode(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_addnode_in *q = in;
	struct added_node *a;
	struct peer *p;
	size_t idx;
	int v2 = q->v2 < 0 ? n->v2transport : q->v2;

	if (v2 && !n->v2transport && q->cmd != NET_ADDNODE_REMOVE) {
		request_fail(r, NET_E_V2_DISABLED, "v2transport not enabled");
		return;
	}
	switch (q->cmd) {
	case NET_ADDNODE_ONETRY:
		net_connect(n, q->node, CONN_MANUAL, NULL, v2);
		return;
	case NET_ADDNODE_ADD:
		if (find_added(n, q->node, NULL)) {
			request_fail(r, NET_E_NODE_ADDED,
			    "node already added");
			return;
		}
		a = xcalloc(1, sizeof(*a));
		a->name = xstrdup(q->node);
		a->backoff_us = ADDNODE_BACKOFF_MIN_US;
		a->use_v2 = v2;
		n->added = xreallocarray(n->added, n->nadded + 1,
		    sizeof(*n->added));
		n->added[n->nadded++] = a;
		return;
	case NET_ADDNODE_REMOVE: break;
	}
	if ((a = find_added(n, q->node, &idx)) == NULL) {
		request_fail(r, NET_E_NODE_NOT_ADDED, "node not added");
		return;
	}
	/* The connection stays (as Core); it just stops being "added". */
	TAILQ_FOREACH (p, &n->peers, entry)
		if (p->added == a)
			p->added = NULL;
	memmove(&n->added[idx], &n->added[idx + 1],
	    (n->nadded - idx - 1) * sizeof(*n->added));
	n->nadded--;
	free(a->name);
	free(a);
}

void
net_addnode_in_free(void *in)
{
	free(((struct net_addnode_in *)in)->node);
}

void
net_req_disconnect(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_disconnect_in *q = in;
	struct peer *p, *found = NULL;

	if (q->addr) {
		TAILQ_FOREACH (p, &n->peers, entry)
			if (live(p) && strcmp(p->addr_name, q->addr) == 0) {
				found = p;
				break;
			}
	} else {
		p = q->id > 0 ? net_peer_by_id(n, q->id) : NULL;
		if (p && live(p))
			found = p;
	}
	if (found == NULL) {
		request_fail(r, NET_E_NOT_CONNECTED, "node not connected");
		return;
	}
	peer_disconnect(found, "disconnectnode requested");
}

void
net_disconnect_in_free(void *in)
{
	free(((struct net_disconnect_in *)in)->addr);
}

void
net_req_added(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	const char *node = *(char **)in;
	struct net_added *o = out;
	struct service svc;
	struct peer *p;
	size_t i;

	if (node && find_added(n, node, NULL) == NULL) {
		request_fail(r, NET_E_NODE_NOT_ADDED, "node not added");
		return;
	}
	o->nodes = xcalloc(n->nadded ? n->nadded : 1, sizeof(*o->nodes));
	o->n = 0;
	for (i = 0; i < n->nadded; i++) {
		struct added_node *x = n->added[i];
		struct net_added_info *e;
		struct peer *conn = NULL;
		int num;

		if (x->from_connect ||
		    (node && strcmp(x->name, node) != 0 &&
			find_added(n, node, NULL) != x))
			continue;
		num = service_parse(x->name, n->cp->default_port, &svc) == 0;
		TAILQ_FOREACH (p, &n->peers, entry) {
			if (!live(p))
				continue;
			if ((p->added == x && p->handshaked) ||
			    (num && service_eq(&p->addr, &svc))) {
				conn = p;
				break;
			}
		}
		e = &o->nodes[o->n++];
		e->name = xstrdup(x->name);
		e->connected = conn != NULL;
		if (conn) {
			service_format(&conn->addr, e->address,
			    sizeof(e->address));
			e->inbound = conn->type == CONN_INBOUND;
		}
	}
}

void
net_added_free(void *added)
{
	struct net_added *o = added;
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->nodes[i].name);
	free(o->nodes);
	o->nodes = NULL;
}

void
net_str_in_free(void *in)
{
	free(*(char **)in);
}

void
net_req_setban(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_setban_in *q = in;
	int64_t now = node_time();
	struct peer *p;

	if (!q->add) {
		if (banman_unban(n->banman, &q->sn) == -1) {
			request_fail(r, NET_E_NOT_BANNED, "not banned");
			return;
		}
		banman_save(n->banman);
		return;
	}
	/* Core: a single address is banned when any ban covers it. */
	if (q->single ? banman_is_banned(n->banman, &q->sn.base, now) :
			banman_is_banned_subnet(n->banman, &q->sn, now)) {
		request_fail(r, NET_E_BANNED, "already banned");
		return;
	}
	if (q->absolute && q->bantime < now) {
		request_fail(r, NET_E_BAN_IN_PAST, "ban time in the past");
		return;
	}
	banman_ban(n->banman, &q->sn, q->bantime, q->absolute, now);
	metrics_inc(M_PEER_BANS, 0);
	TAILQ_FOREACH (p, &n->peers, entry)
		if (!p->disconnect && subnet_match(&q->sn, &p->addr.addr))
			peer_disconnect(p, "banned by setban");
	banman_save(n->banman);
}

void
net_req_listbanned(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_bans *o = out;
	const struct ban_entry *list;

	o->now = node_time();
	list = banman_list(n->banman, o->now, &o->n);
	o->bans = xcalloc(o->n ? o->n : 1, sizeof(*o->bans));
	if (o->n)
		memcpy(o->bans, list, o->n * sizeof(*o->bans));
}

void
net_bans_free(void *bans)
{
	struct net_bans *o = bans;

	free(o->bans);
	o->bans = NULL;
}

void
net_req_clearbanned(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;

	banman_clear(n->banman);
	banman_save(n->banman);
}

void
net_req_setactive(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	int state = *(int *)in;
	struct peer *p;

	if (n->network_active != state)
		log_info("SetNetworkActive: %s", state ? "true" : "false");
	n->network_active = state;
	if (!state)
		TAILQ_FOREACH (p, &n->peers, entry)
			peer_disconnect(p, "network disabled");
	*(int *)out = n->network_active;
}

void
net_req_addresses(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_addrs_in *q = in;
	struct net_addrs *o = out;
	size_t max;

	max = addrman_size(n->addrman, -1, -1);
	if (q->count > 0 && q->count < max)
		max = q->count;
	o->v = xcalloc(max + 1, sizeof(*o->v));
	o->n = addrman_get_addr(n->addrman, max, 0, q->cls, node_time(), o->v);
}

void
net_addrs_free(void *addrs)
{
	struct net_addrs *o = addrs;

	free(o->v);
	o->v = NULL;
}

void
net_req_addpeer(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_addpeer_in *q = in;
	struct net_addpeer_out *o = out;
	struct addr_entry e;
	int64_t now = node_time();

	memset(&e, 0, sizeof(e));
	e.svc = q->svc;
	e.services = NODE_NETWORK | NODE_WITNESS;
	e.time = (uint32_t)now;
	o->success = 0;
	o->error = NULL;
	/* The address announces itself: it is its own source. */
	if (addrman_add(n->addrman, &e, 1, &e.svc.addr, 0, now) != 1) {
		o->error = "failed-adding-to-new";
		return;
	}
	o->success = 1;
	if (q->tried && addrman_good(n->addrman, &e.svc, now) != 0) {
		o->success = 0;
		o->error = "failed-adding-to-tried";
	}
}

void
net_req_addrmaninfo(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_addrman_counts *o = out;
	int c;

	(void)in;
	(void)r;
	for (c = 0; c <= NETC_CJDNS; c++) {
		o->n_new[c] = addrman_size(n->addrman, c, 1);
		o->n_tried[c] = addrman_size(n->addrman, c, 0);
	}
}

struct slots {
	struct addrman_slot *v;
	size_t n, cap;
};

static void
collect_slot(const struct addrman_slot *s, void *arg)
{
	struct slots *ss = arg;

	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 64;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof(*ss->v));
	}
	ss->v[ss->n++] = *s;
}

void
net_req_rawaddrman(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_rawaddrs *o = out;
	struct slots ss;
	int t;

	(void)in;
	(void)r;
	for (t = 0; t < 2; t++) {
		memset(&ss, 0, sizeof(ss));
		addrman_walk(n->addrman, t, collect_slot, &ss);
		o->v[t] = ss.v;
		o->n[t] = ss.n;
	}
}

void
net_rawaddrs_free(void *raw)
{
	struct net_rawaddrs *o = raw;

	free(o->v[0]);
	free(o->v[1]);
}

void
net_req_sendmsg(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_sendmsg_in *q = in;
	struct peer *p = net_peer_by_id(n, q->id);

	(void)out;
	if (p == NULL || !live(p) || !p->handshaked) {
		request_fail(r, NET_E_NOT_CONNECTED, "peer not connected");
		return;
	}
	peer_send_cmd(p, q->cmd, q->payload, q->len);
}

void
net_req_fetchblock(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_fetch_in *q = in;
	struct peer *p = net_peer_by_id(n, q->id);

	(void)out;
	/* Core's FetchBlock, its checks in its order and its words. */
	if (n->val != NULL && validation_is_loading(n->val)) {
		request_fail(r, NET_E_LOADING, "Loading blocks ...");
		return;
	}
	/* Core has no peer before connect() succeeds. */
	if (p == NULL || p->connecting) {
		request_fail(r, NET_E_NO_PEER, "Peer does not exist");
		return;
	}
	/* Until its version says otherwise, a peer serves no witnesses. */
	if (!(p->services & NODE_WITNESS)) {
		request_fail(r, NET_E_PRE_SEGWIT, "Pre-SegWit peer");
		return;
	}
	if (!p->handshaked || p->disconnect) {
		request_fail(r, NET_E_NOT_FULLY_CONNECTED,
		    "Peer not fully connected");
		return;
	}
	sync_fetch_block(n, p, q->hash, q->height);
}

void
net_sendmsg_in_free(void *in)
{
	free(((struct net_sendmsg_in *)in)->payload);
}

void
net_req_addconn(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	struct net_addconn_in *q = in;
	enum conn_type t;
	int max = -1, total;

	switch (q->kind) {
	case NET_CONN_OUTBOUND_FULL:
		t = CONN_OUTBOUND_FULL;
		max = n->max_outbound_full;
		break;
	case NET_CONN_BLOCK_RELAY:
		t = CONN_BLOCK_RELAY;
		max = n->max_block_relay;
		break;
	case NET_CONN_ADDR_FETCH: t = CONN_ADDR_FETCH; break;
	default: t = CONN_FEELER; break;
	}
	if (q->v2 && !n->v2transport) {
		request_fail(r, NET_E_V2_DISABLED, "v2transport not enabled");
		return;
	}
	total = net_count_type(n, CONN_OUTBOUND_FULL) +
	    net_count_type(n, CONN_BLOCK_RELAY) +
	    net_count_type(n, CONN_FEELER) +
	    net_count_type(n, CONN_ADDR_FETCH);
	if ((max >= 0 && net_count_type(n, t) >= max) ||
	    total >= n->max_outbound_full + n->max_block_relay +
		    MAX_FEELER_CONNECTIONS) {
		request_fail(r, NET_E_CAPACITY, "at capacity");
		return;
	}
	net_connect(n, q->addr, t, NULL, q->v2);
}

void
net_addconn_in_free(void *in)
{
	free(((struct net_addconn_in *)in)->addr);
}

void
net_req_orphans(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;
	const struct orphanage *op = txrelay_orphanage(n);
	const struct orphan *e;
	struct net_orphans *o = out;
	int with_raw = *(int *)in;
	size_t i, cap = 0;

	while (op && orphanage_at(op, cap) != NULL)
		cap++;
	o->v = xcalloc(cap ? cap : 1, sizeof(*o->v));
	o->n = cap;
	for (i = 0; i < cap; i++) {
		struct net_orphan_info *x = &o->v[i];

		e = orphanage_at(op, i);
		memcpy(x->txid, e->txid, 32);
		memcpy(x->wtxid, e->wtxid, 32);
		x->len = e->len;
		x->weight = e->weight;
		x->nfrom = e->nfrom;
		x->from = xcalloc(e->nfrom ? e->nfrom : 1, sizeof(*x->from));
		memcpy(x->from, e->from, e->nfrom * sizeof(*x->from));
		if (with_raw) {
			x->raw = xmalloc(e->len ? e->len : 1);
			memcpy(x->raw, e->raw, e->len);
		}
	}
}

void
net_orphans_free(void *orphans)
{
	struct net_orphans *o = orphans;
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].from);
		free(o->v[i].raw);
	}
	free(o->v);
	o->v = NULL;
}
