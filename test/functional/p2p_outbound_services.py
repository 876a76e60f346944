#!/usr/bin/env python3
"""Outbound peers must offer the services the node needs, as in Core.

- An automatic outbound peer (outbound-full-relay, block-relay-only,
  addr-fetch; made here with addconnection) without NODE_NETWORK|NODE_WITNESS
  is disconnected after its version, with Core's debug line
  "does not offer the expected services (<offered> offers <wanted>)".
- NODE_NETWORK_LIMITED|NODE_WITNESS is enough only while the tip's timestamp
  is within 144 blocks' time of now; when the tip ages past that (mocktime),
  such a peer is dropped again even though the node has left initial block
  download.
- A manual peer (addnode onetry) is kept whatever it offers.
"""

import time

from test_framework.messages import NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

NODE_NONE = 0
TYPES = ("outbound-full-relay", "block-relay-only", "addr-fetch")
FULL = NODE_NETWORK | NODE_WITNESS
LIMITED = NODE_NETWORK_LIMITED | NODE_WITNESS


class OutboundServicesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def connect(self, services, ctype):
        node = self.nodes[0]
        p = P2PInterface(services=services)
        port = p.peer_accept_connection()
        if ctype == "manual":
            node.addnode("127.0.0.1:%d" % port, "onetry")
        else:
            node.addconnection("127.0.0.1:%d" % port, ctype, False)
        p.wait_until(lambda: p.peer_version is not None, timeout=60)
        return p

    def expect(self, services, wanted, drop, types=TYPES):
        node = self.nodes[0]
        for ctype in types:
            self.log.info("  services %08x, %s: %s", services, ctype, "dropped" if drop else "kept")
            if drop:
                line = "does not offer the expected services (%08x offers %08x)" % (services, wanted)
                with node.assert_debug_log([line], timeout=30):
                    p = self.connect(services, ctype)
                    p.wait_for_disconnect(timeout=30)
            else:
                p = self.connect(services, ctype)
                p.wait_for_verack()
                p.sync_with_ping()
                info = [x for x in node.getpeerinfo() if x["addr"] == "127.0.0.1:%d" % p.dstport]
                assert_equal(len(info), 1)
                assert p.is_connected
                p.peer_disconnect()
                p.wait_for_disconnect()
            wait_until(lambda: node.getconnectioncount() == 0, timeout=30)

    def run_test(self):
        node = self.nodes[0]
        now = int(time.time())

        self.log.info("Without NODE_NETWORK|NODE_WITNESS an automatic outbound peer is dropped")
        for s in (NODE_NONE, NODE_NETWORK, NODE_WITNESS):
            self.expect(s, FULL, True)
        self.expect(FULL, FULL, False)

        self.log.info("A manual peer is kept whatever it offers")
        self.expect(NODE_NONE, FULL, False, types=("manual",))

        self.log.info("A limited peer is wanted only near the tip")
        node.setmocktime(now - 25 * 3600)
        self.generate(node, 1)
        node.setmocktime(now)
        self.expect(LIMITED, FULL, True)
        node.setmocktime(now - 23 * 3600)
        self.generate(node, 1)
        node.setmocktime(now)
        self.expect(LIMITED, LIMITED, False)
        # The node has left initial download; the tip now ages past a day.
        assert not node.getblockchaininfo()["initialblockdownload"]
        node.setmocktime(now + 2 * 3600)
        self.expect(LIMITED, FULL, True)
        node.setmocktime(0)


if __name__ == "__main__":
    OutboundServicesTest(__file__).main()
