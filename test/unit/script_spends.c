/*
 * Spends built with libsecp256k1 for what Core's vectors leave out:
 * BIP143 and tapscript signature opcodes, code separator positions, the
 * annex, the validation-weight budget, lax DER and low S, pay-to-anchor,
 * the signature cache, the check pool, sigop counts, block flags and the
 * context-free transaction check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/tx.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "script/sigcache.h"
#include "test/unit/script_spends.h"
#include "unit.h"
#include "util/hex.h"
#include "validation/checkqueue.h"

static const uint8_t empty_script[1];

/* BIP341's provably unspendable internal key (Core's NUMS_H). */
static const char nums_h[] =
    "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

static size_t
put(uint8_t *p, size_t at, const void *d, size_t n)
{
	memcpy(p + at, d, n);
	return at + n;
}

/*
 * Spends built here. A "wallet" of one private key; a transaction with n
 * inputs each spending its own output.
 */
struct wallet {
	secp256k1_context *ctx;
	uint8_t sec[32];
	uint8_t pub33[33];
	uint8_t xonly[32];
	secp256k1_keypair kp;
};

static void
wallet_init(struct wallet *w, uint8_t seed)
{
	secp256k1_pubkey pub;
	secp256k1_xonly_pubkey xp;
	size_t len = 33;

	w->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	memset(w->sec, 0, 32);
	w->sec[31] = seed;
	w->sec[0] = 0x11;
	if (!secp256k1_ec_pubkey_create(w->ctx, &pub, w->sec) ||
	    !secp256k1_ec_pubkey_serialize(w->ctx, w->pub33, &len, &pub,
		SECP256K1_EC_COMPRESSED) ||
	    !secp256k1_keypair_create(w->ctx, &w->kp, w->sec) ||
	    !secp256k1_keypair_xonly_pub(w->ctx, &xp, NULL, &w->kp) ||
	    !secp256k1_xonly_pubkey_serialize(w->ctx, w->xonly, &xp))
		abort();
}

static void
wallet_free(struct wallet *w)
{
	secp256k1_context_destroy(w->ctx);
}

/* DER ECDSA signature of hash plus the hash type byte. */
static size_t
wallet_ecdsa(struct wallet *w, const uint8_t hash[32], uint8_t ht,
    uint8_t out[80])
{
	secp256k1_ecdsa_signature s;
	size_t len = 72;

	if (!secp256k1_ecdsa_sign(w->ctx, &s, hash, w->sec, NULL, NULL) ||
	    !secp256k1_ecdsa_signature_serialize_der(w->ctx, out, &len, &s))
		abort();
	out[len] = ht;
	return len + 1;
}

static void
wallet_schnorr(struct wallet *w, const secp256k1_keypair *kp,
    const uint8_t hash[32], uint8_t out[64])
{
	uint8_t aux[32];

	memset(aux, 7, sizeof(aux));
	if (!secp256k1_schnorrsig_sign32(w->ctx, out, hash, kp, aux))
		abort();
}

#define MAXIN 256

struct fixture {
	struct tx tx;
	struct txin in[MAXIN];
	struct txout out[2];
	struct txout spent[MAXIN];
	uint8_t spk[MAXIN][34];
	struct witem wit[MAXIN][4];
	uint8_t wbuf[MAXIN][4][128];
};

static void
fixture_init(struct fixture *f, size_t n)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		f->in[i].prevout.hash[0] = (uint8_t)i;
		f->in[i].prevout.hash[1] = (uint8_t)(i >> 8);
		f->in[i].prevout.n = (uint32_t)i;
		f->in[i].script = empty_script;
		f->in[i].sequence = SEQUENCE_FINAL - 1;
		f->in[i].wit = f->wit[i];
		f->spent[i].value = 1000 + (int64_t)i;
		f->spent[i].script = f->spk[i];
	}
	f->out[0].value = 500;
	f->out[0].script = empty_script;
	f->out[1].value = 600;
	f->out[1].script = f->spk[0];
	f->out[1].script_len = 22;
	f->tx.version = 2;
	f->tx.vin = f->in;
	f->tx.vin_count = n;
	f->tx.vout = f->out;
	f->tx.vout_count = 2;
}

/* Every input a signed P2WPKH spend of w's key. */
static void
fixture_p2wpkh(struct fixture *f, struct wallet *w, size_t n)
{
	struct script_txdata *td;
	uint8_t h[32], code[25];
	size_t i;

	fixture_init(f, n);
	for (i = 0; i < n; i++) {
		f->spk[i][0] = OP_0;
		f->spk[i][1] = 20;
		hash160(w->pub33, 33, f->spk[i] + 2);
		f->spent[i].script_len = 22;
	}
	td = script_txdata_new(&f->tx, f->spent);
	code[0] = OP_DUP;
	code[1] = OP_HASH160;
	code[2] = 20;
	hash160(w->pub33, 33, code + 3);
	code[23] = OP_EQUALVERIFY;
	code[24] = OP_CHECKSIG;
	for (i = 0; i < n; i++) {
		script_sighash_v0(&f->tx, i, code, sizeof(code),
		    f->spent[i].value, SIGHASH_ALL, td, h);
		f->wit[i][0].p = f->wbuf[i][0];
		f->wit[i][0].len = wallet_ecdsa(w, h, SIGHASH_ALL,
		    f->wbuf[i][0]);
		memcpy(f->wbuf[i][1], w->pub33, 33);
		f->wit[i][1].p = f->wbuf[i][1];
		f->wit[i][1].len = 33;
		f->in[i].wit_count = 2;
	}
	script_txdata_free(td);
}

