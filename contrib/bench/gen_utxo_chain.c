/*
 * Scale benchmark chain generator: writes a valid regtest chain in the
 * bootstrap format (per block: network magic, 4-byte little-endian length,
 * raw block; the genesis block first), as -loadblock reads it in bitrootd
 * and in Bitcoin Core, ending with a UTXO set of exactly --coins coins.
 *
 * Blocks 1-100 hold only their coinbase. From then on each block spends,
 * from every coin confirmed in an earlier block (coinbases once mature),
 * uniformly random ones: 1-3 inputs per transaction and 1-3 more outputs
 * than inputs, no fee, until the block is full (weight just under the
 * limit) or the set reaches --coins. Uniform picks over the whole set have
 * no locality at all, the cold-cache worst case for a UTXO store.
 *
 * Outputs are OP_TRUE, spent with an empty scriptSig, so an import measures
 * the store and not signature checks. With --signed every output is P2WPKH
 * to one fixed key and every input carries a real signature (and blocks a
 * witness commitment), so the import checks ECDSA signatures too.
 *
 * Everything follows from --seed: the same arguments give the same file.
 * On success prints key=value lines: height, coins, tip (RPC byte order),
 * transactions (genesis included, as getchaintxstats counts), inputs,
 * bytes.
 *
 * --block-weight W fills each block only up to weight W (at least
 * GEN_MIN_BLOCK_WEIGHT), for a longer chain of the same coins: the
 * assumevalid benchmark needs more than two weeks of regtest blocks (2,016).
 *
 * usage: gen_utxo_chain --coins N --out FILE [--seed S] [--signed]
 *        [--block-weight W]
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/pow.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "script/script.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define GEN_MAX_IN 3
#define GEN_MAX_EXTRA_OUT 3
#define GEN_MAX_OUT (GEN_MAX_IN + GEN_MAX_EXTRA_OUT)
/* Room left in each block for the header, tx count and coinbase. */
#define GEN_COINBASE_RESERVE 4000
#define GEN_BLOCK_SPACING 600
/* A DER signature of a low-R signer is at most 71 bytes, plus hash type. */
#define GEN_SIG_MAX (KEY_DER_MAX + 1)
#define GEN_P2WPKH_LEN 22
/* Room for the coinbase reserve and one transaction of the largest kind. */
#define GEN_MIN_BLOCK_WEIGHT (GEN_COINBASE_RESERVE + 4000)

/* An unspent output the generator may spend: txs[tx]'s output n. */
struct coin {
	int64_t value;
	uint32_t tx;
	uint32_t n;
};

struct coinvec {
	struct coin *v;
	size_t n, cap;
};

struct gen {
	const struct chainparams *cp;
	uint64_t rng[4];
	int sign;
	uint32_t seed_tag;
	uint64_t target;
	/* --block-weight: fill blocks only to this (more, smaller blocks). */
	size_t block_weight;

	/* The fixed key and the scripts that follow from it (--signed). */
	uint8_t secret[KEY_SECRET_SIZE];
	uint8_t pubkey[KEY_PUBKEY_COMPRESSED];
	uint8_t p2wpkh[GEN_P2WPKH_LEN];
	uint8_t script_code[25]; /* BIP143 script code of that P2WPKH */
	const uint8_t *out_script;
	size_t out_script_len;

	/* txids of every transaction with outputs, indexed by struct coin.tx. */
	uint8_t (*txids)[32];
	size_t ntxids, captxids;
	struct coinvec pool;	 /* spendable now */
	struct coinvec fresh;	 /* made by the block being built */
	struct coinvec immature; /* coinbase coins, one per height from 1 */
	size_t next_mature;
	uint64_t total; /* coins in the UTXO set */

	int32_t height;
	uint8_t tip[32];
	uint32_t bits;
	uint32_t time;
	FILE *out;
	uint64_t ntx, ninputs, bytes;

	/* The block being built: its transactions after the coinbase. */
	struct wbuf body;
	uint8_t (*ids)[32];  /* txids, [0] for the coinbase */
	uint8_t (*wids)[32]; /* wtxids, [0] zero */
	size_t nids, capids;
};

static const uint8_t op_true[1] = { 0x51 };

/* xoshiro256**, seeded through splitmix64: fast and fixed for a seed. */
static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct gen *g)
{
	uint64_t *s = g->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void
rng_seed(struct gen *g, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		g->rng[i] = z ^ (z >> 31);
	}
}

static void
coinvec_push(struct coinvec *cv, int64_t value, uint32_t tx, uint32_t n)
{
	if (cv->n == cv->cap) {
		cv->cap = cv->cap ? cv->cap * 2 : 1024;
		cv->v = xreallocarray(cv->v, cv->cap, sizeof(*cv->v));
	}
	cv->v[cv->n].value = value;
	cv->v[cv->n].tx = tx;
	cv->v[cv->n].n = n;
	cv->n++;
}

