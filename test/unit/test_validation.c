/*
 * Validation: the chainstate core driven directly with blocks built in C
 * (blockgen.h), and the validation thread through its typed requests
 * (validation.h)
 *
 * Every reject reason of issue 4 is provoked and refused with the tip
 * unchanged (validation_rejects.c); reorgs (heavier branch wins, invalid block in the new branch,
 * a 20-block round trip that restores the UTXO hash); invalidate,
 * reconsider, precious; the shared regtest chain imported with its tip,
 * chain work, tx count and hash_serialized_3 checked against
 * regtest-dev.json, also after SIGKILLs at random moments.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chain/address.h"
#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "store/store.h"
#include "util/args.h"
#include "util/request.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/chainstate_int.h"
#include "validation/coinstats.h"
#include "validation/versionbits.h"
#include "validation/validation.h"
#include "blockgen.h"
#include "testenv.h"
#include "unit.h"
#include "validation_rejects.h"

static void
test_genesis(void)
{
	struct testenv c;
	struct block_index_entry t;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	t = testenv_tip(&c);
	CHECK_EQ_INT(t.height, 0);
	CHECK(memcmp(t.hash, c.cp->genesis_hash, 32) == 0);
	CHECK(testenv_mine(&c, 3) == 0);
	testenv_close_keep(&c);
	/* Reopening continues from the store, with no repair step. */
	CHECK(testenv_reopen(&c) == 0);
	t = testenv_tip(&c);
	CHECK_EQ_INT(t.height, 3);
	CHECK_EQ_INT(t.chain_tx, 4);
	testenv_close(&c);
}

/* ---- reorgs ---- */

/* Builds n blocks on parent and submits each; out gets the last entry. */
static int
branch(struct testenv *c, const uint8_t parent[32], int n, uint8_t salt,
    struct block_index_entry *out, enum val_result *last)
{
	struct block_index_entry p;
	struct bg_block b;
	int i;

	if (chainstate_lookup(c->cs, parent, &p, NULL) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		testenv_block_on(c, &b, &p);
		/* A different coinbase than the main branch's. */
		b.txs[0].in[0].script[b.txs[0].in[0].script_len - 1] ^= salt;
		b.hdr.time += salt;
		testenv_finish(c, &b, 0);
		*last = testenv_submit(c, &b, NULL);
		bg_block_hash(&b, p.hash);
		p.height = b.height;
		p.hdr = b.hdr;
		bg_block_free(&b);
	}
	return chainstate_lookup(c->cs, p.hash, out, NULL);
}

static void
test_reorg_heavier(void)
{
	struct testenv c;
	struct block_index_entry a10, b, fork, t;
	enum val_result last;
	uint8_t h0[32], h1[32];

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 10) == 0);
	a10 = testenv_tip(&c);
	testenv_utxo_hash(&c, h0);
	CHECK(chainstate_active_hash(c.cs, 7, fork.hash) == 0);

	/* Equal work, seen later: stays on A. */
	CHECK(branch(&c, fork.hash, 3, 0x11, &b, &last) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, a10.hash, 32) == 0);
	/* One more: B is heavier and wins. */
	CHECK(branch(&c, b.hash, 1, 0x22, &b, &last) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, b.hash, 32) == 0);
	CHECK_EQ_INT(t.height, 11);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) != 0);
	/* A grows past B again: back to A. */
	CHECK(branch(&c, a10.hash, 2, 0x33, &b, &last) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, b.hash, 32) == 0);
	CHECK_EQ_INT(t.height, 12);
	testenv_close(&c);
}

/* Builds a block spending the coinbase at height h into two outputs, then one of them again. */
static void
block_with_spends(struct testenv *c, struct bg_block *b, int32_t spend_h)
{
	struct bg_tx t, t2;
	uint8_t txid[32];

	testenv_block_on_tip(c, b);
	bg_tx_init(&t);
	bg_tx_add_in(&t, c->cb[spend_h], 0);
	bg_tx_add_out(&t, 20 * COIN, bg_op_true, 1);
	bg_tx_add_out(&t, 29 * COIN, bg_p2wsh_true, 34);
	bg_block_add(b, &t);
	bg_tx_txid(&t, txid);
	/* Spent in the same block: never touches the store. */
	bg_tx_init(&t2);
	bg_tx_add_in(&t2, txid, 0);
	bg_tx_add_out(&t2, 19 * COIN, bg_op_true, 1);
	bg_block_add(b, &t2);
	bg_tx_free(&t);
	bg_tx_free(&t2);
	testenv_finish(c, b, 0);
	bg_tx_txid(&b->txs[0], c->cb[b->height]);
}

