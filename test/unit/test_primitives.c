#include <stdio.h>
#include <stdlib.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "primitives/merkleblock.h"
#include "unit.h"
#include "util/hex.h"
#include "util/file.h"
#include "util/xmalloc.h"

static uint8_t *
read_file(const char *path, size_t *len)
{
	uint8_t *p;

	return file_read_all(path, 0, &p, len) == 0 ? p : NULL;
}

static void
test_mainnet_block_413567(void)
{
	struct block b;
	struct wbuf w;
	uint8_t root[32];
	size_t len;
	int mutated;
	uint8_t *raw = read_file(SHARED_PATH("vectors/core/block413567.raw"),
	    &len);

	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK(block_parse(raw, len, &b) == 0);
	/* Mainnet work at that height: the hash's top 8 bytes are zero. */
	CHECK(memcmp(b.hash + 24, "\0\0\0\0\0\0\0\0", 8) == 0);
	CHECK(b.tx_count > 1000);
	block_merkle_root(&b, root, &mutated);
	CHECK(memcmp(root, b.hdr.merkle, 32) == 0);
	CHECK(!mutated);
	wbuf_init(&w);
	block_serialize(&b, &w, 1);
	CHECK_EQ_INT(w.len, len);
	CHECK(w.len == len && memcmp(w.p, raw, len) == 0);
	/* Pre-segwit block: weight is four times its size. */
	CHECK_EQ_INT(consensus_block_weight(&b), 4 * len);
	wbuf_free(&w);
	block_free(&b);
	free(raw);
}

/* Every block of the shared regtest chain parses, hashes and round-trips. */
static void
test_regtest_chain_roundtrip(void)
{
	static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };
	size_t len, off = 0, blocks = 0, txs = 0, witness_blocks = 0;
	uint8_t *raw = read_file(SHARED_PATH("chains/regtest-dev.dat"), &len);
	uint8_t prev[32] = { 0 }, root[32], wroot[32], commit[32], buf[64];
	struct block b;
	struct wbuf w;
	int mutated, idx, ok = 1;
	char hex[65];

	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	wbuf_init(&w);
	while (ok && off + 8 <= len) {
		uint32_t n = le32_read(raw + off + 4);

		CHECK(memcmp(raw + off, magic, 4) == 0);
		if (off + 8 + n > len ||
		    block_parse(raw + off + 8, n, &b) != 0) {
			ok = 0;
			break;
		}
		if (blocks == 0) {
			hash_to_hex(b.hash, hex);
			CHECK_EQ_STR(hex,
			    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
		} else if (memcmp(b.hdr.prev, prev, 32) != 0) {
			ok = 0;
		}
		block_merkle_root(&b, root, &mutated);
		if (memcmp(root, b.hdr.merkle, 32) != 0 || mutated)
			ok = 0;
		idx = consensus_witness_commitment_index(&b);
		if (idx >= 0 && b.tx_count > 0 &&
		    b.txs[0].vin[0].wit_count == 1) {
			/* BIP141: commitment = hash256(witness root || reserved value). */
			block_witness_merkle_root(&b, wroot);
			memcpy(buf, wroot, 32);
			memcpy(buf + 32, b.txs[0].vin[0].wit[0].p, 32);
			hash256(buf, 64, commit);
			if (memcmp(commit, b.txs[0].vout[idx].script + 6,
				32) != 0)
				ok = 0;
			witness_blocks++;
		}
		wbuf_reset(&w);
		block_serialize(&b, &w, 1);
		if (w.len != n || memcmp(w.p, raw + off + 8, n) != 0)
			ok = 0;
		if (consensus_block_weight(&b) > MAX_BLOCK_WEIGHT)
			ok = 0;
		memcpy(prev, b.hash, 32);
		txs += b.tx_count;
		blocks++;
		block_free(&b);
		off += 8 + n;
	}
	CHECK(ok);
	CHECK_EQ_INT(off, len);
	CHECK_EQ_INT(blocks, 1101);
	CHECK_EQ_INT(txs, 21886);
	CHECK(witness_blocks > 0);
	hash_to_hex(prev, hex);
	CHECK_EQ_STR(hex,
	    "7e065a710ec65878c68a36b62f1cc5ea87ca4e14cb099854233d041b6f1233ea");
	wbuf_free(&w);
	free(raw);
}

