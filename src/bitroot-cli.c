/*
 * bitroot-cli: the command-line JSON-RPC client, after Bitcoin Core's
 * bitcoin-cli. It reads the config file through the daemon's own reader
 * (util/args.h, in its client mode), sends one JSON-RPC 2.0 request with
 * libevent's evhttp client, and prints the result: strings raw, other
 * values through the server's encoder (rpc/jsonenc.h) in Core's layout,
 * with numbers exactly as the server wrote them.
 *
 * Exit status: 0 on success; for an RPC error abs(code) as bitcoin-cli
 * (modulo 256, never 0); 1 for any other error.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "chain/chainparams.h"
#include "cli/cli.h"
#include "rpc/jsonenc.h"
#include "util/args.h"
#include "util/xmalloc.h"

#define DEFAULT_CLIENT_TIMEOUT 900
#define DEFAULT_HOST "127.0.0.1"
/* The options the config reader resolves, as bitcoin-cli reads them. */
static const char *const shared_opts[] = { "datadir", "conf", "chain",
	"regtest", "testnet", "testnet4", "signet", "rpcconnect", "rpcport",
	"rpcuser", "rpcpassword", "rpccookiefile", "includeconf" };

/* ---- Options ---- */

/* Boolean value of "-name", "-name=v" or "-noname". */
static int
bool_value(const char *v, int negated)
{
	int on = v == NULL || *v == '\0' || strtol(v, NULL, 10) != 0;

	return negated ? !on : on;
}

static void
usage(void)
{
	printf(
	    "Bitroot RPC client\n\n"
	    "Usage:  bitroot-cli [options] <command> [params]  Send command to the node\n"
	    "or:     bitroot-cli [options] -named <command> [name=value]...  Send command to the node (with named arguments)\n"
	    "or:     bitroot-cli [options] help                List commands\n"
	    "or:     bitroot-cli [options] help <command>      Get help for a command\n\n"
	    "Options:\n\n"
	    "  -?, -h, -help           Print this help message and exit\n"
	    "  -chain=<chain>          Use the chain <chain> (main, test, testnet4, signet, regtest)\n"
	    "  -conf=<file>            Specify configuration file. Relative paths will be prefixed by datadir location.\n"
	    "  -datadir=<dir>          Specify data directory\n"
	    "  -addrinfo               Get the number of addresses known to the node, per network and total, after filtering for quality and recency.\n"
	    "  -generate               Generate blocks: getnewaddress then generatetoaddress; on a server without a wallet, to a fresh key made here (printed as privkey). Optional: number of blocks (default: 1) and maximum iterations (default: 1000000). Example: bitroot-cli -generate 4 1000\n"
	    "  -getinfo                Get general information from the remote server.\n"
	    "  -named                  Pass named instead of positional arguments (default: false)\n"
	    "  -netinfo                Get network peer connection information from the remote server. An optional integer argument from 0 to 4 can be passed for different peers listings (default: 0). Pass \"help\" for detailed help documentation.\n"
	    "  -regtest, -testnet, -testnet4, -signet\n"
	    "                          Select the chain\n"
	    "  -rpcclienttimeout=<n>   Timeout in seconds during HTTP requests, or 0 for no timeout. (default: %d)\n"
	    "  -rpcconnect=<ip>        Send commands to node running on <ip> (default: %s)\n"
	    "  -rpccookiefile=<loc>    Location of the auth cookie. Relative paths will be prefixed by a net-specific datadir location. (default: data dir)\n"
	    "  -rpcpassword=<pw>       Password for JSON-RPC connections\n"
	    "  -rpcport=<port>         Connect to JSON-RPC on <port> (default: 8332, testnet: 18332, testnet4: 48332, signet: 38332, regtest: 18443)\n"
	    "  -rpcuser=<user>         Username for JSON-RPC connections\n"
	    "  -rpcwait                Wait for RPC server to start\n"
	    "  -rpcwaittimeout=<n>     Timeout in seconds to wait for the RPC server to start, or 0 for no timeout. (default: 0)\n"
	    "  -stdin                  Read extra arguments from standard input, one per line until EOF/Ctrl-D (recommended for sensitive information such as passphrases). When combined with -stdinrpcpass, the first line from standard input is used for the RPC password.\n"
	    "  -stdinrpcpass           Read RPC password from standard input as a single line.\n"
	    "  -version                Print version and exit\n",
	    DEFAULT_CLIENT_TIMEOUT, DEFAULT_HOST);
}

