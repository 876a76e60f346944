/*
 * The LMDB store under stress: durability across SIGKILL in the middle of
 * commits, readers running while the writer commits (and grows the map),
 * the sync modes, and two chainstates written from two threads. The
 * record round trips and refusals are in test_store.c.
 */
#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "store_testutil.h"
#include "testenv.h"
#include "unit.h"
#include "crypto/hash.h"
#include "store/store.h"
#include "store/store_int.h"
#include "util/buf.h"

/* ---- kill -9 ---- */

/*
 * The child commits blocks forever: block i adds coin i, index entry i,
 * active hash i, undo and a raw block (sizes vary so commits take
 * different times) and moves the tip to i, all in one transaction.
 */
static _Noreturn void
kill_child(const char *dir)
{
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct block_index_entry e;
	struct outpoint op;
	struct coin c;
	static uint8_t blob[200000];
	uint8_t tiph[32];
	int32_t tip;
	uint32_t i;
	size_t k;
	int rc;

	for (k = 0; k < sizeof(blob); k++)
		blob[k] = (uint8_t)(k * 13);
	if ((s = testenv_store_open(dir, REGTEST)) == NULL)
		_exit(3);
	if (store_read_begin(s, &r) != 0 || store_get_tip(r, tiph, &tip) != 0)
		_exit(4);
	store_read_end(r);
	for (i = (uint32_t)(tip + 1);; i++) {
		do {
			if (store_write_begin(s, &w) != 0)
				_exit(5);
			fill_entry(&e, i);
			/* The block starts with its header: reads check it. */
			header_serialize(&e.hdr, blob);
			mkhash(i, 50, op.hash);
			op.n = i & 3;
			memset(&c, 0, sizeof(c));
			c.value = (int64_t)i;
			c.height = (int32_t)i;
			c.script = blob + 80;
			c.script_len = i % 40;
			if ((rc = store_put_index(w, &e)) == 0 &&
			    (rc = store_put_coin(w, &op, &c)) == 0 &&
			    (rc = store_put_block(w, e.hash, blob,
				 1000 + (i * 7919) % sizeof(blob) / 2)) == 0 &&
			    (rc = store_put_undo(w, e.hash, blob + 80, i % 3000)) ==
				0 &&
			    (rc = store_set_active_hash(w, (int32_t)i,
				 e.hash)) == 0 &&
			    (rc = store_set_tip(w, e.hash, (int32_t)i)) == 0)
				rc = store_write_commit(w);
			else
				store_write_abort(w);
			if (rc == STORE_MAPFULL && store_grow(s) != 0)
				_exit(6);
		} while (rc == STORE_MAPFULL);
		if (rc != 0)
			_exit(7);
	}
}

struct count_arg {
	uint32_t n;
	int ok;
};

static int
count_coin_cb(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct count_arg *ca = arg;
	uint8_t h[32];

	mkhash((uint32_t)c->height, 50, h);
	if (memcmp(h, op->hash, 32) != 0 || c->value != c->height ||
	    op->n != ((uint32_t)c->height & 3))
		ca->ok = 0;
	ca->n++;
	return 0;
}

static int
count_index_cb(void *arg, const struct block_index_entry *e)
{
	struct count_arg *ca = arg;
	struct block_index_entry want;

	fill_entry(&want, (uint32_t)e->height);
	if (!entry_equal(&want, e))
		ca->ok = 0;
	ca->n++;
	return 0;
}

/* Everything committed up to the tip is there, nothing beyond it. */
static int
check_consistent(const char *dir, int32_t *tip_out)
{
	struct store *s;
	struct store_rtxn *r;
	struct count_arg coins = { 0, 1 }, idx = { 0, 1 };
	struct block_index_entry e;
	const uint8_t *p;
	uint8_t tiph[32], h[32];
	size_t len;
	int32_t tip = -1, i;
	int ok = 1;

	*tip_out = -1;
	if ((s = testenv_store_open(dir, REGTEST)) == NULL)
		return 0;
	if (store_read_begin(s, &r) != 0) {
		store_close(s);
		return 0;
	}
	if (store_get_tip(r, tiph, &tip) != 0)
		ok = 0;
	if (store_iter_coins(r, count_coin_cb, &coins) != 0 ||
	    store_iter_index(r, count_index_cb, &idx) != 0)
		ok = 0;
	/* Blocks 0..tip committed: tip + 1 of each. */
	if (!coins.ok || !idx.ok || coins.n != (uint32_t)(tip + 1) ||
	    idx.n != (uint32_t)(tip + 1)) {
		fprintf(stderr, "tip %d coins %u index %u\n", tip, coins.n,
		    idx.n);
		ok = 0;
	}
	for (i = 0; i <= tip && ok; i++) {
		fill_entry(&e, (uint32_t)i);
		if (store_get_active_hash(r, i, h) != 0 ||
		    memcmp(h, e.hash, 32) != 0 ||
		    store_get_block(r, e.hash, &p, &len) != 0 ||
		    store_get_undo(r, e.hash, &p, &len) != 0 ||
		    len != (size_t)i % 3000)
			ok = 0;
	}
	if (tip >= 0) {
		fill_entry(&e, (uint32_t)tip);
		if (memcmp(tiph, e.hash, 32) != 0)
			ok = 0;
	}
	if (store_get_active_hash(r, tip + 1, h) != STORE_NOTFOUND)
		ok = 0;
	store_read_end(r);
	store_close(s);
	*tip_out = tip;
	return ok;
}

