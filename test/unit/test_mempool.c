/*
 * The mempool thread wired to a real validation thread: peers'
 * transactions through mempool_submit_tx and the listeners, blocks mined
 * from the pool (coinbase claims the fees, getblocktemplate's fields),
 * block events removing confirmed and conflicting entries, invalidate and
 * reconsider, mempool.dat written and read back (and a corrupt one),
 * and shutdown with the validation thread still asking for templates.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "mempool/mempool.h"
#include "mempool/pool.h"
#include "script/sigcache.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/request.h"
#include "rpc/rpcerr.h"
#include "util/shutdown.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/validation.h"
#include "blockgen.h"
#include "testenv.h"
#include "unit.h"

#define WAIT_MS 20000
#define MAX_SEEN 64

/* What the listener saw; written on the mempool thread, read here. */
struct seen {
	pthread_mutex_t mu;
	size_t nadded, nremoved, nrejected;
	uint64_t added_peer[MAX_SEEN];
	uint8_t added[MAX_SEEN][32];
	int64_t added_rate[MAX_SEEN];
	uint8_t removed[MAX_SEEN][32];
	int removed_why[MAX_SEEN];
	uint8_t rejected[MAX_SEEN][32];
	enum mempool_reject rejected_kind[MAX_SEEN];
	char rejected_reason[MAX_SEEN][96];
	size_t rejected_nparents[MAX_SEEN];
	uint8_t rejected_parent0[MAX_SEEN][32];
};

static void
l_added(void *arg, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], int64_t rate, const uint8_t *raw, size_t len)
{
	struct seen *s = arg;

	(void)wtxid;
	(void)raw;
	(void)len;
	pthread_mutex_lock(&s->mu);
	if (s->nadded < MAX_SEEN) {
		s->added_peer[s->nadded] = peer;
		memcpy(s->added[s->nadded], txid, 32);
		s->added_rate[s->nadded] = rate;
		s->nadded++;
	}
	pthread_mutex_unlock(&s->mu);
}

static void
l_removed(void *arg, const uint8_t txid[32], const uint8_t wtxid[32], int why)
{
	struct seen *s = arg;

	(void)wtxid;
	pthread_mutex_lock(&s->mu);
	if (s->nremoved < MAX_SEEN) {
		memcpy(s->removed[s->nremoved], txid, 32);
		s->removed_why[s->nremoved] = why;
		s->nremoved++;
	}
	pthread_mutex_unlock(&s->mu);
}

static void
l_rejected(void *arg, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], enum mempool_reject kind, const char *reason,
    const uint8_t (*parents)[32], size_t nparents)
{
	struct seen *s = arg;
	size_t i;

	(void)peer;
	(void)wtxid;
	pthread_mutex_lock(&s->mu);
	if ((i = s->nrejected) < MAX_SEEN) {
		memcpy(s->rejected[i], txid, 32);
		s->rejected_kind[i] = kind;
		snprintf(s->rejected_reason[i], sizeof(s->rejected_reason[i]),
		    "%s", reason ? reason : "");
		s->rejected_nparents[i] = nparents;
		if (nparents)
			memcpy(s->rejected_parent0[i], parents[0], 32);
		s->nrejected++;
	}
	pthread_mutex_unlock(&s->mu);
}

