/*
 * The store's block files (src/store/blkfiles.c, store_blocks.c): Core's
 * framing (the -loadblock reader reads them back), roll-over at the file
 * size, undo data beside their block's file with Core's trailing checksum,
 * bytes of an aborted transaction overwritten, damage (truncation, a
 * flipped bit, a missing file, a block that does not hash to its key)
 * reported and queued, never served, -blocksdir, and the move of a format 3
 * store's blocks out of data.mdb.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "store_testutil.h"
#include "testenv.h"
#include "unit.h"
#include "crypto/hash.h"
#include "store/blkfiles.h"
#include "store/store.h"
#include "util/buf.h"
#include "validation/blkfile.h"

#define NBLK 12
#define BLKSZ 20000

static uint8_t blob[BLKSZ + 64];

static void
init_blob(void)
{
	size_t i;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 131 + (i >> 7));
}

static struct store *
open_small(const char *cs, const char *blocks, uint32_t fsize)
{
	struct store_options o;
	struct store *s = NULL;
	char err[1024];

	memset(&o, 0, sizeof(o));
	o.sync_mode = STORE_SYNC_PERIODIC;
	o.sync_interval_ms = -1;
	o.blocks_dir = blocks;
	o.blockfile_size = fsize;
	if (store_open_opts(cs, REGTEST, &o, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open_opts: %s\n", err);
		return NULL;
	}
	return s;
}

/* Blocks 0..n-1 (test_block) with undo of 100 + i bytes, one commit each. */
static int
put_blocks(struct store *s, uint32_t from, uint32_t n)
{
	struct store_wtxn *w;
	static uint8_t raw[BLKSZ];
	uint8_t h[32];
	uint32_t i;

	for (i = from; i < n; i++) {
		test_block(i, blob, raw, h);
		if (store_write_begin(s, &w) != 0)
			return -1;
		if (store_put_block(w, h, raw, BLKSZ) != 0 ||
		    store_put_undo(w, h, blob, 100 + i) != 0 ||
		    store_write_commit(w) != 0)
			return -1;
	}
	return 0;
}

static int
check_blocks(struct store *s, uint32_t n)
{
	struct store_rtxn *r;
	static uint8_t raw[BLKSZ];
	const uint8_t *p;
	uint8_t h[32];
	size_t len;
	uint32_t i;
	int ok = 1;

	if (store_read_begin(s, &r) != 0)
		return 0;
	for (i = 0; i < n && ok; i++) {
		test_block(i, blob, raw, h);
		if (store_get_block(r, h, &p, &len) != 0 || len != BLKSZ ||
		    memcmp(p, raw, BLKSZ) != 0)
			ok = 0;
		if (store_get_undo(r, h, &p, &len) != 0 || len != 100 + i ||
		    memcmp(p, blob, len) != 0)
			ok = 0;
	}
	store_read_end(r);
	return ok;
}

static off_t
file_size(const char *dir, const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? st.st_size : -1;
}

struct scan {
	uint32_t n;
	int ok;
};

static int
on_block(void *arg, const uint8_t *block, uint32_t size, uint64_t end_off)
{
	struct scan *sc = arg;
	static uint8_t raw[BLKSZ];
	uint8_t h[32];

	(void)end_off;
	test_block(sc->n, blob, raw, h);
	if (size != BLKSZ || memcmp(block, raw, BLKSZ) != 0)
		sc->ok = 0;
	sc->n++;
	return 0;
}

static void
test_layout_and_rollover(void)
{
	struct tdir td;
	struct store *s;
	struct scan sc = { 0, 1 };
	char blocks[300], path[600];
	uint8_t rec[8 + 100 + 32], h[32], sum[32];
	static uint8_t raw[BLKSZ];
	struct sha256_ctx c;
	uint32_t f;
	FILE *fp;
	int fd;

	init_blob();
	tdir_make(&td);
	snprintf(blocks, sizeof(blocks), "%s/blocks", td.base);
	/* 64 KiB files (-fastprune): three 20,008-byte records each. */
	if ((s = open_small(td.cs, NULL, BLKF_FAST_SIZE)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT(put_blocks(s, 0, NBLK), 0);
	CHECK(check_blocks(s, NBLK));
	CHECK(strcmp(store_blocks_dir(s), blocks) == 0);
	store_close(s);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 3 * (8 + BLKSZ));
	CHECK_EQ_INT((int)file_size(blocks, "blk00003.dat"), 3 * (8 + BLKSZ));
	CHECK_EQ_INT((int)file_size(blocks, "blk00004.dat"), -1);
	/* Undo of file 1's blocks (3, 4, 5) in rev00001.dat. */
	CHECK_EQ_INT((int)file_size(blocks, "rev00001.dat"),
	    3 * (8 + 32) + 103 + 104 + 105);

	/* Core's framing: the -loadblock reader reads every block back. */
	for (f = 0; f < 4; f++) {
		snprintf(path, sizeof(path), "%s/blk%05u.dat", blocks, f);
		if ((fp = fopen(path, "rb")) == NULL) {
			CHECK(0);
			continue;
		}
		CHECK(blkfile_scan(fp, REGTEST, NULL, on_block, &sc) == 3);
		fclose(fp);
	}
	CHECK(sc.ok && sc.n == NBLK);

	/* A rev record: magic, length, undo, hash256(block hash, undo). */
	snprintf(path, sizeof(path), "%s/rev00000.dat", blocks);
	CHECK((fd = open(path, O_RDONLY)) != -1);
	CHECK(fd != -1 && pread(fd, rec, sizeof(rec), 0) == sizeof(rec));
	if (fd != -1)
		close(fd);
	CHECK(memcmp(rec, REGTEST, 4) == 0 && le32_read(rec + 4) == 100);
	CHECK(memcmp(rec + 8, blob, 100) == 0);
	test_block(0, blob, raw, h);
	sha256_init(&c);
	sha256_update(&c, h, 32);
	sha256_update(&c, blob, 100);
	hash256_final(&c, sum);
	CHECK(memcmp(rec + 108, sum, 32) == 0);

	/* Reopened (with another file size): everything reads, appends go on. */
	if ((s = open_small(td.cs, NULL, 0)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(check_blocks(s, NBLK));
	CHECK_EQ_INT(put_blocks(s, NBLK, NBLK + 2), 0);
	CHECK(check_blocks(s, NBLK + 2));
	store_close(s);
	CHECK_EQ_INT((int)file_size(blocks, "blk00003.dat"), 5 * (8 + BLKSZ));
out:
	tdir_free(&td);
}

static void
test_abort_overwritten(void)
{
	struct tdir td;
	struct store *s;
	struct store_wtxn *w;
	struct store_rtxn *r;
	static uint8_t raw[BLKSZ];
	const uint8_t *p;
	uint8_t h[32];
	char blocks[300];
	size_t len;

	init_blob();
	tdir_make(&td);
	snprintf(blocks, sizeof(blocks), "%s/blocks", td.base);
	if ((s = open_small(td.cs, NULL, 0)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT(put_blocks(s, 0, 1), 0);
	/* Block 5 written, then the transaction aborted: nothing points at it. */
	test_block(5, blob, raw, h);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_block(w, h, raw, BLKSZ) == 0);
	/* Its own reads see it (the bytes are in the file already). */
	CHECK(store_get_block(store_wtxn_reader(w), h, &p, &len) == 0 &&
	    len == BLKSZ);
	store_write_abort(w);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 2 * (8 + BLKSZ));
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_get_block(r, h, &p, &len) == STORE_NOTFOUND);
	store_read_end(r);
	/* The next block goes where the aborted one was. */
	CHECK_EQ_INT(put_blocks(s, 1, 2), 0);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 2 * (8 + BLKSZ));
	CHECK(check_blocks(s, 2));
	/* A second put of a stored block writes nothing. */
	test_block(1, blob, raw, h);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_block(w, h, raw, BLKSZ) == 0);
	CHECK(store_write_commit(w) == 0);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 2 * (8 + BLKSZ));
	store_close(s);
out:
	tdir_free(&td);
}

/* Reads block i: 1 if served intact, 0 if refused and queued as damaged. */
static int
read_block(struct store *s, uint32_t i, int undo)
{
	struct store_rtxn *r;
	static uint8_t raw[BLKSZ];
	const uint8_t *p;
	uint8_t h[32], got[32];
	size_t len;
	int rc, queued;

	test_block(i, blob, raw, h);
	if (store_read_begin(s, &r) != 0)
		return -1;
	rc = undo ? store_get_undo(r, h, &p, &len) :
		    store_get_block(r, h, &p, &len);
	store_read_end(r);
	if (rc == STORE_OK)
		return 1;
	queued = store_take_damaged(s, got) && memcmp(got, h, 32) == 0;
	return rc == STORE_ERROR && queued && !store_take_damaged(s, got) ? 0 :
									    -1;
}

static void
flip(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	uint8_t b = 0;

	CHECK(fd != -1 && pread(fd, &b, 1, off) == 1);
	b ^= 0x20;
	CHECK(fd != -1 && pwrite(fd, &b, 1, off) == 1);
	if (fd != -1)
		close(fd);
}

