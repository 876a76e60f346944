/*
 * Command-line arguments and effective settings, after Core's ArgsManager.
 *
 * Every occurrence of an option is kept (command line in struct args.cmd,
 * config files in struct args.conf, per registry index). The getters do not
 * search those lists: args_resolve() computes each option's effective value
 * and value list for the selected chain once, into struct args.eff, with
 * Core's precedence:
 *   1. the command line: the last occurrence wins;
 *   2. the config file's section for the chain: the first occurrence after
 *      the last negation wins (Core keeps this reversed order for files);
 *   3. the top level of the config file, likewise, except for
 *      network-only options on a chain other than main.
 * A list (args_get_all) joins the values after the last negation of each
 * source in that order, and a negation in one source hides the later
 * sources. Core's "zombie" rule for lists (config values coming back after
 * a negated-then-set command line) is not reproduced.
 *
 * All of this runs on the main thread before other threads start; after
 * that the struct is only read.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/args_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct args *
args_new(void)
{
	struct args *a = xcalloc(1, sizeof(*a));
	size_t n = arg_count();

	a->cmd = xcalloc(n, sizeof(*a->cmd));
	a->conf = xcalloc(n, sizeof(*a->conf));
	a->eff = xcalloc(n, sizeof(*a->eff));
	return a;
}

struct args *
args_new_client(void)
{
	struct args *a = args_new();

	a->client = 1;
	return a;
}

int
args_lookup_for(const struct args *a, const char *name)
{
	int idx = arg_lookup(name);

	if (idx != -1 && !a->client && (arg_def_at(idx)->flags & ARG_CLIENT))
		return -1;
	return idx;
}

static void
vals_clear(struct arg_vals *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].value);
		free(vs->v[i].section);
	}
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

void
args_free(struct args *a)
{
	size_t i, n = arg_count();

	if (a == NULL)
		return;
	for (i = 0; i < n; i++) {
		vals_clear(&a->cmd[i]);
		vals_clear(&a->conf[i]);
		free(a->eff[i].all);
	}
	free(a->cmd);
	free(a->conf);
	free(a->eff);
	for (i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	free(a->files);
	for (i = 0; i < a->nwarnings; i++)
		free(a->warnings[i]);
	free(a->warnings);
	free(a->datadir);
	free(a->chaindir);
	free(a->conf_path);
	free(a);
}

void
args_add_value(struct arg_vals *vs, const char *value, int negated,
    const char *section, const char *file, int line)
{
	struct arg_val *v;

	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 4;
		vs->v = xreallocarray(vs->v, vs->cap, sizeof(*vs->v));
	}
	v = &vs->v[vs->n++];
	v->value = xstrdup(value);
	v->negated = negated;
	v->section = section ? xstrdup(section) : NULL;
	v->file = file;
	v->line = line;
}

void
args_warn(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("args_warn");
	va_end(ap);
	a->warnings = xreallocarray(a->warnings, a->nwarnings + 1,
	    sizeof(*a->warnings));
	a->warnings[a->nwarnings++] = s;
}

/* A whole decimal integer that fits int64_t, optionally signed. */
static int
strict_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s == '\0' || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return -1;
	*out = v;
	return 0;
}

/*
 * Core reads numbers with a locale-independent atoi: leading digits after
 * optional blanks and a sign, saturating, and 0 when there are none.
 */
static int64_t
loose_int(const char *s)
{
	long long v;

	errno = 0;
	v = strtoll(s, NULL, 10);
	return v;
}

