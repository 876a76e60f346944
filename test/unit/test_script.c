/*
 * Script module tests: Bitcoin Core's data-driven vectors (script_tests,
 * tx_valid, tx_invalid, sighash, bip341_wallet_vectors), every case of
 * every file, each file reporting "name: passed/total passed"; then the
 * signed spends of script_spends.c for what the vectors leave out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/tx.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "test/unit/script_asm.h"
#include "test/unit/script_spends.h"
#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* Every flag, one by one, as Core's mapFlagNames lists them. */
static const uint32_t all_flags[] = {
	SCRIPT_VERIFY_P2SH,
	SCRIPT_VERIFY_STRICTENC,
	SCRIPT_VERIFY_DERSIG,
	SCRIPT_VERIFY_LOW_S,
	SCRIPT_VERIFY_NULLDUMMY,
	SCRIPT_VERIFY_SIGPUSHONLY,
	SCRIPT_VERIFY_MINIMALDATA,
	SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
	SCRIPT_VERIFY_CLEANSTACK,
	SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY,
	SCRIPT_VERIFY_CHECKSEQUENCEVERIFY,
	SCRIPT_VERIFY_WITNESS,
	SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
	SCRIPT_VERIFY_MINIMALIF,
	SCRIPT_VERIFY_NULLFAIL,
	SCRIPT_VERIFY_WITNESS_PUBKEYTYPE,
	SCRIPT_VERIFY_CONST_SCRIPTCODE,
	SCRIPT_VERIFY_TAPROOT,
	SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
	SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS,
	SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
};
#define NALL (sizeof(all_flags) / sizeof(all_flags[0]))

static const uint8_t empty_script[1];

/* A fixed-seed generator, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng_bits(int bits)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) & ((1u << bits) - 1);
}

/* Random subset of the flags (Core: randbits(mapFlagNames.size())). */
static uint32_t
rng_flags(void)
{
	uint32_t r = rng_bits((int)NALL), f = 0;
	size_t i;

	for (i = 0; i < NALL; i++)
		if (r & (1u << i))
			f |= all_flags[i];
	return f;
}

/* Core's FillFlags and TrimFlags: keep CLEANSTACK => WITNESS => P2SH. */
static uint32_t
fill_flags(uint32_t f)
{
	if (f & SCRIPT_VERIFY_CLEANSTACK)
		f |= SCRIPT_VERIFY_WITNESS;
	if (f & SCRIPT_VERIFY_WITNESS)
		f |= SCRIPT_VERIFY_P2SH;
	return f;
}

static uint32_t
trim_flags(uint32_t f)
{
	if (!(f & SCRIPT_VERIFY_P2SH))
		f &= ~SCRIPT_VERIFY_WITNESS;
	if (!(f & SCRIPT_VERIFY_WITNESS))
		f &= ~SCRIPT_VERIFY_CLEANSTACK;
	return f;
}

static json_t *
load_json(const char *rel)
{
	json_error_t jerr;
	json_t *j;

	j = json_load_file(SHARED_PATH(rel), 0, &jerr);
	if (j == NULL)
		fprintf(stderr, "%s: %s line %d\n", rel, jerr.text, jerr.line);
	return j;
}

/* *out may be NULL for an empty script; returns 0 or -1. */
static int
asm_parse(const char *s, uint8_t **out, size_t *len)
{
	const char *bad = NULL;

	*out = NULL;
	*len = 0;
	if (s == NULL)
		return -1;
	if (script_asm_parse(s, out, len, &bad) != 0) {
		fprintf(stderr, "cannot parse script word at \"%.20s\"\n",
		    bad);
		return -1;
	}
	return 0;
}

static void
report(const char *file, int passed, int total)
{
	printf("%s: %d/%d passed\n", file, passed, total);
}

/*
 * script_tests.json: each case spends a one-output "crediting" coinbase-
 * like transaction with a one-input spending transaction, as Core's
 * BuildCreditingTransaction and BuildSpendingTransaction do.
 */
struct spend_pair {
	struct txin cin, sin;
	struct txout cout, sout;
	struct tx credit, spend;
};

