/*
 * The transaction pool driven over a real chainstate (a temporary store,
 * regtest blocks built with blockgen.h whose coinbases pay P2WSH(OP_TRUE)):
 * acceptance and its refusals, RBF, package limits, TRUC, chain events,
 * housekeeping, block selection and package tests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "mempool/policy.h"
#include "mempool/pool.h"
#include "script/sigcache.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "blockgen.h"
#include "testenv.h"
#include "unit.h"

struct ctx {
	struct testenv t; /* t.cb: coinbase txids by height */
	struct sigcache *sc;
	struct policy pol;
	struct pool *pool;
	int next_cb; /* next unused mature coinbase */
	/* Hook records. */
	int nadded, nremoved;
	enum pool_removal last_why;
	int why_count[8];
};

static void
on_added(void *arg, const struct pool_entry_info *e)
{
	struct ctx *c = arg;

	c->nadded++;
}

static void
on_removed(void *arg, const struct pool_entry_info *e, enum pool_removal why)
{
	struct ctx *c = arg;

	c->nremoved++;
	c->last_why = why;
	c->why_count[why]++;
}

/* Builds, submits and announces to the pool a block with txs. */
static int
mine_txs(struct ctx *c, const struct bg_tx *txs, size_t n, struct wbuf *keep)
{
	static uint8_t salt;
	struct block_index_entry t = testenv_tip(&c->t);
	struct block_result br;
	struct bg_block b;
	struct block blk;
	struct wbuf w;
	size_t i;
	int rc = -1;

	testenv_block_on(&c->t, &b, &t);
	memcpy(b.txs[0].out[0].script, bg_p2wsh_true, sizeof(bg_p2wsh_true));
	b.txs[0].out[0].script_len = sizeof(bg_p2wsh_true);
	b.txs[0].in[0].script[b.txs[0].in[0].script_len - 1] ^= salt++;
	for (i = 0; i < n; i++)
		bg_block_add(&b, &txs[i]);
	testenv_finish(&c->t, &b, 1);
	if (b.height < TESTENV_MAX_HEIGHTS)
		bg_tx_txid(&b.txs[0], c->t.cb[b.height]);
	wbuf_init(&w);
	bg_block_serialize(&b, &w);
	if (chainstate_process_block(c->t.cs, w.p, w.len, &br) == VAL_OK &&
	    block_parse(w.p, w.len, &blk) == 0) {
		pool_block_connected(c->pool, &blk, b.height);
		block_free(&blk);
		rc = 0;
	} else {
		fprintf(stderr, "block refused: %s %s\n", br.st.reason,
		    br.st.debug);
	}
	if (keep)
		*keep = w;
	else
		wbuf_free(&w);
	bg_block_free(&b);
	return rc;
}

static int
mine(struct ctx *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (mine_txs(c, NULL, 0, NULL) != 0)
			return -1;
	return 0;
}

static int
ctx_open(struct ctx *c, int blocks)
{
	struct chainstate_opts o;
	struct pool_env env;
	struct pool_hooks h;
	char err[256];

	testenv_setup("test_pool", LOGL_INFO, LOG_MEMPOOL);
	memset(c, 0, sizeof(*c));
	c->sc = sigcache_new(1 << 20);
	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.sigcache = c->sc;
	if (testenv_open(&c->t, "test_pool", &o) != 0)
		return -1;
	if (policy_init(&c->pol, NULL, 1, err, sizeof(err)) != 0)
		return -1;
	memset(&env, 0, sizeof(env));
	env.cp = c->t.cp;
	env.store = c->t.s;
	env.cs = c->t.cs;
	env.sigcache = c->sc;
	env.pol = &c->pol;
	c->pool = pool_new(&env);
	memset(&h, 0, sizeof(h));
	h.arg = c;
	h.added = on_added;
	h.removed = on_removed;
	pool_set_hooks(c->pool, &h);
	c->next_cb = 1;
	return mine(c, blocks);
}

static void
ctx_close(struct ctx *c)
{
	pool_free(c->pool);
	testenv_close(&c->t);
	sigcache_free(c->sc);
}

/* A spend of (txid, n) by P2WSH(OP_TRUE) with one output of value. */
static void
spend(struct bg_tx *t, const uint8_t txid[32], uint32_t n, int64_t value)
{
	struct bg_in *in;

	bg_tx_init(t);
	t->version = 2;
	in = bg_tx_add_in(t, txid, n);
	bg_in_add_wit(in, bg_op_true, 1);
	if (value >= 0)
		bg_tx_add_out(t, value, bg_p2wsh_true, sizeof(bg_p2wsh_true));
}

static void
add_in(struct bg_tx *t, const uint8_t txid[32], uint32_t n)
{
	bg_in_add_wit(bg_tx_add_in(t, txid, n), bg_op_true, 1);
}

static enum accept_code
submit_flags(struct ctx *c, const struct bg_tx *t, int flags,
    struct accept_result *r)
{
	struct wbuf w;
	enum accept_code rc;

	wbuf_init(&w);
	bg_tx_serialize(t, &w, 1);
	rc = pool_accept(c->pool, w.p, w.len, flags, 0, r);
	wbuf_free(&w);
	return rc;
}

static enum accept_code
submit(struct ctx *c, const struct bg_tx *t, struct accept_result *r)
{
	return submit_flags(c, t, 0, r);
}

static const uint8_t *
next_coinbase(struct ctx *c)
{
	return c->t.cb[c->next_cb++];
}

static void
txid_of(const struct bg_tx *t, uint8_t out[32])
{
	bg_tx_txid(t, out);
}

/* ---- cases ---- */

static struct accept_result R;

static int
count_cb(void *arg, const struct pool_entry_info *e)
{
	(*(int *)arg)++;
	return 0;
}

static int
stop_cb(void *arg, const struct pool_entry_info *e)
{
	(*(int *)arg)++;
	return 1;
}

