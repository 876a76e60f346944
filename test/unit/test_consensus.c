/*
 * The consensus module (src/consensus) on its own, at the edges of every
 * rule: lock times at, below and above the height and time thresholds,
 * BIP68 flags, granularity and the unsigned version rule (issue 14), median
 * time past near genesis, subsidy halvings up to and past 64, BIP34
 * encodings, BIP30 exceptions, CheckTxInputs, sigop costs, size and
 * weight, the witness commitment, block script flags and the undo record.
 *
 * Transactions and blocks are built by hand as structs: the module reads
 * fields, never bytes, so no serialization is needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/buf.h"
#include "util/hex.h"
#include "unit.h"

#define MAX_IN 24

/* A transaction of n inputs (prevouts distinct, not null) and one output. */
struct ttx {
	struct tx tx;
	struct txin in[MAX_IN];
	struct txout out[2];
};

static void
ttx_init(struct ttx *t, int32_t version, size_t nin)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->tx.version = version;
	t->tx.vin = t->in;
	t->tx.vin_count = nin;
	t->tx.vout = t->out;
	t->tx.vout_count = 1;
	t->out[0].value = 1000;
	for (i = 0; i < nin; i++) {
		memset(t->in[i].prevout.hash, 0x11, 32);
		t->in[i].prevout.n = (uint32_t)i;
		t->in[i].sequence = SEQUENCE_FINAL;
	}
	t->tx.base_size = t->tx.total_size = 60 + 41 * nin;
}

/* ---- finality ---- */

static void
test_is_final_height(void)
{
	struct ttx t;

	ttx_init(&t, 2, 2);
	t.in[0].sequence = 0;
	/* Lock time 0 is always final, whatever the sequences. */
	CHECK(consensus_tx_is_final(&t.tx, 0, 0));
	t.tx.locktime = 100;
	/* A height lock: final strictly after that height. */
	CHECK(!consensus_tx_is_final(&t.tx, 99, INT64_MAX));
	CHECK(!consensus_tx_is_final(&t.tx, 100, INT64_MAX));
	CHECK(consensus_tx_is_final(&t.tx, 101, 0));
	/* The largest height lock, just under the threshold. */
	t.tx.locktime = LOCKTIME_THRESHOLD - 1;
	CHECK(
	    !consensus_tx_is_final(&t.tx, LOCKTIME_THRESHOLD - 1, INT64_MAX));
	CHECK(consensus_tx_is_final(&t.tx, LOCKTIME_THRESHOLD, 0));
	/* Every input final switches the lock time off. */
	t.in[0].sequence = SEQUENCE_FINAL;
	CHECK(consensus_tx_is_final(&t.tx, 0, 0));
	/* One input one short of final is enough to keep it. */
	t.in[1].sequence = SEQUENCE_FINAL - 1;
	CHECK(!consensus_tx_is_final(&t.tx, 0, 0));
}

static void
test_is_final_time(void)
{
	struct ttx t;

	ttx_init(&t, 1, 1);
	t.in[0].sequence = 0;
	/* At the threshold the lock time is a time, compared with time. */
	t.tx.locktime = LOCKTIME_THRESHOLD;
	CHECK(!consensus_tx_is_final(&t.tx, INT32_MAX, LOCKTIME_THRESHOLD));
	CHECK(consensus_tx_is_final(&t.tx, 0, LOCKTIME_THRESHOLD + 1));
	t.tx.locktime = 1600000000;
	CHECK(!consensus_tx_is_final(&t.tx, INT32_MAX, 1599999999));
	CHECK(!consensus_tx_is_final(&t.tx, INT32_MAX, 1600000000));
	CHECK(consensus_tx_is_final(&t.tx, 0, 1600000001));
	/* The largest lock time. */
	t.tx.locktime = UINT32_MAX;
	CHECK(!consensus_tx_is_final(&t.tx, INT32_MAX, UINT32_MAX));
	CHECK(consensus_tx_is_final(&t.tx, 0, (int64_t)UINT32_MAX + 1));
	t.in[0].sequence = SEQUENCE_FINAL;
	CHECK(consensus_tx_is_final(&t.tx, 0, 0));
}

static void
test_locktime_cutoff(void)
{
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);

	/* BIP113: the parent's MTP from CSV's height on, else block time. */
	r->csv_height = 500;
	CHECK_EQ_INT(consensus_locktime_cutoff(r, 499, 1000, 2000), 2000);
	CHECK_EQ_INT(consensus_locktime_cutoff(r, 500, 1000, 2000), 1000);
	CHECK_EQ_INT(consensus_locktime_cutoff(r, 501, 1000, 2000), 1000);
	r->csv_height = 0;
	CHECK_EQ_INT(consensus_locktime_cutoff(r, 0, 1000, 2000), 1000);
	chainparams_free(r);
}

/* ---- BIP68 ---- */

/* A chain whose block at height h has median time past mtp0 + 600 h. */
struct fake_chain {
	int64_t mtp0;
	int32_t top; /* heights above fail */
	int32_t asked[8];
	int nasked;
};

static int
fake_mtp_at(void *arg, int32_t height, int64_t *mtp)
{
	struct fake_chain *fc = arg;

	if (fc->nasked < 8)
		fc->asked[fc->nasked] = height;
	fc->nasked++;
	if (height < 0 || height > fc->top)
		return -1;
	*mtp = fc->mtp0 + 600 * (int64_t)height;
	return 0;
}

