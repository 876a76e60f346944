/*
 * Finding peers, the pure parts: the seed lists in chainparams, the fixed
 * seeds' records (net/seeds.c), internal source addresses (net/netaddr.c)
 * and anchors.dat's bytes (net/anchors.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "net/anchors.h"
#include "net/localaddr.h"
#include "net/net_int.h"
#include "util/buf.h"
#include "unit.h"

#define NOW 1700000000

static void
test_seed_lists(void)
{
	struct chainparams *p;
	char err[256];

	p = chainparams_new(CHAIN_MAIN);
	CHECK_EQ_INT(p->n_dns_seeds, 9);
	CHECK_EQ_STR(p->dns_seeds[0], "seed.bitcoin.sipa.be.");
	CHECK(p->fixed_seeds_len > 0);
	chainparams_free(p);
	p = chainparams_new(CHAIN_TESTNET4);
	CHECK_EQ_INT(p->n_dns_seeds, 2);
	chainparams_free(p);
	p = chainparams_new(CHAIN_REGTEST);
	CHECK_EQ_INT(p->n_dns_seeds, 0);
	CHECK_EQ_INT(p->fixed_seeds_len, 0);
	chainparams_free(p);
	/* The default signet has seeds; a custom one has none (Core). */
	p = chainparams_new(CHAIN_SIGNET);
	CHECK_EQ_INT(p->n_dns_seeds, 2);
	CHECK_EQ_INT(chainparams_set_signet_challenge(p, "51", err,
			 sizeof(err)),
	    0);
	CHECK_EQ_INT(p->n_dns_seeds, 0);
	chainparams_free(p);
}

static void
test_fixed_seeds(void)
{
	struct chainparams *p = chainparams_new(CHAIN_MAIN);
	struct addr_entry *v;
	size_t n, i, by[NETC_CJDNS + 1] = { 0 };
	/* 1.2.3.4:8333, then a record cut short. */
	static const uint8_t two[] = { 1, 4, 1, 2, 3, 4, 0x20, 0x8d, 1, 4, 9,
		9 };
	/* An IPv4 record with a 16-byte address: invalid, skipped. */
	static const uint8_t bad[] = { 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 1, 0x20, 0x8d, 1, 4, 5, 6, 7, 8, 0x20, 0x8d };

	n = seeds_parse_fixed(p->fixed_seeds, p->fixed_seeds_len, NOW, &v);
	CHECK(n >= 1000);
	for (i = 0; i < n; i++) {
		CHECK(netaddr_is_routable(&v[i].svc.addr));
		CHECK_EQ_INT(v[i].services, NODE_NETWORK | NODE_WITNESS);
		/* One to two weeks old. */
		CHECK(v[i].time <= NOW - 7 * 86400);
		CHECK(v[i].time >= NOW - 14 * 86400);
		by[netaddr_class(&v[i].svc.addr)]++;
	}
	CHECK(by[NETC_IPV4] > 0 && by[NETC_IPV6] > 0 && by[NETC_ONION] > 0);
	free(v);
	chainparams_free(p);

	n = seeds_parse_fixed(two, sizeof(two), NOW, &v);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(v[0].svc.port, 8333);
	CHECK_EQ_INT(v[0].svc.addr.a[3], 4);
	free(v);
	n = seeds_parse_fixed(bad, sizeof(bad), NOW, &v);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(v[0].svc.addr.a[0], 5);
	free(v);
}

static void
test_internal(void)
{
	struct netaddr a, b;
	uint8_t ga[NETGROUP_MAXLEN], gb[NETGROUP_MAXLEN];
	size_t la, lb;

	netaddr_set_internal(&a, "x9.seed.bitcoin.sipa.be");
	netaddr_set_internal(&b, "fixedseeds");
	CHECK(netaddr_is_internal(&a));
	CHECK(!netaddr_is_routable(&a));
	/* One bucket group per name. */
	la = netaddr_group(&a, ga);
	lb = netaddr_group(&b, gb);
	CHECK_EQ_INT(la, 11);
	CHECK(la != lb || memcmp(ga, gb, la) != 0);
	CHECK(!netaddr_is_internal(&(struct netaddr){ .net = NET_IPV4 }));
}

