/*
 * BIP158 filters: Bitcoin Core's blockfilters.json (the BIP's testnet-19
 * vectors: filter and header of each block from its prevout scripts), the
 * GCS matcher against every element, the set rule (duplicates count once)
 * and the bit-level encoding of a hand-made set.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/hash.h"
#include "util/siphash.h"
#include "index/blockfilter.h"
#include "primitives/block.h"
#include "script/opcodes.h"
#include "util/hex.h"
#include "util/xmalloc.h"
#include "unit.h"

static json_t *
load(const char *rel)
{
	json_error_t e;
	json_t *j = json_load_file(SHARED_PATH(rel), 0, &e);

	if (j == NULL)
		fprintf(stderr, "%s: %s\n", rel, e.text);
	return j;
}

static uint8_t *
unhex(const char *s, size_t *len)
{
	uint8_t *p;

	if (hex_decode_alloc(s, &p, len) != 0)
		return NULL;
	return p;
}

/* Every element the basic filter must hold matches; hand-picked others don't. */
static void
check_matches(const struct block *b, const struct bf_item *prev, size_t nprev,
    const uint8_t *f, size_t flen)
{
	static const uint8_t absent[][4] = { { 0x51 }, { 0xde, 0xad },
		{ 0x00, 0x14, 0x01, 0x02 } };
	const struct txout *o;
	uint64_t k0, k1;
	size_t i, k, hits = 0;

	blockfilter_key(b->hash, &k0, &k1);
	for (i = 0; i < b->tx_count; i++)
		for (k = 0; k < b->txs[i].vout_count; k++) {
			o = &b->txs[i].vout[k];
			if (o->script_len == 0 || o->script[0] == OP_RETURN)
				continue;
			CHECK(gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M,
				  f, flen, o->script, o->script_len) == 1);
		}
	for (i = 0; i < nprev; i++)
		if (prev[i].len > 0)
			CHECK(gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M,
				  f, flen, prev[i].p, prev[i].len) == 1);
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		hits += gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, f,
			    flen, absent[i], i + 1) == 1;
	/* False positives are 1 in 784931: three misses are near certain. */
	CHECK(hits == 0);
}

static void
test_vectors(void)
{
	json_t *j = load("vectors/core/blockfilters.json"), *row, *scripts;
	struct bf_item prev[64];
	uint8_t *raw, *scr[64], prev_hdr[32], want_hdr[32], fh[32], hdr[32];
	uint8_t want_hash[32];
	char hex[65];
	size_t i, k, len, nprev, rows = 0;
	struct block b;
	struct wbuf w;
	char *fhex;

	CHECK(j != NULL && json_is_array(j));
	if (j == NULL)
		return;
	json_array_foreach (j, i, row) {
		if (json_array_size(row) < 7)
			continue; /* the header line */
		raw = unhex(json_string_value(json_array_get(row, 2)), &len);
		CHECK(raw != NULL);
		if (raw == NULL)
			continue;
		CHECK(block_parse(raw, len, &b) == 0);
		CHECK(hash_from_hex(json_string_value(json_array_get(row, 1)),
			  want_hash) == 0);
		CHECK(memcmp(b.hash, want_hash, 32) == 0);
		scripts = json_array_get(row, 3);
		nprev = json_array_size(scripts);
		CHECK(nprev <= 64);
		for (k = 0; k < nprev && k < 64; k++) {
			scr[k] = unhex(json_string_value(
					   json_array_get(scripts, k)),
			    &prev[k].len);
			CHECK(scr[k] != NULL);
			prev[k].p = scr[k];
		}
		wbuf_init(&w);
		blockfilter_basic(&b, prev, nprev, &w);
		fhex = hex_encode_alloc(w.p, w.len);
		CHECK_EQ_STR(fhex, json_string_value(json_array_get(row, 5)));
		CHECK(hash_from_hex(json_string_value(json_array_get(row, 4)),
			  prev_hdr) == 0);
		CHECK(hash_from_hex(json_string_value(json_array_get(row, 6)),
			  want_hdr) == 0);
		blockfilter_hash(w.p, w.len, fh);
		blockfilter_header(fh, prev_hdr, hdr);
		hash_to_hex(hdr, hex);
		CHECK_EQ_STR(hex, json_string_value(json_array_get(row, 6)));
		check_matches(&b, prev, nprev, w.p, w.len);
		free(fhex);
		wbuf_free(&w);
		for (k = 0; k < nprev && k < 64; k++)
			free(scr[k]);
		block_free(&b);
		free(raw);
		rows++;
	}
	/* The file has ten blocks, genesis to one with 100 outputs. */
	CHECK(rows >= 10);
	json_decref(j);
}

