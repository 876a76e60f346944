/*
 * The store's environment: opening (with the checks that refuse a
 * directory that is not ours, without touching it), closing, durability
 * settings. See doc/store.md for the layout and the durability argument.
 *
 * Opening is two steps. First a probe that modifies nothing: the directory
 * must hold only data.mdb and lock.mdb, and an existing data.mdb is opened
 * read-only with MDB_NOLOCK (so not even lock.mdb is created) to check that
 * it is an LMDB file, that its meta database says bitrootd, a format we
 * read and our chain's magic. Only then the real environment is opened and
 * the databases created.
 */
#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

#define STORE_MAX_DBS 20
/*
 * A new store is made under this name (LMDB's MDB_NOSUBDIR, so its lock
 * file is NEW_DATA "-lock") and renamed to data.mdb once its metadata is
 * on disk: a data.mdb is then never legitimately empty or half made, and
 * an empty or short one is damage to refuse, not a new store.
 */
#define NEW_DATA "data.mdb.new"

/* Reader slots: RPC workers, net and validation, with room to spare. */
#define STORE_MAX_READERS 256

/* Known message starts, only to name the chain in a refusal. */
static const struct {
	uint8_t magic[4];
	const char *name;
} known_chains[] = {
	{ { 0xf9, 0xbe, 0xb4, 0xd9 }, "main" },
	{ { 0x0b, 0x11, 0x09, 0x07 }, "testnet3" },
	{ { 0x1c, 0x16, 0x3f, 0x28 }, "testnet4" },
	{ { 0x0a, 0x03, 0xcf, 0x40 }, "signet" },
	{ { 0xfa, 0xbf, 0xb5, 0xda }, "regtest" },
};

struct open_ctx {
	const char *dir;
	const uint8_t *magic;
	char *err;
	size_t errlen;
	int fresh;	 /* nothing of ours there yet */
	int create;	 /* no data.mdb: make it (create_data) */
	uint32_t format; /* the store's, once checked or written */
	size_t mapsize;	 /* an existing store's map size */
};

