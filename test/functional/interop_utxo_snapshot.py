#!/usr/bin/env python3
"""UTXO snapshots (assumeutxo) between Bitcoin Core 28.1 and bitrootd.

dumptxoutset: Core and bitrootd both import the shared dev chain; for the
same chain state (the tip, two earlier tips reached with invalidateblock,
and a Core-mined block paying to every script form) each writes a
snapshot. The files must be byte for byte the same and the answers equal
but for the path. The refusals (a path that exists, a directory that does
not, too many arguments) are Core's.

loadtxoutset: the same bad files (metadata, networks, a block in both
tables whose header neither has, a block in neither table) get the same
errors from both. A fresh bitrootd, given the headers only, loads the snapshot
Core wrote at SNAP (a height bitrootd's -testsnapshot puts in its
assumeutxo table, from Core's own answer) and at once dumps the same bytes
back; connected to Core it syncs to the tip while its background
chainstate validates the history up to SNAP (fetched from Core), which
then drops out; at the tip its snapshot is again Core's, byte for byte.
"""

import json
import os

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
IMPLS = ["core", "bitrootd", "bitrootd"]
SNAP = 600


GX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
GY = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
GY_BAD = GY[:-1] + "9"
# Output scripts of every form Core's ScriptCompression knows, and some it
# keeps whole: (script hex, value in sat).
FORMS = [
    ("76a914" + "11" * 20 + "88ac", 1000),           # P2PKH: 0x00
    ("a914" + "22" * 20 + "87", 2000),               # P2SH: 0x01
    ("2102" + GX + "ac", 3000),                      # P2PK, compressed even: 0x02
    ("2103" + "ab" * 32 + "ac", 4000),               # compressed, x off the curve: still 0x03
    ("4104" + GX + GY + "ac", 5000),                 # P2PK uncompressed, valid: 0x04/0x05
    ("4104" + GX + GY_BAD + "ac", 6000),             # uncompressed, off the curve: kept whole
    ("4106" + GX + GY + "ac", 7000),                 # hybrid key: kept whole
    ("", 0),                                         # empty script, zero value
    ("0014" + "33" * 20, 1234567),                   # P2WPKH
    ("5120" + "44" * 32, 10000000),                  # P2TR
    ("51" + "21" + "02" + GX + "51ae", 8000),        # bare multisig
    ("51" * 300, 9000),                              # long script: VARINT length
]


def rpc_error(fn, *args, **kw):
    """The (code, message) fn raises."""
    try:
        fn(*args, **kw)
    except JSONRPCException as e:
        return e.error["code"], e.error["message"]
    raise AssertionError("no error from %s%r" % (getattr(fn, "__name__", fn), args))


def read(path):
    with open(path, "rb") as f:
        return f.read()


class InteropUtxoSnapshotTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [[MAXTIPAGE] for _ in IMPLS], binaries=self.node_impls)

    def dump_both(self, name, nodes=None):
        """Core and a bitrootd dump to NAME in their chain directories; files and answers compared."""
        core, br = nodes or self.nodes[:2]
        res = [n.dumptxoutset(name) for n in (core, br)]
        for n, r in zip((core, br), res):
            assert_equal(r["path"], os.path.join(n.chaindir, name))
            assert not os.path.exists(r["path"] + ".incomplete")
        a, b = (dict(r) for r in res)
        a.pop("path")
        b.pop("path")
        assert_equal(a, b)
        data = [read(r["path"]) for r in res]
        assert_equal(len(data[0]), len(data[1]))
        assert data[0] == data[1], "snapshot files differ"
        # The answer agrees with gettxoutsetinfo and the file's metadata.
        info = br.gettxoutsetinfo()
        assert_equal(a["txoutset_hash"], info["hash_serialized_3"])
        assert_equal(a["coins_written"], info["txouts"])
        assert_equal(a["base_height"], info["height"])
        assert_equal(data[0][:5], b"utxo\xff")
        assert_equal(int.from_bytes(data[0][43:51], "little"), a["coins_written"])
        assert_equal(data[0][11:43][::-1].hex(), a["base_hash"])
        self.log.info("  height %d: %d coins, %d bytes, identical", a["base_height"], a["coins_written"],
                      len(data[0]))
        return res[0], data[0]

    def same_error(self, fn_name, *args, normalize=None):
        errs = []
        for n in self.nodes[:2]:
            code, msg = rpc_error(getattr(n, fn_name), *args)
            if normalize:
                msg = normalize(n, msg)
            errs.append((code, msg))
        assert_equal(errs[0], errs[1])
        return errs[0]

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        core, br, fresh = self.nodes
        for i in range(2):
            self.start_node(i, extra_args=[MAXTIPAGE, "-loadblock=" + dat])
        for n in (core, br):
            self.wait_until(lambda n=n: n.getblockcount() == expect["height"], timeout=240)
        assert_equal(core.getbestblockhash(), br.getbestblockhash())

        self.log.info("dumptxoutset at the tip: the same bytes from both")
        res, data = self.dump_both("tip.dat")
        assert_equal(res["txoutset_hash"], expect["hash_serialized_3"])
        assert_equal(res["nchaintx"], expect["txcount"])
        self.tip_snapshot = data

        self.log.info("dumptxoutset at earlier tips (invalidateblock, dump, reconsiderblock)")
        for height in (SNAP, 111):
            h = core.getblockhash(height + 1)
            for n in (core, br):
                n.invalidateblock(h)
                assert_equal(n.getblockcount(), height)
            res, data = self.dump_both("h%d.dat" % height)
            if height == SNAP:
                self.core_snap, self.core_snap_res = data, res
            for n in (core, br):
                n.reconsiderblock(h)
                # bitrootd reconnects in steps of 32 blocks between calls.
                self.wait_until(lambda n=n: n.getblockcount() == expect["height"])

        self.log.info("dumptxoutset refusals as Core's")
        strip = lambda n, msg: msg.replace(n.chaindir, "<chaindir>")
        code, msg = self.same_error("dumptxoutset", "tip.dat", normalize=strip)
        assert_equal((code, msg), (-8, "<chaindir>/tip.dat already exists. If you are sure this is what you "
                                       "want, move it out of the way first"))
        self.same_error("dumptxoutset", "", normalize=strip)
        code, msg = self.same_error("dumptxoutset", "no/such/dir/x.dat", normalize=strip)
        assert_equal((code, msg), (-8, "Couldn't open file <chaindir>/no/such/dir/x.dat.incomplete for writing."))
        self.same_error("dumptxoutset", "/nonexistent-dir-for-test/x.dat")
        # Arity errors answer the help text; bitrootd's layout differs from
        # Core's (interop_rpc_diff.py), the usage line does not.
        usage = lambda n, msg: msg.split("\n")[0]
        assert_equal(self.same_error("dumptxoutset", normalize=usage), (-1, 'dumptxoutset "path"'))
        # Core 28.1 has no "type" argument (Core 29 added type and rollback).
        self.same_error("dumptxoutset", "a.dat", "latest", normalize=usage)
        self.same_error("dumptxoutset", ["x"])
        for n in (core, br):
            assert not os.path.exists(os.path.join(n.chaindir, "a.dat"))

        self.log.info("every compressed script form, in a block mined by Core")
        wallet = MiniWallet(core)
        wallet.generate(COINBASE_MATURITY + 1)
        tx = wallet.create_self_transfer_multi(num_outputs=len(FORMS))["tx"]
        for out, (spk, value) in zip(tx.vout, FORMS):
            out.script_pubkey = bytes.fromhex(spk)
            out.value = value
        wallet.sign_tx(tx)
        block = core.generateblock(wallet.get_address(), [tx.serialize().hex()])["hash"]
        self.connect_nodes(1, 0)
        self.wait_until(lambda: br.getbestblockhash() == block, timeout=120)
        for n, (spk, value) in enumerate(FORMS):
            out = br.gettxout(tx.txid_hex, n)
            assert_equal(out["scriptPubKey"]["hex"], spk)
        self.dump_both("forms.dat")
        self.load_refusals()
        self.load_core_snapshot()

    def load_refusals(self):
        """The same bad files to both: Core's errors (up to the point Core can get on the dev chain)."""
        self.log.info("loadtxoutset refusals as Core's")
        core, br, _ = self.nodes
        snap = self.core_snap
        # Core's own regtest entry at 299 (feature_assumeutxo.py's chain): known to both
        # tables, its header to neither.
        core299 = bytes.fromhex("3bb7ce5eba0be48939b7a521ac1ba9316afee2c7bada3a0cca24188e6d7d96c0")[::-1]
        files = {
            "magic": b"utxa" + snap[4:],
            "version": snap[:5] + b"\x01\x00" + snap[7:],
            "main": snap[:7] + bytes.fromhex("f9beb4d9") + snap[11:],
            "testnet3": snap[:7] + bytes.fromhex("0b110907") + snap[11:],
            "testnet4": snap[:7] + bytes.fromhex("1c163f28") + snap[11:],
            "signet": snap[:7] + bytes.fromhex("0a03cf40") + snap[11:],
            "unknown-net": snap[:7] + b"\xff" * 4 + snap[11:],
            "short": snap[:50],
            "empty": b"",
            "no-header": snap[:11] + core299 + snap[43:],
            "unknown-block": snap,
        }
        strip = lambda n, msg: msg.replace(n.chaindir, "<chaindir>")
        for name, data in files.items():
            for n in (core, br):
                with open(os.path.join(n.chaindir, "bad-%s.dat" % name), "wb") as f:
                    f.write(data)
            errs = [strip(n, rpc_error(n.loadtxoutset, "bad-%s.dat" % name)[1]) for n in (core, br)]
            # Bitcoin Inquisition's regtest table lists 299 twice (its own chain).
            errs[0] = errs[0].replace("299, 299.", "299.")
            assert_equal(errs[0], errs[1])
            self.log.info("  %s: %s", name, errs[1][:110])
        for arg in ("", "no-such.dat"):
            assert_equal(*[(lambda e: (e[0], strip(n, e[1])))(rpc_error(n.loadtxoutset, arg)) for n in (core, br)])

    def load_core_snapshot(self):
        core, br, fresh = self.nodes
        res = self.core_snap_res
        self.log.info("a fresh bitrootd loads the snapshot Core wrote at height %d", SNAP)
        spec = "-testsnapshot=%d:%s:%s:%d" % (SNAP, res["base_hash"], res["txoutset_hash"], res["nchaintx"])
        self.start_node(2, extra_args=[MAXTIPAGE, spec])
        tip = core.getblockcount()
        for h in range(1, tip + 1):
            fresh.submitheader(core.getblockheader(core.getblockhash(h), False))
        assert_equal(fresh.getblockchaininfo()["headers"], tip)
        path = os.path.join(fresh.chaindir, "from-core.dat")
        with open(path, "wb") as f:
            f.write(self.core_snap)
        loaded = fresh.loadtxoutset(path)
        assert_equal(loaded, {"coins_loaded": res["coins_written"], "tip_hash": res["base_hash"],
                              "base_height": SNAP, "path": path})
        assert_equal(fresh.getbestblockhash(), res["base_hash"])
        states = fresh.getchainstates()["chainstates"]
        assert_equal([(c["blocks"], c["validated"], c.get("snapshot_blockhash")) for c in states],
                     [(0, True, None), (SNAP, False, res["base_hash"])])

        self.log.info("  dumped straight back: Core's bytes")
        back = fresh.dumptxoutset("back.dat")
        assert read(back["path"]) == self.core_snap, "bitrootd's dump of the loaded snapshot differs from Core's"
        assert_equal({k: v for k, v in back.items() if k != "path"},
                     {k: v for k, v in res.items() if k != "path"})

        self.log.info("  synced from Core: tip reached, history validated in the background")
        self.connect_nodes(2, 0)
        self.wait_until(lambda: fresh.getbestblockhash() == core.getbestblockhash(), timeout=240)
        self.wait_until(lambda: len(fresh.getchainstates()["chainstates"]) == 1, timeout=240)
        state = fresh.getchainstates()["chainstates"][0]
        assert_equal((state["blocks"], state["validated"], state["snapshot_blockhash"]),
                     (tip, True, res["base_hash"]))
        # The validation thread re-enables NODE_NETWORK just after the commit
        # getchainstates reads: wait for it rather than race it.
        self.wait_until(lambda: "NETWORK" in fresh.getnetworkinfo()["localservicesnames"], timeout=30)
        assert_equal(fresh.getblock(fresh.getblockhash(1))["height"], 1)
        self.log.info("  at the tip: the same snapshot as Core's")
        self.dump_both("tip-after.dat", nodes=(core, fresh))


if __name__ == "__main__":
    InteropUtxoSnapshotTest(__file__).main()
