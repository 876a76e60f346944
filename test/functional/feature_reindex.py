#!/usr/bin/env python3
"""-reindex rebuilds the block index and the chainstate from the block files.

- node0 imports the shared chain (-fastprune: many small block files),
  then restarts with -reindex and no peers and no -loadblock: it reaches
  Core's tip and hash_serialized_3 from its own block files alone, the old
  files are gone afterwards (blocks/reindex/ removed) and the blocks are
  served from the new files.
- The block index really is rebuilt: with chainstate/ deleted (the index
  lost), -reindex still reaches the tip from blocks/.
- A reindex cut by kill -9 continues at the next start without -reindex
  and ends on the same tip.
- -reindex of a node that has no block files starts a new store.
"""

import json
import os
import shutil
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


class ReindexTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def wait_tip(self, node):
        wait_until(lambda: node.getblockcount() >= self.expect["height"], timeout=600,
                   timeout_factor=self.options.timeout_factor, check_interval=0.2)
        node.syncwithvalidationinterfacequeue()

    def check_chain(self, node):
        assert_equal(node.getblockcount(), self.expect["height"])
        assert_equal(node.getbestblockhash(), self.expect["bestblockhash"])
        assert_equal(node.getblockchaininfo()["chainwork"], self.expect["chainwork"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.expect["hash_serialized_3"])
        assert_equal(node.verifychain(4, 0), True)
        # Served from the new files.
        for h in (0, 1, self.expect["height"] // 2, self.expect["height"]):
            assert_equal(len(node.getblock(node.getblockhash(h), 0)) > 0, True)

    def blk_files(self, node):
        d = os.path.join(node.chaindir, "blocks")
        return sorted(f for f in os.listdir(d) if f.startswith("blk"))

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        n0 = self.nodes[0]
        rdir = os.path.join(n0.chaindir, "blocks", "reindex")

        self.log.info("node0 imports the chain into small block files")
        self.start_node(0, ["-fastprune", "-loadblock=" + dat])
        self.wait_tip(n0)
        self.check_chain(n0)
        files = self.blk_files(n0)
        assert len(files) > 3, files
        self.stop_node(0)

        self.log.info("-reindex without peers or -loadblock: from the block files alone")
        with n0.assert_debug_log(["Reindexing: a new block index and chainstate", "Reindexing finished"]):
            self.start_node(0, ["-fastprune", "-reindex"])
            self.wait_tip(n0)
            wait_until(lambda: not os.path.exists(rdir), timeout=60, timeout_factor=self.options.timeout_factor)
        self.check_chain(n0)
        assert_equal(len(self.blk_files(n0)) > 3, True)
        self.stop_node(0)

        self.log.info("The block index lost (chainstate/ deleted): -reindex rebuilds it")
        shutil.rmtree(os.path.join(n0.chaindir, "chainstate"))
        self.start_node(0, ["-fastprune", "-reindex"])
        self.wait_tip(n0)
        self.check_chain(n0)
        self.stop_node(0)

        self.log.info("A reindex cut by kill -9 continues at the next start")
        # Small sync batches (-dbcache=4), so that the height moves in steps.
        n0.start(["-fastprune", "-reindex", "-dbcache=4"])
        deadline = time.monotonic() + 60 * self.options.timeout_factor
        while time.monotonic() < deadline:
            h = n0.height_if_up()
            if h is not None and h >= 50:
                break
            time.sleep(0.02)
        n0.kill_process()
        assert os.path.exists(os.path.join(rdir, "MOVED")), "killed after the reindex finished"
        with n0.assert_debug_log(["Reindexing: continuing the reindex", "Reindexing finished"]):
            self.start_node(0, ["-fastprune"])
            self.wait_tip(n0)
            wait_until(lambda: not os.path.exists(rdir), timeout=60,
                       timeout_factor=self.options.timeout_factor)
        self.check_chain(n0)
        self.restart_node(0, ["-fastprune"])
        self.check_chain(n0)
        self.stop_node(0)

        self.log.info("-reindex of a node without block files: a new store")
        n1 = self.nodes[1]
        self.start_node(1, ["-reindex"])
        assert_equal(n1.getblockcount(), 0)
        n1.generatetoaddress(3, "bcrt1q5lmq9mha7csw8aup8efs446mkhznjh2klvsdmj")
        self.restart_node(1, ["-reindex"])
        wait_until(lambda: n1.getblockcount() == 3, timeout=60, timeout_factor=self.options.timeout_factor)


if __name__ == "__main__":
    ReindexTest(__file__).main()
