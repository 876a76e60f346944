/*
 * Script expressions of descriptors (BIP380-386), parsed as Core 28's
 * ParseScript: the same order of tests, the same context rules (what may
 * nest in what) and the same error messages, including the empty one Core
 * gives when text is left over after a complete expression.
 *
 * Miniscript, which Core tries inside wsh() and tr() leaves when nothing
 * else matches, is descriptor_miniscript.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/descriptor_int.h"
#include "chain/miniscript.h"
#include "util/errbuf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* A span of the descriptor text; the parser consumes it from the front. */
struct span {
	const char *p, *e;
};

/*
 * Core's Expr: the text up to the first ',', ')' or '}' outside brackets;
 * consumes it from sp.
 */
static struct span
expr(struct span *sp)
{
	struct span r = { sp->p, sp->p };
	int level = 0;

	while (r.e < sp->e) {
		char c = *r.e;

		if (c == '(' || c == '{')
			level++;
		else if (level > 0 && (c == ')' || c == '}'))
			level--;
		else if (level == 0 && (c == ')' || c == '}' || c == ','))
			break;
		r.e++;
	}
	sp->p = r.e;
	return r;
}

/* Core's Func: is sp name(...)? Then sp becomes the inside. */
static int
func(const char *name, struct span *sp)
{
	size_t k = strlen(name), n = (size_t)(sp->e - sp->p);

	if (n < k + 2 || sp->p[k] != '(' || sp->e[-1] != ')' ||
	    memcmp(sp->p, name, k) != 0)
		return 0;
	sp->p += k + 1;
	sp->e--;
	return 1;
}

/* Core's Const: consumes str from the front of sp if it is there. */
static int
konst(const char *str, struct span *sp)
{
	size_t k = strlen(str);

	if ((size_t)(sp->e - sp->p) < k || memcmp(sp->p, str, k) != 0)
		return 0;
	sp->p += k;
	return 1;
}

static size_t
span_len(struct span s)
{
	return (size_t)(s.e - s.p);
}

void
desc_node_free(struct desc_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkeys; i++)
		desc_key_free(n->keys[i]);
	free(n->keys);
	for (i = 0; i < n->nsubs; i++)
		desc_node_free(n->subs[i]);
	free(n->subs);
	free(n->depths);
	free(n->script);
	free(n->addr);
	ms_free(n->ms);
	free(n);
}

static struct desc_node *
node_new(enum desc_type t)
{
	struct desc_node *n = xcalloc(1, sizeof(*n));

	n->type = t;
	return n;
}

static void
add_key(struct desc_node *n, struct desc_key *k)
{
	n->keys = xreallocarray(n->keys, n->nkeys + 1, sizeof(*n->keys));
	n->keys[n->nkeys++] = k;
}

static void
add_sub(struct desc_node *n, struct desc_node *s, int depth)
{
	n->subs = xreallocarray(n->subs, n->nsubs + 1, sizeof(*n->subs));
	n->depths = xreallocarray(n->depths, n->nsubs + 1, sizeof(*n->depths));
	n->subs[n->nsubs] = s;
	n->depths[n->nsubs++] = depth;
}

struct parse_env {
	const struct chainparams *cp;
	char *err;
	size_t errlen;
};

/* Parses one key into n, prefixing any error with "prefix". */
static int
one_key(struct parse_env *env, struct span s, enum desc_ctx ctx,
    struct desc_node *n, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct desc_key *k;

	/* The key's message goes after the prefix, in the caller's buffer. */
	if (env->errlen > plen) {
		if (desc_key_parse(env->cp, s.p, span_len(s), ctx, &k,
			env->err + plen, env->errlen - plen) != 0) {
			memcpy(env->err, prefix, plen);
			return -1;
		}
	} else if (desc_key_parse(env->cp, s.p, span_len(s), ctx, &k, NULL,
		       0) != 0) {
		errbuf_printf(env->err, env->errlen, "%s", prefix);
		return -1;
	}
	add_key(n, k);
	return 0;
}

static struct desc_node *parse_script(struct parse_env *env, struct span *sp,
    enum desc_ctx ctx);

