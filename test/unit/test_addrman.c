/*
 * The address manager (net/addrman.c) and the ban list (net/banman.c):
 * table rules, persistence, corruption handling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "net/addrman.h"
#include "net/banman.h"
#include "unit.h"

#define NOW 1700000000

static struct addr_entry
ae(const char *s, int64_t t)
{
	struct addr_entry a;

	memset(&a, 0, sizeof(a));
	CHECK(service_parse(s, 8333, &a.svc) == 0);
	a.time = (uint32_t)t;
	a.services = 9;
	return a;
}

static struct netaddr
na(const char *s)
{
	struct netaddr a;

	CHECK(netaddr_parse(s, &a) == 0);
	return a;
}

static char *
tmpfile_path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "/tmp/br-test-%d-%s", (int)getpid(), name);
	return buf;
}

static void
test_add_rules(void)
{
	struct addrman *am = addrman_new(0);
	struct netaddr src = na("5.5.5.5");
	struct addr_entry a[4];

	a[0] = ae("1.2.3.4", NOW);
	a[1] = ae("127.0.0.1", NOW); /* not routable */
	a[2] = ae("10.0.0.1", NOW);  /* private */
	a[3] = ae("[2a00:1450::1]:8333", NOW);
	CHECK_EQ_INT(addrman_add(am, a, 4, &src, 0, NOW), 2);
	CHECK_EQ_INT(addrman_size(am, -1, -1), 2);
	CHECK_EQ_INT(addrman_size(am, -1, 1), 2);
	CHECK_EQ_INT(addrman_size(am, -1, 0), 0);
	CHECK_EQ_INT(addrman_size(am, NETC_IPV4, -1), 1);
	CHECK_EQ_INT(addrman_size(am, NETC_IPV6, -1), 1);
	/* Already known: not new again. */
	CHECK_EQ_INT(addrman_add(am, a, 1, &src, 0, NOW), 0);
	CHECK_EQ_INT(addrman_size(am, -1, -1), 2);
	CHECK(addrman_check(am) == 0);
	addrman_free(am);
}

static void
test_good_and_select(void)
{
	struct addrman *am = addrman_new(0);
	struct netaddr src = na("5.5.5.5");
	struct addr_entry a = ae("1.2.3.4:8333", NOW), b = ae("9.8.7.6", NOW);
	struct addr_entry out;
	struct service unknown;
	int i;

	CHECK(addrman_select(am, 0, NOW, &out) == -1);
	addrman_add(am, &a, 1, &src, 0, NOW);
	CHECK(addrman_good(am, &a.svc, NOW) == 0);
	CHECK_EQ_INT(addrman_size(am, -1, 0), 1);
	CHECK_EQ_INT(addrman_size(am, -1, 1), 0);
	/* Only a new address may be picked for new_only. */
	CHECK(addrman_select(am, 1, NOW, &out) == -1);
	CHECK(addrman_select(am, 0, NOW, &out) == 0);
	CHECK(service_eq(&out.svc, &a.svc));
	addrman_add(am, &b, 1, &src, 0, NOW);
	CHECK(addrman_select(am, 1, NOW, &out) == 0);
	CHECK(service_eq(&out.svc, &b.svc));
	for (i = 0; i < 50; i++) {
		CHECK(addrman_select(am, 0, NOW + 3600, &out) == 0);
		CHECK(service_eq(&out.svc, &a.svc) ||
		    service_eq(&out.svc, &b.svc));
	}
	CHECK(service_parse("3.3.3.3:1", 0, &unknown) == 0);
	CHECK(addrman_good(am, &unknown, NOW) == -1);
	/* Tried entries are not re-added to new. */
	CHECK_EQ_INT(addrman_add(am, &a, 1, &src, 0, NOW + 10), 0);
	CHECK(addrman_check(am) == 0);
	addrman_free(am);
}

static void
test_terrible_filtered(void)
{
	struct addrman *am = addrman_new(0);
	struct netaddr src = na("5.5.5.5");
	struct addr_entry a = ae("1.2.3.4", NOW), b = ae("4.3.2.1", NOW);
	struct addr_entry old = ae("7.7.7.7", NOW - 31 * 24 * 3600);
	struct addr_entry out[8];
	int i;

	addrman_add(am, &a, 1, &src, 0, NOW);
	addrman_add(am, &b, 1, &src, 0, NOW);
	addrman_add(am, &old, 1, &src, 0, NOW);
	/*
	 * Three counted failures and never a success: terrible. A failure
	 * counts once per success elsewhere (our link may be what is down).
	 */
	for (i = 0; i < 3; i++) {
		addrman_good(am, &a.svc, NOW + i * 100);
		addrman_attempt(am, &b.svc, 1, NOW + i * 100 + 1);
		addrman_attempt(am, &b.svc, 1, NOW + i * 100 + 2);
	}
	CHECK_EQ_INT(addrman_get_addr(am, 8, 0, -1, NOW + 1000, out), 1);
	CHECK(service_eq(&out[0].svc, &a.svc));
	/* Tried within the last minute: never terrible. */
	CHECK_EQ_INT(addrman_get_addr(am, 8, 0, -1, NOW + 230, out), 2);
	/* Class filter. */
	CHECK_EQ_INT(addrman_get_addr(am, 8, 0, NETC_IPV6, NOW + 1000, out),
	    0);
	addrman_free(am);
}

