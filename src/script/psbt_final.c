/*
 * Finalising and extracting PSBTs: Core's FinalizePSBT, which runs
 * SignPSBTInput with no keys, so that ProduceSignature builds each
 * input's scripts from the partial signatures, redeem and witness
 * scripts the PSBT carries and keeps them only if the standard script
 * check passes.
 *
 * Satisfied here, as Core satisfies them from PSBT data: P2PK, P2PKH,
 * multisig, P2SH around those or around P2WPKH/P2WSH, P2WPKH, P2WSH
 * around P2PK, P2PKH or multisig, P2TR by its key-path signature, and
 * through Miniscript (chain/miniscript_satisfy.c over the PSBT's
 * signatures, preimage records and the transaction's locks): P2WSH
 * witness scripts Core's templates leave unsolved (its WshSatisfier) and
 * P2TR script paths (its TapSatisfier).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "script/interpreter.h"
#include "script/psbt.h"
#include "script/psbt_int.h"
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

/* Stack items being built: borrowed pointers. */
struct items {
	/* P2WSH standardness: 100 items, then the script. */
	struct witem it[101];
	size_t n;
};

static void
push(struct items *st, const uint8_t *p, size_t len)
{
	st->it[st->n].p = p;
	st->it[st->n].len = len;
	st->n++;
}

/* Core's DUMMY_SIGNATURE_CREATOR's signatures: sizes, not values. */
static const uint8_t dummy_ecdsa[71] = { 0x30, 68, 0x02, 32, 0x01 };
static const uint8_t dummy_schnorr[64];

/*
 * How solving goes: with miss, what is missing is noted there (Core's
 * SignatureData missing_*); with dummy, a missing signature is replaced
 * by a dummy one of Core's size (the size estimate of analyzepsbt).
 */
struct solving {
	struct psbt_missing *miss;
	int dummy;
	int *bad; /* dummy: set when a given signature is badly encoded */
	/* The spending transaction and input, for timelocks (or NULL). */
	const struct tx *tx;
	size_t nin;
};

static void
note_missing_sig(const struct solving *sv, const uint8_t *pk, size_t len)
{
	struct psbt_missing *m = sv->miss;

	if (m == NULL || m->nsigs >= MAX_PUBKEYS_PER_MULTISIG)
		return;
	hash160(pk, len, m->sigs[m->nsigs++]);
}

/*
 * Core's GetPubKey from PSBT data: the key hashing to h160 among the
 * partial signatures, the BIP32 derivations, then the taproot ones (as
 * the even key of the x-only one). Borrowed from in, or NULL.
 */
static const uint8_t *
pubkey_for_hash(const struct psbt_input *in, const uint8_t *h160,
    uint8_t even[33], size_t *len)
{
	const struct psbt_map *maps[2] = { &in->sigs, &in->keypaths };
	uint8_t h[20];
	size_t i, j;

	for (j = 0; j < 2; j++)
		for (i = 0; i < maps[j]->n; i++) {
			hash160(maps[j]->r[i].key + 1, maps[j]->r[i].klen - 1,
			    h);
			if (memcmp(h, h160, 20) == 0) {
				*len = maps[j]->r[i].klen - 1;
				return maps[j]->r[i].key + 1;
			}
		}
	for (i = 0; i < in->tap_keypaths.n; i++) {
		even[0] = 0x02;
		memcpy(even + 1, in->tap_keypaths.r[i].key + 1, 32);
		hash160(even, 33, h);
		if (memcmp(h, h160, 20) == 0) {
			*len = 33;
			return even;
		}
	}
	return NULL;
}