void
test_p2wpkh_and_sigcache(void)
{
	static struct fixture f;
	struct wallet w;
	struct script_txdata *td;
	struct sigcache *sc;
	int err;

	wallet_init(&w, 1);
	fixture_p2wpkh(&f, &w, 3);
	td = script_txdata_new(&f.tx, f.spent);
	CHECK(td->bip143_ready);
	CHECK_EQ_INT(script_verify_input(&f.tx, 1, &f.spent[1],
			 SCRIPT_STANDARD_VERIFY_FLAGS, td, &err),
	    1);
	CHECK_EQ_INT(err, SCRIPT_ERR_OK);
	/* Without precomputed data the hashes are made on the spot. */
	CHECK_EQ_INT(script_verify_input(&f.tx, 2, &f.spent[2],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    1);
	/* Wrong amount: the BIP143 hash commits to it. */
	f.spent[1].value++;
	CHECK_EQ_INT(script_verify_input(&f.tx, 1, &f.spent[1],
			 SCRIPT_STANDARD_VERIFY_FLAGS, td, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err), "NULLFAIL");
	CHECK_EQ_INT(script_verify_input(&f.tx, 1, &f.spent[1],
			 SCRIPT_MANDATORY_VERIFY_FLAGS, td, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err), "EVAL_FALSE");
	f.spent[1].value--;

	/* The cache: stored once, then a block's lookup consumes it. */
	sc = sigcache_new(1 << 16);
	CHECK(sigcache_capacity(sc) >= SIGCACHE_STRIPES * SIGCACHE_WAYS);
	CHECK_EQ_INT(script_verify_input_cached(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, td, sc, 1, &err),
	    1);
	{
		uint8_t h[32], code[25], key[32];
		const struct witem *sig = &f.in[0].wit[0];

		code[0] = OP_DUP;
		code[1] = OP_HASH160;
		code[2] = 20;
		hash160(w.pub33, 33, code + 3);
		code[23] = OP_EQUALVERIFY;
		code[24] = OP_CHECKSIG;
		script_sighash_v0(&f.tx, 0, code, sizeof(code),
		    f.spent[0].value, SIGHASH_ALL, td, h);
		sigcache_key_ecdsa(sc, h, w.pub33, 33, sig->p, sig->len - 1,
		    key);
		CHECK_EQ_INT(sigcache_lookup(sc, key, 0), 1);
		CHECK_EQ_INT(script_verify_input_cached(&f.tx, 0, &f.spent[0],
				 SCRIPT_STANDARD_VERIFY_FLAGS, td, sc, 0,
				 &err),
		    1);
		CHECK_EQ_INT(sigcache_lookup(sc, key, 0), 0);
		/* A hit needs the same key: another salt misses. */
		sigcache_insert(sc, key);
		{
			struct sigcache *sc2 = sigcache_new(1 << 16);
			uint8_t key2[32];

			sigcache_key_ecdsa(sc2, h, w.pub33, 33, sig->p,
			    sig->len - 1, key2);
			CHECK(memcmp(key, key2, 32) != 0);
			CHECK_EQ_INT(sigcache_lookup(sc2, key2, 0), 0);
			sigcache_free(sc2);
		}
	}
	sigcache_free(sc);
	/* The cache is bounded: far more inserts than slots stay in place. */
	sc = sigcache_new(0);
	{
		uint8_t k[32];
		size_t i, hits = 0, cap = sigcache_capacity(sc);

		for (i = 0; i < 4 * cap; i++) {
			sha256(&i, sizeof(i), k);
			sigcache_insert(sc, k);
		}
		for (i = 0; i < 4 * cap; i++) {
			sha256(&i, sizeof(i), k);
			hits += (size_t)sigcache_lookup(sc, k, 0);
		}
		CHECK(hits <= cap);
		CHECK(hits > cap / 2);
	}
	sigcache_free(sc);
	script_txdata_free(td);
	wallet_free(&w);
}

/* Taproot script path: a tree of leaves over one internal key. */
struct tapspend {
	uint8_t internal[32];
	uint8_t out[32];
	int parity;
	uint8_t root[32];
	uint8_t leaf[4][32];
};

/* Two-level tree: leaves 0,1 pair up, as do 2,3. */
static void
tapspend_build(struct tapspend *t, const uint8_t internal[32],
    uint8_t *scripts[4], size_t lens[4], const uint8_t vers[4])
{
	uint8_t b01[32], b23[32];
	size_t i;

	memcpy(t->internal, internal, 32);
	for (i = 0; i < 4; i++)
		script_tapleaf_hash(vers[i], scripts[i], lens[i], t->leaf[i]);
	script_tapbranch_hash(t->leaf[0], t->leaf[1], b01);
	script_tapbranch_hash(t->leaf[2], t->leaf[3], b23);
	script_tapbranch_hash(b01, b23, t->root);
	if (script_taproot_output_key(internal, t->root, t->out, &t->parity))
		abort();
}

void
test_tapscript(void)
{
	static struct fixture f;
	struct wallet w, w2;
	struct tapspend t;
	struct script_txdata *td;
	uint8_t s0[40], s1[80], s2[40], s3[8], *scripts[4];
	uint8_t h[32], sig[65], sig2[65], b01[32], b23[32];
	uint8_t ctl[2][97];
	size_t lens[4], n;
	const uint8_t vers[4] = { 0xc0, 0xc0, 0xc0, 0xc2 };
	int err;

	wallet_init(&w, 2);
	wallet_init(&w2, 3);
	/* leaf 0: <pk> CHECKSIG */
	n = 0;
	s0[n++] = 32;
	n = put(s0, n, w.xonly, 32);
	s0[n++] = OP_CHECKSIG;
	lens[0] = n;
	/* leaf 1: <pk> CHECKSIG <pk2> CHECKSIGADD 2 NUMEQUAL */
	n = 0;
	s1[n++] = 32;
	n = put(s1, n, w.xonly, 32);
	s1[n++] = OP_CHECKSIG;
	s1[n++] = 32;
	n = put(s1, n, w2.xonly, 32);
	s1[n++] = OP_CHECKSIGADD;
	s1[n++] = OP_1 + 1;
	s1[n++] = OP_NUMEQUAL;
	lens[1] = n;
	/* leaf 2: CODESEPARATOR <pk> CHECKSIG */
	n = 0;
	s2[n++] = OP_CODESEPARATOR;
	s2[n++] = 32;
	n = put(s2, n, w.xonly, 32);
	s2[n++] = OP_CHECKSIG;
	lens[2] = n;
	/* leaf 3: an unknown leaf version */
	s3[0] = OP_RETURN;
	lens[3] = 1;
	scripts[0] = s0;
	scripts[1] = s1;
	scripts[2] = s2;
	scripts[3] = s3;
	tapspend_build(&t, w2.xonly, scripts, lens, vers);
	/* Depth-2 control blocks: sibling leaf, then the other branch. */
	script_tapbranch_hash(t.leaf[0], t.leaf[1], b01);
	script_tapbranch_hash(t.leaf[2], t.leaf[3], b23);

	fixture_init(&f, 1);
	f.spk[0][0] = OP_1;
	f.spk[0][1] = 32;
	memcpy(f.spk[0] + 2, t.out, 32);
	f.spent[0].script_len = 34;
	td = script_txdata_new(&f.tx, f.spent);
	CHECK(td->bip341_ready);

#define CTL(i) \
	do { \
		ctl[0][0] = (uint8_t)(vers[i] | t.parity); \
		memcpy(ctl[0] + 1, t.internal, 32); \
		memcpy(ctl[0] + 33, t.leaf[(i) ^ 1], 32); \
		memcpy(ctl[0] + 65, (i) < 2 ? b23 : b01, 32); \
	} while (0)
#define SPEND(nw) \
	(f.in[0].wit_count = (nw), \
	    script_verify_input(&f.tx, 0, &f.spent[0], \
		SCRIPT_STANDARD_VERIFY_FLAGS, td, &err))

	/* Leaf 0 with a SIGHASH_DEFAULT signature. */
	CHECK_EQ_INT(script_sighash_taproot(td, 0, SIGHASH_DEFAULT, NULL,
			 t.leaf[0], UINT32_MAX, h),
	    0);
	wallet_schnorr(&w, &w.kp, h, sig);
	CTL(0);
	f.wit[0][0].p = sig;
	f.wit[0][0].len = 64;
	f.wit[0][1].p = s0;
	f.wit[0][1].len = lens[0];
	f.wit[0][2].p = ctl[0];
	f.wit[0][2].len = 97;
	CHECK_EQ_INT(SPEND(3), 1);
	CHECK_EQ_INT(err, SCRIPT_ERR_OK);
	/* A bad signature fails at once, not as a false result. */
	sig[3] ^= 1;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG");
	sig[3] ^= 1;
	/* An empty signature is a false result; CLEANSTACK then EVAL_FALSE. */
	f.wit[0][0].len = 0;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "EVAL_FALSE");
	/* Explicit SIGHASH_DEFAULT byte is not allowed. */
	sig[64] = 0;
	f.wit[0][0].len = 65;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG_HASHTYPE");
	/* SIGHASH_ALL|ANYONECANPAY, spelled out. */
	CHECK_EQ_INT(script_sighash_taproot(td, 0, 0x81, NULL, t.leaf[0],
			 UINT32_MAX, h),
	    0);
	wallet_schnorr(&w, &w.kp, h, sig);
	sig[64] = 0x81;
	CHECK_EQ_INT(SPEND(3), 1);
	/* Undefined hash type. */
	sig[64] = 0x84;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG_HASHTYPE");
	/* Wrong size. */
	f.wit[0][0].len = 63;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG_SIZE");
	/* Wrong merkle path, wrong control size. */
	f.wit[0][0].len = 65;
	sig[64] = 0x81;
	ctl[0][40] ^= 1;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "WITNESS_PROGRAM_MISMATCH");
	ctl[0][40] ^= 1;
	f.wit[0][2].len = 96;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "TAPROOT_WRONG_CONTROL_SIZE");
	f.wit[0][2].len = 97;
	/* An annex changes the hash: the same signature no longer fits. */
	{
		uint8_t annex[3] = { 0x50, 1, 2 }, ah[32];

		f.wit[0][3].p = annex;
		f.wit[0][3].len = 3;
		CHECK_EQ_INT(SPEND(4), 0);
		CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG");
		sig_annex_hash(annex, 3, ah);
		CHECK_EQ_INT(script_sighash_taproot(td, 0, 0x81, ah, t.leaf[0],
				 UINT32_MAX, h),
		    0);
		wallet_schnorr(&w, &w.kp, h, sig);
		CHECK_EQ_INT(SPEND(4), 1);
	}

	/* Leaf 1: CHECKSIGADD 2-of-2; witness is sig2 sig1 (top first). */
	CTL(1);
	CHECK_EQ_INT(script_sighash_taproot(td, 0, SIGHASH_DEFAULT, NULL,
			 t.leaf[1], UINT32_MAX, h),
	    0);
	wallet_schnorr(&w, &w.kp, h, sig);
	wallet_schnorr(&w2, &w2.kp, h, sig2);
	f.wit[0][0].p = sig2;
	f.wit[0][0].len = 64;
	f.wit[0][1].p = sig;
	f.wit[0][1].len = 64;
	f.wit[0][2].p = s1;
	f.wit[0][2].len = lens[1];
	f.wit[0][3].p = ctl[0];
	f.wit[0][3].len = 97;
	CHECK_EQ_INT(SPEND(4), 1);
	/* One empty signature: 1 != 2. */
	f.wit[0][0].len = 0;
	CHECK_EQ_INT(SPEND(4), 0);
	CHECK_EQ_STR(script_error_name(err), "EVAL_FALSE");
	f.wit[0][0].len = 64;

	/* Leaf 2: the code separator position is signed. */
	CTL(2);
	CHECK_EQ_INT(script_sighash_taproot(td, 0, SIGHASH_DEFAULT, NULL,
			 t.leaf[2], UINT32_MAX, h),
	    0);
	wallet_schnorr(&w, &w.kp, h, sig);
	f.wit[0][0].p = sig;
	f.wit[0][0].len = 64;
	f.wit[0][1].p = s2;
	f.wit[0][1].len = lens[2];
	f.wit[0][2].p = ctl[0];
	f.wit[0][2].len = 97;
	CHECK_EQ_INT(SPEND(3), 0);
	CHECK_EQ_STR(script_error_name(err), "SCHNORR_SIG");
	CHECK_EQ_INT(script_sighash_taproot(td, 0, SIGHASH_DEFAULT, NULL,
			 t.leaf[2], 0, h),
	    0);
	wallet_schnorr(&w, &w.kp, h, sig);
	CHECK_EQ_INT(SPEND(3), 1);

	/* Leaf 3: unknown leaf version succeeds unless discouraged. */
	CTL(3);
	f.wit[0][0].p = s3;
	f.wit[0][0].len = 1;
	f.wit[0][1].p = ctl[0];
	f.wit[0][1].len = 97;
	CHECK_EQ_INT(SPEND(2), 0);
	CHECK_EQ_STR(script_error_name(err),
	    "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION");
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_MANDATORY_VERIFY_FLAGS, td, &err),
	    1);

	/* Key path with the tweaked key. */
	{
		secp256k1_keypair kp = w2.kp;
		struct sha256_ctx c;
		uint8_t tweak[32];

		tagged_hash_init(&c, "TapTweak");
		sha256_update(&c, t.internal, 32);
		sha256_update(&c, t.root, 32);
		sha256_final(&c, tweak);
		CHECK(secp256k1_keypair_xonly_tweak_add(w2.ctx, &kp, tweak));
		CHECK_EQ_INT(script_sighash_taproot(td, 0, SIGHASH_SINGLE,
				 NULL, NULL, UINT32_MAX, h),
		    0);
		wallet_schnorr(&w2, &kp, h, sig);
		sig[64] = SIGHASH_SINGLE;
		f.wit[0][0].p = sig;
		f.wit[0][0].len = 65;
		CHECK_EQ_INT(SPEND(1), 1);
		/* Without TAPROOT the output is anyone-can-spend. */
		sig[0] ^= 1;
		CHECK_EQ_INT(SPEND(1), 0);
		CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
				 SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS,
				 td, &err),
		    1);
		CHECK_EQ_INT(SPEND(0), 0);
		CHECK_EQ_STR(script_error_name(err),
		    "WITNESS_PROGRAM_WITNESS_EMPTY");
	}
