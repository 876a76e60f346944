/*
 * Chain parameters: genesis blocks built from their ingredients hash to the
 * known hashes, message starts and ports are Core's, and
 * -testactivationheight parses as Core parses it.
 */
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/pow.h"
#include "primitives/block.h"
#include "util/buf.h"
#include "util/hex.h"
#include "unit.h"

struct expect {
	enum chain_id id;
	const char *name;
	const char *subdir;
	const char *genesis;
	const char *magic;
	uint16_t port, rpc_port;
	uint32_t limit_bits;
	const char *hrp;
	uint8_t p2pkh, p2sh;
	int32_t halving;
};

static const struct expect expects[] = {
	{ CHAIN_MAIN, "main", "",
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
	    "f9beb4d9", 8333, 8332, 0x1d00ffff, "bc", 0, 5, 210000 },
	{ CHAIN_TESTNET3, "test", "testnet3",
	    "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
	    "0b110907", 18333, 18332, 0x1d00ffff, "tb", 111, 196, 210000 },
	{ CHAIN_TESTNET4, "testnet4", "testnet4",
	    "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
	    "1c163f28", 48333, 48332, 0x1d00ffff, "tb", 111, 196, 210000 },
	{ CHAIN_SIGNET, "signet", "signet",
	    "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
	    "0a03cf40", 38333, 38332, 0x1e0377ae, "tb", 111, 196, 210000 },
	{ CHAIN_REGTEST, "regtest", "regtest",
	    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
	    "fabfb5da", 18444, 18443, 0x207fffff, "bcrt", 111, 196, 150 },
};
#define NCHAINS (sizeof(expects) / sizeof(expects[0]))

static void
test_genesis_hashes(void)
{
	char hex[65];
	size_t i;

	for (i = 0; i < NCHAINS; i++) {
		struct chainparams *p = chainparams_new(expects[i].id);

		hash_to_hex(p->genesis_hash, hex);
		CHECK_EQ_STR(hex, expects[i].genesis);
		chainparams_free(p);
	}
}

/* The built bytes are a real block: they parse, and hash and merkle agree. */
static void
test_genesis_blocks_parse(void)
{
	uint8_t root[32];
	char hex[65];
	struct block b;
	struct wbuf w;
	size_t i;
	int mutated;

	for (i = 0; i < NCHAINS; i++) {
		struct chainparams *p = chainparams_new(expects[i].id);

		CHECK(block_parse(p->genesis_raw, p->genesis_len, &b) == 0);
		CHECK_EQ_INT(b.tx_count, 1);
		CHECK(memcmp(b.hash, p->genesis_hash, 32) == 0);
		block_merkle_root(&b, root, &mutated);
		CHECK(memcmp(root, b.hdr.merkle, 32) == 0);
		CHECK(!mutated);
		CHECK(tx_is_coinbase(&b.txs[0]));
		CHECK_EQ_INT(b.txs[0].vout[0].value, 50 * COIN);
		CHECK(pow_check(p, p->genesis_hash, b.hdr.bits) == 0);
		CHECK_EQ_INT(b.hdr.version, 1);
		wbuf_init(&w);
		block_serialize(&b, &w, 1);
		CHECK(w.len == p->genesis_len &&
		    memcmp(w.p, p->genesis_raw, w.len) == 0);
		wbuf_free(&w);
		hash_to_hex(b.hdr.merkle, hex);
		if (expects[i].id == CHAIN_TESTNET4)
			CHECK_EQ_STR(hex,
			    "7aa0a7ae1e223414cb807e40cd57e667"
			    "b718e42aaf9306db9102fe28912b7b4e");
		else
			CHECK_EQ_STR(hex,
			    "4a5e1e4baab89f3a32518a88c31bc87f"
			    "618f76673e2cc77ab2127b7afdeda33b");
		block_free(&b);
		chainparams_free(p);
	}
}

static void
test_mainnet_genesis_bytes(void)
{
	struct chainparams *p = chainparams_new(CHAIN_MAIN);
	char *hex;

	/* The famous 285-byte block; its coinbase starts with the Times. */
	CHECK_EQ_INT(p->genesis_len, 285);
	hex = hex_encode_alloc(p->genesis_raw + 80, 55);
	CHECK_EQ_STR(hex,
	    "0101000000010000000000000000000000000000"
	    "000000000000000000000000000000000000ffffffff"
	    "4d04ffff001d01044554686520");
	free(hex);
	chainparams_free(p);
}

