/*
 * Listing the pool's prioritisation deltas (getprioritisedtransactions).
 * Kept apart from pool.c only because it was added by the RPC helper while
 * pool.c was being written; it belongs with pool_prioritise.
 */
#include "mempool/pool_int.h"
#include "util/htab.h"

void
pool_foreach_delta(const struct pool *p,
    int (*cb)(void *arg, const uint8_t txid[32], int64_t delta), void *arg)
{
	const struct pdelta *d;
	size_t pos = 0;

	while ((d = htab_next(p->deltas, &pos)) != NULL)
		if (cb(arg, d->txid, d->delta))
			break;
}
