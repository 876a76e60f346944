/*
 * Process housekeeping for bitrootd; see util/daemon.h.
 *
 * Detaching: one fork and setsid, as Core's fork_daemon. The parent stays
 * until the child writes a status byte on a pipe ('1' ready, '0' failed,
 * followed by the reason), so a shell script that starts bitrootd -daemon
 * learns whether it started. With -daemon the child writes '1' at once;
 * with -daemonwait main writes it once node_start() has returned.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/args.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core keeps the last 10 MB of debug.log once it passes 11 MB. */
#define SHRINK_KEEP (10 * 1000 * 1000)
#define SHRINK_OVER (SHRINK_KEEP / 10 * 11)

/* Longest failure reason passed from the child to the parent. */
#define REASON_MAX 1024

int
daemon_lock_dir(const char *dir)
{
	char *path = xasprintf("%s/.lock", dir);
	int fd, saved;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Parent: waits for the child's status and leaves accordingly. */
static _Noreturn void
parent_wait(int fd)
{
	char buf[REASON_MAX + 2];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (len > 0 && buf[0] == '1')
		_exit(0);
	if (len > 1)
		dprintf(STDERR_FILENO, "Error: %s\n", buf + 1);
	else
		dprintf(STDERR_FILENO,
		    "Error during initialization - check "
		    "debug.log for details\n");
	_exit(1);
}

int
daemon_detach(int wait_startup, int *notify)
{
	int p[2], null;
	pid_t pid;

	*notify = -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		parent_wait(p[0]);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	if ((null = open("/dev/null", O_RDWR)) == -1)
		fatal("open /dev/null");
	if (dup2(null, STDIN_FILENO) == -1 ||
	    dup2(null, STDOUT_FILENO) == -1 || dup2(null, STDERR_FILENO) == -1)
		fatal("dup2");
	if (null > STDERR_FILENO)
		close(null);
	*notify = p[1];
	if (!wait_startup)
		daemon_ready(notify, NULL);
	return 0;
}

void
daemon_ready(int *notify, const char *failure)
{
	char buf[REASON_MAX + 1];
	size_t n;

	if (*notify == -1)
		return;
	if (failure == NULL)
		write_all(*notify, "1", 1);
	else {
		n = (size_t)snprintf(buf, sizeof(buf), "0%s", failure);
		write_all(*notify, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	}
	close(*notify);
	*notify = -1;
}

int
daemon_write_pidfile(const char *path)
{
	char buf[32];
	int fd, n, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		saved = errno ? errno : EIO;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	return close(fd);
}

void
daemon_remove_pidfile(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("cannot remove pid file %s", path);
}

int
daemon_raise_nofile(long *before, long *after)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	*before = *after = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 :
							  (long)rl.rlim_cur;
	/* an unlimited hard limit is not a number setrlimit accepts */
	want = rl.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			*after = (long)want;
	}
	return 0;
}

int
daemon_shrink_log(const char *path)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || st.st_size <= SHRINK_OVER) {
		close(fd);
		return 0;
	}
	buf = xmalloc(SHRINK_KEEP);
	n = pread(fd, buf, SHRINK_KEEP, st.st_size - SHRINK_KEEP);
	if (n != SHRINK_KEEP || ftruncate(fd, 0) == -1 ||
	    pwrite(fd, buf, SHRINK_KEEP, 0) != SHRINK_KEEP) {
		saved = errno ? errno : EIO;
		free(buf);
		close(fd);
		errno = saved;
		return -1;
	}
	free(buf);
	return close(fd);
}

static int
parse_level(const char *s, enum log_level *lvl)
{
	if (strcmp(s, "info") == 0)
		*lvl = LOGL_INFO;
	else if (strcmp(s, "debug") == 0)
		*lvl = LOGL_DEBUG;
	else if (strcmp(s, "trace") == 0)
		*lvl = LOGL_TRACE;
	else
		return -1;
	return 0;
}

/*
 * -loglevel: a global level, or category:level. A category held at info
 * writes no debug lines, so it leaves the mask; bitrootd has no separate
 * trace lines, so trace is the same as debug.
 */