static void
test_reorg_roundtrip_20(void)
{
	struct testenv c;
	struct bg_block b;
	struct block_index_entry t0, t, fork, bt;
	uint8_t h0[32], h1[32], hfork[32], h20[32];
	enum val_result last;
	int i;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 101) == 0);
	for (i = 0; i < 30; i++) {
		block_with_spends(&c, &b, i + 1);
		CHECK_EQ_INT(testenv_submit(&c, &b, NULL), VAL_OK);
		bg_block_free(&b);
		if (i == 9)
			testenv_utxo_hash(&c, hfork);
	}
	t0 = testenv_tip(&c);
	testenv_utxo_hash(&c, h0);

	/* Invalidate 20 deep and come back. */
	CHECK(chainstate_active_hash(c.cs, t0.height - 19, fork.hash) == 0);
	CHECK(chainstate_invalidate(c.cs, fork.hash) == 0);
	t = testenv_tip(&c);
	CHECK_EQ_INT(t.height, t0.height - 20);
	testenv_utxo_hash(&c, h20);
	CHECK(memcmp(h20, hfork, 32) == 0);
	CHECK(chainstate_reconsider(c.cs, fork.hash) == 0);
	{
		int more;

		CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	}
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, t0.hash, 32) == 0);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) == 0);

	/* A real 20-block reorg to a heavier branch, then back. */
	CHECK(chainstate_active_hash(c.cs, t0.height - 20, fork.hash) == 0);
	CHECK(branch(&c, fork.hash, 21, 0x5a, &bt, &last) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, bt.hash, 32) == 0);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) != 0);
	CHECK(chainstate_active_hash(c.cs, t0.height - 19, fork.hash) == 0);
	CHECK(chainstate_invalidate(c.cs, fork.hash) == 0);
	{
		int more;

		CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	}
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, t0.hash, 32) == 0);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) == 0);
	CHECK_EQ_INT(chainstate_verify(c.cs, 4, 25), 1);
	testenv_close(&c);
}

static void
test_reorg_invalid_branch(void)
{
	struct testenv c;
	struct block_index_entry a10, p, t, e;
	struct bg_block b;
	uint8_t h0[32], h1[32], bad[32], last_hash[32];
	int i;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 10) == 0);
	a10 = testenv_tip(&c);
	testenv_utxo_hash(&c, h0);
	CHECK(chainstate_active_hash(c.cs, 5, p.hash) == 0);
	CHECK(chainstate_lookup(c.cs, p.hash, &p, NULL) == 0);
	/* B6..B11, with B8 paying itself too much. */
	for (i = 0; i < 6; i++) {
		testenv_block_on(&c, &b, &p);
		b.hdr.time += 7;
		if (b.height == 8) {
			b.txs[0].out[0].value += 1;
		}
		testenv_finish(&c, &b, 0);
		(void)testenv_submit(&c, &b, NULL);
		bg_block_hash(&b, p.hash);
		if (b.height == 8)
			memcpy(bad, p.hash, 32);
		p.height = b.height;
		p.hdr = b.hdr;
		bg_block_free(&b);
	}
	memcpy(last_hash, p.hash, 32);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, a10.hash, 32) == 0);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) == 0);
	CHECK(chainstate_lookup(c.cs, bad, &e, NULL) == 0);
	CHECK(e.status & BLOCK_FAILED_VALID);
	CHECK(chainstate_lookup(c.cs, last_hash, &e, NULL) == 0);
	CHECK(e.status & BLOCK_FAILED_CHILD);
	testenv_close(&c);
}

static void
test_invalidate_reconsider(void)
{
	struct testenv c;
	struct block_index_entry t10, t, b8;
	int more;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 10) == 0);
	t10 = testenv_tip(&c);
	CHECK(chainstate_active_hash(c.cs, 8, b8.hash) == 0);
	CHECK(chainstate_invalidate(c.cs, b8.hash) == 0);
	t = testenv_tip(&c);
	CHECK_EQ_INT(t.height, 7);
	CHECK(chainstate_lookup(c.cs, t10.hash, &t, NULL) == 0);
	CHECK(t.status & BLOCK_FAILED_CHILD);
	/* Mining goes on from 7. */
	CHECK(testenv_mine(&c, 1) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 8);
	CHECK(chainstate_reconsider(c.cs, b8.hash) == 0);
	CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, t10.hash, 32) == 0);
	CHECK(chainstate_lookup(c.cs, b8.hash, &t, NULL) == 0);
	CHECK((t.status & BLOCK_FAILED_MASK) == 0);
	CHECK(chainstate_invalidate(c.cs, (uint8_t[32]){ 1 }) == -1);
	/* Survives a restart. */
	testenv_close_keep(&c);
	CHECK(testenv_reopen(&c) == 0);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, t10.hash, 32) == 0);
	testenv_close(&c);
}

/* Regression: resubmitting an invalidated block, reconsider, restart. */
static void
test_restart_after_duplicate_invalid(void)
{
	struct testenv c;
	struct block_index_entry t5, t4;
	struct bg_block b;
	int more;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 4) == 0);
	t4 = testenv_tip(&c);
	testenv_block_on_tip(&c, &b);
	testenv_finish(&c, &b, 0);
	CHECK_EQ_INT(testenv_submit(&c, &b, NULL), VAL_OK);
	t5 = testenv_tip(&c);
	CHECK(testenv_mine(&c, 2) == 0);
	CHECK(chainstate_invalidate(c.cs, t5.hash) == 0);
	CHECK(memcmp(testenv_tip(&c).hash, t4.hash, 32) == 0);
	CHECK_EQ_INT(testenv_submit(&c, &b, NULL), VAL_INVALID);
	CHECK(chainstate_reconsider(c.cs, t5.hash) == 0);
	CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 7);
	t5 = testenv_tip(&c);
	bg_block_free(&b);
	testenv_close_keep(&c);
	CHECK(testenv_reopen(&c) == 0);
	if (c.cs)
		CHECK(memcmp(testenv_tip(&c).hash, t5.hash, 32) == 0);
	testenv_close(&c);
}

