/*
 * Consensus rules, in one place: what a transaction or a block must satisfy
 * as Bitcoin Core decides it. The chainstate (src/validation), the mempool
 * and the RPC methods all ask here; none of the rules below is written
 * anywhere else, so they cannot drift apart (issue 14: block validation
 * once skipped BIP68 for versions negative as int32 while the mempool did
 * not).
 *
 * Pure functions: no thread, store, queue or network code, no global state.
 * Everything reads only its arguments, so any thread may call anything here
 * without a lock. Where a rule needs chain data (median time past of an
 * ancestor) the caller passes a callback; it runs on the caller's thread,
 * under whatever lock the caller holds, and is this module's only view of a
 * chain.
 *
 * Context. Rules that depend on where a transaction is mined are asked
 * about "a block at height H whose parent has median time past M". Block
 * validation asks about the block itself; the mempool asks about the next
 * block (H = tip height + 1, M = the tip's MTP), as Core's
 * CheckFinalTxAtTip and CheckSequenceLocksAtTip do.
 *
 * Reject reasons are Core's strings, static: never freed, valid forever.
 *
 * tx_check.c: CheckTransaction, MoneyRange.
 * tx_verify.c: finality, BIP68 sequence locks, CheckTxInputs, coinbase
 *   maturity, sigop counts.
 * block_rules.c: median time past, BIP113 cutoff, subsidy, buried
 *   deployments, BIP34, BIP30, block size and weight, witness commitment.
 * script_flags.c: the script rules a block's inputs are checked under.
 * undo.c: the undo record (the coins a block spent).
 */
#ifndef BR_CONSENSUS_H
#define BR_CONSENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "util/buf.h"

/* Core's COINBASE_MATURITY: a coinbase output is spendable 100 blocks on. */
#define CONSENSUS_COINBASE_MATURITY 100
/* Core's nMedianTimeSpan. */
#define CONSENSUS_MTP_SPAN 11
/* Bounds of a coinbase's scriptSig (CheckTransaction). */
#define CONSENSUS_MIN_COINBASE_SCRIPT 2
#define CONSENSUS_MAX_COINBASE_SCRIPT 100
/* CScript() << height is at most a length byte and 5 number bytes. */
#define CONSENSUS_BIP34_PUSH_MAX 6
/* BIP141: OP_RETURN, a 36-byte push of aa21a9ed and the 32-byte hash. */
#define CONSENSUS_COMMITMENT_SIZE 38

/*
 * A spent output as the rules see it (Core's Coin): the output, the height
 * of the block that created it and whether a coinbase did. out.script is
 * borrowed from wherever the caller read the coin.
 */
struct consensus_coin {
	struct txout out;
	int32_t height;
	int coinbase;
};

/* ---- Transactions, context-free (tx_check.c) ---- */

/* Core's MoneyRange: 0 <= v <= MAX_MONEY. */
int consensus_money_range(int64_t v);
/*
 * Core's CheckTransaction: what can be said without the spent coins or the
 * block. Returns 0, or -1 with *reason (may be NULL) one of
 * bad-txns-vin-empty, bad-txns-vout-empty, bad-txns-oversize,
 * bad-txns-vout-negative, bad-txns-vout-toolarge,
 * bad-txns-txouttotal-toolarge, bad-txns-inputs-duplicate, bad-cb-length,
 * bad-txns-prevout-null.
 */
int consensus_check_tx(const struct tx *tx, const char **reason);

/* ---- Transactions in a chain (tx_verify.c) ---- */

/*
 * Core's IsFinalTx: whether tx may be in a block at height whose lock-time
 * cutoff is time (consensus_locktime_cutoff; the mempool uses the tip's
 * MTP). 1 or 0.
 */
int consensus_tx_is_final(const struct tx *tx, int32_t height, int64_t time);

/*
 * Gives the median time past of the block at height on the chain of the
 * block being checked (Core's block.GetAncestor(height)->
 * GetMedianTimePast()); height is below that block's own. Returns 0 with
 * *mtp set, or -1 if the chain data could not be read.
 */
typedef int (*consensus_mtp_fn)(void *arg, int32_t height, int64_t *mtp);

/*
 * BIP68 lock of a transaction (Core's CalculateSequenceLocks' pair): the
 * last height and the last median time past at which it is still locked;
 * -1 for none.
 */
