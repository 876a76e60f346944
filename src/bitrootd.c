/*
 * bitrootd: start-up, signals and shutdown. This is the main thread's whole
 * job; the node's threads are started and stopped by node_start() and
 * node_stop().
 *
 * Start-up, in order (each failure prints "Error: <reason>" on stderr and
 * exits 1): the command line; -help and -version; the config file; the
 * chain; the data and chain directories (only wallets/ is made here; the
 * store makes blocks/, chainstate/, indexes/); the open-file limit; the
 * lock on <chaindir>/.lock; the log; -daemon; the pid file; signal
 * handlers; node_start(). Then the main thread waits for a shutdown
 * request (SIGTERM, SIGINT, RPC stop) while reopening the log on SIGHUP,
 * and stops the node, removes the pid file and exits 0 with nothing on
 * stderr.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "util/args.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/xmalloc.h"

/* Set by the SIGHUP handler, cleared by the main loop. */
static volatile sig_atomic_t got_sighup;
/* Self-pipe: the SIGHUP handler writes, the main loop wakes. */
static int hup_pipe[2] = { -1, -1 };

static _Noreturn void die(struct args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A start-up error before the log exists: stderr only, exit 1. */
static _Noreturn void
die(struct args *a, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	args_free(a);
	exit(1);
}

static void
on_term(int sig)
{
	shutdown_request();
}

static void
on_hup(int sig)
{
	int saved = errno;

	__atomic_store_n(&got_sighup, 1, __ATOMIC_RELAXED);
	(void)!write(hup_pipe[1], "h", 1);
	errno = saved;
}

static void
install_signals(void)
{
	struct sigaction sa;

	if (pipe2(hup_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_term;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");
	sa.sa_handler = on_hup;
	if (sigaction(SIGHUP, &sa, NULL) == -1)
		fatal("sigaction");
	/* a peer or RPC client that goes away must not kill the daemon */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction");
}

/* Waits for a shutdown request, reopening the log on each SIGHUP. */
static void
wait_for_shutdown(void)
{
	struct pollfd pfd[2];
	char buf[64];

	pfd[0].fd = shutdown_fd();
	pfd[0].events = POLLIN;
	pfd[1].fd = hup_pipe[0];
	pfd[1].events = POLLIN;
	while (!shutdown_requested()) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & POLLIN) {
			while (read(hup_pipe[0], buf, sizeof(buf)) > 0)
				;
		}
		if (__atomic_exchange_n(&got_sighup, 0, __ATOMIC_RELAXED)) {
			if (log_reopen() == -1)
				log_warn("cannot reopen the log");
			else
				log_info("SIGHUP: log file reopened");
		}
	}
}

static void
make_dir(struct args *a, char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "Error: Cannot create directory \"%s\": %s\n",
		    path, strerror(errno));
		free(path);
		args_free(a);
		exit(1);
	}
	free(path);
}

