/*
 * The orphanage's bounds and indexes: keyed by wtxid, found by missing
 * parent, capped at ORPHAN_MAX with random eviction, oversized entries
 * refused, expiry, and a peer's entries dropped when it goes.
 */
#include <string.h>

#include "net/orphanage.h"
#include "unit.h"

static void
hash_of(uint8_t out[32], unsigned tag, unsigned i)
{
	memset(out, 0, 32);
	out[0] = (uint8_t)tag;
	out[1] = (uint8_t)i;
	out[2] = (uint8_t)(i >> 8);
}

static int
add(struct orphanage *o, uint64_t peer, unsigned i, unsigned parent,
    int64_t now)
{
	uint8_t txid[32], wtxid[32], par[1][32], raw[3] = { 1, 2, 3 };

	hash_of(txid, 'T', i);
	hash_of(wtxid, 'W', i);
	hash_of(par[0], 'T', parent);
	return orphanage_add(o, peer, txid, wtxid, raw, sizeof(raw), 400,
	    (const uint8_t(*)[32])par, 1, now, NULL);
}

static void
test_add_get_erase(void)
{
	struct orphanage *o = orphanage_new();
	uint8_t w[32], t[32], kids[4][32];
	const struct orphan *e;

	CHECK_EQ_INT(add(o, 7, 1, 1000, 100), ORPHAN_ADDED);
	CHECK_EQ_INT(orphanage_count(o), 1);
	hash_of(w, 'W', 1);
	e = orphanage_get(o, w);
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ_INT(e->len, 3);
		CHECK_EQ_INT(e->nfrom, 1);
		CHECK_EQ_INT(e->from[0], 7);
		CHECK_EQ_INT(e->expire, 100 + ORPHAN_EXPIRE_S);
	}
	/* Same peer again: nothing new; another peer: an announcer. */
	CHECK_EQ_INT(add(o, 7, 1, 1000, 100), ORPHAN_EEXISTS);
	CHECK_EQ_INT(add(o, 8, 1, 1000, 100), ORPHAN_ANNOUNCER);
	e = orphanage_get(o, w);
	CHECK(e && e->nfrom == 2 && e->from[1] == 8);
	/* Re-added with its own parent list (the entry's memory). */
	CHECK_EQ_INT(orphanage_add(o, 9, e->txid, e->wtxid, e->raw, e->len,
			 e->weight, (const uint8_t(*)[32])e->parents,
			 e->nparents, 100, NULL),
	    ORPHAN_ANNOUNCER);
	e = orphanage_get(o, w);
	CHECK(e && e->nparents == 1 && e->nfrom == 3);
	hash_of(t, 'T', 1000);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 4), 1);
	CHECK(memcmp(kids[0], w, 32) == 0);
	CHECK_EQ_INT(orphanage_erase(o, w), 0);
	CHECK_EQ_INT(orphanage_erase(o, w), -1);
	CHECK_EQ_INT(orphanage_count(o), 0);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 4), 0);
	orphanage_free(o);
}

static void
test_parents_index(void)
{
	struct orphanage *o = orphanage_new();
	uint8_t t[32], txid[32], wtxid[32], par[3][32], kids[8][32];
	uint8_t raw[1] = { 0 };

	/* Two children of parent 500, one of which also waits on 501. */
	CHECK_EQ_INT(add(o, 1, 1, 500, 0), ORPHAN_ADDED);
	hash_of(txid, 'T', 2);
	hash_of(wtxid, 'W', 2);
	hash_of(par[0], 'T', 500);
	hash_of(par[1], 'T', 501);
	memcpy(par[2], par[0], 32); /* a duplicate is folded */
	CHECK_EQ_INT(orphanage_add(o, 2, txid, wtxid, raw, 1, 100,
			 (const uint8_t(*)[32])par, 3, 0, NULL),
	    ORPHAN_ADDED);
	CHECK_EQ_INT(orphanage_get(o, wtxid)->nparents, 2);
	hash_of(t, 'T', 500);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 8), 2);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 1), 1);
	hash_of(t, 'T', 501);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 8), 1);
	CHECK(memcmp(kids[0], wtxid, 32) == 0);
	/* Re-adding with a shorter list (500 arrived) re-indexes it. */
	CHECK_EQ_INT(orphanage_add(o, 2, txid, wtxid, raw, 1, 100,
			 (const uint8_t(*)[32]) & par[1], 1, 0, NULL),
	    ORPHAN_EEXISTS);
	hash_of(t, 'T', 500);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 8), 1);
	/* No parents, or too big: refused. */
	hash_of(wtxid, 'W', 3);
	CHECK_EQ_INT(orphanage_add(o, 2, txid, wtxid, raw, 1, 100,
			 (const uint8_t(*)[32])par, 0, 0, NULL),
	    ORPHAN_EINVAL);
	CHECK_EQ_INT(orphanage_add(o, 2, txid, wtxid, raw, 1,
			 ORPHAN_MAX_WEIGHT + 1, (const uint8_t(*)[32])par, 1,
			 0, NULL),
	    ORPHAN_ETOOBIG);
	CHECK_EQ_INT(orphanage_add(o, 2, txid, wtxid, raw, 1,
			 ORPHAN_MAX_WEIGHT, (const uint8_t(*)[32])par, 1, 0,
			 NULL),
	    ORPHAN_ADDED);
	CHECK_EQ_INT(orphanage_count(o), 3);
	orphanage_free(o);
}

