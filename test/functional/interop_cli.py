#!/usr/bin/env python3
"""bitroot-cli's own commands against bitcoin-cli 28's: -netinfo, -addrinfo,
-generate, and the exit status of an RPC error.

Both clients talk to the same server (the shared Core node, and bitrootd where
bitcoin-cli agrees to: its -netinfo refuses servers older than Core 0.21 by
their version number, and bitrootd's is its own 0.1.0), and must print the
same text but for the client's name in -netinfo's first line. Times in the
peers listing tick, so a comparison that differs is retried a few times.
"""

import json
import re
import subprocess
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_in, wait_until


class InteropCliTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.node_impls = ["core", "bitrootd", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 1)

    def run_cli(self, binary, node, *args):
        argv = [binary, "-datadir=" + node.datadir, "-rpcport=%d" % node.rpc_port] + list(args)
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=60 * self.options.timeout_factor)

    def both(self, node, *args):
        return (self.run_cli(self.options.bitcoincli, node, *args),
                self.run_cli(self.options.bitrootcli, node, *args))

    def same_output(self, node, *args, skip_first_line=False):
        """Both clients print the same; returns bitroot-cli's stdout."""
        for attempt in range(6):
            core, ours = self.both(node, *args)
            a, b = core.stdout, ours.stdout
            if skip_first_line:
                a, b = a.split("\n", 1)[-1], b.split("\n", 1)[-1]
            if (core.returncode, a, core.stderr) == (ours.returncode, b, ours.stderr):
                return ours
            time.sleep(0.3)
        raise AssertionError("%s differs:\n--- bitcoin-cli (%d)\n%s%s\n--- bitroot-cli (%d)\n%s%s" % (
            " ".join(args), core.returncode, core.stdout, core.stderr,
            ours.returncode, ours.stdout, ours.stderr))

    def run_test(self):
        core, br, br2 = self.nodes
        self.generate(br, 3)
        self.sync_blocks()
        wait_until(lambda: len(core.getpeerinfo()) == 1 and len(br.getpeerinfo()) == 2, timeout=60)
        # Pings give the peers listing its mping/ping columns.
        for n in (core, br):
            n.ping()
        wait_until(lambda: all("minping" in p for p in core.getpeerinfo()), timeout=60)

        self.log.info("-netinfo at every level, on Core's server, as bitcoin-cli prints it")
        for level in ("0", "1", "2", "3", "4", "9"):
            out = self.same_output(core, "-netinfo", level, skip_first_line=True)
            first = out.stdout.split("\n", 1)[0]
            assert re.fullmatch(r"Bitroot client v\S+ regtest - server 70016/Satoshi:28\.1\.0\S*/", first), first
        out = self.same_output(core, "-netinfo", "4", skip_first_line=True).stdout
        assert_in("70016/bitroot:", out)
        assert_in(" in ", out)
        help_core, help_ours = self.both(core, "-netinfo", "help")
        assert_equal(help_ours.stdout, help_core.stdout.replace("bitcoin-cli", "bitroot-cli"))
        for bad in ("x", "-1x", "256"):
            core_res, ours = self.both(core, "-netinfo", bad)
            assert_equal((ours.returncode, ours.stdout), (1, ""))
            assert_equal(ours.stderr, core_res.stderr.replace("bitcoin-cli", "bitroot-cli"))

        self.log.info("-netinfo on bitrootd: its rows are its getpeerinfo")
        peers = br.getpeerinfo()
        out = br.cli("-netinfo", "4")
        assert_equal(out.returncode, 0)
        lines = out.stdout.split("\n")
        assert re.fullmatch(r"Bitroot client v\S+ regtest - server 70016/bitroot:\S+/", lines[0]), lines[0]
        head = [i for i, l in enumerate(lines) if l.startswith("<->")][0]
        foot = [i for i, l in enumerate(lines) if l.lstrip().startswith("ms     ms")][0]
        rows = lines[head + 1:foot]
        assert_equal(len(rows), len(peers))
        for p in peers:
            assert any(p["addr"] in r and r.rstrip().endswith("%d%s" % (p["version"], p["subver"]))
                       for r in rows), (p["addr"], rows)
        total = [l for l in lines if l.startswith("total")][0]
        assert_equal(int(total.split()[-1]), len(peers))
        outs = sum(1 for p in peers if not p["inbound"])
        outrow = [l for l in lines if l.startswith("out  ")][0].split()
        # in/out/total rows: the networks, total, then (out only) block and manual
        manual = sum(1 for p in peers if p["connection_type"] == "manual")
        assert_equal(int(outrow[-2 if manual else -1]), 0)
        assert_equal(int(outrow[-3 if manual else -2]), outs)
        self.log.info("... peers sorted inbound first")
        dirs = [r[:3] for r in rows]
        assert_equal(dirs, sorted(dirs, key=lambda d: d != " in"))

        self.log.info("-addrinfo: counts per network, from getnodeaddresses")
        for n in (core, br):
            for addr in ("1.2.3.4", "8.9.10.11", "2a01:4f8:1:2::3",
                         "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"):
                res = n.addpeeraddress(addr, 8333)
                assert res["success"], (n.name, addr)
        onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
        for n in (core, br):
            # Tor v3 names read and print as Core's (not as raw bytes)
            known = {(a["address"], a["network"]) for a in n.getnodeaddresses(0)}
            assert (onion, "onion") in known, (n.name, known)
            assert ("2a01:4f8:1:2::3", "ipv6") in known, (n.name, known)
        bad = onion[:-7] + ("a" if onion[-7] != "a" else "b") + ".onion"
        for n in (core, br):
            assert_equal(n.addpeeraddress(bad, 8333), {"success": False})
        for n in (core, br):
            out = self.same_output(n, "-addrinfo")
            known = json.loads(out.stdout)["addresses_known"]
            assert_equal(known, {"ipv4": 2, "ipv6": 1, "onion": 1, "i2p": 0, "cjdns": 0, "total": 4})
            self.same_output(n, "-addrinfo", "1")
        assert_equal(br.cli("-addrinfo", "1").stderr, "error: -addrinfo takes no arguments\n")

        self.log.info("exit status of an RPC error is abs(code), as bitcoin-cli")
        for args, rc in ((("nosuchmethod",), 32601 % 256), (("getblockhash", "-1"), 8),
                         (("getblockhash", "x"), 1)):
            for n in (core, br):
                a, b = self.both(n, *args)
                assert_equal((a.returncode, b.returncode), (rc, rc))

        self.log.info("-generate on servers without a wallet: a fresh key made by the client")
        for n in (core, br):
            h = n.getblockcount()
            res = json.loads(n.cli("-generate", "2", "1000").stdout) if not n.is_core else \
                json.loads(self.run_cli(self.options.bitrootcli, n, "-generate", "2", "1000").stdout)
            assert_equal(len(res["blocks"]), 2)
            self.sync_blocks()
            assert_equal(n.getblockcount(), h + 2)
            assert_equal(n.getbestblockhash(), res["blocks"][-1])
            # The coinbase pays the address, and the printed key is its key.
            blk = n.getblock(res["blocks"][0], 2)
            assert_equal(blk["tx"][0]["vout"][0]["scriptPubKey"]["address"], res["address"])
            desc = core.getdescriptorinfo("wpkh(%s)" % res["privkey"])["descriptor"]
            assert_equal(core.deriveaddresses(desc), [res["address"]])
        # Core's bitcoin-cli has no fallback: it stops at getnewaddress.
        core_res = self.run_cli(self.options.bitcoincli, core, "-generate")
        assert_equal(core_res.returncode, 32601 % 256)
        h = br.getblockcount()
        res = json.loads(br.cli("-generate").stdout)
        assert_equal(len(res["blocks"]), 1)
        assert_equal(br.getblockcount(), h + 1)
        for args, msg in ((("0",), "must be an integer value greater than zero"),
                          (("1", "2", "3"), "too many arguments (maximum 2 for nblocks and maxtries)"),
                          (("x",), "Error parsing JSON: x")):
            out = br.cli("-generate", *args)
            assert_equal(out.returncode, 1)
            assert_in(msg, out.stderr)
        assert_equal(br.getblockcount(), h + 1)
        out = br.cli("-generate", "-5")
        assert out.returncode != 0, "a negative block count must fail"
        assert_equal(br.getblockcount(), h + 1)


if __name__ == "__main__":
    InteropCliTest(__file__).main()
