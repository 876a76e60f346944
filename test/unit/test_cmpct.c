/*
 * BIP152 compact blocks as bytes (net/cmpct.c): a cmpctblock captured from
 * Bitcoin Core 28.1 (regtest, three mempool transactions, high-bandwidth
 * announcement to a test peer) read back and rebuilt byte for byte, short
 * ids, rebuilding with a missing transaction, collisions, and the
 * getblocktxn/blocktxn codec with its limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/cmpct.h"
#include "net/protocol.h"
#include "primitives/block.h"
#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"

/* Core 28.1's cmpctblock message payload. */
static const char core_cmpct_hex[] =
    "00000020c175aef52262624c3ff91a651b95251e10f80a5457e0a28192615cbc"
    "bc42b9412b9a9e73d74da3778337bfbc14e191fed4147b65ec6ef0c6d6f54fce"
    "c04adc7b1fba156bffff7f2002000000a5a0b46941ef1a2603bb135a47dc1b68"
    "271c775d9f1abf62e328af010002000000000101000000000000000000000000"
    "0000000000000000000000000000000000000000ffffffff03016f00ffffffff"
    "02a8f5052a010000002200204ae81572f06e1b88fd5ced7a1a000945432e83e1"
    "551e6f721ee9c00b8cc332600000000000000000266a24aa21a9ed6a79664f38"
    "ba98c6236a2c604f133f32c5a1adaa31dd480c66b90d48d044f82c0120000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00";

/* The same block, as getblock verbosity 0 gives it. */
static const char core_block_hex[] =
    "00000020c175aef52262624c3ff91a651b95251e10f80a5457e0a28192615cbc"
    "bc42b9412b9a9e73d74da3778337bfbc14e191fed4147b65ec6ef0c6d6f54fce"
    "c04adc7b1fba156bffff7f200200000004020000000001010000000000000000"
    "000000000000000000000000000000000000000000000000ffffffff03016f00"
    "ffffffff02a8f5052a010000002200204ae81572f06e1b88fd5ced7a1a000945"
    "432e83e1551e6f721ee9c00b8cc332600000000000000000266a24aa21a9ed6a"
    "79664f38ba98c6236a2c604f133f32c5a1adaa31dd480c66b90d48d044f82c01"
    "2000000000000000000000000000000000000000000000000000000000000000"
    "000000000002000000000101590b8d9acfe036a80cf5a3bae5e100a92aba93f7"
    "6176aae6f9f5117962d715e40000000000ffffffff01c8f0052a010000002251"
    "20f855ca43402fb99cde0e3e634b175642561ff584fe76d1686630d8fd2ea93b"
    "3602015121c150929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bf"
    "ee9ace803ac000000000020000000001019acc1017c27126c1c8e8fc8058712b"
    "bf7f91c2148b85713eb1f38be79c5fdaaf0000000000ffffffff01c8f0052a01"
    "000000225120f855ca43402fb99cde0e3e634b175642561ff584fe76d1686630"
    "d8fd2ea93b3602015121c150929b74c1a04954b78b4b6035e97a5e078a5a0f28"
    "ec96d547bfee9ace803ac0000000000200000000010150550dbda20695b1a9dc"
    "c9380292e62c64a726319005c8cfa0a4b5be909f23170000000000ffffffff01"
    "c8f0052a01000000225120f855ca43402fb99cde0e3e634b175642561ff584fe"
    "76d1686630d8fd2ea93b3602015121c150929b74c1a04954b78b4b6035e97a5e"
    "078a5a0f28ec96d547bfee9ace803ac000000000";

struct fixture {
	uint8_t *cmpct, *raw;
	size_t cmpct_len, raw_len;
	struct block b;
	struct cmpct_block cb;
};

static void
fixture_load(struct fixture *f)
{
	struct rbuf r;

	memset(f, 0, sizeof(*f));
	CHECK(hex_decode_alloc(core_cmpct_hex, &f->cmpct, &f->cmpct_len) == 0);
	CHECK(hex_decode_alloc(core_block_hex, &f->raw, &f->raw_len) == 0);
	CHECK(block_parse(f->raw, f->raw_len, &f->b) == 0);
	rbuf_init(&r, f->cmpct, f->cmpct_len);
	CHECK(cmpct_block_parse(&r, &f->cb) == 0);
	CHECK_EQ_INT(rbuf_left(&r), 0);
}

static void
fixture_free(struct fixture *f)
{
	cmpct_block_free(&f->cb);
	block_free(&f->b);
	free(f->cmpct);
	free(f->raw);
}

