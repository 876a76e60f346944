/*
 * Address relay: addr/addrv2 received (Core's token-bucket rate limit,
 * onward gossip of fresh addresses to one or two peers), getaddr answered
 * from a cache that is refreshed about once a day (so repeated asking
 * cannot map our address book), and the per-peer send schedule.
 * Net thread only.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "net/addrman.h"
#include "net/localaddr.h"
#include "net/banman.h"
#include "net/net_int.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Fresh addresses in small messages are gossiped onward (Core). */
#define RELAY_MAX_AGE 600
#define RELAY_MAX_COUNT 10
#define ADDR_TIME_PENALTY (2 * 3600)
#define CACHE_LIFETIME_MIN (21 * 3600)
#define CACHE_LIFETIME_SPREAD (6 * 3600)

static uint64_t
addr_hash(const struct net *n, const struct service *s)
{
	uint8_t k[1 + NETADDR_MAXLEN + 2];
	size_t len = netaddr_key(&s->addr, k);

	k[len++] = (uint8_t)(s->port >> 8);
	k[len++] = (uint8_t)s->port;
	return siphash(n->netgroup_k0, n->netgroup_k1, k, len);
}

/*
 * One getaddr answer per network the peer came through and local address
 * and port it reached (Core's m_addr_response_caches): a node reachable on
 * several sockets must not let them be linked by identical answers, and
 * reconnecting to one socket gives the same set until it expires.
 */
#define ADDR_CACHE_KEYLEN (1 + 1 + NETADDR_MAXLEN + 2)

struct addr_cache {
	uint8_t key[ADDR_CACHE_KEYLEN];
	struct addr_entry *v; /* MAX_ADDR_TO_SEND slots */
	size_t n;
	int64_t expiry; /* 0: never filled */
};

