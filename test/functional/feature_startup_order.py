#!/usr/bin/env python3
"""Start-up as Bitcoin Core 28 orders and refuses it.

- -loadblock: RPC answers while the files are imported (Core 28 leaves
  warm-up before its import thread is done), but getmempoolinfo's "loaded"
  turns true only after the import and the mempool.dat load that follows it
  (Core's test framework waits for "loaded" after every start, so a test
  sees the whole chain). A client polling from the first answer never sees
  "loaded" with less than the whole chain, and a mempool.dat transaction
  spending a coinbase that only the imported chain makes mature is back in
  the pool: mempool.dat is read after the import.
- -uacomment outside Core's safe characters, and a user agent over 256
  bytes, stop start-up with Core's messages.
- -includeconf: inside an included file, Core's warning on stderr and the
  nested file is not read; on the command line, Core's error (a later
  -noincludeconf clears it, and turns includes off); a missing file,
  Core's error.
"""

import os
import shutil
import struct
import time

from test_framework.messages import MAGIC_REGTEST
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

BLOCKS = 300


class StartupOrderTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.add_nodes(self.num_nodes)
        self.start_node(0)

    def run_test(self):
        self.test_loadblock()
        self.test_uacomment()
        self.test_includeconf()

    def test_loadblock(self):
        n0, n1 = self.nodes
        self.log.info("node0 mines %d blocks and keeps one transaction in its mempool", BLOCKS)
        wallet = MiniWallet(n0)
        wallet.generate(BLOCKS)
        # Mature only from block BLOCKS + 1 on: a chain one block shorter
        # would refuse it.
        cb = n0.getblock(n0.getblockhash(BLOCKS - 99))["tx"][0]
        tx = wallet.send_self_transfer(from_node=n0, utxo_to_spend=wallet.get_utxo(txid=cb))
        assert_equal(n0.getrawmempool(), [tx["txid"]])
        path = os.path.join(self.tmpdir, "bootstrap.dat")
        with open(path, "wb") as f:
            for h in range(1, BLOCKS + 1):
                raw = bytes.fromhex(n0.getblock(n0.getblockhash(h), 0))
                f.write(MAGIC_REGTEST + struct.pack("<I", len(raw)) + raw)
        self.stop_node(0)
        os.makedirs(n1.chaindir, exist_ok=True)
        shutil.copy(os.path.join(n0.chaindir, "mempool.dat"), os.path.join(n1.chaindir, "mempool.dat"))

        self.log.info("node1 imports them; a client polls from its first answer")
        n1.start(["-loadblock=" + path])
        seen = []
        deadline = time.monotonic() + 120 * self.options.timeout_factor
        while time.monotonic() < deadline:
            try:
                rpc = n1.get_rpc_proxy(timeout=10)
                loaded = rpc.getmempoolinfo()["loaded"]
                count = rpc.getblockcount()
                rpc.close()
            except Exception:   # not up yet, or warming up
                time.sleep(0.02)
                continue
            seen.append((count, loaded))
            if loaded:
                break
        self.log.info("seen while starting (height, loaded): %s", sorted(set(seen)))
        assert seen and seen[-1][1], "getmempoolinfo never said loaded"
        for count, loaded in seen:
            if loaded:
                assert_equal(count, BLOCKS)
        n1.wait_for_rpc_connection()
        assert_equal(n1.getblockcount(), BLOCKS)
        assert_equal(n1.getrawmempool(), [tx["txid"]])
        self.stop_node(1)

    def test_uacomment(self):
        n1 = self.nodes[1]
        self.log.info("-uacomment with a character outside Core's safe set")
        for bad in ("a&b", "x<y", "tab\there", "quote'"):
            n1.assert_start_raises_init_error(
                ["-uacomment=" + bad], "Error: User Agent comment (%s) contains unsafe characters." % bad)
        self.start_node(1, extra_args=["-uacomment=Safe .,;-_/:?@() 09az"])
        sub = n1.getnetworkinfo()["subversion"]
        assert sub.endswith("; Safe .,;-_/:?@() 09az)/"), sub
        self.stop_node(1)
        self.log.info("a user agent over 256 bytes")
        # The node's own comment (testnode1) is already in sub: "; " + ours.
        fits = 256 - len(sub) + len("; Safe .,;-_/:?@() 09az") - 2
        self.start_node(1, extra_args=["-uacomment=" + "a" * fits])
        assert_equal(len(n1.getnetworkinfo()["subversion"]), 256)
        self.stop_node(1)
        n1.assert_start_raises_init_error(
            ["-uacomment=" + "a" * (fits + 1)],
            "Error: Total length of network version string (257) exceeds maximum length (256). "
            "Reduce the number or size of uacomments.")

    def test_includeconf(self):
        n1 = self.nodes[1]
        self.log.info("-includeconf inside an included file: a warning, and not read")
        with open(os.path.join(n1.datadir, "inc1.conf"), "w", encoding="utf8") as f:
            f.write("includeconf=inc2.conf\nuacomment=frominc1\n")
        with open(os.path.join(n1.datadir, "inc2.conf"), "w", encoding="utf8") as f:
            f.write("uacomment=frominc2\n")
        with open(n1.conf_path, encoding="utf8") as f:
            conf = f.read()
        with open(n1.conf_path, "a", encoding="utf8") as f:
            f.write("includeconf=inc1.conf\n")
        self.start_node(1)
        sub = n1.getnetworkinfo()["subversion"]
        assert "frominc1" in sub and "frominc2" not in sub, sub
        self.stop_node(1, expected_stderr="warning: -includeconf cannot be used from included files; "
                       "ignoring -includeconf=inc2.conf")

        self.log.info("-includeconf on the command line")
        n1.assert_start_raises_init_error(
            ["-includeconf=inc1.conf"],
            'Error: Error parsing command line arguments: -includeconf cannot be used from commandline; '
            '-includeconf="inc1.conf"')
        self.log.info("... other command-line errors carry Core's prefix, a stray word does not")
        n1.assert_start_raises_init_error(
            ["-nosuchoption"], "Error: Error parsing command line arguments: Invalid parameter -nosuchoption")
        n1.assert_start_raises_init_error(
            ["stray"], "Error: Command line contains unexpected token 'stray', "
            "see bitrootd -h for a list of options.", match=ErrorMatch.FULL_TEXT)
        self.log.info("... a later -noincludeconf clears it, and turns the file's includes off")
        self.start_node(1, extra_args=["-includeconf=inc1.conf", "-noincludeconf"])
        assert "frominc1" not in n1.getnetworkinfo()["subversion"]
        self.stop_node(1)

        self.log.info("a missing included file")
        with open(n1.conf_path, "w", encoding="utf8") as f:
            f.write(conf + "includeconf=missing.conf\n")
        n1.assert_start_raises_init_error(
            [], "Error: Error reading configuration file: Failed to include configuration file missing.conf")
        with open(n1.conf_path, "w", encoding="utf8") as f:
            f.write(conf)


if __name__ == "__main__":
    StartupOrderTest(__file__).main()
