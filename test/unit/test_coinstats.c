/*
 * UTXO statistics and MuHash3072, checked against values built
 * independently: the serialization written out byte by byte here, the
 * MuHash arithmetic redone with OpenSSL's ChaCha20 and bignums, Core's
 * published MuHash vector, and the shared regtest chain replayed into a
 * store (its expected hashes come from Bitcoin Core).
 */
#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "testenv.h"
#include "unit.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hex.h"
#include "validation/coinstats.h"

static const uint8_t REGTEST[4] = { 0xfa, 0xbf, 0xb5, 0xda };

static struct store *
tmp_store(char base[64])
{
	char cs[128];

	if (testenv_tmpdir(base, 64, "br-test-coinstats") != 0)
		return NULL;
	snprintf(cs, sizeof(cs), "%s/chainstate", base);
	return testenv_store_open(cs, REGTEST);
}

/* ---- an independent MuHash: OpenSSL ChaCha20 and BIGNUM ---- */

struct oracle {
	BN_CTX *ctx;
	BIGNUM *p, *num, *den;
};

static void
oracle_init(struct oracle *o)
{
	BIGNUM *c = BN_new();

	o->ctx = BN_CTX_new();
	o->p = BN_new();
	o->num = BN_new();
	o->den = BN_new();
	BN_set_word(c, 1103717);
	BN_set_bit(o->p, 3072);
	BN_sub(o->p, o->p, c);
	BN_one(o->num);
	BN_one(o->den);
	BN_free(c);
}

static void
oracle_free(struct oracle *o)
{
	BN_free(o->p);
	BN_free(o->num);
	BN_free(o->den);
	BN_CTX_free(o->ctx);
}

static BIGNUM *
oracle_element(const void *data, size_t len)
{
	uint8_t key[32], iv[16], zero[384], ks[384];
	EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
	int outl = 0;

	SHA256(data, len, key);
	/* OpenSSL's ChaCha20 IV: 32-bit LE block counter, 96-bit nonce. */
	memset(iv, 0, sizeof(iv));
	memset(zero, 0, sizeof(zero));
	EVP_EncryptInit_ex(cx, EVP_chacha20(), NULL, key, iv);
	EVP_EncryptUpdate(cx, ks, &outl, zero, sizeof(zero));
	EVP_CIPHER_CTX_free(cx);
	return BN_lebin2bn(ks, sizeof(ks), NULL);
}

static void
oracle_insert(struct oracle *o, const void *data, size_t len)
{
	BIGNUM *x = oracle_element(data, len);

	BN_mod_mul(o->num, o->num, x, o->p, o->ctx);
	BN_free(x);
}

static void
oracle_remove(struct oracle *o, const void *data, size_t len)
{
	BIGNUM *x = oracle_element(data, len);

	BN_mod_mul(o->den, o->den, x, o->p, o->ctx);
	BN_free(x);
}

static void
oracle_final(struct oracle *o, uint8_t out[32])
{
	BIGNUM *inv = BN_mod_inverse(NULL, o->den, o->p, o->ctx);
	BIGNUM *v = BN_new();
	uint8_t bytes[384];

	BN_mod_mul(v, o->num, inv, o->p, o->ctx);
	BN_bn2lebinpad(v, bytes, sizeof(bytes));
	SHA256(bytes, sizeof(bytes), out);
	BN_free(v);
	BN_free(inv);
}

static void
display(const uint8_t h[32], char out[65])
{
	hash_to_hex(h, out);
}

/* ---- MuHash ---- */

static void
test_muhash_core_vector(void)
{
	uint8_t e0[32] = { 0 }, e1[32] = { 1 }, e2[32] = { 2 }, out[32];
	struct muhash m;
	char hex[65];

	/* Core's muhash_tests: {0} and {1} inserted, {2} removed. */
	muhash_init(&m);
	muhash_insert(&m, e0, 32);
	muhash_insert(&m, e1, 32);
	muhash_remove(&m, e2, 32);
	muhash_finalize(&m, out);
	display(out, hex);
	CHECK_EQ_STR(hex,
	    "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863");
	/* Finalising again gives the same answer (the set is unchanged). */
	muhash_finalize(&m, out);
	display(out, hex);
	CHECK_EQ_STR(hex,
	    "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863");
}

