/*
 * Per-peer state and the message dispatcher without sockets (netenv.h):
 * address relay's token bucket and known-address ring (struct
 * peer_addrs), handshake order and payload sizes checked by msg_dispatch,
 * and what the handshake handlers record and send.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "chain/chainparams.h"
#include "net/addrrelay.h"
#include "netenv.h"
#include "unit.h"
#include "util/buf.h"

static void
test_addrs_token_bucket(void)
{
	struct peer_addrs a;

	addrs_init(&a, 1000000);
	CHECK(a.tokens == 1.0);
	CHECK(!a.relay);
	/* A tenth of a token a second. */
	addrs_refill(&a, 11000000);
	CHECK(a.tokens > 1.999 && a.tokens < 2.001);
	CHECK_EQ_INT(a.token_us, 11000000);
	/* The clock going back earns nothing. */
	addrs_refill(&a, 5000000);
	CHECK(a.tokens > 1.999 && a.tokens < 2.001);
	/* A day earns 8640, capped at the bucket's depth. */
	addrs_refill(&a, 5000000 + 86400LL * 1000000);
	CHECK(a.tokens == MAX_ADDR_PROCESSING_TOKEN_BUCKET);
	addrs_free(&a);
}

static void
test_addrs_known_ring(void)
{
	struct peer_addrs a;
	uint64_t h;

	addrs_init(&a, 0);
	/* Before relay starts nothing is remembered. */
	addrs_known_add(&a, 7);
	CHECK(!addrs_known_has(&a, 7));
	addrs_start(&a);
	CHECK(a.relay);
	for (h = 1; h <= ADDR_KNOWN_SIZE; h++)
		addrs_known_add(&a, h);
	CHECK(addrs_known_has(&a, 1));
	CHECK(addrs_known_has(&a, ADDR_KNOWN_SIZE));
	CHECK(!addrs_known_has(&a, ADDR_KNOWN_SIZE + 1));
	/* One more: the oldest is forgotten. */
	addrs_known_add(&a, ADDR_KNOWN_SIZE + 1);
	CHECK(!addrs_known_has(&a, 1));
	CHECK(addrs_known_has(&a, 2));
	CHECK(addrs_known_has(&a, ADDR_KNOWN_SIZE + 1));
	addrs_free(&a);
	CHECK(a.known == NULL);
}

/* Block-relay-only connections never carry addresses. */
static void
test_addr_relay_setup_by_type(void)
{
	struct peer *in, *br;

	netenv_open(5, 5, 5);
	in = netenv_add_peer(CONN_INBOUND, NETENV_SERVICES, -1, 0);
	br = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, -1, 0);
	addr_relay_setup(in);
	addr_relay_setup(br);
	CHECK(in->addrs.relay);
	CHECK(in->addrs.known != NULL);
	CHECK(!br->addrs.relay);
	CHECK(br->addrs.known == NULL);
	netenv_close();
}

static int
dispatch(struct peer *p, enum msg_type t, const void *payload, size_t len)
{
	return msg_dispatch(p, t, msg_type_name(t), payload, len);
}

static int
send_version(struct peer *p, int32_t version, uint64_t services)
{
	struct version_msg v;
	struct wbuf w;
	int rc;

	memset(&v, 0, sizeof(v));
	v.version = version;
	v.services = services;
	v.timestamp = 1600000000;
	v.addr_recv.addr.net = NET_IPV6;
	v.addr_recv.addr.len = 16;
	v.addr_from.addr.net = NET_IPV6;
	v.addr_from.addr.len = 16;
	v.nonce = 12345;
	snprintf(v.subver, sizeof(v.subver), "/test:1.0/");
	v.subver_len = strlen(v.subver);
	v.start_height = 3;
	v.relay = 1;
	wbuf_init(&w);
	version_encode(&w, &v);
	rc = dispatch(p, MT_VERSION, w.p, w.len);
	wbuf_free(&w);
	return rc;
}

/* Nothing but version is read before version. */
static void
test_dispatch_version_first(void)
{
	uint8_t nonce[8] = { 1 };
	struct peer *p;

	netenv_open(5, 5, 5);
	p = netenv_add_peer(CONN_INBOUND, 0, -1, 1);
	CHECK_EQ_INT(dispatch(p, MT_PING, nonce, sizeof(nonce)), H_OK);
	CHECK_EQ_INT(dispatch(p, MT_VERACK, NULL, 0), H_OK);
	CHECK(netenv_nothing_sent(p));
	CHECK(!p->version_recv);
	CHECK(!p->handshaked);
	CHECK(!p->disconnect);
	netenv_close();
}

