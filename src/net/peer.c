/*
 * One peer's connection: its bufferevent callbacks, the framing of
 * received messages (header checks before the body is buffered), sending
 * with per-type counters, and Core's misbehaviour rule. Net thread only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "chain/chainparams.h"
#include "crypto/bip324.h"
#include "net/addrman.h"
#include "net/banman.h"
#include "net/net_int.h"
#include "net/socks5.h"
#include "net/v2transport.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Messages handled per callback before yielding to other peers. */
#define PROCESS_BATCH 256

/*
 * Bytes a bufferevent moves per socket per pass of the event loop. libevent's
 * default is 16 KiB each way, which cut a served block into 16 KiB writes,
 * one loop pass (an epoll_wait) apiece, and left the rest of a getdata's blocks
 * waiting behind them; Core hands the kernel a whole message at once. One
 * writev or readv of up to 1 MiB (the default -maxsendbuffer) is still a
 * short copy, so no peer holds up the others for long.
 */
#define PEER_MAX_SINGLE_WRITE (1024 * 1024)
#define PEER_MAX_SINGLE_READ (1024 * 1024)

struct peer *
peer_new(struct net *n, enum conn_type type, const struct service *addr,
    const char *name)
{
	struct peer *p = xcalloc(1, sizeof(*p));

	p->id = n->next_id++;
	le64_write(p->idkey, p->id);
	p->net = n;
	p->type = type;
	p->addr = *addr;
	if (name)
		snprintf(p->addr_name, sizeof(p->addr_name), "%s", name);
	else
		service_format(addr, p->addr_name, sizeof(p->addr_name));
	p->conn_time = node_time();
	p->conn_mono_us = time_mono_micros();
	p->start_height = -1;
	p->min_ping_us = INT64_MAX;
	sync_peer_init(&p->sync);
	p->fee_filter = 0;
	do
		p->local_nonce = rand_u64();
	while (p->local_nonce == 0);
	le64_write(p->noncekey, p->local_nonce);
	addrs_init(&p->addrs, net_now_us());
	return p;
}

void
peer_free(struct peer *p)
{
	struct net *n = p->net;
	size_t held = 0;

	sync_peer_gone(n, p);
	outbound_peer_gone(n, p);
	txrelay_peer_gone(n, p);
	cmpct_peer_gone(n, p);
	peer_forget_nonce(p);
	if (p->handshaked && p->type != CONN_INBOUND &&
	    p->type != CONN_BLOCK_RELAY)
		addrman_connected(n->addrman, &p->addr, node_time());
	if (p->bev) {
		struct evbuffer *in = bufferevent_get_input(p->bev);
		struct evbuffer *out = bufferevent_get_output(p->bev);

		/*
		 * Free the buffers now (bufferevent_free may defer it) and
		 * give the pages back: 20 peers leaving 3.9 MB of a message
		 * each used to leave 80 MB resident.
		 */
		held = evbuffer_get_length(in) + evbuffer_get_length(out);
		evbuffer_drain(in, evbuffer_get_length(in));
		evbuffer_drain(out, evbuffer_get_length(out));
		bufferevent_free(p->bev);
	}
	v2t_free(p->v2);
	socks5_free(p->socks);
	free(p->subver);
	addrs_free(&p->addrs);
	free(p->getdata);
	free(p);
	xmalloc_release(held);
}

void
peer_connected(struct peer *p)
{
	if (p->connecting && !p->disconnect)
		p->net->n_connecting--;
	p->connecting = 0;
}

void
peer_forget_nonce(struct peer *p)
{
	struct htab *t = p->net->pending_nonces;

	if (htab_get(t, p->noncekey) == p)
		htab_del(t, p->noncekey);
}

int
peer_has_perm(const struct peer *p, uint32_t flag)
{
	return netperm_has(p->perms, flag);
}

const char *
peer_log_addr(const struct peer *p, char *buf, size_t len)
{
	if (!p->net->logips)
		return "";
	snprintf(buf, len, ", peeraddr=%s", p->addr_name);
	return buf;
}

void
peer_disconnect(struct peer *p, const char *why)
{
	struct net *n = p->net;
	char la[PEER_LOGADDR_LEN];

	if (p->disconnect)
		return;
	p->disconnect = 1;
	n->n_by_type[p->type]--;
	net_metrics_peer_count(n, p->type, 0);
	if (p->connecting)
		n->n_connecting--;
	if (why)
		log_debug(LOG_NET, "%s, disconnecting peer=%llu%s", why,
		    (unsigned long long)p->id,
		    peer_log_addr(p, la, sizeof(la)));
	else
		log_debug(LOG_NET, "disconnecting peer=%llu%s",
		    (unsigned long long)p->id,
		    peer_log_addr(p, la, sizeof(la)));
	if (p->bev)
		bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	if (!n->stopping)
		event_active(n->reap_ev, EV_TIMEOUT, 0);
}

