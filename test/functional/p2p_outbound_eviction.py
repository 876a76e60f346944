#!/usr/bin/env python3
"""Outbound peers that lag behind our chain, and a stale tip (doc/p2p.md, "Outbound upkeep").

- An outbound full-relay peer that never shows a chain with our tip's work
  gets, 20 minutes after we notice, one getheaders from just below that tip,
  and is disconnected 2 minutes later ("Outbound peer has old chain").
- One that answers the getheaders with our tip in time stays.
- A full-relay peer that once showed our tip's work is protected: it stays
  even when it lags later. A block-relay-only peer never is.
- Our tip not moving for 30 minutes is noticed by the 45 s check
  (mockscheduler runs it): "Potential stale tip detected".
- In initial download, an outbound peer whose whole headers chain has less
  than the minimum chain work is disconnected ("headers chain has
  insufficient work"); an inbound one with the same chain stays.
"""

import time

from test_framework.messages import CBlockHeader, msg_headers
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

CHAIN_SYNC_TIMEOUT = 20 * 60
HEADERS_RESPONSE_TIME = 120


def header_of(node, blockhash):
    return CBlockHeader.from_bytes(bytes.fromhex(node.getblockheader(blockhash, False)))


class OutboundEvictionTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # Automatic connections on (no -connect=0), as the stale tip check
        # is only for a node that picks its own peers; -test=nopublicdial
        # keeps an extra peer it would then look for off the network.
        self.disable_autoconnect = False

    def advance(self, seconds, peers):
        """Mock time forward in steps short of the inactivity timeout, peers talking."""
        while seconds > 0:
            step = min(seconds, 300)
            self.now += step
            seconds -= step
            self.node.setmocktime(self.now)
            for p in peers:
                if p.is_connected:
                    p.sync_with_ping()

    def getheaders_count(self, peer):
        with p2p_lock:
            return peer.message_count["getheaders"]

    def run_test(self):
        self.node = node = self.nodes[0]
        self.generate(node, 10)
        self.now = int(time.time())
        node.setmocktime(self.now)

        self.log.info("outbound peers: one silent, one level with our tip, one block-relay-only")
        lag = node.add_outbound_p2p_connection(P2PInterface())
        good = node.add_outbound_p2p_connection(P2PInterface())
        blk = node.add_outbound_p2p_connection(P2PInterface(), connection_type="block-relay-only")
        tip = node.getbestblockhash()
        for p in (good, blk):
            p.send_and_ping(msg_headers([header_of(node, tip)]))
        peers = [lag, good, blk]
        self.advance(1, peers)
        # Our tip moves on: good and blk now lag too.
        self.generate(node, 1, sync_fun=lambda: None)
        new_tip = node.getbestblockhash()
        self.advance(1, peers)
        before = {id(p): self.getheaders_count(p) for p in peers}

        self.log.info("nothing is asked before 20 minutes")
        self.advance(CHAIN_SYNC_TIMEOUT - 5, peers)
        assert_equal(self.getheaders_count(lag), before[id(lag)])
        assert_equal(self.getheaders_count(blk), before[id(blk)])

        self.log.info("then one getheaders to each lagging peer that is not protected")
        self.advance(10, peers)
        lag.wait_until(lambda: lag.message_count["getheaders"] == before[id(lag)] + 1)
        blk.wait_until(lambda: blk.message_count["getheaders"] == before[id(blk)] + 1)
        # blk answers with our tip; lag says nothing.
        blk.send_and_ping(msg_headers([header_of(node, new_tip)]))
        assert_equal(self.getheaders_count(good), before[id(good)])

        self.log.info("two minutes later the silent one is gone; the others stay")
        with node.assert_debug_log(["Outbound peer has old chain"]):
            self.advance(HEADERS_RESPONSE_TIME + 5, [good, blk])
            lag.wait_for_disconnect()
        self.advance(CHAIN_SYNC_TIMEOUT + HEADERS_RESPONSE_TIME + 10, [good, blk])
        assert good.is_connected and blk.is_connected
        types = sorted(p["connection_type"] for p in node.getpeerinfo())
        assert_equal(types, ["block-relay-only", "outbound-full-relay"])

        self.log.info("a tip that has not moved for 30 minutes is noticed by the 45 s check")
        # The check looks at most every 10 minutes of node time, and may also
        # have run by itself: give it a window with two chances.
        self.generate(node, 1, sync_fun=lambda: None)
        self.advance(29 * 60, [good])
        with node.assert_debug_log(["Potential stale tip detected, will try using extra outbound peer"]):
            self.advance(2 * 60, [good])
            node.mockscheduler(45)
            self.advance(11 * 60, [good])
            node.mockscheduler(45)
        self.log.info("a fresh tip is not stale")
        self.generate(node, 1, sync_fun=lambda: None)
        with node.assert_debug_log([], unexpected_msgs=["Potential stale tip detected"]):
            self.advance(11 * 60, [good])
            node.mockscheduler(45)
            self.advance(11 * 60, [good])
            node.mockscheduler(45)
        self.insufficient_work()

    def insufficient_work(self):
        node = self.node
        self.log.info("in initial download, an outbound peer on a chain below the minimum work is dropped")
        node.setmocktime(0)
        self.restart_node(0, ["-minimumchainwork=0x" + "ff" * 16])
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        headers = [header_of(node, node.getblockhash(h)) for h in range(1, node.getblockcount() + 1)]
        inbound = node.add_p2p_connection(P2PInterface())
        inbound.send_and_ping(msg_headers(headers))
        for kind in ("outbound-full-relay", "block-relay-only"):
            peer = node.add_outbound_p2p_connection(P2PInterface(), connection_type=kind)
            with node.assert_debug_log(["headers chain has insufficient work"]):
                peer.send_message(msg_headers(headers))
                peer.wait_for_disconnect()
        inbound.sync_with_ping()
        assert inbound.is_connected
        node.disconnect_p2ps()


if __name__ == "__main__":
    OutboundEvictionTest(__file__).main()
