/*
 * The PSBT methods of Bitcoin Core 28 that need no wallet: createpsbt,
 * decodepsbt, combinepsbt, finalizepsbt, converttopsbt, joinpsbts,
 * utxoupdatepsbt and descriptorprocesspsbt. The format lives in script/psbt.c (parsing, merging,
 * finalising); this file reads the parameters, asks the pool and the UTXO
 * set for spent outputs (utxoupdatepsbt) and words the answers as Core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/base58.h"
#include "consensus/consensus.h"
#include "mempool/mempool.h"
#include "mempool/policy.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "chain/descriptor.h"
#include "script/psbt.h"
#include "script/script.h"
#include "script/sign.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* Core's DecodeBase64PSBT, worded as its callers word a failure. */
static int
decode_psbt(const json_t *v, struct psbt *p, struct rpc_error *err)
{
	char msg[256];
	char *raw;
	size_t len;
	int rc;

	if (!json_is_string(v)) {
		rpc_fail_type(err, v, "string");
		return -1;
	}
	if ((raw = rpc_base64_decode(json_string_value(v), &len)) == NULL) {
		rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode failed invalid base64");
		return -1;
	}
	rc = psbt_parse((const uint8_t *)raw, len, p, msg, sizeof(msg));
	free(raw);
	if (rc == -1) {
		rpc_fail(err, RPC_DESERIALIZATION_ERROR, "TX decode failed %s",
		    msg);
		return -1;
	}
	return 0;
}

static json_t *
encode_psbt(const struct psbt *p)
{
	struct wbuf w;
	json_t *j;
	char *b64;

	wbuf_init(&w);
	psbt_serialize(p, &w);
	b64 = xmalloc((w.len + 2) / 3 * 4 + 1);
	rpc_base64_encode(w.p, w.len, b64);
	j = json_string(b64);
	free(b64);
	wbuf_free(&w);
	return j;
}

/* ---- decodepsbt ---- */

/* Core's WriteHDKeypath ("m/0h/1"), from a fingerprint-and-path value. */
static json_t *
origin_json(const char *pkname, const uint8_t *pk, size_t pklen,
    const uint8_t *v, size_t vlen)
{
	json_t *o = json_object();
	char buf[16];
	size_t i, n = 1;
	uint32_t idx;
	char *path = xmalloc(vlen / 4 * 12 + 2);

	if (pkname != NULL)
		json_object_set_new(o, pkname, rpc_hex_json(pk, pklen));
	json_object_set_new(o, "master_fingerprint", rpc_hex_json(v, 4));
	path[0] = 'm';
	path[1] = '\0';
	for (i = 4; i + 4 <= vlen; i += 4) {
		idx = le32_read(v + i);
		n += (size_t)snprintf(buf, sizeof(buf), "/%u%s",
		    idx & 0x7fffffffu, (idx & 0x80000000u) ? "h" : "");
		strcat(path, buf);
	}
	(void)n;
	json_object_set_new(o, "path", json_string(path));
	free(path);
	return o;
}

static json_t *
keypaths_json(const struct psbt_map *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < m->n; i++)
		json_array_append_new(a,
		    origin_json("pubkey", m->r[i].key + 1, m->r[i].klen - 1,
			m->r[i].val, m->r[i].vlen));
	return a;
}

static json_t *
tap_keypaths_json(const struct psbt_map *m)
{
	json_t *a = json_array(), *o, *hs;
	struct rbuf r;
	uint64_t n, j;
	size_t i;

	for (i = 0; i < m->n; i++) {
		rbuf_init(&r, m->r[i].val, m->r[i].vlen);
		/* Re-encoded when parsed: well formed. */
		if (rbuf_get_compact(&r, &n) == -1)
			continue;
		hs = json_array();
		for (j = 0; j < n; j++)
			json_array_append_new(hs,
			    rpc_hex_json(rbuf_ptr(&r, 32), 32));
		o = origin_json("pubkey", m->r[i].key + 1, 32, r.p + r.off,
		    rbuf_left(&r));
		json_object_set_new(o, "leaf_hashes", hs);
		json_array_append_new(a, o);
	}
	return a;
}

/* {hex(key minus type): hex(value)}, as Core's preimage maps print. */
static json_t *
preimages_json(const struct psbt_map *m)
{
	json_t *o = json_object();
	char *k;
	size_t i;

	for (i = 0; i < m->n; i++) {
		k = hex_encode_alloc(m->r[i].key + 1, m->r[i].klen - 1);
		json_object_set_new(o, k,
		    rpc_hex_json(m->r[i].val, m->r[i].vlen));
		free(k);
	}
	return o;
}

static json_t *
unknown_json(const struct psbt_map *m)
{
	json_t *o = json_object();
	char *k;
	size_t i;

	for (i = 0; i < m->n; i++) {
		k = hex_encode_alloc(m->r[i].key, m->r[i].klen);
		json_object_set_new(o, k,
		    rpc_hex_json(m->r[i].val, m->r[i].vlen));
		free(k);
	}
	return o;
}

