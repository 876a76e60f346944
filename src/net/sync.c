/*
 * Block sync's view of the chain, on the net thread: the tip and the best
 * header chain by height (hc), rebuilt incrementally from the store
 * whenever validation reports new headers or a new tip, and what each peer
 * has (its best block, its last common block with our header chain).
 * blockdl.c downloads from it and blockserve.c serves from it; sync_int.h
 * is what the three files share.
 *
 * Our view of the chain is the store's (read transactions) plus hc.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "net/sync_int.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

/* How far back we follow a peer's branch to find where it meets ours. */
#define MAX_ANCESTOR_WALK 100000

struct sync *
sync_new(struct net *n)
{
	struct sync *s = xcalloc(1, sizeof(*s));

	s->n = n;
	s->hc_height = -1;
	s->tip_height = -1;
	s->announced_height = -1;
	s->hc_fork = -1;
	s->inflight = htab_new(32, offsetof(struct inflight, hash));
	s->pending = htab_new(32, offsetof(struct blk, hash));
	s->have = htab_new(32, offsetof(struct blk, hash));
	s->stall_timeout_us = BLOCK_STALLING_TIMEOUT_DEFAULT_US;
	s->ibd = 1;
	return s;
}

static void
free_all(struct htab *t)
{
	void **items;
	size_t pos = 0, k = 0, n = htab_count(t);
	void *it;

	items = xcalloc(n + 1, sizeof(*items));
	while ((it = htab_next(t, &pos)) != NULL)
		items[k++] = it;
	while (k > 0)
		free(items[--k]);
	free(items);
	htab_free(t);
}

void
sync_free(struct sync *s)
{
	free_all(s->inflight);
	free_all(s->pending);
	free_all(s->have);
	free(s->hc);
	free(s->recent_raw);
	free(s);
}

void
sync_peer_init(struct peer_sync *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->best_height = -1;
	ps->common_height = -1;
	ps->hdr_sent_height = -1;
}

int32_t
sync_tip_height(struct net *n)
{
	return n->sync->tip_height;
}

/*
 * Asked afresh on every use, as Core's IsInitialBlockDownload: the answer
 * also changes without a new tip (node time passing, setmocktime), and
 * validation latches it off once out. s->ibd is only the value as of the
 * last tip, for announcing that tip; a net without validation (unit
 * tests) has nothing else.
 */
int
sync_is_ibd(struct net *n)
{
	if (n->val != NULL)
		return validation_is_initial_download(n->val);
	return n->sync->ibd;
}

/* Blocks a pruned peer keeps (BIP159's 288, less a margin, as Core). */
#define LIMITED_PEER_DEPTH 144

int
sync_tip_is_recent(struct net *n)
{
	int64_t spacing = n->cp->target_spacing;

	return (node_time() - n->sync->tip_time) / spacing <
	    LIMITED_PEER_DEPTH;
}

struct store_rtxn *
sync_rtxn(struct net *n)
{
	struct store_rtxn *t;

	if (store_read_begin(n->store, &t) != STORE_OK)
		fatalx("net: cannot begin a store read transaction");
	return t;
}

static void
hc_reserve(struct sync *s, int32_t height)
{
	size_t need = (size_t)height + 1;

	if (need <= s->hc_cap)
		return;
	s->hc_cap = need * 2 > 1024 ? need * 2 : 1024;
	s->hc = xreallocarray(s->hc, s->hc_cap, 32);
}

