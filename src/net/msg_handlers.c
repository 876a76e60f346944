/*
 * Received P2P messages: the dispatch table and the handlers. The
 * handshake order (version first, then only negotiation messages until
 * verack, negotiation messages never after it) and each message's payload
 * size bounds are checked once, in msg_dispatch, from the table. Handlers
 * parse with the protocol.c codec and act. Net thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "net/addrman.h"
#include "net/cmpct.h"
#include "net/net_int.h"
#include "primitives/block.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"

/* Allowed after version and before verack. */
#define F_PRE_VERACK 0x1u
/* Feature negotiation: only between version and verack (else disconnect). */
#define F_NEGOTIATION 0x2u

typedef int (*msg_fn)(struct peer *, struct rbuf *);

struct msg_handler {
	msg_fn fn; /* NULL: ignored (debug line) */
	uint32_t min_len;
	uint32_t max_len;
	unsigned flags;
};

static void
log_peer(struct peer *p, const char *what)
{
	log_debug(LOG_NET, "%s peer=%llu", what, (unsigned long long)p->id);
}

/*
 * What an automatic outbound peer must offer: full blocks and witnesses, or
 * recent blocks only while our tip is recent by its timestamp (Core's
 * GetDesirableServiceFlags; not the latched IBD state, which stays off when
 * the tip later ages).
 */
static uint64_t
services_wanted(struct peer *p, uint64_t services)
{
	if ((services & NODE_NETWORK_LIMITED) && sync_tip_is_recent(p->net))
		return NODE_NETWORK_LIMITED | NODE_WITNESS;
	return NODE_NETWORK | NODE_WITNESS;
}

static int
expects_services(const struct peer *p)
{
	return p->type == CONN_OUTBOUND_FULL || p->type == CONN_BLOCK_RELAY ||
	    p->type == CONN_ADDR_FETCH;
}

static int
h_version(struct peer *p, struct rbuf *r)
{
	struct net *n = p->net;
	struct version_msg v;
	struct peer *q;
	char why[160], us[NETADDR_STRLEN], la[PEER_LOGADDR_LEN];
	uint64_t want;
	int common;

	if (version_parse(r, &v) != 0)
		return H_MALFORMED;
	if (v.timestamp < 0)
		v.timestamp = 0;
	if (p->type != CONN_INBOUND)
		addrman_set_services(n->addrman, &p->addr, v.services);
	want = services_wanted(p, v.services);
	if (expects_services(p) && (v.services & want) != want) {
		/* Core's wording, offered services first; tests grep it. */
		snprintf(why, sizeof(why),
		    "peer does not offer the expected "
		    "services (%08llx offers %08llx)",
		    (unsigned long long)v.services, (unsigned long long)want);
		peer_disconnect(p, why);
		return H_OK;
	}
	if (v.version < MIN_PEER_PROTO_VERSION) {
		snprintf(why, sizeof(why), "peer using obsolete version %d",
		    v.version);
		peer_disconnect(p, why);
		return H_OK;
	}
	if (p->type == CONN_INBOUND) {
		uint8_t key[8];

		/* Our own nonce coming back: we connected to ourselves. */
		le64_write(key, v.nonce);
		if ((q = htab_get(n->pending_nonces, key)) != NULL &&
		    !q->handshaked) {
			log_info("connected to self at peer=%llu%s, "
				 "disconnecting",
			    (unsigned long long)p->id,
			    peer_log_addr(p, la, sizeof(la)));
			peer_disconnect(p, NULL);
			return H_OK;
		}
		peer_send_version(p);
	}
	common = v.version < PROTOCOL_VERSION ? v.version : PROTOCOL_VERSION;
	p->version = v.version;
	p->version_recv = 1;
	p->services = v.services;
	p->start_height = v.start_height;
	p->time_offset = v.timestamp - node_time();
	p->subver = xmalloc(MAX_SUBVERSION_LENGTH + 1);
	subver_sanitize(v.subver, v.subver_len, p->subver,
	    MAX_SUBVERSION_LENGTH + 1);
	if (netaddr_is_valid(&v.addr_recv.addr)) {
		p->addr_local = v.addr_recv;
		p->has_addr_local = 1;
	}
	p->relay_txs = v.relay && p->type != CONN_BLOCK_RELAY &&
	    p->type != CONN_FEELER;
	if (common >= WTXID_RELAY_VERSION) {
		peer_send(p, MT_WTXIDRELAY, NULL, 0);
		peer_send(p, MT_SENDADDRV2, NULL, 0);
	}
	peer_send(p, MT_VERACK, NULL, 0);
	p->verack_sent = 1;
	p->sync.preferred_download = (p->type != CONN_INBOUND ||
					 peer_has_perm(p, PF_NOBAN)) &&
	    p->type != CONN_ADDR_FETCH &&
	    (v.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) != 0;
	if (p->type != CONN_INBOUND && p->type != CONN_BLOCK_RELAY) {
		/* One-time address fetch from outbound peers (Core). */
		addr_relay_setup(p);
		/* Our address first, so the peer can find us (Core). */
		addr_advertise_local(p, net_now_us());
		peer_send(p, MT_GETADDR, NULL, 0);
		p->addrs.getaddr_sent = 1;
		p->addrs.tokens += MAX_ADDR_TO_SEND;
	}
	if (p->type != CONN_INBOUND)
		addrman_good(n->addrman, &p->addr, node_time());
	if (p->has_addr_local)
		service_format(&p->addr_local, us, sizeof(us));
	else
		snprintf(us, sizeof(us), "[::]:0");
	log_debug(LOG_NET,
	    "receive version message: %s: version %d, "
	    "blocks=%d, us=%s, txrelay=%d, peer=%llu%s",
	    p->subver, v.version, v.start_height, us, v.relay,
	    (unsigned long long)p->id, peer_log_addr(p, la, sizeof(la)));
	if (p->type == CONN_FEELER) {
		log_debug(LOG_NET,
		    "feeler connection completed peer=%llu; "
		    "disconnecting",
		    (unsigned long long)p->id);
		peer_disconnect(p, NULL);
	}
	return H_OK;
}

