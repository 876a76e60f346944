/*
 * The network thread: net_start and net_stop, the event loop, the net
 * queue, connection management (inbound accept, outbound connect,
 * -connect/-addnode, automatic outbound from the address manager), the
 * periodic tick and the reaper. Options and listeners are read by
 * startup.c. See net_int.h for the design note.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "chain/chainparams.h"
#include "mempool/mempool.h"
#include "net/addrman.h"
#include "net/anchors.h"
#include "net/banman.h"
#include "net/net.h"
#include "net/net_int.h"
#include "net/socks5.h"
#include "net/v2transport.h"
#include "util/args.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

/*
 * What the validation listener holds. It must outlive struct net: the
 * validation thread keeps calling its listeners until validation_stop,
 * which runs after net_stop. So the sink and its queue are never freed;
 * net_stop closes the queue (later pushes fail and are dropped) and keeps
 * the sink on a global list, which also keeps it reachable.
 */
struct net_sink {
	struct queue *q;
	int has_orphans; /* atomic: set by the net thread, read by validation */
	struct net_sink *next;
};

static pthread_mutex_t sinks_mu =
    PTHREAD_MUTEX_INITIALIZER; /* guards retired_sinks; leaf */
static struct net_sink *retired_sinks;

const char *
conn_type_name(enum conn_type t)
{
	switch (t) {
	case CONN_INBOUND: return "inbound";
	case CONN_OUTBOUND_FULL: return "outbound-full-relay";
	case CONN_MANUAL: return "manual";
	case CONN_FEELER: return "feeler";
	case CONN_BLOCK_RELAY: return "block-relay-only";
	case CONN_ADDR_FETCH: return "addr-fetch";
	}
	return "unknown";
}

int64_t
net_now_us(void)
{
	int64_t m = node_get_mocktime();

	return m ? m * 1000000 : time_wall_micros();
}

struct peer *
net_peer_by_id(struct net *n, uint64_t id)
{
	uint8_t key[8];

	le64_write(key, id);
	return htab_get(n->peers_by_id, key);
}

int
net_count_type(struct net *n, enum conn_type t)
{
	return (int)n->n_by_type[t];
}

uint64_t
net_services(struct net *n)
{
	/* A pruned node, or one lacking a snapshot's history: BIP159 only. */
	if (n->val && (validation_snapshot_limited(n->val) ||
			  validation_prune_target(n->val) != 0))
		return n->local_services & ~(uint64_t)NODE_NETWORK;
	return n->local_services;
}

void
net_schedule(struct net *n)
{
	if (!n->stopping)
		event_active(n->sched_ev, EV_TIMEOUT, 0);
}

/* ---- validation listener: runs on the validation thread ---- */

static void
sink_push_msg(struct net_sink *s, struct msg *m, const char *what)
{
	int rc;

	if ((rc = queue_push(s->q, m)) != 0) {
		if (rc == QUEUE_EFULL)
			log_warnx("net queue full: a %s notice was dropped",
			    what);
		msg_free(m);
	}
}

/*
 * For the mempool's added/removed notices, which keep net's mirror equal to
 * the pool: they are never dropped. The mempool thread blocks until the net
 * thread's next drain makes room, which is safe because the net thread
 * never waits for the mempool (it submits with QUEUE_REFUSE and reads
 * atomics); a closed queue (net stopping) ends the wait and drops the notice.
 */
static void
sink_push_wait(struct net_sink *s, struct msg *m)
{
	int rc;

	if ((rc = queue_push(s->q, m)) == QUEUE_EFULL) {
		log_warnx("net queue full: the mempool waits for room");
		rc = queue_push_wait(s->q, m);
	}
	if (rc != 0)
		msg_free(m);
}

static void
sink_push(struct net_sink *s, int type, uint64_t peer_id, const void *d,
    size_t len)
{
	sink_push_msg(s, msg_new(type, peer_id, d, len), "validation");
}

static void
on_block_done(void *arg, uint64_t peer_id, const uint8_t hash[32],
    enum val_result res, const char *reason)
{
	struct netq_block_done d;

	memset(&d, 0, sizeof(d));
	memcpy(d.hash, hash, 32);
	d.res = (int)res;
	if (reason)
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
	sink_push(arg, NETQ_BLOCK_DONE, peer_id, &d, sizeof(d));
}

static void
on_headers_done(void *arg, uint64_t peer_id, enum val_result res,
    const char *reason, const uint8_t last[32])
{
	struct netq_headers_done d;

	memset(&d, 0, sizeof(d));
	if (last)
		memcpy(d.last, last, 32);
	d.res = (int)res;
	if (reason)
		snprintf(d.reason, sizeof(d.reason), "%s", reason);
	sink_push(arg, NETQ_HEADERS_DONE, peer_id, &d, sizeof(d));
}

static void
on_tip_changed(void *arg, const uint8_t hash[32], int32_t height,
    int initial_download)
{
	struct netq_tip t;

	memset(&t, 0, sizeof(t));
	memcpy(t.hash, hash, 32);
	t.height = height;
	t.ibd = initial_download;
	sink_push(arg, NETQ_TIP, 0, &t, sizeof(t));
}

/*
 * Only orphans care about a block's transactions here; without any (always
 * so in initial download, where transactions are ignored) the copy is saved.
 * A full queue drops it: the orphans it would have erased expire instead.
 */
static void
on_block_connected(void *arg, const uint8_t *raw, size_t len, int32_t height)
{
	struct net_sink *s = arg;

	if (__atomic_load_n(&s->has_orphans, __ATOMIC_RELAXED))
		sink_push_msg(s, msg_new(NETQ_BLOCK_CONNECTED, 0, raw, len),
		    "block");
}

/*
 * A copy of the block for the early compact announcement. A full queue
 * drops it: the announcement then goes out once the block is connected.
 */
