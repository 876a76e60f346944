#!/usr/bin/env python3
"""Mixed network: descriptorprocesspsbt and utxoupdatepsbt with descriptors, on Core and bitrootd alike.

A Core 28.1 node and a bitrootd share a chain with one funded output of each
kind: P2PKH, P2PK, P2WPKH, P2SH-P2WPKH, combo, sh/wsh/sh-wsh multisig, ranged
BIP32 keys with origins (pkh, wpkh, sh-wsh sortedmulti), P2TR by key path
(WIF, xprv, rawtr), and taproot trees with pk() and multi_a() leaves, some
whose internal key nobody holds (script path only). The same PSBTs and
descriptors go to both nodes and the answers must be equal: the updater's
scripts, bip32_derivs and taproot fields; the signer's partial signatures,
taproot key and script signatures (Core signs Schnorr with zero aux
randomness, so those are byte-identical too), finalised scripts and
extracted transactions; with every sighash type, bip32derivs off, finalize
off, keys split between calls and then combined; and the errors. Every
complete transaction is then accepted by both nodes' testmempoolaccept, and
sent.
"""

from decimal import Decimal

import base64
import struct

from interop_psbt import InteropPsbtTest, rec, wif
from test_framework.address import key_to_p2pkh
from test_framework.authproxy import JSONRPCException
from test_framework.key import ECKey
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash
from test_framework.util import assert_equal

TPRV = ("tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvf"
        "avji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m")


