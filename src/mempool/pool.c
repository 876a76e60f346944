/*
 * The pool's entries: tables, parent/child links, ancestor and descendant
 * sums, removal, prioritisation and the lookups of pool.h.
 *
 * Memory estimate (pool_usage, Core's "usage"): per entry the entry
 * struct, its raw bytes, the parsed arrays (inputs, outputs, witness
 * items, spends), its link arrays, POOL_ENTRY_OVERHEAD for the allocator
 * and the hash-table slots (two per table item, the tables being kept at
 * most half full). Fixed when the entry is added.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "mempool/pool.h"
#include "mempool/pool_int.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Allocator headers of the entry's allocations (raw, arrays, entry). */
#define POOL_ENTRY_OVERHEAD 128

const char *
pool_removal_name(enum pool_removal why)
{
	switch (why) {
	case POOL_REMOVED_EXPIRY: return "expiry";
	case POOL_REMOVED_SIZELIMIT: return "sizelimit";
	case POOL_REMOVED_REORG: return "reorg";
	case POOL_REMOVED_BLOCK: return "block";
	case POOL_REMOVED_CONFLICT: return "conflict";
	case POOL_REMOVED_REPLACED: return "replaced";
	}
	return "unknown";
}

void
pvec_push(struct pvec *v, struct pentry *e)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
	}
	v->v[v->n++] = e;
}

void
pvec_free(struct pvec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

int
pvec_has(const struct pvec *v, const struct pentry *e)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i] == e)
			return 1;
	return 0;
}

static void
pvec_del(struct pvec *v, const struct pentry *e)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->v[i] == e) {
			v->v[i] = v->v[--v->n];
			return;
		}
	}
}

struct pool *
pool_new(const struct pool_env *env)
{
	struct pool *p;

	p = xcalloc(1, sizeof(*p));
	p->env = *env;
	p->by_txid = htab_new(32, offsetof(struct pentry, txid));
	p->by_wtxid = htab_new(32, offsetof(struct pentry, wtxid));
	p->spends = htab_new(36, offsetof(struct pspend, key));
	p->deltas = htab_new(32, offsetof(struct pdelta, txid));
	p->last_rolling_update = node_time();
	return p;
}

void
pool_entry_free(struct pentry *e)
{
	if (e == NULL)
		return;
	tx_free(&e->tx);
	free(e->raw);
	free(e->spends);
	pvec_free(&e->parents);
	pvec_free(&e->children);
	free(e);
}

static void
pending_free(struct pool *p)
{
	size_t i, j;

	for (i = 0; i < p->npend; i++) {
		for (j = 0; j < p->pend[i].n; j++)
			free(p->pend[i].raw[j]);
		free(p->pend[i].raw);
		free(p->pend[i].len);
		free(p->pend[i].txid);
	}
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cappend = 0;
}

void
pool_free(struct pool *p)
{
	struct pentry *e;
	struct pdelta *d;
	struct pvec all = { 0 };
	size_t pos = 0, i;

	if (p == NULL)
		return;
	while ((e = htab_next(p->by_txid, &pos)) != NULL)
		pvec_push(&all, e);
	for (i = 0; i < all.n; i++)
		pool_entry_free(all.v[i]);
	pvec_free(&all);
	pos = 0;
	while ((d = htab_next(p->deltas, &pos)) != NULL)
		free(d);
	htab_free(p->by_txid);
	htab_free(p->by_wtxid);
	htab_free(p->spends);
	htab_free(p->deltas);
	pending_free(p);
	free(p);
}

void
pool_set_hooks(struct pool *p, const struct pool_hooks *h)
{
	if (h)
		p->hooks = *h;
	else
		memset(&p->hooks, 0, sizeof(p->hooks));
}

struct pentry *
pool_find(const struct pool *p, const uint8_t txid[32])
{
	return htab_get(p->by_txid, txid);
}

struct pentry *
pool_find_wtxid(const struct pool *p, const uint8_t wtxid[32])
{
	return htab_get(p->by_wtxid, wtxid);
}

