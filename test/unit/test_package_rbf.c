/*
 * Package RBF's pure parts: the fee-rate diagram comparison (Core's
 * CompareChunks), the chunk order, the conflicts' cluster-size rule
 * (CheckConflictTopology) and the old and new diagrams built from pool
 * entries (CalculateChunksForRBF), over hand-made entries.
 */
#include <stdint.h>
#include <string.h>

#include "mempool/feerate_diagram.h"
#include "mempool/pool_int.h"
#include "util/hex.h"
#include "unit.h"

#define NE 8

static struct pentry ents[NE];

/* Fresh entries: txid byte 0 is the index + 1, each alone, fee and size set. */
static void
reset(void)
{
	size_t i;

	for (i = 0; i < NE; i++) {
		pvec_free(&ents[i].parents);
		pvec_free(&ents[i].children);
		memset(&ents[i], 0, sizeof(ents[i]));
		ents[i].txid[0] = (uint8_t)(i + 1);
		ents[i].modfee = 1000;
		ents[i].vsize = 100;
		ents[i].anc_count = ents[i].desc_count = 1;
		ents[i].anc_fees = ents[i].desc_fees = 1000;
		ents[i].anc_size = ents[i].desc_size = 100;
	}
}

/* Links child under parent and fixes the figures of a two-level graph. */
static void
link_pair(struct pentry *parent, struct pentry *child)
{
	pvec_push(&parent->children, child);
	pvec_push(&child->parents, parent);
	parent->desc_count++;
	parent->desc_fees += child->modfee;
	parent->desc_size += child->vsize;
	child->anc_count++;
	child->anc_fees += parent->modfee;
	child->anc_size += parent->vsize;
}

static void
test_cmp_rate(void)
{
	struct feefrac a = { 1000, 100 }, b = { 2000, 200 }, c = { 1001, 100 };
	/* Products past 64 bits: 2.1e15 sat times 1e6 vB. */
	struct feefrac big1 = { INT64_C(2100000000000000), 1000000 };
	struct feefrac big2 = { INT64_C(2099999999999999), 999999 };

	CHECK_EQ_INT(feefrac_cmp_rate(&a, &b), 0);
	CHECK_EQ_INT(feefrac_cmp_rate(&a, &c), -1);
	CHECK_EQ_INT(feefrac_cmp_rate(&c, &a), 1);
	/* big2's rate is a hair above big1's. */
	CHECK_EQ_INT(feefrac_cmp_rate(&big2, &big1), 1);
}

static void
test_sort(void)
{
	struct feefrac c[4] = { { 100, 100 }, { 500, 100 }, { 200, 200 },
		{ 50, 50 } };

	feefrac_sort(c, 4);
	/* 5 sat/vB first; then the three at 1 sat/vB, smallest first. */
	CHECK_EQ_INT(c[0].fee, 500);
	CHECK_EQ_INT(c[1].size, 50);
	CHECK_EQ_INT(c[2].size, 100);
	CHECK_EQ_INT(c[3].size, 200);
}

static void
test_diagram_compare(void)
{
	struct feefrac one[1] = { { 1000, 100 } }, less[1] = { { 999, 100 } };
	struct feefrac split[2] = { { 200, 100 }, { 100, 100 } };
	struct feefrac whole[1] = { { 300, 200 } }, more[1] = { { 301, 200 } };
	struct feefrac a[2] = { { 10, 1 }, { 5, 5 } }, b[1] = { { 15, 6 } };
	struct feefrac zero[1] = { { 0, 10 } };

	CHECK_EQ_INT(feerate_diagram_compare(one, 1, one, 1), DIAGRAM_EQUAL);
	CHECK_EQ_INT(feerate_diagram_compare(one, 1, less, 1), DIAGRAM_BETTER);
	CHECK_EQ_INT(feerate_diagram_compare(less, 1, one, 1), DIAGRAM_WORSE);
	/* Same total, but the split one is higher at 100 vB. */
	CHECK_EQ_INT(feerate_diagram_compare(split, 2, whole, 1),
	    DIAGRAM_BETTER);
	/* One more sat at the end, but lower at 100 vB: neither. */
	CHECK_EQ_INT(feerate_diagram_compare(more, 1, split, 2),
	    DIAGRAM_UNORDERED);
	CHECK_EQ_INT(feerate_diagram_compare(a, 2, b, 1), DIAGRAM_BETTER);
	/* Past its end a diagram stays flat. */
	CHECK_EQ_INT(feerate_diagram_compare(one, 1, NULL, 0), DIAGRAM_BETTER);
	CHECK_EQ_INT(feerate_diagram_compare(NULL, 0, one, 1), DIAGRAM_WORSE);
	CHECK_EQ_INT(feerate_diagram_compare(zero, 1, NULL, 0), DIAGRAM_EQUAL);
	CHECK_EQ_INT(feerate_diagram_compare(NULL, 0, NULL, 0), DIAGRAM_EQUAL);
}

