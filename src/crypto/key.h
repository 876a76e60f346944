/*
 * secp256k1 keys through libsecp256k1: private keys, public keys, ECDSA
 * signatures as Bitcoin Core makes them (RFC 6979 nonces, low S, grinding
 * for a low R) and the compact recoverable signatures of signed messages.
 *
 * Signing uses one context, created on first use (pthread_once) and
 * randomized against side channels; randomization does not change the
 * deterministic signatures. Everything else uses libsecp256k1's static
 * context. All functions are reentrant and may be called from any thread.
 * Secrets passed in are only read; callers wipe their own copies.
 */
#ifndef BR_KEY_H
#define BR_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_SECRET_SIZE 32
#define KEY_PUBKEY_MAX 65 /* uncompressed */
#define KEY_PUBKEY_COMPRESSED 33
#define KEY_DER_MAX 72	    /* DER ECDSA signature, no hash type */
#define KEY_COMPACT_SIZE 65 /* header byte, r, s */

/* Whether 0 < secret < the group order. */
int key_secret_valid(const uint8_t secret[KEY_SECRET_SIZE]);
/*
 * The public key of secret, compressed (33 bytes) or not (65). 0 with
 * *len set, or -1 for an invalid secret.
 */
int key_pubkey(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    uint8_t out[KEY_PUBKEY_MAX], size_t *len);
/*
 * Core's CPubKey::IsFullyValid: the length the first byte announces (33
 * for 02/03, 65 for 04/06/07) and a point on the curve.
 */
int key_pubkey_valid(const uint8_t *pk, size_t len);
/*
 * Core's CKey::Sign: deterministic ECDSA over hash with low S, retried
 * with extra entropy (a counter) until R is below 2^255, so the DER
 * encoding is at most 71 bytes. 0 with der and *len, or -1.
 */
int key_sign_ecdsa(const uint8_t secret[KEY_SECRET_SIZE],
    const uint8_t hash[32], uint8_t der[KEY_DER_MAX], size_t *len);
/*
 * Core's CKey::SignSchnorr (BIP340) over hash with 32 zero bytes of aux
 * randomness, as Core's signer passes (so signatures repeat). With tweak,
 * the key is first tweaked as a taproot internal key (BIP341) with
 * merkle_root, which is NULL or all zero for a key-only output. The
 * signature is verified before it is returned. 0 with sig, or -1.
 */
int key_sign_schnorr(const uint8_t secret[KEY_SECRET_SIZE],
    const uint8_t hash[32], int tweak, const uint8_t merkle_root[32],
    uint8_t sig[64]);
/*
 * Core's CKey::SignCompact: 27 + recovery id (+ 4 for a compressed key),
 * then R and S. 0 or -1.
 */
int key_sign_compact(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    const uint8_t hash[32], uint8_t sig[KEY_COMPACT_SIZE]);
/*
 * Core's CPubKey::RecoverCompact: the key that made sig over hash,
 * compressed or not as sig's header byte says. 0 with *len, or -1.
 */
int key_recover_compact(const uint8_t *sig, size_t siglen,
    const uint8_t hash[32], uint8_t pk[KEY_PUBKEY_MAX], size_t *len);

#endif
