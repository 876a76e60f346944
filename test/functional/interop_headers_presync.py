#!/usr/bin/env python3
"""Mixed network: low-work headers presync between Bitcoin Core 28.1 and bitrootd.

A bitrootd node (br0) mines a chain of CHAIN_LEN blocks. With the same
-minimumchainwork, which the first headers batch (2,000) does not reach and the
whole chain does:
- Core (core1) syncs the chain from br0 alone: Core presyncs against
  bitrootd's getheaders answers, redownloads, and downloads the blocks.
- A fresh bitrootd (br2) syncs the chain from Core alone: bitrootd presyncs
  against Core, redownloads, stores and downloads it.
"""

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

IMPLS = ["bitrootd", "core", "bitrootd"]
CHAIN_LEN = 2400
MIN_WORK = "-minimumchainwork=0x%x" % (2 * (2200 + 1))


class InteropHeadersPresyncTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.extra_args = [[], ["-debug=net", MIN_WORK], ["-debug=net", MIN_WORK]]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        br0, core1, br2 = self.nodes
        for _ in range(CHAIN_LEN // 400):
            self.generate(br0, 400, sync_fun=self.no_op)
        tip = br0.getbestblockhash()

        self.log.info("Core syncs a chain above its -minimumchainwork from bitrootd (presync, redownload)")
        with core1.assert_debug_log(["Initial headers sync started with peer=",
                                     "Initial headers sync transition with peer=",
                                     "Initial headers sync complete with peer="], timeout=120):
            self.connect_nodes(1, 0)
            self.wait_until(lambda: core1.getbestblockhash() == tip, timeout=240)
        assert_equal(core1.getblockchaininfo()["initialblockdownload"], False)

        self.log.info("bitrootd syncs the same from Core (presync, redownload)")
        self.disconnect_nodes(1, 0)
        with br2.assert_debug_log(["Initial headers sync started with peer=",
                                   "Initial headers sync transition with peer=",
                                   "Initial headers sync complete with peer="], timeout=120):
            self.connect_nodes(2, 1)
            self.wait_until(lambda: br2.getbestblockhash() == tip, timeout=240)
        assert_equal(br2.getblockchaininfo()["headers"], CHAIN_LEN)
        assert_equal(br2.getblockchaininfo()["initialblockdownload"], False)
        assert_equal(len(br2.getchaintips()), 1)
        for peer in br2.getpeerinfo():
            assert_equal(peer["presynced_headers"], -1)


if __name__ == "__main__":
    InteropHeadersPresyncTest(__file__).main()
