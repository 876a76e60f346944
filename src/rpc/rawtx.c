/*
 * Raw transaction methods: getrawtransaction (with a block hash, or
 * through the -txindex transaction index), getindexinfo,
 * decoderawtransaction, decodescript and
 * createrawtransaction. Without a block hash, getrawtransaction asks the
 * mempool first, as Core. sendrawtransaction and testmempoolaccept belong
 * with the mempool (mempool.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "primitives/block.h"
#include "rpc/rpc_int.h"
#include "script/opcodes.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define MAX_BIP125_RBF_SEQUENCE 0xfffffffdu

/* Scripts that parse and are not oversized (Core's CheckTxScriptsSanity). */
static int
scripts_sane(const struct tx *tx)
{
	const uint8_t *d;
	size_t i, pc, dl;
	unsigned op;

	for (i = 0; i < tx->vin_count; i++) {
		if (tx->vin[i].script_len > MAX_SCRIPT_SIZE)
			return 0;
		for (pc = 0; pc < tx->vin[i].script_len;)
			if (!script_get_op(tx->vin[i].script,
				tx->vin[i].script_len, &pc, &op, &d, &dl) ||
			    op > OP_CHECKSIGADD)
				return 0;
	}
	for (i = 0; i < tx->vout_count; i++) {
		if (tx->vout[i].script_len > MAX_SCRIPT_SIZE)
			return 0;
		for (pc = 0; pc < tx->vout[i].script_len;)
			if (!script_get_op(tx->vout[i].script,
				tx->vout[i].script_len, &pc, &op, &d, &dl) ||
			    op > OP_CHECKSIGADD)
				return 0;
	}
	return 1;
}

/* Parses the whole buffer as one transaction with the given flags. */
static int
parse_exact(const uint8_t *p, size_t n, int flags, struct tx *tx)
{
	struct rbuf r;

	rbuf_init(&r, p, n);
	if (tx_parse(&r, tx, flags) == -1)
		return -1;
	if (rbuf_left(&r) != 0) {
		tx_free(tx);
		return -1;
	}
	return 0;
}

int
rpc_decode_tx(const uint8_t *p, size_t n, int try_legacy, int try_witness,
    struct tx *out)
{
	struct tx ext, leg;
	int have_ext = 0, have_leg = 0;

	if (try_witness && parse_exact(p, n, TX_ALLOW_WITNESS, &ext) == 0)
		have_ext = 1;
	if (try_legacy && parse_exact(p, n, 0, &leg) == 0)
		have_leg = 1;
	if (have_ext && have_leg) {
		if (!scripts_sane(&ext) && scripts_sane(&leg)) {
			tx_free(&ext);
			*out = leg;
			return 0;
		}
		tx_free(&leg);
		*out = ext;
		return 0;
	}
	if (have_ext) {
		*out = ext;
		return 0;
	}
	if (have_leg) {
		*out = leg;
		return 0;
	}
	return -1;
}

static json_t *
m_decoderawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	const json_t *iw = rpc_param(c, 1);
	int try_witness = iw ? json_is_true(iw) : 1;
	int try_legacy = iw ? !json_is_true(iw) : 1;
	uint8_t *raw;
	size_t len;
	struct tx tx;
	json_t *res;

	if (hex_decode_alloc(json_string_value(rpc_param(c, 0)), &raw, &len) ==
	    -1)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode failed");
	if (rpc_decode_tx(raw, len, try_legacy, try_witness, &tx) == -1) {
		free(raw);
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "TX decode failed");
	}
	res = rpc_tx_json(&tx, rpc_shared(c->rpc)->cp, 0);
	tx_free(&tx);
	free(raw);
	return res;
}

static json_t *
m_decodescript(struct rpc_ctx *c, struct rpc_error *err)
{
	uint8_t *s;
	size_t len;
	json_t *res;

	if (rpc_parse_hex(rpc_param(c, 0), "argument", &s, &len, err) == -1)
		return NULL;
	res = rpc_decodescript_json(s, len, rpc_shared(c->rpc)->cp);
	free(s);
	return res;
}

