/*
 * Mining methods. getnetworkhashps is answered from the store; mining,
 * submitting, templates and getmininginfo are typed requests to the
 * validation thread (validation.h): the parameters are parsed here, in
 * Core's words, and the answers formatted here in Core's shapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "consensus/consensus.h"
#include "mempool/policy.h"
#include "primitives/block.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

#define HASHPS_DEFAULT_BLOCKS 120

#define DEFAULT_MAX_TRIES 1000000
/* A descriptor's script, at most. */
#define MAX_OUTPUT_SCRIPT 10000

/*
 * Core's getScriptFromDescriptor: 1 with the script, 0 if s is not a
 * descriptor at all, -1 with err if it is one but is unusable, -2 if it is
 * ranged (Core's RPC_INVALID_PARAMETER rather than -5).
 */
static int
script_from_descriptor(const struct chainparams *cp, const char *s,
    uint8_t *script, size_t cap, size_t *len, char *err, size_t errlen)
{
	struct descriptor_output o;
	struct descriptor *d;
	size_t k;

	if (descriptor_parse(cp, s, 0, &d, err, errlen) != 0)
		return 0;
	if (descriptor_is_range(d)) {
		snprintf(err, errlen,
		    "Ranged descriptor not accepted. Maybe "
		    "pass through deriveaddresses first?");
		descriptor_free(d);
		return -2;
	}
	if (descriptor_expand(d, 0, &o) != 0) {
		snprintf(err, errlen,
		    "Cannot derive script without private keys");
		descriptor_free(d);
		return -1;
	}
	/* combo(): Core takes P2WPKH of four scripts, else P2PKH of two. */
	k = o.n == 1 ? 0 : o.n == 4 ? 2 : 1;
	if (o.len[k] > cap) {
		snprintf(err, errlen, "Script too long");
		descriptor_output_free(&o);
		descriptor_free(d);
		return -1;
	}
	memcpy(script, o.script[k], o.len[k]);
	*len = o.len[k];
	descriptor_output_free(&o);
	descriptor_free(d);
	return 1;
}

/* Both generate methods' counts, read first as Core reads them (getInt). */
static int
generate_counts(struct rpc_ctx *c, int *nblocks, int *tries,
    struct rpc_error *err)
{
	if (rpc_get_int_or(rpc_param(c, 0), -1, nblocks, err) == -1 ||
	    rpc_get_int_or(rpc_param(c, 2), DEFAULT_MAX_TRIES, tries, err) ==
		-1)
		return -1;
	return 0;
}

static json_t *
generate(struct rpc_ctx *c, const uint8_t *script, size_t len, int nblocks,
    int tries, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	json_t *out;
	struct validation_generated g;
	struct request_error e;
	size_t i;

	if (validation_generate(sh->v, script, len, nblocks, tries, &g,
		sh->call_timeout_ms, &e) != 0)
		return rpc_validation_fail(c, &e, err);
	out = json_array();
	for (i = 0; i < g.n; i++)
		json_array_append_new(out, rpc_hash_json(g.hashes[i]));
	validation_generated_free(&g);
	return out;
}

static json_t *
m_generatetoaddress(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const char *addr = json_string_value(rpc_param(c, 1));
	uint8_t script[ADDRESS_MAX_SCRIPT];
	size_t len;
	int nblocks, tries;

	if (generate_counts(c, &nblocks, &tries, err) == -1)
		return NULL;
	if (addr == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "generatetoaddress needs nblocks and address");
	if (address_to_script(cp, addr, script, &len, NULL, 0) != 0)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Error: Invalid address");
	return generate(c, script, len, nblocks, tries, err);
}

