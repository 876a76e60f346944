/*
 * JSON-RPC 1.0 and 2.0 as Bitcoin Core serves them.
 *
 * Version 2.0 is chosen by "jsonrpc": "2.0" in a request; then a method's
 * error is answered with HTTP 200, the reply echoes "jsonrpc" and omits the
 * null member, and a request without an id is a notification (executed,
 * not answered). Otherwise the legacy reply carries both "result" and
 * "error" and an error sets the HTTP status (400 invalid request, 404
 * unknown method, 500 anything else). Batches always answer 200.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/xmalloc.h"

int
rpc_request_parse(json_t *obj, struct rpc_request *rq, struct rpc_error *err)
{
	json_t *v, *m, *p;
	const char *s;

	memset(rq, 0, sizeof(*rq));
	rq->version = RPC_V1;
	if (!json_is_object(obj)) {
		rpc_fail(err, RPC_INVALID_REQUEST, "Invalid Request object");
		return -1;
	}
	/* The id first, so that later errors carry it. */
	rq->id = json_object_get(obj, "id");
	v = json_object_get(obj, "jsonrpc");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			rpc_fail(err, RPC_INVALID_REQUEST,
			    "jsonrpc field must be a string");
			return -1;
		}
		s = json_string_value(v);
		if (strcmp(s, "2.0") == 0)
			rq->version = RPC_V2;
		else if (strcmp(s, "1.0") != 0) {
			rpc_fail(err, RPC_INVALID_REQUEST,
			    "JSON-RPC version not supported");
			return -1;
		}
	}
	m = json_object_get(obj, "method");
	if (m == NULL || json_is_null(m)) {
		rpc_fail(err, RPC_INVALID_REQUEST, "Missing method");
		return -1;
	}
	if (!json_is_string(m)) {
		rpc_fail(err, RPC_INVALID_REQUEST, "Method must be a string");
		return -1;
	}
	rq->method = json_string_value(m);
	rq->method_nul = strlen(rq->method) != json_string_length(m);
	rq->dup_param = json_object_getn(obj, RPC_DUP_PARAM_KEY,
	    RPC_DUP_PARAM_KEYLEN);
	rq->dup_args = json_object_getn(obj, RPC_DUP_ARG_KEY,
	    RPC_DUP_ARG_KEYLEN);
	p = json_object_get(obj, "params");
	if (p == NULL || json_is_null(p))
		rq->params = NULL;
	else if (json_is_array(p) || json_is_object(p))
		rq->params = p;
	else {
		rpc_fail(err, RPC_INVALID_REQUEST,
		    "Params must be an array or object");
		return -1;
	}
	return 0;
}

static int
is_notification(const struct rpc_request *rq)
{
	return rq->version == RPC_V2 && rq->id == NULL;
}

json_t *
rpc_reply_obj(const struct rpc_request *rq, json_t *result,
    const struct rpc_error *err)
{
	json_t *o = json_object(), *e;

	if (rq->version == RPC_V2)
		json_object_set_new(o, "jsonrpc", json_string("2.0"));
	if (err == NULL) {
		json_object_set_new(o, "result",
		    result ? result : json_null());
		if (rq->version == RPC_V1)
			json_object_set_new(o, "error", json_null());
	} else {
		json_decref(result);
		if (rq->version == RPC_V1)
			json_object_set_new(o, "result", json_null());
		e = json_object();
		json_object_set_new(e, "code", json_integer(err->code));
		json_object_set_new(e, "message",
		    json_string(err->message ? err->message : ""));
		json_object_set_new(o, "error", e);
	}
	if (rq->id)
		json_object_set(o, "id", rq->id);
	return o;
}

/*
 * Whether a string in v holds \u0000. The handlers read strings as C
 * strings, which would end at the NUL and take "ab\u0000cd" for "ab";
 * such a parameter is refused instead (doc/rpc.md).
 */
static int
has_nul_string(const json_t *v, struct rpc_error *err)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_string(v) && !rpc_json_is_literal(v) &&
	    strlen(json_string_value(v)) != json_string_length(v)) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Invalid parameter: a string holds a NUL character");
		return 1;
	}
	if (json_is_array(v)) {
		json_array_foreach (v, i, x)
			if (has_nul_string(x, err))
				return 1;
	} else if (json_is_object(v)) {
		json_object_foreach ((json_t *)(uintptr_t)v, key, x)
			if (has_nul_string(x, err))
				return 1;
	}
	return 0;
}