static json_t *
proprietary_json(const struct psbt_map *m)
{
	json_t *a = json_array(), *o;
	struct rbuf r;
	uint64_t type, idlen, sub;
	size_t i;

	for (i = 0; i < m->n; i++) {
		rbuf_init(&r, m->r[i].key, m->r[i].klen);
		/* Checked when parsed. */
		if (rbuf_get_compact(&r, &type) == -1 ||
		    rbuf_get_compact(&r, &idlen) == -1)
			continue;
		o = json_object();
		json_object_set_new(o, "identifier",
		    rpc_hex_json(rbuf_ptr(&r, idlen), idlen));
		if (rbuf_get_compact(&r, &sub) == -1)
			sub = 0;
		json_object_set_new(o, "subtype",
		    json_integer((json_int_t)sub));
		json_object_set_new(o, "key",
		    rpc_hex_json(m->r[i].key, m->r[i].klen));
		json_object_set_new(o, "value",
		    rpc_hex_json(m->r[i].val, m->r[i].vlen));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
input_json(const struct psbt *p, size_t i, const struct chainparams *cp,
    int64_t *total_in, int *have_all)
{
	const struct psbt_input *in = &p->in[i];
	json_t *o = json_object(), *x, *a;
	struct txout txout;
	struct witem *w;
	size_t j, n;
	char *s;
	int have = 0;

	if (in->have_wu && in->wu_value != -1) {
		x = json_object();
		json_object_set_new(x, "amount", rpc_amount(in->wu_value));
		json_object_set_new(x, "scriptPubKey",
		    rpc_script_pubkey_json(in->wu_script, in->wu_script_len,
			cp, 1, 1));
		json_object_set_new(o, "witness_utxo", x);
		txout.value = in->wu_value;
		have = 1;
	}
	if (in->have_nwu) {
		txout = in->nwu.vout[p->tx.vin[i].prevout.n];
		json_object_set_new(o, "non_witness_utxo",
		    rpc_tx_json(&in->nwu, cp, 0));
		have = 1;
	}
	if (have) {
		if (consensus_money_range(txout.value) &&
		    consensus_money_range(*total_in + txout.value))
			*total_in += txout.value;
		else
			*have_all = 0;
	} else {
		*have_all = 0;
	}
	if (in->sigs.n > 0) {
		x = json_object();
		for (j = 0; j < in->sigs.n; j++) {
			s = hex_encode_alloc(in->sigs.r[j].key + 1,
			    in->sigs.r[j].klen - 1);
			json_object_set_new(x, s,
			    rpc_hex_json(in->sigs.r[j].val,
				in->sigs.r[j].vlen));
			free(s);
		}
		json_object_set_new(o, "partial_signatures", x);
	}
	if (in->have_sighash)
		json_object_set_new(o, "sighash",
		    json_string(rpc_sighash_name((uint8_t)in->sighash) ?
			    rpc_sighash_name((uint8_t)in->sighash) :
			    ""));
	if (in->redeem_len > 0)
		json_object_set_new(o, "redeem_script",
		    rpc_script_pubkey_json(in->redeem, in->redeem_len, cp, 1,
			0));
	if (in->wscript_len > 0)
		json_object_set_new(o, "witness_script",
		    rpc_script_pubkey_json(in->wscript, in->wscript_len, cp, 1,
			0));
	if (in->keypaths.n > 0)
		json_object_set_new(o, "bip32_derivs",
		    keypaths_json(&in->keypaths));
	if (in->final_sig_len > 0) {
		x = json_object();
		s = rpc_script_asm(in->final_sig, in->final_sig_len, 1);
		json_object_set_new(x, "asm", json_string(s));
		free(s);
		json_object_set_new(x, "hex",
		    rpc_hex_json(in->final_sig, in->final_sig_len));
		json_object_set_new(o, "final_scriptSig", x);
	}
	if (in->have_final_wit) {
		a = json_array();
		w = psbt_final_witness(in, &n);
		for (j = 0; j < n; j++)
			json_array_append_new(a,
			    rpc_hex_json(w[j].p, w[j].len));
		free(w);
		json_object_set_new(o, "final_scriptwitness", a);
	}
	if (in->ripemd160.n > 0)
		json_object_set_new(o, "ripemd160_preimages",
		    preimages_json(&in->ripemd160));
	if (in->sha256.n > 0)
		json_object_set_new(o, "sha256_preimages",
		    preimages_json(&in->sha256));
	if (in->hash160.n > 0)
		json_object_set_new(o, "hash160_preimages",
		    preimages_json(&in->hash160));
	if (in->hash256.n > 0)
		json_object_set_new(o, "hash256_preimages",
		    preimages_json(&in->hash256));
	if (in->tap_key_sig_len > 0)
		json_object_set_new(o, "taproot_key_path_sig",
		    rpc_hex_json(in->tap_key_sig, in->tap_key_sig_len));
	if (in->tap_sigs.n > 0) {
		a = json_array();
		for (j = 0; j < in->tap_sigs.n; j++) {
			const struct psbt_rec *r = &in->tap_sigs.r[j];

			x = json_object();
			json_object_set_new(x, "pubkey",
			    rpc_hex_json(r->key + 1, 32));
			json_object_set_new(x, "leaf_hash",
			    rpc_hex_json(r->key + 33, 32));
			json_object_set_new(x, "sig",
			    rpc_hex_json(r->val, r->vlen));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "taproot_script_path_sigs", a);
	}
	if (in->tap_leaves.n > 0) {
		const struct psbt_rec *r, *prev = NULL;
		json_t *cbs = NULL;

		a = json_array();
		/* One entry per (script, version), its control blocks listed. */
		for (j = 0; j < in->tap_leaves.n; j++) {
			r = &in->tap_leaves.r[j];
			if (prev == NULL || prev->vlen != r->vlen ||
			    memcmp(prev->val, r->val, r->vlen) != 0) {
				x = json_object();
				json_object_set_new(x, "script",
				    rpc_hex_json(r->val, r->vlen - 1));
				json_object_set_new(x, "leaf_ver",
				    json_integer(r->val[r->vlen - 1]));
				cbs = json_array();
				json_object_set_new(x, "control_blocks", cbs);
				json_array_append_new(a, x);
			}
			json_array_append_new(cbs,
			    rpc_hex_json(r->key + 1, r->klen - 1));
			prev = r;
		}
		json_object_set_new(o, "taproot_scripts", a);
	}
	if (in->tap_keypaths.n > 0)
		json_object_set_new(o, "taproot_bip32_derivs",
		    tap_keypaths_json(&in->tap_keypaths));
	{
		static const uint8_t z[32];

		if (memcmp(in->tap_internal, z, 32) != 0)
			json_object_set_new(o, "taproot_internal_key",
			    rpc_hex_json(in->tap_internal, 32));
		if (memcmp(in->tap_merkle_root, z, 32) != 0)
			json_object_set_new(o, "taproot_merkle_root",
			    rpc_hex_json(in->tap_merkle_root, 32));
	}
	if (in->proprietary.n > 0)
		json_object_set_new(o, "proprietary",
		    proprietary_json(&in->proprietary));
	if (in->unknown.n > 0)
		json_object_set_new(o, "unknown", unknown_json(&in->unknown));
	return o;
}

static json_t *
output_json(const struct psbt_output *out, const struct chainparams *cp)
{
	static const uint8_t z[32];
	json_t *o = json_object(), *a, *x;
	struct rbuf r;
	uint8_t depth, ver;
	uint64_t len;

	if (out->redeem_len > 0)
		json_object_set_new(o, "redeem_script",
		    rpc_script_pubkey_json(out->redeem, out->redeem_len, cp, 1,
			0));
	if (out->wscript_len > 0)
		json_object_set_new(o, "witness_script",
		    rpc_script_pubkey_json(out->wscript, out->wscript_len, cp,
			1, 0));
	if (out->keypaths.n > 0)
		json_object_set_new(o, "bip32_derivs",
		    keypaths_json(&out->keypaths));
	if (memcmp(out->tap_internal, z, 32) != 0)
		json_object_set_new(o, "taproot_internal_key",
		    rpc_hex_json(out->tap_internal, 32));
	if (out->tap_tree_len > 0) {
		a = json_array();
		rbuf_init(&r, out->tap_tree, out->tap_tree_len);
		/* Checked when parsed. */
		while (rbuf_get_u8(&r, &depth) == 0 &&
		    rbuf_get_u8(&r, &ver) == 0 &&
		    rbuf_get_compact(&r, &len) == 0) {
			x = json_object();
			json_object_set_new(x, "depth", json_integer(depth));
			json_object_set_new(x, "leaf_ver", json_integer(ver));
			json_object_set_new(x, "script",
			    rpc_hex_json(rbuf_ptr(&r, len), len));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "taproot_tree", a);
	}
	if (out->tap_keypaths.n > 0)
		json_object_set_new(o, "taproot_bip32_derivs",
		    tap_keypaths_json(&out->tap_keypaths));
	if (out->proprietary.n > 0)
		json_object_set_new(o, "proprietary",
		    proprietary_json(&out->proprietary));
	if (out->unknown.n > 0)
		json_object_set_new(o, "unknown", unknown_json(&out->unknown));
	return o;
}

static json_t *
m_decodepsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	json_t *res, *a, *x;
	struct psbt p;
	int64_t total_in = 0, total_out = 0;
	int have_all = 1;
	size_t i;
	char *b58;

	if (decode_psbt(rpc_param(c, 0), &p, err) == -1)
		return NULL;
	res = json_object();
	json_object_set_new(res, "tx", rpc_tx_json(&p.tx, cp, 0));
	a = json_array();
	for (i = 0; i < p.xpubs.n; i++) {
		x = origin_json(NULL, NULL, 0, p.xpubs.r[i].val,
		    p.xpubs.r[i].vlen);
		b58 = base58check_encode(p.xpubs.r[i].key + 1, 78);
		json_object_set_new(x, "xpub", json_string(b58));
		free(b58);
		json_array_append_new(a, x);
	}
	json_object_set_new(res, "global_xpubs", a);
	json_object_set_new(res, "psbt_version", json_integer(p.version));
	json_object_set_new(res, "proprietary",
	    proprietary_json(&p.proprietary));
	json_object_set_new(res, "unknown", unknown_json(&p.unknown));
	a = json_array();
	for (i = 0; i < p.tx.vin_count; i++)
		json_array_append_new(a,
		    input_json(&p, i, cp, &total_in, &have_all));
	json_object_set_new(res, "inputs", a);
	a = json_array();
	for (i = 0; i < p.tx.vout_count; i++) {
		json_array_append_new(a, output_json(&p.out[i], cp));
		if (consensus_money_range(p.tx.vout[i].value) &&
		    consensus_money_range(total_out + p.tx.vout[i].value))
			total_out += p.tx.vout[i].value;
		else
			have_all = 0;
	}
	json_object_set_new(res, "outputs", a);
	if (have_all)
		json_object_set_new(res, "fee",
		    rpc_amount(total_in - total_out));
	psbt_free(&p);
	return res;
}

/* ---- createpsbt, converttopsbt ---- */

static json_t *
m_createpsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	struct outbuf ob;
	struct psbt p;
	struct tx tx;
	json_t *res;

	if (rpc_construct_tx(c, &tx, &ob, err) == -1)
		return NULL;
	psbt_from_tx(&p, &tx);
	rpc_outbuf_free(&ob);
	free(tx.vin);
	res = encode_psbt(&p);
	psbt_free(&p);
	return res;
}