static void
build_pair(struct spend_pair *sp, const uint8_t *sig, size_t siglen,
    const uint8_t *spk, size_t spklen, struct witem *wit, size_t nwit,
    int64_t amount)
{
	static const uint8_t cb_sig[2] = { OP_0, OP_0 };

	memset(sp, 0, sizeof(*sp));
	sp->cin.prevout.n = UINT32_MAX;
	sp->cin.script = cb_sig;
	sp->cin.script_len = 2;
	sp->cin.sequence = SEQUENCE_FINAL;
	sp->cout.value = amount;
	sp->cout.script = spk != NULL ? spk : empty_script;
	sp->cout.script_len = spklen;
	sp->credit.version = 1;
	sp->credit.vin_count = 1;
	sp->credit.vin = &sp->cin;
	sp->credit.vout_count = 1;
	sp->credit.vout = &sp->cout;
	tx_compute_ids(&sp->credit);

	memcpy(sp->sin.prevout.hash, sp->credit.txid, 32);
	sp->sin.prevout.n = 0;
	sp->sin.script = sig != NULL ? sig : empty_script;
	sp->sin.script_len = siglen;
	sp->sin.sequence = SEQUENCE_FINAL;
	sp->sin.wit = wit;
	sp->sin.wit_count = nwit;
	sp->sout.value = amount;
	sp->sout.script = empty_script;
	sp->sout.script_len = 0;
	sp->spend.version = 1;
	sp->spend.vin_count = 1;
	sp->spend.vin = &sp->sin;
	sp->spend.vout_count = 1;
	sp->spend.vout = &sp->sout;
	tx_compute_ids(&sp->spend);
}

static int
verify_pair(struct spend_pair *sp, uint32_t flags, int *err)
{
	struct script_txdata *td;
	int ok;

	td = script_txdata_new(&sp->spend, &sp->cout);
	ok = script_verify_input(&sp->spend, 0, &sp->cout, flags, td, err);
	script_txdata_free(td);
	return ok;
}

/* BIP341's provably unspendable internal key (Core's NUMS_H). */
static const char nums_h[] =
    "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

struct script_case {
	uint8_t *bufs[64]; /* everything to free */
	int nbufs;
	struct witem wit[64];
	size_t nwit;
	int64_t amount;
	uint8_t *sig, *spk;
	size_t siglen, spklen;
	uint32_t flags;
	int expect;
};

static void
case_free(struct script_case *c)
{
	int i;

	for (i = 0; i < c->nbufs; i++)
		free(c->bufs[i]);
	free(c->sig);
	free(c->spk);
}

/* Reads one script_tests.json entry; returns 0, or -1 if malformed. */
static int
case_parse(json_t *t, struct script_case *c)
{
	const uint8_t *tapscript = NULL;
	size_t tapscript_len = 0, i, pos = 0, nw;
	uint8_t leaf[32], outkey[32], internal[32], *b;
	char *spk_str, hex[65];
	const char *spk_in, *tag;
	int parity = 0, have_output = 0, rc;
	json_t *w;

	memset(c, 0, sizeof(*c));
	if (json_is_array(json_array_get(t, 0))) {
		w = json_array_get(t, 0);
		nw = json_array_size(w);
		if (nw < 1 || nw - 1 > 64)
			return -1;
		for (i = 0; i + 1 < nw; i++) {
			const char *s = json_string_value(
			    json_array_get(w, i));
			size_t n;

			if (s == NULL)
				return -1;
			if (strncmp(s, "#SCRIPT#", 8) == 0) {
				if (asm_parse(s + 8, &b, &n) != 0)
					return -1;
				tapscript = b;
				tapscript_len = n;
			} else if (strcmp(s, "#CONTROLBLOCK#") == 0) {
				if (tapscript == NULL)
					return -1;
				hex_decode(nums_h, internal, 32);
				script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT,
				    tapscript, tapscript_len, leaf);
				if (script_taproot_output_key(internal, leaf,
					outkey, &parity) != 0)
					return -1;
				have_output = 1;
				n = 33;
				b = xmalloc(n);
				b[0] = (uint8_t)(TAPROOT_LEAF_TAPSCRIPT |
				    parity);
				memcpy(b + 1, internal, 32);
			} else if (hex_decode_alloc(s, &b, &n) != 0)
				return -1;
			c->bufs[c->nbufs++] = b;
			c->wit[c->nwit].p = b != NULL ? b : empty_script;
			c->wit[c->nwit].len = n;
			c->nwit++;
		}
		if (!json_is_number(json_array_get(w, nw - 1)))
			return -1;
		/* BTC to satoshis, rounded to nearest. */
		c->amount = (int64_t)(json_number_value(
					  json_array_get(w, nw - 1)) *
			1e8 +
		    0.5);
		pos = 1;
	}
	if (json_array_size(t) < pos + 4)
		return -1;
	if (asm_parse(json_string_value(json_array_get(t, pos)), &c->sig,
		&c->siglen) != 0)
		return -1;
	spk_in = json_string_value(json_array_get(t, pos + 1));
	if (spk_in == NULL)
		return -1;
	tag = strstr(spk_in, "#TAPROOTOUTPUT#");
	if (tag != NULL) {
		if (!have_output)
			return -1;
		hex_encode(outkey, 32, hex);
		spk_str = xasprintf("%.*s0x%s%s", (int)(tag - spk_in), spk_in,
		    hex, tag + 15);
	} else
		spk_str = xstrdup(spk_in);
	rc = asm_parse(spk_str, &c->spk, &c->spklen);
	free(spk_str);
	if (rc != 0)
		return -1;
	if (json_string_value(json_array_get(t, pos + 2)) == NULL ||
	    script_flags_parse(json_string_value(json_array_get(t, pos + 2)),
		&c->flags) != 0)
		return -1;
	if (json_string_value(json_array_get(t, pos + 3)) == NULL)
		return -1;
	c->expect = script_error_from_name(
	    json_string_value(json_array_get(t, pos + 3)));
	return c->expect < 0 ? -1 : 0;
}

