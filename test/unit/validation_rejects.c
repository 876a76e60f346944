/*
 * Validation's block-rejection cases (test_validation runs them): every
 * reject reason of issue 4 provoked on a regtest chainstate and refused
 * with the tip unchanged, as tables of {name, mutation, reason} run by one
 * loop.
 *
 * It lives in libtestenv.a rather than in test_validation's sources
 * because that test's Makefile fragment belongs to src/validation; only
 * test_validation references these functions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "primitives/tx.h"
#include "util/hex.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "blockgen.h"
#include "testenv.h"
#include "unit.h"
#include "validation_rejects.h"

/*
 * Each case builds a block on the tip (the loop in run_rejects starts it
 * with a coinbase), mutates it and finishes it; the loop submits it and
 * checks the refusal with the tip unchanged. A case's `after` checks what
 * follows from the refusal, and leaves the tip where it found it.
 */
struct reject_env {
	struct testenv c;
	uint8_t special[32]; /* tx at height 121: outputs below */
	struct bg_tx special_tx;
	uint32_t tip_time; /* time of the tip the cases build on */
};

enum {
	SP_TRUE = 0,  /* OP_TRUE, 10 BTC */
	SP_FALSE = 1, /* OP_0: always fails */
	SP_WSH = 2,   /* P2WSH(OP_TRUE), 10 BTC */
	SP_TRUE2 = 3, /* OP_TRUE, 10 BTC */
};

static const uint8_t op_false[1] = { 0x00 };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct reject_case {
	const char *name;
	void (*mutate)(struct reject_env *e, struct bg_block *b);
	const char *reason;
	enum val_result want;
	void (*after)(struct reject_env *e, struct bg_block *b);
};

static int
reject_env_open(struct reject_env *e)
{
	struct bg_block b;
	struct bg_tx t;

	if (testenv_open(&e->c, "test_validation", NULL) != 0 ||
	    testenv_mine(&e->c, 120) != 0)
		return -1;
	testenv_block_on_tip(&e->c, &b);
	bg_tx_init(&t);
	bg_tx_add_in(&t, e->c.cb[1], 0);
	bg_tx_add_out(&t, 10 * COIN, bg_op_true, 1);
	bg_tx_add_out(&t, 10 * COIN, op_false, 1);
	bg_tx_add_out(&t, 10 * COIN, bg_p2wsh_true, 34);
	bg_tx_add_out(&t, 10 * COIN, bg_op_true, 1);
	bg_block_add(&b, &t);
	bg_tx_txid(&t, e->special);
	bg_tx_copy(&e->special_tx, &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, &b, 0);
	e->tip_time = b.hdr.time;
	if (testenv_submit(&e->c, &b, NULL) != VAL_OK)
		return -1;
	bg_block_free(&b);
	return 0;
}

/* A spend of special output n paying value to OP_TRUE. */
static void
spend_special(struct reject_env *e, struct bg_tx *t, uint32_t n, int64_t value)
{
	bg_tx_init(t);
	bg_tx_add_in(t, e->special, n);
	bg_tx_add_out(t, value, bg_op_true, 1);
}

/* Adds spend_special(n, value) to b; returns the block's copy to mutate. */
static struct bg_tx *
add_spend(struct reject_env *e, struct bg_block *b, uint32_t n, int64_t value)
{
	struct bg_tx t;

	spend_special(e, &t, n, value);
	bg_block_add(b, &t);
	bg_tx_free(&t);
	return &b->txs[b->ntx - 1];
}

/* Submits b and checks it is refused with reason, the tip unchanged. */
static void
expect_reject(struct reject_env *e, const char *name, struct bg_block *b,
    const char *reason, enum val_result want)
{
	struct block_index_entry before = testenv_tip(&e->c), after;
	struct block_result r;
	enum val_result res;

	res = testenv_submit(&e->c, b, &r);
	after = testenv_tip(&e->c);
	if (res != want || strcmp(r.st.reason, reason) != 0)
		fprintf(stderr, "  %s: want %s (%d), got %s (%d): %s\n", name,
		    reason, want, r.st.reason, res, r.st.debug);
	CHECK_EQ_INT(res, want);
	CHECK_EQ_STR(r.st.reason, reason);
	CHECK(memcmp(before.hash, after.hash, 32) == 0);
	CHECK_EQ_INT(before.height, after.height);
}