static void
on_pow_valid_block(void *arg, const uint8_t *raw, size_t len, int32_t height)
{
	struct netq_pow_valid pv;
	struct msg *m;

	pv.height = height;
	m = msg_new(NETQ_POW_VALID, 0, NULL, sizeof(pv) + len);
	memcpy(m->data, &pv, sizeof(pv));
	memcpy(m->data + sizeof(pv), raw, len);
	sink_push_msg(arg, m, "block");
}

void
net_note_orphans(struct net *n)
{
	if (n->sink != NULL)
		__atomic_store_n(&n->sink->has_orphans, txrelay_has_orphans(n),
		    __ATOMIC_RELAXED);
}

/* ---- mempool listener: runs on the mempool thread ---- */

static void
on_tx_added(void *arg, uint64_t peer_id, const uint8_t txid[32],
    const uint8_t wtxid[32], int64_t fee_rate, const uint8_t *raw, size_t len)
{
	struct netq_tx_added a;
	struct msg *m;

	memset(&a, 0, sizeof(a));
	memcpy(a.txid, txid, 32);
	memcpy(a.wtxid, wtxid, 32);
	a.fee_rate = fee_rate;
	m = msg_new(NETQ_TX_ADDED, peer_id, NULL, sizeof(a) + len);
	memcpy(m->data, &a, sizeof(a));
	memcpy(m->data + sizeof(a), raw, len);
	sink_push_wait(arg, m);
}

static void
on_tx_removed(void *arg, const uint8_t txid[32], const uint8_t wtxid[32],
    int why)
{
	struct netq_tx_removed r;

	memset(&r, 0, sizeof(r));
	memcpy(r.txid, txid, 32);
	memcpy(r.wtxid, wtxid, 32);
	r.why = why;
	sink_push_wait(arg, msg_new(NETQ_TX_REMOVED, 0, &r, sizeof(r)));
}

static void
on_tx_rejected(void *arg, uint64_t peer_id, const uint8_t txid[32],
    const uint8_t wtxid[32], enum mempool_reject kind, const char *reason,
    const uint8_t (*parents)[32], size_t nparents)
{
	struct netq_tx_rejected j;
	struct msg *m;

	memset(&j, 0, sizeof(j));
	memcpy(j.txid, txid, 32);
	memcpy(j.wtxid, wtxid, 32);
	j.kind = (int)kind;
	if (parents == NULL)
		nparents = 0;
	j.nparents = (uint32_t)nparents;
	if (reason)
		snprintf(j.reason, sizeof(j.reason), "%s", reason);
	m = msg_new(NETQ_TX_REJECTED, peer_id, NULL,
	    sizeof(j) + nparents * 32);
	memcpy(m->data, &j, sizeof(j));
	if (nparents)
		memcpy(m->data + sizeof(j), parents, nparents * 32);
	sink_push_msg(arg, m, "mempool");
}

static void
on_package_rejected(void *arg, const uint8_t (*wtxids)[32], size_t n)
{
	/* Only the 1p1c packages net submits are ever told of. */
	if (n == 2)
		sink_push_msg(arg,
		    msg_new(NETQ_PACKAGE_REJECTED, 0, wtxids, 64), "mempool");
}

/*
 * Never dropped, as tx_added: a lost one would leave the peer's count up
 * until peer_work_check gives up on it.
 */
static void
on_tx_done(void *arg, uint64_t peer_id)
{
	sink_push_wait(arg, msg_new(NETQ_TX_DONE, peer_id, NULL, 0));
}

/* ---- the queue ---- */

static void
queue_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;
	struct msg *m, *next;

	for (m = queue_drain(n->q); m; m = next) {
		next = m->next;
		switch (m->type) {
		case NETQ_REQUEST: {
			struct request *r;

			if (m->len != sizeof(r))
				fatalx("net queue: bad request message");
			memcpy(&r, m->data, sizeof(r));
			request_serve(r, n);
			break;
		}
		case NETQ_BLOCK_DONE:
			if (m->len != sizeof(struct netq_block_done))
				fatalx("net queue: bad block_done");
			sync_block_done(n, m->peer_id,
			    (const struct netq_block_done *)(void *)m->data);
			peer_work_done(n, m->peer_id, 0);
			break;
		case NETQ_HEADERS_DONE:
			if (m->len != sizeof(struct netq_headers_done))
				fatalx("net queue: bad headers_done");
			sync_headers_done(n, m->peer_id,
			    (const struct netq_headers_done *)(void *)m->data);
			peer_work_done(n, m->peer_id, 0);
			break;
		case NETQ_TIP:
			if (m->len != sizeof(struct netq_tip))
				fatalx("net queue: bad tip");
			sync_tip_changed(n,
			    (const struct netq_tip *)(void *)m->data);
			n->last_tip_update = node_time();
			txrelay_tip_changed(n);
			break;
		case NETQ_TX_ADDED:
			txrelay_on_added(n, m->peer_id, m->data, m->len);
			break;
		case NETQ_TX_REMOVED:
			txrelay_on_removed(n, m->data, m->len);
			break;
		case NETQ_TX_REJECTED:
			txrelay_on_rejected(n, m->peer_id, m->data, m->len);
			break;
		case NETQ_BLOCK_CONNECTED:
			txrelay_block_connected(n, m->data, m->len);
			break;
		case NETQ_PACKAGE_REJECTED:
			txrelay_on_package_rejected(n, m->data, m->len);
			break;
		case NETQ_TX_DONE:
			if (m->len != 0)
				fatalx("net queue: bad tx_done");
			peer_work_done(n, m->peer_id, 1);
			break;
		case NETQ_POW_VALID:
			if (m->len < sizeof(struct netq_pow_valid))
				fatalx("net queue: bad pow_valid");
			sync_pow_valid(n,
			    ((const struct netq_pow_valid *)(void *)m->data)
				->height,
			    m->data + sizeof(struct netq_pow_valid),
			    m->len - sizeof(struct netq_pow_valid));
			break;
		case NETQ_STOP:
			n->stopping = 1;
			event_base_loopbreak(n->base);
			break;
		default: fatalx("net queue: unknown message type %d", m->type);
		}
		msg_free(m);
	}
	net_note_orphans(n);
}