static void
fake_init(struct fake_chain *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->mtp0 = 1000000;
	fc->top = 1000;
}

static void
test_sequence_locks_version(void)
{
	static const int32_t versions[] = { 0, 1, 2, 3, INT32_MAX,
		(int32_t)0x80000000u, (int32_t)0xffffffffu,
		(int32_t)0xfffffffeu };
	static const int locked[] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	struct consensus_coin coins[1];
	struct consensus_seqlock l;
	struct fake_chain fc;
	struct ttx t;
	size_t i;

	memset(coins, 0, sizeof(coins));
	coins[0].height = 100;
	fake_init(&fc);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		ttx_init(&t, versions[i], 1);
		t.in[0].sequence = 10;
		CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins,
				 fake_mtp_at, &fc, &l),
		    0);
		/* Read as unsigned: 0x80000000 and up are large versions. */
		CHECK_EQ_INT(l.min_height, locked[i] ? 109 : -1);
		CHECK_EQ_INT(l.min_time, -1);
		CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins,
				 109, fake_mtp_at, &fc),
		    locked[i] ? 0 : 1);
		CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins,
				 110, fake_mtp_at, &fc),
		    1);
		/* Without enforcement (CSV inactive) nothing is locked. */
		CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 0, coins,
				 109, fake_mtp_at, &fc),
		    1);
	}
}

static void
test_sequence_locks_height(void)
{
	struct consensus_coin coins[3];
	struct consensus_seqlock l;
	struct fake_chain fc;
	struct ttx t;

	memset(coins, 0, sizeof(coins));
	fake_init(&fc);
	ttx_init(&t, 2, 3);
	coins[0].height = 100;
	coins[1].height = 200;
	coins[2].height = 50;
	/* 0: locked 0 blocks: height 99 (met by any later block). */
	t.in[0].sequence = 0;
	/* 1: the disable flag (bit 31) ignores whatever else is set. */
	t.in[1].sequence = SEQUENCE_LOCKTIME_DISABLE_FLAG | 0xffff;
	/* 2: bits outside the mask and the flags do not count. */
	t.in[2].sequence = 0x00010000u | 0x00800000u | 60;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_height, 109); /* max(99, 50 + 60 - 1) */
	CHECK_EQ_INT(l.min_time, -1);
	CHECK_EQ_INT(fc.nasked, 0); /* no time lock: no MTP */
	/* Evaluate: locked while min_height >= height. */
	CHECK(!consensus_sequence_locks_met(&l, 109, INT64_MAX));
	CHECK(consensus_sequence_locks_met(&l, 110, 0));
	/* The largest height lock, 0xffff blocks. */
	t.in[2].sequence = 0xffff;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_height, 50 + 0xffff - 1);
	/* All disabled: no lock at all. */
	t.in[0].sequence = t.in[2].sequence = SEQUENCE_LOCKTIME_DISABLE_FLAG;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_height, -1);
	CHECK(consensus_sequence_locks_met(&l, 0, 0));
	/* SEQUENCE_FINAL has the disable flag too. */
	t.in[0].sequence = SEQUENCE_FINAL;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_height, -1);
}

static void
test_sequence_locks_time(void)
{
	struct consensus_coin coins[2];
	struct consensus_seqlock l;
	struct fake_chain fc;
	struct ttx t;
	int64_t base;

	memset(coins, 0, sizeof(coins));
	fake_init(&fc);
	ttx_init(&t, 2, 2);
	coins[0].height = 100;
	coins[1].height = 0;
	/* Type flag (bit 22), one unit: 1 << 9 = 512 seconds. */
	t.in[0].sequence = SEQUENCE_LOCKTIME_TYPE_FLAG | 1;
	t.in[1].sequence = SEQUENCE_LOCKTIME_DISABLE_FLAG;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	/* Counted from the MTP of the block before the coin's. */
	CHECK_EQ_INT(fc.nasked, 1);
	CHECK_EQ_INT(fc.asked[0], 99);
	base = fc.mtp0 + 600 * 99;
	CHECK_EQ_INT(l.min_time, base + 512 - 1);
	CHECK_EQ_INT(l.min_height, -1);
	/* Evaluate: locked while min_time >= the parent's MTP. */
	CHECK(!consensus_sequence_locks_met(&l, INT32_MAX, base + 511));
	CHECK(consensus_sequence_locks_met(&l, 0, base + 512));
	/* Granularity 9: 0xffff units. */
	t.in[0].sequence = SEQUENCE_LOCKTIME_TYPE_FLAG | 0xffff;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_time, base + ((int64_t)0xffff << 9) - 1);
	/* A coin at height 0 counts from genesis' MTP (max(h - 1, 0)). */
	t.in[0].sequence = SEQUENCE_LOCKTIME_DISABLE_FLAG;
	t.in[1].sequence = SEQUENCE_LOCKTIME_TYPE_FLAG | 2;
	fc.nasked = 0;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(fc.asked[0], 0);
	CHECK_EQ_INT(l.min_time, fc.mtp0 + 1024 - 1);
	/* Both kinds at once: both must be met. */
	t.in[0].sequence = 5;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    0);
	CHECK_EQ_INT(l.min_height, 104);
	CHECK(!consensus_sequence_locks_met(&l, 104, INT64_MAX));
	CHECK(!consensus_sequence_locks_met(&l, 105, fc.mtp0 + 1023));
	CHECK(consensus_sequence_locks_met(&l, 105, fc.mtp0 + 1024));
	/* A failing chain lookup is an error, not a verdict. */
	fc.top = -1;
	CHECK_EQ_INT(consensus_sequence_locks(&t.tx, 1, coins, fake_mtp_at,
			 &fc, &l),
	    -1);
	CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins, 105,
			 fake_mtp_at, &fc),
	    -1);
}