void
peer_handshake_done(struct peer *p)
{
	struct net *n = p->net;
	char la[PEER_LOGADDR_LEN];

	p->handshaked = 1;
	metrics_observe_us(M_PEER_HANDSHAKE, 0,
	    time_mono_micros() - p->conn_mono_us);
	peer_forget_nonce(p);
	if (p->type != CONN_INBOUND)
		log_info("New %s %s peer connected: version: %d, blocks=%d, "
			 "peer=%llu%s",
		    conn_type_name(p->type), p->v2 ? "v2" : "v1", p->version,
		    p->start_height, (unsigned long long)p->id,
		    peer_log_addr(p, la, sizeof(la)));
	else
		log_info("New inbound %s peer connected: version: %d, "
			 "blocks=%d, peer=%llu%s",
		    p->v2 ? "v2" : "v1", p->version, p->start_height,
		    (unsigned long long)p->id,
		    peer_log_addr(p, la, sizeof(la)));
	if (p->added)
		p->added->backoff_us = ADDNODE_BACKOFF_MIN_US;
	p->addrs.next_send = node_time() +
	    (int64_t)rand_range(ADDR_BROADCAST_INTERVAL) + 1;
	/* Core's verack handler offers compact blocks before the first ping. */
	cmpct_peer_handshake(p);
	peer_send_ping(p);
	sync_peer_handshake(n, p);
}

static int
h_verack(struct peer *p, struct rbuf *r)
{
	if (p->handshaked) {
		log_peer(p, "ignoring redundant verack message from");
		return H_OK;
	}
	peer_handshake_done(p);
	return H_OK;
}

static int
h_wtxidrelay(struct peer *p, struct rbuf *r)
{
	if (p->version >= WTXID_RELAY_VERSION)
		p->wtxid_relay = 1;
	return H_OK;
}

static int
h_sendaddrv2(struct peer *p, struct rbuf *r)
{
	p->addrs.wants_v2 = 1;
	return H_OK;
}