static int
script_case_run(json_t *t, int idx)
{
	struct script_case c;
	struct spend_pair sp;
	uint32_t extra, f;
	int err, ok, expect_ok, i, pass = 1;

	if (case_parse(t, &c) != 0) {
		fprintf(stderr, "script_tests.json #%d: malformed\n", idx);
		case_free(&c);
		return 0;
	}
	build_pair(&sp, c.sig, c.siglen, c.spk, c.spklen, c.wit, c.nwit,
	    c.amount);
	expect_ok = c.expect == SCRIPT_ERR_OK;
	ok = verify_pair(&sp, c.flags, &err);
	if (ok != expect_ok || err != c.expect) {
		char *js = json_dumps(t, JSON_COMPACT);

		fprintf(stderr, "script_tests.json #%d: got %s, want %s: %s\n",
		    idx, script_error_name(err), script_error_name(c.expect),
		    js);
		free(js);
		pass = 0;
	}
	/*
	 * Removing flags from a passing case, or adding flags to a failing
	 * one, must not change the outcome (Core's low 16 flag bits).
	 */
	for (i = 0; i < 16 && pass; i++) {
		extra = rng_bits(16);
		f = expect_ok ? (c.flags & ~extra) : (c.flags | extra);
		if ((f & SCRIPT_VERIFY_CLEANSTACK) &&
		    (~f & (SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS)))
			continue;
		if ((f & SCRIPT_VERIFY_WITNESS) && !(f & SCRIPT_VERIFY_P2SH))
			continue;
		if (verify_pair(&sp, f, &err) != expect_ok) {
			fprintf(stderr,
			    "script_tests.json #%d: flags %#x "
			    "change the outcome\n",
			    idx, f);
			pass = 0;
		}
	}
	case_free(&c);
	return pass;
}

static void
test_script_tests(void)
{
	json_t *all, *t;
	size_t i;
	int total = 0, passed = 0;

	all = load_json("vectors/core/script_tests.json");
	CHECK(all != NULL);
	if (all == NULL)
		return;
	json_array_foreach (all, i, t) {
		if (json_array_size(t) == 1)
			continue; /* a comment */
		total++;
		passed += script_case_run(t, (int)i);
	}
	json_decref(all);
	report("script_tests.json", passed, total);
	CHECK(total > 1000);
	CHECK_EQ_INT(passed, total);
}

/*
 * tx_valid.json and tx_invalid.json: [[prevouts], tx hex, flags]. Each
 * prevout is [hash, index, scriptPubKey asm, amount?].
 */
struct prevout {
	uint8_t hash[32];
	uint32_t n;
	uint8_t *spk;
	size_t spklen;
	int64_t amount;
};

struct tx_case {
	uint8_t *raw;
	struct tx tx;
	int parsed;
	struct prevout *prev;
	size_t nprev;
	struct txout *spent; /* per input */
	struct script_txdata *td;
};

static void
tx_case_free(struct tx_case *c)
{
	size_t i;

	script_txdata_free(c->td);
	free(c->spent);
	for (i = 0; i < c->nprev; i++)
		free(c->prev[i].spk);
	free(c->prev);
	if (c->parsed)
		tx_free(&c->tx);
	free(c->raw);
}

