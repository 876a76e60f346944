/*
 * BIP325 signet block solutions. A signet block's signature plays the part
 * proof of work plays elsewhere, so this sits beside pow.c and validation
 * calls it from the same place (Core's CheckBlock, when it checks PoW).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/signet.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "util/log.h"
#include "util/xmalloc.h"

const uint8_t signet_header[SIGNET_HEADER_LEN] = { 0xec, 0xc7, 0xda, 0xa2 };

/* Pointed at instead of NULL, so that no memcpy ever sees a NULL source. */
static const uint8_t empty[1];
static const uint8_t op_return[1] = { OP_RETURN };

/* to_spend's scriptSig data: nVersion, hashPrevBlock, merkle root, nTime. */
#define SIGNET_BLOCK_DATA_LEN (4 + 32 + 32 + 4)

const char *
signet_strerror(int err)
{
	switch (err) {
	case SIGNET_OK: return "ok";
	case SIGNET_ERR_NO_COINBASE: return "block has no coinbase";
	case SIGNET_ERR_NO_COMMITMENT:
		return "block has no witness commitment";
	case SIGNET_ERR_PARSE: return "block solution parse failure";
	case SIGNET_ERR_SCRIPT: return "block solution invalid";
	}
	return "unknown signet error";
}

/* A push as Core's CScript << bytes writes it: the shortest prefix for n. */
static void
put_push(struct wbuf *w, const uint8_t *p, size_t n)
{
	if (n < OP_PUSHDATA1)
		wbuf_put_u8(w, (uint8_t)n);
	else if (n <= 0xff) {
		wbuf_put_u8(w, OP_PUSHDATA1);
		wbuf_put_u8(w, (uint8_t)n);
	} else if (n <= 0xffff) {
		wbuf_put_u8(w, OP_PUSHDATA2);
		wbuf_put_le16(w, (uint16_t)n);
	} else {
		wbuf_put_u8(w, OP_PUSHDATA4);
		wbuf_put_le32(w, (uint32_t)n);
	}
	wbuf_put(w, p, n);
}

int
signet_split_commitment(const uint8_t *script, size_t len,
    struct wbuf *stripped, const uint8_t **sol, size_t *sol_len)
{
	const uint8_t *data;
	struct wbuf out;
	size_t pc = 0, dlen;
	unsigned op;
	int found = 0;

	wbuf_init(&out);
	while (script_get_op(script, len, &pc, &op, &data, &dlen)) {
		if (dlen == 0) {
			/* Core writes an empty push back as its bare opcode. */
			wbuf_put_u8(&out, (uint8_t)op);
			continue;
		}
		/* Only the header followed by data counts. */
		if (!found && dlen > SIGNET_HEADER_LEN &&
		    memcmp(data, signet_header, SIGNET_HEADER_LEN) == 0) {
			*sol = data + SIGNET_HEADER_LEN;
			*sol_len = dlen - SIGNET_HEADER_LEN;
			dlen = SIGNET_HEADER_LEN;
			found = 1;
		}
		put_push(&out, data, dlen);
	}
	if (found)
		wbuf_put(stripped, out.len ? out.p : empty, out.len);
	wbuf_free(&out);
	return found;
}

/*
 * The solution is a scriptSig then a witness stack, in Core's
 * serialization, and nothing after them. Points in's script and witness
 * items into sol; 0, or -1 with nothing allocated.
 */
static int
parse_solution(const uint8_t *sol, size_t len, struct txin *in)
{
	struct rbuf r;
	const uint8_t *p;
	uint64_t n, count, i;

	rbuf_init(&r, sol, len);
	if (rbuf_get_compact(&r, &n) != 0 || (p = rbuf_ptr(&r, n)) == NULL)
		return -1;
	in->script = p;
	in->script_len = n;
	/* Every item takes a byte at least: a larger count cannot be there. */
	if (rbuf_get_compact(&r, &count) != 0 || count > rbuf_left(&r))
		return -1;
	in->wit = count ? xcalloc(count, sizeof(*in->wit)) : NULL;
	for (i = 0; i < count; i++) {
		if (rbuf_get_compact(&r, &n) != 0 ||
		    (p = rbuf_ptr(&r, n)) == NULL)
			goto fail;
		in->wit[i].p = p;
		in->wit[i].len = n;
	}
	in->wit_count = count;
	if (rbuf_left(&r) != 0)
		goto fail;
	return 0;
fail:
	free(in->wit);
	in->wit = NULL;
	in->wit_count = 0;
	return -1;
}

static void
txid_of(const struct tx *tx, uint8_t out[32])
{
	struct wbuf w;

	wbuf_init(&w);
	tx_serialize(tx, &w, 0);
	hash256(w.p, w.len, out);
	wbuf_free(&w);
}

/* The merkle root of b with its coinbase replaced by cb. */
static void
modified_merkle_root(const struct block *b, const struct tx *cb,
    uint8_t out[32])
{
	uint8_t(*leaves)[32];
	size_t i;
	int mutated;

	leaves = xreallocarray(NULL, b->tx_count, sizeof(*leaves));
	txid_of(cb, leaves[0]);
	for (i = 1; i < b->tx_count; i++)
		memcpy(leaves[i], b->txs[i].txid, 32);
	merkle_root((const uint8_t(*)[32])leaves, b->tx_count, out, &mutated);
	free(leaves);
}

