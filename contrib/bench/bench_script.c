/*
 * bench_script: ECDSA and Schnorr signature verifications per second
 * through the script interpreter, and through the check pool with one and
 * two threads (-par=1, -par=2).
 *
 * It builds one transaction with N P2WPKH inputs and one with N P2TR
 * key-path inputs, signs them with libsecp256k1, and times verifying every
 * input (script_verify_input with the transaction's precomputed data, no
 * signature cache), taking the median of 5 runs.
 *
 * Then it replays a block file (default ../shared/chains/regtest-dev.dat,
 * Core's blk*.dat framing) with an in-memory UTXO map, verifying every
 * input with the consensus flags of its height through the check pool,
 * once with -par=1 and once with -par=2, and reports the time spent in
 * script checks against the whole replay and against the import time
 * Core recorded for the file (regtest-dev.json, when present).
 *
 *	usage: bench_script [-n inputs] [-chain file | -nochain]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/xmalloc.h"
#include "validation/checkqueue.h"

#define RUNS 5
#define DEFAULT_CHAIN BR_SHARED_DIR "/chains/regtest-dev.dat"

struct bench_tx {
	struct tx tx;
	struct txin *in;
	struct txout out;
	struct txout *spent;
	uint8_t (*spk)[34];
	struct witem (*wit)[2];
	uint8_t (*sig)[73];
	uint8_t pub[33];
	struct script_txdata *td;
};

static const uint8_t empty[1];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_script: %s failed\n", what);
	exit(1);
}

static void
bench_tx_init(struct bench_tx *b, size_t n)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->in = xcalloc(n, sizeof(*b->in));
	b->spent = xcalloc(n, sizeof(*b->spent));
	b->spk = xcalloc(n, sizeof(*b->spk));
	b->wit = xcalloc(n, sizeof(*b->wit));
	b->sig = xcalloc(n, sizeof(*b->sig));
	for (i = 0; i < n; i++) {
		le32_write(b->in[i].prevout.hash, (uint32_t)i);
		b->in[i].script = empty;
		b->in[i].sequence = SEQUENCE_FINAL;
		b->in[i].wit = b->wit[i];
		b->spent[i].value = 10000 + (int64_t)i;
		b->spent[i].script = b->spk[i];
	}
	b->out.value = 5000;
	b->out.script = empty;
	b->tx.version = 2;
	b->tx.vin = b->in;
	b->tx.vin_count = n;
	b->tx.vout = &b->out;
	b->tx.vout_count = 1;
}

static void
bench_tx_free(struct bench_tx *b)
{
	script_txdata_free(b->td);
	free(b->in);
	free(b->spent);
	free(b->spk);
	free(b->wit);
	free(b->sig);
}

/* N P2WPKH inputs of one key, each signed with SIGHASH_ALL. */
static void
build_p2wpkh(secp256k1_context *ctx, struct bench_tx *b, size_t n)
{
	secp256k1_pubkey pub;
	secp256k1_ecdsa_signature s;
	uint8_t sec[32], h[32], code[25];
	size_t i, len = 33;

	bench_tx_init(b, n);
	memset(sec, 0x42, 32);
	if (!secp256k1_ec_pubkey_create(ctx, &pub, sec) ||
	    !secp256k1_ec_pubkey_serialize(ctx, b->pub, &len, &pub,
		SECP256K1_EC_COMPRESSED))
		die("key");
	for (i = 0; i < n; i++) {
		b->spk[i][0] = OP_0;
		b->spk[i][1] = 20;
		hash160(b->pub, 33, b->spk[i] + 2);
		b->spent[i].script_len = 22;
	}
	b->td = script_txdata_new(&b->tx, b->spent);
	code[0] = OP_DUP;
	code[1] = OP_HASH160;
	code[2] = 20;
	hash160(b->pub, 33, code + 3);
	code[23] = OP_EQUALVERIFY;
	code[24] = OP_CHECKSIG;
	for (i = 0; i < n; i++) {
		script_sighash_v0(&b->tx, i, code, sizeof(code),
		    b->spent[i].value, SIGHASH_ALL, b->td, h);
		len = 72;
		if (!secp256k1_ecdsa_sign(ctx, &s, h, sec, NULL, NULL) ||
		    !secp256k1_ecdsa_signature_serialize_der(ctx, b->sig[i],
			&len, &s))
			die("ecdsa sign");
		b->sig[i][len] = SIGHASH_ALL;
		b->wit[i][0].p = b->sig[i];
		b->wit[i][0].len = len + 1;
		b->wit[i][1].p = b->pub;
		b->wit[i][1].len = 33;
		b->in[i].wit_count = 2;
	}
	/* As validation would: made once the witnesses are in place. */
	script_txdata_free(b->td);
	b->td = script_txdata_new(&b->tx, b->spent);
}

