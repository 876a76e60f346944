/*
 * Partially signed transactions (BIP174, with the BIP371 taproot fields)
 * as Bitcoin Core 28 reads and writes them: PSBT version 0 only (Core 28
 * refuses the BIP370 version 2 with "Unsupported version number").
 *
 * A struct psbt keeps every key-value record as its raw key and value
 * bytes, one sorted array per field kind in the order Core's maps keep
 * them, so that serialising gives Core's bytes (fields in Core's order,
 * duplicates refused as Core refuses them). The few fields whose value
 * Core re-encodes (the non-witness UTXO loses its witnesses, taproot
 * derivations sort their leaf hashes) are re-encoded when parsed.
 *
 * Everything a struct psbt points to is owned by it (psbt_free). No JSON
 * here; reentrant, any thread.
 */
#ifndef BR_SCRIPT_PSBT_H
#define BR_SCRIPT_PSBT_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"
#include "script/opcodes.h"
#include "util/buf.h"

/* Key types (BIP174, BIP371). */
#define PSBT_GLOBAL_UNSIGNED_TX 0x00
#define PSBT_GLOBAL_XPUB 0x01
#define PSBT_GLOBAL_VERSION 0xfb
#define PSBT_GLOBAL_PROPRIETARY 0xfc
#define PSBT_IN_NON_WITNESS_UTXO 0x00
#define PSBT_IN_WITNESS_UTXO 0x01
#define PSBT_IN_PARTIAL_SIG 0x02
#define PSBT_IN_SIGHASH 0x03
#define PSBT_IN_REDEEMSCRIPT 0x04
#define PSBT_IN_WITNESSSCRIPT 0x05
#define PSBT_IN_BIP32_DERIVATION 0x06
#define PSBT_IN_SCRIPTSIG 0x07
#define PSBT_IN_SCRIPTWITNESS 0x08
#define PSBT_IN_RIPEMD160 0x0a
#define PSBT_IN_SHA256 0x0b
#define PSBT_IN_HASH160 0x0c
#define PSBT_IN_HASH256 0x0d
#define PSBT_IN_TAP_KEY_SIG 0x13
#define PSBT_IN_TAP_SCRIPT_SIG 0x14
#define PSBT_IN_TAP_LEAF_SCRIPT 0x15
#define PSBT_IN_TAP_BIP32_DERIVATION 0x16
#define PSBT_IN_TAP_INTERNAL_KEY 0x17
#define PSBT_IN_TAP_MERKLE_ROOT 0x18
#define PSBT_IN_PROPRIETARY 0xfc
#define PSBT_OUT_REDEEMSCRIPT 0x00
#define PSBT_OUT_WITNESSSCRIPT 0x01
#define PSBT_OUT_BIP32_DERIVATION 0x02
#define PSBT_OUT_TAP_INTERNAL_KEY 0x05
#define PSBT_OUT_TAP_TREE 0x06
#define PSBT_OUT_TAP_BIP32_DERIVATION 0x07
#define PSBT_OUT_PROPRIETARY 0xfc

/* Core's PSBT_HIGHEST_VERSION in release 28. */
#define PSBT_HIGHEST_VERSION 0

/* One key-value record: key starts with its type. */
struct psbt_rec {
	uint8_t *key;
	size_t klen;
	uint8_t *val;
	size_t vlen;
};

/*
 * The records of one field kind, sorted as Core's container for that
 * field sorts them (kind is a PSBT_KIND_* of psbt.c).
 */
struct psbt_map {
	struct psbt_rec *r;
	size_t n;
	int kind;
};

struct psbt_input {
	/* Non-witness UTXO: parsed copy (owned arena), or have_nwu == 0. */
	int have_nwu;
	struct tx nwu;
	/* Witness UTXO; Core drops one whose value is -1 (its null). */
	int have_wu;
	int64_t wu_value;
	uint8_t *wu_script;
	size_t wu_script_len;
	int have_sighash;
	int32_t sighash;
	/* Scripts; empty means absent as for Core. */
	uint8_t *redeem, *wscript, *final_sig;
	size_t redeem_len, wscript_len, final_sig_len;
	/* Final witness: the serialized stack (compact count, items). */
	int have_final_wit;
	uint8_t *final_wit;
	size_t final_wit_len;
	uint8_t tap_key_sig[65];
	size_t tap_key_sig_len;	     /* 0 when absent */
	uint8_t tap_internal[32];    /* all zero when absent */
	uint8_t tap_merkle_root[32]; /* all zero when absent */
	struct psbt_map sigs, keypaths, ripemd160, sha256, hash160, hash256,
	    tap_sigs, tap_leaves, tap_keypaths, proprietary, unknown;
};

struct psbt_output {
	uint8_t *redeem, *wscript;
	size_t redeem_len, wscript_len;
	uint8_t tap_internal[32];
	/* Taproot tree: the value as serialized (depth, version, script)*. */
	uint8_t *tap_tree;
	size_t tap_tree_len;
	struct psbt_map keypaths, tap_keypaths, proprietary, unknown;
};

struct psbt {
	struct tx tx;	  /* owned arena (tx_copy) */
	int have_version; /* PSBT_GLOBAL_VERSION given */
	uint32_t version;
	struct psbt_map xpubs, proprietary, unknown;
	struct psbt_input *in;	 /* tx.vin_count */
	struct psbt_output *out; /* tx.vout_count */
};

/*
 * Core's DecodeRawPSBT. 0 with *p filled, or -1 with Core's error text
 * (the exception text, ": iostream error" included, or "extra data after
 * PSBT") in err and nothing to free.
 */