static void
test_muhash_vs_bignum(void)
{
	struct muhash m, m2;
	struct oracle o;
	uint8_t data[100], a[32], b[32];
	int i, j;

	oracle_init(&o);
	muhash_init(&m);
	/* Empty set: SHA-256 of 1 as 384 little-endian bytes. */
	muhash_finalize(&m, a);
	oracle_final(&o, b);
	CHECK(memcmp(a, b, 32) == 0);
	for (i = 0; i < 40; i++) {
		for (j = 0; j < (int)sizeof(data); j++)
			data[j] = (uint8_t)(i * 31 + j * 7);
		muhash_insert(&m, data, 10 + (size_t)i);
		oracle_insert(&o, data, 10 + (size_t)i);
		if (i % 7 == 3) {
			muhash_remove(&m, data + 1, 5);
			oracle_remove(&o, data + 1, 5);
		}
	}
	muhash_finalize(&m, a);
	oracle_final(&o, b);
	CHECK(memcmp(a, b, 32) == 0);

	/* Order does not matter; remove cancels insert. */
	muhash_init(&m);
	muhash_init(&m2);
	muhash_insert(&m, "a", 1);
	muhash_insert(&m, "b", 1);
	muhash_insert(&m, "c", 1);
	muhash_remove(&m, "b", 1);
	muhash_insert(&m2, "c", 1);
	muhash_insert(&m2, "a", 1);
	muhash_finalize(&m, a);
	muhash_finalize(&m2, b);
	CHECK(memcmp(a, b, 32) == 0);
	oracle_free(&o);
}

/* ---- gettxoutsetinfo ---- */

