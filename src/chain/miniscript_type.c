/*
 * Miniscript's type system and resource accounting, as Core 28 computes
 * them (BIP379's correctness and malleability tables, Core's script size,
 * op count and stack size bounds), and Core's sanity verdict.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "util/errbuf.h"
#include "util/xmalloc.h"

/* Core's limits: policy and script/script.h. */
#define MS_MAX_P2WSH_SCRIPT 3600 /* MAX_STANDARD_P2WSH_SCRIPT_SIZE */
#define MS_MAX_TAPSCRIPT 329482	 /* see ms_max_script_size */
#define MS_MAX_OPS 201		 /* MAX_OPS_PER_SCRIPT */
#define MS_MAX_P2WSH_STACK 100	 /* MAX_STANDARD_P2WSH_STACK_ITEMS */
#define MS_MAX_STACK 1000	 /* MAX_STACK_SIZE */
#define MS_LOCKTIME_THRESHOLD 500000000u
#define MS_SEQUENCE_TYPE_FLAG (1u << 22)

/* Whether t has every bit of want. */
#define HAS(t, want) (((t) & (want)) == (want))
#define IF(c, bits) ((c) ? (bits) : 0u)

struct ms_node *
ms_node_new(enum ms_frag f, enum ms_ctx ctx)
{
	struct ms_node *n = xcalloc(1, sizeof(*n));

	n->frag = f;
	n->ctx = ctx;
	return n;
}

void
ms_node_add_sub(struct ms_node *n, struct ms_node *sub)
{
	n->subs = xreallocarray(n->subs, n->nsubs + 1, sizeof(*n->subs));
	n->subs[n->nsubs++] = sub;
}

void
ms_node_add_key(struct ms_node *n, size_t key)
{
	n->keys = xreallocarray(n->keys, n->nkeys + 1, sizeof(*n->keys));
	n->keys[n->nkeys++] = key;
}

void
ms_free(struct ms_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nsubs; i++)
		ms_free(n->subs[i]);
	free(n->subs);
	free(n->keys);
	free(n);
}

/*
 * Tapscript leaves have no size limit of their own; Core bounds them so
 * that a maximal witness and a small spending transaction stay standard:
 * 400000 weight - 378 for the transaction body - 70135 for the witness,
 * less the script's own length prefix.
 */
size_t
ms_max_script_size(enum ms_ctx ctx)
{
	return ctx == MS_TAPSCRIPT ? MS_MAX_TAPSCRIPT : MS_MAX_P2WSH_SCRIPT;
}

int
ms_is_valid(const struct ms_node *n)
{
	return n->type != 0 && n->script_size <= ms_max_script_size(n->ctx);
}

/* Bytes of a minimal number push (Core's BuildScript(k).size()). */
static size_t
push_num_size(uint32_t v)
{
	uint64_t x = v;
	size_t b = 0;

	if (v <= 16)
		return 1;
	while (x != 0) {
		b++;
		x >>= 8;
	}
	/* CScriptNum adds a zero byte when the top bit is set. */
	if ((v >> (8 * b - 1)) & 1)
		b++;
	return 1 + b;
}

/* Timelock kinds that conflict when combined (Core's k rule). */
static int
tl_conflict(uint32_t x, uint32_t y)
{
	return (HAS(x, MS_T_g) && HAS(y, MS_T_h)) ||
	    (HAS(x, MS_T_h) && HAS(y, MS_T_g)) ||
	    (HAS(x, MS_T_i) && HAS(y, MS_T_j)) ||
	    (HAS(x, MS_T_j) && HAS(y, MS_T_i));
}

#define TL (MS_T_g | MS_T_h | MS_T_i | MS_T_j)

static uint32_t
type_thresh(const struct ms_node *n)
{
	uint32_t acc = MS_T_k, t, args = 0, num_s = 0;
	int all_e = 1, all_m = 1;
	size_t i, ns = n->nsubs;

	for (i = 0; i < ns; i++) {
		t = n->subs[i]->type;
		if (!HAS(t, (i ? MS_T_W : MS_T_B) | MS_T_d | MS_T_u))
			return 0;
		all_e &= HAS(t, MS_T_e);
		all_m &= HAS(t, MS_T_m);
		num_s += HAS(t, MS_T_s);
		args += HAS(t, MS_T_z) ? 0 : HAS(t, MS_T_o) ? 1 : 2;
		acc = ((acc | t) & TL) |
		    IF(HAS(acc & t, MS_T_k) &&
			    (n->k <= 1 || !tl_conflict(acc, t)),
			MS_T_k);
	}
	return MS_T_B | MS_T_d | MS_T_u | IF(args == 0, MS_T_z) |
	    IF(args == 1, MS_T_o) | IF(all_e && num_s == ns, MS_T_e) |
	    IF(all_e && all_m && num_s + n->k >= ns, MS_T_m) |
	    IF(num_s + n->k >= ns + 1, MS_T_s) | acc;
}

