/*
 * Mining requests served for the rpc thread (validation.h): mining blocks
 * (generatetoaddress, generatetodescriptor, generateblock), submitting
 * blocks and headers, checking a proposal, block templates and the
 * values of getmininginfo. They run on the validation thread; the rpc
 * module parses the parameters (addresses and descriptors included) and
 * formats the answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"
#include "validation/versionbits.h"

_Static_assert(sizeof(((struct validation_template *)0)->commitment) ==
	CONSENSUS_COMMITMENT_SIZE,
    "template commitment size");

/*
 * A block on the tip with the mempool's best transactions (Core's
 * CreateNewBlock, with its TestBlockValidity when there are any). 0, or
 * -1 after failing r.
 */
static int
assemble_from_pool(struct validation *v, struct request *r,
    const uint8_t *script, size_t script_len, struct block_tmpl *t)
{
	struct template_txs tt;
	struct val_state st;
	struct tx *txs;
	int64_t fees;
	size_t n;
	int rc;

	n = mining_select(v, &tt, &txs, &fees);
	rc = mining_assemble(v, script, script_len, txs, n, fees, t);
	mining_txs_free(txs, n);
	template_txs_free(&tt);
	if (rc != 0) {
		request_fail(r, VALIDATION_E_FAILED, "no chain tip");
		return -1;
	}
	if (n && chainstate_test_block(v->cs, &t->b, 0, 0, &st) != 0) {
		mining_tmpl_free(t);
		if (st.debug[0])
			request_fail(r, VALIDATION_E_REFUSED,
			    "TestBlockValidity failed: %s, %s", st.reason,
			    st.debug);
		else
			request_fail(r, VALIDATION_E_REFUSED,
			    "TestBlockValidity failed: %s", st.reason);
		return -1;
	}
	return 0;
}

struct generate_in {
	uint8_t *script;
	size_t script_len;
	int64_t nblocks;
	int64_t max_tries;
};

static void
generate_in_free(void *p)
{
	free(((struct generate_in *)p)->script);
}

void
validation_generated_free(struct validation_generated *g)
{
	free(g->hashes);
	memset(g, 0, sizeof(*g));
}

static void
generated_free(void *p)
{
	validation_generated_free(p);
}

static void
serve_generate(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct generate_in *in = inp;
	struct validation_generated *out = outp;
	/* Core converts maxtries to uint64_t: -1 means (nearly) forever. */
	uint64_t tries = (uint64_t)in->max_tries;
	int64_t nblocks = in->nblocks;
	struct block_tmpl t;
	struct block_result res;
	int rc;

	while (nblocks > 0 && !shutdown_requested()) {
		if (assemble_from_pool(v, r, in->script, in->script_len, &t) !=
		    0)
			return;
		rc = mining_grind(v, &t, &tries);
		if (rc < 0) {
			mining_tmpl_free(&t);
			break;
		}
		if (rc == 0) {
			mining_tmpl_free(&t);
			continue;
		}
		validation_process_block(v, 0, t.raw.p, t.raw.len, &res);
		mining_tmpl_free(&t);
		if (!res.accepted) {
			request_fail(r, VALIDATION_E_FAILED,
			    "ProcessNewBlock, block not accepted");
			return;
		}
		out->hashes = xreallocarray(out->hashes, out->n + 1,
		    sizeof(*out->hashes));
		memcpy(out->hashes[out->n++], res.hash, 32);
		nblocks--;
	}
}

int
validation_generate(struct validation *v, const uint8_t *script,
    size_t script_len, int64_t nblocks, int64_t max_tries,
    struct validation_generated *out, int timeout_ms,
    struct request_error *err)
{
	struct generate_in in;
	struct request *r;

	in.script = xmemdup(script, script_len ? script_len : 1);
	in.script_len = script_len;
	in.nblocks = nblocks;
	in.max_tries = max_tries;
	r = request_new(serve_generate, &in, sizeof(in), generate_in_free,
	    sizeof(*out), generated_free);
	return validation_request(v, r, timeout_ms, out, err);
}

