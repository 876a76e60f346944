/*
 * The RPC module without a server: request parsing, JSON-RPC 1.0/2.0
 * replies and HTTP statuses, batches and notifications, named parameters,
 * arity and type checks, Core's JSON output format, rpcauth with a vector
 * from Bitcoin Core's rpc_users test, base64 and -rpcallowip subnets.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/xmalloc.h"
#include "unit.h"

/* Runs a raw body with no server (only table checks and echo/help work). */
static int
run(const char *body, char **out)
{
	struct rpc_http_reply rep;

	rpc_execute_raw(NULL, body, strlen(body), &rep);
	*out = rep.body;
	return rep.status;
}

static void
test_single_v1(void)
{
	char *b;

	CHECK_EQ_INT(run("{\"method\":\"echo\",\"params\":[1,\"a\"],\"id\":7}",
			 &b),
	    200);
	CHECK_EQ_STR(b, "{\"result\":[1,\"a\"],\"error\":null,\"id\":7}\n");
	free(b);
	/* Legacy errors set the HTTP status. */
	CHECK_EQ_INT(run("{\"method\":\"nosuch\",\"id\":\"x\"}", &b), 404);
	CHECK_EQ_STR(b,
	    "{\"result\":null,\"error\":{\"code\":-32601,"
	    "\"message\":\"Method not found\"},\"id\":\"x\"}\n");
	free(b);
	/* No id: none in the reply. */
	CHECK_EQ_INT(run("{\"method\":\"echo\"}", &b), 200);
	CHECK_EQ_STR(b, "{\"result\":[],\"error\":null}\n");
	free(b);
	/* "jsonrpc": "1.0" is legacy too. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":1}",
			 &b),
	    200);
	CHECK_EQ_STR(b, "{\"result\":[],\"error\":null,\"id\":1}\n");
	free(b);
}

static void
test_single_v2(void)
{
	char *b;

	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			 "\"params\":[true],\"id\":1}",
			 &b),
	    200);
	CHECK_EQ_STR(b, "{\"jsonrpc\":\"2.0\",\"result\":[true],\"id\":1}\n");
	free(b);
	/* 2.0: a method error is still HTTP 200, and "result" is omitted. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\","
			 "\"id\":null}",
			 &b),
	    200);
	CHECK_EQ_STR(b,
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,"
	    "\"message\":\"Method not found\"},\"id\":null}\n");
	free(b);
	/* A notification runs but gets no answer. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}", &b),
	    204);
	CHECK(b == NULL);
	/* Invalid requests are HTTP errors even in 2.0. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"id\":3}", &b), 400);
	CHECK_EQ_STR(b,
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,"
	    "\"message\":\"Missing method\"},\"id\":3}\n");
	free(b);
}

static void
test_bad_requests(void)
{
	static const struct {
		const char *body;
		int status;
		const char *msg;
	} v[] = {
		{ "{", 500, "Parse error" },
		{ "", 500, "Parse error" },
		{ "{\"method\":\"echo\"} x", 500, "Parse error" },
		{ "5", 500, "Top-level object parse error" },
		{ "\"s\"", 500, "Top-level object parse error" },
		{ "{\"method\":1}", 400, "Method must be a string" },
		{ "{\"method\":\"echo\",\"params\":3}", 400,
		    "Params must be an array or object" },
		{ "{\"jsonrpc\":2,\"method\":\"echo\"}", 400,
		    "jsonrpc field must be a string" },
		{ "{\"jsonrpc\":\"3.0\",\"method\":\"echo\"}", 400,
		    "JSON-RPC version not supported" },
		/* Dropping a repeated member must not hide bad syntax. */
		{ "{\"method\":\"echo\",\"id\":1,\"id\":}", 500,
		    "Parse error" },
		{ "{\"method\":\"echo\",\"id\":1,\"id\":[1,}", 500,
		    "Parse error" },
		/* A number rewritten between the ',' and a repeated key (found
		 * by fuzz_jsonrpc: the drop once began before copied text). */
		{ "{\"a\":1, 1e999 \"a\":2}", 500, "Parse error" },
	};
	size_t i;
	char *b, want[256];

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK_EQ_INT(run(v[i].body, &b), v[i].status);
		snprintf(want, sizeof(want), "\"message\":\"%s\"", v[i].msg);
		CHECK(b && strstr(b, want) != NULL);
		free(b);
	}
}

static void
test_batch(void)
{
	char *b;

	CHECK_EQ_INT(
	    run("[{\"method\":\"echo\",\"params\":[1],\"id\":1},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":2},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
		"7]",
		&b),
	    200);
	/*
	 * As Core 28: the 7 is parsed into the request object the 2.0
	 * notification before it left behind, so it is a notification too.
	 */
	CHECK_EQ_STR(b,
	    "[{\"result\":[1],\"error\":null,\"id\":1},"
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
	    "\"Method not found\"},\"id\":2}]\n");
	free(b);
	/* First: legacy with id null. After an element: its version and id. */
	CHECK_EQ_INT(run("[7,{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			 "\"id\":\"a\"},8]",
			 &b),
	    200);
	CHECK_EQ_STR(b,
	    "[{\"result\":null,\"error\":{\"code\":-32600,"
	    "\"message\":\"Invalid Request object\"},\"id\":null},"
	    "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":\"a\"},"
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":"
	    "\"Invalid Request object\"},\"id\":\"a\"}]\n");
	free(b);
	/* Only notifications: no reply. An empty batch answers []. */
	CHECK_EQ_INT(run("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}]", &b),
	    204);
	CHECK(b == NULL);
	CHECK_EQ_INT(run("[]", &b), 200);
	CHECK_EQ_STR(b, "[]\n");
	free(b);
}

static json_t *
named(const char *method, const char *obj, struct rpc_error *err)
{
	json_error_t je;
	json_t *o = json_loads(obj, 0, &je), *r;

	r = rpc_named_to_positional(rpc_method_find(method), o, err);
	json_decref(o);
	return r;
}