static int
parse_hex_tx(const char *h, struct tx *tx, uint8_t **raw)
{
	size_t n;
	struct rbuf r;

	if (hex_decode_alloc(h, raw, &n) != 0)
		return -2;
	rbuf_init(&r, *raw, n);
	if (tx_parse(&r, tx, TX_ALLOW_WITNESS) != 0)
		return -1;
	return rbuf_left(&r) == 0 ? 0 : -3;
}

/* BIP143's native P2WPKH example, signed. */
static const char *segwit_tx =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";

static void
test_segwit_tx_roundtrip(void)
{
	struct tx tx, copy;
	uint8_t *raw;
	struct wbuf w;

	CHECK(parse_hex_tx(segwit_tx, &tx, &raw) == 0);
	CHECK_EQ_INT(tx.vin_count, 2);
	CHECK_EQ_INT(tx.vout_count, 2);
	CHECK_EQ_INT(tx.vin[0].wit_count, 0);
	CHECK_EQ_INT(tx.vin[1].wit_count, 2);
	CHECK_EQ_INT(tx.locktime, 0x11);
	CHECK(tx_has_witness(&tx));
	CHECK(tx.base_size < tx.total_size);
	CHECK_EQ_INT(tx_weight(&tx), tx.base_size * 3 + tx.total_size);
	wbuf_init(&w);
	tx_serialize(&tx, &w, 1);
	CHECK_EQ_INT(w.len, strlen(segwit_tx) / 2);
	CHECK(memcmp(w.p, raw, w.len) == 0);
	/* The txid is the hash of the stripped serialization. */
	wbuf_reset(&w);
	tx_serialize(&tx, &w, 0);
	{
		uint8_t h[32];

		hash256(w.p, w.len, h);
		CHECK(memcmp(h, tx.txid, 32) == 0);
		CHECK_EQ_INT(w.len, tx.base_size);
	}
	tx_copy(&copy, &tx);
	CHECK(memcmp(copy.txid, tx.txid, 32) == 0);
	CHECK(memcmp(copy.wtxid, tx.wtxid, 32) == 0);
	tx_free(&tx);
	free(raw);
	/* The copy no longer depends on the parsed bytes. */
	CHECK(copy.vin[1].wit[1].len == 33);
	tx_free(&copy);
	wbuf_free(&w);
}

static void
test_malformed_tx(void)
{
	static const char *bad[] = {
		"",
		"01000000",
		/* Truncated in the middle of an input. */
		"0100000001fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f",
		/* Witness flag but every witness empty: superfluous witness record. */
		"010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff00ffffffff010000000000000000000000000000",
		/* Unknown optional-data flag 0x02. */
		"010000000002010000000000000000000000000000000000000000000000000000000000000000ffffffff00ffffffff01000000000000000000000000",
		/* Input count claims far more than the bytes hold. */
		"01000000fe00000001",
		/* Non-canonical input count (fd 0100). */
		"01000000fd0100000000000000000000000000000000000000000000000000000000000000000000ffffffff00ffffffff0100000000000000000000000000",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tx tx;
		uint8_t *raw = NULL;
		int rc = parse_hex_tx(bad[i], &tx, &raw);

		if (rc != -1)
			fprintf(stderr, "malformed case %zu parsed (rc %d)\n",
			    i, rc);
		CHECK(rc == -1);
		free(raw);
	}
}

