#!/usr/bin/env python3
"""-blockfilterindex with -prune: Core's prune locks.

node0 is bitrootd with -fastprune -prune=1 -blockfilterindex; node1 is
Bitcoin Core 28.1 with -blockfilterindex, the reference for every filter and
the peer a -reindex downloads the chain from again.

- The index's prune lock limits pruneblockchain to its best block less 11
  (Core's PRUNE_LOCK_BUFFER and one), logged in Core's words; the filter of
  a pruned block is still served and equal to Core's.
- Blocks pruned exactly up to the index's best block while it was off: the
  index catches up at the next start.
- Blocks pruned beyond it: start-up fails with Core's error, and -reindex
  (which downloads the chain again from Core) brings the index back.
- A reorg moves the lock back to the fork, logged in Core's words, and the
  new branch is indexed as Core indexes it.
"""

import re

from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
INDEX = "basic block filter index"
PRUNE = [MAXTIPAGE, "-fastprune", "-prune=1"]
WITH_INDEX = PRUNE + ["-blockfilterindex=1"]
BEYOND = ("Error: basic block filter index best block of the index goes beyond pruned data. "
          "Please disable the index or reindex (which will download the whole blockchain again)")


class IndexPruneTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(2, [WITH_INDEX, [MAXTIPAGE, "-blockfilterindex=1"]], binaries=["bitrootd", "core"])
        self.start_nodes()
        self.connect_nodes(0, 1)

    def wait_index(self, node, height):
        self.wait_until(lambda: node.getindexinfo() == {INDEX: {"synced": True, "best_block_height": height}},
                        timeout=120)

    def mine(self, n):
        while n > 0:
            step = min(n, 250)
            self.generate(self.nodes[0], step)
            n -= step

    def same_filters(self, heights):
        ours, core = self.nodes
        for h in heights:
            bh = core.getblockhash(h)
            assert_equal(ours.getblockfilter(bh), core.getblockfilter(bh))

    def run_test(self):
        ours, core = self.nodes

        self.log.info("pruneblockchain stops 11 blocks below the index's best block")
        self.mine(700)
        self.wait_index(ours, 700)
        self.wait_index(core, 700)
        with ours.assert_debug_log([INDEX + " limited pruning to height 689"]):
            last = ours.pruneblockchain(400)
        assert 0 < last <= 400, last
        assert_equal(ours.getblockchaininfo()["pruneheight"], last + 1)
        assert_raises_rpc_error(-1, "Block not available (pruned data)", ours.getblock, ours.getblockhash(2))
        self.same_filters([2, last, last + 1, 700])

        self.log.info("pruned up to the index's best block while it was off: it catches up")
        self.mine(51)
        self.wait_index(ours, 751)
        self.restart_node(0, PRUNE)
        self.connect_nodes(0, 1)
        assert_raises_rpc_error(-1, "Index is not enabled for filtertype basic",
                                ours.getblockfilter, ours.getblockhash(751))
        self.mine(749)
        last = ours.pruneblockchain(751)
        assert_greater_than(last, 400)
        assert last <= 751, last
        self.restart_node(0, WITH_INDEX)
        self.connect_nodes(0, 1)
        self.wait_index(ours, 1500)
        self.wait_index(core, 1500)
        self.same_filters([last + 1, 752, 1000, 1499, 1500])

        self.log.info("pruned beyond the index's best block: Core's start-up error, then -reindex")
        self.restart_node(0, PRUNE)
        self.connect_nodes(0, 1)
        self.mine(700)
        last = ours.pruneblockchain(1900)
        # The index, at 1500, would need block 1501 on.
        assert_greater_than(last, 1500)
        self.stop_node(0)
        ours.assert_start_raises_init_error(WITH_INDEX, expected_msg=re.escape(BEYOND),
                                           match=ErrorMatch.PARTIAL_REGEX)
        self.start_node(0, WITH_INDEX + ["-reindex"])
        self.connect_nodes(0, 1)
        self.wait_until(lambda: ours.getbestblockhash() == core.getbestblockhash(), timeout=300)
        self.wait_index(ours, 2200)
        self.wait_index(core, 2200)
        self.same_filters([1, 2, 751, 1500, 2200])
        last = ours.pruneblockchain(1800)
        assert_greater_than(last, 1000)
        self.same_filters([1, 2])

        self.log.info("a reorg moves the lock back to the fork")
        with ours.assert_debug_log([INDEX + " prune lock moved back to 2189"], timeout=60):
            core.invalidateblock(core.getblockhash(2190))
            self.generate(core, 20)
        self.wait_index(ours, 2209)
        self.wait_index(core, 2209)
        self.same_filters([2189, 2190, 2209])


if __name__ == "__main__":
    IndexPruneTest(__file__).main()
