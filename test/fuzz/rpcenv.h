/*
 * The in-process RPC server of the JSON-RPC fuzz targets: a regtest
 * chainstate holding the first FUZZ_RPC_BLOCKS blocks of
 * ../shared/chains/regtest-dev.dat (BR_SHARED_DIR), and rpc_local_new
 * over its store, so that requests reach the handlers that read the
 * chain. Made on the first call; the directory is removed at exit.
 */
#ifndef BR_FUZZ_RPCENV_H
#define BR_FUZZ_RPCENV_H

/* Blocks imported; fuzz.sh makes seeds naming blocks below this height. */
#define FUZZ_RPC_BLOCKS 150

struct rpc;

/* The server; exits the process when it cannot be set up. */
struct rpc *fuzz_rpc_env(void);

#endif