static uint32_t
add_txid(struct gen *g, const uint8_t txid[32])
{
	if (g->ntxids == UINT32_MAX)
		errx(1, "more than 2^32 transactions");
	if (g->ntxids == g->captxids) {
		g->captxids = g->captxids ? g->captxids * 2 : 4096;
		g->txids = xreallocarray(g->txids, g->captxids, 32);
	}
	memcpy(g->txids[g->ntxids], txid, 32);
	return (uint32_t)g->ntxids++;
}

static void
add_ids(struct gen *g, const uint8_t txid[32], const uint8_t wtxid[32])
{
	if (g->nids == g->capids) {
		g->capids = g->capids ? g->capids * 2 : 1024;
		g->ids = xreallocarray(g->ids, g->capids, 32);
		g->wids = xreallocarray(g->wids, g->capids, 32);
	}
	memcpy(g->ids[g->nids], txid, 32);
	memcpy(g->wids[g->nids], wtxid, 32);
	g->nids++;
}

static void
write_record(struct gen *g, const uint8_t *raw, size_t len)
{
	uint8_t hdr[8];

	memcpy(hdr, g->cp->magic, 4);
	le32_write(hdr + 4, (uint32_t)len);
	if (fwrite(hdr, 1, 8, g->out) != 8 ||
	    fwrite(raw, 1, len, g->out) != len)
		errx(1, "write: %s", strerror(errno));
	g->bytes += 8 + len;
}

/*
 * Upper bound of a transaction's weight before it is built, so a block
 * never has to give coins back: counts stay below 253 (one-byte
 * CompactSizes) and signatures are at their longest.
 */
static size_t
tx_weight_bound(const struct gen *g, size_t nin, size_t nout)
{
	size_t base = 4 + 1 + nin * (32 + 4 + 1 + 4) + 1 +
	    nout * (8 + 1 + g->out_script_len) + 4;
	size_t wit = 0;

	if (g->sign)
		wit = 2 +
		    nin * (1 + 1 + GEN_SIG_MAX + 1 + KEY_PUBKEY_COMPRESSED);
	return base * WITNESS_SCALE_FACTOR + wit;
}

static void
sign_inputs(struct gen *g, struct tx *t, const struct txout *spent,
    uint8_t sigs[][GEN_SIG_MAX], struct witem wit[][2])
{
	struct script_txdata *td = script_txdata_new(t, spent);
	uint8_t h[32];
	size_t i, len;

	for (i = 0; i < t->vin_count; i++) {
		script_sighash_v0(t, i, g->script_code, sizeof(g->script_code),
		    spent[i].value, SIGHASH_ALL, td, h);
		if (key_sign_ecdsa(g->secret, h, sigs[i], &len) != 0)
			errx(1, "signing failed");
		sigs[i][len++] = SIGHASH_ALL;
		wit[i][0].p = sigs[i];
		wit[i][0].len = len;
		wit[i][1].p = g->pubkey;
		wit[i][1].len = sizeof(g->pubkey);
		t->vin[i].wit = wit[i];
		t->vin[i].wit_count = 2;
	}
	script_txdata_free(td);
}

/* One transaction spending nin random pool coins into nout outputs. */
static void
add_spend(struct gen *g, size_t nin, size_t nout)
{
	struct txin vin[GEN_MAX_IN];
	struct txout vout[GEN_MAX_OUT], spent[GEN_MAX_IN];
	uint8_t sigs[GEN_MAX_IN][GEN_SIG_MAX];
	struct witem wit[GEN_MAX_IN][2];
	struct tx t;
	int64_t sum = 0;
	uint32_t idx;
	size_t i;

	memset(&t, 0, sizeof(t));
	memset(vin, 0, sizeof(vin));
	t.version = 2;
	t.vin = vin;
	t.vin_count = nin;
	t.vout = vout;
	t.vout_count = nout;
	for (i = 0; i < nin; i++) {
		size_t pick = (size_t)(rng_next(g) % g->pool.n);
		struct coin c = g->pool.v[pick];

		g->pool.v[pick] = g->pool.v[--g->pool.n];
		memcpy(vin[i].prevout.hash, g->txids[c.tx], 32);
		vin[i].prevout.n = c.n;
		vin[i].sequence = SEQUENCE_FINAL;
		spent[i].value = c.value;
		spent[i].script = g->out_script;
		spent[i].script_len = g->out_script_len;
		sum += c.value;
	}
	for (i = 0; i < nout; i++) {
		vout[i].value = sum / (int64_t)nout +
		    (i == 0 ? sum % (int64_t)nout : 0);
		vout[i].script = g->out_script;
		vout[i].script_len = g->out_script_len;
	}
	if (g->sign)
		sign_inputs(g, &t, spent, sigs, wit);
	tx_compute_ids(&t);
	tx_serialize(&t, &g->body, 1);
	add_ids(g, t.txid, t.wtxid);
	idx = add_txid(g, t.txid);
	for (i = 0; i < nout; i++)
		coinvec_push(&g->fresh, vout[i].value, idx, (uint32_t)i);
	g->total += nout;
	g->total -= nin;
	g->ntx++;
	g->ninputs += nin;
}

