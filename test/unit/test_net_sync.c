/*
 * Block sync without sockets: a store holding a made-up header chain,
 * struct net built by hand (no thread, no validation), and peers whose
 * bufferevent has no socket, so what block sync sends them stays in their
 * output buffer for the test to read. Covers which blocks are requested
 * from whom (blockdl.c) and what is served (blockserve.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "chain/chainparams.h"
#include "net/sync_int.h"
#include "primitives/block.h"
#include "store/store.h"
#include "unit.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define MAXH 1200
#define REGTEST_BITS 0x207fffffu
#define BASE_TIME 1600000000u

struct env {
	char dir[64];
	struct chainparams *cp;
	struct store *st;
	struct event_base *base;
	struct net n;
	uint8_t hash[MAXH + 1][32];
	struct block_header hdr[MAXH + 1];
	int32_t best, tip;
};

static struct env E;

static void
noop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

static void
work_of(int32_t h, uint8_t out[32])
{
	uint32_t w = (uint32_t)h + 1;

	memset(out, 0, 32);
	out[28] = (uint8_t)(w >> 24);
	out[29] = (uint8_t)(w >> 16);
	out[30] = (uint8_t)(w >> 8);
	out[31] = (uint8_t)w;
}

/*
 * Headers 0..best in the index, blocks 0..tip connected (the active
 * chain), and the blocks tip+1..have stored but not yet connected.
 */
static void
env_open(int32_t best, int32_t tip, int32_t have)
{
	struct store_wtxn *w;
	struct store_rtxn *t;
	char path[128], err[256];
	int32_t h;

	memset(&E, 0, sizeof(E));
	snprintf(E.dir, sizeof(E.dir), "/tmp/test_net_sync.XXXXXX");
	CHECK(mkdtemp(E.dir) != NULL);
	E.cp = chainparams_new(CHAIN_REGTEST);
	snprintf(path, sizeof(path), "%s/chainstate", E.dir);
	CHECK(store_open(path, E.cp->magic, &E.st, err, sizeof(err)) == 0);
	E.best = best;
	E.tip = tip;
	CHECK(store_write_begin(E.st, &w) == STORE_OK);
	for (h = 0; h <= best; h++) {
		struct block_index_entry e;
		struct block_header *hd = &E.hdr[h];

		memset(hd, 0, sizeof(*hd));
		hd->version = 4;
		if (h > 0)
			memcpy(hd->prev, E.hash[h - 1], 32);
		hd->merkle[0] = (uint8_t)h;
		hd->merkle[1] = (uint8_t)(h >> 8);
		hd->time = BASE_TIME + (uint32_t)h * 600;
		hd->bits = REGTEST_BITS;
		hd->nonce = (uint32_t)h;
		header_hash(hd, E.hash[h]);
		memset(&e, 0, sizeof(e));
		memcpy(e.hash, E.hash[h], 32);
		e.hdr = *hd;
		e.height = h;
		work_of(h, e.chainwork);
		e.status = BLOCK_VALID_HEADER | BLOCK_VALID_TREE;
		if (h <= tip)
			e.status |= BLOCK_VALID_TX | BLOCK_VALID_SCRIPTS |
			    BLOCK_HAVE_DATA;
		else if (h <= have)
			e.status |= BLOCK_HAVE_DATA;
		CHECK(store_put_index(w, &e) == STORE_OK);
		if (h <= tip)
			CHECK(store_set_active_hash(w, h, E.hash[h]) ==
			    STORE_OK);
	}
	CHECK(store_set_tip(w, E.hash[tip], tip) == STORE_OK);
	CHECK(store_set_best_header(w, E.hash[best]) == STORE_OK);
	CHECK(store_write_commit(w) == STORE_OK);

	E.base = event_base_new();
	E.n.cp = E.cp;
	E.n.store = E.st;
	E.n.next_id = 1;
	E.n.max_send_buffer = 1000 * 1000;
	TAILQ_INIT(&E.n.peers);
	E.n.peers_by_id = htab_new(8, offsetof(struct peer, idkey));
	E.n.pending_nonces = htab_new(8, offsetof(struct peer, noncekey));
	E.n.sched_ev = event_new(E.base, -1, 0, noop_cb, NULL);
	E.n.sync = sync_new(&E.n);
	CHECK(store_read_begin(E.st, &t) == STORE_OK);
	sync_refresh_chain(E.n.sync, t);
	store_read_end(t);
	E.n.sync->ibd = 1;
}

