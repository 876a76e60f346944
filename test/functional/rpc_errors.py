#!/usr/bin/env python3
"""JSON-RPC errors and transport rules, as Bitcoin Core answers them.

- Error codes and messages for unknown methods, wrong parameter types and
  counts, bad hashes and hex, unknown or doubled named parameters.
- JSON-RPC 1.0 replies (result and error both present; HTTP 404 for an
  unknown method, 500 for a parse error) and 2.0 replies (HTTP 200 even for
  errors, "jsonrpc" echoed, "error" omitted on success), batches and 2.0
  notifications (HTTP 204).
- Malformed requests: not JSON, not an object, bad params or method, deeply
  nested arrays, a 33 MB body (413), oversized headers, a GET: each gets an
  error and the server goes on answering.
"""

import base64
import http.client
import json
import socket

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import REGTEST_GENESIS_HASH, assert_equal, assert_in, assert_raises_rpc_error


class RpcErrorsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def raw(self, body, *, method="POST", headers=None, timeout=60):
        node = self.nodes[0]
        user, pw = node.read_cookie()
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=timeout)
        hdrs = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode(),
                "Content-Type": "application/json"}
        hdrs.update(headers or {})
        try:
            conn.request(method, "/", body, hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def oversized_post(self, size):
        """Status of a POST declaring (and, unless answered first, sending) a body of size bytes.

        A server may answer 413 as soon as it has read the headers and close
        the connection; the body is only streamed if no answer came, and a
        broken pipe while streaming is expected.
        """
        node = self.nodes[0]
        user, pw = node.read_cookie()
        auth = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
        s = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=60)
        try:
            s.sendall(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (auth, size)).encode())
            s.settimeout(5)
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = b""
                s.settimeout(60)
                chunk = b" " * 65536
                sent = 0
                try:
                    while sent < size:
                        n = min(len(chunk), size - sent)
                        s.sendall(chunk[:n])
                        sent += n
                except (BrokenPipeError, ConnectionResetError):
                    pass
                try:
                    data = s.recv(4096)
                except (ConnectionResetError, socket.timeout):
                    data = b""
        finally:
            s.close()
        if not data.startswith(b"HTTP/1."):
            raise AssertionError("no HTTP answer to an oversized body: %r" % data[:100])
        return int(data.split(b" ", 2)[1])

    def raw_json(self, obj_or_text, **kw):
        body = obj_or_text if isinstance(obj_or_text, (str, bytes)) else json.dumps(obj_or_text)
        status, headers, data = self.raw(body, **kw)
        return status, (json.loads(data) if data else None)

    def still_alive(self):
        assert_equal(self.nodes[0].getblockcount(), 0)

    def run_test(self):
        node = self.nodes[0]

        self.log.info("Method and parameter errors")
        assert_raises_rpc_error(-32601, "Method not found", node.nosuchmethod)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, -1)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, 100000)
        assert_raises_rpc_error(-3, None, node.getblockhash, "x")
        assert_raises_rpc_error(-3, None, node.getblock, 123)
        assert_raises_rpc_error(-5, "Block not found", node.getblock, "00" * 32)
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, "11" * 32)
        assert_raises_rpc_error(-8, "must be of length 64 (not 2, for 'zz')", node.getblock, "zz")
        assert_raises_rpc_error(-8, "must be hexadecimal string", node.getblock, "g" * 64)
        assert_raises_rpc_error(-8, "must be of length 64", node.gettxout, "00", 0)
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "00")
        assert_raises_rpc_error(-22, None, node.submitblock, "zz")
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "00ff")
        assert_raises_rpc_error(-8, None, node.setmocktime, -1)
        assert_raises_rpc_error(-1, None, node.getblockcount, 1)          # too many parameters
        assert_raises_rpc_error(-1, None, node.getblockhash)              # too few
        assert_raises_rpc_error(-8, "Unknown named parameter foo", node.getblockhash, foo=1)
        assert_raises_rpc_error(-8, "specified twice", node.getblockhash, 0, height=0)
        assert_equal(node.getblockhash(height=0), REGTEST_GENESIS_HASH)
        assert_raises_rpc_error(-5, None, node.generatetoaddress, 1, "notanaddress")
        assert_raises_rpc_error(-5, None, node.generatetoaddress, 1, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        help_text = node.help("nosuchcommand")
        assert help_text.startswith("help: unknown command: nosuchcommand"), help_text
        assert_in("getblockcount", node.help())
        assert_in("getblockcount", node.help("getblockcount"))

        self.log.info("JSON-RPC 1.0 replies")
        status, rep = self.raw_json({"method": "getblockcount", "params": [], "id": 7})
        assert_equal(status, 200)
        assert_equal(rep, {"result": 0, "error": None, "id": 7})
        status, rep = self.raw_json({"method": "nosuch", "params": [], "id": "x"})
        assert_equal(status, 404)
        assert_equal(rep["result"], None)
        assert_equal(rep["error"]["code"], -32601)
        assert_equal(rep["id"], "x")
        status, rep = self.raw_json({"method": "getblockhash", "params": [-1], "id": 1})
        assert_equal(status, 500)
        assert_equal(rep["error"]["code"], -8)

        self.log.info("JSON-RPC 2.0 replies")
        status, rep = self.raw_json({"jsonrpc": "2.0", "method": "getblockcount", "params": [], "id": 8})
        assert_equal(status, 200)
        assert_equal(rep, {"jsonrpc": "2.0", "result": 0, "id": 8})
        status, rep = self.raw_json({"jsonrpc": "2.0", "method": "nosuch", "id": 9})
        assert_equal(status, 200)
        assert_equal(rep["jsonrpc"], "2.0")
        assert_equal(rep["error"]["code"], -32601)
        assert "result" not in rep
        assert_equal(rep["id"], 9)

        self.log.info("Batches and notifications")
        status, rep = self.raw_json([
            {"jsonrpc": "2.0", "method": "getblockcount", "id": 1},
            {"jsonrpc": "2.0", "method": "nosuch", "id": 2},
            {"method": "getbestblockhash", "params": [], "id": 3}])
        assert_equal(status, 200)
        assert_equal(len(rep), 3)
        by_id = {r["id"]: r for r in rep}
        assert_equal(by_id[1]["result"], 0)
        assert_equal(by_id[2]["error"]["code"], -32601)
        assert_equal(by_id[3]["result"], REGTEST_GENESIS_HASH)
        # The proxy's own batch helper speaks the same protocol.
        replies = node.rpc.batch([node.rpc.getblockcount.request_object(),
                                  node.rpc.getblockhash.request_object(0)])
        assert_equal([r["result"] for r in replies], [0, REGTEST_GENESIS_HASH])
        status, headers, data = self.raw(json.dumps({"jsonrpc": "2.0", "method": "getblockcount"}))
        assert_equal(status, 204)
        assert_equal(data, b"")

        self.log.info("Malformed requests")
        status, rep = self.raw_json("{not json")
        assert_equal(status, 500)
        assert_equal(rep["error"]["code"], -32700)
        status, rep = self.raw_json("42")
        assert_equal(rep["error"]["code"], -32700)
        status, rep = self.raw_json({"method": "getblockcount", "params": "nope", "id": 1})
        assert_equal(rep["error"]["code"], -32600)
        status, rep = self.raw_json({"method": 12, "params": [], "id": 1})
        assert_equal(rep["error"]["code"], -32600)
        status, rep = self.raw_json({"params": [], "id": 1})
        assert_equal(rep["error"]["code"], -32600)
        self.still_alive()
        status, _, _ = self.raw("[" * 100000 + "]" * 100000)
        assert status in (400, 500), status
        self.still_alive()
        assert_equal(self.oversized_post(33 * 1024 * 1024), 413)
        self.still_alive()
        try:
            status, _, _ = self.raw("{}", headers={"X-Filler": "a" * 16384})
            assert 400 <= status < 500, status
        except (ConnectionError, http.client.HTTPException):
            pass     # closing the connection is an answer too
        self.still_alive()
        status, _, _ = self.raw(None, method="GET")
        assert_equal(status, 405)
        self.still_alive()

        self.log.info("help as Core reads its argument: \"\" lists every command, null is a type error")
        assert node.help("").startswith("== Blockchain ==")
        assert_equal(node.help(""), node.help())
        assert_raises_rpc_error(-3, "JSON value of type null is not of expected type string", node.help, None)
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string", node.logging, [5])

        self.log.info("Wrong types through the proxy's named parameters")
        try:
            node.getblock(blockhash=REGTEST_GENESIS_HASH, verbosity="one")
            raise AssertionError("verbosity must be a number")
        except JSONRPCException as e:
            assert e.error["code"] in (-1, -3, -8), e.error


if __name__ == "__main__":
    RpcErrorsTest(__file__).main()
