/*
 * The assumevalid decision (validation/assumevalid.h) over synthetic block
 * index states: one case per condition that keeps scripts checked, the
 * boundary of the two-weeks rule, and Core's reading of condition 3 (the
 * block, not the assumed-valid one, must be in the best header's chain).
 * Also Core's GetBlockProofEquivalentTime at regtest and mainnet work.
 */
#include <stdint.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/pow.h"
#include "validation/assumevalid.h"
#include "unit.h"

#define REGTEST_BITS 0x207fffff /* work 2 per block */
#define MAIN_BITS 0x1d00ffff
#define SPACING 600
/* Two weeks of regtest work is exactly this many blocks. */
#define TWO_WEEKS_BLOCKS (ASSUMEVALID_MIN_AGE / SPACING)
#define MAIN_LEN 2200
#define FORK_AT 1000
#define FORK_LEN 1200

static struct bindex mainc[MAIN_LEN]; /* heights 0 .. MAIN_LEN-1 */
static struct bindex side[FORK_LEN];  /* branches off mainc[FORK_AT] */
static const uint8_t zero_work[32];

/* Links b after parent (NULL: genesis), with its height and chain work. */
static void
link_block(struct bindex *b, struct bindex *parent, uint32_t bits, uint8_t tag)
{
	struct arith256 w, p;

	memset(b, 0, sizeof(*b));
	b->parent = parent;
	b->e.height = parent ? parent->e.height + 1 : 0;
	b->e.hdr.bits = bits;
	b->e.hash[0] = tag;
	memcpy(b->e.hash + 1, &b->e.height, sizeof(b->e.height));
	arith256_block_proof(&w, bits);
	if (parent) {
		arith256_from_be(&p, parent->e.chainwork);
		arith256_add(&w, &w, &p);
	}
	arith256_to_be(&w, b->e.chainwork);
	bindex_build_skip(b);
}

static void
build(void)
{
	static int built;
	int i;

	if (built++)
		return;
	for (i = 0; i < MAIN_LEN; i++)
		link_block(&mainc[i], i ? &mainc[i - 1] : NULL, REGTEST_BITS,
		    'm');
	for (i = 0; i < FORK_LEN; i++)
		link_block(&side[i], i ? &side[i - 1] : &mainc[FORK_AT],
		    REGTEST_BITS, 'f');
}

/* A view with everything in place: assumevalid and best at main's tip. */
static struct assumevalid_view
view(void)
{
	struct assumevalid_view v;

	build();
	v.enabled = 1;
	v.av = &mainc[MAIN_LEN - 1];
	v.best = &mainc[MAIN_LEN - 1];
	v.min_work = zero_work;
	v.spacing = SPACING;
	return v;
}

static void
test_all_conditions_hold_skips(void)
{
	struct assumevalid_view v = view();

	CHECK(assumevalid_check_reason(&v, &mainc[1]) == NULL);
	CHECK(assumevalid_check_reason(&v, &mainc[100]) == NULL);
	/* The assumed-valid block may sit below the best header. */
	v.av = &mainc[150];
	CHECK(assumevalid_check_reason(&v, &mainc[150]) == NULL);
	CHECK(assumevalid_check_reason(&v, &mainc[149]) == NULL);
}

static void
test_disabled_checks(void)
{
	struct assumevalid_view v = view();

	v.enabled = 0;
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[1]), "assumevalid=0");
}

/* 1: the assumed-valid hash names no block the index has. */
static void
test_not_in_index_checks(void)
{
	struct assumevalid_view v = view();

	v.av = NULL;
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[1]),
	    "assumevalid block not in the block index");
}

/* 2: the block is not below the assumed-valid block. */
static void
test_not_ancestor_of_av_checks(void)
{
	struct assumevalid_view v = view();

	/* Above it on the same chain. */
	v.av = &mainc[50];
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[51]),
	    "block not in the assumevalid block's chain");
	/* Same height range, other branch. */
	v.av = &mainc[MAIN_LEN - 1];
	v.best = &side[FORK_LEN - 1];
	CHECK_EQ_STR(assumevalid_check_reason(&v, &side[10]),
	    "block not in the assumevalid block's chain");
}

