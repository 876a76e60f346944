/*
 * BIP324 v2 transport for one connection: the key exchange with garbage and
 * garbage terminators, the version packet, decoy packets (ignored), the
 * encrypted 3-byte length, short message ids, and, for an inbound
 * connection, telling a v1 peer from a v2 one by its first bytes (Core's
 * V2Transport).
 *
 * The module works on the connection's libevent buffers but owns no socket:
 * the caller (peer.c) feeds it the input buffer and gives it the output
 * buffer to write to. Net thread only; a struct v2t belongs to one peer.
 *
 * Receiving: v2t_recv takes what it can from `in` and returns
 *   V2T_MSG   a message is ready in *m (valid until v2t_msg_done); the same
 *             message is returned again until v2t_msg_done is called, so a
 *             caller that cannot process it yet simply calls again later;
 *   V2T_NEED  more input is needed: *need is the input length to wait for;
 *   V2T_V1    (inbound only) the peer speaks v1: nothing was consumed, the
 *             caller frees the v2t and parses `in` as v1;
 *   V2T_ERR   a protocol violation (v2t_error says which): disconnect.
 * It may append handshake bytes (our key and garbage, our terminator and
 * version packet) and queued messages to `out`.
 *
 * Sending: v2t_send encrypts a message into `out`, or, before the keys are
 * agreed, keeps it and sends it once they are (messages keep their order).
 */
#ifndef BR_V2TRANSPORT_H
#define BR_V2TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "net/protocol.h"

struct evbuffer;
struct v2t;

#define V2T_ERR (-1)
#define V2T_NEED 0
#define V2T_MSG 1
#define V2T_V1 2

/* Largest packet contents: a long message type and the largest message. */
#define V2T_MAX_CONTENTS (1 + MSG_COMMAND_SIZE + MAX_PROTOCOL_MESSAGE_LENGTH)

struct v2t_msg {
	char cmd[MSG_COMMAND_SIZE + 1]; /* NUL-terminated */
	int valid; /* 0: unknown short id or malformed type: drop */
	const uint8_t *payload;
	size_t len;
	size_t wire; /* the packet's size on the wire */
};

/*
 * initiator: we opened the connection (and send our key at once with
 * v2t_start); otherwise we answer, first deciding between v1 and v2.
 * magic: the network's message start.
 */
struct v2t *v2t_new(int initiator, const uint8_t magic[4]);
void v2t_free(struct v2t *t);
/* Initiator: appends our key and garbage to out. Returns the bytes added. */
size_t v2t_start(struct v2t *t, struct evbuffer *out);
int v2t_recv(struct v2t *t, struct evbuffer *in, struct evbuffer *out,
    struct v2t_msg *m, size_t *need);
/* The message v2t_recv returned has been handled. */
void v2t_msg_done(struct v2t *t);
/* Queues or encrypts one message; returns its size on the wire. */
size_t v2t_send(struct v2t *t, struct evbuffer *out, const char *cmd,
    const void *payload, size_t len);
/* Bytes of handshake (keys, garbage, terminators, version packet) written since the last call. */
size_t v2t_take_overhead(struct v2t *t);
const char *v2t_error(const struct v2t *t);
/* Inbound and still deciding between v1 and v2 (getpeerinfo "detecting"). */
int v2t_detecting(const struct v2t *t);
/* The session id once the keys are agreed, else NULL. */
const uint8_t *v2t_session_id(const struct v2t *t);
/*
 * Core's ShouldReconnectV1: we initiated and have received nothing at all,
 * so a v1-only peer probably hung up on our key.
 */
int v2t_should_reconnect_v1(const struct v2t *t);

/* Short message ids (BIP324 and its ids table): 0 if cmd has none. */
uint8_t v2t_short_id(const char *cmd);
/* The command of a short id, NULL if unassigned. */
const char *v2t_short_id_cmd(uint8_t id);

#endif
