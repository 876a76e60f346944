/*
 * The P2P wire codec (see protocol.h).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "net/protocol.h"
#include "primitives/tx.h"
#include "util/xmalloc.h"

static const char *const type_names[MT_COUNT] = {
	[MT_VERSION] = "version",
	[MT_VERACK] = "verack",
	[MT_ADDR] = "addr",
	[MT_ADDRV2] = "addrv2",
	[MT_SENDADDRV2] = "sendaddrv2",
	[MT_INV] = "inv",
	[MT_GETDATA] = "getdata",
	[MT_MERKLEBLOCK] = "merkleblock",
	[MT_GETBLOCKS] = "getblocks",
	[MT_GETHEADERS] = "getheaders",
	[MT_TX] = "tx",
	[MT_HEADERS] = "headers",
	[MT_BLOCK] = "block",
	[MT_GETADDR] = "getaddr",
	[MT_MEMPOOL] = "mempool",
	[MT_PING] = "ping",
	[MT_PONG] = "pong",
	[MT_NOTFOUND] = "notfound",
	[MT_FILTERLOAD] = "filterload",
	[MT_FILTERADD] = "filteradd",
	[MT_FILTERCLEAR] = "filterclear",
	[MT_SENDHEADERS] = "sendheaders",
	[MT_FEEFILTER] = "feefilter",
	[MT_SENDCMPCT] = "sendcmpct",
	[MT_CMPCTBLOCK] = "cmpctblock",
	[MT_GETBLOCKTXN] = "getblocktxn",
	[MT_BLOCKTXN] = "blocktxn",
	[MT_GETCFILTERS] = "getcfilters",
	[MT_CFILTER] = "cfilter",
	[MT_GETCFHEADERS] = "getcfheaders",
	[MT_CFHEADERS] = "cfheaders",
	[MT_GETCFCHECKPT] = "getcfcheckpt",
	[MT_CFCHECKPT] = "cfcheckpt",
	[MT_WTXIDRELAY] = "wtxidrelay",
	[MT_SENDTXRCNCL] = "sendtxrcncl",
	[MT_OTHER] = "*other*",
};

const char *
msg_type_name(enum msg_type t)
{
	return t < MT_COUNT ? type_names[t] : "*other*";
}

enum msg_type
msg_type_lookup(const char *cmd)
{
	int i;

	for (i = 0; i < MT_OTHER; i++)
		if (strcmp(cmd, type_names[i]) == 0)
			return (enum msg_type)i;
	return MT_OTHER;
}

int
msg_type_from_name(const char *name)
{
	int i;

	for (i = 0; i < MT_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

void
msg_header_parse(const uint8_t b[MSG_HEADER_SIZE], struct msg_header *h)
{
	int i, ended = 0;

	memcpy(h->magic, b, 4);
	memcpy(h->cmd, b + 4, MSG_COMMAND_SIZE);
	h->cmd[MSG_COMMAND_SIZE] = '\0';
	/* Printable ASCII, then only NUL padding (Core's IsMessageTypeValid). */
	h->cmd_valid = 1;
	for (i = 0; i < MSG_COMMAND_SIZE; i++) {
		uint8_t c = b[4 + i];

		if (c == 0)
			ended = 1;
		else if (ended || c < 0x20 || c > 0x7e)
			h->cmd_valid = 0;
	}
	h->len = le32_read(b + 16);
	memcpy(h->checksum, b + 20, 4);
}

void
msg_checksum(const void *p, size_t n, uint8_t out[4])
{
	uint8_t h[32];

	hash256(p, n, h);
	memcpy(out, h, 4);
}

void
msg_header_build(uint8_t out[MSG_HEADER_SIZE], const uint8_t magic[4],
    const char *cmd, const void *payload, size_t len)
{
	size_t cl = strlen(cmd);

	memcpy(out, magic, 4);
	memset(out + 4, 0, MSG_COMMAND_SIZE);
	memcpy(out + 4, cmd, cl > MSG_COMMAND_SIZE ? MSG_COMMAND_SIZE : cl);
	le32_write(out + 16, (uint32_t)len);
	msg_checksum(payload, len, out + 20);
}

