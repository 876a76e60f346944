/*
 * libFuzzer target for the config-file parser and the command-line parser
 * (util/args.h, util/args_int.h).
 *
 * The input is taken twice: as the text of a config file, and as a
 * command line (words separated by NUL bytes). Properties:
 *  - a config file either parses, or fails with a message that ends in
 *    "(FILE:LINE)"; then the lines before LINE parse, and the text up to
 *    and including LINE fails with the same message;
 *  - what a config file stores (value, negation, section, line) can be
 *    written back as a config file of our own that parses to exactly the
 *    same values, and resolves to the same settings for its chain;
 *  - likewise a command line written back from what was stored;
 *  - a command line that fails says why.
 * Nothing may crash, leak or read out of bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"
#include "util/args_int.h"
#include "util/xmalloc.h"

#define FUZZ_NAME "fuzz_config"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONF_NAME "fuzz.conf"
#define MAX_INPUT 65536
#define MAX_WORDS 64

/* Parses len bytes of text as the main config file into a new args. */
static int
parse_conf(const char *text, size_t len, struct args **out, char *err,
    size_t errlen)
{
	char *buf = xmalloc(len + 1);
	int rc;

	memcpy(buf, text, len);
	buf[len] = '\0';
	*out = args_new();
	err[0] = '\0';
	rc = args_conf_parse(*out, buf, len, CONF_NAME, 1, err, errlen);
	free(buf);
	PROP(rc == 0 || rc == -1);
	return rc;
}

/* The line number at the end of "... (fuzz.conf:N)", or -1. */
static int
error_line(const char *err)
{
	const char *tail = strrchr(err, '(');
	char *end;
	long n;

	if (tail == NULL ||
	    strncmp(tail + 1, CONF_NAME ":", strlen(CONF_NAME) + 1) != 0)
		return -1;
	n = strtol(tail + 2 + strlen(CONF_NAME), &end, 10);
	if (strcmp(end, ")") != 0 || n < 1 || n > MAX_INPUT + 1)
		return -1;
	return (int)n;
}

/* Offset just past the n-th newline (n >= 0), or len if there is none. */
static size_t
after_line(const char *text, size_t len, int n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (text[i] == '\n' && --n == 0)
			return i + 1;
	return len;
}

static int
count_lines(const char *text, size_t len)
{
	size_t i;
	int n = 1;

	for (i = 0; i + 1 < len; i++)
		if (text[i] == '\n')
			n++;
	return n;
}

static int
same_vals(const struct arg_vals *x, const struct arg_vals *y, int file)
{
	size_t i;

	if (x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++) {
		if (strcmp(x->v[i].value, y->v[i].value) != 0 ||
		    x->v[i].negated != y->v[i].negated)
			return 0;
		if (file && strcmp(x->v[i].section, y->v[i].section) != 0)
			return 0;
		if (!file &&
		    (x->v[i].section != NULL || y->v[i].section != NULL))
			return 0;
	}
	return 1;
}

/* Appends piece (xmalloc'd, consumed) to the string *s of length *len. */
static void
append(char **s, size_t *len, char *piece)
{
	size_t n = strlen(piece);

	*s = xrealloc(*s, *len + n + 1);
	memcpy(*s + *len, piece, n + 1);
	*len += n;
	free(piece);
}

/*
 * A config file of our own spelling for what a stored: each value under a
 * header naming its section ("[]" is the top level), a negation as
 * "noNAME=1".
 */
static char *
rewrite_conf(const struct args *a, size_t *len)
{
	const struct arg_val *v;
	const char *name;
	char *s = xstrdup("");
	size_t i, j;

	*len = 0;
	for (i = 0; i < arg_count(); i++) {
		name = arg_def_at((int)i)->name;
		for (j = 0; j < a->conf[i].n; j++) {
			v = &a->conf[i].v[j];
			append(&s, len,
			    v->negated ?
				xasprintf("[%s]\nno%s=1\n", v->section, name) :
				xasprintf("[%s]\n%s=%s\n", v->section, name,
				    v->value));
		}
	}
	return s;
}

/* Settings as resolved for the chain the args name; NULL if none. */
static char *
resolved(struct args *a)
{
	char err[512], *dump, *p, *q;
	const char *chain;

	if (args_chain_from_settings(a, &chain, err, sizeof(err)) != 0) {
		PROP(err[0] != '\0');
		return NULL;
	}
	a->chain = chain;
	args_resolve(a);
	dump = args_dump(a);
	/* Warnings name lines; the settings do not. */
	if ((p = strstr(dump, "warning: ")) != NULL) {
		q = p;
		while (q > dump && q[-1] != '\n')
			q--;
		*q = '\0';
	}
	return dump;
}

