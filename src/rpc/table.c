/*
 * The method table: every category's methods merged into one array sorted
 * by name (built once, on first use, under pthread_once), the help texts
 * generated from each method's argument list, the mapping of named
 * parameters onto positions and the arity and type checks, all done once
 * here rather than in each handler (redis's commandCheckArity).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const struct rpc_method **table;
static size_t table_len;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int
cmp_method(const void *a, const void *b)
{
	const struct rpc_method *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void
table_build(void)
{
	const struct rpc_method *const groups[] = {
		rpc_blockchain_methods,
		rpc_blockfilter_methods,
		rpc_control_methods,
		rpc_mempool_methods,
		rpc_mining_methods,
		rpc_net_methods,
		rpc_rawtx_methods,
		rpc_util_methods,
		rpc_blockstats_methods,
		rpc_txoutproof_methods,
		rpc_output_script_methods,
		rpc_signing_methods,
		rpc_signer_methods,
		rpc_zmq_methods,
		rpc_utxo_methods,
		rpc_scanblocks_methods,
		rpc_psbt_methods,
		rpc_fee_methods,
	};
	size_t g, i, n = 0;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; groups[g][i].name; i++)
			n++;
	table = xcalloc(n, sizeof(*table));
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; groups[g][i].name; i++)
			table[table_len++] = &groups[g][i];
	qsort(table, table_len, sizeof(*table), cmp_method);
}

/* The table's sorted position of name; -1 if it is not there. */
static long
find_index(const char *name)
{
	size_t lo = 0, hi, mid;
	int c;

	pthread_once(&table_once, table_build);
	hi = table_len;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(name, table[mid]->name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

size_t
rpc_method_index(const struct rpc_method *m)
{
	long i = find_index(m->name);

	if (i < 0)
		fatalx("%s: %s is not in the table", __func__, m->name);
	return (size_t)i;
}

const struct rpc_method *
rpc_method_find(const char *name)
{
	long i = find_index(name);

	return i < 0 ? NULL : table[i];
}

size_t
rpc_method_count(void)
{
	pthread_once(&table_once, table_build);
	return table_len;
}

const struct rpc_method *
rpc_method_at(size_t i)
{
	pthread_once(&table_once, table_build);
	return i < table_len ? table[i] : NULL;
}

size_t
rpc_method_nargs(const struct rpc_method *m)
{
	size_t n = 0;

	while (n < RPC_MAX_ARGS && m->args[n].names)
		n++;
	return n;
}

/* Core's rule: every argument up to the last required one must be given. */
size_t
rpc_method_nrequired(const struct rpc_method *m)
{
	size_t i, n = 0;

	for (i = 0; i < RPC_MAX_ARGS && m->args[i].names; i++)
		if (m->args[i].required)
			n = i + 1;
	return n;
}

/* ---- Help ---- */

/* The first name of "name|alias". */
static void
first_name(const char *names, char *out, size_t len)
{
	size_t n = strcspn(names, "|");

	if (n >= len)
		n = len - 1;
	memcpy(out, names, n);
	out[n] = '\0';
}

static const char *
type_name(enum rpc_argtype t)
{
	switch (t) {
	case RPC_ARG_STR:
	case RPC_ARG_HEX: return "string";
	case RPC_ARG_NUM:
	case RPC_ARG_REAL: return "numeric";
	case RPC_ARG_BOOL: return "boolean";
	case RPC_ARG_OBJ:
	case RPC_ARG_OPTIONS: return "json object";
	case RPC_ARG_ARR: return "json array";
	case RPC_ARG_AMOUNT: return "numeric or string";
	case RPC_ARG_RANGE: return "numeric or array";
	case RPC_ARG_NUM_OR_BOOL: return "numeric";
	case RPC_ARG_STR_OR_NUM: return "string or numeric";
	case RPC_ARG_ANY: break;
	}
	return "any";
}

/*
 * Arguments that Core's usage line does not show by name: an array by its
 * element, an object by its keys, a string by its name in quotes; and
 * hidden arguments (oneline NULL), which end the line and the help.
 */
static const struct usage {
	const char *method, *arg, *oneline;
} usages[] = {
	{ "combinepsbt", "txs", "[\"psbt\",...]" },
	{ "createpsbt", "inputs",
	    "[{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]" },
	{ "createpsbt", "outputs",
	    "[{\"address\":amount,...},{\"data\":\"hex\"},...]" },
	{ "createrawtransaction", "inputs",
	    "[{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]" },
	{ "createrawtransaction", "outputs",
	    "[{\"address\":amount,...},{\"data\":\"hex\"},...]" },
	{ "echo", "*", "\"%s\"" },
	{ "descriptorprocesspsbt", "descriptors",
	    "[\"\",{\"desc\":\"str\",\"range\":n or [n,n]},...]" },
	{ "echojson", "*", "\"%s\"" },
	{ "generateblock", "transactions", "[\"rawtx/txid\",...]" },
	{ "getblocktemplate", "template_request",
	    "{\"mode\":\"str\",\"capabilities\":[\"str\",...],"
	    "\"rules\":[\"segwit\",\"str\",...],\"longpollid\":\"str\","
	    "\"data\":\"hex\"}" },
	{ "joinpsbts", "txs", "[\"psbt\",...]" },
	{ "logging", "include", "[\"include_category\",...]" },
	{ "logging", "exclude", "[\"exclude_category\",...]" },
	{ "stop", "wait", NULL },
	{ "submitpackage", "package", "[\"rawtx\",...]" },
	{ "testmempoolaccept", "rawtxs", "[\"rawtx\",...]" },
	{ "utxoupdatepsbt", "descriptors",
	    "[\"\",{\"desc\":\"str\",\"range\":n or [n,n]},...]" },
};

/* The override for m's argument named name, or NULL. */
static const struct usage *
usage_of(const struct rpc_method *m, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (strcmp(usages[i].method, m->name) == 0 &&
		    (strcmp(usages[i].arg, "*") == 0 ||
			strcmp(usages[i].arg, name) == 0))
			return &usages[i];
	return NULL;
}

/* Arguments shown in help: those before the first hidden one. */
static size_t
shown_args(const struct rpc_method *m)
{
	char name[64];
	const struct usage *u;
	size_t i, n = rpc_method_nargs(m);

	for (i = 0; i < n; i++) {
		first_name(m->args[i].names, name, sizeof(name));
		u = usage_of(m, name);
		if (u != NULL && u->oneline == NULL)
			return i;
	}
	return n;
}

static void
synopsis(struct jout *o, const struct rpc_method *m)
{
	char name[64], buf[256];
	const struct usage *u;
	size_t i, n = shown_args(m);
	int opened = 0;

	jout_puts(o, m->name);
	for (i = 0; i < n; i++) {
		const struct rpc_arg *a = &m->args[i];

		first_name(a->names, name, sizeof(name));
		u = usage_of(m, name);
		jout_puts(o, " ");
		if (!a->required && !opened) {
			jout_puts(o, "( ");
			opened = 1;
		} else if (a->required && opened) {
			jout_puts(o, ") ");
			opened = 0;
		}
		if (u != NULL) {
			snprintf(buf, sizeof(buf), u->oneline, name);
			jout_puts(o, buf);
			continue;
		}
		switch (a->type) {
		case RPC_ARG_STR:
		case RPC_ARG_HEX:
			jout_puts(o, "\"");
			jout_puts(o, name);
			jout_puts(o, "\"");
			break;
		case RPC_ARG_ARR:
			jout_puts(o, "[");
			jout_puts(o, name);
			jout_puts(o, ",...]");
			break;
		case RPC_ARG_OBJ:
			jout_puts(o, "{");
			jout_puts(o, name);
			jout_puts(o, "}");
			break;
		default: jout_puts(o, name); break;
		}
	}
	if (opened)
		jout_puts(o, " )");
}

/* Core's example block: CLI form and a curl JSON-RPC 2.0 form. */
static void
examples(struct jout *o, const struct rpc_method *m)
{
	const char *e = m->examples ? m->examples : "";
	int depth = 0, inq = 0, first = 1;
	const char *p;

	jout_puts(o, "\nExamples:\n> bitroot-cli ");
	jout_puts(o, m->name);
	if (*e) {
		jout_puts(o, " ");
		jout_puts(o, e);
	}
	jout_puts(o,
	    "\n> curl --user myusername --data-binary "
	    "'{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"");
	jout_puts(o, m->name);
	jout_puts(o, "\", \"params\": [");
	/* Same arguments, separated by commas at the top level. */
	for (p = e; *p; p++) {
		char c = *p;

		if (c == '"' && (p == e || p[-1] != '\\'))
			inq = !inq;
		if (!inq && (c == '[' || c == '{'))
			depth++;
		if (!inq && (c == ']' || c == '}'))
			depth--;
		if (!inq && depth == 0 && c == ' ') {
			if (!first)
				jout_puts(o, ", ");
			first = 1;
			while (p[1] == ' ')
				p++;
			continue;
		}
		first = 0;
		jout_putn(o, &c, 1);
	}
	jout_puts(o,
	    "]}' -H 'content-type: application/json' "
	    "http://127.0.0.1:8332/\n");
}

char *
rpc_help_text(const struct rpc_method *m)
{
	struct jout o = { NULL, 0, 0 };
	char name[64], line[128];
	size_t i, n = rpc_method_nargs(m), w = 0, l;

	if (m == NULL)
		return rpc_help_list(NULL);
	synopsis(&o, m);
	jout_puts(&o, "\n\n");
	jout_puts(&o, m->desc);
	if (o.len && o.p[o.len - 1] != '\n')
		jout_puts(&o, "\n");
	if (m->flags & RPC_F_STUB)
		return o.p;
	n = shown_args(m);
	if (n) {
		for (i = 0; i < n; i++) {
			first_name(m->args[i].names, name, sizeof(name));
			l = strlen(name);
			if (l > w)
				w = l;
		}
		jout_puts(&o, "\nArguments:\n");
		for (i = 0; i < n; i++) {
			const struct rpc_arg *a = &m->args[i];

			first_name(a->names, name, sizeof(name));
			snprintf(line, sizeof(line), "%zu. %-*s (%s, %s",
			    i + 1, (int)w + 4, name, type_name(a->type),
			    a->required ? "required" : "optional");
			jout_puts(&o, line);
			if (!a->required && a->deflt) {
				jout_puts(&o, ", default=");
				jout_puts(&o, a->deflt);
			}
			jout_puts(&o, ") ");
			jout_puts(&o, a->help);
			jout_puts(&o, "\n");
		}
	}
	jout_puts(&o, "\nResult:\n");
	jout_puts(&o, m->result ? m->result : "null    (json null)");
	if (o.p[o.len - 1] != '\n')
		jout_puts(&o, "\n");
	examples(&o, m);
	return o.p;
}

static int
cmp_category(const void *a, const void *b)
{
	const struct rpc_method *const *x = a, *const *y = b;
	int c = strcmp((*x)->category, (*y)->category);

	return c ? c : strcmp((*x)->name, (*y)->name);
}

char *
rpc_help_list(const char *category)
{
	const struct rpc_method **v;
	struct jout o = { NULL, 0, 0 };
	const char *cur = NULL;
	size_t i, n = rpc_method_count();
	char cat[64];

	v = xcalloc(n, sizeof(*v));
	memcpy(v, table, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_category);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->category, "hidden") == 0)
			continue;
		if (category && strcmp(category, v[i]->category) != 0)
			continue;
		if (cur == NULL || strcmp(cur, v[i]->category) != 0) {
			if (cur)
				jout_puts(&o, "\n");
			snprintf(cat, sizeof(cat), "%s", v[i]->category);
			cat[0] = (char)toupper((unsigned char)cat[0]);
			jout_puts(&o, "== ");
			jout_puts(&o, cat);
			jout_puts(&o, " ==\n");
			cur = v[i]->category;
		}
		synopsis(&o, v[i]);
		jout_puts(&o, "\n");
	}
	free(v);
	/* Core trims the final newline. */
	if (o.len && o.p[o.len - 1] == '\n')
		o.p[--o.len] = '\0';
	return o.p ? o.p : xstrdup("");
}

