/*
 * Logging; the contract is in util/log.h.
 *
 * The options are set by log_init() before any thread starts and only read
 * afterwards; the category mask is the one thing changed at run time, and
 * it is an atomic word. A line is formatted on the caller's stack and
 * written with one write(2), so lines from different threads never mix.
 *
 * Rotation: the descriptor number stays the same while the log is open.
 * log_reopen() opens the path again and dup3()s the new file over the old
 * number, which the kernel does atomically, so a writer racing a reopen
 * writes to the old file or to the new one, never to a closed or reused
 * descriptor, and writers need no lock.
 *
 * Before log_init() lines go to stderr (errors during start-up); after
 * log_close() they are dropped, so nothing reaches stderr at a clean exit.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/time.h"

#define LOG_MSG_MAX 8192 /* formatted message, unescaped */
#define LOG_LINE_MAX (LOG_MSG_MAX + 512)

enum log_state { LOG_NEW, LOG_OPEN, LOG_CLOSED };

volatile uint32_t log_debug_mask;

/* Set by log_init before threads; read-only afterwards. */
static int log_state = LOG_NEW;
static int log_fd = -1; /* atomic; see rotation above */
static char *log_path;
static int log_console;
static int log_stamps = 1;
static int log_micros;
static int log_threads;
static int log_sources;
static int log_level_always;
static enum log_level log_level = LOGL_DEBUG;
static uint32_t log_categories; /* atomic */

static _Thread_local char thread_name[16];

/* Guards last_warning only; a leaf lock, held for a copy. */
static pthread_mutex_t last_mtx = PTHREAD_MUTEX_INITIALIZER;
static char last_warning[512];

static const struct {
	const char *name;
	uint32_t bit;
} categories[] = {
	{ "net", LOG_NET },
	{ "mempool", LOG_MEMPOOL },
	{ "rpc", LOG_RPC },
	{ "http", LOG_HTTP },
	{ "validation", LOG_VALIDATION },
	{ "store", LOG_STORE },
	{ "addrman", LOG_ADDRMAN },
	{ "bench", LOG_BENCH },
	{ "script", LOG_SCRIPT },
	{ "reindex", LOG_REINDEX },
	{ "cmpctblock", LOG_CMPCTBLOCK },
	{ "lock", LOG_LOCK },
	{ "config", LOG_CONFIG },
	{ "zmq", LOG_ZMQ },
	/* Core's names for what bitrootd calls store */
	{ "coindb", LOG_STORE },
	{ "blockstorage", LOG_STORE },
	/* Core's category for the "was not accepted" lines, which are here. */
	{ "mempoolrej", LOG_MEMPOOL },
	/*
	 * Core 28's other categories: bitrootd has no code behind them, but
	 * -debug=X, -debugexclude=X and the logging RPC take them, and the
	 * RPC reports each one's state, so each has a bit of its own (from
	 * the top, see log.h). Later Core's are only accepted.
	 */
	{ "tor", 1u << 31 },
	{ "walletdb", 1u << 30 },
	{ "estimatefee", LOG_ESTIMATEFEE },
	{ "selectcoins", 1u << 28 },
	{ "rand", 1u << 27 },
	{ "prune", 1u << 26 },
	{ "proxy", 1u << 25 },
	{ "libevent", 1u << 24 },
	{ "qt", 1u << 23 },
	{ "leveldb", 1u << 22 },
	{ "i2p", 1u << 21 },
	{ "ipc", 1u << 20 },
	{ "txreconciliation", 1u << 19 },
	{ "scan", 1u << 18 },
	{ "txpackages", 1u << 17 },
	{ "kernel", 0 },
	{ "privatebroadcast", 0 },
};

#define NCATEGORIES (sizeof(categories) / sizeof(categories[0]))

int
log_category_parse(const char *name, uint32_t *mask)
{
	size_t i;

	if (strcmp(name, "all") == 0 || strcmp(name, "1") == 0 ||
	    name[0] == '\0') {
		*mask = LOG_ALL;
		return 0;
	}
	for (i = 0; i < NCATEGORIES; i++) {
		if (strcmp(name, categories[i].name) == 0) {
			*mask = categories[i].bit;
			return 0;
		}
	}
	return -1;
}

size_t
log_category_count(void)
{
	return NCATEGORIES;
}

const char *
log_category_at(size_t i, uint32_t *bit)
{
	*bit = categories[i].bit;
	return categories[i].name;
}

const char *
log_category_name(uint32_t bit)
{
	size_t i;

	if (bit == LOG_ALL)
		return "all";
	for (i = 0; i < NCATEGORIES; i++)
		if (categories[i].bit == bit)
			return categories[i].name;
	return "unknown";
}

