/*
 * Script back to Miniscript, as Core 28's miniscript::FromScript: the
 * script is split into opcodes (the -VERIFY opcodes into their plain form
 * and OP_VERIFY, non-minimal pushes refused), read from its end with the
 * same explicit stack of decoding states Core uses, so the same scripts
 * decode to the same trees (and_v nested to the left, and so on).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "script/opcodes.h"
#include "util/xmalloc.h"

#define MAX_MULTI 20	/* MAX_PUBKEYS_PER_MULTISIG */
#define MAX_MULTI_A 999 /* MAX_PUBKEYS_PER_MULTI_A */

struct dop {
	unsigned op;
	const uint8_t *d; /* pushed bytes, or the number of an OP_n */
	size_t len;
	uint8_t n; /* OP_n's value, which d points at */
};

/* Core's DecomposeScript, in reverse order; -1 when not decodable. */
static int
decompose(const uint8_t *s, size_t len, struct dop **out, size_t *n)
{
	struct dop *v = xcalloc(len + 1, 2 * sizeof(*v)), t;
	size_t pc = 0, k = 0, i;
	unsigned op;
	const uint8_t *d;
	size_t dl;

	while (pc < len) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl))
			goto fail;
		memset(&v[k], 0, sizeof(v[k]));
		if (op >= OP_1 && op <= OP_16) {
			v[k].n = (uint8_t)(op - OP_1 + 1);
		} else if (op == OP_CHECKSIGVERIFY || op == OP_EQUALVERIFY ||
		    op == OP_CHECKMULTISIGVERIFY || op == OP_NUMEQUALVERIFY) {
			v[k++].op = op -
			    1; /* each sits right after its plain form */
			memset(&v[k], 0, sizeof(v[k]));
			op = OP_VERIFY;
		} else if (op > OP_0 && op <= OP_PUSHDATA4) {
			if (!script_minimal_push(op, d, dl))
				goto fail;
			v[k].d = d;
			v[k].len = dl;
		} else if (pc < len && s[pc] == OP_VERIFY &&
		    (op == OP_CHECKSIG || op == OP_CHECKMULTISIG ||
			op == OP_EQUAL || op == OP_NUMEQUAL))
			goto fail; /* a -VERIFY opcode exists for this */
		v[k++].op = op;
	}
	for (i = 0; i < k / 2; i++) {
		t = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = t;
	}
	/* OP_n's byte lives in the entry itself. */
	for (i = 0; i < k; i++)
		if (v[i].op >= OP_1 && v[i].op <= OP_16) {
			v[i].d = &v[i].n;
			v[i].len = 1;
		}
	*out = v;
	*n = k;
	return 0;
fail:
	free(v);
	return -1;
}

/* Core's ParseScriptNumber: a minimal number of up to 4 bytes. */
static int
script_number(const struct dop *o, int64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (o->op == OP_0) {
		*out = 0;
		return 1;
	}
	if (o->len == 0 || o->len > 4)
		return 0;
	/* Minimal: no needless top byte (CScriptNum's rule). */
	if ((o->d[o->len - 1] & 0x7f) == 0 &&
	    (o->len == 1 || (o->d[o->len - 2] & 0x80) == 0))
		return 0;
	for (i = 0; i < o->len; i++)
		v |= (uint64_t)o->d[i] << (8 * i);
	if (o->d[o->len - 1] & 0x80) {
		v &= ~((uint64_t)0x80 << (8 * (o->len - 1)));
		*out = -(int64_t)v;
	} else
		*out = (int64_t)v;
	return 1;
}

enum dctx {
	SINGLE_BKV,
	BKV,
	W_EXPR,
	SWAP,
	ALT,
	CHECK,
	DUP_IF,
	VERIFY,
	NON_ZERO,
	ZERO_NOTEQUAL,
	MAYBE_AND_V,
	AND_V,
	AND_B,
	ANDOR,
	OR_B,
	OR_C,
	OR_D,
	THRESH_W,
	THRESH_E,
	ENDIF,
	ENDIF_NOTIF,
	ENDIF_ELSE,
};

struct task {
	enum dctx c;
	int64_t n, k;
};

