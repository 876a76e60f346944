/*
 * Headers-first block download, on the net thread.
 *
 * Every outbound peer (and an inbound one when we have no outbound
 * source) is asked for headers from one block below our best header, so
 * that a peer in sync still answers with one header and we learn what it
 * has. Headers pass a context-free check here (proof of work, continuity)
 * and go to the validation thread; its answer (headers_done) tells us the
 * peer's best block. Blocks are then fetched in parallel from every peer
 * that has them: at most MAX_BLOCKS_IN_TRANSIT_PER_PEER each, never
 * further than BLOCK_DOWNLOAD_WINDOW past our tip, never the same block
 * from two peers. A peer holding the block the window waits for, when
 * another peer has nothing left to fetch, is "stalling": it is dropped
 * once the stall timeout passes (2 s, doubling per stall up to 64 s,
 * shrinking back as blocks connect). A peer whose oldest request is older
 * than the block download timeout is dropped too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "net/cmpct.h"
#include "net/sync_int.h"
#include "primitives/block.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

/* Context-free proof of work of a header (Core's CheckProofOfWork). */
static int
check_pow(const struct chainparams *cp, const uint8_t hash[32], uint32_t bits)
{
	struct arith256 target, limit, h;
	int neg = 0, ovf = 0;

	arith256_set_compact(&target, bits, &neg, &ovf);
	arith256_from_be(&limit, cp->pow_limit);
	if (neg || ovf || arith256_is_zero(&target) ||
	    arith256_cmp(&target, &limit) > 0)
		return 0;
	arith256_from_le(&h, hash);
	return arith256_cmp(&h, &target) <= 0;
}

static void
maybe_send_sendheaders(struct net *n, struct peer *p)
{
	if (p->sync.sent_sendheaders || p->version < SENDHEADERS_VERSION ||
	    !p->sync.has_best || !p->handshaked)
		return;
	/* Headers announcements are wanted once we are past the low-work part. */
	if (memcmp(p->sync.best_work, n->cp->minimum_chain_work, 32) <= 0 &&
	    memcmp(n->cp->minimum_chain_work, (uint8_t[32]){ 0 }, 32) != 0)
		return;
	peer_send(p, MT_SENDHEADERS, NULL, 0);
	p->sync.sent_sendheaders = 1;
}

/* ---- getheaders we send ---- */

/* Core's exponential locator over our best header chain, from height top. */
static size_t
build_locator(struct sync *s, int32_t top, uint8_t (*out)[32], size_t max)
{
	int32_t h = top, step = 1;
	size_t k = 0;

	while (h >= 0 && k < max) {
		memcpy(out[k++], s->hc[h], 32);
		if (h == 0)
			break;
		if (k >= 10)
			step *= 2;
		h = h - step > 0 ? h - step : 0;
	}
	return k;
}

void
blockdl_send_getheaders(struct net *n, struct peer *p, const uint8_t *first,
    int32_t top)
{
	struct sync *s = n->sync;
	uint8_t(*loc)[32];
	uint8_t stop[32] = { 0 };
	struct wbuf w;
	size_t k = 0;

	loc = xcalloc(MAX_LOCATOR_SZ, 32);
	if (first)
		memcpy(loc[k++], first, 32);
	if (top > s->hc_height)
		top = s->hc_height;
	if (top >= 0)
		k += build_locator(s, top, loc + k, MAX_LOCATOR_SZ - k);
	wbuf_init(&w);
	locator_encode(&w, (const uint8_t(*)[32])loc, k, stop);
	peer_send_wbuf(p, MT_GETHEADERS, &w);
	wbuf_free(&w);
	free(loc);
	p->sync.getheaders_time = node_time();
	log_debug(LOG_NET, "sending getheaders (%d) to peer=%llu", top,
	    (unsigned long long)p->id);
}

void
sync_send_getheaders_at(struct net *n, struct peer *p, int32_t height)
{
	if (height > n->sync->hc_height)
		height = n->sync->hc_height;
	blockdl_send_getheaders(n, p, NULL, height);
}

/* Core's MaybeSendGetHeaders: at most one outstanding per HEADERS_RESPONSE_TIME. */
void
sync_send_getheaders(struct net *n, struct peer *p, int force)
{
	if (!force && p->sync.getheaders_time != 0 &&
	    node_time() - p->sync.getheaders_time <= HEADERS_RESPONSE_TIME)
		return;
	blockdl_send_getheaders(n, p, NULL, n->sync->hc_height);
}

static int
can_serve_blocks(const struct peer *p)
{
	return (p->services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) != 0;
}

void
sync_peer_handshake(struct net *n, struct peer *p)
{
	struct sync *s = n->sync;
	int from;

	if (p->sync.preferred_download)
		s->n_preferred++;
	if (!can_serve_blocks(p) || p->type == CONN_FEELER ||
	    p->type == CONN_ADDR_FETCH || p->sync.started)
		return;
	/* Inbound peers are a source only when nothing better is there. */
	from = p->sync.preferred_download || s->n_preferred == 0 ||
	    htab_count(s->inflight) == 0;
	if (!from)
		return;
	p->sync.started = 1;
	s->n_sync_started++;
	/* One below the best header: a synced peer still sends one. */
	blockdl_send_getheaders(n, p, NULL,
	    s->hc_height > 0 ? s->hc_height - 1 : s->hc_height);
}

/* ---- block download ---- */

static void
inflight_unlink(struct peer *p, struct inflight *f)
{
	struct inflight **pp;

	for (pp = &p->sync.inflight; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			p->sync.n_inflight--;
			return;
		}
	}
}

/*
 * Takes hash out of flight, from whichever peer had it (Core's
 * RemoveBlockRequest for any peer): that peer's download clock restarts
 * when it was its oldest request. The caller frees what comes back; NULL
 * when nobody had it in flight.
 */
