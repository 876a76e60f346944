/*
 * Network addresses, services and subnets (see netaddr.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "net/netaddr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };

void
netaddr_set_ipv4(struct netaddr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->net = NET_IPV4;
	a->len = 4;
	memcpy(a->a, b, 4);
}

void
netaddr_set_ipv6(struct netaddr *a, const uint8_t b[16])
{
	if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
		netaddr_set_ipv4(a, b + 12);
		return;
	}
	memset(a, 0, sizeof(*a));
	a->net = NET_IPV6;
	a->len = 16;
	memcpy(a->a, b, 16);
}

/*
 * Cuts an IPv6 zone ("%2" or "%eth0") off buf into *scope, as getaddrinfo
 * reads one for Core: a number is taken as it is, a name must be an
 * interface of this machine. 0 (no '%' gives scope 0), or -1.
 */
static int
cut_scope(char *buf, uint32_t *scope)
{
	char *pct = strchr(buf, '%'), *end;
	unsigned long v;

	*scope = 0;
	if (pct == NULL)
		return 0;
	*pct++ = '\0';
	if (*pct == '\0')
		return -1;
	if (*pct >= '0' && *pct <= '9') {
		errno = 0;
		v = strtoul(pct, &end, 10);
		if (errno != 0 || *end != '\0' || v > UINT32_MAX)
			return -1;
		*scope = (uint32_t)v;
		return 0;
	}
	if ((*scope = if_nametoindex(pct)) == 0)
		return -1;
	return 0;
}

/* The IPv6 text in buf (a zone allowed) into a; 0 or -1. */
static int
parse_ipv6_scoped(char *buf, struct netaddr *a)
{
	uint8_t b[16];
	uint32_t scope;

	if (cut_scope(buf, &scope) == -1 || inet_pton(AF_INET6, buf, b) != 1)
		return -1;
	netaddr_set_ipv6(a, b);
	/* An IPv4-mapped address becomes IPv4 and loses the zone (Core). */
	if (a->net == NET_IPV6)
		a->scope = scope;
	return 0;
}

int
netaddr_parse(const char *s, struct netaddr *a)
{
	uint8_t b[16];
	char buf[128];

	if (inet_pton(AF_INET, s, b) == 1) {
		netaddr_set_ipv4(a, b);
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return parse_ipv6_scoped(buf, a);
}

/*
 * IPv4 as glibc's getaddrinfo reads a numeric host (inet_aton, exact):
 * one to four parts, each decimal, octal (leading 0) or hex (0x), the last
 * filling the bytes left.
 */
static int
parse_ipv4_aton(const char *s, uint8_t out[4])
{
	static const unsigned long max[4] = { 0xffffffffUL, 0xffffffUL,
		0xffffUL, 0xffUL };
	unsigned long v;
	uint32_t w;
	char *end;
	int n = 0, i;

	memset(out, 0, 4);
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno != 0 || v > 0xffffffffUL)
			return -1;
		s = end;
		if (*s != '.')
			break;
		if (n == 3 || v > 0xff)
			return -1;
		out[n++] = (uint8_t)v;
		s++;
	}
	if (*s != '\0' || v > max[n])
		return -1;
	w = (uint32_t)v;
	for (i = 3; i >= n; i--) {
		out[i] = (uint8_t)(w & 0xff);
		w >>= 8;
	}
	return 0;
}

int
netaddr_lookup_numeric(const char *s, struct netaddr *a)
{
	/* Core's reading of OnionCat (Tor v2, gone) and its internal names. */
	static const uint8_t torv2[6] = { 0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43 };
	static const uint8_t internal[6] = { 0xfd, 0x6b, 0x88, 0xc0, 0x87,
		0x24 };
	char buf[128];
	uint8_t b[16];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_ipv4_aton(buf, b) == 0) {
		netaddr_set_ipv4(a, b);
		return 0;
	}
	if (parse_ipv6_scoped(buf, a) == -1)
		return -1;
	if (a->net == NET_IPV6 &&
	    memcmp(a->a, internal, sizeof(internal)) == 0)
		return -1;
	if (a->net == NET_IPV6 && memcmp(a->a, torv2, sizeof(torv2)) == 0) {
		memset(b, 0, sizeof(b));
		netaddr_set_ipv6(a, b);
	}
	return 0;
}

