/*
 * bench_store: what a block's commit costs under each sync mode.
 *
 *	bench_store [DIR [BLOCKS [COINS]]]
 *
 * Commits BLOCKS (default 1100, the size of regtest-dev.dat) write
 * transactions shaped like a connected block: COINS (default 20) new
 * coins, two thirds as many spent, the raw block (~6.6 KB, the average of
 * regtest-dev.dat), its undo data, index entry, active-chain entry and
 * tip. Each mode gets a fresh store under DIR (default /tmp; use a
 * directory on the disk you care about, not tmpfs). Prints milliseconds
 * for the commit loop and for the final flush.
 */
#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/time.h"

#define BLOCK_BYTES 6600
#define UNDO_BYTES 700

static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static int runs;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
rand_hash(uint8_t h[32])
{
	int i;

	for (i = 0; i < 4; i++)
		le64_write(h + 8 * i, next_rand());
}

struct live {
	struct outpoint *ops;
	size_t n, cap;
};

static int
one_block(struct store *s, uint32_t height, int ncoins, struct live *lv,
    const uint8_t *blob)
{
	struct store_wtxn *w;
	struct block_index_entry e;
	struct outpoint op;
	struct coin c;
	size_t spend, k, pick;
	int rc, i;

	if ((rc = store_write_begin(s, &w)) != 0)
		return rc;
	/* Spend two thirds as many as we create (regtest-dev's ratio). */
	spend = lv->n < (size_t)ncoins ? 0 : (size_t)ncoins * 2 / 3;
	for (k = 0; k < spend; k++) {
		pick = next_rand() % lv->n;
		if ((rc = store_del_coin(w, &lv->ops[pick])) != 0)
			goto fail;
		lv->ops[pick] = lv->ops[--lv->n];
	}
	rand_hash(op.hash);
	for (i = 0; i < ncoins; i++) {
		op.n = (uint32_t)i;
		memset(&c, 0, sizeof(c));
		c.value = (int64_t)(next_rand() % (50 * 100000000ull));
		c.height = (int32_t)height;
		c.coinbase = i == 0;
		c.script = (uint8_t *)(uintptr_t)blob;
		c.script_len = 22;
		if ((rc = store_put_coin(w, &op, &c)) != 0)
			goto fail;
		if (lv->n == lv->cap) {
			lv->cap = lv->cap ? lv->cap * 2 : 1024;
			lv->ops = realloc(lv->ops, lv->cap * sizeof(*lv->ops));
		}
		lv->ops[lv->n++] = op;
	}
	memset(&e, 0, sizeof(e));
	rand_hash(e.hash);
	e.height = (int32_t)height;
	e.status = BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO;
	e.tx_count = (uint32_t)ncoins;
	if ((rc = store_put_index(w, &e)) != 0 ||
	    (rc = store_put_block(w, e.hash, blob, BLOCK_BYTES)) != 0 ||
	    (rc = store_put_undo(w, e.hash, blob, UNDO_BYTES)) != 0 ||
	    (rc = store_set_active_hash(w, (int32_t)height, e.hash)) != 0 ||
	    (rc = store_set_tip(w, e.hash, (int32_t)height)) != 0)
		goto fail;
	return store_write_commit(w);
fail:
	store_write_abort(w);
	return rc;
}

static int
run(const char *base, const char *name, enum store_sync_mode mode,
    int interval_ms, uint32_t blocks, int ncoins, const uint8_t *blob)
{
	struct store_options opt;
	struct store *s;
	struct live lv = { NULL, 0, 0 };
	char dir[512], err[256], cmd[600];
	int64_t t0, t1, t2;
	uint64_t size = 0;
	uint32_t h;
	int rc;

	snprintf(dir, sizeof(dir), "%s/bench-store-%d-%d", base, (int)getpid(),
	    runs++);
	memset(&opt, 0, sizeof(opt));
	opt.sync_mode = mode;
	opt.sync_interval_ms = interval_ms;
	if (store_open_opts(dir, magic, &opt, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	t0 = time_mono_micros();
	/* The default 1 GiB map holds this easily: MAPFULL would be an error. */
	for (h = 0; h < blocks; h++) {
		if ((rc = one_block(s, h, ncoins, &lv, blob)) != 0) {
			fprintf(stderr, "bench_store: block %u: %s\n", h,
			    store_strerror(rc));
			return -1;
		}
	}
	t1 = time_mono_micros();
	store_sync(s);
	t2 = time_mono_micros();
	store_disk_size(s, &size);
	store_close(s);
	printf("%-22s %9.1f ms %8.1f us/block  final sync %7.1f ms  "
	       "%6.1f MiB\n",
	    name, (t1 - t0) / 1000.0, (double)(t1 - t0) / blocks,
	    (t2 - t1) / 1000.0, size / 1048576.0);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	free(lv.ops);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/tmp";
	uint32_t blocks = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) :
				     1100;
	int ncoins = argc > 3 ? atoi(argv[3]) : 20;
	static uint8_t blob[BLOCK_BYTES];
	size_t i;

	if (blocks == 0 || ncoins <= 0) {
		fprintf(stderr, "usage: bench_store [DIR [BLOCKS [COINS]]]\n");
		return 2;
	}
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 29 + 3);
	printf("%u blocks, %d new coins each, in %s\n", blocks, ncoins, base);
	if (run(base, "full (fsync/commit)", STORE_SYNC_FULL, 0, blocks,
		ncoins, blob) != 0 ||
	    run(base, "data (nometasync)", STORE_SYNC_DATA, 0, blocks, ncoins,
		blob) != 0 ||
	    run(base, "periodic (sync 5 s)", STORE_SYNC_PERIODIC, 5000, blocks,
		ncoins, blob) != 0 ||
	    run(base, "periodic (sync 10 ms)", STORE_SYNC_PERIODIC, 10, blocks,
		ncoins, blob) != 0 ||
	    run(base, "nosync (end only)", STORE_SYNC_PERIODIC, 0, blocks,
		ncoins, blob) != 0)
		return 1;
	return 0;
}
