/*
 * Packages: testmempoolaccept over several transactions (Core's
 * AcceptMultipleTransactions with test_accept) and submitpackage / 1p1c
 * relay (Core 28's AcceptPackage: child with its unconfirmed parents,
 * evaluated at the package fee rate).
 *
 * Everything is built on pool_accept_flags (accept.c). A package
 * evaluation lets each transaction see the earlier ones by adding them to
 * the pool quietly (no hooks, no trimming) and taking them out again,
 * the sequence counter restored; only once every check has passed are
 * they added for real. Adding twice costs a second script check, which
 * the signature cache makes cheap, and keeps one acceptance path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/pool_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's IsWellFormedPackage (sorted required). 0, or -1 with *why. */
static int
pkg_checks(const struct tx *txs, size_t n, const char **why)
{
	size_t i, j, k, l, weight = 0;

	if (n > PACKAGE_MAX_COUNT) {
		*why = "package-too-many-transactions";
		return -1;
	}
	for (i = 0; i < n; i++)
		weight += tx_weight(&txs[i]);
	if (n > 1 && weight > PACKAGE_MAX_WEIGHT) {
		*why = "package-too-large";
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (memcmp(txs[i].txid, txs[j].txid, 32) == 0) {
				*why = "package-contains-duplicates";
				return -1;
			}
	for (i = 0; i < n; i++)
		for (k = 0; k < txs[i].vin_count; k++)
			for (j = i + 1; j < n; j++)
				if (memcmp(txs[i].vin[k].prevout.hash,
					txs[j].txid, 32) == 0) {
					*why = "package-not-sorted";
					return -1;
				}
	for (i = 0; i < n; i++)
		for (k = 0; k < txs[i].vin_count; k++)
			for (j = i; j < n; j++)
				for (l = (j == i ? k + 1 : 0);
				     l < txs[j].vin_count; l++) {
					const struct outpoint *a, *b;

					a = &txs[i].vin[k].prevout;
					b = &txs[j].vin[l].prevout;
					if (a->n == b->n &&
					    memcmp(a->hash, b->hash, 32) ==
						0) {
						*why = "conflict-in-package";
						return -1;
					}
				}
	return 0;
}

/* Parses n transactions; 0, or -1 with the index of the bad one in *bad. */
static int
parse_all(const uint8_t *const *raws, const size_t *lens, size_t n,
    struct tx *txs, size_t *nparsed, size_t *bad)
{
	struct rbuf rb;
	size_t i;

	*nparsed = 0;
	for (i = 0; i < n; i++) {
		rbuf_init(&rb, raws[i], lens[i]);
		if (tx_parse(&rb, &txs[i], TX_ALLOW_WITNESS) != 0) {
			*bad = i;
			return -1;
		}
		(*nparsed)++;
		if (rbuf_left(&rb) != 0) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

static void
free_all(struct tx *txs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tx_free(&txs[i]);
	free(txs);
}

/* Takes the quietly added entries out again; the pool is as it was. */
static void
undo(struct pool *p, struct pvec *added, uint64_t seq)
{
	if (added->n > 0)
		pool_remove_set(p, added, POOL_REMOVED_EXPIRY, 1);
	added->n = 0;
	p->sequence = seq;
}

/* The pointers Core's package checks take, for the first n of txs. */
static const struct tx *const *
tx_ptrs(const struct tx *txs, size_t n, const struct tx **out)
{
	size_t i;

	for (i = 0; i < n && i < PACKAGE_MAX_COUNT; i++)
		out[i] = &txs[i];
	return out;
}

/* A result no evaluation reached: the ids only (serve.c shows no more). */
static void
unevaluated(struct accept_result *r)
{
	uint8_t txid[32], wtxid[32];

	memcpy(txid, r->txid, 32);
	memcpy(wtxid, r->wtxid, 32);
	memset(r, 0, sizeof(*r));
	r->code = ACCEPT_POLICY;
	memcpy(r->txid, txid, 32);
	memcpy(r->wtxid, wtxid, 32);
}

int
pool_test_package(struct pool *p, const uint8_t *const *raws,
    const size_t *lens, size_t n, int64_t max_feerate, struct accept_result *r,
    const char **pkg_reason)
{
	const int flags = ACCEPT_INT_QUIET | ACCEPT_INT_NO_REPLACE |
	    ACCEPT_INT_NO_TRIM | ACCEPT_INT_PKG_LIMITS;
	const struct tx *ptrs[PACKAGE_MAX_COUNT];
	struct tx *txs;
	struct pvec added = { 0 };
	uint64_t seq = p->sequence;
	int64_t total_vsize;
	size_t i, nparsed = 0, bad;
	int rc = 0, pass;
	char err[256];

	*pkg_reason = NULL;
	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].code = ACCEPT_POLICY;
	}
	if (n == 0) {
		*pkg_reason = "package-empty";
		return -1;
	}
	txs = xcalloc(n, sizeof(*txs));
	if (parse_all(raws, lens, n, txs, &nparsed, &bad) != 0) {
		for (i = 0; i < nparsed; i++) {
			memcpy(r[i].txid, txs[i].txid, 32);
			memcpy(r[i].wtxid, txs[i].wtxid, 32);
		}
		accept_fail(&r[bad], ACCEPT_CONSENSUS, "TX decode failed",
		    NULL);
		*pkg_reason = "transaction failed";
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		memcpy(r[i].txid, txs[i].txid, 32);
		memcpy(r[i].wtxid, txs[i].wtxid, 32);
	}
	if (pkg_checks(txs, n, pkg_reason) != 0) {
		rc = -1;
		goto out;
	}
	/*
	 * Core's AcceptMultipleTransactions with test_accept: every member's
	 * cheap checks, then the package's limits as a whole, then the
	 * scripts (the second pass).
	 */
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		total_vsize = 0;
		for (i = 0; i < n; i++) {
			struct pentry *e;

			if (pool_accept_flags(p, raws[i], lens[i],
				flags | (pass == 0 ? ACCEPT_INT_NO_SCRIPTS : 0),
				max_feerate, &r[i]) != ACCEPT_OK) {
				*pkg_reason = "transaction failed";
				rc = -1;
				/*
				 * Core keeps no result for the members whose
				 * cheap checks passed before this one.
				 */
				while (pass == 0 && i > 0)
					unevaluated(&r[--i]);
				break;
			}
			if ((e = pool_find(p, txs[i].txid)) != NULL) {
				e->in_package = 1;
				pvec_push(&added, e);
				total_vsize += e->vsize;
			}
		}
		/* Leave the pool as it was: nothing of the package stays. */
		undo(p, &added, seq);
		if (rc == 0 && pass == 0 && n > 1 &&
		    package_limits_check(p, tx_ptrs(txs, n, ptrs), n,
			total_vsize, err, sizeof(err)) != 0) {
			/*
			 * Core answers no member, and shows its state
			 * string: reason, details.
			 */
			snprintf(p->pkg_msg, sizeof(p->pkg_msg), "%s, %s",
			    "package-mempool-limits", err);
			*pkg_reason = p->pkg_msg;
			for (i = 0; i < n; i++)
				unevaluated(&r[i]);
			rc = -1;
		}
	}
out:
	free_all(txs, nparsed);
	pvec_free(&added);
	return rc;
}