/* Core's CreateSig from PSBT data: a partial signature, or a dummy. */
static int
sig_of(const struct psbt_input *in, const struct solving *sv,
    const uint8_t *pk, size_t len, struct items *st)
{
	const struct psbt_rec *r = sig_for_key(in, pk, len);
	int err;

	if (r != NULL) {
		/*
		 * Estimating, Core's dummy checker takes any signature but
		 * the interpreter still checks its encoding: a badly encoded
		 * one fails the estimate.
		 */
		if (sv->dummy &&
		    !sig_check_encoding(r->val, r->vlen,
			SCRIPT_STANDARD_VERIFY_FLAGS, &err))
			*sv->bad = 1;
		push(st, r->val, r->vlen);
		return 1;
	}
	if (sv->dummy) {
		push(st, dummy_ecdsa, sizeof(dummy_ecdsa));
		return 1;
	}
	note_missing_sig(sv, pk, len);
	return 0;
}

/*
 * Core's SignStep for the templates a PSBT can satisfy with signatures:
 * the stack that spends script s. 1 when solved.
 */
static int
solve_with_sigs(const struct psbt_input *in, const struct solving *sv,
    const uint8_t *s, size_t len, struct items *st, uint8_t even[33])
{
	static const uint8_t empty[1];
	struct script_solution sol;
	const uint8_t *pk;
	size_t i, pklen;
	int got = 0;

	switch (script_solve(s, len, &sol)) {
	case SCRIPT_PUBKEY: return sig_of(in, sv, sol.item[0], sol.len[0], st);
	case SCRIPT_PUBKEYHASH:
	case SCRIPT_WITNESS_V0_KEYHASH:
		if ((pk = pubkey_for_hash(in, sol.item[0], even, &pklen)) ==
		    NULL) {
			if (sv->miss != NULL && sv->miss->npubkeys < 4)
				memcpy(sv->miss->pubkeys[sv->miss->npubkeys++],
				    sol.item[0], 20);
			return 0;
		}
		if (!sig_of(in, sv, pk, pklen, st))
			return 0;
		push(st, pk, pklen);
		return 1;
	case SCRIPT_MULTISIG:
		/* The dummy element CHECKMULTISIG pops, then m signatures. */
		push(st, empty, 0);
		/* Every key is tried, so every missing signature is noted. */
		for (i = 0; i < sol.n; i++) {
			struct items one;

			one.n = 0;
			if (sig_of(in, sv, sol.item[i], sol.len[i], &one) &&
			    got < sol.required) {
				st->it[st->n++] = one.it[0];
				got++;
			}
		}
		return got == sol.required;
	default: return 0;
	}
}

int
psbt_tapleaf_keys(const uint8_t *s, size_t len, struct psbt_tapkeys *out)
{
	struct wbuf w;
	size_t pos = 0, klen;
	int64_t k = 0;
	int ok;

	memset(out, 0, sizeof(*out));
	/* <key> OP_CHECKSIG (<key> OP_CHECKSIGADD)* */
	while (pos + 34 <= len && s[pos] == 32 &&
	    s[pos + 33] == (out->n == 0 ? OP_CHECKSIG : OP_CHECKSIGADD)) {
		out->key = xreallocarray(out->key, out->n + 1,
		    sizeof(*out->key));
		out->key[out->n++] = s + pos + 1;
		pos += 34;
	}
	if (out->n == 1 && pos == len) {
		out->k = 1; /* pk() */
		return 1;
	}
	/* <k> OP_NUMEQUAL, k minimally encoded */
	if (out->n > 0 && pos < len) {
		if (s[pos] >= OP_1 && s[pos] <= OP_16) {
			k = s[pos] - OP_1 + 1;
			klen = 1;
		} else if ((s[pos] == 1 || s[pos] == 2) &&
		    pos + 1 + s[pos] <= len) {
			k = s[pos + 1];
			if (s[pos] == 2)
				k |= (int64_t)s[pos + 2] << 8;
			klen = 1 + (size_t)s[pos];
		} else
			klen = 0;
		wbuf_init(&w);
		script_push_int(&w, k);
		ok = klen > 0 && k >= 1 && (size_t)k <= out->n &&
		    w.len == klen && memcmp(w.p, s + pos, klen) == 0 &&
		    pos + klen + 1 == len && s[pos + klen] == OP_NUMEQUAL;
		wbuf_free(&w);
		if (ok) {
			out->k = (uint32_t)k;
			return 1;
		}
	}
	free(out->key);
	memset(out, 0, sizeof(*out));
	return 0;
}

