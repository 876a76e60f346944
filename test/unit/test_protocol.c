/*
 * The P2P wire codec (net/protocol.c) and the address helpers it uses:
 * round trips of every message, and every malformed input refused.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "util/htab.h"
#include "net/netaddr.h"
#include "net/netperm.h"
#include "net/protocol.h"
#include "net/socks5.h"
#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"

static const uint8_t regtest_magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };

static void
test_header_roundtrip(void)
{
	uint8_t hdr[MSG_HEADER_SIZE], sum[4], payload[5] = "hello";
	struct msg_header h;

	msg_header_build(hdr, regtest_magic, "ping", payload, sizeof(payload));
	msg_header_parse(hdr, &h);
	CHECK(memcmp(h.magic, regtest_magic, 4) == 0);
	CHECK_EQ_STR(h.cmd, "ping");
	CHECK(h.cmd_valid);
	CHECK_EQ_INT(h.len, 5);
	msg_checksum(payload, sizeof(payload), sum);
	CHECK(memcmp(h.checksum, sum, 4) == 0);
	/* The empty payload's checksum is Core's 5df6e0e2. */
	msg_header_build(hdr, regtest_magic, "verack", NULL, 0);
	msg_header_parse(hdr, &h);
	CHECK(h.checksum[0] == 0x5d && h.checksum[1] == 0xf6 &&
	    h.checksum[2] == 0xe0 && h.checksum[3] == 0xe2);
	CHECK_EQ_INT(h.len, 0);
	/* A 12-character command fills the field with no NUL. */
	msg_header_build(hdr, regtest_magic, "sendaddrv2xy", NULL, 0);
	msg_header_parse(hdr, &h);
	CHECK_EQ_STR(h.cmd, "sendaddrv2xy");
	CHECK(h.cmd_valid);
}

static void
test_header_invalid_command(void)
{
	uint8_t hdr[MSG_HEADER_SIZE];
	struct msg_header h;

	msg_header_build(hdr, regtest_magic, "ping", NULL, 0);
	/* Bytes after the first NUL must be NUL too. */
	hdr[4 + 6] = 'x';
	msg_header_parse(hdr, &h);
	CHECK(!h.cmd_valid);
	msg_header_build(hdr, regtest_magic, "ping", NULL, 0);
	hdr[4 + 1] = 0x07;
	msg_header_parse(hdr, &h);
	CHECK(!h.cmd_valid);
	msg_header_build(hdr, regtest_magic, "ping", NULL, 0);
	hdr[4 + 2] = 0x80;
	msg_header_parse(hdr, &h);
	CHECK(!h.cmd_valid);
	/* The declared length is read as it is: the caller checks the cap. */
	msg_header_build(hdr, regtest_magic, "block", NULL, 0);
	le32_write(hdr + 16, MAX_PROTOCOL_MESSAGE_LENGTH + 1);
	msg_header_parse(hdr, &h);
	CHECK(h.len == MAX_PROTOCOL_MESSAGE_LENGTH + 1);
}

static void
test_msg_types(void)
{
	int t;

	for (t = 0; t < MT_OTHER; t++)
		CHECK_EQ_INT(msg_type_lookup(msg_type_name((enum msg_type)t)),
		    t);
	CHECK_EQ_INT(msg_type_lookup("reject"), MT_OTHER);
	CHECK_EQ_INT(msg_type_lookup(""), MT_OTHER);
	CHECK_EQ_INT(msg_type_from_name("*other*"), MT_OTHER);
	CHECK_EQ_INT(msg_type_from_name("nope"), -1);
	CHECK_EQ_STR(msg_type_name(MT_SENDTXRCNCL), "sendtxrcncl");
}

static void
fill_version(struct version_msg *v)
{
	memset(v, 0, sizeof(*v));
	v->version = PROTOCOL_VERSION;
	v->services = NODE_NETWORK | NODE_WITNESS;
	v->timestamp = 1700000000;
	CHECK(service_parse("127.0.0.1:18444", 0, &v->addr_recv) == 0);
	v->addr_from.addr.net = NET_IPV6;
	v->addr_from.addr.len = 16;
	v->nonce = 0x1122334455667788ULL;
	strcpy(v->subver, "/bitroot:0.1.0(test)/");
	v->start_height = 1100;
	v->relay = 0;
}

static void
test_version_roundtrip(void)
{
	struct version_msg v, u;
	struct wbuf w;
	struct rbuf r;

	fill_version(&v);
	wbuf_init(&w);
	version_encode(&w, &v);
	rbuf_init(&r, w.p, w.len);
	CHECK(version_parse(&r, &u) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	CHECK_EQ_INT(u.version, PROTOCOL_VERSION);
	CHECK(u.services == (NODE_NETWORK | NODE_WITNESS));
	CHECK_EQ_INT(u.timestamp, 1700000000);
	CHECK(service_eq(&u.addr_recv, &v.addr_recv));
	CHECK(u.addr_recv.addr.net == NET_IPV4);
	CHECK(u.nonce == v.nonce);
	CHECK_EQ_STR(u.subver, "/bitroot:0.1.0(test)/");
	CHECK_EQ_INT(u.start_height, 1100);
	CHECK_EQ_INT(u.relay, 0);
	/* 4+8+8+26 version fields, 26+8 from/nonce, 1+21 subver, 4, 1. */
	CHECK_EQ_INT(w.len, 46 + 34 + 22 + 4 + 1);
	wbuf_free(&w);
}

static void
test_version_optional_fields(void)
{
	struct version_msg v, u;
	struct wbuf w;
	struct rbuf r;
	size_t cut[] = { 46, 80, 102, 106 };
	size_t i;

	fill_version(&v);
	wbuf_init(&w);
	version_encode(&w, &v);
	/* Each optional group may be missing; Core's defaults apply. */
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		rbuf_init(&r, w.p, cut[i]);
		CHECK(version_parse(&r, &u) == 0);
	}
	rbuf_init(&r, w.p, 46);
	CHECK(version_parse(&r, &u) == 0);
	CHECK(u.nonce == 1);
	CHECK_EQ_INT(u.start_height, -1);
	CHECK_EQ_INT(u.relay, 1);
	CHECK_EQ_STR(u.subver, "");
	rbuf_init(&r, w.p, 102);
	CHECK(version_parse(&r, &u) == 0);
	CHECK_EQ_STR(u.subver, "/bitroot:0.1.0(test)/");
	CHECK_EQ_INT(u.start_height, -1);
	wbuf_free(&w);
}

