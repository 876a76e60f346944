/*
 * Control methods (help, stop, uptime, getrpcinfo, logging,
 * getmemoryinfo) and Core's hidden test helpers answered here (setmocktime,
 * mockscheduler, echo, echojson).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "mempool/mempool.h"
#include "net/net.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"

static json_t *
m_help(struct rpc_ctx *c, struct rpc_error *err)
{
	const json_t *cmd = rpc_param(c, 0);
	const struct rpc_method *m;
	char *s;
	json_t *res;

	/*
	 * As Core, which reads the argument with get_str(): an explicit null
	 * is a type error, and "" lists every command.
	 */
	if (cmd == NULL && json_array_size(c->params) > 0)
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "JSON value of type null "
		    "is not of expected type string");
	if (cmd == NULL || *json_string_value(cmd) == '\0')
		s = rpc_help_list(NULL);
	else {
		m = rpc_method_find(json_string_value(cmd));
		if (m == NULL)
			s = xasprintf("help: unknown command: %s",
			    json_string_value(cmd));
		else {
			s = rpc_help_text(m);
			/* Core trims the final newline. */
			if (*s && s[strlen(s) - 1] == '\n')
				s[strlen(s) - 1] = '\0';
		}
	}
	res = json_string(s);
	free(s);
	return res;
}

static json_t *
m_stop(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *w = rpc_param(c, 0);
	int ms;

	/* The reply still goes out: rpc_stop finishes requests in hand. */
	shutdown_request();
	/*
	 * As Core, which reads the wait after asking for the shutdown: a
	 * wait that is no int answers an error, and the node stops anyway.
	 */
	if (rpc_get_int_or(w, 0, &ms, err) == -1)
		return NULL;
	if (ms > 0)
		usleep((useconds_t)(ms > 60000 ? 60000 : ms) * 1000);
	return json_string("Bitroot server stopping");
}

static json_t *
m_uptime(struct rpc_ctx *c, struct rpc_error *err)
{
	(void)err;
	return json_integer(node_time() - rpc_shared(c->rpc)->start_time);
}

static json_t *
m_getrpcinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct args *a = rpc_shared(c->rpc)->args;
	const char *f = rpc_opt(c->rpc, "debuglogfile");
	json_t *o = json_object();
	char *path;

	(void)err;
	json_object_set_new(o, "active_commands", rpc_cmd_list(c->rpc));
	if (f && f[0] == '/')
		path = xstrdup(f);
	else
		path = xasprintf("%s/%s", args_chaindir(a),
		    f && *f && strcmp(f, "0") != 0 ? f : "debug.log");
	json_object_set_new(o, "logpath", json_string(path));
	free(path);
	return o;
}

/* Every category bit the log module knows, by Core's name. */
static int
parse_categories(const json_t *arr, uint32_t *mask, struct rpc_error *err)
{
	const char *name;
	json_t *v;
	size_t i;
	uint32_t bit;

	*mask = 0;
	if (arr == NULL)
		return 0;
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v)) {
			rpc_fail(err, RPC_TYPE_ERROR,
			    "JSON value of type %s is "
			    "not of expected type string",
			    rpc_json_type_name(v));
			return -1;
		}
		name = json_string_value(v);
		if (strcmp(name, "all") == 0 || strcmp(name, "1") == 0) {
			*mask = LOG_ALL;
			continue;
		}
		if (log_category_parse(name, &bit) == -1) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "unknown logging category %s", name);
			return -1;
		}
		*mask |= bit;
	}
	return 0;
}

static json_t *
m_logging(struct rpc_ctx *c, struct rpc_error *err)
{
	uint32_t inc, exc, cur, bit;
	json_t *o;
	const char *name;
	size_t i;

	if (parse_categories(rpc_param(c, 0), &inc, err) == -1 ||
	    parse_categories(rpc_param(c, 1), &exc, err) == -1)
		return NULL;
	cur = log_get_categories();
	if (inc || exc)
		log_set_categories((cur | inc) & ~exc);
	cur = log_get_categories();
	/*
	 * Every name -debug takes, Core's aliases (coindb, mempoolrej, ...)
	 * included, as Core lists each of its categories; names that only a
	 * later Core has are accepted but not listed.
	 */
	o = json_object();
	for (i = 0; i < log_category_count(); i++) {
		name = log_category_at(i, &bit);
		if (bit != 0)
			json_object_set_new(o, name, json_boolean(cur & bit));
	}
	return o;
}

