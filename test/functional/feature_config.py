#!/usr/bin/env python3
"""Command line and configuration file, as Bitcoin Core handles them.

- An unknown command-line option stops start-up: "Error: Invalid parameter
  -foo", exit status 1.
- A malformed config line stops start-up with FILE:LINE, also inside a file
  pulled in by includeconf.
- An unknown key in the config file is a warning in debug.log, not an error.
- Network-specific options (port, rpcport, addnode, ...) only apply from the
  chain's section or the command line; other options apply from the top.
- bitroot.conf is read in preference to bitcoin.conf; -conf=FILE overrides.
- A datadir that does not exist, a -conf file that does not exist and two
  chains at once are refused with exit status 1.
"""

import os
import re
import shutil
import socket

from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, spare_port


class ConfigTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def write(self, path, text):
        with open(path, "w", encoding="utf8") as f:
            f.write(text)

    def added_nodes(self):
        return sorted(a["addednode"] for a in self.nodes[0].getaddednodeinfo())

    def run_test(self):
        node = self.nodes[0]
        self.stop_node(0)
        conf = node.conf_path
        with open(conf, encoding="utf8") as f:
            base = f.read()
        base_lines = base.splitlines()

        self.log.info("Unknown command-line options are refused")
        for arg in ("-foo", "-foo=1", "--foo"):
            stderr = node.assert_start_raises_init_error(
                [arg], r"^Error: (.*: )?Invalid parameter %s\b" % re.escape(arg), match=ErrorMatch.PARTIAL_REGEX)
            self.log.debug("%s -> %r", arg, stderr)

        self.log.info("A malformed config line is reported as FILE:LINE")
        name = os.path.basename(conf)
        bad_cases = [
            # (text of the file, line number of the bad line)
            (base + "this line has no equals sign\n", len(base_lines) + 1),
            (base + "[regtest\n", len(base_lines) + 1),
            ("\n".join(base_lines[:2] + ["garbage"] + base_lines[2:]) + "\n", 3),
            ("# comment\n\n" + base + "rpcthreads 4\n", len(base_lines) + 3),
        ]
        for text, lineno in bad_cases:
            self.write(conf, text)
            node.assert_start_raises_init_error(
                [], r"%s:%d\b" % (re.escape(name), lineno), match=ErrorMatch.PARTIAL_REGEX)
        self.log.info("... also inside an included file")
        inc = os.path.join(node.datadir, "extra.conf")
        self.write(inc, "[regtest]\nmaxconnections=20\nbroken line here\n")
        self.write(conf, "includeconf=extra.conf\n" + base)
        node.assert_start_raises_init_error([], r"extra\.conf:3\b", match=ErrorMatch.PARTIAL_REGEX)
        os.remove(inc)

        self.log.info("Unknown keys in the file are a warning, not an error")
        self.write(conf, base + "unknownkey4711=1\n")
        self.start_node(0)
        log = node.read_debug_log()
        assert "unknownkey4711" in log, "the unknown key should be named in a debug.log warning"
        self.stop_node(0)

        self.log.info("bitroot-cli's own options (rpcconnect) are unknown to the daemon")
        node.assert_start_raises_init_error(
            ["-rpcconnect=127.0.0.1"], r"^Error: (.*: )?Invalid parameter -rpcconnect=127\.0\.0\.1",
            match=ErrorMatch.PARTIAL_REGEX)
        self.write(conf, base + "rpcconnect=127.0.0.1\n")
        self.start_node(0)
        assert re.search(r"Ignoring unknown configuration value (regtest\.)?rpcconnect \(", node.read_debug_log())
        self.stop_node(0)

        self.log.info("Network-specific options only apply from [regtest] or the command line")
        other = spare_port(0)
        ghost = "127.0.0.1:%d" % spare_port(1)
        section_peer = "127.0.0.1:%d" % spare_port(2)
        self.write(conf, "port=%d\nrpcport=%d\naddnode=%s\nuacomment=fromtoplevel\n" % (other, other, ghost) +
                   base + "addnode=%s\n[main]\naddnode=127.0.0.1:1\n" % section_peer)
        self.start_node(0)
        # RPC answered on the section's rpcport (the framework connected there),
        # P2P listens on the section's port and not the top-level one.
        peer = node.add_p2p_connection(P2PInterface())
        assert peer.is_connected
        s = socket.socket()
        try:
            assert_equal(s.connect_ex(("127.0.0.1", other)), 111)  # ECONNREFUSED
        finally:
            s.close()
        assert_equal(self.added_nodes(), [section_peer])
        # A non-network option at the top level does apply.
        assert "fromtoplevel" in node.getnetworkinfo()["subversion"]
        self.stop_node(0)
        self.log.info("... and from the command line")
        self.start_node(0, extra_args=["-addnode=%s" % ghost])
        assert_equal(self.added_nodes(), sorted([ghost, section_peer]))
        self.stop_node(0)

        self.log.info("bitroot.conf is preferred over bitcoin.conf")
        a = "127.0.0.1:%d" % spare_port(3)
        b = "127.0.0.1:%d" % spare_port(4)
        brconf = os.path.join(node.datadir, "bitroot.conf")
        self.write(conf, base + "addnode=%s\n" % b)
        self.write(brconf, base + "addnode=%s\n" % a)
        self.start_node(0)
        assert_equal(self.added_nodes(), [a])
        self.stop_node(0)
        os.remove(brconf)
        self.start_node(0)
        assert_equal(self.added_nodes(), [b])
        self.stop_node(0)

        self.log.info("-conf=FILE is read instead")
        c = "127.0.0.1:%d" % spare_port(5)
        alt = os.path.join(self.tmpdir, "alternative.conf")
        self.write(alt, base + "addnode=%s\n" % c)
        self.start_node(0, extra_args=["-conf=" + alt])
        assert_equal(self.added_nodes(), [c])
        self.stop_node(0)
        self.write(conf, base)

        self.log.info("A -conf file that does not exist is an error")
        missing = os.path.join(self.tmpdir, "no-such.conf")
        node.assert_start_raises_init_error(["-conf=" + missing], re.escape("no-such.conf"),
                                            match=ErrorMatch.PARTIAL_REGEX)

        self.log.info("A datadir that does not exist is an error")
        nowhere = os.path.join(self.tmpdir, "does-not-exist")
        argv = [a for a in node.args if not a.startswith("-datadir=")] + ["-datadir=" + nowhere, "-regtest"]
        node.assert_start_raises_init_error(
            None, r"^Error: .*%s.*does not exist" % re.escape(nowhere), match=ErrorMatch.PARTIAL_REGEX,
            args_override=argv)
        assert not os.path.exists(nowhere), "a missing datadir must not be created"

        self.log.info("Two chains at once are refused")
        node.assert_start_raises_init_error(["-testnet"], r"^Error: ", match=ErrorMatch.PARTIAL_REGEX)
        node.assert_start_raises_init_error(["-chain=nosuchchain"], r"^Error: ", match=ErrorMatch.PARTIAL_REGEX)

        self.log.info("The node still starts with its plain config")
        self.start_node(0)
        assert_equal(node.getblockcount(), 0)
        shutil.rmtree(os.path.join(self.tmpdir, "does-not-exist"), ignore_errors=True)


if __name__ == "__main__":
    ConfigTest(__file__).main()