static void
test_kill9_durability(void)
{
	struct tdir td;
	struct timespec ts;
	uint64_t seed;
	int32_t tip = -1, last = -1;
	int round, status;
	pid_t pid;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20);
	tdir_make(&td);
	/*
	 * Eight kills at random moments; then, if a loaded machine let the
	 * child commit nothing yet, up to eight more with longer lives, so
	 * the check that commits survive does not depend on the load.
	 */
	for (round = 0; round < 16 && (round < 8 || last <= 0); round++) {
		fflush(NULL);
		if ((pid = fork()) == -1) {
			CHECK(0);
			break;
		}
		if (pid == 0)
			kill_child(td.cs);
		/* Early rounds can land inside store creation. */
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		usleep(round == 0 ? (useconds_t)(seed >> 33) % 3000 :
			round < 8 ? 5000 + (useconds_t)((seed >> 33) % 60000) :
				    (useconds_t)(round - 7) * 250000);
		kill(pid, SIGKILL);
		CHECK(waitpid(pid, &status, 0) == pid);
		/* Killed, not exited on an error of its own. */
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		CHECK(check_consistent(td.cs, &tip));
		CHECK(tip >= last);
		last = tip;
	}
	fprintf(stderr, "kill9: %d blocks committed over %d kills\n", last + 1,
	    round);
	CHECK(last > 0);
	tdir_free(&td);
}

/* ---- readers while the writer commits and grows ---- */

struct conc {
	struct store *s;
	int done;   /* atomic */
	int bad;    /* atomic */
	long reads; /* atomic */
};

