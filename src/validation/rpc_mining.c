/*
 * Mining RPC methods served on the validation thread: generatetoaddress,
 * generatetodescriptor, generateblock, submitblock, submitheader,
 * getblocktemplate, getmininginfo, getnetworkhashps. Parameters, errors
 * and result shapes follow Bitcoin Core 30.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "mempool/policy.h"
#include "rpc/rpc.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"
#include "validation/versionbits.h"

#define DEFAULT_MAX_TRIES 1000000
#define DEFAULT_BLOCK_MIN_TX_FEE POLICY_DEFAULT_BLOCK_MIN_TX_FEE

/*
 * Core's getScriptFromDescriptor: 1 with the script, 0 if s is not a
 * descriptor at all, -1 with err if it is one but is unusable.
 */
static int
script_from_descriptor(const struct chainparams *cp, const char *s,
    uint8_t *script, size_t cap, size_t *len, char *err, size_t errlen)
{
	struct descriptor *d;
	const uint8_t *p;
	size_t n;

	if (descriptor_parse(cp, s, 0, &d, err, errlen) != 0)
		return 0;
	if (descriptor_is_range(d)) {
		snprintf(err, errlen, "Ranged descriptor not accepted. Maybe "
		    "pass through deriveaddresses first?");
		descriptor_free(d);
		return -1;
	}
	p = descriptor_script(d, &n);
	if (n > cap) {
		snprintf(err, errlen, "Script too long");
		descriptor_free(d);
		return -1;
	}
	memcpy(script, p, n);
	*len = n;
	descriptor_free(d);
	return 1;
}

/*
 * A block on the tip with the mempool's best transactions (Core's
 * CreateNewBlock, with its TestBlockValidity when there are any). 0, or
 * -1 after failing c.
 */
static int
assemble_from_pool(struct validation *v, struct call *c,
    const uint8_t *script, size_t script_len, struct block_tmpl *t)
{
	struct template_txs tt;
	struct val_state st;
	struct tx *txs;
	int64_t fees;
	size_t n;
	int rc;

	n = mining_select(v, &tt, &txs, &fees);
	rc = mining_assemble(v, script, script_len, txs, n, fees, t);
	mining_txs_free(txs, n);
	template_txs_free(&tt);
	if (rc != 0) {
		call_fail(c, RPC_INTERNAL_ERROR, "no chain tip");
		return -1;
	}
	if (n && chainstate_test_block(v->cs, &t->b, 0, 0, &st) != 0) {
		mining_tmpl_free(t);
		if (st.debug[0])
			call_fail(c, RPC_MISC_ERROR,
			    "TestBlockValidity failed: %s, %s", st.reason,
			    st.debug);
		else
			call_fail(c, RPC_MISC_ERROR,
			    "TestBlockValidity failed: %s", st.reason);
		return -1;
	}
	return 0;
}

static void
generate(struct validation *v, struct call *c, const uint8_t *script,
    size_t script_len, int64_t nblocks, int64_t max_tries)
{
	/* Core converts maxtries to uint64_t: -1 means (nearly) forever. */
	uint64_t tries = (uint64_t)max_tries;
	struct block_tmpl t;
	struct block_result r;
	json_t *out = json_array();
	int rc;

	while (nblocks > 0 && !shutdown_requested()) {
		if (assemble_from_pool(v, c, script, script_len, &t) != 0) {
			json_decref(out);
			return;
		}
		rc = mining_grind(v, &t, &tries);
		if (rc < 0) {
			mining_tmpl_free(&t);
			break;
		}
		if (rc == 0) {
			mining_tmpl_free(&t);
			continue;
		}
		validation_process_block(v, 0, t.raw.p, t.raw.len, &r);
		if (!r.accepted) {
			mining_tmpl_free(&t);
			json_decref(out);
			call_fail(c, RPC_INTERNAL_ERROR,
			    "ProcessNewBlock, block not accepted");
			return;
		}
		json_array_append_new(out, json_hash(r.hash));
		mining_tmpl_free(&t);
		nblocks--;
	}
	call_finish(c, out, NULL);
}