static void
test_check_sequence_locks_parent_mtp(void)
{
	struct consensus_coin coins[1];
	struct fake_chain fc;
	struct ttx t;

	memset(coins, 0, sizeof(coins));
	fake_init(&fc);
	ttx_init(&t, 2, 1);
	coins[0].height = 10;
	t.in[0].sequence = SEQUENCE_LOCKTIME_TYPE_FLAG | 3; /* 1536 s */
	/* Coin MTP (height 9) + 1535; the parent at h - 1 has + 600 each. */
	CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins, 12,
			 fake_mtp_at, &fc),
	    0); /* parent 11: +1200, not > 1535 */
	CHECK_EQ_INT(fc.asked[1], 11);
	CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins, 13,
			 fake_mtp_at, &fc),
	    1); /* parent 12: +1800 */
	/* No lock: the parent's MTP is not needed. */
	t.in[0].sequence = SEQUENCE_LOCKTIME_DISABLE_FLAG;
	fc.nasked = 0;
	fc.top = -1;
	CHECK_EQ_INT(consensus_check_sequence_locks(&t.tx, 1, coins, 12,
			 fake_mtp_at, &fc),
	    1);
	CHECK_EQ_INT(fc.nasked, 0);
}

/* ---- median time past ---- */

struct times {
	const int64_t *t;
	size_t n, pos;
	int fail_at; /* -1: never */
	int calls;
};

static int
times_next(void *cursor, int64_t *time)
{
	struct times *ts = cursor;

	ts->calls++;
	if (ts->fail_at >= 0 && (size_t)ts->fail_at == ts->pos)
		return -1;
	if (ts->pos == ts->n)
		return 1;
	*time = ts->t[ts->pos++];
	return 0;
}

static int64_t
mtp_of(const int64_t *t, size_t n, int *rc, int *calls)
{
	struct times ts = { t, n, 0, -1, 0 };
	int64_t mtp = -12345;

	*rc = consensus_median_time_past(times_next, &ts, &mtp);
	if (calls)
		*calls = ts.calls;
	return mtp;
}

static void
test_median_time_past(void)
{
	/* Newest first; not in order, as timestamps need not be. */
	static const int64_t t[13] = { 5, 1, 9, 3, 7, 11, 2, 10, 4, 8, 6, 100,
		200 };
	int rc, calls;

	CHECK_EQ_INT(mtp_of(t, 11, &rc, &calls), 6);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(calls, 11);
	/* More than 11 ancestors: only the newest 11 are read. */
	CHECK_EQ_INT(mtp_of(t, 13, &rc, &calls), 6);
	CHECK_EQ_INT(calls, 11);
	/* Fewer near genesis: the median of what there is. */
	CHECK_EQ_INT(mtp_of(t, 1, &rc, &calls), 5); /* genesis alone */
	CHECK_EQ_INT(calls, 2);
	CHECK_EQ_INT(mtp_of(t, 2, &rc, NULL), 5);  /* {1,5}: the upper */
	CHECK_EQ_INT(mtp_of(t, 3, &rc, NULL), 5);  /* {1,5,9} */
	CHECK_EQ_INT(mtp_of(t, 4, &rc, NULL), 5);  /* {1,3,5,9}: index 2 */
	CHECK_EQ_INT(mtp_of(t, 10, &rc, NULL), 7); /* {1,..,5,7,..,11}[5] */
	CHECK_EQ_INT(rc, 0);
	/* Nothing at all, or a failed read: no answer. */
	mtp_of(t, 0, &rc, NULL);
	CHECK_EQ_INT(rc, -1);
	{
		struct times ts = { t, 11, 0, 4, 0 };
		int64_t mtp;

		CHECK_EQ_INT(consensus_median_time_past(times_next, &ts, &mtp),
		    -1);
	}
	/* Equal times. */
	{
		static const int64_t same[11] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
			7 };

		CHECK_EQ_INT(mtp_of(same, 11, &rc, NULL), 7);
	}
}

/* ---- subsidy, deployments, maturity ---- */

