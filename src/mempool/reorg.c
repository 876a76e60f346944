/*
 * After a reorganisation: offer the disconnected blocks' transactions back
 * (lowest block first, block order within each, ACCEPT_BYPASS_LIMITS as
 * Core's MaybeUpdateMempoolForReorg), except those the new branch confirmed
 * (given up as its blocks connected); one that fails takes the pool's
 * spenders of it along. Then drop what the new tip makes invalid (Core's
 * removeForReorg: finality, coinbase maturity, BIP68), then trim.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "mempool/pool_int.h"
#include "primitives/tx.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * 1 if e still fits the tip, 0 if not, -1 on a store failure. An input
 * whose coin is neither in the pool nor in the snapshot is left alone:
 * the block that spent it has not been announced yet and will remove e.
 */
static int
still_valid(struct pool *p, struct store_rtxn *rt, const struct pentry *e,
    int32_t tip_height, int64_t tip_mtp)
{
	struct consensus_coin *coins;
	size_t i;
	int ok = 1, rc;

	if (!chainview_is_final(&e->tx, tip_height, tip_mtp))
		return 0;
	coins = xcalloc(e->tx.vin_count, sizeof(*coins));
	for (i = 0; i < e->tx.vin_count && ok; i++) {
		const struct outpoint *op = &e->tx.vin[i].prevout;
		struct coin c;

		/* In the pool (or not yet known): as if in the next block. */
		coins[i].height = tip_height + 1;
		if (pool_find(p, op->hash) != NULL)
			continue;
		rc = store_get_coin(rt, op, &c);
		if (rc == STORE_NOTFOUND)
			continue;
		if (rc != STORE_OK) {
			ok = -1;
			break;
		}
		coins[i].height = c.height;
		if (c.coinbase &&
		    !consensus_coinbase_mature(c.height, tip_height + 1))
			ok = 0;
	}
	if (ok == 1)
		ok = chainview_sequence_locks_ok(rt, &e->tx, coins, tip_height,
		    tip_mtp);
	free(coins);
	return ok;
}

/*
 * A disconnected transaction that does not come back (its input spent by
 * the new branch, say) takes with it what the pool holds that spends it:
 * those would wait on a parent that is neither in the pool nor in the
 * chain (Core's removeRecursive with reason REORG).
 */
static void
drop_spenders(struct pool *p, const uint8_t *raw, size_t len)
{
	struct pvec kids = { 0 }, all = { 0 };
	struct rbuf r;
	struct tx tx;

	rbuf_init(&r, raw, len);
	if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0)
		return;
	/* Already in the pool (it came back another way): its spenders stay. */
	if (pool_find(p, tx.txid) == NULL)
		pool_collect_spenders(p, tx.txid, tx.vout_count, &kids);
	tx_free(&tx);
	pool_with_descendants(p, &kids, &all);
	if (all.n > 0)
		pool_remove_set(p, &all, POOL_REMOVED_REORG, 0);
	pvec_free(&kids);
	pvec_free(&all);
}

static void
readd_pending(struct pool *p)
{
	struct accept_result *r;
	size_t i, j, ok = 0, failed = 0;

	if (p->npend == 0)
		return;
	r = xmalloc(sizeof(*r));
	/* Disconnections come from the old tip down: the last is lowest. */
	for (i = p->npend; i-- > 0;) {
		struct pending_block *pb = &p->pend[i];

		for (j = 0; j < pb->n; j++) {
			/* Confirmed again by the new branch. */
			if (pb->raw[j] == NULL)
				continue;
			if (pool_accept(p, pb->raw[j], pb->len[j],
				ACCEPT_BYPASS_LIMITS, 0, r) == ACCEPT_OK)
				ok++;
			else {
				failed++;
				drop_spenders(p, pb->raw[j], pb->len[j]);
			}
			free(pb->raw[j]);
		}
		free(pb->raw);
		free(pb->len);
		free(pb->txid);
	}
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cappend = 0;
	free(r);
	log_debug(LOG_MEMPOOL,
	    "reorg: %zu transactions back in the pool, "
	    "%zu not",
	    ok, failed);
}

void
pool_reorg_done(struct pool *p)
{
	struct store_rtxn *rt;
	struct pvec bad = { 0 }, all = { 0 }, every = { 0 };
	struct pentry *e;
	uint8_t hash[32];
	int32_t height;
	int64_t mtp;
	size_t pos = 0, i;
	int v;

	readd_pending(p);
	if (store_read_begin(p->env.store, &rt) != STORE_OK) {
		log_warnx("%s: cannot read the store", __func__);
		return;
	}
	if (chainview_tip(p, rt, hash, &height, &mtp) != 0) {
		store_read_end(rt);
		log_warnx("%s: cannot read the tip", __func__);
		return;
	}
	while ((e = htab_next(p->by_txid, &pos)) != NULL)
		pvec_push(&every, e);
	for (i = 0; i < every.n; i++) {
		v = still_valid(p, rt, every.v[i], height, mtp);
		if (v < 0)
			log_warnx("%s: store failure checking an entry",
			    __func__);
		else if (v == 0)
			pvec_push(&bad, every.v[i]);
	}
	store_read_end(rt);
	pool_with_descendants(p, &bad, &all);
	if (all.n > 0)
		pool_remove_set(p, &all, POOL_REMOVED_REORG, 0);
	pvec_free(&bad);
	pvec_free(&all);
	pvec_free(&every);
	pool_trim(p, p->env.pol->max_mempool_bytes);
}