static int
is_shared(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shared_opts) / sizeof(shared_opts[0]); i++)
		if (strcmp(name, shared_opts[i]) == 0)
			return 1;
	return 0;
}

/*
 * Parses the leading options; returns the index of the command. Those the
 * config reader resolves are collected in o->shared for it.
 */
static int
parse_options(int argc, char **argv, struct cli_opts *o)
{
	int i;

	o->shared = xmalloc(sizeof(*o->shared));
	o->shared[o->nshared++] = argv[0];
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *name, *val;
		int neg = 0;

		if (a[0] != '-' || a[1] == '\0')
			break;
		name = xstrdup(a[1] == '-' ? a + 2 : a + 1);
		val = strchr(name, '=');
		if (val)
			*val++ = '\0';
		if (strncmp(name, "no", 2) == 0 && name[2] && val == NULL) {
			neg = 1;
			memmove(name, name + 2, strlen(name + 2) + 1);
		}
		if (is_shared(name)) {
			o->shared = xreallocarray(o->shared,
			    (size_t)o->nshared + 1, sizeof(*o->shared));
			o->shared[o->nshared++] = a;
		} else if (strcmp(name, "rpcwait") == 0)
			o->rpcwait = bool_value(val, neg);
		else if (strcmp(name, "named") == 0)
			o->named = bool_value(val, neg);
		else if (strcmp(name, "stdin") == 0)
			o->use_stdin = bool_value(val, neg);
		else if (strcmp(name, "stdinrpcpass") == 0)
			o->stdinrpcpass = bool_value(val, neg);
		else if (strcmp(name, "getinfo") == 0)
			o->getinfo = bool_value(val, neg);
		else if (strcmp(name, "netinfo") == 0)
			o->netinfo = bool_value(val, neg);
		else if (strcmp(name, "addrinfo") == 0)
			o->addrinfo = bool_value(val, neg);
		else if (strcmp(name, "generate") == 0)
			o->generate = bool_value(val, neg);
		else if (strcmp(name, "rpcwaittimeout") == 0)
			o->rpcwaittimeout = val ? strtol(val, NULL, 10) : 0;
		else if (strcmp(name, "rpcclienttimeout") == 0)
			o->rpcclienttimeout = val ? strtol(val, NULL, 10) :
						    DEFAULT_CLIENT_TIMEOUT;
		else if (strcmp(name, "?") == 0 || strcmp(name, "h") == 0 ||
		    strcmp(name, "help") == 0)
			o->help = 1;
		else if (strcmp(name, "version") == 0)
			o->version = 1;
		else if (strcmp(name, "rpcwallet") == 0 ||
		    strcmp(name, "color") == 0 || strcmp(name, "debug") == 0)
			; /* accepted for compatibility, no effect */
		else {
			fprintf(stderr,
			    "Error parsing command line arguments: "
			    "Invalid parameter -%s\n",
			    name);
			fflush(stderr);
			_exit(1);
		}
		free(name);
	}
	return i;
}

/* ---- Which parameters are JSON (Core's client conversion table) ---- */

struct conv {
	const char *method;
	int idx;
	const char *name;
};