void
pool_outpoint_key(const struct outpoint *op, uint8_t key[36])
{
	memcpy(key, op->hash, 32);
	key[32] = op->n & 0xff;
	key[33] = (op->n >> 8) & 0xff;
	key[34] = (op->n >> 16) & 0xff;
	key[35] = (op->n >> 24) & 0xff;
}

struct pentry *
pool_find_spender(const struct pool *p, const struct outpoint *op)
{
	struct pspend *s;
	uint8_t key[36];

	pool_outpoint_key(op, key);
	s = htab_get(p->spends, key);
	return s ? s->by : NULL;
}

uint64_t
pool_new_mark(struct pool *p)
{
	return ++p->epoch;
}

/* Breadth-first over parents (up) or children (down), e excluded. */
static void
collect(struct pool *p, struct pentry *e, int up, struct pvec *out)
{
	uint64_t m = pool_new_mark(p);
	size_t start = out->n, i, j;

	e->mark = m;
	for (i = 0; i < (up ? e->parents.n : e->children.n); i++) {
		struct pentry *x = up ? e->parents.v[i] : e->children.v[i];

		if (x->mark != m) {
			x->mark = m;
			pvec_push(out, x);
		}
	}
	for (i = start; i < out->n; i++) {
		struct pentry *c = out->v[i];
		struct pvec *next = up ? &c->parents : &c->children;

		for (j = 0; j < next->n; j++) {
			if (next->v[j]->mark != m) {
				next->v[j]->mark = m;
				pvec_push(out, next->v[j]);
			}
		}
	}
}

void
pool_collect_ancestors(struct pool *p, struct pentry *e, struct pvec *out)
{
	collect(p, e, 1, out);
}

void
pool_collect_descendants(struct pool *p, struct pentry *e, struct pvec *out)
{
	collect(p, e, 0, out);
}

void
pool_with_descendants(struct pool *p, const struct pvec *in, struct pvec *out)
{
	uint64_t m = pool_new_mark(p);
	size_t i, j;

	for (i = 0; i < in->n; i++) {
		if (in->v[i]->mark != m) {
			in->v[i]->mark = m;
			pvec_push(out, in->v[i]);
		}
	}
	for (i = 0; i < out->n; i++) {
		struct pentry *c = out->v[i];

		for (j = 0; j < c->children.n; j++) {
			if (c->children.v[j]->mark != m) {
				c->children.v[j]->mark = m;
				pvec_push(out, c->children.v[j]);
			}
		}
	}
}

/* Sets e's ancestor and descendant sums from the current links. */
static void
recompute(struct pool *p, struct pentry *e)
{
	struct pvec v = { 0 };
	size_t i;

	e->anc_count = 1;
	e->anc_size = e->vsize;
	e->anc_fees = e->modfee;
	e->anc_sigops = e->sigops;
	pool_collect_ancestors(p, e, &v);
	for (i = 0; i < v.n; i++) {
		e->anc_count++;
		e->anc_size += v.v[i]->vsize;
		e->anc_fees += v.v[i]->modfee;
		e->anc_sigops += v.v[i]->sigops;
	}
	v.n = 0;
	e->desc_count = 1;
	e->desc_size = e->vsize;
	e->desc_fees = e->modfee;
	pool_collect_descendants(p, e, &v);
	for (i = 0; i < v.n; i++) {
		e->desc_count++;
		e->desc_size += v.v[i]->vsize;
		e->desc_fees += v.v[i]->modfee;
	}
	pvec_free(&v);
}

static size_t
entry_usage(const struct pentry *e)
{
	size_t u, i, items = 2 + e->tx.vin_count;

	u = sizeof(*e) + e->raw_len + POOL_ENTRY_OVERHEAD;
	u += e->tx.vin_count * (sizeof(struct txin) + sizeof(struct pspend));
	u += e->tx.vout_count * sizeof(struct txout);
	for (i = 0; i < e->tx.vin_count; i++)
		u += e->tx.vin[i].wit_count * sizeof(struct witem);
	u += (e->parents.cap + e->children.cap) * sizeof(void *);
	u += items * 2 * sizeof(void *);
	return u;
}