static void
test_precious(void)
{
	struct testenv c;
	struct block_index_entry a, b, fork;
	enum val_result last;
	int more;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 6) == 0);
	a = testenv_tip(&c);
	CHECK(chainstate_active_hash(c.cs, 4, fork.hash) == 0);
	CHECK(branch(&c, fork.hash, 2, 0x21, &b, &last) == 0);
	CHECK(memcmp(testenv_tip(&c).hash, a.hash, 32) == 0);
	CHECK(chainstate_precious(c.cs, b.hash) == 0);
	CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	CHECK(memcmp(testenv_tip(&c).hash, b.hash, 32) == 0);
	CHECK(chainstate_precious(c.cs, a.hash) == 0);
	CHECK(chainstate_activate(c.cs, 0, &more) == 0);
	CHECK(memcmp(testenv_tip(&c).hash, a.hash, 32) == 0);
	testenv_close(&c);
}

static void
test_headers_first(void)
{
	struct testenv c;
	struct bg_block b[5];
	struct block_header h[5];
	struct block_index_entry p, best, t;
	struct val_state st;
	uint8_t last[32];
	size_t acc;
	int i;

	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	CHECK(testenv_mine(&c, 2) == 0);
	p = testenv_tip(&c);
	for (i = 0; i < 5; i++) {
		testenv_block_on(&c, &b[i], &p);
		testenv_finish(&c, &b[i], 0);
		h[i] = b[i].hdr;
		bg_block_hash(&b[i], p.hash);
		p.height = b[i].height;
		p.hdr = b[i].hdr;
	}
	CHECK_EQ_INT(chainstate_process_headers(c.cs, h + 1, 4, &acc, last,
			 &st),
	    VAL_ORPHAN);
	CHECK_EQ_INT(chainstate_process_headers(c.cs, h, 5, &acc, last, &st),
	    VAL_OK);
	CHECK_EQ_INT(acc, 5);
	CHECK(memcmp(last, p.hash, 32) == 0);
	CHECK(chainstate_best_header(c.cs, &best) == 0);
	CHECK(memcmp(best.hash, p.hash, 32) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 2);
	/* Blocks in reverse: nothing connects until the first arrives. */
	for (i = 4; i >= 0; i--)
		CHECK_EQ_INT(testenv_submit(&c, &b[i], NULL), VAL_OK);
	t = testenv_tip(&c);
	CHECK(memcmp(t.hash, p.hash, 32) == 0);
	CHECK_EQ_INT(t.chain_tx, 8);
	/* A header with bad proof of work is refused. */
	bg_block_unsolve(&b[0], c.cp);
	CHECK_EQ_INT(chainstate_process_headers(c.cs, &b[0].hdr, 1, &acc, last,
			 &st),
	    VAL_INVALID);
	CHECK_EQ_STR(st.reason, "high-hash");
	for (i = 0; i < 5; i++)
		bg_block_free(&b[i]);
	testenv_close(&c);
}

/* A map far too small: every commit that overflows is redone after growing it. */
static void
test_mapfull_grow(void)
{
	struct testenv c;
	struct store_options so;
	struct chainstate_opts o;
	char path[300], err[256];
	uint8_t h0[32], h1[32];
	int64_t n;

	testenv_setup("test_validation", LOGL_INFO, 0);
	memset(&c, 0, sizeof(c));
	CHECK(testenv_tmpdir(c.dir, sizeof(c.dir), "test_validation") == 0);
	c.cp = chainparams_new(CHAIN_REGTEST);
	/* testenv_reopen below: the default options, not this test's. */
	c.opts.script_threads = 2;
	snprintf(path, sizeof(path), "%s/chainstate", c.dir);
	memset(&so, 0, sizeof(so));
	so.map_size = 64 * 1024;
	so.sync_interval_ms = -1;
	CHECK(store_open_opts(path, c.cp->magic, &so, &c.s, err,
		  sizeof(err)) == 0);
	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	CHECK(chainstate_open(c.cp, c.s, &o, &c.cs) == 0);
	CHECK(testenv_mine(&c, 150) == 0);
	n = (int64_t)store_map_size(c.s);
	CHECK(n > 64 * 1024);
	CHECK_EQ_INT(testenv_tip(&c).height, 150);
	testenv_utxo_hash(&c, h0);
	testenv_close_keep(&c);
	CHECK(testenv_reopen(&c) == 0);
	testenv_utxo_hash(&c, h1);
	CHECK(memcmp(h0, h1, 32) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 150);
	testenv_close(&c);
}

/* ---- the shared chain ---- */

struct expect {
	char tip[65];
	char chainwork[65];
	int64_t txcount;
	int32_t height;
	char hash3[65];
};

static int
load_expect(struct expect *x)
{
	json_error_t je;
	json_t *j = json_load_file(SHARED_PATH("chains/regtest-dev.json"), 0,
	    &je);

	if (j == NULL)
		return -1;
	snprintf(x->tip, sizeof(x->tip), "%s",
	    json_string_value(json_object_get(j, "bestblockhash")));
	snprintf(x->chainwork, sizeof(x->chainwork), "%s",
	    json_string_value(json_object_get(j, "chainwork")));
	snprintf(x->hash3, sizeof(x->hash3), "%s",
	    json_string_value(json_object_get(j, "hash_serialized_3")));
	x->txcount = json_integer_value(json_object_get(j, "txcount"));
	x->height = (int32_t)json_integer_value(json_object_get(j, "height"));
	json_decref(j);
	return 0;
}

