/*
 * Inside the net module: the net thread's context (struct net), a peer
 * (struct peer) and the functions the module's files share. Included by
 * the files of src/net only; other modules use net.h.
 *
 * Parts. Each part of the module that keeps state per peer declares it in
 * its own header, included here, and struct peer holds it: block sync
 * (sync.h: struct peer_sync, p->sync; sync.c, blockdl.c, blockserve.c),
 * address relay (addrrelay.h: struct peer_addrs, p->addrs; addrrelay.c)
 * and transaction relay (txrelay.h; struct peer_tx, p->tx, in
 * txrelay_int.h; txrelay.c, txannounce.c, txrequest.c). What stays in
 * struct peer is the connection: transport, handshake, ping, counters.
 * Start-up (options, listeners) is startup.c; the thread, its queue and
 * connection management are net.c; one peer's I/O and dispatch loop is
 * peer.c; the message table is msg_handlers.c.
 *
 * Design. One thread ("net") owns one libevent base (EVENT_BASE_FLAG_NOLOCK)
 * and everything reachable from struct net: listeners, peers, their
 * bufferevents, the address manager, the ban list and the block download
 * state. Nothing here is locked because nothing here is touched by another
 * thread. Other threads reach the net thread only through its queue
 * (struct net.q, an eventfd registered in the base):
 *   - rpc threads push NETQ_REQUEST (a struct request *, see
 *     util/request.h and the requests in net.h) and wait for the answer;
 *   - the validation thread's listener callbacks push NETQ_BLOCK_DONE,
 *     NETQ_HEADERS_DONE, NETQ_TIP, NETQ_POW_VALID (a new tip block before
 *     it is connected, out of initial download) and (while the orphanage
 *     holds anything, an atomic flag in the listener's sink says so)
 *     NETQ_BLOCK_CONNECTED, and return at once;
 *   - the mempool thread's listener callbacks push NETQ_TX_ADDED,
 *     NETQ_TX_REMOVED, NETQ_TX_REJECTED, NETQ_PACKAGE_REJECTED and
 *     NETQ_TX_DONE (copies) and return at once.
 * The net thread pushes blocks and headers to the validation thread with
 * validation_submit_*, and transactions to the mempool thread with
 * mempool_submit_tx (1p1c packages with mempool_submit_package), tagged
 * with the sending peer's id. Peers are named
 * across threads only by that monotonic 64-bit id; a message about a peer
 * that has gone is ignored.
 *
 * In order, per peer (Core's guarantee, which `ping` after `tx` relies
 * on): while work a peer's message handed to another thread is not done
 * (its blocks and header batches at validation, counted by sync; its
 * transactions and packages at the mempool, tx_work), the peer's next
 * message waits in its receive buffer (unless it is a `block` behind
 * block work only: validation's queue keeps those in order); once the
 * buffer holds
 * read_highwater() bytes libevent stops reading its socket. Each
 * submission is answered by exactly one NETQ_BLOCK_DONE,
 * NETQ_HEADERS_DONE or NETQ_TX_DONE; peer_work_done() resumes the peer
 * when nothing is left. A notice lost on a full queue would stop the peer
 * for good, so after PEER_WORK_TIMEOUT_US without progress it resumes with
 * a warning (peer_work_check).
 *
 * Peers are never freed inside their own callbacks: peer_disconnect()
 * marks the peer and activates the reaper event, which frees marked peers
 * once the current callback has returned.
 */
#ifndef BR_NET_INT_H
#define BR_NET_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "util/htab.h"
#include "net/netaddr.h"
#include "net/netperm.h"
#include "net/protocol.h"
#include "net/addrrelay.h"
#include "net/cmpctrelay.h"
#include "net/sync.h"
#include "net/txrelay.h"

struct args;
struct chainparams;
struct store;
struct validation;
struct addrman;
struct banman;
struct queue;
struct event_base;
struct event;
struct bufferevent;
struct evconnlistener;
struct sockaddr;
struct evdns_base;
struct mempool;
struct peer_tx;
struct orphanage;
struct net_sink;
struct v2t;
struct store_rtxn;
struct block_index_entry;
struct local_addr;

