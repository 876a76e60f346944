/*
 * Acceptance: Core's MemPoolAccept (PreChecks, ReplacementChecks,
 * PolicyScriptChecks, Finalize) for one transaction. Packages build on it
 * in package.c.
 *
 * One store read transaction covers everything read from the chain (tip,
 * MTPs, coins); the spent outputs' scripts borrow from it or from pool
 * entries, so it stays open through the script checks and ends before
 * anything in the pool changes or a hook runs.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "mempool/pool_int.h"
#include "script/script.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* The working state of one acceptance. */
struct aws {
	struct pool *p;
	int flags;
	uint8_t *raw; /* our copy; the entry takes it */
	size_t len;
	struct tx tx;
	int parsed;
	struct store_rtxn *rt;
	uint8_t tip_hash[32];
	int32_t tip_height;
	int64_t tip_mtp;
	struct txout *spent;	      /* per input, for scripts and policy */
	struct consensus_coin *coins; /* the same, for the rules */
	struct pvec parents, ancestors, conflicts, all_conflicts;
	int64_t fee, modfee, vsize, sigops;
	size_t weight;
	int spends_coinbase;
};

/* Package limits for one ancestor calculation. */
struct limits {
	size_t anc_count;
	int64_t anc_size;
	size_t desc_count;
	int64_t desc_size;
};

enum accept_code
accept_fail(struct accept_result *r, enum accept_code code, const char *reason,
    const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->debug[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->debug, sizeof(r->debug), fmt, ap);
		va_end(ap);
	}
	return code;
}

int
accept_check_feerate(struct pool *p, int64_t vsize, int64_t modfee,
    struct accept_result *r)
{
	const struct policy *pol = p->env.pol;
	int64_t need;

	need = policy_fee_at(pool_min_fee(p, pol->max_mempool_bytes), vsize);
	if (need > 0 && modfee < need)
		accept_fail(r, ACCEPT_POLICY, "mempool min fee not met",
		    "%lld < %lld", (long long)modfee, (long long)need);
	else if (modfee < (need = policy_fee_at(pol->min_relay_fee, vsize)))
		accept_fail(r, ACCEPT_POLICY, "min relay fee not met",
		    "%lld < %lld", (long long)modfee, (long long)need);
	else
		return 0;
	/* Core's TX_RECONSIDERABLE: a child's fees may make up for it. */
	r->reconsiderable = 1;
	return -1;
}

static void
aws_free(struct aws *w)
{
	if (w->rt != NULL)
		store_read_end(w->rt);
	w->rt = NULL;
	if (w->parsed)
		tx_free(&w->tx);
	w->parsed = 0;
	free(w->raw);
	w->raw = NULL;
	free(w->spent);
	free(w->coins);
	pvec_free(&w->parents);
	pvec_free(&w->ancestors);
	pvec_free(&w->conflicts);
	pvec_free(&w->all_conflicts);
}

/*
 * Core's CalculateMemPoolAncestors for a transaction not yet in the pool:
 * walks up from its parents, checking each ancestor's descendant limits
 * and the running ancestor count and size. 0, or -1 with err.
 */
static int
calc_ancestors(struct pool *p, const struct pvec *parents, int64_t vsize,
    const struct limits *lim, struct pvec *out, char *err, size_t errlen)
{
	struct pvec staged = { 0 };
	uint64_t m;
	int64_t total = vsize;
	size_t i, next = 0;
	char hex[65];
	int rc = -1;

	out->n = 0;
	if (parents->n + 1 > lim->anc_count) {
		snprintf(err, errlen,
		    "too many unconfirmed parents [limit: %zu]",
		    lim->anc_count);
		return -1;
	}
	m = pool_new_mark(p);
	for (i = 0; i < parents->n; i++) {
		parents->v[i]->mark = m;
		pvec_push(&staged, parents->v[i]);
	}
	while (next < staged.n) {
		struct pentry *a = staged.v[next++];

		pvec_push(out, a);
		total += a->vsize;
		if (a->desc_size + vsize > lim->desc_size) {
			hash_to_hex(a->txid, hex);
			snprintf(err, errlen,
			    "exceeds descendant size limit for "
			    "tx %s [limit: %lld]",
			    hex, (long long)lim->desc_size);
			goto done;
		}
		if (a->desc_count + 1 > lim->desc_count) {
			hash_to_hex(a->txid, hex);
			snprintf(err, errlen,
			    "too many descendants for tx %s "
			    "[limit: %zu]",
			    hex, lim->desc_count);
			goto done;
		}
		if (total > lim->anc_size) {
			snprintf(err, errlen,
			    "exceeds ancestor size limit "
			    "[limit: %lld]",
			    (long long)lim->anc_size);
			goto done;
		}
		for (i = 0; i < a->parents.n; i++) {
			if (a->parents.v[i]->mark != m) {
				a->parents.v[i]->mark = m;
				pvec_push(&staged, a->parents.v[i]);
			}
			if (staged.n + 1 > lim->anc_count) {
				snprintf(err, errlen,
				    "too many unconfirmed "
				    "ancestors [limit: %zu]",
				    lim->anc_count);
				goto done;
			}
		}
	}
	rc = 0;
done:
	pvec_free(&staged);
	return rc;
}