static void
test_block_rejects_trailing_bytes(void)
{
	size_t len;
	uint8_t *raw = read_file(SHARED_PATH("chains/regtest-dev.dat"), &len);
	uint32_t n;
	uint8_t *b2;
	struct block b;

	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	n = le32_read(raw + 4);
	b2 = xmalloc(n + 1);
	memcpy(b2, raw + 8, n);
	b2[n] = 0;
	CHECK(block_parse(b2, n, &b) == 0);
	block_free(&b);
	CHECK(block_parse(b2, n + 1, &b) == -1);
	CHECK(block_parse(b2, n - 1, &b) == -1);
	CHECK(block_parse(b2, 79, &b) == -1);
	free(b2);
	free(raw);
}

/*
 * Issue 14 (feature_consensus_diff.py): Core reads a block from a
 * submitblock hex string or a block message and ignores what follows its
 * last transaction; block_parse_prefix does too and says where the block
 * ends, so that only the block's own bytes are kept.
 */
static void
test_block_prefix_ignores_trailing_bytes(void)
{
	size_t len, used = 0;
	uint8_t *raw = read_file(SHARED_PATH("chains/regtest-dev.dat"), &len);
	uint32_t n;
	uint8_t *b2;
	struct block b;

	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	n = le32_read(raw + 4);
	b2 = xmalloc(n + 100);
	memcpy(b2, raw + 8, n);
	memset(b2 + n, 0xab, 100);
	CHECK(block_parse_prefix(b2, n, &b, &used) == 0);
	CHECK_EQ_INT(used, n);
	block_free(&b);
	used = 0;
	CHECK(block_parse_prefix(b2, n + 100, &b, &used) == 0);
	CHECK_EQ_INT(used, n);
	CHECK_EQ_INT(b.size, n);
	block_free(&b);
	CHECK(block_parse_prefix(b2, n - 1, &b, &used) == -1);
	CHECK(block_parse_prefix(b2, 80, &b, &used) == -1);
	free(b2);
	free(raw);
}

static void
test_merkle_mutation(void)
{
	uint8_t h[3][32], h4[4][32], r3[32], r4[32];
	int m3, m4;

	memset(h, 0, sizeof(h));
	h[0][0] = 1;
	h[1][0] = 2;
	h[2][0] = 3;
	memcpy(h4, h, sizeof(h));
	memcpy(h4[3], h[2], 32);
	merkle_root((const uint8_t(*)[32])h, 3, r3, &m3);
	merkle_root((const uint8_t(*)[32])h4, 4, r4, &m4);
	/* CVE-2012-2459: [a b c] and [a b c c] share a root; the latter is flagged. */
	CHECK(memcmp(r3, r4, 32) == 0);
	CHECK(!m3);
	CHECK(m4);
}

/* Proofs for every match pattern of small trees extract what they prove. */
static void
test_merkleblock_roundtrip(void)
{
	struct block_header hdr;
	struct merkleblock mb, back;
	struct wbuf w;
	struct rbuf r;
	uint8_t ids[13][32], root[32], (*m)[32];
	uint32_t *pos;
	size_t n, nm, i, k;
	int match[13], mutated;
	unsigned pat;

	for (i = 0; i < 13; i++)
		sha256(&i, sizeof(i), ids[i]);
	memset(&hdr, 0, sizeof(hdr));
	for (n = 1; n <= 13; n++) {
		merkle_root((const uint8_t(*)[32])ids, n, hdr.merkle,
		    &mutated);
		for (pat = 0; pat < (1u << n) && pat < 512; pat++) {
			for (i = 0; i < n; i++)
				match[i] = (pat >> i) & 1;
			merkleblock_build(&hdr, (const uint8_t(*)[32])ids,
			    match, n, &mb);
			wbuf_init(&w);
			merkleblock_serialize(&mb, &w);
			rbuf_init(&r, w.p, w.len);
			CHECK(merkleblock_parse(&r, &back) == MERKLEBLOCK_OK);
			CHECK_EQ_INT(rbuf_left(&r), 0);
			CHECK(merkleblock_extract(&back, root, &m, &pos,
				  &nm) == 0);
			CHECK(memcmp(root, hdr.merkle, 32) == 0);
			for (i = k = 0; i < n; i++) {
				if (!match[i])
					continue;
				CHECK(k < nm && pos[k] == i &&
				    memcmp(m[k], ids[i], 32) == 0);
				k++;
			}
			CHECK_EQ_INT(k, nm);
			free(m);
			free(pos);
			merkleblock_free(&back);
			merkleblock_free(&mb);
			wbuf_free(&w);
		}
	}
}

