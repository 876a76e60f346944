/*
 * The requests the mempool thread serves for the rpc thread (mempool.h,
 * "Requests served for the rpc thread"). Each runs on the mempool thread,
 * which owns the pool, so it reads and changes the pool without a lock and
 * answers a plain struct; the rpc thread parsed the parameters and writes
 * the JSON. Outcomes follow Bitcoin Core 30 (BroadcastTransaction,
 * ProcessNewPackage, entryToJSON's ordering).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* ---- Acceptance ---- */

/* Core's TxValidationState::ToString(): reason, then ", debug" if any. */
void
mempool_state_string(const struct accept_result *a, char *out, size_t len)
{
	const char *reason = a->reason[0] ? a->reason :
	    a->code == ACCEPT_MISSING_INPUTS ?
					    "bad-txns-inputs-missingorspent" :
					    "unknown-error";

	if (a->debug[0])
		snprintf(out, len, "%s, %s", reason, a->debug);
	else
		snprintf(out, len, "%s", reason);
}

/* Core's BroadcastTransaction outcome for a refused transaction. */
static void
fail_broadcast(struct request *r, const struct accept_result *a)
{
	char st[400];

	mempool_state_string(a, st, sizeof(st));
	switch (a->code) {
	case ACCEPT_IN_CHAIN:
		request_fail(r, MEMPOOL_E_IN_CHAIN,
		    "Transaction outputs already in utxo set");
		break;
	case ACCEPT_MISSING_INPUTS:
	case ACCEPT_ERROR: request_fail(r, MEMPOOL_E_INVALID, "%s", st); break;
	default: request_fail(r, MEMPOOL_E_REJECTED, "%s", st); break;
	}
}

/*
 * Core's first check in BroadcastTransaction: an output of the transaction
 * already in the UTXO set means it is confirmed. 1 if so, 0 if not, -1 on
 * a store failure.
 */
static int
outputs_in_utxo_set(struct mempool *m, const uint8_t txid[32], uint32_t nout)
{
	struct store_rtxn *t;
	struct outpoint op;
	struct coin coin;
	int rc = 0, st;

	if (store_read_begin(m->store, &t) != STORE_OK)
		return -1;
	memcpy(op.hash, txid, 32);
	for (op.n = 0; op.n < nout && rc == 0; op.n++) {
		st = store_get_coin(t, &op, &coin);
		if (st == STORE_OK)
			rc = 1;
		else if (st != STORE_NOTFOUND)
			rc = -1;
	}
	store_read_end(t);
	return rc;
}

void
mempool_send_in_free(void *in)
{
	free(((struct mempool_send_in *)in)->raw);
}

void
mempool_req_send(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_send_in *in = in_;
	struct mempool_send_out *out = out_;
	struct pool_entry_info e;
	struct accept_result *a;
	enum accept_code code;
	int rc;

	memcpy(out->txid, in->txid, 32);
	rc = outputs_in_utxo_set(m, in->txid, in->nout);
	if (rc > 0) {
		request_fail(r, MEMPOOL_E_IN_CHAIN,
		    "Transaction outputs already in utxo set");
		return;
	}
	if (rc < 0) {
		request_fail(r, MEMPOOL_E_STORE, "Database read failed");
		return;
	}
	/* Already there (any witness): nothing to do but answer its txid. */
	if (pool_get(m->pool, in->txid, &e) == 0)
		return;
	a = xcalloc(1, sizeof(*a));
	if (in->check_fee) {
		/* As Core: a test acceptance first, to learn the fee. */
		if ((code = pool_accept(m->pool, in->raw, in->len,
			 ACCEPT_TEST_ONLY, 0, a)) != ACCEPT_OK) {
			/* A refusal of a real submission: counted. */
			mempool_note_result(code, a);
			fail_broadcast(r, a);
			goto out;
		}
		if (a->fee > in->max_fee) {
			request_fail(r, MEMPOOL_E_MAX_FEE,
			    "Fee exceeds maximum "
			    "configured by user (e.g. -maxtxfee, maxfeerate)");
			goto out;
		}
	}
	switch (mempool_accept_local(m, in->raw, in->len, 0, 0, a)) {
	case ACCEPT_OK:
	case ACCEPT_ALREADY:
	case ACCEPT_SAME_TXID: break;
	default: fail_broadcast(r, a); break;
	}
out:
	free(a);
}

void
mempool_test_in_free(void *in_)
{
	struct mempool_test_in *in = in_;
	size_t i;

	for (i = 0; i < in->n; i++)
		free(in->raws[i]);
	free(in->raws);
	free(in->lens);
}

void
mempool_test_out_free(void *out)
{
	free(((struct mempool_test_out *)out)->rows);
}