void
pool_add_entry(struct pool *p, struct pentry *e, const struct pvec *parents,
    int quiet)
{
	struct pvec anc = { 0 }, kids = { 0 }, touched = { 0 };
	struct pdelta *d;
	struct outpoint op;
	size_t i;

	if ((d = htab_get(p->deltas, e->txid)) != NULL)
		e->modfee = e->fee + d->delta;
	else
		e->modfee = e->fee;
	if (htab_put(p->by_txid, e) != 0 || htab_put(p->by_wtxid, e) != 0)
		fatalx("%s: duplicate entry", __func__);
	for (i = 0; i < e->tx.vin_count; i++) {
		pool_outpoint_key(&e->tx.vin[i].prevout, e->spends[i].key);
		e->spends[i].by = e;
		if (htab_put(p->spends, &e->spends[i]) != 0)
			fatalx("%s: outpoint spent twice in the pool",
			    __func__);
	}
	for (i = 0; i < parents->n; i++) {
		pvec_push(&e->parents, parents->v[i]);
		pvec_push(&parents->v[i]->children, e);
	}
	/*
	 * A transaction offered back after a reorg may already have children
	 * in the pool (they spent it while it was confirmed).
	 */
	memcpy(op.hash, e->txid, 32);
	for (i = 0; i < e->tx.vout_count; i++) {
		struct pentry *c;

		op.n = (uint32_t)i;
		if ((c = pool_find_spender(p, &op)) != NULL &&
		    !pvec_has(&kids, c))
			pvec_push(&kids, c);
	}
	for (i = 0; i < kids.n; i++) {
		pvec_push(&e->children, kids.v[i]);
		pvec_push(&kids.v[i]->parents, e);
	}

	e->anc_count = e->desc_count = 1;
	e->anc_size = e->desc_size = e->vsize;
	e->anc_fees = e->desc_fees = e->modfee;
	e->anc_sigops = e->sigops;
	if (kids.n == 0) {
		pool_collect_ancestors(p, e, &anc);
		for (i = 0; i < anc.n; i++) {
			struct pentry *a = anc.v[i];

			e->anc_count++;
			e->anc_size += a->vsize;
			e->anc_fees += a->modfee;
			e->anc_sigops += a->sigops;
			a->desc_count++;
			a->desc_size += e->vsize;
			a->desc_fees += e->modfee;
		}
	} else {
		/* Every set through e changed: recompute them. */
		pool_collect_ancestors(p, e, &touched);
		pool_collect_descendants(p, e, &touched);
		pvec_push(&touched, e);
		for (i = 0; i < touched.n; i++)
			recompute(p, touched.v[i]);
	}
	pvec_free(&anc);
	pvec_free(&kids);
	pvec_free(&touched);

	e->usage = entry_usage(e);
	p->usage += e->usage;
	p->total_vsize += e->vsize;
	p->total_fee += e->fee;
	p->sequence++;
	if (!quiet && p->hooks.added) {
		struct pool_entry_info info;

		pool_fill_info(p, e, &info);
		/* Core numbers events from 1; ours counts from 0. */
		info.sequence = p->sequence;
		p->hooks.added(p->hooks.arg, &info);
	}
}

