/*
 * PSBT writing, copying and merging as Bitcoin Core 28 does them
 * (PartiallySignedTransaction's Serialize and Merge in Core's psbt.h/.cpp),
 * and the accessors the RPC methods and the finaliser use. Parsing is in
 * psbt.c; see psbt.h for the representation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/hash.h"
#include "crypto/key.h"
#include "script/interpreter.h"
#include "script/script.h"
#include "util/xmalloc.h"
#include "script/psbt.h"
#include "script/psbt_int.h"

/* ---- Serialization ---- */

static void
put_vec(struct wbuf *w, const uint8_t *p, size_t n)
{
	wbuf_put_compact(w, n);
	if (n > 0)
		wbuf_put(w, p, n);
}

static void
put_key1(struct wbuf *w, uint8_t type)
{
	wbuf_put_u8(w, 1);
	wbuf_put_u8(w, type);
}

static void
put_map(struct wbuf *w, const struct psbt_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		put_vec(w, m->r[i].key, m->r[i].klen);
		put_vec(w, m->r[i].val, m->r[i].vlen);
	}
}

/* HD keypaths and preimages write their value as a plain vector too. */
static void
put_tx_value(struct wbuf *w, const struct tx *tx)
{
	struct wbuf t;

	wbuf_init(&t);
	tx_serialize(tx, &t, 0);
	put_vec(w, t.p, t.len);
	wbuf_free(&t);
}

int
psbt_input_is_final(const struct psbt_input *in)
{
	return in->final_sig_len > 0 || in->have_final_wit;
}

static void
put_input(struct wbuf *w, const struct psbt_input *in)
{
	struct wbuf t;

	if (in->have_nwu) {
		put_key1(w, PSBT_IN_NON_WITNESS_UTXO);
		put_tx_value(w, &in->nwu);
	}
	if (in->have_wu && in->wu_value != -1) {
		put_key1(w, PSBT_IN_WITNESS_UTXO);
		wbuf_init(&t);
		wbuf_put_le64(&t, (uint64_t)in->wu_value);
		put_vec(&t, in->wu_script, in->wu_script_len);
		put_vec(w, t.p, t.len);
		wbuf_free(&t);
	}
	if (!psbt_input_is_final(in)) {
		put_map(w, &in->sigs);
		if (in->have_sighash) {
			put_key1(w, PSBT_IN_SIGHASH);
			wbuf_put_u8(w, 4);
			wbuf_put_le32(w, (uint32_t)in->sighash);
		}
		if (in->redeem_len > 0) {
			put_key1(w, PSBT_IN_REDEEMSCRIPT);
			put_vec(w, in->redeem, in->redeem_len);
		}
		if (in->wscript_len > 0) {
			put_key1(w, PSBT_IN_WITNESSSCRIPT);
			put_vec(w, in->wscript, in->wscript_len);
		}
		put_map(w, &in->keypaths);
		put_map(w, &in->ripemd160);
		put_map(w, &in->sha256);
		put_map(w, &in->hash160);
		put_map(w, &in->hash256);
		if (in->tap_key_sig_len > 0) {
			put_key1(w, PSBT_IN_TAP_KEY_SIG);
			put_vec(w, in->tap_key_sig, in->tap_key_sig_len);
		}
		put_map(w, &in->tap_sigs);
		put_map(w, &in->tap_leaves);
		put_map(w, &in->tap_keypaths);
		if (!psbt_is_zero32(in->tap_internal)) {
			put_key1(w, PSBT_IN_TAP_INTERNAL_KEY);
			put_vec(w, in->tap_internal, 32);
		}
		if (!psbt_is_zero32(in->tap_merkle_root)) {
			put_key1(w, PSBT_IN_TAP_MERKLE_ROOT);
			put_vec(w, in->tap_merkle_root, 32);
		}
	}
	if (in->final_sig_len > 0) {
		put_key1(w, PSBT_IN_SCRIPTSIG);
		put_vec(w, in->final_sig, in->final_sig_len);
	}
	if (in->have_final_wit) {
		put_key1(w, PSBT_IN_SCRIPTWITNESS);
		put_vec(w, in->final_wit, in->final_wit_len);
	}
	put_map(w, &in->proprietary);
	put_map(w, &in->unknown);
	wbuf_put_u8(w, 0);
}