/* Whether the transaction index has caught up with the tip. */
static int
txindex_synced(struct store_rtxn *t, int32_t *height)
{
	uint8_t tip[32], mark[32];
	int32_t tip_h;

	*height = -1;
	if (store_get_txindex_marker(t, mark, height) != STORE_OK) {
		*height = -1;
		return 0;
	}
	return store_get_tip(t, tip, &tip_h) == STORE_OK && tip_h == *height &&
	    memcmp(tip, mark, 32) == 0;
}

/*
 * Without a block hash: the block holding txid from the transaction index
 * (-txindex). 0 with bh set, or -1 with err set as Core words it.
 */
static int
txindex_lookup(struct rpc_ctx *c, struct store_rtxn *t, const uint8_t txid[32],
    uint8_t bh[32], struct rpc_error *err)
{
	struct block_index_entry g;
	uint8_t gh[32];
	uint32_t pos;
	int32_t h;
	int rc;

	if (store_get_active_hash(t, 0, gh) == STORE_OK &&
	    store_get_index(t, gh, &g) == STORE_OK &&
	    memcmp(txid, g.hdr.merkle, 32) == 0) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "The genesis block "
		    "coinbase is not considered an ordinary transaction and "
		    "cannot be retrieved");
		return -1;
	}
	if (!args_get_bool(rpc_shared(c->rpc)->args, "txindex", 0)) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "No such mempool transaction. Use -txindex or provide a "
		    "block hash to enable blockchain transaction queries. Use "
		    "gettransaction for wallet transactions.");
		return -1;
	}
	rc = store_get_txindex(t, txid, bh, &pos);
	if (rc == STORE_OK)
		return 0;
	if (rc != STORE_NOTFOUND) {
		rpc_fail(err, RPC_DATABASE_ERROR,
		    "Transaction index read "
		    "failed: %s",
		    store_strerror(rc));
		return -1;
	}
	if (!txindex_synced(t, &h))
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "No such mempool transaction. Blockchain transactions are "
		    "still in the process of being indexed. Use gettransaction "
		    "for wallet transactions.");
	else
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "No such mempool or blockchain transaction. Use "
		    "gettransaction for wallet transactions.");
	return -1;
}

/*
 * A mempool transaction as getrawtransaction shows it: no block fields.
 * NULL with err->code 0 when the pool does not have it.
 */
static json_t *
mempool_tx(struct rpc_ctx *c, const uint8_t txid[32], int verbosity,
    struct rpc_error *err)
{
	json_t *out;
	uint8_t *raw;
	size_t len;
	struct tx tx;

	if (rpc_mempool_tx(c->rpc, txid, &raw, &len, err) != 0)
		return NULL;
	err->code = 0;
	if (raw == NULL)
		return NULL;
	if (verbosity <= 0) {
		out = rpc_hex_json(raw, len);
		free(raw);
		return out;
	}
	if (parse_exact(raw, len, TX_ALLOW_WITNESS, &tx) == -1) {
		free(raw);
		return rpc_fail(err, RPC_INTERNAL_ERROR, "Bad mempool answer");
	}
	out = rpc_tx_json(&tx, rpc_shared(c->rpc)->cp, 1);
	tx_free(&tx);
	free(raw);
	return out;
}