/* The published mask: categories, unless -loglevel=info turned debug off. */
static void
publish_mask(void)
{
	uint32_t m = __atomic_load_n(&log_categories, __ATOMIC_RELAXED);

	__atomic_store_n(&log_debug_mask, log_level >= LOGL_DEBUG ? m : 0,
	    __ATOMIC_RELAXED);
}

void
log_set_categories(uint32_t mask)
{
	__atomic_store_n(&log_categories, mask, __ATOMIC_RELAXED);
	publish_mask();
}

uint32_t
log_get_categories(void)
{
	return __atomic_load_n(&log_categories, __ATOMIC_RELAXED);
}

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

int
log_init(const struct log_options *opt)
{
	int fd = -1, old;

	if (opt->path != NULL && (fd = open_log(opt->path)) == -1)
		return -1;
	old = __atomic_exchange_n(&log_fd, fd, __ATOMIC_ACQ_REL);
	if (old != -1)
		close(old);
	free(log_path);
	log_path = opt->path ? strdup(opt->path) : NULL;
	log_console = opt->to_console;
	log_stamps = opt->timestamps;
	log_micros = opt->time_micros;
	log_threads = opt->thread_names;
	log_sources = opt->source_locations;
	log_level_always = opt->level_always;
	log_level = opt->level;
	__atomic_store_n(&log_categories, opt->categories, __ATOMIC_RELAXED);
	publish_mask();
	__atomic_store_n(&log_state, LOG_OPEN, __ATOMIC_RELEASE);
	return 0;
}

