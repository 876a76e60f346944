/*
 * The keys and scripts signing draws on (sign.h, sign_int.h): Core's
 * FlatSigningProvider. Entries are kept in the order added; where Core's
 * maps emplace, the first entry for an id wins, and a taproot tree added
 * again for the same output replaces the old one (Core assigns it).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "script/script.h"
#include "script/sign_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct sign_provider *
sign_provider_new(void)
{
	return xcalloc(1, sizeof(struct sign_provider));
}

static void
free_pubs(struct spub *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static void
free_tree(struct stree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->leaves[i].script);
		free(t->leaves[i].control);
	}
	free(t->leaves);
}

void
sign_provider_free(struct sign_provider *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->keys != NULL)
		explicit_bzero(p->keys, p->nkeys * sizeof(*p->keys));
	free(p->keys);
	for (i = 0; i < p->nscripts; i++)
		free(p->scripts[i].s);
	free(p->scripts);
	free_pubs(p->pubkeys, p->npubkeys);
	free_pubs(p->origins, p->norigins);
	for (i = 0; i < p->ntrees; i++)
		free_tree(&p->trees[i]);
	free(p->trees);
	free(p);
}

int
sign_provider_add_key(struct sign_provider *p, const uint8_t secret[32],
    int compressed)
{
	struct skey k;

	memset(&k, 0, sizeof(k));
	if (key_pubkey(secret, compressed, k.pub, &k.publen) == -1)
		return -1;
	memcpy(k.secret, secret, 32);
	k.compressed = compressed;
	hash160(k.pub, k.publen, k.id);
	p->keys = xreallocarray(p->keys, p->nkeys + 1, sizeof(*p->keys));
	p->keys[p->nkeys++] = k;
	explicit_bzero(&k, sizeof(k));
	return 0;
}

void
sign_provider_add_script(struct sign_provider *p, const uint8_t *s, size_t len)
{
	struct sscript *e;
	uint8_t id[20];

	hash160(s, len, id);
	if (sign_provider_script(p, id) != NULL)
		return;
	p->scripts = xreallocarray(p->scripts, p->nscripts + 1,
	    sizeof(*p->scripts));
	e = &p->scripts[p->nscripts++];
	e->s = xmalloc(len ? len : 1);
	if (len > 0)
		memcpy(e->s, s, len);
	e->len = len;
	memcpy(e->id, id, 20);
}

static const struct spub *
find_pub(const struct spub *v, size_t n, const uint8_t id[20])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(v[i].id, id, 20) == 0)
			return &v[i];
	return NULL;
}

/* Appends to *v unless the key is there (emplace). */
static void
add_pub_id(struct spub **v, size_t *n, const uint8_t *pub, size_t len,
    const uint8_t id[20], const uint8_t fpr[4], const uint32_t *path,
    size_t npath)
{
	struct spub *e;

	if (find_pub(*v, *n, id) != NULL)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	memcpy(e->pub, pub, len);
	e->len = len;
	memcpy(e->id, id, 20);
	if (fpr != NULL)
		memcpy(e->fpr, fpr, 4);
	e->path = xcalloc(npath + 1, sizeof(*e->path));
	if (npath > 0)
		memcpy(e->path, path, npath * sizeof(*path));
	e->npath = npath;
}

static void
add_pub(struct spub **v, size_t *n, const uint8_t *pub, size_t len,
    const uint8_t fpr[4], const uint32_t *path, size_t npath)
{
	uint8_t id[20];

	if (len > KEY_PUBKEY_MAX)
		return;
	hash160(pub, len, id);
	add_pub_id(v, n, pub, len, id, fpr, path, npath);
}

void
sign_provider_add_tap_pubkey(struct sign_provider *p, const uint8_t pub[33])
{
	uint8_t id[20];

	hash160(pub + 1, 32, id);
	add_pub_id(&p->pubkeys, &p->npubkeys, pub, 33, id, NULL, NULL, 0);
}

void
sign_provider_add_pubkey(struct sign_provider *p, const uint8_t *pub,
    size_t len)
{
	add_pub(&p->pubkeys, &p->npubkeys, pub, len, NULL, NULL, 0);
}

