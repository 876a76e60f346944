/*
 * SipHash-2-4 with a 128-bit key (k0, k1). Pure functions; any thread.
 */
#ifndef BR_SIPHASH_H
#define BR_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* Of len bytes (BIP158 filter elements, hash-table keys). */
uint64_t siphash(uint64_t k0, uint64_t k1, const void *data, size_t len);
/* Of a 256-bit value (salted maps): Core's SipHashUint256 gives the same. */
uint64_t siphash_u256(uint64_t k0, uint64_t k1, const uint8_t v[32]);

#endif
