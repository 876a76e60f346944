/*
 * Chain parameters for main, testnet3, testnet4, signet and regtest.
 *
 * The struct fields below are what validation, net and rpc read.
 * chainparams_new() returns a private, mutable copy (so -testactivationheight
 * can change it before the threads start); after start-up it is read-only
 * and shared by every thread without a lock.
 */
#ifndef BR_CHAINPARAMS_H
#define BR_CHAINPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"

enum chain_id {
	CHAIN_MAIN,
	CHAIN_TESTNET3,
	CHAIN_TESTNET4,
	CHAIN_SIGNET,
	CHAIN_REGTEST
};

struct chainparams {
	enum chain_id id;
	const char *
	    name; /* Core's -chain name: main, test, testnet4, signet, regtest */
	const char *
	    subdir; /* datadir subdirectory: "", testnet3, testnet4, signet, regtest */
	uint8_t magic[4]; /* message start */
	uint16_t default_port;
	uint16_t rpc_port;
	uint8_t genesis_hash[32]; /* internal byte order */
	uint8_t
	    *genesis_raw; /* serialized genesis block, built from parameters */
	size_t genesis_len;
	uint8_t pow_limit[32];	      /* big-endian */
	int64_t target_spacing;	      /* 600 */
	int64_t target_timespan;      /* 14 days */
	int pow_allow_min_difficulty; /* testnet3/4, regtest: the 20-minute rule */
	int pow_no_retargeting;	      /* regtest */
	int enforce_bip94;	      /* testnet4 */
	int32_t halving_interval;     /* 210000; regtest 150 */
	/* No automatic pruning below it (Core's nPruneAfterHeight). */
	int32_t prune_after_height;
	int32_t bip34_height;
	int32_t bip65_height;
	int32_t bip66_height;
	int32_t csv_height;
	int32_t segwit_height;
	int32_t
	    taproot_height; /* buried here; regtest/signet: 0 (always active) */
	uint8_t minimum_chain_work[32]; /* big-endian */
	/*
	 * -assumevalid (Core's defaultAssumeValid, Core 28's values): scripts
	 * of this block's ancestors may go unchecked (validation/assumevalid.h).
	 * Internal byte order; all zero: check every script (regtest).
	 */
	uint8_t assume_valid[32];
	int64_t max_tip_age;		/* 24 h: initial-download threshold */
	uint8_t p2pkh_prefix;
	uint8_t p2sh_prefix;
	uint8_t wif_prefix;
	uint32_t ext_pub_prefix;  /* BIP32 xpub/tpub version */
	uint32_t ext_priv_prefix; /* BIP32 xprv/tprv version */
	const char *bech32_hrp;	   /* bc, tb, bcrt */
	uint8_t *signet_challenge; /* signet only */
	size_t signet_challenge_len;
	int mine_on_demand; /* regtest: generate* RPCs allowed */
	struct assumeutxo
	    *assumeutxo; /* UTXO snapshots loadtxoutset accepts */
	size_t n_assumeutxo;
	/*
	 * Where to look for peers first (chainseeds.c): DNS seed host names
	 * and the fixed seeds, BIP155 records (network id, address length,
	 * address, big-endian port) back to back. Static data; a custom
	 * signet has none.
	 */
	const char *const *dns_seeds;
	size_t n_dns_seeds;
	const uint8_t *fixed_seeds;
	size_t fixed_seeds_len;
};

/*
 * A UTXO snapshot the chain vouches for (Core's AssumeutxoData): the set at
 * the block with this hash and height hashes to hash_serialized
 * (gettxoutsetinfo's hash_serialized_3), and chain_tx transactions lead up
 * to that block. Hashes in internal byte order.
 */
struct assumeutxo {
	int32_t height;
	uint8_t hash_serialized[32];
	uint64_t chain_tx;
	uint8_t blockhash[32];
};

/* Looks up Core's -chain names ("main", "test", "testnet4", "signet", "regtest"). */
/* Sets the seed lists of p's chain (chainseeds.c). */
void chainparams_set_seeds(struct chainparams *p);

