/*
 * The scripts of a parsed descriptor at one position, as Core's
 * DescriptorImpl::Expand and the MakeScripts of each descriptor type, and
 * for each script the string Core's InferDescriptor would give for it with
 * the expansion's keys, origins and scripts known (scantxoutset's "desc").
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "script/solver.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* One expanded node: its script and its inferred form. */
struct piece {
	struct wbuf s;
	char *inferred;
};

/*
 * One expansion: the position, and every key it derives in Core's order
 * (a node's keys, then its subscripts'), the first origin of each key
 * winning as in Core's FlatSigningProvider.
 */
struct xctx {
	uint32_t pos;
	struct desc_pubkey *keys;
	size_t nkeys;
	size_t next; /* the next key the expansion takes, in this order */
};

static int
register_keys(struct xctx *x, const struct desc_node *n)
{
	size_t i;

	for (i = 0; i < n->nkeys; i++) {
		x->keys = xreallocarray(x->keys, x->nkeys + 1,
		    sizeof(*x->keys));
		if (desc_key_derive(n->keys[i], x->pos, &x->keys[x->nkeys]) !=
		    0)
			return -1;
		x->nkeys++;
	}
	for (i = 0; i < n->nsubs; i++)
		if (register_keys(x, n->subs[i]) != 0)
			return -1;
	return 0;
}

/* The next key of the expansion, a copy the caller clears. */
static void
take_key(struct xctx *x, struct desc_pubkey *out)
{
	const struct desc_pubkey *k;

	/* register_keys walked the tree in the order expansion does. */
	if (x->next >= x->nkeys)
		fatalx("%s: expansion out of step with its keys", __func__);
	k = &x->keys[x->next++];
	*out = *k;
	out->path = xcalloc(k->npath + 1, sizeof(*out->path));
	if (k->npath > 0)
		memcpy(out->path, k->path, k->npath * sizeof(*k->path));
}

/*
 * The origin Core finds for k: GetKeyOrigin of the key itself, or for an
 * x-only key GetKeyOriginByXOnly, which tries the even key first.
 */
static const struct desc_pubkey *
find_origin(const struct xctx *x, const struct desc_pubkey *k, int xonly)
{
	size_t i;
	int par;

	if (!xonly) {
		for (i = 0; i < x->nkeys; i++)
			if (x->keys[i].len == k->len &&
			    memcmp(x->keys[i].pub, k->pub, k->len) == 0)
				return &x->keys[i];
		return k;
	}
	for (par = 2; par <= 3; par++)
		for (i = 0; i < x->nkeys; i++)
			if (x->keys[i].len == 33 && x->keys[i].pub[0] == par &&
			    memcmp(x->keys[i].pub + 1, k->pub + 1, 32) == 0)
				return &x->keys[i];
	return k;
}

/* "[fingerprint/path]hex": a derived key as InferPubkey prints it. */
static void
append_inferred_key(const struct xctx *x, char **buf,
    const struct desc_pubkey *k, int xonly)
{
	const struct desc_pubkey *o = find_origin(x, k, xonly);
	char hex[131];

	hex_encode(o->fpr, 4, hex);
	desc_append(buf, "[%s", hex);
	desc_path_append(buf, o->path, o->npath, 0);
	if (xonly)
		hex_encode(k->pub + 1, 32, hex);
	else
		hex_encode(k->pub, k->len, hex);
	desc_append(buf, "]%s", hex);
}

static void
p2pkh(struct wbuf *w, const uint8_t *pub, size_t len)
{
	uint8_t h[20];

	hash160(pub, len, h);
	wbuf_put_u8(w, OP_DUP);
	wbuf_put_u8(w, OP_HASH160);
	script_push_data(w, h, 20);
	wbuf_put_u8(w, OP_EQUALVERIFY);
	wbuf_put_u8(w, OP_CHECKSIG);
}

static void
p2wpkh(struct wbuf *w, const uint8_t *pub, size_t len)
{
	uint8_t h[20];

	hash160(pub, len, h);
	wbuf_put_u8(w, OP_0);
	script_push_data(w, h, 20);
}

static void
p2sh(struct wbuf *w, const uint8_t *script, size_t len)
{
	uint8_t h[20];

	hash160(script, len, h);
	wbuf_put_u8(w, OP_HASH160);
	script_push_data(w, h, 20);
	wbuf_put_u8(w, OP_EQUAL);
}