void
pool_remove_set(struct pool *p, const struct pvec *set, enum pool_removal why,
    int quiet)
{
	struct pvec v = { 0 };
	size_t i, j;

	for (i = 0; i < set->n; i++)
		set->v[i]->removing = 1;
	for (i = 0; i < set->n; i++) {
		struct pentry *r = set->v[i];

		v.n = 0;
		pool_collect_ancestors(p, r, &v);
		for (j = 0; j < v.n; j++) {
			if (v.v[j]->removing)
				continue;
			v.v[j]->desc_count--;
			v.v[j]->desc_size -= r->vsize;
			v.v[j]->desc_fees -= r->modfee;
		}
		v.n = 0;
		pool_collect_descendants(p, r, &v);
		for (j = 0; j < v.n; j++) {
			if (v.v[j]->removing)
				continue;
			v.v[j]->anc_count--;
			v.v[j]->anc_size -= r->vsize;
			v.v[j]->anc_fees -= r->modfee;
			v.v[j]->anc_sigops -= r->sigops;
		}
	}
	pvec_free(&v);
	if (!quiet && p->hooks.removed) {
		for (i = 0; i < set->n; i++) {
			struct pool_entry_info info;

			pool_fill_info(p, set->v[i], &info);
			/* The counter moves once per entry, below. */
			info.sequence = p->sequence + i + 1;
			p->hooks.removed(p->hooks.arg, &info, why);
		}
	}
	for (i = 0; i < set->n; i++) {
		struct pentry *r = set->v[i];

		if (!quiet) {
			char hex[65];

			hash_to_hex(r->txid, hex);
			log_debug(LOG_MEMPOOL, "removed %s (%s)", hex,
			    pool_removal_name(why));
		}
		for (j = 0; j < r->parents.n; j++)
			pvec_del(&r->parents.v[j]->children, r);
		for (j = 0; j < r->children.n; j++)
			pvec_del(&r->children.v[j]->parents, r);
		for (j = 0; j < r->tx.vin_count; j++)
			htab_del(p->spends, r->spends[j].key);
		htab_del(p->by_txid, r->txid);
		htab_del(p->by_wtxid, r->wtxid);
		p->usage -= r->usage;
		p->total_vsize -= r->vsize;
		p->total_fee -= r->fee;
		p->sequence++;
		pool_entry_free(r);
	}
}

static int
signals_rbf(const struct tx *tx)
{
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].sequence < 0xfffffffeu)
			return 1;
	return 0;
}

void
pool_fill_info(const struct pool *p, const struct pentry *e,
    struct pool_entry_info *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->txid, e->txid, 32);
	memcpy(out->wtxid, e->wtxid, 32);
	out->tx = &e->tx;
	out->raw = e->raw;
	out->raw_len = e->raw_len;
	out->fee = e->fee;
	out->modified_fee = e->modfee;
	out->vsize = e->vsize;
	out->weight = e->weight;
	out->sigop_cost = e->sigops;
	out->time = e->time;
	out->height = e->height;
	out->anc_count = e->anc_count;
	out->anc_size = e->anc_size;
	out->anc_fees = e->anc_fees;
	out->desc_count = e->desc_count;
	out->desc_size = e->desc_size;
	out->desc_fees = e->desc_fees;
	out->nparents = e->parents.n;
	out->nchildren = e->children.n;
	out->bip125_replaceable = signals_rbf(&e->tx);
	if (!out->bip125_replaceable && e->parents.n > 0) {
		/* Marks are scratch, not state: casting const away is safe. */
		struct pvec anc = { 0 };
		size_t i;

		pool_collect_ancestors((struct pool *)(uintptr_t)p,
		    (struct pentry *)(uintptr_t)e, &anc);
		for (i = 0; i < anc.n; i++)
			if (signals_rbf(&anc.v[i]->tx))
				out->bip125_replaceable = 1;
		pvec_free(&anc);
	}
}

int64_t
pool_feerate(int64_t fee, int64_t size)
{
	if (size <= 0)
		return 0;
	return (int64_t)((__int128)fee * 1000 / size);
}

void
pool_format_money(int64_t v, char *out, size_t len)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char frac[9];
	int n = 8;

	snprintf(frac, sizeof(frac), "%08llu",
	    (unsigned long long)(a % (uint64_t)COIN));
	while (n > 2 && frac[n - 1] == '0')
		n--;
	frac[n] = '\0';
	snprintf(out, len, "%s%llu.%s", v < 0 ? "-" : "",
	    (unsigned long long)(a / (uint64_t)COIN), frac);
}

void
pool_format_feerate(int64_t rate, char *out, size_t len)
{
	uint64_t a = rate < 0 ? (uint64_t)0 - (uint64_t)rate : (uint64_t)rate;

	snprintf(out, len, "%s%llu.%08llu BTC/kvB", rate < 0 ? "-" : "",
	    (unsigned long long)(a / (uint64_t)COIN),
	    (unsigned long long)(a % (uint64_t)COIN));
}