/* N P2TR key-path inputs of one (tweaked) key, SIGHASH_DEFAULT. */
static void
build_p2tr(secp256k1_context *ctx, struct bench_tx *b, size_t n)
{
	secp256k1_keypair kp;
	secp256k1_xonly_pubkey xp;
	uint8_t sec[32], internal[32], out[32], h[32], aux[32];
	size_t i;

	bench_tx_init(b, n);
	memset(sec, 0x43, 32);
	memset(aux, 0, 32);
	if (!secp256k1_keypair_create(ctx, &kp, sec) ||
	    !secp256k1_keypair_xonly_pub(ctx, &xp, NULL, &kp) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, internal, &xp) ||
	    script_taproot_output_key(internal, NULL, out, NULL) != 0)
		die("taproot key");
	{
		struct sha256_ctx c;
		uint8_t tweak[32];

		tagged_hash_init(&c, "TapTweak");
		sha256_update(&c, internal, 32);
		sha256_final(&c, tweak);
		if (!secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak))
			die("tweak");
	}
	for (i = 0; i < n; i++) {
		b->spk[i][0] = OP_1;
		b->spk[i][1] = 32;
		memcpy(b->spk[i] + 2, out, 32);
		b->spent[i].script_len = 34;
	}
	b->td = script_txdata_new(&b->tx, b->spent);
	for (i = 0; i < n; i++) {
		if (script_sighash_taproot(b->td, i, SIGHASH_DEFAULT, NULL,
			NULL, UINT32_MAX, h) != 0 ||
		    !secp256k1_schnorrsig_sign32(ctx, b->sig[i], h, &kp, aux))
			die("schnorr sign");
		b->wit[i][0].p = b->sig[i];
		b->wit[i][0].len = 64;
		b->in[i].wit_count = 1;
	}
	script_txdata_free(b->td);
	b->td = script_txdata_new(&b->tx, b->spent);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median seconds to verify every input, inline. */