static void
env_close(void)
{
	struct peer *p;
	char cmd[128];

	while ((p = TAILQ_FIRST(&E.n.peers)) != NULL) {
		TAILQ_REMOVE(&E.n.peers, p, entry);
		htab_del(E.n.peers_by_id, p->idkey);
		/* Not handshaked: peer_free has no address manager to tell. */
		p->handshaked = 0;
		peer_free(p);
	}
	sync_free(E.n.sync);
	event_free(E.n.sched_ev);
	htab_free(E.n.peers_by_id);
	htab_free(E.n.pending_nonces);
	event_base_free(E.base);
	store_close(E.st);
	chainparams_free(E.cp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", E.dir);
	CHECK(system(cmd) == 0);
}

#define SERVICES_FULL (NODE_NETWORK | NODE_WITNESS)

/* A handshaked outbound peer whose best block is at height best. */
static struct peer *
add_peer(uint64_t services, int32_t best)
{
	struct service svc;
	struct store_rtxn *t;
	struct peer *p;

	memset(&svc, 0, sizeof(svc));
	svc.addr.net = NET_IPV4;
	svc.addr.len = 4;
	svc.addr.a[0] = 127;
	svc.addr.a[3] = (uint8_t)E.n.next_id;
	svc.port = 18444;
	p = peer_new(&E.n, CONN_OUTBOUND_FULL, &svc, NULL);
	p->bev = bufferevent_socket_new(E.base, -1, 0);
	p->handshaked = 1;
	p->version = 70016;
	p->services = services;
	p->sync.preferred_download = 1;
	E.n.sync->n_preferred++;
	TAILQ_INSERT_TAIL(&E.n.peers, p, entry);
	htab_put(E.n.peers_by_id, p);
	if (best >= 0) {
		CHECK(store_read_begin(E.st, &t) == STORE_OK);
		sync_update_availability(E.n.sync, t, p, E.hash[best]);
		store_read_end(t);
	}
	return p;
}

/* Takes the next message p was sent: its command and a malloc'd payload. */
static int
next_msg(struct peer *p, char cmd[13], uint8_t **payload, size_t *len)
{
	struct evbuffer *out = bufferevent_get_output(p->bev);
	uint8_t hdr[MSG_HEADER_SIZE];
	struct msg_header mh;

	if (evbuffer_get_length(out) < MSG_HEADER_SIZE)
		return 0;
	/* A bufferevent's output is frozen at the front: only it may drain. */
	evbuffer_unfreeze(out, 1);
	evbuffer_remove(out, hdr, sizeof(hdr));
	msg_header_parse(hdr, &mh);
	CHECK(memcmp(mh.magic, E.cp->magic, 4) == 0);
	memcpy(cmd, mh.cmd, 13);
	*len = mh.len;
	*payload = xmalloc(mh.len ? mh.len : 1);
	CHECK(evbuffer_remove(out, *payload, mh.len) == (int)mh.len);
	return 1;
}

/* The inventory of the next message, which must be cmd. */
static size_t
next_inv(struct peer *p, const char *cmd, struct inv **v)
{
	uint8_t *pl;
	char c[13];
	size_t len, n = 0;
	struct rbuf r;

	*v = NULL;
	if (!next_msg(p, c, &pl, &len)) {
		CHECK(!"a message was sent");
		return 0;
	}
	CHECK_EQ_STR(c, cmd);
	rbuf_init(&r, pl, len);
	CHECK(inv_parse(&r, v, &n) == 0);
	free(pl);
	return n;
}

static int
nothing_sent(struct peer *p)
{
	return evbuffer_get_length(bufferevent_get_output(p->bev)) == 0;
}

/* Blocks come from the first free peer: 16 each, in height order, never twice. */
static void
test_download_spreads_requests(void)
{
	struct peer *a, *b;
	struct inv *v;
	int32_t hs[32];
	size_t n, i;

	env_open(40, 10, 10);
	a = add_peer(SERVICES_FULL, 40);
	b = add_peer(SERVICES_FULL, 40);
	sync_schedule_all(&E.n);

	n = next_inv(a, "getdata", &v);
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
	n = next_inv(b, "getdata", &v);
	CHECK_EQ_INT(n, 14);
	for (i = 0; i < n; i++)
		CHECK(memcmp(v[i].hash, E.hash[27 + i], 32) == 0);
	free(v);
	CHECK_EQ_INT(b->sync.n_inflight, 14);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 30);

	/* Everything is in flight: a second round asks nobody for anything. */
	sync_schedule_all(&E.n);
	CHECK(nothing_sent(a));
	CHECK(nothing_sent(b));
	env_close();
}