size_t
peer_send_queued(const struct peer *p)
{
	return p->bev ? evbuffer_get_length(bufferevent_get_output(p->bev)) :
			0;
}

static void
check_send_budget(struct peer *p)
{
	if (!p->paused_send && peer_send_queued(p) > p->net->max_send_buffer)
		p->paused_send = 1;
}

static void
send_raw(struct peer *p, const char *cmd, enum msg_type t, const void *payload,
    size_t len)
{
	struct net *n = p->net;
	struct evbuffer *out;
	uint8_t hdr[MSG_HEADER_SIZE];
	size_t wire;

	if (p->disconnect || p->bev == NULL)
		return;
	out = bufferevent_get_output(p->bev);
	if (p->v2) {
		wire = v2t_send(p->v2, out, cmd, payload, len);
	} else {
		msg_header_build(hdr, n->cp->magic, cmd, payload, len);
		evbuffer_add(out, hdr, sizeof(hdr));
		if (len)
			evbuffer_add(out, payload, len);
		wire = sizeof(hdr) + len;
	}
	p->bytes_sent += wire;
	p->sent_per_msg[t] += wire;
	net_metrics_msg(n, t, wire, 1);
	n->total_sent += wire;
	p->last_send = node_time();
	log_debug(LOG_NET, "sending %s (%zu bytes) peer=%llu", cmd, len,
	    (unsigned long long)p->id);
	check_send_budget(p);
}

void
peer_send(struct peer *p, enum msg_type t, const void *payload, size_t len)
{
	send_raw(p, msg_type_name(t), t, payload, len);
}

void
peer_send_wbuf(struct peer *p, enum msg_type t, struct wbuf *w)
{
	peer_send(p, t, w->p, w->len);
}

void
peer_send_cmd(struct peer *p, const char *cmd, const void *payload, size_t len)
{
	send_raw(p, cmd, msg_type_lookup(cmd), payload, len);
}

void
peer_misbehaving(struct peer *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->should_discourage = 1;
	log_debug(LOG_NET, "Misbehaving: peer=%llu: %s",
	    (unsigned long long)p->id, msg);
}

void
peer_maybe_punish(struct peer *p)
{
	struct net *n = p->net;
	struct peer *q;
	char a[NETADDR_STRLEN];

	if (!p->should_discourage || p->disconnect)
		return;
	p->should_discourage = 0;
	if (peer_has_perm(p, PF_NOBAN)) {
		log_info("Warning: not punishing noban peer %llu!",
		    (unsigned long long)p->id);
		return;
	}
	if (p->type == CONN_MANUAL) {
		log_info(
		    "Warning: not punishing manually connected peer %llu!",
		    (unsigned long long)p->id);
		return;
	}
	if (netaddr_is_local(&p->addr.addr)) {
		/* Discouraging would hit every local peer at once. */
		log_debug(LOG_NET,
		    "Warning: disconnecting but not discouraging "
		    "local peer %llu!",
		    (unsigned long long)p->id);
		peer_disconnect(p, NULL);
		return;
	}
	log_debug(LOG_NET, "Disconnecting and discouraging peer %llu!",
	    (unsigned long long)p->id);
	banman_discourage(n->banman, &p->addr.addr);
	metrics_inc(M_PEER_DISCOURAGED, 0);
	/*
	 * The address is discouraged, not the one connection: every peer
	 * connected from it goes, whatever its permissions (Core's
	 * DisconnectNode(addr)).
	 */
	netaddr_format(&p->addr.addr, a, sizeof(a));
	TAILQ_FOREACH (q, &n->peers, entry) {
		if (q != p && !q->disconnect &&
		    netaddr_eq(&q->addr.addr, &p->addr.addr)) {
			log_debug(LOG_NET,
			    "disconnect by address %s matched "
			    "peer=%llu; disconnecting",
			    a, (unsigned long long)q->id);
			peer_disconnect(q, NULL);
		}
	}
	peer_disconnect(p, NULL);
}