static void
check_named(const char *method, const char *obj, const char *want)
{
	struct rpc_error err = RPC_ERROR_INIT;
	json_t *r = named(method, obj, &err);
	char *s;

	CHECK(r != NULL);
	if (r == NULL) {
		fprintf(stderr, "  %s %s: %s\n", method, obj, err.message);
		rpc_error_clear(&err);
		return;
	}
	s = rpc_json_dumps(r, 0);
	CHECK_EQ_STR(s, want);
	free(s);
	json_decref(r);
}

static void
check_named_err(const char *method, const char *obj, const char *msg)
{
	struct rpc_error err = RPC_ERROR_INIT;
	json_t *r = named(method, obj, &err);

	CHECK(r == NULL);
	json_decref(r);
	CHECK_EQ_INT(err.code, RPC_INVALID_PARAMETER);
	CHECK_EQ_STR(err.message, msg);
	rpc_error_clear(&err);
}

static void
test_named_params(void)
{
	check_named("getblock", "{\"blockhash\":\"h\",\"verbosity\":2}",
	    "[\"h\",2]");
	/* Aliases: verbosity|verbose. */
	check_named("getblock", "{\"verbose\":false,\"blockhash\":\"h\"}",
	    "[\"h\",false]");
	/* Holes before a given parameter are nulls; trailing ones vanish. */
	check_named("gettxout", "{\"txid\":\"t\",\"include_mempool\":false}",
	    "[\"t\",null,false]");
	check_named("gettxout", "{\"txid\":\"t\"}", "[\"t\"]");
	check_named("getblockcount", "{}", "[]");
	/* "args" supplies the leading positional values. */
	check_named("gettxout",
	    "{\"args\":[\"t\",1],\"include_mempool\":true}", "[\"t\",1,true]");
	check_named("gettxout", "{\"args\":[\"t\"]}", "[\"t\"]");
	check_named_err("gettxout",
	    "{\"args\":[\"t\",1,true],"
	    "\"include_mempool\":false}",
	    "Parameter include_mempool specified "
	    "twice both as positional and named argument");
	check_named_err("getblockcount", "{\"foo\":1}",
	    "Unknown named parameter foo");
	check_named_err("getblock", "{\"blockhash\":\"h\",\"bogus\":1}",
	    "Unknown named parameter bogus");
}

static void
test_arity_and_types(void)
{
	char *b;

	/* Too few: Core answers the help text with code -1. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"getblockhash\","
			 "\"id\":1}",
			 &b),
	    200);
	CHECK(b &&
	    strstr(b, "\"code\":-1,\"message\":\"getblockhash height\\n") !=
		NULL);
	free(b);
	/* Too many. */
	CHECK_EQ_INT(run("{\"method\":\"getblockcount\",\"params\":[1],"
			 "\"id\":1}",
			 &b),
	    500);
	CHECK(b && strstr(b, "\"code\":-1,") != NULL);
	free(b);
	/* Wrong type, Core's message. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"getblockhash\","
			 "\"params\":[\"x\"],\"id\":1}",
			 &b),
	    200);
	CHECK_EQ_STR(b,
	    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-3,"
	    "\"message\":\"Wrong type passed:\\n{\\n    \\\"Position 1 "
	    "(height)\\\": \\\"JSON value of type string is not of expected "
	    "type number\\\"\\n}\"},\"id\":1}\n");
	free(b);
	/* A required argument given as null is a type error too. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"getblockhash\","
			 "\"params\":[null],\"id\":1}",
			 &b),
	    200);
	CHECK(b && strstr(b, "of type null is not of expected type number"));
	free(b);
	/* Named parameters go through the same checks. */
	CHECK_EQ_INT(run("{\"jsonrpc\":\"2.0\",\"method\":\"getblockhash\","
			 "\"params\":{\"nope\":1},\"id\":1}",
			 &b),
	    200);
	CHECK(b &&
	    strstr(b,
		"\"code\":-8,\"message\":\"Unknown named "
		"parameter nope\""));
	free(b);
}

static void
test_help(void)
{
	char *s, *b;

	s = rpc_help_text(rpc_method_find("getblockhash"));
	CHECK(strncmp(s, "getblockhash height\n\nReturns hash of block", 41) ==
	    0);
	CHECK(strstr(s, "Arguments:\n1. height") != NULL);
	CHECK(strstr(s, "(numeric, required) The height index") != NULL);
	CHECK(strstr(s, "Examples:\n> bitroot-cli getblockhash 1000") != NULL);
	free(s);
	s = rpc_help_text(rpc_method_find("getblock"));
	CHECK(strncmp(s, "getblock \"blockhash\" ( verbosity )\n", 35) == 0);
	free(s);
	s = rpc_help_list(NULL);
	CHECK(strncmp(s, "== Blockchain ==\n", 17) == 0);
	CHECK(strstr(s, "\n== Network ==\n") != NULL);
	CHECK(strstr(s, "gettxout \"txid\" n ( include_mempool )\n") != NULL);
	CHECK(strstr(s, "setmocktime") == NULL); /* hidden */
	free(s);
	CHECK_EQ_INT(
	    run("{\"method\":\"help\",\"params\":[\"nosuch\"],\"id\":1}", &b),
	    200);
	CHECK_EQ_STR(b,
	    "{\"result\":\"help: unknown command: nosuch\","
	    "\"error\":null,\"id\":1}\n");
	free(b);
}