static int
h_sendtxrcncl(struct peer *p, struct rbuf *r)
{
	log_peer(p,
	    "sendtxrcncl ignored, as our node does not have "
	    "txreconciliation enabled,");
	return H_OK;
}

static int
h_ping(struct peer *p, struct rbuf *r)
{
	uint8_t b[8];
	uint64_t nonce;

	/* Every ping is answered, in order, whatever its nonce (BIP31). */
	if (p->version <= BIP0031_VERSION)
		return H_OK;
	if (nonce_parse(r, &nonce) != 0)
		return H_MALFORMED;
	/*
	 * What Core's SendMessages would do for p right after this message
	 * (ConsiderEviction), before the pong: the tick may not have run
	 * since the clock last moved.
	 */
	outbound_consider_eviction(p->net, p, node_time());
	le64_write(b, nonce);
	peer_send(p, MT_PONG, b, sizeof(b));
	return H_OK;
}

static int
h_pong(struct peer *p, struct rbuf *r)
{
	int64_t now = net_now_us(), t;
	uint64_t nonce = 0;
	const char *problem = NULL;
	int finished = 0;

	if (rbuf_left(r) >= 8) {
		nonce_parse(r, &nonce);
		if (p->ping_nonce != 0) {
			if (nonce == p->ping_nonce) {
				finished = 1;
				t = now - p->ping_start_us;
				if (t >= 0) {
					p->last_ping_us = t;
					metrics_observe_us(M_PEER_PING, 0, t);
					if (t < p->min_ping_us)
						p->min_ping_us = t;
				} else
					problem = "Timing mishap";
			} else if (nonce == 0) {
				/* A bug elsewhere; cancel this ping. */
				finished = 1;
				problem = "Nonce zero";
			} else
				problem = "Nonce mismatch";
		} else
			problem = "Unsolicited pong without ping";
	} else {
		finished = 1;
		problem = "Short payload";
	}
	if (problem)
		log_debug(LOG_NET,
		    "pong peer=%llu: %s, %016llx expected, "
		    "%016llx received, %zu bytes",
		    (unsigned long long)p->id, problem,
		    (unsigned long long)p->ping_nonce,
		    (unsigned long long)nonce, r->len);
	if (finished)
		p->ping_nonce = 0;
	return H_OK;
}

static int
h_addr(struct peer *p, struct rbuf *r)
{
	return addr_handle(p, r, 0);
}

static int
h_addrv2(struct peer *p, struct rbuf *r)
{
	return addr_handle(p, r, 1);
}

static int
h_getaddr(struct peer *p, struct rbuf *r)
{
	return getaddr_handle(p);
}

static int
is_block_inv(uint32_t type)
{
	return (type & ~MSG_WITNESS_FLAG) == MSG_BLOCK;
}

static int
is_tx_inv(uint32_t type)
{
	uint32_t t = type & ~MSG_WITNESS_FLAG;

	return t == MSG_TX || t == MSG_WTX;
}

static int
h_inv(struct peer *p, struct rbuf *r)
{
	struct net *n = p->net;
	struct inv *v;
	size_t count, i;
	int rc, want_headers = 0;

	if ((rc = inv_parse(r, &v, &count)) == PROTO_ETOOMANY) {
		peer_misbehaving(p, "inv message size = %zu", count);
		return H_OK;
	}
	if (rc != 0)
		return H_MALFORMED;
	for (i = 0; i < count && !p->disconnect; i++) {
		if (is_block_inv(v[i].type))
			sync_on_block_inv(n, p, v[i].hash, &want_headers);
		else if (is_tx_inv(v[i].type)) {
			if (txrelay_on_inv(p, &v[i]) == -1)
				break;
		}
		/* Other types are unknown to us and ignored. */
	}
	free(v);
	txrelay_inv_done(p);
	if (want_headers && !p->disconnect)
		sync_send_getheaders(n, p, 0);
	return H_OK;
}