static void
test_core_vector(void)
{
	struct fixture f;
	uint64_t k[2];
	struct wbuf w;
	size_t i;

	fixture_load(&f);
	CHECK_EQ_INT(f.b.tx_count, 4);
	CHECK(memcmp(&f.cb.hdr, &f.b.hdr, sizeof(f.b.hdr)) == 0);
	CHECK(!f.cb.bad);
	CHECK_EQ_INT(f.cb.nids, 3);
	CHECK_EQ_INT(f.cb.npre, 1);
	CHECK_EQ_INT(f.cb.pre[0].index, 0);
	/* Our short ids of the block's wtxids are Core's. */
	cmpct_keys(&f.b.hdr, f.cb.nonce, k);
	for (i = 1; i < f.b.tx_count; i++)
		CHECK(cmpct_short_id(k, f.b.txs[i].wtxid) == f.cb.ids[i - 1]);
	/* And our encoding of the block with Core's nonce is Core's message. */
	wbuf_init(&w);
	cmpct_block_encode(&w, &f.b, f.cb.nonce);
	CHECK_EQ_INT(w.len, f.cmpct_len);
	CHECK(w.len == f.cmpct_len && memcmp(w.p, f.cmpct, w.len) == 0);
	wbuf_free(&w);
	fixture_free(&f);
}

/* A 48-bit value whatever the keys: SipHash's upper bytes are dropped. */
static void
test_short_id_width(void)
{
	uint8_t wtxid[32];
	uint64_t k[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	int i;

	for (i = 0; i < 32; i++) {
		memset(wtxid, i * 7, sizeof(wtxid));
		CHECK(cmpct_short_id(k, wtxid) >> 48 == 0);
	}
}

static void
offer_tx(struct cmpct_partial *pb, const struct tx *tx, int extra)
{
	struct wbuf w;

	wbuf_init(&w);
	tx_serialize(tx, &w, 1);
	cmpct_partial_offer(pb, tx->wtxid, w.p, w.len, extra);
	wbuf_free(&w);
}

static void
test_rebuild_all_known(void)
{
	struct fixture f;
	struct cmpct_partial pb;
	struct wbuf w;
	size_t i;

	fixture_load(&f);
	CHECK_EQ_INT(cmpct_partial_init(&pb, &f.cb), CMPCT_OK);
	CHECK(!cmpct_partial_complete(&pb));
	for (i = f.b.tx_count; i-- > 1;) /* any order */
		offer_tx(&pb, &f.b.txs[i], i == 2);
	/* The same transaction twice changes nothing. */
	offer_tx(&pb, &f.b.txs[1], 1);
	CHECK(cmpct_partial_complete(&pb));
	CHECK_EQ_INT(pb.from_pool, 2);
	CHECK_EQ_INT(pb.from_extra, 1);
	wbuf_init(&w);
	CHECK_EQ_INT(cmpct_partial_finish(&pb, &w), CMPCT_OK);
	CHECK(w.len == f.raw_len && memcmp(w.p, f.raw, w.len) == 0);
	wbuf_free(&w);
	cmpct_partial_free(&pb);
	fixture_free(&f);
}

/* The wire form of a blocktxn carrying txs, parsed back. */
static void
blocktxn_of(struct wbuf *w, struct blocktxn_msg *m, const uint8_t hash[32],
    const struct tx *const *txs, size_t n)
{
	struct rbuf r;
	size_t i;

	wbuf_init(w);
	wbuf_put(w, hash, 32);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++)
		tx_serialize(txs[i], w, 1);
	rbuf_init(&r, w->p, w->len);
	CHECK(blocktxn_parse(&r, m) == 0);
	CHECK_EQ_INT(m->n, n);
}

static void
test_rebuild_missing(void)
{
	struct fixture f;
	struct cmpct_partial pb;
	struct blocktxn_msg m;
	const struct tx *give[2];
	uint16_t miss[4];
	struct wbuf w, out;

	fixture_load(&f);
	CHECK_EQ_INT(cmpct_partial_init(&pb, &f.cb), CMPCT_OK);
	offer_tx(&pb, &f.b.txs[2], 0);
	CHECK_EQ_INT(cmpct_partial_missing(&pb, miss), 2);
	CHECK_EQ_INT(miss[0], 1);
	CHECK_EQ_INT(miss[1], 3);
	/* One transaction for two gaps: non-matching, the peer's fault. */
	give[0] = &f.b.txs[1];
	blocktxn_of(&w, &m, pb.hash, give, 1);
	CHECK_EQ_INT(cmpct_partial_fill(&pb, &m), CMPCT_INVALID);
	blocktxn_msg_free(&m);
	wbuf_free(&w);
	/* The right two complete the block. */
	give[1] = &f.b.txs[3];
	blocktxn_of(&w, &m, pb.hash, give, 2);
	CHECK_EQ_INT(cmpct_partial_fill(&pb, &m), CMPCT_OK);
	blocktxn_msg_free(&m);
	wbuf_free(&w);
	wbuf_init(&out);
	CHECK_EQ_INT(cmpct_partial_finish(&pb, &out), CMPCT_OK);
	CHECK(out.len == f.raw_len && memcmp(out.p, f.raw, out.len) == 0);
	wbuf_free(&out);
	cmpct_partial_free(&pb);
	fixture_free(&f);
}