/* Runs one parsed request; returns the result or NULL with *err. */
static json_t *
exec_one(struct rpc *r, const struct rpc_request *rq, struct rpc_error *err)
{
	const struct rpc_method *m = rq->method_nul ?
	    NULL :
	    rpc_method_find(rq->method);
	struct rpc_ctx c;
	json_t *params, *res;
	uint64_t id = 0;

	char warm[512];

	if (r && !rpc_is_ready(r) &&
	    (m == NULL || !(m->flags & RPC_F_WARMUP))) {
		rpc_warmup_message(r, warm, sizeof(warm));
		return rpc_fail(err, RPC_IN_WARMUP, "%s", warm);
	}
	if (m == NULL)
		return rpc_fail(err, RPC_METHOD_NOT_FOUND, "Method not found");
	if (rq->params == NULL)
		params = json_array();
	else if (json_is_object(rq->params)) {
		/* Core's transformNamedArguments checks this first. */
		if (json_is_string(rq->dup_param))
			return rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Parameter %s specified multiple times",
			    json_string_value(rq->dup_param));
		params = rpc_named_to_positional(m, rq->params, err);
		if (params == NULL)
			return NULL;
	} else
		params = json_incref(rq->params);
	if (rpc_check_params(m, params, err) == -1 ||
	    has_nul_string(params, err)) {
		json_decref(params);
		return NULL;
	}
	c.rpc = r;
	c.m = m;
	c.params = params;
	c.dup_args = rq->dup_args;
	if (rpc_owner_check(r, m, err) != 0) {
		json_decref(params);
		return NULL;
	}
	if (r)
		id = rpc_cmd_begin(r, m);
	res = m->fn(&c, err);
	if (r)
		rpc_cmd_end(r, id);
	json_decref(params);
	return res;
}

static void
set_body(struct rpc_http_reply *out, int status, json_t *reply)
{
	struct jout o = { NULL, 0, 0 };

	out->status = status;
	rpc_json_encode(&o, reply, 0);
	jout_puts(&o, "\n");
	out->body = o.p;
	out->len = o.len;
	json_decref(reply);
}

/*
 * set_body(rpc_reply_obj(rq, res, NULL)) without building the reply
 * object: the same members in the same order, through the same encoder.
 */
static void
set_result_body(struct rpc_http_reply *out, const struct rpc_request *rq,
    json_t *res)
{
	struct jout o = { NULL, 0, 0 };

	out->status = 200;
	jout_puts(&o,
	    rq->version == RPC_V2 ? "{\"jsonrpc\":\"2.0\",\"result\":" :
				    "{\"result\":");
	rpc_json_encode(&o, res, 0);
	if (rq->version == RPC_V1)
		jout_puts(&o, ",\"error\":null");
	if (rq->id) {
		jout_puts(&o, ",\"id\":");
		rpc_json_encode(&o, rq->id, 0);
	}
	jout_puts(&o, "}\n");
	out->body = o.p;
	out->len = o.len;
	json_decref(res);
}

static int
error_status(int code)
{
	if (code == RPC_INVALID_REQUEST)
		return 400;
	if (code == RPC_METHOD_NOT_FOUND)
		return 404;
	return 500;
}

size_t rpc_batch_reply_max = RPC_BATCH_REPLY_MAX;

/* Appends one batch answer to o (a ',' before all but the first). */
static void
batch_put(struct jout *o, size_t *nrep, json_t *reply)
{
	if ((*nrep)++ > 0)
		jout_puts(o, ",");
	rpc_json_encode(o, reply, 0);
	json_decref(reply);
}

int
rpc_body_is_fast(json_t *body)
{
	const struct rpc_method *m;
	json_t *item, *meth;
	size_t i;

	if (json_is_object(body)) {
		meth = json_object_get(body, "method");
		if (!json_is_string(meth))
			return 1; /* an error answer, cheap */
		m = rpc_method_find(json_string_value(meth));
		return m == NULL || (m->flags & RPC_F_FAST);
	}
	if (json_is_array(body)) {
		json_array_foreach (body, i, item)
			if (!rpc_body_is_fast(item))
				return 0;
	}
	return 1;
}

/* rpc_execute_body with the error struct its calls share. */
static int
execute_body(struct rpc *r, json_t *body, int fast_only,
    struct rpc_http_reply *out, struct rpc_error *err)
{
	struct rpc_request rq, carry;
	struct jout o = { NULL, 0, 0 };
	json_t *res, *item;
	size_t i, nrep = 0;

