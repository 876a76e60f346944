/*
 * The orphanage (see orphanage.h). Entries live in an array, so that a
 * random one can be picked for eviction in constant time, and in a table by
 * wtxid; a second table maps each missing parent txid to the entries that
 * wait on it.
 */
#include <stdlib.h>
#include <string.h>

#include "net/orphanage.h"
#include "util/htab.h"
#include "util/xmalloc.h"

/* The orphans waiting on one parent txid. */
struct parent_ent {
	uint8_t txid[32]; /* the key */
	struct orphan **v;
	size_t n, cap;
};

struct orphanage {
	struct orphan **v;
	size_t n, cap;
	struct htab *by_wtxid;
	struct htab *by_parent;
	size_t max; /* entry limit: ORPHAN_MAX or -maxorphantx */
};

struct orphanage *
orphanage_new(void)
{
	struct orphanage *o = xcalloc(1, sizeof(*o));

	o->by_wtxid = htab_new(32, offsetof(struct orphan, wtxid));
	o->by_parent = htab_new(32, offsetof(struct parent_ent, txid));
	o->max = ORPHAN_MAX;
	return o;
}

void
orphanage_set_max(struct orphanage *o, size_t max)
{
	o->max = max;
}

static void
orphan_free(struct orphan *e)
{
	free(e->raw);
	free(e->parents);
	free(e);
}

static void
parent_free(struct parent_ent *pe)
{
	free(pe->v);
	free(pe);
}

void
orphanage_free(struct orphanage *o)
{
	struct parent_ent *pe;
	size_t i, pos = 0;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		orphan_free(o->v[i]);
	free(o->v);
	while ((pe = htab_next(o->by_parent, &pos)) != NULL)
		parent_free(pe);
	htab_free(o->by_parent);
	htab_free(o->by_wtxid);
	free(o);
}

static void
index_parents(struct orphanage *o, struct orphan *e)
{
	struct parent_ent *pe;
	size_t i;

	for (i = 0; i < e->nparents; i++) {
		if ((pe = htab_get(o->by_parent, e->parents[i])) == NULL) {
			pe = xcalloc(1, sizeof(*pe));
			memcpy(pe->txid, e->parents[i], 32);
			htab_put(o->by_parent, pe);
		}
		if (pe->n == pe->cap) {
			pe->cap = pe->cap ? pe->cap * 2 : 2;
			pe->v = xreallocarray(pe->v, pe->cap, sizeof(*pe->v));
		}
		pe->v[pe->n++] = e;
	}
}

static void
unindex_parents(struct orphanage *o, struct orphan *e)
{
	struct parent_ent *pe;
	size_t i, j;

	for (i = 0; i < e->nparents; i++) {
		if ((pe = htab_get(o->by_parent, e->parents[i])) == NULL)
			continue;
		for (j = 0; j < pe->n; j++)
			if (pe->v[j] == e) {
				pe->v[j] = pe->v[--pe->n];
				break;
			}
		if (pe->n == 0) {
			htab_del(o->by_parent, pe->txid);
			parent_free(pe);
		}
	}
}

/* Copies the parent list without duplicates (parents may be e's own). */
static void
set_parents(struct orphan *e, const uint8_t (*parents)[32], size_t n)
{
	uint8_t(*v)[32] = xreallocarray(NULL, n, 32);
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++)
			if (memcmp(v[j], parents[i], 32) == 0)
				break;
		if (j == k)
			memcpy(v[k++], parents[i], 32);
	}
	free(e->parents);
	e->parents = v;
	e->nparents = k;
}

static void
remove_entry(struct orphanage *o, struct orphan *e)
{
	unindex_parents(o, e);
	htab_del(o->by_wtxid, e->wtxid);
	o->v[e->pos] = o->v[--o->n];
	o->v[e->pos]->pos = e->pos;
	orphan_free(e);
}