static uint32_t
type_wrap(const struct ms_node *n, uint32_t x)
{
	uint32_t tl = x & (TL | MS_T_k);

	switch (n->frag) {
	case MS_WRAP_A:
		return IF(HAS(x, MS_T_B), MS_T_W) | tl |
		    (x &
			(MS_T_u | MS_T_d | MS_T_f | MS_T_e | MS_T_m |
			    MS_T_s)) |
		    MS_T_x;
	case MS_WRAP_S:
		return IF(HAS(x, MS_T_B | MS_T_o), MS_T_W) | tl |
		    (x &
			(MS_T_u | MS_T_d | MS_T_f | MS_T_e | MS_T_m | MS_T_s |
			    MS_T_x));
	case MS_WRAP_C:
		return IF(HAS(x, MS_T_K), MS_T_B) | tl |
		    (x &
			(MS_T_o | MS_T_n | MS_T_d | MS_T_f | MS_T_e |
			    MS_T_m)) |
		    MS_T_u | MS_T_s;
	case MS_WRAP_D:
		/* MINIMALIF is consensus only in tapscript: u there. */
		return IF(HAS(x, MS_T_V | MS_T_z), MS_T_B) |
		    IF(HAS(x, MS_T_z), MS_T_o) | IF(HAS(x, MS_T_f), MS_T_e) |
		    tl | (x & (MS_T_m | MS_T_s)) |
		    IF(n->ctx == MS_TAPSCRIPT, MS_T_u) | MS_T_n | MS_T_d |
		    MS_T_x;
	case MS_WRAP_V:
		return IF(HAS(x, MS_T_B), MS_T_V) | tl |
		    (x & (MS_T_z | MS_T_o | MS_T_n | MS_T_m | MS_T_s)) |
		    MS_T_f | MS_T_x;
	case MS_WRAP_J:
		return IF(HAS(x, MS_T_B | MS_T_n), MS_T_B) |
		    IF(HAS(x, MS_T_f), MS_T_e) | tl |
		    (x & (MS_T_o | MS_T_u | MS_T_m | MS_T_s)) | MS_T_n |
		    MS_T_d | MS_T_x;
	default: /* MS_WRAP_N */
		return tl |
		    (x &
			(MS_T_B | MS_T_z | MS_T_o | MS_T_n | MS_T_d | MS_T_f |
			    MS_T_e | MS_T_m | MS_T_s)) |
		    MS_T_u | MS_T_x;
	}
}

/* k for and_v, and_b: both k and no conflicting kinds. */
static uint32_t
and_k(uint32_t x, uint32_t y)
{
	return IF(HAS(x & y, MS_T_k) && !tl_conflict(x, y), MS_T_k);
}

static uint32_t
type_and(const struct ms_node *n, uint32_t x, uint32_t y)
{
	uint32_t r = ((x | y) & TL) | and_k(x, y);

	r |= (x & MS_T_n) | IF(HAS(x, MS_T_z), y & MS_T_n);
	r |= IF(HAS(x | y, MS_T_z), (x | y) & MS_T_o);
	if (n->frag == MS_AND_V)
		return r | IF(HAS(x, MS_T_V), y & (MS_T_K | MS_T_V | MS_T_B)) |
		    (x & y & (MS_T_d | MS_T_m | MS_T_z)) | ((x | y) & MS_T_s) |
		    IF(HAS(y, MS_T_f) || HAS(x, MS_T_s), MS_T_f) |
		    (y & (MS_T_u | MS_T_x));
	return r | IF(HAS(y, MS_T_W), x & MS_T_B) |
	    IF(HAS(x & y, MS_T_s), x & y & MS_T_e) |
	    (x & y & (MS_T_d | MS_T_z | MS_T_m)) |
	    IF(HAS(x & y, MS_T_f) || HAS(x, MS_T_s | MS_T_f) ||
		    HAS(y, MS_T_s | MS_T_f),
		MS_T_f) |
	    ((x | y) & MS_T_s) | MS_T_u | MS_T_x;
}