static int
tx_case_parse(json_t *t, struct tx_case *c)
{
	json_t *ins = json_array_get(t, 0), *in;
	struct rbuf r;
	size_t i, j, rawlen;
	const char *h, *s;

	memset(c, 0, sizeof(*c));
	if (json_array_size(t) != 3 || !json_is_string(json_array_get(t, 1)) ||
	    !json_is_string(json_array_get(t, 2)))
		return -1;
	c->nprev = json_array_size(ins);
	c->prev = xcalloc(c->nprev + 1, sizeof(*c->prev));
	json_array_foreach (ins, i, in) {
		struct prevout *p = &c->prev[i];

		if (json_array_size(in) < 3 || json_array_size(in) > 4)
			return -1;
		h = json_string_value(json_array_get(in, 0));
		s = json_string_value(json_array_get(in, 2));
		if (h == NULL || s == NULL || hash_from_hex(h, p->hash) != 0)
			return -1;
		p->n = (uint32_t)json_integer_value(json_array_get(in, 1));
		if (asm_parse(s, &p->spk, &p->spklen) != 0)
			return -1;
		if (json_array_size(in) == 4)
			p->amount = json_integer_value(json_array_get(in, 3));
	}
	if (hex_decode_alloc(json_string_value(json_array_get(t, 1)), &c->raw,
		&rawlen) != 0)
		return -1;
	rbuf_init(&r, c->raw, rawlen);
	if (tx_parse(&r, &c->tx, TX_ALLOW_WITNESS) != 0)
		return -1;
	c->parsed = 1;
	/* The last listed prevout wins, as in Core's map. */
	c->spent = xcalloc(c->tx.vin_count + 1, sizeof(*c->spent));
	for (i = 0; i < c->tx.vin_count; i++) {
		const struct outpoint *o = &c->tx.vin[i].prevout;
		int found = 0;

		for (j = 0; j < c->nprev; j++) {
			if (memcmp(c->prev[j].hash, o->hash, 32) == 0 &&
			    c->prev[j].n == o->n) {
				c->spent[i].value = c->prev[j].amount;
				c->spent[i].script = c->prev[j].spk != NULL ?
				    c->prev[j].spk :
				    empty_script;
				c->spent[i].script_len = c->prev[j].spklen;
				found = 1;
			}
		}
		if (!found)
			return -1;
	}
	c->td = script_txdata_new(&c->tx, c->spent);
	return 0;
}

/* Core's CheckTxScripts: every input must pass, or some input fail. */
static int
tx_scripts_ok(const struct tx_case *c, uint32_t flags)
{
	size_t i;
	int err;

	for (i = 0; i < c->tx.vin_count; i++)
		if (!script_verify_input(&c->tx, i, &c->spent[i], flags, c->td,
			&err))
			return 0;
	return 1;
}

/* Core's ExcludeIndividualFlags, on the set of flags it is given. */
static size_t
exclude_each(uint32_t flags, uint32_t *out)
{
	size_t i, j, n = 0;
	uint32_t f;

	for (i = 0; i < NALL; i++) {
		f = trim_flags(flags & ~all_flags[i]);
		if (f == flags)
			continue;
		for (j = 0; j < n && out[j] != f; j++)
			;
		if (j == n)
			out[n++] = f;
	}
	return n;
}

static int
tx_valid_case(json_t *t, int idx)
{
	struct tx_case c;
	uint32_t excl, f, combos[NALL];
	size_t i, n;
	const char *reason = NULL;
	int pass = 1;

	if (tx_case_parse(t, &c) != 0 ||
	    script_flags_parse(json_string_value(json_array_get(t, 2)),
		&excl) != 0) {
		fprintf(stderr, "tx_valid.json #%d: bad test\n", idx);
		tx_case_free(&c);
		return 0;
	}
	if (consensus_check_tx(&c.tx, &reason) != 0) {
		fprintf(stderr, "tx_valid.json #%d: %s\n", idx, reason);
		pass = 0;
	}
	/* The listed flags are the ones excluded from the full set. */
	if ((SCRIPT_VERIFY_ALL & ~excl) !=
	    fill_flags(SCRIPT_VERIFY_ALL & ~excl)) {
		fprintf(stderr, "tx_valid.json #%d: bad flags\n", idx);
		pass = 0;
	}
	if (!tx_scripts_ok(&c, SCRIPT_VERIFY_ALL & ~excl)) {
		fprintf(stderr, "tx_valid.json #%d: failed\n", idx);
		pass = 0;
	}
	/* Removing flags never invalidates a valid transaction. */
	for (i = 0; i < NALL; i++) {
		f = trim_flags(SCRIPT_VERIFY_ALL & ~(excl | all_flags[i]));
		if (!tx_scripts_ok(&c, f)) {
			fprintf(stderr,
			    "tx_valid.json #%d: failed without "
			    "%s\n",
			    idx, script_flag_name(all_flags[i]));
			pass = 0;
		}
		f = trim_flags(SCRIPT_VERIFY_ALL & ~(excl | rng_flags()));
		if (!tx_scripts_ok(&c, f)) {
			fprintf(stderr,
			    "tx_valid.json #%d: failed with "
			    "flags %#x\n",
			    idx, f);
			pass = 0;
		}
	}
	/* The exclusions are all needed: enabling any one must fail. */
	n = exclude_each(excl, combos);
	for (i = 0; i < n; i++) {
		if (tx_scripts_ok(&c, SCRIPT_VERIFY_ALL & ~combos[i])) {
			fprintf(stderr,
			    "tx_valid.json #%d: passes with "
			    "flags %#x\n",
			    idx, SCRIPT_VERIFY_ALL & ~combos[i]);
			pass = 0;
		}
	}
	tx_case_free(&c);
	return pass;
}

