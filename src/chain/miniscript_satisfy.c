/*
 * Satisfying a Miniscript tree (Core's Node::ProduceInput and Satisfy):
 * every node yields its best dissatisfaction and satisfaction, built
 * bottom-up from its subs' pairs, and a choice between two candidate
 * stacks follows Core's InputStack rules (a stack without a signature
 * beats one with; between two without, both become malleable; among
 * signed ones the non-malleable wins; then the smaller available one).
 * The order in which signatures are asked for is Core's (a left-to-right
 * walk, multi_a's keys last to first), which its signer and its list of
 * missing signatures both show.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "util/xmalloc.h"

/* Core's InputStack; items borrowed from the satisfier or static. */
struct istack {
	enum ms_avail avail;
	int has_sig, malleable, non_canon;
	size_t size; /* serialized size: SIZE_MAX when unavailable */
	struct ms_item *it;
	size_t n;
};

/* A pair: Core's InputResult. */
struct ires {
	struct istack nsat, sat;
};

static const uint8_t zero32[32];
static const uint8_t one_byte[1] = { 1 };

static struct istack
st_empty(void)
{
	struct istack s;

	memset(&s, 0, sizeof(s));
	s.avail = MS_AVAIL_YES;
	return s;
}

static struct istack
st_set_avail(struct istack s, enum ms_avail a)
{
	s.avail = a;
	if (a == MS_AVAIL_NO) {
		free(s.it);
		s.it = NULL;
		s.n = 0;
		s.size = SIZE_MAX;
		s.has_sig = s.malleable = s.non_canon = 0;
	}
	return s;
}

static struct istack
st_invalid(void)
{
	return st_set_avail(st_empty(), MS_AVAIL_NO);
}

/* A stack of one element: its size counts a one-byte length. */
static struct istack
st_one(const uint8_t *p, size_t len)
{
	struct istack s = st_empty();

	s.it = xmalloc(sizeof(*s.it));
	s.it[0].p = p;
	s.it[0].len = len;
	s.n = 1;
	s.size = len + 1;
	return s;
}

#define ZERO() st_one(zero32, 0)
#define ONE() st_one(one_byte, 1)

static struct istack
st_copy(const struct istack *a)
{
	struct istack s = *a;

	s.it = NULL;
	if (a->n > 0) {
		s.it = xmalloc(a->n * sizeof(*s.it));
		memcpy(s.it, a->it, a->n * sizeof(*s.it));
	}
	return s;
}

static void
st_free(struct istack *s)
{
	free(s->it);
	s->it = NULL;
	s->n = 0;
}

/* Core's a + b: b's elements above a's. Consumes both. */
static struct istack
st_cat(struct istack a, struct istack b)
{
	if (b.n > 0) {
		a.it = xrealloc(a.it, (a.n + b.n) * sizeof(*a.it));
		memcpy(a.it + a.n, b.it, b.n * sizeof(*a.it));
		a.n += b.n;
	}
	if (a.avail != MS_AVAIL_NO && b.avail != MS_AVAIL_NO)
		a.size += b.size;
	a.has_sig |= b.has_sig;
	a.malleable |= b.malleable;
	a.non_canon |= b.non_canon;
	if (a.avail == MS_AVAIL_NO || b.avail == MS_AVAIL_NO)
		a = st_set_avail(a, MS_AVAIL_NO);
	else if (a.avail == MS_AVAIL_MAYBE || b.avail == MS_AVAIL_MAYBE)
		a = st_set_avail(a, MS_AVAIL_MAYBE);
	free(b.it);
	return a;
}

/* Keeps a, frees b. */
static struct istack
pick(struct istack a, struct istack b)
{
	free(b.it);
	return a;
}

/* Core's a | b: the choice between two candidates. Consumes both. */
static struct istack
st_or(struct istack a, struct istack b)
{
	if (a.avail == MS_AVAIL_NO)
		return pick(b, a);
	if (b.avail == MS_AVAIL_NO)
		return pick(a, b);
	/* A third party could swap in a signature-free option. */
	if (!a.has_sig && b.has_sig)
		return pick(a, b);
	if (!b.has_sig && a.has_sig)
		return pick(b, a);
	if (!a.has_sig && !b.has_sig) {
		a.malleable = 1;
		b.malleable = 1;
	} else {
		if (b.malleable && !a.malleable)
			return pick(a, b);
		if (a.malleable && !b.malleable)
			return pick(b, a);
	}
	/* Smaller among YESes, bigger among MAYBEs, YES over MAYBE. */
	if (a.avail == MS_AVAIL_YES && b.avail == MS_AVAIL_YES)
		return a.size <= b.size ? pick(a, b) : pick(b, a);
	if (a.avail == MS_AVAIL_MAYBE && b.avail == MS_AVAIL_MAYBE)
		return a.size >= b.size ? pick(a, b) : pick(b, a);
	return a.avail == MS_AVAIL_YES ? pick(a, b) : pick(b, a);
}

static struct istack
st_mall_noncanon(struct istack s)
{
	s.malleable = 1;
	s.non_canon = 1;
	return s;
}

