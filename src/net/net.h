/*
 * The network thread: one libevent base multiplexing the listeners and
 * every peer. Used by node.c (start, stop) and by the rpc thread (the
 * requests below).
 */
#ifndef BR_NET_H
#define BR_NET_H

#include <stddef.h>
#include <stdint.h>

#include "net/addrman.h"
#include "net/banman.h"
#include "net/netaddr.h"
#include "net/protocol.h"

struct args;
struct chainparams;
struct store;
struct validation;
struct mempool;
struct net;
struct request;
struct request_error;

/* ---- The thread ---- */

/* Binds the listeners (failure to bind is an error), starts the thread "net". */
int net_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation *v, struct mempool *mp,
    struct net **out);
/*
 * Closes every peer and listener, persists addresses and bans, joins.
 * Requests still queued are refused with REQUEST_E_UNAVAILABLE.
 */
void net_stop(struct net *n);

/* ---- Requests served for the rpc thread ---- */

/*
 * Each request below is a request_fn (util/request.h) that runs on the net
 * thread with the struct net as owner. The caller builds it with
 * request_new(net_req_X, &in, sizeof(in), in_free, sizeof(out), out_free)
 * and hands it to net_request, which queues it and waits. Requests without
 * an input take in NULL, 0; without an output, 0. A request either fills
 * out (a snapshot the caller then owns, freed with the named *_free) or
 * fails with one of the statuses below; wording the error for the user is
 * the caller's job.
 *
 * Returns 0 with *out filled, or -1 with *err: REQUEST_E_UNAVAILABLE when
 * n is NULL or the thread stops before serving, REQUEST_E_TIMEOUT, or a
 * net_status. r is consumed either way. Any thread but the net thread.
 */
int net_request(struct net *n, struct request *r, int timeout_ms, void *out,
    struct request_error *err);

/* Statuses of a failed net request (request_error.status). */
enum net_status {
	NET_E_V2_DISABLED =
	    1,		  /* v2 transport asked for without -v2transport */
	NET_E_NODE_ADDED, /* addnode add: the node is already in the list */
	NET_E_NODE_NOT_ADDED, /* the node is not in the added-node list */
	NET_E_NOT_CONNECTED,  /* no live peer by that address or id */
	NET_E_BANNED,	      /* setban add: already banned */
	NET_E_BAN_IN_PAST,    /* setban add: absolute expiry already passed */
	NET_E_NOT_BANNED,     /* setban remove: no such manual ban */
	NET_E_CAPACITY,	      /* addconnection: no free slot of that type */
	/* getblockfrompeer, in the order Core's FetchBlock checks: */
	NET_E_LOADING,	  /* blocks are being imported or reindexed */
	NET_E_NO_PEER,	  /* no peer (connected or handshaking) by that id */
	NET_E_PRE_SEGWIT, /* the peer did not say NODE_WITNESS (or nothing) */
	NET_E_NOT_FULLY_CONNECTED, /* no verack yet, or being dropped */
};

/* The most local addresses getnetworkinfo lists (localaddr.h's LOCAL_MAX). */
#define NET_LOCAL_MAX 64

/* Counters and settings (getconnectioncount, getnettotals, getnetworkinfo). */
struct net_totals {
	uint64_t bytes_recv, bytes_sent;
	size_t connections, connections_in, connections_out;
	int network_active;
	uint64_t local_services;
	int local_relay;     /* not -blocksonly */
	int64_t time_offset; /* median of outbound peers', s */
	char subver[MAX_SUBVERSION_LENGTH + 1];
	/* getnetworkinfo's "networks": per enum net_class */
	unsigned reachable;			    /* bit (1 << class) */
	char proxy[NETC_CJDNS + 1][NETADDR_STRLEN]; /* "": none */
	int proxy_randomize;
	/* getnetworkinfo's "localaddresses": our own addresses */
	struct {
		char address[NETADDR_STRLEN];
		uint16_t port;
		int score;
	} local[NET_LOCAL_MAX];
	size_t nlocal;
};
/* in: none; out: struct net_totals (owns nothing). */
void net_req_totals(void *net, void *in, void *out, struct request *r);