static void
test_table(void)
{
	size_t i, j, n = rpc_method_count();
	const struct rpc_method *m, *prev = NULL;
	static const char *const expected[] = {
		"getblockchaininfo",
		"getblockcount",
		"getbestblockhash",
		"getblockhash",
		"getblockheader",
		"getblock",
		"getchaintips",
		"getdifficulty",
		"gettxout",
		"gettxoutsetinfo",
		"dumptxoutset",
		"getchaintxstats",
		"getdeploymentinfo",
		"verifychain",
		"getmempoolinfo",
		"getrawmempool",
		"waitfornewblock",
		"waitforblock",
		"waitforblockheight",
		"invalidateblock",
		"reconsiderblock",
		"preciousblock",
		"scantxoutset",
		"getpeerinfo",
		"getconnectioncount",
		"getnettotals",
		"getnetworkinfo",
		"addnode",
		"disconnectnode",
		"getaddednodeinfo",
		"setban",
		"listbanned",
		"clearbanned",
		"ping",
		"setnetworkactive",
		"getnodeaddresses",
		"addpeeraddress",
		"generatetoaddress",
		"generateblock",
		"generatetodescriptor",
		"submitblock",
		"submitheader",
		"getblocktemplate",
		"getmininginfo",
		"getnetworkhashps",
		"getrawtransaction",
		"decoderawtransaction",
		"decodescript",
		"createrawtransaction",
		"sendrawtransaction",
		"testmempoolaccept",
		"help",
		"stop",
		"uptime",
		"getrpcinfo",
		"logging",
		"getmemoryinfo",
		"validateaddress",
		"getdescriptorinfo",
		"echo",
		"echojson",
		"setmocktime",
		"syncwithvalidationinterfacequeue",
		"addconnection",
		"getblockstats",
		"gettxoutproof",
		"verifytxoutproof",
		"createmultisig",
		"deriveaddresses",
		"signmessagewithprivkey",
		"verifymessage",
		"gettxspendingprevout",
		"generate",
		"signrawtransactionwithkey",
		"combinerawtransaction",
	};

	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		m = rpc_method_find(expected[i]);
		CHECK(m != NULL);
		if (m == NULL)
			fprintf(stderr, "  missing %s\n", expected[i]);
	}
	for (i = 0; i < n; i++) {
		m = rpc_method_at(i);
		CHECK(m->fn != NULL && m->category && m->desc);
		if (prev)
			CHECK(strcmp(prev->name, m->name) < 0);
		/* Required arguments come first. */
		for (j = rpc_method_nrequired(m); j < rpc_method_nargs(m); j++)
			CHECK(!m->args[j].required);
		prev = m;
	}
	CHECK(rpc_method_find("nosuch") == NULL);
}

static void
test_json_format(void)
{
	json_t *o = json_object(), *a = json_array();
	char *s;

	json_array_append_new(a, rpc_amount(1));
	json_array_append_new(a, rpc_amount(5000000000LL));
	json_array_append_new(a, rpc_amount(-123456789));
	json_array_append_new(a, rpc_amount(0));
	json_array_append_new(a, json_real(4.656542373906925e-10));
	json_array_append_new(a, json_real(1.0));
	json_array_append_new(a, json_string("q\"\\/\n\x01\x7f"));
	s = rpc_json_dumps(a, 0);
	CHECK_EQ_STR(s,
	    "[0.00000001,50.00000000,-1.23456789,0.00000000,"
	    "4.656542373906925e-10,1,\"q\\\"\\\\/\\n\\u0001\\u007f\"]");
	free(s);
	/* Core's pretty layout, empty containers included. */
	json_object_set_new(o, "a", json_integer(1));
	json_object_set_new(o, "e", json_object());
	json_object_set_new(o, "l", json_array());
	json_object_set_new(o, "n", json_pack("[i,{s:b}]", 2, "x", 1));
	s = rpc_json_dumps(o, 2);
	CHECK_EQ_STR(s,
	    "{\n  \"a\": 1,\n  \"e\": {\n  },\n  \"l\": [\n  ],\n"
	    "  \"n\": [\n    2,\n    {\n      \"x\": true\n    }\n  ]\n}");
	free(s);
	s = rpc_json_dumps(json_array_get(a, 3), 2);
	CHECK_EQ_STR(s, "0.00000000");
	free(s);
	json_decref(o);
	json_decref(a);
	/* A string that merely starts with NUL but is not a number stays a string. */
	a = json_stringn("\0x", 2);
	s = rpc_json_dumps(a, 0);
	CHECK_EQ_STR(s, "\"\\u0000x\"");
	free(s);
	json_decref(a);
}

/* bitroot-cli prints replies again with the server's number literals. */
static void
test_json_load_literal(void)
{
	static const char text[] =
	    " {\"a\": 50.00000000, \"b\": [1e-05, -0, "
	    "2.50E+3, true, false, null, \"x\\u00e9\\n\\\"\"], \"c\": {}, "
	    "\"d\": []}";
	json_error_t e;
	json_t *v;
	char *s;

	v = rpc_json_load_literal(text, strlen(text), &e);
	CHECK(v != NULL);
	CHECK(rpc_json_is_literal(json_object_get(v, "a")));
	CHECK(
	    !rpc_json_is_literal(json_array_get(json_object_get(v, "b"), 6)));
	CHECK_EQ_STR(json_string_value(
			 json_array_get(json_object_get(v, "b"), 6)),
	    "x\xc3\xa9\n\"");
	s = rpc_json_dumps(v, 0);
	CHECK_EQ_STR(s,
	    "{\"a\":50.00000000,\"b\":[1e-05,-0,2.50E+3,true,"
	    "false,null,\"x\xc3\xa9\\n\\\"\"],\"c\":{},\"d\":[]}");
	free(s);
	json_decref(v);
	/* any value, not only a container */
	v = rpc_json_load_literal("0.10", 4, NULL);
	s = rpc_json_dumps(v, 2);
	CHECK_EQ_STR(s, "0.10");
	free(s);
	json_decref(v);
	/* not JSON: refused, as json_loadb refuses it */
	CHECK(rpc_json_load_literal("[1,", 3, &e) == NULL);
	CHECK(rpc_json_load_literal("01", 2, &e) == NULL);
	v = json_string("1");
	CHECK(!rpc_json_is_literal(v));
	json_decref(v);
}

