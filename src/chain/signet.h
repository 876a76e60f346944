/*
 * Signet block solutions (BIP325), checked as Bitcoin Core checks them.
 *
 * A signet block proves that its signer approved it by satisfying the
 * chain's challenge script. The proof (the "solution": a scriptSig and a
 * witness stack, serialized) sits in the coinbase's witness commitment
 * output, in the first push that starts with SIGNET_HEADER and has more
 * bytes after it. It spends the only output of a virtual transaction,
 * to_spend, whose scriptSig commits to the block's version, previous hash,
 * time and to the merkle root the block would have without the solution;
 * the spending transaction, to_sign, pays to OP_RETURN. Neither
 * transaction is ever on the chain.
 *
 * Everything here is reentrant and may run on any thread.
 */
#ifndef BR_SIGNET_H
#define BR_SIGNET_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "primitives/tx.h"
#include "script/script.h"
#include "util/buf.h"

struct chainparams;

/* What a solution's push begins with (BIP325). */
#define SIGNET_HEADER_LEN 4
extern const uint8_t signet_header[SIGNET_HEADER_LEN];

/*
 * The flags a solution is verified with (Core's BLOCK_SCRIPT_VERIFY_FLAGS
 * in signet.cpp): no taproot, so a witness v1 challenge needs nothing.
 */
#define SIGNET_SCRIPT_FLAGS \
	(SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DERSIG | \
	    SCRIPT_VERIFY_NULLDUMMY)

/* Why a block's solution was refused; signet_strerror() names each. */
enum signet_error {
	SIGNET_OK = 0,
	SIGNET_ERR_NO_COINBASE = -1,   /* the block has no transactions */
	SIGNET_ERR_NO_COMMITMENT = -2, /* no witness commitment output */
	SIGNET_ERR_PARSE = -3,	       /* malformed, or bytes after it */
	SIGNET_ERR_SCRIPT = -4,	       /* the challenge is not satisfied */
};

const char *signet_strerror(int err);

/*
 * Looks for the solution in a witness commitment script, as Core's
 * FetchAndClearCommitmentSection does: the script is read op by op up to
 * its end or its first malformed push; the first push longer than the
 * header that starts with it holds the solution. If found, returns 1,
 * points *sol at the bytes after the header (inside script) and appends to
 * stripped the script rebuilt without them: every push re-encoded with the
 * shortest length prefix for its size (an empty push as its bare opcode),
 * other opcodes as they were, anything after a malformed push dropped.
 * Returns 0, with stripped untouched, if there is no solution.
 */
int signet_split_commitment(const uint8_t *script, size_t len,
    struct wbuf *stripped, const uint8_t **sol, size_t *sol_len);

/*
 * The two virtual transactions of a block (Core's SignetTxs), with ids
 * computed. to_sign's scriptSig and witness items point into the block's
 * coinbase and to_spend's output script is the challenge: both must outlive
 * the struct. The struct points into itself, so it is not to be copied.
 */
struct signet_txs {
	struct tx to_spend;
	struct tx to_sign;
	/* storage the two transactions point into */
	struct txin spend_in, sign_in;
	struct txout spend_out, sign_out;
	uint8_t spend_script[2 + 72]; /* OP_0, then the header data pushed */
};

/*
 * Builds b's virtual transactions for challenge. Returns SIGNET_OK, or
 * SIGNET_ERR_NO_COINBASE, SIGNET_ERR_NO_COMMITMENT or SIGNET_ERR_PARSE
 * (then there is nothing to free). A block without a solution gets an
 * empty scriptSig and witness: only a trivial challenge (OP_TRUE) passes.
 */
int signet_txs_make(const struct block *b, const uint8_t *challenge,
    size_t challenge_len, struct signet_txs *t);
void signet_txs_free(struct signet_txs *t);

/*
 * Core's CheckSignetBlockSolution: 0 if b (parsed, with its hash set)
 * satisfies cp's signet challenge, the genesis block always does;
 * otherwise a negative SIGNET_ERR_* code, with *script_err (may be NULL)
 * set to the script error for SIGNET_ERR_SCRIPT. The caller reports
 * Core's "bad-signet-blksig".
 */
int signet_check_block(const struct chainparams *cp, const struct block *b,
    int *script_err);

#endif