static uint32_t
type_or(const struct ms_node *n, uint32_t x, uint32_t y)
{
	uint32_t r = ((x | y) & TL) | (x & y & MS_T_k);
	int s_any = HAS(x, MS_T_s) || HAS(y, MS_T_s);

	switch (n->frag) {
	case MS_OR_B:
		return r |
		    IF(HAS(x, MS_T_B | MS_T_d) && HAS(y, MS_T_W | MS_T_d),
			MS_T_B) |
		    IF(HAS(x | y, MS_T_z), (x | y) & MS_T_o) |
		    IF(s_any && HAS(x & y, MS_T_e), x & y & MS_T_m) |
		    (x & y & (MS_T_z | MS_T_s | MS_T_e)) | MS_T_d | MS_T_u |
		    MS_T_x;
	case MS_OR_D:
		return r | IF(HAS(x, MS_T_B | MS_T_d | MS_T_u), y & MS_T_B) |
		    IF(HAS(y, MS_T_z), x & MS_T_o) |
		    IF(HAS(x, MS_T_e) && s_any, x & y & MS_T_m) |
		    (x & y & (MS_T_z | MS_T_e | MS_T_s)) |
		    (y & (MS_T_u | MS_T_f | MS_T_d)) | MS_T_x;
	case MS_OR_C:
		return r | IF(HAS(x, MS_T_B | MS_T_d | MS_T_u), y & MS_T_V) |
		    IF(HAS(y, MS_T_z), x & MS_T_o) |
		    IF(HAS(x, MS_T_e) && s_any, x & y & MS_T_m) |
		    (x & y & (MS_T_z | MS_T_s)) | MS_T_f | MS_T_x;
	default: /* MS_OR_I */
		return r |
		    (x & y &
			(MS_T_V | MS_T_B | MS_T_K | MS_T_u | MS_T_f |
			    MS_T_s)) |
		    IF(HAS(x & y, MS_T_z), MS_T_o) |
		    IF(HAS(x | y, MS_T_f), (x | y) & MS_T_e) |
		    IF(s_any, x & y & MS_T_m) | ((x | y) & MS_T_d) | MS_T_x;
	}
}

static uint32_t
type_andor(uint32_t x, uint32_t y, uint32_t z)
{
	int sx_fy = HAS(x, MS_T_s) || HAS(y, MS_T_f);
	uint32_t xo = x | (y & z);

	return IF(HAS(x, MS_T_B | MS_T_d | MS_T_u),
		   y & z & (MS_T_B | MS_T_K | MS_T_V)) |
	    (x & y & z & MS_T_z) | IF(HAS(xo, MS_T_z), xo & MS_T_o) |
	    (y & z & MS_T_u) | IF(sx_fy, z & (MS_T_f | MS_T_e)) |
	    (z & MS_T_d) |
	    IF(HAS(x, MS_T_e) && ((x | y | z) & MS_T_s), x & y & z & MS_T_m) |
	    (z & (x | y) & MS_T_s) | MS_T_x | ((x | y | z) & TL) |
	    IF(HAS(x & y & z, MS_T_k) && !tl_conflict(x, y), MS_T_k);
}