int
log_reopen(void)
{
	int fd, cur, saved;

	if (__atomic_load_n(&log_state, __ATOMIC_ACQUIRE) != LOG_OPEN ||
	    log_path == NULL)
		return 0;
	if ((fd = open_log(log_path)) == -1)
		return -1;
	cur = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	if (cur == -1) {
		__atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
		return 0;
	}
	if (dup3(fd, cur, O_CLOEXEC) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

void
log_close(void)
{
	int fd;

	__atomic_store_n(&log_state, LOG_CLOSED, __ATOMIC_RELEASE);
	fd = __atomic_exchange_n(&log_fd, -1, __ATOMIC_ACQ_REL);
	if (fd != -1)
		close(fd);
}

void
log_thread_name(const char *name)
{
	snprintf(thread_name, sizeof(thread_name), "%s", name);
	pthread_setname_np(pthread_self(), thread_name);
}

const char *
log_get_thread_name(void)
{
	return thread_name[0] ? thread_name : "unknown";
}

size_t
log_last_warning(char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&last_mtx);
	n = strlen(last_warning);
	if (len > 0)
		snprintf(buf, len, "%s", last_warning);
	pthread_mutex_unlock(&last_mtx);
	return n;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* "2024-05-01T12:00:00Z", or with micros "...:00.123456Z". */
static size_t
format_time(char *buf, size_t len, int64_t us, int micros)
{
	struct tm tm;
	time_t t = (time_t)(us / 1000000);
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (micros)
		n += (size_t)snprintf(buf + n, len - n, ".%06ldZ",
		    (long)(us % 1000000));
	else
		n += (size_t)snprintf(buf + n, len - n, "Z");
	return n;
}

/* Appends s with control characters escaped, so one line stays one line. */
static size_t
append_escaped(char *out, size_t n, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f) {
			if (n + 1 > cap)
				goto full;
			out[n++] = (char)c;
		} else if (c == '\t') {
			if (n + 1 > cap)
				goto full;
			out[n++] = ' ';
		} else {
			if (n + 4 > cap)
				goto full;
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	return n;
full:
	/* cap always leaves room for the marker */
	memcpy(out + n, "...", 3);
	return n + 3;
}

static size_t
append_str(char *out, size_t n, size_t cap, const char *s)
{
	size_t l = strlen(s);

	if (l > cap - n)
		l = cap - n;
	memcpy(out + n, s, l);
	return n + l;
}

/* Copies s to dst at offset off, truncating; returns the new length. */
static size_t
copy_str(char *dst, size_t size, size_t off, const char *s)
{
	size_t l = strlen(s);

	if (off >= size)
		return off;
	if (l > size - off - 1)
		l = size - off - 1;
	memcpy(dst + off, s, l);
	dst[off + l] = '\0';
	return off + l;
}

/* snprintf that never moves *n past cap. */
static void appendf(char *out, size_t *n, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
appendf(char *out, size_t *n, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= cap)
		return;
	va_start(ap, fmt);
	r = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n += (size_t)r < cap - *n ? (size_t)r : cap - *n - 1;
}

/* Strips the path up to src/ so a line names src/net/peer.c as net/peer.c. */
static const char *
short_file(const char *file)
{
	const char *p = strstr(file, "src/");

	return p ? p + 4 : file;
}

static void
log_emit(enum log_level lvl, uint32_t cat, const char *file, int line,
    const char *err, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX], out[LOG_LINE_MAX], tmp[128];
	size_t n = 0, cap = sizeof(out) - 4, ml;
	int64_t mock;
	int fd, state, r;

	if ((r = vsnprintf(msg, sizeof(msg), fmt, ap)) < 0)
		snprintf(msg, sizeof(msg), "(bad log format \"%s\")", fmt);
	ml = strlen(msg);
	/* a cut message ends in "..." so the reader knows */
	if (r >= (int)sizeof(msg))
		memcpy(msg + ml - 3, "...", 3);
	while (ml > 0 && msg[ml - 1] == '\n')
		msg[--ml] = '\0';

	if (log_stamps) {
		n = format_time(out, cap, time_wall_micros(), log_micros);
		if ((mock = node_get_mocktime()) > 0) {
			format_time(tmp, sizeof(tmp), mock * 1000000, 0);
			appendf(out, &n, cap, " (mocktime: %s)", tmp);
		}
		appendf(out, &n, cap, " ");
	}
	if (log_threads)
		appendf(out, &n, cap, "[%s] ", log_get_thread_name());
	if (log_sources && file != NULL)
		appendf(out, &n, cap, "[%s:%d] ", short_file(file), line);
	/* Core's -loglevelalways: "all" names lines without a category. */
	if (log_level_always) {
		static const char *const names[] = { "error", "warning",
			"info", "debug", "trace" };

		appendf(out, &n, cap, "[%s:%s] ",
		    cat ? log_category_name(cat & -cat) : "all", names[lvl]);
	} else
		switch (lvl) {
		case LOGL_ERROR: appendf(out, &n, cap, "[error] "); break;
		case LOGL_WARN: appendf(out, &n, cap, "[warning] "); break;
		case LOGL_DEBUG:
		case LOGL_TRACE:
			appendf(out, &n, cap, "[%s] ",
			    log_category_name(cat & -cat));
			break;
		case LOGL_INFO: break;
		}
	n = append_escaped(out, n, cap, msg);
	if (err != NULL && n < cap) {
		n = append_str(out, n, cap, ": ");
		n = append_escaped(out, n, cap, err);
	}
	out[n++] = '\n';

	if (lvl <= LOGL_WARN) {
		pthread_mutex_lock(&last_mtx);
		ml = copy_str(last_warning, sizeof(last_warning), 0, msg);
		if (err != NULL) {
			ml = copy_str(last_warning, sizeof(last_warning), ml,
			    ": ");
			copy_str(last_warning, sizeof(last_warning), ml, err);
		}
		pthread_mutex_unlock(&last_mtx);
	}

	state = __atomic_load_n(&log_state, __ATOMIC_ACQUIRE);
	if (state == LOG_NEW) {
		write_all(STDERR_FILENO, out, n);
		return;
	}
	if (state != LOG_OPEN)
		return;
	if ((fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE)) != -1)
		write_all(fd, out, n);
	if (log_console)
		write_all(STDOUT_FILENO, out, n);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOGL_WARN, 0, NULL, 0, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOGL_WARN, 0, NULL, 0, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOGL_INFO, 0, NULL, 0, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug_at(uint32_t cat, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	/* the macro checked the mask; a direct caller may not have */
	if ((__atomic_load_n(&log_debug_mask, __ATOMIC_RELAXED) & cat) == 0)
		return;
	va_start(ap, fmt);
	log_emit(LOGL_DEBUG, cat, file, line, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Logs the error and leaves at once with status 1: _exit, not exit, since
 * other threads may be running and atexit handlers would race them. When
 * the log is a file, the reason also goes to stderr.
 */
static _Noreturn void
vfatal(const char *err, const char *fmt, va_list ap)
{
	char line[LOG_MSG_MAX];
	va_list aq;
	int n;

	va_copy(aq, ap);
	log_emit(LOGL_ERROR, 0, NULL, 0, err, fmt, ap);
	if (__atomic_load_n(&log_state, __ATOMIC_ACQUIRE) != LOG_NEW) {
		n = vsnprintf(line, sizeof(line), fmt, aq);
		if (n >= 0) {
			dprintf(STDERR_FILENO, "Error: %s%s%s\n", line,
			    err ? ": " : "", err ? err : "");
		}
	}
	va_end(aq);
	_exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	vfatal(err, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(NULL, fmt, ap);
}
