/*
 * libFuzzer target for the P2P wire codec (net/protocol.h) and the text
 * forms of network addresses (net/netaddr.h).
 *
 * Input: a selector byte, then bytes. Selector 0 reads the rest as a
 * stream of framed messages (24-byte header, payload) the way the net
 * thread does: magic, the size limit before the payload is looked at, the
 * checksum, the message type; each message that passes goes to its
 * parser. Other selectors hand the rest straight to one parser, or to the
 * address text parsers.
 *
 * Properties: parsers fail cleanly (nothing allocated, counts over a limit
 * reported as such); what parses encodes back to the bytes consumed where
 * an encoder exists (and to something that parses to the same values
 * where the wire form has more than one spelling); a header rebuilt from
 * a valid one is the same 24 bytes; sanitized user agents hold only the
 * allowed characters; address text formats and parses back to the same
 * address.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "net/cmpct.h"
#include "net/netaddr.h"
#include "net/protocol.h"
#include "primitives/block.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define FUZZ_NAME "fuzz_p2p"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
rc_ok(int rc)
{
	return rc == 0 || rc == PROTO_EMALFORMED || rc == PROTO_ETOOMANY;
}

/* Core's SAFE_CHARS_UA: what a user agent may keep. */
static int
ua_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr(" .,;-_/:?@()", c));
}

/*
 * An address the message left out (NET_NONE) goes on the wire as [::]:0,
 * the same as Core's default CService, and reads back as that.
 */
static int
same_service(const struct service *a, const struct service *b)
{
	static const uint8_t zero[16];

	if (a->addr.net == NET_NONE)
		return a->port == b->port && b->addr.net == NET_IPV6 &&
		    memcmp(b->addr.a, zero, 16) == 0;
	return service_eq(a, b);
}

static void
check_version(const uint8_t *p, size_t n)
{
	struct version_msg v, v2;
	struct rbuf r;
	struct wbuf w;
	char clean[MAX_SUBVERSION_LENGTH + 1];
	size_t i, k, consumed;
	int rc;

	rbuf_init(&r, p, n);
	rc = version_parse(&r, &v);
	PROP(rc == 0 || rc == PROTO_EMALFORMED);
	if (rc != 0)
		return;
	consumed = r.off;
	PROP(v.subver_len <= MAX_SUBVERSION_LENGTH);
	PROP(v.subver[v.subver_len] == '\0');

	/* What the node logs and shows in getpeerinfo: a subsequence. */
	subver_sanitize(v.subver, v.subver_len, clean, sizeof(clean));
	for (i = k = 0; clean[i] != '\0'; i++, k++) {
		PROP(ua_char(clean[i]));
		while (k < v.subver_len && v.subver[k] != clean[i]) {
			PROP(!ua_char(v.subver[k]));
			k++;
		}
		PROP(k < v.subver_len);
	}
	for (; k < v.subver_len; k++)
		PROP(!ua_char(v.subver[k]));

	wbuf_init(&w);
	version_encode(&w, &v);
	rbuf_init(&r, w.p, w.len);
	PROP(version_parse(&r, &v2) == 0);
	PROP(rbuf_left(&r) == 0);
	PROP(v2.version == v.version && v2.services == v.services &&
	    v2.timestamp == v.timestamp &&
	    v2.recv_services == v.recv_services &&
	    v2.from_services == v.from_services && v2.nonce == v.nonce &&
	    v2.start_height == v.start_height && v2.relay == v.relay);
	PROP(same_service(&v.addr_recv, &v2.addr_recv));
	PROP(same_service(&v.addr_from, &v2.addr_from));
	/* The encoder writes the user agent up to its first NUL. */
	PROP(v2.subver_len == strlen(v.subver));
	PROP(memcmp(v2.subver, v.subver, v2.subver_len) == 0);
	/*
	 * A message with every field, a relay byte of 0 or 1 and no NUL in
	 * the user agent has one spelling: ours.
	 */
	if (consumed == w.len && p[consumed - 1] <= 1 &&
	    memchr(v.subver, '\0', v.subver_len) == NULL)
		PROP(memcmp(w.p, p, w.len) == 0);
	wbuf_free(&w);
}

static int
same_addr(const struct addr_entry *a, const struct addr_entry *b)
{
	return a->time == b->time && a->services == b->services &&
	    service_eq(&a->svc, &b->svc);
}