static size_t
count_of(struct seen *s, size_t *field)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = *field;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits until *field reaches n; 0, or -1 on time-out. */
static int
wait_count(struct seen *s, size_t *field, size_t n)
{
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += 5) {
		if (count_of(s, field) >= n)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

static int
wait_size(struct mempool *m, size_t n)
{
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += 5) {
		if (mempool_size(m) == n)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

/* ---- environment ---- */

struct env {
	char dir[256];
	struct chainparams *cp;
	struct store *s;
	struct args *a;
	struct sigcache *sc;
	struct validation *v;
	struct mempool *m;
	struct seen seen;
	json_t *kept;	/* params kept until the threads are joined */
	char desc[128]; /* raw() descriptor of bg_p2wsh_true */
};

static int
threads_start(struct env *e, const char *extra)
{
	struct mempool_listener ml;

	if ((e->a = testenv_args(e->dir, &extra, 1)) == NULL)
		return -1;
	if (validation_start_sc(e->a, e->cp, e->s, e->sc, &e->v) != 0)
		return -1;
	if (mempool_start(e->a, e->cp, e->s, e->v, e->sc, &e->m) != 0)
		return -1;
	memset(&ml, 0, sizeof(ml));
	ml.arg = &e->seen;
	ml.tx_added = l_added;
	ml.tx_removed = l_removed;
	ml.tx_rejected = l_rejected;
	mempool_add_listener(e->m, &ml);
	return 0;
}

static void
threads_stop(struct env *e)
{
	mempool_stop(e->m);
	validation_stop(e->v);
	args_free(e->a);
	e->m = NULL;
	e->v = NULL;
	e->a = NULL;
	json_decref(e->kept);
	e->kept = json_array();
}

static int
env_start(struct env *e, const char *extra)
{
	char path[300], hex[69];

	testenv_setup("test_mempool", LOGL_DEBUG, LOG_MEMPOOL);
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->seen.mu, NULL);
	e->kept = json_array();
	if (testenv_tmpdir(e->dir, sizeof(e->dir), "test_mempool") != 0)
		return -1;
	hex_encode(bg_p2wsh_true, sizeof(bg_p2wsh_true), hex);
	snprintf(e->desc, sizeof(e->desc), "raw(%s)", hex);
	e->cp = chainparams_new(CHAIN_REGTEST);
	if (mkdir(e->dir, 0700) != 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/regtest", e->dir);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/regtest/chainstate", e->dir);
	if ((e->s = testenv_store_open(path, e->cp->magic)) == NULL)
		return -1;
	e->sc = sigcache_new(1u << 20);
	return threads_start(e, extra);
}

static void
env_stop(struct env *e)
{
	threads_stop(e);
	json_decref(e->kept);
	store_close(e->s);
	sigcache_free(e->sc);
	chainparams_free(e->cp);
	pthread_mutex_destroy(&e->seen.mu);
	testenv_rm_rf(e->dir);
}

#define REQ_MS 60000

/* generateblock paying bg_p2wsh_true with one transaction: 0, or -1 with *err. */
static int
gen_block(struct env *e, const uint8_t *raw, size_t len,
    const uint8_t txid[32], struct request_error *err)
{
	struct validation_block_tx t;
	struct validation_block_made b;
	int rc;

	memset(&t, 0, sizeof(t));
	if (txid) {
		t.is_txid = 1;
		memcpy(t.txid, txid, 32);
	} else {
		t.raw = (uint8_t *)(uintptr_t)raw;
		t.len = len;
	}
	rc = validation_generate_block(e->v, bg_p2wsh_true,
	    sizeof(bg_p2wsh_true), &t, 1, 1, 1, &b, REQ_MS, err);
	if (rc != 0)
		return -1;
	rc = b.made ? 0 : -1;
	if (b.missing) {
		err->status = 0;
		snprintf(err->message, sizeof(err->message), "not in mempool");
	}
	validation_block_made_free(&b);
	return rc;
}

/* A typed request to the mempool thread; 0, or -1 with *err. */
static int
ask(struct env *e, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), struct request_error *err)
{
	memset(err, 0, sizeof(*err));
	return mempool_ask(e->m, fn, in, inlen, in_free, out, outlen, out_free,
	    60000, err);
}

static int
prioritise(struct env *e, const uint8_t txid[32], int64_t delta)
{
	struct mempool_prioritise_in in;
	struct request_error err;
	char none;

	memcpy(in.txid, txid, 32);
	in.delta = delta;
	if (ask(e, mempool_req_prioritise, &in, sizeof(in), NULL, &none, 0,
		NULL, &err) != 0) {
		fprintf(stderr, "prioritise: %d %s\n", err.status,
		    err.message);
		return -1;
	}
	return 0;
}

/* The prioritisation of txid the pool reports, or INT64_MIN for none. */
static int64_t
delta_of(struct env *e, const uint8_t txid[32])
{
	struct mempool_deltas out;
	struct request_error err;
	int64_t d = INT64_MIN;
	size_t i;

	memset(&out, 0, sizeof(out));
	if (ask(e, mempool_req_deltas, NULL, 0, NULL, &out, sizeof(out),
		mempool_deltas_free, &err) != 0)
		return d;
	for (i = 0; i < out.n; i++)
		if (memcmp(out.v[i].txid, txid, 32) == 0)
			d = out.v[i].delta;
	mempool_deltas_free(&out);
	return d;
}

static void
mine(struct env *e, int n)
{
	struct validation_generated g;
	struct request_error err;

	CHECK(validation_generate(e->v, bg_p2wsh_true, sizeof(bg_p2wsh_true),
		  n, 1000000, &g, REQ_MS, &err) == 0);
	CHECK_EQ_INT(g.n, n);
	validation_generated_free(&g);
}

