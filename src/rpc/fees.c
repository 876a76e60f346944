/*
 * Fee estimation methods (Core 28's rpc/fees.cpp): estimatesmartfee and
 * estimaterawfee. The estimator belongs to the mempool thread
 * (mempool/fees.h), which answers typed requests; this file parses the
 * parameters and writes Core's JSON.
 */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "mempool/mempool.h"
#include "rpc/rpc_int.h"

/*
 * Core's ParseConfirmTarget reads the number as an int: a fraction or a
 * value beyond int's range is -1 "JSON integer out of range". 0 or -1.
 */
static int
param_target(struct rpc_ctx *c, int *target, struct rpc_error *err)
{
	json_t *v = rpc_param(c, 0);
	json_int_t n;

	if (!json_is_integer(v)) {
		rpc_fail(err, RPC_MISC_ERROR, "JSON integer out of range");
		return -1;
	}
	n = json_integer_value(v);
	if (n < INT_MIN || n > INT_MAX) {
		rpc_fail(err, RPC_MISC_ERROR, "JSON integer out of range");
		return -1;
	}
	*target = (int)n;
	return 0;
}

/* Core's FeeModeFromString, case-insensitive. 0, or -1 when unknown. */
static int
parse_mode(const char *s, int *conservative)
{
	if (strcasecmp(s, "unset") == 0 || strcasecmp(s, "economical") == 0) {
		*conservative = 0;
		return 0;
	}
	if (strcasecmp(s, "conservative") == 0) {
		*conservative = 1;
		return 0;
	}
	return -1;
}

static json_t *
m_estimatesmartfee(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_fee_smart_in in;
	struct mempool_fee_smart_out out;
	json_t *mode = rpc_param(c, 1), *o;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (param_target(c, &in.target, err) != 0)
		return NULL;
	/* Core's default since 28: economical. */
	in.mode_ok = mode == NULL ||
	    parse_mode(json_string_value(mode), &in.conservative) == 0;
	if (rpc_mempool_ask(c->rpc, mempool_req_fee_smart, &in, sizeof(in),
		NULL, &out, sizeof(out), NULL, err) != 0)
		return NULL;
	o = json_object();
	if (out.rate > 0)
		json_object_set_new(o, "feerate", rpc_amount(out.rate));
	else
		json_object_set_new(o, "errors",
		    json_pack("[s]", "Insufficient data or no feerate found"));
	json_object_set_new(o, "blocks", json_integer(out.blocks));
	return o;
}

/* Core rounds counts to two decimals and range bounds to integers. */
static json_t *
bucket_json(const struct fees_bucket *b)
{
	json_t *o = json_object();

	json_object_set_new(o, "startrange", json_real(round(b->start)));
	json_object_set_new(o, "endrange", json_real(round(b->end)));
	json_object_set_new(o, "withintarget",
	    json_real(round(b->within_target * 100.0) / 100.0));
	json_object_set_new(o, "totalconfirmed",
	    json_real(round(b->total_confirmed * 100.0) / 100.0));
	json_object_set_new(o, "inmempool",
	    json_real(round(b->in_mempool * 100.0) / 100.0));
	json_object_set_new(o, "leftmempool",
	    json_real(round(b->left_mempool * 100.0) / 100.0));
	return o;
}

static json_t *
horizon_json(const struct mempool_fee_horizon *h)
{
	json_t *o = json_object();

	if (h->rate > 0)
		json_object_set_new(o, "feerate", rpc_amount(h->rate));
	json_object_set_new(o, "decay", json_real(h->res.decay));
	json_object_set_new(o, "scale", json_integer(h->res.scale));
	if (h->rate > 0) {
		json_object_set_new(o, "pass", bucket_json(&h->res.pass));
		/* A start of -1: every bucket passed, no fail range. */
		if (h->res.fail.start != -1)
			json_object_set_new(o, "fail",
			    bucket_json(&h->res.fail));
	} else {
		json_object_set_new(o, "fail", bucket_json(&h->res.fail));
		json_object_set_new(o, "errors",
		    json_pack("[s]",
			"Insufficient data or no feerate found which meets "
			"threshold"));
	}
	return o;
}

static json_t *
m_estimaterawfee(struct rpc_ctx *c, struct rpc_error *err)
{
	struct mempool_fee_raw_in in;
	struct mempool_fee_raw_out out;
	json_t *th = rpc_param(c, 1), *o;
	int i;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (param_target(c, &in.target, err) != 0)
		return NULL;
	in.threshold = th != NULL ? json_number_value(th) :
				    FEES_DOUBLE_SUCCESS;
	if (rpc_mempool_ask(c->rpc, mempool_req_fee_raw, &in, sizeof(in), NULL,
		&out, sizeof(out), NULL, err) != 0)
		return NULL;
	o = json_object();
	for (i = 0; i < out.n; i++)
		json_object_set_new(o, fees_horizon_name(out.h[i].horizon),
		    horizon_json(&out.h[i]));
	return o;
}

