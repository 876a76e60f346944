/*
 * The RPC server: libevent's evhttp on the thread "rpc", and -rpcthreads
 * workers "rpc.N".
 *
 * Design. The rpc thread owns the event base (EVENT_BASE_FLAG_NOLOCK), the
 * evhttp object, every connection and every evhttp_request; no other
 * thread touches them. For each request it checks, in Core's order, the
 * client address (-rpcallowip, 403), the path (404), the HTTP method (405)
 * and the credentials (401, after 250 ms on a wrong password, by timer so
 * the loop never sleeps). A user restricted by -rpcwhitelist has every call
 * of the body checked once it parses (403, whitelist.c): inline for a small
 * body, on the worker for a large one; such users skip the fast path. Then:
 *
 *  - a small body whose requests are all cheap methods (RPC_F_FAST: chain
 *    tip, headers, help, ...) is parsed and answered right there. Those
 *    methods only take a short LMDB read transaction, so answering inline
 *    costs less than the two thread hops and wake-ups a worker would, and
 *    it is what lets getblockcount reach tens of thousands of replies per
 *    second on two cores. The commonest polls (getblockcount,
 *    getbestblockhash, getblockheader as one plain request) go a step
 *    further: rpc_fast_execute reads them without jansson and writes the
 *    reply into one reused buffer; anything it does not recognise falls
 *    through to the jansson path, so errors are worded in one place;
 *  - anything else (a method that waits on another thread, walks a block,
 *    or a large body) becomes a job on the work queue, bounded by
 *    -rpcworkqueue (full: 503 "Work queue depth exceeded"). A worker runs
 *    it and pushes the finished job to the reply queue, whose eventfd wakes
 *    the rpc thread to send the answer.
 *
 * While a job is away the connection's reading is disabled, so a client
 * that hangs up cannot make libevent free the request under us (Core does
 * the same); reading resumes when the reply is sent.
 *
 * Queues in: the work queue (rpc -> workers), the reply queue (workers ->
 * rpc), the control queue (rpc_stop -> rpc). Replies on one connection
 * are sent in request order because HTTP/1.1 without pipelining has one
 * request in flight per connection.
 *
 * Locks: warm_mu guards the warm-up message; cmd_mu guards the in-flight
 * command list for getrpcinfo. Both are leaves, never held across I/O.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "chain/chainparams.h"
#include "rpc/rpc.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/queue.h"
#include "util/time.h"
#include "util/xmalloc.h"

#define MAX_HEADERS_SIZE 8192	 /* Core's */
#define MAX_BODY_SIZE 0x02000000 /* 32 MiB, Core's MAX_SIZE */
#define INLINE_BODY_MAX 16384	 /* larger bodies parse on a worker */
#define DEFAULT_RPC_THREADS 16
#define DEFAULT_RPC_WORKQUEUE 64
#define DEFAULT_SERVER_TIMEOUT 30
#define WRONG_PASSWORD_DELAY_MS 250
#define CALL_TIMEOUT_MS 600000	  /* net/validation answers */
#define FLUSH_DEADLINE_US 3000000 /* replies still being written at stop */
#define MAX_CMDS 1024		  /* getrpcinfo entries tracked */

enum ctl_type { CTL_STOP_ACCEPT = 1, CTL_EXIT };

struct job {
	struct rpc *r;
	struct evhttp_request *req; /* rpc thread only */
	json_t *body;		    /* parsed on the rpc thread, or NULL */
	char *raw;		    /* else the raw body */
	size_t rawlen;
	char *user;		   /* restricted user (-rpcwhitelist), */
	const struct rpc_acl *acl; /* whose body the worker checks */
	struct rpc_http_reply reply;
	int rest_route;		/* REST: route + 1; 0 for JSON-RPC */
	char *uri;		/* REST: the request URI */
	struct rest_reply rest; /* REST: the answer */
};

struct delayed {
	struct rpc *r;
	struct event *ev;
	struct evhttp_request *req;
};

struct cmd {
	uint64_t id;
	const struct rpc_method *m; /* static: from the method table */
	int64_t start_us;
};

struct rpc {
	struct rpc_shared sh;
	struct rpc_auth *auth;
	struct rpc_whitelist *wl;
	struct rpc_subnet *allow;
	size_t nallow;
	int rest; /* -rest: serve /rest/ (read-only) */

