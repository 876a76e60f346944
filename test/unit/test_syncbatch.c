/*
 * Sync batches (src/validation/syncbatch.c): blocks connected during
 * initial download share one store write transaction.
 *
 * Checked: while a batch is open, other threads' view (chainstate_tip,
 * chainstate_active_hash, chainstate_lookup's active flag) and the store
 * stay at the last commit and no hook has fired; ending it publishes
 * every block at once, then fires block_connected in chain order and
 * tip_changed once. An invalid block inside a batch is refused without
 * touching it. Leaving initial download commits first. A process that
 * dies with a batch open (no commit) reopens at the last commit, and the
 * estimated dirty pages end a batch at -dbcache.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/chainstate_int.h"
#include "blockgen.h"
#include "testenv.h"
#include "unit.h"

static struct hooks_seen {
	int32_t heights[64];
	int n;
	int tips;
	int32_t tip_height;
} seen;

static void
on_connected(void *arg, const struct block_index_entry *e, const uint8_t *raw,
    size_t len)
{
	(void)arg;
	/* The store already holds what the hook is told about. */
	CHECK(raw != NULL && len > 80);
	if (seen.n < 64)
		seen.heights[seen.n++] = e->height;
}

static void
on_tip(void *arg, const struct block_index_entry *tip, int ibd)
{
	(void)arg;
	(void)ibd;
	seen.tips++;
	seen.tip_height = tip->height;
}

static void
hook_up(struct testenv *c)
{
	struct chainstate_hooks h;

	memset(&h, 0, sizeof(h));
	h.block_connected = on_connected;
	h.tip_changed = on_tip;
	chainstate_set_hooks(c->cs, &h);
	memset(&seen, 0, sizeof(seen));
}

/* The owner's working tip, which a batch runs ahead of the published one. */
static struct block_index_entry
working_tip(struct testenv *c)
{
	return chain_tip(&c->cs->chain)->e;
}

/*
 * Mines n blocks on the working tip; each is connected at once. A salt
 * with the top bit set dates them now (initial download can end).
 */
static void
mine_working(struct testenv *c, int n, uint8_t salt)
{
	struct block_index_entry t;
	struct bg_block b;
	int i;

	for (i = 0; i < n; i++) {
		t = working_tip(c);
		testenv_block_on(c, &b, &t);
		b.txs[0].in[0].script[b.txs[0].in[0].script_len - 1] ^= salt;
		if (salt & 0x80)
			b.hdr.time = (uint32_t)time(NULL) + (uint32_t)i;
		testenv_finish(c, &b, 0);
		CHECK_EQ_INT(testenv_submit(c, &b, NULL), VAL_OK);
		bg_block_free(&b);
	}
}

/* The tip the store has committed. */
static int32_t
store_height(struct testenv *c)
{
	struct store_rtxn *r;
	uint8_t h[32];
	int32_t height = -2;

	CHECK(store_read_begin(c->s, &r) == STORE_OK);
	CHECK(store_get_tip(r, h, &height) == STORE_OK);
	store_read_end(r);
	return height;
}

static int
batch_open(struct chainstate *cs)
{
	return cs->batch != NULL;
}

static void
start_batching(struct testenv *c)
{
	chainstate_set_importing(c->cs, 1);
	chainstate_allow_batches(c->cs, 1);
}

static void
test_batch_publishes_at_commit(void)
{
	struct testenv c;
	struct chainstate_opts o;
	struct block_index_entry t, e;
	uint8_t hash[32];
	int active = -1, i;

	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = (uint64_t)64 << 20;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	CHECK(testenv_mine(&c, 2) == 0);
	hook_up(&c);
	start_batching(&c);
	mine_working(&c, 5, 0x41);
	CHECK(batch_open(c.cs));
	CHECK_EQ_INT(working_tip(&c).height, 7);
	/* Others see the last commit, and so does the store. */
	t = testenv_tip(&c);
	CHECK_EQ_INT(t.height, 2);
	CHECK_EQ_INT(store_height(&c), 2);
	CHECK(chainstate_active_hash(c.cs, 5, hash) != 0);
	CHECK(chainstate_active_hash(c.cs, 2, hash) == 0);
	e = working_tip(&c);
	CHECK(chainstate_lookup(c.cs, e.hash, NULL, &active) == 0);
	CHECK_EQ_INT(active, 0);
	CHECK_EQ_INT(seen.n, 0);
	CHECK_EQ_INT(seen.tips, 0);

	chainstate_end_batch(c.cs);
	CHECK(!batch_open(c.cs));
	CHECK_EQ_INT(testenv_tip(&c).height, 7);
	CHECK_EQ_INT(store_height(&c), 7);
	CHECK(chainstate_lookup(c.cs, e.hash, NULL, &active) == 0);
	CHECK_EQ_INT(active, 1);
	CHECK_EQ_INT(seen.n, 5);
	for (i = 0; i < seen.n; i++)
		CHECK_EQ_INT(seen.heights[i], 3 + i);
	CHECK_EQ_INT(seen.tips, 1);
	CHECK_EQ_INT(seen.tip_height, 7);
	c.cs->hooks.block_connected = NULL;
	c.cs->hooks.tip_changed = NULL;
	testenv_close(&c);
}

