/*
 * Input signing (see sign.h), following Core's script/sign.cpp step by
 * step: what an input already holds is read first (signatures that check
 * out, the redeem and witness scripts), then each template is solved with
 * the keys and scripts at hand, the result is pushed as the scriptSig or
 * witness, and the input is checked with the standard flags.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "script/sign_int.h"
#include "script/solver.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* ---- Byte strings and their vectors ---- */

struct bytes {
	uint8_t *p;
	size_t len;
};

struct bvec {
	struct bytes *v;
	size_t n, cap;
};

static void
bytes_set(struct bytes *b, const uint8_t *p, size_t len)
{
	free(b->p);
	b->p = len ? xmemdup(p, len) : NULL;
	b->len = len;
}

static void
bvec_push(struct bvec *v, const uint8_t *p, size_t len)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
	}
	v->v[v->n].p = NULL;
	bytes_set(&v->v[v->n++], p, len);
}

static void
bvec_clear(struct bvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i].p);
	v->n = 0;
}

static void
bvec_free(struct bvec *v)
{
	bvec_clear(v);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* Moves src's items to dst, leaving src empty. */
static void
bvec_move(struct bvec *dst, struct bvec *src)
{
	bvec_free(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

static void
bvec_pop(struct bvec *v)
{
	free(v->v[--v->n].p);
}

/* ---- What an input holds (Core's SignatureData) ---- */

struct sigentry {
	uint8_t id[20];
	uint8_t pub[KEY_PUBKEY_MAX];
	size_t publen;
	struct bytes sig;
};

struct sign_data {
	int complete;
	int witness; /* the input is a witness spend */
	struct bytes script_sig;
	struct bvec stack;     /* the witness */
	struct bytes redeem;   /* P2SH redeem script, if known */
	struct bytes wscript;  /* witness script, if known */
	struct sigentry *sigs; /* by key id; the first kept */
	size_t nsigs;
};

static void
sd_free(struct sign_data *sd)
{
	size_t i;

	free(sd->script_sig.p);
	bvec_free(&sd->stack);
	free(sd->redeem.p);
	free(sd->wscript.p);
	for (i = 0; i < sd->nsigs; i++)
		free(sd->sigs[i].sig.p);
	free(sd->sigs);
	memset(sd, 0, sizeof(*sd));
}

static const struct sigentry *
sd_sig(const struct sign_data *sd, const uint8_t id[20])
{
	size_t i;

	for (i = 0; i < sd->nsigs; i++)
		if (memcmp(sd->sigs[i].id, id, 20) == 0)
			return &sd->sigs[i];
	return NULL;
}

/* Records a signature unless the key already has one (map emplace). */
static void
sd_add_sig(struct sign_data *sd, const uint8_t *pk, size_t pklen,
    const uint8_t *sig, size_t siglen)
{
	struct sigentry *e;
	uint8_t id[20];

	hash160(pk, pklen, id);
	if (sd_sig(sd, id) != NULL || pklen > KEY_PUBKEY_MAX)
		return;
	sd->sigs = xreallocarray(sd->sigs, sd->nsigs + 1, sizeof(*sd->sigs));
	e = &sd->sigs[sd->nsigs++];
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, 20);
	memcpy(e->pub, pk, pklen);
	e->publen = pklen;
	bytes_set(&e->sig, sig, siglen);
}

/* Core's SignatureData::MergeSignatureData. */
static void
sd_merge(struct sign_data *dst, struct sign_data *src)
{
	size_t i;

	if (dst->complete)
		return;
	if (src->complete) {
		sd_free(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return;
	}
	if (dst->redeem.len == 0 && src->redeem.len > 0)
		bytes_set(&dst->redeem, src->redeem.p, src->redeem.len);
	if (dst->wscript.len == 0 && src->wscript.len > 0)
		bytes_set(&dst->wscript, src->wscript.p, src->wscript.len);
	for (i = 0; i < src->nsigs; i++)
		sd_add_sig(dst, src->sigs[i].pub, src->sigs[i].publen,
		    src->sigs[i].sig.p, src->sigs[i].sig.len);
}

/* ---- Checking ---- */

/*
 * A transaction as the check of input nin sees it: tx with that input's
 * scriptSig and witness replaced. The copy's input array is its own;
 * everything else is borrowed.
 */
struct view {
	struct tx tx;
	struct witem *wit;
};

static void
view_init(struct view *v, const struct tx *tx, size_t nin,
    const struct bytes *script_sig, const struct bvec *stack)
{
	struct txin *in;
	size_t i;

	v->tx = *tx;
	v->tx.vin = xmemdup(tx->vin, tx->vin_count * sizeof(*tx->vin));
	in = &v->tx.vin[nin];
	in->script = script_sig->p;
	in->script_len = script_sig->len;
	v->wit = xcalloc(stack->n + 1, sizeof(*v->wit));
	for (i = 0; i < stack->n; i++) {
		v->wit[i].p = stack->v[i].p;
		v->wit[i].len = stack->v[i].len;
	}
	in->wit = v->wit;
	in->wit_count = stack->n;
}

static void
view_free(struct view *v)
{
	free(v->tx.vin);
	free(v->wit);
}

/* VerifyScript of input nin with the given scriptSig and witness. */
static int
check_input(const struct tx *tx, size_t nin, const struct txout *spent,
    const struct bytes *script_sig, const struct bvec *stack,
    const struct script_txdata *td, script_sig_fn fn, void *arg, int *err)
{
	struct view v;
	int ok;

	view_init(&v, tx, nin, script_sig, stack);
	ok = script_verify_input_watch(&v.tx, nin, spent,
	    SCRIPT_STANDARD_VERIFY_FLAGS, td, fn, arg, err);
	view_free(&v);
	return ok;
}

static void
record_sig(void *arg, const uint8_t *sig, size_t siglen, const uint8_t *pk,
    size_t pklen)
{
	sd_add_sig(arg, pk, pklen, sig, siglen);
}

/*
 * Moves a non-empty top of stack (a P2SH redeem script, a P2WSH witness
 * script) into inner; 0 when there is none.
 */
static int
pop_inner(struct bvec *stack, struct bytes *inner)
{
	struct bytes *top;

	if (stack->n == 0 || stack->v[stack->n - 1].len == 0)
		return 0;
	top = &stack->v[stack->n - 1];
	bytes_set(inner, top->p, top->len);
	bvec_pop(stack);
	return 1;
}

/* Core's DataFromTransaction: what input nin of tx already holds. */
static void
data_from_tx(struct sign_data *sd, const struct tx *tx, size_t nin,
    const struct txout *spent)
{
	const struct txin *in = &tx->vin[nin];
	struct script_solution sol;
	struct exec_ctx cx;
	struct stack st;
	struct bvec script_stack, wit_stack;
	const uint8_t *next = spent->script;
	size_t next_len = spent->script_len, i, k, last = 0;
	enum sigversion sv = SIGVERSION_BASE;
	enum script_type type;
	int err;

	memset(sd, 0, sizeof(*sd));
	memset(&script_stack, 0, sizeof(script_stack));
	memset(&wit_stack, 0, sizeof(wit_stack));
	bytes_set(&sd->script_sig, in->script, in->script_len);
	for (i = 0; i < in->wit_count; i++) {
		bvec_push(&sd->stack, in->wit[i].p, in->wit[i].len);
		bvec_push(&wit_stack, in->wit[i].p, in->wit[i].len);
	}
	/* The scriptSig's pushes, as Core's Stacks evaluates them. */
	memset(&cx, 0, sizeof(cx));
	cx.tx = tx;
	cx.nin = nin;
	cx.amount = spent->value;
	cx.codesep_pos = UINT32_MAX;
	stack_init(&st);
	(void)script_eval(&st, in->script, in->script_len,
	    SCRIPT_VERIFY_STRICTENC, SIGVERSION_BASE, &cx, &err);
	for (i = 0; i < st.n; i++)
		bvec_push(&script_stack, selem_data(&st.e[i]), st.e[i].len);
	stack_free(&st);

	if (check_input(tx, nin, spent, &sd->script_sig, &sd->stack, NULL,
		record_sig, sd, &err)) {
		sd->complete = 1;
		goto out;
	}
	type = script_solve(next, next_len, &sol);
	if (type == SCRIPT_SCRIPTHASH &&
	    pop_inner(&script_stack, &sd->redeem)) {
		next = sd->redeem.p;
		next_len = sd->redeem.len;
		type = script_solve(next, next_len, &sol);
	}
	if (type == SCRIPT_WITNESS_V0_SCRIPTHASH &&
	    pop_inner(&wit_stack, &sd->wscript)) {
		next = sd->wscript.p;
		next_len = sd->wscript.len;
		type = script_solve(next, next_len, &sol);
		bvec_move(&script_stack, &wit_stack);
		sv = SIGVERSION_WITNESS_V0;
	}
	if (type == SCRIPT_MULTISIG && script_stack.n > 0) {
		/* Match signatures to keys in order, as CHECKMULTISIG would. */
		for (i = 0; i < script_stack.n; i++) {
			const struct bytes *sig = &script_stack.v[i];

			for (k = last; k < sol.n; k++) {
				uint8_t id[20];

				hash160(sol.item[k], sol.len[k], id);
				if (sd_sig(sd, id) != NULL ||
				    (sig->len > 0 &&
					sig_check_ecdsa(&cx, sig->p, sig->len,
					    sol.item[k], sol.len[k], next,
					    next_len, sv) &&
					(sd_add_sig(sd, sol.item[k],
					     sol.len[k], sig->p, sig->len),
					    1))) {
					last = k + 1;
					break;
				}
			}
		}
	}
out:
	bvec_free(&script_stack);
	bvec_free(&wit_stack);
}

/* ---- Producing signatures ---- */

/* Core's MutableTransactionSignatureCreator, with the provider. */
struct creator {
	const struct sign_provider *p; /* NULL: no keys (combining) */
	const struct tx *tx;
	size_t nin;
	int64_t amount;
	int hash_type;
	const struct script_txdata *td;
};

/* Core's CreateSig: a signature of pk over code, reused or made. */
static int
create_sig(const struct creator *cr, struct sign_data *sd, const uint8_t *pk,
    size_t pklen, const uint8_t *code, size_t code_len, enum sigversion sv,
    struct bytes *out)
{
	const struct sigentry *e;
	const struct skey *k;
	uint8_t id[20], hash[32], sig[KEY_DER_MAX + 1];
	size_t siglen;
	int ht;

	hash160(pk, pklen, id);
	if ((e = sd_sig(sd, id)) != NULL) {
		bytes_set(out, e->sig.p, e->sig.len);
		return 1;
	}
	if ((k = sign_provider_key(cr->p, id)) == NULL)
		return 0;
	/* No uncompressed keys and no unknown amounts in segwit v0. */
	if (sv == SIGVERSION_WITNESS_V0 &&
	    (!k->compressed || cr->amount < 0 || cr->amount > MAX_MONEY))
		return 0;
	ht = cr->hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : cr->hash_type;
	if (sv == SIGVERSION_WITNESS_V0)
		script_sighash_v0(cr->tx, cr->nin, code, code_len, cr->amount,
		    ht, cr->td, hash);
	else
		script_sighash_legacy(cr->tx, cr->nin, code, code_len, ht,
		    hash);
	if (key_sign_ecdsa(k->secret, hash, sig, &siglen) == -1)
		return 0;
	sig[siglen++] = (uint8_t)ht;
	bytes_set(out, sig, siglen);
	sd_add_sig(sd, pk, pklen, sig, siglen);
	return 1;
}

/*
 * Core's SignTaproot with keys alone: no spend data is known, so only the
 * output key itself can sign, untweaked, by key path. Core's creator
 * passes zero aux randomness, so the signature is deterministic. Needs
 * every spent output (the taproot sighash commits to them all).
 */
static int
taproot_key_sig(const struct creator *cr, const uint8_t x[32],
    struct bytes *out)
{
	uint8_t sig[65];
	size_t siglen;

	if (!sign_schnorr_create(cr->p, cr->td, cr->nin, cr->hash_type, x,
		NULL, 0, NULL, sig, &siglen))
		return 0;
	bytes_set(out, sig, siglen);
	return 1;
}

/* Core's GetPubKey: from the signatures held, else the provider. */
static int
get_pubkey(const struct creator *cr, const struct sign_data *sd,
    const uint8_t id[20], const uint8_t **pk, size_t *len)
{
	const struct sigentry *e;
	const struct skey *k;

	if ((e = sd_sig(sd, id)) != NULL) {
		*pk = e->pub;
		*len = e->publen;
		return 1;
	}
	if ((k = sign_provider_key(cr->p, id)) != NULL) {
		*pk = k->pub;
		*len = k->publen;
		return 1;
	}
	return 0;
}

/* Core's GetCScript: the provider's scripts, then the input's own. */
static int
get_script(const struct creator *cr, const struct sign_data *sd,
    const uint8_t id[20], struct bytes *out)
{
	const struct sscript *ps = sign_provider_script(cr->p, id);
	uint8_t h[20];

	if (ps != NULL) {
		bytes_set(out, ps->s, ps->len);
		return 1;
	}
	if (sd->redeem.len > 0) {
		hash160(sd->redeem.p, sd->redeem.len, h);
		if (memcmp(h, id, 20) == 0) {
			bytes_set(out, sd->redeem.p, sd->redeem.len);
			return 1;
		}
	}
	if (sd->wscript.len > 0) {
		hash160(sd->wscript.p, sd->wscript.len, h);
		if (memcmp(h, id, 20) == 0) {
			bytes_set(out, sd->wscript.p, sd->wscript.len);
			return 1;
		}
	}
	return 0;
}

/* Core's SignStep: the stack that satisfies one script template. */
static int
sign_step(const struct creator *cr, struct sign_data *sd, const uint8_t *s,
    size_t len, struct bvec *ret, enum script_type *type, enum sigversion sv)
{
	struct script_solution sol;
	struct bytes b = { NULL, 0 };
	const uint8_t *pk;
	uint8_t id[20];
	size_t pklen, i, required;
	int ok = 0;

	bvec_clear(ret);
	*type = script_solve(s, len, &sol);
	switch (*type) {
	case SCRIPT_NONSTANDARD:
	case SCRIPT_NULL_DATA:
	case SCRIPT_WITNESS_UNKNOWN:
		break;
	case SCRIPT_WITNESS_V1_TAPROOT:
		if ((ok = taproot_key_sig(cr, sol.item[0], &b)))
			bvec_push(ret, b.p, b.len);
		break;
	case SCRIPT_ANCHOR: ok = 1; break;
	case SCRIPT_PUBKEY:
		if ((ok = create_sig(cr, sd, sol.item[0], sol.len[0], s, len,
			 sv, &b)))
			bvec_push(ret, b.p, b.len);
		break;
	case SCRIPT_PUBKEYHASH:
		if (!get_pubkey(cr, sd, sol.item[0], &pk, &pklen))
			break;
		/* pk may point into sd's signatures, which create_sig grows. */
		{
			uint8_t key[KEY_PUBKEY_MAX];

			memcpy(key, pk, pklen);
			if ((ok = create_sig(cr, sd, key, pklen, s, len, sv,
				 &b))) {
				bvec_push(ret, b.p, b.len);
				bvec_push(ret, key, pklen);
			}
		}
		break;
	case SCRIPT_SCRIPTHASH:
		memcpy(id, sol.item[0], 20);
		if ((ok = get_script(cr, sd, id, &b)))
			bvec_push(ret, b.p, b.len);
		break;
	case SCRIPT_MULTISIG:
		required = (size_t)sol.required;
		bvec_push(ret, NULL, 0); /* CHECKMULTISIG's extra pop */
		for (i = 0; i < sol.n; i++)
			if (create_sig(cr, sd, sol.item[i], sol.len[i], s, len,
				sv, &b) &&
			    ret->n < required + 1)
				bvec_push(ret, b.p, b.len);
		ok = ret->n == required + 1;
		/* Core's padding loop, quirk and all. */
		for (i = 0; i + ret->n < required + 1; i++)
			bvec_push(ret, NULL, 0);
		break;
	case SCRIPT_WITNESS_V0_KEYHASH:
		bvec_push(ret, sol.item[0], sol.len[0]);
		ok = 1;
		break;
	case SCRIPT_WITNESS_V0_SCRIPTHASH:
		/* CScriptID of the script: RIPEMD160 of its SHA256 (the program). */
		ripemd160(sol.item[0], 32, id);
		if ((ok = get_script(cr, sd, id, &b)))
			bvec_push(ret, b.p, b.len);
		break;
	}
	free(b.p);
	return ok;
}

/* Core's PushAll: the stack as a scriptSig of minimal pushes. */
static void
push_all(const struct bvec *v, struct bytes *out)
{
	struct wbuf w;
	size_t i;

	wbuf_init(&w);
	for (i = 0; i < v->n; i++) {
		const struct bytes *b = &v->v[i];

		if (b->len == 0)
			wbuf_put_u8(&w, OP_0);
		else if (b->len == 1 && b->p[0] >= 1 && b->p[0] <= 16)
			wbuf_put_u8(&w, (uint8_t)(OP_1 + b->p[0] - 1));
		else if (b->len == 1 && b->p[0] == 0x81)
			wbuf_put_u8(&w, OP_1NEGATE);
		else
			script_push_data(&w, b->p, b->len);
	}
	free(out->p);
	out->p = w.len ? wbuf_steal(&w, &out->len) : NULL;
	if (out->p == NULL) {
		out->len = 0;
		wbuf_free(&w);
	}
}

/*
 * Core's WshSatisfier with the provider, for a witness script its
 * templates leave unsolved: the keys as the decoder meets them, and the
 * signatures handed to the satisfier (owned here).
 */
struct wsh_ms {
	const struct creator *cr;
	struct sign_data *sd;
	const uint8_t *ws;
	size_t wslen;
	uint8_t (*keys)[33];
	size_t nkeys;
	struct bvec sigs;
};

static int
wms_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct wsh_ms *w = arg;
	const uint8_t *pk = p;
	size_t len = n;

	if (is_hash && !get_pubkey(w->cr, w->sd, p, &pk, &len))
		return -1;
	if (len != 33 || (pk[0] != 2 && pk[0] != 3))
		return -1;
	w->keys = xreallocarray(w->keys, w->nkeys + 1, sizeof(*w->keys));
	memcpy(w->keys[w->nkeys], pk, 33);
	return (int)w->nkeys++;
}

static int
wms_cmp(void *arg, size_t a, size_t b)
{
	struct wsh_ms *w = arg;

	return memcmp(w->keys[a], w->keys[b], 33);
}

static enum ms_avail
wms_sign(void *arg, size_t key, struct ms_item *sig)
{
	struct wsh_ms *w = arg;
	struct bytes b = { NULL, 0 };

	if (!create_sig(w->cr, w->sd, w->keys[key], 33, w->ws, w->wslen,
		SIGVERSION_WITNESS_V0, &b))
		return MS_AVAIL_NO;
	bvec_push(&w->sigs, b.p, b.len);
	free(b.p);
	sig->p = w->sigs.v[w->sigs.n - 1].p;
	sig->len = w->sigs.v[w->sigs.n - 1].len;
	return MS_AVAIL_YES;
}

static struct ms_item
wms_key_bytes(void *arg, size_t key)
{
	struct wsh_ms *w = arg;
	struct ms_item k;

	k.p = w->keys[key];
	k.len = 33;
	return k;
}

/* A transaction's signature data holds no preimages (Core's neither). */
static enum ms_avail
wms_preimage(void *arg, enum ms_frag f, const uint8_t *hash, size_t hlen,
    struct ms_item *out)
{
	(void)arg;
	(void)f;
	(void)hash;
	(void)hlen;
	(void)out;
	return MS_AVAIL_NO;
}

static int
wms_older(void *arg, uint32_t n)
{
	struct wsh_ms *w = arg;

	return script_sequence_met(w->cr->tx, w->cr->nin, n);
}

static int
wms_after(void *arg, uint32_t n)
{
	struct wsh_ms *w = arg;

	return script_locktime_met(w->cr->tx, w->cr->nin, n);
}

/* Core's miniscript pass in ProduceSignature; 1 when satisfied. */
static int
satisfy_wsh_miniscript(const struct creator *cr, struct sign_data *sd,
    const uint8_t *ws, size_t wslen, struct bvec *out)
{
	struct wsh_ms w = { cr, sd, ws, wslen, NULL, 0, { NULL, 0, 0 } };
	struct ms_satisfier c = { &w, wms_sign, wms_key_bytes, wms_preimage,
		wms_older, wms_after };
	struct ms_item *stack = NULL;
	struct ms_node *n;
	size_t i, nstack;
	int ok = 0;

	n = ms_decode(ws, wslen, MS_P2WSH, wms_key, &w, wms_cmp);
	if (n != NULL &&
	    ms_satisfy(n, &c, 1, &stack, &nstack) == MS_AVAIL_YES) {
		for (i = 0; i < nstack; i++)
			bvec_push(out, stack[i].p, stack[i].len);
		ok = 1;
	}
	free(stack);
	ms_free(n);
	bvec_free(&w.sigs);
	free(w.keys);
	return ok;
}

/* Core's ProduceSignature. */
static int
produce(const struct creator *cr, const struct txout *spent,
    struct sign_data *sd)
{
	struct bvec result = { NULL, 0, 0 }, wres = { NULL, 0, 0 };
	struct bytes sub = { NULL, 0 }, ws = { NULL, 0 };
	enum script_type type, subtype;
	int solved, p2sh = 0, err;

	if (sd->complete)
		return 1;
	solved = sign_step(cr, sd, spent->script, spent->script_len, &result,
	    &type, SIGVERSION_BASE);
	if (solved && type == SCRIPT_SCRIPTHASH) {
		bytes_set(&sub, result.v[0].p, result.v[0].len);
		bytes_set(&sd->redeem, sub.p, sub.len);
		solved = sign_step(cr, sd, sub.p, sub.len, &result, &type,
			     SIGVERSION_BASE) &&
		    type != SCRIPT_SCRIPTHASH;
		p2sh = 1;
	}
	if (solved && type == SCRIPT_WITNESS_V0_KEYHASH) {
		uint8_t code[25];

		/* The P2PKH script the key hash stands for. */
		code[0] = OP_DUP;
		code[1] = OP_HASH160;
		code[2] = 20;
		memcpy(code + 3, result.v[0].p, 20);
		code[23] = OP_EQUALVERIFY;
		code[24] = OP_CHECKSIG;
		solved = sign_step(cr, sd, code, sizeof(code), &wres, &subtype,
		    SIGVERSION_WITNESS_V0);
		bvec_move(&sd->stack, &wres);
		sd->witness = 1;
		bvec_clear(&result);
	} else if (solved && type == SCRIPT_WITNESS_V0_SCRIPTHASH) {
		bytes_set(&ws, result.v[0].p, result.v[0].len);
		bytes_set(&sd->wscript, ws.p, ws.len);
		solved = sign_step(cr, sd, ws.p, ws.len, &wres, &subtype,
			     SIGVERSION_WITNESS_V0) &&
		    subtype != SCRIPT_SCRIPTHASH &&
		    subtype != SCRIPT_WITNESS_V0_SCRIPTHASH &&
		    subtype != SCRIPT_WITNESS_V0_KEYHASH;
		/* Nothing pushed by the templates: Miniscript may solve it. */
		if (!solved && wres.n == 0)
			solved = satisfy_wsh_miniscript(cr, sd, ws.p, ws.len,
			    &wres);
		bvec_push(&wres, ws.p, ws.len);
		bvec_move(&sd->stack, &wres);
		sd->witness = 1;
		bvec_clear(&result);
	} else if (type == SCRIPT_WITNESS_V1_TAPROOT && !p2sh) {
		/* Unsolved, whatever witness it has stays. */
		sd->witness = 1;
		if (solved)
			bvec_move(&sd->stack, &result);
		bvec_clear(&result);
	} else if (solved && type == SCRIPT_WITNESS_UNKNOWN)
		sd->witness = 1;
	if (!sd->witness)
		bvec_clear(&sd->stack);
	if (p2sh)
		bvec_push(&result, sub.p, sub.len);
	push_all(&result, &sd->script_sig);
	sd->complete = solved &&
	    check_input(cr->tx, cr->nin, spent, &sd->script_sig, &sd->stack,
		cr->td, NULL, NULL, &err);
	bvec_free(&result);
	bvec_free(&wres);
	free(sub.p);
	free(ws.p);
	return sd->complete;
}

/* ---- Transactions ---- */

struct sign_keep {
	struct sign_data *sd;
	size_t n;
};

void
sign_keep_free(struct sign_keep *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		sd_free(&k->sd[i]);
	free(k->sd);
	free(k);
}

/* Core's UpdateInput: the input takes sd's scriptSig and witness. */
static void
update_input(struct tx *tx, size_t nin, const struct sign_data *sd)
{
	struct txin *in = &tx->vin[nin];
	size_t i;

	in->script = sd->script_sig.p;
	in->script_len = sd->script_sig.len;
	free(in->wit);
	in->wit = sd->stack.n ? xcalloc(sd->stack.n, sizeof(*in->wit)) : NULL;
	in->wit_count = sd->stack.n;
	for (i = 0; i < sd->stack.n; i++) {
		in->wit[i].p = sd->stack.v[i].p;
		in->wit[i].len = sd->stack.v[i].len;
	}
}

static struct sign_keep *
keep_new(size_t n)
{
	struct sign_keep *k = xcalloc(1, sizeof(*k));

	k->sd = xcalloc(n ? n : 1, sizeof(*k->sd));
	k->n = n;
	return k;
}

int
sign_transaction(struct tx *tx, const struct sign_provider *p,
    const struct txout *spent, const int *have, int hash_type,
    const char **errors, struct sign_keep **keep)
{
	struct script_txdata *td;
	struct sign_keep *k;
	struct creator cr;
	size_t i;
	int single = (hash_type & ~SIGHASH_ANYONECANPAY) == SIGHASH_SINGLE;
	int all_known = 1, complete = 1, err;

	for (i = 0; i < tx->vin_count; i++)
		if (!have[i])
			all_known = 0;
	/* Taproot hashes need every spent output; Core skips them otherwise. */
	td = script_txdata_new(tx, all_known ? spent : NULL);
	k = keep_new(tx->vin_count);
	for (i = 0; i < tx->vin_count; i++) {
		struct sign_data *sd = &k->sd[i];

		errors[i] = NULL;
		if (!have[i]) {
			errors[i] = SIGN_ERR_NOT_FOUND;
			complete = 0;
			continue;
		}
		data_from_tx(sd, tx, i, &spent[i]);
		memset(&cr, 0, sizeof(cr));
		cr.p = p;
		cr.tx = tx;
		cr.nin = i;
		cr.amount = spent[i].value;
		cr.hash_type = hash_type;
		cr.td = td;
		/* SIGHASH_SINGLE only where there is a matching output. */
		if (!single || i < tx->vout_count)
			produce(&cr, &spent[i], sd);
		update_input(tx, i, sd);
		if (spent[i].value == MAX_MONEY && tx->vin[i].wit_count > 0) {
			errors[i] = SIGN_ERR_MISSING_AMOUNT;
			complete = 0;
			continue;
		}
		if (sd->complete ||
		    script_verify_input(tx, i, &spent[i],
			SCRIPT_STANDARD_VERIFY_FLAGS, td, &err))
			continue;
		complete = 0;
		if (err == SCRIPT_ERR_INVALID_STACK_OPERATION)
			errors[i] = "Unable to sign input, invalid stack size "
				    "(possibly missing key)";
		else if (err == SCRIPT_ERR_SIG_NULLFAIL)
			errors[i] =
			    "CHECK(MULTI)SIG failing with non-zero "
			    "signature (possibly need more signatures)";
		else
			errors[i] = script_error_string(err);
	}
	script_txdata_free(td);
	*keep = k;
	return complete;
}

void
sign_combine(struct tx *merged, const struct tx *variants, size_t nvariants,
    const struct txout *spent, struct sign_keep **keep)
{
	struct sign_data one;
	struct sign_keep *k;
	struct creator cr;
	size_t i, j;

	k = keep_new(merged->vin_count);
	for (i = 0; i < merged->vin_count; i++) {
		for (j = 0; j < nvariants; j++) {
			if (variants[j].vin_count <= i)
				continue;
			data_from_tx(&one, &variants[j], i, &spent[i]);
			sd_merge(&k->sd[i], &one);
			sd_free(&one);
		}
		/* No keys: only the signatures gathered above are used. */
		memset(&cr, 0, sizeof(cr));
		cr.tx = merged;
		cr.nin = i;
		cr.amount = spent[i].value;
		cr.hash_type = SIGHASH_ALL;
		produce(&cr, &spent[i], &k->sd[i]);
		update_input(merged, i, &k->sd[i]);
	}
	*keep = k;
}