/* The script-path signature of x-only key x for leaf lh, or NULL. */
static const struct psbt_rec *
tap_sig_for(const struct psbt_input *in, const uint8_t *x, const uint8_t *lh)
{
	size_t i;

	for (i = 0; i < in->tap_sigs.n; i++)
		if (memcmp(in->tap_sigs.r[i].key + 1, x, 32) == 0 &&
		    memcmp(in->tap_sigs.r[i].key + 33, lh, 32) == 0)
			return &in->tap_sigs.r[i];
	return NULL;
}

static size_t
compact_size(uint64_t n)
{
	return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffffu ? 5 : 9;
}

/* The preimage records of the input (PSBT_IN_SHA256 and kin). */
static enum ms_avail
preimage_of(const struct psbt_input *in, enum ms_frag fr, const uint8_t *hash,
    size_t hlen, struct ms_item *out)
{
	const struct psbt_map *m = fr == MS_SHA256 ? &in->sha256 :
	    fr == MS_HASH256			   ? &in->hash256 :
	    fr == MS_RIPEMD160			   ? &in->ripemd160 :
						     &in->hash160;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].klen == hlen + 1 &&
		    memcmp(m->r[i].key + 1, hash, hlen) == 0) {
			out->p = m->r[i].val;
			out->len = m->r[i].vlen;
			return MS_AVAIL_YES;
		}
	return MS_AVAIL_NO;
}

/*
 * Whether the spending input meets after(n) (absolute) or older(n);
 * Core's dummy checker (estimating) takes every lock as met.
 */
static int
lock_met(const struct solving *sv, int absolute, uint32_t n)
{
	if (sv->dummy)
		return 1;
	if (sv->tx == NULL)
		return 0;
	return absolute ? script_locktime_met(sv->tx, sv->nin, n) :
			  script_sequence_met(sv->tx, sv->nin, n);
}

/* A tapscript leaf's keys (x-only copies), as the decoder meets them. */
struct ms_tap {
	const struct psbt_input *in;
	const struct solving *sv;
	const uint8_t *lh;
	uint8_t (*keys)[32];
	size_t nkeys;
};

static int
mst_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct ms_tap *t = arg;
	const struct psbt_map *m = &t->in->tap_keypaths;
	const uint8_t *x = NULL;
	uint8_t h[20];
	size_t i;

	/* pk_h: Core's tap_pubkeys, the taproot derivations by hash. */
	for (i = 0; is_hash && x == NULL && i < m->n; i++) {
		hash160(m->r[i].key + 1, 32, h);
		if (memcmp(h, p, 20) == 0)
			x = m->r[i].key + 1;
	}
	if (is_hash ? x == NULL : n != 32)
		return -1;
	t->keys = xreallocarray(t->keys, t->nkeys + 1, sizeof(*t->keys));
	memcpy(t->keys[t->nkeys], is_hash ? x : p, 32);
	return (int)t->nkeys++;
}

static int
mst_cmp(void *arg, size_t a, size_t b)
{
	struct ms_tap *t = arg;

	return memcmp(t->keys[a], t->keys[b], 32);
}

static enum ms_avail
mst_sign(void *arg, size_t key, struct ms_item *sig)
{
	struct ms_tap *t = arg;
	const struct psbt_rec *r = tap_sig_for(t->in, t->keys[key], t->lh);

	if (r == NULL)
		return MS_AVAIL_NO;
	sig->p = r->val;
	sig->len = r->vlen;
	return MS_AVAIL_YES;
}