/*
 * The entries of a that come back from the format, in order, into kept:
 * not the ignored ones, not those v1 cannot carry, and in addrv2 not an
 * IPv6 address of the TORv2 (OnionCat) range, which BIP155 voids there.
 */
static size_t
carried(const struct addr_entry *a, size_t n, int v2, struct addr_entry *kept)
{
	static const uint8_t onioncat[] = { 0xfd, 0x87, 0xd8, 0x7e, 0xeb,
		0x43 };
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct netaddr *x = &a[i].svc.addr;

		if (x->net == NET_NONE || (!v2 && !addr_v1_compatible(x)) ||
		    (v2 && x->net == NET_IPV6 &&
			memcmp(x->a, onioncat, sizeof(onioncat)) == 0))
			continue;
		kept[k++] = a[i];
	}
	return k;
}

static void
check_addr(const uint8_t *p, size_t n, int v2)
{
	struct addr_entry *a, *b, *kept;
	struct rbuf r;
	struct wbuf w;
	size_t na, nb, nk, unk, unkb, i, k, none = 0;
	int rc, other;

	rbuf_init(&r, p, n);
	rc = addr_parse(&r, v2, &a, &na, &unk);
	PROP(rc_ok(rc));
	if (rc != 0) {
		PROP(a == NULL);
		if (rc == PROTO_ETOOMANY)
			PROP(na > MAX_ADDR_TO_SEND);
		return;
	}
	/* Every entry comes back; those BIP155 ignores as NET_NONE. */
	PROP(na <= MAX_ADDR_TO_SEND);
	for (i = 0; i < na; i++) {
		uint8_t net = a[i].svc.addr.net;

		PROP(net == NET_NONE || net == NET_IPV4 || net == NET_IPV6 ||
		    net == NET_TORV3 || net == NET_I2P || net == NET_CJDNS);
		none += net == NET_NONE;
		if (net == NET_NONE)
			PROP(!netaddr_is_valid(&a[i].svc.addr));
	}
	PROP(none == unk);
	if (!v2)
		PROP(unk == 0);
	kept = xcalloc(na ? na : 1, sizeof(*kept));

	/* Same format: the bytes consumed, when nothing was ignored. */
	wbuf_init(&w);
	addr_encode(&w, v2, a, na);
	if (unk == 0) {
		PROP(w.len == r.off);
		PROP(memcmp(w.p, p, w.len) == 0);
	}
	nk = carried(a, na, v2, kept);
	rbuf_init(&r, w.p, w.len);
	PROP(addr_parse(&r, v2, &b, &nb, &unkb) == 0);
	PROP(rbuf_left(&r) == 0 && nb == nk && unkb == 0);
	for (i = 0; i < nk; i++)
		PROP(same_addr(&kept[i], &b[i]));
	free(b);

	/* What the other format carries survives it too. */
	other = !v2;
	wbuf_reset(&w);
	addr_encode(&w, other, a, na);
	nk = carried(a, na, other, kept);
	rbuf_init(&r, w.p, w.len);
	PROP(addr_parse(&r, other, &b, &nb, &unkb) == 0);
	PROP(rbuf_left(&r) == 0 && nb - unkb == nk);
	for (i = 0, k = 0; i < nb; i++)
		if (b[i].svc.addr.net != NET_NONE)
			PROP(same_addr(&kept[k++], &b[i]));
	free(b);
	wbuf_free(&w);
	free(kept);
	free(a);
}

static void
check_inv(const uint8_t *p, size_t n)
{
	struct inv *v;
	struct rbuf r;
	struct wbuf w;
	size_t cnt;
	int rc;

	rbuf_init(&r, p, n);
	rc = inv_parse(&r, &v, &cnt);
	PROP(rc_ok(rc));
	if (rc != 0) {
		PROP(v == NULL);
		if (rc == PROTO_ETOOMANY)
			PROP(cnt > MAX_INV_SZ);
		return;
	}
	PROP(cnt <= MAX_INV_SZ);
	wbuf_init(&w);
	inv_encode(&w, v, cnt);
	PROP(w.len == r.off && memcmp(w.p, p, w.len) == 0);
	wbuf_free(&w);
	free(v);
}