static struct inflight *
inflight_take(struct net *n, const uint8_t hash[32])
{
	struct inflight *f;
	struct peer *owner;
	int first;

	if ((f = htab_del(n->sync->inflight, hash)) == NULL)
		return NULL;
	if ((owner = net_peer_by_id(n, f->peer_id)) != NULL) {
		first = owner->sync.inflight == f;
		inflight_unlink(owner, f);
		if (first)
			owner->sync.downloading_since_us = net_now_us();
	}
	return f;
}

static int
peers_downloading(struct net *n)
{
	struct peer *p;
	int k = 0;

	TAILQ_FOREACH (p, &n->peers, entry)
		if (p->sync.n_inflight > 0 && !p->disconnect)
			k++;
	return k;
}

static int
may_download_from(struct sync *s, const struct peer *p)
{
	int limited;

	if (!p->handshaked || p->disconnect || !can_serve_blocks(p) ||
	    !(p->services & NODE_WITNESS) || p->type == CONN_FEELER ||
	    p->type == CONN_ADDR_FETCH)
		return 0;
	if (!sync_is_ibd(s->n))
		return 1;
	/* During initial download: preferred peers, and limited ones never. */
	limited = (p->services & NODE_NETWORK_LIMITED) &&
	    !(p->services & NODE_NETWORK);
	if (limited)
		return 0;
	return p->sync.preferred_download || s->n_preferred == 0 ||
	    htab_count(s->inflight) == 0;
}

static int
block_known(struct sync *s, struct store_rtxn *t, const uint8_t hash[32],
    int32_t height)
{
	struct block_index_entry e;
	struct blk *b;

	if (htab_get(s->pending, hash) || htab_get(s->have, hash))
		return 1;
	if (store_get_index(t, hash, &e) == STORE_OK &&
	    (e.status & BLOCK_HAVE_DATA)) {
		b = xcalloc(1, sizeof(*b));
		memcpy(b->hash, hash, 32);
		b->height = height;
		htab_put(s->have, b);
		return 1;
	}
	return 0;
}

/* Puts hash at height in flight from p; it goes into req. */
static void
set_inflight(struct sync *s, struct peer *p, const uint8_t *hash,
    int32_t height, int historical, int64_t now_us, struct inv *req)
{
	struct inflight *f, **tail;

	req->type = MSG_WITNESS_BLOCK;
	memcpy(req->hash, hash, 32);
	f = xcalloc(1, sizeof(*f));
	memcpy(f->hash, hash, 32);
	f->peer_id = p->id;
	f->height = height;
	f->time_us = now_us;
	f->historical = historical;
	htab_put(s->inflight, f);
	for (tail = &p->sync.inflight; *tail; tail = &(*tail)->next)
		;
	*tail = f;
	if (p->sync.n_inflight++ == 0)
		p->sync.downloading_since_us = now_us;
}

/* Sends the k requests set_inflight made, the first at height first. */
static void
send_getdata(struct peer *p, const struct inv *req, int k, int32_t first,
    const char *what)
{
	struct wbuf wb;

	wbuf_init(&wb);
	inv_encode(&wb, req, (size_t)k);
	peer_send_wbuf(p, MT_GETDATA, &wb);
	wbuf_free(&wb);
	log_debug(LOG_NET,
	    "requesting %d %sblock(s) from height %d "
	    "peer=%llu",
	    k, what, first, (unsigned long long)p->id);
}

/*
 * The heights below a UTXO snapshot's base that background validation
 * still needs; -1 when there is none. Without a validation thread (the
 * unit tests drive block sync alone) there is none.
 */
static int
background_range(struct net *n, int32_t *from, int32_t *to)
{
	if (n->val == NULL)
		return -1;
	return validation_background_range(n->val, from, to);
}

/*
 * assumeutxo: the blocks below a snapshot's base that background
 * validation needs, from where it is on, within the download window, and
 * only from a peer whose best chain has the base (Core's
 * TryDownloadingHistoricalBlocks). The base is on our active chain, so
 * the header chain agrees with it up to the base.
 */
static void
request_historical(struct sync *s, struct store_rtxn *t, struct peer *p,
    int64_t now_us)
{
	struct inv req[MAX_BLOCKS_IN_TRANSIT_PER_PEER];
	int32_t from, to, limit, h, first = -1;
	int want, k = 0;

	if (background_range(s->n, &from, &to) != 0 || to > s->hc_fork ||
	    !may_download_from(s, p))
		return;
	want = MAX_BLOCKS_IN_TRANSIT_PER_PEER - p->sync.n_inflight;
	if (want <= 0)
		return;
	sync_process_unknown(s, t, p);
	if (sync_peer_common(s, t, p) < to) {
		log_debug(LOG_NET,
		    "Not downloading blocks from peer=%llu, "
		    "which doesn't have the snapshot block in its best chain.",
		    (unsigned long long)p->id);
		return;
	}
	if (s->hist_scan < from)
		s->hist_scan = from;
	limit = from + BLOCK_DOWNLOAD_WINDOW - 1 < to ?
	    from + BLOCK_DOWNLOAD_WINDOW - 1 :
	    to;
	while (s->hist_scan <= limit &&
	    !htab_get(s->inflight, s->hc[s->hist_scan]) &&
	    block_known(s, t, s->hc[s->hist_scan], s->hist_scan))
		s->hist_scan++;
	for (h = s->hist_scan; h <= limit && k < want; h++) {
		if (htab_get(s->inflight, s->hc[h]) ||
		    block_known(s, t, s->hc[h], h))
			continue;
		if (k == 0)
			first = h;
		set_inflight(s, p, s->hc[h], h, 1, now_us, &req[k++]);
	}
	if (k > 0)
		send_getdata(p, req, k, first, "historical ");
}

