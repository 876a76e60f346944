/*
 * Signing and updating PSBTs with a provider of keys and scripts (built
 * from descriptors): Core's SignPSBTInput and UpdatePSBTOutput, whose
 * ProduceSignature walk fills a SignatureData from the provider that
 * FromSignatureData then writes into the PSBT. Here the walk writes
 * straight into a copy of the input (or into the output): signatures
 * (ECDSA as Core makes them, Schnorr with Core's zero aux randomness, so
 * both repeat byte for byte), redeem and witness scripts, key origins
 * (bip32_derivs), and the taproot internal key, merkle root, leaf
 * scripts with control blocks and their keys' origins. Whether the input
 * is then complete, and its final scripts, come from the keyless
 * finaliser (psbt_final.c), which reads those same fields.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/psbt.h"
#include "script/psbt_int.h"
#include "script/script.h"
#include "script/sign_int.h"
#include "script/solver.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* A taproot key's origin with the leaves it signs in (a new record). */
struct tapkey {
	uint8_t x[32];
	uint8_t (*leaf)[32];
	size_t nleaf;
	const struct spub *origin;
};

/* One walk: Core's creator and what its SignatureData gathers. */
struct walk {
	const struct sign_provider *p; /* NULL: no keys */
	int can_sign;		       /* a creator with transaction data */
	int hide_origin;	       /* bip32derivs false */
	const struct tx *tx;
	size_t nin;
	int64_t amount;
	int sighash;
	const struct script_txdata *td; /* NULL: not every UTXO known */
	/* The record sets it writes: the input's or the output's. */
	struct psbt_map *sigs, *keypaths, *tap_sigs, *tap_leaves,
	    *tap_keypaths;
	uint8_t keypath_type; /* PSBT_IN_ or PSBT_OUT_BIP32_DERIVATION */
	uint8_t **redeem, **wscript;
	size_t *redeem_len, *wscript_len;
	uint8_t *tap_internal, *tap_root; /* root NULL for an output */
	uint8_t *tap_key_sig;
	size_t *tap_key_sig_len;
	const struct stree *tree; /* the provider's tree for the output */
	struct tapkey *tk;
	size_t ntk;
	int witness;
};

static const struct psbt_rec *
find_key(const struct psbt_map *m, const uint8_t *k, size_t klen)
{
	size_t i;

	for (i = 0; m != NULL && i < m->n; i++)
		if (m->r[i].klen == klen + 1 &&
		    memcmp(m->r[i].key + 1, k, klen) == 0)
			return &m->r[i];
	return NULL;
}

static void
add_rec(struct psbt_map *m, uint8_t type, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen)
{
	uint8_t key[1 + 65 + 32];

	key[0] = type;
	memcpy(key + 1, k, klen);
	(void)psbt_map_add(m, key, klen + 1, v, vlen);
}

/* The serialized KeyOriginInfo: fingerprint, then each step. */
static void
put_origin(struct wbuf *w, const struct spub *o)
{
	size_t i;

	wbuf_put(w, o->fpr, 4);
	for (i = 0; i < o->npath; i++)
		wbuf_put_le32(w, o->path[i]);
}

/* CreateSig's origin: misc_pubkeys, which become bip32_derivs. */
static void
note_origin(struct walk *wk, const uint8_t *pk, size_t len)
{
	const struct spub *o;
	struct wbuf v;
	uint8_t id[20];

	if (wk->hide_origin)
		return;
	hash160(pk, len, id);
	if ((o = sign_provider_origin(wk->p, id)) == NULL)
		return;
	wbuf_init(&v);
	put_origin(&v, o);
	add_rec(wk->keypaths, wk->keypath_type, pk, len, v.p, v.len);
	wbuf_free(&v);
}

