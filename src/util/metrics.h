/*
 * Process metrics: counters, gauges and duration histograms that the threads
 * owning the data update, and the Prometheus text encoder a scraper reads
 * them with (src/rpc/metrics_http.c serves it; doc/metrics.md lists every
 * metric).
 *
 * Design. Every metric family is a row of one table (metrics_table.c), named
 * by enum metric_id. Its values are C11 atomics in storage allocated once by
 * metrics_init() and never freed or moved, so an update is one relaxed
 * atomic add or store: no lock on any hot path, and a scrape reads each value
 * with a relaxed load and never makes a node thread wait. Values are not read
 * as one consistent snapshot across families (a histogram's _count may lag
 * its buckets by an observation in flight), which Prometheus tolerates.
 *
 * Labels. A family has at most one label key. Its values are appended, never
 * removed, with metrics_label(): under the registry mutex (a leaf, taken only
 * to append a value, never on a hot path; a scrape never takes it: the
 * count of values is published with release ordering after the value). The
 * index returned stays valid for the life of the process; owners look their
 * indices up once (at start-up, or the first time a reason is seen) and then
 * update by index. When a family is full the value "other" takes the rest.
 *
 * Units. Histograms observe microseconds and are exported in seconds, as
 * Prometheus names its base unit. Gauges hold a double.
 *
 * Threads. Any thread may update any metric, but each family documents its
 * owner in the table; a family with several writers (rpc workers) uses
 * atomic adds, which is safe whatever the writer.
 */
#ifndef BR_METRICS_H
#define BR_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

enum metric_id {
	/* chain (validation thread) */
	M_CHAIN_HEIGHT,
	M_CHAIN_HEADERS,
	M_CHAIN_PROGRESS,
	M_CHAIN_IBD,
	M_CHAIN_TIP_TIME,
	M_CHAIN_BLOCKS_CONNECTED,
	M_CHAIN_BLOCKS_DISCONNECTED,
	M_CHAIN_REORGS,
	M_CHAIN_BLOCK_VALIDATION,
	M_CHAIN_BLOCK_TXS,
	/* mempool (mempool thread) */
	M_MEMPOOL_TXS,
	M_MEMPOOL_BYTES,
	M_MEMPOOL_MIN_FEE,
	M_MEMPOOL_ACCEPTED,
	M_MEMPOOL_REJECTED,
	M_MEMPOOL_BAND_TXS,
	M_MEMPOOL_BAND_VBYTES,
	/* peers (net thread) */
	M_PEERS,
	M_PEER_BYTES_RECV,
	M_PEER_BYTES_SENT,
	M_PEER_MSGS_RECV,
	M_PEER_MSGS_SENT,
	M_PEER_CONNECTIONS,
	M_PEER_DISCONNECTIONS,
	M_PEER_BANS,
	M_PEER_DISCOURAGED,
	M_PEER_HANDSHAKE,
	M_PEER_PING,
	/* rpc (rpc thread and workers) */
	M_RPC_REQUESTS,
	M_RPC_LATENCY,
	M_RPC_AUTH_FAILURES,
	/* queues (whoever pushes and pops) */
	M_QUEUE_DEPTH,
	M_QUEUE_PEAK,
	M_QUEUE_CAPACITY,
	M_QUEUE_BLOCKED,
	M_QUEUE_REFUSED,
	/* store (validation thread, the writer) */
	M_STORE_MAP_SIZE,
	M_STORE_USED_BYTES,
	M_STORE_COMMIT,
	/* process (read at scrape time) */
	M_PROCESS_RSS,
	M_PROCESS_FDS,
	M_PROCESS_THREADS,
	M_PROCESS_CPU,
	M_PROCESS_START_TIME,
	/* the metrics server itself */
	M_METRICS_SCRAPES,
	M_METRICS_REFUSED,
	M_COUNT
};

#define METRICS_MAX_LABELS 192 /* label values a family holds at most */
#define METRICS_MAX_BUCKETS 16
#define METRICS_LABEL_LEN 40 /* longer values are cut */

struct metric_def {
	const char *name; /* without the bitroot_ prefix */
	enum metric_type type;
	const char *help;
	const char *label;     /* label key, or NULL */
	const int64_t *bounds; /* histogram: bucket bounds in us */
	int nbounds;
};

