/*
 * The metrics listener (-metricsbind): Prometheus /metrics, the status page
 * at / and the /status.json it polls, on a thread of its own, "metrics".
 *
 * Design. The thread owns its event base (EVENT_BASE_FLAG_NOLOCK), its
 * evhttp object and every connection; no other thread touches them. It is
 * apart from the rpc thread so that a slow or hostile scraper can never
 * delay an RPC reply, and so that it runs with -server=0 too. A request
 * reads only what the node threads publish without waiting for anyone:
 * the atomics of util/metrics.h and the sequence-locked snapshots of peers
 * and recent blocks (metrics_snap.c). It sends no request to a node thread
 * and takes no lock a node thread takes on a hot path, so scraping as fast
 * as a client likes costs the node's threads nothing but cache traffic.
 *
 * Access: -metricsallowip, default loopback only (127.0.0.0/8 and ::1);
 * when given, exactly the subnets listed. Others get 403. Only GET and
 * HEAD; unknown paths 404. No authentication: the data is what the page
 * shows, and binding beyond loopback is the operator's explicit choice.
 *
 * Queues: one control queue (metrics_http_stop -> thread) to exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "chain/chainparams.h"
#include "rpc/rpc.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/queue.h"
#include "util/xmalloc.h"

#define METRICS_PORT_OFFSET 1000 /* default port: the RPC port + this */
#define METRICS_HTTP_TIMEOUT 30
#define METRICS_MAX_HEADERS 8192
#define METRICS_MAX_BODY 1024 /* GET only: nothing to read */

struct metrics_http {
	struct rpc_subnet *allow;
	size_t nallow;
	pthread_t thread;
	struct event_base *base;
	struct evhttp *http;
	struct queue *ctlq;
	struct event *ctl_ev;
	int path_li[4]; /* M_METRICS_SCRAPES labels */
};

enum { PATH_METRICS, PATH_PAGE, PATH_STATUS, PATH_OTHER };

static int
client_allowed(const struct metrics_http *mh, struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const struct sockaddr *sa = c ? evhttp_connection_get_addr(c) : NULL;

	return rpc_subnet_match_any(mh->allow, mh->nallow, sa);
}

static void
send_text(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, const void *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (len && evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add(out, body, len);
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

static void
serve_metrics(struct evhttp_request *req)
{
	struct wbuf w;

	wbuf_init(&w);
	metrics_read_process();
	metrics_encode(&w);
	send_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    w.p, w.len);
	wbuf_free(&w);
}

static void
serve_status(struct evhttp_request *req)
{
	char *body;

	metrics_read_process();
	body = rpc_status_json();
	send_text(req, 200, "OK", "application/json", body, strlen(body));
	free(body);
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct metrics_http *mh = arg;
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *page;
	char path[64];
	size_t n;
	int which;

	if (!client_allowed(mh, req)) {
		metrics_inc(M_METRICS_REFUSED, 0);
		send_text(req, 403, "Forbidden", "text/plain", "Forbidden\n",
		    10);
		return;
	}
	/* The path without a query string. */
	n = strcspn(uri, "?");
	snprintf(path, sizeof(path), "%.*s",
	    (int)(n < sizeof(path) - 1 ? n : sizeof(path) - 1), uri);
	which = strcmp(path, "/metrics") == 0 ? PATH_METRICS :
	    strcmp(path, "/") == 0	      ? PATH_PAGE :
	    strcmp(path, "/status.json") == 0 ? PATH_STATUS :
						PATH_OTHER;
	metrics_inc(M_METRICS_SCRAPES, mh->path_li[which]);
	if (which == PATH_OTHER || n >= sizeof(path) - 1) {
		send_text(req, 404, "Not Found", "text/plain", "Not Found\n",
		    10);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		send_text(req, 405, "Method Not Allowed", "text/plain",
		    "Method Not Allowed\n", 19);
		return;
	}
	switch (which) {
	case PATH_METRICS: serve_metrics(req); break;
	case PATH_STATUS: serve_status(req); break;
	default:
		page = rpc_status_page_html();
		send_text(req, 200, "OK", "text/html; charset=utf-8", page,
		    strlen(page));
		break;
	}
}

static void
ctl_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics_http *mh = arg;
	struct msg *m, *next;

	(void)fd;
	(void)what;
	for (m = queue_drain(mh->ctlq); m; m = next) {
		next = m->next;
		msg_free(m);
		event_base_loopbreak(mh->base);
	}
}

static void *
metrics_main(void *arg)
{
	struct metrics_http *mh = arg;

	log_thread_name("metrics");
	event_base_dispatch(mh->base);
	return NULL;
}

static int
init_allow(struct metrics_http *mh, const struct args *a)
{
	const char *const *vals;
	size_t n, i;

	n = args_get_all(a, "metricsallowip", &vals);
	mh->allow = xcalloc(n ? n : 2, sizeof(*mh->allow));
	if (n == 0) {
		rpc_subnet_parse("127.0.0.0/8", &mh->allow[mh->nallow++]);
		rpc_subnet_parse("::1", &mh->allow[mh->nallow++]);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (rpc_subnet_parse(vals[i], &mh->allow[mh->nallow]) == -1) {
			log_warnx(
			    "Invalid -metricsallowip subnet "
			    "specification: %s. Valid values are a single IP "
			    "(e.g. 1.2.3.4), a network/netmask (e.g. "
			    "1.2.3.4/255.255.255.0) or a network/CIDR (e.g. "
			    "1.2.3.4/24).",
			    vals[i]);
			return -1;
		}
		mh->nallow++;
	}
	return 0;
}