static json_t *
m_generatetodescriptor(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const char *desc = json_string_value(rpc_param(c, 1));
	uint8_t script[MAX_OUTPUT_SCRIPT];
	char derr[DESCRIPTOR_ERR_LEN];
	size_t len;
	int rc, nblocks, tries;

	if (generate_counts(c, &nblocks, &tries, err) == -1)
		return NULL;
	if (desc == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "generatetodescriptor needs num_blocks and descriptor");
	derr[0] = '\0';
	rc = script_from_descriptor(cp, desc, script, sizeof(script), &len,
	    derr, sizeof(derr));
	if (rc == -2)
		return rpc_fail(err, RPC_INVALID_PARAMETER, "%s", derr);
	if (rc != 1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s", derr);
	return generate(c, script, len, nblocks, tries, err);
}

/*
 * generateblock's transactions, in order, up to the first bad entry
 * (which *err then describes): 0 when all are good, 1 when cut short.
 */
static int
block_txs(json_t *list, struct validation_block_tx *txs, size_t *n,
    struct rpc_error *err)
{
	size_t i, blen;
	uint8_t *buf;
	struct rbuf rb;
	struct tx tx;
	const char *s;
	int ok;

	for (i = 0; i < json_array_size(list); i++) {
		s = json_string_value(json_array_get(list, i));
		memset(&txs[i], 0, sizeof(txs[i]));
		if (s == NULL) {
			rpc_fail(err, RPC_TYPE_ERROR,
			    "JSON value is not a string as expected");
			break;
		}
		if (strlen(s) == 64 && hash_from_hex(s, txs[i].txid) == 0) {
			txs[i].is_txid = 1;
			continue;
		}
		ok = 0;
		if (hex_decode_alloc(s, &buf, &blen) == 0) {
			rbuf_init(&rb, buf, blen);
			if (tx_parse(&rb, &tx, TX_ALLOW_WITNESS) == 0) {
				ok = rbuf_left(&rb) == 0 && tx.vin_count > 0;
				tx_free(&tx);
			}
			if (ok) {
				txs[i].raw = buf;
				txs[i].len = blen;
				continue;
			}
			free(buf);
		}
		rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Transaction decode "
		    "failed for %.400s. Make sure the tx has at least one "
		    "input.",
		    s);
		break;
	}
	*n = i;
	return i < json_array_size(list);
}

static json_t *
m_generateblock(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *out = json_string_value(rpc_param(c, 0));
	json_t *list = rpc_param(c, 1), *ps = rpc_param(c, 2), *res = NULL;
	uint8_t script[MAX_OUTPUT_SCRIPT];
	char derr[DESCRIPTOR_ERR_LEN], *hex;
	struct validation_block_tx *txs;
	struct validation_block_made b;
	struct rpc_error bad = RPC_ERROR_INIT;
	struct request_error e;
	size_t len, n, i;
	int rc, cut;

	if (out == NULL || list == NULL)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "generateblock needs output and transactions");
	if (!json_is_array(list))
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value is not an array as expected");
	rc = script_from_descriptor(sh->cp, out, script, sizeof(script), &len,
	    derr, sizeof(derr));
	if (rc == -2)
		return rpc_fail(err, RPC_INVALID_PARAMETER, "%s", derr);
	if (rc < 0)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s", derr);
	if (rc == 0 &&
	    address_to_script(sh->cp, out, script, &len, NULL, 0) != 0)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Error: Invalid address or descriptor");
	txs = xcalloc(json_array_size(list) + 1, sizeof(*txs));
	cut = block_txs(list, txs, &n, &bad);
	/* Txids before a bad entry are looked up first, as Core reads in order. */
	if (validation_generate_block(sh->v, script, len, txs, n, !cut,
		ps ? json_is_true(ps) : 1, &b, sh->call_timeout_ms, &e) != 0) {
		rpc_validation_fail(c, &e, err);
		goto out;
	}
	if (b.missing)
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Transaction %s not in mempool.",
		    json_string_value(json_array_get(list, b.missing_at)));
	else if (cut)
		rpc_error_move(err, &bad);
	else {
		res = json_object();
		json_object_set_new(res, "hash", rpc_hash_json(b.hash));
		if (b.raw != NULL) {
			hex = hex_encode_alloc(b.raw, b.len);
			json_object_set_new(res, "hex", json_string(hex));
			free(hex);
		}
	}
	validation_block_made_free(&b);
out:
	for (i = 0; i < n; i++)
		free(txs[i].raw);
	free(txs);
	rpc_error_clear(&bad);
	return res;
}

