#!/usr/bin/env python3
"""-rpcwhitelist and -rpcwhitelistdefault, with Core's rules (httprpc.cpp).

- A user with a list may call only those methods; any other gets HTTP 403
  with an empty body and "RPC User U not allowed to call method M" in the
  log. ',' and ' ' both separate methods; a trailing ',' is harmless.
- "-rpcwhitelist=U" and "-rpcwhitelist=U:" give an empty list.
- A user listed twice gets the intersection of the lists.
- -rpcwhitelistdefault=0: users without a list may call everything.
- -rpcwhitelistdefault=1, or unset while any -rpcwhitelist is given: users
  without a list may call nothing ("not allowed to call any methods").
- Batches: every call is checked before any runs; one refused call
  refuses the whole batch (403); an entry that is not an object is a 400.
- Large bodies (parsed on a worker rather than the rpc thread) are checked
  the same way.
"""

import base64
import hashlib
import hmac
import http.client
import json
import secrets

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

PASSWORD = "s3cr3t"
# The harness talks to the node as the cookie user: it needs these.
HARNESS_METHODS = "getblockcount,stop"


def rpcauth_line(user, password):
    salt = secrets.token_hex(16)
    digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return "%s:%s$%s" % (user, salt, digest)


USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "nolist"]


class RpcWhitelistTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def call(self, user, body):
        """(HTTP status, body bytes) of one POST as user."""
        node = self.nodes[0]
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        auth = base64.b64encode(("%s:%s" % (user, PASSWORD)).encode()).decode()
        try:
            conn.request("POST", "/", body, {"Authorization": "Basic " + auth})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def status(self, user, method):
        return self.call(user, json.dumps({"method": method, "params": [], "id": 1}))[0]

    def restart(self, whitelist, default=None):
        args = ["-rpcauth=" + rpcauth_line(u, PASSWORD) for u in USERS]
        args += ["-rpcwhitelist=" + w for w in whitelist]
        if default is not None:
            args.append("-rpcwhitelistdefault=%d" % default)
        self.restart_node(0, extra_args=args)

    def run_test(self):
        node = self.nodes[0]
        lists = [
            "alice:getbestblockhash,getblockcount,",   # trailing comma
            "bob:getblockcount",
            "carol",                                  # no ':' -> empty list
            "dave:",                                  # empty list
            "erin:getblockcount, getbestblockhash",   # ', ' separates
            "erin:getblockcount",                     # intersection
            "frank:getblockcount getblockhash",       # ' ' separates
            "__cookie__:" + HARNESS_METHODS,
        ]

        self.log.info("-rpcwhitelistdefault=0: listed users are restricted, others are not")
        self.restart(lists, default=0)
        self.check_lists()
        assert_equal(self.status("nolist", "getblockchaininfo"), 200)
        assert_equal(self.status("nolist", "getnetworkinfo"), 200)

        self.log.info("A refused call: 403, empty body, Core's log line")
        with node.assert_debug_log(["RPC User bob not allowed to call method getnetworkinfo"]):
            status, body = self.call("bob", json.dumps({"method": "getnetworkinfo", "id": 1}))
        assert_equal(status, 403)
        assert_equal(body, b"")
        # A JSON-RPC 2.0 request is refused the same way.
        status, _ = self.call("bob", json.dumps({"jsonrpc": "2.0", "method": "getnetworkinfo", "id": 1}))
        assert_equal(status, 403)
        # A malformed request gets its usual error, not a 403 (Core parses first).
        status, body = self.call("bob", "{not json")
        assert_equal(status, 500)
        assert_equal(json.loads(body)["error"]["code"], -32700)
        status, body = self.call("bob", json.dumps({"id": 1}))
        assert_equal(status, 400)
        assert_equal(json.loads(body)["error"]["code"], -32600)

        self.log.info("Batches: every call is checked, one refusal refuses the batch")
        ok = [{"method": "getblockcount", "id": 1}, {"method": "getbestblockhash", "id": 2}]
        status, body = self.call("alice", json.dumps(ok))
        assert_equal(status, 200)
        assert_equal([r["error"] for r in json.loads(body)], [None, None])
        mixed = [{"method": "getblockcount", "id": 1}, {"method": "getnetworkinfo", "id": 2}]
        with node.assert_debug_log(["RPC User alice not allowed to call method getnetworkinfo"]):
            status, body = self.call("alice", json.dumps(mixed))
        assert_equal((status, body), (403, b""))
        # bob may not call getbestblockhash even as the second call of a batch.
        status, _ = self.call("bob", json.dumps(ok))
        assert_equal(status, 403)
        status, body = self.call("alice", json.dumps([{"method": "getblockcount", "id": 1}, 5]))
        assert_equal(status, 400)
        assert_equal(json.loads(body)["error"]["message"], "Invalid Request object")
        status, body = self.call("alice", json.dumps([{"id": 1}]))
        assert_equal(status, 500)
        assert_equal(json.loads(body)["error"]["code"], -32700)
        # An unrestricted user's batch is not checked.
        status, _ = self.call("nolist", json.dumps(mixed))
        assert_equal(status, 200)

        self.log.info("A large body (parsed on a worker) is checked too")
        big = [{"method": "getblockcount", "id": i} for i in range(2000)]
        status, body = self.call("bob", json.dumps(big))
        assert_equal(status, 200)
        assert_equal(len(json.loads(body)), 2000)
        status, _ = self.call("bob", json.dumps(big + [{"method": "getnetworkinfo", "id": 0}]))
        assert_equal(status, 403)
        padded = json.dumps({"method": "getnetworkinfo", "id": 1, "params": [], "pad": "x" * 40000})
        assert_equal(self.call("bob", padded)[0], 403)

        self.log.info("-rpcwhitelistdefault=1: users without a list may call nothing")
        self.restart(lists, default=1)
        self.check_lists()
        with node.assert_debug_log(["RPC User nolist not allowed to call any methods"]):
            assert_equal(self.status("nolist", "getblockcount"), 403)
        assert_equal(self.status("nolist", "getbestblockhash"), 403)
        assert_equal(self.call("nolist", json.dumps(ok))[0], 403)

        self.log.info("Unset -rpcwhitelistdefault with a -rpcwhitelist is the same as 1")
        self.restart(lists)
        self.check_lists()
        assert_equal(self.status("nolist", "getblockcount"), 403)

        self.log.info("-rpcwhitelistdefault=1 without any list: nobody may call anything")
        self.stop_node(0)
        node.start(["-rpcauth=" + rpcauth_line("nolist", PASSWORD), "-rpcwhitelistdefault=1"])
        self.wait_until(lambda: self.try_status("nolist", "getblockcount") == 403)
        # The harness cannot use RPC either: stop with a signal.
        node.stop_with_signal()

        self.log.info("No whitelist options: everyone may call everything")
        self.start_node(0, extra_args=["-rpcauth=" + rpcauth_line("nolist", PASSWORD)])
        assert_equal(self.status("nolist", "getnetworkinfo"), 200)

    def try_status(self, user, method):
        try:
            return self.status(user, method)
        except (ConnectionError, OSError):
            return None

    def check_lists(self):
        """The listed users' rights, the same whatever the default."""
        expect = {
            "alice": {"getbestblockhash": 200, "getblockcount": 200, "getblockchaininfo": 403, "getnetworkinfo": 403},
            "bob": {"getblockcount": 200, "getbestblockhash": 403, "getblockchaininfo": 403},
            "carol": {"getblockcount": 403, "getnetworkinfo": 403},
            "dave": {"getblockcount": 403, "getnetworkinfo": 403},
            "erin": {"getblockcount": 200, "getbestblockhash": 403},
            # getblockhash is allowed but called without its height: -1, HTTP 500.
            "frank": {"getblockcount": 200, "getblockhash": 500, "getnetworkinfo": 403},
        }
        for user, rights in expect.items():
            for method, want in rights.items():
                got = self.status(user, method)
                assert_equal((user, method, got), (user, method, want))


if __name__ == "__main__":
    RpcWhitelistTest(__file__).main()