int psbt_parse(const uint8_t *data, size_t len, struct psbt *p, char *err,
    size_t errlen);
/* Core's serialization. */
void psbt_serialize(const struct psbt *p, struct wbuf *w);
void psbt_free(struct psbt *p);
/* A PSBT around tx (whose scriptSigs and witnesses are taken empty). */
void psbt_from_tx(struct psbt *p, const struct tx *tx);
/* Deep copy. */
void psbt_copy(struct psbt *dst, const struct psbt *src);

/*
 * Core's PartiallySignedTransaction::Merge: -1 if the transactions
 * differ (nothing changed), else 0 with every record of src that dst
 * lacks added to dst.
 */
int psbt_merge(struct psbt *dst, const struct psbt *src);

/* Whether input i is finalised (final scriptSig or witness present). */
int psbt_input_is_final(const struct psbt_input *in);
/*
 * The output input i spends, as Core's GetUTXO: the non-witness UTXO's
 * output, else the witness UTXO. 1 with *out borrowing from p, or 0.
 */
int psbt_input_utxo(const struct psbt *p, size_t i, struct txout *out);
/* The final witness as items borrowing from in: n items, xmalloc'd. */
struct witem *psbt_final_witness(const struct psbt_input *in, size_t *n);

/* A copy of n bytes (xmalloc'd, at least one byte allocated). */
uint8_t *psbt_dup(const uint8_t *p, size_t n);
/* Setters that own a copy of their bytes. */
void psbt_set_bytes(uint8_t **dst, size_t *dlen, const uint8_t *src,
    size_t len);
/*
 * Adds a record to m unless one with the same key exists. Copies. Returns
 * 1 if added.
 */
int psbt_map_add(struct psbt_map *m, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen);
void psbt_map_clear(struct psbt_map *m);
/* std::map::insert of src's records into dst (those with new keys). */
void psbt_map_merge(struct psbt_map *dst, const struct psbt_map *src);
/*
 * dst (uninitialised) becomes a copy of src; for_join drops the partial
 * signatures and final scripts as Core's AddInput does.
 */
void psbt_input_copy(struct psbt_input *dst, const struct psbt_input *src,
    int for_join);
void psbt_output_copy(struct psbt_output *dst, const struct psbt_output *src);

/* Sets the non-witness UTXO to a copy of t (without its witnesses). */
void psbt_input_set_nwu(struct psbt_input *in, const struct tx *t);

/*
 * Core's ProcessPSBT after the UTXOs are found (psbt_sign.c): each input
 * without final scripts goes through SignPSBTInput with provider sp
 * (signing when sign is set, with SIGHASH_* value sighash; adding key
 * origins when bip32derivs is set; finalising when finalize is set), then
 * each output through UpdatePSBTOutput. Returns 1 when every input is
 * final. sp may be NULL.
 */
struct sign_provider;
int psbt_sign(struct psbt *p, const struct sign_provider *sp, int sign,
    int sighash, int bip32derivs, int finalize);

/*
 * Core's FinalizePSBT (psbt_final.c): each input whose signatures are
 * all there gets its final scriptSig and witness, checked with the
 * standard script flags, and loses its partial fields. Returns 1 when
 * every input is final.
 */
int psbt_finalize(struct psbt *p);
/*
 * Core's FinalizeAndExtractPSBT's extraction: the transaction with the
 * final scripts (p must be complete). *tx borrows from p; free it with
 * psbt_extract_free before p.
 */
void psbt_extract(const struct psbt *p, struct tx *tx);
void psbt_extract_free(struct tx *tx);

/* What an input lacks to be signed (Core's SignatureData missing_*). */
struct psbt_missing {
	uint8_t pubkeys[4][20]; /* HASH160 of keys */
	size_t npubkeys;
	uint8_t sigs[MAX_PUBKEYS_PER_MULTISIG][20]; /* HASH160 of keys */
	size_t nsigs;
	int have_redeem;
	uint8_t redeem[20]; /* HASH160 of the redeem script */
	int have_witness;
	uint8_t witness[32]; /* SHA256 of the witness script */
};

/* Core's PSBTRole, in its order. */
enum psbt_role {
	PSBT_CREATOR,
	PSBT_UPDATER,
	PSBT_SIGNER,
	PSBT_FINALIZER,
	PSBT_EXTRACTOR,
};
const char *psbt_role_name(enum psbt_role r);

struct psbt_input_analysis {
	int has_utxo;
	int is_final;
	enum psbt_role next;
	struct psbt_missing miss;
};

/*
 * Core's AnalyzePSBT. With have_estimate, est is the transaction with
 * dummy signatures (Core's DUMMY_SIGNATURE_CREATOR) whose virtual size
 * estimates the signed one, and spent the outputs its inputs spend (for
 * the sigop count). error is empty, or Core's text for an invalid PSBT
 * (then only next, PSBT_CREATOR, is meaningful). Owns everything.
 */
struct psbt_analysis {
	struct psbt_input_analysis *in;
	size_t nin;
	int have_fee;
	int64_t fee;
	int have_estimate;
	struct tx est;
	struct txout *spent;
	enum psbt_role next;
	char error[96];
};
void psbt_analyze(const struct psbt *p, struct psbt_analysis *a);
void psbt_analysis_free(struct psbt_analysis *a);
/* Finalised input: drops the fields Core clears on finalising. */
void psbt_input_clear_partial(struct psbt_input *in);

#endif
