/*
 * The net thread's typed requests (net/net_query.c), served here on the
 * test's own thread by a struct net built without sockets, threads or an
 * event base: what the rpc thread gets back, and the statuses it words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "chain/chainparams.h"
#include "net/banman.h"
#include "net/net.h"
#include "net/net_int.h"
#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"

static char ban_path[256];
static struct chainparams *regtest;

static struct net *
bare_net(void)
{
	struct net *n = xcalloc(1, sizeof(*n));

	TAILQ_INIT(&n->peers);
	regtest = chainparams_new(CHAIN_REGTEST);
	n->cp = regtest;
	snprintf(ban_path, sizeof(ban_path),
	    "/tmp/br-test-%d-netreq-bans.json", (int)getpid());
	unlink(ban_path);
	n->banman = banman_new(ban_path, 3600);
	snprintf(n->subver, sizeof(n->subver), "/bitroot:test/");
	return n;
}

static void
bare_net_free(struct net *n)
{
	size_t i;

	for (i = 0; i < n->nadded; i++) {
		free(n->added[i]->name);
		free(n->added[i]);
	}
	free(n->added);
	banman_free(n->banman);
	chainparams_free(regtest);
	free(n);
	unlink(ban_path);
}

/* Serves r at once on this thread, then collects it as the rpc side does. */
static int
run(struct net *n, struct request *r, void *out, struct request_error *err)
{
	char none;

	request_serve(r, n);
	return request_wait(r, 1000, out ? out : &none, err);
}

static void
test_netreq_totals(void)
{
	struct net *n = bare_net();
	struct net_totals t;
	struct request_error err;

	n->total_recv = 1234;
	n->total_sent = 99;
	n->n_by_type[CONN_INBOUND] = 3;
	n->n_by_type[CONN_OUTBOUND_FULL] = 5;
	n->n_connecting = 1;
	n->network_active = 1;
	n->local_services = NODE_NETWORK | NODE_WITNESS;
	n->blocksonly = 1;
	CHECK_EQ_INT(run(n,
			 request_new(net_req_totals, NULL, 0, NULL, sizeof(t),
			     NULL),
			 &t, &err),
	    0);
	CHECK_EQ_INT(t.bytes_recv, 1234);
	CHECK_EQ_INT(t.bytes_sent, 99);
	/* The one still connecting is not a connection yet. */
	CHECK_EQ_INT(t.connections, 7);
	CHECK_EQ_INT(t.connections_in, 3);
	CHECK_EQ_INT(t.connections_out, 4);
	CHECK_EQ_INT(t.network_active, 1);
	CHECK_EQ_INT(t.local_relay, 0);
	CHECK(t.local_services == (NODE_NETWORK | NODE_WITNESS));
	CHECK_EQ_INT(t.time_offset, 0);
	CHECK_EQ_STR(t.subver, "/bitroot:test/");
	bare_net_free(n);
}

static int
setban(struct net *n, const char *subnet, int add, int64_t bantime,
    int absolute, struct request_error *err)
{
	struct net_setban_in in;

	memset(&in, 0, sizeof(in));
	CHECK_EQ_INT(subnet_parse(subnet, &in.sn), 0);
	in.single = strchr(subnet, '/') == NULL;
	in.add = add;
	in.bantime = bantime;
	in.absolute = absolute;
	return run(n,
	    request_new(net_req_setban, &in, sizeof(in), NULL, 0, NULL), NULL,
	    err);
}