static const struct conv conv_table[] = {
	{ "addconnection", 2, "v2transport" },
	{ "addnode", 2, "v2transport" },
	{ "addpeeraddress", 1, "port" },
	{ "addpeeraddress", 2, "tried" },
	{ "combinepsbt", 0, "txs" },
	{ "combinerawtransaction", 0, "txs" },
	{ "converttopsbt", 1, "permitsigdata" },
	{ "converttopsbt", 2, "iswitness" },
	{ "createmultisig", 0, "nrequired" },
	{ "createmultisig", 1, "keys" },
	{ "createpsbt", 0, "inputs" },
	{ "createpsbt", 1, "outputs" },
	{ "createpsbt", 2, "locktime" },
	{ "createpsbt", 3, "replaceable" },
	{ "createrawtransaction", 0, "inputs" },
	{ "createrawtransaction", 1, "outputs" },
	{ "createrawtransaction", 2, "locktime" },
	{ "createrawtransaction", 3, "replaceable" },
	{ "createrawtransaction", 4, "version" },
	{ "decoderawtransaction", 1, "iswitness" },
	{ "deriveaddresses", 1, "range" },
	{ "disconnectnode", 1, "nodeid" },
	{ "finalizepsbt", 1, "extract" },
	{ "echojson", 0, "arg0" },
	{ "echojson", 1, "arg1" },
	{ "echojson", 2, "arg2" },
	{ "echojson", 3, "arg3" },
	{ "echojson", 4, "arg4" },
	{ "echojson", 5, "arg5" },
	{ "echojson", 6, "arg6" },
	{ "echojson", 7, "arg7" },
	{ "echojson", 8, "arg8" },
	{ "echojson", 9, "arg9" },
	{ "generateblock", 1, "transactions" },
	{ "generateblock", 2, "submit" },
	{ "generatetoaddress", 0, "nblocks" },
	{ "generatetoaddress", 2, "maxtries" },
	{ "estimaterawfee", 0, "conf_target" },
	{ "estimaterawfee", 1, "threshold" },
	{ "estimatesmartfee", 0, "conf_target" },
	{ "generatetodescriptor", 0, "num_blocks" },
	{ "generatetodescriptor", 2, "maxtries" },
	{ "getblock", 1, "verbosity" },
	{ "getblock", 1, "verbose" },
	{ "getblockfrompeer", 1, "peer_id" },
	{ "getblockhash", 0, "height" },
	{ "getblockheader", 1, "verbose" },
	{ "getblockstats", 0, "hash_or_height" },
	{ "getblockstats", 1, "stats" },
	{ "getblocktemplate", 0, "template_request" },
	{ "getchaintxstats", 0, "nblocks" },
	{ "getnetworkhashps", 0, "nblocks" },
	{ "getnetworkhashps", 1, "height" },
	{ "getmempoolancestors", 1, "verbose" },
	{ "getmempooldescendants", 1, "verbose" },
	{ "getnodeaddresses", 0, "count" },
	{ "getrawmempool", 0, "verbose" },
	{ "importmempool", 1, "options" },
	{ "getrawmempool", 1, "mempool_sequence" },
	{ "getrawtransaction", 1, "verbosity" },
	{ "getrawtransaction", 1, "verbose" },
	{ "gettxout", 1, "n" },
	{ "gettxout", 2, "include_mempool" },
	{ "gettxoutproof", 0, "txids" },
	{ "gettxoutsetinfo", 1, "hash_or_height" },
	{ "gettxoutsetinfo", 2, "use_index" },
	{ "gettxspendingprevout", 0, "outputs" },
	{ "joinpsbts", 0, "txs" },
	{ "logging", 0, "include" },
	{ "logging", 1, "exclude" },
	{ "mockscheduler", 0, "delta_time" },
	{ "prioritisetransaction", 1, "dummy" },
	{ "prioritisetransaction", 2, "fee_delta" },
	{ "scanblocks", 1, "scanobjects" },
	{ "scanblocks", 2, "start_height" },
	{ "scanblocks", 3, "stop_height" },
	{ "scanblocks", 5, "options" },
	{ "scantxoutset", 1, "scanobjects" },
	{ "sendmsgtopeer", 0, "peer_id" },
	{ "sendrawtransaction", 1, "maxfeerate" },
	{ "sendrawtransaction", 2, "maxburnamount" },
	{ "setban", 2, "bantime" },
	{ "setban", 3, "absolute" },
	{ "setmocktime", 0, "timestamp" },
	{ "setnetworkactive", 0, "state" },
	{ "signrawtransactionwithkey", 1, "privkeys" },
	{ "signrawtransactionwithkey", 2, "prevtxs" },
	{ "stop", 0, "wait" },
	{ "submitpackage", 0, "package" },
	{ "submitpackage", 1, "maxfeerate" },
	{ "submitpackage", 2, "maxburnamount" },
	{ "testmempoolaccept", 0, "rawtxs" },
	{ "testmempoolaccept", 1, "maxfeerate" },
	{ "utxoupdatepsbt", 1, "descriptors" },
	{ "verifychain", 0, "checklevel" },
	{ "verifychain", 1, "nblocks" },
	{ "waitforblock", 1, "timeout" },
	{ "waitforblockheight", 0, "height" },
	{ "waitforblockheight", 1, "timeout" },
	{ "waitfornewblock", 0, "timeout" },
};