struct dstate {
	const struct dop *in; /* the next opcode, from the script's end */
	const struct dop *last;
	enum ms_ctx ctx;
	int (*keyfn)(void *, const uint8_t *, size_t, int);
	void *arg;
	struct task *todo;
	size_t ntodo, captodo;
	struct ms_node **built;
	size_t nbuilt, capbuilt;
};

static void
push_task(struct dstate *st, enum dctx c, int64_t n, int64_t k)
{
	if (st->ntodo == st->captodo) {
		st->captodo = st->captodo * 2 + 16;
		st->todo = xreallocarray(st->todo, st->captodo,
		    sizeof(*st->todo));
	}
	st->todo[st->ntodo].c = c;
	st->todo[st->ntodo].n = n;
	st->todo[st->ntodo++].k = k;
}

static void
push_node(struct dstate *st, struct ms_node *n)
{
	if (st->nbuilt == st->capbuilt) {
		st->capbuilt = st->capbuilt * 2 + 16;
		st->built = xreallocarray(st->built, st->capbuilt,
		    sizeof(*st->built));
	}
	ms_node_finish(n);
	st->built[st->nbuilt++] = n;
}

static size_t
avail(const struct dstate *st)
{
	return (size_t)(st->last - st->in);
}

static struct ms_node *
pop_node(struct dstate *st)
{
	return st->built[--st->nbuilt];
}

static int
leaf(struct dstate *st, enum ms_frag f, size_t used)
{
	st->in += used;
	push_node(st, ms_node_new(f, st->ctx));
	return 0;
}

static int
key_leaf(struct dstate *st, enum ms_frag f, const struct dop *o, size_t used)
{
	int key = st->keyfn(st->arg, o->d, o->len, f == MS_PK_H);
	struct ms_node *n;

	if (key < 0)
		return -1;
	st->in += used;
	n = ms_node_new(f, st->ctx);
	ms_node_add_key(n, (size_t)key);
	push_node(st, n);
	return 0;
}

static int
hash_leaf(struct dstate *st)
{
	const struct dop *in = st->in;
	static const struct {
		unsigned op;
		size_t len;
		enum ms_frag f;
	} h[] = { { OP_SHA256, 32, MS_SHA256 },
		{ OP_RIPEMD160, 20, MS_RIPEMD160 },
		{ OP_HASH256, 32, MS_HASH256 },
		{ OP_HASH160, 20, MS_HASH160 } };
	struct ms_node *n;
	int64_t num;
	size_t i;

	if (avail(st) < 7 || in[0].op != OP_EQUAL || in[3].op != OP_VERIFY ||
	    in[4].op != OP_EQUAL || !script_number(&in[5], &num) ||
	    num != 32 || in[6].op != OP_SIZE)
		return 1;
	for (i = 0; i < 4; i++)
		if (in[2].op == h[i].op && in[1].len == h[i].len &&
		    in[1].op <= OP_PUSHDATA4) {
			n = ms_node_new(h[i].f, st->ctx);
			memcpy(n->data, in[1].d, h[i].len);
			n->datalen = h[i].len;
			push_node(st, n);
			st->in += 7;
			return 0;
		}
	return 1;
}

static int
multi_leaf(struct dstate *st)
{
	const struct dop *in = st->in;
	struct ms_node *n;
	int64_t nk, k, i;
	int key;

	if (st->ctx == MS_TAPSCRIPT || !script_number(&in[1], &nk) ||
	    (int64_t)avail(st) < 3 + nk || nk < 1 || nk > MAX_MULTI)
		return -1;
	n = ms_node_new(MS_MULTI, st->ctx);
	/* Reversed: the last key pushed comes first here. */
	for (i = nk - 1; i >= 0; i--) {
		if (in[2 + i].len != 33 || in[2 + i].op > OP_PUSHDATA4 ||
		    (key = st->keyfn(st->arg, in[2 + i].d, 33, 0)) < 0)
			goto fail;
		ms_node_add_key(n, (size_t)key);
	}
	if (!script_number(&in[2 + nk], &k) || k < 1 || k > nk)
		goto fail;
	n->k = (uint32_t)k;
	st->in += 3 + nk;
	push_node(st, n);
	return 0;
fail:
	ms_free(n);
	return -1;
}