static void
test_accept_basic(void)
{
	struct ctx c;
	struct bg_tx t;
	struct pool_entry_info e;
	uint8_t txid[32];

	CHECK(ctx_open(&c, 110) == 0);
	spend(&t, next_coinbase(&c), 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_OK);
	txid_of(&t, txid);
	CHECK(memcmp(R.txid, txid, 32) == 0);
	CHECK_EQ_INT(R.fee, 1000);
	CHECK_EQ_INT(R.vsize, 96);
	CHECK_EQ_INT(R.effective_feerate, 1000 * 1000 / 96);
	CHECK_EQ_INT(pool_count(c.pool), 1);
	CHECK_EQ_INT(pool_total_vsize(c.pool), 96);
	CHECK_EQ_INT(pool_total_fee(c.pool), 1000);
	CHECK(pool_usage(c.pool) > 96);
	CHECK_EQ_INT(pool_sequence(c.pool), 1);
	CHECK_EQ_INT(c.nadded, 1);
	CHECK(pool_get(c.pool, txid, &e) == 0);
	CHECK_EQ_INT(e.fee, 1000);
	CHECK_EQ_INT(e.modified_fee, 1000);
	CHECK_EQ_INT(e.weight, 381);
	CHECK_EQ_INT(e.anc_count, 1);
	CHECK_EQ_INT(e.desc_count, 1);
	CHECK_EQ_INT(e.height, 110);
	CHECK(!e.bip125_replaceable);
	CHECK(pool_get_by_wtxid(c.pool, R.wtxid, NULL) == 0);
	/* Again: already there; the same txid with another witness. */
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_ALREADY);
	CHECK_EQ_STR(R.reason, "txn-already-in-mempool");
	t.in[0].wit_len[0] = 0;
	bg_in_add_wit(&t.in[0], bg_op_true, 1);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_SAME_TXID);
	CHECK_EQ_STR(R.reason, "txn-same-nonwitness-data-in-mempool");
	bg_tx_free(&t);
	/* Outputs and spenders. */
	{
		struct outpoint op;
		struct txout o;
		uint8_t sp[32];

		memcpy(op.hash, txid, 32);
		op.n = 0;
		CHECK_EQ_INT(pool_get_output(c.pool, &op, 1, &o), 1);
		CHECK_EQ_INT(o.value, 50 * COIN - 1000);
		memcpy(op.hash, c.t.cb[1], 32);
		CHECK_EQ_INT(pool_spender(c.pool, &op, sp), 1);
		CHECK(memcmp(sp, txid, 32) == 0);
	}
	ctx_close(&c);
}

static void
test_refusals(void)
{
	struct ctx c;
	struct bg_tx t;
	uint8_t bogus[32];
	struct block_index_entry tip;

	CHECK(ctx_open(&c, 110) == 0);
	tip = testenv_tip(&c.t);
	/* Undecodable: empty, and trailing bytes. */
	CHECK_EQ_INT(pool_accept(c.pool, (const uint8_t *)"", 0, 0, 0, &R),
	    ACCEPT_CONSENSUS);
	CHECK_EQ_STR(R.reason, "TX decode failed");
	{
		struct wbuf w;

		spend(&t, c.t.cb[1], 0, 50 * COIN - 1000);
		wbuf_init(&w);
		bg_tx_serialize(&t, &w, 1);
		wbuf_put_u8(&w, 0);
		CHECK_EQ_INT(pool_accept(c.pool, w.p, w.len, 0, 0, &R),
		    ACCEPT_CONSENSUS);
		CHECK_EQ_STR(R.debug, "1 bytes after the transaction");
		wbuf_free(&w);
		bg_tx_free(&t);
	}
	/* Immature coinbase: height 105 at spend height 111. */
	spend(&t, c.t.cb[105], 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "bad-txns-premature-spend-of-coinbase");
	CHECK_EQ_STR(R.debug, "tried to spend coinbase at depth 6");
	bg_tx_free(&t);
	/* Missing inputs report the parents. */
	memset(bogus, 0xab, 32);
	spend(&t, bogus, 3, 1000);
	add_in(&t, bogus, 4);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_MISSING_INPUTS);
	CHECK_EQ_STR(R.reason, "bad-txns-inputs-missingorspent");
	CHECK_EQ_INT(R.nmissing, 1);
	CHECK(memcmp(R.missing[0], bogus, 32) == 0);
	bg_tx_free(&t);
	/* Non-standard output. */
	spend(&t, c.t.cb[1], 0, -1);
	bg_tx_add_out(&t, 50 * COIN - 1000, bg_op_true, 1);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "scriptpubkey");
	bg_tx_free(&t);
	/* Coinbase-looking input. */
	spend(&t, bogus, 0, 1000);
	memset(t.in[0].txid, 0, 32);
	t.in[0].n = 0xffffffff;
	t.in[0].script_len = 2;
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_CONSENSUS);
	CHECK_EQ_STR(R.reason, "coinbase");
	bg_tx_free(&t);
	/* Overspend. */
	spend(&t, c.t.cb[1], 0, 51 * COIN);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_CONSENSUS);
	CHECK_EQ_STR(R.reason, "bad-txns-in-belowout");
	CHECK_EQ_STR(R.debug, "value in (50.00) < value out (51.00)");
	bg_tx_free(&t);
	/* Non-final by height. */
	spend(&t, c.t.cb[1], 0, 50 * COIN - 1000);
	t.locktime = (uint32_t)tip.height + 2;
	t.in[0].sequence = 0;
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "non-final");
	t.locktime = (uint32_t)tip.height; /* final at tip + 1 */
	CHECK_EQ_INT(submit_flags(&c, &t, ACCEPT_TEST_ONLY, &R), ACCEPT_OK);
	bg_tx_free(&t);
	/* BIP68: an output confirmed one block ago, relative lock of 5. */
	spend(&t, c.t.cb[2], 0, 50 * COIN - 1000);
	CHECK(mine_txs(&c, &t, 1, NULL) == 0);
	{
		struct bg_tx ch;
		uint8_t ptxid[32];

		txid_of(&t, ptxid);
		spend(&ch, ptxid, 0, 50 * COIN - 2000);
		ch.in[0].sequence = 5;
		CHECK_EQ_INT(submit(&c, &ch, &R), ACCEPT_POLICY);
		CHECK_EQ_STR(R.reason, "non-BIP68-final");
		/* Confirmed at tip: a lock of 1 is met at tip + 1. */
		ch.in[0].sequence = 1;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_OK);
		ch.in[0].sequence = 2;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_POLICY);
		/*
		 * Issue 14: a version negative as an int32 is a large
		 * unsigned one, so the lock holds (the "version" policy
		 * would refuse it first: switched off here).
		 */
		c.pol.require_standard = 0;
		ch.version = (int32_t)0xffffffffu;
		ch.in[0].sequence = 5;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_POLICY);
		CHECK_EQ_STR(R.reason, "non-BIP68-final");
		ch.version = (int32_t)0x80000000u;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_POLICY);
		CHECK_EQ_STR(R.reason, "non-BIP68-final");
		ch.in[0].sequence = 1;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_OK);
		c.pol.require_standard = 1;
		/* Version 1 ignores the lock. */
		ch.version = 1;
		ch.in[0].sequence = 5;
		CHECK_EQ_INT(submit_flags(&c, &ch, ACCEPT_TEST_ONLY, &R),
		    ACCEPT_OK);
		/* Already confirmed: its own outputs are in the UTXO set. */
		CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_IN_CHAIN);
		CHECK_EQ_STR(R.reason, "txn-already-known");
		bg_tx_free(&ch);
	}
	bg_tx_free(&t);
	CHECK_EQ_INT(pool_count(c.pool), 0);
	ctx_close(&c);
}