void
sign_provider_add_origin(struct sign_provider *p, const uint8_t *pub,
    size_t len, const uint8_t fpr[4], const uint32_t *path, size_t npath)
{
	add_pub(&p->origins, &p->norigins, pub, len, fpr, path, npath);
}

/* A node of Core's TaprootBuilder: its hash and the leaves below it. */
struct tnode {
	uint8_t hash[32];
	size_t *leaf; /* indices into the tree's leaves */
	size_t n;
};

/* TaprootBuilder::Combine: a is the left (older) node, b the new one. */
static void
combine(uint8_t (*branch)[TAPROOT_CONTROL_MAX_NODE_COUNT][32], size_t *blen,
    struct tnode *a, struct tnode *b)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		memcpy(branch[a->leaf[i]][blen[a->leaf[i]]++], b->hash, 32);
	for (i = 0; i < b->n; i++)
		memcpy(branch[b->leaf[i]][blen[b->leaf[i]]++], a->hash, 32);
	script_tapbranch_hash(a->hash, b->hash, a->hash);
	a->leaf = xreallocarray(a->leaf, a->n + b->n + 1, sizeof(*a->leaf));
	memcpy(a->leaf + a->n, b->leaf, b->n * sizeof(*b->leaf));
	a->n += b->n;
	free(b->leaf);
	b->leaf = NULL;
	b->n = 0;
}

void
sign_provider_add_taproot(struct sign_provider *p, const uint8_t internal[32],
    const uint8_t *const *scripts, const size_t *lens, const int *depths,
    size_t n)
{
	struct tnode slot[TAPROOT_CONTROL_MAX_NODE_COUNT + 1], node;
	uint8_t(*branch)[TAPROOT_CONTROL_MAX_NODE_COUNT][32];
	size_t *blen, nslots = 0, i, d;
	int have[TAPROOT_CONTROL_MAX_NODE_COUNT + 1], parity = 0;
	struct stree t, *dst;

	memset(&t, 0, sizeof(t));
	memset(have, 0, sizeof(have));
	memcpy(t.internal, internal, 32);
	branch = xcalloc(n + 1, sizeof(*branch));
	blen = xcalloc(n + 1, sizeof(*blen));
	t.leaves = xcalloc(n + 1, sizeof(*t.leaves));
	t.n = n;
	/* TaprootBuilder::Add and Insert, leaves tracked. */
	for (i = 0; i < n; i++) {
		t.leaves[i].script = xmemdup(scripts[i],
		    lens[i] ? lens[i] : 1);
		t.leaves[i].len = lens[i];
		t.leaves[i].ver = TAPROOT_LEAF_TAPSCRIPT;
		t.leaves[i].depth = depths[i];
		script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, scripts[i],
		    lens[i], node.hash);
		node.leaf = xcalloc(1, sizeof(*node.leaf));
		node.leaf[0] = i;
		node.n = 1;
		d = (size_t)depths[i];
		if (d + 1 > nslots)
			nslots = d + 1;
		while (nslots > d && have[d]) {
			combine(branch, blen, &slot[d], &node);
			node = slot[d];
			have[d] = 0;
			nslots--;
			if (d == 0)
				break;
			d--;
		}
		slot[d] = node;
		have[d] = 1;
	}
	if (n > 0) {
		if (!have[0])
			fatalx("%s: incomplete taproot tree", __func__);
		t.have_root = 1;
		memcpy(t.root, slot[0].hash, 32);
		free(slot[0].leaf);
	}
	if (script_taproot_output_key(internal, t.have_root ? t.root : NULL,
		t.output, &parity) != 0)
		fatalx("%s: taproot tweak failed", __func__);
	/* GetSpendData: the control block of each leaf. */
	for (i = 0; i < n; i++) {
		struct sleaf *l = &t.leaves[i];

		l->clen = TAPROOT_CONTROL_BASE_SIZE +
		    TAPROOT_CONTROL_NODE_SIZE * blen[i];
		l->control = xmalloc(l->clen);
		l->control[0] = (uint8_t)(l->ver | (parity ? 1 : 0));
		memcpy(l->control + 1, internal, 32);
		memcpy(l->control + TAPROOT_CONTROL_BASE_SIZE, branch[i],
		    TAPROOT_CONTROL_NODE_SIZE * blen[i]);
	}
	free(branch);
	free(blen);
	dst = (struct stree *)(uintptr_t)sign_provider_taproot(p, t.output);
	if (dst != NULL) {
		free_tree(dst);
		*dst = t;
		return;
	}
	p->trees = xreallocarray(p->trees, p->ntrees + 1, sizeof(*p->trees));
	p->trees[p->ntrees++] = t;
}