/* Messages on the net queue. */
enum netq_type {
	NETQ_REQUEST = 1,      /* data: struct request * */
	NETQ_BLOCK_DONE,       /* data: struct netq_block_done */
	NETQ_HEADERS_DONE,     /* data: struct netq_headers_done */
	NETQ_TIP,	       /* data: struct netq_tip */
	NETQ_TX_ADDED,	       /* data: struct netq_tx_added, raw tx */
	NETQ_TX_REMOVED,       /* data: struct netq_tx_removed */
	NETQ_TX_REJECTED,      /* data: struct netq_tx_rejected, parents */
	NETQ_BLOCK_CONNECTED,  /* data: the block, with witness */
	NETQ_PACKAGE_REJECTED, /* data: a 1p1c package's two wtxids */
	NETQ_TX_DONE,	       /* no data: a tx or package of peer_id done */
	NETQ_POW_VALID,	       /* data: struct netq_pow_valid, the block */
	NETQ_STOP,	       /* no data */
};

struct netq_block_done {
	uint8_t hash[32];
	int res;
	char reason[64];
};

struct netq_headers_done {
	uint8_t last[32];
	int res;
	char reason[64];
};

struct netq_tip {
	uint8_t hash[32];
	int32_t height;
	int ibd;
};

/* A block about to be connected on the tip; its bytes follow. */
struct netq_pow_valid {
	int32_t height;
};

/* The mempool's notices; variable parts follow the fixed struct. */
struct netq_tx_added {
	uint8_t txid[32];
	uint8_t wtxid[32];
	int64_t fee_rate; /* sat/kvB */
};

struct netq_tx_removed {
	uint8_t txid[32];
	uint8_t wtxid[32];
	int why;
};

struct netq_tx_rejected {
	uint8_t txid[32];
	uint8_t wtxid[32];
	int kind;	   /* enum mempool_reject */
	uint32_t nparents; /* 32-byte txids after the struct */
	char reason[80];
};

/*
 * High-water mark of the net queue. Pushes at the mark fail (QUEUE_REFUSE):
 * validation's notifications are then dropped with a warning, which costs
 * at most a stalled request (re-requested after its timeout) or a missed
 * announcement; an RPC call gets an error. The mempool's tx_added and
 * tx_removed notices are never dropped: the mempool thread waits for room
 * (net never waits for the mempool), so the mirror always follows the
 * pool. A refused tx_rejected is dropped: it costs the orphan handling or
 * the punishment of that one transaction.
 */
#define NETQ_HWM 65536

enum conn_type {
	CONN_INBOUND,
	CONN_OUTBOUND_FULL,
	CONN_MANUAL,
	CONN_FEELER,
	CONN_BLOCK_RELAY,
	CONN_ADDR_FETCH,
};

/* Connection limits, as Core. */
#define DEFAULT_MAX_PEER_CONNECTIONS 125
#define MAX_OUTBOUND_FULL_RELAY 8
#define MAX_BLOCK_RELAY_ONLY 2
#define MAX_FEELER_CONNECTIONS 1
#define MAX_ADDNODE_CONNECTIONS 8
/* File descriptors kept for everything but peers (Core's MIN_CORE_FILEDESCRIPTORS). */
#define MIN_CORE_FILEDESCRIPTORS 150

/* Timers, in seconds unless noted. */
#define PING_INTERVAL 120
#define TIMEOUT_INTERVAL (20 * 60)
#define DEFAULT_PEER_CONNECT_TIMEOUT 60
#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define HEADERS_RESPONSE_TIME 120
#define FEELER_INTERVAL 120
#define ADDR_BROADCAST_INTERVAL 30
#define DUMP_PEERS_INTERVAL (15 * 60)
#define DUMP_BANS_INTERVAL (15 * 60)
#define ADDNODE_BACKOFF_MIN_US 2000000LL
#define ADDNODE_BACKOFF_MAX_US 120000000LL
#define TICK_US 200000

/* Per-peer buffers, Core's defaults (kilobytes times 1000). */
#define DEFAULT_MAXRECEIVEBUFFER 5000
#define DEFAULT_MAXSENDBUFFER 1000

/* What a message handler returns. */
#define H_OK 0
#define H_MALFORMED (-1) /* dropped as Core drops a message it cannot read */
#define H_RETRY (-2) /* validation's queue is full: keep the message, retry */

struct listener {
	struct evconnlistener *ev;
	struct service addr;
	uint32_t perms; /* -whitebind permissions */
	int paused;	/* accept failed: resting until the next tick */
	struct net *net;
};