/* ---- submitpackage ---- */

static enum pkg_state
pkg_fail(struct pkg_result *out, enum pkg_state st, const char *reason,
    const char *debug)
{
	out->state = st;
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
	snprintf(out->debug, sizeof(out->debug), "%s", debug ? debug : "");
	return st;
}

/*
 * Core 28: every input of the child spends a package parent or a coin of
 * the UTXO set (an in-pool parent left out of the package does not do).
 * 1, 0, or -1 on a store failure.
 */
static int
child_inputs_ok(struct pool *p, const struct tx *txs, size_t n)
{
	const struct tx *child = &txs[n - 1];
	struct store_rtxn *rt;
	struct coin c;
	size_t i, j;
	int ok = 1, rc;

	if (store_read_begin(p->env.store, &rt) != STORE_OK)
		return -1;
	for (i = 0; i < child->vin_count && ok == 1; i++) {
		const struct outpoint *op = &child->vin[i].prevout;
		int in_pkg = 0;

		for (j = 0; j + 1 < n && !in_pkg; j++)
			in_pkg = memcmp(op->hash, txs[j].txid, 32) == 0;
		if (in_pkg)
			continue;
		rc = store_get_coin(rt, op, &c);
		if (rc == STORE_NOTFOUND)
			ok = 0;
		else if (rc != STORE_OK)
			ok = -1;
	}
	store_read_end(rt);
	return ok;
}

/* The state of one multi-transaction evaluation. */
struct subpkg {
	struct pool *p;
	const uint8_t *const *raws;
	const size_t *lens;
	const struct tx *txs; /* parsed, by package position */
	const size_t *idx;    /* package positions evaluated together */
	size_t n;
	int flags;
	int64_t max_feerate;
	int64_t total_vsize, total_modfee;
	struct package_rbf rbf; /* rbf.direct empty: no package RBF */
};

