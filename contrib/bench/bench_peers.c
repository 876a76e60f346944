/*
 * bench_peers: holds N handshaken inbound P2P connections to a running
 * bitrootd and measures, while they are held: the node's resident memory
 * per peer, ping round trips to every peer (paced so the pings measure
 * latency, not a queue we built ourselves), and JSON-RPC latency of a
 * net-thread method (getconnectioncount) and of getblockcount.
 *
 * usage: bench_peers -port P -rpcport R -cookie FILE -pid PID -n N
 *            [-rounds 3] [-spread-ms 2000] [-magic fabfb5da]
 *
 * One libevent loop holds the peers; a second thread issues the RPC calls.
 * Prints one JSON object on stdout; progress on stderr. Exit 1 if fewer
 * than N peers finish the handshake.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "net/protocol.h"
#include "util/buf.h"

struct conn {
	struct bufferevent *bev;
	int idx;
	int connected;
	int handshaken;
	int64_t ping_sent_us;
	uint64_t ping_nonce;
};

struct bench {
	struct event_base *base;
	struct conn *c;
	int n;
	int port;
	uint8_t magic[4];
	int next_connect;
	int connecting;
	int nconnected;
	int nhandshaken;
	int nfailed;
	int phase; /* 0 connect, 1 ping, 2 done */
	int round, rounds;
	int spread_ms;
	int64_t round_start_us;
	int next_ping;
	int outstanding;
	double *rtt; /* microseconds */
	size_t nrtt, caprtt;
	struct event *tick;
};

/* The one benchmark run; the libevent callbacks reach it through here. */
static struct bench *g_bench;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
send_msg(struct bench *b, struct conn *c, const char *cmd, const void *p,
    size_t len)
{
	uint8_t hdr[MSG_HEADER_SIZE];

	msg_header_build(hdr, b->magic, cmd, p, len);
	bufferevent_write(c->bev, hdr, sizeof(hdr));
	if (len)
		bufferevent_write(c->bev, p, len);
}

static void
send_version(struct bench *b, struct conn *c)
{
	struct version_msg v;
	struct wbuf w;

	memset(&v, 0, sizeof(v));
	v.version = PROTOCOL_VERSION;
	v.services = NODE_NETWORK | NODE_WITNESS;
	v.timestamp = (int64_t)time(NULL);
	v.addr_recv.addr.net = NET_IPV6;
	v.addr_recv.addr.len = 16;
	v.addr_from = v.addr_recv;
	v.nonce = ((uint64_t)getpid() << 32) | (uint64_t)c->idx;
	snprintf(v.subver, sizeof(v.subver), "/bench-peers:0.1/");
	v.start_height = 0;
	v.relay = 0;
	wbuf_init(&w);
	version_encode(&w, &v);
	send_msg(b, c, "version", w.p, w.len);
	wbuf_free(&w);
}

static void connect_more(struct bench *b);

