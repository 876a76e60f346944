"""BitrootTestFramework: the base class of every functional test.

    class MyTest(BitrootTestFramework):
        def set_test_params(self):
            self.num_nodes = 2
        def run_test(self):
            self.generate(self.nodes[0], 10)

    if __name__ == '__main__':
        MyTest(__file__).main()

A mixed test runs real Bitcoin Core nodes beside bitrootd:

    def set_test_params(self):
        self.num_nodes = 3
        self.node_impls = ["core", "bitrootd", "core"]

or self.add_nodes(2, binaries=["core", "bitrootd"]) from setup_network. The
Core binary comes from --bitcoind (env BITCOIND; default: the one in
../shared/anchors). If it cannot run, the test is skipped with one line
saying why, except under CI (env CI=true) or --require-core, where that is a
failure: CI must run the mixed tests.

Exit status: 0 passed, 1 failed, 77 skipped. On failure the tail of every
node's debug.log and its stderr are printed, and the temporary directory is
kept.
"""

import argparse
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .address import ADDRESS_BCRT1_P2WSH_OP_TRUE
from .authproxy import JSONRPCException
from .p2p import NetworkThread
from .test_node import IMPLEMENTATIONS, TestNode
from .util import (PortSeed, Timeouts, connect_nodes, disconnect_nodes, sync_blocks, sync_mempools,
                   wait_until)

