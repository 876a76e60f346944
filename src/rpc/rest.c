/*
 * The REST interface (-rest): Bitcoin Core's /rest/ endpoints on the RPC
 * listener, unauthenticated, in .bin, .hex and .json as Core serves them
 * (doc/rest.md).
 *
 * Threads: rest_route() runs on the rpc thread to pick the route from the
 * URI; rest_handle() runs on a worker, like any JSON-RPC job, and reads the
 * chain through short store read transactions or the JSON-RPC methods that
 * give the same JSON (getblock, getblockheader, getblockchaininfo, ...),
 * called in-process. Nothing here is shared between requests.
 *
 * Errors are Core's: text/plain, the message followed by "\r\n", with
 * Core's status code, and checked in Core's order (warm-up, path shape,
 * hash, lookups, then the output format).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "chain/chainparams.h"
#include "mempool/mempool.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define REST_MAX_HEADERS 2000	       /* Core's MAX_REST_HEADERS_RESULTS */
#define REST_MAX_OUTPOINTS 15	       /* Core's MAX_GETUTXOS_OUTPOINTS */
#define REST_MEMPOOL_HEIGHT 0x7fffffff /* Core's MEMPOOL_HEIGHT */

enum rest_fmt { FMT_UNDEF, FMT_BIN, FMT_HEX, FMT_JSON };

#define CT_BIN "application/octet-stream"
#define CT_TEXT "text/plain"
#define CT_JSON "application/json"

enum route_id {
	R_TX,
	R_BLOCK_NOTX,
	R_BLOCK,
	R_FILTER,
	R_FILTERHDRS,
	R_CHAININFO,
	R_MEMPOOL,
	R_HEADERS,
	R_GETUTXOS,
	R_DEPLOY_SLASH,
	R_DEPLOY,
	R_HASHBYHEIGHT,
};

/* Core's registration order: the first prefix that matches wins. */
static const struct {
	const char *prefix;
	enum route_id id;
} routes[] = {
	{ "/rest/tx/", R_TX },
	{ "/rest/block/notxdetails/", R_BLOCK_NOTX },
	{ "/rest/block/", R_BLOCK },
	{ "/rest/blockfilter/", R_FILTER },
	{ "/rest/blockfilterheaders/", R_FILTERHDRS },
	{ "/rest/chaininfo", R_CHAININFO },
	{ "/rest/mempool/", R_MEMPOOL },
	{ "/rest/headers/", R_HEADERS },
	{ "/rest/getutxos", R_GETUTXOS },
	{ "/rest/deploymentinfo/", R_DEPLOY_SLASH },
	{ "/rest/deploymentinfo", R_DEPLOY },
	{ "/rest/blockhashbyheight/", R_HASHBYHEIGHT },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

struct rest_req {
	struct rpc *r;
	const char *uri; /* the whole request URI */
	char *param;	 /* the part after the prefix, without
					 * query and format suffix */
	enum rest_fmt fmt;
	const uint8_t *body;
	size_t blen;
	struct rest_reply *out;
};

int
rest_route(const char *uri)
{
	size_t i;

	for (i = 0; i < NROUTES; i++)
		if (strncmp(uri, routes[i].prefix, strlen(routes[i].prefix)) ==
		    0)
			return (int)i;
	return -1;
}

/* ---- Replies ---- */

static void
reply(struct rest_req *q, int status, const char *ctype, const void *p,
    size_t n)
{
	struct rest_reply *o = q->out;

	o->status = status;
	o->ctype = ctype;
	o->body = xmalloc(n ? n : 1);
	if (n)
		memcpy(o->body, p, n);
	o->len = n;
}

static int fail(struct rest_req *q, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Core's RESTERR: text/plain, the message and CRLF. Returns -1. */
static int
fail(struct rest_req *q, int status, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("%s: vasprintf", __func__);
	q->out->status = status;
	q->out->ctype = CT_TEXT;
	q->out->body = xmalloc((size_t)n + 3);
	memcpy(q->out->body, s, (size_t)n);
	memcpy(q->out->body + n, "\r\n", 2);
	q->out->len = (size_t)n + 2;
	free(s);
	return -1;
}

static int
fail_format(struct rest_req *q)
{
	return fail(q, 404,
	    "output format not found (available: .bin, .hex, "
	    ".json)");
}

static int
fail_json_only(struct rest_req *q)
{
	return fail(q, 404, "output format not found (available: json)");
}

/* Binary, hex with a newline, as the format asks (bin/hex only). */
static void
reply_bytes(struct rest_req *q, const uint8_t *p, size_t n)
{
	char *hex;

	if (q->fmt == FMT_BIN) {
		reply(q, 200, CT_BIN, p, n);
		return;
	}
	hex = xmalloc(2 * n + 2);
	hex_encode(p, n, hex);
	hex[2 * n] = '\n';
	reply(q, 200, CT_TEXT, hex, 2 * n + 1);
	free(hex);
}

/* Compact JSON with a newline (UniValue::write() + "\n"); takes v. */
static void
reply_json(struct rest_req *q, json_t *v)
{
	struct jout o = { NULL, 0, 0 };

	rpc_json_encode(&o, v, 0);
	jout_puts(&o, "\n");
	json_decref(v);
	reply(q, 200, CT_JSON, o.p, o.len);
	jout_free(&o);
}

/* ---- Parsing ---- */

/*
 * Core's ParseDataFormat: drop the query string, then a known suffix
 * after the last '.'; an unknown suffix stays part of the parameter.
 */
static enum rest_fmt
parse_format(const char *part, char **param)
{
	static const struct {
		const char *name;
		enum rest_fmt fmt;
	} names[] = { { "bin", FMT_BIN }, { "hex", FMT_HEX },
		{ "json", FMT_JSON } };
	const char *q = strrchr(part, '?');
	size_t n = q ? (size_t)(q - part) : strlen(part), i;
	char *p = xmalloc(n + 1), *dot;

	memcpy(p, part, n);
	p[n] = '\0';
	*param = p;
	if ((dot = strrchr(p, '.')) == NULL)
		return FMT_UNDEF;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(dot + 1, names[i].name) == 0) {
			*dot = '\0';
			return names[i].fmt;
		}
	}
	return FMT_UNDEF;
}

