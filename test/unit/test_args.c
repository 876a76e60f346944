/*
 * Arguments and config files: the command-line grammar, the getters, the
 * registry, chain selection, and the golden files in test/golden/config.
 *
 * A golden case is NAME.conf with NAME.expected. Lines "#! args: ..." in
 * the .conf give the command line (after -datadir=<temp dir>), "#! file:
 * NAME" the name it is copied to in the datadir (default bitroot.conf;
 * "none" copies nothing) and "#! copy: SRC DEST" more files from the same
 * directory. The effective settings (args_dump), or "error: <message>",
 * with the datadir shown as $DATADIR, must equal NAME.expected.
 * BR_GOLDEN_UPDATE=1 rewrites the .expected files (review them!).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testenv.h"
#include "unit.h"
#include "util/args.h"
#include "util/file.h"
#include "util/xmalloc.h"

#ifndef BR_SRCDIR
#define BR_SRCDIR "."
#endif

/* A temp directory, removed with testenv_rm_rf; the caller frees it. */
static char *
make_tmpdir(void)
{
	char d[64];

	if (testenv_tmpdir(d, sizeof(d), "test_args") != 0)
		exit(2);
	return xstrdup(d);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static char *
read_text(const char *path)
{
	uint8_t *p;
	size_t len;

	return file_read_all(path, 0, &p, &len) == 0 ? (char *)p : NULL;
}

/* Parses a command line given as a NULL-terminated list. */
static struct args *
parse(char *err, size_t errlen, int *rc, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	struct args *a = args_new();

	argv[argc++] = "bitrootd";
	va_start(ap, rc);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	*rc = args_parse_argv(a, argc, argv, err, errlen);
	return a;
}

static void
test_registry(void)
{
	static const char *const harness[] = {
		"datadir",
		"logtimemicros",
		"debug",
		"debugexclude",
		"uacomment",
		"disablewallet",
		"logthreadnames",
		"logsourcelocations",
		"loglevel",
		"logratelimit",
		"v2transport",
		"bind",
		"whitelist",
		"rpcservertimeout",
		"rpcdoccheck",
		"rpcthreads",
		"fallbackfee",
		"server",
		"keypool",
		"discover",
		"dnsseed",
		"fixedseeds",
		"listenonion",
		"peertimeout",
		"printtoconsole",
		"natpmp",
		"shrinkdebugfile",
		"unsafesqlitesync",
		"connect",
		"maxconnections",
		"par",
		"port",
		"rpcport",
		"regtest",
		"deprecatedrpc",
		"upnp",
		"mocktime",
		"testactivationheight",
		"acceptnonstdtxn",
		"prune",
		"txindex",
		"blockfilterindex",
		"coinstatsindex",
		"loadblock",
		"reindex",
		"stopatheight",
		"dbcache",
		"daemon",
		"daemonwait",
		"pid",
		"conf",
		"includeconf",
		"debuglogfile",
		"logips",
		"logtimestamps",
		"rpcuser",
		"rpcpassword",
		"rpcauth",
		"rpccookiefile",
		"rpccookieperms",
		"rpcallowip",
		"rpcbind",
		"rpcworkqueue",
		"rest",
		"timeout",
		"maxreceivebuffer",
		"maxsendbuffer",
		"bantime",
		"whitebind",
		"seednode",
		"wallet",
		"proxy",
		"onion",
		"blocksonly",
		"maxmempool",
		"mempoolexpiry",
		"minrelaytxfee",
		"persistmempool",
		"alertnotify",
		"blocknotify",
		"startupnotify",
		"shutdownnotify",
		"maxuploadtarget",
		"peerbloomfilters",
		"maxtipage",
		"checkblocks",
		"checklevel",
		"checkmempool",
		"assumevalid",
		"minimumchainwork",
		"listen",
		"addnode",
		"testnet",
		"testnet4",
		"signet",
		"chain",
		"help-debug",
		"version",
		"?",
		"h",
		"help",
	};
	struct args *a = args_new();
	const char *const *v;
	size_t i;

	for (i = 0; i < sizeof(harness) / sizeof(harness[0]); i++) {
		if (!args_is_known(harness[i]))
			fprintf(stderr, "not registered: -%s\n", harness[i]);
		CHECK(args_is_known(harness[i]));
	}
	CHECK(!args_is_known("foo"));
	CHECK(!args_is_known(""));
	CHECK(!args_is_known("noport"));
	/* a registered name starting with "no" would shadow a negation */
	CHECK(!args_is_known("node"));
	/* nothing set: getters give the defaults */
	CHECK(args_get(a, "port") == NULL);
	CHECK(!args_is_set(a, "port"));
	CHECK_EQ_INT(args_get_int(a, "port", 18444), 18444);
	CHECK_EQ_INT(args_get_bool(a, "listen", 1), 1);
	CHECK_EQ_INT(args_get_all(a, "addnode", &v), 0);
	/* -port and port are the same name for the getters */
	CHECK_EQ_INT(args_get_int(a, "-port", 7), 7);
	args_free(a);
}

/* Core's network-only options, checked through the rule itself. */
static void
test_network_only_set(void)
{
	static const char *const net_only[] = {
		"addnode",
		"bind",
		"connect",
		"port",
		"rpcbind",
		"rpcport",
		"wallet",
		"walletdir",
	};
	static const char *const not_net[] = {
		"maxconnections",
		"rpcuser",
		"rpcallowip",
		"listen",
		"whitebind",
		"seednode",
		"debug",
		"server",
	};
	char *dir = make_tmpdir(), *path, *txt, arg[4200], err[512];
	size_t i;
	int rc;
	struct args *a;

	path = xasprintf("%s/bitroot.conf", dir);
	snprintf(arg, sizeof(arg), "-datadir=%s", dir);
	for (i = 0; i < sizeof(net_only) / sizeof(net_only[0]); i++) {
		txt = xasprintf("regtest=1\n%s=1\n", net_only[i]);
		write_file(path, txt);
		free(txt);
		a = parse(err, sizeof(err), &rc, arg, NULL);
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
		CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), -1);
		CHECK(strstr(err, net_only[i]) != NULL);
		args_free(a);
	}
	for (i = 0; i < sizeof(not_net) / sizeof(not_net[0]); i++) {
		txt = xasprintf("regtest=1\n%s=1\n", not_net[i]);
		write_file(path, txt);
		free(txt);
		a = parse(err, sizeof(err), &rc, arg, NULL);
		CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
		CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
		CHECK_EQ_STR(args_get(a, not_net[i]), "1");
		args_free(a);
	}
	free(path);
	testenv_rm_rf(dir);
	free(dir);
}