int chainparams_id_from_name(const char *name, enum chain_id *id);
/* Private copy with the genesis block built and its hash checked (fatalx on mismatch). */
struct chainparams *chainparams_new(enum chain_id id);
void chainparams_free(struct chainparams *p);
/*
 * -testactivationheight=NAME@HEIGHT (regtest only): NAME is one of bip34,
 * dersig, cltv, csv, segwit. Returns 0 or -1 (bad name or height).
 * chainparams_set_activation_err: the same, with Core's message for a bad
 * spec written to err (errlen bytes, may be 0).
 */
int chainparams_set_activation(struct chainparams *p, const char *spec);
int chainparams_set_activation_err(struct chainparams *p, const char *spec,
    char *err, size_t errlen);

/*
 * Deployments as Core's getdeploymentinfo lists them, in its order: the
 * buried ones (bip34, bip66, bip65, csv, segwit), then the BIP9 ones
 * (testdummy, taproot). Core hides a BIP9 deployment whose start_time is
 * DEPLOYMENT_NEVER_ACTIVE; so does this list. height is the first height
 * at which the rules apply (for a BIP9 deployment that has activated:
 * the height validation uses; DEPLOYMENT_NO_HEIGHT when it never has).
 */
#define CHAIN_MAX_DEPLOYMENTS 8
#define DEPLOYMENT_ALWAYS_ACTIVE (-1) /* Core's BIP9Deployment values */
#define DEPLOYMENT_NEVER_ACTIVE (-2)
#define DEPLOYMENT_NO_TIMEOUT INT64_MAX
#define DEPLOYMENT_NO_HEIGHT INT32_MAX

enum deployment_type { DEPLOYMENT_BURIED, DEPLOYMENT_BIP9 };

struct chain_deployment {
	const char *name; /* static string */
	enum deployment_type type;
	int32_t height;
	/* BIP9 only: */
	int bit;
	int64_t start_time;
	int64_t timeout;
	int32_t min_activation_height;
	int32_t period;
	int32_t threshold;
};

/* Fills out (room for cap entries); returns the number written. */
size_t chainparams_deployments(const struct chainparams *p,
    struct chain_deployment *out, size_t cap);
/*
 * -signetchallenge=HEX (signet only): a custom signet, whose message start
 * is derived from the challenge and whose minimum chain work is zero, as in
 * Core. Returns 0, or -1 with a message in err (not hex, not signet).
 */
int chainparams_set_signet_challenge(struct chainparams *p, const char *hex,
    char *err, size_t errlen);
/*
 * The entry for a snapshot based on this block (Core's
 * AssumeutxoForBlockhash), or at this height (AssumeutxoForHeight); the
 * first one in table order; NULL if none.
 */
const struct assumeutxo *
chainparams_assumeutxo_for_hash(const struct chainparams *p,
    const uint8_t hash[32]);
const struct assumeutxo *
chainparams_assumeutxo_for_height(const struct chainparams *p, int32_t height);
/*
 * -testsnapshot=HEIGHT:BLOCKHASH:HASH_SERIALIZED_3:NCHAINTX (regtest only,
 * a debug option of bitrootd's): one more entry at the end of the table, so
 * tests can load snapshots of chains they made. Hashes as RPC shows them.
 * 0, or -1 with a message in err.
 */
int chainparams_add_assumeutxo(struct chainparams *p, const char *spec,
    char *err, size_t errlen);
/*
 * Core's GetNetworkForMagic: the name (as -chain takes it) of the built-in
 * network with this message start (signet: the default one), or NULL.
 */
const char *chainparams_network_for_magic(const uint8_t magic[4]);

/* Blocks per retarget period: target_timespan / target_spacing. */
int32_t chainparams_retarget_interval(const struct chainparams *p);

/*
 * Core's GuessVerificationProgress, the share of the chain's transactions
 * a tip holds: those still to come are estimated at the rate measured
 * over the last 30 days, from the block chainparams_progress_back blocks
 * below the tip (old_tx 0 when there is none or its count is unknown).
 * Times in seconds; now is the node's clock.
 */
int32_t chainparams_progress_back(const struct chainparams *p);
double chainparams_progress(uint64_t tip_tx, int64_t tip_time, uint64_t old_tx,
    int64_t old_time, int64_t now);

#endif
