#!/usr/bin/env python3
"""-debug=bench: the script-check share of block connection.

- node0 (-par=1) and node1 (-par=2) import the shared regtest chain with
  bench logging on: a running total every 100 blocks and one at the end of
  the import, each "scripts S s of C s connect (P%), -par=N, B blocks, ..."
  with 0 <= S <= C (S > 0 at the end), P = 100 * S / C, N the -par given and B growing to the
  chain's height.
- node2 imports with -debugexclude=bench: no bench line at all.
"""

import json
import re

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

BENCH_RE = re.compile(r"\[bench\].*scripts ([0-9.]+) s of ([0-9.]+) s connect "
                      r"\(([0-9.]+)%\), -par=(\d+), (\d+) blocks, (.+)$")


def bench_lines(node):
    out = []
    for line in node.read_debug_log().splitlines():
        m = BENCH_RE.search(line)
        if m:
            out.append((float(m.group(1)), float(m.group(2)), float(m.group(3)),
                        int(m.group(4)), int(m.group(5)), m.group(6)))
    return out


class BenchLogTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def import_chain(self, i, dat, height, args):
        node = self.nodes[i]
        self.start_node(i, extra_args=["-loadblock=" + dat] + args)
        wait_until(lambda: node.getblockcount() >= height, timeout=600,
                   timeout_factor=self.options.timeout_factor, check_interval=0.2)
        node.syncwithvalidationinterfacequeue()
        node.wait_for_debug_log(["Import done"])

    def check_lines(self, node, par, height):
        lines = bench_lines(node)
        assert lines, "no bench line in node%d's debug.log" % node.index
        running = [ln for ln in lines if ln[5] == "running total"]
        done = [ln for ln in lines if ln[5] == "import done"]
        assert_equal(len(done), 1)
        assert_equal([ln[4] for ln in running], list(range(100, height + 1, 100)))
        prev = None
        for scripts, connect, share, npar, blocks, _ in lines:
            assert_equal(npar, par)
            # The first blocks spend nothing: no script checks yet.
            assert 0 <= scripts <= connect and connect > 0, (scripts, connect)
            assert 0 <= share <= 100, share
            # The share is printed to 0.1%, the seconds to 1 ms.
            assert abs(share - 100 * scripts / connect) < 0.2 + 100 * 0.001 / connect, \
                (scripts, connect, share)
            if prev is not None:
                assert scripts >= prev[0] and connect >= prev[1] and blocks >= prev[4]
            prev = (scripts, connect, share, npar, blocks)
        # Every block but genesis went through a connect; most spend.
        assert_equal(done[0][4], height)
        assert done[0][0] > 0 and 0 < done[0][2] < 100, done[0]
        self.log.info("node%d -par=%d: scripts %.3f s of %.3f s connect (%.1f%%)",
                      node.index, par, done[0][0], done[0][1], done[0][2])

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            height = json.load(f)["height"]

        for i, par in ((0, 1), (1, 2)):
            self.log.info("node%d imports with -debug=bench -par=%d", i, par)
            self.import_chain(i, dat, height, ["-debug=bench", "-par=%d" % par])
            self.check_lines(self.nodes[i], par, height)

        self.log.info("node2 imports with bench logging off")
        self.import_chain(2, dat, height, ["-debugexclude=bench", "-par=2"])
        assert_equal(bench_lines(self.nodes[2]), [])


if __name__ == "__main__":
    BenchLogTest(__file__).main()