static void
put_output(struct wbuf *w, const struct psbt_output *o)
{
	if (o->redeem_len > 0) {
		put_key1(w, PSBT_OUT_REDEEMSCRIPT);
		put_vec(w, o->redeem, o->redeem_len);
	}
	if (o->wscript_len > 0) {
		put_key1(w, PSBT_OUT_WITNESSSCRIPT);
		put_vec(w, o->wscript, o->wscript_len);
	}
	put_map(w, &o->keypaths);
	/* Core 28 writes an output's proprietary records here. */
	put_map(w, &o->proprietary);
	if (!psbt_is_zero32(o->tap_internal)) {
		put_key1(w, PSBT_OUT_TAP_INTERNAL_KEY);
		put_vec(w, o->tap_internal, 32);
	}
	if (o->tap_tree_len > 0) {
		put_key1(w, PSBT_OUT_TAP_TREE);
		put_vec(w, o->tap_tree, o->tap_tree_len);
	}
	put_map(w, &o->tap_keypaths);
	put_map(w, &o->unknown);
	wbuf_put_u8(w, 0);
}

void
psbt_serialize(const struct psbt *p, struct wbuf *w)
{
	static const uint8_t magic[5] = { 'p', 's', 'b', 't', 0xff };
	size_t i;

	wbuf_put(w, magic, 5);
	put_key1(w, PSBT_GLOBAL_UNSIGNED_TX);
	put_tx_value(w, &p->tx);
	put_map(w, &p->xpubs);
	/* Core writes the version only when above 0. */
	if (p->have_version && p->version > 0) {
		put_key1(w, PSBT_GLOBAL_VERSION);
		wbuf_put_u8(w, 4);
		wbuf_put_le32(w, p->version);
	}
	put_map(w, &p->proprietary);
	put_map(w, &p->unknown);
	wbuf_put_u8(w, 0);
	for (i = 0; i < p->tx.vin_count; i++)
		put_input(w, &p->in[i]);
	for (i = 0; i < p->tx.vout_count; i++)
		put_output(w, &p->out[i]);
}

/* ---- Lifetime ---- */

void
psbt_input_free(struct psbt_input *in)
{
	if (in->have_nwu) {
		tx_free(&in->nwu);
	}
	free(in->wu_script);
	free(in->redeem);
	free(in->wscript);
	free(in->final_sig);
	free(in->final_wit);
	psbt_map_clear(&in->sigs);
	psbt_map_clear(&in->keypaths);
	psbt_map_clear(&in->ripemd160);
	psbt_map_clear(&in->sha256);
	psbt_map_clear(&in->hash160);
	psbt_map_clear(&in->hash256);
	psbt_map_clear(&in->tap_sigs);
	psbt_map_clear(&in->tap_leaves);
	psbt_map_clear(&in->tap_keypaths);
	psbt_map_clear(&in->proprietary);
	psbt_map_clear(&in->unknown);
}

static void
free_output(struct psbt_output *o)
{
	free(o->redeem);
	free(o->wscript);
	free(o->tap_tree);
	psbt_map_clear(&o->keypaths);
	psbt_map_clear(&o->tap_keypaths);
	psbt_map_clear(&o->proprietary);
	psbt_map_clear(&o->unknown);
}

void
psbt_free(struct psbt *p)
{
	size_t i;

	if (p->in != NULL)
		for (i = 0; i < p->tx.vin_count; i++)
			psbt_input_free(&p->in[i]);
	if (p->out != NULL)
		for (i = 0; i < p->tx.vout_count; i++)
			free_output(&p->out[i]);
	free(p->in);
	free(p->out);
	tx_free(&p->tx);
	psbt_map_clear(&p->xpubs);
	psbt_map_clear(&p->proprietary);
	psbt_map_clear(&p->unknown);
	psbt_init(p);
}

void
psbt_from_tx(struct psbt *p, const struct tx *tx)
{
	struct tx t = *tx;
	size_t i;

	psbt_init(p);
	/* Core's PartiallySignedTransaction(CMutableTransaction) clears them. */
	t.vin = xcalloc(tx->vin_count + 1, sizeof(*t.vin));
	for (i = 0; i < tx->vin_count; i++) {
		t.vin[i] = tx->vin[i];
		t.vin[i].script = NULL;
		t.vin[i].script_len = 0;
		t.vin[i].wit = NULL;
		t.vin[i].wit_count = 0;
	}
	tx_copy(&p->tx, &t);
	free(t.vin);
	p->in = xcalloc(p->tx.vin_count + 1, sizeof(*p->in));
	p->out = xcalloc(p->tx.vout_count + 1, sizeof(*p->out));
	for (i = 0; i < p->tx.vin_count; i++)
		psbt_init_input(&p->in[i]);
	for (i = 0; i < p->tx.vout_count; i++)
		psbt_init_output(&p->out[i]);
}

