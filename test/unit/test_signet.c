/*
 * Signet block solutions (BIP325): the first ten blocks of the default
 * signet (as Core's feature_signet.py carries them) pass under the default
 * challenge and fail under another; the solution is found and cut out of
 * the witness commitment as Core does it, malformed solutions are refused,
 * and blocks signed here for a 1-of-1 multisig and a P2WPKH challenge pass
 * while any change to what the signature covers makes them fail.
 */
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>

#include "chain/chainparams.h"
#include "chain/pow.h"
#include "chain/signet.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "script/script.h"
#include "util/buf.h"
#include "util/hex.h"
#include "blockgen.h"
#include "unit.h"

#define SIGNET_BITS 0x1e0377ae

/* Default signet blocks 1..10 (public chain data). */
static const char *const signet_blocks[] = {
	"00000020f61eee3b63a380a477a063af32b2bbc97c9ff9f01f2c4225e9739881080000"
	"00f575c83235984e7dc4afc1f30944c170462e84437ab6f2d52e16878a79e4678bd191"
	"4d5fae77031eccf407000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025151feffffff0200f2052a010000001600"
	"149243f727dd5343293eb83174324019ec16c2630f0000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402205e423a8754336ca99dbe16509b877ef1bf98d008836c725005b3c7"
	"87c41ebe46022047246e4467ad7cc7f1ad98662afcaf14c115e0095a227c7b05c5182591"
	"c23e7e010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020533b53ded9bff4adc94101d32400a144c54edc5ed492a3b26c63b2d6860000"
	"00b38fef50592017cfafbcab88eb3d9cf50b2c801711cad8299495d26df5e54812e791"
	"4d5fae77031ecfdd0b000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025251feffffff0200f2052a010000001600"
	"14fd09839740f0e0b4fc6d5e2527e4022aa9b89dfa0000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa24900473044022031d64a1692cdad1fc0ced69838169fe19ae01be524d831b95fcf5e"
	"a4e6541c3c02204f9dea0801df8b4d0cd0857c62ab35c6c25cc47c930630dc7fe723531d"
	"aa3e9b010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"000000202960f3752f0bfa8858a3e333294aedc7808025e868c9dc03e71d88bb320000"
	"007765fcd3d5b4966beb338bba2675dc2cf2ad28d4ad1d83bdb6f286e7e27ac1f80792"
	"4d5fae77031e81d60b000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025351feffffff0200f2052a010000001600"
	"141e5fb426042692ae0e87c070e78c39307a5661c20000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402205de93694763a42954865bcf1540cb82958bc62d0ec4eee02070fb7"
	"937cd037f4022067f333753bce47b10bc25eb6e1f311482e994c862a7e0b2d41ab1c8679"
	"fd1b11010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020b06443a13ae1d3d50faef5ecad38c6818194dc46abca3e972e2aacdae80000"
	"0069a5829097e80fee00ac49a56ea9f82d741a6af84d32b3bc455cf31871e2a8ac2792"
	"4d5fae77031e9c9105000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025451feffffff0200f2052a010000001600"
	"1430db2f8225dcf7751361ab38735de08190318cb70000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402200936f5f9872f6df5dd242026ad52241a68423f7f682e79169a8d85"
	"a374eab9b802202cd2979c48b321b3453e65e8f92460db3fca93cbea8539b450c959f4fb"
	"e630c6010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"000000207ed403758a4f228a1939418a155e2ebd4ae6b26e5ffd0ae433123f76940100"
	"00542e80b609c5bc58af5bdf492e26d4f60cd43a3966c2e063c50444c29b3757a63692"
	"4d5fae77031ee8601d000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025551feffffff0200f2052a010000001600"
	"14edc207e014df34fa3885dff97d1129d356e1186a0000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa24900473044022021a3656609f85a66a2c5672ed9322c2158d57251040d2716ed202a"
	"1fe14f0c12022057d68bc6611f7a9424a7e00bbf3e27e6ae6b096f60bac624a094bc97a5"
	"9aa1ff010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"000000205bea0a88d1422c3df08d766ad72df95084d0700e6f873b75dd4e986c770300"
	"0002b57516d33ed60c2bdd9f93d6d5614083324c837e68e5ba6e04287a728563358592"
	"4d5fae77031ed17196000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025651feffffff0200f2052a010000001600"
	"143ae612599cf96f2442ce572633e0251116eaa52f0000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa24900473044022059a7c54de76bfdbb1dd44c78ea2dbd2bb4e97f4abad38965f41e76"
	"433e56423c022054bf17f04fe17415c0141f60eebd2b839200f574d8ad8d55a0917b92b0"
	"eb9134010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020daf3b60d374b19476461f97540498dcfa2eb7016238ec6b1d022f82fb60100"
	"007a7ae65b53cb988c2ec92d2384996713821d5645ffe61c9acea60da75cd5edfa1a94"
	"4d5fae77031e9dbb05000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025751feffffff0200f2052a010000001600"
	"14ef2dceae02e35f8137de76768ae3345d99ca68860000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402202b3f946d6447f9bf17d00f3696cede7ee70b785495e5498274ee68"
	"2a493befd5022045fc0bcf9332243168b5d35507175f9f374a8eba2336873885d12aada6"
	"7ea5f6010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020457cc5f3c2e1a5655bc20e20e48d33e1b7ea68786c614032b5c518f0b60000"
	"00541f36942d82c6e7248275ff15c8933487fbe1819c67a9ecc0f4b70bb7e6cf672a94"
	"4d5fae77031e8f3986000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025851feffffff0200f2052a010000001600"
	"1472a27906947c06d034b38ba2fa13c6391a4832790000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402202d62805ce60cbd60591f97f949b5ea5bd7e2307bcde343e6ea8394"
	"da92758e72022053a25370b0aa20da100189b7899a8f8675a0fdc60e38ece6b8a4f98edd"
	"94569e010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020a2eb61eb4f3831baa3a3363e1b42db4462663f756f07423e81ed3032210200"
	"0077224de7dea0f8d0ec22b1d2e2e255f0a987b96fe7200e1a2e6373f48a2f5b789495"
	"4d5fae77031e36867e000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025951feffffff0200f2052a010000001600"
	"14aa0ad9f26801258382e0734dceec03a4a75f60240000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa2490047304402206fa0d59990eed369bd7375767c9a6c9369fae209152b8674e520da"
	"270605528c0220749eed3b12dbe3f583f505d21803e4aef59c8e24c5831951eafa4f15a8"
	"f92c4e010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
	"00000020a868e8514be5e46dabd6a122132f423f36a43b716a40c394e2a8d063e10100"
	"00f4c6c717e99d800c699c25a2006a75a0c5c09f432a936f385e6fce139cdbd1a5e996"
	"4d5fae77031e7d026e000101000000000101000000000000000000000000000000000000"
	"0000000000000000000000000000ffffffff025a51feffffff0200f2052a010000001600"
	"14aaa671c82b138e3b8f510cd801e5f2bd0aa305940000000000000000776a24aa21a9ed"
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7"
	"daa24900473044022042309f4c3c7a1a2ac8c24f890f962df1c0086cec10be0868087cfc"
	"427520cb2702201dafee8911c269b7e786e242045bb57cef3f5b0f177010c6159abae42f"
	"646cc5010001200000000000000000000000000000000000000000000000000000000000"
	"00000000000000",
};
#define NBLOCKS (sizeof(signet_blocks) / sizeof(signet_blocks[0]))

