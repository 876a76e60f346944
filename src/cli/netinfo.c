/*
 * -netinfo: bitcoin-cli's peer dashboard, from one batch of getpeerinfo and
 * getnetworkinfo. The layout follows bitcoin-cli 28 column for column, so
 * scripts and eyes used to Core's read it the same way; only the client's
 * name in the first line differs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "rpc/jsonenc.h"
#include "util/args.h"
#include "util/xmalloc.h"

#define MAX_LEVEL 4

/* Core's network names, the short names -netinfo prints, and which are
 * never "reachable" (so shown only when a peer uses them). */
static const struct {
	const char *name, *shortname;
	int unreachable;
} nets[] = {
	{ "ipv4", "ipv4", 0 },
	{ "ipv6", "ipv6", 0 },
	{ "onion", "onion", 0 },
	{ "i2p", "i2p", 0 },
	{ "cjdns", "cjdns", 0 },
	{ "not_publicly_routable", "npr", 1 },
	{ "internal", "int", 1 },
};
#define NNETS (sizeof(nets) / sizeof(nets[0]))

struct np {
	char addr[128], version[160], age[24];
	const char *type, *net;
	double minping, ping;
	int64_t addrp, addrl, last_blk, last_recv, last_send, last_txn;
	long long id;
	char v;
	int hb_to, hb_from, relaytxes, addr_relay, outbound;
};

static const char help_text[] =
    "-netinfo level|\"help\" \n\n"
    "Returns a network peer connections dashboard with information from the remote server.\n"
    "This human-readable interface will change regularly and is not intended to be a stable API.\n"
    "Under the hood, -netinfo fetches the data by calling getpeerinfo and getnetworkinfo.\n"
    "An optional integer argument from 0 to 4 can be passed for different peers listings; 4 to 255 are parsed as 4.\n"
    "Pass \"help\" to see this detailed help documentation.\n"
    "If more than one argument is passed, only the first one is read and parsed.\n"
    "Suggestion: use with the Linux watch(1) command for a live dashboard; see example below.\n\n"
    "Arguments:\n"
    "1. level (integer 0-4, optional)  Specify the info level of the peers dashboard (default 0):\n"
    "                                  0 - Peer counts for each reachable network as well as for block relay peers\n"
    "                                      and manual peers, and the list of local addresses and ports\n"
    "                                  1 - Like 0 but preceded by a peers listing (without address and version columns)\n"
    "                                  2 - Like 1 but with an address column\n"
    "                                  3 - Like 1 but with a version column\n"
    "                                  4 - Like 1 but with both address and version columns\n"
    "2. help (string \"help\", optional) Print this help documentation instead of the dashboard.\n\n"
    "Result:\n\n"
    "* The peers listing in levels 1-4 displays all of the peers sorted by direction and minimum ping time:\n\n"
    "  Column   Description\n"
    "  ------   -----------\n"
    "  <->      Direction\n"
    "           \"in\"  - inbound connections are those initiated by the peer\n"
    "           \"out\" - outbound connections are those initiated by us\n"
    "  type     Type of peer connection\n"
    "           \"full\"   - full relay, the default\n"
    "           \"block\"  - block relay; like full relay but does not relay transactions or addresses\n"
    "           \"manual\" - peer we manually added using RPC addnode or the -addnode/-connect config options\n"
    "           \"feeler\" - short-lived connection for testing addresses\n"
    "           \"addr\"   - address fetch; short-lived connection for requesting addresses\n"
    "  net      Network the peer connected through (\"ipv4\", \"ipv6\", \"onion\", \"i2p\", \"cjdns\", or \"npr\" (not publicly routable))\n"
    "  v        Version of transport protocol used for the connection\n"
    "  mping    Minimum observed ping time, in milliseconds (ms)\n"
    "  ping     Last observed ping time, in milliseconds (ms)\n"
    "  send     Time since last message sent to the peer, in seconds\n"
    "  recv     Time since last message received from the peer, in seconds\n"
    "  txn      Time since last novel transaction received from the peer and accepted into our mempool, in minutes\n"
    "           \"*\" - we do not relay transactions to this peer (relaytxes is false)\n"
    "  blk      Time since last novel block passing initial validity checks received from the peer, in minutes\n"
    "  hb       High-bandwidth BIP152 compact block relay\n"
    "           \".\" (to)   - we selected the peer as a high-bandwidth peer\n"
    "           \"*\" (from) - the peer selected us as a high-bandwidth peer\n"
    "  addrp    Total number of addresses processed, excluding those dropped due to rate limiting\n"
    "           \".\" - we do not relay addresses to this peer (addr_relay_enabled is false)\n"
    "  addrl    Total number of addresses dropped due to rate limiting\n"
    "  age      Duration of connection to the peer, in minutes\n"
    "  asmap    Mapped AS (Autonomous System) number in the BGP route to the peer, used for diversifying\n"
    "           peer selection (only displayed if the -asmap config option is set)\n"
    "  id       Peer index, in increasing order of peer connections since node startup\n"
    "  address  IP address and port of the peer\n"
    "  version  Peer version and subversion concatenated, e.g. \"70016/Satoshi:21.0.0/\"\n\n"
    "* The peer counts table displays the number of peers for each reachable network as well as\n"
    "  the number of block relay peers and manual peers.\n\n"
    "* The local addresses table lists each local address broadcast by the node, the port, and the score.\n\n"
    "Examples:\n\n"
    "Peer counts table of reachable networks and list of local addresses\n"
    "> bitroot-cli -netinfo\n\n"
    "The same, preceded by a peers listing without address and version columns\n"
    "> bitroot-cli -netinfo 1\n\n"
    "Full dashboard\n"
    "> bitroot-cli -netinfo 4\n\n"
    "Full live dashboard, adjust --interval or --no-title as needed (Linux)\n"
    "> watch --interval 1 --no-title bitroot-cli -netinfo 4\n\n"
    "See this help\n"
    "> bitroot-cli -netinfo help\n\n";

