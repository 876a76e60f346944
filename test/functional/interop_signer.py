#!/usr/bin/env python3
"""enumeratesigners on Bitcoin Core 28.1 and bitrootd: the same answers.

Both nodes run the same mock -signer tool (written here: a Python script
that answers "enumerate" as a hardware-wallet interface does, its reply
chosen through a file), and every call must give the same result or the
same error code and message:

- signers listed with and without a model, a duplicate fingerprint (Core
  stops listing there), a non-string model (no name), a second line of
  output (ignored: only the first is read);
- an object instead of an array, text that is not JSON, empty output, an
  "error" entry (string and not), a signer without a fingerprint, a
  fingerprint that is not a string;
- a tool that exits non-zero (the first line of its stderr is quoted), one
  killed by a signal, and one that does not exist;
- no -signer at all; an argument given to the method (arity: code only).
"""

import os
import stat
import sys

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

MOCK = r'''#!PYTHON
import os, sys
mode = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mode")).read().strip()
if sys.argv[1:] != ["enumerate"]:
    sys.stderr.write("unexpected arguments %r\n" % sys.argv[1:])
    sys.exit(2)
replies = {
    "ok": '[{"fingerprint": "00000001", "model": "trezor_t"}, {"fingerprint": "00000002"}, '
          '{"fingerprint": "00000001", "model": "dup"}, {"fingerprint": "00000003", "model": "x"}]',
    "none": '[]',
    "notarray": '{"fingerprint": "00000001"}',
    "badjson": 'not json',
    "trailing": '[{"fingerprint": "aa"}] x',
    "err": '[{"fingerprint": "00000001"}, {"error": "device locked"}]',
    "errnum": '[{"error": 5}]',
    "errnull": '[{"error": null, "fingerprint": "bb"}]',
    "nofp": '[{"model": "x"}]',
    "fpnum": '[{"fingerprint": 7}]',
    "modelnum": '[{"fingerprint": "aa", "model": 5}]',
    "twolines": '[{"fingerprint": "aa"}]\n[{"fingerprint": "bb"}]',
    "empty": '',
}
if mode == "exit":
    sys.stderr.write("boom\nsecond line\n")
    sys.exit(3)
if mode == "kill":
    os.kill(os.getpid(), 9)
sys.stdout.write(replies[mode] + "\n")
'''

MODES = ["ok", "none", "notarray", "badjson", "trailing", "err", "errnum", "errnull", "nofp", "fpnum",
         "modelnum", "twolines", "empty", "exit", "kill"]


class SignerTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)

    def answer(self, node, *args):
        try:
            return ("ok", node.enumeratesigners(*args))
        except JSONRPCException as e:
            return ("error", e.error["code"], e.error["message"])

    def both(self, *args):
        a = self.answer(self.nodes[0], *args)
        b = self.answer(self.nodes[1], *args)
        assert_equal(a, b)
        return a

    def restart_both(self, args):
        for i in range(2):
            self.restart_node(i, args) if self.nodes[i].running else self.start_node(i, args)

    def run_test(self):
        d = os.path.join(self.options.tmpdir, "signer")
        os.makedirs(d)
        tool = os.path.join(d, "mock_signer.py")
        with open(tool, "w", encoding="utf8") as f:
            f.write(MOCK.replace("PYTHON", sys.executable, 1))
        os.chmod(tool, os.stat(tool).st_mode | stat.S_IXUSR)
        mode = os.path.join(d, "mode")

        self.log.info("the mock signer's answers, one mode at a time")
        self.restart_both(["-signer=" + tool])
        for m in MODES:
            with open(mode, "w", encoding="utf8") as f:
                f.write(m)
            r = self.both()
            self.log.debug("%s: %r", m, r)
            if m == "ok":
                assert_equal(r, ("ok", {"signers": [{"fingerprint": "00000001", "name": "trezor_t"},
                                                   {"fingerprint": "00000002", "name": ""}]}))
            if m == "exit":
                assert_equal(r[2], "RunCommandParseJSON error: process(%s enumerate) returned 3: boom\n" % tool)
        a = self.answer(self.nodes[0], 1)
        b = self.answer(self.nodes[1], 1)
        assert_equal((a[:2], b[:2]), (("error", -1), ("error", -1)))

        self.log.info("a tool that does not exist")
        self.restart_both(["-signer=" + os.path.join(d, "missing") + " --flag"])
        assert_equal(self.both(), ("error", -1, "execve failed: No such file or directory (2)"))

        self.log.info("no -signer")
        self.restart_both([])
        assert_equal(self.both(), ("error", -1, "Error: restart bitcoind with -signer=<cmd>"))


if __name__ == "__main__":
    SignerTest(__file__).main()