static json_t *
m_converttopsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *wit = rpc_param(c, 2), *res;
	int permit = json_is_true(rpc_param(c, 1));
	int try_witness = wit ? json_is_true(wit) : 1;
	int try_legacy = wit ? !json_is_true(wit) : 1;
	uint8_t *raw = NULL;
	struct psbt p;
	struct tx tx;
	size_t len, i;

	if (hex_decode_alloc(json_string_value(rpc_param(c, 0)), &raw, &len) ==
		-1 ||
	    rpc_decode_tx(raw, len, try_legacy, try_witness, &tx) == -1) {
		free(raw);
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode failed");
	}
	for (i = 0; i < tx.vin_count && !permit; i++)
		if (tx.vin[i].script_len > 0 || tx.vin[i].wit_count > 0) {
			tx_free(&tx);
			free(raw);
			return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
			    "Inputs must not have scriptSigs and "
			    "scriptWitnesses");
		}
	psbt_from_tx(&p, &tx);
	tx_free(&tx);
	free(raw);
	res = encode_psbt(&p);
	psbt_free(&p);
	return res;
}

/* ---- combinepsbt, joinpsbts ---- */

/* Decodes every element of the array param 0; n >= 1 on success. */
static struct psbt *
decode_all(struct rpc_ctx *c, size_t *n, struct rpc_error *err)
{
	json_t *txs = rpc_param(c, 0), *v;
	struct psbt *ps;
	size_t i, j;

	*n = json_array_size(txs);
	ps = xcalloc(*n + 1, sizeof(*ps));
	json_array_foreach (txs, i, v) {
		if (decode_psbt(v, &ps[i], err) == -1) {
			for (j = 0; j < i; j++)
				psbt_free(&ps[j]);
			free(ps);
			return NULL;
		}
	}
	return ps;
}