void
netaddr_format(const struct netaddr *a, char *out, size_t outlen)
{
	char buf[INET6_ADDRSTRLEN + 16]; /* room for "%zone" */

	switch (a->net) {
	case NET_IPV4: inet_ntop(AF_INET, a->a, buf, sizeof(buf)); break;
	case NET_IPV6:
		inet_ntop(AF_INET6, a->a, buf, sizeof(buf));
		if (a->scope != 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "%%%u", a->scope);
		break;
	case NET_CJDNS: inet_ntop(AF_INET6, a->a, buf, sizeof(buf)); break;
	case NET_TORV3:
	case NET_I2P:
		if (netaddr_format_name(a, out, outlen) == 0)
			return;
		/* FALLTHROUGH */
	default:
		/* Not connectable here; shown as the raw bytes. */
		snprintf(buf, sizeof(buf), "net%u-%02x%02x%02x%02x", a->net,
		    a->a[0], a->a[1], a->a[2], a->a[3]);
		break;
	}
	snprintf(out, outlen, "%s", buf);
}

int
netaddr_eq(const struct netaddr *a, const struct netaddr *b)
{
	return a->net == b->net && a->len == b->len &&
	    memcmp(a->a, b->a, a->len) == 0;
}

static int
v4_in(const struct netaddr *a, uint8_t b0, uint8_t b1, int bits)
{
	uint32_t x, net, mask;

	if (a->net != NET_IPV4)
		return 0;
	x = (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
	    (uint32_t)a->a[2] << 8 | a->a[3];
	net = (uint32_t)b0 << 24 | (uint32_t)b1 << 16;
	mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	return (x & mask) == (net & mask);
}

static int
v4_in3(const struct netaddr *a, uint8_t b0, uint8_t b1, uint8_t b2)
{
	return a->net == NET_IPV4 && a->a[0] == b0 && a->a[1] == b1 &&
	    a->a[2] == b2;
}

static int
v6_prefix(const struct netaddr *a, const uint8_t *p, int bits)
{
	int full = bits / 8, rem = bits % 8;

	if (a->net != NET_IPV6)
		return 0;
	if (memcmp(a->a, p, full) != 0)
		return 0;
	if (rem == 0)
		return 1;
	return (a->a[full] >> (8 - rem)) == (p[full] >> (8 - rem));
}

int
netaddr_is_valid(const struct netaddr *a)
{
	static const uint8_t doc6[] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t oldtor[] = { 0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43 };
	static const uint8_t zero[16];

	switch (a->net) {
	case NET_IPV4:
		if (memcmp(a->a, zero, 4) == 0)
			return 0;
		if (a->a[0] == 255 && a->a[1] == 255 && a->a[2] == 255 &&
		    a->a[3] == 255)
			return 0;
		return 1;
	case NET_IPV6:
		if (memcmp(a->a, zero, 16) == 0)
			return 0;
		if (v6_prefix(a, doc6, 32) || v6_prefix(a, oldtor, 48))
			return 0;
		return 1;
	case NET_TORV3:
	case NET_I2P: return 1;
	case NET_CJDNS:
		/* CJDNS addresses are all in fc00::/8. */
		return a->a[0] == 0xfc;
	default: return 0;
	}
}

int
netaddr_is_local(const struct netaddr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	if (a->net == NET_IPV4)
		return a->a[0] == 127 || a->a[0] == 0;
	if (a->net == NET_IPV6)
		return memcmp(a->a, lo6, 16) == 0;
	return 0;
}

int
netaddr_is_routable(const struct netaddr *a)
{
	static const uint8_t ll[] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0 };
	static const uint8_t ula[] = { 0xfc };
	static const uint8_t orchid[] = { 0x20, 0x01, 0x00, 0x10 };
	static const uint8_t orchid2[] = { 0x20, 0x01, 0x00, 0x20 };

	if (!netaddr_is_valid(a) || netaddr_is_local(a))
		return 0;
	if (a->net == NET_IPV4) {
		if (v4_in(a, 10, 0, 8) || v4_in(a, 192, 168, 16) ||
		    v4_in(a, 172, 16, 12) ||  /* RFC1918 */
		    v4_in(a, 198, 18, 15) ||  /* RFC2544 */
		    v4_in(a, 169, 254, 16) || /* RFC3927 */
		    v4_in(a, 100, 64, 10) ||  /* RFC6598 */
		    v4_in3(a, 192, 0, 2) || v4_in3(a, 198, 51, 100) ||
		    v4_in3(a, 203, 0, 113)) /* RFC5737 */
			return 0;
	}
	if (a->net == NET_IPV6) {
		if (v6_prefix(a, ll, 64) ||	/* RFC4862 */
		    v6_prefix(a, ula, 7) ||	/* RFC4193 */
		    v6_prefix(a, orchid, 28) || /* RFC4843 */
		    v6_prefix(a, orchid2, 28))	/* RFC7343 */
			return 0;
	}
	return 1;
}

