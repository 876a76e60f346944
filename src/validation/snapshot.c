/*
 * UTXO snapshot files (snapshot.h): the metadata both ways and
 * dumptxoutset's writer.
 *
 * The writer walks the coins in key order, which is outpoint order (txid,
 * then output index), the order Core's LevelDB cursor gives; so the groups
 * come out as Core's and the file is byte for byte Core's for the same
 * UTXO set. hash_serialized_3 is computed over the same walk.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "primitives/compress.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/shutdown.h"
#include "util/xmalloc.h"
#include "validation/coinstats.h"
#include "validation/snapshot.h"

static const uint8_t snapshot_magic[5] = { 'u', 't', 'x', 'o', 0xff };

/* Written to the file whenever this much is buffered. */
#define DUMP_FLUSH_BYTES (1u << 20)

/* Core's std::ios_base::failure texts end so (libstdc++'s what()). */
#define IOS_SUFFIX ": iostream error"

void
snapshot_meta_put(struct wbuf *w, const uint8_t magic[4],
    const struct snapshot_meta *m)
{
	wbuf_put(w, snapshot_magic, sizeof(snapshot_magic));
	wbuf_put_le16(w, SNAPSHOT_VERSION);
	wbuf_put(w, magic, 4);
	wbuf_put(w, m->base_hash, 32);
	wbuf_put_le64(w, m->coins);
}

int
snapshot_meta_get(struct rbuf *r, const uint8_t magic[4],
    const char *node_network, struct snapshot_meta *m, char *err,
    size_t errlen)
{
	uint8_t got[5], net[4];
	uint16_t version;
	const char *name;

	/* Field by field, as Core reads them: a short file fails where it ends. */
	if (rbuf_get(r, got, sizeof(got)) == -1)
		goto eof;
	if (memcmp(got, snapshot_magic, sizeof(got)) != 0) {
		snprintf(err, errlen,
		    "Invalid UTXO set snapshot magic bytes. "
		    "Please check if this is indeed a snapshot file or if you "
		    "are using an outdated snapshot format." IOS_SUFFIX);
		return -1;
	}
	if (rbuf_get_le16(r, &version) == -1)
		goto eof;
	if (version != SNAPSHOT_VERSION) {
		snprintf(err, errlen,
		    "Version of snapshot %u does not match "
		    "any of the supported versions." IOS_SUFFIX,
		    (unsigned)version);
		return -1;
	}
	if (rbuf_get(r, net, 4) == -1)
		goto eof;
	if (memcmp(net, magic, 4) != 0) {
		if ((name = chainparams_network_for_magic(net)) != NULL)
			snprintf(err, errlen,
			    "The network of the snapshot "
			    "(%s) does not match the network of this node "
			    "(%s)." IOS_SUFFIX,
			    name, node_network);
		else
			snprintf(err, errlen,
			    "This snapshot has been created "
			    "for an unrecognized network. This could be a "
			    "custom signet, a new testnet or possibly caused "
			    "by data corruption." IOS_SUFFIX);
		return -1;
	}
	if (rbuf_get(r, m->base_hash, 32) == -1 ||
	    rbuf_get_le64(r, &m->coins) == -1)
		goto eof;
	return 0;
eof:
	snprintf(err, errlen, "AutoFile::read: end of file" IOS_SUFFIX);
	return -1;
}

/* ---- dumptxoutset ---- */

struct dump_coin {
	uint32_t n;
	struct coin c; /* script points into the map */
};

struct dump {
	FILE *f;
	struct wbuf out; /* file bytes not yet written */
	struct wbuf ser; /* one coin as hash_serialized_3 takes it */
	struct sha256_ctx h;
	uint8_t txid[32];
	struct dump_coin *group; /* the coins of txid so far */
	size_t ngroup, capgroup;
	uint64_t written;
	int ioerr;
};

static void
dump_flush(struct dump *d)
{
	if (d->out.len == 0 || d->ioerr)
		return;
	if (fwrite(d->out.p, 1, d->out.len, d->f) != d->out.len)
		d->ioerr = 1;
	wbuf_reset(&d->out);
}

/* One transaction's coins: txid, count, then (index, coin) each. */
static void
dump_group(struct dump *d)
{
	size_t i;

	if (d->ngroup == 0)
		return;
	wbuf_put(&d->out, d->txid, 32);
	wbuf_put_compact(&d->out, d->ngroup);
	for (i = 0; i < d->ngroup; i++) {
		const struct coin *c = &d->group[i].c;

		wbuf_put_compact(&d->out, d->group[i].n);
		compress_coin_put(&d->out, (uint32_t)c->height, c->coinbase,
		    c->value, c->script, c->script_len);
	}
	d->written += d->ngroup;
	d->ngroup = 0;
	if (d->out.len >= DUMP_FLUSH_BYTES)
		dump_flush(d);
}