	/* rpc thread only, after start */
	pthread_t thread;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket **socks;
	size_t nsocks;
	struct event *reply_ev;
	struct event *ctl_ev;
	struct event *flush_ev;
	int stopping; /* listeners gone: new requests get 503 */
	int exiting;
	int64_t exit_deadline;
	size_t inflight;     /* requests not yet completely answered */
	struct jout fastout; /* fast-path reply text, reused */

	/* queues */
	struct queue *workq;
	struct queue *replyq;
	struct queue *ctlq;
	pthread_t *workers;
	int nworkers;

	int ready;		 /* atomic */
	int stop_flag;		 /* atomic: rpc_stop has begun */
	pthread_mutex_t warm_mu; /* guards warm_msg; leaf */
	char warm_msg[128];
	int *method_li;		/* metric labels by table position (atomic) */
	pthread_mutex_t cmd_mu; /* guards cmds, ncmds, next_cmd; leaf */
	struct cmd cmds[MAX_CMDS];
	size_t ncmds;
	uint64_t next_cmd;
};

/* ---- Shared accessors ---- */

struct rpc_shared *
rpc_shared(struct rpc *r)
{
	return &r->sh;
}

int
rpc_is_stopping(struct rpc *r)
{
	return __atomic_load_n(&r->stop_flag, __ATOMIC_ACQUIRE);
}

void
rpc_set_filterindex(struct rpc *r, struct filterindex *fi)
{
	/* Published to the workers by rpc_set_ready's release store. */
	r->sh.fi = fi;
}

int
rpc_is_ready(struct rpc *r)
{
	return __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE);
}

void
rpc_set_ready(struct rpc *r)
{
	pthread_mutex_lock(&r->warm_mu);
	snprintf(r->warm_msg, sizeof(r->warm_msg), "Done loading");
	pthread_mutex_unlock(&r->warm_mu);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
}

void
rpc_set_warmup_status(struct rpc *r, const char *msg)
{
	pthread_mutex_lock(&r->warm_mu);
	snprintf(r->warm_msg, sizeof(r->warm_msg), "%s", msg);
	pthread_mutex_unlock(&r->warm_mu);
}

void
rpc_warmup_message(struct rpc *r, char *buf, size_t len)
{
	pthread_mutex_lock(&r->warm_mu);
	snprintf(buf, len, "%s", r->warm_msg);
	pthread_mutex_unlock(&r->warm_mu);
}

uint64_t
rpc_cmd_begin(struct rpc *r, const struct rpc_method *m)
{
	uint64_t id;

	pthread_mutex_lock(&r->cmd_mu);
	id = ++r->next_cmd;
	if (r->ncmds < MAX_CMDS) {
		r->cmds[r->ncmds].id = id;
		r->cmds[r->ncmds].m = m;
		r->cmds[r->ncmds].start_us = time_mono_micros();
		r->ncmds++;
	}
	pthread_mutex_unlock(&r->cmd_mu);
	return id;
}

void
rpc_cmd_end(struct rpc *r, uint64_t id)
{
	const struct rpc_method *m = NULL;
	int64_t start = 0;
	size_t i;
	int li;

	pthread_mutex_lock(&r->cmd_mu);
	for (i = r->ncmds; i-- > 0;) {
		if (r->cmds[i].id == id) {
			m = r->cmds[i].m;
			start = r->cmds[i].start_us;
			r->cmds[i] = r->cmds[--r->ncmds];
			break;
		}
	}
	pthread_mutex_unlock(&r->cmd_mu);
	if (m == NULL)
		return; /* not tracked: over MAX_CMDS at once */
	/*
	 * The method's label index, looked up once per method and cached by
	 * table position; several threads may store the same value.
	 */
	i = rpc_method_index(m);
	if ((li = __atomic_load_n(&r->method_li[i], __ATOMIC_RELAXED)) < 0) {
		li = metrics_label(M_RPC_REQUESTS, m->name);
		metrics_label(M_RPC_LATENCY, m->name);
		__atomic_store_n(&r->method_li[i], li, __ATOMIC_RELAXED);
	}
	metrics_inc(M_RPC_REQUESTS, li);
	metrics_observe_us(M_RPC_LATENCY, li, time_mono_micros() - start);
}

json_t *
rpc_cmd_list(struct rpc *r)
{
	json_t *a = json_array(), *o;
	int64_t now = time_mono_micros();
	size_t i;

	pthread_mutex_lock(&r->cmd_mu);
	for (i = 0; i < r->ncmds; i++) {
		o = json_object();
		json_object_set_new(o, "method",
		    json_string(r->cmds[i].m->name));
		json_object_set_new(o, "duration",
		    json_integer(now - r->cmds[i].start_us));
		json_array_append_new(a, o);
	}
	pthread_mutex_unlock(&r->cmd_mu);
	return a;
}