/* Splits s at each '/' (Core's SplitString: "a/" gives "a" and ""). */
static size_t
split_path(char *s, char **parts, size_t max)
{
	size_t n = 0;
	char *slash;

	for (;;) {
		if (n < max)
			parts[n] = s;
		n++;
		if ((slash = strchr(s, '/')) == NULL)
			break;
		*slash = '\0';
		s = slash + 1;
	}
	return n;
}

/* A 64-digit hex hash (either case) into internal byte order. */
static int
parse_hash(const char *s, uint8_t h[32])
{
	return hash_from_hex(s, h);
}

/* Core's ToIntegral for an unsigned decimal: digits only, no overflow. */
static int
parse_udec(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/*
 * A query parameter as Core's GetQueryParameter reads it (libevent's URI
 * and query parsers). 1 with *val (xmalloc'd), 0 when absent, -1 when the
 * URI does not parse.
 */
static int
query_param(const char *uri, const char *key, char **val)
{
	struct evhttp_uri *u = evhttp_uri_parse(uri);
	struct evkeyvalq kv;
	const char *query, *v;
	int found = 0;

	*val = NULL;
	if (u == NULL)
		return -1;
	if ((query = evhttp_uri_get_query(u)) != NULL) {
		evhttp_parse_query_str(query, &kv);
		if ((v = evhttp_find_header(&kv, key)) != NULL) {
			*val = xstrdup(v);
			found = 1;
		}
		evhttp_clear_headers(&kv);
	}
	evhttp_uri_free(u);
	return found;
}

#define URI_INVALID \
	"URI parsing failed, it likely contained RFC 3986 " \
	"invalid characters"

/* A query parameter with a default; 0, or -1 answered (bad URI). */
static int
query_or(struct rest_req *q, const char *key, const char *deflt, char **val)
{
	int rc = query_param(q->uri, key, val);

	if (rc == -1)
		return fail(q, 400, URI_INVALID);
	if (rc == 0)
		*val = xstrdup(deflt);
	return 0;
}

/* ---- In-process RPC ---- */

/*
 * Runs a JSON-RPC method with params (borrowed) as the REST handler's
 * source of Core's JSON. The result, or NULL with *err.
 */
static json_t *
call_method(struct rpc *r, const char *name, json_t *params,
    struct rpc_error *err)
{
	const struct rpc_method *m = rpc_method_find(name);
	struct rpc_ctx c;

	if (m == NULL) {
		rpc_fail(err, RPC_METHOD_NOT_FOUND, "Method not found");
		return NULL;
	}
	c.rpc = r;
	c.m = m;
	c.params = params;
	c.dup_args = NULL;
	if (rpc_owner_check(r, m, err) != 0)
		return NULL;
	return m->fn(&c, err);
}

/* ---- /rest/tx/<txid> ---- */

static int
rest_tx(struct rest_req *q)
{
	struct rpc_error err = RPC_ERROR_INIT;
	struct rbuf rb;
	struct tx tx;
	uint8_t h[32], *raw;
	size_t len;
	json_t *params, *res, *o, *bh;
	const char *hex;

	if (parse_hash(q->param, h) == -1)
		return fail(q, 400, "Invalid hash: %s", q->param);
	/* getrawtransaction looks where Core's GetTransaction does: the
	 * pool, then -txindex. */
	params = json_pack("[o,i]", rpc_hash_json(h), 1);
	res = call_method(q->r, "getrawtransaction", params, &err);
	json_decref(params);
	rpc_error_clear(&err);
	if (res == NULL)
		return fail(q, 404, "%s not found", q->param);
	hex = json_string_value(json_object_get(res, "hex"));
	if (hex == NULL || hex_decode_alloc(hex, &raw, &len) == -1) {
		json_decref(res);
		return fail(q, 404, "%s not found", q->param);
	}
	switch (q->fmt) {
	case FMT_BIN:
	case FMT_HEX: reply_bytes(q, raw, len); break;
	case FMT_JSON:
		rbuf_init(&rb, raw, len);
		if (tx_parse(&rb, &tx, TX_ALLOW_WITNESS) == -1) {
			free(raw);
			json_decref(res);
			return fail(q, 404, "%s not found", q->param);
		}
		/* Core's TxToUniv(tx, block_hash): blockhash, then hex. */
		o = rpc_tx_json(&tx, rpc_shared(q->r)->cp, 0);
		tx_free(&tx);
		if ((bh = json_object_get(res, "blockhash")) != NULL)
			json_object_set(o, "blockhash", bh);
		json_object_set_new(o, "hex", json_string(hex));
		reply_json(q, o);
		break;
	default:
		free(raw);
		json_decref(res);
		return fail_format(q);
	}
	free(raw);
	json_decref(res);
	return 0;
}

/* ---- /rest/block/[notxdetails/]<hash> ---- */

static int
rest_block(struct rest_req *q, int verbosity)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	struct rpc_error err = RPC_ERROR_INIT;
	const uint8_t *p;
	uint8_t h[32], *raw;
	size_t len;
	json_t *params, *res;
	int rc;

	if (parse_hash(q->param, h) == -1)
		return fail(q, 400, "Invalid hash: %s", q->param);
	if (store_read_begin(rpc_shared(q->r)->store, &t) != STORE_OK)
		return fail(q, 500, "Database read failed");
	if (store_get_index(t, h, &e) != STORE_OK) {
		store_read_end(t);
		return fail(q, 404, "%s not found", q->param);
	}
	if (!(e.status & BLOCK_HAVE_DATA)) {
		store_read_end(t);
		return fail(q, 404, "%s not available (not fully downloaded)",
		    q->param);
	}
	rc = store_get_block(t, h, &p, &len);
	if (rc != STORE_OK) {
		store_read_end(t);
		return fail(q, 404, "%s not found", q->param);
	}
	raw = xmemdup(p, len);
	store_read_end(t);
	switch (q->fmt) {
	case FMT_BIN:
	case FMT_HEX: reply_bytes(q, raw, len); break;
	case FMT_JSON:
		params = json_pack("[o,i]", rpc_hash_json(h), verbosity);
		res = call_method(q->r, "getblock", params, &err);
		json_decref(params);
		rpc_error_clear(&err);
		if (res == NULL) {
			free(raw);
			rc = fail(q, 404, "%s not found", q->param);
			return rc;
		}
		reply_json(q, res);
		break;
	default: free(raw); return fail_format(q);
	}
	free(raw);
	return 0;
}

