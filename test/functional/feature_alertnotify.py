#!/usr/bin/env python3
"""-alertnotify and the unknown version-bits warning, as Core 28.

br0 (bitrootd, with -alertnotify appending %s to a file) mines with
-blockversion setting version bit 27, which it does not know (Core's
feature_versionbits_warning.py does the same through P2P): 108 of a
144-block period lock it in, the next period activates it. core1, the
shared Core node, follows the chain and mines some of it; its alerts are
not compared: it is Bitcoin Inquisition, whose "heretical" deployments
replace BIP9 and which raises no unknown-bits warning (checked by hand:
no warning, no alert after the same chain).

- While the bit is only locked in: no warning, no alert.
- Once active: the command runs once, with Core's message
  "Unknown new rules activated (versionbit 27)" (sanitised, single-quoted),
  and getblockchaininfo's, getnetworkinfo's and getmininginfo's
  "warnings" list it.
- More blocks do not repeat it; after a restart the next block raises it
  again (Core keeps warnings for the run).
- A command that takes long does not hold the node back (blocks are mined
  and RPC answers while it sleeps), and the runner does not start one
  command per event at once.
"""

import os
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

PERIOD = 144
VERSION_BIT27 = 0x20000000 | (1 << 27)
WARNING = "Unknown new rules activated (versionbit 27)"


class AlertNotifyTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["bitrootd", "core"]
        self.rpc_timeout = 120

    def alert_path(self, i):
        return os.path.join(self.options.tmpdir, "alert%d.txt" % i)

    def setup_network(self):
        self.alert_args = [["-alertnotify=echo %%s >> %s" % self.alert_path(0)], []]
        self.extra_args = [self.alert_args[0] + ["-blockversion=%d" % VERSION_BIT27], []]
        self.setup_nodes()
        self.connect_nodes(0, 1)

    def alerts(self, i):
        try:
            with open(self.alert_path(i), encoding="utf8") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def run_test(self):
        br, core = self.nodes
        self.log.info("bit 27 signalled for a period: locked in, no warning yet")
        # Period 0 (heights 0..143) starts the bit; period 1 (144..287)
        # counts it: locked in for the blocks after 287.
        self.generate(br, 2 * PERIOD - 1)
        assert_equal(br.getblockheader(br.getbestblockhash())["version"], VERSION_BIT27)
        assert_equal(br.getblockchaininfo()["warnings"], [])
        assert_equal(self.alerts(0), [])

        self.log.info("the next period activates it: one alert, Core's message")
        self.generate(br, PERIOD - 1)
        time.sleep(1)
        assert_equal(self.alerts(0), [])
        assert_equal(br.getblockchaininfo()["warnings"], [])
        # Tip 431 ends period 2: active for the next block.
        self.generate(br, 1)
        self.wait_until(lambda: self.alerts(0) == [WARNING], timeout=60)
        assert_equal(br.getblockchaininfo()["warnings"], [WARNING])
        assert_equal(br.getnetworkinfo()["warnings"], [WARNING])
        assert_equal(br.getmininginfo()["warnings"], [WARNING])

        self.log.info("more blocks do not repeat it")
        self.generate(br, 3)
        time.sleep(1)
        assert_equal(self.alerts(0), [WARNING])

        self.log.info("after a restart the next block raises it again")
        self.restart_node(0, extra_args=self.alert_args[0])
        assert_equal(br.getblockchaininfo()["warnings"], [])
        self.connect_nodes(0, 1)
        self.generate(core, 1)
        self.wait_until(lambda: self.alerts(0) == [WARNING, WARNING], timeout=60)

        self.log.info("a slow command holds nothing back")
        slow = os.path.join(self.options.tmpdir, "slow.txt")
        self.restart_node(0, extra_args=["-alertnotify=sleep 5; echo %%s >> %s" % slow])
        self.connect_nodes(0, 1)
        start = time.monotonic()
        self.generate(core, 1)
        self.generate(br, 5)
        assert_equal(br.getblockchaininfo()["warnings"], [WARNING])
        # Mining and RPC went on while the command slept (it runs on its own thread).
        assert not os.path.exists(slow) or time.monotonic() - start >= 5
        self.wait_until(lambda: os.path.exists(slow), timeout=60)
        with open(slow, encoding="utf8") as f:
            assert_equal(f.read().splitlines(), [WARNING])


if __name__ == "__main__":
    AlertNotifyTest(__file__).main()