static void
test_min_fee_prioritise(void)
{
	struct ctx c;
	struct bg_tx t;
	struct pool_entry_info e;
	uint8_t txid[32];

	CHECK(ctx_open(&c, 105) == 0);
	spend(&t, next_coinbase(&c), 0, 50 * COIN);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "min relay fee not met");
	CHECK_EQ_STR(R.debug, "0 < 10");
	txid_of(&t, txid);
	pool_prioritise(c.pool, txid, 1000);
	CHECK_EQ_INT(pool_get_delta(c.pool, txid), 1000);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_OK);
	CHECK(pool_get(c.pool, txid, &e) == 0);
	CHECK_EQ_INT(e.fee, 0);
	CHECK_EQ_INT(e.modified_fee, 1000);
	pool_prioritise(c.pool, txid, -1000);
	CHECK_EQ_INT(pool_get_delta(c.pool, txid), 0);
	CHECK(pool_get(c.pool, txid, &e) == 0);
	CHECK_EQ_INT(e.modified_fee, 0);
	CHECK_EQ_INT(e.anc_fees, 0);
	bg_tx_free(&t);
	/* A bypass (reorg) re-add ignores the floor. */
	spend(&t, next_coinbase(&c), 0, 50 * COIN);
	CHECK_EQ_INT(submit_flags(&c, &t, ACCEPT_BYPASS_LIMITS, &R),
	    ACCEPT_OK);
	bg_tx_free(&t);
	ctx_close(&c);
}

static void
test_rbf(void)
{
	struct ctx c;
	struct bg_tx a, b, child, d;
	uint8_t atxid[32], ctxid[32];
	const uint8_t *cb;

	CHECK(ctx_open(&c, 105) == 0);
	cb = next_coinbase(&c);
	spend(&a, cb, 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &a, &R), ACCEPT_OK);
	txid_of(&a, atxid);
	spend(&child, atxid, 0, 50 * COIN - 2000);
	CHECK_EQ_INT(submit(&c, &child, &R), ACCEPT_OK);
	txid_of(&child, ctxid);
	/* Same fee: the fee rate is not better. */
	spend(&b, cb, 0, 50 * COIN - 1000 - 1);
	bg_tx_add_out(&b, 0, (const uint8_t *)"\x6a", 1);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "insufficient fee");
	CHECK(strstr(R.debug, "rejecting replacement") != NULL);
	CHECK(strstr(R.debug, "new feerate") != NULL);
	bg_tx_free(&b);
	/* Better rate but not paying for the evicted child. */
	spend(&b, cb, 0, 50 * COIN - 1500);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "insufficient fee");
	CHECK(strstr(R.debug, "less fees than conflicting txs") != NULL);
	bg_tx_free(&b);
	/* Pays 2000 = old fees, but nothing for its own relay. */
	spend(&b, cb, 0, 50 * COIN - 2000);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "insufficient fee");
	CHECK(strstr(R.debug, "not enough additional fees") != NULL);
	/* No replacement allowed at all. */
	CHECK_EQ_INT(submit_flags(&c, &b, ACCEPT_NO_RBF, &R), ACCEPT_CONFLICT);
	CHECK_EQ_STR(R.reason, "txn-mempool-conflict");
	bg_tx_free(&b);
	/* Spending what it replaces. */
	spend(&b, cb, 0, 50 * COIN - 9000);
	add_in(&b, atxid, 0);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_CONSENSUS);
	CHECK_EQ_STR(R.reason, "bad-txns-spends-conflicting-tx");
	bg_tx_free(&b);
	/* A new unconfirmed input. */
	spend(&d, next_coinbase(&c), 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &d, &R), ACCEPT_OK);
	{
		uint8_t dtxid[32];

		txid_of(&d, dtxid);
		spend(&b, cb, 0, 100 * COIN - 50000);
		add_in(&b, dtxid, 0);
		CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_POLICY);
		CHECK_EQ_STR(R.reason, "replacement-adds-unconfirmed");
		bg_tx_free(&b);
	}
	/* A good replacement evicts both. */
	c.nremoved = 0;
	spend(&b, cb, 0, 50 * COIN - 5000);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_OK);
	CHECK_EQ_INT(R.nreplaced, 2);
	CHECK_EQ_INT(c.nremoved, 2);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_REPLACED], 2);
	CHECK(pool_get(c.pool, atxid, NULL) != 0);
	CHECK(pool_get(c.pool, ctxid, NULL) != 0);
	CHECK_EQ_INT(pool_count(c.pool), 2);
	bg_tx_free(&a);
	bg_tx_free(&b);
	bg_tx_free(&child);
	bg_tx_free(&d);
	ctx_close(&c);
}

