/*
 * The pool's view of the chain, read from the store snapshot of the
 * acceptance in hand (so the tip, the coins and the MTPs agree). The rules
 * are src/consensus's; this file only supplies their context, "the next
 * block": height tip + 1 on a parent with the tip's median time past, as
 * Core's CheckFinalTxAtTip and CheckSequenceLocksAtTip ask.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "mempool/pool_int.h"
#include "store/store.h"

/* consensus_time_fn over the store's index records, from hash down. */
struct store_walk {
	struct store_rtxn *rt;
	uint8_t hash[32];
	int done; /* the last record read was genesis */
};

static int
store_older_time(void *cursor, int64_t *time)
{
	struct store_walk *sw = cursor;
	struct block_index_entry e;

	if (sw->done)
		return 1;
	if (store_get_index(sw->rt, sw->hash, &e) != STORE_OK)
		return -1;
	*time = e.hdr.time;
	sw->done = e.height == 0;
	memcpy(sw->hash, e.hdr.prev, 32);
	return 0;
}

static int
mtp_of(struct store_rtxn *rt, const uint8_t hash[32], int64_t *mtp)
{
	struct store_walk sw;

	sw.rt = rt;
	memcpy(sw.hash, hash, 32);
	sw.done = 0;
	return consensus_median_time_past(store_older_time, &sw, mtp);
}

int
chainview_tip(struct pool *p, struct store_rtxn *rt, uint8_t hash[32],
    int32_t *height, int64_t *mtp)
{
	if (store_get_tip(rt, hash, height) != STORE_OK || *height < 0)
		return -1;
	if (p->have_mtp && memcmp(p->mtp_hash, hash, 32) == 0) {
		*mtp = p->mtp;
		return 0;
	}
	if (mtp_of(rt, hash, mtp) != 0)
		return -1;
	memcpy(p->mtp_hash, hash, 32);
	p->mtp = *mtp;
	p->have_mtp = 1;
	return 0;
}

int
chainview_is_final(const struct tx *tx, int32_t tip_height, int64_t tip_mtp)
{
	/* Policy always uses BIP113's MTP, whatever CSV's activation. */
	return consensus_tx_is_final(tx, tip_height + 1, tip_mtp);
}

/* The next block's chain: the active chain up to the snapshot's tip. */
struct next_block {
	struct store_rtxn *rt;
	int32_t tip_height;
	int64_t tip_mtp;
};

static int
next_block_mtp_at(void *arg, int32_t height, int64_t *mtp)
{
	struct next_block *nb = arg;
	uint8_t h[32];

	/* The tip's MTP is at hand; older ones cost an index walk. */
	if (height >= nb->tip_height) {
		*mtp = nb->tip_mtp;
		return 0;
	}
	if (store_get_active_hash(nb->rt, height, h) != STORE_OK)
		return -1;
	return mtp_of(nb->rt, h, mtp);
}

int
chainview_sequence_locks_ok(struct store_rtxn *rt, const struct tx *tx,
    const struct consensus_coin *coins, int32_t tip_height, int64_t tip_mtp)
{
	struct next_block nb = { rt, tip_height, tip_mtp };

	/* Policy enforces BIP68 whatever CSV's activation, as Core. */
	return consensus_check_sequence_locks(tx, 1, coins, tip_height + 1,
	    next_block_mtp_at, &nb);
}
