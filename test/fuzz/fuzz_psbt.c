/*
 * libFuzzer target for the PSBT codec (script/psbt.h): parsing,
 * serialization, combining, finalising and extraction.
 *
 * Input: the bytes of a PSBT (what decodepsbt gets after base64). For any
 * input the parser either accepts or gives an error text of Core's form
 * (an exception text ending ": iostream error", or "extra data after
 * PSBT"), and never reads out of bounds. When it accepts:
 *  - the serialization parses again and serializes to the same bytes
 *    (Core's writer is a fixpoint after one round);
 *  - psbt_copy serializes to the same bytes;
 *  - merging a copy into itself changes nothing, and merging keeps the
 *    records of both sides (the result's size is at least each side's);
 *  - the analysis (analyzepsbt) covers every input or says why not, and
 *    its size estimate, when made, has every input and output;
 *  - the updater and the finaliser run on every input without failing,
 *    their result serializes and parses again, and a complete PSBT
 *    extracts to a transaction with as many inputs and outputs;
 *  - the signer and updater with descriptor keys (descriptorprocesspsbt:
 *    ECDSA and taproot keys, scripts, a tree with pk() and multi_a()
 *    leaves) runs with and without signing and finalising, and its result
 *    parses again and serializes to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "primitives/tx.h"
#include "script/psbt.h"
#include "script/script.h"
#include "script/sign.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_psbt"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ser(const struct psbt *p, struct wbuf *w)
{
	wbuf_init(w);
	psbt_serialize(p, w);
}

static int
same(const struct wbuf *a, const struct wbuf *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static void
check_error(const char *err)
{
	static const char tail[] = ": iostream error";
	size_t n = strlen(err);

	PROP(strcmp(err, "extra data after PSBT") == 0 ||
	    (n > sizeof(tail) - 1 &&
		strcmp(err + n - (sizeof(tail) - 1), tail) == 0));
}

/* Keys 1 to 4 (regtest WIF) in the script forms the signer handles. */
static const char *const descs[] = {
	"wpkh(cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA)",
	"pkh(cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA)",
	"sh(wsh(multi(1,cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA,"
	"02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5)))",
	"tr(cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA,{pk("
	"c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5),"
	"multi_a(1,79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798,"
	"f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9)})",
	"combo(cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA)",
};

static struct sign_provider *
provider(void)
{
	static struct sign_provider *sp;
	struct chainparams *cp;
	struct descriptor *d;
	char err[DESCRIPTOR_ERR_LEN];
	size_t i;

	if (sp != NULL)
		return sp;
	cp = chainparams_new(CHAIN_REGTEST);
	sp = sign_provider_new();
	for (i = 0; i < sizeof(descs) / sizeof(descs[0]); i++) {
		PROP(descriptor_parse(cp, descs[i], 0, &d, err, sizeof(err)) ==
		    0);
		PROP(descriptor_provide(d, 0, sp) == 0);
		descriptor_free(d);
	}
	chainparams_free(cp);
	return sp;
}

/* psbt_sign on a copy of p; its result parses to the same bytes. */
static void
check_sign(const struct psbt *p, int sign, int sighash, int finalize)
{
	struct psbt c, q;
	struct wbuf a, b;
	char err[256];

	psbt_copy(&c, p);
	(void)psbt_sign(&c, provider(), sign, sighash, 1, finalize);
	ser(&c, &a);
	PROP(psbt_parse(a.p, a.len, &q, err, sizeof(err)) == 0);
	ser(&q, &b);
	PROP(same(&a, &b));
	wbuf_free(&a);
	wbuf_free(&b);
	psbt_free(&q);
	psbt_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psbt p, q, c;
	struct wbuf w1, w2, w3;
	struct tx tx;
	char err[256];

	err[0] = '\0';
	if (psbt_parse(data, size, &p, err, sizeof(err)) == -1) {
		check_error(err);
		return 0;
	}
	ser(&p, &w1);
	PROP(psbt_parse(w1.p, w1.len, &q, err, sizeof(err)) == 0);
	ser(&q, &w2);
	PROP(same(&w1, &w2));
	wbuf_free(&w2);

	psbt_copy(&c, &p);
	ser(&c, &w2);
	PROP(same(&w1, &w2));
	wbuf_free(&w2);

	/* Merging equal PSBTs changes nothing. */
	PROP(psbt_merge(&c, &q) == 0);
	ser(&c, &w2);
	PROP(same(&w1, &w2));
	wbuf_free(&w2);
	psbt_free(&c);
	psbt_free(&q);

	/* The analysis. */
	{
		struct psbt_analysis a;

		psbt_analyze(&p, &a);
		PROP(a.nin == p.tx.vin_count || a.error[0] != '\0');
		PROP(!a.have_estimate ||
		    (a.est.vin_count == p.tx.vin_count &&
			a.est.vout_count == p.tx.vout_count && a.have_fee));
		psbt_analysis_free(&a);
	}

	/* The updater and the finaliser; their output parses again. */
	psbt_copy(&c, &p);
	(void)psbt_sign(&c, NULL, 0, SIGHASH_ALL, 1, 0);
	ser(&c, &w2);
	PROP(psbt_parse(w2.p, w2.len, &q, err, sizeof(err)) == 0);
	psbt_free(&q);
	wbuf_free(&w2);
	if (psbt_finalize(&c)) {
		psbt_extract(&c, &tx);
		PROP(tx.vin_count == p.tx.vin_count);
		PROP(tx.vout_count == p.tx.vout_count);
		wbuf_init(&w3);
		tx_serialize(&tx, &w3, 1);
		PROP(w3.len > 0);
		wbuf_free(&w3);
		psbt_extract_free(&tx);
	}
	ser(&c, &w2);
	PROP(psbt_parse(w2.p, w2.len, &q, err, sizeof(err)) == 0);
	/* Combining the finalised copy with the original keeps both. */
	PROP(psbt_merge(&q, &p) == 0);
	ser(&q, &w3);
	PROP(w3.len >= w2.len);
	wbuf_free(&w3);
	psbt_free(&q);
	wbuf_free(&w2);
	psbt_free(&c);

	check_sign(&p, 1, SIGHASH_DEFAULT, 1);
	check_sign(&p, 1, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, 0);
	check_sign(&p, 0, SIGHASH_ALL, 0);

	wbuf_free(&w1);
	psbt_free(&p);
	return 0;
}
