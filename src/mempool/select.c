/*
 * Block template selection: Core's BlockAssembler::addPackageTxs. The best
 * remaining package by ancestor fee rate (fees and size of the entry with
 * its ancestors not yet selected) goes in whole, parents first; the
 * entries below it then have their ancestor figures reduced by what was
 * taken. A max-heap keyed by those figures, with stale keys skipped
 * (each entry carries a version), replaces Core's modified-entry index.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/pool_int.h"
#include "util/htab.h"
#include "util/xmalloc.h"

/* Core's MAX_CONSECUTIVE_FAILURES and its "block nearly full" margin. */
#define SELECT_MAX_FAILURES 1000
#define SELECT_NEARLY_FULL 4000

struct hitem {
	struct pentry *e;
	uint64_t version;
	int64_t fees, size;
};

struct heap {
	struct hitem *v;
	size_t n, cap;
};

/* a ranks above b: higher fee rate, then lower txid (Core's tie-break). */
static int
better(const struct hitem *a, const struct hitem *b)
{
	__int128 l = (__int128)a->fees * b->size;
	__int128 r = (__int128)b->fees * a->size;

	if (l != r)
		return l > r;
	return memcmp(a->e->txid, b->e->txid, 32) < 0;
}

static void
heap_push(struct heap *h, struct pentry *e)
{
	struct hitem it = { e, e->sel_version, e->sel_fees, e->sel_size };
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	i = h->n++;
	while (i > 0 && better(&it, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = it;
}

static int
heap_pop(struct heap *h, struct hitem *out)
{
	struct hitem last;
	size_t i = 0, c;

	if (h->n == 0)
		return 0;
	*out = h->v[0];
	last = h->v[--h->n];
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && better(&h->v[c + 1], &h->v[c]))
			c++;
		if (!better(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = last;
	return 1;
}

static int
by_anc_count(const void *a, const void *b)
{
	const struct pentry *x = *(struct pentry *const *)a;
	const struct pentry *y = *(struct pentry *const *)b;

	if (x->anc_count != y->anc_count)
		return x->anc_count < y->anc_count ? -1 : 1;
	return memcmp(x->txid, y->txid, 32);
}

size_t
pool_select(struct pool *p, size_t max_weight, int64_t max_sigop_cost,
    int64_t min_feerate,
    void (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	struct heap h = { 0 };
	struct pvec pkg = { 0 }, desc = { 0 };
	struct pentry *e;
	struct hitem it;
	size_t pos = 0, i, j, weight = 0, count = 0, failures = 0;
	int64_t sigops = 0;

	while ((e = htab_next(p->by_txid, &pos)) != NULL) {
		e->sel_done = e->sel_failed = 0;
		e->sel_version = 0;
		e->sel_size = e->anc_size;
		e->sel_fees = e->anc_fees;
		e->sel_sigops = e->anc_sigops;
		heap_push(&h, e);
	}
	while (heap_pop(&h, &it)) {
		e = it.e;
		if (e->sel_done || e->sel_failed ||
		    it.version != e->sel_version)
			continue;
		/* Everything after this pays less: Core stops here. */
		if (e->sel_fees < policy_fee_at(min_feerate, e->sel_size))
			break;
		if (weight + 4 * (size_t)e->sel_size >= max_weight ||
		    sigops + e->sel_sigops >= max_sigop_cost) {
			e->sel_failed = 1;
			if (++failures > SELECT_MAX_FAILURES &&
			    weight + SELECT_NEARLY_FULL > max_weight)
				break;
			continue;
		}
		failures = 0;
		pkg.n = 0;
		pool_collect_ancestors(p, e, &pkg);
		for (i = j = 0; i < pkg.n; i++)
			if (!pkg.v[i]->sel_done)
				pkg.v[j++] = pkg.v[i];
		pkg.n = j;
		pvec_push(&pkg, e);
		qsort(pkg.v, pkg.n, sizeof(pkg.v[0]), by_anc_count);
		for (i = 0; i < pkg.n; i++) {
			struct pool_entry_info info;
			struct pentry *x = pkg.v[i];

			x->sel_done = 1;
			weight += x->weight;
			sigops += x->sigops;
			count++;
			if (cb) {
				pool_fill_info(p, x, &info);
				cb(arg, &info);
			}
		}
		/* Descendants no longer carry what went into the block. */
		for (i = 0; i < pkg.n; i++) {
			struct pentry *x = pkg.v[i];

			desc.n = 0;
			pool_collect_descendants(p, x, &desc);
			for (j = 0; j < desc.n; j++) {
				struct pentry *d = desc.v[j];

				if (d->sel_done)
					continue;
				d->sel_size -= x->vsize;
				d->sel_fees -= x->modfee;
				d->sel_sigops -= x->sigops;
				d->sel_version++;
				heap_push(&h, d);
			}
		}
	}
	free(h.v);
	pvec_free(&pkg);
	pvec_free(&desc);
	return count;
}