static void
m_generatetoaddress(struct validation *v, struct call *c, json_t *params)
{
	uint8_t script[ADDRESS_MAX_SCRIPT];
	size_t len;
	const char *addr;
	int64_t n, tries;

	if (callparam_int(c, params, 0, -1, &n) != 0 ||
	    callparam_str(c, params, 1, &addr) != 0 ||
	    callparam_int(c, params, 2, DEFAULT_MAX_TRIES, &tries) != 0)
		return;
	if (addr == NULL) {
		call_fail(c, RPC_INVALID_PARAMETER,
		    "generatetoaddress needs nblocks and address");
		return;
	}
	if (address_to_script(v->cp, addr, script, &len, NULL, 0) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY,
		    "Error: Invalid address");
		return;
	}
	generate(v, c, script, len, n, tries);
}

static void
m_generatetodescriptor(struct validation *v, struct call *c, json_t *params)
{
	uint8_t script[10000];
	char err[DESCRIPTOR_ERR_LEN];
	const char *desc;
	size_t len;
	int64_t n, tries;

	if (callparam_int(c, params, 0, -1, &n) != 0 ||
	    callparam_str(c, params, 1, &desc) != 0 ||
	    callparam_int(c, params, 2, DEFAULT_MAX_TRIES, &tries) != 0)
		return;
	if (desc == NULL) {
		call_fail(c, RPC_INVALID_PARAMETER,
		    "generatetodescriptor needs num_blocks and descriptor");
		return;
	}
	err[0] = '\0';
	if (script_from_descriptor(v->cp, desc, script, sizeof(script), &len,
	    err, sizeof(err)) != 1) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "%s", err);
		return;
	}
	generate(v, c, script, len, n, tries);
}

static void
free_txs(struct tx *txs, uint8_t **bufs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tx_free(&txs[i]);
		free(bufs[i]);
	}
	free(txs);
	free(bufs);
}

/* The raw bytes of a mempool transaction (xmalloc'd): 0, or -1 if not there. */
static int
pool_lookup(struct validation *v, const uint8_t txid[32], uint8_t **raw,
    size_t *len)
{
	struct template_request req;
	struct template_txs tt;
	uint8_t ids[1][32];

	memcpy(ids[0], txid, 32);
	memset(&req, 0, sizeof(req));
	req.mode = TEMPLATE_LOOKUP;
	req.txids = (const uint8_t (*)[32])ids;
	req.ntxids = 1;
	validation_template(v, &req, &tt);
	*raw = NULL;
	if (tt.n == 1 && tt.txs[0].raw) {
		*raw = tt.txs[0].raw;
		*len = tt.txs[0].len;
		tt.txs[0].raw = NULL;
	}
	template_txs_free(&tt);
	return *raw ? 0 : -1;
}

