/*
 * The unknown version-bits watcher (validation/versionbits.h, vb_warn):
 * in-memory chains of headers with chosen versions, and the bit whose
 * unknown rules it reports active, period by period, as Core's
 * WarningBitsConditionChecker would; resuming per period gives what a walk
 * from scratch gives, and a reorg below the last period end starts over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "chain/chainparams.h"
#include "validation/versionbits.h"
#include "util/xmalloc.h"

#define BIT27 (0x20000000 | (1 << 27))

/* A chain of n headers from parent (NULL: a new genesis), versions by height. */
static struct bindex *
chain(struct bindex *parent, int n, int32_t (*version)(int32_t height))
{
	struct bindex *v = xcalloc((size_t)n, sizeof(*v));
	int i;

	for (i = 0; i < n; i++) {
		struct bindex *b = &v[i];

		b->parent = i ? &v[i - 1] : parent;
		b->e.height = b->parent ? b->parent->e.height + 1 : 0;
		b->e.hdr.version = version(b->e.height);
		b->e.hdr.time = 1296688602 + (uint32_t)b->e.height * 600;
		bindex_build_skip(b);
	}
	return v;
}

/* Bit 27 in every block of period 1 (heights 144..287). */
static int32_t
period1_signals(int32_t h)
{
	return h >= 144 && h < 288 ? BIT27 : 0x20000000;
}

/* Only 107 of period 1's blocks: one short of the threshold. */
static int32_t
short_of_threshold(int32_t h)
{
	return h >= 144 && h < 144 + 107 ? BIT27 : 0x20000000;
}

static int32_t
plain(int32_t h)
{
	(void)h;
	return 0x20000000;
}

/* Bit 28 is testdummy's on regtest: our own signal, never unknown. */
static int32_t
testdummy(int32_t h)
{
	(void)h;
	return 0x20000000 | (1 << 28);
}

static int
active_at(const struct chainparams *cp, struct bindex *tip)
{
	struct vb_warn w;

	memset(&w, 0, sizeof(w));
	return vb_warn_active(&w, cp, tip);
}

static void
test_activation(void)
{
	struct chainparams *cp = chainparams_new(CHAIN_REGTEST);
	struct bindex *v = chain(NULL, 600, period1_signals);
	struct vb_warn w;
	int h, got;

	/* Locked in after 287, active for the blocks after 431. */
	CHECK_EQ_INT(active_at(cp, &v[287]), -1);
	CHECK_EQ_INT(active_at(cp, &v[430]), -1);
	CHECK_EQ_INT(active_at(cp, &v[431]), 27);
	CHECK_EQ_INT(active_at(cp, &v[599]), 27);
	/* Tip by tip, resuming per period: the same answers. */
	memset(&w, 0, sizeof(w));
	for (h = 0; h < 600; h++) {
		got = vb_warn_active(&w, cp, &v[h]);
		CHECK_EQ_INT(got, h >= 431 ? 27 : -1);
	}
	free(v);
	chainparams_free(cp);
}

static void
test_no_activation(void)
{
	struct chainparams *cp = chainparams_new(CHAIN_REGTEST);
	struct bindex *a = chain(NULL, 600, short_of_threshold);
	struct bindex *b = chain(NULL, 600, testdummy);

	CHECK_EQ_INT(active_at(cp, &a[599]), -1);
	CHECK_EQ_INT(active_at(cp, &b[599]), -1);
	free(a);
	free(b);
	chainparams_free(cp);
}

/* A branch without the signal, forking below the period end seen last. */
static void
test_reorg(void)
{
	struct chainparams *cp = chainparams_new(CHAIN_REGTEST);
	struct bindex *v = chain(NULL, 600, period1_signals);
	struct bindex *fork = chain(&v[199], 400, plain);
	struct vb_warn w;

	memset(&w, 0, sizeof(w));
	CHECK_EQ_INT(vb_warn_active(&w, cp, &v[500]), 27);
	/* fork[i] is at height 200 + i: 431 is fork[231]. The signals of
	 * 144..199 alone do not lock in. */
	CHECK_EQ_INT(vb_warn_active(&w, cp, &fork[231]), -1);
	CHECK_EQ_INT(vb_warn_active(&w, cp, &fork[399]), -1);
	/* And back. */
	CHECK_EQ_INT(vb_warn_active(&w, cp, &v[599]), 27);
	free(fork);
	free(v);
	chainparams_free(cp);
}

/* Mainnet's window: 1815 of 2016. */
static int32_t
main_signals(int32_t h)
{
	return h >= 2016 && h < 2016 + 1815 ? BIT27 : 0x20000000;
}

static void
test_mainnet_window(void)
{
	struct chainparams *cp = chainparams_new(CHAIN_MAIN);
	struct bindex *v = chain(NULL, 3 * 2016 + 10, main_signals);

	CHECK_EQ_INT(active_at(cp, &v[3 * 2016 - 2]), -1);
	CHECK_EQ_INT(active_at(cp, &v[3 * 2016 - 1]), 27);
	free(v);
	chainparams_free(cp);
}

UNIT_MAIN(UNIT_CASE(test_activation), UNIT_CASE(test_no_activation),
    UNIT_CASE(test_reorg), UNIT_CASE(test_mainnet_window))