static int
h_getdata(struct peer *p, struct rbuf *r)
{
	struct inv *v;
	size_t count;
	int rc;

	if ((rc = inv_parse(r, &v, &count)) == PROTO_ETOOMANY) {
		peer_misbehaving(p, "getdata message size = %zu", count);
		return H_OK;
	}
	if (rc != 0)
		return H_MALFORMED;
	/* Messages wait while requests are queued, so this is the only batch. */
	if (p->getdata_off < p->getdata_n) {
		size_t left = p->getdata_n - p->getdata_off;

		p->getdata = xreallocarray(p->getdata, left + count,
		    sizeof(*v));
		memmove(p->getdata, p->getdata + p->getdata_off,
		    left * sizeof(*v));
		memcpy(p->getdata + left, v, count * sizeof(*v));
		p->getdata_n = left + count;
		free(v);
	} else {
		free(p->getdata);
		p->getdata = v;
		p->getdata_n = count;
	}
	p->getdata_off = 0;
	getdata_serve(p);
	return H_OK;
}

void
getdata_serve(struct peer *p)
{
	struct net *n = p->net;
	struct inv *nf = NULL;
	size_t nnf = 0;
	struct wbuf w;

	while (p->getdata_off < p->getdata_n && !p->paused_send &&
	    !p->disconnect) {
		struct inv *iv = &p->getdata[p->getdata_off++];
		uint32_t base = iv->type & ~MSG_WITNESS_FLAG;

		if (base == MSG_TX || base == MSG_WTX) {
			if (txrelay_serve(p, iv) != 0) {
				nf = xreallocarray(nf, nnf + 1, sizeof(*nf));
				nf[nnf++] = *iv;
			}
		} else if (base == MSG_BLOCK) {
			sync_serve_block(n, p, iv->hash,
			    (iv->type & MSG_WITNESS_FLAG) ?
				SERVE_BLOCK_WITNESS :
				SERVE_BLOCK_STRIPPED);
		} else if (iv->type == MSG_CMPCT_BLOCK) {
			sync_serve_block(n, p, iv->hash, SERVE_BLOCK_CMPCT);
		}
		/* Filtered blocks need a bloom filter, which we never accept. */
	}
	if (nnf) {
		wbuf_init(&w);
		inv_encode(&w, nf, nnf);
		peer_send_wbuf(p, MT_NOTFOUND, &w);
		wbuf_free(&w);
		free(nf);
	}
	if (p->getdata_off >= p->getdata_n) {
		free(p->getdata);
		p->getdata = NULL;
		p->getdata_n = p->getdata_off = 0;
	}
}

static int
h_notfound(struct peer *p, struct rbuf *r)
{
	struct inv *v;
	size_t count;

	/* Only transaction requests are cancelled by notfound. */
	if (inv_parse(r, &v, &count) != 0)
		return H_MALFORMED;
	txrelay_on_notfound(p, v, count);
	free(v);
	return H_OK;
}

static int
locator_checked(struct peer *p, struct rbuf *r, struct locator_msg *m,
    const char *what)
{
	char why[128];
	int rc;

	if ((rc = locator_parse(r, m)) == PROTO_ETOOMANY) {
		snprintf(why, sizeof(why), "%s locator size %zu > %d", what,
		    m->n, MAX_LOCATOR_SZ);
		peer_disconnect(p, why);
		return H_OK;
	}
	if (rc != 0)
		return H_MALFORMED;
	return 1;
}

static int
h_getheaders(struct peer *p, struct rbuf *r)
{
	struct locator_msg m;
	int rc;

	if ((rc = locator_checked(p, r, &m, "getheaders")) != 1)
		return rc;
	sync_serve_getheaders(p->net, p, &m);
	free(m.hashes);
	return H_OK;
}

static int
h_getblocks(struct peer *p, struct rbuf *r)
{
	struct locator_msg m;
	int rc;

	if ((rc = locator_checked(p, r, &m, "getblocks")) != 1)
		return rc;
	sync_serve_getblocks(p->net, p, &m);
	free(m.hashes);
	return H_OK;
}

