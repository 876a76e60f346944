#!/usr/bin/env python3
"""The multi-host test network of contrib/testnet on one machine.

- Four bitrootd hosts, each in its own network namespace, in a ring of
  20 ms links: five blocks mined on host 0 reach every other host, within a
  bound, and every host ends on the same tip.
- The link delay really applies (a TCP round trip over a link takes at least
  twice the one-way delay, and no block reaches a neighbour faster than one
  delay), whether tc netem or the user-space emulator carries it.
- Clean-up: after the run no namespace of it and no daemon of it remains;
  the same when the script is stopped by SIGTERM in the middle of a run.

Skips (exit 77) when namespaces cannot be made here: not root, no
CAP_NET_ADMIN/CAP_SYS_ADMIN, no iproute2, or `ip netns add` refused (a
restricted container).
"""

import os
import re
import signal
import subprocess
import sys
import time

from test_framework.test_framework import REPO_ROOT, BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than_or_equal, assert_less_than

sys.path.insert(0, os.path.join(REPO_ROOT, "contrib", "testnet"))
import testnet  # noqa: E402 -- found through the path set just above

HOSTS = 4
DELAY = 0.020
BLOCKS = 5
# A block crosses a link in about three one-way delays (announcement,
# getdata, block) plus validation; two hops in a ring of four.
PROPAGATION_BOUND = 5.0


class TestnetTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 0

    def setup_network(self):
        pass

    def run_test(self):
        why = testnet.environment_problem()
        if why:
            self.skip_test("cannot build network namespaces here: %s" % why)
        self.ring_of_four()
        self.interrupted_run()

    def leftovers(self, runid, workdir):
        """Namespaces of run runid and processes that use workdir."""
        spaces = [ns for ns in testnet.list_namespaces() if ns.startswith("br-%s-" % runid)]
        procs = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf8", "replace")
            except OSError:
                continue
            if workdir in cmd and int(pid) != os.getpid():
                procs.append("%s: %s" % (pid, cmd.strip()))
        return spaces, procs

    def ring_of_four(self):
        self.log.info("%d hosts in a ring of %d ms links, %d blocks", HOSTS, DELAY * 1000, BLOCKS)
        workdir = os.path.join(self.tmpdir, "ring")
        cfg = testnet.Config(hosts=HOSTS, topology="ring", delay=DELAY, loss=0.0, blocks=BLOCKS,
                             bitrootd=self.options.bitrootd, link_emulation="auto",
                             seed=self.options.randomseed, timeout_factor=self.options.timeout_factor,
                             block_timeout=60, workdir=workdir, max_seconds=600)
        testnet.install_signal_handlers()
        net, res = testnet.run(cfg, log=self.log.info)
        for line in net.report(res):
            self.log.info(line)
        if net.emulation_note:
            self.log.warning("%s", net.emulation_note)

        assert_equal(net.edges, [(0, 1), (0, 3), (1, 2), (2, 3)])
        assert res.tips_agree, "tips differ: %s" % res.tips
        assert_equal(res.heights, [BLOCKS + 1] * HOSTS)
        assert_equal(res.missing, [])
        assert_equal(len(res.samples), BLOCKS * (HOSTS - 1))
        assert_equal(sorted((b, h) for b, h, _ in res.samples),
                     [(b, h) for b in range(1, BLOCKS + 1) for h in range(1, HOSTS)])
        bound = PROPAGATION_BOUND * self.options.timeout_factor
        for _, _, t in res.samples:
            assert_less_than(t, bound)
        self.log.info("every block reached every host within %.1f s (slowest %.1f ms)",
                      bound, max(t for _, _, t in res.samples) * 1e3)

        if net.emulation in ("netem", "userspace"):
            assert res.link_rtt is not None, "no round trip measured across link 0"
            assert_greater_than_or_equal(res.link_rtt, 2 * DELAY * 0.95)
            assert_less_than(res.link_rtt, 2 * DELAY + 0.5 * self.options.timeout_factor)
            # Hosts 1 and 3 are the miner's neighbours. The clock starts
            # at the generate call, before the block exists: one link's
            # delay at least (10% for the emulator's timer).
            nearest = min(t for _, h, t in res.samples if h in (1, 3))
            assert_greater_than_or_equal(nearest, DELAY * 0.9)
            # Host 2 is two links away: at least two delays.
            far = min(t for _, h, t in res.samples if h == 2)
            assert_greater_than_or_equal(far, 2 * DELAY * 0.9)
        else:
            self.log.warning("no link emulation available: delays not checked")

        spaces, procs = self.leftovers(net.runid, workdir)
        assert_equal(spaces, [])
        assert_equal(procs, [])
        assert all(h.proc.poll() is not None for h in net.hosts)
        # Stopped over RPC: each exits 0 with nothing on stderr.
        assert_equal(net.daemon_failures, [])

    def interrupted_run(self):
        self.log.info("SIGTERM in the middle of a run: everything is still removed")
        workdir = os.path.join(self.tmpdir, "interrupted")
        os.makedirs(workdir)
        script = os.path.join(REPO_ROOT, "contrib", "testnet", "testnet.py")
        out_path = os.path.join(self.tmpdir, "interrupted.out")
        with open(out_path, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-u", script, "--hosts", "3", "--topology", "line",
                                     "--delay", "5ms", "--blocks", str(testnet.MAX_BLOCKS),
                                     "--bitrootd", self.options.bitrootd, "--workdir", workdir,
                                     "--max-seconds", "300"],
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            def mining():
                with open(out_path, encoding="utf8", errors="replace") as f:
                    return "block 2/" in f.read()
            self.wait_until(mining, timeout=120)
            with open(out_path, encoding="utf8", errors="replace") as f:
                text = f.read()
            runid = re.search(r"^testnet (\S+): ", text, re.M).group(1)
            spaces, procs = self.leftovers(runid, workdir)
            assert_equal(len(spaces), 3 + (1 if "user-space emulator" in text else 0))
            assert_greater_than_or_equal(len(procs), 3)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=90 * self.options.timeout_factor)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(out_path, encoding="utf8", errors="replace") as f:
            text = f.read()
        self.log.debug("interrupted run said:\n%s", text)
        assert_equal(rc, 128 + signal.SIGTERM)
        assert "everything was cleaned up" in text, text[-2000:]
        assert "CLEAN-UP PROBLEM" not in text, text[-2000:]
        assert "DAEMON PROBLEM" not in text, text[-2000:]
        # Daemons stop asynchronously to nothing: give the kernel a moment
        # to finish reaping, but nothing may be left after it.
        for _ in range(50):
            spaces, procs = self.leftovers(runid, workdir)
            if not spaces and not procs:
                break
            time.sleep(0.1)
        assert_equal(spaces, [])
        assert_equal(procs, [])


if __name__ == "__main__":
    TestnetTest(__file__).main()