enum net_class
netaddr_class(const struct netaddr *a)
{
	if (!netaddr_is_routable(a))
		return NETC_UNROUTABLE;
	switch (a->net) {
	case NET_IPV4: return NETC_IPV4;
	case NET_IPV6: return NETC_IPV6;
	case NET_TORV3: return NETC_ONION;
	case NET_I2P: return NETC_I2P;
	case NET_CJDNS: return NETC_CJDNS;
	default: return NETC_UNROUTABLE;
	}
}

static const char *const class_names[] = {
	[NETC_UNROUTABLE] = "not_publicly_routable",
	[NETC_IPV4] = "ipv4",
	[NETC_IPV6] = "ipv6",
	[NETC_ONION] = "onion",
	[NETC_I2P] = "i2p",
	[NETC_CJDNS] = "cjdns",
};

const char *
net_class_name(enum net_class c)
{
	return class_names[c];
}

int
net_class_parse(const char *s, enum net_class *c)
{
	int i;

	for (i = NETC_IPV4; i <= NETC_CJDNS; i++) {
		if (strcasecmp(s, class_names[i]) == 0) {
			*c = (enum net_class)i;
			return 0;
		}
	}
	return -1;
}

size_t
netaddr_group(const struct netaddr *a, uint8_t out[NETGROUP_MAXLEN])
{
	static const uint8_t sixtofour[] = { 0x20, 0x02 };
	static const uint8_t teredo[] = { 0x20, 0x01, 0x00, 0x00 };
	static const uint8_t nat64[] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0,
		0, 0 };
	static const uint8_t henet[] = { 0x20, 0x01, 0x04, 0x70 };

	if (netaddr_is_local(a)) {
		out[0] = 255;
		return 1;
	}
	/* Core's NET_INTERNAL (6 in its enum): one group per name. */
	if (netaddr_is_internal(a)) {
		out[0] = 6 | 0x80;
		memcpy(out + 1, a->a + 6, 10);
		return 11;
	}
	if (!netaddr_is_routable(a)) {
		out[0] = 0;
		return 1;
	}
	out[0] = a->net;
	switch (a->net) {
	case NET_IPV4:
		out[1] = a->a[0];
		out[2] = a->a[1];
		return 3;
	case NET_IPV6:
		/* Embedded IPv4 groups by the IPv4 /16 it carries. */
		if (v6_prefix(a, sixtofour, 16)) {
			out[0] = NET_IPV4;
			out[1] = a->a[2];
			out[2] = a->a[3];
			return 3;
		}
		if (v6_prefix(a, teredo, 32)) {
			out[0] = NET_IPV4;
			out[1] = a->a[12] ^ 0xff;
			out[2] = a->a[13] ^ 0xff;
			return 3;
		}
		if (v6_prefix(a, nat64, 96)) {
			out[0] = NET_IPV4;
			out[1] = a->a[12];
			out[2] = a->a[13];
			return 3;
		}
		memcpy(out + 1, a->a, 4);
		if (v6_prefix(a, henet, 32)) {
			/* Hurricane Electric hands out /36s to its users. */
			out[5] = a->a[4] & 0xf0;
			return 6;
		}
		return 5;
	default:
		/* Tor, I2P, CJDNS: 4 bits of the address. */
		out[1] = a->a[0] & 0xf0;
		return 2;
	}
}