/* Submits b, which must connect, then invalidates it to restore the tip. */
static void
connect_and_undo(struct reject_env *e, const struct bg_block *b)
{
	struct block_result r;

	CHECK_EQ_INT(testenv_submit(&e->c, b, &r), VAL_OK);
	CHECK(chainstate_invalidate(e->c.cs, r.hash) == 0);
}

static void
run_rejects(const struct reject_case *cases, size_t n)
{
	struct reject_env e;
	struct bg_block b;
	size_t i;

	if (reject_env_open(&e) != 0) {
		CHECK(!"reject_env_open");
		return;
	}
	for (i = 0; i < n; i++) {
		testenv_block_on_tip(&e.c, &b);
		cases[i].mutate(&e, &b);
		expect_reject(&e, cases[i].name, &b, cases[i].reason,
		    cases[i].want);
		if (cases[i].after != NULL)
			cases[i].after(&e, &b);
		bg_block_free(&b);
	}
	bg_tx_free(&e.special_tx);
	testenv_close(&e.c);
}

/* -- header -- */

static void
m_high_hash(struct reject_env *e, struct bg_block *b)
{
	bg_block_merkle(b);
	bg_block_unsolve(b, e->c.cp);
}

static void
m_diffbits(struct reject_env *e, struct bg_block *b)
{
	b->hdr.bits = 0x1f7fffff;
	testenv_finish(&e->c, b, 0);
}

/* The refusal names the block in debug.log. */
static void
a_diffbits_logged(struct reject_env *e, struct bg_block *b)
{
	uint8_t hash[32];
	char hex[65];

	(void)e;
	bg_block_hash(b, hash);
	hash_to_hex(hash, hex);
	CHECK(testenv_log_has(hex, 0));
}

static void
m_time_too_old(struct reject_env *e, struct bg_block *b)
{
	b->hdr.time = (uint32_t)chainstate_tip_mtp(e->c.cs);
	testenv_finish(&e->c, b, 0);
}

static void
m_time_too_new(struct reject_env *e, struct bg_block *b)
{
	node_set_mocktime(e->tip_time + 1000);
	b->hdr.time = e->tip_time + 1000 + 2 * 60 * 60 + 1;
	testenv_finish(&e->c, b, 0);
}

/* Exactly two hours ahead is still fine. */
static void
a_time_two_hours(struct reject_env *e, struct bg_block *b)
{
	struct bg_block ok;

	(void)b;
	testenv_block_on_tip(&e->c, &ok);
	ok.hdr.time = e->tip_time + 1000 + 2 * 60 * 60;
	testenv_finish(&e->c, &ok, 0);
	connect_and_undo(e, &ok);
	bg_block_free(&ok);
	node_set_mocktime(0);
}

static void
m_version_1(struct reject_env *e, struct bg_block *b)
{
	b->hdr.version = 1;
	testenv_finish(&e->c, b, 0);
}

static void
m_prev_unknown(struct reject_env *e, struct bg_block *b)
{
	b->hdr.prev[0] ^= 0x55;
	testenv_finish(&e->c, b, 0);
}

static const struct reject_case header_cases[] = {
	{ "unsolved header", m_high_hash, "high-hash", VAL_INVALID, NULL },
	{ "wrong nBits", m_diffbits, "bad-diffbits", VAL_INVALID,
	    a_diffbits_logged },
	{ "time at the median time past", m_time_too_old, "time-too-old",
	    VAL_INVALID, NULL },
	{ "time over two hours ahead", m_time_too_new, "time-too-new",
	    VAL_INVALID, a_time_two_hours },
	{ "version 1", m_version_1, "bad-version(0x00000001)", VAL_INVALID,
	    NULL },
	{ "unknown parent", m_prev_unknown, "prev-blk-not-found", VAL_ORPHAN,
	    NULL },
};

void
test_rejects_header(void)
{
	run_rejects(header_cases, NELEM(header_cases));
}

/* -- block structure and context-free transaction checks -- */

/* Merkle root mismatch: mutated, the header stays acceptable. */
static void
m_merkle_mutated(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, COIN);
	bg_block_merkle(b);
	b->txs[1].out[0].value = 2 * COIN;
	bg_block_solve(b, e->c.cp);
}

/* The same header with the transaction it committed to connects. */
static void
a_merkle_restored(struct reject_env *e, struct bg_block *b)
{
	b->txs[1].out[0].value = COIN;
	connect_and_undo(e, b);
}