static json_t *
m_getrawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	struct block_index_entry e;
	struct store_rtxn *t;
	struct block b;
	struct consensus_coin *spent = NULL;
	uint8_t txid[32], bh[32], ah[32], *raw, *undo = NULL;
	const uint8_t *p;
	size_t len, ulen = 0, i, j, k;
	int32_t tip_h;
	int verbosity = rpc_param_verbosity(rpc_param(c, 1), 0), active, rc;
	int given = rpc_param(c, 2) != NULL;
	json_t *res;

	if (rpc_parse_hash(rpc_param(c, 0), "parameter 1", txid, err) == -1)
		return NULL;
	if (rpc_check_verbosity(rpc_param(c, 1), err) == -1)
		return NULL;
	if (given &&
	    rpc_parse_hash(rpc_param(c, 2), "parameter 3", bh, err) == -1)
		return NULL;
	if (!given && rpc_shared(c->rpc)->mp != NULL) {
		res = mempool_tx(c, txid, verbosity, err);
		if (res != NULL || err->code != 0)
			return res;
	}
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (!given && txindex_lookup(c, t, txid, bh, err) == -1) {
		store_read_end(t);
		return NULL;
	}
	if (store_get_index(t, bh, &e) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block hash not found");
	}
	if (e.height == 0) {
		store_read_end(t);
		if (memcmp(txid, e.hdr.merkle, 32) == 0)
			return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "The genesis block coinbase is not considered an "
			    "ordinary transaction and cannot be retrieved");
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "No such transaction found in the provided block. Use "
		    "gettransaction for wallet transactions.");
	}
	if (!(e.status & BLOCK_HAVE_DATA) ||
	    store_get_block(t, bh, &p, &len) != STORE_OK) {
		store_read_end(t);
		return rpc_fail(err, RPC_MISC_ERROR, "Block not available");
	}
	raw = xmemdup(p, len);
	/*
	 * Verbosity 2 adds fee and prevouts from the block's undo record;
	 * without one (a block never connected) Core answers as verbosity 1.
	 */
	if (verbosity >= 2) {
		rc = store_get_undo(t, bh, &p, &ulen);
		if (rc == STORE_OK)
			undo = ulen ? xmemdup(p, ulen) : xmalloc(1);
		else if (rc != STORE_NOTFOUND) {
			store_read_end(t);
			free(raw);
			return rpc_fail(err, RPC_INTERNAL_ERROR, "%s",
			    RPC_UNDO_UNREADABLE);
		}
	}
	active = store_get_tip(t, ah, &tip_h) == STORE_OK &&
	    e.height <= tip_h &&
	    store_get_active_hash(t, e.height, ah) == STORE_OK &&
	    memcmp(ah, bh, 32) == 0;
	store_read_end(t);
	rc = rpc_block_spent(raw, len, undo, ulen, e.height, &b, &spent);
	if (rc != 0) {
		free(undo);
		free(raw);
		return rpc_block_read_fail(err, rc);
	}
	res = NULL;
	for (i = 0; i < b.tx_count; i++) {
		if (memcmp(b.txs[i].txid, txid, 32) != 0)
			continue;
		if (verbosity <= 0) {
			res = rpc_tx_hex_json(&b.txs[i]);
			break;
		}
		res = json_object();
		/* Core reports it only for an explicit block hash. */
		if (given)
			json_object_set_new(res, "in_active_chain",
			    json_boolean(active));
		{
			json_t *txj;

			/* The record holds the inputs after the coinbase. */
			for (k = 0, j = 1; j < i; j++)
				k += b.txs[j].vin_count;
			txj = rpc_tx_json_spent(&b.txs[i], cp, 1,
			    spent && i > 0 ? spent + k : NULL, 1);

			json_object_update(res, txj);
			json_decref(txj);
		}
		json_object_set_new(res, "blockhash", rpc_hash_json(bh));
		json_object_set_new(res, "confirmations",
		    json_integer(active ? tip_h - e.height + 1 : 0));
		if (active) {
			json_object_set_new(res, "time",
			    json_integer(e.hdr.time));
			json_object_set_new(res, "blocktime",
			    json_integer(e.hdr.time));
		}
		break;
	}
	block_free(&b);
	free(spent);
	free(undo);
	free(raw);
	if (res == NULL && !given)
		return rpc_fail(err, RPC_DATABASE_ERROR,
		    "Transaction index "
		    "points to a block without the transaction");
	if (res == NULL)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "No such transaction found in the provided block. Use "
		    "gettransaction for wallet transactions.");
	return res;
}