/*
 * The peer's best block has more work than our tip but lies off our best
 * header chain: a sibling of equal work, most often, after the first block
 * of that work we heard of turned out bad or its copy mutated. Core walks
 * each peer's own best chain, so such a block is still asked for and
 * judged on its own; one bad block cannot stall download of a height.
 * Fetches the blocks above common on the peer's branch; 1 if it asked.
 */
static int low_work(struct sync *s, struct store_rtxn *t,
    const struct block_header *h, const struct block_index_entry *prev);

static int
request_off_chain(struct sync *s, struct store_rtxn *t, struct peer *p,
    int32_t common, int want, int64_t now_us)
{
	struct block_index_entry e;
	struct inv req[MAX_BLOCKS_IN_TRANSIT_PER_PEER];
	uint8_t(*branch)[32], cur[32];
	int32_t n = p->sync.best_height - common, i, top, first = -1;
	int k = 0;

	if (n > BLOCK_DOWNLOAD_WINDOW)
		return 0; /* far off: headers sync moves the chain first */
	branch = xcalloc((size_t)n, 32);
	memcpy(cur, p->sync.best_hash, 32);
	for (i = n - 1; i >= 0; i--) {
		if (store_get_index(t, cur, &e) != STORE_OK ||
		    (e.status & BLOCK_FAILED_MASK)) {
			free(branch);
			return 0;
		}
		memcpy(branch[i], cur, 32);
		memcpy(cur, e.hdr.prev, 32);
	}
	top = s->tip_height + BLOCK_DOWNLOAD_WINDOW;
	for (i = 0; i < n && k < want && common + 1 + i <= top; i++) {
		if (htab_get(s->inflight, branch[i]) ||
		    block_known(s, t, branch[i], common + 1 + i))
			continue;
		if (k == 0)
			first = common + 1 + i;
		set_inflight(s, p, branch[i], common + 1 + i, 0, now_us,
		    &req[k++]);
	}
	free(branch);
	if (k == 0)
		return 0;
	send_getdata(p, req, k, first, "");
	return 1;
}

/* Core's FindNextBlocksToDownload, then the getdata. */
static void
request_tip_blocks(struct sync *s, struct store_rtxn *t, struct peer *p,
    int64_t now_us)
{
	struct net *n = s->n;
	struct inv req[MAX_BLOCKS_IN_TRANSIT_PER_PEER];
	struct inflight *f;
	struct peer *w;
	uint64_t waiting_for = UINT64_MAX;
	int32_t common, limit, window_end, h, first = -1;
	int want, k = 0;

	if (!may_download_from(s, p))
		return;
	want = MAX_BLOCKS_IN_TRANSIT_PER_PEER - p->sync.n_inflight;
	if (want <= 0)
		return;
	sync_process_unknown(s, t, p);
	if (!p->sync.has_best ||
	    memcmp(p->sync.best_work, s->tip_work, 32) <= 0)
		return;
	/*
	 * Core downloads nothing from a peer whose best chain has less work
	 * than -minimumchainwork, whatever its permissions: its headers may be
	 * kept, its blocks are not worth the bandwidth.
	 */
	if (memcmp(p->sync.best_work, n->cp->minimum_chain_work, 32) < 0)
		return;
	common = sync_peer_common(s, t, p);
	if (common >= 0 && common < p->sync.best_height &&
	    request_off_chain(s, t, p, common, want, now_us))
		return;
	if (common <= s->hc_fork)
		return;
	window_end = s->hc_fork + BLOCK_DOWNLOAD_WINDOW;
	limit = common < window_end ? common : window_end;
	if (limit > s->hc_height)
		limit = s->hc_height;
	/*
	 * Below scan_from every block is at validation or stored. It stops at
	 * a block in flight: that one may come free again, and the stall rule
	 * below needs to see it.
	 */
	while (s->scan_from <= limit &&
	    !htab_get(s->inflight, s->hc[s->scan_from]) &&
	    block_known(s, t, s->hc[s->scan_from], s->scan_from))
		s->scan_from++;
	for (h = s->scan_from; h <= limit && k < want; h++) {
		const uint8_t *hh = s->hc[h];

		if ((f = htab_get(s->inflight, hh)) != NULL) {
			if (waiting_for == UINT64_MAX)
				waiting_for = f->peer_id;
			continue;
		}
		if (block_known(s, t, hh, h))
			continue;
		if (k == 0)
			first = h;
		set_inflight(s, p, hh, h, 0, now_us, &req[k++]);
	}
	if (k > 0) {
		/*
		 * One new block on our tip, the only one in flight: ask for it as
		 * a compact block (Core's low-bandwidth mode), unless -blocksonly
		 * leaves us no mempool to rebuild it from.
		 */
		if (k == 1 && !s->ibd && htab_count(s->inflight) == 1 &&
		    p->cmpct.provides && !n->blocksonly &&
		    first == s->tip_height + 1 && sync_can_direct_fetch(n)) {
			req[0].type = MSG_CMPCT_BLOCK;
			send_getdata(p, req, k, first, "compact ");
			return;
		}
		send_getdata(p, req, k, first, "");
		return;
	}
	/*
	 * Nothing to fetch for an idle peer, and the block the window waits
	 * for is with another: that one is stalling us. Core only says so
	 * when the window is full; with a short chain the window never fills,
	 * so the rule here also applies when everything left is in flight.
	 */
	if (p->sync.n_inflight == 0 && waiting_for != UINT64_MAX &&
	    waiting_for != p->id) {
		w = net_peer_by_id(n, waiting_for);
		if (w && w->sync.stalling_since_us == 0) {
			w->sync.stalling_since_us = now_us;
			log_debug(LOG_NET, "Stall started peer=%llu",
			    (unsigned long long)w->id);
		}
	}
}

