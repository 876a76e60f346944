/*
 * Block sync's use of the low-work headers sync (headerssync.h), on the net
 * thread: when a peer's headers start one (Core's TryLowWorkHeadersSync),
 * how later batches feed it (IsContinuationOfLowWorkHeadersSync), handing
 * the headers it releases to validation, and the presync progress that
 * getpeerinfo and the log show.
 *
 * The state lives in p->sync.hs. Released headers wait in it until
 * validation's queue takes them; while any wait, the peer's next headers
 * message waits too (H_RETRY), so batches reach validation in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "net/headerssync.h"
#include "net/sync_int.h"
#include "primitives/block.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/time.h"
#include "validation/validation.h"

/* Core's rate for the presync progress line: four a second at most. */
#define PRESYNC_REPORT_US 250000
/* Blocks whose timestamps give the median time past. */
#define MTP_SPAN 11

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median time past of e, from the index (fewer blocks near genesis). */
static int64_t
index_mtp(struct store_rtxn *t, const struct block_index_entry *e)
{
	struct block_index_entry cur = *e;
	int64_t times[MTP_SPAN];
	uint8_t prev[32];
	int k = 0;

	for (;;) {
		times[k++] = cur.hdr.time;
		/* The key must not alias what the lookup writes. */
		memcpy(prev, cur.hdr.prev, 32);
		if (k == MTP_SPAN || cur.height == 0 ||
		    store_get_index(t, prev, &cur) != STORE_OK)
			break;
	}
	qsort(times, (size_t)k, sizeof(times[0]), cmp_i64);
	return times[k / 2];
}

void
presync_drop(struct net *n, struct peer *p)
{
	if (p->sync.hs == NULL)
		return;
	hdrsync_free(p->sync.hs);
	p->sync.hs = NULL;
	if (n->sync->presync_best == p->id)
		n->sync->presync_best = 0;
}

/*
 * Hands released headers to validation, a batch at a time. 0 when none
 * wait any more (a finished sync is then dropped), -1 while validation's
 * queue is full.
 */
int
presync_drain(struct net *n, struct peer *p)
{
	const struct block_header *h;
	size_t count, k;

	if (p->sync.hs == NULL)
		return 0;
	for (;;) {
		h = hdrsync_ready(p->sync.hs, &count);
		if (count == 0)
			break;
		k = count < MAX_HEADERS_RESULTS ? count : MAX_HEADERS_RESULTS;
		if (validation_submit_headers(n->val, p->id, h, k) != 0)
			return -1;
		p->sync.headers_pending++;
		header_hash(&h[k - 1], p->sync.unknown_hash);
		p->sync.has_unknown = 1;
		hdrsync_consume(p->sync.hs, k);
	}
	if (hdrsync_state(p->sync.hs) == HDRSYNC_FINAL)
		presync_drop(n, p);
	return 0;
}

/*
 * Core's "Pre-synchronizing blockheaders" line: for the presync peer with
 * the most work, while our best header lacks the minimum chain work, at
 * most four a second, and only in initial block download.
 */
static void
report(struct net *n, struct peer *p)
{
	struct sync *s = n->sync;
	struct hdrsync *hs = p->sync.hs;
	struct block_index_entry best;
	struct store_rtxn *t;
	uint8_t work[32];
	int64_t now_us = net_now_us(), left, ts;
	int32_t height;
	int low;

	if (hdrsync_state(hs) != HDRSYNC_PRESYNC)
		return;
	hdrsync_presync_work(hs, work);
	if (s->presync_best != 0 && s->presync_best != p->id &&
	    memcmp(work, s->presync_best_work, 32) <= 0)
		return;
	s->presync_best = p->id;
	memcpy(s->presync_best_work, work, 32);
	if (now_us < s->presync_report_us + PRESYNC_REPORT_US)
		return;
	t = sync_rtxn(n);
	low = s->hc_height < 0 ||
	    store_get_index(t, s->hc[s->hc_height], &best) != STORE_OK ||
	    memcmp(best.chainwork, n->cp->minimum_chain_work, 32) < 0;
	store_read_end(t);
	if (!low || !sync_is_ibd(n))
		return;
	s->presync_report_us = now_us;
	height = hdrsync_presync_height(hs);
	ts = hdrsync_presync_time(hs);
	left = (node_time() - ts) / n->cp->target_spacing;
	if (left < 0)
		left = 0;
	log_info("Pre-synchronizing blockheaders, height: %d (~%.2f%%)",
	    height,
	    height + left > 0 ? 100.0 * height / (double)(height + left) :
				100.0);
}