void
pool_track_removed(struct pool *p, int64_t rate)
{
	if ((double)rate > p->rolling_min) {
		p->rolling_min = (double)rate;
		p->block_since_bump = 0;
	}
}

/* ---- Housekeeping ---- */

size_t
pool_expire(struct pool *p, int64_t now)
{
	struct pvec old = { 0 }, all = { 0 };
	struct pentry *e;
	size_t pos = 0, n;
	int64_t cutoff = now - p->env.pol->expiry_seconds;

	while ((e = htab_next(p->by_txid, &pos)) != NULL)
		if (e->time < cutoff)
			pvec_push(&old, e);
	pool_with_descendants(p, &old, &all);
	n = all.n;
	if (n > 0)
		pool_remove_set(p, &all, POOL_REMOVED_EXPIRY, 0);
	pvec_free(&old);
	pvec_free(&all);
	return n;
}

/*
 * Core's descendant score: the higher of the entry's own fee rate and its
 * package's (with descendants) decides, so that a parent paid for by its
 * children is not evicted before them; ties evict the newer entry.
 * Returns 1 if a should be evicted before b.
 */
static int
evict_before(const struct pentry *a, const struct pentry *b)
{
	__int128 fa, sa, fb, sb, l, r;

	if ((__int128)a->desc_fees * a->vsize >
	    (__int128)a->modfee * a->desc_size) {
		fa = a->desc_fees;
		sa = a->desc_size;
	} else {
		fa = a->modfee;
		sa = a->vsize;
	}
	if ((__int128)b->desc_fees * b->vsize >
	    (__int128)b->modfee * b->desc_size) {
		fb = b->desc_fees;
		sb = b->desc_size;
	} else {
		fb = b->modfee;
		sb = b->vsize;
	}
	l = fa * sb;
	r = fb * sa;
	if (l == r)
		return a->time >= b->time;
	return l < r;
}

void
pool_trim(struct pool *p, size_t max_bytes)
{
	int64_t max_removed = 0;

	while (p->usage > max_bytes && htab_count(p->by_txid) > 0) {
		struct pentry *e, *worst = NULL;
		struct pvec one = { 0 }, set = { 0 };
		size_t pos = 0;
		int64_t rate;

		while ((e = htab_next(p->by_txid, &pos)) != NULL)
			if (worst == NULL || evict_before(e, worst))
				worst = e;
		rate = pool_feerate(worst->desc_fees, worst->desc_size) +
		    p->env.pol->incremental_relay_fee;
		pool_track_removed(p, rate);
		if (rate > max_removed)
			max_removed = rate;
		pvec_push(&one, worst);
		pool_with_descendants(p, &one, &set);
		pool_remove_set(p, &set, POOL_REMOVED_SIZELIMIT, 0);
		pvec_free(&one);
		pvec_free(&set);
	}
	if (max_removed > 0) {
		char fr[48];

		pool_format_feerate(max_removed, fr, sizeof(fr));
		log_debug(LOG_MEMPOOL,
		    "removed transactions to fit the "
		    "mempool size limit, new minimum fee rate %s",
		    fr);
	}
}

int64_t
pool_min_fee(struct pool *p, size_t max_bytes)
{
	int64_t now, incr = p->env.pol->incremental_relay_fee;
	double halflife = POOL_ROLLING_FEE_HALFLIFE;

	if (!p->block_since_bump || p->rolling_min == 0)
		return (int64_t)llround(p->rolling_min);
	now = node_time();
	if (now > p->last_rolling_update + 10) {
		if (p->usage < max_bytes / 4)
			halflife /= 4;
		else if (p->usage < max_bytes / 2)
			halflife /= 2;
		p->rolling_min /= pow(2.0,
		    (double)(now - p->last_rolling_update) / halflife);
		p->last_rolling_update = now;
		if (p->rolling_min < (double)incr / 2) {
			p->rolling_min = 0;
			return 0;
		}
	}
	now = (int64_t)llround(p->rolling_min);
	return now > incr ? now : incr;
}

