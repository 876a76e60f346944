#!/usr/bin/env python3
"""signrawtransactionwithkey and combinerawtransaction, as Bitcoin Core 28.

- Outputs of every kind the node signs (P2PKH and P2PK with compressed and
  uncompressed keys, P2WPKH, P2SH-P2WPKH, bare, P2SH, P2WSH and P2SH-P2WSH
  multisig, P2WSH around a single key) are funded, then spent by
  transactions the node signs: the whole signed transaction must equal
  the one built here with the framework's own secp256k1 code (RFC 6979
  nonces ground for a low R, as Core does, so the bytes are fixed), and the
  mempool accepts it. The spent outputs come from the UTXO set, from the
  mempool, or from prevtxs.
- Every sighash type signs what it says (checked by the same rebuild).
- Multisig: partial signatures are reported with Core's "errors" entries,
  a second signer completes them, and combinerawtransaction merges
  separately signed copies (in any order) into the complete transaction.
- Errors in Core's words and codes: undecodable hex, invalid keys,
  malformed prevtxs (missing or mistyped keys, negative vout, bad hex,
  mismatching scriptPubKey, missing or wrong redeem/witness scripts),
  a missing amount for a segwit input, an unknown sighash type, unknown
  inputs ("Input not found or already spent"), wrong types.
"""

from decimal import Decimal

from test_framework.address import base58check_encode
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.key import G, ORDER, ECKey, der_encode, point_mul, rfc6979_nonce
from test_framework.messages import COIN, COutPoint, CTransaction, CTxIn, CTxOut, hash160, hex_to_hash, sha256
from test_framework.script import (CScript, OP_0, OP_1, OP_CHECKMULTISIG, OP_CHECKSIG, OP_DUP, OP_EQUAL,
                                   OP_EQUALVERIFY, OP_HASH160, legacy_signature_hash, segwit_v0_signature_hash)
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

SIGHASHES = {"ALL": 1, "NONE": 2, "SINGLE": 3, "ALL|ANYONECANPAY": 0x81, "NONE|ANYONECANPAY": 0x82,
             "SINGLE|ANYONECANPAY": 0x83, "DEFAULT": 1}
AMOUNT = 1000000
NULLFAIL = "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)"
NO_KEY = "Unable to sign input, invalid stack size (possibly missing key)"


def wif(key):
    return base58check_encode(b"\xef" + key.get_bytes() + (b"\x01" if key.compressed else b""))


def sign_low_r(key, msg32):
    """Core's CKey::Sign: RFC 6979, extra entropy (a counter) until R < 2^255, low S."""
    d, z, counter = key.secret, int.from_bytes(msg32, "big") % ORDER, 0
    while True:
        extra = counter.to_bytes(4, "little") + b"\x00" * 28 if counter else b""
        k = rfc6979_nonce(d, msg32, extra)
        r = point_mul(G, k)[0] % ORDER
        s = pow(k, -1, ORDER) * (z + r * d) % ORDER
        if r.to_bytes(32, "big")[0] < 0x80:
            return der_encode(r, min(s, ORDER - s))
        counter += 1


def p2pkh(pub):
    return CScript([OP_DUP, OP_HASH160, hash160(pub), OP_EQUALVERIFY, OP_CHECKSIG])


def p2pk(pub):
    return CScript([pub, OP_CHECKSIG])


def p2sh(script):
    return CScript([OP_HASH160, hash160(script), OP_EQUAL])


def p2wsh(script):
    return CScript([OP_0, sha256(script)])


def multi(m, pubs):
    return CScript([m] + pubs + [len(pubs), OP_CHECKMULTISIG])


class SignRawTxTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup(self):
        self.keys = [ECKey((i + 77).to_bytes(32, "big"), i != 2) for i in range(5)]
        self.pubs = [k.get_pubkey().get_bytes() for k in self.keys]
        c0, c1, u2, c3, c4 = self.pubs
        self.ms = multi(2, [c0, c1, c3])
        # kind -> (scriptPubKey, redeemScript, witnessScript)
        self.kinds = {
            "p2pkh": (p2pkh(c0), None, None),
            "p2pkh_u": (p2pkh(u2), None, None),
            "p2pk": (p2pk(c1), None, None),
            "p2pk_u": (p2pk(u2), None, None),
            "p2wpkh": (CScript([OP_0, hash160(c0)]), None, None),
            "p2sh_p2wpkh": (p2sh(CScript([OP_0, hash160(c1)])), CScript([OP_0, hash160(c1)]), None),
            "bare_multi": (multi(1, [u2, c3]), None, None),
            "p2sh_multi": (p2sh(self.ms), self.ms, None),
            "p2wsh_multi": (p2wsh(self.ms), None, self.ms),
            "p2sh_p2wsh_multi": (p2sh(p2wsh(self.ms)), p2wsh(self.ms), self.ms),
            "p2wsh_pk": (p2wsh(p2pk(c4)), None, p2pk(c4)),
        }

    def key_of(self, pub):
        return self.keys[self.pubs.index(pub)]

    def expected(self, tx, i, kind, hashtype, keys):
        """Fills input i of tx (a CTransaction) as Core's signer would, with keys (indices)."""
        spk, rs, ws = self.kinds[kind]
        have = [self.pubs[k] for k in keys]

        def by_hash(h):
            return [p for p in self.pubs if hash160(p) == h][0]

        def sig(pub, code, witness):
            h = (segwit_v0_signature_hash(code, tx, i, hashtype, AMOUNT) if witness
                 else legacy_signature_hash(code, tx, i, hashtype))
            return sign_low_r(self.key_of(pub), h) + bytes([hashtype])

        def pushes(script):
            out, pc = [], 1
            while script[pc] in (33, 65):
                out.append(bytes(script[pc + 1:pc + 1 + script[pc]]))
                pc += 1 + script[pc]
            return out

        def satisfy(script, witness):
            """The stack for a bare template: multisig, P2PKH or P2PK."""
            script = bytes(script)
            if script[-1] == OP_CHECKMULTISIG:
                m = script[0] - OP_1 + 1
                return [b""] + [sig(p, script, witness) for p in pushes(script) if p in have][:m]
            if len(script) == 25:
                pub = by_hash(script[3:23])
                return [sig(pub, script, witness), pub]
            return [sig(script[1:-1], script, witness)]

        inner = bytes(rs if rs is not None else spk)
        wrapper = [bytes(rs)] if rs is not None else []
        if ws is not None:
            tx.witness[i] = satisfy(ws, True) + [bytes(ws)]
            tx.vin[i].script_sig = bytes(CScript(wrapper)) if kind.startswith("p2sh") else b""
        elif inner[0] == OP_0 and len(inner) == 22:
            pub = by_hash(inner[2:22])
            tx.witness[i] = [sig(pub, p2pkh(pub), True), pub]
            tx.vin[i].script_sig = bytes(CScript(wrapper))
        else:
            tx.vin[i].script_sig = bytes(CScript(satisfy(inner, False) + wrapper))

    def fund(self, kinds, confirm):
        node = self.nodes[0]
        outs = {}
        for kind in kinds:
            res = self.wallet.send_to(from_node=node, scriptPubKey=bytes(self.kinds[kind][0]), amount=AMOUNT)
            outs[kind] = (res["txid"], res["sent_vout"])
        if confirm:
            self.generate(node, 1)
        return outs

    def prevtx(self, txid, vout, kind, amount=True):
        spk, rs, ws = self.kinds[kind]
        e = {"txid": txid, "vout": vout, "scriptPubKey": bytes(spk).hex()}
        if amount:
            e["amount"] = Decimal(AMOUNT) / COIN
        if rs is not None:
            e["redeemScript"] = bytes(rs).hex()
        if ws is not None:
            e["witnessScript"] = bytes(ws).hex()
        return e

    def spend(self, outs, kinds, nout=1):
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash(outs[k][0]), outs[k][1]), b"", 0xfffffffd) for k in kinds]
        tx.vout = [CTxOut(AMOUNT * len(kinds) // nout - 20000, bytes(self.wallet.script_pubkey))
                   for _ in range(nout)]
        tx.witness = [[] for _ in kinds]
        return tx

    def run_test(self):
        node = self.nodes[0]
        self.setup()
        self.wallet = MiniWallet(node)
        self.wallet.generate(COINBASE_MATURITY + 20)
        allkeys = [wif(k) for k in self.keys]

        self.log.info("Each kind alone, signed as Core signs it, from the UTXO set, mempool and prevtxs")
        for confirm in (True, False):
            outs = self.fund(self.kinds, confirm)
            for kind in self.kinds:
                tx = self.spend(outs, [kind])
                txid, vout = outs[kind]
                pt = [self.prevtx(txid, vout, kind)]
                needs_scripts = self.kinds[kind][1] is not None or self.kinds[kind][2] is not None
                res = node.signrawtransactionwithkey(tx.serialize().hex(), allkeys, pt if needs_scripts else None)
                exp = self.spend(outs, [kind])
                self.expected(exp, 0, kind, 1, range(5))
                assert_equal(res, {"hex": exp.serialize().hex(), "complete": True})
                assert_equal(node.signrawtransactionwithkey(tx.serialize().hex(), allkeys, pt), res)
                assert_equal(node.signrawtransactionwithkey(hexstring=tx.serialize().hex(), privkeys=allkeys,
                                                            prevtxs=pt, sighashtype="ALL"), res)
                assert_equal(node.testmempoolaccept([res["hex"]])[0]["allowed"], True)
            node.sendrawtransaction(res["hex"])

        self.log.info("Every sighash type, several inputs at once")
        outs = self.fund(self.kinds, True)
        kinds = ["p2pkh", "p2wpkh", "p2sh_multi", "p2wsh_multi", "p2sh_p2wpkh"]
        pts = [self.prevtx(*outs[k], k) for k in kinds]
        for name, ht in SIGHASHES.items():
            tx = self.spend(outs, kinds, nout=len(kinds) if "SINGLE" in name else 2)
            res = node.signrawtransactionwithkey(tx.serialize().hex(), allkeys, pts, name)
            exp = self.spend(outs, kinds, nout=len(kinds) if "SINGLE" in name else 2)
            for i, k in enumerate(kinds):
                self.expected(exp, i, k, ht, range(5))
            assert_equal(res, {"hex": exp.serialize().hex(), "complete": True})
            assert_equal(node.testmempoolaccept([res["hex"]])[0]["allowed"], True)
        # SIGHASH_SINGLE signs no input past the last output.
        tx = self.spend(outs, kinds, nout=2)
        res = node.signrawtransactionwithkey(tx.serialize().hex(), allkeys, pts, "SINGLE")
        assert_equal(res["complete"], False)
        assert_equal([e["vout"] for e in res["errors"]], [outs[k][1] for k in kinds[2:]])

        self.log.info("Multisig: partial signatures, a second signer, combinerawtransaction")
        for kind in ("p2sh_multi", "p2wsh_multi", "p2sh_p2wsh_multi"):
            tx = self.spend(outs, [kind]).serialize().hex()
            pt = [self.prevtx(*outs[kind], kind)]
            first = node.signrawtransactionwithkey(tx, [allkeys[0]], pt)
            assert_equal(first["complete"], False)
            err = first["errors"][0]
            assert_equal((err["txid"], err["vout"], err["sequence"], err["error"]),
                         (outs[kind][0], outs[kind][1], 0xfffffffd, NULLFAIL))
            second = node.signrawtransactionwithkey(tx, [allkeys[3]], pt)
            exp = self.spend(outs, [kind])
            self.expected(exp, 0, kind, 1, [0, 3])
            full = {"hex": exp.serialize().hex(), "complete": True}
            # On top of the first signer's work, and merged either way.
            assert_equal(node.signrawtransactionwithkey(first["hex"], [allkeys[3]], pt), full)
            assert_equal(node.combinerawtransaction([first["hex"], second["hex"]]), full["hex"])
            assert_equal(node.combinerawtransaction(txs=[second["hex"], first["hex"], tx]), full["hex"])
            # One signature, merged with an unsigned copy, stays partial.
            assert_equal(node.combinerawtransaction([tx, first["hex"]]), first["hex"])
            assert_equal(node.testmempoolaccept([full["hex"]])[0]["allowed"], True)
        # Without the key: the input is left as it was and reported.
        tx = self.spend(outs, ["p2pkh"]).serialize().hex()
        res = node.signrawtransactionwithkey(tx, [allkeys[1]])
        assert_equal((res["hex"], res["complete"]), (tx, False))
        assert_equal(res["errors"], [{"txid": outs["p2pkh"][0], "vout": outs["p2pkh"][1], "witness": [],
                                      "scriptSig": "", "sequence": 0xfffffffd, "error": NO_KEY}])
        assert_equal(node.signrawtransactionwithkey(tx, [])["complete"], False)
        # A spent or unknown output.
        tx = self.spend({"x": ("11" * 32, 0)}, ["x"]).serialize().hex()
        res = node.signrawtransactionwithkey(tx, allkeys)
        assert_equal(res["errors"][0]["error"], "Input not found or already spent")
        assert_raises_rpc_error(-25, "Input not found or already spent", node.combinerawtransaction, [tx])

        self.log.info("Errors")
        kind = "p2sh_multi"
        tx = self.spend(outs, [kind]).serialize().hex()
        pt = self.prevtx(*outs[kind], kind)
        txid = pt["txid"]
        decode = "TX decode failed. Make sure the tx has at least one input."
        for bad in ("", "zz", "00", tx[:-2]):
            assert_raises_rpc_error(-22, decode, node.signrawtransactionwithkey, bad, allkeys)
        assert_raises_rpc_error(-5, "Invalid private key", node.signrawtransactionwithkey, tx, ["nope"])
        assert_raises_rpc_error(-5, "Invalid private key", node.signrawtransactionwithkey, tx,
                                [base58check_encode(b"\x80" + b"\x01" * 32)])
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.signrawtransactionwithkey, tx, [5])
        assert_raises_rpc_error(-22, 'expected object with {"txid\'","vout","scriptPubKey"}',
                                node.signrawtransactionwithkey, tx, allkeys, [5])
        for missing in ("scriptPubKey", "txid", "vout"):
            e = {k: v for k, v in pt.items() if k != missing}
            assert_raises_rpc_error(-3, "Missing %s" % missing, node.signrawtransactionwithkey, tx, allkeys, [e])
        assert_raises_rpc_error(-3, "JSON value of type string for field vout is not of expected type number",
                                node.signrawtransactionwithkey, tx, allkeys, [dict(pt, vout="0")])
        assert_raises_rpc_error(-22, "vout cannot be negative", node.signrawtransactionwithkey, tx, allkeys,
                                [dict(pt, vout=-1)])
        assert_raises_rpc_error(-8, "txid must be of length 64", node.signrawtransactionwithkey, tx, allkeys,
                                [dict(pt, txid="zz")])
        assert_raises_rpc_error(-8, "scriptPubKey must be hexadecimal string (not 'zz')",
                                node.signrawtransactionwithkey, tx, allkeys, [dict(pt, scriptPubKey="zz")])
        assert_raises_rpc_error(-3, "Invalid amount", node.signrawtransactionwithkey, tx, allkeys,
                                [dict(pt, amount="x")])
        assert_raises_rpc_error(-3, "Amount is not a number or string", node.signrawtransactionwithkey, tx,
                                allkeys, [dict(pt, amount=None)])
        assert_raises_rpc_error(-22, "Previous output scriptPubKey mismatch:\nOP_HASH160 %s OP_EQUAL\nvs:\n1"
                                % hash160(bytes(self.ms)).hex(), node.signrawtransactionwithkey, tx, allkeys,
                                [dict(pt, scriptPubKey="51")])
        assert_raises_rpc_error(-8, "Missing redeemScript/witnessScript", node.signrawtransactionwithkey, tx,
                                allkeys, [{k: v for k, v in pt.items() if k != "redeemScript"}])
        assert_raises_rpc_error(-3, "JSON value of type number for field redeemScript is not of expected type "
                                "string", node.signrawtransactionwithkey, tx, allkeys, [dict(pt, redeemScript=5)])
        assert_raises_rpc_error(-8, "redeemScript/witnessScript does not match scriptPubKey",
                                node.signrawtransactionwithkey, tx, allkeys, [dict(pt, redeemScript="51")])
        assert_raises_rpc_error(-8, "redeemScript does not correspond to witnessScript",
                                node.signrawtransactionwithkey, tx, allkeys, [dict(pt, witnessScript="51")])
        assert_raises_rpc_error(-8, "'all' is not a valid sighash parameter.", node.signrawtransactionwithkey,
                                tx, allkeys, [pt], "all")
        assert_raises_rpc_error(-3, "Position 4 (sighashtype)", node.signrawtransactionwithkey, tx, allkeys,
                                [pt], 1)
        assert_raises_rpc_error(-3, "Position 2 (privkeys)", node.signrawtransactionwithkey, tx, "key")
        wtx = self.spend(outs, ["p2wpkh"]).serialize().hex()
        wpt = self.prevtx(*outs["p2wpkh"], "p2wpkh", amount=False)
        assert_raises_rpc_error(-3, "Missing amount for CTxOut(nValue=21000000.00000000, scriptPubKey=%s)"
                                % wpt["scriptPubKey"][:30], node.signrawtransactionwithkey, wtx, allkeys, [wpt])
        assert_raises_rpc_error(-22, "Missing transactions", node.combinerawtransaction, [])
        assert_raises_rpc_error(-22, "TX decode failed for tx 1. Make sure the tx has at least one input.",
                                node.combinerawtransaction, [tx, "zz"])
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.combinerawtransaction, [1])
        assert_raises_rpc_error(-3, "Position 1 (txs)", node.combinerawtransaction, tx)
        assert txid


if __name__ == "__main__":
    SignRawTxTest(__file__).main()