/* A peer that leaves frees its blocks for the others. */
static void
test_download_peer_gone_frees_blocks(void)
{
	struct peer *a, *b;
	struct inv *v;
	size_t n;

	env_open(30, 10, 10);
	a = add_peer(SERVICES_FULL, 30);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(next_inv(a, "getdata", &v), 16);
	free(v);
	b = add_peer(SERVICES_FULL, 30);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(next_inv(b, "getdata", &v), 4);	/* 27..30 */
	free(v);

	TAILQ_REMOVE(&E.n.peers, a, entry);
	htab_del(E.n.peers_by_id, a->idkey);
	a->handshaked = 0;
	peer_free(a);
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 4);
	sync_schedule_all(&E.n);
	n = next_inv(b, "getdata", &v);
	CHECK_EQ_INT(n, 12);	/* 16 slots, 4 taken: 11..22 */
	CHECK(memcmp(v[0].hash, E.hash[11], 32) == 0);
	CHECK(memcmp(v[11].hash, E.hash[22], 32) == 0);
	free(v);
	env_close();
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
	env_open(MAXH, 10, last - 5);
	a = add_peer(SERVICES_FULL, MAXH);
	sync_schedule_all(&E.n);
	n = next_inv(a, "getdata", &v);
	CHECK_EQ_INT(n, 5);
	CHECK(memcmp(v[0].hash, E.hash[last - 4], 32) == 0);
	CHECK(memcmp(v[4].hash, E.hash[last], 32) == 0);
	free(v);
	env_close();
}

/* The peer holding the block the window waits for, while another is idle, stalls us. */
static void
test_download_stall_marked(void)
{
	struct peer *a, *b;
	struct inv *v;

	env_open(20, 10, 10);
	a = add_peer(SERVICES_FULL, 20);
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(next_inv(a, "getdata", &v), 10);
	free(v);
	CHECK_EQ_INT(a->sync.stalling_since_us, 0);
	b = add_peer(SERVICES_FULL, 20);
	sync_schedule_all(&E.n);
	CHECK(nothing_sent(b));
	CHECK(a->sync.stalling_since_us != 0);
	CHECK_EQ_INT(b->sync.stalling_since_us, 0);
	env_close();
}

/* During initial download: no blocks from pruned (limited) or non-witness peers. */
static void
test_download_who_may_serve(void)
{
	struct peer *lim, *nowit, *behind, *full;
	struct inv *v;

	env_open(20, 10, 10);
	lim = add_peer(NODE_NETWORK_LIMITED | NODE_WITNESS, 20);
	nowit = add_peer(NODE_NETWORK, 20);
	behind = add_peer(SERVICES_FULL, 5);	/* less work than our tip */
	sync_schedule_all(&E.n);
	CHECK(nothing_sent(lim));
	CHECK(nothing_sent(nowit));
	CHECK(nothing_sent(behind));
	CHECK_EQ_INT(htab_count(E.n.sync->inflight), 0);

	/* Out of initial download a limited peer may serve recent blocks. */
	E.n.sync->ibd = 0;
	sync_schedule_all(&E.n);
	CHECK_EQ_INT(next_inv(lim, "getdata", &v), 10);
	free(v);
	full = add_peer(SERVICES_FULL, 20);
	sync_schedule_all(&E.n);
	CHECK(nothing_sent(full));
	env_close();
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

	env_open(30, 20, 20);
	p = add_peer(SERVICES_FULL, -1);
	memset(&m, 0, sizeof(m));
	/* An unknown hash, then block 5: the answer starts at 6. */
	memset(loc[0], 0xab, 32);
	memcpy(loc[1], E.hash[5], 32);
	m.n = 2;
	m.hashes = loc;
	sync_serve_getheaders(&E.n, p, &m);
	CHECK(next_msg(p, cmd, &pl, &len));
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
	CHECK(next_msg(p, cmd, &pl, &len));
	rbuf_init(&r, pl, len);
	CHECK(headers_parse(&r, &h, &n) == 0);
	CHECK_EQ_INT(n, 3);
	free(h);
	free(pl);
	env_close();
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

	env_open(30, 20, 20);
	p = add_peer(SERVICES_FULL, -1);
	memset(&m, 0, sizeof(m));
	memcpy(loc[0], E.hash[10], 32);
	m.n = 1;
	m.hashes = loc;
	sync_serve_getblocks(&E.n, p, &m);
	n = next_inv(p, "inv", &v);
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_INT(v[0].type, MSG_BLOCK);
	CHECK(memcmp(v[0].hash, E.hash[11], 32) == 0);
	CHECK(memcmp(v[9].hash, E.hash[20], 32) == 0);
	free(v);
	CHECK(!p->sync.has_continuation);
	memcpy(m.stop, E.hash[13], 32);
	sync_serve_getblocks(&E.n, p, &m);
	CHECK_EQ_INT(next_inv(p, "inv", &v), 2);	/* 11, 12: stop excluded */
	free(v);
	env_close();
}

/* Core's BlockRequestAllowed: off the active chain only if validated and recent. */
static void
test_serve_request_allowed(void)
{
	struct block_index_entry e;
	struct store_rtxn *t;

	env_open(30, 20, 20);
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
	env_close();
}

UNIT_MAIN(UNIT_CASE(test_download_spreads_requests),
    UNIT_CASE(test_download_peer_gone_frees_blocks),
    UNIT_CASE(test_download_window), UNIT_CASE(test_download_stall_marked),
    UNIT_CASE(test_download_who_may_serve), UNIT_CASE(test_serve_getheaders),
    UNIT_CASE(test_serve_getblocks), UNIT_CASE(test_serve_request_allowed))