	memset(out, 0, sizeof(*out));
	if (fast_only && !rpc_body_is_fast(body))
		return 1;
	if (json_is_object(body)) {
		if (rpc_request_parse(body, &rq, err) == -1) {
			set_body(out, error_status(err->code),
			    rpc_reply_obj(&rq, NULL, err));
			return 0;
		}
		res = exec_one(r, &rq, err);
		if (is_notification(&rq)) {
			json_decref(res);
			out->status = 204;
			return 0;
		}
		if (res)
			set_result_body(out, &rq, res);
		else if (rq.version == RPC_V2)
			set_body(out, 200, rpc_reply_obj(&rq, NULL, err));
		else
			set_body(out, error_status(err->code),
			    rpc_reply_obj(&rq, NULL, err));
		return 0;
	}
	if (json_is_array(body)) {
		/*
		 * As Core, which parses every element into one request: an
		 * element that is not an object answers with the version and
		 * id of the element before it (a first one: 1.0, id null), and
		 * a 2.0 element without an id gets no answer even when it is
		 * malformed.
		 */
		memset(&carry, 0, sizeof(carry));
		carry.version = RPC_V1;
		carry.id = json_null();
		/*
		 * Each answer is encoded as soon as it is made and its tree
		 * freed: 2,000 getblock answers at verbosity 2 held as jansson
		 * trees took four times the memory of their text. Past
		 * RPC_BATCH_REPLY_MAX of text the remaining calls are not run.
		 */
		jout_puts(&o, "[");
		json_array_foreach (body, i, item) {
			if (rpc_request_parse(item, &rq, err) == -1) {
				if (!json_is_object(item)) {
					rq.version = carry.version;
					rq.id = carry.id;
				}
				carry = rq;
				if (!is_notification(&rq))
					batch_put(&o, &nrep,
					    rpc_reply_obj(&rq, NULL, err));
				continue;
			}
			carry = rq;
			if (is_notification(&rq) &&
			    o.len >= rpc_batch_reply_max)
				continue;
			if (o.len >= rpc_batch_reply_max) {
				rpc_fail(err, RPC_OUT_OF_MEMORY,
				    "Batch reply "
				    "over %zu MiB: not run; send the remaining "
				    "requests in another batch",
				    rpc_batch_reply_max >> 20);
				batch_put(&o, &nrep,
				    rpc_reply_obj(&rq, NULL, err));
				continue;
			}
			res = exec_one(r, &rq, err);
			if (is_notification(&rq)) {
				json_decref(res);
				continue;
			}
			batch_put(&o, &nrep,
			    res ? rpc_reply_obj(&rq, res, NULL) :
				  rpc_reply_obj(&rq, NULL, err));
		}
		/* All notifications: no reply; an empty batch answers []. */
		if (nrep == 0 && json_array_size(body) > 0) {
			jout_free(&o);
			out->status = 204;
			return 0;
		}
		jout_puts(&o, "]\n");
		out->status = 200;
		out->body = o.p;
		out->len = o.len;
		return 0;
	}
	/* Core answers with a null id: it has no request to take one from. */
	memset(&rq, 0, sizeof(rq));
	rq.version = RPC_V1;
	rq.id = json_null();
	rpc_fail(err, RPC_PARSE_ERROR, "Top-level object parse error");
	set_body(out, 500, rpc_reply_obj(&rq, NULL, err));
	return 0;
}

int
rpc_execute_body(struct rpc *r, json_t *body, int fast_only,
    struct rpc_http_reply *out)
{
	struct rpc_error err = RPC_ERROR_INIT;
	int rc;

	rc = execute_body(r, body, fast_only, out, &err);
	rpc_error_clear(&err);
	return rc;
}

void
rpc_execute_raw(struct rpc *r, const char *data, size_t len,
    struct rpc_http_reply *out)
{
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	json_t *body;

	body = rpc_json_parse(data, len);
	if (body == NULL) {
		memset(&rq, 0, sizeof(rq));
		rq.version = RPC_V1;
		rq.id = json_null();
		rpc_fail(&err, RPC_PARSE_ERROR, "Parse error");
		memset(out, 0, sizeof(*out));
		set_body(out, 500, rpc_reply_obj(&rq, NULL, &err));
		rpc_error_clear(&err);
		return;
	}
	rpc_execute_body(r, body, 0, out);
	json_decref(body);
}

/*
 * The fast path. getblockcount and getbestblockhash are what monitoring
 * polls, and for them parsing into jansson, building the reply object and
 * encoding it cost more than the LMDB read. The subset read here is
 * deliberately narrow: whatever it does not recognise is handed to the
 * general path, so malformed input gets exactly the usual errors.
 */