static uint32_t
type_leaf(const struct ms_node *n)
{
	switch (n->frag) {
	case MS_PK_K:
		return MS_T_K | MS_T_o | MS_T_n | MS_T_u | MS_T_d | MS_T_e |
		    MS_T_m | MS_T_s | MS_T_x | MS_T_k;
	case MS_PK_H:
		return MS_T_K | MS_T_n | MS_T_u | MS_T_d | MS_T_e | MS_T_m |
		    MS_T_s | MS_T_x | MS_T_k;
	case MS_OLDER:
		return IF(n->k & MS_SEQUENCE_TYPE_FLAG, MS_T_g) |
		    IF(!(n->k & MS_SEQUENCE_TYPE_FLAG), MS_T_h) | MS_T_B |
		    MS_T_z | MS_T_f | MS_T_m | MS_T_x | MS_T_k;
	case MS_AFTER:
		return IF(n->k >= MS_LOCKTIME_THRESHOLD, MS_T_i) |
		    IF(n->k < MS_LOCKTIME_THRESHOLD, MS_T_j) | MS_T_B |
		    MS_T_z | MS_T_f | MS_T_m | MS_T_x | MS_T_k;
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160:
		return MS_T_B | MS_T_o | MS_T_n | MS_T_u | MS_T_d | MS_T_m |
		    MS_T_k;
	case MS_1:
		return MS_T_B | MS_T_z | MS_T_u | MS_T_f | MS_T_m | MS_T_x |
		    MS_T_k;
	case MS_0:
		return MS_T_B | MS_T_z | MS_T_u | MS_T_d | MS_T_e | MS_T_m |
		    MS_T_s | MS_T_x | MS_T_k;
	case MS_MULTI:
		return MS_T_B | MS_T_n | MS_T_u | MS_T_d | MS_T_e | MS_T_m |
		    MS_T_s | MS_T_k;
	default: /* MS_MULTI_A */
		return MS_T_B | MS_T_u | MS_T_d | MS_T_e | MS_T_m | MS_T_s |
		    MS_T_k;
	}
}

/* Core's SanitizeType: no base type, no type at all. */
static uint32_t
sanitize(uint32_t t)
{
	return (t & (MS_T_B | MS_T_V | MS_T_K | MS_T_W)) ? t : 0;
}

static uint32_t
compute_type(const struct ms_node *n)
{
	uint32_t x = n->nsubs > 0 ? n->subs[0]->type : 0;
	uint32_t y = n->nsubs > 1 ? n->subs[1]->type : 0;
	uint32_t z = n->nsubs > 2 ? n->subs[2]->type : 0;

	switch (n->frag) {
	case MS_WRAP_A:
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_D:
	case MS_WRAP_V:
	case MS_WRAP_J:
	case MS_WRAP_N: return sanitize(type_wrap(n, x));
	case MS_AND_V:
	case MS_AND_B: return sanitize(type_and(n, x, y));
	case MS_OR_B:
	case MS_OR_C:
	case MS_OR_D:
	case MS_OR_I: return sanitize(type_or(n, x, y));
	case MS_ANDOR: return sanitize(type_andor(x, y, z));
	case MS_THRESH: return sanitize(type_thresh(n));
	default: return type_leaf(n);
	}
}

static size_t
compute_size(const struct ms_node *n)
{
	size_t sub = 0, i;
	uint32_t x = n->nsubs > 0 ? n->subs[0]->type : 0;

	for (i = 0; i < n->nsubs; i++)
		sub += n->subs[i]->script_size;
	switch (n->frag) {
	case MS_0:
	case MS_1: return 1;
	case MS_PK_K: return n->ctx == MS_TAPSCRIPT ? 33 : 34;
	case MS_PK_H: return 3 + 21;
	case MS_OLDER:
	case MS_AFTER: return 1 + push_num_size(n->k);
	case MS_SHA256:
	case MS_HASH256: return 4 + 2 + 33;
	case MS_RIPEMD160:
	case MS_HASH160: return 4 + 2 + 21;
	case MS_MULTI:
		return 1 + push_num_size((uint32_t)n->nkeys) +
		    push_num_size(n->k) + 34 * n->nkeys;
	case MS_MULTI_A: return 34 * n->nkeys + push_num_size(n->k) + 1;
	case MS_AND_V: return sub;
	case MS_WRAP_V: return sub + (HAS(x, MS_T_x) ? 1 : 0);
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_N:
	case MS_AND_B:
	case MS_OR_B: return sub + 1;
	case MS_WRAP_A:
	case MS_OR_C: return sub + 2;
	case MS_WRAP_D:
	case MS_OR_D:
	case MS_OR_I:
	case MS_ANDOR: return sub + 3;
	case MS_WRAP_J: return sub + 4;
	case MS_THRESH: return sub + n->nsubs + push_num_size(n->k);
	}
	return 0;
}

/* ---- op counts (Core's Ops, MaxInt) ---- */

static struct ms_maxint
mi(uint32_t v)
{
	struct ms_maxint r = { 1, v };

	return r;
}

static const struct ms_maxint MI_NONE = { 0, 0 };

static struct ms_maxint
mi_add(struct ms_maxint a, struct ms_maxint b)
{
	return a.valid && b.valid ? mi(a.v + b.v) : MI_NONE;
}