static int
apply_loglevels(const struct args *a, struct log_options *opt, char *err,
    size_t errlen)
{
	const char *const *v;
	const char *colon;
	enum log_level lvl;
	uint32_t bits;
	size_t i, n;
	char cat[64];

	n = args_get_all(a, "loglevel", &v);
	for (i = 0; i < n; i++) {
		if ((colon = strchr(v[i], ':')) == NULL) {
			if (parse_level(v[i], &lvl) == -1) {
				snprintf(err, errlen,
				    "Unsupported global "
				    "logging level -loglevel=%s. Valid values: "
				    "info, debug, trace.",
				    v[i]);
				return -1;
			}
			opt->level = lvl;
			continue;
		}
		snprintf(cat, sizeof(cat), "%.*s", (int)(colon - v[i]), v[i]);
		if ((size_t)(colon - v[i]) >= sizeof(cat) ||
		    log_category_parse(cat, &bits) == -1 || bits == LOG_ALL ||
		    parse_level(colon + 1, &lvl) == -1) {
			snprintf(err, errlen,
			    "Unsupported category-specific "
			    "logging level -loglevel=%s. Expected "
			    "-loglevel=<category>:<loglevel>.",
			    v[i]);
			return -1;
		}
		if (lvl == LOGL_INFO)
			opt->categories &= ~bits;
	}
	return 0;
}

int
daemon_log_options(const struct args *a, struct log_options *opt, char **path,
    char *err, size_t errlen)
{
	const char *const *v;
	const char *file;
	uint32_t bits;
	size_t i, n, start = 0;
	int detach;

	memset(opt, 0, sizeof(*opt));
	*path = NULL;
	if (!args_is_negated(a, "debuglogfile")) {
		file = args_get(a, "debuglogfile");
		if (file == NULL || *file == '\0')
			file = "debug.log";
		*path = file[0] == '/' ?
		    xstrdup(file) :
		    xasprintf("%s/%s", args_chaindir(a), file);
	}
	opt->path = *path;
	detach = args_get_bool(a, "daemon", 0) ||
	    args_get_bool(a, "daemonwait", 0);
	opt->to_console = args_get_bool(a, "printtoconsole", !detach);
	opt->timestamps = args_get_bool(a, "logtimestamps", 1);
	opt->time_micros = args_get_bool(a, "logtimemicros", 0);
	opt->thread_names = args_get_bool(a, "logthreadnames", 0);
	opt->source_locations = args_get_bool(a, "logsourcelocations", 0);
	opt->level_always = args_get_bool(a, "loglevelalways", 0);
	opt->level = LOGL_DEBUG;

	/* -debug=0 or none drops the categories before it */
	n = args_get_all(a, "debug", &v);
	for (i = 0; i < n; i++)
		if (strcmp(v[i], "0") == 0 || strcmp(v[i], "none") == 0)
			start = i + 1;
	for (i = start; i < n; i++) {
		if (log_category_parse(v[i], &bits) == -1) {
			snprintf(err, errlen,
			    "Unsupported logging category "
			    "-debug=%s.",
			    v[i]);
			goto fail;
		}
		opt->categories |= bits;
	}
	n = args_get_all(a, "debugexclude", &v);
	for (i = 0; i < n; i++) {
		if (log_category_parse(v[i], &bits) == -1) {
			snprintf(err, errlen,
			    "Unsupported logging category "
			    "-debugexclude=%s.",
			    v[i]);
			goto fail;
		}
		opt->categories &= ~bits;
	}
	if (apply_loglevels(a, opt, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	free(*path);
	*path = NULL;
	opt->path = NULL;
	return -1;
}

int
daemon_run_command(const char *cmd)
{
	char *const argv[] = { "sh", "-c", (char *)(uintptr_t)cmd, NULL };
	struct sigaction sa;
	sigset_t none;
	pid_t pid, pid2;
	int st;

	/* set up before fork: only async-signal-safe calls in the children */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&none);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((pid2 = fork()) != 0)
			_exit(pid2 == -1 ? 1 : 0);
		setsid();
		sigaction(SIGPIPE, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (close_range(3, ~0U, 0) == -1) {
			for (st = 3; st < 1024; st++)
				close(st);
		}
		execv("/bin/sh", argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return 0;
}
