/*
 * The LMDB store: round trips of every record kind, key order, aborted
 * transactions, map growth, and refusals that must leave the directory
 * untouched. Durability across SIGKILL and concurrent use are in
 * test_store_crash.c.
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

static const uint8_t MAINNET[4] = { 0xf9, 0xbe, 0xb4, 0xd9 };

/* ---- helpers ---- */

static void
write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(2);
	}
	if (n > 0 && fwrite(p, 1, n, f) != n)
		exit(2);
	fclose(f);
}

/*
 * A directory's state: names, sizes, modification times and a hash of
 * every file's content. Two equal snapshots mean nothing was modified.
 */
struct snap {
	size_t n;
	struct {
		char name[256];
		off_t size;
		struct timespec mtime;
		uint8_t hash[32];
	} f[16];
};

static int
snap_take(const char *dir, struct snap *s)
{
	char path[512];
	struct dirent *de;
	struct stat st;
	DIR *d;
	FILE *f;
	uint8_t *buf;

	memset(s, 0, sizeof(*s));
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || s->n == 16)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == -1)
			continue;
		snprintf(s->f[s->n].name, sizeof(s->f[0].name), "%s",
		    de->d_name);
		s->f[s->n].size = st.st_size;
		s->f[s->n].mtime = st.st_mtim;
		buf = malloc((size_t)st.st_size + 1);
		if ((f = fopen(path, "rb")) != NULL) {
			size_t got = fread(buf, 1, (size_t)st.st_size, f);
			sha256(buf, got, s->f[s->n].hash);
			fclose(f);
		}
		free(buf);
		s->n++;
	}
	closedir(d);
	return 0;
}

static int
snap_find(const struct snap *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
snap_equal(const struct snap *a, const struct snap *b)
{
	size_t i;
	int j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if ((j = snap_find(b, a->f[i].name)) == -1)
			return 0;
		if (a->f[i].size != b->f[j].size ||
		    a->f[i].mtime.tv_sec != b->f[j].mtime.tv_sec ||
		    a->f[i].mtime.tv_nsec != b->f[j].mtime.tv_nsec ||
		    memcmp(a->f[i].hash, b->f[j].hash, 32) != 0)
			return 0;
	}
	return 1;
}

/* Opening must fail, say why (needle), and leave dir exactly as it was. */
static void
check_refused(const char *dir, const uint8_t magic[4], const char *needle)
{
	struct snap before, after;
	struct store *s = NULL;
	char err[512] = "";
	int rc;

	/* mtime granularity: make any write visible as a different time. */
	CHECK(snap_take(dir, &before) == 0);
	usleep(20000);
	rc = store_open(dir, magic, &s, err, sizeof(err));
	CHECK_EQ_INT(rc, STORE_ERROR);
	CHECK(s == NULL);
	if (strstr(err, needle) == NULL) {
		fprintf(stderr, "refusal message \"%s\" lacks \"%s\"\n", err,
		    needle);
		CHECK(strstr(err, needle) != NULL);
	}
	CHECK(snap_take(dir, &after) == 0);
	CHECK(snap_equal(&before, &after));
	if (rc == 0)
		store_close(s);
}

static int
commit_ok(struct store_wtxn *w)
{
	return store_write_commit(w) == STORE_OK;
}

/* ---- basic life cycle ---- */

static void
test_open_close_reopen(void)
{
	struct tdir td;
	struct store *s, *s2 = NULL;
	struct store_rtxn *r;
	struct store_wtxn *w;
	uint8_t hash[32], h2[32];
	int32_t height;
	char err[256];

	tdir_make(&td);
	/* The chainstate directory does not exist yet: created. */
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	if (s == NULL)
		goto out;
	CHECK(store_map_size(s) >= ((size_t)256 << 20));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_tip(r, hash, &height) == 0);
	CHECK_EQ_INT(height, -1);
	CHECK(store_get_best_header(r, hash) == STORE_NOTFOUND);
	CHECK(store_get_active_hash(r, 0, hash) == STORE_NOTFOUND);
	store_read_end(r);

	/* A second open of the same directory is refused. */
	CHECK(
	    store_open(td.cs, REGTEST, &s2, err, sizeof(err)) == STORE_ERROR);
	CHECK(strstr(err, "in use") != NULL);

	mkhash(7, 1, hash);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_set_tip(w, hash, 7) == 0);
	CHECK(store_set_best_header(w, hash) == 0);
	CHECK(commit_ok(w));
	store_close(s);

	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	if (s == NULL)
		goto out;
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_tip(r, h2, &height) == 0);
	CHECK_EQ_INT(height, 7);
	CHECK(memcmp(h2, hash, 32) == 0);
	memset(h2, 0, 32);
	CHECK(store_get_best_header(r, h2) == 0);
	CHECK(memcmp(h2, hash, 32) == 0);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- block index ---- */

struct index_walk {
	int count;
	int ordered;
	int match;
	uint8_t last[32];
	int stop_after;
};

static int
index_cb(void *arg, const struct block_index_entry *e)
{
	struct index_walk *wk = arg;
	struct block_index_entry want;

	if (wk->count > 0 && memcmp(wk->last, e->hash, 32) >= 0)
		wk->ordered = 0;
	memcpy(wk->last, e->hash, 32);
	fill_entry(&want, (uint32_t)e->height);
	if (!entry_equal(&want, e))
		wk->match = 0;
	wk->count++;
	return wk->stop_after && wk->count == wk->stop_after ? 42 : 0;
}