static void
check_locator(const uint8_t *p, size_t n)
{
	struct locator_msg m;
	struct rbuf r;
	struct wbuf w;
	int rc;

	rbuf_init(&r, p, n);
	rc = locator_parse(&r, &m);
	PROP(rc_ok(rc));
	if (rc != 0) {
		PROP(m.hashes == NULL);
		if (rc == PROTO_ETOOMANY)
			PROP(m.n > MAX_LOCATOR_SZ);
		return;
	}
	PROP(m.n <= MAX_LOCATOR_SZ);
	PROP(m.version == le32_read(p));
	/* Our encoder sends our own version; the rest is the same bytes. */
	wbuf_init(&w);
	locator_encode(&w, (const uint8_t(*)[32])m.hashes, m.n, m.stop);
	PROP(w.len == r.off);
	PROP(le32_read(w.p) == PROTOCOL_VERSION);
	PROP(memcmp(w.p + 4, p + 4, w.len - 4) == 0);
	wbuf_free(&w);
	free(m.hashes);
}

static void
check_headers(const uint8_t *p, size_t n)
{
	struct block_header *h, *h2;
	uint8_t raw[BLOCK_HEADER_SIZE];
	const uint8_t *q;
	struct rbuf r, walk;
	struct wbuf w;
	uint64_t cnt, txn;
	size_t nh, nh2, i;
	int rc;

	rbuf_init(&r, p, n);
	rc = headers_parse(&r, &h, &nh);
	PROP(rc_ok(rc));
	if (rc != 0) {
		PROP(h == NULL);
		if (rc == PROTO_ETOOMANY)
			PROP(nh > MAX_HEADERS_RESULTS);
		return;
	}
	PROP(nh <= MAX_HEADERS_RESULTS);
	/* Each header is its 80 bytes of the input; the counts are skipped. */
	rbuf_init(&walk, p, r.off);
	PROP(rbuf_get_compact(&walk, &cnt) == 0 && cnt == nh);
	for (i = 0; i < nh; i++) {
		PROP((q = rbuf_ptr(&walk, BLOCK_HEADER_SIZE)) != NULL);
		header_serialize(&h[i], raw);
		PROP(memcmp(raw, q, BLOCK_HEADER_SIZE) == 0);
		PROP(rbuf_get_compact(&walk, &txn) == 0);
	}
	PROP(rbuf_left(&walk) == 0);

	wbuf_init(&w);
	headers_encode(&w, h, nh);
	PROP(w.len == compact_size_len(nh) + nh * (BLOCK_HEADER_SIZE + 1));
	rbuf_init(&r, w.p, w.len);
	PROP(headers_parse(&r, &h2, &nh2) == 0);
	PROP(rbuf_left(&r) == 0 && nh2 == nh);
	for (i = 0; i < nh; i++)
		PROP(memcmp(&h[i], &h2[i], sizeof(h[i])) == 0);
	free(h2);
	wbuf_free(&w);
	free(h);
}

static void
check_small(const uint8_t *p, size_t n)
{
	struct rbuf r;
	struct wbuf w;
	struct getcf_msg cf;
	uint64_t nonce, ver;
	int64_t fee;
	int rc, announce;

	rbuf_init(&r, p, n);
	rc = nonce_parse(&r, &nonce);
	PROP(rc == (n >= 8 ? 0 : PROTO_EMALFORMED));
	if (rc == 0) {
		PROP(nonce == le64_read(p));
		wbuf_init(&w);
		nonce_encode(&w, nonce);
		PROP(w.len == 8 && memcmp(w.p, p, 8) == 0);
		wbuf_free(&w);
	}
	rbuf_init(&r, p, n);
	rc = feefilter_parse(&r, &fee);
	PROP(rc == (n >= 8 ? 0 : PROTO_EMALFORMED));
	if (rc == 0)
		PROP((uint64_t)fee == le64_read(p));
	rbuf_init(&r, p, n);
	rc = sendcmpct_parse(&r, &announce, &ver);
	PROP(rc == (n >= 9 ? 0 : PROTO_EMALFORMED));
	if (rc == 0)
		PROP(announce == (p[0] != 0) && ver == le64_read(p + 1));
	rbuf_init(&r, p, n);
	rc = getcf_parse(&r, &cf);
	PROP(rc == (n >= 37 ? 0 : PROTO_EMALFORMED));
	if (rc == 0)
		PROP(cf.type == p[0] && cf.start == le32_read(p + 1) &&
		    memcmp(cf.stop, p + 5, 32) == 0);
	rbuf_init(&r, p, n);
	rc = getcfcheckpt_parse(&r, &cf);
	PROP(rc == (n >= 33 ? 0 : PROTO_EMALFORMED));
	if (rc == 0)
		PROP(cf.type == p[0] && memcmp(cf.stop, p + 1, 32) == 0);
}