static void
m_generateblock(struct validation *v, struct call *c, json_t *params)
{
	uint8_t script[10000];
	char err[DESCRIPTOR_ERR_LEN], sbuf[512];
	const char *out;
	json_t *list, *res;
	struct tx *txs = NULL;
	uint8_t **bufs = NULL, hash[32];
	size_t len, n = 0, i;
	struct block_tmpl t;
	struct val_state st;
	struct block_result r;
	uint64_t tries = DEFAULT_MAX_TRIES;
	int submit, rc;

	if (callparam_str(c, params, 0, &out) != 0 ||
	    callparam_bool(c, params, 2, 1, &submit) != 0)
		return;
	list = callparam(params, 1);
	if (out == NULL || list == NULL) {
		call_fail(c, RPC_INVALID_PARAMETER,
		    "generateblock needs output and transactions");
		return;
	}
	if (!json_is_array(list)) {
		call_fail(c, RPC_TYPE_ERROR,
		    "JSON value is not an array as expected");
		return;
	}
	rc = script_from_descriptor(v->cp, out, script, sizeof(script), &len,
	    err, sizeof(err));
	if (rc < 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY, "%s", err);
		return;
	}
	if (rc == 0 && address_to_script(v->cp, out, script, &len, NULL,
	    0) != 0) {
		call_fail(c, RPC_INVALID_ADDRESS_OR_KEY,
		    "Error: Invalid address or descriptor");
		return;
	}
	n = json_array_size(list);
	txs = xcalloc(n ? n : 1, sizeof(*txs));
	bufs = xcalloc(n ? n : 1, sizeof(*bufs));
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(list, i));
		struct rbuf rb;
		size_t blen;

		if (s == NULL) {
			free_txs(txs, bufs, i);
			call_fail(c, RPC_TYPE_ERROR,
			    "JSON value is not a string as expected");
			return;
		}
		if (strlen(s) == 64 && hash_from_hex(s, hash) == 0) {
			/* A txid names a mempool transaction, as in Core. */
			if (pool_lookup(v, hash, &bufs[i], &blen) != 0) {
				free_txs(txs, bufs, i);
				call_fail(c, RPC_INVALID_ADDRESS_OR_KEY,
				    "Transaction %s not in mempool.", s);
				return;
			}
			rbuf_init(&rb, bufs[i], blen);
			if (tx_parse(&rb, &txs[i], TX_ALLOW_WITNESS) != 0 ||
			    rbuf_left(&rb) != 0)
				fatalx("%s: the mempool's transaction %s does "
				    "not parse", __func__, s);
			continue;
		}
		if (hex_decode_alloc(s, &bufs[i], &blen) == 0) {
			rbuf_init(&rb, bufs[i], blen);
			if (tx_parse(&rb, &txs[i], TX_ALLOW_WITNESS) == 0) {
				if (rbuf_left(&rb) == 0 && txs[i].vin_count > 0)
					continue;
				tx_free(&txs[i]);
			}
		}
		free(bufs[i]);
		bufs[i] = NULL;
		snprintf(sbuf, sizeof(sbuf), "%.400s", s);
		free_txs(txs, bufs, i);
		call_fail(c, RPC_DESERIALIZATION_ERROR,
		    "Transaction decode failed for %s. Make sure the tx has at "
		    "least one input.", sbuf);
		return;
	}
	/* Core's generateblock leaves the fees unclaimed: subsidy only. */
	if (mining_assemble(v, script, len, txs, n, 0, &t) != 0) {
		free_txs(txs, bufs, n);
		call_fail(c, RPC_INTERNAL_ERROR, "no chain tip");
		return;
	}
	if (chainstate_test_block(v->cs, &t.b, 0, 0, &st) != 0) {
		mining_tmpl_free(&t);
		free_txs(txs, bufs, n);
		if (st.debug[0])
			call_fail(c, RPC_VERIFY_ERROR,
			    "TestBlockValidity failed: %s, %s", st.reason,
			    st.debug);
		else
			call_fail(c, RPC_VERIFY_ERROR,
			    "TestBlockValidity failed: %s", st.reason);
		return;
	}
	rc = mining_grind(v, &t, &tries);
	if (rc != 1) {
		mining_tmpl_free(&t);
		free_txs(txs, bufs, n);
		call_fail(c, RPC_MISC_ERROR, "Failed to make block.");
		return;
	}
	if (submit) {
		validation_process_block(v, 0, t.raw.p, t.raw.len, &r);
		if (!r.accepted) {
			mining_tmpl_free(&t);
			free_txs(txs, bufs, n);
			call_fail(c, RPC_INTERNAL_ERROR,
			    "ProcessNewBlock, block not accepted");
			return;
		}
		res = json_pack("{s:o}", "hash", json_hash(t.b.hash));
	} else {
		char *hex = hex_encode_alloc(t.raw.p, t.raw.len);

		res = json_pack("{s:o,s:s}", "hash", json_hash(t.b.hash),
		    "hex", hex);
		free(hex);
	}
	mining_tmpl_free(&t);
	free_txs(txs, bufs, n);
	call_finish(c, res, NULL);
}

/*
 * Core's UpdateUncommittedBlockStructures: a block that commits to its
 * witnesses but whose coinbase has no witness gets the default reserved
 * value (32 zero bytes). Returns a re-serialized copy, or NULL when
 * nothing changed.
 */
