#!/usr/bin/env python3
"""Fee estimation (estimatesmartfee, estimaterawfee, fee_estimates.dat) as Core 28.

- Before any data: Core's "Insufficient data" answers (blocks 0, every
  horizon's whole range failed), and Core's errors for bad parameters.
- A synthetic market (four fee classes confirming after 1, 2, 4 and 8
  blocks) fed for 30 blocks: estimates appear, each target names the
  class Core's thresholds pick (60% at target/2, 85% at target, 95% at
  2*target), never rising with the target; estimaterawfee's pass range
  holds the class's rate; far targets are clamped to half the history.
- fee_estimates.dat: written at shutdown in Core's layout and read back
  (the same estimates after a restart); written again when Core's hourly
  scheduler task comes due (mockscheduler), which setmocktime does not
  move; a file older than 60 hours is ignored (Core's
  log line) unless -acceptstalefeeestimates; a corrupt file is reported
  and ignored; -acceptstalefeeestimates is refused outside regtest.
- -blocksonly: no estimator, Core's "Fee estimation disabled".
"""

import os
import struct
import time
from decimal import Decimal

from test_framework.feemarket import FeeMarket
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

NO_DATA = {"errors": ["Insufficient data or no feerate found"], "blocks": 0}
ROUNDS = 30
MAX_FILE_AGE_HOURS = 60


def sat_kvb(feerate):
    return int(Decimal(feerate) * 100000000)


def same_bucket(got, want):
    """got (BTC/kvB) is in the 1.05-wide fee bucket of want (sat/kvB)."""
    return abs(sat_kvb(got) - want) <= want * 0.05


class FeeEstimationTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.rpc_timeout = 120

    def run_test(self):
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(110)
        self.test_no_data(node)
        self.test_bad_params(node)
        self.test_market(node)
        self.test_persistence(node)
        self.test_stale_file(node)
        self.test_corrupt_file(node)
        self.test_blocksonly(node)

    def test_no_data(self, node):
        self.log.info("no data: Core's answers")
        assert_equal(node.estimatesmartfee(2), NO_DATA)
        assert_equal(node.estimatesmartfee(1, "conservative"), NO_DATA)
        raw = node.estimaterawfee(2)
        assert_equal(sorted(raw), ["long", "medium", "short"])
        assert_equal(raw["short"], {
            "decay": Decimal("0.962"), "scale": 1,
            "fail": {"startrange": 0, "endrange": Decimal("1e+99"), "withintarget": 0,
                     "totalconfirmed": 0, "inmempool": 0, "leftmempool": 0},
            "errors": ["Insufficient data or no feerate found which meets threshold"]})
        assert_equal(raw["medium"]["decay"], Decimal("0.9952"))
        assert_equal(raw["long"]["scale"], 24)
        # Only the horizons that track the target.
        assert_equal(sorted(node.estimaterawfee(13)), ["long", "medium"])
        assert_equal(sorted(node.estimaterawfee(49)), ["long"])

    def test_bad_params(self, node):
        self.log.info("bad parameters: Core's errors")
        for target in (0, -1, 1009):
            assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008",
                                    node.estimatesmartfee, target)
            assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008",
                                    node.estimaterawfee, target)
        assert_raises_rpc_error(-8, 'Invalid estimate_mode parameter, must be one of: "unset", '
                                '"economical", "conservative"', node.estimatesmartfee, 2, "fast")
        # The target is checked first, as in Core.
        assert_raises_rpc_error(-8, "Invalid conf_target", node.estimatesmartfee, 0, "fast")
        assert_raises_rpc_error(-1, "JSON integer out of range", node.estimatesmartfee, 2.5)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.estimatesmartfee, 2 ** 40)
        assert_raises_rpc_error(-3, "not of expected type number", node.estimatesmartfee, "2")
        assert_raises_rpc_error(-3, "not of expected type string", node.estimatesmartfee, 2, 1)
        for bad in (-0.1, 1.01):
            assert_raises_rpc_error(-8, "Invalid threshold", node.estimaterawfee, 2, bad)
        assert_raises_rpc_error(-1, "estimatesmartfee", node.estimatesmartfee)
        # Modes in any case.
        for mode in ("unset", "ECONOMICAL", "Conservative"):
            assert_equal(node.estimatesmartfee(2, mode), NO_DATA)

    def test_market(self, node):
        self.log.info("a market of four classes for %d blocks", ROUNDS)
        market = FeeMarket(self, self.wallet, [node])
        market.fund(market.needed(ROUNDS), node)
        market.run(ROUNDS, sender_for=lambda i: node, miner_for=lambda k: node)
        rates = [r for r, _ in market.classes]
        # Target 2 (and 1, answered as 2): 60% within 1 block: the first class.
        for target in (1, 2):
            est = node.estimatesmartfee(target)
            assert same_bucket(est["feerate"], rates[0]), est
            assert_equal(est["blocks"], 2)
        # 4: 60% within 2: the second class.
        assert same_bucket(node.estimatesmartfee(4)["feerate"], rates[1])
        # 8: 60% within 4: the third.
        assert same_bucket(node.estimatesmartfee(8)["feerate"], rates[2])
        prev = None
        for target in range(1, 15):
            for mode in ("economical", "conservative"):
                est = node.estimatesmartfee(target, mode)
                assert "errors" not in est, est
            if prev is not None:
                assert est["feerate"] <= prev
            prev = est["feerate"]
        # Far targets: clamped to half the blocks that recorded data.
        far = node.estimatesmartfee(1000)
        assert 2 <= far["blocks"] <= ROUNDS // 2, far
        raw = node.estimaterawfee(4, 0.95)
        assert_equal(sorted(raw), ["long", "medium", "short"])
        short = raw["short"]
        assert same_bucket(short["feerate"], rates[2]), short
        assert short["pass"]["startrange"] < rates[2] <= short["pass"]["endrange"]
        assert short["fail"]["endrange"] < rates[2]
        assert short["pass"]["withintarget"] > 0
        # A threshold of 0 passes every bucket with data.
        assert "feerate" in node.estimaterawfee(1, 0)["short"]
        self.market = market

    def test_persistence(self, node):
        self.log.info("fee_estimates.dat: written at shutdown, read at start-up")
        self.market.mine_round(node, everything=True)
        before = {t: node.estimatesmartfee(t) for t in (2, 5, 10)}
        raw_before = node.estimaterawfee(6)
        dat = os.path.join(node.chaindir, "fee_estimates.dat")
        with node.assert_debug_log(["Flushed fee estimates to fee_estimates.dat."]):
            self.stop_node(0)
        with open(dat, "rb") as f:
            data = f.read()
        self.good_file = data
        required, wrote, best = struct.unpack_from("<iiI", data)
        assert_equal((required, wrote), (149900, 280100))
        assert_equal(best, 110 + 1 + ROUNDS + 1)
        self.start_node(0)
        assert_equal({t: node.estimatesmartfee(t) for t in (2, 5, 10)}, before)
        assert_equal(node.estimaterawfee(6), raw_before)

        self.log.info("rewritten when the hourly scheduler task is due (mockscheduler), not by node time")
        os.remove(dat)
        now = int(time.time())
        node.setmocktime(now + 3601)
        # mockscheduler answers after the due tasks ran: the file is not due yet.
        node.mockscheduler(1)
        assert not os.path.exists(dat)
        node.setmocktime(0)
        with node.assert_debug_log(["Flushed fee estimates to fee_estimates.dat."]):
            node.mockscheduler(3600)
        assert os.path.exists(dat)

    def test_stale_file(self, node):
        self.log.info("a file older than 60 hours is ignored, unless -acceptstalefeeestimates")
        dat = os.path.join(node.chaindir, "fee_estimates.dat")
        before = node.estimatesmartfee(2)
        self.stop_node(0)
        old = time.time() - (MAX_FILE_AGE_HOURS + 1) * 3600
        os.utime(dat, (old, old))
        with node.assert_debug_log(["too old (age=61 > 60 hours) and will not be used to avoid "
                                    "serving stale estimates."]):
            self.start_node(0)
        assert_equal(node.estimatesmartfee(2), NO_DATA)
        # That run wrote a fresh (empty) file at shutdown: put the old one back.
        self.stop_node(0)
        self.start_node(0)  # reads the empty history just written
        assert_equal(node.estimatesmartfee(2), NO_DATA)
        self.stop_node(0)
        with open(dat, "wb") as f:
            f.write(self.good_file)
        os.utime(dat, (old, old))
        self.start_node(0, extra_args=["-acceptstalefeeestimates"])
        assert_equal(node.estimatesmartfee(2), before)
        self.stop_node(0)
        # Other chains refuse it (a datadir of their own; the node stops before net starts).
        other = os.path.join(self.options.tmpdir, "otherchains")
        os.makedirs(other, exist_ok=True)
        for chain in ("main", "test", "signet", "testnet4"):
            node.assert_start_raises_init_error(
                expected_msg="Error: acceptstalefeeestimates is not supported on %s chain." % chain,
                args_override=[node.args[0], "-datadir=" + other, "-chain=" + chain,
                               "-acceptstalefeeestimates", "-listen=0", "-connect=0", "-dnsseed=0",
                               "-server=0", "-test=nopublicdial"])
        self.start_node(0)

    def test_corrupt_file(self, node):
        self.log.info("a corrupt file is reported and ignored")
        dat = os.path.join(node.chaindir, "fee_estimates.dat")
        self.stop_node(0)
        with open(dat, "wb") as f:
            f.write(struct.pack("<iiIII", 149900, 280100, 10, 11, 5))
        with node.assert_debug_log(["Failed to read fee estimates from", "Historical block range "
                                    "for estimates is invalid"]):
            self.start_node(0)
        assert_equal(node.estimatesmartfee(2), NO_DATA)

    def test_blocksonly(self, node):
        self.log.info("-blocksonly: no estimator")
        self.restart_node(0, extra_args=["-blocksonly"])
        assert_raises_rpc_error(-32603, "Fee estimation disabled", node.estimatesmartfee, 2)
        assert_raises_rpc_error(-32603, "Fee estimation disabled", node.estimaterawfee, 2)


if __name__ == "__main__":
    FeeEstimationTest(__file__).main()