static void
check_cmpctblock(const uint8_t *p, size_t n)
{
	struct block_header h;
	uint8_t raw[BLOCK_HEADER_SIZE];
	struct rbuf r;
	int rc, bad;

	rbuf_init(&r, p, n);
	rc = cmpctblock_parse(&r, &h, &bad);
	PROP(rc == 0 || rc == PROTO_EMALFORMED);
	if (rc != 0)
		return;
	/* The header is the first 80 bytes, and nothing is read twice. */
	PROP(r.off >= BLOCK_HEADER_SIZE + 10 && r.off <= n);
	header_serialize(&h, raw);
	PROP(memcmp(raw, p, BLOCK_HEADER_SIZE) == 0);
}

/*
 * The full compact block: a rebuild from it never reads out of bounds, and
 * a complete one (nothing to offer but the prefilled) is finished or
 * refused, never crashed on.
 */
static void
check_cmpct_rebuild(const uint8_t *p, size_t n)
{
	struct cmpct_block cb;
	struct cmpct_partial pb;
	struct rbuf r;
	struct wbuf w;
	uint16_t *miss;
	size_t k;

	rbuf_init(&r, p, n);
	if (cmpct_block_parse(&r, &cb) != 0)
		return;
	PROP(cb.nids + cb.npre <= MAX_CMPCTBLOCK_TXS);
	if (cmpct_partial_init(&pb, &cb) == CMPCT_OK) {
		miss = xcalloc(pb.n + 1, sizeof(*miss));
		k = cmpct_partial_missing(&pb, miss);
		PROP(k == cb.nids);
		if (k == 0) {
			wbuf_init(&w);
			cmpct_partial_finish(&pb, &w);
			wbuf_free(&w);
		}
		free(miss);
	}
	cmpct_partial_free(&pb);
	cmpct_block_free(&cb);
}

/* getblocktxn: ascending indexes within 16 bits; blocktxn: whole txs. */
static void
check_blocktxn(enum msg_type t, const uint8_t *p, size_t n)
{
	struct blocktxn_req q;
	struct blocktxn_msg m;
	struct rbuf r;
	size_t i;

	rbuf_init(&r, p, n);
	if (t == MT_GETBLOCKTXN) {
		if (getblocktxn_parse(&r, &q) != 0)
			return;
		for (i = 1; i < q.n; i++)
			PROP(q.idx[i] > q.idx[i - 1]);
		blocktxn_req_free(&q);
		return;
	}
	if (blocktxn_parse(&r, &m) != 0)
		return;
	for (i = 0; i < m.n; i++)
		PROP(m.raw[i] >= p && m.raw[i] + m.len[i] <= p + n);
	blocktxn_msg_free(&m);
}

/* The parser a message of type t reaches in the node. */
static void
check_payload(enum msg_type t, const uint8_t *p, size_t n)
{
	switch (t) {
	case MT_VERSION: check_version(p, n); break;
	case MT_ADDR: check_addr(p, n, 0); break;
	case MT_ADDRV2: check_addr(p, n, 1); break;
	case MT_INV:
	case MT_GETDATA:
	case MT_NOTFOUND: check_inv(p, n); break;
	case MT_GETBLOCKS:
	case MT_GETHEADERS: check_locator(p, n); break;
	case MT_HEADERS: check_headers(p, n); break;
	case MT_CMPCTBLOCK:
		check_cmpctblock(p, n);
		check_cmpct_rebuild(p, n);
		break;
	case MT_GETBLOCKTXN:
	case MT_BLOCKTXN: check_blocktxn(t, p, n); break;
	case MT_PING:
	case MT_PONG:
	case MT_FEEFILTER:
	case MT_SENDCMPCT:
	case MT_GETCFILTERS:
	case MT_GETCFHEADERS:
	case MT_GETCFCHECKPT: check_small(p, n); break;
	default: break;
	}
}

