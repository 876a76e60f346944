/*
 * The script interpreter (Core's EvalScript): every opcode, the limits on
 * script size, pushes, operations and stack depth, and the signature
 * opcodes for legacy, segwit v0 and tapscript.
 *
 * Failures that Core signals by throwing (an over-long or non-minimal
 * number operand) end evaluation here with SCRIPT_ERR_UNKNOWN_ERROR, the
 * code Core's catch-all gives them.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/xmalloc.h"

/* BIP342 budget: each executed signature check costs this much weight. */
#define VALIDATION_WEIGHT_PER_SIGOP_PASSED 50

/* Stacks. */

void
stack_init(struct stack *st)
{
	st->e = NULL;
	st->n = 0;
	st->cap = 0;
}

void
stack_free(struct stack *st)
{
	free(st->e);
	stack_init(st);
}

static void
stack_reserve(struct stack *st, size_t extra)
{
	size_t cap;

	if (st->n + extra <= st->cap)
		return;
	cap = st->cap ? st->cap : 16;
	while (cap < st->n + extra)
		cap *= 2;
	st->e = xreallocarray(st->e, cap, sizeof(*st->e));
	st->cap = cap;
}

void
stack_assign(struct stack *dst, const struct stack *src)
{
	dst->n = 0;
	stack_reserve(dst, src->n);
	if (src->n > 0)
		memcpy(dst->e, src->e, src->n * sizeof(*src->e));
	dst->n = src->n;
}

void
stack_push_ref(struct stack *st, const uint8_t *p, size_t len)
{
	struct selem *e;

	stack_reserve(st, 1);
	e = &st->e[st->n++];
	/* A NULL p means "inline"; an empty borrowed value is inline too. */
	if (len == 0) {
		e->p = NULL;
		e->len = 0;
		return;
	}
	e->p = p;
	e->len = (uint32_t)len;
}

static void
stack_push_elem(struct stack *st, const struct selem *v)
{
	struct selem tmp = *v; /* v may point into st->e */

	stack_reserve(st, 1);
	st->e[st->n++] = tmp;
}

/*
 * Pushes copies of the count elements that start depth from the top
 * (count <= depth <= st->n): OP_2DUP, OP_3DUP, OP_2OVER.
 */
static void
stack_push_copies(struct stack *st, size_t depth, size_t count)
{
	stack_reserve(st, count);
	memcpy(&st->e[st->n], &st->e[st->n - depth], count * sizeof(*st->e));
	st->n += count;
}

static struct selem *
stack_push_inline(struct stack *st, size_t len)
{
	struct selem *e;

	stack_reserve(st, 1);
	e = &st->e[st->n++];
	e->p = NULL;
	e->len = (uint32_t)len;
	return e;
}

static void
stack_push_bool(struct stack *st, int v)
{
	struct selem *e = stack_push_inline(st, v ? 1 : 0);

	if (v)
		e->buf[0] = 1;
}

/* Numbers (Core's CScriptNum): little-endian sign and magnitude. */

static void
stack_push_num(struct stack *st, int64_t v)
{
	struct selem *e = stack_push_inline(st, 0);
	uint64_t a;
	int neg = v < 0;
	uint32_t n = 0;

	a = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	while (a != 0) {
		e->buf[n++] = (uint8_t)a;
		a >>= 8;
	}
	if (n > 0) {
		if (e->buf[n - 1] & 0x80)
			e->buf[n++] = neg ? 0x80 : 0;
		else if (neg)
			e->buf[n - 1] |= 0x80;
	}
	e->len = n;
}

/* Returns 0, or -1 where Core's CScriptNum constructor throws. */
static int
num_get(const struct selem *e, int minimal, size_t maxlen, int64_t *out)
{
	const uint8_t *p = selem_data(e);
	size_t i, n = e->len;
	uint64_t v = 0;

	if (n > maxlen)
		return -1;
	if (n == 0) {
		*out = 0;
		return 0;
	}
	/* Minimal: the top byte carries more than the sign, or must. */
	if (minimal && (p[n - 1] & 0x7f) == 0 &&
	    (n <= 1 || !(p[n - 2] & 0x80)))
		return -1;
	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (p[n - 1] & 0x80) {
		v &= ~((uint64_t)0x80 << (8 * (n - 1)));
		*out = -(int64_t)v;
	} else
		*out = (int64_t)v;
	return 0;
}

