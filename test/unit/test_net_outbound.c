/*
 * Outbound peer upkeep (net/outbound.c) without sockets (netenv.h): the
 * chain sync timeout with its one getheaders, protection of the first
 * full-relay peers with our tip's work, and which extra outbound peer
 * goes when there are more than the targets.
 */
#include <string.h>

#include "net/sync_int.h"
#include "netenv.h"
#include "store/store.h"
#include "unit.h"
#include "util/time.h"

#define T0 1700000000

static void
drain(struct peer *p)
{
	while (netenv_next_cmd(p)[0] != '\0')
		;
}

static void
test_chain_sync_timeout(void)
{
	struct peer *lag, *good, *blk;

	netenv_open(20, 20, 20);
	lag = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 10, 0);
	good = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	blk = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, 20, 0);
	lag->sync.started = good->sync.started = blk->sync.started = 1;
	drain(lag);
	/* A full-relay peer with our tip's work is protected for good. */
	outbound_consider_eviction(&E.n, good, T0);
	CHECK(good->chainsync.protect);
	CHECK_EQ_INT(E.n.n_protected, 1);
	/* A block-relay-only one never is, even level with our tip. */
	outbound_consider_eviction(&E.n, blk, T0);
	CHECK(!blk->chainsync.protect);
	CHECK_EQ_INT((int)blk->chainsync.timeout, 0);
	/* Behind: 20 minutes to catch up with the tip of now. */
	outbound_consider_eviction(&E.n, lag, T0);
	CHECK(!lag->chainsync.protect);
	CHECK_EQ_INT((int)(lag->chainsync.timeout - T0), 20 * 60);
	outbound_consider_eviction(&E.n, lag, T0 + 20 * 60);
	CHECK_EQ_STR(netenv_next_cmd(lag), "");
	/* Then one getheaders, and two minutes to answer it. */
	outbound_consider_eviction(&E.n, lag, T0 + 20 * 60 + 1);
	CHECK_EQ_STR(netenv_next_cmd(lag), "getheaders");
	CHECK(lag->chainsync.sent_getheaders);
	CHECK(!lag->disconnect);
	outbound_consider_eviction(&E.n, lag, T0 + 20 * 60 + 1 + 120);
	CHECK(!lag->disconnect);
	CHECK_EQ_STR(netenv_next_cmd(lag), "");
	outbound_consider_eviction(&E.n, lag, T0 + 20 * 60 + 1 + 121);
	CHECK(lag->disconnect);
	/* A gone protected peer frees its place. */
	netenv_drop_peer(good);
	CHECK_EQ_INT(E.n.n_protected, 0);
	netenv_close();
}

static void
test_caught_up_clears_timeout(void)
{
	struct store_rtxn *t;
	struct peer *p;

	netenv_open(20, 20, 20);
	p = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, 12, 0);
	p->sync.started = 1;
	outbound_consider_eviction(&E.n, p, T0);
	CHECK(p->chainsync.timeout != 0);
	/* It shows a chain with our tip's work: the deadline is gone. */
	CHECK(store_read_begin(E.st, &t) == STORE_OK);
	sync_update_availability(E.n.sync, t, p, E.hash[20]);
	store_read_end(t);
	outbound_consider_eviction(&E.n, p, T0 + 10);
	CHECK_EQ_INT((int)p->chainsync.timeout, 0);
	outbound_consider_eviction(&E.n, p, T0 + 3600);
	CHECK(!p->disconnect);
	netenv_close();
}

static void
test_extra_full_relay_evicted(void)
{
	struct peer *a, *b, *c;
	int64_t now = node_time();

	netenv_open(20, 20, 20);
	E.n.max_outbound_full = 2;
	a = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	b = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	c = netenv_add_peer(CONN_OUTBOUND_FULL, NETENV_SERVICES, 20, 0);
	a->conn_time = b->conn_time = c->conn_time = now - 100;
	a->last_block_announcement = now - 10;
	b->last_block_announcement = now - 500; /* the least lately */
	c->last_block_announcement = now - 20;
	/* Connected too briefly: kept, for now. */
	b->conn_time = now - 5;
	E.n.next_extra_check_us = 0;
	outbound_tick(&E.n);
	CHECK(!a->disconnect && !b->disconnect && !c->disconnect);
	b->conn_time = now - 100;
	E.n.next_extra_check_us = 0;
	outbound_tick(&E.n);
	CHECK(!a->disconnect && b->disconnect && !c->disconnect);
	netenv_close();
}

static void
test_extra_block_relay_evicted(void)
{
	struct peer *a, *b, *c;
	int64_t now = node_time();

	netenv_open(20, 20, 20);
	E.n.max_block_relay = 2;
	a = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, 20, 0);
	b = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, 20, 0);
	c = netenv_add_peer(CONN_BLOCK_RELAY, NETENV_SERVICES, 20, 0);
	a->conn_time = b->conn_time = c->conn_time = now - 100;
	/* The newest (c) brought a block more lately than the next (b). */
	b->last_block_time = now - 50;
	c->last_block_time = now - 10;
	E.n.next_extra_check_us = 0;
	outbound_tick(&E.n);
	CHECK(!a->disconnect && b->disconnect && !c->disconnect);
	netenv_close();
}

UNIT_MAIN(UNIT_CASE(test_chain_sync_timeout),
    UNIT_CASE(test_caught_up_clears_timeout),
    UNIT_CASE(test_extra_full_relay_evicted),
    UNIT_CASE(test_extra_block_relay_evicted))
