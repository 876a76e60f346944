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
 *
 * Duplicate keys: UniValue keeps every member of an object and its
 * lookups take the first, so a repeated "method", "id" or argument key
 * means its first value; jansson would keep the last. The scan drops each
 * later member with a key already seen in its object (after checking,
 * with a second scan that drops nothing, that the text is JSON at all).
 * Core's transformNamedArguments refuses a repeated key in a named
 * "params" object ("Parameter X specified multiple times"): the first such
 * key is handed to rpc_request_parse under RPC_DUP_PARAM_KEY, a key no
 * request can carry: it holds a NUL, and jansson refuses an object key
 * holding \u0000 (UniValue takes it; doc/rpc.md).
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

/* A request whose named params repeat a key: the first key repeated. */
struct dup_param {
	long elem;
	char *key; /* xmalloc'd, klen bytes (may hold a NUL) */
	size_t klen;
};

/* One open array or object. */
struct level {
	char kind;		  /* '{' or '[' */
	int want_key;		  /* an object: a key comes next */
	int is_params;		  /* a request's named "params" object */
	int is_params_arr;	  /* a request's positional "params" array */
	long nelem;		  /* is_params_arr: elements before this one */
	json_t *cur_key;	  /* is_params: the current member's key */
	json_t *arg;		  /* an argument object: position or name */
	int dup_noted;		  /* its first repeat is noted */
	const char *member_start; /* the ',' before the current member */
	json_t *keys;		  /* keys seen (a set), made at the first */
};

struct scan {
	const char *data, *end;
	struct jout out;    /* the rewritten text, once one is needed */
	int rewritten;	    /* out holds text */
	const char *copied; /* data up to here is in out */
	struct raw_id *ids;
	size_t nids;
	struct dup_param *dups;
	size_t ndups;
	/* Argument objects with a repeated key: [elem, [arg, key, index]]. */
	json_t *dup_args;
	int allow_drop; /* drop repeated members (0: the syntax check) */
	int dropped;	/* a member was dropped */
	/* Containers open: top-level kind, and the request-level state. */
	size_t depth;
	struct level *lv;    /* RPC_MAX_JSON_DEPTH entries */
	char top;	     /* '{', '[' or 0 */
	long elem;	     /* index in a top-level array */
	int id_next;	     /* the request's "id" value comes next */
	int params_next;     /* the request's "params" value comes next */
	const char *id_open; /* an array or object id starts here */
	/* A member being dropped: its object's depth (0: none), from where. */
	size_t drop_depth;
	const char *drop_from;
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
	s->rewritten = 1;
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
 * The key token [p, q) as bytes: *k points into the text when it has no
 * escape, else to *dec (decoded by jansson; the caller frees it). -1 when
 * it is no string (malformed: left for jansson to refuse).
 */
static int
key_bytes(const char *p, const char *q, const char **k, size_t *klen,
    json_t **dec)
{
	*dec = NULL;
	if (q - p < 2 || q[-1] != '"')
		return -1;
	if (memchr(p, '\\', (size_t)(q - p)) == NULL) {
		*k = p + 1;
		*klen = (size_t)(q - p) - 2;
		return 0;
	}
	*dec = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    NULL);
	if (!json_is_string(*dec)) {
		json_decref(*dec);
		*dec = NULL;
		return -1;
	}
	*k = json_string_value(*dec);
	*klen = json_string_length(*dec);
	return 0;
}

/*
 * The first repeated key of an object passed as an argument: which
 * argument (position or name), the key, and how many members came before
 * it (all kept), for methods that read every member as Core does
 * (createrawtransaction's outputs; rpc_param_repeated_key).
 */
static void
note_dup_arg(struct scan *s, struct level *l, const char *k, size_t klen)
{
	if (l->dup_noted)
		return;
	l->dup_noted = 1;
	if (s->dup_args == NULL)
		s->dup_args = json_array();
	json_array_append_new(s->dup_args,
	    json_pack("[I,[O,s%,I]]",
		(json_int_t)(s->top == '[' ? s->elem : -1), l->arg, k, klen,
		(json_int_t)json_object_size(l->keys)));
}