static void
on_pong(struct bench *b, struct conn *c, uint64_t nonce)
{
	if (c->ping_nonce == 0 || nonce != c->ping_nonce)
		return;
	if (b->nrtt == b->caprtt) {
		b->caprtt = b->caprtt ? b->caprtt * 2 : 1024;
		b->rtt = realloc(b->rtt, b->caprtt * sizeof(*b->rtt));
	}
	b->rtt[b->nrtt++] = (double)(now_us() - c->ping_sent_us);
	c->ping_nonce = 0;
	b->outstanding--;
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct bench *b = g_bench;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct msg_header h;
	uint8_t hb[MSG_HEADER_SIZE], payload[8];

	for (;;) {
		size_t len = evbuffer_get_length(in);

		if (len < MSG_HEADER_SIZE)
			return;
		evbuffer_copyout(in, hb, sizeof(hb));
		msg_header_parse(hb, &h);
		if (len < MSG_HEADER_SIZE + (size_t)h.len)
			return;
		evbuffer_drain(in, MSG_HEADER_SIZE);
		memset(payload, 0, sizeof(payload));
		evbuffer_copyout(in, payload, h.len < 8 ? h.len : 8);
		evbuffer_drain(in, h.len);
		c->connected = 1;
		if (strcmp(h.cmd, "version") == 0) {
			send_msg(b, c, "wtxidrelay", NULL, 0);
			send_msg(b, c, "sendaddrv2", NULL, 0);
			send_msg(b, c, "verack", NULL, 0);
		} else if (strcmp(h.cmd, "verack") == 0) {
			if (!c->handshaken) {
				c->handshaken = 1;
				b->nhandshaken++;
			}
		} else if (strcmp(h.cmd, "ping") == 0)
			send_msg(b, c, "pong", payload, 8);
		else if (strcmp(h.cmd, "pong") == 0)
			on_pong(b, c, le64_read(payload));
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct bench *b = g_bench;

	if (what & BEV_EVENT_CONNECTED) {
		b->connecting--;
		b->nconnected++;
		send_version(b, c);
		connect_more(b);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (!c->connected && b->phase == 0) {
			b->connecting--;
			connect_more(b);
		}
		if (c->handshaken)
			b->nhandshaken--;
		b->nfailed++;
		bufferevent_free(c->bev);
		c->bev = NULL;
		c->handshaken = 0;
	}
}

static void
connect_more(struct bench *b)
{
	struct sockaddr_in sin;

	/* A few hundred connects at a time: the listen backlog stays short. */
	while (b->next_connect < b->n && b->connecting < 200) {
		struct conn *c = &b->c[b->next_connect];

		c->idx = b->next_connect++;
		c->bev = bufferevent_socket_new(b->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)b->port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		b->connecting++;
		if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sin,
			sizeof(sin)) == -1) {
			b->connecting--;
			b->nfailed++;
			bufferevent_free(c->bev);
			c->bev = NULL;
		}
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	int64_t t = now_us(), due;
	uint8_t p[8];

	if (b->phase != 1)
		return;
	/* Pace the pings evenly over spread_ms. */
	due = (t - b->round_start_us) * b->n / ((int64_t)b->spread_ms * 1000);
	while (b->next_ping < b->n && b->next_ping <= due) {
		struct conn *c = &b->c[b->next_ping++];

		if (c->bev == NULL || !c->handshaken)
			continue;
		c->ping_nonce = ((uint64_t)(b->round + 1) << 32) |
		    (uint64_t)c->idx;
		c->ping_sent_us = now_us();
		le64_write(p, c->ping_nonce);
		send_msg(b, c, "ping", p, 8);
		b->outstanding++;
	}
	if (b->next_ping >= b->n &&
	    (b->outstanding == 0 ||
		t - b->round_start_us >
		    (int64_t)b->spread_ms * 1000 + 10000000)) {
		if (++b->round >= b->rounds) {
			b->phase = 2;
			event_base_loopbreak(b->base);
			return;
		}
		b->next_ping = 0;
		b->outstanding = 0;
		b->round_start_us = now_us();
	}
}

/* ---- RPC latency, on its own thread ---- */

struct rpc_bench {
	int port;
	char auth[256];
	volatile int stop;
	double *lat_cc, *lat_bc;
	size_t ncc, nbc, cap;
	int errors;
};

static void
b64(const char *in, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	size_t n = strlen(in), i, k = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)(uint8_t)in[i] << 16 |
		    (uint32_t)(uint8_t)in[i + 1] << 8 | (uint8_t)in[i + 2];

		out[k++] = t[v >> 18];
		out[k++] = t[(v >> 12) & 63];
		out[k++] = t[(v >> 6) & 63];
		out[k++] = t[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)(uint8_t)in[i] << 16;

		out[k++] = t[v >> 18];
		out[k++] = t[(v >> 12) & 63];
		out[k++] = '=';
		out[k++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)(uint8_t)in[i] << 16 |
		    (uint32_t)(uint8_t)in[i + 1] << 8;

		out[k++] = t[v >> 18];
		out[k++] = t[(v >> 12) & 63];
		out[k++] = t[(v >> 6) & 63];
		out[k++] = '=';
	}
	out[k] = '\0';
}