static int
cmp_pubkey(const void *a, const void *b)
{
	const struct desc_pubkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->pub, y->pub, n);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static int
cmp_xonly(const void *a, const void *b)
{
	const struct desc_pubkey *x = a, *y = b;

	return memcmp(x->pub + 1, y->pub + 1, 32);
}

static void
free_keys(struct desc_pubkey *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		desc_pubkey_clear(&k[i]);
	free(k);
}

static int expand_node(const struct desc_node *n, struct xctx *x,
    struct piece *out);

/* A miniscript's keys at this position, printed as InferDescriptor would. */
struct ms_print {
	const struct xctx *x;
	const struct desc_pubkey *k;
	int xonly;
};

/*
 * Core's inference reads a tapscript pk_k key as the even full key and
 * prints it whole: with the origin of that even key if the expansion has
 * it, else bare. Under pk_h it finds the key itself by its hash.
 */
static void
ms_print_key(void *arg, size_t i, int is_hash, char **buf)
{
	struct ms_print *p = arg;
	struct desc_pubkey even = p->k[i];
	char hex[67];
	size_t j;

	if (!p->xonly || is_hash) {
		append_inferred_key(p->x, buf, &p->k[i], 0);
		return;
	}
	even.pub[0] = 2;
	even.len = 33;
	for (j = 0; j < p->x->nkeys; j++)
		if (p->x->keys[j].len == 33 &&
		    memcmp(p->x->keys[j].pub, even.pub, 33) == 0) {
			append_inferred_key(p->x, buf, &even, 0);
			return;
		}
	hex_encode(even.pub, 33, hex);
	desc_append(buf, "%s", hex);
}

/*
 * Core infers a tap leaf that is <key> CHECKSIG as pk() with an x-only key
 * before it tries Miniscript, so a c:pk_k() leaf reads back that way.
 * (A multi_a leaf would too, but multi_a text is never Miniscript's at
 * the top of a leaf: the descriptor function takes it first.)
 */
static void
tap_leaf_as_descriptor(const struct xctx *x, const struct ms_node *ms,
    const struct desc_pubkey *k, char **inferred)
{
	if (ms->frag != MS_WRAP_C || ms->subs[0]->frag != MS_PK_K)
		return;
	free(*inferred);
	*inferred = NULL;
	desc_append(inferred, "pk(");
	append_inferred_key(x, inferred, &k[ms->subs[0]->keys[0]], 1);
	desc_append(inferred, ")");
}

static void
miniscript_script(struct xctx *x, const struct desc_node *n,
    const struct desc_pubkey *k, struct piece *out)
{
	uint8_t(*keys)[33] = xcalloc(n->nkeys + 1, sizeof(*keys));
	struct ms_print p = { x, k, n->ms->ctx == MS_TAPSCRIPT };
	uint8_t *script;
	size_t i, len;

	/* Keys under wsh() and in leaves are compressed (or x-only). */
	for (i = 0; i < n->nkeys; i++)
		memcpy(keys[i], k[i].pub, 33);
	desc_miniscript_script(n, (const uint8_t(*)[33])keys, ms_print_key,
	    &p, &script, &len, &out->inferred);
	wbuf_put(&out->s, script, len);
	free(script);
	free(keys);
	if (p.xonly)
		tap_leaf_as_descriptor(x, n->ms, k, &out->inferred);
}

static void
multi_script(struct xctx *x, const struct desc_node *n, struct desc_pubkey *k,
    struct piece *out)
{
	int is_a = n->type == DESC_MULTI_A || n->type == DESC_SORTEDMULTI_A;
	size_t i;

	if (n->type == DESC_SORTEDMULTI)
		qsort(k, n->nkeys, sizeof(*k), cmp_pubkey);
	if (n->type == DESC_SORTEDMULTI_A)
		qsort(k, n->nkeys, sizeof(*k), cmp_xonly);
	desc_append(&out->inferred, "%s(%u", is_a ? "multi_a" : "multi",
	    n->threshold);
	for (i = 0; i < n->nkeys; i++) {
		desc_append(&out->inferred, ",");
		append_inferred_key(x, &out->inferred, &k[i], is_a);
	}
	desc_append(&out->inferred, ")");
	if (!is_a) {
		script_push_int(&out->s, n->threshold);
		for (i = 0; i < n->nkeys; i++)
			script_push_data(&out->s, k[i].pub, k[i].len);
		script_push_int(&out->s, (uint32_t)n->nkeys);
		wbuf_put_u8(&out->s, OP_CHECKMULTISIG);
		return;
	}
	for (i = 0; i < n->nkeys; i++) {
		script_push_data(&out->s, k[i].pub + 1, 32);
		wbuf_put_u8(&out->s, i == 0 ? OP_CHECKSIG : OP_CHECKSIGADD);
	}
	script_push_int(&out->s, n->threshold);
	wbuf_put_u8(&out->s, OP_NUMEQUAL);
}