static json_t *
verdict_json(const struct validation_block_verdict *v)
{
	switch (v->verdict) {
	case VALIDATION_ACCEPTED: return json_null();
	case VALIDATION_DUPLICATE: return json_string("duplicate");
	case VALIDATION_DUPLICATE_INVALID:
		return json_string("duplicate-invalid");
	case VALIDATION_DUPLICATE_INCONCLUSIVE:
		return json_string("duplicate-inconclusive");
	case VALIDATION_INCONCLUSIVE: return json_string("inconclusive");
	case VALIDATION_INVALID: break;
	}
	return json_string(v->reason[0] ? v->reason : "rejected");
}

/* Sends a decoded block (raw, freed here) for a verdict, and words it. */
static json_t *
ask_verdict(struct rpc_ctx *c,
    int (*fn)(struct validation *, const uint8_t *, size_t,
	struct validation_block_verdict *, int, struct request_error *),
    uint8_t *raw, size_t len, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct validation_block_verdict v;
	struct request_error e;
	int rc;

	rc = fn(sh->v, raw, len, &v, sh->call_timeout_ms, &e);
	free(raw);
	if (rc != 0)
		return rpc_validation_fail(c, &e, err);
	return verdict_json(&v);
}

/*
 * Core's DecodeHexBlk: a block that parses (bytes after its last
 * transaction are ignored). 0 with *raw (xmalloc'd) and *len the block's
 * length, or -1.
 */
static int
decode_block(const char *hex, uint8_t **raw, size_t *len, struct block *b)
{
	*raw = NULL;
	if (hex == NULL || hex_decode_alloc(hex, raw, len) != 0 ||
	    block_parse_prefix(*raw, *len, b, len) != 0) {
		free(*raw);
		*raw = NULL;
		return -1;
	}
	return 0;
}

static json_t *
m_submitblock(struct rpc_ctx *c, struct rpc_error *err)
{
	struct block b;
	uint8_t *raw;
	size_t len;
	int coinbase;

	if (decode_block(json_string_value(rpc_param(c, 0)), &raw, &len, &b) !=
	    0)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block decode failed");
	coinbase = b.tx_count > 0 && tx_is_coinbase(&b.txs[0]);
	block_free(&b);
	if (!coinbase) {
		free(raw);
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block does not start with a coinbase");
	}
	return ask_verdict(c, validation_submit_rpc_block, raw, len, err);
}

static json_t *
m_submitheader(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *hex = json_string_value(rpc_param(c, 0));
	uint8_t raw[BLOCK_HEADER_SIZE];
	struct request_error e;
	struct block_header h;
	struct rbuf rb;

	if (hex == NULL || strlen(hex) != 2 * BLOCK_HEADER_SIZE ||
	    hex_decode(hex, raw, sizeof(raw)) != BLOCK_HEADER_SIZE)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block header decode failed");
	rbuf_init(&rb, raw, sizeof(raw));
	if (header_parse(&rb, &h) != 0)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block header decode failed");
	if (validation_submit_rpc_header(sh->v, raw, sh->call_timeout_ms,
		&e) != 0)
		return rpc_validation_fail(c, &e, err);
	return json_null();
}

/* ---- getblocktemplate ---- */

static json_t *
gbt_proposal(struct rpc_ctx *c, json_t *req, struct rpc_error *err)
{
	const char *hex = json_string_value(json_object_get(req, "data"));
	struct block b;
	uint8_t *raw;
	size_t len;

	if (hex == NULL)
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "Missing data String key "
		    "for proposal");
	if (decode_block(hex, &raw, &len, &b) != 0)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block decode failed");
	block_free(&b);
	return ask_verdict(c, validation_check_proposal, raw, len, err);
}