static void seterr(struct open_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
seterr(struct open_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

static const char *
chain_name(const uint8_t m[4])
{
	size_t i;

	for (i = 0; i < sizeof(known_chains) / sizeof(known_chains[0]); i++)
		if (memcmp(known_chains[i].magic, m, 4) == 0)
			return known_chains[i].name;
	return "unknown chain";
}

static size_t
default_mapsize(void)
{
	/* Sparse: pages are only written as they are used. */
	return sizeof(size_t) >= 8 ? (size_t)1 << 30 : (size_t)256 << 20;
}

static int
mkdir_p(const char *dir)
{
	char buf[PATH_MAX], *p;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int
is_leveldb_name(const char *name)
{
	size_t n = strlen(name);

	/* The files only LevelDB writes (LOCK, LOG and *.log are too generic). */
	if (strcmp(name, "CURRENT") == 0 || strncmp(name, "MANIFEST-", 9) == 0)
		return 1;
	return n > 4 &&
	    (strcmp(name + n - 4, ".ldb") == 0 ||
		strcmp(name + n - 4, ".sst") == 0);
}

/* Every entry must be LMDB's; notes whether data.mdb is there. */
static int
check_dir_entries(struct open_ctx *c, int *have_data)
{
	DIR *d;
	struct dirent *de;
	char leveldb[NAME_MAX + 1] = "", other[NAME_MAX + 1] = "";

	*have_data = 0;
	if ((d = opendir(c->dir)) == NULL) {
		seterr(c, "cannot read %s: %s", c->dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "lock.mdb") == 0 ||
		    strcmp(de->d_name, NEW_DATA) == 0 ||
		    strcmp(de->d_name, NEW_DATA "-lock") == 0)
			continue; /* ours (a creation cut short) */
		if (strcmp(de->d_name, "data.mdb") == 0)
			*have_data = 1;
		else if (is_leveldb_name(de->d_name))
			snprintf(leveldb, sizeof(leveldb), "%s", de->d_name);
		else
			snprintf(other, sizeof(other), "%s", de->d_name);
	}
	closedir(d);
	if (leveldb[0]) {
		seterr(c,
		    "%s holds a LevelDB database (%s): it looks like a "
		    "Bitcoin Core chainstate, not a bitrootd store; use another "
		    "datadir",
		    c->dir, leveldb);
		return -1;
	}
	if (other[0]) {
		seterr(c,
		    "%s holds %s, which is not part of a bitrootd store; "
		    "refusing to use it",
		    c->dir, other);
		return -1;
	}
	return 0;
}

/* Format, chain and owner checks on an open transaction. */
static int
check_meta(struct open_ctx *c, MDB_txn *txn, MDB_dbi meta)
{
	MDB_val k, v;
	uint32_t format;
	char want[9], have[9];
	int rc;

	k.mv_data = (void *)(uintptr_t)META_APP;
	k.mv_size = strlen(META_APP);
	if ((rc = mdb_get(txn, meta, &k, &v)) != 0 ||
	    v.mv_size != strlen(STORE_APP_TAG) ||
	    memcmp(v.mv_data, STORE_APP_TAG, v.mv_size) != 0) {
		seterr(c,
		    "%s/data.mdb is an LMDB database but not a bitrootd "
		    "store; refusing to use it",
		    c->dir);
		return -1;
	}
	k.mv_data = (void *)(uintptr_t)META_FORMAT;
	k.mv_size = strlen(META_FORMAT);
	if ((rc = mdb_get(txn, meta, &k, &v)) != 0 || v.mv_size != 4) {
		seterr(c, "%s: store has no valid format version", c->dir);
		return -1;
	}
	format = le32_read(v.mv_data);
	if (format > STORE_FORMAT_MAX) {
		seterr(c,
		    "%s: store format %u is newer than this bitrootd "
		    "reads (%u); use a newer bitrootd",
		    c->dir, format, STORE_FORMAT_MAX);
		return -1;
	}
	if (format < 1) {
		seterr(c, "%s: unsupported store format %u", c->dir, format);
		return -1;
	}
	c->format = format;
	k.mv_data = (void *)(uintptr_t)META_MAGIC;
	k.mv_size = strlen(META_MAGIC);
	if ((rc = mdb_get(txn, meta, &k, &v)) != 0 || v.mv_size != 4) {
		seterr(c, "%s: store has no chain magic", c->dir);
		return -1;
	}
	if (memcmp(v.mv_data, c->magic, 4) != 0) {
		snprintf(have, sizeof(have), "%02x%02x%02x%02x",
		    ((uint8_t *)v.mv_data)[0], ((uint8_t *)v.mv_data)[1],
		    ((uint8_t *)v.mv_data)[2], ((uint8_t *)v.mv_data)[3]);
		snprintf(want, sizeof(want), "%02x%02x%02x%02x", c->magic[0],
		    c->magic[1], c->magic[2], c->magic[3]);
		seterr(c,
		    "%s: store was made for another chain (%s, magic %s), "
		    "not this one (%s, magic %s)",
		    c->dir, chain_name(v.mv_data), have, chain_name(c->magic),
		    want);
		return -1;
	}
	return 0;
}

/*
 * The probing thread's way out of a SIGBUS: a page the probe reads past
 * the end of a data.mdb that was cut short. Another thread's SIGBUS gets
 * the default action (the fault happens again once the handler returns).
 */
static __thread sigjmp_buf *probe_bus;
/* What the free list walk holds, released after a jump too (not automatic). */
static __thread struct store_free_walk probe_walk;

static void
on_probe_bus(int sig)
{
	if (probe_bus != NULL)
		siglongjmp(*probe_bus, 1);
	signal(sig, SIG_DFL);
}

/*
 * Looks at an existing data.mdb without modifying anything: read-only,
 * no lock file. A file shorter than its last page (fs->last_pg set) must
 * be short only by free pages. Every read through the map is guarded: a
 * page past the end is a refusal, not SIGBUS.
 */
static int
probe_data(struct open_ctx *c, const char *path,
    const struct store_file_size *fs)
{
	MDB_env *volatile env = NULL;
	MDB_txn *volatile txn = NULL;
	MDB_env *e;
	MDB_txn *t;
	MDB_dbi main_db, meta;
	MDB_stat st;
	MDB_envinfo info;
	struct sigaction sa, old;
	sigjmp_buf jb;
	volatile int ret = -1;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_probe_bus;
	if (sigaction(SIGBUS, &sa, &old) == -1) {
		seterr(c, "sigaction: %s", strerror(errno));
		return -1;
	}
	if (sigsetjmp(jb, 1) != 0) {
		probe_bus = NULL;
		store_damage_msg(c->err, c->errlen, path, fs->size,
		    (fs->last_pg + 1) * fs->psize, fs->psize,
		    "reading it ran past its end");
		ret = -1;
		goto out;
	}
	probe_bus = &jb;
	if ((rc = mdb_env_create(&e)) != 0) {
		seterr(c, "lmdb: %s", mdb_strerror(rc));
		goto out;
	}
	env = e;
	if ((rc = mdb_env_set_maxdbs(e, STORE_MAX_DBS)) != 0) {
		seterr(c, "lmdb: %s", mdb_strerror(rc));
		goto out;
	}
	rc = mdb_env_open(e, c->dir, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS,
	    0644);
	if (rc == MDB_INVALID) {
		seterr(c,
		    "%s/data.mdb is not an LMDB database; refusing to "
		    "use it",
		    c->dir);
		goto out;
	}
	if (rc == MDB_VERSION_MISMATCH) {
		seterr(c,
		    "%s/data.mdb was written by an incompatible LMDB "
		    "version",
		    c->dir);
		goto out;
	}
	if (rc != 0) {
		seterr(c, "%s/data.mdb: %s", c->dir, mdb_strerror(rc));
		goto out;
	}
	if ((rc = mdb_env_info(e, &info)) != 0 ||
	    (rc = mdb_txn_begin(e, NULL, MDB_RDONLY, &t)) != 0) {
		seterr(c, "%s/data.mdb: %s", c->dir, mdb_strerror(rc));
		goto out;
	}
	txn = t;
	if (fs->last_pg != 0 &&
	    store_check_missing_free(t, path, fs, &probe_walk, c->err,
		c->errlen) != 0)
		goto out;
	if ((rc = mdb_dbi_open(t, NULL, 0, &main_db)) != 0 ||
	    (rc = mdb_stat(t, main_db, &st)) != 0) {
		seterr(c, "%s/data.mdb: %s", c->dir, mdb_strerror(rc));
		goto out;
	}
	c->mapsize = info.me_mapsize;
	if (st.ms_entries == 0) {
		/* Created, but killed before the first commit: still fresh. */
		c->fresh = 1;
		ret = 0;
		goto out;
	}
	rc = mdb_dbi_open(t, "meta", 0, &meta);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		seterr(c,
		    "%s/data.mdb is an LMDB database but not a bitrootd "
		    "store; refusing to use it",
		    c->dir);
		goto out;
	}
	if (rc != 0) {
		seterr(c, "%s/data.mdb: %s", c->dir, mdb_strerror(rc));
		goto out;
	}
	ret = check_meta(c, t, meta);
out:
	probe_bus = NULL;
	sigaction(SIGBUS, &old, NULL);
	store_free_walk_end(&probe_walk);
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	return ret;
}

static int
probe(struct open_ctx *c)
{
	char path[PATH_MAX];
	struct stat st;
	struct store_file_size fs;
	int have_data, rc;

	if (check_dir_entries(c, &have_data) == -1)
		return -1;
	if (!have_data) {
		c->fresh = 1;
		c->create = 1;
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", c->dir) >=
	    sizeof(path)) {
		seterr(c, "%s: path too long", c->dir);
		return -1;
	}
	if (stat(path, &st) == -1) {
		seterr(c, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(c, "%s is not a regular file; refusing to use it",
		    path);
		return -1;
	}
	if (st.st_size == 0) {
		/*
		 * LMDB would make an empty file a new environment; but ours are
		 * renamed into place complete, so this one lost its contents.
		 */
		seterr(c,
		    "%s is empty: the store's data were lost (truncated "
		    "by a crash of the system, a full disk or a failed copy?). "
		    "Restart with -reindex to rebuild it from the block files, "
		    "or restore the chainstate directory from a backup",
		    path);
		return -1;
	}
	/* A file shorter than its pages would be SIGBUS once mapped. */
	if ((rc = store_check_file_size(path, &fs, c->err, c->errlen)) == -1)
		return -1;
	return probe_data(c, path, &fs);
}

static int
open_db(MDB_txn *txn, const char *name, MDB_dbi *dbi)
{
	int rc;

	if ((rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi)) != 0)
		log_warnx("store: open database %s: %s", name,
		    mdb_strerror(rc));
	return rc;
}

static int
put_meta_raw(MDB_txn *txn, MDB_dbi meta, const char *key, const void *p,
    size_t n)
{
	MDB_val k, v;

	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = strlen(key);
	v.mv_data = (void *)(uintptr_t)p;
	v.mv_size = n;
	return mdb_put(txn, meta, &k, &v, 0);
}

/* The owner tag, format and chain of a new store. */
static int
write_new_meta(MDB_txn *txn, MDB_dbi meta, const uint8_t magic[4])
{
	uint8_t fmt[4];
	int rc;

	le32_write(fmt, STORE_FORMAT);
	if ((rc = put_meta_raw(txn, meta, META_APP, STORE_APP_TAG,
		 strlen(STORE_APP_TAG))) != 0 ||
	    (rc = put_meta_raw(txn, meta, META_FORMAT, fmt, 4)) != 0)
		return rc;
	return put_meta_raw(txn, meta, META_MAGIC, magic, 4);
}

/*
 * Makes data.mdb for a new store: an environment under NEW_DATA with its
 * metadata committed and synced, then renamed (and the directory synced),
 * so that data.mdb appears whole or not at all. Leftovers of a creation
 * killed half way are ours to delete: the directory lock is held. With a
 * data.mdb there already, only those are deleted.
 */
static int
create_data(struct open_ctx *c, int dirfd)
{
	char tmp[PATH_MAX], lock[PATH_MAX], final[PATH_MAX];
	MDB_env *env = NULL;
	MDB_txn *txn;
	MDB_dbi meta;
	int rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", c->dir, NEW_DATA) >=
		sizeof(tmp) ||
	    (size_t)snprintf(lock, sizeof(lock), "%s-lock", tmp) >=
		sizeof(lock) ||
	    (size_t)snprintf(final, sizeof(final), "%s/data.mdb", c->dir) >=
		sizeof(final)) {
		seterr(c, "%s: path too long", c->dir);
		return -1;
	}
	if (!c->create) {
		/* Killed between the rename and the unlink: the lock file. */
		unlink(lock);
		return 0;
	}
	if ((unlink(tmp) == -1 && errno != ENOENT) ||
	    (unlink(lock) == -1 && errno != ENOENT)) {
		seterr(c, "cannot remove %s: %s", tmp, strerror(errno));
		return -1;
	}
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, STORE_MAX_DBS)) != 0 ||
	    (rc = mdb_env_open(env, tmp, MDB_NOSUBDIR | MDB_NOTLS, 0644)) !=
		0) {
		seterr(c, "%s: cannot create the store: %s", tmp,
		    mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		seterr(c, "%s: cannot begin a transaction: %s", tmp,
		    mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta)) != 0 ||
	    (rc = write_new_meta(txn, meta, c->magic)) != 0) {
		mdb_txn_abort(txn);
		seterr(c, "%s: cannot write metadata: %s", tmp,
		    mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_txn_commit(txn)) != 0 ||
	    (rc = mdb_env_sync(env, 1)) != 0) {
		seterr(c, "%s: cannot commit: %s", tmp, mdb_strerror(rc));
		goto fail;
	}
	mdb_env_close(env);
	env = NULL;
	if (rename(tmp, final) == -1) {
		seterr(c, "cannot rename %s to %s: %s", tmp, final,
		    strerror(errno));
		goto fail;
	}
	if (fsync(dirfd) == -1) {
		seterr(c, "cannot sync %s: %s", c->dir, strerror(errno));
		return -1;
	}
	unlink(lock);
	return 0;
