/*
 * Process housekeeping: shutdown requests, the datadir lock, the pid file,
 * log shrinking, the open-file limit, detaching and notify commands.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testenv.h"
#include "unit.h"
#include "util/daemon.h"
#include "util/shutdown.h"
#include "util/subprocess.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/test_daemon.XXXXXX";

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static void *
requester(void *arg)
{
	usleep(10000);
	shutdown_request();
	return NULL;
}

static void
test_shutdown(void)
{
	pthread_t t;

	CHECK(!shutdown_requested());
	CHECK_EQ_INT(shutdown_init(), 0);
	CHECK(shutdown_fd() >= 0);
	CHECK(!readable(shutdown_fd(), 0));
	pthread_create(&t, NULL, requester, NULL);
	CHECK(readable(shutdown_fd(), 5000));
	pthread_join(t, NULL);
	CHECK(shutdown_requested());
	/* idempotent */
	shutdown_request();
	CHECK(shutdown_requested());
	CHECK_EQ_INT(shutdown_init(), 0);
}

static void
on_usr1(int sig)
{
	shutdown_request();
}

/* shutdown_request from a signal handler, before shutdown_init */
static void
child_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	if (!shutdown_requested())
		_exit(3);
	if (shutdown_init() == -1 || !readable(shutdown_fd(), 1000))
		_exit(4);
	_exit(0);
}

static void
test_shutdown_from_signal(void)
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0)
		child_signal();
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
test_lock(void)
{
	char *p = tmp("lockdir");
	pid_t pid;
	int fd, st;

	CHECK(mkdir(p, 0700) == 0);
	fd = daemon_lock_dir(p);
	CHECK(fd >= 0);
	/* another process (flock is per open file, so fork and reopen) */
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int fd2 = daemon_lock_dir(p);

		_exit(fd2 == -1 && errno == EWOULDBLOCK ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* released with the descriptor */
	close(fd);
	fd = daemon_lock_dir(p);
	CHECK(fd >= 0);
	close(fd);
	/* a directory that does not exist */
	free(p);
	p = tmp("nodir");
	CHECK_EQ_INT(daemon_lock_dir(p), -1);
	CHECK_EQ_INT(errno, ENOENT);
	free(p);
}

static void
test_pidfile(void)
{
	char *p = tmp("x.pid"), buf[64];
	FILE *f;

	CHECK_EQ_INT(daemon_write_pidfile(p), 0);
	f = fopen(p, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		CHECK_EQ_INT(atol(buf), getpid());
		fclose(f);
	}
	daemon_remove_pidfile(p);
	CHECK(access(p, F_OK) == -1);
	free(p);
	p = tmp("nodir/x.pid");
	CHECK_EQ_INT(daemon_write_pidfile(p), -1);
	free(p);
}

static void
test_shrink(void)
{
	char *p = tmp("big.log"), *buf;
	struct stat st;
	size_t i, n = 12 * 1000 * 1000;
	int fd;

	buf = xmalloc(n);
	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + i % 26);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, buf, n) == (ssize_t)n);
	close(fd);
	CHECK_EQ_INT(daemon_shrink_log(p), 0);
	CHECK(stat(p, &st) == 0);
	CHECK_EQ_INT(st.st_size, 10 * 1000 * 1000);
	/* the tail is kept */
	fd = open(p, O_RDONLY);
	CHECK(read(fd, buf, 26) == 26);
	close(fd);
	CHECK(buf[0] == (char)('a' + (n - 10 * 1000 * 1000) % 26));
	/* small or missing files are left alone */
	CHECK_EQ_INT(daemon_shrink_log(p), 0);
	CHECK(stat(p, &st) == 0 && st.st_size == 10 * 1000 * 1000);
	free(p);
	p = tmp("missing.log");
	CHECK_EQ_INT(daemon_shrink_log(p), 0);
	free(p);
	free(buf);
}

static void
test_nofile(void)
{
	struct rlimit rl;
	long before, after;

	CHECK_EQ_INT(daemon_raise_nofile(&before, &after), 0);
	CHECK(after >= before);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK_EQ_INT((long)rl.rlim_cur, after);
}

static void
test_run_command(void)
{
	char *out = tmp("cmd.out"), *cmd;
	char buf[64] = "";
	FILE *f;
	int i;

	cmd = xasprintf("echo notified > '%s'", out);
	CHECK_EQ_INT(daemon_run_command(cmd), 0);
	for (i = 0; i < 500 && access(out, F_OK) == -1; i++)
		usleep(10000);
	usleep(20000);
	f = fopen(out, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		fclose(f);
	}
	CHECK_EQ_STR(buf, "notified\n");
	free(cmd);
	free(out);
}

