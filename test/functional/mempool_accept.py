#!/usr/bin/env python3
"""Mempool acceptance through sendrawtransaction and testmempoolaccept.

Every refusal class is answered with Bitcoin Core 30's error code and
message (sendrawtransaction) or reject-reason / reject-details
(testmempoolaccept):

- decoding: -22, with Core's two wordings;
- coinbase, non-standard output, dust, tx-size-small, non-final,
  non-BIP68-final (also for versions 0xffffffff and 0x80000000, which BIP68
  reads unsigned), immature coinbase spend, min relay fee, too-long chain
  (the 26th), script failures told apart as consensus
  ("mandatory-script-verify-flag-failed (...)") or policy
  ("mempool-script-verify-flag-failed (...)"): -26 "reason[, debug]";
- missing inputs: -25 "bad-txns-inputs-missingorspent" (testmempoolaccept
  says "missing-inputs"); outputs already in the UTXO set: -27;
- a duplicate answers the txid again; a double spend paying too little is
  refused as a replacement, one paying enough replaces the first;
- maxfeerate (-25, "max-fee-exceeded", 1 BTC/kvB refused with -8) and
  maxburnamount (-25);
- testmempoolaccept: single and package results key by key (allowed, vsize,
  fees), package-not-sorted, conflict-in-package, 26 transactions (-8), and
  the mempool (contents and sequence) unchanged by any of it.
"""

from decimal import Decimal

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY, create_coinbase
from test_framework.messages import COIN, COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash
from test_framework.script import OP_PUSHDATA1, OP_RETURN, OP_TRUE, CScript
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet, fee_at

RPC_MISC_ERROR = -1
RPC_INVALID_PARAMETER = -8
RPC_DESERIALIZATION_ERROR = -22
RPC_VERIFY_ERROR = -25
RPC_VERIFY_REJECTED = -26
RPC_VERIFY_ALREADY_IN_CHAIN = -27

MAX_FEE_MSG = "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)"
MAX_BURN_MSG = "Unspendable output exceeds maximum configured by user (maxburnamount)"
DECODE_MSG = "TX decode failed. Make sure the tx has at least one input."
# A P2WPKH output script nobody spends in this test.
P2WPKH = bytes.fromhex("0014") + bytes(20)


def rpc_error(fun, *args, **kw):
    """The error a call raises (it must fail)."""
    try:
        fun(*args, **kw)
    except JSONRPCException as e:
        return e.error
    raise AssertionError("the call did not fail")


def assert_rpc(code, message, fun, *args, **kw):
    """The call fails with exactly this code and message."""
    err = rpc_error(fun, *args, **kw)
    assert_equal((err["code"], err["message"]), (code, message))


class MempoolAcceptTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def mempool_state(self):
        node = self.nodes[0]
        seq = node.getrawmempool(False, True)
        return sorted(seq["txids"]), seq["mempool_sequence"], node.getmempoolinfo()["size"]

    def check_refused(self, tx_hex, reason, details, *, code=RPC_VERIFY_REJECTED, message=None, **kw):
        """sendrawtransaction refuses with code/message; testmempoolaccept agrees."""
        node = self.nodes[0]
        before = self.mempool_state()
        res = node.testmempoolaccept([tx_hex], **kw)
        assert_equal(len(res), 1)
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], reason)
        if details is None:
            assert "reject-details" not in res[0], res[0]
        else:
            assert_equal(res[0]["reject-details"], details)
        assert_rpc(code, message if message is not None else details, node.sendrawtransaction, tx_hex, **kw)
        assert_equal(self.mempool_state(), before)

    def run_test(self):
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(COINBASE_MATURITY + 40)
        self.check_decode()
        self.check_standardness()
        self.check_inputs()
        self.check_fees()
        self.check_replacement()
        self.check_chain_limit()
        self.check_scripts()
        self.check_testmempoolaccept()
        self.check_bip68_version_unsigned()

    def check_decode(self):
        node = self.nodes[0]
        self.log.info("decoding errors")
        assert_rpc(RPC_DESERIALIZATION_ERROR, DECODE_MSG, node.sendrawtransaction, "00")
        assert_rpc(RPC_DESERIALIZATION_ERROR, DECODE_MSG, node.sendrawtransaction, "zz")
        good = self.wallet.create_self_transfer(utxo_to_spend=self.wallet.get_utxo(mark_as_spent=False))["hex"]
        assert_rpc(RPC_DESERIALIZATION_ERROR, DECODE_MSG, node.sendrawtransaction, good + "00")
        assert_rpc(RPC_DESERIALIZATION_ERROR, "TX decode failed: 0102 Make sure the tx has at least one input.",
                   node.testmempoolaccept, [good, "0102"])
        assert_rpc(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.",
                   node.testmempoolaccept, [])

    def check_standardness(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("coinbase")
        cb = create_coinbase(node.getblockcount() + 1)
        self.check_refused(cb.serialize().hex(), "coinbase", "coinbase")
        # A coinbase of the chain: its outputs are in the UTXO set (Core
        # checks that before anything else).
        block = node.getblock(node.getbestblockhash(), 2)
        assert_rpc(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction outputs already in utxo set",
                   node.sendrawtransaction, block["tx"][0]["hex"])

        self.log.info("non-standard output script")
        tx = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False))["tx"]
        tx.vout[0].script_pubkey = bytes(CScript([OP_TRUE]))
        w.sign_tx(tx)
        self.check_refused(tx.serialize().hex(), "scriptpubkey", "scriptpubkey")

        self.log.info("dust: two outputs under the threshold")
        tx = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False))["tx"]
        tx.vout[0].value -= 2000
        tx.vout += [CTxOut(1, P2WPKH), CTxOut(1, P2WPKH)]
        w.sign_tx(tx)
        self.check_refused(tx.serialize().hex(), "dust", "dust")

        self.log.info("tx-size-small: under 65 bytes without witness")
        utxo = w.get_utxo(mark_as_spent=False)
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(hex_to_hash(utxo["txid"]), utxo["vout"]), b"", 0xffffffff)]
        tx.vout = [CTxOut(0, bytes(CScript([OP_RETURN])))]
        w.sign_tx(tx)
        assert len(tx.serialize_without_witness()) < 65
        self.check_refused(tx.serialize().hex(), "tx-size-small", "tx-size-small", maxfeerate=0)

        self.log.info("non-final: locktime above the next block")
        height = node.getblockcount()
        tx = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False), locktime=height + 2,
                                    sequence=0xfffffffe)
        self.check_refused(tx["hex"], "non-final", "non-final")
        # At the next block's height it is final.
        tx = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False), locktime=height,
                                    sequence=0xfffffffe)
        assert_equal(node.testmempoolaccept([tx["hex"]])[0]["allowed"], True)

    def check_inputs(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("immature coinbase spend")
        immature = [u for u in w.get_utxos(include_immature_coinbase=True, mark_as_spent=False)
                    if u["coinbase"] and node.getblockcount() + 1 - u["height"] < COINBASE_MATURITY]
        utxo = max(immature, key=lambda u: u["height"])
        depth = node.getblockcount() + 1 - utxo["height"]
        tx = w.create_self_transfer(utxo_to_spend=utxo)
        self.check_refused(tx["hex"], "bad-txns-premature-spend-of-coinbase",
                           "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth %d" % depth)

        self.log.info("missing inputs: -25 bad-txns-inputs-missingorspent, testmempoolaccept missing-inputs")
        ghost = {"txid": "ab" * 32, "vout": 0, "value": 10 * COIN, "height": 0, "coinbase": False,
                 "confirmations": 0}
        tx = w.create_self_transfer(utxo_to_spend=ghost)
        self.check_refused(tx["hex"], "missing-inputs", None, code=RPC_VERIFY_ERROR,
                           message="bad-txns-inputs-missingorspent")

        self.log.info("duplicate answers the txid; confirmed is -27; spent is missing inputs")
        tx = w.create_self_transfer()
        assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        seq = self.mempool_state()
        assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        assert_equal(self.mempool_state(), seq)
        res = node.testmempoolaccept([tx["hex"]])[0]
        assert_equal((res["allowed"], res["reject-reason"]), (False, "txn-already-in-mempool"))
        self.generate(node, 1)
        assert_equal(node.getrawmempool(), [])
        assert_rpc(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction outputs already in utxo set",
                   node.sendrawtransaction, tx["hex"])
        w.rescan_utxos()
        # Its output spent by a confirmed transaction: the parent is then
        # neither in the pool nor in the UTXO set.
        child = w.send_self_transfer(from_node=node, utxo_to_spend=tx["new_utxo"])
        self.generate(node, 1)
        w.rescan_utxos()
        again = w.create_self_transfer(utxo_to_spend=tx["new_utxo"], fee_rate=5000)
        assert again["txid"] != child["txid"]
        assert_rpc(RPC_VERIFY_ERROR, "bad-txns-inputs-missingorspent", node.sendrawtransaction, again["hex"])

    def check_fees(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("min relay fee not met")
        utxo = w.get_utxo(mark_as_spent=False)
        tx = w.create_self_transfer(utxo_to_spend=utxo, fee=1)
        need = fee_at(100, tx["vsize"])
        self.check_refused(tx["hex"], "min relay fee not met", "min relay fee not met, 1 < %d" % need)
        tx = w.create_self_transfer(utxo_to_spend=utxo, fee=0)
        self.check_refused(tx["hex"], "min relay fee not met", "min relay fee not met, 0 < %d" % need)

        self.log.info("maxfeerate: default 0.10 BTC/kvB, 0 for none, 1 BTC/kvB refused")
        tx = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=20000000)     # 0.2 BTC/kvB
        assert_rpc(RPC_VERIFY_ERROR, MAX_FEE_MSG, node.sendrawtransaction, tx["hex"])
        assert_rpc(RPC_VERIFY_ERROR, MAX_FEE_MSG, node.sendrawtransaction, tx["hex"], "0.19")
        res = node.testmempoolaccept([tx["hex"]])[0]
        assert_equal(res, {"txid": tx["txid"], "wtxid": tx["wtxid"], "allowed": False,
                           "reject-reason": "max-fee-exceeded"})
        assert_rpc(RPC_INVALID_PARAMETER, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                   node.sendrawtransaction, tx["hex"], 1)
        assert_rpc(RPC_INVALID_PARAMETER, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                   node.testmempoolaccept, [tx["hex"]], "1.5")
        assert_equal(node.testmempoolaccept([tx["hex"]], Decimal("0.2"))[0]["allowed"], True)
        assert_equal(node.sendrawtransaction(tx["hex"], 0), tx["txid"])
        w.get_utxo(txid=utxo["txid"], vout=utxo["vout"])
        w.scan_tx(tx["tx"])
        assert_equal(node.getmempoolentry(tx["txid"])["fees"]["base"], Decimal(tx["fee"]) / COIN)

        self.log.info("maxburnamount: unspendable outputs above it are refused")
        utxo = w.get_utxo(mark_as_spent=False)
        tx = w.create_self_transfer(utxo_to_spend=utxo)["tx"]
        tx.vout[0].value -= 5000
        tx.vout.append(CTxOut(5000, bytes(CScript([OP_RETURN, b"burn"]))))
        w.sign_tx(tx)
        assert_rpc(RPC_VERIFY_ERROR, MAX_BURN_MSG, node.sendrawtransaction, tx.serialize().hex())
        assert_rpc(RPC_VERIFY_ERROR, MAX_BURN_MSG, node.sendrawtransaction, tx.serialize().hex(), None,
                   Decimal("0.00004999"))
        # An oversized or unparsable script burns too (no OP_RETURN needed).
        bad = tx.copy()
        bad.vout[1] = CTxOut(5000, bytes([OP_PUSHDATA1, 10]))
        w.sign_tx(bad)
        assert_rpc(RPC_VERIFY_ERROR, MAX_BURN_MSG, node.sendrawtransaction, bad.serialize().hex())
        assert_equal(node.sendrawtransaction(tx.serialize().hex(), None, Decimal("0.00005")), tx.txid_hex)
        w.get_utxo(txid=utxo["txid"], vout=utxo["vout"])
        w.scan_tx(tx)

    def check_replacement(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("double spend: too-low replacement refused, a better one replaces")
        utxo = w.get_utxo()
        first = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=10000)
        assert_equal(node.sendrawtransaction(first["hex"]), first["txid"])
        same = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=10000, locktime=1)
        err = rpc_error(node.sendrawtransaction, same["hex"])
        assert_equal(err["code"], RPC_VERIFY_REJECTED)
        assert err["message"].startswith("insufficient fee, rejecting replacement %s" % same["txid"]), err
        res = node.testmempoolaccept([same["hex"]])[0]
        assert_equal((res["allowed"], res["reject-reason"]), (False, "insufficient fee"))
        assert_equal(node.getrawmempool().count(first["txid"]), 1)
        better = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=30000, locktime=2)
        assert_equal(node.sendrawtransaction(better["hex"]), better["txid"])
        pool = node.getrawmempool()
        assert better["txid"] in pool and first["txid"] not in pool
        w.scan_tx(better["tx"])
        self.generate(node, 1)
        w.rescan_utxos()

    def check_chain_limit(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("a chain of 25 unconfirmed transactions, the 26th refused")
        chain = w.create_self_transfer_chain(chain_length=26)
        for tx in chain[:25]:
            assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        assert_equal(node.getmempoolentry(chain[24]["txid"])["ancestorcount"], 25)
        last = chain[25]["hex"]
        res = node.testmempoolaccept([last])[0]
        assert_equal((res["allowed"], res["reject-reason"]), (False, "too-long-mempool-chain"))
        err = rpc_error(node.sendrawtransaction, last)
        assert_equal(err["code"], RPC_VERIFY_REJECTED)
        assert err["message"].startswith("too-long-mempool-chain, "), err
        assert_equal(err["message"], res["reject-details"])
        self.generate(node, 1)
        w.rescan_utxos()
        assert_equal(node.sendrawtransaction(last), chain[25]["txid"])
        self.generate(node, 1)
        w.rescan_utxos()

    def check_scripts(self):
        node = self.nodes[0]
        self.log.info("script failures: consensus (mandatory) vs policy only")
        pk = MiniWallet(node, mode="p2pk")
        pk.generate(1)
        self.generate(node, COINBASE_MATURITY)
        pk.rescan_utxos()
        tx = pk.create_self_transfer(utxo_to_spend=pk.get_utxo(mark_as_spent=False))["tx"]
        # A broken signature fails under the consensus flags too.
        sig = bytearray(tx.vin[0].script_sig)
        sig[10] ^= 1
        tx.vin[0].script_sig = bytes(sig)
        res = node.testmempoolaccept([tx.serialize().hex()])[0]
        assert_equal(res["allowed"], False)
        assert res["reject-reason"].startswith("mandatory-script-verify-flag-failed ("), res
        assert_rpc(RPC_VERIFY_REJECTED, res["reject-details"], node.sendrawtransaction, tx.serialize().hex())
        # The right signature pushed with OP_PUSHDATA1: only MINIMALDATA
        # (a policy flag) objects.
        good = pk.create_self_transfer(utxo_to_spend=pk.get_utxo(mark_as_spent=False))["tx"]
        s = bytes(good.vin[0].script_sig)
        assert s[0] == len(s) - 1
        good.vin[0].script_sig = bytes([OP_PUSHDATA1]) + s
        res = node.testmempoolaccept([good.serialize().hex()])[0]
        assert_equal(res["allowed"], False)
        assert res["reject-reason"].startswith("mempool-script-verify-flag-failed ("), res
        assert_rpc(RPC_VERIFY_REJECTED, res["reject-details"], node.sendrawtransaction, good.serialize().hex())
        # Witness spends: an extra stack item breaks P2WSH's clean stack (consensus).
        ws = MiniWallet(node, mode="p2wsh_op_true")
        ws.generate(1)
        self.generate(node, COINBASE_MATURITY)
        ws.rescan_utxos()
        tx = ws.create_self_transfer()["tx"]
        tx.witness = [[b"\x01"] + tx.witness[0]]
        res = node.testmempoolaccept([tx.serialize().hex()])[0]
        assert res["reject-reason"].startswith("mandatory-script-verify-flag-failed ("), res
        self.wallet.rescan_utxos()

    def check_testmempoolaccept(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("testmempoolaccept: single transaction")
        before = self.mempool_state()
        tx = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False), fee_rate=2000)
        res = node.testmempoolaccept(rawtxs=[tx["hex"]])
        assert_equal(res, [{"txid": tx["txid"], "wtxid": tx["wtxid"], "allowed": True, "vsize": tx["vsize"],
                            "fees": {"base": Decimal(tx["fee"]) / COIN,
                                     "effective-feerate": Decimal(tx["fee"] * 1000 // tx["vsize"]) / COIN,
                                     "effective-includes": [tx["wtxid"]]}}])
        assert_equal(self.mempool_state(), before)

        self.log.info("testmempoolaccept: package of parent and child")
        spent = w.get_utxo(mark_as_spent=False)
        parent = w.create_self_transfer(utxo_to_spend=spent, fee_rate=3000)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=4000)
        res = node.testmempoolaccept([parent["hex"], child["hex"]])
        assert_equal([r["txid"] for r in res], [parent["txid"], child["txid"]])
        for r, t in zip(res, (parent, child)):
            assert_equal(sorted(r), ["allowed", "fees", "txid", "vsize", "wtxid"])
            assert_equal((r["allowed"], r["vsize"], r["fees"]["base"]), (True, t["vsize"], Decimal(t["fee"]) / COIN))
            assert_equal(r["fees"]["effective-includes"], [t["wtxid"]])
        # The child alone misses its parent.
        assert_equal(node.testmempoolaccept([child["hex"]])[0]["reject-reason"], "missing-inputs")
        assert_equal(self.mempool_state(), before)

        self.log.info("testmempoolaccept: package errors")
        res = node.testmempoolaccept([child["hex"], parent["hex"]])
        assert_equal(res, [{"txid": child["txid"], "wtxid": child["wtxid"], "package-error": "package-not-sorted"},
                           {"txid": parent["txid"], "wtxid": parent["wtxid"],
                            "package-error": "package-not-sorted"}])
        twin = w.create_self_transfer(utxo_to_spend=spent, fee_rate=5000)
        res = node.testmempoolaccept([parent["hex"], twin["hex"]])
        assert_equal([(r["txid"], r.get("package-error")) for r in res],
                     [(parent["txid"], "conflict-in-package"), (twin["txid"], "conflict-in-package")])
        assert all("allowed" not in r for r in res)
        # A failing transaction stops the package: the later ones get ids only.
        bad = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False), fee=0)
        other = w.create_self_transfer(utxo_to_spend=w.get_utxos(mark_as_spent=False)[1])
        res = node.testmempoolaccept([bad["hex"], other["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], "min relay fee not met")
        assert_equal(res[1], {"txid": other["txid"], "wtxid": other["wtxid"]})
        assert_rpc(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.",
                   node.testmempoolaccept, [tx["hex"]] * 26)
        err = rpc_error(node.testmempoolaccept, [1])
        assert_equal(err["code"], RPC_MISC_ERROR)
        assert_equal(self.mempool_state(), before)
        # Nothing was added by any of it.
        assert_equal(node.sendrawtransaction(tx["hex"]), tx["txid"])
        assert_equal(self.mempool_state()[2], before[2] + 1)

    def check_bip68_version_unsigned(self):
        """Issue 14: BIP68 reads nVersion unsigned, so versions negative as
        int32 are large and their relative locks hold: non-BIP68-final."""
        node = self.nodes[0]
        w = self.wallet
        self.log.info("BIP68 for versions 0xffffffff and 0x80000000")
        # Those versions are non-standard ("version" would answer first).
        self.restart_node(0, ["-acceptnonstdtxn=1"])
        lock = node.getblockcount() + 100     # blocks: far from met by the next block
        utxo = w.get_utxo(mark_as_spent=False, confirmed_only=True)
        for version in (-1, -0x80000000):
            tx = w.create_self_transfer(utxo_to_spend=utxo, version=version, sequence=lock)
            self.check_refused(tx["hex"], "non-BIP68-final", "non-BIP68-final")
        # A lock the next block meets, and version 1 (no relative lock).
        for version, sequence in ((-1, 1), (1, lock)):
            tx = w.create_self_transfer(utxo_to_spend=utxo, version=version, sequence=sequence)
            assert_equal(node.testmempoolaccept([tx["hex"]])[0]["allowed"], True)


if __name__ == "__main__":
    MempoolAcceptTest(__file__).main()
