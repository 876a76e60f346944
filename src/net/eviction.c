/*
 * Inbound eviction when every inbound slot is taken, after Core's
 * SelectNodeToEvict: protect peers an attacker cannot easily imitate
 * (distinct keyed netgroups, lowest ping, recent novel transactions and
 * blocks, long uptime, disadvantaged networks such as localhost), then
 * drop the youngest peer of the most crowded netgroup among the rest.
 * Net thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "net/banman.h"
#include "net/net_int.h"
#include "util/xmalloc.h"

struct cand {
	uint64_t id;
	int64_t connected; /* monotonic us: larger is younger */
	int64_t min_ping;
	int64_t last_block;
	int64_t last_tx;
	int relevant; /* NODE_NETWORK and NODE_WITNESS */
	int relay_txs;
	int is_local;
	int prefer_evict; /* discouraged */
	uint64_t group;	  /* keyed netgroup */
};

typedef int (*cmp_fn)(const void *, const void *);

/*
 * Sorts by cmp (ascending: the best protected last) and removes, among
 * the last k, those that match pred (NULL: all). Returns the new count.
 */
static size_t
erase_last_k(struct cand *v, size_t n, cmp_fn cmp, size_t k,
    int (*pred)(const struct cand *, const void *), const void *arg)
{
	size_t i, w, start;

	qsort(v, n, sizeof(*v), cmp);
	if (k > n)
		k = n;
	start = n - k;
	for (i = w = start; i < n; i++)
		if (pred && !pred(&v[i], arg))
			v[w++] = v[i];
	return w;
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* Older connections sort after younger ones ("a connected later first"). */
static int
older_last(const struct cand *a, const struct cand *b)
{
	return cmp_i64(b->connected, a->connected);
}

static int
cmp_group(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return a->group < b->group ? -1 : a->group > b->group;
}

static int
cmp_ping(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	/* Lowest ping last. */
	return cmp_i64(b->min_ping, a->min_ping);
}

static int
cmp_tx(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->last_tx != b->last_tx)
		return cmp_i64(a->last_tx, b->last_tx);
	if (a->relay_txs != b->relay_txs)
		return a->relay_txs ? 1 : -1;
	return older_last(a, b);
}

static int
cmp_block(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->last_block != b->last_block)
		return cmp_i64(a->last_block, b->last_block);
	if (a->relevant != b->relevant)
		return a->relevant ? 1 : -1;
	return older_last(a, b);
}

static int
cmp_block_relay_only(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	/* Block-relay-only peers first, then as cmp_block. */
	if (a->relay_txs != b->relay_txs)
		return a->relay_txs ? -1 : 1;
	return cmp_block(x, y);
}

static int
cmp_uptime(const void *x, const void *y)
{
	return older_last(x, y);
}

static int
cmp_local_uptime(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->is_local != b->is_local)
		return a->is_local ? 1 : -1;
	return older_last(a, b);
}

static int
pred_block_relay_only(const struct cand *c, const void *arg)
{
	return !c->relay_txs && c->relevant;
}

static int
pred_local(const struct cand *c, const void *arg)
{
	return c->is_local;
}

/*
 * Core's ProtectEvictionCandidatesByRatio: half of the rest by uptime, up
 * to a quarter of them reserved for disadvantaged networks. Of those only
 * localhost exists here (no Tor, I2P or CJDNS).
 */
static size_t
protect_by_ratio(struct cand *v, size_t n)
{
	size_t total = n / 2, by_net = total / 2, before, i, nlocal = 0;

	for (i = 0; i < n; i++)
		nlocal += (size_t)v[i].is_local;
	before = n;
	if (nlocal > 0 && by_net > 0)
		n = erase_last_k(v, n, cmp_local_uptime, by_net, pred_local,
		    NULL);
	return erase_last_k(v, n, cmp_uptime, total - (before - n), NULL,
	    NULL);
}

int
eviction_select(struct net *n, uint64_t *id)
{
	struct cand *v;
	struct peer *p;
	size_t k = 0, i, j, best_n = 0, cnt, any_prefer = 0;
	uint64_t best_group = 0;
	int64_t best_time = 0;
	uint8_t g[NETGROUP_MAXLEN];

	v = xcalloc(n->npeers + 1, sizeof(*v));
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->type != CONN_INBOUND || p->disconnect ||
		    peer_has_perm(p, PF_NOBAN))
			continue;
		v[k].id = p->id;
		v[k].connected = p->conn_mono_us;
		v[k].min_ping = p->min_ping_us;
		v[k].last_block = p->last_block_time;
		v[k].last_tx = p->last_tx_time;
		v[k].relevant = (p->services &
				    (NODE_NETWORK | NODE_WITNESS)) ==
		    (NODE_NETWORK | NODE_WITNESS);
		v[k].relay_txs = p->relay_txs;
		v[k].is_local = netaddr_is_local(&p->addr.addr);
		v[k].prefer_evict = banman_is_discouraged(n->banman,
		    &p->addr.addr);
		v[k].group = siphash(n->netgroup_k0, n->netgroup_k1, g,
		    netaddr_group(&p->addr.addr, g));
		k++;
	}
	k = erase_last_k(v, k, cmp_group, 4, NULL, NULL);
	k = erase_last_k(v, k, cmp_ping, 8, NULL, NULL);
	k = erase_last_k(v, k, cmp_tx, 4, NULL, NULL);
	k = erase_last_k(v, k, cmp_block_relay_only, 8, pred_block_relay_only,
	    NULL);
	k = erase_last_k(v, k, cmp_block, 4, NULL, NULL);
	k = protect_by_ratio(v, k);
	if (k == 0) {
		free(v);
		return -1;
	}
	/* Discouraged peers go first if any are left. */
	for (i = 0; i < k; i++)
		any_prefer |= (size_t)v[i].prefer_evict;
	if (any_prefer) {
		for (i = j = 0; i < k; i++)
			if (v[i].prefer_evict)
				v[j++] = v[i];
		k = j;
	}
	/* Youngest first, so a group's first member is its youngest. */
	qsort(v, k, sizeof(*v), cmp_uptime);
	for (i = 0; i < k; i++) {
		const struct cand *first = NULL;

		for (j = 0, cnt = 0; j < k; j++) {
			if (v[j].group != v[i].group)
				continue;
			if (first == NULL)
				first = &v[j];
			cnt++;
		}
		if (cnt > best_n ||
		    (cnt == best_n && first->connected > best_time)) {
			best_n = cnt;
			best_time = first->connected;
			best_group = v[i].group;
		}
	}
	/* The youngest of that group goes. */
	for (i = 0; i < k; i++) {
		if (v[i].group == best_group) {
			*id = v[i].id;
			break;
		}
	}
	free(v);
	return 0;
}