size_t
netaddr_key(const struct netaddr *a, uint8_t out[1 + NETADDR_MAXLEN])
{
	out[0] = a->net;
	memcpy(out + 1, a->a, a->len);
	return 1 + (size_t)a->len;
}

int
service_from_sockaddr(struct service *s, const struct sockaddr *sa)
{
	const struct sockaddr_in *in4;
	const struct sockaddr_in6 *in6;

	memset(s, 0, sizeof(*s));
	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		netaddr_set_ipv4(&s->addr, (const uint8_t *)&in4->sin_addr);
		s->port = ntohs(in4->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		netaddr_set_ipv6(&s->addr, in6->sin6_addr.s6_addr);
		if (s->addr.net == NET_IPV6)
			s->addr.scope = in6->sin6_scope_id;
		s->port = ntohs(in6->sin6_port);
		return 0;
	}
	return -1;
}

socklen_t
service_to_sockaddr(const struct service *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4;
	struct sockaddr_in6 *in6;

	memset(ss, 0, sizeof(*ss));
	if (s->addr.net == NET_IPV4) {
		in4 = (struct sockaddr_in *)(void *)ss;
		in4->sin_family = AF_INET;
		in4->sin_port = htons(s->port);
		memcpy(&in4->sin_addr, s->addr.a, 4);
		return sizeof(*in4);
	}
	if (s->addr.net == NET_IPV6) {
		in6 = (struct sockaddr_in6 *)(void *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(s->port);
		memcpy(&in6->sin6_addr, s->addr.a, 16);
		in6->sin6_scope_id = s->addr.scope;
		return sizeof(*in6);
	}
	return 0;
}

int
service_split(const char *s, uint16_t default_port, char *host, size_t hostlen,
    uint16_t *port)
{
	const char *colon, *end;
	size_t hl;
	char *ep;
	unsigned long p;

	*port = default_port;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return -1;
		hl = (size_t)(end - s - 1);
		if (hl + 1 > hostlen)
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (end[1] == '\0')
			return 0;
		if (end[1] != ':')
			return -1;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		/* More than one colon without brackets: a bare IPv6 address. */
		if (colon && strchr(s, ':') != colon)
			colon = NULL;
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (hl + 1 > hostlen)
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon == NULL)
			return 0;
	}
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	p = strtoul(colon + 1, &ep, 10);
	if (*ep != '\0' || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int
service_parse(const char *s, uint16_t default_port, struct service *out)
{
	char host[256];
	uint16_t port;

	if (service_split(s, default_port, host, sizeof(host), &port) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	if (netaddr_parse(host, &out->addr) == -1)
		return -1;
	out->port = port;
	return 0;
}

void
service_format(const struct service *s, char *out, size_t outlen)
{
	char a[NETADDR_STRLEN];

	netaddr_format(&s->addr, a, sizeof(a));
	if (s->addr.net == NET_IPV6 || s->addr.net == NET_CJDNS)
		snprintf(out, outlen, "[%s]:%u", a, s->port);
	else
		snprintf(out, outlen, "%s:%u", a, s->port);
}

int
service_eq(const struct service *a, const struct service *b)
{
	return a->port == b->port && netaddr_eq(&a->addr, &b->addr);
}

static void
subnet_mask(struct subnet *sn)
{
	int i, bits = sn->bits;

	for (i = 0; i < sn->base.len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			sn->base.a[i] &= (uint8_t)(0xff00 >> bits);
			bits = 0;
		}
	}
}

static int
mask_bits(const struct netaddr *m)
{
	int i, bits = 0, ended = 0;
	uint8_t b;

	for (i = 0; i < m->len; i++) {
		for (b = 0x80; b; b >>= 1) {
			if (m->a[i] & b) {
				if (ended)
					return -1;
				bits++;
			} else
				ended = 1;
		}
	}
	return bits;
}

/* A prefix length as Core reads one: decimal digits, a leading '+' allowed. */
static int
parse_prefix_len(const char *s, unsigned *bits)
{
	unsigned v = 0;

	if (*s == '+')
		s++;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 255)
			return -1;
	}
	*bits = v;
	return 0;
}

