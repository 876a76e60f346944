#!/usr/bin/env python3
"""Automatic outbound peers avoid the network groups of manual peers too.

Core's ThreadOpenConnections collects the groups of its lasting outbound
peers (full-relay, block-relay-only and manual; not inbound, feeler or
addr-fetch ones) and skips an address from the address manager in one of
those groups. bitrootd used to leave manual peers out, so an -addnode peer
in 1.2.0.0/16 did not keep it from also picking 1.2.5.6 (issue 15).

Routable addresses are needed (every loopback address is one group, and
local addresses are never picked): a SOCKS5 server of the framework maps
them to local nodes, and -test=nopublicdial keeps everything on loopback.

- node0 has a manual peer 1.2.3.4 and the addresses 1.2.5.6 and 9.9.9.9 in
  its address manager: it connects to 9.9.9.9 on its own, never to 1.2.5.6;
- once the manual peer is removed, it connects to 1.2.5.6.
"""

import time

from test_framework.socks5 import Socks5Server
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

MANUAL = "1.2.3.4"
SAME_GROUP = "1.2.5.6"
OTHER_GROUP = "9.9.9.9"
PORT = 18444


class OutboundNetgroupTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        # node0 picks its own peers: no -connect=0.
        self.disable_autoconnect = False

    def setup_network(self):
        self.add_nodes(self.num_nodes)
        self.start_nodes()

    def outbound(self, node, kind):
        return sorted(p["addr"] for p in node.getpeerinfo() if p["connection_type"] == kind)

    def run_test(self):
        n0, n1, n2, n3 = self.nodes
        self.px = Socks5Server({(MANUAL, PORT): ("127.0.0.1", n1.p2p_port),
                                (SAME_GROUP, PORT): ("127.0.0.1", n2.p2p_port),
                                (OTHER_GROUP, PORT): ("127.0.0.1", n3.p2p_port)})
        try:
            self.run_with(n0)
        finally:
            self.px.stop()

    def run_with(self, n0):
        self.restart_node(0, extra_args=["-proxy=" + self.px.addr])
        manual = "%s:%d" % (MANUAL, PORT)

        self.log.info("A manual peer in 1.2.0.0/16 keeps automatic peers out of that group")
        n0.addnode(manual, "add")
        wait_until(lambda: self.outbound(n0, "manual") == [manual], timeout=60)
        for a in (SAME_GROUP, OTHER_GROUP):
            assert_equal(n0.addpeeraddress(a, PORT), {"success": True})
        wait_until(lambda: self.outbound(n0, "outbound-full-relay") == ["%s:%d" % (OTHER_GROUP, PORT)],
                   timeout=60)
        # The connection loop runs every half second and, with seven
        # full-relay slots free, picks from these two addresses on every
        # pass: before the fix 1.2.5.6 was dialled at once.
        time.sleep(5)
        assert_equal(self.px.requests_for(SAME_GROUP), [])
        assert_equal(self.outbound(n0, "outbound-full-relay"), ["%s:%d" % (OTHER_GROUP, PORT)])

        self.log.info("Without the manual peer, the group is open again")
        n0.addnode(manual, "remove")
        n0.disconnectnode(manual)
        wait_until(lambda: self.outbound(n0, "manual") == [], timeout=60)
        wait_until(lambda: "%s:%d" % (SAME_GROUP, PORT) in self.outbound(n0, "outbound-full-relay"),
                   timeout=60)
        assert len(self.px.requests_for(SAME_GROUP)) >= 1


if __name__ == "__main__":
    OutboundNetgroupTest(__file__).main()