#define CP(x) st_copy(&(x))

static struct ires
mk(struct istack nsat, struct istack sat)
{
	struct ires r;

	r.nsat = nsat;
	r.sat = sat;
	return r;
}

static struct istack
sig_stack(const struct ms_satisfier *c, size_t key)
{
	struct ms_item sig = { zero32, 0 };
	enum ms_avail a = c->sign(c->arg, key, &sig);
	struct istack s = st_one(sig.p, sig.len);

	s.has_sig = 1;
	return st_set_avail(s, a);
}

/* multi and multi_a: sats[j] is the best stack with j signatures. */
static struct ires
sat_multi(const struct ms_node *n, const struct ms_satisfier *c)
{
	int tap = n->frag == MS_MULTI_A;
	struct istack *sats, *next, nsat, sat;
	struct ires r;
	size_t i, j, ns = 1;

	sats = xmalloc((n->nkeys + 1) * sizeof(*sats));
	next = xmalloc((n->nkeys + 1) * sizeof(*next));
	/* CHECKMULTISIG pops one element too many. */
	sats[0] = tap ? st_empty() : ZERO();
	for (i = 0; i < n->nkeys; i++) {
		/* multi_a wants the first key's signature on top. */
		sat = sig_stack(c, n->keys[tap ? n->nkeys - 1 - i : i]);
		/* From the top down, so each sats[j] is moved last. */
		next[ns] = st_cat(CP(sats[ns - 1]), CP(sat));
		for (j = ns - 1; j >= 1; j--) {
			struct istack keep = tap ? st_cat(sats[j], ZERO()) :
						   sats[j];

			next[j] = st_or(keep,
			    st_cat(CP(sats[j - 1]), CP(sat)));
		}
		next[0] = tap ? st_cat(sats[0], ZERO()) : sats[0];
		st_free(&sat);
		ns++;
		memcpy(sats, next, ns * sizeof(*sats));
	}
	if (tap) {
		nsat = sats[0];
	} else {
		nsat = ZERO();
		for (i = 0; i < n->k; i++)
			nsat = st_cat(nsat, ZERO());
		st_free(&sats[0]);
	}
	for (j = 1; j < ns; j++)
		if (j != n->k)
			st_free(&sats[j]);
	r = mk(nsat, sats[n->k]);
	free(sats);
	free(next);
	return r;
}

/* thresh: sats[j] satisfies j of the last i subs. Consumes sub. */
static struct ires
sat_thresh(const struct ms_node *n, struct ires *sub)
{
	struct istack *sats, *next, nsat = st_invalid();
	struct ires r;
	size_t i, j, ns = 1;

	sats = xmalloc((n->nsubs + 1) * sizeof(*sats));
	next = xmalloc((n->nsubs + 1) * sizeof(*next));
	sats[0] = st_empty();
	for (i = 0; i < n->nsubs; i++) {
		struct ires *res = &sub[n->nsubs - 1 - i];

		next[ns] = st_cat(CP(sats[ns - 1]), CP(res->sat));
		for (j = ns - 1; j >= 1; j--)
			next[j] = st_or(st_cat(sats[j], CP(res->nsat)),
			    st_cat(CP(sats[j - 1]), CP(res->sat)));
		next[0] = st_cat(sats[0], CP(res->nsat));
		st_free(&res->sat);
		st_free(&res->nsat);
		ns++;
		memcpy(sats, next, ns * sizeof(*sats));
	}
	/*
	 * Every count but k dissatisfies; those other than none are
	 * non-canonical and malleable (overcomplete).
	 */
	for (j = 0; j < ns; j++) {
		if (j == n->k)
			continue;
		if (j != 0)
			sats[j] = st_mall_noncanon(sats[j]);
		nsat = st_or(nsat, sats[j]);
	}
	r = mk(nsat, sats[n->k]);
	free(sats);
	free(next);
	return r;
}

static struct istack
preimage_stack(const struct ms_node *n, const struct ms_satisfier *c)
{
	struct ms_item pre = { zero32, 0 };
	enum ms_avail a = c->preimage(c->arg, n->frag, n->data, n->datalen,
	    &pre);

	return st_set_avail(st_one(pre.p, pre.len), a);
}