static struct ms_item
mst_key_bytes(void *arg, size_t key)
{
	struct ms_tap *t = arg;
	struct ms_item k;

	k.p = t->keys[key];
	k.len = 32;
	return k;
}

static enum ms_avail
mst_preimage(void *arg, enum ms_frag fr, const uint8_t *hash, size_t hlen,
    struct ms_item *out)
{
	struct ms_tap *t = arg;

	return preimage_of(t->in, fr, hash, hlen, out);
}

static int
mst_older(void *arg, uint32_t n)
{
	struct ms_tap *t = arg;

	return lock_met(t->sv, 0, n);
}

static int
mst_after(void *arg, uint32_t n)
{
	struct ms_tap *t = arg;

	return lock_met(t->sv, 1, n);
}

/*
 * Core's script-path spend from PSBT data: each tapscript leaf satisfied
 * as Miniscript (TapSatisfier) from the script signatures held; the
 * smallest witness (stack, script, control block) wins, the first among
 * equals.
 */
static int
tap_script_path(const struct psbt_input *in, const struct solving *sv,
    struct wbuf *wit)
{
	const struct psbt_rec *best = NULL, *r;
	struct ms_item *stack, *best_stack = NULL;
	uint8_t(*best_keys)[32] = NULL;
	size_t i, j, n, sz, best_n = 0, best_sz = 0;
	uint8_t lh[32];

	for (i = 0; i < in->tap_leaves.n; i++) {
		struct ms_tap t = { in, sv, lh, NULL, 0 };
		struct ms_satisfier c = { &t, mst_sign, mst_key_bytes,
			mst_preimage, mst_older, mst_after };
		struct ms_node *node;
		enum ms_avail a = MS_AVAIL_NO;

		r = &in->tap_leaves.r[i];
		/* Records of one leaf follow each other, smallest first. */
		if (i > 0 && r->vlen == in->tap_leaves.r[i - 1].vlen &&
		    memcmp(r->val, in->tap_leaves.r[i - 1].val, r->vlen) == 0)
			continue;
		if (r->val[r->vlen - 1] != TAPROOT_LEAF_TAPSCRIPT)
			continue;
		script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, r->val,
		    r->vlen - 1, lh);
		node = ms_decode(r->val, r->vlen - 1, MS_TAPSCRIPT, mst_key,
		    &t, mst_cmp);
		if (node != NULL)
			a = ms_satisfy(node, &c, 1, &stack, &n);
		ms_free(node);
		if (a != MS_AVAIL_YES) {
			if (node != NULL)
				free(stack);
			free(t.keys);
			continue;
		}
		sz = compact_size(n + 2) + compact_size(r->vlen - 1) +
		    r->vlen - 1 + compact_size(r->klen - 1) + r->klen - 1;
		for (j = 0; j < n; j++)
			sz += compact_size(stack[j].len) + stack[j].len;
		/* The stack borrows pk_h's keys from t.keys: kept with it. */
		if (best == NULL || sz < best_sz) {
			free(best_stack);
			free(best_keys);
			best = r;
			best_sz = sz;
			best_stack = stack;
			best_keys = t.keys;
			best_n = n;
		} else {
			free(stack);
			free(t.keys);
		}
	}
	if (best == NULL)
		return 0;
	wbuf_put_compact(wit, best_n + 2);
	for (j = 0; j < best_n; j++) {
		wbuf_put_compact(wit, best_stack[j].len);
		if (best_stack[j].len > 0)
			wbuf_put(wit, best_stack[j].p, best_stack[j].len);
	}
	wbuf_put_compact(wit, best->vlen - 1);
	wbuf_put(wit, best->val, best->vlen - 1);
	wbuf_put_compact(wit, best->klen - 1);
	wbuf_put(wit, best->key + 1, best->klen - 1);
	free(best_stack);
	free(best_keys);
	return 1;
}

/*
 * Core's WshSatisfier over PSBT data: the witness script decoded as
 * Miniscript, its keys gathered in a table as the decoder meets them.
 */
