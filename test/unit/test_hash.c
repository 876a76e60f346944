#include "crypto/hash.h"
#include "util/siphash.h"
#include "unit.h"
#include "util/hex.h"

static const char *
hx(const uint8_t *p, size_t n)
{
	static char s[129];

	hex_encode(p, n, s);
	return s;
}

static void
test_sha256_vectors(void)
{
	uint8_t h[32];
	struct sha256_ctx c;

	sha256("", 0, h);
	CHECK_EQ_STR(hx(h, 32),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, h);
	CHECK_EQ_STR(hx(h, 32),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_init(&c);
	sha256_update(&c, "a", 1);
	sha256_update(&c, "bc", 2);
	sha256_final(&c, h);
	CHECK_EQ_STR(hx(h, 32),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash256("hello", 5, h);
	CHECK_EQ_STR(hx(h, 32),
	    "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");
}

static void
test_ripemd_hash160(void)
{
	uint8_t h[20];

	ripemd160("", 0, h);
	CHECK_EQ_STR(hx(h, 20), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
	ripemd160("abc", 3, h);
	CHECK_EQ_STR(hx(h, 20), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
	/* HASH160 of the generator point's compressed encoding. */
	{
		uint8_t pk[33];

		hex_decode(
		    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
		    pk, 33);
		hash160(pk, 33, h);
		CHECK_EQ_STR(hx(h, 20),
		    "751e76e8199196d454941c45d1b3a323f1433bd6");
	}
}

static void
test_tagged_hash(void)
{
	uint8_t h[32], t[32], buf[64 + 3];

	tagged_hash("TapLeaf", "abc", 3, h);
	sha256("TapLeaf", 7, t);
	memcpy(buf, t, 32);
	memcpy(buf + 32, t, 32);
	memcpy(buf + 64, "abc", 3);
	sha256(buf, sizeof(buf), t);
	CHECK(memcmp(h, t, 32) == 0);
}

static void
test_hmac_sha256(void)
{
	uint8_t h[32];

	/* RFC 4231 test case 2. */
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h);
	CHECK_EQ_STR(hx(h, 32),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
test_siphash(void)
{
	uint8_t v[32];
	int i;

	/* Differs by key and by value; stable for the same input. */
	for (i = 0; i < 32; i++)
		v[i] = (uint8_t)i;
	/* SipHash-2-4 of 32 bytes 00..1f under key 00..0f. */
	CHECK(siphash_u256(0x0706050403020100ULL, 0x0F0E0D0C0B0A0908ULL, v) ==
	    0x7127512f72f27cceULL);
	CHECK(siphash_u256(1, 2, v) == siphash_u256(1, 2, v));
	CHECK(siphash_u256(1, 2, v) != siphash_u256(1, 3, v));
	v[31] ^= 1;
	CHECK(siphash_u256(1, 2, v) != siphash_u256(1, 3, v));
}

/* The reference implementation's vectors: key 00..0f, messages 00..(n-1). */
static void
test_siphash_bytes(void)
{
	static const uint64_t want[] = {
		0x726fdb47dd0e0e31ULL, /* empty */
		0x74f839c593dc67fdULL, /* 00 */
		0xab0200f58b01d137ULL, /* 00..06 */
		0x93f5f5799a932462ULL, /* 00..07 */
		0x9e0082df0ba9e4b0ULL, /* 00..08 */
		0xa129ca6149be45e5ULL, /* 00..0e (the paper's example) */
	};
	static const size_t lens[] = { 0, 1, 7, 8, 9, 15 };
	const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0F0E0D0C0B0A0908ULL;
	uint8_t v[32];
	size_t i;

	for (i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)i;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		CHECK(siphash(k0, k1, v, lens[i]) == want[i]);
	/* Agrees with the fixed-size variant. */
	CHECK(siphash(k0, k1, v, 32) == siphash_u256(k0, k1, v));
}

UNIT_MAIN(UNIT_CASE(test_sha256_vectors), UNIT_CASE(test_ripemd_hash160),
    UNIT_CASE(test_tagged_hash), UNIT_CASE(test_hmac_sha256),
    UNIT_CASE(test_siphash), UNIT_CASE(test_siphash_bytes))
