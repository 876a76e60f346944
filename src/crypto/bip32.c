/*
 * BIP32 derivation (see bip32.h).
 *
 * I = HMAC-SHA512(chain code, data); the left half is added to the parent
 * key (as a scalar for private keys, as IL*G for public ones), the right
 * half is the child's chain code.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <secp256k1.h>

#include "crypto/bip32.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "util/log.h"

static void
hmac_sha512(const void *key, size_t keylen, const void *p, size_t n,
    uint8_t out[64])
{
	unsigned int len = 64;

	if (HMAC(EVP_sha512(), key, (int)keylen, p, n, out, &len) == NULL ||
	    len != 64)
		fatalx("%s: libcrypto failed", __func__);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Fills pub from secret; -1 if secret is not a valid scalar. */
static int
set_pub_from_secret(struct bip32_key *k)
{
	size_t len;
	uint8_t pk[KEY_PUBKEY_MAX];

	if (key_pubkey(k->secret, 1, pk, &len) != 0 || len != 33)
		return -1;
	memcpy(k->pub, pk, 33);
	return 0;
}

int
bip32_from_seed(const uint8_t *seed, size_t len, struct bip32_key *out)
{
	static const char salt[] = "Bitcoin seed";
	uint8_t i[64];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	hmac_sha512(salt, sizeof(salt) - 1, seed, len, i);
	memcpy(out->secret, i, 32);
	memcpy(out->chaincode, i + 32, 32);
	out->has_secret = 1;
	if (!key_secret_valid(out->secret) || set_pub_from_secret(out) != 0) {
		bip32_wipe(out);
		rc = -1;
	}
	OPENSSL_cleanse(i, sizeof(i));
	return rc;
}

int
bip32_derive(const struct bip32_key *parent, uint32_t index,
    struct bip32_key *child)
{
	uint8_t data[37], i[64];
	secp256k1_pubkey pk;
	size_t len = 33;
	int rc = -1;

	if ((index & BIP32_HARDENED) && !parent->has_secret)
		return -1;
	memset(child, 0, sizeof(*child));
	if (index & BIP32_HARDENED) {
		data[0] = 0;
		memcpy(data + 1, parent->secret, 32);
	} else
		memcpy(data, parent->pub, 33);
	put_be32(data + 33, index);
	hmac_sha512(parent->chaincode, 32, data, sizeof(data), i);
	memcpy(child->chaincode, i + 32, 32);
	child->depth = (uint8_t)(parent->depth + 1);
	child->child = index;
	bip32_fingerprint(parent, child->parent_fpr);
	if (parent->has_secret) {
		memcpy(child->secret, parent->secret, 32);
		child->has_secret = 1;
		/* Fails when IL >= n or the sum is zero, as BIP32 says. */
		if (!secp256k1_ec_seckey_tweak_add(secp256k1_context_static,
			child->secret, i) ||
		    set_pub_from_secret(child) != 0)
			goto out;
	} else {
		if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk,
			parent->pub, 33) ||
		    !secp256k1_ec_pubkey_tweak_add(secp256k1_context_static,
			&pk, i))
			goto out;
		secp256k1_ec_pubkey_serialize(secp256k1_context_static,
		    child->pub, &len, &pk, SECP256K1_EC_COMPRESSED);
	}
	rc = 0;
out:
	OPENSSL_cleanse(data, sizeof(data));
	OPENSSL_cleanse(i, sizeof(i));
	if (rc != 0)
		bip32_wipe(child);
	return rc;
}

void
bip32_neuter(struct bip32_key *k)
{
	OPENSSL_cleanse(k->secret, sizeof(k->secret));
	k->has_secret = 0;
}

void
bip32_wipe(struct bip32_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void
bip32_fingerprint(const struct bip32_key *k, uint8_t fpr[4])
{
	uint8_t h[20];

	hash160(k->pub, 33, h);
	memcpy(fpr, h, 4);
}

void
bip32_serialize(const struct bip32_key *k, uint32_t version, int private,
    uint8_t out[BIP32_EXTKEY_SIZE])
{
	put_be32(out, version);
	out[4] = k->depth;
	memcpy(out + 5, k->parent_fpr, 4);
	put_be32(out + 9, k->child);
	memcpy(out + 13, k->chaincode, 32);
	if (private && k->has_secret) {
		out[45] = 0;
		memcpy(out + 46, k->secret, 32);
	} else
		memcpy(out + 45, k->pub, 33);
}

int
bip32_parse(const uint8_t in[BIP32_EXTKEY_SIZE], int private,
    struct bip32_key *out)
{
	secp256k1_pubkey pk;

	memset(out, 0, sizeof(*out));
	out->depth = in[4];
	memcpy(out->parent_fpr, in + 5, 4);
	out->child = get_be32(in + 9);
	memcpy(out->chaincode, in + 13, 32);
	if (out->depth == 0 &&
	    (out->child != 0 || get_be32(out->parent_fpr) != 0))
		goto bad;
	if (private) {
		if (in[45] != 0)
			goto bad;
		memcpy(out->secret, in + 46, 32);
		out->has_secret = 1;
		if (!key_secret_valid(out->secret) ||
		    set_pub_from_secret(out) != 0)
			goto bad;
		return 0;
	}
	if ((in[45] != 2 && in[45] != 3) ||
	    !secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, in + 45,
		33))
		goto bad;
	memcpy(out->pub, in + 45, 33);
	return 0;
bad:
	bip32_wipe(out);
	return -1;
}