static void
test_getaddr_pct_and_source_limit(void)
{
	struct addrman *am = addrman_new(0);
	struct addr_entry *v, *out;
	struct netaddr src = na("5.5.5.5");
	char s[64];
	int i;

	v = calloc(20000, sizeof(*v));
	for (i = 0; i < 20000; i++) {
		snprintf(s, sizeof(s), "%d.%d.%d.%d", 11 + i % 200,
		    (i / 200) % 250, i % 7, 1 + i % 250);
		v[i] = ae(s, NOW);
	}
	addrman_add(am, v, 20000, &src, 0, NOW);
	/* One source group reaches at most 64 buckets of 64 positions. */
	CHECK(addrman_size(am, -1, -1) <= 64 * ADDRMAN_BUCKET_SIZE);
	CHECK(addrman_size(am, -1, -1) > 1000);
	CHECK(addrman_check(am) == 0);
	out = calloc(1000, sizeof(*out));
	CHECK_EQ_INT(addrman_get_addr(am, 1000, 23, -1, NOW, out),
	    (int)(addrman_size(am, -1, -1) * 23 / 100 < 1000 ?
		    addrman_size(am, -1, -1) * 23 / 100 :
		    1000));
	CHECK_EQ_INT(addrman_get_addr(am, 10, 0, -1, NOW, out), 10);
	free(out);
	free(v);
	addrman_free(am);
}

/* Fills am with n addresses from one source; returns its first 50 out. */
static void
fill_and_sample(struct addrman *am, int n, struct addr_entry *out)
{
	struct addr_entry *v = calloc((size_t)n, sizeof(*v));
	struct netaddr src = na("5.5.5.5");
	char s[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "%d.%d.3.%d", 11 + i % 200, i / 200,
		    1 + i % 250);
		v[i] = ae(s, NOW);
	}
	addrman_add(am, v, (size_t)n, &src, 0, NOW);
	CHECK_EQ_INT(addrman_get_addr(am, 50, 0, -1, NOW, out), 50);
	CHECK_EQ_INT(addrman_select(am, 1, NOW, &out[50]), 0);
	free(v);
}

/*
 * -test=addrman: the same inputs give the same table, the same sample
 * and the same selection; fresh random keys do not.
 */
static void
test_deterministic(void)
{
	struct addrman *a = addrman_new(1), *b = addrman_new(1);
	struct addrman *c = addrman_new(0), *d = addrman_new(0);
	struct addr_entry oa[51], ob[51], oc[51], od[51];

	/* Padding too, since the samples are compared whole. */
	memset(oa, 0, sizeof(oa));
	memset(ob, 0, sizeof(ob));
	memset(oc, 0, sizeof(oc));
	memset(od, 0, sizeof(od));
	fill_and_sample(a, 3000, oa);
	fill_and_sample(b, 3000, ob);
	CHECK_EQ_INT(addrman_size(a, -1, -1), addrman_size(b, -1, -1));
	/* 3000 addresses from one source group collide somewhere. */
	CHECK(addrman_size(a, -1, -1) < 3000);
	CHECK(memcmp(oa, ob, sizeof(oa)) == 0);
	fill_and_sample(c, 3000, oc);
	fill_and_sample(d, 3000, od);
	CHECK(memcmp(oc, od, sizeof(oc)) != 0);
	CHECK(memcmp(oa, oc, sizeof(oa)) != 0);
	addrman_free(a);
	addrman_free(b);
	addrman_free(c);
	addrman_free(d);
}