static void *
conc_reader(void *arg)
{
	struct conc *cc = arg;
	struct store_rtxn *r;
	struct outpoint op;
	struct coin c;
	uint8_t tiph[32], h[32];
	int32_t tip;
	uint32_t k;

	while (!__atomic_load_n(&cc->done, __ATOMIC_ACQUIRE)) {
		if (store_read_begin(cc->s, &r) != 0) {
			__atomic_store_n(&cc->bad, 1, __ATOMIC_RELAXED);
			break;
		}
		/* One snapshot: the tip and everything below it agree. */
		if (store_get_tip(r, tiph, &tip) != 0)
			__atomic_store_n(&cc->bad, 1, __ATOMIC_RELAXED);
		if (tip >= 0) {
			if (store_get_active_hash(r, tip, h) != 0 ||
			    memcmp(h, tiph, 32) != 0)
				__atomic_store_n(&cc->bad, 2,
				    __ATOMIC_RELAXED);
			for (k = 0; k < 10; k++) {
				mkhash((uint32_t)tip, 41, op.hash);
				op.n = k;
				if (store_get_coin(r, &op, &c) != 0 ||
				    c.height != tip)
					__atomic_store_n(&cc->bad, 3,
					    __ATOMIC_RELAXED);
			}
			mkhash((uint32_t)tip + 1, 41, op.hash);
			op.n = 0;
			if (store_get_coin(r, &op, &c) != STORE_NOTFOUND)
				__atomic_store_n(&cc->bad, 4,
				    __ATOMIC_RELAXED);
		}
		store_read_end(r);
		__atomic_add_fetch(&cc->reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *
conc_writer(void *arg)
{
	struct conc *cc = arg;
	uint8_t *blob = malloc(21000);
	uint32_t i;
	int grows = 0;

	for (i = 0; i < 21000; i++)
		blob[i] = (uint8_t)i;
	for (i = 0; i < 400; i++)
		if (write_block_grow(cc->s, i, blob, &grows) != 0) {
			__atomic_store_n(&cc->bad, 5, __ATOMIC_RELAXED);
			break;
		}
	if (grows < 2)
		__atomic_store_n(&cc->bad, 6, __ATOMIC_RELAXED);
	free(blob);
	__atomic_store_n(&cc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
test_concurrent_readers(void)
{
	struct store_options opt = { 256 * 1024, STORE_SYNC_PERIODIC, 0, NULL,
		0 };
	struct tdir td;
	struct conc cc;
	pthread_t w, r[3];
	char err[256];
	int i;

	memset(&cc, 0, sizeof(cc));
	tdir_make(&td);
	if (store_open_opts(td.cs, REGTEST, &opt, &cc.s, err, sizeof(err)) !=
	    0) {
		CHECK(0);
		goto out;
	}
	for (i = 0; i < 3; i++)
		pthread_create(&r[i], NULL, conc_reader, &cc);
	pthread_create(&w, NULL, conc_writer, &cc);
	pthread_join(w, NULL);
	for (i = 0; i < 3; i++)
		pthread_join(r[i], NULL);
	CHECK_EQ_INT(cc.bad, 0);
	CHECK(cc.reads > 0);
	fprintf(stderr, "concurrent: %ld read snapshots, map %zu KiB\n",
	    cc.reads, store_map_size(cc.s) >> 10);
	store_close(cc.s);
out:
	tdir_free(&td);
}

/* ---- sync modes ---- */

static void
test_sync_modes(void)
{
	static uint8_t blob[21000];
	struct tdir td;
	struct store *s;
	uint64_t size = 0;
	int grows = 0;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(write_block_grow(s, 0, blob, &grows) == 0);
	CHECK(store_set_sync_mode(s, STORE_SYNC_FULL) == 0);
	CHECK(write_block_grow(s, 1, blob, &grows) == 0);
	CHECK(store_set_sync_mode(s, STORE_SYNC_DATA) == 0);
	CHECK(write_block_grow(s, 2, blob, &grows) == 0);
	CHECK(store_set_sync_mode(s, STORE_SYNC_PERIODIC) == 0);
	store_set_sync_interval(s, 1);
	usleep(2000);
	CHECK(write_block_grow(s, 3, blob, &grows) == 0);
	CHECK(store_sync(s) == 0);
	CHECK(store_disk_size(s, &size) == 0);
	CHECK(size > 4 * 20000);
	CHECK(verify_blocks(s, 4, blob));
	CHECK_EQ_STR(store_strerror(STORE_MAPFULL),
	    "store map full (grow and retry)");
	store_close(s);
out:
	tdir_free(&td);
}

/*
 * The LMDB flags behind each mode. The default must be the one that
 * survives power loss: MDB_NOSYNC (the periodic mode, once the default)
 * lets the kernel write a meta page before the pages it points to, and
 * feature_powerloss.py found a store reopened 40 blocks short of what it
 * had reported. What the node opens with is store_open's default.
 */
static int
env_sync_flags(struct store *s)
{
	unsigned int f = 0;

	if (mdb_env_get_flags(s->env, &f) != 0)
		return -1;
	return (int)(f & (MDB_NOSYNC | MDB_NOMETASYNC));
}

static void
test_default_sync_is_power_safe(void)
{
	struct tdir td;
	struct store *s;
	char err[256];

	tdir_make(&td);
	if (store_open(td.cs, REGTEST, &s, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "store_open: %s\n", err);
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT(env_sync_flags(s), MDB_NOMETASYNC);
	CHECK(store_set_sync_mode(s, STORE_SYNC_PERIODIC) == 0);
	CHECK_EQ_INT(env_sync_flags(s), MDB_NOSYNC | MDB_NOMETASYNC);
	CHECK(store_set_sync_mode(s, STORE_SYNC_FULL) == 0);
	CHECK_EQ_INT(env_sync_flags(s), 0);
	CHECK(store_set_sync_mode(s, STORE_SYNC_DATA) == 0);
	CHECK_EQ_INT(env_sync_flags(s), MDB_NOMETASYNC);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- two chainstates (assumeutxo) ---- */

static void
mkcoin(struct coin *c, int32_t height, uint8_t *script, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->value = 1000 + height;
	c->height = height;
	c->script = script;
	c->script_len = len;
}

struct writer_arg {
	struct store *s;
	enum store_cs cs;
	int n;
	int fails;
};

/* n transactions of one coin each into one chainstate. */
static void *
writer(void *arg)
{
	struct writer_arg *a = arg;
	uint8_t script[4] = { 0x51, 0x52, 0x53, 0x54 };
	struct store_wtxn *w;
	struct outpoint op;
	struct coin c;
	int i;

	for (i = 0; i < a->n; i++) {
		mkhash((uint32_t)i, (uint8_t)(0x40 + a->cs), op.hash);
		op.n = (uint32_t)i;
		mkcoin(&c, i, script, sizeof(script));
		if (store_write_begin(a->s, &w) != 0) {
			a->fails++;
			continue;
		}
		if (store_txn_use(store_wtxn_reader(w), a->cs) != 0 ||
		    store_put_coin(w, &op, &c) != 0) {
			store_write_abort(w);
			a->fails++;
			continue;
		}
		if (store_write_commit(w) != 0)
			a->fails++;
	}
	return NULL;
}

static void
test_two_chainstates(void)
{
	uint8_t script[3] = { 0x6a, 0x01, 0x02 }, h0[32], h1[32], got_h[32];
	struct writer_arg wa[2];
	pthread_t th[2];
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct outpoint a, b;
	struct coin ca, cb, got;
	uint64_t n;
	int32_t height;
	int i;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	mkhash(1, 1, a.hash);
	a.n = 0;
	mkhash(2, 2, b.hash);
	b.n = 7;
	mkhash(10, 10, h0);
	mkhash(11, 11, h1);
	mkcoin(&ca, 5, script, sizeof(script));
	mkcoin(&cb, 9, script, 2);

	/* One transaction fills both: coin a and tip 0 here, coin b there. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_coin(w, &a, &ca) == 0);
	CHECK(store_set_tip(w, h0, 0) == 0);
	CHECK(store_txn_use(store_wtxn_reader(w), STORE_CS_OTHER) == 0);
	CHECK(store_add_coin(w, &b, &cb) == 0);
	/* Already there: refused, and the transaction goes on. */
	CHECK(store_add_coin(w, &b, &ca) == STORE_EXISTS);
	CHECK(store_set_tip(w, h1, 1) == 0);
	CHECK(store_set_active_hash(w, 1, h1) == 0);
	CHECK(store_write_commit(w) == 0);

	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &a, &got) == 0 && got.height == 5);
	CHECK(store_get_coin(r, &b, &got) == STORE_NOTFOUND);
	CHECK(store_count_coins(r, &n) == 0 && n == 1);
	CHECK(store_get_tip(r, got_h, &height) == 0 && height == 0);
	CHECK(store_get_active_hash(r, 1, got_h) == STORE_NOTFOUND);
	CHECK(store_txn_use(r, STORE_CS_OTHER) == 0);
	CHECK(store_get_coin(r, &a, &got) == STORE_NOTFOUND);
	CHECK(store_get_coin(r, &b, &got) == 0 && got.height == 9 &&
	    got.script_len == 2);
	CHECK(store_get_tip(r, got_h, &height) == 0 && height == 1 &&
	    memcmp(got_h, h1, 32) == 0);
	CHECK(store_get_active_hash(r, 1, got_h) == 0);
	store_read_end(r);

	/* Swapped: the other one is followed, from the commit on. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_swap_chainstates(w) == 0);
	CHECK(store_write_commit(w) == 0);
	store_close(s);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &b, &got) == 0);
	CHECK(store_get_tip(r, got_h, &height) == 0 && height == 1);
	CHECK(store_txn_use(r, STORE_CS_OTHER) == 0);
	CHECK(store_get_coin(r, &a, &got) == 0);
	store_read_end(r);

	/* Clearing the other one leaves the followed one alone. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_txn_use(store_wtxn_reader(w), STORE_CS_OTHER) == 0);
	CHECK(store_clear_chainstate(w) == 0);
	CHECK(store_write_commit(w) == 0);
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &b, &got) == 0);
	CHECK(store_txn_use(r, STORE_CS_OTHER) == 0);
	CHECK(store_count_coins(r, &n) == 0 && n == 0);
	CHECK(store_get_tip(r, got_h, &height) == 0 && height == -1);
	store_read_end(r);

	/* Two writer threads, one per chainstate, take turns. */
	for (i = 0; i < 2; i++) {
		wa[i].s = s;
		wa[i].cs = i ? STORE_CS_OTHER : STORE_CS_TIP;
		wa[i].n = 200;
		wa[i].fails = 0;
		CHECK(pthread_create(&th[i], NULL, writer, &wa[i]) == 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(wa[i].fails, 0);
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_count_coins(r, &n) == 0 && n == 201);
	CHECK(store_txn_use(r, STORE_CS_OTHER) == 0);
	CHECK(store_count_coins(r, &n) == 0 && n == 200);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

UNIT_MAIN(UNIT_CASE(test_kill9_durability), UNIT_CASE(test_concurrent_readers),
    UNIT_CASE(test_sync_modes), UNIT_CASE(test_default_sync_is_power_safe),
    UNIT_CASE(test_two_chainstates))