int
args_interpret(struct args *a, const struct arg_def *d, const char *v,
    int negated, const char **out, int *neg, char *err, size_t errlen)
{
	int64_t n;

	*neg = 0;
	if (negated) {
		if (d->flags & ARG_NONEG) {
			errbuf_printf(err, errlen,
			    "Negating of -%s is meaningless "
			    "and therefore forbidden",
			    d->name);
			return -1;
		}
		if (v == NULL || *v == '\0' ||
		    (strict_int(v, &n) == 0 && n != 0)) {
			*out = "0";
			*neg = 1;
			return 0;
		}
		if (strict_int(v, &n) == 0) {
			/* -nofoo=0: Core reads it as -foo=1, with a warning */
			args_warn(a,
			    "parsed potentially confusing "
			    "double-negative -%s=%s",
			    d->name, v);
			*out = "1";
			return 0;
		}
		errbuf_printf(err, errlen,
		    "Cannot negate -%s at the same time as "
		    "setting a value ('%s').",
		    d->name, v);
		return -1;
	}
	if (v == NULL) {
		if (d->flags & ARG_NOELIDE) {
			errbuf_printf(err, errlen,
			    "Can not set -%s with no value. "
			    "Please specify value with -%s=value.",
			    d->name, d->name);
			return -1;
		}
		*out = (d->flags & (ARG_BOOL | ARG_INT)) ? "1" : "";
		return 0;
	}
	if ((d->flags & ARG_INT) && strict_int(v, &n) == -1) {
		errbuf_printf(err, errlen,
		    "Invalid value -%s=%s: not an integer", d->name, v);
		return -1;
	}
	if ((d->flags & ARG_BOOL) && *v != '\0' && strict_int(v, &n) == -1) {
		errbuf_printf(err, errlen, "Invalid value -%s=%s: use 1 or 0",
		    d->name, v);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Config-only options (includeconf) on the command line. As Core, judged
 * once all of it is read, so a later -noincludeconf clears an earlier
 * value; the first value left is named, JSON-quoted as Core writes it.
 */
static int
confonly_on_cmdline(const struct args *a, char *err, size_t errlen)
{
	const struct arg_def *d;
	const struct arg_vals *vs;
	char q[512];
	size_t i, start, k, idx;
	const char *c;

	for (idx = 0; idx < arg_count(); idx++) {
		d = arg_def_at((int)idx);
		if (!(d->flags & ARG_CONFONLY))
			continue;
		vs = &a->cmd[idx];
		for (i = start = 0; i < vs->n; i++)
			if (vs->v[i].negated)
				start = i + 1;
		if (start >= vs->n)
			continue;
		k = 0;
		for (c = vs->v[start].value; *c && k + 3 < sizeof(q); c++) {
			if (*c == '"' || *c == '\\')
				q[k++] = '\\';
			q[k++] = *c;
		}
		q[k] = '\0';
		errbuf_printf(err, errlen,
		    "-%s cannot be used from commandline; "
		    "-%s=\"%s\"",
		    d->name, d->name, q);
		return -1;
	}
	return 0;
}

int
args_parse_argv(struct args *a, int argc, char *const argv[], char *err,
    size_t errlen)
{
	const struct arg_def *d;
	const char *tok, *eq, *val, *out;
	char *name;
	int i, idx, negated, neg;

	for (i = 1; i < argc; i++) {
		tok = argv[i];
		if (tok[0] != '-') {
			errbuf_printf(err, errlen,
			    "Command line contains "
			    "unexpected token '%s', see bitrootd -h for a "
			    "list of options.",
			    tok);
			return -2;
		}
		/* --name is the same as -name */
		name = xstrdup(tok[1] == '-' ? tok + 2 : tok + 1);
		val = NULL;
		if ((eq = strchr(name, '=')) != NULL) {
			val = tok + (eq - name) + (tok[1] == '-' ? 3 : 2);
			name[eq - name] = '\0';
		}
		negated = 0;
		idx = args_lookup_for(a, name);
		if (idx == -1 && strncmp(name, "no", 2) == 0) {
			idx = args_lookup_for(a, name + 2);
			negated = 1;
		}
		/* a dot would name a section: not on the command line */
		if (idx == -1 || strchr(name, '.') != NULL) {
			errbuf_printf(err, errlen, "Invalid parameter %s",
			    tok);
			free(name);
			return -1;
		}
		free(name);
		d = arg_def_at(idx);
		if (args_interpret(a, d, val, negated, &out, &neg, err,
			errlen) == -1)
			return -1;
		args_add_value(&a->cmd[idx], out, neg, NULL, NULL, 0);
	}
	if (confonly_on_cmdline(a, err, errlen) == -1)
		return -1;
	args_resolve(a);
	return 0;
}

int
args_help_requested(const struct args *a)
{
	if (args_get_bool(a, "help-debug", 0))
		return 2;
	if (args_is_set(a, "?") || args_get_bool(a, "h", 0) ||
	    args_get_bool(a, "help", 0))
		return 1;
	return 0;
}

/* The values of one source after its last negation. */
struct span {
	const struct arg_val *first, *last;
	size_t count;
	int negated_last; /* the source ends with a negation */
	int any_negated;
	size_t start; /* index of the first value after it */
};

static void
span_of(const struct arg_vals *vs, const char *section, struct span *sp)
{
	const struct arg_val *v;
	size_t i;

	memset(sp, 0, sizeof(*sp));
	for (i = 0; i < vs->n; i++) {
		v = &vs->v[i];
		if (section != NULL && strcmp(v->section, section) != 0)
			continue;
		if (v->negated) {
			sp->first = sp->last = NULL;
			sp->count = 0;
			sp->negated_last = sp->any_negated = 1;
			sp->start = i + 1;
			continue;
		}
		if (sp->first == NULL)
			sp->first = v;
		sp->last = v;
		sp->count++;
		sp->negated_last = 0;
	}
}

static int
uses_top_level(const char *chain, const struct arg_def *d)
{
	return !(d->flags & ARG_NET) || chain == NULL ||
	    strcmp(chain, "main") == 0;
}

/* Computes option idx's effective value and list for chain into e. */
static void
resolve_into(const struct args *a, int idx, const char *chain,
    struct arg_eff *e)
{
	const struct arg_def *d = arg_def_at(idx);
	const struct arg_vals *srcs[3];
	const struct arg_val *v;
	const char *secs[3];
	struct span sp;
	size_t i, j, ns = 0;
	int done = 0, list_done = 0;

	memset(e, 0, sizeof(*e));
	srcs[ns] = &a->cmd[idx];
	secs[ns++] = NULL;
	if (chain != NULL) {
		srcs[ns] = &a->conf[idx];
		secs[ns++] = chain;
	}
	if (uses_top_level(chain, d)) {
		srcs[ns] = &a->conf[idx];
		secs[ns++] = "";
	}
	for (i = 0; i < ns; i++) {
		span_of(srcs[i], secs[i], &sp);
		if (!done && sp.count > 0) {
			/* a file: first after a negation; command line: last */
			v = secs[i] == NULL ? sp.last : sp.first;
			e->value = v->value;
			done = 1;
		} else if (!done && sp.negated_last) {
			e->value = "0";
			e->negated = 1;
			done = 1;
		}
		if (list_done)
			continue;
		for (j = sp.start; j < srcs[i]->n; j++) {
			v = &srcs[i]->v[j];
			if (secs[i] != NULL &&
			    strcmp(v->section, secs[i]) != 0)
				continue;
			e->all = xreallocarray(e->all, e->nall + 1,
			    sizeof(*e->all));
			e->all[e->nall++] = v->value;
		}
		if (sp.any_negated)
			list_done = 1;
	}
}

void
args_resolve(struct args *a)
{
	size_t i, n = arg_count();

	for (i = 0; i < n; i++) {
		free(a->eff[i].all);
		resolve_into(a, (int)i, a->chain, &a->eff[i]);
	}
}

static const struct arg_eff *
eff_of(const struct args *a, const char *name)
{
	int idx;

	if (name[0] == '-')
		name++;
	if ((idx = arg_lookup(name)) == -1)
		fatalx(
		    "args: option -%s is not registered (util/args_table.c)",
		    name);
	return &a->eff[idx];
}

const char *
args_get(const struct args *a, const char *name)
{
	return eff_of(a, name)->value;
}

int
args_is_set(const struct args *a, const char *name)
{
	return eff_of(a, name)->value != NULL;
}

int
args_is_negated(const struct args *a, const char *name)
{
	return eff_of(a, name)->negated;
}

int64_t
args_get_int(const struct args *a, const char *name, int64_t def)
{
	const struct arg_eff *e = eff_of(a, name);

	if (e->value == NULL)
		return def;
	if (e->negated)
		return 0;
	return loose_int(e->value);
}

int
args_get_bool(const struct args *a, const char *name, int def)
{
	const struct arg_eff *e = eff_of(a, name);

	if (e->value == NULL)
		return def;
	if (e->negated)
		return 0;
	if (e->value[0] == '\0')
		return 1;
	return loose_int(e->value) != 0;
}

size_t
args_get_all(const struct args *a, const char *name, const char *const **vals)
{
	const struct arg_eff *e = eff_of(a, name);

	*vals = (const char *const *)e->all;
	return e->nall;
}

const char *
args_chain_name(const struct args *a)
{
	return a->chain ? a->chain : "main";
}

const char *
args_datadir(const struct args *a)
{
	return a->datadir;
}

const char *
args_chaindir(const struct args *a)
{
	return a->chaindir;
}

const char *
args_config_path(const struct args *a)
{
	return a->conf_path;
}

size_t
args_warnings(const struct args *a, const char *const **msgs)
{
	*msgs = (const char *const *)a->warnings;
	return a->nwarnings;
}

/*
 * A chain option (-regtest & co.) as Core reads it before a chain is
 * chosen: the command line unless its last occurrence is a negation (Core
 * silently skips those), then the top level of the file, where the last
 * value wins.
 */
static int
chain_flag(const struct args *a, const char *name)
{
	int idx = arg_lookup(name);
	struct span sp;
	const char *v = NULL;

	span_of(&a->cmd[idx], NULL, &sp);
	if (sp.count > 0)
		v = sp.last->value;
	else {
		span_of(&a->conf[idx], "", &sp);
		if (sp.count > 0)
			v = sp.last->value;
	}
	if (v == NULL)
		return 0;
	return *v == '\0' || loose_int(v) != 0;
}

static const struct {
	const char *name;   /* -chain= value and config section */
	const char *flag;   /* the boolean option, or NULL */
	const char *subdir; /* under the datadir, or NULL for main */
} chains[] = {
	{ "main", NULL, NULL },
	{ "test", "testnet", "testnet3" },
	{ "testnet4", "testnet4", "testnet4" },
	{ "signet", "signet", "signet" },
	{ "regtest", "regtest", "regtest" },
};

#define NCHAINS (sizeof(chains) / sizeof(chains[0]))

int
args_chain_from_settings(struct args *a, const char **chain, char *err,
    size_t errlen)
{
	struct arg_eff eff;
	const char *c = NULL, *v;
	size_t i;
	int count = 0;

	/* -chain as read before a chain exists: command line, top level */
	resolve_into(a, arg_lookup("chain"), NULL, &eff);
	free(eff.all);
	v = eff.negated ? NULL : eff.value;
	if (v != NULL) {
		count++;
		for (i = 0; i < NCHAINS; i++)
			if (strcmp(v, chains[i].name) == 0)
				c = chains[i].name;
		if (c == NULL) {
			errbuf_printf(err, errlen,
			    "Unknown chain %s. Use main, "
			    "test, testnet4, signet or regtest.",
			    v);
			return -1;
		}
	}
	for (i = 0; i < NCHAINS; i++) {
		if (chains[i].flag && chain_flag(a, chains[i].flag)) {
			count++;
			c = chains[i].name;
		}
	}
	if (count > 1) {
		errbuf_printf(err, errlen,
		    "Invalid combination of -regtest, "
		    "-signet, -testnet, -testnet4 and -chain. Can use at most "
		    "one.");
		return -1;
	}
	*chain = c ? c : "main";
	return 0;
}

static int
in_section(const struct arg_vals *vs, const char *section)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].section, section) == 0)
			return 1;
	return 0;
}

