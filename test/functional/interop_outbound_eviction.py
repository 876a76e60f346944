#!/usr/bin/env python3
"""Outbound peer upkeep, the same mock-time script on Core 28.1 and on bitrootd.

Each node, unconnected to the other, gets two outbound full-relay test peers:
one that never shows a chain, one that shows our tip (and is protected).
After our tip moves on, both nodes must send the silent one a single
getheaders 20 minutes later, drop it 2 minutes after that ("... old chain,
best known block = ..."), and keep the protected one. Then, restarted in initial
download with a high -minimumchainwork, both drop an outbound peer whose
headers chain lacks that work and keep an inbound one with the same chain.
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


class InteropOutboundEvictionTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()

    def advance(self, node, seconds, peers):
        """Mock time forward in 5-minute steps, the peers talking after each."""
        while seconds > 0:
            step = min(seconds, 300)
            self.now += step
            seconds -= step
            node.setmocktime(self.now)
            for p in peers:
                if p.is_connected:
                    p.sync_with_ping()

    def count(self, peer, msgtype):
        with p2p_lock:
            return peer.message_count[msgtype]

    def lagging_peer(self, node):
        self.generate(node, 10, sync_fun=lambda: None)
        self.now = int(time.time())
        node.setmocktime(self.now)
        lag = node.add_outbound_p2p_connection(P2PInterface())
        good = node.add_outbound_p2p_connection(P2PInterface())
        good.send_and_ping(msg_headers([header_of(node, node.getbestblockhash())]))
        self.generate(node, 1, sync_fun=lambda: None)
        self.advance(node, 1, [lag, good])
        before = (self.count(lag, "getheaders"), self.count(good, "getheaders"))
        self.advance(node, CHAIN_SYNC_TIMEOUT - 5, [lag, good])
        early = (self.count(lag, "getheaders"), self.count(good, "getheaders"))
        self.advance(node, 10, [lag, good])
        lag.wait_until(lambda: lag.message_count["getheaders"] == before[0] + 1)
        self.advance(node, HEADERS_RESPONSE_TIME + 5, [good])
        lag.wait_for_disconnect()
        self.advance(node, CHAIN_SYNC_TIMEOUT + HEADERS_RESPONSE_TIME + 10, [good])
        result = {
            "asked_early": early != before,
            "lag_asked_once": self.count(lag, "getheaders") - before[0],
            "good_asked": self.count(good, "getheaders") - before[1],
            "good_connected": good.is_connected,
            "peers": sorted(p["connection_type"] for p in node.getpeerinfo()),
        }
        node.setmocktime(0)
        node.disconnect_p2ps()
        return result

    def insufficient_work(self, i):
        self.restart_node(i, ["-minimumchainwork=0x" + "ff" * 16])
        node = self.nodes[i]
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        headers = [header_of(node, node.getblockhash(h)) for h in range(1, node.getblockcount() + 1)]
        inbound = node.add_p2p_connection(P2PInterface())
        inbound.send_and_ping(msg_headers(headers))
        out = node.add_outbound_p2p_connection(P2PInterface())
        out.send_message(msg_headers(headers))
        out.wait_for_disconnect()
        inbound.sync_with_ping()
        kept = inbound.is_connected
        node.disconnect_p2ps()
        return kept

    def run_test(self):
        self.log.info("a silent outbound peer: one getheaders after 20 minutes, gone 2 minutes later")
        results = []
        for node in self.nodes:
            # Core 28 says "Disconnecting outbound peer N for old chain, ...";
            # later Core and bitrootd "Outbound peer has old chain, ...".
            with node.assert_debug_log(["old chain, best known block = "]):
                results.append(self.lagging_peer(node))
        self.log.info("core: %s; bitrootd: %s", results[0], results[1])
        assert_equal(results[0], results[1])
        assert_equal(results[1]["lag_asked_once"], 1)
        assert_equal(results[1]["good_connected"], True)
        self.log.info("in initial download, an outbound peer below the minimum chain work is dropped")
        for i in range(2):
            with self.nodes[i].assert_debug_log(["headers chain has insufficient work"]):
                assert self.insufficient_work(i)


if __name__ == "__main__":
    InteropOutboundEvictionTest(__file__).main()
