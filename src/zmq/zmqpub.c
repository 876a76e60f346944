/*
 * ZeroMQ publisher: Bitcoin Core's -zmqpub* notifications.
 *
 * Design. The validation thread (block connected/disconnected, tip
 * changed) and the mempool thread (transaction added/removed, with the
 * mempool sequence number) call listeners that copy the event into one
 * queue ("zmq", QUEUE_REFUSE) and return at once. The queue is bounded by
 * count (ZMQ_QUEUE_HWM) and by the bytes it holds (ZMQ_QUEUE_MAX_BYTES);
 * an event that does not fit is dropped and counted, so a slow consumer
 * here can never stall a node thread. The thread "zmq" pops events in
 * order and turns them into Core's three-part messages (topic, body,
 * 4-byte little-endian sequence number per notifier) on PUB sockets, which
 * drop at their own high-water mark (-zmqpub<topic>hwm) and never block.
 *
 * Ordering: events from one producer thread keep their order. Between the
 * two producers the order is the order of their pushes: a block's
 * connection (validation) is seen before the mempool removes the
 * transactions it confirmed or conflicted with.
 *
 * Per event, as Core's CZMQNotificationInterface:
 *   block connected:    hashtx/rawtx for each transaction, sequence "C"
 *   block disconnected: hashtx/rawtx for each transaction, sequence "D"
 *   tip changed:        hashblock/rawblock for the new tip, unless in
 *                       initial block download or nothing was connected
 *   tx added to pool:   hashtx/rawtx, sequence "A" with the mempool seq
 *   tx left the pool:   sequence "R" with the mempool seq (not for
 *                       confirmations: their block's "C" says it)
 *
 * Ownership: the context and sockets belong to the zmq thread once it
 * runs (created and bound by zmqpub_start before it starts); the notifier
 * table is read-only after start. dropped and queued_bytes are atomics.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "crypto/hash.h"
#include "mempool/mempool.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/xmalloc.h"
#include "validation/validation.h"
#include "zmq/zmqpub.h"

#define ZMQ_QUEUE_HWM 65536		 /* events waiting for the thread */
#define ZMQ_QUEUE_MAX_BYTES (256u << 20) /* bytes they may hold */
#define ZMQ_DEFAULT_HWM 1000		 /* Core's DEFAULT_ZMQ_SNDHWM */

enum topic { T_HASHBLOCK, T_HASHTX, T_RAWBLOCK, T_RAWTX, T_SEQUENCE, T_COUNT };

/* Core's names; also its order in getzmqnotifications (std::map order). */
static const char *const topic_name[T_COUNT] = { "hashblock", "hashtx",
	"rawblock", "rawtx", "sequence" };

enum zev {
	ZEV_BLOCK_CONNECTED = 1, /* raw block (or header only) */
	ZEV_BLOCK_DISCONNECTED,	 /* raw block (or header only) */
	ZEV_TIP,		 /* hash, height, initial download */
	ZEV_TX_ADDED,		 /* txid, seq, raw transaction */
	ZEV_TX_REMOVED,		 /* txid, seq */
};

struct notifier {
	enum topic topic;
	char type[24]; /* "pub" + topic */
	char *address;
	int hwm;
	void *sock; /* shared by notifiers of one address */
	int owns_sock;
	uint32_t seq; /* zmq thread only */
};

struct zmqpub {
	struct notifier *n;
	size_t nn;
	int want[T_COUNT];  /* some notifier has this topic */
	int want_block_txs; /* hashtx or rawtx */
	int want_block_raw; /* block events carry the whole block */
	void *ctx;
	struct store *store;
	struct validation *v;
	struct queue *q;
	pthread_t thread;
	int started;
	uint64_t dropped;    /* atomic */
	size_t queued_bytes; /* atomic */

	/* zmq thread only */
	uint8_t *last_raw; /* the last connected block, for rawblock */
	size_t last_len;
	uint8_t last_hash[32];
	int connected_since_tip;
};

/* ---- Producers (validation and mempool threads) ---- */

