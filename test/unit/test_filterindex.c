/*
 * The block filter index over a real validation thread: the shared dev
 * chain imported with -loadblock, the index started beside it.
 *
 * - it waits for the import, then builds; every block's stored filter has
 *   the right hash, its header chains on the parent's, and every output
 *   script of the block matches it;
 * - filterindex_range and filterindex_ancestor agree with the active
 *   chain, and walk a stale branch by its parents;
 * - invalidating the tip leaves the best block (Core's BaseIndex), new
 *   blocks move it, the stale block keeps its filter;
 * - a restart of the index resumes synced; the store's marker names the
 *   best block;
 * - -blockfilterindex / -peerblockfilters are read as Core's init reads
 *   them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/address.h"
#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "index/filterindex.h"
#include "primitives/block.h"
#include "script/opcodes.h"
#include "store/store.h"
#include "util/args.h"
#include "util/request.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/validation.h"
#include "testenv.h"
#include "unit.h"

#define DEV_HEIGHT 1100
#define ADDR "bcrt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq3xueyj"

static void
mark(struct validation *v, enum validation_mark how, const uint8_t h[32])
{
	struct request_error e;

	CHECK(validation_mark_block(v, how, h, 60000, &e) == 0);
}

/* Mines n blocks to ADDR; the last one's hash in last (may be NULL). */
static size_t
mine(const struct chainparams *cp, struct validation *v, int n,
    uint8_t last[32])
{
	struct validation_generated g;
	struct request_error e;
	uint8_t script[64];
	size_t len, got;

	if (address_to_script(cp, ADDR, script, &len, NULL, 0) != 0 ||
	    validation_generate(v, script, len, n, 1000000, &g, 60000, &e) !=
		0)
		return 0;
	got = g.n;
	if (last && got)
		memcpy(last, g.hashes[got - 1], 32);
	validation_generated_free(&g);
	return got;
}

struct env {
	char dir[256];
	struct chainparams *cp;
	struct store *s;
	struct args *a;
	struct validation *v;
	struct filterindex *fi;
};

static void
nap_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls until the index is synced at height (up to a minute). */
static int
wait_index(struct filterindex *fi, int32_t height)
{
	struct filterindex_status st;
	int i;

	for (i = 0; i < 6000; i++) {
		filterindex_status(fi, &st);
		if (st.synced && st.best_height == height)
			return 0;
		nap_ms(10);
	}
	fprintf(stderr, "index at %d (synced %d), want %d\n", st.best_height,
	    st.synced, height);
	return -1;
}