static int
dump_coin(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct dump *d = arg;

	if (d->ngroup > 0 && memcmp(d->txid, op->hash, 32) != 0)
		dump_group(d);
	if (d->ioerr)
		return 1;
	if (d->ngroup == d->capgroup) {
		d->capgroup = d->capgroup ? d->capgroup * 2 : 16;
		d->group = xreallocarray(d->group, d->capgroup,
		    sizeof(*d->group));
	}
	memcpy(d->txid, op->hash, 32);
	d->group[d->ngroup].n = op->n;
	d->group[d->ngroup].c = *c;
	d->ngroup++;
	wbuf_reset(&d->ser);
	coinstats_serialize_coin(&d->ser, op, c);
	sha256_update(&d->h, d->ser.p, d->ser.len);
	return 0;
}

int
snapshot_dump(struct store *s, const struct chainparams *cp, FILE *f,
    struct snapshot_dump_result *out, char *err, size_t errlen)
{
	struct store_rtxn *t = NULL;
	struct block_index_entry e;
	struct snapshot_meta m;
	struct dump d;
	char hex[65];
	int64_t t0 = time_mono_micros();
	int rc = -1;

	memset(&d, 0, sizeof(d));
	memset(out, 0, sizeof(*out));
	d.f = f;
	wbuf_init(&d.out);
	wbuf_init(&d.ser);
	sha256_init(&d.h);
	if (store_read_begin(s, &t) != STORE_OK)
		goto store_fail;
	if (store_get_tip(t, out->base_hash, &out->base_height) != STORE_OK ||
	    out->base_height < 0 ||
	    store_get_index(t, out->base_hash, &e) != STORE_OK ||
	    store_count_coins(t, &out->coins) != STORE_OK)
		goto store_fail;
	out->chain_tx = e.chain_tx;
	hash_to_hex(out->base_hash, hex);
	log_info("writing UTXO snapshot at height %d (%s)", out->base_height,
	    hex);
	memcpy(m.base_hash, out->base_hash, 32);
	m.coins = out->coins;
	snapshot_meta_put(&d.out, cp->magic, &m);
	if (store_iter_coins(t, dump_coin, &d) < 0)
		goto store_fail;
	dump_group(&d);
	dump_flush(&d);
	if (d.ioerr || fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen,
		    "AutoFile::write: write failed" IOS_SUFFIX);
		goto done;
	}
	if (d.written != out->coins) {
		/* Core's CHECK_NONFATAL: the count and the walk disagree. */
		snprintf(err, errlen,
		    "Internal bug detected: coins written "
		    "(%llu) differ from the coins counted (%llu)",
		    (unsigned long long)d.written,
		    (unsigned long long)out->coins);
		goto done;
	}
	hash256_final(&d.h, out->txoutset_hash);
	log_info("wrote UTXO snapshot: %llu coins in %.3f s",
	    (unsigned long long)d.written,
	    (double)(time_mono_micros() - t0) / 1e6);
	rc = 0;
	goto done;
store_fail:
	snprintf(err, errlen, "Unable to read UTXO set");
done:
	store_read_end(t);
	wbuf_free(&d.out);
	wbuf_free(&d.ser);
	free(d.group);
	return rc;
}

/* ---- loadtxoutset: the file ---- */

int
snapshot_file_open(const char *path, struct snapshot_file *f)
{
	struct stat st;
	void *p;
	int fd, e;

	memset(f, 0, sizeof(*f));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		f->unreadable = 1;
	else if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
		    0);
		if (p == MAP_FAILED)
			f->unreadable = 1;
		else {
			(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
			f->p = p;
			f->len = (size_t)st.st_size;
		}
	}
	close(fd);
	return 0;
}

void
snapshot_file_close(struct snapshot_file *f)
{
	if (f->p != NULL)
		munmap((void *)(uintptr_t)f->p, f->len);
	memset(f, 0, sizeof(*f));
}

/* ---- loadtxoutset: the coins ---- */

struct load {
	struct store *s;
	struct rbuf *r;
	struct store_wtxn *w;
	int32_t base_height;
	uint64_t count; /* the metadata's */
	uint64_t left;	/* coins still to read */
	struct compressed_coin cc;
	char *err;
	size_t errlen;
};

/* Why a batch stopped: a bad file (err set), the store, or MAPFULL. */
enum { LOAD_OK = 0, LOAD_BAD = -1, LOAD_STORE = -2, LOAD_MAPFULL = -3 };