void
psbt_copy(struct psbt *dst, const struct psbt *src)
{
	struct wbuf w;
	char err[8];

	/* Our own bytes parse back (a round trip is the simplest deep copy). */
	wbuf_init(&w);
	psbt_serialize(src, &w);
	if (psbt_parse(w.p, w.len, dst, err, sizeof(err)) == -1)
		abort();
	/* Fields Core keeps in memory but does not write back. */
	dst->have_version = src->have_version;
	dst->version = src->version;
	wbuf_free(&w);
}

/* ---- Combining ---- */

static void
merge_bytes(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t slen)
{
	if (*dlen == 0 && slen > 0)
		psbt_set_bytes(dst, dlen, src, slen);
}

static void
merge_input(struct psbt_input *d, const struct psbt_input *s)
{
	size_t i, j, n0 = d->tap_leaves.n;
	int known;

	if (!d->have_nwu && s->have_nwu) {
		tx_copy(&d->nwu, &s->nwu);
		d->have_nwu = 1;
	}
	if ((!d->have_wu || d->wu_value == -1) && s->have_wu &&
	    s->wu_value != -1) {
		d->have_wu = 1;
		d->wu_value = s->wu_value;
		psbt_set_bytes(&d->wu_script, &d->wu_script_len, s->wu_script,
		    s->wu_script_len);
	}
	psbt_map_merge(&d->sigs, &s->sigs);
	psbt_map_merge(&d->ripemd160, &s->ripemd160);
	psbt_map_merge(&d->sha256, &s->sha256);
	psbt_map_merge(&d->hash160, &s->hash160);
	psbt_map_merge(&d->hash256, &s->hash256);
	psbt_map_merge(&d->keypaths, &s->keypaths);
	psbt_map_merge(&d->unknown, &s->unknown);
	psbt_map_merge(&d->tap_sigs, &s->tap_sigs);
	/*
	 * m_tap_scripts.insert: a leaf (script, version) dst already has
	 * keeps its own set of control blocks.
	 */
	for (i = 0; i < s->tap_leaves.n; i++) {
		const struct psbt_rec *r = &s->tap_leaves.r[i];

		known = 0;
		for (j = 0; j < n0 && !known; j++) {
			const struct psbt_rec *q = &d->tap_leaves.r[j];

			known = q->vlen == r->vlen &&
			    memcmp(q->val, r->val, r->vlen) == 0;
		}
		if (!known)
			psbt_map_add(&d->tap_leaves, r->key, r->klen, r->val,
			    r->vlen);
	}
	psbt_map_merge(&d->tap_keypaths, &s->tap_keypaths);
	merge_bytes(&d->redeem, &d->redeem_len, s->redeem, s->redeem_len);
	merge_bytes(&d->wscript, &d->wscript_len, s->wscript, s->wscript_len);
	merge_bytes(&d->final_sig, &d->final_sig_len, s->final_sig,
	    s->final_sig_len);
	if (!d->have_final_wit && s->have_final_wit) {
		psbt_set_bytes(&d->final_wit, &d->final_wit_len, s->final_wit,
		    s->final_wit_len);
		d->have_final_wit = 1;
	}
	if (d->tap_key_sig_len == 0 && s->tap_key_sig_len > 0) {
		memcpy(d->tap_key_sig, s->tap_key_sig, s->tap_key_sig_len);
		d->tap_key_sig_len = s->tap_key_sig_len;
	}
	if (psbt_is_zero32(d->tap_internal))
		memcpy(d->tap_internal, s->tap_internal, 32);
	if (psbt_is_zero32(d->tap_merkle_root))
		memcpy(d->tap_merkle_root, s->tap_merkle_root, 32);
}

static void
merge_output(struct psbt_output *d, const struct psbt_output *s)
{
	psbt_map_merge(&d->keypaths, &s->keypaths);
	psbt_map_merge(&d->unknown, &s->unknown);
	psbt_map_merge(&d->tap_keypaths, &s->tap_keypaths);
	merge_bytes(&d->redeem, &d->redeem_len, s->redeem, s->redeem_len);
	merge_bytes(&d->wscript, &d->wscript_len, s->wscript, s->wscript_len);
	if (psbt_is_zero32(d->tap_internal))
		memcpy(d->tap_internal, s->tap_internal, 32);
	merge_bytes(&d->tap_tree, &d->tap_tree_len, s->tap_tree,
	    s->tap_tree_len);
}

