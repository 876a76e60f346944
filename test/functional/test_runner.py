#!/usr/bin/env python3
"""Runs bitrootd's functional tests in parallel.

    test/functional/test_runner.py [--builddir=DIR] [-j N] [--sanitizer-smoke] [TEST ...]

Binaries: --bitrootd=PATH and --bitrootcli=PATH name one binary each;
--builddir=DIR uses DIR/src/bitrootd, DIR/src/bitroot-cli and
DIR/src/bitroot-util; otherwise the BITROOTD, BITROOTCLI and BITROOTUTIL
environment variables; otherwise src/ of this checkout. Relative paths are
taken from the directory the runner was started in. Each test runs in its
own process group with its own temporary directory and port window,
under a time limit. The last line of output is always "N passed, N failed,
N skipped"; the exit status is 1 if any test failed or timed out.
"""

import argparse
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

EXIT_PASSED = 0
EXIT_SKIPPED = 77

# Slowest first, so that -j keeps every worker busy to the end. A number
# after the name is that test's own time limit in seconds (default below).
BASE_SCRIPTS = [
    ("interop_fee_estimation.py", 900),
    ("feature_fee_estimation.py", 600),
    ("feature_alertnotify.py", 600),
    ("interop_sync.py", 900),
    ("p2p_headers_presync.py", 900),
    ("interop_headers_presync.py", 600),
    ("interop_rpc_diff.py", 600),
    ("interop_relay.py", 900),
    ("interop_package_relay.py", 600),
    ("interop_package_rbf.py", 600),
    ("interop_reorg.py", 900),
    ("interop_v2transport.py", 600),
    ("interop_bad_peer.py", 1200),
    ("interop_addr.py", None),
    ("interop_rpc_more.py", 900),
    ("interop_psbt.py", 600),
    ("interop_psbt_sign.py", 600),
    ("interop_psbt_miniscript.py", 600),
    ("interop_blockfilters.py", 900),
    ("interop_rest.py", 600),
    ("interop_cli.py", 600),
    ("interop_addrman.py", 600),
    ("mempool_import.py", 600),
    ("interop_scanblocks.py", 600),
    ("interop_descriptors.py", 600),
    ("interop_miniscript.py", 300),
    ("feature_proxy.py", 600),
    ("feature_consensus_diff.py", 900),
    ("interop_utxo_snapshot.py", 900),
    ("feature_assumeutxo.py", 900),
    ("interop_assumevalid.py", 600),
    ("feature_assumevalid.py", 600),
    ("feature_crash_recovery.py", 1800),
    ("feature_powerloss.py", 900),
    ("feature_store_damage.py", None),
    ("feature_blockfiles.py", None),
    ("feature_prune.py", None),
    ("feature_index_prune.py", None),
    ("feature_reindex.py", None),
    ("feature_syncbatch.py", None),
    ("interop_signer.py", None),
    ("p2p_invalid_messages.py", 1500),
    ("p2p_many_peers.py", 900),
    ("p2p_sync.py", 1500),
    ("p2p_reorg.py", 900),
    ("p2p_block_sync.py", 1200),
    ("p2p_peer_defence.py", 900),
    ("p2p_outbound_eviction.py", None),
    ("interop_outbound_eviction.py", None),
    ("p2p_tx_relay.py", None),
    ("p2p_tx_ibd_mocktime.py", None),
    ("p2p_orphans.py", None),
    ("p2p_inorder.py", None),
    ("feature_testnet.py", 900),
    ("feature_signet.py", 900),
    ("feature_loadblock.py", 1200),
    ("feature_utxo_scale_gen.py", None),
    ("feature_bench_log.py", None),
    ("feature_memory_return.py", 900),
    ("feature_block.py", 900),
    ("feature_harness_contract.py", None),
    ("rpc_blockchain.py", None),
    ("rpc_waitfor.py", None),
    ("rpc_net.py", None),
    ("rpc_auth.py", None),
    ("rpc_whitelist.py", None),
    ("rpc_errors.py", None),
    ("rpc_methods.py", None),
    ("rpc_txindex.py", None),
    ("rpc_blockfilter.py", 900),
    ("p2p_blockfilters.py", 900),
    ("p2p_compactblocks.py", 600),
    ("interop_compactblocks.py", 600),
    ("rest_interface.py", None),
    ("zmq_interface.py", None),
    ("feature_metrics.py", None),
    ("feature_status_page.py", 600),
    ("rpc_rawtx_verbose.py", None),
    ("rpc_bad_input.py", None),
    ("rpc_blockstats.py", None),
    ("rpc_txoutproof.py", None),
    ("rpc_createmultisig.py", None),
    ("rpc_signmessage.py", None),
    ("rpc_gettxspendingprevout.py", None),
    ("rpc_signrawtx.py", None),
    ("interface_bitroot_cli.py", None),
    ("mining_basic.py", None),
    ("p2p_handshake.py", None),
    ("p2p_sync_rules.py", None),
    ("p2p_ping.py", None),
    ("p2p_outbound_services.py", None),
    ("p2p_addrfetch.py", None),
    ("p2p_dns_seeds.py", None),
    ("feature_anchors.py", None),
    ("p2p_outbound_netgroup.py", None),
    ("p2p_local_address.py", None),
    ("p2p_fixed_seeds.py", None),
    ("interop_dns_seeds.py", None),
    ("p2p_getaddr_cache.py", None),
    ("feature_startup_shutdown.py", None),
    ("feature_config.py", None),
    ("feature_options.py", None),
    ("lint_includes.py", None),
    ("lint_newcomer.py", None),
    ("feature_daemon.py", None),
    ("feature_lock.py", None),
    ("feature_logging.py", None),
    ("framework_selftest.py", None),
    ("wallet_selftest.py", None),
    ("mempool_accept.py", None),
    ("rpc_packages.py", None),
    ("mempool_package_rbf.py", None),
    ("p2p_1p1c.py", None),
    ("mempool_rpc.py", None),
    ("mempool_persist.py", None),
    ("mining_mempool.py", None),
    ("feature_maxtipage.py", None),
    ("mempool_reorg_locks.py", None),
    ("feature_startup_order.py", None),
    ("interop_jsonrpc.py", None),
    ("interop_getblockfrompeer.py", None),
    ("feature_mockscheduler.py", None),
]