static int
rpc_once(struct rpc_bench *r, int fd, const char *method, double *lat)
{
	char req[1024], resp[65536], body[128];
	int64_t t0;
	ssize_t k;
	size_t got = 0;
	int blen;

	blen = snprintf(body, sizeof(body),
	    "{\"jsonrpc\":\"1.0\",\"id\":1,"
	    "\"method\":\"%s\",\"params\":[]}",
	    method);
	snprintf(req, sizeof(req),
	    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Basic %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\n\r\n%s",
	    r->auth, blen, body);
	t0 = now_us();
	if (write(fd, req, strlen(req)) < 0)
		return -1;
	for (;;) {
		char *hdr_end, *cl;

		k = read(fd, resp + got, sizeof(resp) - 1 - got);
		if (k <= 0)
			return -1;
		got += (size_t)k;
		resp[got] = '\0';
		hdr_end = strstr(resp, "\r\n\r\n");
		cl = strcasestr(resp, "Content-Length:");
		if (hdr_end && cl &&
		    got >=
			(size_t)(hdr_end + 4 - resp) + (size_t)atoi(cl + 15))
			break;
	}
	*lat = (double)(now_us() - t0);
	return strstr(resp, "\"result\"") && strncmp(resp + 9, "200", 3) == 0 ?
	    0 :
	    -1;
}