static void
test_row(struct mempool_test_row *row, const struct accept_result *a)
{
	memcpy(row->txid, a->txid, 32);
	memcpy(row->wtxid, a->wtxid, 32);
	/* Not reached when the package stopped earlier: ids only. */
	row->checked = !(a->code == ACCEPT_POLICY && a->reason[0] == '\0');
	if (!row->checked)
		return;
	if (a->code == ACCEPT_OK) {
		row->allowed = 1;
		row->vsize = a->vsize;
		row->fee = a->fee;
		row->effective_feerate = a->effective_feerate;
		return;
	}
	row->missing_inputs = a->code == ACCEPT_MISSING_INPUTS;
	snprintf(row->reason, sizeof(row->reason), "%s", a->reason);
	mempool_state_string(a, row->details, sizeof(row->details));
}

void
mempool_req_test(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_test_in *in = in_;
	struct mempool_test_out *out = out_;
	struct accept_result *a;
	const char *pkg_reason = NULL;
	struct tx tx;
	struct rbuf rb;
	size_t i;

	(void)r;
	a = xcalloc(in->n ? in->n : 1, sizeof(*a));
	/* Ids for every row, also those the pool never reaches. */
	for (i = 0; i < in->n; i++) {
		rbuf_init(&rb, in->raws[i], in->lens[i]);
		if (tx_parse(&rb, &tx, TX_ALLOW_WITNESS) == 0) {
			memcpy(a[i].txid, tx.txid, 32);
			memcpy(a[i].wtxid, tx.wtxid, 32);
			tx_free(&tx);
		}
	}
	if (in->n == 1)
		pool_accept(m->pool, in->raws[0], in->lens[0],
		    ACCEPT_TEST_ONLY, 0, a);
	else if (pool_test_package(m->pool, (const uint8_t *const *)in->raws,
		     in->lens, in->n, 0, a, &pkg_reason) != 0) {
		/*
		 * Core shows "package-error" for package policy failures
		 * only, not for its PCKG_TX state ("transaction failed"),
		 * whose failing transaction speaks for itself.
		 */
		if (pkg_reason == NULL ||
		    strcmp(pkg_reason, "transaction failed") != 0) {
			out->package_failed = 1;
			snprintf(out->package_reason,
			    sizeof(out->package_reason), "%s",
			    pkg_reason ? pkg_reason : "package-error");
		}
	}
	out->rows = xcalloc(in->n ? in->n : 1, sizeof(*out->rows));
	out->n = in->n;
	for (i = 0; i < in->n; i++)
		test_row(&out->rows[i], &a[i]);
	free(a);
}

/* ---- Pool contents ---- */

static int
cmp_txid_bytes(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

struct idlist {
	uint8_t (*v)[32];
	size_t n, cap;
};

static void
idlist_add(struct idlist *l, const uint8_t id[32])
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, 32);
	}
	memcpy(l->v[l->n++], id, 32);
}

static int
collect_id(void *arg, const struct pool_entry_info *e)
{
	idlist_add(arg, e->txid);
	return 0;
}

void
mempool_entry_free(void *p)
{
	struct mempool_entry *e = p;

	free(e->depends);
	free(e->spentby);
	e->depends = e->spentby = NULL;
}

void
mempool_entries_free(void *p)
{
	struct mempool_entries *l = p;
	size_t i;

	for (i = 0; i < l->n; i++)
		mempool_entry_free(&l->v[i]);
	free(l->v);
}

/* The entry's fields; with full, its in-pool parents and children too. */
static void
entry_fill(struct mempool *m, const struct pool_entry_info *e, int full,
    struct mempool_entry *out)
{
	struct pool_entry_info pe;
	struct idlist deps = { NULL, 0, 0 }, kids = { NULL, 0, 0 };
	size_t i, j;

	memset(out, 0, sizeof(*out));
	memcpy(out->txid, e->txid, 32);
	memcpy(out->wtxid, e->wtxid, 32);
	out->vsize = e->vsize;
	out->weight = (int64_t)e->weight;
	out->time = e->time;
	out->height = e->height;
	out->desc_count = (int64_t)e->desc_count;
	out->desc_size = e->desc_size;
	out->anc_count = (int64_t)e->anc_count;
	out->anc_size = e->anc_size;
	out->fee = e->fee;
	out->modified_fee = e->modified_fee;
	out->anc_fees = e->anc_fees;
	out->desc_fees = e->desc_fees;
	out->bip125_replaceable = e->bip125_replaceable;
	if (!full)
		return;
	for (i = 0; i < e->tx->vin_count; i++) {
		const uint8_t *h = e->tx->vin[i].prevout.hash;

		if (pool_get(m->pool, h, &pe) != 0)
			continue;
		for (j = 0; j < deps.n; j++)
			if (memcmp(deps.v[j], h, 32) == 0)
				break;
		if (j == deps.n)
			idlist_add(&deps, h);
	}
	if (deps.n > 1)
		qsort(deps.v, deps.n, 32, hash_cmp_hex);
	pool_children(m->pool, e->txid, collect_id, &kids);
	if (kids.n > 1)
		qsort(kids.v, kids.n, 32, cmp_txid_bytes);
	out->depends = deps.v;
	out->ndepends = deps.n;
	out->spentby = kids.v;
	out->nspentby = kids.n;
}

