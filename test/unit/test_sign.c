/*
 * Keys, signed messages, Core's Solver and script builders, and input
 * signing: classification of every template, CScript number pushes,
 * low-R ECDSA, compact signatures and their recovery, the signed-message
 * hash, and transactions signed, checked, partially signed and combined.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/message.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "primitives/tx.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "script/sign.h"
#include "script/solver.h"
#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

static void
secret_of(int i, uint8_t out[32])
{
	memset(out, 0, 32);
	out[31] = (uint8_t)i;
	out[30] = 0x42;
}

static size_t
from_hex(const char *s, uint8_t *out, size_t cap)
{
	int n = hex_decode(s, out, cap);

	CHECK(n >= 0);
	return n < 0 ? 0 : (size_t)n;
}

static void
test_solver(void)
{
	static const struct {
		const char *hex;
		enum script_type type;
		size_t n;
	} cases[] = {
		{ "a914"
		  "1111111111111111111111111111111111111111"
		  "87",
		    SCRIPT_SCRIPTHASH, 1 },
		{ "76a914"
		  "1111111111111111111111111111111111111111"
		  "88ac",
		    SCRIPT_PUBKEYHASH, 1 },
		{ "21"
		  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "ac",
		    SCRIPT_PUBKEY, 1 },
		{ "21"
		  "0579be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "ac",
		    SCRIPT_NONSTANDARD, 0 },
		{ "0014"
		  "1111111111111111111111111111111111111111",
		    SCRIPT_WITNESS_V0_KEYHASH, 1 },
		{ "0020"
		  "1111111111111111111111111111111111111111111111111111111111111111",
		    SCRIPT_WITNESS_V0_SCRIPTHASH, 1 },
		{ "5120"
		  "1111111111111111111111111111111111111111111111111111111111111111",
		    SCRIPT_WITNESS_V1_TAPROOT, 1 },
		{ "51024e73", SCRIPT_ANCHOR, 0 },
		{ "5202"
		  "1111",
		    SCRIPT_WITNESS_UNKNOWN, 1 },
		{ "0015"
		  "111111111111111111111111111111111111111111",
		    SCRIPT_NONSTANDARD, 0 },
		{ "6a", SCRIPT_NULL_DATA, 0 },
		{ "6a0411223344", SCRIPT_NULL_DATA, 0 },
		{ "6a76", SCRIPT_NONSTANDARD, 0 },
		{ "51"
		  "21"
		  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "51ae",
		    SCRIPT_MULTISIG, 1 },
		/* Required above the key count, and a count that lies. */
		{ "52"
		  "21"
		  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "51ae",
		    SCRIPT_NONSTANDARD, 0 },
		{ "51"
		  "21"
		  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "52ae",
		    SCRIPT_NONSTANDARD, 0 },
		/* A non-minimal number push is not a multisig count. */
		{ "0101"
		  "21"
		  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		  "51ae",
		    SCRIPT_NONSTANDARD, 0 },
		{ "", SCRIPT_NONSTANDARD, 0 },
	};
	struct script_solution sol;
	uint8_t s[128];
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = from_hex(cases[i].hex, s, sizeof(s));
		CHECK_EQ_INT(script_solve(s, len, &sol), cases[i].type);
		CHECK_EQ_INT(sol.n, cases[i].n);
	}
}

static void
test_multisig_builder(void)
{
	uint8_t secret[32], pubs[20][KEY_PUBKEY_MAX];
	const uint8_t *keys[20];
	size_t lens[20], i, k, publen;
	struct script_solution sol;
	struct wbuf w;

	for (i = 0; i < 20; i++) {
		secret_of((int)i + 1, secret);
		CHECK(key_pubkey(secret, 1, pubs[i], &publen) == 0);
		keys[i] = pubs[i];
		lens[i] = publen;
	}
	/* Up to 16 with OP_n, above with a number push: both solve. */
	for (k = 1; k <= 20; k++) {
		wbuf_init(&w);
		script_build_multisig(&w, (int)k, keys, lens, k);
		CHECK_EQ_INT(script_solve(w.p, w.len, &sol), SCRIPT_MULTISIG);
		CHECK_EQ_INT(sol.required, k);
		CHECK_EQ_INT(sol.n, k);
		if (k <= 16)
			CHECK_EQ_INT(w.p[0], OP_1 + k - 1);
		else
			CHECK(w.p[0] == 1 && w.p[1] == k);
		wbuf_free(&w);
	}
}