/* The raw bytes of a mempool transaction (xmalloc'd): 0, or -1 if not there. */
static int
pool_lookup(struct validation *v, const uint8_t txid[32], uint8_t **raw,
    size_t *len)
{
	struct template_request req;
	struct template_txs tt;
	uint8_t ids[1][32];

	memcpy(ids[0], txid, 32);
	memset(&req, 0, sizeof(req));
	req.mode = TEMPLATE_LOOKUP;
	req.txids = (const uint8_t(*)[32])ids;
	req.ntxids = 1;
	validation_template(v, &req, &tt);
	*raw = NULL;
	if (tt.n == 1 && tt.txs[0].raw) {
		*raw = tt.txs[0].raw;
		*len = tt.txs[0].len;
		tt.txs[0].raw = NULL;
	}
	template_txs_free(&tt);
	return *raw ? 0 : -1;
}

struct genblock_in {
	uint8_t *script;
	size_t script_len;
	struct validation_block_tx *txs; /* raw copies owned */
	size_t ntxs;
	int complete;
	int submit;
};

static void
genblock_in_free(void *p)
{
	struct genblock_in *in = p;
	size_t i;

	for (i = 0; i < in->ntxs; i++)
		free(in->txs[i].raw);
	free(in->txs);
	free(in->script);
}

void
validation_block_made_free(struct validation_block_made *b)
{
	free(b->raw);
	memset(b, 0, sizeof(*b));
}

static void
block_made_free(void *p)
{
	validation_block_made_free(p);
}

/* Parses the block's transactions: looked up (txids) or given. 0, or -1. */
static int
genblock_txs(struct validation *v, struct genblock_in *in,
    struct validation_block_made *out, struct tx *txs, uint8_t **bufs)
{
	struct validation_block_tx *e;
	struct rbuf rb;
	size_t i, blen = 0;
	char hex[65];

	for (i = 0; i < in->ntxs; i++) {
		e = &in->txs[i];
		if (e->is_txid) {
			/* A txid names a mempool transaction, as in Core. */
			if (pool_lookup(v, e->txid, &bufs[i], &blen) != 0) {
				out->missing = 1;
				out->missing_at = i;
				return -1;
			}
		} else {
			bufs[i] = xmemdup(e->raw, e->len ? e->len : 1);
			blen = e->len;
		}
		rbuf_init(&rb, bufs[i], blen);
		if (tx_parse(&rb, &txs[i], TX_ALLOW_WITNESS) != 0 ||
		    rbuf_left(&rb) != 0) {
			hash_to_hex(e->txid, hex);
			fatalx("%s: transaction %zu (%s) does not parse",
			    __func__, i, e->is_txid ? hex : "given");
		}
	}
	return 0;
}

