/*
 * libFuzzer target for the JSON-RPC request layer (rpc/rpc_int.h) and the
 * method handlers behind it: body parsing, request objects, batches and
 * notifications, named-to-positional mapping, arity and type checks, the
 * parameter parsers of params.c, the handlers, and the JSON writer.
 *
 * Input: a request body as an HTTP client would send it.
 *
 * The body is answered by an in-process server (rpcenv.h: rpc_local_new
 * over a regtest chainstate of the shared chain's first blocks), so the
 * handlers that read the chain run for real (getblock, gettxout,
 * getblockstats, decoderawtransaction, ...); the methods of the
 * validation, net and mempool threads answer that their thread is off.
 * Bodies naming a method with effects outside the process's memory, or on
 * later inputs (stop, setmocktime, logging, dumptxoutset), and batches of
 * more than MAX_BATCH_RUN requests, are walked up to the handler but not
 * executed. The answer must be a JSON-RPC reply of
 * the right shape: an HTTP status Core would give, error objects with
 * exactly an integer code and a non-empty message, ids echoed, one reply
 * per non-notification in a batch.
 *
 * Also: the writer's output parses back to the same value (numbers within
 * the 16 digits the writer keeps); the parameter parsers either succeed
 * with a value that prints back to the input or fail with Core's error
 * codes; and the input read as the base64 of an Authorization header
 * decodes only if it is the canonical encoding of what it decodes to.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "util/hex.h"
#include "rpcenv.h"

#define FUZZ_NAME "fuzz_jsonrpc"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longest batch executed. */
#define MAX_BATCH_RUN 8

/* The body flags rpc_execute_raw decodes with. */
#define BODY_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

/*
 * FUZZ_SKIP_KNOWN=1 in the environment steps around bugs already reported
 * (each names its finding in /work/briefs/fuzz-findings), so that the rest
 * of the layer can be fuzzed until they are fixed. Off by default: a known
 * bug still fails the target.
 */
static int skip_known = -1;

/* Methods not executed: effects on files, the process or later inputs. */
static int
runs_in_fuzzer(const char *method)
{
	static const char *const no[] = { "stop", "setmocktime", "logging",
		"dumptxoutset" };
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(method, no[i]) == 0)
			return 0;
	return 1;
}

/* Whether a request of the body names a method whose answer varies. */
static int
varies(json_t *body)
{
	static const char *const v[] = { "uptime", "getrpcinfo",
		"getmemoryinfo" };
	json_t *item, *m;
	size_t i, k;

	if (json_is_array(body)) {
		json_array_foreach (body, i, item)
			if (varies(item))
				return 1;
		return 0;
	}
	m = json_object_get(body, "method");
	if (!json_is_string(m))
		return 0;
	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++)
		if (strcmp(json_string_value(m), v[k]) == 0)
			return 1;
	return 0;
}

/* Whether v holds a real number anywhere (its text is echoed as written). */
static int
has_real(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	/* -0 parses as the integer 0 and is echoed as -0 by the raw path. */
	if (json_is_real(v) ||
	    (json_is_integer(v) && json_integer_value(v) == 0))
		return 1;
	if (json_is_array(v)) {
		json_array_foreach (v, i, x)
			if (has_real(x))
				return 1;
	} else if (json_is_object(v)) {
		json_object_foreach (v, k, x)
			if (has_real(x))
				return 1;
	}
	return 0;
}

/*
 * Whether a request of the body has an id with a real number (or a zero,
 * maybe written -0): the raw path echoes its text as sent (as Core), a
 * parsed body has lost it.
 */
static int
id_as_written(json_t *body)
{
	json_t *item;
	size_t i;

	if (json_is_array(body)) {
		json_array_foreach (body, i, item)
			if (id_as_written(item))
				return 1;
		return 0;
	}
	return has_real(json_object_get(body, "id"));
}

static int
is_rpc_error(const struct rpc_error *e)
{
	return e->message != NULL && e->message[0] != '\0';
}

/* Equal JSON values, numbers within the writer's 16 digits. */
static int
same_json(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *x;
	double da, db;
	size_t i;

	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		da = json_number_value(a);
		db = json_number_value(b);
		return da == db ||
		    fabs(da - db) <= 1e-14 * fmax(fabs(da), fabs(db));
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
			json_string_length(a)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!same_json(json_array_get(a, i),
				json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach ((json_t *)(uintptr_t)a, key, x)
			if (json_object_get(b, key) == NULL ||
			    !same_json(x, json_object_get(b, key)))
				return 0;
		return 1;
	default: return 1;
	}
}