/* Fills the block being built with spends of earlier coins. */
static void
fill_block(struct gen *g)
{
	size_t weight = 0, sigops = 0,
	       limit = g->block_weight - GEN_COINBASE_RESERVE;

	while (g->total < g->target && g->pool.n > 0) {
		size_t nin = 1 + (size_t)(rng_next(g) % GEN_MAX_IN);
		size_t nout = nin + 1 +
		    (size_t)(rng_next(g) % GEN_MAX_EXTRA_OUT);
		size_t w;

		if (nin > g->pool.n)
			nin = g->pool.n;
		/* The last transaction lands the set exactly on target. */
		if (g->total + nout - nin > g->target)
			nout = nin + (size_t)(g->target - g->total);
		w = tx_weight_bound(g, nin, nout);
		/* One witness sigop per P2WPKH input. */
		if (weight + w > limit ||
		    (g->sign && sigops + nin > MAX_BLOCK_SIGOPS_COST))
			break;
		add_spend(g, nin, nout);
		weight += w;
		sigops += g->sign ? nin : 0;
	}
}

static void
solve_and_write(struct gen *g, struct block_header *hdr, const struct tx *cb)
{
	struct wbuf blk;
	uint8_t raw[80], h[32];

	for (;;) {
		header_hash(hdr, h);
		if (pow_check(g->cp, h, hdr->bits) == 0)
			break;
		hdr->nonce++;
	}
	wbuf_init(&blk);
	header_serialize(hdr, raw);
	wbuf_put(&blk, raw, 80);
	wbuf_put_compact(&blk, g->nids);
	tx_serialize(cb, &blk, 1);
	wbuf_put(&blk, g->body.p, g->body.len);
	write_record(g, blk.p, blk.len);
	wbuf_free(&blk);
	memcpy(g->tip, h, 32);
}

static void
next_block(struct gen *g)
{
	static const uint8_t null_hash[32], reserved[32];
	uint8_t sig[CONSENSUS_BIP34_PUSH_MAX + 5];
	uint8_t commitment[CONSENSUS_COMMITMENT_SIZE], root[32];
	struct txin in;
	struct txout out[2];
	struct witem nonce = { reserved, sizeof(reserved) };
	struct block_header hdr;
	struct tx cb;
	size_t len;
	int32_t h = g->height + 1;

	/* Coinbases 100 blocks below h become spendable now. */
	while (g->next_mature < g->immature.n &&
	    (int32_t)g->next_mature + 1 + CONSENSUS_COINBASE_MATURITY <= h) {
		const struct coin *c = &g->immature.v[g->next_mature++];

		coinvec_push(&g->pool, c->value, c->tx, c->n);
	}
	wbuf_reset(&g->body);
	g->nids = 0;
	add_ids(g, null_hash, null_hash); /* the coinbase, set below */
	g->total++;			  /* its output */
	fill_block(g);

	memset(&cb, 0, sizeof(cb));
	memset(&in, 0, sizeof(in));
	cb.version = 1;
	in.prevout.n = 0xffffffffu;
	/* BIP34's height, then the seed so chains of two seeds differ. */
	len = consensus_bip34_push(h, sig);
	sig[len++] = 4;
	le32_write(sig + len, g->seed_tag);
	len += 4;
	in.script = sig;
	in.script_len = len;
	in.sequence = SEQUENCE_FINAL;
	cb.vin = &in;
	cb.vin_count = 1;
	out[0].value = consensus_block_subsidy(g->cp, h);
	out[0].script = g->out_script;
	out[0].script_len = g->out_script_len;
	cb.vout = out;
	cb.vout_count = 1;
	/* BIP141: needed only when some transaction has a witness. */
	if (g->sign && g->nids > 1) {
		merkle_root((const uint8_t(*)[32])g->wids, g->nids, root,
		    NULL);
		consensus_witness_commitment(root, reserved, commitment);
		out[1].value = 0;
		out[1].script = commitment;
		out[1].script_len = sizeof(commitment);
		cb.vout_count = 2;
		in.wit = &nonce;
		in.wit_count = 1;
	}
	tx_compute_ids(&cb);
	memcpy(g->ids[0], cb.txid, 32);
	coinvec_push(&g->immature, out[0].value, add_txid(g, cb.txid), 0);
	g->ntx++;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = 0x20000000;
	memcpy(hdr.prev, g->tip, 32);
	merkle_root((const uint8_t(*)[32])g->ids, g->nids, hdr.merkle, NULL);
	g->time += GEN_BLOCK_SPACING;
	hdr.time = g->time;
	hdr.bits = g->bits;
	solve_and_write(g, &hdr, &cb);
	g->height = h;
	/* Outputs of this block are spendable from the next one on. */
	for (len = 0; len < g->fresh.n; len++)
		coinvec_push(&g->pool, g->fresh.v[len].value,
		    g->fresh.v[len].tx, g->fresh.v[len].n);
	g->fresh.n = 0;
}

