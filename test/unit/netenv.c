/* The net module without sockets or threads (see netenv.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "chain/chainparams.h"
#include "net/addrman.h"
#include "net/cmpct.h"
#include "net/sync_int.h"
#include "netenv.h"
#include "store/store.h"
#include "unit.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define REGTEST_BITS 0x207fffffu
#define BASE_TIME 1600000000u

struct netenv E;

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
void
netenv_open(int32_t best, int32_t tip, int32_t have)
{
	struct store_wtxn *w;
	struct store_rtxn *t;
	char path[128], err[256];
	int32_t h;

	memset(&E, 0, sizeof(E));
	snprintf(E.dir, sizeof(E.dir), "/tmp/netenv.XXXXXX");
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

	{
		char dd[96];
		char *argv[3] = { "netenv", "-regtest", dd };

		snprintf(dd, sizeof(dd), "-datadir=%s", E.dir);
		E.n.args = E.a = args_new();
		CHECK(args_parse_argv(E.a, 3, argv, err, sizeof(err)) == 0);
		CHECK(args_read_config(E.a, err, sizeof(err)) == 0);
		CHECK(args_select_chain(E.a, err, sizeof(err)) == 0);
	}
	E.base = event_base_new();
	E.n.cp = E.cp;
	E.n.store = E.st;
	E.n.next_id = 1;
	E.n.max_send_buffer = 1000 * 1000;
	TAILQ_INIT(&E.n.peers);
	E.n.peers_by_id = htab_new(8, offsetof(struct peer, idkey));
	E.n.pending_nonces = htab_new(8, offsetof(struct peer, noncekey));
	E.n.sched_ev = event_new(E.base, -1, 0, noop_cb, NULL);
	E.n.reap_ev = event_new(E.base, -1, 0, noop_cb, NULL);
	E.n.retry_ev = event_new(E.base, -1, 0, noop_cb, NULL);
	E.n.addrman = addrman_new(0);
	E.n.max_connections = 125;
	E.n.local_services = NODE_NETWORK | NODE_WITNESS;
	snprintf(E.n.subver, sizeof(E.n.subver), "/netenv:0/");
	E.n.sync = sync_new(&E.n);
	/* No mempool: the relay mirror is fed by the test. */
	E.n.tx = txrelay_new(&E.n, NULL);
	E.n.cmpct = cmpctrelay_new(DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN);
	CHECK(store_read_begin(E.st, &t) == STORE_OK);
	sync_refresh_chain(E.n.sync, t);
	store_read_end(t);
	E.n.sync->ibd = 1;
}

void
netenv_close(void)
{
	struct peer *p;
	char cmd[128];

	while ((p = TAILQ_FIRST(&E.n.peers)) != NULL)
		netenv_drop_peer(p);
	sync_free(E.n.sync);
	cmpctrelay_free(E.n.cmpct);
	txrelay_free(E.n.tx);
	args_free(E.a);
	addrman_free(E.n.addrman);
	event_free(E.n.reap_ev);
	event_free(E.n.retry_ev);
	event_free(E.n.sched_ev);
	htab_free(E.n.peers_by_id);
	htab_free(E.n.pending_nonces);
	event_base_free(E.base);
	store_close(E.st);
	chainparams_free(E.cp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", E.dir);
	CHECK(system(cmd) == 0);
}

struct peer *
netenv_add_peer(enum conn_type type, uint64_t services, int32_t best,
    int fresh)
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
	p = peer_new(&E.n, type, &svc, NULL);
	p->bev = bufferevent_socket_new(E.base, -1, 0);
	E.n.n_by_type[type]++;
	TAILQ_INSERT_TAIL(&E.n.peers, p, entry);
	htab_put(E.n.peers_by_id, p);
	if (!fresh) {
		p->version_recv = 1;
		p->version_sent = 1;
		p->verack_sent = 1;
		p->handshaked = 1;
		p->version = 70016;
		p->services = services;
		p->sync.preferred_download = type != CONN_INBOUND;
		if (p->sync.preferred_download)
			E.n.sync->n_preferred++;
	}
	if (best >= 0) {
		CHECK(store_read_begin(E.st, &t) == STORE_OK);
		sync_update_availability(E.n.sync, t, p, E.hash[best]);
		store_read_end(t);
	}
	return p;
}

void
netenv_drop_peer(struct peer *p)
{
	TAILQ_REMOVE(&E.n.peers, p, entry);
	htab_del(E.n.peers_by_id, p->idkey);
	if (!p->disconnect)
		E.n.n_by_type[p->type]--;
	peer_free(p);
}

int
netenv_next_msg(struct peer *p, char cmd[13], uint8_t **payload, size_t *len)
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

const char *
netenv_next_cmd(struct peer *p)
{
	static char cmd[13];
	uint8_t *pl;
	size_t len;

	if (!netenv_next_msg(p, cmd, &pl, &len))
		return "";
	free(pl);
	return cmd;
}

size_t
netenv_next_inv(struct peer *p, const char *cmd, struct inv **v)
{
	uint8_t *pl;
	char c[13];
	size_t len, n = 0;
	struct rbuf r;

	*v = NULL;
	if (!netenv_next_msg(p, c, &pl, &len)) {
		CHECK(!"a message was sent");
		return 0;
	}
	CHECK_EQ_STR(c, cmd);
	rbuf_init(&r, pl, len);
	CHECK(inv_parse(&r, v, &n) == 0);
	free(pl);
	return n;
}

int
netenv_nothing_sent(struct peer *p)
{
	return evbuffer_get_length(bufferevent_get_output(p->bev)) == 0;
}