/* Core's CreateSig: an ECDSA signature of pk over code, unless held. */
static void
ecdsa_sig(struct walk *wk, const uint8_t *pk, size_t len, const uint8_t *code,
    size_t code_len, int v0)
{
	const struct skey *k;
	uint8_t id[20], hash[32], sig[KEY_DER_MAX + 1];
	size_t siglen;
	int ht;

	if (len > KEY_PUBKEY_MAX || find_key(wk->sigs, pk, len) != NULL)
		return;
	note_origin(wk, pk, len);
	hash160(pk, len, id);
	if (!wk->can_sign || (k = sign_provider_key(wk->p, id)) == NULL)
		return;
	/* Witness v0: no uncompressed keys, no unknown amounts. */
	if (v0 && (!k->compressed || wk->amount < 0 || wk->amount > MAX_MONEY))
		return;
	ht = wk->sighash == SIGHASH_DEFAULT ? SIGHASH_ALL : wk->sighash;
	if (v0)
		script_sighash_v0(wk->tx, wk->nin, code, code_len, wk->amount,
		    ht, wk->td, hash);
	else
		script_sighash_legacy(wk->tx, wk->nin, code, code_len, ht,
		    hash);
	if (key_sign_ecdsa(k->secret, hash, sig, &siglen) == -1)
		return;
	sig[siglen++] = (uint8_t)ht;
	add_rec(wk->sigs, PSBT_IN_PARTIAL_SIG, pk, len, sig, siglen);
}

/*
 * Core's GetPubKey: the key hashing to id among the signatures, the
 * BIP32 derivations and the taproot ones (as its even key), then the
 * provider's public keys.
 */
static int
find_pubkey(const struct walk *wk, const uint8_t id[20], uint8_t pk[65],
    size_t *len)
{
	const struct psbt_map *maps[2] = { wk->sigs, wk->keypaths };
	const struct spub *sp;
	uint8_t h[20];
	size_t i, j;

	for (j = 0; j < 2; j++)
		for (i = 0; maps[j] != NULL && i < maps[j]->n; i++) {
			hash160(maps[j]->r[i].key + 1, maps[j]->r[i].klen - 1,
			    h);
			if (memcmp(h, id, 20) == 0) {
				*len = maps[j]->r[i].klen - 1;
				memcpy(pk, maps[j]->r[i].key + 1, *len);
				return 1;
			}
		}
	for (i = 0; i < wk->tap_keypaths->n; i++) {
		pk[0] = 2;
		memcpy(pk + 1, wk->tap_keypaths->r[i].key + 1, 32);
		hash160(pk, 33, h);
		if (memcmp(h, id, 20) == 0) {
			*len = 33;
			return 1;
		}
	}
	if ((sp = sign_provider_pubkey(wk->p, id)) != NULL) {
		memcpy(pk, sp->pub, sp->len);
		*len = sp->len;
		return 1;
	}
	return 0;
}

/* Core's GetCScript: the provider's, then the redeem or witness script. */
static int
find_script(const struct walk *wk, const uint8_t id[20], const uint8_t **s,
    size_t *len)
{
	const struct sscript *ps = sign_provider_script(wk->p, id);
	uint8_t h[20];

	if (ps != NULL) {
		*s = ps->s;
		*len = ps->len;
		return 1;
	}
	if (*wk->redeem_len > 0) {
		hash160(*wk->redeem, *wk->redeem_len, h);
		if (memcmp(h, id, 20) == 0) {
			*s = *wk->redeem;
			*len = *wk->redeem_len;
			return 1;
		}
	}
	if (*wk->wscript_len > 0) {
		hash160(*wk->wscript, *wk->wscript_len, h);
		if (memcmp(h, id, 20) == 0) {
			*s = *wk->wscript;
			*len = *wk->wscript_len;
			return 1;
		}
	}
	return 0;
}

/* P2PK, P2PKH and multisig: SignStep's signatures. */
static void
sign_keys(struct walk *wk, const uint8_t *s, size_t len, int v0)
{
	struct script_solution sol;
	uint8_t pk[65], code[25];
	size_t i, pklen;

	switch (script_solve(s, len, &sol)) {
	case SCRIPT_PUBKEY:
		ecdsa_sig(wk, sol.item[0], sol.len[0], s, len, v0);
		break;
	case SCRIPT_PUBKEYHASH:
		if (find_pubkey(wk, sol.item[0], pk, &pklen))
			ecdsa_sig(wk, pk, pklen, s, len, v0);
		break;
	case SCRIPT_WITNESS_V0_KEYHASH:
		/* Signed as the P2PKH script of its key hash. */
		code[0] = OP_DUP;
		code[1] = OP_HASH160;
		code[2] = 20;
		memcpy(code + 3, sol.item[0], 20);
		code[23] = OP_EQUALVERIFY;
		code[24] = OP_CHECKSIG;
		if (find_pubkey(wk, sol.item[0], pk, &pklen))
			ecdsa_sig(wk, pk, pklen, code, sizeof(code), 1);
		break;
	case SCRIPT_MULTISIG:
		for (i = 0; i < sol.n; i++)
			ecdsa_sig(wk, sol.item[i], sol.len[i], s, len, v0);
		break;
	default: break;
	}
}