/* Re-reads the tip and the best header chain from the store. */
void
sync_refresh_chain(struct sync *s, struct store_rtxn *t)
{
	struct block_index_entry e;
	uint8_t hash[32], best[32];
	int32_t h, top, old = s->hc_height;

	if (store_get_tip(t, hash, &h) == STORE_OK && h >= 0) {
		memcpy(s->tip, hash, 32);
		s->tip_height = h;
		if (store_get_index(t, hash, &e) == STORE_OK) {
			memcpy(s->tip_work, e.chainwork, 32);
			s->tip_time = e.hdr.time;
		}
	}
	if (store_get_best_header(t, best) != STORE_OK)
		memcpy(best, s->tip, 32);
	if (s->hc_height >= 0 && memcmp(s->hc[s->hc_height], best, 32) == 0)
		goto done;
	if (store_get_index(t, best, &e) != STORE_OK)
		goto done;
	top = e.height;
	hc_reserve(s, top);
	memcpy(hash, best, 32);
	/* Walk back until we meet the array: only new headers are read. */
	for (h = top; h >= 0; h--) {
		if (h <= old && memcmp(s->hc[h], hash, 32) == 0)
			break;
		memcpy(s->hc[h], hash, 32);
		if (h == 0)
			break;
		if (store_get_index(t, hash, &e) != STORE_OK) {
			log_warnx("net: block index lacks an ancestor at %d",
			    h);
			break;
		}
		memcpy(hash, e.hdr.prev, 32);
	}
	if (h < old) {
		/* A branch was replaced: cached fork points are stale. */
		s->hc_gen++;
		if (s->scan_from > h + 1)
			s->scan_from = h + 1;
	}
	s->hc_height = top;
done:
	/* Where the header chain leaves the active chain. */
	h = s->tip_height < s->hc_height ? s->tip_height : s->hc_height;
	while (h > 0) {
		if (store_get_active_hash(t, h, hash) == STORE_OK &&
		    memcmp(hash, s->hc[h], 32) == 0)
			break;
		h--;
	}
	if (h < s->hc_fork && s->scan_from > h + 1)
		s->scan_from = h + 1;
	s->hc_fork = h;
	if (s->scan_from < s->hc_fork + 1)
		s->scan_from = s->hc_fork + 1;
}

void
sync_load(struct sync *s)
{
	struct store_rtxn *t = sync_rtxn(s->n);

	sync_refresh_chain(s, t);
	store_read_end(t);
	memcpy(s->announced, s->tip, 32);
	s->announced_height = s->tip_height;
	s->ibd = validation_is_initial_download(s->n->val);
}

/* hash of the block at want on the branch ending at (hash, height). */
int
sync_ancestor(struct sync *s, struct store_rtxn *t, const uint8_t hash[32],
    int32_t height, int32_t want, uint8_t out[32])
{
	struct block_index_entry e;
	uint8_t cur[32];
	int32_t h;

	if (want > height || want < 0)
		return -1;
	if (height <= s->hc_height && memcmp(s->hc[height], hash, 32) == 0) {
		memcpy(out, s->hc[want], 32);
		return 0;
	}
	memcpy(cur, hash, 32);
	for (h = height; h > want; h--) {
		if (height - h > MAX_ANCESTOR_WALK ||
		    store_get_index(t, cur, &e) != STORE_OK)
			return -1;
		memcpy(cur, e.hdr.prev, 32);
		/* Joined the best header chain: the rest is in the array. */
		if (h - 1 <= s->hc_height &&
		    memcmp(s->hc[h - 1], cur, 32) == 0) {
			memcpy(out, s->hc[want], 32);
			return 0;
		}
	}
	memcpy(out, cur, 32);
	return 0;
}

int
sync_on_active_chain(struct store_rtxn *t, const struct block_index_entry *e)
{
	uint8_t h[32];

	return store_get_active_hash(t, e->height, h) == STORE_OK &&
	    memcmp(h, e->hash, 32) == 0;
}

/* ---- what peers have ---- */

static void
set_best(struct sync *s, struct peer *p, const struct block_index_entry *e)
{
	memcpy(p->sync.best_hash, e->hash, 32);
	p->sync.best_height = e->height;
	memcpy(p->sync.best_work, e->chainwork, 32);
	p->sync.has_best = 1;
	p->sync.common_height = -1;
	p->sync.common_gen = s->hc_gen - 1;
}

