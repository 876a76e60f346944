/*
 * The undo record of a block (store_get_undo): the coins its inputs spent,
 * in block order (transactions after the coinbase, inputs in order), one
 * after another with no count. Written by the validation thread when it
 * connects the block; read back to disconnect it, and by the block filter
 * index for the spent scripts. The format is in undo.c. Reentrant.
 */
#ifndef BR_UNDO_H
#define BR_UNDO_H

#include <stdint.h>

#include "primitives/tx.h"
#include "util/buf.h"

struct undo_coin {
	struct txout out;	/* out.script borrows r's bytes */
	int32_t height;
	int coinbase;
};

void undo_put(struct wbuf *w, const struct undo_coin *c);
/* The next coin at r's cursor: 0, or -1 if the record is malformed. */
int undo_get(struct rbuf *r, struct undo_coin *c);

#endif