static void
test_chain_limits(void)
{
	struct ctx c;
	struct bg_tx t, fan;
	struct pool_entry_info e;
	uint8_t prev[32], first[32], ftxid[32];
	int64_t v = 50 * COIN;
	int i;

	CHECK(ctx_open(&c, 105) == 0);
	memcpy(prev, next_coinbase(&c), 32);
	for (i = 0; i < 25; i++) {
		v -= 1000;
		spend(&t, prev, 0, v);
		CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_OK);
		txid_of(&t, prev);
		if (i == 0)
			memcpy(first, prev, 32);
		bg_tx_free(&t);
	}
	CHECK(pool_get(c.pool, first, &e) == 0);
	CHECK_EQ_INT(e.desc_count, 25);
	CHECK_EQ_INT(e.desc_fees, 25000);
	CHECK(pool_get(c.pool, prev, &e) == 0);
	CHECK_EQ_INT(e.anc_count, 25);
	CHECK_EQ_INT(e.anc_size, 25 * 96);
	{
		int n = 0;
		uint8_t none[32];

		CHECK(pool_ancestors(c.pool, prev, count_cb, &n) == 0);
		CHECK_EQ_INT(n, 24);
		n = 0;
		CHECK(pool_descendants(c.pool, first, count_cb, &n) == 0);
		CHECK_EQ_INT(n, 24);
		n = 0;
		CHECK(pool_parents(c.pool, prev, count_cb, &n) == 0);
		CHECK_EQ_INT(n, 1);
		n = 0;
		CHECK(pool_children(c.pool, prev, count_cb, &n) == 0);
		CHECK_EQ_INT(n, 0);
		n = 0;
		pool_foreach(c.pool, count_cb, &n);
		CHECK_EQ_INT(n, 25);
		n = 0;
		pool_foreach(c.pool, stop_cb, &n);
		CHECK_EQ_INT(n, 1);
		memset(none, 0x11, 32);
		CHECK(pool_children(c.pool, none, count_cb, &n) == -1);
	}
	spend(&t, prev, 0, v - 1000);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "too-long-mempool-chain");
	CHECK_EQ_STR(R.debug, "too many unconfirmed ancestors [limit: 25]");
	bg_tx_free(&t);

	/* Descendants: 24 children, the carve-out's one more, then none. */
	spend(&fan, next_coinbase(&c), 0, -1);
	for (i = 0; i < 30; i++)
		bg_tx_add_out(&fan, COIN, bg_p2wsh_true,
		    sizeof(bg_p2wsh_true));
	CHECK_EQ_INT(submit(&c, &fan, &R), ACCEPT_OK);
	txid_of(&fan, ftxid);
	for (i = 0; i < 26; i++) {
		spend(&t, ftxid, (uint32_t)i, COIN - 1000);
		submit(&c, &t, &R);
		if (i < 25)
			CHECK_EQ_INT(R.code, ACCEPT_OK);
		else {
			char want[160], hex[65];

			hash_to_hex(ftxid, hex);
			snprintf(want, sizeof(want),
			    "too many descendants for "
			    "tx %s [limit: 25]",
			    hex);
			CHECK_EQ_INT(R.code, ACCEPT_POLICY);
			CHECK_EQ_STR(R.reason, "too-long-mempool-chain");
			CHECK_EQ_STR(R.debug, want);
		}
		bg_tx_free(&t);
	}
	CHECK(pool_get(c.pool, ftxid, &e) == 0);
	CHECK_EQ_INT(e.desc_count, 26);
	CHECK_EQ_INT(e.nchildren, 25);
	bg_tx_free(&fan);
	ctx_close(&c);
}

static void
test_descendant_size(void)
{
	struct ctx c;
	struct bg_tx p, t1, t2;
	uint8_t ptxid[32], t1txid[32];
	char want[160], hex[65];

	CHECK(ctx_open(&c, 105) == 0);
	c.pol.descendant_size = 300;
	spend(&p, next_coinbase(&c), 0, -1);
	bg_tx_add_out(&p, COIN, bg_p2wsh_true, sizeof(bg_p2wsh_true));
	bg_tx_add_out(&p, COIN, bg_p2wsh_true, sizeof(bg_p2wsh_true));
	CHECK_EQ_INT(submit(&c, &p, &R), ACCEPT_OK);
	CHECK_EQ_INT(R.vsize, 139);
	txid_of(&p, ptxid);
	spend(&t1, ptxid, 0, COIN - 1000);
	CHECK_EQ_INT(submit(&c, &t1, &R), ACCEPT_OK);
	txid_of(&t1, t1txid);
	/* 139 + 96 + 96 > 300; two ancestors: no carve-out. */
	spend(&t2, t1txid, 0, COIN - 2000);
	CHECK_EQ_INT(submit(&c, &t2, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "too-long-mempool-chain");
	hash_to_hex(ptxid, hex);
	snprintf(want, sizeof(want),
	    "exceeds descendant size limit for tx %s "
	    "[limit: 300]",
	    hex);
	CHECK_EQ_STR(R.debug, want);
	/* A direct child of the parent gets the carve-out. */
	bg_tx_free(&t2);
	spend(&t2, ptxid, 1, COIN - 1000);
	CHECK_EQ_INT(submit(&c, &t2, &R), ACCEPT_OK);
	bg_tx_free(&p);
	bg_tx_free(&t1);
	bg_tx_free(&t2);
	ctx_close(&c);
}

static void
test_scripts(void)
{
	struct ctx c;
	struct bg_tx t, p;
	static const uint8_t nop_true[2] = { 0xb0, 0x51 };
	uint8_t wsh[34], ptxid[32];

	CHECK(ctx_open(&c, 105) == 0);
	/* Wrong witness script: consensus. */
	spend(&t, next_coinbase(&c), 0, 50 * COIN - 1000);
	t.in[0].wit[0][0] = 0x52;
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_CONSENSUS);
	CHECK(strncmp(R.reason, "mandatory-script-verify-flag-failed (", 37) ==
	    0);
	/* No witness at all: stripped. */
	t.in[0].nwit = 0;
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_WITNESS_STRIPPED);
	bg_tx_free(&t);
	/* OP_NOP1 is valid by consensus, refused by policy. */
	wsh[0] = 0x00;
	wsh[1] = 0x20;
	sha256(nop_true, 2, wsh + 2);
	spend(&p, next_coinbase(&c), 0, -1);
	bg_tx_add_out(&p, 50 * COIN - 1000, wsh, 34);
	CHECK_EQ_INT(submit(&c, &p, &R), ACCEPT_OK);
	txid_of(&p, ptxid);
	bg_tx_init(&t);
	t.version = 2;
	bg_in_add_wit(bg_tx_add_in(&t, ptxid, 0), nop_true, 2);
	bg_tx_add_out(&t, 50 * COIN - 2000, bg_p2wsh_true, 34);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK(
	    strncmp(R.reason, "mempool-script-verify-flag-failed (", 35) == 0);
	bg_tx_free(&p);
	bg_tx_free(&t);
	ctx_close(&c);
}

