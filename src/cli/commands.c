/*
 * The client's own commands other than -netinfo: -getinfo (a summary from
 * getnetworkinfo and getblockchaininfo), -addrinfo (known addresses per
 * network, from getnodeaddresses) and -generate (getnewaddress, then
 * generatetoaddress), each formatted as bitcoin-cli 28 does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "chain/address.h"
#include "chain/chainparams.h"
#include "chain/keyio.h"
#include "cli/cli.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "rpc/jsonenc.h"
#include "util/args.h"
#include "util/xmalloc.h"

/* Prints a reply's error and gives the exit status, or 0 when it has none. */
static int
reply_failed(const json_t *reply)
{
	const json_t *err = json_object_get(reply, "error");

	if (err == NULL || json_is_null(err))
		return 0;
	cli_print_error(err);
	return cli_error_status(err);
}

static void
print_json(const json_t *v)
{
	char *s = rpc_json_dumps(v, 2);

	printf("%s\n", s);
	free(s);
}

int
cli_getinfo(const struct cli_opts *o, const struct cli_conn *ci)
{
	const char
	    *body = "[{\"jsonrpc\":\"2.0\",\"method\":\"getnetworkinfo\","
		    "\"params\":[],\"id\":0},{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"getblockchaininfo\",\"params\":[],\"id\":1}]";
	struct cli_reply rep;
	json_t *j, *ni = NULL, *bi = NULL, *x;
	size_t i;

	j = cli_call(o, ci, body, &rep);
	if (!json_is_array(j))
		cli_die("couldn't parse reply from server");
	json_array_foreach (j, i, x) {
		json_t *err = json_object_get(x, "error");

		if (err && !json_is_null(err)) {
			int rc = cli_error_status(err);

			cli_print_error(err);
			json_decref(j);
			free(rep.body);
			return rc;
		}
		if (json_integer_value(json_object_get(x, "id")) == 0)
			ni = json_object_get(x, "result");
		else
			bi = json_object_get(x, "result");
	}
	printf("Chain: %s\n", json_string_value(json_object_get(bi, "chain")));
	printf("Blocks: %lld\n",
	    (long long)json_integer_value(json_object_get(bi, "blocks")));
	printf("Headers: %lld\n",
	    (long long)json_integer_value(json_object_get(bi, "headers")));
	printf("Verification progress: %.4f%%\n",
	    json_number_value(json_object_get(bi, "verificationprogress")) *
		100);
	printf("Difficulty: %.16g\n\n",
	    json_number_value(json_object_get(bi, "difficulty")));
	printf("Network: in %lld, out %lld, total %lld\n",
	    (long long)json_integer_value(
		json_object_get(ni, "connections_in")),
	    (long long)json_integer_value(
		json_object_get(ni, "connections_out")),
	    (long long)json_integer_value(json_object_get(ni, "connections")));
	printf("Version: %lld\n",
	    (long long)json_integer_value(json_object_get(ni, "version")));
	printf("Time offset (s): %lld\n",
	    (long long)json_integer_value(json_object_get(ni, "timeoffset")));
	printf("Proxies: n/a\n");
	printf("Min tx relay fee rate (BTC/kvB): %.8f\n\n",
	    json_number_value(json_object_get(ni, "relayfee")));
	x = json_object_get(bi, "warnings");
	if (json_array_size(x) == 0)
		printf("Warnings: (none)\n");
	else {
		printf("Warnings:\n");
		for (i = 0; i < json_array_size(x); i++)
			printf("(%zu) %s\n", i + 1,
			    json_string_value(json_array_get(x, i)));
	}
	json_decref(j);
	free(rep.body);
	return 0;
}

/* ---- -addrinfo ---- */

int
cli_addrinfo(const struct cli_opts *o, const struct cli_conn *c, char **args,
    int nargs)
{
	static const char *const names[] = { "ipv4", "ipv6", "onion", "i2p",
		"cjdns" };
	unsigned long long counts[5] = { 0 }, total = 0;
	const json_t *res, *x;
	json_t *reply, *out, *known;
	size_t i, k;
	int rc;

	(void)args;
	if (nargs > 0) {
		fprintf(stderr, "error: -addrinfo takes no arguments\n");
		return 1;
	}
	reply = cli_request(o, c, "getnodeaddresses", json_pack("[i]", 0));
	if ((rc = reply_failed(reply)) != 0) {
		json_decref(reply);
		return rc;
	}
	res = json_object_get(reply, "result");
	if (json_array_size(res) > 0 &&
	    json_object_get(json_array_get(res, 0), "network") == NULL)
		cli_die("-addrinfo requires bitcoind server to be running "
			"v22.0 and up");
	json_array_foreach (res, i, x) {
		const char *net = json_string_value(
		    json_object_get(x, "network"));

		for (k = 0; net && k < 5; k++)
			if (strcmp(net, names[k]) == 0)
				counts[k]++;
	}
	known = json_object();
	for (k = 0; k < 5; k++) {
		json_object_set_new(known, names[k],
		    json_integer((json_int_t)counts[k]));
		total += counts[k];
	}
	json_object_set_new(known, "total", json_integer((json_int_t)total));
	out = json_object();
	json_object_set_new(out, "addresses_known", known);
	print_json(out);
	json_decref(out);
	json_decref(reply);
	return 0;
}