static void
test_amount_parse(void)
{
	static const struct {
		const char *json;
		int ok;
		long long sat;
	} v[] = {
		{ "1", 1, 100000000 },
		{ "0.00000001", 1, 1 },
		{ "\"0.1\"", 1, 10000000 },
		{ "\"1e-8\"", 1, 1 },
		{ "21000000", 1, 2100000000000000LL },
		{ "0.000000001", 0, 0 },
		{ "\"0.000000001\"", 0, 0 },
		{ "-1", 0, 0 },
		{ "21000001", 0, 0 },
		{ "\"abc\"", 0, 0 },
		{ "true", 0, 0 },
		{ "\"01\"", 0, 0 },
	};
	struct rpc_error err = RPC_ERROR_INIT;
	json_error_t je;
	int64_t sat;
	size_t i;
	json_t *j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		j = json_loads(v[i].json, JSON_DECODE_ANY, &je);
		CHECK(j != NULL);
		sat = -1;
		CHECK_EQ_INT(rpc_parse_amount(j, &sat, &err) == 0, v[i].ok);
		if (v[i].ok)
			CHECK_EQ_INT(sat, v[i].sat);
		else
			CHECK_EQ_INT(err.code, RPC_TYPE_ERROR);
		json_decref(j);
	}
	rpc_error_clear(&err);
}

static void
test_hash_param(void)
{
	struct rpc_error err = RPC_ERROR_INIT;
	uint8_t h[32];
	json_t *j;

	j = json_string("abc");
	CHECK_EQ_INT(rpc_parse_hash(j, "blockhash", h, &err), -1);
	CHECK_EQ_INT(err.code, RPC_INVALID_PARAMETER);
	CHECK_EQ_STR(err.message,
	    "blockhash must be of length 64 (not 3, for 'abc')");
	json_decref(j);
	j = json_string("zz00000000000000000000000000000000000000000000000000"
			"000000000000");
	CHECK_EQ_INT(rpc_parse_hash(j, "txid", h, &err), -1);
	CHECK(strncmp(err.message, "txid must be hexadecimal string (not 'zz",
		  40) == 0);
	json_decref(j);
	rpc_error_clear(&err);
	j = json_string(
	    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a"
	    "11466e2206");
	CHECK_EQ_INT(rpc_parse_hash(j, "h", h, &err), 0);
	/* Shown reversed: the first displayed byte is the last internal one. */
	CHECK_EQ_INT(h[31], 0x0f);
	CHECK_EQ_INT(h[0], 0x06);
	json_decref(j);
	rpc_error_clear(&err);
}

/*
 * An error message has no length limit, as Core's: a 5,000-character
 * argument is quoted whole (it used to be cut at 511 bytes), here and
 * through the whole request path.
 */
static void
test_long_error_message(void)
{
	struct rpc_error err = RPC_ERROR_INIT;
	size_t n = 5000;
	char *arg = xmalloc(n + 1), *want, *body, *b;
	uint8_t h[32];
	json_t *j;

	memset(arg, 'z', n);
	arg[n] = '\0';
	j = json_string(arg);
	CHECK_EQ_INT(rpc_parse_hash(j, "blockhash", h, &err), -1);
	want = xasprintf("blockhash must be of length 64 (not %zu, for '%s')",
	    n, arg);
	CHECK_EQ_STR(err.message, want);
	/* A second failure replaces the message (the first is freed). */
	rpc_fail(&err, RPC_MISC_ERROR, "again: %s", err.message);
	CHECK_EQ_INT(strlen(err.message), strlen(want) + 7);
	rpc_error_clear(&err);
	CHECK(err.message == NULL);
	json_decref(j);
	free(want);
	body = xasprintf("{\"method\":\"getblockheader\",\"params\":"
			 "[\"%s\"],\"id\":1}",
	    arg);
	CHECK_EQ_INT(run(body, &b), 500);
	want = xasprintf("{\"result\":null,\"error\":{\"code\":-8,\"message\":"
			 "\"hash must be of length 64 (not %zu, for '%s')\"},"
			 "\"id\":1}\n",
	    n, arg);
	CHECK_EQ_STR(b ? b : "", want);
	free(b);
	free(want);
	free(body);
	free(arg);
}

static void
test_rpcauth(void)
{
	/* From Bitcoin Core's rpc_users.py. */
	const char *entry =
	    "rt:93648e835a54c573682c2eb19f882535$"
	    "7681e9c5b74bdd85e78166031d2058e1069b3ed7ed967c93fc63abba06f31144";
	const char *pw = "cA773lm788buwYe4g4WT+05pKyNruVKjQ25x3n0DQcM=";

	CHECK_EQ_INT(rpc_auth_entry_valid(entry), 0);
	CHECK_EQ_INT(rpc_auth_entry_matches(entry, "rt", pw), 1);
	CHECK_EQ_INT(rpc_auth_entry_matches(entry, "rt", "wrong"), 0);
	CHECK_EQ_INT(rpc_auth_entry_matches(entry, "rt2", pw), 0);
	CHECK_EQ_INT(rpc_auth_entry_matches(entry, "r", pw), 0);
	CHECK_EQ_INT(rpc_auth_entry_valid("user"), -1);
	CHECK_EQ_INT(rpc_auth_entry_valid("user:saltnohash"), -1);
	CHECK_EQ_INT(rpc_auth_entry_valid("u:s$h$x"), -1);
	CHECK_EQ_INT(rpc_auth_entry_valid("u:x:s$h"), -1);
}

static void
test_base64(void)
{
	char out[64], *d;
	size_t n;

	rpc_base64_encode("user:pass", 9, out);
	CHECK_EQ_STR(out, "dXNlcjpwYXNz");
	rpc_base64_encode("ab", 2, out);
	CHECK_EQ_STR(out, "YWI=");
	d = rpc_base64_decode("dXNlcjpwYXNz", &n);
	CHECK_EQ_STR(d, "user:pass");
	CHECK_EQ_INT(n, 9);
	free(d);
	d = rpc_base64_decode("YWI=", &n);
	CHECK_EQ_STR(d, "ab");
	free(d);
	CHECK(rpc_base64_decode("YWI", &n) == NULL);
	CHECK(rpc_base64_decode("Y=WI", &n) == NULL);
	CHECK(rpc_base64_decode("YW!=", &n) == NULL);
}

