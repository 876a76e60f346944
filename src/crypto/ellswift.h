/*
 * ElligatorSwift (BIP324): 64-byte encodings of secp256k1 public keys that
 * look like uniformly random bytes, and the x-only ECDH over them that
 * BIP324 hashes into its shared secret.
 *
 * The field arithmetic (XSwiftEC, XSwiftECInv) uses OpenSSL BIGNUMs and is
 * not constant time: decoding works on the peer's public bytes, and
 * encoding on our own public key, which we send anyway. Every operation
 * on a secret key goes through libsecp256k1 (secp256k1_ec_pubkey_create,
 * secp256k1_ecdh), which is constant time.
 *
 * Reentrant: any thread may call these; a libsecp256k1 context is created
 * (and randomized) once on first use. Returns are 0 or -1.
 */
#ifndef BR_ELLSWIFT_H
#define BR_ELLSWIFT_H

#include <stdint.h>

#define ELLSWIFT_LEN 64

/* XSwiftEC: the x coordinate (32 bytes, big-endian) that ell (u || t) encodes. Never fails. */
void ellswift_decode(const uint8_t ell[ELLSWIFT_LEN], uint8_t x[32]);
/*
 * XSwiftECInv: t (big-endian) such that XSwiftEC(u, t) = x, for branch
 * c (0..7); -1 when that branch has no solution. x must be on the curve.
 */
int ellswift_xswiftec_inv(const uint8_t x[32], const uint8_t u[32], int c,
    uint8_t t[32]);
/* A random 64-byte encoding of the x coordinate x (on the curve). */
void ellswift_encode_x(const uint8_t x[32], uint8_t ell[ELLSWIFT_LEN]);
/* The x coordinate of priv*G; -1 if priv is not a valid secret key. */
int ellswift_pubkey_x(const uint8_t priv[32], uint8_t x[32]);
/* A fresh secret key and a random encoding of its public key. */
void ellswift_keygen(uint8_t priv[32], uint8_t ell[ELLSWIFT_LEN]);
/* x(priv * lift_x(decode(ell_theirs))); -1 if priv is invalid. */
int ellswift_ecdh_xonly(const uint8_t ell_theirs[ELLSWIFT_LEN],
    const uint8_t priv[32], uint8_t x[32]);
/*
 * BIP324's shared secret: tagged hash "bip324_ellswift_xonly_ecdh" of the
 * initiator's encoding, the responder's encoding and the x-only ECDH
 * result. -1 if priv is invalid.
 */
int ellswift_xdh_bip324(const uint8_t ell_ours[ELLSWIFT_LEN],
    const uint8_t ell_theirs[ELLSWIFT_LEN], const uint8_t priv[32],
    int initiating, uint8_t secret[32]);

#endif
