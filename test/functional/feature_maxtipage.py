#!/usr/bin/env python3
"""-maxtipage decides when getblockchaininfo's initialblockdownload turns false.

- A node whose tip is older than -maxtipage (default 24 hours) stays in
  initial block download; a tip exactly -maxtipage old ends it (Core compares
  tip time < now - maxtipage).
- Once left, the node never goes back (Core latches), even when the clock
  moves far past the tip.
- Checked for the default, a short and a long -maxtipage, as Core's own
  feature_maxtipage.py does: node1 receives the blocks node0 mines with a
  mock clock, and has its own mock clock.
"""

import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

DEFAULT_MAX_TIP_AGE = 24 * 60 * 60


class MaxTipAgeTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.setup_nodes()

    def check(self, maxtipage, set_parameter=True):
        miner, ibd = self.nodes
        self.restart_node(1, ["-maxtipage=%d" % maxtipage] if set_parameter else [])
        self.connect_nodes(0, 1)
        assert_equal(ibd.getblockchaininfo()["initialblockdownload"], True)
        now = int(time.time())
        ibd.setmocktime(now)
        for delta in (5, 4, 3, 2, 1):
            miner.setmocktime(now - maxtipage - delta)
            self.generate(miner, 1)
            assert_equal(ibd.getblockchaininfo()["initialblockdownload"], True)
        miner.setmocktime(now - maxtipage)
        self.generate(miner, 1)
        assert_equal(ibd.getblockchaininfo()["initialblockdownload"], False)
        self.log.info("latched: a clock a year ahead keeps it out of IBD")
        ibd.setmocktime(now + 365 * 24 * 3600)
        assert_equal(ibd.getblockchaininfo()["initialblockdownload"], False)
        ibd.setmocktime(0)
        self.disconnect_nodes(0, 1)

    def run_test(self):
        self.log.info("default -maxtipage (%d s)", DEFAULT_MAX_TIP_AGE)
        self.check(DEFAULT_MAX_TIP_AGE, set_parameter=False)
        # Decreasing, so each round's blocks are newer than the last round's.
        for age in (20 * 3600, 2 * 3600, 1000, 100, 10):
            self.log.info("-maxtipage=%d", age)
            self.check(age)


if __name__ == "__main__":
    MaxTipAgeTest(__file__).main()
