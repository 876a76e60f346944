#!/usr/bin/env python3
"""What a newcomer meets in a fresh clone works as documented (issue 17).

- Every functional test is executable, in git's index and on disk, so
  ./test/functional/NAME.py runs from a fresh clone.
- The framework's port windows lie below the kernel's ephemeral range
  (/proc/sys/net/ipv4/ip_local_port_range), where outgoing connections
  take their local ports; a range starting too low is refused with a
  message, not used.
- Relative binary paths work from any directory: test_runner.py's
  --bitrootd/--bitrootcli and BITROOTD/BITROOTCLI (tests run from the
  repository's top), and a test's own --bitrootd and --tmpdir (nodes run in
  their datadir).
- test/run_tests.sh ends with exactly one "N passed, N failed" line.
"""

import os
import re
import subprocess
import sys

from test_framework import util
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SMALL_TEST = "rpc_errors.py"     # one node, a few seconds


class LintNewcomerTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 0

    def setup_network(self):
        pass

    def run_test(self):
        self.executable_bits()
        self.port_windows()
        self.relative_paths()
        self.one_result_line()

    def executable_bits(self):
        scripts = sorted(f for f in os.listdir(HERE) if f.endswith(".py"))
        not_x = [f for f in scripts if not os.access(os.path.join(HERE, f), os.X_OK)]
        assert not not_x, "functional tests without the executable bit (chmod +x): %s" % not_x
        try:
            out = subprocess.run(["git", "-C", REPO, "ls-files", "-s", "--", ":(glob)test/functional/*.py"],
                                 capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            self.log.info("not a git checkout: index modes not checked")
            out = ""
        in_index = [line.split(None, 3) for line in out.splitlines()]
        not_x = [f[3] for f in in_index if f[0] != "100755"]
        assert not not_x, "functional tests committed without mode 755 (git update-index --chmod=+x): %s" % not_x
        self.log.info("%d test scripts executable (%d checked in git's index)", len(scripts), len(in_index))

    def port_windows(self):
        low, high = util.ephemeral_port_range()
        assert_greater_than(high, low - 1)
        assert util.PORT_MAX <= low, "port windows reach %d, ephemeral range starts at %d" % (util.PORT_MAX, low)
        last = util.PORT_MIN + util.PORT_WINDOWS * util.PORTS_PER_WINDOW
        assert last <= low, "last window ends at %d" % last
        for n in range(3):
            for port in (util.p2p_port(n), util.rpc_port(n), util.spare_port(n)):
                assert util.PORT_MIN <= port < low, port
        # Other kernels' ranges: the limit follows them, and one too low to
        # hold 16 windows is refused with a message.
        assert_equal(util.port_limit((20000, 60999)), 20000)
        assert_equal(util.port_limit((49152, 65535)), 49152)
        try:
            util.port_limit((11500, 60999))
        except RuntimeError as e:
            assert "ip_local_port_range starts at 11500" in str(e), e
        else:
            raise AssertionError("a range starting at 11500 was accepted")
        self.log.info("ports %d-%d, below the ephemeral range %d-%d", util.PORT_MIN, util.PORT_MAX - 1, low, high)

    def relative_paths(self):
        cwd = os.path.join(self.options.tmpdir, "elsewhere")
        os.makedirs(cwd)
        rel_bin = os.path.relpath(self.options.bitrootd, cwd)
        rel_cli = os.path.relpath(self.options.bitrootcli, cwd)
        assert not os.path.isabs(rel_bin)
        env = dict(os.environ)
        for var in ("BITROOTD", "BITROOTCLI"):
            env.pop(var, None)
        runner = os.path.join(HERE, "test_runner.py")
        for how, cmd, extra_env in (
            # The runner's own options, and the environment it reads.
            ("--bitrootd", [runner, "--bitrootd=" + rel_bin, "--bitrootcli=" + rel_cli], {}),
            ("BITROOTD", [runner], {"BITROOTD": rel_bin, "BITROOTCLI": rel_cli}),
            # A test run by hand, its datadirs under a relative --tmpdir.
            ("a test's --bitrootd", [os.path.join(HERE, SMALL_TEST), "--bitrootd=" + rel_bin,
                                     "--bitrootcli=" + rel_cli, "--tmpdir=child",
                                     "--portseed=%d" % util.PortSeed.n], {})):
            if cmd[0] == runner:
                cmd = cmd + ["-j", "1", "--tmpdirprefix=" + cwd, SMALL_TEST]
            p = subprocess.run([sys.executable] + cmd, cwd=cwd, env=dict(env, **extra_env),
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                raise AssertionError("%s with a relative %s (%s) from %s failed (%d):\n%s" % (
                    SMALL_TEST, how, rel_bin, cwd, p.returncode, (p.stdout + p.stderr)[-3000:]))
            self.log.info("%s passed with a relative %s (%s)", SMALL_TEST, how, rel_bin)

    def one_result_line(self):
        builddir = os.path.dirname(os.path.dirname(self.options.bitrootd))
        p = subprocess.run([os.path.join(REPO, "test", "run_tests.sh"), "--builddir=" + builddir,
                            "--functional-only", "--", "-j", "1", SMALL_TEST],
                           capture_output=True, text=True, timeout=900)
        lines = p.stdout.splitlines()
        results = [x for x in lines if re.match(r"^[0-9]+ passed, [0-9]+ failed", x)]
        assert_equal(p.returncode, 0)
        assert_equal(results, ["1 passed, 0 failed"])
        assert_equal(lines[-1], "1 passed, 0 failed")
        assert "functional tests: 1 passed, 0 failed, 0 skipped" in lines, lines[-5:]
        self.log.info("run_tests.sh ends with one result line")


if __name__ == "__main__":
    LintNewcomerTest(__file__).main()