static const uint8_t v4mapped_pfx[12] = { [10] = 0xff, [11] = 0xff };
/* TORv2 addresses in IPv6 form (OnionCat), fd87:d87e:eb43::/48. */
static const uint8_t onioncat_pfx[6] = { 0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43 };

/* v1 network address: 16 bytes (IPv4 mapped into IPv6) and a big-endian port. */
static int
v1addr_parse(struct rbuf *r, struct service *s)
{
	const uint8_t *p;
	uint16_t port;

	if ((p = rbuf_ptr(r, 16)) == NULL || rbuf_get_be16(r, &port) == -1)
		return PROTO_EMALFORMED;
	memset(s, 0, sizeof(*s));
	netaddr_set_ipv6(&s->addr, p);
	s->port = port;
	return 0;
}

static void
v1addr_encode(struct wbuf *w, const struct service *s)
{
	uint8_t zero[16] = { 0 };

	if (s->addr.net == NET_IPV4) {
		wbuf_put(w, v4mapped_pfx, sizeof(v4mapped_pfx));
		wbuf_put(w, s->addr.a, 4);
	} else if (s->addr.net == NET_IPV6)
		wbuf_put(w, s->addr.a, 16);
	else
		wbuf_put(w, zero, 16);
	wbuf_put_be16(w, s->port);
}

int
version_parse(struct rbuf *r, struct version_msg *v)
{
	uint32_t u32;
	uint64_t u64, len;
	uint8_t b;

	memset(v, 0, sizeof(*v));
	v->nonce = 1;
	v->start_height = -1;
	v->relay = 1;
	if (rbuf_get_le32(r, &u32) == -1)
		return PROTO_EMALFORMED;
	v->version = (int32_t)u32;
	if (rbuf_get_le64(r, &v->services) == -1 ||
	    rbuf_get_le64(r, &u64) == -1)
		return PROTO_EMALFORMED;
	v->timestamp = (int64_t)u64;
	if (rbuf_get_le64(r, &v->recv_services) == -1 ||
	    v1addr_parse(r, &v->addr_recv) != 0)
		return PROTO_EMALFORMED;
	if (rbuf_left(r) == 0)
		return 0;
	if (rbuf_get_le64(r, &v->from_services) == -1 ||
	    v1addr_parse(r, &v->addr_from) != 0 ||
	    rbuf_get_le64(r, &v->nonce) == -1)
		return PROTO_EMALFORMED;
	if (rbuf_left(r) == 0)
		return 0;
	if (rbuf_get_compact(r, &len) == -1 || len > MAX_SUBVERSION_LENGTH ||
	    rbuf_get(r, v->subver, (size_t)len) == -1)
		return PROTO_EMALFORMED;
	v->subver_len = (size_t)len;
	v->subver[len] = '\0';
	if (rbuf_left(r) == 0)
		return 0;
	if (rbuf_get_le32(r, &u32) == -1)
		return PROTO_EMALFORMED;
	v->start_height = (int32_t)u32;
	if (rbuf_left(r) == 0)
		return 0;
	if (rbuf_get_u8(r, &b) == -1)
		return PROTO_EMALFORMED;
	v->relay = b != 0;
	return 0;
}

void
version_encode(struct wbuf *w, const struct version_msg *v)
{
	size_t sl = strlen(v->subver);

	wbuf_put_le32(w, (uint32_t)v->version);
	wbuf_put_le64(w, v->services);
	wbuf_put_le64(w, (uint64_t)v->timestamp);
	wbuf_put_le64(w, v->recv_services);
	v1addr_encode(w, &v->addr_recv);
	wbuf_put_le64(w, v->from_services);
	v1addr_encode(w, &v->addr_from);
	wbuf_put_le64(w, v->nonce);
	wbuf_put_compact(w, sl);
	wbuf_put(w, v->subver, sl);
	wbuf_put_le32(w, (uint32_t)v->start_height);
	wbuf_put_u8(w, v->relay ? 1 : 0);
}