/* ---- peers: creation, reaping ---- */

static int connect_service(struct net *n, const struct service *svc,
    const char *name, enum conn_type type, struct added_node *added,
    int use_v2);

/*
 * Core's v1 fallback: an outbound v2 attempt that got connected, sent our
 * key and then received nothing at all before the end was most likely a
 * v1-only peer hanging up on bytes it read as a bad header. Try once more
 * at once with v1, as the same kind of connection.
 */
static void
reconnect_v1(struct net *n, const struct service *addr, const char *name,
    enum conn_type type, struct added_node *added)
{
	log_debug(LOG_NET, "retrying with v1 transport protocol for %s", name);
	if (connect_service(n, addr, name, type, added, 0) == 0 && added)
		added->next_try_us = time_mono_micros() + added->backoff_us;
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;
	struct peer *p, *next;
	struct service addr;
	char name[sizeof(p->addr_name)];
	struct added_node *added;
	enum conn_type type;
	int retry;

	for (p = TAILQ_FIRST(&n->peers); p; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (!p->disconnect || p->in_process)
			continue;
		TAILQ_REMOVE(&n->peers, p, entry);
		htab_del(n->peers_by_id, p->idkey);
		n->npeers--;
		if (p->added) {
			p->added->peer_id = 0;
			p->added->connecting = 0;
		}
		retry = p->v2_offered && p->v2 && !p->connecting &&
		    v2t_should_reconnect_v1(p->v2) && p->bytes_recv == 0 &&
		    (p->bev == NULL ||
			evbuffer_get_length(bufferevent_get_input(p->bev)) ==
			    0) &&
		    !n->stopping && n->network_active;
		addr = p->addr;
		type = p->type;
		added = p->added;
		memcpy(name, p->addr_name, sizeof(name));
		peer_free(p);
		if (retry)
			reconnect_v1(n, &addr, name, type, added);
	}
	/* Freed slots may let a waiting connection or download go ahead. */
	net_schedule(n);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;
	struct peer *p;

	TAILQ_FOREACH (p, &n->peers, entry) {
		if (!p->retry_pending || p->disconnect)
			continue;
		p->retry_pending = 0;
		peer_process(p);
	}
}

static void
sched_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;

	sync_schedule_all(n);
}

static struct peer *
find_peer_addr(struct net *n, const struct service *s)
{
	struct peer *p;

	TAILQ_FOREACH (p, &n->peers, entry)
		if (!p->disconnect && service_eq(&p->addr, s))
			return p;
	return NULL;
}

static struct peer *
find_peer_name(struct net *n, const char *name)
{
	struct peer *p;

	TAILQ_FOREACH (p, &n->peers, entry)
		if (!p->disconnect && strcmp(p->addr_name, name) == 0)
			return p;
	return NULL;
}

static uint32_t
whitelist_perms(struct net *n, const struct netaddr *a, int dir)
{
	uint32_t f = 0;
	size_t i;

	for (i = 0; i < n->nwhitelist; i++)
		if ((n->whitelist[i].dir & dir) &&
		    subnet_match(&n->whitelist[i].sn, a))
			f |= n->whitelist[i].flags;
	return f;
}

static void
set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
register_peer(struct net *n, struct peer *p)
{
	TAILQ_INSERT_TAIL(&n->peers, p, entry);
	if (htab_put(n->peers_by_id, p) == -1)
		fatalx("net: duplicate peer id");
	n->npeers++;
	n->n_by_type[p->type]++;
	net_metrics_peer_count(n, p->type, 1);
}

void
net_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	struct net *n = l->net;
	struct bufferevent *bev;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct service from;
	struct peer *p;
	char s[NETADDR_STRLEN];
	uint32_t perms;
	uint64_t victim;
	int inbound;

	if (service_from_sockaddr(&from, sa) == -1 || n->stopping) {
		evutil_closesocket(fd);
		return;
	}
	service_format(&from, s, sizeof(s));
	if (!n->network_active) {
		log_debug(LOG_NET,
		    "connection from %s dropped: not accepting "
		    "new connections",
		    s);
		evutil_closesocket(fd);
		return;
	}
	perms = l->perms | whitelist_perms(n, &from.addr, PDIR_IN);
	if (!netperm_has(perms, PF_NOBAN) &&
	    banman_is_banned(n->banman, &from.addr, node_time())) {
		log_debug(LOG_NET, "connection from %s dropped (banned)", s);
		evutil_closesocket(fd);
		return;
	}
	inbound = net_count_type(n, CONN_INBOUND);
	if (!netperm_has(perms, PF_NOBAN) &&
	    banman_is_discouraged(n->banman, &from.addr) &&
	    inbound + 1 >= n->max_inbound) {
		log_debug(LOG_NET, "connection from %s dropped (discouraged)",
		    s);
		evutil_closesocket(fd);
		return;
	}
	if (inbound >= n->max_inbound) {
		if (eviction_select(n, &victim) == -1) {
			log_debug(LOG_NET,
			    "failed to find an eviction "
			    "candidate - connection dropped (full)");
			evutil_closesocket(fd);
			return;
		}
		p = net_peer_by_id(n, victim);
		/* Marked peers stop counting against the limits at once. */
		peer_disconnect(p, "selected for eviction");
	}
	set_nodelay(fd);
	evutil_make_socket_nonblocking(fd);
	p = peer_new(n, CONN_INBOUND, &from, NULL);
	p->perms = perms;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    service_from_sockaddr(&p->bind, (struct sockaddr *)&ss) == 0)
		p->has_bind = 1;
	bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		log_warnx("net: bufferevent_socket_new failed");
		evutil_closesocket(fd);
		peer_free(p);
		return;
	}
	/* With -v2transport the first bytes tell v1 from v2 (Core). */
	if (n->v2transport)
		p->v2 = v2t_new(0, n->cp->magic);
	register_peer(n, p);
	peer_attach(p, bev);
	log_debug(LOG_NET, "connection from %s accepted, peer=%llu", s,
	    (unsigned long long)p->id);
}

