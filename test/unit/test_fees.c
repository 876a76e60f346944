/*
 * The fee estimator's maths (mempool/fees.h): synthetic streams of
 * transactions at known fee rates that confirm after known delays, fed
 * block by block, and the estimates that must come out; fee_estimates.dat
 * written and read back, and refused when corrupt.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "mempool/fees.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* A transaction waiting in the simulated pool. */
struct waiting {
	uint8_t txid[32];
	uint32_t height; /* entry height */
	int64_t fee, vsize;
	uint32_t due; /* confirms in the block at this height; 0: never */
	int live;
};

struct sim {
	struct fees *f;
	uint32_t height; /* the tip */
	struct waiting *w;
	size_t n, cap;
	uint64_t next_id;
};

/* One class of transactions: its rate and how long it waits. */
struct txclass {
	int64_t rate; /* sat/kvB */
	int delay;    /* blocks to confirm; 0: evicted after evict_after */
	int per_block;
};

static void
sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->f = fees_new();
}

static void
sim_free(struct sim *s)
{
	fees_free(s->f);
	free(s->w);
}

static void
sim_add(struct sim *s, int64_t rate, int delay)
{
	struct waiting *x;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->w = xreallocarray(s->w, s->cap, sizeof(*s->w));
	}
	x = &s->w[s->n++];
	memset(x, 0, sizeof(*x));
	s->next_id++;
	memcpy(x->txid, &s->next_id, sizeof(s->next_id));
	x->height = s->height;
	x->vsize = 200;
	x->fee = rate * x->vsize / 1000;
	x->due = delay > 0 ? s->height + (uint32_t)delay : 0;
	x->live = 1;
	fees_tx_added(s->f, x->txid, x->height, x->fee, x->vsize, 1);
}

/*
 * Mines the next block: confirms what is due, evicts what never confirms
 * after evict_after blocks (before the block, as a conflict would be).
 */
static void
sim_block(struct sim *s, int evict_after)
{
	struct fees_block_tx *b = xcalloc(s->n + 1, sizeof(*b));
	size_t i, nb = 0;

	s->height++;
	for (i = 0; i < s->n; i++) {
		struct waiting *x = &s->w[i];

		if (!x->live)
			continue;
		if (x->due == 0 &&
		    s->height - x->height > (uint32_t)evict_after) {
			CHECK(fees_tx_removed(s->f, x->txid) == 1);
			x->live = 0;
		} else if (x->due == s->height) {
			memcpy(b[nb].txid, x->txid, 32);
			b[nb].height = x->height;
			b[nb].fee = x->fee;
			b[nb].vsize = x->vsize;
			nb++;
			x->live = 0;
		}
	}
	fees_block(s->f, s->height, b, nb);
	free(b);
	/* Drop what left, so the array does not grow without bound. */
	for (i = 0; i < s->n;)
		if (!s->w[i].live)
			s->w[i] = s->w[--s->n];
		else
			i++;
}

static void
sim_run(struct sim *s, const struct txclass *c, size_t nc, int blocks)
{
	int b, k;
	size_t i;

	for (b = 0; b < blocks; b++) {
		for (i = 0; i < nc; i++)
			for (k = 0; k < c[i].per_block; k++)
				sim_add(s, c[i].rate, c[i].delay);
		sim_block(s, 20);
	}
}

/* The estimate falls in the bucket of want: within 5% (one bucket). */
static int
near(int64_t got, int64_t want)
{
	return got > 0 && fabs((double)got - (double)want) <= want * 0.05;
}

static void
test_empty(void)
{
	struct fees *f = fees_new();
	struct fees_result r;
	int t = -1;

	CHECK_EQ_INT(fees_max_target(f, FEES_SHORT), 12);
	CHECK_EQ_INT(fees_max_target(f, FEES_MEDIUM), 48);
	CHECK_EQ_INT(fees_max_target(f, FEES_LONG), 1008);
	CHECK_EQ_INT(fees_estimate_smart(f, 2, 0, &t), 0);
	CHECK_EQ_INT(t, 0); /* no history: Core answers "blocks": 0 */
	CHECK_EQ_INT(fees_estimate_raw(f, 2, 0.95, FEES_SHORT, &r), 0);
	/* Core's answer with no data: the whole range failed. */
	CHECK(r.fail.start == 0 && r.fail.end == 1e99);
	CHECK(r.pass.start == -1);
	CHECK(r.decay == .962 && r.scale == 1);
	CHECK_EQ_INT(fees_estimate_raw(f, 13, 0.95, FEES_SHORT, NULL), 0);
	CHECK_EQ_INT(fees_estimate_raw(f, 2, 1.5, FEES_MEDIUM, NULL), 0);
	CHECK_EQ_INT(fees_estimate_smart(f, 0, 0, &t), 0);
	CHECK_EQ_INT(fees_estimate_smart(f, 1009, 0, &t), 0);
	fees_free(f);
}

