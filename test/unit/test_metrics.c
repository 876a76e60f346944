/*
 * The metrics module: the Prometheus text encoder (exact lines), histogram
 * buckets (cumulative, +Inf equal to _count, sum in seconds), label values
 * (escaping, lock-free look-up, the "other" overflow), queue gauges, and
 * the snapshots read while a writer thread keeps publishing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "unit.h"
#include "util/buf.h"
#include "util/metrics.h"
#include "util/queue.h"

/* The encoder's output as a NUL-terminated string (caller frees). */
static char *
encode(void)
{
	struct wbuf w;
	char *s;

	wbuf_init(&w);
	metrics_encode(&w);
	wbuf_put_u8(&w, 0);
	s = (char *)w.p;
	return s;
}

/* Whether line (without its newline) is one whole line of text. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += 1;
	}
	return 0;
}

static void
test_before_init_is_noop(void)
{
	/* No storage yet: updates are ignored, reads are zero. */
	metrics_inc(M_CHAIN_REORGS, 0);
	CHECK_EQ_INT(metrics_counter(M_CHAIN_REORGS, 0), 0);
	CHECK_EQ_INT(metrics_label(M_RPC_REQUESTS, "x"), -1);
}

static void
test_counter_gauge_lines(void)
{
	char *s;

	metrics_init();
	metrics_reset();
	metrics_add(M_CHAIN_BLOCKS_CONNECTED, 0, 41);
	metrics_inc(M_CHAIN_BLOCKS_CONNECTED, 0);
	metrics_set(M_CHAIN_HEIGHT, 0, 1234);
	metrics_set(M_CHAIN_PROGRESS, 0, 0.5);
	s = encode();
	CHECK(has_line(s,
	    "# HELP bitroot_chain_blocks_connected_total Blocks "
	    "connected to the active chain."));
	CHECK(has_line(s,
	    "# TYPE bitroot_chain_blocks_connected_total "
	    "counter"));
	CHECK(has_line(s, "bitroot_chain_blocks_connected_total 42"));
	CHECK(has_line(s, "# TYPE bitroot_chain_height gauge"));
	CHECK(has_line(s, "bitroot_chain_height 1234"));
	CHECK(has_line(s, "bitroot_chain_verification_progress 0.5"));
	/* A labelled family without values has HELP and TYPE only. */
	CHECK(has_line(s, "# TYPE bitroot_rpc_requests_total counter"));
	CHECK(strstr(s, "bitroot_rpc_requests_total{") == NULL);
	free(s);
}

static void
test_gauge_add_and_max(void)
{
	metrics_reset();
	metrics_gauge_add(M_MEMPOOL_TXS, 0, 3);
	metrics_gauge_add(M_MEMPOOL_TXS, 0, -1);
	CHECK(metrics_gauge(M_MEMPOOL_TXS, 0) == 2);
	metrics_set_max(M_CHAIN_HEADERS, 0, 5);
	metrics_set_max(M_CHAIN_HEADERS, 0, 3);
	CHECK(metrics_gauge(M_CHAIN_HEADERS, 0) == 5);
}