/*
 * The header count and block hash that /rest/headers and
 * /rest/blockfilterheaders share: the last full parts of the path are
 * <count>/<hash>, or one part fewer is just <hash> with ?count= (default
 * 5). Any other shape, a bad count or a bad hash gets Core's 400.
 */
static int
count_and_hash(struct rest_req *q, char **parts, size_t n, size_t full,
    const char *usage, uint64_t *count, uint8_t h[32])
{
	char *count_s, *hash_s;

	if (n == full) {
		count_s = xstrdup(parts[full - 2]);
		hash_s = parts[full - 1];
	} else if (n == full - 1) {
		hash_s = parts[full - 2];
		if (query_or(q, "count", "5", &count_s) == -1)
			return -1;
	} else
		return fail(q, 400, "Invalid URI format. Expected %s", usage);
	if (parse_udec(count_s, SIZE_MAX, count) == -1 || *count < 1 ||
	    *count > REST_MAX_HEADERS) {
		fail(q, 400,
		    "Header count is invalid or out of acceptable "
		    "range (1-%d): %s",
		    REST_MAX_HEADERS, count_s);
		free(count_s);
		return -1;
	}
	free(count_s);
	if (parse_hash(hash_s, h) == -1)
		return fail(q, 400, "Invalid hash: %s", hash_s);
	return 0;
}