static int
env_start(struct env *e)
{
	char path[300], lb[600];
	const char *extra[2];
	struct block_index_entry t;
	int i;

	testenv_setup("test_filterindex", LOGL_INFO, 0);
	memset(e, 0, sizeof(*e));
	if (testenv_tmpdir(e->dir, sizeof(e->dir), "test_filterindex") != 0)
		return -1;
	snprintf(lb, sizeof(lb), "-loadblock=%s",
	    SHARED_PATH("chains/regtest-dev.dat"));
	extra[0] = lb;
	extra[1] = "-blockfilterindex";
	e->cp = chainparams_new(CHAIN_REGTEST);
	if ((e->a = testenv_args(e->dir, extra, 2)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/chainstate", e->dir);
	if ((e->s = testenv_store_open(path, e->cp->magic)) == NULL ||
	    validation_start(e->a, e->cp, e->s, &e->v) != 0 ||
	    filterindex_start(e->s, e->v, BLOCKFILTER_BASIC, &e->fi) != 0)
		return -1;
	for (i = 0; i < 6000; i++) {
		if (chainstate_tip(validation_chainstate(e->v), &t) == 0 &&
		    t.height == DEV_HEIGHT &&
		    !chainstate_is_importing(validation_chainstate(e->v)))
			return 0;
		nap_ms(10);
	}
	return -1;
}

static void
env_stop(struct env *e)
{
	filterindex_stop(e->fi);
	validation_stop(e->v);
	store_close(e->s);
	args_free(e->a);
	chainparams_free(e->cp);
	testenv_rm_rf(e->dir);
}

/* The stored filter of hash is consistent with the block and the parent. */
static int
check_block(struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t prev_header[32], uint8_t header_out[32])
{
	struct store_filter f;
	struct block b;
	const uint8_t *raw;
	const struct txout *o;
	uint8_t fh[32], hdr[32];
	uint64_t k0, k1;
	size_t len, i, k;
	int ok = 1;

	if (store_get_blockfilter(t, BLOCKFILTER_BASIC, hash, &f) != 0 ||
	    store_get_block(t, hash, &raw, &len) != 0 ||
	    block_parse(raw, len, &b) != 0)
		return 0;
	blockfilter_hash(f.filter, f.len, fh);
	ok &= memcmp(fh, f.filter_hash, 32) == 0;
	blockfilter_header(fh, prev_header, hdr);
	ok &= memcmp(hdr, f.header, 32) == 0;
	blockfilter_key(hash, &k0, &k1);
	for (i = 0; i < b.tx_count; i++)
		for (k = 0; k < b.txs[i].vout_count; k++) {
			o = &b.txs[i].vout[k];
			if (o->script_len == 0 || o->script[0] == OP_RETURN)
				continue;
			ok &= gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M,
				  f.filter, f.len, o->script,
				  o->script_len) == 1;
		}
	block_free(&b);
	memcpy(header_out, f.header, 32);
	return ok;
}

static void
check_active(struct store *s, int32_t from, int32_t to)
{
	struct store_rtxn *t;
	struct store_filter f;
	uint8_t hash[32], prev[32];
	int32_t h;

	CHECK(store_read_begin(s, &t) == 0);
	memset(prev, 0, 32);
	if (from > 0) {
		CHECK(store_get_active_hash(t, from - 1, hash) == 0);
		CHECK(store_get_blockfilter(t, BLOCKFILTER_BASIC, hash, &f) ==
		    0);
		memcpy(prev, f.header, 32);
	}
	for (h = from; h <= to; h++) {
		CHECK(store_get_active_hash(t, h, hash) == 0);
		if (!check_block(t, hash, prev, prev)) {
			fprintf(stderr, "block at height %d\n", h);
			CHECK(0);
			break;
		}
	}
	store_read_end(t);
}

static void
test_build_and_reads(void)
{
	struct filterindex_status st;
	struct block_index_entry tip, e;
	struct store_filter *r, one;
	struct store_rtxn *t;
	uint8_t(*hashes)[32], h[32], stale[32];
	int32_t i;
	struct env env;

	CHECK(env_start(&env) == 0);
	CHECK(wait_index(env.fi, DEV_HEIGHT) == 0);
	CHECK(filterindex_wait_for_tip(env.fi, 1000) == 1);
	filterindex_status(env.fi, &st);
	CHECK_EQ_STR(st.name, "basic block filter index");
	check_active(env.s, 0, DEV_HEIGHT);

	/* Ranges and ancestors on the active chain. */
	CHECK(store_read_begin(env.s, &t) == 0);
	CHECK(
	    store_get_tip(t, h, &i) == 0 && store_get_index(t, h, &tip) == 0);
	r = xcalloc(DEV_HEIGHT + 1, sizeof(*r));
	hashes = xcalloc(DEV_HEIGHT + 1, sizeof(*hashes));
	CHECK(filterindex_range(t, BLOCKFILTER_BASIC, &tip, 100, r, hashes) ==
	    0);
	for (i = 100; i <= DEV_HEIGHT; i += 97) {
		CHECK(store_get_active_hash(t, i, h) == 0);
		CHECK(memcmp(hashes[i - 100], h, 32) == 0);
		CHECK(
		    store_get_blockfilter(t, BLOCKFILTER_BASIC, h, &one) == 0);
		CHECK(memcmp(one.header, r[i - 100].header, 32) == 0);
		CHECK(filterindex_ancestor(t, &tip, i, h) == 0);
		CHECK(memcmp(hashes[i - 100], h, 32) == 0);
	}
	CHECK(filterindex_ancestor(t, &tip, DEV_HEIGHT + 1, h) ==
	    STORE_NOTFOUND);
	CHECK(filterindex_range(t, BLOCKFILTER_BASIC, &tip, DEV_HEIGHT + 1, r,
		  NULL) == STORE_NOTFOUND);
	CHECK(filterindex_range(t, 1, &tip, 0, r, NULL) == STORE_NOTFOUND);
	store_read_end(t);

	/* Invalidate the tip: the best block stays (Core), filters stay. */
	memcpy(stale, tip.hash, 32);
	mark(env.v, VALIDATION_INVALIDATE, stale);
	nap_ms(200);
	filterindex_status(env.fi, &st);
	CHECK(st.synced && st.best_height == DEV_HEIGHT &&
	    memcmp(st.best, stale, 32) == 0);
	CHECK(filterindex_wait_for_tip(env.fi, 1000) == 1);
	/* Two blocks on the new branch: indexed on the fork's header. */
	CHECK(mine(env.cp, env.v, 2, NULL) == 2);
	CHECK(filterindex_wait_for_tip(env.fi, 10000) == 1);
	CHECK(wait_index(env.fi, DEV_HEIGHT + 1) == 0);
	check_active(env.s, DEV_HEIGHT - 5, DEV_HEIGHT + 1);

	/* The stale block: its filter, and a range that ends on it. */
	CHECK(store_read_begin(env.s, &t) == 0);
	CHECK(store_get_index(t, stale, &e) == 0);
	CHECK(filterindex_range(t, BLOCKFILTER_BASIC, &e, DEV_HEIGHT - 10, r,
		  hashes) == 0);
	CHECK(memcmp(hashes[10], stale, 32) == 0);
	CHECK(store_get_active_hash(t, DEV_HEIGHT - 1, h) == 0);
	CHECK(memcmp(hashes[9], h, 32) == 0);
	CHECK(filterindex_ancestor(t, &e, DEV_HEIGHT, h) == 0 &&
	    memcmp(h, stale, 32) == 0);
	CHECK(store_get_active_hash(t, DEV_HEIGHT, h) == 0 &&
	    memcmp(h, stale, 32) != 0);
	store_read_end(t);

	/*
	 * A block on the active chain for a moment only (connected, then
	 * reorganised away inside one reconsiderblock) is indexed too.
	 */
	CHECK(store_read_begin(env.s, &t) == 0);
	CHECK(store_get_active_hash(t, DEV_HEIGHT, h) == 0);
	store_read_end(t);
	mark(env.v, VALIDATION_INVALIDATE, h);
	CHECK(mine(env.cp, env.v, 1, stale) == 1);
	mark(env.v, VALIDATION_RECONSIDER, h);
	{
		struct request_error re;

		CHECK(validation_sync(env.v, 60000, &re) == 0);
	}
	CHECK(filterindex_sync(env.fi, 10000) == 0);
	CHECK(wait_index(env.fi, DEV_HEIGHT + 1) == 0);
	CHECK(store_read_begin(env.s, &t) == 0);
	CHECK(store_get_active_hash(t, DEV_HEIGHT, h) == 0 &&
	    memcmp(h, stale, 32) != 0);
	CHECK(store_get_blockfilter(t, BLOCKFILTER_BASIC, stale, &one) == 0);
	store_read_end(t);
	check_active(env.s, DEV_HEIGHT - 2, DEV_HEIGHT + 1);

	/* A restart of the index: synced at once, at the tip. */
	filterindex_stop(env.fi);
	CHECK(
	    filterindex_start(env.s, env.v, BLOCKFILTER_BASIC, &env.fi) == 0);
	filterindex_status(env.fi, &st);
	CHECK(st.synced && st.best_height == DEV_HEIGHT + 1);
	free(r);
	free(hashes);
	env_stop(&env);
}

/* Core's init rules for the two options. */
static void
test_options(void)
{
	static const struct {
		const char *a, *b;
		int ok;
		unsigned types;
		int serve;
		const char *err;
	} cases[] = {
		{ NULL, NULL, 1, 0, 0, NULL },
		{ "-blockfilterindex", NULL, 1, 1, 0, NULL },
		{ "-blockfilterindex=1", "-peerblockfilters", 1, 1, 1, NULL },
		{ "-blockfilterindex=basic", NULL, 1, 1, 0, NULL },
		{ "-blockfilterindex=0", NULL, 1, 0, 0, NULL },
		{ "-noblockfilterindex", NULL, 1, 0, 0, NULL },
		{ "-blockfilterindex=basic", "-blockfilterindex=1", 1, 1, 0,
		    NULL },
		{ "-blockfilterindex=1", "-blockfilterindex=basic", 0, 0, 0,
		    "Unknown -blockfilterindex value 1." },
		{ "-blockfilterindex=abc", NULL, 0, 0, 0,
		    "Unknown -blockfilterindex value abc." },
		{ "-peerblockfilters", NULL, 0, 0, 0,
		    "Cannot set -peerblockfilters without -blockfilterindex." },
		{ "-blockfilterindex=0", "-peerblockfilters", 0, 0, 0,
		    "Cannot set -peerblockfilters without -blockfilterindex." },
	};
	char dir[64], err[256];
	const char *extra[2];
	struct args *a;
	unsigned types;
	size_t i, n;
	int serve, rc;

	testenv_setup("test_filterindex", LOGL_INFO, 0);
	CHECK(testenv_tmpdir(dir, sizeof(dir), "test_filterindex_args") == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 0;
		if (cases[i].a)
			extra[n++] = cases[i].a;
		if (cases[i].b)
			extra[n++] = cases[i].b;
		a = testenv_args(dir, extra, n);
		CHECK(a != NULL);
		if (a == NULL)
			continue;
		err[0] = '\0';
		rc = filterindex_options(a, &types, &serve, err, sizeof(err));
		if (cases[i].ok) {
			CHECK_EQ_INT(rc, 0);
			CHECK_EQ_INT(types, cases[i].types);
			CHECK_EQ_INT(serve, cases[i].serve);
		} else {
			CHECK_EQ_INT(rc, -1);
			CHECK_EQ_STR(err, cases[i].err);
		}
		args_free(a);
	}
	testenv_rm_rf(dir);
}

UNIT_MAIN(UNIT_CASE(test_options), UNIT_CASE(test_build_and_reads))
