/*
 * Raw blocks and undo data in block files (format 4), kept by LMDB
 * records that say where each one is.
 *
 * LMDB holds every piece of state: the file new blocks go to
 * (META_LAST_BLKFILE), how far each blk and rev file is used (db_blkinfo)
 * and each record's place (db_blockpos, db_undopos). A put writes the
 * record at the used end of its file, then raises that end in the same
 * write transaction, so an aborted transaction, or a crash before its
 * commit, leaves bytes past the recorded end that the next put overwrites
 * and nothing ever points at. The flush hook (store_blocks_flush, called
 * by store_sync and, in the durable sync modes, before every commit) puts
 * the bytes on disk before the commit that points at them.
 *
 * Undo data of a block go to the rev file with the block's number, as in
 * Core, so a pruned pair of files frees both.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "store/blkfiles.h"
#include "store/store_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Where a record is: file, offset of its data, length (LE32 each). */
#define POS_LEN 12
struct recpos {
	uint32_t file, pos, len;
};

/* Values carry a CRC-32C like coins and index entries (format 3). */
static int
get_checked(struct store_rtxn *t, MDB_dbi dbi, const void *key, size_t klen,
    uint8_t *out, size_t want, const char *what)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	if ((rc = mdb_get(t->txn, dbi, &k, &v)) != 0)
		return store_lmdb_err(what, rc);
	if (v.mv_size != want + VALUE_SUM_LEN ||
	    le32_read((const uint8_t *)v.mv_data + want) !=
		codec_sum(key, klen, v.mv_data, want)) {
		log_warnx("store: %s/data.mdb is damaged: a %s record fails "
			  "its checksum",
		    t->s->dir, what);
		return STORE_ERROR;
	}
	memcpy(out, v.mv_data, want);
	return STORE_OK;
}

static int
put_checked(struct store_wtxn *t, MDB_dbi dbi, const void *key, size_t klen,
    uint8_t *val, size_t vlen, const char *what)
{
	MDB_val k, v;
	int rc;

	le32_write(val + vlen, codec_sum(key, klen, val, vlen));
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	v.mv_data = val;
	v.mv_size = vlen + VALUE_SUM_LEN;
	if ((rc = mdb_put(t->r.txn, dbi, &k, &v, 0)) != 0)
		return store_lmdb_err(what, rc);
	return STORE_OK;
}

static int
pos_get(struct store_rtxn *t, MDB_dbi dbi, const uint8_t hash[32],
    struct recpos *p)
{
	uint8_t v[POS_LEN];
	int rc;

	if ((rc = get_checked(t, dbi, hash, 32, v, POS_LEN,
		 "block position")) != 0)
		return rc;
	p->file = le32_read(v);
	p->pos = le32_read(v + 4);
	p->len = le32_read(v + 8);
	return STORE_OK;
}

static int
pos_put(struct store_wtxn *t, MDB_dbi dbi, const uint8_t hash[32],
    const struct recpos *p)
{
	uint8_t v[POS_LEN + VALUE_SUM_LEN];

	le32_write(v, p->file);
	le32_write(v + 4, p->pos);
	le32_write(v + 8, p->len);
	return put_checked(t, dbi, hash, 32, v, POS_LEN, "block position");
}

static void
file_key(uint32_t num, uint8_t key[4])
{
	key[0] = (uint8_t)(num >> 24);
	key[1] = (uint8_t)(num >> 16);
	key[2] = (uint8_t)(num >> 8);
	key[3] = (uint8_t)num;
}

/* A file never written is empty (STORE_OK). */
int
store_blkinfo_get(struct store_rtxn *t, uint32_t num, struct blkfile_info *fi)
{
	uint8_t key[4], v[INFO_LEN];
	int rc;

	file_key(num, key);
	rc = get_checked(t, t->s->db_blkinfo, key, 4, v, INFO_LEN,
	    "block file info");
	if (rc == STORE_NOTFOUND) {
		memset(fi, 0, sizeof(*fi));
		fi->height_first = fi->height_last = -1;
		return STORE_OK;
	}
	if (rc != 0)
		return rc;
	fi->blocks = le32_read(v);
	fi->size = le32_read(v + 4);
	fi->undo_size = le32_read(v + 8);
	fi->height_first = (int32_t)le32_read(v + 12);
	fi->height_last = (int32_t)le32_read(v + 16);
	fi->flags = le32_read(v + 20);
	return STORE_OK;
}

