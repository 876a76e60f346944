#!/usr/bin/env python3
"""kill -9 at random moments during import and during P2P sync.

node0 imports ../shared/chains/regtest-dev.dat undisturbed: the reference
(and it must agree with regtest-dev.json). node2 syncs it from node0 over
P2P undisturbed, which times a sync.

node1 imports the same file and is killed with SIGKILL five times at random
moments; node3 syncs from node0 and is killed five times. After every kill
the node must start again with no repair step, at a height no lower than
the last one it reported; in the end both reach the same tip and the same
hash_serialized_3 as the undisturbed nodes.

The chain is years old: node0 is in initial block download and serves
headers only to peers with the "download" permission (as Core), so it runs
with -whitelist=download@127.0.0.1. Syncing nodes connect to node0 with
addnode onetry as soon as their RPC answers after each start.

--randomseed repeats the same kill moments.
"""

import json
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than_or_equal, wait_until

KILLS = 5


class CrashRecoveryTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def wait_synced(self, node, timeout=300):
        wait_until(lambda: node.getbestblockhash() == self.expect["bestblockhash"], timeout=timeout,
                   timeout_factor=self.options.timeout_factor, check_interval=0.2)
        node.syncwithvalidationinterfacequeue()

    def crash_loop(self, i, extra_args, duration, what, on_rpc=None):
        node = self.nodes[i]
        seen = 0
        for k in range(KILLS):
            delay = self.rng.uniform(0.05, max(0.5, duration * 1.1))
            node.start(extra_args)
            deadline = time.monotonic() + delay
            hooked = False
            while time.monotonic() < deadline:
                h = node.height_if_up()
                if h is not None:
                    assert_greater_than_or_equal(h, seen)
                    seen = h
                    if on_rpc and not hooked:
                        try:
                            on_rpc(node)
                            hooked = True
                        except Exception as e:  # noqa: BLE001 -- retried on the next poll
                            self.log.debug("on_rpc: %s", e)
                time.sleep(min(0.05, max(0, deadline - time.monotonic())))
            self.log.info("%s: kill %d of %d at %.2fs, last reported height %d", what, k + 1, KILLS, delay, seen)
            node.kill_process()
        self.log.info("%s: final start, must end at the reference tip", what)
        self.start_node(i, extra_args)
        if on_rpc:
            on_rpc(node)
        # Restarted at the last committed block or later, never before.
        assert_greater_than_or_equal(node.getblockcount(), seen)
        self.wait_synced(node)

    def check_same(self, node):
        assert_equal(node.getblockcount(), self.expect["height"])
        assert_equal(node.getbestblockhash(), self.expect["bestblockhash"])
        assert_equal(node.getblockchaininfo()["chainwork"], self.expect["chainwork"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.reference_utxo)
        assert_equal(node.verifychain(), True)

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        self.log.info("random seed %d", self.options.randomseed)

        self.log.info("node0: undisturbed import (the reference)")
        t = time.monotonic()
        self.start_node(0, ["-loadblock=" + dat, "-whitelist=download@127.0.0.1"])
        self.wait_synced(self.nodes[0])
        import_time = time.monotonic() - t
        self.reference_utxo = self.nodes[0].gettxoutsetinfo()["hash_serialized_3"]
        assert_equal(self.reference_utxo, self.expect["hash_serialized_3"])
        self.log.info("import took %.1fs", import_time)

        self.log.info("node2: undisturbed P2P sync from node0")
        source = "127.0.0.1:%d" % self.nodes[0].p2p_port

        def connect(node):
            node.addnode(source, "onetry")
        t = time.monotonic()
        self.start_node(2)
        connect(self.nodes[2])
        self.wait_synced(self.nodes[2])
        sync_time = time.monotonic() - t
        self.log.info("sync took %.1fs", sync_time)
        self.check_same(self.nodes[2])

        self.log.info("node1: import killed %d times", KILLS)
        self.crash_loop(1, ["-loadblock=" + dat], import_time, "import")
        self.check_same(self.nodes[1])

        self.log.info("node3: P2P sync killed %d times", KILLS)
        self.crash_loop(3, [], sync_time, "sync", on_rpc=connect)
        self.check_same(self.nodes[3])
        self.check_same(self.nodes[0])


if __name__ == "__main__":
    CrashRecoveryTest(__file__).main()
