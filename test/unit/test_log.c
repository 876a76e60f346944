/*
 * Logging: category names, line format, one line per write under
 * concurrency, rotation with log_reopen while threads write, debug lines
 * that cost nothing when off, fatal, and the log options read from the
 * arguments.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testenv.h"
#include "unit.h"
#include "util/args.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/test_log.XXXXXX";

static const char *
tmp(const char *name)
{
	static char buf[4][256];
	static int i;
	char *p = buf[i++ & 3];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return xstrdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
open_log(const char *path, int stamps, int micros, int threads, int sources,
    uint32_t cats, enum log_level lvl)
{
	struct log_options o;

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.timestamps = stamps;
	o.time_micros = micros;
	o.thread_names = threads;
	o.source_locations = sources;
	o.categories = cats;
	o.level = lvl;
	unlink(path);
	if (log_init(&o) == -1) {
		perror(path);
		exit(2);
	}
}

static void
test_categories(void)
{
	static const char *const core[] = {
		"net",
		"tor",
		"mempool",
		"http",
		"bench",
		"zmq",
		"walletdb",
		"rpc",
		"estimatefee",
		"addrman",
		"selectcoins",
		"reindex",
		"cmpctblock",
		"rand",
		"prune",
		"proxy",
		"mempoolrej",
		"libevent",
		"coindb",
		"qt",
		"leveldb",
		"validation",
		"i2p",
		"ipc",
		"lock",
		"blockstorage",
		"txreconciliation",
		"scan",
		"txpackages",
		"kernel",
	};
	uint32_t m;
	size_t i;

	for (i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		CHECK_EQ_INT(log_category_parse(core[i], &m), 0);
	CHECK_EQ_INT(log_category_parse("net", &m), 0);
	CHECK_EQ_INT(m, LOG_NET);
	CHECK_EQ_INT(log_category_parse("store", &m), 0);
	CHECK_EQ_INT(m, LOG_STORE);
	CHECK_EQ_INT(log_category_parse("coindb", &m), 0);
	CHECK_EQ_INT(m, LOG_STORE);
	/* -debug=mempoolrej shows the "was not accepted" lines, as Core. */
	CHECK_EQ_INT(log_category_parse("mempoolrej", &m), 0);
	CHECK_EQ_INT(m, LOG_MEMPOOL);
	/* Core's categories without code here keep a state of their own. */
	CHECK_EQ_INT(log_category_parse("leveldb", &m), 0);
	CHECK(m != 0 &&
	    (m &
		(LOG_NET | LOG_MEMPOOL | LOG_RPC | LOG_HTTP | LOG_VALIDATION |
		    LOG_STORE | LOG_ADDRMAN | LOG_BENCH | LOG_SCRIPT |
		    LOG_REINDEX | LOG_CMPCTBLOCK | LOG_LOCK | LOG_CONFIG |
		    LOG_ZMQ)) == 0);
	CHECK_EQ_INT(log_category_parse("kernel", &m), 0);
	CHECK_EQ_INT(m, 0);
	CHECK_EQ_INT(log_category_parse("all", &m), 0);
	CHECK_EQ_INT(m, LOG_ALL);
	CHECK_EQ_INT(log_category_parse("1", &m), 0);
	CHECK_EQ_INT(m, LOG_ALL);
	CHECK_EQ_INT(log_category_parse("", &m), 0);
	CHECK_EQ_INT(m, LOG_ALL);
	CHECK_EQ_INT(log_category_parse("bogus", &m), -1);
	CHECK_EQ_INT(log_category_parse("none", &m), -1);
	CHECK_EQ_INT(log_category_parse("NET", &m), -1);
	CHECK_EQ_STR(log_category_name(LOG_NET), "net");
	CHECK_EQ_STR(log_category_name(LOG_VALIDATION), "validation");
	CHECK_EQ_STR(log_category_name(LOG_CONFIG), "config");
	CHECK_EQ_STR(log_category_name(LOG_ALL), "all");
}

static int evaluated;

static int
side_effect(void)
{
	return ++evaluated;
}

