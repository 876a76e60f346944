#!/usr/bin/env python3
"""mockscheduler: Core's periodic tasks brought forward, their effect there when it returns.

bitrootd's scheduled tasks, as Core's scheduler has them: the net thread
writes peers.dat every 15 minutes (DUMP_PEERS_INTERVAL) and sweeps expired
bans out of banlist.json as often (DUMP_BANS_INTERVAL), the mempool thread
writes fee_estimates.dat every hour (FEE_FLUSH_INTERVAL), all on the
monotonic clock. A fresh node has neither file until one of them is due:

- setmocktime, however far, moves neither (Core's scheduler runs on the
  steady clock);
- mockscheduler steps that add up to less than the interval write nothing;
  the step that reaches it writes the file before the call returns;
- each task runs again an interval after it ran (Core's scheduleEvery);
- a ban expired by node time stays in banlist.json until the ban task
  runs, then leaves it;
- Core's errors for a step outside 1..3600 seconds, a wrong type, a
  fraction, and a call without the step.
"""

import json
import os
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_rpc_exact

RANGE = "delta_time must be between 1 and 3600 seconds (1 hr)"


class MockSchedulerTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        peers = os.path.join(node.chaindir, "peers.dat")
        fees = os.path.join(node.chaindir, "fee_estimates.dat")
        # An address for peers.dat to hold.
        assert node.addpeeraddress("1.2.3.4", 8333)["success"]

        def files():
            return (os.path.exists(peers), os.path.exists(fees))

        assert_equal(files(), (False, False))

        self.log.info("node time does not drive the scheduler")
        node.setmocktime(int(time.time()) + 7 * 24 * 3600)
        assert_equal(node.mockscheduler(1), None)
        assert_equal(files(), (False, False))
        node.setmocktime(0)

        self.log.info("peers.dat: not before 15 minutes of steps, written by the step that reaches them")
        node.mockscheduler(448)                 # 449 s in all
        assert_equal(files(), (False, False))
        node.mockscheduler(450)                 # 899 s: still short, unless a second of real time went by
        node.mockscheduler(1)                   # 900 s
        assert_equal(files()[0], True)
        assert_equal(files()[1], False)

        self.log.info("fee_estimates.dat: not before an hour of steps")
        node.mockscheduler(1800)                # 2700 s
        assert_equal(files()[1], False)
        with node.assert_debug_log(["Flushed fee estimates to fee_estimates.dat."]):
            node.mockscheduler(900)             # 3600 s
        assert_equal(files()[1], True)

        self.log.info("each runs again an interval after it ran")
        os.remove(peers)
        os.remove(fees)
        node.mockscheduler(600)
        assert_equal(files(), (False, False))
        node.mockscheduler(300)                 # 900 s after both ran
        assert_equal(files(), (True, False))
        node.mockscheduler(2600)                # 3500 s after the fee flush
        assert_equal(files()[1], False)
        node.mockscheduler(100)
        assert_equal(files()[1], True)

        self.log.info("banlist.json: an expired ban leaves the file when the 15-minute task runs, not before")
        # The ban task runs with the peers.dat one (both every 15 minutes from
        # start-up), which last ran at the 2600 s step, 100 s ago.
        bans = os.path.join(node.chaindir, "banlist.json")

        def banned():
            with open(bans, encoding="utf8") as f:
                return [b["address"] for b in json.load(f)["banned_nets"]]
        node.setban("10.9.8.7", "add", 60)
        self.wait_until(lambda: os.path.exists(bans) and banned() == ["10.9.8.7/32"])
        node.setmocktime(int(time.time()) + 120)
        os.remove(peers)
        node.mockscheduler(700)
        assert_equal((os.path.exists(peers), banned()), (False, ["10.9.8.7/32"]))
        node.mockscheduler(100)
        assert_equal((os.path.exists(peers), banned()), (True, []))
        node.setmocktime(0)

        self.log.info("bitroot-cli passes the step as a number, as bitcoin-cli does")
        res = node.cli("mockscheduler", "60")
        assert_equal((res.returncode, res.stdout, res.stderr), (0, "", ""))

        self.log.info("Core's errors")
        for bad in (0, -1, 3601, 2**62):
            assert_rpc_exact(-1, RANGE, node.mockscheduler, bad)
        assert_rpc_exact(-1, "JSON integer out of range", node.mockscheduler, 1.5)
        assert_rpc_exact(-3, "Wrong type passed:\n{\n    \"Position 1 (delta_time)\": "
                             "\"JSON value of type string is not of expected type number\"\n}",
                         node.mockscheduler, "60")
        e = None
        try:
            node.mockscheduler()
        except Exception as ex:
            e = ex
        assert e is not None and e.error["code"] == -1
        assert e.error["message"].startswith("mockscheduler delta_time\n")


if __name__ == '__main__':
    MockSchedulerTest(__file__).main()
