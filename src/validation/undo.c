/*
 * The undo record of a block: the coins its inputs spent, in block order
 * (transactions after the coinbase, inputs in order), so disconnecting can
 * put them back. Each coin is
 *
 *	CompactSize(height * 2 + coinbase) || le64 value ||
 *	CompactSize(script length) || script
 *
 * The record is opaque to the store; validation/undo.h is its interface
 * (the block filter index reads the spent scripts through it).
 */
#include <string.h>

#include "validation/undo.h"

void
undo_put(struct wbuf *w, const struct undo_coin *c)
{
	wbuf_put_compact(w, (uint64_t)c->height * 2 + (c->coinbase ? 1 : 0));
	wbuf_put_le64(w, (uint64_t)c->out.value);
	wbuf_put_compact(w, c->out.script_len);
	wbuf_put(w, c->out.script, c->out.script_len);
}

int
undo_get(struct rbuf *r, struct undo_coin *c)
{
	uint64_t code, value, len;

	if (rbuf_get_compact_nocap(r, &code) != 0 || code / 2 > INT32_MAX ||
	    rbuf_get_le64(r, &value) != 0 || rbuf_get_compact(r, &len) != 0)
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