void
net_accept_error_cb(struct evconnlistener *evl, void *arg)
{
	struct listener *l = arg;
	int err = EVUTIL_SOCKET_ERROR();

	/*
	 * Out of descriptors and the like: the pending connection would wake
	 * us again at once, so rest the listener until the next tick.
	 */
	log_warnx("net: accept failed: %s",
	    evutil_socket_error_to_string(err));
	evconnlistener_disable(evl);
	l->paused = 1;
}

/*
 * Opens a connection to svc, or through the proxy px to host:port (a
 * name the proxy resolves, or svc's address), for a peer named name.
 */
static int
open_conn(struct net *n, const struct service *svc, const struct service *px,
    const char *host, uint16_t port, const char *name, enum conn_type type,
    struct added_node *added, int use_v2)
{
	struct sockaddr_storage ss;
	struct bufferevent *bev;
	struct peer *p;
	socklen_t len;
	char s[NETADDR_STRLEN];
	int fd;

	if ((len = service_to_sockaddr(px ? px : svc, &ss)) == 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		log_warn("net: socket");
		return -1;
	}
	set_nodelay(fd);
	bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return -1;
	}
	p = peer_new(n, type, svc, name);
	if (px) {
		char cred[24];

		/* Fresh credentials each time: Tor isolates the streams. */
		snprintf(cred, sizeof(cred), "%llu",
		    (unsigned long long)n->proxy_counter++);
		p->socks = socks5_new(host, port,
		    n->proxy_randomize ? cred : NULL, cred);
	}
	if (use_v2 && n->v2transport) {
		p->v2 = v2t_new(1, n->cp->magic);
		p->v2_offered = 1;
	}
	p->connecting = 1;
	n->n_connecting++;
	htab_put(n->pending_nonces, p);
	p->added = added;
	p->perms = whitelist_perms(n, &svc->addr, PDIR_OUT);
	if (added) {
		added->peer_id = p->id;
		added->connecting = 1;
	}
	register_peer(n, p);
	peer_attach(p, bev);
	if (svc->addr.net != NET_NONE)
		service_format(svc, s, sizeof(s));
	else
		snprintf(s, sizeof(s), "%s", name);
	log_debug(LOG_NET, "trying %s connection (%s) to %s, peer=%llu",
	    conn_type_name(type), p->v2 ? "v2" : "v1", s,
	    (unsigned long long)p->id);
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss,
		(int)len) == -1)
		peer_disconnect(p, "connect failed");
	return 0;
}

static int
connect_service(struct net *n, const struct service *svc, const char *name,
    enum conn_type type, struct added_node *added, int use_v2)
{
	const struct service *px;
	enum net_class cls;
	char s[NETADDR_STRLEN], host[NETADDR_STRLEN];

	service_format(svc, s, sizeof(s));
	if (find_peer_addr(n, svc)) {
		log_debug(LOG_NET,
		    "Failed to open new connection to %s, "
		    "already connected",
		    s);
		return -1;
	}
	/*
	 * Through the network's proxy if it has one (Core's GetProxy by
	 * GetNetwork: local and unroutable addresses have none and are
	 * dialled directly); onion addresses only through one.
	 */
	cls = netaddr_class(&svc->addr);
	px = n->proxy[cls].port != 0 ? &n->proxy[cls] : NULL;
	if (px == NULL && cls != NETC_IPV4 && cls != NETC_IPV6 &&
	    cls != NETC_UNROUTABLE) {
		log_debug(LOG_NET,
		    "cannot connect to %s: no proxy for its "
		    "network (-proxy, -onion)",
		    s);
		return -1;
	}
	netaddr_format(&svc->addr, host, sizeof(host));
	return open_conn(n, svc, px, host, svc->port, name ? name : s, type,
	    added, use_v2);
}

/*
 * A name through -proxy (Core's name proxy): the peer has no address of
 * its own until it connects, only its name (Core's CService() and
 * m_addr_name).
 */
static int
connect_named_proxy(struct net *n, const char *host, uint16_t port,
    const char *name, enum conn_type type, struct added_node *added,
    int use_v2)
{
	struct service none;

	memset(&none, 0, sizeof(none));
	return open_conn(n, &none, &n->proxy[NETC_IPV4], host, port, name,
	    type, added, use_v2);
}

struct dns_req {
	struct net *n;
	char *name;
	uint16_t port;
	enum conn_type type;
	struct added_node *added;
	int use_v2;
};

static void
dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct dns_req *r = arg;
	struct evutil_addrinfo *ai;
	struct service svc;

	if (result != 0 || r->n->stopping) {
		if (!r->n->stopping)
			log_debug(LOG_NET, "cannot resolve %s: %s", r->name,
			    evutil_gai_strerror(result));
		if (r->added)
			r->added->connecting = 0;
		goto out;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (service_from_sockaddr(&svc, ai->ai_addr) == 0) {
			svc.port = r->port;
			if (r->added)
				r->added->connecting = 0;
			connect_service(r->n, &svc, r->name, r->type, r->added,
			    r->use_v2);
			break;
		}
	}
	if (ai == NULL && r->added)
		r->added->connecting = 0;
out:
	if (res)
		evutil_freeaddrinfo(res);
	free(r->name);
	free(r);
}