static void
test_version_truncated(void)
{
	struct version_msg v, u;
	struct wbuf w;
	struct rbuf r;
	size_t n;

	fill_version(&v);
	wbuf_init(&w);
	version_encode(&w, &v);
	/* Every cut inside a field is malformed; cuts between groups are not. */
	for (n = 0; n < w.len; n++) {
		int ok = n == 46 || n == 80 || n == 102 || n == 106;

		rbuf_init(&r, w.p, n);
		CHECK_EQ_INT(version_parse(&r, &u) == 0, ok);
	}
	wbuf_free(&w);
}

static void
test_version_long_subver(void)
{
	struct version_msg v, u;
	struct wbuf w;
	struct rbuf r;
	uint8_t buf[512];
	size_t off;

	fill_version(&v);
	wbuf_init(&w);
	version_encode(&w, &v);
	/* Rebuild with a 257-byte user agent: over MAX_SUBVERSION_LENGTH. */
	off = 80;
	memcpy(buf, w.p, off);
	buf[off++] = 0xfd;
	buf[off++] = 0x01;
	buf[off++] = 0x01;
	memset(buf + off, 'a', 257);
	off += 257;
	rbuf_init(&r, buf, off);
	CHECK(version_parse(&r, &u) == PROTO_EMALFORMED);
	/* 256 is the limit and fits. */
	buf[81] = 0x00;
	rbuf_init(&r, buf, off - 1);
	CHECK(version_parse(&r, &u) == 0);
	CHECK_EQ_INT(u.subver_len, 256);
	/* A non-canonical length prefix is refused. */
	buf[80] = 0xfd;
	buf[81] = 0x05;
	buf[82] = 0x00;
	rbuf_init(&r, buf, 83 + 5);
	CHECK(version_parse(&r, &u) == PROTO_EMALFORMED);
	wbuf_free(&w);
}

static struct addr_entry
mk_addr(const char *s, uint32_t t)
{
	struct addr_entry a;

	memset(&a, 0, sizeof(a));
	CHECK(service_parse(s, 8333, &a.svc) == 0);
	a.time = t;
	a.services = NODE_NETWORK | NODE_WITNESS;
	return a;
}

static void
test_addr_roundtrip(void)
{
	struct addr_entry in[3], *out;
	size_t n, unknown;
	struct wbuf w;
	struct rbuf r;
	int v2;

	in[0] = mk_addr("1.2.3.4:8333", 1700000000);
	in[1] = mk_addr("[2001:4860::1]:18444", 1700000001);
	in[2] = mk_addr("8.8.8.8", 5);
	for (v2 = 0; v2 <= 1; v2++) {
		wbuf_init(&w);
		addr_encode(&w, v2, in, 3);
		rbuf_init(&r, w.p, w.len);
		CHECK(addr_parse(&r, v2, &out, &n, &unknown) == 0);
		CHECK_EQ_INT(rbuf_left(&r), 0);
		CHECK_EQ_INT(n, 3);
		CHECK_EQ_INT(unknown, 0);
		CHECK(service_eq(&out[0].svc, &in[0].svc));
		CHECK(out[0].svc.addr.net == NET_IPV4);
		CHECK(service_eq(&out[1].svc, &in[1].svc));
		CHECK(out[2].svc.port == 8333);
		CHECK(out[1].time == 1700000001);
		CHECK(out[0].services == (NODE_NETWORK | NODE_WITNESS));
		free(out);
		if (!v2)
			CHECK_EQ_INT(w.len, 1 + 3 * 30);
		wbuf_free(&w);
	}
}

static void
test_addr_limits(void)
{
	struct addr_entry *in, *out;
	size_t n, unknown, i;
	struct wbuf w;
	struct rbuf r;

	in = calloc(MAX_ADDR_TO_SEND + 1, sizeof(*in));
	for (i = 0; i <= MAX_ADDR_TO_SEND; i++)
		in[i] = mk_addr("9.9.9.9", (uint32_t)i);
	wbuf_init(&w);
	addr_encode(&w, 0, in, MAX_ADDR_TO_SEND);
	rbuf_init(&r, w.p, w.len);
	CHECK(addr_parse(&r, 0, &out, &n, &unknown) == 0);
	CHECK_EQ_INT(n, MAX_ADDR_TO_SEND);
	free(out);
	wbuf_reset(&w);
	addr_encode(&w, 1, in, MAX_ADDR_TO_SEND + 1);
	rbuf_init(&r, w.p, w.len);
	CHECK(addr_parse(&r, 1, &out, &n, &unknown) == PROTO_ETOOMANY);
	CHECK(out == NULL);
	CHECK_EQ_INT(n, MAX_ADDR_TO_SEND + 1);
	/* Truncated anywhere: malformed. */
	wbuf_reset(&w);
	addr_encode(&w, 0, in, 2);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(
		    addr_parse(&r, 0, &out, &n, &unknown) == PROTO_EMALFORMED);
		CHECK(out == NULL);
	}
	wbuf_reset(&w);
	addr_encode(&w, 1, in, 2);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(
		    addr_parse(&r, 1, &out, &n, &unknown) == PROTO_EMALFORMED);
	}
	wbuf_free(&w);
	free(in);
}

static int
parse_v2_hex(const char *hexs, size_t *n, size_t *unknown,
    struct addr_entry **out)
{
	uint8_t buf[1024];
	struct rbuf r;
	int len = hex_decode(hexs, buf, sizeof(buf)), rc;

	CHECK(len >= 0);
	rbuf_init(&r, buf, (size_t)len);
	rc = addr_parse(&r, 1, out, n, unknown);
	return rc;
}

