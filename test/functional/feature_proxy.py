#!/usr/bin/env python3
"""-proxy, -onion, -proxyrandomize and -onlynet: outbound connections through
SOCKS5, as Core makes them.

A SOCKS5 server of the test framework (test_framework/socks5.py) routes a
routable IPv4 address and an onion name to two local bitrootd nodes; the
node under test connects to them through it. Checked:

- the request bytes: methods offered (no-auth and username/password with
  -proxyrandomize, no-auth only without), the host sent as a name (ATYP 3)
  for IPv4 and onion alike, the port, fresh credentials per connection;
  the same as Core 28 sends through the same kind of server;
- the connection then carries the P2P protocol (both sides see the peer);
- -onion sends onion connections to a second proxy; -onlynet=onion keeps
  automatic connections off IPv4;
- getnetworkinfo's networks: proxy, reachable, proxy_randomize_credentials;
- a proxy that refuses: no peer, Core's log line;
- bad values stop start-up with Core's messages.
"""

import time

from test_framework.socks5 import Socks5Server
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, wait_until

ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
IPV4 = "1.2.3.4"


class FeatureProxyTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.node_impls = ["bitrootd", "bitrootd", "bitrootd", "core"]
        # -onlynet is about automatic connections: no -connect=0 here
        # (addrman starts empty and -test=nopublicdial still holds).
        self.disable_autoconnect = False

    def setup_network(self):
        self.setup_nodes()

    def peer_with(self, node, addr):
        return [p for p in node.getpeerinfo() if p["addr"] == addr]

    def run_test(self):
        a, b, c, core = self.nodes
        port = 18444
        routes = {(IPV4, port): ("127.0.0.1", b.p2p_port), (ONION, port): ("127.0.0.1", c.p2p_port)}
        px = Socks5Server(routes)
        px2 = Socks5Server(routes)
        bad = Socks5Server(routes, fail_code=5)
        try:
            self.run_with(a, b, c, core, px, px2, bad, port)
        finally:
            for s in (px, px2, bad):
                s.stop()

    def run_with(self, a, b, c, core, px, px2, bad, port):
        self.log.info("-proxy: IPv4 and onion peers through SOCKS5, with fresh credentials")
        self.restart_node(0, extra_args=["-proxy=" + px.addr])
        a.addnode("%s:%d" % (IPV4, port), "onetry")
        wait_until(lambda: len(self.peer_with(a, "%s:%d" % (IPV4, port))) == 1, timeout=60)
        a.addnode("%s:%d" % (ONION, port), "onetry")
        wait_until(lambda: len(self.peer_with(a, "%s:%d" % (ONION, port))) == 1, timeout=60)
        peer = self.peer_with(a, "%s:%d" % (ONION, port))[0]
        assert_equal(peer["network"], "onion")
        wait_until(lambda: all(p.get("version", 0) > 0 for p in a.getpeerinfo()), timeout=60)
        # the far ends see an inbound peer each
        assert_equal(len(b.getpeerinfo()), 1)
        assert_equal(len(c.getpeerinfo()), 1)
        r4, ro = px.requests_for(IPV4)[0], px.requests_for(ONION)[0]
        for r in (r4, ro):
            assert_equal((r["methods"], r["cmd"], r["atyp"], r["port"]), ([0, 2], 1, 3, port))
        assert r4["user"] != ro["user"], "credentials are fresh per connection"
        assert_equal((r4["user"], r4["password"]), (r4["user"], r4["user"]))

        self.log.info("... the same request bytes as Core 28 sends")
        core_px = Socks5Server({})
        try:
            self.restart_node(3, extra_args=["-proxy=" + core_px.addr, "-addnode=%s:%d" % (IPV4, port)])
            wait_until(lambda: core_px.requests_for(IPV4), timeout=60)
            theirs = core_px.requests_for(IPV4)[0]
            assert_equal({k: theirs[k] for k in ("methods", "cmd", "atyp", "host", "port")},
                         {k: r4[k] for k in ("methods", "cmd", "atyp", "host", "port")})
            assert_equal(theirs["user"], theirs["password"])
        finally:
            self.stop_node(3)
            core_px.stop()

        self.log.info("getnetworkinfo: the proxies and the reachable networks")
        nets = {n["name"]: n for n in a.getnetworkinfo()["networks"]}
        for name in ("ipv4", "ipv6", "onion"):
            assert_equal((nets[name]["proxy"], nets[name]["reachable"], nets[name]["limited"],
                          nets[name]["proxy_randomize_credentials"]), (px.addr, True, False, True))
        for name in ("i2p", "cjdns"):
            assert_equal((nets[name]["proxy"], nets[name]["reachable"]), ("", False))
        # -proxy turns listening off by default, as Core
        assert_equal(a.getnetworkinfo()["localaddresses"], [])

        self.log.info("-onion: onion peers through their own proxy; -proxyrandomize=0: no credentials")
        self.restart_node(0, extra_args=["-proxy=" + px.addr, "-onion=" + px2.addr, "-proxyrandomize=0"])
        a.addnode("%s:%d" % (ONION, port), "onetry")
        wait_until(lambda: len(self.peer_with(a, "%s:%d" % (ONION, port))) == 1, timeout=60)
        r = px2.requests_for(ONION)[-1]
        assert_equal((r["methods"], "user" in r), ([0], False))
        nets = {n["name"]: n for n in a.getnetworkinfo()["networks"]}
        assert_equal((nets["onion"]["proxy"], nets["ipv4"]["proxy"]), (px2.addr, px.addr))
        assert_equal(nets["onion"]["proxy_randomize_credentials"], False)

        self.log.info("-onion=0: onion unreachable, no connection to it")
        self.restart_node(0, extra_args=["-proxy=" + px.addr, "-onion=0"])
        nets = {n["name"]: n for n in a.getnetworkinfo()["networks"]}
        assert_equal((nets["onion"]["proxy"], nets["onion"]["reachable"]), ("", False))
        before = len(px.requests_for(ONION))
        a.addnode("%s:%d" % (ONION, port), "onetry")
        time.sleep(2)
        assert_equal(len(px.requests_for(ONION)), before)
        assert_equal(self.peer_with(a, "%s:%d" % (ONION, port)), [])

        self.log.info("a proxy that refuses: no peer, Core's log words")
        self.restart_node(0, extra_args=["-proxy=" + bad.addr, "-debug=net"])
        with a.assert_debug_log(["Socks5() connect failed: connection refused"], timeout=30):
            a.addnode("%s:%d" % (IPV4, port), "onetry")
            wait_until(lambda: bad.requests_for(IPV4), timeout=30)
        time.sleep(1)
        assert_equal(self.peer_with(a, "%s:%d" % (IPV4, port)), [])

        self.log.info("-onlynet=onion: automatic connections only to onion")
        self.restart_node(0, extra_args=["-proxy=" + px.addr, "-onlynet=onion"])
        nets = {n["name"]: n for n in a.getnetworkinfo()["networks"]}
        assert_equal([n for n in nets if nets[n]["reachable"]], ["onion"])
        self.disconnect_all(b, c)
        n4, no = len(px.requests_for(IPV4)), len(px.requests_for(ONION))
        assert a.addpeeraddress(IPV4, port)["success"]
        assert a.addpeeraddress(ONION, port)["success"]
        wait_until(lambda: len(px.requests_for(ONION)) > no, timeout=120)
        wait_until(lambda: len(self.peer_with(a, "%s:%d" % (ONION, port))) == 1, timeout=60)
        assert_equal(self.peer_with(a, "%s:%d" % (ONION, port))[0]["connection_type"], "outbound-full-relay")
        time.sleep(3)
        assert_equal(len(px.requests_for(IPV4)), n4)

        self.log.info("bad values stop start-up with Core's messages")
        self.stop_node(0)
        for args, msg in (
                (["-proxy=notanaddress"], "Invalid -proxy address or hostname: 'notanaddress'"),
                (["-onion=1.2.3.4:x"], "Invalid -onion address or hostname: '1.2.3.4:x'"),
                (["-onlynet=bogus"], "Unknown network specified in -onlynet: 'bogus'"),
                (["-onlynet=onion"], "Outbound connections restricted to Tor (-onlynet=onion) but the proxy "
                                     "for reaching the Tor network is not provided: none of -proxy, -onion "
                                     "or -listenonion is given"),
                (["-proxy=" + px.addr, "-onion=0", "-onlynet=onion"],
                 "Outbound connections restricted to Tor (-onlynet=onion) but the proxy for reaching the Tor "
                 "network is explicitly forbidden: -onion=0"),
                (["-onlynet=i2p"], "Outbound connections restricted to i2p (-onlynet=i2p) but -i2psam is not "
                                   "provided")):
            a.assert_start_raises_init_error(args, "Error: " + msg, match=ErrorMatch.FULL_TEXT)

    def disconnect_all(self, *nodes):
        for n in nodes:
            for p in n.getpeerinfo():
                try:
                    n.disconnectnode(nodeid=p["id"])
                except Exception:   # already gone
                    pass
        wait_until(lambda: all(not n.getpeerinfo() for n in nodes), timeout=60)


if __name__ == "__main__":
    FeatureProxyTest(__file__).main()