/*
 * A member of a package evaluated together (Core's PreChecks in
 * AcceptMultipleTransactions): its own limits count only its in-pool
 * ancestors, not the package's members added for the trial; the package
 * is checked as a whole afterwards (package_limits.c). No carve-out, no
 * RBF allowance. The ancestor set kept for the TRUC and conflict checks
 * still includes the package's members.
 */
static enum accept_code
package_ancestors(struct aws *w, const struct limits *lim,
    struct accept_result *r)
{
	struct pvec own = { 0 };
	struct limits none = { SIZE_MAX, INT64_MAX, SIZE_MAX, INT64_MAX };
	char err[200];
	size_t i;
	int rc;

	for (i = 0; i < w->parents.n; i++)
		if (!w->parents.v[i]->in_package)
			pvec_push(&own, w->parents.v[i]);
	rc = calc_ancestors(w->p, &own, w->vsize, lim, &w->ancestors, err,
	    sizeof(err));
	if (rc == 0 && own.n != w->parents.n)
		rc = calc_ancestors(w->p, &w->parents, w->vsize, &none,
		    &w->ancestors, err, sizeof(err));
	pvec_free(&own);
	if (rc != 0)
		return accept_fail(r, ACCEPT_POLICY, "too-long-mempool-chain",
		    "%s", err);
	return ACCEPT_OK;
}

/* Ancestors with Core's RBF allowance and CPFP carve-out. */
static enum accept_code
check_ancestors(struct aws *w, struct accept_result *r)
{
	const struct policy *pol = w->p->env.pol;
	struct limits lim, carve;
	char err[200], err2[200];

	lim.anc_count = pol->ancestor_limit;
	lim.anc_size = (int64_t)pol->ancestor_size;
	lim.desc_count = pol->descendant_limit;
	lim.desc_size = (int64_t)pol->descendant_size;
	if (w->flags & ACCEPT_INT_PKG_LIMITS)
		return package_ancestors(w, &lim, r);
	if (w->conflicts.n == 1 && !(w->flags & ACCEPT_INT_NO_REPLACE)) {
		lim.desc_count += 1;
		lim.desc_size += w->conflicts.v[0]->desc_size;
	}
	if (calc_ancestors(w->p, &w->parents, w->vsize, &lim, &w->ancestors,
		err, sizeof(err)) == 0)
		return ACCEPT_OK;
	if ((w->flags & ACCEPT_INT_NO_REPLACE) ||
	    w->vsize > POOL_CARVEOUT_VSIZE ||
	    w->tx.version == POLICY_TRUC_VERSION)
		return accept_fail(r, ACCEPT_POLICY, "too-long-mempool-chain",
		    "%s", err);
	/* One small extra child of a parent with no other ancestors. */
	carve = lim;
	carve.anc_count = 2;
	carve.desc_count = lim.desc_count + 1;
	carve.desc_size = lim.desc_size + POOL_CARVEOUT_VSIZE;
	if (calc_ancestors(w->p, &w->parents, w->vsize, &carve, &w->ancestors,
		err2, sizeof(err2)) == 0)
		return ACCEPT_OK;
	return accept_fail(r, ACCEPT_POLICY, "too-long-mempool-chain", "%s",
	    err);
}

