/*
 * gettxoutproof and verifytxoutproof: merkle block proofs that
 * transactions are in a block, byte for byte as Bitcoin Core writes and
 * reads them (primitives/merkleblock.h). Each reads the chain in one short
 * read transaction on an RPC worker.
 */
#include <stdlib.h>
#include <string.h>

#include "primitives/block.h"
#include "primitives/merkleblock.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* Core keeps the txids in a set of uint256: ordered by their bytes. */
static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/*
 * The block to prove from, when none is given: the one holding an unspent
 * output of the first txid (in set order) that has one, else the one the
 * transaction index names for the first txid. 0 with bh, or -1 with err.
 */
static int
find_block(struct rpc_ctx *c, struct store_rtxn *t, const uint8_t (*ids)[32],
    size_t n, uint8_t bh[32], struct rpc_error *err)
{
	struct outpoint op;
	struct coin coin;
	uint32_t pos;
	size_t i;

	for (i = 0; i < n; i++)
		if (store_get_coin_by_txid(t, ids[i], &op, &coin) ==
			STORE_OK &&
		    store_get_active_hash(t, coin.height, bh) == STORE_OK)
			return 0;
	if (args_get_bool(rpc_shared(c->rpc)->args, "txindex", 0) &&
	    store_get_txindex(t, ids[0], bh, &pos) == STORE_OK)
		return 0;
	rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
	    "Transaction not yet in block");
	return -1;
}

static json_t *
m_gettxoutproof(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *txids = rpc_param(c, 0), *v, *res;
	struct block_index_entry e;
	struct merkleblock mb;
	struct store_rtxn *t;
	struct block b;
	struct wbuf w;
	const uint8_t *p;
	uint8_t(*ids)[32], (*all)[32], bh[32], *raw;
	size_t n = 0, i, j, len, found = 0;
	int *match;

	if (json_array_size(txids) == 0)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Parameter 'txids' cannot be empty");
	ids = xcalloc(json_array_size(txids), 32);
	json_array_foreach (txids, i, v) {
		if (rpc_parse_hash(v, "txid", ids[n], err) == -1)
			goto fail;
		for (j = 0; j < n; j++)
			if (memcmp(ids[j], ids[n], 32) == 0) {
				rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Invalid "
				    "parameter, duplicated txid: %s",
				    json_string_value(v));
				goto fail;
			}
		n++;
	}
	qsort(ids, n, 32, cmp_hash);
	if (rpc_param(c, 1) &&
	    rpc_parse_hash(rpc_param(c, 1), "blockhash", bh, err) == -1)
		goto fail;
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		goto fail;
	if (!rpc_param(c, 1) &&
	    find_block(c, t, (const uint8_t(*)[32])ids, n, bh, err) == -1) {
		store_read_end(t);
		goto fail;
	}
	if (store_get_index(t, bh, &e) != STORE_OK) {
		store_read_end(t);
		if (rpc_param(c, 1))
			rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
			    "Block not found");
		else
			rpc_fail(err, RPC_INTERNAL_ERROR,
			    "Transaction index corrupt");
		goto fail;
	}
	/* Core 28.1 tries to read a block it only has the header of. */
	if (!(e.status & BLOCK_HAVE_DATA) ||
	    store_get_block(t, bh, &p, &len) != STORE_OK) {
		store_read_end(t);
		rpc_fail(err, RPC_INTERNAL_ERROR,
		    "Can't read block from disk");
		goto fail;
	}
	raw = xmemdup(p, len);
	store_read_end(t);
	if (block_parse(raw, len, &b) == -1) {
		free(raw);
		rpc_fail(err, RPC_INTERNAL_ERROR,
		    "Can't read block from disk");
		goto fail;
	}
	all = xcalloc(b.tx_count ? b.tx_count : 1, 32);
	match = xcalloc(b.tx_count ? b.tx_count : 1, sizeof(*match));
	for (i = 0; i < b.tx_count; i++) {
		memcpy(all[i], b.txs[i].txid, 32);
		match[i] = bsearch(b.txs[i].txid, ids, n, 32, cmp_hash) !=
		    NULL;
		found += match[i];
	}
	res = NULL;
	if (found != n)
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Not all transactions "
		    "found in specified or retrieved block");
	else {
		merkleblock_build(&b.hdr, (const uint8_t(*)[32])all, match,
		    b.tx_count, &mb);
		wbuf_init(&w);
		merkleblock_serialize(&mb, &w);
		res = rpc_hex_json(w.p, w.len);
		wbuf_free(&w);
		merkleblock_free(&mb);
	}
	free(all);
	free(match);
	block_free(&b);
	free(raw);
	free(ids);
	return res;