static void
test_persist(void)
{
	struct addrman *am = addrman_new(0), *am2 = addrman_new(0);
	struct netaddr src = na("5.5.5.5"), src2 = na("6.6.6.6");
	struct addr_entry v[300], out[400];
	const char *path = tmpfile_path("peers.dat");
	char s[64];
	FILE *f;
	long size;
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(s, sizeof(s), "%d.%d.%d.%d", 20 + i % 50, i % 13,
		    1 + i / 250, 1 + i % 250);
		v[i] = ae(s, NOW - i);
	}
	addrman_add(am, v, 150, &src, 0, NOW);
	addrman_add(am, v + 150, 150, &src2, 0, NOW);
	for (i = 0; i < 20; i++)
		addrman_good(am, &v[i].svc, NOW);
	unlink(path);
	CHECK_EQ_INT(addrman_load(am2, path), 1);
	CHECK(addrman_save(am, path) == 0);
	CHECK_EQ_INT(addrman_load(am2, path), 0);
	CHECK_EQ_INT(addrman_size(am2, -1, -1), addrman_size(am, -1, -1));
	CHECK_EQ_INT(addrman_size(am2, -1, 0), addrman_size(am, -1, 0));
	CHECK(addrman_check(am2) == 0);
	CHECK_EQ_INT(addrman_get_addr(am2, 400, 0, -1, NOW, out),
	    (int)addrman_size(am, -1, -1));
	/* Flip one byte: refused, the loaded state is kept. */
	f = fopen(path, "r+b");
	CHECK(f != NULL);
	fseek(f, 40, SEEK_SET);
	fputc(0x5a ^ fgetc(f), f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	CHECK_EQ_INT(addrman_load(am2, path), -1);
	CHECK_EQ_INT(addrman_size(am2, -1, -1), addrman_size(am, -1, -1));
	/* Truncated: refused. */
	CHECK(truncate(path, size / 2) == 0);
	CHECK_EQ_INT(addrman_load(am2, path), -1);
	CHECK(truncate(path, 10) == 0);
	CHECK_EQ_INT(addrman_load(am2, path), -1);
	CHECK(addrman_check(am2) == 0);
	unlink(path);
	addrman_free(am);
	addrman_free(am2);
}