/*
 * Adds the subpackage quietly with extra flags, one transaction after
 * another, then takes it out again (and puts back what a replacing
 * member evicted). -1 if all passed, else the index (into idx) of the
 * one refused, its result in *fail.
 */
static long
trial(struct subpkg *s, int extra, struct accept_result *fail)
{
	struct pool *p = s->p;
	struct pvec added = { 0 };
	uint64_t seq = p->sequence;
	struct accept_result *r = xcalloc(1, sizeof(*r));
	long failed = -1;
	size_t j;

	if (s->rbf.direct.n > 0)
		p->stash = pool_stash_new();
	s->total_vsize = s->total_modfee = 0;
	for (j = 0; j < s->n; j++) {
		const size_t i = s->idx[j];
		struct pentry *e;

		if (pool_accept_flags(p, s->raws[i], s->lens[i],
			s->flags | extra | ACCEPT_INT_QUIET, s->max_feerate,
			r) != ACCEPT_OK) {
			*fail = *r;
			failed = (long)j;
			break;
		}
		if ((e = pool_find(p, r->txid)) != NULL) {
			e->in_package = 1;
			pvec_push(&added, e);
			s->total_vsize += e->vsize;
			s->total_modfee += e->modfee;
			if (j < 2) {
				s->rbf.modfee[j] = e->modfee;
				s->rbf.vsize[j] = e->vsize;
			}
		}
	}
	if (added.n > 0)
		pool_remove_set(p, &added, POOL_REMOVED_EXPIRY, 1);
	if (p->stash != NULL) {
		pool_stash_restore(p, p->stash);
		pool_stash_free(p->stash);
		p->stash = NULL;
	}
	p->sequence = seq;
	pvec_free(&added);
	free(r);
	return failed;
}

/*
 * Before anything is tried: the pool transactions the members conflict
 * with, and whether a member spends a pool transaction (Core's
 * workspaces' conflicts and ancestors, as PreChecks finds them).
 */
static void
find_conflicts(struct subpkg *s)
{
	size_t j, k;

	/* A trial puts evicted entries back as new ones: look again. */
	s->rbf.direct.n = 0;
	s->rbf.has_pool_ancestors = 0;
	for (j = 0; j < s->n; j++) {
		const struct tx *tx = &s->txs[s->idx[j]];

		for (k = 0; k < tx->vin_count; k++) {
			struct pentry *c;

			c = pool_find_spender(s->p, &tx->vin[k].prevout);
			if (c != NULL && !pvec_has(&s->rbf.direct, c))
				pvec_push(&s->rbf.direct, c);
			if (pool_find(s->p, tx->vin[k].prevout.hash) != NULL)
				s->rbf.has_pool_ancestors = 1;
		}
		if (j < 2)
			memcpy(s->rbf.txid[j], tx->txid, 32);
	}
	s->rbf.n = s->n;
	s->rbf.spends_replaced = 0;
	if (s->rbf.direct.n == 0 || !s->rbf.has_pool_ancestors)
		return;
	s->rbf.all.n = 0;
	pool_with_descendants(s->p, &s->rbf.direct, &s->rbf.all);
	for (j = 0; j < s->n; j++) {
		const struct tx *tx = &s->txs[s->idx[j]];

		for (k = 0; k < tx->vin_count; k++) {
			struct pentry *par = pool_find(s->p,
			    tx->vin[k].prevout.hash);

			if (par != NULL && pvec_has(&s->rbf.all, par))
				s->rbf.spends_replaced = 1;
		}
	}
	s->rbf.all.n = 0;
}

/*
 * Core 28's PackageMempoolChecks, on the pool as it is: the package's
 * limits as a whole, then, when it conflicts, package RBF. 0, or -1
 * with out's package state set.
 */
static int
package_checks(struct subpkg *s, struct pkg_result *out)
{
	const struct tx *txs[PACKAGE_MAX_COUNT];
	char err[256];
	size_t j;

	/* The members evaluated together, in package order. */
	for (j = 0; j < s->n; j++)
		txs[j] = &s->txs[s->idx[j]];
	if (package_limits_check(s->p, txs, s->n, s->total_vsize, err,
		sizeof(err)) != 0) {
		pkg_fail(out, PKG_POLICY, "package-mempool-limits", err);
		return -1;
	}
	find_conflicts(s);
	if (s->rbf.direct.n == 0)
		return 0;
	s->rbf.total_modfee = s->total_modfee;
	s->rbf.total_vsize = s->total_vsize;
	if (package_rbf_check(s->p, &s->rbf) != 0) {
		pkg_fail(out, PKG_POLICY, s->rbf.reason, s->rbf.debug);
		return -1;
	}
	return 0;
}