/*
 * Three classes: 20,000 sat/kvB confirm in the next block, 8,000 in
 * three, 3,000 in eight. Each target must name the cheapest class that
 * confirms within it often enough.
 */
static const struct txclass market[] = {
	{ 20000, 1, 4 },
	{ 8000, 3, 4 },
	{ 3000, 8, 4 },
};

static void
test_market(void)
{
	struct sim s;
	struct fees_result r;
	int t;

	sim_init(&s);
	sim_run(&s, market, 3, 300);
	CHECK_EQ_INT(fees_best_height(s.f), 300);
	/* Raw, short horizon at 95%: exactly each class's bucket. */
	CHECK(near(fees_estimate_raw(s.f, 1, 0.95, FEES_SHORT, &r), 20000));
	CHECK(r.pass.start < 20000 && r.pass.end >= 20000);
	CHECK(r.fail.end < 20000 && r.fail.start >= 0);
	CHECK(near(fees_estimate_raw(s.f, 3, 0.95, FEES_SHORT, NULL), 8000));
	CHECK(near(fees_estimate_raw(s.f, 8, 0.95, FEES_SHORT, NULL), 3000));
	CHECK(near(fees_estimate_raw(s.f, 12, 0.95, FEES_SHORT, NULL), 3000));
	/* Medium (scale 2): target 2 includes everything confirming in 2. */
	CHECK(near(fees_estimate_raw(s.f, 4, 0.95, FEES_MEDIUM, NULL), 8000));
	/* Smart: 2 wants the 95% answer at 4 (8,000) and 85% at 2. */
	CHECK(near(fees_estimate_smart(s.f, 2, 0, &t), 20000));
	CHECK_EQ_INT(t, 2);
	/* Target 1 is answered as 2. */
	CHECK(near(fees_estimate_smart(s.f, 1, 0, &t), 20000));
	CHECK_EQ_INT(t, 2);
	/* 4 also needs 60% within 2: only the first class does that. */
	CHECK(near(fees_estimate_smart(s.f, 4, 0, &t), 20000));
	/* 6: 60% within 3 and 85% within 6 (the second class). */
	CHECK(near(fees_estimate_smart(s.f, 6, 0, &t), 8000));
	CHECK(near(fees_estimate_smart(s.f, 16, 0, &t), 3000));
	CHECK(near(fees_estimate_smart(s.f, 16, 1, &t), 3000));
	/*
	 * Far targets are clamped to half the history: data since block 1,
	 * best 300, so 149.
	 */
	CHECK(fees_estimate_smart(s.f, 1000, 0, &t) > 0);
	CHECK_EQ_INT(t, 149);
	/* Estimates never rise with the target. */
	CHECK(fees_estimate_smart(s.f, 3, 0, &t) >=
	    fees_estimate_smart(s.f, 6, 0, &t));
	sim_free(&s);
}

/* A class that is evicted, never confirmed, counts as failures. */
static void
test_failures(void)
{
	static const struct txclass c[] = {
		{ 20000, 1, 4 }, { 6000, 0, 8 }, /* never confirms */
	};
	struct sim s;
	struct fees_result r;

	sim_init(&s);
	sim_run(&s, c, 2, 200);
	CHECK(near(fees_estimate_raw(s.f, 12, 0.85, FEES_SHORT, &r), 20000));
	/* The failed range is the never-confirming class. */
	CHECK(r.fail.start < 6000 && r.fail.end >= 6000);
	CHECK(r.fail.left_mempool > 0 || r.fail.in_mempool > 0);
	sim_free(&s);
}

