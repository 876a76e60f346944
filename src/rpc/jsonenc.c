/*
 * JSON output as Bitcoin Core writes it (UniValue::write): compact replies
 * without spaces, pretty output with Core's layout, doubles with 16
 * significant digits and amounts with exactly 8 decimals; and the decoder
 * that keeps number literals for bitroot-cli (see jsonenc.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonenc.h"
#include "util/xmalloc.h"

json_t *
rpc_amount(int64_t sat)
{
	char buf[40];
	uint64_t a;
	int n;

	a = sat < 0 ? (uint64_t)0 - (uint64_t)sat : (uint64_t)sat;
	n = snprintf(buf, sizeof(buf), "%c%s%" PRIu64 ".%08" PRIu64,
	    RPC_JSON_LITERAL_MARK, sat < 0 ? "-" : "", a / 100000000u,
	    a % 100000000u);
	return json_stringn_nocheck(buf, (size_t)n);
}

void
jout_free(struct jout *o)
{
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
}

static void
jout_reserve(struct jout *o, size_t n)
{
	size_t cap;

	if (o->len + n + 1 <= o->cap)
		return;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n + 1)
		cap *= 2;
	o->p = xrealloc(o->p, cap);
	o->cap = cap;
}

void
jout_putn(struct jout *o, const char *s, size_t n)
{
	jout_reserve(o, n);
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

void
jout_puts(struct jout *o, const char *s)
{
	jout_putn(o, s, strlen(s));
}

static void
jout_putc(struct jout *o, char c)
{
	jout_reserve(o, 1);
	o->p[o->len++] = c;
	o->p[o->len] = '\0';
}

static void
put_indent(struct jout *o, int n)
{
	jout_reserve(o, (size_t)n);
	memset(o->p + o->len, ' ', (size_t)n);
	o->len += (size_t)n;
	o->p[o->len] = '\0';
}

/* Digits at s[*i]; how many. */
static size_t
digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i - start;
}

/* Whether s (after the marker) is a JSON number literal. */
static int
is_number_literal(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (digits(s, n, &i) == 0)
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (digits(s, n, &i) == 0)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (digits(s, n, &i) == 0)
			return 0;
	}
	return i == n;
}

int
rpc_json_is_literal(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	return s != NULL && n > 1 && s[0] == RPC_JSON_LITERAL_MARK &&
	    is_number_literal(s + 1, n - 1);
}

