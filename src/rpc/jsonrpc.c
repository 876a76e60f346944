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
		json_object_set_new(o, "result", result ? result : json_null());
		if (rq->version == RPC_V1)
			json_object_set_new(o, "error", json_null());
	} else {
		json_decref(result);
		if (rq->version == RPC_V1)
			json_object_set_new(o, "result", json_null());
		e = json_object();
		json_object_set_new(e, "code", json_integer(err->code));
		json_object_set_new(e, "message", json_string(err->message));
		json_object_set_new(o, "error", e);
	}
	if (rq->id)
		json_object_set(o, "id", rq->id);
	return o;
}

/* Runs one parsed request; returns the result or NULL with *err. */
static json_t *
exec_one(struct rpc *r, const struct rpc_request *rq, struct rpc_error *err)
{
	const struct rpc_method *m = rpc_method_find(rq->method);
	struct rpc_ctx c;
	json_t *params, *res;
	uint64_t id = 0;

	if (r && !rpc_is_ready(r) && (m == NULL || !(m->flags & RPC_F_WARMUP))) {
		err->code = RPC_IN_WARMUP;
		rpc_warmup_message(r, err->message, sizeof(err->message));
		return NULL;
	}
	if (m == NULL)
		return rpc_fail(err, RPC_METHOD_NOT_FOUND, "Method not found");
	if (rq->params == NULL)
		params = json_array();
	else if (json_is_object(rq->params)) {
		params = rpc_named_to_positional(m, rq->params, err);
		if (params == NULL)
			return NULL;
	} else
		params = json_incref(rq->params);
	if (rpc_check_params(m, params, err) == -1) {
		json_decref(params);
		return NULL;
	}
	c.rpc = r;
	c.m = m;
	c.params = params;
	if (r)
		id = rpc_cmd_begin(r, m->name);
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

static int
error_status(int code)
{
	if (code == RPC_INVALID_REQUEST)
		return 400;
	if (code == RPC_METHOD_NOT_FOUND)
		return 404;
	return 500;
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
			return 1;	/* an error answer, cheap */
		m = rpc_method_find(json_string_value(meth));
		return m == NULL || (m->flags & RPC_F_FAST);
	}
	if (json_is_array(body)) {
		json_array_foreach(body, i, item)
			if (!rpc_body_is_fast(item))
				return 0;
	}
	return 1;
}

int
rpc_execute_body(struct rpc *r, json_t *body, int fast_only,
    struct rpc_http_reply *out)
{
	struct rpc_request rq;
	struct rpc_error err;
	json_t *res, *arr, *item;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (fast_only && !rpc_body_is_fast(body))
		return 1;
	if (json_is_object(body)) {
		if (rpc_request_parse(body, &rq, &err) == -1) {
			set_body(out, error_status(err.code),
			    rpc_reply_obj(&rq, NULL, &err));
			return 0;
		}
		res = exec_one(r, &rq, &err);
		if (is_notification(&rq)) {
			json_decref(res);
			out->status = 204;
			return 0;
		}
		if (res)
			set_body(out, 200, rpc_reply_obj(&rq, res, NULL));
		else if (rq.version == RPC_V2)
			set_body(out, 200, rpc_reply_obj(&rq, NULL, &err));
		else
			set_body(out, error_status(err.code),
			    rpc_reply_obj(&rq, NULL, &err));
		return 0;
	}
	if (json_is_array(body)) {
		arr = json_array();
		json_array_foreach(body, i, item) {
			if (rpc_request_parse(item, &rq, &err) == -1) {
				json_array_append_new(arr,
				    rpc_reply_obj(&rq, NULL, &err));
				continue;
			}
			res = exec_one(r, &rq, &err);
			if (is_notification(&rq)) {
				json_decref(res);
				continue;
			}
			json_array_append_new(arr, res ?
			    rpc_reply_obj(&rq, res, NULL) :
			    rpc_reply_obj(&rq, NULL, &err));
		}
		/* All notifications: no reply; an empty batch answers []. */
		if (json_array_size(arr) == 0 && json_array_size(body) > 0) {
			json_decref(arr);
			out->status = 204;
			return 0;
		}
		set_body(out, 200, arr);
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	rq.version = RPC_V1;
	rpc_fail(&err, RPC_PARSE_ERROR, "Top-level object parse error");
	set_body(out, 500, rpc_reply_obj(&rq, NULL, &err));
	return 0;
}

/* Whether arrays and objects nest deeper than Core allows. */
static int
too_deep(const char *data, size_t len)
{
	size_t i, depth = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_str = 0;
			continue;
		}
		switch (data[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > RPC_MAX_JSON_DEPTH)
				return 1;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return 0;
}

json_t *
rpc_json_parse(const char *data, size_t len)
{
	json_error_t jerr;

	if (too_deep(data, len))
		return NULL;
	return json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    &jerr);
}

void
rpc_execute_raw(struct rpc *r, const char *data, size_t len,
    struct rpc_http_reply *out)
{
	struct rpc_request rq;
	struct rpc_error err;
	json_t *body;

	body = rpc_json_parse(data, len);
	if (body == NULL) {
		memset(&rq, 0, sizeof(rq));
		rq.version = RPC_V1;
		rpc_fail(&err, RPC_PARSE_ERROR, "Parse error");
		memset(out, 0, sizeof(*out));
		set_body(out, 500, rpc_reply_obj(&rq, NULL, &err));
		return;
	}
	rpc_execute_body(r, body, 0, out);
	json_decref(body);
}
