/*
 * The in-memory block index (see blockindex.h for the locking contract).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/blockindex.h"
#include "util/siphash.h"

#define MAP_INITIAL_BUCKETS 1024

void
bindex_map_init(struct bindex_map *m)
{
	uint8_t key[16];

	memset(m, 0, sizeof(*m));
	m->nbuckets = MAP_INITIAL_BUCKETS;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	if (RAND_bytes(key, sizeof(key)) != 1)
		fatalx("bindex_map_init: RAND_bytes failed");
	memcpy(&m->k0, key, 8);
	memcpy(&m->k1, key + 8, 8);
}

void
bindex_map_free(struct bindex_map *m)
{
	size_t i;

	for (i = 0; i < m->nall; i++)
		free(m->all[i]);
	free(m->all);
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

static size_t
bucket_of(const struct bindex_map *m, const uint8_t hash[32])
{
	return siphash_u256(m->k0, m->k1, hash) & (m->nbuckets - 1);
}

struct bindex *
bindex_find(const struct bindex_map *m, const uint8_t hash[32])
{
	struct bindex *b;

	for (b = m->buckets[bucket_of(m, hash)]; b; b = b->hnext)
		if (memcmp(b->e.hash, hash, 32) == 0)
			return b;
	return NULL;
}

static void
map_grow(struct bindex_map *m)
{
	struct bindex **old = m->buckets;
	size_t oldn = m->nbuckets, i;
	struct bindex *b, *next;

	m->nbuckets *= 2;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	for (i = 0; i < oldn; i++) {
		for (b = old[i]; b; b = next) {
			size_t k = bucket_of(m, b->e.hash);

			next = b->hnext;
			b->hnext = m->buckets[k];
			m->buckets[k] = b;
		}
	}
	free(old);
}

struct bindex *
bindex_insert(struct bindex_map *m, const uint8_t hash[32])
{
	struct bindex *b = xcalloc(1, sizeof(*b));
	size_t k;

	if (m->count >= m->nbuckets)
		map_grow(m);
	memcpy(b->e.hash, hash, 32);
	k = bucket_of(m, hash);
	b->hnext = m->buckets[k];
	m->buckets[k] = b;
	m->count++;
	if (m->nall == m->capall) {
		m->capall = m->capall ? m->capall * 2 : 1024;
		m->all = xreallocarray(m->all, m->capall, sizeof(*m->all));
	}
	m->all[m->nall++] = b;
	return b;
}

/*
 * Skip targets clear the lowest set bit of the height, so a walk down to
 * any height takes a logarithmic number of long jumps.
 */
static int32_t
skip_height(int32_t h)
{
	if (h < 2)
		return 0;
	return h & (h - 1);
}

void
bindex_build_skip(struct bindex *b)
{
	b->skip = b->parent ?
	    bindex_ancestor(b->parent, skip_height(b->e.height)) :
	    NULL;
}

struct bindex *
bindex_ancestor(struct bindex *b, int32_t h)
{
	if (h < 0 || b == NULL || h > b->e.height)
		return NULL;
	while (b && b->e.height > h) {
		if (b->skip && b->skip->e.height >= h)
			b = b->skip;
		else
			b = b->parent;
	}
	return b;
}

/* consensus_time_fn over parent pointers; the cursor is the next entry. */
static int
bindex_older_time(void *cursor, int64_t *time)
{
	const struct bindex **b = cursor;

	if (*b == NULL)
		return 1;
	*time = (*b)->e.hdr.time;
	*b = (*b)->parent;
	return 0;
}

int64_t
bindex_median_time_past(const struct bindex *b)
{
	int64_t mtp;

	/* The walk cannot fail: only no block at all has no median. */
	if (consensus_median_time_past(bindex_older_time, &b, &mtp) != 0)
		return 0;
	return mtp;
}

