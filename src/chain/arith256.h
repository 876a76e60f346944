/*
 * 256-bit unsigned arithmetic for proof-of-work targets and chain work.
 *
 * struct arith256 is a plain value owned by the caller (no allocation);
 * every function is reentrant and may run on any thread. Arithmetic is
 * modulo 2^256, as Core's arith_uint256. The result pointer may alias any
 * operand.
 *
 * Byte orders: a block hash in internal order is the little-endian form of
 * the number (arith256_from_le); chain work and pow limits in chainparams
 * are big-endian (arith256_from_be), which is also how Core prints them.
 */
#ifndef BR_ARITH256_H
#define BR_ARITH256_H

#include <stddef.h>
#include <stdint.h>

struct arith256 {
	uint32_t w[8]; /* w[0] is the least significant limb */
};

void arith256_set_u64(struct arith256 *a, uint64_t v);
int arith256_is_zero(const struct arith256 *a);
/* Returns -1, 0 or 1 as a is below, equal to or above b. */
int arith256_cmp(const struct arith256 *a, const struct arith256 *b);
void arith256_add(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b);
void arith256_sub(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b);
/* Bitwise complement (Core's operator~). */
void arith256_not(struct arith256 *r, const struct arith256 *a);
/* Shifts by any n; n >= 256 gives zero. */
void arith256_shl(struct arith256 *r, const struct arith256 *a, unsigned n);
void arith256_shr(struct arith256 *r, const struct arith256 *a, unsigned n);
void arith256_mul_u32(struct arith256 *r, const struct arith256 *a,
    uint32_t m);
void arith256_mul_u64(struct arith256 *r, const struct arith256 *a,
    uint64_t m);
void arith256_mul(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b);
/* Quotient of a / d, truncated. Returns 0, or -1 if d is zero (r untouched). */
int arith256_div(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *d);
int arith256_div_u64(struct arith256 *r, const struct arith256 *a, uint64_t d);
/* Position of the highest set bit plus one; 0 for zero. */
unsigned arith256_bits(const struct arith256 *a);
uint64_t arith256_low64(const struct arith256 *a);
/* Nearest double, as Core's getdouble() (used for log2_work). */
double arith256_to_double(const struct arith256 *a);

void arith256_from_le(struct arith256 *a, const uint8_t b[32]);
void arith256_to_le(const struct arith256 *a, uint8_t b[32]);
void arith256_from_be(struct arith256 *a, const uint8_t b[32]);
void arith256_to_be(const struct arith256 *a, uint8_t b[32]);
/* 64 lowercase hex digits, most significant first (Core's chainwork). */
void arith256_to_hex(const struct arith256 *a, char out[65]);
/* Parses 1 to 64 hex digits, most significant first. Returns 0 or -1. */
int arith256_from_hex(struct arith256 *a, const char *s);

/*
 * Compact "nBits" form, as Core's SetCompact/GetCompact: a sign bit at
 * 0x00800000, a byte exponent in the top byte. negative and overflow may be
 * NULL; they are set only for a nonzero mantissa, as Core does.
 */
void arith256_set_compact(struct arith256 *a, uint32_t bits, int *negative,
    int *overflow);
uint32_t arith256_get_compact(const struct arith256 *a, int negative);

/*
 * Expected work of a block with this nBits: 2^256 / (target + 1), or zero
 * when nBits is negative, zero or overflows (Core's GetBlockProof).
 */
void arith256_block_proof(struct arith256 *work, uint32_t bits);
/* Difficulty relative to 0x1d00ffff, as Core's GetDifficulty. */
double arith256_difficulty(uint32_t bits);

#endif
