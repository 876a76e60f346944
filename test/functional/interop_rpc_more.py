#!/usr/bin/env python3
"""Mixed network: the methods of issue 22 answered by Bitcoin Core and bitrootd alike.

A Core node and a bitrootd both import the shared dev chain, connect, and
then mine, relay and spend together. Every call below goes to both nodes
and the two answers must be equal, field by field (results) or code and
message (errors):

- getblockstats for every height of the chain, by hash for some, with stats
  filters, and its errors;
- gettxoutproof for one, several and all transactions of many blocks, with
  and without a block hash (the proof bytes are equal), verifytxoutproof of
  each proof and of tampered and malformed ones, and their errors;
- createmultisig for every address type, key kind and count, and errors;
- deriveaddresses for raw() and addr() descriptors, ranges, and errors;
- signmessagewithprivkey (RFC 6979: the same signature bytes) and
  verifymessage, with bad addresses, signatures and keys;
- signrawtransactionwithkey over every script kind the node signs (taproot
  by the output key itself too), with
  every sighash type and partial key sets, its spent outputs taken from
  prevtxs, from the mempool and from the UTXO set (the same transaction
  hex); its "errors" arrays and its error cases;
- combinerawtransaction of partially signed copies in every order;
- gettxspendingprevout while the pool holds the spenders, and its errors;
- generate (Core's "method not found" with its help text).

Deliberate differences, not compared: the text of arity errors (each
implementation's own help text; only the code is compared).
"""

import random
from decimal import Decimal

from test_framework.address import (base58check_encode, descsum_create, key_to_p2pkh, key_to_p2wpkh,
                                    script_to_p2sh)
from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import create_block, create_coinbase, solve
from test_framework.key import ECKey
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hash160, hex_to_hash, sha256
from test_framework.script import (CScript, OP_0, OP_1, OP_CHECKMULTISIG, OP_CHECKSIG, OP_DUP, OP_EQUAL,
                                   OP_EQUALVERIFY, OP_HASH160, OP_TRUE)
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)


def wif(key):
    return base58check_encode(b"\xef" + key.get_bytes() + (b"\x01" if key.compressed else b""))


def p2pkh(pub):
    return CScript([OP_DUP, OP_HASH160, hash160(pub), OP_EQUALVERIFY, OP_CHECKSIG])


def p2sh(s):
    return CScript([OP_HASH160, hash160(s), OP_EQUAL])


def p2wsh(s):
    return CScript([OP_0, sha256(s)])


def multi(m, pubs):
    return CScript([m] + pubs + [len(pubs), OP_CHECKMULTISIG])


class InteropRpcMoreTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [[MAXTIPAGE]] * 2, binaries=self.node_impls)

    def answer(self, node, method, args, kwargs):
        try:
            return ("ok", getattr(node, method)(*args, **kwargs))
        except JSONRPCException as e:
            return ("error", e.error["code"], e.error["message"])

    def both(self, method, *args, help_error=False, **kwargs):
        """Calls method on Core and on bitrootd: the answers must be equal. Returns Core's."""
        self.calls += 1
        a = self.answer(self.core, method, args, kwargs)
        b = self.answer(self.br, method, args, kwargs)
        if help_error:
            # Arity errors carry each implementation's own help text.
            assert_equal(a[:2], ("error", -1))
            assert_equal(b[:2], ("error", -1))
            return a
        if a != b:
            raise AssertionError("%s%r:\n  core:     %r\n  bitrootd: %r" % (method, args, a, b))
        return a[1] if a[0] == "ok" else a

    def run_test(self):
        self.core, self.br = self.nodes
        self.calls = 0
        dat = self.require_shared("chains", "regtest-dev.dat")
        for i in range(2):
            self.start_node(i, extra_args=[MAXTIPAGE, "-loadblock=" + dat])
        for node in self.nodes:
            self.wait_until(lambda: node.getblockcount() >= 1100, timeout=600)
        self.connect_nodes(1, 0)
        self.sync_blocks()
        self.check_blockstats(range(0, 1101))
        self.check_proofs(range(1, 1101, 23))
        self.check_multisig()
        self.check_deriveaddresses()
        self.check_messages()
        self.check_signing()
        self.log.info("generate")
        self.both("generate")
        self.both("generate", 1, help_error=True)
        self.log.info("%d calls answered alike", self.calls)

    def check_blockstats(self, heights):
        self.log.info("getblockstats for %d heights", len(heights))
        for h in heights:
            self.both("getblockstats", h)
        tip = self.core.getblockcount()
        for h in (0, 1, tip // 2, tip):
            bh = self.core.getblockhash(h)
            self.both("getblockstats", bh)
            self.both("getblockstats", bh, ["txs", "height", "txs", "feerate_percentiles"])
            self.both("getblockstats", hash_or_height=h, stats=["utxo_size_inc", "avgfee", "minfeerate"])
        for args in ((tip, ["zz", "aa", "height"]), (tip, [1]), (tip, "x"), (True,), (1.5,), (-1,), (tip + 1,),
                     ("abc",), ("00" * 32,), ("zz" * 32,), (None,), ([],), (2 ** 40,), (tip, [None])):
            self.both("getblockstats", *args)
        self.both("getblockstats", help_error=True)

    def check_proofs(self, heights):
        self.log.info("gettxoutproof and verifytxoutproof in %d blocks", len(heights))
        rng = random.Random(22)
        proofs = []
        for h in heights:
            bh = self.core.getblockhash(h)
            txids = self.core.getblock(bh)["tx"]
            for k in sorted({1, 2, 3, len(txids)}):
                sel = rng.sample(txids, min(k, len(txids)))
                proof = self.both("gettxoutproof", sel, bh)
                if k <= 3:
                    # Through the UTXO set, or not found (Core then tries
                    # 111,111 output indexes per txid: slow, so few txids).
                    self.both("gettxoutproof", sel)
                self.both("gettxoutproof", txids=sel, blockhash=bh)
                if isinstance(proof, str):
                    proofs.append(proof)
                    self.both("verifytxoutproof", proof)
        proof = proofs[-1]
        raw = bytearray(bytes.fromhex(proof))
        zero = "00" * 84
        bad = [proof + "00", proof[:200], proof.upper(), "00", "zz", "0", "", "AB", zero + "feffffff7f",
               zero + "fd0100", zero + "0000", zero + "00", proof[:160] + "09000000" + proof[168:]]
        raw[-1] ^= 2
        bad.append(raw.hex())
        raw = bytearray(bytes.fromhex(proof))
        raw[90] ^= 1
        bad.append(raw.hex())
        for p in bad:
            self.both("verifytxoutproof", p)
        self.both("verifytxoutproof", 1)
        txid = self.core.getblock(self.core.getblockhash(1100))["tx"][3]
        for args in (([],), ([txid, txid],), ([txid, txid.upper()],), (["zz"],), ([1],), ([None],),
                     ([txid], self.core.getblockhash(5)), (["11" * 32],), ([txid], "11" * 32), ([txid], "zz"),
                     ("x",), ([txid], None)):
            self.both("gettxoutproof", *args)
        self.both("gettxoutproof", help_error=True)

    def check_multisig(self):
        self.log.info("createmultisig")
        keys = [ECKey((i + 1).to_bytes(32, "big"), True).get_pubkey().get_bytes().hex() for i in range(21)]
        ukeys = [ECKey((i + 1).to_bytes(32, "big"), False).get_pubkey().get_bytes().hex() for i in range(3)]
        hybrid = ("06" if int(ukeys[0][-2:], 16) % 2 == 0 else "07") + ukeys[0][2:]
        for t in (None, "legacy", "p2sh-segwit", "bech32", "bech32m", "foo", "Legacy", ""):
            for req, ks in ((2, keys[:2]), (1, keys[:1]), (1, [ukeys[0], keys[0]]), (1, [hybrid]),
                            (2, [hybrid, keys[1]]), (1, ukeys), (3, ukeys), (2, keys[:3])):
                self.both("createmultisig", req, ks, *([t] if t is not None else []))
        for n in (15, 16, 17, 20, 21):
            for t in ("legacy", "p2sh-segwit", "bech32"):
                self.both("createmultisig", n, keys[:n], t)
                self.both("createmultisig", 1, keys[:n], t)
        for args in ((0, keys[:1]), (3, keys[:1]), (1, [1]), (1, []), (-1, keys[:1]), (1.5, keys[:1]),
                     (1, ["zz"]), (1, ["0011"]), (1, [""]), (1, ["02" + "00" * 32]), (1, [keys[0].upper()]),
                     (0, ["zz"], "foo"), (1, keys[:1], 5), ("1", keys[:1]), (1, keys[0]), (1, keys[:1] * 2)):
            self.both("createmultisig", *args)
        self.both("createmultisig", nrequired=1, keys=keys[:2], address_type="bech32")
        self.both("createmultisig", 1, help_error=True)

    def check_deriveaddresses(self):
        self.log.info("deriveaddresses")
        descs = ["addr(bcrt1q5lmq9mha7csw8aup8efs446mkhznjh2klvsdmj)", "raw(76a914%s88ac)" % ("11" * 20),
                 "raw(0014%s)" % ("22" * 20), "raw(6a)", "raw(51)", "addr(mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn)",
                 "raw(5120%s)" % ("33" * 32), "addr(%s)" % script_to_p2sh(b"\x51")]
        for d in descs + [descsum_create(d) for d in descs] + ["foo(1)", "", descsum_create(descs[0])[:-1] + "q"]:
            self.both("deriveaddresses", d)
            for r in (5, -1, "x", [3, 1], [1], None, 1.5, 3000000000, [0, 2000000], [-1, 2], [0, 0], [1, "a"],
                      2 ** 31 - 1, 2 ** 31):
                self.both("deriveaddresses", d, r)
        self.both("deriveaddresses", descriptor=descsum_create(descs[0]), range=None)
        self.both("deriveaddresses", 5)

    def check_messages(self):
        self.log.info("signmessagewithprivkey and verifymessage")
        rng = random.Random(7)
        msgs = ["", "hello", "x" * 1000, "\u00fcn\u00efc\u00f6d\u00e9 \u2713", "a\nb\tc\"\\", "0" * 253]
        sigs = []
        for i in range(8):
            secret = (i + 1).to_bytes(32, "big") if i < 2 else rng.randbytes(32)
            for compressed in (True, False):
                key = ECKey(secret, compressed)
                addr = key_to_p2pkh(key.get_pubkey().get_bytes())
                for m in msgs:
                    sig = self.both("signmessagewithprivkey", wif(key), m)
                    assert isinstance(sig, str), sig
                    assert_equal(self.both("verifymessage", addr, sig, m), True)
                    self.both("verifymessage", addr, sig, m + "!")
                    sigs.append((addr, sig, m, key))
        addr, sig, m, key = sigs[0]
        wpkh = key_to_p2wpkh(key.get_pubkey().get_bytes())
        for args in (("nope", sig, m), (wpkh, sig, m), (script_to_p2sh(b"\x51"), sig, m), (addr, "!!!!", m),
                     (addr, "", m), (addr, "abc", m), (addr, "AAAA", m), (addr, sig[:-4], m), (addr, sig + "=", m),
                     ("1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX", sig, m), (addr, sig, 5), (5, sig, m),
                     (addr, "====", m), (addr, "AB==", m), (sigs[20][0], sig, m)):
            self.both("verifymessage", *args)
        for header in range(0, 256, 7):
            self.both("verifymessage", addr, base64_with_header(sig, header), m)
        for args in (("nope", "m"), ("", ""), (wif(ECKey(b"\x01" * 32)), 5),
                     (base58check_encode(b"\x80" + b"\x01" * 32), "m"),
                     (base58check_encode(b"\xef" + b"\x01" * 32 + b"\x02"), "m")):
            self.both("signmessagewithprivkey", *args)
        self.both("verifymessage", addr, sig, help_error=True)

    def kinds(self):
        c0, c1, u2, c3, c4, u5 = self.pubs
        ms = multi(2, [c0, c1, c3])
        msu = multi(1, [u2, c0])
        return [
            (p2pkh(c0), None, None), (p2pkh(u2), None, None), (CScript([c1, OP_CHECKSIG]), None, None),
            (CScript([u2, OP_CHECKSIG]), None, None), (CScript([OP_0, hash160(c0)]), None, None),
            (p2sh(CScript([OP_0, hash160(c1)])), CScript([OP_0, hash160(c1)]), None), (p2sh(ms), ms, None),
            (p2wsh(ms), None, ms), (p2sh(p2wsh(ms)), p2wsh(ms), ms), (msu, None, None),
            (p2wsh(CScript([c0, OP_CHECKSIG])), None, CScript([c0, OP_CHECKSIG])), (p2sh(p2pkh(c3)), p2pkh(c3), None),
            (p2wsh(p2pkh(c4)), None, p2pkh(c4)), (p2sh(msu), msu, None), (p2sh(p2wsh(ms)), ms, None),
            (p2wsh(CScript([OP_TRUE])), None, CScript([OP_TRUE])),
            # Taproot outputs keyed by a given key itself (signed untweaked
            # by key path), by another, and by an uncompressed key's x
            # (GetKeyByXOnly finds compressed keys only: not signed).
            (CScript([OP_1, c0[1:]]), None, None), (CScript([OP_1, c4[1:]]), None, None),
            (CScript([OP_1, u2[1:33]]), None, None),
        ]

    def prevtx(self, txid, vout, kind, amount=Decimal("0.01")):
        spk, rs, ws = kind
        e = {"txid": txid, "vout": vout, "scriptPubKey": bytes(spk).hex()}
        if amount is not None:
            e["amount"] = amount
        if rs is not None:
            e["redeemScript"] = bytes(rs).hex()
        if ws is not None:
            e["witnessScript"] = bytes(ws).hex()
        return e

    def spend_tx(self, txid, vouts, nout=1, value=990000):
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash(txid), v), b"", 0xfffffffd) for v in vouts]
        tx.vout = [CTxOut(value * len(vouts) // nout, bytes(p2pkh(self.pubs[1]))) for _ in range(nout)]
        return tx.serialize().hex()

    def check_signing(self):
        keys = [ECKey((i + 1000).to_bytes(32, "big"), i % 3 != 2) for i in range(6)]
        self.pubs = [k.get_pubkey().get_bytes() for k in keys]
        wifs = [wif(k) for k in keys]
        kinds = self.kinds()
        addr = key_to_p2pkh(self.pubs[0])

        self.log.info("signrawtransactionwithkey over prevtxs: every kind, sighash type and key set")
        for i, kind in enumerate(kinds):
            txid = ("%02x" % (i + 1)) * 32
            for ks in (wifs, wifs[:1], [wifs[1]], []):
                for sh in (None, "ALL", "NONE", "SINGLE", "ALL|ANYONECANPAY", "SINGLE|ANYONECANPAY", "DEFAULT"):
                    tx = self.spend_tx(txid, [i], nout=1 if sh and "SINGLE" in sh else 2)
                    self.both("signrawtransactionwithkey", tx, ks, [self.prevtx(txid, i, kind)],
                              *([sh] if sh else []))
        rng = random.Random(3)
        for _ in range(30):
            idx = rng.sample(range(len(kinds)), rng.randint(2, 6))
            tx = CTransaction()
            tx.vin = [CTxIn(COutPoint(bytes([i + 1]) * 32, i), b"", 0xffffffff) for i in idx]
            tx.vout = [CTxOut(1000, bytes(p2pkh(self.pubs[0])))] * rng.randint(1, 3)
            pts = [self.prevtx(("%02x" % (i + 1)) * 32, i, kinds[i],
                               amount=Decimal(i + 1) if rng.random() < 0.8 else None) for i in idx]
            self.both("signrawtransactionwithkey", tx.serialize().hex(), rng.sample(wifs, rng.randint(0, 6)), pts,
                      *([rng.choice(["ALL", "SINGLE", "NONE|ANYONECANPAY"])] if rng.random() < 0.5 else []))

        self.log.info("Coins from the chain and the mempool")
        # Each mines on the other's blocks.
        self.core.generatetoaddress(60, addr)
        self.sync_blocks()
        self.br.generatetoaddress(51, addr)
        self.sync_blocks()
        cb = self.core.getblock(self.core.getblockhash(self.core.getblockcount() - 100))["tx"][0]
        value = int(self.core.gettxout(cb, 0)["value"] * 100000000)
        fund = CTransaction()
        fund.vin = [CTxIn(COutPoint(hex_to_hash(cb), 0), b"", 0xffffffff)]
        fund.vout = [CTxOut(1000000, bytes(k[0])) for k in kinds]
        fund.vout.append(CTxOut(value - 1000000 * len(kinds) - 30000, bytes(p2pkh(self.pubs[0]))))
        signed = self.both("signrawtransactionwithkey", fund.serialize().hex(), wifs)
        assert_equal(signed["complete"], True)
        fund_txid = self.br.sendrawtransaction(signed["hex"])
        self.sync_mempools()

        self.log.info("gettxspendingprevout while the pool holds the spender")
        outs = [{"txid": cb, "vout": 0}, {"txid": fund_txid, "vout": 0}, {"txid": fund_txid, "vout": 99}]
        res = self.both("gettxspendingprevout", outs)
        assert_equal(res[0]["spendingtxid"], fund_txid)
        for bad in ([], [{"txid": cb}], [{"vout": 0}], [dict(outs[0], x=1)], [{"txid": 1, "vout": 0}],
                    [{"txid": cb, "vout": "0"}], [{"txid": cb, "vout": 1.5}], [1], [{"txid": "zz", "vout": 0}],
                    [{"txid": cb, "vout": -1}], [{"txid": cb, "vout": 2 ** 32}], "x"):
            self.both("gettxspendingprevout", bad)

        for phase in ("mempool", "chain"):
            self.log.info("signrawtransactionwithkey and combinerawtransaction, coins from the %s", phase)
            for j, kind in enumerate(kinds):
                tx = self.spend_tx(fund_txid, [j])
                pt = [self.prevtx(fund_txid, j, kind)]
                for ks in (wifs, wifs[:2], [wifs[1]], [wifs[3]], []):
                    self.both("signrawtransactionwithkey", tx, ks)
                    self.both("signrawtransactionwithkey", tx, ks, pt)
                partial = [self.br.signrawtransactionwithkey(tx, ks, pt)["hex"]
                           for ks in ([wifs[0]], [wifs[1], wifs[3]], [wifs[3]])]
                for combo in ([partial[0], partial[1]], [partial[1], partial[0]], [partial[0], partial[2]],
                              [partial[2], partial[0], partial[1]], [partial[0]], [tx, partial[0]]):
                    self.both("combinerawtransaction", combo)
            for j, kind in enumerate(kinds):
                if kind[0][0] != OP_1 or kind[0][2:] == self.pubs[2][1:33]:
                    continue
                signed = self.both("signrawtransactionwithkey", self.spend_tx(fund_txid, [j]), wifs)
                assert_equal(signed["complete"], True)
                assert_equal(len(signed["hex"]) > 0, True)
                assert_equal(self.both("testmempoolaccept", [signed["hex"]])[0]["allowed"], True)
            if phase == "mempool":
                self.core.generatetoaddress(1, addr)
                self.sync_blocks()
        tx = self.spend_tx(fund_txid, [0])
        for args in (([],), (["zz"],), ([1],), (["00"],), ([tx, "zz"],), ("x",), (["02000000011111111111111111111"
                     "111111111111111111111111111111111111111111111000000000000000000010100000000000000015100000000"],)):
            self.both("combinerawtransaction", *args)

        self.log.info("signrawtransactionwithkey errors")
        pt = [self.prevtx(fund_txid, 0, kinds[0]), self.prevtx(fund_txid, 6, kinds[6])]
        tx = self.spend_tx(fund_txid, [0, 6])
        t = pt[0]["txid"]
        s = pt[0]["scriptPubKey"]
        for args in (("", wifs), ("zz", wifs), ("00", wifs), (tx, ["nope"]), (tx, [5]), (tx, wifs, [5]),
                     (tx, wifs, [{}]), (tx, wifs, [{"txid": t}]), (tx, wifs, [{"txid": t, "vout": 0}]),
                     (tx, wifs, [{"txid": t, "vout": 0, "scriptPubKey": 5}]),
                     (tx, wifs, [{"txid": t, "vout": "0", "scriptPubKey": s}]),
                     (tx, wifs, [{"txid": t, "vout": -1, "scriptPubKey": s}]),
                     (tx, wifs, [{"txid": "zz", "vout": 0, "scriptPubKey": s}]),
                     (tx, wifs, [{"txid": t, "vout": 0, "scriptPubKey": "zz"}]),
                     (tx, wifs, [dict(pt[0], amount="x")]), (tx, wifs, [dict(pt[0], amount=None)]),
                     (tx, wifs, [dict(pt[0], scriptPubKey="51")]), (tx, wifs, [pt[0], dict(pt[0], vout=7)]),
                     (tx, wifs, [dict(pt[1], redeemScript=None)]), (tx, wifs, [dict(pt[1], redeemScript="51")]),
                     (tx, wifs, [dict(pt[1], witnessScript="51")]), (tx, wifs, pt, "FOO"), (tx, wifs, pt, 5),
                     (tx, "x"), (tx, wifs, [dict(pt[0], amount=None)]),
                     (self.spend_tx(fund_txid, [4]), wifs, [self.prevtx(fund_txid, 4, kinds[4], amount=None)]),
                     (self.spend_tx("11" * 32, [0]), wifs)):
            self.both("signrawtransactionwithkey", *args)
        self.both("signrawtransactionwithkey", tx, help_error=True)

        self.log.info("The new blocks: statistics and proofs")
        spend = self.both("signrawtransactionwithkey", self.spend_tx(fund_txid, [0, 4, 5, 6, 7, 8]), wifs,
                          [self.prevtx(fund_txid, j, kinds[j]) for j in (0, 4, 5, 6, 7, 8)])
        assert_equal(spend["complete"], True)
        spend_txid = self.core.sendrawtransaction(spend["hex"])
        self.sync_mempools()
        self.both("gettxspendingprevout", [{"txid": fund_txid, "vout": j} for j in range(10)])
        self.br.generatetoaddress(1, addr)
        self.sync_blocks()
        tip = self.core.getblockcount()
        self.check_blockstats(range(1101, tip + 1))
        # A competing block both store but neither connects: no undo data.
        stale = create_block(self.core.getblockhash(tip - 1), create_coinbase(tip, script_pubkey=b"\x51"),
                             self.core.getblockheader(self.core.getbestblockhash())["time"] + 1)
        solve(stale)
        self.both("submitblock", stale.serialize().hex())
        self.both("getblockstats", stale.hash_hex)
        self.both("gettxoutproof", [stale.vtx[0].txid_hex], stale.hash_hex)
        # A block known by its header only.
        ahead = create_block(self.core.getbestblockhash(), create_coinbase(tip + 1, script_pubkey=b"\x52"),
                             self.core.getblockheader(self.core.getbestblockhash())["time"] + 5)
        solve(ahead)
        self.both("submitheader", ahead.serialize().hex()[:160])
        self.both("getblockstats", ahead.hash_hex)
        self.both("gettxoutproof", [ahead.vtx[0].txid_hex], ahead.hash_hex)
        self.check_proofs(range(tip - 3, tip + 1))
        for txids in ([spend_txid], [fund_txid], [spend_txid, fund_txid]):
            proof = self.both("gettxoutproof", txids)
            self.both("verifytxoutproof", proof)


def base64_with_header(sig_b64, header):
    import base64
    raw = base64.b64decode(sig_b64)
    return base64.b64encode(bytes([header]) + raw[1:]).decode()


if __name__ == "__main__":
    InteropRpcMoreTest(__file__).main()