#undef CTL
#undef SPEND
	script_txdata_free(td);
	wallet_free(&w);
	wallet_free(&w2);
}

/*
 * Runs a one-leaf tapscript with witness items wit (script and control
 * appended here); with signer, wit[0] is replaced by its SIGHASH_DEFAULT
 * signature for this leaf. Returns the error.
 */
static int
run_tapscript(const uint8_t *script, size_t len, struct witem *wit,
    size_t nwit, uint32_t flags, struct wallet *signer)
{
	uint8_t h[32], sig[64];
	static struct fixture f;
	static struct witem items[1100];
	struct script_txdata *td;
	uint8_t internal[32], leaf[32], out[32], ctl[33];
	int parity, err;
	size_t i;

	hex_decode(nums_h, internal, 32);
	script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, script, len, leaf);
	if (script_taproot_output_key(internal, leaf, out, &parity) != 0)
		abort();
	ctl[0] = (uint8_t)(TAPROOT_LEAF_TAPSCRIPT | parity);
	memcpy(ctl + 1, internal, 32);
	fixture_init(&f, 1);
	f.spk[0][0] = OP_1;
	f.spk[0][1] = 32;
	memcpy(f.spk[0] + 2, out, 32);
	f.spent[0].script_len = 34;
	if (nwit + 2 > sizeof(items) / sizeof(items[0]))
		abort();
	for (i = 0; i < nwit; i++)
		items[i] = wit[i];
	items[nwit].p = script;
	items[nwit].len = len;
	items[nwit + 1].p = ctl;
	items[nwit + 1].len = 33;
	f.in[0].wit = items;
	f.in[0].wit_count = nwit + 2;
	td = script_txdata_new(&f.tx, f.spent);
	if (signer != NULL) {
		if (script_sighash_taproot(td, 0, SIGHASH_DEFAULT, NULL, leaf,
			UINT32_MAX, h) != 0)
			abort();
		wallet_schnorr(signer, &signer->kp, h, sig);
		items[0].p = sig;
		items[0].len = 64;
	}
	script_verify_input(&f.tx, 0, &f.spent[0], flags, td, &err);
	script_txdata_free(td);
	return err;
}