/* A -connect or -addnode target (or addnode "add"), kept connected. */
struct added_node {
	char *name;	     /* as given */
	int from_connect;    /* -connect: only these */
	int64_t next_try_us; /* monotonic */
	int64_t backoff_us;
	uint64_t peer_id; /* 0: not connected or connecting */
	int connecting;
	int use_v2; /* offer BIP324 (addnode's v2transport) */
};

struct socks5;

/* Core's ChainSyncTimeoutState (outbound.c). */
struct peer_chainsync {
	int64_t timeout;     /* node time; 0: none set */
	uint8_t work[32];    /* our tip's work when it was set */
	int32_t work_height; /* and that tip's height */
	unsigned has_work : 1;
	unsigned sent_getheaders : 1;
	unsigned protect : 1; /* never evicted for a lagging chain */
};

struct peer {
	TAILQ_ENTRY(peer) entry;
	uint8_t idkey[8]; /* id, little-endian: the map key */
	uint64_t id;
	struct net *net;
	struct bufferevent *bev;
	struct v2t *v2; /* BIP324 transport (or inbound detection); NULL: v1 */
	struct socks5 *socks; /* outbound through a proxy, until it connects */
	unsigned v2_offered : 1; /* outbound, opened with v2 */
	enum conn_type type;
	struct service addr; /* remote end */
	struct service bind; /* our end */
	int has_bind;
	char addr_name[NETADDR_STRLEN + 256]; /* getpeerinfo "addr" */
	struct added_node *added; /* the entry this connection serves */
	uint32_t perms;

	/* Life cycle. */
	unsigned connecting : 1; /* outbound connect() in progress */
	unsigned disconnect : 1; /* marked; reaped after the callback */
	unsigned version_sent : 1;
	unsigned version_recv : 1;
	unsigned handshaked : 1; /* verack received: fSuccessfullyConnected */
	unsigned verack_sent : 1;
	unsigned should_discourage : 1;
	unsigned paused_send : 1; /* output over -maxsendbuffer */
	unsigned
	    retry_pending : 1;	 /* a message waits for validation's queue */
	unsigned in_process : 1; /* peer_process is running for it */
	unsigned work_wait : 1;	 /* stopped until its work is done */
	int64_t conn_time;	 /* node time, s */
	int64_t conn_mono_us;
	/* Its transactions and packages at the mempool, not yet done. */
	unsigned tx_work;
	enum msg_type wait_type; /* with work_wait: the message waiting */
	int64_t work_since_us; /* monotonic: waiting since, or last progress */
	int64_t last_send; /* node time, s */
	int64_t last_recv;

	/* What the peer told us. */
	int32_t version;
	uint64_t services;
	char *subver; /* sanitized; NULL until version */
	int32_t start_height;
	int relay_txs;
	int64_t time_offset;
	uint64_t local_nonce;	   /* the nonce of our version */
	uint8_t noncekey[8];	   /* local_nonce, little-endian: map key */
	struct service addr_local; /* how the peer sees us */
	int has_addr_local;
	unsigned wtxid_relay : 1;
	int64_t fee_filter; /* feefilter, sat/kvB */
	struct peer_tx *tx; /* transaction relay state (txrelay) */

	/* Ping (BIP31). */
	uint64_t ping_nonce;   /* outstanding, 0: none */
	int64_t ping_start_us; /* node clock */
	int64_t last_ping_us;  /* 0: none yet */
	int64_t min_ping_us;   /* INT64_MAX: none yet */
	unsigned ping_queued : 1;

	/* Counters. */
	uint64_t bytes_sent, bytes_recv;
	size_t bytes_recv_buffered; /* input bytes already counted */
	uint64_t sent_per_msg[MT_COUNT];
	uint64_t recv_per_msg[MT_COUNT];
	int64_t last_block_time; /* last novel valid block, node time */
	/* Last announcement of a block new to us with more work than our tip. */
	int64_t last_block_announcement;
	struct peer_chainsync chainsync;
	int64_t last_tx_time;

	struct peer_addrs addrs; /* address relay (addrrelay.c) */

	/* getdata requests waiting for send-buffer room. */
	struct inv *getdata;
	size_t getdata_n, getdata_off;

	struct peer_sync
	    sync; /* block sync (sync.c, blockdl.c, blockserve.c) */
	struct peer_cmpct cmpct; /* compact blocks (cmpctrelay.c) */
};