static void
test_subsidy(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	int64_t sum = 0;
	int32_t h;

	CHECK_EQ_INT(consensus_block_subsidy(m, 0), 50 * COIN);
	CHECK_EQ_INT(consensus_block_subsidy(m, 209999), 50 * COIN);
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000), 25 * COIN);
	CHECK_EQ_INT(consensus_block_subsidy(m, 420000), 1250000000);
	CHECK_EQ_INT(consensus_block_subsidy(m, 630000), 625000000);
	CHECK_EQ_INT(consensus_block_subsidy(m, 840000), 312500000);
	/* 50 BTC >> 32 is 1 satoshi; one more halving and it is gone. */
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 32), 1);
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 33), 0);
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 63), 0);
	/* 64 halvings and beyond: a shift that C leaves undefined. */
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 64 - 1), 0);
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 64), 0);
	CHECK_EQ_INT(consensus_block_subsidy(m, 210000 * 100), 0);
	CHECK_EQ_INT(consensus_block_subsidy(m, INT32_MAX), 0);
	/* Core's subsidy_limit_test: every coin ever, below MAX_MONEY. */
	for (h = 0; h < 14000000; h += 1000)
		sum += consensus_block_subsidy(m, h) * 1000;
	CHECK_EQ_INT(sum, 2099999997690000LL);
	CHECK(consensus_money_range(sum));
	/* Regtest halves every 150 blocks. */
	CHECK_EQ_INT(consensus_block_subsidy(r, 149), 50 * COIN);
	CHECK_EQ_INT(consensus_block_subsidy(r, 150), 25 * COIN);
	CHECK_EQ_INT(consensus_block_subsidy(r, 150 * 64), 0);
	CHECK_EQ_INT(consensus_block_subsidy(r, 150 * 64 - 1), 0);
	chainparams_free(m);
	chainparams_free(r);
}

static void
test_deployments_and_maturity(void)
{
	CHECK(consensus_deployment_active(0, 0));
	CHECK(!consensus_deployment_active(10, 9));
	CHECK(consensus_deployment_active(10, 10));
	CHECK(!consensus_deployment_active(-1, INT32_MAX));
	CHECK_EQ_INT(CONSENSUS_COINBASE_MATURITY, 100);
	CHECK(!consensus_coinbase_mature(1, 100));
	CHECK(consensus_coinbase_mature(1, 101));
	CHECK(consensus_coinbase_mature(0, INT32_MAX));
	CHECK(!consensus_coinbase_mature(INT32_MAX - 99, INT32_MAX));
	CHECK(consensus_money_range(0));
	CHECK(consensus_money_range(MAX_MONEY));
	CHECK(!consensus_money_range(-1));
	CHECK(!consensus_money_range(MAX_MONEY + 1));
}

/* ---- coinbase: BIP34, BIP30 ---- */

struct push_case {
	int32_t height;
	const char *hex;
};

static const struct push_case push_cases[] = {
	{ 0, "00" },
	{ 1, "51" },
	{ 2, "52" },
	{ 3, "53" },
	{ 4, "54" },
	{ 5, "55" },
	{ 6, "56" },
	{ 7, "57" },
	{ 8, "58" },
	{ 9, "59" },
	{ 10, "5a" },
	{ 11, "5b" },
	{ 12, "5c" },
	{ 13, "5d" },
	{ 14, "5e" },
	{ 15, "5f" },
	{ 16, "60" },
	{ 17, "0111" },
	{ 127, "017f" },
	{ 128, "028000" },
	{ 255, "02ff00" },
	{ 256, "020001" },
	{ 32767, "02ff7f" },
	{ 32768, "03008000" },
	{ 65535, "03ffff00" },
	{ 65536, "03000001" },
	{ 227931, "035b7a03" },
	{ 8388607, "03ffff7f" },
	{ 8388608, "0400008000" },
	{ 2147483647, "04ffffff7f" },
};

static void
test_bip34_push(void)
{
	uint8_t out[CONSENSUS_BIP34_PUSH_MAX];
	char hex[2 * CONSENSUS_BIP34_PUSH_MAX + 1];
	size_t i, n;

	for (i = 0; i < sizeof(push_cases) / sizeof(push_cases[0]); i++) {
		n = consensus_bip34_push(push_cases[i].height, out);
		hex_encode(out, n, hex);
		if (strcmp(hex, push_cases[i].hex) != 0)
			fprintf(stderr, "  height %d\n",
			    (int)push_cases[i].height);
		CHECK_EQ_STR(hex, push_cases[i].hex);
	}
}

static void
test_coinbase_height(void)
{
	uint8_t script[8];
	struct ttx t;

	ttx_init(&t, 1, 1);
	t.in[0].script = script;
	/* Height 17: 01 11, with the miner's bytes after it. */
	memcpy(script, "\x01\x11\xab\xcd", 4);
	t.in[0].script_len = 4;
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 17), 0);
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 18), -1);
	/* Exactly the push is enough; one byte short is not. */
	t.in[0].script_len = 2;
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 17), 0);
	t.in[0].script_len = 1;
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 17), -1);
	/* Small heights are opcodes: a push of 5 is not OP_5. */
	memcpy(script, "\x01\x05\x00", 3);
	t.in[0].script_len = 3;
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 5), -1);
	script[0] = OP_1 + 4; /* OP_5 */
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 5), 0);
	/* 128 needs its sign byte. */
	memcpy(script, "\x01\x80\x00", 3);
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 128), -1);
	memcpy(script, "\x02\x80\x00", 3);
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 128), 0);
	t.tx.vin_count = 0;
	CHECK_EQ_INT(consensus_check_coinbase_height(&t.tx, 128), -1);
}

static void
unhex32(const char *hex, uint8_t h[32])
{
	CHECK(hash_from_hex(hex, h) == 0);
}