static void
enqueue(struct zmqpub *z, int type, const void *a, size_t alen, const void *b,
    size_t blen)
{
	size_t len = alen + blen;
	size_t held = __atomic_add_fetch(&z->queued_bytes, len,
	    __ATOMIC_RELAXED);
	struct msg *m;

	if (held > ZMQ_QUEUE_MAX_BYTES)
		goto drop;
	m = msg_new(type, 0, NULL, len);
	if (alen)
		memcpy(m->data, a, alen);
	if (blen)
		memcpy(m->data + alen, b, blen);
	if (queue_push(z->q, m) == 0)
		return;
	msg_free(m);
drop:
	__atomic_sub_fetch(&z->queued_bytes, len, __ATOMIC_RELAXED);
	if (__atomic_add_fetch(&z->dropped, 1, __ATOMIC_RELAXED) % 1000 == 1)
		log_warnx("zmq: notification queue full, events dropped "
			  "(%llu so far)",
		    (unsigned long long)__atomic_load_n(&z->dropped,
			__ATOMIC_RELAXED));
}

static void
on_block(struct zmqpub *z, int type, const uint8_t *raw, size_t len)
{
	/* Without hashtx/rawtx/rawblock the header gives the hash. */
	if (!z->want_block_raw && len > 80)
		len = 80;
	enqueue(z, type, raw, len, NULL, 0);
}

static void
on_block_connected(void *arg, const uint8_t *raw, size_t len, int32_t height)
{
	(void)height;
	on_block(arg, ZEV_BLOCK_CONNECTED, raw, len);
}

static void
on_block_disconnected(void *arg, const uint8_t *raw, size_t len,
    int32_t height)
{
	(void)height;
	on_block(arg, ZEV_BLOCK_DISCONNECTED, raw, len);
}

static void
on_tip(void *arg, const uint8_t hash[32], int32_t height, int ibd)
{
	uint8_t b[37];

	memcpy(b, hash, 32);
	le32_write(b + 32, (uint32_t)height);
	b[36] = ibd != 0;
	enqueue(arg, ZEV_TIP, b, sizeof(b), NULL, 0);
}

static void
on_tx_event(void *arg, const struct mempool_tx_event *e)
{
	struct zmqpub *z = arg;
	uint8_t b[40];

	if (!e->added && e->confirmed)
		return; /* the block's "C" covers it */
	memcpy(b, e->txid, 32);
	le64_write(b + 32, e->sequence);
	if (e->added)
		enqueue(z, ZEV_TX_ADDED, b, sizeof(b),
		    z->want[T_HASHTX] || z->want[T_RAWTX] ? e->raw : NULL,
		    z->want[T_HASHTX] || z->want[T_RAWTX] ? e->len : 0);
	else if (z->want[T_SEQUENCE])
		enqueue(z, ZEV_TX_REMOVED, b, sizeof(b), NULL, 0);
}

/* ---- Publishing (zmq thread) ---- */