/* A witness script's Miniscript keys, as the decoder meets them. */
struct mskeys {
	const struct walk *wk;
	uint8_t (*k)[33];
	size_t n;
};

static int
ms_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct mskeys *m = arg;
	uint8_t pk[65];
	size_t len = n;

	if (is_hash) {
		if (!find_pubkey(m->wk, p, pk, &len))
			return -1;
		p = pk;
	}
	if (len != 33 || (p[0] != 2 && p[0] != 3))
		return -1;
	m->k = xrealloc(m->k, (m->n + 1) * sizeof(*m->k));
	memcpy(m->k[m->n], p, 33);
	return (int)m->n++;
}

static int
ms_cmp(void *arg, size_t a, size_t b)
{
	struct mskeys *m = arg;

	return memcmp(m->k[a], m->k[b], 33);
}

/* Every key of the tree, left to right (multi_a cannot be in P2WSH). */
static void
ms_sign_tree(struct walk *wk, const struct mskeys *m, const struct ms_node *n,
    const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < n->nsubs; i++)
		ms_sign_tree(wk, m, n->subs[i], s, len);
	for (i = 0; i < n->nkeys; i++)
		ecdsa_sig(wk, m->k[n->keys[i]], 33, s, len, 1);
}

/*
 * Core's miniscript pass over a witness script its templates do not
 * know: its satisfier asks for a signature of every key in the tree.
 */
static void
sign_miniscript(struct walk *wk, const uint8_t *s, size_t len)
{
	struct mskeys m = { wk, NULL, 0 };
	struct ms_node *n = ms_decode(s, len, MS_P2WSH, ms_key, &m, ms_cmp);

	if (n != NULL)
		ms_sign_tree(wk, &m, n, s, len);
	ms_free(n);
	free(m.k);
}

/* The tap_bip32_derivs entry of x, made on first sight (Core's emplace). */
static void
note_tap_origin(struct walk *wk, const uint8_t x[32], const uint8_t *lh)
{
	const struct spub *o;
	struct tapkey *t = NULL;
	size_t i;

	if (wk->hide_origin ||
	    (o = sign_provider_origin_xonly(wk->p, x)) == NULL)
		return;
	/* Already in the PSBT: Core's FromSignatureData keeps that one. */
	if (find_key(wk->tap_keypaths, x, 32) != NULL)
		return;
	for (i = 0; i < wk->ntk; i++)
		if (memcmp(wk->tk[i].x, x, 32) == 0)
			t = &wk->tk[i];
	if (t == NULL) {
		wk->tk = xreallocarray(wk->tk, wk->ntk + 1, sizeof(*wk->tk));
		t = &wk->tk[wk->ntk++];
		memset(t, 0, sizeof(*t));
		memcpy(t->x, x, 32);
		t->origin = o;
	}
	if (lh == NULL)
		return;
	for (i = 0; i < t->nleaf; i++)
		if (memcmp(t->leaf[i], lh, 32) == 0)
			return;
	t->leaf = xreallocarray(t->leaf, t->nleaf + 1, 32);
	memcpy(t->leaf[t->nleaf++], lh, 32);
}

/*
 * CreateSchnorrSig: key path (lh NULL; tweak with root, or none when
 * tweak is 0) or script path signature of x. 1 with sig, *siglen.
 */
static int
schnorr_sig(const struct walk *wk, const uint8_t x[32], const uint8_t *lh,
    int tweak, const uint8_t *root, uint8_t sig[65], size_t *siglen)
{
	return wk->can_sign &&
	    sign_schnorr_create(wk->p, wk->td, wk->nin, wk->sighash, x, lh,
		tweak, root, sig, siglen);
}

