#!/usr/bin/env python3
"""submitpackage: Core 28's package rules and answer shape.

- Shape: "package_msg", "tx-results" keyed by wtxid (txid, vsize,
  fees{base, effective-feerate, effective-includes}), "replaced-transactions".
- A parent the pool refuses alone for its fee (a TRUC parent paying
  nothing) gets in with a child paying for both: both rows show the package
  fee rate and both wtxids in effective-includes. A non-TRUC parent under
  the minimum relay fee does not (Core 28: only TRUC may be below it).
- A package fee rate under the minimum: "transaction failed", the parent's
  own refusal and the package's on the child, nothing added.
- Members already in the pool: vsize and base fee, no effective fee rate;
  a second submission of the same package succeeds without change.
- maxfeerate: a member above it is refused ("max feerate exceeded"), a
  parent that got in alone stays; 1 BTC/kvB is refused (-8).
- package-not-child-with-unconfirmed-parents (a parent in the pool but not
  in the package), conflict-in-package: no rows (Core 28 drops its
  "unevaluated" rows).
- Parameter errors: array size (-8), decoding (-22), topology and
  maxburnamount (-25).
- One transaction is refused (Core 28 wants two to 25).
"""

from decimal import Decimal

from test_framework.blocktools import COINBASE_MATURITY
from test_framework.messages import COIN
from test_framework.script import OP_RETURN, CScript
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_rpc_exact
from test_framework.wallet import MiniWallet, fee_at

RPC_INVALID_PARAMETER = -8
RPC_DESERIALIZATION_ERROR = -22
RPC_VERIFY_ERROR = -25
TOPOLOGY_MSG = "package topology disallowed. not child-with-parents or parents depend on each other."


def btc(sat):
    return Decimal(sat) / COIN


