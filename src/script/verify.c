/*
 * Connecting an input to the output it spends (Core's VerifyScript):
 * scriptSig then scriptPubKey on one stack, P2SH redeem scripts, segwit v0
 * programs, and taproot key and script paths.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"

#define WITNESS_V0_KEYHASH_SIZE 20
#define WITNESS_V0_SCRIPTHASH_SIZE 32
#define WITNESS_V1_TAPROOT_SIZE 32
#define ANNEX_TAG 0x50
/* BIP342: budget = serialized witness size + this offset. */
#define VALIDATION_WEIGHT_OFFSET 50

static int
fail(int *err, int e)
{
	*err = e;
	return 0;
}

static int
stack_top_true(const struct stack *st)
{
	const struct selem *e;
	const uint8_t *p;
	size_t i;

	if (st->n == 0)
		return 0;
	e = &st->e[st->n - 1];
	p = selem_data(e);
	for (i = 0; i < e->len; i++)
		if (p[i] != 0)
			return !(i == e->len - 1 && p[i] == 0x80);
	return 0;
}

static size_t
witness_serialized_size(const struct txin *in)
{
	size_t i, n = compact_size_len(in->wit_count);

	for (i = 0; i < in->wit_count; i++)
		n += compact_size_len(in->wit[i].len) + in->wit[i].len;
	return n;
}

/*
 * Core's ExecuteWitnessScript: the script runs on the witness stack and
 * must leave exactly one true element.
 */
static int
exec_witness_script(struct stack *st, const uint8_t *script, size_t len,
    uint32_t flags, enum sigversion sv, struct exec_ctx *cx, int *err)
{
	const uint8_t *d;
	size_t pc, dl, i;
	unsigned op;

	if (sv == SIGVERSION_TAPSCRIPT) {
		/* OP_SUCCESSx overrides everything, even size limits. */
		pc = 0;
		while (pc < len) {
			if (!script_get_op(script, len, &pc, &op, &d, &dl))
				return fail(err, SCRIPT_ERR_BAD_OPCODE);
			if (script_op_is_success(op)) {
				if (flags &
				    SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS)
					return fail(err,
					    SCRIPT_ERR_DISCOURAGE_OP_SUCCESS);
				*err = SCRIPT_ERR_OK;
				return 1;
			}
		}
		if (st->n > MAX_STACK_SIZE)
			return fail(err, SCRIPT_ERR_STACK_SIZE);
	}
	for (i = 0; i < st->n; i++)
		if (st->e[i].len > MAX_SCRIPT_ELEMENT_SIZE)
			return fail(err, SCRIPT_ERR_PUSH_SIZE);
	if (!script_eval(st, script, len, flags, sv, cx, err))
		return 0;
	if (st->n != 1)
		return fail(err, SCRIPT_ERR_CLEANSTACK);
	if (!stack_top_true(st))
		return fail(err, SCRIPT_ERR_EVAL_FALSE);
	return 1;
}