/*
 * bitroot-cli's view (args_new_client): -rpcconnect exists there only; a
 * network-only option at the top is dropped for a test chain instead of
 * refused, and the daemon's unsupported options are none of its business.
 */
static void
test_client(void)
{
	char *dir = make_tmpdir(), *path, arg[4200], err[512];
	char *argv[] = { "bitroot-cli", arg, "-rpcconnect=10.0.0.1", NULL };
	struct args *a;

	path = xasprintf("%s/bitroot.conf", dir);
	snprintf(arg, sizeof(arg), "-datadir=%s", dir);
	write_file(path,
	    "regtest=1\nrpcport=1\nrpcconnect=10.0.0.2\n"
	    "prune=550\nregtest.rpcpassword=p\n[regtest]\nrpcuser=u\n");
	a = args_new_client();
	CHECK_EQ_INT(args_parse_argv(a, 3, argv, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	CHECK_EQ_STR(args_chain_name(a), "regtest");
	CHECK(args_get(a, "rpcport") == NULL);
	CHECK_EQ_STR(args_get(a, "rpcconnect"), "10.0.0.1");
	CHECK_EQ_STR(args_get(a, "rpcuser"), "u");
	CHECK_EQ_STR(args_get(a, "rpcpassword"), "p");
	args_free(a);

	/* the daemon: -rpcconnect is an unknown name, on either side */
	CHECK(!args_is_known("rpcconnect"));
	a = args_new();
	CHECK_EQ_INT(args_parse_argv(a, 3, argv, err, sizeof(err)), -1);
	CHECK(strstr(err, "Invalid parameter -rpcconnect=10.0.0.1") != NULL);
	args_free(a);
	a = args_new();
	CHECK_EQ_INT(args_parse_argv(a, 2, argv, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), -1);
	CHECK(strstr(err, "-rpcport only applied on regtest") != NULL);
	args_free(a);

	free(path);
	testenv_rm_rf(dir);
	free(dir);
}

static void
test_argv_forms(void)
{
	char err[512];
	const char *const *v;
	struct args *a;
	int rc;

	a = parse(err, sizeof(err), &rc, "-port=1", "--rpcport=2", "-listen",
	    "-nodnsseed", "-uacomment", "-addnode=a", "--addnode=b",
	    "-addnode=c", "-dbcache=5", "-dbcache=6", "-connect=x",
	    "-noconnect", "-seednode=s1", "-noseednode", "-seednode=s2", NULL);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_STR(args_get(a, "port"), "1");
	CHECK_EQ_INT(args_get_int(a, "rpcport", 0), 2);
	/* a bare boolean is 1, a bare string is "" (true, as Core) */
	CHECK_EQ_STR(args_get(a, "listen"), "1");
	CHECK_EQ_STR(args_get(a, "uacomment"), "");
	CHECK_EQ_INT(args_get_bool(a, "uacomment", 0), 1);
	CHECK_EQ_STR(args_get(a, "dnsseed"), "0");
	CHECK(args_is_set(a, "dnsseed"));
	CHECK(args_is_negated(a, "dnsseed"));
	CHECK_EQ_INT(args_get_bool(a, "dnsseed", 1), 0);
	CHECK_EQ_INT(args_get_all(a, "addnode", &v), 3);
	CHECK_EQ_STR(v[0], "a");
	CHECK_EQ_STR(v[1], "b");
	CHECK_EQ_STR(v[2], "c");
	/* the command line: the last one wins */
	CHECK_EQ_STR(args_get(a, "addnode"), "c");
	CHECK_EQ_INT(args_get_int(a, "dbcache", 0), 6);
	/* a negation empties the list and reads as 0 */
	CHECK_EQ_INT(args_get_all(a, "connect", &v), 0);
	CHECK(args_is_negated(a, "connect"));
	CHECK_EQ_STR(args_get(a, "connect"), "0");
	/* values after a negation are kept */
	CHECK_EQ_INT(args_get_all(a, "seednode", &v), 1);
	CHECK_EQ_STR(v[0], "s2");
	CHECK(!args_is_negated(a, "seednode"));
	CHECK_EQ_INT(args_help_requested(a), 0);
	args_free(a);

	/* values keep everything after the first '=' */
	a = parse(err, sizeof(err), &rc, "-rpcauth=u:s$h=x",
	    "-uacomment=", NULL);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_STR(args_get(a, "rpcauth"), "u:s$h=x");
	CHECK_EQ_STR(args_get(a, "uacomment"), "");
	args_free(a);
}

static void
test_argv_negation(void)
{
	const char *const *v;
	char err[512];
	const char *const *w;
	struct args *a;
	int rc;

	/* -nofoo=0 is a confusing double negative: foo=1 and a warning */
	a = parse(err, sizeof(err), &rc, "-nolisten=0", "-nodnsseed=1",
	    "-nodiscover=", NULL);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(args_get_bool(a, "listen", 0), 1);
	CHECK(!args_is_negated(a, "listen"));
	CHECK(args_is_negated(a, "dnsseed"));
	CHECK(args_is_negated(a, "discover"));
	CHECK_EQ_INT(args_warnings(a, &w), 1);
	CHECK_EQ_STR(w[0],
	    "parsed potentially confusing double-negative "
	    "-listen=0");
	args_free(a);

	a = parse(err, sizeof(err), &rc, "-nolisten=yes", NULL);
	CHECK_EQ_INT(rc, -1);
	CHECK_EQ_STR(err,
	    "Cannot negate -listen at the same time as "
	    "setting a value ('yes').");
	args_free(a);

	a = parse(err, sizeof(err), &rc, "-nodatadir", NULL);
	CHECK_EQ_INT(rc, -1);
	CHECK_EQ_STR(err,
	    "Negating of -datadir is meaningless and "
	    "therefore forbidden");
	args_free(a);

	/* -noX then -X brings the option back */
	a = parse(err, sizeof(err), &rc, "-noaddnode", "-addnode=z", NULL);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(args_get_all(a, "addnode", &v), 1);
	CHECK_EQ_STR(v[0], "z");
	args_free(a);
}

static void
test_argv_errors(void)
{
	static const struct {
		const char *arg, *err;
	} cases[] = {
		{ "-foo", "Invalid parameter -foo" },
		{ "-foo=bar", "Invalid parameter -foo=bar" },
		{ "--foo", "Invalid parameter --foo" },
		{ "-nofoo", "Invalid parameter -nofoo" },
		{ "-", "Invalid parameter -" },
		{ "-=1", "Invalid parameter -=1" },
		{ "-regtest.port=1", "Invalid parameter -regtest.port=1" },
		{ "port=1",
		    "Command line contains unexpected token 'port=1', "
		    "see bitrootd -h for a list of options." },
		{ "-includeconf=x.conf",
		    "-includeconf cannot be used from "
		    "commandline; -includeconf=\"x.conf\"" },
		{ "-datadir",
		    "Can not set -datadir with no value. Please "
		    "specify value with -datadir=value." },
		{ "-maxconnections=ten",
		    "Invalid value -maxconnections=ten: "
		    "not an integer" },
		{ "-maxconnections=",
		    "Invalid value -maxconnections=: not "
		    "an integer" },
		{ "-maxconnections=99999999999999999999",
		    "Invalid value "
		    "-maxconnections=99999999999999999999: not an integer" },
		{ "-listen=yes", "Invalid value -listen=yes: use 1 or 0" },
		{ "-loglevel",
		    "Can not set -loglevel with no value. Please "
		    "specify value with -loglevel=value." },
	};
	char err[512];
	struct args *a;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = parse(err, sizeof(err), &rc, cases[i].arg, NULL);
		/* A stray word is told apart: Core gives it no prefix. */
		CHECK_EQ_INT(rc, cases[i].arg[0] == '-' ? -1 : -2);
		CHECK_EQ_STR(err, cases[i].err);
		args_free(a);
	}
	/* -noincludeconf is allowed: it turns includes off */
	a = parse(err, sizeof(err), &rc, "-noincludeconf", "-par=-2",
	    "-listen=", NULL);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(args_get_int(a, "par", 0), -2);
	CHECK_EQ_INT(args_get_bool(a, "listen", 0), 1);
	args_free(a);
	/* As Core, judged after the whole line: a later negation clears it. */
	a = parse(err, sizeof(err), &rc, "-includeconf=a.conf",
	    "-noincludeconf", NULL);
	CHECK_EQ_INT(rc, 0);
	args_free(a);
	a = parse(err, sizeof(err), &rc, "-includeconf=a.conf",
	    "-noincludeconf", "-includeconf=b\"c.conf", "-includeconf=d",
	    NULL);
	CHECK_EQ_INT(rc, -1);
	CHECK_EQ_STR(err,
	    "-includeconf cannot be used from commandline; "
	    "-includeconf=\"b\\\"c.conf\"");
	args_free(a);
}

static void
test_help(void)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	struct args *a;
	FILE *f;
	int rc;

	a = parse(err, sizeof(err), &rc, "-?", NULL);
	CHECK_EQ_INT(args_help_requested(a), 1);
	args_free(a);
	a = parse(err, sizeof(err), &rc, "-h", NULL);
	CHECK_EQ_INT(args_help_requested(a), 1);
	args_free(a);
	a = parse(err, sizeof(err), &rc, "--help", NULL);
	CHECK_EQ_INT(args_help_requested(a), 1);
	args_free(a);
	a = parse(err, sizeof(err), &rc, "-help-debug", NULL);
	CHECK_EQ_INT(args_help_requested(a), 2);
	args_free(a);

	f = open_memstream(&buf, &len);
	args_print_help(f, 0);
	fclose(f);
	CHECK(strstr(buf, "Options:\n\n  -?\n") != NULL);
	CHECK(strstr(buf, "\nConnection options:\n") != NULL);
	CHECK(strstr(buf, "\nDebugging/Testing options:\n") != NULL);
	CHECK(strstr(buf, "\nChain selection options:\n") != NULL);
	CHECK(strstr(buf, "\nRPC server options:\n") != NULL);
	CHECK(strstr(buf, "\n  -addnode=<ip>\n       Add a node") != NULL);
	/* debug-only options only with -help-debug, hidden ones never */
	CHECK(strstr(buf, "-mocktime") == NULL);
	CHECK(strstr(buf, "  -upnp") == NULL);
	CHECK(strstr(buf, "  -h\n") == NULL);
	/* groups come in Core's order */
	CHECK(strstr(buf, "Connection options:") <
	    strstr(buf, "RPC server options:"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	args_print_help(f, 1);
	fclose(f);
	CHECK(strstr(buf, "  -mocktime=<n>\n") != NULL);
	CHECK(strstr(buf, "  -regtest\n") != NULL);
	CHECK(strstr(buf, "  -upnp") == NULL);
	free(buf);
}

/* The options Core's functional-test framework always passes. */
static void
test_harness_args(void)
{
	char err[512], *dir = make_tmpdir(), darg[4200];
	struct args *a;
	int rc;

	snprintf(darg, sizeof(darg), "-datadir=%s", dir);
	a = parse(err, sizeof(err), &rc, darg, "-logtimemicros", "-debug",
	    "-debugexclude=libevent", "-debugexclude=leveldb",
	    "-debugexclude=rand", "-uacomment=testnode0", "-disablewallet",
	    "-logthreadnames", "-logsourcelocations", "-loglevel=trace",
	    "-nologratelimit", "-v2transport=0", "-bind=127.0.0.1",
	    "-whitelist=noban@127.0.0.1", "-regtest", "-mocktime=1700000000",
	    "-testactivationheight=segwit@1", NULL);
	CHECK_EQ_INT(rc, 0);
	if (rc)
		fprintf(stderr, "%s\n", err);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	CHECK_EQ_STR(args_chain_name(a), "regtest");
	CHECK_EQ_INT(args_get_int(a, "mocktime", 0), 1700000000);
	args_free(a);
	testenv_rm_rf(dir);
	free(dir);
}

static void
test_chains(void)
{
	static const struct {
		const char *arg, *chain, *sub;
	} cases[] = {
		{ "-regtest", "regtest", "/regtest" },
		{ "-testnet", "test", "/testnet3" },
		{ "-testnet4", "testnet4", "/testnet4" },
		{ "-signet", "signet", "/signet" },
		{ "-chain=regtest", "regtest", "/regtest" },
		{ "-chain=test", "test", "/testnet3" },
		{ "-chain=main", "main", "" },
		{ "-noregtest", "main", "" },
		{ "-regtest=0", "main", "" },
	};
	char err[512], *dir = make_tmpdir(), darg[4200], *want;
	struct args *a;
	size_t i;
	int rc;

	snprintf(darg, sizeof(darg), "-datadir=%s", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = parse(err, sizeof(err), &rc, darg, cases[i].arg, NULL);
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
		CHECK_EQ_STR(args_chain_name(a), cases[i].chain);
		want = xasprintf("%s%s", dir, cases[i].sub);
		CHECK_EQ_STR(args_chaindir(a), want);
		CHECK_EQ_STR(args_datadir(a), dir);
		free(want);
		args_free(a);
	}
	a = parse(err, sizeof(err), &rc, darg, "-regtest", "-testnet", NULL);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Invalid combination of -regtest, -signet, "
	    "-testnet, -testnet4 and -chain. Can use at most one.");
	args_free(a);
	a = parse(err, sizeof(err), &rc, darg, "-chain=regtest", "-signet",
	    NULL);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), -1);
	args_free(a);
	a = parse(err, sizeof(err), &rc, darg, "-chain=foo", NULL);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Unknown chain foo. Use main, test, testnet4, "
	    "signet or regtest.");
	args_free(a);
	testenv_rm_rf(dir);
	free(dir);
}

