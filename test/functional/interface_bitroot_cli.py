#!/usr/bin/env python3
"""bitroot-cli end to end, with bitcoin-cli's conventions.

- -datadir alone is enough: the chain, rpcport and cookie come from the
  datadir's config and regtest/.cookie.
- Strings print raw, numbers as such, objects as pretty JSON; JSON-typed
  parameters (numbers, booleans) are converted per method.
- -named, -stdin, -getinfo, -rpcuser/-rpcpassword, -rpcconnect/-rpcport.
- The config file is read by the daemon's reader: -rpcport, -rpcuser and
  -rpcpassword from the chain's section (or "regtest.rpcport="), a
  network-only option at the top dropped for a test chain, includeconf, and
  a malformed line reported with its file and line.
- Errors: "error code: N" / "error message:" on stderr and exit status 1;
  "Could not connect to the server HOST:PORT" when nothing listens;
  -rpcwait waits for a node that is starting, -rpcwaittimeout gives up.
"""

import json
import os
import subprocess
import tempfile
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import REGTEST_GENESIS_HASH, assert_equal, assert_in, spare_port


class CliTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def cli(self, *args, stdin=None, timeout=60):
        node = self.nodes[0]
        argv = [self.options.bitrootcli, "-datadir=" + node.datadir] + list(args)
        return subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=timeout * self.options.timeout_factor)

    def ok(self, *args, **kw):
        res = self.cli(*args, **kw)
        assert_equal(res.returncode, 0)
        assert_equal(res.stderr, "")
        return res.stdout

    def fails(self, *args, rc=1, **kw):
        """Runs a failing command; rc is bitcoin-cli's exit status for it
        (abs(code) of an RPC error, 1 for the client's own errors)."""
        res = self.cli(*args, **kw)
        assert_equal(res.returncode, rc)
        return res.stderr

    def run_test(self):
        node = self.nodes[0]
        self.require_cli()
        self.generate(node, 3)
        best = node.getbestblockhash()

        self.log.info("Output formats")
        assert_equal(self.ok("getblockcount"), "3\n")
        assert_equal(self.ok("getblockhash", "0"), REGTEST_GENESIS_HASH + "\n")
        info = json.loads(self.ok("getblockchaininfo"))
        assert_equal((info["chain"], info["blocks"], info["bestblockhash"]), ("regtest", 3, best))
        assert "\n  " in self.ok("getblockchaininfo"), "objects are pretty-printed"
        assert_equal(self.ok("getblockheader", best, "false").strip(), node.getblockheader(best, False))
        assert_equal(self.ok("getblock", best, "0").strip(), node.getblock(best, 0))

        self.log.info("-named and -stdin")
        assert_equal(self.ok("-named", "getblockhash", "height=0"), REGTEST_GENESIS_HASH + "\n")
        assert_equal(self.ok("-named", "getblock", "blockhash=" + best, "verbosity=0").strip(), node.getblock(best, 0))
        assert_equal(self.ok("-stdin", "getblockhash", stdin="0\n"), REGTEST_GENESIS_HASH + "\n")
        assert_equal(self.ok("-stdin", "-named", "getblockhash", stdin="height=1\n"), node.getblockhash(1) + "\n")

        self.log.info("-getinfo")
        out = self.ok("-getinfo")
        assert_in("regtest", out)
        assert_in("3", out)

        self.log.info("Explicit connection and credentials")
        port = node.rpc_port
        assert_equal(self.ok("-rpcconnect=127.0.0.1", "-rpcport=%d" % port, "getblockcount"), "3\n")
        user, pw = node.read_cookie()
        assert_equal(self.ok("-rpcuser=" + user, "-rpcpassword=" + pw, "getblockcount"), "3\n")
        err = self.fails("-rpcuser=" + user, "-rpcpassword=wrong", "getblockcount")
        assert "uthoriz" in err, err

        self.test_config(node)

        self.log.info("RPC errors")
        err = self.fails("getblockhash", "-1", rc=8)
        assert_in("error code: -8", err)
        assert_in("error message:", err)
        assert_in("Block height out of range", err)
        err = self.fails("nosuchmethod", rc=32601 % 256)
        assert_in("error code: -32601", err)
        err = self.fails("getblockhash", "notanumber")
        assert err.startswith("error"), err

        self.log.info("Nothing listening")
        other = spare_port(0)
        err = self.fails("-rpcport=%d" % other, "getblockcount")
        assert_in("Could not connect to the server 127.0.0.1:%d" % other, err)

        self.log.info("-rpcwait across a restart, -rpcwaittimeout")
        self.stop_node(0)
        err = self.fails("getblockcount")
        assert_in("Could not connect to the server", err)
        t = time.monotonic()
        err = self.fails("-rpcwait", "-rpcwaittimeout=2", "getblockcount")
        assert time.monotonic() - t >= 1.5, "gave up before the wait timeout"
        node.start()
        assert_equal(self.ok("-rpcwait", "getblockcount"), "3\n")
        node.wait_for_rpc_connection()
        assert_equal(node.getblockcount(), 3)

    def cli_conf(self, datadir, text, *args, extra=None):
        """bitroot-cli with an empty datadir holding bitroot.conf = text."""
        with open(os.path.join(datadir, "bitroot.conf"), "w") as f:
            f.write(text)
        for name, body in (extra or {}).items():
            with open(os.path.join(datadir, name), "w") as f:
                f.write(body)
        argv = [self.options.bitrootcli, "-datadir=" + datadir] + list(args)
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=60 * self.options.timeout_factor)

    def test_config(self, node):
        self.log.info("Config file: -rpcport, -rpcuser, -rpcpassword from the [regtest] section")
        user, pw = node.read_cookie()
        port = node.rpc_port
        other = spare_port(0)
        with tempfile.TemporaryDirectory() as d:
            # no cookie here: only the section's credentials can work
            creds = "rpcuser=%s\nrpcpassword=%s\n" % (user, pw)
            res = self.cli_conf(d, "regtest=1\nrpcport=%d\n[regtest]\nrpcport=%d\n%s" % (other, port, creds),
                                "getblockcount")
            assert_equal((res.returncode, res.stdout, res.stderr), (0, "3\n", ""))
            res = self.cli_conf(d, "regtest=1\nregtest.rpcport=%d\nmain.rpcport=%d\n[regtest]\n%s"
                                % (port, other, creds), "getblockcount")
            assert_equal((res.returncode, res.stdout), (0, "3\n"))
            self.log.info("... the command line wins over the file")
            res = self.cli_conf(d, "regtest=1\n[regtest]\nrpcport=%d\n%s" % (other, creds),
                                "-rpcport=%d" % port, "getblockcount")
            assert_equal((res.returncode, res.stdout), (0, "3\n"))
            self.log.info("... a wrong password from the file is used, and refused")
            res = self.cli_conf(d, "regtest=1\n[regtest]\nrpcport=%d\nrpcuser=%s\nrpcpassword=x\n"
                                % (port, user), "getblockcount")
            assert_equal(res.returncode, 1)
            assert_in("Incorrect rpcuser or rpcpassword", res.stderr)
            self.log.info("... a top-level rpcport does not apply to regtest")
            res = self.cli_conf(d, "regtest=1\nrpcport=%d\n%s" % (port, creds), "getblockcount")
            assert_equal(res.returncode, 1)
            assert_in("Could not connect to the server 127.0.0.1:18443", res.stderr)
            self.log.info("... includeconf")
            res = self.cli_conf(d, "regtest=1\nincludeconf=more.conf\n", "getblockcount",
                                extra={"more.conf": "[regtest]\nrpcport=%d\n%s" % (port, creds)})
            assert_equal((res.returncode, res.stdout), (0, "3\n"))
            self.log.info("... a malformed line is an error naming the file and line")
            res = self.cli_conf(d, "regtest=1\n[regtest]\ngarbage line\n", "getblockcount")
            assert_equal(res.returncode, 1)
            assert_in("parse error on line 3: garbage line (%s:3)" % os.path.join(d, "bitroot.conf"),
                      res.stderr)
            res = self.cli_conf(d, "regtest=1\nincludeconf=more.conf\n", "getblockcount",
                                extra={"more.conf": "\n-rpcport=1\n"})
            assert_equal(res.returncode, 1)
            assert_in("(%s:2)" % os.path.join(d, "more.conf"), res.stderr)

    def require_cli(self):
        if not os.access(self.options.bitrootcli, os.X_OK):
            raise AssertionError("bitroot-cli not found at %s" % self.options.bitrootcli)


if __name__ == "__main__":
    CliTest(__file__).main()