static int
multi_a_leaf(struct dstate *st)
{
	const struct dop *in = st->in;
	struct ms_node *n;
	int64_t k;
	size_t pos, nk, i;
	int key;

	if (st->ctx != MS_TAPSCRIPT || !script_number(&in[1], &k) || k < 1 ||
	    k > MAX_MULTI_A || (int64_t)avail(st) < 2 + k * 2)
		return -1;
	n = ms_node_new(MS_MULTI_A, st->ctx);
	for (pos = 2;; pos += 2) {
		if (avail(st) < pos + 2 ||
		    (in[pos].op != OP_CHECKSIGADD &&
			in[pos].op != OP_CHECKSIG) ||
		    in[pos + 1].len != 32 || in[pos + 1].op > OP_PUSHDATA4 ||
		    (key = st->keyfn(st->arg, in[pos + 1].d, 32, 0)) < 0 ||
		    n->nkeys + 1 > MAX_MULTI_A)
			goto fail;
		ms_node_add_key(n, (size_t)key);
		if (in[pos].op == OP_CHECKSIG)
			break;
	}
	nk = n->nkeys;
	if (nk < (size_t)k)
		goto fail;
	/* Keys were met last first; put them in script order. */
	for (i = 0; i < nk / 2; i++) {
		size_t t = n->keys[i];

		n->keys[i] = n->keys[nk - 1 - i];
		n->keys[nk - 1 - i] = t;
	}
	n->k = (uint32_t)k;
	st->in += 2 + nk * 2;
	push_node(st, n);
	return 0;
fail:
	ms_free(n);
	return -1;
}

static int
timelock_leaf(struct dstate *st, enum ms_frag f, int64_t num)
{
	struct ms_node *n;

	st->in += 2;
	if (num < 1 || num > 0x7fffffffLL)
		return -1;
	n = ms_node_new(f, st->ctx);
	n->k = (uint32_t)num;
	push_node(st, n);
	return 0;
}

/* Wrappers and combinators that end in one opcode; 1 when none. */
static int
single_op(struct dstate *st)
{
	const struct dop *in = st->in;
	int64_t num;

	switch (in[0].op) {
	case OP_CHECKSIG:
		st->in++;
		push_task(st, CHECK, 0, 0);
		break;
	case OP_VERIFY:
		st->in++;
		push_task(st, VERIFY, 0, 0);
		break;
	case OP_0NOTEQUAL:
		st->in++;
		push_task(st, ZERO_NOTEQUAL, 0, 0);
		break;
	case OP_EQUAL:
		if (avail(st) < 3 || !script_number(&in[1], &num))
			return 1;
		if (num < 1)
			return -1;
		st->in += 2;
		push_task(st, THRESH_W, 0, num);
		return 0;
	case OP_ENDIF:
		st->in++;
		push_task(st, ENDIF, 0, 0);
		push_task(st, BKV, 0, 0);
		return 0;
	case OP_BOOLAND:
	case OP_BOOLOR:
		st->in++;
		push_task(st, in[0].op == OP_BOOLAND ? AND_B : OR_B, 0, 0);
		push_task(st, SINGLE_BKV, 0, 0);
		push_task(st, W_EXPR, 0, 0);
		return 0;
	default: return 1;
	}
	push_task(st, SINGLE_BKV, 0, 0);
	return 0;
}

static int
single_bkv(struct dstate *st)
{
	const struct dop *in = st->in;
	int64_t num;
	int r;

	if (avail(st) < 1)
		return -1;
	if (in[0].op == OP_1)
		return leaf(st, MS_1, 1);
	if (in[0].op == OP_0)
		return leaf(st, MS_0, 1);
	if (in[0].op <= OP_PUSHDATA4 && (in[0].len == 33 || in[0].len == 32))
		return key_leaf(st, MS_PK_K, &in[0], 1);
	if (avail(st) >= 5 && in[0].op == OP_VERIFY && in[1].op == OP_EQUAL &&
	    in[3].op == OP_HASH160 && in[4].op == OP_DUP && in[2].len == 20 &&
	    in[2].op <= OP_PUSHDATA4)
		return key_leaf(st, MS_PK_H, &in[2], 5);
	if (avail(st) >= 2 && in[0].op == OP_CHECKSEQUENCEVERIFY &&
	    script_number(&in[1], &num))
		return timelock_leaf(st, MS_OLDER, num);
	if (avail(st) >= 2 && in[0].op == OP_CHECKLOCKTIMEVERIFY &&
	    script_number(&in[1], &num))
		return timelock_leaf(st, MS_AFTER, num);
	if ((r = hash_leaf(st)) != 1)
		return r;
	if (avail(st) >= 3 && in[0].op == OP_CHECKMULTISIG)
		return multi_leaf(st);
	if (avail(st) >= 4 && in[0].op == OP_NUMEQUAL)
		return multi_a_leaf(st);
	return single_op(st) == 0 ? 0 : -1;
}

