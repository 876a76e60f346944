/*
 * Block assembly for the generate* RPCs and getblocktemplate: a coinbase
 * with the BIP34 height and an extra nonce paying a given script, the
 * BIP141 witness commitment, nTime = max(median time past + 1, node time),
 * nBits per the chain's rules, then a nonce ground until the proof of work
 * holds. The transactions come from the mempool (mining_select, through
 * the template source) or, for generateblock, from the caller; the
 * coinbase claims the subsidy plus the fees it is given.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/pow.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"
#include "validation/versionbits.h"

#define COINBASE_VERSION 2

static void
put_coinbase(struct wbuf *w, int32_t height, uint64_t extra_nonce,
    const uint8_t *script, size_t script_len, int64_t value,
    const uint8_t *commit_script, int with_witness)
{
	uint8_t sig[2 * CONSENSUS_BIP34_PUSH_MAX];
	size_t n;
	static const uint8_t zero[32];

	n = consensus_bip34_push(height, sig);
	/* The extra nonce keeps blocks at one height distinct. */
	n += consensus_bip34_push((int32_t)(extra_nonce & 0x7fffffff),
	    sig + n);
	wbuf_put_le32(w, COINBASE_VERSION);
	if (with_witness) {
		wbuf_put_u8(w, 0x00);
		wbuf_put_u8(w, 0x01);
	}
	wbuf_put_compact(w, 1);
	wbuf_put(w, zero, 32);
	wbuf_put_le32(w, 0xffffffffu);
	wbuf_put_compact(w, n);
	wbuf_put(w, sig, n);
	wbuf_put_le32(w, SEQUENCE_FINAL);
	wbuf_put_compact(w, commit_script ? 2 : 1);
	wbuf_put_le64(w, (uint64_t)value);
	wbuf_put_compact(w, script_len);
	wbuf_put(w, script, script_len);
	if (commit_script) {
		wbuf_put_le64(w, 0);
		wbuf_put_compact(w, CONSENSUS_COMMITMENT_SIZE);
		wbuf_put(w, commit_script, CONSENSUS_COMMITMENT_SIZE);
	}
	if (with_witness) {
		/* One witness item: the 32-byte reserved value, zero. */
		wbuf_put_compact(w, 1);
		wbuf_put_compact(w, 32);
		wbuf_put(w, zero, 32);
	}
	wbuf_put_le32(w, 0);
}

void
mining_tmpl_free(struct block_tmpl *t)
{
	if (t->parsed)
		block_free(&t->b);
	wbuf_free(&t->raw);
	memset(t, 0, sizeof(*t));
}

void
mining_txs_free(struct tx *txs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tx_free(&txs[i]);
	free(txs);
}

/* -printpriority: Core's "fee rate X BTC/kvB txid T" line. */
static void
log_fee_rate(const struct template_tx *tx)
{
	size_t vsize = (tx->weight + 3) / 4;
	int64_t rate = vsize ? tx->fee * 1000 / (int64_t)vsize : 0;
	char hex[65];

	hash_to_hex(tx->txid, hex);
	log_info("fee rate %lld.%08lld BTC/kvB txid %s",
	    (long long)(rate / 100000000), (long long)(rate % 100000000), hex);
}

size_t
mining_select(struct validation *v, struct template_txs *t, struct tx **txs,
    int64_t *fees)
{
	struct template_request req;
	struct rbuf r;
	size_t i;

	memset(&req, 0, sizeof(req));
	req.mode = TEMPLATE_SELECT;
	req.max_weight = v->block_max_weight - v->block_reserved_weight;
	req.max_sigop_cost = MAX_BLOCK_SIGOPS_COST - MINING_COINBASE_SIGOPS;
	validation_template(v, &req, t);
	*txs = xcalloc(t->n ? t->n : 1, sizeof(**txs));
	*fees = 0;
	for (i = 0; i < t->n; i++) {
		rbuf_init(&r, t->txs[i].raw, t->txs[i].len);
		/* The mempool's own copies: a failure is our bug. */
		if (t->txs[i].raw == NULL ||
		    tx_parse(&r, &(*txs)[i], TX_ALLOW_WITNESS) != 0 ||
		    rbuf_left(&r) != 0)
			fatalx("%s: template transaction %zu does not parse",
			    __func__, i);
		*fees += t->txs[i].fee;
		if (v->print_priority)
			log_fee_rate(&t->txs[i]);
	}
	return t->n;
}