static void
test_magic_ports_prefixes(void)
{
	char magic[9];
	size_t i;

	for (i = 0; i < NCHAINS; i++) {
		struct chainparams *p = chainparams_new(expects[i].id);

		hex_encode(p->magic, 4, magic);
		CHECK_EQ_STR(magic, expects[i].magic);
		CHECK_EQ_INT(p->default_port, expects[i].port);
		CHECK_EQ_INT(p->rpc_port, expects[i].rpc_port);
		CHECK_EQ_STR(p->name, expects[i].name);
		CHECK_EQ_STR(p->subdir, expects[i].subdir);
		CHECK_EQ_STR(p->bech32_hrp, expects[i].hrp);
		CHECK_EQ_INT(p->p2pkh_prefix, expects[i].p2pkh);
		CHECK_EQ_INT(p->p2sh_prefix, expects[i].p2sh);
		CHECK_EQ_INT(pow_limit_bits(p), expects[i].limit_bits);
		CHECK_EQ_INT(p->halving_interval, expects[i].halving);
		CHECK_EQ_INT(p->max_tip_age, 24 * 60 * 60);
		CHECK_EQ_INT(p->target_spacing, 600);
		chainparams_free(p);
	}
}

static void
test_chain_rules(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct chainparams *t3 = chainparams_new(CHAIN_TESTNET3);
	struct chainparams *t4 = chainparams_new(CHAIN_TESTNET4);
	struct chainparams *s = chainparams_new(CHAIN_SIGNET);
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	struct arith256 w;
	char hex[65];

	CHECK(!m->pow_allow_min_difficulty && !m->pow_no_retargeting &&
	    !m->enforce_bip94);
	CHECK(t3->pow_allow_min_difficulty && !t3->enforce_bip94);
	CHECK(t4->pow_allow_min_difficulty && t4->enforce_bip94);
	CHECK(!s->pow_allow_min_difficulty && !s->pow_no_retargeting);
	CHECK(r->pow_allow_min_difficulty && r->pow_no_retargeting);
	CHECK_EQ_INT(chainparams_retarget_interval(m), 2016);
	CHECK_EQ_INT(chainparams_retarget_interval(r), 144);

	CHECK_EQ_INT(m->bip34_height, 227931);
	CHECK_EQ_INT(m->bip65_height, 388381);
	CHECK_EQ_INT(m->bip66_height, 363725);
	CHECK_EQ_INT(m->csv_height, 419328);
	CHECK_EQ_INT(m->segwit_height, 481824);
	CHECK_EQ_INT(m->taproot_height, 709632);
	CHECK_EQ_INT(t3->bip34_height, 21111);
	CHECK_EQ_INT(t3->segwit_height, 834624);
	CHECK_EQ_INT(t4->bip34_height, 1);
	CHECK_EQ_INT(t4->segwit_height, 1);
	CHECK_EQ_INT(t4->taproot_height, 0);
	CHECK_EQ_INT(s->segwit_height, 1);
	CHECK_EQ_INT(s->taproot_height, 0);
	CHECK_EQ_INT(r->bip34_height, 1);
	CHECK_EQ_INT(r->bip65_height, 1);
	CHECK_EQ_INT(r->bip66_height, 1);
	CHECK_EQ_INT(r->csv_height, 1);
	CHECK_EQ_INT(r->segwit_height, 0);
	CHECK_EQ_INT(r->taproot_height, 0);

	arith256_from_be(&w, m->minimum_chain_work);
	arith256_to_hex(&w, hex);
	CHECK_EQ_STR(hex,
	    "0000000000000000000000000000000000000000"
	    "dee8e2a309ad8a9820433c68");
	arith256_from_be(&w, r->minimum_chain_work);
	CHECK(arith256_is_zero(&w));
	CHECK(s->signet_challenge_len == 71 && s->signet_challenge[0] == 0x51);
	CHECK(m->signet_challenge == NULL);
	CHECK(r->mine_on_demand && !m->mine_on_demand);

	chainparams_free(m);
	chainparams_free(t3);
	chainparams_free(t4);
	chainparams_free(s);
	chainparams_free(r);
}

static void
test_names(void)
{
	enum chain_id id;
	size_t i;

	for (i = 0; i < NCHAINS; i++) {
		CHECK(chainparams_id_from_name(expects[i].name, &id) == 0);
		CHECK_EQ_INT(id, expects[i].id);
	}
	CHECK(chainparams_id_from_name("testnet3", &id) == -1);
	CHECK(chainparams_id_from_name("mainnet", &id) == -1);
	CHECK(chainparams_id_from_name("", &id) == -1);
	CHECK(chainparams_id_from_name("Main", &id) == -1);
}

