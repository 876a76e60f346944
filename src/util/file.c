#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/file.h"
#include "util/xmalloc.h"

int
file_read_all(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t off = 0, size;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (S_ISDIR(st.st_mode) || (max > 0 && (uint64_t)st.st_size > max)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EFBIG;
		return -1;
	}
	size = (size_t)st.st_size;
	p = xmalloc(size + 1);
	while (off < size) {
		n = read(fd, p + off, size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n == 0 ? EIO : errno;
			free(p);
			close(fd);
			errno = saved;
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	p[off] = '\0';
	*out = p;
	*len = off;
	return 0;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Makes a rename durable: the directory entry is data too. */
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
file_write_atomic(const char *path, const uint8_t *p, size_t len,
    const char **step)
{
	char *tmp = xasprintf("%s.new", path);
	int fd, saved;

	*step = "create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		goto fail;
	*step = "write";
	if (write_all(fd, p, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail_unlink;
	}
	*step = "rename";
	if (close(fd) != 0 || rename(tmp, path) != 0)
		goto fail_unlink;
	sync_dir(path);
	free(tmp);
	return 0;
fail_unlink:
	saved = errno;
	(void)unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	free(tmp);
	errno = saved;
	return -1;
}
