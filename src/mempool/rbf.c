/*
 * Replacement (full RBF, Core 30's rules 2-5 with the fee-rate rule of
 * PaysMoreThanConflicts) and TRUC (BIP431) checks over the candidate's
 * in-pool ancestors and conflicts. Sibling eviction is not built: a
 * second child of a TRUC parent that does not replace the first is
 * refused ("TRUC-violation").
 */
#include <stdint.h>
#include <string.h>

#include "crypto/hash.h"
#include "util/hex.h"
#include "mempool/pool_int.h"

/*
 * Refuses the replacement with Core's "insufficient fee": "rejecting
 * replacement <txid><pre><x><op><y>", the amounts written by fmt.
 */
static int
fee_fail(struct accept_result *r, const char *hex,
    void (*fmt)(int64_t, char *, size_t), int64_t x, const char *pre,
    int64_t y, const char *op)
{
	char a[48], b[48];

	fmt(x, a, sizeof(a));
	fmt(y, b, sizeof(b));
	accept_fail(r, ACCEPT_POLICY, "insufficient fee",
	    "rejecting replacement %s%s%s%s%s", hex, pre, a, op, b);
	/* Core 28: TX_RECONSIDERABLE, a child may pay for the replacement. */
	r->reconsiderable = 1;
	return -1;
}

/* Rule 5's refusal: n transactions would be evicted. */
static int
too_many(struct accept_result *r, const char *hex, size_t n)
{
	accept_fail(r, ACCEPT_POLICY, "too many potential replacements",
	    "rejecting replacement %s; too many potential replacements "
	    "(%zu > %d)\n",
	    hex, n, ACCEPT_MAX_REPLACED);
	return -1;
}

int
rbf_check(struct pool *p, const struct tx *tx, int64_t modfee, int64_t vsize,
    const struct pvec *conflicts, struct pvec *all, struct accept_result *r)
{
	const struct policy *pol = p->env.pol;
	char hex[65];
	int64_t rate = pool_feerate(modfee, vsize), old_fees = 0, extra, relay;
	size_t i, j, count = 0;

	hash_to_hex(tx->txid, hex);
	/* Rule 6 (Core's numbering): a better fee rate than each conflict. */
	for (i = 0; i < conflicts->n; i++) {
		const struct pentry *c = conflicts->v[i];
		int64_t old = pool_feerate(c->modfee, c->vsize);

		if (rate <= old)
			return fee_fail(r, hex, pool_format_feerate, rate,
			    "; new feerate ", old, " <= old feerate ");
	}
	/*
	 * Rule 5: a bounded number of evictions, counted as Core does
	 * (shared descendants twice), told at the first conflict past it.
	 */
	for (i = 0; i < conflicts->n; i++) {
		count += conflicts->v[i]->desc_count;
		if (count > ACCEPT_MAX_REPLACED)
			return too_many(r, hex, count);
	}
	pool_with_descendants(p, conflicts, all);
	if (all->n > ACCEPT_MAX_REPLACED)
		return too_many(r, hex, all->n);
	/* Rule 2: no unconfirmed input the conflicts did not have. */
	for (i = 0; i < tx->vin_count; i++) {
		const uint8_t *ph = tx->vin[i].prevout.hash;
		int known = 0;

		if (pool_find(p, ph) == NULL)
			continue;
		for (j = 0; j < conflicts->n && !known; j++) {
			const struct tx *ct = &conflicts->v[j]->tx;
			size_t k;

			for (k = 0; k < ct->vin_count; k++) {
				if (memcmp(ct->vin[k].prevout.hash, ph, 32) ==
				    0) {
					known = 1;
					break;
				}
			}
		}
		if (!known) {
			accept_fail(r, ACCEPT_POLICY,
			    "replacement-adds-unconfirmed",
			    "replacement %s adds unconfirmed input, idx %zu",
			    hex, i);
			return -1;
		}
	}
	/* Rules 3 and 4: pay for what is evicted, and for its own relay. */
	for (i = 0; i < all->n; i++)
		old_fees += all->v[i]->modfee;
	if (modfee < old_fees)
		return fee_fail(r, hex, pool_format_money, modfee,
		    ", less fees than conflicting txs; ", old_fees, " < ");
	extra = modfee - old_fees;
	relay = policy_fee_at(pol->incremental_relay_fee, vsize);
	if (extra < relay)
		return fee_fail(r, hex, pool_format_money, extra,
		    ", not enough additional fees to relay; ", relay, " < ");
	return 0;
}

