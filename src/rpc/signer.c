/*
 * enumeratesigners: the external signers that the -signer tool lists, as
 * Bitcoin Core 28's (ExternalSigner::Enumerate over RunCommandParseJSON).
 * The node has no wallet, so listing is all it does with them. The tool
 * runs in the RPC worker that asked, as in Core; it blocks only that
 * worker.
 */
#include <errno.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/subprocess.h"
#include "util/xmalloc.h"

/* What a tool may print; Core reads only the first line anyway. */
#define SIGNER_OUTPUT_MAX (4u << 20)

/* The first line of s, cut in place (std::getline). */
static const char *
first_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl != NULL)
		*nl = '\0';
	return s;
}

/* Core's RunCommandParseJSON; NULL with err filled on failure. */
static json_t *
run_json(const char *cmd, struct rpc_error *err)
{
	struct subprocess_out o;
	json_error_t jerr;
	json_t *v;
	int rc;

	if ((rc = subprocess_run(cmd, SIGNER_OUTPUT_MAX, &o)) != 0)
		return rpc_fail(err, RPC_MISC_ERROR, "execve failed: %s (%d)",
		    strerror(rc), rc);
	if (o.status != 0) {
		rpc_fail(err, RPC_MISC_ERROR,
		    "RunCommandParseJSON error: process(%s) returned %d: %s\n",
		    cmd, o.status, first_line(o.err));
		subprocess_out_free(&o);
		return NULL;
	}
	v = json_loads(first_line(o.out), JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		rpc_fail(err, RPC_MISC_ERROR, "Unable to parse JSON: %s",
		    o.out);
	subprocess_out_free(&o);
	return v;
}

/* One signer of the tool's list into out; -1 with err on a bad entry. */
static int
add_signer(const char *tool, const json_t *s, json_t *out,
    struct rpc_error *err)
{
	const json_t *e = json_object_get(s, "error"), *fp, *model;
	json_t *o;
	size_t i;

	if (e != NULL && !json_is_null(e)) {
		if (!json_is_string(e))
			rpc_fail(err, RPC_MISC_ERROR, "'%s' error", tool);
		else
			rpc_fail(err, RPC_MISC_ERROR, "'%s' error: %s", tool,
			    json_string_value(e));
		return -1;
	}
	fp = json_object_get(s, "fingerprint");
	if (fp == NULL || json_is_null(fp)) {
		rpc_fail(err, RPC_MISC_ERROR,
		    "'%s' received invalid response, missing signer "
		    "fingerprint",
		    tool);
		return -1;
	}
	if (!json_is_string(fp)) {
		rpc_fail(err, RPC_MISC_ERROR,
		    "JSON value of type %s is not of expected type string",
		    rpc_json_type_name(fp));
		return -1;
	}
	/* Core stops at the first fingerprint it has seen already. */
	for (i = 0; i < json_array_size(out); i++)
		if (strcmp(json_string_value(
			       json_object_get(json_array_get(out, i),
				   "fingerprint")),
			json_string_value(fp)) == 0)
			return 1;
	model = json_object_get(s, "model");
	o = json_object();
	json_object_set_new(o, "fingerprint",
	    json_string(json_string_value(fp)));
	json_object_set_new(o, "name",
	    json_string(
		json_is_string(model) ? json_string_value(model) : ""));
	json_array_append_new(out, o);
	return 0;
}

static json_t *
m_enumeratesigners(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct args *a = rpc_shared(c->rpc)->args;
	const char *tool = args_get(a, "signer");
	json_t *list, *signers, *res;
	char *cmd;
	size_t i;
	int rc = 0;

	if (tool == NULL || *tool == '\0' || args_is_negated(a, "signer"))
		return rpc_fail(err, RPC_MISC_ERROR,
		    "Error: restart bitcoind with -signer=<cmd>");
	cmd = xasprintf("%s enumerate", tool);
	list = run_json(cmd, err);
	free(cmd);
	if (list == NULL)
		return NULL;
	if (!json_is_array(list)) {
		json_decref(list);
		return rpc_fail(err, RPC_MISC_ERROR,
		    "'%s' received invalid response, expected array of "
		    "signers",
		    tool);
	}
	signers = json_array();
	for (i = 0; rc == 0 && i < json_array_size(list); i++)
		rc = add_signer(tool, json_array_get(list, i), signers, err);
	json_decref(list);
	if (rc == -1) {
		json_decref(signers);
		return NULL;
	}
	res = json_object();
	json_object_set_new(res, "signers", signers);
	return res;
}

const struct rpc_method rpc_signer_methods[] = {
	{ "enumeratesigners", "signer", m_enumeratesigners, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns a list of external signers from -signer.",
	    "{                               (json object)\n"
	    "  \"signers\" : [                 (json array)\n"
	    "    {                           (json object)\n"
	    "      \"fingerprint\" : \"hex\",    (string) Master key "
	    "fingerprint\n"
	    "      \"name\" : \"str\"            (string) Device name\n"
	    "    },\n"
	    "    ...\n"
	    "  ]\n"
	    "}\n",
	    "", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