struct infos {
	struct pool_entry_info *v;
	size_t n, cap;
};

static int
collect_info(void *arg, const struct pool_entry_info *e)
{
	struct infos *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *e;
	return 0;
}

/*
 * Core's GetSortedDepthAndScore: fewer in-pool ancestors first, then
 * higher modified fee rate, then higher txid.
 */
static int
cmp_depth_score(const void *a, const void *b)
{
	const struct pool_entry_info *x = a, *y = b;
	__int128 fx, fy;

	if (x->anc_count != y->anc_count)
		return x->anc_count < y->anc_count ? -1 : 1;
	fx = (__int128)x->modified_fee * y->vsize;
	fy = (__int128)y->modified_fee * x->vsize;
	if (fx != fy)
		return fx > fy ? -1 : 1;
	/* Core's CompareTxMemPoolEntryByScore: the higher txid first. */
	return memcmp(y->txid, x->txid, 32);
}

void
mempool_req_list(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_list_in *in = in_;
	struct mempool_entries *out = out_;
	struct infos l = { NULL, 0, 0 };
	size_t i;

	(void)r;
	pool_foreach(m->pool, collect_info, &l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_depth_score);
	out->v = xcalloc(l.n ? l.n : 1, sizeof(*out->v));
	out->n = l.n;
	for (i = 0; i < l.n; i++)
		entry_fill(m, &l.v[i], in->full, &out->v[i]);
	/* Core's counter starts at 1, ours at 0. */
	out->sequence = pool_sequence(m->pool) + 1;
	free(l.v);
}

void
mempool_req_entry(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_txid_in *in = in_;
	struct pool_entry_info e;

	if (pool_get(m->pool, in->txid, &e) != 0) {
		request_fail(r, MEMPOOL_E_NOT_FOUND,
		    "Transaction not in mempool");
		return;
	}
	entry_fill(m, &e, 1, out_);
}

void
mempool_req_relatives(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_relatives_in *in = in_;
	struct mempool_entries *out = out_;
	struct idlist l = { NULL, 0, 0 };
	struct pool_entry_info e;
	size_t i;

	if ((in->up ? pool_ancestors : pool_descendants)(m->pool, in->txid,
		collect_id, &l) != 0) {
		request_fail(r, MEMPOOL_E_NOT_FOUND,
		    "Transaction not in mempool");
		return;
	}
	if (l.n > 1)
		qsort(l.v, l.n, 32, cmp_txid_bytes);
	out->v = xcalloc(l.n ? l.n : 1, sizeof(*out->v));
	for (i = 0; i < l.n; i++) {
		if (pool_get(m->pool, l.v[i], &e) != 0)
			continue;
		entry_fill(m, &e, in->full, &out->v[out->n++]);
	}
	free(l.v);
}

void
mempool_req_info(void *owner, void *in, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_info *out = out_;
	const struct policy *pol = &m->pol;

	(void)in;
	(void)r;
	out->loaded = m->loaded;
	out->size = pool_count(m->pool);
	out->bytes = pool_total_vsize(m->pool);
	out->usage = pool_usage(m->pool);
	out->total_fee = pool_total_fee(m->pool);
	out->max_mempool = pol->max_mempool_bytes;
	out->min_fee = pool_min_fee(m->pool, pol->max_mempool_bytes);
	if (out->min_fee < pol->min_relay_fee)
		out->min_fee = pol->min_relay_fee;
	out->min_relay_fee = pol->min_relay_fee;
	out->incremental_relay_fee = pol->incremental_relay_fee;
	out->permit_bare_multisig = pol->permit_bare_multisig;
	out->max_datacarrier = pol->datacarrier ? pol->max_datacarrier_bytes :
						  0;
}

/* ---- Prioritisation and persistence ---- */