int
store_blkinfo_put(struct store_wtxn *t, uint32_t num, const struct blkfile_info *fi)
{
	uint8_t key[4], v[INFO_LEN + VALUE_SUM_LEN];

	file_key(num, key);
	le32_write(v, fi->blocks);
	le32_write(v + 4, fi->size);
	le32_write(v + 8, fi->undo_size);
	le32_write(v + 12, (uint32_t)fi->height_first);
	le32_write(v + 16, (uint32_t)fi->height_last);
	le32_write(v + 20, fi->flags);
	return put_checked(t, t->r.s->db_blkinfo, key, 4, v, INFO_LEN,
	    "block file info");
}

int
store_last_blkfile(struct store_rtxn *t, uint32_t *num)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)(uintptr_t)META_LAST_BLKFILE;
	k.mv_size = strlen(META_LAST_BLKFILE);
	rc = mdb_get(t->txn, t->s->db_meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*num = 0;
		return STORE_OK;
	}
	if (rc != 0)
		return store_lmdb_err("get last block file", rc);
	if (v.mv_size != 4) {
		log_warnx("store: corrupt last block file record");
		return STORE_ERROR;
	}
	*num = le32_read(v.mv_data);
	return STORE_OK;
}

static int
set_last_file(struct store_wtxn *t, uint32_t num)
{
	MDB_val k, v;
	uint8_t b[4];
	int rc;

	le32_write(b, num);
	k.mv_data = (void *)(uintptr_t)META_LAST_BLKFILE;
	k.mv_size = strlen(META_LAST_BLKFILE);
	v.mv_data = b;
	v.mv_size = 4;
	if ((rc = mdb_put(t->r.txn, t->r.s->db_meta, &k, &v, 0)) != 0)
		return store_lmdb_err("put last block file", rc);
	return STORE_OK;
}

static void
keep_buf(struct store_rtxn *t, uint8_t *p)
{
	if (t->nbufs == t->capbufs) {
		t->capbufs = t->capbufs ? 2 * t->capbufs : 4;
		t->bufs = xreallocarray(t->bufs, t->capbufs, sizeof(*t->bufs));
	}
	t->bufs[t->nbufs++] = p;
}

void
store_txn_free_bufs(struct store_rtxn *t)
{
	size_t i;

	for (i = 0; i < t->nbufs; i++)
		free(t->bufs[i]);
	free(t->bufs);
	t->bufs = NULL;
	t->nbufs = t->capbufs = 0;
}

void
store_read_release(struct store_rtxn *t)
{
	store_txn_free_bufs(t);
}

/* Logs damage, queues the block for refetch; always STORE_ERROR. */
static int
damaged(struct store *s, const uint8_t hash[32], const char *what,
    const char *why)
{
	char hex[65];
	size_t i;

	hash_to_hex(hash, hex);
	log_warnx("store: %s of block %s cannot be used: %s", what, hex, why);
	pthread_mutex_lock(&s->damaged_mu);
	for (i = 0; i < s->ndamaged; i++)
		if (memcmp(s->damaged[i], hash, 32) == 0)
			break;
	if (i == s->ndamaged) {
		s->damaged = xreallocarray(s->damaged, s->ndamaged + 1, 32);
		memcpy(s->damaged[s->ndamaged++], hash, 32);
	}
	pthread_mutex_unlock(&s->damaged_mu);
	return STORE_ERROR;
}

int
store_take_damaged(struct store *s, uint8_t hash[32])
{
	int got = 0;

	pthread_mutex_lock(&s->damaged_mu);
	if (s->ndamaged > 0) {
		memcpy(hash, s->damaged[--s->ndamaged], 32);
		got = 1;
	}
	pthread_mutex_unlock(&s->damaged_mu);
	return got;
}

const char *
store_blocks_dir(const struct store *s)
{
	return blkfiles_dir(s->bf);
}

/* The undo checksum: hash256 of the block's hash then the undo bytes. */
static void
undo_sum(const uint8_t hash[32], const uint8_t *data, size_t len,
    uint8_t out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, hash, 32);
	sha256_update(&c, data, len);
	hash256_final(&c, out);
}