/* ---- Access control ---- */

static int
parse_addr(const char *s, int *family, uint8_t addr[16])
{
	struct in_addr a4;
	struct in6_addr a6;

	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, &a4) == 1) {
		*family = AF_INET;
		memcpy(addr, &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		*family = AF_INET6;
		memcpy(addr, &a6, 16);
		return 0;
	}
	return -1;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };
static const uint8_t allones[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff };

int
rpc_subnet_parse(const char *s, struct rpc_subnet *out)
{
	char buf[128], *slash, *end;
	uint8_t m[16];
	int fam, mfam, bits, nbytes, i, seen_zero;
	long v;

	if (strlen(s) >= sizeof(buf) || *s == '\0')
		return -1;
	memset(out, 0, sizeof(*out));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_addr(buf, &fam, out->addr) == -1)
		return -1;
	out->family = fam;
	nbytes = fam == AF_INET ? 4 : 16;
	if (slash == NULL) {
		memset(out->mask, 0xff, (size_t)nbytes);
	} else if (strchr(slash, '.') || strchr(slash, ':')) {
		/* A netmask: must be of the same family and contiguous. */
		if (parse_addr(slash, &mfam, m) == -1 || mfam != fam)
			return -1;
		seen_zero = 0;
		for (i = 0; i < nbytes * 8; i++) {
			int bit = m[i / 8] >> (7 - i % 8) & 1;

			if (bit && seen_zero)
				return -1;
			if (!bit)
				seen_zero = 1;
		}
		memcpy(out->mask, m, (size_t)nbytes);
	} else {
		/* Digits only: strtol would take "-0", "+24" and " 24". */
		if (*slash == '\0' ||
		    strspn(slash, "0123456789") != strlen(slash))
			return -1;
		errno = 0;
		v = strtol(slash, &end, 10);
		if (*end != '\0' || errno || v < 0 || v > nbytes * 8)
			return -1;
		bits = (int)v;
		for (i = 0; i < nbytes; i++) {
			int b = bits - i * 8;

			out->mask[i] = b >= 8 ? 0xff :
			    b <= 0	      ? 0 :
						(uint8_t)(0xff << (8 - b));
		}
	}
	for (i = 0; i < nbytes; i++)
		out->addr[i] &= out->mask[i];
	/*
	 * An IPv4-mapped entry (::ffff:a.b.c.d, prefix at least 96 bits) is
	 * an IPv4 entry, as in Core: clients are matched as IPv4.
	 */
	if (fam == AF_INET6 && memcmp(out->addr, v4mapped, 12) == 0 &&
	    memcmp(out->mask, allones, 12) == 0) {
		out->family = AF_INET;
		memmove(out->addr, out->addr + 12, 4);
		memmove(out->mask, out->mask + 12, 4);
		memset(out->addr + 4, 0, 12);
		memset(out->mask + 4, 0, 12);
	}
	return 0;
}

int
rpc_subnet_match(const struct rpc_subnet *n, const struct sockaddr *sa)
{
	const uint8_t *a;
	int fam, i, nbytes;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		fam = AF_INET;
		a = (const uint8_t *)&(
		    (const struct sockaddr_in *)(const void *)sa)
			->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)(const void *)sa)
			->sin6_addr.s6_addr;
		fam = AF_INET6;
		/* An IPv4 client on a dual-stack socket is matched as IPv4. */
		if (memcmp(a, v4mapped, 12) == 0) {
			fam = AF_INET;
			a += 12;
		}
	} else
		return 0;
	if (fam != n->family)
		return 0;
	nbytes = fam == AF_INET ? 4 : 16;
	for (i = 0; i < nbytes; i++)
		if ((a[i] & n->mask[i]) != n->addr[i])
			return 0;
	return 1;
}

int
rpc_subnet_match_any(const struct rpc_subnet *list, size_t n,
    const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rpc_subnet_match(&list[i], sa))
			return 1;
	return 0;
}

static int
client_allowed(const struct rpc *r, const struct sockaddr *sa)
{
	return rpc_subnet_match_any(r->allow, r->nallow, sa);
}