static int
rpc_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *
rpc_main(void *arg)
{
	struct rpc_bench *r = arg;
	int fd = -1;
	double lat;

	while (!r->stop) {
		if (fd == -1 && (fd = rpc_connect(r->port)) == -1) {
			r->errors++;
			usleep(100000);
			continue;
		}
		if (r->ncc == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 256;
			r->lat_cc = realloc(r->lat_cc,
			    r->cap * sizeof(double));
			r->lat_bc = realloc(r->lat_bc,
			    r->cap * sizeof(double));
		}
		if (rpc_once(r, fd, "getconnectioncount", &lat) == 0)
			r->lat_cc[r->ncc++] = lat;
		else {
			r->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		if (rpc_once(r, fd, "getblockcount", &lat) == 0)
			r->lat_bc[r->nbc++] = lat;
		else {
			r->errors++;
			close(fd);
			fd = -1;
		}
		usleep(20000);
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_d);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static long
rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_peers -port P -rpcport R -cookie FILE "
	    "-pid PID -n N [-rounds 3] [-spread-ms 2000] [-magic HEX]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct rpc_bench r;
	struct rlimit rl;
	struct timeval tv = { 0, 1000 };
	pthread_t th;
	char cookie[256] = "";
	const char *cookie_path = NULL;
	long rss0, rss1, rss2;
	int i, pid = 0, rpcport = 0;
	int64_t t0, t_hs;
	FILE *f;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	b.rounds = 3;
	b.spread_ms = 2000;
	memcpy(b.magic, "\xfa\xbf\xb5\xda", 4);
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-port") == 0)
			b.port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-rpcport") == 0)
			rpcport = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-cookie") == 0)
			cookie_path = argv[i + 1];
		else if (strcmp(argv[i], "-pid") == 0)
			pid = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-n") == 0)
			b.n = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-rounds") == 0)
			b.rounds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-spread-ms") == 0)
			b.spread_ms = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-magic") == 0) {
			unsigned m;

			sscanf(argv[i + 1], "%8x", &m);
			b.magic[0] = (uint8_t)(m >> 24);
			b.magic[1] = (uint8_t)(m >> 16);
			b.magic[2] = (uint8_t)(m >> 8);
			b.magic[3] = (uint8_t)m;
		} else
			usage();
	}
	if (b.port <= 0 || rpcport <= 0 || cookie_path == NULL || pid <= 0 ||
	    b.n <= 0 || b.rounds <= 0 || b.spread_ms <= 0)
		usage();
	if ((f = fopen(cookie_path, "r")) == NULL) {
		perror(cookie_path);
		return 2;
	}
	if (fgets(cookie, sizeof(cookie), f) == NULL)
		cookie[0] = '\0';
	fclose(f);
	cookie[strcspn(cookie, "\r\n")] = '\0';
	b64(cookie, r.auth);
	r.port = rpcport;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	g_bench = &b;
	b.base = event_base_new();
	b.c = calloc((size_t)b.n, sizeof(*b.c));
	rss0 = rss_kb(pid);
	t0 = now_us();
	connect_more(&b);
	b.tick = event_new(b.base, -1, EV_PERSIST, tick_cb, &b);
	event_add(b.tick, &tv);
	/* Connect and handshake everyone (at most 120 s). */
	while (b.nhandshaken + b.nfailed < b.n && now_us() - t0 < 120000000)
		event_base_loop(b.base, EVLOOP_ONCE);
	t_hs = now_us() - t0;
	fprintf(stderr, "bench_peers: %d/%d handshaken in %.2fs (%d failed)\n",
	    b.nhandshaken, b.n, (double)t_hs / 1e6, b.nfailed);
	/* Let the node's post-handshake traffic (pings, getheaders) settle. */
	{
		int64_t until = now_us() + 2000000;

		while (now_us() < until)
			event_base_loop(b.base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	rss1 = rss_kb(pid);
	pthread_create(&th, NULL, rpc_main, &r);
	b.phase = 1;
	b.round_start_us = now_us();
	event_base_dispatch(b.base);
	r.stop = 1;
	pthread_join(th, NULL);
	rss2 = rss_kb(pid);

	printf(
	    "{\"peers\": %d, \"handshaken\": %d, \"handshake_seconds\": %.2f, "
	    "\"rss_kb_before\": %ld, \"rss_kb_held\": %ld, "
	    "\"rss_kb_after_pings\": %ld, \"rss_kb_per_peer\": %.1f, "
	    "\"pings\": %zu, \"ping_p50_ms\": %.3f, \"ping_p99_ms\": %.3f, "
	    "\"ping_max_ms\": %.3f, \"rpc_calls\": %zu, "
	    "\"rpc_getconnectioncount_p50_ms\": %.3f, "
	    "\"rpc_getconnectioncount_p99_ms\": %.3f, "
	    "\"rpc_getblockcount_p50_ms\": %.3f, \"rpc_errors\": %d}\n",
	    b.n, b.nhandshaken, (double)t_hs / 1e6, rss0, rss1, rss2,
	    b.nhandshaken ?
		(double)((rss2 > rss1 ? rss2 : rss1) - rss0) / b.nhandshaken :
		0.0,
	    b.nrtt, pct(b.rtt, b.nrtt, 0.5) / 1000,
	    pct(b.rtt, b.nrtt, 0.99) / 1000, pct(b.rtt, b.nrtt, 1.0) / 1000,
	    r.ncc + r.nbc, pct(r.lat_cc, r.ncc, 0.5) / 1000,
	    pct(r.lat_cc, r.ncc, 0.99) / 1000,
	    pct(r.lat_bc, r.nbc, 0.5) / 1000, r.errors);
	for (i = 0; i < b.n; i++)
		if (b.c[i].bev)
			bufferevent_free(b.c[i].bev);
	event_free(b.tick);
	event_base_free(b.base);
	free(b.c);
	free(b.rtt);
	free(r.lat_cc);
	free(r.lat_bc);
	return b.nhandshaken == b.n ? 0 : 1;
}