static struct sockaddr_in
sa4(const char *ip)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &s.sin_addr);
	return s;
}

static struct sockaddr_in6
sa6(const char *ip)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &s.sin6_addr);
	return s;
}

static void
test_allowip(void)
{
	struct rpc_subnet n;
	struct sockaddr_in a;
	struct sockaddr_in6 b;
	static const char *const bad[] = {
		"",
		"foo",
		"1.2.3.4/33",
		"1.2.3.4/",
		"1.2.3.0/255.0.255.0",
		"1.2.3.4/-1",
		"::1/129",
		"1.2.3.4/ffff::",
		"1.2.3.4/24x",
		"*",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(rpc_subnet_parse(bad[i], &n), -1);

	CHECK_EQ_INT(rpc_subnet_parse("1.2.3.4", &n), 0);
	a = sa4("1.2.3.4");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	a = sa4("1.2.3.5");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));

	CHECK_EQ_INT(rpc_subnet_parse("10.1.0.0/16", &n), 0);
	a = sa4("10.1.200.3");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	a = sa4("10.2.0.1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));
	/* An IPv4 client on a dual-stack socket arrives v4-mapped. */
	b = sa6("::ffff:10.1.2.3");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&b));

	CHECK_EQ_INT(rpc_subnet_parse("192.168.7.9/255.255.255.0", &n), 0);
	a = sa4("192.168.7.200");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	a = sa4("192.168.8.1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));

	CHECK_EQ_INT(rpc_subnet_parse("0.0.0.0/0", &n), 0);
	a = sa4("8.8.8.8");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	b = sa6("2001:db8::1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&b));

	CHECK_EQ_INT(rpc_subnet_parse("fe80::/10", &n), 0);
	b = sa6("fe80::1234");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&b));
	b = sa6("fec0::1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&b));

	CHECK_EQ_INT(rpc_subnet_parse("::1", &n), 0);
	b = sa6("::1");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&b));
	a = sa4("127.0.0.1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));

	/* A v4-mapped entry is an IPv4 entry: it matches IPv4 clients. */
	CHECK_EQ_INT(rpc_subnet_parse("::ffff:10.1.2.3", &n), 0);
	CHECK_EQ_INT(n.family, AF_INET);
	a = sa4("10.1.2.3");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	b = sa6("::ffff:10.1.2.3");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&b));
	a = sa4("10.1.2.4");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));
	CHECK_EQ_INT(rpc_subnet_parse("::ffff:10.1.0.0/112", &n), 0);
	a = sa4("10.1.77.1");
	CHECK(rpc_subnet_match(&n, (struct sockaddr *)&a));
	a = sa4("10.2.0.1");
	CHECK(!rpc_subnet_match(&n, (struct sockaddr *)&a));
}

static void
test_decodescript(void)
{
	/* P2PKH asm and type; descriptor needs chain params, so only asm here. */
	static const uint8_t p2pkh[] = { 0x76, 0xa9, 0x14, 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x88, 0xac };
	static const uint8_t nums[] = { 0x00, 0x51, 0x60, 0x4f, 0x01, 0x85,
		0x02, 0xff, 0x00, 0x6a };
	static const uint8_t trunc[] = { 0x4c };
	char *s;

	s = rpc_script_asm(p2pkh, sizeof(p2pkh), 0);
	CHECK_EQ_STR(s,
	    "OP_DUP OP_HASH160 0102030405060708090a0b0c0d0e0f1011"
	    "121314 OP_EQUALVERIFY OP_CHECKSIG");
	free(s);
	CHECK_EQ_STR(rpc_script_type(p2pkh, sizeof(p2pkh)), "pubkeyhash");
	s = rpc_script_asm(nums, sizeof(nums), 0);
	CHECK_EQ_STR(s, "0 1 16 -1 -5 255 OP_RETURN");
	free(s);
	s = rpc_script_asm(trunc, sizeof(trunc), 0);
	CHECK_EQ_STR(s, "[error]");
	free(s);
	CHECK_EQ_STR(rpc_script_type(nums + 9, 1), "nulldata");
	CHECK_EQ_STR(rpc_script_type(nums, 3), "nonstandard");
}

/* What the general path writes for body with result res (stolen). */
static char *
general_reply(const char *body, json_t *res)
{
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	struct jout o = { NULL, 0, 0 };
	json_t *b, *reply;

	b = rpc_json_parse(body, strlen(body));
	CHECK(b != NULL);
	if (b == NULL) {
		json_decref(res);
		return NULL;
	}
	CHECK_EQ_INT(rpc_request_parse(b, &rq, &err), 0);
	reply = rpc_reply_obj(&rq, res, NULL);
	rpc_json_encode(&o, reply, 0);
	jout_puts(&o, "\n");
	json_decref(reply);
	json_decref(b);
	return o.p;
}

static void
fast_reply(const struct rpc_fast_req *fr, const char *result, struct jout *o)
{
	o->len = 0;
	rpc_fast_head(fr, o);
	jout_puts(o, result);
	rpc_fast_tail(fr, o);
}