void
peer_send_version(struct peer *p)
{
	struct net *n = p->net;
	struct version_msg v;
	struct wbuf w;

	memset(&v, 0, sizeof(v));
	v.version = PROTOCOL_VERSION;
	v.services = net_services(n);
	v.timestamp = node_time();
	/* Tell the peer its address only when it is a public one. */
	if (netaddr_is_routable(&p->addr.addr) &&
	    addr_v1_compatible(&p->addr.addr))
		v.addr_recv = p->addr;
	else {
		v.addr_recv.addr.net = NET_IPV6;
		v.addr_recv.addr.len = 16;
	}
	v.recv_services = p->services;
	/*
	 * addr_from stays empty, as Core 28 sends it: our own address goes
	 * by addr (addr_advertise_local), to the peers it suits.
	 */
	v.addr_from.addr.net = NET_IPV6;
	v.addr_from.addr.len = 16;
	v.from_services = net_services(n);
	v.nonce = p->local_nonce;
	snprintf(v.subver, sizeof(v.subver), "%s", n->subver);
	v.start_height = sync_tip_height(n);
	/* -blocksonly asks peers not to send transactions (BIP37 flag). */
	v.relay = p->type != CONN_BLOCK_RELAY && p->type != CONN_FEELER &&
	    !n->blocksonly;
	wbuf_init(&w);
	version_encode(&w, &v);
	peer_send_wbuf(p, MT_VERSION, &w);
	wbuf_free(&w);
	p->version_sent = 1;
	log_debug(LOG_NET,
	    "send version message: version %d, blocks=%d, "
	    "txrelay=%d, peer=%llu",
	    PROTOCOL_VERSION, v.start_height, v.relay,
	    (unsigned long long)p->id);
}

void
peer_send_ping(struct peer *p)
{
	uint8_t b[8];
	uint64_t nonce;

	do
		nonce = rand_u64();
	while (nonce == 0);
	p->ping_queued = 0;
	p->ping_start_us = net_now_us();
	if (p->version > BIP0031_VERSION) {
		p->ping_nonce = nonce;
		le64_write(b, nonce);
		peer_send(p, MT_PING, b, sizeof(b));
	} else {
		/* Peers before BIP31 get a ping without a nonce and no pong. */
		p->ping_nonce = 0;
		peer_send(p, MT_PING, NULL, 0);
	}
}

/* ---- in-order processing (net_int.h) ---- */

int
peer_busy(const struct peer *p)
{
	return p->sync.blocks_pending > 0 || p->sync.headers_pending > 0 ||
	    p->tx_work > 0;
}

int
peer_input_waits(const struct peer *p)
{
	/* Set only with a whole message framed (held by v2, or in input). */
	return p->work_wait;
}

/*
 * Whether a message of type t may run now. Only a `block` behind nothing
 * but block work does not wait (up to PEER_BLOCK_PIPELINE of them):
 * validation takes its queue in order, so the blocks are still processed
 * in the order sent, and any other message waits for all of them. Waiting
 * for each block's verdict left validation idle while the net thread read
 * the next one: a sync from one source took half as long again.
 */
static int
may_run(const struct peer *p, enum msg_type t)
{
	if (!peer_busy(p))
		return 1;
	return t == MT_BLOCK && p->tx_work == 0 &&
	    p->sync.headers_pending == 0 &&
	    p->sync.blocks_pending < PEER_BLOCK_PIPELINE;
}

void
peer_tx_submitted(struct net *n, uint64_t peer_id)
{
	struct peer *p = net_peer_by_id(n, peer_id);

	if (p != NULL)
		p->tx_work++;
}

/* Lets the peer's waiting messages run, from the retry event. */
static void
work_resume(struct peer *p)
{
	p->work_wait = 0;
	if (p->disconnect)
		return;
	p->retry_pending = 1;
	event_active(p->net->retry_ev, EV_TIMEOUT, 0);
}

void
peer_work_done(struct net *n, uint64_t peer_id, int tx)
{
	struct peer *p = net_peer_by_id(n, peer_id);

	if (p == NULL)
		return;
	/* None counted: it timed out before (peer_work_check). */
	if (tx && p->tx_work > 0)
		p->tx_work--;
	p->work_since_us = time_mono_micros();
	if (p->work_wait && may_run(p, p->wait_type))
		work_resume(p);
}