void
test_tapscript_rules(void)
{
	struct wallet w;
	uint8_t s[4096];
	struct witem wi[2];
	size_t n, i, reps;
	int err;

	/* OP_SUCCESSx wins even over a later undecodable push. */
	s[0] = 0x50;
	s[1] = OP_PUSHDATA1;
	CHECK_EQ_INT(run_tapscript(s, 2, NULL, 0,
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
	    SCRIPT_ERR_OK);
	CHECK_EQ_INT(run_tapscript(s, 2, NULL, 0, SCRIPT_STANDARD_VERIFY_FLAGS,
			 NULL),
	    SCRIPT_ERR_DISCOURAGE_OP_SUCCESS);
	/* ... but not over an undecodable push before it. */
	s[0] = OP_PUSHDATA1;
	CHECK_EQ_INT(run_tapscript(s, 1, NULL, 0,
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
	    SCRIPT_ERR_BAD_OPCODE);
	/* CHECKMULTISIG is gone; IF takes only 0 or 1. */
	s[0] = OP_0;
	s[1] = OP_0;
	s[2] = OP_0;
	s[3] = OP_CHECKMULTISIG;
	CHECK_EQ_INT(run_tapscript(s, 4, NULL, 0,
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
	    SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG);
	s[0] = 1;
	s[1] = 2;
	s[2] = OP_IF;
	s[3] = OP_ENDIF;
	CHECK_EQ_INT(run_tapscript(s, 4, NULL, 0,
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
	    SCRIPT_ERR_TAPSCRIPT_MINIMALIF);
	/* Unknown key types succeed unless discouraged. */
	{
		uint8_t one = 1;

		wi[0].p = &one;
		wi[0].len = 1;
		s[0] = 1;
		s[1] = 0x42;
		s[2] = OP_CHECKSIG;
		CHECK_EQ_INT(run_tapscript(s, 3, wi, 1,
				 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
		    SCRIPT_ERR_OK);
		CHECK_EQ_INT(run_tapscript(s, 3, wi, 1,
				 SCRIPT_STANDARD_VERIFY_FLAGS, NULL),
		    SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
	}
	/* Over 1000 initial stack items. */
	{
		static struct witem many[1002];

		for (i = 0; i < 1001; i++) {
			many[i].p = empty_script;
			many[i].len = 0;
		}
		s[0] = OP_DROP;
		CHECK_EQ_INT(run_tapscript(s, 1, many, 1001,
				 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL),
		    SCRIPT_ERR_STACK_SIZE);
	}

	/*
	 * The validation weight budget: one signature re-used by DUP. Each
	 * check costs 50 while adding only 36 bytes of script, so enough
	 * repetitions exhaust the budget.
	 */
	wallet_init(&w, 4);
	wi[0].p = empty_script;
	wi[0].len = 0;
	for (reps = 1; reps < 100; reps++) {
		n = 0;
		for (i = 0; i < reps; i++) {
			s[n++] = OP_DUP;
			s[n++] = 32;
			n = put(s, n, w.xonly, 32);
			s[n++] = OP_CHECKSIGVERIFY;
		}
		s[n++] = OP_DROP;
		s[n++] = OP_1;
		err = run_tapscript(s, n, wi, 1, SCRIPT_MANDATORY_VERIFY_FLAGS,
		    &w);
		if (err == SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT)
			break;
		CHECK_EQ_INT(err, SCRIPT_ERR_OK);
	}
	/* 50 * reps > 36 * reps + (witness overhead ~ 155) */
	CHECK(reps >= 10 && reps < 20);
	wallet_free(&w);
}

void
test_checkqueue(void)
{
	static struct fixture f;
	struct checkqueue_job jobs[MAXIN];
	struct checkqueue_fail fail;
	struct checkqueue *cq;
	struct script_txdata *td;
	struct wallet w;
	size_t i, n = 200;
	int threads[] = { 0, 1, 2, 4 }, k, round;

	wallet_init(&w, 5);
	fixture_p2wpkh(&f, &w, n);
	td = script_txdata_new(&f.tx, f.spent);
	for (i = 0; i < n; i++) {
		jobs[i].tx = &f.tx;
		jobs[i].nin = i;
		jobs[i].spent = &f.spent[i];
		jobs[i].flags = SCRIPT_STANDARD_VERIFY_FLAGS;
		jobs[i].td = td;
	}
	for (k = 0; k < 4; k++) {
		cq = checkqueue_new(threads[k]);
		CHECK_EQ_INT(checkqueue_threads(cq),
		    threads[k] > 1 ? threads[k] : 1);
		for (round = 0; round < 3; round++) {
			CHECK_EQ_INT(checkqueue_run(cq, jobs, n, NULL, 0,
					 &fail),
			    0);
			CHECK_EQ_INT(checkqueue_run(cq, jobs, 0, NULL, 0,
					 &fail),
			    0);
			CHECK_EQ_INT(checkqueue_run(cq, jobs, 1, NULL, 0,
					 &fail),
			    0);
		}
		/* Two bad inputs: the lower index is always the answer. */
		f.spent[150].value++;
		f.spent[40].value++;
		for (round = 0; round < 3; round++) {
			memset(&fail, 0, sizeof(fail));
			CHECK_EQ_INT(checkqueue_run(cq, jobs, n, NULL, 0,
					 &fail),
			    -1);
			CHECK_EQ_INT(fail.index, 40);
			CHECK_EQ_STR(script_error_name(fail.err), "NULLFAIL");
		}
		f.spent[150].value--;
		f.spent[40].value--;
		/* Many small batches: workers join late, or not at all. */
		for (round = 0; round < 100; round++) {
			size_t m = 2 + (size_t)round % 5, off = (size_t)round;
			int bad = round % 3 == 0;

			if (bad)
				f.spent[off + m - 1].value++;
			CHECK_EQ_INT(checkqueue_run(cq, jobs + off, m, NULL, 0,
					 &fail),
			    bad ? -1 : 0);
			if (bad) {
				CHECK_EQ_INT(fail.index, m - 1);
				f.spent[off + m - 1].value--;
			}
		}
		/* With a shared signature cache. */
		{
			struct sigcache *sc = sigcache_new(1 << 20);

			CHECK_EQ_INT(checkqueue_run(cq, jobs, n, sc, 1, &fail),
			    0);
			CHECK_EQ_INT(checkqueue_run(cq, jobs, n, sc, 0, &fail),
			    0);
			sigcache_free(sc);
		}
		checkqueue_free(cq);
	}
	script_txdata_free(td);
	wallet_free(&w);
}

void
test_legacy_multisig_and_sigops(void)
{
	static struct fixture f;
	struct wallet w1, w2;
	uint8_t spk[80], sig1[80], sig2[80], ss[200], h[32];
	size_t n, l1, l2, m;
	int err;

	wallet_init(&w1, 6);
	wallet_init(&w2, 7);
	/* 2 <pk1> <pk2> 2 CHECKMULTISIG */
	n = 0;
	spk[n++] = OP_1 + 1;
	spk[n++] = 33;
	n = put(spk, n, w1.pub33, 33);
	spk[n++] = 33;
	n = put(spk, n, w2.pub33, 33);
	spk[n++] = OP_1 + 1;
	spk[n++] = OP_CHECKMULTISIG;
	CHECK_EQ_INT(script_sigops(spk, n, 1), 2);
	CHECK_EQ_INT(script_sigops(spk, n, 0), 20);
	fixture_init(&f, 1);
	f.spent[0].script = spk;
	f.spent[0].script_len = n;
	script_sighash_legacy(&f.tx, 0, spk, n, SIGHASH_ALL, h);
	l1 = wallet_ecdsa(&w1, h, SIGHASH_ALL, sig1);
	l2 = wallet_ecdsa(&w2, h, SIGHASH_ALL, sig2);
	m = 0;
	ss[m++] = OP_0;
	ss[m++] = (uint8_t)l1;
	m = put(ss, m, sig1, l1);
	ss[m++] = (uint8_t)l2;
	m = put(ss, m, sig2, l2);
	f.in[0].script = ss;
	f.in[0].script_len = m;
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    1);
	/* Out of order: pk1's signature must come first. */
	m = 0;
	ss[m++] = OP_0;
	ss[m++] = (uint8_t)l2;
	m = put(ss, m, sig2, l2);
	ss[m++] = (uint8_t)l1;
	m = put(ss, m, sig1, l1);
	f.in[0].script_len = m;
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err), "EVAL_FALSE");
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err), "NULLFAIL");

	/* P2SH sigops count the redeem script; witness sigops. */
	{
		uint8_t p2sh[23], push[90], p2wsh[34], wsh_sig[35];
		struct witem wi[1];

		p2sh[0] = OP_HASH160;
		p2sh[1] = 20;
		hash160(spk, n, p2sh + 2);
		p2sh[22] = OP_EQUAL;
		CHECK(script_is_p2sh(p2sh, 23));
		push[0] = OP_0;
		push[1] = OP_PUSHDATA1;
		push[2] = (uint8_t)n;
		memcpy(push + 3, spk, n);
		CHECK_EQ_INT(script_p2sh_sigops(p2sh, 23, push, n + 3), 2);
		CHECK_EQ_INT(script_p2sh_sigops(spk, n, push, n + 3), 0);
		p2wsh[0] = OP_0;
		p2wsh[1] = 32;
		sha256(spk, n, p2wsh + 2);
		wi[0].p = spk;
		wi[0].len = n;
		CHECK_EQ_INT(script_witness_sigops(NULL, 0, p2wsh, 34, wi, 1,
				 SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS),
		    2);
		CHECK_EQ_INT(script_witness_sigops(NULL, 0, p2wsh, 34, wi, 1,
				 SCRIPT_VERIFY_P2SH),
		    0);
		/* P2SH-wrapped P2WSH. */
		p2sh[0] = OP_HASH160;
		hash160(p2wsh, 34, p2sh + 2);
		wsh_sig[0] = 34;
		memcpy(wsh_sig + 1, p2wsh, 34);
		CHECK_EQ_INT(script_witness_sigops(wsh_sig, 35, p2sh, 23, wi,
				 1,
				 SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS),
		    2);
		CHECK(script_is_unspendable((const uint8_t *)"\x6a", 1));
		CHECK(!script_is_unspendable(spk, n));
		CHECK(script_is_push_only(push, n + 3));
		CHECK(!script_is_push_only(spk, n));
	}
	wallet_free(&w1);
	wallet_free(&w2);
}

/* Verifies P2PK input 0 of f with scriptSig = push(sig); returns the error. */
static int
p2pk_with_sig(struct fixture *f, const uint8_t *sig, size_t len,
    uint32_t flags)
{
	uint8_t ss[120];
	size_t h = 0;
	int err;

	if (len >= OP_PUSHDATA1)
		ss[h++] = OP_PUSHDATA1;
	ss[h++] = (uint8_t)len;
	memcpy(ss + h, sig, len);
	f->in[0].script = ss;
	f->in[0].script_len = len + h;
	script_verify_input(&f->tx, 0, &f->spent[0], flags, NULL, &err);
	f->in[0].script = empty_script;
	f->in[0].script_len = 0;
	return err;
}

/*
 * The DER reader consensus uses without DERSIG, and S normalisation:
 * each variant of one signature must verify without the encoding flags
 * and fail with SIG_DER (or SIG_HIGH_S) with them.
 */
void
test_lax_der_and_low_s(void)
{
	static const uint8_t order[32] = {
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xfe,
		0xba,
		0xae,
		0xdc,
		0xe6,
		0xaf,
		0x48,
		0xa0,
		0x3b,
		0xbf,
		0xd2,
		0x5e,
		0x8c,
		0xd0,
		0x36,
		0x41,
		0x41,
	};
	static struct fixture f;
	struct wallet w;
	secp256k1_ecdsa_signature es;
	uint8_t spk[35], h[32], c64[64], r[33], sv[33], v[120];
	size_t n, rl, sl, i;
	const uint32_t lax = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
	int borrow, d;

	wallet_init(&w, 8);
	spk[0] = 33;
	memcpy(spk + 1, w.pub33, 33);
	spk[34] = OP_CHECKSIG;
	fixture_init(&f, 1);
	f.spent[0].script = spk;
	f.spent[0].script_len = 35;
	script_sighash_legacy(&f.tx, 0, spk, 35, SIGHASH_ALL, h);
	if (!secp256k1_ecdsa_sign(w.ctx, &es, h, w.sec, NULL, NULL) ||
	    !secp256k1_ecdsa_signature_serialize_compact(w.ctx, c64, &es))
		abort();
		/* Minimal big-endian R and S, with a sign byte when needed. */
#define MINIMAL(src, dst, len) \
	do { \
		size_t k_ = 0; \
		while (k_ < 31 && (src)[k_] == 0) \
			k_++; \
		len = 0; \
		if ((src)[k_] & 0x80) \
			(dst)[len++] = 0; \
		memcpy((dst) + len, (src) + k_, 32 - k_); \
		len += 32 - k_; \
	} while (0)
	MINIMAL(c64, r, rl);
	MINIMAL(c64 + 32, sv, sl);

	/* Strict DER: valid everywhere. */
	n = 0;
	v[n++] = 0x30;
	v[n++] = (uint8_t)(4 + rl + sl);
	v[n++] = 2;
	v[n++] = (uint8_t)rl;
	n = put(v, n, r, rl);
	v[n++] = 2;
	v[n++] = (uint8_t)sl;
	n = put(v, n, sv, sl);
	v[n++] = SIGHASH_ALL;
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, SCRIPT_STANDARD_VERIFY_FLAGS),
	    SCRIPT_ERR_OK);

	/* Long-form sequence length. */
	n = 0;
	v[n++] = 0x30;
	v[n++] = 0x81;
	v[n++] = (uint8_t)(4 + rl + sl);
	v[n++] = 2;
	v[n++] = (uint8_t)rl;
	n = put(v, n, r, rl);
	v[n++] = 2;
	v[n++] = (uint8_t)sl;
	n = put(v, n, sv, sl);
	v[n++] = SIGHASH_ALL;
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, lax), SCRIPT_ERR_OK);
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, lax | SCRIPT_VERIFY_DERSIG),
	    SCRIPT_ERR_SIG_DER);

	/* Long-form R length padded with zeros; zeros before R. */
	n = 0;
	v[n++] = 0x30;
	v[n++] = 0;
	v[n++] = 2;
	v[n++] = 0x86;
	for (i = 0; i < 5; i++)
		v[n++] = 0;
	v[n++] = (uint8_t)(rl + 2);
	v[n++] = 0;
	v[n++] = 0;
	n = put(v, n, r, rl);
	v[n++] = 2;
	v[n++] = (uint8_t)sl;
	n = put(v, n, sv, sl);
	/* Bytes after S are ignored by the lax reader. */
	v[n++] = 0xab;
	v[n++] = SIGHASH_ALL;
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, lax), SCRIPT_ERR_OK);
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, lax | SCRIPT_VERIFY_DERSIG),
	    SCRIPT_ERR_SIG_DER);

	/* An R of 33 significant bytes reads, but never verifies. */
	n = 0;
	v[n++] = 0x30;
	v[n++] = 0;
	v[n++] = 2;
	v[n++] = 33;
	v[n++] = 1;
	memcpy(v + n, c64, 32);
	n += 32;
	v[n++] = 2;
	v[n++] = (uint8_t)sl;
	n = put(v, n, sv, sl);
	v[n++] = SIGHASH_ALL;
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, lax), SCRIPT_ERR_EVAL_FALSE);
	/* A structure that cannot be read is just a failed check. */
	CHECK_EQ_INT(p2pk_with_sig(&f, v, 5, lax), SCRIPT_ERR_EVAL_FALSE);

	/* High S: consensus-valid, policy SIG_HIGH_S. */
	for (i = 32, borrow = 0; i-- > 0;) {
		d = order[i] - c64[32 + i] - borrow;
		borrow = d < 0;
		c64[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	MINIMAL(c64 + 32, sv, sl);
#undef MINIMAL
	n = 0;
	v[n++] = 0x30;
	v[n++] = (uint8_t)(4 + rl + sl);
	v[n++] = 2;
	v[n++] = (uint8_t)rl;
	n = put(v, n, r, rl);
	v[n++] = 2;
	v[n++] = (uint8_t)sl;
	n = put(v, n, sv, sl);
	v[n++] = SIGHASH_ALL;
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, SCRIPT_MANDATORY_VERIFY_FLAGS),
	    SCRIPT_ERR_OK);
	CHECK_EQ_INT(p2pk_with_sig(&f, v, n, SCRIPT_STANDARD_VERIFY_FLAGS),
	    SCRIPT_ERR_SIG_HIGH_S);
	wallet_free(&w);
}