enum { FK_JSONRPC, FK_ID, FK_METHOD, FK_PARAMS };

#define FAST_ID_MAX 64	   /* longer string ids go the long way */
#define FAST_INT_DIGITS 18 /* fits int64 whatever the digits */

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string of printable ASCII without escapes (the encoder copies those). */
static int
fast_string(const char **pp, const char *e, const char **s, size_t *n)
{
	const char *p = *pp;
	unsigned char c;

	if (p >= e || *p != '"')
		return -1;
	*s = ++p;
	for (; p < e && *p != '"'; p++) {
		c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			return -1;
	}
	if (p >= e)
		return -1;
	*n = (size_t)(p - *s);
	*pp = p + 1;
	return 0;
}

static int
fast_null(const char **pp, const char *e)
{
	if (e - *pp >= 4 && memcmp(*pp, "null", 4) == 0) {
		*pp += 4;
		return 0;
	}
	return -1;
}

static int
fast_key(const char *s, size_t n)
{
	static const char *const keys[] = { "jsonrpc", "id", "method",
		"params" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
			return (int)i;
	return -1;
}

/* An integer id as jansson writes it back: no leading zeros, no "-0". */
static int
fast_int(const char **pp, const char *e, char *out, size_t cap)
{
	const char *p = *pp;
	long long v = 0;
	int neg = 0, digits = 0;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return -1;
	if (*p == '0' && p + 1 < e && p[1] >= '0' && p[1] <= '9')
		return -1;
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		if (++digits > FAST_INT_DIGITS)
			return -1;
		v = v * 10 + (*p - '0');
	}
	/* -0 and 1.5 are echoed as written: the general path keeps them. */
	if ((neg && v == 0) ||
	    (p < e && (*p == '.' || *p == 'e' || *p == 'E')))
		return -1;
	snprintf(out, cap, "%" JSON_INTEGER_FORMAT,
	    (json_int_t)(neg ? -v : v));
	*pp = p;
	return 0;
}

static int
fast_value(int key, const char **pp, const char *e, struct rpc_fast_req *fr)
{
	const char *s;
	size_t n;

	switch (key) {
	case FK_JSONRPC:
		if (fast_null(pp, e) == 0)
			return 0;
		if (fast_string(pp, e, &s, &n) == -1 || n != 3)
			return -1;
		if (memcmp(s, "2.0", 3) == 0)
			fr->version = RPC_V2;
		else if (memcmp(s, "1.0", 3) != 0)
			return -1;
		return 0;
	case FK_ID:
		fr->has_id = 1;
		if (fast_null(pp, e) == 0) {
			memcpy(fr->id, "null", 5);
			return 0;
		}
		if (*pp < e && **pp == '"') {
			if (fast_string(pp, e, &s, &n) == -1 ||
			    n > FAST_ID_MAX)
				return -1;
			fr->id[0] = '"';
			memcpy(fr->id + 1, s, n);
			fr->id[n + 1] = '"';
			fr->id[n + 2] = '\0';
			return 0;
		}
		return fast_int(pp, e, fr->id, sizeof(fr->id));
	case FK_METHOD:
		if (fast_string(pp, e, &s, &n) == -1 ||
		    n >= sizeof(fr->method))
			return -1;
		memcpy(fr->method, s, n);
		fr->method[n] = '\0';
		return 0;
	case FK_PARAMS:
		if (fast_null(pp, e) == 0)
			return 0;
		if (*pp >= e || **pp != '[')
			return -1;
		*pp = skip_ws(*pp + 1, e);
		if (*pp < e && **pp == '"') {
			if (fast_string(pp, e, &s, &n) == -1 ||
			    n >= sizeof(fr->param))
				return -1;
			memcpy(fr->param, s, n);
			fr->param[n] = '\0';
			fr->has_param = 1;
			*pp = skip_ws(*pp, e);
		}
		if (*pp >= e || **pp != ']')
			return -1;
		(*pp)++;
		return 0;
	}
	return -1;
}

