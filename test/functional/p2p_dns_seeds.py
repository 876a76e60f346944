#!/usr/bin/env python3
"""DNS seeds as Core's ThreadDNSAddressSeed, offline.

A DNS responder of the test framework (test_framework/dns.py) plays the
seeds; bitrootd is pointed at it with the debug options
-dnsseednameserver and -regtestdnsseed (regtest has no seeds of its own).
The addresses the seeds give are routable, and a SOCKS5 server of the
framework (test_framework/socks5.py) maps them to local nodes, so that
-test=nopublicdial still keeps every connection on loopback. Checked:

- an empty address manager asks every seed at once for "x9.<seed>"
  (A and AAAA) and keeps what they give, with the default port and the
  seeds' service bits; a seed whose x9 name gives nothing becomes an
  addr-fetch connection to the seed's own name;
- -seednode gives the seed nodes 30 s before the DNS seeds are asked;
- with addresses known, seeding waits 11 s first and is skipped once two
  full outbound peers are up; -forcednsseed asks at once anyway;
  -dnsseed=0 asks nothing; -forcednsseed with -dnsseed=0 is refused;
- a fresh node with nothing but seeds (no -connect, no -addnode) finds
  peers, connects to them through the proxy, and keeps them;
- with -proxy the seeds are not looked up (the local resolver must not
  learn them): the seed's name goes to the proxy as an addr-fetch
  connection, whose addresses then give the node its peers.
"""

import os
import time

from test_framework.dns import DNSResponder, QTYPE_A, QTYPE_AAAA
from test_framework.socks5 import Socks5Server
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

PORT = 18444  # regtest's default port: what seeds' addresses get
SEED_A = "seed-a.test"
SEED_B = "seed-b.test"
ADDRS_A = ["1.2.3.4", "5.6.7.8", "2a01:4f8:10::5"]


class DNSSeedsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        # Automatic connections on: no -connect=0 (-test=nopublicdial holds).
        self.disable_autoconnect = False
        # The seed's node answers getaddr with all it knows (Core's "addr"
        # permission), not the 23% of a handful, which rounds to none.
        self.extra_args = [[], ["-whitelist=addr@127.0.0.1"], [], []]

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        self.dns = DNSResponder({
            "x9." + SEED_A: ADDRS_A,
            # seed-b has no x9 subdomain: the node asks the seed itself.
            SEED_B: ["127.0.0.1"],
        })
        n0, n1, n2, n3 = self.nodes
        routes = {
            ("1.2.3.4", PORT): ("127.0.0.1", n1.p2p_port),
            ("5.6.7.8", PORT): ("127.0.0.1", n2.p2p_port),
            ("2a01:4f8:10::5", PORT): ("127.0.0.1", n3.p2p_port),
            (SEED_A, PORT): ("127.0.0.1", n1.p2p_port),
        }
        self.px = Socks5Server(routes)
        # The node behind SEED_A's name knows the other two (set before any
        # getaddr, whose answer is cached for a day).
        for a in ("5.6.7.8", "2a01:4f8:10::5"):
            n1.addpeeraddress(a, PORT)
        try:
            self.seed_args = ["-dnsseed=1", "-dnsseednameserver=" + self.dns.addr,
                              "-regtestdnsseed=" + SEED_A, "-regtestdnsseed=" + SEED_B]
            self.test_errors()
            self.test_empty_addrman()
            self.test_known_addresses()
            self.test_seednode_first()
            self.test_find_and_keep()
            self.test_proxy_fetch()
        finally:
            self.px.stop()
            self.dns.stop()

    def addrs(self, node):
        return {(a["address"], a["port"]): a for a in node.getnodeaddresses(0)}

    def test_errors(self):
        n0 = self.nodes[0]
        self.stop_node(0)
        n0.assert_start_raises_init_error(["-dnsseed=0", "-forcednsseed=1"],
                                          "Error: Cannot set -forcednsseed to true when setting -dnsseed to false.")
        n0.assert_start_raises_init_error(["-dnsseednameserver=nonsense"],
                                          "Error: Invalid -dnsseednameserver address: 'nonsense'")
        n0.assert_start_raises_init_error(["-regtest=0", "-signet", "-regtestdnsseed=x.test"],
                                          "Error: -regtestdnsseed is only allowed on regtest")

    def test_empty_addrman(self):
        n0 = self.nodes[0]
        self.log.info("An empty address manager asks every seed at once")
        self.start_node(0, extra_args=self.seed_args)
        wait_until(lambda: len(self.addrs(n0)) == 3, timeout=60)
        got = self.addrs(n0)
        for a in ADDRS_A:
            assert_equal(got[(a, PORT)]["services"], 9)  # NODE_NETWORK | NODE_WITNESS
        assert self.dns.count("x9." + SEED_A, QTYPE_A) >= 1
        assert self.dns.count("x9." + SEED_A, QTYPE_AAAA) >= 1
        n0.wait_for_debug_log(["Loading addresses from DNS seed " + SEED_A,
                               "Loading addresses from DNS seed " + SEED_B])
        self.log.info("... a seed with no x9 name: an addr-fetch connection to the seed's own name")
        wait_until(lambda: self.dns.count(SEED_B) >= 1, timeout=60)
        n0.wait_for_debug_log(["trying addr-fetch connection"])
        # -test=nopublicdial keeps the seeds' routable addresses undialled.
        n0.wait_for_debug_log(["not dialling"])
        self.stop_node(0)

    def test_known_addresses(self):
        n0 = self.nodes[0]
        self.log.info("-dnsseed=0: no lookups")
        before = self.dns.total()
        self.start_node(0, extra_args=["-dnsseed=0", "-dnsseednameserver=" + self.dns.addr,
                                       "-regtestdnsseed=" + SEED_A])
        n0.wait_for_debug_log(["DNS seeding disabled"])
        self.stop_node(0)

        self.log.info("Known addresses: seeding waits 11 s, then asks (no outbound peers came)")
        t0 = time.monotonic()
        self.start_node(0, extra_args=self.seed_args)
        n0.wait_for_debug_log(["Waiting 11 seconds before querying DNS seeds."])
        # The -dnsseed=0 run asked nothing.
        assert_equal(self.dns.total(), before)
        wait_until(lambda: self.dns.total() > before, timeout=60)
        assert time.monotonic() - t0 >= 10, "asked before the 11 s wait"
        self.stop_node(0)

        self.log.info("-forcednsseed asks at once, known addresses or not")
        before = self.dns.count("x9." + SEED_A)
        offset = n0.debug_log_bytes()
        self.start_node(0, extra_args=self.seed_args + ["-forcednsseed=1"])
        wait_until(lambda: self.dns.count("x9." + SEED_A) > before, timeout=60)
        assert "Waiting 11 seconds" not in n0.read_debug_log(offset)
        self.stop_node(0)

    def test_seednode_first(self):
        n0 = self.nodes[0]
        self.log.info("-seednode: the seed nodes get 30 s before the DNS seeds")
        os.remove(os.path.join(n0.chaindir, "peers.dat"))
        before = self.dns.total()
        offset = n0.debug_log_bytes()
        t0 = time.monotonic()
        # A seed node that never answers: nothing comes of it.
        self.start_node(0, extra_args=self.seed_args + ["-seednode=127.0.0.1:1"])
        n0.wait_for_debug_log(["-seednode enabled. Trying the provided seeds for 30 seconds before "
                               "defaulting to the dnsseeds."], offset=offset)
        time.sleep(2)
        assert_equal(self.dns.total(), before)
        n0.wait_for_debug_log(["Couldn't connect to enough peers via seed nodes. Handing fetch logic to "
                               "the DNS seeds."], timeout=90, offset=offset)
        wait_until(lambda: self.dns.total() > before, timeout=60)
        assert time.monotonic() - t0 >= 29, "DNS seeds asked before the seed nodes' 30 s"
        self.stop_node(0)

    def full_outbound(self, node):
        return [p for p in node.getpeerinfo() if p["connection_type"] == "outbound-full-relay"]

    def test_find_and_keep(self):
        n0 = self.nodes[0]
        self.log.info("A fresh node with only DNS seeds finds peers and keeps them")
        os.remove(os.path.join(n0.chaindir, "peers.dat"))
        # No lookups through a proxy: the first run fills the address
        # manager from the seeds, the second dials through the proxy.
        self.start_node(0, extra_args=self.seed_args)
        wait_until(lambda: len(self.addrs(n0)) == 3, timeout=60)
        self.stop_node(0)
        asked = self.dns.total()
        self.start_node(0, extra_args=self.seed_args + ["-proxy=" + self.px.addr])
        wait_until(lambda: len(self.full_outbound(n0)) == 3, timeout=90)
        got = sorted(p["addr"] for p in self.full_outbound(n0))
        assert_equal(got, sorted(["1.2.3.4:%d" % PORT, "5.6.7.8:%d" % PORT, "[2a01:4f8:10::5]:%d" % PORT]))
        for n in self.nodes[1:]:
            wait_until(lambda: len(n.getpeerinfo()) == 1, timeout=60)
        # Two full outbound peers: the seeds are left alone.
        n0.wait_for_debug_log(["P2P peers available. Skipped DNS seeding."], timeout=60)
        assert_equal(self.dns.total(), asked)
        # ... and the peers stay.
        time.sleep(2)
        assert_equal(len(self.full_outbound(n0)), 3)
        self.stop_node(0)

    def test_proxy_fetch(self):
        n0, n1 = self.nodes[0], self.nodes[1]
        self.log.info("-proxy: the seed's name goes to the proxy as an addr-fetch connection, no lookup")
        os.remove(os.path.join(n0.chaindir, "peers.dat"))
        asked = self.dns.total()
        self.start_node(0, extra_args=["-dnsseed=1", "-dnsseednameserver=" + self.dns.addr,
                                       "-regtestdnsseed=" + SEED_A, "-proxy=" + self.px.addr])
        wait_until(lambda: self.px.requests_for(SEED_A), timeout=60)
        r = self.px.requests_for(SEED_A)[0]
        assert_equal((r["atyp"], r["port"]), (3, PORT))
        n0.wait_for_debug_log(["trying addr-fetch connection", "addrfetch connection completed"])
        # Its answer gives the node peers, through the proxy too.
        wait_until(lambda: len(self.full_outbound(n0)) >= 2, timeout=90)
        assert_equal(self.dns.total(), asked)
        self.stop_node(0)


if __name__ == "__main__":
    DNSSeedsTest(__file__).main()