static void
test_empty_set(void)
{
	char base[64], hex[65];
	struct store *s;
	struct store_rtxn *r;
	struct coinstats st;
	uint8_t one[384] = { 1 }, want[32];

	if ((s = tmp_store(base)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(coinstats_compute(r, 1, &st) == 0);
	store_read_end(r);
	CHECK_EQ_INT(st.height, -1);
	CHECK_EQ_INT(st.txouts, 0);
	CHECK_EQ_INT(st.transactions, 0);
	CHECK_EQ_INT(st.bogosize, 0);
	CHECK_EQ_INT(st.total_amount, 0);
	/* Double SHA-256 of nothing, shown reversed. */
	display(st.hash_serialized, hex);
	CHECK_EQ_STR(hex,
	    "56944c5d3f98413ef45cf54545538103cc9f298e0575820ad3591376e2e0f65d");
	CHECK(st.have_muhash);
	SHA256(one, sizeof(one), want);
	CHECK(memcmp(st.muhash, want, 32) == 0);
	store_close(s);
	testenv_rm_rf(base);
}

/* One coin's bytes, spelled out field by field. */
static size_t
manual_serialize(uint8_t *p, const uint8_t txid[32], uint32_t n,
    uint32_t height, int coinbase, uint64_t value, const uint8_t *script,
    size_t slen)
{
	size_t off = 0;
	uint32_t code = height * 2 + (coinbase ? 1 : 0);
	int i;

	memcpy(p, txid, 32);
	off = 32;
	for (i = 0; i < 4; i++)
		p[off++] = (uint8_t)(n >> (8 * i));
	for (i = 0; i < 4; i++)
		p[off++] = (uint8_t)(code >> (8 * i));
	for (i = 0; i < 8; i++)
		p[off++] = (uint8_t)(value >> (8 * i));
	if (slen < 253)
		p[off++] = (uint8_t)slen;
	else {
		p[off++] = 0xfd;
		p[off++] = (uint8_t)slen;
		p[off++] = (uint8_t)(slen >> 8);
	}
	memcpy(p + off, script, slen);
	return off + slen;
}

static void
test_one_coin(void)
{
	/* A P2WPKH output of a coinbase at height 101. */
	static uint8_t script[22] = { 0x00, 0x14, 0x75, 0x1e, 0x76, 0xe8, 0x19,
		0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3, 0xa3,
		0x23, 0xf1, 0x43, 0x3b, 0xd6 };
	char base[64];
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct coinstats st;
	struct outpoint op;
	struct coin c;
	struct oracle o;
	uint8_t bytes[128], want[32], tip[32];
	size_t n;
	int i;

	if ((s = tmp_store(base)) == NULL) {
		CHECK(0);
		return;
	}
	for (i = 0; i < 32; i++)
		op.hash[i] = (uint8_t)(0xa0 + i);
	op.n = 3;
	memset(&c, 0, sizeof(c));
	c.value = 312500000;
	c.height = 101;
	c.coinbase = 1;
	c.script = script;
	c.script_len = sizeof(script);
	memset(tip, 0x5c, 32);
	CHECK(store_write_begin(s, &w) == 0);
	CHECK(store_put_coin(w, &op, &c) == 0);
	CHECK(store_set_tip(w, tip, 101) == 0);
	CHECK(store_write_commit(w) == 0);

	CHECK(store_read_begin(s, &r) == 0);
	CHECK(coinstats_compute(r, 1, &st) == 0);
	store_read_end(r);
	CHECK_EQ_INT(st.height, 101);
	CHECK(memcmp(st.bestblock, tip, 32) == 0);
	CHECK_EQ_INT(st.txouts, 1);
	CHECK_EQ_INT(st.transactions, 1);
	CHECK_EQ_INT(st.bogosize, 50 + 22);
	CHECK_EQ_INT(st.total_amount, 312500000);

	n = manual_serialize(bytes, op.hash, 3, 101, 1, 312500000, script,
	    sizeof(script));
	CHECK_EQ_INT(n, 32 + 4 + 4 + 8 + 1 + 22);
	SHA256(bytes, n, want);
	SHA256(want, 32, want);
	CHECK(memcmp(st.hash_serialized, want, 32) == 0);

	oracle_init(&o);
	oracle_insert(&o, bytes, n);
	oracle_final(&o, want);
	CHECK(st.have_muhash);
	CHECK(memcmp(st.muhash, want, 32) == 0);
	oracle_free(&o);

	/* Without muhash only that is skipped. */
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(coinstats_compute(r, 0, &st) == 0);
	store_read_end(r);
	CHECK(!st.have_muhash);
	CHECK_EQ_INT(st.txouts, 1);
	store_close(s);
	testenv_rm_rf(base);
}

/* Many coins over a few txids, written in a scrambled order. */
static void
test_many_coins(void)
{
	static uint8_t script[400];
	char base[64];
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct coinstats st;
	struct outpoint op;
	struct coin c;
	struct oracle o;
	EVP_MD_CTX *hc;
	unsigned int mdlen;
	uint8_t bytes[600], want[32], txids[12][32];
	uint64_t bogo = 0;
	int64_t total = 0;
	size_t n, slen;
	int t, k, i;

	for (i = 0; i < (int)sizeof(script); i++)
		script[i] = (uint8_t)(i * 3);
	if ((s = tmp_store(base)) == NULL) {
		CHECK(0);
		return;
	}
	/* Sorted txids (byte order) so the expected order is known. */
	for (t = 0; t < 12; t++) {
		memset(txids[t], 0x11 * (t % 3), 32);
		txids[t][0] = (uint8_t)(t * 20);
	}
	CHECK(store_write_begin(s, &w) == 0);
	for (t = 11; t >= 0; t--)
		for (k = 4; k >= 0; k--) {
			memcpy(op.hash, txids[t], 32);
			op.n = (uint32_t)k * 300; /* 0, 300, ...: n > 255 */
			c.value = (int64_t)t * 100000 + k;
			c.height = t * 10 + k;
			c.coinbase = k == 0;
			c.script = script;
			c.script_len = (size_t)(t * 31 + k) % 300;
			CHECK(store_put_coin(w, &op, &c) == 0);
		}
	CHECK(store_write_commit(w) == 0);
	CHECK(store_read_begin(s, &r) == 0);
	CHECK(coinstats_compute(r, 1, &st) == 0);
	store_read_end(r);

	oracle_init(&o);
	hc = EVP_MD_CTX_new();
	EVP_DigestInit_ex(hc, EVP_sha256(), NULL);
	for (t = 0; t < 12; t++)
		for (k = 0; k < 5; k++) {
			slen = (size_t)(t * 31 + k) % 300;
			n = manual_serialize(bytes, txids[t],
			    (uint32_t)k * 300, (uint32_t)(t * 10 + k), k == 0,
			    (uint64_t)t * 100000 + (uint64_t)k, script, slen);
			EVP_DigestUpdate(hc, bytes, n);
			oracle_insert(&o, bytes, n);
			bogo += 50 + slen;
			total += (int64_t)t * 100000 + k;
		}
	EVP_DigestFinal_ex(hc, want, &mdlen);
	EVP_MD_CTX_free(hc);
	SHA256(want, 32, want);
	CHECK(memcmp(st.hash_serialized, want, 32) == 0);
	oracle_final(&o, want);
	CHECK(memcmp(st.muhash, want, 32) == 0);
	CHECK_EQ_INT(st.txouts, 60);
	CHECK_EQ_INT(st.transactions, 12);
	CHECK_EQ_INT(st.bogosize, bogo);
	CHECK_EQ_INT(st.total_amount, total);
	oracle_free(&o);
	store_close(s);
	testenv_rm_rf(base);
}

/* ---- the shared regtest chain ---- */

static int
unspendable(const struct txout *o)
{
	/* Core's IsUnspendable: OP_RETURN first, or over MAX_SCRIPT_SIZE. */
	return (o->script_len > 0 && o->script[0] == 0x6a) ||
	    o->script_len > 10000;
}

/*
 * Applies a block's transactions to the coins: spends, then creates, in
 * order (no script or amount checks; the chain is known good). Returns
 * the number of inputs that were missing, which must be 0.
 */
static int
apply_block(struct store_wtxn *w, const struct block *b, int32_t height)
{
	struct coin c;
	struct outpoint op;
	size_t i, j;
	int missing = 0, rc;

	for (i = 0; i < b->tx_count; i++) {
		const struct tx *tx = &b->txs[i];

		if (i > 0)
			for (j = 0; j < tx->vin_count; j++)
				if (store_del_coin(w, &tx->vin[j].prevout) !=
				    0)
					missing++;
		for (j = 0; j < tx->vout_count; j++) {
			if (unspendable(&tx->vout[j]))
				continue;
			memcpy(op.hash, tx->txid, 32);
			op.n = (uint32_t)j;
			c.value = tx->vout[j].value;
			c.height = height;
			c.coinbase = i == 0;
			c.script = (uint8_t *)(uintptr_t)tx->vout[j].script;
			c.script_len = tx->vout[j].script_len;
			if ((rc = store_put_coin(w, &op, &c)) != 0)
				return -1000 + rc;
		}
	}
	return missing;
}

static void
test_regtest_chain(void)
{
	const char *datpath = SHARED_PATH("chains/regtest-dev.dat");
	const char *jsonpath = SHARED_PATH("chains/regtest-dev.json");
	json_t *js;
	json_error_t jerr;
	char base[64], hex[65];
	struct store *s;
	struct store_rtxn *r;
	struct store_wtxn *w;
	struct coinstats st;
	struct block b;
	uint8_t *buf;
	FILE *f;
	long fsize;
	size_t off = 0;
	uint32_t len;
	int32_t height = -1;
	int bad = 0;

	if ((js = json_load_file(jsonpath, 0, &jerr)) == NULL) {
		fprintf(stderr, "%s: %s\n", jsonpath, jerr.text);
		CHECK(0);
		return;
	}
	if ((f = fopen(datpath, "rb")) == NULL) {
		perror(datpath);
		CHECK(0);
		json_decref(js);
		return;
	}
	fseek(f, 0, SEEK_END);
	fsize = ftell(f);
	rewind(f);
	buf = malloc((size_t)fsize);
	CHECK(fread(buf, 1, (size_t)fsize, f) == (size_t)fsize);
	fclose(f);
	if ((s = tmp_store(base)) == NULL) {
		CHECK(0);
		goto out;
	}
	/* Every block in one transaction, as the validation thread does. */
	while (off + 8 <= (size_t)fsize && !bad) {
		CHECK(memcmp(buf + off, REGTEST, 4) == 0);
		len = le32_read(buf + off + 4);
		off += 8;
		if (off + len > (size_t)fsize ||
		    block_parse(buf + off, len, &b) != 0) {
			CHECK(0);
			break;
		}
		height++;
		CHECK(store_write_begin(s, &w) == 0);
		/* Genesis outputs never enter the UTXO set. */
		if (height > 0 && apply_block(w, &b, height) != 0)
			bad = 1;
		CHECK(store_set_tip(w, b.hash, height) == 0);
		CHECK(store_write_commit(w) == 0);
		block_free(&b);
		off += len;
	}
	CHECK(!bad);
	CHECK_EQ_INT(height,
	    json_integer_value(json_object_get(js, "height")));

	CHECK(store_read_begin(s, &r) == 0);
	CHECK(coinstats_compute(r, 1, &st) == 0);
	store_read_end(r);
	CHECK_EQ_INT(st.height, height);
	display(st.bestblock, hex);
	CHECK_EQ_STR(hex,
	    json_string_value(json_object_get(js, "bestblockhash")));
	display(st.hash_serialized, hex);
	CHECK_EQ_STR(hex,
	    json_string_value(json_object_get(js, "hash_serialized_3")));
	display(st.muhash, hex);
	CHECK_EQ_STR(hex, json_string_value(json_object_get(js, "muhash")));
	fprintf(stderr,
	    "regtest-dev: height %d, %llu txouts in %llu txs, "
	    "bogosize %llu, total %lld sat\n",
	    st.height, (unsigned long long)st.txouts,
	    (unsigned long long)st.transactions,
	    (unsigned long long)st.bogosize, (long long)st.total_amount);
	store_close(s);
	testenv_rm_rf(base);
out:
	free(buf);
	json_decref(js);
}

UNIT_MAIN(UNIT_CASE(test_muhash_core_vector), UNIT_CASE(test_muhash_vs_bignum),
    UNIT_CASE(test_empty_set), UNIT_CASE(test_one_coin),
    UNIT_CASE(test_many_coins), UNIT_CASE(test_regtest_chain))
