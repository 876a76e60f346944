#!/usr/bin/env python3
"""-metricsbind: Prometheus /metrics, /status.json, access rules, bad values.

- Every line of /metrics parses with a strict parser of the text exposition
  format (HELP and TYPE once per family and before its samples, samples of a
  family together, label syntax and escapes, histogram buckets cumulative and
  ending with +Inf equal to _count, no duplicate series).
- Every family served is listed in doc/metrics.md with the same type, and
  every family listed there is served.
- Counters move: mining blocks (height, blocks connected, validation time,
  store commits), a transaction sent and one refused (mempool), a peer that
  connects and leaves (peers by type, messages by type, handshake), RPC calls
  and a wrong password.
- /status.json reflects the same, 404 and 405 for other paths and methods.
- With -metricsallowip=127.0.0.1 a client at 127.0.0.2 gets 403 and one at
  127.0.0.1 gets 200; by default all of 127.0.0.0/8 is allowed.
- Off by default; bad -metricsbind and -metricsallowip values stop start-up
  with one line.
"""

import base64
import http.client
import json
import math
import os
import re
import socket

from test_framework.address import ADDRESS_BCRT1_UNSPENDABLE
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, rpc_port, spare_port
from test_framework.wallet import MiniWallet

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = os.path.join(REPO, "doc", "metrics.md")

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(r"^(%s)(\{(?:%s=%s(?:,%s=%s)*)?\})? (\S+)( -?\d+)?$" % (NAME, LABEL, LVALUE, LABEL, LVALUE))
LABEL_RE = re.compile(r"(%s)=(%s)" % (LABEL, LVALUE))
HELP_RE = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
HIST_SUFFIXES = ("_bucket", "_sum", "_count")


