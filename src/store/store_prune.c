/*
 * Pruning (store.h, "Pruning"): whole block file pairs are given back to
 * the file system once every block in them may go.
 *
 * Dropping a pair is two steps. store_prune_file, inside the caller's
 * write transaction, deletes the position records of every block and
 * undo record in the pair and marks its db_blkinfo entry pruned; after
 * the commit, store_prune_remove deletes the two files. A crash between
 * the two leaves files nothing points at, which the next open deletes
 * (store_prune_cleanup): a crash can leak nothing and lose nothing still
 * recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/blkfiles.h"
#include "store/store_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

int
store_iter_blockfiles(struct store_rtxn *t,
    int (*cb)(void *arg, const struct store_blockfile *f), void *arg)
{
	struct store_blockfile f;
	struct blkfile_info fi;
	MDB_cursor *cur;
	MDB_val k, v;
	uint32_t last;
	int rc, ret = 0;

	if ((rc = store_last_blkfile(t, &last)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->s->db_blkinfo, &cur)) != 0)
		return store_lmdb_err("block file cursor", rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		const uint8_t *kp = k.mv_data;

		if (k.mv_size != 4) {
			ret = STORE_ERROR;
			break;
		}
		f.num = (uint32_t)kp[0] << 24 | (uint32_t)kp[1] << 16 |
		    (uint32_t)kp[2] << 8 | kp[3];
		if ((ret = store_blkinfo_get(t, f.num, &fi)) != 0)
			break;
		f.bytes = (uint64_t)fi.size + fi.undo_size;
		f.blocks = fi.blocks;
		f.height_first = fi.height_first;
		f.height_last = fi.height_last;
		f.pruned = (fi.flags & BLKINFO_PRUNED) != 0;
		f.current = f.num == last;
		if ((ret = cb(arg, &f)) != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND && ret == 0)
		ret = store_lmdb_err("block file iteration", rc);
	mdb_cursor_close(cur);
	return ret;
}

static int
add_size(void *arg, const struct store_blockfile *f)
{
	if (!f->pruned)
		*(uint64_t *)arg += f->bytes;
	return 0;
}

int
store_blockfiles_size(struct store_rtxn *t, uint64_t *bytes)
{
	*bytes = 0;
	return store_iter_blockfiles(t, add_size, bytes);
}

/* Deletes the records of db whose file is num; cb per hash (blocks only). */
static int
drop_records(struct store_wtxn *w, MDB_dbi db, uint32_t num,
    int (*cb)(void *arg, const uint8_t hash[32]), void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0;

	if ((rc = mdb_cursor_open(w->r.txn, db, &cur)) != 0)
		return store_lmdb_err("prune cursor", rc);
	/*
	 * Every record is looked at, as Core walks its whole block index per
	 * pruned file: pruning runs once per file of 128 MiB.
	 */
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size != 32 || v.mv_size < 4 ||
		    le32_read(v.mv_data) != num)
			continue;
		if (cb != NULL && (ret = cb(arg, k.mv_data)) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	if (ret == 0 && rc != MDB_NOTFOUND)
		ret = store_lmdb_err("prune records", rc);
	mdb_cursor_close(cur);
	return ret;
}

int
store_prune_file(struct store_wtxn *w, uint32_t num,
    int (*cb)(void *arg, const uint8_t hash[32]), void *arg)
{
	struct store *s = w->r.s;
	struct blkfile_info fi;
	uint32_t last;
	int rc;

	if ((rc = store_last_blkfile(&w->r, &last)) != 0 ||
	    (rc = store_blkinfo_get(&w->r, num, &fi)) != 0)
		return rc;
	if (num >= last) {
		log_warnx("store: block file %u is the one being written: not "
			  "pruned",
		    num);
		return STORE_ERROR;
	}
	if ((rc = drop_records(w, s->db_blockpos, num, cb, arg)) != 0 ||
	    (rc = drop_records(w, s->db_undopos, num, NULL, NULL)) != 0)
		return rc;
	fi.flags |= BLKINFO_PRUNED;
	fi.blocks = 0;
	return store_blkinfo_put(w, num, &fi);
}

int
store_prune_remove(struct store *s, uint32_t num)
{
	if (blkfiles_remove(s->bf, BLKF_BLOCK, num) != 0 ||
	    blkfiles_remove(s->bf, BLKF_UNDO, num) != 0)
		return STORE_ERROR;
	/* The directory entries' removal reaches the disk with the next flush. */
	return STORE_OK;
}

static int
remove_pruned(void *arg, const struct store_blockfile *f)
{
	struct store *s = arg;

	if (f->pruned)
		store_prune_remove(s, f->num);
	return 0;
}

int
store_prune_cleanup(struct store *s)
{
	struct store_rtxn *r;
	int rc;

	if ((rc = store_read_begin(s, &r)) != 0)
		return rc;
	rc = store_iter_blockfiles(r, remove_pruned, s);
	store_read_end(r);
	return rc;
}