static void
test_addrv2_networks(void)
{
	struct addr_entry *out;
	size_t n, unknown;
	char hexs[2048];
	struct wbuf w;

	/* One IPv4 entry: time, services (compact 9), net 1, len 4, addr, port. */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "09"
			   "01"
			   "04"
			   "01020304"
			   "208d",
		  &n, &unknown, &out) == 0);
	CHECK_EQ_INT(n, 1);
	CHECK(out[0].svc.port == 8333 && out[0].svc.addr.a[3] == 4);
	free(out);
	/* IPv4 with length 5: malformed (Core throws). */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "09"
			   "01"
			   "05"
			   "0102030405"
			   "208d",
		  &n, &unknown, &out) == PROTO_EMALFORMED);
	/* IPv6 with length 4: malformed. */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "09"
			   "02"
			   "04"
			   "01020304"
			   "208d",
		  &n, &unknown, &out) == PROTO_EMALFORMED);
	/* Unknown network 0x42 of 3 bytes: read as no address, counted. */
	CHECK(parse_v2_hex("02"
			   "00e1f505"
			   "09"
			   "42"
			   "03"
			   "aabbcc"
			   "208d"
			   "00e1f505"
			   "09"
			   "01"
			   "04"
			   "05060708"
			   "208d",
		  &n, &unknown, &out) == 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(unknown, 1);
	CHECK(out[0].svc.addr.net == NET_NONE);
	CHECK(!netaddr_is_valid(&out[0].svc.addr));
	CHECK(out[1].svc.addr.a[0] == 5);
	/* Encoded again, the ignored entry is left out. */
	wbuf_init(&w);
	addr_encode(&w, 1, out, n);
	CHECK(w.len > 0 && w.p[0] == 1);
	wbuf_free(&w);
	free(out);
	/* TORv3 and I2P (32 bytes), CJDNS (16): kept, to be gossiped. */
	snprintf(hexs, sizeof(hexs),
	    "03"
	    "00e1f505"
	    "09"
	    "04"
	    "20"
	    "%064d"
	    "208d"
	    "00e1f505"
	    "09"
	    "05"
	    "20"
	    "%064d"
	    "208d"
	    "00e1f505"
	    "09"
	    "06"
	    "10"
	    "fc%030d"
	    "208d",
	    7, 8, 9);
	CHECK(parse_v2_hex(hexs, &n, &unknown, &out) == 0);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(unknown, 0);
	CHECK(out[0].svc.addr.net == NET_TORV3 && out[0].svc.addr.len == 32);
	CHECK(out[1].svc.addr.net == NET_I2P && out[1].svc.addr.len == 32);
	CHECK(out[2].svc.addr.net == NET_CJDNS && out[2].svc.addr.len == 16);
	CHECK(netaddr_is_valid(&out[0].svc.addr) &&
	    netaddr_is_routable(&out[0].svc.addr));
	CHECK(netaddr_is_valid(&out[2].svc.addr));
	CHECK(!addr_v1_compatible(&out[0].svc.addr));
	free(out);
	/* A CJDNS address outside fc00::/8 is read, but not valid. */
	snprintf(hexs, sizeof(hexs),
	    "01"
	    "00e1f505"
	    "09"
	    "06"
	    "10"
	    "%032d"
	    "208d",
	    1);
	CHECK(parse_v2_hex(hexs, &n, &unknown, &out) == 0);
	CHECK(n == 1 && out[0].svc.addr.net == NET_CJDNS);
	CHECK(!netaddr_is_valid(&out[0].svc.addr));
	free(out);
	/* TORv2 (10 bytes) is no longer supported: no address. */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "09"
			   "03"
			   "0a"
			   "00112233445566778899"
			   "208d",
		  &n, &unknown, &out) == 0);
	CHECK(n == 1 && unknown == 1 && out[0].svc.addr.net == NET_NONE);
	free(out);
	/* IPv4-mapped and TORv2 (OnionCat) IPv6 addresses in addrv2: none. */
	CHECK(parse_v2_hex("02"
			   "00e1f505"
			   "09"
			   "02"
			   "10"
			   "00000000000000000000ffff01020304"
			   "208d"
			   "00e1f505"
			   "09"
			   "02"
			   "10"
			   "fd87d87eeb4300000000000000000001"
			   "208d",
		  &n, &unknown, &out) == 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(unknown, 2);
	CHECK(out[0].svc.addr.net == NET_NONE &&
	    out[1].svc.addr.net == NET_NONE);
	free(out);
	/* Address length over 512 bytes: malformed. */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "09"
			   "42"
			   "fd0102",
		  &n, &unknown, &out) == PROTO_EMALFORMED);
	/* Non-canonical services: malformed. */
	CHECK(parse_v2_hex("01"
			   "00e1f505"
			   "fd0900"
			   "01"
			   "04"
			   "01020304"
			   "208d",
		  &n, &unknown, &out) == PROTO_EMALFORMED);
	/* Non-canonical count: malformed. */
	CHECK(parse_v2_hex("fd0100"
			   "00e1f505"
			   "09"
			   "01"
			   "04"
			   "01020304"
			   "208d",
		  &n, &unknown, &out) == PROTO_EMALFORMED);
}

static void
test_inv_roundtrip_and_limits(void)
{
	struct inv *in, *out;
	size_t n, i;
	struct wbuf w;
	struct rbuf r;

	in = calloc(MAX_INV_SZ + 1, sizeof(*in));
	for (i = 0; i <= MAX_INV_SZ; i++) {
		in[i].type = i % 2 ? MSG_WITNESS_BLOCK : MSG_TX;
		le32_write(in[i].hash, (uint32_t)i);
	}
	wbuf_init(&w);
	inv_encode(&w, in, 3);
	rbuf_init(&r, w.p, w.len);
	CHECK(inv_parse(&r, &out, &n) == 0);
	CHECK_EQ_INT(n, 3);
	CHECK(out[1].type == MSG_WITNESS_BLOCK);
	CHECK(memcmp(out[2].hash, in[2].hash, 32) == 0);
	free(out);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(inv_parse(&r, &out, &n) == PROTO_EMALFORMED);
		CHECK(out == NULL);
	}
	wbuf_reset(&w);
	inv_encode(&w, in, MAX_INV_SZ);
	rbuf_init(&r, w.p, w.len);
	CHECK(inv_parse(&r, &out, &n) == 0);
	CHECK_EQ_INT(n, MAX_INV_SZ);
	free(out);
	wbuf_reset(&w);
	inv_encode(&w, in, MAX_INV_SZ + 1);
	rbuf_init(&r, w.p, w.len);
	CHECK(inv_parse(&r, &out, &n) == PROTO_ETOOMANY);
	CHECK_EQ_INT(n, MAX_INV_SZ + 1);
	/* A count the payload cannot hold is caught before allocating. */
	{
		uint8_t b[] = { 0xfe, 0x40, 0x42, 0x0f, 0x00 };

		rbuf_init(&r, b, sizeof(b));
		CHECK(inv_parse(&r, &out, &n) == PROTO_ETOOMANY);
		b[0] = 0xfd;
		b[1] = 0x10;
		b[2] = 0x27;
		rbuf_init(&r, b, 3);
		CHECK(inv_parse(&r, &out, &n) == PROTO_EMALFORMED);
	}
	wbuf_free(&w);
	free(in);
}