struct ms_fin {
	const struct psbt_input *in;
	const struct solving *sv;
	uint8_t (*keys)[33];
	size_t nkeys;
	int failed_key;
};

static int
msf_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct ms_fin *f = arg;
	struct psbt_missing *m = f->sv->miss;
	const uint8_t *pk = p;
	uint8_t even[33];
	size_t len = n;

	if (is_hash) {
		pk = pubkey_for_hash(f->in, p, even, &len);
		if (pk == NULL) {
			/* Core's CPubFromPKHBytes notes the key missing. */
			if (m != NULL && m->npubkeys < 4)
				memcpy(m->pubkeys[m->npubkeys++], p, 20);
			return -1;
		}
	}
	if (len != 33 || (pk[0] != 2 && pk[0] != 3))
		return -1;
	f->keys = xrealloc(f->keys, (f->nkeys + 1) * sizeof(*f->keys));
	memcpy(f->keys[f->nkeys], pk, 33);
	return (int)f->nkeys++;
}

static int
msf_cmp(void *arg, size_t a, size_t b)
{
	struct ms_fin *f = arg;

	return memcmp(f->keys[a], f->keys[b], 33);
}

static enum ms_avail
msf_sign(void *arg, size_t key, struct ms_item *sig)
{
	struct ms_fin *f = arg;
	struct items one;

	one.n = 0;
	if (!sig_of(f->in, f->sv, f->keys[key], 33, &one))
		return MS_AVAIL_NO;
	sig->p = one.it[0].p;
	sig->len = one.it[0].len;
	return MS_AVAIL_YES;
}

static struct ms_item
msf_key_bytes(void *arg, size_t key)
{
	struct ms_fin *f = arg;
	struct ms_item k;

	k.p = f->keys[key];
	k.len = 33;
	return k;
}

static enum ms_avail
msf_preimage(void *arg, enum ms_frag fr, const uint8_t *hash, size_t hlen,
    struct ms_item *out)
{
	struct ms_fin *f = arg;

	return preimage_of(f->in, fr, hash, hlen, out);
}

static int
msf_older(void *arg, uint32_t n)
{
	struct ms_fin *f = arg;

	return lock_met(f->sv, 0, n);
}

static int
msf_after(void *arg, uint32_t n)
{
	struct ms_fin *f = arg;

	return lock_met(f->sv, 1, n);
}

/*
 * The witness stack satisfying witness script s as Miniscript (Core's
 * fallback when its templates leave nothing): 1 when fully available.
 * The keys stay in *keys for the stack's life (free it after).
 */