static void
test_index(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct block_index_entry e, got;
	struct index_walk wk;
	uint8_t unknown[32];
	uint32_t i;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_write_begin(s, &w) == 0);
	for (i = 0; i < 200; i++) {
		fill_entry(&e, i);
		CHECK(store_put_index(w, &e) == 0);
	}
	CHECK(commit_ok(w));

	CHECK(store_read_begin(s, &r) == 0);
	fill_entry(&e, 77);
	CHECK(store_get_index(r, e.hash, &got) == 0);
	CHECK(entry_equal(&e, &got));
	mkhash(77, 9, unknown);
	CHECK(store_get_index(r, unknown, &got) == STORE_NOTFOUND);

	memset(&wk, 0, sizeof(wk));
	wk.ordered = wk.match = 1;
	CHECK_EQ_INT(store_iter_index(r, index_cb, &wk), 0);
	CHECK_EQ_INT(wk.count, 200);
	CHECK(wk.ordered);
	CHECK(wk.match);

	memset(&wk, 0, sizeof(wk));
	wk.ordered = wk.match = 1;
	wk.stop_after = 5;
	CHECK_EQ_INT(store_iter_index(r, index_cb, &wk), 42);
	CHECK_EQ_INT(wk.count, 5);
	store_read_end(r);

	/* Overwrite keeps one entry with the new status. */
	CHECK(store_write_begin(s, &w) == 0);
	fill_entry(&e, 77);
	e.status |= BLOCK_FAILED_VALID;
	CHECK(store_put_index(w, &e) == 0);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_index(r, e.hash, &got) == 0);
	CHECK(got.status & BLOCK_FAILED_VALID);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- blocks and undo ---- */

static void
test_blocks_undo(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	uint8_t h1[32], h2[32], *big;
	const uint8_t *p;
	size_t len, i, bigsz = 3u << 20;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	big = malloc(bigsz);
	for (i = 0; i < bigsz; i++)
		big[i] = (uint8_t)(i * 131 + (i >> 9));
	/* A block's hash is its header's: the store checks it on reads. */
	hash256(big, 80, h1);
	hash256(big + 100, 80, h2);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_block(w, h1, big, bigsz) == 0);
	CHECK(store_put_block(w, h2, big + 100, 81) == 0);
	CHECK(store_put_undo(w, h1, big + 5, 1000) == 0);
	CHECK(store_put_undo(w, h2, big, 0) == 0);
	CHECK(commit_ok(w));

	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_block(r, h1, &p, &len) == 0);
	CHECK(len == bigsz && memcmp(p, big, bigsz) == 0);
	CHECK(store_get_block(r, h2, &p, &len) == 0);
	CHECK(len == 81 && memcmp(p, big + 100, 81) == 0);
	CHECK(store_get_undo(r, h1, &p, &len) == 0);
	CHECK(len == 1000 && memcmp(p, big + 5, 1000) == 0);
	CHECK(store_get_undo(r, h2, &p, &len) == 0);
	CHECK_EQ_INT(len, 0);
	store_read_end(r);

	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_del_block(w, h1) == 0);
	CHECK(store_del_undo(w, h1) == 0);
	CHECK(store_del_undo(w, h1) == STORE_NOTFOUND);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_block(r, h1, &p, &len) == STORE_NOTFOUND);
	CHECK(store_get_undo(r, h1, &p, &len) == STORE_NOTFOUND);
	CHECK(store_get_block(r, h2, &p, &len) == 0);
	store_read_end(r);
	free(big);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- coins ---- */

static int
coin_equal(const struct coin *a, const struct coin *b)
{
	return a->value == b->value && a->height == b->height &&
	    !a->coinbase == !b->coinbase && a->script_len == b->script_len &&
	    (a->script_len == 0 ||
		memcmp(a->script, b->script, a->script_len) == 0);
}

