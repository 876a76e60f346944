/*
 * mempool.dat, in Bitcoin Core's format, so a datadir moves between the
 * two nodes with its mempool:
 *
 *	u64	version: 2 (1 with -persistmempoolv1: no key, no XOR)
 *	v2:	CompactSize 8, then an 8-byte random key
 *	u64	count
 *	count *	transaction (with witness), i64 entry time, i64 fee delta
 *	map	CompactSize n, n * (txid, i64 delta): prioritisetransaction
 *		deltas of transactions not in the pool
 *	set	CompactSize n, n * txid: the unbroadcast set (always empty
 *		here: see doc/mempool.md)
 *
 * Integers are little-endian. In version 2 every byte after the key is
 * XORed with key[offset % 8], offset counted from the start of the file
 * (Core's AutoFile obfuscation), so the first obfuscated byte, at offset
 * 17, takes key[1].
 *
 * Both run on the mempool thread (or on the main thread after it was
 * joined): the pool is theirs for the duration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mempool/mempool_int.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

#define DUMP_VERSION_NO_KEY MEMPOOL_DAT_VERSION_NO_KEY
#define DUMP_VERSION MEMPOOL_DAT_VERSION
#define KEY_LEN MEMPOOL_DAT_KEY_LEN
#define KEY_END MEMPOOL_DAT_KEY_END

/* ---- dump ---- */

struct collect {
	struct pool_entry_info *v;
	size_t n, cap;
};

static int
collect_cb(void *arg, const struct pool_entry_info *e)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = *e;
	return 0;
}

/*
 * Parents before children, so a load accepts them in an order that
 * works: an entry has more in-pool ancestors than any of its parents.
 */
static int
entry_cmp(const void *a, const void *b)
{
	const struct pool_entry_info *x = a, *y = b;

	if (x->anc_count != y->anc_count)
		return x->anc_count < y->anc_count ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return memcmp(x->txid, y->txid, 32);
}

struct deltas {
	const struct pool *pool;
	struct wbuf body;
	uint64_t n;
};

static int
delta_cb(void *arg, const uint8_t txid[32], int64_t delta)
{
	struct deltas *d = arg;
	struct pool_entry_info e;

	if (pool_get(d->pool, txid, &e) == 0)
		return 0;
	wbuf_put(&d->body, txid, 32);
	wbuf_put_le64(&d->body, (uint64_t)delta);
	d->n++;
	return 0;
}

int
mempool_dump(struct mempool *m)
{
	struct collect c;
	struct deltas d;
	struct wbuf w;
	uint8_t key[KEY_LEN];
	uint64_t version, r;
	int64_t t0 = time_mono_micros(), t1;
	const char *step;
	size_t i;

	memset(&c, 0, sizeof(c));
	pool_foreach(m->pool, collect_cb, &c);
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), entry_cmp);
	t1 = time_mono_micros();

	version = args_get_bool(m->args, "persistmempoolv1", 0) ?
	    DUMP_VERSION_NO_KEY :
	    DUMP_VERSION;
	log_info("Writing %zu mempool transactions to file...", c.n);
	log_info("Writing 0 unbroadcast transactions to file.");
	wbuf_init(&w);
	wbuf_put_le64(&w, version);
	if (version == DUMP_VERSION) {
		r = rand_u64();
		le64_write(key, r);
		wbuf_put_compact(&w, KEY_LEN);
		wbuf_put(&w, key, KEY_LEN);
	}
	wbuf_put_le64(&w, c.n);
	for (i = 0; i < c.n; i++) {
		wbuf_put(&w, c.v[i].raw, c.v[i].raw_len);
		wbuf_put_le64(&w, (uint64_t)c.v[i].time);
		wbuf_put_le64(&w,
		    (uint64_t)(c.v[i].modified_fee - c.v[i].fee));
	}
	/* Deltas of transactions not in the pool; entries carry their own. */
	memset(&d, 0, sizeof(d));
	d.pool = m->pool;
	wbuf_init(&d.body);
	pool_foreach_delta(m->pool, delta_cb, &d);
	wbuf_put_compact(&w, d.n);
	wbuf_put(&w, d.body.p, d.body.len);
	wbuf_free(&d.body);
	wbuf_put_compact(&w, 0); /* unbroadcast set */
	free(c.v);
	if (version == DUMP_VERSION)
		mempool_dat_xor(w.p + KEY_END, w.len - KEY_END, KEY_END, key);

	if (file_write_atomic(m->datpath, w.p, w.len, &step) != 0) {
		log_warn(
		    "Failed to dump mempool: cannot %s %s.new. Continuing "
		    "anyway",
		    step, m->datpath);
		wbuf_free(&w);
		return -1;
	}
	log_info("Dumped mempool: %.3fs to copy, %.3fs to dump, %zu bytes "
		 "dumped to file",
	    (t1 - t0) / 1e6, (time_mono_micros() - t1) / 1e6, w.len);
	wbuf_free(&w);
	return 0;
}

