/*
 * verifychain (Core's VerifyDB): checks the last blocks of the active
 * chain at increasing depth of effort. Levels 3 and 4 disconnect and
 * reconnect them inside one write transaction that is then aborted, so the
 * check leaves the chainstate exactly as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"

struct verify_arg {
	int level;
	int depth;
	int ok;
	size_t ntx;
	int nblocks;
	char *why; /* the failure, for the caller; may be NULL */
	size_t whylen;
};

static int
verify_fail(struct verify_arg *va, const char *what, const struct bindex *b,
    const char *detail)
{
	char hex[65];

	hash_to_hex(b->e.hash, hex);
	log_warnx("Verification error: %s at %d, hash=%s%s%s", what,
	    b->e.height, hex, detail ? ": " : "", detail ? detail : "");
	if (va->why != NULL)
		snprintf(va->why, va->whylen, "%s at height %d (block %s)%s%s",
		    what, b->e.height, hex, detail ? ": " : "",
		    detail ? detail : "");
	va->ok = 0;
	return -1;
}

static int
verify_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct verify_arg *va = arg;
	struct store_rtxn *r = store_wtxn_reader(w);
	struct bindex *tip = chain_tip(&cs->chain), *b, *last = NULL;
	const uint8_t *raw, *undo;
	size_t len, ulen;
	struct block blk;
	struct val_state st;
	int rc;

	va->ok = 1;
	va->ntx = 0;
	va->nblocks = 0;
	for (b = tip;
	     b && b->parent && b->e.height > tip->e.height - va->depth;
	     b = b->parent) {
		/* A snapshot's chainstate has no blocks or undo below its base. */
		if ((cs->snap_base && bindex_descends(cs->snap_base, b)) ||
		    (cs->opts.prune_target != 0 &&
			!(b->e.status & BLOCK_HAVE_DATA))) {
			log_info(
			    "VerifyDB(): block verification stopping at "
			    "height %d (no data). This could be due to pruning "
			    "or use of an assumeutxo snapshot.",
			    b->e.height);
			break;
		}
		if (cs_load_block(cs, r, b, &raw, &len, &blk) != 0)
			return verify_fail(va, "ReadBlock failed", b, NULL);
		vs_clear(&st);
		if (va->level >= 1 && check_block(cs, &blk, 1, 1, &st) != 0) {
			block_free(&blk);
			return verify_fail(va, "found bad block", b,
			    st.reason);
		}
		va->ntx += blk.tx_count;
		block_free(&blk);
		if (va->level >= 2 && (b->e.status & BLOCK_HAVE_UNDO) &&
		    store_get_undo(r, b->e.hash, &undo, &ulen) != STORE_OK)
			return verify_fail(va, "found bad undo data", b, NULL);
		if (va->level >= 3) {
			rc = disconnect_block(cs, w, b);
			if (rc == STORE_MAPFULL)
				return rc;
			if (rc == 1)
				return verify_fail(va,
				    "coin database inconsistencies found", b,
				    NULL);
			if (rc != 0)
				return verify_fail(va,
				    "irrecoverable inconsistency in block data",
				    b, NULL);
		}
		last = b;
		va->nblocks++;
	}
	if (va->level >= 4 && last) {
		for (b = last; b; b = b == tip ?
			 NULL :
			 chain_at(&cs->chain, b->e.height + 1)) {
			if (cs_load_block(cs, r, b, &raw, &len, &blk) != 0)
				return verify_fail(va, "ReadBlock failed", b,
				    NULL);
			vs_clear(&st);
			rc = connect_block(cs, w, b, &blk, 0, &st);
			block_free(&blk);
			if (rc == STORE_MAPFULL)
				return rc;
			if (rc != 0)
				return verify_fail(va,
				    "found unconnectable block", b, st.reason);
		}
	}
	/* Nothing here may be committed: report success to cs_txn as "abort". */
	return 0;
}

int
chainstate_verify(struct chainstate *cs, int level, int nblocks)
{
	return chainstate_verify_why(cs, level, nblocks, NULL, 0);
}

int
chainstate_verify_why(struct chainstate *cs, int level, int nblocks, char *why,
    size_t whylen)
{
	struct verify_arg va;
	int32_t height = cs->chain.height;
	int rc;

	if (height <= 0)
		return 1;
	if (level < 0)
		level = 0;
	if (level > 4)
		level = 4;
	if (nblocks <= 0 || nblocks > height)
		nblocks = height;
	memset(&va, 0, sizeof(va));
	va.level = level;
	va.depth = nblocks;
	va.why = why;
	va.whylen = whylen;
	log_info("Verifying last %d blocks at level %d", nblocks, level);
	rc = cs_txn(cs, verify_txn, &va, 0);
	if (rc != 0 && va.ok) {
		log_warnx("Verification: store failure: %s",
		    store_strerror(rc));
		if (why != NULL)
			snprintf(why, whylen,
			    "the store could not be read: %s",
			    store_strerror(rc));
		return 0;
	}
	if (va.ok)
		log_info("Verification: No coin database inconsistencies in "
			 "last %d blocks (%zu transactions)",
		    va.nblocks, va.ntx);
	return va.ok;
}