/* The default challenge made a 2-of-2: the same keys cannot satisfy it. */
static const char CHALLENGE_2OF2[] =
    "522103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be4"
    "30210359ef5021964fe22d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6"
    "c452ae";

static struct chainparams *
signet_with(const char *challenge)
{
	struct chainparams *cp = chainparams_new(CHAIN_SIGNET);
	char err[160];

	if (challenge != NULL &&
	    chainparams_set_signet_challenge(cp, challenge, err,
		sizeof(err)) != 0)
		abort();
	return cp;
}

/* Decodes and parses; raw must outlive b. */
static int
parse_hex_block(const char *hex, uint8_t **raw, struct block *b)
{
	size_t len;

	if (hex_decode_alloc(hex, raw, &len) != 0)
		return -1;
	if (block_parse(*raw, len, b) != 0) {
		free(*raw);
		return -1;
	}
	return 0;
}

static void
test_default_genesis(void)
{
	struct chainparams *cp = signet_with(NULL);
	struct block g;
	char hex[65];

	hash_to_hex(cp->genesis_hash, hex);
	CHECK_EQ_STR(hex,
	    "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6");
	/* The genesis block has no commitment, but always passes. */
	CHECK(block_parse(cp->genesis_raw, cp->genesis_len, &g) == 0);
	CHECK(consensus_witness_commitment_index(&g) == -1);
	CHECK_EQ_INT(signet_check_block(cp, &g, NULL), SIGNET_OK);
	block_free(&g);
	chainparams_free(cp);
}

