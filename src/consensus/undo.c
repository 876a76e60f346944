/*
 * The undo record of a block (format in consensus.h). One writer (block
 * connection) and one reader for everyone: disconnecting a block and the
 * RPC methods that show prevouts and fees read it the same way.
 */
#include <stdlib.h>

#include "consensus/consensus.h"
#include "util/xmalloc.h"

/* The smallest coin: 1-byte code, 8-byte value, 1-byte empty script length. */
#define UNDO_MIN_COIN 10

void
consensus_undo_put(struct wbuf *w, const struct consensus_coin *c)
{
	wbuf_put_compact(w, (uint64_t)c->height * 2 + (c->coinbase ? 1 : 0));
	wbuf_put_le64(w, (uint64_t)c->out.value);
	wbuf_put_compact(w, c->out.script_len);
	wbuf_put(w, c->out.script, c->out.script_len);
}

int
consensus_undo_get(struct rbuf *r, struct consensus_coin *c)
{
	uint64_t code, value, len;

	/*
	 * Only connected blocks' spent coins are written, each within money
	 * range; anything else means the record is damaged.
	 */
	if (rbuf_get_compact_nocap(r, &code) != 0 || code / 2 > INT32_MAX ||
	    rbuf_get_le64(r, &value) != 0 || value > (uint64_t)MAX_MONEY ||
	    rbuf_get_compact(r, &len) != 0)
		return -1;
	c->height = (int32_t)(code / 2);
	c->coinbase = (int)(code & 1);
	c->out.value = (int64_t)value;
	c->out.script_len = (size_t)len;
	c->out.script = rbuf_ptr(r, (size_t)len);
	if (c->out.script == NULL && len > 0)
		return -1;
	return 0;
}

int
consensus_undo_read(const uint8_t *undo, size_t n, const struct block *b,
    struct consensus_coin **coins, size_t *n_coins)
{
	struct consensus_coin *v;
	struct rbuf r;
	size_t i, nin = 0;

	for (i = 1; i < b->tx_count; i++)
		nin += b->txs[i].vin_count;
	/* A record too short for nin coins cannot match: allocate nothing. */
	if (nin > n / UNDO_MIN_COIN)
		return -1;
	v = xreallocarray(NULL, nin ? nin : 1, sizeof(*v));
	rbuf_init(&r, undo, n);
	for (i = 0; i < nin; i++)
		if (consensus_undo_get(&r, &v[i]) != 0)
			goto bad;
	if (rbuf_left(&r) != 0)
		goto bad;
	*coins = v;
	*n_coins = nin;
	return 0;
bad:
	free(v);
	return -1;
}