fail:
	if (env != NULL)
		mdb_env_close(env);
	unlink(tmp);
	unlink(lock);
	return -1;
}

/* Creates the databases (first open) and checks or writes the metadata. */
static int
init_dbs(struct store *s, struct open_ctx *c)
{
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0) {
		seterr(c, "%s: cannot begin a transaction: %s", c->dir,
		    mdb_strerror(rc));
		return -1;
	}
	if ((rc = open_db(txn, "meta", &s->db_meta)) != 0 ||
	    (rc = open_db(txn, "index", &s->db_index)) != 0 ||
	    (rc = open_db(txn, "blocks", &s->db_blocks)) != 0 ||
	    (rc = open_db(txn, "active", &s->db_active[0])) != 0 ||
	    (rc = open_db(txn, "coins", &s->db_coins[0])) != 0 ||
	    (rc = open_db(txn, "active1", &s->db_active[1])) != 0 ||
	    (rc = open_db(txn, "coins1", &s->db_coins[1])) != 0 ||
	    (rc = open_db(txn, "undo", &s->db_undo)) != 0 ||
	    (rc = open_db(txn, "txindex", &s->db_txindex)) != 0 ||
	    (rc = open_db(txn, "blockfilter", &s->db_blockfilter)) != 0 ||
	    (rc = open_db(txn, "blockpos", &s->db_blockpos)) != 0 ||
	    (rc = open_db(txn, "undopos", &s->db_undopos)) != 0 ||
	    (rc = open_db(txn, "blkfiles", &s->db_blkinfo)) != 0) {
		seterr(c, "%s: cannot open databases: %s", c->dir,
		    mdb_strerror(rc));
		goto fail;
	}
	k.mv_data = (void *)(uintptr_t)META_APP;
	k.mv_size = strlen(META_APP);
	rc = mdb_get(txn, s->db_meta, &k, &v);
	if (rc == MDB_NOTFOUND && c->fresh) {
		/* An environment made but never written (older bitrootd). */
		c->format = STORE_FORMAT;
		if ((rc = write_new_meta(txn, s->db_meta, c->magic)) != 0) {
			seterr(c, "%s: cannot write metadata: %s", c->dir,
			    mdb_strerror(rc));
			goto fail;
		}
	} else if (check_meta(c, txn, s->db_meta) == -1)
		goto fail;
	if ((rc = mdb_txn_commit(txn)) != 0) {
		seterr(c, "%s: cannot commit: %s", c->dir, mdb_strerror(rc));
		return -1;
	}
	return 0;
