/*
 * The metric families, indexed by enum metric_id. doc/metrics.md documents
 * each one (feature_metrics.py checks that the two agree); the comment at
 * each group names the thread that writes it.
 */
#include "util/metrics.h"

#define NB(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Bucket bounds in microseconds. */
static const int64_t block_b[] = { 1000, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000 };
static const int64_t net_b[] = { 500, 1000, 5000, 10000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 5000000, 20000000 };
static const int64_t rpc_b[] = { 100, 500, 1000, 5000, 10000, 50000, 100000,
	500000, 1000000, 5000000, 30000000 };
static const int64_t commit_b[] = { 100, 500, 1000, 5000, 10000, 50000, 100000,
	500000, 1000000, 5000000 };

#define C(n, h) \
	{ \
		n, METRIC_COUNTER, h, NULL, NULL, 0 \
	}
#define CL(n, h, l) \
	{ \
		n, METRIC_COUNTER, h, l, NULL, 0 \
	}
#define G(n, h) \
	{ \
		n, METRIC_GAUGE, h, NULL, NULL, 0 \
	}
#define GL(n, h, l) \
	{ \
		n, METRIC_GAUGE, h, l, NULL, 0 \
	}
#define H(n, h, b) \
	{ \
		n, METRIC_HISTOGRAM, h, NULL, b, NB(b) \
	}
#define HL(n, h, l, b) \
	{ \
		n, METRIC_HISTOGRAM, h, l, b, NB(b) \
	}