static void
request_blocks(struct sync *s, struct store_rtxn *t, struct peer *p,
    int64_t now_us)
{
	request_tip_blocks(s, t, p, now_us);
	request_historical(s, t, p, now_us);
}

void
sync_schedule_all(struct net *n)
{
	struct sync *s = n->sync;
	struct store_rtxn *t;
	struct peer *p;
	int64_t now_us = net_now_us();
	int32_t from, to;

	if (n->stopping ||
	    (s->hc_height <= s->hc_fork &&
		background_range(n, &from, &to) != 0))
		return;
	t = sync_rtxn(n);
	TAILQ_FOREACH (p, &n->peers, entry)
		request_blocks(s, t, p, now_us);
	store_read_end(t);
}

void
sync_peer_gone(struct net *n, struct peer *p)
{
	struct sync *s = n->sync;
	struct inflight *f, *next;

	for (f = p->sync.inflight; f; f = next) {
		next = f->next;
		htab_del(s->inflight, f->hash);
		/* Free for someone else to fetch. */
		if (f->historical && f->height < s->hist_scan)
			s->hist_scan = f->height;
		else if (!f->historical && f->height < s->scan_from)
			s->scan_from = f->height;
		free(f);
	}
	p->sync.inflight = NULL;
	p->sync.n_inflight = 0;
	presync_drop(n, p);
	if (p->handshaked && p->sync.preferred_download && s->n_preferred > 0)
		s->n_preferred--;
	if (p->sync.started && s->n_sync_started > 0)
		s->n_sync_started--;
	net_schedule(n);
}

size_t
sync_inflight_heights(struct peer *p, int32_t *out, size_t max)
{
	struct inflight *f;
	size_t k = 0;

	for (f = p->sync.inflight; f && k < max; f = f->next)
		out[k++] = f->height;
	return k;
}

void
blockdl_new_tip(struct sync *s)
{
	void **drop;
	size_t pos = 0, k = 0, i;
	struct blk *b;

	/* Connected blocks shrink the stall timeout back (Core: 0.85 each). */
	if (s->stall_timeout_us > BLOCK_STALLING_TIMEOUT_DEFAULT_US) {
		s->stall_timeout_us = s->stall_timeout_us * 85 / 100;
		if (s->stall_timeout_us < BLOCK_STALLING_TIMEOUT_DEFAULT_US)
			s->stall_timeout_us =
			    BLOCK_STALLING_TIMEOUT_DEFAULT_US;
	}
	/* Stored blocks now at or below the tip need no tracking. */
	drop = xcalloc(htab_count(s->have) + 1, sizeof(*drop));
	while ((b = htab_next(s->have, &pos)) != NULL)
		if (b->height <= s->tip_height)
			drop[k++] = b;
	for (i = 0; i < k; i++) {
		htab_del(s->have, ((struct blk *)drop[i])->hash);
		free(drop[i]);
	}
	free(drop);
}

void
sync_tick(struct net *n)
{
	struct sync *s = n->sync;
	int64_t now_us = net_now_us(), limit;
	int others;
	struct peer *p;
	char why[160], hex[65];

	others = peers_downloading(n) - 1;
	if (others < 0)
		others = 0;
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->disconnect || !p->handshaked)
			continue;
		maybe_send_sendheaders(n, p);
		blockserve_tick(n, p);
		presync_tick(n, p);
		/*
		 * Its messages wait in our input for its earlier work (in-order
		 * processing): the delay is ours, as with a full validation
		 * queue, so it is not stalling us.
		 */
		if (peer_input_waits(p))
			p->sync.stalling_since_us = 0;
		if (p->sync.stalling_since_us &&
		    now_us > p->sync.stalling_since_us + s->stall_timeout_us) {
			log_info("Peer=%llu is stalling block download, "
				 "disconnecting",
			    (unsigned long long)p->id);
			peer_disconnect(p, NULL);
			if (s->stall_timeout_us <
			    BLOCK_STALLING_TIMEOUT_MAX_US) {
				s->stall_timeout_us *= 2;
				if (s->stall_timeout_us >
				    BLOCK_STALLING_TIMEOUT_MAX_US)
					s->stall_timeout_us =
					    BLOCK_STALLING_TIMEOUT_MAX_US;
				log_debug(LOG_NET,
				    "Increased stalling timeout "
				    "temporarily to %lld seconds",
				    (long long)(s->stall_timeout_us /
					1000000));
			}
			continue;
		}
		if (p->sync.n_inflight == 0)
			continue;
		limit = (int64_t)((double)n->cp->target_spacing * 1e6 *
		    (BLOCK_DOWNLOAD_TIMEOUT_BASE +
			BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * others));
		if (now_us > p->sync.downloading_since_us + limit) {
			hash_to_hex(p->sync.inflight->hash, hex);
			snprintf(why, sizeof(why),
			    "Timeout downloading block %s", hex);
			peer_disconnect(p, why);
		}
	}
	net_schedule(n);
}

/*
 * An unrequested block whose header is new to us and whose chain has less
 * work than Core's anti-DoS threshold (the minimum chain work, or our tip
 * less 144 blocks if that is more): Core does not even store its header
 * (AcceptBlockHeader without min_pow_checked) and does not punish the
 * sender. A block on an unknown parent goes on to validation, which calls
 * it an orphan, as Core's prev-blk-not-found comes before this check.
 */
static int
unrequested_low_work(struct sync *s, const struct block_header *h,
    const uint8_t hash[32])
{
	struct store_rtxn *t = sync_rtxn(s->n);
	struct block_index_entry prev, e;
	char hex[65];
	int drop;

	drop = store_get_index(t, hash, &e) != STORE_OK &&
	    store_get_index(t, h->prev, &prev) == STORE_OK &&
	    low_work(s, t, h, &prev);
	store_read_end(t);
	if (drop) {
		hash_to_hex(hash, hex);
		log_debug(LOG_VALIDATION,
		    "AcceptBlockHeader: not adding new "
		    "block header %s, missing anti-dos proof-of-work "
		    "validation",
		    hex);
	}
	return drop;
}