/* Only transactions entering at the best height seen are tracked. */
static void
test_tracking_rules(void)
{
	struct fees *f = fees_new();
	uint8_t a[32] = { 1 }, b[32] = { 2 }, c[32] = { 3 };
	struct fees_block_tx bt;

	fees_block(f, 5, NULL, 0);
	fees_tx_added(f, a, 4, 1000, 200, 1); /* behind: ignored */
	fees_tx_added(f, b, 5, 1000, 200, 0); /* not valid: counted only */
	fees_tx_added(f, c, 5, 1000, 200, 1);
	CHECK_EQ_INT(fees_tracked(f), 1);
	fees_tx_added(f, c, 5, 1000, 200, 1); /* twice: no change */
	CHECK_EQ_INT(fees_tracked(f), 1);
	CHECK_EQ_INT(fees_tx_removed(f, a), 0);
	/* A block at or below the best height is ignored (reorg). */
	memset(&bt, 0, sizeof(bt));
	memcpy(bt.txid, c, 32);
	bt.height = 5;
	bt.fee = 1000;
	bt.vsize = 200;
	fees_block(f, 5, &bt, 1);
	CHECK_EQ_INT(fees_tracked(f), 1);
	fees_block(f, 6, &bt, 1);
	CHECK_EQ_INT(fees_tracked(f), 0);
	CHECK_EQ_INT(fees_best_height(f), 6);
	fees_tx_added(f, a, 6, 1000, 200, 1);
	CHECK_EQ_INT(fees_flush_unconfirmed(f), 1);
	CHECK_EQ_INT(fees_tracked(f), 0);
	fees_free(f);
}

static uint8_t *
written(const struct fees *f, size_t *len)
{
	struct wbuf w;

	wbuf_init(&w);
	fees_write(f, &w);
	return wbuf_steal(&w, len);
}

static void
test_file_roundtrip(void)
{
	struct sim s;
	struct fees *g = fees_new();
	uint8_t *p, *q;
	size_t len, qlen;
	char err[200];
	int t1, t2, target;

	sim_init(&s);
	sim_run(&s, market, 3, 120);
	p = written(s.f, &len);
	/* 149900, 280100, best height, then the history span. */
	CHECK(len > 20 && p[0] == 0x8c && p[1] == 0x49 && p[2] == 0x02);
	CHECK_EQ_INT(fees_read(g, p, len, err, sizeof(err)), 0);
	CHECK_EQ_INT(fees_best_height(g), 120);
	for (target = 1; target <= 48; target++)
		CHECK_EQ_INT(fees_estimate_smart(g, target, 0, &t1),
		    fees_estimate_smart(s.f, target, 0, &t2));
	CHECK(near(fees_estimate_raw(g, 3, 0.95, FEES_SHORT, NULL), 8000));
	/* Written again, the same bytes. */
	q = written(g, &qlen);
	CHECK(qlen == len && memcmp(p, q, len) == 0);
	free(q);
	sim_free(&s);
	fees_free(g);
	free(p);
}

static void
test_file_corrupt(void)
{
	struct fees *f = fees_new(), *g = fees_new();
	uint8_t *p;
	size_t len;
	char err[200];
	uint64_t bits;
	double bad = 1.5;

	p = written(f, &len);
	CHECK_EQ_INT(fees_read(g, p, 10, err, sizeof(err)), -1);
	CHECK_EQ_INT(fees_read(g, p, len - 1, err, sizeof(err)), -1);
	/* Decay of the first horizon (after 20 header bytes and the buckets). */
	memcpy(&bits, &bad, 8);
	le64_write(p + 20 + 2 + 190 * 8, bits);
	CHECK_EQ_INT(fees_read(g, p, len, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Corrupt estimates file. Decay must be between 0 and "
	    "1 (non-inclusive)");
	/* A history range beyond the best height. */
	free(p);
	p = written(f, &len);
	le32_write(p + 16, 7);
	CHECK_EQ_INT(fees_read(g, p, len, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Corrupt estimates file. Historical block range for "
	    "estimates is invalid");
	/* Written by a newer format. */
	le32_write(p, 999999);
	CHECK_EQ_INT(fees_read(g, p, len, err, sizeof(err)), -1);
	CHECK_EQ_STR(err, "up-version (999999) fee estimate file");
	/* Too old a format: ignored, not an error. */
	le32_write(p, 140000);
	CHECK_EQ_INT(fees_read(g, p, len, err, sizeof(err)), 1);
	free(p);
	fees_free(f);
	fees_free(g);
}

UNIT_MAIN(UNIT_CASE(test_empty), UNIT_CASE(test_market),
    UNIT_CASE(test_failures), UNIT_CASE(test_tracking_rules),
    UNIT_CASE(test_file_roundtrip), UNIT_CASE(test_file_corrupt))