/*
 * getindexinfo: the optional indexes and how far they are, in Core's
 * order (txindex, then the block filter index). An index_name that names
 * none gives an empty object; an empty one is no filter, as in Core.
 */
static json_t *
m_getindexinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *name = rpc_param(c, 0), *res, *o;
	const char *want = name ? json_string_value(name) : NULL;
	struct store_rtxn *t;
	int32_t h;
	int synced;

	res = json_object();
	if (args_get_bool(rpc_shared(c->rpc)->args, "txindex", 0) &&
	    (want == NULL || *want == '\0' || strcmp(want, "txindex") == 0)) {
		if (rpc_read_begin(c->rpc, &t, err) == -1) {
			json_decref(res);
			return NULL;
		}
		synced = txindex_synced(t, &h);
		store_read_end(t);
		o = json_object();
		json_object_set_new(o, "synced", json_boolean(synced));
		json_object_set_new(o, "best_block_height",
		    json_integer(h < 0 ? 0 : h));
		json_object_set_new(res, "txindex", o);
	}
	rpc_blockfilter_indexinfo(c->rpc, want, res);
	return res;
}

/* ---- createrawtransaction ---- */

static int
add_output(struct rpc_ctx *c, struct outbuf *ob, const char *key, json_t *val,
    int *have_data, struct rpc_error *err)
{
	uint8_t s[ADDRESS_MAX_SCRIPT], *script, *data;
	size_t slen, dlen, i;
	int64_t sat = 0;

	if (strcmp(key, "data") == 0) {
		if (*have_data) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, duplicate key: data");
			return -1;
		}
		*have_data = 1;
		if (rpc_parse_hex(val, "Data", &data, &dlen, err) == -1)
			return -1;
		/* OP_RETURN and one push of the data. */
		script = xmalloc(dlen + 6);
		slen = 0;
		script[slen++] = OP_RETURN;
		if (dlen < OP_PUSHDATA1)
			script[slen++] = (uint8_t)dlen;
		else if (dlen <= 0xff) {
			script[slen++] = OP_PUSHDATA1;
			script[slen++] = (uint8_t)dlen;
		} else if (dlen <= 0xffff) {
			script[slen++] = OP_PUSHDATA2;
			script[slen++] = (uint8_t)dlen;
			script[slen++] = (uint8_t)(dlen >> 8);
		} else {
			script[slen++] = OP_PUSHDATA4;
			le32_write(script + slen, (uint32_t)dlen);
			slen += 4;
		}
		memcpy(script + slen, data, dlen);
		slen += dlen;
		free(data);
	} else {
		if (address_to_script(rpc_shared(c->rpc)->cp, key, s, &slen,
			NULL, 0) == -1) {
			rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Invalid Bitcoin address: %s", key);
			return -1;
		}
		for (i = 0; i < ob->n; i++)
			if (ob->v[i].script_len == slen &&
			    memcmp(ob->v[i].script, s, slen) == 0) {
				rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Invalid parameter, duplicated address: %s",
				    key);
				return -1;
			}
		if (rpc_parse_amount(val, &sat, err) == -1)
			return -1;
		script = xmemdup(s, slen);
	}
	ob->v = xreallocarray(ob->v, ob->n + 1, sizeof(*ob->v));
	ob->scripts = xreallocarray(ob->scripts, ob->n + 1, sizeof(uint8_t *));
	ob->v[ob->n].value = sat;
	ob->v[ob->n].script = script;
	ob->v[ob->n].script_len = slen;
	ob->scripts[ob->n] = script;
	ob->n++;
	return 0;
}

void
rpc_outbuf_free(struct outbuf *ob)
{
	size_t i;

	for (i = 0; i < ob->n; i++)
		free(ob->scripts[i]);
	free(ob->scripts);
	free(ob->v);
	memset(ob, 0, sizeof(*ob));
}

