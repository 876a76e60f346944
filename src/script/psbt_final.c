/*
 * Finalising and extracting PSBTs: Core's FinalizePSBT, which runs
 * SignPSBTInput with no keys, so that ProduceSignature builds each
 * input's scripts from the partial signatures, redeem and witness
 * scripts the PSBT carries and keeps them only if the standard script
 * check passes.
 *
 * Satisfied here, as Core satisfies them from PSBT data: P2PK, P2PKH,
 * multisig, P2SH around those or around P2WPKH/P2WSH, P2WPKH, P2WSH
 * around P2PK, P2PKH or multisig, and P2TR by its key-path signature.
 * Not satisfied (left unfinalised): taproot script paths and witness
 * scripts Core satisfies through miniscript (hash locks, timelocks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "script/psbt.h"
#include "script/script.h"
#include "script/solver.h"
#include "util/xmalloc.h"

/* The partial signature for pubkey pk, or NULL. */
static const struct psbt_rec *
sig_for_key(const struct psbt_input *in, const uint8_t *pk, size_t len)
{
	size_t i;

	for (i = 0; i < in->sigs.n; i++)
		if (in->sigs.r[i].klen == len + 1 &&
		    memcmp(in->sigs.r[i].key + 1, pk, len) == 0)
			return &in->sigs.r[i];
	return NULL;
}

/* The partial signature whose key hashes to h160, or NULL. */
static const struct psbt_rec *
sig_for_hash(const struct psbt_input *in, const uint8_t *h160)
{
	uint8_t h[20];
	size_t i;

	for (i = 0; i < in->sigs.n; i++) {
		hash160(in->sigs.r[i].key + 1, in->sigs.r[i].klen - 1, h);
		if (memcmp(h, h160, 20) == 0)
			return &in->sigs.r[i];
	}
	return NULL;
}

/* Stack items being built: borrowed pointers. */
struct items {
	struct witem it[MAX_PUBKEYS_PER_MULTISIG + 3];
	size_t n;
};

static void
push(struct items *st, const uint8_t *p, size_t len)
{
	st->it[st->n].p = p;
	st->it[st->n].len = len;
	st->n++;
}

/*
 * Core's SignStep for the templates a PSBT can satisfy with signatures:
 * the stack that spends script s. 1 when solved.
 */
static int
solve_with_sigs(const struct psbt_input *in, const uint8_t *s, size_t len,
    struct items *st)
{
	static const uint8_t empty[1];
	struct script_solution sol;
	const struct psbt_rec *r;
	size_t i;
	int got = 0;

	switch (script_solve(s, len, &sol)) {
	case SCRIPT_PUBKEY:
		if ((r = sig_for_key(in, sol.item[0], sol.len[0])) == NULL)
			return 0;
		push(st, r->val, r->vlen);
		return 1;
	case SCRIPT_PUBKEYHASH:
	case SCRIPT_WITNESS_V0_KEYHASH:
		if ((r = sig_for_hash(in, sol.item[0])) == NULL)
			return 0;
		push(st, r->val, r->vlen);
		push(st, r->key + 1, r->klen - 1);
		return 1;
	case SCRIPT_MULTISIG:
		/* The dummy element CHECKMULTISIG pops, then m signatures. */
		push(st, empty, 0);
		for (i = 0; i < sol.n && got < sol.required; i++)
			if ((r = sig_for_key(in, sol.item[i], sol.len[i]))) {
				push(st, r->val, r->vlen);
				got++;
			}
		return got == sol.required;
	default:
		return 0;
	}
}

/* Appends a witness stack's serialization (count, items). */
static void
put_stack(struct wbuf *w, const struct items *st)
{
	size_t i;

	wbuf_put_compact(w, st->n);
	for (i = 0; i < st->n; i++) {
		wbuf_put_compact(w, st->it[i].len);
		if (st->it[i].len > 0)
			wbuf_put(w, st->it[i].p, st->it[i].len);
	}
}

static void
put_pushes(struct wbuf *w, const struct items *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		script_push_data(w, st->it[i].p, st->it[i].len);
}

/*
 * Builds input i's final scriptSig (*sig) and witness (*wit, serialized)
 * for the output it spends. Returns 1 when solved; *is_witness tells
 * whether a witness signature was produced.
 */