const struct skey *
sign_provider_key(const struct sign_provider *p, const uint8_t id[20])
{
	size_t i;

	for (i = 0; p != NULL && i < p->nkeys; i++)
		if (memcmp(p->keys[i].id, id, 20) == 0)
			return &p->keys[i];
	return NULL;
}

/* XOnlyPubKey::GetKeyIDs: the ids of the even and the odd key. */
static void
xonly_ids(const uint8_t x[32], uint8_t ids[2][20])
{
	uint8_t full[33];
	int i;

	memcpy(full + 1, x, 32);
	for (i = 0; i < 2; i++) {
		full[0] = (uint8_t)(2 + i);
		hash160(full, 33, ids[i]);
	}
}

const struct skey *
sign_provider_key_xonly(const struct sign_provider *p, const uint8_t x[32])
{
	const struct skey *k;
	uint8_t ids[2][20];
	int i;

	xonly_ids(x, ids);
	for (i = 0; i < 2; i++)
		if ((k = sign_provider_key(p, ids[i])) != NULL)
			return k;
	return NULL;
}

const struct sscript *
sign_provider_script(const struct sign_provider *p, const uint8_t id[20])
{
	size_t i;

	for (i = 0; p != NULL && i < p->nscripts; i++)
		if (memcmp(p->scripts[i].id, id, 20) == 0)
			return &p->scripts[i];
	return NULL;
}

const struct spub *
sign_provider_pubkey(const struct sign_provider *p, const uint8_t id[20])
{
	return p == NULL ? NULL : find_pub(p->pubkeys, p->npubkeys, id);
}

const struct spub *
sign_provider_origin(const struct sign_provider *p, const uint8_t id[20])
{
	return p == NULL ? NULL : find_pub(p->origins, p->norigins, id);
}

const struct spub *
sign_provider_origin_xonly(const struct sign_provider *p, const uint8_t x[32])
{
	const struct spub *o;
	uint8_t ids[2][20];
	int i;

	xonly_ids(x, ids);
	for (i = 0; i < 2; i++)
		if ((o = sign_provider_origin(p, ids[i])) != NULL)
			return o;
	return NULL;
}

const struct stree *
sign_provider_taproot(const struct sign_provider *p, const uint8_t output[32])
{
	size_t i;

	for (i = 0; p != NULL && i < p->ntrees; i++)
		if (memcmp(p->trees[i].output, output, 32) == 0)
			return &p->trees[i];
	return NULL;
}

int
sign_provider_is_segwit(const struct sign_provider *p, const uint8_t *s,
    size_t len)
{
	const struct sscript *sub;
	const uint8_t *prog;
	size_t plen;
	int ver;

	if (script_is_witness_program(s, len, &ver, &prog, &plen))
		return 1;
	/* P2SH whose redeem script the provider knows as a witness program. */
	if (!script_is_p2sh(s, len) ||
	    (sub = sign_provider_script(p, s + 2)) == NULL)
		return 0;
	return script_is_witness_program(sub->s, sub->len, &ver, &prog, &plen);
}

int
sign_schnorr_create(const struct sign_provider *p,
    const struct script_txdata *td, size_t nin, int hash_type,
    const uint8_t x[32], const uint8_t *lh, int tweak, const uint8_t *root,
    uint8_t sig[65], size_t *siglen)
{
	const struct skey *k;
	uint8_t hash[32];

	if (td == NULL || (k = sign_provider_key_xonly(p, x)) == NULL ||
	    script_sighash_taproot(td, nin, (uint8_t)hash_type, NULL, lh,
		0xffffffffu, hash) != 0 ||
	    key_sign_schnorr(k->secret, hash, tweak, root, sig) != 0)
		return 0;
	*siglen = 64;
	if (hash_type != SIGHASH_DEFAULT)
		sig[(*siglen)++] = (uint8_t)hash_type;
	return 1;
}