/* ---- /rest/headers/<hash>?count=N and /rest/headers/<N>/<hash> ---- */

static int
rest_headers(struct rest_req *q)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	struct rpc_error err = RPC_ERROR_INIT;
	struct wbuf w;
	char *parts[3];
	uint8_t h[32], ah[32], hdr[80], (*hashes)[32];
	uint64_t count;
	size_t n, got = 0, i;
	int32_t tip_h, height;
	json_t *arr, *one;
	int rc = 0;

	n = split_path(q->param, parts, 3);
	if (count_and_hash(q, parts, n, 2,
		"/rest/headers/<hash>.<ext>?count=<count>", &count, h) == -1)
		return -1;

	/* The block and its successors on the active chain. */
	hashes = xcalloc((size_t)count, 32);
	wbuf_init(&w);
	if (store_read_begin(rpc_shared(q->r)->store, &t) != STORE_OK) {
		free(hashes);
		return fail(q, 500, "Database read failed");
	}
	if (store_get_tip(t, ah, &tip_h) == STORE_OK &&
	    store_get_index(t, h, &e) == STORE_OK && e.height <= tip_h &&
	    store_get_active_hash(t, e.height, ah) == STORE_OK &&
	    memcmp(ah, h, 32) == 0) {
		for (height = e.height; got < count && height <= tip_h;
		     height++) {
			if (store_get_active_hash(t, height, hashes[got]) !=
				STORE_OK ||
			    store_get_index(t, hashes[got], &e) != STORE_OK)
				break;
			header_serialize(&e.hdr, hdr);
			wbuf_put(&w, hdr, sizeof(hdr));
			got++;
		}
	}
	switch (q->fmt) {
	case FMT_BIN:
	case FMT_HEX: reply_bytes(q, w.p, w.len); break;
	case FMT_JSON:
		arr = json_array();
		for (i = 0; i < got; i++) {
			if ((one = rpc_header_json(t, hashes[i], &err)) ==
			    NULL)
				break;
			json_array_append_new(arr, one);
		}
		reply_json(q, arr);
		break;
	default: rc = fail_format(q); break;
	}
	store_read_end(t);
	wbuf_free(&w);
	free(hashes);
	rpc_error_clear(&err);
	return rc;
}

/* ---- /rest/blockhashbyheight/<height> ---- */

/* Core's SanitizeString(s) (SAFE_CHARS_DEFAULT) into a new string. */
static char *
sanitize(const char *s)
{
	static const char safe[] =
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-_/:?@()";
	char *o = xmalloc(strlen(s) + 1), *p = o;

	for (; *s; s++)
		if (strchr(safe, *s) != NULL)
			*p++ = *s;
	*p = '\0';
	return o;
}

static int
rest_hashbyheight(struct rest_req *q)
{
	struct store_rtxn *t;
	uint8_t h[32];
	char hex[65], *clean;
	const char *s = q->param;
	uint64_t v;
	int32_t tip_h;
	int neg = 0, rc;

	/* Core's ParseInt32: an optional '+' (not "+-") or '-', digits. */
	if (*s == '+' && s[1] != '-')
		s++;
	else if (*s == '-') {
		neg = 1;
		s++;
	}
	if (parse_udec(s, neg ? 0x80000000u : 0x7fffffffu, &v) == -1 ||
	    (neg && v != 0)) {
		clean = sanitize(q->param);
		fail(q, 400, "Invalid height: %s", clean);
		free(clean);
		return -1;
	}
	if (store_read_begin(rpc_shared(q->r)->store, &t) != STORE_OK)
		return fail(q, 500, "Database read failed");
	if (store_get_tip(t, h, &tip_h) != STORE_OK || (int64_t)v > tip_h) {
		store_read_end(t);
		return fail(q, 404, "Block height out of range");
	}
	rc = store_get_active_hash(t, (int32_t)v, h);
	store_read_end(t);
	if (rc != STORE_OK)
		return fail(q, 404, "Block height out of range");
	switch (q->fmt) {
	case FMT_BIN: reply(q, 200, CT_BIN, h, 32); break;
	case FMT_HEX:
		hash_to_hex(h, hex);
		hex[64] = '\n';
		reply(q, 200, CT_TEXT, hex, 65);
		break;
	case FMT_JSON:
		reply_json(q,
		    json_pack("{s:o}", "blockhash", rpc_hash_json(h)));
		break;
	default: return fail_format(q);
	}
	return 0;
}