/* multi, sortedmulti, multi_a, sortedmulti_a; e is the inside. */
static struct desc_node *
parse_multi(struct parse_env *env, struct span e, enum desc_type t,
    enum desc_ctx ctx)
{
	struct desc_node *n = node_new(t);
	struct span th = expr(&e), arg;
	int is_a = t == DESC_MULTI_A || t == DESC_SORTEDMULTI_A;
	size_t script_size = 0, i, nk, sign;
	uint64_t v = 0;

	/* Core's ParseUInt32: an optional '+', then digits only. */
	sign = span_len(th) > 0 && th.p[0] == '+';
	for (i = sign; i < span_len(th) && v <= 0xffffffffULL; i++) {
		if (th.p[i] < '0' || th.p[i] > '9')
			break;
		v = v * 10 + (uint64_t)(th.p[i] - '0');
	}
	if (span_len(th) == sign || i != span_len(th) || v > 0xffffffffULL) {
		errbuf_printf(env->err, env->errlen,
		    "Multi threshold '%.*s' is not valid", (int)span_len(th),
		    th.p);
		goto fail;
	}
	n->threshold = (uint32_t)v;
	while (span_len(e) > 0) {
		if (!konst(",", &e)) {
			errbuf_printf(env->err, env->errlen,
			    "Multi: expected ',', got '%c'", e.p[0]);
			goto fail;
		}
		arg = expr(&e);
		if (one_key(env, arg, ctx, n, "Multi: ") != 0)
			goto fail;
		script_size += desc_key_size(n->keys[n->nkeys - 1]) + 1;
	}
	nk = n->nkeys;
	if (!is_a && (nk == 0 || nk > DESC_MAX_MULTISIG_KEYS)) {
		errbuf_printf(env->err, env->errlen,
		    "Cannot have %zu keys in multisig; must have between 1 "
		    "and %d keys, inclusive",
		    nk, DESC_MAX_MULTISIG_KEYS);
		goto fail;
	}
	if (is_a && (nk == 0 || nk > DESC_MAX_MULTI_A_KEYS)) {
		errbuf_printf(env->err, env->errlen,
		    "Cannot have %zu keys in multi_a; must have between 1 "
		    "and %d keys, inclusive",
		    nk, DESC_MAX_MULTI_A_KEYS);
		goto fail;
	}
	if (n->threshold < 1) {
		errbuf_printf(env->err, env->errlen,
		    "Multisig threshold cannot be %u, must be at least 1",
		    n->threshold);
		goto fail;
	}
	if (n->threshold > nk) {
		errbuf_printf(env->err, env->errlen,
		    "Multisig threshold cannot be larger than the number of "
		    "keys; threshold is %u but only %zu keys specified",
		    n->threshold, nk);
		goto fail;
	}
	if (ctx == CTX_TOP && nk > DESC_MAX_BARE_MULTISIG) {
		errbuf_printf(env->err, env->errlen,
		    "Cannot have %zu pubkeys in bare multisig; only at most "
		    "3 pubkeys",
		    nk);
		goto fail;
	}
	if (ctx == CTX_P2SH && script_size + 3 > DESC_MAX_ELEMENT_SIZE) {
		errbuf_printf(env->err, env->errlen,
		    "P2SH script is too large, %zu bytes is larger than %d "
		    "bytes",
		    script_size + 3, DESC_MAX_ELEMENT_SIZE);
		goto fail;
	}
	return n;
fail:
	desc_node_free(n);
	return NULL;
}