static int
solve_miniscript(const struct psbt_input *in, const struct solving *sv,
    const uint8_t *s, size_t len, struct items *st, uint8_t (**keys)[33])
{
	struct ms_fin f = { in, sv, NULL, 0, 0 };
	struct ms_satisfier c = { &f, msf_sign, msf_key_bytes, msf_preimage,
		msf_older, msf_after };
	struct ms_item *stack;
	struct ms_node *n;
	size_t i, nstack;
	int ok = 0;

	n = ms_decode(s, len, MS_P2WSH, msf_key, &f, msf_cmp);
	if (n != NULL &&
	    ms_satisfy(n, &c, 1, &stack, &nstack) == MS_AVAIL_YES) {
		/* The witness script must follow: room for one more. */
		if (nstack < sizeof(st->it) / sizeof(st->it[0])) {
			for (i = 0; i < nstack; i++)
				push(st, stack[i].p, stack[i].len);
			ok = 1;
		}
		free(stack);
	}
	ms_free(n);
	*keys = f.keys;
	return ok;
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
produce_with(const struct psbt_input *in, const struct solving *sv,
    const struct txout *utxo, struct wbuf *sig, struct wbuf *wit,
    int *is_witness)
{
	struct script_solution sol;
	struct items st;
	enum script_type t;
	uint8_t even[33];
	const uint8_t *s = utxo->script;
	size_t len = utxo->script_len;
	uint8_t h[32], (*mskeys)[33] = NULL;
	int p2sh = 0;

	memset(&st, 0, sizeof(st));
	*is_witness = 0;
	if (script_solve(s, len, &sol) == SCRIPT_SCRIPTHASH) {
		if (in->redeem_len == 0 ||
		    (hash160(in->redeem, in->redeem_len, h),
			memcmp(h, sol.item[0], 20) != 0)) {
			if (sv->miss != NULL) {
				sv->miss->have_redeem = 1;
				memcpy(sv->miss->redeem, sol.item[0], 20);
			}
			return 0;
		}
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
		if (!solve_with_sigs(in, sv, s, len, &st, even))
			return 0;
		put_stack(wit, &st);
		break;
	case SCRIPT_WITNESS_V0_SCRIPTHASH:
		if (in->wscript_len == 0 ||
		    (sha256(in->wscript, in->wscript_len, h),
			memcmp(h, sol.item[0], 32) != 0)) {
			if (sv->miss != NULL) {
				sv->miss->have_witness = 1;
				memcpy(sv->miss->witness, sol.item[0], 32);
			}
			return 0;
		}
		*is_witness = 1;
		t = script_solve(in->wscript, in->wscript_len, &sol);
		if (t == SCRIPT_SCRIPTHASH ||
		    !solve_with_sigs(in, sv, in->wscript, in->wscript_len, &st,
			even)) {
			/*
			 * Core then tries miniscript on the witness script
			 * (when nothing was pushed), which asks for the key
			 * of a pk() or pkh() script again: what is missing
			 * is noted twice, as Core lists it.
			 */
			if (st.n == 0 &&
			    (t == SCRIPT_PUBKEY || t == SCRIPT_PUBKEYHASH)) {
				(void)solve_with_sigs(in, sv, in->wscript,
				    in->wscript_len, &st, even);
				return 0;
			}
			if (st.n > 0 ||
			    !solve_miniscript(in, sv, in->wscript,
				in->wscript_len, &st, &mskeys)) {
				free(mskeys);
				return 0;
			}
		}
		push(&st, in->wscript, in->wscript_len);
		put_stack(wit, &st);
		free(mskeys);
		break;
	case SCRIPT_WITNESS_V1_TAPROOT:
		/*
		 * Key path first, then the script paths. Core counts a
		 * taproot spend as a witness one even unsolved (not inside
		 * P2SH, which cannot spend it).
		 */
		if (p2sh)
			return 0;
		*is_witness = 1;
		if (in->tap_key_sig_len > 0)
			push(&st, in->tap_key_sig, in->tap_key_sig_len);
		else if (sv->dummy)
			push(&st, dummy_schnorr, sizeof(dummy_schnorr));
		else
			return tap_script_path(in, sv, wit);
		put_stack(wit, &st);
		break;
	case SCRIPT_SCRIPTHASH: return 0;
	default:
		if (!solve_with_sigs(in, sv, s, len, &st, even))
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
	uint8_t *copy = psbt_dup(utxo->script, utxo->script_len);

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
	vin[i].wit = wit != NULL ?
	    stack_items(wit, witlen, &vin[i].wit_count) :
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
    int finalize, const struct solving *sv)
{
	struct psbt_input *in = &p->in[i];
	struct txout utxo;
	struct wbuf sig, wit;
	int is_witness, solved, ok = 0;

	if (!psbt_input_utxo(p, i, &utxo))
		return 0;
	/* PSBTInputSignedAndVerified: the final scripts (maybe none) pass. */
	if (verify_with(p, i, &utxo, in->final_sig, in->final_sig_len,
		in->have_final_wit ? in->final_wit : NULL, in->final_wit_len,
		td))
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
	{
		struct solving at = *sv;

		at.tx = &p->tx;
		at.nin = i;
		solved = produce_with(in, &at, &utxo, &sig, &wit, &is_witness);
	}
	/*
	 * A witness UTXO alone proves nothing of the amount for a
	 * pre-segwit signature: Core requires a witness signature then.
	 */
	if (!in->have_nwu && !is_witness) {
		/* Core leaves before it reports what is missing. */
		if (sv->miss != NULL)
			memset(sv->miss, 0, sizeof(*sv->miss));
		goto out;
	}
	/*
	 * The check ProduceSignature ends with (whose dummy checker takes
	 * any signature when estimating).
	 */
	ok = solved &&
	    (sv->dummy ? !*sv->bad :
			 verify_with(p, i, &utxo, sig.p, sig.len,
			     is_witness ? wit.p : NULL, wit.len, td));
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

int
psbt_input_finish(struct psbt *p, size_t i, const struct script_txdata *td,
    int finalize)
{
	struct solving sv = { NULL, 0, NULL, NULL, 0 };

	return sign_input(p, i, td, finalize, &sv);
}

int
psbt_input_verified(const struct psbt *p, size_t i,
    const struct script_txdata *td)
{
	const struct psbt_input *in = &p->in[i];
	struct txout utxo;

	return psbt_input_utxo(p, i, &utxo) &&
	    verify_with(p, i, &utxo, in->final_sig, in->final_sig_len,
		in->have_final_wit ? in->final_wit : NULL, in->final_wit_len,
		td);
}

/* PrecomputePSBTData: the spent outputs only when all are known. */
struct script_txdata *
psbt_precompute(const struct psbt *p, struct txout **spent)
{
	size_t i;

	*spent = xcalloc(p->tx.vin_count + 1, sizeof(**spent));
	for (i = 0; i < p->tx.vin_count; i++)
		if (!psbt_input_utxo(p, i, &(*spent)[i]))
			return NULL;
	return script_txdata_new(&p->tx, *spent);
}

int
psbt_finalize(struct psbt *p)
{
	struct solving sv = { NULL, 0, NULL, NULL, 0 };
	struct script_txdata *td;
	struct txout *spent;
	size_t i;
	int complete = 1;

	td = psbt_precompute(p, &spent);
	for (i = 0; i < p->tx.vin_count; i++)
		complete &= sign_input(p, i, td, 1, &sv);
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

/* ---- Analysis ---- */

const char *
psbt_role_name(enum psbt_role r)
{
	switch (r) {
	case PSBT_CREATOR: return "creator";
	case PSBT_UPDATER: return "updater";
	case PSBT_SIGNER: return "signer";
	case PSBT_FINALIZER: return "finalizer";
	case PSBT_EXTRACTOR: return "extractor";
	}
	return "unknown";
}

static int
money_range(int64_t v)
{
	return v >= 0 && v <= MAX_MONEY;
}

static void
set_invalid(struct psbt_analysis *a, const char *msg)
{
	free(a->in);
	a->in = NULL;
	a->nin = 0;
	a->have_fee = 0;
	a->next = PSBT_CREATOR;
	snprintf(a->error, sizeof(a->error), "%s", msg);
}

/* The size estimate of AnalyzePSBT: every input signed with dummies. */
static void
estimate(struct psbt *p, struct psbt_analysis *a)
{
	struct txout utxo;
	int bad = 0;
	struct solving sv = { NULL, 1, &bad, NULL, 0 };
	struct tx tx;
	size_t i;

	for (i = 0; i < p->tx.vin_count; i++)
		if (!sign_input(p, i, NULL, 1, &sv) ||
		    !psbt_input_utxo(p, i, &utxo))
			return;
	a->spent = xcalloc(p->tx.vin_count + 1, sizeof(*a->spent));
	for (i = 0; i < p->tx.vin_count; i++) {
		psbt_input_utxo(p, i, &utxo);
		a->spent[i].value = utxo.value;
		a->spent[i].script = psbt_dup(utxo.script, utxo.script_len);
		a->spent[i].script_len = utxo.script_len;
	}
	psbt_extract(p, &tx);
	tx_copy(&a->est, &tx);
	psbt_extract_free(&tx);
	a->have_estimate = 1;
}

void
psbt_analyze(const struct psbt *orig, struct psbt_analysis *a)
{
	struct script_txdata *td;
	struct txout *spent, utxo;
	struct psbt p;
	struct psbt_input_analysis *ia;
	struct psbt_missing *m;
	struct solving sv;
	int64_t in_amt = 0, out_amt = 0;
	char msg[96];
	size_t i;
	int calc_fee = 1;

	memset(a, 0, sizeof(*a));
	psbt_copy(&p, orig);
	a->nin = p.tx.vin_count;
	a->in = xcalloc(a->nin + 1, sizeof(*a->in));
	td = psbt_precompute(&p, &spent);
	for (i = 0; i < p.tx.vin_count; i++) {
		ia = &a->in[i];
		ia->next = PSBT_EXTRACTOR;
		if (psbt_input_utxo(&p, i, &utxo)) {
			if (!money_range(utxo.value) ||
			    !money_range(in_amt + utxo.value)) {
				set_invalid(a,
				    "PSBT is not valid. Input value "
				    "is out of range.");
				goto out;
			}
			in_amt += utxo.value;
			ia->has_utxo = 1;
			if (script_is_unspendable(utxo.script,
				utxo.script_len)) {
				snprintf(msg, sizeof(msg),
				    "PSBT is not valid. "
				    "Input %zu spends unspendable output",
				    i);
				set_invalid(a, msg);
				goto out;
			}
		} else {
			ia->next = PSBT_UPDATER;
			calc_fee = 0;
		}
		if (!ia->has_utxo)
			continue;
		/* PSBTInputSignedAndVerified: final when the scripts pass. */
		if (verify_with(&p, i, &utxo, p.in[i].final_sig,
			p.in[i].final_sig_len,
			p.in[i].have_final_wit ? p.in[i].final_wit : NULL,
			p.in[i].final_wit_len, td)) {
			ia->is_final = 1;
			continue;
		}
		m = &ia->miss;
		sv.miss = m;
		sv.dummy = 0;
		sv.bad = NULL;
		if (sign_input(&p, i, td, 1, &sv)) {
			ia->next = PSBT_FINALIZER;
			memset(m, 0, sizeof(*m));
		} else if (m->npubkeys == 0 && !m->have_redeem &&
		    !m->have_witness && m->nsigs > 0)
			ia->next = PSBT_SIGNER;
		else
			ia->next = PSBT_UPDATER;
	}
	a->next = PSBT_EXTRACTOR;
	for (i = 0; i < a->nin; i++)
		if (a->in[i].next < a->next)
			a->next = a->in[i].next;
	if (calc_fee) {
		for (i = 0; i < p.tx.vout_count && out_amt != -1; i++)
			if (!money_range(out_amt) ||
			    !money_range(p.tx.vout[i].value) ||
			    !money_range(out_amt + p.tx.vout[i].value))
				out_amt = -1;
			else
				out_amt += p.tx.vout[i].value;
		if (!money_range(out_amt)) {
			set_invalid(a,
			    "PSBT is not valid. Output amount "
			    "invalid");
			goto out;
		}
		a->have_fee = 1;
		a->fee = in_amt - out_amt;
		estimate(&p, a);
	}
out:
	if (td != NULL)
		script_txdata_free(td);
	free(spent);
	psbt_free(&p);
}

void
psbt_analysis_free(struct psbt_analysis *a)
{
	size_t i;

	if (a->have_estimate) {
		for (i = 0; i < a->est.vin_count; i++)
			free((void *)(uintptr_t)a->spent[i].script);
		free(a->spent);
		tx_free(&a->est);
	}
	free(a->in);
	memset(a, 0, sizeof(*a));
}
