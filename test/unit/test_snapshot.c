/*
 * UTXO snapshot files (validation/snapshot.h): a store's coins written by
 * snapshot_dump and read back by snapshot_load_coins into another store's
 * second chainstate give the same UTXO set (hash_serialized_3), over
 * several load transactions and map growths; the metadata's refusals and
 * the coins' refusals in Core's words.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testenv.h"
#include "unit.h"
#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "primitives/compress.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "validation/coinstats.h"
#include "validation/snapshot.h"
#include "validation/validation_int.h"

struct env {
	char base[256];
	struct chainparams *cp;
	struct store *a, *b; /* source, destination */
	uint8_t tip[32];
	int32_t height;
	uint8_t *file;
	size_t len;
};

static struct store *
open_store(struct env *e, const char *name, size_t map)
{
	struct store_options o;
	struct store *s = NULL;
	char dir[512], err[256];

	memset(&o, 0, sizeof(o));
	o.map_size = map;
	o.sync_interval_ms = -1;
	snprintf(dir, sizeof(dir), "%s/%s", e->base, name);
	if (store_open_opts(dir, e->cp->magic, &o, &s, err, sizeof(err)) != 0)
		fprintf(stderr, "store_open: %s\n", err);
	return s;
}

/* Fills e->a with ntx transactions' coins and a tip at height 700. */
static void
fill(struct env *e, size_t ntx)
{
	static const uint8_t p2pkh[25] = { 0x76, 0xa9,
		20, [23] = 0x88, [24] = 0xac };
	uint8_t script[40];
	struct block_index_entry ie;
	struct store_wtxn *w;
	struct outpoint op;
	struct coin c;
	size_t i, k;

	memset(&ie, 0, sizeof(ie));
	sha256("tip", 3, e->tip);
	e->height = 700;
	memcpy(ie.hash, e->tip, 32);
	ie.height = e->height;
	ie.chain_tx = 12345;
	CHECK(store_write_begin(e->a, &w) == 0);
	for (i = 0; i < ntx; i++) {
		uint8_t seed[8];

		le64_write(seed, i);
		sha256(seed, sizeof(seed), op.hash);
		/* One, two or three outputs, with gaps in the indexes. */
		for (k = 0; k < 1 + i % 3; k++) {
			op.n = (uint32_t)(k * 2 + i % 2);
			memset(&c, 0, sizeof(c));
			c.height = (int32_t)(i % 700);
			c.coinbase = (int)(i % 5 == 0);
			c.value = (int64_t)(i * 1000 + k);
			if (i % 4 == 0) {
				c.script = (uint8_t *)(uintptr_t)p2pkh;
				c.script_len = sizeof(p2pkh);
			} else {
				memset(script, (int)(i & 0xff),
				    sizeof(script));
				c.script = script;
				c.script_len = i % sizeof(script);
			}
			CHECK(store_put_coin(w, &op, &c) == 0);
		}
	}
	CHECK(store_put_index(w, &ie) == 0);
	CHECK(store_set_tip(w, e->tip, e->height) == 0);
	CHECK(store_write_commit(w) == 0);
}

static void
env_init(struct env *e, size_t ntx, size_t dest_map)
{
	char path[300];
	struct snapshot_dump_result res;
	char err[256];
	FILE *f;
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (testenv_tmpdir(e->base, sizeof(e->base), "br-test-snapshot") != 0)
		exit(2);
	e->cp = chainparams_new(CHAIN_REGTEST);
	e->a = open_store(e, "a", 0);
	e->b = open_store(e, "b", dest_map);
	if (e->a == NULL || e->b == NULL)
		exit(2);
	fill(e, ntx);
	snprintf(path, sizeof(path), "%s/utxo.dat", e->base);
	f = fopen(path, "wb");
	CHECK(snapshot_dump(e->a, e->cp, f, &res, err, sizeof(err)) == 0);
	fclose(f);
	CHECK(res.base_height == 700 && res.chain_tx == 12345);
	CHECK(memcmp(res.base_hash, e->tip, 32) == 0);
	CHECK(stat(path, &st) == 0);
	f = fopen(path, "rb");
	e->len = (size_t)st.st_size;
	e->file = xmalloc(e->len);
	CHECK(fread(e->file, 1, e->len, f) == e->len);
	fclose(f);
}

static void
env_free(struct env *e)
{
	store_close(e->a);
	store_close(e->b);
	chainparams_free(e->cp);
	free(e->file);
	testenv_rm_rf(e->base);
}