int
addr_v1_compatible(const struct netaddr *a)
{
	return a->net == NET_IPV4 || a->net == NET_IPV6;
}

/*
 * One BIP155 address. Returns 0 with *known set when the network is one
 * Core reads an address of, 0 with *known clear (and a left NET_NONE) for
 * those to ignore, or PROTO_EMALFORMED.
 */
static int
v2addr_parse(struct rbuf *r, struct netaddr *a, int *known)
{
	uint8_t net;
	uint64_t len;
	const uint8_t *p;

	if (rbuf_get_u8(r, &net) == -1 || rbuf_get_compact(r, &len) == -1)
		return PROTO_EMALFORMED;
	if (len > MAX_ADDRV2_SIZE)
		return PROTO_EMALFORMED;
	if ((p = rbuf_ptr(r, (size_t)len)) == NULL)
		return PROTO_EMALFORMED;
	*known = 0;
	memset(a, 0, sizeof(*a));
	switch (net) {
	case NET_IPV4:
		if (len != 4)
			return PROTO_EMALFORMED;
		netaddr_set_ipv4(a, p);
		*known = 1;
		break;
	case NET_IPV6:
		if (len != 16)
			return PROTO_EMALFORMED;
		/* BIP155: IPv4-mapped or TORv2 addresses here are invalid. */
		if (memcmp(p, v4mapped_pfx, sizeof(v4mapped_pfx)) == 0 ||
		    memcmp(p, onioncat_pfx, sizeof(onioncat_pfx)) == 0)
			break;
		memcpy(a->a, p, 16);
		a->net = NET_IPV6;
		a->len = 16;
		*known = 1;
		break;
	case NET_TORV2:
		if (len != 10)
			return PROTO_EMALFORMED;
		break; /* no longer supported: ignored */
	case NET_TORV3:
	case NET_I2P:
	case NET_CJDNS:
		/* Not reachable from here, but gossiped onward (Core). */
		if (len != (net == NET_CJDNS ? 16 : 32))
			return PROTO_EMALFORMED;
		memcpy(a->a, p, (size_t)len);
		a->net = net;
		a->len = (uint8_t)len;
		*known = 1;
		break;
	default: break; /* unknown networks are ignored (BIP155) */
	}
	return 0;
}

static void
v2addr_encode(struct wbuf *w, const struct netaddr *a)
{
	wbuf_put_u8(w, a->net);
	wbuf_put_compact(w, a->len);
	wbuf_put(w, a->a, a->len);
}

int
addr_parse(struct rbuf *r, int v2, struct addr_entry **out, size_t *n,
    size_t *unknown)
{
	struct addr_entry *v;
	uint64_t count, i;
	uint16_t port;
	int known, rc;

	*out = NULL;
	*n = 0;
	*unknown = 0;
	if (rbuf_get_compact(r, &count) == -1)
		return PROTO_EMALFORMED;
	if (count > MAX_ADDR_TO_SEND) {
		*n = (size_t)count;
		return PROTO_ETOOMANY;
	}
	v = xcalloc(count ? (size_t)count : 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		struct addr_entry *e = &v[i];

		if (rbuf_get_le32(r, &e->time) == -1)
			goto bad;
		if (v2) {
			if (rbuf_get_compact_nocap(r, &e->services) == -1)
				goto bad;
			if ((rc = v2addr_parse(r, &e->svc.addr, &known)) != 0)
				goto bad;
			if (rbuf_get_be16(r, &port) == -1)
				goto bad;
			e->svc.port = port;
		} else {
			if (rbuf_get_le64(r, &e->services) == -1 ||
			    v1addr_parse(r, &e->svc) != 0)
				goto bad;
			known = 1;
		}
		if (!known)
			(*unknown)++;
	}
	*out = v;
	*n = (size_t)count;
	return 0;
bad:
	free(v);
	return PROTO_EMALFORMED;
}