/* One live peer, as getpeerinfo shows it. */
#define NET_PEER_INFLIGHT_MAX 32
struct net_peer_info {
	uint64_t id;
	char addr[NETADDR_STRLEN + 256]; /* as given or connected to */
	char addrbind[NETADDR_STRLEN];	 /* "": unknown */
	char addrlocal[NETADDR_STRLEN];	 /* "": unknown */
	const char *network;		 /* static: "ipv4", ... */
	uint64_t services;
	int relaytxes;
	uint64_t last_inv_sequence;
	uint64_t inv_to_send;
	int64_t lastsend, lastrecv, last_transaction,
	    last_block; /* node time */
	uint64_t bytessent, bytesrecv;
	int64_t conntime, timeoffset;
	int has_pingtime, has_minping, has_pingwait;
	int64_t pingtime_us, minping_us, pingwait_us;
	int32_t version;
	char subver[MAX_SUBVERSION_LENGTH + 1];
	int inbound;
	int bip152_hb_from; /* it asked us for BIP152 high-bandwidth */
	int bip152_hb_to;   /* we asked it for BIP152 high-bandwidth */
	int32_t startingheight;
	int32_t presynced_headers; /* low-work headers presync, -1: none */
	int32_t synced_headers, synced_blocks; /* -1: unknown */
	int32_t inflight[NET_PEER_INFLIGHT_MAX];
	size_t ninflight;
	int addr_relay_enabled;
	uint64_t addr_processed, addr_rate_limited;
	uint32_t permissions;		      /* netperm.h flags */
	int64_t minfeefilter;		      /* sat/kvB */
	uint64_t bytessent_per_msg[MT_COUNT]; /* by enum msg_type */
	uint64_t bytesrecv_per_msg[MT_COUNT];
	const char *connection_type; /* static: Core's name */
	const char *transport;	     /* static: v1, detecting, v2 */
	char session_id[2 * 32 + 1]; /* hex, "" without v2 */
};
struct net_peers {
	struct net_peer_info *peers; /* xmalloc'd */
	size_t n;
};
/* in: none; out: struct net_peers, freed by net_peers_free. */
void net_req_peers(void *net, void *in, void *out, struct request *r);
void net_peers_free(void *peers);

/* ping: every peer sends a ping on the next tick. in, out: none. */
void net_req_ping(void *net, void *in, void *out, struct request *r);

enum net_addnode_cmd {
	NET_ADDNODE_ADD,
	NET_ADDNODE_REMOVE,
	NET_ADDNODE_ONETRY
};
struct net_addnode_in {
	char *node; /* xmalloc'd, owned by the request */
	enum net_addnode_cmd cmd;
	int v2; /* -1: -v2transport's setting */
};
/*
 * in: struct net_addnode_in, freed by net_addnode_in_free; out: none.
 * Fails NET_E_V2_DISABLED, NET_E_NODE_ADDED (add), NET_E_NODE_NOT_ADDED
 * (remove).
 */
void net_req_addnode(void *net, void *in, void *out, struct request *r);
void net_addnode_in_free(void *in);

struct net_disconnect_in {
	char *addr; /* xmalloc'd; NULL: by id */
	uint64_t id;
};
/* in: struct net_disconnect_in (net_disconnect_in_free); out: none.
 * Fails NET_E_NOT_CONNECTED. */
void net_req_disconnect(void *net, void *in, void *out, struct request *r);
void net_disconnect_in_free(void *in);

/* getaddednodeinfo: one added node (not -connect ones). */
struct net_added_info {
	char *name; /* xmalloc'd, as given to addnode */
	int connected;
	char address[NETADDR_STRLEN]; /* the connection, when connected */
	int inbound;
};
struct net_added {
	struct net_added_info *nodes; /* xmalloc'd */
	size_t n;
};
/*
 * in: the name to show (xmalloc'd string pointer, char *, NULL for all;
 * freed by net_str_in_free); out: struct net_added (net_added_free).
 * Fails NET_E_NODE_NOT_ADDED for a name not in the list.
 */
void net_req_added(void *net, void *in, void *out, struct request *r);
void net_added_free(void *added);
void net_str_in_free(void *in);

struct net_setban_in {
	struct subnet sn;
	int single;	 /* given as an address, not a subnet */
	int add;	 /* else remove */
	int64_t bantime; /* 0: -bantime */
	int absolute;	 /* bantime is the expiry time */
};
/* in: struct net_setban_in; out: none. Fails NET_E_BANNED,
 * NET_E_BAN_IN_PAST (add), NET_E_NOT_BANNED (remove). */
void net_req_setban(void *net, void *in, void *out, struct request *r);

struct net_bans {
	struct ban_entry *bans; /* xmalloc'd, unordered */
	size_t n;
	int64_t now; /* node time they were read at */
};
/* in: none; out: struct net_bans (net_bans_free); expired ones dropped. */
void net_req_listbanned(void *net, void *in, void *out, struct request *r);
void net_bans_free(void *bans);
/* in, out: none. */
void net_req_clearbanned(void *net, void *in, void *out, struct request *r);