static uint8_t *
add_witness_nonce(struct validation *v, struct block *b, size_t *len)
{
	struct block_index_entry prev;
	static const uint8_t zero[32];
	struct witem item;
	struct txin *in;
	struct wbuf w;

	if (chainstate_lookup(v->cs, b->hdr.prev, &prev, NULL) != 0 ||
	    !consensus_deployment_active(v->cp->segwit_height,
	    prev.height + 1) || consensus_witness_commitment_index(b) < 0)
		return NULL;
	in = &b->txs[0].vin[0];
	if (in->wit_count != 0)
		return NULL;
	item.p = zero;
	item.len = 32;
	in->wit = &item;
	in->wit_count = 1;
	wbuf_init(&w);
	block_serialize(b, &w, 1);
	in->wit = NULL;
	in->wit_count = 0;
	return wbuf_steal(&w, len);
}

static void
m_submitblock(struct validation *v, struct call *c, json_t *params)
{
	const char *hex;
	uint8_t *raw = NULL, *fixed;
	size_t len;
	struct block b;
	struct block_result r;
	json_t *res;

	if (callparam_str(c, params, 0, &hex) != 0)
		return;
	/* Core's DecodeHexBlk: bytes after the last transaction are ignored. */
	if (hex == NULL || hex_decode_alloc(hex, &raw, &len) != 0 ||
	    block_parse_prefix(raw, len, &b, &len) != 0) {
		free(raw);
		call_fail(c, RPC_DESERIALIZATION_ERROR, "Block decode failed");
		return;
	}
	if (b.tx_count == 0 || !tx_is_coinbase(&b.txs[0])) {
		block_free(&b);
		free(raw);
		call_fail(c, RPC_DESERIALIZATION_ERROR,
		    "Block does not start with a coinbase");
		return;
	}
	fixed = add_witness_nonce(v, &b, &len);
	block_free(&b);
	if (fixed) {
		free(raw);
		raw = fixed;
	}
	validation_process_block(v, 0, raw, len, &r);
	free(raw);
	if (r.accepted && !r.new_block)
		res = json_string("duplicate");
	else if (!r.checked)
		res = json_string("inconclusive");
	else if (r.st.error) {
		call_fail(c, RPC_VERIFY_ERROR, "%s", r.st.debug);
		return;
	} else if (r.st.invalid)
		res = json_string(r.st.reason[0] ? r.st.reason : "rejected");
	else
		res = json_null();
	call_finish(c, res, NULL);
}

static void
m_submitheader(struct validation *v, struct call *c, json_t *params)
{
	const char *hex;
	uint8_t raw[BLOCK_HEADER_SIZE], hash[32];
	char phex[65];
	struct block_header h;
	struct val_state st;
	struct rbuf rb;
	size_t accepted;
	enum val_result res;

	if (callparam_str(c, params, 0, &hex) != 0)
		return;
	if (hex == NULL || strlen(hex) != 2 * BLOCK_HEADER_SIZE ||
	    hex_decode(hex, raw, sizeof(raw)) != BLOCK_HEADER_SIZE) {
		call_fail(c, RPC_DESERIALIZATION_ERROR,
		    "Block header decode failed");
		return;
	}
	rbuf_init(&rb, raw, sizeof(raw));
	if (header_parse(&rb, &h) != 0) {
		call_fail(c, RPC_DESERIALIZATION_ERROR,
		    "Block header decode failed");
		return;
	}
	if (chainstate_lookup(v->cs, h.prev, NULL, NULL) != 0) {
		hash_to_hex(h.prev, phex);
		call_fail(c, RPC_VERIFY_ERROR,
		    "Must submit previous header (%s) first", phex);
		return;
	}
	res = chainstate_process_headers(v->cs, &h, 1, &accepted, hash, &st);
	if (res == VAL_OK) {
		call_finish(c, json_null(), NULL);
		return;
	}
	call_fail(c, RPC_VERIFY_ERROR, "%s", st.error ? st.debug : st.reason);
}

static json_t *
target_hex(uint32_t bits)
{
	struct arith256 t;
	char hex[65];

	arith256_set_compact(&t, bits, NULL, NULL);
	arith256_to_hex(&t, hex);
	return json_string(hex);
}

static json_t *
bits_hex(uint32_t bits)
{
	char s[9];

	snprintf(s, sizeof(s), "%08x", bits);
	return json_string(s);
}