static struct addr_cache *
addr_cache_for(struct peer *p)
{
	struct net *n = p->net;
	struct addr_cache *c;
	uint8_t key[ADDR_CACHE_KEYLEN];
	size_t len;

	memset(key, 0, sizeof(key));
	key[0] = p->addr.addr.net;
	if (p->has_bind) {
		len = netaddr_key(&p->bind.addr, key + 1);
		key[1 + len] = (uint8_t)(p->bind.port >> 8);
		key[2 + len] = (uint8_t)p->bind.port;
	}
	if (n->addr_caches == NULL)
		n->addr_caches = htab_new(ADDR_CACHE_KEYLEN,
		    offsetof(struct addr_cache, key));
	if ((c = htab_get(n->addr_caches, key)) != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	memcpy(c->key, key, sizeof(key));
	c->v = xcalloc(MAX_ADDR_TO_SEND, sizeof(*c->v));
	htab_put(n->addr_caches, c);
	return c;
}

void
addrs_init(struct peer_addrs *a, int64_t now_us)
{
	memset(a, 0, sizeof(*a));
	a->tokens = 1.0;
	a->token_us = now_us;
}

void
addrs_free(struct peer_addrs *a)
{
	free(a->out);
	free(a->known);
	a->out = NULL;
	a->known = NULL;
	a->out_n = a->out_cap = 0;
}

void
addrs_start(struct peer_addrs *a)
{
	if (a->relay)
		return;
	a->relay = 1;
	a->known = xcalloc(ADDR_KNOWN_SIZE, sizeof(uint64_t));
}

void
addrs_refill(struct peer_addrs *a, int64_t now_us)
{
	if (a->tokens < MAX_ADDR_PROCESSING_TOKEN_BUCKET &&
	    now_us > a->token_us) {
		a->tokens += (double)(now_us - a->token_us) / 1e6 *
		    MAX_ADDR_RATE_PER_SECOND;
		if (a->tokens > MAX_ADDR_PROCESSING_TOKEN_BUCKET)
			a->tokens = MAX_ADDR_PROCESSING_TOKEN_BUCKET;
	}
	a->token_us = now_us;
}

void
addrs_known_add(struct peer_addrs *a, uint64_t h)
{
	if (a->known == NULL)
		return;
	a->known[a->known_pos] = h;
	a->known_pos = (a->known_pos + 1) % ADDR_KNOWN_SIZE;
}

int
addrs_known_has(const struct peer_addrs *a, uint64_t h)
{
	size_t i;

	if (a->known == NULL)
		return 0;
	for (i = 0; i < ADDR_KNOWN_SIZE; i++)
		if (a->known[i] == h)
			return 1;
	return 0;
}

void
addr_relay_setup(struct peer *p)
{
	/* Block-relay-only connections never carry addresses (Core). */
	if (p->type != CONN_BLOCK_RELAY)
		addrs_start(&p->addrs);
}

static void
addr_known_add(struct peer *p, const struct service *s)
{
	addrs_known_add(&p->addrs, addr_hash(p->net, s));
}

static int
addr_known_has(const struct peer *p, const struct service *s)
{
	return addrs_known_has(&p->addrs, addr_hash(p->net, s));
}

static void
push_address(struct peer *p, const struct addr_entry *a)
{
	if (!p->addrs.relay || addr_known_has(p, &a->svc))
		return;
	if (!p->addrs.wants_v2 && !addr_v1_compatible(&a->svc.addr))
		return;
	if (p->addrs.out_n >= MAX_ADDR_TO_SEND) {
		/* Full: a random one makes room, as Core. */
		p->addrs.out[rand_range(p->addrs.out_n)] = *a;
		return;
	}
	if (p->addrs.out_n == p->addrs.out_cap) {
		p->addrs.out_cap = p->addrs.out_cap ? p->addrs.out_cap * 2 :
						      16;
		p->addrs.out = xreallocarray(p->addrs.out, p->addrs.out_cap,
		    sizeof(*p->addrs.out));
	}
	p->addrs.out[p->addrs.out_n++] = *a;
}

/*
 * Gossips a to the peers a keyed hash picks for it: two for an address of
 * a network we reach, one or two (the hash decides) for the others. The
 * pick holds for a day, a day whose start depends on the address (Core),
 * so the peers' known-filters stop repeats.
 */
static void
relay_address(struct net *n, struct peer *from, const struct addr_entry *a,
    int reachable)
{
	struct peer *best[2] = { NULL, NULL }, *p;
	uint64_t key[2] = { 0, 0 }, h, base;
	uint8_t buf[24];
	int want, i;

	base = addr_hash(n, &a->svc);
	le64_write(buf, base);
	le64_write(buf + 8, ((uint64_t)node_time() + base) / (24 * 3600));
	want = reachable ||
		(siphash(n->netgroup_k0, n->netgroup_k1, buf, 16) & 1) ?
	    2 :
	    1;
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p == from || !p->handshaked || !p->addrs.relay ||
		    p->disconnect)
			continue;
		/* Only peers we can send the address to are candidates. */
		if (!p->addrs.wants_v2 && !addr_v1_compatible(&a->svc.addr))
			continue;
		le64_write(buf + 16, p->id);
		h = siphash(n->netgroup_k0, n->netgroup_k1, buf, sizeof(buf));
		if (best[0] == NULL || h > key[0]) {
			best[1] = best[0];
			key[1] = key[0];
			best[0] = p;
			key[0] = h;
		} else if (best[1] == NULL || h > key[1]) {
			best[1] = p;
			key[1] = h;
		}
	}
	for (i = 0; i < want; i++)
		if (best[i])
			push_address(best[i], a);
}

