/*
 * The fuzz targets' RPC server (see rpcenv.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/file.h"
#include "validation/chainstate.h"
#include "../unit/testenv.h"
#include "rpcenv.h"

static struct testenv env;
static struct args *args;
static struct rpc *server;

static void
rpcenv_exit(void)
{
	rpc_local_free(server);
	args_free(args);
	testenv_close(&env);
}

/* Feeds the chain file's first blocks (magic, length, block each). */
static int
import_chain(const char *path)
{
	struct block_result res;
	uint8_t *buf;
	size_t len, off = 0;
	enum val_result rc;
	uint32_t n;
	int i;

	if (file_read_all(path, 0, &buf, &len) != 0) {
		fprintf(stderr, "rpcenv: cannot read %s\n", path);
		return -1;
	}
	for (i = 0; i < FUZZ_RPC_BLOCKS && len - off >= 8; i++) {
		n = le32_read(buf + off + 4);
		if (n > len - off - 8)
			break;
		/* The file starts with the genesis block, which is there. */
		rc = chainstate_process_block(env.cs, buf + off + 8, n, &res);
		if (rc != VAL_OK && rc != VAL_DUPLICATE) {
			fprintf(stderr, "rpcenv: block %d of %s refused\n", i,
			    path);
			free(buf);
			return -1;
		}
		off += 8 + (size_t)n;
	}
	free(buf);
	return 0;
}

struct rpc *
fuzz_rpc_env(void)
{
	struct chainstate_opts opts;
	const char *shared = getenv("BR_SHARED_DIR");
	char path[1024];

	if (server != NULL)
		return server;
	memset(&opts, 0, sizeof(opts));
	opts.script_threads = 1;
	if (testenv_open(&env, "fuzz_rpc", &opts) != 0) {
		fprintf(stderr, "rpcenv: no chainstate\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/chains/regtest-dev.dat",
	    shared ? shared : BR_SHARED_DIR);
	if (import_chain(path) != 0 ||
	    (args = testenv_args(env.dir, NULL, 0)) == NULL) {
		testenv_close(&env);
		exit(1);
	}
	server = rpc_local_new(args, env.cp, env.s);
	atexit(rpcenv_exit);
	return server;
}
