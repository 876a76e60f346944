#!/usr/bin/env python3
"""The net thread asks whether the node is in initial block download each time
it needs to know, as Core's IsInitialBlockDownload, not once per new tip.

The node restarts with a tip three days old: initial block download. A
transaction from a P2P peer is ignored then, and so is an input-less one (as
Core: not parsed, not punished). setmocktime then takes the node out of
initial block download with no new block: the same transaction is now
accepted, and an input-less one (bad-txns-vin-empty) gets its sender
disconnected, as Core does. Before, the net thread kept the IBD flag of the
last tip and went on ignoring transactions until the next block.

The same steps run on Bitcoin Core 28.1 (node1) when it is available, as the
judge: each step must give the same result on both.
"""

import time

from test_framework.messages import CTransaction, msg_tx
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework, SkipTest
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

OLD = 3 * 24 * 3600


class TxIbdMocktimeTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_network(self):
        self.add_nodes(1)
        try:
            self.add_nodes(1, binaries=["core"])
        except SkipTest as e:
            self.log.info("bitrootd only: %s", e)
        self.start_nodes()

    def run_test(self):
        for node in self.nodes:
            self.log.info("--- node%d (%s)", node.index, node.implementation)
            self.scenario(node)

    def scenario(self, node):
        bitrootd = node.implementation == "bitrootd"
        old = int(time.time()) - OLD
        node.setmocktime(old)
        wallet = MiniWallet(node)
        wallet.generate(101)
        tx = wallet.create_self_transfer()
        tip_time = node.getblock(node.getbestblockhash())["time"]

        self.log.info("restarted with a tip 3 days old: initial block download")
        self.restart_node(node.index)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        peer = node.add_p2p_connection(P2PInterface())
        if bitrootd:
            with node.assert_debug_log(["ignoring tx during IBD"]):
                peer.send_and_ping(msg_tx(tx["tx"]))
        else:
            peer.send_and_ping(msg_tx(tx["tx"]))
        assert_equal(node.getrawmempool(), [])
        self.log.info("an input-less tx in IBD: ignored, not punished")
        peer.send_and_ping(msg_tx(CTransaction()))
        assert peer.is_connected

        self.log.info("setmocktime ends initial block download without a new block")
        node.setmocktime(tip_time + 60)
        self.log.info("the same tx is now accepted")
        peer.send_and_ping(msg_tx(tx["tx"]))
        self.wait_until(lambda: tx["txid"] in node.getrawmempool(), timeout=30)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], False)

        self.log.info("an input-less tx now gets its sender disconnected")
        peer.send_message(msg_tx(CTransaction()))
        peer.wait_for_disconnect()
        assert_equal(node.getrawmempool(), [tx["txid"]])
        if bitrootd:
            assert "bad-txns-vin-empty" in node.read_debug_log()
        node.disconnect_p2ps()


if __name__ == "__main__":
    TxIbdMocktimeTest(__file__).main()
