#!/usr/bin/env python3
"""Mixed: bitrootd's fee estimates against Bitcoin Core 28.1's on the same market.

core0 and br1 are connected and relay to each other. A MiniWallet sends
transactions at four fee-rate classes (confirming after 1, 2, 4 and 8
blocks), each to one side in turn; once both mempools hold them a block is
mined with generateblock, alternately on each side, holding exactly the
transactions due, so both nodes see every transaction enter at the same
height and confirm in the same block.

- Before any data both answer the same (errors, blocks 0, raw failures).
- After the market: estimatesmartfee (economical and conservative) at
  several targets, and estimaterawfee at several targets and thresholds,
  agree within one fee bucket (a ratio of 1.05) and name the same target;
  the pass and fail ranges of estimaterawfee agree too.
- After both restart (fee_estimates.dat written and read by each), they
  still agree.
- The files themselves are interchangeable: each node started on the
  other's fee_estimates.dat answers as the other did.
"""

import os
import shutil

from decimal import Decimal

from test_framework.feemarket import FeeMarket
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

ROUNDS = 36
SMART_TARGETS = [1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 48, 100]
RAW_TARGETS = [1, 2, 3, 5, 8, 12, 20, 48]
THRESHOLDS = [0.95, 0.85, 0.6]
# Core relays at once to a peer it does not ban.
ARGS = ["-whitelist=noban@127.0.0.1"]


def one_bucket(a, b):
    """Two fee rates (BTC/kvB) in the same or neighbouring 1.05 buckets."""
    a, b = Decimal(a), Decimal(b)
    return max(a, b) <= min(a, b) * Decimal("1.0501")


class InteropFeeEstimationTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.extra_args = [ARGS, ARGS]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def run_test(self):
        core, br = self.nodes
        wallet = MiniWallet(br)
        wallet.generate(110, sync_fun=lambda: self.sync_blocks())

        self.log.info("no data: the same answers")
        self.compare(core, br, exact=True)

        self.log.info("a market of %d blocks fed to both", ROUNDS)
        market = FeeMarket(self, wallet, self.nodes)
        market.fund(market.needed(ROUNDS), br)
        market.run(ROUNDS, sender_for=lambda i: self.nodes[i % 2],
                   miner_for=lambda k: self.nodes[k % 2])
        assert "feerate" in br.estimatesmartfee(2)
        self.compare(core, br)

        self.log.info("after a restart of both (fee_estimates.dat each way)")
        market.mine_round(br, everything=True)
        self.compare(core, br)
        self.restart_node(0)
        self.restart_node(1)
        self.connect_nodes(1, 0)
        self.compare(core, br)

        self.log.info("each reads the other's fee_estimates.dat")
        self.stop_node(0)
        self.stop_node(1)
        core_dat = os.path.join(core.chaindir, "fee_estimates.dat")
        br_dat = os.path.join(br.chaindir, "fee_estimates.dat")
        shutil.copy(core_dat, br_dat + ".core")
        shutil.copy(br_dat, core_dat)
        os.replace(br_dat + ".core", br_dat)
        self.start_node(0)
        self.start_node(1)
        self.connect_nodes(1, 0)
        self.compare(core, br)

    def compare(self, core, br, *, exact=False):
        exact_count = total = 0
        for target in SMART_TARGETS:
            for mode in ("economical", "conservative"):
                c = core.estimatesmartfee(target, mode)
                b = br.estimatesmartfee(target, mode)
                what = "estimatesmartfee(%d, %s): core %s, bitrootd %s" % (target, mode, c, b)
                assert_equal(c["blocks"], b["blocks"])
                assert_equal("feerate" in c, "feerate" in b)
                if "feerate" in c:
                    assert one_bucket(c["feerate"], b["feerate"]), what
                    exact_count += c["feerate"] == b["feerate"]
                else:
                    assert_equal(c, b)
                total += 1
        for target in RAW_TARGETS:
            for threshold in THRESHOLDS:
                c = core.estimaterawfee(target, threshold)
                b = br.estimaterawfee(target, threshold)
                what = "estimaterawfee(%d, %s): core %s, bitrootd %s" % (target, threshold, c, b)
                assert_equal(sorted(c), sorted(b))
                for horizon in c:
                    ch, bh = c[horizon], b[horizon]
                    assert_equal(sorted(ch), sorted(bh))
                    assert_equal((ch["decay"], ch["scale"]), (bh["decay"], bh["scale"]))
                    if "feerate" in ch:
                        assert one_bucket(ch["feerate"], bh["feerate"]), what
                        exact_count += ch["feerate"] == bh["feerate"]
                    for rng in ("pass", "fail"):
                        if rng in ch:
                            for k in ("startrange", "endrange"):
                                a, z = ch[rng][k], bh[rng][k]
                                assert a == z or (a > 0 and one_bucket(a, z)), what
                    total += 1
        self.log.info("  %d comparisons, %d fee rates identical, every one within a bucket",
                      total, exact_count)
        if exact:
            assert_equal(exact_count, 0)


if __name__ == "__main__":
    InteropFeeEstimationTest(__file__).main()
