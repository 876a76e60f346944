"""A node process under test (bitrootd, or a Bitcoin Core bitcoind): start, RPC, stop, kill, restart, logs.

The node is started the way Bitcoin Core's functional-test harness starts
bitcoind (the same arguments, a bitcoin.conf with a [regtest] section in the
datadir, cookie authentication), so passing these tests means bitrootd runs
under such a harness unchanged. The same class runs a real Bitcoin Core
node (implementation="core"): Core takes the same arguments and config file,
which is what lets a mixed test treat both kinds alike.
"""

import contextlib
import enum
import http.client
import itertools
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

from .authproxy import AuthServiceProxy, JSONRPCException
from .messages import P2P_SUBVERSION
from .util import (assert_equal, chain_dir, get_datadir_path, p2p_port, pid_alive, rpc_port,
                   wait_until, write_config)

BITROOTD_PROC_WAIT_TIMEOUT = 60
_instances = itertools.count(1)
# Core's harness passes exactly these to every node it starts.
HARNESS_ARGS = [
    "-logtimemicros",
    "-debug",
    "-debugexclude=libevent",
    "-debugexclude=leveldb",
    "-debugexclude=rand",
    "-disablewallet",
    "-logthreadnames",
    "-logsourcelocations",
    "-loglevel=trace",
    "-nologratelimit",
    "-v2transport=0",
]


# Core 30's harness arguments that Core 28.1 refuses as unknown.
CORE28_UNKNOWN_ARGS = ("-nologratelimit",)

# What a node can be: this project's daemon, or a real Bitcoin Core bitcoind.
IMPLEMENTATIONS = ("bitrootd", "core")


class FailedToStartError(Exception):
    """bitrootd exited (or never answered RPC) during start-up."""


class ErrorMatch(enum.Enum):
    FULL_TEXT = 1
    FULL_REGEX = 2
    PARTIAL_REGEX = 3