static double
time_inline(const struct bench_tx *b)
{
	double t[RUNS], t0;
	size_t i;
	int r, err;

	for (r = 0; r < RUNS; r++) {
		t0 = now();
		for (i = 0; i < b->tx.vin_count; i++)
			if (!script_verify_input(&b->tx, i, &b->spent[i],
				SCRIPT_MANDATORY_VERIFY_FLAGS, b->td, &err))
				die(script_error_string(err));
		t[r] = now() - t0;
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

/* Median seconds through a check pool of par threads. */
static double
time_queue(const struct bench_tx *b, int par)
{
	struct checkqueue_job *jobs;
	struct checkqueue_fail fail;
	struct checkqueue *cq;
	double t[RUNS], t0;
	size_t i, n = b->tx.vin_count;
	int r;

	jobs = xcalloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		jobs[i].tx = &b->tx;
		jobs[i].nin = i;
		jobs[i].spent = &b->spent[i];
		jobs[i].flags = SCRIPT_MANDATORY_VERIFY_FLAGS;
		jobs[i].td = b->td;
	}
	cq = checkqueue_new(par);
	for (r = 0; r < RUNS; r++) {
		t0 = now();
		if (checkqueue_run(cq, jobs, n, NULL, 0, &fail) != 0)
			die(script_error_string(fail.err));
		t[r] = now() - t0;
	}
	checkqueue_free(cq);
	free(jobs);
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

static void
print_rate(const char *what, size_t n, double secs)
{
	printf("%-44s %9.0f verifications/s  (%6.1f us each)\n", what,
	    (double)n / secs, secs * 1e6 / (double)n);
}

/*
 * Chain replay. The UTXO map is open addressing over (txid, n); spent
 * entries are left in place (a valid chain never spends twice), and the
 * scripts point into the file buffer, which lives for the whole replay.
 */
struct utxo {
	uint8_t txid[32];
	uint32_t n;
	int used;
	struct txout out;
};

struct utxo_map {
	struct utxo *e;
	size_t cap, count;
};

static size_t
utxo_slot(const struct utxo_map *m, const uint8_t txid[32], uint32_t n)
{
	size_t i = (size_t)(le64_read(txid) ^
	    ((uint64_t)n * 0x9e3779b97f4a7c15ULL));

	for (i &= m->cap - 1;; i = (i + 1) & (m->cap - 1))
		if (!m->e[i].used ||
		    (m->e[i].n == n && memcmp(m->e[i].txid, txid, 32) == 0))
			return i;
}

static void
utxo_add(struct utxo_map *m, const uint8_t txid[32], uint32_t n,
    const struct txout *o)
{
	struct utxo *old;
	size_t i, oldcap;

	if (2 * (m->count + 1) > m->cap) {
		old = m->e;
		oldcap = m->cap;
		m->cap = m->cap ? 2 * m->cap : 4096;
		m->e = xcalloc(m->cap, sizeof(*m->e));
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				m->e[utxo_slot(m, old[i].txid, old[i].n)] =
				    old[i];
		free(old);
	}
	i = utxo_slot(m, txid, n);
	if (!m->e[i].used)
		m->count++;
	memcpy(m->e[i].txid, txid, 32);
	m->e[i].n = n;
	m->e[i].used = 1;
	m->e[i].out = *o;
}

struct replay {
	size_t blocks, inputs;
	double total, scripts;
};

static int
replay_chain(const struct chainparams *cp, const uint8_t *buf, size_t len,
    int par, struct replay *res)
{
	struct utxo_map map = { NULL, 0, 0 };
	struct checkqueue *cq = checkqueue_new(par);
	struct checkqueue_job *jobs = NULL;
	struct script_txdata **tds = NULL;
	struct txout **spents = NULL;
	struct checkqueue_fail fail;
	size_t pos = 0, size, t, i, njobs, cap = 0, tcap = 0;
	double t0 = now(), t1;
	struct block b;
	uint32_t flags;
	int32_t height = 0;

	memset(res, 0, sizeof(*res));
	while (len - pos >= 8) {
		if (memcmp(buf + pos, cp->magic, 4) != 0) {
			fprintf(stderr, "bench_script: bad magic at %zu\n",
			    pos);
			return -1;
		}
		size = le32_read(buf + pos + 4);
		pos += 8;
		if (size > len - pos ||
		    block_parse(buf + pos, size, &b) != 0) {
			fprintf(stderr, "bench_script: bad block at %zu\n",
			    pos);
			return -1;
		}
		pos += size;
		flags = consensus_block_script_flags(cp, height, b.hash);
		if (b.tx_count > tcap) {
			tcap = b.tx_count;
			tds = xreallocarray(tds, tcap, sizeof(*tds));
			spents = xreallocarray(spents, tcap, sizeof(*spents));
		}
		njobs = 0;
		for (t = 0; t < b.tx_count; t++) {
			struct tx *tx = &b.txs[t];

			spents[t] = NULL;
			if (t > 0) {
				spents[t] = xcalloc(tx->vin_count,
				    sizeof(*spents[t]));
				for (i = 0; i < tx->vin_count; i++) {
					const struct outpoint
					    *o = &tx->vin[i].prevout;
					size_t k = map.cap ?
					    utxo_slot(&map, o->hash, o->n) :
					    0;

					if (map.cap == 0 || !map.e[k].used) {
						fprintf(stderr,
						    "bench_script: "
						    "missing input at height "
						    "%d\n",
						    height);
						return -1;
					}
					spents[t][i] = map.e[k].out;
				}
				if (njobs + tx->vin_count > cap) {
					cap = 2 * (njobs + tx->vin_count);
					jobs = xreallocarray(jobs, cap,
					    sizeof(*jobs));
				}
				for (i = 0; i < tx->vin_count; i++) {
					jobs[njobs].tx = tx;
					jobs[njobs].nin = i;
					jobs[njobs].spent = &spents[t][i];
					jobs[njobs].flags = flags;
					jobs[njobs].td = NULL; /* below */
					njobs++;
				}
			}
			for (i = 0; i < tx->vout_count; i++)
				utxo_add(&map, tx->txid, (uint32_t)i,
				    &tx->vout[i]);
		}
		/* Script checks: precomputed data, then the pool. */
		t1 = now();
		for (t = 1, i = 0; t < b.tx_count; t++) {
			size_t k;

			tds[t] = script_txdata_new(&b.txs[t], spents[t]);
			for (k = 0; k < b.txs[t].vin_count; k++)
				jobs[i++].td = tds[t];
		}
		if (checkqueue_run(cq, jobs, njobs, NULL, 0, &fail) != 0) {
			fprintf(stderr,
			    "bench_script: height %d input job %zu:"
			    " %s\n",
			    height, fail.index, script_error_string(fail.err));
			return -1;
		}
		for (t = 1; t < b.tx_count; t++)
			script_txdata_free(tds[t]);
		res->scripts += now() - t1;
		res->inputs += njobs;
		for (t = 1; t < b.tx_count; t++)
			free(spents[t]);
		block_free(&b);
		height++;
	}
	res->blocks = (size_t)height;
	res->total = now() - t0;
	checkqueue_free(cq);
	free(map.e);
	free(jobs);
	free(tds);
	free(spents);
	return 0;
}

/* Core's import time for the file, from the .json next to it; or 0. */
static double
core_import_seconds(const char *path)
{
	char json[4096], *p;
	size_t n;
	FILE *f;
	double v = 0;

	snprintf(json, sizeof(json), "%s", path);
	if ((p = strrchr(json, '.')) == NULL || strlen(p) < 4)
		return 0;
	strcpy(p, ".json");
	if ((f = fopen(json, "r")) == NULL)
		return 0;
	n = fread(json, 1, sizeof(json) - 1, f);
	fclose(f);
	json[n] = '\0';
	if ((p = strstr(json, "\"core_import_seconds\":")) != NULL)
		v = strtod(p + 22, NULL);
	return v;
}

static void
bench_chain(const char *path)
{
	struct chainparams *cp;
	struct replay r;
	uint8_t *buf;
	size_t len, got;
	double core;
	FILE *f;
	int par;

	if ((f = fopen(path, "rb")) == NULL) {
		printf("chain replay skipped: cannot open %s\n", path);
		return;
	}
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc(len ? len : 1);
	got = fread(buf, 1, len, f);
	fclose(f);
	if (got != len)
		die("read chain");
	cp = chainparams_new(CHAIN_REGTEST);
	core = core_import_seconds(path);
	printf("chain replay of %s (regtest)\n", path);
	for (par = 1; par <= 2; par++) {
		if (replay_chain(cp, buf, len, par, &r) != 0)
			die("chain replay");
		printf("  -par=%d: %zu blocks, %zu inputs; script checks "
		       "%.3f s = %.0f%% of the %.3f s replay",
		    par, r.blocks, r.inputs, r.scripts,
		    100 * r.scripts / r.total, r.total);
		if (core > 0)
			printf(", %.0f%% of Core's %.2f s import",
			    100 * r.scripts / core, core);
		printf("\n");
	}
	chainparams_free(cp);
	free(buf);
}

int
main(int argc, char **argv)
{
	secp256k1_context *ctx;
	struct bench_tx ecdsa, schnorr;
	const char *chain = DEFAULT_CHAIN;
	size_t n = 2000;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-chain") == 0 && i + 1 < argc)
			chain = argv[++i];
		else if (strcmp(argv[i], "-nochain") == 0)
			chain = NULL;
		else
			n = 0;
		if (n == 0 || n > 1000000) {
			fprintf(stderr,
			    "usage: bench_script [-n inputs] "
			    "[-chain file | -nochain]\n");
			return 2;
		}
	}
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	build_p2wpkh(ctx, &ecdsa, n);
	build_p2tr(ctx, &schnorr, n);
	printf("bench_script: %zu inputs per transaction, median of %d "
	       "runs\n",
	    n, RUNS);
	print_rate("ECDSA, P2WPKH, interpreter:", n, time_inline(&ecdsa));
	print_rate("Schnorr, P2TR key path, interpreter:", n,
	    time_inline(&schnorr));
	print_rate("ECDSA, P2WPKH, checkqueue -par=1:", n,
	    time_queue(&ecdsa, 1));
	print_rate("ECDSA, P2WPKH, checkqueue -par=2:", n,
	    time_queue(&ecdsa, 2));
	print_rate("Schnorr, P2TR key path, checkqueue -par=1:", n,
	    time_queue(&schnorr, 1));
	print_rate("Schnorr, P2TR key path, checkqueue -par=2:", n,
	    time_queue(&schnorr, 2));
	bench_tx_free(&ecdsa);
	bench_tx_free(&schnorr);
	secp256k1_context_destroy(ctx);
	if (chain != NULL)
		bench_chain(chain);
	return 0;
}
