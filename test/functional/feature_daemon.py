#!/usr/bin/env python3
"""-daemon, -daemonwait and -pid.

- With -daemon the launching process exits 0 with nothing on stderr; the
  daemon keeps running in its own session, writes its pid to
  <datadir>/regtest/bitrootd.pid, answers RPC, and removes the pid file (and
  the cookie) when it stops.
- With -daemonwait the launcher exits only once start-up has finished, so RPC
  answers at once; -pid=FILE puts the pid file there.
"""

import os
import signal
import subprocess
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_not_equal, pid_alive, wait_until


def session_of(pid):
    with open("/proc/%d/stat" % pid, encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[3])


class DaemonTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_network(self):
        self.add_nodes(1)   # started by hand below

    def launch(self, extra):
        """Runs the launcher; returns (exit status, stdout, stderr).

        Its output goes to files, not pipes: a daemon that kept the launcher's
        stdio open would otherwise hold a pipe reader here until it exits.
        """
        node = self.nodes[0]
        argv = node.args + extra
        self.log.debug("launching %s", " ".join(argv))
        out = os.path.join(self.tmpdir, "launcher.out")
        err = os.path.join(self.tmpdir, "launcher.err")
        with open(out, "wb") as fo, open(err, "wb") as fe:
            ret = subprocess.run(argv, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, cwd=node.datadir,
                                 timeout=60 * self.options.timeout_factor).returncode
        with open(out, encoding="utf8", errors="replace") as fo, open(err, encoding="utf8", errors="replace") as fe:
            return ret, fo.read(), fe.read()

    def launch_ok(self, extra):
        ret, out, err = self.launch(extra)
        assert_equal(ret, 0)
        assert_equal(err, "")
        return out

    def read_pid(self, path):
        wait_until(lambda: os.path.exists(path), timeout=30, timeout_factor=self.options.timeout_factor)
        with open(path, encoding="ascii") as f:
            return int(f.read().strip())

    def stop_daemon(self, pid, pidfile):
        node = self.nodes[0]
        reply = node.rpc.stop()
        assert "stopping" in reply.lower()
        node.rpc.close()
        node.rpc = None
        node.rpc_connected = False
        wait_until(lambda: not pid_alive(pid), timeout=60, timeout_factor=self.options.timeout_factor)
        assert not os.path.exists(pidfile), "pid file not removed at stop"
        assert not os.path.exists(node.cookie_path), "cookie not removed at stop"
        self.daemon_pid = None

    def run_test(self):
        self.daemon_pid = None
        try:
            self.run_daemon_tests()
        finally:
            # Only a daemon this test started, found by its pid file.
            pids = [self.daemon_pid]
            for path in (os.path.join(self.nodes[0].chaindir, "bitrootd.pid"),
                         os.path.join(self.tmpdir, "custom.pid")):
                try:
                    with open(path, encoding="ascii") as f:
                        pids.append(int(f.read().strip()))
                except (OSError, ValueError):
                    pass
            for pid in pids:
                if pid is not None and pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)

    def run_daemon_tests(self):
        node = self.nodes[0]
        pidfile = os.path.join(node.chaindir, "bitrootd.pid")

        self.log.info("-daemon: the launcher exits 0, the daemon runs on its own")
        out = self.launch_ok(["-daemon"])
        launcher_done = time.monotonic()
        pid = self.read_pid(pidfile)
        self.daemon_pid = pid
        assert pid_alive(pid), "pid file names a process that is not running"
        assert_not_equal(session_of(pid), os.getsid(0))
        self.log.debug("daemon pid %d, launcher stdout %r", pid, out)
        node.wait_for_rpc_connection(check_process=False)
        self.log.info("RPC answered %.2fs after the launcher exited", time.monotonic() - launcher_done)
        assert_equal(node.getblockcount(), 0)
        self.generate(node, 2, sync_fun=self.no_op)
        assert os.path.isfile(node.debug_log_path)
        self.stop_daemon(pid, pidfile)

        self.log.info("-daemonwait with -pid=FILE: ready when the launcher returns")
        custom = os.path.join(self.tmpdir, "custom.pid")
        self.launch_ok(["-daemonwait", "-pid=" + custom])
        pid = self.read_pid(custom)
        self.daemon_pid = pid
        assert not os.path.exists(pidfile), "-pid=FILE must replace the default pid file"
        # Start-up has finished: the first RPC answers without warm-up.
        proxy = node.get_rpc_proxy()
        assert_equal(proxy.getblockcount(), 2)
        proxy.close()
        node.wait_for_rpc_connection(check_process=False)
        self.stop_daemon(pid, custom)

        self.log.info("A daemon that fails to start makes the launcher fail")
        ret, _, err = self.launch(["-daemonwait", "-nosuchoption"])
        assert_not_equal(ret, 0)
        assert "nosuchoption" in err, err


if __name__ == "__main__":
    DaemonTest(__file__).main()
