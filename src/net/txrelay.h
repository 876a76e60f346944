/*
 * Transaction relay's face to the rest of the net module (txrelay.c,
 * txannounce.c, txrequest.c): the calls the other net files make. Included
 * through net_int.h; nothing outside src/net uses it. Its inside (the relay
 * mirror, announcements, requests) is txrelay_int.h.
 *
 * Ownership: the state transaction relay keeps per peer is struct peer_tx
 * (txrelay_int.h), pointed to from struct peer as p->tx and allocated on
 * first use; the net-wide state is struct txrelay (n->tx, NULL without a
 * mempool). Both are read and written on the net thread only, like
 * everything reachable from struct net; no lock guards them. What the
 * handshake told us about relay (p->relay_txs, p->wtxid_relay,
 * p->fee_filter) stays in struct peer, recorded by msg_handlers.c.
 */
#ifndef BR_NET_TXRELAY_H
#define BR_NET_TXRELAY_H

#include <stddef.h>
#include <stdint.h>

struct net;
struct peer;
struct rbuf;
struct inv;
struct mempool;
struct orphanage;
struct txrelay;

/* mp may be NULL (unit tests): then transactions are ignored as before. */
struct txrelay *txrelay_new(struct net *n, struct mempool *mp);
void txrelay_free(struct txrelay *t);
/* The mempool's notices from the net queue (lengths checked here). */
void txrelay_on_added(struct net *n, uint64_t peer_id, const uint8_t *d,
    size_t len);
void txrelay_on_removed(struct net *n, const uint8_t *d, size_t len);
void txrelay_on_rejected(struct net *n, uint64_t peer_id, const uint8_t *d,
    size_t len);
/* A 1p1c package failed (NETQ_PACKAGE_REJECTED: the two wtxids). */
void txrelay_on_package_rejected(struct net *n, const uint8_t *d, size_t len);
void txrelay_tip_changed(struct net *n);
/*
 * A block joined the active chain: orphans it confirms or conflicts with
 * leave the orphanage (Core's EraseForBlock). raw is the block, with witness.
 */
void txrelay_block_connected(struct net *n, const uint8_t *raw, size_t len);
/* 1 if the orphanage holds anything (net_note_orphans). */
int txrelay_has_orphans(const struct net *n);
void txrelay_tick(struct net *n);
void txrelay_peer_gone(struct net *n, struct peer *p);
/* Message handlers' parts. */
int txrelay_on_tx(struct peer *p, struct rbuf *r);
/* One tx inv entry; returns -1 if the peer was disconnected for it. */
int txrelay_on_inv(struct peer *p, const struct inv *iv);
/* After an inv message: sends the requests it made. */
void txrelay_inv_done(struct peer *p);
/* Sends the transaction asked for; -1: notfound. */
int txrelay_serve(struct peer *p, const struct inv *iv);
void txrelay_on_notfound(struct peer *p, const struct inv *v, size_t n);
void txrelay_on_mempool(struct peer *p);
/* getpeerinfo's last_inv_sequence and inv_to_send. */
uint64_t txrelay_peer_last_seq(const struct peer *p);
size_t txrelay_peer_inv_queued(const struct peer *p);
/* The orphanage (getorphantxs), NULL without a mempool. */
const struct orphanage *txrelay_orphanage(struct net *n);

#endif
