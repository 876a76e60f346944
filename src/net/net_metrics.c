/*
 * The net thread's metrics (util/metrics.h): label indices looked up once
 * at start, counters and gauges updated where the events happen (peer.c,
 * msg_handlers.c, net.c), and the peers snapshot the status page reads,
 * published from the tick at most once a second. Net thread only, except
 * net_metrics_init (net_start, before the thread runs).
 */
#include <stdio.h>
#include <string.h>

#include "net/net_int.h"
#include "net/v2transport.h"
#include "util/metrics.h"

#define PUBLISH_EVERY_US 1000000

void
net_metrics_init(struct net *n)
{
	int t;

	for (t = 0; t < MT_COUNT; t++) {
		const char *name = msg_type_name((enum msg_type)t);

		/* The four families get the same values in the same order. */
		n->m_msg[t] = metrics_label(M_PEER_BYTES_RECV, name);
		metrics_label(M_PEER_BYTES_SENT, name);
		metrics_label(M_PEER_MSGS_RECV, name);
		metrics_label(M_PEER_MSGS_SENT, name);
	}
	for (t = 0; t <= CONN_ADDR_FETCH; t++) {
		const char *name = conn_type_name((enum conn_type)t);

		n->m_conn[t] = metrics_label(M_PEERS, name);
		metrics_label(M_PEER_CONNECTIONS, name);
		metrics_label(M_PEER_DISCONNECTIONS, name);
		metrics_set(M_PEERS, n->m_conn[t], 0);
	}
}

void
net_metrics_msg(struct net *n, enum msg_type t, size_t wire, int sent)
{
	int li = n->m_msg[t < MT_COUNT ? t : MT_OTHER];

	metrics_add(sent ? M_PEER_BYTES_SENT : M_PEER_BYTES_RECV, li, wire);
	metrics_inc(sent ? M_PEER_MSGS_SENT : M_PEER_MSGS_RECV, li);
}

void
net_metrics_peer_count(struct net *n, enum conn_type t, int connected)
{
	metrics_set(M_PEERS, n->m_conn[t], (double)n->n_by_type[t]);
	metrics_inc(connected ? M_PEER_CONNECTIONS : M_PEER_DISCONNECTIONS,
	    n->m_conn[t]);
}

static void
fill(const struct net *n, const struct peer *p, struct metrics_peer *o)
{
	memset(o, 0, sizeof(*o));
	o->id = p->id;
	o->conn_time = p->conn_time;
	o->bytes_sent = p->bytes_sent;
	o->bytes_recv = p->bytes_recv;
	o->ping_us = p->last_ping_us > 0 ? p->last_ping_us : -1;
	o->start_height = p->start_height;
	o->synced_height = p->sync.has_best ? p->sync.best_height : -1;
	o->inbound = p->type == CONN_INBOUND;
	snprintf(o->transport, sizeof(o->transport), "%s",
	    p->v2 == NULL	     ? "v1" :
		v2t_detecting(p->v2) ? "detecting" :
				       "v2");
	snprintf(o->conn_type, sizeof(o->conn_type), "%s",
	    conn_type_name(p->type));
	/* Without -logips the page shows no addresses, as the log does not. */
	snprintf(o->addr, sizeof(o->addr), "%.*s", (int)sizeof(o->addr) - 1,
	    n->logips ? p->addr_name : "");
	snprintf(o->subver, sizeof(o->subver), "%.*s",
	    (int)sizeof(o->subver) - 1, p->subver ? p->subver : "");
}

void
net_metrics_tick(struct net *n, int64_t now_us)
{
	struct metrics_peer ps[METRICS_MAX_PEERS];
	struct peer *p;
	size_t k = 0;

	if (now_us - n->m_published_us < PUBLISH_EVERY_US)
		return;
	n->m_published_us = now_us;
	TAILQ_FOREACH (p, &n->peers, entry) {
		if (p->disconnect || k == METRICS_MAX_PEERS)
			continue;
		fill(n, p, &ps[k++]);
	}
	metrics_publish_peers(ps, k);
}
