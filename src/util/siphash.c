/*
 * SipHash-2-4: the keyed hash behind the salted hash tables (block index,
 * coins cache, address manager, htab) and BIP158's filter elements. It
 * lives in util, the base layer, because util's own hash table needs it and
 * util includes no other module.
 */
#include "util/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND \
	do { \
		v0 += v1; \
		v1 = ROTL(v1, 13); \
		v1 ^= v0; \
		v0 = ROTL(v0, 32); \
		v2 += v3; \
		v3 = ROTL(v3, 16); \
		v3 ^= v2; \
		v0 += v3; \
		v3 = ROTL(v3, 21); \
		v3 ^= v0; \
		v2 += v1; \
		v1 = ROTL(v1, 17); \
		v1 ^= v2; \
		v2 = ROTL(v2, 32); \
	} while (0)

/* SipHash-2-4 of the 32 bytes: Core's SipHashUint256 gives the same. */
uint64_t
siphash_u256(uint64_t k0, uint64_t k1, const uint8_t v[32])
{
	return siphash(k0, k1, v, 32);
}

uint64_t
siphash(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m;
	size_t left;
	int j;

	for (left = len; left >= 8; left -= 8, p += 8) {
		m = 0;
		for (j = 7; j >= 0; j--)
			m = m << 8 | p[j];
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	/* The last 0..7 bytes, with the length's low byte on top. */
	m = (uint64_t)(len & 0xff) << 56;
	for (j = (int)left - 1; j >= 0; j--)
		m |= (uint64_t)p[j] << (8 * j);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}