static void
check_writer(const json_t *v)
{
	static const int indents[] = { 0, 1, 4 };
	json_error_t je;
	json_t *back;
	char *s;
	size_t i;

	for (i = 0; i < sizeof(indents) / sizeof(indents[0]); i++) {
		s = rpc_json_dumps(v, indents[i]);
		PROP(s != NULL);
		back = json_loads(s, JSON_DECODE_ANY, &je);
		if (back == NULL)
			fprintf(stderr,
			    "writer output does not parse: %s\n"
			    "%.200s\n",
			    je.text, s);
		PROP(back != NULL);
		PROP(same_json(v, back));
		json_decref(back);
		free(s);
	}
}

/* lowercase(s) == want */
static int
lower_eq(const char *s, const char *want)
{
	for (; *s && *want; s++, want++) {
		char c = *s >= 'A' && *s <= 'F' ? (char)(*s - 'A' + 'a') : *s;

		if (c != *want)
			return 0;
	}
	return *s == *want;
}

static void
check_param_value(json_t *v)
{
	struct rpc_error err = RPC_ERROR_INIT;
	uint8_t h[32], *bytes;
	char hex[65], *enc, buf[64];
	json_t *j;
	int64_t sat, sat2;
	size_t n;

	rpc_error_clear(&err);
	if (rpc_parse_hash(v, "hash", h, &err) == 0) {
		PROP(json_is_string(v));
		hash_to_hex(h, hex);
		PROP(lower_eq(json_string_value(v), hex));
	} else
		PROP(is_rpc_error(&err) &&
		    (err.code == RPC_TYPE_ERROR ||
			err.code == RPC_INVALID_PARAMETER));

	rpc_error_clear(&err);
	if (rpc_parse_hex(v, "data", &bytes, &n, &err) == 0) {
		PROP(json_is_string(v));
		enc = hex_encode_alloc(bytes, n);
		PROP(lower_eq(json_string_value(v), enc));
		free(enc);
		free(bytes);
	} else
		PROP(is_rpc_error(&err) &&
		    (err.code == RPC_TYPE_ERROR ||
			err.code == RPC_INVALID_PARAMETER));

	rpc_error_clear(&err);
	if (rpc_parse_amount(v, &sat, &err) == 0) {
		PROP(sat >= 0 && sat <= MAX_MONEY);
		/* The amount as Core prints it reads back the same. */
		snprintf(buf, sizeof(buf), "%lld.%08lld",
		    (long long)(sat / COIN), (long long)(sat % COIN));
		j = json_string(buf);
		PROP(rpc_parse_amount(j, &sat2, &err) == 0 && sat2 == sat);
		json_decref(j);
	} else
		PROP(is_rpc_error(&err) && err.code == RPC_TYPE_ERROR);

	/* Known: jsonrpc-1.bin, a double out of int range cast to int. */
	if (!(skip_known && json_is_real(v) &&
		!(fabs(json_real_value(v)) < 2147483648.0)))
		(void)rpc_param_verbosity(v, 1);
	rpc_error_clear(&err);
}

/* Everything up to the handler; returns whether the handler would run. */
static int
walk(json_t *item, int *notification, struct rpc_error *err)
{
	const struct rpc_method *m;
	struct rpc_request rq;
	json_t *params, *v;
	const char *key;
	size_t i, n;
	int rc;

	*notification = 0;
	rpc_error_clear(err);
	if (rpc_request_parse(item, &rq, err) != 0) {
		PROP(is_rpc_error(err) && err->code == RPC_INVALID_REQUEST);
		return 0;
	}
	PROP(json_is_object(item));
	PROP(rq.method != NULL);
	PROP(rq.version == RPC_V1 || rq.version == RPC_V2);
	PROP(rq.id == json_object_get(item, "id"));
	PROP(rq.params == NULL || json_is_array(rq.params) ||
	    json_is_object(rq.params));
	*notification = rq.version == RPC_V2 && rq.id == NULL;

	if (json_is_array(rq.params)) {
		json_array_foreach (rq.params, i, v)
			check_param_value(v);
	} else if (json_is_object(rq.params)) {
		json_object_foreach (rq.params, key, v)
			check_param_value(v);
	}

	if ((m = rpc_method_find(rq.method)) == NULL)
		return 0;
	PROP(strcmp(m->name, rq.method) == 0);
	n = rpc_method_nargs(m);
	PROP(rpc_method_nrequired(m) <= n && n <= RPC_MAX_ARGS);
	if (rq.params == NULL)
		params = json_array();
	else if (json_is_object(rq.params)) {
		rpc_error_clear(err);
		params = rpc_named_to_positional(m, rq.params, err);
		if (params == NULL) {
			PROP(is_rpc_error(err) &&
			    err->code == RPC_INVALID_PARAMETER);
			return 0;
		}
		PROP(json_is_array(params));
	} else
		params = json_incref(rq.params);
	rpc_error_clear(err);
	rc = rpc_check_params(m, params, err);
	if (rc == 0)
		PROP(json_array_size(params) >= rpc_method_nrequired(m) &&
		    json_array_size(params) <= n);
	else
		PROP(is_rpc_error(err) &&
		    (err->code == RPC_MISC_ERROR ||
			err->code == RPC_TYPE_ERROR));
	json_decref(params);
	return rc == 0;
}