/* Core's CheckConflictTopology messages, txids as the RPC writes them. */
static void
expect_topology(struct pentry **direct, size_t n, const char *fmt,
    const struct pentry *x, const struct pentry *y)
{
	struct pvec v = { 0 };
	char msg[256], want[256], hx[65], hy[65];
	size_t i;

	for (i = 0; i < n; i++)
		pvec_push(&v, direct[i]);
	if (fmt == NULL) {
		CHECK_EQ_INT(package_rbf_topology(&v, msg, sizeof(msg)), 0);
	} else {
		hash_to_hex(x->txid, hx);
		if (y != NULL)
			hash_to_hex(y->txid, hy);
		snprintf(want, sizeof(want), fmt, hx, y ? hy : "");
		CHECK_EQ_INT(package_rbf_topology(&v, msg, sizeof(msg)), -1);
		CHECK_EQ_STR(msg, want);
	}
	pvec_free(&v);
}

static void
test_cluster_size(void)
{
	struct pentry *p = &ents[0], *c = &ents[1], *g = &ents[2],
		      *c2 = &ents[3];

	reset();
	expect_topology(&p, 1, NULL, NULL, NULL);
	link_pair(p, c);
	/* A parent and its only child: either may be replaced. */
	expect_topology(&p, 1, NULL, NULL, NULL);
	expect_topology(&c, 1, NULL, NULL, NULL);

	/* A chain of three (figures as the pool keeps them). */
	link_pair(c, g);
	p->desc_count = 3;
	g->anc_count = 3;
	expect_topology(&p, 1, "%s has 2 descendants, max 1 allowed%s", p,
	    NULL);
	expect_topology(&c, 1,
	    "%s has both ancestor and descendant, exceeding cluster limit of "
	    "2%s",
	    c, NULL);
	expect_topology(&g, 1, "%s has 2 ancestors, max 1 allowed%s", g, NULL);

	/* Two parents, one child. */
	reset();
	link_pair(p, g);
	link_pair(c, g);
	expect_topology(&p, 1, "%s is not the only parent of child %s", p, g);
	/* One parent, two children. */
	reset();
	link_pair(p, c);
	link_pair(p, c2);
	expect_topology(&c2, 1, "%s is not the only child of parent %s", c2,
	    p);
	/* The first conflict (in the order given) is the one reported. */
	{
		struct pentry *both[2] = { c, c2 };

		expect_topology(both, 2,
		    "%s is not the only child of parent %s", c, p);
	}
	reset();
}

static int
diagram_ok(struct pentry **direct, size_t nd, struct pentry **all, size_t na,
    int64_t fee, int64_t vsize, char *msg, size_t len)
{
	struct pvec d = { 0 }, a = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < nd; i++)
		pvec_push(&d, direct[i]);
	for (i = 0; i < na; i++)
		pvec_push(&a, all[i]);
	rc = package_rbf_diagram(&d, &a, fee, vsize, msg, len);
	pvec_free(&d);
	pvec_free(&a);
	return rc;
}

static void
test_rbf_diagram(void)
{
	struct pentry *p = &ents[0], *c = &ents[1], *x = &ents[2];
	struct pentry *pc[2] = { p, c };
	char msg[200];

	/* Replacing a parent (10 sat/vB) and its child (10 sat/vB). */
	reset();
	link_pair(p, c);
	CHECK_EQ_INT(diagram_ok(&p, 1, pc, 2, 2100, 200, msg, sizeof(msg)), 0);
	/* The same total fee and size: not strictly better. */
	CHECK_EQ_INT(diagram_ok(&p, 1, pc, 2, 2000, 200, msg, sizeof(msg)),
	    -1);
	CHECK_EQ_STR(msg,
	    "insufficient feerate: does not improve feerate diagram");
	/*
	 * A parent at 20 sat/vB with a child at 5: two chunks, the first
	 * high. More fee in total but a flat rate under the parent's: no.
	 */
	p->modfee = 2000;
	c->anc_fees = 2500;
	c->modfee = 500;
	CHECK_EQ_INT(diagram_ok(&p, 1, pc, 2, 2600, 200, msg, sizeof(msg)),
	    -1);
	CHECK_EQ_INT(diagram_ok(&p, 1, pc, 2, 4100, 200, msg, sizeof(msg)), 0);
	/*
	 * Replacing only the child: its parent stays, as its own chunk in
	 * the new diagram (1000 over 100 vB, then the replacement).
	 */
	reset();
	link_pair(p, c);
	CHECK_EQ_INT(diagram_ok(&c, 1, &c, 1, 1100, 100, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(diagram_ok(&c, 1, &c, 1, 1000, 100, msg, sizeof(msg)),
	    -1);
	/* A cluster too big is refused before any diagram. */
	link_pair(c, x);
	p->desc_count = 3;
	x->anc_count = 3;
	CHECK_EQ_INT(diagram_ok(&p, 1, pc, 2, 99999, 200, msg, sizeof(msg)),
	    -1);
	CHECK(strstr(msg, "has 2 descendants, max 1 allowed") != NULL);
	reset();
}

UNIT_MAIN(UNIT_CASE(test_cmp_rate), UNIT_CASE(test_sort),
    UNIT_CASE(test_diagram_compare), UNIT_CASE(test_cluster_size),
    UNIT_CASE(test_rbf_diagram))
