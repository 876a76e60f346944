/*
 * UTXO snapshot methods (assumeutxo), as in Bitcoin Core 28.1:
 * dumptxoutset writes the followed chainstate's UTXO set in Core's file
 * format (validation/snapshot.h).
 *
 * JSON lives here only: the work is done by the snapshot module, which
 * answers in typed structs. dumptxoutset runs on this RPC worker over one
 * store read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/snapshot.h"

static json_t *
hash_json(const uint8_t h[32])
{
	char hex[65];

	hash_to_hex(h, hex);
	return json_string(hex);
}

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
		rpc_fail(err, RPC_INVALID_PARAMETER, "%s already exists. If you "
		    "are sure this is what you want, move it out of the way "
		    "first", path);
		goto out;
	}
	if ((f = fopen(tmp, "wb")) == NULL) {
		rpc_fail(err, RPC_INVALID_PARAMETER, "Couldn't open file %s for "
		    "writing.", tmp);
		goto out;
	}
	if (snapshot_dump(sh->store, sh->cp, f, &res, msg, sizeof(msg)) != 0) {
		fclose(f);
		(void)unlink(tmp);
		rpc_fail(err, strcmp(msg, "Unable to read UTXO set") == 0 ?
		    RPC_INTERNAL_ERROR : RPC_MISC_ERROR, "%s", msg);
		goto out;
	}
	if (fclose(f) != 0) {
		(void)unlink(tmp);
		rpc_fail(err, RPC_MISC_ERROR, "AutoFile::write: write failed: "
		    "iostream error");
		goto out;
	}
	if (rename(tmp, path) != 0) {
		log_warn("dumptxoutset: rename %s to %s", tmp, path);
		(void)unlink(tmp);
		rpc_fail(err, RPC_MISC_ERROR, "filesystem error: cannot rename: "
		    "%s", path);
		goto out;
	}
	o = json_object();
	json_object_set_new(o, "coins_written",
	    json_integer((json_int_t)res.coins));
	json_object_set_new(o, "base_hash", hash_json(res.base_hash));
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
	    "}\n", "utxo.dat" },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL },
};