/* Feeds every block of the bootstrap file; returns the count processed. */
static int
import_file(struct chainstate *cs, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[8], *raw;
	struct block_result r;
	uint32_t len;
	int n = 0;

	if (f == NULL)
		return -1;
	raw = xmalloc(MAX_BLOCK_SERIALIZED_SIZE);
	while (fread(hdr, 1, 8, f) == 8) {
		len = le32_read(hdr + 4);
		if (len > MAX_BLOCK_SERIALIZED_SIZE ||
		    fread(raw, 1, len, f) != len)
			break;
		if (chainstate_process_block(cs, raw, len, &r) ==
		    VAL_INVALID) {
			fprintf(stderr, "  block %d: %s %s\n", n, r.st.reason,
			    r.st.debug);
			break;
		}
		n++;
	}
	free(raw);
	fclose(f);
	return n;
}

static void
check_expect(struct testenv *c, const struct expect *x)
{
	struct block_index_entry t = testenv_tip(c);
	struct arith256 w;
	char hex[65], work[65];
	uint8_t h[32];

	hash_to_hex(t.hash, hex);
	CHECK_EQ_STR(hex, x->tip);
	CHECK_EQ_INT(t.height, x->height);
	arith256_from_be(&w, t.chainwork);
	arith256_to_hex(&w, work);
	CHECK_EQ_STR(work, x->chainwork);
	CHECK_EQ_INT(t.chain_tx, x->txcount);
	testenv_utxo_hash(c, h);
	hash_to_hex(h, hex);
	CHECK_EQ_STR(hex, x->hash3);
}

static void
test_import_shared_chain(void)
{
	struct testenv c;
	struct expect x;
	int64_t t0;

	CHECK(load_expect(&x) == 0);
	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	t0 = time_wall_micros();
	CHECK_EQ_INT(import_file(c.cs, SHARED_PATH("chains/regtest-dev.dat")),
	    1101);
	fprintf(stderr, "  imported regtest-dev.dat in %.3f s\n",
	    (time_wall_micros() - t0) / 1e6);
	check_expect(&c, &x);
	CHECK_EQ_INT(chainstate_verify(c.cs, 4, 50), 1);
	/* Core mined this chain: our miner's version must match every block. */
	{
		int32_t h, bad = 0;

		for (h = 1; h <= x.height; h++) {
			struct bindex *b = chain_at(&c.cs->chain, h);

			if (vb_block_version(c.cp, b->parent) !=
			    b->e.hdr.version)
				bad++;
		}
		CHECK_EQ_INT(bad, 0);
		CHECK_EQ_INT(vb_state_after(&vb_deployments(c.cp, &h)[0],
				 chain_at(&c.cs->chain, 143)),
		    VB_STARTED);
		CHECK_EQ_INT(vb_state_since(&vb_deployments(c.cp, &h)[0],
				 chain_tip(&c.cs->chain)),
		    432);
	}
	/* A 100-block round trip through invalidate/reconsider. */
	{
		uint8_t h0[32], h1[32], hash[32];
		int more;

		testenv_utxo_hash(&c, h0);
		CHECK(chainstate_active_hash(c.cs, 1001, hash) == 0);
		CHECK(chainstate_invalidate(c.cs, hash) == 0);
		CHECK_EQ_INT(testenv_tip(&c).height, 1000);
		CHECK(chainstate_reconsider(c.cs, hash) == 0);
		CHECK(chainstate_activate(c.cs, 0, &more) == 0);
		testenv_utxo_hash(&c, h1);
		CHECK(memcmp(h0, h1, 32) == 0);
	}
	/* -reindex from the stored blocks gives the same state. */
	{
		int more = 1;

		CHECK(chainstate_reindex(c.cs) == 0);
		CHECK_EQ_INT(testenv_tip(&c).height, 0);
		while (more)
			CHECK(chainstate_activate(c.cs, 100, &more) == 0);
		check_expect(&c, &x);
	}
	testenv_close(&c);
}

static void
test_import_kill9(void)
{
	struct testenv c;
	struct expect x;
	pid_t pid;
	int i, status, kills = 0;
	unsigned seed = (unsigned)time(NULL);

	CHECK(load_expect(&x) == 0);
	CHECK(testenv_open(&c, "test_validation", NULL) == 0);
	testenv_close_keep(&c);
	srand(seed);
	for (i = 0; i < 5; i++) {
		pid = fork();
		if (pid == 0) {
			if (testenv_reopen(&c) != 0)
				_exit(2);
			(void)import_file(c.cs,
			    SHARED_PATH("chains/regtest-dev.dat"));
			_exit(0);
		}
		CHECK(pid > 0);
		usleep(50000 + (useconds_t)(rand() % 700) * 1000);
		if (kill(pid, SIGKILL) == 0)
			kills++;
		CHECK(waitpid(pid, &status, 0) == pid);
		/* Each restart opens as is: the last committed block. */
		CHECK(testenv_reopen(&c) == 0);
		fprintf(stderr,
		    "  kill %d (seed %u): restarted at height %d\n", i, seed,
		    testenv_tip(&c).height);
		testenv_close_keep(&c);
	}
	CHECK(kills > 0);
	CHECK(testenv_reopen(&c) == 0);
	CHECK_EQ_INT(import_file(c.cs, SHARED_PATH("chains/regtest-dev.dat")),
	    1101);
	check_expect(&c, &x);
	testenv_close(&c);
}

