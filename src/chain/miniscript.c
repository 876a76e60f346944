/*
 * Miniscript text: parsing as Core 28's miniscript::internal::Parse (same
 * fragments, same argument rules: a key, hash or number runs to the next
 * ')'; numbers as Core's ToIntegral) and printing as Core's ToString.
 *
 * Core parses with an explicit stack; this parser (and the printer,
 * compiler and checks, which walk the tree) recurse, so text nested
 * deeper than MS_MAX_DEPTH levels, wrappers counted, is refused: Core has
 * no such bound, but a tapscript leaf of 300 kB could otherwise nest
 * deep enough to overflow a thread's stack.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "chain/miniscript.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define MS_MAX_DEPTH 1000
#define MS_MAX_MULTI 20	   /* MAX_PUBKEYS_PER_MULTISIG */
#define MS_MAX_MULTI_A 999 /* MAX_PUBKEYS_PER_MULTI_A */

struct pstate {
	const char *p, *e; /* what is left to parse */
	enum ms_ctx ctx;
	const struct ms_keyops *ko;
	/* Core's running lower bound of the script size. */
	size_t size;
	int depth;
};

static struct ms_node *parse_wrapped(struct pstate *st);

/*
 * Core checks its running size bound before every step of its parse (an
 * expression, a wrapper, a ',' or ')', a combination), but not after the
 * last, so text whose script ends up too large either fails to parse or
 * parses into an invalid tree, depending on where the bound is crossed.
 * Each step here calls this first.
 */
static int
over(const struct pstate *st)
{
	return st->size > ms_max_script_size(st->ctx);
}

static size_t
left(const struct pstate *st)
{
	return (size_t)(st->e - st->p);
}

/* Core's Const: consumes str if the text starts with it. */
static int
konst(struct pstate *st, const char *str)
{
	size_t k = strlen(str);

	if (left(st) < k || memcmp(st->p, str, k) != 0)
		return 0;
	st->p += k;
	return 1;
}

/* Core's FindNextChar: offset of m before any ')', else -1. */
static long
find_next(const struct pstate *st, char m)
{
	size_t i;

	for (i = 0; i < left(st); i++) {
		if (st->p[i] == m)
			return (long)i;
		if (st->p[i] == ')')
			break;
	}
	return -1;
}