static int
num_to_int(int64_t v)
{
	if (v > INT_MAX)
		return INT_MAX;
	if (v < INT_MIN)
		return INT_MIN;
	return (int)v;
}

static int
cast_to_bool(const struct selem *e)
{
	const uint8_t *p = selem_data(e);
	size_t i;

	for (i = 0; i < e->len; i++) {
		if (p[i] != 0) {
			/* Negative zero is false. */
			if (i == e->len - 1 && p[i] == 0x80)
				return 0;
			return 1;
		}
	}
	return 0;
}

static int
selem_equal(const struct selem *a, const struct selem *b)
{
	return a->len == b->len &&
	    memcmp(selem_data(a), selem_data(b), a->len) == 0;
}

/* Lock times (BIP65, BIP112). */

static int
check_locktime(const struct exec_ctx *cx, int64_t lt)
{
	return script_locktime_met(cx->tx, cx->nin, lt);
}

static int
check_sequence(const struct exec_ctx *cx, int64_t seq)
{
	return script_sequence_met(cx->tx, cx->nin, seq);
}

int
script_locktime_met(const struct tx *tx, size_t nin, int64_t lt)
{
	uint32_t txlt = tx->locktime;

	/* Height against height, time against time. */
	if (!((txlt < LOCKTIME_THRESHOLD && lt < LOCKTIME_THRESHOLD) ||
		(txlt >= LOCKTIME_THRESHOLD && lt >= LOCKTIME_THRESHOLD)))
		return 0;
	if (lt > (int64_t)txlt)
		return 0;
	/* A final input would let the transaction ignore its lock time. */
	if (tx->vin[nin].sequence == SEQUENCE_FINAL)
		return 0;
	return 1;
}

int
script_sequence_met(const struct tx *tx, size_t nin, int64_t seq)
{
	int64_t txseq = tx->vin[nin].sequence;
	const int64_t mask = SEQUENCE_LOCKTIME_TYPE_FLAG |
	    SEQUENCE_LOCKTIME_MASK;
	int64_t a, b;

	if ((uint32_t)tx->version < 2)
		return 0;
	if (txseq & SEQUENCE_LOCKTIME_DISABLE_FLAG)
		return 0;
	a = txseq & mask;
	b = seq & mask;
	if (!((a < SEQUENCE_LOCKTIME_TYPE_FLAG &&
		  b < SEQUENCE_LOCKTIME_TYPE_FLAG) ||
		(a >= SEQUENCE_LOCKTIME_TYPE_FLAG &&
		    b >= SEQUENCE_LOCKTIME_TYPE_FLAG)))
		return 0;
	return b <= a;
}

/* Signature opcodes. */

/* The push Core's "CScript() << sig" writes; returns its length. */
static size_t
push_encoding(const uint8_t *d, size_t n, uint8_t *out)
{
	size_t h;

	if (n < OP_PUSHDATA1) {
		out[0] = (uint8_t)n;
		h = 1;
	} else if (n <= 0xff) {
		out[0] = OP_PUSHDATA1;
		out[1] = (uint8_t)n;
		h = 2;
	} else if (n <= 0xffff) {
		out[0] = OP_PUSHDATA2;
		out[1] = (uint8_t)n;
		out[2] = (uint8_t)(n >> 8);
		h = 3;
	} else {
		out[0] = OP_PUSHDATA4;
		le32_write(out + 1, (uint32_t)n);
		h = 5;
	}
	memcpy(out + h, d, n);
	return h + n;
}

static int
contains(const uint8_t *s, size_t len, const uint8_t *pat, size_t plen)
{
	size_t i;

	if (plen > len)
		return 0;
	for (i = 0; i + plen <= len; i++)
		if (s[i] == pat[0] && memcmp(s + i, pat, plen) == 0)
			return 1;
	return 0;
}

/*
 * Core's FindAndDelete: drops every copy of pat that starts on an
 * operation boundary of s. out (room for len bytes) receives the result
 * when something was dropped. Returns the number of copies dropped.
 */
