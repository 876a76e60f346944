/*
 * secp256k1 keys and signatures (see key.h).
 */
#include <pthread.h>
#include <string.h>

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "util/log.h"

static secp256k1_context *sign_ctx;
static pthread_once_t sign_once = PTHREAD_ONCE_INIT;

static void
sign_ctx_init(void)
{
	uint8_t seed[32];

	sign_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (sign_ctx == NULL)
		fatalx("%s: secp256k1_context_create", __func__);
	/* Blinding only: signatures are the same with or without it. */
	if (RAND_bytes(seed, sizeof(seed)) == 1 &&
	    !secp256k1_context_randomize(sign_ctx, seed))
		fatalx("%s: secp256k1_context_randomize", __func__);
	memset(seed, 0, sizeof(seed));
}

static const secp256k1_context *
signing_context(void)
{
	pthread_once(&sign_once, sign_ctx_init);
	return sign_ctx;
}

int
key_secret_valid(const uint8_t secret[KEY_SECRET_SIZE])
{
	return secp256k1_ec_seckey_verify(secp256k1_context_static, secret) ==
	    1;
}

int
key_pubkey(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    uint8_t out[KEY_PUBKEY_MAX], size_t *len)
{
	secp256k1_pubkey pub;

	if (!secp256k1_ec_pubkey_create(signing_context(), &pub, secret))
		return -1;
	*len = KEY_PUBKEY_MAX;
	secp256k1_ec_pubkey_serialize(secp256k1_context_static, out, len, &pub,
	    compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
	return 0;
}

int
key_pubkey_valid(const uint8_t *pk, size_t len)
{
	secp256k1_pubkey pub;
	size_t want;

	if (len == 0)
		return 0;
	switch (pk[0]) {
	case 0x02:
	case 0x03: want = KEY_PUBKEY_COMPRESSED; break;
	case 0x04:
	case 0x06:
	case 0x07: want = KEY_PUBKEY_MAX; break;
	default: return 0;
	}
	return len == want &&
	    secp256k1_ec_pubkey_parse(secp256k1_context_static, &pub, pk,
		len) == 1;
}

/* Core's SigHasLowR: R's top bit clear, so DER needs no padding byte. */
static int
has_low_r(const secp256k1_ecdsa_signature *sig)
{
	uint8_t compact[64];

	secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static,
	    compact, sig);
	return compact[0] < 0x80;
}

int
key_sign_ecdsa(const uint8_t secret[KEY_SECRET_SIZE], const uint8_t hash[32],
    uint8_t der[KEY_DER_MAX], size_t *len)
{
	secp256k1_ecdsa_signature sig;
	uint8_t extra[32];
	uint32_t counter = 0;
	int ok;

	memset(extra, 0, sizeof(extra));
	ok = secp256k1_ecdsa_sign(signing_context(), &sig, hash, secret,
	    secp256k1_nonce_function_rfc6979, NULL);
	while (ok && !has_low_r(&sig)) {
		counter++;
		extra[0] = (uint8_t)counter;
		extra[1] = (uint8_t)(counter >> 8);
		extra[2] = (uint8_t)(counter >> 16);
		extra[3] = (uint8_t)(counter >> 24);
		ok = secp256k1_ecdsa_sign(signing_context(), &sig, hash,
		    secret, secp256k1_nonce_function_rfc6979, extra);
	}
	if (!ok)
		return -1;
	*len = KEY_DER_MAX;
	if (!secp256k1_ecdsa_signature_serialize_der(secp256k1_context_static,
		der, len, &sig))
		return -1;
	return 0;
}

int
key_sign_schnorr(const uint8_t secret[KEY_SECRET_SIZE], const uint8_t hash[32],
    int tweak, const uint8_t merkle_root[32], uint8_t sig[64])
{
	static const uint8_t zero[32];
	secp256k1_keypair kp;
	secp256k1_xonly_pubkey xpub;
	struct sha256_ctx c;
	uint8_t x[32], t[32];
	int ok;

	if (!secp256k1_keypair_create(signing_context(), &kp, secret))
		return -1;
	ok = 1;
	if (tweak) {
		/* TapTweak(internal key || merkle root, when there is one). */
		ok = secp256k1_keypair_xonly_pub(secp256k1_context_static,
			 &xpub, NULL, &kp) &&
		    secp256k1_xonly_pubkey_serialize(secp256k1_context_static,
			x, &xpub);
		tagged_hash_init(&c, "TapTweak");
		sha256_update(&c, x, 32);
		if (merkle_root != NULL && memcmp(merkle_root, zero, 32) != 0)
			sha256_update(&c, merkle_root, 32);
		sha256_final(&c, t);
		ok = ok &&
		    secp256k1_keypair_xonly_tweak_add(secp256k1_context_static,
			&kp, t);
	}
	/* Core's signer passes uint256{} as the aux randomness. */
	ok = ok &&
	    secp256k1_schnorrsig_sign32(signing_context(), sig, hash, &kp,
		zero) &&
	    secp256k1_keypair_xonly_pub(secp256k1_context_static, &xpub, NULL,
		&kp) &&
	    secp256k1_schnorrsig_verify(secp256k1_context_static, sig, hash,
		32, &xpub);
	explicit_bzero(&kp, sizeof(kp));
	if (!ok) {
		memset(sig, 0, 64);
		return -1;
	}
	return 0;
}

int
key_sign_compact(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    const uint8_t hash[32], uint8_t sig[KEY_COMPACT_SIZE])
{
	secp256k1_ecdsa_recoverable_signature rsig;
	int recid = -1;

	if (!secp256k1_ecdsa_sign_recoverable(signing_context(), &rsig, hash,
		secret, secp256k1_nonce_function_rfc6979, NULL))
		return -1;
	secp256k1_ecdsa_recoverable_signature_serialize_compact(
	    secp256k1_context_static, sig + 1, &recid, &rsig);
	if (recid < 0 || recid > 3)
		return -1;
	sig[0] = (uint8_t)(27 + recid + (compressed ? 4 : 0));
	return 0;
}

int
key_recover_compact(const uint8_t *sig, size_t siglen, const uint8_t hash[32],
    uint8_t pk[KEY_PUBKEY_MAX], size_t *len)
{
	secp256k1_ecdsa_recoverable_signature rsig;
	secp256k1_pubkey pub;
	int recid, compressed;

	if (siglen != KEY_COMPACT_SIZE)
		return -1;
	/* As Core: the header byte minus 27, in int arithmetic, low bits. */
	recid = ((int)sig[0] - 27) & 3;
	compressed = (((int)sig[0] - 27) & 4) != 0;
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(
		secp256k1_context_static, &rsig, sig + 1, recid))
		return -1;
	if (!secp256k1_ecdsa_recover(secp256k1_context_static, &pub, &rsig,
		hash))
		return -1;
	*len = KEY_PUBKEY_MAX;
	secp256k1_ec_pubkey_serialize(secp256k1_context_static, pk, len, &pub,
	    compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
	return 0;
}