/*
 * Whether value v of option d asks for the feature rather than leaving it
 * off. Off is 0 in any spelling Core's parsers give it: "0", "00", hex
 * "0x0" (-minimumchainwork and the like) and "0" with a size suffix
 * (-maxuploadtarget=0M); and "" unless the option says "" turns it on.
 */
static int
value_on(const struct arg_def *d, const char *v)
{
	const char *p = v;

	if (*p == '\0')
		return (d->flags & ARG_EMPTY_ON) != 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (*p != '0')
		return 1;
	while (*p == '0')
		p++;
	if (*p != '\0' && strchr("kmgtKMGT", *p) != NULL)
		p++;
	return *p != '\0';
}

/* The first value of option idx that asks for the feature, or NULL. */
static const char *
first_on(const struct args *a, int idx)
{
	const struct arg_def *d = arg_def_at(idx);
	const struct arg_eff *e = &a->eff[idx];
	size_t i;

	if (e->value == NULL || e->negated)
		return NULL;
	if ((d->flags & ARG_MULTI) && e->nall > 0) {
		for (i = 0; i < e->nall; i++)
			if (value_on(d, e->all[i]))
				return e->all[i];
		return NULL;
	}
	return value_on(d, e->value) ? e->value : NULL;
}

int
args_select_chain(struct args *a, char *err, size_t errlen)
{
	const struct arg_def *d;
	const char *chain;
	size_t i, n = arg_count(), len = 0;
	int idx;

	if (args_chain_from_settings(a, &chain, err, errlen) == -1)
		return -1;
	a->chain = chain;
	args_resolve(a);
	if (args_find_datadir(a, err, errlen) == -1)
		return -1;
	free(a->chaindir);
	a->chaindir = NULL;
	for (i = 0; i < NCHAINS; i++)
		if (strcmp(chain, chains[i].name) == 0)
			a->chaindir = chains[i].subdir ?
			    xasprintf("%s/%s", a->datadir, chains[i].subdir) :
			    xstrdup(a->datadir);

	/*
	 * Core refuses to start when a network-only option is only at the
	 * top of the file on a test chain, rather than silently dropping it.
	 * Refusals are the daemon's start-up policy: the client, as
	 * bitcoin-cli, drops such a value and ignores the daemon's options.
	 */
	if (a->client)
		return 0;
	if (strcmp(chain, "main") != 0) {
		err[0] = '\0';
		for (idx = 0; idx < (int)n; idx++) {
			d = arg_def_at(idx);
			if (!(d->flags & ARG_NET) || a->cmd[idx].n > 0)
				continue;
			if (in_section(&a->conf[idx], chain) ||
			    !in_section(&a->conf[idx], ""))
				continue;
			if (len < errlen)
				len += snprintf(err + len, errlen - len,
				    "%sConfig setting for -%s only applied on "
				    "%s network when in [%s] section.",
				    len ? "\n" : "", d->name, chain, chain);
		}
		if (len > 0)
			return -1;
	}
	for (idx = 0; idx < (int)n; idx++) {
		const char *v;

		d = arg_def_at(idx);
		if ((d->flags & ARG_UNSUPP) &&
		    (v = first_on(a, idx)) != NULL) {
			errbuf_printf(err, errlen,
			    "-%s=%s is not supported by "
			    "bitrootd: %s.",
			    d->name, v, d->note);
			return -1;
		}
	}
	return 0;
}