static void
test_damage(void)
{
	struct tdir td;
	struct store *s;
	char blocks[300], path[600];
	off_t rec1 = 8 + BLKSZ; /* block 1's record in blk00000.dat */

	init_blob();
	tdir_make(&td);
	snprintf(blocks, sizeof(blocks), "%s/elsewhere/blk", td.base);
	/* -blocksdir: the files go where asked, the default stays empty. */
	if ((s = open_small(td.cs, blocks, BLKF_FAST_SIZE)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT(put_blocks(s, 0, 9), 0);
	snprintf(path, sizeof(path), "%s/blocks", td.base);
	CHECK(access(path, F_OK) == -1);
	CHECK_EQ_INT(read_block(s, 1, 0), 1);

	snprintf(path, sizeof(path), "%s/blk00000.dat", blocks);
	flip(path, rec1 + 8 + 10); /* a header byte: the hash differs */
	CHECK_EQ_INT(read_block(s, 1, 0), 0);
	CHECK_EQ_INT(read_block(s, 0, 0), 1); /* its neighbours are fine */
	CHECK_EQ_INT(read_block(s, 2, 0), 1);
	flip(path, rec1 + 8 + 10);
	flip(path, rec1 + 1); /* the message start */
	CHECK_EQ_INT(read_block(s, 1, 0), 0);
	flip(path, rec1 + 1);
	flip(path, rec1 + 6); /* the length */
	CHECK_EQ_INT(read_block(s, 1, 0), 0);
	flip(path, rec1 + 6);
	CHECK_EQ_INT(read_block(s, 1, 0), 1);

	/* Truncated: block 2 (the file's last) is cut, 0 and 1 still read. */
	CHECK(truncate(path, 3 * (8 + BLKSZ) - 1) == 0);
	CHECK_EQ_INT(read_block(s, 2, 0), 0);
	CHECK_EQ_INT(read_block(s, 1, 0), 1);

	/* A missing file. */
	snprintf(path, sizeof(path), "%s/blk00001.dat", blocks);
	CHECK(unlink(path) == 0);
	CHECK_EQ_INT(read_block(s, 4, 0), 0);
	CHECK_EQ_INT(read_block(s, 4, 1), 1); /* its undo is elsewhere */

	/* Undo: one flipped bit fails the checksum. */
	snprintf(path, sizeof(path), "%s/rev00002.dat", blocks);
	flip(path, 8 + 50);
	CHECK_EQ_INT(read_block(s, 6, 1), 0);
	CHECK_EQ_INT(read_block(s, 7, 1), 1);
	store_close(s);
out:
	tdir_free(&td);
}

/* A format 3 store: blocks and undo data written into data.mdb as before. */
static int
make_format3(const char *dir, uint32_t n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta, blocks, undo;
	MDB_val k, v;
	static uint8_t raw[BLKSZ];
	uint8_t h[32], fmt[4];
	uint32_t i;
	int rc;

	le32_write(fmt, 3);
	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	mdb_env_set_maxdbs(env, 20);
	mdb_env_set_mapsize(env, 64u << 20);
	if ((rc = mdb_env_open(env, dir, 0, 0644)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		mdb_env_close(env);
		return rc;
	}
	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "blocks", MDB_CREATE, &blocks)) != 0 ||
	    (rc = mdb_dbi_open(txn, "undo", MDB_CREATE, &undo)) != 0)
		goto fail;
	k.mv_data = (void *)(uintptr_t) "format";
	k.mv_size = 6;
	v.mv_data = fmt;
	v.mv_size = 4;
	if ((rc = mdb_put(txn, meta, &k, &v, 0)) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		test_block(i, blob, raw, h);
		k.mv_data = h;
		k.mv_size = 32;
		v.mv_data = raw;
		v.mv_size = BLKSZ;
		if ((rc = mdb_put(txn, blocks, &k, &v, 0)) != 0)
			goto fail;
		v.mv_data = blob;
		v.mv_size = 100 + i;
		if ((rc = mdb_put(txn, undo, &k, &v, 0)) != 0)
			goto fail;
	}
	rc = mdb_txn_commit(txn);
	mdb_env_close(env);
	return rc;
fail:
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return rc;
}