void
mempool_req_prioritise(void *owner, void *in_, void *out, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_prioritise_in *in = in_;
	struct pool_entry_info e;

	(void)out;
	/* Core 30: a dust output is allowed only at zero fee, kept so. */
	if (m->pol.require_standard && pool_get(m->pool, in->txid, &e) == 0 &&
	    policy_dust_count(&m->pol, e.tx) > 0) {
		request_fail(r, MEMPOOL_E_DUST,
		    "Priority is not supported "
		    "for transactions with dust outputs.");
		return;
	}
	pool_prioritise(m->pool, in->txid, in->delta);
	mempool_publish(m);
}

void
mempool_deltas_free(void *p)
{
	free(((struct mempool_deltas *)p)->v);
}

struct deltas_ctx {
	struct mempool *m;
	struct mempool_deltas *out;
	size_t cap;
};

static int
collect_delta(void *arg, const uint8_t txid[32], int64_t delta)
{
	struct deltas_ctx *dc = arg;
	struct mempool_delta *d;
	struct pool_entry_info e;

	if (dc->out->n == dc->cap) {
		dc->cap = dc->cap ? dc->cap * 2 : 8;
		dc->out->v = xreallocarray(dc->out->v, dc->cap,
		    sizeof(*dc->out->v));
	}
	d = &dc->out->v[dc->out->n++];
	memset(d, 0, sizeof(*d));
	memcpy(d->txid, txid, 32);
	d->delta = delta;
	if (pool_get(dc->m->pool, txid, &e) == 0) {
		d->in_pool = 1;
		d->modified_fee = e.modified_fee;
	}
	return 0;
}

void
mempool_req_deltas(void *owner, void *in, void *out, struct request *r)
{
	struct deltas_ctx dc = { owner, out, 0 };

	(void)in;
	(void)r;
	pool_foreach_delta(dc.m->pool, collect_delta, &dc);
}

void
mempool_req_save(void *owner, void *in, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_save_out *out = out_;

	(void)in;
	if (!m->loaded) {
		request_fail(r, MEMPOOL_E_NOT_LOADED,
		    "The mempool was not loaded yet");
		return;
	}
	if (mempool_dump(m) != 0) {
		request_fail(r, MEMPOOL_E_DUMP,
		    "Unable to dump mempool to disk");
		return;
	}
	snprintf(out->path, sizeof(out->path), "%s", m->datpath);
}

void
mempool_req_import(void *owner, void *in, void *out, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_import_in *q = in;

	(void)out;
	if (!m->loaded) {
		request_fail(r, MEMPOOL_E_NOT_LOADED,
		    "The mempool was not loaded yet");
		return;
	}
	if (mempool_load_file(m, q->path, &q->opts) != 0)
		request_fail(r, MEMPOOL_E_IMPORT,
		    "Unable to import mempool "
		    "file, see debug.log for details.");
}

void
mempool_import_in_free(void *in)
{
	free(((struct mempool_import_in *)in)->path);
}

/* ---- Lookups for other methods ---- */

void
mempool_tx_out_free(void *p)
{
	free(((struct mempool_tx_out *)p)->raw);
}

void
mempool_req_tx(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_txid_in *in = in_;
	struct mempool_tx_out *out = out_;
	struct pool_entry_info e;

	(void)r;
	if (pool_get(m->pool, in->txid, &e) != 0)
		return;
	out->raw = xmemdup(e.raw, e.raw_len);
	out->len = e.raw_len;
}

void
mempool_outpoints_in_free(void *in)
{
	free(((struct mempool_outpoints_in *)in)->ops);
}

void
mempool_outpoints_out_free(void *p)
{
	struct mempool_outpoints_out *out = p;
	size_t i;

	for (i = 0; i < out->n; i++)
		free(out->rows[i].script);
	free(out->rows);
}

void
mempool_req_outpoints(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_outpoints_in *in = in_;
	struct mempool_outpoints_out *out = out_;
	struct mempool_outpoint_row *row;
	struct pool_entry_info e;
	const struct txout *o;
	size_t i;

	(void)r;
	out->rows = xcalloc(in->n ? in->n : 1, sizeof(*out->rows));
	out->n = in->n;
	for (i = 0; i < in->n; i++) {
		row = &out->rows[i];
		row->spent = pool_spender(m->pool, &in->ops[i], row->spender);
		if (pool_get(m->pool, in->ops[i].hash, &e) != 0)
			continue;
		row->tx_in_pool = 1;
		if (in->ops[i].n >= e.tx->vout_count)
			continue;
		o = &e.tx->vout[in->ops[i].n];
		row->has_output = 1;
		row->value = o->value;
		row->script = xmalloc(o->script_len ? o->script_len : 1);
		if (o->script_len > 0)
			memcpy(row->script, o->script, o->script_len);
		row->script_len = o->script_len;
	}
}