/* CVE-2012-2459: a duplicated last tx gives the same root. */
static void
m_duplicate_last_tx(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx last;

	add_spend(e, b, SP_TRUE, COIN);
	bg_tx_copy(&last, add_spend(e, b, SP_TRUE2, COIN));
	testenv_finish(&e->c, b, 0);
	bg_block_add(b, &last);
	bg_tx_free(&last);
}

/* First tx not a coinbase. */
static void
m_cb_missing(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx t;

	spend_special(e, &t, SP_TRUE, COIN);
	bg_tx_free(&b->txs[0]);
	bg_tx_copy(&b->txs[0], &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, b, 0);
}

static void
m_cb_multiple(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx t;

	bg_tx_copy(&t, &b->txs[0]);
	t.in[0].script[t.in[0].script_len - 1] ^= 0xff;
	bg_block_add(b, &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, b, 0);
}

/* Adds a spend of SP_TRUE with n outputs of len bytes of op, paying 0. */
static void
add_wide_spend(struct reject_env *e, struct bg_block *b, int n, uint8_t op,
    size_t len)
{
	uint8_t script[BG_MAX_SCRIPT];
	struct bg_tx *t = add_spend(e, b, SP_TRUE, 0);
	int i;

	memset(script, op, len);
	for (i = 0; i < n; i++)
		bg_tx_add_out(t, 0, script, len);
}

/* Base size over 1 MB. */
static void
m_blk_length(struct reject_env *e, struct bg_block *b)
{
	add_wide_spend(e, b, 8000, 0x51, 128);
	testenv_finish(&e->c, b, 0);
}

/* Legacy sigops: 200 outputs of 101 OP_CHECKSIG. */
static void
m_legacy_sigops(struct reject_env *e, struct bg_block *b)
{
	add_wide_spend(e, b, 200, 0xac, 101);
	testenv_finish(&e->c, b, 0);
}

static void
m_vout_empty(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx t;

	bg_tx_init(&t);
	bg_tx_add_in(&t, e->special, SP_TRUE);
	bg_block_add(b, &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, b, 0);
}

static void
m_vout_negative(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, -1);
	testenv_finish(&e->c, b, 0);
}

static void
m_vout_toolarge(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, MAX_MONEY + 1);
	testenv_finish(&e->c, b, 0);
}

static void
m_txouttotal_toolarge(struct reject_env *e, struct bg_block *b)
{
	bg_tx_add_out(add_spend(e, b, SP_TRUE, MAX_MONEY), 1, bg_op_true, 1);
	testenv_finish(&e->c, b, 0);
}

static void
m_inputs_duplicate(struct reject_env *e, struct bg_block *b)
{
	bg_tx_add_in(add_spend(e, b, SP_TRUE, COIN), e->special, SP_TRUE);
	testenv_finish(&e->c, b, 0);
}

static void
m_prevout_null(struct reject_env *e, struct bg_block *b)
{
	static const uint8_t null_hash[32];

	bg_tx_add_in(add_spend(e, b, SP_TRUE, COIN), null_hash, 0xffffffffu);
	testenv_finish(&e->c, b, 0);
}

static void
m_cb_length(struct reject_env *e, struct bg_block *b)
{
	memset(b->txs[0].in[0].script + b->txs[0].in[0].script_len, 0x51,
	    BG_MAX_SCRIPT - b->txs[0].in[0].script_len);
	b->txs[0].in[0].script_len = 101;
	testenv_finish(&e->c, b, 0);
}

/* Contextual: coinbase height, finality. */
static void
m_cb_height(struct reject_env *e, struct bg_block *b)
{
	b->txs[0].in[0].script[0] ^= 0x01;
	testenv_finish(&e->c, b, 0);
}

static void
m_locktime_nonfinal(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx *t = add_spend(e, b, SP_TRUE, COIN);

	t->locktime = 500;
	t->in[0].sequence = 0;
	testenv_finish(&e->c, b, 0);
}

