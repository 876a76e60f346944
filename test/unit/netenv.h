/*
 * Test helper: the net module without sockets or threads. A store holding
 * a made-up header chain, struct net built by hand (no thread, no
 * validation, no mempool), and peers whose bufferevent has no socket, so
 * what the net code sends them stays in their output buffer for the test
 * to read with netenv_next_msg.
 */
#ifndef BR_TEST_NETENV_H
#define BR_TEST_NETENV_H

#include <stddef.h>
#include <stdint.h>

#include "net/net_int.h"
#include "primitives/block.h"

#define NETENV_MAXH 1200
#define NETENV_SERVICES (NODE_NETWORK | NODE_WITNESS)

struct args;
struct chainparams;
struct store;
struct event_base;

struct netenv {
	char dir[64];
	struct args *a; /* -regtest -datadir=dir */
	struct chainparams *cp;
	struct store *st;
	struct event_base *base;
	struct net n;
	uint8_t hash[NETENV_MAXH + 1][32];
	struct block_header hdr[NETENV_MAXH + 1];
	int32_t best, tip;
};

extern struct netenv E;

/*
 * Headers 0..best in the index, blocks 0..tip connected (the active
 * chain), the blocks tip+1..have stored but not connected; block sync
 * loaded from it, in initial download; transaction relay without a
 * mempool (the test feeds its mirror).
 */
void netenv_open(int32_t best, int32_t tip, int32_t have);
void netenv_close(void);
/*
 * A peer of the given type and services; handshaked unless it is fresh
 * (then it has sent nothing yet). best >= 0: it has announced that block.
 */
struct peer *netenv_add_peer(enum conn_type type, uint64_t services,
    int32_t best, int fresh);
/* Unlinks and frees p, as the reaper does. */
void netenv_drop_peer(struct peer *p);
/* Takes the next message p was sent: its command and a malloc'd payload. */
int netenv_next_msg(struct peer *p, char cmd[13], uint8_t **payload,
    size_t *len);
/* The command of the next message ("" if none); its payload is dropped. */
const char *netenv_next_cmd(struct peer *p);
/* The inventory of the next message, which must be cmd. */
size_t netenv_next_inv(struct peer *p, const char *cmd, struct inv **v);
int netenv_nothing_sent(struct peer *p);

#endif