static void
test_default_signet_blocks(void)
{
	struct chainparams *def = signet_with(NULL);
	struct chainparams *two = signet_with(CHALLENGE_2OF2);
	struct chainparams *any = signet_with("51");
	uint8_t prev[32], *raw;
	struct block b;
	size_t i;
	int err;

	memcpy(prev, def->genesis_hash, 32);
	for (i = 0; i < NBLOCKS; i++) {
		if (parse_hex_block(signet_blocks[i], &raw, &b) != 0) {
			CHECK(!"block does not parse");
			continue;
		}
		CHECK(memcmp(b.hdr.prev, prev, 32) == 0);
		CHECK_EQ_INT(b.hdr.bits, SIGNET_BITS);
		CHECK(pow_check(def, b.hash, b.hdr.bits) == 0);
		CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_OK);
		/* Core's test: the same signature fails a 2-of-2. */
		CHECK_EQ_INT(signet_check_block(two, &b, &err),
		    SIGNET_ERR_SCRIPT);
		CHECK(err != SCRIPT_ERR_OK);
		/* OP_TRUE takes any solution that parses. */
		CHECK_EQ_INT(signet_check_block(any, &b, NULL), SIGNET_OK);
		memcpy(prev, b.hash, 32);
		block_free(&b);
		free(raw);
	}
	chainparams_free(def);
	chainparams_free(two);
	chainparams_free(any);
}

/* Offset of the first signet header in raw, or 0. */
static size_t
find_header(const uint8_t *raw, size_t len)
{
	size_t i;

	for (i = 0; i + SIGNET_HEADER_LEN <= len; i++)
		if (memcmp(raw + i, signet_header, SIGNET_HEADER_LEN) == 0)
			return i;
	return 0;
}

/* The signature covers version, previous hash, merkle root and time only. */
static void
test_default_block_tampered(void)
{
	struct chainparams *def = signet_with(NULL);
	uint8_t *raw;
	size_t len, at;
	struct block b;
	int err;

	CHECK(hex_decode_alloc(signet_blocks[0], &raw, &len) == 0);
	at = find_header(raw, len);
	CHECK(at > 0);

	/* The nonce is not signed. */
	raw[76] ^= 0x01;
	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_OK);
	block_free(&b);
	raw[76] ^= 0x01;

	/* The time is. */
	raw[68] ^= 0x01;
	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, &err), SIGNET_ERR_SCRIPT);
	CHECK_EQ_INT(err, SCRIPT_ERR_EVAL_FALSE);
	block_free(&b);
	raw[68] ^= 0x01;

	/* So is the coinbase (its payout script here). */
	raw[at - 60] ^= 0x01;
	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_ERR_SCRIPT);
	block_free(&b);
	raw[at - 60] ^= 0x01;

	/* A byte of the signature's r value (header, len, OP_0, len, DER). */
	raw[at + 4 + 1 + 1 + 1 + 10] ^= 0x01;
	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_ERR_SCRIPT);
	block_free(&b);
	raw[at + 4 + 1 + 1 + 1 + 10] ^= 0x01;

	/* The header's last byte: no solution, and the multisig fails. */
	raw[at + 3] ^= 0x01;
	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_ERR_SCRIPT);
	block_free(&b);
	raw[at + 3] ^= 0x01;

	CHECK(block_parse(raw, len, &b) == 0);
	CHECK_EQ_INT(signet_check_block(def, &b, NULL), SIGNET_OK);
	block_free(&b);
	free(raw);
	chainparams_free(def);
}