int
addrv2_entry_parse(struct rbuf *r, struct addr_entry *e)
{
	uint16_t port;
	int known;

	memset(e, 0, sizeof(*e));
	if (rbuf_get_le32(r, &e->time) == -1 ||
	    rbuf_get_compact_nocap(r, &e->services) == -1 ||
	    v2addr_parse(r, &e->svc.addr, &known) != 0 ||
	    rbuf_get_be16(r, &port) == -1)
		return PROTO_EMALFORMED;
	e->svc.port = port;
	return 0;
}

void
addrv2_entry_encode(struct wbuf *w, const struct addr_entry *e)
{
	wbuf_put_le32(w, e->time);
	wbuf_put_compact(w, e->services);
	v2addr_encode(w, &e->svc.addr);
	wbuf_put_be16(w, e->svc.port);
}

static int
encodable(int v2, const struct netaddr *a)
{
	return v2 ? a->net != NET_NONE : addr_v1_compatible(a);
}

void
addr_encode(struct wbuf *w, int v2, const struct addr_entry *a, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (encodable(v2, &a[i].svc.addr))
			k++;
	wbuf_put_compact(w, k);
	for (i = 0; i < n; i++) {
		if (!encodable(v2, &a[i].svc.addr))
			continue;
		wbuf_put_le32(w, a[i].time);
		if (v2) {
			wbuf_put_compact(w, a[i].services);
			v2addr_encode(w, &a[i].svc.addr);
			wbuf_put_be16(w, a[i].svc.port);
		} else {
			wbuf_put_le64(w, a[i].services);
			v1addr_encode(w, &a[i].svc);
		}
	}
}

int
inv_parse(struct rbuf *r, struct inv **out, size_t *n)
{
	struct inv *v;
	uint64_t count, i;

	*out = NULL;
	*n = 0;
	if (rbuf_get_compact(r, &count) == -1)
		return PROTO_EMALFORMED;
	if (count > MAX_INV_SZ) {
		*n = (size_t)count;
		return PROTO_ETOOMANY;
	}
	/* Check the bytes are there before allocating for them. */
	if (rbuf_left(r) < count * 36)
		return PROTO_EMALFORMED;
	v = xcalloc(count ? (size_t)count : 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		if (rbuf_get_le32(r, &v[i].type) == -1 ||
		    rbuf_get(r, v[i].hash, 32) == -1) {
			free(v);
			return PROTO_EMALFORMED;
		}
	}
	*out = v;
	*n = (size_t)count;
	return 0;
}

void
inv_encode(struct wbuf *w, const struct inv *v, size_t n)
{
	size_t i;

	wbuf_reserve(w, compact_size_len(n) + n * 36);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++) {
		wbuf_put_le32(w, v[i].type);
		wbuf_put(w, v[i].hash, 32);
	}
}

int
locator_parse(struct rbuf *r, struct locator_msg *m)
{
	uint64_t count;

	memset(m, 0, sizeof(*m));
	if (rbuf_get_le32(r, &m->version) == -1 ||
	    rbuf_get_compact(r, &count) == -1)
		return PROTO_EMALFORMED;
	if (count > MAX_LOCATOR_SZ) {
		m->n = (size_t)count;
		return PROTO_ETOOMANY;
	}
	if (rbuf_left(r) < count * 32 + 32)
		return PROTO_EMALFORMED;
	m->hashes = xcalloc(count ? (size_t)count : 1, 32);
	m->n = (size_t)count;
	if (rbuf_get(r, m->hashes, m->n * 32) == -1 ||
	    rbuf_get(r, m->stop, 32) == -1) {
		free(m->hashes);
		m->hashes = NULL;
		m->n = 0;
		return PROTO_EMALFORMED;
	}
	return 0;
}

void
locator_encode(struct wbuf *w, const uint8_t (*hashes)[32], size_t n,
    const uint8_t stop[32])
{
	wbuf_put_le32(w, PROTOCOL_VERSION);
	wbuf_put_compact(w, n);
	wbuf_put(w, hashes, n * 32);
	wbuf_put(w, stop, 32);
}