static void
test_truc(void)
{
	struct ctx c;
	struct bg_tx p, k1, k2, nv3, big;
	uint8_t ptxid[32];
	int i;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&p, next_coinbase(&c), 0, COIN);
	bg_tx_add_out(&p, COIN, bg_p2wsh_true, 34);
	bg_tx_add_out(&p, COIN, bg_p2wsh_true, 34);
	p.out[0].value = 47 * COIN;
	p.version = 3;
	CHECK_EQ_INT(submit(&c, &p, &R), ACCEPT_OK);
	txid_of(&p, ptxid);
	/* Non-TRUC child of a TRUC parent. */
	spend(&nv3, ptxid, 1, COIN - 1000);
	CHECK_EQ_INT(submit(&c, &nv3, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "TRUC-violation");
	CHECK(strncmp(R.debug, "non-version=3 tx ", 17) == 0);
	/* Too big a child. */
	spend(&big, ptxid, 1, -1);
	big.version = 3;
	for (i = 0; i < 30; i++)
		bg_tx_add_out(&big, COIN / 100, bg_p2wsh_true, 34);
	CHECK_EQ_INT(submit(&c, &big, &R), ACCEPT_POLICY);
	CHECK(strstr(R.debug, "child tx") != NULL);
	CHECK(strstr(R.debug, "is too big") != NULL);
	/* One child, then no second one. */
	spend(&k1, ptxid, 0, 47 * COIN - 1000);
	k1.version = 3;
	CHECK_EQ_INT(submit(&c, &k1, &R), ACCEPT_OK);
	spend(&k2, ptxid, 1, COIN - 1000);
	k2.version = 3;
	CHECK_EQ_INT(submit(&c, &k2, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "TRUC-violation");
	CHECK(strstr(R.debug, "would exceed descendant count limit") != NULL);
	/* Replacing the first child is allowed. */
	bg_tx_free(&k2);
	spend(&k2, ptxid, 0, 47 * COIN - 5000);
	k2.version = 3;
	CHECK_EQ_INT(submit(&c, &k2, &R), ACCEPT_OK);
	CHECK_EQ_INT(R.nreplaced, 1);
	/* A TRUC tx may not spend an unconfirmed non-TRUC one. */
	bg_tx_free(&nv3);
	{
		struct bg_tx q, qc;
		uint8_t qtxid[32];

		spend(&q, next_coinbase(&c), 0, 50 * COIN - 1000);
		CHECK_EQ_INT(submit(&c, &q, &R), ACCEPT_OK);
		txid_of(&q, qtxid);
		spend(&qc, qtxid, 0, 50 * COIN - 2000);
		qc.version = 3;
		CHECK_EQ_INT(submit(&c, &qc, &R), ACCEPT_POLICY);
		CHECK(strncmp(R.debug, "version=3 tx ", 13) == 0);
		CHECK(strstr(R.debug, "cannot spend from non-version=3") !=
		    NULL);
		bg_tx_free(&q);
		bg_tx_free(&qc);
	}
	bg_tx_free(&p);
	bg_tx_free(&k1);
	bg_tx_free(&k2);
	bg_tx_free(&big);
	ctx_close(&c);
}

static void
test_block_and_reorg(void)
{
	struct ctx c;
	struct bg_tx a, b, b2, ch;
	struct wbuf raw;
	struct block blk;
	struct block_index_entry tip;
	uint8_t atxid[32], btxid[32], b2txid[32], chtxid[32];
	const uint8_t *cbb;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&a, next_coinbase(&c), 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &a, &R), ACCEPT_OK);
	txid_of(&a, atxid);
	spend(&ch, atxid, 0, 50 * COIN - 2000);
	CHECK_EQ_INT(submit(&c, &ch, &R), ACCEPT_OK);
	txid_of(&ch, chtxid);
	cbb = next_coinbase(&c);
	spend(&b, cbb, 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &b, &R), ACCEPT_OK);
	txid_of(&b, btxid);
	/* The block confirms a and double-spends b. */
	spend(&b2, cbb, 0, 50 * COIN - 3000);
	txid_of(&b2, b2txid);
	{
		struct bg_tx two[2];

		two[0] = a;
		two[1] = b2;
		c.nremoved = 0;
		CHECK(mine_txs(&c, two, 2, &raw) == 0);
	}
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_BLOCK], 1);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_CONFLICT], 1);
	CHECK_EQ_INT(pool_count(c.pool), 1);
	{
		struct pool_entry_info e;

		CHECK(pool_get(c.pool, chtxid, &e) == 0);
		CHECK_EQ_INT(e.anc_count, 1);
		CHECK_EQ_INT(e.nparents, 0);
	}
	/* Disconnect it: a and b2 come back, a under its child. */
	tip = testenv_tip(&c.t);
	CHECK(chainstate_invalidate(c.t.cs, tip.hash) == 0);
	CHECK(block_parse(raw.p, raw.len, &blk) == 0);
	pool_block_disconnected(c.pool, &blk, tip.height);
	block_free(&blk);
	pool_reorg_done(c.pool);
	CHECK_EQ_INT(pool_count(c.pool), 3);
	CHECK(pool_get(c.pool, atxid, NULL) == 0);
	CHECK(pool_get(c.pool, b2txid, NULL) == 0);
	{
		struct pool_entry_info e;

		CHECK(pool_get(c.pool, atxid, &e) == 0);
		CHECK_EQ_INT(e.desc_count, 2);
		CHECK_EQ_INT(e.nchildren, 1);
		CHECK(pool_get(c.pool, chtxid, &e) == 0);
		CHECK_EQ_INT(e.anc_count, 2);
		CHECK_EQ_INT(e.anc_fees, 2000);
	}
	wbuf_free(&raw);
	/* Expiry takes everything older than the cut-off, children too. */
	CHECK_EQ_INT(pool_expire(c.pool,
			 node_time() + c.pol.expiry_seconds + 1),
	    3);
	CHECK_EQ_INT(pool_count(c.pool), 0);
	CHECK_EQ_INT(pool_usage(c.pool), 0);
	CHECK_EQ_INT(pool_total_fee(c.pool), 0);
	bg_tx_free(&a);
	bg_tx_free(&b);
	bg_tx_free(&b2);
	bg_tx_free(&ch);
	ctx_close(&c);
}

