/*
 * Private to the script module: the evaluation stack, the per-input
 * execution context and the pieces the interpreter, the witness code and
 * the signature checks share.
 *
 * Stack elements never own heap memory. A pushed value points into the
 * script or witness it came from (both outlive the evaluation); a value an
 * opcode computes (numbers, hashes, booleans: never more than 32 bytes) is
 * stored inline in the element. So DUP, PICK and friends copy a small
 * struct, and evaluation allocates only when a stack outgrows its array.
 */
#ifndef BR_SCRIPT_INTERPRETER_H
#define BR_SCRIPT_INTERPRETER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "primitives/tx.h"
#include "script/script.h"

enum sigversion {
	SIGVERSION_BASE,
	SIGVERSION_WITNESS_V0,
	SIGVERSION_TAPROOT,
	SIGVERSION_TAPSCRIPT,
};

#define SELEM_INLINE 32

struct selem {
	const uint8_t *p; /* borrowed bytes, or NULL: value is in buf */
	uint32_t len;
	uint8_t buf[SELEM_INLINE];
};

static inline const uint8_t *
selem_data(const struct selem *e)
{
	return e->p != NULL ? e->p : e->buf;
}

struct stack {
	struct selem *e;
	size_t n;
	size_t cap;
};

void stack_init(struct stack *st);
void stack_free(struct stack *st);
/* Replaces dst's contents with a copy of src's elements. */
void stack_assign(struct stack *dst, const struct stack *src);
/* Pushes a borrowed value (p must outlive the stack's use of it). */
void stack_push_ref(struct stack *st, const uint8_t *p, size_t len);

/* What an input's evaluation needs besides the scripts. */
struct exec_ctx {
	const struct tx *tx;
	size_t nin;
	int64_t amount;
	const struct script_txdata *td; /* may be NULL */
	struct sigcache *cache;		/* may be NULL */
	int cache_store;
	/* Told of each ECDSA signature that checks out (signing); or NULL. */
	script_sig_fn sig_seen;
	void *sig_seen_arg;
	/* Taproot/tapscript execution data (BIP341/342). */
	int annex_present;
	uint8_t annex_hash[32];
	uint8_t tapleaf_hash[32];
	uint32_t codesep_pos;
	int64_t weight_left;
};

/*
 * Core's EvalScript. Returns 1, or 0 with *err set. st holds the stack on
 * entry and on return.
 */
int script_eval(struct stack *st, const uint8_t *script, size_t len,
    uint32_t flags, enum sigversion sv, struct exec_ctx *cx, int *err);

/* Signature and key checks (sigcheck.c). */
/*
 * Whether input nin of tx meets an OP_CHECKLOCKTIMEVERIFY lock lt or an
 * OP_CHECKSEQUENCEVERIFY lock seq (BIP65, BIP112; Core's CheckLockTime,
 * CheckSequence): also what a satisfier asks of after() and older().
 */
int script_locktime_met(const struct tx *tx, size_t nin, int64_t lt);
int script_sequence_met(const struct tx *tx, size_t nin, int64_t seq);
int sig_check_encoding(const uint8_t *sig, size_t len, uint32_t flags,
    int *err);
int sig_check_pubkey_encoding(const uint8_t *pk, size_t len, uint32_t flags,
    enum sigversion sv, int *err);
/* Core's CheckECDSASignature: sig has its hash type byte; 1 if valid. */
int sig_check_ecdsa(struct exec_ctx *cx, const uint8_t *sig, size_t siglen,
    const uint8_t *pk, size_t pklen, const uint8_t *code, size_t code_len,
    enum sigversion sv);
/* Core's CheckSchnorrSignature: 1, or 0 with *err set. */
int sig_check_schnorr(struct exec_ctx *cx, const uint8_t *sig, size_t siglen,
    const uint8_t pk[32], enum sigversion sv, int *err);

/* BIP340 verification through the cache; 1 if valid. */
int sig_verify_schnorr(const uint8_t sig[64], const uint8_t pk[32],
    const uint8_t hash[32], struct sigcache *cache, int store);

/* SHA256 of the CompactSize-prefixed annex. */
void sig_annex_hash(const uint8_t *annex, size_t len, uint8_t out[32]);

/*
 * Per-transaction data, defined here so the interpreter can tell what was
 * precomputed. BIP143 hashes are double SHA256, BIP341 ones single.
 */
struct script_txdata {
	const struct tx *tx;
	const struct txout *spent; /* tx->vin_count entries, or NULL */
	int bip143_ready;
	int bip341_ready;
	uint8_t hash_prevouts[32];
	uint8_t hash_sequence[32];
	uint8_t hash_outputs[32];
	uint8_t sha_prevouts[32];
	uint8_t sha_amounts[32];
	uint8_t sha_scripts[32];
	uint8_t sha_sequences[32];
	uint8_t sha_outputs[32];
};

#endif