static void
note_dup_param(struct scan *s, struct level *l, const char *k, size_t klen)
{
	struct dup_param *d;

	if (l->dup_noted)
		return;
	l->dup_noted = 1;
	s->dups = xreallocarray(s->dups, s->ndups + 1, sizeof(*s->dups));
	d = &s->dups[s->ndups++];
	d->elem = s->top == '[' ? s->elem : -1;
	d->key = xmalloc(klen + 1);
	memcpy(d->key, k, klen);
	d->key[klen] = '\0';
	d->klen = klen;
}

/*
 * A key token [p, q) of the object l (not inside a dropped member):
 * starts dropping the member when its key was seen before in l, else
 * records it.
 */
static void
object_key(struct scan *s, struct level *l, int req_level, const char *p,
    const char *q)
{
	const char *k;
	size_t klen;
	json_t *dec;
	int drop;

	if (key_bytes(p, q, &k, &klen, &dec) == -1)
		return;
	/*
	 * In malformed text a number may have been rewritten between the ','
	 * and this key: never drop text already copied (jansson refuses
	 * such text anyway).
	 */
	drop = l->keys != NULL && l->member_start != NULL &&
	    l->member_start >= s->copied &&
	    json_object_getn(l->keys, k, klen) != NULL;
	if (drop && l->is_params)
		note_dup_param(s, l, k, klen);
	else if (drop && l->arg != NULL)
		note_dup_arg(s, l, k, klen);
	if (drop && s->allow_drop) {
		s->drop_depth = s->depth;
		/* Never the first member: its ',' starts what goes. */
		s->drop_from = l->member_start;
		s->id_next = s->params_next = 0;
	} else {
		if (l->keys == NULL)
			l->keys = json_object();
		json_object_setn_new_nocheck(l->keys, k, klen, json_null());
		if (l->is_params) {
			json_decref(l->cur_key);
			l->cur_key = json_stringn_nocheck(k, klen);
		}
		if (req_level) {
			s->id_next = klen == 2 && memcmp(k, "id", 2) == 0;
			s->params_next = klen == 6 &&
			    memcmp(k, "params", 6) == 0;
		}
	}
	json_decref(dec);
}

static void
level_free(struct level *l)
{
	json_decref(l->keys);
	json_decref(l->cur_key);
	json_decref(l->arg);
	l->keys = l->cur_key = l->arg = NULL;
}

/* The dropped member ends at p (a ',' or the '}' of its object). */
static void
drop_end(struct scan *s, const char *p)
{
	jout_putn(&s->out, s->copied, (size_t)(s->drop_from - s->copied));
	s->rewritten = 1;
	s->copied = p;
	s->drop_depth = 0;
	s->dropped = 1;
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
	struct level *l, *parent;
	int real, req_level, is_id, dropping;

	while (p < s->end) {
		req_level = request_level(s);
		l = s->depth > 0 ? &s->lv[s->depth - 1] : NULL;
		dropping = s->drop_depth != 0;
		switch (*p) {
		case '"':
			q = string_end(p, s->end);
			if (l != NULL && l->kind == '{' && l->want_key) {
				l->want_key = 0;
				if (!dropping)
					object_key(s, l, req_level, p, q);
			} else if (req_level)
				s->id_next = s->params_next = 0;
			p = q;
			continue;
		case '{':
		case '[':
			if (++s->depth > RPC_MAX_JSON_DEPTH)
				return -1;
			if (!dropping && req_level && s->id_next)
				s->id_open = p;
			if (s->depth == 1)
				s->top = *p;
			l = &s->lv[s->depth - 1];
			memset(l, 0, sizeof(*l));
			l->kind = *p;
			l->want_key = *p == '{';
			l->is_params = *p == '{' && req_level &&
			    s->params_next;
			l->is_params_arr = *p == '[' && req_level &&
			    s->params_next;
			/* An object passed as an argument. */
			parent = s->depth >= 2 ? &s->lv[s->depth - 2] : NULL;
			if (!dropping && *p == '{' && parent != NULL &&
			    parent->is_params_arr)
				l->arg = json_integer(parent->nelem);
			else if (!dropping && *p == '{' && parent != NULL &&
			    parent->is_params && parent->cur_key != NULL)
				l->arg = json_incref(parent->cur_key);
			s->id_next = s->params_next = 0;
			break;
		case ']':
		case '}':
			if (dropping && s->depth == s->drop_depth)
				drop_end(s, p);
			if (s->depth > 0) {
				level_free(l);
				s->depth--;
			}
			s->id_next = s->params_next = 0;
			if (s->id_open != NULL && request_level(s)) {
				add_id(s, s->id_open, p + 1);
				s->id_open = NULL;
			}
			break;
		case ',':
			if (dropping && s->depth == s->drop_depth)
				drop_end(s, p);
			if (s->top == '[' && s->depth == 1)
				s->elem++;
			if (l != NULL && l->is_params_arr)
				l->nelem++;
			if (l != NULL && l->kind == '{') {
				l->want_key = 1;
				l->member_start = p;
			}
			s->id_next = s->params_next = 0;
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
			if (!dropping)
				number(s, p, q, is_id);
			s->id_next = s->params_next = 0;
			p = q;
			continue;
		default:
			if (req_level && *p != ':' && *p != ' ' &&
			    *p != '\t' && *p != '\n' && *p != '\r')
				s->id_next = s->params_next = 0;
			break;
		}
		p++;
	}
	return 0;
}