static void
publish(struct zmqpub *z, enum topic t, const void *body, size_t len)
{
	const char *name = topic_name[t];
	uint8_t seq[4];
	size_t i;

	for (i = 0; i < z->nn; i++) {
		struct notifier *n = &z->n[i];

		if (n->topic != t)
			continue;
		le32_write(seq, n->seq);
		/* A PUB socket drops at its high-water mark, never blocks. */
		if (zmq_send(n->sock, name, strlen(name),
			ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1 ||
		    zmq_send(n->sock, body, len, ZMQ_SNDMORE | ZMQ_DONTWAIT) ==
			-1 ||
		    zmq_send(n->sock, seq, sizeof(seq), ZMQ_DONTWAIT) == -1)
			log_debug(LOG_ZMQ, "zmq: cannot send %s to %s: %s",
			    name, n->address, zmq_strerror(zmq_errno()));
		else
			log_debug(LOG_ZMQ, "Publish %s to %s", name,
			    n->address);
		n->seq++;
	}
}

/* Core's hashes go out in display order (the reverse of ours). */
static void
reversed(const uint8_t h[32], uint8_t out[32])
{
	int i;

	for (i = 0; i < 32; i++)
		out[i] = h[31 - i];
}

static void
publish_seq(struct zmqpub *z, const uint8_t hash[32], char label,
    const uint64_t *mseq)
{
	uint8_t b[41];
	size_t len = 33;

	reversed(hash, b);
	b[32] = (uint8_t)label;
	if (mseq) {
		le64_write(b + 33, *mseq);
		len = 41;
	}
	publish(z, T_SEQUENCE, b, len);
}

static void
publish_tx(struct zmqpub *z, const uint8_t txid[32], const uint8_t *raw,
    size_t len)
{
	uint8_t h[32];

	if (z->want[T_HASHTX]) {
		reversed(txid, h);
		publish(z, T_HASHTX, h, 32);
	}
	if (z->want[T_RAWTX])
		publish(z, T_RAWTX, raw, len);
}

static void
do_block(struct zmqpub *z, const uint8_t *raw, size_t len, int connected)
{
	struct block_header hdr;
	struct block b;
	struct rbuf rb;
	struct wbuf w;
	uint8_t hash[32];
	size_t i;

	rbuf_init(&rb, raw, len);
	if (header_parse(&rb, &hdr) == -1)
		return;
	header_hash(&hdr, hash);
	if (z->want_block_txs) {
		if (block_parse(raw, len, &b) == -1) {
			log_warnx("zmq: cannot parse a block to publish");
			return;
		}
		wbuf_init(&w);
		for (i = 0; i < b.tx_count; i++) {
			wbuf_reset(&w);
			tx_serialize(&b.txs[i], &w, 1);
			publish_tx(z, b.txs[i].txid, w.p, w.len);
		}
		wbuf_free(&w);
		block_free(&b);
	}
	if (z->want[T_SEQUENCE])
		publish_seq(z, hash, connected ? 'C' : 'D', NULL);
	if (connected) {
		z->connected_since_tip = 1;
		if (z->want[T_RAWBLOCK]) {
			free(z->last_raw);
			z->last_raw = xmemdup(raw, len);
			z->last_len = len;
			memcpy(z->last_hash, hash, 32);
		}
	}
}

/* The tip's block from the store, when the event that carried it is gone. */
static uint8_t *
read_block(struct zmqpub *z, const uint8_t hash[32], size_t *len)
{
	struct store_rtxn *t;
	const uint8_t *p;
	uint8_t *copy = NULL;

	if (store_read_begin(z->store, &t) != STORE_OK)
		return NULL;
	if (store_get_block(t, hash, &p, len) == STORE_OK)
		copy = xmemdup(p, *len);
	store_read_end(t);
	return copy;
}

static void
do_tip(struct zmqpub *z, const uint8_t *b)
{
	uint8_t h[32], *raw;
	size_t len;

	/* Core: nothing in initial download, nor when blocks only left. */
	if (b[36] || !z->connected_since_tip)
		return;
	z->connected_since_tip = 0;
	if (z->want[T_HASHBLOCK]) {
		reversed(b, h);
		publish(z, T_HASHBLOCK, h, 32);
	}
	if (!z->want[T_RAWBLOCK])
		return;
	if (z->last_raw && memcmp(z->last_hash, b, 32) == 0) {
		publish(z, T_RAWBLOCK, z->last_raw, z->last_len);
	} else if ((raw = read_block(z, b, &len)) != NULL) {
		publish(z, T_RAWBLOCK, raw, len);
		free(raw);
	} else
		log_warnx("zmq: cannot read the tip block to publish");
	free(z->last_raw);
	z->last_raw = NULL;
}

static void
dispatch(struct zmqpub *z, struct msg *m)
{
	uint64_t seq;

	switch (m->type) {
	case ZEV_BLOCK_CONNECTED:
	case ZEV_BLOCK_DISCONNECTED:
		do_block(z, m->data, m->len, m->type == ZEV_BLOCK_CONNECTED);
		break;
	case ZEV_TIP:
		if (m->len == 37)
			do_tip(z, m->data);
		break;
	case ZEV_TX_ADDED:
		if (m->len < 40)
			break;
		seq = le64_read(m->data + 32);
		publish_tx(z, m->data, m->data + 40, m->len - 40);
		if (z->want[T_SEQUENCE])
			publish_seq(z, m->data, 'A', &seq);
		break;
	case ZEV_TX_REMOVED:
		if (m->len != 40)
			break;
		seq = le64_read(m->data + 32);
		publish_seq(z, m->data, 'R', &seq);
		break;
	}
}

static void *
zmq_main(void *arg)
{
	struct zmqpub *z = arg;
	struct msg *m;

	log_thread_name("zmq");
	while ((m = queue_pop(z->q, -1)) != NULL) {
		__atomic_sub_fetch(&z->queued_bytes, m->len, __ATOMIC_RELAXED);
		dispatch(z, m);
		msg_free(m);
	}
	return NULL;
}

/* ---- Life cycle (main thread) ---- */

/* Core's IsZMQAddressIPV6: a tcp:// address with a bracketed host. */
static int
address_is_ipv6(const char *a)
{
	return strncmp(a, "tcp://[", 7) == 0;
}

static int
open_socket(struct zmqpub *z, struct notifier *n)
{
	int one = 1;
	size_t i;

	for (i = 0; i < (size_t)(n - z->n); i++) {
		if (strcmp(z->n[i].address, n->address) == 0) {
			log_debug(LOG_ZMQ,
			    "zmq: Reusing socket for address "
			    "%s",
			    n->address);
			n->sock = z->n[i].sock;
			return 0;
		}
	}
	n->sock = zmq_socket(z->ctx, ZMQ_PUB);
	if (n->sock == NULL) {
		log_warnx("zmq: Failed to create socket: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	n->owns_sock = 1;
	if (zmq_setsockopt(n->sock, ZMQ_SNDHWM, &n->hwm, sizeof(n->hwm)) !=
		0 ||
	    zmq_setsockopt(n->sock, ZMQ_TCP_KEEPALIVE, &one, sizeof(one)) !=
		0 ||
	    (address_is_ipv6(n->address) &&
		zmq_setsockopt(n->sock, ZMQ_IPV6, &one, sizeof(one)) != 0)) {
		log_warnx("zmq: Failed to set socket options: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	if (zmq_bind(n->sock, n->address) != 0) {
		log_warnx("zmq: Failed to bind address %s: %s", n->address,
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	log_info("zmq: Outbound message high water mark for %s at %s is %d",
	    n->type, n->address, n->hwm);
	return 0;
}

static void
close_all(struct zmqpub *z)
{
	int zero = 0;
	size_t i;

	for (i = 0; i < z->nn; i++) {
		if (z->n[i].owns_sock && z->n[i].sock) {
			zmq_setsockopt(z->n[i].sock, ZMQ_LINGER, &zero,
			    sizeof(zero));
			zmq_close(z->n[i].sock);
		}
		z->n[i].sock = NULL;
	}
	if (z->ctx)
		zmq_ctx_term(z->ctx);
	z->ctx = NULL;
}

static void
zmqpub_free(struct zmqpub *z)
{
	size_t i;

	close_all(z);
	for (i = 0; i < z->nn; i++)
		free(z->n[i].address);
	free(z->n);
	free(z->last_raw);
	queue_free(z->q);
	free(z);
}

/* Adds the notifiers of one topic: its addresses (any number) and HWM. */
static int
add_topic(const struct args *a, const char *opt, enum topic t, int64_t hwm,
    struct zmqpub *z)
{
	const char *const *vals;
	size_t nv, i;

	if (args_is_negated(a, opt))
		return 0;
	nv = args_get_all(a, opt, &vals);
	if (nv > 0 && (hwm < 0 || hwm > INT32_MAX)) {
		log_warnx("Error: -%shwm must be between 0 and %d: %lld", opt,
		    INT32_MAX, (long long)hwm);
		return -1;
	}
	for (i = 0; i < nv; i++) {
		struct notifier *n;

		if (vals[i][0] == '\0')
			continue;
		z->n = xreallocarray(z->n, z->nn + 1, sizeof(*z->n));
		n = &z->n[z->nn++];
		memset(n, 0, sizeof(*n));
		n->topic = t;
		snprintf(n->type, sizeof(n->type), "pub%s", topic_name[t]);
		n->address = xstrdup(vals[i]);
		n->hwm = (int)hwm;
		z->want[t] = 1;
	}
	return 0;
}

int
zmqpub_start(const struct args *a, struct store *s, struct validation *v,
    struct mempool *mp, struct zmqpub **out)
{
	struct zmqpub *z;
	size_t i;
	int major, minor, patch;

	*out = NULL;
	z = xcalloc(1, sizeof(*z));
	/* Core's order: by topic name, then as given. */
	if (add_topic(a, "zmqpubhashblock", T_HASHBLOCK,
		args_get_int(a, "zmqpubhashblockhwm", ZMQ_DEFAULT_HWM),
		z) == -1 ||
	    add_topic(a, "zmqpubhashtx", T_HASHTX,
		args_get_int(a, "zmqpubhashtxhwm", ZMQ_DEFAULT_HWM),
		z) == -1 ||
	    add_topic(a, "zmqpubrawblock", T_RAWBLOCK,
		args_get_int(a, "zmqpubrawblockhwm", ZMQ_DEFAULT_HWM),
		z) == -1 ||
	    add_topic(a, "zmqpubrawtx", T_RAWTX,
		args_get_int(a, "zmqpubrawtxhwm", ZMQ_DEFAULT_HWM), z) == -1 ||
	    add_topic(a, "zmqpubsequence", T_SEQUENCE,
		args_get_int(a, "zmqpubsequencehwm", ZMQ_DEFAULT_HWM),
		z) == -1) {
		zmqpub_free(z);
		return -1;
	}
	if (z->nn == 0) {
		zmqpub_free(z);
		return 0;
	}
	z->want_block_txs = z->want[T_HASHTX] || z->want[T_RAWTX];
	z->want_block_raw = z->want_block_txs || z->want[T_RAWBLOCK];
	z->store = s;
	z->v = v;
	zmq_version(&major, &minor, &patch);
	log_debug(LOG_ZMQ, "zmq: version %d.%d.%d", major, minor, patch);
	if ((z->ctx = zmq_ctx_new()) == NULL) {
		log_warnx("zmq: Unable to initialize context: %s",
		    zmq_strerror(zmq_errno()));
		zmqpub_free(z);
		return 0;
	}
	for (i = 0; i < z->nn; i++) {
		if (open_socket(z, &z->n[i]) == -1) {
			/* Core goes on without ZeroMQ. */
			log_warnx("zmq: ZeroMQ notifications disabled");
			zmqpub_free(z);
			return 0;
		}
		log_info("zmq: Notifier %s ready (address = %s)", z->n[i].type,
		    z->n[i].address);
	}
	z->q = queue_new("zmq", ZMQ_QUEUE_HWM, QUEUE_REFUSE);
	if (pthread_create(&z->thread, NULL, zmq_main, z) != 0)
		fatal("%s: pthread_create", __func__);
	z->started = 1;
	{
		struct validation_listener vl;

		memset(&vl, 0, sizeof(vl));
		vl.arg = z;
		vl.block_connected = on_block_connected;
		vl.block_disconnected = on_block_disconnected;
		if (z->want[T_HASHBLOCK] || z->want[T_RAWBLOCK])
			vl.tip_changed = on_tip;
		validation_add_listener(v, &vl);
	}
	if (mp != NULL && (z->want_block_txs || z->want[T_SEQUENCE])) {
		struct mempool_listener ml;

		memset(&ml, 0, sizeof(ml));
		ml.arg = z;
		ml.tx_event = on_tx_event;
		mempool_add_listener(mp, &ml);
	}
	*out = z;
	return 0;
}

void
zmqpub_stop(struct zmqpub *z)
{
	if (z == NULL)
		return;
	if (z->started) {
		validation_remove_listener(z->v, z);
		queue_close(z->q);
		pthread_join(z->thread, NULL);
	}
	zmqpub_free(z);
}

size_t
zmqpub_count(const struct zmqpub *z)
{
	return z ? z->nn : 0;
}

void
zmqpub_notifier(const struct zmqpub *z, size_t i,
    struct zmqpub_notifier_info *out)
{
	out->type = z->n[i].type;
	out->address = z->n[i].address;
	out->hwm = z->n[i].hwm;
}

uint64_t
zmqpub_dropped(const struct zmqpub *z)
{
	return __atomic_load_n(&z->dropped, __ATOMIC_RELAXED);
}