static void
test_locator(void)
{
	uint8_t(*h)[32], stop[32];
	struct locator_msg m;
	struct wbuf w;
	struct rbuf r;
	size_t i;

	h = calloc(MAX_LOCATOR_SZ + 1, 32);
	for (i = 0; i <= MAX_LOCATOR_SZ; i++)
		h[i][0] = (uint8_t)i;
	memset(stop, 0xab, 32);
	wbuf_init(&w);
	locator_encode(&w, (const uint8_t(*)[32])h, 5, stop);
	rbuf_init(&r, w.p, w.len);
	CHECK(locator_parse(&r, &m) == 0);
	CHECK_EQ_INT(m.version, PROTOCOL_VERSION);
	CHECK_EQ_INT(m.n, 5);
	CHECK(m.hashes[4][0] == 4);
	CHECK(memcmp(m.stop, stop, 32) == 0);
	free(m.hashes);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(locator_parse(&r, &m) == PROTO_EMALFORMED);
		CHECK(m.hashes == NULL);
	}
	wbuf_reset(&w);
	locator_encode(&w, (const uint8_t(*)[32])h, MAX_LOCATOR_SZ, stop);
	rbuf_init(&r, w.p, w.len);
	CHECK(locator_parse(&r, &m) == 0);
	CHECK_EQ_INT(m.n, MAX_LOCATOR_SZ);
	free(m.hashes);
	wbuf_reset(&w);
	locator_encode(&w, (const uint8_t(*)[32])h, MAX_LOCATOR_SZ + 1, stop);
	rbuf_init(&r, w.p, w.len);
	CHECK(locator_parse(&r, &m) == PROTO_ETOOMANY);
	CHECK_EQ_INT(m.n, MAX_LOCATOR_SZ + 1);
	/* Empty locator (a lookup of the stop hash) is fine. */
	wbuf_reset(&w);
	locator_encode(&w, NULL, 0, stop);
	rbuf_init(&r, w.p, w.len);
	CHECK(locator_parse(&r, &m) == 0);
	CHECK_EQ_INT(m.n, 0);
	free(m.hashes);
	wbuf_free(&w);
	free(h);
}

static void
test_headers(void)
{
	struct block_header *in, *out;
	uint8_t raw[BLOCK_HEADER_SIZE];
	size_t n, i;
	struct wbuf w;
	struct rbuf r;

	in = calloc(MAX_HEADERS_RESULTS + 1, sizeof(*in));
	for (i = 0; i <= MAX_HEADERS_RESULTS; i++) {
		in[i].version = 0x20000000;
		in[i].time = (uint32_t)(1700000000 + i);
		in[i].bits = 0x207fffff;
		in[i].nonce = (uint32_t)i;
		in[i].prev[0] = (uint8_t)i;
	}
	wbuf_init(&w);
	headers_encode(&w, in, 2);
	CHECK_EQ_INT(w.len, 1 + 2 * 81);
	rbuf_init(&r, w.p, w.len);
	CHECK(headers_parse(&r, &out, &n) == 0);
	CHECK_EQ_INT(n, 2);
	CHECK(out[1].nonce == 1 && out[1].time == 1700000001);
	free(out);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(headers_parse(&r, &out, &n) == PROTO_EMALFORMED);
	}
	/* A non-zero transaction count is read and ignored, as Core. */
	w.p[1 + 80] = 0x05;
	rbuf_init(&r, w.p, w.len);
	CHECK(headers_parse(&r, &out, &n) == 0);
	free(out);
	wbuf_reset(&w);
	headers_encode(&w, in, MAX_HEADERS_RESULTS);
	rbuf_init(&r, w.p, w.len);
	CHECK(headers_parse(&r, &out, &n) == 0);
	CHECK_EQ_INT(n, MAX_HEADERS_RESULTS);
	header_serialize(&in[1999], raw);
	CHECK(memcmp(w.p + 3 + 1999 * 81, raw, 80) == 0);
	free(out);
	wbuf_reset(&w);
	headers_encode(&w, in, MAX_HEADERS_RESULTS + 1);
	rbuf_init(&r, w.p, w.len);
	CHECK(headers_parse(&r, &out, &n) == PROTO_ETOOMANY);
	CHECK_EQ_INT(n, MAX_HEADERS_RESULTS + 1);
	wbuf_free(&w);
	free(in);
}

static void
test_small_messages(void)
{
	uint8_t b[16];
	uint64_t nonce, version;
	int64_t rate;
	int announce;
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w);
	nonce_encode(&w, 0);
	rbuf_init(&r, w.p, w.len);
	CHECK(nonce_parse(&r, &nonce) == 0 && nonce == 0);
	rbuf_init(&r, w.p, 7);
	CHECK(nonce_parse(&r, &nonce) == PROTO_EMALFORMED);
	wbuf_free(&w);
	le64_write(b, 1000);
	rbuf_init(&r, b, 8);
	CHECK(feefilter_parse(&r, &rate) == 0 && rate == 1000);
	rbuf_init(&r, b, 4);
	CHECK(feefilter_parse(&r, &rate) == PROTO_EMALFORMED);
	b[0] = 1;
	le64_write(b + 1, 2);
	rbuf_init(&r, b, 9);
	CHECK(sendcmpct_parse(&r, &announce, &version) == 0);
	CHECK(announce == 1 && version == 2);
	rbuf_init(&r, b, 8);
	CHECK(sendcmpct_parse(&r, &announce, &version) == PROTO_EMALFORMED);
}

