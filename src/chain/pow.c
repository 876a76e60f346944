/*
 * Proof-of-work rules, after Core's pow.cpp, over ancestors supplied by
 * the caller.
 */
#include <string.h>

#include "chain/pow.h"

static void
limit_of(const struct chainparams *p, struct arith256 *limit)
{
	arith256_from_be(limit, p->pow_limit);
}

uint32_t
pow_limit_bits(const struct chainparams *p)
{
	struct arith256 limit;

	limit_of(p, &limit);
	return arith256_get_compact(&limit, 0);
}

int
pow_derive_target(const struct chainparams *p, uint32_t bits,
    struct arith256 *target)
{
	struct arith256 limit;
	int negative, overflow;

	arith256_set_compact(target, bits, &negative, &overflow);
	limit_of(p, &limit);
	if (negative || overflow || arith256_is_zero(target) ||
	    arith256_cmp(target, &limit) > 0)
		return -1;
	return 0;
}

int
pow_check(const struct chainparams *p, const uint8_t hash[32], uint32_t bits)
{
	struct arith256 target, h;

	if (pow_derive_target(p, bits, &target) == -1)
		return -1;
	arith256_from_le(&h, hash);
	return arith256_cmp(&h, &target) > 0 ? -1 : 0;
}

/* target(bits) * num / den, capped at the pow limit, back in compact form. */
static uint32_t
scale_bits(const struct chainparams *p, uint32_t bits, int64_t num,
    int64_t den)
{
	struct arith256 t, limit;

	arith256_set_compact(&t, bits, NULL, NULL);
	/* Core's arith_uint256 multiplies modulo 2^256; so does this. */
	arith256_mul_u64(&t, &t, (uint64_t)num);
	arith256_div_u64(&t, &t, (uint64_t)den);
	limit_of(p, &limit);
	if (arith256_cmp(&t, &limit) > 0)
		t = limit;
	return arith256_get_compact(&t, 0);
}

uint32_t
pow_calculate_next_work(const struct chainparams *p,
    const struct pow_block *last, int64_t first_time, uint32_t first_bits)
{
	int64_t span;

	if (p->pow_no_retargeting)
		return last->bits;
	span = last->time - first_time;
	if (span < p->target_timespan / 4)
		span = p->target_timespan / 4;
	if (span > p->target_timespan * 4)
		span = p->target_timespan * 4;
	/*
	 * BIP94 scales the first block's target: a min-difficulty block at
	 * the end of a period cannot drag the next period's difficulty down.
	 */
	return scale_bits(p, p->enforce_bip94 ? first_bits : last->bits, span,
	    p->target_timespan);
}

int
pow_next_work_required(const struct chainparams *p,
    const struct pow_block *prev, int64_t new_time, pow_ancestor_fn get,
    void *arg, uint32_t *bits)
{
	int32_t interval = chainparams_retarget_interval(p);
	uint32_t limit_bits = pow_limit_bits(p);
	struct pow_block b, first;

	if ((prev->height + 1) % interval != 0) {
		if (!p->pow_allow_min_difficulty) {
			*bits = prev->bits;
			return 0;
		}
		/* Testnet: 20 minutes after the last block, anyone may mine. */
		if (new_time > prev->time + p->target_spacing * 2) {
			*bits = limit_bits;
			return 0;
		}
		/* Otherwise the last block not mined under that exception. */
		b = *prev;
		while (b.height > 0 && b.height % interval != 0 &&
		    b.bits == limit_bits) {
			if (get(arg, b.height - 1, &b) == -1)
				return -1;
		}
		*bits = b.bits;
		return 0;
	}
	/* Go back a full period, to the first block of the one ending now. */
	if (get(arg, prev->height - (interval - 1), &first) == -1)
		return -1;
	*bits = pow_calculate_next_work(p, prev, first.time, first.bits);
	return 0;
}

/* The compact rounding of target(old) * num / den, capped at the limit. */
static void
bound_target(const struct chainparams *p, uint32_t old_bits, int64_t num,
    struct arith256 *out)
{
	arith256_set_compact(out,
	    scale_bits(p, old_bits, num, p->target_timespan), NULL, NULL);
}

int
pow_check_transition(const struct chainparams *p, int32_t height,
    uint32_t old_bits, uint32_t new_bits)
{
	struct arith256 observed, bound;

	if (p->pow_allow_min_difficulty)
		return 0;
	if (height % chainparams_retarget_interval(p) != 0)
		return old_bits == new_bits ? 0 : -1;
	arith256_set_compact(&observed, new_bits, NULL, NULL);
	bound_target(p, old_bits, p->target_timespan * 4, &bound);
	if (arith256_cmp(&bound, &observed) < 0)
		return -1;
	bound_target(p, old_bits, p->target_timespan / 4, &bound);
	if (arith256_cmp(&bound, &observed) > 0)
		return -1;
	return 0;
}

int
pow_check_timewarp(const struct chainparams *p, int32_t height, int64_t time,
    int64_t prev_time)
{
	if (!p->enforce_bip94 ||
	    height % chainparams_retarget_interval(p) != 0)
		return 0;
	return time < prev_time - POW_MAX_TIMEWARP ? -1 : 0;
}

int64_t
pow_equivalent_time(const uint8_t to_work[32], const uint8_t from_work[32],
    uint32_t tip_bits, int64_t spacing)
{
	struct arith256 to, from, diff, proof;
	int64_t sign = 1;

	arith256_from_be(&to, to_work);
	arith256_from_be(&from, from_work);
	if (arith256_cmp(&to, &from) > 0)
		arith256_sub(&diff, &to, &from);
	else {
		arith256_sub(&diff, &from, &to);
		sign = -1;
	}
	arith256_block_proof(&proof, tip_bits);
	arith256_mul_u64(&diff, &diff, (uint64_t)spacing);
	/* A tip without work (bad nBits) makes any distance infinite. */
	if (arith256_div(&diff, &diff, &proof) != 0 ||
	    arith256_bits(&diff) > 63)
		return sign * INT64_MAX;
	return sign * (int64_t)arith256_low64(&diff);
}