static void
test_bip30(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct chainparams *t3 = chainparams_new(CHAIN_TESTNET3);
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	uint8_t repeat1[32], repeat2[32], act_main[32], act_t3[32], other[32];

	unhex32(
	    "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec",
	    repeat1);
	unhex32(
	    "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721",
	    repeat2);
	unhex32(
	    "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8",
	    act_main);
	unhex32(
	    "0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8",
	    act_t3);
	memset(other, 0x42, 32);

	/* The two historic repeats, only with their own hash and height. */
	CHECK(!consensus_bip30_enforced(m, 91842, repeat1, NULL));
	CHECK(!consensus_bip30_enforced(m, 91880, repeat2, NULL));
	CHECK(consensus_bip30_enforced(m, 91842, repeat2, NULL));
	CHECK(consensus_bip30_enforced(m, 91843, repeat1, NULL));
	/* Below BIP34 (no ancestor there yet): checked. */
	CHECK(consensus_bip30_enforced(m, 1000, other, NULL));
	/* On the known BIP34 chain: skipped, up to the limit. */
	CHECK(!consensus_bip30_enforced(m, 227932, other, act_main));
	CHECK(!consensus_bip30_enforced(m, 1983701, other, act_main));
	CHECK(consensus_bip30_enforced(m, 1983702, other, act_main));
	/* Another chain at that height: checked. */
	CHECK(consensus_bip30_enforced(m, 227932, other, other));
	CHECK(!consensus_bip30_enforced(t3, 21112, other, act_t3));
	CHECK(consensus_bip30_enforced(t3, 21112, other, act_main));
	/* Chains without a known activation block always check. */
	CHECK(consensus_bip30_enforced(r, 5, other, act_main));
	CHECK(consensus_bip30_enforced(r, 5, other, NULL));
	chainparams_free(m);
	chainparams_free(t3);
	chainparams_free(r);
}

/* ---- CheckTransaction, CheckTxInputs, sigops ---- */

static void
test_check_tx_edges(void)
{
	uint8_t cbs[101];
	const char *reason;
	struct ttx t;

	memset(cbs, 0x51, sizeof(cbs));
	/* Coinbase scriptSig length: 2 to 100 bytes. */
	ttx_init(&t, 1, 1);
	memset(t.in[0].prevout.hash, 0, 32);
	t.in[0].prevout.n = UINT32_MAX;
	t.in[0].script = cbs;
	t.in[0].script_len = 1;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-cb-length");
	t.in[0].script_len = 2;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, NULL), 0);
	t.in[0].script_len = 100;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, NULL), 0);
	t.in[0].script_len = 101;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-cb-length");
	/* A duplicate among more inputs than sorted on the stack. */
	ttx_init(&t, 2, MAX_IN);
	CHECK_EQ_INT(consensus_check_tx(&t.tx, NULL), 0);
	t.in[MAX_IN - 1].prevout = t.in[3].prevout;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-inputs-duplicate");
	/* A null prevout outside a coinbase. */
	ttx_init(&t, 2, 2);
	memset(t.in[1].prevout.hash, 0, 32);
	t.in[1].prevout.n = UINT32_MAX;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-prevout-null");
	/* Output sums: MAX_MONEY is fine, one more is not. */
	ttx_init(&t, 2, 1);
	t.tx.vout_count = 2;
	t.out[0].value = MAX_MONEY - 1;
	t.out[1].value = 1;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, NULL), 0);
	t.out[1].value = 2;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-txouttotal-toolarge");
	/* Stripped size: 1,000,000 bytes fits, one more does not. */
	ttx_init(&t, 2, 1);
	t.tx.base_size = MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, NULL), 0);
	t.tx.base_size++;
	CHECK_EQ_INT(consensus_check_tx(&t.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-oversize");
}

static void
test_check_tx_inputs(void)
{
	struct consensus_coin coins[2];
	struct consensus_inputs res;
	struct ttx t;

	memset(coins, 0, sizeof(coins));
	ttx_init(&t, 2, 2);
	coins[0].out.value = 600;
	coins[0].height = 10;
	coins[0].coinbase = 1;
	coins[1].out.value = 500;
	coins[1].height = 50;
	t.out[0].value = 1000;
	/* Coinbase maturity at depth 99 and 100. */
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 109, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-premature-spend-of-coinbase");
	CHECK_EQ_INT(res.depth, 99);
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), 0);
	CHECK_EQ_INT(res.fee, 100);
	CHECK_EQ_INT(res.value_in, 1100);
	CHECK_EQ_INT(res.value_out, 1000);
	/* A fee of zero; one satoshi more out is too much. */
	t.out[0].value = 1100;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), 0);
	CHECK_EQ_INT(res.fee, 0);
	t.out[0].value = 1101;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-in-belowout");
	/* Input values, each and summed, within MAX_MONEY. */
	coins[0].out.value = MAX_MONEY;
	coins[1].out.value = 0;
	t.out[0].value = 0;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), 0);
	CHECK_EQ_INT(res.fee, MAX_MONEY);
	coins[1].out.value = 1;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-inputvalues-outofrange");
	coins[0].out.value = MAX_MONEY + 1;
	coins[1].out.value = 0;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-inputvalues-outofrange");
	coins[0].out.value = -1;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-inputvalues-outofrange");
	coins[0].out.value = INT64_MAX;
	CHECK_EQ_INT(consensus_check_tx_inputs(&t.tx, coins, 110, &res), -1);
	CHECK_EQ_STR(res.reason, "bad-txns-inputvalues-outofrange");
}