int
rbf_disjoint(const struct pvec *ancestors, const struct pvec *conflicts,
    const struct tx *tx, struct accept_result *r)
{
	char hex[65], chex[65];
	size_t i;

	for (i = 0; i < ancestors->n; i++) {
		if (pvec_has(conflicts, ancestors->v[i])) {
			hash_to_hex(tx->txid, hex);
			hash_to_hex(ancestors->v[i]->txid, chex);
			accept_fail(r, ACCEPT_CONSENSUS,
			    "bad-txns-spends-conflicting-tx",
			    "%s spends conflicting transaction %s", hex, chex);
			return -1;
		}
	}
	return 0;
}

int
truc_check(const struct tx *tx, int64_t vsize, const struct pvec *ancestors,
    const struct pvec *conflicts, struct accept_result *r)
{
	char h[65], w[65], ah[65], aw[65];
	const struct pentry *parent;
	size_t i;
	int replaced = 0;

	hash_to_hex(tx->txid, h);
	hash_to_hex(tx->wtxid, w);
	for (i = 0; i < ancestors->n; i++) {
		const struct pentry *a = ancestors->v[i];
		int av3 = a->tx.version == POLICY_TRUC_VERSION;
		int v3 = tx->version == POLICY_TRUC_VERSION;

		if (av3 == v3)
			continue;
		hash_to_hex(a->txid, ah);
		hash_to_hex(a->wtxid, aw);
		if (av3)
			accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
			    "non-version=%d tx %s (wtxid=%s) cannot spend from "
			    "version=%d tx %s (wtxid=%s)",
			    POLICY_TRUC_VERSION, h, w, POLICY_TRUC_VERSION, ah,
			    aw);
		else
			accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
			    "version=%d tx %s (wtxid=%s) cannot spend from "
			    "non-version=%d tx %s (wtxid=%s)",
			    POLICY_TRUC_VERSION, h, w, POLICY_TRUC_VERSION, ah,
			    aw);
		return -1;
	}
	if (tx->version != POLICY_TRUC_VERSION)
		return 0;
	if (vsize > POLICY_TRUC_MAX_VSIZE) {
		accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
		    "version=%d tx %s (wtxid=%s) is too big: %lld > %d virtual "
		    "bytes",
		    POLICY_TRUC_VERSION, h, w, (long long)vsize,
		    POLICY_TRUC_MAX_VSIZE);
		return -1;
	}
	if (ancestors->n + 1 > POOL_TRUC_ANCESTOR_LIMIT) {
		accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
		    "tx %s (wtxid=%s) would have too many ancestors", h, w);
		return -1;
	}
	if (ancestors->n == 0)
		return 0;
	if (vsize > POLICY_TRUC_CHILD_MAX_VSIZE) {
		accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
		    "version=%d child tx %s (wtxid=%s) is too big: %lld > %d "
		    "virtual bytes",
		    POLICY_TRUC_VERSION, h, w, (long long)vsize,
		    POLICY_TRUC_CHILD_MAX_VSIZE);
		return -1;
	}
	parent = ancestors->v[0];
	for (i = 0; i < parent->children.n; i++)
		if (pvec_has(conflicts, parent->children.v[i]))
			replaced = 1;
	if (parent->desc_count + 1 > POOL_TRUC_DESCENDANT_LIMIT && !replaced) {
		hash_to_hex(parent->txid, ah);
		hash_to_hex(parent->wtxid, aw);
		accept_fail(r, ACCEPT_POLICY, "TRUC-violation",
		    "tx %s (wtxid=%s) would exceed descendant count limit", ah,
		    aw);
		return -1;
	}
	return 0;
}