static void
test_format(void)
{
	char *s, *line;
	int e;

	open_log(tmp("fmt.log"), 1, 0, 1, 1, LOG_NET, LOGL_DEBUG);
	log_thread_name("tester");
	log_info("hello %d", 42);
	log_info("trailing newline\n");
	log_info("two\nlines\tand\x1b[31mcolour");
	errno = ENOENT;
	log_warn("open %s", "x");
	CHECK_EQ_INT(errno, ENOENT);
	log_warnx("plain warning");
	log_debug(LOG_NET, "net line %d", side_effect());
	log_debug(LOG_RPC, "rpc line %d", side_effect());
	log_close();
	/* after close nothing is written anywhere */
	log_info("dropped");
	/* the disabled category's arguments were never evaluated */
	CHECK_EQ_INT(evaluated, 1);

	s = slurp(tmp("fmt.log"));
	CHECK_EQ_INT(count_lines(s), 6);
	line = strtok(s, "\n");
	/* 2024-01-02T03:04:05Z [tester] hello 42 */
	CHECK(line && strlen(line) > 21 && line[4] == '-' && line[10] == 'T' &&
	    line[19] == 'Z' && line[20] == ' ');
	CHECK(line && strcmp(line + 21, "[tester] hello 42") == 0);
	line = strtok(NULL, "\n");
	CHECK(line && strcmp(line + 21, "[tester] trailing newline") == 0);
	line = strtok(NULL, "\n");
	CHECK(line &&
	    strcmp(line + 21, "[tester] two\\x0alines and\\x1b[31mcolour") ==
		0);
	line = strtok(NULL, "\n");
	e = line &&
	    strcmp(line + 21,
		"[tester] [warning] open x: No such "
		"file or directory") == 0;
	CHECK(e);
	line = strtok(NULL, "\n");
	CHECK(line &&
	    strcmp(line + 21, "[tester] [warning] plain warning") == 0);
	line = strtok(NULL, "\n");
	CHECK(line && strstr(line, "[tester] [") != NULL &&
	    strstr(line, "test_log.c:") != NULL &&
	    strstr(line, "] [net] net line 1") != NULL);
	free(s);
	s = xmalloc(64);
	CHECK(log_last_warning(s, 64) > 0);
	CHECK_EQ_STR(s, "plain warning");
	free(s);
}

static void
test_timestamps(void)
{
	char *s;

	open_log(tmp("ts.log"), 1, 1, 0, 0, 0, LOGL_DEBUG);
	log_info("micro");
	node_set_mocktime(1700000000);
	log_info("mocked");
	node_set_mocktime(0);
	log_close();
	s = slurp(tmp("ts.log"));
	/* 2024-01-02T03:04:05.123456Z micro */
	CHECK(strlen(s) > 28 && s[19] == '.' && s[26] == 'Z' &&
	    strncmp(s + 27, " micro\n", 7) == 0);
	CHECK(
	    strstr(s, "Z (mocktime: 2023-11-14T22:13:20Z) mocked\n") != NULL);
	free(s);

	open_log(tmp("nots.log"), 0, 0, 0, 0, 0, LOGL_DEBUG);
	log_info("bare");
	log_close();
	s = slurp(tmp("nots.log"));
	CHECK_EQ_STR(s, "bare\n");
	free(s);
}

static void
test_levels(void)
{
	char *s;

	/* -loglevel=info: debug lines off, categories remembered */
	open_log(tmp("lvl.log"), 0, 0, 0, 0, LOG_NET | LOG_RPC, LOGL_INFO);
	CHECK_EQ_INT(log_get_categories(), LOG_NET | LOG_RPC);
	log_debug(LOG_NET, "hidden");
	log_info("shown");
	log_close();
	open_log(tmp("lvl2.log"), 0, 0, 0, 0, 0, LOGL_TRACE);
	log_debug(LOG_NET, "off");
	log_set_categories(LOG_NET);
	log_debug(LOG_NET, "on");
	log_debug_at(LOG_RPC, "x.c", 1, "direct call, category off");
	log_close();
	s = slurp(tmp("lvl.log"));
	CHECK_EQ_STR(s, "shown\n");
	free(s);
	s = slurp(tmp("lvl2.log"));
	CHECK_EQ_STR(s, "[net] on\n");
	free(s);
}

static void
test_long_line(void)
{
	char *big = xmalloc(20000), *s;

	memset(big, 'a', 19999);
	big[19999] = '\0';
	open_log(tmp("long.log"), 0, 0, 0, 0, 0, LOGL_DEBUG);
	log_info("%s", big);
	log_info("after");
	log_close();
	s = slurp(tmp("long.log"));
	CHECK_EQ_INT(count_lines(s), 2);
	CHECK(strstr(s, "aaa...\nafter\n") != NULL);
	free(s);
	free(big);
}

#define NTHREADS 8
#define NLINES 3000

static void *
writer(void *arg)
{
	char name[16];
	int id = (int)(intptr_t)arg, i;

	snprintf(name, sizeof(name), "w%d", id);
	log_thread_name(name);
	for (i = 0; i < NLINES; i++)
		log_info("thread %d line %d %s", id, i,
		    "padding-padding-padding-padding-padding-padding-padding");
	return NULL;
}