static void
test_sigops(void)
{
	/* OP_CHECKSIG; 2-of-3 CHECKMULTISIG as a redeem script. */
	static const uint8_t checksig[1] = { OP_CHECKSIG };
	uint8_t ms[5] = { OP_1 + 1, OP_1, OP_1, OP_1 + 2, OP_CHECKMULTISIG };
	uint8_t rs_push[6], p2sh[23];
	struct txout spent[2];
	struct ttx t;

	rs_push[0] = sizeof(ms);
	memcpy(rs_push + 1, ms, sizeof(ms));
	p2sh[0] = OP_HASH160;
	p2sh[1] = 20;
	hash160(ms, sizeof(ms), p2sh + 2);
	p2sh[22] = OP_EQUAL;

	ttx_init(&t, 2, 2);
	t.out[0].script = checksig;
	t.out[0].script_len = 1;
	/* The redeem script is pushed: no legacy sigop in the scriptSig. */
	t.in[0].script = rs_push;
	t.in[0].script_len = sizeof(rs_push);
	CHECK_EQ_INT(consensus_legacy_sigops(&t.tx), 1); /* a push */
	memset(spent, 0, sizeof(spent));
	spent[0].script = p2sh;
	spent[0].script_len = sizeof(p2sh);
	spent[1].script = checksig; /* not P2SH: never executed here */
	spent[1].script_len = 1;
	/* Legacy 1 x 4, the redeem script's 3 accurate sigops x 4. */
	CHECK_EQ_INT(consensus_tx_sigop_cost(&t.tx, spent, SCRIPT_VERIFY_P2SH),
	    4 + 12);
	/* Without the P2SH flag the redeem script is not counted. */
	CHECK_EQ_INT(consensus_tx_sigop_cost(&t.tx, spent, 0), 4);
	/* Without spent outputs, or for a coinbase: legacy only. */
	CHECK_EQ_INT(consensus_tx_sigop_cost(&t.tx, NULL, SCRIPT_VERIFY_P2SH),
	    4);
	t.tx.vin_count = 1;
	memset(t.in[0].prevout.hash, 0, 32);
	t.in[0].prevout.n = UINT32_MAX;
	t.in[0].script = ms;
	t.in[0].script_len = sizeof(ms);
	/* Unexecuted CHECKMULTISIG in a coinbase: 20, inaccurately. */
	CHECK_EQ_INT(consensus_tx_sigop_cost(&t.tx, spent, SCRIPT_VERIFY_P2SH),
	    (20 + 1) * 4);
}

/* ---- blocks: size, weight, witness commitment ---- */

static void
test_block_size_weight(void)
{
	struct ttx t[2];
	struct tx txs[2];
	struct block b;

	memset(&b, 0, sizeof(b));
	ttx_init(&t[0], 1, 1);
	ttx_init(&t[1], 2, 1);
	txs[0] = t[0].tx;
	txs[1] = t[1].tx;
	txs[0].base_size = 100;
	txs[0].total_size = 140;
	txs[1].base_size = 200;
	txs[1].total_size = 200;
	b.txs = txs;
	b.tx_count = 2;
	/* Header 80 + count 1 + transactions. */
	CHECK_EQ_INT(consensus_block_stripped_size(&b), 381);
	CHECK_EQ_INT(consensus_block_weight(&b), 381 * 3 + 421);
	CHECK_EQ_INT(consensus_check_block_size(&b), 0);
	/* Stripped size exactly 1,000,000 passes; 1,000,001 does not. */
	txs[1].base_size = 1000000 - 181;
	CHECK_EQ_INT(consensus_block_stripped_size(&b), 1000000);
	CHECK_EQ_INT(consensus_check_block_size(&b), 0);
	txs[1].base_size++;
	CHECK_EQ_INT(consensus_check_block_size(&b), -1);
	b.tx_count = 0;
	CHECK_EQ_INT(consensus_check_block_size(&b), -1);
}

/* A block of a coinbase and one spend, enough for the witness rules. */
struct wblock {
	struct ttx cb, spend;
	struct tx txs[2];
	struct block b;
	uint8_t cbs[4];
	uint8_t commit[CONSENSUS_COMMITMENT_SIZE + 2];
	uint8_t reserved[33];
	struct witem cbwit[2], spwit[1];
};

static void
wblock_init(struct wblock *w, int spend_witness)
{
	uint8_t root[32];

	memset(w, 0, sizeof(*w));
	ttx_init(&w->cb, 1, 1);
	memset(w->cb.in[0].prevout.hash, 0, 32);
	w->cb.in[0].prevout.n = UINT32_MAX;
	memcpy(w->cbs, "\x01\x11\x00\x00", 4);
	w->cb.in[0].script = w->cbs;
	w->cb.in[0].script_len = 4;
	w->cb.tx.vout_count = 2;
	w->cbwit[0].p = w->reserved;
	w->cbwit[0].len = 32;
	w->cb.in[0].wit = w->cbwit;
	w->cb.in[0].wit_count = 1;
	ttx_init(&w->spend, 2, 1);
	memset(w->spend.tx.txid, 0x33, 32);
	memset(w->spend.tx.wtxid, 0x44, 32);
	if (spend_witness) {
		w->spwit[0].p = w->reserved;
		w->spwit[0].len = 1;
		w->spend.in[0].wit = w->spwit;
		w->spend.in[0].wit_count = 1;
	}
	w->txs[0] = w->cb.tx;
	w->txs[1] = w->spend.tx;
	w->b.txs = w->txs;
	w->b.tx_count = 2;
	block_witness_merkle_root(&w->b, root);
	consensus_witness_commitment(root, w->reserved, w->commit);
	w->cb.out[1].script = w->commit;
	w->cb.out[1].script_len = CONSENSUS_COMMITMENT_SIZE;
	w->txs[0] = w->cb.tx;
}