static json_t *
gbt_proposal(struct validation *v, struct call *c, json_t *req)
{
	const char *hex = json_string_value(json_object_get(req, "data"));
	struct block_index_entry e;
	struct val_state st;
	struct block b;
	uint8_t *raw = NULL;
	size_t len;
	json_t *res;

	if (hex == NULL) {
		call_fail(c, RPC_TYPE_ERROR, "Missing data String key for "
		    "proposal");
		return NULL;
	}
	if (hex_decode_alloc(hex, &raw, &len) != 0 ||
	    block_parse_prefix(raw, len, &b, &len) != 0) {
		free(raw);
		call_fail(c, RPC_DESERIALIZATION_ERROR, "Block decode failed");
		return NULL;
	}
	if (chainstate_lookup(v->cs, b.hash, &e, NULL) == 0) {
		if (e.status & BLOCK_VALID_SCRIPTS)
			res = json_string("duplicate");
		else if (e.status & BLOCK_FAILED_MASK)
			res = json_string("duplicate-invalid");
		else
			res = json_string("duplicate-inconclusive");
	} else if (chainstate_test_block(v->cs, &b, 0, 1, &st) != 0)
		res = json_string(st.reason[0] ? st.reason : "rejected");
	else
		res = json_null();
	block_free(&b);
	free(raw);
	return res;
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
		json_object_set_new(o, "txid", json_hash(x->txid));
		json_object_set_new(o, "hash", json_hash(x->wtxid));
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
 * ParseHashV does; 0, or -1 after failing c. The wait itself is not
 * implemented: the template is answered at once.
 */
static int
check_longpollid(struct call *c, json_t *req)
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
		call_fail(c, RPC_INVALID_PARAMETER, "longpollid must be of "
		    "length 64 (not %zu, for '%s')", n, head);
		return -1;
	}
	if (hash_from_hex(head, h) != 0) {
		call_fail(c, RPC_INVALID_PARAMETER, "longpollid must be "
		    "hexadecimal string (not '%s')", head);
		return -1;
	}
	return 0;
}

