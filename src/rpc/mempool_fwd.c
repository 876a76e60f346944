/*
 * Mempool methods: the pool belongs to the mempool thread, so each is
 * forwarded to it through mempool_call (src/mempool/rpc_mempool.c runs
 * them). This file holds their table entries, names, arguments and help,
 * and for sendrawtransaction and testmempoolaccept the amount parameters,
 * which are turned into integer satoshis here, where the amount parser is.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>

#include "mempool/policy.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "util/callparam.h"

/* Core's MAX_PACKAGE_COUNT. */
#define MAX_PACKAGE_COUNT 25

/* Core's ParseFeeRate: BTC/kvB, below 1 BTC/kvB; absent gives the default. */
static int
parse_feerate(const json_t *v, int64_t *sat, struct rpc_error *err)
{
	if (v == NULL) {
		*sat = POLICY_DEFAULT_MAX_RAW_TX_FEE_RATE;
		return 0;
	}
	if (rpc_parse_amount(v, sat, err) == -1)
		return -1;
	if (*sat >= COIN) {
		rpc_fail(err, RPC_INVALID_PARAMETER, "Fee rates larger than or "
		    "equal to 1BTC/kvB are not accepted");
		return -1;
	}
	return 0;
}

static json_t *
call_with(struct rpc_ctx *c, json_t *params, struct rpc_error *err)
{
	json_t *res;
	int rc;

	rc = rpc_call_mempool(c->rpc, c->m->name, params, &res, err);
	json_decref(params);
	return rc == 0 ? res : NULL;
}

static json_t *
m_sendrawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	int64_t burn = 0, feerate;

	/* Core reads maxburnamount first, maxfeerate after the decoding. */
	if (rpc_param(c, 2) && rpc_parse_amount(rpc_param(c, 2), &burn,
	    err) == -1)
		return NULL;
	if (parse_feerate(rpc_param(c, 1), &feerate, err) == -1)
		return NULL;
	return call_with(c, json_pack("[O,I,I]", rpc_param(c, 0),
	    (json_int_t)feerate, (json_int_t)burn), err);
}

static json_t *
m_testmempoolaccept(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *txs = rpc_param(c, 0);
	int64_t feerate;

	if (json_array_size(txs) < 1 ||
	    json_array_size(txs) > MAX_PACKAGE_COUNT)
		return rpc_fail(err, RPC_INVALID_PARAMETER, "Array must contain "
		    "between 1 and %d transactions.", MAX_PACKAGE_COUNT);
	if (parse_feerate(rpc_param(c, 1), &feerate, err) == -1)
		return NULL;
	return call_with(c, json_pack("[O,I]", txs, (json_int_t)feerate), err);
}

/* fee_delta, required after the optional dummy, is checked by the table. */
static json_t *
m_prioritisetransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *res;

	if (rpc_call_mempool(c->rpc, c->m->name, c->params, &res, err) != 0)
		return NULL;
	return res;
}

/*
 * gettxspendingprevout: the outpoints are read and checked here, the pool
 * thread answers which pool transaction spends each (_mempool_spenders),
 * and the result is written here.
 */
