/*
 * Script verification: the interpreter, signature hashes and the checks that
 * connect a transaction input to the output it spends.
 *
 * Everything here is reentrant and may run on any thread; the only shared
 * state is the signature cache (sigcache.h), which has its own lock.
 */
#ifndef BR_SCRIPT_H
#define BR_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"

/* ---- Verification flags ---- */

/* Verification flags, with Core's names and bit positions. */
#define SCRIPT_VERIFY_NONE 0u
#define SCRIPT_VERIFY_P2SH (1u << 0)
#define SCRIPT_VERIFY_STRICTENC (1u << 1)
#define SCRIPT_VERIFY_DERSIG (1u << 2)
#define SCRIPT_VERIFY_LOW_S (1u << 3)
#define SCRIPT_VERIFY_NULLDUMMY (1u << 4)
#define SCRIPT_VERIFY_SIGPUSHONLY (1u << 5)
#define SCRIPT_VERIFY_MINIMALDATA (1u << 6)
#define SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS (1u << 7)
#define SCRIPT_VERIFY_CLEANSTACK (1u << 8)
#define SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY (1u << 9)
#define SCRIPT_VERIFY_CHECKSEQUENCEVERIFY (1u << 10)
#define SCRIPT_VERIFY_WITNESS (1u << 11)
#define SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM (1u << 12)
#define SCRIPT_VERIFY_MINIMALIF (1u << 13)
#define SCRIPT_VERIFY_NULLFAIL (1u << 14)
#define SCRIPT_VERIFY_WITNESS_PUBKEYTYPE (1u << 15)
#define SCRIPT_VERIFY_CONST_SCRIPTCODE (1u << 16)
#define SCRIPT_VERIFY_TAPROOT (1u << 17)
#define SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION (1u << 18)
#define SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS (1u << 19)
#define SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE (1u << 20)

/* Parses "P2SH,WITNESS,..." (Core's names, as in the JSON vectors). */
int script_flags_parse(const char *s, uint32_t *flags);

/* Every flag above; bits outside it are ignored by the interpreter. */
#define SCRIPT_VERIFY_ALL ((1u << 21) - 1)

/*
 * Consensus flags that every block since its deployment must satisfy (Core's
 * MANDATORY_SCRIPT_VERIFY_FLAGS); which of them apply at a given height comes
 * from consensus_block_script_flags() (src/consensus). Policy (standardness) adds the rest; blocks are
 * never checked with policy flags.
 */
#define SCRIPT_MANDATORY_VERIFY_FLAGS \
	(SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | \
	    SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY | \
	    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS | \
	    SCRIPT_VERIFY_TAPROOT)
/* Core's STANDARD_SCRIPT_VERIFY_FLAGS (mempool policy). */
#define SCRIPT_STANDARD_VERIFY_FLAGS \
	(SCRIPT_MANDATORY_VERIFY_FLAGS | SCRIPT_VERIFY_STRICTENC | \
	    SCRIPT_VERIFY_MINIMALDATA | \
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS | \
	    SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_MINIMALIF | \
	    SCRIPT_VERIFY_NULLFAIL | SCRIPT_VERIFY_LOW_S | \
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | \
	    SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | \
	    SCRIPT_VERIFY_CONST_SCRIPTCODE | \
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION | \
	    SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS | \
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE)

/* Core's flag name of one flag bit ("P2SH"), or NULL. */
const char *script_flag_name(uint32_t flag);

/* ---- Errors ---- */