static void
put_string(struct jout *o, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, run;
	unsigned char c;
	char esc[7];

	jout_putc(o, '"');
	for (i = 0; i < n;) {
		/* Copy runs that need no escape in one go. */
		for (run = i; run < n; run++) {
			c = (unsigned char)s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
				break;
		}
		if (run > i)
			jout_putn(o, s + i, run - i);
		if (run >= n)
			break;
		c = (unsigned char)s[run];
		switch (c) {
		case '"': jout_putn(o, "\\\"", 2); break;
		case '\\': jout_putn(o, "\\\\", 2); break;
		case '\b': jout_putn(o, "\\b", 2); break;
		case '\f': jout_putn(o, "\\f", 2); break;
		case '\n': jout_putn(o, "\\n", 2); break;
		case '\r': jout_putn(o, "\\r", 2); break;
		case '\t': jout_putn(o, "\\t", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			jout_putn(o, esc, 6);
			break;
		}
		i = run + 1;
	}
	jout_putc(o, '"');
}

static void
encode(struct jout *o, const json_t *v, int indent, int level)
{
	char buf[64];
	const char *key, *s;
	json_t *x;
	size_t i, n, sl;
	int lvl = level ? level : 1;

	switch (json_typeof(v)) {
	case JSON_NULL: jout_putn(o, "null", 4); break;
	case JSON_TRUE: jout_putn(o, "true", 4); break;
	case JSON_FALSE: jout_putn(o, "false", 5); break;
	case JSON_INTEGER:
		n = (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		jout_putn(o, buf, n);
		break;
	case JSON_REAL:
		n = (size_t)snprintf(buf, sizeof(buf), "%.16g",
		    json_real_value(v));
		jout_putn(o, buf, n);
		break;
	case JSON_STRING:
		s = json_string_value(v);
		sl = json_string_length(v);
		if (rpc_json_is_literal(v))
			jout_putn(o, s + 1, sl - 1);
		else
			put_string(o, s, sl);
		break;
	case JSON_ARRAY:
		jout_putc(o, '[');
		if (indent)
			jout_putc(o, '\n');
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (indent)
				put_indent(o, indent * lvl);
			encode(o, json_array_get(v, i), indent, lvl + 1);
			if (i + 1 < n)
				jout_putc(o, ',');
			if (indent)
				jout_putc(o, '\n');
		}
		if (indent)
			put_indent(o, indent * (lvl - 1));
		jout_putc(o, ']');
		break;
	case JSON_OBJECT:
		jout_putc(o, '{');
		if (indent)
			jout_putc(o, '\n');
		n = json_object_size(v);
		i = 0;
		json_object_foreach ((json_t *)(uintptr_t)v, key, x) {
			if (indent)
				put_indent(o, indent * lvl);
			put_string(o, key, strlen(key));
			jout_putc(o, ':');
			if (indent)
				jout_putc(o, ' ');
			encode(o, x, indent, lvl + 1);
			if (++i < n)
				jout_putc(o, ',');
			if (indent)
				jout_putc(o, '\n');
		}
		if (indent)
			put_indent(o, indent * (lvl - 1));
		jout_putc(o, '}');
		break;
	}
}

void
rpc_json_encode(struct jout *o, const json_t *v, int indent)
{
	encode(o, v, indent, 0);
}

char *
rpc_json_dumps(const json_t *v, int indent)
{
	struct jout o = { NULL, 0, 0 };

	encode(&o, v, indent, 0);
	return o.p;
}

/*
 * The literal decoder walks text that jansson has already accepted, so it
 * only has to find where each value ends; strings are handed back to
 * jansson to undo their escapes.
 */
static const char *
skip_ws(const char *p, const char *end)
{
	while (
	    p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The string token at p (its opening quote), decoded; *next after it. */
static json_t *
load_string(const char *p, const char *end, const char **next)
{
	const char *q = p + 1;

	while (q < end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	*next = q + 1;
	return json_loadb(p, (size_t)(*next - p),
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static json_t *
load_value(const char *p, const char *end, const char **next)
{
	json_t *v, *item, *key;
	const char *q;
	char *lit;
	int is_obj;

	p = skip_ws(p, end);
	if (*p == '"')
		return load_string(p, end, next);
	if (*p == '{' || *p == '[') {
		is_obj = *p == '{';
		v = is_obj ? json_object() : json_array();
		p = skip_ws(p + 1, end);
		while (*p != (is_obj ? '}' : ']')) {
			key = NULL;
			if (is_obj) {
				key = load_string(p, end, &p);
				p = skip_ws(p, end) + 1; /* the ':' */
			}
			item = load_value(p, end, &p);
			if (key != NULL) {
				json_object_set_new(v, json_string_value(key),
				    item);
				json_decref(key);
			} else
				json_array_append_new(v, item);
			p = skip_ws(p, end);
			if (*p == ',')
				p = skip_ws(p + 1, end);
		}
		*next = p + 1;
		return v;
	}
	for (q = p; q < end && strchr("+-.0123456789eE", *q) != NULL; q++)
		;
	if (q == p) {
		/* true, false, null */
		*next = p + (*p == 'f' ? 5 : 4);
		return *p == 't' ? json_true() :
		    *p == 'f'	 ? json_false() :
				   json_null();
	}
	*next = q;
	lit = xmalloc((size_t)(q - p) + 1);
	lit[0] = RPC_JSON_LITERAL_MARK;
	memcpy(lit + 1, p, (size_t)(q - p));
	v = json_stringn_nocheck(lit, (size_t)(q - p) + 1);
	free(lit);
	return v;
}

json_t *
rpc_json_load_literal(const char *text, size_t len, json_error_t *e)
{
	const char *next;
	json_t *check;

	check = json_loadb(text, len, JSON_DECODE_ANY, e);
	if (check == NULL)
		return NULL;
	json_decref(check);
	return load_value(text, text + len, &next);
}

json_t *
rpc_json_literal_value(const char *text, size_t len)
{
	const char *next;

	return load_value(text, text + len, &next);
}