static json_t *
m_gettxspendingprevout(struct rpc_ctx *c, struct rpc_error *err)
{
	static const char *const names[] = { "txid", "vout" };
	static const char *const types[] = { "string", "number" };
	json_t *outs = rpc_param(c, 0), *o, *list, *ans, *res, *item, *params;
	uint8_t txid[32];
	json_int_t n;
	size_t i;
	int rc;

	if (json_array_size(outs) == 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid parameter, outputs are missing");
	list = json_array();
	json_array_foreach(outs, i, o) {
		if (!json_is_object(o)) {
			json_decref(list);
			return rpc_fail(err, RPC_TYPE_ERROR, "JSON value of type "
			    "%s is not of expected type object",
			    json_type_name(o));
		}
		if (rpc_check_obj(o, names, types, 2, 0, 1, err) == -1 ||
		    rpc_parse_hash(json_object_get(o, "txid"), "txid", txid,
		    err) == -1) {
			json_decref(list);
			return NULL;
		}
		n = json_integer_value(json_object_get(o, "vout"));
		if (!json_is_integer(json_object_get(o, "vout")) ||
		    n < INT_MIN || n > INT_MAX) {
			json_decref(list);
			return rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
		}
		if (n < 0) {
			json_decref(list);
			return rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, vout cannot be negative");
		}
		json_array_append_new(list, json_pack("[o,I]", json_hash(txid),
		    n));
	}
	params = json_pack("[O]", list);
	rc = rpc_call_mempool(c->rpc, "_mempool_spenders", params, &ans, err);
	json_decref(params);
	if (rc != 0) {
		json_decref(list);
		return NULL;
	}
	res = json_array();
	for (i = 0; i < json_array_size(list); i++) {
		item = json_object();
		json_object_set(item, "txid",
		    json_array_get(json_array_get(list, i), 0));
		json_object_set(item, "vout",
		    json_array_get(json_array_get(list, i), 1));
		if (json_is_string(json_array_get(ans, i)))
			json_object_set(item, "spendingtxid",
			    json_array_get(ans, i));
		json_array_append_new(res, item);
	}
	json_decref(ans);
	json_decref(list);
	return res;
}

#define TXID_EX "\"mytxid\""

#define ENTRY_FIELDS(IND) \
	IND "\"vsize\" : n,            (numeric) virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted.\n" \
	IND "\"weight\" : n,           (numeric) transaction weight as defined in BIP 141.\n" \
	IND "\"time\" : xxx,           (numeric) local time transaction entered pool in seconds since 1 Jan 1970 GMT\n" \
	IND "\"height\" : n,           (numeric) block height when transaction entered pool\n" \
	IND "\"descendantcount\" : n,  (numeric) number of in-mempool descendant transactions (including this one)\n" \
	IND "\"descendantsize\" : n,   (numeric) virtual transaction size of in-mempool descendants (including this one)\n" \
	IND "\"ancestorcount\" : n,    (numeric) number of in-mempool ancestor transactions (including this one)\n" \
	IND "\"ancestorsize\" : n,     (numeric) virtual transaction size of in-mempool ancestors (including this one)\n" \
	IND "\"wtxid\" : \"hex\",        (string) hash of serialized transaction, including witness data\n" \
	IND "\"fees\" : {              (json object)\n" \
	IND "  \"base\" : n,           (numeric) transaction fee, denominated in BTC\n" \
	IND "  \"modified\" : n,       (numeric) transaction fee with fee deltas used for mining priority, denominated in BTC\n" \
	IND "  \"ancestor\" : n,       (numeric) transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in BTC\n" \
	IND "  \"descendant\" : n      (numeric) transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in BTC\n" \
	IND "},\n" \
	IND "\"depends\" : [           (json array) unconfirmed transactions used as inputs for this transaction\n" \
	IND "  \"hex\",                (string) parent transaction id\n" \
	IND "  ...\n" \
	IND "],\n" \
	IND "\"spentby\" : [           (json array) unconfirmed transactions spending outputs from this transaction\n" \
	IND "  \"hex\",                (string) child transaction id\n" \
	IND "  ...\n" \
	IND "],\n" \
	IND "\"bip125-replaceable\" : true|false,  (boolean) Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability. (DEPRECATED)\n" \
	IND "\"unbroadcast\" : true|false          (boolean) Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)\n"

#define ENTRY_MAP(WHAT) \
	"{                           (json object)\n" \
	"  \"transactionid\" : {       (json object)\n" \
	ENTRY_FIELDS("    ") \
	"  },\n  ...\n}\n"

#define RELATIVES_RESULT(WHAT) \
	"Result (for verbose = false):\n" \
	"[           (json array)\n" \
	"  \"hex\",    (string) The transaction id of an in-mempool " WHAT " transaction\n" \
	"  ...\n]\n\n" \
	"Result (for verbose = true):\n" ENTRY_MAP(WHAT)

#define MAXFEERATE_HELP \
	"Reject transactions whose fee rate is higher than the specified " \
	"value, expressed in BTC/kvB.\nFee rates larger than 1BTC/kvB are " \
	"rejected.\nSet to 0 to accept any fee rate."

const struct rpc_method rpc_mempool_methods[] = {
	{ "getmempoolancestors", "blockchain", rpc_forward_mempool, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		"The transaction id (must be in mempool)" },
	      { "verbose", RPC_ARG_BOOL, 0, "false",
		"True for a json object, false for array of transaction ids" } },
	    "If txid is in the mempool, returns all in-mempool ancestors.",
	    RELATIVES_RESULT("ancestor"), TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempooldescendants", "blockchain", rpc_forward_mempool, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		"The transaction id (must be in mempool)" },
	      { "verbose", RPC_ARG_BOOL, 0, "false",
		"True for a json object, false for array of transaction ids" } },
	    "If txid is in the mempool, returns all in-mempool descendants.",
	    RELATIVES_RESULT("descendant"), TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempoolentry", "blockchain", rpc_forward_mempool, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL,
		"The transaction id (must be in mempool)" } },
	    "Returns mempool data for given transaction",
	    "{                         (json object)\n" ENTRY_FIELDS("  ")
	    "}\n", TXID_EX, RPC_ON_MEMPOOL },
	{ "getmempoolinfo", "blockchain", rpc_forward_mempool, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns details on the active state of the TX memory pool.",
	    "{\n"
	    "  \"loaded\" : true|false,         (boolean) True if the initial load attempt of the persisted mempool finished\n"
	    "  \"size\" : n,                    (numeric) Current tx count\n"
	    "  \"bytes\" : n,                   (numeric) Sum of all virtual transaction sizes as defined in BIP 141. Differs from actual serialized size because witness data is discounted\n"
	    "  \"usage\" : n,                   (numeric) Total memory usage for the mempool\n"
	    "  \"total_fee\" : n,               (numeric) Total fees for the mempool in BTC, ignoring modified fees through prioritisetransaction\n"
	    "  \"maxmempool\" : n,              (numeric) Maximum memory usage for the mempool\n"
	    "  \"mempoolminfee\" : n,           (numeric) Minimum fee rate in BTC/kvB for tx to be accepted. Is the maximum of minrelaytxfee and minimum mempool fee\n"
	    "  \"minrelaytxfee\" : n,           (numeric) Current minimum relay fee for transactions\n"
	    "  \"incrementalrelayfee\" : n,     (numeric) minimum fee rate increment for mempool limiting or replacement in BTC/kvB\n"
	    "  \"unbroadcastcount\" : n,        (numeric) Current number of transactions that haven't passed initial broadcast yet\n"
	    "  \"fullrbf\" : true|false,        (boolean) True if the mempool accepts RBF without replaceability signaling inspection (DEPRECATED)\n"
	    "  \"permitbaremultisig\" : true|false, (boolean) True if the mempool accepts transactions with bare multisig outputs\n"
	    "  \"maxdatacarriersize\" : n       (numeric) Maximum number of bytes that can be used by OP_RETURN outputs in the mempool\n"
	    "}\n", "", RPC_ON_MEMPOOL },
	{ "getprioritisedtransactions", "mining", rpc_forward_mempool, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns a map of all user-created (see prioritisetransaction) fee "
	    "deltas by txid, and whether the tx is present in mempool.",
	    "{                                 (json object) prioritisation keyed by txid\n"
	    "  \"<transactionid>\" : {           (json object)\n"
	    "    \"fee_delta\" : n,              (numeric) transaction fee delta in satoshis\n"
	    "    \"in_mempool\" : true|false,    (boolean) whether this transaction is currently in mempool\n"
	    "    \"modified_fee\" : n            (numeric, optional) modified fee in satoshis. Only returned if in_mempool=true\n"
	    "  },\n  ...\n}\n", "", RPC_ON_MEMPOOL },
	{ "getrawmempool", "blockchain", rpc_forward_mempool, 0,
	    { { "verbose", RPC_ARG_BOOL, 0, "false",
		"True for a json object, false for array of transaction ids" },
	      { "mempool_sequence", RPC_ARG_BOOL, 0, "false",
		"If verbose=false, returns a json object with transaction "
		"list and mempool sequence number attached." } },
	    "Returns all transaction ids in memory pool as a json array of "
	    "string transaction ids.\n\nHint: use getmempoolentry to fetch a "
	    "specific transaction from the mempool.",
	    "Result (for verbose = false):\n[           (json array)\n"
	    "  \"hex\",    (string) The transaction id\n  ...\n]\n\n"
	    "Result (for verbose = true):\n" ENTRY_MAP("") "\n"
	    "Result (for verbose = false and mempool_sequence = true):\n"
	    "{                            (json object)\n"
	    "  \"txids\" : [                (json array)\n"
	    "    \"hex\",                   (string) The transaction id\n"
	    "    ...\n  ],\n"
	    "  \"mempool_sequence\" : n     (numeric) The mempool sequence value.\n"
	    "}\n", "true", RPC_ON_MEMPOOL },
	{ "gettxspendingprevout", "blockchain", m_gettxspendingprevout, 0,
	    { { "outputs", RPC_ARG_ARR, 1, NULL,
		"The transaction outputs that we want to check, and within "
		"each, the txid (string) vout (numeric)." } },
	    "Scans the mempool to find transactions spending any of the given "
	    "outputs",
	    "[                              (json array)\n"
	    "  {                            (json object)\n"
	    "    \"txid\" : \"hex\",            (string) the transaction id of the checked output\n"
	    "    \"vout\" : n,                (numeric) the vout value of the checked output\n"
	    "    \"spendingtxid\" : \"hex\"     (string, optional) the transaction id of the mempool transaction spending this output (omitted if unspent)\n"
	    "  },\n  ...\n]\n",
	    "\"[{\\\"txid\\\":\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\",\\\"vout\\\":3}]\"", RPC_ON_RPC },
	{ "prioritisetransaction", "mining", m_prioritisetransaction, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL, "The transaction id." },
	      { "dummy", RPC_ARG_NUM, 0, NULL,
		"API-Compatibility for previous API. Must be zero or null.\n"
		"DEPRECATED. For forward compatibility use named arguments "
		"and omit this parameter." },
	      { "fee_delta", RPC_ARG_NUM, 1, NULL,
		"The fee value (in satoshis) to add (or subtract, if "
		"negative).\nNote, that this value is not a fee rate. It is a "
		"value to modify absolute fee of the TX.\nThe fee is not "
		"actually paid, only the algorithm for selecting transactions "
		"into a block\nconsiders the transaction as it would have paid "
		"a higher (or lower) fee." } },
	    "Accepts the transaction into mined blocks at a higher (or lower) "
	    "priority",
	    "true|false    (boolean) Returns true\n", "\"txid\" 0.0 10000", RPC_ON_RPC },
	{ "savemempool", "blockchain", rpc_forward_mempool, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Dumps the mempool to disk. It will fail until the previous dump "
	    "is fully loaded.",
	    "{                    (json object)\n"
	    "  \"filename\" : \"str\"  (string) the directory and file where the mempool was saved\n"
	    "}\n", "", RPC_ON_MEMPOOL },
	{ "sendrawtransaction", "rawtransactions", m_sendrawtransaction, 0,
	    { { "hexstring", RPC_ARG_HEX, 1, NULL,
		"The hex string of the raw transaction" },
	      { "maxfeerate", RPC_ARG_AMOUNT, 0, "\"0.10\"", MAXFEERATE_HELP },
	      { "maxburnamount", RPC_ARG_AMOUNT, 0, "\"0.00\"",
		"Reject transactions with provably unspendable outputs (e.g. "
		"'datacarrier' outputs that use the OP_RETURN opcode) greater "
		"than the specified value, expressed in BTC.\nIf burning funds "
		"through unspendable outputs is desired, increase this value.\n"
		"This check is based on heuristics and does not guarantee "
		"spendability of outputs.\n" } },
	    "Submit a raw transaction (serialized, hex-encoded) to local node "
	    "and network.\n\nThe transaction will be sent unconditionally to "
	    "all peers, so using sendrawtransaction\nfor manual rebroadcast "
	    "may degrade privacy by leaking the transaction's origin, as\n"
	    "nodes will normally not rebroadcast non-wallet transactions "
	    "already in their mempool.\n\nA specific exception, "
	    "RPC_TRANSACTION_ALREADY_IN_UTXO_SET, may throw if the "
	    "transaction cannot be added to the mempool.\n\nRelated RPCs: "
	    "createrawtransaction",
	    "\"hex\"    (string) The transaction hash in hex\n",
	    "\"signedhex\"", RPC_ON_RPC },
	{ "testmempoolaccept", "rawtransactions", m_testmempoolaccept, 0,
	    { { "rawtxs", RPC_ARG_ARR, 1, NULL,
		"An array of hex strings of raw transactions." },
	      { "maxfeerate", RPC_ARG_AMOUNT, 0, "\"0.10\"", MAXFEERATE_HELP } },
	    "Returns result of mempool acceptance tests indicating if raw "
	    "transaction(s) (serialized, hex-encoded) would be accepted by "
	    "mempool.\n\nIf multiple transactions are passed in, parents must "
	    "come before children and package policies apply: the "
	    "transactions cannot conflict with any mempool transactions or "
	    "each other.\n\nIf one transaction fails, other transactions may "
	    "not be fully validated (the 'allowed' key will be blank).\n\nThe "
	    "maximum number of transactions allowed is 25.\n\nThis checks if "
	    "transactions violate the consensus or policy rules.\n\nSee "
	    "sendrawtransaction call.",
	    "[                               (json array) The result of the mempool acceptance test for each raw transaction in the input array.\n"
	    "                                Returns results for each transaction in the same order they were passed in.\n"
	    "                                Transactions that cannot be fully validated due to failures in other transactions will not contain an 'allowed' result.\n"
	    "  {                             (json object)\n"
	    "    \"txid\" : \"hex\",             (string) The transaction hash in hex\n"
	    "    \"wtxid\" : \"hex\",            (string) The transaction witness hash in hex\n"
	    "    \"package-error\" : \"str\",    (string, optional) Package validation error, if any (only possible if rawtxs had more than 1 transaction).\n"
	    "    \"allowed\" : true|false,     (boolean, optional) Whether this tx would be accepted to the mempool and pass client-specified maxfeerate. If not present, the tx was not fully validated due to a failure in another tx in the list.\n"
	    "    \"vsize\" : n,                (numeric, optional) Virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted (only present when 'allowed' is true)\n"
	    "    \"fees\" : {                  (json object, optional) Transaction fees (only present if 'allowed' is true)\n"
	    "      \"base\" : n,               (numeric) transaction fee in BTC\n"
	    "      \"effective-feerate\" : n,  (numeric) the effective feerate in BTC per KvB. May differ from the base feerate if, for example, there are modified fees from prioritisetransaction or a package feerate was used.\n"
	    "      \"effective-includes\" : [  (json array) transactions whose fees and vsizes are included in effective-feerate.\n"
	    "        \"hex\",                  (string) transaction wtxid in hex\n"
	    "        ...\n      ]\n    },\n"
	    "    \"reject-reason\" : \"str\",    (string, optional) Rejection reason (only present when 'allowed' is false)\n"
	    "    \"reject-details\" : \"str\"    (string, optional) Rejection details (only present when 'allowed' is false and rejection details exist)\n"
	    "  },\n  ...\n]\n", "'[\"signedhex\"]'", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