/*
 * One of BIP325's two virtual transactions: version 0, locktime 0, the one
 * input in (its prevout and script already set) with sequence 0, and one
 * output of value 0 paying to script.
 */
static void
virtual_tx(struct tx *tx, struct txin *in, struct txout *out,
    const uint8_t *script, size_t script_len)
{
	in->sequence = 0;
	out->value = 0;
	out->script = script;
	out->script_len = script_len;
	tx->version = 0;
	tx->locktime = 0;
	tx->vin_count = 1;
	tx->vin = in;
	tx->vout_count = 1;
	tx->vout = out;
	tx_compute_ids(tx);
}

int
signet_txs_make(const struct block *b, const uint8_t *challenge,
    size_t challenge_len, struct signet_txs *t)
{
	const struct tx *cb;
	struct tx modified;
	struct txout *outs = NULL;
	struct wbuf stripped;
	const uint8_t *sol;
	uint8_t root[32], *d;
	size_t sol_len;
	int cidx;

	memset(t, 0, sizeof(*t));
	if (b->tx_count == 0)
		return SIGNET_ERR_NO_COINBASE;
	if ((cidx = consensus_witness_commitment_index(b)) < 0)
		return SIGNET_ERR_NO_COMMITMENT;
	cb = &b->txs[0];
	modified = *cb;
	t->sign_in.script = empty;
	wbuf_init(&stripped);
	/* No solution is allowed: a trivial challenge (OP_TRUE) needs none. */
	if (signet_split_commitment(cb->vout[cidx].script,
		cb->vout[cidx].script_len, &stripped, &sol, &sol_len)) {
		if (parse_solution(sol, sol_len, &t->sign_in) != 0) {
			wbuf_free(&stripped);
			return SIGNET_ERR_PARSE;
		}
		outs = xreallocarray(NULL, cb->vout_count, sizeof(*outs));
		memcpy(outs, cb->vout, cb->vout_count * sizeof(*outs));
		outs[cidx].script = stripped.p;
		outs[cidx].script_len = stripped.len;
		modified.vout = outs;
	}
	modified_merkle_root(b, &modified, root);
	free(outs);
	wbuf_free(&stripped);

	/* to_spend: CScript(OP_0) << (version, prev, root, time). */
	d = t->spend_script;
	d[0] = OP_0;
	d[1] = SIGNET_BLOCK_DATA_LEN;
	le32_write(d + 2, (uint32_t)b->hdr.version);
	memcpy(d + 6, b->hdr.prev, 32);
	memcpy(d + 38, root, 32);
	le32_write(d + 70, b->hdr.time);
	memset(t->spend_in.prevout.hash, 0, 32);
	t->spend_in.prevout.n = 0xffffffffu;
	t->spend_in.script = t->spend_script;
	t->spend_in.script_len = sizeof(t->spend_script);
	virtual_tx(&t->to_spend, &t->spend_in, &t->spend_out,
	    challenge_len ? challenge : empty, challenge_len);

	/* to_sign: spends it with the solution, pays to OP_RETURN. */
	memcpy(t->sign_in.prevout.hash, t->to_spend.txid, 32);
	t->sign_in.prevout.n = 0;
	virtual_tx(&t->to_sign, &t->sign_in, &t->sign_out, op_return,
	    sizeof(op_return));
	return SIGNET_OK;
}

void
signet_txs_free(struct signet_txs *t)
{
	free(t->sign_in.wit);
	t->sign_in.wit = NULL;
	t->sign_in.wit_count = 0;
}

int
signet_check_block(const struct chainparams *cp, const struct block *b,
    int *script_err)
{
	struct script_txdata *td;
	struct signet_txs t;
	int rc, err = SCRIPT_ERR_OK, ok;

	if (script_err != NULL)
		*script_err = SCRIPT_ERR_OK;
	if (memcmp(b->hash, cp->genesis_hash, 32) == 0)
		return SIGNET_OK;
	rc = signet_txs_make(b, cp->signet_challenge, cp->signet_challenge_len,
	    &t);
	if (rc != SIGNET_OK) {
		log_debug(LOG_VALIDATION,
		    "CheckSignetBlockSolution: Errors in "
		    "block (%s)",
		    signet_strerror(rc));
		return rc;
	}
	td = script_txdata_new(&t.to_sign, &t.spend_out);
	ok = script_verify_input(&t.to_sign, 0, &t.spend_out,
	    SIGNET_SCRIPT_FLAGS, td, &err);
	script_txdata_free(td);
	signet_txs_free(&t);
	if (!ok) {
		log_debug(LOG_VALIDATION,
		    "CheckSignetBlockSolution: Errors in "
		    "block (%s: %s)",
		    signet_strerror(SIGNET_ERR_SCRIPT),
		    script_error_string(err));
		if (script_err != NULL)
			*script_err = err;
		return SIGNET_ERR_SCRIPT;
	}
	return SIGNET_OK;
}