static json_t *
m_getmemoryinfo(struct rpc_ctx *c, struct rpc_error *err)
{
	const json_t *mode = rpc_param(c, 0);
	const char *ms = mode ? json_string_value(mode) : "stats";
	json_t *o, *l;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(ms, "stats") == 0) {
		/* No secure (mlocked) pool exists: every figure is zero. */
		l = json_object();
		json_object_set_new(l, "used", json_integer(0));
		json_object_set_new(l, "free", json_integer(0));
		json_object_set_new(l, "total", json_integer(0));
		json_object_set_new(l, "locked", json_integer(0));
		json_object_set_new(l, "chunks_used", json_integer(0));
		json_object_set_new(l, "chunks_free", json_integer(0));
		o = json_object();
		json_object_set_new(o, "locked", l);
		return o;
	}
	if (strcmp(ms, "mallocinfo") == 0) {
		if ((f = open_memstream(&buf, &len)) == NULL)
			return rpc_fail(err, RPC_MISC_ERROR,
			    "mallocinfo is only available when compiled with "
			    "glibc 2.10+");
		malloc_info(0, f);
		fclose(f);
		o = json_stringn(buf, len);
		free(buf);
		return o ? o : json_string("");
	}
	(void)c;
	return rpc_fail(err, RPC_INVALID_PARAMETER, "unknown mode %s", ms);
}

#define MOCKTIME_MAX 9223372036LL

static json_t *
m_setmocktime(struct rpc_ctx *c, struct rpc_error *err)
{
	int64_t t;

	if (rpc_shared(c->rpc)->cp->id != CHAIN_REGTEST)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "setmocktime is for "
		    "regression testing (-regtest mode) only");
	if (rpc_get_int64(rpc_param(c, 0), &t, err) == -1)
		return NULL;
	/* Core's bound: the largest second std::chrono nanoseconds hold. */
	if (t < 0 || t > MOCKTIME_MAX)
		return rpc_fail(err, RPC_INVALID_PARAMETER,
		    "Mocktime must be in the range [0, %lld], not %lld.",
		    (long long)MOCKTIME_MAX, (long long)t);
	node_set_mocktime((int64_t)t);
	return json_null();
}

/* Core's bound on one mockscheduler step: an hour. */
#define MOCKSCHEDULER_MAX 3600

/*
 * Core runs the node's periodic tasks on one scheduler thread and
 * MockForward moves them all earlier. Here each thread keeps its own (the
 * net thread the peers.dat dump, the mempool thread the fee_estimates.dat
 * flush), so each gets a typed request that moves its deadlines and runs
 * what became due before answering: the effect is there when this
 * returns, as in Core, which waits for its scheduler's queue to drain.
 * A thread that is not running has nothing scheduled.
 */
static json_t *
m_mockscheduler(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	int64_t d;
	struct request_error re;
	struct request *r;
	int64_t us;
	char none;

	if (sh->cp->id != CHAIN_REGTEST)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "mockscheduler is for "
		    "regression testing (-regtest mode) only");
	if (rpc_get_int64(rpc_param(c, 0), &d, err) == -1)
		return NULL;
	if (d <= 0 || d > MOCKSCHEDULER_MAX)
		return rpc_fail(err, RPC_MISC_ERROR,
		    "delta_time must be between 1 and %d seconds (1 hr)",
		    MOCKSCHEDULER_MAX);
	us = (int64_t)d * 1000000;
	if (sh->net != NULL) {
		r = request_new(net_req_mockforward, &us, sizeof(us), NULL, 0,
		    NULL);
		if (net_request(sh->net, r, sh->call_timeout_ms, &none, &re) !=
		    0)
			return rpc_fail(err, RPC_INTERNAL_ERROR,
			    "mockscheduler: net: %s", re.message);
	}
	if (sh->mp != NULL &&
	    rpc_mempool_ask(c->rpc, mempool_req_mockforward, &us, sizeof(us),
		NULL, NULL, 0, NULL, err) != 0)
		return NULL;
	return json_null();
}

static json_t *
m_echo(struct rpc_ctx *c, struct rpc_error *err)
{
	json_t *a9 = json_array_get(c->params, 9);

	if (json_is_string(a9) &&
	    strcmp(json_string_value(a9), "trigger_internal_bug") == 0)
		return rpc_fail(err, RPC_MISC_ERROR, "Internal bug detected");
	return json_incref(c->params);
}