int
rpc_construct_tx(struct rpc_ctx *c, struct tx *txp, struct outbuf *obp,
    struct rpc_error *err)
{
	json_t *ins = rpc_param(c, 0), *outs = rpc_param(c, 1), *in, *v, *item;
	json_t *lt = rpc_param(c, 2), *ver = rpc_param(c, 4);
	struct outbuf ob = { NULL, NULL, 0 };
	struct tx tx;
	int rc = -1;
	const char *key;
	int64_t lock = 0, v64, seq;
	const char *dupkey;
	size_t k, dupat;
	int dup;
	size_t i;
	/* Core: replaceable unless told otherwise. */
	int have_data = 0,
	    rbf = rpc_param(c, 3) == NULL || json_is_true(rpc_param(c, 3));

	memset(&tx, 0, sizeof(tx));
	if (lt) {
		if (rpc_get_int64(lt, &lock, err) == -1)
			return -1;
		if (lock < 0 || lock > 0xffffffffLL) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, locktime out of range");
			return -1;
		}
	}
	tx.version = 2;
	if (ver) {
		/* Core 29's getInt<uint32_t>(), then the range. */
		if (rpc_get_int64(ver, &v64, err) == -1)
			return -1;
		if (v64 < 0 || v64 > UINT32_MAX) {
			rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
			return -1;
		}
		if (v64 < 1 || v64 > 3) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, version out of range(1~3)");
			return -1;
		}
		tx.version = (int32_t)v64;
	}
	tx.locktime = (uint32_t)lock;
	tx.vin_count = json_array_size(ins);
	tx.vin = xcalloc(tx.vin_count ? tx.vin_count : 1, sizeof(*tx.vin));
	json_array_foreach (ins, i, in) {
		if (!json_is_object(in)) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, expected object");
			goto done;
		}
		if (rpc_parse_hash(json_object_get(in, "txid"), "txid",
			tx.vin[i].prevout.hash, err) == -1)
			goto done;
		v = json_object_get(in, "vout");
		if (!json_is_number(v)) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, missing vout key");
			goto done;
		}
		if (!json_is_integer(v) || json_integer_value(v) > INT_MAX) {
			rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
			goto done;
		}
		if (json_integer_value(v) < 0) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter, vout cannot be negative");
			goto done;
		}
		tx.vin[i].prevout.n = (uint32_t)json_integer_value(v);
		tx.vin[i].sequence = rbf ? MAX_BIP125_RBF_SEQUENCE :
		    lock		 ? SEQUENCE_FINAL - 1 :
					   SEQUENCE_FINAL;
		/*
		 * Core reads a number only (anything else keeps the
		 * default), with getInt<int64_t>(): 1.5 is out of range.
		 */
		v = json_object_get(in, "sequence");
		if (json_is_number(v)) {
			if (rpc_get_int64(v, &seq, err) == -1)
				goto done;
			if (seq < 0 || seq > 0xffffffffLL) {
				rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Invalid parameter, sequence number is out "
				    "of range");
				goto done;
			}
			tx.vin[i].sequence = (uint32_t)seq;
		}
	}
	if (json_is_object(outs)) {
		/*
		 * Core reads every member of the object, so a repeated key
		 * (of which the parser kept the first) fails where its loop
		 * meets the repeat: add_output refuses the key again.
		 */
		dup = rpc_param_repeated_key(c, 1, &dupkey, &dupat);
		k = 0;
		json_object_foreach (outs, key, v) {
			if (dup && k++ == dupat &&
			    add_output(c, &ob, dupkey, v, &have_data, err) ==
				-1)
				goto done;
			if (add_output(c, &ob, key, v, &have_data, err) == -1)
				goto done;
		}
		if (dup && k == dupat &&
		    add_output(c, &ob, dupkey, outs, &have_data, err) == -1)
			goto done;
	} else if (json_is_array(outs)) {
		json_array_foreach (outs, i, item) {
			if (!json_is_object(item) ||
			    json_object_size(item) != 1) {
				rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Invalid parameter, key-value pair must "
				    "contain exactly one key");
				goto done;
			}
			json_object_foreach (item, key, v)
				if (add_output(c, &ob, key, v, &have_data,
					err) == -1)
					goto done;
		}
	} else {
		rpc_fail_type(err, outs, "array");
		goto done;
	}
	/* An explicit replaceable=true must not meet a final sequence. */
	if (json_is_true(rpc_param(c, 3)) && tx.vin_count > 0) {
		for (i = 0; i < tx.vin_count; i++)
			if (tx.vin[i].sequence <= MAX_BIP125_RBF_SEQUENCE)
				break;
		if (i == tx.vin_count) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid parameter "
			    "combination: Sequence number(s) contradict "
			    "replaceable option");
			goto done;
		}
	}
	tx.vout = ob.v;
	tx.vout_count = ob.n;
	*txp = tx;
	*obp = ob;
	return 0;