static int
tx_invalid_case(json_t *t, int idx)
{
	struct tx_case c;
	uint32_t flags, f, combos[NALL];
	size_t i, n;
	const char *fs = json_string_value(json_array_get(t, 2));
	int pass = 1, badtx;

	if (tx_case_parse(t, &c) != 0 || fs == NULL) {
		fprintf(stderr, "tx_invalid.json #%d: bad test\n", idx);
		tx_case_free(&c);
		return 0;
	}
	/* A transaction that fails CheckTransaction is marked BADTX. */
	badtx = consensus_check_tx(&c.tx, NULL) != 0;
	if (badtx || strcmp(fs, "BADTX") == 0) {
		if (!badtx || strcmp(fs, "BADTX") != 0) {
			fprintf(stderr,
			    "tx_invalid.json #%d: CheckTransaction "
			    "%s\n",
			    idx, badtx ? "failed" : "passed");
			pass = 0;
		}
		tx_case_free(&c);
		return pass;
	}
	if (script_flags_parse(fs, &flags) != 0) {
		fprintf(stderr, "tx_invalid.json #%d: bad flags\n", idx);
		tx_case_free(&c);
		return 0;
	}
	/* Here the listed flags are the ones set. */
	if (flags != fill_flags(flags)) {
		fprintf(stderr, "tx_invalid.json #%d: bad flags\n", idx);
		pass = 0;
	}
	if (tx_scripts_ok(&c, flags)) {
		fprintf(stderr, "tx_invalid.json #%d: passed\n", idx);
		pass = 0;
	}
	/* Adding flags never validates an invalid transaction. */
	for (i = 0; i < NALL; i++) {
		f = fill_flags(flags | all_flags[i]);
		if (tx_scripts_ok(&c, f)) {
			fprintf(stderr,
			    "tx_invalid.json #%d: passed with "
			    "%s\n",
			    idx, script_flag_name(all_flags[i]));
			pass = 0;
		}
		f = fill_flags(flags | rng_flags());
		if (tx_scripts_ok(&c, f)) {
			fprintf(stderr,
			    "tx_invalid.json #%d: passed with "
			    "flags %#x\n",
			    idx, f);
			pass = 0;
		}
	}
	/* The flags are all needed: dropping any one must pass. */
	n = exclude_each(flags, combos);
	for (i = 0; i < n; i++) {
		if (!tx_scripts_ok(&c, combos[i])) {
			fprintf(stderr,
			    "tx_invalid.json #%d: fails with "
			    "flags %#x\n",
			    idx, combos[i]);
			pass = 0;
		}
	}
	tx_case_free(&c);
	return pass;
}

static void
run_tx_file(const char *rel, const char *name, int (*fn)(json_t *, int))
{
	json_t *all, *t;
	size_t i;
	int total = 0, passed = 0;

	all = load_json(rel);
	CHECK(all != NULL);
	if (all == NULL)
		return;
	json_array_foreach (all, i, t) {
		if (!json_is_array(json_array_get(t, 0)))
			continue; /* a comment */
		total++;
		passed += fn(t, (int)i);
	}
	json_decref(all);
	report(name, passed, total);
	CHECK(total > 50);
	CHECK_EQ_INT(passed, total);
}

static void
test_tx_valid(void)
{
	run_tx_file("vectors/core/tx_valid.json", "tx_valid.json",
	    tx_valid_case);
}

static void
test_tx_invalid(void)
{
	run_tx_file("vectors/core/tx_invalid.json", "tx_invalid.json",
	    tx_invalid_case);
}

