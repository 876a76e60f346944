/*
 * Block files (blkfiles.h): Core-framed records at places LMDB chose.
 *
 * Writes go through a small cache of descriptors opened read-write, each
 * with a dirty flag; blkfiles_flush fdatasyncs the dirty ones, and a
 * descriptor evicted while dirty is synced first, so a flush never misses
 * a write. Reads open their own descriptor: pread on a descriptor another
 * thread may close would race, and opening a file costs microseconds
 * next to the read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pwritev */
#endif

#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/blkfiles.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Descriptors kept open for writing: the current blk and rev files and a few
 * older rev files (undo of blocks connected late lands in their file's rev). */
#define BLKF_OPEN_MAX 8

struct bf_open {
	int fd; /* -1: free slot */
	int kind;
	uint32_t num;
	int dirty;
	uint64_t used; /* LRU clock */
};

struct blkfiles {
	char *dir;
	uint8_t magic[4];
	uint32_t max_size;
	pthread_mutex_t mu; /* guards what follows */
	struct bf_open open[BLKF_OPEN_MAX];
	uint64_t clock;
	int dir_dirty; /* a file was created since the last flush */
};

static int
mkdir_p(const char *dir)
{
	char *p = xstrdup(dir), *q;
	int rc = 0;

	for (q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			rc = -1;
		*q = '/';
	}
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int
blkfiles_open(const char *dir, const uint8_t magic[4], uint32_t max_size,
    struct blkfiles **out, char *err, size_t errlen)
{
	struct blkfiles *bf;
	struct stat st;
	int i;

	if (mkdir_p(dir) == -1 || stat(dir, &st) == -1 ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
		    "cannot create the blocks directory %s: %s", dir,
		    strerror(errno ? errno : ENOTDIR));
		return -1;
	}
	bf = xcalloc(1, sizeof(*bf));
	bf->dir = xstrdup(dir);
	memcpy(bf->magic, magic, 4);
	bf->max_size = max_size;
	pthread_mutex_init(&bf->mu, NULL);
	for (i = 0; i < BLKF_OPEN_MAX; i++)
		bf->open[i].fd = -1;
	*out = bf;
	return 0;
}

void
blkfiles_close(struct blkfiles *bf)
{
	int i;

	if (bf == NULL)
		return;
	if (blkfiles_flush(bf) != 0)
		log_warnx("store: flushing block files at close failed");
	for (i = 0; i < BLKF_OPEN_MAX; i++)
		if (bf->open[i].fd != -1)
			close(bf->open[i].fd);
	pthread_mutex_destroy(&bf->mu);
	free(bf->dir);
	free(bf);
}

const char *
blkfiles_dir(const struct blkfiles *bf)
{
	return bf->dir;
}

uint32_t
blkfiles_max_size(const struct blkfiles *bf)
{
	return bf->max_size;
}

void
blkfiles_path(const struct blkfiles *bf, int kind, uint32_t num, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s/%s%05u.dat", bf->dir,
	    kind == BLKF_UNDO ? "rev" : "blk", num);
}

/* Syncs and closes slot o (mu held). */
static int
evict(struct blkfiles *bf, struct bf_open *o)
{
	char path[4096];
	int rc = 0;

	if (o->dirty && fdatasync(o->fd) == -1) {
		blkfiles_path(bf, o->kind, o->num, path, sizeof(path));
		log_warn("store: fdatasync %s", path);
		rc = -1;
	}
	close(o->fd);
	o->fd = -1;
	o->dirty = 0;
	return rc;
}

/* The write descriptor of file num (mu held); -1 if it cannot be opened. */
static struct bf_open *
get_open(struct blkfiles *bf, int kind, uint32_t num)
{
	struct bf_open *o, *victim = NULL;
	char path[4096];
	int i, fd;

	for (i = 0; i < BLKF_OPEN_MAX; i++) {
		o = &bf->open[i];
		if (o->fd != -1 && o->kind == kind && o->num == num) {
			o->used = ++bf->clock;
			return o;
		}
		if (victim == NULL || o->fd == -1 ||
		    (victim->fd != -1 && o->used < victim->used))
			victim = o;
	}
	blkfiles_path(bf, kind, num, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd != -1)
			bf->dir_dirty = 1;
	}
	if (fd == -1) {
		log_warn("store: cannot open %s", path);
		return NULL;
	}
	if (victim->fd != -1 && evict(bf, victim) != 0) {
		close(fd);
		return NULL;
	}
	victim->fd = fd;
	victim->kind = kind;
	victim->num = num;
	victim->dirty = 0;
	victim->used = ++bf->clock;
	return victim;
}