/* tr(KEY) or tr(KEY,TREE); e is the inside. */
static struct desc_node *
parse_tr(struct parse_env *env, struct span e)
{
	struct desc_node *n = node_new(DESC_TR), *leaf;
	struct span arg = expr(&e), sarg;
	/* branches[i]: 0 while in the left branch at depth i+1, then 1. */
	uint8_t branches[DESC_MAX_TREE_DEPTH];
	size_t depth = 0;

	if (one_key(env, arg, CTX_P2TR, n, "tr(): ") != 0)
		goto fail;
	if (span_len(e) == 0)
		return n;
	if (!konst(",", &e)) {
		errbuf_printf(env->err, env->errlen,
		    "tr: expected ',', got '%c'", e.p[0]);
		goto fail;
	}
	do {
		while (konst("{", &e)) {
			if (depth == DESC_MAX_TREE_DEPTH) {
				errbuf_printf(env->err, env->errlen,
				    "tr() supports at most %d nesting "
				    "levels",
				    DESC_MAX_TREE_DEPTH);
				goto fail;
			}
			branches[depth++] = 0;
		}
		sarg = expr(&e);
		if ((leaf = parse_script(env, &sarg, CTX_P2TR)) == NULL)
			goto fail;
		add_sub(n, leaf, (int)depth);
		/* Core ignores text left in sarg here; Expr leaves none. */
		while (depth > 0 && branches[depth - 1]) {
			if (!konst("}", &e)) {
				errbuf_printf(env->err, env->errlen,
				    "tr(): expected '}' after script "
				    "expression");
				goto fail;
			}
			depth--;
		}
		if (depth > 0 && !branches[depth - 1]) {
			if (!konst(",", &e)) {
				errbuf_printf(env->err, env->errlen,
				    "tr(): expected ',' after script "
				    "expression");
				goto fail;
			}
			branches[depth - 1] = 1;
		}
	} while (depth > 0);
	if (span_len(e) > 0) {
		errbuf_printf(env->err, env->errlen,
		    "tr(): expected ')' after script expression");
		goto fail;
	}
	return n;
fail:
	desc_node_free(n);
	return NULL;
}

/* A key function: pk, pkh, wpkh, combo, rawtr. */
static struct desc_node *
key_func(struct parse_env *env, struct span e, enum desc_type t,
    enum desc_ctx kctx, const char *prefix)
{
	struct desc_node *n = node_new(t);

	if (one_key(env, e, kctx, n, prefix) != 0) {
		desc_node_free(n);
		return NULL;
	}
	return n;
}

/* sh(X) or wsh(X): the inner script must use all of e. */
static struct desc_node *
wrap_func(struct parse_env *env, struct span e, enum desc_type t,
    enum desc_ctx inner)
{
	struct desc_node *n, *sub = parse_script(env, &e, inner);

	if (sub == NULL)
		return NULL;
	if (span_len(e) > 0) {
		/* Core fails here without a message. */
		errbuf_printf(env->err, env->errlen, "%s", "");
		desc_node_free(sub);
		return NULL;
	}
	n = node_new(t);
	add_sub(n, sub, 0);
	return n;
}

static struct desc_node *
parse_raw_or_addr(struct parse_env *env, struct span e, int is_addr)
{
	uint8_t script[ADDRESS_MAX_SCRIPT];
	struct desc_node *n;
	char *s = xmalloc(span_len(e) + 1);
	size_t len;

	memcpy(s, e.p, span_len(e));
	s[span_len(e)] = '\0';
	n = node_new(is_addr ? DESC_ADDR : DESC_RAW);
	if (is_addr) {
		if (address_to_script(env->cp, s, script, &len, NULL, 0) !=
			0 ||
		    (n->addr = address_from_script(env->cp, script, len)) ==
			NULL) {
			errbuf_printf(env->err, env->errlen,
			    "Address is not valid");
			goto fail;
		}
		n->script = xmemdup(script, len);
		n->script_len = len;
	} else if (span_len(e) == 0 || !hex_is_valid(s) ||
	    hex_decode_alloc(s, &n->script, &n->script_len) != 0) {
		errbuf_printf(env->err, env->errlen, "Raw script is not hex");
		goto fail;
	}
	free(s);
	return n;
fail:
	free(s);
	desc_node_free(n);
	return NULL;
}