static int
expand_tr(const struct desc_node *n, struct xctx *x, struct piece *out)
{
	struct desc_tapleaf *l = xcalloc(n->nsubs + 1, sizeof(*l));
	struct desc_pubkey k;
	uint8_t root[32], q[32];
	char *tree = NULL;
	struct piece leaf;
	size_t i, done = 0;
	int rc = -1;

	take_key(x, &k);
	for (done = 0; done < n->nsubs; done++) {
		if (expand_node(n->subs[done], x, &leaf) != 0)
			goto out;
		l[done].script = wbuf_steal(&leaf.s, &l[done].len);
		l[done].inferred = leaf.inferred;
		l[done].depth = n->depths[done];
	}
	if (n->type == DESC_RAWTR)
		memcpy(q, k.pub + 1, 32);
	else {
		if (n->nsubs > 0)
			desc_taptree_root(l, n->nsubs, root);
		if (script_taproot_output_key(k.pub + 1,
			n->nsubs > 0 ? root : NULL, q, NULL) != 0)
			fatalx("%s: taproot tweak failed for a valid key",
			    __func__);
	}
	/* Without the tree back, Core infers rawtr() of the output key. */
	if (n->nsubs > 0 && desc_taptree_infer(l, n->nsubs, &tree) != 0) {
		char hex[65];

		/* The output key has no origin Core could know. */
		hex_encode(q, 32, hex);
		desc_append(&out->inferred, "rawtr(%s", hex);
	} else {
		desc_append(&out->inferred, "%s(",
		    n->type == DESC_TR ? "tr" : "rawtr");
		append_inferred_key(x, &out->inferred, &k, 1);
		if (tree != NULL)
			desc_append(&out->inferred, "%s", tree);
	}
	desc_append(&out->inferred, ")");
	wbuf_put_u8(&out->s, OP_1);
	script_push_data(&out->s, q, 32);
	rc = 0;
out:
	for (i = 0; i < done; i++) {
		free(l[i].script);
		free(l[i].inferred);
	}
	free(l);
	free(tree);
	desc_pubkey_clear(&k);
	return rc;
}

static int
expand_node(const struct desc_node *n, struct xctx *x, struct piece *out)
{
	struct desc_pubkey *k = NULL;
	struct piece sub;
	uint8_t h[32];
	size_t i;

	wbuf_init(&out->s);
	out->inferred = NULL;
	switch (n->type) {
	case DESC_TR:
	case DESC_RAWTR: return expand_tr(n, x, out);
	case DESC_SH:
	case DESC_WSH:
		memset(&sub, 0, sizeof(sub));
		if (expand_node(n->subs[0], x, &sub) != 0)
			return -1;
		if (n->type == DESC_SH)
			p2sh(&out->s, sub.s.p, sub.s.len);
		else {
			sha256(sub.s.p, sub.s.len, h);
			wbuf_put_u8(&out->s, OP_0);
			script_push_data(&out->s, h, 32);
		}
		desc_append(&out->inferred, "%s(%s)",
		    n->type == DESC_SH ? "sh" : "wsh", sub.inferred);
		wbuf_free(&sub.s);
		free(sub.inferred);
		return 0;
	case DESC_RAW:
	case DESC_ADDR: wbuf_put(&out->s, n->script, n->script_len); return 0;
	default: break;
	}
	k = xcalloc(n->nkeys, sizeof(*k));
	for (i = 0; i < n->nkeys; i++)
		take_key(x, &k[i]);
	switch (n->type) {
	case DESC_PK:
		if (n->keys[0]->xonly || n->xonly)
			script_push_data(&out->s, k[0].pub + 1, 32);
		else
			script_push_data(&out->s, k[0].pub, k[0].len);
		wbuf_put_u8(&out->s, OP_CHECKSIG);
		desc_append(&out->inferred, "pk(");
		append_inferred_key(x, &out->inferred, &k[0],
		    n->keys[0]->xonly || n->xonly);
		desc_append(&out->inferred, ")");
		break;
	case DESC_PKH:
		p2pkh(&out->s, k[0].pub, k[0].len);
		desc_append(&out->inferred, "pkh(");
		append_inferred_key(x, &out->inferred, &k[0], 0);
		desc_append(&out->inferred, ")");
		break;
	case DESC_WPKH:
		p2wpkh(&out->s, k[0].pub, k[0].len);
		desc_append(&out->inferred, "wpkh(");
		append_inferred_key(x, &out->inferred, &k[0], 0);
		desc_append(&out->inferred, ")");
		break;
	case DESC_MINISCRIPT: miniscript_script(x, n, k, out); break;
	default: multi_script(x, n, k, out); break;
	}
	free_keys(k, n->nkeys);
	return 0;
}