int
rpc_fast_parse(const char *data, size_t len, struct rpc_fast_req *fr)
{
	const char *p = data, *e = data + len, *s;
	unsigned int seen = 0;
	size_t n;
	int key;

	memset(fr, 0, sizeof(*fr));
	fr->version = RPC_V1;
	p = skip_ws(p, e);
	if (p >= e || *p++ != '{')
		return -1;
	for (;;) {
		p = skip_ws(p, e);
		if (fast_string(&p, e, &s, &n) == -1)
			return -1;
		/* Unknown or repeated members: the general path decides. */
		if ((key = fast_key(s, n)) == -1 || (seen & (1u << key)))
			return -1;
		seen |= 1u << key;
		p = skip_ws(p, e);
		if (p >= e || *p++ != ':')
			return -1;
		p = skip_ws(p, e);
		if (fast_value(key, &p, e, fr) == -1)
			return -1;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p < e && *p == '}') {
			p++;
			break;
		}
		return -1;
	}
	if (skip_ws(p, e) != e || !(seen & (1u << FK_METHOD)))
		return -1;
	if (fr->version == RPC_V2 && !fr->has_id)
		return -1;
	return 0;
}

void
rpc_fast_head(const struct rpc_fast_req *fr, struct jout *o)
{
	/* Member order as rpc_reply_obj inserts them. */
	jout_puts(o,
	    fr->version == RPC_V2 ? "{\"jsonrpc\":\"2.0\",\"result\":" :
				    "{\"result\":");
}

void
rpc_fast_tail(const struct rpc_fast_req *fr, struct jout *o)
{
	if (fr->version == RPC_V1)
		jout_puts(o, ",\"error\":null");
	if (fr->has_id) {
		jout_puts(o, ",\"id\":");
		jout_puts(o, fr->id);
	}
	jout_puts(o, "}\n");
}

/* The tip's height or hash as encoded JSON text, or -1 (general path). */
static int
fast_tip(struct rpc *r, int count, char res[72])
{
	struct store_rtxn *t;
	uint8_t hash[32];
	int32_t height;
	int rc;

	/* One short read transaction, as the method itself takes. */
	if (store_read_begin(rpc_shared(r)->store, &t) != STORE_OK)
		return -1;
	rc = store_get_tip(t, hash, &height);
	store_read_end(t);
	if (rc != STORE_OK || height < 0)
		return -1;
	if (count)
		snprintf(res, 72, "%" JSON_INTEGER_FORMAT, (json_int_t)height);
	else {
		res[0] = '"';
		hash_to_hex(hash, res + 1);
		memcpy(res + 65, "\"", 2);
	}
	return 0;
}

/* Runs m with fr's parameters as exec_one would; NULL: go the long way. */
static json_t *
fast_call(struct rpc *r, const struct rpc_method *m,
    const struct rpc_fast_req *fr)
{
	struct rpc_error err = RPC_ERROR_INIT;
	struct rpc_ctx c;
	json_t *params, *res = NULL;
	uint64_t id;

	params = json_array();
	if (fr->has_param)
		json_array_append_new(params, json_string(fr->param));
	if (rpc_check_params(m, params, &err) == -1)
		goto out;
	c.rpc = r;
	c.m = m;
	c.params = params;
	c.dup_args = NULL; /* the fast path takes no objects */
	if (rpc_owner_check(r, m, &err) != 0)
		goto out;
	id = rpc_cmd_begin(r, m);
	res = m->fn(&c, &err);
	rpc_cmd_end(r, id);
out:
	json_decref(params);
	rpc_error_clear(&err);
	return res;
}

int
rpc_fast_execute(struct rpc *r, const char *data, size_t len, struct jout *o)
{
	struct rpc_fast_req fr;
	const struct rpc_method *m;
	char res[72];
	json_t *v;
	uint64_t id;
	int count, rc;

	if (rpc_fast_parse(data, len, &fr) == -1)
		return 0;
	/* The warm-up answer and its message come from the general path. */
	if (!rpc_is_ready(r) || (m = rpc_method_find(fr.method)) == NULL)
		return 0;
	if (strcmp(m->name, "getblockheader") == 0) {
		/* Read-only: when it fails the general path reruns it. */
		if ((v = fast_call(r, m, &fr)) == NULL)
			return 0;
		rpc_fast_head(&fr, o);
		rpc_json_encode(o, v, 0);
		rpc_fast_tail(&fr, o);
		json_decref(v);
		return 1;
	}
	if (strcmp(m->name, "getblockcount") == 0)
		count = 1;
	else if (strcmp(m->name, "getbestblockhash") == 0)
		count = 0;
	else
		return 0;
	if (fr.has_param)
		return 0; /* the arity error comes from the general path */
	id = rpc_cmd_begin(r, m);
	rc = fast_tip(r, count, res);
	rpc_cmd_end(r, id);
	if (rc == -1)
		return 0;
	rpc_fast_head(&fr, o);
	jout_puts(o, res);
	rpc_fast_tail(&fr, o);
	return 1;
}