/* ---- load ---- */

struct load {
	struct mempool *m;
	const struct mempool_load_opts *o;
	int64_t cutoff;
	uint64_t succeeded, failed, expired, already, unbroadcast;
};

static int
load_entry(void *arg, const struct tx *tx, const uint8_t *raw, size_t len,
    int64_t when, int64_t delta, const char **why)
{
	struct load *l = arg;
	struct mempool *m = l->m;
	struct pool_entry_info e;
	enum accept_code code;

	if (l->o->use_current_time)
		when = node_time();
	if (delta != 0 && l->o->apply_fee_delta)
		pool_prioritise(m->pool, tx->txid, delta);
	if (when > l->cutoff) {
		code = mempool_accept_local(m, raw, len, 0, 0, &m->scratch);
		if (code == ACCEPT_OK) {
			pool_set_time(m->pool, tx->txid, when);
			l->succeeded++;
		} else if (pool_get(m->pool, tx->txid, &e) == 0)
			l->already++;
		else
			l->failed++;
	} else
		l->expired++;
	if (__atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE)) {
		*why = "interrupted by shutdown";
		return -1;
	}
	return 0;
}

static void
load_delta(void *arg, const uint8_t txid[32], int64_t delta)
{
	struct load *l = arg;

	if (l->o->apply_fee_delta)
		pool_prioritise(l->m->pool, txid, delta);
}

static void
load_unbroadcast(void *arg, const uint8_t txid[32])
{
	struct load *l = arg;
	struct pool_entry_info e;

	if (l->o->apply_unbroadcast && pool_get(l->m->pool, txid, &e) == 0)
		l->unbroadcast++;
}

int
mempool_load(struct mempool *m)
{
	static const struct mempool_load_opts at_start = { 0, 1, 1 };

	return mempool_load_file(m, m->datpath, &at_start);
}

int
mempool_load_file(struct mempool *m, const char *path,
    const struct mempool_load_opts *o)
{
	struct mempool_dat_counts k;
	struct mempool_dat_sink sink;
	struct load l;
	uint8_t *buf;
	const char *why = NULL;
	size_t len;
	int rc;

	if (file_read_all(path, 0, &buf, &len) != 0) {
		/*
		 * No file is what every first start meets: Core's "Failed
		 * to open mempool file" read as an error there, so say what
		 * it means, once, as information. An import names its file.
		 */
		if (errno == ENOENT && path == m->datpath)
			log_info(
			    "No mempool file %s yet (first start, or "
			    "-persistmempool was off): starting with an empty "
			    "mempool",
			    m->datpath);
		else
			log_warn("Failed to open mempool file %s. Continuing "
				 "anyway",
			    path);
		return -1;
	}
	memset(&l, 0, sizeof(l));
	l.m = m;
	l.o = o;
	l.cutoff = node_time() - m->pol.expiry_seconds;
	sink.entry = load_entry;
	sink.delta = load_delta;
	sink.unbroadcast = load_unbroadcast;
	sink.arg = &l;
	rc = mempool_dat_read(buf, len, &sink, &k, &why);
	free(buf);
	mempool_publish(m);
	if (rc != 0) {
		log_info(
		    "Failed to deserialize mempool data on file: %s%s%s "
		    "(%llu of %llu transactions read). Continuing anyway.",
		    path, ": ", why, (unsigned long long)k.tried,
		    (unsigned long long)k.total);
		return -1;
	}
	log_info(
	    "Imported mempool transactions from file: %llu succeeded, "
	    "%llu failed, %llu expired, %llu already there, %llu waiting for "
	    "initial broadcast",
	    (unsigned long long)l.succeeded, (unsigned long long)l.failed,
	    (unsigned long long)l.expired, (unsigned long long)l.already,
	    (unsigned long long)l.unbroadcast);
	return 0;
}
