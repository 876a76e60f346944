#!/usr/bin/env python3
"""The datadir lock: a second bitrootd on the same datadir is refused.

- <datadir>/regtest/.lock exists while the node runs.
- A second instance exits 1 with Core's message ("Cannot obtain a lock on
  ... directory ... is probably already running") and the first one is not
  disturbed.
- The lock is the kernel's (flock): after kill -9 the next start succeeds,
  with no stale lock to clean up; after a clean stop, too.
"""

import os

from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch, TestNode
from test_framework.util import assert_equal


class LockTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def second_instance(self):
        # Same index -> same datadir and config; a separate process wrapper.
        return TestNode(0, self.tmpdir, binary=self.options.bitrootd, cli_binary=self.options.bitrootcli,
                        timeout_factor=self.options.timeout_factor, logger=self.log)

    def run_test(self):
        node = self.nodes[0]
        hashes = self.generate(node, 3)
        lock = os.path.join(node.chaindir, ".lock")
        assert os.path.exists(lock), "no .lock file in the chain directory"

        self.log.info("A second instance on the same datadir is refused")
        other = self.second_instance()
        stderr = other.assert_start_raises_init_error(
            [], r"^Error: Cannot obtain a lock on (data )?directory .*%s.*\..* is probably already running\."
            % os.path.basename(node.datadir), match=ErrorMatch.PARTIAL_REGEX)
        self.log.debug("second instance said: %s", stderr)
        # The first one carries on untouched.
        assert_equal(node.getbestblockhash(), hashes[-1])
        hashes += self.generate(node, 1)
        assert os.path.isfile(node.cookie_path), "the refused instance must not remove the cookie"

        self.log.info("After kill -9 the lock is gone with the process")
        node.kill_process()
        other = self.second_instance()
        other.start()
        other.wait_for_rpc_connection()
        assert_equal(other.getbestblockhash(), hashes[-1])
        self.log.info("... and while this one runs, the original is refused in turn")
        node.assert_start_raises_init_error(
            [], r"Cannot obtain a lock on (data )?directory .*probably already running", match=ErrorMatch.PARTIAL_REGEX)
        other.stop_node()

        self.log.info("After a clean stop the original starts again")
        self.start_node(0)
        assert_equal(node.getbestblockhash(), hashes[-1])


if __name__ == "__main__":
    LockTest(__file__).main()