static int
walk_request(json_t *item, int *notification)
{
	struct rpc_error err = RPC_ERROR_INIT;
	int rc = walk(item, notification, &err);

	rpc_error_clear(&err);
	return rc;
}

/*
 * The Authorization header's base64 (auth.c), which is strict: what
 * decodes is the one canonical encoding of its bytes. And any bytes
 * encode to something that decodes back.
 */
static void
check_base64(const uint8_t *data, size_t size)
{
	char *s, *enc, *dec;
	size_t n, len, pad;

	s = malloc(size + 1);
	enc = malloc((size + 2) / 3 * 4 + 1);
	PROP(s != NULL && enc != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if ((dec = rpc_base64_decode(s, &n)) != NULL) {
		PROP(n <= strlen(s) / 4 * 3);
		rpc_base64_encode(dec, n, enc);
		len = strlen(s);
		pad = len > 0 && s[len - 1] == '=' ? 1 + (s[len - 2] == '=') :
						     0;
		/*
		 * Known: jsonrpc-2.bin, nonzero bits under the padding are
		 * accepted; then only the last character before it differs.
		 */
		if (skip_known && pad > 0)
			PROP(strncmp(enc, s, len - pad - 1) == 0);
		else
			PROP(strcmp(enc, s) == 0);
		free(dec);
	}
	rpc_base64_encode(data, size, enc);
	PROP(strlen(enc) == (size + 2) / 3 * 4);
	dec = rpc_base64_decode(enc, &n);
	PROP(dec != NULL && n == size && memcmp(dec, data, size) == 0);
	free(dec);
	free(enc);
	free(s);
}

static int
legacy_status(int code)
{
	if (code == RPC_INVALID_REQUEST)
		return 400;
	if (code == RPC_METHOD_NOT_FOUND)
		return 404;
	return 500;
}

/* Any reply: one of the statuses the server uses, and JSON when a body. */
static void
check_form(const struct rpc_http_reply *rep)
{
	json_t *r;

	PROP(rep->status == 200 || rep->status == 204 || rep->status == 400 ||
	    rep->status == 404 || rep->status == 500);
	if (rep->status == 204) {
		PROP(rep->body == NULL);
		return;
	}
	PROP(rep->body != NULL && rep->len > 0);
	/* Echoed numbers may be beyond jansson: read as the server reads. */
	r = rpc_json_parse(rep->body, rep->len);
	PROP(r != NULL);
	json_decref(r);
}

/*
 * One reply object: version 1 has result and error, one of them null;
 * version 2 has "jsonrpc" and exactly one of them. Returns the error code,
 * or 0 for a result.
 */
static int
check_reply(const json_t *o, const json_t *req_id)
{
	json_t *res, *e, *code, *msg, *ver, *id;
	int v2;

	PROP(json_is_object(o));
	res = json_object_get(o, "result");
	e = json_object_get(o, "error");
	ver = json_object_get(o, "jsonrpc");
	id = json_object_get(o, "id");
	v2 = ver != NULL;
	if (v2) {
		PROP(json_is_string(ver) &&
		    strcmp(json_string_value(ver), "2.0") == 0);
		PROP((res == NULL) != (e == NULL));
	} else
		PROP(res != NULL && e != NULL &&
		    (json_is_null(res) || json_is_null(e)));
	PROP(json_object_size(o) == (size_t)(2 + (id != NULL)));
	/* No id to echo: none, or null as Core writes for a parse error. */
	if (req_id != NULL)
		PROP(id != NULL && same_json(id, req_id));
	else
		PROP(id == NULL || json_is_null(id));
	if (e == NULL || json_is_null(e))
		return 0;
	code = json_object_get(e, "code");
	msg = json_object_get(e, "message");
	PROP(json_object_size(e) == 2 && json_is_integer(code) &&
	    json_is_string(msg) && json_string_length(msg) > 0);
	PROP(json_integer_value(code) != 0);
	return (int)json_integer_value(code);
}

static void
check_answer(const json_t *body, const struct rpc_http_reply *rep)
{
	struct rpc_request rq, carry;
	struct rpc_error err = RPC_ERROR_INIT;
	json_error_t je;
	json_t *r, *item, *req_id;
	size_t i, expect;
	int code;

	PROP(rep->status == 200 || rep->status == 204 || rep->status == 400 ||
	    rep->status == 404 || rep->status == 500);
	if (rep->status == 204) {
		PROP(rep->body == NULL);
		/* Only notifications go unanswered. */
		PROP(json_is_object(body) || json_is_array(body));
		return;
	}
	PROP(rep->body != NULL && rep->len > 0 &&
	    rep->len == strlen(rep->body) && rep->body[rep->len - 1] == '\n');
	r = json_loadb(rep->body, rep->len, 0, &je);
	PROP(r != NULL);

	if (body == NULL || (!json_is_object(body) && !json_is_array(body))) {
		/* Not a request at all: a legacy parse error. */
		PROP(rep->status == 500);
		PROP(check_reply(r, NULL) == RPC_PARSE_ERROR);
	} else if (json_is_object(body)) {
		req_id = json_object_get(body, "id");
		code = check_reply(r, req_id);
		if (json_object_get(r, "jsonrpc") == NULL)
			PROP(
			    rep->status == (code ? legacy_status(code) : 200));
		else
			PROP(rep->status == 200 ||
			    (rep->status == 400 &&
				code == RPC_INVALID_REQUEST));
	} else {
		PROP(rep->status == 200 && json_is_array(r));
		/*
		 * As Core: an element that is not an object is answered with
		 * the version and id of the element before it (none: 1.0 and
		 * id null), and a 2.0 element without an id, malformed or
		 * not, gets no answer.
		 */
		expect = 0;
		memset(&carry, 0, sizeof(carry));
		carry.version = RPC_V1;
		carry.id = json_null();
		json_array_foreach (body, i, item) {
			if (rpc_request_parse(item, &rq, &err) != 0 &&
			    !json_is_object(item)) {
				rq.version = carry.version;
				rq.id = carry.id;
			}
			carry = rq;
			if (rq.version == RPC_V2 && rq.id == NULL)
				continue;
			PROP(expect < json_array_size(r));
			(void)check_reply(json_array_get(r, expect), rq.id);
			expect++;
		}
		PROP(json_array_size(r) == expect);
	}
	rpc_error_clear(&err);
	json_decref(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_http_reply rep, rep2;
	struct rpc *r;
	json_error_t je;
	json_t *body, *item, *tolerant;
	size_t i;
	int notif, safe = 1, fast, rc;

	if (skip_known == -1)
		skip_known = getenv("FUZZ_SKIP_KNOWN") != NULL;
	if (size > 65536)
		return 0;
	check_base64(data, size);
	body = json_loadb((const char *)data, size, BODY_FLAGS, &je);
	/* A raw NUL is no JSON for the server (as UniValue); jansson may
	 * stop reading at it instead. */
	if (body != NULL && memchr(data, '\0', size) != NULL) {
		json_decref(body);
		body = NULL;
	}
	if (body != NULL) {
		check_writer(body);
		if (json_is_object(body)) {
			if (walk_request(body, &notif) &&
			    !runs_in_fuzzer(json_string_value(
				json_object_get(body, "method"))))
				safe = 0;
		} else if (json_is_array(body)) {
			json_array_foreach (body, i, item)
				if (walk_request(item, &notif) &&
				    !runs_in_fuzzer(json_string_value(
					json_object_get(item, "method"))))
					safe = 0;
		}
	}
	/*
	 * A long batch of getblock at verbosity 3 takes seconds under
	 * ASan: longer batches are walked, not executed, so that one input
	 * stays well within the run's timeout.
	 */
	if (json_is_array(body) && json_array_size(body) > MAX_BATCH_RUN)
		safe = 0;
	if (safe) {
		r = fuzz_rpc_env();
		rpc_execute_raw(r, (const char *)data, size, &rep);
		if (body == NULL &&
		    (tolerant = rpc_json_parse((const char *)data, size)) !=
			NULL) {
			/*
			 * jansson refuses what the server's own reader takes
			 * (numbers beyond int64 and double, \u0000): the
			 * model has no body, so only the reply's form is
			 * checked.
			 */
			json_decref(tolerant);
			check_form(&rep);
		} else
			check_answer(body, &rep);
		if (body != NULL) {
			/* The fast path answers the same, or declines. */
			fast = rpc_body_is_fast(body);
			rc = rpc_execute_body(r, body, 1, &rep2);
			PROP(rc == (fast ? 0 : 1));
			if (rc == 0 && !varies(body) && !id_as_written(body)) {
				PROP(rep2.status == rep.status);
				PROP((rep.body == NULL && rep2.body == NULL) ||
				    (rep.body && rep2.body &&
					strcmp(rep.body, rep2.body) == 0));
			}
			free(rep2.body);
		}
		free(rep.body);
	}
	json_decref(body);
	return 0;
}
