/*
 * libFuzzer target for the BIP324 v2 transport (net/v2transport.h), the
 * parser of a v2 peer's bytes.
 *
 * Input: a selector byte, then bytes.
 *   - Selector even: the rest, cut into chunks whose sizes come from the
 *     input, is what an inbound peer sends: v1/v2 detection, the key, the
 *     garbage search, then packets (which fail to authenticate: the
 *     fuzzer cannot know the keys).
 *   - Selector odd: a well-behaved initiator (our own cipher suite) does the
 *     handshake with garbage, then the rest describes packets, each a flags
 *     byte (bit 0: decoy), a 16-bit length and that many contents bytes,
 *     encrypted properly: this reaches message type parsing.
 *
 * Properties: nothing a peer sends crashes or leaks; detection consumes
 * nothing; with a well-behaved initiator no error occurs, every non-decoy
 * packet after the version packet gives one message, a message's payload
 * is never longer than its contents, and a valid message type is
 * printable (possibly empty, as Core's).
 */
#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include "crypto/bip324.h"
#include "net/v2transport.h"

#define FUZZ_NAME "fuzz_v2transport"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };

/* Takes every ready message; returns the v2t_recv code that stopped it. */
static int
drain(struct v2t *t, struct evbuffer *in, struct evbuffer *out, int *nmsgs)
{
	struct v2t_msg m;
	size_t need, before;
	int rc, i;

	for (;;) {
		before = evbuffer_get_length(in);
		rc = v2t_recv(t, in, out, &m, &need);
		if (rc == V2T_V1)
			PROP(evbuffer_get_length(in) == before);
		if (rc != V2T_MSG)
			return rc;
		if (m.valid) {
			/* Twelve NULs are a valid, empty type (Core: unknown). */
			for (i = 0; m.cmd[i]; i++)
				PROP(m.cmd[i] >= 0x20 && m.cmd[i] <= 0x7f);
		}
		PROP(m.len <= V2T_MAX_CONTENTS);
		(*nmsgs)++;
		v2t_msg_done(t);
	}
}

static void
raw_peer(const uint8_t *d, size_t n)
{
	struct v2t *t = v2t_new(0, magic);
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	size_t k;
	int nmsgs = 0, rc = V2T_NEED;

	while (n > 0 && rc != V2T_ERR && rc != V2T_V1) {
		k = 1 + d[0] % 97;
		d++;
		n--;
		if (k > n)
			k = n;
		evbuffer_add(in, d, k);
		d += k;
		n -= k;
		rc = drain(t, in, out, &nmsgs);
	}
	v2t_free(t);
	evbuffer_free(in);
	evbuffer_free(out);
}

static void
good_peer(const uint8_t *d, size_t n)
{
	struct v2t *t = v2t_new(0, magic);
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	struct bip324_cipher c;
	uint8_t theirs[ELLSWIFT_LEN], garbage[64],
	    pkt[0x10000 + BIP324_EXPANSION];
	size_t glen = n ? d[0] % sizeof(garbage) : 0, len;
	int nmsgs = 0, want = 0, ignore, rc;

	memset(garbage, 0x5c, sizeof(garbage));
	bip324_cipher_init(&c);
	evbuffer_add(in, c.ell_ours, ELLSWIFT_LEN);
	evbuffer_add(in, garbage, glen);
	PROP(drain(t, in, out, &nmsgs) == V2T_NEED);
	PROP(evbuffer_remove(out, theirs, sizeof(theirs)) == sizeof(theirs));
	PROP(bip324_cipher_start(&c, theirs, 1, magic, 0) == 0);
	evbuffer_add(in, c.send_garbage_terminator,
	    BIP324_GARBAGE_TERMINATOR_LEN);
	bip324_encrypt(&c, NULL, 0, garbage, glen, 0, pkt); /* version */
	evbuffer_add(in, pkt, BIP324_EXPANSION);
	if (n) {
		d++;
		n--;
	}
	while (n >= 3) {
		ignore = d[0] & 1;
		len = (size_t)(d[1] | d[2] << 8);
		d += 3;
		n -= 3;
		if (len > n)
			len = n;
		bip324_encrypt(&c, d, len, NULL, 0, ignore, pkt);
		evbuffer_add(in, pkt, len + BIP324_EXPANSION);
		want += !ignore;
		d += len;
		n -= len;
	}
	rc = drain(t, in, out, &nmsgs);
	PROP(rc == V2T_NEED);
	PROP(nmsgs == want);
	PROP(v2t_session_id(t) != NULL &&
	    memcmp(v2t_session_id(t), c.session_id, 32) == 0);
	bip324_cipher_free(&c);
	v2t_free(t);
	evbuffer_free(in);
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		good_peer(data + 1, size - 1);
	else
		raw_peer(data + 1, size - 1);
	return 0;
}
