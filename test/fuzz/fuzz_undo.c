/*
 * libFuzzer target for undo records (consensus/undo.c), the coins a block
 * spent as the store keeps them: read back to disconnect a block and by
 * the RPC methods that show prevouts and fees, from a data.mdb anyone
 * with the datadir can damage.
 *
 * Input: a count k (first byte, mod 9), k bytes giving the input counts of
 * the block's transactions after the coinbase, then the record. Properties:
 *  - consensus_undo_read succeeds exactly when the record is one coin per
 *    input read by consensus_undo_get and nothing is left over;
 *  - each coin it gives has a height within int32, a flag 0 or 1, an
 *    amount in the money range and a script inside the record;
 *  - written back with consensus_undo_put, the coins are the record byte
 *    for byte (every CompactSize has one spelling);
 *  - a coin read alone leaves the cursor after exactly the bytes it took.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_undo"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TXS 8

static void
check_coin(const struct consensus_coin *c, const uint8_t *rec, size_t n)
{
	PROP(c->height >= 0);
	PROP(c->coinbase == 0 || c->coinbase == 1);
	PROP(c->out.value >= 0 && c->out.value <= MAX_MONEY);
	PROP(c->out.script_len == 0 ||
	    (c->out.script >= rec &&
		c->out.script + c->out.script_len <= rec + n));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tx txs[MAX_TXS + 1];
	struct consensus_coin *coins = NULL, c;
	struct block b;
	struct rbuf r;
	struct wbuf w;
	const uint8_t *rec;
	size_t k, i, n, nin = 0, ncoins = 0, start;
	int rc, ok;

	if (size < 1)
		return 0;
	k = data[0] % (MAX_TXS + 1);
	if (size < 1 + k)
		return 0;
	memset(&b, 0, sizeof(b));
	memset(txs, 0, sizeof(txs));
	b.txs = txs;
	b.tx_count = k + 1; /* the coinbase's inputs are not undone */
	txs[0].vin_count = 1;
	for (i = 0; i < k; i++) {
		txs[i + 1].vin_count = data[1 + i];
		nin += data[1 + i];
	}
	rec = data + 1 + k;
	n = size - 1 - k;

	/* The same record read coin by coin. */
	rbuf_init(&r, rec, n);
	ok = 1;
	for (i = 0; i < nin && ok; i++) {
		start = r.off;
		if (consensus_undo_get(&r, &c) != 0) {
			ok = 0;
			break;
		}
		check_coin(&c, rec, n);
		wbuf_init(&w);
		consensus_undo_put(&w, &c);
		PROP(w.len == r.off - start);
		PROP(memcmp(w.p, rec + start, w.len) == 0);
		wbuf_free(&w);
	}
	if (ok && rbuf_left(&r) != 0)
		ok = 0;

	rc = consensus_undo_read(rec, n, &b, &coins, &ncoins);
	PROP((rc == 0) == ok);
	if (rc != 0)
		return 0;
	PROP(ncoins == nin);
	wbuf_init(&w);
	for (i = 0; i < ncoins; i++) {
		check_coin(&coins[i], rec, n);
		consensus_undo_put(&w, &coins[i]);
	}
	PROP(w.len == n && (n == 0 || memcmp(w.p, rec, n) == 0));
	wbuf_free(&w);
	free(coins);
	return 0;
}