static void
m_getblocktemplate(struct validation *v, struct call *c, json_t *params)
{
	static const uint8_t empty[1];
	json_t *req = callparam(params, 0), *rules, *aRules, *vbavail, *res, *r;
	const char *mode = "template";
	const struct vb_deployment *d;
	struct bindex *tip = chain_tip(&v->cs->chain);
	struct block_tmpl t;
	struct template_txs tt;
	struct tx *txs;
	int64_t fees;
	int segwit_rule = 0, signet_rule = 0, nd, i, pre_segwit, rc;
	char hex[128], tiphex[65], longpoll[96];
	size_t k, ntx;

	if (req && !json_is_object(req)) {
		call_fail(c, RPC_TYPE_ERROR,
		    "JSON value of type %s is not of expected type object",
		    json_is_array(req) ? "array" : "string");
		return;
	}
	if (req && json_is_string(json_object_get(req, "mode")))
		mode = json_string_value(json_object_get(req, "mode"));
	if (strcmp(mode, "proposal") == 0) {
		if ((res = gbt_proposal(v, c, req)) != NULL)
			call_finish(c, res, NULL);
		return;
	}
	if (strcmp(mode, "template") != 0) {
		call_fail(c, RPC_INVALID_PARAMETER, "Invalid mode");
		return;
	}
	rules = req ? json_object_get(req, "rules") : NULL;
	if (json_is_array(rules))
		for (k = 0; k < json_array_size(rules); k++) {
			const char *s = json_string_value(
			    json_array_get(rules, k));

			if (s && strcmp(s, "segwit") == 0)
				segwit_rule = 1;
			if (s && strcmp(s, "signet") == 0)
				signet_rule = 1;
		}
	if (v->cp->id == CHAIN_MAIN && chainstate_is_initial_download(v->cs)) {
		call_fail(c, RPC_CLIENT_IN_INITIAL_DOWNLOAD,
		    "Bitcoin Core is in initial sync and waiting for blocks...");
		return;
	}
	if (check_longpollid(c, req) != 0)
		return;
	if (!segwit_rule) {
		call_fail(c, RPC_INVALID_PARAMETER, "getblocktemplate must be "
		    "called with the segwit rule set (call with {\"rules\": "
		    "[\"segwit\"]})");
		return;
	}
	/* A signet miner must know that blocks need a signature (Core). */
	if (v->cp->id == CHAIN_SIGNET && !signet_rule) {
		call_fail(c, RPC_INVALID_PARAMETER, "getblocktemplate must be "
		    "called with the signet rule set (call with {\"rules\": "
		    "[\"segwit\", \"signet\"]})");
		return;
	}
	/* The coinbase is the miner's to build: an empty script here. */
	ntx = mining_select(v, &tt, &txs, &fees);
	rc = mining_assemble(v, empty, 0, txs, ntx, fees, &t);
	mining_txs_free(txs, ntx);
	if (rc != 0) {
		template_txs_free(&tt);
		call_fail(c, RPC_INTERNAL_ERROR, "no chain tip");
		return;
	}
	pre_segwit = !consensus_deployment_active(v->cp->segwit_height,
	    t.height);
	aRules = json_array();
	json_array_append_new(aRules, json_string("csv"));
	if (!pre_segwit) {
		json_array_append_new(aRules, json_string("!segwit"));
		json_array_append_new(aRules, json_string("taproot"));
	}
	if (v->cp->id == CHAIN_SIGNET)
		json_array_append_new(aRules, json_string("!signet"));
	vbavail = json_object();
	d = vb_deployments(v->cp, &nd);
	for (i = 0; i < nd; i++) {
		enum vb_state s = vb_state_after(&d[i], tip);

		if (s == VB_STARTED || s == VB_LOCKED_IN)
			json_object_set_new(vbavail, d[i].name,
			    json_integer(d[i].bit));
		else if (s == VB_ACTIVE)
			json_array_append_new(aRules, json_string(d[i].name));
	}
	hash_to_hex(tip->e.hash, tiphex);
	snprintf(longpoll, sizeof(longpoll), "%s0", tiphex);
	res = json_object();
	r = json_array();
	json_array_append_new(r, json_string("proposal"));
	json_object_set_new(res, "capabilities", r);
	json_object_set_new(res, "version", json_integer(t.b.hdr.version));
	json_object_set_new(res, "rules", aRules);
	json_object_set_new(res, "vbavailable", vbavail);
	json_object_set_new(res, "vbrequired", json_integer(0));
	json_object_set_new(res, "previousblockhash", json_hash(tip->e.hash));
	json_object_set_new(res, "transactions", gbt_transactions(&tt,
	    pre_segwit));
	template_txs_free(&tt);
	json_object_set_new(res, "coinbaseaux", json_object());
	json_object_set_new(res, "coinbasevalue",
	    json_integer(t.coinbase_value));
	json_object_set_new(res, "longpollid", json_string(longpoll));
	json_object_set_new(res, "target", target_hex(t.b.hdr.bits));
	json_object_set_new(res, "mintime",
	    json_integer(bindex_median_time_past(tip) + 1));
	r = json_array();
	json_array_append_new(r, json_string("time"));
	json_array_append_new(r, json_string("transactions"));
	json_array_append_new(r, json_string("prevblock"));
	json_object_set_new(res, "mutable", r);
	json_object_set_new(res, "noncerange", json_string("00000000ffffffff"));
	json_object_set_new(res, "sigoplimit", json_integer(pre_segwit ?
	    MAX_BLOCK_SIGOPS_COST / WITNESS_SCALE_FACTOR :
	    MAX_BLOCK_SIGOPS_COST));
	json_object_set_new(res, "sizelimit", json_integer(pre_segwit ?
	    MAX_BLOCK_SERIALIZED_SIZE / WITNESS_SCALE_FACTOR :
	    MAX_BLOCK_SERIALIZED_SIZE));
	if (!pre_segwit)
		json_object_set_new(res, "weightlimit",
		    json_integer(MAX_BLOCK_WEIGHT));
	json_object_set_new(res, "curtime", json_integer(t.b.hdr.time));
	json_object_set_new(res, "bits", bits_hex(t.b.hdr.bits));
	json_object_set_new(res, "height", json_integer(t.height));
	if (v->cp->id == CHAIN_SIGNET) {
		char *ch = hex_encode_alloc(v->cp->signet_challenge,
		    v->cp->signet_challenge_len);

		json_object_set_new(res, "signet_challenge", json_string(ch));
		free(ch);
	}
	if (t.has_commitment) {
		hex_encode(t.commitment, sizeof(t.commitment), hex);
		json_object_set_new(res, "default_witness_commitment",
		    json_string(hex));
	}
	mining_tmpl_free(&t);
	call_finish(c, res, NULL);
}

