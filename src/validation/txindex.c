/*
 * The transaction index (-txindex): txid -> block hash and position, for
 * getrawtransaction without a block hash. It is written in the same write
 * transaction as each block connected or disconnected, together with the
 * meta value STORE_TXINDEX_META naming the last block indexed, so the
 * index and that marker can never disagree. A run without -txindex leaves
 * both alone; the next run with it resumes from the marker when that block
 * is still in the active chain, and rebuilds from genesis when not.
 */
#include <stdlib.h>
#include <string.h>

#include "primitives/block.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

/* Blocks per write transaction while building; bounds one commit's size. */
#define TXINDEX_BATCH_BLOCKS 500
/* Progress line every this many blocks. */
#define TXINDEX_LOG_EVERY 10000

static int
put_marker(struct store_wtxn *w, const uint8_t hash[32], int32_t height)
{
	uint8_t v[STORE_TXINDEX_META_LEN];

	memcpy(v, hash, 32);
	le32_write(v + 32, (uint32_t)height);
	return store_put_meta(w, STORE_TXINDEX_META, v, sizeof(v));
}

/* Index entries for b's transactions (not the genesis coinbase: Core's neither). */
static int
put_block_txs(struct store_wtxn *w, const uint8_t hash[32], int32_t height,
    const struct block *b)
{
	size_t i;
	int rc;

	if (height == 0)
		return STORE_OK;
	for (i = 0; i < b->tx_count; i++)
		if ((rc = store_put_txindex(w, b->txs[i].txid, hash,
			 (uint32_t)i)) != 0)
			return rc;
	return STORE_OK;
}

int
txindex_connect(struct chainstate *cs, struct store_wtxn *w,
    const struct bindex *bi, const struct block *b)
{
	int rc;

	if (!cs->opts.txindex)
		return STORE_OK;
	if ((rc = put_block_txs(w, bi->e.hash, bi->e.height, b)) != 0)
		return rc;
	return put_marker(w, bi->e.hash, bi->e.height);
}

int
txindex_disconnect(struct chainstate *cs, struct store_wtxn *w,
    const struct bindex *bi, const struct block *b)
{
	uint8_t have[32];
	uint32_t pos;
	size_t i;
	int rc;

	if (!cs->opts.txindex || bi->parent == NULL)
		return STORE_OK;
	for (i = 0; i < b->tx_count; i++) {
		/*
		 * Only this block's own entry: a duplicate txid (BIP30's two
		 * historical coinbases) may point elsewhere.
		 */
		rc = store_get_txindex(store_wtxn_reader(w), b->txs[i].txid,
		    have, &pos);
		if (rc == STORE_NOTFOUND)
			continue;
		if (rc != STORE_OK)
			return rc;
		if (memcmp(have, bi->e.hash, 32) != 0)
			continue;
		if ((rc = store_del_txindex(w, b->txs[i].txid)) != 0)
			return rc;
	}
	return put_marker(w, bi->parent->e.hash, bi->parent->e.height);
}

struct build_step {
	int32_t from; /* first height to index */
	int32_t to;   /* last height to index */
	int clear;    /* empty the index first */
};

static int
build_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct build_step *st = arg;
	struct store_rtxn *r = store_wtxn_reader(w);
	struct block b;
	uint8_t hash[32] = { 0 }, *raw;
	const uint8_t *p;
	size_t n;
	int32_t h;
	int rc;

	(void)cs;
	if (st->clear && (rc = store_clear_txindex(w)) != 0)
		return rc;
	for (h = st->from; h <= st->to; h++) {
		if ((rc = store_get_active_hash(r, h, hash)) != 0 ||
		    (rc = store_get_block(r, hash, &p, &n)) != 0) {
			log_warnx("txindex: block at height %d missing: %s", h,
			    store_strerror(rc));
			return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
		}
		/* The parsed block borrows its bytes; the map may move. */
		raw = xmemdup(p, n);
		store_read_release(r); /* a whole chain may pass through here */
		if (block_parse(raw, n, &b) != 0) {
			free(raw);
			log_warnx("txindex: stored block at height %d does "
				  "not parse",
			    h);
			return STORE_ERROR;
		}
		rc = put_block_txs(w, hash, h, &b);
		block_free(&b);
		free(raw);
		if (rc != 0)
			return rc;
	}
	if (st->to >= st->from)
		return put_marker(w, hash, st->to);
	return STORE_OK;
}

/* Where the index stands: the height to resume from, or 0 to rebuild. */
static int
resume_height(struct store_rtxn *r, int32_t *from)
{
	const uint8_t *v;
	uint8_t hash[32];
	size_t len;
	int32_t h;
	int rc;

	*from = 0;
	rc = store_get_meta(r, STORE_TXINDEX_META, &v, &len);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (len != STORE_TXINDEX_META_LEN) {
		log_warnx("txindex: bad marker (%zu bytes), rebuilding", len);
		return 0;
	}
	h = (int32_t)le32_read(v + 32);
	if (h < 0)
		return 0;
	rc = store_get_active_hash(r, h, hash);
	if (rc == STORE_OK && memcmp(hash, v, 32) == 0)
		*from = h + 1;
	else if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return -1;
	else
		log_info("txindex: last indexed block left the active chain, "
			 "rebuilding");
	return 0;
}

int
chainstate_sync_txindex(struct chainstate *cs)
{
	struct build_step st;
	struct store_rtxn *r;
	uint8_t tip[32];
	int32_t tip_h, from, next_log;
	int rc;

	if (!cs->opts.txindex)
		return 0;
	if (store_read_begin(cs->store, &r) != STORE_OK)
		return -1;
	rc = store_get_tip(r, tip, &tip_h);
	if (rc == STORE_OK)
		rc = resume_height(r, &from) == 0 ? STORE_OK : STORE_ERROR;
	store_read_end(r);
	if (rc == STORE_NOTFOUND)
		return 0; /* no chain yet: blocks are indexed as connected */
	if (rc != STORE_OK) {
		log_warnx("txindex: cannot read the chain state");
		return -1;
	}
	if (from > tip_h)
		return 0;
	log_info("txindex: %s from height %d to %d",
	    from == 0 ? "building" : "catching up", from, tip_h);
	st.clear = from == 0;
	next_log = from + TXINDEX_LOG_EVERY;
	while (from <= tip_h) {
		st.from = from;
		st.to = from + TXINDEX_BATCH_BLOCKS - 1;
		if (st.to > tip_h)
			st.to = tip_h;
		if ((rc = cs_write(cs, build_txn, &st)) != 0) {
			log_warnx("txindex: store failure: %s",
			    store_strerror(rc));
			return -1;
		}
		st.clear = 0;
		from = st.to + 1;
		if (from >= next_log) {
			log_info(
			    "txindex: indexed up to height %d of %d (%d%%)",
			    from - 1, tip_h,
			    (int)((int64_t)(from - 1) * 100 /
				(tip_h > 0 ? tip_h : 1)));
			next_log = from + TXINDEX_LOG_EVERY;
		}
	}
	log_info("txindex: synced at height %d", tip_h);
	return 0;
}