static int
init_allow(struct rpc *r)
{
	const char *const *vals;
	size_t n, i;

	n = args_get_all(r->sh.args, "rpcallowip", &vals);
	r->allow = xcalloc(n + 2, sizeof(*r->allow));
	/* Loopback is always allowed, as in Core. */
	rpc_subnet_parse("127.0.0.0/8", &r->allow[r->nallow++]);
	rpc_subnet_parse("::1", &r->allow[r->nallow++]);
	for (i = 0; i < n; i++) {
		if (rpc_subnet_parse(vals[i], &r->allow[r->nallow]) == -1) {
			log_warnx(
			    "Invalid -rpcallowip subnet specification: "
			    "%s. Valid values are a single IP (e.g. 1.2.3.4), "
			    "a network/netmask (e.g. 1.2.3.4/255.255.255.0), "
			    "a network/CIDR (e.g. 1.2.3.4/24), all ipv4 "
			    "(0.0.0.0/0), or all ipv6 (::/0).",
			    vals[i]);
			return -1;
		}
		r->nallow++;
	}
	return 0;
}

/* ---- Replies (rpc thread) ---- */

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

static void
request_done(struct evhttp_request *req, void *arg)
{
	struct rpc *r = arg;

	(void)req;
	r->inflight--;
}

static void
send_text(struct evhttp_request *req, int status, const char *text)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (text && *text) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "text/html; charset=ISO-8859-1");
		evbuffer_add(out, text, strlen(text));
	}
	evhttp_send_reply(req, status, reason(status), NULL);
}

static void
free_body(const void *data, size_t len, void *arg)
{
	(void)arg;
	free((void *)(uintptr_t)data);
	/* The answer's trees went on the worker; now its text: trim both. */
	xmalloc_release(len);
}

/* Sends rep (taking its body). */
static void
send_reply(struct evhttp_request *req, struct rpc_http_reply *rep)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (rep->body) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "application/json");
		evbuffer_add_reference(out, rep->body, rep->len, free_body,
		    NULL);
		rep->body = NULL;
	}
	evhttp_send_reply(req, rep->status, reason(rep->status), NULL);
}

static void
set_reading(struct evhttp_request *req, int on)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev;

	if (conn == NULL ||
	    (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
		return;
	if (on)
		bufferevent_enable(bev, EV_READ | EV_WRITE);
	else
		bufferevent_disable(bev, EV_READ);
}

static void
send_unauthorized(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "WWW-Authenticate", "Basic realm=\"jsonrpc\"");
	evhttp_send_reply(req, 401, reason(401), NULL);
}

static void
delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct delayed *d = arg;

	(void)fd;
	(void)what;
	set_reading(d->req, 1);
	send_unauthorized(d->req);
	event_free(d->ev);
	free(d);
}

static void
job_free(struct job *j)
{
	json_decref(j->body);
	free(j->raw);
	free(j->user);
	free(j->reply.body);
	free(j->uri);
	free(j->rest.body);
	free(j);
}

/* Sends a REST answer (taking its body). */
static void
send_rest(struct evhttp_request *req, struct rest_reply *rep)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (rep->ctype)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", rep->ctype);
	if (rep->body && rep->len) {
		evbuffer_add_reference(out, rep->body, rep->len, free_body,
		    NULL);
		rep->body = NULL;
	}
	evhttp_send_reply(req, rep->status, reason(rep->status), NULL);
}

static void
reply_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc *r = arg;
	struct msg *m, *next;
	struct job *j;

	(void)fd;
	(void)what;
	for (m = queue_drain(r->replyq); m; m = next) {
		next = m->next;
		memcpy(&j, m->data, sizeof(j));
		msg_free(m);
		set_reading(j->req, 1);
		if (j->rest_route)
			send_rest(j->req, &j->rest);
		else
			send_reply(j->req, &j->reply);
		job_free(j);
	}
}

/* ---- Requests (rpc thread) ---- */

/* Queues the job, or answers 503 as Core does when the queue is full. */
static void
push_job(struct rpc *r, struct job *j)
{
	struct msg *m = msg_new(0, 0, &j, sizeof(j));

	if (queue_push(r->workq, m) != 0) {
		struct evhttp_request *req = j->req;

		msg_free(m);
		job_free(j);
		log_warnx("WARNING: request rejected because http work queue "
			  "depth exceeded, it can be increased with the "
			  "-rpcworkqueue= setting");
		send_text(req, 503, "Work queue depth exceeded");
		return;
	}
	set_reading(j->req, 0);
}

/*
 * A REST request: no authentication (Core's REST is public; -rpcallowip
 * was checked), answered on a worker like a JSON-RPC job.
 */