void
pool_prioritise(struct pool *p, const uint8_t txid[32], int64_t delta)
{
	struct pdelta *d;
	struct pentry *e;
	struct pvec v = { 0 };
	size_t i;

	if ((d = htab_get(p->deltas, txid)) == NULL) {
		d = xcalloc(1, sizeof(*d));
		memcpy(d->txid, txid, 32);
		htab_put(p->deltas, d);
	}
	d->delta += delta;
	if (d->delta == 0) {
		htab_del(p->deltas, txid);
		free(d);
	}
	if ((e = pool_find(p, txid)) == NULL)
		return;
	e->modfee += delta;
	e->anc_fees += delta;
	e->desc_fees += delta;
	pool_collect_ancestors(p, e, &v);
	for (i = 0; i < v.n; i++)
		v.v[i]->desc_fees += delta;
	v.n = 0;
	pool_collect_descendants(p, e, &v);
	for (i = 0; i < v.n; i++)
		v.v[i]->anc_fees += delta;
	pvec_free(&v);
}

int64_t
pool_get_delta(const struct pool *p, const uint8_t txid[32])
{
	const struct pdelta *d = htab_get(p->deltas, txid);

	return d ? d->delta : 0;
}

int
pool_set_time(struct pool *p, const uint8_t txid[32], int64_t time)
{
	struct pentry *e = htab_get(p->by_txid, txid);

	if (e == NULL)
		return -1;
	e->time = time;
	return 0;
}

void
pool_foreach_delta(const struct pool *p,
    int (*cb)(void *arg, const uint8_t txid[32], int64_t delta), void *arg)
{
	const struct pdelta *d;
	size_t pos = 0;

	while ((d = htab_next(p->deltas, &pos)) != NULL)
		if (cb(arg, d->txid, d->delta))
			break;
}

/* Core's ClearPrioritisation, for confirmed transactions. */
static void
clear_delta(struct pool *p, const uint8_t txid[32])
{
	struct pdelta *d;

	if ((d = htab_del(p->deltas, txid)) != NULL)
		free(d);
}

void
pool_collect_spenders(const struct pool *p, const uint8_t txid[32],
    size_t nout, struct pvec *out)
{
	struct outpoint op;
	struct pentry *c;
	size_t i;

	memcpy(op.hash, txid, 32);
	for (i = 0; i < nout; i++) {
		op.n = (uint32_t)i;
		if ((c = pool_find_spender(p, &op)) != NULL &&
		    !pvec_has(out, c))
			pvec_push(out, c);
	}
}

/* ---- Chain events ---- */

/*
 * Core's DisconnectedBlockTransactions::removeForBlock: what the new branch
 * confirms is not offered back, so that its failure to re-enter does not
 * take the pool's spenders of it along.
 */
static void
pending_confirmed(struct pool *p, const struct block *b)
{
	struct htab *in_block;
	struct pending_block *pb;
	size_t i, j;

	in_block = htab_new(32, offsetof(struct tx, txid));
	for (i = 1; i < b->tx_count; i++)
		(void)htab_put(in_block, &b->txs[i]);
	for (i = 0; i < p->npend; i++) {
		pb = &p->pend[i];
		for (j = 0; j < pb->n; j++) {
			if (pb->raw[j] == NULL ||
			    htab_get(in_block, pb->txid[j]) == NULL)
				continue;
			free(pb->raw[j]);
			pb->raw[j] = NULL;
			pb->len[j] = 0;
		}
	}
	htab_free(in_block);
}

