/*
 * Full -reindex: the files' side (reindex.h). The import itself is
 * validation/import.c's, which reads reindex_files() before -loadblock's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/reindex.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define REINDEX_SUBDIR "reindex"
#define REINDEX_MARK "MOVED"

/* "blk" or "rev", five or more digits, ".dat": Core's file names. */
static int
file_number(const char *name, const char *prefix, unsigned long *num)
{
	const char *p = name + 3;
	char *end;

	if (strncmp(name, prefix, 3) != 0 || *p < '0' || *p > '9')
		return 0;
	errno = 0;
	*num = strtoul(p, &end, 10);
	return errno == 0 && end - p >= 5 && strcmp(end, ".dat") == 0;
}

/* A directory's entries reach the disk: renames and unlinks in it. */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static int
unlink_some(const char *dir, const char *name, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = unlink(path) == -1 && errno != ENOENT ? -1 : 0;

	if (rc == -1)
		snprintf(err, errlen, "cannot delete %s: %s", path,
		    strerror(errno));
	free(path);
	return rc;
}

/* Moves the blk files into rdir, deletes the rev files. */
static int
move_files(const char *blocks_dir, const char *rdir, char *err, size_t errlen)
{
	struct dirent *d;
	unsigned long num;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(blocks_dir)) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", blocks_dir,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		if (file_number(d->d_name, "rev", &num))
			rc = unlink_some(blocks_dir, d->d_name, err, errlen);
		else if (file_number(d->d_name, "blk", &num)) {
			char *from = xasprintf("%s/%s", blocks_dir, d->d_name);
			char *to = xasprintf("%s/%s", rdir, d->d_name);

			if ((rc = rename(from, to)) == -1)
				snprintf(err, errlen,
				    "cannot move %s to %s: %s", from, to,
				    strerror(errno));
			free(from);
			free(to);
		}
	}
	closedir(dp);
	return rc;
}

int
reindex_prepare(const char *chainstate_dir, const char *blocks_dir,
    int requested, int *active, char *err, size_t errlen)
{
	char *rdir = xasprintf("%s/" REINDEX_SUBDIR, blocks_dir);
	char *mark = xasprintf("%s/" REINDEX_MARK, rdir);
	int fd, rc = -1;

	*active = 0;
	if (exists(mark)) {
		log_info("Reindexing: continuing the reindex an earlier run "
			 "started (%s)",
		    rdir);
		*active = 1;
		rc = 0;
		goto out;
	}
	if (!requested && !exists(rdir)) {
		rc = 0;
		goto out;
	}
	if (!exists(blocks_dir)) {
		/* No block files yet: a new store is the whole reindex. */
		log_info("Reindexing: no block files in %s; a new store",
		    blocks_dir);
		rc = unlink_some(chainstate_dir, "data.mdb", err, errlen) ||
			unlink_some(chainstate_dir, "lock.mdb", err, errlen) ?
		    -1 :
		    0;
		goto out;
	}
	log_info("Reindexing: a new block index and chainstate from the "
		 "block files in %s",
	    blocks_dir);
	/* reindex/ first: from here a restart finishes this start. */
	if (mkdir(rdir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", rdir,
		    strerror(errno));
		goto out;
	}
	if (sync_dir(blocks_dir) == -1 ||
	    unlink_some(chainstate_dir, "data.mdb", err, errlen) == -1 ||
	    unlink_some(chainstate_dir, "lock.mdb", err, errlen) == -1 ||
	    sync_dir(chainstate_dir) == -1 ||
	    move_files(blocks_dir, rdir, err, errlen) == -1)
		goto check;
	if (sync_dir(rdir) == -1 || sync_dir(blocks_dir) == -1)
		goto check;
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    fsync(fd) == -1) {
		if (fd != -1)
			close(fd);
		goto check;
	}
	close(fd);
	if (sync_dir(rdir) == -1)
		goto check;
	*active = 1;
	rc = 0;
	goto out;
check:
	if (err[0] == '\0')
		snprintf(err, errlen, "cannot start the reindex in %s: %s",
		    rdir, strerror(errno));
out:
	free(mark);
	free(rdir);
	return rc;
}

struct named {
	unsigned long num;
	char *path;
};

static int
by_number(const void *a, const void *b)
{
	const struct named *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

char **
reindex_files(const char *blocks_dir, size_t *n)
{
	char *rdir = xasprintf("%s/" REINDEX_SUBDIR, blocks_dir);
	char *mark = xasprintf("%s/" REINDEX_MARK, rdir);
	struct named *v = NULL;
	struct dirent *d;
	char **out = NULL;
	unsigned long num;
	size_t i, cap = 0;
	DIR *dp;

	*n = 0;
	if (!exists(mark) || (dp = opendir(rdir)) == NULL)
		goto out;
	while ((d = readdir(dp)) != NULL) {
		if (!file_number(d->d_name, "blk", &num))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[*n].num = num;
		v[(*n)++].path = xasprintf("%s/%s", rdir, d->d_name);
	}
	closedir(dp);
	if (*n == 0)
		goto out;
	qsort(v, *n, sizeof(*v), by_number);
	out = xreallocarray(NULL, *n, sizeof(*out));
	for (i = 0; i < *n; i++)
		out[i] = v[i].path;
out:
	free(v);
	free(mark);
	free(rdir);
	return out;
}

int
reindex_under_way(const char *blocks_dir)
{
	char *mark = xasprintf("%s/" REINDEX_SUBDIR "/" REINDEX_MARK,
	    blocks_dir);
	int rc = exists(mark);

	free(mark);
	return rc;
}

void
reindex_files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

int
reindex_finish(const char *blocks_dir)
{
	char *rdir = xasprintf("%s/" REINDEX_SUBDIR, blocks_dir);
	char err[256] = "";
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(rdir)) == NULL) {
		free(rdir);
		return errno == ENOENT ? 0 : -1;
	}
	/* The files first, the mark last: a crash leaves a reindex to finish. */
	while (rc == 0 && (d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 &&
		    strcmp(d->d_name, "..") != 0 &&
		    strcmp(d->d_name, REINDEX_MARK) != 0)
			rc = unlink_some(rdir, d->d_name, err, sizeof(err));
	closedir(dp);
	if (rc == 0)
		rc = unlink_some(rdir, REINDEX_MARK, err, sizeof(err));
	if (rc == 0 && rmdir(rdir) == -1) {
		snprintf(err, sizeof(err), "cannot remove %s: %s", rdir,
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		(void)sync_dir(blocks_dir);
	else
		log_warnx("reindex: %s", err);
	free(rdir);
	return rc;
}