static void
rest_request(struct rpc *r, struct evhttp_request *req, int route,
    const char *uri)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct job *j;
	size_t len;

	log_debug(LOG_HTTP, "Received a REST request for %.100s", uri);
	j = xcalloc(1, sizeof(*j));
	j->r = r;
	j->req = req;
	j->rest_route = route + 1;
	j->uri = xstrdup(uri);
	len = evbuffer_get_length(in);
	j->raw = xmalloc(len + 1);
	evbuffer_copyout(in, j->raw, len);
	j->raw[len] = '\0';
	j->rawlen = len;
	push_job(r, j);
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct rpc *r = arg;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct sockaddr *sa = conn ? evhttp_connection_get_addr(conn) :
					   NULL;
	const char *uri = evhttp_request_get_uri(req), *auth;
	const struct rpc_acl *acl = NULL;
	struct evbuffer *in;
	struct rpc_http_reply rep;
	struct job *j;
	size_t len;
	json_t *body;
	char *user = NULL;
	int restricted, route;

	r->inflight++;
	evhttp_request_set_on_complete_cb(req, request_done, r);
	if (!client_allowed(r, sa)) {
		log_debug(LOG_HTTP,
		    "HTTP request from %s rejected: client "
		    "network is not allowed RPC access",
		    conn ? "peer" : "unknown");
		send_text(req, 403, NULL);
		return;
	}
	if (r->stopping) {
		send_text(req, 503, NULL);
		return;
	}
	/* Core refuses methods it does not know before it looks at the path. */
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_POST:
	case EVHTTP_REQ_HEAD:
	case EVHTTP_REQ_PUT: break;
	default: send_text(req, 405, NULL); return;
	}
	if (r->rest && uri != NULL && (route = rest_route(uri)) >= 0) {
		rest_request(r, req, route, uri);
		return;
	}
	if (uri == NULL || strcmp(uri, "/") != 0) {
		send_text(req, 404, NULL);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		send_text(req, 405,
		    "JSONRPC server handles only POST requests");
		return;
	}
	auth = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (auth == NULL) {
		metrics_inc(M_RPC_AUTH_FAILURES, 0);
		send_unauthorized(req);
		return;
	}
	if (!rpc_auth_check(r->auth, auth, &user)) {
		metrics_inc(M_RPC_AUTH_FAILURES, 0);
		struct delayed *d = xcalloc(1, sizeof(*d));
		struct timeval tv = { 0, WRONG_PASSWORD_DELAY_MS * 1000 };

		log_info("ThreadRPCServer incorrect password attempt");
		/* Deter brute force without stalling the loop. */
		d->r = r;
		d->req = req;
		d->ev = evtimer_new(r->base, delayed_cb, d);
		set_reading(req, 0);
		evtimer_add(d->ev, &tv);
		return;
	}
	restricted = rpc_whitelist_lookup(r->wl, user, &acl);
	if (!restricted) {
		free(user);
		user = NULL;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = NULL;
	if (len <= INLINE_BODY_MAX) {
		const char *data = (const char *)evbuffer_pullup(in, -1);

		if (data == NULL)
			data = "";
		r->fastout.len = 0; /* reused: no allocation per reply */
		/* The short-cut knows no whitelist: restricted users skip it. */
		if (!restricted &&
		    rpc_fast_execute(r, data, len, &r->fastout)) {
			evhttp_add_header(evhttp_request_get_output_headers(
					      req),
			    "Content-Type", "application/json");
			evbuffer_add(evhttp_request_get_output_buffer(req),
			    r->fastout.p, r->fastout.len);
			evhttp_send_reply(req, 200, reason(200), NULL);
			return;
		}
		body = rpc_json_parse(data, len);
		if (body == NULL) {
			/* Malformed: the answer needs no worker. */
			free(user);
			rpc_execute_raw(r, data, len, &rep);
			send_reply(req, &rep);
			return;
		}
		/* Core checks the list once the body parses, before any call. */
		if (restricted && rpc_acl_check(acl, user, body, &rep) == -1) {
			free(user);
			json_decref(body);
			send_reply(req, &rep);
			return;
		}
		if (rpc_execute_body(r, body, 1, &rep) == 0) {
			free(user);
			json_decref(body);
			send_reply(req, &rep);
			return;
		}
	}
	j = xcalloc(1, sizeof(*j));
	j->r = r;
	j->req = req;
	if (body) {
		/* already checked above */
		free(user);
		j->body = body;
	} else {
		j->user = user; /* NULL when unrestricted */
		j->acl = acl;
		j->raw = xmalloc(len + 1);
		evbuffer_copyout(in, j->raw, len);
		j->raw[len] = '\0';
		j->rawlen = len;
	}
	push_job(r, j);
}