static size_t
find_and_delete(const uint8_t *s, size_t len, const uint8_t *pat, size_t plen,
    uint8_t *out, size_t *outlen)
{
	const uint8_t *d;
	size_t pc = 0, from = 0, olen = 0, dl, found = 0;
	unsigned op;

	for (;;) {
		memcpy(out + olen, s + from, pc - from);
		olen += pc - from;
		while (len - pc >= plen && memcmp(s + pc, pat, plen) == 0) {
			pc += plen;
			found++;
		}
		from = pc;
		if (!script_get_op(s, len, &pc, &op, &d, &dl))
			break;
	}
	if (found > 0) {
		memcpy(out + olen, s + from, len - from);
		olen += len - from;
	}
	*outlen = olen;
	return found;
}

/*
 * Removes sig from the working script code (legacy scripts only). *code
 * and *len are replaced by a copy in *owned when something was removed.
 * Returns 0 with *err set if CONST_SCRIPTCODE forbids the change.
 */
static int
code_remove_sig(const uint8_t **code, size_t *len, uint8_t **owned,
    const struct selem *sig, uint32_t flags, int *err)
{
	uint8_t pat[MAX_SCRIPT_ELEMENT_SIZE + 5], *out;
	size_t plen, olen;

	plen = push_encoding(selem_data(sig), sig->len, pat);
	if (!contains(*code, *len, pat, plen))
		return 1;
	out = xmalloc(*len);
	if (find_and_delete(*code, *len, pat, plen, out, &olen) == 0) {
		free(out);
		return 1;
	}
	if (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE) {
		free(out);
		*err = SCRIPT_ERR_SIG_FINDANDDELETE;
		return 0;
	}
	free(*owned);
	*owned = out;
	*code = out;
	*len = olen;
	return 1;
}

static int
checksig_pre_tapscript(struct exec_ctx *cx, const struct selem *sig,
    const struct selem *pk, const uint8_t *code, size_t code_len,
    uint32_t flags, enum sigversion sv, int *err, int *success)
{
	uint8_t *owned = NULL;

	if (sv == SIGVERSION_BASE &&
	    !code_remove_sig(&code, &code_len, &owned, sig, flags, err))
		return 0;
	if (!sig_check_encoding(selem_data(sig), sig->len, flags, err) ||
	    !sig_check_pubkey_encoding(selem_data(pk), pk->len, flags, sv,
		err)) {
		free(owned);
		return 0;
	}
	*success = sig_check_ecdsa(cx, selem_data(sig), sig->len,
	    selem_data(pk), pk->len, code, code_len, sv);
	free(owned);
	if (!*success && (flags & SCRIPT_VERIFY_NULLFAIL) && sig->len > 0) {
		*err = SCRIPT_ERR_SIG_NULLFAIL;
		return 0;
	}
	return 1;
}

/*
 * BIP342 signature check. The order matters for consensus: the weight
 * budget first, then unknown key types succeed, then an empty key fails,
 * then a non-empty signature must be valid.
 */
static int
checksig_tapscript(struct exec_ctx *cx, const struct selem *sig,
    const struct selem *pk, uint32_t flags, int *err, int *success)
{
	*success = sig->len > 0;
	if (*success) {
		cx->weight_left -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
		if (cx->weight_left < 0) {
			*err = SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT;
			return 0;
		}
	}
	if (pk->len == 0) {
		*err = SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY;
		return 0;
	}
	if (pk->len == 32) {
		if (*success &&
		    !sig_check_schnorr(cx, selem_data(sig), sig->len,
			selem_data(pk), SIGVERSION_TAPSCRIPT, err))
			return 0;
	} else if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE) {
		*err = SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;
		return 0;
	}
	return 1;
}

static int
checksig(struct exec_ctx *cx, const struct selem *sig, const struct selem *pk,
    const uint8_t *code, size_t code_len, uint32_t flags, enum sigversion sv,
    int *err, int *success)
{
	if (sv == SIGVERSION_TAPSCRIPT)
		return checksig_tapscript(cx, sig, pk, flags, err, success);
	return checksig_pre_tapscript(cx, sig, pk, code, code_len, flags, sv,
	    err, success);
}

/*
 * CHECKMULTISIG(VERIFY): ([sig ...] nsigs [pubkey ...] nkeys -- bool),
 * plus the extra element Core's off-by-one consumes. *nops counts the
 * keys against the operation limit.
 */