int
mining_assemble(struct validation *v, const uint8_t *script, size_t script_len,
    const struct tx *txs, size_t ntx, int64_t fees, struct block_tmpl *t)
{
	struct chainstate *cs = v->cs;
	struct bindex *tip = chain_tip(&cs->chain);
	struct block_header h;
	uint8_t(*leaves)[32], hdr[80], root[32];
	struct wbuf cb;
	struct rbuf r;
	struct tx cbtx;
	int64_t now, mtp;
	size_t i;
	int segwit;

	memset(t, 0, sizeof(*t));
	wbuf_init(&t->raw);
	if (tip == NULL)
		return -1;
	t->height = tip->e.height + 1;
	segwit = consensus_deployment_active(cs->cp->segwit_height, t->height);

	memset(&h, 0, sizeof(h));
	h.version = v->has_block_version ? v->block_version :
					   vb_block_version(cs->cp, tip);
	memcpy(h.prev, tip->e.hash, 32);
	mtp = bindex_median_time_past(tip);
	now = node_time();
	if (now < mtp + 1)
		now = mtp + 1;
	/* BIP94: a retarget block may not go back more than the limit. */
	if (pow_check_timewarp(cs->cp, t->height, now,
		(int64_t)tip->e.hdr.time) != 0)
		now = (int64_t)tip->e.hdr.time - POW_MAX_TIMEWARP;
	h.time = (uint32_t)now;
	h.bits = next_work_required(cs, tip, &h);
	t->coinbase_value = consensus_block_subsidy(cs->cp, t->height) + fees;

	/* The commitment covers the wtxids, with the coinbase's as zero. */
	if (segwit) {
		static const uint8_t zero[32];

		leaves = xreallocarray(NULL, ntx + 1, sizeof(*leaves));
		memset(leaves[0], 0, 32);
		for (i = 0; i < ntx; i++)
			memcpy(leaves[i + 1], txs[i].wtxid, 32);
		merkle_root((const uint8_t(*)[32])leaves, ntx + 1, root, NULL);
		free(leaves);
		/* The reserved value put_coinbase gives the coinbase: zero. */
		consensus_witness_commitment(root, zero, t->commitment);
		t->has_commitment = 1;
	}
	wbuf_init(&cb);
	put_coinbase(&cb, t->height, ++v->extra_nonce, script, script_len,
	    t->coinbase_value, t->has_commitment ? t->commitment : NULL,
	    segwit);
	rbuf_init(&r, cb.p, cb.len);
	if (tx_parse(&r, &cbtx, TX_ALLOW_WITNESS) != 0)
		fatalx("%s: the coinbase we built does not parse", __func__);

	leaves = xreallocarray(NULL, ntx + 1, sizeof(*leaves));
	memcpy(leaves[0], cbtx.txid, 32);
	for (i = 0; i < ntx; i++)
		memcpy(leaves[i + 1], txs[i].txid, 32);
	merkle_root((const uint8_t(*)[32])leaves, ntx + 1, h.merkle, NULL);
	free(leaves);
	tx_free(&cbtx);

	header_serialize(&h, hdr);
	wbuf_put(&t->raw, hdr, sizeof(hdr));
	wbuf_put_compact(&t->raw, ntx + 1);
	wbuf_put(&t->raw, cb.p, cb.len);
	wbuf_free(&cb);
	for (i = 0; i < ntx; i++)
		tx_serialize(&txs[i], &t->raw, 1);
	if (block_parse(t->raw.p, t->raw.len, &t->b) != 0)
		fatalx("%s: the block we built does not parse", __func__);
	t->parsed = 1;
	v->have_assembled = 1;
	/*
	 * Core 30's BlockAssembler counts the reserved weight (header, count,
	 * coinbase) instead of the coinbase it then builds.
	 */
	v->last_block_weight = v->block_reserved_weight;
	for (i = 0; i < ntx; i++)
		v->last_block_weight += tx_weight(&txs[i]);
	v->last_block_txs = ntx;
	return 0;
}

int
mining_grind(struct validation *v, struct block_tmpl *t, uint64_t *max_tries)
{
	uint32_t nonce = le32_read(t->raw.p + 76);
	uint8_t hash[32];

	for (;;) {
		if (*max_tries == 0)
			return -1;
		hash256(t->raw.p, 80, hash);
		if (pow_check(v->cp, hash, t->b.hdr.bits) == 0)
			break;
		if (nonce == UINT32_MAX)
			return 0;
		nonce++;
		(*max_tries)--;
		le32_write(t->raw.p + 76, nonce);
	}
	t->b.hdr.nonce = nonce;
	memcpy(t->b.hash, hash, 32);
	return 1;
}
