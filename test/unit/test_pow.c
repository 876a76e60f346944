/*
 * Proof of work: 256-bit arithmetic, compact encoding as Core's tests pin
 * it down, block work and difficulty, the retarget with real mainnet
 * periods, testnet's minimum-difficulty rule and BIP94. (Median time past
 * is a consensus rule: test_consensus.)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/pow.h"
#include "util/hex.h"
#include "unit.h"

static const char *
hex_of(const struct arith256 *a)
{
	static char buf[4][65];
	static int i;
	char *p = buf[i++ & 3];

	arith256_to_hex(a, p);
	return p;
}

static void
from_hex(struct arith256 *a, const char *s)
{
	if (arith256_from_hex(a, s) == -1)
		memset(a, 0xee, sizeof(*a));
}

struct compact_case {
	uint32_t bits;
	const char *value; /* hex, no leading zeros needed */
	uint32_t back;	   /* GetCompact(negative) */
	int negative;
	int overflow;
};

/* The cases of Core's arith_uint256 SetCompact test. */
static const struct compact_case compact_cases[] = {
	{ 0x00000000, "0", 0, 0, 0 },
	{ 0x00123456, "0", 0, 0, 0 },
	{ 0x01003456, "0", 0, 0, 0 },
	{ 0x02000056, "0", 0, 0, 0 },
	{ 0x03000000, "0", 0, 0, 0 },
	{ 0x04000000, "0", 0, 0, 0 },
	{ 0x00923456, "0", 0, 0, 0 },
	{ 0x01803456, "0", 0, 0, 0 },
	{ 0x02800056, "0", 0, 0, 0 },
	{ 0x03800000, "0", 0, 0, 0 },
	{ 0x04800000, "0", 0, 0, 0 },
	{ 0x01123456, "12", 0x01120000, 0, 0 },
	{ 0x01fedcba, "7e", 0x01fe0000, 1, 0 },
	{ 0x02123456, "1234", 0x02123400, 0, 0 },
	{ 0x03123456, "123456", 0x03123456, 0, 0 },
	{ 0x04123456, "12345600", 0x04123456, 0, 0 },
	{ 0x04923456, "12345600", 0x04923456, 1, 0 },
	{ 0x05009234, "92340000", 0x05009234, 0, 0 },
	{ 0x20123456,
	    "1234560000000000000000000000000000000000000000000000000000000000",
	    0x20123456, 0, 0 },
};

static void
test_compact(void)
{
	struct arith256 a, want;
	int neg, ovf;
	size_t i;

	for (i = 0; i < sizeof(compact_cases) / sizeof(compact_cases[0]);
	     i++) {
		const struct compact_case *c = &compact_cases[i];

		arith256_set_compact(&a, c->bits, &neg, &ovf);
		from_hex(&want, c->value);
		CHECK(arith256_cmp(&a, &want) == 0);
		CHECK_EQ_INT(neg, c->negative);
		CHECK_EQ_INT(ovf, c->overflow);
		CHECK_EQ_INT(arith256_get_compact(&a, neg), c->back);
	}
	/* Too big for 256 bits: Core's overflow cases, and the edges. */
	arith256_set_compact(&a, 0xff123456, &neg, &ovf);
	CHECK(ovf && !neg);
	arith256_set_compact(&a, 0x2100ffff, &neg, &ovf);
	CHECK(!ovf);
	CHECK_EQ_STR(hex_of(&a),
	    "ffff0000000000000000000000000000"
	    "00000000000000000000000000000000");
	arith256_set_compact(&a, 0x21010000, &neg, &ovf);
	CHECK(ovf);
	arith256_set_compact(&a, 0x220000ff, &neg, &ovf);
	CHECK(!ovf);
	arith256_set_compact(&a, 0x22000100, &neg, &ovf);
	CHECK(ovf);
	arith256_set_compact(&a, 0x23000001, &neg, &ovf);
	CHECK(ovf);
	/* Zero mantissa: never negative nor overflowing. */
	arith256_set_compact(&a, 0xff800000, &neg, &ovf);
	CHECK(!neg && !ovf && arith256_is_zero(&a));
	/* A mantissa with its top bit set moves up a byte. */
	arith256_set_u64(&a, 0x80);
	CHECK_EQ_INT(arith256_get_compact(&a, 0), 0x02008000);
	arith256_set_u64(&a, 0x800000);
	CHECK_EQ_INT(arith256_get_compact(&a, 0), 0x04008000);
	arith256_set_compact(&a, 0x1d00ffff, NULL, NULL);
	CHECK_EQ_STR(hex_of(&a),
	    "00000000ffff00000000000000000000"
	    "00000000000000000000000000000000");
	CHECK_EQ_INT(arith256_get_compact(&a, 0), 0x1d00ffff);
	/* A negative zero stays positive. */
	arith256_set_u64(&a, 0);
	CHECK_EQ_INT(arith256_get_compact(&a, 1), 0);
}