/* An inbound version: ours, the negotiation messages and verack go back. */
static void
test_dispatch_inbound_handshake(void)
{
	uint8_t nonce[8] = { 1 }, *pl;
	struct peer *p;
	char cmd[13];
	size_t len;

	netenv_open(5, 5, 5);
	p = netenv_add_peer(CONN_INBOUND, 0, -1, 1);
	CHECK_EQ_INT(send_version(p, 70016, NETENV_SERVICES), H_OK);
	CHECK(p->version_recv);
	CHECK_EQ_INT(p->version, 70016);
	CHECK_EQ_INT(p->services, NETENV_SERVICES);
	CHECK_EQ_INT(p->start_height, 3);
	CHECK_EQ_STR(p->subver, "/test:1.0/");
	CHECK(p->relay_txs);
	/* Inbound peers are no preferred download source. */
	CHECK(!p->sync.preferred_download);
	CHECK_EQ_STR(netenv_next_cmd(p), "version");
	CHECK_EQ_STR(netenv_next_cmd(p), "wtxidrelay");
	CHECK_EQ_STR(netenv_next_cmd(p), "sendaddrv2");
	CHECK_EQ_STR(netenv_next_cmd(p), "verack");
	CHECK(netenv_nothing_sent(p));

	/* A second version is ignored. */
	CHECK_EQ_INT(send_version(p, 70015, 0), H_OK);
	CHECK_EQ_INT(p->version, 70016);
	CHECK(netenv_nothing_sent(p));

	/* Negotiation before verack is recorded; other messages wait. */
	CHECK_EQ_INT(dispatch(p, MT_WTXIDRELAY, NULL, 0), H_OK);
	CHECK_EQ_INT(dispatch(p, MT_SENDADDRV2, NULL, 0), H_OK);
	CHECK_EQ_INT(dispatch(p, MT_SENDHEADERS, NULL, 0), H_OK);
	CHECK(p->wtxid_relay);
	CHECK(p->addrs.wants_v2);
	CHECK(p->sync.prefers_headers);
	CHECK_EQ_INT(dispatch(p, MT_PING, nonce, sizeof(nonce)), H_OK);
	CHECK(netenv_nothing_sent(p));

	/*
	 * verack: handshake done, we offer compact blocks (low-bandwidth,
	 * version 2), ping, and ask for headers.
	 */
	CHECK_EQ_INT(dispatch(p, MT_VERACK, NULL, 0), H_OK);
	CHECK(p->handshaked);
	CHECK_EQ_STR(netenv_next_cmd(p), "sendcmpct");
	CHECK_EQ_STR(netenv_next_cmd(p), "ping");
	CHECK_EQ_STR(netenv_next_cmd(p), "getheaders");
	CHECK(p->sync.started);
	CHECK(netenv_nothing_sent(p));

	/* Now a ping is answered with its nonce. */
	CHECK_EQ_INT(dispatch(p, MT_PING, nonce, sizeof(nonce)), H_OK);
	CHECK(netenv_next_msg(p, cmd, &pl, &len));
	CHECK_EQ_STR(cmd, "pong");
	CHECK_EQ_INT(len, 8);
	CHECK(memcmp(pl, nonce, 8) == 0);
	free(pl);

	/* Negotiation after verack is a protocol violation. */
	CHECK(!p->disconnect);
	CHECK_EQ_INT(dispatch(p, MT_WTXIDRELAY, NULL, 0), H_OK);
	CHECK(p->disconnect);
	netenv_close();
}

/* An outbound peer without the services we need is dropped at version. */
static void
test_dispatch_outbound_services(void)
{
	struct peer *p, *q;

	netenv_open(5, 5, 5);
	p = netenv_add_peer(CONN_OUTBOUND_FULL, 0, -1, 1);
	CHECK_EQ_INT(send_version(p, 70016, NODE_NETWORK), H_OK);
	CHECK(p->disconnect);
	CHECK(!p->version_recv);
	/* With them: preferred for download, and asked for addresses. */
	q = netenv_add_peer(CONN_OUTBOUND_FULL, 0, -1, 1);
	CHECK_EQ_INT(send_version(q, 70016, NETENV_SERVICES), H_OK);
	CHECK(!q->disconnect);
	CHECK(q->sync.preferred_download);
	CHECK(q->addrs.relay);
	CHECK(q->addrs.getaddr_sent);
	CHECK_EQ_STR(netenv_next_cmd(q), "wtxidrelay");
	CHECK_EQ_STR(netenv_next_cmd(q), "sendaddrv2");
	CHECK_EQ_STR(netenv_next_cmd(q), "verack");
	CHECK_EQ_STR(netenv_next_cmd(q), "getaddr");
	netenv_close();
}

/* Sizes come from the table: out of range is malformed, the handler never runs. */
static void
test_dispatch_payload_sizes(void)
{
	uint8_t b[8] = { 0 };
	struct peer *p;

	netenv_open(5, 5, 5);
	p = netenv_add_peer(CONN_INBOUND, NETENV_SERVICES, -1, 0);
	CHECK_EQ_INT(dispatch(p, MT_FEEFILTER, b, 4), H_MALFORMED);
	CHECK_EQ_INT(p->fee_filter, 0);
	b[0] = 0xe8;
	b[1] = 0x03; /* 1000 sat/kvB */
	CHECK_EQ_INT(dispatch(p, MT_FEEFILTER, b, 8), H_OK);
	CHECK_EQ_INT(p->fee_filter, 1000);
	CHECK_EQ_INT(dispatch(p, MT_INV, NULL, 0), H_MALFORMED);
	CHECK(!p->disconnect);
	/* We offer no bloom filters: a filterload ends the connection. */
	CHECK_EQ_INT(dispatch(p, MT_FILTERLOAD, NULL, 0), H_OK);
	CHECK(p->disconnect);
	netenv_close();
}