static void
m_getnetworkhashps(struct validation *v, struct call *c, json_t *params)
{
	int64_t lookup, height;

	if (callparam_int(c, params, 0, 120, &lookup) != 0 ||
	    callparam_int(c, params, 1, -1, &height) != 0)
		return;
	call_finish(c, json_real(chainstate_network_hashps(v->cs,
	    (int)lookup, (int32_t)height)), NULL);
}

static void
m_getmininginfo(struct validation *v, struct call *c, json_t *params)
{
	struct bindex *tip = chain_tip(&v->cs->chain);
	struct template_request req;
	struct template_txs tt;
	struct block_header nh;
	json_t *res, *next;
	int64_t t, mtp;
	int64_t minfee = DEFAULT_BLOCK_MIN_TX_FEE;
	const char *s;

	(void)params;
	/* Checked at start-up by policy_init; a bad value cannot get here. */
	if ((s = args_get(v->args, "blockmintxfee")) != NULL &&
	    policy_parse_money(s, &minfee) != 0)
		minfee = DEFAULT_BLOCK_MIN_TX_FEE;
	res = json_object();
	json_object_set_new(res, "blocks", json_integer(tip->e.height));
	if (v->have_assembled) {
		json_object_set_new(res, "currentblockweight",
		    json_integer((json_int_t)v->last_block_weight));
		json_object_set_new(res, "currentblocktx",
		    json_integer((json_int_t)v->last_block_txs));
	}
	json_object_set_new(res, "bits", bits_hex(tip->e.hdr.bits));
	json_object_set_new(res, "difficulty",
	    json_real(arith256_difficulty(tip->e.hdr.bits)));
	json_object_set_new(res, "target", target_hex(tip->e.hdr.bits));
	json_object_set_new(res, "networkhashps",
	    json_real(chainstate_network_hashps(v->cs, 120, -1)));
	memset(&req, 0, sizeof(req));
	req.mode = TEMPLATE_COUNT;
	validation_template(v, &req, &tt);
	json_object_set_new(res, "pooledtx",
	    json_integer((json_int_t)tt.pool_size));
	template_txs_free(&tt);
	json_object_set_new(res, "blockmintxfee", rpc_amount(minfee));
	json_object_set_new(res, "chain", json_string(v->cp->name));
	if (v->cp->id == CHAIN_SIGNET) {
		char *ch = hex_encode_alloc(v->cp->signet_challenge,
		    v->cp->signet_challenge_len);

		json_object_set_new(res, "signet_challenge", json_string(ch));
		free(ch);
	}
	/* The next block as it would be mined now (Core's NextEmptyBlockIndex). */
	memset(&nh, 0, sizeof(nh));
	mtp = bindex_median_time_past(tip);
	t = node_time();
	nh.time = (uint32_t)(t > mtp ? t : mtp + 1);
	nh.bits = next_work_required(v->cs, tip, &nh);
	next = json_object();
	json_object_set_new(next, "height", json_integer(tip->e.height + 1));
	json_object_set_new(next, "bits", bits_hex(nh.bits));
	json_object_set_new(next, "difficulty",
	    json_real(arith256_difficulty(nh.bits)));
	json_object_set_new(next, "target", target_hex(nh.bits));
	json_object_set_new(res, "next", next);
	json_object_set_new(res, "warnings", json_array());
	call_finish(c, res, NULL);
}

const struct vcall_entry vcall_mining[] = {
	{ "generatetoaddress", m_generatetoaddress, 0 },
	{ "generatetodescriptor", m_generatetodescriptor, 0 },
	{ "generateblock", m_generateblock, 0 },
	{ "submitblock", m_submitblock, 0 },
	{ "submitheader", m_submitheader, 0 },
	{ "getblocktemplate", m_getblocktemplate, 0 },
	{ "getmininginfo", m_getmininginfo, 0 },
	{ "getnetworkhashps", m_getnetworkhashps, 0 },
	{ NULL, NULL, 0 },
};