/* ---- /rest/chaininfo, /rest/mempool/, /rest/deploymentinfo ---- */

/* A method's JSON as the reply, or 500 with its message. */
static int
reply_method(struct rest_req *q, const char *name, json_t *params)
{
	struct rpc_error err = RPC_ERROR_INIT;
	json_t *res = call_method(q->r, name, params, &err);
	int rc;

	json_decref(params);
	if (res == NULL) {
		rc = fail(q, 500, "%s", err.message ? err.message : "");
		rpc_error_clear(&err);
		return rc;
	}
	reply_json(q, res);
	return 0;
}

static int
rest_chaininfo(struct rest_req *q)
{
	if (q->fmt != FMT_JSON)
		return fail_json_only(q);
	return reply_method(q, "getblockchaininfo", json_array());
}

static int
rest_mempool(struct rest_req *q)
{
	char *verbose = NULL, *seq = NULL;
	int v, s;

	if (strcmp(q->param, "contents") != 0 && strcmp(q->param, "info") != 0)
		return fail(q, 400,
		    "Invalid URI format. Expected "
		    "/rest/mempool/<info|contents>.json");
	if (rpc_shared(q->r)->mp == NULL)
		return fail(q, 404, "Mempool disabled or instance not found");
	if (q->fmt != FMT_JSON)
		return fail_json_only(q);
	if (strcmp(q->param, "info") == 0)
		return reply_method(q, "getmempoolinfo", json_array());
	if (query_or(q, "verbose", "true", &verbose) == -1)
		return -1;
	if (strcmp(verbose, "true") != 0 && strcmp(verbose, "false") != 0) {
		free(verbose);
		return fail(q, 400,
		    "The \"verbose\" query parameter must be "
		    "either \"true\" or \"false\".");
	}
	if (query_or(q, "mempool_sequence", "false", &seq) == -1) {
		free(verbose);
		return -1;
	}
	if (strcmp(seq, "true") != 0 && strcmp(seq, "false") != 0) {
		free(verbose);
		free(seq);
		return fail(q, 400,
		    "The \"mempool_sequence\" query parameter "
		    "must be either \"true\" or \"false\".");
	}
	v = strcmp(verbose, "true") == 0;
	s = strcmp(seq, "true") == 0;
	free(verbose);
	free(seq);
	if (v && s)
		return fail(q, 400,
		    "Verbose results cannot contain mempool "
		    "sequence values. (hint: set \"verbose=false\")");
	return reply_method(q, "getrawmempool", json_pack("[b,b]", v, s));
}

static int
rest_deploymentinfo(struct rest_req *q)
{
	struct block_index_entry e;
	struct store_rtxn *t;
	uint8_t h[32];
	int rc;

	if (q->fmt != FMT_JSON)
		return fail_json_only(q);
	if (q->param[0] == '\0')
		return reply_method(q, "getdeploymentinfo", json_array());
	if (parse_hash(q->param, h) == -1)
		return fail(q, 400, "Invalid hash: %s", q->param);
	if (store_read_begin(rpc_shared(q->r)->store, &t) != STORE_OK)
		return fail(q, 500, "Database read failed");
	rc = store_get_index(t, h, &e);
	store_read_end(t);
	if (rc != STORE_OK)
		return fail(q, 400, "Block not found");
	return reply_method(q, "getdeploymentinfo",
	    json_pack("[s]", q->param));
}

/* ---- /rest/blockfilter/, /rest/blockfilterheaders/ ---- */

/*
 * No block filter index yet: the checks Core makes before it looks in the
 * index, then Core's answer for an index that is not enabled.
 */
static int
filter_type_and_index(struct rest_req *q, const char *type)
{
	if (strcmp(type, "basic") != 0)
		return fail(q, 400, "Unknown filtertype %s", type);
	return fail(q, 400, "Index is not enabled for filtertype %s", type);
}