/* The coinbase of the active block at height, and that block's tx count. */
static void
block_at(struct env *e, int32_t height, uint8_t cbtxid[32], int64_t *cbvalue,
    size_t *ntx)
{
	struct store_rtxn *r;
	const uint8_t *raw;
	struct block b;
	uint8_t h[32];
	size_t len;

	CHECK(chainstate_active_hash(validation_chainstate(e->v), height, h) ==
	    0);
	CHECK(store_read_begin(e->s, &r) == STORE_OK);
	CHECK(store_get_block(r, h, &raw, &len) == STORE_OK);
	CHECK(block_parse(raw, len, &b) == 0);
	memcpy(cbtxid, b.txs[0].txid, 32);
	if (cbvalue)
		*cbvalue = b.txs[0].vout[0].value;
	if (ntx)
		*ntx = b.tx_count;
	block_free(&b);
	store_read_end(r);
}

static int32_t
tip_height(struct env *e)
{
	struct block_index_entry t;

	CHECK(chainstate_tip(validation_chainstate(e->v), &t) == 0);
	return t.height;
}

/* A one-in-one-out P2WSH(OP_TRUE) spend of (txid, n) worth value - fee. */
static void
make_spend(const uint8_t txid[32], uint32_t n, int64_t value, int64_t fee,
    struct wbuf *w, uint8_t out_txid[32])
{
	struct bg_tx t;
	struct bg_in *in;

	bg_tx_init(&t);
	t.version = 2;
	in = bg_tx_add_in(&t, txid, n);
	bg_in_add_wit(in, bg_op_true, 1);
	bg_tx_add_out(&t, value - fee, bg_p2wsh_true, sizeof(bg_p2wsh_true));
	wbuf_init(w);
	bg_tx_serialize(&t, w, 1);
	bg_tx_txid(&t, out_txid);
	bg_tx_free(&t);
}

static int
seen_removed(struct seen *s, const uint8_t txid[32], int why)
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nremoved; i++)
		if (memcmp(s->removed[i], txid, 32) == 0 &&
		    s->removed_why[i] == why)
			found = 1;
	pthread_mutex_unlock(&s->mu);
	return found;
}

static int
block_has(struct env *e, int32_t height, const uint8_t txid[32])
{
	struct store_rtxn *r;
	const uint8_t *raw;
	struct block b;
	uint8_t h[32];
	size_t len, i;
	int found = 0;

	if (chainstate_active_hash(validation_chainstate(e->v), height, h) !=
	    0)
		return 0;
	if (store_read_begin(e->s, &r) != STORE_OK)
		return 0;
	if (store_get_block(r, h, &raw, &len) == STORE_OK &&
	    block_parse(raw, len, &b) == 0) {
		for (i = 0; i < b.tx_count; i++)
			if (memcmp(b.txs[i].txid, txid, 32) == 0)
				found = 1;
		block_free(&b);
	}
	store_read_end(r);
	return found;
}

/* ---- tests ---- */

/*
 * A peer's parent and child enter the pool (listener sees peer id and
 * fee rate); the template lists them parent first with Core's fields; the
 * mined block holds both and its coinbase claims subsidy + fees; the
 * block event empties the pool.
 */