/* Core's UpdateBlockAvailability. */
void
sync_update_availability(struct sync *s, struct store_rtxn *t, struct peer *p,
    const uint8_t hash[32])
{
	struct block_index_entry e;

	if (store_get_index(t, hash, &e) == STORE_OK &&
	    (e.status & BLOCK_VALID_HEADER) &&
	    !(e.status & BLOCK_FAILED_MASK)) {
		/* A block we lack, with more work than our tip: news. */
		if (!(e.status & BLOCK_HAVE_DATA) &&
		    memcmp(e.chainwork, s->tip_work, 32) > 0)
			outbound_block_announced(s->n, p);
		if (p->sync.has_unknown &&
		    memcmp(p->sync.unknown_hash, hash, 32) == 0)
			p->sync.has_unknown = 0;
		if (!p->sync.has_best ||
		    memcmp(e.chainwork, p->sync.best_work, 32) >= 0)
			set_best(s, p, &e);
	} else {
		memcpy(p->sync.unknown_hash, hash, 32);
		p->sync.has_unknown = 1;
	}
}

/* Core's ProcessBlockAvailability: an announced block that is now known. */
void
sync_process_unknown(struct sync *s, struct store_rtxn *t, struct peer *p)
{
	struct block_index_entry e;

	if (!p->sync.has_unknown)
		return;
	if (store_get_index(t, p->sync.unknown_hash, &e) == STORE_OK &&
	    (e.status & BLOCK_VALID_HEADER) &&
	    !(e.status & BLOCK_FAILED_MASK)) {
		p->sync.has_unknown = 0;
		if (!p->sync.has_best ||
		    memcmp(e.chainwork, p->sync.best_work, 32) >= 0)
			set_best(s, p, &e);
	}
}

/* Last height where the peer's best branch and our header chain agree. */
int32_t
sync_peer_common(struct sync *s, struct store_rtxn *t, struct peer *p)
{
	struct block_index_entry e;
	uint8_t cur[32];
	int32_t h;

	if (!p->sync.has_best)
		return -1;
	if (p->sync.common_gen == s->hc_gen && p->sync.common_height >= 0)
		return p->sync.common_height;
	memcpy(cur, p->sync.best_hash, 32);
	for (h = p->sync.best_height; h >= 0; h--) {
		if (h <= s->hc_height && memcmp(s->hc[h], cur, 32) == 0)
			break;
		if (p->sync.best_height - h > MAX_ANCESTOR_WALK ||
		    store_get_index(t, cur, &e) != STORE_OK) {
			h = -1;
			break;
		}
		memcpy(cur, e.hdr.prev, 32);
	}
	p->sync.common_height = h;
	p->sync.common_gen = s->hc_gen;
	return h;
}

int
sync_peer_has_header(struct sync *s, struct store_rtxn *t, struct peer *p,
    const uint8_t hash[32], int32_t height)
{
	uint8_t a[32];

	if (p->sync.has_best &&
	    sync_ancestor(s, t, p->sync.best_hash, p->sync.best_height, height,
		a) == 0 &&
	    memcmp(a, hash, 32) == 0)
		return 1;
	if (p->sync.has_hdr_sent &&
	    sync_ancestor(s, t, p->sync.hdr_sent, p->sync.hdr_sent_height,
		height, a) == 0 &&
	    memcmp(a, hash, 32) == 0)
		return 1;
	return 0;
}

void
sync_tip_changed(struct net *n, const struct netq_tip *tp)
{
	struct sync *s = n->sync;
	struct store_rtxn *t;
	uint8_t old[32];
	int32_t old_height = s->tip_height;

	memcpy(old, s->tip, 32);
	if (s->announced_height >= 0) {
		memcpy(old, s->announced, 32);
		old_height = s->announced_height;
	}
	t = sync_rtxn(n);
	sync_refresh_chain(s, t);
	s->ibd = tp->ibd;
	blockdl_new_tip(s);
	blockserve_new_tip(n, t, old, old_height);
	memcpy(s->announced, s->tip, 32);
	s->announced_height = s->tip_height;
	store_read_end(t);
	net_schedule(n);
}