TEST_EXIT_PASSED = 0
TEST_EXIT_FAILED = 1
TEST_EXIT_SKIPPED = 77

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class SkipTest(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def default_binary(env_name, name):
    if os.environ.get(env_name):
        return os.environ[env_name]
    return os.path.join(REPO_ROOT, "src", name)


def shared_dir():
    return os.environ.get("BR_SHARED_DIR") or os.path.abspath(os.path.join(REPO_ROOT, "..", "shared"))


CORE_ANCHOR = os.path.join("anchors", "bitcoin-core-28.1", "bin")


def default_core_binary(env_name, name):
    if os.environ.get(env_name):
        return os.environ[env_name]
    return os.path.join(shared_dir(), CORE_ANCHOR, name)


def probe_core(path):
    """None if the Core binary at path runs; otherwise one line saying why not."""
    if not os.path.isfile(path):
        return "no Bitcoin Core binary at %s (set --bitcoind or BITCOIND)" % path
    if not os.access(path, os.X_OK):
        return "Bitcoin Core binary %s is not executable" % path
    try:
        # A datadir of its own: Core writes settings.json in the default
        # one even for -version, and two probes at once (parallel tests)
        # raced there ("Settings file could not be written").
        with tempfile.TemporaryDirectory(prefix="core_probe_") as d:
            res = subprocess.run([path, "-datadir=" + d, "-version"], capture_output=True, text=True,
                                 timeout=30)
    except OSError as e:
        return "Bitcoin Core binary %s cannot run: %s" % (path, e)
    except subprocess.TimeoutExpired:
        return "Bitcoin Core binary %s did not answer -version in 30 s" % path
    if res.returncode != 0:
        why = (res.stderr or res.stdout).strip().splitlines()
        return "Bitcoin Core binary %s cannot run: %s" % (path, why[0] if why else "exit %d" % res.returncode)
    return None


def core_required():
    """Under CI a missing or broken Core binary fails the mixed tests instead of skipping them."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class BitrootTestFramework:
    def __init__(self, test_file=None):
        self.test_file = test_file or sys.argv[0]
        self.num_nodes = 1
        # The chain every node runs: its config section and chain directory.
        self.chain = "regtest"
        # One entry per node, "bitrootd" or "core"; None: all bitrootd.
        self.node_impls = None
        self.extra_args = None
        self.extra_conf = None
        self.conf_name = "bitcoin.conf"
        self.disable_autoconnect = True
        self.nodes = []
        self.network_thread = None
        self.rpc_timeout = 60
        self.needs_daemon = True
        self.options = None
        self.log = None
        self.tmpdir = None
        self.success = None
        self.set_test_params()

    # --- to override ---------------------------------------------------------

    def set_test_params(self):
        raise NotImplementedError

    def run_test(self):
        raise NotImplementedError

    def add_options(self, parser):
        pass

    def setup_chain(self):
        pass

    def setup_network(self):
        """Default: start every node and connect them in a line (0-1, 1-2, ...)."""
        self.setup_nodes()
        for i in range(self.num_nodes - 1):
            self.connect_nodes(i, i + 1)
        if self.num_nodes > 1:
            self.sync_all()

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, self.extra_args, binaries=self.node_impls)
        self.start_nodes()

    # --- main ---------------------------------------------------------------

    def parse_args(self, argv=None):
        parser = argparse.ArgumentParser(usage="%(prog)s [options]")
        parser.add_argument("--nocleanup", action="store_true",
                            help="keep the test's temporary directory even when it passes")
        parser.add_argument("--noshutdown", action="store_true",
                            help="leave the nodes running at the end")
        parser.add_argument("--tmpdir", help="root directory for datadirs (default: a new temporary one)")
        parser.add_argument("--loglevel", "-l", default="INFO",
                            help="console log level: DEBUG, INFO, WARNING, ERROR (the log file gets everything)")
        parser.add_argument("--tracerpc", action="store_true", help="log every RPC call and reply")
        parser.add_argument("--portseed", type=int, default=os.getpid(),
                            help="seed for the port window (test_runner gives each test its own)")
        parser.add_argument("--timeout-factor", dest="timeout_factor", type=float, default=1.0,
                            help="multiply every timeout (slow machines, sanitizers)")
        parser.add_argument("--randomseed", type=int, help="seed for the test's random choices")
        parser.add_argument("--bitrootd", default=default_binary("BITROOTD", "bitrootd"),
                            help="bitrootd binary (env BITROOTD)")
        parser.add_argument("--bitrootcli", default=default_binary("BITROOTCLI", "bitroot-cli"),
                            help="bitroot-cli binary (env BITROOTCLI)")
        parser.add_argument("--bitrootutil", default=default_binary("BITROOTUTIL", "bitroot-util"),
                            help="bitroot-util binary, for grinding signet blocks (env BITROOTUTIL)")
        parser.add_argument("--bitcoind", default=default_core_binary("BITCOIND", "bitcoind"),
                            help="Bitcoin Core's bitcoind for mixed tests (env BITCOIND, default: ../shared/%s)"
                            % CORE_ANCHOR)
        parser.add_argument("--bitcoincli", default=default_core_binary("BITCOINCLI", "bitcoin-cli"),
                            help="Bitcoin Core's bitcoin-cli (env BITCOINCLI)")
        parser.add_argument("--require-core", action="store_true", default=core_required(),
                            help="fail, not skip, when the Core binary cannot run (default under CI=true)")
        parser.add_argument("--shared", default=shared_dir(),
                            help="the shared data directory (env BR_SHARED_DIR, default ../shared)")
        self.add_options(parser)
        self.options = parser.parse_args(argv)
        if self.options.timeout_factor <= 0:
            parser.error("--timeout-factor must be positive")
        # Nodes run with their datadir as working directory: a path given
        # relative to where the test was started must not change meaning.
        for opt in ("bitrootd", "bitrootcli", "bitrootutil", "bitcoind", "bitcoincli", "shared", "tmpdir"):
            value = getattr(self.options, opt)
            if value:
                setattr(self.options, opt, os.path.abspath(value))

    def main(self):
        self.parse_args()
        sys.exit(self.run())

    def run(self):
        PortSeed.n = self.options.portseed
        Timeouts.factor = self.options.timeout_factor
        self.options.tmpdir = self._make_tmpdir()
        self.tmpdir = self.options.tmpdir
        self._start_logging()
        seed = self.options.randomseed
        if seed is None:
            seed = random.randrange(1 << 32)
        self.options.randomseed = seed
        self.rng = random.Random(seed)
        self.log.debug("random seed %d, port seed %d, tmpdir %s", seed, PortSeed.n, self.tmpdir)
        status = TEST_EXIT_FAILED
        try:
            if self.needs_daemon:
                self._check_binaries()
            if self.node_impls is not None and "core" in self.node_impls:
                self.skip_if_no_core()
            self.network_thread = NetworkThread()
            self.network_thread.start()
            self.setup_chain()
            self.setup_network()
            self.run_test()
            status = TEST_EXIT_PASSED
        except SkipTest as e:
            self.log.warning("Test skipped: %s", e.message)
            status = TEST_EXIT_SKIPPED
        except AssertionError:
            self.log.exception("Assertion failed")
        except KeyboardInterrupt:
            self.log.warning("Interrupted")
        except Exception:  # noqa: BLE001 -- any error fails the test, with its trace
            self.log.exception("Unexpected exception")
        return self._shutdown(status)

    def _make_tmpdir(self):
        if self.options.tmpdir:
            path = os.path.abspath(self.options.tmpdir)
            os.makedirs(path, exist_ok=True)
            return path
        return tempfile.mkdtemp(prefix="bitroot_func_test_")

    def _start_logging(self):
        self.log = logging.getLogger("TestFramework")
        self.log.setLevel(logging.DEBUG)
        self.log.handlers.clear()
        fmt = logging.Formatter("%(asctime)s.%(msecs)03dZ %(name)s (%(levelname)s): %(message)s",
                                datefmt="%Y-%m-%dT%H:%M:%S")
        fmt.converter = time.gmtime
        fh = logging.FileHandler(os.path.join(self.tmpdir, "test_framework.log"), encoding="utf8")
        fh.setLevel(logging.DEBUG)
        fh.setFormatter(fmt)
        ch = logging.StreamHandler(sys.stdout)
        ch.setLevel(getattr(logging, self.options.loglevel.upper(), logging.INFO))
        ch.setFormatter(fmt)
        self.log.addHandler(fh)
        self.log.addHandler(ch)
        self.log.propagate = False
        rpc_log = logging.getLogger("BitrootRPC")
        rpc_log.handlers = [fh]
        rpc_log.setLevel(logging.DEBUG)
        p2p_log = logging.getLogger("TestFramework.p2p")
        p2p_log.handlers = [fh, ch]
        p2p_log.propagate = False

    def _check_binaries(self):
        for path, env in ((self.options.bitrootd, "BITROOTD"),):
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                raise AssertionError("%s not found or not executable at %s: build it, pass --builddir "
                                     "to test_runner.py, or set %s" % (os.path.basename(path), path, env))

    def skip_if_no_core(self):
        """Skips the test (fails it under CI or --require-core) when the Core binary cannot run."""
        if getattr(self, "_core_checked", False):
            return
        why = probe_core(self.options.bitcoind)
        if why is not None:
            if self.options.require_core:
                raise AssertionError("mixed test needs Bitcoin Core: " + why)
            raise SkipTest("mixed test needs Bitcoin Core: " + why)
        self._core_checked = True
        self.log.debug("Bitcoin Core binary: %s", self.options.bitcoind)

    def _shutdown(self, status):
        if self.options.noshutdown:
            self.log.info("Leaving the nodes running (--noshutdown)")
        else:
            for node in self.nodes:
                if not node.running:
                    continue
                try:
                    if node.rpc_connected and status != TEST_EXIT_FAILED:
                        node.stop_node()
                    elif node.rpc_connected:
                        # Failed already: still try a clean stop, but do not let it hide the cause.
                        try:
                            node.stop_node()
                        except Exception as e:  # noqa: BLE001
                            self.log.error("node%d did not stop cleanly: %s", node.index, e)
                            node.kill_process()
                    else:
                        node.kill_process()
                except AssertionError:
                    self.log.exception("Stopping node%d failed", node.index)
                    status = TEST_EXIT_FAILED
                    if node.running:
                        node.kill_process()
                except Exception:  # noqa: BLE001
                    self.log.exception("Stopping node%d failed", node.index)
                    status = TEST_EXIT_FAILED
                    if node.running:
                        node.kill_process()
        if self.network_thread is not None:
            self.network_thread.close()
        if status == TEST_EXIT_FAILED:
            for node in self.nodes:
                sys.stdout.write(node.log_tail(40))
            self.log.error("Test failed. Test logs and datadirs are in %s", self.tmpdir)
            self.log.error("Re-run with --randomseed=%d --portseed=%d to repeat its choices",
                           self.options.randomseed, self.options.portseed)
        elif status == TEST_EXIT_PASSED:
            self.log.info("Tests successful")
        cleanup = status != TEST_EXIT_FAILED and not self.options.nocleanup and not self.options.noshutdown
        for h in list(self.log.handlers):
            h.flush()
        logging.shutdown()
        if cleanup:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        else:
            print("Not cleaning up dir %s" % self.tmpdir)
        sys.stdout.flush()
        return status

    # --- nodes ----------------------------------------------------------------

    def add_nodes(self, num_nodes, extra_args=None, *, conf_name=None, extra_conf=None, binaries=None):
        """Adds num_nodes nodes; binaries gives each one's implementation ("bitrootd" or "core")."""
        if extra_args is None:
            extra_args = [[]] * num_nodes
        if len(extra_args) != num_nodes:
            raise ValueError("extra_args needs one list per node")
        if binaries is None:
            binaries = ["bitrootd"] * num_nodes
        if len(binaries) != num_nodes:
            raise ValueError("binaries needs one entry per node")
        if "core" in binaries:
            self.skip_if_no_core()
        start = len(self.nodes)
        for k in range(num_nodes):
            i = start + k
            impl = binaries[k]
            if impl not in IMPLEMENTATIONS:
                raise ValueError("binaries: %r is not one of %s" % (impl, IMPLEMENTATIONS))
            if impl == "core":
                binary, cli = self.options.bitcoind, self.options.bitcoincli
            else:
                binary, cli = self.options.bitrootd, self.options.bitrootcli
            conf = extra_conf[k] if extra_conf else (self.extra_conf[i] if self.extra_conf else None)
            self.nodes.append(TestNode(
                i, self.tmpdir, binary=binary, cli_binary=cli,
                extra_args=extra_args[k], rpc_timeout=self.rpc_timeout,
                timeout_factor=self.options.timeout_factor, conf_name=conf_name or self.conf_name,
                chain=self.chain, logger=self.log, extra_conf=conf, disable_autoconnect=self.disable_autoconnect,
                trace_rpc=self.options.tracerpc, implementation=impl))

    def core_nodes(self):
        return [n for n in self.nodes if n.is_core]

    def bitrootd_nodes(self):
        return [n for n in self.nodes if not n.is_core]

    def start_node(self, i, extra_args=None, **kwargs):
        node = self.nodes[i]
        node.start(extra_args, **kwargs)
        node.wait_for_rpc_connection()

    def start_nodes(self, extra_args=None):
        if extra_args is None:
            extra_args = [None] * len(self.nodes)
        try:
            for node, args in zip(self.nodes, extra_args):
                node.start(args)
            for node in self.nodes:
                node.wait_for_rpc_connection()
        except BaseException:
            for node in self.nodes:
                if node.running and not node.rpc_connected:
                    node.kill_process()
            raise

    def stop_node(self, i, expected_stderr="", wait=0):
        self.nodes[i].stop_node(expected_stderr, wait=wait)

    def stop_nodes(self, wait=0):
        for node in self.nodes:
            if node.running:
                node.stop_node(wait=wait, wait_until_stopped=False)
        for node in self.nodes:
            if node.running:
                node.wait_until_stopped()

    def restart_node(self, i, extra_args=None, expected_stderr=""):
        self.stop_node(i, expected_stderr)
        self.start_node(i, extra_args)

    def kill_node(self, i):
        self.nodes[i].kill_process()

    # --- network ------------------------------------------------------------------

    def connect_nodes(self, a, b):
        connect_nodes(self.nodes[a], self.nodes[b], timeout=60)

    def disconnect_nodes(self, a, b):
        disconnect_nodes(self.nodes[a], self.nodes[b], timeout=60)

    def _running(self, nodes):
        return nodes if nodes is not None else [n for n in self.nodes if n.running]

    def sync_blocks(self, nodes=None, timeout=60):
        sync_blocks(self._running(nodes), timeout=timeout * self.options.timeout_factor)

    def sync_mempools(self, nodes=None, timeout=60):
        sync_mempools(self._running(nodes), timeout=timeout * self.options.timeout_factor)

    def sync_all(self, nodes=None):
        self.sync_blocks(nodes)
        self.sync_mempools(nodes)

    def no_op(self):
        pass

    def generate(self, node, nblocks, *, address=ADDRESS_BCRT1_P2WSH_OP_TRUE, sync_fun=None, **kw):
        hashes = node.generatetoaddress(nblocks, address, **kw)
        if sync_fun is None:
            self.sync_all()
        else:
            sync_fun()
        return hashes

    def wait_until(self, predicate, *, timeout=60, **kw):
        return wait_until(predicate, timeout=timeout, timeout_factor=self.options.timeout_factor, **kw)

    def skip_test(self, reason):
        raise SkipTest(reason)

    def shared_path(self, *parts):
        return os.path.join(self.options.shared, *parts)

    def require_shared(self, *parts):
        path = self.shared_path(*parts)
        if not os.path.exists(path):
            raise AssertionError("shared data missing: %s (set BR_SHARED_DIR or --shared)" % path)
        return path


__all__ = ["BitrootTestFramework", "SkipTest", "TEST_EXIT_PASSED", "TEST_EXIT_FAILED", "TEST_EXIT_SKIPPED",
           "JSONRPCException", "signal"]