static void
test_coins(void)
{
	static uint8_t bigscript[10000], p2wpkh[22];
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct outpoint op;
	struct coin c[8], got, bad;
	size_t i, n;

	for (i = 0; i < sizeof(bigscript); i++)
		bigscript[i] = (uint8_t)(i * 7 + 1);
	p2wpkh[0] = 0x00;
	p2wpkh[1] = 0x14;
	for (i = 2; i < sizeof(p2wpkh); i++)
		p2wpkh[i] = (uint8_t)i;
	memset(c, 0, sizeof(c));
	c[0].value = 5000000000LL;
	c[0].height = 1;
	c[0].coinbase = 1;
	c[0].script = p2wpkh;
	c[0].script_len = sizeof(p2wpkh);
	c[1].value = 0;
	c[1].height = 0;
	c[1].script = NULL;
	c[1].script_len = 0;
	c[2].value = MAX_MONEY;
	c[2].height = INT32_MAX;
	c[2].coinbase = 1;
	c[2].script = bigscript;
	c[2].script_len = sizeof(bigscript);
	c[3].value = 1;
	c[3].height = 150;
	c[3].script = p2wpkh;
	c[3].script_len = 1;
	c[4].value = 1234567891LL;
	c[4].height = 840000;
	c[4].script = bigscript;
	c[4].script_len = 127;
	c[5].value = 2100000000000000LL - 1;
	c[5].height = 65535;
	c[5].script = p2wpkh;
	c[5].script_len = 2;
	c[6].value = 100000000000000LL;
	c[6].height = 1u << 20;
	c[6].script = bigscript;
	c[6].script_len = 10000;
	c[7].value = 99999;
	c[7].height = 3;
	c[7].coinbase = 0;
	c[7].script = p2wpkh;
	c[7].script_len = 22;
	n = sizeof(c) / sizeof(c[0]);

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_write_begin(s, &w) == 0);
	for (i = 0; i < n; i++) {
		mkhash((uint32_t)i, 10, op.hash);
		op.n = (uint32_t)i * 1000;
		CHECK(store_put_coin(w, &op, &c[i]) == 0);
	}
	/* Invalid coins are refused without touching the transaction. */
	bad = c[0];
	bad.value = -1;
	CHECK(store_put_coin(w, &op, &bad) == STORE_ERROR);
	bad.value = MAX_MONEY + 1;
	CHECK(store_put_coin(w, &op, &bad) == STORE_ERROR);
	bad = c[0];
	bad.height = -1;
	CHECK(store_put_coin(w, &op, &bad) == STORE_ERROR);
	bad = c[0];
	bad.script = NULL;
	CHECK(store_put_coin(w, &op, &bad) == STORE_ERROR);
	CHECK(commit_ok(w));

	CHECK(store_read_begin(s, &r) == 0);
	for (i = 0; i < n; i++) {
		mkhash((uint32_t)i, 10, op.hash);
		op.n = (uint32_t)i * 1000;
		memset(&got, 0, sizeof(got));
		CHECK(store_get_coin(r, &op, &got) == 0);
		CHECK(coin_equal(&c[i], &got));
		if (c[i].script_len > 0)
			CHECK(got.script != NULL && got.script != c[i].script);
		op.n++;
		CHECK(store_get_coin(r, &op, &got) == STORE_NOTFOUND);
	}
	store_read_end(r);

	/* Spend two, and deleting a missing coin says so. */
	CHECK(store_write_begin(s, &w) == 0);
	mkhash(2, 10, op.hash);
	op.n = 2000;
	CHECK(store_del_coin(w, &op) == 0);
	CHECK(store_del_coin(w, &op) == STORE_NOTFOUND);
	mkhash(1, 10, op.hash);
	op.n = 1000;
	CHECK(store_del_coin(w, &op) == 0);
	CHECK(commit_ok(w));
	store_close(s);

	/* Survives a reopen. */
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_begin(s, &r) == 0);
	for (i = 0; i < n; i++) {
		mkhash((uint32_t)i, 10, op.hash);
		op.n = (uint32_t)i * 1000;
		if (i == 1 || i == 2) {
			CHECK(store_get_coin(r, &op, &got) == STORE_NOTFOUND);
			continue;
		}
		CHECK(store_get_coin(r, &op, &got) == 0);
		CHECK(coin_equal(&c[i], &got));
	}
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* Keys sort by txid bytes, then n as a number (so n is big-endian). */
struct coin_walk {
	int count;
	int ordered;
	int values_ok;
	struct outpoint last;
};

static uint64_t
test_value(const struct outpoint *op)
{
	/* Many shapes of amount: exercises the compression both ways. */
	uint64_t v = le64_read(op->hash) % (uint64_t)MAX_MONEY;

	switch (op->n % 4) {
	case 0: return v;
	case 1: return v / 100000 * 100000;
	case 2: return (v % 21) * COIN;
	default: return op->n;
	}
}

static int
coin_walk_cb(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct coin_walk *wk = arg;
	int cmp;

	if (wk->count > 0) {
		cmp = memcmp(wk->last.hash, op->hash, 32);
		if (cmp > 0 || (cmp == 0 && wk->last.n >= op->n))
			wk->ordered = 0;
	}
	wk->last = *op;
	if ((uint64_t)c->value != test_value(op) ||
	    c->height != (int32_t)(op->n & 0xffff) ||
	    c->script_len != (op->n & 7))
		wk->values_ok = 0;
	wk->count++;
	return 0;
}

static void
test_coin_order(void)
{
	static const uint32_t ns[] = { 0xffffffffu, 65536, 256, 255, 1, 0, 257,
		0x01000000u };
	uint8_t script[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct outpoint op;
	struct coin c;
	struct coin_walk wk;
	uint32_t t, k;
	int total = 0;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_write_begin(s, &w) == 0);
	for (t = 0; t < 300; t++) {
		mkhash(t, 11, op.hash);
		if (t % 50 == 0)
			memset(op.hash + 1, 0, 31); /* near-equal prefixes */
		for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
			op.n = ns[(k + t) % (sizeof(ns) / sizeof(ns[0]))];
			c.value = (int64_t)test_value(&op);
			c.height = (int32_t)(op.n & 0xffff);
			c.coinbase = (int)(t & 1);
			c.script = script;
			c.script_len = op.n & 7;
			CHECK(store_put_coin(w, &op, &c) == 0);
			total++;
		}
	}
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	memset(&wk, 0, sizeof(wk));
	wk.ordered = wk.values_ok = 1;
	CHECK_EQ_INT(store_iter_coins(r, coin_walk_cb, &wk), 0);
	CHECK_EQ_INT(wk.count, total);
	CHECK(wk.ordered);
	CHECK(wk.values_ok);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- active chain, tip, metadata, reset ---- */