static void
check_conf(const char *text, size_t size)
{
	struct args *a, *b;
	char *err, *err2, *own, *d1, *d2;
	const struct arg_val *v;
	size_t errlen = size + 1024, i, j, len;
	int line, nlines;

	err = xmalloc(errlen);
	err2 = xmalloc(errlen);
	nlines = count_lines(text, size);
	if (parse_conf(text, size, &a, err, errlen) != 0) {
		line = error_line(err);
		if (line == -1)
			fprintf(stderr, "no line in: %s\n", err);
		PROP(line >= 1 && line <= nlines);
		args_free(a);
		PROP(parse_conf(text, after_line(text, size, line - 1), &a,
			 err2, errlen) == 0);
		args_free(a);
		PROP(parse_conf(text, after_line(text, size, line), &a, err2,
			 errlen) == -1);
		PROP(strcmp(err, err2) == 0);
		args_free(a);
		goto out;
	}

	for (i = 0; i < arg_count(); i++) {
		PROP(a->cmd[i].n == 0);
		for (j = 0; j < a->conf[i].n; j++) {
			v = &a->conf[i].v[j];
			PROP(v->section != NULL && v->value != NULL);
			PROP(v->file != NULL &&
			    strcmp(v->file, CONF_NAME) == 0);
			PROP(v->line >= 1 && v->line <= nlines);
			PROP(strpbrk(v->value, "#\n") == NULL);
			PROP(strchr(v->section, '.') == NULL);
			PROP(!v->negated || strcmp(v->value, "0") == 0);
		}
	}

	own = rewrite_conf(a, &len);
	if (parse_conf(own, len, &b, err, errlen) != 0)
		fprintf(stderr, "rewritten config fails: %s\n%s", err, own);
	PROP(err[0] == '\0');
	for (i = 0; i < arg_count(); i++)
		PROP(same_vals(&a->conf[i], &b->conf[i], 1));
	d1 = resolved(a);
	d2 = resolved(b);
	PROP((d1 == NULL) == (d2 == NULL));
	if (d1 != NULL)
		PROP(strcmp(d1, d2) == 0);
	free(d1);
	free(d2);
	free(own);
	args_free(b);
	args_free(a);
out:
	free(err);
	free(err2);
}

/* argv words of our own spelling for what a stored; returns the count. */
static int
rewrite_argv(const struct args *a, char **argv, int max)
{
	const struct arg_val *v;
	const char *name;
	size_t i, j;
	int argc = 1;

	argv[0] = xstrdup("bitrootd");
	for (i = 0; i < arg_count(); i++) {
		name = arg_def_at((int)i)->name;
		for (j = 0; j < a->cmd[i].n && argc < max; j++) {
			v = &a->cmd[i].v[j];
			argv[argc++] = v->negated ?
			    xasprintf("-no%s", name) :
			    xasprintf("-%s=%s", name, v->value);
		}
	}
	argv[argc] = NULL;
	return argc;
}

static void
check_argv(const uint8_t *data, size_t size)
{
	struct args *a, *b;
	char err[1024], *buf, *argv[MAX_WORDS + 1], *own[MAX_WORDS + 1], *p;
	char *d1, *d2;
	size_t i;
	int argc, n, k;

	buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "bitrootd";
	argc = 1;
	for (p = buf; p < buf + size && argc < MAX_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	a = args_new();
	err[0] = '\0';
	if (args_parse_argv(a, argc, argv, err, sizeof(err)) != 0) {
		PROP(err[0] != '\0');
		args_free(a);
		free(buf);
		return;
	}
	for (i = 0; i < arg_count(); i++)
		PROP(a->conf[i].n == 0);
	n = rewrite_argv(a, own, MAX_WORDS);
	b = args_new();
	if (args_parse_argv(b, n, own, err, sizeof(err)) != 0)
		fprintf(stderr, "rewritten command line fails: %s\n", err);
	PROP(err[0] == '\0');
	for (i = 0; i < arg_count(); i++)
		PROP(same_vals(&a->cmd[i], &b->cmd[i], 0));
	(void)args_help_requested(a);
	d1 = resolved(a);
	d2 = resolved(b);
	PROP((d1 == NULL) == (d2 == NULL));
	if (d1 != NULL)
		PROP(strcmp(d1, d2) == 0);
	free(d1);
	free(d2);
	for (k = 0; k < n; k++)
		free(own[k]);
	args_free(b);
	args_free(a);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	check_conf((const char *)data, size);
	check_argv(data, size);
	return 0;
}
