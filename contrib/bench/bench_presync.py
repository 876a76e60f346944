#!/usr/bin/env python3
"""Resident memory a low-work header flood costs the node, with and without presync.

usage: contrib/bench/bench_presync.py [--headers 200000] [--runs 3]
                                      [framework options, e.g. --tmpdir]

Per run, two fresh regtest nodes with -minimumchainwork far above the flood:
node0 gets the flood from an ordinary test peer (the presync defence: nothing
stored), node1 from a peer it grants noban (as Core, noban lifts the work
check: every header is stored, which is what every peer got before presync).
The peer answers the node's getheaders from a chain of --headers regtest
headers on genesis (the one p2p_headers_presync.py builds). Per node: VmRSS
before the peer connects and once the node has answered the last batch, the
headers the node stored, and the time to take the flood. Prints the median
of --runs for each.
"""

import os
import shutil
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "functional"))

from p2p_headers_presync import FloodPeer, HIGH_WORK, build_headers, vm_rss_kb  # noqa: E402
from test_framework.test_framework import BitrootTestFramework  # noqa: E402


class BenchPresync(BitrootTestFramework):
    def add_options(self, parser):
        parser.add_argument("--headers", type=int, default=200_000)
        parser.add_argument("--runs", type=int, default=3)

    def set_test_params(self):
        self.num_nodes = 2
        self.rpc_timeout = 300
        self.extra_args = [["-minimumchainwork=" + HIGH_WORK],
                           ["-minimumchainwork=" + HIGH_WORK, "-whitelist=noban@127.0.0.1"]]

    def setup_network(self):
        self.setup_nodes()

    def flood(self, node, raws, hashes, genesis, stores):
        peer = FloodPeer(genesis, raws, hashes, len(raws))
        before = vm_rss_kb(node.pid)
        t0 = time.monotonic()
        node.add_p2p_connection(peer)
        # The end: the node asked past the last header (presync), or
        # stored them all (noban).
        self.wait_until(lambda: peer.empty_sent > 0 and (not stores or
                                                         node.getblockchaininfo()["headers"] == len(raws)),
                        timeout=1800)
        peer.sync_with_ping(timeout=600)
        secs = time.monotonic() - t0
        after = vm_rss_kb(node.pid)
        stored = node.getblockchaininfo()["headers"]
        node.disconnect_p2ps()
        return (after - before) / 1024, stored, secs

    def run_test(self):
        genesis_hex = self.nodes[0].getblockhash(0)
        genesis = bytes.fromhex(genesis_hex)[::-1]
        gtime = self.nodes[0].getblockheader(genesis_hex)["time"]
        raws, hashes = build_headers(genesis, gtime, self.options.headers)
        res = {0: [], 1: []}
        for run in range(self.options.runs):
            if run > 0:
                for i in (0, 1):
                    self.stop_node(i)
                    # A fresh datadir: the noban node stored the flood.
                    shutil.rmtree(os.path.join(self.nodes[i].datadir, "regtest", "chainstate"))
                    self.start_node(i)
            for i in (0, 1):
                res[i].append(self.flood(self.nodes[i], raws, hashes, genesis, i == 1))
                self.log.info("run %d node%d: RSS +%.1f MB, %d headers stored, %.1f s",
                              run, i, *res[i][-1])
        for i, name in ((0, "presync (ordinary peer)"), (1, "no defence (noban peer)")):
            rss = statistics.median(r[0] for r in res[i])
            secs = statistics.median(r[2] for r in res[i])
            print("%s: %d headers, RSS growth median %.1f MB, %s stored, %.1f s" %
                  (name, self.options.headers, rss, res[i][-1][1], secs))


if __name__ == "__main__":
    BenchPresync(__file__).main()