/*
 * One -metricsbind value: "", "PORT", "ADDR:PORT" or "[V6]:PORT". A bare
 * address without a port is refused: it is more likely a typo than a wish
 * for the default port on a non-loopback address.
 */
static int
parse_bind(const char *v, int defport, char *host, size_t hlen, int *port)
{
	char *end;
	long p;

	*port = defport;
	if (*v == '\0') {
		snprintf(host, hlen, "127.0.0.1");
		return 0;
	}
	if (strspn(v, "0123456789") == strlen(v)) {
		errno = 0;
		p = strtol(v, &end, 10);
		if (errno || p < 1 || p > 65535)
			return -1;
		snprintf(host, hlen, "127.0.0.1");
		*port = (int)p;
		return 0;
	}
	*port = -1;
	if (rpc_split_host_port(v, host, hlen, port) == -1 || *port < 0 ||
	    host[0] == '\0')
		return -1;
	return 0;
}

static int
bind_all(struct metrics_http *mh, const struct args *a,
    const struct chainparams *cp)
{
	const char *const *vals;
	int defport = (int)args_get_int(a, "rpcport", cp->rpc_port) +
	    METRICS_PORT_OFFSET;
	char host[256];
	size_t n, i;
	int port;

	n = args_get_all(a, "metricsbind", &vals);
	for (i = 0; i < n; i++) {
		if (parse_bind(vals[i], defport, host, sizeof(host), &port) ==
			-1 ||
		    port < 1 || port > 65535) {
			log_warnx(
			    "Invalid -metricsbind value '%s': expected "
			    "PORT, ADDR:PORT or [IPV6]:PORT with a port from "
			    "1 to 65535",
			    vals[i]);
			return -1;
		}
		log_info("Binding metrics on address %s port %d", host, port);
		if (evhttp_bind_socket(mh->http, host, (uint16_t)port) != 0) {
			log_warnx("Unable to bind the metrics listener on "
				  "%s port %d",
			    host, port);
			return -1;
		}
	}
	return 0;
}

static void
metrics_http_free(struct metrics_http *mh)
{
	if (mh->ctl_ev)
		event_free(mh->ctl_ev);
	if (mh->http)
		evhttp_free(mh->http);
	if (mh->base)
		event_base_free(mh->base);
	queue_free(mh->ctlq);
	free(mh->allow);
	free(mh);
}

int
metrics_http_start(const struct args *a, const struct chainparams *cp,
    struct metrics_http **out)
{
	static const char *const paths[] = { "/metrics", "/", "/status.json",
		"other" };
	struct metrics_http *mh;
	struct event_config *cfg;
	int i;

	*out = NULL;
	if (!args_is_set(a, "metricsbind") ||
	    args_is_negated(a, "metricsbind"))
		return 0;
	mh = xcalloc(1, sizeof(*mh));
	for (i = 0; i < 4; i++)
		mh->path_li[i] = metrics_label(M_METRICS_SCRAPES, paths[i]);
	if (init_allow(mh, a) == -1)
		goto fail;
	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	mh->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (mh->base == NULL || (mh->http = evhttp_new(mh->base)) == NULL) {
		log_warnx("metrics: cannot create the HTTP server");
		goto fail;
	}
	evhttp_set_timeout(mh->http, METRICS_HTTP_TIMEOUT);
	evhttp_set_max_headers_size(mh->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(mh->http, METRICS_MAX_BODY);
	/* Every method reaches http_cb, which answers 405 to all but two. */
	evhttp_set_allowed_methods(mh->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
		EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
		EVHTTP_REQ_PATCH);
	evhttp_set_gencb(mh->http, http_cb, mh);
	if (bind_all(mh, a, cp) == -1)
		goto fail;
	mh->ctlq = queue_new("metrics control", 4, QUEUE_REFUSE);
	mh->ctl_ev = event_new(mh->base, queue_fd(mh->ctlq),
	    EV_READ | EV_PERSIST, ctl_cb, mh);
	event_add(mh->ctl_ev, NULL);
	if (pthread_create(&mh->thread, NULL, metrics_main, mh) != 0)
		fatal("%s: pthread_create", __func__);
	*out = mh;
	return 0;
fail:
	metrics_http_free(mh);
	return -1;
}

void
metrics_http_stop(struct metrics_http *mh)
{
	struct msg *m;

	if (mh == NULL)
		return;
	/* Waits for room: the thread must see it, or the join would hang. */
	m = msg_new(1, 0, NULL, 0);
	if (queue_push_wait(mh->ctlq, m) != 0)
		msg_free(m);
	pthread_join(mh->thread, NULL);
	log_info("Stopped the metrics listener");
	metrics_http_free(mh);
}
