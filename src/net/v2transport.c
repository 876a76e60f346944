/*
 * BIP324's transport state machine, after Core's V2Transport.
 *
 * Receive states:
 *   MAYBE_V1  inbound, before 16 bytes settle whether the peer sends a v1
 *             version header (magic || "version" || 5 NULs);
 *   KEY       waiting for the peer's 64-byte ElligatorSwift key;
 *   GARBAGE   skipping up to 4095 bytes of garbage to the peer's terminator;
 *   VERSION   the first non-decoy packet (its contents are ignored, for
 *             future extensions); the first packet authenticates the garbage;
 *   APP       messages.
 * Sending is "not ready" until the peer's key arrives; the initiator sends
 * its key and garbage at once, the responder as soon as it knows the peer
 * speaks v2. With the key, each side sends its terminator and version
 * packet, then whatever messages were queued meanwhile.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/bip324.h"
#include "net/v2transport.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum rstate { R_MAYBE_V1, R_KEY, R_GARBAGE, R_VERSION, R_APP };

struct v2t {
	int initiator;
	uint8_t magic[4];
	enum rstate rs;
	int keys; /* ciphers set up: sending is ready */
	struct bip324_cipher c;
	uint8_t send_garbage[BIP324_MAX_GARBAGE_LEN];
	size_t send_garbage_len;
	uint8_t *recv_garbage; /* AAD of the first packet received */
	size_t recv_garbage_len;
	size_t garbage_scanned; /* input already searched for the terminator */
	int first_packet;	/* the next packet carries the AAD */
	uint32_t pkt_len;	/* contents length, once decrypted */
	int have_len;
	uint8_t *msg_buf; /* decrypted contents of the ready message */
	int have_msg;
	struct v2t_msg msg;
	/* Messages sent before the keys: 12-byte command, LE32 length, payload. */
	struct evbuffer *pending;
	int recv_any; /* any byte received */
	size_t overhead;
	char err[128];
};

/* BIP324's one-byte message types; 29.. from the BIP's ids table (decoding only). */
static const char *const short_ids[] = {
	NULL,
	"addr",
	"block",
	"blocktxn",
	"cmpctblock",
	"feefilter",
	"filteradd",
	"filterclear",
	"filterload",
	"getblocks",
	"getblocktxn",
	"getdata",
	"getheaders",
	"headers",
	"inv",
	"mempool",
	"merkleblock",
	"notfound",
	"ping",
	"pong",
	"sendcmpct",
	"tx",
	"getcfilters",
	"cfilter",
	"getcfheaders",
	"cfheaders",
	"getcfcheckpt",
	"cfcheckpt",
	"addrv2",
	"uproof",
	"getuproof",
	"uttls",
	"getuttls",
	"usummary",
	"utreexotx",
	"uroot",
	"geturoot",
	"feature",
};
#define N_SHORT_IDS (sizeof(short_ids) / sizeof(short_ids[0]))
/* The ids BIP324 itself assigns; only these are sent. */
#define LAST_BIP324_ID 28

static const char v1_command[MSG_COMMAND_SIZE] = "version";

uint8_t
v2t_short_id(const char *cmd)
{
	uint8_t i;

	for (i = 1; i <= LAST_BIP324_ID; i++)
		if (strcmp(short_ids[i], cmd) == 0)
			return i;
	return 0;
}

const char *
v2t_short_id_cmd(uint8_t id)
{
	return id < N_SHORT_IDS ? short_ids[id] : NULL;
}

struct v2t *
v2t_new(int initiator, const uint8_t magic[4])
{
	struct v2t *t = xcalloc(1, sizeof(*t));
	uint8_t r[2];

	t->initiator = initiator;
	memcpy(t->magic, magic, 4);
	t->rs = initiator ? R_KEY : R_MAYBE_V1;
	t->first_packet = 1;
	bip324_cipher_init(&t->c);
	/* Garbage of a uniform length 0..4095, random bytes (Core). */
	if (RAND_bytes(r, sizeof(r)) != 1)
		fatalx("v2t_new: RAND_bytes");
	t->send_garbage_len = (size_t)((r[0] | r[1] << 8) %
	    (BIP324_MAX_GARBAGE_LEN + 1));
	if (t->send_garbage_len &&
	    RAND_bytes(t->send_garbage, (int)t->send_garbage_len) != 1)
		fatalx("v2t_new: RAND_bytes");
	if ((t->pending = evbuffer_new()) == NULL)
		fatalx("v2t_new: evbuffer_new");
	return t;
}

