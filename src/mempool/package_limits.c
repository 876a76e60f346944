/*
 * Core 28's CTxMemPool::CheckPackageLimits: the transactions a package
 * evaluates together are counted as one transaction of their total size
 * and count, with the union of their in-pool ancestors. Members check
 * only their in-pool ancestors on their own (accept.c), so this is what
 * keeps a package from growing a chain past the limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mempool/pool_int.h"
#include "util/hex.h"

/*
 * Core keeps the ancestors still to visit in a set ordered by txid (its
 * uint256 order: the bytes as stored): the first limit broken, and so the
 * message, depends on that order. Takes out and returns the smallest.
 */
static struct pentry *
pop_smallest(struct pvec *staged)
{
	struct pentry *e;
	size_t i, best = 0;

	for (i = 1; i < staged->n; i++)
		if (memcmp(staged->v[i]->txid, staged->v[best]->txid, 32) < 0)
			best = i;
	e = staged->v[best];
	staged->v[best] = staged->v[--staged->n];
	return e;
}

/* Core's CalculateAncestorsAndCheckLimits for count transactions of size. */
static int
walk_ancestors(struct pool *p, struct pvec *staged, int64_t size, size_t count,
    char *err, size_t len)
{
	const struct policy *pol = p->env.pol;
	struct pvec seen = { 0 };
	int64_t total = size;
	uint64_t m = pool_new_mark(p);
	char hex[65];
	size_t i;
	int rc = -1;

	for (i = 0; i < staged->n; i++)
		staged->v[i]->mark = m;
	while (staged->n > 0) {
		struct pentry *a = pop_smallest(staged);

		pvec_push(&seen, a);
		total += a->vsize;
		if (a->desc_size + size > (int64_t)pol->descendant_size) {
			hash_to_hex(a->txid, hex);
			snprintf(err, len,
			    "exceeds descendant size limit for tx %s "
			    "[limit: %zu]",
			    hex, pol->descendant_size);
			goto out;
		}
		if (a->desc_count + count > pol->descendant_limit) {
			hash_to_hex(a->txid, hex);
			snprintf(err, len,
			    "too many descendants for tx %s [limit: %zu]", hex,
			    pol->descendant_limit);
			goto out;
		}
		if (total > (int64_t)pol->ancestor_size) {
			snprintf(err, len,
			    "exceeds ancestor size limit [limit: %lld]",
			    (long long)pol->ancestor_size);
			goto out;
		}
		for (i = 0; i < a->parents.n; i++) {
			struct pentry *par = a->parents.v[i];

			if (par->mark != m) {
				par->mark = m;
				pvec_push(staged, par);
			}
			if (staged->n + seen.n + count > pol->ancestor_limit) {
				snprintf(err, len,
				    "too many unconfirmed ancestors "
				    "[limit: %zu]",
				    pol->ancestor_limit);
				goto out;
			}
		}
	}
	rc = 0;
out:
	pvec_free(&seen);
	return rc;
}

int
package_limits_check(struct pool *p, const struct tx *const *txs, size_t n,
    int64_t total_vsize, char *err, size_t len)
{
	const struct policy *pol = p->env.pol;
	struct pvec staged = { 0 };
	char msg[200];
	size_t i, k;
	int rc = -1;

	if (n > pol->ancestor_limit) {
		snprintf(err, len,
		    "package count %zu exceeds ancestor count limit "
		    "[limit: %zu]",
		    n, pol->ancestor_limit);
		return -1;
	}
	if (n > pol->descendant_limit) {
		snprintf(err, len,
		    "package count %zu exceeds descendant count limit "
		    "[limit: %zu]",
		    n, pol->descendant_limit);
		return -1;
	}
	if (total_vsize > (int64_t)pol->ancestor_size) {
		snprintf(err, len,
		    "package size %lld exceeds ancestor size limit "
		    "[limit: %lld]",
		    (long long)total_vsize, (long long)pol->ancestor_size);
		return -1;
	}
	if (total_vsize > (int64_t)pol->descendant_size) {
		snprintf(err, len,
		    "package size %lld exceeds descendant size limit "
		    "[limit: %zu]",
		    (long long)total_vsize, pol->descendant_size);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < txs[i]->vin_count; k++) {
			struct pentry *par;

			par = pool_find(p, txs[i]->vin[k].prevout.hash);
			if (par == NULL)
				continue;
			if (!pvec_has(&staged, par))
				pvec_push(&staged, par);
			if (staged.n + n > pol->ancestor_limit) {
				snprintf(err, len,
				    "too many unconfirmed parents "
				    "[limit: %zu]",
				    pol->ancestor_limit);
				goto out;
			}
		}
	}
	/* Core's totals may count a shared ancestor twice: "possibly". */
	if (walk_ancestors(p, &staged, total_vsize, n, msg, sizeof(msg)) !=
	    0) {
		snprintf(err, len, "possibly %s", msg);
		goto out;
	}
	rc = 0;
out:
	pvec_free(&staged);
	return rc;
}