int
blkfiles_write(struct blkfiles *bf, int kind, uint32_t num, uint64_t off,
    const uint8_t *data, uint32_t len, const uint8_t *tail, uint32_t tail_len)
{
	struct bf_open *o;
	struct iovec iov[3];
	uint8_t hdr[BLKF_HDR];
	size_t want = BLKF_HDR + (size_t)len + tail_len, done = 0;
	ssize_t n;
	char path[4096];
	int rc = 0, k;

	memcpy(hdr, bf->magic, 4);
	le32_write(hdr + 4, len);
	pthread_mutex_lock(&bf->mu);
	if ((o = get_open(bf, kind, num)) == NULL) {
		pthread_mutex_unlock(&bf->mu);
		return -1;
	}
	while (done < want) {
		/* The three parts, less what a short write already put down. */
		size_t skip = done, cnt = 0;
		const uint8_t *part[3] = { hdr, data, tail };
		size_t plen[3] = { BLKF_HDR, len, tail_len };

		for (k = 0; k < 3; k++) {
			if (skip >= plen[k]) {
				skip -= plen[k];
				continue;
			}
			iov[cnt].iov_base = (void *)(uintptr_t)(part[k] +
			    skip);
			iov[cnt].iov_len = plen[k] - skip;
			skip = 0;
			cnt++;
		}
		n = pwritev(o->fd, iov, (int)cnt, (off_t)(off + done));
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			blkfiles_path(bf, kind, num, path, sizeof(path));
			log_warn(
			    "store: writing %zu bytes at offset %llu of %s",
			    want, (unsigned long long)off, path);
			rc = -1;
			break;
		}
		done += (size_t)n;
	}
	o->dirty = 1;
	pthread_mutex_unlock(&bf->mu);
	return rc;
}

int
blkfiles_flush(struct blkfiles *bf)
{
	char path[4096];
	int i, fd, rc = 0;

	pthread_mutex_lock(&bf->mu);
	for (i = 0; i < BLKF_OPEN_MAX; i++) {
		struct bf_open *o = &bf->open[i];

		if (o->fd == -1 || !o->dirty)
			continue;
		if (fdatasync(o->fd) == -1) {
			blkfiles_path(bf, o->kind, o->num, path, sizeof(path));
			log_warn("store: fdatasync %s", path);
			rc = -1;
		} else
			o->dirty = 0;
	}
	/* A new file's name must reach the disk with its bytes. */
	if (bf->dir_dirty) {
		if ((fd = open(bf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
			-1 ||
		    fsync(fd) == -1) {
			log_warn("store: fsync %s", bf->dir);
			rc = -1;
		} else
			bf->dir_dirty = 0;
		if (fd != -1)
			close(fd);
	}
	pthread_mutex_unlock(&bf->mu);
	return rc;
}

/* pread of exactly n bytes: 0, or -1 (errno, 0 for end of file). */
static int
pread_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
	ssize_t r;

	while (n > 0) {
		r = pread(fd, p, n, (off_t)off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int
blkfiles_read_fd(int fd, const char *name, const uint8_t magic[4],
    uint32_t pos, uint32_t len, uint32_t tail_len, uint8_t **out, char *err,
    size_t errlen)
{
	struct stat st;
	uint8_t hdr[BLKF_HDR], *p;
	uint64_t end = (uint64_t)pos + len + tail_len;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (pos < BLKF_HDR || end > (uint64_t)st.st_size) {
		snprintf(err, errlen,
		    "%s is truncated: the record at offset %u needs %llu bytes, "
		    "the file has %llu",
		    name, pos >= BLKF_HDR ? pos - BLKF_HDR : pos,
		    (unsigned long long)end, (unsigned long long)st.st_size);
		return -1;
	}
	if (pread_full(fd, hdr, sizeof(hdr), pos - BLKF_HDR) == -1) {
		snprintf(err, errlen, "%s: read at offset %u: %s", name,
		    pos - BLKF_HDR, errno ? strerror(errno) : "end of file");
		return -1;
	}
	if (memcmp(hdr, magic, 4) != 0) {
		snprintf(err, errlen,
		    "%s is damaged: no message start at offset %u", name,
		    pos - BLKF_HDR);
		return -1;
	}
	if (le32_read(hdr + 4) != len) {
		snprintf(err, errlen,
		    "%s is damaged: the record at offset %u says %u bytes, the "
		    "index %u",
		    name, pos - BLKF_HDR, le32_read(hdr + 4), len);
		return -1;
	}
	p = xmalloc((size_t)len + tail_len + 1);
	if (pread_full(fd, p, (size_t)len + tail_len, pos) == -1) {
		snprintf(err, errlen, "%s: read at offset %u: %s", name, pos,
		    errno ? strerror(errno) : "end of file");
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int
blkfiles_read(const struct blkfiles *bf, int kind, uint32_t num, uint32_t pos,
    uint32_t len, uint32_t tail_len, uint8_t **out, char *err, size_t errlen)
{
	char path[4096];
	int fd, rc;

	blkfiles_path(bf, kind, num, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s (record at offset %u): %s", path,
		    pos >= BLKF_HDR ? pos - BLKF_HDR : pos,
		    errno == ENOENT ? "the file is missing" : strerror(errno));
		return -1;
	}
	rc = blkfiles_read_fd(fd, path, bf->magic, pos, len, tail_len, out,
	    err, errlen);
	close(fd);
	return rc;
}

int
blkfiles_remove(struct blkfiles *bf, int kind, uint32_t num)
{
	char path[4096];
	int i;

	pthread_mutex_lock(&bf->mu);
	for (i = 0; i < BLKF_OPEN_MAX; i++) {
		struct bf_open *o = &bf->open[i];

		if (o->fd != -1 && o->kind == kind && o->num == num) {
			close(o->fd);
			o->fd = -1;
			o->dirty = 0;
		}
	}
	blkfiles_path(bf, kind, num, path, sizeof(path));
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("store: cannot remove %s", path);
		pthread_mutex_unlock(&bf->mu);
		return -1;
	}
	bf->dir_dirty = 1;
	pthread_mutex_unlock(&bf->mu);
	return 0;
}