static void
test_move_format3(void)
{
	struct tdir td;
	struct store *s;
	char blocks[300];

	init_blob();
	tdir_make(&td);
	snprintf(blocks, sizeof(blocks), "%s/blocks", td.base);
	if ((s = open_small(td.cs, NULL, 0)) == NULL) {
		CHECK(0);
		goto out;
	}
	store_close(s);
	CHECK_EQ_INT(make_format3(td.cs, 7), 0);
	/* Open: the blocks move out into blk00000.dat, and read back. */
	if ((s = open_small(td.cs, NULL, 0)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(check_blocks(s, 7));
	store_close(s);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 7 * (8 + BLKSZ));
	/* Once: the next open finds format 4 and moves nothing again. */
	if ((s = open_small(td.cs, NULL, 0)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(check_blocks(s, 7));
	store_close(s);
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), 7 * (8 + BLKSZ));
out:
	tdir_free(&td);
}

static void
test_read_fd_frame(void)
{
	char name[] = "/tmp/br-test-blkf.XXXXXX", err[512];
	uint8_t file[8 + 10 + 32], *out = NULL;
	int fd;

	memcpy(file, REGTEST, 4);
	le32_write(file + 4, 10);
	memset(file + 8, 0xab, 10 + 32);
	if ((fd = mkstemp(name)) == -1) {
		CHECK(0);
		return;
	}
	unlink(name);
	CHECK(write(fd, file, sizeof(file)) == (ssize_t)sizeof(file));
	CHECK(blkfiles_read_fd(fd, "f", REGTEST, 8, 10, 32, &out, err,
		  sizeof(err)) == 0);
	free(out);
	/* Past the end, before the header, the wrong length: refused. */
	CHECK(blkfiles_read_fd(fd, "f", REGTEST, 8, 10, 33, &out, err,
		  sizeof(err)) == -1);
	CHECK(strstr(err, "truncated") != NULL);
	CHECK(blkfiles_read_fd(fd, "f", REGTEST, 4, 10, 0, &out, err,
		  sizeof(err)) == -1);
	CHECK(blkfiles_read_fd(fd, "f", REGTEST, 8, 9, 0, &out, err,
		  sizeof(err)) == -1);
	CHECK(strstr(err, "says 10 bytes") != NULL);
	close(fd);
}

static int
count_hash(void *arg, const uint8_t hash[32])
{
	(void)hash;
	(*(int *)arg)++;
	return 0;
}

static void
test_prune(void)
{
	struct tdir td;
	struct store *s;
	struct store_wtxn *w;
	struct store_rtxn *r;
	char blocks[300];
	uint64_t before = 0, after = 0;
	int n = 0;

	init_blob();
	tdir_make(&td);
	snprintf(blocks, sizeof(blocks), "%s/blocks", td.base);
	if ((s = open_small(td.cs, NULL, BLKF_FAST_SIZE)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT(put_blocks(s, 0, NBLK), 0); /* files 0-3, 3 blocks each */
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_blockfiles_size(r, &before) == 0);
	store_read_end(r);
	CHECK(before == 4 * 3 * (8 + BLKSZ) + 3 * 4 * 40 + 100 * 12 + 66);
	/* File 1 pruned: its three blocks' records go, cb sees each. */
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_prune_file(w, 1, count_hash, &n) == 0);
	/* The file being written is never pruned. */
	CHECK(store_prune_file(w, 3, NULL, NULL) == STORE_ERROR);
	store_write_abort(w);
	n = 0;
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_prune_file(w, 1, count_hash, &n) == 0);
	CHECK(store_prune_file(w, 0, NULL, NULL) == 0);
	CHECK(store_write_commit(w) == 0);
	CHECK_EQ_INT(n, 3);
	CHECK(store_prune_remove(s, 1) == 0);
	CHECK_EQ_INT((int)file_size(blocks, "blk00001.dat"), -1);
	CHECK_EQ_INT((int)file_size(blocks, "rev00001.dat"), -1);
	CHECK_EQ_INT(read_block(s, 4, 0), -1); /* not found, not damaged */
	CHECK_EQ_INT(read_block(s, 7, 0), 1);
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(store_blockfiles_size(r, &after) == 0);
	store_read_end(r);
	CHECK(after < before - 6 * (8 + BLKSZ));
	store_close(s);
	/* File 0 was marked but not removed (a crash): the next open does it. */
	CHECK((int)file_size(blocks, "blk00000.dat") > 0);
	if ((s = open_small(td.cs, NULL, BLKF_FAST_SIZE)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ_INT((int)file_size(blocks, "blk00000.dat"), -1);
	CHECK_EQ_INT((int)file_size(blocks, "rev00000.dat"), -1);
	CHECK_EQ_INT(read_block(s, 9, 1), 1);
	store_close(s);
out:
	tdir_free(&td);
}

UNIT_MAIN(UNIT_CASE(test_layout_and_rollover), UNIT_CASE(test_prune),
    UNIT_CASE(test_abort_overwritten), UNIT_CASE(test_damage),
    UNIT_CASE(test_move_format3), UNIT_CASE(test_read_fd_frame))
