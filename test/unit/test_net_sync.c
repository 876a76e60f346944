/*
 * Block sync without sockets (netenv.h): which blocks are requested from
 * whom (blockdl.c) and what is served (blockserve.c).
 */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/sync_int.h"
#include "netenv.h"
#include "store/store.h"
#include "unit.h"
#include "util/buf.h"
#include "util/request.h"

/* Blocks come from the first free peer: 16 each, in height order, never twice. */
static void
test_download_spreads_requests(void)
{
	struct peer *a, *b;
	struct inv *v;
	int32_t hs[32];
	size_t n, i;

	netenv_open(40, 10, 10);
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 40, 0);
	b = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 40, 0);
	sync_schedule_all(&E.n);

	n = netenv_next_inv(a, "getdata", &v);
	CHECK_EQ_INT(n, MAX_BLOCKS_IN_TRANSIT_PER_PEER);
	for (i = 0; i < n; i++) {
		CHECK_EQ_INT(v[i].type, MSG_WITNESS_BLOCK);
		CHECK(memcmp(v[i].hash, E.hash[11 + i], 32) == 0);
	}
	free(v);
	CHECK_EQ_INT(sync_inflight_heights(a, hs, 32), 16);
	CHECK_EQ_INT(hs[0], 11);
	CHECK_EQ_INT(hs[15], 26);

	/* The second peer gets what is left, up to its best block. */
	n = netenv_next_inv(b, "getdata", &v);
	CHECK_EQ_INT(n, 14);
	for (i = 0; i < n; i++)
		CHECK(memcmp(v[i].hash, E.hash[27 + i], 32) == 0);
	free(v);
	CHECK_EQ_INT(b->sync.n_inflight, 14);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 30);

	/* Everything is in flight: a second round asks nobody for anything. */
	sync_schedule_all(&E.n);
	CHECK(netenv_nothing_sent(a));
	CHECK(netenv_nothing_sent(b));
	netenv_close();
}

/* A peer that leaves frees its blocks for the others. */
static void
test_download_peer_gone_frees_blocks(void)
{
	struct peer *a, *b;
	struct inv *v;
	size_t n;

	netenv_open(30, 10, 10);
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 30, 0);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(netenv_next_inv(a, "getdata", &v), 16);
	free(v);
	b = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 30, 0);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(netenv_next_inv(b, "getdata", &v), 4); /* 27..30 */
	free(v);

	netenv_drop_peer(a);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 4);
	sync_schedule_all(&E.n);
	n = netenv_next_inv(b, "getdata", &v);
	CHECK_EQ_INT(n, 12); /* 16 slots, 4 taken: 11..22 */
	CHECK(memcmp(v[0].hash, E.hash[11], 32) == 0);
	CHECK(memcmp(v[11].hash, E.hash[22], 32) == 0);
	free(v);
	netenv_close();
}

/* Nothing past the download window (1024 blocks past the tip) is asked for. */
static void
test_download_window(void)
{
	struct peer *a;
	struct inv *v;
	size_t n;
	int32_t last = 10 + BLOCK_DOWNLOAD_WINDOW;

	/* Stored up to last - 5: only the window's last 5 blocks are missing. */
	netenv_open(NETENV_MAXH, 10, last - 5);
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, NETENV_MAXH,
	    0);
	sync_schedule_all(&E.n);
	n = netenv_next_inv(a, "getdata", &v);
	CHECK_EQ_INT(n, 5);
	CHECK(memcmp(v[0].hash, E.hash[last - 4], 32) == 0);
	CHECK(memcmp(v[4].hash, E.hash[last], 32) == 0);
	free(v);
	netenv_close();
}

/* The peer holding the block the window waits for, while another is idle, stalls us. */
static void
test_download_stall_marked(void)
{
	struct peer *a, *b;
	struct inv *v;

	netenv_open(20, 10, 10);
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(netenv_next_inv(a, "getdata", &v), 10);
	free(v);
	CHECK_EQ_INT(a->sync.stalling_since_us, 0);
	b = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	sync_schedule_all(&E.n);
	CHECK(netenv_nothing_sent(b));
	CHECK(a->sync.stalling_since_us != 0);
	CHECK_EQ_INT(b->sync.stalling_since_us, 0);
	netenv_close();
}