static void
test_fast_path(void)
{
	static const char *const ok[] = {
		"{\"method\":\"getblockcount\",\"id\":7}",
		"{\"method\":\"getblockcount\",\"params\":[],\"id\":\"x\"}",
		"{\"jsonrpc\":\"1.0\",\"id\":\"curltest\",\"method\":"
		"\"getblockcount\",\"params\":[]}",
		"{\"jsonrpc\":null,\"id\":null,\"method\":\"getblockcount\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getblockcount\","
		"\"params\":[]}",
		"{\"jsonrpc\":\"2.0\",\"id\":\"a b-c\",\"method\":"
		"\"getbestblockhash\",\"params\":null}",
		"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"getblockcount\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"getblockcount\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"getblockcount\"}",
		"{\"id\":-42,\"method\":\"getblockcount\"}",
		"{\"id\":999999999999999999,\"method\":\"getblockcount\"}",
		"{\"method\":\"getblockcount\"}",
		" \r\n\t{ \"method\" : \"getblockcount\" , \"params\" : [ \t] ,"
		" \"id\" : 5 }\n ",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getblockheader\","
		"\"params\":[ \"0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012"
		"afca590b1a11466e2206\" ]}",
		"{\"jsonrpc\":\"1.0\",\"id\":\"t\",\"method\":"
		"\"getblockheader\",\"params\":[\"00\"]}",
	};
	static const char *const declined[] = {
		"",
		"   ",
		"[]",
		"null",
		"1",
		"{",
		"{}",
		"{\"id\":1}",
		"[{\"method\":\"getblockcount\",\"id\":1}]",
		"{\"method\":\"getblockcount\",\"id\":1",
		"{\"method\":\"getblockcount\",\"id\":1}x",
		"{\"method\":\"getblockcount\",\"id\":1,}",
		"{\"method\":\"getblockcount\",\"method\":\"getblockcount\"}",
		"{\"method\":\"getblockcount\",\"foo\":1}",
		"{\"method\":\"getblockcount\",\"params\":[1]}",
		"{\"method\":\"getblockheader\",\"params\":[\"a\",true]}",
		"{\"method\":\"getblockheader\",\"params\":[\"a\",]}",
		"{\"method\":\"getblockheader\",\"params\":[\"a\\n\"]}",
		"{\"method\":\"getblockheader\",\"params\":[\"a\"}",
		"{\"method\":\"getblockheader\",\"params\":[[\"a\"]]}",
		"{\"method\":\"getblockcount\",\"params\":{}}",
		"{\"method\":\"getblockcount\",\"params\":\"x\"}",
		"{\"method\":\"getblockcount\",\"params\":nullx}",
		"{\"method\":7,\"id\":1}",
		"{\"method\":null,\"id\":1}",
		"{\"method\":\"get\\u0062lockcount\",\"id\":1}",
		"{\"method\":\"getblockcount\",\"id\":\"a\\\"b\"}",
		"{\"method\":\"getblockcount\",\"id\":\"\xc3\xa9\"}",
		"{\"method\":\"getblockcount\",\"id\":\"\x7f\"}",
		"{\"method\":\"getblockcount\",\"id\":01}",
		"{\"method\":\"getblockcount\",\"id\":1.5}",
		/* Core echoes -0 as written; jansson would write 0. */
		"{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"getblockcount\"}",
		"{\"method\":\"getblockcount\",\"id\":1e3}",
		"{\"method\":\"getblockcount\",\"id\":-}",
		"{\"method\":\"getblockcount\",\"id\":1234567890123456789}",
		"{\"method\":\"getblockcount\",\"id\":true}",
		"{\"method\":\"getblockcount\",\"id\":[1]}",
		"{\"jsonrpc\":\"3.0\",\"method\":\"getblockcount\",\"id\":1}",
		"{\"jsonrpc\":2.0,\"method\":\"getblockcount\",\"id\":1}",
		/* A 2.0 notification is executed but not answered. */
		"{\"jsonrpc\":\"2.0\",\"method\":\"getblockcount\"}",
		"{'method':'getblockcount'}",
	};
	static const char hex[] =
	    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";
	struct rpc_fast_req fr;
	struct jout o = { NULL, 0, 0 };
	char quoted[70], *want;
	json_t *res;
	size_t i;

	snprintf(quoted, sizeof(quoted), "\"%s\"", hex);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_EQ_INT(rpc_fast_parse(ok[i], strlen(ok[i]), &fr), 0);
		/* A numeric and a string result, byte for byte. */
		want = general_reply(ok[i], json_integer(2147483647));
		fast_reply(&fr, "2147483647", &o);
		CHECK(want != NULL && o.len == strlen(want));
		CHECK_EQ_STR(o.p, want ? want : "");
		free(want);
		want = general_reply(ok[i], json_string(hex));
		fast_reply(&fr, quoted, &o);
		CHECK(want != NULL && o.len == strlen(want));
		CHECK_EQ_STR(o.p, want ? want : "");
		free(want);
		/* An object result goes through the same encoder. */
		res = json_pack("{s:s,s:i,s:b}", "hash", hex, "height", 5, "x",
		    1);
		want = general_reply(ok[i], json_incref(res));
		o.len = 0;
		rpc_fast_head(&fr, &o);
		rpc_json_encode(&o, res, 0);
		rpc_fast_tail(&fr, &o);
		CHECK_EQ_STR(o.p, want ? want : "");
		json_decref(res);
		free(want);
	}
	jout_free(&o);
	CHECK_EQ_INT(rpc_fast_parse(ok[0], strlen(ok[0]), &fr), 0);
	CHECK_EQ_STR(fr.method, "getblockcount");
	CHECK_EQ_INT(fr.has_param, 0);
	CHECK_EQ_INT(rpc_fast_parse(ok[13], strlen(ok[13]), &fr), 0);
	CHECK_EQ_STR(fr.method, "getblockheader");
	CHECK_EQ_INT(fr.has_param, 1);
	CHECK_EQ_STR(fr.param, hex);
	for (i = 0; i < sizeof(declined) / sizeof(declined[0]); i++) {
		if (rpc_fast_parse(declined[i], strlen(declined[i]), &fr) !=
		    -1) {
			CHECK(0);
			fprintf(stderr, "accepted: %s\n", declined[i]);
		}
	}
	/* The general path writes a success without a reply object. */
	{
		static const char *const bodies[] = {
			"{\"method\":\"echo\",\"params\":[1,\"a\"],"
			"\"id\":7}",
			"{\"method\":\"echo\",\"params\":[1,\"a\"],"
			"\"id\":\"q\\\"\\u00e9\\u007f\"}",
			"{\"method\":\"echo\",\"params\":[1,\"a\"]}",
			"{\"method\":\"echo\",\"params\":[1,\"a\"],"
			"\"id\":null}",
			"{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			"\"params\":[1,\"a\"],\"id\":1.5}",
			"{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			"\"params\":[1,\"a\"],\"id\":{\"k\":[true]}}",
			"{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			"\"params\":[1,\"a\"],\"id\":-3}",
		};
		char *got;

		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			CHECK_EQ_INT(run(bodies[i], &got), 200);
			want = general_reply(bodies[i],
			    json_pack("[is]", 1, "a"));
			CHECK_EQ_STR(got ? got : "", want ? want : "");
			free(got);
			free(want);
		}
	}
	/* A NUL inside the body is never skipped over. */
	CHECK_EQ_INT(rpc_fast_parse("{\"method\":\"getblockcount\"}\0", 27,
			 &fr),
	    -1);
}

