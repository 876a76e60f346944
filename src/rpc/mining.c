/*
 * Mining methods. getmininginfo and getnetworkhashps are answered from the
 * store; generating, submitting and templates run on the validation
 * thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/time.h"

#define HASHPS_DEFAULT_BLOCKS 120

static json_t *
m_getnetworkhashps(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct store_rtxn *t;
	json_int_t nb = rpc_param(c, 0) ?
	    json_integer_value(rpc_param(c, 0)) : HASHPS_DEFAULT_BLOCKS;
	json_int_t h = rpc_param(c, 1) ? json_integer_value(rpc_param(c, 1)) :
	    -1;
	uint8_t tip[32];
	int32_t tip_h;
	double v;

	if (nb == 0 || nb < -1)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid nblocks. Must be a positive number or -1.");
	if (h < -1)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid height. Must be a non-negative number or -1.");
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (store_get_tip(t, tip, &tip_h) == STORE_OK && h > tip_h) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Block does not exist at specified height");
	}
	v = rpc_network_hashps(t, cp, (int)nb, (int)h);
	store_read_end(t);
	return json_real(v);
}

/*
 * generate left the server in Core 0.19 for bitcoin-cli -generate; Core
 * still answers it, with its help text as a "method not found" error.
 */
static json_t *
m_generate(struct rpc_ctx *c, struct rpc_error *err)
{
	char *help = rpc_help_text(c->m);

	rpc_fail(err, RPC_METHOD_NOT_FOUND, "%s", help);
	free(help);
	return NULL;
}

#define GEN_RESULT \
	"[           (json array) hashes of blocks generated\n" \
	"  \"hex\",    (string) blockhash\n  ...\n]\n"

