/*
 * Proof of work: checking a header's hash against its nBits, the nBits the
 * next block must carry (Core's GetNextWorkRequired: 2016-block retargets
 * clamped to 4x, testnet's 20-minute rule, BIP94 on testnet4, none on
 * regtest). Median time past is in src/consensus.
 *
 * The block index lives with validation, so this module never walks it:
 * the caller passes a pow_ancestor_fn that looks up blocks on the chain
 * being evaluated. Everything here is reentrant; the callback runs on the
 * caller's thread, under whatever lock the caller holds.
 */
#ifndef BR_POW_H
#define BR_POW_H

#include <stddef.h>
#include <stdint.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"

/* What proof-of-work rules need of a block in the index. */
struct pow_block {
	int32_t height;
	int64_t time;
	uint32_t bits;
};

/*
 * Fills *out with the block at height on the chain that ends at the block
 * the caller asked about (height is never above that block's). Returns 0,
 * or -1 if the block is not known; the functions below then return -1.
 */
typedef int (
    *pow_ancestor_fn)(void *arg, int32_t height, struct pow_block *out);

/*
 * Target of bits for this chain: 0, or -1 if bits is negative, zero,
 * overflows or is easier than the chain's pow limit.
 */
int pow_derive_target(const struct chainparams *p, uint32_t bits,
    struct arith256 *target);
/*
 * Core's CheckProofOfWork: the hash (internal byte order, read as a
 * little-endian number) must not exceed the target of bits. Returns 0 if
 * the work is there, -1 if not (bits invalid, or hash too high).
 */
int pow_check(const struct chainparams *p, const uint8_t hash[32],
    uint32_t bits);

/* The chain's pow limit in compact form (0x1d00ffff on main). */
uint32_t pow_limit_bits(const struct chainparams *p);

/*
 * nBits required of the block after prev, whose timestamp is new_time.
 * get is asked for blocks at or below prev->height. Returns 0 with *bits
 * set, or -1 if get failed.
 */
int pow_next_work_required(const struct chainparams *p,
    const struct pow_block *prev, int64_t new_time, pow_ancestor_fn get,
    void *arg, uint32_t *bits);
/*
 * The retarget itself (Core's CalculateNextWorkRequired): last is the last
 * block of the period, first_time the time of its first block and
 * first_bits its nBits (used only under BIP94).
 */
uint32_t pow_calculate_next_work(const struct chainparams *p,
    const struct pow_block *last, int64_t first_time, uint32_t first_bits);
/*
 * Core's PermittedDifficultyTransition, for headers whose ancestors are not
 * at hand (header pre-sync): 0 if new_bits may follow old_bits at height,
 * -1 if no valid chain could have made that change.
 */
int pow_check_transition(const struct chainparams *p, int32_t height,
    uint32_t old_bits, uint32_t new_bits);

/*
 * BIP94's timewarp rule (chains with enforce_bip94): the first block of a
 * retarget period may not be more than POW_MAX_TIMEWARP seconds older than
 * its parent. Returns 0, or -1 for Core's "time-timewarp-attack".
 */
#define POW_MAX_TIMEWARP 600
int pow_check_timewarp(const struct chainparams *p, int32_t height,
    int64_t time, int64_t prev_time);

/*
 * Core's GetBlockProofEquivalentTime: how long, at the tip's difficulty
 * (tip_bits) and the chain's spacing, the work between two blocks
 * (chain work, big-endian as in the block index) took to produce. Negative
 * when from has more work than to; INT64_MAX (signed) when it does not fit.
 */
int64_t pow_equivalent_time(const uint8_t to_work[32],
    const uint8_t from_work[32], uint32_t tip_bits, int64_t spacing);

#endif