int
store_get_block(struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t **raw, size_t *len)
{
	struct recpos p;
	uint8_t got[32], *buf;
	char err[1536], hex[65];
	int rc;

	if ((rc = pos_get(t, t->s->db_blockpos, hash, &p)) != 0)
		return rc;
	if (blkfiles_read(t->s->bf, BLKF_BLOCK, p.file, p.pos, p.len, 0, &buf,
		err, sizeof(err)) == -1)
		return damaged(t->s, hash, "the data", err);
	if (p.len < 80) {
		free(buf);
		snprintf(err, sizeof(err),
		    "the record at offset %u of file %u "
		    "is too short for a block",
		    p.pos - BLKF_HDR, p.file);
		return damaged(t->s, hash, "the data", err);
	}
	hash256(buf, 80, got); /* the block hash is the header's */
	if (memcmp(got, hash, 32) != 0) {
		char path[1024];

		free(buf);
		hash_to_hex(got, hex);
		blkfiles_path(t->s->bf, BLKF_BLOCK, p.file, path,
		    sizeof(path));
		snprintf(err, sizeof(err),
		    "%s is damaged: the record at offset %u holds a block "
		    "hashing to %s",
		    path, p.pos - BLKF_HDR, hex);
		return damaged(t->s, hash, "the data", err);
	}
	keep_buf(t, buf);
	*raw = buf;
	*len = p.len;
	return STORE_OK;
}

int
store_put_block(struct store_wtxn *t, const uint8_t hash[32],
    const uint8_t *raw, size_t len)
{
	struct store *s = t->r.s;
	struct store_rtxn *r = &t->r;
	struct block_index_entry e;
	struct blkfile_info fi;
	struct recpos p;
	uint32_t num;
	int rc;

	if ((rc = pos_get(r, s->db_blockpos, hash, &p)) != STORE_NOTFOUND)
		return rc; /* stored already (STORE_OK), or a failure */
	if (len > UINT32_MAX - 2 * BLKF_HDR) {
		log_warnx("store: a block of %zu bytes cannot be stored", len);
		return STORE_ERROR;
	}
	if ((rc = store_last_blkfile(r, &num)) != 0 ||
	    (rc = store_blkinfo_get(r, num, &fi)) != 0)
		return rc;
	/* A full file is closed; a block larger than a file gets one alone. */
	if (fi.size > 0 &&
	    (uint64_t)fi.size + BLKF_HDR + len > blkfiles_max_size(s->bf)) {
		num++;
		if ((rc = set_last_file(t, num)) != 0 ||
		    (rc = store_blkinfo_get(r, num, &fi)) != 0)
			return rc;
	}
	if ((uint64_t)fi.size + BLKF_HDR + len > UINT32_MAX) {
		log_warnx("store: block file %u is full", num);
		return STORE_ERROR;
	}
	if (blkfiles_write(s->bf, BLKF_BLOCK, num, fi.size, raw, (uint32_t)len,
		NULL, 0) != 0)
		return STORE_ERROR;
	p.file = num;
	p.pos = fi.size + BLKF_HDR;
	p.len = (uint32_t)len;
	fi.size += BLKF_HDR + (uint32_t)len;
	fi.blocks++;
	rc = store_get_index(r, hash, &e);
	if (rc == STORE_OK) {
		if (fi.height_first < 0 || e.height < fi.height_first)
			fi.height_first = e.height;
		if (e.height > fi.height_last)
			fi.height_last = e.height;
	} else if (rc != STORE_NOTFOUND)
		return rc;
	if ((rc = store_blkinfo_put(t, num, &fi)) != 0)
		return rc;
	return pos_put(t, s->db_blockpos, hash, &p);
}

int
store_blocks_note_height(struct store_wtxn *t, const uint8_t hash[32],
    int32_t height)
{
	struct blkfile_info fi;
	struct recpos p;
	int rc;

	rc = pos_get(&t->r, t->r.s->db_blockpos, hash, &p);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != 0 || (rc = store_blkinfo_get(&t->r, p.file, &fi)) != 0)
		return rc;
	if (fi.height_first >= 0 && height >= fi.height_first &&
	    height <= fi.height_last)
		return STORE_OK;
	if (fi.height_first < 0 || height < fi.height_first)
		fi.height_first = height;
	if (height > fi.height_last)
		fi.height_last = height;
	return store_blkinfo_put(t, p.file, &fi);
}

int
store_del_block(struct store_wtxn *t, const uint8_t hash[32])
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)(uintptr_t)hash;
	k.mv_size = 32;
	if ((rc = mdb_del(t->r.txn, t->r.s->db_blockpos, &k, NULL)) != 0)
		return store_lmdb_err("delete block", rc);
	return STORE_OK;
}