/* ---- the thread, through its requests (validation.h) ---- */

/* -datadir=dir and up to two options, either NULL. */
static struct args *
thread_args(const char *dir, const char *extra1, const char *extra2)
{
	const char *extra[2] = { extra1, extra2 };

	return testenv_args(dir, extra, 2);
}

#define REQ_MS 60000

/* Mines n blocks paying script; the number mined, or -1 with *e. */
static int
gen(struct validation *v, const uint8_t *script, size_t len, int64_t n,
    struct request_error *e)
{
	struct validation_generated g;
	int got;

	if (validation_generate(v, script, len, n, 1000000, &g, REQ_MS, e) !=
	    0)
		return -1;
	got = (int)g.n;
	validation_generated_free(&g);
	return got;
}

static const uint8_t op_true[1] = { 0x51 };

/* generateblock with one raw transaction (or none); 0, or -1 with *e. */
static int
gen_block(struct validation *v, const uint8_t *script, size_t len,
    const uint8_t *tx, size_t txlen, int submit,
    struct validation_block_made *out, struct request_error *e)
{
	struct validation_block_tx t;

	memset(&t, 0, sizeof(t));
	t.raw = (uint8_t *)(uintptr_t)tx;
	t.len = txlen;
	return validation_generate_block(v, script, len, &t, tx ? 1 : 0, 1,
	    submit, out, REQ_MS, e);
}

static void
sync_queue(struct validation *v)
{
	struct request_error e;

	CHECK(validation_sync(v, REQ_MS, &e) == 0);
}

/* Waits (on the tip listener) until the tip reaches height; 0 or -1. */
struct tip_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int32_t height;
};

static void
tw_tip(void *arg, const uint8_t hash[32], int32_t height, int ibd)
{
	struct tip_wait *tw = arg;

	(void)hash;
	(void)ibd;
	pthread_mutex_lock(&tw->mu);
	tw->height = height;
	pthread_cond_broadcast(&tw->cv);
	pthread_mutex_unlock(&tw->mu);
}

static int
wait_height(struct validation *v, int32_t height, int timeout_s)
{
	struct validation_listener l;
	struct block_index_entry t;
	struct tip_wait tw;
	struct timespec dl;
	int rc = 0;

	pthread_mutex_init(&tw.mu, NULL);
	pthread_cond_init(&tw.cv, NULL);
	tw.height = -1;
	memset(&l, 0, sizeof(l));
	l.arg = &tw;
	l.tip_changed = tw_tip;
	validation_add_listener(v, &l);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_s;
	pthread_mutex_lock(&tw.mu);
	if (chainstate_tip(validation_chainstate(v), &t) == 0 &&
	    t.height > tw.height)
		tw.height = t.height;
	while (tw.height < height && rc == 0)
		rc = pthread_cond_timedwait(&tw.cv, &tw.mu, &dl);
	rc = tw.height >= height ? 0 : -1;
	pthread_mutex_unlock(&tw.mu);
	validation_remove_listener(v, &tw);
	pthread_cond_destroy(&tw.cv);
	pthread_mutex_destroy(&tw.mu);
	return rc;
}

struct thread_env {
	char dir[256];
	struct chainparams *cp;
	struct store *s;
	struct args *a;
	struct validation *v;
};