static int
verify_taproot(const struct txin *in, struct stack *st, const uint8_t *program,
    uint32_t flags, struct exec_ctx *cx, int *err)
{
	const struct selem *ctl, *scr, *top;
	const uint8_t *control, *script;
	size_t clen, slen;

	if (st->n == 0)
		return fail(err, SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY);
	top = &st->e[st->n - 1];
	if (st->n >= 2 && top->len > 0 && selem_data(top)[0] == ANNEX_TAG) {
		/* The annex is committed to by signatures, else unused. */
		sig_annex_hash(selem_data(top), top->len, cx->annex_hash);
		cx->annex_present = 1;
		st->n--;
	} else
		cx->annex_present = 0;

	if (st->n == 1) {
		/* Key path. */
		top = &st->e[0];
		if (!sig_check_schnorr(cx, selem_data(top), top->len, program,
			SIGVERSION_TAPROOT, err))
			return 0;
		*err = SCRIPT_ERR_OK;
		return 1;
	}

	/*
	 * Script path: [stack...] script control. Both are witness items,
	 * pushed by reference, so their bytes stay put while the script
	 * runs on the (reused) stack slots below them.
	 */
	ctl = &st->e[st->n - 1];
	scr = &st->e[st->n - 2];
	control = selem_data(ctl);
	clen = ctl->len;
	script = selem_data(scr);
	slen = scr->len;
	st->n -= 2;
	if (clen < TAPROOT_CONTROL_BASE_SIZE ||
	    clen > TAPROOT_CONTROL_BASE_SIZE +
		    TAPROOT_CONTROL_NODE_SIZE *
			TAPROOT_CONTROL_MAX_NODE_COUNT ||
	    (clen - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE !=
		0)
		return fail(err, SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE);
	script_tapleaf_hash(control[0] & TAPROOT_LEAF_MASK, script, slen,
	    cx->tapleaf_hash);
	if (!script_taproot_commitment_check(control, clen, program,
		cx->tapleaf_hash))
		return fail(err, SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
	if ((control[0] & TAPROOT_LEAF_MASK) == TAPROOT_LEAF_TAPSCRIPT) {
		cx->weight_left = (int64_t)witness_serialized_size(in) +
		    VALIDATION_WEIGHT_OFFSET;
		return exec_witness_script(st, script, slen, flags,
		    SIGVERSION_TAPSCRIPT, cx, err);
	}
	if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION)
		return fail(err,
		    SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
	*err = SCRIPT_ERR_OK;
	return 1;
}

/* Core's VerifyWitnessProgram. */
static int
verify_witness_program(const struct txin *in, int version,
    const uint8_t *program, size_t plen, uint32_t flags, int is_p2sh,
    struct exec_ctx *cx, int *err)
{
	struct stack st;
	uint8_t h[32], p2wpkh[25];
	const struct witem *w;
	size_t i;
	int ok;

	stack_init(&st);
	/* Witness items live in the transaction: push them by reference. */
	for (i = 0; i < in->wit_count; i++)
		stack_push_ref(&st, in->wit[i].p, in->wit[i].len);

	if (version == 0) {
		if (plen == WITNESS_V0_SCRIPTHASH_SIZE) {
			if (in->wit_count == 0) {
				ok = fail(err,
				    SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY);
				goto out;
			}
			w = &in->wit[in->wit_count - 1];
			st.n--;
			sha256(w->p, w->len, h);
			if (memcmp(h, program, 32) != 0) {
				ok = fail(err,
				    SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
				goto out;
			}
			ok = exec_witness_script(&st, w->p, w->len, flags,
			    SIGVERSION_WITNESS_V0, cx, err);
		} else if (plen == WITNESS_V0_KEYHASH_SIZE) {
			if (in->wit_count != 2) {
				ok = fail(err,
				    SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
				goto out;
			}
			/* DUP HASH160 <program> EQUALVERIFY CHECKSIG */
			p2wpkh[0] = OP_DUP;
			p2wpkh[1] = OP_HASH160;
			p2wpkh[2] = 20;
			memcpy(p2wpkh + 3, program, 20);
			p2wpkh[23] = OP_EQUALVERIFY;
			p2wpkh[24] = OP_CHECKSIG;
			ok = exec_witness_script(&st, p2wpkh, sizeof(p2wpkh),
			    flags, SIGVERSION_WITNESS_V0, cx, err);
		} else
			ok = fail(err,
			    SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH);
	} else if (version == 1 && plen == WITNESS_V1_TAPROOT_SIZE &&
	    !is_p2sh) {
		if (!(flags & SCRIPT_VERIFY_TAPROOT)) {
			*err = SCRIPT_ERR_OK;
			ok = 1;
		} else
			ok = verify_taproot(in, &st, program, flags, cx, err);
	} else if (version == 1 && plen == 2 && program[0] == 0x4e &&
	    program[1] == 0x73 && !is_p2sh) {
		/* Pay-to-anchor: anyone can spend, never discouraged. */
		*err = SCRIPT_ERR_OK;
		ok = 1;
	} else if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM)
		ok = fail(err,
		    SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
	else {
		/* Unknown versions succeed: room for soft forks. */
		*err = SCRIPT_ERR_OK;
		ok = 1;
	}
out:
	stack_free(&st);
	return ok;
}

static int
verify_script(const struct txin *in, const uint8_t *spk, size_t spk_len,
    uint32_t flags, struct exec_ctx *cx, int *err)
{
	struct stack st, copy;
	const uint8_t *sig = in->script, *prog, *rs;
	size_t sig_len = in->script_len, plen, rs_len;
	uint8_t rs_buf[SELEM_INLINE];
	int version, had_witness = 0, ok = 0;

	stack_init(&st);
	stack_init(&copy);
	*err = SCRIPT_ERR_UNKNOWN_ERROR;
	if ((flags & SCRIPT_VERIFY_SIGPUSHONLY) &&
	    !script_is_push_only(sig, sig_len)) {
		*err = SCRIPT_ERR_SIG_PUSHONLY;
		goto out;
	}
	/* Evaluated in turn on one stack, never concatenated (CVE-2010-5141). */
	if (!script_eval(&st, sig, sig_len, flags, SIGVERSION_BASE, cx, err))
		goto out;
	if (flags & SCRIPT_VERIFY_P2SH)
		stack_assign(&copy, &st);
	if (!script_eval(&st, spk, spk_len, flags, SIGVERSION_BASE, cx, err))
		goto out;
	if (!stack_top_true(&st)) {
		*err = SCRIPT_ERR_EVAL_FALSE;
		goto out;
	}

	if ((flags & SCRIPT_VERIFY_WITNESS) &&
	    script_is_witness_program(spk, spk_len, &version, &prog, &plen)) {
		had_witness = 1;
		if (sig_len != 0) {
			*err = SCRIPT_ERR_WITNESS_MALLEATED;
			goto out;
		}
		if (!verify_witness_program(in, version, prog, plen, flags, 0,
			cx, err))
			goto out;
		/* The stack is not clean for witness programs; say it is. */
		st.n = 1;
	}

	if ((flags & SCRIPT_VERIFY_P2SH) && script_is_p2sh(spk, spk_len)) {
		const struct selem *top;

		if (!script_is_push_only(sig, sig_len)) {
			*err = SCRIPT_ERR_SIG_PUSHONLY;
			goto out;
		}
		stack_assign(&st, &copy);
		/* Never empty: HASH160 <h> EQUAL would have failed above. */
		if (st.n == 0) {
			*err = SCRIPT_ERR_INVALID_STACK_OPERATION;
			goto out;
		}
		top = &st.e[st.n - 1];
		if (top->p != NULL)
			rs = top->p;
		else {
			/* Inline values move with the stack: copy them. */
			memcpy(rs_buf, top->buf, top->len);
			rs = rs_buf;
		}
		rs_len = top->len;
		st.n--;
		if (!script_eval(&st, rs, rs_len, flags, SIGVERSION_BASE, cx,
			err))
			goto out;
		if (!stack_top_true(&st)) {
			*err = SCRIPT_ERR_EVAL_FALSE;
			goto out;
		}
		if ((flags & SCRIPT_VERIFY_WITNESS) &&
		    script_is_witness_program(rs, rs_len, &version, &prog,
			&plen)) {
			had_witness = 1;
			/* Exactly one push of the redeem script, no more. */
			if (sig_len != rs_len + 1 || sig[0] != rs_len ||
			    memcmp(sig + 1, rs, rs_len) != 0) {
				*err = SCRIPT_ERR_WITNESS_MALLEATED_P2SH;
				goto out;
			}
			if (!verify_witness_program(in, version, prog, plen,
				flags, 1, cx, err))
				goto out;
			st.n = 1;
		}
	}

	/* After P2SH and witness, whose inputs remain on the stack. */
	if ((flags & SCRIPT_VERIFY_CLEANSTACK) && st.n != 1) {
		*err = SCRIPT_ERR_CLEANSTACK;
		goto out;
	}
	if ((flags & SCRIPT_VERIFY_WITNESS) && !had_witness &&
	    in->wit_count > 0) {
		*err = SCRIPT_ERR_WITNESS_UNEXPECTED;
		goto out;
	}
	*err = SCRIPT_ERR_OK;
	ok = 1;
out:
	stack_free(&st);
	stack_free(&copy);
	return ok;
}

static int
verify_input(const struct tx *tx, size_t nin, const struct txout *spent,
    uint32_t flags, const struct script_txdata *td, struct sigcache *cache,
    int store, script_sig_fn fn, void *arg, int *err)
{
	struct exec_ctx cx;
	struct script_txdata *own = NULL;
	int e, ok;

	if (nin >= tx->vin_count || spent == NULL) {
		if (err != NULL)
			*err = SCRIPT_ERR_UNKNOWN_ERROR;
		return 0;
	}
	if (td == NULL)
		td = own = script_txdata_new(tx, NULL);
	memset(&cx, 0, sizeof(cx));
	cx.tx = tx;
	cx.nin = nin;
	cx.amount = spent->value;
	cx.td = td;
	cx.cache = cache;
	cx.cache_store = store;
	cx.sig_seen = fn;
	cx.sig_seen_arg = arg;
	cx.codesep_pos = UINT32_MAX;
	ok = verify_script(&tx->vin[nin], spent->script, spent->script_len,
	    flags, &cx, &e);
	script_txdata_free(own);
	if (err != NULL)
		*err = e;
	return ok;
}

int
script_verify_input_cached(const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td,
    struct sigcache *cache, int store, int *err)
{
	return verify_input(tx, nin, spent, flags, td, cache, store, NULL,
	    NULL, err);
}

int
script_verify_input_watch(const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td,
    script_sig_fn fn, void *arg, int *err)
{
	return verify_input(tx, nin, spent, flags, td, NULL, 0, fn, arg, err);
}

int
script_verify_input(const struct tx *tx, size_t nin, const struct txout *spent,
    uint32_t flags, const struct script_txdata *td, int *err)
{
	return script_verify_input_cached(tx, nin, spent, flags, td, NULL, 0,
	    err);
}