static void
test_arith(void)
{
	struct arith256 a, b, c, one, max;
	uint8_t be[32], le[32];
	char s[65];
	int i;

	arith256_set_u64(&one, 1);
	arith256_set_u64(&a, 0);
	arith256_sub(&max, &a, &one);
	CHECK_EQ_STR(hex_of(&max),
	    "ffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffff");
	arith256_add(&a, &max, &one);
	CHECK(arith256_is_zero(&a));
	CHECK_EQ_INT(arith256_bits(&max), 256);
	CHECK_EQ_INT(arith256_bits(&one), 1);
	CHECK_EQ_INT(arith256_bits(&a), 0);

	/* (2^256 - 1) / 3 = 0x5555...; times 3 gives it back. */
	arith256_set_u64(&b, 3);
	CHECK(arith256_div(&c, &max, &b) == 0);
	CHECK_EQ_STR(hex_of(&c),
	    "55555555555555555555555555555555"
	    "55555555555555555555555555555555");
	arith256_mul_u32(&c, &c, 3);
	CHECK(arith256_cmp(&c, &max) == 0);
	CHECK(arith256_div(&c, &max, &a) == -1);

	/* Shifts across limb boundaries, and past the end. */
	arith256_shl(&c, &one, 255);
	CHECK_EQ_STR(hex_of(&c),
	    "80000000000000000000000000000000"
	    "00000000000000000000000000000000");
	arith256_shr(&c, &c, 254);
	CHECK_EQ_INT(arith256_low64(&c), 2);
	arith256_shl(&c, &one, 256);
	CHECK(arith256_is_zero(&c));
	arith256_shl(&c, &one, 1000);
	CHECK(arith256_is_zero(&c));
	arith256_shr(&c, &max, 300);
	CHECK(arith256_is_zero(&c));
	from_hex(&a, "123456789abcdef0fedcba9876543210");
	arith256_shl(&b, &a, 37);
	arith256_shr(&b, &b, 37);
	CHECK(arith256_cmp(&a, &b) == 0);

	/* Full multiply against a known product. */
	from_hex(&a, "ffffffffffffffff");
	from_hex(&b, "ffffffffffffffff");
	arith256_mul(&c, &a, &b);
	CHECK_EQ_STR(hex_of(&c),
	    "00000000000000000000000000000000"
	    "fffffffffffffffe0000000000000001");
	arith256_mul_u64(&c, &a, 0xffffffffffffffffULL);
	CHECK_EQ_STR(hex_of(&c),
	    "00000000000000000000000000000000"
	    "fffffffffffffffe0000000000000001");
	/* Division undoes multiplication; the remainder is dropped. */
	CHECK(arith256_div_u64(&c, &c, 0xffffffffffffffffULL) == 0);
	CHECK(arith256_cmp(&c, &a) == 0);
	CHECK(arith256_div_u64(&c, &one, 2) == 0 && arith256_is_zero(&c));

	/* Byte orders. */
	for (i = 0; i < 32; i++)
		be[i] = (uint8_t)i;
	arith256_from_be(&a, be);
	arith256_to_le(&a, le);
	CHECK(le[0] == 31 && le[31] == 0);
	arith256_from_le(&b, le);
	CHECK(arith256_cmp(&a, &b) == 0);
	arith256_to_be(&b, le);
	CHECK(memcmp(le, be, 32) == 0);
	arith256_to_hex(&a, s);
	CHECK_EQ_STR(s,
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f");
	CHECK(arith256_from_hex(&b, s) == 0 && arith256_cmp(&a, &b) == 0);
	CHECK(arith256_from_hex(&b, "") == -1);
	CHECK(arith256_from_hex(&b, "xyz") == -1);
	CHECK(arith256_from_hex(&b,
		  "10000000000000000000000000000000"
		  "000000000000000000000000000000000") == -1);
	CHECK(arith256_cmp(&one, &max) < 0 && arith256_cmp(&max, &one) > 0);
	CHECK(arith256_to_double(&one) == 1.0);
	arith256_shl(&c, &one, 200);
	CHECK(arith256_to_double(&c) == ldexp(1.0, 200));
}

static void
test_block_proof_and_difficulty(void)
{
	struct arith256 w;
	char buf[32];

	/* Every mainnet block at difficulty 1 adds 0x100010001 of work. */
	arith256_block_proof(&w, 0x1d00ffff);
	CHECK_EQ_STR(hex_of(&w),
	    "00000000000000000000000000000000"
	    "00000000000000000000000100010001");
	/* Regtest's genesis: chainwork 2. */
	arith256_block_proof(&w, 0x207fffff);
	CHECK_EQ_INT(arith256_low64(&w), 2);
	arith256_block_proof(&w, 0x04923456); /* negative */
	CHECK(arith256_is_zero(&w));
	arith256_block_proof(&w, 0xff123456); /* overflow */
	CHECK(arith256_is_zero(&w));
	arith256_block_proof(&w, 0);
	CHECK(arith256_is_zero(&w));
	/* Target 1: work is 2^255. */
	arith256_block_proof(&w, 0x01010000);
	CHECK_EQ_STR(hex_of(&w),
	    "80000000000000000000000000000000"
	    "00000000000000000000000000000000");

	CHECK(arith256_difficulty(0x1d00ffff) == 1.0);
	snprintf(buf, sizeof(buf), "%.16g", arith256_difficulty(0x207fffff));
	CHECK_EQ_STR(buf, "4.656542373906925e-10");
	/* Block 32256's difficulty, the first one above 1. */
	snprintf(buf, sizeof(buf), "%.10f", arith256_difficulty(0x1d00d86a));
	CHECK_EQ_STR(buf, "1.1828995343");
	CHECK(arith256_difficulty(0x1b0404cb) > 16307.42 &&
	    arith256_difficulty(0x1b0404cb) < 16307.43);
}

static void
test_check_pow(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	struct arith256 t;
	uint8_t h[32];

	CHECK(pow_check(m, m->genesis_hash, 0x1d00ffff) == 0);
	/* The same hash is far above a target 2^16 times harder. */
	CHECK(pow_check(m, m->genesis_hash, 0x1b00ffff) == -1);
	/* Easier than the chain allows, negative, zero, overflowing. */
	CHECK(pow_check(m, m->genesis_hash, 0x1d01ffff) == -1);
	CHECK(pow_check(m, m->genesis_hash, 0x1d80ffff) == -1);
	CHECK(pow_check(m, m->genesis_hash, 0x1d000000) == -1);
	CHECK(pow_check(m, m->genesis_hash, 0xff00ffff) == -1);
	CHECK(pow_derive_target(m, 0x1d00ffff, &t) == 0);
	CHECK(pow_derive_target(m, 0x1d01ffff, &t) == -1);

	/* The hash is read little-endian: its last byte is the top one. */
	memset(h, 0, 32);
	h[31] = 0x7f;
	CHECK(pow_check(r, h, 0x207fffff) == 0);
	/* The target is 0x7fffff00..00: one more is too high. */
	h[30] = h[29] = 0xff;
	CHECK(pow_check(r, h, 0x207fffff) == 0);
	h[0] = 1;
	CHECK(pow_check(r, h, 0x207fffff) == -1);
	h[30] = h[29] = 0;
	h[0] = 0;
	h[31] = 0x80;
	CHECK(pow_check(r, h, 0x207fffff) == -1);
	CHECK(pow_check(r, r->genesis_hash, 0x207fffff) == 0);
	chainparams_free(m);
	chainparams_free(r);
}

/*
 * A synthetic chain for the ancestor callback: heights from base upward,
 * every block 600 s after the one before unless told otherwise.
 */
struct chain {
	int32_t base;
	int32_t n;
	struct pow_block b[4100];
	int calls;
};

static int
get_block(void *arg, int32_t height, struct pow_block *out)
{
	struct chain *c = arg;

	c->calls++;
	if (height < c->base || height >= c->base + c->n)
		return -1;
	*out = c->b[height - c->base];
	return 0;
}

static void
chain_fill(struct chain *c, int32_t base, int32_t n, int64_t t0, uint32_t bits)
{
	int32_t i;

	c->base = base;
	c->n = n;
	c->calls = 0;
	for (i = 0; i < n; i++) {
		c->b[i].height = base + i;
		c->b[i].time = t0 + 600 * i;
		c->b[i].bits = bits;
	}
}

static struct pow_block *
tip(struct chain *c)
{
	return &c->b[c->n - 1];
}

static struct chain chain;

static void
test_retarget_mainnet(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct pow_block last;
	uint32_t bits;

	/* Block 32256: period 30240..32255 took 1022578 s, not 1209600. */
	last.height = 32255;
	last.time = 1262152739;
	last.bits = 0x1d00ffff;
	CHECK_EQ_INT(pow_calculate_next_work(m, &last, 1261130161, 0),
	    0x1d00d86a);
	CHECK(pow_check_transition(m, 32256, 0x1d00ffff, 0x1d00d86a) == 0);
	/* Block 2016: slower than two weeks, but capped at the limit. */
	last.height = 2015;
	last.time = 1233061996;
	CHECK_EQ_INT(pow_calculate_next_work(m, &last, 1231006505, 0),
	    0x1d00ffff);
	CHECK(pow_check_transition(m, 2016, 0x1d00ffff, 0x1d00ffff) == 0);
	/* Block 68544: a fast period, clamped to a quarter of the span. */
	last.height = 68543;
	last.time = 1279297671;
	last.bits = 0x1c05a3f4;
	CHECK_EQ_INT(pow_calculate_next_work(m, &last, 1279008237, 0),
	    0x1c0168fd);
	CHECK(pow_check_transition(m, 68544, 0x1c05a3f4, 0x1c0168fd) == 0);
	CHECK(pow_check_transition(m, 68544, 0x1c05a3f4, 0x1c0168fc) == -1);
	/* A too-slow period, clamped to four times. */
	last.height = 46367;
	last.time = 1269211443;
	last.bits = 0x1c387f6f;
	CHECK_EQ_INT(pow_calculate_next_work(m, &last, 1263163443, 0),
	    0x1d00e1fd);
	CHECK(pow_check_transition(m, 46368, 0x1c387f6f, 0x1d00e1fd) == 0);
	CHECK(pow_check_transition(m, 46368, 0x1c387f6f, 0x1d00e1fe) == -1);
	/* Off a boundary the bits may not change at all. */
	CHECK(pow_check_transition(m, 46369, 0x1d00e1fd, 0x1d00e1fd) == 0);
	CHECK(pow_check_transition(m, 46369, 0x1d00e1fd, 0x1d00e1fc) == -1);

	/* The same retarget through the ancestor callback. */
	chain_fill(&chain, 30240, 2016, 1261130161, 0x1d00ffff);
	tip(&chain)->time = 1262152739;
	CHECK(pow_next_work_required(m, tip(&chain), 1262153000, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, 0x1d00d86a);
	/* Mid-period on mainnet: the previous bits, whatever the time. */
	chain.n = 100;
	CHECK(pow_next_work_required(m, tip(&chain), tip(&chain)->time + 7200,
		  get_block, &chain, &bits) == 0);
	CHECK_EQ_INT(bits, 0x1d00ffff);
	/* A missing ancestor is reported, not guessed. */
	chain_fill(&chain, 31000, 1256, 1261130161, 0x1d00ffff);
	CHECK(pow_next_work_required(m, tip(&chain), 1262153000, get_block,
		  &chain, &bits) == -1);
	chainparams_free(m);
}

static void
test_min_difficulty_rule(void)
{
	struct chainparams *t = chainparams_new(CHAIN_TESTNET3);
	struct pow_block *last;
	uint32_t bits, real = 0x1c00ffff;
	int32_t i;

	/* A period started at 4032 with real difficulty, then some blocks. */
	chain_fill(&chain, 4032, 50, 1300000000, real);
	last = tip(&chain);
	/* Twenty minutes and a second after the last block: limit. */
	CHECK(pow_next_work_required(t, last, last->time + 1201, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, 0x1d00ffff);
	/* Exactly twenty minutes is not enough. */
	CHECK(pow_next_work_required(t, last, last->time + 1200, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, real);
	/*
	 * After a run of min-difficulty blocks a quick block must return to
	 * the last real difficulty, found by walking back over the run.
	 */
	for (i = 30; i < 50; i++)
		chain.b[i].bits = 0x1d00ffff;
	chain.calls = 0;
	CHECK(pow_next_work_required(t, last, last->time + 60, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, real);
	CHECK_EQ_INT(chain.calls, 20);
	/* The walk stops at a period's first block even if it is minimal. */
	for (i = 0; i < 50; i++)
		chain.b[i].bits = 0x1d00ffff;
	CHECK(pow_next_work_required(t, last, last->time + 60, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, 0x1d00ffff);
	/* A retarget boundary ignores the 20-minute rule. */
	chain_fill(&chain, 2016, 2016, 1300000000, real);
	last = tip(&chain);
	CHECK(pow_next_work_required(t, last, last->time + 5000, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits,
	    pow_calculate_next_work(t, last, chain.b[0].time, real));
	/* 2015 gaps of 600 s: slightly under two weeks, a bit harder. */
	CHECK_EQ_INT(bits, 0x1c00ffde);
	chainparams_free(t);
}

static void
test_bip94(void)
{
	struct chainparams *t4 = chainparams_new(CHAIN_TESTNET4);
	struct chainparams *t3 = chainparams_new(CHAIN_TESTNET3);
	struct pow_block *last;
	uint32_t b3, b4;

	/*
	 * The period's last block was mined under the 20-minute rule. Old
	 * testnet scales that minimum; BIP94 scales the first block's.
	 */
	chain_fill(&chain, 2016, 2016, 1714777860, 0x1c00ffff);
	last = tip(&chain);
	last->bits = 0x1d00ffff;
	last->time = chain.b[0].time + 14 * 24 * 3600;
	CHECK(pow_next_work_required(t4, last, last->time + 600, get_block,
		  &chain, &b4) == 0);
	CHECK(pow_next_work_required(t3, last, last->time + 600, get_block,
		  &chain, &b3) == 0);
	CHECK_EQ_INT(b4, 0x1c00ffff);
	CHECK_EQ_INT(b3, 0x1d00ffff);
	/* The timewarp rule: only on BIP94 chains, only at period starts. */
	CHECK(pow_check_timewarp(t4, 4032, 100000 - 600, 100000) == 0);
	CHECK(pow_check_timewarp(t4, 4032, 100000 - 601, 100000) == -1);
	CHECK(pow_check_timewarp(t4, 4033, 100000 - 601, 100000) == 0);
	CHECK(pow_check_timewarp(t3, 4032, 100000 - 601, 100000) == 0);
	chainparams_free(t4);
	chainparams_free(t3);
}

static void
test_regtest_no_retarget(void)
{
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	struct pow_block *last;
	uint32_t bits;

	/* 144-block periods, but the bits never move. */
	chain_fill(&chain, 0, 144, 1296688602, 0x207fffff);
	last = tip(&chain);
	last->time = chain.b[0].time + 10;
	CHECK(pow_next_work_required(r, last, last->time + 1, get_block,
		  &chain, &bits) == 0);
	CHECK_EQ_INT(bits, 0x207fffff);
	chain.n = 10;
	CHECK(pow_next_work_required(r, tip(&chain), 0, get_block, &chain,
		  &bits) == 0);
	CHECK_EQ_INT(bits, 0x207fffff);
	/* With min-difficulty chains any transition is permitted. */
	CHECK(pow_check_transition(r, 5, 0x207fffff, 0x1d00ffff) == 0);
	chainparams_free(r);
}

UNIT_MAIN(UNIT_CASE(test_compact), UNIT_CASE(test_arith),
    UNIT_CASE(test_block_proof_and_difficulty), UNIT_CASE(test_check_pow),
    UNIT_CASE(test_retarget_mainnet), UNIT_CASE(test_min_difficulty_rule),
    UNIT_CASE(test_bip94), UNIT_CASE(test_regtest_no_retarget))