static void
test_accept_and_mine(void)
{
	struct env e;
	struct request_error err;
	struct validation_template tmpl;
	struct validation_mining_info mi;
	struct wbuf p, c;
	uint8_t cb[32], ptxid[32], ctxid[32], got[32];
	int64_t cbvalue;
	size_t ntx;
	int32_t h;

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 101);
	block_at(&e, 1, cb, NULL, NULL);
	make_spend(cb, 0, 50 * COIN, 1000, &p, ptxid);
	make_spend(ptxid, 0, 50 * COIN - 1000, 20000, &c, ctxid);

	CHECK(mempool_submit_tx(e.m, 7, p.p, p.len) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nadded, 1) == 0);
	CHECK(mempool_submit_tx(e.m, 9, c.p, c.len) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nadded, 2) == 0);
	CHECK(memcmp(e.seen.added[0], ptxid, 32) == 0);
	CHECK_EQ_INT(e.seen.added_peer[0], 7);
	CHECK_EQ_INT(e.seen.added_peer[1], 9);
	/* 1000 sat over the parent's vsize, in sat/kvB. */
	CHECK(e.seen.added_rate[0] > 1000 && e.seen.added_rate[0] < 20000);
	CHECK_EQ_INT(mempool_size(e.m), 2);
	CHECK_EQ_INT(mempool_min_fee_rate(e.m), 100);

	CHECK(validation_get_template(e.v, &tmpl, REQ_MS, &err) == 0);
	CHECK_EQ_INT(tmpl.txs.n, 2);
	CHECK(memcmp(tmpl.txs.txs[0].txid, ptxid, 32) == 0);
	CHECK_EQ_INT(tmpl.txs.txs[0].fee, 1000);
	CHECK_EQ_INT(tmpl.txs.txs[1].fee, 20000);
	CHECK_EQ_INT(tmpl.txs.txs[0].ndepends, 0);
	CHECK_EQ_INT(tmpl.txs.txs[1].ndepends, 1);
	CHECK_EQ_INT(tmpl.txs.txs[1].depends[0], 1);
	CHECK(tmpl.txs.txs[0].raw != NULL);
	CHECK(tmpl.txs.txs[0].weight > 300);
	CHECK_EQ_INT(tmpl.coinbase_value, bg_subsidy(102) + 21000);
	template_txs_free(&tmpl.txs);

	CHECK(validation_mining_info(e.v, &mi, REQ_MS, &err) == 0);
	CHECK_EQ_INT(mi.pooledtx, 2);

	mine(&e, 1);
	h = tip_height(&e);
	CHECK_EQ_INT(h, 102);
	block_at(&e, h, got, &cbvalue, &ntx);
	CHECK_EQ_INT(ntx, 3);
	CHECK_EQ_INT(cbvalue, bg_subsidy(h) + 21000);
	CHECK(block_has(&e, h, ptxid));
	CHECK(block_has(&e, h, ctxid));
	CHECK(wait_size(e.m, 0) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nremoved, 2) == 0);
	CHECK(seen_removed(&e.seen, ptxid, POOL_REMOVED_BLOCK));
	CHECK(seen_removed(&e.seen, ctxid, POOL_REMOVED_BLOCK));

	CHECK(validation_mining_info(e.v, &mi, REQ_MS, &err) == 0);
	CHECK_EQ_INT(mi.last_block_txs, 2);
	CHECK_EQ_INT(mi.pooledtx, 0);
	wbuf_free(&p);
	wbuf_free(&c);
	env_stop(&e);
}

/* Refusals reach the listener with the kind the net thread acts on. */
static void
test_rejects(void)
{
	struct env e;
	struct wbuf p, c;
	uint8_t cb[32], ptxid[32], ctxid[32];
	static const uint8_t junk[] = { 1, 2, 3 };

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 101);
	block_at(&e, 1, cb, NULL, NULL);
	make_spend(cb, 0, 50 * COIN, 1000, &p, ptxid);
	make_spend(ptxid, 0, 50 * COIN - 1000, 1000, &c, ctxid);

	/* The child first: an orphan, its parent listed. */
	CHECK(mempool_submit_tx(e.m, 3, c.p, c.len) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nrejected, 1) == 0);
	CHECK_EQ_INT(e.seen.rejected_kind[0], MEMPOOL_REJ_MISSING_INPUTS);
	CHECK_EQ_INT(e.seen.rejected_nparents[0], 1);
	CHECK(memcmp(e.seen.rejected_parent0[0], ptxid, 32) == 0);
	CHECK(memcmp(e.seen.rejected[0], ctxid, 32) == 0);

	CHECK(mempool_submit_tx(e.m, 3, p.p, p.len) == 0);
	CHECK(mempool_submit_tx(e.m, 4, p.p, p.len) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nrejected, 2) == 0);
	CHECK_EQ_INT(e.seen.rejected_kind[1], MEMPOOL_REJ_ALREADY);
	CHECK_EQ_STR(e.seen.rejected_reason[1], "txn-already-in-mempool");

	CHECK(mempool_submit_tx(e.m, 5, junk, sizeof(junk)) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nrejected, 3) == 0);
	CHECK_EQ_INT(e.seen.rejected_kind[2], MEMPOOL_REJ_CONSENSUS);
	CHECK_EQ_INT(count_of(&e.seen, &e.seen.nadded), 1);
	wbuf_free(&p);
	wbuf_free(&c);
	env_stop(&e);
}

/*
 * A block that spends a pool transaction's coin another way removes it
 * (conflict); invalidating the block that confirmed a pool transaction
 * brings it back, reconsidering removes it again.
 */
