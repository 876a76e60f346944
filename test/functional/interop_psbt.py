#!/usr/bin/env python3
"""Mixed network: the PSBT methods answered by Bitcoin Core and bitrootd alike.

A Core node and a bitrootd share a chain. Core (which signs PSBTs with the
keys of descriptors, descriptorprocesspsbt) makes PSBTs of every kind: P2PKH,
P2PK, P2WPKH, P2SH-P2WPKH, P2SH/P2WSH/P2SH-P2WSH multisig, P2TR by key path
and with a script tree, with BIP32 derivations, partial signatures and the
BIP371 taproot fields. Every call below goes to both nodes and the answers
must be equal, field by field (results) or code and message (errors):

- createpsbt and converttopsbt, and their errors;
- decodepsbt of every PSBT made, of hand-made ones (global xpubs, versions,
  proprietary and unknown records, preimages) and of every truncation and
  many single-byte corruptions of them (the errors are Core's exception
  texts);
- utxoupdatepsbt with coins from the UTXO set and from the mempool;
- combinepsbt of partially signed copies in several orders, and its errors;
- finalizepsbt with and without extraction, partial and complete;
- joinpsbts (shuffled: compared after sorting) and its errors;
- analyzepsbt of every PSBT decoded (missing keys, signatures and scripts,
  the next role, the fee and the size estimate with dummy signatures).

Deliberate differences, not compared: the text of arity errors (each
implementation's own help text; only the code is compared); the message
of a malformed transaction inside a PSBT (doc/rpc.md).
"""

import base64
import random
import struct
from decimal import Decimal

from test_framework.address import base58check_encode, key_to_p2pkh
from test_framework.authproxy import JSONRPCException
from test_framework.key import ECKey
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, ser_compact_size
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal


def wif(key):
    return base58check_encode(b"\xef" + key.get_bytes() + (b"\x01" if key.compressed else b""))


def b64(raw):
    return base64.b64encode(raw).decode()


def rec(key, value):
    return ser_compact_size(len(key)) + key + ser_compact_size(len(value)) + value


class InteropPsbtTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [[]] * 2, binaries=self.node_impls)

    def answer(self, node, method, args, kwargs):
        try:
            return ("ok", getattr(node, method)(*args, **kwargs))
        except JSONRPCException as e:
            return ("error", e.error["code"], e.error["message"])

    def both(self, method, *args, help_error=False, **kwargs):
        """Calls method on Core and on bitrootd: the answers must be equal. Returns Core's.

        Every PSBT decoded is analysed too (analyzepsbt)."""
        if method == "decodepsbt" and not help_error:
            self.both("analyzepsbt", *args, **kwargs)
        self.calls += 1
        a = self.answer(self.core, method, args, kwargs)
        b = self.answer(self.br, method, args, kwargs)
        if help_error:
            assert_equal(a[:2], ("error", -1))
            assert_equal(b[:2], ("error", -1))
            return a
        if a != b:
            # Gathered, so that one run shows every difference.
            self.diffs.append("%s%r:\n  core:     %r\n  bitrootd: %r" % (method, args, a, b))
        return a[1] if a[0] == "ok" else a

    def start_pair(self):
        """Starts Core and bitrootd, connected, with the call counters reset."""
        self.core, self.br = self.nodes
        self.calls = 0
        self.diffs = []
        for i in range(2):
            self.start_node(i)
        self.connect_nodes(1, 0)

    def run_test(self):
        self.start_pair()
        keys = [ECKey((i + 7000).to_bytes(32, "big"), True) for i in range(5)]
        self.keys = keys
        self.wifs = [wif(k) for k in keys]
        self.pubs = [k.get_pubkey().get_bytes().hex() for k in keys]
        self.addr = key_to_p2pkh(bytes.fromhex(self.pubs[0]))
        self.core.generatetoaddress(110, self.addr)
        self.sync_blocks()
        self.make_kinds()
        self.check_create()
        self.fund()
        self.check_kinds()
        self.check_handmade()
        self.check_errors()
        for d in self.diffs[:40]:
            self.log.error(d[:3000])
        assert_equal(len(self.diffs), 0)
        self.log.info("%d calls answered alike", self.calls)

    def make_kinds(self):
        w, p = self.wifs, self.pubs
        # (private descriptor for signing, the same with public keys only)
        kinds = [
            "pkh(%s)", "pk(%s)", "wpkh(%s)", "sh(wpkh(%s))", "tr(%s)",
        ]
        self.kinds = []
        for k in kinds:
            self.kinds.append((k % w[0], k % p[0]))
        for tmpl in ("sh(multi(2,%s,%s,%s))", "wsh(multi(2,%s,%s,%s))", "sh(wsh(multi(2,%s,%s,%s)))",
                     "wsh(sortedmulti(1,%s,%s,%s))"):
            self.kinds.append((tmpl % (w[0], w[1], p[2]), tmpl % (p[0], p[1], p[2])))
        xonly = [q[2:] for q in p]
        tree = "tr(%s,{pk(%s),pk(%s)})"
        self.kinds.append((tree % (w[3], w[1], w[2]), tree % (xonly[3], xonly[1], xonly[2])))
        self.kinds.append(("wsh(pkh(%s))" % w[4], "wsh(pkh(%s))" % p[4]))
        self.addrs, self.spks = [], []
        for priv, pub in self.kinds:
            if pub.startswith("pk("):
                # No address: the output script is made here.
                self.addrs.append(None)
                self.spks.append("21" + self.pubs[0] + "ac")
                continue
            desc = self.core.getdescriptorinfo(pub)["descriptor"]
            self.addrs.append(self.core.deriveaddresses(desc)[0])
            self.spks.append(self.core.validateaddress(self.addrs[-1])["scriptPubKey"])

    def check_create(self):
        self.log.info("createpsbt and converttopsbt")
        t = "11" * 32
        ins = [{"txid": t, "vout": 0}, {"txid": "22" * 32, "vout": 5, "sequence": 7}]
        outs = [{self.addrs[0]: 1}, {self.addrs[2]: "0.5"}, {"data": "00ff"}]
        self.addrs[1] = self.addrs[1] or self.addr
        for args in ((ins, outs), (ins, outs, 0, False), (ins, outs, 500, True), ([], []), (ins, {self.addrs[4]: 2}),
                     (ins, outs, 1, None)):
            psbt = self.both("createpsbt", *args)
            self.both("decodepsbt", psbt)
        self.both("createpsbt", inputs=ins, outputs=outs, locktime=9)
        for args in (([{"txid": "zz", "vout": 0}], outs), ([{"txid": t}], outs), (ins, [{"foo": 1}]),
                     (ins, outs, -1), (ins, outs, 0, "x"), ("x", outs), (ins, [{"data": "zz"}]),
                     (ins, [{self.addrs[0]: 1}, {self.addrs[0]: 1}]),
                     ([{"txid": t, "vout": 0, "sequence": 0xffffffff}], outs, 0, True)):
            self.both("createpsbt", *args)
        self.both("createpsbt", help_error=True)
        self.both("createpsbt", ins, outs, 0, True, 2, help_error=True)
        raw = self.core.createrawtransaction(ins, outs)
        self.both("converttopsbt", raw)
        self.both("converttopsbt", raw, True, False)
        self.both("converttopsbt", raw, False, True)
        self.both("converttopsbt", hexstring=raw, iswitness=False)
        for args in (("zz",), ("",), ("00",), (raw, "x"), (raw + "00",), (1,)):
            self.both("converttopsbt", *args)
        self.both("converttopsbt", help_error=True)

    def fund(self):
        self.log.info("Funding one output of each kind")
        cb = self.core.getblock(self.core.getblockhash(5))["tx"][0]
        value = int(self.core.gettxout(cb, 0)["value"] * 100000000)
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash(cb), 0), b"", 0xffffffff)]
        tx.vout = [CTxOut(10000000, bytes.fromhex(s)) for s in self.spks]
        tx.vout.append(CTxOut(value - 10000000 * len(self.spks) - 50000,
                              bytes.fromhex(self.core.validateaddress(self.addr)["scriptPubKey"])))
        raw = tx.serialize().hex()
        signed = self.core.signrawtransactionwithkey(raw, [self.wifs[0]])
        assert_equal(signed["complete"], True)
        self.fund_txid = self.core.sendrawtransaction(signed["hex"])
        self.sync_mempools()

    def sign(self, psbt, descs, finalize=False, sighash="ALL"):
        """Core signs with the descriptors' keys (it has no wallet but this)."""
        return self.core.descriptorprocesspsbt(psbt, descs, sighash, True, finalize)["psbt"]

    def check_kinds(self):
        for phase in ("mempool", "chain"):
            self.log.info("Every kind, coins from the %s", phase)
            made = []
            for i, (priv, pub) in enumerate(self.kinds):
                psbt = self.both("createpsbt", [{"txid": self.fund_txid, "vout": i}],
                                 [{self.addr: Decimal("0.0999")}, {self.addrs[4]: Decimal("0.00001")}])
                upd = self.both("utxoupdatepsbt", psbt)
                self.both("utxoupdatepsbt", psbt, [])
                self.both("decodepsbt", upd)
                self.both("finalizepsbt", upd)
                # Core's updater adds the scripts, derivations and taproot data.
                full = self.core.utxoupdatepsbt(psbt, [pub])
                self.both("decodepsbt", full)
                self.both("finalizepsbt", full)
                self.both("utxoupdatepsbt", full)
                signed = self.sign(full, [priv])
                self.both("decodepsbt", signed)
                self.both("finalizepsbt", signed)
                self.both("finalizepsbt", signed, False)
                self.both("finalizepsbt", psbt=signed, extract=True)
                # Each key alone, then combined.
                parts = [self.sign(full, [priv.replace(self.wifs[j], self.pubs[j])
                                          for j in range(5) if j != k]) for k in range(2)]
                for combo in ([full, signed], [signed, full], parts, parts[::-1], [parts[0]], [full, parts[1], parts[0]]):
                    c = self.both("combinepsbt", combo)
                    self.both("decodepsbt", c)
                    self.both("finalizepsbt", c)
                made.append(signed)
                for sh in ("NONE", "SINGLE|ANYONECANPAY"):
                    s2 = self.sign(full, [priv], sighash=sh)
                    self.both("decodepsbt", s2)
                    self.both("finalizepsbt", s2)
            self.log.info("Several inputs at once")
            rng = random.Random(28)
            for _ in range(6):
                idx = rng.sample(range(len(self.kinds)), rng.randint(2, 5))
                psbt = self.both("createpsbt", [{"txid": self.fund_txid, "vout": i} for i in idx],
                                 [{self.addr: Decimal("0.01") * len(idx)}])
                full = self.core.utxoupdatepsbt(psbt, [self.kinds[i][1] for i in idx])
                self.both("decodepsbt", full)
                signed = self.sign(full, [self.kinds[i][0] for i in idx])
                self.both("decodepsbt", signed)
                self.both("finalizepsbt", signed)
                self.both("finalizepsbt", signed, False)
            self.check_join(made)
            if phase == "mempool":
                self.core.generatetoaddress(1, self.addr)
                self.sync_blocks()
                # The pool and the UTXO set both past the block.
                self.sync_mempools()
                for node in self.nodes:
                    node.syncwithvalidationinterfacequeue()
        self.rich = made

    def check_join(self, made):
        self.log.info("joinpsbts")
        other = self.both("createpsbt", [{"txid": "33" * 32, "vout": 1}], [{self.addr: 1}, {"data": "01"}])
        for combo in ([made[0], other], [made[2], made[5], other], [made[0], made[0]], [other], [],
                      [made[1], "zz"], [other, 5]):
            a = self.answer(self.core, "joinpsbts", [combo], {})
            b = self.answer(self.br, "joinpsbts", [combo], {})
            self.calls += 1
            if a[0] != "ok" or b[0] != "ok":
                assert_equal(a, b)
                continue
            # The order is random: compare the inputs and outputs as sets.
            da, db = self.core.decodepsbt(a[1]), self.core.decodepsbt(b[1])
            for d in (da, db):
                order = sorted(range(len(d["inputs"])), key=lambda j: (d["tx"]["vin"][j]["txid"], d["tx"]["vin"][j]["vout"]))
                d["tx"]["vin"] = [d["tx"]["vin"][j] for j in order]
                d["inputs"] = [d["inputs"][j] for j in order]
                order = sorted(range(len(d["outputs"])),
                               key=lambda j: (repr(d["tx"]["vout"][j]["scriptPubKey"]), repr(d["tx"]["vout"][j]["value"]),
                                              repr(d["outputs"][j])))
                d["tx"]["vout"] = [dict(d["tx"]["vout"][j], n=0) for j in order]
                d["outputs"] = [d["outputs"][j] for j in order]
                for k in ("txid", "hash"):
                    d["tx"].pop(k)
            if da != db:
                self.diffs.append("joinpsbts%r: %r != %r" % (combo, da, db))

    def tx_bytes(self, nin=1, nout=1):
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash("%02x" % (i + 1) * 32), i), b"", 0xffffffff) for i in range(nin)]
        tx.vout = [CTxOut(1000 + i, bytes.fromhex("0014" + "11" * 20)) for i in range(nout)]
        return tx.serialize_without_witness()

    def check_handmade(self):
        self.log.info("Hand-made PSBTs: every field kind, and their errors")
        utx = self.tx_bytes()
        head = b"psbt\xff" + rec(b"\x00", utx)
        xpub = bytes.fromhex("043587cf") + b"\x01" + bytes(4) + bytes(4) + bytes(32) + bytes.fromhex(self.pubs[0])
        xpub2 = bytes.fromhex("043587cf") + b"\x02" + bytes(4) + bytes(4) + b"\x01" * 32 + bytes.fromhex(self.pubs[1])
        path = bytes.fromhex("deadbeef") + struct.pack("<II", 0x80000000, 7)
        pk = bytes.fromhex(self.pubs[0])
        sig = bytes.fromhex("3044022079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179802203f0ff0b7c5ad1a6e45b6a0a44e2d3a92b9f8c9bb1ce1a49c2bd8e86ba3d6f3c501")
        xo = pk[1:]
        leaf = b"\x22" * 32
        cb = b"\xc0" + xo
        tree = b"\x01\xc0" + ser_compact_size(34) + b"\x20" + xo + b"\xac" + b"\x01\xc0\x01\x51"
        g = [  # global records
            rec(b"\x01" + xpub, path), rec(b"\x01" + xpub2, bytes(4)), rec(b"\xfb", struct.pack("<I", 0)),
            rec(b"\xfc\x03abc\x05xy", b"val"), rec(b"\xf0\x01", b"unk"), rec(b"\x0f", b""),
        ]
        i = [  # input records
            rec(b"\x01", struct.pack("<q", 5000) + b"\x01\x51"), rec(b"\x02" + pk, sig), rec(b"\x03", struct.pack("<i", 0x83)),
            rec(b"\x04", b"\x51"), rec(b"\x05", b"\x52"), rec(b"\x06" + pk, path),
            rec(b"\x0a" + b"\x01" * 20, b"pre"), rec(b"\x0b" + b"\x02" * 32, b"pre2"), rec(b"\x0c" + b"\x03" * 20, b""),
            rec(b"\x0d" + b"\x04" * 32, b"x"), rec(b"\x13", b"\x05" * 64), rec(b"\x14" + xo + leaf, b"\x06" * 65),
            rec(b"\x15" + cb, b"\x51\xc0"), rec(b"\x15" + cb + b"\x07" * 32, b"\x51\xc0"), rec(b"\x15" + b"\xc1" + xo, b"\x52\xc0"),
            rec(b"\x16" + xo, ser_compact_size(2) + leaf + b"\x00" * 32 + path), rec(b"\x17", xo), rec(b"\x18", leaf),
            rec(b"\xfc\x00\x00", b""), rec(b"\x99", b"unknown"),
        ]
        fin = [rec(b"\x07", b"\x00\x51"), rec(b"\x08", b"\x02\x01\x01\x00")]
        o = [
            rec(b"\x00", b"\x51"), rec(b"\x01", b"\x52"), rec(b"\x02" + pk, path), rec(b"\x05", xo),
            rec(b"\x06", tree), rec(b"\x07" + xo, b"\x00" + path), rec(b"\xfc\x01a\x02", b"p"), rec(b"\x42", b""),
        ]
        good = [
            head + b"".join(g) + b"\x00" + b"".join(i) + b"\x00" + b"".join(o) + b"\x00",
            head + b"\x00" + b"".join(i + fin) + b"\x00" + b"\x00",
            head + b"\x00" + b"".join(fin) + b"\x00" + b"".join(o) + b"\x00",
        ]
        for raw in good:
            res = self.both("decodepsbt", b64(raw))
            assert isinstance(res, dict), res
            self.both("combinepsbt", [b64(raw), b64(good[0])])
            self.both("finalizepsbt", b64(raw))
        self.both("combinepsbt", [b64(good[1]), b64(good[2])])
        for sh in (0, 1, 2, 3, 4, 0x41, 0x81, 0x83, 0x84, 0x181, -1):
            self.both("decodepsbt", b64(head + b"\x00" + rec(b"\x03", struct.pack("<i", sh)) + b"\x00\x00"))
        bad = [
            b"", b"psbt", b"psbx\xff", head, head + b"\x00", head + b"\x00\x00", b"psbt\xff\x00",
            b"psbt\xff" + rec(b"\x00", utx) * 2 + b"\x00\x00\x00", b"psbt\xff" + rec(b"\x00\x01", utx) + b"\x00\x00\x00",
            head + rec(b"\xfb", struct.pack("<I", 1)) + b"\x00\x00\x00", head + rec(b"\xfb", struct.pack("<I", 2)),
            head + rec(b"\xfb", b"\x00" * 3) + b"\x00\x00\x00", head + rec(b"\xfb", b"\x00" * 5) + b"\x00\x00\x00",
            head + g[0] + g[0] + b"\x00\x00\x00", head + rec(b"\x01" + xpub[:-1], path) + b"\x00\x00\x00",
            head + rec(b"\x01" + xpub, b"\x01\x02") + b"\x00\x00\x00", head + g[4] + g[4] + b"\x00\x00\x00",
            head + g[3] + g[3] + b"\x00\x00\x00", head + rec(b"\xfc", b"") + b"\x00\x00\x00",
            head + rec(b"\xfd\x01", b"") + b"\x00\x00\x00", head + rec(b"\xfe\x00\x00\x01\x00", b"") + b"\x00\x00\x00",
            head + rec(b"\xff" + b"\x00" * 7 + b"\x01", b"") + b"\x00\x00\x00",
            head + b"\x00\x00\x00\x00", head + b"\x00\x00", head + b"\x00" + b"".join(i) + b"\x00",
            b"psbt\xff" + rec(b"\x00", self.tx_bytes(0, 1)) + b"\x00\x00",
        ]
        for r in i + fin:
            bad.append(head + b"\x00" + r + r + b"\x00\x00")
        for r in o:
            bad.append(head + b"\x00\x00" + r + r + b"\x00")
        for r in (rec(b"\x02" + pk[:-1], sig), rec(b"\x02" + b"\x02" + b"\x00" * 32, sig), rec(b"\x02" + pk, b""),
                  rec(b"\x02" + pk, sig[:-3]), rec(b"\x03", b"\x01"), rec(b"\x06" + pk, b"\x00" * 6),
                  rec(b"\x06" + pk, b""), rec(b"\x06" + pk[:20], path), rec(b"\x0a" + b"\x01" * 19, b""),
                  rec(b"\x0b" + b"\x01" * 33, b""), rec(b"\x13", b"\x05" * 63), rec(b"\x13", b"\x05" * 66),
                  rec(b"\x13\x00", b"\x05" * 64), rec(b"\x14" + xo, b"\x06" * 64), rec(b"\x14" + xo + leaf, b"\x06" * 63),
                  rec(b"\x14" + xo + leaf, b"\x06" * 66), rec(b"\x15" + xo, b"\x51\xc0"), rec(b"\x15" + cb + b"\x01", b"\x51\xc0"),
                  rec(b"\x15" + cb, b""), rec(b"\x16" + xo[1:], path), rec(b"\x16" + xo, b"\x02" + leaf + path),
                  rec(b"\x16" + xo, ser_compact_size(1) + leaf + b"\x00\x00"), rec(b"\x16" + xo, b"\x00"),
                  rec(b"\x17", xo[1:]), rec(b"\x17\x00", xo), rec(b"\x18", leaf + b"\x00"), rec(b"\x00", utx),
                  rec(b"\x00", self.tx_bytes(2, 1)), rec(b"\x01", b"\x00" * 8), rec(b"\x01", b"\x00" * 8 + b"\x02\x51"),
                  rec(b"\x08", b"\x01\x05\x00"), rec(b"\x07\x00", b""), rec(b"\xfc\x05ab", b"")):
            bad.append(head + b"\x00" + r + b"\x00\x00")
        for t in (b"", b"\x81\xc0\x01\x51", b"\x01\xc1\x01\x51", b"\x01\xc0\x01\x51", b"\x00\xc0\x01\x51" * 2,
                  b"\x01\xc0\x02\x51", b"\x01\xc0", b"\x02\xc0\x01\x51\x01\xc0\x01\x51\x02\xc0\x01\x51",
                  b"\x80\xc0\x01\x51" * 2, b"\x01\xc0\x01\x51\x02\xc0\x01\x51\x02\xc0\x01\x51"):
            bad.append(head + b"\x00\x00" + rec(b"\x06", t) + b"\x00")
        for r in (rec(b"\x07" + xo, b"\x00"), rec(b"\x07" + xo, b"\x05" + path), rec(b"\x05", b"\x00"),
                  rec(b"\x02" + pk, b"\x01\x02\x03")):
            bad.append(head + b"\x00\x00" + r + b"\x00")
        for raw in bad:
            self.both("decodepsbt", b64(raw))
        for s in ("", "zz", "cHNidP8", "cHNidP8=", "cHNidP8B==", "cHNidP8BAA=", "cHNidP8BAAA=", "====", "YQ==="):
            self.both("decodepsbt", s)
        self.log.info("Truncations and corruptions of rich PSBTs")
        rng = random.Random(174)
        for p64 in self.rich[:8] + [b64(g) for g in good]:
            raw = base64.b64decode(p64)
            for n in range(0, len(raw), max(1, len(raw) // 60)):
                self.both("decodepsbt", b64(raw[:n]))
            for _ in range(60):
                m = bytearray(raw)
                m[rng.randrange(len(m))] ^= 1 << rng.randrange(8)
                self.both("decodepsbt", b64(bytes(m)))
                self.both("combinepsbt", [p64, b64(bytes(m))])
                self.both("finalizepsbt", b64(bytes(m)))

    def check_errors(self):
        self.log.info("Parameter errors")
        p = self.rich[0]
        other = self.both("createpsbt", [{"txid": "33" * 32, "vout": 1}], [{self.addr: 1}])
        for m, args in (("decodepsbt", (1,)), ("decodepsbt", ([],)), ("combinepsbt", ([],)), ("combinepsbt", ("x",)),
                        ("combinepsbt", ([p, other],)), ("combinepsbt", ([p, 1],)), ("combinepsbt", ([p, "zz"],)),
                        ("finalizepsbt", (p, "x")), ("finalizepsbt", ("zz",)), ("utxoupdatepsbt", ("zz",)),
                        ("utxoupdatepsbt", (p, "x")), ("joinpsbts", ("x",)), ("converttopsbt", ("zz", 5))):
            self.both(m, *args)
        for m in ("decodepsbt", "combinepsbt", "finalizepsbt", "joinpsbts", "utxoupdatepsbt", "analyzepsbt"):
            self.both(m, help_error=True)


if __name__ == "__main__":
    InteropPsbtTest(__file__).main()