int
store_get_undo(struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t **data, size_t *len)
{
	struct recpos p;
	uint8_t sum[32], *buf;
	char err[1536], path[1024];
	int rc;

	if ((rc = pos_get(t, t->s->db_undopos, hash, &p)) != 0)
		return rc;
	if (blkfiles_read(t->s->bf, BLKF_UNDO, p.file, p.pos, p.len,
		BLKF_UNDO_SUM, &buf, err, sizeof(err)) == -1)
		return damaged(t->s, hash, "the undo data", err);
	undo_sum(hash, buf, p.len, sum);
	if (memcmp(sum, buf + p.len, 32) != 0) {
		free(buf);
		blkfiles_path(t->s->bf, BLKF_UNDO, p.file, path, sizeof(path));
		snprintf(err, sizeof(err),
		    "%s is damaged: the record at offset %u fails its checksum",
		    path, p.pos - BLKF_HDR);
		return damaged(t->s, hash, "the undo data", err);
	}
	keep_buf(t, buf);
	*data = buf;
	*len = p.len;
	return STORE_OK;
}

int
store_put_undo(struct store_wtxn *t, const uint8_t hash[32],
    const uint8_t *data, size_t len)
{
	struct store *s = t->r.s;
	struct store_rtxn *r = &t->r;
	struct blkfile_info fi;
	struct recpos p;
	uint8_t sum[32];
	int rc;

	/* Beside the block's file; the current one if the block has none. */
	rc = pos_get(r, s->db_blockpos, hash, &p);
	if (rc == STORE_NOTFOUND)
		rc = store_last_blkfile(r, &p.file);
	if (rc != 0 || (rc = store_blkinfo_get(r, p.file, &fi)) != 0)
		return rc;
	if ((uint64_t)fi.undo_size + BLKF_HDR + len + BLKF_UNDO_SUM >
	    UINT32_MAX) {
		log_warnx("store: undo file %u is full", p.file);
		return STORE_ERROR;
	}
	undo_sum(hash, data, len, sum);
	if (blkfiles_write(s->bf, BLKF_UNDO, p.file, fi.undo_size, data,
		(uint32_t)len, sum, BLKF_UNDO_SUM) != 0)
		return STORE_ERROR;
	p.pos = fi.undo_size + BLKF_HDR;
	p.len = (uint32_t)len;
	fi.undo_size += BLKF_HDR + (uint32_t)len + BLKF_UNDO_SUM;
	if ((rc = store_blkinfo_put(t, p.file, &fi)) != 0)
		return rc;
	return pos_put(t, s->db_undopos, hash, &p);
}

int
store_del_undo(struct store_wtxn *t, const uint8_t hash[32])
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)(uintptr_t)hash;
	k.mv_size = 32;
	if ((rc = mdb_del(t->r.txn, t->r.s->db_undopos, &k, NULL)) != 0)
		return store_lmdb_err("delete undo", rc);
	return STORE_OK;
}

int
store_blocks_flush(struct store *s)
{
	return s->bf ? blkfiles_flush(s->bf) : 0;
}

/*
 * A format 3 store keeps blocks and undo data in the "blocks" and "undo"
 * databases: copy them out into block files, empty those databases and
 * mark the store format 4, in one write transaction (the files are
 * flushed before it commits; a crash half way leaves format 3, whose
 * next open copies again over the unrecorded bytes).
 */
