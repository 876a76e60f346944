/*
 * Miniscript inside descriptors, as Core 28's ParseScript tries it in
 * wsh() and tr() leaves when no other function matched, and its
 * MiniscriptDescriptor: the keys are descriptor keys (hex, WIF, extended
 * keys with paths, ranges and origins) held in the node's key table in the
 * order the text gives them, so ranges, private keys and printing work as
 * for every other descriptor.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "util/errbuf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

struct keytab {
	const struct chainparams *cp;
	struct desc_node *n;
	enum desc_ctx ctx;
	char *err;
	size_t errlen;
	int key_failed; /* a key's own error is in err */
	/* Each key at position 0, derived once for duplicate checks. */
	uint8_t (*pub0)[33];
	int8_t *pub0_state; /* 0 unknown, 1 in pub0, -1 underivable */
	size_t npub0;
};

static int
tab_parse(void *arg, const char *s, size_t len)
{
	struct keytab *t = arg;
	struct desc_key *k;

	if (desc_key_parse(t->cp, s, len, t->ctx, &k, t->err, t->errlen) !=
	    0) {
		t->key_failed = 1;
		return -1;
	}
	t->n->keys = xreallocarray(t->n->keys, t->n->nkeys + 1,
	    sizeof(*t->n->keys));
	t->n->keys[t->n->nkeys] = k;
	return (int)t->n->nkeys++;
}

/* Key i at position 0, or NULL when it cannot derive there. */
static const uint8_t *
tab_pub0(struct keytab *t, size_t i)
{
	struct desc_pubkey p;

	if (t->npub0 < t->n->nkeys) {
		t->pub0 = xreallocarray(t->pub0, t->n->nkeys,
		    sizeof(*t->pub0));
		t->pub0_state = xreallocarray(t->pub0_state, t->n->nkeys,
		    sizeof(*t->pub0_state));
		memset(t->pub0_state + t->npub0, 0, t->n->nkeys - t->npub0);
		t->npub0 = t->n->nkeys;
	}
	if (t->pub0_state[i] == 0) {
		t->pub0_state[i] = -1;
		if (desc_key_derive(t->n->keys[i], 0, &p) == 0) {
			memcpy(t->pub0[i], p.pub, 33);
			t->pub0_state[i] = 1;
			desc_pubkey_clear(&p);
		}
	}
	return t->pub0_state[i] == 1 ? t->pub0[i] : NULL;
}

/*
 * Core compares keys by their public key at position 0 (a key that
 * cannot derive there, for want of a private key, equals no other).
 */
static int
tab_cmp(void *arg, size_t a, size_t b)
{
	struct keytab *t = arg;
	const uint8_t *x, *y;

	if (a == b)
		return 0;
	x = tab_pub0(t, a);
	y = tab_pub0(t, b);
	if (x == NULL || y == NULL)
		return 1;
	return memcmp(x, y, 33);
}

static void
tab_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct keytab *t = arg;

	(void)is_hash;
	desc_key_append(t->cp, t->n->keys[i], buf);
}

static void
keyops_init(struct ms_keyops *ko, struct keytab *t)
{
	ko->arg = t;
	ko->parse = tab_parse;
	ko->cmp = tab_cmp;
	ko->print = tab_print;
}

struct desc_node *
desc_parse_miniscript(const struct chainparams *cp, const char *s, size_t n,
    enum desc_ctx ctx, char *err, size_t errlen, int *failed)
{
	struct desc_node *node = xcalloc(1, sizeof(*node));
	/* Outside wsh() Core reads the text (and keys) as tapscript. */
	enum desc_ctx kctx = ctx == CTX_P2WSH ? CTX_P2WSH : CTX_P2TR;
	struct keytab t = { cp, node, kctx, err, errlen, 0, NULL, NULL, 0 };
	struct ms_keyops ko;

	*failed = 0;
	node->type = DESC_MINISCRIPT;
	keyops_init(&ko, &t);
	node->ms = ms_parse(s, n, ctx == CTX_P2WSH ? MS_P2WSH : MS_TAPSCRIPT,
	    &ko);
	free(t.pub0);
	free(t.pub0_state);
	if (node->ms == NULL) {
		/* A bad key is the answer; other failures fall through. */
		*failed = t.key_failed;
		desc_node_free(node);
		return NULL;
	}
	if (ctx != CTX_P2WSH && ctx != CTX_P2TR) {
		errbuf_printf(err, errlen,
		    "Miniscript expressions can only be used in wsh or tr.");
		*failed = 1;
		desc_node_free(node);
		return NULL;
	}
	if (ms_check_sane(node->ms, &ko, err, errlen) != 0) {
		*failed = 1;
		desc_node_free(node);
		return NULL;
	}
	return node;
}