def feerate_btc(fee, vsize):
    """CFeeRate(fee, vsize).GetFeePerK() in BTC, as the RPC writes it."""
    return btc(fee * 1000 // vsize)


class RPCPackagesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(COINBASE_MATURITY + 30)
        self.relay = int(node.getnetworkinfo()["relayfee"] * COIN)   # sat/kvB
        self.check_params()
        self.check_shape()
        self.check_cpfp()
        self.check_non_truc_parent()
        self.check_package_fee_too_low()
        self.check_duplicates()
        self.check_maxfeerate()
        self.check_unconfirmed_parent_outside()
        self.check_conflict_in_package()

    def pair(self, parent_kw, child_kw):
        w = self.wallet
        parent = w.create_self_transfer(**parent_kw)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], **child_kw)
        return parent, child

    def check_params(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("parameter errors")
        assert_rpc_exact(RPC_INVALID_PARAMETER, "Array must contain between 2 and 25 transactions.",
                   node.submitpackage, [])
        assert_rpc_exact(RPC_INVALID_PARAMETER, "Array must contain between 2 and 25 transactions.",
                   node.submitpackage, ["00"] * 26)
        parent, child = self.pair({}, {})
        assert_rpc_exact(RPC_DESERIALIZATION_ERROR, "TX decode failed: 0102 Make sure the tx has at least one input.",
                   node.submitpackage, [parent["hex"], "0102"])
        assert_rpc_exact(RPC_INVALID_PARAMETER, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                   node.submitpackage, [parent["hex"], child["hex"]], 1)
        other = w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False))
        assert_rpc_exact(RPC_VERIFY_ERROR, TOPOLOGY_MSG, node.submitpackage, [parent["hex"], other["hex"]])
        assert_rpc_exact(RPC_VERIFY_ERROR, TOPOLOGY_MSG, node.submitpackage, [child["hex"], parent["hex"]])
        # A parent spending another parent: not a tree.
        p2 = w.create_self_transfer(utxo_to_spend=parent["new_utxo"])
        c2 = w.create_self_transfer_multi(utxos_to_spend=[p2["new_utxo"], w.get_utxo(mark_as_spent=False)])
        assert_rpc_exact(RPC_VERIFY_ERROR, TOPOLOGY_MSG, node.submitpackage, [parent["hex"], p2["hex"], c2["hex"]])
        # A burn above maxburnamount.
        burn = w.create_to(scriptPubKey=CScript([OP_RETURN, b"burn"]), amount=10000,
                           utxo_to_spend=w.get_utxo(mark_as_spent=False))
        child = w.create_self_transfer(utxo_to_spend={"txid": burn.txid_hex, "vout": 0,
                                                      "value": burn.vout[0].value})
        pkg = [burn.serialize().hex(), child["hex"]]
        assert_rpc_exact(RPC_VERIFY_ERROR, "Unspendable output exceeds maximum configured by user (maxburnamount)",
                   node.submitpackage, pkg)
        res = node.submitpackage(pkg, maxburnamount=btc(10000))
        assert_equal(res["package_msg"], "success")
        w.scan_tx(pkg[0])
        w.scan_tx(pkg[1])
        assert_equal(sorted(node.getrawmempool()), sorted([burn.txid_hex, child["txid"]]))
        self.log.info("one transaction is not a package for submitpackage (Core 28)")
        assert_rpc_exact(RPC_INVALID_PARAMETER, "Array must contain between 2 and 25 transactions.",
                   node.submitpackage, [w.create_self_transfer(utxo_to_spend=w.get_utxo(mark_as_spent=False))["hex"]])

    def check_shape(self):
        node = self.nodes[0]
        self.log.info("shape: two transactions each paying for itself")
        parent, child = self.pair({"fee_rate": 5000}, {"fee_rate": 7000})
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(sorted(res.keys()), ["package_msg", "replaced-transactions", "tx-results"])
        assert_equal(res["package_msg"], "success")
        assert_equal(res["replaced-transactions"], [])
        assert_equal(sorted(res["tx-results"].keys()), sorted([parent["wtxid"], child["wtxid"]]))
        for tx in (parent, child):
            row = res["tx-results"][tx["wtxid"]]
            assert_equal(row, {"txid": tx["txid"], "vsize": tx["vsize"],
                               "fees": {"base": btc(tx["fee"]),
                                        "effective-feerate": feerate_btc(tx["fee"], tx["vsize"]),
                                        "effective-includes": [tx["wtxid"]]}})
            self.wallet.scan_tx(tx["hex"])
        assert parent["txid"] in node.getrawmempool() and child["txid"] in node.getrawmempool()

    def check_cpfp(self):
        node = self.nodes[0]
        self.log.info("a TRUC parent paying nothing gets in with a child paying for both")
        parent, child = self.pair({"fee": 0, "version": 3}, {"fee_rate": 20000, "version": 3})
        need = fee_at(self.relay, parent["vsize"])
        assert_rpc_exact(-26, "min relay fee not met, 0 < %d" % need, node.sendrawtransaction, parent["hex"])
        before = node.getrawmempool()
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        rate = feerate_btc(parent["fee"] + child["fee"], parent["vsize"] + child["vsize"])
        for tx in (parent, child):
            row = res["tx-results"][tx["wtxid"]]
            assert_equal(row, {"txid": tx["txid"], "vsize": tx["vsize"],
                               "fees": {"base": btc(tx["fee"]), "effective-feerate": rate,
                                        "effective-includes": [parent["wtxid"], child["wtxid"]]}})
            self.wallet.scan_tx(tx["hex"])
        assert_equal(sorted(node.getrawmempool()), sorted(before + [parent["txid"], child["txid"]]))
        assert_equal(node.getmempoolentry(child["txid"])["depends"], [parent["txid"]])

    def check_non_truc_parent(self):
        node = self.nodes[0]
        self.log.info("a non-TRUC parent under the minimum relay fee stays out (Core 28)")
        parent, child = self.pair({"fee": 0}, {"fee_rate": 20000})
        before = node.getrawmempool()
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        need = fee_at(self.relay, parent["vsize"])
        assert_equal(res["tx-results"][parent["wtxid"]],
                     {"txid": parent["txid"], "error": "min relay fee not met, 0 < %d" % need})
        assert_equal(res["tx-results"][child["wtxid"]],
                     {"txid": child["txid"], "error": "bad-txns-inputs-missingorspent"})
        assert_equal(node.getrawmempool(), before)

    def check_package_fee_too_low(self):
        node = self.nodes[0]
        self.log.info("a package fee rate under the minimum: transaction failed, nothing added")
        parent, child = self.pair({"fee": 0, "version": 3}, {"fee": 1, "version": 3})
        before = node.getrawmempool()
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        vsize = parent["vsize"] + child["vsize"]
        assert_equal(res["tx-results"][parent["wtxid"]],
                     {"txid": parent["txid"],
                      "error": "min relay fee not met, 0 < %d" % fee_at(self.relay, parent["vsize"])})
        assert_equal(res["tx-results"][child["wtxid"]],
                     {"txid": child["txid"], "error": "min relay fee not met, 1 < %d" % fee_at(self.relay, vsize)})
        assert_equal(node.getrawmempool(), before)

    def check_duplicates(self):
        node = self.nodes[0]
        self.log.info("members already in the pool: vsize and base fee only; resubmission succeeds")
        parent, child = self.pair({"fee": 0, "version": 3}, {"fee_rate": 20000, "version": 3})
        assert_equal(node.submitpackage([parent["hex"], child["hex"]])["package_msg"], "success")
        for tx in (parent, child):
            self.wallet.scan_tx(tx["hex"])
        seq = node.getrawmempool(False, True)["mempool_sequence"]
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        for tx in (parent, child):
            assert_equal(res["tx-results"][tx["wtxid"]],
                         {"txid": tx["txid"], "vsize": tx["vsize"], "fees": {"base": btc(tx["fee"])}})
        assert_equal(node.getrawmempool(False, True)["mempool_sequence"], seq)

        self.log.info("a parent already in the pool with a new child")
        parent, child = self.pair({"fee_rate": 5000}, {"fee_rate": 6000})
        self.wallet.sendrawtransaction(from_node=node, tx_hex=parent["hex"])
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        assert_equal(res["tx-results"][parent["wtxid"]],
                     {"txid": parent["txid"], "vsize": parent["vsize"], "fees": {"base": btc(parent["fee"])}})
        assert_equal(res["tx-results"][child["wtxid"]]["fees"]["effective-includes"], [child["wtxid"]])
        self.wallet.scan_tx(child["hex"])

    def check_maxfeerate(self):
        node = self.nodes[0]
        self.log.info("maxfeerate: a member above it is refused; the parent that got in alone stays")
        parent, child = self.pair({"fee_rate": 5000}, {"fee_rate": 50000})
        res = node.submitpackage([parent["hex"], child["hex"]], maxfeerate=Decimal("0.0002"))
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["tx-results"][child["wtxid"]], {"txid": child["txid"], "error": "max feerate exceeded"})
        assert "vsize" in res["tx-results"][parent["wtxid"]]
        assert parent["txid"] in node.getrawmempool()
        assert child["txid"] not in node.getrawmempool()
        self.wallet.scan_tx(parent["hex"])
        self.log.info("... and in a package evaluation, on the member's own fee rate")
        parent, child = self.pair({"fee": 0, "version": 3}, {"fee_rate": 50000, "version": 3})
        before = node.getrawmempool()
        res = node.submitpackage([parent["hex"], child["hex"]], maxfeerate=Decimal("0.0002"))
        assert_equal(res["package_msg"], "transaction failed")
        assert_equal(res["tx-results"][child["wtxid"]], {"txid": child["txid"], "error": "max feerate exceeded"})
        assert_equal(node.getrawmempool(), before)
        # maxfeerate 0: no limit.
        assert_equal(node.submitpackage([parent["hex"], child["hex"]], maxfeerate=0)["package_msg"], "success")
        for tx in (parent, child):
            self.wallet.scan_tx(tx["hex"])

    def check_unconfirmed_parent_outside(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("a parent in the pool left out of the package")
        inpool = w.send_self_transfer(from_node=node, fee_rate=5000)
        parent = w.create_self_transfer(fee_rate=5000)
        child = w.create_self_transfer_multi(utxos_to_spend=[parent["new_utxo"], inpool["new_utxo"]])
        before = node.getrawmempool()
        res = node.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res, {"package_msg": "package-not-child-with-unconfirmed-parents", "tx-results": {},
                           "replaced-transactions": []})
        assert_equal(node.getrawmempool(), before)
        w.rescan_utxos(include_mempool=True)

    def check_conflict_in_package(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("two parents spending one coin: conflict-in-package")
        utxo = w.get_utxo()
        a = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=5000)
        b = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=6000)
        child = w.create_self_transfer_multi(utxos_to_spend=[a["new_utxo"], b["new_utxo"]])
        res = node.submitpackage([a["hex"], b["hex"], child["hex"]])
        assert_equal(res, {"package_msg": "conflict-in-package", "tx-results": {}, "replaced-transactions": []})
        w.rescan_utxos(include_mempool=True)



if __name__ == "__main__":
    RPCPackagesTest(__file__).main()
