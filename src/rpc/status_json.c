/*
 * /status.json: what the status page shows, built on the metrics thread
 * from the metrics' atomics and the published snapshots (util/metrics.h).
 * Reads only; never asks a node thread anything.
 */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonenc.h"
#include "rpc/rpc_int.h"
#include "util/hex.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"

static json_t *
chain_obj(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "height",
	    json_integer((json_int_t)metrics_gauge(M_CHAIN_HEIGHT, 0)));
	json_object_set_new(o, "headers",
	    json_integer((json_int_t)metrics_gauge(M_CHAIN_HEADERS, 0)));
	json_object_set_new(o, "progress",
	    json_real(metrics_gauge(M_CHAIN_PROGRESS, 0)));
	json_object_set_new(o, "ibd",
	    json_boolean(metrics_gauge(M_CHAIN_IBD, 0) != 0));
	json_object_set_new(o, "tip_time",
	    json_integer((json_int_t)metrics_gauge(M_CHAIN_TIP_TIME, 0)));
	json_object_set_new(o, "reorgs",
	    json_integer((json_int_t)metrics_counter(M_CHAIN_REORGS, 0)));
	return o;
}

static json_t *
blocks_arr(void)
{
	struct metrics_block b[METRICS_RECENT_BLOCKS];
	json_t *a = json_array(), *o;
	size_t n, i;
	char hex[65];

	n = metrics_read_blocks(b, METRICS_RECENT_BLOCKS);
	for (i = 0; i < n; i++) {
		o = json_object();
		hash_to_hex(b[i].hash, hex);
		json_object_set_new(o, "height", json_integer(b[i].height));
		json_object_set_new(o, "hash", json_string(hex));
		json_object_set_new(o, "txs", json_integer(b[i].ntx));
		json_object_set_new(o, "size",
		    json_integer((json_int_t)b[i].size));
		json_object_set_new(o, "time", json_integer(b[i].time));
		json_object_set_new(o, "validation_ms",
		    json_real((double)b[i].validation_us / 1000.0));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
peers_arr(void)
{
	struct metrics_peer *p = xcalloc(METRICS_MAX_PEERS, sizeof(*p));
	json_t *a = json_array(), *o, *s;
	size_t n, i;

	n = metrics_read_peers(p, METRICS_MAX_PEERS);
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "id",
		    json_integer((json_int_t)p[i].id));
		json_object_set_new(o, "addr", json_string(p[i].addr));
		json_object_set_new(o, "inbound", json_boolean(p[i].inbound));
		json_object_set_new(o, "conn_type",
		    json_string(p[i].conn_type));
		json_object_set_new(o, "transport",
		    json_string(p[i].transport));
		json_object_set_new(o, "bytes_sent",
		    json_integer((json_int_t)p[i].bytes_sent));
		json_object_set_new(o, "bytes_recv",
		    json_integer((json_int_t)p[i].bytes_recv));
		json_object_set_new(o, "ping_ms",
		    p[i].ping_us < 0 ?
			json_null() :
			json_real((double)p[i].ping_us / 1000.0));
		json_object_set_new(o, "conn_time",
		    json_integer(p[i].conn_time));
		json_object_set_new(o, "start_height",
		    json_integer(p[i].start_height));
		json_object_set_new(o, "synced_height",
		    json_integer(p[i].synced_height));
		/* The peer chose it (sanitized by net); the page shows it as text. */
		s = json_string(p[i].subver);
		json_object_set_new(o, "subver", s ? s : json_string(""));
		json_array_append_new(a, o);
	}
	free(p);
	return a;
}

static json_t *
mempool_obj(void)
{
	json_t *o = json_object(), *bands = json_array(), *b;
	int i, n = metrics_nlabels(M_MEMPOOL_BAND_TXS);

	json_object_set_new(o, "txs",
	    json_integer((json_int_t)metrics_gauge(M_MEMPOOL_TXS, 0)));
	json_object_set_new(o, "vbytes",
	    json_integer((json_int_t)metrics_gauge(M_MEMPOOL_BYTES, 0)));
	json_object_set_new(o, "min_fee_sat_per_kvb",
	    json_integer((json_int_t)metrics_gauge(M_MEMPOOL_MIN_FEE, 0)));
	for (i = 0; i < n; i++) {
		b = json_object();
		json_object_set_new(b, "band",
		    json_string(metrics_label_name(M_MEMPOOL_BAND_TXS, i)));
		json_object_set_new(b, "txs",
		    json_integer(
			(json_int_t)metrics_gauge(M_MEMPOOL_BAND_TXS, i)));
		json_object_set_new(b, "vbytes",
		    json_integer(
			(json_int_t)metrics_gauge(M_MEMPOOL_BAND_VBYTES, i)));
		json_array_append_new(bands, b);
	}
	json_object_set_new(o, "bands", bands);
	return o;
}

static json_t *
queues_arr(void)
{
	json_t *a = json_array(), *o;
	int i, n = metrics_nlabels(M_QUEUE_DEPTH), li;
	const char *name;

	for (i = 0; i < n; i++) {
		o = json_object();
		name = metrics_label_name(M_QUEUE_DEPTH, i);
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "depth",
		    json_integer((json_int_t)metrics_gauge(M_QUEUE_DEPTH, i)));
		li = metrics_label_find(M_QUEUE_PEAK, name);
		json_object_set_new(o, "peak",
		    json_integer((json_int_t)metrics_gauge(M_QUEUE_PEAK, li)));
		li = metrics_label_find(M_QUEUE_CAPACITY, name);
		json_object_set_new(o, "capacity",
		    json_real(metrics_gauge(M_QUEUE_CAPACITY, li)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
process_obj(void)
{
	json_t *o = json_object();
	int64_t now = time_wall_micros() / 1000000;

	json_object_set_new(o, "rss_bytes",
	    json_integer((json_int_t)metrics_gauge(M_PROCESS_RSS, 0)));
	json_object_set_new(o, "open_fds",
	    json_integer((json_int_t)metrics_gauge(M_PROCESS_FDS, 0)));
	json_object_set_new(o, "threads",
	    json_integer((json_int_t)metrics_gauge(M_PROCESS_THREADS, 0)));
	json_object_set_new(o, "uptime_s",
	    json_integer(
		now - (json_int_t)metrics_gauge(M_PROCESS_START_TIME, 0)));
	json_object_set_new(o, "time", json_integer(now));
	return o;
}

char *
rpc_status_json(void)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "chain", chain_obj());
	json_object_set_new(o, "blocks", blocks_arr());
	json_object_set_new(o, "peers", peers_arr());
	json_object_set_new(o, "mempool", mempool_obj());
	json_object_set_new(o, "queues", queues_arr());
	json_object_set_new(o, "process", process_obj());
	s = rpc_json_dumps(o, 0);
	json_decref(o);
	return s;
}