/* getblocktemplate's "transactions": Core's keys, in Core's order. */
static json_t *
gbt_transactions(const struct template_txs *tt, int pre_segwit)
{
	json_t *arr = json_array(), *o, *deps;
	const struct template_tx *x;
	int64_t sigops;
	char *hex;
	size_t i, k;

	for (i = 0; i < tt->n; i++) {
		x = &tt->txs[i];
		deps = json_array();
		for (k = 0; k < x->ndepends; k++)
			json_array_append_new(deps,
			    json_integer(x->depends[k]));
		sigops = x->sigop_cost;
		if (pre_segwit)
			sigops /= WITNESS_SCALE_FACTOR;
		hex = hex_encode_alloc(x->raw, x->len);
		o = json_object();
		json_object_set_new(o, "data", json_string(hex));
		json_object_set_new(o, "txid", rpc_hash_json(x->txid));
		json_object_set_new(o, "hash", rpc_hash_json(x->wtxid));
		json_object_set_new(o, "depends", deps);
		json_object_set_new(o, "fee", json_integer(x->fee));
		json_object_set_new(o, "sigops", json_integer(sigops));
		json_object_set_new(o, "weight",
		    json_integer((json_int_t)x->weight));
		json_array_append_new(arr, o);
		free(hex);
	}
	return arr;
}

/*
 * A string longpollid starts with the tip it watches, parsed as Core's
 * ParseHashV does; 0, or -1 with err. The wait itself is not
 * implemented: the template is answered at once.
 */
static int
check_longpollid(json_t *req, struct rpc_error *err)
{
	const char *s = json_string_value(json_object_get(req, "longpollid"));
	char head[65];
	uint8_t h[32];
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s) < 64 ? strlen(s) : 64;
	memcpy(head, s, n);
	head[n] = '\0';
	if (n != 64) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "longpollid must be of "
		    "length 64 (not %zu, for '%s')",
		    n, head);
		return -1;
	}
	if (hash_from_hex(head, h) != 0) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "longpollid must be "
		    "hexadecimal string (not '%s')",
		    head);
		return -1;
	}
	return 0;
}

static json_t *
bits_json(uint32_t bits)
{
	char s[9];

	rpc_bits_hex(bits, s);
	return json_string(s);
}

static json_t *
target_json(uint32_t bits)
{
	char s[65];

	rpc_target_hex(bits, s);
	return json_string(s);
}

static void
add_signet_challenge(const struct chainparams *cp, json_t *res)
{
	char *ch;

	if (cp->id != CHAIN_SIGNET)
		return;
	ch = hex_encode_alloc(cp->signet_challenge, cp->signet_challenge_len);
	json_object_set_new(res, "signet_challenge", json_string(ch));
	free(ch);
}

static json_t *
template_json(const struct chainparams *cp, struct validation_template *t)
{
	json_t *res = json_object(), *rules = json_array(), *vb, *a;
	char hex[2 * CONSENSUS_COMMITMENT_SIZE + 1], tiphex[65], lp[96];
	size_t i;

	json_array_append_new(rules, json_string("csv"));
	if (!t->pre_segwit) {
		json_array_append_new(rules, json_string("!segwit"));
		json_array_append_new(rules, json_string("taproot"));
	}
	if (cp->id == CHAIN_SIGNET)
		json_array_append_new(rules, json_string("!signet"));
	vb = json_object();
	for (i = 0; i < t->ndeployments; i++) {
		if (t->deployments[i].signalling)
			json_object_set_new(vb, t->deployments[i].name,
			    json_integer(t->deployments[i].bit));
		else if (t->deployments[i].active)
			json_array_append_new(rules,
			    json_string(t->deployments[i].name));
	}
	hash_to_hex(t->prev, tiphex);
	snprintf(lp, sizeof(lp), "%s0", tiphex);
	a = json_array();
	json_array_append_new(a, json_string("proposal"));
	json_object_set_new(res, "capabilities", a);
	json_object_set_new(res, "version", json_integer(t->version));
	json_object_set_new(res, "rules", rules);
	json_object_set_new(res, "vbavailable", vb);
	json_object_set_new(res, "vbrequired", json_integer(0));
	json_object_set_new(res, "previousblockhash", json_string(tiphex));
	json_object_set_new(res, "transactions",
	    gbt_transactions(&t->txs, t->pre_segwit));
	json_object_set_new(res, "coinbaseaux", json_object());
	json_object_set_new(res, "coinbasevalue",
	    json_integer(t->coinbase_value));
	json_object_set_new(res, "longpollid", json_string(lp));
	json_object_set_new(res, "target", target_json(t->bits));
	json_object_set_new(res, "mintime", json_integer(t->mintime));
	a = json_array();
	json_array_append_new(a, json_string("time"));
	json_array_append_new(a, json_string("transactions"));
	json_array_append_new(a, json_string("prevblock"));
	json_object_set_new(res, "mutable", a);
	json_object_set_new(res, "noncerange",
	    json_string("00000000ffffffff"));
	json_object_set_new(res, "sigoplimit",
	    json_integer(t->pre_segwit ?
		    MAX_BLOCK_SIGOPS_COST / WITNESS_SCALE_FACTOR :
		    MAX_BLOCK_SIGOPS_COST));
	json_object_set_new(res, "sizelimit",
	    json_integer(t->pre_segwit ?
		    MAX_BLOCK_SERIALIZED_SIZE / WITNESS_SCALE_FACTOR :
		    MAX_BLOCK_SERIALIZED_SIZE));
	if (!t->pre_segwit)
		json_object_set_new(res, "weightlimit",
		    json_integer(MAX_BLOCK_WEIGHT));
	json_object_set_new(res, "curtime", json_integer(t->curtime));
	json_object_set_new(res, "bits", bits_json(t->bits));
	json_object_set_new(res, "height", json_integer(t->height));
	add_signet_challenge(cp, res);
	if (t->has_commitment) {
		hex_encode(t->commitment, sizeof(t->commitment), hex);
		json_object_set_new(res, "default_witness_commitment",
		    json_string(hex));
	}
	return res;
}