struct consensus_seqlock {
	int64_t min_height;
	int64_t min_time;
};

/*
 * Core's CalculateSequenceLocks for tx in the block mtp_at describes,
 * coins[i] being the coin vin[i] spends (only its height is read). BIP68
 * applies only with enforce set (CSV active for blocks; always for the
 * mempool) and to versions of at least 2 read as unsigned, so 0xffffffff
 * is version 4294967295, not -1. Returns 0 with *out set, or -1 if mtp_at
 * failed.
 */
int consensus_sequence_locks(const struct tx *tx, int enforce,
    const struct consensus_coin *coins, consensus_mtp_fn mtp_at, void *arg,
    struct consensus_seqlock *out);
/*
 * Core's EvaluateSequenceLocks: 1 if lock is met by a block at height whose
 * parent's median time past is prev_mtp, else 0.
 */
int consensus_sequence_locks_met(const struct consensus_seqlock *lock,
    int32_t height, int64_t prev_mtp);
/*
 * Both of the above (Core's SequenceLocks), the parent's MTP asked of
 * mtp_at at height - 1. Returns 1 if met, 0 if not, -1 if mtp_at failed.
 */
int consensus_check_sequence_locks(const struct tx *tx, int enforce,
    const struct consensus_coin *coins, int32_t height,
    consensus_mtp_fn mtp_at, void *arg);

/* Whether a coinbase output made at coin_height is spendable at spend_height. */
int consensus_coinbase_mature(int32_t coin_height, int32_t spend_height);

/* What consensus_check_tx_inputs found, as far as it got. */
struct consensus_inputs {
	const char *reason; /* on failure; static */
	int32_t depth;	    /* premature spend: spend_height - coin height */
	int64_t value_in;
	int64_t value_out;
	int64_t fee; /* on success */
};
/*
 * Core's Consensus::CheckTxInputs for a non-coinbase tx spending coins (one
 * per input, all present) in a block at spend_height. Returns 0, or -1
 * with res->reason one of bad-txns-premature-spend-of-coinbase,
 * bad-txns-inputvalues-outofrange, bad-txns-in-belowout,
 * bad-txns-fee-outofrange.
 */
int consensus_check_tx_inputs(const struct tx *tx,
    const struct consensus_coin *coins, int32_t spend_height,
    struct consensus_inputs *res);

/* Core's GetLegacySigOpCount: every scriptSig and output script, inaccurately. */
unsigned consensus_legacy_sigops(const struct tx *tx);
/*
 * Core's GetTransactionSigOpCost under script flags (blocks: the block's
 * flags; the mempool: the standard ones): legacy x4, then for a
 * non-coinbase P2SH x4 (with SCRIPT_VERIFY_P2SH) and witness sigops.
 * spent holds one output per input; NULL counts the legacy part only.
 */
int64_t consensus_tx_sigop_cost(const struct tx *tx, const struct txout *spent,
    uint32_t flags);

/* ---- Blocks (block_rules.c) ---- */

/*
 * Yields a chain's header times newest first, for
 * consensus_median_time_past: the first call gives the time of the block
 * whose median time past is wanted, each later call that of the parent of
 * the block before. Returns 0 with *time set, 1 if the block before was
 * the genesis block (nothing older), or -1 if the data could not be read.
 */
typedef int (*consensus_time_fn)(void *cursor, int64_t *time);
/*
 * Core's GetMedianTimePast: the median of the times of the block and its
 * ancestors, CONSENSUS_MTP_SPAN at most (fewer near genesis; with an even
 * count the upper middle one). Calls next at most CONSENSUS_MTP_SPAN times.
 * Returns 0 with *mtp set, or -1 if next failed or gave no time at all.
 */
int consensus_median_time_past(consensus_time_fn next, void *cursor,
    int64_t *mtp);
/*
 * The time lock times of a block at height are compared to (BIP113): its
 * parent's median time past once CSV is active there, else its own time.
 */
int64_t consensus_locktime_cutoff(const struct chainparams *cp, int32_t height,
    int64_t prev_mtp, int64_t block_time);

/* Whether a deployment buried at dep_height applies at height. */
int consensus_deployment_active(int32_t dep_height, int32_t height);
/* Core's GetBlockSubsidy: 50 BTC halved every halving_interval, 0 from 64 halvings. */
int64_t consensus_block_subsidy(const struct chainparams *cp, int32_t height);