/*
 * Numbers as UniValue keeps them (issue 17): a number outside int64 or
 * double anywhere fails only the parameter that is read as an integer, an
 * id comes back exactly as sent, and \u0000 is a character, not an error.
 */
/* A body and the exact reply it gets. */
struct body_case {
	const char *body;
	int status;
	const char *reply;
};

static void
check_cases(const struct body_case *v, size_t n)
{
	char *b;
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK_EQ_INT(run(v[i].body, &b), v[i].status);
		CHECK_EQ_STR(b ? b : "", v[i].reply);
		free(b);
	}
}

static void
test_number_text(void)
{
	static const struct body_case cases[] = {
		{ "{\"method\":\"echo\",\"id\":123456789012345678901234567890}",
		    200,
		    "{\"result\":[],\"error\":null,"
		    "\"id\":123456789012345678901234567890}\n" },
		{ "{\"method\":\"echo\",\"id\":1.10}", 200,
		    "{\"result\":[],\"error\":null,\"id\":1.10}\n" },
		{ "{\"method\":\"echo\",\"id\" : 1e400 }", 200,
		    "{\"result\":[],\"error\":null,\"id\":1e400}\n" },
		{ "{\"method\":\"echo\",\"\\u0069d\":-0}", 200,
		    "{\"result\":[],\"error\":null,\"id\":-0}\n" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":"
		  "[1E+2,{\"a\":[2.50,\"\\u0041\"]}]}",
		    200,
		    "{\"jsonrpc\":\"2.0\",\"result\":[],"
		    "\"id\":[1E+2,{\"a\":[2.50,\"A\"]}]}\n" },
		{ "[{\"method\":\"echo\",\"id\":1},{\"method\":\"echo\","
		  "\"params\":{\"x\":1.0},\"id\":18446744073709551616}]",
		    200,
		    "[{\"result\":[],\"error\":null,\"id\":1},"
		    "{\"result\":null,\"error\":{\"code\":-8,\"message\":"
		    "\"Unknown named parameter x\"},"
		    "\"id\":18446744073709551616}]\n" },
		/* The integer parameter fails, not the whole body. */
		{ "{\"method\":\"getblockhash\",\"params\":"
		  "[99999999999999999999],\"id\":1}",
		    500,
		    "{\"result\":null,\"error\":{\"code\":-1,\"message\":"
		    "\"JSON integer out of range\"},\"id\":1}\n" },
		{ "{\"method\":\"getblockhash\",\"params\":[-1e999],"
		  "\"id\":1,\"x\":[1e999,-99999999999999999999]}",
		    500,
		    "{\"result\":null,\"error\":{\"code\":-1,\"message\":"
		    "\"JSON integer out of range\"},\"id\":1}\n" },
		{ "{\"method\":\"getblock\\u0000count\",\"id\":1}", 404,
		    "{\"result\":null,\"error\":{\"code\":-32601,"
		    "\"message\":\"Method not found\"},\"id\":1}\n" },
		{ "{\"method\":\"echo\\u0000\",\"id\":1}", 404,
		    "{\"result\":null,\"error\":{\"code\":-32601,"
		    "\"message\":\"Method not found\"},\"id\":1}\n" },
		/* Only text jansson would refuse anyway stays malformed. */
		{ "{\"method\":\"echo\",\"id\":01}", 500,
		    "{\"result\":null,\"error\":{\"code\":-32700,"
		    "\"message\":\"Parse error\"},\"id\":null}\n" },
		{ "{\"method\":\"echo\",\"params\":[1-2]}", 500,
		    "{\"result\":null,\"error\":{\"code\":-32700,"
		    "\"message\":\"Parse error\"},\"id\":null}\n" },
		{ "{\"method\":\"echo\",\"params\":[1e]}", 500,
		    "{\"result\":null,\"error\":{\"code\":-32700,"
		    "\"message\":\"Parse error\"},\"id\":null}\n" },
		{ "5", 500,
		    "{\"result\":null,\"error\":{\"code\":-32700,"
		    "\"message\":\"Top-level object parse error\"},"
		    "\"id\":null}\n" },
	};
	char *b;

	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* A string parameter holding \u0000 is refused, not cut short. */
	CHECK_EQ_INT(run("{\"method\":\"echo\",\"params\":[\"a\\u0000b\"]}",
			 &b),
	    500);
	CHECK(b && strstr(b, "\"code\":-8,") != NULL);
	free(b);
}

/*
 * Duplicate keys as UniValue reads them (interop_jsonrpc.py compares such
 * bodies with Core 28.1): the first member with a key counts, in the
 * request and in every object inside it, and a named parameter given
 * twice is -8 after the method lookup. (echo writes back only the members
 * kept; Core writes every one.)
 */