int
net_connect(struct net *n, const char *name, enum conn_type type,
    struct added_node *added, int use_v2)
{
	struct evutil_addrinfo hints;
	struct service svc;
	struct dns_req *r;
	char host[256];
	uint16_t port;

	if (!n->network_active || n->stopping)
		return -1;
	if (service_split(name, n->cp->default_port, host, sizeof(host),
		&port) == -1) {
		log_warnx("net: cannot parse address %s", name);
		return -1;
	}
	if (find_peer_name(n, name))
		return -1;
	memset(&svc, 0, sizeof(svc));
	if (netaddr_parse(host, &svc.addr) == 0 ||
	    netaddr_parse_name(host, &svc.addr) == 0) {
		svc.port = port;
		return connect_service(n, &svc, name, type, added, use_v2);
	}
	if (n->proxy[NETC_IPV4].port != 0) {
		/*
		 * Core's name proxy: the proxy resolves the name, so the
		 * local resolver never learns where we go.
		 */
		return connect_named_proxy(n, host, port, name, type, added,
		    use_v2);
	}
	if (!n->allow_dns) {
		log_warnx("net: not resolving %s: -dns=0 allows addresses "
			  "only",
		    host);
		return -1;
	}
	/* A name: resolve without blocking the loop. */
	if (net_resolver(n) == NULL) {
		log_warnx("net: no resolver for %s", name);
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->n = n;
	r->name = xstrdup(name);
	r->port = port;
	r->type = type;
	r->added = added;
	r->use_v2 = use_v2;
	if (added)
		added->connecting = 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	evdns_getaddrinfo(n->dns, host, NULL, &hints, dns_cb, r);
	return 0;
}

/* ---- the tick ---- */

static void
inactivity_check(struct net *n, struct peer *p, int64_t now, int64_t now_us)
{
	char why[96];

	if (p->connecting) {
		if (time_mono_micros() - p->conn_mono_us >
		    (int64_t)n->connect_timeout_ms * 1000)
			peer_disconnect(p, "connection timeout");
		return;
	}
	if (p->conn_time + n->peer_timeout >= now)
		return;
	if (p->last_recv == 0 || p->last_send == 0) {
		snprintf(why, sizeof(why),
		    "socket no message in first %lld "
		    "seconds, %d %d",
		    (long long)n->peer_timeout, p->last_recv != 0,
		    p->last_send != 0);
		peer_disconnect(p, why);
		return;
	}
	if (now > p->last_send + TIMEOUT_INTERVAL) {
		snprintf(why, sizeof(why), "socket sending timeout: %llds",
		    (long long)(now - p->last_send));
		peer_disconnect(p, why);
		return;
	}
	if (now > p->last_recv + TIMEOUT_INTERVAL) {
		snprintf(why, sizeof(why), "socket receive timeout: %llds",
		    (long long)(now - p->last_recv));
		peer_disconnect(p, why);
		return;
	}
	if (!p->handshaked) {
		peer_disconnect(p, "version handshake timeout");
		return;
	}
	(void)now_us;
}

static void
ping_check(struct net *n, struct peer *p, int64_t now, int64_t now_us)
{
	char why[64];

	if (!p->handshaked || p->disconnect)
		return;
	/*
	 * Like the other inactivity checks, the ping timeout waits for
	 * -peertimeout after the connection (Core: tests turn it off that way).
	 */
	if (p->ping_nonce && p->conn_time + n->peer_timeout < now &&
	    now_us > p->ping_start_us + (int64_t)TIMEOUT_INTERVAL * 1000000) {
		snprintf(why, sizeof(why), "ping timeout: %.6fs",
		    (double)(now_us - p->ping_start_us) / 1e6);
		peer_disconnect(p, why);
		return;
	}
	if (p->ping_queued ||
	    (p->ping_nonce == 0 &&
		now_us > p->ping_start_us + (int64_t)PING_INTERVAL * 1000000))
		peer_send_ping(p);
}

/*
 * Whether a is in the network group of a lasting outbound peer, as Core's
 * ThreadOpenConnections counts them: full-relay, block-relay-only and
 * manual (-addnode, -connect) peers, not inbound ones (free to make, so an
 * attacker could use them to keep us from groups) nor short-lived feelers
 * and addr-fetches; and only IPv4/IPv6 peers, as the groups of Tor, I2P
 * and CJDNS addresses say nothing of the route to them.
 */
static int
same_group_outbound(struct net *n, const struct netaddr *a)
{
	uint8_t g1[NETGROUP_MAXLEN], g2[NETGROUP_MAXLEN];
	size_t l1 = netaddr_group(a, g1), l2;
	struct peer *p;
	enum net_class cls;

	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->type == CONN_INBOUND || p->type == CONN_FEELER ||
		    p->type == CONN_ADDR_FETCH || p->disconnect)
			continue;
		cls = netaddr_class(&p->addr.addr);
		if (cls == NETC_ONION || cls == NETC_I2P || cls == NETC_CJDNS)
			continue;
		l2 = netaddr_group(&p->addr.addr, g2);
		if (l1 == l2 && memcmp(g1, g2, l1) == 0)
			return 1;
	}
	return 0;
}

/* Whether connections to addresses like a go through a proxy on this host. */
static int
proxy_is_local(const struct net *n, const struct netaddr *a)
{
	const struct service *px = &n->proxy[netaddr_class(a)];

	return px->port != 0 && netaddr_is_local(&px->addr);
}

/*
 * Tries the next anchor, as Core: skipped when invalid, unreachable,
 * without the services we want, or in the group of an outbound peer.
 */