struct split_case {
	const char *script; /* hex */
	int found;
	const char *solution; /* hex, when found */
	const char *stripped; /* hex, when found */
};

#define COMMIT \
	"6a24aa21a9ed" \
	"e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9"

static const struct split_case split_cases[] = {
	/* A plain commitment: nothing. */
	{ COMMIT, 0, NULL, NULL },
	/* The header alone is not a solution. */
	{ COMMIT "04ecc7daa2", 0, NULL, NULL },
	{ COMMIT "05ecc7daa200", 1, "00", COMMIT "04ecc7daa2" },
	{ COMMIT "06ecc7daa20000", 1, "0000", COMMIT "04ecc7daa2" },
	/* Header bytes elsewhere in a push do not count. */
	{ COMMIT "0600ecc7daa200", 0, NULL, NULL },
	/* The first solution wins; a second stays as it was. */
	{ COMMIT "06ecc7daa20101"
		 "06ecc7daa20202",
	    1, "0101",
	    COMMIT "04ecc7daa2"
		   "06ecc7daa20202" },
	/* Pushes are written back with the shortest prefix for their size. */
	{ COMMIT "4c06ecc7daa20000"
		 "4c0201020051",
	    1, "0000",
	    COMMIT "04ecc7daa2"
		   "0201020051" },
	{ COMMIT "4d0600ecc7daa20000", 1, "0000", COMMIT "04ecc7daa2" },
	/* An empty PUSHDATA1 comes back as the bare opcode, as in Core. */
	{ COMMIT "4c00"
		 "05ecc7daa2ff",
	    1, "ff",
	    COMMIT "4c"
		   "04ecc7daa2" },
	/* A truncated push ends the script and is dropped. */
	{ COMMIT "05ecc7daa2ff"
		 "4c05aabb",
	    1, "ff", COMMIT "04ecc7daa2" },
	/* A truncated push before the solution hides it. */
	{ COMMIT "4d05"
		 "05ecc7daa2ff",
	    0, NULL, NULL },
	/* OP_0 and other opcodes pass through. */
	{ COMMIT "0051ac"
		 "05ecc7daa2ff"
		 "75",
	    1, "ff", COMMIT "0051ac04ecc7daa275" },
};

static void
test_split_commitment(void)
{
	uint8_t *script;
	const uint8_t *sol;
	char *hex;
	size_t len, sol_len, i;
	struct wbuf w;
	int failed = 0;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];

		unit_case_failed = 0;
		CHECK(hex_decode_alloc(c->script, &script, &len) == 0);
		wbuf_init(&w);
		sol = NULL;
		sol_len = 0;
		CHECK_EQ_INT(signet_split_commitment(script, len, &w, &sol,
				 &sol_len),
		    c->found);
		if (c->found) {
			hex = hex_encode_alloc(sol, sol_len);
			CHECK_EQ_STR(hex, c->solution);
			free(hex);
			hex = hex_encode_alloc(w.p, w.len);
			CHECK_EQ_STR(hex, c->stripped);
			free(hex);
		} else
			CHECK_EQ_INT(w.len, 0);
		if (unit_case_failed) {
			fprintf(stderr, "  split case %zu: %s\n", i,
			    c->script);
			failed = 1;
		}
		wbuf_free(&w);
		free(script);
	}
	unit_case_failed = failed;
}

