/*
 * BIP157 serving, on the net thread: getcfilters, getcfheaders and
 * getcfcheckpt answered from the block filter index in the store, with
 * Bitcoin Core's checks and limits (net_processing's
 * PrepareBlockFilterRequest and ProcessGetCF*). A request with a filter
 * type we do not serve (any, without -peerblockfilters), an unknown stop
 * block or one the peer may not see, a start above the stop or a range
 * over the limit disconnects the peer; a range the index has not reached
 * yet is not answered. Each request reads in one store read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/filterindex.h"
#include "net/net_int.h"
#include "net/sync_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's limits: filters per getcfilters, hashes per getcfheaders. */
#define MAX_GETCFILTERS_SIZE 1000
#define MAX_GETCFHEADERS_SIZE 2000
/* Blocks between two checkpoints of a cfcheckpt. */
#define CFCHECKPT_INTERVAL 1000

/*
 * Core's PrepareBlockFilterRequest: 0 with the stop block in *stop, or -1
 * (the peer is marked for disconnection when the request was bad).
 */
static int
prepare(struct peer *p, struct store_rtxn *t, const struct getcf_msg *m,
    uint32_t max_diff, struct block_index_entry *stop)
{
	struct net *n = p->net;
	uint32_t stop_h;
	char why[192], hex[65];

	if (m->type != BLOCKFILTER_BASIC ||
	    !(n->local_services & NODE_COMPACT_FILTERS)) {
		snprintf(why, sizeof(why),
		    "peer requested unsupported block "
		    "filter type: %u",
		    m->type);
		peer_disconnect(p, why);
		return -1;
	}
	if (store_get_index(t, m->stop, stop) != STORE_OK ||
	    !sync_block_request_allowed(n, t, stop)) {
		hash_to_hex(m->stop, hex);
		snprintf(why, sizeof(why),
		    "peer requested invalid block hash: "
		    "%s",
		    hex);
		peer_disconnect(p, why);
		return -1;
	}
	stop_h = (uint32_t)stop->height;
	if (m->start > stop_h) {
		snprintf(why, sizeof(why),
		    "peer sent invalid getcfilters/"
		    "getcfheaders with start height %u and stop height %u",
		    m->start, stop_h);
		peer_disconnect(p, why);
		return -1;
	}
	if (stop_h - m->start >= max_diff) {
		snprintf(why, sizeof(why),
		    "peer requested too many cfilters/"
		    "cfheaders: %u / %u",
		    stop_h - m->start + 1, max_diff);
		peer_disconnect(p, why);
		return -1;
	}
	return 0;
}

static void
not_indexed(struct peer *p, const char *what, const struct getcf_msg *m)
{
	char hex[65];

	hash_to_hex(m->stop, hex);
	log_debug(LOG_NET,
	    "Failed to find block filter %s in index: "
	    "filter_type=%s, start_height=%u, stop_hash=%s peer=%llu",
	    what, blockfilter_type_name(m->type), m->start, hex,
	    (unsigned long long)p->id);
}

int
cfilters_on_getcfilters(struct peer *p, struct rbuf *r)
{
	struct block_index_entry stop;
	struct store_filter *f = NULL;
	struct store_rtxn *t;
	struct getcf_msg m;
	uint8_t(*hashes)[32] = NULL;
	size_t i, nf;
	struct wbuf w;

	if (getcf_parse(r, &m) != 0)
		return H_MALFORMED;
	t = sync_rtxn(p->net);
	if (prepare(p, t, &m, MAX_GETCFILTERS_SIZE, &stop) != 0)
		goto out;
	nf = (size_t)stop.height - m.start + 1;
	f = xcalloc(nf, sizeof(*f));
	hashes = xcalloc(nf, sizeof(*hashes));
	if (filterindex_range(t, m.type, &stop, (int32_t)m.start, f, hashes) !=
	    STORE_OK) {
		not_indexed(p, "", &m);
		goto out;
	}
	wbuf_init(&w);
	for (i = 0; i < nf; i++) {
		wbuf_reset(&w);
		cfilter_encode(&w, m.type, hashes[i], f[i].filter, f[i].len);
		peer_send_wbuf(p, MT_CFILTER, &w);
	}
	wbuf_free(&w);
out:
	store_read_end(t);
	free(hashes);
	free(f);
	return H_OK;
}

int
cfilters_on_getcfheaders(struct peer *p, struct rbuf *r)
{
	struct block_index_entry stop;
	struct store_filter *f = NULL, pf;
	struct store_rtxn *t;
	struct getcf_msg m;
	uint8_t prev[32], ph[32], (*fh)[32] = NULL;
	size_t i, nf;
	struct wbuf w;

	if (getcf_parse(r, &m) != 0)
		return H_MALFORMED;
	t = sync_rtxn(p->net);
	if (prepare(p, t, &m, MAX_GETCFHEADERS_SIZE, &stop) != 0)
		goto out;
	memset(prev, 0, sizeof(prev));
	if (m.start > 0) {
		if (filterindex_ancestor(t, &stop, (int32_t)m.start - 1, ph) !=
			STORE_OK ||
		    store_get_blockfilter(t, m.type, ph, &pf) != STORE_OK) {
			not_indexed(p, "header", &m);
			goto out;
		}
		memcpy(prev, pf.header, 32);
	}
	nf = (size_t)stop.height - m.start + 1;
	f = xcalloc(nf, sizeof(*f));
	fh = xcalloc(nf, sizeof(*fh));
	if (filterindex_range(t, m.type, &stop, (int32_t)m.start, f, NULL) !=
	    STORE_OK) {
		not_indexed(p, "hashes", &m);
		goto out;
	}
	for (i = 0; i < nf; i++)
		memcpy(fh[i], f[i].filter_hash, 32);
	wbuf_init(&w);
	cfheaders_encode(&w, m.type, stop.hash, prev, (const uint8_t(*)[32])fh,
	    nf);
	peer_send_wbuf(p, MT_CFHEADERS, &w);
	wbuf_free(&w);
out:
	store_read_end(t);
	free(fh);
	free(f);
	return H_OK;
}

int
cfilters_on_getcfcheckpt(struct peer *p, struct rbuf *r)
{
	struct block_index_entry stop;
	struct store_filter f;
	struct store_rtxn *t;
	struct getcf_msg m;
	uint8_t(*hdr)[32] = NULL, hash[32];
	size_t i, nh;
	struct wbuf w;

	if (getcfcheckpt_parse(r, &m) != 0)
		return H_MALFORMED;
	t = sync_rtxn(p->net);
	if (prepare(p, t, &m, UINT32_MAX, &stop) != 0)
		goto out;
	nh = (size_t)stop.height / CFCHECKPT_INTERVAL;
	hdr = xcalloc(nh ? nh : 1, sizeof(*hdr));
	for (i = 0; i < nh; i++) {
		if (filterindex_ancestor(t, &stop,
			(int32_t)((i + 1) * CFCHECKPT_INTERVAL),
			hash) != STORE_OK ||
		    store_get_blockfilter(t, m.type, hash, &f) != STORE_OK) {
			not_indexed(p, "header", &m);
			goto out;
		}
		memcpy(hdr[i], f.header, 32);
	}
	wbuf_init(&w);
	cfcheckpt_encode(&w, m.type, stop.hash, (const uint8_t(*)[32])hdr, nh);
	peer_send_wbuf(p, MT_CFCHECKPT, &w);
	wbuf_free(&w);
out:
	store_read_end(t);
	free(hdr);
	return H_OK;
}
