/*
 * Inside the rpc module: the server context, the method table and the
 * helpers that method files share. Included by the files of src/rpc and by the
 * module's unit test only; other modules use rpc.h.
 *
 * Threads: one "rpc" thread owns the evhttp base and every evhttp object.
 * Method handlers run either on it (methods flagged RPC_F_FAST, answered
 * inline) or on a worker "rpc.N". A handler must therefore be reentrant:
 * it reads the chain through its own store read transaction, calls the net
 * and validation threads through their queues, and touches struct rpc only
 * through the fields documented below as shared.
 */
#ifndef BR_RPC_INT_H
#define BR_RPC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/socket.h>

#include <jansson.h>

#include "rpc/jsonenc.h"
#include "rpc/rpc.h"
#include "rpc/rpcerr.h"
#include "util/request.h"

struct args;
struct chainparams;
struct store;
struct store_rtxn;
struct block_index_entry;
struct validation;
struct net;
struct mempool;
struct filterindex;
struct rpc;
struct zmqpub;
struct tx;
struct txout;

/* ---- JSON builders the handlers share (jsonutil.c) ---- */

/* A hash as Core prints it: byte-reversed hex. */
json_t *rpc_hash_json(const uint8_t h[32]);
/* n bytes as a lowercase hex string. */
json_t *rpc_hex_json(const void *p, size_t n);
/* Core's name of v's JSON type: "string", "number", ...; NULL is "null". */
const char *rpc_json_type_name(const json_t *v);
/*
 * UniValue's type error, which Core answers as -3 "JSON value of type T
 * is not of expected type WANT". Fills err and returns NULL.
 */
json_t *rpc_fail_type(struct rpc_error *err, const json_t *v,
    const char *want);

/* ---- Methods (table.c) ---- */

enum rpc_argtype {
	RPC_ARG_STR,  /* string */
	RPC_ARG_HEX,  /* string of hex digits */
	RPC_ARG_NUM,  /* number, a whole one (Core's getInt) */
	RPC_ARG_REAL, /* number, fractions too (Core's get_real) */
	RPC_ARG_BOOL,
	RPC_ARG_OBJ,
	RPC_ARG_ARR,
	RPC_ARG_AMOUNT,	     /* number or string */
	RPC_ARG_RANGE,	     /* number or [begin,end] */
	RPC_ARG_ANY,	     /* no type check */
	RPC_ARG_NUM_OR_BOOL, /* Core's verbosity|verbose: number or boolean */
	RPC_ARG_OPTIONS, /* Core's OBJ_NAMED_PARAMS: an options object, no braces in help */
	RPC_ARG_STR_OR_NUM, /* hash or height */
};

struct rpc_arg {
	const char *names; /* "name" or "name|alias" */
	enum rpc_argtype type;
	int required;
	const char *deflt; /* shown as default=...; NULL if none */
	const char *help;
};

struct rpc_ctx;
/*
 * A handler returns a new reference (json_null() for "no result") or NULL
 * with *err set.
 */
typedef json_t *(*rpc_fn)(struct rpc_ctx *c, struct rpc_error *err);

/* Method flags. */
#define RPC_F_FAST 0x1u	   /* cheap: may be answered on the rpc thread */
#define RPC_F_WARMUP 0x2u  /* answered during warm-up (help, stop) */
#define RPC_F_REGTEST 0x4u /* only on chains that allow mocking */
#define RPC_F_STUB 0x8u /* help is the description alone (Core's generate) */

#define RPC_MAX_ARGS 10

/*
 * The thread whose state a method reads or changes. The handler itself
 * always runs on the rpc thread: it parses the parameters, sends a typed
 * request (util/request.h) to that thread, and formats the typed answer.
 * The server refuses a method whose thread is not running, with Core's
 * error, before the handler runs (rpc_owner_check).
 */
enum rpc_owner {
	RPC_ON_RPC = 0, /* the rpc thread alone (store reads, util) */
	RPC_ON_NET,
	RPC_ON_VALIDATION,
	RPC_ON_MEMPOOL,
};

struct rpc_method {
	const char *name;
	const char *category; /* Core's: blockchain, control, ... hidden */
	rpc_fn fn;
	unsigned flags;
	struct rpc_arg args[RPC_MAX_ARGS]; /* ends at names == NULL */
	const char *desc;     /* what it does (after the synopsis) */
	const char *result;   /* the "Result:" section */
	const char *examples; /* arguments for "> bitroot-cli NAME ..." */
	enum rpc_owner
	    owner; /* last, so older entries default to RPC_ON_RPC */
};