/* 3: the block is not in the best header's chain. */
static void
test_not_in_best_header_chain_checks(void)
{
	struct assumevalid_view v = view();

	/* Assumed valid on the fork; the best header on main. */
	v.av = &side[FORK_LEN - 1];
	CHECK_EQ_STR(assumevalid_check_reason(&v, &side[5]),
	    "block not in the best header's chain");
	v.best = NULL;
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[5]),
	    "block not in the best header's chain");
	/*
	 * Core's condition 3 is about the block, not the assumed-valid one:
	 * below the fork both chains share, scripts are skipped even though
	 * the assumed-valid block is on the branch that lost.
	 */
	v.best = &mainc[MAIN_LEN - 1];
	CHECK(assumevalid_check_reason(&v, &mainc[100]) == NULL);
	/* ... while above the fork, on the best chain, it is not its chain. */
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[FORK_AT + 1]),
	    "block not in the assumevalid block's chain");
}

/* 4: the best header lacks the minimum chain work. */
static void
test_low_work_checks(void)
{
	struct assumevalid_view v = view();
	struct arith256 w, one;
	uint8_t more[32], same[32];

	memcpy(same, v.best->e.chainwork, 32);
	arith256_from_be(&w, same);
	arith256_set_u64(&one, 1);
	arith256_add(&w, &w, &one);
	arith256_to_be(&w, more);
	v.min_work = more;
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[1]),
	    "best header below the minimum chain work");
	v.min_work = same; /* exactly enough */
	CHECK(assumevalid_check_reason(&v, &mainc[1]) == NULL);
}

/* 5: not more than two weeks of work below the best header. */
static void
test_too_recent_checks(void)
{
	struct assumevalid_view v = view();
	int32_t tip = MAIN_LEN - 1;

	/* Exactly two weeks: still checked (Core's "<="). */
	CHECK_EQ_STR(assumevalid_check_reason(&v,
			 &mainc[tip - TWO_WEEKS_BLOCKS]),
	    "block too recent relative to the best header");
	CHECK(assumevalid_check_reason(&v,
		  &mainc[tip - TWO_WEEKS_BLOCKS - 1]) == NULL);
	CHECK_EQ_STR(assumevalid_check_reason(&v, &mainc[tip]),
	    "block too recent relative to the best header");
}

static void
test_equivalent_time(void)
{
	struct arith256 a, b, p;
	uint8_t wa[32], wb[32];

	build();
	CHECK_EQ_INT(pow_equivalent_time(mainc[2016].e.chainwork,
			 mainc[0].e.chainwork, REGTEST_BITS, SPACING),
	    2016 * SPACING);
	CHECK_EQ_INT(pow_equivalent_time(mainc[0].e.chainwork,
			 mainc[10].e.chainwork, REGTEST_BITS, SPACING),
	    -10 * SPACING);
	/* Mainnet difficulty 1: 144 blocks of work are a day. */
	arith256_block_proof(&p, MAIN_BITS);
	arith256_mul_u64(&a, &p, 144 + 7);
	arith256_mul_u64(&b, &p, 7);
	arith256_to_be(&a, wa);
	arith256_to_be(&b, wb);
	CHECK_EQ_INT(pow_equivalent_time(wa, wb, MAIN_BITS, SPACING), 86400);
	/* Does not fit in 63 bits: saturates, signed. */
	memset(wa, 0xff, 32);
	CHECK(pow_equivalent_time(wa, wb, REGTEST_BITS, SPACING) == INT64_MAX);
	CHECK(
	    pow_equivalent_time(wb, wa, REGTEST_BITS, SPACING) == -INT64_MAX);
}

UNIT_MAIN(UNIT_CASE(test_all_conditions_hold_skips),
    UNIT_CASE(test_disabled_checks), UNIT_CASE(test_not_in_index_checks),
    UNIT_CASE(test_not_ancestor_of_av_checks),
    UNIT_CASE(test_not_in_best_header_chain_checks),
    UNIT_CASE(test_low_work_checks), UNIT_CASE(test_too_recent_checks),
    UNIT_CASE(test_equivalent_time))