static void
test_conflict_and_reorg(void)
{
	struct env e;
	struct request_error err;
	struct wbuf a, b, c;
	uint8_t cb1[32], cb2[32], atxid[32], btxid[32], ctxid[32], tiph[32];
	int32_t h;

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 102);
	block_at(&e, 1, cb1, NULL, NULL);
	block_at(&e, 2, cb2, NULL, NULL);
	make_spend(cb1, 0, 50 * COIN, 1000, &a, atxid);
	make_spend(cb1, 0, 50 * COIN, 5000, &b, btxid);
	CHECK(mempool_submit_tx(e.m, 1, a.p, a.len) == 0);
	CHECK(wait_size(e.m, 1) == 0);

	/* generateblock with B, which double-spends A's coin. */
	CHECK(gen_block(&e, b.p, b.len, NULL, &err) == 0);
	CHECK(wait_size(e.m, 0) == 0);
	CHECK(wait_count(&e.seen, &e.seen.nremoved, 1) == 0);
	CHECK(seen_removed(&e.seen, atxid, POOL_REMOVED_CONFLICT));

	/* C from the pool, mined; then its block invalidated and reconsidered. */
	make_spend(cb2, 0, 50 * COIN, 2000, &c, ctxid);
	CHECK(mempool_submit_tx(e.m, 1, c.p, c.len) == 0);
	CHECK(wait_size(e.m, 1) == 0);
	/* generateblock names a pool transaction by its txid, as Core. */
	CHECK(gen_block(&e, NULL, 0, ctxid, &err) == 0);
	h = tip_height(&e);
	CHECK(block_has(&e, h, ctxid));
	CHECK(wait_size(e.m, 0) == 0);
	CHECK(gen_block(&e, NULL, 0, ctxid, &err) != 0);
	CHECK(strstr(err.message, "not in mempool") != NULL);

	CHECK(
	    chainstate_active_hash(validation_chainstate(e.v), h, tiph) == 0);
	CHECK(validation_mark_block(e.v, VALIDATION_INVALIDATE, tiph, REQ_MS,
		  &err) == 0);
	CHECK(wait_size(e.m, 1) == 0);
	CHECK(validation_mark_block(e.v, VALIDATION_RECONSIDER, tiph, REQ_MS,
		  &err) == 0);
	CHECK_EQ_INT(tip_height(&e), h);
	CHECK(wait_size(e.m, 0) == 0);
	wbuf_free(&a);
	wbuf_free(&b);
	wbuf_free(&c);
	env_stop(&e);
}