/* Per-category tables, each ending with a NULL name. */
extern const struct rpc_method rpc_blockchain_methods[];
extern const struct rpc_method rpc_blockfilter_methods[];
extern const struct rpc_method rpc_control_methods[];
extern const struct rpc_method rpc_mining_methods[];
extern const struct rpc_method rpc_mempool_methods[];
extern const struct rpc_method rpc_fee_methods[];
extern const struct rpc_method rpc_net_methods[];
extern const struct rpc_method rpc_rawtx_methods[];
extern const struct rpc_method rpc_util_methods[];
extern const struct rpc_method rpc_blockstats_methods[];
extern const struct rpc_method rpc_txoutproof_methods[];
extern const struct rpc_method rpc_output_script_methods[];
extern const struct rpc_method rpc_signing_methods[];
extern const struct rpc_method rpc_signer_methods[];
extern const struct rpc_method rpc_zmq_methods[];
extern const struct rpc_method rpc_utxo_methods[];
extern const struct rpc_method rpc_scanblocks_methods[];
extern const struct rpc_method rpc_psbt_methods[];

/* Finds a method by name (binary search of the merged table), or NULL. */
const struct rpc_method *rpc_method_find(const char *name);
size_t rpc_method_count(void);
/* m's position in the table (sorted by name); m must be in it. */
size_t rpc_method_index(const struct rpc_method *m);
const struct rpc_method *rpc_method_at(size_t i);
size_t rpc_method_nargs(const struct rpc_method *m);
size_t rpc_method_nrequired(const struct rpc_method *m);
/* xmalloc'd help text of one method, or the category listing for NULL. */
char *rpc_help_text(const struct rpc_method *m);
char *rpc_help_list(const char *category);

/*
 * Turns a named-parameter object into the positional array for m, as Core's
 * server does (holes filled with null, the "args" key for leading positional
 * values, unknown names refused). Returns a new array, or NULL with *err.
 */
json_t *rpc_named_to_positional(const struct rpc_method *m, json_t *obj,
    struct rpc_error *err);
/*
 * Checks params (an array) against m: arity (error -1 with the help text)
 * and each argument's JSON type (error -3, "Wrong type passed").
 */
int rpc_check_params(const struct rpc_method *m, json_t *params,
    struct rpc_error *err);

/* ---- Requests (jsonrpc.c) ---- */

enum rpc_version { RPC_V1 = 1, RPC_V2 = 2 };

/* One parsed request object. */
struct rpc_request {
	json_t *id; /* borrowed; NULL when the request had none */
	enum rpc_version version;
	const char *method; /* borrowed from the request JSON */
	int method_nul;	    /* the name holds \u0000: no method has it */
	json_t *params;	    /* borrowed: array or object */
	json_t *dup_param;  /* borrowed: a named param given twice, or NULL */
	json_t *dup_args;   /* borrowed: RPC_DUP_ARG_KEY's array, or NULL */
};

/* Parses a request object. 0, or -1 with *err (id/version set when known). */
int rpc_request_parse(json_t *obj, struct rpc_request *rq,
    struct rpc_error *err);
/* A reply object for rq: result stolen (may be NULL when err given). */
json_t *rpc_reply_obj(const struct rpc_request *rq, json_t *result,
    const struct rpc_error *err);

/* The HTTP-level answer to one request body. */
struct rpc_http_reply {
	int status; /* 200, 204, 400, 404, 500 */
	char *body; /* xmalloc'd JSON text with a final newline, or NULL */
	size_t len;
};

/*
 * Executes a parsed body (object or array) and fills *out. r may be NULL in
 * unit tests that only exercise parsing (then every method answers -32603).
 * fast_only: refuse (return 1, nothing filled) when any request in the body
 * is not RPC_F_FAST, so that the caller can hand the body to a worker.
 */
int rpc_execute_body(struct rpc *r, json_t *body, int fast_only,
    struct rpc_http_reply *out);
/*
 * A batch's answer text stops growing past RPC_BATCH_REPLY_MAX: the calls
 * after it are not run and answer -7 (Core has no such limit; doc/rpc.md).
 * With the 32 MiB request limit it bounds what one batch holds. The
 * variable is the limit in force; only unit tests lower it.
 */
