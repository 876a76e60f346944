/*
 * The pool's view of the chain, read from the store snapshot of the
 * acceptance in hand (so the tip, the coins and the MTPs agree): median
 * time past, finality and BIP68 sequence locks as Core computes them for
 * a block on the tip (CheckFinalTxAtTip, CheckSequenceLocksAtTip).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/pool_int.h"
#include "store/store.h"

#define MTP_SPAN 11
#define LOCKTIME_THRESHOLD 500000000u
#define SEQ_DISABLE_FLAG (1u << 31)
#define SEQ_TYPE_FLAG (1u << 22)
#define SEQ_MASK 0x0000ffffu
#define SEQ_GRANULARITY 9

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of the timestamps of hash and its ten predecessors. */
static int
mtp_of(struct store_rtxn *rt, const uint8_t hash[32], int64_t *mtp)
{
	struct block_index_entry e;
	int64_t t[MTP_SPAN];
	uint8_t h[32];
	size_t n = 0;

	memcpy(h, hash, 32);
	while (n < MTP_SPAN) {
		if (store_get_index(rt, h, &e) != STORE_OK)
			return -1;
		t[n++] = e.hdr.time;
		if (e.height == 0)
			break;
		memcpy(h, e.hdr.prev, 32);
	}
	qsort(t, n, sizeof(t[0]), cmp_i64);
	*mtp = t[n / 2];
	return 0;
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
chainview_mtp_at(struct store_rtxn *rt, int32_t height, int64_t *mtp)
{
	uint8_t h[32];

	if (height < 0)
		height = 0;
	if (store_get_active_hash(rt, height, h) != STORE_OK)
		return -1;
	return mtp_of(rt, h, mtp);
}

int
chainview_is_final(const struct tx *tx, int32_t height, int64_t time)
{
	int64_t lim;
	size_t i;

	if (tx->locktime == 0)
		return 1;
	lim = tx->locktime < LOCKTIME_THRESHOLD ? (int64_t)height : time;
	if ((int64_t)tx->locktime < lim)
		return 1;
	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].sequence != SEQUENCE_FINAL)
			return 0;
	return 1;
}

int
chainview_sequence_locks_ok(struct store_rtxn *rt, const struct tx *tx,
    const int32_t *heights, int32_t tip_height, int64_t tip_mtp)
{
	int64_t min_height = -1, min_time = -1, t;
	int32_t next = tip_height + 1, h;
	size_t i;

	if ((uint32_t)tx->version < 2)
		return 1;
	for (i = 0; i < tx->vin_count; i++) {
		uint32_t seq = tx->vin[i].sequence;

		if (seq & SEQ_DISABLE_FLAG)
			continue;
		h = heights[i] == POOL_MEMPOOL_HEIGHT ? next : heights[i];
		if (seq & SEQ_TYPE_FLAG) {
			if (h - 1 >= next - 1)
				t = tip_mtp;	/* the tip itself */
			else if (chainview_mtp_at(rt, h - 1, &t) != 0)
				return -1;
			t += (int64_t)((seq & SEQ_MASK) << SEQ_GRANULARITY) - 1;
			if (t > min_time)
				min_time = t;
		} else {
			t = (int64_t)h + (int64_t)(seq & SEQ_MASK) - 1;
			if (t > min_height)
				min_height = t;
		}
	}
	if (min_height >= next || min_time >= tip_mtp)
		return 0;
	return 1;
}
