/*
 * Core's CheckTransaction: the rules a transaction meets on its own, before
 * anyone looks up what it spends. Blocks (CheckBlock) and the mempool
 * (PreChecks) both start here.
 */
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "util/xmalloc.h"

/* Up to this many inputs the pointers to sort live on the stack. */
#define DUP_CHECK_STACK 16

int
consensus_money_range(int64_t v)
{
	return v >= 0 && v <= MAX_MONEY;
}

static int
outpoint_ptr_cmp(const void *a, const void *b)
{
	const struct outpoint *x = *(const struct outpoint *const *)a;
	const struct outpoint *y = *(const struct outpoint *const *)b;
	int c = memcmp(x->hash, y->hash, 32);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

/*
 * Sorting pointers keeps this O(n log n): a block may hold a transaction
 * with tens of thousands of inputs, where comparing every pair would not do.
 */
static int
has_duplicate_inputs(const struct tx *tx)
{
	const struct outpoint **v, *small[DUP_CHECK_STACK];
	size_t i;
	int dup = 0;

	if (tx->vin_count < 2)
		return 0;
	v = tx->vin_count <= DUP_CHECK_STACK ?
	    small :
	    xreallocarray(NULL, tx->vin_count, sizeof(*v));
	for (i = 0; i < tx->vin_count; i++)
		v[i] = &tx->vin[i].prevout;
	qsort(v, tx->vin_count, sizeof(*v), outpoint_ptr_cmp);
	for (i = 1; i < tx->vin_count && !dup; i++)
		dup = outpoint_ptr_cmp(&v[i - 1], &v[i]) == 0;
	if (v != small)
		free(v);
	return dup;
}

static int
prevout_is_null(const struct outpoint *op)
{
	static const uint8_t zero[32];

	return op->n == UINT32_MAX && memcmp(op->hash, zero, 32) == 0;
}

static int
reject(const char **reason, const char *r)
{
	if (reason != NULL)
		*reason = r;
	return -1;
}

int
consensus_check_tx(const struct tx *tx, const char **reason)
{
	int64_t total = 0;
	size_t i, n;

	if (tx->vin_count == 0)
		return reject(reason, "bad-txns-vin-empty");
	if (tx->vout_count == 0)
		return reject(reason, "bad-txns-vout-empty");
	/* Without its witness it must fit a block on its own. */
	if (tx->base_size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
		return reject(reason, "bad-txns-oversize");
	for (i = 0; i < tx->vout_count; i++) {
		int64_t v = tx->vout[i].value;

		if (v < 0)
			return reject(reason, "bad-txns-vout-negative");
		if (v > MAX_MONEY)
			return reject(reason, "bad-txns-vout-toolarge");
		/* Each term is at most MAX_MONEY: the sum cannot overflow. */
		total += v;
		if (!consensus_money_range(total))
			return reject(reason, "bad-txns-txouttotal-toolarge");
	}
	/* CVE-2018-17144: a block must not spend one coin twice this way. */
	if (has_duplicate_inputs(tx))
		return reject(reason, "bad-txns-inputs-duplicate");
	if (tx_is_coinbase(tx)) {
		n = tx->vin[0].script_len;
		if (n < CONSENSUS_MIN_COINBASE_SCRIPT ||
		    n > CONSENSUS_MAX_COINBASE_SCRIPT)
			return reject(reason, "bad-cb-length");
	} else {
		for (i = 0; i < tx->vin_count; i++)
			if (prevout_is_null(&tx->vin[i].prevout))
				return reject(reason, "bad-txns-prevout-null");
	}
	return 0;
}