static void
test_active_chain(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	uint8_t h[32], got[32];
	const uint8_t *p;
	size_t len;
	int32_t i, height;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_write_begin(s, &w) == 0);
	for (i = 0; i < 300; i++) {
		mkhash((uint32_t)i, 20, h);
		CHECK(store_set_active_hash(w, i, h) == 0);
	}
	CHECK(store_set_active_hash(w, -1, h) == STORE_ERROR);
	CHECK(store_set_tip(w, h, 299) == 0);
	CHECK(store_put_meta(w, "reindexing", (const uint8_t *)"1", 1) == 0);
	CHECK(commit_ok(w));

	CHECK(store_read_begin(s, &r) == 0);
	for (i = 0; i < 300; i++) {
		mkhash((uint32_t)i, 20, h);
		CHECK(store_get_active_hash(r, i, got) == 0);
		CHECK(memcmp(h, got, 32) == 0);
	}
	CHECK(store_get_active_hash(r, 300, got) == STORE_NOTFOUND);
	CHECK(store_get_active_hash(r, -1, got) == STORE_NOTFOUND);
	CHECK(store_get_tip(r, got, &height) == 0);
	CHECK_EQ_INT(height, 299);
	CHECK(store_get_meta(r, "reindexing", &p, &len) == 0);
	CHECK(len == 1 && p[0] == '1');
	CHECK(store_get_meta(r, "other", &p, &len) == STORE_NOTFOUND);
	/* Internal keys are not reachable through the user namespace. */
	CHECK(store_get_meta(r, "tip", &p, &len) == STORE_NOTFOUND);
	store_read_end(r);

	/* Disconnect the top: drop heights 299 and 298, move the tip. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_del_active_hash(w, 299) == 0);
	CHECK(store_del_active_hash(w, 298) == 0);
	CHECK(store_del_active_hash(w, 298) == STORE_NOTFOUND);
	mkhash(297, 20, h);
	CHECK(store_set_tip(w, h, 297) == 0);
	CHECK(store_del_meta(w, "reindexing") == 0);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_active_hash(r, 298, got) == STORE_NOTFOUND);
	CHECK(store_get_tip(r, got, &height) == 0);
	CHECK_EQ_INT(height, 297);
	CHECK(memcmp(got, h, 32) == 0);
	CHECK(store_get_meta(r, "reindexing", &p, &len) == STORE_NOTFOUND);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

static void
test_reset_chainstate(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct block_index_entry e, got;
	struct outpoint op;
	struct coin c, gc;
	uint8_t h[32], script[1] = { 0x51 }, hdr80[80];
	const uint8_t *p;
	size_t len;
	int32_t height;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	fill_entry(&e, 3);
	header_serialize(&e.hdr, hdr80);
	hash256(hdr80, 80, e.hash); /* a block read back must hash to its key */
	mkhash(1, 30, op.hash);
	op.n = 0;
	memset(&c, 0, sizeof(c));
	c.value = 10;
	c.height = 3;
	c.script = script;
	c.script_len = 1;
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_index(w, &e) == 0);
	CHECK(store_put_block(w, e.hash, hdr80, 80) == 0);
	CHECK(store_put_undo(w, e.hash, script, 1) == 0);
	CHECK(store_put_coin(w, &op, &c) == 0);
	CHECK(store_set_active_hash(w, 3, e.hash) == 0);
	CHECK(store_set_tip(w, e.hash, 3) == 0);
	CHECK(store_set_best_header(w, e.hash) == 0);
	CHECK(commit_ok(w));
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_reset_chainstate(w) == 0);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &op, &gc) == STORE_NOTFOUND);
	CHECK(store_get_undo(r, e.hash, &p, &len) == STORE_NOTFOUND);
	CHECK(store_get_active_hash(r, 3, h) == STORE_NOTFOUND);
	CHECK(store_get_tip(r, h, &height) == 0);
	CHECK_EQ_INT(height, -1);
	CHECK(store_get_index(r, e.hash, &got) == 0);
	CHECK(store_get_block(r, e.hash, &p, &len) == 0);
	CHECK(store_get_best_header(r, h) == 0);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- transaction index ---- */

/* Block filters: by type and block hash, the value's three parts back. */
static void
test_blockfilter(void)
{
	static const uint8_t filt[] = { 0x02, 0xaa, 0xbb, 0xcc };
	struct store_filter f, got;
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	uint8_t b1[32], b2[32];

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	mkhash(1, 50, b1);
	mkhash(2, 50, b2);
	mkhash(3, 50, f.filter_hash);
	mkhash(4, 50, f.header);
	f.filter = filt;
	f.len = sizeof(filt);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_blockfilter(w, 0, b1, &f) == 0);
	CHECK(store_get_blockfilter(store_wtxn_reader(w), 0, b1, &got) == 0);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_blockfilter(r, 0, b1, &got) == 0);
	CHECK(memcmp(got.filter_hash, f.filter_hash, 32) == 0);
	CHECK(memcmp(got.header, f.header, 32) == 0);
	CHECK(got.len == sizeof(filt) &&
	    memcmp(got.filter, filt, sizeof(filt)) == 0);
	/* Another block, another type: not there. */
	CHECK(store_get_blockfilter(r, 0, b2, &got) == STORE_NOTFOUND);
	CHECK(store_get_blockfilter(r, 1, b1, &got) == STORE_NOTFOUND);
	store_read_end(r);
	store_close(s);
	/* Kept across a reopen. */
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_blockfilter(r, 0, b1, &got) == 0 &&
	    got.len == sizeof(filt));
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