static int
net_id(const char *name)
{
	size_t i;

	for (i = 0; i < NNETS; i++)
		if (strcmp(nets[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int64_t
int_or(const json_t *o, const char *k, int64_t dflt)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static double
real_or(const json_t *o, const char *k, double dflt)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *
str_or(const json_t *o, const char *k, const char *dflt)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* Core's ConnectionTypeForNetinfo. */
static const char *
type_short(const char *t)
{
	if (strcmp(t, "outbound-full-relay") == 0)
		return "full";
	if (strcmp(t, "block-relay-only") == 0)
		return "block";
	if (strcmp(t, "manual") == 0 || strcmp(t, "feeler") == 0)
		return t;
	if (strcmp(t, "addr-fetch") == 0)
		return "addr";
	return "";
}

static void
ping_str(double secs, char *out, size_t n)
{
	double ms;

	if (secs < 0) {
		out[0] = '\0';
		return;
	}
	ms = round(1000 * secs);
	if (ms > 999999)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.0f", ms);
}

/* "" when t is 0 (never), else the time since t in units of div seconds. */
static void
since(int64_t now, int64_t t, int64_t div, char *out, size_t n)
{
	if (t == 0)
		out[0] = '\0';
	else
		snprintf(out, n, "%lld", (long long)((now - t) / div));
}

static int
num_width(long long v)
{
	char b[32];

	return snprintf(b, sizeof(b), "%lld", v);
}

/* Inbound first, then by minimum ping (unknown pings first), as Core. */
static int
np_cmp(const void *a, const void *b)
{
	const struct np *x = a, *y = b;

	if (x->outbound != y->outbound)
		return x->outbound - y->outbound;
	return (x->minping > y->minping) - (x->minping < y->minping);
}

static const char *
chain_suffix(const struct args *a)
{
	const char *c = args_chain_name(a);

	if (strcmp(c, "test") == 0)
		return " testnet";
	if (strcmp(c, "testnet4") == 0)
		return " testnet4";
	if (strcmp(c, "signet") == 0)
		return " signet";
	if (strcmp(c, "regtest") == 0)
		return " regtest";
	return "";
}

static int
parse_level(const char *s, int *level)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v > 255)
		return -1;
	*level = v > MAX_LEVEL ? MAX_LEVEL : (int)v;
	return 0;
}

static void
peers_table(const struct np *p, size_t n, int level, int64_t now)
{
	int show_addr = level == 2 || level == 4;
	int show_ver = level == 3 || level == 4;
	int w_addrp = 5, w_addrl = 6, w_age = 5, w_id = 2, w_addr = 0;
	char mp[16], pg[16], snd[24], rcv[24], txn[24], blk[24], ap[24],
	    al[24];
	size_t i;
	int w;

	for (i = 0; i < n; i++) {
		if ((w = num_width(p[i].addrp)) > w_addrp)
			w_addrp = w;
		if ((w = num_width(p[i].addrl)) > w_addrl)
			w_addrl = w;
		if ((w = (int)strlen(p[i].age)) > w_age)
			w_age = w;
		if ((w = num_width(p[i].id)) > w_id)
			w_id = w;
		if ((w = (int)strlen(p[i].addr) + 1) > w_addr)
			w_addr = w;
	}
	printf("<->   type   net  v  mping   ping send recv  txn  blk  hb "
	       "%*s%*s%*s %*s %-*s%s\n",
	    w_addrp, "addrp", w_addrl, "addrl", w_age, "age", w_id, "id",
	    show_addr ? w_addr : 0, show_addr ? "address" : "",
	    show_ver ? "version" : "");
	for (i = 0; i < n; i++) {
		ping_str(p[i].minping, mp, sizeof(mp));
		ping_str(p[i].ping, pg, sizeof(pg));
		since(now, p[i].last_send, 1, snd, sizeof(snd));
		since(now, p[i].last_recv, 1, rcv, sizeof(rcv));
		if (!p[i].relaytxes)
			snprintf(txn, sizeof(txn), "*");
		else
			since(now, p[i].last_txn, 60, txn, sizeof(txn));
		since(now, p[i].last_blk, 60, blk, sizeof(blk));
		if (!p[i].addr_relay)
			snprintf(ap, sizeof(ap), ".");
		else if (p[i].addrp)
			snprintf(ap, sizeof(ap), "%lld",
			    (long long)p[i].addrp);
		else
			ap[0] = '\0';
		if (p[i].addrl)
			snprintf(al, sizeof(al), "%lld",
			    (long long)p[i].addrl);
		else
			al[0] = '\0';
		printf(
		    "%3s %6s %5s  %c%7s%7s%5s%5s%5s%5s  %c%c %*s%*s%*s %*lld "
		    "%-*s%s\n",
		    p[i].outbound ? "out" : "in", p[i].type, p[i].net, p[i].v,
		    mp, pg, snd, rcv, txn, blk, p[i].hb_to ? '.' : ' ',
		    p[i].hb_from ? '*' : ' ', w_addrp, ap, w_addrl, al, w_age,
		    p[i].age, w_id, p[i].id, show_addr ? w_addr : 0,
		    show_addr ? p[i].addr : "", show_ver ? p[i].version : "");
	}
	printf("                        ms     ms  sec  sec  min  min%*s\n\n",
	    4 + 1 + w_addrp + w_addrl + w_age, "min");
}

static void
counts_table(const json_t *ni, int counts[3][NNETS + 1], int nblock,
    int nmanual)
{
	const json_t *networks = json_object_get(ni, "networks"), *x;
	int shown[NNETS], row;
	size_t i;
	static const char *rows[3] = { "in", "out", "total" };

	memset(shown, 0, sizeof(shown));
	/* Reachable networks in the server's order, then the others in use. */
	json_array_foreach (networks, i, x) {
		int id = net_id(str_or(x, "name", ""));

		if (id >= 0 && json_is_true(json_object_get(x, "reachable")))
			shown[id] = 1;
	}
	for (i = 0; i < NNETS; i++)
		if (nets[i].unreachable && counts[2][i] > 0)
			shown[i] = 1;
	printf("     ");
	for (i = 0; i < NNETS; i++)
		if (shown[i])
			printf("%8s", nets[i].shortname);
	printf("   total   block%s\n", nmanual ? "  manual" : "");
	for (row = 0; row < 3; row++) {
		printf("%-5s", rows[row]);
		for (i = 0; i < NNETS; i++)
			if (shown[i])
				printf("%8d", counts[row][i]);
		printf("%8d", counts[row][NNETS]);
		if (row == 1) {
			printf("%8d", nblock);
			if (nmanual)
				printf("%8d", nmanual);
		}
		printf("\n");
	}
}

static void
local_addresses(const json_t *ni)
{
	const json_t *la = json_object_get(ni, "localaddresses"), *x;
	size_t i, w = 0, l;

	printf("\nLocal addresses");
	if (json_array_size(la) == 0) {
		printf(": n/a\n\n");
		return;
	}
	json_array_foreach (la, i, x)
		if ((l = strlen(str_or(x, "address", "")) + 1) > w)
			w = l;
	json_array_foreach (la, i, x)
		printf("\n%-*s    port %6lld    score %6lld", (int)w,
		    str_or(x, "address", ""), (long long)int_or(x, "port", 0),
		    (long long)int_or(x, "score", 0));
	printf("\n");
}

int
cli_netinfo(const struct cli_opts *o, const struct cli_conn *c, char **args,
    int nargs)
{
	const char
	    *body = "[{\"jsonrpc\":\"2.0\",\"method\":\"getpeerinfo\","
		    "\"params\":[],\"id\":0},{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"getnetworkinfo\",\"params\":[],\"id\":1}]";
	int counts[3][NNETS + 1], level = 0, nblock = 0, nmanual = 0, id, rc;
	const json_t *pi = NULL, *ni = NULL, *x, *peer;
	struct cli_reply rep;
	struct np *p = NULL;
	size_t i, n = 0;
	int64_t now = time(NULL);
	json_t *j;

	if (nargs > 0) {
		if (strcmp(args[0], "help") == 0) {
			fputs(help_text, stdout);
			return 0;
		}
		if (parse_level(args[0], &level) == -1) {
			fprintf(stderr,
			    "error: invalid -netinfo argument: %s\n"
			    "For more information, run: bitroot-cli -netinfo "
			    "help\n",
			    args[0]);
			return 1;
		}
	}
	j = cli_call(o, c, body, &rep);
	if (!json_is_array(j))
		cli_die("couldn't parse reply from server");
	json_array_foreach (j, i, x) {
		const json_t *err = json_object_get(x, "error");

		if (err && !json_is_null(err)) {
			cli_print_error(err);
			rc = cli_error_status(err);
			json_decref(j);
			free(rep.body);
			return rc;
		}
		if (json_integer_value(json_object_get(x, "id")) == 0)
			pi = json_object_get(x, "result");
		else
			ni = json_object_get(x, "result");
	}
	if (!json_is_array(pi) || !json_is_object(ni))
		cli_die("couldn't parse reply from server");

	memset(counts, 0, sizeof(counts));
	p = xcalloc(json_array_size(pi) + 1, sizeof(*p));
	json_array_foreach (pi, i, peer) {
		const char *ct = str_or(peer, "connection_type", "");
		const char *tp = str_or(peer, "transport_protocol_type", "");
		int64_t conn = int_or(peer, "conntime", 0);
		struct np *q = &p[n];

		if ((id = net_id(str_or(peer, "network", ""))) < 0)
			continue;
		q->outbound = !json_is_true(json_object_get(peer, "inbound"));
		counts[q->outbound][id]++;
		counts[q->outbound][NNETS]++;
		counts[2][id]++;
		counts[2][NNETS]++;
		if (strcmp(ct, "block-relay-only") == 0)
			nblock++;
		if (strcmp(ct, "manual") == 0)
			nmanual++;
		q->type = type_short(ct);
		q->net = nets[id].shortname;
		q->v = tp[0] == 'v' && tp[1] ? tp[1] : ' ';
		q->minping = real_or(peer, "minping", -1);
		q->ping = real_or(peer, "pingtime", -1);
		q->addrp = int_or(peer, "addr_processed", 0);
		q->addrl = int_or(peer, "addr_rate_limited", 0);
		q->last_blk = int_or(peer, "last_block", 0);
		q->last_recv = int_or(peer, "lastrecv", 0);
		q->last_send = int_or(peer, "lastsend", 0);
		q->last_txn = int_or(peer, "last_transaction", 0);
		q->id = (long long)int_or(peer, "id", 0);
		q->hb_to = json_is_true(json_object_get(peer, "bip152_hb_to"));
		q->hb_from = json_is_true(
		    json_object_get(peer, "bip152_hb_from"));
		q->relaytxes = json_is_true(
		    json_object_get(peer, "relaytxes"));
		q->addr_relay = !json_is_false(
		    json_object_get(peer, "addr_relay_enabled"));
		snprintf(q->addr, sizeof(q->addr), "%s",
		    str_or(peer, "addr", ""));
		snprintf(q->version, sizeof(q->version), "%lld%s",
		    (long long)int_or(peer, "version", 0),
		    str_or(peer, "subver", ""));
		if (conn == 0)
			q->age[0] = '\0';
		else
			snprintf(q->age, sizeof(q->age), "%lld",
			    (long long)((now - conn) / 60));
		n++;
	}

	printf("Bitroot client v0.1.0%s - server %lld%s\n\n",
	    chain_suffix(c->args), (long long)int_or(ni, "protocolversion", 0),
	    str_or(ni, "subversion", ""));
	if (level > 0 && n > 0) {
		qsort(p, n, sizeof(*p), np_cmp);
		peers_table(p, n, level, now);
	}
	counts_table(ni, counts, nblock, nmanual);
	local_addresses(ni);
	free(p);
	json_decref(j);
	free(rep.body);
	return 0;
}
