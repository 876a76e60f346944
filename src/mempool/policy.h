/*
 * Relay policy (Core's policy/policy.cpp): what a node accepts into its
 * mempool and relays beyond the consensus rules. Pure functions over a
 * transaction and its spent outputs; no thread, no state beyond the options
 * struct, which the caller owns and never changes after policy_init.
 * Reentrant: any thread.
 *
 * Reject reasons are Core's exact strings ("version", "tx-size",
 * "scriptsig-size", "scriptsig-not-pushonly", "scriptpubkey", "bare-multisig",
 * "dust", "multi-op-return", "tx-size-small", "bad-txns-nonstandard-inputs",
 * "bad-witness-nonstandard", "bad-txns-too-many-sigops", ...), static.
 */
#ifndef BR_POLICY_H
#define BR_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/tx.h"

struct args;

/* ---- Options ---- */

/* Core's defaults (policy.h of Core 30). */
#define POLICY_MAX_STANDARD_TX_WEIGHT 400000
#define POLICY_MIN_STANDARD_TX_NONWITNESS_SIZE 65
#define POLICY_MAX_P2SH_SIGOPS 15
#define POLICY_MAX_STANDARD_TX_SIGOPS_COST \
	16000 /* MAX_BLOCK_SIGOPS_COST / 5 */
#define POLICY_MAX_TX_LEGACY_SIGOPS 2500
#define POLICY_MAX_SCRIPTSIG_SIZE 1650
#define POLICY_MAX_STANDARD_P2WSH_STACK_ITEMS 100
#define POLICY_MAX_STANDARD_P2WSH_STACK_ITEM_SIZE 80
#define POLICY_MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE 80
#define POLICY_MAX_STANDARD_P2WSH_SCRIPT_SIZE 3600
#define POLICY_DEFAULT_BYTES_PER_SIGOP 20
#define POLICY_DEFAULT_MIN_RELAY_FEE 100	 /* sat/kvB, -minrelaytxfee */
#define POLICY_DEFAULT_INCREMENTAL_RELAY_FEE 100 /* sat/kvB */
#define POLICY_DEFAULT_DUST_RELAY_FEE 3000	 /* sat/kvB, -dustrelayfee */
#define POLICY_DEFAULT_BLOCK_MIN_TX_FEE 1	 /* sat/kvB, -blockmintxfee */
#define POLICY_DEFAULT_DATACARRIER_SIZE 100000
#define POLICY_TX_MAX_STANDARD_VERSION 3
#define POLICY_DEFAULT_ANCESTOR_LIMIT 25
#define POLICY_DEFAULT_ANCESTOR_SIZE_KVB 101
#define POLICY_DEFAULT_DESCENDANT_LIMIT 25
#define POLICY_DEFAULT_DESCENDANT_SIZE_KVB 101
#define POLICY_DEFAULT_MAX_MEMPOOL_MB 300
#define POLICY_DEFAULT_MEMPOOL_EXPIRY_HOURS 336
/* TRUC (BIP431, version 3) limits. */
#define POLICY_TRUC_VERSION 3
#define POLICY_TRUC_MAX_VSIZE 10000
#define POLICY_TRUC_CHILD_MAX_VSIZE 1000
/* Core's DEFAULT_MAX_RAW_TX_FEE_RATE for sendrawtransaction: 0.10 BTC/kvB. */
#define POLICY_DEFAULT_MAX_RAW_TX_FEE_RATE 10000000 /* sat/kvB */

/* The relay options, read once from -acceptnonstdtxn, -bytespersigop, ... */
struct policy {
	int require_standard;  /* !-acceptnonstdtxn (test chains only) */
	int64_t min_relay_fee; /* sat/kvB */
	int64_t incremental_relay_fee; /* sat/kvB */
	int64_t dust_relay_fee;	       /* sat/kvB */
	int64_t block_min_tx_fee;      /* sat/kvB */
	unsigned bytes_per_sigop;
	int datacarrier; /* -datacarrier */
	size_t
	    max_datacarrier_bytes; /* -datacarriersize, script bytes summed over OP_RETURN outputs */
	int permit_bare_multisig;
	size_t ancestor_limit; /* -limitancestorcount */
	size_t
	    ancestor_size; /* bytes (vsize), -limitancestorsize kvB * 1000 */
	size_t descendant_limit;
	size_t descendant_size;
	size_t max_mempool_bytes; /* -maxmempool MB * 1000000 */
	int64_t expiry_seconds;	  /* -mempoolexpiry hours * 3600 */
	int persist;		  /* -persistmempool */
};

/*
 * Fills p with Core's defaults, then the options in a. Returns 0, or -1
 * with a Core-style message in err ("Invalid amount for
 * -minrelaytxfee=<amount>: 'x'", a non-standard policy on main, ...).
 * a may be NULL (defaults only; unit tests). test_chain allows
 * -acceptnonstdtxn.
 */