/*
 * A signet block built here: a coinbase and one more transaction, the
 * witness commitment, and push (may be NULL) appended to the commitment.
 */
static void
build_block(struct bg_block *bb, const uint8_t prev[32], const uint8_t *push,
    size_t push_len, int commit)
{
	struct bg_tx t;
	struct bg_in *in;
	static const uint8_t some_txid[32] = { 1, 2, 3 };
	struct bg_out *o;

	bg_block_init(bb, prev, 1, 1700000000, SIGNET_BITS, bg_subsidy(1));
	bg_tx_init(&t);
	in = bg_tx_add_in(&t, some_txid, 0);
	in->sequence = 0xffffffffu;
	bg_tx_add_out(&t, 1000, bg_op_true, 1);
	bg_block_add(bb, &t);
	bg_tx_free(&t);
	if (commit)
		bg_block_commit_witness(bb);
	if (push != NULL) {
		o = &bb->txs[0].out[bb->txs[0].nout - 1];
		if (o->script_len + push_len > BG_MAX_SCRIPT)
			abort();
		memcpy(o->script + o->script_len, push, push_len);
		o->script_len += push_len;
	}
	bg_block_merkle(bb);
}

/* Serializes bb into raw (the caller frees) and parses it into b. */
static void
bg_to_block(const struct bg_block *bb, uint8_t **raw, struct block *b)
{
	struct wbuf w;
	size_t len;

	wbuf_init(&w);
	bg_block_serialize(bb, &w);
	*raw = wbuf_steal(&w, &len);
	if (block_parse(*raw, len, b) != 0)
		abort();
}

/* The push of header || solution, with the shortest prefix. */
static size_t
solution_push(const uint8_t *sol, size_t n, uint8_t *out)
{
	size_t total = SIGNET_HEADER_LEN + n, at = 0;

	if (total < 0x4c)
		out[at++] = (uint8_t)total;
	else {
		out[at++] = 0x4c;
		out[at++] = (uint8_t)total;
	}
	memcpy(out + at, signet_header, SIGNET_HEADER_LEN);
	memcpy(out + at + SIGNET_HEADER_LEN, sol, n);
	return at + total;
}

struct sol_case {
	const char *solution; /* hex: scriptSig, witness stack */
	int make;	      /* signet_txs_make's result */
	int check;	      /* signet_check_block's under OP_TRUE */
};