static void
open_anchor(struct net *n)
{
	struct addr_entry a = n->anchors[--n->nanchors];
	char s[NETADDR_STRLEN];

	service_format(&a.svc, s, sizeof(s));
	if (!netaddr_is_valid(&a.svc.addr) ||
	    (!((n->reachable >> netaddr_class(&a.svc.addr)) & 1) &&
		netaddr_class(&a.svc.addr) != NETC_UNROUTABLE) ||
	    (a.services & (NODE_NETWORK | NODE_WITNESS)) !=
		(NODE_NETWORK | NODE_WITNESS) ||
	    same_group_outbound(n, &a.svc.addr) ||
	    banman_is_banned(n->banman, &a.svc.addr, node_time()) ||
	    banman_is_discouraged(n->banman, &a.svc.addr))
		return;
	if (n->no_public_dial && netaddr_is_routable(&a.svc.addr) &&
	    !proxy_is_local(n, &a.svc.addr)) {
		log_debug(LOG_NET, "not dialling %s: -test=nopublicdial", s);
		return;
	}
	log_debug(LOG_NET, "Trying to make an anchor connection to %s", s);
	connect_service(n, &a.svc, s, CONN_BLOCK_RELAY, NULL,
	    (a.services & NODE_P2P_V2) != 0);
}

/*
 * At shutdown: the block-relay-only peers become the next run's anchors
 * (Core's GetCurrentBlockRelayOnlyConns and DumpAnchors).
 */
static void
save_anchors(struct net *n)
{
	struct addr_entry a[MAX_BLOCK_RELAY_ONLY_ANCHORS];
	struct peer *p;
	size_t k = 0;

	if (!n->use_addrman_outgoing)
		return;
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->type != CONN_BLOCK_RELAY || p->disconnect ||
		    !p->handshaked || p->addr.addr.net == NET_NONE ||
		    k == MAX_BLOCK_RELAY_ONLY_ANCHORS)
			continue;
		memset(&a[k], 0, sizeof(a[k]));
		a[k].svc = p->addr;
		a[k].services = p->services;
		a[k].time = (uint32_t)node_time();
		k++;
	}
	if (anchors_write(n->anchors_path, n->cp->magic, a, k) == 0)
		log_info("DumpAnchors: Flush %zu outbound block-relay-only peer "
			 "addresses to anchors.dat",
		    k);
}

/* Core's ThreadOpenConnections, one pass: at most one new connection. */
static void
open_automatic(struct net *n, int64_t now)
{
	struct addr_entry a;
	enum conn_type type;
	int tries, feeler = 0;
	char s[NETADDR_STRLEN];

	if (!n->use_addrman_outgoing || !n->network_active ||
	    time_mono_micros() < n->next_conn_us)
		return;
	/* One pass every half second, as Core's connection thread. */
	n->next_conn_us = time_mono_micros() + 500000;
	/* Last run's block-relay-only peers first (Core's anchors). */
	if (n->nanchors > 0 &&
	    net_count_type(n, CONN_BLOCK_RELAY) < n->max_block_relay) {
		open_anchor(n);
		return;
	}
	if (addrman_size(n->addrman, -1, -1) == 0)
		return;
	if (net_count_type(n, CONN_OUTBOUND_FULL) < n->max_outbound_full)
		type = CONN_OUTBOUND_FULL;
	else if (net_count_type(n, CONN_BLOCK_RELAY) < n->max_block_relay)
		type = CONN_BLOCK_RELAY;
	else if (outbound_extra_wanted(n, now, &type))
		;
	else if (now >= n->next_feeler &&
	    net_count_type(n, CONN_FEELER) < MAX_FEELER_CONNECTIONS) {
		type = CONN_FEELER;
		feeler = 1;
		n->next_feeler = now + FEELER_INTERVAL / 2 +
		    (int64_t)rand_range(FEELER_INTERVAL);
	} else
		return;
	for (tries = 0; tries < 100; tries++) {
		if (addrman_select(n->addrman, feeler, now, &a) == -1)
			return;
		if (find_peer_addr(n, &a.svc))
			continue;
		/* Through a proxy on this host, the dial stays on loopback. */
		if (n->no_public_dial && !proxy_is_local(n, &a.svc.addr)) {
			char a_s[NETADDR_STRLEN];

			service_format(&a.svc, a_s, sizeof(a_s));
			log_debug(LOG_NET,
			    "not dialling %s: -test=nopublicdial", a_s);
			return;
		}
		/* -onlynet, and networks without a proxy (Core). */
		if (!((n->reachable >> netaddr_class(&a.svc.addr)) & 1) &&
		    netaddr_class(&a.svc.addr) != NETC_UNROUTABLE)
			continue;
		if (netaddr_is_local(&a.svc.addr) ||
		    banman_is_banned(n->banman, &a.svc.addr, now) ||
		    banman_is_discouraged(n->banman, &a.svc.addr))
			continue;
		if (!feeler && same_group_outbound(n, &a.svc.addr))
			continue;
		/* Not one we tried in the last 10 minutes, at first (Core). */
		if (now - addrman_last_try(n->addrman, &a.svc) < 600 &&
		    tries < 30)
			continue;
		if (!feeler &&
		    (a.services & (NODE_NETWORK | NODE_WITNESS)) !=
			(NODE_NETWORK | NODE_WITNESS) &&
		    tries < 40)
			continue;
		service_format(&a.svc, s, sizeof(s));
		addrman_attempt(n->addrman, &a.svc, 1, now);
		/* v2 only to peers that say they speak it (Core). */
		connect_service(n, &a.svc, s, type, NULL,
		    (a.services & NODE_P2P_V2) != 0);
		return;
	}
}

static void
added_check(struct net *n)
{
	int64_t mono = time_mono_micros();
	int manual = net_count_type(n, CONN_MANUAL);
	size_t i;

	for (i = 0; i < n->nadded; i++) {
		struct added_node *a = n->added[i];

		if (a->peer_id || a->connecting || mono < a->next_try_us)
			continue;
		if (!a->from_connect && manual >= MAX_ADDNODE_CONNECTIONS)
			break;
		a->next_try_us = mono + a->backoff_us;
		a->backoff_us *= 2;
		if (a->backoff_us > ADDNODE_BACKOFF_MAX_US)
			a->backoff_us = ADDNODE_BACKOFF_MAX_US;
		if (net_connect(n, a->name, CONN_MANUAL, a, a->use_v2) == 0)
			manual++;
	}
}