#define ECHO_ARGS \
	{ \
		{ "arg0", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg1", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg2", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg3", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg4", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg5", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg6", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg7", RPC_ARG_ANY, 0, NULL, "" }, \
		    { "arg8", RPC_ARG_ANY, 0, NULL, "" }, \
		{ \
			"arg9", RPC_ARG_ANY, 0, NULL, "" \
		} \
	}

const struct rpc_method rpc_control_methods[] = {
	{ "getmemoryinfo", "control", m_getmemoryinfo, RPC_F_FAST,
	    { { "mode", RPC_ARG_STR, 0, "\"stats\"",
		"determines what kind of information is returned.\n"
		"  - \"stats\" returns general statistics about memory usage in "
		"the daemon.\n  - \"mallocinfo\" returns an XML string "
		"describing low-level heap state (only available if compiled "
		"with glibc)." } },
	    "Returns an object containing information about memory usage.",
	    "Result (mode \"stats\"):\n{\n"
	    "  \"locked\" : {               (json object) Information about locked memory manager\n"
	    "    \"used\" : n,              (numeric) Number of bytes used\n"
	    "    \"free\" : n,              (numeric) Number of bytes available in current arenas\n"
	    "    \"total\" : n,             (numeric) Total number of bytes managed\n"
	    "    \"locked\" : n,            (numeric) Amount of bytes that succeeded locking\n"
	    "    \"chunks_used\" : n,       (numeric) Number allocated chunks\n"
	    "    \"chunks_free\" : n        (numeric) Number unused chunks\n"
	    "  }\n}\n\nResult (mode \"mallocinfo\"):\n\"str\"    (string) \"<malloc version=\"1\">...\"\n",
	    "", RPC_ON_RPC },
	{ "getrpcinfo", "control", m_getrpcinfo, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns details of the RPC server.",
	    "{\n"
	    "  \"active_commands\" : [     (json array) All active commands\n"
	    "    {                       (json object) Information about an active command\n"
	    "      \"method\" : \"str\",     (string) The name of the RPC command\n"
	    "      \"duration\" : n        (numeric) The running time in microseconds\n"
	    "    },\n    ...\n  ],\n"
	    "  \"logpath\" : \"str\"         (string) The complete file path to the debug log\n}\n",
	    "", RPC_ON_RPC },
	{ "help", "control", m_help, RPC_F_FAST | RPC_F_WARMUP,
	    { { "command", RPC_ARG_STR, 0, "all commands",
		"The command to get help on" } },
	    "List all commands, or get help for a specified command.",
	    "\"str\"    (string) The help text\n", "", RPC_ON_RPC },
	{ "logging", "control", m_logging, RPC_F_FAST,
	    { { "include", RPC_ARG_ARR, 0, NULL,
		  "The categories to add to debug logging" },
		{ "exclude", RPC_ARG_ARR, 0, NULL,
		    "The categories to remove from debug logging" } },
	    "Gets and sets the logging configuration.\nWhen called without an "
	    "argument, returns the list of categories with status that are "
	    "currently being debug logged or not.\nWhen called with "
	    "arguments, adds or removes categories from debug logging and "
	    "return the lists above.\nThe arguments are evaluated in order "
	    "\"include\", \"exclude\".\nIf an item is both included and "
	    "excluded, it will thus end up being excluded.\nIn addition, the "
	    "following are available as category names with special "
	    "meanings:\n  - \"all\",  \"1\" : represent all logging "
	    "categories.",
	    "{                   (json object) keys are the logging categories, and values indicates its status\n"
	    "  \"category\" : true|false,  (boolean) if being debug logged or not. false:inactive, true:active\n"
	    "  ...\n}\n",
	    "\"[\\\"all\\\"]\" \"[\\\"http\\\"]\"", RPC_ON_RPC },
	{ "stop", "control", m_stop, RPC_F_WARMUP,
	    { { "wait", RPC_ARG_NUM, 0, NULL, "how long to wait in ms" } },
	    "Request a graceful shutdown of the node.",
	    "\"str\"    (string) A string with the content 'Bitroot server "
	    "stopping'\n",
	    "", RPC_ON_RPC },
	{ "uptime", "control", m_uptime, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the total uptime of the server.",
	    "n    (numeric) The number of seconds that the server has been "
	    "running\n",
	    "", RPC_ON_RPC },
	{ "setmocktime", "hidden", m_setmocktime, RPC_F_FAST,
	    { { "timestamp", RPC_ARG_NUM, 1, NULL,
		"UNIX epoch time\nPass 0 to go back to using the system "
		"time." } },
	    "Set the local time to given timestamp (-regtest only)", NULL,
	    "1700000000", RPC_ON_RPC },
	{ "mockscheduler", "hidden", m_mockscheduler, 0,
	    { { "delta_time", RPC_ARG_NUM, 1, NULL,
		"Number of seconds to forward the scheduler into the "
		"future." } },
	    "Bump the scheduler into the future (-regtest only)",
	    "null    (json null)\n", "", RPC_ON_RPC },
	{ "echo", "hidden", m_echo, RPC_F_FAST, ECHO_ARGS,
	    "Simply echo back the input arguments. This command is for "
	    "testing.\n\nIt will return an internal bug report when "
	    "arg9='trigger_internal_bug' is passed.\n\nThe difference between "
	    "echo and echojson is that echojson has argument conversion "
	    "enabled in the client-side table in bitroot-cli.",
	    "any    (any) Returns whatever was passed in\n", "", RPC_ON_RPC },
	{ "echojson", "hidden", m_echo, RPC_F_FAST, ECHO_ARGS,
	    "Simply echo back the input arguments. This command is for "
	    "testing.",
	    "any    (any) Returns whatever was passed in\n", "", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
