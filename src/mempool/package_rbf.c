/*
 * Package RBF (Core 28's PackageRBFChecks with CheckConflictTopology and
 * CalculateChunksForRBF / ImprovesFeerateDiagram): a package of one parent
 * and one child, neither with an in-pool ancestor, may replace pool
 * transactions whose clusters have at most two transactions, when it pays
 * for what it evicts and its own relay, is a chunk of its own (the child
 * raises the package above the parent's rate), and leaves the pool's
 * fee-rate diagram strictly better.
 *
 * Also the stash: a package's trial evaluation (package.c) adds members
 * quietly and takes them out again; a member that replaces evicts its
 * conflicts, which are kept here and put back as they were.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/feerate_diagram.h"
#include "mempool/pool_int.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* ---- the stash ---- */

struct stash_item {
	uint8_t *raw;
	size_t len;
	int64_t fee, vsize, sigops, time;
	size_t weight;
	int32_t height;
	int spends_coinbase;
};

struct pool_stash {
	struct stash_item *v;
	size_t n, cap;
};

struct pool_stash *
pool_stash_new(void)
{
	return xcalloc(1, sizeof(struct pool_stash));
}

void
pool_stash_save(struct pool_stash *s, const struct pvec *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct pentry *e = set->v[i];
		struct stash_item *it;

		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 8;
			s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
		}
		it = &s->v[s->n++];
		it->raw = xmalloc(e->raw_len);
		memcpy(it->raw, e->raw, e->raw_len);
		it->len = e->raw_len;
		it->fee = e->fee;
		it->vsize = e->vsize;
		it->sigops = e->sigops;
		it->time = e->time;
		it->weight = e->weight;
		it->height = e->height;
		it->spends_coinbase = e->spends_coinbase;
	}
}

/*
 * Puts the stashed entries back quietly, with their figures and entry
 * times. pool_add_entry links an entry to parents already back and to
 * children already back, so the order does not matter.
 */
void
pool_stash_restore(struct pool *p, struct pool_stash *s)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		struct stash_item *it = &s->v[i];
		struct pentry *e = xcalloc(1, sizeof(*e));
		struct pvec parents = { 0 };
		struct rbuf rb;

		e->raw = it->raw;
		e->raw_len = it->len;
		it->raw = NULL;
		rbuf_init(&rb, e->raw, e->raw_len);
		/* It was parsed from these very bytes when it entered. */
		if (tx_parse(&rb, &e->tx, TX_ALLOW_WITNESS) != 0)
			fatalx("%s: a pool transaction does not parse",
			    __func__);
		memcpy(e->txid, e->tx.txid, 32);
		memcpy(e->wtxid, e->tx.wtxid, 32);
		e->spends = xcalloc(e->tx.vin_count ? e->tx.vin_count : 1,
		    sizeof(*e->spends));
		e->fee = it->fee;
		e->vsize = it->vsize;
		e->sigops = it->sigops;
		e->time = it->time;
		e->weight = it->weight;
		e->height = it->height;
		e->spends_coinbase = it->spends_coinbase;
		for (k = 0; k < e->tx.vin_count; k++) {
			struct pentry *par;

			par = pool_find(p, e->tx.vin[k].prevout.hash);
			if (par != NULL && !pvec_has(&parents, par))
				pvec_push(&parents, par);
		}
		pool_add_entry(p, e, &parents, 1);
		pvec_free(&parents);
	}
	s->n = 0;
}

void
pool_stash_free(struct pool_stash *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].raw);
	free(s->v);
	free(s);
}

/* ---- the checks ---- */

static int
by_txid(const void *a, const void *b)
{
	const struct pentry *const *x = a, *const *y = b;

	return memcmp((*x)->txid, (*y)->txid, 32);
}

void
package_rbf_sort(struct pvec *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), by_txid);
}

int
package_rbf_topology(const struct pvec *direct, char *msg, size_t len)
{
	char h[65], o[65];
	size_t i;

	for (i = 0; i < direct->n; i++) {
		const struct pentry *c = direct->v[i];
		int has_anc = c->anc_count > 1, has_desc = c->desc_count > 1;

		hash_to_hex(c->txid, h);
		if (c->anc_count > 2) {
			snprintf(msg, len,
			    "%s has %zu ancestors, max 1 allowed", h,
			    c->anc_count - 1);
			return -1;
		}
		if (c->desc_count > 2) {
			snprintf(msg, len,
			    "%s has %zu descendants, max 1 allowed", h,
			    c->desc_count - 1);
			return -1;
		}
		if (has_anc && has_desc) {
			snprintf(msg, len,
			    "%s has both ancestor and descendant, exceeding "
			    "cluster limit of 2",
			    h);
			return -1;
		}
		/* A child's only parent; a parent's only child. */
		if (has_desc && c->children.v[0]->anc_count > 2) {
			hash_to_hex(c->children.v[0]->txid, o);
			snprintf(msg, len,
			    "%s is not the only parent of child %s", h, o);
			return -1;
		}
		if (!has_desc && has_anc && c->parents.v[0]->desc_count > 2) {
			hash_to_hex(c->parents.v[0]->txid, o);
			snprintf(msg, len,
			    "%s is not the only child of parent %s", h, o);
			return -1;
		}
	}
	return 0;
}

static void
chunk_push(struct feefrac **v, size_t *n, int64_t fee, int64_t size)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].fee = fee;
	(*v)[*n].size = size;
	(*n)++;
}