/* sighash.json: [raw tx, script, input index, hash type, hash]. */
static int
sighash_case(json_t *t, int idx)
{
	const char *rawhex = json_string_value(json_array_get(t, 0));
	const char *scripthex = json_string_value(json_array_get(t, 1));
	const char *want = json_string_value(json_array_get(t, 4));
	uint8_t *raw = NULL, *script = NULL, h[32];
	size_t rawlen, slen;
	char got[65];
	struct rbuf r;
	struct tx tx;
	int pass = 0;

	if (rawhex == NULL || scripthex == NULL || want == NULL ||
	    hex_decode_alloc(rawhex, &raw, &rawlen) != 0 ||
	    hex_decode_alloc(scripthex, &script, &slen) != 0) {
		fprintf(stderr, "sighash.json #%d: bad test\n", idx);
		goto out;
	}
	rbuf_init(&r, raw, rawlen);
	if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0) {
		fprintf(stderr, "sighash.json #%d: tx does not parse\n", idx);
		goto out;
	}
	if (consensus_check_tx(&tx, NULL) != 0)
		fprintf(stderr, "sighash.json #%d: CheckTransaction\n", idx);
	else {
		script_sighash_legacy(&tx,
		    (size_t)json_integer_value(json_array_get(t, 2)),
		    script != NULL ? script : empty_script, slen,
		    (int32_t)json_integer_value(json_array_get(t, 3)), h);
		hash_to_hex(h, got);
		pass = strcmp(got, want) == 0;
		if (!pass)
			fprintf(stderr, "sighash.json #%d: %s != %s\n", idx,
			    got, want);
	}
	tx_free(&tx);
out:
	free(raw);
	free(script);
	return pass;
}

static void
test_sighash(void)
{
	json_t *all, *t;
	size_t i;
	int total = 0, passed = 0;

	all = load_json("vectors/core/sighash.json");
	CHECK(all != NULL);
	if (all == NULL)
		return;
	json_array_foreach (all, i, t) {
		if (json_array_size(t) == 1)
			continue; /* the format line */
		total++;
		passed += sighash_case(t, (int)i);
	}
	json_decref(all);
	report("sighash.json", passed, total);
	CHECK_EQ_INT(total, 500);
	CHECK_EQ_INT(passed, total);
}

/* bip341_wallet_vectors.json */

static int
hex_eq(const uint8_t *got, size_t n, const char *want)
{
	uint8_t b[128];

	return want != NULL && strlen(want) == 2 * n && n <= sizeof(b) &&
	    hex_decode(want, b, sizeof(b)) == (int)n && memcmp(b, got, n) == 0;
}

/* Merkle root of a script tree; leaf hashes are stored by leaf id. */
static int
tree_hash(json_t *node, uint8_t leaves[][32], uint8_t versions[], size_t max,
    uint8_t out[32])
{
	uint8_t a[32], b[32], *s;
	size_t id, n;

	if (json_is_array(node)) {
		if (json_array_size(node) != 2 ||
		    tree_hash(json_array_get(node, 0), leaves, versions, max,
			a) != 0 ||
		    tree_hash(json_array_get(node, 1), leaves, versions, max,
			b) != 0)
			return -1;
		script_tapbranch_hash(a, b, out);
		return 0;
	}
	id = (size_t)json_integer_value(json_object_get(node, "id"));
	if (id >= max ||
	    hex_decode_alloc(json_string_value(
				 json_object_get(node, "script")),
		&s, &n) != 0)
		return -1;
	versions[id] = (uint8_t)json_integer_value(
	    json_object_get(node, "leafVersion"));
	script_tapleaf_hash(versions[id], s != NULL ? s : empty_script, n,
	    leaves[id]);
	memcpy(out, leaves[id], 32);
	free(s);
	return 0;
}

static int
bip341_spk_case(json_t *v)
{
	json_t *given = json_object_get(v, "given");
	json_t *inter = json_object_get(v, "intermediary");
	json_t *exp = json_object_get(v, "expected");
	json_t *tree = json_object_get(given, "scriptTree");
	json_t *lh = json_object_get(inter, "leafHashes");
	json_t *cbs = json_object_get(exp, "scriptPathControlBlocks");
	uint8_t internal[32], root[32], tweak[32], out[32], spk[34];
	uint8_t leaves[16][32], versions[16], *cb;
	struct sha256_ctx c;
	size_t i, n;
	int parity, pass = 1;

	if (hex_decode(json_string_value(
			   json_object_get(given, "internalPubkey")),
		internal, 32) != 32)
		return 0;
	if (!json_is_null(tree)) {
		if (tree_hash(tree, leaves, versions, 16, root) != 0)
			return 0;
		for (i = 0; i < json_array_size(lh); i++)
			pass &= hex_eq(leaves[i], 32,
			    json_string_value(json_array_get(lh, i)));
		pass &= hex_eq(root, 32,
		    json_string_value(json_object_get(inter, "merkleRoot")));
	}
	tagged_hash_init(&c, "TapTweak");
	sha256_update(&c, internal, 32);
	if (!json_is_null(tree))
		sha256_update(&c, root, 32);
	sha256_final(&c, tweak);
	pass &= hex_eq(tweak, 32,
	    json_string_value(json_object_get(inter, "tweak")));
	if (script_taproot_output_key(internal,
		json_is_null(tree) ? NULL : root, out, &parity) != 0)
		return 0;
	pass &= hex_eq(out, 32,
	    json_string_value(json_object_get(inter, "tweakedPubkey")));
	spk[0] = OP_1;
	spk[1] = 32;
	memcpy(spk + 2, out, 32);
	pass &= hex_eq(spk, 34,
	    json_string_value(json_object_get(exp, "scriptPubKey")));
	/* Each control block must prove its leaf into the output key. */
	for (i = 0; i < json_array_size(cbs); i++) {
		if (hex_decode_alloc(json_string_value(json_array_get(cbs, i)),
			&cb, &n) != 0)
			return 0;
		pass &= n >= 33 &&
		    (cb[0] & TAPROOT_LEAF_MASK) == versions[i] &&
		    (cb[0] & 1) == parity &&
		    script_taproot_commitment_check(cb, n, out, leaves[i]);
		/* A wrong leaf must not verify. */
		pass &= !script_taproot_commitment_check(cb, n, out,
			    leaves[(i + 1) % json_array_size(cbs)]) ||
		    json_array_size(cbs) == 1;
		free(cb);
	}
	return pass;
}