static void
shuffle(struct addr_entry *a, size_t n)
{
	struct addr_entry t;
	size_t i, j;

	for (i = n; i > 1; i--) {
		j = (size_t)rand_range(i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

int
addr_handle(struct peer *p, struct rbuf *r, int v2)
{
	struct net *n = p->net;
	struct addr_entry *v, *ok;
	size_t count, unknown, i, nok = 0;
	uint64_t processed = 0, limited = 0;
	int64_t now = node_time(), now_us = net_now_us();
	int rc;

	rc = addr_parse(r, v2, &v, &count, &unknown);
	if (rc == PROTO_ETOOMANY) {
		peer_misbehaving(p, "%s message size = %zu",
		    v2 ? "addrv2" : "addr", count);
		return H_OK;
	}
	if (rc != 0)
		return H_MALFORMED;
	addr_relay_setup(p);
	if (!p->addrs.relay) {
		log_debug(LOG_NET, "ignoring %s message from %s peer=%llu",
		    v2 ? "addrv2" : "addr", conn_type_name(p->type),
		    (unsigned long long)p->id);
		free(v);
		return H_OK;
	}
	/* Refill the token bucket for the time since the last message. */
	addrs_refill(&p->addrs, now_us);
	shuffle(v, count);
	ok = xcalloc(count ? count : 1, sizeof(*ok));
	for (i = 0; i < count && !p->disconnect; i++) {
		struct addr_entry *a = &v[i];
		int reachable;

		/* Every address costs a token, even one we then skip (Core). */
		if (p->addrs.tokens < 1.0) {
			if (!peer_has_perm(p, PF_ADDR)) {
				limited++;
				continue;
			}
		} else
			p->addrs.tokens -= 1.0;
		/* Only addresses of nodes that may have useful ones. */
		if (!(a->services & (NODE_NETWORK | NODE_NETWORK_LIMITED)))
			continue;
		/*
		 * Entries of networks BIP155 says to ignore (NET_NONE) go on:
		 * counted as processed, as Core counts them, and since never
		 * valid, neither relayed nor kept.
		 */
		if (a->time <= 100000000 || (int64_t)a->time > now + 600)
			a->time = (uint32_t)(now - 5 * 24 * 3600);
		addr_known_add(p, &a->svc);
		if (banman_is_banned(n->banman, &a->svc.addr, now) ||
		    banman_is_discouraged(n->banman, &a->svc.addr))
			continue;
		processed++;
		/* Onion, I2P and CJDNS would need proxies we do not have. */
		reachable = a->svc.addr.net == NET_IPV4 ||
		    a->svc.addr.net == NET_IPV6;
		if ((int64_t)a->time > now - RELAY_MAX_AGE &&
		    !p->addrs.getaddr_sent && count <= RELAY_MAX_COUNT &&
		    netaddr_is_routable(&a->svc.addr))
			relay_address(n, p, a, reachable);
		if (reachable)
			ok[nok++] = *a;
	}
	p->addrs.processed += processed;
	p->addrs.rate_limited += limited;
	if (nok)
		addrman_add(n->addrman, ok, nok, &p->addr.addr,
		    ADDR_TIME_PENALTY, now);
	if (limited)
		log_debug(LOG_NET,
		    "Received addr: %zu addresses (%llu "
		    "processed, %llu rate-limited) from peer=%llu",
		    count, (unsigned long long)processed,
		    (unsigned long long)limited, (unsigned long long)p->id);
	if (count < MAX_ADDR_TO_SEND)
		p->addrs.getaddr_sent = 0;
	if (p->type == CONN_ADDR_FETCH && count > 1)
		peer_disconnect(p, "addrfetch connection completed");
	free(ok);
	free(v);
	return H_OK;
}

int
getaddr_handle(struct peer *p)
{
	struct net *n = p->net;
	struct addr_entry *tmp;
	struct addr_cache *c;
	int64_t now = node_time();
	size_t k, i;

	/* Only inbound peers may ask: an outbound one could fingerprint us. */
	if (p->type != CONN_INBOUND) {
		log_debug(LOG_NET,
		    "Ignoring \"getaddr\" from %s connection. "
		    "peer=%llu",
		    conn_type_name(p->type), (unsigned long long)p->id);
		return H_OK;
	}
	addr_relay_setup(p);
	if (p->addrs.getaddr_recvd) {
		log_debug(LOG_NET, "Ignoring repeated \"getaddr\". peer=%llu",
		    (unsigned long long)p->id);
		return H_OK;
	}
	p->addrs.getaddr_recvd = 1;
	p->addrs.out_n = 0;
	if (peer_has_perm(p, PF_ADDR)) {
		tmp = xcalloc(MAX_ADDR_TO_SEND, sizeof(*tmp));
		k = addrman_get_addr(n->addrman, MAX_ADDR_TO_SEND, 0, -1, now,
		    tmp);
		for (i = 0; i < k; i++)
			push_address(p, &tmp[i]);
		free(tmp);
		return H_OK;
	}
	c = addr_cache_for(p);
	if (now >= c->expiry) {
		c->n = addrman_get_addr(n->addrman, MAX_ADDR_TO_SEND,
		    MAX_PCT_ADDR_TO_SEND, -1, now, c->v);
		c->expiry = now + CACHE_LIFETIME_MIN +
		    (int64_t)rand_range(CACHE_LIFETIME_SPREAD);
	}
	for (i = 0; i < c->n; i++)
		push_address(p, &c->v[i]);
	return H_OK;
}

void
addr_caches_free(struct net *n)
{
	struct addr_cache *c;
	size_t pos = 0;

	if (n->addr_caches == NULL)
		return;
	while ((c = htab_next(n->addr_caches, &pos)) != NULL) {
		free(c->v);
		free(c);
	}
	htab_free(n->addr_caches);
	n->addr_caches = NULL;
}

/* Core's limit: ten average address broadcast intervals, five minutes. */
#define ADDR_FETCH_TIMEOUT (10 * ADDR_BROADCAST_INTERVAL)

void
addr_fetch_expire(struct peer *p, int64_t now)
{
	if (p->type == CONN_ADDR_FETCH &&
	    now - p->conn_time > ADDR_FETCH_TIMEOUT)
		peer_disconnect(p, "addrfetch connection timeout");
}

void
addr_send_due(struct peer *p, int64_t now)
{
	struct addr_entry *v;
	struct wbuf w;
	size_t i, k = 0;
	double u;

	if (!p->addrs.relay || now < p->addrs.next_send)
		return;
	/* Poisson schedule, mean ADDR_BROADCAST_INTERVAL (Core). */
	u = rand_double();
	p->addrs.next_send = now +
	    (int64_t)(-log1p(-u) * ADDR_BROADCAST_INTERVAL);
	if (p->addrs.out_n == 0)
		return;
	v = p->addrs.out;
	for (i = 0; i < p->addrs.out_n; i++) {
		if (addr_known_has(p, &v[i].svc))
			continue;
		addr_known_add(p, &v[i].svc);
		v[k++] = v[i];
	}
	p->addrs.out_n = 0;
	if (k == 0)
		return;
	wbuf_init(&w);
	addr_encode(&w, p->addrs.wants_v2, v, k);
	peer_send_wbuf(p, p->addrs.wants_v2 ? MT_ADDRV2 : MT_ADDR, &w);
	wbuf_free(&w);
}

/* Core's AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL. */
#define LOCAL_ADDRESS_BROADCAST_US (24LL * 3600 * 1000000)

void
addr_advertise_local(struct peer *p, int64_t now_us)
{
	struct net *n = p->net;
	struct addr_entry e;
	char s[NETADDR_STRLEN];

	if (!p->addrs.relay || !n->listen || now_us < p->addrs.next_local_us ||
	    sync_is_ibd(n))
		return;
	/* Sent before: forget what it knows, so that this one goes out. */
	if (p->addrs.next_local_us != 0)
		memset(p->addrs.known, 0, ADDR_KNOWN_SIZE * sizeof(uint64_t));
	memset(&e, 0, sizeof(e));
	if (local_addr_for_peer(n, p, &e.svc) == 0) {
		e.services = net_services(n);
		e.time = (uint32_t)node_time();
		service_format(&e.svc, s, sizeof(s));
		log_debug(LOG_NET, "Advertising address %s to peer=%llu", s,
		    (unsigned long long)p->id);
		push_address(p, &e);
	}
	p->addrs.next_local_us = now_us +
	    (int64_t)(-log1p(-rand_double()) * LOCAL_ADDRESS_BROADCAST_US);
}
