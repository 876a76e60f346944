/*
 * Transaction relay without sockets or a mempool (netenv.h): the relay
 * mirror fed with the mempool's notices, who is told of a transaction
 * (by txid or wtxid, past its fee filter, never its sender, once), and
 * what getdata may be answered with.
 */
#include <stdlib.h>
#include <string.h>

#include "net/txrelay_int.h"
#include "netenv.h"
#include "unit.h"
#include "util/buf.h"

/* A one-in, one-out transaction without witness (what the mirror holds). */
static size_t
raw_tx(uint8_t seed, uint8_t *out)
{
	struct wbuf w;
	uint8_t prev[32];
	size_t len;

	memset(prev, seed, sizeof(prev));
	wbuf_init(&w);
	wbuf_put_le32(&w, 2);
	wbuf_put_compact(&w, 1);
	wbuf_put(&w, prev, 32);
	wbuf_put_le32(&w, 0);
	wbuf_put_compact(&w, 0);
	wbuf_put_le32(&w, 0xffffffff);
	wbuf_put_compact(&w, 1);
	wbuf_put_le64(&w, 1000);
	wbuf_put_compact(&w, 1);
	wbuf_put_u8(&w, 0x51); /* OP_TRUE */
	wbuf_put_le32(&w, 0);
	len = w.len;
	memcpy(out, w.p, len);
	wbuf_free(&w);
	return len;
}

/*
 * The mempool accepted a transaction (from peer from): txid and wtxid are
 * made up from seed so a test can tell which of the two a peer is sent.
 */
static void
mempool_added(uint8_t seed, int64_t fee_rate, uint64_t from, uint8_t *raw,
    size_t *rawlen)
{
	uint8_t buf[sizeof(struct netq_tx_added) + 128];
	struct netq_tx_added a;
	size_t len;

	memset(&a, 0, sizeof(a));
	memset(a.txid, seed, 32);
	memset(a.wtxid, seed ^ 0xff, 32);
	a.fee_rate = fee_rate;
	len = raw_tx(seed, buf + sizeof(a));
	memcpy(buf, &a, sizeof(a));
	if (raw) {
		memcpy(raw, buf + sizeof(a), len);
		*rawlen = len;
	}
	txrelay_on_added(&E.n, from, buf, sizeof(a) + len);
}

static void
mempool_removed(uint8_t seed)
{
	struct netq_tx_removed r;

	memset(&r, 0, sizeof(r));
	memset(r.txid, seed, 32);
	memset(r.wtxid, seed ^ 0xff, 32);
	txrelay_on_removed(&E.n, (const uint8_t *)&r, sizeof(r));
}

static struct peer *
relay_peer(enum conn_type type, int wtxid_relay)
{
	struct peer *p = netenv_add_peer(type, NETENV_SERVICES, -1, 0);

	p->relay_txs = type != CONN_BLOCK_RELAY;
	p->wtxid_relay = wtxid_relay;
	/* Below FEEFILTER_VERSION: no feefilter messages in the way. */
	p->version = 70012;
	return p;
}

/* Drops what p was sent before the test looks. */
static void
drain(struct peer *p)
{
	while (netenv_next_cmd(p)[0] != '\0')
		;
}

/* A new transaction goes to every relaying peer but its sender, in the hash it asked for. */
static void
test_announce_to_relaying_peers(void)
{
	struct peer *from, *wtx, *txid, *br;
	struct inv *v;
	uint8_t h[32];

	netenv_open(5, 5, 5);
	from = relay_peer(CONN_INBOUND, 1);
	wtx = relay_peer(CONN_INBOUND, 1);
	txid = relay_peer(CONN_OUTBOUND_FULL, 0);
	br = relay_peer(CONN_BLOCK_RELAY, 0);
	mempool_added(0x11, 5000, from->id, NULL, NULL);
	CHECK_EQ_INT(txrelay_peer_inv_queued(wtx), 1);
	CHECK_EQ_INT(txrelay_peer_inv_queued(txid), 1);
	CHECK_EQ_INT(txrelay_peer_inv_queued(from), 0);
	CHECK_EQ_INT(txrelay_peer_inv_queued(br), 0);
	txann_tick(&E.n, 1000000);

	CHECK_EQ_INT(netenv_next_inv(wtx, "inv", &v), 1);
	memset(h, 0x11 ^ 0xff, 32);
	CHECK_EQ_INT(v[0].type, MSG_WTX);
	CHECK(memcmp(v[0].hash, h, 32) == 0);
	free(v);
	CHECK_EQ_INT(netenv_next_inv(txid, "inv", &v), 1);
	memset(h, 0x11, 32);
	CHECK_EQ_INT(v[0].type, MSG_TX);
	CHECK(memcmp(v[0].hash, h, 32) == 0);
	free(v);
	CHECK(netenv_nothing_sent(from));
	CHECK(netenv_nothing_sent(br));
	CHECK_EQ_INT(txrelay_peer_inv_queued(wtx), 0);

	/* Told once: the same transaction again is not announced again. */
	mempool_removed(0x11);
	mempool_added(0x11, 5000, 0, NULL, NULL);
	CHECK_EQ_INT(txrelay_peer_inv_queued(wtx), 0);
	CHECK_EQ_INT(txrelay_peer_inv_queued(from), 1);
	txann_tick(&E.n, 2000000000);
	CHECK(netenv_nothing_sent(wtx));
	CHECK_EQ_STR(netenv_next_cmd(from), "inv");
	netenv_close();
}