static int
is_json_param(const char *method, int idx, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(conv_table) / sizeof(conv_table[0]); i++) {
		if (strcmp(conv_table[i].method, method) != 0)
			continue;
		if (name ? strcmp(conv_table[i].name, name) == 0 :
			   conv_table[i].idx == idx)
			return 1;
	}
	return 0;
}

static json_t *
convert(const char *method, int idx, const char *name, const char *val)
{
	json_t *v;

	if (!is_json_param(method, idx, name))
		return json_string(val);
	/* Numbers go to the server as the user wrote them, as Core's do. */
	v = rpc_json_load_literal(val, strlen(val), NULL);
	if (v == NULL)
		cli_die("Error parsing JSON: %s", val);
	return v;
}

static json_t *
build_params(const char *method, char **args, int n, int named)
{
	json_t *params, *pos = NULL;
	int i, npos = 0;
	char *eq, *key;

	if (!named) {
		params = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(params,
			    convert(method, i, NULL, args[i]));
		return params;
	}
	params = json_object();
	for (i = 0; i < n; i++) {
		eq = strchr(args[i], '=');
		if (eq == NULL) {
			/* Positional values mixed in go to "args". */
			if (pos == NULL)
				pos = json_array();
			json_array_append_new(pos,
			    convert(method, npos++, NULL, args[i]));
			continue;
		}
		key = strndup(args[i], (size_t)(eq - args[i]));
		if (key == NULL)
			cli_die("out of memory");
		if (json_object_get(params, key))
			cli_die("Parameter %s specified multiple times", key);
		json_object_set_new(params, key,
		    convert(method, -1, key, eq + 1));
		free(key);
	}
	if (pos)
		json_object_set_new(params, "args", pos);
	return params;
}