/* Core's ToIntegral<int64_t>: an optional '-', digits, no overflow. */
static int
parse_int64(const char *s, size_t n, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	size_t i = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
			return 0;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static struct ms_node *
leaf(struct pstate *st, enum ms_frag f)
{
	struct ms_node *n = ms_node_new(f, st->ctx);

	ms_node_finish(n);
	return n;
}

static struct ms_node *
wrap(struct pstate *st, enum ms_frag f, struct ms_node *x)
{
	struct ms_node *n = ms_node_new(f, st->ctx);

	ms_node_add_sub(n, x);
	ms_node_finish(n);
	return n;
}

static struct ms_node *
combine(struct pstate *st, enum ms_frag f, struct ms_node *x,
    struct ms_node *y, struct ms_node *z)
{
	struct ms_node *n = ms_node_new(f, st->ctx);

	ms_node_add_sub(n, x);
	ms_node_add_sub(n, y);
	if (z != NULL)
		ms_node_add_sub(n, z);
	ms_node_finish(n);
	return n;
}

/* A key up to the next ')', which is consumed; -1 on failure. */
static int
key_arg(struct pstate *st)
{
	long len = find_next(st, ')');
	int key;

	if (len < 1)
		return -1;
	key = st->ko->parse(st->ko->arg, st->p, (size_t)len);
	if (key < 0)
		return -1;
	st->p += len + 1;
	return key;
}

/* pk(, pkh(, pk_k(, pk_h( with the name already consumed. */
static struct ms_node *
parse_key_frag(struct pstate *st, enum ms_frag f, int checked)
{
	int key = key_arg(st);
	struct ms_node *n;

	if (key < 0)
		return NULL;
	n = ms_node_new(f, st->ctx);
	ms_node_add_key(n, (size_t)key);
	ms_node_finish(n);
	if (f == MS_PK_K)
		st->size += st->ctx == MS_TAPSCRIPT ? 32 : 33;
	else
		st->size += 23;
	if (checked) {
		st->size++;
		n = wrap(st, MS_WRAP_C, n);
	}
	return n;
}

static struct ms_node *
parse_hash(struct pstate *st, enum ms_frag f, size_t want)
{
	long len = find_next(st, ')');
	struct ms_node *n;
	char hex[65];

	if (len < 1 || (size_t)len != want * 2)
		return NULL;
	memcpy(hex, st->p, (size_t)len);
	hex[len] = '\0';
	if (!hex_is_valid(hex))
		return NULL;
	n = ms_node_new(f, st->ctx);
	hex_decode(hex, n->data, want);
	n->datalen = want;
	ms_node_finish(n);
	st->p += len + 1;
	st->size += want == 32 ? 38 : 26;
	return n;
}

/* Bytes Core adds for a number push beyond the opcode. */
static size_t
num_extra(int64_t v)
{
	return (v > 16) + (v > 0x7f) + (v > 0x7fff) + (v > 0x7fffff);
}

static struct ms_node *
parse_timelock(struct pstate *st, enum ms_frag f)
{
	long len = find_next(st, ')');
	struct ms_node *n;
	int64_t v;

	if (len < 1 || !parse_int64(st->p, (size_t)len, &v) || v < 1 ||
	    v >= 0x80000000LL)
		return NULL;
	st->p += len + 1;
	n = ms_node_new(f, st->ctx);
	n->k = (uint32_t)v;
	ms_node_finish(n);
	st->size += 1 + num_extra(v);
	return n;
}

static struct ms_node *
parse_multi(struct pstate *st, int is_a)
{
	long comma = find_next(st, ','), len;
	struct ms_node *n;
	int64_t k;
	int key;

	if ((is_a ? MS_TAPSCRIPT : MS_P2WSH) != st->ctx)
		return NULL;
	if (comma < 1 || !parse_int64(st->p, (size_t)comma, &k))
		return NULL;
	st->p += comma + 1;
	n = ms_node_new(is_a ? MS_MULTI_A : MS_MULTI, st->ctx);
	do {
		comma = find_next(st, ',');
		len = comma == -1 ? find_next(st, ')') : comma;
		if (len < 1 ||
		    (key = st->ko->parse(st->ko->arg, st->p, (size_t)len)) < 0)
			goto fail;
		ms_node_add_key(n, (size_t)key);
		st->p += len + 1;
	} while (comma != -1);
	if (n->nkeys > (size_t)(is_a ? MS_MAX_MULTI_A : MS_MAX_MULTI) ||
	    k < 1 || k > (int64_t)n->nkeys)
		goto fail;
	n->k = (uint32_t)k;
	ms_node_finish(n);
	if (is_a)
		st->size += 34 * n->nkeys + 1 + num_extra(k);
	else
		st->size += 2 + (n->nkeys > 16) + (k > 16) + 34 * n->nkeys;
	return n;
fail:
	ms_free(n);
	return NULL;
}

static int
expect(struct pstate *st, char c)
{
	if (left(st) < 1 || st->p[0] != c)
		return 0;
	st->p++;
	return 1;
}

static struct ms_node *
parse_thresh(struct pstate *st)
{
	long comma = find_next(st, ',');
	struct ms_node *n, *sub;
	int64_t k;

	if (comma < 1 || !parse_int64(st->p, (size_t)comma, &k) || k < 1)
		return NULL;
	st->p += comma + 1;
	st->size += 2 + num_extra(k);
	n = ms_node_new(MS_THRESH, st->ctx);
	for (;;) {
		if ((sub = parse_wrapped(st)) == NULL)
			goto fail;
		ms_node_add_sub(n, sub);
		if (over(st))
			goto fail;
		if (expect(st, ',')) {
			st->size += 2;
			continue;
		}
		if (!expect(st, ')') || k > (int64_t)n->nsubs)
			goto fail;
		break;
	}
	n->k = (uint32_t)k;
	ms_node_finish(n);
	return n;
fail:
	ms_free(n);
	return NULL;
}

/* The arguments of a combinator of nargs subexpressions, then ')'. */
static struct ms_node *
parse_combinator(struct pstate *st, enum ms_frag f, int nargs, int and_n)
{
	struct ms_node *s[3] = { NULL, NULL, NULL };
	int i;

	for (i = 0; i < nargs; i++) {
		if (i > 0 && (over(st) || !expect(st, ',')))
			goto fail;
		if ((s[i] = parse_wrapped(st)) == NULL)
			goto fail;
	}
	if (over(st) || !expect(st, ')') || over(st))
		goto fail;
	if (and_n)
		s[2] = leaf(st, MS_0);
	return combine(st, f, s[0], s[1], s[2]);
fail:
	for (i = 0; i < 3; i++)
		ms_free(s[i]);
	return NULL;
}

static const struct {
	const char *name;
	enum ms_frag frag;
	int nargs;
	int and_n;
	size_t size;
} combinators[] = {
	{ "andor(", MS_ANDOR, 3, 0, 5 },
	{ "and_n(", MS_ANDOR, 2, 1, 5 },
	{ "and_b(", MS_AND_B, 2, 0, 2 },
	{ "and_v(", MS_AND_V, 2, 0, 1 },
	{ "or_b(", MS_OR_B, 2, 0, 2 },
	{ "or_c(", MS_OR_C, 2, 0, 3 },
	{ "or_d(", MS_OR_D, 2, 0, 4 },
	{ "or_i(", MS_OR_I, 2, 0, 4 },
};

static const struct {
	const char *name;
	enum ms_frag frag;
	size_t len;
} hashes[] = {
	{ "sha256(", MS_SHA256, 32 },
	{ "ripemd160(", MS_RIPEMD160, 20 },
	{ "hash256(", MS_HASH256, 32 },
	{ "hash160(", MS_HASH160, 20 },
};

static struct ms_node *
parse_expr(struct pstate *st)
{
	size_t i;

	if (over(st))
		return NULL;
	if (konst(st, "0"))
		return leaf(st, MS_0);
	if (konst(st, "1"))
		return leaf(st, MS_1);
	if (konst(st, "pk("))
		return parse_key_frag(st, MS_PK_K, 1);
	if (konst(st, "pkh("))
		return parse_key_frag(st, MS_PK_H, 1);
	if (konst(st, "pk_k("))
		return parse_key_frag(st, MS_PK_K, 0);
	if (konst(st, "pk_h("))
		return parse_key_frag(st, MS_PK_H, 0);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (konst(st, hashes[i].name))
			return parse_hash(st, hashes[i].frag, hashes[i].len);
	if (konst(st, "after("))
		return parse_timelock(st, MS_AFTER);
	if (konst(st, "older("))
		return parse_timelock(st, MS_OLDER);
	if (konst(st, "multi("))
		return parse_multi(st, 0);
	if (konst(st, "multi_a("))
		return parse_multi(st, 1);
	if (konst(st, "thresh("))
		return parse_thresh(st);
	for (i = 0; i < sizeof(combinators) / sizeof(combinators[0]); i++)
		if (konst(st, combinators[i].name)) {
			st->size += combinators[i].size;
			return parse_combinator(st, combinators[i].frag,
			    combinators[i].nargs, combinators[i].and_n);
		}
	return NULL;
}

/* Script bytes a wrapper letter adds (v: is counted when applied). */
static int
wrapper_size(char c, size_t *size)
{
	switch (c) {
	case 'a': *size = 2; return 1;
	case 's':
	case 'c':
	case 'n':
	case 't': *size = 1; return 1;
	case 'd': *size = 3; return 1;
	case 'j':
	case 'u':
	case 'l': *size = 4; return 1;
	case 'v': *size = 0; return 1;
	default: return 0;
	}
}

static struct ms_node *
apply_wrapper(struct pstate *st, char c, struct ms_node *x)
{
	switch (c) {
	case 'a': return wrap(st, MS_WRAP_A, x);
	case 's': return wrap(st, MS_WRAP_S, x);
	case 'c': return wrap(st, MS_WRAP_C, x);
	case 'd': return wrap(st, MS_WRAP_D, x);
	case 'j': return wrap(st, MS_WRAP_J, x);
	case 'n': return wrap(st, MS_WRAP_N, x);
	case 'v':
		st->size += (x->type & MS_T_x) ? 1 : 0;
		return wrap(st, MS_WRAP_V, x);
	case 'u': return combine(st, MS_OR_I, x, leaf(st, MS_0), NULL);
	case 't': return combine(st, MS_AND_V, x, leaf(st, MS_1), NULL);
	default: /* 'l' */
		return combine(st, MS_OR_I, leaf(st, MS_0), x, NULL);
	}
}

/* Core's WRAPPED_EXPR: optional "wrappers:" then an expression. */
static struct ms_node *
parse_wrapped(struct pstate *st)
{
	const char *w = st->p;
	size_t i, nw = 0, add;
	struct ms_node *n;

	if (over(st) || ++st->depth > MS_MAX_DEPTH)
		return NULL;
	for (i = 1; i < left(st); i++) {
		if (st->p[i] == ':') {
			nw = i;
			break;
		}
		if (st->p[i] < 'a' || st->p[i] > 'z')
			break;
	}
	for (i = 0; i < nw; i++) {
		if (over(st) || !wrapper_size(w[i], &add) ||
		    (w[i] == 'v' && i > 0 && w[i - 1] == 'v'))
			return NULL;
		st->size += add;
	}
	/* Each wrapper is a level of the tree too. */
	st->depth += (int)nw;
	if (st->depth > MS_MAX_DEPTH)
		return NULL;
	if (nw > 0)
		st->p += nw + 1;
	if ((n = parse_expr(st)) == NULL)
		return NULL;
	/* The wrapper next to the expression applies first. */
	while (nw > 0) {
		if (over(st)) {
			ms_free(n);
			return NULL;
		}
		n = apply_wrapper(st, w[--nw], n);
		st->depth--;
	}
	st->depth--;
	return n;
}

struct ms_node *
ms_parse(const char *s, size_t n, enum ms_ctx ctx,
    const struct ms_keyops *keyops)
{
	struct pstate st = { s, s + n, ctx, keyops, 1, 0 };
	struct ms_node *r = parse_wrapped(&st);

	if (r == NULL)
		return NULL;
	if (left(&st) > 0) {
		ms_free(r);
		return NULL;
	}
	ms_dup_check(r, keyops->cmp, keyops->arg);
	return r;
}

/* ---- printing ---- */

static int
is_wrapper(const struct ms_node *n)
{
	switch (n->frag) {
	case MS_WRAP_A:
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_D:
	case MS_WRAP_V:
	case MS_WRAP_J:
	case MS_WRAP_N: return 1;
	case MS_AND_V: return n->subs[1]->frag == MS_1;
	case MS_OR_I:
		return n->subs[0]->frag == MS_0 || n->subs[1]->frag == MS_0;
	default: return 0;
	}
}

static void print_node(const struct ms_node *n, int wrapped,
    const struct ms_keyops *ko, char **buf);

/* The wrapper letter and the node it wraps; 0 when n is none. */
static char
wrapper_of(const struct ms_node *n, const struct ms_node **inner)
{
	static const char letters[] = { [MS_WRAP_A] = 'a',
		[MS_WRAP_S] = 's',
		[MS_WRAP_C] = 'c',
		[MS_WRAP_D] = 'd',
		[MS_WRAP_V] = 'v',
		[MS_WRAP_J] = 'j',
		[MS_WRAP_N] = 'n' };

	*inner = n->nsubs > 0 ? n->subs[0] : NULL;
	if (n->frag == MS_AND_V)
		return 't';
	if (n->frag == MS_OR_I && n->subs[0]->frag == MS_0) {
		*inner = n->subs[1];
		return 'l';
	}
	if (n->frag == MS_OR_I)
		return 'u';
	return letters[n->frag];
}

static void
print_keys(const struct ms_node *n, const struct ms_keyops *ko, char **buf)
{
	size_t i;

	for (i = 0; i < n->nkeys; i++) {
		desc_append(buf, ",");
		ko->print(ko->arg, n->keys[i], 0, buf);
	}
}

static const char *
frag_name(const struct ms_node *n)
{
	switch (n->frag) {
	case MS_PK_K: return "pk_k";
	case MS_PK_H: return "pk_h";
	case MS_OLDER: return "older";
	case MS_AFTER: return "after";
	case MS_SHA256: return "sha256";
	case MS_HASH256: return "hash256";
	case MS_RIPEMD160: return "ripemd160";
	case MS_HASH160: return "hash160";
	case MS_AND_V: return "and_v";
	case MS_AND_B: return "and_b";
	case MS_OR_B: return "or_b";
	case MS_OR_C: return "or_c";
	case MS_OR_D: return "or_d";
	case MS_OR_I: return "or_i";
	case MS_ANDOR: return n->subs[2]->frag == MS_0 ? "and_n" : "andor";
	case MS_THRESH: return "thresh";
	case MS_MULTI: return "multi";
	case MS_MULTI_A: return "multi_a";
	default: return "";
	}
}

static void
print_plain(const struct ms_node *n, const struct ms_keyops *ko, char **buf)
{
	char hex[65];
	size_t i, nsubs = n->nsubs;

	if (n->frag == MS_0 || n->frag == MS_1) {
		desc_append(buf, "%c", n->frag == MS_0 ? '0' : '1');
		return;
	}
	desc_append(buf, "%s(", frag_name(n));
	switch (n->frag) {
	case MS_PK_K:
	case MS_PK_H:
		ko->print(ko->arg, n->keys[0], n->frag == MS_PK_H, buf);
		break;
	case MS_OLDER:
	case MS_AFTER: desc_append(buf, "%u", n->k); break;
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160:
		hex_encode(n->data, n->datalen, hex);
		desc_append(buf, "%s", hex);
		break;
	case MS_MULTI:
	case MS_MULTI_A:
		desc_append(buf, "%u", n->k);
		print_keys(n, ko, buf);
		break;
	default:
		if (n->frag == MS_THRESH)
			desc_append(buf, "%u,", n->k);
		if (n->frag == MS_ANDOR && n->subs[2]->frag == MS_0)
			nsubs = 2;
		for (i = 0; i < nsubs; i++) {
			if (i > 0)
				desc_append(buf, ",");
			print_node(n->subs[i], 0, ko, buf);
		}
		break;
	}
	desc_append(buf, ")");
}

static void
print_node(const struct ms_node *n, int wrapped, const struct ms_keyops *ko,
    char **buf)
{
	const struct ms_node *inner;
	char c;

	if (n->frag == MS_WRAP_C &&
	    (n->subs[0]->frag == MS_PK_K || n->subs[0]->frag == MS_PK_H)) {
		/* pk(K) and pkh(K) stand for c:pk_k(K) and c:pk_h(K). */
		desc_append(buf, "%s%s(", wrapped ? ":" : "",
		    n->subs[0]->frag == MS_PK_K ? "pk" : "pkh");
		ko->print(ko->arg, n->subs[0]->keys[0],
		    n->subs[0]->frag == MS_PK_H, buf);
		desc_append(buf, ")");
		return;
	}
	if (is_wrapper(n)) {
		c = wrapper_of(n, &inner);
		desc_append(buf, "%c", c);
		print_node(inner, 1, ko, buf);
		return;
	}
	if (wrapped)
		desc_append(buf, ":");
	print_plain(n, ko, buf);
}

char *
ms_to_string(const struct ms_node *n, const struct ms_keyops *keyops)
{
	char *buf = NULL;

	print_node(n, 0, keyops, &buf);
	return buf;
}