int policy_init(struct policy *p, const struct args *a, int test_chain,
    char *err, size_t errlen);

/*
 * Core's ParseMoney for option values in BTC ("0.00001", " 1. ", ".5"):
 * no sign, at most 8 decimals, at most MAX_MONEY. 0 with *sat, or -1.
 */
int policy_parse_money(const char *s, int64_t *sat);

/* ---- Output scripts ---- */

/* Output script classes (Core's TxoutType), with Core's names. */
enum txout_type {
	TXOUT_NONSTANDARD,
	TXOUT_ANCHOR, /* P2A: OP_1 <0x4e73> */
	TXOUT_PUBKEY,
	TXOUT_PUBKEYHASH,
	TXOUT_SCRIPTHASH,
	TXOUT_MULTISIG,
	TXOUT_NULL_DATA,
	TXOUT_WITNESS_V0_SCRIPTHASH,
	TXOUT_WITNESS_V0_KEYHASH,
	TXOUT_WITNESS_V1_TAPROOT,
	TXOUT_WITNESS_UNKNOWN,
};
/* Core's Solver: the class of an output script. */
enum txout_type policy_solve(const uint8_t *script, size_t len);
/* "nonstandard", "anchor", "pubkey", "pubkeyhash", ..., "witness_unknown". */
const char *policy_type_name(enum txout_type t);

/*
 * policy_solve that also gives a multisig's required and total key counts
 * (*m, *n set only for TXOUT_MULTISIG; either may be NULL).
 */
enum txout_type policy_solve_multisig(const uint8_t *script, size_t len,
    int *m, int *n);

/* ---- Sizes and fees ---- */

/* Virtual size as Core's GetVirtualTransactionSize with sigop cost. */
int64_t policy_vsize(size_t weight, int64_t sigop_cost,
    unsigned bytes_per_sigop);
/* Fee for vsize at rate sat/kvB, as Core's CFeeRate::GetFee (rounds up). */
int64_t policy_fee_at(int64_t rate, int64_t vsize);

/* ---- Dust ---- */

/* Core's GetDustThreshold / IsDust at p->dust_relay_fee. */
int64_t policy_dust_threshold(const struct policy *p, const struct txout *o);
int policy_is_dust(const struct policy *p, const struct txout *o);
/* Core's MAX_DUST_OUTPUTS_PER_TX: dust outputs IsStandardTx lets through. */
#define POLICY_MAX_DUST_OUTPUTS_PER_TX 1
/*
 * Outputs of tx below their dust threshold (Core's GetDust().size()).
 * policy_is_standard_tx refuses more than POLICY_MAX_DUST_OUTPUTS_PER_TX;
 * the pool refuses one unless the tx pays no fee (Core 30's ephemeral
 * dust rule) and applies its own checks to the spending child.
 */
size_t policy_dust_count(const struct policy *p, const struct tx *tx);

/* ---- Standardness ---- */

/*
 * Core's IsStandardTx: version, weight, scriptSig size and push-only,
 * output types, OP_RETURN budget, bare multisig, dust (at most one dust
 * output, Core 30's ephemeral dust rule is left to the pool). 1 if
 * standard, else 0 with *reason.
 */
int policy_is_standard_tx(const struct policy *p, const struct tx *tx,
    const char **reason);
/*
 * Core's "tx-size-small" rule (CVE-2017-12842): 1 if tx serialized
 * without witness is under POLICY_MIN_STANDARD_TX_NONWITNESS_SIZE bytes.
 * Core applies it whatever -acceptnonstdtxn says.
 */
int policy_tx_size_small(const struct tx *tx);

/*
 * Core's AreInputsStandard: spent[i] is the output vin[i] spends. 1 or 0
 * with *reason ("bad-txns-nonstandard-inputs") and *debug (a static text
 * naming the rule, may be NULL).
 */
int policy_inputs_standard(const struct tx *tx, const struct txout *spent,
    const char **reason, const char **debug);
/* Core's IsWitnessStandard. 1 or 0 with *reason ("bad-witness-nonstandard"). */
int policy_witness_standard(const struct tx *tx, const struct txout *spent,
    const char **reason);
/* Legacy + P2SH sigops, for the POLICY_MAX_TX_LEGACY_SIGOPS rule. */
unsigned policy_legacy_sigops(const struct tx *tx, const struct txout *spent);

/* BIP125: whether any input signals replaceability (nSequence < 0xfffffffe). */
int policy_signals_rbf(const struct tx *tx);
/*
 * Core's IsChildWithParents (tree 0) and IsChildWithParentsTree (tree 1)
 * over a package of n transactions: at least two, and every one before
 * the last is a parent of the last (tree: and no parent spends another).
 * 1 or 0.
 */
int policy_child_with_parents(const struct tx *txs, size_t n, int tree);

#endif