#define BUCKET_FIELDS(ind) \
	ind "\"startrange\" : n,        (numeric) start of feerate range\n" ind \
	    "\"endrange\" : n,          (numeric) end of feerate range\n" ind \
	    "\"withintarget\" : n,      (numeric) number of txs over history horizon in the feerate range that were confirmed within target\n" ind \
	    "\"totalconfirmed\" : n,    (numeric) number of txs over history horizon in the feerate range that were confirmed at any point\n" ind \
	    "\"inmempool\" : n,         (numeric) current number of txs in mempool in the feerate range unconfirmed for at least target blocks\n" ind \
	    "\"leftmempool\" : n        (numeric) number of txs over history horizon in the feerate range that left mempool unconfirmed after target\n"

const struct rpc_method rpc_fee_methods[] = {
	{ "estimaterawfee", "hidden", m_estimaterawfee, 0,
	    { { "conf_target", RPC_ARG_NUM, 1, NULL,
		  "Confirmation target in blocks (1 - 1008)" },
		{ "threshold", RPC_ARG_REAL, 0, "0.95",
		    "The proportion of transactions in a given feerate range that "
		    "must have been\nconfirmed within conf_target in order to "
		    "consider those feerates as high enough and proceed to check\n"
		    "lower buckets." } },
	    "WARNING: This interface is unstable and may disappear or change!\n"
	    "\nWARNING: This is an advanced API call that is tightly coupled to "
	    "the specific\nimplementation of fee estimation. The parameters it "
	    "can be called with\nand the results it returns will change if the "
	    "internal implementation changes.\n\nEstimates the approximate fee "
	    "per kilobyte needed for a transaction to begin\nconfirmation "
	    "within conf_target blocks if possible. Uses virtual transaction "
	    "size as\ndefined in BIP 141 (witness data is discounted).",
	    "{                              (json object) Results are returned for any horizon which tracks blocks up to the confirmation target\n"
	    "  \"short\" : {                  (json object, optional) estimate for short time horizon\n"
	    "    \"feerate\" : n,             (numeric, optional) estimate fee rate in BTC/kvB\n"
	    "    \"decay\" : n,               (numeric) exponential decay (per block) for historical moving average of confirmation data\n"
	    "    \"scale\" : n,               (numeric) The resolution of confirmation targets at this time horizon\n"
	    "    \"pass\" : {                 (json object, optional) information about the lowest range of feerates to succeed in meeting the threshold\n" BUCKET_FIELDS(
		"      ") "    },\n"
			  "    \"fail\" : {                 (json object, optional) information about the highest range of feerates to fail to meet the threshold\n"
			  "      ...\n"
			  "    },\n"
			  "    \"errors\" : [               (json array, optional) Errors encountered during processing (if there are any)\n"
			  "      \"str\",                   (string)\n"
			  "      ...\n"
			  "    ]\n"
			  "  },\n"
			  "  \"medium\" : {                 (json object, optional) estimate for medium time horizon\n"
			  "    ...\n"
			  "  },\n"
			  "  \"long\" : {                   (json object, optional) estimate for long time horizon\n"
			  "    ...\n"
			  "  }\n"
			  "}\n",
	    "6 0.9", RPC_ON_MEMPOOL },
	{ "estimatesmartfee", "util", m_estimatesmartfee, 0,
	    { { "conf_target", RPC_ARG_NUM, 1, NULL,
		  "Confirmation target in blocks (1 - 1008)" },
		{ "estimate_mode", RPC_ARG_STR, 0, "\"economical\"",
		    "The fee estimate mode.\nunset, economical, conservative \n"
		    "unset means no mode set (default mode will be used). \n"
		    "economical estimates use a shorter time horizon, making them "
		    "more\nresponsive to short-term drops in the prevailing fee "
		    "market. This mode\npotentially returns a lower fee rate "
		    "estimate.\nconservative estimates use a longer time horizon, "
		    "making them\nless responsive to short-term drops in the "
		    "prevailing fee market. This mode\npotentially returns a higher "
		    "fee rate estimate.\n" } },
	    "Estimates the approximate fee per kilobyte needed for a "
	    "transaction to begin\nconfirmation within conf_target blocks if "
	    "possible and return the number of blocks\nfor which the estimate "
	    "is valid. Uses virtual transaction size as defined\nin BIP 141 "
	    "(witness data is discounted).",
	    "{                   (json object)\n"
	    "  \"feerate\" : n,    (numeric, optional) estimate fee rate in BTC/kvB (only present if no errors were encountered)\n"
	    "  \"errors\" : [      (json array, optional) Errors encountered during processing (if there are any)\n"
	    "    \"str\",          (string) error\n"
	    "    ...\n"
	    "  ],\n"
	    "  \"blocks\" : n      (numeric) block number where estimate was found\n"
	    "                    The request target will be clamped between 2 and the highest target\n"
	    "                    fee estimation is able to return based on how long it has been running.\n"
	    "                    An error is returned if not enough transactions and blocks\n"
	    "                    have been observed to make an estimate for any number of blocks.\n"
	    "}\n",
	    "6", RPC_ON_MEMPOOL },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