int
psbt_merge(struct psbt *dst, const struct psbt *src)
{
	size_t i;

	if (memcmp(dst->tx.txid, src->tx.txid, 32) != 0)
		return -1;
	for (i = 0; i < dst->tx.vin_count; i++)
		merge_input(&dst->in[i], &src->in[i]);
	for (i = 0; i < dst->tx.vout_count; i++)
		merge_output(&dst->out[i], &src->out[i]);
	psbt_map_merge(&dst->xpubs, &src->xpubs);
	psbt_map_merge(&dst->unknown, &src->unknown);
	return 0;
}

/* ---- Views ---- */

int
psbt_input_utxo(const struct psbt *p, size_t i, struct txout *out)
{
	const struct psbt_input *in = &p->in[i];
	uint32_t n = p->tx.vin[i].prevout.n;

	if (in->have_nwu) {
		if (n >= in->nwu.vout_count)
			return 0;
		*out = in->nwu.vout[n];
		return 1;
	}
	if (in->have_wu && in->wu_value != -1) {
		out->value = in->wu_value;
		out->script = in->wu_script;
		out->script_len = in->wu_script_len;
		return 1;
	}
	return 0;
}

struct witem *
psbt_final_witness(const struct psbt_input *in, size_t *n)
{
	struct witem *items;
	struct rbuf r;
	uint64_t count, i, len;

	*n = 0;
	if (!in->have_final_wit)
		return NULL;
	rbuf_init(&r, in->final_wit, in->final_wit_len);
	/* Checked when parsed or built here. */
	if (rbuf_get_compact(&r, &count) == -1)
		return NULL;
	items = xcalloc(count + 1, sizeof(*items));
	for (i = 0; i < count; i++) {
		if (rbuf_get_compact(&r, &len) == -1)
			break;
		items[i].len = len;
		items[i].p = rbuf_ptr(&r, len);
	}
	*n = i;
	return items;
}

void
psbt_input_clear_partial(struct psbt_input *in)
{
	/* Core's FinalizePSBT keeps the UTXOs and unknowns only. */
	psbt_map_clear(&in->sigs);
	psbt_map_clear(&in->keypaths);
	psbt_map_clear(&in->ripemd160);
	psbt_map_clear(&in->sha256);
	psbt_map_clear(&in->hash160);
	psbt_map_clear(&in->hash256);
	psbt_map_clear(&in->tap_sigs);
	psbt_map_clear(&in->tap_leaves);
	psbt_map_clear(&in->tap_keypaths);
	free(in->redeem);
	free(in->wscript);
	in->redeem = in->wscript = NULL;
	in->redeem_len = in->wscript_len = 0;
	in->have_sighash = 0;
	in->tap_key_sig_len = 0;
	memset(in->tap_internal, 0, 32);
	memset(in->tap_merkle_root, 0, 32);
}

void
psbt_input_copy(struct psbt_input *dst, const struct psbt_input *src,
    int for_join)
{
	psbt_init_input(dst);
	merge_input(dst, src);
	/* What Merge leaves out but a copy keeps. */
	dst->have_sighash = src->have_sighash;
	dst->sighash = src->sighash;
	psbt_map_merge(&dst->proprietary, &src->proprietary);
	if (for_join) {
		/* PartiallySignedTransaction::AddInput */
		psbt_map_clear(&dst->sigs);
		free(dst->final_sig);
		free(dst->final_wit);
		dst->final_sig = dst->final_wit = NULL;
		dst->final_sig_len = dst->final_wit_len = 0;
		dst->have_final_wit = 0;
	}
}

void
psbt_output_copy(struct psbt_output *dst, const struct psbt_output *src)
{
	psbt_init_output(dst);
	merge_output(dst, src);
	psbt_map_merge(&dst->proprietary, &src->proprietary);
}

void
psbt_input_set_nwu(struct psbt_input *in, const struct tx *t)
{
	struct tx copy = *t;
	size_t i;

	if (in->have_nwu)
		tx_free(&in->nwu);
	/* Kept without witnesses, as Core writes it. */
	copy.vin = xcalloc(t->vin_count + 1, sizeof(*copy.vin));
	for (i = 0; i < t->vin_count; i++) {
		copy.vin[i] = t->vin[i];
		copy.vin[i].wit = NULL;
		copy.vin[i].wit_count = 0;
	}
	tx_copy(&in->nwu, &copy);
	free(copy.vin);
	in->have_nwu = 1;
}
