/*
 * The address manager (see addrman.h). The bucket rules follow Bitcoin
 * Core's addrman: an address may sit in up to 8 new buckets, each chosen
 * from its group and its source's group, so one source group reaches at
 * most 64 new buckets; a tried address sits in one of 8 buckets of its
 * group. Bucket and position are keyed hashes, the key secret and kept in
 * peers.dat so positions survive restarts.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "net/addrman.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define NEW_BUCKETS_PER_SOURCE_GROUP 64
#define TRIED_BUCKETS_PER_GROUP 8
#define NEW_BUCKETS_PER_ADDRESS 8
#define HORIZON (30 * 24 * 3600)
#define RETRIES 3
#define MAX_FAILURES 10
#define MIN_FAIL (7 * 24 * 3600)
#define REPLACEMENT (4 * 3600)
/* A file's attempt count is capped at this on load. */
#define ATTEMPTS_MAX (1 << 20)

#define KEYLEN (1 + NETADDR_MAXLEN + 2)

struct am_info {
	uint8_t key[KEYLEN]; /* net, address, port: the map key */
	struct addr_entry a;
	struct netaddr source;
	int64_t last_success;
	int64_t last_try;
	int64_t last_count_attempt;
	int attempts;
	int ref_count; /* new buckets holding it */
	int in_tried;
	int id;
};

struct addrman {
	uint64_t k0, k1;
	uint64_t rng; /* splitmix64 state for every random choice here */
	struct htab *map;     /* key -> am_info */
	struct am_info **ent; /* by id */
	int nent, capent;
	int *free_ids;
	int nfree, capfree;
	int n_new, n_tried;
	int64_t last_good; /* last addrman_good: attempts count once per */
	int new_tbl[ADDRMAN_NEW_BUCKET_COUNT][ADDRMAN_BUCKET_SIZE];
	int tried_tbl[ADDRMAN_TRIED_BUCKET_COUNT][ADDRMAN_BUCKET_SIZE];
};

static void
svc_key(const struct service *s, uint8_t key[KEYLEN])
{
	memset(key, 0, KEYLEN);
	key[0] = s->addr.net;
	memcpy(key + 1, s->addr.a, s->addr.len);
	key[1 + NETADDR_MAXLEN] = (uint8_t)(s->port >> 8);
	key[2 + NETADDR_MAXLEN] = (uint8_t)s->port;
}

static void
tables_clear(struct addrman *am)
{
	memset(am->new_tbl, 0xff, sizeof(am->new_tbl));
	memset(am->tried_tbl, 0xff, sizeof(am->tried_tbl));
}

struct addrman *
addrman_new(int deterministic)
{
	struct addrman *am = xcalloc(1, sizeof(*am));

	/* Core's -test=addrman: key 1 and a zero-seeded generator. */
	am->k0 = deterministic ? 1 : rand_u64();
	am->k1 = deterministic ? 0 : rand_u64();
	am->rng = deterministic ? 0 : rand_u64();
	am->map = htab_new(KEYLEN, offsetof(struct am_info, key));
	am->last_good = 1;
	tables_clear(am);
	return am;
}

static void
entries_free(struct addrman *am)
{
	int i;

	for (i = 0; i < am->nent; i++)
		free(am->ent[i]);
	free(am->ent);
	free(am->free_ids);
	am->ent = NULL;
	am->free_ids = NULL;
	am->nent = am->capent = am->nfree = am->capfree = 0;
	am->n_new = am->n_tried = 0;
}

void
addrman_free(struct addrman *am)
{
	if (am == NULL)
		return;
	entries_free(am);
	htab_free(am->map);
	free(am);
}

/*
 * The manager's own generator, so that -test=addrman makes bucket
 * choices, selection and sampling repeatable. Not for secrets: the
 * bucket key is what keeps an attacker from aiming at buckets.
 */