/* -daemon: the parent exits 0 at once; -daemonwait: with the result. */
static void
detach_child(int wait_startup, const char *failure, const char *pidout)
{
	int notify;
	FILE *f;

	if (daemon_detach(wait_startup, &notify) == -1)
		_exit(5);
	if ((f = fopen(pidout, "w")) != NULL) {
		fprintf(f, "%d\n", getsid(0) == getpid());
		fclose(f);
	}
	usleep(50000);
	daemon_ready(&notify, failure);
	_exit(0);
}

static int
run_detach(int wait_startup, const char *failure, const char *errpath,
    const char *pidout)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		detach_child(wait_startup, failure, pidout);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_detach(void)
{
	char *err = tmp("detach.err"), *sid = tmp("sid"), buf[256];
	FILE *f;
	int i;

	CHECK_EQ_INT(run_detach(0, NULL, err, sid), 0);
	CHECK_EQ_INT(run_detach(1, NULL, err, sid), 0);
	CHECK_EQ_INT(run_detach(1, "Unable to bind to 127.0.0.1:1", err, sid),
	    1);
	f = fopen(err, "r");
	buf[0] = '\0';
	if (f) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	CHECK_EQ_STR(buf, "Error: Unable to bind to 127.0.0.1:1\n");
	/* the child leads a new session */
	for (i = 0; i < 100 && access(sid, F_OK) == -1; i++)
		usleep(10000);
	f = fopen(sid, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		CHECK_EQ_STR(buf, "1\n");
		fclose(f);
	}
	/* let the detached children finish before the directory goes */
	usleep(200000);
	free(err);
	free(sid);
}

/*
 * subprocess_run (enumeratesigners' tool runner): the words of the
 * command without a shell, stdout and stderr apart, the exit code, the
 * signal that killed it, the output cap, and a program that is missing.
 */
static void
test_subprocess(void)
{
	struct subprocess_out o;
	char *script = tmp("tool.sh"), *cmd;
	FILE *f;
	int rc;

	CHECK(subprocess_run("/bin/echo  one\ttwo  'three'", 64, &o) == 0);
	CHECK_EQ_STR(o.out, "one two 'three'\n");
	CHECK_EQ_STR(o.err, "");
	CHECK(o.status == 0);
	subprocess_out_free(&o);

	CHECK((f = fopen(script, "w")) != NULL);
	fputs("#!/bin/sh\necho \"out $1\"\necho err1 >&2\necho err2 >&2\n"
	      "[ \"$1\" = kill ] && kill -9 $$\nexit 3\n",
	    f);
	fclose(f);
	CHECK(chmod(script, 0700) == 0);
	cmd = xasprintf("%s arg", script);
	CHECK(subprocess_run(cmd, 64, &o) == 0);
	CHECK_EQ_STR(o.out, "out arg\n");
	CHECK_EQ_STR(o.err, "err1\nerr2\n");
	CHECK(o.status == 3);
	subprocess_out_free(&o);
	free(cmd);
	cmd = xasprintf("%s kill", script);
	CHECK(subprocess_run(cmd, 64, &o) == 0);
	CHECK(o.status == SIGKILL);
	subprocess_out_free(&o);
	free(cmd);
	/* Output past the cap is read and dropped. */
	CHECK(subprocess_run("head -c 100000 /dev/zero", 10, &o) == 0);
	CHECK(o.status == 0);
	subprocess_out_free(&o);
	rc = subprocess_run("/nonexistent/tool enumerate", 64, &o);
	if (rc == 0) /* valgrind's posix_spawn does not report exec errors */
		subprocess_out_free(&o);
	CHECK(rc == ENOENT);
	CHECK(subprocess_run("   ", 64, &o) == ENOENT);
	unlink(script);
	free(script);
}

UNIT_MAIN(UNIT_CASE(test_shutdown_from_signal), UNIT_CASE(test_shutdown),
    UNIT_CASE(test_lock), UNIT_CASE(test_pidfile), UNIT_CASE(test_shrink),
    UNIT_CASE(test_nofile), UNIT_CASE(test_run_command),
    UNIT_CASE(test_detach), UNIT_CASE(test_subprocess))

__attribute__((constructor)) static void
setup(void)
{
	if (testenv_scratch(tmpdir, sizeof(tmpdir), "test_daemon") != 0)
		exit(2);
}