static void
test_push_int(void)
{
	static const struct {
		int64_t n;
		const char *hex;
	} cases[] = {
		{ 0, "00" },
		{ -1, "4f" },
		{ 1, "51" },
		{ 16, "60" },
		{ 17, "0111" },
		{ 127, "017f" },
		{ 128, "028000" },
		{ 255, "02ff00" },
		{ 256, "020001" },
		{ -2, "0182" },
		{ -128, "028080" },
		{ 2147483647, "04ffffff7f" },
		{ -2147483647, "04ffffffff" },
	};
	char hex[32];
	struct wbuf w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wbuf_init(&w);
		script_push_int(&w, cases[i].n);
		hex_encode(w.p, w.len, hex);
		CHECK_EQ_STR(hex, cases[i].hex);
		wbuf_free(&w);
	}
}

static void
test_keys(void)
{
	uint8_t secret[32], hash[32], der[KEY_DER_MAX], sig[KEY_COMPACT_SIZE];
	uint8_t pub[KEY_PUBKEY_MAX], rec[KEY_PUBKEY_MAX], zero[32];
	size_t len, publen, reclen;
	int i, c;

	memset(zero, 0, 32);
	CHECK(!key_secret_valid(zero));
	for (i = 1; i < 60; i++) {
		secret_of(i, secret);
		sha256(&i, sizeof(i), hash);
		CHECK(key_secret_valid(secret));
		/* Low R: at most 70 bytes, R's first byte below 0x80. */
		CHECK(key_sign_ecdsa(secret, hash, der, &len) == 0);
		CHECK(len <= 70);
		CHECK(der[3] <= 32 && der[4] < 0x80);
		for (c = 0; c < 2; c++) {
			CHECK(key_pubkey(secret, c, pub, &publen) == 0);
			CHECK_EQ_INT(publen, c ? 33 : 65);
			CHECK(key_pubkey_valid(pub, publen));
			CHECK(key_sign_compact(secret, c, hash, sig) == 0);
			CHECK(key_recover_compact(sig, sizeof(sig), hash, rec,
				  &reclen) == 0);
			CHECK(
			    reclen == publen && memcmp(rec, pub, publen) == 0);
		}
	}
	pub[0] = 0x05;
	CHECK(!key_pubkey_valid(pub, 33));
}

/* The signed-message hash and signature Core 28.1 gives for key 1, "". */
static void
test_message(void)
{
	uint8_t secret[32], sig[KEY_COMPACT_SIZE];
	char hex[2 * KEY_COMPACT_SIZE + 1];

	memset(secret, 0, 32);
	secret[31] = 1;
	CHECK(message_sign(secret, 1, "", 0, sig) == 0);
	hex_encode(sig, sizeof(sig), hex);
	CHECK_EQ_STR(hex,
	    "1ff7a45b212236cfafb2a397e64ecb1f7a4f65fcbd8b382de9462f704193f6d7f616b182047f590753b426d8942d32680f112698125223615319941a067f3791b3");
}