static const struct reject_case structure_cases[] = {
	{ "mutated merkle root", m_merkle_mutated, "bad-txnmrklroot",
	    VAL_INVALID, a_merkle_restored },
	{ "duplicated last transaction", m_duplicate_last_tx,
	    "bad-txns-duplicate", VAL_INVALID, NULL },
	{ "no coinbase", m_cb_missing, "bad-cb-missing", VAL_INVALID, NULL },
	{ "two coinbases", m_cb_multiple, "bad-cb-multiple", VAL_INVALID,
	    NULL },
	{ "base size over 1 MB", m_blk_length, "bad-blk-length", VAL_INVALID,
	    NULL },
	{ "legacy sigops", m_legacy_sigops, "bad-blk-sigops", VAL_INVALID,
	    NULL },
	{ "no outputs", m_vout_empty, "bad-txns-vout-empty", VAL_INVALID,
	    NULL },
	{ "negative output", m_vout_negative, "bad-txns-vout-negative",
	    VAL_INVALID, NULL },
	{ "output over MAX_MONEY", m_vout_toolarge, "bad-txns-vout-toolarge",
	    VAL_INVALID, NULL },
	{ "outputs over MAX_MONEY", m_txouttotal_toolarge,
	    "bad-txns-txouttotal-toolarge", VAL_INVALID, NULL },
	{ "one input twice", m_inputs_duplicate, "bad-txns-inputs-duplicate",
	    VAL_INVALID, NULL },
	{ "null prevout", m_prevout_null, "bad-txns-prevout-null", VAL_INVALID,
	    NULL },
	{ "coinbase script of 101 bytes", m_cb_length, "bad-cb-length",
	    VAL_INVALID, NULL },
	{ "wrong BIP34 height", m_cb_height, "bad-cb-height", VAL_INVALID,
	    NULL },
	{ "locktime not reached", m_locktime_nonfinal, "bad-txns-nonfinal",
	    VAL_INVALID, NULL },
};

void
test_rejects_structure(void)
{
	run_rejects(structure_cases, NELEM(structure_cases));
}

/* -- witness and scripts -- */

/* A witness without a commitment. */
static void
m_unexpected_witness(struct reject_env *e, struct bg_block *b)
{
	bg_in_add_wit(&add_spend(e, b, SP_WSH, COIN)->in[0], bg_op_true, 1);
	testenv_finish(&e->c, b, 0);
}

/* Commitment, then the witness changed: mutated. */
static void
m_witness_mutated(struct reject_env *e, struct bg_block *b)
{
	bg_in_add_wit(&add_spend(e, b, SP_WSH, COIN)->in[0], bg_op_true, 1);
	testenv_finish(&e->c, b, 1);
	bg_in_add_wit(&b->txs[1].in[0], bg_op_true, 1);
}

/* The same header with the right witness is still accepted. */
static void
a_witness_restored(struct reject_env *e, struct bg_block *b)
{
	b->txs[1].in[0].nwit = 1;
	connect_and_undo(e, b);
}

static void
m_witness_nonce_size(struct reject_env *e, struct bg_block *b)
{
	bg_in_add_wit(&add_spend(e, b, SP_WSH, COIN / 2)->in[0], bg_op_true,
	    1);
	testenv_finish(&e->c, b, 1);
	b->txs[0].in[0].wit_len[0] = 31;
}

/* Weight: 500 kB of outputs and 2.6 MB of witness. */
static void
m_weight(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx *t;

	add_wide_spend(e, b, 3700, 0x51, 128);
	t = &b->txs[1];
	t->in[0].big = xcalloc(1, 2600000);
	t->in[0].big_len = 2600000;
	testenv_finish(&e->c, b, 1);
}

/* The block only borrows its big witness item. */
static void
a_weight_free(struct reject_env *e, struct bg_block *b)
{
	(void)e;
	free((void *)(uintptr_t)b->txs[1].in[0].big);
	b->txs[1].in[0].big = NULL;
}

/* Script failure: OP_0 leaves false on the stack. */
static void
m_script_false(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_FALSE, COIN);
	testenv_finish(&e->c, b, 0);
}

/* It was connected and failed: now known invalid, and so its children. */
static void
a_known_invalid(struct reject_env *e, struct bg_block *b)
{
	struct bg_block child;
	struct block_index_entry p;

	expect_reject(e, "known invalid", b, "duplicate-invalid", VAL_INVALID);
	bg_block_hash(b, p.hash);
	p.height = b->height;
	p.hdr = b->hdr;
	testenv_block_on(&e->c, &child, &p);
	testenv_finish(&e->c, &child, 0);
	expect_reject(e, "child of invalid", &child, "bad-prevblk",
	    VAL_INVALID);
	bg_block_free(&child);
}

/* Wrong witness for a P2WSH output. */
static void
m_wrong_witness(struct reject_env *e, struct bg_block *b)
{
	bg_in_add_wit(&add_spend(e, b, SP_WSH, COIN)->in[0], op_false, 1);
	testenv_finish(&e->c, b, 1);
}