/* The pid file path, or NULL with -nopid. Relative to the chain directory. */
static char *
pidfile_path(const struct args *a)
{
	const char *v;

	if (args_is_negated(a, "pid"))
		return NULL;
	v = args_get(a, "pid");
	if (v == NULL || *v == '\0')
		v = "bitrootd.pid";
	if (v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", args_chaindir(a), v);
}

static void
print_help(int debug)
{
	printf(
	    "bitrootd version v%s\n\n"
	    "Usage:  bitrootd [options]                     Start bitrootd\n\n",
	    PACKAGE_VERSION);
	args_print_help(stdout, debug);
}

/* The reason start-up failed, from the last warning the node logged. */
static void
startup_failure(char *buf, size_t len)
{
	char last[512];
	const char *p = last;

	if (log_last_warning(last, sizeof(last)) == 0) {
		snprintf(buf, len, "Start-up failed; see the log for details");
		return;
	}
	if (strncmp(p, "Error: ", 7) == 0)
		p += 7;
	snprintf(buf, len, "%s", p);
}

/*
 * Start-up failed after the lock and the log were taken: frees the datadir
 * before the waiting parent returns, tells it why (err), exits 1.
 */
static int
startup_exit(const char *err, int lockfd, int *notify, char *pidpath,
    char *logpath, struct args *a)
{
	close(lockfd);
	log_close();
	daemon_ready(notify, err);
	fprintf(stderr, "Error: %s\n", err);
	free(pidpath);
	free(logpath);
	args_free(a);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct args *a;
	struct log_options lopt;
	struct node *node = NULL;
	const char *v;
	char err[4096], *logpath, *pidpath;
	long fd_before, fd_after;
	int lockfd, notify = -1, detach, h, rc;

	a = args_new();
	if ((rc = args_parse_argv(a, argc, argv, err, sizeof(err))) == -2)
		die(a, "%s", err);
	else if (rc == -1)
		die(a, "Error parsing command line arguments: %s", err);
	if ((h = args_help_requested(a)) != 0) {
		print_help(h == 2);
		args_free(a);
		return 0;
	}
	if (args_get_bool(a, "version", 0)) {
		printf("bitrootd version v%s\n", PACKAGE_VERSION);
		args_free(a);
		return 0;
	}
	if (args_read_config(a, err, sizeof(err)) == -1 ||
	    args_select_chain(a, err, sizeof(err)) == -1)
		die(a, "%s", err);

	/* files we create are the user's alone, as Core does */
	umask(077);
	/* the default datadir is created; a given one exists (checked) */
	if ((v = args_get(a, "datadir")) == NULL || *v == '\0')
		make_dir(a, xstrdup(args_datadir(a)));
	make_dir(a, xstrdup(args_chaindir(a)));
	make_dir(a, xasprintf("%s/wallets", args_chaindir(a)));

	if (daemon_raise_nofile(&fd_before, &fd_after) == -1)
		die(a, "getrlimit: %s", strerror(errno));
	if ((lockfd = daemon_lock_dir(args_chaindir(a))) == -1) {
		if (errno == EWOULDBLOCK)
			die(a,
			    "Cannot obtain a lock on data directory %s. "
			    "bitrootd is probably already running.",
			    args_chaindir(a));
		die(a, "Cannot obtain a lock on data directory %s: %s",
		    args_chaindir(a), strerror(errno));
	}

	if (daemon_log_options(a, &lopt, &logpath, err, sizeof(err)) == -1)
		die(a, "%s", err);
	if (lopt.path &&
	    args_get_bool(a, "shrinkdebugfile", lopt.categories == 0) &&
	    daemon_shrink_log(lopt.path) == -1)
		die(a, "Could not shrink debug log file %s: %s", lopt.path,
		    strerror(errno));
	if (log_init(&lopt) == -1)
		die(a, "Could not open debug log file %s: %s", lopt.path,
		    strerror(errno));
	log_thread_name("main");
	log_info("bitrootd version v%s", PACKAGE_VERSION);
	args_log(a);
	log_info("Using at most %ld file descriptors (soft limit was %ld)",
	    fd_after, fd_before);

	detach = args_get_bool(a, "daemon", 0) ||
	    args_get_bool(a, "daemonwait", 0);
	if (detach &&
	    daemon_detach(args_get_bool(a, "daemonwait", 0), &notify) == -1)
		die(a, "fork: %s", strerror(errno));

	if (shutdown_init() == -1)
		fatal("shutdown_init");
	install_signals();
	if ((pidpath = pidfile_path(a)) != NULL &&
	    daemon_write_pidfile(pidpath) == -1) {
		snprintf(err, sizeof(err),
		    "Unable to create the PID file "
		    "\"%s\": %s",
		    pidpath, strerror(errno));
		log_warnx("%s", err);
		return startup_exit(err, lockfd, &notify, pidpath, logpath, a);
	}

	if (node_start(a, &node) == -1) {
		startup_failure(err, sizeof(err));
		log_warnx("Start-up failed: %s", err);
		if (pidpath)
			daemon_remove_pidfile(pidpath);
		return startup_exit(err, lockfd, &notify, pidpath, logpath, a);
	}
	daemon_ready(&notify, NULL);
	if ((v = args_get(a, "startupnotify")) != NULL && *v != '\0' &&
	    !args_is_negated(a, "startupnotify") &&
	    daemon_run_command(v) == -1)
		log_warn("startupnotify");

	wait_for_shutdown();

	log_info("Shutdown: in progress...");
	{
		const char *const *cmds;
		size_t i, n = args_get_all(a, "shutdownnotify", &cmds);

		for (i = 0; i < n; i++)
			if (*cmds[i] != '\0' && daemon_run_command(cmds[i]))
				log_warn("shutdownnotify");
	}
	node_stop(node);
	if (pidpath) {
		daemon_remove_pidfile(pidpath);
		free(pidpath);
	}
	log_info("Shutdown: done");
	log_close();
	close(lockfd);
	free(logpath);
	args_free(a);
	if (shutdown_fatal_message() != NULL) {
		fprintf(stderr, "Error: %s\n", shutdown_fatal_message());
		return 1;
	}
	return 0;
}