/* Reads mempool.dat back by hand: Core's v2 layout with its XOR key. */
static void
check_file_layout(const char *path, size_t want_count)
{
	uint8_t buf[1 << 16], key[8];
	struct rbuf r;
	struct tx tx;
	uint64_t version, count, n;
	size_t len, i;
	int fd;
	ssize_t got;

	fd = open(path, O_RDONLY);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	got = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(got > 17 && (size_t)got < sizeof(buf));
	if (got <= 17)
		return;
	len = (size_t)got;
	rbuf_init(&r, buf, len);
	CHECK(rbuf_get_le64(&r, &version) == 0);
	CHECK_EQ_INT(version, 2);
	CHECK(rbuf_get_compact(&r, &n) == 0);
	CHECK_EQ_INT(n, 8);
	CHECK(rbuf_get(&r, key, 8) == 0);
	for (i = 17; i < len; i++)
		buf[i] ^= key[i % 8];
	CHECK(rbuf_get_le64(&r, &count) == 0);
	CHECK_EQ_INT(count, want_count);
	for (i = 0; i < count; i++) {
		CHECK(tx_parse(&r, &tx, TX_ALLOW_WITNESS) == 0);
		tx_free(&tx);
		CHECK(rbuf_skip(&r, 16) == 0);
	}
	CHECK(rbuf_get_compact(&r, &n) == 0); /* deltas */
	CHECK(rbuf_skip(&r, n * 40) == 0);
	CHECK(rbuf_get_compact(&r, &n) == 0); /* unbroadcast */
	CHECK(rbuf_skip(&r, n * 32) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
}

/*
 * mempool.dat: written at stop, read at start (parents before children),
 * ignored with -persistmempool=0, and a corrupt file is logged and
 * skipped while start-up goes on.
 */
static void
test_persist(void)
{
	struct env e;
	struct wbuf p, c;
	uint8_t cb[32], ptxid[32], ctxid[32], absent[32];
	char path[400];
	long mark;
	int fd;

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 101);
	block_at(&e, 1, cb, NULL, NULL);
	make_spend(cb, 0, 50 * COIN, 1000, &p, ptxid);
	make_spend(ptxid, 0, 50 * COIN - 1000, 20000, &c, ctxid);
	CHECK(mempool_submit_tx(e.m, 1, p.p, p.len) == 0);
	CHECK(mempool_submit_tx(e.m, 1, c.p, c.len) == 0);
	CHECK(wait_size(e.m, 2) == 0);
	snprintf(path, sizeof(path), "%s/regtest/mempool.dat", e.dir);
	/* Deltas: one of an entry, one of a transaction not seen yet. */
	memset(absent, 0xab, sizeof(absent));
	CHECK(prioritise(&e, absent, 777) == 0);
	CHECK(prioritise(&e, ctxid, 555) == 0);

	threads_stop(&e);
	check_file_layout(path, 2);

	mark = testenv_log_size();
	CHECK(threads_start(&e, NULL) == 0);
	CHECK(wait_size(e.m, 2) == 0);
	CHECK_EQ_INT(delta_of(&e, absent), 777);
	CHECK_EQ_INT(delta_of(&e, ctxid), 555);
	threads_stop(&e);
	CHECK(testenv_log_has(
	    "Imported mempool transactions from file: 2 "
	    "succeeded, 0 failed, 0 expired, 0 already there, 0 waiting for "
	    "initial broadcast",
	    mark));

	/* -persistmempool=0: nothing read, and nothing written at stop. */
	mark = testenv_log_size();
	CHECK(threads_start(&e, "-persistmempool=0") == 0);
	mine(&e, 1); /* the thread is serving */
	CHECK_EQ_INT(mempool_size(e.m), 0);
	threads_stop(&e);
	check_file_layout(path, 2);
	CHECK(!testenv_log_has("Imported mempool", mark));

	/* A corrupt file: logged, start-up continues with an empty pool. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd != -1);
	CHECK(write(fd, "\x02\0\0\0\0\0\0\0\x08garbage", 16) == 16);
	close(fd);
	mark = testenv_log_size();
	CHECK(threads_start(&e, NULL) == 0);
	mine(&e, 1); /* the thread is serving */
	CHECK_EQ_INT(mempool_size(e.m), 0);
	CHECK(testenv_log_has("Failed to deserialize mempool data on file",
	    mark));
	wbuf_free(&p);
	wbuf_free(&c);
	env_stop(&e);
}

/* sendrawtransaction's request for a one-output transaction, no fee cap. */
static int
send_tx(struct env *e, const struct wbuf *w, const uint8_t txid[32],
    struct mempool_send_out *out, struct request_error *err)
{
	struct mempool_send_in in;

	memset(&in, 0, sizeof(in));
	in.raw = xmemdup(w->p, w->len);
	in.len = w->len;
	memcpy(in.txid, txid, 32);
	in.nout = 1;
	return ask(e, mempool_req_send, &in, sizeof(in), mempool_send_in_free,
	    out, sizeof(*out), NULL, err);
}

/*
 * The typed requests the rpc thread makes, served by the running mempool
 * thread: a parent and its child in the pool, asked about as entries, as
 * the pool's list, as relatives, as raw bytes and as outpoints.
 */