static int
env_start(struct thread_env *te, const char *extra1, const char *extra2)
{
	char path[300];

	testenv_setup("test_validation", LOGL_INFO, 0);
	memset(te, 0, sizeof(*te));
	if (testenv_tmpdir(te->dir, sizeof(te->dir), "test_validation") != 0)
		return -1;
	te->cp = chainparams_new(CHAIN_REGTEST);
	if ((te->a = thread_args(te->dir, extra1, extra2)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/chainstate", te->dir);
	if ((te->s = testenv_store_open(path, te->cp->magic)) == NULL)
		return -1;
	return validation_start(te->a, te->cp, te->s, &te->v);
}

/* Stops the thread and starts it again on the same datadir with new options. */
static void
env_restart(struct thread_env *te, const char *extra1, const char *extra2)
{
	validation_stop(te->v);
	args_free(te->a);
	te->a = thread_args(te->dir, extra1, extra2);
	CHECK(te->a != NULL);
	CHECK(validation_start(te->a, te->cp, te->s, &te->v) == 0);
}

static void
env_stop(struct thread_env *te)
{
	validation_stop(te->v);
	store_close(te->s);
	args_free(te->a);
	chainparams_free(te->cp);
	testenv_rm_rf(te->dir);
}

static void
test_thread_mining(void)
{
	struct thread_env te;
	struct request_error e;
	struct validation_block_made made;
	struct validation_block_verdict vd;
	struct validation_template tmpl;
	struct validation_mining_info mi;
	uint8_t script[22] = { 0x00, 0x14 }, *blockraw;
	uint8_t unknown[32];
	size_t blocklen;
	int ok;

	CHECK(env_start(&te, NULL, NULL) == 0);
	CHECK_EQ_INT(gen(te.v, script, sizeof(script), 5, &e), 5);
	CHECK_EQ_INT(gen(te.v, op_true, 1, 2, &e), 2);

	/* generateblock without submitting, then submit it twice. */
	CHECK(gen_block(te.v, script, sizeof(script), NULL, 0, 0, &made, &e) ==
	    0);
	CHECK(made.made && made.raw != NULL);
	blockraw = made.raw;
	blocklen = made.len;
	made.raw = NULL;
	validation_block_made_free(&made);
	CHECK(validation_submit_rpc_block(te.v, blockraw, blocklen, &vd,
		  REQ_MS, &e) == 0);
	CHECK_EQ_INT(vd.verdict, VALIDATION_ACCEPTED);
	CHECK(validation_submit_rpc_block(te.v, blockraw, blocklen, &vd,
		  REQ_MS, &e) == 0);
	CHECK_EQ_INT(vd.verdict, VALIDATION_DUPLICATE);
	/* A header alone: known now, so accepted without error. */
	CHECK(validation_submit_rpc_header(te.v, blockraw, REQ_MS, &e) == 0);
	/* A header whose parent nobody knows. */
	blockraw[4] ^= 1;
	CHECK(validation_submit_rpc_header(te.v, blockraw, REQ_MS, &e) != 0);
	CHECK_EQ_INT(e.status, VALIDATION_E_REJECTED);
	CHECK(strncmp(e.message, "Must submit previous header (", 29) == 0);
	free(blockraw);

	CHECK(validation_get_template(te.v, &tmpl, REQ_MS, &e) == 0);
	CHECK_EQ_INT(tmpl.height, 9);
	CHECK(tmpl.has_commitment);
	CHECK(!tmpl.pre_segwit);
	CHECK(tmpl.coinbase_value > 0);
	template_txs_free(&tmpl.txs);

	CHECK(validation_mining_info(te.v, &mi, REQ_MS, &e) == 0);
	CHECK_EQ_INT(mi.height, 8);
	CHECK(mi.have_assembled);

	sync_queue(te.v);

	/* generateblock with a raw transaction spending a mature coinbase. */
	CHECK_EQ_INT(gen(te.v, op_true, 1, 100, &e), 100);
	{
		struct store_rtxn *rt;
		struct block blk;
		struct bg_tx t;
		struct wbuf w;
		struct block_index_entry before, after;
		const uint8_t *raw;
		uint8_t h6[32];
		size_t len;

		/* Block 6 paid raw(51): OP_TRUE, spendable with nothing. */
		CHECK(chainstate_active_hash(validation_chainstate(te.v), 6,
			  h6) == 0);
		CHECK(store_read_begin(te.s, &rt) == STORE_OK);
		CHECK(store_get_block(rt, h6, &raw, &len) == STORE_OK);
		CHECK(block_parse(raw, len, &blk) == 0);
		bg_tx_init(&t);
		bg_tx_add_in(&t, blk.txs[0].txid, 0);
		bg_tx_add_out(&t, 49 * COIN, bg_op_true, 1);
		block_free(&blk);
		store_read_end(rt);
		wbuf_init(&w);
		bg_tx_serialize(&t, &w, 1);
		CHECK(
		    chainstate_tip(validation_chainstate(te.v), &before) == 0);
		CHECK(gen_block(te.v, script, sizeof(script), w.p, w.len, 1,
			  &made, &e) == 0);
		CHECK(made.made && made.raw == NULL);
		validation_block_made_free(&made);
		CHECK(
		    chainstate_tip(validation_chainstate(te.v), &after) == 0);
		CHECK_EQ_INT(after.height, before.height + 1);
		CHECK_EQ_INT(after.chain_tx, before.chain_tx + 2);
		/* The same tx again: its outputs exist (BIP30 first, as Core). */
		CHECK(gen_block(te.v, script, sizeof(script), w.p, w.len, 1,
			  &made, &e) != 0);
		CHECK_EQ_INT(e.status, VALIDATION_E_REJECTED);
		CHECK(strncmp(e.message,
			  "TestBlockValidity failed: "
			  "bad-txns-BIP30",
			  40) == 0);
		/* Another spend of the same coin: it is gone. */
		t.out[0].value = 48 * COIN;
		wbuf_reset(&w);
		bg_tx_serialize(&t, &w, 1);
		CHECK(gen_block(te.v, script, sizeof(script), w.p, w.len, 1,
			  &made, &e) != 0);
		CHECK_EQ_INT(e.status, VALIDATION_E_REJECTED);
		CHECK(strncmp(e.message,
			  "TestBlockValidity failed: "
			  "bad-txns-inputs-missingorspent",
			  56) == 0);
		wbuf_free(&w);
		bg_tx_free(&t);
	}
	/* A txid the mempool does not have (there is no mempool here). */
	{
		struct validation_block_tx t[2];

		memset(t, 0, sizeof(t));
		t[1].is_txid = 1;
		t[1].txid[0] = 7;
		t[0].raw = NULL;
		t[0].is_txid = 1;
		CHECK(validation_generate_block(te.v, op_true, 1, t, 2, 1, 1,
			  &made, REQ_MS, &e) == 0);
		CHECK(made.missing && made.missing_at == 0 && !made.made);
		validation_block_made_free(&made);
	}

	memset(unknown, 0, sizeof(unknown));
	unknown[0] = 1;
	CHECK(validation_mark_block(te.v, VALIDATION_INVALIDATE, unknown,
		  REQ_MS, &e) != 0);
	CHECK_EQ_INT(e.status, VALIDATION_E_NOT_FOUND);
	CHECK_EQ_STR(e.message, "Block not found");
	CHECK(validation_verify_chain(te.v, 4, 0, &ok, REQ_MS, &e) == 0);
	CHECK(ok);
	env_stop(&te);
}

static void
test_thread_loadblock(void)
{
	struct thread_env te;
	struct expect x;
	char lb[600];
	struct block_index_entry t;
	char hex[65];

	CHECK(load_expect(&x) == 0);
	snprintf(lb, sizeof(lb), "-loadblock=%s",
	    SHARED_PATH("chains/regtest-dev.dat"));
	CHECK(env_start(&te, lb, NULL) == 0);
	CHECK(validation_is_initial_download(te.v));
	/* Requests are answered while the import runs. */
	sync_queue(te.v);
	CHECK(wait_height(te.v, x.height, 50) == 0);
	CHECK(chainstate_tip(validation_chainstate(te.v), &t) == 0);
	hash_to_hex(t.hash, hex);
	CHECK_EQ_STR(hex, x.tip);
	/* -reindex rebuilds the same state from the stored blocks. */
	env_restart(&te, "-reindex", NULL);
	CHECK(wait_height(te.v, x.height, 50) == 0);
	CHECK(!validation_is_initial_download(te.v) ||
	    node_time() - t.hdr.time > 24 * 60 * 60);
	CHECK(chainstate_tip(validation_chainstate(te.v), &t) == 0);
	hash_to_hex(t.hash, hex);
	CHECK_EQ_STR(hex, x.tip);
	env_stop(&te);
}

/*
 * A bootstrap file out of order and with junk between blocks: 300 blocks
 * of the shared chain, the first 50 after block 50 reversed, every other
 * pair swapped, garbage and a false start (magic, absurd length) between.
 */
static void
test_thread_loadblock_shuffled(void)
{
	struct thread_env te;
	FILE *in, *out;
	uint8_t *blocks[300], hdr[8], want[32];
	uint32_t lens[300], len;
	int order[300], i, n = 0;
	char path[300], lb[400], hex[65], wanthex[65];
	struct block_index_entry t;
	static const uint8_t junk[] = { 0xfa, 0xbf, 0xb5, 0xda, 0xff, 0xff,
		0xff, 0x7f, 0x00, 0x01, 0x02, 0xfa, 0xbf };

	in = fopen(SHARED_PATH("chains/regtest-dev.dat"), "rb");
	CHECK(in != NULL);
	if (in == NULL)
		return;
	while (n < 300 && fread(hdr, 1, 8, in) == 8) {
		len = le32_read(hdr + 4);
		blocks[n] = xmalloc(len);
		lens[n] = len;
		if (fread(blocks[n], 1, len, in) != len)
			break;
		n++;
	}
	fclose(in);
	CHECK_EQ_INT(n, 300);
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 0; i < 50; i++)
		order[50 + i] = 99 - i;
	for (i = 150; i + 1 < n; i += 2) {
		order[i] = i + 1;
		order[i + 1] = i;
	}
	CHECK(env_start(&te, NULL, NULL) == 0);
	snprintf(path, sizeof(path), "%s/shuffled.dat", te.dir);
	out = fopen(path, "wb");
	for (i = 0; i < n; i++) {
		uint8_t h[8];

		memcpy(h, te.cp->magic, 4);
		le32_write(h + 4, lens[order[i]]);
		fwrite(h, 1, 8, out);
		fwrite(blocks[order[i]], 1, lens[order[i]], out);
		if (i % 37 == 0)
			fwrite(junk, 1, sizeof(junk), out);
	}
	fclose(out);
	{
		struct block_header h;
		struct rbuf rb;

		rbuf_init(&rb, blocks[n - 1], lens[n - 1]);
		CHECK(header_parse(&rb, &h) == 0);
		header_hash(&h, want);
		hash_to_hex(want, wanthex);
	}
	snprintf(lb, sizeof(lb), "-loadblock=%s", path);
	env_restart(&te, lb, NULL);
	CHECK(wait_height(te.v, n - 1, 30) == 0);
	/* Let the import thread finish its last message too. */
	sync_queue(te.v);
	CHECK(chainstate_tip(validation_chainstate(te.v), &t) == 0);
	hash_to_hex(t.hash, hex);
	CHECK_EQ_STR(hex, wanthex);
	CHECK_EQ_INT(t.height, n - 1);
	env_stop(&te);
	for (i = 0; i < n; i++)
		free(blocks[i]);
}

/* Last: the shutdown request it makes cannot be taken back. */
static void
test_thread_stopatheight(void)
{
	struct thread_env te;
	struct block_index_entry t;
	char lb[600];
	int i;

	snprintf(lb, sizeof(lb), "-loadblock=%s",
	    SHARED_PATH("chains/regtest-dev.dat"));
	CHECK(env_start(&te, lb, "-stopatheight=200") == 0);
	for (i = 0; i < 30000 && !shutdown_requested(); i++)
		usleep(1000);
	CHECK(shutdown_requested());
	usleep(100000);
	CHECK(chainstate_tip(validation_chainstate(te.v), &t) == 0);
	/* It stops taking imported blocks once there. */
	CHECK(t.height >= 200 && t.height < 220);
	env_stop(&te);
}

struct seen {
	pthread_mutex_t mu;
	int blocks, headers, tips;
	uint64_t peer;
	enum val_result res;
	char reason[160];
	int32_t tip_height;
};

static void
l_block(void *arg, uint64_t peer, const uint8_t hash[32], enum val_result res,
    const char *reason)
{
	struct seen *s = arg;

	(void)hash;
	pthread_mutex_lock(&s->mu);
	s->blocks++;
	s->peer = peer;
	s->res = res;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	pthread_mutex_unlock(&s->mu);
}

static void
l_headers(void *arg, uint64_t peer, enum val_result res, const char *reason,
    const uint8_t last[32])
{
	struct seen *s = arg;

	(void)last;
	pthread_mutex_lock(&s->mu);
	s->headers++;
	s->peer = peer;
	s->res = res;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	pthread_mutex_unlock(&s->mu);
}

static void
l_tip(void *arg, const uint8_t hash[32], int32_t height, int ibd)
{
	struct seen *s = arg;

	(void)hash;
	(void)ibd;
	pthread_mutex_lock(&s->mu);
	s->tips++;
	s->tip_height = height;
	pthread_mutex_unlock(&s->mu);
}

static void
test_thread_listeners(void)
{
	struct thread_env te;
	struct validation_listener l;
	struct seen seen;
	struct request_error e;
	struct validation_block_made made;
	struct validation_block_verdict vd;
	struct bg_block b;
	struct block_index_entry tip;
	struct wbuf w;

	memset(&seen, 0, sizeof(seen));
	pthread_mutex_init(&seen.mu, NULL);
	CHECK(env_start(&te, NULL, NULL) == 0);
	memset(&l, 0, sizeof(l));
	l.arg = &seen;
	l.block_done = l_block;
	l.headers_done = l_headers;
	l.tip_changed = l_tip;
	validation_add_listener(te.v, &l);
	CHECK(chainstate_tip(validation_chainstate(te.v), &tip) == 0);
	bg_block_init(&b, tip.hash, 1, tip.hdr.time + 1, tip.hdr.bits,
	    bg_subsidy(1));
	bg_block_merkle(&b);
	bg_block_solve(&b, te.cp);
	wbuf_init(&w);
	bg_block_serialize(&b, &w);
	CHECK(validation_submit_headers(te.v, 7, &b.hdr, 1) == 0);
	CHECK(validation_submit_block(te.v, 7, w.p, w.len) == 0);
	/* The queue is a barrier: answered after both. */
	sync_queue(te.v);
	pthread_mutex_lock(&seen.mu);
	CHECK_EQ_INT(seen.headers, 1);
	CHECK_EQ_INT(seen.blocks, 1);
	CHECK_EQ_INT(seen.peer, 7);
	CHECK_EQ_INT(seen.res, VAL_OK);
	CHECK_EQ_INT(seen.tips, 1);
	CHECK_EQ_INT(seen.tip_height, 1);
	pthread_mutex_unlock(&seen.mu);
	/* A bad block: the peer is told why. */
	bg_block_free(&b);
	bg_block_init(&b, tip.hash, 1, tip.hdr.time + 2, tip.hdr.bits,
	    bg_subsidy(1));
	bg_block_merkle(&b);
	b.hdr.merkle[5] ^= 1;
	bg_block_solve(&b, te.cp);
	wbuf_reset(&w);
	bg_block_serialize(&b, &w);
	CHECK(validation_submit_block(te.v, 9, w.p, w.len) == 0);
	sync_queue(te.v);
	pthread_mutex_lock(&seen.mu);
	CHECK_EQ_INT(seen.peer, 9);
	CHECK_EQ_INT(seen.res, VAL_INVALID);
	CHECK_EQ_STR(seen.reason, "bad-txnmrklroot");
	pthread_mutex_unlock(&seen.mu);
	/* getblocktemplate proposal of a block on the tip. */
	CHECK(gen_block(te.v, op_true, 1, NULL, 0, 0, &made, &e) == 0);
	CHECK(validation_check_proposal(te.v, made.raw, made.len, &vd, REQ_MS,
		  &e) == 0);
	CHECK_EQ_INT(vd.verdict, VALIDATION_ACCEPTED);
	/* Known once submitted. */
	CHECK(validation_submit_rpc_block(te.v, made.raw, made.len, &vd,
		  REQ_MS, &e) == 0);
	CHECK(validation_check_proposal(te.v, made.raw, made.len, &vd, REQ_MS,
		  &e) == 0);
	CHECK_EQ_INT(vd.verdict, VALIDATION_DUPLICATE);
	validation_block_made_free(&made);
	wbuf_free(&w);
	bg_block_free(&b);
	env_stop(&te);
	pthread_mutex_destroy(&seen.mu);
}

UNIT_MAIN(UNIT_CASE(test_genesis), UNIT_CASE(test_rejects_header),
    UNIT_CASE(test_rejects_structure), UNIT_CASE(test_rejects_witness),
    UNIT_CASE(test_rejects_inputs),
    UNIT_CASE(test_bip68_version_read_unsigned), UNIT_CASE(test_reorg_heavier),
    UNIT_CASE(test_reorg_roundtrip_20), UNIT_CASE(test_reorg_invalid_branch),
    UNIT_CASE(test_invalidate_reconsider),
    UNIT_CASE(test_restart_after_duplicate_invalid), UNIT_CASE(test_precious),
    UNIT_CASE(test_headers_first), UNIT_CASE(test_mapfull_grow),
    UNIT_CASE(test_import_shared_chain), UNIT_CASE(test_import_kill9),
    UNIT_CASE(test_thread_mining), UNIT_CASE(test_thread_listeners),
    UNIT_CASE(test_thread_loadblock),
    UNIT_CASE(test_thread_loadblock_shuffled),
    UNIT_CASE(test_thread_stopatheight))