static void
setup_key(struct gen *g)
{
	uint8_t h160[20], pk[KEY_PUBKEY_MAX];
	size_t len;

	/* A fixed, well-known key: the chain is a benchmark, not a wallet. */
	memset(g->secret, 0, sizeof(g->secret));
	g->secret[31] = 1;
	if (key_pubkey(g->secret, 1, pk, &len) != 0 ||
	    len != sizeof(g->pubkey))
		errx(1, "key setup failed");
	memcpy(g->pubkey, pk, len);
	hash160(g->pubkey, sizeof(g->pubkey), h160);
	g->p2wpkh[0] = 0x00;
	g->p2wpkh[1] = 20;
	memcpy(g->p2wpkh + 2, h160, 20);
	g->script_code[0] = 0x76;
	g->script_code[1] = 0xa9;
	g->script_code[2] = 20;
	memcpy(g->script_code + 3, h160, 20);
	g->script_code[23] = 0x88;
	g->script_code[24] = 0xac;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: gen_utxo_chain --coins N --out FILE "
	    "[--seed S] [--signed] [--block-weight W]\n");
	exit(2);
}

static uint64_t
parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || *s == '-')
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	struct chainparams *cp = chainparams_new(CHAIN_REGTEST);
	struct block_header genesis;
	const char *path = NULL;
	struct gen g;
	struct rbuf r;
	uint64_t seed = 1;
	char hex[65];
	int i, have_coins = 0;

	memset(&g, 0, sizeof(g));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--coins") == 0 && i + 1 < argc) {
			g.target = parse_u64(argv[++i]);
			have_coins = 1;
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = parse_u64(argv[++i]);
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--signed") == 0)
			g.sign = 1;
		else if (strcmp(argv[i], "--block-weight") == 0 &&
		    i + 1 < argc) {
			uint64_t w = parse_u64(argv[++i]);

			if (w < GEN_MIN_BLOCK_WEIGHT || w > MAX_BLOCK_WEIGHT)
				errx(2, "--block-weight must be %d to %d",
				    GEN_MIN_BLOCK_WEIGHT, MAX_BLOCK_WEIGHT);
			g.block_weight = (size_t)w;
		} else
			usage();
	}
	if (!have_coins || g.target == 0 || path == NULL)
		usage();
	if (g.block_weight == 0)
		g.block_weight = MAX_BLOCK_WEIGHT;

	g.cp = cp;
	rng_seed(&g, seed);
	g.seed_tag = (uint32_t)(seed ^ (seed >> 32));
	if (g.sign) {
		setup_key(&g);
		g.out_script = g.p2wpkh;
		g.out_script_len = sizeof(g.p2wpkh);
	} else {
		g.out_script = op_true;
		g.out_script_len = sizeof(op_true);
	}
	rbuf_init(&r, cp->genesis_raw, cp->genesis_len);
	if (header_parse(&r, &genesis) != 0)
		errx(1, "bad genesis block");
	memcpy(g.tip, cp->genesis_hash, 32);
	g.bits = genesis.bits;
	g.time = genesis.time;
	if ((g.out = fopen(path, "wb")) == NULL)
		errx(1, "%s: %s", path, strerror(errno));
	wbuf_init(&g.body);
	write_record(&g, cp->genesis_raw, cp->genesis_len);
	g.ntx = 1;
	while (g.total < g.target)
		next_block(&g);
	if (fclose(g.out) != 0)
		errx(1, "%s: %s", path, strerror(errno));

	hash_to_hex(g.tip, hex);
	printf("height=%d\ncoins=%llu\ntip=%s\ntransactions=%llu\n"
	       "inputs=%llu\nbytes=%llu\n",
	    g.height, (unsigned long long)g.total, hex,
	    (unsigned long long)g.ntx, (unsigned long long)g.ninputs,
	    (unsigned long long)g.bytes);
	wbuf_free(&g.body);
	free(g.txids);
	free(g.ids);
	free(g.wids);
	free(g.pool.v);
	free(g.fresh.v);
	free(g.immature.v);
	chainparams_free(cp);
	return 0;
}