static int on_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len, int via_cmpct);

int
sync_on_block(struct net *n, struct peer *p, const uint8_t *raw, size_t len)
{
	return on_block(n, p, raw, len, 0);
}

int
sync_on_cmpct_block(struct net *n, struct peer *p, const uint8_t *raw,
    size_t len)
{
	return on_block(n, p, raw, len, 1);
}

static int
on_block(struct net *n, struct peer *p, const uint8_t *raw, size_t len,
    int via_cmpct)
{
	struct sync *s = n->sync;
	struct block_header hdr;
	struct inflight *f;
	struct rbuf r;
	struct blk *b;
	uint8_t hash[32];
	char hex[65];
	int rc;

	rbuf_init(&r, raw, len);
	if (header_parse(&r, &hdr) == -1)
		return H_MALFORMED;
	header_hash(&hdr, hash);
	if (!htab_get(s->inflight, hash) &&
	    unrequested_low_work(s, &hdr, hash))
		return H_OK;
	rc = validation_submit_block(n->val, p->id, raw, len);
	if (rc == QUEUE_EFULL) {
		/*
		 * The block is here, waiting in our input for room in
		 * validation's queue, with whatever the peer sent after it: the
		 * delay is ours, so the peer is not stalling us (Core, which
		 * validates as it reads, has no such state). Without this a busy
		 * validation thread got its fastest source disconnected.
		 */
		p->sync.stalling_since_us = 0;
		return H_RETRY;
	}
	if (rc != 0)
		return H_OK;
	hash_to_hex(hash, hex);
	log_debug(LOG_NET, "received block %s peer=%llu", hex,
	    (unsigned long long)p->id);
	b = htab_get(s->pending, hash);
	if (b == NULL) {
		b = xcalloc(1, sizeof(*b));
		memcpy(b->hash, hash, 32);
		b->height = -1;
		htab_put(s->pending, b);
	}
	b->count++;
	b->via_cmpct = via_cmpct;
	p->sync.blocks_pending++;
	/* Whoever we asked, the block is here: the request is done. */
	if ((f = inflight_take(n, hash)) != NULL) {
		b->height = f->height;
		free(f);
	}
	/* A block from a stalling peer ends its stall. */
	p->sync.stalling_since_us = 0;
	net_schedule(n);
	return H_OK;
}

/*
 * In initial download an outbound peer whose headers chain, all of it,
 * has less than the minimum chain work cannot help us sync: Core drops it
 * (block download would never start from it anyway). 1 if dropped.
 */
static int
insufficient_work(struct net *n, struct peer *p)
{
	if ((p->type != CONN_OUTBOUND_FULL && p->type != CONN_BLOCK_RELAY) ||
	    !p->sync.has_best || !sync_is_ibd(n) ||
	    memcmp(p->sync.best_work, n->cp->minimum_chain_work, 32) >= 0)
		return 0;
	log_info("Disconnecting outbound peer %llu -- headers chain has "
		 "insufficient work",
	    (unsigned long long)p->id);
	peer_disconnect(p, "headers chain has insufficient work");
	return 1;
}

/*
 * Reasons found in the header or its place in the chain (Core's
 * BLOCK_INVALID_HEADER, BLOCK_INVALID_PREV, BLOCK_CHECKPOINT): a peer is
 * answerable for these even when it sent the block compact.
 */
static int
header_reason(const char *reason)
{
	return strcmp(reason, "high-hash") == 0 ||
	    strcmp(reason, "bad-diffbits") == 0 ||
	    strcmp(reason, "time-too-old") == 0 ||
	    strcmp(reason, "time-timewarp-attack") == 0 ||
	    strncmp(reason, "bad-version", 11) == 0 ||
	    strcmp(reason, "bad-prevblk") == 0 ||
	    strcmp(reason, "bad-fork-prior-to-checkpoint") == 0;
}

static int
punishable(const struct peer *p, const char *reason, int via_cmpct)
{
	/*
	 * A block from the future may become valid: Core does not punish it.
	 * Nor one that does not deserialize: Core drops such a message.
	 */
	if (strcmp(reason, "time-too-new") == 0 ||
	    strcmp(reason, "block-decode-failed") == 0)
		return 0;
	/*
	 * BIP152 lets a high-bandwidth peer announce a block before it has
	 * validated it, so a compact block that fails past its header is no
	 * fault of the sender's (Core's via_compact_block).
	 */
	if (via_cmpct && !header_reason(reason))
		return 0;
	/*
	 * A block or header we hold as invalid already (Core's
	 * BLOCK_CACHED_INVALID): an outbound peer on an invalid chain is no
	 * use to us, but an inbound one may just be relaying what it was sent.
	 */
	if (strcmp(reason, "duplicate-invalid") == 0)
		return p->type != CONN_INBOUND;
	return 1;
}