static void
test_txindex(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	uint8_t tx1[32], tx2[32], b1[32], b2[32], got[32];
	uint32_t pos;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	mkhash(1, 40, tx1);
	mkhash(2, 40, tx2);
	mkhash(1, 41, b1);
	mkhash(2, 41, b2);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_txindex(w, tx1, b1, 0) == 0);
	CHECK(store_put_txindex(w, tx2, b1, 7) == 0);
	/* Own writes are visible before the commit. */
	CHECK(store_get_txindex(store_wtxn_reader(w), tx2, got, &pos) == 0);
	CHECK_EQ_INT((int)pos, 7);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_txindex(r, tx1, got, &pos) == 0);
	CHECK(memcmp(got, b1, 32) == 0);
	CHECK_EQ_INT((int)pos, 0);
	store_read_end(r);

	/* Overwrite, delete, delete again, clear. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_txindex(w, tx1, b2, 0xfffffffeu) == 0);
	CHECK(store_del_txindex(w, tx2) == 0);
	CHECK(store_del_txindex(w, tx2) == STORE_NOTFOUND);
	CHECK(commit_ok(w));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_txindex(r, tx1, got, &pos) == 0);
	CHECK(memcmp(got, b2, 32) == 0);
	CHECK(pos == 0xfffffffeu);
	CHECK(store_get_txindex(r, tx2, got, &pos) == STORE_NOTFOUND);
	store_read_end(r);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_clear_txindex(w) == 0);
	CHECK(commit_ok(w));

	/* The database exists again after a reopen (existing store). */
	store_close(s);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_txindex(r, tx1, got, &pos) == STORE_NOTFOUND);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- transactions ---- */

static void
test_abort_and_own_reads(void)
{
	struct tdir td;
	struct store *s;
	struct store_rtxn *r, *wr;
	struct store_wtxn *w;
	struct block_index_entry e, got;
	struct outpoint op;
	struct coin c, gc;
	uint8_t h[32], script[3] = { 0x6a, 1, 2 };
	int32_t height;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	fill_entry(&e, 9);
	mkhash(9, 31, op.hash);
	op.n = 1;
	memset(&c, 0, sizeof(c));
	c.value = 77;
	c.height = 9;
	c.script = script;
	c.script_len = sizeof(script);

	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_index(w, &e) == 0);
	CHECK(store_put_coin(w, &op, &c) == 0);
	CHECK(store_set_tip(w, e.hash, 9) == 0);
	/* The writer sees its own writes; a concurrent reader does not. */
	wr = store_wtxn_reader(w);
	CHECK(store_get_coin(wr, &op, &gc) == 0 && coin_equal(&c, &gc));
	CHECK(store_get_tip(wr, h, &height) == 0 && height == 9);
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &op, &gc) == STORE_NOTFOUND);
	store_read_end(r);
	store_write_abort(w);

	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &op, &gc) == STORE_NOTFOUND);
	CHECK(store_get_index(r, e.hash, &got) == STORE_NOTFOUND);
	CHECK(store_get_tip(r, h, &height) == 0);
	CHECK_EQ_INT(height, -1);
	store_read_end(r);
	store_close(s);

	/* Still gone after a reopen. */
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &op, &gc) == STORE_NOTFOUND);
	store_read_end(r);
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- writers that wait (store_write_waiting) ---- */

struct waiter {
	struct store *s;
	int flags;
	int done; /* atomic */
};

static void *
waiter_main(void *arg)
{
	struct waiter *wt = arg;
	struct store_wtxn *w;

	if (store_write_begin_flags(wt->s, wt->flags, &w) == STORE_OK)
		store_write_abort(w);
	__atomic_store_n(&wt->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Polls up to 5 s for the store to see a waiter of the kind asked. */
static int
sees_waiter(struct store *s, int urgent_only)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (store_write_waiting(s, urgent_only))
			return 1;
		usleep(1000);
	}
	return 0;
}

/*
 * A thread that holds the writer sees who waits for it: a bulk write
 * (STORE_W_BULK) counts as waiting but not as urgent, a plain one as
 * both; once the holder commits, both get the writer and the counts are
 * back to zero.
 */
static void
test_write_waiting(void)
{
	struct tdir td;
	struct store *s;
	struct store_wtxn *w;
	struct waiter bulk = { NULL, STORE_W_BULK, 0 }, urgent = { NULL, 0, 0 };
	pthread_t tb, tu;
	int i;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(!store_write_waiting(s, 0) && !store_write_waiting(s, 1));
	CHECK_EQ_INT(store_write_begin(s, &w), STORE_OK);
	/* Its own transaction is not somebody waiting. */
	CHECK(!store_write_waiting(s, 0));
	bulk.s = urgent.s = s;
	pthread_create(&tb, NULL, waiter_main, &bulk);
	CHECK(sees_waiter(s, 0));
	CHECK(!store_write_waiting(s, 1));
	pthread_create(&tu, NULL, waiter_main, &urgent);
	CHECK(sees_waiter(s, 1));
	CHECK(!__atomic_load_n(&bulk.done, __ATOMIC_ACQUIRE));
	CHECK_EQ_INT(store_write_commit(w), STORE_OK);
	pthread_join(tb, NULL);
	pthread_join(tu, NULL);
	CHECK(bulk.done && urgent.done);
	for (i = 0; i < 2; i++)
		CHECK(!store_write_waiting(s, i));
	store_close(s);
out:
	tdir_free(&td);
}

/* ---- map growth ---- */

