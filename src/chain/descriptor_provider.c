/*
 * What a descriptor gives a signer at one position (descriptor.h,
 * descriptor_provide): Core's DescriptorImpl::ExpandHelper and the
 * MakeScripts of each type, as they fill a FlatSigningProvider, and
 * ExpandPrivate's keys. A node's subscripts are visited before its own
 * keys, as Core merges the subexpansions first (the first origin of a
 * key wins).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/sign.h"
#include "util/xmalloc.h"

static int provide_node(const struct desc_node *n, uint32_t pos,
    struct sign_provider *sp);

/* sh()/wsh(): the subscript becomes a known script. */
static int
provide_sub(const struct desc_node *sub, uint32_t pos,
    struct sign_provider *sp)
{
	uint8_t *s;
	size_t len;

	if (provide_node(sub, pos, sp) != 0 ||
	    desc_node_script(sub, pos, &s, &len) != 0)
		return -1;
	sign_provider_add_script(sp, s, len);
	free(s);
	return 0;
}

/* tr(): the tree of the output (its leaves were visited before). */
static int
provide_tr(const struct desc_node *n, uint32_t pos, const uint8_t *internal,
    struct sign_provider *sp)
{
	uint8_t **s = xcalloc(n->nsubs + 1, sizeof(*s));
	size_t *len = xcalloc(n->nsubs + 1, sizeof(*len)), i, done;
	int rc = -1;

	for (done = 0; done < n->nsubs; done++)
		if (desc_node_script(n->subs[done], pos, &s[done],
			&len[done]) != 0)
			goto out;
	sign_provider_add_taproot(sp, internal, (const uint8_t *const *)s, len,
	    n->depths, n->nsubs);
	rc = 0;
out:
	for (i = 0; i < done; i++)
		free(s[i]);
	free(s);
	free(len);
	return rc;
}

/* combo(): its P2WPKH script, for a compressed key. */
static void
provide_combo(const struct desc_pubkey *k, struct sign_provider *sp)
{
	uint8_t w[22];

	if (k->len != 33)
		return;
	w[0] = OP_0;
	w[1] = 20;
	hash160(k->pub, 33, w + 2);
	sign_provider_add_script(sp, w, sizeof(w));
}

static int
provide_node(const struct desc_node *n, uint32_t pos, struct sign_provider *sp)
{
	struct desc_pubkey k;
	uint8_t internal[32];
	size_t i;
	int rc = 0;

	if ((n->type == DESC_SH || n->type == DESC_WSH) &&
	    provide_sub(n->subs[0], pos, sp) != 0)
		return -1;
	for (i = 0; n->type == DESC_TR && i < n->nsubs; i++)
		if (provide_node(n->subs[i], pos, sp) != 0)
			return -1;
	for (i = 0; i < n->nkeys; i++) {
		if (desc_key_derive(n->keys[i], pos, &k) != 0)
			return -1;
		sign_provider_add_origin(sp, k.pub, k.len, k.fpr, k.path,
		    k.npath);
		switch (n->type) {
		case DESC_PKH:
		case DESC_WPKH:
		case DESC_TR:
			sign_provider_add_pubkey(sp, k.pub, k.len);
			break;
		case DESC_COMBO:
			sign_provider_add_pubkey(sp, k.pub, k.len);
			provide_combo(&k, sp);
			break;
		case DESC_MINISCRIPT:
			/*
			 * Core's MiniscriptDescriptor gives its keys (pk_h's
			 * are found by hash); tapscript ones under the hash
			 * of the x-only key.
			 */
			if (n->ms->ctx == MS_P2WSH)
				sign_provider_add_pubkey(sp, k.pub, k.len);
			else if (k.len == 33)
				sign_provider_add_tap_pubkey(sp, k.pub);
			break;
		default: break;
		}
		if (n->type == DESC_TR && i == 0)
			memcpy(internal, k.pub + 1, 32);
		desc_pubkey_clear(&k);
	}
	if (n->type == DESC_TR)
		rc = provide_tr(n, pos, internal, sp);
	return rc;
}

/* How many key expressions the tree holds: room for its private keys. */
static size_t
count_keys(const struct desc_node *n)
{
	size_t i, c = n->nkeys;

	for (i = 0; i < n->nsubs; i++)
		c += count_keys(n->subs[i]);
	return c;
}

int
descriptor_provide(struct descriptor *d, uint32_t pos, struct sign_provider *p)
{
	size_t max = count_keys(d->root) + 1, n, i;
	uint8_t(*keys)[32];
	int *compressed;
	int rc;

	if ((rc = provide_node(d->root, pos, p)) != 0)
		return rc;
	keys = xcalloc(max, sizeof(*keys));
	compressed = xcalloc(max, sizeof(*compressed));
	n = descriptor_private_keys(d, pos, keys, compressed, max);
	for (i = 0; i < n; i++)
		(void)sign_provider_add_key(p, keys[i], compressed[i]);
	explicit_bzero(keys, max * sizeof(*keys));
	free(keys);
	free(compressed);
	return 0;
}
