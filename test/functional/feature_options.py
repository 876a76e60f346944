#!/usr/bin/env python3
"""Every option does what it says, or says it does not (issue 17).

- contrib/devtools/check_options.py passes on the tree, and fails on a
  tree where an option is read nowhere and carries no X/U/W flag.
- Options bitrootd does not support stop start-up when they ask for
  anything but off: one line on stderr, "Error: -NAME=VALUE is not supported
  by bitrootd: <why, and what to use instead>.", exit status 1. Off values
  start fine.
- Options that have no effect get one warning line each in the log (wallet
  and GUI options whenever set; others only when set to 1).
- -blocknotify runs its command (%s: the block hash) for each new tip out
  of initial block download.
- -maxtipage decides initialblockdownload (with setmocktime).
- -server=0 opens no RPC port; -stopafterblockimport stops the node once
  the (empty) import is over; -blockversion sets mined blocks' version on
  regtest; -loglevelalways writes [category:level]; -minimumchainwork and
  -assumevalid are checked as Core checks them.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKER = os.path.join(REPO, "contrib", "devtools", "check_options.py")

# (argument, the value the message names)
REFUSED = [
    "-coinstatsindex=1", "-peerbloomfilters=1",
    "-maxuploadtarget=500", "-maxuploadtarget=1G", "-listenonion=1",
    "-natpmp=1", "-upnp=1", "-txreconciliation=1",
    "-vbparams=testdummy:0:1",
    "-i2psam=127.0.0.1:7656",
]
# Off in every spelling: these start.
ACCEPTED_OFF = [
    "-rest=0", "-coinstatsindex=0", "-peerbloomfilters=0",
    "-maxuploadtarget=0", "-maxuploadtarget=0M", "-listenonion=0", "-natpmp=0", "-nolistenonion",
    "-prune=0", "-noproxy", "-onion=0", "-dnsseed=0", "-fixedseeds=0",
    "-forcednsseed=0", "-discover=0", "-nologratelimit", "-minimumchainwork=0x00",
    "-assumevalid=0",
]
# (argument, warning expected in debug.log)
WARNED = [
    ("-dbbatchsize=1000", "-dbbatchsize is ignored: a sync batch is one LMDB transaction"),
    ("-logratelimit=1", "-logratelimit=1 has no effect"),
    ("-paytxfee=0.001", "-paytxfee is ignored: bitrootd has no wallet"),
    ("-splash=1", "-splash is ignored: bitrootd has no GUI"),
    ("-deprecatedrpc=warnings", "-deprecatedrpc=warnings has no effect"),
]


class OptionsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        self.test_checker()
        self.test_refused()
        self.test_warned()
        self.test_blocknotify()
        self.test_blockversion_and_loglevel()
        self.test_maxtipage()
        self.test_server_off()
        self.test_stopafterblockimport()

    def test_checker(self):
        self.log.info("check_options.py passes here and catches an unread option")
        res = subprocess.run([sys.executable, CHECKER, REPO], capture_output=True, text=True)
        assert_equal(res.returncode, 0)
        assert res.stdout.rstrip().endswith("0 problems"), res.stdout
        with tempfile.TemporaryDirectory() as top:
            os.makedirs(os.path.join(top, "src", "util"))
            with open(os.path.join(top, "src", "util", "args_table.c"), "w") as f:
                f.write('static const struct arg_def table[] = {\n'
                        '\t{ "used", "", B, GO, "read below" },\n'
                        '\t{ "unused", "", B, GO, "read nowhere" },\n'
                        '\t{ "warned", "", B | X, GO, "no note" },\n'
                        '\t{ "liar", "", B | U, GO, "refused but read", "why" },\n'
                        '};\n')
            with open(os.path.join(top, "src", "mod.c"), "w") as f:
                f.write('x = args_get_bool(a, "used", 0);\ny = args_get_bool(a, "liar", 0);\n')
            res = subprocess.run([sys.executable, CHECKER, top], capture_output=True, text=True)
            assert_equal(res.returncode, 1)
            out = res.stdout
            assert "-unused is read nowhere" in out, out
            assert "-warned is flagged X but has no note" in out, out
            assert "-liar is read in mod.c but flagged U" in out, out
            assert "-used" not in out, out

    def test_refused(self):
        node = self.nodes[0]
        self.log.info("Unsupported options asking for something stop start-up, one line each")
        self.stop_node(0)
        for arg in REFUSED:
            name, eq, value = arg[1:].partition("=")
            if not eq:
                # a bare boolean reads as 1; a bare string option as ""
                value = "1" if name == "v2transport" else ""
            node.assert_start_raises_init_error(
                [arg], r"Error: -%s=%s is not supported by bitrootd: [^\n]+\." % (name, re.escape(value)),
                match=ErrorMatch.FULL_REGEX)
        self.log.info("The same options set to off start, without a warning")
        self.start_node(0, extra_args=ACCEPTED_OFF)
        with open(node.debug_log_path, encoding="utf8") as f:
            log = f.read()
        for arg in ACCEPTED_OFF:
            name = arg[1:].split("=")[0]
            name = name[2:] if name.startswith("no") and name != "nolistenonion" else name
            assert "-%s is ignored" % name not in log and "-%s=" % name + "0 has no effect" not in log, arg

    def test_warned(self):
        node = self.nodes[0]
        self.log.info("Options without effect are warned about, one line each")
        with node.assert_debug_log([w for _, w in WARNED]):
            self.restart_node(0, extra_args=[a for a, _ in WARNED])
        # the harness's own config (fallbackfee, keypool, ...) gets its warnings, not an error
        with open(node.debug_log_path, encoding="utf8") as f:
            log = f.read()
        assert "-fallbackfee is ignored: bitrootd has no wallet" in log
        assert_equal(log.count("-dbbatchsize is ignored"), 1)
        # -dbcache sizes sync batches now (feature_syncbatch.py): no warning.
        assert "-dbcache is ignored" not in log

    def test_blocknotify(self):
        node = self.nodes[0]
        self.log.info("-blocknotify runs its command for each new tip")
        outdir = os.path.join(self.options.tmpdir, "blocknotify")
        os.makedirs(outdir)
        self.restart_node(0, extra_args=["-blocknotify=touch %s/%%s" % outdir])
        hashes = self.generate(node, 5)
        self.wait_until(lambda: len(os.listdir(outdir)) == 5)
        assert_equal(sorted(os.listdir(outdir)), sorted(hashes))

    def test_blockversion_and_loglevel(self):
        node = self.nodes[0]
        self.log.info("-blockversion sets the version of mined blocks on regtest; -loglevelalways")
        self.restart_node(0, extra_args=["-blockversion=1234", "-loglevelalways"])
        h = self.generate(node, 1)[0]
        assert_equal(node.getblockheader(h)["version"], 1234)
        with open(node.debug_log_path, encoding="utf8") as f:
            log = f.read()
        assert "[all:info] " in log and "[rpc:debug] " in log

        self.log.info("-minimumchainwork and -assumevalid: Core's format checks")
        self.stop_node(0)
        node.assert_start_raises_init_error(
            ["-minimumchainwork=xyz"], "Error: Invalid minimum work specified (xyz), must be up to 64 hex digits")
        node.assert_start_raises_init_error(
            ["-assumevalid=" + "1" * 65],
            "Error: Invalid assumevalid block hash specified (%s), must be up to 64 hex digits "
            "(or 0 to disable)" % ("1" * 65))
        node.assert_start_raises_init_error(
            ["-test=bogus"], "Error: -test=bogus unknown test option (bitrootd knows: addrman, nopublicdial)")
        self.log.info("-minimumchainwork above the chain's work keeps the node in IBD")
        self.start_node(0, extra_args=["-minimumchainwork=0x" + "f" * 60])
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        self.stop_node(0)

    def test_maxtipage(self):
        """A fresh datadir, as IBD latches to false once left."""
        node = self.nodes[0]
        self.log.info("-maxtipage decides initialblockdownload")
        shutil.rmtree(node.chaindir)
        self.start_node(0, extra_args=["-maxtipage=1000"])
        tip_time = node.getblockheader(node.getbestblockhash())["time"]
        node.setmocktime(tip_time + 1001)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)
        node.setmocktime(tip_time + 1000)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], False)
        self.log.info("Without it, 24 hours")
        self.stop_node(0)
        shutil.rmtree(node.chaindir)
        self.start_node(0)
        node.setmocktime(tip_time + 1001)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], False)
        self.stop_node(0)
        shutil.rmtree(node.chaindir)
        self.start_node(0)
        node.setmocktime(tip_time + 24 * 3600 + 1)
        assert_equal(node.getblockchaininfo()["initialblockdownload"], True)

    def test_server_off(self):
        node = self.nodes[0]
        self.log.info("-server=0: no RPC port")
        self.stop_node(0)
        start = os.path.getsize(node.debug_log_path)

        def loaded():
            with open(node.debug_log_path, encoding="utf8") as f:
                f.seek(start)
                text = f.read()
            return "-server=0: no RPC server" in text and "init message: Done loading" in text
        node.start(["-server=0"])
        self.wait_until(loaded)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", node.rpc_port)) != 0, "RPC port open with -server=0"
        assert not os.path.exists(node.cookie_path)
        node.stop_with_signal()

    def test_stopafterblockimport(self):
        node = self.nodes[0]
        self.log.info("-stopafterblockimport: the node stops by itself after the import")
        t = time.monotonic()
        node.start(["-stopafterblockimport"])
        node.wait_until_stopped(timeout=120)
        self.log.debug("stopped after %.1f s", time.monotonic() - t)
        with open(node.debug_log_path, encoding="utf8") as f:
            assert "Stopping after block import" in f.read()
        self.start_node(0)


if __name__ == "__main__":
    OptionsTest(__file__).main()
