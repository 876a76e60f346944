/*
 * Checks that data.mdb holds every page LMDB's meta page says it uses,
 * before anything maps it.
 *
 * LMDB maps the file and follows page numbers into the map. A page past
 * the end of a shortened file is not an error LMDB can return: reading it
 * raises SIGBUS and the process dies with no message. So the two meta
 * pages are read here with plain pread(), the newer valid one chosen as
 * LMDB chooses it (larger transaction id), and the file must reach the
 * end of its last used page.
 *
 * The layout is LMDB 0.9's (lmdb's mdb.c: MDB_page, MDB_meta, MDB_db),
 * which is not in its public header: a page header of one pgno_t, two
 * 16-bit fields and two more (PAGEHDRSZ), then the meta record. pgno_t,
 * txnid_t and the pointer are the platform's word, as in LMDB's own build
 * (its files are not portable between 32- and 64-bit builds either).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/xmalloc.h"

#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1 /* MDB_DATA_VERSION of LMDB 0.9 */
#define LMDB_P_META 0x08    /* mp_flags bit of a meta page */
#define LMDB_NUM_METAS 2

/* Offsets in a page (w = the word size). */
#define PAGE_FLAGS_OFF(w) ((w) + 2) /* after mp_pgno, mp_pad */
#define PAGEHDR_SIZE(w) ((w) + 8)   /* + mp_flags, lower, upper */
/* Offsets in MDB_meta. */
#define META_MAGIC_OFF 0
#define META_VERSION_OFF 4
#define META_DBS_OFF(w) (8 + 2 * (w)) /* after mm_address, mm_mapsize */
#define MDB_DB_SIZE(w) (8 + 5 * (w))  /* md_pad .. md_root */
#define META_LAST_PG_OFF(w) (META_DBS_OFF(w) + 2 * MDB_DB_SIZE(w))
#define META_TXNID_OFF(w) (META_LAST_PG_OFF(w) + (w))
#define META_SIZE(w) (META_TXNID_OFF(w) + (w))
/* mm_psize is md_pad of the free-page database, the first of mm_dbs. */
#define META_PSIZE_OFF(w) META_DBS_OFF(w)

/* Page sizes LMDB writes: a power of two from 512 to 64 KiB. */
#define LMDB_MIN_PSIZE 512u
#define LMDB_MAX_PSIZE 65536u

struct lmdb_meta {
	uint32_t psize;
	uint64_t last_pg;
	uint64_t txnid;
};

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4); /* native order: LMDB writes its structs as is */
	return v;
}

static uint64_t
rdword(const uint8_t *p)
{
	size_t v;

	memcpy(&v, p, sizeof(v));
	return (uint64_t)v;
}

/*
 * Reads the meta page at off. 1: valid, 0: not a meta page LMDB would
 * accept, -1: read error (errno).
 */
static int
read_meta(int fd, off_t off, struct lmdb_meta *m)
{
	const size_t w = sizeof(size_t);
	uint8_t buf[PAGEHDR_SIZE(sizeof(size_t)) + META_SIZE(sizeof(size_t))];
	const uint8_t *mp = buf + PAGEHDR_SIZE(w);
	uint16_t flags;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf), off);
	if (n == -1)
		return -1;
	if ((size_t)n < sizeof(buf))
		return 0;
	memcpy(&flags, buf + PAGE_FLAGS_OFF(w), 2);
	if (!(flags & LMDB_P_META) ||
	    rd32(mp + META_MAGIC_OFF) != LMDB_MAGIC ||
	    rd32(mp + META_VERSION_OFF) != LMDB_DATA_VERSION)
		return 0;
	m->psize = rd32(mp + META_PSIZE_OFF(w));
	m->last_pg = rdword(mp + META_LAST_PG_OFF(w));
	m->txnid = rdword(mp + META_TXNID_OFF(w));
	if (m->psize < LMDB_MIN_PSIZE || m->psize > LMDB_MAX_PSIZE ||
	    (m->psize & (m->psize - 1)) != 0)
		return 0;
	return 1;
}

void
store_damage_msg(char *err, size_t errlen, const char *path, uint64_t size,
    uint64_t need, unsigned psize, const char *what)
{
	snprintf(err, errlen,
	    "%s is damaged: it is %" PRIu64 " bytes long, but %s (its LMDB "
	    "meta page says the database uses %" PRIu64 " bytes, %" PRIu64
	    " pages of %u); the file was cut short (disk full, a failed copy, "
	    "a crash of the system?). Restart with -reindex to rebuild it "
	    "from the block files, or restore the chainstate directory from a "
	    "backup",
	    path, size, what, need, psize ? need / psize : 0, psize);
}