/*
 * A reorg onto a branch that confirms c again and double-spends d: c is not
 * offered back, so its child in the pool stays; d cannot come back, so its
 * child in the pool goes (Core's removeRecursive), rather than wait on a
 * parent that is nowhere.
 */
static void
test_reorg_drops_spenders_of_lost(void)
{
	struct ctx c;
	struct bg_tx tc, td, td2, cc, dc, two[2];
	struct wbuf raw;
	struct block blk;
	struct block_index_entry tip;
	uint8_t ctxid[32], dtxid[32], cctxid[32], dctxid[32];
	const uint8_t *cbd;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&tc, next_coinbase(&c), 0, 50 * COIN - 1000);
	txid_of(&tc, ctxid);
	cbd = next_coinbase(&c);
	spend(&td, cbd, 0, 50 * COIN - 1000);
	txid_of(&td, dtxid);
	spend(&td2, cbd, 0, 50 * COIN - 3000);
	two[0] = tc;
	two[1] = td;
	CHECK(mine_txs(&c, two, 2, &raw) == 0);
	spend(&cc, ctxid, 0, 50 * COIN - 2000);
	txid_of(&cc, cctxid);
	CHECK_EQ_INT(submit(&c, &cc, &R), ACCEPT_OK);
	spend(&dc, dtxid, 0, 50 * COIN - 2000);
	txid_of(&dc, dctxid);
	CHECK_EQ_INT(submit(&c, &dc, &R), ACCEPT_OK);

	tip = testenv_tip(&c.t);
	CHECK(chainstate_invalidate(c.t.cs, tip.hash) == 0);
	CHECK(block_parse(raw.p, raw.len, &blk) == 0);
	pool_block_disconnected(c.pool, &blk, tip.height);
	block_free(&blk);
	two[1] = td2;
	CHECK(mine_txs(&c, two, 2, NULL) == 0);
	memset(c.why_count, 0, sizeof(c.why_count));
	pool_reorg_done(c.pool);
	CHECK(pool_get(c.pool, cctxid, NULL) == 0);
	CHECK(pool_get(c.pool, ctxid, NULL) != 0);
	CHECK(pool_get(c.pool, dtxid, NULL) != 0);
	CHECK(pool_get(c.pool, dctxid, NULL) != 0);
	CHECK_EQ_INT(pool_count(c.pool), 1);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_REORG], 1);
	wbuf_free(&raw);
	bg_tx_free(&tc);
	bg_tx_free(&td);
	bg_tx_free(&td2);
	bg_tx_free(&cc);
	bg_tx_free(&dc);
	ctx_close(&c);
}

static void
test_reorg_drops_immature(void)
{
	struct ctx c;
	struct bg_tx t;
	struct block_index_entry tip;

	CHECK(ctx_open(&c, 100) == 0);
	/* cb[1] is just mature at spend height 101, not at 100. */
	spend(&t, c.t.cb[1], 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_OK);
	tip = testenv_tip(&c.t);
	CHECK(chainstate_invalidate(c.t.cs, tip.hash) == 0);
	pool_reorg_done(c.pool);
	CHECK_EQ_INT(pool_count(c.pool), 0);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_REORG], 1);
	bg_tx_free(&t);
	ctx_close(&c);
}

/*
 * A deep reorg holds at most Core's 20 MB of disconnected transactions:
 * past it the old tip's go first, and the pool's spenders of them with
 * them (here a child that would otherwise wait on a parent that never
 * comes back).
 */
#define BIG_BLOCKS 24
#define BIG_PER_BLOCK 10
#define BIG_OUTS 170

static void
test_reorg_holding_bound(void)
{
	static const uint8_t junk[540];
	struct ctx c;
	struct bg_tx s, k, big[BIG_PER_BLOCK];
	struct wbuf raw[BIG_BLOCKS + 1];
	struct block blk;
	struct block_index_entry first;
	uint8_t prev[32], stxid[32], ktxid[32];
	int i, j, o;

	CHECK(ctx_open(&c, 110) == 0);
	memcpy(prev, next_coinbase(&c), 32);
	for (i = 0; i < BIG_BLOCKS; i++) {
		for (j = 0; j < BIG_PER_BLOCK; j++) {
			spend(&big[j], prev, 0, 50 * COIN);
			for (o = 0; o < BIG_OUTS; o++)
				bg_tx_add_out(&big[j], 0, junk, sizeof(junk));
			txid_of(&big[j], prev);
		}
		CHECK(mine_txs(&c, big, BIG_PER_BLOCK, &raw[i]) == 0);
		for (j = 0; j < BIG_PER_BLOCK; j++)
			bg_tx_free(&big[j]);
		if (i == 0)
			first = testenv_tip(&c.t);
	}
	spend(&s, next_coinbase(&c), 0, 50 * COIN - 1000);
	txid_of(&s, stxid);
	CHECK(mine_txs(&c, &s, 1, &raw[BIG_BLOCKS]) == 0);
	spend(&k, stxid, 0, 50 * COIN - 2000);
	txid_of(&k, ktxid);
	CHECK_EQ_INT(submit(&c, &k, &R), ACCEPT_OK);

	CHECK(chainstate_invalidate(c.t.cs, first.hash) == 0);
	for (i = BIG_BLOCKS; i >= 0; i--) {
		CHECK(block_parse(raw[i].p, raw[i].len, &blk) == 0);
		pool_block_disconnected(c.pool, &blk, first.height + i);
		block_free(&blk);
		wbuf_free(&raw[i]);
	}
	pool_reorg_done(c.pool);
	CHECK(pool_get(c.pool, stxid, NULL) != 0);
	CHECK(pool_get(c.pool, ktxid, NULL) != 0);
	CHECK_EQ_INT(pool_count(c.pool), 0);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_REORG], 1);
	bg_tx_free(&s);
	bg_tx_free(&k);
	ctx_close(&c);
}