/* ---- Workers ---- */

struct worker_arg {
	struct rpc *r;
	int n;
};

/* A large body, parsed here; a restricted user's is checked first. */
static void
run_raw(struct rpc *r, struct job *j)
{
	json_t *body;

	if (j->user == NULL) {
		rpc_execute_raw(r, j->raw, j->rawlen, &j->reply);
		return;
	}
	if ((body = rpc_json_parse(j->raw, j->rawlen)) == NULL) {
		rpc_execute_raw(r, j->raw, j->rawlen, &j->reply);
		return;
	}
	if (rpc_acl_check(j->acl, j->user, body, &j->reply) == 0)
		rpc_execute_body(r, body, 0, &j->reply);
	json_decref(body);
}

static void *
worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct rpc *r = wa->r;
	struct msg *m;
	struct job *j;
	char name[16];

	snprintf(name, sizeof(name), "rpc.%d", wa->n);
	free(wa);
	log_thread_name(name);
	while ((m = queue_pop(r->workq, -1)) != NULL) {
		memcpy(&j, m->data, sizeof(j));
		msg_free(m);
		if (j->rest_route) {
			rest_handle(r, j->rest_route - 1, j->uri,
			    (const uint8_t *)j->raw, j->rawlen, &j->rest);
		} else if (j->body) {
			rpc_execute_body(r, j->body, 0, &j->reply);
			json_decref(j->body);
			j->body = NULL;
		} else {
			run_raw(r, j);
			free(j->raw);
			j->raw = NULL;
		}
		m = msg_new(0, 0, &j, sizeof(j));
		if (queue_push(r->replyq, m) != 0)
			fatalx("rpc worker: reply queue closed");
	}
	return NULL;
}

/* ---- The rpc thread ---- */

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc *r = arg;
	struct timeval tv = { 0, 10000 };

	(void)fd;
	(void)what;
	/* Leave once every reply is written, or at the deadline. */
	if (r->inflight == 0 || time_mono_micros() >= r->exit_deadline) {
		event_base_loopexit(r->base, NULL);
		return;
	}
	evtimer_add(r->flush_ev, &tv);
}

static void
ctl_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc *r = arg;
	struct msg *m, *next;
	size_t i;

	(void)fd;
	(void)what;
	for (m = queue_drain(r->ctlq); m; m = next) {
		next = m->next;
		switch (m->type) {
		case CTL_STOP_ACCEPT:
			for (i = 0; i < r->nsocks; i++)
				evhttp_del_accept_socket(r->http, r->socks[i]);
			r->nsocks = 0;
			r->stopping = 1;
			break;
		case CTL_EXIT:
			/* Workers are joined: send what they left. */
			reply_cb(-1, 0, r);
			r->exiting = 1;
			r->exit_deadline = time_mono_micros() +
			    FLUSH_DEADLINE_US;
			flush_cb(-1, 0, r);
			break;
		}
		msg_free(m);
	}
}

static void *
rpc_main(void *arg)
{
	struct rpc *r = arg;

	log_thread_name("rpc");
	event_base_dispatch(r->base);
	return NULL;
}

/* ---- Binding ---- */