static void
free_all(struct psbt *ps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		psbt_free(&ps[i]);
	free(ps);
}

static json_t *
m_combinepsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	struct psbt *ps;
	json_t *res = NULL;
	size_t n, i;

	if (json_array_size(rpc_param(c, 0)) == 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Parameter 'txs' cannot be empty");
	if ((ps = decode_all(c, &n, err)) == NULL)
		return NULL;
	for (i = 1; i < n; i++)
		if (psbt_merge(&ps[0], &ps[i]) == -1) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "PSBTs not compatible (different transactions)");
			goto out;
		}
	res = encode_psbt(&ps[0]);
out:
	free_all(ps, n);
	return res;
}

/* CTxIn's operator==: outpoint, scriptSig and sequence. */
static int
same_txin(const struct txin *a, const struct txin *b)
{
	return memcmp(a->prevout.hash, b->prevout.hash, 32) == 0 &&
	    a->prevout.n == b->prevout.n && a->sequence == b->sequence &&
	    a->script_len == b->script_len &&
	    (a->script_len == 0 ||
		memcmp(a->script, b->script, a->script_len) == 0);
}

/* Uniform in [0, n): a Fisher-Yates step (arc4random as FastRandomContext). */
static void
shuffle(size_t *idx, size_t n)
{
	size_t i, j, t;

	for (i = n; i > 1; i--) {
		j = arc4random_uniform((uint32_t)i);
		t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

static json_t *
m_joinpsbts(struct rpc_ctx *c, struct rpc_error *err)
{
	struct psbt *ps, joined;
	struct tx tx;
	struct txin *vin = NULL;
	struct txout *vout = NULL;
	/* Where each joined input and output comes from. */
	size_t *in_src = NULL, *in_idx = NULL, *out_src = NULL,
	       *out_idx = NULL;
	size_t n, i, j, k, nin = 0, nout = 0, *order;
	uint32_t best_version = 1, best_locktime = 0xffffffffu;
	json_t *res = NULL;
	char hex[65];

	if (json_array_size(rpc_param(c, 0)) <= 1)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "At least two PSBTs are required to join PSBTs.");
	if ((ps = decode_all(c, &n, err)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((uint32_t)ps[i].tx.version > best_version)
			best_version = (uint32_t)ps[i].tx.version;
		if (ps[i].tx.locktime < best_locktime)
			best_locktime = ps[i].tx.locktime;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < ps[i].tx.vin_count; j++) {
			for (k = 0; k < nin; k++)
				if (same_txin(&vin[k], &ps[i].tx.vin[j]))
					break;
			if (k < nin) {
				hash_to_hex(ps[i].tx.vin[j].prevout.hash, hex);
				rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Input %s:%u exists in multiple PSBTs",
				    hex, ps[i].tx.vin[j].prevout.n);
				goto out;
			}
			vin = xreallocarray(vin, nin + 1, sizeof(*vin));
			in_src = xreallocarray(in_src, nin + 1,
			    sizeof(size_t));
			in_idx = xreallocarray(in_idx, nin + 1,
			    sizeof(size_t));
			vin[nin] = ps[i].tx.vin[j];
			in_src[nin] = i;
			in_idx[nin++] = j;
		}
		for (j = 0; j < ps[i].tx.vout_count; j++) {
			vout = xreallocarray(vout, nout + 1, sizeof(*vout));
			out_src = xreallocarray(out_src, nout + 1,
			    sizeof(size_t));
			out_idx = xreallocarray(out_idx, nout + 1,
			    sizeof(size_t));
			vout[nout] = ps[i].tx.vout[j];
			out_src[nout] = i;
			out_idx[nout++] = j;
		}
	}
	/* Core shuffles the inputs and the outputs of the joined PSBT. */
	memset(&tx, 0, sizeof(tx));
	tx.version = (int32_t)best_version;
	tx.locktime = best_locktime;
	tx.vin_count = nin;
	tx.vout_count = nout;
	tx.vin = xcalloc(nin + 1, sizeof(*tx.vin));
	tx.vout = xcalloc(nout + 1, sizeof(*tx.vout));
	order = xcalloc(nin + nout + 1, sizeof(*order));
	for (i = 0; i < nin; i++)
		order[i] = i;
	shuffle(order, nin);
	for (i = 0; i < nout; i++)
		order[nin + i] = i;
	shuffle(order + nin, nout);
	for (i = 0; i < nin; i++) {
		tx.vin[i] = vin[order[i]];
		tx.vin[i].wit = NULL;
		tx.vin[i].wit_count = 0;
	}
	for (i = 0; i < nout; i++)
		tx.vout[i] = vout[order[nin + i]];
	psbt_from_tx(&joined, &tx);
	free(tx.vin);
	free(tx.vout);
	for (i = 0; i < nin; i++) {
		k = order[i];
		/*
		 * AddInput keeps the input's fields but its partial
		 * signatures and final scripts.
		 */
		psbt_input_copy(&joined.in[i], &ps[in_src[k]].in[in_idx[k]],
		    1);
	}
	for (i = 0; i < nout; i++) {
		k = order[nin + i];
		psbt_output_copy(&joined.out[i],
		    &ps[out_src[k]].out[out_idx[k]]);
	}
	/* Only the unknown global records reach the shuffled PSBT. */
	for (i = 0; i < n; i++)
		psbt_map_merge(&joined.unknown, &ps[i].unknown);
	free(order);
	res = encode_psbt(&joined);
	psbt_free(&joined);
out:
	free(vin);
	free(vout);
	free(in_src);
	free(in_idx);
	free(out_src);
	free(out_idx);
	free_all(ps, n);
	return res;
}