/* A compact block with n short ids and one prefilled tx at index idx. */
static void
cmpct_build(struct wbuf *w, const uint8_t hdr[BLOCK_HEADER_SIZE],
    uint64_t nshort, uint64_t idx, const uint8_t *tx, size_t txlen)
{
	uint64_t i;

	wbuf_reset(w);
	wbuf_put(w, hdr, BLOCK_HEADER_SIZE);
	wbuf_put_le64(w, 42);
	wbuf_put_compact(w, nshort);
	for (i = 0; i < nshort; i++)
		wbuf_put(w, "abcdef", SHORTTXID_SIZE);
	wbuf_put_compact(w, 1);
	wbuf_put_compact(w, idx);
	wbuf_put(w, tx, txlen);
}

static void
test_cmpctblock(void)
{
	/* Version 2, one input spending nothing, one output: a whole tx. */
	static const char txhex[] =
	    "02000000"
	    "01"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "ffffffff"
	    "0151"
	    "ffffffff"
	    "01"
	    "0000000000000000"
	    "0151"
	    "00000000";
	/* No inputs, no outputs: reads, but is Core's null transaction. */
	static const uint8_t nulltx[] = { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct block_header h, out;
	uint8_t raw[BLOCK_HEADER_SIZE], tx[64];
	struct wbuf w;
	struct rbuf r;
	size_t i;
	int txlen, bad;

	memset(&h, 0, sizeof(h));
	h.version = 0x20000000;
	h.prev[0] = 9;
	h.time = 1700000000;
	h.bits = 0x207fffff;
	h.nonce = 7;
	header_serialize(&h, raw);
	txlen = hex_decode(txhex, tx, sizeof(tx));
	CHECK(txlen > 0);
	wbuf_init(&w);
	cmpct_build(&w, raw, 2, 0, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && !bad);
	CHECK(memcmp(&out, &h, sizeof(h)) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	for (i = 0; i < w.len; i++) {
		rbuf_init(&r, w.p, i);
		CHECK(cmpctblock_parse(&r, &out, &bad) == PROTO_EMALFORMED);
	}
	/* A prefilled index is read into 16 bits, as Core. */
	cmpct_build(&w, raw, 0, 0xffff, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && bad);
	cmpct_build(&w, raw, 0, 0x10000, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == PROTO_EMALFORMED);
	/* 65535 transactions in all, and no more ("indexes overflowed"). */
	cmpct_build(&w, raw, MAX_CMPCTBLOCK_TXS - 1, 0, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && !bad);
	cmpct_build(&w, raw, MAX_CMPCTBLOCK_TXS, 0, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == PROTO_EMALFORMED);
	/* With two short ids a prefilled tx may go at 0, 1 or 2, not 3. */
	cmpct_build(&w, raw, 2, 2, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && !bad);
	cmpct_build(&w, raw, 2, 3, tx, (size_t)txlen);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && bad);
	cmpct_build(&w, raw, 2, 0, nulltx, sizeof(nulltx));
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && bad);
	/* No transactions at all. */
	wbuf_reset(&w);
	wbuf_put(&w, raw, sizeof(raw));
	wbuf_put_le64(&w, 42);
	wbuf_put_compact(&w, 0);
	wbuf_put_compact(&w, 0);
	rbuf_init(&r, w.p, w.len);
	CHECK(cmpctblock_parse(&r, &out, &bad) == 0 && bad);
	wbuf_free(&w);
}

/* BIP157: the requests' layout, and the answers' bytes spelled out. */
static void
test_cfilter_messages(void)
{
	uint8_t b[40], h1[32], h2[32], h3[32];
	const uint8_t filt[] = { 0x01, 0x8c, 0x40, 0x98 };
	struct getcf_msg m;
	struct rbuf r;
	struct wbuf w;

	memset(h1, 0x11, 32);
	memset(h2, 0x22, 32);
	memset(h3, 0x33, 32);
	b[0] = 0;
	le32_write(b + 1, 1000);
	memcpy(b + 5, h1, 32);
	rbuf_init(&r, b, 37);
	CHECK(getcf_parse(&r, &m) == 0);
	CHECK(m.type == 0 && m.start == 1000 && memcmp(m.stop, h1, 32) == 0);
	rbuf_init(&r, b, 36);
	CHECK(getcf_parse(&r, &m) == PROTO_EMALFORMED);
	b[0] = 255;
	memcpy(b + 1, h2, 32);
	rbuf_init(&r, b, 33);
	CHECK(getcfcheckpt_parse(&r, &m) == 0);
	CHECK(m.type == 255 && m.start == 0 && memcmp(m.stop, h2, 32) == 0);
	rbuf_init(&r, b, 32);
	CHECK(getcfcheckpt_parse(&r, &m) == PROTO_EMALFORMED);

	wbuf_init(&w);
	cfilter_encode(&w, 0, h1, filt, sizeof(filt));
	CHECK(w.len == 1 + 32 + 1 + 4 && w.p[0] == 0 && w.p[33] == 4);
	CHECK(memcmp(w.p + 1, h1, 32) == 0 && memcmp(w.p + 34, filt, 4) == 0);
	wbuf_reset(&w);
	cfheaders_encode(&w, 0, h1, h2, (const uint8_t(*)[32])h3, 1);
	CHECK(w.len == 1 + 32 + 32 + 1 + 32 && w.p[65] == 1);
	CHECK(memcmp(w.p + 33, h2, 32) == 0 && memcmp(w.p + 66, h3, 32) == 0);
	wbuf_reset(&w);
	cfcheckpt_encode(&w, 0, h1, NULL, 0);
	CHECK(w.len == 1 + 32 + 1 && w.p[33] == 0);
	wbuf_free(&w);
}

static void
test_subver_sanitize(void)
{
	char out[64];

	subver_sanitize("/Satoshi:30.0.0(x; y)/", 22, out, sizeof(out));
	CHECK_EQ_STR(out, "/Satoshi:30.0.0(x; y)/");
	subver_sanitize("a\nb\"c<d>\x01", 9, out, sizeof(out));
	CHECK_EQ_STR(out, "abcd");
	subver_sanitize("abcdef", 6, out, 4);
	CHECK_EQ_STR(out, "abc");
}