int
rpc_split_host_port(const char *in, char *host, size_t hlen, int *port)
{
	const char *colon, *end;
	char *e;
	long p;
	size_t n;

	if (in[0] == '[') {
		end = strchr(in, ']');
		if (end == NULL)
			return -1;
		n = (size_t)(end - in - 1);
		if (n >= hlen)
			return -1;
		memcpy(host, in + 1, n);
		host[n] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strchr(in, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* bare IPv6 */
		n = colon ? (size_t)(colon - in) : strlen(in);
		if (n >= hlen)
			return -1;
		memcpy(host, in, n);
		host[n] = '\0';
	}
	if (colon) {
		errno = 0;
		p = strtol(colon + 1, &e, 10);
		if (*e != '\0' || errno || p <= 0 || p > 65535)
			return -1;
		*port = (int)p;
	}
	return 0;
}

static void
bind_one(struct rpc *r, const char *host, int port)
{
	struct evhttp_bound_socket *s;

	log_info("Binding RPC on address %s port %d", host, port);
	errno = 0;
	s = evhttp_bind_socket_with_handle(r->http, host, (uint16_t)port);
	if (s == NULL) {
		int e = errno; /* bind's, which libevent leaves in errno */

		log_warnx("Binding RPC on address %s port %d failed. (%s, "
			  "errno %d)",
		    host, port, e ? strerror(e) : "no error code", e);
		return;
	}
	r->socks = xreallocarray(r->socks, r->nsocks + 1, sizeof(*r->socks));
	r->socks[r->nsocks++] = s;
}

static int
bind_all(struct rpc *r)
{
	const struct args *a = r->sh.args;
	const char *const *vals;
	int64_t port = args_get_int(a, "rpcport", r->sh.cp->rpc_port);
	size_t n, i;
	char host[256];
	int p;

	if (port <= 0 || port > 65535) {
		log_warnx("Invalid port specified in -rpcport: '%lld'",
		    (long long)port);
		return -1;
	}
	n = args_get_all(a, "rpcbind", &vals);
	if (!args_is_set(a, "rpcallowip") || n == 0) {
		if (n > 0)
			log_warnx(
			    "Option -rpcbind was ignored because "
			    "-rpcallowip was not specified, refusing to allow "
			    "everyone to connect");
		bind_one(r, "::1", (int)port);
		bind_one(r, "127.0.0.1", (int)port);
	} else {
		for (i = 0; i < n; i++) {
			p = (int)port;
			if (rpc_split_host_port(vals[i], host, sizeof(host),
				&p) == -1) {
				log_warnx("Invalid -rpcbind value: %s",
				    vals[i]);
				return -1;
			}
			bind_one(r, host, p);
		}
	}
	if (r->nsocks == 0) {
		log_warnx("Unable to bind any endpoint for RPC server");
		return -1;
	}
	return 0;
}

/* ---- Life cycle ---- */

/*
 * -deprecatedrpc names RPC behaviour a user wants back after Core changed
 * it. bitrootd implements none of the old behaviours, so each value is
 * accepted with a warning rather than silently (the wallet's, such as
 * create_bdb, because there is no wallet).
 */
static void
check_deprecated(const struct args *a)
{
	static const char *const wallet[] = { "create_bdb", "settxfee",
		"walletcrosschain" };
	const char *const *vals;
	size_t n, i, j;

	n = args_get_all(a, "deprecatedrpc", &vals);
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(wallet) / sizeof(wallet[0]); j++)
			if (strcmp(vals[i], wallet[j]) == 0)
				break;
		if (j < sizeof(wallet) / sizeof(wallet[0]))
			log_warnx(
			    "-deprecatedrpc=%s has no effect: it is a "
			    "wallet behaviour and bitrootd has no wallet",
			    vals[i]);
		else
			log_warnx("-deprecatedrpc=%s has no effect: bitrootd "
				  "keeps no deprecated RPC behaviour",
			    vals[i]);
	}
}

static void
rpc_free(struct rpc *r)
{
	rpc_tipwatch_free(r->sh.tipwatch);
	if (r->flush_ev)
		event_free(r->flush_ev);
	if (r->reply_ev)
		event_free(r->reply_ev);
	if (r->ctl_ev)
		event_free(r->ctl_ev);
	if (r->http)
		evhttp_free(r->http);
	if (r->base)
		event_base_free(r->base);
	queue_free(r->workq);
	queue_free(r->replyq);
	queue_free(r->ctlq);
	rpc_auth_free(r->auth);
	rpc_whitelist_free(r->wl);
	pthread_mutex_destroy(&r->warm_mu);
	pthread_mutex_destroy(&r->cmd_mu);
	free(r->socks);
	free(r->workers);
	free(r->allow);
	free(r->method_li);
	jout_free(&r->fastout);
	free(r);
}

/* The context rpc_start and rpc_local_new share: no thread, no socket. */
static struct rpc *
rpc_alloc(const struct args *a, const struct chainparams *cp, struct store *s,
    struct validation *v, struct mempool *mp, struct net *n)
{
	struct rpc *r = xcalloc(1, sizeof(*r));
	size_t i;

	r->sh.args = a;
	r->sh.cp = cp;
	r->sh.store = s;
	r->sh.v = v;
	r->sh.net = n;
	r->sh.mp = mp;
	r->sh.start_time = node_time();
	r->sh.call_timeout_ms = CALL_TIMEOUT_MS;
	r->rest = args_get_bool(a, "rest", 0);
	pthread_mutex_init(&r->warm_mu, NULL);
	pthread_mutex_init(&r->cmd_mu, NULL);
	snprintf(r->warm_msg, sizeof(r->warm_msg), "RPC server started");
	/* Build the method table before any thread can race for it. */
	r->method_li = xmalloc(rpc_method_count() * sizeof(*r->method_li));
	for (i = 0; i < rpc_method_count(); i++)
		r->method_li[i] = -1;
	return r;
}