/* A P2PKH and a 2-of-3 P2SH multisig input, signed and checked. */
static void
test_sign_transaction(void)
{
	uint8_t secret[3][32], pubs[3][KEY_PUBKEY_MAX], spk1[25], redeem[128];
	uint8_t spk2[23];
	const uint8_t *keys[3];
	size_t lens[3], publen, i;
	struct sign_provider *p, *p0, *p1;
	struct sign_keep *keep, *keep0, *keep1, *keepc;
	struct txin vin[2];
	struct txout vout, spent[2];
	struct tx tx, t0, t1, variants[2];
	const char *errors[2];
	int have[2] = { 1, 1 }, err;
	struct wbuf w;

	for (i = 0; i < 3; i++) {
		secret_of((int)i + 7, secret[i]);
		CHECK(key_pubkey(secret[i], 1, pubs[i], &publen) == 0);
		keys[i] = pubs[i];
		lens[i] = publen;
	}
	spk1[0] = OP_DUP;
	spk1[1] = OP_HASH160;
	spk1[2] = 20;
	hash160(pubs[0], 33, spk1 + 3);
	spk1[23] = OP_EQUALVERIFY;
	spk1[24] = OP_CHECKSIG;
	wbuf_init(&w);
	script_build_multisig(&w, 2, keys, lens, 3);
	memcpy(redeem, w.p, w.len);
	spk2[0] = OP_HASH160;
	spk2[1] = 20;
	hash160(redeem, w.len, spk2 + 2);
	spk2[22] = OP_EQUAL;
	memset(vin, 0, sizeof(vin));
	memset(&tx, 0, sizeof(tx));
	for (i = 0; i < 2; i++) {
		memset(vin[i].prevout.hash, (int)i + 1, 32);
		vin[i].sequence = SEQUENCE_FINAL;
	}
	vout.value = 1000;
	vout.script = spk1;
	vout.script_len = sizeof(spk1);
	spent[0].value = 5000;
	spent[0].script = spk1;
	spent[0].script_len = sizeof(spk1);
	spent[1].value = 5000;
	spent[1].script = spk2;
	spent[1].script_len = sizeof(spk2);
	tx.version = 2;
	tx.vin_count = 2;
	tx.vout_count = 1;
	tx.vin = xmemdup(vin, sizeof(vin));
	tx.vout = &vout;
	tx_copy(&t0, &tx);
	tx_copy(&t1, &tx);

	/* Every key: complete, and each input passes the standard checks. */
	p = sign_provider_new();
	for (i = 0; i < 3; i++)
		CHECK(sign_provider_add_key(p, secret[i], 1) == 0);
	sign_provider_add_script(p, redeem, w.len);
	CHECK(sign_transaction(&tx, p, spent, have, SIGHASH_DEFAULT, errors,
		  &keep) == 1);
	for (i = 0; i < 2; i++) {
		CHECK(errors[i] == NULL);
		CHECK(script_verify_input(&tx, i, &spent[i],
		    SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err));
	}
	/* Two signers with one multisig key each, combined. */
	p0 = sign_provider_new();
	CHECK(sign_provider_add_key(p0, secret[0], 1) == 0);
	sign_provider_add_script(p0, redeem, w.len);
	p1 = sign_provider_new();
	CHECK(sign_provider_add_key(p1, secret[2], 1) == 0);
	sign_provider_add_script(p1, redeem, w.len);
	CHECK(sign_transaction(&t0, p0, spent, have, SIGHASH_ALL, errors,
		  &keep0) == 0);
	CHECK(errors[0] == NULL && errors[1] != NULL);
	CHECK(sign_transaction(&t1, p1, spent, have, SIGHASH_ALL, errors,
		  &keep1) == 0);
	CHECK(errors[0] != NULL && errors[1] != NULL);
	variants[0] = t0;
	variants[1] = t1;
	{
		struct tx merged;

		tx_copy(&merged, &t0);
		sign_combine(&merged, variants, 2, spent, &keepc);
		for (i = 0; i < 2; i++)
			CHECK(script_verify_input(&merged, i, &spent[i],
			    SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err));
		tx_free(&merged);
		sign_keep_free(keepc);
	}
	/* An unknown output is reported, not signed. */
	have[1] = 0;
	CHECK(sign_transaction(&t1, p, spent, have, SIGHASH_ALL, errors,
		  &keepc) == 0);
	CHECK_EQ_STR(errors[1], SIGN_ERR_NOT_FOUND);
	sign_keep_free(keepc);

	tx.vout = NULL;
	tx.vout_count = 0;
	tx_free(&tx);
	tx_free(&t0);
	tx_free(&t1);
	sign_keep_free(keep);
	sign_keep_free(keep0);
	sign_keep_free(keep1);
	sign_provider_free(p);
	sign_provider_free(p0);
	sign_provider_free(p1);
	wbuf_free(&w);
}

/*
 * Taproot with keys alone (Core's SignTaproot without spend data): the
 * output key's own secret signs by key path, untweaked; a signature of
 * 64 bytes for SIGHASH_DEFAULT, 65 otherwise. Another key's output, or
 * a transaction whose other spent output is unknown (the taproot sighash
 * commits to every one), is left unsigned.
 */