static int
hash_of(struct store *s, enum store_cs cs, uint8_t out[32], int32_t *height)
{
	struct store_rtxn *t;
	struct coinstats st;
	int rc;

	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_txn_use(t, cs);
	if (rc == 0)
		rc = coinstats_compute(t, 0, &st);
	store_read_end(t);
	memcpy(out, st.hash_serialized, 32);
	*height = st.height;
	return rc;
}

/* Loads data as a snapshot into e->b's second chainstate; 0 or -1 with err. */
static int
load(struct env *e, const uint8_t *data, size_t len, char *err, size_t n)
{
	struct snapshot_meta m;
	struct rbuf r;

	rbuf_init(&r, data, len);
	if (snapshot_meta_get(&r, e->cp->magic, "regtest", &m, err, n) != 0)
		return -1;
	return snapshot_load_coins(e->b, &r, &m, 700, err, n);
}

static void
test_roundtrip_batches_and_growth(void)
{
	struct env e;
	uint8_t ha[32], hb[32];
	int32_t h1, h2;
	char err[256];

	/* Over two load batches, into a map that must grow. */
	env_init(&e, SNAPSHOT_LOAD_BATCH * 2 / 3 + 17, 1 << 16);
	CHECK(load(&e, e.file, e.len, err, sizeof(err)) == 0);
	CHECK(hash_of(e.a, STORE_CS_TIP, ha, &h1) == 0);
	CHECK(hash_of(e.b, STORE_CS_OTHER, hb, &h2) == 0);
	CHECK(memcmp(ha, hb, 32) == 0);
	CHECK(h1 == 700 && h2 == 700);
	/* The followed chainstate of b is untouched. */
	CHECK(hash_of(e.b, STORE_CS_TIP, hb, &h2) == 0 && h2 == -1);
	CHECK(store_map_size(e.b) > (1 << 16));
	env_free(&e);
}