/* ---- finalizepsbt ---- */

static json_t *
m_finalizepsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *ex = rpc_param(c, 1), *res;
	int extract = ex == NULL || json_is_true(ex), complete;
	struct psbt p;
	struct tx tx;
	struct wbuf w;

	if (decode_psbt(rpc_param(c, 0), &p, err) == -1)
		return NULL;
	complete = psbt_finalize(&p);
	res = json_object();
	if (complete && extract) {
		psbt_extract(&p, &tx);
		wbuf_init(&w);
		tx_serialize(&tx, &w, 1);
		json_object_set_new(res, "hex", rpc_hex_json(w.p, w.len));
		wbuf_free(&w);
		psbt_extract_free(&tx);
	} else {
		json_object_set_new(res, "psbt", encode_psbt(&p));
	}
	json_object_set_new(res, "complete", json_boolean(complete));
	psbt_free(&p);
	return res;
}

/* ---- utxoupdatepsbt ---- */

/*
 * Core's RemoveUnnecessaryTransactions (SIGHASH_ALL): when every input
 * has a witness UTXO of segwit version 1 or above, the non-witness UTXOs
 * add nothing (BIP341 signatures commit to every spent amount).
 */
static void
drop_unneeded_txs(struct psbt *p)
{
	const uint8_t *prog;
	size_t i, plen;
	int ver;

	for (i = 0; i < p->tx.vin_count; i++)
		if (!p->in[i].have_wu || p->in[i].wu_value == -1 ||
		    !script_is_witness_program(p->in[i].wu_script,
			p->in[i].wu_script_len, &ver, &prog, &plen) ||
		    ver == 0)
			return;
	for (i = 0; i < p->tx.vin_count; i++)
		if (p->in[i].have_nwu) {
			tx_free(&p->in[i].nwu);
			p->in[i].have_nwu = 0;
		}
}

/*
 * The whole transaction txid, as Core's ProcessPSBT looks for it: the
 * transaction index (-txindex), then the pool. 1 with *tx (an owned
 * copy), 0 when neither has it, -1 with *err.
 */
static int
find_prev_tx(struct rpc_ctx *c, const uint8_t txid[32], struct tx *tx,
    struct rpc_error *err)
{
	struct store_rtxn *t;
	struct block b;
	struct rbuf r;
	struct tx parsed;
	uint8_t bh[32], *raw = NULL;
	const uint8_t *p;
	uint32_t pos;
	size_t len, i;
	int found = 0;

	if (args_get_bool(rpc_shared(c->rpc)->args, "txindex", 0)) {
		if (rpc_read_begin(c->rpc, &t, err) == -1)
			return -1;
		if (store_get_txindex(t, txid, bh, &pos) == STORE_OK &&
		    store_get_block(t, bh, &p, &len) == STORE_OK)
			raw = xmemdup(p, len);
		store_read_end(t);
		if (raw != NULL && block_parse(raw, len, &b) == 0) {
			for (i = 0; i < b.tx_count && !found; i++)
				if (memcmp(b.txs[i].txid, txid, 32) == 0) {
					tx_copy(tx, &b.txs[i]);
					found = 1;
				}
			block_free(&b);
		}
		free(raw);
		raw = NULL;
		if (found)
			return 1;
	}
	if (rpc_shared(c->rpc)->mp == NULL)
		return 0;
	if (rpc_mempool_tx(c->rpc, txid, &raw, &len, err) != 0)
		return -1;
	if (raw == NULL)
		return 0;
	rbuf_init(&r, raw, len);
	if (tx_parse(&r, &parsed, TX_ALLOW_WITNESS) == 0) {
		tx_copy(tx, &parsed);
		tx_free(&parsed);
		found = 1;
	}
	free(raw);
	return found;
}

/*
 * Core's ProcessPSBT after decoding: each input without a non-witness
 * UTXO gets the whole previous transaction when the transaction index or
 * the pool has it; the others get the coin of a segwit output (as the
 * provider tells, for P2SH) from the UTXO set as their witness UTXO. Then
 * SignPSBTInput and UpdatePSBTOutput with the provider (psbt_sign), and
 * RemoveUnnecessaryTransactions. Returns 1 when complete, 0, or -1 with
 * err.
 */
static int
process_psbt(struct rpc_ctx *c, struct psbt *p, const struct sign_provider *sp,
    int sign, int sighash, int bip32derivs, int finalize,
    struct rpc_error *err)
{
	struct store_rtxn *t;
	struct coin coin;
	struct tx prev;
	size_t i;
	int *need, any = 0, rc, complete = -1;

