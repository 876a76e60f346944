/*
 * bitroot-cli's HTTP client: one JSON-RPC POST a call, on a fresh libevent
 * base, with bitcoin-cli's messages for every way it can fail.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "cli/cli.h"
#include "rpc/jsonenc.h"
#include "util/xmalloc.h"

_Noreturn void
cli_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	/* Nothing to release on the way out: skip atexit work. */
	fflush(stdout);
	fflush(stderr);
	_exit(1);
}

/* ---- Base64 ---- */

char *
cli_base64(const char *s)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i, o = 0;
	const unsigned char *b = (const unsigned char *)s;
	char *out = xmalloc((n + 2) / 3 * 4 + 1);
	unsigned long acc;

	for (i = 0; i + 2 < n; i += 3) {
		acc = (unsigned long)b[i] << 16 |
		    (unsigned long)b[i + 1] << 8 | b[i + 2];
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = tab[(acc >> 6) & 63];
		out[o++] = tab[acc & 63];
	}
	if (n - i == 1) {
		acc = (unsigned long)b[i] << 16;
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		acc = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8;
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = tab[(acc >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* ---- HTTP ---- */

static void
http_done(struct evhttp_request *req, void *arg)
{
	struct cli_reply *r = arg;
	struct evbuffer *in;

	if (req == NULL) {
		r->status = 0;
		return;
	}
	r->status = evhttp_request_get_response_code(req);
	in = evhttp_request_get_input_buffer(req);
	r->len = evbuffer_get_length(in);
	r->body = xmalloc(r->len + 1);
	evbuffer_remove(in, r->body, r->len);
	r->body[r->len] = '\0';
}

static void
http_error(enum evhttp_request_error err, void *arg)
{
	struct cli_reply *r = arg;

	r->error = (int)err;
}

static void
do_http(const char *host, int port, const char *auth, const char *body,
    long timeout, struct cli_reply *rep)
{
	struct event_base *base = event_base_new();
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char *hdr;

	memset(rep, 0, sizeof(*rep));
	rep->error = -1;
	if (base == NULL)
		cli_die("cannot create event base");
	conn = evhttp_connection_base_new(base, NULL, host, (uint16_t)port);
	if (conn == NULL)
		cli_die("create connection failed");
	evhttp_connection_set_timeout(conn,
	    timeout > 0 ? (int)timeout : INT_MAX / 1000);
	req = evhttp_request_new(http_done, rep);
	evhttp_request_set_error_cb(req, http_error);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Connection", "close");
	evhttp_add_header(h, "Content-Type", "application/json");
	hdr = malloc(strlen(auth) + 7);
	if (hdr == NULL)
		cli_die("out of memory");
	sprintf(hdr, "Basic %s", auth);
	evhttp_add_header(h, "Authorization", hdr);
	free(hdr);
	evbuffer_add(evhttp_request_get_output_buffer(req), body,
	    strlen(body));
	if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, "/") != 0)
		cli_die("send http request failed");
	event_base_dispatch(base);
	evhttp_connection_free(conn);
	event_base_free(base);
}

static const char *
http_errorstring(int code)
{
	switch (code) {
	case EVREQ_HTTP_TIMEOUT: return "timeout reached";
	case EVREQ_HTTP_EOF: return "EOF reached";
	case EVREQ_HTTP_INVALID_HEADER:
		return "error while reading header, or invalid header";
	case EVREQ_HTTP_BUFFER_ERROR:
		return "error encountered while reading or writing";
	case EVREQ_HTTP_REQUEST_CANCEL: return "request was canceled";
	case EVREQ_HTTP_DATA_TOO_LONG:
		return "response body is larger than allowed";
	}
	return "unknown";
}

void
cli_load_cookie(struct cli_conn *ci)
{
	FILE *f;
	char *line = NULL;

	if ((f = fopen(ci->cookie_path, "r")) != NULL) {
		line = cli_read_line(f);
		fclose(f);
	}
	ci->no_cookie = line == NULL;
	free(ci->auth);
	ci->auth = cli_base64(line ? line : ":");
	if (line) {
		explicit_bzero(line, strlen(line));
		free(line);
	}
}

/* Sends body; returns the parsed reply or exits with Core's messages. */
json_t *
cli_call(const struct cli_opts *o, const struct cli_conn *ci, const char *body,
    struct cli_reply *rep)
{
	time_t deadline = time(NULL) + o->rpcwaittimeout;
	char msg[512];
	json_error_t e;
	json_t *j;

	for (;;) {
		/* With -rpcwait the server may write its cookie meanwhile. */
		if (ci->cookie_path)
			cli_load_cookie((struct cli_conn *)(uintptr_t)ci);
		do_http(ci->host, ci->port, ci->auth, body,
		    o->rpcclienttimeout, rep);
		if (rep->status == 0) {
			char extra[160] = "";

			if (rep->error != -1)
				snprintf(extra, sizeof(extra),
				    " (error code %d - \"%s\")", rep->error,
				    http_errorstring(rep->error));
			snprintf(msg, sizeof(msg),
			    "Could not connect to the "
			    "server %s:%d%s\n\nMake sure the bitrootd server "
			    "is running and that you are connecting to the "
			    "correct RPC port.\nUse \"bitroot-cli -help\" for "
			    "more info.",
			    ci->host, ci->port, extra);
		} else {
			if (rep->status == 401) {
				if (ci->no_cookie)
					cli_die(
					    "Could not locate RPC credentials. No "
					    "authentication cookie could be found, "
					    "and RPC password is not set.  See "
					    "-rpcpassword and -stdinrpcpass.  "
					    "Configuration file: (%s)",
					    ci->conf_path);
				cli_die(
				    "Authorization failed: Incorrect rpcuser or "
				    "rpcpassword");
			}
			if (rep->status == 503)
				cli_die("Server response: %s", rep->body);
			if (rep->status >= 400 && rep->status != 400 &&
			    rep->status != 404 && rep->status != 500)
				cli_die("server returned HTTP error %d",
				    rep->status);
			if (rep->len == 0)
				cli_die("no response from server");
			j = json_loadb(rep->body, rep->len, JSON_DECODE_ANY,
			    &e);
			if (j == NULL)
				cli_die("couldn't parse reply from server");
			/* -rpcwait also waits out the warm-up. */
			if (o->rpcwait && json_is_object(j) &&
			    json_integer_value(
				json_object_get(json_object_get(j, "error"),
				    "code")) == -28) {
				json_decref(j);
				snprintf(msg, sizeof(msg), "server in warmup");
			} else
				return j;
		}
		if (!o->rpcwait)
			cli_die("%s", msg);
		if (o->rpcwaittimeout > 0 && time(NULL) >= deadline)
			cli_die("timeout on transient error: %s", msg);
		free(rep->body);
		rep->body = NULL;
		sleep(1);
	}
}

void
cli_print_error(const json_t *err)
{
	const json_t *code = json_object_get(err, "code");
	const json_t *m = json_object_get(err, "message");
	char *s;

	if (json_is_object(err)) {
		if (code)
			fprintf(stderr, "error code: %lld\n",
			    (long long)json_integer_value(code));
		if (json_is_string(m))
			fprintf(stderr, "error message:\n%s\n",
			    json_string_value(m));
		return;
	}
	s = rpc_json_dumps(err, 0);
	fprintf(stderr, "error: %s\n", s);
	free(s);
}

char *
cli_read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

json_t *
cli_request(const struct cli_opts *o, const struct cli_conn *c,
    const char *method, json_t *params)
{
	struct cli_reply rep;
	json_t *req, *j;
	char *body;

	req = json_object();
	json_object_set_new(req, "jsonrpc", json_string("2.0"));
	json_object_set_new(req, "method", json_string(method));
	json_object_set_new(req, "params", params ? params : json_array());
	json_object_set_new(req, "id", json_integer(1));
	body = rpc_json_dumps(req, 0);
	json_decref(req);
	j = cli_call(o, c, body, &rep);
	free(body);
	free(rep.body);
	if (!json_is_object(j))
		cli_die("expected reply to have result, error and id "
			"properties");
	return j;
}

int
cli_error_status(const json_t *err)
{
	long long code = json_integer_value(json_object_get(err, "code"));
	int st;

	/* bitcoin-cli exits with abs(code); the kernel keeps 8 bits. */
	st = (int)((code < 0 ? -code : code) & 0xff);
	return st ? st : 1;
}
