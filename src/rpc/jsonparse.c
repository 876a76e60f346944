/*
 * Parsing a JSON-RPC body as Core's UniValue reads it.
 *
 * UniValue keeps a number as the text it was sent as; it checks the range
 * only when a method asks for the value (getInt<T>() answers "JSON integer
 * out of range") and it echoes an "id" byte for byte. jansson instead
 * refuses an integer outside int64 or a real outside double, failing the
 * whole body as a parse error, and writes 1.10 back as 1.1. So one scan
 * over the text, before jansson sees it, does three things:
 *
 *  - refuses nesting deeper than UniValue's limit (RPC_MAX_JSON_DEPTH);
 *  - rewrites each number jansson cannot hold as a real (clamped to the
 *    double range): it stays a number for the type checks, and every
 *    integer reader already answers a real with Core's range error;
 *  - notes the text of an "id" of each request that jansson would not
 *    write back verbatim (a real, -0, a huge integer, or an array or
 *    object, which may hold such numbers); once parsed, that id is read
 *    again from its text with every number kept as a literal (jsonenc.h).
 *
 * Strings may hold \u0000, as in UniValue; rpc_request_parse answers a
 * method name holding one with "Method not found".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/xmalloc.h"

/* An id to restore: element index (-1: the body is one object), text. */
struct raw_id {
	long elem;
	const char *p;
	size_t n;
};

struct scan {
	const char *data, *end;
	struct jout out;    /* the rewritten text, once one is needed */
	const char *copied; /* data up to here is in out */
	struct raw_id *ids;
	size_t nids;
	/* Containers open: top-level kind, and the request-level state. */
	size_t depth;
	char top;	     /* '{', '[' or 0 */
	long elem;	     /* index in a top-level array */
	int want_key;	     /* inside a request object, a key comes next */
	int id_next;	     /* the request's "id" value comes next */
	const char *id_open; /* an array or object id starts here */
};

static void
add_id(struct scan *s, const char *p, const char *q)
{
	s->ids = xreallocarray(s->ids, s->nids + 1, sizeof(*s->ids));
	s->ids[s->nids].elem = s->top == '[' ? s->elem : -1;
	s->ids[s->nids].p = p;
	s->ids[s->nids].n = (size_t)(q - p);
	s->nids++;
}

/* Where the string token at p (its opening quote) ends; end if unclosed. */
static const char *
string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' && ++p == end)
			break;
	return p < end ? p + 1 : end;
}

/* Whether the key token [p, q) decodes to "id" (escapes allowed). */
static int
key_is_id(const char *p, const char *q)
{
	json_t *k;
	int r;

	if (q - p == 4)
		return memcmp(p, "\"id\"", 4) == 0;
	if (q - p > 16 || memchr(p, '\\', (size_t)(q - p)) == NULL)
		return 0;
	k = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY, NULL);
	r = json_is_string(k) && strcmp(json_string_value(k), "id") == 0 &&
	    json_string_length(k) == 2;
	json_decref(k);
	return r;
}

/* The number token at p: its end; *real when it has a fraction or exponent. */
static const char *
number_end(const char *p, const char *end, int *real)
{
	*real = 0;
	for (; p < end; p++) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			*real = 1;
		else if (!(*p == '-' || *p == '+' || (*p >= '0' && *p <= '9')))
			break;
	}
	return p;
}

