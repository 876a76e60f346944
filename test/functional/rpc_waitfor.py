#!/usr/bin/env python3
"""waitfornewblock, waitforblock and waitforblockheight are woken by the tip, not a clock.

- waitfornewblock without a timeout, on one connection, answers the block
  another connection mined, promptly (well under a polling period of old),
  with that block's hash and height.
- Several waiters on separate connections are all woken by one block.
- waitforblockheight sees a height reached through several blocks mined one
  at a time on another connection (no block is missed), and answers the tip
  at once when the height is already reached.
- waitforblock wakes when the tip becomes the block it names.
- A tip that moves back (invalidateblock) also wakes waitfornewblock, and
  reconsiderblock wakes it again.
- With a timeout and nothing happening, each answers the current tip after
  about that time (not before it, not long after).
- waitfornewblock with a current_tip that is not the tip answers at once.
"""

import threading
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

# Longer than a waiter can need, short enough that a stuck one fails the test.
JOIN_S = 30
# How soon a woken waiter must answer after the block's RPC returned (the
# margin is for a loaded machine: a tip-driven wake-up takes milliseconds).
PROMPT_S = 2.0


class Waiter:
    """Runs one waitfor* call on its own RPC connection, in a thread."""

    def __init__(self, node, method, *args):
        self.proxy = node.get_rpc_proxy(timeout=120)
        self.result = None
        self.error = None
        self.done_at = None
        self.thread = threading.Thread(target=self._run, args=(method, args))

    def _run(self, method, args):
        try:
            self.result = getattr(self.proxy, method)(*args)
        except Exception as e:  # reported by join()
            self.error = e
        self.done_at = time.monotonic()

    def start(self):
        self.thread.start()
        return self

    def join(self):
        self.thread.join(JOIN_S)
        assert not self.thread.is_alive(), "waiter still blocked"
        assert self.error is None, self.error
        return self.result


class RpcWaitForTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def settle(self, *waiters):
        """Gives the waiters time to reach the node and start waiting."""
        time.sleep(0.5)
        for w in waiters:
            assert w.thread.is_alive(), "waiter answered before the tip moved: %s" % w.result

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 3)

        self.log.info("waitfornewblock (no timeout) answers another connection's block promptly")
        w = Waiter(node, "waitfornewblock").start()
        self.settle(w)
        new = self.generate(node, 1)[0]
        mined_at = time.monotonic()
        assert_equal(w.join(), {"hash": new, "height": 4})
        assert w.done_at - mined_at < PROMPT_S, "answered %.3f s after the block" % (w.done_at - mined_at)

        self.log.info("one block wakes every waiter")
        ws = [Waiter(node, "waitfornewblock", 0).start() for _ in range(3)]
        self.settle(*ws)
        new = self.generate(node, 1)[0]
        for w in ws:
            assert_equal(w.join(), {"hash": new, "height": 5})

        self.log.info("waitforblockheight sees a height reached one block at a time")
        w = Waiter(node, "waitforblockheight", 10).start()
        self.settle(w)
        hashes = []
        for _ in range(5):
            hashes += self.generate(node, 1)
            if len(hashes) < 5:
                assert w.thread.is_alive(), "answered below the height: %s" % w.result
        assert_equal(w.join(), {"hash": hashes[-1], "height": 10})
        assert_equal(node.waitforblockheight(3), {"hash": hashes[-1], "height": 10})

        self.log.info("waitforblock wakes when the tip becomes its block")
        node.invalidateblock(hashes[-1])
        w = Waiter(node, "waitforblock", hashes[-1]).start()
        self.settle(w)
        node.reconsiderblock(hashes[-1])
        assert_equal(w.join(), {"hash": hashes[-1], "height": 10})

        self.log.info("a tip moving back wakes waitfornewblock, and so does moving forward again")
        w = Waiter(node, "waitfornewblock").start()
        self.settle(w)
        node.invalidateblock(hashes[-1])
        assert_equal(w.join(), {"hash": hashes[-2], "height": 9})
        w = Waiter(node, "waitfornewblock").start()
        self.settle(w)
        node.reconsiderblock(hashes[-1])
        assert_equal(w.join(), {"hash": hashes[-1], "height": 10})

        self.log.info("with a timeout and no block, the current tip after about that time")
        for method, args in (("waitfornewblock", (1500,)),
                             ("waitforblockheight", (100, 1500)),
                             ("waitforblock", ("11" * 32, 1500))):
            start = time.monotonic()
            assert_equal(getattr(node, method)(*args), {"hash": hashes[-1], "height": 10})
            took = time.monotonic() - start
            assert 1.4 <= took < 1.5 + PROMPT_S, "%s took %.3f s" % (method, took)

        self.log.info("waitfornewblock with a current_tip other than the tip answers at once")
        start = time.monotonic()
        assert_equal(node.waitfornewblock(0, hashes[0]), {"hash": hashes[-1], "height": 10})
        assert time.monotonic() - start < PROMPT_S


if __name__ == "__main__":
    RpcWaitForTest(__file__).main()