static void
test_metadata(void)
{
	struct env e;
	struct snapshot_meta m;
	struct rbuf r;
	uint8_t *d;
	char err[256];

	env_init(&e, 50, 0);
	d = xmemdup(e.file, e.len);
	rbuf_init(&r, d, e.len);
	CHECK(snapshot_meta_get(&r, e.cp->magic, "regtest", &m, err,
		  sizeof(err)) == 0);
	CHECK(memcmp(m.base_hash, e.tip, 32) == 0);
	CHECK(m.coins == 99);
	CHECK(r.off == SNAPSHOT_META_LEN);
	d[5] = 3;
	rbuf_init(&r, d, e.len);
	CHECK(snapshot_meta_get(&r, e.cp->magic, "regtest", &m, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Version of snapshot 3 does not match any of the "
	    "supported versions.: iostream error");
	d[5] = 2;
	memcpy(d + 7, "\x1c\x16\x3f\x28", 4);
	rbuf_init(&r, d, e.len);
	CHECK(snapshot_meta_get(&r, e.cp->magic, "regtest", &m, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "The network of the snapshot (testnet4) does not "
	    "match the network of this node (regtest).: iostream error");
	rbuf_init(&r, e.file, 10);
	CHECK(snapshot_meta_get(&r, e.cp->magic, "regtest", &m, err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err, "AutoFile::read: end of file: iostream error");
	free(d);
	env_free(&e);
}

static void
test_bad_coins(void)
{
	struct env e;
	uint8_t *d;
	size_t n;
	char err[256];
	uint64_t count;

	env_init(&e, 50, 0);
	count = le64_read(e.file + 43);
	/* Cut in the middle of the last coin. */
	CHECK(load(&e, e.file, e.len - 1, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Bad snapshot format or truncated snapshot after "
	    "deserializing 98 coins");
	/* One byte too many. */
	n = e.len + 1;
	d = xcalloc(1, n);
	memcpy(d, e.file, e.len);
	CHECK(load(&e, d, n, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Bad snapshot - coins left over after deserializing "
	    "99 coins");
	/* The count says one less: the last transaction's two coins do not fit. */
	memcpy(d, e.file, e.len);
	le64_write(d + 43, count - 1);
	CHECK(load(&e, d, e.len, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Mismatch in coins count in snapshot metadata and "
	    "actual snapshot data");
	/* A first transaction claiming more coins than there are. */
	memcpy(d, e.file, e.len);
	d[SNAPSHOT_META_LEN + 32] = 0xfc;
	CHECK(load(&e, d, e.len, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Mismatch in coins count in snapshot metadata and "
	    "actual snapshot data");
	free(d);
	env_free(&e);
}

static void
test_duplicate_and_height(void)
{
	struct env e;
	struct wbuf w;
	uint8_t txid[32], script[3] = { 0x51, 0x52, 0x53 };
	struct snapshot_meta m;
	char err[256];

	env_init(&e, 1, 0);
	memcpy(m.base_hash, e.tip, 32);
	sha256("x", 1, txid);
	/* Output 4 twice in one transaction. */
	m.coins = 2;
	wbuf_init(&w);
	snapshot_meta_put(&w, e.cp->magic, &m);
	wbuf_put(&w, txid, 32);
	wbuf_put_compact(&w, 2);
	wbuf_put_compact(&w, 4);
	compress_coin_put(&w, 10, 0, 5000, script, sizeof(script));
	wbuf_put_compact(&w, 4);
	compress_coin_put(&w, 11, 0, 6000, script, sizeof(script));
	CHECK(load(&e, w.p, w.len, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Bad snapshot data after deserializing 1 coins - "
	    "duplicate coin");
	/* A coin above the base height (700). */
	m.coins = 1;
	wbuf_reset(&w);
	snapshot_meta_put(&w, e.cp->magic, &m);
	wbuf_put(&w, txid, 32);
	wbuf_put_compact(&w, 1);
	wbuf_put_compact(&w, 0);
	compress_coin_put(&w, 701, 1, 5000, script, sizeof(script));
	CHECK(load(&e, w.p, w.len, err, sizeof(err)) == -1);
	CHECK_EQ_STR(err, "Bad snapshot data after deserializing 0 coins");
	/* At the base height: fine; an empty snapshot is fine too. */
	wbuf_reset(&w);
	snapshot_meta_put(&w, e.cp->magic, &m);
	wbuf_put(&w, txid, 32);
	wbuf_put_compact(&w, 1);
	wbuf_put_compact(&w, 0);
	compress_coin_put(&w, 700, 1, 5000, script, sizeof(script));
	CHECK(load(&e, w.p, w.len, err, sizeof(err)) == 0);
	m.coins = 0;
	wbuf_reset(&w);
	snapshot_meta_put(&w, e.cp->magic, &m);
	CHECK(load(&e, w.p, w.len, err, sizeof(err)) == 0);
	wbuf_free(&w);
	env_free(&e);
}

/* Writes the snapshot record in state st (validation_int.h's layout). */
static void
put_record(struct store *s, int st)
{
	uint8_t rec[77];
	struct store_wtxn *w;

	memset(rec, 0, sizeof(rec));
	rec[0] = (uint8_t)st;
	sha256("base", 4, rec + 1);
	le32_write(rec + 33, 700);
	le64_write(rec + 37, 12345);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_meta(w, "assumeutxo", rec, sizeof(rec)) == 0);
	CHECK(store_write_commit(w) == 0);
}

static uint64_t
other_coins(struct store *s)
{
	struct store_rtxn *t;
	uint64_t n = 0;

	CHECK(store_read_begin(s, &t) == 0);
	CHECK(store_txn_use(t, STORE_CS_OTHER) == 0);
	CHECK(store_count_coins(t, &n) == 0);
	store_read_end(t);
	return n;
}

/*
 * A restart at each stage: a load cut short, a failed snapshot and a
 * validated one leave an empty second chainstate and no record; an active
 * one is kept, unless -reindex.
 */
static void
test_restart_stages(void)
{
	static const int drop[] = { AU_LOADING, AU_INVALID, AU_VALIDATED };
	struct au_record r;
	struct env e;
	char err[256];
	size_t i;

	env_init(&e, 30, 0);
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		CHECK(load(&e, e.file, e.len, err, sizeof(err)) == 0);
		CHECK(other_coins(e.b) > 0);
		put_record(e.b, drop[i]);
		CHECK(au_settle(e.b, 0, &r) == 0);
		CHECK(r.state == AU_NONE);
		CHECK(other_coins(e.b) == 0);
		/* Settled once, nothing left to settle. */
		CHECK(au_settle(e.b, 0, &r) == 0 && r.state == AU_NONE);
	}
	CHECK(load(&e, e.file, e.len, err, sizeof(err)) == 0);
	put_record(e.b, AU_ACTIVE);
	CHECK(au_settle(e.b, 0, &r) == 0);
	CHECK(r.state == AU_ACTIVE && r.height == 700 && r.chain_tx == 12345);
	CHECK(other_coins(e.b) > 0);
	CHECK(au_settle(e.b, 1, &r) == 0);
	CHECK(r.state == AU_NONE);
	CHECK(other_coins(e.b) == 0);
	env_free(&e);
}

UNIT_MAIN(UNIT_CASE(test_roundtrip_batches_and_growth),
    UNIT_CASE(test_metadata), UNIT_CASE(test_bad_coins),
    UNIT_CASE(test_duplicate_and_height), UNIT_CASE(test_restart_stages))