int
store_check_file_size(const char *path, struct store_file_size *fs, char *err,
    size_t errlen)
{
	struct lmdb_meta m[LMDB_NUM_METAS], *best = NULL;
	struct stat st;
	uint64_t need;
	int fd, i, rc[LMDB_NUM_METAS];

	memset(fs, 0, sizeof(*fs));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* The second meta page is one page after the first: its psize. */
	rc[0] = read_meta(fd, 0, &m[0]);
	rc[1] = rc[0] == 1 ? read_meta(fd, (off_t)m[0].psize, &m[1]) : 0;
	if (rc[0] == -1 || rc[1] == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (rc[0] != 1) {
		/* Not LMDB's, or its first page is gone: the probe says which. */
		return 0;
	}
	for (i = 0; i < LMDB_NUM_METAS; i++)
		if (rc[i] == 1 && (best == NULL || m[i].txnid > best->txnid))
			best = &m[i];
	if (rc[1] != 1 && (uint64_t)st.st_size >= 2 * (uint64_t)m[0].psize)
		return 0; /* a bad second meta page: LMDB refuses it */
	fs->size = (uint64_t)st.st_size;
	fs->psize = best->psize;
	if (rc[1] != 1) {
		need = 2 * (uint64_t)best->psize;
		store_damage_msg(err, errlen, path, fs->size, need, fs->psize,
		    "its second meta page is missing");
		return -1;
	}
	need = (best->last_pg + 1) * (uint64_t)best->psize;
	if (fs->size >= need)
		return 0;
	/*
	 * Shorter than its last page is not damage by itself: LMDB does not
	 * write pages a transaction allocated and freed again ("loose"
	 * pages), so the pages at the end may be free and never written
	 * (its own mdb_env_copy clamps to the file size for that reason).
	 * The caller checks them against the free list.
	 */
	fs->have_pages = fs->size / best->psize;
	fs->last_pg = best->last_pg;
	return 1;
}

void
store_free_walk_end(struct store_free_walk *fw)
{
	if (fw->cur != NULL)
		mdb_cursor_close(fw->cur);
	free(fw->seen);
	fw->cur = NULL;
	fw->seen = NULL;
}

int
store_check_missing_free(MDB_txn *txn, const char *path,
    const struct store_file_size *fs, struct store_free_walk *fw, char *err,
    size_t errlen)
{
	MDB_val k, v;
	uint64_t nmissing, n, i, pg, found = 0;
	size_t cnt, j;
	int rc, ret = -1;

	nmissing = fs->last_pg + 1 - fs->have_pages;
	fw->seen = xcalloc((size_t)(nmissing + 7) / 8, 1);
	/* FREE_DBI is database 0: records of txnid -> IDL (count, pages). */
	if ((rc = mdb_cursor_open(txn, 0, &fw->cur)) != 0) {
		fw->cur = NULL;
		snprintf(err, errlen, "%s: free list: %s", path,
		    mdb_strerror(rc));
		store_free_walk_end(fw);
		return -1;
	}
	while ((rc = mdb_cursor_get(fw->cur, &k, &v, MDB_NEXT)) == 0) {
		if (v.mv_size < sizeof(size_t))
			continue;
		memcpy(&cnt, v.mv_data, sizeof(cnt));
		if (cnt > v.mv_size / sizeof(size_t) - 1)
			cnt = v.mv_size / sizeof(size_t) - 1;
		for (j = 1; j <= cnt; j++) {
			size_t id;

			memcpy(&id, (uint8_t *)v.mv_data + j * sizeof(size_t),
			    sizeof(id));
			pg = (uint64_t)id;
			if (pg < fs->have_pages || pg > fs->last_pg)
				continue;
			i = pg - fs->have_pages;
			if (!(fw->seen[i / 8] & (1u << (i % 8)))) {
				fw->seen[i / 8] |= (uint8_t)(1u << (i % 8));
				found++;
			}
		}
	}
	if (rc != MDB_NOTFOUND)
		snprintf(err, errlen, "%s: free list: %s", path,
		    mdb_strerror(rc));
	else if (found != nmissing) {
		n = fs->last_pg + 1;
		store_damage_msg(err, errlen, path, fs->size, n * fs->psize,
		    fs->psize, "pages in use are missing from its end");
	} else
		ret = 0;
	store_free_walk_end(fw);
	return ret;
}