static int
produce(const struct psbt_input *in, const struct txout *utxo,
    struct wbuf *sig, struct wbuf *wit, int *is_witness)
{
	struct script_solution sol;
	struct items st;
	const uint8_t *s = utxo->script;
	size_t len = utxo->script_len;
	uint8_t h[32];
	int p2sh = 0;

	memset(&st, 0, sizeof(st));
	*is_witness = 0;
	if (script_solve(s, len, &sol) == SCRIPT_SCRIPTHASH) {
		if (in->redeem_len == 0)
			return 0;
		hash160(in->redeem, in->redeem_len, h);
		if (memcmp(h, sol.item[0], 20) != 0)
			return 0;
		s = in->redeem;
		len = in->redeem_len;
		p2sh = 1;
	}
	/*
	 * Core's ProduceSignature calls a spend a witness one as soon as it
	 * knows the witness program's script, before any signature.
	 */
	switch (script_solve(s, len, &sol)) {
	case SCRIPT_WITNESS_V0_KEYHASH:
		*is_witness = 1;
		if (!solve_with_sigs(in, s, len, &st))
			return 0;
		put_stack(wit, &st);
		break;
	case SCRIPT_WITNESS_V0_SCRIPTHASH:
		if (in->wscript_len == 0)
			return 0;
		sha256(in->wscript, in->wscript_len, h);
		if (memcmp(h, sol.item[0], 32) != 0)
			return 0;
		*is_witness = 1;
		if (script_solve(in->wscript, in->wscript_len, &sol) ==
		    SCRIPT_SCRIPTHASH ||
		    !solve_with_sigs(in, in->wscript, in->wscript_len, &st))
			return 0;
		push(&st, in->wscript, in->wscript_len);
		put_stack(wit, &st);
		break;
	case SCRIPT_WITNESS_V1_TAPROOT:
		/*
		 * Key path only. Core counts a taproot spend as a witness
		 * one even unsolved (not inside P2SH, which cannot spend it).
		 */
		if (p2sh)
			return 0;
		*is_witness = 1;
		if (in->tap_key_sig_len == 0)
			return 0;
		push(&st, in->tap_key_sig, in->tap_key_sig_len);
		put_stack(wit, &st);
		break;
	case SCRIPT_SCRIPTHASH:
		return 0;
	default:
		if (!solve_with_sigs(in, s, len, &st))
			return 0;
		put_pushes(sig, &st);
		break;
	}
	if (p2sh)
		script_push_data(sig, in->redeem, in->redeem_len);
	return 1;
}

/* The stack of a serialized witness, borrowing from p. */
static struct witem *
stack_items(const uint8_t *p, size_t len, size_t *n)
{
	struct psbt_input tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.have_final_wit = 1;
	tmp.final_wit = (uint8_t *)(uintptr_t)p;
	tmp.final_wit_len = len;
	return psbt_final_witness(&tmp, n);
}

/* The spent output as the input's witness UTXO (a copy). */
static void
set_witness_utxo(struct psbt_input *in, const struct txout *utxo)
{
	uint8_t *copy = xmemdup(utxo->script, utxo->script_len ?
	    utxo->script_len : 1);

	free(in->wu_script);
	in->wu_script = copy;
	in->wu_script_len = utxo->script_len;
	in->wu_value = utxo->value;
	in->have_wu = 1;
}

/*
 * Verifies input i of p's transaction with scriptSig sig and witness
 * wit (serialized stack, or NULL) against utxo, with the standard flags.
 */
static int
verify_with(const struct psbt *p, size_t i, const struct txout *utxo,
    const uint8_t *sig, size_t siglen, const uint8_t *wit, size_t witlen,
    const struct script_txdata *td)
{
	struct tx tx = p->tx;
	struct txin *vin;
	int ok, err;

	vin = xcalloc(tx.vin_count, sizeof(*vin));
	memcpy(vin, tx.vin, tx.vin_count * sizeof(*vin));
	vin[i].script = sig;
	vin[i].script_len = siglen;
	vin[i].wit = wit != NULL ? stack_items(wit, witlen, &vin[i].wit_count) :
	    NULL;
	tx.vin = vin;
	ok = script_verify_input(&tx, i, utxo, SCRIPT_STANDARD_VERIFY_FLAGS,
	    td, &err);
	free(vin[i].wit);
	free(vin);
	return ok;
}