static void
add_output(struct descriptor_output *o, struct piece *p)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1];

	o->script[o->n] = wbuf_steal(&p->s, &o->len[o->n]);
	if (o->script[o->n] == NULL)
		o->script[o->n] = xcalloc(1, 1);
	if (p->inferred != NULL) {
		if (descriptor_checksum(p->inferred, strlen(p->inferred),
			sum) != 0)
			fatalx("%s: no checksum for %s", __func__,
			    p->inferred);
		o->inferred[o->n] = xasprintf("%s#%s", p->inferred, sum);
		free(p->inferred);
	}
	o->n++;
}

/* combo(): P2PK and P2PKH, and for a compressed key P2WPKH and P2SH-P2WPKH. */
static int
expand_combo(struct xctx *x, const struct desc_node *n,
    struct descriptor_output *o)
{
	struct desc_pubkey k;
	struct piece p;
	uint8_t w[22];
	char *key = NULL;

	take_key(x, &k);
	append_inferred_key(x, &key, &k, 0);
	wbuf_init(&p.s);
	script_push_data(&p.s, k.pub, k.len);
	wbuf_put_u8(&p.s, OP_CHECKSIG);
	p.inferred = xasprintf("pk(%s)", key);
	add_output(o, &p);
	wbuf_init(&p.s);
	p2pkh(&p.s, k.pub, k.len);
	p.inferred = xasprintf("pkh(%s)", key);
	add_output(o, &p);
	if (k.len == 33) {
		wbuf_init(&p.s);
		p2wpkh(&p.s, k.pub, k.len);
		memcpy(w, p.s.p, 22);
		p.inferred = xasprintf("wpkh(%s)", key);
		add_output(o, &p);
		wbuf_init(&p.s);
		p2sh(&p.s, w, 22);
		p.inferred = xasprintf("sh(wpkh(%s))", key);
		add_output(o, &p);
	}
	free(key);
	desc_pubkey_clear(&k);
	return 0;
}

int
descriptor_expand(struct descriptor *d, uint32_t pos,
    struct descriptor_output *out)
{
	struct xctx x = { pos, NULL, 0, 0 };
	struct piece p;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (register_keys(&x, d->root) != 0)
		goto out;
	if (d->root->type == DESC_COMBO) {
		if (expand_combo(&x, d->root, out) != 0) {
			descriptor_output_free(out);
			goto out;
		}
	} else {
		if (expand_node(d->root, &x, &p) != 0)
			goto out;
		add_output(out, &p);
	}
	rc = 0;
out:
	/* A failed derivation leaves nothing to free in its slot. */
	for (i = 0; i < x.nkeys; i++)
		desc_pubkey_clear(&x.keys[i]);
	free(x.keys);
	return rc;
}

void
descriptor_output_free(struct descriptor_output *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->script[i]);
		free(o->inferred[i]);
	}
	memset(o, 0, sizeof(*o));
}

/* The script of node n alone at pos (descriptor_provider.c); 0 or -1. */
int
desc_node_script(const struct desc_node *n, uint32_t pos, uint8_t **s,
    size_t *len)
{
	struct xctx x = { pos, NULL, 0, 0 };
	struct piece p;
	size_t i;
	int rc = -1;

	if (register_keys(&x, n) == 0 && expand_node(n, &x, &p) == 0) {
		free(p.inferred);
		*s = wbuf_steal(&p.s, len);
		if (*s == NULL)
			*s = xcalloc(1, 1);
		rc = 0;
	}
	for (i = 0; i < x.nkeys; i++)
		desc_pubkey_clear(&x.keys[i]);
	free(x.keys);
	return rc;
}