static void
log_one(const struct arg_def *d, const struct arg_val *v, const char *src)
{
	const char *sec = v->section ? v->section : "";

	if (v->negated)
		log_info("%s arg: %s%s%s%s=false", src, *sec ? "[" : "", sec,
		    *sec ? "] " : "", d->name);
	else if (d->flags & ARG_SENSITIVE)
		log_info("%s arg: %s%s%s%s=****", src, *sec ? "[" : "", sec,
		    *sec ? "] " : "", d->name);
	else
		log_info("%s arg: %s%s%s%s=\"%s\"", src, *sec ? "[" : "", sec,
		    *sec ? "] " : "", d->name, v->value);
}

void
args_log(const struct args *a)
{
	const struct arg_def *d;
	size_t i, j, n = arg_count();

	for (i = 0; i < a->nwarnings; i++)
		log_warnx("%s", a->warnings[i]);
	log_info("Using data directory %s",
	    a->chaindir ? a->chaindir : a->datadir);
	if (args_is_negated(a, "conf"))
		log_info("Config file: <disabled>");
	else if (a->conf_path)
		log_info("Config file: %s", a->conf_path);
	else
		log_info("Config file: %s/bitroot.conf (not found, skipping)",
		    a->datadir);
	for (i = 0; i < n; i++) {
		d = arg_def_at((int)i);
		for (j = 0; j < a->conf[i].n; j++)
			log_one(d, &a->conf[i].v[j], "Config file");
	}
	for (i = 0; i < n; i++) {
		d = arg_def_at((int)i);
		for (j = 0; j < a->cmd[i].n; j++)
			log_one(d, &a->cmd[i].v[j], "Command-line");
	}
	/* One line each, so that nothing set is silently without effect. */
	for (i = 0; i < n; i++) {
		const char *v;

		d = arg_def_at((int)i);
		if ((d->flags & ARG_IGNORED) && a->eff[i].value != NULL)
			log_warnx("-%s is ignored: %s", d->name, d->note);
		else if ((d->flags & ARG_WARN_ON) &&
		    (v = first_on(a, (int)i)) != NULL)
			log_warnx("-%s=%s has no effect: %s", d->name, v,
			    d->note);
	}
}