/* During initial download: no blocks from pruned (limited) or non-witness peers. */
static void
test_download_who_may_serve(void)
{
	struct peer *lim, *nowit, *behind, *full;
	struct inv *v;

	netenv_open(20, 10, 10);
	lim = netenv_add_peer(CONN_OUTBOUND_FULL,
	    NODE_NETWORK_LIMITED | NODE_WITNESS, 20, 0);
	nowit = netenv_add_peer(CONN_OUTBOUND_FULL, NODE_NETWORK, 20, 0);
	behind = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 5,
	    0); /* less work than our tip */
	sync_schedule_all(&E.n);
	CHECK(netenv_nothing_sent(lim));
	CHECK(netenv_nothing_sent(nowit));
	CHECK(netenv_nothing_sent(behind));
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 0);

	/* Out of initial download a limited peer may serve recent blocks. */
	E.n.sync->ibd = 0;
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(netenv_next_inv(lim, "getdata", &v), 10);
	free(v);
	full = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	sync_schedule_all(&E.n);
	CHECK(netenv_nothing_sent(full));
	netenv_close();
}

/* getheaders: headers after the fork point with the active chain. */
static void
test_serve_getheaders(void)
{
	struct locator_msg m;
	struct block_header *h;
	struct peer *p;
	uint8_t loc[2][32], *pl;
	char cmd[13];
	size_t len, n;
	struct rbuf r;

	netenv_open(30, 20, 20);
	p = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, -1, 0);
	memset(&m, 0, sizeof(m));
	/* An unknown hash, then block 5: the answer starts at 6. */
	memset(loc[0], 0xab, 32);
	memcpy(loc[1], E.hash[5], 32);
	m.n = 2;
	m.hashes = loc;
	sync_serve_getheaders(&E.n, p, &m);
	CHECK(netenv_next_msg(p, cmd, &pl, &len));
	CHECK_EQ_STR(cmd, "headers");
	rbuf_init(&r, pl, len);
	CHECK(headers_parse(&r, &h, &n) == 0);
	/* Only the active chain (up to the tip, 20), not the best header. */
	CHECK_EQ_INT(n, 15);
	CHECK(memcmp(&h[0], &E.hdr[6], sizeof(h[0])) == 0);
	CHECK(memcmp(&h[14], &E.hdr[20], sizeof(h[0])) == 0);
	free(h);
	free(pl);
	CHECK(p->sync.has_hdr_sent);
	CHECK_EQ_INT(p->sync.hdr_sent_height, 20);

	/* The stop hash ends the answer early. */
	memcpy(m.stop, E.hash[8], 32);
	sync_serve_getheaders(&E.n, p, &m);
	CHECK(netenv_next_msg(p, cmd, &pl, &len));
	rbuf_init(&r, pl, len);
	CHECK(headers_parse(&r, &h, &n) == 0);
	CHECK_EQ_INT(n, 3);
	free(h);
	free(pl);
	netenv_close();
}

/* getblocks: an inv of the active chain after the fork point, up to stop. */
static void
test_serve_getblocks(void)
{
	struct locator_msg m;
	struct peer *p;
	struct inv *v;
	uint8_t loc[1][32];
	size_t n;

	netenv_open(30, 20, 20);
	p = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, -1, 0);
	memset(&m, 0, sizeof(m));
	memcpy(loc[0], E.hash[10], 32);
	m.n = 1;
	m.hashes = loc;
	sync_serve_getblocks(&E.n, p, &m);
	n = netenv_next_inv(p, "inv", &v);
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_INT(v[0].type, MSG_BLOCK);
	CHECK(memcmp(v[0].hash, E.hash[11], 32) == 0);
	CHECK(memcmp(v[9].hash, E.hash[20], 32) == 0);
	free(v);
	CHECK(!p->sync.has_continuation);
	memcpy(m.stop, E.hash[13], 32);
	sync_serve_getblocks(&E.n, p, &m);
	CHECK_EQ_INT(netenv_next_inv(p, "inv", &v),
	    2); /* 11, 12: stop excluded */
	free(v);
	netenv_close();
}

/* Core's BlockRequestAllowed: off the active chain only if validated and recent. */
static void
test_serve_request_allowed(void)
{
	struct block_index_entry e;
	struct store_rtxn *t;

	netenv_open(30, 20, 20);
	CHECK(store_read_begin(E.st, &t) == STORE_OK);
	CHECK(store_get_index(t, E.hash[15], &e) == STORE_OK);
	CHECK(sync_block_request_allowed(&E.n, t, &e));
	/* Above the tip: on no active chain and never connected. */
	CHECK(store_get_index(t, E.hash[25], &e) == STORE_OK);
	CHECK(!sync_block_request_allowed(&E.n, t, &e));
	/* A validated block off the chain, as recent as the best header. */
	e.status |= BLOCK_VALID_SCRIPTS;
	CHECK(sync_block_request_allowed(&E.n, t, &e));
	/* The same, a month older than the best header. */
	e.hdr.time = E.hdr[30].time - 31 * 24 * 3600;
	CHECK(!sync_block_request_allowed(&E.n, t, &e));
	store_read_end(t);
	netenv_close();
}

