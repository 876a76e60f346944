/*
 * libFuzzer target for BIP157/158 bytes: the getcfilters, getcfheaders
 * and getcfcheckpt payloads a peer sends (net/protocol.h, served by
 * net/cfilters.c), and the Golomb-coded sets of the block filter index
 * (index/blockfilter.h), which gcs_match decodes from data.mdb.
 *
 * Input: a selector byte, then:
 *  0  a getcfilters/getcfheaders payload (getcf_parse);
 *  1  a getcfcheckpt payload (getcfcheckpt_parse);
 *  2  a 16-byte SipHash key, an item length byte and the item, then a
 *     filter: gcs_match on the basic filter's parameters;
 *  3  a 16-byte SipHash key, then items (a length byte each): gcs_encode
 *     with the basic filter's parameters.
 * Properties: a request parses exactly when it has its fixed fields (the
 * rest is ignored, as Core does), into those bytes; the answers encode to
 * type, stop hash, CompactSize count and the hashes; a filter answers 1,
 * 0 or -1 (malformed) and never reads outside itself; an encoded set
 * matches every item put in it, and a filter cut short is malformed or
 * still answers within {0, 1}.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/blockfilter.h"
#include "net/protocol.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_cfilters"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 64

static void
check_getcf(const uint8_t *d, size_t n, int checkpt)
{
	size_t need = checkpt ? 1 + 32 : 1 + 4 + 32;
	struct getcf_msg m;
	struct rbuf r;
	struct wbuf w;
	uint8_t hashes[2][32];
	int rc;

	rbuf_init(&r, d, n);
	rc = checkpt ? getcfcheckpt_parse(&r, &m) : getcf_parse(&r, &m);
	if (n < need) {
		PROP(rc == PROTO_EMALFORMED);
		return;
	}
	PROP(rc == 0);
	PROP(r.off == need);
	PROP(m.type == d[0]);
	PROP(m.start == (checkpt ? 0 : le32_read(d + 1)));
	PROP(memcmp(m.stop, d + need - 32, 32) == 0);

	/* The answers to it. */
	memcpy(hashes[0], d + need - 32, 32);
	memset(hashes[1], 0xab, 32);
	wbuf_init(&w);
	cfcheckpt_encode(&w, m.type, m.stop, (const uint8_t(*)[32])hashes, 2);
	PROP(w.len == 1 + 32 + 1 + 64 && w.p[0] == m.type && w.p[33] == 2);
	wbuf_reset(&w);
	cfheaders_encode(&w, m.type, m.stop, hashes[1],
	    (const uint8_t(*)[32])hashes, 1);
	PROP(w.len == 1 + 32 + 32 + 1 + 32 && w.p[65] == 1);
	wbuf_reset(&w);
	cfilter_encode(&w, m.type, m.stop, d, n);
	PROP(w.len >= 1 + 32 + 1 + n);
	PROP(memcmp(w.p + w.len - n, d, n) == 0);
	wbuf_free(&w);
}

static void
check_match(const uint8_t *d, size_t n)
{
	uint64_t k0, k1;
	size_t ilen;
	int rc;

	if (n < 17)
		return;
	k0 = le64_read(d);
	k1 = le64_read(d + 8);
	ilen = d[16];
	if (n < 17 + ilen)
		return;
	rc = gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, d + 17 + ilen,
	    n - 17 - ilen, d + 17, ilen);
	PROP(rc == -1 || rc == 0 || rc == 1);
}

static void
check_encode(const uint8_t *d, size_t n)
{
	struct bf_item items[MAX_ITEMS], orig[MAX_ITEMS];
	uint64_t k0, k1;
	size_t i, ni = 0, off, cut;
	struct wbuf w;
	int rc;

	if (n < 16)
		return;
	k0 = le64_read(d);
	k1 = le64_read(d + 8);
	for (off = 16; off < n && ni < MAX_ITEMS;) {
		size_t len = d[off++];

		if (len > n - off)
			len = n - off;
		items[ni].p = d + off;
		items[ni++].len = len;
		off += len;
	}
	memcpy(orig, items, sizeof(items[0]) * ni);
	wbuf_init(&w);
	gcs_encode(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, items, ni, &w);
	PROP(w.len >= 1);
	for (i = 0; i < ni; i++)
		PROP(gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, w.p,
			 w.len, orig[i].p, orig[i].len) == 1);
	if (ni == 0)
		PROP(w.len == 1 && w.p[0] == 0);
	/* Cut short: never a read past the end. */
	cut = w.len / 2;
	for (i = 0; i < ni; i++) {
		rc = gcs_match(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, w.p,
		    cut, orig[i].p, orig[i].len);
		PROP(rc == -1 || rc == 0 || rc == 1);
	}
	wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 1)
		return 0;
	/* A copy of exactly the bytes, so ASan sees any read past them. */
	copy = malloc(size - 1 ? size - 1 : 1);
	PROP(copy != NULL);
	memcpy(copy, data + 1, size - 1);
	switch (data[0] & 3) {
	case 0: check_getcf(copy, size - 1, 0); break;
	case 1: check_getcf(copy, size - 1, 1); break;
	case 2: check_match(copy, size - 1); break;
	default: check_encode(copy, size - 1); break;
	}
	free(copy);
	return 0;
}