done:
	rpc_outbuf_free(&ob);
	free(tx.vin);
	return rc;
}

static json_t *
m_createrawtransaction(struct rpc_ctx *c, struct rpc_error *err)
{
	struct outbuf ob;
	struct tx tx;
	json_t *res;

	if (rpc_construct_tx(c, &tx, &ob, err) == -1)
		return NULL;
	res = rpc_tx_hex_json(&tx);
	rpc_outbuf_free(&ob);
	free(tx.vin);
	return res;
}

#define TX_RESULT \
	"{\n" \
	"  \"txid\" : \"hex\",        (string) The transaction id\n" \
	"  \"hash\" : \"hex\",        (string) The transaction hash (differs from txid for witness transactions)\n" \
	"  \"size\" : n,            (numeric) The serialized transaction size\n" \
	"  \"vsize\" : n,           (numeric) The virtual transaction size (differs from size for witness transactions)\n" \
	"  \"weight\" : n,          (numeric) The transaction's weight (between vsize*4-3 and vsize*4)\n" \
	"  \"version\" : n,         (numeric) The version\n" \
	"  \"locktime\" : xxx,      (numeric) The lock time\n" \
	"  \"vin\" : [ ... ],       (json array) coinbase or txid, vout, scriptSig {asm, hex}, txinwitness, sequence\n" \
	"  \"vout\" : [ ... ]       (json array) value, n, scriptPubKey {asm, desc, hex, address, type}\n" \
	"}\n"