/* Core's IsMessageTypeValid: printable ASCII, then only NUL padding. */
static int
ref_cmd_valid(const uint8_t *c)
{
	int i, ended = 0;

	for (i = 0; i < MSG_COMMAND_SIZE; i++) {
		if (c[i] == 0)
			ended = 1;
		else if (ended || c[i] < 0x20 || c[i] > 0x7e)
			return 0;
	}
	return 1;
}

static void
check_stream(const uint8_t *p, size_t n)
{
	struct msg_header h;
	uint8_t magic[4], sum[4], rebuilt[MSG_HEADER_SIZE];
	enum msg_type t;
	size_t off;

	if (n < 4)
		return;
	memcpy(magic, p, 4);
	for (off = 4; n - off >= MSG_HEADER_SIZE;) {
		msg_header_parse(p + off, &h);
		PROP(h.cmd[MSG_COMMAND_SIZE] == '\0');
		PROP(h.cmd_valid == ref_cmd_valid(p + off + 4));
		PROP(h.len == le32_read(p + off + 16));
		if (memcmp(h.magic, magic, 4) != 0)
			return; /* the node disconnects */
		if (h.len > MAX_PROTOCOL_MESSAGE_LENGTH)
			return; /* likewise, before buffering */
		if (n - off - MSG_HEADER_SIZE < h.len)
			return; /* waits for the rest */
		off += MSG_HEADER_SIZE;
		msg_checksum(p + off, h.len, sum);
		if (memcmp(sum, h.checksum, 4) == 0 && h.cmd_valid) {
			msg_header_build(rebuilt, magic, h.cmd, p + off,
			    h.len);
			PROP(memcmp(rebuilt, p + off - MSG_HEADER_SIZE,
				 MSG_HEADER_SIZE) == 0);
			t = msg_type_lookup(h.cmd);
			if (t != MT_OTHER)
				PROP(strcmp(msg_type_name(t), h.cmd) == 0);
			check_payload(t, p + off, h.len);
		}
		off += h.len;
	}
}

static void
check_text(const uint8_t *p, size_t n)
{
	char s[256], out[NETADDR_STRLEN + 64];
	struct netaddr a, a2;
	struct service sv, sv2;
	struct subnet sn, sn2;
	uint16_t port = 8333;

	if (n < 2)
		return;
	port = (uint16_t)(p[0] | p[1] << 8);
	p += 2;
	n -= 2;
	if (n >= sizeof(s))
		n = sizeof(s) - 1;
	memcpy(s, p, n);
	s[n] = '\0';

	if (netaddr_parse(s, &a) == 0) {
		PROP(a.net == NET_IPV4 || a.net == NET_IPV6);
		netaddr_format(&a, out, sizeof(out));
		PROP(netaddr_parse(out, &a2) == 0 && netaddr_eq(&a, &a2));
	}
	if (service_parse(s, port, &sv) == 0) {
		service_format(&sv, out, sizeof(out));
		PROP(service_parse(out, (uint16_t)(port + 1), &sv2) == 0);
		PROP(service_eq(&sv, &sv2));
	}
	if (subnet_parse(s, &sn) == 0) {
		PROP(sn.bits <= sn.base.len * 8);
		PROP(subnet_match(&sn, &sn.base));
		subnet_format(&sn, out, sizeof(out));
		PROP(subnet_parse(out, &sn2) == 0 && subnet_eq(&sn, &sn2));
	}
}

static void
check_names(void)
{
	int t;

	for (t = 0; t < MT_COUNT; t++) {
		PROP(msg_type_from_name(msg_type_name((enum msg_type)t)) == t);
		if (t != MT_OTHER)
			PROP(msg_type_lookup(msg_type_name(
				 (enum msg_type)t)) == (enum msg_type)t);
	}
	PROP(msg_type_lookup("*other*") == MT_OTHER);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum msg_type direct[] = {
		MT_VERSION,
		MT_ADDR,
		MT_ADDRV2,
		MT_INV,
		MT_GETHEADERS,
		MT_HEADERS,
		MT_PING,
	};
	static int named;
	unsigned sel;

	if (!named) {
		check_names();
		named = 1;
	}
	if (size < 1)
		return 0;
	sel = data[0] % (2 + sizeof(direct) / sizeof(direct[0]));
	if (sel == 0)
		check_stream(data + 1, size - 1);
	else if (sel == 1)
		check_text(data + 1, size - 1);
	else
		check_payload(direct[sel - 2], data + 1, size - 1);
	return 0;
}