static void
test_requests(void)
{
	struct env e;
	struct wbuf p, c;
	struct request_error err;
	struct mempool_txid_in tin;
	struct mempool_entry ent;
	struct mempool_entries list;
	struct mempool_list_in lin;
	struct mempool_relatives_in rin;
	struct mempool_tx_out txo;
	struct mempool_outpoints_in oin;
	struct mempool_outpoints_out oout;
	struct mempool_info info;
	struct mempool_send_out sout;
	uint8_t cb[32], ptxid[32], ctxid[32], absent[32];
	const int64_t pval = 50 * COIN - 1000;

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 101);
	block_at(&e, 1, cb, NULL, NULL);
	make_spend(cb, 0, 50 * COIN, 1000, &p, ptxid);
	make_spend(ptxid, 0, pval, 20000, &c, ctxid);
	CHECK(mempool_submit_tx(e.m, 1, p.p, p.len) == 0);
	CHECK(mempool_submit_tx(e.m, 1, c.p, c.len) == 0);
	CHECK(wait_size(e.m, 2) == 0);
	memset(absent, 0xcd, sizeof(absent));

	/* The child: its parent in depends, the package in its ancestors. */
	memcpy(tin.txid, ctxid, 32);
	memset(&ent, 0, sizeof(ent));
	CHECK(ask(&e, mempool_req_entry, &tin, sizeof(tin), NULL, &ent,
		  sizeof(ent), mempool_entry_free, &err) == 0);
	CHECK(memcmp(ent.txid, ctxid, 32) == 0);
	CHECK_EQ_INT(ent.fee, 20000);
	CHECK_EQ_INT(ent.modified_fee, 20000);
	CHECK_EQ_INT(ent.anc_count, 2);
	CHECK_EQ_INT(ent.anc_fees, 21000);
	CHECK_EQ_INT(ent.desc_count, 1);
	CHECK_EQ_INT(ent.height, 101);
	CHECK_EQ_INT(ent.ndepends, 1);
	CHECK(ent.ndepends == 1 && memcmp(ent.depends[0], ptxid, 32) == 0);
	CHECK_EQ_INT(ent.nspentby, 0);
	mempool_entry_free(&ent);

	/* The parent: spent by the child. */
	memcpy(tin.txid, ptxid, 32);
	memset(&ent, 0, sizeof(ent));
	CHECK(ask(&e, mempool_req_entry, &tin, sizeof(tin), NULL, &ent,
		  sizeof(ent), mempool_entry_free, &err) == 0);
	CHECK_EQ_INT(ent.desc_count, 2);
	CHECK_EQ_INT(ent.desc_fees, 21000);
	CHECK_EQ_INT(ent.ndepends, 0);
	CHECK(ent.nspentby == 1 && memcmp(ent.spentby[0], ctxid, 32) == 0);
	mempool_entry_free(&ent);

	/* Not there: a status and Core's message, no output. */
	memcpy(tin.txid, absent, 32);
	CHECK(ask(&e, mempool_req_entry, &tin, sizeof(tin), NULL, &ent,
		  sizeof(ent), mempool_entry_free, &err) == -1);
	CHECK_EQ_INT(err.status, MEMPOOL_E_NOT_FOUND);
	CHECK_EQ_STR(err.message, "Transaction not in mempool");

	/* getrawmempool's order: fewer ancestors first. */
	lin.full = 0;
	memset(&list, 0, sizeof(list));
	CHECK(ask(&e, mempool_req_list, &lin, sizeof(lin), NULL, &list,
		  sizeof(list), mempool_entries_free, &err) == 0);
	CHECK_EQ_INT(list.n, 2);
	CHECK(list.n == 2 && memcmp(list.v[0].txid, ptxid, 32) == 0 &&
	    memcmp(list.v[1].txid, ctxid, 32) == 0);
	CHECK(list.sequence >= 3);
	mempool_entries_free(&list);

	memset(&rin, 0, sizeof(rin));
	memcpy(rin.txid, ctxid, 32);
	rin.up = 1;
	memset(&list, 0, sizeof(list));
	CHECK(ask(&e, mempool_req_relatives, &rin, sizeof(rin), NULL, &list,
		  sizeof(list), mempool_entries_free, &err) == 0);
	CHECK(list.n == 1 && memcmp(list.v[0].txid, ptxid, 32) == 0);
	mempool_entries_free(&list);
	rin.up = 0;
	memset(&list, 0, sizeof(list));
	CHECK(ask(&e, mempool_req_relatives, &rin, sizeof(rin), NULL, &list,
		  sizeof(list), mempool_entries_free, &err) == 0);
	CHECK_EQ_INT(list.n, 0);
	mempool_entries_free(&list);

	/* The raw bytes, and nothing (not a failure) for an absent txid. */
	memcpy(tin.txid, ctxid, 32);
	memset(&txo, 0, sizeof(txo));
	CHECK(ask(&e, mempool_req_tx, &tin, sizeof(tin), NULL, &txo,
		  sizeof(txo), mempool_tx_out_free, &err) == 0);
	CHECK(txo.len == c.len && memcmp(txo.raw, c.p, c.len) == 0);
	mempool_tx_out_free(&txo);
	memcpy(tin.txid, absent, 32);
	memset(&txo, 0, sizeof(txo));
	CHECK(ask(&e, mempool_req_tx, &tin, sizeof(tin), NULL, &txo,
		  sizeof(txo), mempool_tx_out_free, &err) == 0);
	CHECK(txo.raw == NULL);

	/* Outpoints: spent in the pool, created by it, past its end, unknown. */
	oin.n = 4;
	oin.ops = xcalloc(4, sizeof(*oin.ops));
	memcpy(oin.ops[0].hash, ptxid, 32);
	memcpy(oin.ops[1].hash, ctxid, 32);
	memcpy(oin.ops[2].hash, ctxid, 32);
	oin.ops[2].n = 5;
	memcpy(oin.ops[3].hash, absent, 32);
	memset(&oout, 0, sizeof(oout));
	CHECK(ask(&e, mempool_req_outpoints, &oin, sizeof(oin),
		  mempool_outpoints_in_free, &oout, sizeof(oout),
		  mempool_outpoints_out_free, &err) == 0);
	CHECK_EQ_INT(oout.n, 4);
	CHECK(oout.rows[0].spent &&
	    memcmp(oout.rows[0].spender, ctxid, 32) == 0);
	CHECK(oout.rows[0].tx_in_pool && oout.rows[0].has_output);
	CHECK_EQ_INT(oout.rows[0].value, pval);
	CHECK(!oout.rows[1].spent && oout.rows[1].has_output);
	CHECK_EQ_INT(oout.rows[1].value, pval - 20000);
	CHECK(oout.rows[1].script_len == sizeof(bg_p2wsh_true) &&
	    memcmp(oout.rows[1].script, bg_p2wsh_true,
		sizeof(bg_p2wsh_true)) == 0);
	CHECK(oout.rows[2].tx_in_pool && !oout.rows[2].has_output);
	CHECK(!oout.rows[3].tx_in_pool && !oout.rows[3].spent);
	mempool_outpoints_out_free(&oout);

	memset(&info, 0, sizeof(info));
	CHECK(ask(&e, mempool_req_info, NULL, 0, NULL, &info, sizeof(info),
		  NULL, &err) == 0);
	CHECK_EQ_INT(info.size, 2);
	CHECK_EQ_INT(info.total_fee, 21000);
	CHECK(info.loaded);

	/* Sending what the pool has answers its txid; a spent coin fails. */
	CHECK(send_tx(&e, &c, ctxid, &sout, &err) == 0);
	CHECK(memcmp(sout.txid, ctxid, 32) == 0);
	wbuf_free(&p);
	make_spend(cb, 0, 50 * COIN, 5000, &p, ptxid);
	CHECK(send_tx(&e, &p, ptxid, &sout, &err) == -1);
	CHECK_EQ_INT(err.status, MEMPOOL_E_REJECTED);
	CHECK(strncmp(err.message, "insufficient fee", 16) == 0);
	CHECK_EQ_INT(mempool_size(e.m), 2);

	wbuf_free(&p);
	wbuf_free(&c);
	env_stop(&e);
}