/*
 * The work Core leaves to its scheduler thread, run when due on the
 * monotonic clock, which setmocktime does not move and mockscheduler
 * brings forward: CConnman's DumpAddresses every DUMP_PEERS_INTERVAL, and
 * BanMan's DumpBanlist every DUMP_BANS_INTERVAL, which drops the bans
 * expired by node time and writes the file if that changed it (every
 * other change to the bans is written at the next tick, as Core writes
 * at once).
 */
static void
scheduled_run(struct net *n)
{
	if (time_mono_micros() >= n->next_dump) {
		addrman_save(n->addrman, n->peers_path);
		n->next_dump = time_mono_micros() +
		    (int64_t)DUMP_PEERS_INTERVAL * 1000000;
	}
	if (time_mono_micros() >= n->next_ban_dump) {
		banman_sweep(n->banman, node_time());
		banman_save(n->banman);
		n->next_ban_dump = time_mono_micros() +
		    (int64_t)DUMP_BANS_INTERVAL * 1000000;
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;
	int64_t now = node_time(), now_us = net_now_us();
	int64_t mono_us = time_mono_micros();
	struct peer *p;
	size_t i;

	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->disconnect)
			continue;
		peer_work_check(p, mono_us);
		inactivity_check(n, p, now, now_us);
		if (p->disconnect)
			continue;
		ping_check(n, p, now, now_us);
		outbound_consider_eviction(n, p, now);
		if (p->handshaked && !p->disconnect) {
			addr_fetch_expire(p, now);
			addr_advertise_local(p, now_us);
			addr_send_due(p, now);
		}
	}
	sync_tick(n);
	txrelay_tick(n);
	net_metrics_tick(n, now_us);
	net_note_orphans(n);
	for (i = 0; i < n->nlisteners; i++)
		if (n->listeners[i].paused) {
			n->listeners[i].paused = 0;
			evconnlistener_enable(n->listeners[i].ev);
		}
	outbound_tick(n);
	if (n->network_active) {
		added_check(n);
		open_automatic(n, now);
	}
	seeds_tick(n, now);
	scheduled_run(n);
	banman_save(n->banman);
}

void
net_req_mockforward(void *owner, void *in, void *out, struct request *r)
{
	struct net *n = owner;

	(void)out;
	(void)r;
	n->next_dump -= *(const int64_t *)in;
	n->next_ban_dump -= *(const int64_t *)in;
	n->next_extra_check_us -= *(const int64_t *)in;
	outbound_tick(n);
	scheduled_run(n);
}

static void
net_free(struct net *n)
{
	struct peer *p;
	size_t i;

	while ((p = TAILQ_FIRST(&n->peers)) != NULL) {
		TAILQ_REMOVE(&n->peers, p, entry);
		htab_del(n->peers_by_id, p->idkey);
		peer_free(p);
	}
	for (i = 0; i < n->nlisteners; i++)
		if (n->listeners[i].ev)
			evconnlistener_free(n->listeners[i].ev);
	free(n->listeners);
	if (n->dns)
		evdns_base_free(n->dns, 1);
	seeds_free(n);
	if (n->q_ev)
		event_free(n->q_ev);
	if (n->tick_ev)
		event_free(n->tick_ev);
	if (n->reap_ev)
		event_free(n->reap_ev);
	if (n->sched_ev)
		event_free(n->sched_ev);
	if (n->retry_ev)
		event_free(n->retry_ev);
	if (n->sync)
		sync_free(n->sync);
	txrelay_free(n->tx);
	cmpctrelay_free(n->cmpct);
	if (n->base)
		event_base_free(n->base);
	addrman_free(n->addrman);
	banman_free(n->banman);
	htab_free(n->peers_by_id);
	htab_free(n->pending_nonces);
	for (i = 0; i < n->nadded; i++) {
		free(n->added[i]->name);
		free(n->added[i]);
	}
	free(n->added);
	free(n->whitelist);
	addr_caches_free(n);
	free(n->peers_path);
	free(n->anchors_path);
	free(n->locals);
	free(n);
}

static void *
net_main(void *arg)
{
	struct net *n = arg;
	struct peer *p;

	log_thread_name("net");
	event_base_dispatch(n->base);
	/* Shutdown: close every connection, persist what we learnt. */
	save_anchors(n);
	TAILQ_FOREACH (p, &n->peers, entry)
		p->disconnect = 1;
	if (n->dns)
		evdns_base_clear_nameservers_and_suspend(n->dns);
	addrman_save(n->addrman, n->peers_path);
	banman_save(n->banman);
	return NULL;
}

int
net_start(const struct args *a, const struct chainparams *cp, struct store *s,
    struct validation *v, struct mempool *mp, struct net **out)
{
	struct validation_listener vl;
	struct mempool_listener ml;
	struct event_config *cfg;
	struct net_sink *sink;
	struct timeval tv;
	char err[512], *banpath;
	struct net *n;