/* A ping framed as the peer sends it, put in its input buffer. */
static void
feed_ping(struct peer *p, uint8_t n)
{
	struct evbuffer *in = bufferevent_get_input(p->bev);
	uint8_t hdr[MSG_HEADER_SIZE], nonce[8] = { n };

	msg_header_build(hdr, E.cp->magic, "ping", nonce, sizeof(nonce));
	/* Without a socket the bufferevent keeps its input's end frozen. */
	evbuffer_unfreeze(in, 0);
	CHECK(evbuffer_add(in, hdr, sizeof(hdr)) == 0);
	CHECK(evbuffer_add(in, nonce, sizeof(nonce)) == 0);
	evbuffer_freeze(in, 0);
}

/* As the retry event would: runs the peer's waiting messages. */
static void
resume(struct peer *p)
{
	CHECK(p->retry_pending);
	p->retry_pending = 0;
	peer_process(p);
}

/*
 * In-order processing: a ping behind work at another thread is answered
 * only when that work is done; a peer whose answers never come goes on
 * after PEER_WORK_TIMEOUT_US, and a late answer then counts nothing.
 */
static void
test_inorder_work(void)
{
	struct peer *p;
	uint64_t id;
	size_t low, high;

	netenv_open(5, 5, 5);
	p = netenv_add_peer(CONN_INBOUND, NETENV_SERVICES, -1, 0);
	id = p->id;
	CHECK(!peer_busy(p));
	peer_tx_submitted(&E.n, p->id);
	peer_tx_submitted(&E.n, p->id + 100); /* no such peer: ignored */
	CHECK(peer_busy(p));
	feed_ping(p, 1);
	peer_process(p);
	CHECK_EQ_STR(netenv_next_cmd(p), "");
	CHECK(p->work_wait);
	CHECK(peer_input_waits(p));
	/*
	 * While it waits, reads call nobody (a low mark above the high
	 * one): a read callback for each 4 KiB libevent read framed the
	 * held message again, a busy net thread during block sync.
	 */
	CHECK(bufferevent_getwatermark(p->bev, EV_READ, &low, &high) == 0);
	CHECK(high > 0 && low > high);
	/* A block's answer for a peer with no block out changes nothing. */
	peer_work_done(&E.n, p->id, 0);
	CHECK(!p->retry_pending && p->work_wait);
	peer_work_done(&E.n, p->id, 1);
	CHECK(!peer_busy(p) && !p->work_wait);
	resume(p);
	CHECK_EQ_STR(netenv_next_cmd(p), "pong");
	CHECK(!peer_input_waits(p));
	/* Unblocked: woken when the next message's header is in. */
	CHECK(bufferevent_getwatermark(p->bev, EV_READ, &low, &high) == 0);
	CHECK_EQ_INT((long long)low, MSG_HEADER_SIZE);

	/* Lost answers: a block and a transaction that never come back. */
	p->sync.blocks_pending = 1;
	peer_tx_submitted(&E.n, p->id);
	feed_ping(p, 2);
	peer_process(p);
	CHECK_EQ_STR(netenv_next_cmd(p), "");
	peer_work_check(p, p->work_since_us + PEER_WORK_TIMEOUT_US - 1);
	CHECK(p->work_wait && !p->retry_pending);
	peer_work_check(p, p->work_since_us + PEER_WORK_TIMEOUT_US);
	CHECK(!p->work_wait && !peer_busy(p));
	resume(p);
	CHECK_EQ_STR(netenv_next_cmd(p), "pong");
	peer_work_done(&E.n, p->id, 1); /* late: nothing to count down */
	CHECK_EQ_INT(p->tx_work, 0);
	CHECK(!p->retry_pending);

	/* A peer dropped with work out is freed; its answers are ignored. */
	peer_tx_submitted(&E.n, p->id);
	feed_ping(p, 3);
	peer_process(p);
	netenv_drop_peer(p);
	peer_work_done(&E.n, id, 1);
	netenv_close();
}

UNIT_MAIN(UNIT_CASE(test_addrs_token_bucket), UNIT_CASE(test_addrs_known_ring),
    UNIT_CASE(test_addr_relay_setup_by_type),
    UNIT_CASE(test_dispatch_version_first),
    UNIT_CASE(test_dispatch_inbound_handshake),
    UNIT_CASE(test_dispatch_outbound_services),
    UNIT_CASE(test_dispatch_payload_sizes), UNIT_CASE(test_inorder_work))