/* Finds every input's coin: the pool first, then the UTXO snapshot. */
static enum accept_code
find_inputs(struct aws *w, struct accept_result *r)
{
	struct pool *p = w->p;
	size_t i, n = w->tx.vin_count, nmissing = 0;
	struct outpoint op;
	struct coin c;
	int rc;

	w->spent = xcalloc(n, sizeof(*w->spent));
	w->coins = xcalloc(n, sizeof(*w->coins));
	for (i = 0; i < n; i++) {
		const struct outpoint *in = &w->tx.vin[i].prevout;
		struct pentry *par;

		if (pool_get_output(p, in, 0, &w->spent[i])) {
			/* Unconfirmed: as if in the next block (Core). */
			w->coins[i].out = w->spent[i];
			w->coins[i].height = w->tip_height + 1;
			par = pool_find(p, in->hash);
			if (!pvec_has(&w->parents, par))
				pvec_push(&w->parents, par);
			continue;
		}
		rc = store_get_coin(w->rt, in, &c);
		if (rc == STORE_OK) {
			w->spent[i].value = c.value;
			w->spent[i].script = c.script;
			w->spent[i].script_len = c.script_len;
			w->coins[i].out = w->spent[i];
			w->coins[i].height = c.height;
			w->coins[i].coinbase = c.coinbase;
			if (c.coinbase)
				w->spends_coinbase = 1;
			continue;
		}
		if (rc != STORE_NOTFOUND)
			return accept_fail(r, ACCEPT_ERROR, "store-error",
			    "coin lookup: %s", store_strerror(rc));
		if (pool_find(p, in->hash) == NULL) {
			size_t k;
			int dup = 0;

			for (k = 0; k < r->nmissing; k++)
				if (memcmp(r->missing[k], in->hash, 32) == 0)
					dup = 1;
			if (!dup && r->nmissing < ACCEPT_MAX_MISSING)
				memcpy(r->missing[r->nmissing++], in->hash,
				    32);
		}
		nmissing++;
	}
	if (nmissing == 0)
		return ACCEPT_OK;
	/* Inputs gone because this very transaction confirmed? */
	memcpy(op.hash, w->tx.txid, 32);
	for (i = 0; i < w->tx.vout_count; i++) {
		op.n = (uint32_t)i;
		rc = store_get_coin(w->rt, &op, &c);
		if (rc == STORE_OK) {
			r->nmissing = 0;
			return accept_fail(r, ACCEPT_IN_CHAIN,
			    "txn-already-known", NULL);
		}
		if (rc != STORE_NOTFOUND)
			return accept_fail(r, ACCEPT_ERROR, "store-error",
			    "coin lookup: %s", store_strerror(rc));
	}
	return accept_fail(r, ACCEPT_MISSING_INPUTS,
	    "bad-txns-inputs-missingorspent", NULL);
}

/* Core's Consensus::CheckTxInputs in the next block, with its classification. */
static enum accept_code
check_tx_inputs(struct aws *w, struct accept_result *r)
{
	struct consensus_inputs res;
	char a[40], b[40];

	if (consensus_check_tx_inputs(&w->tx, w->coins, w->tip_height + 1,
		&res) == 0) {
		w->fee = res.fee;
		return ACCEPT_OK;
	}
	/* Core's TX_PREMATURE_SPEND: it may be fine a few blocks on. */
	if (strcmp(res.reason, "bad-txns-premature-spend-of-coinbase") == 0)
		return accept_fail(r, ACCEPT_POLICY, res.reason,
		    "tried to spend coinbase at depth %d", (int)res.depth);
	if (strcmp(res.reason, "bad-txns-in-belowout") == 0) {
		pool_format_money(res.value_in, a, sizeof(a));
		pool_format_money(res.value_out, b, sizeof(b));
		return accept_fail(r, ACCEPT_CONSENSUS, res.reason,
		    "value in (%s) < value out (%s)", a, b);
	}
	return accept_fail(r, ACCEPT_CONSENSUS, res.reason, NULL);
}

static int
verify_all(struct aws *w, uint32_t flags, const struct script_txdata *td)
{
	size_t i;
	int err;

	for (i = 0; i < w->tx.vin_count; i++)
		if (!script_verify_input_cached(&w->tx, i, &w->spent[i], flags,
			td, w->p->env.sigcache, 1, &err))
			return 0;
	return 1;
}