/* N = 0 is the single byte 00; duplicates, in any order, count once. */
static void
test_set_rules(void)
{
	static const uint8_t a[] = { 0x51 }, bb[] = { 0x52, 0x53 };
	struct bf_item one[] = { { a, 1 }, { bb, 2 } };
	struct bf_item dup[] = { { bb, 2 }, { a, 1 }, { a, 1 }, { bb, 2 } };
	struct wbuf w1, w2;

	wbuf_init(&w1);
	gcs_encode(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, NULL, 0, &w1);
	CHECK(w1.len == 1 && w1.p[0] == 0);
	CHECK(gcs_match(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, w1.p, w1.len, a,
		  1) == 0);
	wbuf_reset(&w1);
	wbuf_init(&w2);
	gcs_encode(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, one, 2, &w1);
	gcs_encode(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, dup, 4, &w2);
	CHECK(w1.len == w2.len && memcmp(w1.p, w2.p, w1.len) == 0);
	CHECK(w1.p[0] == 2);
	CHECK(gcs_match(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, w1.p, w1.len, bb,
		  2) == 1);
	/* Another key gives another filter. */
	wbuf_reset(&w2);
	gcs_encode(1, 3, BASIC_FILTER_P, BASIC_FILTER_M, one, 2, &w2);
	CHECK(w1.len != w2.len || memcmp(w1.p, w2.p, w1.len) != 0);
	/* Truncated filters are malformed, not a miss. */
	CHECK(gcs_match(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, w1.p, 1, bb,
		  2) == -1);
	CHECK(gcs_match(1, 2, BASIC_FILTER_P, BASIC_FILTER_M, w1.p, 0, bb,
		  2) == -1);
	wbuf_free(&w1);
	wbuf_free(&w2);
}

/*
 * The bit layout, worked by hand with P = 2 and a set of one element
 * whose value is v = h * M >> 64 for M = 1: always 0, coded as the
 * quotient 0 ("0") and the remainder 00, so the byte 0b000_00000.
 * With M large the value and its code are checked against a
 * recomputation.
 */
static void
test_bit_layout(void)
{
	static const uint8_t e[] = { 0xab };
	struct bf_item it = { e, 1 };
	struct wbuf w;
	uint64_t h, v, q, r;
	uint8_t want[8];
	size_t nbits, i;

	wbuf_init(&w);
	gcs_encode(7, 9, 2, 1, &it, 1, &w);
	CHECK(w.len == 2 && w.p[0] == 1 && w.p[1] == 0);
	wbuf_reset(&w);
	/* M = 64: v = h >> 58, six bits; with P = 2 the quotient is v >> 2. */
	gcs_encode(7, 9, 2, 64, &it, 1, &w);
	h = siphash(7, 9, e, 1);
	v = h >> 58;
	q = v >> 2;
	r = v & 3;
	memset(want, 0, sizeof(want));
	/* q ones, a zero, then two remainder bits, MSB first. */
	for (i = 0; i < q; i++)
		want[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	nbits = q + 1;
	if (r & 2)
		want[nbits / 8] |= (uint8_t)(0x80 >> (nbits % 8));
	nbits++;
	if (r & 1)
		want[nbits / 8] |= (uint8_t)(0x80 >> (nbits % 8));
	nbits++;
	CHECK(w.len == 1 + (nbits + 7) / 8);
	CHECK(w.p[0] == 1);
	CHECK(memcmp(w.p + 1, want, (nbits + 7) / 8) == 0);
	CHECK(gcs_match(7, 9, 2, 64, w.p, w.len, e, 1) == 1);
	wbuf_free(&w);
}

static void
test_type_names(void)
{
	uint8_t t = 9;

	CHECK(blockfilter_type_by_name("basic", &t) == 0 &&
	    t == BLOCKFILTER_BASIC);
	CHECK(blockfilter_type_by_name("BASIC", &t) == -1);
	CHECK(blockfilter_type_by_name("0", &t) == -1);
	CHECK(blockfilter_type_by_name("", &t) == -1);
	CHECK_EQ_STR(blockfilter_type_name(BLOCKFILTER_BASIC), "basic");
	CHECK_EQ_STR(blockfilter_type_name(7), "");
}

UNIT_MAIN(UNIT_CASE(test_vectors), UNIT_CASE(test_set_rules),
    UNIT_CASE(test_bit_layout), UNIT_CASE(test_type_names))