int
orphanage_add(struct orphanage *o, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], const uint8_t *raw, size_t len, size_t weight,
    const uint8_t (*parents)[32], size_t nparents, int64_t now,
    size_t *evicted)
{
	struct orphan *e;
	size_t i;

	if (evicted)
		*evicted = 0;
	if (nparents == 0 || nparents > ORPHAN_MAX_PARENTS)
		return ORPHAN_EINVAL;
	if ((e = htab_get(o->by_wtxid, wtxid)) != NULL) {
		/* Still missing something: the list may have shrunk. */
		unindex_parents(o, e);
		set_parents(e, parents, nparents);
		index_parents(o, e);
		for (i = 0; i < e->nfrom; i++)
			if (e->from[i] == peer)
				return ORPHAN_EEXISTS;
		if (e->nfrom == ORPHAN_MAX_ANNOUNCERS)
			return ORPHAN_EEXISTS;
		e->from[e->nfrom++] = peer;
		return ORPHAN_ANNOUNCER;
	}
	if (weight > ORPHAN_MAX_WEIGHT)
		return ORPHAN_ETOOBIG;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->wtxid, wtxid, 32);
	memcpy(e->txid, txid, 32);
	e->raw = xmalloc(len ? len : 1);
	memcpy(e->raw, raw, len);
	e->len = len;
	e->weight = weight;
	e->expire = now + ORPHAN_EXPIRE_S;
	e->from[0] = peer;
	e->nfrom = 1;
	set_parents(e, parents, nparents);
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 16;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	e->pos = o->n;
	o->v[o->n++] = e;
	htab_put(o->by_wtxid, e);
	index_parents(o, e);
	while (o->n > o->max) {
		struct orphan *victim = o->v[rand_range(o->n)];

		/* the newcomer goes last, and only under a limit of 0 */
		if (victim == e && o->n > 1)
			continue;
		remove_entry(o, victim);
		if (evicted)
			(*evicted)++;
	}
	return ORPHAN_ADDED;
}

const struct orphan *
orphanage_get(const struct orphanage *o, const uint8_t wtxid[32])
{
	return htab_get(o->by_wtxid, wtxid);
}

int
orphanage_erase(struct orphanage *o, const uint8_t wtxid[32])
{
	struct orphan *e;

	if ((e = htab_get(o->by_wtxid, wtxid)) == NULL)
		return -1;
	remove_entry(o, e);
	return 0;
}

size_t
orphanage_erase_peer(struct orphanage *o, uint64_t peer)
{
	size_t i = 0, j, gone = 0;

	while (i < o->n) {
		struct orphan *e = o->v[i];

		for (j = 0; j < e->nfrom; j++)
			if (e->from[j] == peer)
				break;
		if (j == e->nfrom) {
			i++;
			continue;
		}
		memmove(&e->from[j], &e->from[j + 1],
		    (e->nfrom - j - 1) * sizeof(e->from[0]));
		if (--e->nfrom > 0) {
			i++;
			continue;
		}
		/* The last entry moves into slot i: look at it next. */
		remove_entry(o, e);
		gone++;
	}
	return gone;
}

size_t
orphanage_expire(struct orphanage *o, int64_t now)
{
	size_t i = 0, gone = 0;

	while (i < o->n) {
		if (o->v[i]->expire <= now) {
			remove_entry(o, o->v[i]);
			gone++;
		} else
			i++;
	}
	return gone;
}

size_t
orphanage_children(const struct orphanage *o, const uint8_t txid[32],
    uint8_t (*out)[32], size_t max)
{
	const struct parent_ent *pe = htab_get(o->by_parent, txid);
	size_t i;

	if (pe == NULL)
		return 0;
	for (i = 0; i < pe->n && i < max; i++)
		memcpy(out[i], pe->v[i]->wtxid, 32);
	return i;
}

size_t
orphanage_count(const struct orphanage *o)
{
	return o->n;
}

const struct orphan *
orphanage_at(const struct orphanage *o, size_t i)
{
	return i < o->n ? o->v[i] : NULL;
}