TAILQ_HEAD(peer_list, peer);

struct net {
	const struct args *args;
	const struct chainparams *cp;
	struct store *store;
	struct validation *val;
	struct queue *q;
	struct net_sink *sink; /* validation's and the mempool's way in */
	struct event_base *base;
	struct event *q_ev;
	struct event *tick_ev;
	struct event *reap_ev;
	struct event *sched_ev;
	struct event *retry_ev; /* peers with retry_pending */
	struct evdns_base *dns; /* made by net_resolver when first needed */
	struct service
	    nameserver;	     /* -dnsseednameserver; port 0: the system's */
	int allow_dns;	     /* -dns: resolve names to connect */
	struct seeds *seeds; /* DNS and fixed seeds (seeds.c) */
	/* anchors.dat's block-relay-only peers, still to try (anchors.h). */
	struct addr_entry anchors[2];
	size_t nanchors;
	char *anchors_path;
	/* Our own addresses (localaddr.h) and -discover. */
	struct local_addr *locals;
	size_t nlocals;
	int discover;
	int logips; /* -logips: peer addresses in logs */
	pthread_t thread;
	int thread_started;
	int stopping;

	struct listener *listeners;
	size_t nlisteners;
	struct peer_list peers;
	struct htab *peers_by_id;
	uint64_t next_id;
	size_t npeers;
	/* Peers by type, not counting those marked for disconnection. */
	size_t n_by_type[CONN_ADDR_FETCH + 1];
	size_t n_connecting; /* of those, outbound still connecting */
	/* Our outbound peers before their verack, by our version nonce. */
	struct htab *pending_nonces;

	/* Options. */
	int max_connections;
	int max_inbound;
	int max_outbound_full;
	int max_block_relay;
	int listen;
	int network_active;
	int use_addrman_outgoing;  /* no -connect given */
	int no_public_dial;	   /* -test=nopublicdial */
	int deterministic_addrman; /* -test=addrman */
	int64_t peer_timeout;
	int connect_timeout_ms;
	size_t max_recv_buffer;
	size_t max_send_buffer;
	uint64_t local_services;
	int v2transport; /* -v2transport: offer and accept BIP324 */
	/*
	 * -proxy (IPv4, IPv6 and, unless -onion says otherwise, onion) and
	 * -onion: SOCKS5 proxies by enum net_class; port 0 means none.
	 * -proxyrandomize: fresh credentials per connection, from
	 * proxy_counter, so Tor puts each on its own circuit.
	 */
	struct service proxy[NETC_CJDNS + 1];
	int proxy_randomize;
	uint64_t proxy_counter;
	unsigned reachable; /* bit (1 << enum net_class): -onlynet */
	char subver[MAX_SUBVERSION_LENGTH + 1];
	uint32_t implicit_perms; /* -whitelist without permissions */
	struct whitelist_entry *whitelist;
	size_t nwhitelist;
	char *peers_path;

	struct added_node **added;
	size_t nadded;

	struct addrman *addrman;
	struct banman *banman;
	struct sync *sync;
	struct txrelay *tx;	  /* NULL without a mempool */
	int blocksonly;		  /* -blocksonly */
	struct cmpctrelay *cmpct; /* compact block relay */
	size_t extra_txn;	  /* -blockreconstructionextratxn */

	uint64_t total_sent, total_recv;
	/* Metric label indices (net_metrics.c), by enum msg_type / conn_type. */
	int m_msg[MT_COUNT];
	int m_conn[CONN_ADDR_FETCH + 1];
	int64_t m_published_us; /* last peers snapshot */
	uint64_t netgroup_k0, netgroup_k1;
	int64_t next_feeler;
	/* Monotonic times the scheduled tasks are due (net.c, scheduled_run). */
	int64_t next_dump;     /* peers.dat written */
	int64_t next_ban_dump; /* expired bans swept out of banlist.json */
	int64_t next_conn_us;
	/* Outbound upkeep (outbound.c). */
	int64_t next_extra_check_us; /* monotonic: the 45 s check */
	int64_t stale_check_time;    /* node time */
	int64_t last_tip_update;     /* node time; 0 until the first check */
	int64_t next_extra_block_relay;
	int n_protected;       /* peers with chainsync.protect */
	int try_new_outbound;  /* stale tip: one extra full-relay */
	int extra_block_relay; /* initial sync done: extra block-relay */
	/*
	 * getaddr answers, one cache per network and local socket (struct
	 * addr_cache in addrrelay.c), against address scraping as in Core.
	 */
	struct htab *addr_caches;
};