	*out = NULL;
	n = xcalloc(1, sizeof(*n));
	n->args = a;
	n->cp = cp;
	n->store = s;
	n->val = v;
	/* Id 0 is VALIDATION_PEER_LOCAL: blocks that came from no peer. */
	n->next_id = 1;
	TAILQ_INIT(&n->peers);
	n->peers_by_id = htab_new(8, offsetof(struct peer, idkey));
	n->pending_nonces = htab_new(8, offsetof(struct peer, noncekey));
	n->netgroup_k0 = rand_u64();
	n->netgroup_k1 = rand_u64();
	if (net_read_options(n, err, sizeof(err)) == -1) {
		log_warnx("Error: %s", err);
		net_free(n);
		return -1;
	}

	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	n->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (n->base == NULL) {
		log_warnx("net: cannot create the event base");
		net_free(n);
		return -1;
	}
	net_metrics_init(n);
	n->q = queue_new("net", NETQ_HWM, QUEUE_REFUSE);
	n->q_ev = event_new(n->base, queue_fd(n->q), EV_READ | EV_PERSIST,
	    queue_cb, n);
	event_add(n->q_ev, NULL);
	n->tick_ev = event_new(n->base, -1, EV_PERSIST, tick_cb, n);
	tv.tv_sec = 0;
	tv.tv_usec = TICK_US;
	event_add(n->tick_ev, &tv);
	n->reap_ev = event_new(n->base, -1, 0, reap_cb, n);
	n->sched_ev = event_new(n->base, -1, 0, sched_cb, n);
	n->retry_ev = event_new(n->base, -1, 0, retry_cb, n);

	n->peers_path = xasprintf("%s/peers.dat", args_chaindir(a));
	n->addrman = addrman_new(n->deterministic_addrman);
	addrman_load(n->addrman, n->peers_path);
	n->anchors_path = xasprintf("%s/anchors.dat", args_chaindir(a));
	if (n->use_addrman_outgoing) {
		n->nanchors = anchors_read(n->anchors_path, cp->magic,
		    n->anchors, MAX_BLOCK_RELAY_ONLY_ANCHORS);
		log_info("%zu block-relay-only anchors will be tried for "
			 "connections.",
		    n->nanchors);
	}
	banpath = xasprintf("%s/banlist.json", args_chaindir(a));
	n->banman = banman_new(banpath,
	    args_get_int(a, "bantime", DEFAULT_MISBEHAVING_BANTIME));
	free(banpath);
	banman_load(n->banman, node_time());
	n->sync = sync_new(n);
	sync_load(n->sync);
	if (mp)
		n->tx = txrelay_new(n, mp);
	n->cmpct = cmpctrelay_new(n->extra_txn);
	n->next_dump = time_mono_micros() +
	    (int64_t)DUMP_PEERS_INTERVAL * 1000000;
	n->next_ban_dump = time_mono_micros() +
	    (int64_t)DUMP_BANS_INTERVAL * 1000000;
	n->next_feeler = node_time() + FEELER_INTERVAL;
	n->next_extra_block_relay = node_time() + 5 * 60;
	n->next_extra_check_us = time_mono_micros() + 45 * 1000000LL;

	if (net_setup_listeners(n, err, sizeof(err)) == -1) {
		log_warnx("Error: %s", err);
		queue_free(n->q);
		net_free(n);
		return -1;
	}
	net_add_targets(n);
	seeds_start(n);

	sink = xcalloc(1, sizeof(*sink));
	sink->q = n->q;
	n->sink = sink;
	memset(&vl, 0, sizeof(vl));
	vl.arg = sink;
	vl.block_done = on_block_done;
	vl.headers_done = on_headers_done;
	vl.tip_changed = on_tip_changed;
	vl.block_connected = on_block_connected;
	vl.pow_valid_block = on_pow_valid_block;
	validation_add_listener(v, &vl);
	if (mp) {
		/* Same sink: the mempool also calls it until it stops. */
		memset(&ml, 0, sizeof(ml));
		ml.arg = sink;
		ml.tx_added = on_tx_added;
		ml.tx_removed = on_tx_removed;
		ml.tx_rejected = on_tx_rejected;
		ml.package_rejected = on_package_rejected;
		ml.tx_done = on_tx_done;
		mempool_add_listener(mp, &ml);
	}
	pthread_mutex_lock(&sinks_mu);
	sink->next = retired_sinks;
	retired_sinks = sink;
	pthread_mutex_unlock(&sinks_mu);

	if (pthread_create(&n->thread, NULL, net_main, n) != 0) {
		log_warnx("net: cannot start the thread");
		queue_close(n->q);
		net_free(n);
		return -1;
	}
	n->thread_started = 1;
	log_info("net: %zu listener(s), max %d connections (%d inbound), "
		 "user agent %s",
	    n->nlisteners, n->max_connections, n->max_inbound, n->subver);
	*out = n;
	return 0;
}

void
net_stop(struct net *n)
{
	struct msg *m, *next;

	if (n == NULL)
		return;
	/* Full: the loop is draining it and makes room. */
	m = msg_new(NETQ_STOP, 0, NULL, 0);
	if (queue_push_wait(n->q, m) != 0)
		msg_free(m);
	pthread_join(n->thread, NULL);
	queue_close(n->q);
	/* Whatever is left: refuse waiting callers, drop the rest. */
	for (m = queue_drain(n->q); m; m = next) {
		next = m->next;
		if (m->type == NETQ_REQUEST) {
			struct request *r;

			memcpy(&r, m->data, sizeof(r));
			request_refuse(r, REQUEST_E_UNAVAILABLE,
			    "the net thread has stopped");
		}
		msg_free(m);
	}
	/* The queue stays: validation may still push into it (closed). */
	net_free(n);
}

int
net_request(struct net *n, struct request *r, int timeout_ms, void *out,
    struct request_error *err)
{
	struct msg *m;

	if (n == NULL) {
		request_abandon(r);
		err->status = REQUEST_E_UNAVAILABLE;
		snprintf(err->message, sizeof(err->message),
		    "the net thread is not running");
		return -1;
	}
	m = msg_new(NETQ_REQUEST, 0, &r, sizeof(r));
	if (queue_push(n->q, m) != 0) {
		msg_free(m);
		request_abandon(r);
		err->status = REQUEST_E_UNAVAILABLE;
		snprintf(err->message, sizeof(err->message),
		    "the net thread is not taking requests");
		return -1;
	}
	return request_wait(r, timeout_ms, out, err);
}