#define RPC_BATCH_REPLY_MAX ((size_t)256 << 20)
extern size_t rpc_batch_reply_max;
/*
 * Parses a request body as Core does (jsonparse.c): any JSON value, at most
 * RPC_MAX_JSON_DEPTH nested arrays and objects (UniValue's limit; jansson
 * alone would take 2048), numbers outside int64 or double kept as reals
 * (the integer readers answer "JSON integer out of range"), a request's
 * numeric "id" kept as a literal of its text, \u0000 allowed in strings.
 * A new reference, or NULL if malformed.
 */
#define RPC_MAX_JSON_DEPTH 512
json_t *rpc_json_parse(const char *data, size_t len);
/*
 * Duplicate keys are read as UniValue reads them: an object's first member
 * with a key counts, later ones are dropped. A request whose named
 * "params" object repeats a key gets, from rpc_json_parse, a member with
 * this key (it holds a NUL, which jansson refuses in a parsed key, so no
 * request text can carry it) holding the
 * first key repeated; rpc_request_parse reads it into dup_param.
 */
#define RPC_DUP_PARAM_KEY "\0param-repeated"
#define RPC_DUP_PARAM_KEYLEN (sizeof(RPC_DUP_PARAM_KEY) - 1)
/*
 * Likewise an object passed as an argument that repeated a key: the
 * request gets under this key an array of [ARG, KEY, INDEX] (ARG the
 * position or the name of the argument, INDEX how many members came
 * before the repeat), read with rpc_param_repeated_key.
 */
#define RPC_DUP_ARG_KEY "\0arg-repeated"
#define RPC_DUP_ARG_KEYLEN (sizeof(RPC_DUP_ARG_KEY) - 1)
/* Same for raw bytes (parse errors answered as Core does). */
void rpc_execute_raw(struct rpc *r, const char *data, size_t len,
    struct rpc_http_reply *out);
/* Whether every request in a parsed body is a fast method. */
int rpc_body_is_fast(json_t *body);

/*
 * The short-cut for the commonest polling calls. A single request object
 * whose members are only "jsonrpc" ("1.0", "2.0" or null), "id" (null, an
 * integer of at most 18 digits or a string of printable ASCII without
 * escapes), "method" and "params" (absent, null, [] or one such string),
 * each at most once, is read without jansson; anything else is declined
 * (-1) and goes the general way, which gives every error. A JSON-RPC 2.0
 * request without an id (a notification) is declined too.
 */
struct rpc_fast_req {
	enum rpc_version version;
	int has_id;
	char id[72]; /* the id as the encoder writes it */
	char method[32];
	int has_param;
	char param[72]; /* the one string parameter, unquoted */
};
int rpc_fast_parse(const char *data, size_t len, struct rpc_fast_req *fr);
/*
 * Append to o what rpc_reply_obj and rpc_json_encode write before and
 * after the result of a successful fr, byte for byte (the tail ends with
 * the final newline).
 */
void rpc_fast_head(const struct rpc_fast_req *fr, struct jout *o);
void rpc_fast_tail(const struct rpc_fast_req *fr, struct jout *o);
/*
 * rpc thread: answers getblockcount, getbestblockhash or getblockheader
 * given as above, appending the reply body (HTTP 200) to o. Returns 1, or
 * 0 when the request must go the general way (another method or shape,
 * warm-up, any error, which the general path words), with o unchanged.
 */
int rpc_fast_execute(struct rpc *r, const char *data, size_t len,
    struct jout *o);

/* ---- REST (rest.c) ---- */

/* One REST answer: status, Content-Type (static) and body (xmalloc'd). */
struct rest_reply {
	int status;
	const char *ctype;
	uint8_t *body;
	size_t len;
};
/* The REST route uri starts with (Core's prefixes), or -1. Any thread. */
int rest_route(const char *uri);
/*
 * Answers a REST request on a worker: route from rest_route, uri the whole
 * request URI, body the request body (getutxos). Fills *out.
 */
void rest_handle(struct rpc *r, int route, const char *uri,
    const uint8_t *body, size_t blen, struct rest_reply *out);

/* ---- Handler context ---- */

struct rpc_ctx {
	struct rpc *rpc;
	const struct rpc_method *m;
	json_t *params;		 /* positional array, borrowed */
	const json_t *dup_args; /* rpc_request's dup_args, or NULL */
};

/* The i-th parameter, or NULL when absent or JSON null. */
json_t *rpc_param(const struct rpc_ctx *c, size_t i);
/*
 * Whether parameter i was sent as an object that repeated a key (the
 * parser kept the first member: rpc_json_parse): 1 with *key (borrowed
 * from the request) and *index (how many members came before the
 * repeat), else 0. For the methods that read every member, where Core
 * sees the repeat (createrawtransaction's outputs).
 */