static struct ms_maxint
mi_or(struct ms_maxint a, struct ms_maxint b)
{
	if (!a.valid)
		return b;
	if (!b.valid)
		return a;
	return mi(a.v > b.v ? a.v : b.v);
}

static void
set_ops(struct ms_node *n, uint32_t count, struct ms_maxint sat,
    struct ms_maxint dsat)
{
	n->ops_count = count;
	n->ops_sat = sat;
	n->ops_dsat = dsat;
}

static void
ops_thresh(struct ms_node *n)
{
	struct ms_maxint *sats = xcalloc(n->nsubs + 1, sizeof(*sats)), *next;
	uint32_t count = 0;
	size_t i, j;

	sats[0] = mi(0);
	for (i = 0; i < n->nsubs; i++) {
		const struct ms_node *s = n->subs[i];

		count += s->ops_count + 1;
		next = xcalloc(n->nsubs + 1, sizeof(*next));
		next[0] = mi_add(sats[0], s->ops_dsat);
		for (j = 1; j <= i; j++)
			next[j] = mi_or(mi_add(sats[j], s->ops_dsat),
			    mi_add(sats[j - 1], s->ops_sat));
		next[i + 1] = mi_add(sats[i], s->ops_sat);
		free(sats);
		sats = next;
	}
	set_ops(n, count, sats[n->k], sats[0]);
	free(sats);
}

static void
compute_ops(struct ms_node *n)
{
	const struct ms_node *x = n->nsubs > 0 ? n->subs[0] : NULL;
	const struct ms_node *y = n->nsubs > 1 ? n->subs[1] : NULL;
	const struct ms_node *z = n->nsubs > 2 ? n->subs[2] : NULL;
	uint32_t nk = (uint32_t)n->nkeys;

	switch (n->frag) {
	case MS_1: set_ops(n, 0, mi(0), MI_NONE); return;
	case MS_0: set_ops(n, 0, MI_NONE, mi(0)); return;
	case MS_PK_K: set_ops(n, 0, mi(0), mi(0)); return;
	case MS_PK_H: set_ops(n, 3, mi(0), mi(0)); return;
	case MS_OLDER:
	case MS_AFTER: set_ops(n, 1, mi(0), MI_NONE); return;
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160: set_ops(n, 4, mi(0), MI_NONE); return;
	case MS_AND_V:
		set_ops(n, x->ops_count + y->ops_count,
		    mi_add(x->ops_sat, y->ops_sat), MI_NONE);
		return;
	case MS_AND_B:
		set_ops(n, 1 + x->ops_count + y->ops_count,
		    mi_add(x->ops_sat, y->ops_sat),
		    mi_add(x->ops_dsat, y->ops_dsat));
		return;
	case MS_OR_B:
		set_ops(n, 1 + x->ops_count + y->ops_count,
		    mi_or(mi_add(x->ops_sat, y->ops_dsat),
			mi_add(y->ops_sat, x->ops_dsat)),
		    mi_add(x->ops_dsat, y->ops_dsat));
		return;
	case MS_OR_D:
		set_ops(n, 3 + x->ops_count + y->ops_count,
		    mi_or(x->ops_sat, mi_add(y->ops_sat, x->ops_dsat)),
		    mi_add(x->ops_dsat, y->ops_dsat));
		return;
	case MS_OR_C:
		set_ops(n, 2 + x->ops_count + y->ops_count,
		    mi_or(x->ops_sat, mi_add(y->ops_sat, x->ops_dsat)),
		    MI_NONE);
		return;
	case MS_OR_I:
		set_ops(n, 3 + x->ops_count + y->ops_count,
		    mi_or(x->ops_sat, y->ops_sat),
		    mi_or(x->ops_dsat, y->ops_dsat));
		return;
	case MS_ANDOR:
		set_ops(n, 3 + x->ops_count + y->ops_count + z->ops_count,
		    mi_or(mi_add(y->ops_sat, x->ops_sat),
			mi_add(x->ops_dsat, z->ops_sat)),
		    mi_add(x->ops_dsat, z->ops_dsat));
		return;
	case MS_MULTI: set_ops(n, 1, mi(nk), mi(nk)); return;
	case MS_MULTI_A: set_ops(n, nk + 1, mi(0), mi(0)); return;
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_N:
		set_ops(n, 1 + x->ops_count, x->ops_sat, x->ops_dsat);
		return;
	case MS_WRAP_A:
		set_ops(n, 2 + x->ops_count, x->ops_sat, x->ops_dsat);
		return;
	case MS_WRAP_D:
		set_ops(n, 3 + x->ops_count, x->ops_sat, mi(0));
		return;
	case MS_WRAP_J:
		set_ops(n, 4 + x->ops_count, x->ops_sat, mi(0));
		return;
	case MS_WRAP_V:
		set_ops(n, x->ops_count + (HAS(x->type, MS_T_x) ? 1 : 0),
		    x->ops_sat, MI_NONE);
		return;
	case MS_THRESH: ops_thresh(n); return;
	}
}