/* ---- net.c ---- */
/* Node time in microseconds (mock time when set), as Core's GetTime<us>. */
int64_t net_now_us(void);
struct peer *net_peer_by_id(struct net *n, uint64_t id);
/*
 * Tells the validation listener whether orphans are held: connected blocks
 * are copied to the net queue only then (any stale answer costs at most a
 * needless copy, or an orphan left to expire).
 */
void net_note_orphans(struct net *n);
/*
 * Opens an outbound connection to name ("host", "host:port", numeric or a
 * name to resolve). added may be NULL. use_v2: offer the BIP324 transport
 * (falling back to v1 if the peer hangs up on our key). Returns 0 if an
 * attempt started.
 */
int net_connect(struct net *n, const char *name, enum conn_type type,
    struct added_node *added, int use_v2);
int net_count_type(struct net *n, enum conn_type t);

/* ---- outbound.c ---- */
/* Core's ConsiderEviction for one peer, each tick. */
void outbound_consider_eviction(struct net *n, struct peer *p, int64_t now);
void outbound_peer_gone(struct net *n, struct peer *p);
/* p told us of a block new to us with more work than our tip. */
void outbound_block_announced(struct net *n, struct peer *p);
/* Core's CheckForStaleTipAndEvictPeers, every 45 s (monotonic). */
void outbound_tick(struct net *n);
/*
 * With every outbound slot full: 1 and *type when an extra connection
 * is wanted (stale tip: full relay; else now and then block-relay-only).
 */
int outbound_extra_wanted(struct net *n, int64_t now, enum conn_type *type);
void net_schedule(struct net *n);
/*
 * The services we offer now: local_services without NODE_NETWORK while a
 * UTXO snapshot's history is still missing (Core's NODE_NETWORK_LIMITED
 * mode during background validation).
 */
uint64_t net_services(struct net *n);
const char *conn_type_name(enum conn_type t);

/* Listener callbacks: a connection accepted, accept() failed. */
void net_accept_cb(struct evconnlistener *evl, int fd, struct sockaddr *sa,
    int socklen, void *arg);
void net_accept_error_cb(struct evconnlistener *evl, void *arg);

/* ---- startup.c: run by net_start, before the thread exists ---- */
/* Reads the options into n. -1 with a message for the user in err. */
int net_read_options(struct net *n, char *err, size_t errlen);
/* Opens the listening sockets the options ask for. -1 with err. */
int net_setup_listeners(struct net *n, char *err, size_t errlen);
/* Queues the connections the options ask for (-connect, -addnode, seeds). */
void net_add_targets(struct net *n);

/* ---- seeds.c: DNS seeds and fixed seeds ---- */
struct seeds;
/* -dnsseed, -forcednsseed, -fixedseeds, the seed names; -1 with err. */
int seeds_read_options(struct net *n, char *err, size_t errlen);
/* From the thread's start: the clocks the waits count from. */
void seeds_start(struct net *n);
/* From the tick: the next step of DNS seeding; fixed seeds when due. */
void seeds_tick(struct net *n, int64_t now);
void seeds_free(struct net *n);
/* The net thread's evdns resolver (-dnsseednameserver); NULL on failure. */
struct evdns_base *net_resolver(struct net *n);
/*
 * Reads fixed seeds (BIP155 records) into *out (the caller frees it) as
 * the address manager gets them: services NODE_NETWORK | NODE_WITNESS, a
 * time one to two weeks before now. Returns the count; invalid records
 * are skipped, a truncated tail ends the list.
 */
size_t seeds_parse_fixed(const uint8_t *p, size_t len, int64_t now,
    struct addr_entry **out);

/* ---- peer.c ---- */
struct peer *peer_new(struct net *n, enum conn_type type,
    const struct service *addr, const char *name);
/* Frees a peer already unlinked from the net; only the reaper calls it. */
void peer_free(struct peer *p);
/* Marks the peer for disconnection (logged with why, if not NULL). */
void peer_disconnect(struct peer *p, const char *why);
/*
 * ", peeraddr=ADDR" with -logips, else "": appended to log lines that name
 * a peer, as Core does. The text lives in buf (at least PEER_LOGADDR_LEN).
 */