void
v2t_free(struct v2t *t)
{
	if (t == NULL)
		return;
	bip324_cipher_free(&t->c);
	free(t->recv_garbage);
	free(t->msg_buf);
	evbuffer_free(t->pending);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

const char *
v2t_error(const struct v2t *t)
{
	return t->err[0] ? t->err : "V2 transport error";
}

int
v2t_detecting(const struct v2t *t)
{
	return t->rs == R_MAYBE_V1;
}

const uint8_t *
v2t_session_id(const struct v2t *t)
{
	return t->keys ? t->c.session_id : NULL;
}

int
v2t_should_reconnect_v1(const struct v2t *t)
{
	return t->initiator && t->rs == R_KEY && !t->recv_any;
}

size_t
v2t_take_overhead(struct v2t *t)
{
	size_t o = t->overhead;

	t->overhead = 0;
	return o;
}

static void
send_key(struct v2t *t, struct evbuffer *out)
{
	evbuffer_add(out, t->c.ell_ours, ELLSWIFT_LEN);
	if (t->send_garbage_len)
		evbuffer_add(out, t->send_garbage, t->send_garbage_len);
	t->overhead += ELLSWIFT_LEN + t->send_garbage_len;
}

size_t
v2t_start(struct v2t *t, struct evbuffer *out)
{
	if (!t->initiator)
		return 0;
	send_key(t, out);
	return ELLSWIFT_LEN + t->send_garbage_len;
}

/* Encrypts one message into out (keys agreed). */
static size_t
encrypt_msg(struct v2t *t, struct evbuffer *out, const char *cmd,
    const uint8_t *payload, size_t len)
{
	struct evbuffer_iovec v;
	uint8_t prefix[1 + MSG_COMMAND_SIZE];
	size_t plen, total, cl;
	uint8_t id = v2t_short_id(cmd);

	if (id) {
		prefix[0] = id;
		plen = 1;
	} else {
		prefix[0] = 0;
		memset(prefix + 1, 0, MSG_COMMAND_SIZE);
		cl = strlen(cmd);
		memcpy(prefix + 1, cmd,
		    cl > MSG_COMMAND_SIZE ? MSG_COMMAND_SIZE : cl);
		plen = 1 + MSG_COMMAND_SIZE;
	}
	total = plen + len + BIP324_EXPANSION;
	if (evbuffer_reserve_space(out, (ev_ssize_t)total, &v, 1) != 1 ||
	    v.iov_len < total)
		fatalx("v2t: evbuffer_reserve_space");
	bip324_encrypt2(&t->c, prefix, plen, payload, len, NULL, 0, 0,
	    v.iov_base);
	v.iov_len = total;
	if (evbuffer_commit_space(out, &v, 1) != 0)
		fatalx("v2t: evbuffer_commit_space");
	return total;
}

size_t
v2t_send(struct v2t *t, struct evbuffer *out, const char *cmd,
    const void *payload, size_t len)
{
	uint8_t rec[MSG_COMMAND_SIZE + 4];
	size_t cl;

	if (t->keys && evbuffer_get_length(t->pending) == 0)
		return encrypt_msg(t, out, cmd, payload, len);
	memset(rec, 0, sizeof(rec));
	cl = strlen(cmd);
	memcpy(rec, cmd, cl > MSG_COMMAND_SIZE ? MSG_COMMAND_SIZE : cl);
	le32_write(rec + MSG_COMMAND_SIZE, (uint32_t)len);
	evbuffer_add(t->pending, rec, sizeof(rec));
	if (len)
		evbuffer_add(t->pending, payload, len);
	return (v2t_short_id(cmd) ? 1 : 1 + MSG_COMMAND_SIZE) + len +
	    BIP324_EXPANSION;
}

/* The messages queued before the keys, in order. */
static void
flush_pending(struct v2t *t, struct evbuffer *out)
{
	uint8_t rec[MSG_COMMAND_SIZE + 4];
	char cmd[MSG_COMMAND_SIZE + 1];
	const uint8_t *payload;
	uint32_t len;

	while (evbuffer_get_length(t->pending) >= sizeof(rec)) {
		evbuffer_remove(t->pending, rec, sizeof(rec));
		memcpy(cmd, rec, MSG_COMMAND_SIZE);
		cmd[MSG_COMMAND_SIZE] = '\0';
		len = le32_read(rec + MSG_COMMAND_SIZE);
		payload = len ? evbuffer_pullup(t->pending, len) : NULL;
		if (len && payload == NULL)
			fatalx("v2t: pending message cut");
		encrypt_msg(t, out, cmd, payload, len);
		evbuffer_drain(t->pending, len);
	}
}

static int
fail(struct v2t *t, const char *why)
{
	snprintf(t->err, sizeof(t->err), "V2 transport error: %s", why);
	return V2T_ERR;
}

/* Inbound: a v1 version header, or not? */
static int
recv_maybe_v1(struct v2t *t, struct evbuffer *in, struct evbuffer *out,
    size_t *need)
{
	uint8_t prefix[4 + MSG_COMMAND_SIZE], b[sizeof(prefix)];
	size_t n = evbuffer_get_length(in);

	memcpy(prefix, t->magic, 4);
	memcpy(prefix + 4, v1_command, MSG_COMMAND_SIZE);
	if (n > sizeof(prefix))
		n = sizeof(prefix);
	evbuffer_copyout(in, b, n);
	if (memcmp(b, prefix, n) != 0) {
		/* Not v1: answer with our key now (Core's responder does). */
		t->rs = R_KEY;
		send_key(t, out);
		return V2T_MSG; /* go on in the next state */
	}
	if (n < sizeof(prefix)) {
		*need = sizeof(prefix);
		return V2T_NEED;
	}
	return V2T_V1;
}

static int
recv_key(struct v2t *t, struct evbuffer *in, struct evbuffer *out,
    size_t *need)
{
	uint8_t theirs[ELLSWIFT_LEN];
	size_t n = evbuffer_get_length(in);

	if (!t->initiator && n >= 16) {
		/* A v1 version header after another network's magic. */
		evbuffer_copyout(in, theirs, 16);
		if (memcmp(theirs + 4, v1_command, MSG_COMMAND_SIZE) == 0)
			return fail(t, "V1 peer with wrong MessageStart");
	}
	if (n < ELLSWIFT_LEN) {
		*need = ELLSWIFT_LEN;
		return V2T_NEED;
	}
	evbuffer_remove(in, theirs, ELLSWIFT_LEN);
	if (bip324_cipher_start(&t->c, theirs, t->initiator, t->magic, 0) != 0)
		fatalx("v2t: our own key is invalid");
	t->keys = 1;
	t->rs = R_GARBAGE;
	/* Our terminator, then the version packet authenticating our garbage. */
	evbuffer_add(out, t->c.send_garbage_terminator,
	    BIP324_GARBAGE_TERMINATOR_LEN);
	{
		uint8_t pkt[BIP324_EXPANSION];

		bip324_encrypt(&t->c, NULL, 0, t->send_garbage,
		    t->send_garbage_len, 0, pkt);
		evbuffer_add(out, pkt, sizeof(pkt));
	}
	t->overhead += BIP324_GARBAGE_TERMINATOR_LEN + BIP324_EXPANSION;
	OPENSSL_cleanse(t->send_garbage, sizeof(t->send_garbage));
	t->send_garbage_len = 0;
	flush_pending(t, out);
	return V2T_MSG;
}

static int
recv_garbage(struct v2t *t, struct evbuffer *in, size_t *need)
{
	size_t n = evbuffer_get_length(in), max, i;
	const uint8_t *p, *term = t->c.recv_garbage_terminator;

	max = BIP324_MAX_GARBAGE_LEN + BIP324_GARBAGE_TERMINATOR_LEN;
	if (n > max)
		n = max;
	if (n < BIP324_GARBAGE_TERMINATOR_LEN) {
		*need = BIP324_GARBAGE_TERMINATOR_LEN;
		return V2T_NEED;
	}
	if ((p = evbuffer_pullup(in, (ev_ssize_t)n)) == NULL)
		fatalx("v2t: evbuffer_pullup");
	/* Resume where the last search stopped: a trickle costs linear time. */
	for (i = t->garbage_scanned; i + BIP324_GARBAGE_TERMINATOR_LEN <= n;
	     i++) {
		if (p[i] != term[0] ||
		    memcmp(p + i, term, BIP324_GARBAGE_TERMINATOR_LEN) != 0)
			continue;
		t->recv_garbage_len = i;
		t->recv_garbage = xmalloc(i ? i : 1);
		memcpy(t->recv_garbage, p, i);
		evbuffer_drain(in, i + BIP324_GARBAGE_TERMINATOR_LEN);
		t->rs = R_VERSION;
		return V2T_MSG;
	}
	if (n >= max)
		return fail(t, "missing garbage terminator");
	t->garbage_scanned = i;
	*need = n + 1;
	return V2T_NEED;
}

/* Parses the message type off the contents into t->msg. */
static void
parse_type(struct v2t *t, size_t len)
{
	const uint8_t *c = t->msg_buf;
	const char *name;
	size_t i, off;
	int ended = 0;

	t->msg.valid = 0;
	t->msg.cmd[0] = '\0';
	t->msg.payload = c;
	t->msg.len = 0;
	if (len == 0)
		return;
	if (c[0] != 0) {
		if ((name = v2t_short_id_cmd(c[0])) == NULL) {
			snprintf(t->msg.cmd, sizeof(t->msg.cmd), "id %u",
			    c[0]);
			return;
		}
		snprintf(t->msg.cmd, sizeof(t->msg.cmd), "%s", name);
		off = 1;
	} else {
		if (len < 1 + MSG_COMMAND_SIZE)
			return;
		memcpy(t->msg.cmd, c + 1, MSG_COMMAND_SIZE);
		t->msg.cmd[MSG_COMMAND_SIZE] = '\0';
		/* Printable ASCII, then only NUL padding (Core's GetMessageType). */
		for (i = 0; i < MSG_COMMAND_SIZE; i++) {
			uint8_t ch = c[1 + i];

			if (ch == 0)
				ended = 1;
			else if (ended || ch < 0x20 || ch > 0x7f)
				return;
		}
		off = 1 + MSG_COMMAND_SIZE;
	}
	t->msg.valid = 1;
	t->msg.payload = c + off;
	t->msg.len = len - off;
}

static int
recv_packet(struct v2t *t, struct evbuffer *in, size_t *need)
{
	uint8_t lb[BIP324_LENGTH_LEN];
	const uint8_t *p;
	size_t n = evbuffer_get_length(in), body;
	int ignore;

	if (!t->have_len) {
		if (n < BIP324_LENGTH_LEN) {
			*need = BIP324_LENGTH_LEN;
			return V2T_NEED;
		}
		evbuffer_remove(in, lb, sizeof(lb));
		n -= sizeof(lb);
		t->pkt_len = bip324_decrypt_length(&t->c, lb);
		if (t->pkt_len > V2T_MAX_CONTENTS)
			return fail(t, "packet too large");
		t->have_len = 1;
	}
	body = BIP324_HEADER_LEN + t->pkt_len + CHACHA20POLY1305_TAGLEN;
	if (n < body) {
		*need = body;
		return V2T_NEED;
	}
	if ((p = evbuffer_pullup(in, (ev_ssize_t)body)) == NULL)
		fatalx("v2t: evbuffer_pullup");
	free(t->msg_buf);
	t->msg_buf = xmalloc(t->pkt_len ? t->pkt_len : 1);
	if (bip324_decrypt(&t->c, p, t->pkt_len,
		t->first_packet ? t->recv_garbage : NULL,
		t->first_packet ? t->recv_garbage_len : 0, &ignore,
		t->msg_buf) != 0)
		return fail(t, "packet decryption failure");
	evbuffer_drain(in, body);
	t->have_len = 0;
	if (t->first_packet) {
		t->first_packet = 0;
		free(t->recv_garbage);
		t->recv_garbage = NULL;
	}
	if (ignore)
		return V2T_MSG; /* a decoy: next packet */
	if (t->rs == R_VERSION) {
		t->rs = R_APP; /* contents reserved for later versions */
		return V2T_MSG;
	}
	parse_type(t, t->pkt_len);
	t->msg.wire = BIP324_LENGTH_LEN + body;
	t->have_msg = 1;
	return V2T_MSG;
}

int
v2t_recv(struct v2t *t, struct evbuffer *in, struct evbuffer *out,
    struct v2t_msg *m, size_t *need)
{
	int rc;

	if (evbuffer_get_length(in) > 0)
		t->recv_any = 1;
	for (;;) {
		if (t->have_msg) {
			*m = t->msg;
			return V2T_MSG;
		}
		switch (t->rs) {
		case R_MAYBE_V1: rc = recv_maybe_v1(t, in, out, need); break;
		case R_KEY: rc = recv_key(t, in, out, need); break;
		case R_GARBAGE: rc = recv_garbage(t, in, need); break;
		default: rc = recv_packet(t, in, need); break;
		}
		/* V2T_MSG from a state step means: progress, go on. */
		if (rc != V2T_MSG)
			return rc;
	}
}

void
v2t_msg_done(struct v2t *t)
{
	t->have_msg = 0;
	free(t->msg_buf);
	t->msg_buf = NULL;
}