/* Core's PolicyScriptChecks with CheckInputScripts' classification. */
static enum accept_code
check_scripts(struct aws *w, struct accept_result *r)
{
	const uint32_t std = SCRIPT_STANDARD_VERIFY_FLAGS;
	struct script_txdata *td;
	uint32_t mand;
	size_t i;
	int err, err2;

	td = script_txdata_new(&w->tx, w->spent);
	for (i = 0; i < w->tx.vin_count; i++) {
		if (script_verify_input_cached(&w->tx, i, &w->spent[i], std,
			td, w->p->env.sigcache, 1, &err))
			continue;
		/* The next block's rules; it has no hash yet. */
		mand = consensus_block_script_flags(w->p->env.cp,
		    w->tip_height + 1, NULL);
		if (script_verify_input_cached(&w->tx, i, &w->spent[i], mand,
			td, w->p->env.sigcache, 1, &err2))
			accept_fail(r, ACCEPT_POLICY,
			    "mempool-script-verify-flag-failed", NULL);
		else
			accept_fail(r, ACCEPT_CONSENSUS,
			    "mandatory-script-verify-flag-failed", NULL);
		snprintf(r->reason, sizeof(r->reason), "%s (%s)",
		    r->code == ACCEPT_POLICY ?
			"mempool-script-verify-flag-failed" :
			"mandatory-script-verify-flag-failed",
		    script_error_string(err));
		/* Only the witness missing: the transaction may be fine. */
		if (!tx_has_witness(&w->tx) &&
		    verify_all(w,
			std &
			    ~(SCRIPT_VERIFY_WITNESS |
				SCRIPT_VERIFY_CLEANSTACK),
			td) &&
		    !verify_all(w, std & ~SCRIPT_VERIFY_CLEANSTACK, td))
			r->code = ACCEPT_WITNESS_STRIPPED;
		script_txdata_free(td);
		return r->code;
	}
	script_txdata_free(td);
	return ACCEPT_OK;
}