/* Pay-to-anchor (OP_1 <4e73>) is spendable and never discouraged. */
void
test_pay_to_anchor(void)
{
	static const uint8_t p2a[4] = { OP_1, 2, 0x4e, 0x73 };
	static const uint8_t other[4] = { OP_1, 2, 0x4e, 0x74 };
	static struct fixture f;
	uint8_t p2sh[23], ss[5];
	int err;

	fixture_init(&f, 1);
	f.spent[0].script = p2a;
	f.spent[0].script_len = 4;
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    1);
	f.spent[0].script = other;
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err),
	    "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM");
	/* Wrapped in P2SH it is just another unknown program. */
	p2sh[0] = OP_HASH160;
	p2sh[1] = 20;
	hash160(p2a, 4, p2sh + 2);
	p2sh[22] = OP_EQUAL;
	ss[0] = 4;
	memcpy(ss + 1, p2a, 4);
	f.spent[0].script = p2sh;
	f.spent[0].script_len = 23;
	f.in[0].script = ss;
	f.in[0].script_len = 5;
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &err),
	    0);
	CHECK_EQ_STR(script_error_name(err),
	    "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM");
	CHECK_EQ_INT(script_verify_input(&f.tx, 0, &f.spent[0],
			 SCRIPT_MANDATORY_VERIFY_FLAGS, NULL, &err),
	    1);
}

