/*
 * Which script rules a block's inputs are checked under (Core's
 * GetBlockScriptFlags). Policy flags, SCRIPT_STANDARD_VERIFY_FLAGS in
 * script.h, never apply to blocks.
 */
#include <string.h>

#include "consensus/consensus.h"
#include "script/script.h"
#include "util/hex.h"

struct flag_exception {
	enum chain_id chain;
	const char *hash; /* as Core displays it */
	uint32_t flags;
};

/*
 * The only blocks that broke rules now applied from genesis: block 170060
 * spent a P2SH output before BIP16 (main and testnet3 each have one), and
 * one mainnet block spent a witness v1 output before taproot.
 */
static const struct flag_exception exceptions[] = {
	{ CHAIN_MAIN,
	    "00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22",
	    SCRIPT_VERIFY_NONE },
	{ CHAIN_MAIN,
	    "0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad",
	    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS },
	{ CHAIN_TESTNET3,
	    "00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105",
	    SCRIPT_VERIFY_NONE },
};

uint32_t
consensus_block_script_flags(const struct chainparams *cp, int32_t height,
    const uint8_t hash[32])
{
	uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS |
	    SCRIPT_VERIFY_TAPROOT;
	uint8_t h[32];
	size_t i;

	for (i = 0;
	     hash != NULL && i < sizeof(exceptions) / sizeof(exceptions[0]);
	     i++) {
		if (exceptions[i].chain != cp->id)
			continue;
		if (hash_from_hex(exceptions[i].hash, h) == 0 &&
		    memcmp(h, hash, 32) == 0)
			flags = exceptions[i].flags;
	}
	if (consensus_deployment_active(cp->bip66_height, height))
		flags |= SCRIPT_VERIFY_DERSIG;
	if (consensus_deployment_active(cp->bip65_height, height))
		flags |= SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
	if (consensus_deployment_active(cp->csv_height, height))
		flags |= SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
	/* BIP147 NULLDUMMY activated with segwit. */
	if (consensus_deployment_active(cp->segwit_height, height))
		flags |= SCRIPT_VERIFY_NULLDUMMY;
	return flags;
}
