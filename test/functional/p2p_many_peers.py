#!/usr/bin/env python3
"""125 test peers at once.

- With -maxconnections=136 (Core reserves 11 slots for automatic outbound
  connections, leaving 125 inbound), 125 test peers complete the handshake
  and stay: getconnectioncount and getpeerinfo show all 125 with distinct
  ids, each answers a ping round trip, and a new block is announced to
  every one of them.
- A 126th inbound peer does not push the count above 125 (it is refused or
  someone is evicted).
- With the default -maxconnections (125) the inbound share is 114 or 115
  (the automatic outbound reserve); extra peers are turned away.
- When all disconnect, the count returns to zero; resident memory per peer
  is reported.
"""

import time

from test_framework.messages import hex_to_hash
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, process_rss_kb, wait_until

PEERS = 125


class ManyPeersTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-maxconnections=136"]]

    def connect_many(self, node, n, *, handshake=True):
        peers = []
        for _ in range(n):
            p = P2PInterface()
            p.timeout_factor = self.options.timeout_factor
            p.peer_connect("127.0.0.1", node.p2p_port)
            node.p2ps.append(p)
            peers.append(p)
        if handshake:
            for p in peers:
                p.wait_for_verack(timeout=120)
        return peers

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 1)
        rss0 = process_rss_kb(node.pid)

        self.log.info("%d peers connect and handshake", PEERS)
        t = time.monotonic()
        peers = self.connect_many(node, PEERS)
        for p in peers:
            p.sync_with_ping(timeout=120)
        self.log.info("all handshaken and pinged in %.1fs", time.monotonic() - t)
        wait_until(lambda: node.getconnectioncount() == PEERS, timeout=60)
        info = node.getpeerinfo()
        assert_equal(len(info), PEERS)
        assert_equal(len({p["id"] for p in info}), PEERS)
        assert all(p["inbound"] and p["subver"] == "/python-p2p-tester:0.0.3/" for p in info)
        assert all(p["bytesrecv_per_msg"].get("ping", 0) > 0 for p in info)
        rss1 = process_rss_kb(node.pid)
        self.log.info("RSS %d kB with no peers, %d kB with %d: %.1f kB per peer", rss0, rss1, PEERS,
                      (rss1 - rss0) / PEERS)

        self.log.info("A new block is announced to all %d", PEERS)
        h = hex_to_hash(self.generate(node, 1)[0])
        for p in peers:
            p.wait_for_block_announcement(h, timeout=120)

        self.log.info("A 126th peer does not raise the count above %d", PEERS)
        extra = self.connect_many(node, 1, handshake=False)[0]
        time.sleep(3)
        assert node.getconnectioncount() <= PEERS
        connected = sum(1 for p in peers + [extra] if p.is_connected)
        assert connected <= PEERS, "%d test peers connected" % connected
        assert_equal(connected, node.getconnectioncount())

        self.log.info("All disconnect")
        node.disconnect_p2ps()
        wait_until(lambda: node.getconnectioncount() == 0, timeout=60)

        self.log.info("Default -maxconnections=125: inbound share after the outbound reserve")
        self.restart_node(0, extra_args=[])
        peers = self.connect_many(node, 120, handshake=False)
        time.sleep(5)
        count = node.getconnectioncount()
        self.log.info("%d of 120 inbound peers kept", count)
        assert count in (114, 115), count
        assert_equal(sum(1 for p in peers if p.is_connected), count)
        for p in peers:
            if p.is_connected:
                p.sync_with_ping(timeout=120)


if __name__ == "__main__":
    ManyPeersTest(__file__).main()