/* A proof Bitcoin Core 28.1 wrote (block 1100 of the shared dev chain). */
static const char core_proof[] =
    "00000020462513d48d46c91ef50aef8436e91ea8a5ac9178a439fa3f8bab61eaab5a437d"
    "e3434b50d23f0a1029fd0fe6830030b486b7d411695256722a7efb576ae768d22b035e65"
    "ffff7f200400000016000000064e90279d6d1e6b868261fad655dffdd1737c00e8107cd1"
    "7d53cc1fdd57123fd12575db0005dd4c33f388c71253922b7ca45828eb5218a735823504"
    "16c507c3864517e66d5ea40603949ac8d93caba23338f021f80223928d052b523ee6cea5"
    "c8e1bc445ee789f38c4d5b19100d6c2e563fb4ddac6536df6b216fc78854b86edf666d14"
    "978468da49cb61e356f640dad99809defbcf5bea8b7bed662fb376f04730700013bf1c34"
    "c9eefe366c196b90355f77bd000ddc56ff759ded723d95674c02af00";

static void
test_merkleblock_core_vector(void)
{
	struct merkleblock mb;
	struct wbuf w;
	struct rbuf r;
	uint8_t *raw, root[32], (*m)[32];
	uint32_t *pos;
	size_t len, nm;
	char hex[65];

	CHECK(hex_decode_alloc(core_proof, &raw, &len) == 0);
	rbuf_init(&r, raw, len);
	CHECK(merkleblock_parse(&r, &mb) == MERKLEBLOCK_OK);
	CHECK_EQ_INT(mb.ntx, 22);
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == 0);
	CHECK(memcmp(root, mb.hdr.merkle, 32) == 0);
	CHECK_EQ_INT(nm, 1);
	if (nm == 1) {
		hash_to_hex(m[0], hex);
		CHECK_EQ_STR(hex,
		    "c8a5cee63e522b058d922302f821f03833a2ab3cd9c89a940306a45e6de61745");
		CHECK_EQ_INT(pos[0], 3);
	}
	free(m);
	free(pos);
	wbuf_init(&w);
	merkleblock_serialize(&mb, &w);
	CHECK(w.len == len && memcmp(w.p, raw, len) == 0);
	/* A flipped flag bit, a lost hash, a wrong count: no root. */
	mb.bits[0] ^= 2;
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == -1);
	mb.bits[0] ^= 2;
	mb.nhashes--;
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == -1);
	mb.nhashes++;
	mb.ntx = 0;
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == -1);
	mb.ntx = 16667;
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == -1);
	/* The root need not commit to the count: the RPC compares it. */
	mb.ntx = 23;
	CHECK(merkleblock_extract(&mb, root, &m, &pos, &nm) == 0);
	CHECK(memcmp(root, mb.hdr.merkle, 32) == 0);
	free(m);
	free(pos);
	merkleblock_free(&mb);
	/* Truncations end with Core's "end of data". */
	for (size_t cut = 0; cut < len; cut += 7) {
		rbuf_init(&r, raw, cut);
		CHECK(merkleblock_parse(&r, &mb) == MERKLEBLOCK_EOF);
	}
	wbuf_free(&w);
	free(raw);
}

UNIT_MAIN(UNIT_CASE(test_mainnet_block_413567),
    UNIT_CASE(test_regtest_chain_roundtrip),
    UNIT_CASE(test_segwit_tx_roundtrip), UNIT_CASE(test_malformed_tx),
    UNIT_CASE(test_block_rejects_trailing_bytes),
    UNIT_CASE(test_block_prefix_ignores_trailing_bytes),
    UNIT_CASE(test_merkle_mutation), UNIT_CASE(test_merkleblock_roundtrip),
    UNIT_CASE(test_merkleblock_core_vector))
