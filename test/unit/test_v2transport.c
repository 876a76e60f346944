/*
 * The v2 transport state machine (net/v2transport.c): two ends talking
 * through evbuffers, Core's inbound v1/v2 detection, decoy packets, the
 * garbage rules, short and long message types, and the failures that end
 * a connection.
 */
#include <string.h>

#include <event2/buffer.h>

#include "crypto/bip324.h"
#include "crypto/chacha20.h"
#include "net/v2transport.h"
#include "unit.h"
#include "util/buf.h"

static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };

struct end {
	struct v2t *t;
	struct evbuffer *in; /* what it receives */
	char cmds[16][MSG_COMMAND_SIZE + 1];
	size_t lens[16];
	int nmsgs;
	int v1, err;
};

static void
end_init(struct end *e, int initiator)
{
	memset(e, 0, sizeof(*e));
	e->t = v2t_new(initiator, magic);
	e->in = evbuffer_new();
}

static void
end_free(struct end *e)
{
	v2t_free(e->t);
	evbuffer_free(e->in);
}

/* Runs e's receive side; output goes to the other end's input. */
static void
drain(struct end *e, struct evbuffer *to)
{
	struct v2t_msg m;
	size_t need;
	int rc;

	for (;;) {
		rc = v2t_recv(e->t, e->in, to, &m, &need);
		if (rc == V2T_V1) {
			e->v1 = 1;
			return;
		}
		if (rc == V2T_ERR) {
			e->err = 1;
			return;
		}
		if (rc != V2T_MSG)
			return;
		if (e->nmsgs < 16) {
			snprintf(e->cmds[e->nmsgs], sizeof(e->cmds[0]), "%s",
			    m.valid ? m.cmd : "?");
			e->lens[e->nmsgs] = m.len;
		}
		e->nmsgs++;
		v2t_msg_done(e->t);
	}
}

static void
pump(struct end *a, struct end *b)
{
	int i;

	for (i = 0; i < 8; i++) {
		drain(a, b->in);
		drain(b, a->in);
	}
}

static void
test_handshake_and_messages(void)
{
	struct end a, b;
	uint8_t payload[1000];
	size_t wire;

	memset(payload, 7, sizeof(payload));
	end_init(&a, 1);
	end_init(&b, 0);
	CHECK(v2t_detecting(b.t));
	CHECK(!v2t_detecting(a.t));
	CHECK(v2t_session_id(a.t) == NULL);
	CHECK(v2t_start(a.t, b.in) >= ELLSWIFT_LEN);
	/* Sent before the keys: kept, then delivered in order. */
	v2t_send(a.t, b.in, "version", payload, 100);
	v2t_send(a.t, b.in, "wtxidrelay", NULL, 0);
	CHECK(v2t_should_reconnect_v1(a.t));
	pump(&a, &b);
	CHECK(!a.err && !b.err && !a.v1 && !b.v1);
	CHECK(!v2t_detecting(b.t));
	CHECK(!v2t_should_reconnect_v1(a.t));
	CHECK(v2t_session_id(a.t) != NULL && v2t_session_id(b.t) != NULL);
	CHECK(memcmp(v2t_session_id(a.t), v2t_session_id(b.t),
		  BIP324_SESSION_ID_LEN) == 0);
	CHECK_EQ_INT(b.nmsgs, 2);
	CHECK_EQ_STR(b.cmds[0], "version");
	CHECK_EQ_INT(b.lens[0], 100);
	CHECK_EQ_STR(b.cmds[1], "wtxidrelay");
	/* A short id costs one byte of type, a long one thirteen. */
	wire = v2t_send(b.t, a.in, "ping", payload, 8);
	CHECK_EQ_INT(wire, 1 + 8 + BIP324_EXPANSION);
	wire = v2t_send(b.t, a.in, "sendaddrv2", NULL, 0);
	CHECK_EQ_INT(wire, 13 + BIP324_EXPANSION);
	v2t_send(b.t, a.in, "block", payload, sizeof(payload));
	v2t_send(b.t, a.in, "addrv2", payload, 3);
	pump(&a, &b);
	CHECK_EQ_INT(a.nmsgs, 4);
	CHECK_EQ_STR(a.cmds[0], "ping");
	CHECK_EQ_INT(a.lens[0], 8);
	CHECK_EQ_STR(a.cmds[1], "sendaddrv2");
	CHECK_EQ_STR(a.cmds[2], "block");
	CHECK_EQ_INT(a.lens[2], sizeof(payload));
	CHECK_EQ_STR(a.cmds[3], "addrv2");
	CHECK_EQ_INT(v2t_short_id("tx"), 21);
	CHECK_EQ_INT(v2t_short_id("addrv2"), 28);
	CHECK_EQ_INT(v2t_short_id("version"), 0);
	CHECK_EQ_STR(v2t_short_id_cmd(37), "feature");
	CHECK(v2t_short_id_cmd(38) == NULL);
	end_free(&a);
	end_free(&b);
}