static void
request_more(struct net *n, struct peer *p)
{
	uint8_t first[32];
	char hex[65];

	hdrsync_locator_hash(p->sync.hs, first);
	blockdl_send_getheaders(n, p, first, hdrsync_start_height(p->sync.hs));
	hash_to_hex(first, hex);
	log_debug(LOG_NET, "more getheaders (from %s) to peer=%llu", hex,
	    (unsigned long long)p->id);
}

int
presync_continue(struct net *n, struct peer *p, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count)
{
	struct hdrsync_result res;
	const struct block_header *ready;
	uint8_t last[32];
	size_t nready;

	hdrsync_process(p->sync.hs, h, (const uint8_t(*)[32])hashes, count,
	    count == MAX_HEADERS_RESULTS, &res);
	if (!res.success) {
		/* As Core: the batch is then taken as if no sync were on. */
		presync_drop(n, p);
		return PRESYNC_FAILED;
	}
	if (res.request_more)
		request_more(n, p);
	report(n, p);
	ready = hdrsync_ready(p->sync.hs, &nready);
	if (nready > 0)
		header_hash(&ready[nready - 1], last);
	presync_drain(n, p);
	/*
	 * The sync is over and a full batch came: the peer may have more
	 * past what was released (Core: a full batch with no sync left).
	 */
	if (nready > 0 && !res.request_more && count == MAX_HEADERS_RESULTS)
		blockdl_send_getheaders(n, p, last, n->sync->hc_height);
	return PRESYNC_DONE;
}

int
presync_try_low_work(struct net *n, struct peer *p, struct store_rtxn *t,
    const struct block_index_entry *start, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count)
{
	struct arith256 total, proof, floor;
	struct hdrsync_params prm;
	struct hdrsync_start st;
	uint8_t min[32], salt[24];
	uint64_t r;
	size_t i;

	arith256_from_be(&total, start->chainwork);
	for (i = 0; i < count; i++) {
		arith256_block_proof(&proof, h[i].bits);
		arith256_add(&total, &total, &proof);
	}
	sync_antidos_threshold(n->sync, t, &floor);
	if (arith256_cmp(&total, &floor) >= 0)
		return 0;
	if (count != MAX_HEADERS_RESULTS) {
		/* Too short to be going anywhere: not worth a sync. */
		log_debug(LOG_NET,
		    "Ignoring low-work chain (height=%d) from peer=%llu",
		    start->height + (int32_t)count, (unsigned long long)p->id);
		return 1;
	}
	presync_drop(n, p);
	st.hdr = start->hdr;
	memcpy(st.hash, start->hash, 32);
	st.height = start->height;
	memcpy(st.chainwork, start->chainwork, 32);
	st.mtp = index_mtp(t, start);
	arith256_to_be(&floor, min);
	for (i = 0; i < sizeof(salt); i += 8) {
		r = rand_u64();
		memcpy(salt + i, &r, 8);
	}
	hdrsync_params_for(n->cp, &prm);
	p->sync.hs = hdrsync_new(n->cp, &prm, p->id, &st, min, node_time(),
	    salt);
	/* A first batch that fails goes on as if no sync were on (Core). */
	return presync_continue(n, p, h, hashes, count) == PRESYNC_DONE;
}

int32_t
presync_height(const struct peer *p)
{
	if (p->sync.hs == NULL || hdrsync_state(p->sync.hs) == HDRSYNC_FINAL)
		return -1;
	return hdrsync_presync_height(p->sync.hs);
}

void
presync_tick(struct net *n, struct peer *p)
{
	if (p->sync.hs != NULL && presync_drain(n, p) == 0)
		net_schedule(n);
}
