#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