static int
checkmultisig(struct exec_ctx *cx, struct stack *st, const uint8_t *code,
    size_t code_len, uint32_t flags, enum sigversion sv, int *nops, int *err,
    int *result)
{
	int minimal = (flags & SCRIPT_VERIFY_MINIMALDATA) != 0;
	int i = 1, ikey, ikey2, isig, nkeys, nsigs, k, ok = 1;
	uint8_t *owned = NULL;
	int64_t v;

#define MTOP(j) (&st->e[(int)st->n + (j)])
	if ((int)st->n < i)
		goto bad_stack;
	if (num_get(MTOP(-i), minimal, 4, &v) != 0)
		goto unknown;
	nkeys = num_to_int(v);
	if (nkeys < 0 || nkeys > MAX_PUBKEYS_PER_MULTISIG) {
		*err = SCRIPT_ERR_PUBKEY_COUNT;
		return 0;
	}
	*nops += nkeys;
	if (*nops > MAX_OPS_PER_SCRIPT) {
		*err = SCRIPT_ERR_OP_COUNT;
		return 0;
	}
	ikey = ++i;
	/* Position of the last key: below it, failed sigs must be empty. */
	ikey2 = nkeys + 2;
	i += nkeys;
	if ((int)st->n < i)
		goto bad_stack;
	if (num_get(MTOP(-i), minimal, 4, &v) != 0)
		goto unknown;
	nsigs = num_to_int(v);
	if (nsigs < 0 || nsigs > nkeys) {
		*err = SCRIPT_ERR_SIG_COUNT;
		return 0;
	}
	isig = ++i;
	i += nsigs;
	if ((int)st->n < i)
		goto bad_stack;

	if (sv == SIGVERSION_BASE) {
		for (k = 0; k < nsigs; k++)
			if (!code_remove_sig(&code, &code_len, &owned,
				MTOP(-isig - k), flags, err)) {
				free(owned);
				return 0;
			}
	}
	while (ok && nsigs > 0) {
		const struct selem *sig = MTOP(-isig), *pk = MTOP(-ikey);

		/*
		 * Encodings are checked pair by pair as evaluation reaches
		 * them, so which key a bad signature meets is visible.
		 */
		if (!sig_check_encoding(selem_data(sig), sig->len, flags,
			err) ||
		    !sig_check_pubkey_encoding(selem_data(pk), pk->len, flags,
			sv, err)) {
			free(owned);
			return 0;
		}
		if (sig_check_ecdsa(cx, selem_data(sig), sig->len,
			selem_data(pk), pk->len, code, code_len, sv)) {
			isig++;
			nsigs--;
		}
		ikey++;
		nkeys--;
		/* More signatures left than keys: it cannot succeed. */
		if (nsigs > nkeys)
			ok = 0;
	}
	free(owned);

	while (i-- > 1) {
		if (!ok && (flags & SCRIPT_VERIFY_NULLFAIL) && ikey2 == 0 &&
		    MTOP(-1)->len > 0) {
			*err = SCRIPT_ERR_SIG_NULLFAIL;
			return 0;
		}
		if (ikey2 > 0)
			ikey2--;
		st->n--;
	}
	if (st->n < 1)
		goto bad_stack;
	if ((flags & SCRIPT_VERIFY_NULLDUMMY) && MTOP(-1)->len > 0) {
		*err = SCRIPT_ERR_SIG_NULLDUMMY;
		return 0;
	}
	st->n--;
	*result = ok;
	return 1;
#undef MTOP

bad_stack:
	*err = SCRIPT_ERR_INVALID_STACK_OPERATION;
	return 0;
unknown:
	*err = SCRIPT_ERR_UNKNOWN_ERROR;
	return 0;
}

/* Hash opcodes write into an inline element. */
static void
op_hash(unsigned op, const struct selem *in, struct selem *out)
{
	const uint8_t *p = selem_data(in);
	uint8_t h[32];

	switch (op) {
	case OP_RIPEMD160:
		ripemd160(p, in->len, h);
		out->len = 20;
		break;
	case OP_SHA1:
		sha1(p, in->len, h);
		out->len = 20;
		break;
	case OP_SHA256:
		sha256(p, in->len, h);
		out->len = 32;
		break;
	case OP_HASH160:
		hash160(p, in->len, h);
		out->len = 20;
		break;
	default:
		hash256(p, in->len, h);
		out->len = 32;
		break;
	}
	out->p = NULL;
	memcpy(out->buf, h, out->len);
}

