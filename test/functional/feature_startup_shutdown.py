#!/usr/bin/env python3
"""Start-up and shutdown: every way of stopping exits 0 with nothing on stderr.

- A fresh node is at the regtest genesis block.
- `stop` over RPC, SIGTERM and SIGINT each stop the node with status 0 and an
  empty stderr (the framework checks both), remove the cookie, and keep the
  chain for the next start.
- Shutdown completes while a long-poll RPC is waiting and a P2P peer is
  connected.
- After kill -9 the node restarts at its last block with no repair step.
- -version and -help exit 0 and print what they should.
"""

import os
import signal
import subprocess
import threading
import time

from test_framework.authproxy import JSONRPCException
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import REGTEST_GENESIS_HASH, assert_equal, assert_greater_than_or_equal


class StartupShutdownTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.log.info("A fresh node is at genesis")
        assert_equal(node.getblockcount(), 0)
        assert_equal(node.getbestblockhash(), REGTEST_GENESIS_HASH)
        assert_equal(node.getblockhash(0), REGTEST_GENESIS_HASH)
        assert_greater_than_or_equal(node.uptime(), 0)
        assert os.path.isfile(node.cookie_path)

        self.log.info("stop over RPC: reply, exit 0, empty stderr, cookie removed, chain kept")
        hashes = self.generate(node, 5)
        reply = node.stop()
        assert "stopping" in reply.lower(), reply
        node.wait_until_stopped()
        assert not os.path.exists(node.cookie_path), "the cookie must be removed at stop"
        self.start_node(0)
        assert_equal(node.getblockcount(), 5)
        assert_equal(node.getbestblockhash(), hashes[-1])

        for sig in (signal.SIGTERM, signal.SIGINT):
            self.log.info("%s: ordered shutdown with exit 0 and empty stderr", signal.Signals(sig).name)
            hashes += self.generate(node, 1)
            node.stop_with_signal(sig)
            assert not os.path.exists(node.cookie_path)
            self.start_node(0)
            assert_equal(node.getbestblockhash(), hashes[-1])

        self.log.info("stop(wait=...) as the harness calls it")
        node.stop_node(wait=200)
        self.start_node(0)

        self.log.info("Shutdown while a long-poll RPC waits and a P2P peer is connected")
        node.add_p2p_connection(P2PInterface())
        waiter = node.get_rpc_proxy(timeout=120)
        outcome = {}

        def long_poll():
            try:
                outcome["result"] = waiter.waitfornewblock(60000)
            except (JSONRPCException, OSError, ConnectionError) as e:
                outcome["error"] = e
            except Exception as e:  # noqa: BLE001 -- recorded and reported below
                outcome["error"] = e
        t = threading.Thread(target=long_poll)
        t.start()
        time.sleep(0.5)
        started = time.monotonic()
        node.stop_node(timeout=60)
        took = time.monotonic() - started
        t.join(30)
        assert not t.is_alive(), "waitfornewblock still blocked after the node stopped"
        self.log.info("stopped in %.2fs with a long poll in flight (%s)", took, outcome)
        assert took < 30, "shutdown waited for the long poll"
        self.start_node(0)
        assert_equal(node.getbestblockhash(), hashes[-1])

        self.log.info("kill -9: restart at the last block without repair")
        hashes += self.generate(node, 3)
        node.kill_process()
        self.start_node(0)
        assert_equal(node.getblockcount(), len(hashes))
        assert_equal(node.getbestblockhash(), hashes[-1])
        # And it goes on.
        hashes += self.generate(node, 1)
        assert_equal(node.getblockcount(), len(hashes))

        self.log.info("-version and -help")
        res = subprocess.run([self.options.bitrootd, "-version"], capture_output=True, text=True, timeout=30)
        assert_equal(res.returncode, 0)
        assert "bitroot" in res.stdout.lower(), res.stdout
        assert any(ch.isdigit() for ch in res.stdout), res.stdout
        assert_equal(res.stderr, "")
        for flag in ("-help", "-h", "-?"):
            res = subprocess.run([self.options.bitrootd, flag], capture_output=True, text=True, timeout=30)
            assert_equal(res.returncode, 0)
            for opt in ("-datadir", "-chain", "-conf", "-daemon", "-rpcport", "-loadblock"):
                assert opt in res.stdout, "%s help lacks %s" % (flag, opt)
            assert_equal(res.stderr, "")


if __name__ == "__main__":
    StartupShutdownTest(__file__).main()