static int
rest_filter(struct rest_req *q)
{
	char *parts[3];
	uint8_t h[32];

	if (split_path(q->param, parts, 3) != 2)
		return fail(q, 400,
		    "Invalid URI format. Expected "
		    "/rest/blockfilter/<filtertype>/<blockhash>");
	if (parse_hash(parts[1], h) == -1)
		return fail(q, 400, "Invalid hash: %s", parts[1]);
	return filter_type_and_index(q, parts[0]);
}

static int
rest_filterheaders(struct rest_req *q)
{
	char *parts[4];
	uint8_t h[32];
	uint64_t count;
	size_t n = split_path(q->param, parts, 4);

	if (count_and_hash(q, parts, n, 3,
		"/rest/blockfilterheaders/<filtertype>/<blockhash>.<ext>"
		"?count=<count>",
		&count, h) == -1)
		return -1;
	return filter_type_and_index(q, parts[0]);
}

/* ---- /rest/getutxos[/checkmempool]/<txid>-<n>/... ---- */

struct utxo_hit {
	int64_t value;
	uint8_t *script;
	size_t script_len;
	int32_t height;
};

/*
 * Core's binary request: it writes the body into a stream as a string
 * (CompactSize length first) and reads a bool and a vector of outpoints
 * from that stream, so the bool is the length's first byte. Kept for
 * byte-for-byte agreement.
 */
static int
parse_bin_request(const uint8_t *body, size_t blen, int *checkmempool,
    struct outpoint **ops, size_t *nops)
{
	struct wbuf w;
	struct rbuf rb;
	uint64_t n, i;
	uint8_t b;
	int rc = -1;

	wbuf_init(&w);
	wbuf_put_compact(&w, blen);
	wbuf_put(&w, body, blen);
	rbuf_init(&rb, w.p, w.len);
	if (rbuf_get_u8(&rb, &b) == -1 || rbuf_get_compact(&rb, &n) == -1)
		goto out;
	*checkmempool = b != 0;
	if (n > rbuf_left(&rb) / 36)
		goto out;
	*ops = xreallocarray(*ops, (size_t)n + 1, sizeof(**ops));
	for (i = 0; i < n; i++) {
		if (rbuf_get(&rb, (*ops)[i].hash, 32) == -1 ||
		    rbuf_get_le32(&rb, &(*ops)[i].n) == -1)
			goto out;
	}
	*nops = (size_t)n;
	rc = 0;
out:
	wbuf_free(&w);
	return rc;
}