/* One tapscript key: its origin noted, signed unless already. */
static void
sign_leaf_key(struct walk *wk, const uint8_t x[32], const uint8_t lh[32])
{
	uint8_t key[64], sig[65];
	size_t siglen;

	note_tap_origin(wk, x, lh);
	memcpy(key, x, 32);
	memcpy(key + 32, lh, 32);
	if (find_key(wk->tap_sigs, key, 64) == NULL &&
	    schnorr_sig(wk, x, lh, 0, NULL, sig, &siglen))
		add_rec(wk->tap_sigs, PSBT_IN_TAP_SCRIPT_SIG, key, 64, sig,
		    siglen);
}

/* A leaf's x-only keys as the decoder meets them. */
struct tapleaf_keys {
	const struct walk *wk;
	uint8_t (*k)[32];
	size_t n;
};

/*
 * Core's GetPubKey for a tapscript pk_h: the x-only key hashing to id
 * among the taproot derivations, then the provider's keys.
 */
static int
find_tap_pubkey(const struct walk *wk, const uint8_t id[20], uint8_t x[32])
{
	const struct spub *sp;
	uint8_t h[20];
	size_t i;

	for (i = 0; i < wk->tap_keypaths->n; i++) {
		hash160(wk->tap_keypaths->r[i].key + 1, 32, h);
		if (memcmp(h, id, 20) == 0) {
			memcpy(x, wk->tap_keypaths->r[i].key + 1, 32);
			return 1;
		}
	}
	if ((sp = sign_provider_pubkey(wk->p, id)) != NULL && sp->len == 33) {
		memcpy(x, sp->pub + 1, 32);
		return 1;
	}
	return 0;
}

static int
leaf_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct tapleaf_keys *m = arg;
	uint8_t x[32];

	if (is_hash ? !find_tap_pubkey(m->wk, p, x) : n != 32)
		return -1;
	m->k = xreallocarray(m->k, m->n + 1, sizeof(*m->k));
	memcpy(m->k[m->n], is_hash ? x : p, 32);
	return (int)m->n++;
}

static int
leaf_cmp(void *arg, size_t a, size_t b)
{
	struct tapleaf_keys *m = arg;

	return memcmp(m->k[a], m->k[b], 32);
}

static void
sign_leaf_tree(struct walk *wk, const struct tapleaf_keys *m,
    const struct ms_node *n, const uint8_t lh[32])
{
	size_t i;

	for (i = 0; i < n->nsubs; i++)
		sign_leaf_tree(wk, m, n->subs[i], lh);
	/* multi_a asks for its keys from the last one. */
	for (i = 0; i < n->nkeys; i++) {
		size_t j = n->frag == MS_MULTI_A ? n->nkeys - 1 - i : i;

		sign_leaf_key(wk, m->k[n->keys[j]], lh);
	}
}

/* CreateTaprootScriptSig for every key of a tapscript Miniscript leaf. */
static void
sign_leaf(struct walk *wk, const uint8_t *s, size_t len)
{
	struct psbt_tapkeys tk;
	struct tapleaf_keys m = { wk, NULL, 0 };
	struct ms_node *n;
	uint8_t lh[32];
	size_t i;

	script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, s, len, lh);
	if (psbt_tapleaf_keys(s, len, &tk)) {
		/* Miniscript asks for the keys from the last one. */
		for (i = tk.n; i-- > 0;)
			sign_leaf_key(wk, tk.key[i], lh);
		free(tk.key);
		return;
	}
	/* Any other Miniscript leaf: each key in its satisfier's order. */
	n = ms_decode(s, len, MS_TAPSCRIPT, leaf_key, &m, leaf_cmp);
	if (n != NULL)
		sign_leaf_tree(wk, &m, n, lh);
	ms_free(n);
	free(m.k);
}

/* Whether the leaf (script, version) is among the records already. */
static int
has_leaf(const struct psbt_map *m, const struct sleaf *l)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].vlen == l->len + 1 &&
		    m->r[i].val[l->len] == l->ver &&
		    memcmp(m->r[i].val, l->script, l->len) == 0)
			return 1;
	return 0;
}