static void
test_mapfull_grow(void)
{
	struct store_options opt = { 32 * 1024, STORE_SYNC_PERIODIC, 0, NULL,
		0 };
	struct tdir td;
	struct store *s = NULL;
	uint8_t *blob;
	char err[256];
	size_t first;
	uint32_t i, n = 200;
	int grows = 0, rc;

	blob = malloc(21000);
	for (i = 0; i < 21000; i++)
		blob[i] = (uint8_t)(i ^ (i >> 8));
	tdir_make(&td);
	rc = store_open_opts(td.cs, REGTEST, &opt, &s, err, sizeof(err));
	CHECK_EQ_INT(rc, 0);
	if (rc != 0)
		goto out;
	first = store_map_size(s);
	CHECK(first < (size_t)1 << 20);
	for (i = 0; i < n; i++) {
		rc = write_block_grow(s, i, blob, &grows);
		CHECK_EQ_INT(rc, 0);
		if (rc != 0)
			break;
	}
	/*
	 * 2,000 coins, 200 undo and block positions do not fit 32 KiB (the
	 * blocks themselves are in block files): it grew, several times.
	 */
	CHECK(grows >= 3);
	CHECK(store_map_size(s) > first);
	CHECK(verify_blocks(s, n, blob));
	store_close(s);

	/* Reopened with the defaults: everything is there. */
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(verify_blocks(s, n, blob));
	store_close(s);

	/* Reopened with a tiny map again: LMDB keeps at least what is used. */
	rc = store_open_opts(td.cs, REGTEST, &opt, &s, err, sizeof(err));
	CHECK_EQ_INT(rc, 0);
	if (rc == 0) {
		CHECK(verify_blocks(s, n, blob));
		CHECK_EQ_INT(write_block_grow(s, n, blob, &grows), 0);
		CHECK(verify_blocks(s, n + 1, blob));
		store_close(s);
	}
out:
	free(blob);
	tdir_free(&td);
}

/* ---- refusals ---- */

static void
test_refuse_other_chain(void)
{
	struct tdir td;
	struct store *s;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	store_close(s);
	check_refused(td.cs, MAINNET, "another chain (regtest");
	/* And the right chain still opens. */
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	store_close(s);
out:
	tdir_free(&td);
}

/* Rewrites the format version behind the store's back, with LMDB itself. */
static int
poke_format(const char *dir, uint32_t format)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	MDB_val k, v;
	uint8_t b[4];
	int rc;

	le32_write(b, format);
	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	mdb_env_set_maxdbs(env, 8);
	if ((rc = mdb_env_open(env, dir, 0, 0644)) == 0 &&
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		k.mv_data = (void *)(uintptr_t) "format";
		k.mv_size = 6;
		v.mv_data = b;
		v.mv_size = 4;
		if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) == 0 &&
		    (rc = mdb_put(txn, meta, &k, &v, 0)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

static void
test_refuse_newer_format(void)
{
	struct tdir td;
	struct store *s;

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	store_close(s);
	CHECK_EQ_INT(poke_format(td.cs, 99), 0);
	check_refused(td.cs, REGTEST, "format 99 is newer");
	CHECK_EQ_INT(poke_format(td.cs, 0), 0);
	check_refused(td.cs, REGTEST, "unsupported store format 0");
	CHECK_EQ_INT(poke_format(td.cs, 1), 0);
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	store_close(s);
out:
	tdir_free(&td);
}

static void
test_refuse_leveldb(void)
{
	struct tdir td;

	tdir_make(&td);
	mkdir(td.cs, 0755);
	write_file(td.cs, "CURRENT", "MANIFEST-000001\n", 16);
	write_file(td.cs, "MANIFEST-000001", "\x56\x0e\x8a\x3b", 4);
	write_file(td.cs, "LOCK", "", 0);
	write_file(td.cs, "LOG", "leveldb log\n", 12);
	write_file(td.cs, "000003.ldb", "\0\0\0\0\0\0\0\0", 8);
	check_refused(td.cs, REGTEST, "LevelDB");
	tdir_free(&td);

	/* Even with only the manifest left. */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	write_file(td.cs, "MANIFEST-000001", "x", 1);
	check_refused(td.cs, REGTEST, "LevelDB");
	tdir_free(&td);
}

static void
test_refuse_foreign_data(void)
{
	struct tdir td;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	struct store *s;
	uint8_t junk[8192];
	char err[512];
	size_t i;

	/* A data.mdb that is not LMDB at all (and no lock.mdb yet). */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	write_file(td.cs, "data.mdb", junk, sizeof(junk));
	check_refused(td.cs, REGTEST, "not an LMDB database");
	tdir_free(&td);

	/* Someone else's LMDB environment. */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	CHECK(mdb_env_create(&env) == 0);
	CHECK(mdb_env_open(env, td.cs, 0, 0644) == 0);
	CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
	CHECK(mdb_dbi_open(txn, NULL, 0, &dbi) == 0);
	k.mv_data = (void *)(uintptr_t) "hello";
	k.mv_size = 5;
	v = k;
	CHECK(mdb_put(txn, dbi, &k, &v, 0) == 0);
	CHECK(mdb_txn_commit(txn) == 0);
	mdb_env_close(env);
	check_refused(td.cs, REGTEST, "not a bitrootd store");
	tdir_free(&td);

	/* An environment created but never written (killed at creation). */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	CHECK(mdb_env_create(&env) == 0);
	CHECK(mdb_env_open(env, td.cs, 0, 0644) == 0);
	mdb_env_close(env);
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	store_close(s);
	tdir_free(&td);

	/*
	 * An empty data.mdb: LMDB would start a new environment, but ours
	 * are renamed into place whole, so it is data lost (regression: a
	 * truncated store silently became a new one).
	 */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	write_file(td.cs, "data.mdb", "", 0);
	check_refused(td.cs, REGTEST, "data.mdb is empty");
	tdir_free(&td);

	/*
	 * Cut short by one page, and to its two meta pages: refused before
	 * LMDB maps it (regression: SIGBUS at the first read past the end).
	 */
	for (i = 0; i < 2; i++) {
		char path[600];
		struct stat sb;

		tdir_make(&td);
		if ((s = testenv_store_open(td.cs, REGTEST)) != NULL)
			store_close(s);
		snprintf(path, sizeof(path), "%s/data.mdb", td.cs);
		CHECK(stat(path, &sb) == 0);
		CHECK(sb.st_size > 3 * 4096);
		CHECK(truncate(path, i == 0 ? sb.st_size - 4096 : 2 * 4096) ==
		    0);
		check_refused(td.cs, REGTEST, "data.mdb is damaged");
		tdir_free(&td);
	}

	/* A creation killed half way leaves data.mdb.new*: removed. */
	tdir_make(&td);
	mkdir(td.cs, 0755);
	write_file(td.cs, "data.mdb.new", "half", 4);
	write_file(td.cs, "data.mdb.new-lock", "x", 1);
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	store_close(s);
	{
		struct snap sn;

		CHECK(snap_take(td.cs, &sn) == 0);
		CHECK(sn.n == 2); /* data.mdb, lock.mdb */
	}
	tdir_free(&td);

	/* A stray file beside our own store. */
	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) != NULL)
		store_close(s);
	write_file(td.cs, "notes.txt", "hi", 2);
	check_refused(td.cs, REGTEST, "notes.txt");
	tdir_free(&td);

	/* Not a directory. */
	tdir_make(&td);
	write_file(td.base, "chainstate", "x", 1);
	s = NULL;
	CHECK(store_open(td.cs, REGTEST, &s, err, sizeof(err)) == STORE_ERROR);
	CHECK(strstr(err, "is not a directory") != NULL);
	CHECK(s == NULL);
	tdir_free(&td);
}