static int
migrate(struct store *s, char *err, size_t errlen)
{
	struct store_wtxn *w;
	MDB_dbi old_blocks, old_undo;
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t fmt[4];
	uint64_t nb = 0, nu = 0;
	int pass, rc;

	if ((rc = store_write_begin(s, &w)) != 0) {
		snprintf(err, errlen,
		    "%s: cannot begin the move to block files", s->dir);
		return -1;
	}
	if ((rc = mdb_dbi_open(w->r.txn, "blocks", 0, &old_blocks)) != 0 ||
	    (rc = mdb_dbi_open(w->r.txn, "undo", 0, &old_undo)) != 0) {
		/* Never made: nothing to move. */
		old_blocks = old_undo = 0;
		if (rc != MDB_NOTFOUND)
			goto fail;
	}
	for (pass = 0; old_blocks != 0 && pass < 2; pass++) {
		MDB_dbi db = pass == 0 ? old_blocks : old_undo;

		if ((rc = mdb_cursor_open(w->r.txn, db, &cur)) != 0)
			goto fail;
		while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
			if (k.mv_size != 32) {
				rc = MDB_CORRUPTED;
				break;
			}
			rc = pass == 0 ?
			    store_put_block(w, k.mv_data, v.mv_data,
				v.mv_size) :
			    store_put_undo(w, k.mv_data, v.mv_data, v.mv_size);
			if (rc != 0)
				break;
			if (pass == 0)
				nb++;
			else
				nu++;
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			goto fail;
		if ((rc = mdb_drop(w->r.txn, db, 0)) != 0)
			goto fail;
	}
	le32_write(fmt, STORE_FORMAT_BLOCKFILES);
	k.mv_data = (void *)(uintptr_t)META_FORMAT;
	k.mv_size = strlen(META_FORMAT);
	v.mv_data = fmt;
	v.mv_size = 4;
	if ((rc = mdb_put(w->r.txn, s->db_meta, &k, &v, 0)) != 0)
		goto fail;
	if (blkfiles_flush(s->bf) != 0) {
		store_write_abort(w);
		snprintf(err, errlen, "%s: cannot flush the block files",
		    blkfiles_dir(s->bf));
		return -1;
	}
	if ((rc = store_write_commit(w)) != 0 ||
	    (rc = mdb_env_sync(s->env, 1)) != 0) {
		snprintf(err, errlen,
		    "%s: cannot commit the move to block "
		    "files",
		    s->dir);
		return -1;
	}
	log_info("store: moved %llu blocks and %llu undo records out of "
		 "%s/data.mdb into %s (store format %u)",
	    (unsigned long long)nb, (unsigned long long)nu, s->dir,
	    blkfiles_dir(s->bf), STORE_FORMAT_BLOCKFILES);
	s->format = STORE_FORMAT_BLOCKFILES;
	return 0;
fail:
	store_write_abort(w);
	log_warnx("store: moving blocks out of data.mdb: error %d", rc);
	snprintf(err, errlen,
	    "%s: moving the blocks out of data.mdb into block files failed "
	    "(see the log); move the chainstate directory away and sync again",
	    s->dir);
	return -1;
}

/*
 * Records in the old "blocks" and "undo" databases: 0 when there are none
 * (a format 1 or 2 store that never stored a block goes on with block
 * files and its format, which says only that its values lack checksums).
 */
static size_t
old_blocks(struct store *s)
{
	MDB_txn *txn;
	MDB_dbi db;
	MDB_stat st;
	size_t n = 0;
	const char *names[2] = { "blocks", "undo" };
	int i;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		return 1;
	for (i = 0; i < 2; i++)
		if (mdb_dbi_open(txn, names[i], 0, &db) == 0 &&
		    mdb_stat(txn, db, &st) == 0)
			n += st.ms_entries;
	mdb_txn_abort(txn);
	return n;
}

/* "<parent of dir>/blocks". */
static char *
default_blocks_dir(const char *dir)
{
	char *d = xstrdup(dir), *slash, *out;
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	if ((slash = strrchr(d, '/')) == NULL)
		out = xstrdup("blocks");
	else if (slash == d)
		out = xstrdup("/blocks");
	else
		out = xasprintf("%.*s/blocks", (int)(slash - d), d);
	free(d);
	return out;
}

int
store_blocks_open(struct store *s, const char *blocks_dir, uint32_t max_size,
    char *err, size_t errlen)
{
	char *dir;
	int rc;

	if (s->format < STORE_FORMAT_SUMS && old_blocks(s) != 0) {
		snprintf(err, errlen,
		    "%s: store format %u keeps blocks inside data.mdb without "
		    "checksums; this bitrootd keeps blocks in block files and "
		    "moves only format %u stores. Move the chainstate directory "
		    "away and start again to sync the chain (or -loadblock)",
		    s->dir, s->format, STORE_FORMAT_SUMS);
		return -1;
	}
	dir = blocks_dir ? xstrdup(blocks_dir) : default_blocks_dir(s->dir);
	rc = blkfiles_open(dir, s->magic, max_size ? max_size : BLKF_MAX_SIZE,
	    &s->bf, err, errlen);
	free(dir);
	if (rc == -1)
		return -1;
	pthread_mutex_init(&s->damaged_mu, NULL);
	if (s->format == STORE_FORMAT_SUMS)
		return migrate(s, err, errlen);
	/* Files of pairs pruned just before a crash. */
	if (store_prune_cleanup(s) != 0) {
		snprintf(err, errlen, "%s: cannot read the block file records",
		    s->dir);
		return -1;
	}
	return 0;
}

void
store_blocks_close(struct store *s)
{
	if (s->bf == NULL)
		return;
	blkfiles_close(s->bf);
	s->bf = NULL;
	pthread_mutex_destroy(&s->damaged_mu);
	free(s->damaged);
	s->damaged = NULL;
	s->ndamaged = 0;
}