static const struct sol_case sol_cases[] = {
	{ "0000", SIGNET_OK, SIGNET_OK },
	{ "015100", SIGNET_OK, SIGNET_OK },
	/* Bytes after the witness. */
	{ "000000", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	/* The scriptSig runs past the end. */
	{ "0500", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	/* No witness count. */
	{ "00", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	/* A CompactSize that is not the shortest. */
	{ "fd000000", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	/* More witness items than bytes. */
	{ "000200", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	{ "0001ff", SIGNET_ERR_PARSE, SIGNET_ERR_PARSE },
	/* A witness for a challenge that is no witness program. */
	{ "000100", SIGNET_OK, SIGNET_ERR_SCRIPT },
	/* A scriptSig that fails by itself. */
	{ "016a00", SIGNET_OK, SIGNET_ERR_SCRIPT },
};

static void
test_solution_parsing(void)
{
	struct chainparams *any = signet_with("51");
	uint8_t *sol, push[80], *raw;
	struct signet_txs t;
	struct bg_block bb;
	struct block b;
	size_t i, len, n;
	int rc, failed = 0;

	for (i = 0; i < sizeof(sol_cases) / sizeof(sol_cases[0]); i++) {
		const struct sol_case *c = &sol_cases[i];

		unit_case_failed = 0;
		CHECK(hex_decode_alloc(c->solution, &sol, &len) == 0);
		n = solution_push(sol, len, push);
		build_block(&bb, any->genesis_hash, push, n, 1);
		bg_to_block(&bb, &raw, &b);
		rc = signet_txs_make(&b, any->signet_challenge,
		    any->signet_challenge_len, &t);
		CHECK_EQ_INT(rc, c->make);
		if (rc == SIGNET_OK)
			signet_txs_free(&t);
		CHECK_EQ_INT(signet_check_block(any, &b, NULL), c->check);
		if (unit_case_failed) {
			fprintf(stderr, "  solution case %zu: %s\n", i,
			    c->solution);
			failed = 1;
		}
		block_free(&b);
		free(raw);
		bg_block_free(&bb);
		free(sol);
	}
	unit_case_failed = failed;

	/* No witness commitment: refused whatever the challenge. */
	build_block(&bb, any->genesis_hash, NULL, 0, 0);
	bg_to_block(&bb, &raw, &b);
	CHECK_EQ_INT(signet_check_block(any, &b, NULL),
	    SIGNET_ERR_NO_COMMITMENT);
	block_free(&b);
	free(raw);
	bg_block_free(&bb);

	/* No solution at all: OP_TRUE needs none. */
	build_block(&bb, any->genesis_hash, NULL, 0, 1);
	bg_to_block(&bb, &raw, &b);
	CHECK_EQ_INT(signet_check_block(any, &b, NULL), SIGNET_OK);
	CHECK_EQ_INT(signet_txs_make(&b, any->signet_challenge,
			 any->signet_challenge_len, &t),
	    SIGNET_OK);
	CHECK_EQ_INT(t.to_sign.vin[0].script_len, 0);
	CHECK_EQ_INT(t.to_sign.vin[0].wit_count, 0);
	signet_txs_free(&t);
	/* A block without transactions. */
	n = b.tx_count;
	b.tx_count = 0;
	CHECK_EQ_INT(signet_check_block(any, &b, NULL),
	    SIGNET_ERR_NO_COINBASE);
	b.tx_count = n;
	block_free(&b);
	free(raw);
	bg_block_free(&bb);
	chainparams_free(any);
}

/* The shape of to_spend and to_sign (BIP325). */
static void
test_virtual_txs(void)
{
	struct chainparams *def = signet_with(NULL);
	struct signet_txs t;
	struct block b;
	uint8_t *raw;
	static const uint8_t zero[32];

	CHECK(parse_hex_block(signet_blocks[0], &raw, &b) == 0);
	CHECK_EQ_INT(signet_txs_make(&b, def->signet_challenge,
			 def->signet_challenge_len, &t),
	    SIGNET_OK);
	CHECK_EQ_INT(t.to_spend.version, 0);
	CHECK_EQ_INT(t.to_spend.locktime, 0);
	CHECK(memcmp(t.to_spend.vin[0].prevout.hash, zero, 32) == 0);
	CHECK_EQ_INT(t.to_spend.vin[0].prevout.n, 0xffffffffu);
	CHECK_EQ_INT(t.to_spend.vin[0].sequence, 0);
	CHECK_EQ_INT(t.to_spend.vin[0].script_len, 74);
	CHECK_EQ_INT(t.to_spend.vin[0].script[0], 0x00);
	CHECK_EQ_INT(t.to_spend.vin[0].script[1], 72);
	/* version, prev hash as in the header; time last */
	CHECK(memcmp(t.to_spend.vin[0].script + 2, raw, 36) == 0);
	CHECK(memcmp(t.to_spend.vin[0].script + 70, raw + 68, 4) == 0);
	/* The block has one transaction with a solution: the root differs. */
	CHECK(memcmp(t.to_spend.vin[0].script + 38, b.hdr.merkle, 32) != 0);
	CHECK_EQ_INT(t.to_spend.vout[0].value, 0);
	CHECK_EQ_INT(t.to_spend.vout[0].script_len, def->signet_challenge_len);
	CHECK(memcmp(t.to_sign.vin[0].prevout.hash, t.to_spend.txid, 32) == 0);
	CHECK_EQ_INT(t.to_sign.vin[0].prevout.n, 0);
	CHECK_EQ_INT(t.to_sign.vin[0].sequence, 0);
	CHECK_EQ_INT(t.to_sign.vin[0].script_len, 0x49);
	CHECK_EQ_INT(t.to_sign.vin[0].wit_count, 0);
	CHECK_EQ_INT(t.to_sign.vout_count, 1);
	CHECK_EQ_INT(t.to_sign.vout[0].script_len, 1);
	CHECK_EQ_INT(t.to_sign.vout[0].script[0], 0x6a);
	signet_txs_free(&t);
	block_free(&b);
	free(raw);
	chainparams_free(def);
}

struct signer {
	secp256k1_context *ctx;
	uint8_t sec[32];
	uint8_t pub[33];
};

static void
signer_init(struct signer *s)
{
	secp256k1_pubkey pk;
	size_t len = 33;

	s->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	memset(s->sec, 0x5a, 32);
	if (!secp256k1_ec_pubkey_create(s->ctx, &pk, s->sec) ||
	    !secp256k1_ec_pubkey_serialize(s->ctx, s->pub, &len, &pk,
		SECP256K1_EC_COMPRESSED))
		abort();
}

/* DER signature of hash with SIGHASH_ALL; returns its length. */
static size_t
signer_sign(struct signer *s, const uint8_t hash[32], uint8_t out[73])
{
	secp256k1_ecdsa_signature sig;
	size_t len = 72;

	if (!secp256k1_ecdsa_sign(s->ctx, &sig, hash, s->sec, NULL, NULL) ||
	    !secp256k1_ecdsa_signature_serialize_der(s->ctx, out, &len, &sig))
		abort();
	out[len] = SIGHASH_ALL;
	return len + 1;
}

enum challenge_kind { MULTISIG_1OF1, P2WPKH };

/*
 * Signs a block for the challenge: the commitment first gets the bare
 * header (what the signer's block has without the solution), then the
 * header with the solution.
 */
static void
signed_block(enum challenge_kind kind, struct signer *s,
    const uint8_t *challenge, size_t clen, struct bg_block *bb,
    const uint8_t prev[32])
{
	uint8_t hdr_push[1 + SIGNET_HEADER_LEN], sig[73], hash[32], *raw;
	uint8_t code[25], sol[160], push[170];
	struct signet_txs t;
	struct block b;
	struct bg_out *o;
	size_t siglen, n = 0, plen;

	hdr_push[0] = SIGNET_HEADER_LEN;
	memcpy(hdr_push + 1, signet_header, SIGNET_HEADER_LEN);
	build_block(bb, prev, hdr_push, sizeof(hdr_push), 1);
	bg_to_block(bb, &raw, &b);
	if (signet_txs_make(&b, challenge, clen, &t) != SIGNET_OK)
		abort();
	if (kind == MULTISIG_1OF1) {
		script_sighash_legacy(&t.to_sign, 0, challenge, clen,
		    SIGHASH_ALL, hash);
		siglen = signer_sign(s, hash, sig);
		/* scriptSig: OP_0 (the dummy) <sig>; no witness */
		sol[n++] = (uint8_t)(2 + siglen);
		sol[n++] = 0x00;
		sol[n++] = (uint8_t)siglen;
		memcpy(sol + n, sig, siglen);
		n += siglen;
		sol[n++] = 0x00;
	} else {
		code[0] = 0x76;
		code[1] = 0xa9;
		code[2] = 0x14;
		memcpy(code + 3, challenge + 2, 20);
		code[23] = 0x88;
		code[24] = 0xac;
		script_sighash_v0(&t.to_sign, 0, code, sizeof(code), 0,
		    SIGHASH_ALL, NULL, hash);
		siglen = signer_sign(s, hash, sig);
		/* empty scriptSig; witness <sig> <pubkey> */
		sol[n++] = 0x00;
		sol[n++] = 0x02;
		sol[n++] = (uint8_t)siglen;
		memcpy(sol + n, sig, siglen);
		n += siglen;
		sol[n++] = 33;
		memcpy(sol + n, s->pub, 33);
		n += 33;
	}
	signet_txs_free(&t);
	block_free(&b);
	free(raw);

	o = &bb->txs[0].out[bb->txs[0].nout - 1];
	o->script_len -= sizeof(hdr_push);
	plen = solution_push(sol, n, push);
	memcpy(o->script + o->script_len, push, plen);
	o->script_len += plen;
	bg_block_merkle(bb);
}

static void
test_signed_blocks(void)
{
	struct signer s;
	struct chainparams *cp, *other;
	uint8_t challenge[40], pkh[20], *raw;
	char hex[90];
	struct bg_block bb;
	struct block b;
	size_t clen;
	int kind, err;

	signer_init(&s);
	hash160(s.pub, 33, pkh);
	other = signet_with("51");
	for (kind = MULTISIG_1OF1; kind <= P2WPKH; kind++) {
		if (kind == MULTISIG_1OF1) {
			/* OP_1 <pubkey> OP_1 OP_CHECKMULTISIG */
			challenge[0] = 0x51;
			challenge[1] = 33;
			memcpy(challenge + 2, s.pub, 33);
			challenge[35] = 0x51;
			challenge[36] = 0xae;
			clen = 37;
		} else {
			challenge[0] = 0x00;
			challenge[1] = 20;
			memcpy(challenge + 2, pkh, 20);
			clen = 22;
		}
		hex_encode(challenge, clen, hex);
		cp = signet_with(hex);
		signed_block(kind, &s, cp->signet_challenge,
		    cp->signet_challenge_len, &bb, cp->genesis_hash);

		bg_to_block(&bb, &raw, &b);
		CHECK_EQ_INT(signet_check_block(cp, &b, &err), SIGNET_OK);
		CHECK_EQ_INT(err, SCRIPT_ERR_OK);
		/* A trivial challenge takes it too, a different key not. */
		CHECK_EQ_INT(signet_check_block(other, &b, NULL),
		    kind == MULTISIG_1OF1 ? SIGNET_OK : SIGNET_ERR_SCRIPT);
		block_free(&b);
		free(raw);

		/* The nonce may change after signing; the time may not. */
		bb.hdr.nonce += 12345;
		bg_to_block(&bb, &raw, &b);
		CHECK_EQ_INT(signet_check_block(cp, &b, NULL), SIGNET_OK);
		block_free(&b);
		free(raw);
		bb.hdr.time++;
		bg_to_block(&bb, &raw, &b);
		CHECK_EQ_INT(signet_check_block(cp, &b, NULL),
		    SIGNET_ERR_SCRIPT);
		block_free(&b);
		free(raw);
		bb.hdr.time--;

		/* Nor may the other transactions. */
		bb.txs[1].out[0].value++;
		bg_block_merkle(&bb);
		bg_to_block(&bb, &raw, &b);
		CHECK_EQ_INT(signet_check_block(cp, &b, NULL),
		    SIGNET_ERR_SCRIPT);
		block_free(&b);
		free(raw);

		bg_block_free(&bb);
		chainparams_free(cp);
	}
	chainparams_free(other);
	secp256k1_context_destroy(s.ctx);
}

static void
test_strerror(void)
{
	CHECK_EQ_STR(signet_strerror(SIGNET_ERR_PARSE),
	    "block solution parse failure");
	CHECK_EQ_STR(signet_strerror(SIGNET_ERR_SCRIPT),
	    "block solution invalid");
	CHECK_EQ_STR(signet_strerror(-99), "unknown signet error");
}

UNIT_MAIN(UNIT_CASE(test_default_genesis),
    UNIT_CASE(test_default_signet_blocks),
    UNIT_CASE(test_default_block_tampered), UNIT_CASE(test_split_commitment),
    UNIT_CASE(test_solution_parsing), UNIT_CASE(test_virtual_txs),
    UNIT_CASE(test_signed_blocks), UNIT_CASE(test_strerror))