static int
bip341_input_case(secp256k1_context *ctx, const struct script_txdata *td,
    struct tx *tx, const struct txout *spent, json_t *in)
{
	json_t *given = json_object_get(in, "given");
	json_t *inter = json_object_get(in, "intermediary");
	json_t *wit = json_object_get(json_object_get(in, "expected"),
	    "witness");
	const char *mr = json_string_value(
	    json_object_get(given, "merkleRoot"));
	size_t nin = (size_t)json_integer_value(
	    json_object_get(given, "txinIndex"));
	uint8_t priv[32], xpub[32], tweak[32], root[32], h[32], sig[65];
	uint8_t aux[32], *w = NULL;
	secp256k1_keypair kp;
	secp256k1_xonly_pubkey xp;
	struct sha256_ctx c;
	struct witem item;
	size_t wlen;
	int hash_type, pass = 1, err;

	hash_type = (int)json_integer_value(
	    json_object_get(given, "hashType"));
	if (nin >= tx->vin_count ||
	    hex_decode(json_string_value(
			   json_object_get(given, "internalPrivkey")),
		priv, 32) != 32)
		return 0;
	if (!secp256k1_keypair_create(ctx, &kp, priv) ||
	    !secp256k1_keypair_xonly_pub(ctx, &xp, NULL, &kp) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, xpub, &xp))
		return 0;
	pass &= hex_eq(xpub, 32,
	    json_string_value(json_object_get(inter, "internalPubkey")));
	tagged_hash_init(&c, "TapTweak");
	sha256_update(&c, xpub, 32);
	if (mr != NULL) {
		if (hex_decode(mr, root, 32) != 32)
			return 0;
		sha256_update(&c, root, 32);
	}
	sha256_final(&c, tweak);
	pass &= hex_eq(tweak, 32,
	    json_string_value(json_object_get(inter, "tweak")));
	if (!secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak) ||
	    !secp256k1_keypair_sec(ctx, priv, &kp))
		return 0;
	pass &= hex_eq(priv, 32,
	    json_string_value(json_object_get(inter, "tweakedPrivkey")));

	/* The signature hash under test. */
	if (script_sighash_taproot(td, nin, (uint8_t)hash_type, NULL, NULL,
		UINT32_MAX, h) != 0)
		return 0;
	pass &= hex_eq(h, 32,
	    json_string_value(json_object_get(inter, "sigHash")));

	/* The vectors sign with all-zero auxiliary randomness. */
	memset(aux, 0, sizeof(aux));
	if (!secp256k1_schnorrsig_sign32(ctx, sig, h, &kp, aux))
		return 0;
	sig[64] = (uint8_t)hash_type;
	if (json_array_size(wit) != 1 ||
	    hex_decode_alloc(json_string_value(json_array_get(wit, 0)), &w,
		&wlen) != 0)
		return 0;
	pass &= wlen == (hash_type ? 65u : 64u) && memcmp(w, sig, wlen) == 0;

	/* The expected witness spends the output; a flipped bit does not. */
	item.p = w;
	item.len = wlen;
	tx->vin[nin].wit = &item;
	tx->vin[nin].wit_count = 1;
	pass &= script_verify_input(tx, nin, &spent[nin],
		    SCRIPT_STANDARD_VERIFY_FLAGS, td, &err) == 1;
	w[5] ^= 1;
	pass &= script_verify_input(tx, nin, &spent[nin],
		    SCRIPT_STANDARD_VERIFY_FLAGS, td, &err) == 0 &&
	    err == SCRIPT_ERR_SCHNORR_SIG;
	tx->vin[nin].wit = NULL;
	tx->vin[nin].wit_count = 0;
	free(w);
	return pass;
}