static void
test_trim(void)
{
	struct ctx c;
	struct bg_tx t;
	size_t use;
	int i;

	CHECK(ctx_open(&c, 110) == 0);
	for (i = 0; i < 5; i++) {
		spend(&t, next_coinbase(&c), 0, 50 * COIN - 1000 * (i + 1));
		CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_OK);
		bg_tx_free(&t);
	}
	CHECK_EQ_INT(pool_min_fee(c.pool, c.pol.max_mempool_bytes), 0);
	use = pool_usage(c.pool);
	pool_trim(c.pool, use - 1);
	CHECK_EQ_INT(pool_count(c.pool), 4);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_SIZELIMIT], 1);
	/* The lowest (1000 sat / 96 vB = 10416 sat/kvB) went; + 100. */
	CHECK_EQ_INT(pool_min_fee(c.pool, use), 10416 + 100);
	spend(&t, next_coinbase(&c), 0, 50 * COIN - 1000);
	c.pol.max_mempool_bytes = use * 10;
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "mempool min fee not met");
	CHECK_EQ_STR(R.debug, "1000 < 1010");
	bg_tx_free(&t);
	/* A full pool refuses what would be evicted at once. */
	c.pol.max_mempool_bytes = pool_usage(c.pool);
	spend(&t, next_coinbase(&c), 0, 50 * COIN - 1100);
	CHECK_EQ_INT(submit(&c, &t, &R), ACCEPT_POLICY);
	CHECK_EQ_STR(R.reason, "mempool full");
	bg_tx_free(&t);
	ctx_close(&c);
}

/*
 * Trimming goes by Core's descendant score, the higher of an entry's own
 * fee rate and its package's: a low-fee parent whose child pays for both
 * outlasts a lone transaction paying more than the parent alone.
 */
static void
test_trim_cpfp(void)
{
	struct ctx c;
	struct bg_tx x, par, kid;
	uint8_t xtxid[32], ptxid[32], ktxid[32];

	CHECK(ctx_open(&c, 110) == 0);
	spend(&x, next_coinbase(&c), 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &x, &R), ACCEPT_OK);
	txid_of(&x, xtxid);
	spend(&par, next_coinbase(&c), 0, 50 * COIN - 100);
	CHECK_EQ_INT(submit(&c, &par, &R), ACCEPT_OK);
	txid_of(&par, ptxid);
	spend(&kid, ptxid, 0, 50 * COIN - 100 - 20000);
	CHECK_EQ_INT(submit(&c, &kid, &R), ACCEPT_OK);
	txid_of(&kid, ktxid);
	pool_trim(c.pool, pool_usage(c.pool) - 1);
	CHECK_EQ_INT(c.why_count[POOL_REMOVED_SIZELIMIT], 1);
	CHECK(pool_get(c.pool, xtxid, NULL) != 0);
	CHECK(pool_get(c.pool, ptxid, NULL) == 0);
	CHECK(pool_get(c.pool, ktxid, NULL) == 0);
	bg_tx_free(&x);
	bg_tx_free(&par);
	bg_tx_free(&kid);
	ctx_close(&c);
}

struct order {
	uint8_t txid[8][32];
	int n;
};

static void
record(void *arg, const struct pool_entry_info *e)
{
	struct order *o = arg;

	if (o->n < 8)
		memcpy(o->txid[o->n], e->txid, 32);
	o->n++;
}

static void
test_select(void)
{
	struct ctx c;
	struct bg_tx par, kid, other;
	uint8_t ptxid[32], ktxid[32], otxid[32];
	struct order o;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&par, next_coinbase(&c), 0, 50 * COIN - 100);
	CHECK_EQ_INT(submit(&c, &par, &R), ACCEPT_OK);
	txid_of(&par, ptxid);
	spend(&other, next_coinbase(&c), 0, 50 * COIN - 5000);
	CHECK_EQ_INT(submit(&c, &other, &R), ACCEPT_OK);
	txid_of(&other, otxid);
	spend(&kid, ptxid, 0, 50 * COIN - 100 - 20000);
	CHECK_EQ_INT(submit(&c, &kid, &R), ACCEPT_OK);
	txid_of(&kid, ktxid);
	memset(&o, 0, sizeof(o));
	CHECK_EQ_INT(pool_select(c.pool, 4000000, 80000, 1000, record, &o), 3);
	CHECK_EQ_INT(o.n, 3);
	CHECK(memcmp(o.txid[0], ptxid, 32) == 0);
	CHECK(memcmp(o.txid[1], ktxid, 32) == 0);
	CHECK(memcmp(o.txid[2], otxid, 32) == 0);
	/* The parent alone is below a 2000 sat/kvB floor; the package is not. */
	memset(&o, 0, sizeof(o));
	CHECK_EQ_INT(pool_select(c.pool, 4000000, 80000, 60000, record, &o),
	    2);
	CHECK(memcmp(o.txid[0], ptxid, 32) == 0);
	/* Room for one package only. */
	memset(&o, 0, sizeof(o));
	CHECK_EQ_INT(pool_select(c.pool, 4 * 150, 80000, 0, record, &o), 1);
	CHECK(memcmp(o.txid[0], otxid, 32) == 0);
	bg_tx_free(&par);
	bg_tx_free(&kid);
	bg_tx_free(&other);
	ctx_close(&c);
}

