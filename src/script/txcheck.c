/*
 * Core's CheckTransaction.
 */
#include <stdlib.h>
#include <string.h>

#include "primitives/block.h"
#include "script/txcheck.h"
#include "util/xmalloc.h"

static int
outpoint_cmp(const void *a, const void *b)
{
	const struct outpoint *x = *(const struct outpoint *const *)a;
	const struct outpoint *y = *(const struct outpoint *const *)b;
	int c = memcmp(x->hash, y->hash, 32);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int
has_duplicate_inputs(const struct tx *tx)
{
	const struct outpoint **v, *small[16];
	size_t i;
	int dup = 0;

	if (tx->vin_count < 2)
		return 0;
	v = tx->vin_count <= 16 ? small :
	    xreallocarray(NULL, tx->vin_count, sizeof(*v));
	for (i = 0; i < tx->vin_count; i++)
		v[i] = &tx->vin[i].prevout;
	qsort(v, tx->vin_count, sizeof(*v), outpoint_cmp);
	for (i = 1; i < tx->vin_count && !dup; i++)
		dup = outpoint_cmp(&v[i - 1], &v[i]) == 0;
	if (v != small)
		free(v);
	return dup;
}

static int
is_null_prevout(const struct outpoint *o)
{
	static const uint8_t zero[32];

	return o->n == UINT32_MAX && memcmp(o->hash, zero, 32) == 0;
}

static int
reject(const char **reason, const char *r)
{
	if (reason != NULL)
		*reason = r;
	return -1;
}

int
tx_check_basic(const struct tx *tx, const char **reason)
{
	int64_t total = 0;
	size_t i;

	if (tx->vin_count == 0)
		return reject(reason, "bad-txns-vin-empty");
	if (tx->vout_count == 0)
		return reject(reason, "bad-txns-vout-empty");
	/* The stripped size against the block weight limit. */
	if (tx->base_size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
		return reject(reason, "bad-txns-oversize");
	for (i = 0; i < tx->vout_count; i++) {
		int64_t v = tx->vout[i].value;

		if (v < 0)
			return reject(reason, "bad-txns-vout-negative");
		if (v > MAX_MONEY)
			return reject(reason, "bad-txns-vout-toolarge");
		total += v;
		if (total > MAX_MONEY)
			return reject(reason, "bad-txns-txouttotal-toolarge");
	}
	if (has_duplicate_inputs(tx))
		return reject(reason, "bad-txns-inputs-duplicate");
	if (tx_is_coinbase(tx)) {
		if (tx->vin[0].script_len < 2 || tx->vin[0].script_len > 100)
			return reject(reason, "bad-cb-length");
	} else {
		for (i = 0; i < tx->vin_count; i++)
			if (is_null_prevout(&tx->vin[i].prevout))
				return reject(reason, "bad-txns-prevout-null");
	}
	return 0;
}