/*
 * The IF/ELSE nesting as a depth and the depth of the first false branch:
 * Core's O(1) condition stack.
 */
#define COND_NO_FALSE UINT32_MAX

int
script_eval(struct stack *st, const uint8_t *script, size_t len,
    uint32_t flags, enum sigversion sv, struct exec_ctx *cx, int *err)
{
	struct stack alt;
	const uint8_t *d;
	size_t pc = 0, dl, begincode = 0;
	uint32_t cond_n = 0, cond_false = COND_NO_FALSE, opcode_pos = 0;
	unsigned op;
	int minimal = (flags & SCRIPT_VERIFY_MINIMALDATA) != 0;
	int nops = 0, exec, ok = 0, success;
	int64_t a, b, c;
	struct selem tmp;

#define TOP(i) (&st->e[(ptrdiff_t)st->n + (i)])
#define NEED(k) \
	do { \
		if (st->n < (size_t)(k)) { \
			*err = SCRIPT_ERR_INVALID_STACK_OPERATION; \
			goto out; \
		} \
	} while (0)
#define FAIL(e) \
	do { \
		*err = (e); \
		goto out; \
	} while (0)
#define NUM(e, out_) \
	do { \
		if (num_get((e), minimal, 4, &(out_)) != 0) \
			FAIL(SCRIPT_ERR_UNKNOWN_ERROR); \
	} while (0)

	stack_init(&alt);
	*err = SCRIPT_ERR_UNKNOWN_ERROR;
	if ((sv == SIGVERSION_BASE || sv == SIGVERSION_WITNESS_V0) &&
	    len > MAX_SCRIPT_SIZE)
		FAIL(SCRIPT_ERR_SCRIPT_SIZE);
	cx->codesep_pos = UINT32_MAX;

	for (; pc < len; opcode_pos++) {
		exec = cond_false == COND_NO_FALSE;
		if (!script_get_op(script, len, &pc, &op, &d, &dl))
			FAIL(SCRIPT_ERR_BAD_OPCODE);
		if (dl > MAX_SCRIPT_ELEMENT_SIZE)
			FAIL(SCRIPT_ERR_PUSH_SIZE);
		/* OP_RESERVED does not count towards the limit. */
		if ((sv == SIGVERSION_BASE || sv == SIGVERSION_WITNESS_V0) &&
		    op > OP_16 && ++nops > MAX_OPS_PER_SCRIPT)
			FAIL(SCRIPT_ERR_OP_COUNT);
		/* Disabled since 2010 (CVE-2010-5137), executed or not. */
		switch (op) {
		case OP_CAT:
		case OP_SUBSTR:
		case OP_LEFT:
		case OP_RIGHT:
		case OP_INVERT:
		case OP_AND:
		case OP_OR:
		case OP_XOR:
		case OP_2MUL:
		case OP_2DIV:
		case OP_MUL:
		case OP_DIV:
		case OP_MOD:
		case OP_LSHIFT:
		case OP_RSHIFT: FAIL(SCRIPT_ERR_DISABLED_OPCODE);
		}
		if (op == OP_CODESEPARATOR && sv == SIGVERSION_BASE &&
		    (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE))
			FAIL(SCRIPT_ERR_OP_CODESEPARATOR);

		if (exec && op <= OP_PUSHDATA4) {
			if (minimal && !script_minimal_push(op, d, dl))
				FAIL(SCRIPT_ERR_MINIMALDATA);
			stack_push_ref(st, d, dl);
		} else if (exec || (op >= OP_IF && op <= OP_ENDIF)) {
			switch (op) {
			case OP_1NEGATE:
			case OP_1:
			case OP_1 + 1:
			case OP_1 + 2:
			case OP_1 + 3:
			case OP_1 + 4:
			case OP_1 + 5:
			case OP_1 + 6:
			case OP_1 + 7:
			case OP_1 + 8:
			case OP_1 + 9:
			case OP_1 + 10:
			case OP_1 + 11:
			case OP_1 + 12:
			case OP_1 + 13:
			case OP_1 + 14:
			case OP_16:
				stack_push_num(st, (int64_t)op - (OP_1 - 1));
				break;

			case OP_NOP: break;

			case OP_CHECKLOCKTIMEVERIFY:
			case OP_CHECKSEQUENCEVERIFY: {
				int cltv = op == OP_CHECKLOCKTIMEVERIFY;

				/* Off: a plain NOP2/NOP3, never discouraged. */
				if (!(flags &
					(cltv ? SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY :
						SCRIPT_VERIFY_CHECKSEQUENCEVERIFY)))
					break;
				NEED(1);
				/* Five bytes: lock times reach 2^32 - 1. */
				if (num_get(TOP(-1), minimal, 5, &a) != 0)
					FAIL(SCRIPT_ERR_UNKNOWN_ERROR);
				if (a < 0)
					FAIL(SCRIPT_ERR_NEGATIVE_LOCKTIME);
				/* CSV's disable bit: room for soft forks. */
				if (!cltv &&
				    (a & SEQUENCE_LOCKTIME_DISABLE_FLAG))
					break;
				if (!(cltv ? check_locktime(cx, a) :
					     check_sequence(cx, a)))
					FAIL(SCRIPT_ERR_UNSATISFIED_LOCKTIME);
				break;
			}

			case OP_NOP1:
			case OP_NOP4:
			case OP_NOP5:
			case OP_NOP6:
			case OP_NOP7:
			case OP_NOP8:
			case OP_NOP9:
			case OP_NOP10:
				if (flags &
				    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS)
					FAIL(
					    SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS);
				break;

			case OP_IF:
			case OP_NOTIF: {
				int v = 0;

				if (exec) {
					const struct selem *e;
					const uint8_t *p;

					if (st->n < 1)
						FAIL(
						    SCRIPT_ERR_UNBALANCED_CONDITIONAL);
					e = TOP(-1);
					p = selem_data(e);
					if (sv == SIGVERSION_TAPSCRIPT &&
					    (e->len > 1 ||
						(e->len == 1 && p[0] != 1)))
						FAIL(
						    SCRIPT_ERR_TAPSCRIPT_MINIMALIF);
					if (sv == SIGVERSION_WITNESS_V0 &&
					    (flags &
						SCRIPT_VERIFY_MINIMALIF) &&
					    (e->len > 1 ||
						(e->len == 1 && p[0] != 1)))
						FAIL(SCRIPT_ERR_MINIMALIF);
					v = cast_to_bool(e);
					if (op == OP_NOTIF)
						v = !v;
					st->n--;
				}
				if (cond_false == COND_NO_FALSE && !v)
					cond_false = cond_n;
				cond_n++;
				break;
			}

			case OP_ELSE:
				if (cond_n == 0)
					FAIL(
					    SCRIPT_ERR_UNBALANCED_CONDITIONAL);
				if (cond_false == COND_NO_FALSE)
					cond_false = cond_n - 1;
				else if (cond_false == cond_n - 1)
					cond_false = COND_NO_FALSE;
				break;

			case OP_ENDIF:
				if (cond_n == 0)
					FAIL(
					    SCRIPT_ERR_UNBALANCED_CONDITIONAL);
				cond_n--;
				if (cond_false == cond_n)
					cond_false = COND_NO_FALSE;
				break;

			case OP_VERIFY:
				NEED(1);
				if (!cast_to_bool(TOP(-1)))
					FAIL(SCRIPT_ERR_VERIFY);
				st->n--;
				break;

			case OP_RETURN: FAIL(SCRIPT_ERR_OP_RETURN);

			case OP_TOALTSTACK:
				NEED(1);
				stack_push_elem(&alt, TOP(-1));
				st->n--;
				break;

			case OP_FROMALTSTACK:
				if (alt.n < 1)
					FAIL(
					    SCRIPT_ERR_INVALID_ALTSTACK_OPERATION);
				stack_push_elem(st, &alt.e[alt.n - 1]);
				alt.n--;
				break;

			case OP_2DROP:
				NEED(2);
				st->n -= 2;
				break;

			case OP_2DUP:
				NEED(2);
				stack_push_copies(st, 2, 2);
				break;

			case OP_3DUP:
				NEED(3);
				stack_push_copies(st, 3, 3);
				break;

			case OP_2OVER:
				NEED(4);
				stack_push_copies(st, 4, 2);
				break;

			case OP_2ROT: {
				struct selem x1, x2;

				NEED(6);
				x1 = *TOP(-6);
				x2 = *TOP(-5);
				memmove(TOP(-6), TOP(-4),
				    4 * sizeof(struct selem));
				*TOP(-2) = x1;
				*TOP(-1) = x2;
				break;
			}

			case OP_2SWAP: {
				struct selem x[2];

				NEED(4);
				memcpy(x, TOP(-4), sizeof(x));
				memmove(TOP(-4), TOP(-2), sizeof(x));
				memcpy(TOP(-2), x, sizeof(x));
				break;
			}

			case OP_IFDUP:
				NEED(1);
				if (cast_to_bool(TOP(-1)))
					stack_push_elem(st, TOP(-1));
				break;

			case OP_DEPTH:
				stack_push_num(st, (int64_t)st->n);
				break;

			case OP_DROP:
				NEED(1);
				st->n--;
				break;

			case OP_DUP:
				NEED(1);
				stack_push_elem(st, TOP(-1));
				break;

			case OP_NIP:
				NEED(2);
				*TOP(-2) = *TOP(-1);
				st->n--;
				break;

			case OP_OVER:
				NEED(2);
				stack_push_elem(st, TOP(-2));
				break;

			case OP_PICK:
			case OP_ROLL: {
				int n;

				NEED(2);
				NUM(TOP(-1), a);
				n = num_to_int(a);
				st->n--;
				if (n < 0 || (size_t)n >= st->n)
					FAIL(
					    SCRIPT_ERR_INVALID_STACK_OPERATION);
				tmp = *TOP(-n - 1);
				if (op == OP_ROLL) {
					memmove(TOP(-n - 1), TOP(-n),
					    (size_t)n * sizeof(struct selem));
					st->n--;
				}
				stack_push_elem(st, &tmp);
				break;
			}

			case OP_ROT:
				/* (x1 x2 x3 -- x2 x3 x1) */
				NEED(3);
				tmp = *TOP(-3);
				*TOP(-3) = *TOP(-2);
				*TOP(-2) = *TOP(-1);
				*TOP(-1) = tmp;
				break;

			case OP_SWAP:
				NEED(2);
				tmp = *TOP(-2);
				*TOP(-2) = *TOP(-1);
				*TOP(-1) = tmp;
				break;

			case OP_TUCK:
				/* (x1 x2 -- x2 x1 x2) */
				NEED(2);
				stack_reserve(st, 1);
				tmp = *TOP(-1);
				*TOP(0) = tmp;
				*TOP(-1) = *TOP(-2);
				*TOP(-2) = tmp;
				st->n++;
				break;

			case OP_SIZE:
				NEED(1);
				stack_push_num(st, (int64_t)TOP(-1)->len);
				break;

			case OP_EQUAL:
			case OP_EQUALVERIFY: {
				int eq;

				NEED(2);
				eq = selem_equal(TOP(-2), TOP(-1));
				st->n -= 2;
				if (op == OP_EQUALVERIFY) {
					if (!eq)
						FAIL(SCRIPT_ERR_EQUALVERIFY);
				} else
					stack_push_bool(st, eq);
				break;
			}

			case OP_1ADD:
			case OP_1SUB:
			case OP_NEGATE:
			case OP_ABS:
			case OP_NOT:
			case OP_0NOTEQUAL:
				NEED(1);
				NUM(TOP(-1), a);
				switch (op) {
				case OP_1ADD: a += 1; break;
				case OP_1SUB: a -= 1; break;
				case OP_NEGATE: a = -a; break;
				case OP_ABS:
					if (a < 0)
						a = -a;
					break;
				case OP_NOT: a = a == 0; break;
				default: a = a != 0; break;
				}
				st->n--;
				stack_push_num(st, a);
				break;

			case OP_ADD:
			case OP_SUB:
			case OP_BOOLAND:
			case OP_BOOLOR:
			case OP_NUMEQUAL:
			case OP_NUMEQUALVERIFY:
			case OP_NUMNOTEQUAL:
			case OP_LESSTHAN:
			case OP_GREATERTHAN:
			case OP_LESSTHANOREQUAL:
			case OP_GREATERTHANOREQUAL:
			case OP_MIN:
			case OP_MAX:
				NEED(2);
				NUM(TOP(-2), a);
				NUM(TOP(-1), b);
				switch (op) {
				case OP_ADD: c = a + b; break;
				case OP_SUB: c = a - b; break;
				case OP_BOOLAND: c = a != 0 && b != 0; break;
				case OP_BOOLOR: c = a != 0 || b != 0; break;
				case OP_NUMEQUAL:
				case OP_NUMEQUALVERIFY: c = a == b; break;
				case OP_NUMNOTEQUAL: c = a != b; break;
				case OP_LESSTHAN: c = a < b; break;
				case OP_GREATERTHAN: c = a > b; break;
				case OP_LESSTHANOREQUAL: c = a <= b; break;
				case OP_GREATERTHANOREQUAL: c = a >= b; break;
				case OP_MIN: c = a < b ? a : b; break;
				default: c = a > b ? a : b; break;
				}
				st->n -= 2;
				if (op == OP_NUMEQUALVERIFY) {
					if (!c)
						FAIL(
						    SCRIPT_ERR_NUMEQUALVERIFY);
				} else
					stack_push_num(st, c);
				break;

			case OP_WITHIN:
				/* (x min max -- min <= x < max) */
				NEED(3);
				NUM(TOP(-3), a);
				NUM(TOP(-2), b);
				NUM(TOP(-1), c);
				st->n -= 3;
				stack_push_bool(st, b <= a && a < c);
				break;

			case OP_RIPEMD160:
			case OP_SHA1:
			case OP_SHA256:
			case OP_HASH160:
			case OP_HASH256:
				NEED(1);
				op_hash(op, TOP(-1), &tmp);
				*TOP(-1) = tmp;
				break;

			case OP_CODESEPARATOR:
				/* Later signatures hash from here on. */
				begincode = pc;
				cx->codesep_pos = opcode_pos;
				break;

			case OP_CHECKSIG:
			case OP_CHECKSIGVERIFY:
				NEED(2);
				if (!checksig(cx, TOP(-2), TOP(-1),
					script + begincode, len - begincode,
					flags, sv, err, &success))
					goto out;
				st->n -= 2;
				if (op == OP_CHECKSIGVERIFY) {
					if (!success)
						FAIL(
						    SCRIPT_ERR_CHECKSIGVERIFY);
				} else
					stack_push_bool(st, success);
				break;

			case OP_CHECKSIGADD:
				if (sv == SIGVERSION_BASE ||
				    sv == SIGVERSION_WITNESS_V0)
					FAIL(SCRIPT_ERR_BAD_OPCODE);
				/* (sig num pubkey -- num) */
				NEED(3);
				NUM(TOP(-2), a);
				if (!checksig(cx, TOP(-3), TOP(-1), NULL, 0,
					flags, sv, err, &success))
					goto out;
				st->n -= 3;
				stack_push_num(st, a + (success ? 1 : 0));
				break;

			case OP_CHECKMULTISIG:
			case OP_CHECKMULTISIGVERIFY:
				if (sv == SIGVERSION_TAPSCRIPT)
					FAIL(
					    SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG);
				if (!checkmultisig(cx, st, script + begincode,
					len - begincode, flags, sv, &nops, err,
					&success))
					goto out;
				if (op == OP_CHECKMULTISIGVERIFY) {
					if (!success)
						FAIL(
						    SCRIPT_ERR_CHECKMULTISIGVERIFY);
				} else
					stack_push_bool(st, success);
				break;

			default: FAIL(SCRIPT_ERR_BAD_OPCODE);
			}
		}
		if (st->n + alt.n > MAX_STACK_SIZE)
			FAIL(SCRIPT_ERR_STACK_SIZE);
	}
	if (cond_n != 0)
		FAIL(SCRIPT_ERR_UNBALANCED_CONDITIONAL);
	*err = SCRIPT_ERR_OK;
	ok = 1;
out:
	stack_free(&alt);
	return ok;
#undef TOP
#undef NEED
#undef FAIL
#undef NUM
}