int
package_rbf_diagram(const struct pvec *direct, const struct pvec *all,
    int64_t fee, int64_t vsize, char *msg, size_t len)
{
	struct feefrac *old = NULL, *new = NULL;
	size_t nold = 0, nnew = 0, i;
	int rc = 0;

	if (package_rbf_topology(direct, msg, len) != 0)
		return -1;
	/*
	 * The old diagram: every cluster touched is one transaction or a
	 * parent and its child, chunked together when the child's rate is
	 * above the pair's, else one chunk each.
	 */
	for (i = 0; i < all->n; i++) {
		const struct pentry *e = all->v[i];
		struct feefrac one = { e->modfee, e->vsize };
		struct feefrac pair = { e->anc_fees, e->anc_size };

		if (e->desc_count > 1)
			continue; /* counted with its child */
		if (e->anc_count == 1)
			chunk_push(&old, &nold, one.fee, one.size);
		else if (feefrac_cmp_rate(&one, &pair) > 0)
			chunk_push(&old, &nold, pair.fee, pair.size);
		else {
			chunk_push(&old, &nold, pair.fee - one.fee,
			    pair.size - one.size);
			chunk_push(&old, &nold, one.fee, one.size);
		}
	}
	/* The new one: parents the replacement leaves behind, and itself. */
	for (i = 0; i < direct->n; i++) {
		const struct pentry *c = direct->v[i];

		if (c->parents.n > 0 && !pvec_has(all, c->parents.v[0]))
			chunk_push(&new, &nnew, c->parents.v[0]->modfee,
			    c->parents.v[0]->vsize);
	}
	chunk_push(&new, &nnew, fee, vsize);
	feefrac_sort(old, nold);
	feefrac_sort(new, nnew);
	if (feerate_diagram_compare(new, nnew, old, nold) != DIAGRAM_BETTER) {
		snprintf(msg, len,
		    "insufficient feerate: does not improve feerate diagram");
		rc = -1;
	}
	free(old);
	free(new);
	return rc;
}

/* Sets Core's "package RBF failed: ..." reason and debug; returns -1. */
static int rbf_fail(struct package_rbf *r, const char *what, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
rbf_fail(struct package_rbf *r, const char *what, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->reason, sizeof(r->reason), "package RBF failed: %s", what);
	r->debug[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->debug, sizeof(r->debug), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
package_rbf_check(struct pool *p, struct package_rbf *r)
{
	const struct policy *pol = p->env.pol;
	int64_t old_fees = 0, relay, prate, krate;
	size_t i, count = 0;
	char h[65], a[48], b[48], msg[200];

	if (r->n != 2)
		return rbf_fail(r, "package must be 1-parent-1-child", NULL);
	/* An in-pool ancestor would make a cluster of more than two. */
	if (r->has_pool_ancestors)
		return rbf_fail(r,
		    "new transaction cannot have mempool ancestors", NULL);
	package_rbf_sort(&r->direct);
	/*
	 * Rule 5, counted as Core (shared descendants twice); like every
	 * package RBF refusal, told of the child.
	 */
	hash_to_hex(r->txid[1], h);
	for (i = 0; i < r->direct.n; i++) {
		count += r->direct.v[i]->desc_count;
		if (count > ACCEPT_MAX_REPLACED)
			return rbf_fail(r, "too many potential replacements",
			    "rejecting replacement %s; too many potential "
			    "replacements (%zu > %d)\n",
			    h, count, ACCEPT_MAX_REPLACED);
	}
	pool_with_descendants(p, &r->direct, &r->all);
	/* Rules 3 and 4 on the package's totals. */
	for (i = 0; i < r->all.n; i++)
		old_fees += r->all.v[i]->modfee;
	if (r->total_modfee < old_fees) {
		pool_format_money(r->total_modfee, a, sizeof(a));
		pool_format_money(old_fees, b, sizeof(b));
		return rbf_fail(r, "insufficient anti-DoS fees",
		    "rejecting replacement %s, less fees than conflicting "
		    "txs; %s < %s",
		    h, a, b);
	}
	relay = policy_fee_at(pol->incremental_relay_fee, r->total_vsize);
	if (r->total_modfee - old_fees < relay) {
		pool_format_money(r->total_modfee - old_fees, a, sizeof(a));
		pool_format_money(relay, b, sizeof(b));
		return rbf_fail(r, "insufficient anti-DoS fees",
		    "rejecting replacement %s, not enough additional fees to "
		    "relay; %s < %s",
		    h, a, b);
	}
	/* The child must lift the pair: not a parent paying for its child. */
	prate = pool_feerate(r->modfee[0], r->vsize[0]);
	krate = pool_feerate(r->total_modfee, r->total_vsize);
	if (krate <= prate) {
		pool_format_feerate(krate, a, sizeof(a));
		pool_format_feerate(prate, b, sizeof(b));
		return rbf_fail(r,
		    "package feerate is less than or equal to parent feerate",
		    "package feerate %s <= parent feerate is %s", a, b);
	}
	/* Last, the clusters' sizes (Core checks them with the diagram). */
	if (package_rbf_diagram(&r->direct, &r->all, r->total_modfee,
		r->total_vsize, msg, sizeof(msg)) != 0)
		return rbf_fail(r, msg, NULL);
	return 0;
}