/*
 * CScript() << height, what a BIP34 coinbase scriptSig begins with
 * (height >= 0). Returns its length.
 */
size_t consensus_bip34_push(int32_t height,
    uint8_t out[CONSENSUS_BIP34_PUSH_MAX]);
/* BIP34: 0 if the coinbase cb's scriptSig begins with height, else -1 ("bad-cb-height"). */
int consensus_check_coinbase_height(const struct tx *cb, int32_t height);
/* Whether hash at height is one of mainnet's two blocks whose coinbase repeated an earlier one. */
int consensus_is_bip30_repeat(int32_t height, const uint8_t hash[32]);
/*
 * Whether BIP30 (no transaction may overwrite an unspent output) is checked
 * for the block hash at height: always, except for mainnet's two historic
 * repeats and, until Core's BIP34_IMPLIES_BIP30_LIMIT, on chains whose
 * BIP34 activation block is bip34_hash, the hash of the block's ancestor at
 * cp->bip34_height (NULL if it has none).
 */
int consensus_bip30_enforced(const struct chainparams *cp, int32_t height,
    const uint8_t hash[32], const uint8_t *bip34_hash);

/* Serialized size without witness data (header, count, transactions). */
size_t consensus_block_stripped_size(const struct block *b);
/* BIP141 block weight: stripped size x3 + total size. */
size_t consensus_block_weight(const struct block *b);
/*
 * CheckBlock's size limits: 0, or -1 ("bad-blk-length") for no
 * transactions, or too many, or a stripped size over the weight limit.
 */
int consensus_check_block_size(const struct block *b);
/*
 * Core's GetWitnessCommitmentIndex: the last coinbase output of at least
 * CONSENSUS_COMMITMENT_SIZE bytes beginning 6a24aa21a9ed, or -1.
 */
int consensus_witness_commitment_index(const struct block *b);
/*
 * The BIP141 commitment output script for a witness merkle root (wtxids,
 * the coinbase's as zero) and the coinbase's reserved value.
 */
void consensus_witness_commitment(const uint8_t witness_root[32],
    const uint8_t reserved[32], uint8_t script[CONSENSUS_COMMITMENT_SIZE]);
/*
 * Core's CheckWitnessMalleation: with expect_commitment (segwit active) a
 * commitment, if present, must match and the reserved value be one 32-byte
 * item; without a commitment no transaction may carry a witness. Returns
 * 0, or -1 with *reason bad-witness-nonce-size, bad-witness-merkle-match or
 * unexpected-witness (each a sign of a mutated copy, not of a bad block).
 */
int consensus_check_witness(const struct block *b, int expect_commitment,
    const char **reason);

/* ---- Script flags of a block (script_flags.c) ---- */

/*
 * Script flags for the inputs of the block at height with hash (Core's
 * GetBlockScriptFlags): P2SH, WITNESS and TAPROOT always (except on the
 * historic blocks that broke them; hash may be NULL for a block not yet
 * made), DERSIG, CLTV, CSV and NULLDUMMY from their buried deployments.
 * The mempool asks it for the next block to tell consensus failures from
 * policy ones.
 */
uint32_t consensus_block_script_flags(const struct chainparams *cp,
    int32_t height, const uint8_t hash[32]);

/* ---- Undo records (undo.c) ---- */

/*
 * The undo record of a block: the coins its inputs spent, in block order
 * (transactions after the coinbase, inputs in order), each
 *
 *	CompactSize(height * 2 + coinbase) || le64 value ||
 *	CompactSize(script length) || script
 *
 * Written by block connection, read back to disconnect and by RPC for
 * prevouts and fees.
 */
void consensus_undo_put(struct wbuf *w, const struct consensus_coin *c);
/*
 * Reads one coin at r's cursor. c->out.script points into r's bytes.
 * Returns 0, or -1 if truncated or out of range (height, value).
 */
int consensus_undo_get(struct rbuf *r, struct consensus_coin *c);
/*
 * Reads the whole record undo[0..n) of block b: 0 with *coins an xmalloc'd
 * array (one per input after the coinbase, *n_coins of them, scripts
 * pointing into undo), or -1 if it does not decode or does not have
 * exactly b's number of inputs.
 */
int consensus_undo_read(const uint8_t *undo, size_t n, const struct block *b,
    struct consensus_coin **coins, size_t *n_coins);

#endif
