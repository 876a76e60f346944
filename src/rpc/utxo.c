/*
 * UTXO snapshot methods (assumeutxo), as in Bitcoin Core 28.1:
 * dumptxoutset writes the followed chainstate's UTXO set in Core's file
 * format (validation/snapshot.h), loadtxoutset loads one and follows it
 * while the old chainstate validates in the background, getchainstates
 * shows both (doc/assumeutxo.md).
 *
 * JSON lives here only: the work is done by the snapshot and validation
 * modules, which answer in typed structs. dumptxoutset runs on this RPC
 * worker over one store read transaction; loadtxoutset maps the file here
 * and waits while the validation thread, the store's only writer, loads
 * the coins from it and switches over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "mempool/mempool.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/snapshot.h"
#include "validation/validation.h"

/*
 * Core's AbsPathJoin(GetDataDirNet(), path): an absolute path as given,
 * the chain directory for an empty one, else under the chain directory.
 * xmalloc'd.
 */
static char *
abs_path(struct rpc *r, const char *path)
{
	const char *dir = args_chaindir(rpc_shared(r)->args);

	if (path[0] == '/')
		return xstrdup(path);
	if (path[0] == '\0')
		return xstrdup(dir);
	return xasprintf("%s/%s", dir, path);
}

/* ---- dumptxoutset ---- */

static json_t *
m_dumptxoutset(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	const char *arg = json_string_value(rpc_param(c, 0));
	struct snapshot_dump_result res;
	struct stat st;
	char *path, *tmp, msg[256], hex[65];
	json_t *o = NULL;
	FILE *f;

	path = abs_path(c->rpc, arg);
	/* Core joins "<path>.incomplete" to the directory the same way. */
	tmp = xasprintf("%s.incomplete", arg);
	{
		char *t = abs_path(c->rpc, tmp);

		free(tmp);
		tmp = t;
	}
	if (stat(path, &st) == 0) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "%s already exists. If you "
		    "are sure this is what you want, move it out of the way "
		    "first",
		    path);
		goto out;
	}
	if ((f = fopen(tmp, "wb")) == NULL) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Couldn't open file %s for "
		    "writing.",
		    tmp);
		goto out;
	}
	if (snapshot_dump(sh->store, sh->cp, f, &res, msg, sizeof(msg)) != 0) {
		fclose(f);
		(void)unlink(tmp);
		rpc_fail(err,
		    strcmp(msg, "Unable to read UTXO set") == 0 ?
			RPC_INTERNAL_ERROR :
			RPC_MISC_ERROR,
		    "%s", msg);
		goto out;
	}
	if (fclose(f) != 0) {
		(void)unlink(tmp);
		rpc_fail(err, RPC_MISC_ERROR,
		    "AutoFile::write: write failed: "
		    "iostream error");
		goto out;
	}
	if (rename(tmp, path) != 0) {
		log_warn("dumptxoutset: rename %s to %s", tmp, path);
		(void)unlink(tmp);
		rpc_fail(err, RPC_MISC_ERROR,
		    "filesystem error: cannot rename: "
		    "%s",
		    path);
		goto out;
	}
	o = json_object();
	json_object_set_new(o, "coins_written",
	    json_integer((json_int_t)res.coins));
	json_object_set_new(o, "base_hash", rpc_hash_json(res.base_hash));
	json_object_set_new(o, "base_height", json_integer(res.base_height));
	json_object_set_new(o, "path", json_string(path));
	hash_to_hex(res.txoutset_hash, hex);
	json_object_set_new(o, "txoutset_hash", json_string(hex));
	json_object_set_new(o, "nchaintx",
	    json_integer((json_int_t)res.chain_tx));
out:
	free(path);
	free(tmp);
	return o;
}

/* ---- loadtxoutset ---- */

