/*
 * JSON-RPC error codes, as Bitcoin Core's RPCErrorCode, and the error value
 * that crosses thread boundaries with an answer.
 */
#ifndef BR_RPCERR_H
#define BR_RPCERR_H

#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)
#define RPC_INTERNAL_ERROR (-32603)
#define RPC_PARSE_ERROR (-32700)
#define RPC_MISC_ERROR (-1)
#define RPC_TYPE_ERROR (-3)
#define RPC_INVALID_ADDRESS_OR_KEY (-5)
#define RPC_OUT_OF_MEMORY (-7)
#define RPC_INVALID_PARAMETER (-8)
#define RPC_DATABASE_ERROR (-20)
#define RPC_DESERIALIZATION_ERROR (-22)
#define RPC_VERIFY_ERROR (-25)
#define RPC_VERIFY_REJECTED (-26)
#define RPC_VERIFY_ALREADY_IN_CHAIN (-27)
#define RPC_IN_WARMUP (-28)
#define RPC_METHOD_DEPRECATED (-32)
#define RPC_CLIENT_NOT_CONNECTED (-9)
#define RPC_CLIENT_IN_INITIAL_DOWNLOAD (-10)
#define RPC_CLIENT_NODE_ALREADY_ADDED (-23)
#define RPC_CLIENT_NODE_NOT_ADDED (-24)
#define RPC_CLIENT_NODE_NOT_CONNECTED (-29)
#define RPC_CLIENT_INVALID_IP_OR_SUBNET (-30)
#define RPC_CLIENT_P2P_DISABLED (-31)
#define RPC_CLIENT_NODE_CAPACITY_REACHED (-34)

/*
 * An error and its message, which has no length limit (as Core's): it
 * quotes what the caller sent, so the request's size bounds it. message is
 * xmalloc'd by rpc_fail and owned by the struct: start from
 * RPC_ERROR_INIT, call rpc_fail any number of times (each frees the message
 * before), and rpc_error_clear when done. A struct is never copied; hand
 * one on with rpc_error_move.
 */
struct rpc_error {
	int code;
	char *message; /* NULL until rpc_fail sets one */
};
#define RPC_ERROR_INIT { 0, NULL }

/* Frees the message; the struct may be used again. */
void rpc_error_clear(struct rpc_error *e);
/* dst takes src's code and message (dst's own is freed); src is cleared. */
void rpc_error_move(struct rpc_error *dst, struct rpc_error *src);

#endif