static void
test_batch_invalid_block_inside(void)
{
	struct testenv c;
	struct chainstate_opts o;
	struct block_index_entry t;
	struct bg_block b;
	uint8_t before[32], after[32];

	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = (uint64_t)64 << 20;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	start_batching(&c);
	mine_working(&c, 3, 0x51);
	CHECK(batch_open(c.cs));
	/* A coinbase paying one satoshi too much: checks fail before writes. */
	t = working_tip(&c);
	testenv_block_on(&c, &b, &t);
	b.txs[0].out[0].value += 1;
	testenv_finish(&c, &b, 0);
	CHECK_EQ_INT(testenv_submit(&c, &b, NULL), VAL_INVALID);
	bg_block_free(&b);
	CHECK(batch_open(c.cs));
	CHECK_EQ_INT(working_tip(&c).height, 3);
	mine_working(&c, 2, 0x52);
	chainstate_end_batch(c.cs);
	CHECK_EQ_INT(testenv_tip(&c).height, 5);
	CHECK_EQ_INT(store_height(&c), 5);
	testenv_utxo_hash(&c, before);
	/* Reopened: the same chain and coins, with no repair. */
	testenv_close_keep(&c);
	CHECK(testenv_reopen(&c) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 5);
	testenv_utxo_hash(&c, after);
	CHECK(memcmp(before, after, 32) == 0);
	testenv_close(&c);
}

static void
test_batch_ends_when_ibd_ends(void)
{
	struct testenv c;
	struct chainstate_opts o;

	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = (uint64_t)64 << 20;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	start_batching(&c);
	mine_working(&c, 2, 0x61);
	CHECK(batch_open(c.cs));
	/* Recent blocks and no import: initial download latches off. */
	chainstate_set_importing(c.cs, 0);
	mine_working(&c, 1, 0xe2);
	CHECK(!chainstate_is_initial_download(c.cs));
	CHECK(!batch_open(c.cs));
	CHECK_EQ_INT(store_height(&c), 3);
	CHECK_EQ_INT(testenv_tip(&c).height, 3);
	testenv_close(&c);
}

static void
test_batch_lost_on_crash(void)
{
	struct testenv c;
	struct chainstate_opts o;
	pid_t pid;
	int status;

	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = (uint64_t)64 << 20;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	CHECK(testenv_mine(&c, 4) == 0);
	testenv_close_keep(&c);
	pid = fork();
	if (pid == 0) {
		if (testenv_reopen(&c) != 0)
			_exit(2);
		start_batching(&c);
		mine_working(&c, 6, 0x71);
		/* Dies with the batch open: nothing of it was committed. */
		_exit(batch_open(c.cs) ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(testenv_reopen(&c) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 4);
	CHECK_EQ_INT(store_height(&c), 4);
	/* And syncing on from there works. */
	CHECK(testenv_mine(&c, 2) == 0);
	CHECK_EQ_INT(testenv_tip(&c).height, 6);
	testenv_close(&c);
}

static void
test_batch_budget(void)
{
	struct testenv c;
	struct chainstate_opts o;
	int i, commits;

	/* A budget below one block's records: every block its own batch. */
	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = 1;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	start_batching(&c);
	commits = (int)c.cs->batch_commits;
	for (i = 0; i < 4; i++) {
		mine_working(&c, 1, (uint8_t)(0x30 + i));
		CHECK(!batch_open(c.cs));
		CHECK_EQ_INT(store_height(&c), i + 1);
	}
	CHECK_EQ_INT((int)c.cs->batch_commits - commits, 4);
	testenv_close(&c);

	/* Batches not allowed by the owner: one transaction per block. */
	memset(&o, 0, sizeof(o));
	o.script_threads = 1;
	o.batch_bytes = (uint64_t)64 << 20;
	CHECK(testenv_open(&c, "test_syncbatch", &o) == 0);
	chainstate_set_importing(c.cs, 1);
	mine_working(&c, 3, 0x11);
	CHECK(!batch_open(c.cs));
	CHECK_EQ_INT(store_height(&c), 3);
	testenv_close(&c);
}

UNIT_MAIN(UNIT_CASE(test_batch_publishes_at_commit),
    UNIT_CASE(test_batch_invalid_block_inside),
    UNIT_CASE(test_batch_ends_when_ibd_ends),
    UNIT_CASE(test_batch_lost_on_crash), UNIT_CASE(test_batch_budget))
