#!/usr/bin/env python3
"""Sync batches: during initial download, blocks share store transactions.

doc/store.md ("Sync batches"): while in initial download the validation
thread connects blocks in one LMDB write transaction until its estimated
changed pages reach the coins-cache part of -dbcache (or 15 s pass, or it
runs out of work, or a call comes in).

- node0 imports the shared chain with -debug=bench and -blockfilterindex:
  the log shows batches of many blocks. While it imports, every height that
  getblockcount reports (the store's tip) is whole: getblockhash, getblock
  and getblockheader answer for it, the header is in the active chain, and
  the chainstate never shows a tip above it. It ends on Core's tip and
  hash_serialized_3, and the filter index (told of blocks only when their
  batch commits) has every block.
- -dbcache is read: node1 with -dbcache=4 commits in more, smaller batches,
  and getchainstates reports Core's cache split of that -dbcache: the same
  as Core 28.1 (node2) for 4, 0, 1000 and 100000 MiB (clamped to 4..16384
  alike); -dbcache=abc stops start-up.
- kill -9 during a reindex with -dbcache=4: the restart opens at no less
  than the last height reported (a kill loses nothing committed) with no
  repair, and a second -loadblock ends on the same tip and hash.
"""

import json
import re
import time

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than, wait_until

BATCH = re.compile(r"sync batch: (\d+) blocks")


class SyncBatchTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.node_impls = ["bitrootd", "bitrootd", "core"]

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)

    def cache_split(self, node):
        cs = node.getchainstates()["chainstates"][0]
        return cs["coins_db_cache_bytes"], cs["coins_tip_cache_bytes"]

    def batches(self, node):
        with open(node.debug_log_path, encoding="utf8") as f:
            return [int(m.group(1)) for m in BATCH.finditer(f.read())]

    def check_tip(self, node):
        assert_equal(node.getbestblockhash(), self.expect["bestblockhash"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.expect["hash_serialized_3"])

    def watch_import(self, node):
        """Polls while node imports; every reported height must be whole."""
        seen = 0
        checked = 0
        deadline = time.time() + 600 * self.options.timeout_factor
        while seen < self.expect["height"]:
            assert time.time() < deadline, "import did not finish"
            h = node.getblockcount()
            assert h >= seen, (h, seen)
            seen = h
            bh = node.getblockhash(h)
            hdr = node.getblockheader(bh)
            assert_equal(hdr["height"], h)
            assert hdr["confirmations"] >= 1, hdr
            assert_equal(len(node.getblock(bh, 0)) > 0, True)
            # The chainstate's tip (getblockchaininfo) never runs ahead of it.
            info = node.getblockchaininfo()
            assert info["blocks"] >= h, (info["blocks"], h)
            checked += 1
            time.sleep(0.05)
        return checked

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        n0, n1 = self.nodes[:2]

        self.log.info("an import in batches; every reported height is whole meanwhile")
        self.start_node(0, ["-debug=bench", "-blockfilterindex=1", "-loadblock=" + dat])
        checked = self.watch_import(n0)
        self.log.info("... %d polls during the import", checked)
        self.check_tip(n0)
        sizes = self.batches(n0)
        self.log.info("... batches of %s blocks", sizes[:20])
        assert_greater_than(max(sizes), 50)
        wait_until(lambda: n0.getindexinfo("basic block filter index")["basic block filter index"]["synced"],
                   timeout=120, timeout_factor=self.options.timeout_factor)
        tip = self.expect["bestblockhash"]
        assert_equal(n0.getindexinfo()["basic block filter index"]["best_block_height"], self.expect["height"])
        assert "filter" in n0.getblockfilter(tip)
        self.stop_node(0)

        self.log.info("-dbcache=4: smaller batches, more of them; getchainstates reports its split")
        self.start_node(1, ["-debug=bench", "-dbcache=4", "-loadblock=" + dat])
        wait_until(lambda: n1.getblockcount() == self.expect["height"], timeout=600,
                   timeout_factor=self.options.timeout_factor)
        self.check_tip(n1)
        small = self.batches(n1)
        self.log.info("... batches of %s blocks", small[:20])
        assert_greater_than(len(small), len(sizes))
        assert max(small) < max(sizes), (max(small), max(sizes))
        # Core 28: 4 MiB less the block tree's 0.5 MiB, then the coins database's half.
        total = (4 << 20) - (4 << 20) // 8
        db = min(total // 2, total // 4 + (1 << 23), 8 << 20)
        assert_equal(self.cache_split(n1), (db, total - db))
        self.stop_node(1)

        self.log.info("-dbcache as Core 28.1 reads it: the same split, clamped alike; not a number stops start-up")
        core = self.nodes[2]
        for arg in ("-dbcache=4", "-dbcache=0", "-dbcache=1000", "-dbcache=100000"):
            self.start_node(1, [arg])
            self.start_node(2, [arg])
            assert_equal(self.cache_split(n1), self.cache_split(core))
            self.stop_node(1)
            self.stop_node(2)
        n1.assert_start_raises_init_error(
            ["-dbcache=abc"], "Error: Error parsing command line arguments: Invalid value -dbcache=abc: not an integer")

        self.log.info("kill -9 in the middle of an import, then the import again")
        # Small batches (-dbcache=4), so that the kill lands between commits.
        self.start_node(0, ["-reindex", "-dbcache=4", "-loadblock=" + dat])
        wait_until(lambda: n0.getblockcount() >= 100, timeout=600, timeout_factor=self.options.timeout_factor,
                   check_interval=0.02)
        reported = n0.getblockcount()
        n0.kill_process()
        self.start_node(0)
        opened = n0.getblockcount()
        self.log.info("... killed after height %d was reported, reopened at %d", reported, opened)
        assert opened >= reported, (opened, reported)
        assert_equal(n0.verifychain(4, 0), True)
        self.restart_node(0, ["-loadblock=" + dat])
        wait_until(lambda: n0.getblockcount() == self.expect["height"], timeout=600,
                   timeout_factor=self.options.timeout_factor)
        self.check_tip(n0)
        try:
            n0.getblock(n0.getblockhash(self.expect["height"]))
        except JSONRPCException as e:
            raise AssertionError("tip block unreadable: %s" % e.error)


if __name__ == "__main__":
    SyncBatchTest(__file__).main()