static void
test_witness_commitment(void)
{
	static const uint8_t other[38] = { 0x6a, 0x24, 0xaa, 0x21, 0xa9,
		0xed };
	uint8_t root[32], buf[64], h[32];
	struct wblock w;
	const char *reason;

	wblock_init(&w, 1);
	/* The script: 6a24aa21a9ed || hash256(witness root || reserved). */
	block_witness_merkle_root(&w.b, root);
	memcpy(buf, root, 32);
	memcpy(buf + 32, w.reserved, 32);
	hash256(buf, 64, h);
	CHECK(memcmp(w.commit, "\x6a\x24\xaa\x21\xa9\xed", 6) == 0);
	CHECK(memcmp(w.commit + 6, h, 32) == 0);
	CHECK_EQ_INT(consensus_witness_commitment_index(&w.b), 1);
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), 0);
	/* Before segwit the commitment means nothing: witness refused. */
	CHECK_EQ_INT(consensus_check_witness(&w.b, 0, &reason), -1);
	CHECK_EQ_STR(reason, "unexpected-witness");
	/* The reserved value must be one item of exactly 32 bytes. */
	w.cbwit[0].len = 31;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "bad-witness-nonce-size");
	w.cbwit[0].len = 32;
	w.cbwit[1] = w.cbwit[0];
	w.cb.in[0].wit_count = 2;
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "bad-witness-nonce-size");
	w.cb.in[0].wit_count = 1;
	w.txs[0] = w.cb.tx;
	/* A commitment to other wtxids, or another reserved value. */
	w.reserved[0] ^= 1;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "bad-witness-merkle-match");
	w.reserved[0] ^= 1;
	w.txs[1].wtxid[0] ^= 1;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "bad-witness-merkle-match");
	w.txs[1].wtxid[0] ^= 1;
	/* A longer script still counts; 37 bytes does not. */
	w.commit[38] = 0x99;
	w.cb.out[1].script_len = 39;
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_witness_commitment_index(&w.b), 1);
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), 0);
	w.cb.out[1].script_len = 37;
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_witness_commitment_index(&w.b), -1);
	/* No commitment: witness data anywhere is refused. */
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "unexpected-witness");
	/* The last matching output is the commitment. */
	w.cb.out[1].script_len = CONSENSUS_COMMITMENT_SIZE;
	w.cb.out[0].script = other;
	w.cb.out[0].script_len = sizeof(other);
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_witness_commitment_index(&w.b), 1);
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), 0);
	w.cb.out[0].script = w.commit;
	w.cb.out[1].script = other;
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), -1);
	CHECK_EQ_STR(reason, "bad-witness-merkle-match");

	/* No witness anywhere and no commitment: fine either way. */
	wblock_init(&w, 0);
	w.cb.in[0].wit_count = 0;
	w.cb.tx.vout_count = 1;
	w.txs[0] = w.cb.tx;
	CHECK_EQ_INT(consensus_check_witness(&w.b, 1, &reason), 0);
	CHECK_EQ_INT(consensus_check_witness(&w.b, 0, &reason), 0);
	w.b.tx_count = 0;
	CHECK_EQ_INT(consensus_witness_commitment_index(&w.b), -1);
}

/* ---- script flags ---- */

static void
test_block_script_flags(void)
{
	struct chainparams cp;
	uint8_t h[32];

	memset(&cp, 0, sizeof(cp));
	cp.id = CHAIN_MAIN;
	cp.bip66_height = 363725;
	cp.bip65_height = 388381;
	cp.csv_height = 419328;
	cp.segwit_height = 481824;
	memset(h, 0, 32);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 1, h),
	    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS |
		SCRIPT_VERIFY_TAPROOT);
	/* Each buried deployment from its own height on. */
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 363724, h) &
		SCRIPT_VERIFY_DERSIG,
	    0);
	CHECK(consensus_block_script_flags(&cp, 363725, h) &
	    SCRIPT_VERIFY_DERSIG);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 419327, h) &
		SCRIPT_VERIFY_CHECKSEQUENCEVERIFY,
	    0);
	CHECK(consensus_block_script_flags(&cp, 419328, h) &
	    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 450000, h),
	    SCRIPT_MANDATORY_VERIFY_FLAGS & ~SCRIPT_VERIFY_NULLDUMMY);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 700000, NULL),
	    SCRIPT_MANDATORY_VERIFY_FLAGS);
	/* The historic exceptions, on their own chain only. */
	hash_from_hex("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba"
		      "88ac4f9c22",
	    h);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 170060, h), 0);
	hash_from_hex("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe5"
		      "5ea1e395ad",
	    h);
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 692261, h),
	    SCRIPT_MANDATORY_VERIFY_FLAGS & ~SCRIPT_VERIFY_TAPROOT);
	cp.id = CHAIN_REGTEST;
	CHECK_EQ_INT(consensus_block_script_flags(&cp, 692261, h),
	    SCRIPT_MANDATORY_VERIFY_FLAGS);
}