static void
test_collisions(void)
{
	struct fixture f;
	struct cmpct_partial pb;
	struct blocktxn_msg m;
	const struct tx *give[2];
	struct wbuf w, out;

	fixture_load(&f);
	/* Two equal short ids in one block: fetch the block in full. */
	f.cb.ids[2] = f.cb.ids[0];
	CHECK_EQ_INT(cmpct_partial_init(&pb, &f.cb), CMPCT_FAILED);
	cmpct_partial_free(&pb);
	fixture_free(&f);

	/*
	 * A wrong transaction in a slot (what a short-id collision with the
	 * mempool gives): the merkle root tells, and the block is fetched.
	 */
	fixture_load(&f);
	CHECK_EQ_INT(cmpct_partial_init(&pb, &f.cb), CMPCT_OK);
	offer_tx(&pb, &f.b.txs[1], 0);
	give[0] = &f.b.txs[3];
	give[1] = &f.b.txs[2]; /* swapped */
	blocktxn_of(&w, &m, pb.hash, give, 2);
	CHECK_EQ_INT(cmpct_partial_fill(&pb, &m), CMPCT_OK);
	wbuf_init(&out);
	CHECK_EQ_INT(cmpct_partial_finish(&pb, &out), CMPCT_FAILED);
	wbuf_free(&out);
	blocktxn_msg_free(&m);
	wbuf_free(&w);
	cmpct_partial_free(&pb);
	fixture_free(&f);
}

static void
test_invalid_compact(void)
{
	struct fixture f;
	struct cmpct_partial pb;
	struct rbuf r;
	size_t i;

	/* A prefilled index past the end reads, but describes no block. */
	fixture_load(&f);
	f.cmpct[f.cmpct_len - f.cb.pre[0].len - 1] = 4;
	cmpct_block_free(&f.cb);
	rbuf_init(&r, f.cmpct, f.cmpct_len);
	CHECK(cmpct_block_parse(&r, &f.cb) == 0);
	CHECK(f.cb.bad);
	CHECK_EQ_INT(cmpct_partial_init(&pb, &f.cb), CMPCT_INVALID);
	cmpct_partial_free(&pb);
	/* Every truncation is malformed. */
	for (i = 0; i < f.cmpct_len; i++) {
		struct cmpct_block cb;

		rbuf_init(&r, f.cmpct, i);
		CHECK(cmpct_block_parse(&r, &cb) == PROTO_EMALFORMED);
	}
	fixture_free(&f);
}

static void
test_getblocktxn_codec(void)
{
	static const uint16_t idx[] = { 0, 1, 5, 65534, 65535 };
	uint8_t hash[32], bad[64];
	struct blocktxn_req q;
	struct blocktxn_msg m;
	struct wbuf w;
	struct rbuf r;
	size_t i;

	memset(hash, 0xab, sizeof(hash));
	wbuf_init(&w);
	getblocktxn_encode(&w, hash, idx, 5);
	rbuf_init(&r, w.p, w.len);
	CHECK(getblocktxn_parse(&r, &q) == 0);
	CHECK_EQ_INT(q.n, 5);
	for (i = 0; i < q.n && i < 5; i++)
		CHECK_EQ_INT(q.idx[i], idx[i]);
	CHECK(memcmp(q.hash, hash, 32) == 0);
	blocktxn_req_free(&q);
	/* Differences are stored: 0, 0, 3, 65528, 0. */
	CHECK_EQ_INT(w.p[33], 0);
	CHECK_EQ_INT(w.p[34], 0);
	CHECK_EQ_INT(w.p[35], 3);
	wbuf_free(&w);
	/* An index past 16 bits overflows (Core's DifferenceFormatter). */
	memset(bad, 0, sizeof(bad));
	memcpy(bad, hash, 32);
	bad[32] = 2;	/* two indexes */
	bad[33] = 0xfd; /* 65535 */
	bad[34] = 0xff;
	bad[35] = 0xff;
	bad[36] = 0; /* then 65536 */
	rbuf_init(&r, bad, 37);
	CHECK(getblocktxn_parse(&r, &q) == PROTO_EMALFORMED);
	rbuf_init(&r, bad, 36);
	bad[32] = 1;
	CHECK(getblocktxn_parse(&r, &q) == 0 && q.n == 1 && q.idx[0] == 65535);
	blocktxn_req_free(&q);
	/* A count the bytes cannot hold, and a truncated blocktxn. */
	bad[32] = 200;
	rbuf_init(&r, bad, 36);
	CHECK(getblocktxn_parse(&r, &q) == PROTO_EMALFORMED);
	bad[32] = 1;
	bad[33] = 0x01;
	rbuf_init(&r, bad, 40);
	CHECK(blocktxn_parse(&r, &m) == PROTO_EMALFORMED);
}

UNIT_MAIN(UNIT_CASE(test_core_vector), UNIT_CASE(test_short_id_width),
    UNIT_CASE(test_rebuild_all_known), UNIT_CASE(test_rebuild_missing),
    UNIT_CASE(test_collisions), UNIT_CASE(test_invalid_compact),
    UNIT_CASE(test_getblocktxn_codec))