static void
test_sign_taproot(void)
{
	uint8_t secret[2][32], pub[KEY_PUBKEY_MAX], spk[2][34];
	struct sign_provider *p = sign_provider_new();
	struct sign_keep *keep, *keep1; /* own the witnesses they write */
	struct script_txdata *td;
	struct txin vin[2];
	struct txout vout, spent[2];
	struct tx tx, t1;
	const char *errors[2];
	int have[2] = { 1, 1 }, err;
	size_t i, publen;

	for (i = 0; i < 2; i++) {
		secret_of((int)i + 20, secret[i]);
		CHECK(key_pubkey(secret[i], 1, pub, &publen) == 0);
		spk[i][0] = OP_1;
		spk[i][1] = 32;
		memcpy(spk[i] + 2, pub + 1, 32);
		spent[i].value = 5000;
		spent[i].script = spk[i];
		spent[i].script_len = sizeof(spk[i]);
	}
	CHECK(sign_provider_add_key(p, secret[0], 1) == 0);
	memset(vin, 0, sizeof(vin));
	memset(&tx, 0, sizeof(tx));
	for (i = 0; i < 2; i++) {
		memset(vin[i].prevout.hash, (int)i + 5, 32);
		vin[i].sequence = SEQUENCE_FINAL;
	}
	vout.value = 1000;
	vout.script = spk[1];
	vout.script_len = sizeof(spk[1]);
	tx.version = 2;
	tx.vin_count = 2;
	tx.vout_count = 1;
	tx.vin = xmemdup(vin, sizeof(vin));
	tx.vout = &vout;
	tx_copy(&t1, &tx);

	CHECK(sign_transaction(&tx, p, spent, have, SIGHASH_DEFAULT, errors,
		  &keep) == 0);
	CHECK(errors[0] == NULL && errors[1] != NULL);
	CHECK(tx.vin[0].wit_count == 1 && tx.vin[0].wit[0].len == 64);
	CHECK(tx.vin[1].wit_count == 0);
	td = script_txdata_new(&tx, spent);
	CHECK(script_verify_input(&tx, 0, &spent[0],
	    SCRIPT_STANDARD_VERIFY_FLAGS, td, &err));
	script_txdata_free(td);
	/* An explicit type is appended; the input still verifies. */
	CHECK(sign_transaction(&t1, p, spent, have, SIGHASH_ALL, errors,
		  &keep1) == 0);
	CHECK(t1.vin[0].wit_count == 1 && t1.vin[0].wit[0].len == 65);
	CHECK(t1.vin[0].wit[0].p[64] == SIGHASH_ALL);
	td = script_txdata_new(&t1, spent);
	CHECK(script_verify_input(&t1, 0, &spent[0],
	    SCRIPT_STANDARD_VERIFY_FLAGS, td, &err));
	script_txdata_free(td);
	tx.vout = NULL;
	tx.vout_count = 0;
	tx_free(&tx);
	tx_free(&t1); /* a copy: its outputs are its own */
	sign_keep_free(keep);
	sign_keep_free(keep1);
	/* The second spent output unknown: no taproot signature at all. */
	memset(&t1, 0, sizeof(t1));
	t1.version = 2;
	t1.vin_count = 2;
	t1.vout_count = 1;
	t1.vin = xmemdup(vin, sizeof(vin));
	t1.vout = &vout;
	have[1] = 0;
	CHECK(sign_transaction(&t1, p, spent, have, SIGHASH_DEFAULT, errors,
		  &keep) == 0);
	sign_keep_free(keep);
	CHECK(errors[0] != NULL);
	CHECK(t1.vin[0].wit_count == 0);
	t1.vout = NULL;
	t1.vout_count = 0;
	tx_free(&t1);
	sign_provider_free(p);
}

UNIT_MAIN(UNIT_CASE(test_solver), UNIT_CASE(test_multisig_builder),
    UNIT_CASE(test_push_int), UNIT_CASE(test_keys), UNIT_CASE(test_message),
    UNIT_CASE(test_sign_transaction), UNIT_CASE(test_sign_taproot))