/* The public form of a parsed key, for the canonical string. */
struct pubprint {
	const struct chainparams *cp;
	const struct desc_node *n;
};

static void
pub_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct pubprint *p = arg;

	(void)is_hash;
	desc_key_append(p->cp, p->n->keys[i], buf);
}

void
desc_miniscript_append(const struct chainparams *cp, const struct desc_node *n,
    char **buf)
{
	struct pubprint p = { cp, n };
	struct ms_keyops ko = { &p, NULL, NULL, pub_print };
	char *s;

	s = ms_to_string(n->ms, &ko);
	desc_append(buf, "%s", s);
	free(s);
}

/* Prints key i of an expansion through the caller's printer. */
struct xprint {
	void (*print)(void *arg, size_t i, int is_hash, char **buf);
	void *arg;
};

static void
xp_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct xprint *p = arg;

	p->print(p->arg, i, is_hash, buf);
}

static int
xp_cmp(void *arg, size_t a, size_t b)
{
	(void)arg;
	return a == b ? 0 : 1;
}

/* The keys of one expansion, found again by what the script pushes. */
struct known {
	const uint8_t (*keys)[33];
	size_t n;
	enum ms_ctx ctx;
};

static int
known_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct known *kn = arg;
	size_t i, off = kn->ctx == MS_TAPSCRIPT ? 1 : 0;
	uint8_t h[20];

	for (i = 0; i < kn->n; i++) {
		if (is_hash) {
			hash160(kn->keys[i] + off, 33 - off, h);
			if (n == 20 && memcmp(h, p, 20) == 0)
				return (int)i;
		} else if (n == 33 - off &&
		    memcmp(kn->keys[i] + off, p, n) == 0)
			return (int)i;
	}
	return -1;
}

void
desc_miniscript_script(const struct desc_node *n, const uint8_t (*keys)[33],
    void (*print)(void *arg, size_t i, int is_hash, char **buf), void *arg,
    uint8_t **script, size_t *len, char **inferred)
{
	struct xprint p = { print, arg };
	struct ms_keyops ko = { &p, NULL, xp_cmp, xp_print };
	struct known kn = { keys, n->nkeys, n->ms->ctx };
	struct ms_node *dec;

	*script = ms_compile(n->ms, keys, len);
	/*
	 * Core infers from the script, so the text is that of the decoded
	 * tree (and_v nests to the left there whatever the input said).
	 */
	dec = ms_decode(*script, *len, n->ms->ctx, known_key, &kn, xp_cmp);
	*inferred = ms_to_string(dec != NULL ? dec : n->ms, &ko);
	ms_free(dec);
}

/* Keys met while decoding a witness script alone (no origins known). */
struct rawkeys {
	uint8_t (*k)[33];
	size_t n;
};

/*
 * Core's FromPKBytes with a provider that knows only the script: a 33-byte
 * key with a compressed prefix (not checked on the curve, as CPubKey's
 * IsValidNonHybrid does not); key hashes (pk_h) cannot be resolved.
 */
static int
raw_key(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct rawkeys *r = arg;

	if (is_hash || n != 33 || (p[0] != 2 && p[0] != 3))
		return -1;
	r->k = xreallocarray(r->k, r->n + 1, sizeof(*r->k));
	memcpy(r->k[r->n], p, 33);
	return (int)r->n++;
}

static int
raw_cmp(void *arg, size_t a, size_t b)
{
	struct rawkeys *r = arg;

	return memcmp(r->k[a], r->k[b], 33);
}

static void
raw_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct rawkeys *r = arg;
	char hex[67];

	(void)is_hash;
	hex_encode(r->k[i], 33, hex);
	desc_append(buf, "%s", hex);
}

char *
descriptor_infer_wsh_miniscript(const uint8_t *script, size_t len)
{
	struct rawkeys r = { NULL, 0 };
	struct ms_keyops ko = { &r, NULL, raw_cmp, raw_print };
	struct ms_node *n;
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1], *body = NULL, *s, *out = NULL;

	n = ms_decode(script, len, MS_P2WSH, raw_key, &r, raw_cmp);
	if (n != NULL && ms_is_sane(n)) {
		s = ms_to_string(n, &ko);
		desc_append(&body, "wsh(%s)", s);
		free(s);
		if (descriptor_checksum(body, strlen(body), sum) == 0)
			out = xasprintf("%s#%s", body, sum);
		free(body);
	}
	ms_free(n);
	free(r.k);
	return out;
}