static void
test_anchors(void)
{
	static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };
	struct addr_entry a[3], out[MAX_BLOCK_RELAY_ONLY_ANCHORS];
	struct wbuf w;
	char path[] = "/tmp/test_anchorsXXXXXX";
	size_t n;
	int fd;

	memset(a, 0, sizeof(a));
	CHECK(service_parse("1.2.3.4:8333", 8333, &a[0].svc) == 0);
	CHECK(service_parse("[2a01:4f8::1]:18444", 8333, &a[1].svc) == 0);
	CHECK(service_parse("5.6.7.8:1", 8333, &a[2].svc) == 0);
	a[0].services = 9;
	a[1].services = 0xc09;
	a[0].time = a[1].time = a[2].time = NOW;
	wbuf_init(&w);
	anchors_serialize(magic, a, 2, &w);
	/* magic, count, then version 220000 | 1 << 29 of the first entry. */
	CHECK_EQ_INT(w.p[4], 2);
	CHECK_EQ_INT(w.p[5] | w.p[6] << 8 | w.p[7] << 16 | w.p[8] << 24,
	    220000 | 1 << 29);
	CHECK_EQ_INT(anchors_parse(magic, w.p, w.len, out, 2, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK(service_eq(&out[0].svc, &a[0].svc));
	CHECK(service_eq(&out[1].svc, &a[1].svc));
	CHECK_EQ_INT(out[1].services, 0xc09);
	CHECK_EQ_INT(out[0].time, NOW);
	/* Another network's file, a flipped byte: refused. */
	CHECK_EQ_INT(anchors_parse((const uint8_t *)"\xf9\xbe\xb4\xd9", w.p,
			 w.len, out, 2, &n),
	    -1);
	w.p[9] ^= 1;
	CHECK_EQ_INT(anchors_parse(magic, w.p, w.len, out, 2, &n), -1);
	wbuf_free(&w);
	/* Three in the file: the first two are kept (Core). */
	wbuf_init(&w);
	anchors_serialize(magic, a, 3, &w);
	CHECK_EQ_INT(anchors_parse(magic, w.p, w.len, out, 2, &n), 0);
	CHECK_EQ_INT(n, 2);
	wbuf_free(&w);

	/* The file is read once, then gone. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ_INT(anchors_write(path, magic, a, 2), 0);
	CHECK_EQ_INT(anchors_read(path, magic, out, 2), 2);
	CHECK(access(path, F_OK) != 0);
	CHECK_EQ_INT(anchors_read(path, magic, out, 2), 0);
}

static struct service
svc(const char *s)
{
	struct service v;

	CHECK(service_parse(s, 8333, &v) == 0);
	return v;
}

static void
test_local_addresses(void)
{
	struct net *n = calloc(1, sizeof(*n));
	struct service s, v4 = svc("1.2.3.4"), v6 = svc("[2a01:4f8::9]:8555");
	struct netaddr peer4 = svc("9.9.9.9").addr,
		       peer6 = svc("[2a02::1]").addr;
	struct netaddr lo = svc("127.0.0.1").addr;

	n->reachable = 1u << NETC_IPV4 | 1u << NETC_IPV6;
	n->listen = 1;
	/* Unroutable, or found by discovery while it is off: refused. */
	CHECK_EQ_INT(local_add(n, &(struct service){ lo, 1 }, LOCAL_MANUAL),
	    -1);
	CHECK_EQ_INT(local_add(n, &v4, LOCAL_IF), -1);
	CHECK_EQ_INT(local_add(n, &v4, LOCAL_MANUAL), 0);
	CHECK_EQ_INT(n->locals[0].score, LOCAL_MANUAL);
	/* Seen again: a point more. */
	CHECK_EQ_INT(local_add(n, &v4, LOCAL_MANUAL), 0);
	CHECK_EQ_INT(n->nlocals, 1);
	CHECK_EQ_INT(n->locals[0].score, LOCAL_MANUAL + 1);
	n->discover = 1;
	CHECK_EQ_INT(local_add(n, &v6, LOCAL_IF), 0);
	/* An unreachable network is not ours to announce. */
	n->reachable = 1u << NETC_IPV4;
	CHECK_EQ_INT(local_add(n, &(struct service){ peer6, 1 }, LOCAL_MANUAL),
	    -1);
	n->reachable = 1u << NETC_IPV4 | 1u << NETC_IPV6;

	/* Core's reachability: IPv4 peers get IPv4, IPv6 peers IPv6. */
	CHECK(local_reachability(&v4.addr, &peer4) >
	    local_reachability(&v6.addr, &peer4));
	CHECK(local_reachability(&v6.addr, &peer6) >
	    local_reachability(&v4.addr, &peer6));
	CHECK_EQ_INT(local_reachability(&lo, &peer4), 0);
	CHECK_EQ_INT(local_best_for(n, &peer4, &s), 0);
	CHECK(service_eq(&s, &v4));
	CHECK_EQ_INT(local_best_for(n, &peer6, &s), 0);
	CHECK(service_eq(&s, &v6));
	/* From an unroutable peer: IPv4 (REACH_IPV4) beats weak IPv6. */
	CHECK_EQ_INT(local_best_for(n, &lo, &s), 0);
	CHECK(service_eq(&s, &v4));
	/* Not listening: nothing to announce. */
	n->listen = 0;
	CHECK_EQ_INT(local_best_for(n, &peer4, &s), -1);
	free(n->locals);
	free(n);
}

UNIT_MAIN(UNIT_CASE(test_seed_lists), UNIT_CASE(test_fixed_seeds),
    UNIT_CASE(test_internal), UNIT_CASE(test_anchors),
    UNIT_CASE(test_local_addresses))