/* Core's ParseHex: whitespace between bytes allowed; invalid gives none. */
static void
parse_hex_lenient(const uint8_t *s, size_t n, uint8_t **out, size_t *olen)
{
	uint8_t *o = xmalloc(n / 2 + 1);
	size_t i = 0, k = 0;
	int hi, lo;

	*out = o;
	*olen = 0;
	while (i < n) {
		if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return;
		hi = hex_digit((char)s[i]);
		lo = hex_digit((char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return;
		o[k++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*olen = k;
}

/* One URI outpoint "<txid>-<n>": 0 or -1. */
static int
parse_uri_outpoint(const char *s, struct outpoint *op)
{
	const char *dash = strchr(s, '-');
	char txid[65];
	uint64_t n;

	if (dash == NULL || strchr(dash + 1, '-') != NULL || dash - s != 64)
		return -1;
	memcpy(txid, s, 64);
	txid[64] = '\0';
	if (hash_from_hex(txid, op->hash) == -1 ||
	    parse_udec(dash + 1, UINT32_MAX, &n) == -1)
		return -1;
	op->n = (uint32_t)n;
	return 0;
}

/*
 * Looks the n outpoints up in the pool in one request (checkmempool):
 * state[i] 1 spent by a pool transaction, 2 created by one (hits[i]
 * filled), 0 not there. 0, or -1 when the pool did not answer.
 */
static int
utxos_in_pool(struct rpc *r, const struct outpoint *ops, size_t n,
    struct utxo_hit *hits, int *state)
{
	struct mempool_outpoints_out ans;
	struct mempool_outpoint_row *row;
	struct rpc_error err = RPC_ERROR_INIT;
	size_t i;

	if (rpc_mempool_outpoints(r, ops, n, &ans, &err) != 0) {
		rpc_error_clear(&err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		row = &ans.rows[i];
		state[i] = 0;
		if (row->spent)
			state[i] = 1;
		else if (row->has_output) {
			hits[i].script = row->script;
			hits[i].script_len = row->script_len;
			row->script = NULL;
			hits[i].value = row->value;
			hits[i].height = REST_MEMPOOL_HEIGHT;
			state[i] = 2;
		}
	}
	mempool_outpoints_out_free(&ans);
	return 0;
}

static int
rest_getutxos(struct rest_req *q)
{
	const struct chainparams *cp = rpc_shared(q->r)->cp;
	struct outpoint *ops = NULL;
	struct utxo_hit *hits = NULL;
	struct store_rtxn *t;
	struct coin coin;
	struct wbuf w;
	json_t *o, *utxos, *u;
	char *parts[REST_MAX_OUTPOINTS + 2], *bitstr = NULL;
	uint8_t *req = NULL, tip[32], bitmap[(REST_MAX_OUTPOINTS + 7) / 8];
	size_t reqlen = 0, nparts = 0, nops = 0, nhits = 0, i, first;
	int32_t tip_h;
	int checkmempool = 0, uri_given = 0, rc = -1;

	/* The parameter starts with the '/' after "/rest/getutxos". */
	if (strlen(q->param) > 1) {
		char *s = q->param + 1;

		nparts = 1;
		for (i = 0; s[i]; i++)
			if (s[i] == '/')
				nparts++;
		/* Count all, keep the first few: the limit is checked later. */
		ops = xcalloc(nparts, sizeof(*ops));
		(void)split_path(s, parts, sizeof(parts) / sizeof(parts[0]));
		first = strcmp(parts[0], "checkmempool") == 0;
		checkmempool = (int)first;
		s = q->param + 1;
		for (i = 0; i < nparts; i++) {
			char *next = s + strlen(s) + (i + 1 < nparts ? 1 : 0);

			if (i >= first) {
				if (parse_uri_outpoint(s, &ops[nops]) == -1) {
					fail(q, 400, "Parse error");
					goto out;
				}
				nops++;
			}
			s = next;
		}
	}
	if (q->blen == 0 && nparts == 0) {
		fail(q, 400, "Error: empty request");
		goto out;
	}
	if (nparts > 0) {
		if (nops == 0) {
			fail(q, 400, "Error: empty request");
			goto out;
		}
		uri_given = 1;
	}
	switch (q->fmt) {
	case FMT_HEX:
	case FMT_BIN:
		if (q->fmt == FMT_HEX)
			parse_hex_lenient(q->body, q->blen, &req, &reqlen);
		else {
			req = xmalloc(q->blen + 1);
			if (q->blen)
				memcpy(req, q->body, q->blen);
			reqlen = q->blen;
		}
		if (reqlen > 0) {
			if (uri_given) {
				fail(q, 400,
				    "Combination of URI scheme inputs "
				    "and raw post data is not allowed");
				goto out;
			}
			if (parse_bin_request(req, reqlen, &checkmempool, &ops,
				&nops) == -1) {
				fail(q, 400, "Parse error");
				goto out;
			}
		}
		break;
	case FMT_JSON:
		if (!uri_given) {
			fail(q, 400, "Error: empty request");
			goto out;
		}
		break;
	default: fail_format(q); goto out;
	}
	if (nops > REST_MAX_OUTPOINTS) {
		fail(q, 400,
		    "Error: max outpoints exceeded (max: %d, tried: "
		    "%zu)",
		    REST_MAX_OUTPOINTS, nops);
		goto out;
	}
	if (checkmempool && rpc_shared(q->r)->mp == NULL) {
		fail(q, 404, "Mempool disabled or instance not found");
		goto out;
	}

	/* Spentness: the pool first (it may spend or create the coin). */
	hits = xcalloc(nops + 1, sizeof(*hits));
	memset(bitmap, 0, sizeof(bitmap));
	bitstr = xmalloc(nops + 1);
	{
		int *state = xcalloc(nops + 1, sizeof(int));

		if (checkmempool && nops > 0 &&
		    utxos_in_pool(q->r, ops, nops, hits, state) != 0) {
			free(state);
			fail(q, 500, "Mempool lookup failed");
			goto out;
		}
		if (store_read_begin(rpc_shared(q->r)->store, &t) !=
		    STORE_OK) {
			free(state);
			fail(q, 500, "Database read failed");
			goto out;
		}
		for (i = 0; i < nops; i++) {
			int hit = 0;

			if (state[i] == 2)
				hit = 1;
			else if (state[i] == 0 &&
			    store_get_coin(t, &ops[i], &coin) == STORE_OK) {
				hits[i].value = coin.value;
				hits[i].script = xmemdup(coin.script,
				    coin.script_len ? coin.script_len : 1);
				hits[i].script_len = coin.script_len;
				hits[i].height = coin.height;
				hit = 1;
			}
			if (!hit) {
				free(hits[i].script);
				hits[i].script = NULL;
			}
			hits[i].height = hit ? hits[i].height : -1;
			bitstr[i] = hit ? '1' : '0';
			if (hit) {
				bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
				nhits++;
			}
		}
		bitstr[nops] = '\0';
		free(state);
		if (store_get_tip(t, tip, &tip_h) != STORE_OK) {
			store_read_end(t);
			fail(q, 500, "Database read failed");
			goto out;
		}
		store_read_end(t);
	}

	switch (q->fmt) {
	case FMT_BIN:
	case FMT_HEX:
		/* BIP 64: height, tip, bitmap, then the coins (CCoin). */
		wbuf_init(&w);
		wbuf_put_le32(&w, (uint32_t)tip_h);
		wbuf_put(&w, tip, 32);
		wbuf_put_compact(&w, (nops + 7) / 8);
		wbuf_put(&w, bitmap, (nops + 7) / 8);
		wbuf_put_compact(&w, nhits);
		for (i = 0; i < nops; i++) {
			if (hits[i].height == -1)
				continue;
			wbuf_put_le32(&w, 0);
			wbuf_put_le32(&w, (uint32_t)hits[i].height);
			wbuf_put_le64(&w, (uint64_t)hits[i].value);
			wbuf_put_compact(&w, hits[i].script_len);
			wbuf_put(&w, hits[i].script, hits[i].script_len);
		}
		reply_bytes(q, w.p, w.len);
		wbuf_free(&w);
		break;
	default:
		o = json_object();
		json_object_set_new(o, "chainHeight", json_integer(tip_h));
		json_object_set_new(o, "chaintipHash", rpc_hash_json(tip));
		json_object_set_new(o, "bitmap", json_string(bitstr));
		utxos = json_array();
		for (i = 0; i < nops; i++) {
			if (hits[i].height == -1)
				continue;
			u = json_object();
			json_object_set_new(u, "height",
			    json_integer(hits[i].height));
			json_object_set_new(u, "value",
			    rpc_amount(hits[i].value));
			json_object_set_new(u, "scriptPubKey",
			    rpc_script_pubkey_json(hits[i].script,
				hits[i].script_len, cp, 1, 1));
			json_array_append_new(utxos, u);
		}
		json_object_set_new(o, "utxos", utxos);
		reply_json(q, o);
		break;
	}
	rc = 0;
out:
	if (hits)
		for (i = 0; i < nops; i++)
			free(hits[i].script);
	free(hits);
	free(bitstr);
	free(req);
	free(ops);
	return rc;
}

/* ---- Dispatch ---- */

void
rest_handle(struct rpc *r, int route, const char *uri, const uint8_t *body,
    size_t blen, struct rest_reply *out)
{
	struct rest_req q;
	char msg[128];

	memset(out, 0, sizeof(*out));
	memset(&q, 0, sizeof(q));
	q.r = r;
	q.uri = uri;
	q.body = body;
	q.blen = blen;
	q.out = out;
	if (!rpc_is_ready(r)) {
		rpc_warmup_message(r, msg, sizeof(msg));
		fail(&q, 503, "Service temporarily unavailable: %s", msg);
		return;
	}
	q.fmt = parse_format(uri + strlen(routes[route].prefix), &q.param);
	switch (routes[route].id) {
	case R_TX: rest_tx(&q); break;
	case R_BLOCK_NOTX: rest_block(&q, 1); break;
	case R_BLOCK: rest_block(&q, 3); break;
	case R_FILTER: rest_filter(&q); break;
	case R_FILTERHDRS: rest_filterheaders(&q); break;
	case R_CHAININFO: rest_chaininfo(&q); break;
	case R_MEMPOOL: rest_mempool(&q); break;
	case R_HEADERS: rest_headers(&q); break;
	case R_GETUTXOS: rest_getutxos(&q); break;
	case R_DEPLOY_SLASH:
	case R_DEPLOY: rest_deploymentinfo(&q); break;
	case R_HASHBYHEIGHT: rest_hashbyheight(&q); break;
	}
	free(q.param);
}