	need = xcalloc(p->tx.vin_count + 1, sizeof(*need));
	for (i = 0; i < p->tx.vin_count; i++) {
		if (p->in[i].have_nwu)
			continue;
		rc = find_prev_tx(c, p->tx.vin[i].prevout.hash, &prev, err);
		if (rc == -1)
			goto out;
		if (rc == 1 && p->tx.vin[i].prevout.n < prev.vout_count) {
			psbt_input_set_nwu(&p->in[i], &prev);
			tx_free(&prev);
			continue;
		}
		if (rc == 1)
			tx_free(&prev);
		need[i] = 1;
		any = 1;
	}
	if (any) {
		if (rpc_read_begin(c->rpc, &t, err) == -1)
			goto out;
		for (i = 0; i < p->tx.vin_count; i++) {
			if (!need[i] ||
			    store_get_coin(t, &p->tx.vin[i].prevout, &coin) !=
				STORE_OK ||
			    !sign_provider_is_segwit(sp, coin.script,
				coin.script_len))
				continue;
			p->in[i].have_wu = 1;
			p->in[i].wu_value = coin.value;
			psbt_set_bytes(&p->in[i].wu_script,
			    &p->in[i].wu_script_len, coin.script,
			    coin.script_len);
		}
		store_read_end(t);
	}
	complete = psbt_sign(p, sp, sign, sighash, bip32derivs, finalize);
	drop_unneeded_txs(p);
out:
	free(need);
	return complete;
}

/*
 * The provider of Core's EvalDescriptorStringOrObject over every
 * descriptor of arr (with expand_priv): each position's keys, origins
 * and scripts. NULL with err on Core's errors.
 */
static struct sign_provider *
descriptors_provider(struct rpc_ctx *c, const json_t *arr,
    struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	char derr[DESCRIPTOR_ERR_LEN];
	struct sign_provider *sp = sign_provider_new();
	struct descriptor *d;
	const char *text;
	int64_t lo, hi, pos;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		if (rpc_descriptor_object(json_array_get(arr, i), &text, &lo,
			&hi, err) != 0)
			goto fail;
		if (descriptor_parse(cp, text, 0, &d, derr, sizeof(derr)) !=
		    0) {
			rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s", derr);
			goto fail;
		}
		if (!descriptor_is_range(d))
			lo = hi = 0;
		for (pos = lo; pos <= hi; pos++)
			if (descriptor_provide(d, (uint32_t)pos, sp) != 0) {
				rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
				    "Cannot derive script without private "
				    "keys: '%s'",
				    text);
				descriptor_free(d);
				goto fail;
			}
		descriptor_free(d);
	}
	return sp;
fail:
	sign_provider_free(sp);
	return NULL;
}

static json_t *
m_utxoupdatepsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	struct sign_provider *sp = NULL;
	struct psbt p;
	json_t *res = NULL;

	/* Core evaluates the descriptors before it decodes the PSBT. */
	if (rpc_param(c, 1) != NULL &&
	    (sp = descriptors_provider(c, rpc_param(c, 1), err)) == NULL)
		return NULL;
	if (decode_psbt(rpc_param(c, 0), &p, err) == -1) {
		sign_provider_free(sp);
		return NULL;
	}
	/* Core hides the secrets: no signing, origins kept. */
	if (process_psbt(c, &p, sp, 0, SIGHASH_ALL, 1, 0, err) != -1)
		res = encode_psbt(&p);
	sign_provider_free(sp);
	psbt_free(&p);
	return res;
}

/* ---- descriptorprocesspsbt ---- */

static json_t *
m_descriptorprocesspsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	struct sign_provider *sp = NULL;
	const json_t *v;
	struct psbt p;
	struct tx tx;
	struct wbuf w;
	json_t *res = NULL;
	int sighash = SIGHASH_DEFAULT, bip32 = 1, fin = 1, complete;

	/* Core evaluates the descriptors before it decodes the PSBT. */
	if ((sp = descriptors_provider(c, rpc_param(c, 1), err)) == NULL)
		return NULL;
	if ((v = rpc_param(c, 2)) != NULL &&
	    (sighash = rpc_parse_sighash(json_string_value(v))) == -1) {
		sign_provider_free(sp);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "'%s' is not a valid sighash parameter.",
		    json_string_value(v));
	}
	if ((v = rpc_param(c, 3)) != NULL)
		bip32 = json_is_true(v);
	if ((v = rpc_param(c, 4)) != NULL)
		fin = json_is_true(v);
	if (decode_psbt(rpc_param(c, 0), &p, err) == -1) {
		sign_provider_free(sp);
		return NULL;
	}
	complete = process_psbt(c, &p, sp, 1, sighash, bip32, fin, err);
	if (complete != -1) {
		res = encode_psbt(&p);
		res = json_pack("{s:o,s:b}", "psbt", res, "complete",
		    complete);
		if (complete) {
			psbt_extract(&p, &tx);
			wbuf_init(&w);
			tx_serialize(&tx, &w, 1);
			json_object_set_new(res, "hex",
			    rpc_hex_json(w.p, w.len));
			wbuf_free(&w);
			psbt_extract_free(&tx);
		}
	}
	sign_provider_free(sp);
	psbt_free(&p);
	return res;
}

/* ---- analyzepsbt ---- */

/* HASH160s as an array of hex strings. */
static json_t *
ids_json(const uint8_t (*ids)[20], size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, rpc_hex_json(ids[i], 20));
	return a;
}