static void
serve_generate_block(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct genblock_in *in = inp;
	struct validation_block_made *out = outp;
	size_t n = in->ntxs, i;
	struct tx *txs = xcalloc(n ? n : 1, sizeof(*txs));
	uint8_t **bufs = xcalloc(n ? n : 1, sizeof(*bufs));
	uint64_t tries = 1000000; /* Core's DEFAULT_MAX_TRIES */
	struct block_result res;
	struct block_tmpl t;
	struct val_state st;
	int rc, made = 0;

	if (genblock_txs(v, in, out, txs, bufs) != 0 || !in->complete)
		goto out;
	/* Core's generateblock leaves the fees unclaimed: subsidy only. */
	if (mining_assemble(v, in->script, in->script_len, txs, n, 0, &t) !=
	    0) {
		request_fail(r, VALIDATION_E_FAILED, "no chain tip");
		goto out;
	}
	made = 1;
	if (chainstate_test_block(v->cs, &t.b, 0, 0, &st) != 0) {
		if (st.debug[0])
			request_fail(r, VALIDATION_E_REJECTED,
			    "TestBlockValidity failed: %s, %s", st.reason,
			    st.debug);
		else
			request_fail(r, VALIDATION_E_REJECTED,
			    "TestBlockValidity failed: %s", st.reason);
		goto out;
	}
	rc = mining_grind(v, &t, &tries);
	if (rc != 1) {
		request_fail(r, VALIDATION_E_REFUSED, "Failed to make block.");
		goto out;
	}
	if (in->submit) {
		validation_process_block(v, 0, t.raw.p, t.raw.len, &res);
		if (!res.accepted) {
			request_fail(r, VALIDATION_E_FAILED,
			    "ProcessNewBlock, block not accepted");
			goto out;
		}
	} else {
		out->raw = xmemdup(t.raw.p, t.raw.len);
		out->len = t.raw.len;
	}
	memcpy(out->hash, t.b.hash, 32);
	out->made = 1;
out:
	if (made)
		mining_tmpl_free(&t);
	for (i = 0; i < n; i++) {
		if (bufs[i] != NULL)
			tx_free(&txs[i]);
		free(bufs[i]);
	}
	free(txs);
	free(bufs);
}

int
validation_generate_block(struct validation *v, const uint8_t *script,
    size_t script_len, const struct validation_block_tx *txs, size_t ntxs,
    int complete, int submit, struct validation_block_made *out,
    int timeout_ms, struct request_error *err)
{
	struct genblock_in in;
	struct request *r;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.script = xmemdup(script, script_len ? script_len : 1);
	in.script_len = script_len;
	in.txs = xcalloc(ntxs ? ntxs : 1, sizeof(*in.txs));
	for (i = 0; i < ntxs; i++) {
		in.txs[i] = txs[i];
		in.txs[i].raw = txs[i].is_txid ?
		    NULL :
		    xmemdup(txs[i].raw, txs[i].len ? txs[i].len : 1);
	}
	in.ntxs = ntxs;
	in.complete = complete;
	in.submit = submit;
	r = request_new(serve_generate_block, &in, sizeof(in),
	    genblock_in_free, sizeof(*out), block_made_free);
	return validation_request(v, r, timeout_ms, out, err);
}

/*
 * Core's UpdateUncommittedBlockStructures: a block that commits to its
 * witnesses but whose coinbase has no witness gets the default reserved
 * value (32 zero bytes). Returns a re-serialized copy, or NULL when
 * nothing changed.
 */
static uint8_t *
add_witness_nonce(struct validation *v, struct block *b, size_t *len)
{
	struct block_index_entry prev;
	static const uint8_t zero[32];
	struct witem item;
	struct txin *in;
	struct wbuf w;

	if (chainstate_lookup(v->cs, b->hdr.prev, &prev, NULL) != 0 ||
	    !consensus_deployment_active(v->cp->segwit_height,
		prev.height + 1) ||
	    consensus_witness_commitment_index(b) < 0)
		return NULL;
	in = &b->txs[0].vin[0];
	if (in->wit_count != 0)
		return NULL;
	item.p = zero;
	item.len = 32;
	in->wit = &item;
	in->wit_count = 1;
	wbuf_init(&w);
	block_serialize(b, &w, 1);
	in->wit = NULL;
	in->wit_count = 0;
	return wbuf_steal(&w, len);
}

/* What the caller sent: bytes, owned by the request. */
struct bytes_in {
	uint8_t *p;
	size_t len;
};

static void
bytes_in_free(void *p)
{
	free(((struct bytes_in *)p)->p);
}

static int
send_bytes(struct validation *v, request_fn fn, const uint8_t *p, size_t len,
    void *out, size_t outlen, int timeout_ms, struct request_error *err)
{
	struct bytes_in in;
	struct request *r;

	in.p = xmemdup(p, len ? len : 1);
	in.len = len;
	r = request_new(fn, &in, sizeof(in), bytes_in_free, outlen, NULL);
	return validation_request(v, r, timeout_ms, out, err);
}