static void
test_activation_heights(void)
{
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	char err[160];

	CHECK(chainparams_set_activation(r, "segwit@432") == 0);
	CHECK_EQ_INT(r->segwit_height, 432);
	CHECK(chainparams_set_activation(r, "bip34@2") == 0);
	CHECK_EQ_INT(r->bip34_height, 2);
	CHECK(chainparams_set_activation(r, "dersig@102") == 0);
	CHECK_EQ_INT(r->bip66_height, 102);
	CHECK(chainparams_set_activation(r, "cltv@111") == 0);
	CHECK_EQ_INT(r->bip65_height, 111);
	CHECK(chainparams_set_activation(r, "csv@0") == 0);
	CHECK_EQ_INT(r->csv_height, 0);
	CHECK(chainparams_set_activation(r, "csv@2147483646") == 0);
	CHECK_EQ_INT(r->csv_height, 2147483646);

	CHECK(chainparams_set_activation_err(r, "segwit", err, sizeof(err)) ==
	    -1);
	CHECK_EQ_STR(err,
	    "Invalid format (segwit) for "
	    "-testactivationheight=name@height.");
	CHECK(chainparams_set_activation_err(r, "segwit@-1", err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Invalid height value (segwit@-1) for "
	    "-testactivationheight=name@height.");
	CHECK(chainparams_set_activation_err(r, "taproot@1", err,
		  sizeof(err)) == -1);
	CHECK_EQ_STR(err,
	    "Invalid name (taproot@1) for "
	    "-testactivationheight=name@height.");
	CHECK(chainparams_set_activation(r, "segwit@") == -1);
	CHECK(chainparams_set_activation(r, "segwit@+5") == -1);
	CHECK(chainparams_set_activation(r, "segwit@ 5") == -1);
	CHECK(chainparams_set_activation(r, "segwit@5 ") == -1);
	CHECK(chainparams_set_activation(r, "segwit@5x") == -1);
	CHECK(chainparams_set_activation(r, "segwit@0x10") == -1);
	CHECK(chainparams_set_activation(r, "segwit@2147483647") == -1);
	CHECK(chainparams_set_activation(r, "segwit@99999999999") == -1);
	CHECK(chainparams_set_activation(r, "segwit@1@2") == -1);
	CHECK(chainparams_set_activation(r, "SEGWIT@1") == -1);
	CHECK(chainparams_set_activation(r, "@1") == -1);
	CHECK(chainparams_set_activation(r, "averyveryverylongname@1") == -1);
	/* Nothing that failed changed anything. */
	CHECK_EQ_INT(r->segwit_height, 432);
	CHECK(chainparams_set_activation_err(m, "segwit@1", err,
		  sizeof(err)) == -1);
	CHECK(strstr(err, "only allowed on regtest") != NULL);
	CHECK_EQ_INT(m->segwit_height, 481824);
	chainparams_free(r);
	chainparams_free(m);
}

static void
test_deployments(void)
{
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct chainparams *r = chainparams_new(CHAIN_REGTEST);
	struct chain_deployment d[CHAIN_MAX_DEPLOYMENTS];
	size_t n;

	n = chainparams_deployments(m, d, CHAIN_MAX_DEPLOYMENTS);
	CHECK_EQ_INT(n, 6);
	CHECK_EQ_STR(d[0].name, "bip34");
	CHECK_EQ_INT(d[0].height, 227931);
	CHECK_EQ_STR(d[1].name, "bip66");
	CHECK_EQ_STR(d[2].name, "bip65");
	CHECK_EQ_STR(d[3].name, "csv");
	CHECK_EQ_STR(d[4].name, "segwit");
	CHECK(d[4].type == DEPLOYMENT_BURIED);
	CHECK_EQ_STR(d[5].name, "taproot");
	CHECK(d[5].type == DEPLOYMENT_BIP9);
	CHECK_EQ_INT(d[5].bit, 2);
	CHECK_EQ_INT(d[5].start_time, 1619222400);
	CHECK_EQ_INT(d[5].timeout, 1628640000);
	CHECK_EQ_INT(d[5].min_activation_height, 709632);
	CHECK_EQ_INT(d[5].height, 709632);

	CHECK(chainparams_set_activation(r, "segwit@300") == 0);
	n = chainparams_deployments(r, d, CHAIN_MAX_DEPLOYMENTS);
	CHECK_EQ_INT(n, 7);
	CHECK_EQ_INT(d[4].height, 300);
	CHECK_EQ_STR(d[5].name, "testdummy");
	CHECK_EQ_INT(d[5].bit, 28);
	CHECK_EQ_INT(d[5].period, 144);
	CHECK_EQ_INT(d[5].threshold, 108);
	CHECK_EQ_STR(d[6].name, "taproot");
	CHECK_EQ_INT(d[6].start_time, DEPLOYMENT_ALWAYS_ACTIVE);
	CHECK_EQ_INT(d[6].height, 0);
	/* A short buffer gets the head of the list. */
	CHECK_EQ_INT(chainparams_deployments(r, d, 2), 2);
	CHECK_EQ_STR(d[1].name, "bip66");
	chainparams_free(m);
	chainparams_free(r);
}

static void
test_signet_challenge(void)
{
	struct chainparams *s = chainparams_new(CHAIN_SIGNET);
	struct chainparams *m = chainparams_new(CHAIN_MAIN);
	struct arith256 w;
	char err[160], magic[9];

	/* OP_TRUE: anyone can sign; the message start follows the script. */
	CHECK(
	    chainparams_set_signet_challenge(s, "51", err, sizeof(err)) == 0);
	hex_encode(s->magic, 4, magic);
	CHECK_EQ_STR(magic, "54d26fbd");
	CHECK(s->signet_challenge_len == 1 && s->signet_challenge[0] == 0x51);
	arith256_from_be(&w, s->minimum_chain_work);
	CHECK(arith256_is_zero(&w));
	arith256_from_le(&w, s->assume_valid);
	CHECK(arith256_is_zero(&w));
	CHECK(
	    chainparams_set_signet_challenge(s, "5", err, sizeof(err)) == -1);
	CHECK_EQ_STR(err, "-signetchallenge must be hex, not '5'.");
	CHECK(
	    chainparams_set_signet_challenge(s, "zz", err, sizeof(err)) == -1);
	CHECK(s->signet_challenge_len == 1);
	/* Core's TryParseHex: spaces between pairs, not inside one. */
	CHECK(chainparams_set_signet_challenge(s, " 51 ae ", err,
		  sizeof(err)) == 0);
	hex_encode(s->magic, 4, magic);
	CHECK_EQ_STR(magic, "8c4b4a02");
	CHECK(s->signet_challenge_len == 2 && s->signet_challenge[1] == 0xae);
	CHECK(chainparams_set_signet_challenge(s, "5 1", err, sizeof(err)) ==
	    -1);
	CHECK_EQ_STR(err, "-signetchallenge must be hex, not '5 1'.");
	/* Core takes an empty challenge (no block but genesis passes). */
	CHECK(chainparams_set_signet_challenge(s, "", err, sizeof(err)) == 0);
	hex_encode(s->magic, 4, magic);
	CHECK_EQ_STR(magic, "1406e058");
	CHECK_EQ_INT(s->signet_challenge_len, 0);
	CHECK(
	    chainparams_set_signet_challenge(m, "51", err, sizeof(err)) == -1);
	chainparams_free(s);
	chainparams_free(m);
}

/* Core 28's defaultAssumeValid, as bitcoind -help prints them. */
static void
test_assume_valid_defaults(void)
{
	static const struct {
		enum chain_id id;
		const char *hex; /* NULL: none */
	} want[] = {
		{ CHAIN_MAIN,
		    "000000000000000000011c5890365bdbe5d25b97ce0057589acaef4f1a57263f" },
		{ CHAIN_TESTNET3,
		    "000000000000000465b1a66c9f386308e8c75acef9201f3f577811da09fc90ad" },
		{ CHAIN_TESTNET4,
		    "000000005be348057db991fa5d89fe7c4695b667cfb311391a8db374b6f681fd" },
		{ CHAIN_SIGNET,
		    "0000014aad1d58dddcb964dd749b073374c6306e716b22f573a2efe68d414539" },
		{ CHAIN_REGTEST, NULL },
	};
	static const uint8_t zero[32];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct chainparams *p = chainparams_new(want[i].id);

		if (want[i].hex == NULL)
			CHECK(memcmp(p->assume_valid, zero, 32) == 0);
		else {
			hash_to_hex(p->assume_valid, hex);
			CHECK_EQ_STR(hex, want[i].hex);
		}
		chainparams_free(p);
	}
}

UNIT_MAIN(UNIT_CASE(test_genesis_hashes), UNIT_CASE(test_genesis_blocks_parse),
    UNIT_CASE(test_mainnet_genesis_bytes),
    UNIT_CASE(test_magic_ports_prefixes), UNIT_CASE(test_chain_rules),
    UNIT_CASE(test_names), UNIT_CASE(test_activation_heights),
    UNIT_CASE(test_deployments), UNIT_CASE(test_signet_challenge),
    UNIT_CASE(test_assume_valid_defaults))