static void
test_ban_basics(void)
{
	struct banman *bm = banman_new(tmpfile_path("banlist.json"), 0);
	struct subnet sn, single;
	struct netaddr a = na("1.2.3.4"), b = na("1.2.4.4");
	const struct ban_entry *l;
	size_t n;

	CHECK(subnet_parse("1.2.3.0/24", &sn) == 0);
	CHECK(!banman_is_banned(bm, &a, NOW));
	banman_ban(bm, &sn, 0, 0, NOW);
	CHECK(banman_is_banned(bm, &a, NOW));
	CHECK(!banman_is_banned(bm, &b, NOW));
	CHECK(banman_is_banned_subnet(bm, &sn, NOW));
	subnet_single(&single, &a);
	CHECK(!banman_is_banned_subnet(bm, &single, NOW));
	/* The default ban lasts 24 hours. */
	CHECK(banman_is_banned(bm, &a, NOW + 24 * 3600 - 1));
	CHECK(!banman_is_banned(bm, &a, NOW + 24 * 3600));
	l = banman_list(bm, NOW, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(l[0].until - l[0].created, 24 * 3600);
	/* Absolute expiry, and expired bans leave the list. */
	banman_ban(bm, &single, NOW + 50, 1, NOW);
	l = banman_list(bm, NOW + 10, &n);
	CHECK_EQ_INT(n, 2);
	l = banman_list(bm, NOW + 60, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(banman_unban(bm, &single), -1);
	CHECK_EQ_INT(banman_unban(bm, &sn), 0);
	CHECK(!banman_is_banned(bm, &a, NOW));
	banman_ban(bm, &sn, 100, 0, NOW);
	banman_clear(bm);
	CHECK(!banman_is_banned(bm, &a, NOW));
	banman_free(bm);
}

static void
test_ban_persist(void)
{
	const char *path = tmpfile_path("banlist.json");
	struct banman *bm = banman_new(path, 3600), *bm2;
	struct subnet sn;
	struct netaddr a = na("2001:4860::8");
	const struct ban_entry *l;
	FILE *f;
	size_t n;

	unlink(path);
	CHECK(subnet_parse("2001:4860::/32", &sn) == 0);
	banman_ban(bm, &sn, 0, 0, NOW);
	CHECK(banman_save(bm) == 0);
	bm2 = banman_new(path, 3600);
	CHECK_EQ_INT(banman_load(bm2, NOW + 1), 0);
	CHECK(banman_is_banned(bm2, &a, NOW + 1));
	l = banman_list(bm2, NOW + 1, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(l[0].created, NOW);
	CHECK_EQ_INT(l[0].until, NOW + 3600);
	banman_free(bm2);
	/* Loaded after expiry: nothing left. */
	bm2 = banman_new(path, 3600);
	CHECK_EQ_INT(banman_load(bm2, NOW + 7200), 0);
	l = banman_list(bm2, NOW + 7200, &n);
	CHECK_EQ_INT(n, 0);
	banman_free(bm2);
	/* Malformed files are refused, malformed entries skipped. */
	f = fopen(path, "w");
	fputs("{\"banned_nets\": [", f);
	fclose(f);
	bm2 = banman_new(path, 3600);
	CHECK_EQ_INT(banman_load(bm2, NOW), -1);
	banman_free(bm2);
	f = fopen(path, "w");
	fputs("{\"banned_nets\": [{\"version\": 1, \"ban_created\": 1, "
	      "\"banned_until\": 99999999999, \"address\": \"not-an-ip\"}, "
	      "{\"version\": 1, \"ban_created\": 1, \"banned_until\": "
	      "99999999999, \"address\": \"8.8.8.0/24\"}]}",
	    f);
	fclose(f);
	bm2 = banman_new(path, 3600);
	CHECK_EQ_INT(banman_load(bm2, NOW), 0);
	l = banman_list(bm2, NOW, &n);
	CHECK_EQ_INT(n, 1);
	banman_free(bm2);
	unlink(path);
	CHECK_EQ_INT(banman_load(bm, NOW), 1);
	banman_free(bm);
}

static void
test_discourage_bounded(void)
{
	struct banman *bm = banman_new(tmpfile_path("b.json"), 0);
	struct netaddr a;
	uint8_t b[4];
	int i;

	for (i = 0; i < DISCOURAGED_MAX + 10; i++) {
		b[0] = 20;
		b[1] = (uint8_t)(i >> 16);
		b[2] = (uint8_t)(i >> 8);
		b[3] = (uint8_t)i;
		netaddr_set_ipv4(&a, b);
		banman_discourage(bm, &a);
	}
	CHECK(banman_is_discouraged(bm, &a));
	/* The oldest fell out. */
	b[1] = b[2] = b[3] = 0;
	netaddr_set_ipv4(&a, b);
	CHECK(!banman_is_discouraged(bm, &a));
	b[3] = 20;
	netaddr_set_ipv4(&a, b);
	CHECK(banman_is_discouraged(bm, &a));
	banman_free(bm);
}

/*
 * Found by fuzz_peersdat: last_try and last_success are any 64 bits in
 * peers.dat, and "now - last_try" overflowed (undefined; wrapped, an
 * address tried at INT64_MIN looked tried just now and never terrible);
 * an attempt count of 0xffffffff read as -1. Now the differences
 * saturate and the count is capped, so such an entry is terrible.
 */
static void
test_load_extreme_times(void)
{
	struct addrman *am = addrman_new(0);
	struct addr_entry out[4];
	struct wbuf w;
	static const uint8_t ip[4] = { 1, 2, 3, 4 }, src[4] = { 5, 6, 7, 8 };

	wbuf_init(&w);
	wbuf_put(&w, "BRPEERS1", 8);
	wbuf_put_le64(&w, 1);
	wbuf_put_le64(&w, 2);
	wbuf_put_le32(&w, 1);
	wbuf_put_u8(&w, NET_IPV4);
	wbuf_put_u8(&w, 4);
	wbuf_put(&w, ip, 4);
	wbuf_put_le16(&w, 8333);
	wbuf_put_le64(&w, 1);
	wbuf_put_le32(&w, (uint32_t)(NOW - 3600));
	wbuf_put_u8(&w, NET_IPV4);
	wbuf_put_u8(&w, 4);
	wbuf_put(&w, src, 4);
	wbuf_put_le64(&w, (uint64_t)INT64_MIN); /* last success */
	wbuf_put_le64(&w, (uint64_t)INT64_MIN); /* last try */
	wbuf_put_le32(&w, 0xffffffffu);		/* attempts */
	wbuf_put_u8(&w, 0);
	wbuf_reserve(&w, 32);
	sha256(w.p, w.len, w.p + w.len);
	w.len += 32;
	CHECK_EQ_INT(addrman_load_buf(am, w.p, w.len, "test"), 0);
	CHECK_EQ_INT(addrman_size(am, -1, -1), 1);
	CHECK_EQ_INT(addrman_check(am), 0);
	/* Failed forever, never succeeded: not handed out. */
	CHECK_EQ_INT(addrman_get_addr(am, 4, 0, -1, NOW, out), 0);
	CHECK_EQ_INT(addrman_select(am, 0, NOW, out), 0);
	addrman_attempt(am, &out[0].svc, 1, NOW);
	wbuf_free(&w);
	addrman_free(am);
}

UNIT_MAIN(UNIT_CASE(test_load_extreme_times), UNIT_CASE(test_add_rules),
    UNIT_CASE(test_good_and_select), UNIT_CASE(test_terrible_filtered),
    UNIT_CASE(test_getaddr_pct_and_source_limit), UNIT_CASE(test_persist),
    UNIT_CASE(test_deterministic),
    UNIT_CASE(test_ban_basics), UNIT_CASE(test_ban_persist),
    UNIT_CASE(test_discourage_bounded))