static json_t *
m_loadtxoutset(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	char *path = abs_path(c->rpc, json_string_value(rpc_param(c, 0)));
	struct snapshot_load_result res;
	struct snapshot_file f;
	struct snapshot_meta m;
	struct rbuf r;
	char msg[512];
	json_t *o = NULL;

	if (snapshot_file_open(path, &f) != 0) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Couldn't open file %s "
		    "for reading.",
		    path);
		goto out;
	}
	if (f.unreadable) {
		rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Unable to parse "
		    "metadata: AutoFile::read: fread failed: iostream error");
		goto close;
	}
	rbuf_init(&r, f.p, f.len);
	if (snapshot_meta_get(&r, sh->cp->magic, sh->cp->name, &m, msg,
		sizeof(msg)) != 0) {
		rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Unable to parse "
		    "metadata: %s",
		    msg);
		goto close;
	}
	if (validation_load_snapshot(sh->v, &m, &r,
		sh->mp ? mempool_size(sh->mp) : 0, &res, msg,
		sizeof(msg)) != 0) {
		rpc_fail(err, RPC_INTERNAL_ERROR,
		    "Unable to load UTXO "
		    "snapshot: %s. (%s)",
		    msg, path);
		goto close;
	}
	o = json_object();
	json_object_set_new(o, "coins_loaded",
	    json_integer((json_int_t)res.coins));
	json_object_set_new(o, "tip_hash", rpc_hash_json(res.base_hash));
	json_object_set_new(o, "base_height", json_integer(res.base_height));
	json_object_set_new(o, "path", json_string(path));
close:
	snapshot_file_close(&f);
out:
	free(path);
	return o;
}

/* ---- getchainstates ---- */

static json_t *
chainstate_json(struct rpc *r, struct store_rtxn *t,
    const struct chainstate_info *ci)
{
	struct block_index_entry e;
	json_t *o = json_object();

	memset(&e, 0, sizeof(e));
	if (store_get_index(t, ci->tip, &e) != STORE_OK) {
		memcpy(e.hash, ci->tip, 32);
		e.height = ci->height;
		e.hdr.time = ci->time;
		e.hdr.bits = ci->bits;
	}
	/* The in-memory count: the snapshot's base has one in memory first. */
	e.chain_tx = ci->chain_tx;
	json_object_set_new(o, "blocks", json_integer(ci->height));
	json_object_set_new(o, "bestblockhash", rpc_hash_json(ci->tip));
	json_object_set_new(o, "difficulty",
	    json_real(arith256_difficulty(ci->bits)));
	json_object_set_new(o, "verificationprogress",
	    json_real(rpc_verification_progress(t, rpc_shared(r)->cp, &e)));
	json_object_set_new(o, "coins_db_cache_bytes",
	    json_integer((json_int_t)ci->coins_db_cache_bytes));
	json_object_set_new(o, "coins_tip_cache_bytes",
	    json_integer((json_int_t)ci->coins_tip_cache_bytes));
	if (ci->from_snapshot)
		json_object_set_new(o, "snapshot_blockhash",
		    rpc_hash_json(ci->snapshot_base));
	json_object_set_new(o, "validated", json_boolean(ci->validated));
	return o;
}

static json_t *
m_getchainstates(struct rpc_ctx *c, struct rpc_error *err)
{
	struct chainstates_info info;
	struct store_rtxn *t;
	json_t *o, *a;
	size_t i;

	validation_chainstates(rpc_shared(c->rpc)->v, &info);
	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	o = json_object();
	json_object_set_new(o, "headers", json_integer(info.headers));
	a = json_array();
	for (i = 0; i < info.n; i++)
		json_array_append_new(a,
		    chainstate_json(c->rpc, t, &info.cs[i]));
	store_read_end(t);
	json_object_set_new(o, "chainstates", a);
	return o;
}

