#!/usr/bin/env python3
"""Power loss at random moments during import and during P2P sync.

node0 imports ../shared/chains/regtest-dev.dat on the test's own disk: the
reference, and the peer that the syncing rounds download from.

node1 runs on an ext4 file system of its own on a loop device
(test_framework/powerloss.py). Each round starts it on a new file system,
importing the chain (-loadblock) or syncing it from node0, and at a random
moment takes a point-in-time image of that disk: what the disk holds at
that instant, without the file system's page cache, as after a power cut
or an OS crash. node1 is then killed, and started again on the image,
mounted on a second loop device. It must open without any repair step (no
-reindex, no deleted directory: the store as found), at no less than the
height it had reported before the cut minus one block (doc/store.md: a
power cut loses at most the last commit, which at the tip is one block; a
sync batch in initial download is durable when it returns), and then reach
the chain's tip
with regtest-dev.json's best block hash and hash_serialized_3, and pass
verifychain.

Before the rounds, one undisturbed run of each kind on a loop disk measures
how long it takes; the cut falls uniformly in that time.

Skipped, with the reason, without root or loop devices. --randomseed
repeats the same moments; --rounds changes how many of each kind.
"""

import json
import os
import shutil
import time

from test_framework.powerloss import PowerLossDisks, unavailable
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than_or_equal, wait_until


class PowerLossTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def add_options(self, parser):
        parser.add_argument("--rounds", type=int, default=11,
                            help="power cuts during import, and as many during sync (default 11)")

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def wait_tip(self, node, timeout=300):
        wait_until(lambda: node.getbestblockhash() == self.expect["bestblockhash"], timeout=timeout,
                   timeout_factor=self.options.timeout_factor, check_interval=0.1)
        node.syncwithvalidationinterfacequeue()

    def check_tip(self, node):
        assert_equal(node.getblockcount(), self.expect["height"])
        assert_equal(node.getbestblockhash(), self.expect["bestblockhash"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.expect["hash_serialized_3"])
        assert_equal(node.verifychain(), True)

    def node_args(self, kind):
        return ["-loadblock=" + self.dat] if kind == "import" else []

    def on_up(self, node, kind):
        """After RPC answers: a syncing node dials node0."""
        if kind == "sync":
            node.addnode(self.source, "onetry")

    def mount_datadir(self, image):
        """Mounts image as node1's datadir, with its bitcoin.conf made durable."""
        node = self.nodes[1]
        self.disks.mount(image, node.datadir)
        conf = os.path.join(node.datadir, node.conf_name)
        if not os.path.exists(conf):
            with open(conf, "w", encoding="utf8") as f:
                f.write(self.conf_text)
            self.disks.syncfs(node.datadir)

    def calibrate(self, kind):
        """An undisturbed run on a loop disk: how long the kind takes there."""
        node = self.nodes[1]
        img = self.disks.new_ext4("calibrate-%s.img" % kind)
        self.mount_datadir(img)
        try:
            t = time.monotonic()
            node.start(self.node_args(kind))
            node.wait_for_rpc_connection()
            self.on_up(node, kind)
            self.wait_tip(node)
            took = time.monotonic() - t
            self.check_tip(node)
            node.stop_node()
        finally:
            node.kill_process()
            self.disks.unmount(node.datadir)
            self.disks.remove(img)
        self.log.info("%s on a loop disk, undisturbed: %.1fs", kind, took)
        return took

    def cut(self, kind, k, duration):
        """One round: run, image the disk at a random moment, start on the image."""
        node = self.nodes[1]
        img = self.disks.new_ext4("r%d.img" % k)
        self.mount_datadir(img)
        delay = self.rng.uniform(0.05, duration)
        seen = None
        try:
            node.start(self.node_args(kind))
            t0 = time.monotonic()
            hooked = False
            while time.monotonic() - t0 < delay:
                h = node.height_if_up()
                if h is not None:
                    seen = h
                    if not hooked:
                        self.on_up(node, kind)
                        hooked = True
                time.sleep(min(0.05, max(0, delay - (time.monotonic() - t0))))
            # The last height reported before the cut: its commit returned.
            h = node.height_if_up()
            if h is not None:
                seen = h
            if node.process.poll() is not None:
                raise AssertionError("node1 exited with status %d before the cut" % node.process.returncode)
            copy = self.disks.snapshot(img, "r%d-cut.img" % k)
        except BaseException:
            self.keep_evidence(k)
            raise
        finally:
            node.kill_process()
            self.disks.unmount(node.datadir)
            self.disks.remove(img)

        self.disks.mount(copy, node.datadir)
        try:
            node.start(self.node_args(kind))
            # Exits with an error if the store does not open as found.
            node.wait_for_rpc_connection()
            opened = node.getblockcount()
            self.log.info("%s round %d: cut at %.2fs, height reported %s, reopened at %d",
                          kind, k, delay, "-" if seen is None else seen, opened)
            if seen is not None:
                # DATA sync mode: the commit before the last one returned is durable.
                assert_greater_than_or_equal(opened, seen - 1)
            self.on_up(node, kind)
            self.wait_tip(node)
            self.check_tip(node)
            node.stop_node()
        except BaseException:
            self.keep_evidence(k)
            raise
        finally:
            node.kill_process()
            self.disks.unmount(node.datadir)
            self.disks.remove(copy)
        return seen, opened

    def keep_evidence(self, k):
        """A failed round's logs outlive the unmount (the framework keeps tmpdir on failure)."""
        dst = os.path.join(self.tmpdir, "round%d" % k)
        src = self.nodes[1].datadir
        try:
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.mdb", "blk*.dat", "rev*.dat"))
            self.log.error("round %d: node1's logs copied to %s", k, dst)
        except OSError as e:
            self.log.error("round %d: could not copy node1's logs: %s", k, e)

    def run_test(self):
        why = unavailable()
        if why is not None:
            self.skip_test("power-loss test: " + why)
        self.dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        self.log.info("random seed %d", self.options.randomseed)
        with open(self.nodes[1].conf_path, encoding="utf8") as f:
            self.conf_text = f.read()

        self.log.info("node0: undisturbed import (the reference and the sync source)")
        self.start_node(0, ["-loadblock=" + self.dat, "-whitelist=download@127.0.0.1"])
        self.wait_tip(self.nodes[0])
        self.check_tip(self.nodes[0])
        self.source = "127.0.0.1:%d" % self.nodes[0].p2p_port

        self.disks = PowerLossDisks(self.tmpdir, self.log)
        try:
            self.disks.setup()
            durations = {kind: self.calibrate(kind) for kind in ("import", "sync")}
            results = {"import": [], "sync": []}
            k = 0
            for _ in range(self.options.rounds):
                for kind in ("import", "sync"):
                    k += 1
                    results[kind].append(self.cut(kind, k, durations[kind]))
        finally:
            self.nodes[1].kill_process()
            self.disks.cleanup()

        for kind, rs in results.items():
            # The cuts must land in the middle of the work, or the rounds
            # proved nothing about a store that was being written.
            mid = [r for r in rs if r[1] > 0 and r[1] < self.expect["height"]]
            self.log.info("%s: %d cuts, %d reopened part way (heights %s)", kind, len(rs), len(mid),
                          sorted(r[1] for r in rs))
            assert len(mid) > 0, "no %s cut reopened part way" % kind


if __name__ == "__main__":
    PowerLossTest(__file__).main()