static void
test_netaddr(void)
{
	struct netaddr a;
	struct service s;
	char buf[NETADDR_STRLEN], host[64];
	uint8_t g1[NETGROUP_MAXLEN], g2[NETGROUP_MAXLEN];
	uint16_t port;

	CHECK(netaddr_parse("1.2.3.4", &a) == 0 && a.net == NET_IPV4);
	CHECK(netaddr_parse("::ffff:1.2.3.4", &a) == 0 && a.net == NET_IPV4);
	CHECK(netaddr_parse("1.2.3", &a) == -1);
	CHECK(netaddr_parse("example.com", &a) == -1);
	CHECK(netaddr_parse("", &a) == -1);
	CHECK(service_parse("127.0.0.1:18444", 1, &s) == 0 && s.port == 18444);
	service_format(&s, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "127.0.0.1:18444");
	CHECK(service_parse("[::1]:8333", 1, &s) == 0 && s.port == 8333);
	service_format(&s, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "[::1]:8333");
	CHECK(service_parse("::1", 7, &s) == 0 && s.port == 7);
	CHECK(service_parse("1.2.3.4", 7, &s) == 0 && s.port == 7);
	CHECK(service_parse("1.2.3.4:65536", 7, &s) == -1);
	CHECK(service_parse("1.2.3.4:", 7, &s) == -1);
	CHECK(service_parse("1.2.3.4:x", 7, &s) == -1);
	CHECK(service_parse("[::1", 7, &s) == -1);
	CHECK(service_parse("[::1]x", 7, &s) == -1);
	/* IPv6 zones: kept for the socket and the text, not for equality. */
	{
		struct service z;
		struct sockaddr_storage ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;

		CHECK(service_parse("[fe80::1%lo]:8333", 1, &s) == 0);
		CHECK_EQ_INT((int)s.addr.scope, 1);
		service_format(&s, buf, sizeof(buf));
		CHECK_EQ_STR(buf, "[fe80::1%1]:8333");
		CHECK(service_parse("[fe80::1%4294967295]:1", 1, &z) == 0);
		service_format(&z, buf, sizeof(buf));
		CHECK_EQ_STR(buf, "[fe80::1%4294967295]:1");
		CHECK(service_parse("[fe80::1]:8333", 1, &z) == 0);
		CHECK(service_eq(&s, &z));
		CHECK(service_to_sockaddr(&s, &ss) > 0);
		CHECK_EQ_INT((int)in6->sin6_scope_id, 1);
		CHECK(service_from_sockaddr(&z, (struct sockaddr *)&ss) == 0);
		CHECK_EQ_INT((int)z.addr.scope, 1);
		CHECK(netaddr_parse("fe80::1%", &a) == -1);
		CHECK(netaddr_parse("fe80::1%4294967296", &a) == -1);
		CHECK(netaddr_parse("fe80::1%no-such-if", &a) == -1);
		CHECK(netaddr_parse("1.2.3.4%1", &a) == -1);
		CHECK(netaddr_parse("::ffff:1.2.3.4%1", &a) == 0 &&
		    a.net == NET_IPV4 && a.scope == 0);
	}
	CHECK(
	    service_split("localhost:99", 1, host, sizeof(host), &port) == 0);
	CHECK_EQ_STR(host, "localhost");
	CHECK_EQ_INT(port, 99);
	/* Classes. */
	CHECK(netaddr_parse("127.0.0.1", &a) == 0 && netaddr_is_local(&a));
	CHECK(!netaddr_is_routable(&a));
	CHECK_EQ_STR(net_class_name(netaddr_class(&a)),
	    "not_publicly_routable");
	CHECK(netaddr_parse("10.1.2.3", &a) == 0 && !netaddr_is_routable(&a));
	CHECK(
	    netaddr_parse("192.168.1.1", &a) == 0 && !netaddr_is_routable(&a));
	CHECK(
	    netaddr_parse("172.20.0.1", &a) == 0 && !netaddr_is_routable(&a));
	CHECK(
	    netaddr_parse("100.64.0.1", &a) == 0 && !netaddr_is_routable(&a));
	CHECK(netaddr_parse("0.0.0.0", &a) == 0 && !netaddr_is_valid(&a));
	CHECK(netaddr_parse("2001:db8::1", &a) == 0 && !netaddr_is_valid(&a));
	CHECK(netaddr_parse("fe80::1", &a) == 0 && !netaddr_is_routable(&a));
	CHECK(netaddr_parse("8.8.8.8", &a) == 0 && netaddr_is_routable(&a));
	CHECK_EQ_STR(net_class_name(netaddr_class(&a)), "ipv4");
	CHECK(
	    netaddr_parse("2a00:1450::1", &a) == 0 && netaddr_is_routable(&a));
	CHECK_EQ_STR(net_class_name(netaddr_class(&a)), "ipv6");
	/* Groups: same /16 alike, different /16 not, 6to4 as its IPv4. */
	netaddr_parse("8.8.1.1", &a);
	CHECK_EQ_INT(netaddr_group(&a, g1), 3);
	netaddr_parse("8.8.200.9", &a);
	netaddr_group(&a, g2);
	CHECK(memcmp(g1, g2, 3) == 0);
	netaddr_parse("8.9.1.1", &a);
	netaddr_group(&a, g2);
	CHECK(memcmp(g1, g2, 3) != 0);
	netaddr_parse("2002:0808:0101::1", &a);
	CHECK_EQ_INT(netaddr_group(&a, g2), 3);
	CHECK(memcmp(g1, g2, 3) == 0);
	netaddr_parse("127.0.0.1", &a);
	CHECK_EQ_INT(netaddr_group(&a, g1), 1);
	CHECK_EQ_INT(g1[0], 255);
}

/*
 * Subnets as Core 28's setban reads them (LookupSubNet), checked against a
 * running Core: NULL means Core answers "Invalid IP/Subnet".
 */