static const char *
digits(const char *p, const char *q)
{
	while (p < q && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/*
 * Whether [p, q) is a number as JSON writes one (RFC 8259 section 6):
 * anything else is left alone for jansson to refuse, never rewritten.
 */
static int
json_number(const char *p, const char *q)
{
	const char *d;

	if (p < q && *p == '-')
		p++;
	if (p < q && *p == '0')
		p++;
	else if ((d = digits(p, q)) == p)
		return 0;
	else
		p = d;
	if (p < q && *p == '.') {
		if ((d = digits(p + 1, q)) == p + 1)
			return 0;
		p = d;
	}
	if (p < q && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < q && (*p == '+' || *p == '-'))
			p++;
		if ((d = digits(p, q)) == p)
			return 0;
		p = d;
	}
	return p == q;
}

/* Whether jansson holds the integer token [p, q) as it is written. */
static int
int_fits(const char *p, const char *q)
{
	char buf[32];
	char *e;

	if ((size_t)(q - p) >= sizeof(buf))
		return 0;
	memcpy(buf, p, (size_t)(q - p));
	buf[q - p] = '\0';
	errno = 0;
	(void)strtoll(buf, &e, 10);
	return errno == 0 && *e == '\0';
}

/* Whether jansson can read the real token [p, q) (no overflow). */
static double
real_value(const char *p, const char *q, int *fits)
{
	char buf[64], *tmp = buf;
	double d;

	if ((size_t)(q - p) >= sizeof(buf))
		tmp = xmalloc((size_t)(q - p) + 1);
	memcpy(tmp, p, (size_t)(q - p));
	tmp[q - p] = '\0';
	errno = 0;
	d = strtod(tmp, NULL);
	*fits = !(errno == ERANGE && (d > 1 || d < -1));
	if (tmp != buf)
		free(tmp);
	return d;
}

static void
number(struct scan *s, const char *p, const char *q, int is_id)
{
	char buf[40];
	double d;
	int real, fits;

	if (!json_number(p, q))
		return;
	number_end(p, q, &real);
	if (real)
		real_value(p, q, &fits);
	else
		fits = int_fits(p, q);
	/* Kept as written: 1.10, 1e2, -0, 2^64. */
	if (is_id && (real || !fits || (q - p == 2 && p[0] == '-')))
		add_id(s, p, q);
	if (fits)
		return;
	/* A real jansson takes, as close to the value as a double gets. */
	d = real_value(p, q, &fits);
	if (!fits)
		d = d > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
	snprintf(buf, sizeof(buf), "%.17e", d);
	jout_putn(&s->out, s->copied, (size_t)(p - s->copied));
	jout_puts(&s->out, buf);
	s->copied = q;
}

/* Inside a request object: the top-level one, or one in a top-level array. */
static int
request_level(const struct scan *s)
{
	return (s->top == '{' && s->depth == 1) ||
	    (s->top == '[' && s->depth == 2);
}

/*
 * Walks the text once. -1 when it nests too deep; malformed text is left
 * for jansson to refuse. The request level is the top-level object, or
 * each object directly inside a top-level array.
 */
static int
scan(struct scan *s)
{
	const char *p = s->data, *q;
	int real, req_level, is_id;

	while (p < s->end) {
		req_level = request_level(s);
		switch (*p) {
		case '"':
			q = string_end(p, s->end);
			if (req_level && s->want_key) {
				s->id_next = key_is_id(p, q);
				s->want_key = 0;
			} else if (req_level)
				s->id_next = 0;
			p = q;
			continue;
		case '{':
		case '[':
			if (req_level && s->id_next)
				s->id_open = p;
			if (++s->depth > RPC_MAX_JSON_DEPTH)
				return -1;
			if (s->depth == 1)
				s->top = *p;
			/* A request object: keys follow. */
			s->want_key = *p == '{' && request_level(s);
			s->id_next = 0;
			break;
		case ']':
		case '}':
			if (s->depth > 0)
				s->depth--;
			s->id_next = 0;
			if (s->id_open != NULL && request_level(s)) {
				add_id(s, s->id_open, p + 1);
				s->id_open = NULL;
			}
			/* Back at the request level: the next key follows ','. */
			break;
		case ',':
			if (s->top == '[' && s->depth == 1)
				s->elem++;
			if (req_level)
				s->want_key = 1;
			s->id_next = 0;
			break;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			q = number_end(p, s->end, &real);
			is_id = req_level && s->id_next;
			number(s, p, q, is_id);
			s->id_next = 0;
			p = q;
			continue;
		default:
			if (req_level && *p != ':' && *p != ' ' &&
			    *p != '\t' && *p != '\n' && *p != '\r')
				s->id_next = 0; /* true, false, null */
			break;
		}
		p++;
	}
	return 0;
}

json_t *
rpc_json_parse(const char *data, size_t len)
{
	struct scan s;
	json_t *body, *req;
	size_t i;

	/*
	 * A raw NUL is never JSON (inside a string it must be escaped), and
	 * the C-string stages after the scan would stop at it: refuse it
	 * here, as UniValue does.
	 */
	if (memchr(data, '\0', len) != NULL)
		return NULL;
	memset(&s, 0, sizeof(s));
	s.data = s.copied = data;
	s.end = data + len;
	if (scan(&s) == -1) {
		jout_free(&s.out);
		free(s.ids);
		return NULL;
	}
	if (s.out.p != NULL) {
		jout_putn(&s.out, s.copied, (size_t)(s.end - s.copied));
		body = json_loadb(s.out.p, s.out.len,
		    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
		    NULL);
	} else
		body = json_loadb(data, len,
		    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
		    NULL);
	for (i = 0; body != NULL && i < s.nids; i++) {
		req = s.ids[i].elem < 0 ?
		    body :
		    json_array_get(body, (size_t)s.ids[i].elem);
		if (json_is_object(req) && json_object_get(req, "id") != NULL)
			json_object_set_new(req, "id",
			    rpc_json_literal_value(s.ids[i].p, s.ids[i].n));
	}
	jout_free(&s.out);
	free(s.ids);
	return body;
}