const struct rpc_method rpc_utxo_methods[] = {
	{ "dumptxoutset", "blockchain", m_dumptxoutset, 0,
	    { { "path", RPC_ARG_STR, 1, NULL,
		"Path to the output file. If relative, will be prefixed by "
		"datadir." } },
	    "Write the serialized UTXO set to a file.",
	    "{                             (json object)\n"
	    "  \"coins_written\" : n,        (numeric) the number of coins written in the snapshot\n"
	    "  \"base_hash\" : \"hex\",        (string) the hash of the base of the snapshot\n"
	    "  \"base_height\" : n,          (numeric) the height of the base of the snapshot\n"
	    "  \"path\" : \"str\",             (string) the absolute path that the snapshot was written to\n"
	    "  \"txoutset_hash\" : \"hex\",    (string) the hash of the UTXO set contents\n"
	    "  \"nchaintx\" : n              (numeric) the number of transactions in the chain up to and including the base block\n"
	    "}\n",
	    "utxo.dat", RPC_ON_RPC },
	{ "getchainstates", "blockchain", m_getchainstates, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Return information about chainstates.",
	    "{                                      (json object)\n"
	    "  \"headers\" : n,                       (numeric) the number of headers seen so far\n"
	    "  \"chainstates\" : [                    (json array) list of the chainstates ordered by work, with the most-work (active) chainstate last\n"
	    "    {                                  (json object)\n"
	    "      \"blocks\" : n,                    (numeric) number of blocks in this chainstate\n"
	    "      \"bestblockhash\" : \"hex\",         (string) blockhash of the tip\n"
	    "      \"difficulty\" : n,                (numeric) difficulty of the tip\n"
	    "      \"verificationprogress\" : n,      (numeric) progress towards the network tip\n"
	    "      \"snapshot_blockhash\" : \"hex\",    (string, optional) the base block of the snapshot this chainstate is based on, if any\n"
	    "      \"coins_db_cache_bytes\" : n,      (numeric) size of the coinsdb cache\n"
	    "      \"coins_tip_cache_bytes\" : n,     (numeric) size of the coinstip cache\n"
	    "      \"validated\" : true|false         (boolean) whether the chainstate is fully validated. True if all blocks in the chainstate were validated, false if the chain is based on a snapshot and the snapshot has not yet been validated.\n"
	    "    },\n"
	    "    ...\n"
	    "  ]\n"
	    "}\n",
	    "", RPC_ON_VALIDATION },
	{ "loadtxoutset", "blockchain", m_loadtxoutset, 0,
	    { { "path", RPC_ARG_STR, 1, NULL,
		"path to the snapshot file. If relative, will be prefixed by "
		"datadir." } },
	    "Load the serialized UTXO set from a file.\n"
	    "Once this snapshot is loaded, its contents will be deserialized "
	    "into a second chainstate data structure, which is then used to "
	    "sync to the network's tip. Meanwhile, the original chainstate "
	    "will complete the initial block download process in the "
	    "background, eventually validating up to the block that the "
	    "snapshot is based upon.\n\n"
	    "The result is a usable bitcoind instance that is current with "
	    "the network tip in a matter of minutes rather than hours. UTXO "
	    "snapshot are typically obtained from third-party sources (HTTP, "
	    "torrent, etc.) which is reasonable since their contents are "
	    "always checked by hash.\n\n"
	    "You can find more information on this process in the "
	    "`assumeutxo` design document "
	    "(<https://github.com/bitcoin/bitcoin/blob/master/doc/design/"
	    "assumeutxo.md>).",
	    "{                        (json object)\n"
	    "  \"coins_loaded\" : n,    (numeric) the number of coins loaded from the snapshot\n"
	    "  \"tip_hash\" : \"hex\",    (string) the hash of the base of the snapshot\n"
	    "  \"base_height\" : n,     (numeric) the height of the base of the snapshot\n"
	    "  \"path\" : \"str\"         (string) the absolute path that the snapshot was loaded from\n"
	    "}\n",
	    "utxo.dat", RPC_ON_VALIDATION },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