static void
test_subnet_core_forms(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "1.2.3", "1.2.0.3/32" },
		{ "1", "0.0.0.1/32" },
		{ "0x7f.1", "127.0.0.1/32" },
		{ "010.2.3.4", "8.2.3.4/32" },
		{ "1.16777215", "1.255.255.255/32" },
		{ "1.16777216", NULL },
		{ "08.1.1.1", NULL },
		{ "0x.1.1.1", NULL },
		{ "1.2.3.", NULL },
		{ "1..2", NULL },
		{ "4294967296", NULL },
		{ " 1.2.3.4", NULL },
		{ "1.2.3.4 ", NULL },
		{ "+1.2.3.4", NULL },
		{ "10.3.6.0/+24", "10.3.6.0/24" },
		{ "10.3.6.0/++24", NULL },
		{ "10.3.6.0/+", NULL },
		{ "10.3.6.0/-0", NULL },
		{ "10.3.6.0/0024", "10.3.6.0/24" },
		{ "10.3.6.0/0x18", NULL },
		{ "10.3.6.0/256", NULL },
		{ "10.3.6.0/4294967295", "10.3.6.0/32" },
		{ "10.3.6.0/4278190080", "10.0.0.0/8" },
		{ "[::2]", "::2/128" },
		{ "[1.2.3.4]/24", "1.2.3.0/24" },
		{ "[[::2]]", NULL },
		{ "[::2", NULL },
		{ "1.2.3.4/[255.255.255.0]", "1.2.3.0/24" },
		{ "10.0.0.1/0.0.0.0", "0.0.0.0/0" },
		{ "::ffff:1.2.3.4", "1.2.3.4/32" },
		{ "::ffff:1.2.3.4/96", NULL },
		{ "1.2.3.4/::ffff:255.255.255.0", "1.2.3.0/24" },
		{ "2001:db8::1/ffff:ffff::", "2001:db8::/32" },
		{ "1.2.3.4/24/24", NULL },
		{ "1.2.3.4//24", NULL },
		{ "fd87:d87e:eb43::1/64", "::/64" },
		{ "fd6b:88c0:8724::1/64", NULL },
		{ "1.2.3.4/0xffffff00", "1.2.3.0/24" },
		{ "localhost", NULL },
	};
	struct subnet sn;
	char buf[NETADDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = subnet_parse(v[i].in, &sn);

		if (v[i].out == NULL) {
			CHECK_EQ_INT(rc, -1);
			continue;
		}
		CHECK_EQ_INT(rc, 0);
		subnet_format(&sn, buf, sizeof(buf));
		CHECK_EQ_STR(buf, v[i].out);
	}
}

