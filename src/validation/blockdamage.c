/*
 * Blocks whose stored bytes a read found damaged (store_take_damaged: a
 * bad frame, a missing or truncated block file, a block that does not
 * hash to its index entry, undo data failing its checksum).
 *
 * Validation thread only. A damaged block that is not in the active chain
 * loses its data in the index (BLOCK_HAVE_DATA and BLOCK_HAVE_UNDO
 * cleared, its block file record dropped) so that it is downloaded again,
 * as a block never received; one in the active chain cannot be replaced
 * without disconnecting it, which needs its undo data and its bytes, so
 * the caller stops the node with a message instead.
 */
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "validation/chainstate_int.h"

struct forget_arg {
	uint8_t (*hashes)[32];
	size_t n;
};

static int
forget_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct forget_arg *a = arg;
	size_t i;
	int rc;

	(void)cs;
	for (i = 0; i < a->n; i++) {
		rc = store_del_block(w, a->hashes[i]);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return rc;
		rc = store_del_undo(w, a->hashes[i]);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return rc;
	}
	return 0;
}

int
chainstate_forget_damaged(struct chainstate *cs, char first_hex[65],
    int *in_chain)
{
	uint8_t hash[32], keep[16][32];
	struct forget_arg a = { keep, 0 };
	struct bindex *b;
	int seen = 0;

	*in_chain = 0;
	while (store_take_damaged(cs->store, hash)) {
		if (seen++ == 0)
			hash_to_hex(hash, first_hex);
		b = bindex_find(&cs->map, hash);
		if (b == NULL)
			continue;
		if (chain_contains(&cs->chain, b)) {
			*in_chain = 1;
			hash_to_hex(hash, first_hex);
			continue;
		}
		if (a.n == sizeof(keep) / sizeof(keep[0]))
			continue; /* the rest at the next failure */
		cs_lock(cs);
		b->e.status &= ~(BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO);
		b->e.chain_tx = 0;
		/*
		 * Unlike a pruned block's, its transactions count as never
		 * received, so no restart makes it a candidate before it is
		 * downloaded again.
		 */
		b->e.tx_count = 0;
		cand_remove(&cs->cand, b);
		cs_unlock(cs);
		cs_mark_dirty(cs, b);
		memcpy(keep[a.n++], hash, 32);
	}
	if (a.n > 0 &&
	    (cs_write(cs, forget_txn, &a) != 0 || cs_flush_dirty(cs) != 0))
		log_warnx(
		    "chainstate: could not drop the damaged blocks' data");
	return seen;
}