static void
test_datadir(void)
{
	char err[512], *dir = make_tmpdir(), darg[4200], *home, *cwd, *want;
	char *oldhome = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	struct args *a;
	int rc;

	/* a given datadir must exist */
	snprintf(darg, sizeof(darg), "-datadir=%s/missing", dir);
	a = parse(err, sizeof(err), &rc, darg, NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), -1);
	want = xasprintf("Specified data directory \"%s/missing\" does not "
			 "exist.",
	    dir);
	CHECK_EQ_STR(err, want);
	free(want);
	args_free(a);

	/* trailing slashes go; a relative one is taken from the cwd */
	snprintf(darg, sizeof(darg), "-datadir=%s///", dir);
	a = parse(err, sizeof(err), &rc, darg, NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	CHECK_EQ_STR(args_datadir(a), dir);
	CHECK_EQ_STR(args_chaindir(a), dir);
	args_free(a);
	cwd = getcwd(NULL, 0);
	CHECK(chdir(dir) == 0);
	CHECK(mkdir("rel", 0700) == 0);
	a = parse(err, sizeof(err), &rc, "-datadir=rel", "-regtest", NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	want = xasprintf("%s/rel/regtest", dir);
	/* mkdtemp under /tmp: no symlinks in the way */
	CHECK_EQ_STR(args_chaindir(a), want);
	free(want);
	args_free(a);
	CHECK(chdir(cwd) == 0);
	free(cwd);

	/* the default is ~/.bitroot, which need not exist yet */
	home = xasprintf("%s/home", dir);
	CHECK(mkdir(home, 0700) == 0);
	setenv("HOME", home, 1);
	a = parse(err, sizeof(err), &rc, "-testnet4", NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	want = xasprintf("%s/.bitroot", home);
	CHECK_EQ_STR(args_datadir(a), want);
	free(want);
	want = xasprintf("%s/.bitroot/testnet4", home);
	CHECK_EQ_STR(args_chaindir(a), want);
	free(want);
	CHECK(args_config_path(a) == NULL);
	args_free(a);

	/* ... and its config file is read */
	want = xasprintf("%s/.bitroot", home);
	CHECK(mkdir(want, 0700) == 0);
	free(want);
	want = xasprintf("%s/.bitroot/bitroot.conf", home);
	write_file(want, "regtest=1\n[regtest]\nport=5\n");
	a = parse(err, sizeof(err), &rc, NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	CHECK_EQ_STR(args_config_path(a), want);
	CHECK_EQ_STR(args_chain_name(a), "regtest");
	CHECK_EQ_INT(args_get_int(a, "port", 0), 5);
	args_free(a);
	free(want);

	/* datadir= in the file moves the chain directory; it must exist */
	want = xasprintf("%s/.bitroot/bitroot.conf", home);
	write_file(want, "datadir=/nonexistent/bitroot\n");
	free(want);
	a = parse(err, sizeof(err), &rc, NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Specified data directory \"/nonexistent/bitroot\" "
	    "does not exist.");
	args_free(a);
	want = xasprintf("%s/.bitroot/bitroot.conf", home);
	cwd = xasprintf("datadir=%s\n", dir);
	write_file(want, cwd);
	free(cwd);
	free(want);
	a = parse(err, sizeof(err), &rc, "-regtest", NULL);
	CHECK_EQ_INT(args_read_config(a, err, sizeof(err)), 0);
	CHECK_EQ_INT(args_select_chain(a, err, sizeof(err)), 0);
	want = xasprintf("%s/regtest", dir);
	CHECK_EQ_STR(args_chaindir(a), want);
	free(want);
	args_free(a);

	if (oldhome) {
		setenv("HOME", oldhome, 1);
		free(oldhome);
	} else
		unsetenv("HOME");
	free(home);
	testenv_rm_rf(dir);
	free(dir);
}

/* Asking for an option nobody registered is a bug, caught at once. */
static void
test_unregistered_is_fatal(void)
{
	struct args *a;
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", 1);

		dup2(null, 2);
		a = args_new();
		(void)args_get(a, "no-such-option");
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

/* Replaces every occurrence of from in s by to; returns a new string. */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	out = o = xmalloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
	while ((p = strstr(s, from)) != NULL) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
		s = p + fl;
	}
	strcpy(o, s);
	return out;
}

static void
copy_file(const char *src, const char *dst)
{
	char *t = read_text(src);

	if (t == NULL) {
		fprintf(stderr, "golden: cannot read %s\n", src);
		unit_case_failed = 1;
		return;
	}
	write_file(dst, t);
	free(t);
}

/* Runs one golden case; returns 0 when it matches. */
static int
golden_case(const char *gdir, const char *name)
{
	char *conf = xasprintf("%s/%s.conf", gdir, name), *text, *line, *save;
	char *expath = xasprintf("%s/%s.expected", gdir, name), *dir, *out;
	char *argv[64], *targ, *dest = xstrdup("bitroot.conf"), *p, *q;
	char err[4096], *got, *want, *s;
	struct args *a;
	int argc = 0, ok;

	dir = make_tmpdir();
	argv[argc++] = xstrdup("bitrootd");
	argv[argc++] = xasprintf("-datadir=%s", dir);
	text = read_text(conf);
	if (text == NULL) {
		fprintf(stderr, "golden: cannot read %s\n", conf);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "#! args:", 8) == 0) {
			for (p = strtok_r(line + 8, " ", &q);
			     p != NULL && argc < 63;
			     p = strtok_r(NULL, " ", &q))
				argv[argc++] = replace_all(p, "$DATADIR", dir);
		} else if (strncmp(line, "#! file:", 8) == 0) {
			free(dest);
			dest = xstrdup(line + 8 + strspn(line + 8, " "));
		} else if (strncmp(line, "#! copy:", 8) == 0) {
			p = strtok_r(line + 8, " ", &q);
			targ = strtok_r(NULL, " ", &q);
			if (p && targ) {
				s = xasprintf("%s/%s", gdir, p);
				out = xasprintf("%s/%s", dir, targ);
				copy_file(s, out);
				free(s);
				free(out);
			}
		}
	}
	free(text);
	if (strcmp(dest, "none") != 0) {
		out = xasprintf("%s/%s", dir, dest);
		copy_file(conf, out);
		free(out);
	}

	a = args_new();
	if (args_parse_argv(a, argc, argv, err, sizeof(err)) == -1 ||
	    args_read_config(a, err, sizeof(err)) == -1 ||
	    args_select_chain(a, err, sizeof(err)) == -1)
		out = xasprintf("error: %s\n", err);
	else
		out = args_dump(a);
	args_free(a);
	got = replace_all(out, dir, "$DATADIR");
	free(out);

	if (getenv("BR_GOLDEN_UPDATE") != NULL)
		write_file(expath, got);
	want = read_text(expath);
	ok = want != NULL && strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr,
		    "golden %s: mismatch\n--- expected (%s)\n%s"
		    "--- got\n%s---\n",
		    name, expath, want ? want : "(none)\n", got);
	free(want);
	free(got);
	while (argc > 0)
		free(argv[--argc]);
	testenv_rm_rf(dir);
	free(dir);
	free(dest);
	free(conf);
	free(expath);
	return ok ? 0 : -1;
}