static json_t *
m_getblocktemplate(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	json_t *req = rpc_param(c, 0), *rules, *res;
	const char *mode = "template", *s;
	struct validation_template t;
	struct request_error e;
	int segwit_rule = 0, signet_rule = 0;
	size_t k;

	if (req && !json_is_object(req))
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value of type %s is not of expected type object",
		    json_is_array(req) ? "array" : "string");
	if (req && json_is_string(json_object_get(req, "mode")))
		mode = json_string_value(json_object_get(req, "mode"));
	if (strcmp(mode, "proposal") == 0)
		return gbt_proposal(c, req, err);
	if (strcmp(mode, "template") != 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER, "Invalid mode");
	rules = req ? json_object_get(req, "rules") : NULL;
	if (json_is_array(rules))
		for (k = 0; k < json_array_size(rules); k++) {
			s = json_string_value(json_array_get(rules, k));
			if (s && strcmp(s, "segwit") == 0)
				segwit_rule = 1;
			if (s && strcmp(s, "signet") == 0)
				signet_rule = 1;
		}
	if (sh->cp->id == CHAIN_MAIN && validation_is_initial_download(sh->v))
		return rpc_fail(err, RPC_CLIENT_IN_INITIAL_DOWNLOAD,
		    "Bitcoin Core is in initial sync and waiting for "
		    "blocks...");
	if (check_longpollid(req, err) != 0)
		return NULL;
	if (!segwit_rule)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "getblocktemplate "
		    "must be called with the segwit rule set (call with "
		    "{\"rules\": [\"segwit\"]})");
	/* A signet miner must know that blocks need a signature (Core). */
	if (sh->cp->id == CHAIN_SIGNET && !signet_rule)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "getblocktemplate "
		    "must be called with the signet rule set (call with "
		    "{\"rules\": [\"segwit\", \"signet\"]})");
	if (validation_get_template(sh->v, &t, sh->call_timeout_ms, &e) != 0)
		return rpc_validation_fail(c, &e, err);
	res = template_json(sh->cp, &t);
	template_txs_free(&t.txs);
	return res;
}

