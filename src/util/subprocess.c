/* See subprocess.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/subprocess.h"
#include "util/xmalloc.h"

extern char **environ;

struct sink {
	char *buf;
	size_t len, cap;
	int fd;
};

/* The command's words; *argv and the copy they point into are malloc'd. */
static char **
split_words(const char *cmd, char **copy)
{
	char **argv, *save = NULL, *w;
	size_t n = 0;

	*copy = xstrdup(cmd);
	argv = xcalloc(strlen(cmd) / 2 + 2, sizeof(*argv));
	for (w = strtok_r(*copy, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return argv;
}

/* One read into s (dropping what passes its cap); 0 at end of file. */
static int
drain(struct sink *s)
{
	char tmp[4096];
	ssize_t r;
	size_t take;

	do
		r = read(s->fd, tmp, sizeof(tmp));
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return 0;
	take = (size_t)r;
	if (take > s->cap - s->len)
		take = s->cap - s->len;
	memcpy(s->buf + s->len, tmp, take);
	s->len += take;
	return 1;
}

static void
collect(struct sink *out, struct sink *err)
{
	struct pollfd p[2];
	int open_out = 1, open_err = 1;

	while (open_out || open_err) {
		p[0].fd = open_out ? out->fd : -1;
		p[0].events = POLLIN;
		p[1].fd = open_err ? err->fd : -1;
		p[1].events = POLLIN;
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (open_out && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			open_out = drain(out);
		if (open_err && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			open_err = drain(err);
	}
}

int
subprocess_run(const char *cmd, size_t cap, struct subprocess_out *o)
{
	posix_spawn_file_actions_t fa;
	struct sink out = { NULL, 0, cap, -1 }, err = { NULL, 0, cap, -1 };
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc, st;
	char **argv, *copy;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	argv = split_words(cmd, &copy);
	if (argv[0] == NULL) {
		rc = ENOENT;
		goto done;
	}
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1) {
		rc = errno;
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (rc != 0)
		goto done;
	out.buf = xmalloc(cap + 1);
	err.buf = xmalloc(cap + 1);
	out.fd = po[0];
	err.fd = pe[0];
	collect(&out, &err);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	out.buf[out.len] = '\0';
	err.buf[err.len] = '\0';
	o->out = out.buf;
	o->err = err.buf;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) :
	    WIFSIGNALED(st)	  ? WTERMSIG(st) :
				    -1;
done:
	for (st = 0; st < 2; st++) {
		if (po[st] != -1)
			close(po[st]);
		if (pe[st] != -1)
			close(pe[st]);
	}
	free(argv);
	free(copy);
	return rc;
}

void
subprocess_out_free(struct subprocess_out *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}