fail:
	mdb_txn_abort(txn);
	return -1;
}

static unsigned int
sync_flags(enum store_sync_mode m)
{
	switch (m) {
	case STORE_SYNC_FULL: return 0;
	case STORE_SYNC_DATA: return MDB_NOMETASYNC;
	case STORE_SYNC_PERIODIC:
	default: return MDB_NOSYNC | MDB_NOMETASYNC;
	}
}

int
store_open(const char *dir, const uint8_t magic[4], struct store **out,
    char *err, size_t errlen)
{
	return store_open_opts(dir, magic, NULL, out, err, errlen);
}

int
store_open_opts(const char *dir, const uint8_t magic[4],
    const struct store_options *opt, struct store **out, char *err,
    size_t errlen)
{
	struct open_ctx c;
	/*
	 * The mode that survives power loss (store.h): the node opens its
	 * store with these, during initial sync too.
	 */
	struct store_options defaults = { 0, STORE_SYNC_DATA, -1, NULL, 0 };
	struct store *s;
	struct stat st;
	MDB_envinfo info;
	size_t mapsize;
	long pg;
	int rc, dead, lockfd;

	if (opt == NULL)
		opt = &defaults;
	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.magic = magic;
	c.err = err;
	c.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT) {
			seterr(&c, "cannot access %s: %s", dir,
			    strerror(errno));
			return STORE_ERROR;
		}
		if (mkdir_p(dir) == -1) {
			seterr(&c, "cannot create %s: %s", dir,
			    strerror(errno));
			return STORE_ERROR;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		seterr(&c, "%s is not a directory", dir);
		return STORE_ERROR;
	}

	/*
	 * One store per directory: an exclusive lock on the directory itself
	 * (no file added). It also stops a second open in this process, which
	 * LMDB forbids.
	 */
	if ((lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		seterr(&c, "cannot open %s: %s", dir, strerror(errno));
		return STORE_ERROR;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			seterr(&c,
			    "%s is in use by another bitrootd (or is "
			    "already open in this one)",
			    dir);
		else
			seterr(&c, "cannot lock %s: %s", dir, strerror(errno));
		close(lockfd);
		return STORE_ERROR;
	}

	if (probe(&c) == -1 || create_data(&c, lockfd) == -1) {
		close(lockfd);
		return STORE_ERROR;
	}

	s = xcalloc(1, sizeof(*s));
	s->lock_fd = lockfd;
	s->dir = xstrdup(dir);
	memcpy(s->magic, magic, 4);
	pthread_mutex_init(&s->gate_mu, NULL);
	pthread_cond_init(&s->gate_cv, NULL);
	s->sync_mode = opt->sync_mode;
	s->sync_interval_us = (int64_t)(opt->sync_interval_ms < 0 ?
				      STORE_SYNC_INTERVAL_MS :
				      opt->sync_interval_ms) *
	    1000;
	s->last_sync_us = time_mono_micros();

	mapsize = opt->map_size ? opt->map_size : default_mapsize();
	if (mapsize < c.mapsize)
		mapsize = c.mapsize;
	if ((pg = sysconf(_SC_PAGESIZE)) > 0)
		mapsize = (mapsize + (size_t)pg - 1) / (size_t)pg * (size_t)pg;

	if ((rc = mdb_env_create(&s->env)) != 0) {
		seterr(&c, "lmdb: %s", mdb_strerror(rc));
		s->env = NULL;
		goto fail;
	}
	if ((rc = mdb_env_set_maxdbs(s->env, STORE_MAX_DBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, STORE_MAX_READERS)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, mapsize)) != 0) {
		seterr(&c, "lmdb: %s", mdb_strerror(rc));
		goto fail;
	}
	/*
	 * MDB_NOTLS: readers on any thread, several per thread. MDB_NORDAHEAD:
	 * coin lookups are random; readahead only fills the page cache with
	 * neighbours nobody asked for once the store outgrows RAM.
	 */
	rc = mdb_env_open(s->env, dir,
	    MDB_NOTLS | MDB_NORDAHEAD | sync_flags(s->sync_mode), 0644);
	if (rc != 0) {
		seterr(&c, "%s: cannot open the store: %s", dir,
		    mdb_strerror(rc));
		goto fail;
	}
	/* Reader slots left behind by a killed process. */
	if ((rc = mdb_reader_check(s->env, &dead)) != 0) {
		seterr(&c, "%s: reader check: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if (dead > 0)
		log_info("store: cleared %d stale reader slot(s)", dead);
	if (init_dbs(s, &c) == -1)
		goto fail;
	if (c.fresh && (rc = mdb_env_sync(s->env, 1)) != 0) {
		seterr(&c, "%s: sync: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_env_info(s->env, &info)) != 0) {
		seterr(&c, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	s->mapsize = info.me_mapsize;
	s->format = c.format;
	s->sums = c.format >= STORE_FORMAT_SUMS;
	if (store_blocks_open(s, opt->blocks_dir, opt->blockfile_size, err,
		errlen) == -1)
		goto fail;
	log_info("store: opened %s (%s, format %u%s, map %zu MiB)", dir,
	    c.fresh ? "new" : "existing", s->format,
	    s->sums ? "" : ": values without checksums", s->mapsize >> 20);
	store_metrics_size(s);
	*out = s;
	return STORE_OK;
fail:
	store_blocks_close(s);
	if (s->env != NULL)
		mdb_env_close(s->env);
	pthread_cond_destroy(&s->gate_cv);
	pthread_mutex_destroy(&s->gate_mu);
	close(lockfd);
	free(s->dir);
	free(s);
	return STORE_ERROR;
}

void
store_close(struct store *s)
{
	int rc;

	if (s == NULL)
		return;
	if (s->open_txns > 0)
		fatalx("%s: %u transaction(s) still open", __func__,
		    s->open_txns);
	store_blocks_close(s);
	if ((rc = mdb_env_sync(s->env, 1)) != 0)
		log_warnx("store: sync at close: %s", mdb_strerror(rc));
	mdb_env_close(s->env);
	pthread_cond_destroy(&s->gate_cv);
	pthread_mutex_destroy(&s->gate_mu);
	close(s->lock_fd);
	free(s->dir);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->dir;
}

int
store_set_sync_mode(struct store *s, enum store_sync_mode mode)
{
	int rc;

	if ((rc = mdb_env_set_flags(s->env, MDB_NOSYNC | MDB_NOMETASYNC, 0)) !=
		0 ||
	    (sync_flags(mode) != 0 &&
		(rc = mdb_env_set_flags(s->env, sync_flags(mode), 1)) != 0))
		return store_lmdb_err("set sync mode", rc);
	s->sync_mode = mode;
	/* What earlier commits left unflushed becomes durable now. */
	if (mode != STORE_SYNC_PERIODIC)
		return store_sync(s);
	return STORE_OK;
}

void
store_set_sync_interval(struct store *s, int ms)
{
	s->sync_interval_us = (int64_t)(ms < 0 ? STORE_SYNC_INTERVAL_MS : ms) *
	    1000;
}

int
store_disk_size(struct store *s, uint64_t *bytes)
{
	struct stat st;
	int fd, rc;

	if ((rc = mdb_env_get_fd(s->env, &fd)) != 0)
		return store_lmdb_err("get fd", rc);
	if (fstat(fd, &st) == -1) {
		log_warn("store: fstat");
		return STORE_ERROR;
	}
	*bytes = (uint64_t)st.st_size;
	return STORE_OK;
}