/* Whether page pg is in the environment's free list (LMDB's database 0). */
static int
page_is_free(MDB_txn *txn, size_t pg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	size_t cnt, j, id;
	int found = 0;

	if (mdb_cursor_open(txn, 0, &cur) != 0)
		return 0;
	while (!found && mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		memcpy(&cnt, v.mv_data, sizeof(cnt));
		for (j = 1; j <= cnt && !found; j++) {
			memcpy(&id, (uint8_t *)v.mv_data + j * sizeof(id),
			    sizeof(id));
			found = id == pg;
		}
	}
	mdb_cursor_close(cur);
	return found;
}

/*
 * A store can be shorter than its mm_last_pg and whole: LMDB does not
 * write pages a transaction allocated and freed again, and mdb_env_copy
 * clamps to the file size for that reason. Made here by cutting off the
 * free pages at the end of a store whose last pages were freed: it must
 * open; one page more (in use) must be refused.
 */
static void
test_short_by_free_pages(void)
{
	struct tdir td;
	struct store *s;
	struct store_file_size fs;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	MDB_envinfo info;
	uint8_t key[32], val[100];
	char path[600], err[512];
	size_t last, nfree;
	uint32_t i, round;
	long psize = sysconf(_SC_PAGESIZE);

	tdir_make(&td);
	if ((s = testenv_store_open(td.cs, REGTEST)) == NULL) {
		CHECK(0);
		goto out;
	}
	store_close(s);
	CHECK(mdb_env_create(&env) == 0);
	mdb_env_set_maxdbs(env, 20);
	CHECK(mdb_env_open(env, td.cs, 0, 0644) == 0);
	memset(val, 0x5a, sizeof(val));
	k.mv_data = key;
	k.mv_size = sizeof(key);
	v.mv_data = val;
	v.mv_size = sizeof(val);
	/* Fill, empty (its pages go at the end), then small commits reuse. */
	for (round = 0; round < 4; round++) {
		CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
		CHECK(mdb_dbi_open(txn, "scratch", MDB_CREATE, &dbi) == 0);
		for (i = 0; i < (round == 0 ? 3000u : 1u); i++) {
			mkhash(i, 1, key);
			if (round == 1)
				CHECK(mdb_drop(txn, dbi, 0) == 0);
			else
				CHECK(mdb_put(txn, dbi, &k, &v, 0) == 0);
		}
		CHECK(mdb_txn_commit(txn) == 0);
	}
	CHECK(mdb_env_info(env, &info) == 0);
	last = info.me_last_pgno;
	CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0);
	for (nfree = 0; nfree < last && page_is_free(txn, last - nfree);
	     nfree++)
		;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	CHECK(nfree > 0);
	snprintf(path, sizeof(path), "%s/data.mdb", td.cs);
	CHECK(truncate(path, (off_t)(last + 1 - nfree) * psize) == 0);
	CHECK_EQ_INT(store_check_file_size(path, &fs, err, sizeof(err)), 1);
	/* Whole, though short: it opens. */
	s = testenv_store_open(td.cs, REGTEST);
	CHECK(s != NULL);
	if (s != NULL)
		store_close(s);
	/* One page more cut off, a page in use: refused. */
	CHECK(truncate(path, (off_t)(last - nfree) * psize) == 0);
	check_refused(td.cs, REGTEST, "data.mdb is damaged");