/* ---- -generate ---- */

/*
 * A fresh key for a server without a wallet: its P2WPKH address on the
 * client's chain, and the key in WIF so the coins can be spent (with
 * signrawtransactionwithkey). Returns -1 when the kernel gives no entropy.
 */
static int
fresh_key(const struct cli_conn *c, char **addr, char **wif)
{
	struct chainparams *cp;
	enum chain_id id;
	uint8_t secret[32], pub[65], script[22];
	size_t plen = sizeof(pub);

	if (chainparams_id_from_name(args_chain_name(c->args), &id) != 0)
		return -1;
	do {
		if (getrandom(secret, sizeof(secret), 0) != sizeof(secret))
			return -1;
	} while (!key_secret_valid(secret));
	if (key_pubkey(secret, 1, pub, &plen) != 0) {
		explicit_bzero(secret, sizeof(secret));
		return -1;
	}
	script[0] = 0x00;
	script[1] = 20;
	hash160(pub, plen, script + 2);
	cp = chainparams_new(id);
	*addr = address_from_script(cp, script, sizeof(script));
	*wif = keyio_encode_secret(cp, secret, 1);
	chainparams_free(cp);
	explicit_bzero(secret, sizeof(secret));
	return *addr ? 0 : -1;
}

int
cli_generate(const struct cli_opts *o, const struct cli_conn *c, char **args,
    int nargs)
{
	json_t *reply, *params, *out;
	const json_t *err;
	char *addr = NULL, *wif = NULL;
	long long code;
	int rc, i;

	reply = cli_request(o, c, "getnewaddress", NULL);
	err = json_object_get(reply, "error");
	code = json_integer_value(json_object_get(err, "code"));
	if (err && !json_is_null(err) && code != -32601 && code != -18) {
		rc = reply_failed(reply);
		json_decref(reply);
		return rc;
	}
	if (err && !json_is_null(err)) {
		/* No wallet on the server: mine to a key made here. */
		if (fresh_key(c, &addr, &wif) == -1)
			cli_die("cannot make a key for -generate");
	} else if (json_is_string(json_object_get(reply, "result")))
		addr = xstrdup(
		    json_string_value(json_object_get(reply, "result")));
	else
		cli_die("getnewaddress gave no address");
	json_decref(reply);

	if (nargs > 2)
		cli_die("too many arguments (maximum 2 for nblocks and "
			"maxtries)");
	if (nargs > 0 && strcmp(args[0], "0") == 0)
		cli_die(
		    "the first argument (number of blocks to generate, "
		    "default: 1) must be an integer value greater than zero");
	/* Numbers go as the user wrote them; the server judges them. */
	params = json_array();
	for (i = 0; i < 3; i++) {
		const char *v = i == 1 ? addr :
		    i == 0	       ? (nargs > 0 ? args[0] : "1") :
					 (nargs > 1 ? args[1] : NULL);
		json_error_t je;
		json_t *x;

		if (v == NULL)
			break;
		if (i == 1)
			x = json_string(v);
		else if ((x = json_loads(v, JSON_DECODE_ANY, &je)) == NULL)
			cli_die("Error parsing JSON: %s", v);
		json_array_append_new(params, x);
	}
	reply = cli_request(o, c, "generatetoaddress", params);
	if ((rc = reply_failed(reply)) != 0) {
		json_decref(reply);
		free(addr);
		free(wif);
		return rc;
	}
	out = json_object();
	json_object_set_new(out, "address", json_string(addr));
	json_object_set(out, "blocks", json_object_get(reply, "result"));
	if (wif)
		json_object_set_new(out, "privkey", json_string(wif));
	print_json(out);
	json_decref(out);
	json_decref(reply);
	if (wif)
		explicit_bzero(wif, strlen(wif));
	free(addr);
	free(wif);
	return 0;
}