static struct desc_node *
parse_script(struct parse_env *env, struct span *sp, enum desc_ctx ctx)
{
	struct span e = expr(sp), whole = e;
	int top = ctx == CTX_TOP;

	if (func("pk", &e)) {
		struct desc_node *n = key_func(env, e, DESC_PK, ctx, "pk(): ");

		/* In a tapscript leaf the key is pushed x-only. */
		if (n != NULL)
			n->xonly = ctx == CTX_P2TR;
		return n;
	}
	if ((top || ctx == CTX_P2SH || ctx == CTX_P2WSH) && func("pkh", &e))
		return key_func(env, e, DESC_PKH, ctx, "pkh(): ");
	if (func("combo", &e)) {
		if (top)
			return key_func(env, e, DESC_COMBO, ctx, "combo(): ");
		errbuf_printf(env->err, env->errlen,
		    "Can only have combo() at top level");
		return NULL;
	}
	{
		enum desc_type t;
		int m = 1;

		if (func("multi", &e))
			t = DESC_MULTI;
		else if (func("sortedmulti", &e))
			t = DESC_SORTEDMULTI;
		else if (func("multi_a", &e))
			t = DESC_MULTI_A;
		else if (func("sortedmulti_a", &e))
			t = DESC_SORTEDMULTI_A;
		else
			m = 0;
		if (m && (t == DESC_MULTI || t == DESC_SORTEDMULTI)) {
			if (top || ctx == CTX_P2SH || ctx == CTX_P2WSH)
				return parse_multi(env, e, t, ctx);
			errbuf_printf(env->err, env->errlen,
			    "Can only have multi/sortedmulti at top level, "
			    "in sh(), or in wsh()");
			return NULL;
		}
		if (m) {
			if (ctx == CTX_P2TR)
				return parse_multi(env, e, t, ctx);
			errbuf_printf(env->err, env->errlen,
			    "Can only have multi_a/sortedmulti_a inside "
			    "tr()");
			return NULL;
		}
	}
	if (func("wpkh", &e)) {
		if (top || ctx == CTX_P2SH)
			return key_func(env, e, DESC_WPKH, CTX_P2WPKH,
			    "wpkh(): ");
		errbuf_printf(env->err, env->errlen,
		    "Can only have wpkh() at top level or inside sh()");
		return NULL;
	}
	if (func("sh", &e)) {
		if (top)
			return wrap_func(env, e, DESC_SH, CTX_P2SH);
		errbuf_printf(env->err, env->errlen,
		    "Can only have sh() at top level");
		return NULL;
	}
	if (func("wsh", &e)) {
		if (top || ctx == CTX_P2SH)
			return wrap_func(env, e, DESC_WSH, CTX_P2WSH);
		errbuf_printf(env->err, env->errlen,
		    "Can only have wsh() at top level or inside sh()");
		return NULL;
	}
	if (func("addr", &e)) {
		if (top)
			return parse_raw_or_addr(env, e, 1);
		errbuf_printf(env->err, env->errlen,
		    "Can only have addr() at top level");
		return NULL;
	}
	if (func("tr", &e)) {
		if (top)
			return parse_tr(env, e);
		errbuf_printf(env->err, env->errlen,
		    "Can only have tr at top level");
		return NULL;
	}
	if (func("rawtr", &e)) {
		struct span arg;

		if (!top) {
			errbuf_printf(env->err, env->errlen,
			    "Can only have rawtr at top level");
			return NULL;
		}
		arg = expr(&e);
		if (span_len(e) > 0) {
			errbuf_printf(env->err, env->errlen,
			    "rawtr(): only one key expected.");
			return NULL;
		}
		/* Core 28 gives rawtr()'s key errors without a prefix. */
		return key_func(env, arg, DESC_RAWTR, CTX_P2TR, "");
	}
	if (func("raw", &e)) {
		if (top)
			return parse_raw_or_addr(env, e, 0);
		errbuf_printf(env->err, env->errlen,
		    "Can only have raw() at top level");
		return NULL;
	}
	{
		struct desc_node *n;
		int failed;

		/* Core tries Miniscript everywhere, to say where it belongs. */
		n = desc_parse_miniscript(env->cp, whole.p, span_len(whole),
		    ctx, env->err, env->errlen, &failed);
		if (n != NULL || failed)
			return n;
	}
	if (ctx == CTX_P2SH)
		errbuf_printf(env->err, env->errlen,
		    "A function is needed within P2SH");
	else if (ctx == CTX_P2WSH)
		errbuf_printf(env->err, env->errlen,
		    "A function is needed within P2WSH");
	else
		errbuf_printf(env->err, env->errlen,
		    "'%.*s' is not a valid descriptor function",
		    (int)span_len(whole), whole.p);
	return NULL;
}

struct desc_node *
desc_parse_script(const struct chainparams *cp, const char **sp,
    const char *end, enum desc_ctx ctx, char *err, size_t errlen)
{
	struct parse_env env = { cp, err, errlen };
	struct span s = { *sp, end };
	struct desc_node *n = parse_script(&env, &s, ctx);

	*sp = s.p;
	return n;
}
