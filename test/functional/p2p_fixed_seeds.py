#!/usr/bin/env python3
"""Fixed seeds, as Core's ThreadOpenConnections adds them (on testnet4,
whose list is Core 28.1's eight IPv4 nodes).

- With -dnsseed=0 and no -addnode or -seednode, they are added at once:
  the chain's port, NODE_NETWORK | NODE_WITNESS.
- With DNS seeds on that give nothing, they wait 60 s (node time; the
  test waits in real time, setmocktime being regtest's only), then fill
  the empty address manager.
- -fixedseeds=0: never; -onlynet=ipv6 keeps the IPv4 ones out.
Lookups go to the framework's DNS responder only (-dnsseednameserver),
which knows no names; -test=nopublicdial keeps the seeds undialled.
"""

import os
import time

from test_framework.dns import DNSResponder
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

TESTNET4_SEEDS = ["seed.testnet4.bitcoin.sprovoost.nl", "seed.testnet4.wiz.biz"]


class FixedSeedsTest(BitrootTestFramework):
    def set_test_params(self):
        self.chain = "testnet4"
        self.num_nodes = 1
        self.disable_autoconnect = False

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def fresh_start(self, args):
        node = self.nodes[0]
        path = os.path.join(node.chaindir, "peers.dat")
        if os.path.exists(path):
            os.remove(path)
        self.start_node(0, extra_args=args)

    def addrs(self):
        return self.nodes[0].getnodeaddresses(0)

    def run_test(self):
        node = self.nodes[0]
        self.dns = DNSResponder({})
        ns = "-dnsseednameserver=" + self.dns.addr
        try:
            self.log.info("-dnsseed=0 and no -addnode/-seednode: the fixed seeds at once")
            self.fresh_start(["-dnsseed=0", "-fixedseeds=1", ns])
            node.wait_for_debug_log(["Adding fixed seeds as -dnsseed=0", "Added 8 fixed seeds from reachable networks."])
            got = self.addrs()
            assert_equal(len(got), 8)
            assert "18.189.156.102" in [a["address"] for a in got]
            for a in got:
                assert_equal((a["port"], a["services"], a["network"]), (48333, 9, "ipv4"))
            self.stop_node(0)

            self.log.info("-fixedseeds=0: none")
            self.fresh_start(["-dnsseed=0", "-fixedseeds=0", ns])
            node.wait_for_debug_log(["Fixed seeds are disabled"])
            time.sleep(1)
            assert_equal(self.addrs(), [])
            self.stop_node(0)

            self.log.info("-onlynet=ipv6: the IPv4 seeds stay out")
            self.fresh_start(["-dnsseed=0", "-fixedseeds=1", "-onlynet=ipv6", ns])
            node.wait_for_debug_log(["Added 0 fixed seeds from reachable networks."])
            assert_equal(self.addrs(), [])
            self.stop_node(0)

            self.log.info("DNS seeds that give nothing: the fixed seeds after 60 s")
            offset = node.debug_log_bytes()
            t0 = time.monotonic()
            self.fresh_start(["-dnsseed=1", "-fixedseeds=1", ns])
            # Every seed asked (x9 name, then the seed itself for addr-fetch).
            for s in TESTNET4_SEEDS:
                wait_until(lambda: self.dns.count("x9." + s) >= 1 and self.dns.count(s) >= 1, timeout=60)
            assert_equal(self.addrs(), [])
            assert "Adding fixed seeds" not in node.read_debug_log(offset)
            # setmocktime is regtest's only (as Core): wait the minute out.
            node.wait_for_debug_log(["Adding fixed seeds as 60 seconds have passed",
                                     "Added 8 fixed seeds from reachable networks."], timeout=180, offset=offset)
            assert time.monotonic() - t0 >= 59, "added before 60 s"
            assert_equal(len(self.addrs()), 8)
            self.stop_node(0)
        finally:
            self.dns.stop()


if __name__ == "__main__":
    FixedSeedsTest(__file__).main()