void
peer_work_check(struct peer *p, int64_t now_us)
{
	if (!p->work_wait || p->disconnect ||
	    now_us - p->work_since_us < PEER_WORK_TIMEOUT_US)
		return;
	/*
	 * A completion was lost (a full net queue drops validation's
	 * notices): forget what is counted rather than stop the peer for
	 * good. Late completions then find nothing to count down.
	 */
	log_warnx("peer=%llu: no answer for its work in %lld s (blocks %d, "
		  "header batches %d, transactions %u); processing its "
		  "messages again",
	    (unsigned long long)p->id,
	    (long long)(PEER_WORK_TIMEOUT_US / 1000000), p->sync.blocks_pending,
	    p->sync.headers_pending, p->tx_work);
	p->sync.blocks_pending = 0;
	p->sync.headers_pending = 0;
	p->tx_work = 0;
	work_resume(p);
}

/* Counts the bytes the socket delivered since the last look. */
static void
account_recv(struct peer *p, struct evbuffer *in, size_t *seen)
{
	size_t len = evbuffer_get_length(in);

	if (len > *seen) {
		p->bytes_recv += len - *seen;
		p->net->total_recv += len - *seen;
		p->last_recv = node_time();
	}
	*seen = len;
}

/* Handshake bytes the v2 transport wrote on its own. */
static void
account_v2_overhead(struct peer *p)
{
	size_t o = v2t_take_overhead(p->v2);

	if (o) {
		p->bytes_sent += o;
		p->net->total_sent += o;
		p->last_send = node_time();
	}
}

static size_t
read_highwater(const struct net *n)
{
	size_t min = MSG_HEADER_SIZE + MAX_PROTOCOL_MESSAGE_LENGTH + 1;

	/* A whole message must always fit, or the peer would deadlock. */
	if (min < V2T_MAX_CONTENTS + BIP324_EXPANSION + 1)
		min = V2T_MAX_CONTENTS + BIP324_EXPANSION + 1;
	return n->max_recv_buffer > min ? n->max_recv_buffer : min;
}

/* One received message, from either transport. */
struct rmsg {
	char cmd[MSG_COMMAND_SIZE + 1];
	int valid; /* checksum and command fine (v1), type known (v2) */
	const uint8_t *body;
	size_t len;
	size_t wire; /* bytes it took on the wire */
};

/*
 * v1 framing: 1 with a message at the front of in (drained by the caller),
 * 0 when *need bytes must arrive first, -1 when the peer was disconnected.
 */
static int
frame_v1(struct peer *p, struct evbuffer *in, struct rmsg *m, size_t *need)
{
	struct net *n = p->net;
	struct msg_header h;
	uint8_t hb[MSG_HEADER_SIZE], sum[4];
	char why[128], hex[9];
	const uint8_t *body;
	size_t len = evbuffer_get_length(in);

	*need = MSG_HEADER_SIZE;
	if (len < *need)
		return 0;
	evbuffer_copyout(in, hb, sizeof(hb));
	msg_header_parse(hb, &h);
	if (memcmp(h.magic, n->cp->magic, 4) != 0) {
		hex_encode(h.magic, 4, hex);
		snprintf(why, sizeof(why),
		    "Header error: Wrong MessageStart %s "
		    "received",
		    hex);
		peer_disconnect(p, why);
		return -1;
	}
	if (h.len > MAX_PROTOCOL_MESSAGE_LENGTH) {
		snprintf(why, sizeof(why),
		    "Header error: Size too large (%s, "
		    "%u bytes)",
		    h.cmd_valid ? h.cmd : "?", h.len);
		peer_disconnect(p, why);
		return -1;
	}
	*need = MSG_HEADER_SIZE + (size_t)h.len;
	if (len < *need)
		return 0;
	body = evbuffer_pullup(in, (ev_ssize_t)*need);
	if (body == NULL)
		fatalx("peer_process: evbuffer_pullup");
	body += MSG_HEADER_SIZE;
	msg_checksum(body, h.len, sum);
	memcpy(m->cmd, h.cmd, sizeof(m->cmd));
	m->valid = 1;
	if (!h.cmd_valid) {
		subver_sanitize(h.cmd, strlen(h.cmd), why, sizeof(why));
		log_debug(LOG_NET,
		    "Header error: Invalid message type (%s, %u "
		    "bytes), peer=%llu",
		    why, h.len, (unsigned long long)p->id);
		m->valid = 0;
	} else if (memcmp(sum, h.checksum, 4) != 0) {
		log_debug(LOG_NET,
		    "Header error: Wrong checksum (%s, %u bytes), "
		    "peer=%llu",
		    h.cmd, h.len, (unsigned long long)p->id);
		m->valid = 0;
	}
	m->body = body;
	m->len = h.len;
	m->wire = *need;
	return 1;
}

