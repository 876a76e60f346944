#!/usr/bin/env python3
"""DNS seeds through a proxy: bitrootd sends the proxy what Core 28 sends.

With -proxy, neither node looks a DNS seed up (that would tell the local
resolver); each opens an addr-fetch connection to the seed's name through
the proxy, as a domain name (SOCKS5 ATYP 3) with the chain's port. Core
28's regtest has one seed, "dummySeed.invalid."; bitrootd is given the same
with -regtestdnsseed. The framework's SOCKS5 server records the requests
(it has no route for the name, so nothing connects).
"""

from test_framework.socks5 import Socks5Server
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

SEED = "dummySeed.invalid."


class InteropDNSSeedsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["bitrootd", "core"]
        # Seeding is for automatic connections: no -connect=0.
        self.disable_autoconnect = False

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)

    def run_test(self):
        got = {}
        for node in self.nodes:
            px = Socks5Server({})
            try:
                args = ["-dnsseed=1", "-forcednsseed=1", "-proxy=" + px.addr]
                if not node.is_core:
                    args.append("-regtestdnsseed=" + SEED)
                self.start_node(node.index, extra_args=args)
                wait_until(lambda: px.requests_for(SEED), timeout=60)
                r = px.requests_for(SEED)[0]
                got[node.name] = {k: r[k] for k in ("cmd", "atyp", "host", "port")}
                self.log.info("%s: %s", node.name, got[node.name])
                node.wait_for_debug_log(["Loading addresses from DNS seed " + SEED])
                self.stop_node(node.index)
            finally:
                px.stop()
        mine, core = got.values()
        assert_equal(mine, core)
        assert_equal((mine["atyp"], mine["port"]), (3, 18444))


if __name__ == "__main__":
    InteropDNSSeedsTest(__file__).main()