/* Byte by byte: every state resumes where the input stopped. */
static void
test_trickle(void)
{
	struct end a, b;
	struct evbuffer *wire = evbuffer_new();
	uint8_t c;

	end_init(&a, 1);
	end_init(&b, 0);
	v2t_start(a.t, wire);
	v2t_send(a.t, wire, "version", "abc", 3);
	while (!b.err && evbuffer_get_length(wire) > 0) {
		evbuffer_remove(wire, &c, 1);
		evbuffer_add(b.in, &c, 1);
		drain(&b, a.in);
		if (evbuffer_get_length(wire) == 0) {
			drain(&a, wire); /* a's answer: terminator, version */
		}
	}
	CHECK(!b.err && !a.err);
	CHECK_EQ_INT(b.nmsgs, 1);
	CHECK_EQ_STR(b.cmds[0], "version");
	evbuffer_free(wire);
	end_free(&a);
	end_free(&b);
}

static void
test_detect_v1(void)
{
	struct end b;
	uint8_t v1[24] = { 0 };
	struct v2t_msg m;
	size_t need = 0;

	memcpy(v1, magic, 4);
	memcpy(v1 + 4, "version", 7);
	end_init(&b, 0);
	/* Ten bytes that could still be v1: wait for sixteen. */
	evbuffer_add(b.in, v1, 10);
	CHECK_EQ_INT(v2t_recv(b.t, b.in, b.in, &m, &need), V2T_NEED);
	CHECK_EQ_INT(need, 16);
	CHECK_EQ_INT(evbuffer_get_length(b.in), 10);
	evbuffer_add(b.in, v1 + 10, 14);
	CHECK_EQ_INT(v2t_recv(b.t, b.in, b.in, &m, &need), V2T_V1);
	CHECK_EQ_INT(evbuffer_get_length(b.in), 24); /* nothing taken */
	CHECK(v2t_detecting(b.t));
	end_free(&b);

	/* Another network's v1 version: not v1 here, and not a key either. */
	end_init(&b, 0);
	memcpy(v1, "\xf9\xbe\xb4\xd9", 4);
	evbuffer_add(b.in, v1, sizeof(v1));
	drain(&b, b.in);
	CHECK(b.err);
	CHECK(strstr(v2t_error(b.t), "wrong MessageStart") != NULL);
	end_free(&b);
}

/* A hand-made initiator, to send what v2t itself never sends. */
struct raw {
	struct bip324_cipher c;
	uint8_t garbage[100];
};

static void
raw_handshake(struct raw *r, struct end *b, size_t garbage_len)
{
	uint8_t theirs[ELLSWIFT_LEN];

	bip324_cipher_init(&r->c);
	memset(r->garbage, 0x33, sizeof(r->garbage));
	evbuffer_add(b->in, r->c.ell_ours, ELLSWIFT_LEN);
	evbuffer_add(b->in, r->garbage, garbage_len);
	{
		struct evbuffer *out = evbuffer_new();

		drain(b, out);
		evbuffer_remove(out, theirs, sizeof(theirs));
		evbuffer_free(out);
	}
	CHECK_EQ_INT(bip324_cipher_start(&r->c, theirs, 1, magic, 0), 0);
	evbuffer_add(b->in, r->c.send_garbage_terminator,
	    BIP324_GARBAGE_TERMINATOR_LEN);
}

static void
raw_packet(struct raw *r, struct end *b, const uint8_t *contents, size_t len,
    const uint8_t *aad, size_t aadlen, int ignore)
{
	uint8_t pkt[64 + BIP324_EXPANSION];

	bip324_encrypt(&r->c, contents, len, aad, aadlen, ignore, pkt);
	evbuffer_add(b->in, pkt, len + BIP324_EXPANSION);
}