const struct rpc_method rpc_rawtx_methods[] = {
	{ "createrawtransaction", "rawtransactions", m_createrawtransaction,
	    RPC_F_FAST,
	    { RPC_CONSTRUCT_TX_ARGS,
		{ "version", RPC_ARG_NUM, 0, "2", "Transaction version" } },
	    "Create a transaction spending the given inputs and creating new "
	    "outputs.\nOutputs can be addresses or data.\nReturns hex-encoded "
	    "raw transaction.\nNote that the transaction's inputs are not "
	    "signed, and\nit is not stored in the wallet or transmitted to the "
	    "network.",
	    "\"hex\"    (string) hex string of the transaction\n",
	    "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
	    "\"[{\\\"data\\\":\\\"00010203\\\"}]\"",
	    RPC_ON_RPC },
	{ "decoderawtransaction", "rawtransactions", m_decoderawtransaction, 0,
	    { { "hexstring", RPC_ARG_HEX, 1, NULL,
		  "The transaction hex string" },
		{ "iswitness", RPC_ARG_BOOL, 0, "depends on heuristic tests",
		    "Whether the transaction hex is a serialized witness "
		    "transaction." } },
	    "Return a JSON object representing the serialized, hex-encoded "
	    "transaction.",
	    TX_RESULT, "\"hexstring\"", RPC_ON_RPC },
	{ "decodescript", "rawtransactions", m_decodescript, RPC_F_FAST,
	    { { "hexstring", RPC_ARG_HEX, 1, NULL,
		"the hex-encoded script" } },
	    "Decode a hex-encoded script.",
	    "{\n"
	    "  \"asm\" : \"str\",       (string) Disassembly of the script\n"
	    "  \"desc\" : \"str\",      (string) Inferred descriptor for the script\n"
	    "  \"type\" : \"str\",      (string) The output type (e.g. nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, witness_unknown)\n"
	    "  \"address\" : \"str\",   (string, optional) The Bitcoin address (only if a well-defined address exists)\n"
	    "  \"p2sh\" : \"str\",      (string, optional) address of P2SH script wrapping this redeem script (not returned for types that should not be wrapped)\n"
	    "  \"segwit\" : {         (json object, optional) Result of a witness output script wrapping this redeem script (not returned for types that should not be wrapped)\n"
	    "    \"asm\", \"hex\", \"type\", \"address\", \"desc\", \"p2sh-segwit\"\n"
	    "  }\n}\n",
	    "\"hexstring\"", RPC_ON_RPC },
	{ "getrawtransaction", "rawtransactions", m_getrawtransaction, 0,
	    { { "txid", RPC_ARG_HEX, 1, NULL, "The transaction id" },
		{ "verbosity|verbose", RPC_ARG_NUM_OR_BOOL, 0, "0",
		    "0 for hex-encoded data, 1 for a JSON object, and 2 for JSON "
		    "object with fee and prevout" },
		{ "blockhash", RPC_ARG_HEX, 0, NULL,
		    "The block in which to look for the transaction" } },
	    "By default, this call only returns a transaction if it is in the "
	    "mempool. If -txindex is enabled\nand no blockhash argument is "
	    "passed, it will return the transaction if it is in a block in "
	    "the blockchain.\n\nIf a blockhash argument is passed, it will "
	    "return the transaction if\nthe specified block is available and "
	    "the transaction is in that block.",
	    "Result (if verbosity is not set or set to 0):\n\"str\"    (string) "
	    "The serialized transaction as a hex-encoded string for 'txid'\n\n"
	    "Result (if verbosity is set to 1):\n"
	    "  \"in_active_chain\", the fields of decoderawtransaction, \"hex\", "
	    "\"blockhash\", \"confirmations\", \"time\", \"blocktime\"\n\n"
	    "Result (for verbose=2):\n"
	    "{                                        (json object)\n"
	    "  ...,                                   Same output as verbosity = 1\n"
	    "  \"fee\" : n,                             (numeric, optional) transaction fee in BTC, omitted if block undo data is not available\n"
	    "  \"vin\" : [                              (json array)\n"
	    "    {                                    (json object) utxo being spent\n"
	    "      ...,                               Same output as verbosity = 1\n"
	    "      \"prevout\" : {                      (json object, optional) The previous output, omitted if block undo data is not available\n"
	    "        \"generated\" : true|false,        (boolean) Coinbase or not\n"
	    "        \"height\" : n,                    (numeric) The height of the prevout\n"
	    "        \"value\" : n,                     (numeric) The value in BTC\n"
	    "        \"scriptPubKey\" : {               (json object)\n"
	    "          \"asm\", \"desc\", \"hex\", \"address\", \"type\"\n"
	    "        }\n"
	    "      }\n"
	    "    },\n    ...\n  ]\n}\n",
	    "\"mytxid\" 1 \"myblockhash\"", RPC_ON_RPC },
	{ "getindexinfo", "util", m_getindexinfo, RPC_F_FAST,
	    { { "index_name", RPC_ARG_STR, 0, NULL,
		"Filter results for an index with a specific name." } },
	    "Returns the status of one or all available indices currently "
	    "running in the node.",
	    "{                               (json object)\n"
	    "  \"name\" : {                    (json object) The name of the "
	    "index\n"
	    "    \"synced\" : true|false,      (boolean) Whether the index is "
	    "synced or not\n"
	    "    \"best_block_height\" : n     (numeric) The block height to "
	    "which the index is synced\n"
	    "  }\n}\n",
	    "", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