/* The table, indexed by enum metric_id (read-only). */
const struct metric_def *metrics_def(enum metric_id id);

/*
 * Allocates the storage. Called once by main before any thread starts;
 * later calls do nothing. Until it runs every update is a no-op, so unit
 * tests that do not care about metrics need not call it.
 */
void metrics_init(void);
/* Zeroes every value and forgets every label (unit tests only). */
void metrics_reset(void);

/*
 * The index of label value s in family id, appending it if new (registry
 * mutex). Values longer than METRICS_LABEL_LEN - 1 are cut. A full family
 * answers the index of "other". Any thread; not for hot paths: look up once.
 * -1 before metrics_init.
 */
int metrics_label(enum metric_id id, const char *s);
/* The index of s if present, without appending; -1 if absent. Lock-free. */
int metrics_label_find(enum metric_id id, const char *s);

/* Updates; li is a label index (0 for a family without a label). */
void metrics_add(enum metric_id id, int li, uint64_t v);
void metrics_inc(enum metric_id id, int li);
void metrics_set(enum metric_id id, int li, double v);
/* A gauge += d (for gauges two threads never write). */
void metrics_gauge_add(enum metric_id id, int li, double d);
/* Raises a gauge to v if it is below. */
void metrics_set_max(enum metric_id id, int li, double v);
void metrics_observe_us(enum metric_id id, int li, int64_t us);

/* Reads, for the status page and tests (relaxed loads). */
uint64_t metrics_counter(enum metric_id id, int li);
double metrics_gauge(enum metric_id id, int li);
/* Number of label values of id (0 without a label); label i's value. */
int metrics_nlabels(enum metric_id id);
const char *metrics_label_name(enum metric_id id, int li);
/* Histogram count and sum (seconds) for label li. */
uint64_t metrics_hist_count(enum metric_id id, int li);
double metrics_hist_sum(enum metric_id id, int li);

/*
 * Appends every family to w in the Prometheus text exposition format
 * (version 0.0.4): # HELP and # TYPE lines, then one sample a line; a
 * histogram as cumulative _bucket{le=...} lines ending with +Inf, then _sum
 * and _count. Families with a label and no values yet print their HELP and
 * TYPE only. Any thread; takes no lock.
 */
void metrics_encode(struct wbuf *w);

/* Process gauges (RSS, fds, threads, CPU) from /proc; the scraping thread. */
void metrics_read_process(void);

/*
 * Snapshots for the status page: lists an owner thread publishes whole and
 * a reader copies. Each is a sequence lock over atomic words (metrics_snap.c):
 * the one writer never waits; a reader retries while a write is in
 * progress and gives up (returns 0 entries) after a bounded number of tries.
 */
#define METRICS_MAX_PEERS 64
#define METRICS_RECENT_BLOCKS 12

struct metrics_peer {
	uint64_t id;
	int64_t conn_time; /* node time, s */
	uint64_t bytes_sent, bytes_recv;
	int64_t ping_us; /* last ping, -1: none */
	int32_t start_height;
	int32_t synced_height; /* -1: unknown */
	uint8_t inbound;
	char transport[12]; /* v1, v2 or detecting */
	char conn_type[24];
	char addr[64];
	char subver[48];
};

struct metrics_block {
	uint8_t hash[32]; /* internal byte order */
	int32_t height;
	uint32_t ntx;
	uint64_t size;
	int64_t time; /* header time */
	int64_t validation_us;
};

/* Net thread: the current peers (at most METRICS_MAX_PEERS of them). */
void metrics_publish_peers(const struct metrics_peer *p, size_t n);
/* Copies up to cap peers to out; returns how many. Any thread. */
size_t metrics_read_peers(struct metrics_peer *out, size_t cap);
/* Validation thread: a block was connected to the active chain. */
void metrics_block_connected(const struct metrics_block *b);
/* Validation thread: the tip at height left the chain; forget it. */
void metrics_block_disconnected(int32_t height);
/* The most recent blocks, newest first; returns how many. Any thread. */
size_t metrics_read_blocks(struct metrics_block *out, size_t cap);

#endif