/*
 * Core 28's AcceptMultipleTransactions with package fee rates, for the
 * package positions in idx (each already refused alone, for its fee rate
 * or a missing package parent): the cheap checks for all, then the
 * package's fee rate, limits and replacement, then the scripts, then the
 * additions.
 */
static void
eval_subpackage(struct subpkg *s, struct pkg_result *out)
{
	struct accept_result *fr = xcalloc(1, sizeof(*fr));
	struct pkg_tx_result *t;
	int64_t rate;
	long bad;
	size_t j, k;
	char hex[65], dbg[128];

	find_conflicts(s);
	/*
	 * A member spending a transaction that the package would evict
	 * cannot be tried with the evictions made (its input is gone, or
	 * an earlier member goes with them). Core's checks pass it and end
	 * at package RBF's first two rules, which refuse any package with
	 * an in-pool ancestor: answer that at once.
	 */
	if (s->rbf.spends_replaced) {
		if (package_rbf_check(s->p, &s->rbf) == 0)
			fatalx("%s: package RBF with an in-pool ancestor",
			    __func__);
		pkg_fail(out, PKG_POLICY, s->rbf.reason, s->rbf.debug);
		goto done;
	}
	/* Conflicts are evicted only once the package passed as a whole. */
	s->flags |= s->rbf.direct.n > 0 ? ACCEPT_INT_PKG_RBF :
					  ACCEPT_INT_NO_REPLACE;
	if ((bad = trial(s, ACCEPT_INT_NO_SCRIPTS, fr)) >= 0)
		goto tx_failed;
	memset(fr, 0, sizeof(*fr));
	if (accept_check_feerate(s->p, s->total_vsize, s->total_modfee, fr) !=
	    0) {
		/* Core reports the package's fee failure on the child. */
		bad = (long)s->n - 1;
		t = &out->tx[s->idx[bad]];
		memcpy(fr->txid, t->txid, 32);
		memcpy(fr->wtxid, t->wtxid, 32);
		goto tx_failed;
	}
	if (package_checks(s, out) != 0)
		goto done;
	if ((bad = trial(s, 0, fr)) >= 0)
		goto tx_failed;
	rate = pool_feerate(s->total_modfee, s->total_vsize);
	for (j = 0; j < s->n; j++) {
		t = &out->tx[s->idx[j]];
		memset(&t->r, 0, sizeof(t->r));
		if (pool_accept_flags(s->p, s->raws[s->idx[j]],
			s->lens[s->idx[j]], s->flags, s->max_feerate,
			&t->r) != ACCEPT_OK) {
			/* The trial passed with the same pool: cannot happen. */
			hash_to_hex(t->txid, hex);
			snprintf(dbg, sizeof(dbg),
			    "BUG! Adding to mempool "
			    "failed: %s",
			    hex);
			t->kind = PKG_TX_INVALID;
			pkg_fail(out, PKG_MEMPOOL_ERROR, dbg, NULL);
			goto done;
		}
		t->kind = PKG_TX_VALID;
		t->vsize = t->r.vsize;
		t->fee = t->r.fee;
		t->effective_feerate = rate;
		t->nincludes = s->n;
		for (k = 0; k < s->n; k++)
			memcpy(t->includes[k], out->tx[s->idx[k]].wtxid, 32);
	}
	goto done;
tx_failed:
	t = &out->tx[s->idx[bad]];
	t->kind = PKG_TX_INVALID;
	t->r = *fr;
	pkg_fail(out, PKG_TX, "transaction failed", NULL);
done:
	pvec_free(&s->rbf.direct);
	pvec_free(&s->rbf.all);
	free(fr);
}

