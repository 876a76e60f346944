#!/usr/bin/env python3
"""submitpackage and 1p1c package relay between Bitcoin Core 28.1 and bitrootd.

Nodes: core0; br1 (bitrootd's own policy: Core 30's minimum relay fee of
100 sat/kvB) connects out to core0; br2 runs -minrelaytxfee=0.00001
-incrementalrelayfee=0.00001 (Core 28's 1000 sat/kvB) so that its answers
can be compared with Core's word for word, fee figures included.

- Comparison (every node disconnected): the same packages and the same bad
  calls to core0 and br2; the answers (package_msg, every tx-results row
  with txid / other-wtxid / vsize / fees{base, effective-feerate,
  effective-includes} / error, replaced-transactions) or errors (code and
  message) are equal: two transactions paying their own way; the same
  again (already in the pool); a TRUC parent paying nothing with a child
  paying for both (package fee rate); a non-TRUC parent paying nothing;
  a package fee rate under the minimum; maxfeerate exceeded; a parent
  replacing a pool transaction (replaced-transactions); a parent in
  the pool left out of the package; conflict-in-package; one transaction
  (refused); array size, decoding, topology and maxburnamount errors.
- Relay (reconnected): a TRUC parent paying nothing (under both nodes'
  minimum relay fee) with a child paying for both, submitted with
  submitpackage to bitrootd, reaches Core's mempool: Core gets the child,
  keeps it as an orphan, fetches the parent from bitrootd, refuses it
  alone for its fee and takes the pair from its orphanage as a package.
  The reverse, submitted to Core, reaches bitrootd's mempools the same
  way (bitrootd's log shows the pair tried as a package).
"""

from decimal import Decimal

from test_framework.authproxy import JSONRPCException
from test_framework.script import OP_RETURN, CScript
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

IMPLS = ["core", "bitrootd", "bitrootd"]
CORE28_FEES = ["-minrelaytxfee=0.00001", "-incrementalrelayfee=0.00001"]


def answer(node, *args, **kw):
    """submitpackage's answer, or its error as ("error", code, message)."""
    try:
        return node.submitpackage(*args, **kw)
    except JSONRPCException as e:
        return ("error", e.error["code"], e.error["message"])


class InteropPackageRelayTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.extra_args = [[], [], CORE28_FEES]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 0)

    def run_test(self):
        core0, br1, br2 = self.nodes
        self.wallet = MiniWallet(core0)
        self.wallet.generate(120, sync_fun=lambda: self.sync_blocks(timeout=120))
        self.disconnect_nodes(1, 0)
        self.disconnect_nodes(2, 0)
        self.compare()
        self.log.info("confirming the compared packages, reconnecting")
        self.generate(core0, 1, sync_fun=self.no_op)
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 0)
        self.sync_blocks(timeout=120)
        for node in self.nodes:
            self.wait_until(lambda: node.getrawmempool() == [], timeout=60)
            # Out of initial download every node sends its real feefilter.
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()), timeout=90)
        self.wallet.rescan_utxos()
        self.relay(br1, [core0, br2], "bitrootd", "Core")
        self.relay(core0, [br1, br2], "Core", "bitrootd")

    # --- comparison ----------------------------------------------------------

    def same(self, what, *args, **kw):
        core0, br1, br2 = self.nodes
        a = answer(core0, *args, **kw)
        b = answer(br2, *args, **kw)
        self.log.info("compare: %s -> %s", what,
                      a[0:3] if isinstance(a, tuple) else a["package_msg"])
        assert_equal(b, a)
        return a

    def accepted(self, *txs):
        for tx in txs:
            self.wallet.scan_tx(tx["hex"])

    def compare(self):
        w = self.wallet
        self.log.info("The same calls to Core and bitrootd (Core 28's fee options) answer the same")
        parent = w.create_self_transfer(fee_rate=5000)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=7000)
        res = self.same("two paying their own way", [parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        self.same("the same again (in the pool)", [parent["hex"], child["hex"]])
        self.accepted(parent, child)

        parent = w.create_self_transfer(fee=0, version=3)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000, version=3)
        res = self.same("TRUC parent paying nothing, child paying for both", [parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        assert_equal(len(res["tx-results"][parent["wtxid"]]["fees"]["effective-includes"]), 2)
        self.accepted(parent, child)

        parent = w.create_self_transfer(fee=0)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000)
        res = self.same("non-TRUC parent paying nothing", [parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")

        parent = w.create_self_transfer(fee=0, version=3)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee=100, version=3)
        self.same("package fee rate under the minimum", [parent["hex"], child["hex"]])

        parent = w.create_self_transfer(fee_rate=5000)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=50000)
        self.same("maxfeerate exceeded by the child", [parent["hex"], child["hex"]], maxfeerate=Decimal("0.0002"))
        self.accepted(parent)

        utxo = w.get_utxo()
        old = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=5000)
        for node in (self.nodes[0], self.nodes[2]):
            node.sendrawtransaction(old["hex"])
        parent = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=30000)
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=5000)
        res = self.same("a parent replacing a pool transaction on its own", [parent["hex"], child["hex"]])
        assert_equal(res["replaced-transactions"], [old["txid"]])
        self.accepted(parent, child)

        inpool = w.create_self_transfer(fee_rate=5000)
        self.same("one transaction (Core 28 wants two)", [inpool["hex"]])
        w.sendrawtransaction(from_node=self.nodes[0], tx_hex=inpool["hex"])
        self.nodes[2].sendrawtransaction(inpool["hex"])
        parent = w.create_self_transfer(fee_rate=5000)
        child = w.create_self_transfer_multi(utxos_to_spend=[parent["new_utxo"], inpool["new_utxo"]])
        self.same("a parent in the pool left out", [parent["hex"], child["hex"]])

        utxo = w.get_utxo()
        a = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=5000)
        b = w.create_self_transfer(utxo_to_spend=utxo, fee_rate=6000)
        child = w.create_self_transfer_multi(utxos_to_spend=[a["new_utxo"], b["new_utxo"]])
        self.same("conflict-in-package", [a["hex"], b["hex"], child["hex"]])

        self.same("empty array", [])
        self.same("26 transactions", [a["hex"]] * 26)
        self.same("bad hex", [a["hex"], "0102"])
        self.same("maxfeerate 1 BTC/kvB", [a["hex"], child["hex"]], 1)
        self.same("unrelated transactions", [a["hex"], inpool["hex"]])
        self.same("child first", [child["hex"], a["hex"]])
        burn = w.create_to(scriptPubKey=CScript([OP_RETURN, b"burn"]), amount=10000,
                           utxo_to_spend=w.get_utxo(mark_as_spent=False))
        burn_child = w.create_self_transfer(utxo_to_spend={"txid": burn.txid_hex, "vout": 0,
                                                            "value": burn.vout[0].value})
        self.same("burn over maxburnamount", [burn.serialize().hex(), burn_child["hex"]])
        w.rescan_utxos(include_mempool=True)

    # --- relay ------------------------------------------------------------------

    def relay(self, sender, receivers, sname, rname):
        self.log.info("A TRUC parent paying nothing with a child paying for both, submitted to %s, "
                      "reaches %s as a 1p1c package", sname, rname)
        parent = self.wallet.create_self_transfer(fee=0, version=3)
        child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000, version=3)
        for node in self.nodes:
            # Under every node's minimum: none would take the parent alone.
            assert_equal(node.testmempoolaccept([parent["hex"]])[0]["reject-reason"], "min relay fee not met")
        res = sender.submitpackage([parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "success")
        self.accepted(parent, child)
        self.wait_until(lambda: all(parent["txid"] in n.getrawmempool() and child["txid"] in n.getrawmempool()
                                    for n in receivers), timeout=90)
        for node in receivers:
            assert_equal(node.getmempoolentry(child["txid"])["depends"], [parent["txid"]])
            log = node.read_debug_log()
            # The parent was never announced (under the feefilter): fetched as the orphan's parent.
            assert "got inv: wtx %s" % parent["wtxid"] not in log
            if not node.is_core:
                assert "trying package of parent %s" % parent["wtxid"] in log


if __name__ == "__main__":
    InteropPackageRelayTest(__file__).main()