static void
test_subnet(void)
{
	struct subnet sn, sn2;
	struct netaddr a;
	char buf[NETADDR_STRLEN];

	CHECK(subnet_parse("1.2.3.4", &sn) == 0);
	subnet_format(&sn, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1.2.3.4/32");
	CHECK(subnet_parse("1.2.3.77/24", &sn) == 0);
	subnet_format(&sn, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1.2.3.0/24");
	netaddr_parse("1.2.3.200", &a);
	CHECK(subnet_match(&sn, &a));
	netaddr_parse("1.2.4.1", &a);
	CHECK(!subnet_match(&sn, &a));
	CHECK(subnet_parse("1.2.3.0/255.255.255.0", &sn2) == 0);
	CHECK(subnet_eq(&sn, &sn2));
	CHECK(subnet_parse("1.2.3.0/255.0.255.0", &sn2) == -1);
	CHECK(subnet_parse("1.2.3.0/33", &sn2) == -1);
	CHECK(subnet_parse("1.2.3.0/", &sn2) == -1);
	CHECK(subnet_parse("nonsense", &sn2) == -1);
	CHECK(subnet_parse("0.0.0.0/0", &sn2) == 0);
	netaddr_parse("9.9.9.9", &a);
	CHECK(subnet_match(&sn2, &a));
	CHECK(subnet_parse("2001:db8::/32", &sn2) == 0);
	CHECK(subnet_parse("::1/128", &sn2) == 0);
	netaddr_parse("::1", &a);
	CHECK(subnet_match(&sn2, &a));
	netaddr_parse("127.0.0.1", &a);
	CHECK(!subnet_match(&sn2, &a));
	CHECK(subnet_parse("2001:4860::/32", &sn2) == 0);
	netaddr_parse("2001:4860:1::5", &a);
	CHECK(subnet_match(&sn2, &a));
}

static void
test_netperm(void)
{
	const char *rest, *names[7];
	uint32_t f, imp = netperm_implicit(1, 0);
	char err[128];
	int dir;

	CHECK(netperm_parse("1.2.3.4", imp, &f, &dir, &rest, err,
		  sizeof(err)) == 0);
	CHECK_EQ_STR(rest, "1.2.3.4");
	CHECK(netperm_has(f, PF_NOBAN) && netperm_has(f, PF_RELAY) &&
	    netperm_has(f, PF_MEMPOOL) && !netperm_has(f, PF_FORCERELAY));
	CHECK_EQ_INT(dir, PDIR_IN);
	CHECK(netperm_parse("noban,addr@127.0.0.1", imp, &f, &dir, &rest, err,
		  sizeof(err)) == 0);
	CHECK_EQ_STR(rest, "127.0.0.1");
	CHECK(netperm_has(f, PF_NOBAN) && netperm_has(f, PF_DOWNLOAD) &&
	    netperm_has(f, PF_ADDR) && !netperm_has(f, PF_RELAY));
	CHECK_EQ_INT(netperm_names(f, names), 3);
	CHECK_EQ_STR(names[0], "noban");
	CHECK_EQ_STR(names[1], "download");
	CHECK_EQ_STR(names[2], "addr");
	CHECK(netperm_parse("forcerelay,out@::1", imp, &f, &dir, &rest, err,
		  sizeof(err)) == 0);
	CHECK(netperm_has(f, PF_RELAY) && dir == PDIR_OUT);
	CHECK(netperm_parse("all@1.1.1.1", imp, &f, &dir, &rest, err,
		  sizeof(err)) == 0);
	CHECK_EQ_INT(netperm_names(f, names), 7);
	CHECK(netperm_parse("bogus@1.1.1.1", imp, &f, &dir, &rest, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err, "Invalid P2P permission: 'bogus'");
}

struct titem {
	uint8_t key[32];
	int v;
};

static void
test_htab(void)
{
	struct htab *t = htab_new(32, offsetof(struct titem, key));
	struct titem *items = calloc(5000, sizeof(*items)), *x;
	size_t pos = 0, seen = 0;
	int i;

	for (i = 0; i < 5000; i++) {
		sha256(&i, sizeof(i), items[i].key);
		items[i].v = i;
		CHECK(htab_put(t, &items[i]) == 0);
	}
	CHECK(htab_put(t, &items[7]) == -1);
	CHECK_EQ_INT(htab_count(t), 5000);
	for (i = 0; i < 5000; i += 2)
		CHECK(htab_del(t, items[i].key) == &items[i]);
	CHECK_EQ_INT(htab_count(t), 2500);
	for (i = 0; i < 5000; i++) {
		x = htab_get(t, items[i].key);
		CHECK(i % 2 ? x == &items[i] : x == NULL);
	}
	while ((x = htab_next(t, &pos)) != NULL) {
		CHECK(x->v % 2 == 1);
		seen++;
	}
	CHECK_EQ_INT(seen, 2500);
	CHECK(htab_del(t, items[0].key) == NULL);
	htab_free(t);
	free(items);
	/* SipHash-2-4 reference vector: key 00..0f, empty message. */
	CHECK(siphash(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, "", 0) ==
	    0x726fdb47dd0e0e31ULL);
}

/* Tor v3 and I2P names, with the addresses Core's netbase tests use. */
static void
test_netaddr_names(void)
{
	static const char *const good[] = {
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
		"udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p",
	};
	static const char *const bad[] = {
		/* checksum off by one character */
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.onion",
		/* version 2 byte */
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrya.onion",
		/* a Tor v2 name: 16 characters */
		"5wyqrzbvrdsumnok.onion",
		/* I2P with one character too many or a bad one */
		"udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jnaa.b32.i2p",
		"udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jn1.b32.i2p",
		"",
		".onion",
		"1.2.3.4",
	};
	struct netaddr a;
	char out[NETADDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(netaddr_parse_name(good[i], &a) == 0);
		CHECK(a.net == (i == 0 ? NET_TORV3 : NET_I2P));
		netaddr_format(&a, out, sizeof(out));
		CHECK(strcmp(out, good[i]) == 0);
	}
	/* Upper case reads the same; it is written in lower case. */
	CHECK(
	    netaddr_parse_name(
		"PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.ONION",
		&a) == 0);
	netaddr_format(&a, out, sizeof(out));
	CHECK(strcmp(out, good[0]) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(netaddr_parse_name(bad[i], &a) == -1);
}

/* SOCKS5: the bytes Core's Socks5() sends, replies fed a byte at a time. */
static void
test_socks5(void)
{
	static const uint8_t greet_auth[] = { 5, 2, 0, 2 };
	static const uint8_t greet[] = { 5, 1, 0 };
	static const uint8_t auth[] = { 1, 1, '7', 1, '7' };
	static const uint8_t conn[] = { 5, 1, 0, 3, 7, '1', '.', '2', '.', '3',
		'.', '4', 0x20, 0x8d };
	static const uint8_t rep[] = { 5, 2, 1, 0, 5, 0, 0, 3, 1, 'x', 0, 0,
		'P', '2', 'P' };
	struct socks5 *s = socks5_new("1.2.3.4", 8333, "7", "7");
	const char *why = NULL;
	struct wbuf w;
	size_t used, off = 0, i;
	enum socks5_step st = SOCKS5_MORE;
	char big[300];

	wbuf_init(&w);
	socks5_start(s, &w);
	CHECK(w.len == sizeof(greet_auth) &&
	    memcmp(w.p, greet_auth, w.len) == 0);
	w.len = 0;
	/* Every reply, one more byte at a time: method, auth, connect. */
	for (i = 1; i <= sizeof(rep) - 3 && st == SOCKS5_MORE; i++) {
		st = socks5_feed(s, rep + off, i - off, &used, &w, &why);
		off += used;
	}
	CHECK(st == SOCKS5_DONE);
	CHECK(off == sizeof(rep) - 3); /* "P2P" is the peer's */
	CHECK(w.len == sizeof(auth) + sizeof(conn));
	CHECK(memcmp(w.p, auth, sizeof(auth)) == 0);
	CHECK(memcmp(w.p + sizeof(auth), conn, sizeof(conn)) == 0);
	socks5_free(s);
	wbuf_free(&w);

	/* No credentials: no-auth only; a refusal says Core's words. */
	s = socks5_new("x.onion", 1, NULL, NULL);
	wbuf_init(&w);
	socks5_start(s, &w);
	CHECK(w.len == sizeof(greet) && memcmp(w.p, greet, w.len) == 0);
	st = socks5_feed(s, (const uint8_t *)"\x05\x00\x05\x05\x00\x01\x00", 7,
	    &used, &w, &why);
	CHECK(st == SOCKS5_FAIL && strcmp(why, "connection refused") == 0);
	socks5_free(s);
	wbuf_free(&w);
	/* A method we did not offer, and a reply from another protocol. */
	s = socks5_new("h", 1, NULL, NULL);
	wbuf_init(&w);
	CHECK(socks5_feed(s, (const uint8_t *)"\x05\x02", 2, &used, &w,
		  &why) == SOCKS5_FAIL);
	socks5_free(s);
	s = socks5_new("h", 1, NULL, NULL);
	CHECK(socks5_feed(s, (const uint8_t *)"HT", 2, &used, &w, &why) ==
	    SOCKS5_FAIL);
	socks5_free(s);
	wbuf_free(&w);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(socks5_new(big, 1, NULL, NULL) == NULL);
}

UNIT_MAIN(UNIT_CASE(test_header_roundtrip),
    UNIT_CASE(test_header_invalid_command), UNIT_CASE(test_msg_types),
    UNIT_CASE(test_version_roundtrip), UNIT_CASE(test_version_optional_fields),
    UNIT_CASE(test_version_truncated), UNIT_CASE(test_version_long_subver),
    UNIT_CASE(test_addr_roundtrip), UNIT_CASE(test_addr_limits),
    UNIT_CASE(test_addrv2_networks), UNIT_CASE(test_inv_roundtrip_and_limits),
    UNIT_CASE(test_locator), UNIT_CASE(test_headers),
    UNIT_CASE(test_small_messages), UNIT_CASE(test_cmpctblock),
    UNIT_CASE(test_cfilter_messages), UNIT_CASE(test_subver_sanitize),
    UNIT_CASE(test_netaddr), UNIT_CASE(test_netaddr_names),
    UNIT_CASE(test_socks5), UNIT_CASE(test_subnet),
    UNIT_CASE(test_subnet_core_forms), UNIT_CASE(test_netperm),
    UNIT_CASE(test_htab))