fail:
	free(ids);
	return NULL;
}

static json_t *
m_verifytxoutproof(struct rpc_ctx *c, struct rpc_error *err)
{
	struct block_index_entry e;
	struct merkleblock mb;
	enum merkleblock_err me;
	struct store_rtxn *t;
	struct rbuf r;
	uint8_t *raw, root[32], bh[32], tip[32], ah[32], (*matches)[32];
	uint32_t *pos;
	size_t len, nmatch, i;
	int32_t tip_h;
	char hex[65];
	json_t *res;
	int known, active;

	if (rpc_parse_hexv(rpc_param(c, 0), "proof", &raw, &len, err) == -1)
		return NULL;
	rbuf_init(&r, raw, len);
	me = merkleblock_parse(&r, &mb);
	free(raw);
	if (me != MERKLEBLOCK_OK)
		return rpc_fail(err, RPC_MISC_ERROR, "%s: iostream error",
		    merkleblock_strerror(me));
	res = json_array();
	(void)merkleblock_extract(&mb, root, &matches, &pos, &nmatch);
	if (memcmp(root, mb.hdr.merkle, 32) != 0)
		goto out;
	header_hash(&mb.hdr, bh);
	if (rpc_read_begin(c->rpc, &t, err) == -1) {
		json_decref(res);
		res = NULL;
		goto out;
	}
	known = store_get_index(t, bh, &e) == STORE_OK;
	active = known && store_get_tip(t, tip, &tip_h) == STORE_OK &&
	    e.height <= tip_h &&
	    store_get_active_hash(t, e.height, ah) == STORE_OK &&
	    memcmp(ah, bh, 32) == 0;
	store_read_end(t);
	if (!active || e.tx_count == 0) {
		json_decref(res);
		res = rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block not found in chain");
		goto out;
	}
	if (e.tx_count == mb.ntx)
		for (i = 0; i < nmatch; i++) {
			hash_to_hex(matches[i], hex);
			json_array_append_new(res, json_string(hex));
		}
out:
	free(matches);
	free(pos);
	merkleblock_free(&mb);
	return res;
}

const struct rpc_method rpc_txoutproof_methods[] = {
	{ "gettxoutproof", "blockchain", m_gettxoutproof, 0,
	    { { "txids", RPC_ARG_ARR, 1, NULL, "The txids to filter" },
		{ "blockhash", RPC_ARG_HEX, 0, NULL,
		    "If specified, looks for txid in the block with this hash" } },
	    "Returns a hex-encoded proof that \"txid\" was included in a "
	    "block.\n\nNOTE: By default this function only works sometimes. "
	    "This is when there is an\nunspent output in the utxo for this "
	    "transaction. To make it always work,\nyou need to maintain a "
	    "transaction index, using the -txindex command line option or\n"
	    "specify the block in which the transaction is included manually "
	    "(by blockhash).",
	    "\"str\"    (string) A string that is a serialized, hex-encoded "
	    "data for the proof.\n",
	    "'[\"mytxid\"]'", RPC_ON_RPC },
	{ "verifytxoutproof", "blockchain", m_verifytxoutproof, 0,
	    { { "proof", RPC_ARG_HEX, 1, NULL,
		"The hex-encoded proof generated by gettxoutproof" } },
	    "Verifies that a proof points to a transaction in a block, "
	    "returning the transaction it commits to\nand throwing an RPC "
	    "error if the block is not in our best chain",
	    "[           (json array)\n"
	    "  \"hex\",    (string) The txid(s) which the proof commits to, or "
	    "empty array if the proof cannot be validated.\n"
	    "  ...\n]\n",
	    "\"proof\"", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