static void
test_duplicate_keys(void)
{
	static const struct body_case cases[] = {
		{ "{\"method\":\"echo\",\"method\":\"nosuch\",\"id\":1,"
		  "\"id\":2}",
		    200, "{\"result\":[],\"error\":null,\"id\":1}\n" },
		{ "{\"method\":\"echo\",\"id\":1.10,\"id\":[2.50],"
		  "\"jsonrpc\":\"2.0\",\"jsonrpc\":\"1.0\"}",
		    200, "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":1.10}\n" },
		{ "{\"method\":\"echo\",\"params\":[{\"a\":1,\"a\":2,"
		  "\"b\":{\"c\":[1.10],\"c\":2, \"\\u0063\" : 3 }}],"
		  "\"params\":[5],\"id\":1}",
		    200,
		    "{\"result\":[{\"a\":1,\"b\":{\"c\":[1.1]}}],"
		    "\"error\":null,\"id\":1}\n" },
		{ "{\"method\":\"echo\",\"params\":{\"arg0\":1,"
		  "\"arg1\":2,\"arg\\u0030\":3},\"id\":1}",
		    500,
		    "{\"result\":null,\"error\":{\"code\":-8,\"message\":"
		    "\"Parameter arg0 specified multiple times\"},\"id\":1}\n" },
		/* Before any other named-parameter error, after the lookup. */
		{ "{\"method\":\"echo\",\"params\":{\"x\":1,\"y\":1,"
		  "\"y\":2,\"x\":2},\"id\":1}",
		    500,
		    "{\"result\":null,\"error\":{\"code\":-8,\"message\":"
		    "\"Parameter y specified multiple times\"},\"id\":1}\n" },
		{ "{\"method\":\"nosuch\",\"params\":{\"x\":1,\"x\":1},"
		  "\"id\":1}",
		    404,
		    "{\"result\":null,\"error\":{\"code\":-32601,"
		    "\"message\":\"Method not found\"},\"id\":1}\n" },
		/* Only the first "params" counts; the later one is dropped. */
		{ "{\"method\":\"echo\",\"params\":[],\"params\":{\"x\":1,"
		  "\"x\":1},\"id\":1}",
		    200, "{\"result\":[],\"error\":null,\"id\":1}\n" },
		{ "[{\"method\":\"echo\",\"id\":1,\"id\":2},{\"method\":"
		  "\"echo\",\"params\":{\"args\":[1],\"args\":[2]},\"id\":3}]",
		    200,
		    "[{\"result\":[],\"error\":null,\"id\":1},{\"result\":"
		    "null,\"error\":{\"code\":-8,\"message\":\"Parameter args "
		    "specified multiple times\"},\"id\":3}]\n" },
	};
	/* Which argument object repeated which key, after how many members. */
	static const struct {
		const char *body;
		size_t arg;
		const char *key;
		size_t index;
	} args[] = {
		/* Positional and named; the second repeat is not noted. */
		{ "{\"method\":\"createrawtransaction\",\"params\":[[],"
		  "{\"a\":1,\"b\":2,\"a\":3,\"b\":4}]}",
		    1, "a", 2 },
		{ "{\"method\":\"createrawtransaction\",\"params\":"
		  "{\"outputs\":{\"x\":1,\"x\":2},\"inputs\":[{\"t\":1,"
		  "\"t\":1}]}}",
		    1, "x", 1 },
		{ "{\"method\":\"createrawtransaction\",\"params\":"
		  "{\"outputs\":{\"x\":1,\"x\":2},\"inputs\":[{\"t\":1,"
		  "\"t\":1}]}}",
		    0, NULL, 0 },
		/* Deeper objects are not arguments. */
		{ "{\"method\":\"createrawtransaction\",\"params\":[[{\"t\":1,"
		  "\"t\":1}],{\"o\":{\"x\":1,\"x\":2}}]}",
		    1, NULL, 0 },
	};
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	struct rpc_ctx c;
	const char *key;
	size_t i, index;
	json_t *body;
	int got;

	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		body = rpc_json_parse(args[i].body, strlen(args[i].body));
		CHECK(body != NULL);
		CHECK_EQ_INT(rpc_request_parse(body, &rq, &err), 0);
		memset(&c, 0, sizeof(c));
		c.m = rpc_method_find("createrawtransaction");
		c.dup_args = rq.dup_args;
		got = rpc_param_repeated_key(&c, args[i].arg, &key, &index);
		CHECK_EQ_INT(got, args[i].key != NULL);
		if (got && args[i].key != NULL) {
			CHECK_EQ_STR(key, args[i].key);
			CHECK_EQ_INT(index, args[i].index);
		}
		json_decref(body);
	}
	rpc_error_clear(&err);
}

/* Past the batch answer bound the remaining calls are not run (-7). */
static void
test_batch_reply_bound(void)
{
	char *b;

	rpc_batch_reply_max = 60;
	CHECK_EQ_INT(
	    run("[{\"method\":\"echo\",\"params\":[\"aaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaa\"],\"id\":1},{\"method\":\"echo\",\"id\":2},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
		"{\"method\":\"echo\",\"id\":3}]",
		&b),
	    200);
	CHECK_EQ_STR(b ? b : "",
	    "[{\"result\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaa\"],\"error\":null,\"id\":1},{\"result\":null,\"error\":"
	    "{\"code\":-7,\"message\":\"Batch reply over 0 MiB: not run; send "
	    "the remaining requests in another batch\"},\"id\":2},"
	    "{\"result\":null,\"error\":{\"code\":-7,\"message\":\"Batch "
	    "reply over 0 MiB: not run; send the remaining requests in another "
	    "batch\"},\"id\":3}]\n");
	free(b);
	rpc_batch_reply_max = RPC_BATCH_REPLY_MAX;
}

UNIT_MAIN(UNIT_CASE(test_number_text), UNIT_CASE(test_duplicate_keys),
    UNIT_CASE(test_long_error_message), UNIT_CASE(test_batch_reply_bound),
    UNIT_CASE(test_single_v1), UNIT_CASE(test_single_v2),
    UNIT_CASE(test_bad_requests), UNIT_CASE(test_batch),
    UNIT_CASE(test_named_params), UNIT_CASE(test_arity_and_types),
    UNIT_CASE(test_help), UNIT_CASE(test_table), UNIT_CASE(test_json_format),
    UNIT_CASE(test_json_load_literal), UNIT_CASE(test_amount_parse),
    UNIT_CASE(test_hash_param), UNIT_CASE(test_rpcauth),
    UNIT_CASE(test_base64), UNIT_CASE(test_allowip),
    UNIT_CASE(test_decodescript), UNIT_CASE(test_fast_path))