/* Core's per-transaction step of AcceptPackage; 1 to go on to package evaluation. */
static int
accept_one(struct pool *p, const uint8_t *raw, size_t len, int flags,
    int64_t max_feerate, struct pkg_tx_result *t)
{
	struct pentry *e;
	enum accept_code code;

	if ((e = pool_find_wtxid(p, t->wtxid)) != NULL) {
		t->kind = PKG_TX_IN_POOL;
		t->vsize = e->vsize;
		t->fee = e->fee;
		return 0;
	}
	if ((e = pool_find(p, t->txid)) != NULL) {
		t->kind = PKG_TX_OTHER_WITNESS;
		memcpy(t->other_wtxid, e->wtxid, 32);
		return 0;
	}
	code = pool_accept_flags(p, raw, len, flags, max_feerate, &t->r);
	if (code == ACCEPT_OK) {
		t->kind = PKG_TX_VALID;
		t->vsize = t->r.vsize;
		t->fee = t->r.fee;
		t->effective_feerate = t->r.effective_feerate;
		t->nincludes = 1;
		memcpy(t->includes[0], t->wtxid, 32);
		return 0;
	}
	/* Kept unless the package evaluation gives a better answer. */
	t->kind = PKG_TX_INVALID;
	return t->r.reconsiderable || code == ACCEPT_MISSING_INPUTS;
}

enum pkg_state
pool_accept_package(struct pool *p, const uint8_t *const *raws,
    const size_t *lens, size_t n, int64_t max_feerate, struct pkg_result *out)
{
	struct tx *txs;
	struct subpkg s;
	size_t i, nparsed, bad, idx[PACKAGE_MAX_COUNT];
	const char *why = NULL;
	int flags, quit_early = 0, rc;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > PACKAGE_MAX_COUNT)
		return pkg_fail(out, PKG_POLICY,
		    "package-too-many-transactions", NULL);
	out->n = n;
	txs = xcalloc(n, sizeof(*txs));
	if (parse_all(raws, lens, n, txs, &nparsed, &bad) != 0) {
		out->tx[bad].kind = PKG_TX_INVALID;
		accept_fail(&out->tx[bad].r, ACCEPT_CONSENSUS,
		    "TX decode failed", NULL);
		pkg_fail(out, PKG_TX, "transaction failed", NULL);
		goto out;
	}
	for (i = 0; i < n; i++) {
		memcpy(out->tx[i].txid, txs[i].txid, 32);
		memcpy(out->tx[i].wtxid, txs[i].wtxid, 32);
	}
	if (pkg_checks(txs, n, &why) != 0) {
		pkg_fail(out, PKG_POLICY, why, NULL);
		goto out;
	}
	if (n > 1) {
		if (!policy_child_with_parents(txs, n, 0)) {
			pkg_fail(out, PKG_POLICY,
			    "package-not-child-with-parents", NULL);
			goto out;
		}
		if ((rc = child_inputs_ok(p, txs, n)) != 1) {
			if (rc < 0)
				pkg_fail(out, PKG_MEMPOOL_ERROR,
				    "store read failed", NULL);
			else
				pkg_fail(out, PKG_POLICY,
				    "package-not-child-"
				    "with-unconfirmed-parents",
				    NULL);
			goto out;
		}
	}
	flags = ACCEPT_INT_NO_TRIM |
	    (max_feerate > 0 ? ACCEPT_INT_CLIENT_MAXRATE : 0);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		if (!accept_one(p, raws[i], lens[i], flags, max_feerate,
			&out->tx[i])) {
			if (out->tx[i].kind == PKG_TX_INVALID)
				quit_early = 1;
			continue;
		}
		idx[s.n++] = i;
	}
	/*
	 * Core evaluates one left over alone again (AcceptSubPackage), in
	 * the pool it was just refused by: the same refusal.
	 */
	if (quit_early || s.n == 1)
		pkg_fail(out, PKG_TX, "transaction failed", NULL);
	else if (s.n > 0) {
		s.p = p;
		s.raws = raws;
		s.lens = lens;
		s.txs = txs;
		s.idx = idx;
		s.flags = flags | ACCEPT_INT_PKG_FEERATE | ACCEPT_INT_PKG_LIMITS;
		s.max_feerate = max_feerate;
		eval_subpackage(&s, out);
	}
	/* Core's LimitMempoolSize at the end: package members may go too. */
	pool_trim(p, p->env.pol->max_mempool_bytes);
	for (i = 0; i < n; i++) {
		struct pkg_tx_result *t = &out->tx[i];

		if ((t->kind == PKG_TX_VALID || t->kind == PKG_TX_IN_POOL) &&
		    pool_find_wtxid(p, t->wtxid) == NULL) {
			t->kind = PKG_TX_INVALID;
			memset(&t->r, 0, sizeof(t->r));
			accept_fail(&t->r, ACCEPT_POLICY, "mempool full",
			    NULL);
			if (out->state != PKG_MEMPOOL_ERROR)
				pkg_fail(out, PKG_TX, "transaction failed",
				    NULL);
		}
	}
out:
	free_all(txs, nparsed);
	return out->state;
}