out:
	tdir_free(&td);
}

/* ---- value checksums (format 3) ---- */

/* One coin at (txid 77..77, 5) in a store of the given format. */
static void
put_one_coin(const char *dir, uint32_t format, uint8_t *script, size_t slen)
{
	struct store *s;
	struct store_wtxn *w;
	struct store_rtxn *r;
	struct outpoint op;
	struct coin c, got;

	if ((s = testenv_store_open(dir, REGTEST)) == NULL) {
		CHECK(0);
		return;
	}
	store_close(s);
	if (format != 3)
		CHECK_EQ_INT(poke_format(dir, format), 0);
	CHECK((s = testenv_store_open(dir, REGTEST)) != NULL);
	memset(&c, 0, sizeof(c));
	c.value = 5000000000LL;
	c.height = 7;
	c.script = script;
	c.script_len = slen;
	memset(op.hash, 0x77, 32);
	op.n = 5;
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_coin(w, &op, &c) == 0);
	CHECK(store_write_commit(w) == 0);
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_coin(r, &op, &got) == 0);
	CHECK(got.script_len == slen && memcmp(got.script, script, slen) == 0);
	CHECK(got.value == c.value && got.height == 7);
	store_read_end(r);
	store_close(s);
}

/* The coin's raw value, read (and with flip, a bit changed) with LMDB. */
static size_t
raw_coin(const char *dir, int flip, uint8_t *out, size_t cap)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	uint8_t key[36];
	size_t n = 0;

	memset(key, 0x77, 32);
	key[32] = key[33] = key[34] = 0;
	key[35] = 5;
	k.mv_data = key;
	k.mv_size = sizeof(key);
	CHECK(mdb_env_create(&env) == 0);
	mdb_env_set_maxdbs(env, 20);
	CHECK(mdb_env_open(env, dir, 0, 0644) == 0);
	CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
	if (mdb_dbi_open(txn, "coins", 0, &dbi) == 0 &&
	    mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size <= cap) {
		n = v.mv_size;
		memcpy(out, v.mv_data, n);
		if (flip) {
			out[n - 6] ^= 0x10; /* a script byte */
			v.mv_data = out;
			CHECK(mdb_put(txn, dbi, &k, &v, 0) == 0);
		}
	}
	CHECK(mdb_txn_commit(txn) == 0);
	mdb_env_close(env);
	return n;
}

static void
test_value_checksums(void)
{
	static uint8_t script[22] = { 0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	struct tdir a, b;
	uint8_t key[36], va[64], vb[64];
	size_t na, nb;
	pid_t pid;
	int status = 0, devnull;

	/* CRC-32C's check value, whichever way it is split. */
	CHECK(codec_sum("123456789", 9, "", 0) == 0xE3069283u);
	CHECK(codec_sum("1234", 4, "56789", 5) == 0xE3069283u);

	/* A new store (format 3) ends each coin with the CRC of key, value. */
	tdir_make(&a);
	put_one_coin(a.cs, 3, script, sizeof(script));
	na = raw_coin(a.cs, 0, va, sizeof(va));
	memset(key, 0x77, 32);
	key[32] = key[33] = key[34] = 0;
	key[35] = 5;
	CHECK(na > 4 &&
	    le32_read(va + na - 4) == codec_sum(key, 36, va, na - 4));
	/* A format 1 store keeps its values as they were: no checksum. */
	tdir_make(&b);
	put_one_coin(b.cs, 1, script, sizeof(script));
	nb = raw_coin(b.cs, 0, vb, sizeof(vb));
	CHECK_EQ_INT((int)na, (int)nb + 4);
	CHECK(memcmp(va, vb, nb) == 0);
	tdir_free(&b);

	/* One bit changed behind the store's back: the read stops the node. */
	raw_coin(a.cs, 1, va, sizeof(va));
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct store *s;
		struct store_rtxn *r;
		struct outpoint op;
		struct coin got;

		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, STDERR_FILENO);
		memset(op.hash, 0x77, 32);
		op.n = 5;
		if ((s = testenv_store_open(a.cs, REGTEST)) == NULL ||
		    store_read_begin(s, &r) != 0)
			_exit(3);
		store_get_coin(r, &op, &got);
		_exit(0); /* served the damaged coin */
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	tdir_free(&a);
}

UNIT_MAIN(UNIT_CASE(test_open_close_reopen), UNIT_CASE(test_index),
    UNIT_CASE(test_blocks_undo), UNIT_CASE(test_coins),
    UNIT_CASE(test_coin_order), UNIT_CASE(test_active_chain),
    UNIT_CASE(test_reset_chainstate), UNIT_CASE(test_txindex),
    UNIT_CASE(test_blockfilter), UNIT_CASE(test_abort_and_own_reads),
    UNIT_CASE(test_mapfull_grow), UNIT_CASE(test_refuse_other_chain),
    UNIT_CASE(test_refuse_newer_format), UNIT_CASE(test_refuse_leveldb),
    UNIT_CASE(test_refuse_foreign_data), UNIT_CASE(test_value_checksums),
    UNIT_CASE(test_short_by_free_pages), UNIT_CASE(test_write_waiting))