void
sync_block_done(struct net *n, uint64_t peer_id,
    const struct netq_block_done *d)
{
	struct sync *s = n->sync;
	struct store_rtxn *t;
	struct peer *p = net_peer_by_id(n, peer_id);
	struct blk *b, *hv;
	int32_t height = -1;
	int ours = 0, via_cmpct = 0;
	char hex[65];

	if ((b = htab_get(s->pending, d->hash)) != NULL) {
		height = b->height;
		via_cmpct = b->via_cmpct;
		if (--b->count <= 0) {
			htab_del(s->pending, d->hash);
			free(b);
		}
		ours = 1;
	}
	/* Blocks from RPC or import come here too: only ours name a peer. */
	if (peer_id == VALIDATION_PEER_LOCAL ||
	    (p && (!ours || p->sync.blocks_pending == 0)))
		p = NULL;
	if (p)
		p->sync.blocks_pending--;
	hash_to_hex(d->hash, hex);
	switch (d->res) {
	case VAL_OK:
	case VAL_DUPLICATE:
		t = sync_rtxn(n);
		if (height < 0) {
			struct block_index_entry e;

			if (store_get_index(t, d->hash, &e) == STORE_OK)
				height = e.height;
		}
		store_read_end(t);
		if (height > s->tip_height && !htab_get(s->have, d->hash)) {
			hv = xcalloc(1, sizeof(*hv));
			memcpy(hv->hash, d->hash, 32);
			hv->height = height;
			htab_put(s->have, hv);
		}
		if (p && d->res == VAL_OK) {
			p->last_block_time = node_time();
			/*
			 * A new block from p, and nothing else in flight: p is
			 * worth hearing from first (Core's BlockChecked).
			 */
			if (!s->ibd && htab_count(s->inflight) == 0)
				cmpct_maybe_set_hb(n, p);
		}
		break;
	case VAL_ORPHAN:
		/*
		 * We ask only for blocks whose header we hold, so this one was
		 * sent unasked on top of a block we do not know: Core's
		 * BLOCK_MISSING_PREV, which it punishes.
		 */
		log_debug(LOG_NET, "block %s from peer=%llu does not connect",
		    hex, (unsigned long long)peer_id);
		if (p) {
			peer_misbehaving(p,
			    "invalid block: prev-blk-not-found");
			peer_maybe_punish(p);
		}
		break;
	case VAL_INVALID:
		log_debug(LOG_NET, "block %s from peer=%llu invalid: %s", hex,
		    (unsigned long long)peer_id, d->reason);
		if (p && punishable(p, d->reason, via_cmpct)) {
			peer_misbehaving(p, "invalid block: %s", d->reason);
			peer_maybe_punish(p);
		}
		t = sync_rtxn(n);
		sync_refresh_chain(s, t);
		store_read_end(t);
		/* A mutated or garbled copy: the real block may come from others. */
		if (height >= 0 && height < s->scan_from)
			s->scan_from = height;
		if (height >= 0 && height < s->hist_scan)
			s->hist_scan = height;
		break;
	default:
		/* Our own failure: the block may be fetched again. */
		if (height >= 0 && height < s->scan_from)
			s->scan_from = height;
		if (height >= 0 && height < s->hist_scan)
			s->hist_scan = height;
		break;
	}
	net_schedule(n);
}

int
sync_on_headers(struct net *n, struct peer *p, const struct block_header *h,
    size_t count)
{
	struct sync *s = n->sync;
	struct block_index_entry e, start;
	struct store_rtxn *t;
	uint8_t(*hashes)[32];
	char hex[65], phex[65];
	size_t i;
	int rc;

	/* Headers a low-work sync released go to validation first. */
	if (presync_drain(n, p) != 0)
		return H_RETRY;
	if (count == 0) {
		/* The peer has nothing past our locator. */
		p->sync.getheaders_time = 0;
		presync_drop(n, p);
		return H_OK;
	}
	hashes = xcalloc(count, 32);
	for (i = 0; i < count; i++)
		header_hash(&h[i], hashes[i]);
	for (i = 0; i < count; i++) {
		if (!check_pow(n->cp, hashes[i], h[i].bits)) {
			peer_misbehaving(p,
			    "header with invalid proof of work");
			free(hashes);
			return H_OK;
		}
	}
	for (i = 1; i < count; i++) {
		if (memcmp(h[i].prev, hashes[i - 1], 32) != 0) {
			peer_misbehaving(p, "non-continuous headers sequence");
			free(hashes);
			return H_OK;
		}
	}
	if (p->sync.hs != NULL) {
		/* Answered: what the sync asks next is a new request. */
		p->sync.getheaders_time = 0;
	}
	if (p->sync.hs != NULL &&
	    presync_continue(n, p, h, (const uint8_t(*)[32])hashes, count) ==
		PRESYNC_DONE) {
		free(hashes);
		net_schedule(n);
		return H_OK;
	}
	t = sync_rtxn(n);
	if (store_get_index(t, h[0].prev, &start) != STORE_OK &&
	    p->sync.headers_pending > 0) {
		/*
		 * Its parent may be in a batch of this peer's that validation
		 * has not stored yet (a fast peer answers our next getheaders
		 * first): wait for it, as Core would have stored it already.
		 */
		store_read_end(t);
		free(hashes);
		return H_RETRY;
	}
	if (store_get_index(t, h[0].prev, &start) != STORE_OK) {
		/* Does not connect: ask for what lies between. */
		hash_to_hex(hashes[0], hex);
		hash_to_hex(h[0].prev, phex);
		log_debug(LOG_NET,
		    "received header %s: missing prev block %s, "
		    "sending getheaders to end (peer=%llu)",
		    hex, phex, (unsigned long long)p->id);
		sync_send_getheaders(n, p, 0);
		sync_update_availability(s, t, p, hashes[count - 1]);
		store_read_end(t);
		free(hashes);
		return H_OK;
	}
	if (store_get_index(t, hashes[count - 1], &e) == STORE_OK &&
	    (e.status & BLOCK_VALID_HEADER) &&
	    !(e.status & BLOCK_FAILED_MASK)) {
		/* All known already: nothing for validation to do. */
		p->sync.getheaders_time = 0;
		sync_update_availability(s, t, p, hashes[count - 1]);
		store_read_end(t);
		if (count == MAX_HEADERS_RESULTS)
			blockdl_send_getheaders(n, p, hashes[count - 1],
			    s->hc_height);
		else if (insufficient_work(n, p)) {
			free(hashes);
			return H_OK;
		}
		maybe_send_sendheaders(n, p);
		free(hashes);
		net_schedule(n);
		return H_OK;
	}
	/*
	 * A chain with too little work to be worth storing (Core's
	 * TryLowWorkHeadersSync); a peer with noban is trusted with it.
	 */
	p->sync.getheaders_time = 0;
	if (!peer_has_perm(p, PF_NOBAN) &&
	    presync_try_low_work(n, p, t, &start, h,
		(const uint8_t(*)[32])hashes, count)) {
		store_read_end(t);
		free(hashes);
		return H_OK;
	}
	store_read_end(t);
	rc = validation_submit_headers(n->val, p->id, h, count);
	if (rc == QUEUE_EFULL) {
		free(hashes);
		return H_RETRY;
	}
	p->sync.getheaders_time = 0;
	if (rc == 0) {
		p->sync.headers_pending++;
		p->sync.last_batch_full = count == MAX_HEADERS_RESULTS;
		/* Known once validation has them (process_unknown). */
		memcpy(p->sync.unknown_hash, hashes[count - 1], 32);
		p->sync.has_unknown = 1;
		/* A full batch: the peer has more; ask at once. */
		if (count == MAX_HEADERS_RESULTS)
			blockdl_send_getheaders(n, p, hashes[count - 1],
			    s->hc_height);
	}
	free(hashes);
	return H_OK;
}