static void
test_golden_config(void)
{
	const char *gdir = getenv("BR_GOLDEN_DIR") ? getenv("BR_GOLDEN_DIR") :
						     BR_SRCDIR
	    "/test/golden/config";
	struct dirent *de;
	DIR *d;
	size_t l, ncases = 0;
	char *name;

	if ((d = opendir(gdir)) == NULL) {
		fprintf(stderr, "golden: %s: %s\n", gdir, strerror(errno));
		CHECK(d != NULL);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 10 || strcmp(de->d_name + l - 9, ".expected") != 0)
			continue;
		name = xasprintf("%.*s", (int)(l - 9), de->d_name);
		if (golden_case(gdir, name) != 0)
			unit_case_failed = 1;
		ncases++;
		free(name);
	}
	closedir(d);
	/* an empty directory must not pass silently */
	CHECK(ncases >= 20);
}

UNIT_MAIN(UNIT_CASE(test_registry), UNIT_CASE(test_network_only_set),
    UNIT_CASE(test_client), UNIT_CASE(test_argv_forms),
    UNIT_CASE(test_argv_negation), UNIT_CASE(test_argv_errors),
    UNIT_CASE(test_help), UNIT_CASE(test_harness_args), UNIT_CASE(test_chains),
    UNIT_CASE(test_datadir), UNIT_CASE(test_unregistered_is_fatal),
    UNIT_CASE(test_golden_config))
