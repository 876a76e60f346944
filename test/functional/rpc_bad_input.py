#!/usr/bin/env python3
"""The RPC server under hostile or clumsy clients: it answers each with an
error and goes on answering everyone else, with bounded memory.

- malformed JSON bodies (-32700, HTTP 500 as Core's legacy replies);
- a 33 MB body (413) and a body just under the limit's order of a few MB;
- deeply nested arrays and objects: Core's limit of 512 levels, and far
  beyond it;
- 1,000 connections held open at once: another client is still answered,
  then every one of the 1,000 gets its own answer;
- a client that sends its headers one byte a second (slowloris) while
  others are answered without delay;
- 9 KB of headers (over Core's 8 KB: refused) and 7 KB (accepted);
- pipelined requests answered in order; clients that hang up while a
  worker runs their call; a full work queue (503, Core's text) that drains;
  chunked bodies, one with an absurd chunk size (413);
- the node's VmRSS sampled throughout stays under 200 MB.

Loopback only; every loop is bounded.
"""

import base64
import http.client
import json
import socket
import threading
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_in, process_rss_kb

RSS_LIMIT_KB = 200 * 1024
MANY = 1000
THREADS = 4
DEPTH = 8


class RpcBadInputTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # A small pool so that the work queue can be filled on purpose.
        self.extra_args = [["-rpcthreads=%d" % THREADS, "-rpcworkqueue=%d" % DEPTH]]

    def auth(self):
        user, pw = self.nodes[0].read_cookie()
        return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()

    def post(self, body, *, headers=None, timeout=60):
        """One request on a fresh connection: (status, parsed body or raw bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.nodes[0].rpc_port, timeout=timeout)
        hdrs = {"Authorization": self.auth(), "Content-Type": "application/json"}
        hdrs.update(headers or {})
        try:
            conn.request("POST", "/", body, hdrs)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(data)
        except ValueError:
            return resp.status, data

    def request_bytes(self, body):
        body = body.encode() if isinstance(body, str) else body
        return (("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (self.auth(), len(body)))
                .encode() + body)

    def sample_rss(self):
        kb = process_rss_kb(self.nodes[0].process.pid)
        assert kb is not None, "node process gone"
        self.max_rss = max(self.max_rss, kb)
        assert kb < RSS_LIMIT_KB, "node RSS %d kB over %d kB" % (kb, RSS_LIMIT_KB)

    def alive(self, max_seconds=5.0):
        """A normal client gets the right answer, quickly; memory checked."""
        t0 = time.monotonic()
        status, rep = self.post(json.dumps({"method": "getblockcount", "params": [], "id": 7}), timeout=30)
        took = time.monotonic() - t0
        assert_equal(status, 200)
        assert_equal(rep, {"result": self.height, "error": None, "id": 7})
        assert took < max_seconds * self.options.timeout_factor, "answer took %.2fs" % took
        self.sample_rss()
        return took

    def run_test(self):
        node = self.nodes[0]
        self.max_rss = 0
        self.generate(node, 3)
        self.height = 3
        self.sample_rss()
        self.log.info("node RSS at start: %d kB", self.max_rss)
        self.malformed_json()
        self.big_bodies()
        self.nesting()
        self.many_connections()
        self.slow_headers()
        self.big_headers()
        self.pipelined()
        self.hangups()
        self.full_queue()
        self.chunked()
        self.fuzz_regressions()
        self.log.info("peak node RSS: %d kB (limit %d kB)", self.max_rss, RSS_LIMIT_KB)

    def fuzz_regressions(self):
        """Regressions for what fuzz_jsonrpc and the -rpcallowip check found."""
        self.log.info("fuzz regressions: verbosity range, strict Base64, -rpcallowip prefix")
        tip = self.nodes[0].getbestblockhash()
        for verbosity in ("1e300", "-1e300", "4294967297"):
            status, reply = self.post('{"method":"getblock","params":["%s",%s],"id":1}' % (tip, verbosity))
            assert_equal(reply["error"], {"code": -1, "message": "JSON integer out of range"})
        # Nonzero bits under the padding: "AB==" is not the canonical "AA==".
        user, pw = self.nodes[0].read_cookie()
        good = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
        status, _ = self.post('{"method":"getblockcount","id":1}', headers={"Authorization": "Basic AB=="})
        assert_equal(status, 401)
        status, reply = self.post('{"method":"getblockcount","id":1}', headers={"Authorization": "Basic " + good})
        assert_equal(status, 200)
        self.stop_node(0)
        for spec in ("1.2.3.0/-0", "1.2.3.0/+24", "1.2.3.0/ 24"):
            self.nodes[0].assert_start_raises_init_error(
                ["-rpcallowip=" + spec],
                "Error: Invalid -rpcallowip subnet specification: %s. Valid values are a single IP "
                "(e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR "
                "(e.g. 1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0)." % spec)
        self.start_node(0)

    def malformed_json(self):
        self.log.info("Malformed JSON: -32700 with HTTP 500, each answered")
        for body in (b"{", b"{not json", b'{"method": "getblockcount", "id": 1', b"{}}", b'{"a":1}x',
                     b"[1,]", b'{"method": "getblockcount", "id": 1,}', b"\xff\xfe\x00\x01", b"nul\x00l",
                     b'"\\ud800"', b"", b" ", b"\x00" * 100, b"01", b"NaN"):
            status, rep = self.post(body)
            assert isinstance(rep, dict), "no JSON error reply for %r: %r" % (body, rep)
            assert_equal((status, rep["error"]["code"]), (500, -32700))
            assert_equal(rep["result"], None)
        # A request that parses but is not a request object: -32600.
        for body in (b"42", b'"getblockcount"', b"null", b"true"):
            status, rep = self.post(body)
            assert isinstance(rep, dict), "no JSON error reply for %r" % body
            assert_in(rep["error"]["code"], (-32700, -32600))
        # A number no double holds is still JSON, as for Core's UniValue:
        # the request is answered for what it lacks, its id echoed as sent.
        status, rep = self.post(b'{"id": 1e99999}')
        assert_equal((status, rep["error"]), (400, {"code": -32600, "message": "Missing method"}))
        assert_equal(rep["id"], float("inf"))      # Python reads the echoed 1e99999 so
        self.alive()

    def oversized(self, size):
        """Declares a body of size bytes and streams it unless answered first."""
        s = socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=60)
        try:
            head = self.request_bytes(b"")
            head = head.replace(b"Content-Length: 0", b"Content-Length: %d" % size)
            s.sendall(head)
            s.settimeout(3)
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = b""
            if not data:
                s.settimeout(60)
                chunk = b" " * 65536
                sent = 0
                try:
                    while sent < size:
                        n = min(len(chunk), size - sent)
                        s.sendall(chunk[:n])
                        sent += n
                        if sent % (4 << 20) == 0:
                            self.sample_rss()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                try:
                    data = s.recv(4096)
                except (ConnectionResetError, socket.timeout):
                    data = b""
        finally:
            s.close()
        assert data.startswith(b"HTTP/1."), "no HTTP answer to a %d-byte body: %r" % (size, data[:80])
        return int(data.split()[1])

    def big_bodies(self):
        self.log.info("33 MB body: 413; a 4 MB valid request is answered")
        assert_equal(self.oversized(33 * 1024 * 1024), 413)
        self.alive()
        # Within the limit: a 4 MB string parameter, echoed back.
        big = "a" * (4 << 20)
        status, rep = self.post(json.dumps({"method": "echo", "params": [big], "id": 1}))
        assert_equal(status, 200)
        assert_equal(len(rep["result"][0]), len(big))
        self.sample_rss()
        # 2,000 requests in one batch.
        status, rep = self.post(json.dumps([{"method": "getblockcount", "id": i} for i in range(2000)]))
        assert_equal(status, 200)
        assert_equal([r["result"] for r in rep], [self.height] * 2000)
        assert_equal([r["id"] for r in rep], list(range(2000)))
        self.alive()

    def nesting(self):
        self.log.info("Deeply nested arrays and objects")
        for depth in (10000, 100000, 1000000):
            for opener, closer in (("[", "]"), ('{"a":', "}")):
                body = '{"method": "echojson", "params": [%s1%s], "id": 1}' % (opener * depth, closer * depth)
                status, rep = self.post(body)
                assert isinstance(rep, dict), "no JSON reply to %d-deep nesting: %r" % (depth, rep[:80])
                assert_equal((status, rep["error"]["code"]), (500, -32700))
                self.alive()
        # The whole body an array nested a million deep.
        status, rep = self.post("[" * 1000000)
        assert_equal(status, 500)
        # Core's limit: 512 nested arrays and objects in the whole body (the
        # request object and its params array count). Brackets inside strings
        # do not count.
        for depth, ok in ((510, True), (511, False), (2000, False)):
            nested = "[" * depth + "1" + "]" * depth
            status, rep = self.post('{"method": "echojson", "params": [%s, "%s"], "id": 1}' %
                                    (nested, "[[[[{{{{" * 100))
            if ok:
                assert_equal(status, 200)
                assert_equal(rep["result"], [json.loads(nested), "[[[[{{{{" * 100])
            else:
                assert_equal((status, rep["error"]["code"]), (500, -32700))
            self.alive()

    def many_connections(self):
        self.log.info("%d connections open at once", MANY)
        socks = []
        try:
            for i in range(MANY):
                socks.append(socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=60))
                if i % 250 == 249:
                    self.sample_rss()
            took = self.alive(max_seconds=5)
            self.log.info("with %d idle connections another client was answered in %.3fs", MANY, took)
            # Every one of them now asks, and every one is answered.
            req = self.request_bytes(json.dumps({"method": "getblockcount", "params": [], "id": 1}))
            for s in socks:
                s.sendall(req)
            for i, s in enumerate(socks):
                data = b""
                while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                assert data.startswith(b"HTTP/1.1 200"), "connection %d: %r" % (i, data[:80])
                assert data.rstrip().endswith(b'{"result":%d,"error":null,"id":1}' % self.height), data[-80:]
                if i % 250 == 249:
                    self.sample_rss()
        finally:
            for s in socks:
                s.close()
        self.alive()
        # After they are gone the server still accepts a second wave.
        socks = [socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=60) for _ in range(200)]
        for s in socks:
            s.close()
        self.alive()

    def slow_headers(self):
        self.log.info("A client sends its headers one byte a second; others are answered meanwhile")
        req = self.request_bytes(json.dumps({"method": "getblockcount", "params": [], "id": 1}))
        stop = threading.Event()
        sent = [0]
        errors = []

        def drip():
            try:
                s = socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=60)
            except OSError as e:
                errors.append(e)
                return
            try:
                for b in req[:40]:
                    if stop.is_set():
                        break
                    s.sendall(bytes([b]))
                    sent[0] += 1
                    stop.wait(1.0)
            except OSError:
                pass    # the server may close a connection that slow
            finally:
                s.close()

        t = threading.Thread(target=drip)
        t.start()
        try:
            worst = 0
            deadline = time.monotonic() + 12
            n = 0
            while time.monotonic() < deadline:
                worst = max(worst, self.alive(max_seconds=2))
                n += 1
                time.sleep(0.1)
            self.log.info("%d answers while dripping %d header bytes, slowest %.3fs", n, sent[0], worst)
            assert_greater_than(sent[0], 8)
            assert_greater_than(n, 20)
        finally:
            stop.set()
            t.join(timeout=10)
        assert not errors, errors

    def big_headers(self):
        self.log.info("9 KB of headers: refused (limit 8 KB); 7 KB: answered")
        try:
            status, _ = self.post(json.dumps({"method": "getblockcount", "id": 1}),
                                  headers={"X-Filler": "a" * 9216})
            assert 400 <= status < 500, status
        except (ConnectionError, http.client.HTTPException):
            pass    # a closed connection is Core's answer too
        self.alive()
        # Many small headers adding up to 9 KB are refused the same way.
        many = {"X-F%03d" % i: "b" * 80 for i in range(100)}
        try:
            status, _ = self.post(json.dumps({"method": "getblockcount", "id": 1}), headers=many)
            assert 400 <= status < 500, status
        except (ConnectionError, http.client.HTTPException):
            pass
        self.alive()
        status, rep = self.post(json.dumps({"method": "getblockcount", "params": [], "id": 2}),
                                headers={"X-Filler": "a" * 7168})
        assert_equal((status, rep["result"]), (200, self.height))
        self.alive()

    def read_replies(self, s, n, timeout=30):
        """n HTTP replies from one socket: [(status, body bytes)]."""
        s.settimeout(timeout)
        buf = b""
        out = []
        while len(out) < n:
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                assert chunk, "connection closed after %d replies" % len(out)
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            length = [int(h.split(b":")[1]) for h in lines[1:] if h.lower().startswith(b"content-length:")][0]
            while len(buf) < length:
                chunk = s.recv(65536)
                assert chunk, "connection closed inside a reply"
                buf += chunk
            out.append((int(lines[0].split()[1]), buf[:length]))
            buf = buf[length:]
        return out

    def pipelined(self):
        self.log.info("Pipelined requests (a worker call between inline ones) come back in order")
        genesis = self.nodes[0].getblockhash(0)
        calls = [("getblockcount", []), ("getblock", [genesis]), ("getchaintips", []), ("getbestblockhash", []),
                 ("getblockcount", [])]
        data = b"".join(self.request_bytes(json.dumps({"method": m, "params": p, "id": i}))
                        for i, (m, p) in enumerate(calls))
        with socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=30) as s:
            s.sendall(data)
            replies = self.read_replies(s, len(calls))
        assert_equal([st for st, _ in replies], [200] * len(calls))
        reps = [json.loads(b) for _, b in replies]
        assert_equal([r["id"] for r in reps], list(range(len(calls))))
        assert_equal(reps[1]["result"]["hash"], genesis)
        self.alive()

    def hangups(self):
        self.log.info("Clients hang up while workers run their calls")
        for _ in range(2 * THREADS):
            s = socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=30)
            s.sendall(self.request_bytes(json.dumps({"method": "waitfornewblock", "params": [1000], "id": 1})))
            time.sleep(0.02)
            s.close()
        self.alive()
        # The workers come back: a worker call is answered once they are done.
        t0 = time.monotonic()
        status, rep = self.post(json.dumps({"method": "getchaintips", "id": 1}), timeout=30)
        assert_equal(status, 200)
        assert_equal(rep["result"][0]["height"], self.height)
        assert time.monotonic() - t0 < 10 * self.options.timeout_factor

    def full_queue(self):
        n = THREADS + DEPTH + 8
        self.log.info("%d slow calls at once on %d workers, queue %d: 503 for the overflow", n, THREADS, DEPTH)
        socks = [socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=60) for _ in range(n)]
        try:
            for s in socks:
                s.sendall(self.request_bytes(json.dumps({"method": "waitfornewblock", "params": [2000], "id": 1})))
            # Inline calls are not held up by a full queue.
            self.alive(max_seconds=1)
            replies = [self.read_replies(s, 1, timeout=60)[0] for s in socks]
        finally:
            for s in socks:
                s.close()
        busy = [b for st, b in replies if st == 503]
        done = [json.loads(b) for st, b in replies if st == 200]
        assert_equal(len(busy) + len(done), n)
        assert_greater_than(len(busy), 0)
        # At least the queue's depth is taken; up to that plus the workers,
        # depending on how fast the workers pick jobs up.
        assert DEPTH <= len(done) <= DEPTH + THREADS, len(done)
        assert_in(b"Work queue depth exceeded", busy[0])
        assert_equal([r["result"]["height"] for r in done], [self.height] * len(done))
        self.log.info("%d answered, %d refused with 503", len(done), len(busy))
        status, rep = self.post(json.dumps({"method": "getchaintips", "id": 1}))
        assert_equal(status, 200)
        self.alive()

    def chunked(self):
        self.log.info("Chunked bodies: a valid one is answered, an absurd chunk size is refused")
        body = json.dumps({"method": "getblockcount", "params": [], "id": 5}).encode()
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                "Transfer-Encoding: chunked\r\n\r\n" % self.auth()).encode()
        with socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=30) as s:
            s.sendall(head + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
            (status, rep), = self.read_replies(s, 1)
        assert_equal((status, json.loads(rep)["result"]), (200, self.height))
        with socket.create_connection(("127.0.0.1", self.nodes[0].rpc_port), timeout=30) as s:
            s.sendall(head + b"ffffffffff\r\n" + b"a" * 1000)
            s.settimeout(30)
            data = s.recv(4096)
        assert data.startswith(b"HTTP/1.1 413"), data[:80]
        self.sample_rss()
        self.alive()


if __name__ == "__main__":
    RpcBadInputTest(__file__).main()