int
main(int argc, char **argv)
{
	struct cli_opts o;
	struct cli_conn ci;
	struct cli_reply rep;
	struct args *a;
	char **args, *userpass, *line, msg[1024];
	const char *v, *method;
	json_t *params, *req, *reply, *err, *res;
	char *body;
	int first, nargs, i, port = -1, rc = 0;

	memset(&o, 0, sizeof(o));
	memset(&ci, 0, sizeof(ci));
	o.rpcclienttimeout = DEFAULT_CLIENT_TIMEOUT;
	first = parse_options(argc, argv, &o);
	if (o.help) {
		usage();
		return 0;
	}
	if (o.version) {
		printf("Bitroot RPC client version v0.1.0\n");
		return 0;
	}

	/*
	 * Data directory, config file and chain: the daemon's reader, in
	 * client mode; the command line's shared options go first.
	 */
	a = args_new_client();
	if (args_parse_argv(a, o.nshared, o.shared, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "Error parsing command line arguments: %s\n",
		    msg);
		fflush(stderr);
		_exit(1);
	}
	if (args_read_config(a, msg, sizeof(msg)) == -1 ||
	    args_select_chain(a, msg, sizeof(msg)) == -1)
		cli_die("%s", msg);
	ci.conf_path = args_config_path(a) ?
	    xstrdup(args_config_path(a)) :
	    xasprintf("%s/bitcoin.conf", args_datadir(a));

	/* Where to connect. */
	v = args_get(a, "rpcconnect");
	snprintf(ci.host, sizeof(ci.host), "%s", v && *v ? v : DEFAULT_HOST);
	{
		char *colon = strrchr(ci.host, ':');

		/* "host:port" or "[v6]:port" in -rpcconnect. */
		if (colon &&
		    (ci.host[0] == '[' || strchr(ci.host, ':') == colon)) {
			port = atoi(colon + 1);
			*colon = '\0';
		}
		if (ci.host[0] == '[') {
			memmove(ci.host, ci.host + 1, strlen(ci.host));
			if (ci.host[0] && ci.host[strlen(ci.host) - 1] == ']')
				ci.host[strlen(ci.host) - 1] = '\0';
		}
	}
	v = args_get(a, "rpcport");
	if (v && *v) {
		port = atoi(v);
		if (port <= 0 || port > 65535)
			cli_die("Invalid port provided in -rpcport: %s", v);
	}
	if (port <= 0) {
		enum chain_id id;
		struct chainparams *cp;

		if (chainparams_id_from_name(args_chain_name(a), &id) != 0)
			cli_die("Unknown chain %s", args_chain_name(a));
		cp = chainparams_new(id);
		port = cp->rpc_port;
		chainparams_free(cp);
	}
	ci.port = port;

	/* Arguments, with -stdin lines after those on the command line. */
	nargs = argc - first;
	args = xreallocarray(NULL, (size_t)nargs + 1, sizeof(char *));
	for (i = 0; i < nargs; i++)
		args[i] = argv[first + i];
	if (o.stdinrpcpass) {
		line = cli_read_line(stdin);
		if (line == NULL)
			cli_die(
			    "-stdinrpcpass specified but failed to read from "
			    "standard input");
		free(o.rpcpassword);
		o.rpcpassword = line;
	}
	if (o.use_stdin) {
		while ((line = cli_read_line(stdin)) != NULL) {
			args = xreallocarray(args, (size_t)nargs + 2,
			    sizeof(char *));
			args[nargs++] = line;
		}
	}

	/* Credentials: password if set, else the cookie. */
	v = o.rpcpassword ? o.rpcpassword : args_get(a, "rpcpassword");
	if (v == NULL || *v == '\0') {
		const char *cf = args_get(a, "rpccookiefile");

		if (cf && cf[0] == '/')
			ci.cookie_path = xstrdup(cf);
		else
			ci.cookie_path = xasprintf("%s/%s", args_chaindir(a),
			    cf && *cf ? cf : ".cookie");
		cli_load_cookie(&ci);
		userpass = NULL;
	} else {
		const char *u = args_get(a, "rpcuser");

		userpass = xasprintf("%s:%s", u ? u : "", v);
	}
	if (userpass) {
		ci.auth = cli_base64(userpass);
		explicit_bzero(userpass, strlen(userpass));
		free(userpass);
	}

	ci.args = a;
	if (o.getinfo) {
		rc = cli_getinfo(&o, &ci);
		goto out;
	}
	if (o.netinfo) {
		rc = cli_netinfo(&o, &ci, args, nargs);
		goto out;
	}
	if (o.addrinfo) {
		rc = cli_addrinfo(&o, &ci, args, nargs);
		goto out;
	}
	if (o.generate) {
		rc = cli_generate(&o, &ci, args, nargs);
		goto out;
	}
	if (nargs < 1)
		cli_die("too few parameters (need at least command)");
	method = args[0];
	params = build_params(method, args + 1, nargs - 1, o.named);
	req = json_object();
	json_object_set_new(req, "jsonrpc", json_string("2.0"));
	json_object_set_new(req, "method", json_string(method));
	json_object_set_new(req, "params", params);
	json_object_set_new(req, "id", json_integer(1));
	body = rpc_json_dumps(req, 0);
	json_decref(req);

	reply = cli_call(&o, &ci, body, &rep);
	free(body);
	if (!json_is_object(reply))
		cli_die(
		    "expected reply to have result, error and id properties");
	err = json_object_get(reply, "error");
	res = json_object_get(reply, "result");
	if (err && !json_is_null(err)) {
		cli_print_error(err);
		rc = cli_error_status(err);
	} else if (res == NULL || json_is_null(res))
		;
	else if (json_is_string(res))
		printf("%s\n", json_string_value(res));
	else {
		/* Again, with the numbers as the server wrote them. */
		json_t *lit = rpc_json_load_literal(rep.body, rep.len, NULL);
		char *text = rpc_json_dumps(json_object_get(lit, "result"), 2);

		printf("%s\n", text);
		free(text);
		json_decref(lit);
	}
	free(rep.body);
	json_decref(reply);
out:
	for (i = argc - first; i < nargs; i++)
		free(args[i]);
	free(args);
	free(ci.auth);
	free(ci.cookie_path);
	free(ci.conf_path);
	free(o.shared);
	free(o.rpcpassword);
	args_free(a);
	return rc;
}