class InteropPsbtSignTest(InteropPsbtTest):
    """The nodes and answer() of interop_psbt.py; its own checks."""

    def both(self, method, *args, code_only=False):
        """Calls method on both nodes; the answers must be equal. Returns Core's."""
        self.calls += 1
        a = self.answer(self.core, method, args, {})
        b = self.answer(self.br, method, args, {})
        if code_only:
            a, b = a[:2], b[:2]
        if a != b:
            self.diffs.append("%s %s%r:\n  core:     %r\n  bitrootd: %r" % (self.explain(a, b), method, args, a, b))
        return a[1] if a[0] == "ok" else a

    def explain(self, a, b):
        """Where two PSBT answers differ, decoded (for the log only)."""
        if a[0] != "ok" or b[0] != "ok":
            return ""
        pa, pb = a[1], b[1]
        if isinstance(pa, dict):
            pa, pb = pa.get("psbt"), pb.get("psbt")
        try:
            da, db = self.core.decodepsbt(pa), self.core.decodepsbt(pb)
        except JSONRPCException as e:
            return "(decodepsbt: %r)" % e.error
        out = []
        for part in ("inputs", "outputs"):
            for j, (x, y) in enumerate(zip(da[part], db[part])):
                for k in sorted(set(x) | set(y)):
                    if x.get(k) != y.get(k):
                        out.append("\n  %s[%d].%s: core %r / bitrootd %r" % (part, j, k, x.get(k), y.get(k)))
        return "".join(out)

    def run_test(self):
        self.start_pair()
        keys = [ECKey((i + 9100).to_bytes(32, "big"), True) for i in range(6)]
        self.wifs = [wif(k) for k in keys]
        self.pubs = [k.get_pubkey().get_bytes().hex() for k in keys]
        unc = ECKey((9200).to_bytes(32, "big"), False)
        self.unc_wif, self.unc_pub = wif(unc), unc.get_pubkey().get_bytes().hex()
        self.tpub = self.core.getdescriptorinfo("pkh(%s)" % TPRV)["descriptor"].split("(")[1].split(")")[0]
        self.addr = key_to_p2pkh(bytes.fromhex(self.pubs[0]))
        self.addr2 = key_to_p2pkh(bytes.fromhex(self.pubs[5]))
        self.core.generatetoaddress(110, self.addr)
        self.sync_blocks()
        self.make_kinds()
        self.fund()
        try:
            self.check_each()
            self.check_sighash_field()
            self.check_many()
            self.check_errors()
        finally:
            for d in self.diffs[:40]:
                self.log.error(d[:3000])
        assert_equal(len(self.diffs), 0)
        self.log.info("%d calls answered alike, %d complete transactions accepted by both, %d sent",
                      self.calls, self.complete, self.sent)

    def make_kinds(self):
        w, p = self.wifs, self.pubs
        x = [q[2:] for q in p]
        kinds = []
        for k in ("pkh(%s)", "pk(%s)", "wpkh(%s)", "sh(wpkh(%s))", "tr(%s)", "combo(%s)", "rawtr(%s)"):
            kinds.append((k % w[0], k % p[0] if k != "rawtr(%s)" else k % x[0], 0))
        kinds.append(("pkh(%s)" % self.unc_wif, "pkh(%s)" % self.unc_pub, 0))
        for t in ("wsh(pkh(%s))", "sh(pkh(%s))", "wsh(pk(%s))", "sh(wsh(pkh(%s)))"):
            kinds.append((t % w[1], t % p[1], 0))
        for t in ("sh(multi(2,%s,%s,%s))", "wsh(multi(2,%s,%s,%s))", "sh(wsh(multi(2,%s,%s,%s)))",
                  "wsh(sortedmulti(1,%s,%s,%s))"):
            kinds.append((t % (w[0], w[1], p[2]), t % (p[0], p[1], p[2]), 0))
        # BIP32: ranged, with origins, the private and public forms.
        pub = self.tpub
        for t, pos in (("pkh([d34db33f/44h/1h/0h]%s/0/*)", 3), ("wpkh([d34db33f/84h/1h/0h]%s/1/*)", 7),
                       ("sh(wsh(sortedmulti(2,[aabbccdd/48h]%s/2/*,%s,[01020304]%s)))", 2),
                       ("tr([d34db33f/86h/1h/0h]%s/0/*)", 5),
                       ("tr(%s/9/*,{pk([aabbccdd/1]%s/8/*),multi_a(1,%s/7/*,%s)})", 4)):
            n = t.count("%s")
            if n == 1:
                kinds.append((t % TPRV, t % pub, pos))
            elif t.startswith("sh("):
                kinds.append((t % (TPRV, w[3], p[4]), t % (pub, p[3], p[4]), pos))
            else:
                kinds.append((t % (TPRV, TPRV, pub, w[2]), t % (pub, pub, pub, x[2]), pos))
        # Taproot trees: key path, and script paths only (the internal key is nobody's).
        nums = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"
        for t in ("tr(%s,{pk(%s),pk(%s)})", "tr(%s,{pk(%s),{pk(%s),multi_a(2,%s,%s,%s)}})",
                  "tr(%s,multi_a(2,%s,%s,%s))", "tr(%s,{multi_a(1,%s,%s),pk(%s)})",
                  "tr(%s,{sortedmulti_a(2,%s,%s,%s),{pk(%s),pk(%s)}})"):
            n = t.count("%s") - 1
            ks = [3, 1, 2, 4, 5][:n]
            kinds.append((t % tuple([w[0]] + [w[k] for k in ks]), t % tuple([x[0]] + [x[k] for k in ks]), 0))
            kinds.append((t % tuple([nums] + [w[k] for k in ks]), t % tuple([nums] + [x[k] for k in ks]), 0))
        self.kinds = []
        for priv, pubd, pos in kinds:
            desc = self.core.getdescriptorinfo(pubd)["descriptor"]
            rng = [pos, pos] if "*" in pubd else None
            if pubd.startswith("pk("):
                addrs = [self.addr2]
                scripts = ["21" + self.pubs[0] + "ac"]
            else:
                addrs = self.core.deriveaddresses(desc, rng) if rng else self.core.deriveaddresses(desc)
                scripts = [self.core.validateaddress(a)["scriptPubKey"] for a in addrs]
            for s, a in list(zip(scripts, addrs))[:2]:
                # The second output pays the kind's own script: the updater fills it.
                self.kinds.append((priv, pubd, pos, s, a if a != self.addr else self.addr2))

    def fund(self):
        self.log.info("Funding %d outputs", len(self.kinds))
        self.fund_txids = []
        for block in range(2):
            cb = self.core.getblock(self.core.getblockhash(5 + block))["tx"][0]
            value = int(self.core.gettxout(cb, 0)["value"] * 100000000)
            tx = CTransaction()
            tx.vin = [CTxIn(COutPoint(hex_to_hash(cb), 0), b"", 0xffffffff)]
            tx.vout = [CTxOut(10000000, bytes.fromhex(k[3])) for k in self.kinds]
            tx.vout.append(CTxOut(value - 10000000 * len(self.kinds) - 100000,
                                  bytes.fromhex(self.core.validateaddress(self.addr)["scriptPubKey"])))
            signed = self.core.signrawtransactionwithkey(tx.serialize().hex(), [self.wifs[0]])
            assert_equal(signed["complete"], True)
            self.fund_txids.append(self.core.sendrawtransaction(signed["hex"]))
            self.sync_mempools()
            if block == 0:
                # The first funding in a block (its coins in the UTXO set), the second left in the pool.
                self.core.generatetoaddress(1, self.addr)
                self.sync_blocks()
        self.sent = 0
        self.complete = 0

    def descs(self, kind, priv):
        d = kind[0] if priv else kind[1]
        if "*" in d:
            return [{"desc": d, "range": [kind[2], kind[2] + 1]}]
        return [d]

    def accept(self, res):
        """A complete answer's transaction: both nodes' testmempoolaccept agree it is valid."""
        if not isinstance(res, dict) or not res.get("complete"):
            return
        self.complete += 1
        a = self.core.testmempoolaccept([res["hex"]])[0]
        b = self.br.testmempoolaccept([res["hex"]])[0]
        assert_equal(a["allowed"], True)
        assert_equal(b["allowed"], True)

    def check_each(self):
        self.log.info("Each kind alone")
        for i, kind in enumerate(self.kinds):
            psbt = self.core.createpsbt([{"txid": self.fund_txids[1], "vout": i}],
                                        [{self.addr: Decimal("0.0999")}, {kind[4]: Decimal("0.00001")}])
            upd = self.both("utxoupdatepsbt", psbt, self.descs(kind, False))
            self.both("utxoupdatepsbt", psbt, self.descs(kind, True))
            self.both("descriptorprocesspsbt", psbt, self.descs(kind, False))
            for args in ((), ("DEFAULT",), ("ALL", True, False), ("ALL", False, True), ("NONE",),
                         ("SINGLE",), ("ALL|ANYONECANPAY",), ("NONE|ANYONECANPAY", False, False),
                         ("SINGLE|ANYONECANPAY",)):
                for src in (psbt, upd):
                    res = self.both("descriptorprocesspsbt", src, self.descs(kind, True), *args)
                    self.accept(res)
            # Keys one at a time (the others public), then together.
            parts = []
            for k in range(6):
                if self.wifs[k] not in kind[0]:
                    continue
                priv = kind[0].replace(TPRV, self.tpub)
                for j in range(6):
                    if j != k:
                        priv = priv.replace(self.wifs[j], self.pubs[j] if "tr(" not in priv else self.pubs[j][2:])
                one = self.both("descriptorprocesspsbt", upd, [priv], "DEFAULT", True, False)
                if isinstance(one, dict):
                    parts.append(one["psbt"])
            if len(parts) > 1:
                comb = self.both("combinepsbt", parts)
                fin = self.both("finalizepsbt", comb)
                self.accept(fin)
                again = self.both("descriptorprocesspsbt", comb, [])
                self.accept(again)

    def check_many(self):
        self.log.info("Many inputs, mempool and chain coins, every descriptor at once")
        # Pool coins of every kind; chain coins only where a witness UTXO does (no -txindex).
        segwit = [i for i, k in enumerate(self.kinds) if k[3][:2] in ("00", "51") or "wpkh" in k[1] or "wsh" in k[1]]
        ins = [{"txid": self.fund_txids[1], "vout": i} for i in range(len(self.kinds))]
        ins += [{"txid": self.fund_txids[0], "vout": i} for i in segwit]
        total = Decimal("0.1") * len(ins)
        psbt = self.core.createpsbt(ins, [{self.addr: total - Decimal("0.01")}])
        descs = [d for k in self.kinds for d in self.descs(k, True)]
        pubs = [d for k in self.kinds for d in self.descs(k, False)]
        self.both("utxoupdatepsbt", psbt, pubs)
        half = self.both("descriptorprocesspsbt", psbt, descs[: len(descs) // 2], "ALL", True, False)
        rest = self.both("descriptorprocesspsbt", half["psbt"], descs, "ALL", True, True)
        if not rest["complete"]:
            dec = self.core.decodepsbt(rest["psbt"])
            for j, inp in enumerate(dec["inputs"]):
                if "final_scriptwitness" not in inp and "final_scriptSig" not in inp:
                    self.log.error("input %d (%s) not final: %r", j, ins[j], inp)
        assert_equal(rest["complete"], True)
        self.accept(rest)
        for node in (self.br, self.core):
            res = self.both("descriptorprocesspsbt", psbt, descs)
            self.accept(res)
        txid = self.br.sendrawtransaction(res["hex"])
        self.sync_mempools()
        assert txid in self.core.getrawmempool()
        self.sent += 1
        self.core.generatetoaddress(1, self.addr)
        self.sync_blocks()

    def check_sighash_field(self):
        """Core 28.1 signs with the sighashtype argument whatever the input's sighash field says (no mismatch error)."""
        self.log.info("An input's sighash field")
        for i, kind in enumerate(self.kinds):
            if kind[1] not in ("wpkh(%s)" % self.pubs[0], "tr(%s)" % self.pubs[0], "pkh(%s)" % self.pubs[0]):
                continue
            raw = base64.b64decode(self.core.createpsbt([{"txid": self.fund_txids[0], "vout": i}],
                                                        [{self.addr: Decimal("0.0999")}]))
            # The input map follows the global map (magic, one record, separator).
            k = 5 + 2
            n = raw[k]
            k += 1
            if n == 0xfd:
                n = struct.unpack("<H", raw[k:k + 2])[0]
                k += 2
            k += n + 1
            spk = bytes.fromhex(kind[3])
            wu = rec(b"\x01", struct.pack("<q", 10000000) + bytes([len(spk)]) + spk)
            for field in (1, 2, 0x83, 0):
                psbt = base64.b64encode(raw[:k] + wu + rec(b"\x03", struct.pack("<I", field)) + raw[k:]).decode()
                for args in ((), ("ALL",), ("NONE",), ("DEFAULT",), ("SINGLE|ANYONECANPAY", True, False)):
                    self.accept(self.both("descriptorprocesspsbt", psbt, self.descs(kind, True), *args))

    def check_errors(self):
        self.log.info("Errors")
        psbt = self.core.createpsbt([{"txid": "11" * 32, "vout": 0}], [{self.addr: 1}])
        w = self.wifs[0]
        for args in ((psbt, ["pkh(%s)" % w], "FOO"), (psbt, ["pkh(%s)" % w], "all"),
                     (psbt, ["pkh(%s)" % w], "ALL|NONE"), (psbt, ["nonsense"]), (psbt, [5]),
                     (psbt, [{"range": 5}]), (psbt, [{"desc": 5}]), (psbt, [{"desc": "pkh(%s/*)" % self.tpub, "range": -1}]),
                     (psbt, [{"desc": "pkh(%s/*)" % self.tpub, "range": [5, 2]}]),
                     (psbt, [{"desc": "pkh(%s/*h)" % self.tpub, "range": 2}]),
                     (psbt, ["pkh(%s)#00000000" % w]), ("zz", ["pkh(%s)" % w]), ("", []), (psbt, []),
                     (psbt, "x"), (psbt, [], 5), (psbt, [], "ALL", "x"), (psbt, [], "ALL", True, 1),
                     ("zz", ["nonsense"]), ("zz", [], "FOO"), (psbt, ["addr(%s)" % self.addr, "raw(51)"]),
                     (psbt, [{"desc": "pkh(%s)" % w, "range": 5}]), (psbt, ["pkh(%s)" % w, "wpkh(zz)"]),
                     (psbt, [{"desc": "pkh(%s/*)" % self.tpub, "range": [0, 2000000]}]), (5, []),
                     (psbt, [{"desc": "pkh(%s/*)" % self.tpub, "range": "x"}]), (psbt, [], None, None, False),
                     (psbt, ["pkh(%s)" % w], "SINGLE|ANYONECANPAY", False, False)):
            self.both("descriptorprocesspsbt", *args)
            self.both("utxoupdatepsbt", *args[:2])
        self.both("descriptorprocesspsbt", code_only=True)
        self.both("descriptorprocesspsbt", psbt, code_only=True)
        self.both("descriptorprocesspsbt", psbt, [], "ALL", True, True, 1, code_only=True)


if __name__ == "__main__":
    InteropPsbtSignTest(__file__).main()