/* getblockfrompeer's request on the net thread: a status, or the getdata. */
static int
fetch(uint64_t id, int32_t height, struct request_error *err)
{
	struct net_fetch_in in;
	struct request *r;
	char none;

	memset(&in, 0, sizeof(in));
	memcpy(in.hash, E.hash[height], 32);
	in.height = height;
	in.id = id;
	r = request_new(net_req_fetchblock, &in, sizeof(in), NULL, 0, NULL);
	request_serve(r, &E.n);
	return request_wait(r, 1000, &none, err);
}

/*
 * Core's FetchBlock: its checks in its order, then the block asked of the
 * named peer at once, taken from whoever had it in flight.
 */
static void
test_fetch_block(void)
{
	struct request_error err;
	struct peer *a, *b, *old, *fresh, *half;
	struct inflight *f;
	struct inv *v;

	netenv_open(30, 10, 10);
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 30, 0);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(netenv_next_inv(a, "getdata", &v), 16); /* 11..26 */
	free(v);
	b = netenv_add_peer(CONN_INBOUND, NETENV_SERVICES, -1, 0);
	old = netenv_add_peer(CONN_INBOUND, NODE_NETWORK, -1, 0);
	fresh = netenv_add_peer(CONN_INBOUND, 0, -1, 1);
	half = netenv_add_peer(CONN_INBOUND, NETENV_SERVICES, -1, 0);
	half->handshaked = 0;

	CHECK_EQ_INT(fetch(999, 12, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_NO_PEER);
	CHECK_EQ_INT(fetch(old->id, 12, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_PRE_SEGWIT);
	/* No version yet: no services, so Core's witness check fails first. */
	CHECK_EQ_INT(fetch(fresh->id, 12, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_PRE_SEGWIT);
	CHECK_EQ_INT(fetch(half->id, 12, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_NOT_FULLY_CONNECTED);
	half->handshaked = 1;
	half->disconnect = 1;
	CHECK_EQ_INT(fetch(half->id, 12, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_NOT_FULLY_CONNECTED);
	CHECK(netenv_nothing_sent(old));
	CHECK(netenv_nothing_sent(half));

	/* Block 12 was in flight from a: now from b alone, asked at once. */
	CHECK_EQ_INT(fetch(b->id, 12, &err), 0);
	CHECK_EQ_INT(netenv_next_inv(b, "getdata", &v), 1);
	CHECK_EQ_INT(v[0].type, MSG_WITNESS_BLOCK);
	CHECK(memcmp(v[0].hash, E.hash[12], 32) == 0);
	free(v);
	CHECK_EQ_INT(a->sync.n_inflight, 15);
	CHECK_EQ_INT(b->sync.n_inflight, 1);
	f = htab_get(E.n.sync->inflight, E.hash[12]);
	CHECK(f != NULL && f->peer_id == b->id && f->height == 12);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 16);
	/* Asked again of the same peer: the request is made again (Core). */
	CHECK_EQ_INT(fetch(b->id, 12, &err), 0);
	CHECK_EQ_INT(netenv_next_inv(b, "getdata", &v), 1);
	free(v);
	CHECK_EQ_INT(b->sync.n_inflight, 1);
	/* A block nobody had in flight: asked of b as well. */
	CHECK_EQ_INT(fetch(b->id, 28, &err), 0);
	CHECK_EQ_INT(netenv_next_inv(b, "getdata", &v), 1);
	CHECK(memcmp(v[0].hash, E.hash[28], 32) == 0);
	free(v);
	CHECK_EQ_INT(b->sync.n_inflight, 2);
	/* b leaves: its blocks are free for the schedule again. */
	netenv_drop_peer(b);
	CHECK(htab_get(E.n.sync->inflight, E.hash[12]) == NULL);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 15);
	netenv_close();
}

UNIT_MAIN(UNIT_CASE(test_download_spreads_requests),
    UNIT_CASE(test_download_peer_gone_frees_blocks),
    UNIT_CASE(test_download_window), UNIT_CASE(test_download_stall_marked),
    UNIT_CASE(test_download_who_may_serve), UNIT_CASE(test_serve_getheaders),
    UNIT_CASE(test_serve_getblocks), UNIT_CASE(test_serve_request_allowed),
    UNIT_CASE(test_fetch_block))