/* Checks that every line is whole; returns the number of lines. */
static size_t
check_lines(const char *path, int *bad)
{
	char *s = slurp(path), *line, *save;
	size_t n = 0;
	int id, i, k;
	char name[16];

	for (line = strtok_r(s, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (sscanf(line, "[%15[^]]] thread %d line %d padding%n", name,
			&id, &i, &k) != 3 ||
		    strcmp(line + k,
			"-padding-padding-padding-padding-padding-padding") !=
			0)
			(*bad)++;
	}
	free(s);
	return n;
}

static void
test_concurrent_lines(void)
{
	pthread_t t[NTHREADS];
	int i, bad = 0;

	open_log(tmp("mt.log"), 0, 0, 1, 0, 0, LOGL_DEBUG);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	log_close();
	CHECK_EQ_INT(check_lines(tmp("mt.log"), &bad), NTHREADS * NLINES);
	CHECK_EQ_INT(bad, 0);
}

/* Rotation while threads write: every line lands whole in some file. */
static void
test_reopen(void)
{
	pthread_t t[NTHREADS];
	char *s;
	int i, bad = 0, rotations = 0;
	size_t total = 0;
	char name[32];

	log_thread_name("main");
	open_log(tmp("rot.log"), 0, 0, 1, 0, 0, LOGL_DEBUG);
	log_info("before");
	CHECK(rename(tmp("rot.log"), tmp("rot.0")) == 0);
	CHECK_EQ_INT(log_reopen(), 0);
	log_info("after");
	s = slurp(tmp("rot.0"));
	CHECK_EQ_STR(s, "[main] before\n");
	free(s);
	s = slurp(tmp("rot.log"));
	CHECK_EQ_STR(s, "[main] after\n");
	free(s);
	unlink(tmp("rot.0"));
	unlink(tmp("rot.log"));
	CHECK_EQ_INT(log_reopen(), 0);

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
	for (i = 1; i <= 20; i++) {
		usleep(2000);
		snprintf(name, sizeof(name), "rot.%d", i);
		if (rename(tmp("rot.log"), tmp(name)) == 0) {
			CHECK_EQ_INT(log_reopen(), 0);
			rotations++;
		}
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	log_close();
	for (i = 1; i <= 20; i++) {
		snprintf(name, sizeof(name), "rot.%d", i);
		total += check_lines(tmp(name), &bad);
	}
	total += check_lines(tmp("rot.log"), &bad);
	CHECK(rotations > 0);
	CHECK_EQ_INT(total, NTHREADS * NLINES);
	CHECK_EQ_INT(bad, 0);
}

/* Runs f in a child with stderr to a file; returns the exit status. */
static int
in_child(void (*f)(void), const char *errpath)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		f();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
do_fatalx(void)
{
	open_log(tmp("fatal.log"), 0, 0, 0, 0, 0, LOGL_DEBUG);
	fatalx("broken invariant %d", 7);
}

static void
do_fatal(void)
{
	errno = EACCES;
	fatal("cannot open %s", "thing");
}

static void
do_before_init(void)
{
	log_info("early line");
}

/* Runs before any case opens the log. */
static void
test_before_init(void)
{
	char *s;

	/* before log_init, lines (fatal ones too) go to stderr */
	CHECK_EQ_INT(in_child(do_before_init, tmp("early.err")), 0);
	s = slurp(tmp("early.err"));
	CHECK(strstr(s, "early line\n") != NULL);
	free(s);
	CHECK_EQ_INT(in_child(do_fatal, tmp("fatal2.err")), 1);
	s = slurp(tmp("fatal2.err"));
	CHECK(strstr(s, "[error] cannot open thing: Permission denied\n") !=
	    NULL);
	free(s);
}

static void
test_fatal(void)
{
	char *s;

	CHECK_EQ_INT(in_child(do_fatalx, tmp("fatal.err")), 1);
	s = slurp(tmp("fatal.log"));
	CHECK_EQ_STR(s, "[error] broken invariant 7\n");
	free(s);
	/* with the log in a file, the reason also reaches stderr */
	s = slurp(tmp("fatal.err"));
	CHECK_EQ_STR(s, "Error: broken invariant 7\n");
	free(s);
}

/* daemon_log_options: the log set-up read from the arguments. */
static int
log_opts(struct log_options *o, char **path, char *err, ...)
{
	char *argv[32];
	int argc = 0, rc;
	va_list ap;
	struct args *a = args_new();
	char darg[300];

	argv[argc++] = "bitrootd";
	snprintf(darg, sizeof(darg), "-datadir=%s", tmpdir);
	argv[argc++] = darg;
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	rc = args_parse_argv(a, argc, argv, err, 256);
	if (rc == 0)
		rc = args_select_chain(a, err, 256);
	if (rc == 0)
		rc = daemon_log_options(a, o, path, err, 256);
	args_free(a);
	return rc;
}

static void
test_log_options(void)
{
	struct log_options o;
	char err[256], *path;
	char want[300];

	CHECK_EQ_INT(log_opts(&o, &path, err, "-regtest", NULL), 0);
	snprintf(want, sizeof(want), "%s/regtest/debug.log", tmpdir);
	CHECK_EQ_STR(o.path, want);
	CHECK_EQ_INT(o.to_console, 1);
	CHECK_EQ_INT(o.timestamps, 1);
	CHECK_EQ_INT(o.time_micros, 0);
	CHECK_EQ_INT(o.categories, 0);
	CHECK_EQ_INT(o.level, LOGL_DEBUG);
	free(path);

	CHECK_EQ_INT(log_opts(&o, &path, err, "-debug=net", "-debug=rpc",
			 "-debugexclude=rpc", "-daemon", "-nologtimestamps",
			 "-logtimemicros", "-logthreadnames",
			 "-logsourcelocations", "-debuglogfile=/var/tmp/x.log",
			 NULL),
	    0);
	CHECK_EQ_INT(o.categories, LOG_NET);
	CHECK_EQ_INT(o.to_console, 0);
	CHECK_EQ_INT(o.timestamps, 0);
	CHECK_EQ_INT(o.time_micros, 1);
	CHECK_EQ_INT(o.thread_names, 1);
	CHECK_EQ_INT(o.source_locations, 1);
	CHECK_EQ_STR(o.path, "/var/tmp/x.log");
	free(path);

	/* the harness: -debug, some exclusions, -loglevel=trace */
	CHECK_EQ_INT(log_opts(&o, &path, err, "-debug",
			 "-debugexclude=libevent", "-debugexclude=leveldb",
			 "-debugexclude=net", "-loglevel=trace", "-daemon",
			 "-printtoconsole", "-nodebuglogfile", NULL),
	    0);
	{
		uint32_t lev, le;

		CHECK_EQ_INT(log_category_parse("leveldb", &lev), 0);
		CHECK_EQ_INT(log_category_parse("libevent", &le), 0);
		CHECK_EQ_INT(o.categories, LOG_ALL & ~LOG_NET & ~lev & ~le);
	}
	CHECK_EQ_INT(o.level, LOGL_TRACE);
	CHECK_EQ_INT(o.to_console, 1);
	CHECK(o.path == NULL);
	free(path);

	/* -debug=none drops what came before it */
	CHECK_EQ_INT(log_opts(&o, &path, err, "-debug=net", "-debug=none",
			 "-debug=rpc", "-loglevel=mempool:info", NULL),
	    0);
	CHECK_EQ_INT(o.categories, LOG_RPC);
	free(path);
	CHECK_EQ_INT(log_opts(&o, &path, err, "-debug=1", "-loglevel=net:info",
			 "-loglevel=info", NULL),
	    0);
	CHECK_EQ_INT(o.categories, LOG_ALL & ~LOG_NET);
	CHECK_EQ_INT(o.level, LOGL_INFO);
	free(path);

	CHECK_EQ_INT(log_opts(&o, &path, err, "-debug=bogus", NULL), -1);
	CHECK_EQ_STR(err, "Unsupported logging category -debug=bogus.");
	CHECK_EQ_INT(log_opts(&o, &path, err, "-debugexclude=x", NULL), -1);
	CHECK_EQ_STR(err, "Unsupported logging category -debugexclude=x.");
	CHECK_EQ_INT(log_opts(&o, &path, err, "-loglevel=loud", NULL), -1);
	CHECK_EQ_STR(err,
	    "Unsupported global logging level -loglevel=loud. "
	    "Valid values: info, debug, trace.");
	CHECK_EQ_INT(log_opts(&o, &path, err, "-loglevel=net:loud", NULL), -1);
	CHECK(strncmp(err,
		  "Unsupported category-specific logging level "
		  "-loglevel=net:loud.",
		  60) == 0);
	CHECK_EQ_INT(log_opts(&o, &path, err, "-loglevel=all:info", NULL), -1);
}

UNIT_MAIN(UNIT_CASE(test_before_init), UNIT_CASE(test_categories),
    UNIT_CASE(test_format), UNIT_CASE(test_timestamps), UNIT_CASE(test_levels),
    UNIT_CASE(test_long_line), UNIT_CASE(test_concurrent_lines),
    UNIT_CASE(test_reopen), UNIT_CASE(test_fatal), UNIT_CASE(test_log_options))

/* The temp directory is made before the cases run, removed at exit. */
__attribute__((constructor)) static void
setup(void)
{
	if (testenv_scratch(tmpdir, sizeof(tmpdir), "test_log") != 0)
		exit(2);
}
