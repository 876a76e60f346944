#!/usr/bin/env python3
"""RPC authentication: cookie, -rpcuser/-rpcpassword, -rpcauth, -rpcallowip.

- The cookie is "__cookie__:" plus 64 hex digits, mode 0600, and works.
- No credentials or wrong ones: HTTP 401 with a WWW-Authenticate header; a
  wrong password costs the client at least 250 ms (Core's brake).
- -rpcuser/-rpcpassword and -rpcauth=USER:SALT$HMAC (repeatable, Core's
  format: HMAC-SHA256 keyed by the salt) authenticate those users only.
- -rpcallowip: a client outside the allowed nets gets 403 before any
  authentication (needs a non-loopback local address; loopback is always
  allowed).
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import socket
import stat
import time

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than_or_equal


def rpcauth_line(user, password, salt=None):
    salt = salt or secrets.token_hex(16)
    digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return "%s:%s$%s" % (user, salt, digest)


def local_non_loopback_ipv4():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        ip = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ip.startswith("127.") else ip


class RpcAuthTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def post(self, auth=None, host="127.0.0.1", body=None):
        """(status, headers, body) of one getblockcount request with the given user:password."""
        node = self.nodes[0]
        conn = http.client.HTTPConnection(host, node.rpc_port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
        payload = body or json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockcount", "params": []})
        try:
            conn.request("POST", "/", payload, headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def assert_ok(self, auth):
        status, _, body = self.post(auth)
        assert_equal(status, 200)
        assert_equal(json.loads(body)["result"], self.nodes[0].getblockcount())

    def assert_denied(self, auth):
        status, headers, _ = self.post(auth)
        assert_equal(status, 401)
        assert "www-authenticate" in headers, "401 without WWW-Authenticate"

    def run_test(self):
        node = self.nodes[0]

        self.log.info("Cookie: format, permissions, use")
        mode = stat.S_IMODE(os.stat(node.cookie_path).st_mode)
        assert_equal(mode, 0o600)
        user, pw = node.read_cookie()
        assert_equal(user, "__cookie__")
        assert_equal(len(pw), 64)
        int(pw, 16)
        self.assert_ok("%s:%s" % (user, pw))

        self.log.info("Missing or wrong credentials: 401")
        self.assert_denied(None)
        self.assert_denied("__cookie__:" + "0" * 64)
        self.assert_denied("__cookie__:")
        self.assert_denied("nobody:" + pw)
        # Garbage in the Authorization header is a 401 too, not a crash.
        for hdr in ("Basic !!!notbase64", "Bearer abc", "Basic " + base64.b64encode(b"nocolon").decode()):
            conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
            conn.request("POST", "/", "{}", {"Authorization": hdr})
            assert_equal(conn.getresponse().status, 401)
            conn.close()

        self.log.info("A wrong password costs at least 250 ms")
        t = time.monotonic()
        self.assert_denied("__cookie__:" + "1" * 64)
        assert_greater_than_or_equal(time.monotonic() - t, 0.24)

        self.log.info("The proxy reports 401 as an error")
        bad = node.get_rpc_proxy("__cookie__", "f" * 64)
        try:
            bad.getblockcount()
            raise AssertionError("wrong cookie accepted")
        except JSONRPCException as e:
            assert_equal(e.http_status, 401)

        self.log.info("-rpcuser/-rpcpassword")
        node.stop_node()
        # Core makes no cookie when -rpcpassword is set: the framework logs in as alice.
        node.rpc_credentials = ("alice", "s3cret")
        self.start_node(0, extra_args=["-rpcuser=alice", "-rpcpassword=s3cret"])
        proxy = node.get_rpc_proxy("alice", "s3cret")
        assert_equal(proxy.getblockcount(), 0)
        self.assert_ok("alice:s3cret")
        self.assert_denied("alice:wrong")
        self.assert_denied("bob:s3cret")

        self.log.info("-rpcauth (repeatable)")
        extra = ["-rpcauth=" + rpcauth_line("bob", "hunter2"), "-rpcauth=" + rpcauth_line("carol", "pa$$:word")]
        node.stop_node()
        node.rpc_credentials = None
        self.start_node(0, extra_args=extra)
        self.assert_ok("bob:hunter2")
        self.assert_ok("carol:pa$$:word")
        self.assert_denied("bob:hunter3")
        self.assert_denied("carol:hunter2")
        self.assert_denied("dave:hunter2")
        # The cookie still works alongside -rpcauth.
        user, pw = node.read_cookie()
        self.assert_ok("%s:%s" % (user, pw))
        self.log.info("A malformed -rpcauth is refused at start-up")
        node.stop_node()
        node.assert_start_raises_init_error(["-rpcauth=bob"], None)
        node.assert_start_raises_init_error(["-rpcauth=bob:nodollar"], None)

        self.log.info("-rpcallowip: 403 before authentication for other nets")
        ip = local_non_loopback_ipv4()
        if ip is None:
            self.log.info("   no non-loopback IPv4 address on this machine; 403 check not possible")
            self.start_node(0)
            return
        # A documentation net that does not contain this machine's address.
        other_net = "198.51.100.0/24" if not ip.startswith("198.51.100.") else "203.0.113.0/24"
        self.start_node(0, extra_args=["-rpcbind=127.0.0.1", "-rpcbind=%s" % ip, "-rpcallowip=" + other_net])
        user, pw = node.read_cookie()
        status, _, _ = self.post("%s:%s" % (user, pw), host=ip)
        assert_equal(status, 403)
        status, _, _ = self.post(None, host=ip)
        assert_equal(status, 403)
        self.assert_ok("%s:%s" % (user, pw))       # loopback is always allowed
        self.restart_node(0, extra_args=["-rpcbind=127.0.0.1", "-rpcbind=%s" % ip, "-rpcallowip=%s/32" % ip])
        user, pw = node.read_cookie()
        status, _, _ = self.post("%s:%s" % (user, pw), host=ip)
        assert_equal(status, 200)


if __name__ == "__main__":
    RpcAuthTest(__file__).main()
