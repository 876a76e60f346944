#include <stdint.h>

#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"

static int
compact_of(const char *hexs, uint64_t *v, int cap)
{
	uint8_t b[16];
	struct rbuf r;
	int n = hex_decode(hexs, b, sizeof(b));

	rbuf_init(&r, b, (size_t)n);
	if ((cap ? rbuf_get_compact(&r, v) : rbuf_get_compact_nocap(&r, v)) ==
	    -1)
		return -1;
	return rbuf_left(&r) == 0 ? 0 : -2;
}

static void
test_compact_canonical(void)
{
	uint64_t v;

	CHECK(compact_of("fc", &v, 1) == 0 && v == 0xfc);
	CHECK(compact_of("fdfd00", &v, 1) == 0 && v == 0xfd);
	CHECK(compact_of("fdffff", &v, 1) == 0 && v == 0xffff);
	CHECK(compact_of("fe00000100", &v, 1) == 0 && v == 0x10000);
	CHECK(compact_of("fe00000002", &v, 1) == 0 && v == COMPACT_MAX_SIZE);
	CHECK(compact_of("ff0000000001000000", &v, 0) == 0 &&
	    v == 0x100000000ull);
}

static void
test_compact_rejects(void)
{
	uint64_t v;

	/* Non-canonical: each could have been one size smaller. */
	CHECK(compact_of("fdfc00", &v, 0) == -1);
	CHECK(compact_of("feffff0000", &v, 0) == -1);
	CHECK(compact_of("ffffffffff00000000", &v, 0) == -1);
	/* Over MAX_SIZE is refused as a size. */
	CHECK(compact_of("fe01000002", &v, 1) == -1);
	CHECK(compact_of("fe01000002", &v, 0) == 0);
	/* Truncated. */
	CHECK(compact_of("fd01", &v, 0) == -1);
	CHECK(compact_of("", &v, 0) == -1);
}

static void
test_compact_roundtrip(void)
{
	static const uint64_t vals[] = { 0, 1, 0xfc, 0xfd, 0xffff, 0x10000,
		0xffffffffu, 0x100000000ull, UINT64_MAX };
	struct wbuf w;
	struct rbuf r;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		wbuf_init(&w);
		wbuf_put_compact(&w, vals[i]);
		CHECK_EQ_INT(w.len, compact_size_len(vals[i]));
		rbuf_init(&r, w.p, w.len);
		CHECK(rbuf_get_compact_nocap(&r, &v) == 0 && v == vals[i]);
		wbuf_free(&w);
	}
}

static void
test_rbuf_bounds(void)
{
	uint8_t b[5] = { 1, 2, 3, 4, 5 };
	struct rbuf r;
	uint32_t v32;
	uint64_t v64;
	uint8_t out[8];

	rbuf_init(&r, b, sizeof(b));
	CHECK(rbuf_get_le64(&r, &v64) == -1);
	CHECK_EQ_INT(r.off, 0); /* a failed read does not advance */
	CHECK(rbuf_get_le32(&r, &v32) == 0 && v32 == 0x04030201);
	CHECK(rbuf_get(&r, out, 2) == -1);
	CHECK(rbuf_ptr(&r, 1) == b + 4);
	CHECK(rbuf_ptr(&r, 1) == NULL);
	CHECK_EQ_INT(rbuf_left(&r), 0);
	CHECK(rbuf_skip(&r, 0) == 0);
}

static void
test_hex(void)
{
	uint8_t b[4], h[32];
	char s[65];

	CHECK_EQ_INT(hex_decode("00fFa5", b, sizeof(b)), 3);
	CHECK(b[1] == 0xff && b[2] == 0xa5);
	CHECK_EQ_INT(hex_decode("0", b, sizeof(b)), -1);
	CHECK_EQ_INT(hex_decode("zz", b, sizeof(b)), -1);
	CHECK_EQ_INT(hex_decode("0102030405", b, sizeof(b)), -1);
	CHECK(
	    hash_from_hex(
		"0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
		h) == 0);
	CHECK(h[0] == 0x06 && h[31] == 0x0f);
	hash_to_hex(h, s);
	CHECK_EQ_STR(s,
	    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
	CHECK(hash_from_hex("0f91", h) == -1);
}

UNIT_MAIN(UNIT_CASE(test_compact_canonical), UNIT_CASE(test_compact_rejects),
    UNIT_CASE(test_compact_roundtrip), UNIT_CASE(test_rbuf_bounds),
    UNIT_CASE(test_hex))