void
pool_block_connected(struct pool *p, const struct block *b, int32_t height)
{
	struct pvec conf = { 0 }, conflicts = { 0 }, all = { 0 };
	size_t i, j;

	if (p->npend > 0)
		pending_confirmed(p, b);
	for (i = 0; i < b->tx_count; i++) {
		struct pentry *e = pool_find(p, b->txs[i].txid);

		if (e != NULL)
			pvec_push(&conf, e);
	}
	if (conf.n > 0)
		pool_remove_set(p, &conf, POOL_REMOVED_BLOCK, 0);
	for (i = 0; i < b->tx_count; i++)
		clear_delta(p, b->txs[i].txid);
	/* What still spends a block's input double-spends it. */
	for (i = 1; i < b->tx_count; i++) {
		for (j = 0; j < b->txs[i].vin_count; j++) {
			struct pentry *c = pool_find_spender(p,
			    &b->txs[i].vin[j].prevout);

			if (c != NULL && !pvec_has(&conflicts, c))
				pvec_push(&conflicts, c);
		}
	}
	pool_with_descendants(p, &conflicts, &all);
	if (all.n > 0)
		pool_remove_set(p, &all, POOL_REMOVED_CONFLICT, 0);
	log_debug(LOG_MEMPOOL,
	    "block at height %d: %zu confirmed, %zu "
	    "conflicting removed; %zu left",
	    (int)height, conf.n, all.n, htab_count(p->by_txid));
	pvec_free(&conf);
	pvec_free(&conflicts);
	pvec_free(&all);
	p->last_rolling_update = node_time();
	p->block_since_bump = 1;
}

/*
 * Core's MAX_DISCONNECTED_TX_POOL_BYTES: what a deep reorg may hold for
 * re-adding. Counted here in serialized bytes.
 */
#define POOL_DISCONNECTED_MAX_BYTES 20000000

/*
 * Core's DisconnectedBlockTransactions::LimitMemoryUsage: past the bound the
 * transactions queued first (the old tip's block, from its last one) are
 * given up, and what the pool holds that spends them goes too (Core's
 * removeRecursive with reason REORG).
 */
static void
pending_limit(struct pool *p)
{
	struct pvec kids = { 0 }, all = { 0 };
	size_t i, j, total = 0;

	for (i = 0; i < p->npend; i++)
		for (j = 0; j < p->pend[i].n; j++)
			total += p->pend[i].len[j];
	for (i = 0; i < p->npend && total > POOL_DISCONNECTED_MAX_BYTES; i++) {
		struct pending_block *pb = &p->pend[i];

		while (pb->n > 0 && total > POOL_DISCONNECTED_MAX_BYTES) {
			struct rbuf r;
			struct tx tx;

			pb->n--;
			total -= pb->len[pb->n];
			rbuf_init(&r, pb->raw[pb->n], pb->len[pb->n]);
			if (pb->raw[pb->n] != NULL &&
			    tx_parse(&r, &tx, TX_ALLOW_WITNESS) == 0) {
				pool_collect_spenders(p, tx.txid,
				    tx.vout_count, &kids);
				tx_free(&tx);
			}
			free(pb->raw[pb->n]);
			pb->raw[pb->n] = NULL;
		}
	}
	pool_with_descendants(p, &kids, &all);
	if (all.n > 0)
		pool_remove_set(p, &all, POOL_REMOVED_REORG, 0);
	pvec_free(&kids);
	pvec_free(&all);
}

void
pool_block_disconnected(struct pool *p, const struct block *b, int32_t height)
{
	struct pending_block *pb;
	size_t i;

	if (p->npend == p->cappend) {
		p->cappend = p->cappend ? p->cappend * 2 : 4;
		p->pend = xreallocarray(p->pend, p->cappend, sizeof(*p->pend));
	}
	pb = &p->pend[p->npend++];
	pb->n = 0;
	pb->raw = xcalloc(b->tx_count ? b->tx_count : 1, sizeof(*pb->raw));
	pb->len = xcalloc(b->tx_count ? b->tx_count : 1, sizeof(*pb->len));
	pb->txid = xcalloc(b->tx_count ? b->tx_count : 1, sizeof(*pb->txid));
	for (i = 0; i < b->tx_count; i++) {
		struct wbuf w;

		if (tx_is_coinbase(&b->txs[i]))
			continue;
		wbuf_init(&w);
		tx_serialize(&b->txs[i], &w, 1);
		pb->raw[pb->n] = wbuf_steal(&w, &pb->len[pb->n]);
		memcpy(pb->txid[pb->n], b->txs[i].txid, 32);
		pb->n++;
	}
	log_debug(LOG_MEMPOOL,
	    "block at height %d disconnected: %zu "
	    "transactions to offer back",
	    (int)height, pb->n);
	pending_limit(p);
}

