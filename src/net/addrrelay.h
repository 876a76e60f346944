/*
 * Address relay's face to the rest of the net module (addrrelay.c): the
 * state it keeps per peer (struct peer_addrs, embedded in struct peer as
 * p->addrs) and the calls the other net files make. Included through
 * net_int.h; nothing outside src/net uses it.
 *
 * Ownership: struct peer_addrs belongs to address relay and is read and
 * written on the net thread only, like everything reachable from struct
 * net; no lock guards it. Besides addrrelay.c, peer.c sets it up and frees
 * it, msg_handlers.c records what the handshake said (wants_v2; our first
 * getaddr: getaddr_sent and its extra tokens; the first broadcast time,
 * next_send) and getpeerinfo reads the counters.
 */
#ifndef BR_NET_ADDRRELAY_H
#define BR_NET_ADDRRELAY_H

#include <stddef.h>
#include <stdint.h>

struct net;
struct peer;
struct rbuf;
struct addr_entry;

/* Core's token bucket: a tenth of an address a second, MAX_ADDR_TO_SEND deep. */
#define MAX_ADDR_RATE_PER_SECOND 0.1
#define MAX_ADDR_PROCESSING_TOKEN_BUCKET MAX_ADDR_TO_SEND
#define MAX_PCT_ADDR_TO_SEND 23
/* Hashes of the addresses a peer knows, kept in a ring of this size. */
#define ADDR_KNOWN_SIZE 256

struct peer_addrs {
	unsigned relay : 1;	    /* we relay addresses with it */
	unsigned wants_v2 : 1;	    /* sendaddrv2 (BIP155) */
	unsigned getaddr_sent : 1;  /* our getaddr awaits its answer */
	unsigned getaddr_recvd : 1; /* it asked once: later asks are ignored */
	double tokens;		    /* addresses it may still send */
	int64_t token_us;	    /* node clock of the last refill */
	uint64_t processed;	    /* getpeerinfo addr_processed */
	uint64_t rate_limited;	    /* getpeerinfo addr_rate_limited */
	struct addr_entry *out;	    /* to send on the next broadcast */
	size_t out_n, out_cap;
	uint64_t *known; /* ring of hashes; NULL until relay starts */
	size_t known_pos;
	int64_t next_send; /* node time, s */
	int64_t next_local_us; /* node clock: our own address again; 0: never sent */
};

/* A new peer's state: one token, refilled from now_us. */
void addrs_init(struct peer_addrs *a, int64_t now_us);
void addrs_free(struct peer_addrs *a);
/* Starts relay with the peer: the known ring is allocated. */
void addrs_start(struct peer_addrs *a);
/* Adds the tokens earned since the last refill, up to the bucket's depth. */
void addrs_refill(struct peer_addrs *a, int64_t now_us);
/* The known ring, by address hash; a no-op / 0 before relay starts. */
void addrs_known_add(struct peer_addrs *a, uint64_t h);
int addrs_known_has(const struct peer_addrs *a, uint64_t h);

void addr_relay_setup(struct peer *p);
int addr_handle(struct peer *p, struct rbuf *r, int v2);
int getaddr_handle(struct peer *p);
/* The getaddr answer caches (net->addr_caches): made lazily, freed here. */
void addr_caches_free(struct net *n);
/* Periodic: sends queued addresses when their time has come. */
void addr_send_due(struct peer *p, int64_t now);
/*
 * Queues our own address for the peer when due (Core's self-announcement
 * in MaybeSendAddr): while listening and out of initial block download,
 * at once for a new peer, then about once a day.
 */
void addr_advertise_local(struct peer *p, int64_t now_us);
/* An addr-fetch peer that has not answered in time is dropped (Core). */
void addr_fetch_expire(struct peer *p, int64_t now);

#endif
