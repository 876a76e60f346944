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
#include <fcntl.h>
#include <libgen.h>
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

#define DUMP_VERSION_NO_KEY 1
#define DUMP_VERSION 2
#define KEY_LEN 8
#define KEY_END (8 + 1 + KEY_LEN)	/* version, CompactSize, key */

static void
obfuscate(uint8_t *p, size_t len, size_t off, const uint8_t key[KEY_LEN])
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] ^= key[(off + i) % KEY_LEN];
}

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

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Makes the rename durable: the directory entry is data too. */
static void
sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
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
	char *tmp;
	size_t i;
	int fd;

	memset(&c, 0, sizeof(c));
	pool_foreach(m->pool, collect_cb, &c);
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), entry_cmp);
	t1 = time_mono_micros();

	version = args_get_bool(m->args, "persistmempoolv1", 0) ?
	    DUMP_VERSION_NO_KEY : DUMP_VERSION;
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
	wbuf_put_compact(&w, 0);	/* unbroadcast set */
	free(c.v);
	if (version == DUMP_VERSION)
		obfuscate(w.p + KEY_END, w.len - KEY_END, KEY_END, key);

	tmp = xasprintf("%s.new", m->datpath);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("Failed to dump mempool: cannot create %s. Continuing "
		    "anyway", tmp);
		goto fail;
	}
	if (write_all(fd, w.p, w.len) != 0 || fsync(fd) != 0) {
		log_warn("Failed to dump mempool: cannot write %s. Continuing "
		    "anyway", tmp);
		close(fd);
		(void)unlink(tmp);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, m->datpath) != 0) {
		log_warn("Failed to dump mempool: cannot rename %s. Continuing "
		    "anyway", tmp);
		(void)unlink(tmp);
		goto fail;
	}
	sync_dir(m->datpath);
	log_info("Dumped mempool: %.3fs to copy, %.3fs to dump, %zu bytes "
	    "dumped to file", (t1 - t0) / 1e6, (time_mono_micros() - t1) / 1e6,
	    w.len);
	free(tmp);
	wbuf_free(&w);
	return 0;
fail:
	free(tmp);
	wbuf_free(&w);
	return -1;
}

/* ---- load ---- */

static int
get_i64(struct rbuf *r, int64_t *v)
{
	uint64_t u;

	if (rbuf_get_le64(r, &u) != 0)
		return -1;
	*v = (int64_t)u;
	return 0;
}

struct load_counts {
	uint64_t total, tried, succeeded, failed, expired, already,
	    unbroadcast;
};

/* One entry of the file; 0, or -1 with *why. */
static int
load_entry(struct mempool *m, struct rbuf *r, int64_t cutoff,
    const struct mempool_load_opts *o, struct load_counts *k,
    const char **why)
{
	struct accept_result *res = &m->scratch;
	struct pool_entry_info e;
	const uint8_t *raw;
	enum accept_code code;
	struct tx tx;
	size_t start, end;
	int64_t when, delta;

	start = r->off;
	if (tx_parse(r, &tx, TX_ALLOW_WITNESS) != 0) {
		*why = "a transaction does not parse";
		return -1;
	}
	raw = r->p + start;
	end = r->off;
	if (get_i64(r, &when) != 0 || get_i64(r, &delta) != 0) {
		tx_free(&tx);
		*why = "truncated entry";
		return -1;
	}
	if (o->use_current_time)
		when = node_time();
	if (delta != 0 && o->apply_fee_delta)
		pool_prioritise(m->pool, tx.txid, delta);
	if (when > cutoff) {
		code = mempool_accept_local(m, raw, end - start, 0, 0, res);
		if (code == ACCEPT_OK) {
			pool_set_time(m->pool, tx.txid, when);
			k->succeeded++;
		}
		else if (pool_get(m->pool, tx.txid, &e) == 0)
			k->already++;
		else
			k->failed++;
	} else
		k->expired++;
	tx_free(&tx);
	return 0;
}

