#!/usr/bin/env python3
"""MiniWallet (test_framework/wallet.py) against bitrootd, without a mempool.

For each mode (p2tr_op_true, p2wsh_op_true, p2pk):
- generate records the coinbases; they are immature until 100 blocks later
  (get_utxo skips them; by txid they are found), and rescan_utxos finds the
  same outputs through scantxoutset.
- create_self_transfer: decoderawtransaction agrees on txid, vsize, the
  output script and value; the fee is the rate times the vsize, rounded up;
  target_vsize pads to the exact vsize asked for.
- The transfers, a chain of three, a 2-input 3-output transfer and a
  send_to-style payment are put in a block built with blocktools and
  submitted: the block is accepted, so every spend (taproot script path,
  P2WSH, ECDSA P2PK) is valid by consensus, and gettxout shows the new
  outputs. A P2PK spend with a broken signature makes submitblock refuse
  its block.
- sendrawtransaction is exercised once bitrootd has a mempool (the test
  says which it found).
"""

from test_framework.address import ADDRESS_BCRT1_UNSPENDABLE, address_to_scriptpubkey
from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY, create_next_block
from test_framework.messages import COIN, CTransaction
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises
from test_framework.wallet import MODES, MiniWallet, fee_at

# Blocks the test mines pay here, so that no wallet sees their coinbases.
BURN = address_to_scriptpubkey(ADDRESS_BCRT1_UNSPENDABLE)


class WalletSelfTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def submit(self, txs):
        node = self.nodes[0]
        block = create_next_block(node, txs=[t["tx"] if isinstance(t, dict) else t for t in txs],
                                  script_pubkey=BURN)
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash_hex)
        return block

    def check_out(self, txid, n, value, script):
        out = self.nodes[0].gettxout(txid, n)
        assert out is not None, "%s:%d is not in the UTXO set" % (txid, n)
        assert_equal(int(out["value"] * COIN), value)
        assert_equal(out["scriptPubKey"]["hex"], script.hex())

    def run_test(self):
        node = self.nodes[0]
        wallets = {mode: MiniWallet(node, mode=mode) for mode in MODES}
        assert_raises(ValueError, MiniWallet, node, mode="p2sh")

        self.log.info("generate: coinbases are recorded and mature after 100 blocks")
        for mode, w in wallets.items():
            hashes = w.generate(2)
            assert_equal(len(hashes), 2)
            assert_equal(len(w._utxos), 2)
            assert_equal(w.get_balance(), 2 * 50 * COIN)
            assert_raises(StopIteration, w.get_utxo)
            cb = w.get_utxo(txid=w._utxos[0]["txid"], mark_as_spent=False)
            assert cb["coinbase"]
        self.generate(node, COINBASE_MATURITY - 6, address=ADDRESS_BCRT1_UNSPENDABLE)
        # Tip 100: height 1 is mature (spendable in block 101), height 2
        # and the later wallets' coinbases are not yet.
        assert_equal(wallets["p2tr_op_true"].get_utxo(mark_as_spent=False)["height"], 1)
        assert_raises(StopIteration, wallets["p2pk"].get_utxo)
        self.generate(node, 6, address=ADDRESS_BCRT1_UNSPENDABLE)
        for w in wallets.values():
            w.rescan_utxos()
            assert_equal(len(w._utxos), 2)
            assert_equal(w.get_balance(), 2 * 50 * COIN)
            assert_equal(len(w.get_utxos(mark_as_spent=False)), 2)

        for mode, w in wallets.items():
            self.log.info("%s: self transfers checked by decoderawtransaction", mode)
            utxo = w.get_utxo()
            assert_equal(utxo["value"], 50 * COIN)
            t = w.create_self_transfer(utxo_to_spend=utxo)
            dec = node.decoderawtransaction(t["hex"])
            assert_equal(dec["txid"], t["txid"])
            assert_equal(dec["hash"], t["wtxid"])
            assert_equal(dec["vsize"], t["vsize"])
            assert_equal(len(dec["vin"]), 1)
            assert_equal(dec["vin"][0]["txid"], utxo["txid"])
            assert_equal(dec["vout"][0]["scriptPubKey"]["hex"], w.script_pubkey.hex())
            assert_equal(int(dec["vout"][0]["value"] * COIN), utxo["value"] - t["fee"])
            assert_equal(t["fee"], fee_at(3000, t["vsize"]))
            assert_equal(t["new_utxo"]["value"], utxo["value"] - t["fee"])
            if mode == "p2pk":
                assert_equal(dec["vin"][0]["scriptSig"]["hex"], t["tx"].vin[0].script_sig.hex())
                # push, 70 DER bytes, hash type: the size never varies
                assert_equal(len(t["tx"].vin[0].script_sig), 72)
                assert_equal(dec["vout"][0]["scriptPubKey"]["type"], "pubkey")
            else:
                assert_equal(len(dec["vin"][0]["txinwitness"]), 1 if mode == "p2wsh_op_true" else 2)

            # A fixed fee, and a padded transaction of exactly 1000 vbytes.
            fixed = w.create_self_transfer(utxo_to_spend=t["new_utxo"], fee=777, sequence=0xfffffffd)
            assert_equal(fixed["fee"], 777)
            assert_equal(node.decoderawtransaction(fixed["hex"])["vin"][0]["sequence"], 0xfffffffd)
            big = w.create_self_transfer(utxo_to_spend=fixed["new_utxo"], fee_rate=10000, target_vsize=1000)
            assert_equal(node.decoderawtransaction(big["hex"])["vsize"], 1000)
            assert_equal(big["fee"], 10000)
            # Sizes around the CompactSize step of the padding script (its
            # length reaching 253 bytes: 261 vbytes more than t).
            for target in [t["vsize"] + 20] + list(range(t["vsize"] + 258, t["vsize"] + 267)):
                assert_equal(w.create_self_transfer(utxo_to_spend=big["new_utxo"], target_vsize=target)["vsize"],
                             target)
            chain = w.create_self_transfer_chain(chain_length=3, utxo_to_spend=big["new_utxo"])
            for parent, child in zip(chain, chain[1:]):
                assert_equal(child["tx"].vin[0].prevout.n, 0)
                assert_equal(node.decoderawtransaction(child["hex"])["vin"][0]["txid"], parent["txid"])

            self.log.info("%s: the spends are valid by consensus (submitblock, gettxout)", mode)
            self.submit([t, fixed, big] + chain)
            for x in [t, fixed, big] + chain[:2]:
                assert node.gettxout(x["txid"], 0) is None  # spent by the next one
            last = chain[-1]
            self.check_out(last["txid"], 0, last["new_utxo"]["value"], w.script_pubkey)
            assert_equal(len(big["tx"].vout), 2)
            assert_equal(node.gettxout(big["txid"], 1), None)  # OP_RETURN: unspendable

            self.log.info("%s: multi-input, multi-output transfer and a payment", mode)
            w.rescan_utxos()
            assert_equal(len(w._utxos), 2)
            assert_equal(w.get_utxo(txid=last["txid"], mark_as_spent=False)["confirmations"], 1)
            utxos = w.get_utxos()
            assert_equal(len(utxos), 2)
            multi = w.create_self_transfer_multi(utxos_to_spend=utxos, num_outputs=3, fee_per_output=2000,
                                                 sequence=[0xfffffffe, 0xfffffffd])
            total = sum(u["value"] for u in utxos)
            assert_equal(multi["fee"], total - 3 * ((total - 6000) // 3))
            assert_equal(len(multi["new_utxos"]), 3)
            dec = node.decoderawtransaction(multi["hex"])
            assert_equal([i["sequence"] for i in dec["vin"]], [0xfffffffe, 0xfffffffd])
            assert_equal(len(dec["vout"]), 3)
            pay_to = address_to_scriptpubkey(ADDRESS_BCRT1_UNSPENDABLE)
            pay = w.create_to(scriptPubKey=pay_to, amount=12345, fee=1500, utxo_to_spend=multi["new_utxos"][2])
            self.submit([multi, pay])
            for u in multi["new_utxos"][:2]:
                self.check_out(u["txid"], u["vout"], u["value"], w.script_pubkey)
            self.check_out(pay.txid_hex, 1, 12345, pay_to)
            self.check_out(pay.txid_hex, 0, multi["new_utxos"][2]["value"] - 12345 - 1500, w.script_pubkey)
            w.rescan_utxos()
            assert_equal(len(w._utxos), 3)
            assert_equal(w.get_balance(), total - multi["fee"] - 12345 - 1500)

        self.log.info("p2pk: a broken signature makes the block invalid")
        w = wallets["p2pk"]
        bad = w.create_self_transfer()["tx"]
        sig = bytearray(bad.vin[0].script_sig)
        sig[10] ^= 1
        bad.vin[0].script_sig = bytes(sig)
        tip = node.getbestblockhash()
        block = create_next_block(node, txs=[bad], script_pubkey=BURN)
        assert_in("script-verify-flag-failed", node.submitblock(block.serialize().hex()) or "")
        assert_equal(node.getbestblockhash(), tip)

        self.log.info("p2tr: a wrong control block makes the block invalid")
        w = wallets["p2tr_op_true"]
        bad = w.create_self_transfer()["tx"]
        bad.witness[0][1] = bytes([bad.witness[0][1][0] ^ 1]) + bad.witness[0][1][1:]
        block = create_next_block(node, txs=[bad], script_pubkey=BURN)
        assert_in("script-verify-flag-failed", node.submitblock(block.serialize().hex()) or "")
        assert_equal(node.getbestblockhash(), tip)

        self.log.info("sendrawtransaction through the wallet")
        w = wallets["p2wsh_op_true"]
        w.rescan_utxos()
        t = w.create_self_transfer()
        try:
            txid = w.sendrawtransaction(from_node=node, tx_hex=t["hex"])
        except JSONRPCException as e:
            # Until the mempool lands the method is there but refuses.
            self.log.info("sendrawtransaction not available yet: %s", e)
            assert t["txid"] not in [u["txid"] for u in w._utxos]
        else:
            assert_equal(txid, t["txid"])
            assert_equal(w.get_utxo(txid=txid, mark_as_spent=False)["confirmations"], 0)
            self.generate(node, 1, address=ADDRESS_BCRT1_UNSPENDABLE)
            assert node.gettxout(txid, 0) is not None
        # scan_tx on its own: the spent utxo goes, the new output comes.
        w.rescan_utxos()
        before = len(w._utxos)
        t = w.create_self_transfer()
        w.scan_tx(CTransaction.from_hex(t["hex"]))
        assert_equal(len(w._utxos), before)
        assert_equal(w.get_utxo(txid=t["txid"])["value"], t["new_utxo"]["value"])


if __name__ == "__main__":
    WalletSelfTest(__file__).main()