/* Core's SignTaproot for output key x (TaprootSpendData merged in). */
static void
sign_taproot(struct walk *wk, const uint8_t x[32])
{
	const struct stree *t = sign_provider_taproot(wk->p, x);
	uint8_t sig[65], *val;
	size_t i, siglen;

	wk->tree = t;
	if (t != NULL) {
		if (psbt_is_zero32(wk->tap_internal))
			memcpy(wk->tap_internal, t->internal, 32);
		if (wk->tap_root != NULL && psbt_is_zero32(wk->tap_root) &&
		    t->have_root)
			memcpy(wk->tap_root, t->root, 32);
		/* m_tap_scripts.emplace: a leaf known already keeps its blocks. */
		for (i = 0; i < t->n; i++) {
			const struct sleaf *l = &t->leaves[i];

			if (has_leaf(wk->tap_leaves, l))
				continue;
			val = xmalloc(l->len + 1);
			memcpy(val, l->script, l->len);
			val[l->len] = l->ver;
			add_rec(wk->tap_leaves, PSBT_IN_TAP_LEAF_SCRIPT,
			    l->control, l->clen, val, l->len + 1);
			free(val);
		}
	}
	/* Key path: the internal key tweaked, else the output key itself. */
	if (!psbt_is_zero32(wk->tap_internal))
		note_tap_origin(wk, wk->tap_internal, NULL);
	if (wk->tap_key_sig != NULL && *wk->tap_key_sig_len == 0) {
		if (schnorr_sig(wk, wk->tap_internal, NULL, 1, wk->tap_root,
			sig, &siglen) ||
		    schnorr_sig(wk, x, NULL, 0, NULL, sig, &siglen)) {
			memcpy(wk->tap_key_sig, sig, siglen);
			*wk->tap_key_sig_len = siglen;
		}
	}
	if (wk->tap_key_sig != NULL && *wk->tap_key_sig_len > 0)
		return;
	/* Script paths: each leaf, in Core's order of the leaves. */
	for (i = 0; i < wk->tap_leaves->n; i++) {
		const struct psbt_rec *r = &wk->tap_leaves->r[i];

		if (i > 0 && r->vlen == wk->tap_leaves->r[i - 1].vlen &&
		    memcmp(r->val, wk->tap_leaves->r[i - 1].val, r->vlen) == 0)
			continue;
		if (r->val[r->vlen - 1] == TAPROOT_LEAF_TAPSCRIPT)
			sign_leaf(wk, r->val, r->vlen - 1);
	}
}

/* Core's ProduceSignature walk, gathering only. */
static void
produce(struct walk *wk, const uint8_t *spk, size_t spk_len)
{
	struct script_solution sol;
	const uint8_t *s = spk, *sub;
	size_t len = spk_len, sublen;
	uint8_t id[20];
	int p2sh = 0;

	switch (script_solve(s, len, &sol)) {
	case SCRIPT_SCRIPTHASH:
		if (!find_script(wk, sol.item[0], &sub, &sublen))
			return;
		/* The redeem script is set when empty (FromSignatureData). */
		if (*wk->redeem_len == 0) {
			uint8_t *c = psbt_dup(sub, sublen);

			free(*wk->redeem); /* empty, maybe allocated */
			*wk->redeem = c;
			*wk->redeem_len = sublen;
			sub = c;
		}
		s = sub;
		len = sublen;
		p2sh = 1;
		break;
	default: break;
	}
	switch (script_solve(s, len, &sol)) {
	case SCRIPT_WITNESS_V0_KEYHASH:
		wk->witness = 1;
		sign_keys(wk, s, len, 1);
		break;
	case SCRIPT_WITNESS_V0_SCRIPTHASH:
		ripemd160(sol.item[0], 32, id);
		if (!find_script(wk, id, &sub, &sublen))
			return;
		wk->witness = 1;
		if (*wk->wscript_len == 0) {
			uint8_t *c = psbt_dup(sub, sublen);

			free(*wk->wscript); /* empty, maybe allocated */
			*wk->wscript = c;
			*wk->wscript_len = sublen;
			sub = c;
		}
		sign_keys(wk, sub, sublen, 1);
		if (script_solve(sub, sublen, &sol) == SCRIPT_NONSTANDARD)
			sign_miniscript(wk, sub, sublen);
		break;
	case SCRIPT_WITNESS_V1_TAPROOT:
		if (p2sh)
			return;
		wk->witness = 1;
		sign_taproot(wk, sol.item[0]);
		break;
	case SCRIPT_SCRIPTHASH: break;
	default: sign_keys(wk, s, len, 0); break;
	}
}