/* in: int, the state; out: int, the state now. */
void net_req_setactive(void *net, void *in, void *out, struct request *r);

struct net_addrs_in {
	size_t count; /* 0: all */
	int cls;      /* enum net_class, -1: any */
};
struct net_addrs {
	struct addr_entry *v; /* xmalloc'd */
	size_t n;
};
/* in: struct net_addrs_in; out: struct net_addrs (net_addrs_free). */
void net_req_addresses(void *net, void *in, void *out, struct request *r);
void net_addrs_free(void *addrs);

struct net_addpeer_in {
	struct service svc;
	int tried;
};
struct net_addpeer_out {
	int success;
	const char *error; /* static; NULL when none */
};
/* in: struct net_addpeer_in; out: struct net_addpeer_out. */
void net_req_addpeer(void *net, void *in, void *out, struct request *r);

/* getaddrmaninfo: entries per enum net_class in each table. */
struct net_addrman_counts {
	size_t n_new[NETC_CJDNS + 1], n_tried[NETC_CJDNS + 1];
};
/* in: none; out: struct net_addrman_counts. */
void net_req_addrmaninfo(void *net, void *in, void *out, struct request *r);

/* getrawaddrman: every occupied position of both tables. */
struct net_rawaddrs {
	struct addrman_slot *v[2]; /* [0] new, [1] tried; xmalloc'd */
	size_t n[2];
};
/* in: none; out: struct net_rawaddrs (net_rawaddrs_free). */
void net_req_rawaddrman(void *net, void *in, void *out, struct request *r);
void net_rawaddrs_free(void *raw);

/* sendmsgtopeer: a message of any type, framed by the peer's transport. */
struct net_sendmsg_in {
	uint64_t id;
	char cmd[13];	  /* at most 12 characters */
	uint8_t *payload; /* xmalloc'd */
	size_t len;
};
/* in: struct net_sendmsg_in (net_sendmsg_in_free); out: none. Fails
 * NET_E_NOT_CONNECTED unless the peer finished its handshake. */
void net_req_sendmsg(void *net, void *in, void *out, struct request *r);
void net_sendmsg_in_free(void *in);

enum net_conn_kind {
	NET_CONN_OUTBOUND_FULL,
	NET_CONN_BLOCK_RELAY,
	NET_CONN_ADDR_FETCH,
	NET_CONN_FEELER,
};
struct net_addconn_in {
	char *addr; /* xmalloc'd */
	enum net_conn_kind kind;
	int v2;
};
/* in: struct net_addconn_in (net_addconn_in_free); out: none.
 * Fails NET_E_V2_DISABLED, NET_E_CAPACITY. */
void net_req_addconn(void *net, void *in, void *out, struct request *r);
void net_addconn_in_free(void *in);

struct net_orphan_info {
	uint8_t txid[32], wtxid[32];
	size_t len, weight;
	uint64_t *from; /* xmalloc'd peer ids */
	size_t nfrom;
	uint8_t *raw; /* xmalloc'd when asked for, else NULL */
};
struct net_orphans {
	struct net_orphan_info *v; /* xmalloc'd */
	size_t n;
};
/* in: int, whether to copy each raw transaction; out: struct net_orphans
 * (net_orphans_free). */
void net_req_orphans(void *net, void *in, void *out, struct request *r);
void net_orphans_free(void *orphans);

/*
 * getblockfrompeer (Core's FetchBlock): asks peer id for block hash, whose
 * header the caller found at height, with a getdata for the block with
 * witnesses, now and outside the download schedule. Any request for that
 * block in flight from another peer is forgotten (a late answer is still
 * taken); the block is in flight from this peer, so its answer is
 * processed as any block we asked for (stored even off the best chain)
 * and no answer within the block download timeout disconnects the peer.
 * Fails NET_E_LOADING, NET_E_NO_PEER, NET_E_PRE_SEGWIT,
 * NET_E_NOT_FULLY_CONNECTED. in: struct net_fetch_in; out: none.
 */
struct net_fetch_in {
	uint8_t hash[32];
	int32_t height;
	uint64_t id;
};
void net_req_fetchblock(void *net, void *in, void *out, struct request *r);

/*
 * mockscheduler: the net thread's scheduled work (Core's scheduler tasks:
 * the peers.dat dump, and the sweep of expired bans out of banlist.json,
 * each every 15 minutes) comes in (int64_t) microseconds sooner, and what
 * is now due runs before the answer. No output; never fails.
 */
void net_req_mockforward(void *net, void *in, void *out, struct request *r);

#endif
