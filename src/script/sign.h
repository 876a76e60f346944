/*
 * Signing transaction inputs with keys the caller supplies, and merging
 * the signatures of partially signed copies of a transaction: Bitcoin
 * Core's SignTransaction, ProduceSignature, DataFromTransaction and the
 * loop of combinerawtransaction, byte for byte where the result is
 * deterministic (ECDSA: RFC 6979 with Core's low-R grinding, so the same
 * keys give the same transaction).
 *
 * Handled: P2PK, P2PKH, bare multisig, P2SH around any of them, P2WPKH,
 * P2SH-P2WPKH, P2WSH and P2SH-P2WSH around P2PK, P2PKH and multisig,
 * and around scripts only Miniscript satisfies (chain/miniscript.h's
 * satisfier, as Core's WshSatisfier). Taproot: as Core with keys alone,
 * key path by the output key itself, untweaked, with zero aux randomness
 * (deterministic). Inputs not signed are left as they are and reported by
 * the final script check.
 *
 * No JSON here; all functions are reentrant and may be called from any
 * thread. Secrets given to a provider are wiped when it is freed.
 */
#ifndef BR_SCRIPT_SIGN_H
#define BR_SCRIPT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"

/* Keys and scripts to sign with (Core's FlatSigningProvider). */
struct sign_provider;
struct sign_provider *sign_provider_new(void);
void sign_provider_free(struct sign_provider *p);
/* Adds a key; -1 if secret is not a valid key. */
int sign_provider_add_key(struct sign_provider *p, const uint8_t secret[32],
    int compressed);
/* Adds a redeem or witness script, found by its HASH160. Copied. */
void sign_provider_add_script(struct sign_provider *p, const uint8_t *s,
    size_t len);

/*
 * A public key Core's descriptors put in the provider's pubkeys (pkh,
 * wpkh, combo, a tr() internal key): what a P2PKH spend can look up.
 */
/*
 * A tapscript Miniscript key, found by the HASH160 of its x-only form (as
 * Core's MiniscriptDescriptor files it for pk_h in a leaf).
 */
void sign_provider_add_tap_pubkey(struct sign_provider *p,
    const uint8_t pub[33]);
void sign_provider_add_pubkey(struct sign_provider *p, const uint8_t *pub,
    size_t len);
/* A key's origin: the fingerprint and derivation path (BIP32 steps). */
void sign_provider_add_origin(struct sign_provider *p, const uint8_t *pub,
    size_t len, const uint8_t fpr[4], const uint32_t *path, size_t npath);
/*
 * A tr() output: internal x-only key and n tapscript leaves (scripts,
 * lengths, depths, in the descriptor's order, a valid tree). The output
 * key, merkle root and control blocks are computed as Core's
 * TaprootBuilder does.
 */
void sign_provider_add_taproot(struct sign_provider *p,
    const uint8_t internal[32], const uint8_t *const *scripts,
    const size_t *lens, const int *depths, size_t n);

/*
 * Core's IsSegWitOutput: a witness program, or P2SH around a script the
 * provider (may be NULL) knows to be one.
 */
int sign_provider_is_segwit(const struct sign_provider *p, const uint8_t *s,
    size_t len);

/*
 * The bytes the inputs of a signed transaction point to: its new
 * scriptSigs and witness items. Free it after the transaction (whose
 * witness arrays the transaction owns, as usual).
 */
struct sign_keep;
void sign_keep_free(struct sign_keep *k);

/* Core's error messages for an input, as signrawtransaction* reports them. */
#define SIGN_ERR_NOT_FOUND "Input not found or already spent"
#define SIGN_ERR_MISSING_AMOUNT "Missing amount"

/*
 * Core's SignTransaction: signs every input of tx it can with p, keeping
 * the signatures inputs already have, then checks each input with the
 * standard script flags. spent[i] is the output input i spends when
 * have[i] is set (an amount of MAX_MONEY means unknown, as Core's
 * prevtxs without "amount"). hash_type is a SIGHASH_* value
 * (SIGHASH_DEFAULT signs pre-taproot inputs with SIGHASH_ALL). tx's
 * inputs are updated in place; they then point into *keep. errors[i] is
 * set to NULL or the input's error (SIGN_ERR_*, or the failed check's
 * message). Returns 1 if every input is complete.
 */
int sign_transaction(struct tx *tx, const struct sign_provider *p,
    const struct txout *spent, const int *have, int hash_type,
    const char **errors, struct sign_keep **keep);

/*
 * The loop of Core's combinerawtransaction: each input of merged (which
 * is variants[0], a copy the caller may change) gets the signatures
 * every variant has for it, joined as ProduceSignature joins them.
 * spent[i] is the output input i of merged spends (all must be known).
 * merged's inputs then point into *keep.
 */
void sign_combine(struct tx *merged, const struct tx *variants,
    size_t nvariants, const struct txout *spent, struct sign_keep **keep);

#endif
