/*
 * Miniscript to script, as Core's Node::ToScript: each fragment's opcodes
 * from BIP379, with the VERIFY forms (CHECKSIGVERIFY, EQUALVERIFY, ...)
 * used where a v: wrapper, directly or through s: or the right side of
 * and_v, follows an opcode that has one.
 */
#include <stdlib.h>

#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/solver.h"
#include "util/buf.h"

struct cstate {
	struct wbuf w;
	const uint8_t (*keys)[33];
	enum ms_ctx ctx;
};

static void emit(struct cstate *c, const struct ms_node *n, int verify);

static void
push_key(struct cstate *c, size_t i)
{
	if (c->ctx == MS_TAPSCRIPT)
		script_push_data(&c->w, c->keys[i] + 1, 32);
	else
		script_push_data(&c->w, c->keys[i], 33);
}

static void
op(struct cstate *c, unsigned o)
{
	wbuf_put_u8(&c->w, (uint8_t)o);
}

static void
emit_hash(struct cstate *c, const struct ms_node *n, int verify)
{
	unsigned hop = n->frag == MS_SHA256 ? OP_SHA256 :
	    n->frag == MS_HASH256	    ? OP_HASH256 :
	    n->frag == MS_RIPEMD160	    ? OP_RIPEMD160 :
					      OP_HASH160;

	op(c, OP_SIZE);
	script_push_int(&c->w, 32);
	op(c, OP_EQUALVERIFY);
	op(c, hop);
	script_push_data(&c->w, n->data, n->datalen);
	op(c, verify ? OP_EQUALVERIFY : OP_EQUAL);
}

static void
emit_keys(struct cstate *c, const struct ms_node *n, int verify)
{
	uint8_t h[20];
	size_t i;

	switch (n->frag) {
	case MS_PK_K: push_key(c, n->keys[0]); return;
	case MS_PK_H:
		op(c, OP_DUP);
		op(c, OP_HASH160);
		if (c->ctx == MS_TAPSCRIPT)
			hash160(c->keys[n->keys[0]] + 1, 32, h);
		else
			hash160(c->keys[n->keys[0]], 33, h);
		script_push_data(&c->w, h, 20);
		op(c, OP_EQUALVERIFY);
		return;
	case MS_MULTI:
		script_push_int(&c->w, n->k);
		for (i = 0; i < n->nkeys; i++)
			push_key(c, n->keys[i]);
		script_push_int(&c->w, (int64_t)n->nkeys);
		op(c, verify ? OP_CHECKMULTISIGVERIFY : OP_CHECKMULTISIG);
		return;
	default: /* MS_MULTI_A */
		for (i = 0; i < n->nkeys; i++) {
			push_key(c, n->keys[i]);
			op(c, i == 0 ? OP_CHECKSIG : OP_CHECKSIGADD);
		}
		script_push_int(&c->w, n->k);
		op(c, verify ? OP_NUMEQUALVERIFY : OP_NUMEQUAL);
		return;
	}
}

static void
emit_wrapper(struct cstate *c, const struct ms_node *n, int verify)
{
	const struct ms_node *x = n->subs[0];

	switch (n->frag) {
	case MS_WRAP_A:
		op(c, OP_TOALTSTACK);
		emit(c, x, 0);
		op(c, OP_FROMALTSTACK);
		return;
	case MS_WRAP_S:
		op(c, OP_SWAP);
		emit(c, x, verify);
		return;
	case MS_WRAP_C:
		emit(c, x, 0);
		op(c, verify ? OP_CHECKSIGVERIFY : OP_CHECKSIG);
		return;
	case MS_WRAP_D:
		op(c, OP_DUP);
		op(c, OP_IF);
		emit(c, x, 0);
		op(c, OP_ENDIF);
		return;
	case MS_WRAP_V:
		emit(c, x, 1);
		/* Without x the last opcode took its VERIFY form. */
		if (x->type & MS_T_x)
			op(c, OP_VERIFY);
		return;
	case MS_WRAP_J:
		op(c, OP_SIZE);
		op(c, OP_0NOTEQUAL);
		op(c, OP_IF);
		emit(c, x, 0);
		op(c, OP_ENDIF);
		return;
	default: /* MS_WRAP_N */
		emit(c, x, 0);
		op(c, OP_0NOTEQUAL);
		return;
	}
}

static void
emit_thresh(struct cstate *c, const struct ms_node *n, int verify)
{
	size_t i;

	for (i = 0; i < n->nsubs; i++) {
		emit(c, n->subs[i], 0);
		if (i > 0)
			op(c, OP_ADD);
	}
	script_push_int(&c->w, n->k);
	op(c, verify ? OP_EQUALVERIFY : OP_EQUAL);
}

static void
emit_logic(struct cstate *c, const struct ms_node *n, int verify)
{
	const struct ms_node *x = n->subs[0], *y = n->subs[1];

	switch (n->frag) {
	case MS_AND_V:
		emit(c, x, 0);
		emit(c, y, verify);
		return;
	case MS_AND_B:
	case MS_OR_B:
		emit(c, x, 0);
		emit(c, y, 0);
		op(c, n->frag == MS_AND_B ? OP_BOOLAND : OP_BOOLOR);
		return;
	case MS_OR_D:
	case MS_OR_C:
		emit(c, x, 0);
		if (n->frag == MS_OR_D)
			op(c, OP_IFDUP);
		op(c, OP_NOTIF);
		emit(c, y, 0);
		op(c, OP_ENDIF);
		return;
	case MS_OR_I:
		op(c, OP_IF);
		emit(c, x, 0);
		op(c, OP_ELSE);
		emit(c, y, 0);
		op(c, OP_ENDIF);
		return;
	default: /* MS_ANDOR */
		emit(c, x, 0);
		op(c, OP_NOTIF);
		emit(c, n->subs[2], 0);
		op(c, OP_ELSE);
		emit(c, y, 0);
		op(c, OP_ENDIF);
		return;
	}
}

static void
emit(struct cstate *c, const struct ms_node *n, int verify)
{
	switch (n->frag) {
	case MS_0: op(c, OP_0); return;
	case MS_1: op(c, OP_1); return;
	case MS_OLDER:
	case MS_AFTER:
		script_push_int(&c->w, n->k);
		op(c,
		    n->frag == MS_OLDER ? OP_CHECKSEQUENCEVERIFY :
					  OP_CHECKLOCKTIMEVERIFY);
		return;
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160: emit_hash(c, n, verify); return;
	case MS_PK_K:
	case MS_PK_H:
	case MS_MULTI:
	case MS_MULTI_A: emit_keys(c, n, verify); return;
	case MS_WRAP_A:
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_D:
	case MS_WRAP_V:
	case MS_WRAP_J:
	case MS_WRAP_N: emit_wrapper(c, n, verify); return;
	case MS_THRESH: emit_thresh(c, n, verify); return;
	default: emit_logic(c, n, verify); return;
	}
}

uint8_t *
ms_compile(const struct ms_node *n, const uint8_t (*keys)[33], size_t *len)
{
	struct cstate c;
	uint8_t *s;

	wbuf_init(&c.w);
	c.keys = keys;
	c.ctx = n->ctx;
	emit(&c, n, 0);
	s = wbuf_steal(&c.w, len);
	return s;
}