#define PEER_LOGADDR_LEN (NETADDR_STRLEN + 256 + 16)
const char *peer_log_addr(const struct peer *p, char *buf, size_t len);
void peer_attach(struct peer *p, struct bufferevent *bev);
/* Queues a message; payload may be NULL when len is 0. */
void peer_send(struct peer *p, enum msg_type t, const void *payload,
    size_t len);
void peer_send_wbuf(struct peer *p, enum msg_type t, struct wbuf *w);
/* Any command (sendmsgtopeer), counted under its type. */
void peer_send_cmd(struct peer *p, const char *cmd, const void *payload,
    size_t len);
/* Runs the peer's complete received messages (the dispatch loop). */
void peer_process(struct peer *p);
/* The peer's connect() completed. */
void peer_connected(struct peer *p);
/* Drops the peer from the self-connection check (handshake done or gone). */
void peer_forget_nonce(struct peer *p);
/* Core's Misbehaving: the peer is discouraged and disconnected after this message. */
void peer_misbehaving(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void peer_maybe_punish(struct peer *p);
void peer_send_version(struct peer *p);
void peer_send_ping(struct peer *p);
int peer_has_perm(const struct peer *p, uint32_t flag);
/* Output bytes waiting to be written. */
size_t peer_send_queued(const struct peer *p);

/*
 * In-order processing (see the top of this file). peer_busy: work of the
 * peer's is at another thread. peer_tx_submitted: a transaction or
 * package tagged peer_id went to the mempool (no-op for a peer that has
 * gone or an id that names none). peer_work_done: a completion for
 * peer_id was handled (tx: it was NETQ_TX_DONE); resumes the peer when
 * nothing is left. peer_work_check: from the tick, resumes a peer stopped
 * for PEER_WORK_TIMEOUT_US without any completion.
 */
#define PEER_WORK_TIMEOUT_US (60 * 1000000LL)
/* Blocks of one peer at validation at once (peer.c, may_run). */
#define PEER_BLOCK_PIPELINE 16
int peer_busy(const struct peer *p);
/* Stopped on its work with a received message not yet processed. */
int peer_input_waits(const struct peer *p);
void peer_tx_submitted(struct net *n, uint64_t peer_id);
void peer_work_done(struct net *n, uint64_t peer_id, int tx);
void peer_work_check(struct peer *p, int64_t now_us);

/* ---- msg_handlers.c ---- */
/*
 * Dispatches one received message: handshake order and payload sizes are
 * checked here, from the table, before the handler runs. Returns H_OK,
 * H_MALFORMED (already logged) or H_RETRY.
 */
int msg_dispatch(struct peer *p, enum msg_type t, const char *cmd,
    const uint8_t *payload, size_t len);
/* Serves queued getdata requests while the send buffer has room. */
void getdata_serve(struct peer *p);
/* Called when the peer's verack arrives. */
void peer_handshake_done(struct peer *p);

/* net_metrics.c: the net thread's metrics (util/metrics.h). */
void net_metrics_init(struct net *n);
/* A message of type t, wire bytes with its header, sent (1) or received. */
void net_metrics_msg(struct net *n, enum msg_type t, size_t wire, int sent);
/* After n_by_type[t] changed: a peer of type t connected (1) or left. */
void net_metrics_peer_count(struct net *n, enum conn_type t, int connected);
/* From the tick: publishes the peers snapshot at most once a second. */
void net_metrics_tick(struct net *n, int64_t now_us);

/* addrrelay.c: see addrrelay.h. */

/* sync.c, blockdl.c, blockserve.c: see sync.h. */

/* ---- cfilters.c: BIP157 getcfilters, getcfheaders, getcfcheckpt ---- */
int cfilters_on_getcfilters(struct peer *p, struct rbuf *r);
int cfilters_on_getcfheaders(struct peer *p, struct rbuf *r);
int cfilters_on_getcfcheckpt(struct peer *p, struct rbuf *r);

/* txrelay.c, txannounce.c, txrequest.c: see txrelay.h. */

/* ---- eviction.c ---- */
/* Picks an inbound peer to evict for a new one; 0 and *id, or -1. */
int eviction_select(struct net *n, uint64_t *id);

#endif