static void
scan_free(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->depth && i < RPC_MAX_JSON_DEPTH; i++)
		level_free(&s->lv[i]);
	json_decref(s->dup_args);
	free(s->lv);
	jout_free(&s->out);
	free(s->ids);
	for (i = 0; i < s->ndups; i++)
		free(s->dups[i].key);
	free(s->dups);
}

/*
 * Scans data into s (scan_free after) and loads the text it gives: the
 * body, or NULL when malformed or nested too deep.
 */
static json_t *
scan_load(struct scan *s, const char *data, size_t len, int allow_drop)
{
	memset(s, 0, sizeof(*s));
	s->data = s->copied = data;
	s->end = data + len;
	s->allow_drop = allow_drop;
	s->lv = xcalloc(RPC_MAX_JSON_DEPTH, sizeof(*s->lv));
	if (scan(s) == -1)
		return NULL;
	if (!s->rewritten)
		return json_loadb(data, len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
		    NULL);
	jout_putn(&s->out, s->copied, (size_t)(s->end - s->copied));
	return json_loadb(s->out.p, s->out.len,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* The request of a top-level element (-1: the body itself), or NULL. */
static json_t *
request_at(json_t *body, long elem)
{
	json_t *req = elem < 0 ? body : json_array_get(body, (size_t)elem);

	return json_is_object(req) ? req : NULL;
}

json_t *
rpc_json_parse(const char *data, size_t len)
{
	struct scan s, check;
	json_t *body, *req, *syntax, *e, *list;
	size_t i;

	/*
	 * A raw NUL is never JSON (inside a string it must be escaped), and
	 * the C-string stages after the scan would stop at it: refuse it
	 * here, as UniValue does.
	 */
	if (memchr(data, '\0', len) != NULL)
		return NULL;
	body = scan_load(&s, data, len, 1);
	if (body != NULL && s.dropped) {
		/* Dropping may have cut away what made the text malformed. */
		syntax = scan_load(&check, data, len, 0);
		scan_free(&check);
		if (syntax == NULL) {
			json_decref(body);
			body = NULL;
		}
		json_decref(syntax);
	}
	for (i = 0; body != NULL && i < s.nids; i++) {
		req = request_at(body, s.ids[i].elem);
		if (req != NULL && json_object_get(req, "id") != NULL)
			json_object_set_new(req, "id",
			    rpc_json_literal_value(s.ids[i].p, s.ids[i].n));
	}
	json_array_foreach (s.dup_args, i, e) {
		req = body != NULL ?
		    request_at(body,
			(long)json_integer_value(json_array_get(e, 0))) :
		    NULL;
		if (req == NULL)
			continue;
		list = json_object_getn(req, RPC_DUP_ARG_KEY,
		    RPC_DUP_ARG_KEYLEN);
		if (list == NULL) {
			list = json_array();
			json_object_setn_new_nocheck(req, RPC_DUP_ARG_KEY,
			    RPC_DUP_ARG_KEYLEN, list);
		}
		json_array_append(list, json_array_get(e, 1));
	}
	for (i = 0; body != NULL && i < s.ndups; i++) {
		req = request_at(body, s.dups[i].elem);
		if (req != NULL)
			json_object_setn_new_nocheck(req, RPC_DUP_PARAM_KEY,
			    RPC_DUP_PARAM_KEYLEN,
			    json_stringn_nocheck(s.dups[i].key,
				s.dups[i].klen));
	}
	scan_free(&s);
	return body;
}