/*
 * After mempool_stop the validation thread still mines (empty blocks) and
 * never waits for the stopped mempool; a template asked for during the
 * stop comes back empty.
 */
static void
test_stop_order(void)
{
	struct env e;
	struct wbuf p;
	uint8_t cb[32], ptxid[32];
	int64_t cbvalue;
	size_t ntx;

	CHECK(env_start(&e, NULL) == 0);
	mine(&e, 101);
	block_at(&e, 1, cb, NULL, NULL);
	make_spend(cb, 0, 50 * COIN, 1000, &p, ptxid);
	CHECK(mempool_submit_tx(e.m, 1, p.p, p.len) == 0);
	CHECK(wait_size(e.m, 1) == 0);
	mempool_stop(e.m);
	e.m = NULL;
	mine(&e, 1);
	block_at(&e, tip_height(&e), cb, &cbvalue, &ntx);
	CHECK_EQ_INT(ntx, 1);
	CHECK_EQ_INT(cbvalue, bg_subsidy(102));
	validation_stop(e.v);
	e.v = NULL;
	args_free(e.a);
	e.a = NULL;
	json_decref(e.kept);
	store_close(e.s);
	sigcache_free(e.sc);
	chainparams_free(e.cp);
	pthread_mutex_destroy(&e.seen.mu);
	testenv_rm_rf(e.dir);
	wbuf_free(&p);
}

UNIT_MAIN(UNIT_CASE(test_accept_and_mine), UNIT_CASE(test_rejects),
    UNIT_CASE(test_conflict_and_reorg), UNIT_CASE(test_persist),
    UNIT_CASE(test_requests), UNIT_CASE(test_stop_order))