static int
h_headers(struct peer *p, struct rbuf *r)
{
	struct block_header *h;
	size_t count;
	int rc;

	if ((rc = headers_parse(r, &h, &count)) == PROTO_ETOOMANY) {
		peer_misbehaving(p, "headers message size = %zu", count);
		return H_OK;
	}
	if (rc != 0)
		return H_MALFORMED;
	rc = sync_on_headers(p->net, p, h, count);
	free(h);
	return rc;
}

static int
h_block(struct peer *p, struct rbuf *r)
{
	return sync_on_block(p->net, p, r->p, r->len);
}

static int
h_cmpctblock(struct peer *p, struct rbuf *r)
{
	struct cmpct_block cb;
	int rc;

	if (cmpct_block_parse(r, &cb) != 0)
		return H_MALFORMED;
	rc = sync_on_cmpctblock(p->net, p, &cb);
	cmpct_block_free(&cb);
	return rc;
}

static int
h_sendheaders(struct peer *p, struct rbuf *r)
{
	p->sync.prefers_headers = 1;
	return H_OK;
}

static int
h_feefilter(struct peer *p, struct rbuf *r)
{
	int64_t rate;

	if (feefilter_parse(r, &rate) != 0)
		return H_MALFORMED;
	/* Kept for the mempool; out-of-range rates are ignored as Core. */
	if (rate >= 0 && rate <= 2100000000000000LL) {
		p->fee_filter = rate;
		log_debug(LOG_NET,
		    "received: feefilter of %lld sat/kvB from "
		    "peer=%llu",
		    (long long)rate, (unsigned long long)p->id);
	}
	return H_OK;
}

static int
h_tx(struct peer *p, struct rbuf *r)
{
	return txrelay_on_tx(p, r);
}

static int
h_mempool(struct peer *p, struct rbuf *r)
{
	/* We offer no bloom filters: only permitted peers may ask. */
	if (!peer_has_perm(p, PF_MEMPOOL)) {
		if (!peer_has_perm(p, PF_NOBAN))
			peer_disconnect(p,
			    "mempool request with bloom filters "
			    "disabled");
		return H_OK;
	}
	txrelay_on_mempool(p);
	return H_OK;
}

static int
h_bloom(struct peer *p, struct rbuf *r)
{
	peer_disconnect(p,
	    "bloom filter message received despite not "
	    "offering bloom services");
	return H_OK;
}

#define ANY MAX_PROTOCOL_MESSAGE_LENGTH