static int
bip341_spend_case(secp256k1_context *ctx, json_t *v, int *total)
{
	json_t *given = json_object_get(v, "given");
	json_t *utxos = json_object_get(given, "utxosSpent");
	json_t *inter = json_object_get(v, "intermediary");
	json_t *ins = json_object_get(v, "inputSpending"), *u, *in;
	struct txout *spent = NULL;
	uint8_t **spks = NULL, *raw = NULL;
	struct script_txdata *td = NULL;
	size_t i, rawlen, n;
	struct rbuf r;
	struct tx tx;
	int passed = 0;

	*total += (int)json_array_size(ins);
	if (hex_decode_alloc(json_string_value(
				 json_object_get(given, "rawUnsignedTx")),
		&raw, &rawlen) != 0)
		return 0;
	rbuf_init(&r, raw, rawlen);
	if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0) {
		free(raw);
		return 0;
	}
	n = json_array_size(utxos);
	spent = xcalloc(n + 1, sizeof(*spent));
	spks = xcalloc(n + 1, sizeof(*spks));
	if (n != tx.vin_count)
		goto out;
	json_array_foreach (utxos, i, u) {
		if (hex_decode_alloc(json_string_value(
					 json_object_get(u, "scriptPubKey")),
			&spks[i], &spent[i].script_len) != 0)
			goto out;
		spent[i].script = spks[i];
		spent[i].value = json_integer_value(
		    json_object_get(u, "amountSats"));
	}
	td = script_txdata_new(&tx, spent);
	/* The single-SHA256 midstates of BIP341. */
	if (!td->bip341_ready ||
	    !hex_eq(td->sha_amounts, 32,
		json_string_value(json_object_get(inter, "hashAmounts"))) ||
	    !hex_eq(td->sha_outputs, 32,
		json_string_value(json_object_get(inter, "hashOutputs"))) ||
	    !hex_eq(td->sha_prevouts, 32,
		json_string_value(json_object_get(inter, "hashPrevouts"))) ||
	    !hex_eq(td->sha_scripts, 32,
		json_string_value(
		    json_object_get(inter, "hashScriptPubkeys"))) ||
	    !hex_eq(td->sha_sequences, 32,
		json_string_value(json_object_get(inter, "hashSequences")))) {
		fprintf(stderr, "bip341: intermediary hashes differ\n");
		goto out;
	}
	json_array_foreach (ins, i, in) {
		if (bip341_input_case(ctx, td, &tx, spent, in))
			passed++;
		else
			fprintf(stderr, "bip341: input case %zu fails\n", i);
	}
out:
	script_txdata_free(td);
	for (i = 0; i < n; i++)
		free(spks[i]);
	free(spks);
	free(spent);
	tx_free(&tx);
	free(raw);
	return passed;
}

static void
test_bip341(void)
{
	secp256k1_context *ctx;
	json_t *all, *v;
	size_t i;
	int total = 0, passed = 0;

	all = load_json("vectors/core/bip341_wallet_vectors.json");
	CHECK(all != NULL);
	if (all == NULL)
		return;
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	json_array_foreach (json_object_get(all, "scriptPubKey"), i, v) {
		total++;
		if (bip341_spk_case(v))
			passed++;
		else
			fprintf(stderr, "bip341: scriptPubKey case %zu\n", i);
	}
	json_array_foreach (json_object_get(all, "keyPathSpending"), i, v)
		passed += bip341_spend_case(ctx, v, &total);
	secp256k1_context_destroy(ctx);
	json_decref(all);
	report("bip341_wallet_vectors.json", passed, total);
	CHECK(total >= 14);
	CHECK_EQ_INT(passed, total);
}

UNIT_MAIN(UNIT_CASE(test_script_tests), UNIT_CASE(test_tx_valid),
    UNIT_CASE(test_tx_invalid), UNIT_CASE(test_sighash),
    UNIT_CASE(test_bip341), UNIT_CASE(test_p2wpkh_and_sigcache),
    UNIT_CASE(test_tapscript), UNIT_CASE(test_tapscript_rules),
    UNIT_CASE(test_checkqueue), UNIT_CASE(test_legacy_multisig_and_sigops),
    UNIT_CASE(test_lax_der_and_low_s), UNIT_CASE(test_pay_to_anchor),
    UNIT_CASE(test_names_and_flags), UNIT_CASE(test_check_tx))