int
headers_parse(struct rbuf *r, struct block_header **out, size_t *n)
{
	struct block_header *v;
	uint64_t count, i, txn;

	*out = NULL;
	*n = 0;
	if (rbuf_get_compact(r, &count) == -1)
		return PROTO_EMALFORMED;
	if (count > MAX_HEADERS_RESULTS) {
		*n = (size_t)count;
		return PROTO_ETOOMANY;
	}
	if (rbuf_left(r) < count * 81)
		return PROTO_EMALFORMED;
	v = xcalloc(count ? (size_t)count : 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		if (header_parse(r, &v[i]) == -1 ||
		    rbuf_get_compact(r, &txn) == -1) {
			free(v);
			return PROTO_EMALFORMED;
		}
	}
	*out = v;
	*n = (size_t)count;
	return 0;
}

void
headers_encode(struct wbuf *w, const struct block_header *h, size_t n)
{
	uint8_t raw[BLOCK_HEADER_SIZE];
	size_t i;

	wbuf_reserve(w, compact_size_len(n) + n * 81);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++) {
		header_serialize(&h[i], raw);
		wbuf_put(w, raw, sizeof(raw));
		wbuf_put_u8(w, 0);
	}
}

int
nonce_parse(struct rbuf *r, uint64_t *nonce)
{
	return rbuf_get_le64(r, nonce) == -1 ? PROTO_EMALFORMED : 0;
}

void
nonce_encode(struct wbuf *w, uint64_t nonce)
{
	wbuf_put_le64(w, nonce);
}

int
feefilter_parse(struct rbuf *r, int64_t *feerate)
{
	uint64_t v;

	if (rbuf_get_le64(r, &v) == -1)
		return PROTO_EMALFORMED;
	*feerate = (int64_t)v;
	return 0;
}

int
sendcmpct_parse(struct rbuf *r, int *announce, uint64_t *version)
{
	uint8_t b;

	if (rbuf_get_u8(r, &b) == -1 || rbuf_get_le64(r, version) == -1)
		return PROTO_EMALFORMED;
	*announce = b != 0;
	return 0;
}

int
getcf_parse(struct rbuf *r, struct getcf_msg *m)
{
	if (rbuf_get_u8(r, &m->type) == -1 ||
	    rbuf_get_le32(r, &m->start) == -1 ||
	    rbuf_get(r, m->stop, 32) == -1)
		return PROTO_EMALFORMED;
	return 0;
}

int
getcfcheckpt_parse(struct rbuf *r, struct getcf_msg *m)
{
	m->start = 0;
	if (rbuf_get_u8(r, &m->type) == -1 || rbuf_get(r, m->stop, 32) == -1)
		return PROTO_EMALFORMED;
	return 0;
}

void
cfilter_encode(struct wbuf *w, uint8_t type, const uint8_t block[32],
    const uint8_t *filter, size_t len)
{
	wbuf_put_u8(w, type);
	wbuf_put(w, block, 32);
	wbuf_put_compact(w, len);
	wbuf_put(w, filter, len);
}

void
cfheaders_encode(struct wbuf *w, uint8_t type, const uint8_t stop[32],
    const uint8_t prev[32], const uint8_t (*hashes)[32], size_t n)
{
	size_t i;

	wbuf_put_u8(w, type);
	wbuf_put(w, stop, 32);
	wbuf_put(w, prev, 32);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++)
		wbuf_put(w, hashes[i], 32);
}

void
cfcheckpt_encode(struct wbuf *w, uint8_t type, const uint8_t stop[32],
    const uint8_t (*headers)[32], size_t n)
{
	size_t i;

	wbuf_put_u8(w, type);
	wbuf_put(w, stop, 32);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++)
		wbuf_put(w, headers[i], 32);
}

void
subver_sanitize(const char *in, size_t inlen, char *out, size_t outlen)
{
	static const char safe[] =
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890 .,;-_/:?@()";
	size_t i, k = 0;

	for (i = 0; i < inlen && k + 1 < outlen; i++)
		if (in[i] != '\0' && strchr(safe, in[i]))
			out[k++] = in[i];
	out[k] = '\0';
}