static int load_bad(struct load *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
load_bad(struct load *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
	return LOAD_BAD;
}

static int
load_store_rc(int rc)
{
	return rc == STORE_MAPFULL ? LOAD_MAPFULL : LOAD_STORE;
}

/* One transaction's coins from the file into the open write transaction. */
static int
load_group(struct load *l)
{
	uint64_t n, ncoins, i, done = l->count - l->left;
	struct outpoint op;
	struct coin c;
	int rc;

	if (rbuf_get(l->r, op.hash, 32) == -1 ||
	    rbuf_get_compact(l->r, &ncoins) == -1)
		return load_bad(l,
		    "Bad snapshot format or truncated snapshot "
		    "after deserializing %llu coins",
		    (unsigned long long)done);
	if (ncoins > l->left)
		return load_bad(l,
		    "Mismatch in coins count in snapshot "
		    "metadata and actual snapshot data");
	for (i = 0; i < ncoins; i++) {
		done = l->count - l->left;
		if (rbuf_get_compact(l->r, &n) == -1 ||
		    compress_coin_get(l->r, &l->cc) == -1)
			return load_bad(l,
			    "Bad snapshot format or truncated "
			    "snapshot after deserializing %llu coins",
			    (unsigned long long)done);
		if (l->cc.height > (uint32_t)l->base_height || n >= UINT32_MAX)
			return load_bad(l,
			    "Bad snapshot data after "
			    "deserializing %llu coins",
			    (unsigned long long)done);
		if (l->cc.value < 0 || l->cc.value > MAX_MONEY)
			return load_bad(l,
			    "Bad snapshot data after "
			    "deserializing %llu coins - bad tx out value",
			    (unsigned long long)done);
		op.n = (uint32_t)n;
		c.height = (int32_t)l->cc.height;
		c.coinbase = l->cc.coinbase;
		c.value = l->cc.value;
		c.script = l->cc.script.p;
		c.script_len = l->cc.script.len;
		rc = store_add_coin(l->w, &op, &c);
		if (rc == STORE_EXISTS)
			return load_bad(l,
			    "Bad snapshot data after "
			    "deserializing %llu coins - duplicate coin",
			    (unsigned long long)done);
		if (rc != STORE_OK)
			return load_store_rc(rc);
		l->left--;
	}
	return LOAD_OK;
}

/*
 * One write transaction: whole transactions' coins until a batch is full or
 * the coins end; the first also empties the chainstate, the last checks
 * the end of the file and sets the tip. Commits on LOAD_OK.
 */
static int
load_batch(struct load *l, int first, const uint8_t base_hash[32])
{
	uint64_t start = l->left;
	int rc;

	if (store_write_begin(l->s, &l->w) != STORE_OK)
		return LOAD_STORE;
	if ((rc = store_txn_use(store_wtxn_reader(l->w), STORE_CS_OTHER)) !=
		0 ||
	    (first && (rc = store_clear_chainstate(l->w)) != 0)) {
		rc = load_store_rc(rc);
		goto abort;
	}
	while (l->left > 0 && start - l->left < SNAPSHOT_LOAD_BATCH)
		if ((rc = load_group(l)) != LOAD_OK)
			goto abort;
	if (l->left == 0) {
		if (rbuf_left(l->r) > 0) {
			rc = load_bad(l,
			    "Bad snapshot - coins left over after "
			    "deserializing %llu coins",
			    (unsigned long long)l->count);
			goto abort;
		}
		if ((rc = store_set_tip(l->w, base_hash, l->base_height)) !=
		    0) {
			rc = load_store_rc(rc);
			goto abort;
		}
	}
	rc = store_write_commit(l->w);
	l->w = NULL;
	return rc == STORE_OK ? LOAD_OK : load_store_rc(rc);
abort:
	store_write_abort(l->w);
	l->w = NULL;
	return rc;
}

int
snapshot_load_coins(struct store *s, struct rbuf *r,
    const struct snapshot_meta *m, int32_t base_height, char *err,
    size_t errlen)
{
	struct load l;
	size_t off;
	uint64_t left;
	int first = 1, rc = LOAD_OK;
	char hex[65];
	int64_t t0 = time_mono_micros();

	memset(&l, 0, sizeof(l));
	l.s = s;
	l.r = r;
	l.base_height = base_height;
	l.count = l.left = m->coins;
	l.err = err;
	l.errlen = errlen;
	wbuf_init(&l.cc.script);
	hash_to_hex(m->base_hash, hex);
	log_info("[snapshot] loading %llu coins from snapshot %s",
	    (unsigned long long)m->coins, hex);
	do {
		if (!first && shutdown_requested()) {
			snprintf(err, errlen,
			    "Aborting after an interrupt was "
			    "requested");
			rc = LOAD_BAD;
			break;
		}
		/* A batch that filled the map is read again after growing it. */
		off = r->off;
		left = l.left;
		while ((rc = load_batch(&l, first, m->base_hash)) ==
		    LOAD_MAPFULL) {
			r->off = off;
			l.left = left;
			if (store_grow(s) != STORE_OK) {
				rc = LOAD_STORE;
				break;
			}
		}
		if (rc != LOAD_OK)
			break;
		first = 0;
		if (l.left > 0)
			log_info("[snapshot] %llu coins loaded (%.2f%%)",
			    (unsigned long long)(l.count - l.left),
			    100.0 * (double)(l.count - l.left) /
				(double)l.count);
	} while (l.left > 0);
	wbuf_free(&l.cc.script);
	if (rc == LOAD_STORE) {
		snprintf(err, errlen,
		    "store failure while loading the "
		    "snapshot's coins (see the log)");
		return -1;
	}
	if (rc != LOAD_OK)
		return -1;
	log_info("[snapshot] loaded %llu coins from snapshot %s in %.3f s",
	    (unsigned long long)m->coins, hex,
	    (double)(time_mono_micros() - t0) / 1e6);
	return 0;
}
