/*
 * The process around the node: detaching for -daemon, the pid file, the
 * data directory lock, the open-file limit, the log options read from the
 * arguments, and notify commands. Main thread only, before other threads
 * start, except daemon_run_command (any thread).
 */
#ifndef BR_DAEMON_H
#define BR_DAEMON_H

#include <stddef.h>

struct args;
struct log_options;

/*
 * Takes an exclusive flock(2) on <dir>/.lock and returns its descriptor
 * (close-on-exec), which the caller keeps open for the life of the
 * process. -1 with errno on failure: EWOULDBLOCK when another process
 * holds the lock. A lock taken before daemon_detach() stays with the
 * child, since flock locks belong to the open file.
 */
int daemon_lock_dir(const char *dir);

/*
 * Forks into the background. The parent never returns: it waits until
 * the child reports through daemon_ready() and exits 0, or prints the
 * child's failure ("Error: ...") on stderr and exits 1, also when the
 * child dies first. The child returns 0 in a new session with stdin,
 * stdout and stderr on /dev/null, and *notify set to the descriptor for
 * daemon_ready(). wait_startup 0 (-daemon): the child reports at once and
 * *notify is -1; 1 (-daemonwait): main reports when start-up is over.
 * -1 with errno when fork fails. Call before any thread exists.
 */
int daemon_detach(int wait_startup, int *notify);
/*
 * Child: tells the waiting parent that start-up finished (failure NULL)
 * or failed with that reason, and closes *notify. No-op when *notify is -1.
 */
void daemon_ready(int *notify, const char *failure);

/* Writes the pid to path (replacing the file). 0, or -1 with errno. */
int daemon_write_pidfile(const char *path);
void daemon_remove_pidfile(const char *path);

/*
 * Raises the soft RLIMIT_NOFILE to the hard limit. *before and *after get
 * the soft limit before and after. 0, or -1 with errno (getrlimit failed;
 * a refused raise is not an error, *after tells).
 */
int daemon_raise_nofile(long *before, long *after);

/*
 * Shrinks the log at path to its last 10 MB when it has grown past 11 MB
 * (-shrinkdebugfile). 0 when done or nothing to do, -1 with errno.
 */
int daemon_shrink_log(const char *path);

/*
 * Fills opt from -debuglogfile (relative to the chain directory; NULL
 * with -nodebuglogfile), -printtoconsole (default: on without -daemon),
 * -logtimestamps, -logtimemicros, -logthreadnames, -logsourcelocations,
 * -debug, -debugexclude and -loglevel. opt->path points into *path, which
 * the caller frees. -1 with a message in err for an unknown category or
 * level.
 */
int daemon_log_options(const struct args *a, struct log_options *opt,
    char **path, char *err, size_t errlen);

/*
 * Runs "/bin/sh -c cmd" detached from the daemon (double fork, so there is
 * no zombie and no wait), with default signal handling and no inherited
 * descriptors beyond 0-2. 0, or -1 with errno when it could not fork.
 */
int daemon_run_command(const char *cmd);

#endif
