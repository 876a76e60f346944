/*
 * libFuzzer target, differential: the RPC fast path (rpc/jsonrpc.c,
 * rpc_fast_parse and rpc_fast_execute, which answer the commonest polling
 * calls without jansson) against the general path (jansson, the request
 * parser, the handler and the reply encoder) on the same bodies.
 *
 * Input: a request body. Both paths run on the in-process server of
 * rpcenv.h (a regtest chain of the shared chain's first blocks), so
 * getblockcount, getbestblockhash and getblockheader give real answers.
 * Properties:
 *  - what the fast parser accepts, jansson parses to a request object with
 *    the same version, method, id (encoded to the same text) and
 *    parameter, and it is not a notification;
 *  - whenever the fast path answers, the general path answers HTTP 200
 *    with exactly the same bytes; when it declines it writes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc/rpc_int.h"
#include "rpcenv.h"

#define FUZZ_NAME "fuzz_rpcfast"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fast parser's reading of the body agrees with the general one's. */
static void
check_parse(const char *data, size_t size, const struct rpc_fast_req *fr)
{
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	struct jout o = { NULL, 0, 0 };
	json_t *body, *p;

	body = rpc_json_parse(data, size);
	PROP(body != NULL);
	PROP(json_is_object(body));
	PROP(rpc_request_parse(body, &rq, &err) == 0);
	PROP(rq.version == fr->version);
	PROP(strcmp(rq.method, fr->method) == 0);
	PROP((rq.id != NULL) == (fr->has_id != 0));
	if (rq.id != NULL) {
		rpc_json_encode(&o, rq.id, 0);
		jout_putn(&o, "", 1);
		PROP(strcmp(o.p, fr->id) == 0);
		jout_free(&o);
	}
	PROP(!(rq.version == RPC_V2 && rq.id == NULL));
	p = rq.params;
	if (fr->has_param) {
		PROP(json_is_array(p) && json_array_size(p) == 1);
		PROP(json_is_string(json_array_get(p, 0)));
		PROP(strcmp(json_string_value(json_array_get(p, 0)),
			 fr->param) == 0);
	} else
		PROP(p == NULL ||
		    (json_is_array(p) && json_array_size(p) == 0));
	rpc_error_clear(&err);
	json_decref(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct rpc_fast_req fr;
	struct rpc_http_reply rep;
	struct jout o = { NULL, 0, 0 };
	struct rpc *r;
	int parsed, rc;

	if (size > 4096)
		return 0;
	r = fuzz_rpc_env();
	parsed = rpc_fast_parse(text, size, &fr) == 0;
	if (parsed)
		check_parse(text, size, &fr);
	rc = rpc_fast_execute(r, text, size, &o);
	PROP(rc == 0 || rc == 1);
	if (getenv("FUZZ_DEBUG") != NULL) {
		/* Replaying seeds: which path answered, and what. */
		rpc_execute_raw(r, text, size, &rep);
		fprintf(stderr, "%s: %.*s -> %d %.*s", rc ? "fast" : "general",
		    (int)size, text, rep.status, (int)rep.len,
		    rep.body ? rep.body : "");
		free(rep.body);
	}
	if (rc == 0) {
		PROP(o.len == 0);
		jout_free(&o);
		return 0;
	}
	PROP(parsed);
	rpc_execute_raw(r, text, size, &rep);
	if (rep.status != 200 || rep.len != o.len ||
	    memcmp(rep.body, o.p, o.len) != 0)
		fprintf(stderr, "fast:    %.*s\ngeneral: %d %.*s\n",
		    (int)o.len, o.p, rep.status, (int)rep.len,
		    rep.body ? rep.body : "");
	PROP(rep.status == 200);
	PROP(rep.len == o.len && memcmp(rep.body, o.p, o.len) == 0);
	free(rep.body);
	jout_free(&o);
	return 0;
}