const struct rpc_method rpc_mining_methods[] = {
	{ "getmininginfo", "mining", rpc_forward_validation, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns a json object containing mining-related information.",
	    "{\n"
	    "  \"blocks\" : n,                (numeric) The current block\n"
	    "  \"bits\" : \"hex\",              (string) The current nBits, compact representation of the block difficulty target\n"
	    "  \"difficulty\" : n,            (numeric) The current difficulty\n"
	    "  \"target\" : \"hex\",            (string) The current target\n"
	    "  \"networkhashps\" : n,         (numeric) The network hashes per second\n"
	    "  \"pooledtx\" : n,              (numeric) The size of the mempool\n"
	    "  \"blockmintxfee\" : n,         (numeric) Minimum feerate of packages selected for block inclusion in BTC/kvB\n"
	    "  \"chain\" : \"str\",             (string) current network name (main, test, testnet4, signet, regtest)\n"
	    "  \"signet_challenge\" : \"hex\",  (string, optional) The block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)\n"
	    "  \"next\" : {                 (json object) The next block\n"
	    "    \"height\" : n,              (numeric) The next height\n"
	    "    \"bits\" : \"hex\",            (string) The next target nBits\n"
	    "    \"difficulty\" : n,          (numeric) The next difficulty\n"
	    "    \"target\" : \"hex\"           (string) The next target\n"
	    "  },\n"
	    "  \"warnings\" : [             (json array) any network and blockchain warnings\n"
	    "    \"str\",                   (string) warning\n    ...\n  ]\n}\n",
	    "", RPC_ON_VALIDATION },
	{ "getnetworkhashps", "mining", m_getnetworkhashps, RPC_F_FAST,
	    { { "nblocks", RPC_ARG_NUM, 0, "120",
		"The number of previous blocks to calculate estimate from, or "
		"-1 for blocks since last difficulty change." },
	      { "height", RPC_ARG_NUM, 0, "-1",
		"To estimate at the time of the given height." } },
	    "Returns the estimated network hashes per second based on the "
	    "last n blocks.\nPass in [blocks] to override # of blocks, -1 "
	    "specifies since last difficulty change.\nPass in [height] to "
	    "estimate the network speed at the time when a certain block was "
	    "found.", "n    (numeric) Hashes per second estimated\n", "", RPC_ON_RPC },
	{ "getblocktemplate", "mining", rpc_forward_validation, 0,
	    { { "template_request", RPC_ARG_OBJ, 1, NULL,
		"Format of the template: {\"mode\": \"template\"|\"proposal\", "
		"\"capabilities\": [...], \"rules\": [\"segwit\", ...], "
		"\"longpollid\": \"str\", \"data\": \"hex\"}" } },
	    "If the request parameters include a 'mode' key, that is used to "
	    "explicitly select between the default 'template' request or a "
	    "'proposal'.\nIt returns data needed to construct a block to work "
	    "on.\nFor full specification, see BIPs 22, 23, 9, and 145.",
	    "{ \"version\", \"rules\", \"vbavailable\", \"vbrequired\", "
	    "\"previousblockhash\", \"transactions\", \"coinbaseaux\", "
	    "\"coinbasevalue\", \"longpollid\", \"target\", \"mintime\", "
	    "\"mutable\", \"noncerange\", \"sigoplimit\", \"sizelimit\", "
	    "\"weightlimit\", \"curtime\", \"bits\", \"height\", "
	    "\"default_witness_commitment\" }\n",
	    "'{\"rules\": [\"segwit\"]}'", RPC_ON_VALIDATION },
	{ "submitblock", "mining", rpc_forward_validation, 0,
	    { { "hexdata", RPC_ARG_HEX, 1, NULL,
		"the hex-encoded block data to submit" },
	      { "dummy", RPC_ARG_STR, 0, "ignored",
		"dummy value, for compatibility with BIP22. This value is "
		"ignored." } },
	    "Attempts to submit new block to network.\nSee "
	    "https://en.bitcoin.it/wiki/BIP_0022 for full specification.",
	    "Result (If the block was accepted):\nnull    (json null)\n\n"
	    "Result (Otherwise):\n\"str\"    (string) According to BIP22\n",
	    "\"mydata\"", RPC_ON_VALIDATION },
	{ "submitheader", "mining", rpc_forward_validation, 0,
	    { { "hexdata", RPC_ARG_HEX, 1, NULL,
		"the hex-encoded block header data" } },
	    "Decode the given hexdata as a header and submit it as a "
	    "candidate chain tip if valid.\nThrows when the header is "
	    "invalid.", "null    (json null) None\n", "\"aabbcc\"", RPC_ON_VALIDATION },
	{ "generateblock", "generating", rpc_forward_validation, 0,
	    { { "output", RPC_ARG_STR, 1, NULL,
		"The address or descriptor to send the newly generated "
		"bitcoin to." },
	      { "transactions", RPC_ARG_ARR, 1, NULL,
		"An array of hex strings which are either txids or raw "
		"transactions." },
	      { "submit", RPC_ARG_BOOL, 0, "true",
		"Whether to submit the block before the RPC call returns or "
		"to return it as hex." } },
	    "Mine a set of ordered transactions to a specified address or "
	    "descriptor and return the block hash.",
	    "{\n  \"hash\" : \"hex\",    (string) hash of generated block\n"
	    "  \"hex\" : \"hex\"      (string, optional) hex of generated "
	    "block, only present when submit=false\n}\n",
	    "\"myaddress\" '[\"rawtx\", \"mempool_txid\"]'", RPC_ON_VALIDATION },
	{ "generate", "hidden", m_generate, RPC_F_FAST | RPC_F_STUB,
	    { { NULL, 0, 0, NULL, NULL } },
	    "has been replaced by the -generate cli option. Refer to -help "
	    "for more information.", NULL, NULL, RPC_ON_RPC },
	{ "generatetoaddress", "generating", rpc_forward_validation, 0,
	    { { "nblocks", RPC_ARG_NUM, 1, NULL,
		"How many blocks are generated." },
	      { "address", RPC_ARG_STR, 1, NULL,
		"The address to send the newly generated bitcoin to." },
	      { "maxtries", RPC_ARG_NUM, 0, "1000000",
		"How many iterations to try." } },
	    "Mine to a specified address and return the block hashes.",
	    GEN_RESULT, "11 \"myaddress\"", RPC_ON_VALIDATION },
	{ "generatetodescriptor", "generating", rpc_forward_validation, 0,
	    { { "num_blocks", RPC_ARG_NUM, 1, NULL,
		"How many blocks are generated." },
	      { "descriptor", RPC_ARG_STR, 1, NULL,
		"The descriptor to send the newly generated bitcoin to." },
	      { "maxtries", RPC_ARG_NUM, 0, "1000000",
		"How many iterations to try." } },
	    "Mine to a specified descriptor and return the block hashes.",
	    GEN_RESULT, "11 \"mydesc\"", RPC_ON_VALIDATION },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