int rpc_param_repeated_key(const struct rpc_ctx *c, size_t i,
    const char **key, size_t *index);
/* Fills err and returns NULL: return rpc_fail(err, CODE, "..."). */
json_t *rpc_fail(struct rpc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Parameter parsers in Core's words: a 64-digit hash ("NAME must be of
 * length 64 (not N, for 'X')", "NAME must be hexadecimal string (not
 * 'X')"), hex data, an amount. 0 or -1 with *err.
 */
int rpc_parse_hash(const json_t *v, const char *name, uint8_t hash[32],
    struct rpc_error *err);
int rpc_parse_hex(const json_t *v, const char *name, uint8_t **out,
    size_t *len, struct rpc_error *err);
int rpc_parse_amount(const json_t *v, int64_t *sat, struct rpc_error *err);
/*
 * Core 28's ParseHexV: non-empty hex of even length, else -8 "NAME must
 * be hexadecimal string (not 'X')"; a non-string is -3. *out is
 * xmalloc'd. 0 or -1 with *err.
 */
int rpc_parse_hexv(const json_t *v, const char *name, uint8_t **out,
    size_t *len, struct rpc_error *err);
/*
 * Core's RPCTypeCheckObj: each of the n keys (in Core's order: sorted)
 * must hold a value of JSON type types[i] ("string", "number", ...), else
 * -3 "Missing KEY" (absent or null, unless allow_null) or "JSON value of
 * type T for field KEY is not of expected type U"; with strict, any other
 * key is -3 "Unexpected key KEY". 0 or -1 with *err.
 */
int rpc_check_obj(json_t *o, const char *const *names,
    const char *const *types, size_t n, int allow_null, int strict,
    struct rpc_error *err);
/* A boolean param that Core also accepts as a number (verbosity). */
int rpc_param_verbosity(const json_t *v, int deflt);
/*
 * Core's getInt<int>(): v must be a whole number within int's range, else
 * -1 with RPC_MISC_ERROR "JSON integer out of range" (4294967296 is out
 * of range, not a negative number or another height).
 */
int rpc_get_int(const json_t *v, int *out, struct rpc_error *err);
/* The same for an optional parameter: deflt when v is NULL. */
int rpc_get_int_or(const json_t *v, int deflt, int *out,
    struct rpc_error *err);
/*
 * Core's getInt<int64_t>(): v must be a whole number (jansson holds none
 * outside int64), else -1 "JSON integer out of range". The table's type
 * check lets 1.5 through as a number, as Core's does: each handler reads
 * its integers with these where Core's reads them, so that an earlier
 * parameter's error comes first.
 */
int rpc_get_int64(const json_t *v, int64_t *out, struct rpc_error *err);
/*
 * Core reads verbosity without its type check (it also takes a boolean),
 * so any other type fails inside the handler: -1, not -3. 0 or -1.
 */
int rpc_check_verbosity(const json_t *v, struct rpc_error *err);

/*
 * Methods the validation thread serves (chainctl.c): typed requests
 * (validation.h) made and answered here. rpc_validation_fail words a
 * failed request as Core would (statuses to JSON-RPC codes) and returns
 * NULL; rpc_validation_sync is the validation thread's barrier.
 */
struct request_error;
json_t *rpc_validation_fail(struct rpc_ctx *c, const struct request_error *e,
    struct rpc_error *err);
int rpc_validation_sync(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_invalidateblock(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_reconsiderblock(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_preciousblock(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_verifychain(struct rpc_ctx *c, struct rpc_error *err);
/* -prune (rpc/prune.c): pruneblockchain and getblockchaininfo's fields. */
json_t *rpc_pruneblockchain(struct rpc_ctx *c, struct rpc_error *err);
void rpc_prune_json(struct rpc *rpc, json_t *o);
/* -prune is on (manual or automatic). */
int rpc_prune_mode(struct rpc *rpc);
/* Blocks were pruned from the store once (Core's m_have_pruned). */
int rpc_have_pruned(struct store_rtxn *t);
json_t *rpc_waitfornewblock(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_waitforblock(struct rpc_ctx *c, struct rpc_error *err);
json_t *rpc_waitforblockheight(struct rpc_ctx *c, struct rpc_error *err);
/* scantxoutset.c: on the worker, over a store read transaction. */
json_t *rpc_scantxoutset(struct rpc_ctx *c, struct rpc_error *err);
/*
 * The tip watch behind waitfor* (chainctl.c): a validation listener that
 * keeps the tip and wakes waiters. start: before the workers run; stop:
 * when rpc_stop begins (every waiter answers at once); free: after the
 * workers are joined (removes the listener).
 */
struct rpc_tipwatch;
struct rpc_tipwatch *rpc_tipwatch_start(struct validation *v);
/*
 * The "warnings" array of getblockchaininfo, getnetworkinfo and
 * getmininginfo: the node's operator warnings (validation.h), as Core 28's
 * array form.
 */
json_t *rpc_warnings_json(struct rpc *r);
void rpc_tipwatch_stop(struct rpc_tipwatch *tw);
void rpc_tipwatch_free(struct rpc_tipwatch *tw);

/*
 * 0 when m's owner thread is running (or r is NULL, as in unit tests);
 * else -1 with Core's error for that thread being off.
 */
int rpc_owner_check(struct rpc *r, const struct rpc_method *m,
    struct rpc_error *err);
/* Core's RPC_CLIENT_MEMPOOL_DISABLED. */
#define RPC_MEMPOOL_DISABLED (-33)

/* ---- Pool lookups for other methods (mempool.c) ---- */

struct outpoint;
struct mempool_outpoints_out;
/*
 * mempool_ask (mempool.h) with the server's time-out, the mempool's
 * statuses mapped to Core's error codes: 0, or -1 with *err (-33 without
 * a mempool). For method files other than mempool.c (fees.c).
 */
int rpc_mempool_ask(struct rpc *r, request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), void *out, size_t outlen,
    void (*out_free)(void *), struct rpc_error *err);
/*
 * A pool transaction's serialization with witness: 0 with *raw
 * (xmalloc'd, *len bytes; NULL when the pool does not have it), or -1 with
 * *err (-33 without a mempool).
 */
int rpc_mempool_tx(struct rpc *r, const uint8_t txid[32], uint8_t **raw,
    size_t *len, struct rpc_error *err);
/*
 * What the pool says of each of n outpoints (mempool.h,
 * mempool_req_outpoints): 0 with *out (mempool_outpoints_out_free), or -1
 * with *err (-33 without a mempool).
 */
int rpc_mempool_outpoints(struct rpc *r, const struct outpoint *ops, size_t n,
    struct mempool_outpoints_out *out, struct rpc_error *err);

/* ---- Building transactions (rawtx.c) ---- */

/* Outputs built from RPC parameters: v[i].script is scripts[i] (owned). */
struct outbuf {
	struct txout *v;
	uint8_t **scripts;
	size_t n;
};
void rpc_outbuf_free(struct outbuf *ob);
/*
 * Core's ConstructTransaction from params 0..4 (inputs, outputs,
 * locktime, replaceable, version; absent ones take Core's defaults), as
 * createrawtransaction and createpsbt read them. 0 with *tx (vin
 * xmalloc'd, vout borrowed from *ob: free both after), or -1 with *err.
 */
int rpc_construct_tx(struct rpc_ctx *c, struct tx *tx, struct outbuf *ob,
    struct rpc_error *err);
/* The arguments rpc_construct_tx reads, as both methods' tables list them. */
#define RPC_CONSTRUCT_TX_ARGS \
	{ \
		"inputs", RPC_ARG_ARR, 1, NULL, \
		"The inputs: [{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]" \
	}, \
	    { "outputs", RPC_ARG_ANY, 1, NULL, \
		    "The outputs specified as key-value pairs: {\"address\":amount," \
		    "\"data\":\"hex\"} or an array of such objects" }, \
	    { "locktime", RPC_ARG_NUM, 0, "0", \
		    "Raw locktime. Non-0 value also locktime-activates inputs" }, \
	{ \
		"replaceable", RPC_ARG_BOOL, 0, "true", \
		    "Marks this transaction as BIP125-replaceable." \
	}

/* ---- Authentication (auth.c) ---- */

struct rpc_auth;
/* Reads -rpcuser/-rpcpassword/-rpcauth and writes the cookie. */
int rpc_auth_init(const struct args *a, struct rpc_auth **out);
void rpc_auth_free(struct rpc_auth *au);
/*
 * Whether an Authorization header value is accepted. Any thread. When it
 * is and user is not NULL, *user is the user name it gave (xmalloc'd).
 */
int rpc_auth_check(const struct rpc_auth *au, const char *header, char **user);
/* Checks one -rpcauth entry "USER:SALT$HMAC" against user and password. */
int rpc_auth_entry_matches(const char *entry, const char *user,
    const char *pass);
/* Parses an -rpcauth value; 0 or -1 if malformed. */
int rpc_auth_entry_valid(const char *entry);
/* Strict base64 decoding; xmalloc'd NUL-terminated output or NULL. */
char *rpc_base64_decode(const char *s, size_t *len);
/* For tests and the CLI. out must hold 4*ceil(n/3)+1 bytes. */
void rpc_base64_encode(const void *p, size_t n, char *out);
/* The cookie file path for the args (xmalloc'd), or NULL when disabled. */
char *rpc_cookie_path(const struct args *a);

/* ---- Per-user method lists (whitelist.c) ---- */

struct rpc_whitelist;
struct rpc_acl;
/* Reads -rpcwhitelist and -rpcwhitelistdefault. Never fails. */
struct rpc_whitelist *rpc_whitelist_new(const struct args *a);
void rpc_whitelist_free(struct rpc_whitelist *wl);
/*
 * 0 when user may call every method; 1 when restricted, with *acl the
 * user's list or NULL when the user may call nothing (-rpcwhitelistdefault).
 * The list lives as long as wl. Any thread.
 */
int rpc_whitelist_lookup(const struct rpc_whitelist *wl, const char *user,
    const struct rpc_acl **acl);
/*
 * Checks a parsed body (object or batch) against a restricted user's list
 * (NULL: nothing allowed). 0 when it may run; -1 with *out filled (403
 * with no body, or Core's error for a batch entry that is not a request).
 */
int rpc_acl_check(const struct rpc_acl *acl, const char *user, json_t *body,
    struct rpc_http_reply *out);

/* ---- The status page (status_json.c, status_page.c) ---- */

/* /status.json from the published metrics and snapshots; xmalloc'd. */
char *rpc_status_json(void);
/* The page (generated from status_page.html at build time). */
const char *rpc_status_page_html(void);

/* ---- Access control (server.c) ---- */

struct rpc_subnet {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t mask[16];
};

/* Parses "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1", "fe80::/10". */
int rpc_subnet_parse(const char *s, struct rpc_subnet *out);
int rpc_subnet_match(const struct rpc_subnet *n, const struct sockaddr *sa);
/* Whether sa is in any of the n subnets of list. */
int rpc_subnet_match_any(const struct rpc_subnet *list, size_t n,
    const struct sockaddr *sa);
/*
 * Splits "host", "host:port", "[v6]:port", "[v6]" or a bare IPv6 address
 * into host (a string of at most hlen - 1 bytes) and, when a port is given,
 * *port (1 to 65535; untouched otherwise). 0, or -1 if malformed.
 */
int rpc_split_host_port(const char *in, char *host, size_t hlen, int *port);

/* ---- The server context ---- */

/* Shared with handlers (read-only after rpc_start unless noted). */
struct rpc_shared {
	const struct args *args;
	const struct chainparams *cp;
	struct store *store;
	struct validation *v;
	struct net *net;
	struct mempool *mp;	  /* may be NULL (unit tests) */
	struct filterindex *fi;	  /* -blockfilterindex, or NULL */
	const struct zmqpub *zmq; /* NULL without -zmqpub*; set before ready */
	int64_t start_time;	  /* node time at start, for uptime */
	int call_timeout_ms;	  /* wait for the net/validation threads */
	struct rpc_tipwatch *tipwatch; /* NULL without validation */
};

struct rpc_shared *rpc_shared(struct rpc *r);
/*
 * A context for answering bodies in-process, with rpc_execute_raw and
 * rpc_fast_execute, over the store alone: no thread, no socket, ready at
 * once. The methods of the validation, net and mempool threads answer
 * that their thread is off (rpc_owner_check). For the fuzz targets; the
 * caller keeps a, cp and s open until rpc_local_free.
 */
struct rpc *rpc_local_new(const struct args *a, const struct chainparams *cp,
    struct store *s);
void rpc_local_free(struct rpc *r);
/* Whether rpc_stop has begun (any thread): long waits give up. */
int rpc_is_stopping(struct rpc *r);
/* Whether rpc_set_ready has been called (any thread). */
int rpc_is_ready(struct rpc *r);
/* Copies the warm-up message (any thread). */
void rpc_warmup_message(struct rpc *r, char *buf, size_t len);
/* In-flight command registry for getrpcinfo (any thread). */
/*
 * A call of m starts and ends (getrpcinfo's list); rpc_cmd_end also counts
 * the call and its time in the metrics. Any rpc thread.
 */
uint64_t rpc_cmd_begin(struct rpc *r, const struct rpc_method *m);
void rpc_cmd_end(struct rpc *r, uint64_t id);
json_t *rpc_cmd_list(struct rpc *r);

/*
 * getindexinfo's block filter index entry (blockfilter.c): added to res
 * when the index runs and want is NULL, empty or its name.
 */
void rpc_blockfilter_indexinfo(struct rpc *r, const char *want, json_t *res);
/*
 * syncwithvalidationinterfacequeue: the validation thread's barrier, then
 * the block filter index's (blockfilter.c), as Core's queue covers its
 * indexes.
 */
json_t *rpc_syncwithvalidationinterfacequeue(struct rpc_ctx *c,
    struct rpc_error *err);

/* Store read helpers shared by the method files (blockchain.c). */
int rpc_read_begin(struct rpc *r, struct store_rtxn **t,
    struct rpc_error *err);
json_t *rpc_header_json(struct store_rtxn *t, const uint8_t hash[32],
    struct rpc_error *err);
/* Median time past of the block with this hash. */
int64_t rpc_median_time(struct store_rtxn *t, const uint8_t hash[32]);
/*
 * Core's GuessVerificationProgress for a block of the active chain (the
 * transaction rate measured over our own last month).
 */
double rpc_verification_progress(struct store_rtxn *t,
    const struct chainparams *cp, const struct block_index_entry *tip);
/* "bits" and "target" as Core formats them. */
void rpc_bits_hex(uint32_t bits, char out[9]);
void rpc_target_hex(uint32_t bits, char out[65]);
/* Sets "bits", "target" and "difficulty" of a block header in o, in order. */
void rpc_set_bits_json(json_t *o, uint32_t bits);
/* The nBits the block after prev must carry at time t (GetNextWorkRequired). */
uint32_t rpc_next_bits(struct store_rtxn *t, const struct chainparams *cp,
    const uint8_t prev[32], int64_t time);
/* Network hash rate over nblocks ending at height (Core's GetNetworkHashPS). */
double rpc_network_hashps(struct store_rtxn *t, const struct chainparams *cp,
    int nblocks, int height);
/* Core's decodescript result for a script. */
json_t *rpc_decodescript_json(const uint8_t *s, size_t len,
    const struct chainparams *cp);
/* Reads an option only if the args registry knows it (else NULL). */
const char *rpc_opt(struct rpc *r, const char *name);

/* ---- Transactions and scripts as JSON (txjson.c) ---- */

struct tx;
/* The transaction's serialization with witness, as a hex string. */
json_t *rpc_tx_hex_json(const struct tx *tx);
/*
 * Core's TxToUniv: txid, hash, version, size, vsize, weight, locktime, vin,
 * vout; hex when include_hex. block_hash may be NULL.
 */
json_t *rpc_tx_json(const struct tx *tx, const struct chainparams *cp,
    int include_hex);
struct block;
struct consensus_coin;
/* Core's error (RPC_INTERNAL_ERROR) for an undo record that does not read. */
#define RPC_UNDO_UNREADABLE \
	"Undo data expected but can't be read. This " \
	"could be due to disk corruption or a conflict with a pruning event."
/*
 * Reads the undo record undo/n of block b at height (consensus_undo_read):
 * 0 with *out, an xmalloc'd array of one coin per input of b's
 * transactions after the coinbase (the caller frees it; its scripts borrow
 * undo), or -1 when the record does not decode or does not match the block
 * (a transaction whose coins would not pass consensus_check_tx_inputs
 * there, so the fees computed from it are always in range).
 */
int rpc_undo_spent(const uint8_t *undo, size_t n, const struct block *b,
    int32_t height, struct consensus_coin **out);
/*
 * The scripts of scantxoutset's and scanblocks' scan objects (descriptor
 * strings, or objects with "desc"), each with its inferred descriptor.
 * rpc_needles_parse: 0, or -1 with err (Core's words) and nothing kept.
 */
struct rpc_needle {
	uint8_t *script;
	size_t len;
	char *desc; /* with checksum */
};
struct rpc_needles {
	struct rpc_needle *v;
	size_t n;
};
/*
 * One scan at a time, per kind (scantxoutset, scanblocks), as Core: the
 * running one's progress and abort flag are reached from any worker. All
 * fields are read and written atomically.
 */
struct rpc_scan_slot {
	int running, abort, progress, height;
};
/*
 * "status" (null when idle; progress, and current_height with_height) and
 * "abort" (whether a scan was running); NULL for any other action.
 */
json_t *rpc_scan_control(struct rpc_scan_slot *s, const char *action,
    int with_height);
/* Claims the slot for a scan: 0, or -1 with Core's "already in progress". */
int rpc_scan_claim(struct rpc_scan_slot *s, struct rpc_error *err);
void rpc_scan_release(struct rpc_scan_slot *s);
int rpc_needles_parse(const struct chainparams *cp, json_t *objs,
    struct rpc_needles *nd, struct rpc_error *err);
/*
 * Core's ParseDescriptorRange (output_script.c): end, or [begin,end], each
 * from 0 to 2^31-1 and fewer than 10^6 positions. 0, or -1 with err.
 */
int rpc_descriptor_range(const json_t *v, int64_t *lo, int64_t *hi,
    struct rpc_error *err);
void rpc_needles_free(struct rpc_needles *nd);
/*
 * Core's EvalDescriptorStringOrObject's reading of one scan object: a
 * descriptor string, or {"desc", "range"} (range 1000 by default); *text
 * borrows from obj. 0, or -1 with err (Core's words).
 */
int rpc_descriptor_object(const json_t *obj, const char **text, int64_t *lo,
    int64_t *hi, struct rpc_error *err);
/* Core's SighashFromStr: a SIGHASH_* value, or -1 (signing.c). */
int rpc_parse_sighash(const char *s);
/*
 * block_parse of raw/len into *b and, when undo is not NULL, rpc_undo_spent
 * into *spent: 0, or RPC_BLOCK_UNREADABLE / RPC_BLOCK_UNDO_UNREADABLE (b
 * is not left allocated then). Methods word these failures differently;
 * rpc_block_read_fail gives getblock's and getrawtransaction's.
 */
#define RPC_BLOCK_UNREADABLE (-1)
#define RPC_BLOCK_UNDO_UNREADABLE (-2)
int rpc_block_spent(const uint8_t *raw, size_t len, const uint8_t *undo,
    size_t ulen, int32_t height, struct block *b,
    struct consensus_coin **spent);
json_t *rpc_block_read_fail(struct rpc_error *err, int rc);
/*
 * rpc_tx_json with the coins tx spent (spent: one per input, or NULL when
 * unknown or for a coinbase), as Core's TxToUniv with undo data: "fee"
 * after vout, and with prevout set each input's "prevout" (generated,
 * height, value, scriptPubKey) before its "sequence".
 */
json_t *rpc_tx_json_spent(const struct tx *tx, const struct chainparams *cp,
    int include_hex, const struct consensus_coin *spent, int prevout);
/* Core's ScriptToUniv for an output script: asm, desc, hex, address, type. */
/* Core's SighashToStr: "ALL", "NONE|ANYONECANPAY", ...; NULL if none. */
const char *rpc_sighash_name(uint8_t t);
json_t *rpc_script_pubkey_json(const uint8_t *s, size_t len,
    const struct chainparams *cp, int include_hex, int include_address);
/* Core's ScriptToAsmStr; xmalloc'd. */
char *rpc_script_asm(const uint8_t *s, size_t len, int sighash_decode);
/* Core's GetTxnOutputType name for a script ("pubkeyhash", ...). */
const char *rpc_script_type(const uint8_t *s, size_t len);
/* The address of an output script for cp, xmalloc'd, or NULL. */
char *rpc_script_address(const uint8_t *s, size_t len,
    const struct chainparams *cp);
/* Descriptor inferred for an output script (Core's InferDescriptor), xmalloc'd. */
char *rpc_script_descriptor(const uint8_t *s, size_t len,
    const struct chainparams *cp);
/*
 * Core's DecodeTx (rawtx.c): the whole buffer as a transaction with and
 * without witness, preferring the reading whose scripts parse. 0 with
 * *out (borrowing p), or -1.
 */
int rpc_decode_tx(const uint8_t *p, size_t n, int try_legacy, int try_witness,
    struct tx *out);
/* Decodes an address for cp into an output script; 0 or -1. */
int rpc_address_to_script(const char *addr, const struct chainparams *cp,
    uint8_t **script, size_t *len);

#endif
