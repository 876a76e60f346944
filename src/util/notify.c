/*
 * The notify thread (see notify.h). Design: one queue of commands
 * (util/queue, QUEUE_REFUSE at NOTIFY_QUEUE_MAX) and one thread that pops a
 * command, forks /bin/sh -c for it and polls the child every
 * NOTIFY_POLL_MS until it exits or the queue is closed. Polling rather
 * than a blocking waitpid lets notify_stop return while a script still
 * runs: the child is then left to init, as Core's detached threads leave
 * theirs. No lock of ours is held while a command runs.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/notify.h"
#include "util/queue.h"
#include "util/xmalloc.h"

#define NOTIFY_POLL_MS 10

struct notify {
	struct queue *q;
	pthread_t thread;
	int dropped; /* atomic: the queue-full warning was given */
};

/* Forks /bin/sh -c cmd; the child's pid, or -1. */
static pid_t
spawn(const char *cmd)
{
	char *const argv[] = { "sh", "-c", (char *)(uintptr_t)cmd, NULL };
	struct sigaction sa;
	sigset_t none;
	pid_t pid;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&none);
	if ((pid = fork()) != 0)
		return pid;
	/* child of a threaded process: async-signal-safe calls only */
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (close_range(3, ~0U, 0) == -1)
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	execv("/bin/sh", argv);
	_exit(127);
}

static void *
notify_main(void *arg)
{
	struct notify *nt = arg;
	struct msg *m;
	pid_t pid, r;
	int st;

	log_thread_name("notify");
	while ((m = queue_pop(nt->q, -1)) != NULL) {
		if (queue_closed(nt->q)) {
			msg_free(m); /* stopping: what waits is dropped */
			continue;
		}
		log_debug(LOG_CONFIG, "notify: running %s", (char *)m->data);
		pid = spawn((const char *)m->data);
		if (pid == -1)
			log_warn("notify: cannot run %s", (char *)m->data);
		msg_free(m);
		if (pid == -1)
			continue;
		for (;;) {
			r = waitpid(pid, &st, WNOHANG);
			if (r == pid || (r == -1 && errno != EINTR))
				break;
			if (queue_closed(nt->q))
				return NULL; /* leave it running */
			usleep(NOTIFY_POLL_MS * 1000);
		}
		if (r == pid && WIFEXITED(st) && WEXITSTATUS(st) != 0)
			log_debug(LOG_CONFIG,
			    "notify: command exited with "
			    "status %d",
			    WEXITSTATUS(st));
	}
	return NULL;
}

struct notify *
notify_start(void)
{
	struct notify *nt = xcalloc(1, sizeof(*nt));

	nt->q = queue_new("notify", NOTIFY_QUEUE_MAX, QUEUE_REFUSE);
	if (pthread_create(&nt->thread, NULL, notify_main, nt) != 0)
		fatal("notify_start: pthread_create");
	return nt;
}

void
notify_stop(struct notify *nt)
{
	struct msg *m, *next;

	if (nt == NULL)
		return;
	queue_close(nt->q);
	pthread_join(nt->thread, NULL);
	for (m = queue_drain(nt->q); m; m = next) {
		next = m->next;
		msg_free(m);
	}
	queue_free(nt->q);
	free(nt);
}

void
notify_push(struct notify *nt, const char *tmpl, const char *arg)
{
	size_t alen = strlen(arg), n = 0;
	const char *p;
	char *cmd, *o;
	struct msg *m;

	for (p = tmpl; (p = strstr(p, "%s")) != NULL; p += 2)
		n++;
	cmd = o = xmalloc(strlen(tmpl) + n * alen + 1);
	for (p = tmpl; *p != '\0';) {
		if (p[0] == '%' && p[1] == 's') {
			memcpy(o, arg, alen);
			o += alen;
			p += 2;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	m = msg_new(0, 0, cmd, strlen(cmd) + 1);
	free(cmd);
	if (queue_push(nt->q, m) != 0) {
		msg_free(m);
		if (!__atomic_exchange_n(&nt->dropped, 1, __ATOMIC_RELAXED))
			log_warnx("notify: %d commands already wait; dropping "
				  "new ones until the queue drains",
			    NOTIFY_QUEUE_MAX);
		return;
	}
	__atomic_store_n(&nt->dropped, 0, __ATOMIC_RELAXED);
}