static void
verdict_reason(struct validation_block_verdict *out, const char *reason)
{
	out->verdict = VALIDATION_INVALID;
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

static void
serve_submit_block(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct bytes_in *in = inp;
	struct validation_block_verdict *out = outp;
	struct block_result res;
	uint8_t *fixed;
	struct block b;
	size_t len;

	if (block_parse_prefix(in->p, in->len, &b, &len) != 0)
		fatalx("%s: the caller's block does not parse", __func__);
	fixed = add_witness_nonce(v, &b, &len);
	block_free(&b);
	validation_process_block(v, 0, fixed ? fixed : in->p, len, &res);
	free(fixed);
	if (res.accepted && !res.new_block)
		out->verdict = VALIDATION_DUPLICATE;
	else if (!res.checked)
		out->verdict = VALIDATION_INCONCLUSIVE;
	else if (res.st.error)
		request_fail(r, VALIDATION_E_REJECTED, "%s", res.st.debug);
	else if (res.st.invalid)
		verdict_reason(out, res.st.reason);
	else
		out->verdict = VALIDATION_ACCEPTED;
}

int
validation_submit_rpc_block(struct validation *v, const uint8_t *raw,
    size_t len, struct validation_block_verdict *out, int timeout_ms,
    struct request_error *err)
{
	return send_bytes(v, serve_submit_block, raw, len, out, sizeof(*out),
	    timeout_ms, err);
}

static void
serve_check_proposal(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct bytes_in *in = inp;
	struct validation_block_verdict *out = outp;
	struct block_index_entry e;
	struct val_state st;
	struct block b;
	size_t len;

	(void)r;
	if (block_parse_prefix(in->p, in->len, &b, &len) != 0)
		fatalx("%s: the caller's block does not parse", __func__);
	if (chainstate_lookup(v->cs, b.hash, &e, NULL) == 0) {
		if (e.status & BLOCK_VALID_SCRIPTS)
			out->verdict = VALIDATION_DUPLICATE;
		else if (e.status & BLOCK_FAILED_MASK)
			out->verdict = VALIDATION_DUPLICATE_INVALID;
		else
			out->verdict = VALIDATION_DUPLICATE_INCONCLUSIVE;
	} else if (chainstate_test_block(v->cs, &b, 0, 1, &st) != 0)
		verdict_reason(out, st.reason);
	else
		out->verdict = VALIDATION_ACCEPTED;
	block_free(&b);
}

int
validation_check_proposal(struct validation *v, const uint8_t *raw, size_t len,
    struct validation_block_verdict *out, int timeout_ms,
    struct request_error *err)
{
	return send_bytes(v, serve_check_proposal, raw, len, out, sizeof(*out),
	    timeout_ms, err);
}

static void
serve_submit_header(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct bytes_in *in = inp;
	uint8_t hash[32];
	char phex[65];
	struct block_header h;
	struct val_state st;
	struct rbuf rb;
	size_t accepted;

	(void)outp;
	rbuf_init(&rb, in->p, in->len);
	if (header_parse(&rb, &h) != 0)
		fatalx("%s: the caller's header does not parse", __func__);
	if (chainstate_lookup(v->cs, h.prev, NULL, NULL) != 0) {
		hash_to_hex(h.prev, phex);
		request_fail(r, VALIDATION_E_REJECTED,
		    "Must submit previous header (%s) first", phex);
		return;
	}
	if (chainstate_process_headers(v->cs, &h, 1, &accepted, hash, &st) !=
	    VAL_OK)
		request_fail(r, VALIDATION_E_REJECTED, "%s",
		    st.error ? st.debug : st.reason);
}

int
validation_submit_rpc_header(struct validation *v, const uint8_t raw[80],
    int timeout_ms, struct request_error *err)
{
	char none;

	return send_bytes(v, serve_submit_header, raw, BLOCK_HEADER_SIZE,
	    &none, 0, timeout_ms, err);
}

static void
template_free(void *p)
{
	template_txs_free(&((struct validation_template *)p)->txs);
}

static void
serve_template(void *owner, void *inp, void *outp, struct request *r)
{
	static const uint8_t empty[1];
	struct validation *v = owner;
	struct validation_template *out = outp;
	struct bindex *tip = chain_tip(&v->cs->chain);
	const struct vb_deployment *d;
	struct block_tmpl t;
	struct tx *txs;
	int64_t fees;
	size_t ntx;
	int nd, i, rc;

	(void)inp;
	/* The coinbase is the miner's to build: an empty script here. */
	ntx = mining_select(v, &out->txs, &txs, &fees);
	rc = mining_assemble(v, empty, 0, txs, ntx, fees, &t);
	mining_txs_free(txs, ntx);
	if (rc != 0) {
		request_fail(r, VALIDATION_E_FAILED, "no chain tip");
		return;
	}
	out->version = t.b.hdr.version;
	out->height = t.height;
	memcpy(out->prev, tip->e.hash, 32);
	out->bits = t.b.hdr.bits;
	out->curtime = t.b.hdr.time;
	out->mintime = bindex_median_time_past(tip) + 1;
	out->coinbase_value = t.coinbase_value;
	out->pre_segwit = !consensus_deployment_active(v->cp->segwit_height,
	    t.height);
	out->has_commitment = t.has_commitment;
	memcpy(out->commitment, t.commitment, sizeof(out->commitment));
	mining_tmpl_free(&t);
	d = vb_deployments(v->cp, &nd);
	if (nd > VALIDATION_MAX_DEPLOYMENTS)
		fatalx("%s: %d deployments", __func__, nd);
	for (i = 0; i < nd; i++) {
		enum vb_state s = vb_state_after(&d[i], tip);

		out->deployments[i].name = d[i].name;
		out->deployments[i].bit = d[i].bit;
		out->deployments[i].active = s == VB_ACTIVE;
		out->deployments[i].signalling = s == VB_STARTED ||
		    s == VB_LOCKED_IN;
	}
	out->ndeployments = (size_t)nd;
}

int
validation_get_template(struct validation *v, struct validation_template *out,
    int timeout_ms, struct request_error *err)
{
	struct request *r = request_new(serve_template, NULL, 0, NULL,
	    sizeof(*out), template_free);

	return validation_request(v, r, timeout_ms, out, err);
}

static void
serve_mining_info(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct validation_mining_info *out = outp;
	struct bindex *tip = chain_tip(&v->cs->chain);
	struct template_request req;
	struct template_txs tt;
	struct block_header nh;
	int64_t t, mtp;

	(void)inp;
	(void)r;
	out->height = tip->e.height;
	out->bits = tip->e.hdr.bits;
	out->have_assembled = v->have_assembled;
	out->last_block_weight = v->last_block_weight;
	out->last_block_txs = v->last_block_txs;
	out->networkhashps = chainstate_network_hashps(v->cs, 120, -1);
	memset(&req, 0, sizeof(req));
	req.mode = TEMPLATE_COUNT;
	validation_template(v, &req, &tt);
	out->pooledtx = tt.pool_size;
	template_txs_free(&tt);
	/* The next block as it would be mined now (Core's NextEmptyBlockIndex). */
	memset(&nh, 0, sizeof(nh));
	mtp = bindex_median_time_past(tip);
	t = node_time();
	nh.time = (uint32_t)(t > mtp ? t : mtp + 1);
	out->next_bits = next_work_required(v->cs, tip, &nh);
}

int
validation_mining_info(struct validation *v,
    struct validation_mining_info *out, int timeout_ms,
    struct request_error *err)
{
	struct request *r = request_new(serve_mining_info, NULL, 0, NULL,
	    sizeof(*out), NULL);

	return validation_request(v, r, timeout_ms, out, err);
}