void
sync_antidos_threshold(struct sync *s, struct store_rtxn *t,
    struct arith256 *out)
{
	struct block_index_entry tip;
	struct arith256 proof, min;

	arith256_from_be(&min, s->n->cp->minimum_chain_work);
	if (store_get_index(t, s->tip, &tip) != STORE_OK) {
		*out = min;
		return;
	}
	arith256_from_be(out, tip.chainwork);
	arith256_block_proof(&proof, tip.hdr.bits);
	arith256_mul_u32(&proof, &proof, 144);
	if (arith256_cmp(&proof, out) > 0)
		proof = *out;
	arith256_sub(out, out, &proof);
	if (arith256_cmp(&min, out) > 0)
		*out = min;
}

/*
 * Whether a header on prev would lie too deep under our tip to be worth
 * looking at: its chain's work is below Core's anti-DoS threshold.
 */
static int
low_work(struct sync *s, struct store_rtxn *t, const struct block_header *h,
    const struct block_index_entry *prev)
{
	struct arith256 work, proof, floor;

	sync_antidos_threshold(s, t, &floor);
	arith256_from_be(&work, prev->chainwork);
	arith256_block_proof(&proof, h->bits);
	arith256_add(&work, &work, &proof);
	return arith256_cmp(&work, &floor) < 0;
}

/* Whether the block on prev with header h would have more work than our tip. */
static int
more_work_than_tip(struct sync *s, struct store_rtxn *t,
    const struct block_header *h, const struct block_index_entry *prev)
{
	struct block_index_entry tip;
	struct arith256 work, proof, tip_work;

	if (store_get_index(t, s->tip, &tip) != STORE_OK)
		return 0;
	arith256_from_be(&work, prev->chainwork);
	arith256_block_proof(&proof, h->bits);
	arith256_add(&work, &work, &proof);
	arith256_from_be(&tip_work, tip.chainwork);
	return arith256_cmp(&work, &tip_work) > 0;
}

int
sync_can_direct_fetch(struct net *n)
{
	return n->sync->tip_time > node_time() - 20 * n->cp->target_spacing;
}

void
sync_mark_inflight(struct net *n, struct peer *p, const uint8_t hash[32],
    int32_t height)
{
	struct inv unused;

	if (htab_get(n->sync->inflight, hash) == NULL)
		set_inflight(n->sync, p, hash, height, 0, net_now_us(),
		    &unused);
}

void
sync_fetch_block(struct net *n, struct peer *p, const uint8_t hash[32],
    int32_t height)
{
	struct inflight *f;
	struct inv req;
	struct wbuf wb;
	char hex[65];

	/* Forget every earlier request for it, then p has it in flight. */
	if ((f = inflight_take(n, hash)) != NULL)
		free(f);
	set_inflight(n->sync, p, hash, height, 0, net_now_us(), &req);
	wbuf_init(&wb);
	inv_encode(&wb, &req, 1);
	peer_send_wbuf(p, MT_GETDATA, &wb);
	wbuf_free(&wb);
	hash_to_hex(hash, hex);
	log_debug(LOG_NET, "Requesting block %s from peer=%llu", hex,
	    (unsigned long long)p->id);
}

void
sync_getdata_block(struct peer *p, const uint8_t hash[32])
{
	struct inv iv;

	iv.type = MSG_WITNESS_BLOCK;
	memcpy(iv.hash, hash, 32);
	send_getdata(p, &iv, 1, -1, "full ");
}

/*
 * Core's choice once a compact block's header is taken: a block we asked
 * p for (mine) is rebuilt, or asked for in full when it lies too far
 * ahead for our mempool to help; an announced one only while our tip is
 * recent and it is at most two blocks past it, with a round trip if the
 * block is free to request from p, else only if nothing is missing. Other
 * announcements are left to the header's normal processing.
 */
static int
cmpct_decide(struct net *n, struct peer *p, const struct cmpct_block *cb,
    const uint8_t hash[32], int32_t height, int more_work)
{
	struct sync *s = n->sync;
	struct inflight *f = htab_get(s->inflight, hash);
	int mine = f && f->peer_id == p->id;

	if (!more_work) {
		if (mine)
			sync_getdata_block(p, hash);
		return H_OK;
	}
	if (!mine && !sync_can_direct_fetch(n))
		return H_OK;
	if (height <= s->tip_height + 2) {
		if ((f == NULL &&
			p->sync.n_inflight < MAX_BLOCKS_IN_TRANSIT_PER_PEER) ||
		    mine)
			return cmpct_rebuild(n, p, cb, height, 1);
		return cmpct_rebuild(n, p, cb, height, 0);
	}
	if (mine)
		sync_getdata_block(p, hash);
	return H_OK;
}