int
subnet_parse(const char *s, struct subnet *out)
{
	const char *slash = strrchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	struct netaddr mask;
	char host[128];
	unsigned bits;
	int maxbits;

	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(out, 0, sizeof(*out));
	/* As Core, the base of a subnet need not be a usable address. */
	if (netaddr_lookup_numeric(host, &out->base) == -1)
		return -1;
	maxbits = out->base.len * 8;
	if (slash == NULL) {
		out->bits = (uint8_t)maxbits;
		return 0;
	}
	if (parse_prefix_len(slash + 1, &bits) == 0) {
		if (bits > (unsigned)maxbits)
			return -1;
		out->bits = (uint8_t)bits;
	} else {
		/* Not a length: a netmask, ones then zeros. */
		if (netaddr_lookup_numeric(slash + 1, &mask) == -1 ||
		    mask.net != out->base.net)
			return -1;
		if ((maxbits = mask_bits(&mask)) == -1)
			return -1;
		out->bits = (uint8_t)maxbits;
	}
	subnet_mask(out);
	return 0;
}

int
subnet_match(const struct subnet *sn, const struct netaddr *a)
{
	struct subnet tmp;

	if (a->net != sn->base.net)
		return 0;
	tmp.base = *a;
	tmp.bits = sn->bits;
	subnet_mask(&tmp);
	return memcmp(tmp.base.a, sn->base.a, a->len) == 0;
}

void
subnet_format(const struct subnet *sn, char *out, size_t outlen)
{
	char a[NETADDR_STRLEN];

	netaddr_format(&sn->base, a, sizeof(a));
	snprintf(out, outlen, "%s/%u", a, sn->bits);
}

int
subnet_eq(const struct subnet *a, const struct subnet *b)
{
	return a->bits == b->bits && netaddr_eq(&a->base, &b->base);
}

void
subnet_single(struct subnet *sn, const struct netaddr *a)
{
	sn->base = *a;
	sn->bits = (uint8_t)(a->len * 8);
}

/* Core's SetInternal: fd6b:88c0:8724 and 10 bytes of SHA256(name). */
void
netaddr_set_internal(struct netaddr *a, const char *name)
{
	static const uint8_t prefix[6] = { 0xfd, 0x6b, 0x88, 0xc0, 0x87,
		0x24 };
	uint8_t h[32], b[16];

	sha256(name, strlen(name), h);
	memcpy(b, prefix, sizeof(prefix));
	memcpy(b + 6, h, 10);
	netaddr_set_ipv6(a, b);
}

int
netaddr_is_internal(const struct netaddr *a)
{
	static const uint8_t prefix[6] = { 0xfd, 0x6b, 0x88, 0xc0, 0x87,
		0x24 };

	return a->net == NET_IPV6 && memcmp(a->a, prefix, 6) == 0;
}
