#!/usr/bin/env python3
"""Memory given back: bitrootd's resident size before and after two loads.

usage: contrib/bench/bench_memory.py [--builddir DIR] [--runs 3] [--batch 2000]
                                     [--peers 20] [--keep]

Each run starts one bitrootd (regtest, a fresh temporary datadir, free
loopback ports) that imports ../shared/chains/regtest-dev.dat (-loadblock,
1,100 blocks, 21,886 transactions), waits for the import, and reports VmRSS:

    idle         after the import, settled
    batch peak   sampled while one JSON-RPC batch of N getblock calls at
                 verbosity 2 (cycling over the chain) is answered
    batch after  settled, once the reply has been read
    peers held   while P peers each hold 3.9 MB of a declared 4 MB message
    peers after  settled, once all P have hung up and are gone

Every run's figures are printed, then the medians. The goal (issue 17):
"after" within 50 MB of idle.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "functional"))

from test_framework.memload import half_sent_messages, rpc_getblock_batch, settled_rss_kb  # noqa: E402
from test_framework.test_node import TestNode  # noqa: E402
from test_framework.util import process_rss_kb, wait_until  # noqa: E402

WAIT_LIMIT = 600


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class PeakSampler:
    """Samples a process's VmRSS every 50 ms in a thread; .peak in kB."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, process_rss_kb(self.pid) or 0)
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def one_run(args, workdir):
    daemon = os.path.join(args.builddir, "src", "bitrootd")
    chain = os.path.join(args.shared, "chains", "regtest-dev.dat")
    node = TestNode(0, workdir, binary=daemon, rpc_timeout=WAIT_LIMIT)
    node.start(args_override=[daemon, "-datadir=" + node.datadir, "-printtoconsole=0",
                              "-loadblock=" + chain, "-rpcthreads=4"])
    try:
        node.wait_for_rpc_connection()
        wait_until(lambda: node.getblockcount() >= 1100 and node.getmempoolinfo()["loaded"],
                   timeout=WAIT_LIMIT, message="the import")
        pid = node.process.pid
        fig = {"idle": settled_rss_kb(pid)}
        with PeakSampler(pid) as s:
            status, size, ok = rpc_getblock_batch(node, args.batch, timeout=WAIT_LIMIT)
        fig["batch peak"] = s.peak
        fig["batch after"] = settled_rss_kb(pid)
        fig["reply MB"] = size / 1e6
        fig["answered"] = ok
        held = {}
        with PeakSampler(pid) as s:
            half_sent_messages(node, args.peers, on_held=lambda: held.update(
                rss=settled_rss_kb(pid, timeout=10)))
            wait_until(lambda: node.getconnectioncount() == 0, timeout=WAIT_LIMIT, message="the peers to go")
        fig["peers held"] = max(held.get("rss") or 0, s.peak)
        fig["peers after"] = settled_rss_kb(pid)
        log("  HTTP %d, %d of %d answered, reply %.1f MB" % (status, ok, args.batch, size / 1e6))
        return fig
    finally:
        node.stop_node(timeout=120)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--builddir", default=TOP)
    p.add_argument("--shared", default=os.environ.get("BR_SHARED_DIR") or os.path.join(TOP, "..", "shared"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batch", type=int, default=2000)
    p.add_argument("--peers", type=int, default=20)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    args.builddir = os.path.abspath(args.builddir)
    args.shared = os.path.abspath(args.shared)
    keys = ["idle", "batch peak", "batch after", "peers held", "peers after"]
    runs = []
    for r in range(args.runs):
        workdir = tempfile.mkdtemp(prefix="bench_memory_")
        try:
            fig = one_run(args, workdir)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        runs.append(fig)
        print("run %d: %s" % (r + 1, ", ".join("%s %.0f MB" % (k, fig[k] / 1024) for k in keys)), flush=True)
    med = {k: statistics.median(f[k] for f in runs) / 1024 for k in keys}
    print("median of %d: %s" % (len(runs), ", ".join("%s %.0f MB" % (k, med[k]) for k in keys)))
    print("after - idle: batch %+.0f MB, peers %+.0f MB (goal: under 50)" % (
        med["batch after"] - med["idle"], med["peers after"] - med["idle"]))


if __name__ == "__main__":
    main()