static const struct reject_case witness_cases[] = {
	{ "witness without commitment", m_unexpected_witness,
	    "unexpected-witness", VAL_INVALID, NULL },
	{ "witness changed after commitment", m_witness_mutated,
	    "bad-witness-merkle-match", VAL_INVALID, a_witness_restored },
	{ "witness nonce of 31 bytes", m_witness_nonce_size,
	    "bad-witness-nonce-size", VAL_INVALID, NULL },
	{ "weight over 4M", m_weight, "bad-blk-weight", VAL_INVALID,
	    a_weight_free },
	{ "script leaves false", m_script_false,
	    "block-script-verify-flag-failed (Script evaluated without error "
	    "but finished with a false/empty top stack element)",
	    VAL_INVALID, a_known_invalid },
	{ "wrong P2WSH witness", m_wrong_witness,
	    "block-script-verify-flag-failed (Witness program hash mismatch)",
	    VAL_INVALID, NULL },
};

void
test_rejects_witness(void)
{
	run_rejects(witness_cases, NELEM(witness_cases));
}

/* -- inputs -- */

static void
m_input_missing(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx t;
	uint8_t txid[32];

	bg_tx_init(&t);
	memset(txid, 0x42, 32);
	bg_tx_add_in(&t, txid, 0);
	bg_tx_add_out(&t, COIN, bg_op_true, 1);
	bg_block_add(b, &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, b, 0);
}

/* The same coin spent twice in one block. */
static void
m_double_spend(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, COIN);
	add_spend(e, b, SP_TRUE, 2 * COIN);
	testenv_finish(&e->c, b, 0);
}

static void
m_in_belowout(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, 10 * COIN + 1);
	testenv_finish(&e->c, b, 0);
}

/* The coinbase of the tip's parent: one confirmation short of 100. */
static void
m_premature_coinbase(struct reject_env *e, struct bg_block *b)
{
	struct bg_tx t;

	bg_tx_init(&t);
	bg_tx_add_in(&t, e->c.cb[b->height - 2], 0);
	bg_tx_add_out(&t, COIN, bg_op_true, 1);
	bg_block_add(b, &t);
	bg_tx_free(&t);
	testenv_finish(&e->c, b, 0);
}

/* BIP68: 50 blocks of relative lock on a coin one block old. */
static void
m_relative_lock(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, COIN)->in[0].sequence = 50;
	testenv_finish(&e->c, b, 0);
}

/* One block of relative lock is satisfied by the next block. */
static void
a_relative_lock_one(struct reject_env *e, struct bg_block *b)
{
	struct bg_block ok;

	(void)b;
	testenv_block_on_tip(&e->c, &ok);
	add_spend(e, &ok, SP_TRUE, COIN)->in[0].sequence = 1;
	testenv_finish(&e->c, &ok, 0);
	connect_and_undo(e, &ok);
	bg_block_free(&ok);
}

static void
m_cb_amount(struct reject_env *e, struct bg_block *b)
{
	b->txs[0].out[0].value += 1;
	testenv_finish(&e->c, b, 0);
}

/* The fees may be claimed, not one satoshi more. */
static void
m_cb_fees_plus_one(struct reject_env *e, struct bg_block *b)
{
	add_spend(e, b, SP_TRUE, 9 * COIN);
	b->txs[0].out[0].value += COIN + 1;
	testenv_finish(&e->c, b, 0);
}

static void
a_cb_fees_exact(struct reject_env *e, struct bg_block *b)
{
	b->txs[0].out[0].value -= 1;
	bg_block_merkle(b);
	bg_block_solve(b, e->c.cp);
	connect_and_undo(e, b);
}

/*
 * Sigop cost at connection: 45 P2SH inputs of 500 CHECKSIGs each. The
 * outputs are funded by a block connected first (b, then rebuilt on it).
 */