/* ---- Lookups ---- */

size_t
pool_count(const struct pool *p)
{
	return htab_count(p->by_txid);
}

int64_t
pool_total_vsize(const struct pool *p)
{
	return p->total_vsize;
}

size_t
pool_usage(const struct pool *p)
{
	return p->usage;
}

int64_t
pool_total_fee(const struct pool *p)
{
	return p->total_fee;
}

uint64_t
pool_sequence(const struct pool *p)
{
	return p->sequence;
}

/* Fills out (when asked) from e, found or not by either key. */
static int
get_info(const struct pool *p, const struct pentry *e,
    struct pool_entry_info *out)
{
	if (e == NULL)
		return -1;
	if (out)
		pool_fill_info(p, e, out);
	return 0;
}

int
pool_get(const struct pool *p, const uint8_t txid[32],
    struct pool_entry_info *out)
{
	return get_info(p, pool_find(p, txid), out);
}

int
pool_get_by_wtxid(const struct pool *p, const uint8_t wtxid[32],
    struct pool_entry_info *out)
{
	return get_info(p, pool_find_wtxid(p, wtxid), out);
}

int
pool_spender(const struct pool *p, const struct outpoint *op, uint8_t txid[32])
{
	const struct pentry *e = pool_find_spender(p, op);

	if (e == NULL)
		return 0;
	if (txid)
		memcpy(txid, e->txid, 32);
	return 1;
}

int
pool_get_output(const struct pool *p, const struct outpoint *op,
    int unspent_only, struct txout *out)
{
	const struct pentry *e = pool_find(p, op->hash);

	if (e == NULL || op->n >= e->tx.vout_count)
		return 0;
	if (unspent_only && pool_find_spender(p, op) != NULL)
		return 0;
	if (out)
		*out = e->tx.vout[op->n];
	return 1;
}

void
pool_foreach(const struct pool *p,
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	struct pvec all = { 0 };
	struct pentry *e;
	size_t pos = 0, i;

	/* Collected first: a callback may not change the pool, but be safe. */
	while ((e = htab_next(p->by_txid, &pos)) != NULL)
		pvec_push(&all, e);
	for (i = 0; i < all.n; i++) {
		struct pool_entry_info info;

		pool_fill_info(p, all.v[i], &info);
		if (cb(arg, &info))
			break;
	}
	pvec_free(&all);
}

static int
visit(const struct pool *p, const uint8_t txid[32], int what,
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	struct pentry *e = pool_find(p, txid);
	struct pool *mp = (struct pool *)(uintptr_t)p; /* marks only */
	struct pvec v = { 0 };
	size_t i;

	if (e == NULL)
		return -1;
	switch (what) {
	case 0: pool_collect_ancestors(mp, e, &v); break;
	case 1: pool_collect_descendants(mp, e, &v); break;
	case 2:
		for (i = 0; i < e->parents.n; i++)
			pvec_push(&v, e->parents.v[i]);
		break;
	default:
		for (i = 0; i < e->children.n; i++)
			pvec_push(&v, e->children.v[i]);
		break;
	}
	for (i = 0; i < v.n; i++) {
		struct pool_entry_info info;

		pool_fill_info(p, v.v[i], &info);
		if (cb(arg, &info))
			break;
	}
	pvec_free(&v);
	return 0;
}

int
pool_ancestors(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	return visit(p, txid, 0, cb, arg);
}

int
pool_descendants(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	return visit(p, txid, 1, cb, arg);
}

int
pool_parents(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	return visit(p, txid, 2, cb, arg);
}

int
pool_children(const struct pool *p, const uint8_t txid[32],
    int (*cb)(void *arg, const struct pool_entry_info *e), void *arg)
{
	return visit(p, txid, 3, cb, arg);
}