/* Core's ProduceInput helper for node n; subs evaluated left to right. */
static struct ires
sat_node(const struct ms_node *n, const struct ms_satisfier *c)
{
	struct ires *s = NULL, r;
	struct istack zero32s, x;
	size_t i;

	if (n->nsubs > 0) {
		s = xmalloc(n->nsubs * sizeof(*s));
		for (i = 0; i < n->nsubs; i++)
			s[i] = sat_node(n->subs[i], c);
	}
	switch (n->frag) {
	case MS_PK_K: r = mk(ZERO(), sig_stack(c, n->keys[0])); break;
	case MS_PK_H: {
		struct ms_item k = c->key_bytes(c->arg, n->keys[0]);
		struct istack sig = sig_stack(c, n->keys[0]);
		enum ms_avail a = sig.avail;

		/* Core sets the availability after adding the key. */
		sig.avail = MS_AVAIL_YES;
		r = mk(st_cat(ZERO(), st_one(k.p, k.len)),
		    st_set_avail(st_cat(sig, st_one(k.p, k.len)), a));
		break;
	}
	case MS_MULTI:
	case MS_MULTI_A: r = sat_multi(n, c); break;
	case MS_THRESH: r = sat_thresh(n, s); break;
	case MS_OLDER:
		r = mk(st_invalid(),
		    c->older(c->arg, n->k) ? st_empty() : st_invalid());
		break;
	case MS_AFTER:
		r = mk(st_invalid(),
		    c->after(c->arg, n->k) ? st_empty() : st_invalid());
		break;
	case MS_SHA256:
	case MS_HASH256:
	case MS_RIPEMD160:
	case MS_HASH160:
		/* Any 32 bytes but the preimage dissatisfy: malleable. */
		zero32s = st_one(zero32, 32);
		zero32s.malleable = 1;
		r = mk(zero32s, preimage_stack(n, c));
		break;
	case MS_AND_V:
		/* y's stack below x's: x runs first. */
		x = st_cat(s[1].nsat, CP(s[0].sat));
		x.non_canon = 1;
		r = mk(x, st_cat(s[1].sat, s[0].sat));
		break;
	case MS_AND_B:
		/* Copies first: C leaves argument order open. */
		x = st_cat(CP(s[1].nsat), CP(s[0].nsat));
		x = st_or(x,
		    st_mall_noncanon(st_cat(CP(s[1].sat), CP(s[0].nsat))));
		x = st_or(x,
		    st_mall_noncanon(st_cat(CP(s[1].nsat), CP(s[0].sat))));
		r = mk(x, st_cat(s[1].sat, s[0].sat));
		st_free(&s[0].nsat);
		st_free(&s[1].nsat);
		break;
	case MS_OR_B:
		r = mk(st_cat(CP(s[1].nsat), CP(s[0].nsat)),
		    st_or(st_or(st_cat(CP(s[1].nsat), CP(s[0].sat)),
			      st_cat(CP(s[1].sat), CP(s[0].nsat))),
			st_mall_noncanon(st_cat(CP(s[1].sat), CP(s[0].sat)))));
		for (i = 0; i < 2; i++) {
			st_free(&s[i].nsat);
			st_free(&s[i].sat);
		}
		break;
	case MS_OR_C:
		r = mk(st_invalid(),
		    st_or(s[0].sat, st_cat(s[1].sat, s[0].nsat)));
		st_free(&s[1].nsat);
		break;
	case MS_OR_D:
		x = st_cat(s[1].nsat, CP(s[0].nsat));
		r = mk(x, st_or(s[0].sat, st_cat(s[1].sat, s[0].nsat)));
		break;
	case MS_OR_I:
		r = mk(st_or(st_cat(s[0].nsat, ONE()),
			   st_cat(s[1].nsat, ZERO())),
		    st_or(st_cat(s[0].sat, ONE()), st_cat(s[1].sat, ZERO())));
		break;
	case MS_ANDOR:
		x = st_cat(s[1].nsat, CP(s[0].sat));
		x.non_canon = 1;
		x = st_or(x, st_cat(s[2].nsat, CP(s[0].nsat)));
		r = mk(x,
		    st_or(st_cat(s[1].sat, s[0].sat),
			st_cat(s[2].sat, s[0].nsat)));
		break;
	case MS_WRAP_A:
	case MS_WRAP_S:
	case MS_WRAP_C:
	case MS_WRAP_N: r = s[0]; break;
	case MS_WRAP_D:
		r = mk(ZERO(), st_cat(s[0].sat, ONE()));
		st_free(&s[0].nsat);
		break;
	case MS_WRAP_J:
		/*
		 * A signature-free dissatisfaction of the sub may leave a
		 * nonzero on top: assume the 0 can be swapped for it.
		 */
		x = ZERO();
		x.malleable = s[0].nsat.avail != MS_AVAIL_NO &&
		    !s[0].nsat.has_sig;
		r = mk(x, s[0].sat);
		st_free(&s[0].nsat);
		break;
	case MS_WRAP_V:
		r = mk(st_invalid(), s[0].sat);
		st_free(&s[0].nsat);
		break;
	case MS_0: r = mk(st_empty(), st_invalid()); break;
	case MS_1:
	default: r = mk(st_invalid(), st_empty()); break;
	}
	free(s);
	return r;
}

enum ms_avail
ms_satisfy(const struct ms_node *n, const struct ms_satisfier *c,
    int nonmalleable, struct ms_item **stack, size_t *nstack)
{
	struct ires r = sat_node(n, c);

	st_free(&r.nsat);
	*stack = NULL;
	*nstack = 0;
	if (nonmalleable && (r.sat.malleable || !r.sat.has_sig)) {
		st_free(&r.sat);
		return MS_AVAIL_NO;
	}
	*stack = r.sat.it;
	*nstack = r.sat.n;
	return r.sat.avail;
}