/* Appends to a growing string. */
static void cat(char **s, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cat(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("args_dump: format");
	*s = xrealloc(*s, *len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*s + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(arg_def_at(*(const int *)x)->name,
	    arg_def_at(*(const int *)y)->name);
}

char *
args_dump(const struct args *a)
{
	const struct arg_def *d;
	const struct arg_eff *e;
	size_t i, j, n = arg_count(), len = 0;
	int *order;
	char *s = xstrdup("");

	cat(&s, &len, "chain=%s\n", args_chain_name(a));
	cat(&s, &len, "datadir=%s\n", a->datadir ? a->datadir : "");
	cat(&s, &len, "chaindir=%s\n", a->chaindir ? a->chaindir : "");
	cat(&s, &len, "conf=%s\n", a->conf_path ? a->conf_path : "");
	order = xcalloc(n, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = (int)i;
	qsort(order, n, sizeof(*order), by_name);
	for (i = 0; i < n; i++) {
		d = arg_def_at(order[i]);
		e = &a->eff[order[i]];
		if (e->value == NULL)
			continue;
		if ((d->flags & ARG_MULTI) && e->nall > 0) {
			for (j = 0; j < e->nall; j++)
				cat(&s, &len, "-%s+=%s\n", d->name, e->all[j]);
		} else if (e->negated)
			cat(&s, &len, "-%s=0 (negated)\n", d->name);
		else
			cat(&s, &len, "-%s=%s\n", d->name, e->value);
	}
	free(order);
	for (i = 0; i < a->nwarnings; i++)
		cat(&s, &len, "warning: %s\n", a->warnings[i]);
	return s;
}