/*
 * A compact block. Its header is taken as Core takes it: one that does not
 * connect gets a getheaders, a low-work one changes nothing (a header
 * known to be invalid is not punished when it comes this way), and a new
 * one goes to validation as a header announcement, so that an invalid one
 * is punished. Then the block is rebuilt where Core would (cmpct_decide);
 * validation takes the header before the rebuilt block, its queue keeping
 * their order. Contents that could not describe a block (cb->bad) are
 * punished once the header proves valid, where Core would have tried to
 * rebuild the block.
 */
int
sync_on_cmpctblock(struct net *n, struct peer *p, const struct cmpct_block *cb)
{
	struct sync *s = n->sync;
	const struct block_header *h = &cb->hdr;
	struct block_index_entry prev, e;
	struct store_rtxn *t;
	uint8_t hash[32];
	int32_t height;
	int rc, more, judge, known;

	header_hash(h, hash);
	t = sync_rtxn(n);
	if (store_get_index(t, h->prev, &prev) != STORE_OK) {
		store_read_end(t);
		if (!sync_is_ibd(n))
			sync_send_getheaders(n, p, 0);
		return H_OK;
	}
	if (low_work(s, t, h, &prev)) {
		store_read_end(t);
		log_debug(LOG_NET,
		    "Ignoring low-work compact block from peer "
		    "%llu",
		    (unsigned long long)p->id);
		return H_OK;
	}
	height = prev.height + 1;
	more = more_work_than_tip(s, t, h, &prev);
	known = store_get_index(t, hash, &e) == STORE_OK;
	if (known) {
		if (!(e.status & BLOCK_FAILED_MASK))
			sync_update_availability(s, t, p, hash);
		store_read_end(t);
		net_schedule(n);
		if ((e.status & BLOCK_FAILED_MASK) ||
		    (e.status & BLOCK_HAVE_DATA) || cb->bad)
			return H_OK;
		return cmpct_decide(n, p, cb, hash, height, more);
	}
	judge = cb->bad && more && sync_can_direct_fetch(n) &&
	    height <= s->tip_height + 2 &&
	    p->sync.n_inflight < MAX_BLOCKS_IN_TRANSIT_PER_PEER;
	store_read_end(t);
	if (!check_pow(n->cp, hash, h->bits)) {
		peer_misbehaving(p,
		    "invalid header via cmpctblock: high-hash");
		return H_OK;
	}
	rc = validation_submit_headers(n->val, p->id, h, 1);
	if (rc == QUEUE_EFULL)
		return H_RETRY;
	if (rc != 0)
		return H_OK;
	p->sync.headers_pending++;
	memcpy(p->sync.unknown_hash, hash, 32);
	p->sync.has_unknown = 1;
	if (judge) {
		memcpy(p->sync.cmpct_bad, hash, 32);
		p->sync.has_cmpct_bad = 1;
	}
	if (cb->bad)
		return H_OK;
	/* A rebuild waiting for validation's queue is dropped, not retried. */
	rc = cmpct_decide(n, p, cb, hash, height, more);
	return rc == H_RETRY ? H_OK : rc;
}

void
sync_headers_done(struct net *n, uint64_t peer_id,
    const struct netq_headers_done *d)
{
	static const uint8_t zero[32];
	struct sync *s = n->sync;
	struct store_rtxn *t;
	struct peer *p = net_peer_by_id(n, peer_id);

	if (peer_id == VALIDATION_PEER_LOCAL ||
	    (p && p->sync.headers_pending == 0))
		p = NULL; /* not a batch of this peer's (RPC submitheader) */
	if (p)
		p->sync.headers_pending--;
	t = sync_rtxn(n);
	sync_refresh_chain(s, t);
	if (p) {
		switch (d->res) {
		case VAL_OK:
		case VAL_DUPLICATE:
			if (p->sync.has_cmpct_bad &&
			    memcmp(d->last, p->sync.cmpct_bad, 32) == 0) {
				p->sync.has_cmpct_bad = 0;
				peer_misbehaving(p, "invalid compact block");
				peer_maybe_punish(p);
				break;
			}
			if (memcmp(d->last, zero, 32) != 0)
				sync_update_availability(s, t, p, d->last);
			sync_process_unknown(s, t, p);
			/* The peer's whole chain, once it has nothing more. */
			if (p->sync.headers_pending == 0 &&
			    !p->sync.last_batch_full)
				insufficient_work(n, p);
			break;
		case VAL_ORPHAN: sync_send_getheaders(n, p, 0); break;
		case VAL_INVALID:
			log_debug(LOG_NET,
			    "invalid headers from peer=%llu: %s",
			    (unsigned long long)peer_id, d->reason);
			if (punishable(p, d->reason, 0)) {
				peer_misbehaving(p,
				    "invalid header received: "
				    "%s",
				    d->reason);
				peer_maybe_punish(p);
			}
			break;
		default: break;
		}
		if (p->sync.headers_pending == 0)
			p->sync.has_cmpct_bad = 0;
	}
	store_read_end(t);
	if (p)
		maybe_send_sendheaders(n, p);
	net_schedule(n);
}

void
sync_on_block_inv(struct net *n, struct peer *p, const uint8_t hash[32],
    int *want_headers)
{
	struct sync *s = n->sync;
	struct block_index_entry e;
	struct store_rtxn *t = sync_rtxn(n);
	int known;

	sync_update_availability(s, t, p, hash);
	known = store_get_index(t, hash, &e) == STORE_OK &&
	    (e.status & BLOCK_HAVE_DATA);
	store_read_end(t);
	/* Headers first: an unknown block is fetched after its header. */
	if (!known && !htab_get(s->inflight, hash))
		*want_headers = 1;
	net_schedule(n);
}