static json_t *
m_getmininginfo(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	int64_t minfee = POLICY_DEFAULT_BLOCK_MIN_TX_FEE;
	struct validation_mining_info mi;
	struct request_error e;
	json_t *res, *next;
	const char *s;

	if (validation_mining_info(sh->v, &mi, sh->call_timeout_ms, &e) != 0)
		return rpc_validation_fail(c, &e, err);
	/* Checked at start-up by policy_init; a bad value cannot get here. */
	if ((s = args_get(sh->args, "blockmintxfee")) != NULL &&
	    policy_parse_money(s, &minfee) != 0)
		minfee = POLICY_DEFAULT_BLOCK_MIN_TX_FEE;
	res = json_object();
	json_object_set_new(res, "blocks", json_integer(mi.height));
	if (mi.have_assembled) {
		json_object_set_new(res, "currentblockweight",
		    json_integer((json_int_t)mi.last_block_weight));
		json_object_set_new(res, "currentblocktx",
		    json_integer((json_int_t)mi.last_block_txs));
	}
	json_object_set_new(res, "bits", bits_json(mi.bits));
	json_object_set_new(res, "difficulty",
	    json_real(arith256_difficulty(mi.bits)));
	json_object_set_new(res, "target", target_json(mi.bits));
	json_object_set_new(res, "networkhashps", json_real(mi.networkhashps));
	json_object_set_new(res, "pooledtx",
	    json_integer((json_int_t)mi.pooledtx));
	json_object_set_new(res, "blockmintxfee", rpc_amount(minfee));
	json_object_set_new(res, "chain", json_string(sh->cp->name));
	add_signet_challenge(sh->cp, res);
	next = json_object();
	json_object_set_new(next, "height", json_integer(mi.height + 1));
	json_object_set_new(next, "bits", bits_json(mi.next_bits));
	json_object_set_new(next, "difficulty",
	    json_real(arith256_difficulty(mi.next_bits)));
	json_object_set_new(next, "target", target_json(mi.next_bits));
	json_object_set_new(res, "next", next);
	json_object_set_new(res, "warnings", rpc_warnings_json(c->rpc));
	return res;
}

static json_t *
m_getnetworkhashps(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct store_rtxn *t;
	uint8_t tip[32];
	int32_t tip_h;
	double v;
	int nb, h;

	if (rpc_get_int_or(rpc_param(c, 0), HASHPS_DEFAULT_BLOCKS, &nb, err) ==
		-1 ||
	    rpc_get_int_or(rpc_param(c, 1), -1, &h, err) == -1)
		return NULL;

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
	{ "getmininginfo", "mining", m_getmininginfo, 0,
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
	    "found.",
	    "n    (numeric) Hashes per second estimated\n", "", RPC_ON_RPC },
	{ "getblocktemplate", "mining", m_getblocktemplate, 0,
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
	{ "submitblock", "mining", m_submitblock, 0,
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
	{ "submitheader", "mining", m_submitheader, 0,
	    { { "hexdata", RPC_ARG_HEX, 1, NULL,
		"the hex-encoded block header data" } },
	    "Decode the given hexdata as a header and submit it as a "
	    "candidate chain tip if valid.\nThrows when the header is "
	    "invalid.",
	    "null    (json null) None\n", "\"aabbcc\"", RPC_ON_VALIDATION },
	{ "generateblock", "generating", m_generateblock, 0,
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
	    "\"myaddress\" '[\"rawtx\", \"mempool_txid\"]'",
	    RPC_ON_VALIDATION },
	{ "generate", "hidden", m_generate, RPC_F_FAST | RPC_F_STUB,
	    { { NULL, 0, 0, NULL, NULL } },
	    "has been replaced by the -generate cli option. Refer to -help "
	    "for more information.",
	    NULL, NULL, RPC_ON_RPC },
	{ "generatetoaddress", "generating", m_generatetoaddress, 0,
	    { { "nblocks", RPC_ARG_NUM, 1, NULL,
		  "How many blocks are generated." },
		{ "address", RPC_ARG_STR, 1, NULL,
		    "The address to send the newly generated bitcoin to." },
		{ "maxtries", RPC_ARG_NUM, 0, "1000000",
		    "How many iterations to try." } },
	    "Mine to a specified address and return the block hashes.",
	    GEN_RESULT, "11 \"myaddress\"", RPC_ON_VALIDATION },
	{ "generatetodescriptor", "generating", m_generatetodescriptor, 0,
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