/* ---- Parameters ---- */

json_t *
rpc_fail(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	char *m;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: bad format", __func__);
	m = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(m, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* Formatted first: the arguments may quote the old message. */
	free(err->message);
	err->message = m;
	err->code = code;
	return NULL;
}

void
rpc_error_clear(struct rpc_error *e)
{
	free(e->message);
	e->message = NULL;
	e->code = 0;
}

void
rpc_error_move(struct rpc_error *dst, struct rpc_error *src)
{
	free(dst->message);
	*dst = *src;
	src->message = NULL;
	src->code = 0;
}

/* Whether key is one of the '|'-separated names. */
static int
name_matches(const char *names, const char *key)
{
	size_t kl = strlen(key), n;
	const char *p = names;

	for (;;) {
		n = strcspn(p, "|");
		if (n == kl && memcmp(p, key, n) == 0)
			return 1;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

json_t *
rpc_named_to_positional(const struct rpc_method *m, json_t *obj,
    struct rpc_error *err)
{
	size_t nargs = rpc_method_nargs(m), i, hole = 0, initial_hole = 0;
	const char *key, *first_named = NULL;
	json_t *out, *v, *used, *pos;
	void *tmp;

	out = json_array();
	used = json_object();
	for (i = 0; i < nargs; i++) {
		json_t *found = NULL;
		const char *fkey = NULL;

		json_object_foreach (obj, key, v) {
			if (name_matches(m->args[i].names, key)) {
				found = v;
				fkey = key;
				break;
			}
		}
		if (found == NULL) {
			hole++;
			if (json_array_size(out) == 0)
				initial_hole = hole;
			continue;
		}
		/* Holes before a given parameter become nulls; trailing ones do not. */
		for (; hole > 0; hole--)
			json_array_append_new(out, json_null());
		if (first_named == NULL)
			first_named = m->args[i].names;
		json_array_append(out, found);
		json_object_set_new(used, fkey, json_true());
	}
	pos = json_object_get(obj, "args");
	if (pos && json_object_get(used, "args") == NULL) {
		json_object_set_new(used, "args", json_true());
		if (json_is_array(pos)) {
			json_t *merged;

			if (first_named &&
			    initial_hole < json_array_size(pos)) {
				json_decref(out);
				json_decref(used);
				return rpc_fail(err, RPC_INVALID_PARAMETER,
				    "Parameter %s specified twice both as "
				    "positional and named argument",
				    first_named);
			}
			merged = json_copy(pos);
			for (i = json_array_size(pos);
			     i < json_array_size(out); i++)
				json_array_append(merged,
				    json_array_get(out, i));
			json_decref(out);
			out = merged;
		}
	}
	json_object_foreach_safe (obj, tmp, key, v) {
		if (json_object_get(used, key) == NULL) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Unknown named parameter %s", key);
			json_decref(out);
			json_decref(used);
			return NULL;
		}
	}
	json_decref(used);
	return out;
}

/* The JSON type Core expects for t, or NULL when it does not check. */
static const char *
expected_type(enum rpc_argtype t)
{
	switch (t) {
	case RPC_ARG_STR:
	case RPC_ARG_HEX: return "string";
	case RPC_ARG_NUM:
	case RPC_ARG_REAL: return "number";
	case RPC_ARG_BOOL: return "bool";
	case RPC_ARG_OBJ:
	case RPC_ARG_OPTIONS: return "object";
	case RPC_ARG_ARR: return "array";
	default: return NULL;
	}
}

int
rpc_check_params(const struct rpc_method *m, json_t *params,
    struct rpc_error *err)
{
	size_t n = json_array_size(params), i, nargs = rpc_method_nargs(m);
	json_t *bad = NULL;
	char key[128], msg[160];
	char *s;

	if (n > nargs || n < rpc_method_nrequired(m)) {
		s = rpc_help_text(m);
		rpc_fail(err, RPC_MISC_ERROR, "%s", s);
		free(s);
		return -1;
	}
	for (i = 0; i < nargs; i++) {
		const struct rpc_arg *a = &m->args[i];
		json_t *v = i < n ? json_array_get(params, i) : NULL;
		const char *want = expected_type(a->type);
		const char *have;

		if (want == NULL)
			continue;
		if (v == NULL || json_is_null(v)) {
			if (!a->required)
				continue;
			if (v == NULL)
				continue; /* arity already checked */
		}
		have = rpc_json_type_name(v);
		if (strcmp(have, want) == 0)
			continue;
		if (bad == NULL)
			bad = json_object();
		snprintf(key, sizeof(key), "Position %zu (%s)", i + 1,
		    a->names);
		snprintf(msg, sizeof(msg),
		    "JSON value of type %s is not of expected type %s", have,
		    want);
		json_object_set_new(bad, key, json_string(msg));
	}
	if (bad) {
		s = rpc_json_dumps(bad, 4);
		rpc_fail(err, RPC_TYPE_ERROR, "Wrong type passed:\n%s", s);
		free(s);
		json_decref(bad);
		return -1;
	}
	/*
	 * A number that is not whole (1.5, 1e3) passes, as in Core: its
	 * getInt() refuses it when the method reads it (rpc_get_int64),
	 * after the parameters read before it.
	 */
	return 0;
}

int
rpc_param_repeated_key(const struct rpc_ctx *c, size_t i, const char **key,
    size_t *index)
{
	const json_t *e, *arg;
	size_t k, j, nargs;

	json_array_foreach ((json_t *)(uintptr_t)c->dup_args, k, e) {
		arg = json_array_get(e, 0);
		if (json_is_integer(arg))
			j = (size_t)json_integer_value(arg);
		else {
			/* A named argument: its position in the table. */
			nargs = rpc_method_nargs(c->m);
			for (j = 0; j < nargs; j++)
				if (name_matches(c->m->args[j].names,
					json_string_value(arg)))
					break;
		}
		if (j != i)
			continue;
		*key = json_string_value(json_array_get(e, 1));
		*index = (size_t)json_integer_value(json_array_get(e, 2));
		return 1;
	}
	return 0;
}

json_t *
rpc_param(const struct rpc_ctx *c, size_t i)
{
	json_t *v = json_array_get(c->params, i);

	return v == NULL || json_is_null(v) ? NULL : v;
}

int
rpc_check_verbosity(const json_t *v, struct rpc_error *err)
{
	if (json_is_integer(v) &&
	    (json_integer_value(v) < INT_MIN ||
		json_integer_value(v) > INT_MAX))
		goto range;
	/* Core's getInt<int>() parses the digits: 1.5 is out of range. */
	if (json_is_real(v))
		goto range;
	if (v == NULL || json_is_null(v) || json_is_boolean(v) ||
	    json_is_integer(v))
		return 0;
	rpc_fail_type(err, v, "number");
	return -1;
range:
	rpc_fail(err, RPC_MISC_ERROR, "JSON integer out of range");
	return -1;
}

int
rpc_get_int(const json_t *v, int *out, struct rpc_error *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < INT_MIN ||
	    json_integer_value(v) > INT_MAX) {
		rpc_fail(err, RPC_MISC_ERROR, "JSON integer out of range");
		return -1;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

int
rpc_get_int64(const json_t *v, int64_t *out, struct rpc_error *err)
{
	if (!json_is_integer(v)) {
		rpc_fail(err, RPC_MISC_ERROR, "JSON integer out of range");
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int
rpc_get_int_or(const json_t *v, int deflt, int *out, struct rpc_error *err)
{
	if (v == NULL || json_is_null(v)) {
		*out = deflt;
		return 0;
	}
	return rpc_get_int(v, out, err);
}

/*
 * Callers check the value with rpc_check_verbosity; out-of-range numbers
 * still come back as -1 here rather than through an undefined cast.
 */
int
rpc_param_verbosity(const json_t *v, int deflt)
{
	double d;

	if (v == NULL || json_is_null(v))
		return deflt;
	if (json_is_boolean(v))
		return json_is_true(v) ? 1 : 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < INT_MIN ||
		    json_integer_value(v) > INT_MAX)
			return -1;
		return (int)json_integer_value(v);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (!(d > (double)INT_MIN - 1 && d < (double)INT_MAX + 1))
			return -1;
		return (int)d;
	}
	return -1;
}