/* ---- undo record ---- */

static void
test_undo_record(void)
{
	static const uint8_t s1[3] = { 0x51, 0x52, 0x53 };
	struct consensus_coin in[3], *out = NULL;
	struct ttx t[3];
	struct tx txs[3];
	struct block b;
	struct wbuf w;
	size_t n, i;

	memset(in, 0, sizeof(in));
	in[0].out.value = MAX_MONEY;
	in[0].out.script = s1;
	in[0].out.script_len = 3;
	in[0].height = INT32_MAX;
	in[0].coinbase = 1;
	in[1].out.value = 0;
	in[1].height = 0;
	in[2].out.value = 12345;
	in[2].out.script = s1;
	in[2].out.script_len = 1;
	in[2].height = 700000;
	wbuf_init(&w);
	for (i = 0; i < 3; i++)
		consensus_undo_put(&w, &in[i]);

	/* A coinbase, a 1-input and a 2-input transaction. */
	memset(&b, 0, sizeof(b));
	ttx_init(&t[0], 1, 1);
	ttx_init(&t[1], 2, 1);
	ttx_init(&t[2], 2, 2);
	for (i = 0; i < 3; i++)
		txs[i] = t[i].tx;
	b.txs = txs;
	b.tx_count = 3;
	CHECK_EQ_INT(consensus_undo_read(w.p, w.len, &b, &out, &n), 0);
	CHECK_EQ_INT(n, 3);
	for (i = 0; out && i < 3; i++) {
		CHECK_EQ_INT(out[i].out.value, in[i].out.value);
		CHECK_EQ_INT(out[i].out.script_len, in[i].out.script_len);
		CHECK(in[i].out.script_len == 0 ||
		    memcmp(out[i].out.script, in[i].out.script,
			in[i].out.script_len) == 0);
		CHECK_EQ_INT(out[i].height, in[i].height);
		CHECK_EQ_INT(out[i].coinbase, in[i].coinbase);
	}
	free(out);
	/* A record for another block: too few coins, or bytes left over. */
	b.tx_count = 2;
	CHECK_EQ_INT(consensus_undo_read(w.p, w.len, &b, &out, &n), -1);
	b.tx_count = 3;
	CHECK_EQ_INT(consensus_undo_read(w.p, w.len - 1, &b, &out, &n), -1);
	txs[2].vin_count = 3;
	CHECK_EQ_INT(consensus_undo_read(w.p, w.len, &b, &out, &n), -1);
	/* A coinbase-only block has an empty record. */
	b.tx_count = 1;
	CHECK_EQ_INT(consensus_undo_read(w.p, 0, &b, &out, &n), 0);
	CHECK_EQ_INT(n, 0);
	free(out);
	wbuf_free(&w);

	/* Damaged values: above MAX_MONEY, or a height over INT32_MAX. */
	in[0].out.value = MAX_MONEY + 1;
	wbuf_init(&w);
	consensus_undo_put(&w, &in[0]);
	{
		struct consensus_coin c;
		struct rbuf r;

		rbuf_init(&r, w.p, w.len);
		CHECK_EQ_INT(consensus_undo_get(&r, &c), -1);
		wbuf_reset(&w);
		wbuf_put_compact(&w, ((uint64_t)INT32_MAX + 1) * 2);
		wbuf_put_le64(&w, 1);
		wbuf_put_compact(&w, 0);
		rbuf_init(&r, w.p, w.len);
		CHECK_EQ_INT(consensus_undo_get(&r, &c), -1);
		/* A script longer than the bytes left. */
		wbuf_reset(&w);
		wbuf_put_compact(&w, 2);
		wbuf_put_le64(&w, 1);
		wbuf_put_compact(&w, 5);
		wbuf_put(&w, s1, 3);
		rbuf_init(&r, w.p, w.len);
		CHECK_EQ_INT(consensus_undo_get(&r, &c), -1);
	}
	wbuf_free(&w);
}

UNIT_MAIN(UNIT_CASE(test_is_final_height), UNIT_CASE(test_is_final_time),
    UNIT_CASE(test_locktime_cutoff), UNIT_CASE(test_sequence_locks_version),
    UNIT_CASE(test_sequence_locks_height), UNIT_CASE(test_sequence_locks_time),
    UNIT_CASE(test_check_sequence_locks_parent_mtp),
    UNIT_CASE(test_median_time_past), UNIT_CASE(test_subsidy),
    UNIT_CASE(test_deployments_and_maturity), UNIT_CASE(test_bip34_push),
    UNIT_CASE(test_coinbase_height), UNIT_CASE(test_bip30),
    UNIT_CASE(test_check_tx_edges), UNIT_CASE(test_check_tx_inputs),
    UNIT_CASE(test_sigops), UNIT_CASE(test_block_size_weight),
    UNIT_CASE(test_witness_commitment), UNIT_CASE(test_block_script_flags),
    UNIT_CASE(test_undo_record))