struct rpc *
rpc_local_new(const struct args *a, const struct chainparams *cp,
    struct store *s)
{
	struct rpc *r = rpc_alloc(a, cp, s, NULL, NULL, NULL);

	rpc_set_ready(r);
	return r;
}

void
rpc_local_free(struct rpc *r)
{
	rpc_free(r);
}

int
rpc_start(const struct args *a, const struct chainparams *cp, struct store *s,
    struct validation *v, struct mempool *mp, struct net *n, struct rpc **out)
{
	struct rpc *r = rpc_alloc(a, cp, s, v, mp, n);
	struct event_config *cfg;
	int64_t nthreads, depth, timeout;
	int i;

	nthreads = args_get_int(a, "rpcthreads", DEFAULT_RPC_THREADS);
	depth = args_get_int(a, "rpcworkqueue", DEFAULT_RPC_WORKQUEUE);
	timeout = args_get_int(a, "rpcservertimeout", DEFAULT_SERVER_TIMEOUT);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 256)
		nthreads = 256;
	if (depth < 1)
		depth = 1;
	if (timeout < 1)
		timeout = 1;

	check_deprecated(a);
	if (init_allow(r) == -1)
		goto fail;
	if (rpc_auth_init(a, &r->auth) == -1)
		goto fail;
	r->wl = rpc_whitelist_new(a);

	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	r->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (r->base == NULL) {
		log_warnx("rpc: cannot create event base");
		goto fail;
	}
	r->http = evhttp_new(r->base);
	if (r->http == NULL) {
		log_warnx("rpc: cannot create evhttp server");
		goto fail;
	}
	evhttp_set_timeout(r->http, (int)timeout);
	evhttp_set_max_headers_size(r->http, MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(r->http, MAX_BODY_SIZE);
	/* Core's set: libevent answers 501 to the others (OPTIONS, ...). */
	evhttp_set_allowed_methods(r->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
		EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(r->http, http_cb, r);
	if (bind_all(r) == -1)
		goto fail;

	r->workq = queue_new("rpc work", (size_t)depth, QUEUE_REFUSE);
	r->replyq = queue_new("rpc reply", SIZE_MAX, QUEUE_BLOCK);
	r->ctlq = queue_new("rpc control", 16, QUEUE_BLOCK);
	r->reply_ev = event_new(r->base, queue_fd(r->replyq),
	    EV_READ | EV_PERSIST, reply_cb, r);
	r->ctl_ev = event_new(r->base, queue_fd(r->ctlq), EV_READ | EV_PERSIST,
	    ctl_cb, r);
	r->flush_ev = evtimer_new(r->base, flush_cb, r);
	event_add(r->reply_ev, NULL);
	event_add(r->ctl_ev, NULL);

	if (v != NULL)
		r->sh.tipwatch = rpc_tipwatch_start(v);
	r->workers = xcalloc((size_t)nthreads, sizeof(*r->workers));
	for (i = 0; i < nthreads; i++) {
		struct worker_arg *wa = xmalloc(sizeof(*wa));

		wa->r = r;
		wa->n = i;
		if (pthread_create(&r->workers[i], NULL, worker_main, wa) != 0)
			fatal("rpc_start: pthread_create");
		r->nworkers++;
	}
	if (pthread_create(&r->thread, NULL, rpc_main, r) != 0)
		fatal("rpc_start: pthread_create");
	log_info("Starting HTTP server with %d worker threads", r->nworkers);
	*out = r;
	return 0;
fail:
	rpc_free(r);
	return -1;
}

static void
ctl_send(struct rpc *r, enum ctl_type t)
{
	struct msg *m = msg_new((int)t, 0, NULL, 0);

	if (queue_push(r->ctlq, m) != 0)
		msg_free(m);
}

void
rpc_stop(struct rpc *r)
{
	int i;

	if (r == NULL)
		return;
	log_info("Stopping HTTP server");
	__atomic_store_n(&r->stop_flag, 1, __ATOMIC_RELEASE);
	/* waitfor* calls answer now, so the workers can be joined. */
	rpc_tipwatch_stop(r->sh.tipwatch);
	ctl_send(r, CTL_STOP_ACCEPT);
	/* Workers finish the jobs in hand and those still queued. */
	queue_close(r->workq);
	for (i = 0; i < r->nworkers; i++)
		pthread_join(r->workers[i], NULL);
	ctl_send(r, CTL_EXIT);
	pthread_join(r->thread, NULL);
	log_info("Stopped HTTP server");
	rpc_free(r);
}