static const struct msg_handler handlers[MT_COUNT] = {
	[MT_VERSION] = { h_version, 46, ANY, F_PRE_VERACK },
	[MT_VERACK] = { h_verack, 0, ANY, F_PRE_VERACK },
	[MT_WTXIDRELAY] = { h_wtxidrelay, 0, ANY,
	    F_PRE_VERACK | F_NEGOTIATION },
	[MT_SENDADDRV2] = { h_sendaddrv2, 0, ANY,
	    F_PRE_VERACK | F_NEGOTIATION },
	[MT_SENDTXRCNCL] = { h_sendtxrcncl, 0, ANY,
	    F_PRE_VERACK | F_NEGOTIATION },
	[MT_SENDHEADERS] = { h_sendheaders, 0, ANY, F_PRE_VERACK },
	[MT_SENDCMPCT] = { cmpct_on_sendcmpct, 9, ANY, F_PRE_VERACK },
	[MT_PING] = { h_ping, 0, ANY, 0 },
	[MT_PONG] = { h_pong, 0, ANY, 0 },
	[MT_ADDR] = { h_addr, 1, ANY, 0 },
	[MT_ADDRV2] = { h_addrv2, 1, ANY, 0 },
	[MT_GETADDR] = { h_getaddr, 0, ANY, 0 },
	[MT_INV] = { h_inv, 1, ANY, 0 },
	[MT_GETDATA] = { h_getdata, 1, ANY, 0 },
	[MT_NOTFOUND] = { h_notfound, 1, ANY, 0 },
	[MT_GETHEADERS] = { h_getheaders, 37, ANY, 0 },
	[MT_GETBLOCKS] = { h_getblocks, 37, ANY, 0 },
	[MT_HEADERS] = { h_headers, 1, ANY, 0 },
	[MT_BLOCK] = { h_block, BLOCK_HEADER_SIZE + 1,
	    MAX_BLOCK_SERIALIZED_SIZE, 0 },
	[MT_CMPCTBLOCK] = { h_cmpctblock, BLOCK_HEADER_SIZE + 10, ANY, 0 },
	[MT_GETBLOCKTXN] = { cmpct_on_getblocktxn, 33, ANY, 0 },
	[MT_BLOCKTXN] = { cmpct_on_blocktxn, 33, ANY, 0 },
	[MT_FEEFILTER] = { h_feefilter, 8, ANY, 0 },
	[MT_TX] = { h_tx, 10, ANY, 0 },
	[MT_MEMPOOL] = { h_mempool, 0, ANY, 0 },
	[MT_FILTERLOAD] = { h_bloom, 0, ANY, 0 },
	[MT_FILTERADD] = { h_bloom, 0, ANY, 0 },
	[MT_FILTERCLEAR] = { h_bloom, 0, ANY, 0 },
	/* BIP157 (cfilters.c); without -peerblockfilters they disconnect. */
	[MT_GETCFILTERS] = { cfilters_on_getcfilters, 37, ANY, 0 },
	[MT_GETCFHEADERS] = { cfilters_on_getcfheaders, 37, ANY, 0 },
	[MT_GETCFCHECKPT] = { cfilters_on_getcfcheckpt, 33, ANY, 0 },
	/* Known, not used by us: ignored with a debug line. */
	[MT_MERKLEBLOCK] = { NULL, 0, ANY, 0 },
	[MT_CFILTER] = { NULL, 0, ANY, 0 },
	[MT_CFHEADERS] = { NULL, 0, ANY, 0 },
	[MT_CFCHECKPT] = { NULL, 0, ANY, 0 },
	[MT_OTHER] = { NULL, 0, ANY, 0 },
};

int
msg_dispatch(struct peer *p, enum msg_type t, const char *cmd,
    const uint8_t *payload, size_t len)
{
	const struct msg_handler *h = &handlers[t];
	char why[128];
	struct rbuf r;
	int rc;

	log_debug(LOG_NET, "received: %s (%zu bytes) peer=%llu", cmd, len,
	    (unsigned long long)p->id);
	if (t == MT_VERSION && p->version_recv) {
		log_peer(p, "redundant version message from");
		return H_OK;
	}
	if (t != MT_VERSION && !p->version_recv) {
		log_debug(LOG_NET,
		    "non-version message before version "
		    "handshake. Message \"%s\" from peer=%llu",
		    cmd, (unsigned long long)p->id);
		return H_OK;
	}
	if ((h->flags & F_NEGOTIATION) && p->handshaked) {
		snprintf(why, sizeof(why), "%s received after verack", cmd);
		peer_disconnect(p, why);
		return H_OK;
	}
	if (!p->handshaked && !(h->flags & F_PRE_VERACK)) {
		log_debug(LOG_NET,
		    "Unsupported message \"%s\" prior to verack "
		    "from peer=%llu",
		    cmd, (unsigned long long)p->id);
		return H_OK;
	}
	if (h->fn == NULL) {
		if (t == MT_OTHER)
			log_debug(LOG_NET,
			    "Unknown message type \"%s\" from "
			    "peer=%llu",
			    cmd, (unsigned long long)p->id);
		else
			log_debug(LOG_NET, "%s from peer=%llu ignored", cmd,
			    (unsigned long long)p->id);
		return H_OK;
	}
	if (len < h->min_len || len > h->max_len) {
		log_debug(LOG_NET,
		    "%s (%zu bytes) peer=%llu: payload size out "
		    "of range, message ignored",
		    cmd, len, (unsigned long long)p->id);
		return H_MALFORMED;
	}
	rbuf_init(&r, payload, len);
	rc = h->fn(p, &r);
	if (rc == H_MALFORMED)
		log_debug(LOG_NET,
		    "%s (%zu bytes) peer=%llu: malformed, "
		    "message ignored",
		    cmd, len, (unsigned long long)p->id);
	return rc;
}