# A quick set that still drives every thread: run under ASan+UBSan and TSan.
SANITIZER_SMOKE = [
    "feature_assumeutxo.py",
    "interop_sync.py",
    "mempool_import.py",
    "feature_proxy.py",
    "framework_selftest.py",
    "feature_startup_shutdown.py",
    "feature_config.py",
    "feature_harness_contract.py",
    "feature_loadblock.py",
    "rpc_errors.py",
    "rpc_blockchain.py",
    "mining_basic.py",
    "p2p_handshake.py",
    "p2p_ping.py",
    "p2p_sync.py",
    "mempool_accept.py",
    "mining_mempool.py",
    "mempool_persist.py",
    "p2p_tx_relay.py",
    "rest_interface.py",
    "zmq_interface.py",
    "p2p_orphans.py",
    "p2p_inorder.py",
    "p2p_outbound_eviction.py",
    "p2p_compactblocks.py",
    "feature_metrics.py",
    "interop_getblockfrompeer.py",
    "p2p_headers_presync.py",
    "feature_reindex.py",
    "feature_prune.py",
    "feature_syncbatch.py",
]

DEFAULT_TIMEOUT = 600


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tests", nargs="*", help="tests to run (default: all); NAME or NAME.py")
    p.add_argument("--builddir", help="build directory holding src/bitrootd and src/bitroot-cli")
    p.add_argument("--bitrootd", help="bitrootd binary (overrides --builddir and BITROOTD)")
    p.add_argument("--bitrootcli", help="bitroot-cli binary (overrides --builddir and BITROOTCLI)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="tests run in parallel (default 2)")
    p.add_argument("--timeout", type=int, help="per-test time limit in seconds (default: %d, or the "
                   "test's own)" % DEFAULT_TIMEOUT)
    p.add_argument("--timeout-factor", type=float, default=None,
                   help="multiply time limits and timeouts inside tests (default 1; 4 with --sanitizer-smoke)")
    p.add_argument("--sanitizer-smoke", action="store_true", help="run only the sanitizer smoke set")
    p.add_argument("--exclude", action="append", default=[], help="skip this test (repeatable)")
    p.add_argument("--tmpdirprefix", default=tempfile.gettempdir(), help="where the run directory goes")
    p.add_argument("--nocleanup", action="store_true", help="keep every test's directory")
    p.add_argument("--failfast", action="store_true", help="stop starting tests after the first failure")
    p.add_argument("--list", action="store_true", help="print the test list and exit")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the output of failed tests")
    return p.parse_args(argv)


def normalize(name):
    name = os.path.basename(name)
    return name if name.endswith(".py") else name + ".py"


def select_tests(args):
    limits = dict(BASE_SCRIPTS)
    if args.tests:
        chosen = []
        for t in args.tests:
            parts = t.split()
            name = normalize(parts[0])
            if name not in limits and not os.path.exists(os.path.join(HERE, name)):
                raise SystemExit("unknown test %s" % parts[0])
            chosen.append((name, parts[1:]))
    elif args.sanitizer_smoke:
        chosen = [(t, []) for t in SANITIZER_SMOKE]
    else:
        chosen = [(t, []) for t, _ in BASE_SCRIPTS]
    excluded = {normalize(e) for e in args.exclude}
    return [(t, extra, limits.get(t)) for t, extra in chosen if t not in excluded]


def binaries(args):
    found = _binaries(args)
    # Tests run from the repository's top: relative paths must not change meaning.
    return tuple(os.path.abspath(b) for b in (args.bitrootd or found[0], args.bitrootcli or found[1], found[2]))


def _binaries(args):
    if args.builddir:
        src = os.path.join(args.builddir, "src")
        return (os.path.join(src, "bitrootd"), os.path.join(src, "bitroot-cli"),
                os.path.join(src, "bitroot-util"))
    return tuple(os.environ.get(env) or os.path.join(REPO_ROOT, "src", name)
                 for env, name in (("BITROOTD", "bitrootd"), ("BITROOTCLI", "bitroot-cli"),
                                   ("BITROOTUTIL", "bitroot-util")))


class Job:
    def __init__(self, index, name, extra, limit, rundir, seed, factor, env):
        self.index = index
        self.name = name
        self.limit = limit
        self.tmpdir = os.path.join(rundir, "%s_%d" % (name[:-3], index))
        self.out_path = os.path.join(rundir, "%s_%d.out" % (name[:-3], index))
        self.cmd = [sys.executable, "-u", os.path.join(HERE, name), "--tmpdir=" + self.tmpdir,
                    "--portseed=%d" % seed, "--timeout-factor=%g" % factor] + extra
        self.env = env
        self.proc = None
        self.start = None
        self.duration = 0.0
        self.status = None
        self.output = ""

    def launch(self):
        self._out = open(self.out_path, "wb")
        self.start = time.monotonic()
        # A session of its own, so a time-out kills the test and its nodes together.
        self.proc = subprocess.Popen(self.cmd, stdout=self._out, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=REPO_ROOT, start_new_session=True)

    def poll(self):
        """True once finished (exited or killed for its time limit)."""
        rc = self.proc.poll()
        elapsed = time.monotonic() - self.start
        if rc is None and elapsed > self.limit:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            rc = None
            self.status = "Timeout"
        elif rc is None:
            return False
        self.duration = elapsed
        self._out.close()
        with open(self.out_path, "rb") as f:
            self.output = f.read().decode("utf8", "replace")
        if self.status is None:
            self.status = {EXIT_PASSED: "Passed", EXIT_SKIPPED: "Skipped"}.get(rc, "Failed")
            if self.status == "Failed":
                self.output += "\n[exit status %d]\n" % rc
        else:
            self.output += "\n[killed after its time limit of %ds]\n" % self.limit
        return True

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tests = select_tests(args)
    if args.list:
        for t, extra, _ in tests:
            print(" ".join([t] + extra))
        return 0
    factor = args.timeout_factor if args.timeout_factor is not None else (4.0 if args.sanitizer_smoke else 1.0)
    bitrootd, bitrootcli, bitrootutil = binaries(args)
    env = dict(os.environ)
    env["BITROOTD"] = bitrootd
    env["BITROOTCLI"] = bitrootcli
    env["BITROOTUTIL"] = bitrootutil
    env.setdefault("BR_SHARED_DIR", os.path.abspath(os.path.join(REPO_ROOT, "..", "shared")))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    rundir = os.path.join(args.tmpdirprefix, "bitroot_test_runner_%s_%d" % (stamp, os.getpid()))
    os.makedirs(rundir)
    print("bitrootd: %s" % bitrootd)
    print("run directory: %s" % rundir)
    print("running %d tests, %d at a time" % (len(tests), args.jobs))
    sys.stdout.flush()

    run_seed = os.getpid()
    pending = [Job(i, t, extra, int((args.timeout or limit or DEFAULT_TIMEOUT) * factor), rundir,
                   run_seed + i, factor, env)
               for i, (t, extra, limit) in enumerate(tests)]
    running = []
    done = []
    stop_starting = False
    try:
        while pending or running:
            while pending and len(running) < max(1, args.jobs) and not stop_starting:
                job = pending.pop(0)
                job.launch()
                running.append(job)
            if not running:
                break
            time.sleep(0.1)
            for job in list(running):
                if not job.poll():
                    continue
                running.remove(job)
                done.append(job)
                print("%-34s | %-7s | %4d s" % (job.name, job.status, job.duration))
                if job.status in ("Failed", "Timeout"):
                    if not args.quiet:
                        print("---- output of %s ----" % job.name)
                        print(job.output.rstrip())
                        print("---- end of %s ----" % job.name)
                    if args.failfast:
                        stop_starting = True
                sys.stdout.flush()
    except KeyboardInterrupt:
        for job in running:
            job.kill()
            job.status = "Failed"
            job.output = "interrupted"
            done.append(job)
        print("interrupted")

    passed = sum(1 for j in done if j.status == "Passed")
    skipped = sum(1 for j in done if j.status == "Skipped")
    failed = sum(1 for j in done if j.status in ("Failed", "Timeout"))
    not_run = len(pending)
    failed += not_run

    print()
    print("%-34s | %-7s | %s" % ("TEST", "STATUS", "DURATION"))
    print("-" * 34 + "-+-" + "-" * 7 + "-+-" + "-" * 9)
    order = {"Failed": 0, "Timeout": 0, "Skipped": 1, "Passed": 2}
    for j in sorted(done, key=lambda j: (order[j.status], j.name)):
        print("%-34s | %-7s | %4d s" % (j.name, j.status, j.duration))
        if j.status == "Skipped":
            reason = [ln for ln in j.output.splitlines() if "Test skipped" in ln]
            if reason:
                print("%-34s   %s" % ("", reason[-1].split("Test skipped:", 1)[-1].strip()))
    for j in pending:
        print("%-34s | %-7s |" % (j.name, "NotRun"))
    total = sum(j.duration for j in done)
    print("%-34s | %-7s | %4d s (accumulated)" % ("ALL", "Passed" if failed == 0 else "Failed", total))
    if failed == 0 and not args.nocleanup:
        shutil.rmtree(rundir, ignore_errors=True)
    else:
        print("test directories kept in %s" % rundir)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