/* v2 framing: as frame_v1; the transport drains what it decrypts. */
static int
frame_v2(struct peer *p, struct evbuffer *in, struct rmsg *m, size_t *need,
    size_t *seen)
{
	struct v2t_msg v;
	size_t before = evbuffer_get_length(in), after;
	int rc;

	rc = v2t_recv(p->v2, in, bufferevent_get_output(p->bev), &v, need);
	after = evbuffer_get_length(in);
	*seen -= before - after;
	account_v2_overhead(p);
	switch (rc) {
	case V2T_MSG:
		memcpy(m->cmd, v.cmd, sizeof(m->cmd));
		m->valid = v.valid;
		if (!v.valid)
			log_debug(LOG_NET,
			    "V2 transport: invalid message type "
			    "(%s, %zu bytes), peer=%llu",
			    v.cmd, v.wire, (unsigned long long)p->id);
		m->body = v.payload;
		m->len = v.len;
		m->wire = v.wire;
		return 1;
	case V2T_NEED: return 0;
	case V2T_V1:
		log_debug(LOG_NET, "V2 transport: v1 peer detected, peer=%llu",
		    (unsigned long long)p->id);
		v2t_free(p->v2);
		p->v2 = NULL;
		return frame_v1(p, in, m, need);
	default: peer_disconnect(p, v2t_error(p->v2)); return -1;
	}
}

void
peer_process(struct peer *p)
{
	struct net *n = p->net;
	struct evbuffer *in;
	struct rmsg m;
	size_t need = MSG_HEADER_SIZE, seen;
	enum msg_type t;
	int rc, done = 0, blocked = 0, v2;

	if (p->disconnect || p->bev == NULL || p->in_process)
		return;
	p->in_process = 1;
	in = bufferevent_get_input(p->bev);
	seen = p->bytes_recv_buffered;
	account_recv(p, in, &seen);
	for (;;) {
		if (p->disconnect)
			break;
		if (p->paused_send || p->retry_pending) {
			blocked = 1;
			break;
		}
		if (p->getdata_off < p->getdata_n) {
			getdata_serve(p);
			if (p->getdata_off < p->getdata_n || p->paused_send) {
				blocked = 1;
				break;
			}
		}
		if (done >= PROCESS_BATCH) {
			/* Let other peers run; continue from the retry timer. */
			p->retry_pending = 1;
			event_active(n->retry_ev, EV_TIMEOUT, 0);
			blocked = 1;
			break;
		}
		v2 = p->v2 != NULL;
		rc = v2 ? frame_v2(p, in, &m, &need, &seen) :
			  frame_v1(p, in, &m, &need);
		if (rc <= 0)
			break;
		v2 = p->v2 != NULL; /* detection may have chosen v1 */
		t = m.valid ? msg_type_lookup(m.cmd) : MT_OTHER;
		if (!may_run(p, t)) {
			/* The earlier messages' work first (in order). */
			if (!p->work_wait) {
				p->work_wait = 1;
				p->work_since_us = time_mono_micros();
			}
			p->wait_type = t;
			blocked = 1;
			break;
		}
		if (m.valid) {
			rc = msg_dispatch(p, t, m.cmd, m.body, m.len);
			if (rc == H_RETRY) {
				p->retry_pending = 1;
				event_add(n->retry_ev,
				    &(struct timeval){ 0, 20000 });
				blocked = 1;
				break;
			}
		}
		/* Core drops an unreadable message and keeps the peer. */
		p->recv_per_msg[t] += m.wire;
		net_metrics_msg(n, t, m.wire, 0);
		if (v2)
			v2t_msg_done(p->v2);
		else {
			evbuffer_drain(in, m.wire);
			seen -= m.wire;
		}
		done++;
		if (m.valid)
			peer_maybe_punish(p);
	}
	p->bytes_recv_buffered = seen;
	if (!p->disconnect && p->bev) {
		/*
		 * Wake us only once the next whole message is in. A message
		 * waiting for validation's answer is resumed by
		 * peer_work_done, not by reads: a low mark above the high
		 * one calls nobody while libevent fills the buffer. With a
		 * low mark of 0 the read callback ran about 100,000 times a
		 * second (each framing the held message again) while blocks
		 * waited for validation, a core's worth of work.
		 */
		size_t hw = read_highwater(n);

		bufferevent_setwatermark(p->bev, EV_READ,
		    !blocked ? need : p->work_wait ? hw + 1 : 0, hw);
	}
	p->in_process = 0;
}

