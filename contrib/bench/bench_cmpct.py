#!/usr/bin/env python3
"""Compact block reconstruction rate and one-hop block relay time.

usage: contrib/bench/bench_cmpct.py [--blocks 20] [--txs 50] [--receiver bitrootd|core]
                                    [framework options, e.g. --tmpdir]

Two regtest nodes on loopback: node0 (bitrootd, the miner) and node1 (the
receiver: bitrootd, or Core 28.1 with --receiver core), node1 connected out
to node0, -debug=cmpctblock on node1. After the warm-up (node1 makes node0 a
high-bandwidth peer), for each block:

    warm  --txs transactions are sent to node0 and the script waits until
          node1's mempool holds them all, then node0 mines one block;
    hot   the same, but node0 mines as soon as its own mempool has them, so
          part of them may still be on their way to node1.

Per block it records whether node1 rebuilt it without a round trip (its
"Successfully reconstructed block ... 0 txn requested" log line; a block
fetched in full or with getblocktxn counts as not), and the time from
node0's generate reply until node1's tip is the block (RPC polling every
2 ms). Prints the rate and the median/p90/max time for each mode. Bounded:
every wait has a timeout; the framework stops the nodes.
"""

import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "functional"))

from test_framework.test_framework import BitrootTestFramework  # noqa: E402
from test_framework.wallet import MiniWallet  # noqa: E402

RECON = re.compile(r"Successfully reconstructed block ([0-9a-f]{64}) .* and (\d+) txn requested")


def pct(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


class BenchCmpct(BitrootTestFramework):
    def add_options(self, parser):
        parser.add_argument("--blocks", type=int, default=20)
        parser.add_argument("--txs", type=int, default=50)
        parser.add_argument("--receiver", choices=["bitrootd", "core"], default="bitrootd")

    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.node_impls = ["bitrootd", self.options.receiver]
        self.extra_args = [[], ["-debug=cmpctblock"]]
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def run_test(self):
        n0, n1 = self.nodes
        self.wallet = MiniWallet(n0)
        self.wallet.generate(self.options.txs * 2 + 101, sync_fun=self.no_op)
        self.sync_blocks()
        self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in n1.getpeerinfo()), timeout=120)
        self.wait_until(lambda: n1.getpeerinfo()[0]["bip152_hb_to"], timeout=120)
        results = {}
        for mode in ("warm", "hot"):
            results[mode] = [self.one_block(mode) for _ in range(self.options.blocks)]
        log = open(n1.debug_log_path, errors="replace").read()
        rebuilt = {m.group(1): int(m.group(2)) for m in RECON.finditer(log)}
        for mode, rows in results.items():
            free = sum(1 for h, _ in rows if rebuilt.get(h) == 0)
            times = [t for _, t in rows]
            print("%s: %d/%d blocks rebuilt without a round trip (%.0f%%); relay p50 %.1f ms, p90 %.1f ms, "
                  "max %.1f ms" % (mode, free, len(rows), 100.0 * free / len(rows), statistics.median(times),
                                   pct(times, 0.9), max(times)))

    def one_block(self, mode):
        n0, n1 = self.nodes
        txids = [self.wallet.send_self_transfer(from_node=n0, fee_rate=20000)["txid"]
                 for _ in range(self.options.txs)]
        if mode == "warm":
            self.wait_until(lambda: set(txids) <= set(n1.getrawmempool()), timeout=120)
        h = n0.generatetoaddress(1, self.wallet.get_address())[0]
        t0 = time.monotonic()
        deadline = t0 + 60
        while n1.getbestblockhash() != h:
            if time.monotonic() > deadline:
                raise AssertionError("block %s did not reach node1 in 60 s" % h)
            time.sleep(0.002)
        return h, (time.monotonic() - t0) * 1000.0


if __name__ == "__main__":
    BenchCmpct(__file__).main()