static json_t *
m_analyzepsbt(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct args *args = rpc_shared(c->rpc)->args;
	struct psbt_analysis a;
	struct psbt p;
	json_t *res, *ins, *in, *miss;
	int64_t vsize, bps;
	size_t i;

	if (decode_psbt(rpc_param(c, 0), &p, err) == -1)
		return NULL;
	psbt_analyze(&p, &a);
	psbt_free(&p);
	res = json_object();
	ins = json_array();
	for (i = 0; i < a.nin; i++) {
		const struct psbt_input_analysis *ia = &a.in[i];

		in = json_object();
		json_object_set_new(in, "has_utxo",
		    json_boolean(ia->has_utxo));
		json_object_set_new(in, "is_final",
		    json_boolean(ia->is_final));
		json_object_set_new(in, "next",
		    json_string(psbt_role_name(ia->next)));
		miss = json_object();
		if (ia->miss.npubkeys > 0)
			json_object_set_new(miss, "pubkeys",
			    ids_json((const uint8_t(*)[20])ia->miss.pubkeys,
				ia->miss.npubkeys));
		if (ia->miss.have_redeem)
			json_object_set_new(miss, "redeemscript",
			    rpc_hex_json(ia->miss.redeem, 20));
		if (ia->miss.have_witness)
			json_object_set_new(miss, "witnessscript",
			    rpc_hex_json(ia->miss.witness, 32));
		if (ia->miss.nsigs > 0)
			json_object_set_new(miss, "signatures",
			    ids_json((const uint8_t(*)[20])ia->miss.sigs,
				ia->miss.nsigs));
		if (json_object_size(miss) > 0)
			json_object_set_new(in, "missing", miss);
		else
			json_decref(miss);
		json_array_append_new(ins, in);
	}
	if (json_array_size(ins) > 0)
		json_object_set_new(res, "inputs", ins);
	else
		json_decref(ins);
	if (a.have_estimate) {
		/* Core's ::nBytesPerSigOp, the node's -bytespersigop. */
		bps = args_get_int(args, "bytespersigop",
		    POLICY_DEFAULT_BYTES_PER_SIGOP);
		vsize = policy_vsize(tx_weight(&a.est),
		    consensus_tx_sigop_cost(&a.est, a.spent,
			SCRIPT_STANDARD_VERIFY_FLAGS),
		    (unsigned)(bps < 0 ? 0 : bps));
		json_object_set_new(res, "estimated_vsize",
		    json_integer(vsize));
		/* CFeeRate(fee, size).GetFeePerK() */
		json_object_set_new(res, "estimated_feerate",
		    rpc_amount(vsize > 0 ? a.fee * 1000 / vsize : 0));
	}
	if (a.have_fee)
		json_object_set_new(res, "fee", rpc_amount(a.fee));
	json_object_set_new(res, "next", json_string(psbt_role_name(a.next)));
	if (a.error[0] != '\0')
		json_object_set_new(res, "error", json_string(a.error));
	psbt_analysis_free(&a);
	return res;
}

#define PSBT_ARG \
	{ \
		"psbt", RPC_ARG_STR, 1, NULL, "A base64 string of a PSBT" \
	}