static uint64_t
am_rand(struct addrman *am)
{
	uint64_t z = (am->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0, by rejection so no value is favoured. */
static uint64_t
am_range(struct addrman *am, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;

	do
		v = am_rand(am);
	while (v >= lim);
	return v % n;
}

/* Uniform in [0, 1). */
static double
am_double(struct addrman *am)
{
	return (double)(am_rand(am) >> 11) * 0x1.0p-53;
}

/* Keyed hash over a few byte strings. */
static uint64_t
khash(const struct addrman *am, const void *a, size_t alen, const void *b,
    size_t blen, const void *c, size_t clen)
{
	uint8_t buf[128];
	size_t n = 0;

	memcpy(buf + n, a, alen);
	n += alen;
	if (b) {
		memcpy(buf + n, b, blen);
		n += blen;
	}
	if (c) {
		memcpy(buf + n, c, clen);
		n += clen;
	}
	return siphash(am->k0, am->k1, buf, n);
}

static int
tried_bucket(const struct addrman *am, const struct am_info *e)
{
	uint8_t g[NETGROUP_MAXLEN];
	size_t gl = netaddr_group(&e->a.svc.addr, g);
	uint64_t h1 = khash(am, e->key, KEYLEN, NULL, 0, NULL, 0) %
	    TRIED_BUCKETS_PER_GROUP;
	uint8_t hb[8];

	memcpy(hb, &h1, 8);
	return (
	    int)(khash(am, "T", 1, g, gl, hb, 8) % ADDRMAN_TRIED_BUCKET_COUNT);
}

static int
new_bucket(const struct addrman *am, const struct am_info *e,
    const struct netaddr *src)
{
	uint8_t g[NETGROUP_MAXLEN], sg[NETGROUP_MAXLEN], hb[8];
	size_t gl = netaddr_group(&e->a.svc.addr, g);
	size_t sgl = netaddr_group(src, sg);
	uint64_t h1 = khash(am, "G", 1, g, gl, sg, sgl) %
	    NEW_BUCKETS_PER_SOURCE_GROUP;

	memcpy(hb, &h1, 8);
	return (
	    int)(khash(am, "S", 1, sg, sgl, hb, 8) % ADDRMAN_NEW_BUCKET_COUNT);
}

static int
bucket_pos(const struct addrman *am, const struct am_info *e, int is_new,
    int bucket)
{
	uint8_t b[5];

	b[0] = is_new ? 'N' : 'K';
	b[1] = (uint8_t)(bucket >> 24);
	b[2] = (uint8_t)(bucket >> 16);
	b[3] = (uint8_t)(bucket >> 8);
	b[4] = (uint8_t)bucket;
	return (int)(khash(am, b, 5, e->key, KEYLEN, NULL, 0) %
	    ADDRMAN_BUCKET_SIZE);
}

/*
 * now - t without overflow: last_try and last_success come from peers.dat
 * as any 64 bits (found by fuzz_peersdat).
 */
static int64_t
since(int64_t now, int64_t t)
{
	int64_t d;

	if (__builtin_sub_overflow(now, t, &d))
		return t < 0 ? INT64_MAX : INT64_MIN;
	return d;
}

static int
is_terrible(const struct am_info *e, int64_t now)
{
	if (since(now, e->last_try) <= 60)
		return 0;
	if ((int64_t)e->a.time > now + 600)
		return 1;
	if (now - (int64_t)e->a.time > HORIZON)
		return 1;
	if (e->last_success == 0 && e->attempts >= RETRIES)
		return 1;
	if (since(now, e->last_success) > MIN_FAIL &&
	    e->attempts >= MAX_FAILURES)
		return 1;
	return 0;
}

static double
chance(const struct am_info *e, int64_t now)
{
	double c = 1.0;

	/* Deprioritise very recent attempts. */
	if (since(now, e->last_try) < 600)
		c *= 0.01;
	c *= pow(0.66, e->attempts < 8 ? e->attempts : 8);
	return c;
}

static struct am_info *
entry_create(struct addrman *am, const struct addr_entry *a,
    const struct netaddr *src)
{
	struct am_info *e = xcalloc(1, sizeof(*e));

	e->a = *a;
	e->source = *src;
	svc_key(&a->svc, e->key);
	if (am->nfree > 0)
		e->id = am->free_ids[--am->nfree];
	else {
		if (am->nent == am->capent) {
			am->capent = am->capent ? am->capent * 2 : 64;
			am->ent = xreallocarray(am->ent, (size_t)am->capent,
			    sizeof(*am->ent));
		}
		e->id = am->nent++;
	}
	am->ent[e->id] = e;
	if (htab_put(am->map, e) == -1)
		fatalx("addrman: duplicate entry");
	return e;
}

static void
entry_delete(struct addrman *am, struct am_info *e)
{
	htab_del(am->map, e->key);
	am->ent[e->id] = NULL;
	if (am->nfree == am->capfree) {
		am->capfree = am->capfree ? am->capfree * 2 : 64;
		am->free_ids = xreallocarray(am->free_ids, (size_t)am->capfree,
		    sizeof(int));
	}
	am->free_ids[am->nfree++] = e->id;
	free(e);
}

/* Empties new slot (b, p), deleting its entry when no bucket holds it any more. */
static void
clear_new(struct addrman *am, int b, int p)
{
	int id = am->new_tbl[b][p];
	struct am_info *e;

	if (id < 0)
		return;
	e = am->ent[id];
	am->new_tbl[b][p] = -1;
	if (--e->ref_count == 0) {
		am->n_new--;
		entry_delete(am, e);
	}
}

static struct am_info *
find(const struct addrman *am, const struct service *s)
{
	uint8_t key[KEYLEN];

	svc_key(s, key);
	return htab_get(am->map, key);
}

static int
add_one(struct addrman *am, const struct addr_entry *in,
    const struct netaddr *src, int64_t penalty, int64_t now)
{
	struct am_info *e;
	struct addr_entry a = *in;
	int is_new = 0, b, p, fill;

	if (!netaddr_is_routable(&a.svc.addr))
		return 0;
	/* Our own addresses told to us are not a penalty. */
	if (netaddr_eq(&a.svc.addr, src))
		penalty = 0;
	e = find(am, &a.svc);
	if (e) {
		int online = now - (int64_t)a.time < 24 * 3600;
		int64_t interval = online ? 3600 : 24 * 3600;

		/* Periodically refresh the time seen. */
		if ((int64_t)e->a.time < (int64_t)a.time - interval - penalty)
			e->a.time = (uint32_t)((int64_t)a.time - penalty > 0 ?
				(int64_t)a.time - penalty :
				0);
		e->a.services |= a.services;
		if (a.time <= e->a.time)
			return 0;
		if (e->in_tried)
			return 0;
		if (e->ref_count == NEW_BUCKETS_PER_ADDRESS)
			return 0;
		/* Each further bucket is exponentially less likely. */
		if (e->ref_count > 0 && am_range(am, 1ULL << e->ref_count) != 0)
			return 0;
	} else {
		a.time = (uint32_t)((int64_t)a.time - penalty > 0 ?
			(int64_t)a.time - penalty :
			0);
		e = entry_create(am, &a, src);
		am->n_new++;
		is_new = 1;
	}
	b = new_bucket(am, e, src);
	p = bucket_pos(am, e, 1, b);
	fill = am->new_tbl[b][p] == -1;
	if (am->new_tbl[b][p] != e->id && !fill) {
		struct am_info *old = am->ent[am->new_tbl[b][p]];

		/* Overwrite a terrible entry, or one that is elsewhere too. */
		if (is_terrible(old, now) ||
		    (old->ref_count > 1 && e->ref_count == 0)) {
			clear_new(am, b, p);
			fill = 1;
		}
	}
	if (fill) {
		am->new_tbl[b][p] = e->id;
		e->ref_count++;
	} else if (e->ref_count == 0) {
		am->n_new--;
		entry_delete(am, e);
		return 0;
	}
	return is_new;
}

size_t
addrman_add(struct addrman *am, const struct addr_entry *a, size_t n,
    const struct netaddr *source, int64_t time_penalty, int64_t now)
{
	size_t i, added = 0;

	for (i = 0; i < n; i++)
		added += (size_t)add_one(am, &a[i], source, time_penalty, now);
	if (added)
		log_debug(LOG_ADDRMAN,
		    "added %zu of %zu addresses (%d tried, "
		    "%d new)",
		    added, n, am->n_tried, am->n_new);
	return added;
}

/* Puts e, just taken out of the new table, into tried slot (b, p). */
static void
place_tried(struct addrman *am, struct am_info *e, int b, int p)
{
	am->tried_tbl[b][p] = e->id;
	e->in_tried = 1;
	am->n_tried++;
}

/* Moves a tried entry back to the new table (it lost its tried slot). */
static void
demote(struct addrman *am, struct am_info *old)
{
	int b, p;

	old->in_tried = 0;
	am->n_tried--;
	b = new_bucket(am, old, &old->source);
	p = bucket_pos(am, old, 1, b);
	clear_new(am, b, p);
	am->new_tbl[b][p] = old->id;
	old->ref_count = 1;
	am->n_new++;
}

int
addrman_good(struct addrman *am, const struct service *s, int64_t now)
{
	struct am_info *e = find(am, s), *old;
	int b, p, i, j;

	if (e == NULL)
		return -1;
	am->last_good = now;
	e->last_success = now;
	e->last_try = now;
	e->attempts = 0;
	if (e->in_tried)
		return 0;
	b = tried_bucket(am, e);
	p = bucket_pos(am, e, 0, b);
	old = NULL;
	if (am->tried_tbl[b][p] != -1) {
		old = am->ent[am->tried_tbl[b][p]];
		/* Keep an address that worked lately; evict a stale one. */
		if (since(now, old->last_success) < REPLACEMENT)
			return -1;
	}
	/* Take it out of every new bucket first, so demoting cannot hit it. */
	for (i = 0; i < ADDRMAN_NEW_BUCKET_COUNT && e->ref_count > 0; i++) {
		j = bucket_pos(am, e, 1, i);
		if (am->new_tbl[i][j] == e->id) {
			am->new_tbl[i][j] = -1;
			e->ref_count--;
		}
	}
	am->n_new--;
	if (old) {
		am->tried_tbl[b][p] = -1;
		demote(am, old);
	}
	place_tried(am, e, b, p);
	log_debug(LOG_ADDRMAN, "moved an address to tried (%d tried, %d new)",
	    am->n_tried, am->n_new);
	return 0;
}

void
addrman_attempt(struct addrman *am, const struct service *s, int count_failure,
    int64_t now)
{
	struct am_info *e = find(am, s);

	if (e == NULL)
		return;
	e->last_try = now;
	/* One counted failure per success anywhere: a dead link is not theirs. */
	if (count_failure && e->last_count_attempt < am->last_good) {
		e->last_count_attempt = now;
		e->attempts++;
	}
}

void
addrman_connected(struct addrman *am, const struct service *s, int64_t now)
{
	struct am_info *e = find(am, s);

	if (e && now - (int64_t)e->a.time > 20 * 60)
		e->a.time = (uint32_t)now;
}

void
addrman_set_services(struct addrman *am, const struct service *s,
    uint64_t services)
{
	struct am_info *e = find(am, s);

	if (e)
		e->a.services = services;
}

int64_t
addrman_last_try(const struct addrman *am, const struct service *s)
{
	const struct am_info *e = find(am, s);

	return e ? e->last_try : 0;
}

int
addrman_select(struct addrman *am, int new_only, int64_t now,
    struct addr_entry *out)
{
	double factor = 1.0;
	int tried, b, p, i, id, nb;

	if (am->n_new + am->n_tried == 0 || (new_only && am->n_new == 0))
		return -1;
	tried = !new_only && am->n_tried > 0 &&
	    (am->n_new == 0 || am_range(am, 2) == 0);
	nb = tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
	for (;;) {
		b = (int)am_range(am, (uint64_t)nb);
		p = (int)am_range(am, ADDRMAN_BUCKET_SIZE);
		for (i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
			id = tried ?
			    am->tried_tbl[b][(p + i) % ADDRMAN_BUCKET_SIZE] :
			    am->new_tbl[b][(p + i) % ADDRMAN_BUCKET_SIZE];
			if (id != -1)
				break;
		}
		if (i == ADDRMAN_BUCKET_SIZE)
			continue;
		if (am_double(am) < factor * chance(am->ent[id], now)) {
			*out = am->ent[id]->a;
			return 0;
		}
		factor *= 1.2;
	}
}

size_t
addrman_get_addr(struct addrman *am, size_t max, size_t max_pct, int cls,
    int64_t now, struct addr_entry *out)
{
	size_t nall = 0, want, k = 0, i, j;
	int *ids, id, t;

	ids = xcalloc((size_t)am->nent + 1, sizeof(int));
	for (id = 0; id < am->nent; id++)
		if (am->ent[id])
			ids[nall++] = id;
	want = nall;
	if (max_pct)
		want = max_pct * nall / 100;
	if (max && want > max)
		want = max;
	/* Random order by a partial Fisher-Yates shuffle. */
	for (i = 0; i < nall && k < want; i++) {
		struct am_info *e;

		j = i + (size_t)am_range(am, nall - i);
		t = ids[i];
		ids[i] = ids[j];
		ids[j] = t;
		e = am->ent[ids[i]];
		if (cls != -1 && (int)netaddr_class(&e->a.svc.addr) != cls)
			continue;
		if (is_terrible(e, now))
			continue;
		out[k++] = e->a;
	}
	free(ids);
	return k;
}

size_t
addrman_size(const struct addrman *am, int cls, int which)
{
	size_t n = 0;
	int id;

	if (cls == -1) {
		if (which == 1)
			return (size_t)am->n_new;
		if (which == 0)
			return (size_t)am->n_tried;
		return (size_t)(am->n_new + am->n_tried);
	}
	for (id = 0; id < am->nent; id++) {
		const struct am_info *e = am->ent[id];

		if (e == NULL || (int)netaddr_class(&e->a.svc.addr) != cls)
			continue;
		if (which == -1 || (which == 1) == !e->in_tried)
			n++;
	}
	return n;
}

unsigned
addrman_classes(const struct addrman *am, unsigned mask)
{
	unsigned found = 0;
	int id;

	for (id = 0; id < am->nent && found != mask; id++) {
		const struct am_info *e = am->ent[id];

		if (e != NULL)
			found |= (1u << netaddr_class(&e->a.svc.addr)) & mask;
	}
	return found;
}

void
addrman_walk(const struct addrman *am, int tried,
    void (*fn)(const struct addrman_slot *, void *), void *arg)
{
	int nb = tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
	struct addrman_slot s;
	const struct am_info *e;
	int b, pos, id;

	for (b = 0; b < nb; b++)
		for (pos = 0; pos < ADDRMAN_BUCKET_SIZE; pos++) {
			id = tried ? am->tried_tbl[b][pos] :
				     am->new_tbl[b][pos];
			if (id < 0 || id >= am->nent ||
			    (e = am->ent[id]) == NULL)
				continue;
			s.bucket = b;
			s.position = pos;
			s.a = e->a;
			s.source = e->source;
			fn(&s, arg);
		}
}

int
addrman_check(const struct addrman *am)
{
	int id, b, p, n_new = 0, n_tried = 0, *refs;
	int rc = 0;

	refs = xcalloc((size_t)am->nent + 1, sizeof(int));
	for (b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++)
		for (p = 0; p < ADDRMAN_BUCKET_SIZE; p++) {
			id = am->new_tbl[b][p];
			if (id == -1)
				continue;
			if (id >= am->nent || am->ent[id] == NULL ||
			    am->ent[id]->in_tried ||
			    bucket_pos(am, am->ent[id], 1, b) != p)
				rc = -1;
			else
				refs[id]++;
		}
	for (b = 0; b < ADDRMAN_TRIED_BUCKET_COUNT; b++)
		for (p = 0; p < ADDRMAN_BUCKET_SIZE; p++) {
			id = am->tried_tbl[b][p];
			if (id == -1)
				continue;
			if (id >= am->nent || am->ent[id] == NULL ||
			    !am->ent[id]->in_tried ||
			    tried_bucket(am, am->ent[id]) != b ||
			    bucket_pos(am, am->ent[id], 0, b) != p)
				rc = -1;
			else
				n_tried++;
		}
	for (id = 0; id < am->nent; id++) {
		const struct am_info *e = am->ent[id];

		if (e == NULL)
			continue;
		if (!e->in_tried) {
			n_new++;
			if (e->ref_count != refs[id] || e->ref_count == 0)
				rc = -1;
		}
		if (htab_get(am->map, e->key) != e)
			rc = -1;
	}
	if (n_new != am->n_new || n_tried != am->n_tried ||
	    htab_count(am->map) != (size_t)(n_new + n_tried))
		rc = -1;
	free(refs);
	return rc;
}

/*
 * peers.dat: "BRPEERS1", key (16), count (4), entries, then the SHA-256
 * of everything before it. An entry: the address (BIP155 net id, length,
 * bytes), port, services, time, source address, last success, last try,
 * attempts, tried flag.
 */
static const uint8_t file_magic[8] = "BRPEERS1";

static void
put_addr(struct wbuf *w, const struct netaddr *a)
{
	wbuf_put_u8(w, a->net);
	wbuf_put_u8(w, a->len);
	wbuf_put(w, a->a, a->len);
}

static int
get_addr(struct rbuf *r, struct netaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (rbuf_get_u8(r, &a->net) == -1 || rbuf_get_u8(r, &a->len) == -1 ||
	    a->len > NETADDR_MAXLEN || rbuf_get(r, a->a, a->len) == -1)
		return -1;
	if ((a->net == NET_IPV4 && a->len != 4) ||
	    (a->net == NET_IPV6 && a->len != 16) ||
	    (a->net != NET_IPV4 && a->net != NET_IPV6))
		return -1;
	return 0;
}

void
addrman_serialize(const struct addrman *am, struct wbuf *w)
{
	uint8_t sum[32];
	uint32_t n = 0;
	size_t start = w->len;
	int id;

	wbuf_put(w, file_magic, sizeof(file_magic));
	wbuf_put_le64(w, am->k0);
	wbuf_put_le64(w, am->k1);
	for (id = 0; id < am->nent; id++)
		if (am->ent[id])
			n++;
	wbuf_put_le32(w, n);
	for (id = 0; id < am->nent; id++) {
		const struct am_info *e = am->ent[id];

		if (e == NULL)
			continue;
		put_addr(w, &e->a.svc.addr);
		wbuf_put_le16(w, e->a.svc.port);
		wbuf_put_le64(w, e->a.services);
		wbuf_put_le32(w, e->a.time);
		put_addr(w, &e->source);
		wbuf_put_le64(w, (uint64_t)e->last_success);
		wbuf_put_le64(w, (uint64_t)e->last_try);
		wbuf_put_le32(w, (uint32_t)e->attempts);
		wbuf_put_u8(w, (uint8_t)e->in_tried);
	}
	sha256(w->p + start, w->len - start, sum);
	wbuf_put(w, sum, sizeof(sum));
}

int
addrman_save(const struct addrman *am, const char *path)
{
	struct wbuf w;
	char *tmp;
	int fd, rc = -1;
	size_t off;

	wbuf_init(&w);
	addrman_serialize(am, &w);
	tmp = xasprintf("%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("addrman: %s", tmp);
		goto out;
	}
	for (off = 0; off < w.len;) {
		ssize_t k = write(fd, w.p + off, w.len - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			log_warn("addrman: write %s", tmp);
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)k;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		log_warn("addrman: %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		log_warn("addrman: rename %s", path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	wbuf_free(&w);
	return rc;
}

static int
read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t n = 0, cap = 0, k;

	if (f == NULL)
		return errno == ENOENT ? 1 : -1;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			/* peers.dat holds at most ~82k entries of ~100 bytes. */
			if (cap > 64u * 1024 * 1024) {
				free(p);
				fclose(f);
				return -1;
			}
			p = xrealloc(p, cap);
		}
		k = fread(p + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = p;
	*len = n;
	return 0;
}

int
addrman_load(struct addrman *am, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(path, &data, &len);
	if (rc == 1)
		return 1;
	if (rc == -1) {
		log_warnx("addrman: cannot read %s; starting empty", path);
		return -1;
	}
	rc = addrman_load_buf(am, data, len, path);
	free(data);
	return rc;
}

int
addrman_load_buf(struct addrman *am, const uint8_t *data, size_t len,
    const char *path)
{
	struct addrman *tmp;
	struct rbuf r;
	uint8_t sum[32], magic[8];
	uint32_t n, i, u32, attempts;

	if (len < 8 + 16 + 4 + 32) {
		log_warnx("addrman: %s is truncated; starting empty", path);
		return -1;
	}
	sha256(data, len - 32, sum);
	if (memcmp(sum, data + len - 32, 32) != 0) {
		log_warnx("addrman: %s has a bad checksum; starting empty",
		    path);
		return -1;
	}
	rbuf_init(&r, data, len - 32);
	tmp = xcalloc(1, sizeof(*tmp));
	tmp->map = htab_new(KEYLEN, offsetof(struct am_info, key));
	tmp->rng = am->rng;
	tmp->last_good = 1;
	tables_clear(tmp);
	if (rbuf_get(&r, magic, 8) == -1 ||
	    memcmp(magic, file_magic, 8) != 0 ||
	    rbuf_get_le64(&r, &tmp->k0) == -1 ||
	    rbuf_get_le64(&r, &tmp->k1) == -1 || rbuf_get_le32(&r, &n) == -1)
		goto bad;
	for (i = 0; i < n; i++) {
		struct addr_entry a;
		struct netaddr src;
		struct am_info *e;
		uint64_t ls, lt;
		uint8_t in_tried;
		int b, p;

		memset(&a, 0, sizeof(a));
		if (get_addr(&r, &a.svc.addr) == -1 ||
		    rbuf_get_le16(&r, &a.svc.port) == -1 ||
		    rbuf_get_le64(&r, &a.services) == -1 ||
		    rbuf_get_le32(&r, &u32) == -1 ||
		    get_addr(&r, &src) == -1 || rbuf_get_le64(&r, &ls) == -1 ||
		    rbuf_get_le64(&r, &lt) == -1 ||
		    rbuf_get_le32(&r, &attempts) == -1 ||
		    rbuf_get_u8(&r, &in_tried) == -1)
			goto bad;
		a.time = u32;
		if (find(tmp, &a.svc))
			continue; /* duplicate: keep the first */
		e = entry_create(tmp, &a, &src);
		e->last_success = (int64_t)ls;
		e->last_try = (int64_t)lt;
		/* Far above MAX_FAILURES, and room to count up from. */
		e->attempts = attempts > ATTEMPTS_MAX ? ATTEMPTS_MAX :
							(int)attempts;
		/* Re-place every entry: the file need not match our tables. */
		if (in_tried) {
			b = tried_bucket(tmp, e);
			p = bucket_pos(tmp, e, 0, b);
			if (tmp->tried_tbl[b][p] == -1) {
				place_tried(tmp, e, b, p);
				continue;
			}
		}
		b = new_bucket(tmp, e, &src);
		p = bucket_pos(tmp, e, 1, b);
		if (tmp->new_tbl[b][p] != -1) {
			entry_delete(tmp, e);
			continue;
		}
		tmp->new_tbl[b][p] = e->id;
		e->ref_count = 1;
		tmp->n_new++;
	}
	if (rbuf_left(&r) != 0)
		goto bad;
	/* Swap the loaded state in. */
	entries_free(am);
	htab_free(am->map);
	memcpy(am, tmp, sizeof(*am));
	free(tmp);
	log_info("Loaded %d addresses from peers.dat (%d tried, %d new)",
	    am->n_new + am->n_tried, am->n_tried, am->n_new);
	return 0;
bad:
	log_warnx("addrman: %s is malformed; starting empty", path);
	entries_free(tmp);
	htab_free(tmp->map);
	free(tmp);
	return -1;
}