static void
test_bounded(void)
{
	struct orphanage *o = orphanage_new();
	uint8_t w[32], t[32], kids[ORPHAN_MAX + 60][32];
	size_t total = 0, i, seen;
	unsigned k;

	for (k = 0; k < 150; k++)
		CHECK_EQ_INT(add(o, 1 + k % 3, k, 9000, 0), ORPHAN_ADDED);
	CHECK_EQ_INT(orphanage_count(o), ORPHAN_MAX);
	/* The newest survives its own eviction round. */
	hash_of(w, 'W', 149);
	CHECK(orphanage_get(o, w) != NULL);
	/* Every index entry points at a live orphan. */
	hash_of(t, 'T', 9000);
	seen = orphanage_children(o, t, kids, ORPHAN_MAX + 60);
	CHECK_EQ_INT(seen, ORPHAN_MAX);
	for (i = 0; i < seen; i++)
		total += orphanage_get(o, kids[i]) != NULL;
	CHECK_EQ_INT(total, ORPHAN_MAX);
	for (i = 0; i < orphanage_count(o); i++)
		CHECK_EQ_INT(orphanage_at(o, i)->pos, i);
	CHECK(orphanage_at(o, ORPHAN_MAX) == NULL);
	orphanage_free(o);
}

static void
test_eviction_is_random(void)
{
	uint8_t w[32];
	int first_kept = 0, runs;

	/*
	 * After ORPHAN_MAX evictions the first entry survives about a third
	 * of the time: over 40 runs, both outcomes show.
	 */
	for (runs = 0; runs < 40; runs++) {
		struct orphanage *o = orphanage_new();
		unsigned k;

		for (k = 0; k < 2 * ORPHAN_MAX; k++)
			add(o, 1, k, 9000, 0);
		hash_of(w, 'W', 0);
		first_kept += orphanage_get(o, w) != NULL;
		orphanage_free(o);
	}
	CHECK(first_kept > 0);
	CHECK(first_kept < 40);
}

static void
test_expire(void)
{
	struct orphanage *o = orphanage_new();

	add(o, 1, 1, 500, 0);
	add(o, 1, 2, 500, 100);
	CHECK_EQ_INT(orphanage_expire(o, ORPHAN_EXPIRE_S - 1), 0);
	CHECK_EQ_INT(orphanage_expire(o, ORPHAN_EXPIRE_S), 1);
	CHECK_EQ_INT(orphanage_count(o), 1);
	CHECK_EQ_INT(orphanage_expire(o, ORPHAN_EXPIRE_S + 100), 1);
	CHECK_EQ_INT(orphanage_count(o), 0);
	orphanage_free(o);
}

static void
test_erase_peer(void)
{
	struct orphanage *o = orphanage_new();
	uint8_t w[32], t[32], kids[8][32];
	unsigned k;

	for (k = 0; k < 6; k++)
		add(o, k % 2 ? 5 : 6, k, 700, 0);
	/* Entry 0 (peer 6) is also announced by peer 5. */
	CHECK_EQ_INT(add(o, 5, 0, 700, 0), ORPHAN_ANNOUNCER);
	CHECK_EQ_INT(orphanage_erase_peer(o, 6), 2);
	CHECK_EQ_INT(orphanage_count(o), 4);
	hash_of(w, 'W', 0);
	CHECK(orphanage_get(o, w) != NULL);
	CHECK_EQ_INT(orphanage_get(o, w)->nfrom, 1);
	CHECK_EQ_INT(orphanage_get(o, w)->from[0], 5);
	CHECK_EQ_INT(orphanage_erase_peer(o, 6), 0);
	CHECK_EQ_INT(orphanage_erase_peer(o, 5), 4);
	CHECK_EQ_INT(orphanage_count(o), 0);
	hash_of(t, 'T', 700);
	CHECK_EQ_INT(orphanage_children(o, t, kids, 8), 0);
	orphanage_free(o);
}

UNIT_MAIN(UNIT_CASE(test_add_get_erase), UNIT_CASE(test_parents_index),
    UNIT_CASE(test_bounded), UNIT_CASE(test_eviction_is_random),
    UNIT_CASE(test_expire), UNIT_CASE(test_erase_peer))