/* Parses everything after the key; 0, or -1 with *why. */
static int
load_body(struct mempool *m, struct rbuf *r,
    const struct mempool_load_opts *o, struct load_counts *k,
    const char **why)
{
	struct pool_entry_info e;
	uint8_t txid[32];
	int64_t cutoff, delta;
	uint64_t n, i, step;

	if (rbuf_get_le64(r, &k->total) != 0) {
		*why = "truncated count";
		return -1;
	}
	log_info("Loading %llu mempool transactions from file...",
	    (unsigned long long)k->total);
	cutoff = node_time() - m->pol.expiry_seconds;
	/* Progress every tenth, for files big enough to take a while. */
	step = k->total >= 10 ? k->total / 10 : k->total + 1;
	for (i = 0; i < k->total; i++) {
		if (i && i % step == 0)
			log_info("Progress loading mempool transactions from "
			    "file: %llu%% (tried %llu, %llu remaining)",
			    (unsigned long long)(i * 100 / k->total),
			    (unsigned long long)i,
			    (unsigned long long)(k->total - i));
		if (load_entry(m, r, cutoff, o, k, why) != 0)
			return -1;
		k->tried++;
		if (__atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE)) {
			*why = "interrupted by shutdown";
			return -1;
		}
	}
	if (rbuf_get_compact(r, &n) != 0) {
		*why = "truncated fee delta map";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get(r, txid, 32) != 0 || get_i64(r, &delta) != 0) {
			*why = "truncated fee delta map";
			return -1;
		}
		if (o->apply_fee_delta)
			pool_prioritise(m->pool, txid, delta);
	}
	if (rbuf_get_compact(r, &n) != 0) {
		*why = "truncated unbroadcast set";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get(r, txid, 32) != 0) {
			*why = "truncated unbroadcast set";
			return -1;
		}
		if (o->apply_unbroadcast && pool_get(m->pool, txid, &e) == 0)
			k->unbroadcast++;
	}
	if (rbuf_left(r) != 0) {
		*why = "trailing bytes";
		return -1;
	}
	return 0;
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
	struct load_counts k;
	struct rbuf r;
	uint8_t *buf, key[KEY_LEN];
	uint64_t version, klen;
	const char *why = NULL;
	size_t len;
	int rc = -1;

	if (file_read_all(path, 0, &buf, &len) != 0) {
		/*
		 * No file is what every first start meets: Core's "Failed
		 * to open mempool file" read as an error there, so say what
		 * it means, once, as information. An import names its file.
		 */
		if (errno == ENOENT && path == m->datpath)
			log_info("No mempool file %s yet (first start, or "
			    "-persistmempool was off): starting with an empty "
			    "mempool", m->datpath);
		else
			log_warn("Failed to open mempool file %s. Continuing "
			    "anyway", path);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	rbuf_init(&r, buf, len);
	if (rbuf_get_le64(&r, &version) != 0) {
		why = "truncated version";
		goto out;
	}
	if (version == DUMP_VERSION) {
		if (rbuf_get_compact(&r, &klen) != 0 || klen != KEY_LEN ||
		    rbuf_get(&r, key, KEY_LEN) != 0) {
			why = "bad obfuscation key";
			goto out;
		}
		obfuscate(buf + r.off, len - r.off, r.off, key);
	} else if (version != DUMP_VERSION_NO_KEY) {
		why = "unknown version";
		goto out;
	}
	if (load_body(m, &r, o, &k, &why) == 0)
		rc = 0;
out:
	free(buf);
	mempool_publish(m);
	if (rc != 0) {
		log_info("Failed to deserialize mempool data on file: %s%s%s "
		    "(%llu of %llu transactions read). Continuing anyway.",
		    path, ": ", why, (unsigned long long)k.tried,
		    (unsigned long long)k.total);
		return -1;
	}
	log_info("Imported mempool transactions from file: %llu succeeded, "
	    "%llu failed, %llu expired, %llu already there, %llu waiting for "
	    "initial broadcast", (unsigned long long)k.succeeded,
	    (unsigned long long)k.failed, (unsigned long long)k.expired,
	    (unsigned long long)k.already, (unsigned long long)k.unbroadcast);
	return 0;
}