static void
test_histogram(void)
{
	char *s;
	int li;

	metrics_reset();
	/* rpc buckets (us): 100, 500, 1000, 5000, ... */
	li = metrics_label(M_RPC_LATENCY, "getblockcount");
	CHECK_EQ_INT(li, 0);
	metrics_observe_us(M_RPC_LATENCY, li, 50);  /* le 0.0001 */
	metrics_observe_us(M_RPC_LATENCY, li, 100); /* bound is inclusive */
	metrics_observe_us(M_RPC_LATENCY, li, 700); /* le 0.001 */
	metrics_observe_us(M_RPC_LATENCY, li, 99000000); /* +Inf only */
	metrics_observe_us(M_RPC_LATENCY, li, -5);	 /* clamped to 0 */
	CHECK_EQ_INT(metrics_hist_count(M_RPC_LATENCY, li), 5);
	s = encode();
	CHECK(has_line(s, "# TYPE bitroot_rpc_request_seconds histogram"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_bucket{method="
	    "\"getblockcount\",le=\"0.0001\"} 3"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_bucket{method="
	    "\"getblockcount\",le=\"0.0005\"} 3"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_bucket{method="
	    "\"getblockcount\",le=\"0.001\"} 4"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_bucket{method="
	    "\"getblockcount\",le=\"30\"} 4"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_bucket{method="
	    "\"getblockcount\",le=\"+Inf\"} 5"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_sum{method="
	    "\"getblockcount\"} 99.00085"));
	CHECK(has_line(s,
	    "bitroot_rpc_request_seconds_count{method="
	    "\"getblockcount\"} 5"));
	/* An unlabelled histogram: le alone in the braces. */
	metrics_observe_us(M_STORE_COMMIT, 0, 2000);
	free(s);
	s = encode();
	CHECK(has_line(s,
	    "bitroot_store_commit_seconds_bucket{le=\"0.001\"} 0"));
	CHECK(has_line(s,
	    "bitroot_store_commit_seconds_bucket{le=\"0.005\"} 1"));
	CHECK(has_line(s, "bitroot_store_commit_seconds_sum 0.002"));
	free(s);
}

static void
test_labels(void)
{
	char name[32], *s;
	int i, a, b;

	metrics_reset();
	a = metrics_label(M_MEMPOOL_REJECTED, "min relay fee not met");
	b = metrics_label(M_MEMPOOL_REJECTED, "txn-mempool-conflict");
	CHECK(a != b);
	CHECK_EQ_INT(metrics_label(M_MEMPOOL_REJECTED,
			 "min relay fee not met"),
	    a);
	CHECK_EQ_INT(metrics_label_find(M_MEMPOOL_REJECTED,
			 "txn-mempool-conflict"),
	    b);
	CHECK_EQ_INT(metrics_label_find(M_MEMPOOL_REJECTED, "nope"), -1);
	/* Quotes, backslashes and newlines are escaped in the output. */
	i = metrics_label(M_MEMPOOL_REJECTED, "a\"b\\c\nd");
	metrics_inc(M_MEMPOOL_REJECTED, i);
	s = encode();
	CHECK(has_line(s,
	    "bitroot_mempool_rejected_total{reason="
	    "\"a\\\"b\\\\c\\nd\"} 1"));
	free(s);
	/* A full family sends the rest to "other". */
	for (i = 0; i < METRICS_MAX_LABELS + 10; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		metrics_label(M_RPC_REQUESTS, name);
	}
	CHECK_EQ_INT(metrics_nlabels(M_RPC_REQUESTS), METRICS_MAX_LABELS);
	CHECK_EQ_STR(metrics_label_name(M_RPC_REQUESTS,
			 METRICS_MAX_LABELS - 1),
	    "other");
	CHECK_EQ_INT(metrics_label(M_RPC_REQUESTS, "brand new"),
	    METRICS_MAX_LABELS - 1);
	/* A family without a label always answers 0. */
	CHECK_EQ_INT(metrics_label(M_CHAIN_HEIGHT, "x"), 0);
}

static void
test_queue_gauges(void)
{
	struct queue *q;
	struct msg *m;
	int li;

	metrics_reset();
	q = queue_new("unit-q", 2, QUEUE_REFUSE);
	li = metrics_label_find(M_QUEUE_DEPTH, "unit-q");
	CHECK(li >= 0);
	CHECK(metrics_gauge(M_QUEUE_CAPACITY, li) == 2);
	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	CHECK(queue_push(q, msg_new(1, 0, NULL, 0)) == 0);
	m = msg_new(1, 0, NULL, 0);
	CHECK(queue_push(q, m) == QUEUE_EFULL);
	msg_free(m);
	CHECK(metrics_gauge(M_QUEUE_DEPTH, li) == 2);
	CHECK_EQ_INT(metrics_counter(M_QUEUE_REFUSED, li), 1);
	msg_free(queue_pop(q, 0));
	CHECK(metrics_gauge(M_QUEUE_DEPTH, li) == 1);
	CHECK(metrics_gauge(M_QUEUE_PEAK, li) == 2);
	for (m = queue_drain(q); m;) {
		struct msg *next = m->next;

		msg_free(m);
		m = next;
	}
	CHECK(metrics_gauge(M_QUEUE_DEPTH, li) == 0);
	queue_free(q);
}

static void
test_blocks_ring(void)
{
	struct metrics_block b, out[METRICS_RECENT_BLOCKS];
	int h;

	memset(&b, 0, sizeof(b));
	for (h = 1; h <= METRICS_RECENT_BLOCKS + 3; h++) {
		b.height = h;
		b.validation_us = h * 10;
		metrics_block_connected(&b);
	}
	CHECK_EQ_INT(metrics_read_blocks(out, METRICS_RECENT_BLOCKS),
	    METRICS_RECENT_BLOCKS);
	CHECK_EQ_INT(out[0].height, METRICS_RECENT_BLOCKS + 3);
	CHECK_EQ_INT(out[0].validation_us, (METRICS_RECENT_BLOCKS + 3) * 10);
	CHECK_EQ_INT(out[METRICS_RECENT_BLOCKS - 1].height, 4);
	/* A reorganisation drops the disconnected tip and above. */
	metrics_block_disconnected(METRICS_RECENT_BLOCKS + 2);
	CHECK_EQ_INT(metrics_read_blocks(out, 3), 3);
	CHECK_EQ_INT(out[0].height, METRICS_RECENT_BLOCKS + 1);
}

/* A writer publishing peer lists whose fields all equal their count. */
static atomic_int stop_writer;

static void *
writer(void *arg)
{
	struct metrics_peer p[METRICS_MAX_PEERS];
	size_t n = 0, i;

	(void)arg;
	memset(p, 0, sizeof(p));
	while (!atomic_load(&stop_writer)) {
		n = n % METRICS_MAX_PEERS + 1;
		for (i = 0; i < n; i++) {
			p[i].id = n;
			p[i].bytes_sent = n;
			snprintf(p[i].addr, sizeof(p[i].addr), "%zu", n);
		}
		metrics_publish_peers(p, n);
	}
	return NULL;
}

static void
test_peers_snapshot_consistent(void)
{
	struct metrics_peer out[METRICS_MAX_PEERS];
	char want[32];
	pthread_t t;
	size_t n, i;
	int torn = 0, seen = 0;
	time_t end = time(NULL) + 30;

	atomic_store(&stop_writer, 0);
	pthread_create(&t, NULL, writer, NULL);
	/* Until enough lists were read: a loaded machine may run the writer late. */
	while (seen < 2000 && time(NULL) < end) {
		n = metrics_read_peers(out, METRICS_MAX_PEERS);
		if (n == 0) {
			sched_yield();
			continue;
		}
		seen++;
		snprintf(want, sizeof(want), "%zu", n);
		for (i = 0; i < n; i++)
			if (out[i].id != n || out[i].bytes_sent != n ||
			    strcmp(out[i].addr, want) != 0)
				torn = 1;
	}
	atomic_store(&stop_writer, 1);
	pthread_join(t, NULL);
	CHECK(seen > 0);
	CHECK(!torn);
}

static void
test_process(void)
{
	metrics_read_process();
	CHECK(metrics_gauge(M_PROCESS_RSS, 0) > 0);
	CHECK(metrics_gauge(M_PROCESS_FDS, 0) >= 3);
	CHECK(metrics_gauge(M_PROCESS_THREADS, 0) >= 1);
}

UNIT_MAIN(UNIT_CASE(test_before_init_is_noop),
    UNIT_CASE(test_counter_gauge_lines), UNIT_CASE(test_gauge_add_and_max),
    UNIT_CASE(test_histogram), UNIT_CASE(test_labels),
    UNIT_CASE(test_queue_gauges), UNIT_CASE(test_blocks_ring),
    UNIT_CASE(test_peers_snapshot_consistent), UNIT_CASE(test_process))