/* The TCP connection to the peer (or, through a proxy, the proxy's
 * connection to it) is up: say hello. */
static void
on_connected(struct peer *p)
{
	struct bufferevent *bev = p->bev;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char la[PEER_LOGADDR_LEN];

	peer_connected(p);
	if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&ss, &sl) ==
		0 &&
	    service_from_sockaddr(&p->bind, (struct sockaddr *)&ss) == 0)
		p->has_bind = 1;
	log_debug(LOG_NET, "connected, peer=%llu%s", (unsigned long long)p->id,
	    peer_log_addr(p, la, sizeof(la)));
	if (p->v2) {
		/* Our key and garbage first; version waits for the keys. */
		v2t_start(p->v2, bufferevent_get_output(bev));
		account_v2_overhead(p);
	}
	peer_send_version(p);
}

/* Moves the SOCKS5 handshake on; the P2P protocol starts when it is done. */
static void
socks_progress(struct peer *p)
{
	struct evbuffer *in = bufferevent_get_input(p->bev);
	size_t len = evbuffer_get_length(in), used = 0;
	const uint8_t *data = evbuffer_pullup(in, -1);
	char la[PEER_LOGADDR_LEN];
	enum socks5_step st;
	const char *why = NULL;
	struct wbuf out;

	wbuf_init(&out);
	st = socks5_feed(p->socks, data, len, &used, &out, &why);
	evbuffer_drain(in, used);
	if (out.len)
		bufferevent_write(p->bev, out.p, out.len);
	wbuf_free(&out);
	if (st == SOCKS5_MORE)
		return;
	if (st == SOCKS5_FAIL) {
		log_debug(LOG_NET, "Socks5() connect failed: %s, peer=%llu%s",
		    why, (unsigned long long)p->id,
		    peer_log_addr(p, la, sizeof(la)));
		peer_disconnect(p, "proxy handshake failed");
		return;
	}
	socks5_free(p->socks);
	p->socks = NULL;
	bufferevent_setwatermark(p->bev, EV_READ, p->v2 ? 1 : MSG_HEADER_SIZE,
	    read_highwater(p->net));
	on_connected(p);
	if (evbuffer_get_length(in) > 0)
		peer_process(p);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;

	(void)bev;
	if (p->socks)
		socks_progress(p);
	else
		peer_process(p);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;

	if (p->disconnect || !p->paused_send)
		return;
	if (peer_send_queued(p) <= p->net->max_send_buffer / 2) {
		p->paused_send = 0;
		peer_process(p);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer *p = arg;
	char why[sizeof(p->addr_name) + 32], la[PEER_LOGADDR_LEN];
	int err;

	if (what & BEV_EVENT_CONNECTED) {
		if (p->socks) {
			/* Connected to the proxy: the handshake comes first. */
			struct wbuf w;

			wbuf_init(&w);
			socks5_start(p->socks, &w);
			bufferevent_write(bev, w.p, w.len);
			wbuf_free(&w);
			bufferevent_setwatermark(bev, EV_READ, 1,
			    read_highwater(p->net));
			return;
		}
		on_connected(p);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		peer_disconnect(p, "socket closed");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		err = EVUTIL_SOCKET_ERROR();
		snprintf(why, sizeof(why), "%s",
		    p->connecting ? "connection failed" : "socket error");
		if (p->connecting)
			log_debug(LOG_NET, "connect() failed: %s, peer=%llu%s",
			    evutil_socket_error_to_string(err),
			    (unsigned long long)p->id,
			    peer_log_addr(p, la, sizeof(la)));
		peer_disconnect(p, why);
	}
}

void
peer_attach(struct peer *p, struct bufferevent *bev)
{
	struct net *n = p->net;

	p->bev = bev;
	bufferevent_setcb(bev, read_cb, write_cb, event_cb, p);
	/* v2 (and detection) state how much they need after the first byte. */
	bufferevent_setwatermark(bev, EV_READ, p->v2 ? 1 : MSG_HEADER_SIZE,
	    read_highwater(n));
	/* write_cb fires once the output drains to half the send budget. */
	bufferevent_setwatermark(bev, EV_WRITE, n->max_send_buffer / 2, 0);
	if (bufferevent_set_max_single_write(bev, PEER_MAX_SINGLE_WRITE) == -1)
		fatalx("peer_attach: bufferevent_set_max_single_write");
	if (bufferevent_set_max_single_read(bev, PEER_MAX_SINGLE_READ) == -1)
		fatalx("peer_attach: bufferevent_set_max_single_read");
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}