/* Wraps the last built node in f. */
static int
wrap_back(struct dstate *st, enum ms_frag f)
{
	struct ms_node *n;

	if (st->nbuilt < 1)
		return -1;
	n = ms_node_new(f, st->ctx);
	ms_node_add_sub(n, pop_node(st));
	push_node(st, n);
	return 0;
}

/* Combines the last two built nodes: the later one is the left side. */
static int
build_back(struct dstate *st, enum ms_frag f)
{
	struct ms_node *n, *x, *y;

	if (st->nbuilt < 2)
		return -1;
	x = pop_node(st);
	y = pop_node(st);
	n = ms_node_new(f, st->ctx);
	ms_node_add_sub(n, x);
	ms_node_add_sub(n, y);
	push_node(st, n);
	return 0;
}

static int
do_andor(struct dstate *st)
{
	struct ms_node *n, *x, *z, *y;

	if (st->nbuilt < 3)
		return -1;
	x = pop_node(st);
	z = pop_node(st);
	y = pop_node(st);
	n = ms_node_new(MS_ANDOR, st->ctx);
	ms_node_add_sub(n, x);
	ms_node_add_sub(n, y);
	ms_node_add_sub(n, z);
	push_node(st, n);
	return 0;
}

static int
do_thresh(struct dstate *st, int64_t n, int64_t k)
{
	struct ms_node *t;
	int64_t i;

	if (k < 1 || k > n || st->nbuilt < (size_t)n)
		return -1;
	t = ms_node_new(MS_THRESH, st->ctx);
	for (i = 0; i < n; i++)
		ms_node_add_sub(t, pop_node(st));
	t->k = (uint32_t)k;
	push_node(st, t);
	return 0;
}

static int
do_endif(struct dstate *st)
{
	const struct dop *in = st->in;

	if (avail(st) < 1)
		return -1;
	if (in[0].op == OP_ELSE) {
		st->in++;
		push_task(st, ENDIF_ELSE, 0, 0);
		push_task(st, BKV, 0, 0);
	} else if (in[0].op == OP_IF) {
		if (avail(st) >= 2 && in[1].op == OP_DUP) {
			st->in += 2;
			push_task(st, DUP_IF, 0, 0);
		} else if (avail(st) >= 3 && in[1].op == OP_0NOTEQUAL &&
		    in[2].op == OP_SIZE) {
			st->in += 3;
			push_task(st, NON_ZERO, 0, 0);
		} else
			return -1;
	} else if (in[0].op == OP_NOTIF) {
		st->in++;
		push_task(st, ENDIF_NOTIF, 0, 0);
	} else
		return -1;
	return 0;
}

static int
do_endif_more(struct dstate *st, enum dctx c)
{
	const struct dop *in = st->in;

	if (avail(st) < 1)
		return -1;
	if (c == ENDIF_NOTIF) {
		if (in[0].op == OP_IFDUP)
			st->in++;
		push_task(st, in[0].op == OP_IFDUP ? OR_D : OR_C, 0, 0);
		push_task(st, SINGLE_BKV, 0, 0);
		return 0;
	}
	if (in[0].op == OP_IF) {
		st->in++;
		return build_back(st, MS_OR_I);
	}
	if (in[0].op != OP_NOTIF)
		return -1;
	st->in++;
	push_task(st, ANDOR, 0, 0);
	push_task(st, SINGLE_BKV, 0, 0);
	return 0;
}

static int
expect_op(struct dstate *st, unsigned op)
{
	if (avail(st) < 1 || st->in[0].op != op || st->nbuilt < 1)
		return -1;
	st->in++;
	return 0;
}

