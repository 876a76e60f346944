/*
 * BIP32 hierarchical deterministic keys: master keys from a seed, private
 * and public child derivation, and the 78-byte serialisation that Base58Check
 * wraps into xpub/xprv strings (the version bytes are the caller's, from
 * chainparams).
 *
 * HMAC-SHA512 comes from libcrypto, the scalar and point additions from
 * libsecp256k1's tweak functions. Reentrant, any thread. A struct bip32_key
 * holding a secret is the caller's to wipe (bip32_wipe) when done.
 */
#ifndef BR_BIP32_H
#define BR_BIP32_H

#include <stddef.h>
#include <stdint.h>

#define BIP32_HARDENED 0x80000000U
#define BIP32_EXTKEY_SIZE 78

struct bip32_key {
	uint8_t depth;
	uint8_t parent_fpr[4];
	uint32_t child;
	uint8_t chaincode[32];
	uint8_t pub[33]; /* compressed; always set */
	uint8_t secret[32];
	int has_secret;
};

/* The master key of seed (16 to 64 bytes in BIP32). 0, or -1 (invalid). */
int bip32_from_seed(const uint8_t *seed, size_t len, struct bip32_key *out);
/*
 * Child index of parent (hardened when index has BIP32_HARDENED set).
 * Private derivation when parent has its secret, else public. Returns 0, or
 * -1 when a hardened child of a public-only key is asked for or the
 * derived key is invalid (probability below 2^-127).
 */
int bip32_derive(const struct bip32_key *parent, uint32_t index,
    struct bip32_key *child);
/* Drops the secret, keeping the extended public key. */
void bip32_neuter(struct bip32_key *k);
void bip32_wipe(struct bip32_key *k);
/* The first four bytes of HASH160 of the public key. */
void bip32_fingerprint(const struct bip32_key *k, uint8_t fpr[4]);
/*
 * The serialisation under version: the private form when k has its secret
 * and private is set, else the public one.
 */
void bip32_serialize(const struct bip32_key *k, uint32_t version, int private,
    uint8_t out[BIP32_EXTKEY_SIZE]);
/*
 * Reads a serialisation as Core's CExtKey/CExtPubKey::Decode: a depth 0
 * key must have child 0 and a zero parent fingerprint, a private key must
 * start with 0x00 and be a valid scalar, a public key must be a valid
 * compressed point. private says which form to read. 0, or -1.
 */
int bip32_parse(const uint8_t in[BIP32_EXTKEY_SIZE], int private,
    struct bip32_key *out);

#endif