/* Everything up to and including the script checks. */
static enum accept_code
prechecks(struct aws *w, struct accept_result *r, int64_t max_feerate)
{
	struct pool *p = w->p;
	const struct policy *pol = p->env.pol;
	const char *reason = NULL, *debug = NULL;
	enum accept_code rc;
	struct rbuf rb;
	size_t i;
	int lr;

	rbuf_init(&rb, w->raw, w->len);
	if (tx_parse(&rb, &w->tx, TX_ALLOW_WITNESS) != 0)
		return accept_fail(r, ACCEPT_CONSENSUS, "TX decode failed",
		    NULL);
	w->parsed = 1;
	memcpy(r->txid, w->tx.txid, 32);
	memcpy(r->wtxid, w->tx.wtxid, 32);
	if (rbuf_left(&rb) != 0)
		return accept_fail(r, ACCEPT_CONSENSUS, "TX decode failed",
		    "%zu bytes after the transaction", rbuf_left(&rb));
	if (consensus_check_tx(&w->tx, &reason) != 0)
		return accept_fail(r, ACCEPT_CONSENSUS,
		    reason ? reason : "bad-txns", NULL);
	if (tx_is_coinbase(&w->tx))
		return accept_fail(r, ACCEPT_CONSENSUS, "coinbase", NULL);
	if (pol->require_standard &&
	    !policy_is_standard_tx(pol, &w->tx, &reason))
		return accept_fail(r, ACCEPT_POLICY, reason, NULL);
	if (policy_tx_size_small(&w->tx))
		return accept_fail(r, ACCEPT_POLICY, "tx-size-small", NULL);

	if ((lr = store_read_begin(p->env.store, &w->rt)) != STORE_OK) {
		w->rt = NULL;
		return accept_fail(r, ACCEPT_ERROR, "store-error", "%s",
		    store_strerror(lr));
	}
	if (chainview_tip(p, w->rt, w->tip_hash, &w->tip_height,
		&w->tip_mtp) != 0)
		return accept_fail(r, ACCEPT_ERROR, "store-error",
		    "cannot read the tip");
	if (!chainview_is_final(&w->tx, w->tip_height, w->tip_mtp))
		return accept_fail(r, ACCEPT_POLICY, "non-final", NULL);
	if (pool_find_wtxid(p, w->tx.wtxid) != NULL)
		return accept_fail(r, ACCEPT_ALREADY, "txn-already-in-mempool",
		    NULL);
	if (pool_find(p, w->tx.txid) != NULL)
		return accept_fail(r, ACCEPT_SAME_TXID,
		    "txn-same-nonwitness-data-in-mempool", NULL);

	for (i = 0; i < w->tx.vin_count; i++) {
		struct pentry *c = pool_find_spender(p, &w->tx.vin[i].prevout);

		if (c == NULL)
			continue;
		if (w->flags & ACCEPT_NO_RBF)
			return accept_fail(r, ACCEPT_CONFLICT,
			    "txn-mempool-conflict", NULL);
		if (w->flags & ACCEPT_INT_NO_REPLACE)
			return accept_fail(r, ACCEPT_POLICY,
			    "bip125-replacement-disallowed", NULL);
		if (!pvec_has(&w->conflicts, c))
			pvec_push(&w->conflicts, c);
	}

	if ((rc = find_inputs(w, r)) != ACCEPT_OK)
		return rc;
	lr = chainview_sequence_locks_ok(w->rt, &w->tx, w->coins,
	    w->tip_height, w->tip_mtp);
	if (lr < 0)
		return accept_fail(r, ACCEPT_ERROR, "store-error",
		    "sequence lock lookup");
	if (lr == 0)
		return accept_fail(r, ACCEPT_POLICY, "non-BIP68-final", NULL);
	if ((rc = check_tx_inputs(w, r)) != ACCEPT_OK)
		return rc;
	r->fee = w->fee;
	if (pol->require_standard) {
		if (!policy_inputs_standard(&w->tx, w->spent, &reason, &debug))
			return accept_fail(r, ACCEPT_POLICY, reason,
			    debug ? "%s" : NULL, debug);
		if (!policy_witness_standard(&w->tx, w->spent, &reason))
			return accept_fail(r,
			    tx_has_witness(&w->tx) ? ACCEPT_POLICY :
						     ACCEPT_WITNESS_STRIPPED,
			    reason, NULL);
	}

	w->sigops = consensus_tx_sigop_cost(&w->tx, w->spent,
	    SCRIPT_STANDARD_VERIFY_FLAGS);
	w->weight = tx_weight(&w->tx);
	w->vsize = policy_vsize(w->weight, w->sigops, pol->bytes_per_sigop);
	w->modfee = w->fee + pool_get_delta(p, w->tx.txid);
	r->vsize = w->vsize;
	r->effective_feerate = pool_feerate(w->modfee, w->vsize);
	if (w->sigops > POLICY_MAX_STANDARD_TX_SIGOPS_COST)
		return accept_fail(r, ACCEPT_POLICY,
		    "bad-txns-too-many-sigops", "%lld", (long long)w->sigops);
	if (pol->require_standard && policy_dust_count(pol, &w->tx) > 0 &&
	    (w->fee != 0 || w->modfee != 0))
		return accept_fail(r, ACCEPT_POLICY, "dust",
		    "tx with dust output must be 0-fee");
	/*
	 * Core 28: below the minimum relay fee nothing but a TRUC
	 * transaction gets in, not even paid for by a package (its child
	 * could be replaced away); not reconsiderable.
	 */
	if (!(w->flags & ACCEPT_BYPASS_LIMITS) &&
	    w->tx.version != POLICY_TRUC_VERSION &&
	    w->modfee < policy_fee_at(pol->min_relay_fee, w->vsize))
		return accept_fail(r, ACCEPT_POLICY, "min relay fee not met",
		    "%lld < %lld", (long long)w->modfee,
		    (long long)policy_fee_at(pol->min_relay_fee, w->vsize));
	/* In a package the package's fee rate is checked instead (package.c). */
	if (!(w->flags & (ACCEPT_BYPASS_LIMITS | ACCEPT_INT_PKG_FEERATE)) &&
	    accept_check_feerate(p, w->vsize, w->modfee, r) != 0)
		return r->code;
	if ((rc = check_ancestors(w, r)) != ACCEPT_OK)
		return rc;
	if (truc_check(&w->tx, w->vsize, &w->ancestors, &w->conflicts, r) != 0)
		return r->code;
	if (rbf_disjoint(&w->ancestors, &w->conflicts, &w->tx, r) != 0)
		return r->code;
	/* A package replacing: package_rbf.c judged the whole package. */
	if (w->conflicts.n > 0 && (w->flags & ACCEPT_INT_PKG_RBF)) {
		pool_with_descendants(p, &w->conflicts, &w->all_conflicts);
		/* package.c keeps members off what the package evicts. */
		for (i = 0; i < w->all_conflicts.n; i++)
			if (w->all_conflicts.v[i]->in_package)
				return accept_fail(r, ACCEPT_ERROR,
				    "package-member-replaced", NULL);
	} else if (w->conflicts.n > 0 &&
	    rbf_check(p, &w->tx, w->modfee, w->vsize, &w->conflicts,
		&w->all_conflicts, r) != 0)
		return r->code;
	/* Core 28's client_maxfeerate (submitpackage): the modified fee rate. */
	if ((w->flags & ACCEPT_INT_CLIENT_MAXRATE) && max_feerate > 0 &&
	    pool_feerate(w->modfee, w->vsize) > max_feerate)
		return accept_fail(r, ACCEPT_POLICY, "max feerate exceeded",
		    NULL);
	if (w->flags & ACCEPT_INT_NO_SCRIPTS)
		return ACCEPT_OK;
	if ((rc = check_scripts(w, r)) != ACCEPT_OK)
		return rc;
	if (max_feerate > 0 && !(w->flags & ACCEPT_INT_CLIENT_MAXRATE) &&
	    w->fee > policy_fee_at(max_feerate, w->vsize))
		return accept_fail(r, ACCEPT_POLICY, "max-fee-exceeded", NULL);
	return ACCEPT_OK;
}