struct bindex *
bindex_fork(struct bindex *a, struct bindex *b)
{
	if (a == NULL || b == NULL)
		return NULL;
	if (a->e.height > b->e.height)
		a = bindex_ancestor(a, b->e.height);
	else if (b->e.height > a->e.height)
		b = bindex_ancestor(b, a->e.height);
	while (a != b && a && b) {
		a = a->parent;
		b = b->parent;
	}
	return a == b ? a : NULL;
}

int
bindex_work_cmp(const struct bindex *a, const struct bindex *b)
{
	return memcmp(a->e.chainwork, b->e.chainwork, 32);
}

int
bindex_better(const struct bindex *a, const struct bindex *b)
{
	int c = bindex_work_cmp(a, b);

	if (c != 0)
		return c > 0;
	if (a->seq != b->seq)
		return a->seq < b->seq;
	/* Equal work and sequence (loaded from disk): any fixed order. */
	return memcmp(a->e.hash, b->e.hash, 32) < 0;
}

int
bindex_descends(struct bindex *b, struct bindex *a)
{
	return bindex_ancestor(b, a->e.height) == a;
}

void
chain_init(struct active_chain *c)
{
	memset(c, 0, sizeof(*c));
	c->height = -1;
}

void
chain_free(struct active_chain *c)
{
	free(c->v);
	chain_init(c);
}

void
chain_set_tip(struct active_chain *c, struct bindex *tip)
{
	struct bindex *b;
	int32_t h;

	/*
	 * Invariant: v[0..height] is the chain and every slot above is
	 * NULL, so the walk below may stop at the first block already in
	 * place: everything under it is right too.
	 */
	for (h = tip ? tip->e.height + 1 : 0; h <= c->height; h++)
		c->v[h] = NULL;
	if (tip == NULL) {
		c->height = -1;
		return;
	}
	if ((size_t)tip->e.height + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 1024;

		while (ncap < (size_t)tip->e.height + 1)
			ncap *= 2;
		c->v = xreallocarray(c->v, ncap, sizeof(*c->v));
		memset(c->v + c->cap, 0, (ncap - c->cap) * sizeof(*c->v));
		c->cap = ncap;
	}
	c->height = tip->e.height;
	for (b = tip; b && c->v[b->e.height] != b; b = b->parent)
		c->v[b->e.height] = b;
}

struct bindex *
chain_tip(const struct active_chain *c)
{
	return c->height >= 0 ? c->v[c->height] : NULL;
}

struct bindex *
chain_at(const struct active_chain *c, int32_t h)
{
	return h >= 0 && h <= c->height ? c->v[h] : NULL;
}

int
chain_contains(const struct active_chain *c, const struct bindex *b)
{
	return b && chain_at(c, b->e.height) == b;
}

struct bindex *
chain_find_fork(const struct active_chain *c, struct bindex *b)
{
	if (b && b->e.height > c->height)
		b = bindex_ancestor(b, c->height);
	while (b && !chain_contains(c, b))
		b = b->parent;
	return b;
}

void
blist_add(struct bindex_list *l, struct bindex *b)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = b;
}

void
blist_free(struct bindex_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
cand_init(struct cand_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
cand_free(struct cand_set *s)
{
	free(s->v);
	cand_init(s);
}

void
cand_add(struct cand_set *s, struct bindex *b)
{
	if (b->candidate)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = b;
	b->candidate = 1;
}

void
cand_remove(struct cand_set *s, struct bindex *b)
{
	size_t i;

	if (!b->candidate)
		return;
	for (i = 0; i < s->n; i++) {
		if (s->v[i] == b) {
			s->v[i] = s->v[--s->n];
			break;
		}
	}
	b->candidate = 0;
}

struct bindex *
cand_best(const struct cand_set *s)
{
	struct bindex *best = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (best == NULL || bindex_better(s->v[i], best))
			best = s->v[i];
	return best;
}

void
cand_prune(struct cand_set *s, const struct bindex *tip)
{
	size_t i = 0;

	while (i < s->n) {
		struct bindex *b = s->v[i];

		if (b != tip && bindex_better(tip, b)) {
			b->candidate = 0;
			s->v[i] = s->v[--s->n];
		} else
			i++;
	}
}