/* The tap_bip32_derivs records gathered: leaf hashes, then the origin. */
static void
put_tap_origins(struct walk *wk, uint8_t type)
{
	struct wbuf v;
	size_t i, j, a;

	for (i = 0; i < wk->ntk; i++) {
		struct tapkey *t = &wk->tk[i];

		/* A std::set: sorted. */
		for (j = 1; j < t->nleaf; j++)
			for (a = j; a > 0 &&
			     memcmp(t->leaf[a - 1], t->leaf[a], 32) > 0;
			     a--) {
				uint8_t tmp[32];

				memcpy(tmp, t->leaf[a], 32);
				memcpy(t->leaf[a], t->leaf[a - 1], 32);
				memcpy(t->leaf[a - 1], tmp, 32);
			}
		wbuf_init(&v);
		wbuf_put_compact(&v, t->nleaf);
		for (j = 0; j < t->nleaf; j++)
			wbuf_put(&v, t->leaf[j], 32);
		put_origin(&v, t->origin);
		add_rec(wk->tap_keypaths, type, t->x, 32, v.p, v.len);
		wbuf_free(&v);
		free(t->leaf);
	}
	free(wk->tk);
	wk->tk = NULL;
	wk->ntk = 0;
}

/*
 * Core's SignPSBTInput with a provider (psbt.h): a walk over a copy of
 * the input, kept unless a witness UTXO alone vouches for the amount and
 * no witness spend was found.
 */
static int
sign_input(struct psbt *p, size_t i, const struct script_txdata *td,
    const struct sign_provider *sp, int sign, int sighash, int hide_origin,
    int finalize)
{
	struct psbt_input orig, *w = &p->in[i];
	struct txout utxo;
	struct walk wk;
	int complete;

	if (psbt_input_verified(p, i, td))
		return 1;
	if (!psbt_input_utxo(p, i, &utxo))
		return 0;
	psbt_input_copy(&orig, w, 0);
	memset(&wk, 0, sizeof(wk));
	wk.p = sp;
	wk.can_sign = sign;
	wk.hide_origin = hide_origin;
	wk.tx = &p->tx;
	wk.nin = i;
	wk.amount = utxo.value;
	wk.sighash = sighash;
	wk.td = td;
	wk.sigs = &w->sigs;
	wk.keypaths = &w->keypaths;
	wk.keypath_type = PSBT_IN_BIP32_DERIVATION;
	wk.tap_sigs = &w->tap_sigs;
	wk.tap_leaves = &w->tap_leaves;
	wk.tap_keypaths = &w->tap_keypaths;
	wk.redeem = &w->redeem;
	wk.redeem_len = &w->redeem_len;
	wk.wscript = &w->wscript;
	wk.wscript_len = &w->wscript_len;
	wk.tap_internal = w->tap_internal;
	wk.tap_root = w->tap_merkle_root;
	wk.tap_key_sig = w->tap_key_sig;
	wk.tap_key_sig_len = &w->tap_key_sig_len;
	/* utxo borrows from the input: walk a copy of the script. */
	{
		uint8_t *spk = psbt_dup(utxo.script, utxo.script_len);

		produce(&wk, spk, utxo.script_len);
		free(spk);
	}
	put_tap_origins(&wk, PSBT_IN_TAP_BIP32_DERIVATION);
	/* require_witness_sig: Core leaves the input untouched. */
	if (!w->have_nwu && !wk.witness) {
		psbt_input_free(w);
		*w = orig;
		return 0;
	}
	psbt_input_free(&orig);
	complete = psbt_input_finish(p, i, td, finalize);
	return complete;
}

/*
 * PSBTOutput::FillSignatureData's spend data: the leaves of the output's
 * own tree (with its internal key), whose keys the walk then visits. The
 * control blocks are not needed for that: only the leaves are recorded.
 */