static void
test_package(void)
{
	struct ctx c;
	struct bg_tx par, kid, x;
	struct wbuf w[3];
	const uint8_t *raws[3];
	size_t lens[3];
	struct accept_result res[3];
	const char *why;
	uint8_t ptxid[32];
	uint64_t seq;
	int i;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&x, next_coinbase(&c), 0, 50 * COIN - 1000);
	CHECK_EQ_INT(submit(&c, &x, &R), ACCEPT_OK);
	seq = pool_sequence(c.pool);
	spend(&par, next_coinbase(&c), 0, 50 * COIN - 1000);
	txid_of(&par, ptxid);
	spend(&kid, ptxid, 0, 50 * COIN - 3000);
	for (i = 0; i < 3; i++)
		wbuf_init(&w[i]);
	bg_tx_serialize(&par, &w[0], 1);
	bg_tx_serialize(&kid, &w[1], 1);
	raws[0] = w[0].p;
	lens[0] = w[0].len;
	raws[1] = w[1].p;
	lens[1] = w[1].len;
	c.nadded = 0;
	CHECK_EQ_INT(pool_test_package(c.pool, raws, lens, 2, 0, res, &why),
	    0);
	CHECK_EQ_INT(res[0].code, ACCEPT_OK);
	CHECK_EQ_INT(res[1].code, ACCEPT_OK);
	CHECK_EQ_INT(res[1].fee, 2000);
	CHECK_EQ_INT(pool_count(c.pool), 1);
	CHECK_EQ_INT(pool_sequence(c.pool), seq);
	CHECK_EQ_INT(c.nadded, 0);
	CHECK(pool_get(c.pool, ptxid, NULL) != 0);
	/* Out of order. */
	raws[0] = w[1].p;
	lens[0] = w[1].len;
	raws[1] = w[0].p;
	lens[1] = w[0].len;
	CHECK_EQ_INT(pool_test_package(c.pool, raws, lens, 2, 0, res, &why),
	    -1);
	CHECK_EQ_STR(why, "package-not-sorted");
	CHECK_EQ_STR(res[0].reason, "");
	/* Two spends of one output. */
	bg_tx_serialize(&x, &w[2], 1);
	raws[0] = w[0].p;
	lens[0] = w[0].len;
	raws[1] = w[2].p;
	lens[1] = w[2].len;
	{
		struct bg_tx y;

		spend(&y, par.in[0].txid, 0, 50 * COIN - 7000);
		wbuf_reset(&w[2]);
		bg_tx_serialize(&y, &w[2], 1);
		raws[1] = w[2].p;
		lens[1] = w[2].len;
		CHECK_EQ_INT(pool_test_package(c.pool, raws, lens, 2, 0, res,
				 &why),
		    -1);
		CHECK_EQ_STR(why, "conflict-in-package");
		bg_tx_free(&y);
	}
	/* Duplicates. */
	raws[1] = w[0].p;
	lens[1] = w[0].len;
	CHECK_EQ_INT(pool_test_package(c.pool, raws, lens, 2, 0, res, &why),
	    -1);
	CHECK_EQ_STR(why, "package-contains-duplicates");
	/*
	 * A failing child: as Core's AcceptMultipleTransactions, the parent
	 * whose cheap checks passed gets no result (ids only), nothing added.
	 */
	kid.out[0].value = 50 * COIN - 1000;
	wbuf_reset(&w[1]);
	bg_tx_serialize(&kid, &w[1], 1);
	raws[1] = w[1].p;
	lens[1] = w[1].len;
	CHECK_EQ_INT(pool_test_package(c.pool, raws, lens, 2, 0, res, &why),
	    -1);
	CHECK_EQ_STR(why, "transaction failed");
	CHECK_EQ_INT(res[0].code, ACCEPT_POLICY);
	CHECK_EQ_STR(res[0].reason, "");
	CHECK_EQ_STR(res[1].reason, "min relay fee not met");
	CHECK_EQ_INT(pool_count(c.pool), 1);
	CHECK_EQ_INT(pool_sequence(c.pool), seq);
	for (i = 0; i < 3; i++)
		wbuf_free(&w[i]);
	bg_tx_free(&par);
	bg_tx_free(&kid);
	bg_tx_free(&x);
	ctx_close(&c);
}

/* Not a check of speed: acceptance of 1-in-1-out P2WSH spends. */
static void
test_bench(void)
{
	struct ctx c;
	struct bg_tx fan, t;
	uint8_t ftxid[32];
	int64_t t0, t1;
	int i, n = 500, ok = 0;

	CHECK(ctx_open(&c, 105) == 0);
	spend(&fan, next_coinbase(&c), 0, -1);
	for (i = 0; i < n; i++)
		bg_tx_add_out(&fan, COIN / 20, bg_p2wsh_true, 34);
	txid_of(&fan, ftxid);
	CHECK(mine_txs(&c, &fan, 1, NULL) == 0);
	t0 = time_mono_micros();
	for (i = 0; i < n; i++) {
		spend(&t, ftxid, (uint32_t)i, COIN / 20 - 1000);
		if (submit(&c, &t, &R) == ACCEPT_OK)
			ok++;
		bg_tx_free(&t);
	}
	t1 = time_mono_micros();
	CHECK_EQ_INT(ok, n);
	fprintf(stderr, "bench: %d acceptances in %.1f ms: %.0f tx/s\n", n,
	    (double)(t1 - t0) / 1000, n * 1e6 / (double)(t1 - t0 + 1));
	bg_tx_free(&fan);
	ctx_close(&c);
}

UNIT_MAIN(UNIT_CASE(test_accept_basic), UNIT_CASE(test_refusals),
    UNIT_CASE(test_min_fee_prioritise), UNIT_CASE(test_rbf),
    UNIT_CASE(test_chain_limits), UNIT_CASE(test_descendant_size),
    UNIT_CASE(test_scripts), UNIT_CASE(test_truc),
    UNIT_CASE(test_block_and_reorg), UNIT_CASE(test_reorg_drops_immature),
    UNIT_CASE(test_reorg_drops_spenders_of_lost),
    UNIT_CASE(test_reorg_holding_bound), UNIT_CASE(test_trim),
    UNIT_CASE(test_trim_cpfp), UNIT_CASE(test_select), UNIT_CASE(test_package),
    UNIT_CASE(test_bench))