/* Below a peer's fee filter a transaction is not announced to it. */
static void
test_announce_fee_filter(void)
{
	struct peer *cheap, *dear;
	struct inv *v;

	netenv_open(5, 5, 5);
	cheap = relay_peer(CONN_OUTBOUND_FULL, 1);
	dear = relay_peer(CONN_OUTBOUND_FULL, 1);
	dear->fee_filter = 2000;
	mempool_added(0x21, 1000, 0, NULL, NULL);
	mempool_added(0x22, 3000, 0, NULL, NULL);
	txann_tick(&E.n, 1000000);
	CHECK_EQ_INT(netenv_next_inv(cheap, "inv", &v), 2);
	free(v);
	CHECK_EQ_INT(netenv_next_inv(dear, "inv", &v), 1);
	CHECK(v[0].hash[0] == (0x22 ^ 0xff));
	free(v);
	netenv_close();
}

/* getdata: only what was in the mirror at our last announcement to the peer. */
static void
test_serve_from_mirror(void)
{
	uint8_t raw[128], *pl;
	struct peer *p;
	struct inv iv;
	size_t rawlen, len;
	char cmd[13];

	netenv_open(5, 5, 5);
	p = relay_peer(CONN_OUTBOUND_FULL, 0);
	mempool_added(0x31, 1000, 0, raw, &rawlen);
	iv.type = MSG_TX;
	memset(iv.hash, 0x31, 32);
	/* Not announced yet: asking for it could fingerprint the mirror. */
	CHECK_EQ_INT(txrelay_serve(p, &iv), -1);
	txann_tick(&E.n, 1000000);
	drain(p);
	CHECK_EQ_INT(txrelay_peer_last_seq(p), 1);
	CHECK_EQ_INT(txrelay_serve(p, &iv), 0);
	CHECK(netenv_next_msg(p, cmd, &pl, &len));
	CHECK_EQ_STR(cmd, "tx");
	CHECK_EQ_INT(len, rawlen);
	CHECK(memcmp(pl, raw, len) == 0);
	free(pl);
	/* By wtxid too; an unknown hash is notfound. */
	iv.type = MSG_WTX;
	memset(iv.hash, 0x31 ^ 0xff, 32);
	CHECK_EQ_INT(txrelay_serve(p, &iv), 0);
	CHECK_EQ_STR(netenv_next_cmd(p), "tx");
	memset(iv.hash, 0x77, 32);
	CHECK_EQ_INT(txrelay_serve(p, &iv), -1);
	/* Gone from the pool: gone from the mirror. */
	mempool_removed(0x31);
	memset(iv.hash, 0x31 ^ 0xff, 32);
	CHECK_EQ_INT(txrelay_serve(p, &iv), -1);
	CHECK(netenv_nothing_sent(p));
	netenv_close();
}

/* BIP35 mempool: the whole mirror at the next tick, past the fee filter. */
static void
test_mempool_request(void)
{
	struct peer *p;
	struct inv *v;

	netenv_open(5, 5, 5);
	mempool_added(0x41, 1000, 0, NULL, NULL);
	mempool_added(0x42, 1000, 0, NULL, NULL);
	mempool_added(0x43, 100, 0, NULL, NULL);
	/* Connected after they arrived: nothing queued for it. */
	p = relay_peer(CONN_INBOUND, 1);
	p->fee_filter = 500;
	CHECK_EQ_INT(txrelay_peer_inv_queued(p), 0);
	txrelay_on_mempool(p);
	txann_tick(&E.n, 1000000);
	CHECK_EQ_INT(netenv_next_inv(p, "inv", &v), 2);
	CHECK(v[0].hash[0] == (0x41 ^ 0xff));
	CHECK(v[1].hash[0] == (0x42 ^ 0xff));
	free(v);
	netenv_close();
}

UNIT_MAIN(UNIT_CASE(test_announce_to_relaying_peers),
    UNIT_CASE(test_announce_fee_filter), UNIT_CASE(test_serve_from_mirror),
    UNIT_CASE(test_mempool_request))