static void
tree_leaves(const struct psbt_output *o, struct psbt_map *m)
{
	struct rbuf r;
	uint8_t depth, ver, key[34], *val;
	uint64_t len;
	const uint8_t *s;
	size_t n = 0;

	if (o->tap_tree_len == 0 || psbt_is_zero32(o->tap_internal))
		return;
	rbuf_init(&r, o->tap_tree, o->tap_tree_len);
	/* The parser checked the encoding. */
	while (rbuf_left(&r) > 0 && rbuf_get_u8(&r, &depth) == 0 &&
	    rbuf_get_u8(&r, &ver) == 0 && rbuf_get_compact(&r, &len) == 0 &&
	    (s = rbuf_ptr(&r, len)) != NULL) {
		/* One distinct key per leaf: its index. */
		key[0] = PSBT_IN_TAP_LEAF_SCRIPT;
		memset(key + 1, 0, 33);
		key[1] = ver;
		key[2] = (uint8_t)n;
		key[3] = (uint8_t)(n >> 8);
		n++;
		val = xmalloc(len + 1);
		memcpy(val, s, len);
		val[len] = ver;
		(void)psbt_map_add(m, key, sizeof(key), val, len + 1);
		free(val);
	}
}

/*
 * Core's UpdatePSBTOutput: a would-be spend of the output, walked for
 * its scripts, key origins and taproot data (no signatures).
 */
static void
update_output(struct psbt *p, size_t i, const struct sign_provider *sp,
    int hide_origin)
{
	struct psbt_output *o = &p->out[i];
	const struct txout *out = &p->tx.vout[i];
	struct psbt_input tmp; /* the fields an output lacks, thrown away */
	uint8_t root[32];
	struct walk wk;
	size_t j;

	memset(&wk, 0, sizeof(wk));
	psbt_init_input(&tmp);
	memset(root, 0, sizeof(root));
	wk.p = sp;
	wk.hide_origin = hide_origin;
	wk.tx = &p->tx;
	wk.amount = out->value;
	wk.sighash = SIGHASH_ALL;
	wk.sigs = &tmp.sigs;
	wk.keypaths = &o->keypaths;
	wk.keypath_type = PSBT_OUT_BIP32_DERIVATION;
	wk.tap_sigs = &tmp.tap_sigs;
	wk.tap_leaves = &tmp.tap_leaves;
	wk.tap_keypaths = &o->tap_keypaths;
	wk.redeem = &o->redeem;
	wk.redeem_len = &o->redeem_len;
	wk.wscript = &o->wscript;
	wk.wscript_len = &o->wscript_len;
	wk.tap_internal = o->tap_internal;
	wk.tap_root = root;
	/* FillSignatureData: the output's own tree gives its leaves. */
	tree_leaves(o, &tmp.tap_leaves);
	produce(&wk, out->script, out->script_len);
	put_tap_origins(&wk, PSBT_OUT_TAP_BIP32_DERIVATION);
	/*
	 * The provider's builder becomes the tree (m_tap_tree): Core's
	 * TaprootBuilder puts the newer node's leaves first when it combines
	 * two, so its leaf list is the descriptor's order reversed.
	 */
	if (wk.tree != NULL && wk.tree->n > 0) {
		struct wbuf t;

		wbuf_init(&t);
		for (j = wk.tree->n; j-- > 0;) {
			wbuf_put_u8(&t, (uint8_t)wk.tree->leaves[j].depth);
			wbuf_put_u8(&t, wk.tree->leaves[j].ver);
			wbuf_put_compact(&t, wk.tree->leaves[j].len);
			wbuf_put(&t, wk.tree->leaves[j].script,
			    wk.tree->leaves[j].len);
		}
		free(o->tap_tree);
		o->tap_tree = wbuf_steal(&t, &o->tap_tree_len);
	}
	psbt_input_free(&tmp);
}

int
psbt_sign(struct psbt *p, const struct sign_provider *sp, int sign,
    int sighash, int bip32derivs, int finalize)
{
	struct script_txdata *td;
	struct txout *spent;
	size_t i;
	int complete = 1;

	td = psbt_precompute(p, &spent);
	for (i = 0; i < p->tx.vin_count; i++) {
		/* ProcessPSBT skips inputs with final scripts. */
		if (psbt_input_is_final(&p->in[i]))
			continue;
		(void)sign_input(p, i, td, sp, sign, sighash, !bip32derivs,
		    finalize);
	}
	for (i = 0; i < p->tx.vout_count; i++)
		update_output(p, i, sp, !bip32derivs);
	for (i = 0; i < p->tx.vin_count; i++)
		complete &= psbt_input_is_final(&p->in[i]);
	if (td != NULL)
		script_txdata_free(td);
	free(spent);
	return complete;
}