def unescape(v):
    out, i = [], 1
    while i < len(v) - 1:
        c = v[i]
        if c == "\\":
            out.append({"\\": "\\", '"': '"', "n": "\n"}[v[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_value(s):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", s), "bad value %r" % s
    return float(s)


def parse_exposition(text):
    """Parses Prometheus text format strictly; returns {family: {"type", "help", "samples": {(name, labels): value}}}."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    families = {}
    order = []          # families in the order their samples appear
    current = None
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d: %r" % (n, line)
        assert line != "", where + ": empty line"
        if line.startswith("#"):
            m = HELP_RE.match(line) or TYPE_RE.match(line)
            assert m, where + ": comment is neither HELP nor TYPE"
            fam = families.setdefault(m.group(1), {"type": None, "help": None, "samples": {}})
            key = "help" if line.startswith("# HELP") else "type"
            assert fam[key] is None, where + ": second %s for %s" % (key, m.group(1))
            assert not fam["samples"], where + ": %s after samples" % key
            fam[key] = m.group(2)
            current = m.group(1)
            continue
        m = SAMPLE_RE.match(line)
        assert m, where + ": not a sample line"
        name, labels_text, value = m.group(1), m.group(2), parse_value(m.group(3))
        labels = tuple(sorted((k, unescape(v)) for k, v in LABEL_RE.findall(labels_text or "")))
        assert len(set(k for k, _ in labels)) == len(labels), where + ": repeated label"
        fam_name = name
        if current and families[current]["type"] == "histogram" and name.startswith(current) \
                and name[len(current):] in HIST_SUFFIXES:
            fam_name = current
        assert fam_name == current, where + ": sample outside its family's block (family %s)" % current
        fam = families[fam_name]
        assert fam["type"] is not None, where + ": sample before TYPE"
        if fam_name not in order:
            order.append(fam_name)
        key = (name, labels)
        assert key not in fam["samples"], where + ": duplicate series"
        fam["samples"][key] = value
        if fam["type"] == "counter":
            assert value >= 0 and not math.isnan(value), where + ": negative counter"
    for name, fam in families.items():
        assert fam["type"] is not None and fam["help"] is not None, "%s lacks HELP or TYPE" % name
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
        else:
            assert all(k[0] == name for k in fam["samples"]), name
    return families


def check_histogram(name, samples):
    series = {}
    for (sname, labels), v in samples.items():
        suffix = sname[len(name):]
        assert suffix in HIST_SUFFIXES, "%s: bad histogram sample %s" % (name, sname)
        base = tuple(kv for kv in labels if kv[0] != "le")
        s = series.setdefault(base, {"buckets": [], "sum": None, "count": None})
        if suffix == "_bucket":
            le = dict(labels).get("le")
            assert le is not None, "%s: bucket without le" % name
            s["buckets"].append((parse_value(le), v))
        else:
            assert "le" not in dict(labels), "%s: le on %s" % (name, suffix)
            s[suffix[1:]] = v
    for base, s in series.items():
        assert s["sum"] is not None and s["count"] is not None, "%s%s lacks _sum or _count" % (name, base)
        bounds = [b for b, _ in s["buckets"]]
        assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), "%s: buckets out of order" % name
        assert bounds and bounds[-1] == float("inf"), "%s: no +Inf bucket" % name
        counts = [c for _, c in s["buckets"]]
        assert counts == sorted(counts), "%s%s: buckets not cumulative: %s" % (name, base, counts)
        assert counts[-1] == s["count"], "%s%s: +Inf %s != _count %s" % (name, base, counts[-1], s["count"])


def documented():
    """{name: type} from doc/metrics.md's table."""
    out = {}
    with open(DOC, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `(bitroot_[a-z0-9_]+)` \| (counter|gauge|histogram) \|", line)
            if m:
                assert m.group(1) not in out, "documented twice: " + m.group(1)
                out[m.group(1)] = m.group(2)
    return out


class MetricsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.mport = spare_port(0)
        self.extra_args = [["-metricsbind=127.0.0.1:%d" % self.mport]]

    def http(self, path, *, source="127.0.0.1", method="GET", port=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.mport, timeout=30,
                                          source_address=(source, 0))
        try:
            conn.request(method, path)
            r = conn.getresponse()
            return r.status, r.getheader("Content-Type"), r.read().decode("utf-8")
        finally:
            conn.close()

    def scrape(self):
        status, ctype, body = self.http("/metrics")
        assert_equal(status, 200)
        assert_equal(ctype, "text/plain; version=0.0.4; charset=utf-8")
        return parse_exposition(body)

    @staticmethod
    def value(fams, name, **labels):
        fam_name = name
        for suffix in HIST_SUFFIXES:
            if name.endswith(suffix) and name[:-len(suffix)] in fams:
                fam_name = name[:-len(suffix)]
        key = (name, tuple(sorted(labels.items())))
        return fams[fam_name]["samples"].get(key, 0)

    def run_test(self):
        node = self.nodes[0]
        self.check_format_and_doc()
        self.check_chain(node)
        self.check_mempool(node)
        self.check_peers(node)
        self.check_rpc(node)
        self.check_other_families()
        self.check_status_json(node)
        self.check_paths()
        self.check_access(node)
        self.check_bad_values(node)

    def check_format_and_doc(self):
        self.log.info("/metrics parses strictly; served families and doc/metrics.md agree")
        fams = self.scrape()
        served = {name: f["type"] for name, f in fams.items()}
        doc = documented()
        assert_equal(sorted(set(served) - set(doc)), [])
        assert_equal(sorted(set(doc) - set(served)), [])
        for name, typ in served.items():
            assert_equal((name, typ), (name, doc[name]))
            if typ == "counter":
                assert name.endswith("_total"), name

    def check_chain(self, node):
        self.log.info("Mining moves the chain and store metrics")
        before = self.scrape()
        self.wallet = MiniWallet(node)
        self.wallet.generate(COINBASE_MATURITY + 5)
        after = self.scrape()
        n = COINBASE_MATURITY + 5
        assert_equal(self.value(after, "bitroot_chain_height"), node.getblockcount())
        assert_equal(self.value(after, "bitroot_chain_headers"), node.getblockcount())
        assert_equal(self.value(after, "bitroot_chain_blocks_connected_total") -
                     self.value(before, "bitroot_chain_blocks_connected_total"), n)
        assert_equal(self.value(after, "bitroot_chain_block_validation_seconds_count") -
                     self.value(before, "bitroot_chain_block_validation_seconds_count"), n)
        assert self.value(after, "bitroot_chain_block_validation_seconds_sum") > 0
        assert self.value(after, "bitroot_store_commit_seconds_count") >= \
            self.value(before, "bitroot_store_commit_seconds_count") + n
        assert self.value(after, "bitroot_store_used_bytes") > 0
        assert self.value(after, "bitroot_store_map_size_bytes") >= self.value(after, "bitroot_store_used_bytes")
        tip = node.getblockheader(node.getbestblockhash())
        assert_equal(self.value(after, "bitroot_chain_tip_time_seconds"), tip["time"])
        info = node.getblockchaininfo()
        assert_equal(self.value(after, "bitroot_chain_initial_block_download"), 1 if info["initialblockdownload"] else 0)
        assert 0 < self.value(after, "bitroot_chain_verification_progress") <= 1

        self.log.info("A reorganisation is counted (invalidateblock alone is not one)")
        tip_hash = node.getbestblockhash()
        node.invalidateblock(tip_hash)
        gone = self.scrape()
        assert_equal(self.value(gone, "bitroot_chain_blocks_disconnected_total") -
                     self.value(after, "bitroot_chain_blocks_disconnected_total"), 1)
        assert_equal(self.value(gone, "bitroot_chain_height"), node.getblockcount())
        # A sibling of the old tip, then the old tip back with equal work:
        # the node switches back (reconsiderblock, as Core, prefers the
        # block it had first; else preciousblock), disconnecting the sibling.
        self.generate(node, 1, address=ADDRESS_BCRT1_UNSPENDABLE)
        assert node.getbestblockhash() != tip_hash
        node.reconsiderblock(tip_hash)
        if node.getbestblockhash() != tip_hash:
            node.preciousblock(tip_hash)
        assert_equal(node.getbestblockhash(), tip_hash)
        again = self.scrape()
        assert_equal(self.value(again, "bitroot_chain_reorgs_total") - self.value(gone, "bitroot_chain_reorgs_total"), 1)
        assert_equal(self.value(again, "bitroot_chain_blocks_disconnected_total") -
                     self.value(gone, "bitroot_chain_blocks_disconnected_total"), 1)
        self.wallet.rescan_utxos()

    def check_mempool(self, node):
        self.log.info("A transaction accepted and one refused move the mempool metrics")
        before = self.scrape()
        tx = self.wallet.send_self_transfer(from_node=node, fee_rate=25000)   # 25 sat/vB
        after = self.scrape()
        assert_equal(self.value(after, "bitroot_mempool_accepted_total") -
                     self.value(before, "bitroot_mempool_accepted_total"), 1)
        assert_equal(self.value(after, "bitroot_mempool_transactions"), 1)
        assert_equal(self.value(after, "bitroot_mempool_bytes"), node.getmempoolinfo()["bytes"])
        assert_equal(self.value(after, "bitroot_mempool_band_transactions", band="20-50"), 1)
        assert_equal(self.value(after, "bitroot_mempool_band_vbytes", band="20-50"), tx["tx"].get_vsize())
        total = sum(v for (n, _), v in after["bitroot_mempool_band_transactions"]["samples"].items())
        assert_equal(total, 1)

        low = self.wallet.create_self_transfer(fee_rate=0)
        try:
            node.sendrawtransaction(low["hex"])
            raise AssertionError("a zero-fee transaction was accepted")
        except Exception as e:  # noqa: BLE001 -- the RPC error is what we expect
            assert "min relay fee not met" in str(e), e
        refused = self.scrape()
        assert_equal(self.value(refused, "bitroot_mempool_rejected_total", reason="min relay fee not met") -
                     self.value(after, "bitroot_mempool_rejected_total", reason="min relay fee not met"), 1)

        self.log.info("Mining the transaction empties the bands")
        self.generate(node, 1)
        mined = self.scrape()
        assert_equal(self.value(mined, "bitroot_mempool_transactions"), 0)
        assert_equal(self.value(mined, "bitroot_mempool_band_transactions", band="20-50"), 0)
        assert_equal(self.value(mined, "bitroot_mempool_band_vbytes", band="20-50"), 0)
        assert self.value(mined, "bitroot_chain_transactions_connected_total") >= \
            self.value(after, "bitroot_chain_transactions_connected_total") + 2

    def check_peers(self, node):
        self.log.info("A peer that connects and leaves moves the peer metrics")
        before = self.scrape()
        peer = node.add_p2p_connection(P2PInterface())
        peer.sync_with_ping()
        self.wait_until(lambda: self.value(self.scrape(), "bitroot_peers", conn_type="inbound") == 1)
        after = self.scrape()
        for name, labels in (("bitroot_peer_connections_total", {"conn_type": "inbound"}),
                             ("bitroot_peer_handshake_seconds_count", {}),
                             ("bitroot_peer_received_messages_total", {"msgtype": "version"}),
                             ("bitroot_peer_received_messages_total", {"msgtype": "verack"}),
                             ("bitroot_peer_sent_messages_total", {"msgtype": "version"})):
            assert_equal((name, labels, self.value(after, name, **labels) - self.value(before, name, **labels)),
                         (name, labels, 1))
        assert self.value(after, "bitroot_peer_received_bytes_total", msgtype="version") >= \
            self.value(before, "bitroot_peer_received_bytes_total", msgtype="version") + 24 + 80
        assert self.value(after, "bitroot_peer_received_messages_total", msgtype="ping") >= \
            self.value(before, "bitroot_peer_received_messages_total", msgtype="ping") + 1
        node.disconnect_p2ps()
        self.wait_until(lambda: self.value(self.scrape(), "bitroot_peers", conn_type="inbound") == 0)
        gone = self.scrape()
        assert_equal(self.value(gone, "bitroot_peer_disconnections_total", conn_type="inbound") -
                     self.value(before, "bitroot_peer_disconnections_total", conn_type="inbound"), 1)

        self.log.info("setban counts a ban")
        node.setban("10.9.8.7", "add")
        assert_equal(self.value(self.scrape(), "bitroot_peer_bans_total") -
                     self.value(gone, "bitroot_peer_bans_total"), 1)
        node.setban("10.9.8.7", "remove")

    def check_rpc(self, node):
        self.log.info("RPC calls and a wrong password are counted")
        before = self.scrape()
        for _ in range(3):
            node.getblockcount()    # the fast path
        node.getmempoolinfo()       # a worker
        after = self.scrape()
        assert_equal(self.value(after, "bitroot_rpc_requests_total", method="getblockcount") -
                     self.value(before, "bitroot_rpc_requests_total", method="getblockcount"), 3)
        assert_equal(self.value(after, "bitroot_rpc_request_seconds_count", method="getblockcount") -
                     self.value(before, "bitroot_rpc_request_seconds_count", method="getblockcount"), 3)
        assert self.value(after, "bitroot_rpc_requests_total", method="getmempoolinfo") >= 1
        conn = http.client.HTTPConnection("127.0.0.1", rpc_port(0), timeout=30)
        auth = base64.b64encode(b"nobody:wrong").decode()
        conn.request("POST", "/", body='{"method":"getblockcount"}',
                     headers={"Authorization": "Basic " + auth})
        assert_equal(conn.getresponse().status, 401)
        conn.close()
        assert_equal(self.value(self.scrape(), "bitroot_rpc_auth_failures_total") -
                     self.value(after, "bitroot_rpc_auth_failures_total"), 1)

    def check_other_families(self):
        self.log.info("Queues and the process are reported")
        fams = self.scrape()
        for q in ("net", "validation-net", "validation-rpc", "mempool-tx", "mempool-ctl", "rpc work"):
            assert self.value(fams, "bitroot_queue_capacity", queue=q) >= 1, q
            assert ("bitroot_queue_depth", (("queue", q),)) in fams["bitroot_queue_depth"]["samples"], q
        assert self.value(fams, "bitroot_queue_depth_peak", queue="mempool-ctl") >= 1
        assert self.value(fams, "bitroot_process_resident_memory_bytes") > 1e6
        assert self.value(fams, "bitroot_process_open_fds") >= 5
        assert self.value(fams, "bitroot_process_threads") >= 5
        assert self.value(fams, "bitroot_process_start_time_seconds") > 1.6e9
        assert self.value(fams, "bitroot_metrics_http_requests_total", path="/metrics") >= 10

    def check_status_json(self, node):
        self.log.info("/status.json says what the page shows")
        status, ctype, body = self.http("/status.json")
        assert_equal((status, ctype), (200, "application/json"))
        s = json.loads(body)
        assert_equal(sorted(s), ["blocks", "chain", "mempool", "peers", "process", "queues"])
        assert_equal(s["chain"]["height"], node.getblockcount())
        assert_equal(s["blocks"][0]["height"], node.getblockcount())
        assert_equal(s["blocks"][0]["hash"], node.getbestblockhash())
        assert s["blocks"][0]["validation_ms"] > 0
        assert_equal([b["height"] for b in s["blocks"]],
                     list(range(node.getblockcount(), node.getblockcount() - len(s["blocks"]), -1)))
        assert_equal([b["band"] for b in s["mempool"]["bands"]],
                     ["0-1", "1-2", "2-5", "5-10", "10-20", "20-50", "50-100", "100+"])
        assert "net" in [q["name"] for q in s["queues"]]
        node.add_p2p_connection(P2PInterface())
        want = [p["id"] for p in node.getpeerinfo()]
        # The net thread publishes the list at most once a second.
        self.wait_until(lambda: [p["id"] for p in json.loads(self.http("/status.json")[2])["peers"]] == want)
        p = json.loads(self.http("/status.json")[2])["peers"][0]
        assert_equal((p["inbound"], p["conn_type"], p["transport"]), (True, "inbound", "v1"))
        assert p["bytes_recv"] > 0 and p["bytes_sent"] > 0
        node.disconnect_p2ps()

    def check_paths(self):
        self.log.info("The page, unknown paths and methods")
        status, ctype, body = self.http("/")
        assert_equal((status, ctype), (200, "text/html; charset=utf-8"))
        assert '<meta name="viewport"' in body and "status.json" in body
        # Self-contained: no external script, style or image.
        assert not re.search(r'(src|href)="(https?:)?//', body), "external asset in the page"
        assert_equal(self.http("/metricsx")[0], 404)
        assert_equal(self.http("/metrics?x=1")[0], 200)
        assert_equal(self.http("/metrics", method="POST")[0], 405)
        assert_equal(self.http("/metrics", method="HEAD")[0], 200)

    def check_access(self, node):
        self.log.info("By default all of 127.0.0.0/8 may scrape")
        assert_equal(self.http("/metrics", source="127.0.0.2")[0], 200)

        self.log.info("-metricsallowip=127.0.0.1 refuses 127.0.0.2")
        self.restart_node(0, extra_args=["-metricsbind=127.0.0.1:%d" % self.mport, "-metricsallowip=127.0.0.1"])
        status, _, body = self.http("/metrics", source="127.0.0.2")
        assert_equal((status, body), (403, "Forbidden\n"))
        assert_equal(self.http("/", source="127.0.0.2")[0], 403)
        fams = self.scrape()
        assert_equal(self.value(fams, "bitroot_metrics_http_refused_total"), 2)

        self.log.info("A bare port binds loopback")
        self.restart_node(0, extra_args=["-metricsbind=%d" % self.mport])
        assert_equal(self.http("/metrics")[0], 200)
        with open(node.debug_log_path, encoding="utf-8", errors="replace") as f:
            assert "Binding metrics on address 127.0.0.1 port %d" % self.mport in f.read()

        self.log.info("Off by default")
        self.restart_node(0, extra_args=[])
        try:
            self.http("/metrics")
            raise AssertionError("something answered on the metrics port without -metricsbind")
        except ConnectionRefusedError:
            pass
        node.stop_node()

    def check_bad_values(self, node):
        self.log.info("Bad values stop start-up with one line")
        for arg, msg in (
            ("-metricsbind=127.0.0.1", "Error: Invalid -metricsbind value '127.0.0.1': expected PORT, "
             "ADDR:PORT or [IPV6]:PORT with a port from 1 to 65535"),
            ("-metricsbind=70000", "Error: Invalid -metricsbind value '70000': expected PORT, "
             "ADDR:PORT or [IPV6]:PORT with a port from 1 to 65535"),
            ("-metricsbind=localhost:port", "Error: Invalid -metricsbind value 'localhost:port': expected "
             "PORT, ADDR:PORT or [IPV6]:PORT with a port from 1 to 65535"),
            ("-metricsbind=[::1:%d" % self.mport, "Error: Invalid -metricsbind value '[::1:%d': expected PORT, "
             "ADDR:PORT or [IPV6]:PORT with a port from 1 to 65535" % self.mport),
        ):
            node.assert_start_raises_init_error([arg], msg)
        node.assert_start_raises_init_error(
            ["-metricsbind=%d" % self.mport, "-metricsallowip=127.0.0.1/33"],
            "Error: Invalid -metricsallowip subnet specification: 127.0.0.1/33. Valid values are a single IP "
            "(e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0) or a network/CIDR (e.g. 1.2.3.4/24).")
        self.log.info("A port in use stops start-up too")
        blocker = socket.socket()
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", self.mport))
        blocker.listen(1)
        try:
            node.assert_start_raises_init_error(
                ["-metricsbind=%d" % self.mport],
                "Error: Unable to bind the metrics listener on 127.0.0.1 port %d" % self.mport)
        finally:
            blocker.close()


if __name__ == "__main__":
    MetricsTest(__file__).main()
