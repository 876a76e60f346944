/*
 * Internal to the signing code (sign.c, sign_provider.c, psbt_sign.c):
 * what a struct sign_provider holds (Core's FlatSigningProvider: keys,
 * scripts, public keys, key origins and taproot trees) and its lookups.
 * Not for other modules: they see only sign.h.
 */
#ifndef BR_SIGN_INT_H
#define BR_SIGN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "script/sign.h"

struct skey {
	uint8_t secret[32];
	uint8_t pub[KEY_PUBKEY_MAX];
	size_t publen;
	uint8_t id[20];
	int compressed;
};

struct sscript {
	uint8_t *s;
	size_t len;
	uint8_t id[20];
};

/* A public key (Core's pubkeys map) and maybe its origin (origins). */
struct spub {
	uint8_t pub[KEY_PUBKEY_MAX];
	size_t len;
	uint8_t id[20];
	uint8_t fpr[4];
	uint32_t *path;
	size_t npath;
};

/* One leaf of a taproot tree, with its control block. */
struct sleaf {
	uint8_t *script;
	size_t len;
	uint8_t ver;
	int depth;
	uint8_t *control;
	size_t clen;
};

/* Core's TaprootBuilder of one tr() output, finalised. */
struct stree {
	uint8_t output[32];
	uint8_t internal[32];
	int have_root;
	uint8_t root[32];
	struct sleaf *leaves; /* in the descriptor's order */
	size_t n;
};

struct sign_provider {
	struct skey *keys;
	size_t nkeys;
	struct sscript *scripts;
	size_t nscripts;
	struct spub *pubkeys, *origins;
	size_t npubkeys, norigins;
	struct stree *trees;
	size_t ntrees;
};

/* Lookups; p may be NULL (no keys). NULL when not found. */
const struct skey *sign_provider_key(const struct sign_provider *p,
    const uint8_t id[20]);
/* Core's GetKeyByXOnly: the even key's id, then the odd one's. */
const struct skey *sign_provider_key_xonly(const struct sign_provider *p,
    const uint8_t x[32]);
const struct sscript *sign_provider_script(const struct sign_provider *p,
    const uint8_t id[20]);
/*
 * Core's CreateSchnorrSig for input nin: the provider's key for x-only
 * key x signs the taproot sighash (key path when lh is NULL, tweaked with
 * root when tweak is non-zero; else the script path of leaf hash lh),
 * with zero aux randomness as Core. sig gets 64 bytes, 65 with the hash
 * type appended unless it is SIGHASH_DEFAULT. 1 with *siglen, or 0 (no
 * key, or no sighash: td lacks spent outputs or the type is invalid).
 */
struct script_txdata;
int sign_schnorr_create(const struct sign_provider *p,
    const struct script_txdata *td, size_t nin, int hash_type,
    const uint8_t x[32], const uint8_t *lh, int tweak, const uint8_t *root,
    uint8_t sig[65], size_t *siglen);
const struct spub *sign_provider_pubkey(const struct sign_provider *p,
    const uint8_t id[20]);
const struct spub *sign_provider_origin(const struct sign_provider *p,
    const uint8_t id[20]);
const struct spub *sign_provider_origin_xonly(const struct sign_provider *p,
    const uint8_t x[32]);
const struct stree *sign_provider_taproot(const struct sign_provider *p,
    const uint8_t output[32]);

#endif