/* Core's ScriptError_t, same order. */
enum script_error {
	SCRIPT_ERR_OK = 0,
	SCRIPT_ERR_UNKNOWN_ERROR,
	SCRIPT_ERR_EVAL_FALSE,
	SCRIPT_ERR_OP_RETURN,
	SCRIPT_ERR_SCRIPT_SIZE,
	SCRIPT_ERR_PUSH_SIZE,
	SCRIPT_ERR_OP_COUNT,
	SCRIPT_ERR_STACK_SIZE,
	SCRIPT_ERR_SIG_COUNT,
	SCRIPT_ERR_PUBKEY_COUNT,
	SCRIPT_ERR_VERIFY,
	SCRIPT_ERR_EQUALVERIFY,
	SCRIPT_ERR_CHECKMULTISIGVERIFY,
	SCRIPT_ERR_CHECKSIGVERIFY,
	SCRIPT_ERR_NUMEQUALVERIFY,
	SCRIPT_ERR_BAD_OPCODE,
	SCRIPT_ERR_DISABLED_OPCODE,
	SCRIPT_ERR_INVALID_STACK_OPERATION,
	SCRIPT_ERR_INVALID_ALTSTACK_OPERATION,
	SCRIPT_ERR_UNBALANCED_CONDITIONAL,
	SCRIPT_ERR_NEGATIVE_LOCKTIME,
	SCRIPT_ERR_UNSATISFIED_LOCKTIME,
	SCRIPT_ERR_SIG_HASHTYPE,
	SCRIPT_ERR_SIG_DER,
	SCRIPT_ERR_MINIMALDATA,
	SCRIPT_ERR_SIG_PUSHONLY,
	SCRIPT_ERR_SIG_HIGH_S,
	SCRIPT_ERR_SIG_NULLDUMMY,
	SCRIPT_ERR_PUBKEYTYPE,
	SCRIPT_ERR_CLEANSTACK,
	SCRIPT_ERR_MINIMALIF,
	SCRIPT_ERR_SIG_NULLFAIL,
	SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS,
	SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
	SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
	SCRIPT_ERR_DISCOURAGE_OP_SUCCESS,
	SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
	SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH,
	SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY,
	SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH,
	SCRIPT_ERR_WITNESS_MALLEATED,
	SCRIPT_ERR_WITNESS_MALLEATED_P2SH,
	SCRIPT_ERR_WITNESS_UNEXPECTED,
	SCRIPT_ERR_WITNESS_PUBKEYTYPE,
	SCRIPT_ERR_SCHNORR_SIG_SIZE,
	SCRIPT_ERR_SCHNORR_SIG_HASHTYPE,
	SCRIPT_ERR_SCHNORR_SIG,
	SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE,
	SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT,
	SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG,
	SCRIPT_ERR_TAPSCRIPT_MINIMALIF,
	SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY,
	SCRIPT_ERR_OP_CODESEPARATOR,
	SCRIPT_ERR_SIG_FINDANDDELETE,
	SCRIPT_ERR_ERROR_COUNT
};

/* Core's ScriptErrorString text, e.g. "Script evaluated without error but finished with a false/empty top stack element". */
const char *script_error_string(int err);
/* Core's short name as in script_tests.json, e.g. "EVAL_FALSE". */
const char *script_error_name(int err);

/* Error code of a short name ("EVAL_FALSE", "OK"); -1 if unknown. */
int script_error_from_name(const char *name);

/* ---- Verifying an input ---- */

/*
 * Per-transaction precomputed hashes (BIP143 and BIP341 midstates), made
 * once so a transaction with many inputs hashes its prevouts, amounts,
 * scripts, sequences and outputs once. spent[i] is the output that input i
 * spends; spent may be NULL when unknown (then taproot checks fail).
 * The struct borrows tx and spent: keep both alive while it is used.
 */
struct script_txdata;
struct script_txdata *script_txdata_new(const struct tx *tx,
    const struct txout *spent);
void script_txdata_free(struct script_txdata *td);

/*
 * Verifies input nin of tx against the output it spends under flags.
 * Returns 1 if valid, 0 if not, with *err (may be NULL) set to a
 * SCRIPT_ERR_* code.
 */
int script_verify_input(const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td,
    int *err);

struct sigcache;
/*
 * script_verify_input with signature checks looked up in cache (may be
 * NULL). A hit is taken as valid; with store, new valid signatures are
 * added, without it a hit is removed (Core: blocks consume what the
 * mempool cached). td may be NULL: hashes are then computed for this call,
 * without the spent outputs of other inputs (taproot spends then fail).
 * spent is the one output that input nin spends.
 */
int script_verify_input_cached(const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td,
    struct sigcache *cache, int store, int *err);

/*
 * Called for each ECDSA signature that checks out while an input is
 * verified (Core's SignatureExtractorChecker, which signing uses to learn
 * the signatures an input already has): sig with its hash type byte and
 * the public key, both borrowed for the call.
 */
typedef void (*script_sig_fn)(void *arg, const uint8_t *sig, size_t siglen,
    const uint8_t *pk, size_t pklen);
/* script_verify_input, telling fn (may be NULL) of each good signature. */
int script_verify_input_watch(const struct tx *tx, size_t nin,
    const struct txout *spent, uint32_t flags, const struct script_txdata *td,
    script_sig_fn fn, void *arg, int *err);

/* ---- Signature hashes ---- */

/* Signature hash types. */
#define SIGHASH_DEFAULT 0x00
#define SIGHASH_ALL 0x01
#define SIGHASH_NONE 0x02
#define SIGHASH_SINGLE 0x03
#define SIGHASH_ANYONECANPAY 0x80