static void
test_decoys_and_types(void)
{
	struct raw r;
	struct end b;
	uint8_t ping[9] = { 18, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t longtype[13 + 2] = { 0, 'v', 'e', 'r', 'a', 'c', 'k' };
	uint8_t badtype[13] = { 0, 'v', 0, 'x' };
	uint8_t unknown[2] = { 200, 1 }, feature[1] = { 37 };
	uint8_t decoy[20] = { 0 };

	end_init(&b, 0);
	raw_handshake(&r, &b, 50);
	/* The first packet (a decoy here) authenticates the garbage. */
	raw_packet(&r, &b, decoy, sizeof(decoy), r.garbage, 50, 1);
	raw_packet(&r, &b, decoy, 3, NULL, 0, 0); /* version packet */
	raw_packet(&r, &b, decoy, 5, NULL, 0, 1);
	raw_packet(&r, &b, ping, sizeof(ping), NULL, 0, 0);
	raw_packet(&r, &b, decoy, 0, NULL, 0, 1);
	raw_packet(&r, &b, longtype, sizeof(longtype), NULL, 0, 0);
	raw_packet(&r, &b, badtype, sizeof(badtype), NULL, 0, 0);
	raw_packet(&r, &b, unknown, sizeof(unknown), NULL, 0, 0);
	raw_packet(&r, &b, feature, sizeof(feature), NULL, 0, 0);
	raw_packet(&r, &b, NULL, 0, NULL, 0, 0); /* no type at all */
	drain(&b, b.in);
	CHECK(!b.err);
	CHECK_EQ_INT(b.nmsgs, 6);
	CHECK_EQ_STR(b.cmds[0], "ping");
	CHECK_EQ_INT(b.lens[0], 8);
	CHECK_EQ_STR(b.cmds[1], "verack");
	CHECK_EQ_INT(b.lens[1], 2);
	CHECK_EQ_STR(b.cmds[2], "?");
	CHECK_EQ_STR(b.cmds[3], "?");
	CHECK_EQ_STR(b.cmds[4], "feature");
	CHECK_EQ_STR(b.cmds[5], "?");
	bip324_cipher_free(&r.c);
	end_free(&b);
}

static void
test_failures(void)
{
	struct raw r;
	struct end b;
	uint8_t junk[BIP324_MAX_GARBAGE_LEN + 16],
	    lb[3] = { 0xff, 0xff, 0xff };
	uint8_t enc[3], pkt[8 + BIP324_EXPANSION];

	/* Garbage without a terminator within 4095 bytes. */
	end_init(&b, 0);
	bip324_cipher_init(&r.c);
	memset(junk, 0x44, sizeof(junk));
	evbuffer_add(b.in, r.c.ell_ours, ELLSWIFT_LEN);
	evbuffer_add(b.in, junk, sizeof(junk));
	drain(&b, b.in);
	CHECK(b.err);
	CHECK(strstr(v2t_error(b.t), "garbage terminator") != NULL);
	bip324_cipher_free(&r.c);
	end_free(&b);

	/* The garbage authenticated wrongly: the first packet fails. */
	end_init(&b, 0);
	raw_handshake(&r, &b, 10);
	raw_packet(&r, &b, NULL, 0, r.garbage, 9, 0);
	drain(&b, b.in);
	CHECK(b.err);
	CHECK(strstr(v2t_error(b.t), "decryption") != NULL);
	bip324_cipher_free(&r.c);
	end_free(&b);

	/* A flipped bit in a later packet. */
	end_init(&b, 0);
	raw_handshake(&r, &b, 0);
	raw_packet(&r, &b, NULL, 0, NULL, 0, 0);
	bip324_encrypt(&r.c,
	    (const uint8_t *)"\x12"
			     "abcdefg",
	    8, NULL, 0, 0, pkt);
	pkt[10] ^= 4;
	evbuffer_add(b.in, pkt, sizeof(pkt));
	drain(&b, b.in);
	CHECK(b.err);
	CHECK_EQ_INT(b.nmsgs, 0);
	bip324_cipher_free(&r.c);
	end_free(&b);

	/* A length over the largest message: refused before its body. */
	end_init(&b, 0);
	raw_handshake(&r, &b, 0);
	raw_packet(&r, &b, NULL, 0, NULL, 0, 0);
	fschacha20_crypt(&r.c.send_l, lb, enc, 3);
	evbuffer_add(b.in, enc, 3);
	drain(&b, b.in);
	CHECK(b.err);
	CHECK(strstr(v2t_error(b.t), "too large") != NULL);
	bip324_cipher_free(&r.c);
	end_free(&b);
}

UNIT_MAIN(UNIT_CASE(test_handshake_and_messages), UNIT_CASE(test_trickle),
    UNIT_CASE(test_detect_v1), UNIT_CASE(test_decoys_and_types),
    UNIT_CASE(test_failures))