/* Core's Finalize: evict the replaced, add, trim. */
static enum accept_code
finalize(struct aws *w, struct accept_result *r)
{
	struct pool *p = w->p;
	struct pentry *e;
	int quiet = (w->flags & ACCEPT_INT_QUIET) != 0;
	char hex[65];
	size_t i;

	for (i = 0; i < w->all_conflicts.n && i < ACCEPT_MAX_REPLACED; i++)
		memcpy(r->replaced[r->nreplaced++],
		    w->all_conflicts.v[i]->txid, 32);
	if (w->all_conflicts.n > 0 && quiet && p->stash != NULL)
		pool_stash_save(p->stash, &w->all_conflicts);
	if (w->all_conflicts.n > 0)
		pool_remove_set(p, &w->all_conflicts, POOL_REMOVED_REPLACED,
		    quiet);
	/* The parents were found before the evictions; none was evicted. */
	e = xcalloc(1, sizeof(*e));
	memcpy(e->txid, w->tx.txid, 32);
	memcpy(e->wtxid, w->tx.wtxid, 32);
	e->tx = w->tx;
	w->parsed = 0;
	e->raw = w->raw;
	e->raw_len = w->len;
	w->raw = NULL;
	e->spends = xcalloc(e->tx.vin_count, sizeof(*e->spends));
	e->fee = w->fee;
	e->vsize = w->vsize;
	e->weight = w->weight;
	e->sigops = w->sigops;
	e->time = node_time();
	e->height = w->tip_height;
	e->spends_coinbase = w->spends_coinbase;
	pool_add_entry(p, e, &w->parents, quiet);
	if (!quiet) {
		hash_to_hex(r->txid, hex);
		log_debug(LOG_MEMPOOL, "accepted %s (poolsz %zu txn, %zu kB)",
		    hex, pool_count(p), pool_usage(p) / 1000);
	}
	if (!(w->flags & (ACCEPT_BYPASS_LIMITS | ACCEPT_INT_NO_TRIM))) {
		pool_trim(p, p->env.pol->max_mempool_bytes);
		if (pool_find(p, r->txid) == NULL)
			return accept_fail(r, ACCEPT_POLICY, "mempool full",
			    NULL);
	}
	return ACCEPT_OK;
}

enum accept_code
pool_accept_flags(struct pool *p, const uint8_t *raw, size_t len, int flags,
    int64_t max_feerate, struct accept_result *r)
{
	struct aws w;
	enum accept_code rc;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	w.p = p;
	w.flags = flags;
	w.raw = xmalloc(len ? len : 1);
	if (len > 0)
		memcpy(w.raw, raw, len);
	w.len = len;
	rc = prechecks(&w, r, max_feerate);
	if (w.rt != NULL) {
		store_read_end(w.rt);
		w.rt = NULL;
	}
	if (rc == ACCEPT_OK && !(flags & ACCEPT_TEST_ONLY))
		rc = finalize(&w, r);
	if (rc != ACCEPT_OK && r->code == ACCEPT_OK)
		r->code = rc;
	if (rc != ACCEPT_OK && !(flags & ACCEPT_INT_QUIET)) {
		char hex[65];

		hash_to_hex(r->txid, hex);
		log_debug(LOG_MEMPOOL, "refused %s: %s%s%s", hex, r->reason,
		    r->debug[0] ? ", " : "", r->debug);
	}
	aws_free(&w);
	return rc;
}

enum accept_code
pool_accept(struct pool *p, const uint8_t *raw, size_t len, int flags,
    int64_t max_feerate, struct accept_result *r)
{
	flags &= ACCEPT_TEST_ONLY | ACCEPT_BYPASS_LIMITS | ACCEPT_NO_RBF;
	return pool_accept_flags(p, raw, len, flags, max_feerate, r);
}