const struct rpc_method rpc_psbt_methods[] = {
	{ "analyzepsbt", "rawtransactions", m_analyzepsbt, 0, { PSBT_ARG },
	    "Analyzes and provides information about the current status of a "
	    "PSBT and its inputs",
	    "{\n"
	    "  \"inputs\" : [ ... ],           (json array, optional) has_utxo, is_final, missing {pubkeys, signatures, redeemscript, witnessscript}, next\n"
	    "  \"estimated_vsize\" : n,        (numeric, optional) Estimated vsize of the final signed transaction\n"
	    "  \"estimated_feerate\" : n,      (numeric, optional) Estimated feerate of the final signed transaction in BTC/kvB. Shown only if all UTXO slots in the PSBT have been filled\n"
	    "  \"fee\" : n,                    (numeric, optional) The transaction fee paid. Shown only if all UTXO slots in the PSBT have been filled\n"
	    "  \"next\" : \"str\",              (string) Role of the next person that this psbt needs to go to\n"
	    "  \"error\" : \"str\"              (string, optional) Error message (if there is one)\n"
	    "}\n",
	    "\"psbt\"", RPC_ON_RPC },
	{ "combinepsbt", "rawtransactions", m_combinepsbt, RPC_F_FAST,
	    { { "txs", RPC_ARG_ARR, 1, NULL,
		"The base64 strings of partially signed transactions" } },
	    "Combine multiple partially signed Bitcoin transactions into one "
	    "transaction.\nImplements the Combiner role.",
	    "\"str\"    (string) The base64-encoded partially signed "
	    "transaction\n",
	    "'[\"mybase64_1\", \"mybase64_2\", "
	    "\"mybase64_3\"]'",
	    RPC_ON_RPC },
	{ "converttopsbt", "rawtransactions", m_converttopsbt, RPC_F_FAST,
	    { { "hexstring", RPC_ARG_HEX, 1, NULL,
		  "The hex string of a raw transaction" },
		{ "permitsigdata", RPC_ARG_BOOL, 0, "false",
		    "If true, any signatures in the input will be discarded and "
		    "conversion will continue. If false, RPC will fail if any "
		    "signatures are present." },
		{ "iswitness", RPC_ARG_BOOL, 0, "depends on heuristic tests",
		    "Whether the transaction hex is a serialized witness "
		    "transaction." } },
	    "Converts a network serialized transaction to a PSBT. This should "
	    "be used only with createrawtransaction and fundrawtransaction\n"
	    "createpsbt and walletcreatefundedpsbt should be used for new "
	    "applications.",
	    "\"str\"    (string) The resulting raw transaction (base64-encoded "
	    "string)\n",
	    "\"rawtransaction\"", RPC_ON_RPC },
	{ "createpsbt", "rawtransactions", m_createpsbt, RPC_F_FAST,
	    { RPC_CONSTRUCT_TX_ARGS },
	    "Creates a transaction in the Partially Signed Transaction format.\n"
	    "Implements the Creator role.\nNote that the transaction's inputs "
	    "are not signed, and\nit is not stored in the wallet or "
	    "transmitted to the network.",
	    "\"str\"    (string) The resulting raw transaction (base64-encoded "
	    "string)\n",
	    "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
	    "\"[{\\\"data\\\":\\\"00010203\\\"}]\"",
	    RPC_ON_RPC },
	{ "decodepsbt", "rawtransactions", m_decodepsbt, 0, { PSBT_ARG },
	    "Return a JSON object representing the serialized, base64-encoded "
	    "partially signed Bitcoin transaction.",
	    "{\n"
	    "  \"tx\" : {...},                  (json object) The decoded network-serialized unsigned transaction.\n"
	    "  \"global_xpubs\" : [ ... ],      (json array) xpub, master_fingerprint, path\n"
	    "  \"psbt_version\" : n,            (numeric) The PSBT version number. Not to be confused with the unsigned transaction version\n"
	    "  \"proprietary\" : [ ... ],       (json array) The global proprietary map: identifier, subtype, key, value\n"
	    "  \"unknown\" : { ... },           (json object) The unknown global fields\n"
	    "  \"inputs\" : [ ... ],            (json array) non_witness_utxo, witness_utxo, partial_signatures, sighash, redeem_script, witness_script, bip32_derivs, final_scriptSig, final_scriptwitness, *_preimages, taproot_* fields, proprietary, unknown\n"
	    "  \"outputs\" : [ ... ],           (json array) redeem_script, witness_script, bip32_derivs, taproot_internal_key, taproot_tree, taproot_bip32_derivs, proprietary, unknown\n"
	    "  \"fee\" : n                      (numeric, optional) The transaction fee paid if all UTXOs slots in the PSBT have been filled.\n"
	    "}\n",
	    "\"psbt\"", RPC_ON_RPC },
	{ "finalizepsbt", "rawtransactions", m_finalizepsbt, 0,
	    { PSBT_ARG,
		{ "extract", RPC_ARG_BOOL, 0, "true",
		    "If true and the transaction is complete,\nextract and return "
		    "the complete transaction in normal network serialization "
		    "instead of the PSBT." } },
	    "Finalize the inputs of a PSBT. If the transaction is fully "
	    "signed, it will produce a\nnetwork serialized transaction which "
	    "can be broadcast with sendrawtransaction. Otherwise a PSBT will "
	    "be\ncreated which has the final_scriptSig and "
	    "final_scriptWitness fields filled for inputs that are complete.\n"
	    "Implements the Finalizer and Extractor roles.",
	    "{\n"
	    "  \"psbt\" : \"str\",        (string, optional) The base64-encoded partially signed transaction if not extracted\n"
	    "  \"hex\" : \"hex\",         (string, optional) The hex-encoded network transaction if extracted\n"
	    "  \"complete\" : true|false  (boolean) If the transaction has a complete set of signatures\n"
	    "}\n",
	    "\"psbt\"", RPC_ON_RPC },
	{ "joinpsbts", "rawtransactions", m_joinpsbts, RPC_F_FAST,
	    { { "txs", RPC_ARG_ARR, 1, NULL,
		"The base64 strings of partially signed transactions" } },
	    "Joins multiple distinct PSBTs with different inputs and outputs "
	    "into one PSBT with inputs and outputs from all of the PSBTs\n"
	    "No input in any of the PSBTs can be in more than one of the "
	    "PSBTs.",
	    "\"str\"    (string) The base64-encoded partially signed "
	    "transaction\n",
	    "'[\"psbt1\", \"psbt2\"]'", RPC_ON_RPC },
	{ "utxoupdatepsbt", "rawtransactions", m_utxoupdatepsbt, 0,
	    { PSBT_ARG,
		{ "descriptors", RPC_ARG_ARR, 0, NULL,
		    "An array of either strings or objects" } },
	    "Updates all segwit inputs and outputs in a PSBT with data from "
	    "output descriptors, the UTXO set, txindex, or the mempool.",
	    "\"str\"    (string) The base64-encoded partially signed "
	    "transaction with inputs updated\n",
	    "\"psbt\"", RPC_ON_RPC },
	{ "descriptorprocesspsbt", "rawtransactions", m_descriptorprocesspsbt,
	    0,
	    { { "psbt", RPC_ARG_STR, 1, NULL,
		  "The transaction base64 string" },
		{ "descriptors", RPC_ARG_ARR, 1, NULL,
		    "An array of either strings or objects" },
		{ "sighashtype", RPC_ARG_STR, 0,
		    "\"DEFAULT for Taproot, ALL otherwise\"",
		    "The signature hash type to sign with if not specified by "
		    "the PSBT. Must be one of\n\"DEFAULT\"\n\"ALL\"\n"
		    "\"NONE\"\n\"SINGLE\"\n\"ALL|ANYONECANPAY\"\n"
		    "\"NONE|ANYONECANPAY\"\n\"SINGLE|ANYONECANPAY\"" },
		{ "bip32derivs", RPC_ARG_BOOL, 0, "true",
		    "Include BIP 32 derivation paths for public keys if we know "
		    "them" },
		{ "finalize", RPC_ARG_BOOL, 0, "true",
		    "Also finalize inputs if possible" } },
	    "Update all segwit inputs in a PSBT with information from output "
	    "descriptors, the UTXO set or the mempool. \nThen, sign the inputs "
	    "we are able to with information from the output descriptors. ",
	    "{\n"
	    "  \"psbt\" : \"str\",             (string) The base64-encoded "
	    "partially signed transaction\n"
	    "  \"complete\" : true|false,    (boolean) If the transaction has a "
	    "complete set of signatures\n"
	    "  \"hex\" : \"hex\"               (string, optional) The "
	    "hex-encoded network transaction if complete\n"
	    "}\n",
	    "\"psbt\" \"[\\\"descriptor1\\\", \\\"descriptor2\\\"]\"",
	    RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