void
test_names_and_flags(void)
{
	uint32_t f;

	CHECK_EQ_INT(script_flags_parse("P2SH,WITNESS", &f), 0);
	CHECK_EQ_INT(f, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS);
	CHECK_EQ_INT(script_flags_parse("P2SH,BOGUS", &f), -1);
	CHECK_EQ_INT(script_flags_parse("NONE", &f), 0);
	CHECK_EQ_INT(f, 0);
	CHECK_EQ_STR(script_error_name(SCRIPT_ERR_SIG_NULLFAIL), "NULLFAIL");
	CHECK_EQ_STR(script_error_string(SCRIPT_ERR_EVAL_FALSE),
	    "Script evaluated without error but finished with a false/empty "
	    "top stack element");
	CHECK_EQ_STR(script_error_string(9999), "unknown error");
	CHECK_EQ_STR(script_op_name(OP_CHECKSIGADD), "OP_CHECKSIGADD");
	CHECK_EQ_STR(script_op_name(OP_1 + 2), "3");
	CHECK_EQ_INT(script_op_parse("NOP3"), OP_CHECKSEQUENCEVERIFY);
	CHECK_EQ_INT(script_op_parse("OP_DUP"), OP_DUP);
	CHECK_EQ_INT(script_op_parse("DUPX"), -1);
}

void
test_check_tx(void)
{
	static struct fixture f;
	const char *reason;

	fixture_init(&f, 2);
	tx_compute_ids(&f.tx);
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), 0);
	f.in[1].prevout = f.in[0].prevout;
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-inputs-duplicate");
	f.in[1].prevout.n = 7;
	f.out[0].value = -1;
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-vout-negative");
	f.out[0].value = MAX_MONEY;
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-txouttotal-toolarge");
	f.out[0].value = 1;
	memset(f.in[1].prevout.hash, 0, 32);
	f.in[1].prevout.n = UINT32_MAX;
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-prevout-null");
	f.tx.vin_count = 1;
	f.in[0] = f.in[1];
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-cb-length");
	f.tx.vout_count = 0;
	CHECK_EQ_INT(consensus_check_tx(&f.tx, &reason), -1);
	CHECK_EQ_STR(reason, "bad-txns-vout-empty");
}