/*
 * Legacy (pre-segwit) signature hash of input nin with script_code (its
 * OP_CODESEPARATORs are dropped here; FindAndDelete is the caller's).
 * As in Core, nin out of range or SIGHASH_SINGLE without a matching
 * output gives the hash 1 (0x01 then 31 zero bytes).
 */
void script_sighash_legacy(const struct tx *tx, size_t nin,
    const uint8_t *script_code, size_t code_len, int32_t hash_type,
    uint8_t out[32]);
/* BIP143 hash of input nin spending amount; td may be NULL. */
void script_sighash_v0(const struct tx *tx, size_t nin,
    const uint8_t *script_code, size_t code_len, int64_t amount,
    int32_t hash_type, const struct script_txdata *td, uint8_t out[32]);
/*
 * BIP341 hash of input nin. annex_hash: SHA256 of the annex with its
 * CompactSize, or NULL when there is none. tapleaf_hash: NULL for a key
 * path spend, else the leaf being executed (BIP342), with codesep_pos the
 * opcode position of the last executed OP_CODESEPARATOR (0xffffffff for
 * none). Returns 0, or -1 for an undefined hash type, SIGHASH_SINGLE
 * without a matching output, or td made without the spent outputs.
 */
int script_sighash_taproot(const struct script_txdata *td, size_t nin,
    uint8_t hash_type, const uint8_t annex_hash[32],
    const uint8_t tapleaf_hash[32], uint32_t codesep_pos, uint8_t out[32]);

/* ---- Taproot ---- */

/* Taproot commitments (BIP341). */
#define TAPROOT_LEAF_MASK 0xfe
#define TAPROOT_LEAF_TAPSCRIPT 0xc0
#define TAPROOT_CONTROL_BASE_SIZE 33
#define TAPROOT_CONTROL_NODE_SIZE 32
#define TAPROOT_CONTROL_MAX_NODE_COUNT 128

void script_tapleaf_hash(uint8_t leaf_version, const uint8_t *script,
    size_t len, uint8_t out[32]);
/* TapBranch of two nodes, in sorted order. */
void script_tapbranch_hash(const uint8_t a[32], const uint8_t b[32],
    uint8_t out[32]);
/*
 * Output key of internal x-only key with merkle_root (NULL: no scripts).
 * Returns 0, or -1 if internal is not a valid x-only key or the tweak
 * fails. *parity (may be NULL) gets the output key's Y parity.
 */
int script_taproot_output_key(const uint8_t internal[32],
    const uint8_t merkle_root[32], uint8_t out[32], int *parity);
/*
 * Checks that control (size already validated by the caller or not: sizes
 * that are not 33 + 32m, m <= 128, fail) commits leaf_hash into the
 * output key program. Returns 1 if it does, 0 if not.
 */
int script_taproot_commitment_check(const uint8_t *control, size_t len,
    const uint8_t program[32], const uint8_t leaf_hash[32]);

/* ---- Script templates and sigop counts ---- */

/* Legacy sigop count (Core's GetSigOpCount); accurate counts CHECKMULTISIG by its key count. */
unsigned script_sigops(const uint8_t *script, size_t len, int accurate);
/* Sigops of a P2SH input's redeem script, 0 if spent is not P2SH. */
unsigned script_p2sh_sigops(const uint8_t *spent_script, size_t spent_len,
    const uint8_t *script_sig, size_t sig_len);
/* Witness sigops of one input (Core's CountWitnessSigOps). */
unsigned script_witness_sigops(const uint8_t *script_sig, size_t sig_len,
    const uint8_t *spent_script, size_t spent_len, const struct witem *wit,
    size_t wit_count, uint32_t flags);

int script_is_p2sh(const uint8_t *s, size_t len);
int script_is_push_only(const uint8_t *s, size_t len);
/*
 * Calls fn with each opcode of s in order while it returns 1. Returns 1
 * when every opcode parsed and fn accepted it, else 0.
 */
int script_each_op(const uint8_t *s, size_t len,
    int (*fn)(unsigned op, void *arg), void *arg);
/* Witness program: returns 1 and sets version/program if s is one. */
int script_is_witness_program(const uint8_t *s, size_t len, int *version,
    const uint8_t **prog, size_t *prog_len);
/* OP_RETURN or over 10,000 bytes. */
int script_is_unspendable(const uint8_t *s, size_t len);
/*
 * The output script that pays to script s: P2WSH (00 20 SHA256(s)) when
 * witness, else P2SH (a9 14 HASH160(s) 87). Returns its length (34 or 23).
 */
size_t script_wrap(const uint8_t *s, size_t len, int witness, uint8_t out[34]);

#endif