static const struct metric_def defs[M_COUNT] = {
	/* validation thread */
	[M_CHAIN_HEIGHT] = G("chain_height",
	    "Height of the active chain's tip."),
	[M_CHAIN_HEADERS] = G("chain_headers",
	    "Height of the best known header chain."),
	[M_CHAIN_PROGRESS] = G("chain_verification_progress",
	    "Estimated share of the chain's transactions verified (0 to 1)."),
	[M_CHAIN_IBD] = G("chain_initial_block_download",
	    "1 while in initial block download, else 0."),
	[M_CHAIN_TIP_TIME] = G("chain_tip_time_seconds",
	    "Timestamp in the tip's header (Unix seconds)."),
	[M_CHAIN_BLOCKS_CONNECTED] = C("chain_blocks_connected_total",
	    "Blocks connected to the active chain."),
	[M_CHAIN_BLOCKS_DISCONNECTED] = C("chain_blocks_disconnected_total",
	    "Blocks disconnected from the active chain."),
	[M_CHAIN_REORGS] = C("chain_reorgs_total",
	    "Reorganisations: tip changes that disconnected blocks."),
	[M_CHAIN_BLOCK_VALIDATION] = H("chain_block_validation_seconds",
	    "Time to read, check, connect and commit one block.", block_b),
	[M_CHAIN_BLOCK_TXS] = C("chain_transactions_connected_total",
	    "Transactions in the blocks connected."),
	/* mempool thread */
	[M_MEMPOOL_TXS] = G("mempool_transactions",
	    "Transactions in the mempool."),
	[M_MEMPOOL_BYTES] = G("mempool_bytes",
	    "Virtual size of the mempool's transactions (getmempoolinfo bytes)."),
	[M_MEMPOOL_MIN_FEE] = G("mempool_min_fee_rate_sat_per_kvb",
	    "Minimum fee rate to enter the mempool (sat/kvB)."),
	[M_MEMPOOL_ACCEPTED] = C("mempool_accepted_total",
	    "Transactions accepted into the mempool."),
	[M_MEMPOOL_REJECTED] = CL("mempool_rejected_total",
	    "Transactions refused, by reject reason.", "reason"),
	[M_MEMPOOL_BAND_TXS] = GL("mempool_band_transactions",
	    "Mempool transactions by fee-rate band (sat/vB).", "band"),
	[M_MEMPOOL_BAND_VBYTES] = GL("mempool_band_vbytes",
	    "Virtual size of mempool transactions by fee-rate band (sat/vB).",
	    "band"),
	/* net thread */
	[M_PEERS] = GL("peers",
	    "Connected peers by connection type (inbound or an outbound type).",
	    "conn_type"),
	[M_PEER_BYTES_RECV] = CL("peer_received_bytes_total",
	    "Bytes received from peers (header included), by message type.",
	    "msgtype"),
	[M_PEER_BYTES_SENT] = CL("peer_sent_bytes_total",
	    "Bytes sent to peers (header included), by message type.",
	    "msgtype"),
	[M_PEER_MSGS_RECV] = CL("peer_received_messages_total",
	    "Messages received from peers, by message type.", "msgtype"),
	[M_PEER_MSGS_SENT] = CL("peer_sent_messages_total",
	    "Messages sent to peers, by message type.", "msgtype"),
	[M_PEER_CONNECTIONS] = CL("peer_connections_total",
	    "Connections established, by connection type.", "conn_type"),
	[M_PEER_DISCONNECTIONS] = CL("peer_disconnections_total",
	    "Connections closed, by connection type.", "conn_type"),
	[M_PEER_BANS] = C("peer_bans_total",
	    "Addresses or subnets banned (setban or a ban list entry)."),
	[M_PEER_DISCOURAGED] = C("peer_discouraged_total",
	    "Peers discouraged for misbehaviour."),
	[M_PEER_HANDSHAKE] = H("peer_handshake_seconds",
	    "Time from a connection's start to the peer's verack.", net_b),
	[M_PEER_PING] = H("peer_ping_seconds",
	    "Ping round-trip times measured (ping to matching pong).", net_b),
	/* rpc thread and workers */
	[M_RPC_REQUESTS] = CL("rpc_requests_total",
	    "JSON-RPC calls, by method.", "method"),
	[M_RPC_LATENCY] = HL("rpc_request_seconds",
	    "JSON-RPC call handling time, by method.", "method", rpc_b),
	[M_RPC_AUTH_FAILURES] = C("rpc_auth_failures_total",
	    "RPC requests refused for missing or wrong credentials."),
	/* any thread using a queue */
	[M_QUEUE_DEPTH] = GL("queue_depth",
	    "Messages waiting in a thread's queue.", "queue"),
	[M_QUEUE_PEAK] = GL("queue_depth_peak",
	    "Most messages a thread's queue has held at once.", "queue"),
	[M_QUEUE_CAPACITY] = GL("queue_capacity",
	    "A queue's high-water mark (its configured bound).", "queue"),
	[M_QUEUE_BLOCKED] = CL("queue_blocked_microseconds_total",
	    "Time senders spent waiting for room in a queue.", "queue"),
	[M_QUEUE_REFUSED] = CL("queue_refused_total",
	    "Messages refused because a queue was at its high-water mark.",
	    "queue"),
	/* validation thread (the store's writer) */
	[M_STORE_MAP_SIZE] = G("store_map_size_bytes",
	    "Size of the LMDB memory map."),
	[M_STORE_USED_BYTES] = G("store_used_bytes",
	    "Bytes of the map in use (last page number times page size)."),
	[M_STORE_COMMIT] = H("store_commit_seconds",
	    "Latency of the validation thread's write transactions.",
	    commit_b),
	/* read by the scraping thread */
	[M_PROCESS_RSS] = G("process_resident_memory_bytes",
	    "Resident set size."),
	[M_PROCESS_FDS] = G("process_open_fds", "Open file descriptors."),
	[M_PROCESS_THREADS] = G("process_threads", "Threads of the process."),
	[M_PROCESS_CPU] = G("process_cpu_seconds",
	    "User and system CPU time used."),
	[M_PROCESS_START_TIME] = G("process_start_time_seconds",
	    "When the process started (Unix seconds)."),
	/* the metrics thread */
	[M_METRICS_SCRAPES] = CL("metrics_http_requests_total",
	    "Requests served by the metrics listener, by path.", "path"),
	[M_METRICS_REFUSED] = C("metrics_http_refused_total",
	    "Requests refused by -metricsallowip."),
};

const struct metric_def *
metrics_def(enum metric_id id)
{
	return &defs[id];
}