static void
m_p2sh_sigops(struct reject_env *e, struct bg_block *b)
{
	uint8_t redeem[500], p2sh[23], txid[32];
	struct bg_tx fund, spend;
	struct bg_in *in;
	int i;

	memset(redeem, 0xac, sizeof(redeem));
	p2sh[0] = 0xa9;
	p2sh[1] = 0x14;
	hash160(redeem, sizeof(redeem), p2sh + 2);
	p2sh[22] = 0x87;
	bg_tx_init(&fund);
	bg_tx_add_in(&fund, e->special, SP_TRUE2);
	for (i = 0; i < 45; i++)
		bg_tx_add_out(&fund, COIN / 100, p2sh, sizeof(p2sh));
	bg_block_add(b, &fund);
	bg_tx_txid(&fund, txid);
	bg_tx_free(&fund);
	testenv_finish(&e->c, b, 0);
	CHECK_EQ_INT(testenv_submit(&e->c, b, NULL), VAL_OK);
	bg_block_free(b);
	testenv_block_on_tip(&e->c, b);
	bg_tx_init(&spend);
	for (i = 0; i < 45; i++) {
		/* PUSHDATA2 of the redeem script: no legacy sigops. */
		in = bg_tx_add_in(&spend, txid, (uint32_t)i);
		in->script[0] = 0x4d;
		in->script[1] = sizeof(redeem) & 0xff;
		in->script[2] = sizeof(redeem) >> 8;
		memcpy(in->script + 3, redeem, sizeof(redeem));
		in->script_len = 3 + sizeof(redeem);
	}
	bg_tx_add_out(&spend, COIN / 10, bg_op_true, 1);
	bg_block_add(b, &spend);
	bg_tx_free(&spend);
	testenv_finish(&e->c, b, 0);
}

/* Back below the funding block. */
static void
a_unfund(struct reject_env *e, struct bg_block *b)
{
	(void)b;
	CHECK(chainstate_invalidate(e->c.cs, testenv_tip(&e->c).hash) == 0);
}

/* BIP30: the special tx again, its outputs still unspent. */
static void
m_bip30(struct reject_env *e, struct bg_block *b)
{
	bg_block_add(b, &e->special_tx);
	testenv_finish(&e->c, b, 0);
}

static const struct reject_case input_cases[] = {
	{ "unknown input", m_input_missing, "bad-txns-inputs-missingorspent",
	    VAL_INVALID, NULL },
	{ "coin spent twice in the block", m_double_spend,
	    "bad-txns-inputs-missingorspent", VAL_INVALID, NULL },
	{ "outputs over inputs", m_in_belowout, "bad-txns-in-belowout",
	    VAL_INVALID, NULL },
	{ "immature coinbase", m_premature_coinbase,
	    "bad-txns-premature-spend-of-coinbase", VAL_INVALID, NULL },
	{ "relative lock of 50 blocks", m_relative_lock, "bad-txns-nonfinal",
	    VAL_INVALID, a_relative_lock_one },
	{ "coinbase over the subsidy", m_cb_amount, "bad-cb-amount",
	    VAL_INVALID, NULL },
	{ "coinbase over subsidy and fees", m_cb_fees_plus_one,
	    "bad-cb-amount", VAL_INVALID, a_cb_fees_exact },
	{ "P2SH sigops at connection", m_p2sh_sigops, "bad-blk-sigops",
	    VAL_INVALID, a_unfund },
	{ "BIP30 duplicate", m_bip30, "bad-txns-BIP30", VAL_INVALID, NULL },
};

void
test_rejects_inputs(void)
{
	run_rejects(input_cases, NELEM(input_cases));
}

/*
 * Issue 14: connecting a block skipped BIP68 for a transaction whose
 * version is negative as an int32, where Core reads it unsigned (so
 * 0xffffffff and 0x80000000 are >= 2) and refuses the block. A chain
 * split; the relative lock must hold whatever the version's top bit.
 */
void
test_bip68_version_read_unsigned(void)
{
	static const uint32_t versions[] = { 0xffffffffu, 0x80000000u, 2 };
	struct reject_env e;
	struct bg_block b;
	struct bg_tx t;
	size_t i;

	CHECK(reject_env_open(&e) == 0);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		/* 50 blocks of relative lock on a coin one block old. */
		testenv_block_on_tip(&e.c, &b);
		spend_special(&e, &t, SP_TRUE, COIN);
		t.version = (int32_t)versions[i];
		t.in[0].sequence = 50;
		bg_block_add(&b, &t);
		bg_tx_free(&t);
		testenv_finish(&e.c, &b, 0);
		expect_reject(&e, "relative lock, top version bit", &b,
		    "bad-txns-nonfinal", VAL_INVALID);
		bg_block_free(&b);
	}
	/* Version 1 has no relative lock: the same spend connects. */
	testenv_block_on_tip(&e.c, &b);
	spend_special(&e, &t, SP_TRUE, COIN);
	t.version = 1;
	t.in[0].sequence = 50;
	bg_block_add(&b, &t);
	bg_tx_free(&t);
	testenv_finish(&e.c, &b, 0);
	CHECK_EQ_INT(testenv_submit(&e.c, &b, NULL), VAL_OK);
	bg_block_free(&b);

	bg_tx_free(&e.special_tx);
	testenv_close(&e.c);
}