/*
 * Core's SignPSBTInput with no keys: returns whether input i is
 * complete; with finalize, a complete input gets its final scripts and
 * loses its partial fields.
 */
static int
sign_input(struct psbt *p, size_t i, const struct script_txdata *td,
    int finalize)
{
	struct psbt_input *in = &p->in[i];
	struct txout utxo;
	struct wbuf sig, wit;
	int is_witness, solved, ok = 0;

	if (!psbt_input_utxo(p, i, &utxo))
		return 0;
	/* PSBTInputSignedAndVerified: the final scripts (maybe none) pass. */
	if (verify_with(p, i, &utxo, in->final_sig, in->final_sig_len,
	    in->have_final_wit ? in->final_wit : NULL, in->final_wit_len, td))
		return 1;
	if (psbt_input_is_final(in)) {
		/*
		 * Final scripts that fail the check: Core's signer takes
		 * them as complete without looking, then wants a witness
		 * spend when only the witness UTXO vouches for the amount.
		 */
		if (!in->have_nwu)
			return 0;
		if (finalize)
			psbt_input_clear_partial(in);
		return 1;
	}
	wbuf_init(&sig);
	wbuf_init(&wit);
	solved = produce(in, &utxo, &sig, &wit, &is_witness);
	/*
	 * A witness UTXO alone proves nothing of the amount for a
	 * pre-segwit signature: Core requires a witness signature then.
	 */
	if (!in->have_nwu && !is_witness)
		goto out;
	/* The check ProduceSignature ends with. */
	ok = solved && verify_with(p, i, &utxo, sig.p, sig.len,
	    is_witness ? wit.p : NULL, wit.len, td);
	if (ok && finalize) {
		psbt_input_clear_partial(in);
		if (sig.len > 0)
			psbt_set_bytes(&in->final_sig, &in->final_sig_len,
			    sig.p, sig.len);
		if (is_witness) {
			psbt_set_bytes(&in->final_wit, &in->final_wit_len,
			    wit.p, wit.len);
			in->have_final_wit = 1;
		}
	}
	/* "If we have a witness signature, put a witness UTXO." */
	if (is_witness)
		set_witness_utxo(in, &utxo);
out:
	wbuf_free(&sig);
	wbuf_free(&wit);
	return ok;
}

/* PrecomputePSBTData: the spent outputs only when all are known. */
static struct script_txdata *
precompute(const struct psbt *p, struct txout **spent)
{
	size_t i;

	*spent = xcalloc(p->tx.vin_count + 1, sizeof(**spent));
	for (i = 0; i < p->tx.vin_count; i++)
		if (!psbt_input_utxo(p, i, &(*spent)[i]))
			return NULL;
	return script_txdata_new(&p->tx, *spent);
}

void
psbt_input_update(struct psbt *p, size_t i)
{
	struct script_txdata *td;
	struct txout *spent;

	td = precompute(p, &spent);
	(void)sign_input(p, i, td, 0);
	if (td != NULL)
		script_txdata_free(td);
	free(spent);
}

int
psbt_finalize(struct psbt *p)
{
	struct script_txdata *td;
	struct txout *spent;
	size_t i;
	int complete = 1;

	td = precompute(p, &spent);
	for (i = 0; i < p->tx.vin_count; i++)
		complete &= sign_input(p, i, td, 1);
	if (td != NULL)
		script_txdata_free(td);
	free(spent);
	return complete;
}

void
psbt_extract(const struct psbt *p, struct tx *tx)
{
	size_t i;

	*tx = p->tx;
	tx->arena = NULL;
	tx->vin = xcalloc(p->tx.vin_count + 1, sizeof(*tx->vin));
	for (i = 0; i < p->tx.vin_count; i++) {
		tx->vin[i] = p->tx.vin[i];
		tx->vin[i].script = p->in[i].final_sig;
		tx->vin[i].script_len = p->in[i].final_sig_len;
		tx->vin[i].wit = psbt_final_witness(&p->in[i],
		    &tx->vin[i].wit_count);
	}
	tx->vout = p->tx.vout;
}

void
psbt_extract_free(struct tx *tx)
{
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		free(tx->vin[i].wit);
	free(tx->vin);
	memset(tx, 0, sizeof(*tx));
}
