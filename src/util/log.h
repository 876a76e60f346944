/*
 * Logging, after OpenBSD's log.c, made thread-aware.
 *
 * One line is one write(2) to the log file (and to stderr with
 * -printtoconsole), so lines from different threads never interleave.
 * The file descriptor is swapped atomically by log_reopen() (SIGHUP), so
 * writers never take a lock. Debug lines are checked against the enabled
 * category mask before any formatting happens (log_debug is a macro).
 *
 * All functions may be called from any thread and preserve errno.
 */
#ifndef BR_LOG_H
#define BR_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum log_category {
	LOG_NET = 1u << 0,
	LOG_MEMPOOL = 1u << 1,
	LOG_RPC = 1u << 2,
	LOG_HTTP = 1u << 3,
	LOG_VALIDATION = 1u << 4,
	LOG_STORE = 1u << 5,
	LOG_ADDRMAN = 1u << 6,
	LOG_BENCH = 1u << 7,
	LOG_SCRIPT = 1u << 8,
	LOG_REINDEX = 1u << 9,
	LOG_CMPCTBLOCK = 1u << 10,
	LOG_LOCK = 1u << 11,
	LOG_CONFIG = 1u << 12,
	LOG_ZMQ = 1u << 13,
	LOG_PRUNE = 1u << 26,	    /* block file pruning (validation/prune.c) */
	LOG_ESTIMATEFEE = 1u << 29, /* the fee estimator (mempool/fees.c) */
	/* Bits 17..31 hold Core's categories that have no code here (log.c). */
	LOG_ALL = 0xffffffffu,
};

enum log_level { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG, LOGL_TRACE };

struct log_options {
	const char *path;     /* debug.log, or NULL for none */
	int to_console;	      /* also write to stderr */
	int timestamps;	      /* -logtimestamps, default 1 */
	int time_micros;      /* -logtimemicros */
	int thread_names;     /* -logthreadnames */
	int source_locations; /* -logsourcelocations */
	int level_always; /* -loglevelalways: [category:level] on every line */
	uint32_t categories;  /* enabled debug categories */
	enum log_level level; /* -loglevel, default info */
};

/* Opens the log; returns 0 or -1 with errno set. Call before any thread. */
int log_init(const struct log_options *opt);
/* Reopens the log file at the same path (log rotation on SIGHUP). */
int log_reopen(void);
void log_close(void);
/* Names the calling thread in log lines and in the kernel (pthread_setname_np). */
void log_thread_name(const char *name);
const char *log_get_thread_name(void);

/* Category names as Core spells them ("net", "rpc", ...); -1 if unknown. */
int log_category_parse(const char *name, uint32_t *mask);
const char *log_category_name(uint32_t bit);
/* The i-th name -debug accepts (aliases included) and its bit, 0 for none. */
size_t log_category_count(void);
const char *log_category_at(size_t i, uint32_t *bit);
void log_set_categories(uint32_t mask);
uint32_t log_get_categories(void);

/*
 * Copies the text of the last warning or error line (log_warn, log_warnx,
 * fatal; no timestamp or prefix) into buf and returns its length, 0 when
 * there was none. Main prints it on stderr when start-up fails, as Core's
 * InitError does.
 */
size_t log_last_warning(char *buf, size_t len);

/* Mask of enabled categories; read lock-free by log_debug. */
extern volatile uint32_t log_debug_mask;

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug_at(uint32_t cat, const char *file, int line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
_Noreturn void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define log_debug(cat, ...) \
	do { \
		if (__atomic_load_n(&log_debug_mask, __ATOMIC_RELAXED) & \
		    (cat)) \
			log_debug_at((cat), __FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif
