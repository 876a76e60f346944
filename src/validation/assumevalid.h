/*
 * assumevalid (Core's fScriptChecks in ConnectBlock): whether the scripts
 * of a block being connected may go unchecked because an operator, or the
 * chain parameters, vouched for a later block (-assumevalid).
 *
 * Only script evaluation is skipped. Proof of work, merkle roots, amounts,
 * the coinbase, sigop counts, BIP30/BIP34, lock times and sequence locks
 * and the witness commitment are checked for every block.
 *
 * Scripts are skipped only when all of these hold, in this order (the
 * first that fails is the reason returned):
 *  1. an assumed-valid block is set and is in the block index;
 *  2. the block is an ancestor of (or is) the assumed-valid block;
 *  3. the block is an ancestor of (or is) the best header;
 *  4. the best header has at least the minimum chain work;
 *  5. the best header is more than two weeks of equivalent proof of work
 *     past the block (pow_equivalent_time at the best header's nBits).
 * Condition 3 is Core's: the block, not the assumed-valid one, must be in
 * the best header's chain.
 *
 * Pure: the caller looks the entries up (under whatever lock it needs) and
 * the function only reads them. Any thread.
 */
#ifndef BR_ASSUMEVALID_H
#define BR_ASSUMEVALID_H

#include <stdint.h>

#include "validation/blockindex.h"

/* Core's two weeks of equivalent work below the best header. */
#define ASSUMEVALID_MIN_AGE (60 * 60 * 24 * 7 * 2)

struct assumevalid_view {
	int enabled;	     /* an assumed-valid hash is set (not 0) */
	struct bindex *av;   /* its index entry; NULL when not in the index */
	struct bindex *best; /* the best header; NULL when none */
	const uint8_t *min_work; /* minimum chain work, big-endian, 32 bytes */
	int64_t spacing;	 /* the chain's target spacing, seconds */
};

/*
 * NULL when bi's scripts may be skipped; otherwise why they are checked, a
 * static string naming the condition that failed ("assumevalid=0",
 * "assumevalid block not in the block index", ...).
 */
const char *assumevalid_check_reason(const struct assumevalid_view *v,
    struct bindex *bi);

#endif
