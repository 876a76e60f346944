#!/usr/bin/env python3
"""UTXO snapshots (assumeutxo) between Bitcoin Core 28.1 and bitrootd.

dumptxoutset: Core and bitrootd both import the shared dev chain; for the
same chain state (the tip, and two earlier tips reached with
invalidateblock) each writes a snapshot. The files must be byte for byte
the same and the answers equal but for the path. The refusals (a path that
exists, a directory that does not, too many arguments) are Core's.
"""

import json
import os

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
IMPLS = ["core", "bitrootd"]


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

    def dump_both(self, name):
        """Both dump to NAME in their chain directories; files and answers compared."""
        core, br = self.nodes
        res = [n.dumptxoutset(name) for n in self.nodes]
        for n, r in zip(self.nodes, res):
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
        for n in self.nodes:
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
        core, br = self.nodes
        for i in range(self.num_nodes):
            self.start_node(i, extra_args=[MAXTIPAGE, "-loadblock=" + dat])
        for n in self.nodes:
            self.wait_until(lambda n=n: n.getblockcount() == expect["height"], timeout=240)
        assert_equal(core.getbestblockhash(), br.getbestblockhash())

        self.log.info("dumptxoutset at the tip: the same bytes from both")
        res, data = self.dump_both("tip.dat")
        assert_equal(res["txoutset_hash"], expect["hash_serialized_3"])
        assert_equal(res["nchaintx"], expect["txcount"])
        self.tip_snapshot = data

        self.log.info("dumptxoutset at earlier tips (invalidateblock, dump, reconsiderblock)")
        for height in (600, 111):
            h = core.getblockhash(height + 1)
            for n in self.nodes:
                n.invalidateblock(h)
                assert_equal(n.getblockcount(), height)
            self.dump_both("h%d.dat" % height)
            for n in self.nodes:
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
        for n in self.nodes:
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


if __name__ == "__main__":
    InteropUtxoSnapshotTest(__file__).main()