class TestNode:
    def __init__(self, i, dirname, *, binary, cli_binary=None, extra_args=None, rpc_timeout=60,
                 timeout_factor=1.0, conf_name="bitcoin.conf", chain="regtest", logger=None,
                 extra_conf=None, disable_autoconnect=True, trace_rpc=False, implementation="bitrootd"):
        if implementation not in IMPLEMENTATIONS:
            raise ValueError("implementation must be one of %s, not %r" % (IMPLEMENTATIONS, implementation))
        self.index = i
        self.implementation = implementation
        self.datadir = get_datadir_path(dirname, i)
        self.chain = chain
        self.binary = binary
        self.cli_binary = cli_binary
        self.extra_args = list(extra_args or [])
        self.timeout_factor = timeout_factor
        self.rpc_timeout = int(rpc_timeout * timeout_factor)
        self.conf_name = conf_name
        self.log = logger
        self.trace_rpc = trace_rpc
        self.p2p_port = p2p_port(i)
        self.rpc_port = rpc_port(i)
        harness = HARNESS_ARGS
        if implementation == "core":
            # The shared Core is 28.1; its harness did not yet pass these.
            harness = [a for a in HARNESS_ARGS if a not in CORE28_UNKNOWN_ARGS]
        self.args = [binary, "-datadir=" + self.datadir] + harness[:5] + \
            ["-uacomment=testnode%d" % i] + harness[5:]
        if implementation == "bitrootd":
            # Gossiped test addresses are routable by necessity; never dial them.
            self.args.append("-test=nopublicdial")
        self.process = None
        self.running = False
        self.rpc = None
        self.rpc_connected = False
        self.p2ps = []
        self.start_count = 0
        self.instance = next(_instances)
        self.stdout_path = None
        self.stderr_path = None
        self._stdout = None
        self._stderr = None
        # (user, password) to use instead of the cookie (-rpcuser/-rpcpassword tests).
        self.rpc_credentials = None
        # What the RPC wait saw before the first answer: "refused", "auth", or an error code.
        self.startup_rpc_log = []
        os.makedirs(self.datadir, exist_ok=True)
        conf = os.path.join(self.datadir, conf_name)
        if not os.path.exists(conf):
            write_config(conf, n=i, chain=chain, extra_config=extra_conf or "",
                         disable_autoconnect=disable_autoconnect)

    @property
    def is_core(self):
        return self.implementation == "core"

    @property
    def name(self):
        """node3 (core) or node3 (bitrootd): how logs and failures name it."""
        return "node%d (%s)" % (self.index, self.implementation)

    # --- paths -------------------------------------------------------------

    @property
    def chaindir(self):
        return chain_dir(self.datadir, self.chain)

    @property
    def debug_log_path(self):
        return os.path.join(self.chaindir, "debug.log")

    @property
    def cookie_path(self):
        return os.path.join(self.chaindir, ".cookie")

    @property
    def conf_path(self):
        return os.path.join(self.datadir, self.conf_name)

    def _log(self, msg, *args):
        if self.log:
            self.log.debug("node%d (%s): " % (self.index, self.implementation) + msg, *args)

    # --- RPC ---------------------------------------------------------------

    def __getattr__(self, name):
        rpc = self.__dict__.get("rpc")
        if name.startswith("_") or rpc is None:
            raise AttributeError("%s (node%d has no RPC connection)" % (name, self.__dict__.get("index", -1)))
        return getattr(rpc, name)

    def read_cookie(self):
        with open(self.cookie_path, encoding="ascii") as f:
            user, _, password = f.read().strip().partition(":")
        return user, password

    def rpc_url(self, user=None, password=None):
        if user is None and self.rpc_credentials is not None:
            user, password = self.rpc_credentials
        if user is None:
            user, password = self.read_cookie()
        return "http://%s:%s@127.0.0.1:%d" % (urllib.parse.quote(user, safe=""),
                                              urllib.parse.quote(password, safe=""), self.rpc_port)

    def get_rpc_proxy(self, user=None, password=None, *, timeout=None, jsonrpc_version="2.0"):
        return AuthServiceProxy(self.rpc_url(user, password), timeout=timeout or self.rpc_timeout,
                                jsonrpc_version=jsonrpc_version,
                                logger=self.log if self.trace_rpc else None)

    # --- start and stop ----------------------------------------------------

    def start(self, extra_args=None, *, env=None, args_override=None):
        """Starts bitrootd (without waiting for RPC); stdout and stderr go to files in the datadir."""
        if self.running:
            raise AssertionError("node%d is already running" % self.index)
        if extra_args is None:
            extra_args = self.extra_args
        self.start_count += 1
        tag = "%d.%d" % (self.instance, self.start_count)
        self.stdout_path = os.path.join(self.datadir, "stdout.%s.txt" % tag)
        self.stderr_path = os.path.join(self.datadir, "stderr.%s.txt" % tag)
        self._stdout = open(self.stdout_path, "wb")
        self._stderr = open(self.stderr_path, "wb")
        argv = list(args_override) if args_override is not None else self.args + list(extra_args)
        self._log("starting: %s", " ".join(argv))
        self.process = subprocess.Popen(argv, stdout=self._stdout, stderr=self._stderr,
                                        env=env, cwd=self.datadir)
        self.running = True
        self.rpc = None
        self.rpc_connected = False
        self.startup_rpc_log = []

    def wait_for_rpc_connection(self, *, check_process=True, timeout=None):
        """Polls getblockcount until it answers; -28 (warming up) and refusals are retried."""
        deadline = time.monotonic() + (timeout or self.rpc_timeout)
        last = None
        while time.monotonic() < deadline:
            if check_process and self.process is not None and self.process.poll() is not None:
                self._close_outputs()
                raise FailedToStartError(self._failure_report(
                    "%s exited with status %d during start-up" % (self.implementation, self.process.returncode)))
            try:
                proxy = self.get_rpc_proxy(timeout=max(5, self.rpc_timeout // 4))
                proxy.getblockcount()
                self.rpc = proxy
                self.rpc_connected = True
                self._log("RPC ready")
                return
            except FileNotFoundError:
                last = "no cookie yet"
            except JSONRPCException as e:
                code = e.error.get("code") if isinstance(e.error, dict) else None
                if code == -28:
                    self._note_startup("-28")
                    last = "warming up: %s" % e.error.get("message")
                elif code == -342 and e.http_status in (401, 503):
                    # A stale cookie from a killed run, or the server not ready.
                    self._note_startup("http%d" % e.http_status)
                    last = "HTTP %s" % e.http_status
                else:
                    raise
            except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError,
                    http.client.HTTPException) as e:
                self._note_startup("refused")
                last = type(e).__name__
            except OSError as e:
                self._note_startup("oserror")
                last = str(e)
            time.sleep(0.05)
        raise FailedToStartError(self._failure_report(
            "RPC did not become ready in %ds (last: %s)" % (timeout or self.rpc_timeout, last)))

    def _note_startup(self, what):
        if not self.startup_rpc_log or self.startup_rpc_log[-1] != what:
            self.startup_rpc_log.append(what)

    def _close_outputs(self):
        for f in (self._stdout, self._stderr):
            if f is not None and not f.closed:
                f.close()

    def read_stderr(self):
        if self.stderr_path is None or not os.path.exists(self.stderr_path):
            return ""
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf8", "replace")

    def read_stdout(self):
        if self.stdout_path is None or not os.path.exists(self.stdout_path):
            return ""
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf8", "replace")

    def stop_node(self, expected_stderr="", *, wait=0, wait_until_stopped=True, timeout=None):
        """Stops through the `stop` RPC; then exit status 0 and stderr == expected_stderr."""
        if not self.running:
            return
        self._log("stopping")
        try:
            self.rpc.stop(wait=wait)
        except (http.client.CannotSendRequest, ConnectionError, http.client.RemoteDisconnected) as e:
            self._log("stop RPC: %s", e)
        if wait_until_stopped:
            self.wait_until_stopped(expected_stderr=expected_stderr, timeout=timeout)

    def is_node_stopped(self, *, expected_stderr="", expected_ret_code=0):
        """True once the process has exited; asserts its status and stderr."""
        if not self.running:
            return True
        ret = self.process.poll()
        if ret is None:
            return False
        self._finish()
        if ret != expected_ret_code:
            raise AssertionError(self._failure_report(
                "%s exited with status %d, expected %d" % (self.implementation, ret, expected_ret_code)))
        stderr = self.read_stderr().strip()
        if stderr != expected_stderr:
            raise AssertionError(self._failure_report(
                "unexpected stderr at stop: %r (expected %r)" % (stderr, expected_stderr)))
        return True

    def wait_until_stopped(self, *, timeout=None, expected_stderr="", expected_ret_code=0):
        timeout = timeout or BITROOTD_PROC_WAIT_TIMEOUT * self.timeout_factor
        deadline = time.monotonic() + timeout
        while not self.is_node_stopped(expected_stderr=expected_stderr, expected_ret_code=expected_ret_code):
            if time.monotonic() > deadline:
                raise AssertionError(self._failure_report("%s did not exit within %ds" % (self.implementation, timeout)))
            time.sleep(0.05)

    def _finish(self):
        self._close_outputs()
        if self.rpc is not None:
            self.rpc.close()
        self.running = False
        self.rpc = None
        self.rpc_connected = False
        for p in self.p2ps:
            if p.is_connected:
                p.peer_disconnect()
        self.p2ps = []

    def kill_process(self):
        """SIGKILL, as a crash would; no checks on stderr or status."""
        if not self.running:
            return
        self._log("kill -9 pid %d", self.process.pid)
        self.process.kill()
        self.process.wait(timeout=BITROOTD_PROC_WAIT_TIMEOUT)
        self._finish()

    def send_signal(self, sig):
        self.process.send_signal(sig)

    def stop_with_signal(self, sig=signal.SIGTERM, *, expected_stderr="", timeout=None):
        self._log("sending signal %d", sig)
        self.process.send_signal(sig)
        self.wait_until_stopped(expected_stderr=expected_stderr, timeout=timeout)

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def assert_start_raises_init_error(self, extra_args=None, expected_msg=None,
                                       match=ErrorMatch.FULL_TEXT, *, expected_ret_code=1, timeout=None,
                                       args_override=None):
        """Starts bitrootd, expects it to exit with expected_ret_code and a message on stderr."""
        self.start(extra_args, args_override=args_override)
        timeout = timeout or BITROOTD_PROC_WAIT_TIMEOUT * self.timeout_factor
        try:
            ret = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_process()
            raise AssertionError("bitrootd should have exited with an error (args %s)" % extra_args)
        self._finish()
        stderr = self.read_stderr().strip()
        if ret == 0 or (expected_ret_code is not None and ret != expected_ret_code):
            raise AssertionError("bitrootd exited with %d, expected %s; stderr: %r" %
                                 (ret, expected_ret_code if expected_ret_code is not None else "non-zero",
                                  stderr))
        if expected_msg is not None:
            if match == ErrorMatch.PARTIAL_REGEX:
                ok = re.search(expected_msg, stderr, flags=re.MULTILINE) is not None
            elif match == ErrorMatch.FULL_REGEX:
                ok = re.fullmatch(expected_msg, stderr, flags=re.DOTALL) is not None
            else:
                ok = stderr == expected_msg
            if not ok:
                raise AssertionError("expected error %r (%s), got stderr %r" % (expected_msg, match.name, stderr))
        return stderr

    # --- logs --------------------------------------------------------------

    def debug_log_bytes(self):
        try:
            return os.path.getsize(self.debug_log_path)
        except OSError:
            return 0

    def read_debug_log(self, offset=0):
        try:
            with open(self.debug_log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        text = self.read_debug_log()
        tail = "\n".join(text.splitlines()[-lines:])
        out = "---- %s debug.log (last %d lines) ----\n%s\n" % (self.name, lines, tail)
        stderr = self.read_stderr()
        if stderr.strip():
            out += "---- %s stderr ----\n%s\n" % (self.name, stderr.strip())
        return out

    def _failure_report(self, what):
        return "%s: %s\n%s" % (self.name, what, self.log_tail(25))

    @contextlib.contextmanager
    def assert_debug_log(self, expected_msgs, unexpected_msgs=None, timeout=2):
        """Inside the block, debug.log must gain every expected_msgs line and none of unexpected_msgs."""
        unexpected_msgs = unexpected_msgs or []
        offset = self.debug_log_bytes()
        yield
        deadline = time.monotonic() + timeout * self.timeout_factor
        while True:
            log = self.read_debug_log(offset)
            for m in unexpected_msgs:
                if m in log:
                    raise AssertionError("unexpected message %r found in debug.log:\n%s" % (m, log[-3000:]))
            if all(m in log for m in expected_msgs):
                return
            if time.monotonic() > deadline:
                missing = [m for m in expected_msgs if m not in log]
                raise AssertionError("expected messages %r not found in debug.log:\n%s" % (missing, log[-3000:]))
            time.sleep(0.05)

    def wait_for_debug_log(self, msgs, timeout=60, offset=0):
        wait_until(lambda: all(m in self.read_debug_log(offset) for m in msgs),
                   timeout=timeout, timeout_factor=self.timeout_factor)

    # --- P2P test peers ----------------------------------------------------

    def add_p2p_connection(self, p2p_conn, *, wait_for_verack=True, check_peerinfo=True):
        """Connects a test peer to this node; by default waits for the full handshake."""
        p2p_conn.timeout_factor = self.timeout_factor
        p2p_conn.peer_connect("127.0.0.1", self.p2p_port)
        self.p2ps.append(p2p_conn)
        if wait_for_verack:
            p2p_conn.wait_for_verack()
            # Our verack may still be in flight; a ping round trip settles it.
            p2p_conn.sync_with_ping()
            if check_peerinfo:
                sock = p2p_conn._transport.get_extra_info("sockname")
                ours = "%s:%d" % (sock[0], sock[1])
                theirs = "127.0.0.1:%d" % self.p2p_port
                info = [p for p in self.getpeerinfo() if p["addr"] == ours and p["addrbind"] == theirs]
                assert_equal(len(info), 1)
                assert_equal(info[0]["subver"], p2p_conn.version_args["user_agent"])
                assert_equal(info[0]["inbound"], True)
                p2p_conn.peer_id = info[0]["id"]
        return p2p_conn

    def add_outbound_p2p_connection(self, p2p_conn, *, connection_type="outbound-full-relay",
                                    wait_for_verack=True):
        """Has the node open an outbound connection (addconnection) to a test peer."""
        p2p_conn.timeout_factor = self.timeout_factor
        port = p2p_conn.peer_accept_connection()
        self.p2ps.append(p2p_conn)
        self.addconnection("127.0.0.1:%d" % port, connection_type, False)
        p2p_conn.wait_for_connect()
        if wait_for_verack:
            p2p_conn.wait_for_verack()
            p2p_conn.sync_with_ping()
        return p2p_conn

    @property
    def p2p(self):
        if not self.p2ps:
            raise AssertionError("node%d has no test peer" % self.index)
        return self.p2ps[0]

    def num_test_p2p_connections(self):
        return sum(1 for p in self.getpeerinfo() if p["subver"] == P2P_SUBVERSION)

    def disconnect_p2ps(self, timeout=60):
        for p in self.p2ps:
            p.peer_disconnect()
        for p in self.p2ps:
            p.wait_for_disconnect(timeout=timeout)
        self.p2ps = []
        wait_until(lambda: self.num_test_p2p_connections() == 0, timeout=timeout,
                   timeout_factor=self.timeout_factor)

    # --- bitroot-cli -------------------------------------------------------

    def cli(self, *args, stdin=None, timeout=60):
        """Runs bitroot-cli against this node; returns CompletedProcess (text)."""
        if not self.cli_binary:
            raise AssertionError("no CLI binary configured for %s" % self.name)
        argv = [self.cli_binary, "-datadir=" + self.datadir, "-rpcport=%d" % self.rpc_port] + list(args)
        return subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=timeout * self.timeout_factor)

    def cli_json(self, *args, **kw):
        res = self.cli(*args, **kw)
        if res.returncode != 0:
            raise AssertionError("bitroot-cli %s failed (%d): %s" % (" ".join(args), res.returncode, res.stderr))
        return json.loads(res.stdout)

    def process_alive(self):
        return self.process is not None and pid_alive(self.process.pid)

    def height_if_up(self):
        """getblockcount, or None while the node is starting (no RPC yet, or warming up)."""
        if not self.rpc_connected:
            try:
                self.wait_for_rpc_connection(timeout=0.05)
            except Exception:  # noqa: BLE001 -- not up yet is an answer too
                return None
        try:
            return self.getblockcount()
        except Exception:  # noqa: BLE001 -- warming up (-28)
            return None