/* ---- stack sizes (Core's SatInfo) ---- */

static struct ms_satinfo
si(int32_t netdiff, int32_t exec)
{
	struct ms_satinfo r = { 1, netdiff, exec };

	return r;
}

static const struct ms_satinfo SI_NONE = { 0, 0, 0 };

static int32_t
max32(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

/* a runs, then b. */
static struct ms_satinfo
si_add(struct ms_satinfo a, struct ms_satinfo b)
{
	if (!a.valid || !b.valid)
		return SI_NONE;
	return si(a.netdiff + b.netdiff, max32(b.exec, b.netdiff + a.exec));
}

static struct ms_satinfo
si_or(struct ms_satinfo a, struct ms_satinfo b)
{
	if (!a.valid)
		return b;
	if (!b.valid)
		return a;
	return si(max32(a.netdiff, b.netdiff), max32(a.exec, b.exec));
}

/* The stack effects of single opcodes. */
#define SI_PUSH si(-1, 0)
#define SI_EMPTY si(0, 0)
#define SI_IF si(1, 1)
#define SI_BINOP si(1, 1)
#define SI_DUP si(-1, 0)
#define SI_EQUALVERIFY si(2, 2)
#define SI_EQUAL si(1, 1)
#define SI_SIZE si(-1, 0)
#define SI_CHECKSIG si(1, 1)
#define SI_0NOTEQUAL si(0, 0)
#define SI_VERIFY si(1, 1)
#define SI_HASH si(0, 0)

static struct ms_satinfo
si_seq(size_t n, const struct ms_satinfo *v)
{
	struct ms_satinfo r = v[0];
	size_t i;

	for (i = 1; i < n; i++)
		r = si_add(r, v[i]);
	return r;
}

#define SEQ(...) \
	si_seq(sizeof((struct ms_satinfo[]){ __VA_ARGS__ }) / \
		sizeof(struct ms_satinfo), \
	    (struct ms_satinfo[]){ __VA_ARGS__ })

static void
set_ss(struct ms_node *n, struct ms_satinfo sat, struct ms_satinfo dsat)
{
	n->ss_sat = sat;
	n->ss_dsat = dsat;
}

static void
ss_thresh(struct ms_node *n)
{
	struct ms_satinfo *sats = xcalloc(n->nsubs + 1, sizeof(*sats)), *next;
	size_t i, j;

	sats[0] = SI_EMPTY;
	for (i = 0; i < n->nsubs; i++) {
		const struct ms_node *s = n->subs[i];
		struct ms_satinfo add = i ? SI_BINOP : SI_EMPTY;

		next = xcalloc(n->nsubs + 1, sizeof(*next));
		next[0] = si_add(si_add(sats[0], s->ss_dsat), add);
		for (j = 1; j <= i; j++)
			next[j] = si_add(si_or(si_add(sats[j], s->ss_dsat),
					     si_add(sats[j - 1], s->ss_sat)),
			    add);
		next[i + 1] = si_add(si_add(sats[i], s->ss_sat), add);
		free(sats);
		sats = next;
	}
	set_ss(n, SEQ(sats[n->k], SI_PUSH, SI_EQUAL),
	    SEQ(sats[0], SI_PUSH, SI_EQUAL));
	free(sats);
}

static void
ss_hash(struct ms_node *n)
{
	set_ss(n,
	    SEQ(SI_SIZE, SI_PUSH, SI_EQUALVERIFY, SI_HASH, SI_PUSH, SI_EQUAL),
	    SI_NONE);
}

static void
compute_ss(struct ms_node *n)
{
	const struct ms_node *x = n->nsubs > 0 ? n->subs[0] : NULL;
	const struct ms_node *y = n->nsubs > 1 ? n->subs[1] : NULL;
	const struct ms_node *z = n->nsubs > 2 ? n->subs[2] : NULL;
	int32_t nk = (int32_t)n->nkeys, k = (int32_t)n->k;

	switch (n->frag) {
	case MS_0: set_ss(n, SI_NONE, SI_PUSH); return;
	case MS_1: set_ss(n, SI_PUSH, SI_NONE); return;
	case MS_OLDER:
	case MS_AFTER: set_ss(n, SI_PUSH, SI_NONE); return;
	case MS_PK_K: set_ss(n, SI_PUSH, SI_PUSH); return;
	case MS_PK_H: {
		struct ms_satinfo s = SEQ(SI_DUP, SI_HASH, SI_PUSH,
		    SI_EQUALVERIFY);

		set_ss(n, s, s);
		return;
	}
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160: ss_hash(n); return;
	case MS_ANDOR:
		set_ss(n,
		    si_or(SEQ(x->ss_sat, SI_IF, y->ss_sat),
			SEQ(x->ss_dsat, SI_IF, z->ss_sat)),
		    SEQ(x->ss_dsat, SI_IF, z->ss_dsat));
		return;
	case MS_AND_V:
		set_ss(n, si_add(x->ss_sat, y->ss_sat), SI_NONE);
		return;
	case MS_AND_B:
		set_ss(n, SEQ(x->ss_sat, y->ss_sat, SI_BINOP),
		    SEQ(x->ss_dsat, y->ss_dsat, SI_BINOP));
		return;
	case MS_OR_B:
		set_ss(n,
		    si_add(si_or(si_add(x->ss_sat, y->ss_dsat),
			       si_add(x->ss_dsat, y->ss_sat)),
			SI_BINOP),
		    SEQ(x->ss_dsat, y->ss_dsat, SI_BINOP));
		return;
	case MS_OR_C:
		set_ss(n,
		    si_or(si_add(x->ss_sat, SI_IF),
			SEQ(x->ss_dsat, SI_IF, y->ss_sat)),
		    SI_NONE);
		return;
	case MS_OR_D:
		set_ss(n,
		    si_or(SEQ(x->ss_sat, si(-1, 0), SI_IF),
			SEQ(x->ss_dsat, si(0, 0), SI_IF, y->ss_sat)),
		    SEQ(x->ss_dsat, si(0, 0), SI_IF, y->ss_dsat));
		return;
	case MS_OR_I:
		set_ss(n, si_add(SI_IF, si_or(x->ss_sat, y->ss_sat)),
		    si_add(SI_IF, si_or(x->ss_dsat, y->ss_dsat)));
		return;
	case MS_MULTI:
		/* k+1 elements in, n+k+3 at most, one out. */
		set_ss(n, si(k, k + nk + 2), si(k, k + nk + 2));
		return;
	case MS_MULTI_A: set_ss(n, si(nk - 1, nk), si(nk - 1, nk)); return;
	case MS_WRAP_A:
	case MS_WRAP_N:
	case MS_WRAP_S: set_ss(n, x->ss_sat, x->ss_dsat); return;
	case MS_WRAP_C:
		set_ss(n, si_add(x->ss_sat, SI_CHECKSIG),
		    si_add(x->ss_dsat, SI_CHECKSIG));
		return;
	case MS_WRAP_D:
		set_ss(n, SEQ(SI_DUP, SI_IF, x->ss_sat),
		    si_add(SI_DUP, SI_IF));
		return;
	case MS_WRAP_V:
		set_ss(n, si_add(x->ss_sat, SI_VERIFY), SI_NONE);
		return;
	case MS_WRAP_J:
		set_ss(n, SEQ(SI_SIZE, SI_0NOTEQUAL, SI_IF, x->ss_sat),
		    SEQ(SI_SIZE, SI_0NOTEQUAL, SI_IF));
		return;
	case MS_THRESH: ss_thresh(n); return;
	}
}

void
ms_node_finish(struct ms_node *n)
{
	n->type = compute_type(n);
	n->script_size = compute_size(n);
	compute_ops(n);
	compute_ss(n);
}

/* ---- duplicate keys (Core's DuplicateKeyCheck) ---- */

struct keyset {
	size_t *v;
	size_t n;
};

/* Collects n's keys into *out; 1 when a key repeats within n. */
static int
dup_walk(struct ms_node *n, struct keyset *out,
    int (*cmp)(void *, size_t, size_t), void *arg)
{
	struct keyset mine = { NULL, 0 };
	size_t i, j;
	int dup = 0;

	for (i = 0; i < n->nkeys; i++) {
		mine.v = xreallocarray(mine.v, mine.n + 1, sizeof(*mine.v));
		mine.v[mine.n++] = n->keys[i];
	}
	for (i = 0; i < n->nsubs; i++) {
		struct keyset sub = { NULL, 0 };

		dup |= dup_walk(n->subs[i], &sub, cmp, arg);
		for (j = 0; j < sub.n; j++) {
			mine.v = xreallocarray(mine.v, mine.n + 1,
			    sizeof(*mine.v));
			mine.v[mine.n++] = sub.v[j];
		}
		free(sub.v);
	}
	for (i = 0; i < mine.n && !dup; i++)
		for (j = i + 1; j < mine.n && !dup; j++)
			if (cmp(arg, mine.v[i], mine.v[j]) == 0)
				dup = 1;
	n->dup_keys = dup;
	*out = mine;
	return dup;
}

void
ms_dup_check(struct ms_node *n, int (*cmp)(void *, size_t, size_t), void *arg)
{
	struct keyset all = { NULL, 0 };

	dup_walk(n, &all, cmp, arg);
	free(all.v);
}

/* ---- sanity (Core's IsSane and the descriptor's messages) ---- */

static int
ops_ok(const struct ms_node *n)
{
	if (n->ctx == MS_TAPSCRIPT || !n->ops_sat.valid)
		return 1;
	return n->ops_count + n->ops_sat.v <= MS_MAX_OPS;
}

static int
stack_ok(const struct ms_node *n)
{
	/* A B, K or W node leaves one element more than a V node. */
	int32_t bkw = (n->type & (MS_T_B | MS_T_K | MS_T_W)) ? 1 : 0;

	if (!n->ss_sat.valid)
		return 1;
	if (n->ctx == MS_TAPSCRIPT)
		return n->ss_sat.exec + bkw <= MS_MAX_STACK;
	return n->ss_sat.netdiff + bkw <= MS_MAX_P2WSH_STACK;
}

static int
valid_sats(const struct ms_node *n)
{
	return ms_is_valid(n) && ops_ok(n) && stack_ok(n);
}

static int
sane_sub(const struct ms_node *n)
{
	return valid_sats(n) && HAS(n->type, MS_T_m) && HAS(n->type, MS_T_k) &&
	    !n->dup_keys;
}

int
ms_is_sane(const struct ms_node *n)
{
	return ms_is_valid(n) && HAS(n->type, MS_T_B) && sane_sub(n) &&
	    HAS(n->type, MS_T_s);
}

/* The first insane subexpression, deepest and leftmost first. */
static const struct ms_node *
find_insane(const struct ms_node *n)
{
	const struct ms_node *r;
	size_t i;

	for (i = 0; i < n->nsubs; i++)
		if ((r = find_insane(n->subs[i])) != NULL)
			return r;
	return sane_sub(n) ? NULL : n;
}

int
ms_check_sane(const struct ms_node *n, const struct ms_keyops *keyops,
    char *err, size_t errlen)
{
	const struct ms_node *bad;
	const char *why = "";
	char *str;

	if (ms_is_sane(n) && n->ss_sat.valid)
		return 0;
	bad = find_insane(n);
	if (bad == NULL)
		bad = n;
	if (!ms_is_valid(bad))
		why = " is invalid";
	else if (!ms_is_sane(n)) {
		if (!HAS(bad->type, MS_T_m))
			why = " is not sane: malleable witnesses exist";
		else if (bad == n && !HAS(bad->type, MS_T_s))
			why = " is not sane: witnesses without signature "
			      "exist";
		else if (!HAS(bad->type, MS_T_k))
			why = " is not sane: contains mixes of timelocks "
			      "expressed in blocks and seconds";
		else if (bad->dup_keys)
			why = " is not sane: contains duplicate public keys";
		else if (!valid_sats(bad))
			why = " is not sane: needs witnesses that may exceed "
			      "resource limits";
		else
			why = " is not sane";
	} else
		why = " is not satisfiable";
	str = ms_to_string(bad, keyops);
	errbuf_printf(err, errlen, "%s%s", str, why);
	free(str);
	return -1;
}