static void
test_netreq_bans(void)
{
	struct net *n = bare_net();
	struct request_error err;
	struct net_bans bans;
	int64_t now = node_time();

	/* A ban list that never held anything (no array behind it yet). */
	CHECK_EQ_INT(run(n,
			 request_new(net_req_listbanned, NULL, 0, NULL,
			     sizeof(bans), net_bans_free),
			 &bans, &err),
	    0);
	CHECK_EQ_INT(bans.n, 0);
	net_bans_free(&bans);
	CHECK_EQ_INT(setban(n, "10.1.0.0/16", 1, 0, 0, &err), 0);
	CHECK_EQ_INT(setban(n, "10.1.0.0/16", 1, 0, 0, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_BANNED);
	CHECK_EQ_INT(setban(n, "10.2.0.0/16", 1, now - 10, 1, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_BAN_IN_PAST);
	CHECK_EQ_INT(setban(n, "10.3.0.0/16", 0, 0, 0, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_NOT_BANNED);
	CHECK_EQ_INT(setban(n, "10.4.0.0/24", 1, now + 500, 1, &err), 0);
	/* Saved as it changed. */
	CHECK(access(ban_path, F_OK) == 0);
	CHECK_EQ_INT(run(n,
			 request_new(net_req_listbanned, NULL, 0, NULL,
			     sizeof(bans), net_bans_free),
			 &bans, &err),
	    0);
	CHECK_EQ_INT(bans.n, 2);
	CHECK(bans.now >= now);
	CHECK(bans.bans[0].until - bans.bans[0].created == 3600 ||
	    bans.bans[1].until - bans.bans[1].created == 3600);
	net_bans_free(&bans);
	CHECK(bans.bans == NULL);
	CHECK_EQ_INT(run(n,
			 request_new(net_req_clearbanned, NULL, 0, NULL, 0,
			     NULL),
			 NULL, &err),
	    0);
	CHECK_EQ_INT(run(n,
			 request_new(net_req_listbanned, NULL, 0, NULL,
			     sizeof(bans), net_bans_free),
			 &bans, &err),
	    0);
	CHECK_EQ_INT(bans.n, 0);
	net_bans_free(&bans);
	bare_net_free(n);
}

static int
addnode(struct net *n, const char *node, enum net_addnode_cmd cmd, int v2,
    struct request_error *err)
{
	struct net_addnode_in in;

	in.node = xstrdup(node);
	in.cmd = cmd;
	in.v2 = v2;
	return run(n,
	    request_new(net_req_addnode, &in, sizeof(in), net_addnode_in_free,
		0, NULL),
	    NULL, err);
}

static void
test_netreq_added_nodes(void)
{
	struct net *n = bare_net();
	struct request_error err;
	struct net_added added;
	char *name;

	CHECK_EQ_INT(addnode(n, "127.0.0.1:18444", NET_ADDNODE_ADD, -1, &err),
	    0);
	/* The same service written differently is the same node. */
	CHECK_EQ_INT(addnode(n, "127.0.0.1", NET_ADDNODE_ADD, -1, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_NODE_ADDED);
	CHECK_EQ_INT(addnode(n, "127.0.0.2", NET_ADDNODE_ADD, 1, &err), -1);
	CHECK_EQ_INT(err.status, NET_E_V2_DISABLED);
	name = NULL;
	CHECK_EQ_INT(run(n,
			 request_new(net_req_added, &name, sizeof(name),
			     net_str_in_free, sizeof(added), net_added_free),
			 &added, &err),
	    0);
	CHECK_EQ_INT(added.n, 1);
	CHECK_EQ_STR(added.nodes[0].name, "127.0.0.1:18444");
	CHECK_EQ_INT(added.nodes[0].connected, 0);
	net_added_free(&added);
	name = xstrdup("127.0.0.9");
	CHECK_EQ_INT(run(n,
			 request_new(net_req_added, &name, sizeof(name),
			     net_str_in_free, sizeof(added), net_added_free),
			 &added, &err),
	    -1);
	CHECK_EQ_INT(err.status, NET_E_NODE_NOT_ADDED);
	CHECK_EQ_INT(addnode(n, "127.0.0.1:18444", NET_ADDNODE_REMOVE, -1,
			 &err),
	    0);
	CHECK_EQ_INT(addnode(n, "127.0.0.1:18444", NET_ADDNODE_REMOVE, -1,
			 &err),
	    -1);
	CHECK_EQ_INT(err.status, NET_E_NODE_NOT_ADDED);
	bare_net_free(n);
}

static void
test_netreq_no_net(void)
{
	struct request_error err;
	struct net_totals t;

	/* No net thread: refused, and the request is freed (ASan checks). */
	CHECK_EQ_INT(net_request(NULL,
			 request_new(net_req_totals, NULL, 0, NULL, sizeof(t),
			     NULL),
			 1000, &t, &err),
	    -1);
	CHECK_EQ_INT(err.status, REQUEST_E_UNAVAILABLE);
}

UNIT_MAIN(UNIT_CASE(test_netreq_totals), UNIT_CASE(test_netreq_bans),
    UNIT_CASE(test_netreq_added_nodes), UNIT_CASE(test_netreq_no_net))
