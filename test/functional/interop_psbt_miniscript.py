#!/usr/bin/env python3
"""Mixed network: signing and finalising PSBTs that spend wsh(Miniscript) outputs.

A Core 28.1 node and a bitrootd share a chain with outputs paid to
wsh(miniscript) descriptors (one in sh(wsh())): and_v(v:pk,older),
or_d(pk,and_v(v:pk,after)), thresh, sha256 and hash160 hash locks, andor,
or_i with pkh; and tr() trees of such leaves (script paths). The same PSBTs
(with nSequence and nLockTime set so that the locks are met, or not; with
the preimage records added, or not) and the same descriptors (every key
private, some, none) go to descriptorprocesspsbt, finalizepsbt and
analyzepsbt on both nodes, and the answers must be byte-identical: partial
signatures, key origins, final witnesses, what is missing, the next role.
signrawtransactionwithkey gets the same transactions with the witness
scripts given (P2WSH kinds). Every complete transaction is accepted by both
nodes' testmempoolaccept.
"""

import base64
import hashlib
from decimal import Decimal

from interop_psbt import InteropPsbtTest, rec, wif
from test_framework.address import key_to_p2pkh
from test_framework.key import ECKey
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash
from test_framework.util import assert_equal

PRE = bytes(range(32))                  # the preimage of every hash lock
SHA = hashlib.sha256(PRE).hexdigest()
H160 = hashlib.new("ripemd160", hashlib.sha256(PRE).digest()).hexdigest()

# (template over keys @0..@3, sequence, locktime, needs preimages)
KINDS = [
    ("and_v(v:pk(@0),older(5))", 5, 0),
    ("or_d(pk(@1),and_v(v:pk(@2),after(100)))", 0xfffffffe, 100),
    ("thresh(2,pk(@0),s:pk(@1),s:pk(@2))", 0xfffffffd, 0),
    ("and_v(v:pk(@0),sha256(" + SHA + "))", 0xfffffffd, 0),
    ("andor(pk(@0),older(5),pk(@1))", 5, 0),
    ("or_i(and_v(v:pkh(@0),hash160(" + H160 + ")),pk(@1))", 0xfffffffd, 0),
    ("and_v(v:pk(@3),or_d(pk(@0),and_v(v:pk(@1),older(5))))", 5, 0),
    ("sh:or_d(pk(@1),and_v(v:pk(@2),after(100)))", 0xfffffffe, 100),
    # Taproot script paths (an internal key nobody holds).
    ("tr:and_v(v:pk(@0),older(5))", 5, 0),
    ("tr:{and_v(v:pk(@0),sha256(" + SHA + ")),or_d(pk(@1),and_v(v:pk(@2),after(100)))}", 0xfffffffe, 100),
    ("tr:{thresh(2,pk(@0),s:pk(@1),s:pk(@2)),andor(pk(@3),older(5),pk(@1))}", 5, 0),
    ("tr:{and_v(v:pkh(@0),older(5)),or_i(pk(@1),and_v(v:pkh(@2),hash160(" + H160 + ")))}", 5, 0),
]
NUMS = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"


def read_psbt(b64):
    """The PSBT's maps as lists of (key, value) records: global, inputs, outputs."""
    raw = base64.b64decode(b64)
    assert raw[:5] == b"psbt\xff"
    pos = 5
    maps = []

    def compact():
        nonlocal pos
        n = raw[pos]
        pos += 1
        if n < 0xfd:
            return n
        size = {0xfd: 2, 0xfe: 4, 0xff: 8}[n]
        v = int.from_bytes(raw[pos:pos + size], "little")
        pos += size
        return v
    while pos < len(raw):
        m = []
        while True:
            kl = compact()
            if kl == 0:
                break
            k = raw[pos:pos + kl]
            pos += kl
            vl = compact()
            m.append((k, raw[pos:pos + vl]))
            pos += vl
        maps.append(m)
    return maps


def write_psbt(maps):
    out = b"psbt\xff"
    for m in maps:
        for k, v in m:
            out += rec(k, v)
        out += b"\x00"
    return base64.b64encode(out).decode()