static int
step(struct dstate *st, struct task t)
{
	unsigned op;

	switch (t.c) {
	case SINGLE_BKV: return single_bkv(st);
	case BKV:
		push_task(st, MAYBE_AND_V, 0, 0);
		push_task(st, SINGLE_BKV, 0, 0);
		return 0;
	case W_EXPR:
		if (avail(st) < 1)
			return -1;
		if (st->in[0].op == OP_FROMALTSTACK) {
			st->in++;
			push_task(st, ALT, 0, 0);
		} else
			push_task(st, SWAP, 0, 0);
		push_task(st, BKV, 0, 0);
		return 0;
	case MAYBE_AND_V:
		op = avail(st) > 0 ? st->in[0].op : OP_IF;
		if (op != OP_IF && op != OP_ELSE && op != OP_NOTIF &&
		    op != OP_TOALTSTACK && op != OP_SWAP) {
			push_task(st, AND_V, 0, 0);
			push_task(st, BKV, 0, 0);
		}
		return 0;
	case SWAP:
		return expect_op(st, OP_SWAP) ? -1 : wrap_back(st, MS_WRAP_S);
	case ALT:
		return expect_op(st, OP_TOALTSTACK) ? -1 :
						      wrap_back(st, MS_WRAP_A);
	case CHECK: return wrap_back(st, MS_WRAP_C);
	case DUP_IF: return wrap_back(st, MS_WRAP_D);
	case VERIFY: return wrap_back(st, MS_WRAP_V);
	case NON_ZERO: return wrap_back(st, MS_WRAP_J);
	case ZERO_NOTEQUAL: return wrap_back(st, MS_WRAP_N);
	case AND_V: return build_back(st, MS_AND_V);
	case AND_B: return build_back(st, MS_AND_B);
	case OR_B: return build_back(st, MS_OR_B);
	case OR_C: return build_back(st, MS_OR_C);
	case OR_D: return build_back(st, MS_OR_D);
	case ANDOR: return do_andor(st);
	case THRESH_W:
		if (avail(st) < 1)
			return -1;
		if (st->in[0].op == OP_ADD) {
			st->in++;
			push_task(st, THRESH_W, t.n + 1, t.k);
			push_task(st, W_EXPR, 0, 0);
		} else {
			push_task(st, THRESH_E, t.n + 1, t.k);
			push_task(st, SINGLE_BKV, 0, 0);
		}
		return 0;
	case THRESH_E: return do_thresh(st, t.n, t.k);
	case ENDIF: return do_endif(st);
	case ENDIF_NOTIF:
	case ENDIF_ELSE: return do_endif_more(st, t.c);
	}
	return -1;
}

static struct ms_node *
run(struct dstate *st)
{
	struct ms_node *r = NULL;

	push_task(st, BKV, 0, 0);
	while (st->ntodo > 0) {
		/* Core stops as soon as a built node is invalid. */
		if (st->nbuilt > 0 && !ms_is_valid(st->built[st->nbuilt - 1]))
			goto out;
		if (step(st, st->todo[--st->ntodo]) != 0)
			goto out;
	}
	if (st->nbuilt == 1 && st->in == st->last) {
		r = st->built[0];
		st->nbuilt = 0;
	}
out:
	while (st->nbuilt > 0)
		ms_free(pop_node(st));
	free(st->todo);
	free(st->built);
	return r;
}

struct ms_node *
ms_decode(const uint8_t *s, size_t len, enum ms_ctx ctx,
    int (*keyfn)(void *arg, const uint8_t *p, size_t n, int is_hash),
    void *arg, int (*cmp)(void *arg, size_t a, size_t b))
{
	struct dstate st;
	struct dop *ops;
	struct ms_node *r;
	size_t n;

	if (len > ms_max_script_size(ctx) || decompose(s, len, &ops, &n) != 0)
		return NULL;
	memset(&st, 0, sizeof(st));
	st.in = ops;
	st.last = ops + n;
	st.ctx = ctx;
	st.keyfn = keyfn;
	st.arg = arg;
	r = run(&st);
	free(ops);
	if (r == NULL)
		return NULL;
	ms_dup_check(r, cmp, arg);
	if (!ms_is_valid(r) || !(r->type & MS_T_B)) {
		ms_free(r);
		return NULL;
	}
	return r;
}