class InteropPsbtMiniscriptTest(InteropPsbtTest):
    def run_test(self):
        self.start_pair()
        keys = [ECKey((i + 9300).to_bytes(32, "big"), True) for i in range(4)]
        self.wifs = [wif(k) for k in keys]
        self.pubs = [k.get_pubkey().get_bytes().hex() for k in keys]
        self.addr = key_to_p2pkh(bytes.fromhex(self.pubs[0]))
        self.core.generatetoaddress(110, self.addr)
        self.sync_blocks()
        self.fund()
        # Six confirmations: older(5) is met by nSequence 5.
        self.core.generatetoaddress(6, self.addr)
        self.sync_blocks()
        self.complete = 0
        try:
            for i in range(len(KINDS)):
                self.check_kind(i)
        finally:
            for d in self.diffs[:40]:
                self.log.error(d[:3000])
        assert_equal(len(self.diffs), 0)
        # Each kind completes at least with every key and what it needs.
        assert self.complete >= len(KINDS), self.complete
        self.log.info("%d calls answered alike, %d complete transactions accepted by both",
                      self.calls, self.complete)

    def desc(self, i, priv):
        """Kind i's descriptor with the keys in priv given as WIF."""
        t = KINDS[i][0]
        for k in range(4):
            t = t.replace("@%d" % k, self.wifs[k] if k in priv else self.pubs[k])
        if t.startswith("tr:"):
            return "tr(%s,%s)" % (NUMS, t[3:])
        if t.startswith("sh:"):
            return "sh(wsh(%s))" % t[3:]
        return "wsh(%s)" % t

    def fund(self):
        self.scripts = []
        for i in range(len(KINDS)):
            d = self.core.getdescriptorinfo(self.desc(i, ()))["descriptor"]
            a = self.core.deriveaddresses(d)[0]
            self.scripts.append(self.core.validateaddress(a)["scriptPubKey"])
        cb = self.core.getblock(self.core.getblockhash(5))["tx"][0]
        value = int(self.core.gettxout(cb, 0)["value"] * 100000000)
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash(cb), 0), b"", 0xffffffff)]
        tx.vout = [CTxOut(10000000, bytes.fromhex(s)) for s in self.scripts]
        tx.vout.append(CTxOut(value - 10000000 * len(KINDS) - 100000,
                              bytes.fromhex(self.core.validateaddress(self.addr)["scriptPubKey"])))
        signed = self.core.signrawtransactionwithkey(tx.serialize().hex(), [self.wifs[0]])
        assert_equal(signed["complete"], True)
        self.fund_txid = self.core.sendrawtransaction(signed["hex"])
        self.sync_mempools()

    def accept(self, res):
        if isinstance(res, dict) and res.get("complete"):
            self.complete += 1
            a = self.core.testmempoolaccept([res["hex"]])[0]
            b = self.br.testmempoolaccept([res["hex"]])[0]
            assert_equal(a["allowed"], True)
            assert_equal(b["allowed"], True)

    def with_preimages(self, psbt):
        maps = read_psbt(psbt)
        maps[1].append((b"\x0b" + bytes.fromhex(SHA), PRE))
        maps[1].append((b"\x0c" + bytes.fromhex(H160), PRE))
        maps[1].sort()
        return write_psbt(maps)

    def check_signraw(self, i, upd, create):
        """signrawtransactionwithkey with the witness (and redeem) script given."""
        dec = self.core.decodepsbt(upd)["inputs"][0]
        prev = {"txid": self.fund_txid, "vout": i, "scriptPubKey": self.scripts[i],
                "witnessScript": dec["witness_script"]["hex"], "amount": Decimal("0.1")}
        if "redeem_script" in dec:
            prev["redeemScript"] = dec["redeem_script"]["hex"]
        raw = self.core.createrawtransaction(*create)
        for priv in ((0, 1, 2, 3), (0,), (1,), (2,), (0, 2), (3, 1)):
            res = self.both("signrawtransactionwithkey", raw, [self.wifs[k] for k in priv], [prev])
            self.accept(res)

    def check_kind(self, i):
        text, seq, lock = KINDS[i]
        self.log.info("%s", text[:70])
        inp = [{"txid": self.fund_txid, "vout": i, "sequence": seq}]
        outs = [{self.addr: Decimal("0.0999")}]
        psbts = [self.core.createpsbt(inp, outs, lock)]
        # Locks not met: nSequence and nLockTime left final-ish.
        psbts.append(self.core.createpsbt([{"txid": self.fund_txid, "vout": i}], outs))
        psbts += [self.with_preimages(p) for p in psbts]
        upd = [self.both("utxoupdatepsbt", p, [self.desc(i, ())]) for p in psbts]
        if not text.startswith("tr:"):
            self.check_signraw(i, upd[0], [inp, outs, lock])
            self.check_signraw(i, upd[1], [[{"txid": self.fund_txid, "vout": i}], outs])
        for p in psbts + upd:
            self.both("analyzepsbt", p)
            for priv in ((0, 1, 2, 3), (0,), (1,), (2,), (0, 2), (3, 1), ()):
                d = self.desc(i, priv)
                res = self.both("descriptorprocesspsbt", p, [d])
                self.accept(res)
                part = self.both("descriptorprocesspsbt", p, [d], "ALL", True, False)
                if isinstance(part, dict):
                    self.both("analyzepsbt", part["psbt"])
                    self.both("decodepsbt", part["psbt"])
                    self.accept(self.both("finalizepsbt", part["psbt"]))
            # Keys one at a time, combined, then finalised.
            parts = []
            for k in range(4):
                r = self.both("descriptorprocesspsbt", p, [self.desc(i, (k,))], "ALL", True, False)
                if isinstance(r, dict):
                    parts.append(r["psbt"])
            comb = self.both("combinepsbt", parts)
            if isinstance(comb, str):
                self.both("analyzepsbt", comb)
                self.accept(self.both("finalizepsbt", comb))


if __name__ == "__main__":
    InteropPsbtMiniscriptTest(__file__).main()
