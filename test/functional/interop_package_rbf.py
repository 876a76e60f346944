#!/usr/bin/env python3
"""Package RBF and package limits: Bitcoin Core 28.1 and bitrootd.

Nodes: core0; br1 (bitrootd's own policy) connects out to core0; br2 runs
-minrelaytxfee=0.00001 -incrementalrelayfee=0.00001 (Core 28's 1000
sat/kvB) so that its answers compare with Core's word for word.

- Comparison (nodes disconnected; every transaction sent to core0 and br2
  alike): the same submitpackage calls give equal answers (package_msg,
  tx-results, replaced-transactions): a 1p1c package replacing a 1p1c
  package (both replaced, the list in Core's order); the fee-rate diagram
  not improved; rules 3/4 on the package totals ("insufficient anti-DoS
  fees"); a parent paying for its child; more than 100 evictions; the
  conflicts' clusters too big (a chain of three, each member in turn; a
  parent with two children); three transactions; a member with an in-pool
  ancestor; members spending what the package would evict (a child also
  spending the replaced child; a parent replacing the other parent's pool
  parent); a TRUC 1p1c replacing a TRUC 1p1c; a package over the
  ancestor limit only as a whole ("package-mempool-limits"), by
  submitpackage and by testmempoolaccept; under -limitancestorcount=2
  -limitancestorsize=1 and -limitdescendantcount=2
  -limitdescendantsize=1 (both nodes restarted with them), the package's
  own count and size against each limit.
- Relay (reconnected): a 1p1c package that can replace the pools' pair
  only as a package, submitted to bitrootd, replaces the pair in Core's
  mempool too (Core takes it from its orphanage as a package); and the
  reverse, submitted to Core, replaces it in bitrootd's.
"""

from test_framework.authproxy import JSONRPCException
from test_framework.package_cases import chain_end_package, parent_replacing_other_parents_parent
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

IMPLS = ["core", "bitrootd", "bitrootd"]
CORE28_FEES = ["-minrelaytxfee=0.00001", "-incrementalrelayfee=0.00001"]
DEFAULT_FEE = 10000  # sat: Core's test DEFAULT_FEE, 0.0001 BTC
MAX_BIP125_RBF_SEQUENCE = 0xfffffffd


def answer(node, *args, **kw):
    try:
        return node.submitpackage(*args, **kw)
    except JSONRPCException as e:
        return ("error", e.error["code"], e.error["message"])


class InteropPackageRBFTest(BitrootTestFramework):
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
        self.ctr = 0
        core0 = self.nodes[0]
        self.wallet = MiniWallet(core0)
        self.wallet.generate(170, sync_fun=lambda: self.sync_blocks(timeout=120))
        self.disconnect_nodes(1, 0)
        self.disconnect_nodes(2, 0)
        self.compare()
        self.compare_small_limits()
        self.log.info("confirming the compared transactions, reconnecting")
        self.generate(core0, 1, sync_fun=self.no_op)
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 0)
        self.sync_blocks(timeout=120)
        for node in self.nodes:
            self.wait_until(lambda: node.getrawmempool() == [], timeout=60)
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()), timeout=90)
        self.wallet.rescan_utxos()
        self.relay(self.nodes[1], "bitrootd", [core0, self.nodes[2]])
        self.relay(core0, "Core", [self.nodes[1], self.nodes[2]])

    # --- helpers ----------------------------------------------------------------

    def pair_nodes(self):
        return (self.nodes[0], self.nodes[2])

    def send(self, *txs):
        for tx in txs:
            for node in self.pair_nodes():
                node.sendrawtransaction(tx["hex"])
            self.wallet.scan_tx(tx["hex"])

    def same(self, what, hexes):
        core0, br2 = self.pair_nodes()
        a = answer(core0, hexes)
        b = answer(br2, hexes)
        self.log.info("compare: %s -> %s", what, a[0:3] if isinstance(a, tuple) else a["package_msg"])
        assert_equal(b, a)
        assert_equal(sorted(br2.getrawmempool()), sorted(core0.getrawmempool()))
        return a

    def seq(self):
        self.ctr += 1
        return MAX_BIP125_RBF_SEQUENCE - self.ctr

    def simple(self, coin, parent_fee=DEFAULT_FEE, child_fee=DEFAULT_FEE, heavy_child=False, version=2):
        return self.wallet.create_simple_package(coin, parent_fee=parent_fee, child_fee=child_fee,
                                                 sequence=self.seq(), heavy_child=heavy_child, version=version)

    def in_pools(self, txs, present=True):
        for node in self.pair_nodes():
            pool = node.getrawmempool()
            for tx in txs:
                assert_equal(tx["txid"] in pool, present)

    # --- comparison ---------------------------------------------------------------

    def compare(self):
        w = self.wallet
        self.coins = w.get_utxos(mark_as_spent=True, confirmed_only=True)
        self.log.info("%d coins", len(self.coins))
        delta = DEFAULT_FEE // 2

        coin = self.coins.pop()
        h1, t1 = self.simple(coin)
        h2, t2 = self.simple(coin, child_fee=DEFAULT_FEE * 5)
        assert_equal(self.same("first pair", h1)["package_msg"], "success")
        res = self.same("a child paying to replace its parent's conflict and its child", h2)
        assert_equal(res["package_msg"], "success")
        assert_equal(sorted(res["replaced-transactions"]), sorted(t["txid"] for t in t1))
        self.in_pools(t2)
        self.in_pools(t1, False)

        coin = self.coins.pop()
        h1, t1 = self.simple(coin, DEFAULT_FEE - delta, DEFAULT_FEE + delta, heavy_child=True)
        self.same("a pair with a heavy child", h1)
        h2, t2 = self.simple(coin, DEFAULT_FEE - delta, DEFAULT_FEE + delta - 1)
        res = self.same("a higher rate but less fee", h2)
        assert "package RBF failed" in res["package_msg"]
        h3, t3 = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE * 3)
        assert_equal(self.same("a higher rate and more fee", h3)["package_msg"], "success")

        coin = self.coins.pop()
        h1, t1 = self.simple(coin, DEFAULT_FEE + delta, DEFAULT_FEE - delta)
        self.same("a parent paying more than its child", h1)
        h2, t2 = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE + delta)
        res = self.same("more fee at a rate under the old parent's: the diagram is not better", h2)
        assert "does not improve feerate diagram" in res["package_msg"]

        coin = self.coins.pop()
        h4, t4 = self.simple(coin)
        self.same("a pair", h4)
        h5, t5 = self.simple(coin, DEFAULT_FEE - delta, DEFAULT_FEE + delta + 1)
        res = self.same("one sat more: not paying for its relay", h5)
        assert "insufficient anti-DoS fees" in res["package_msg"]

        coin = self.coins.pop()
        h5, t5 = self.simple(coin)
        self.same("a pair", h5)
        h6, t6 = self.simple(coin, DEFAULT_FEE + delta, DEFAULT_FEE - delta // 2)
        res = self.same("the parent paying for its child", h6)
        assert "package RBF failed" in res["package_msg"]

        self.log.info("more than 100 evictions")
        roots = [self.coins.pop() for _ in range(5)]
        for c in roots:
            chain = w.create_self_transfer_chain(chain_length=25, utxo_to_spend=c)
            self.send(*chain)
        parent = w.create_self_transfer_multi(utxos_to_spend=roots)
        child = w.create_self_transfer(fee_rate=50 * DEFAULT_FEE, utxo_to_spend=parent["new_utxos"][0])
        res = self.same("125 conflicts, the parent's rate above theirs", [parent["hex"], child["hex"]])
        assert_equal(res["package_msg"], "transaction failed")
        parent = w.create_self_transfer_multi(utxos_to_spend=roots, fee_per_output=500, sequence=self.seq())
        child = w.create_self_transfer(fee_rate=50 * DEFAULT_FEE, utxo_to_spend=parent["new_utxos"][0])
        res = self.same("125 conflicts, the parent's rate under theirs", [parent["hex"], child["hex"]])
        assert "too many potential replacements" in res["package_msg"]

        self.log.info("conflicts in clusters of more than two")
        c1, c2, c3 = self.coins.pop(), self.coins.pop(), self.coins.pop()
        a = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        b = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[a["new_utxo"], c2],
                                         sequence=self.seq())
        c = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[b["new_utxos"][0], c3],
                                         sequence=self.seq())
        self.send(a, b, c)
        for coin in (c1, c2, c3):
            h, t = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE + 1)
            res = self.same("a chain of three, the child paying one sat more", h)
            assert "package RBF failed" in res["package_msg"]
            h, t = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE * 5)
            res = self.same("a chain of three", h)
            assert "package RBF failed" in res["package_msg"]
        c1, c2, c3 = self.coins.pop(), self.coins.pop(), self.coins.pop()
        p = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, num_outputs=2, utxos_to_spend=[c1],
                                         sequence=self.seq())
        k1 = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[p["new_utxos"][0], c2],
                                          sequence=self.seq())
        k2 = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[p["new_utxos"][1], c3],
                                          sequence=self.seq())
        self.send(p, k1, k2)
        for coin in (c1, c2, c3):
            h, t = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE * 5)
            res = self.same("a parent with two children", h)
            assert "package RBF failed" in res["package_msg"]

        self.log.info("three transactions, and an in-pool ancestor")
        c1, c2 = self.coins.pop(), self.coins.pop()
        h1, t1 = self.simple(c1)
        h2, t2 = self.simple(c2)
        self.same("pair one", h1)
        self.same("pair two", h2)
        p1 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        p2 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c2, sequence=self.seq())
        k = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE * 5,
                                         utxos_to_spend=[p1["new_utxo"], p2["new_utxo"]], sequence=self.seq())
        res = self.same("two parents and a child replacing", [p1["hex"], p2["hex"], k["hex"]])
        assert "package RBF failed" in res["package_msg"]
        c1, c2 = self.coins.pop(), self.coins.pop()
        h1, t1 = self.simple(c1)
        self.same("a pair", h1)
        p1 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        p2 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c2, sequence=self.seq())
        k = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE * 5,
                                         utxos_to_spend=[p1["new_utxo"], p2["new_utxo"]], sequence=self.seq())
        res = self.same("a second parent that gets in alone", [p1["hex"], p2["hex"], k["hex"]])
        assert "package RBF failed" in res["package_msg"]
        w.scan_tx(p2["hex"])

        self.log.info("members spending what the package would evict")
        coin = self.coins.pop()
        old_p = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=coin, sequence=self.seq())
        old_c = w.create_self_transfer_multi(utxos_to_spend=[old_p["new_utxo"]], num_outputs=2,
                                             sequence=self.seq())
        self.send(old_p, old_c)
        new_p = w.create_self_transfer(fee=DEFAULT_FEE // 2, utxo_to_spend=coin, sequence=self.seq())
        new_c = w.create_self_transfer_multi(utxos_to_spend=[new_p["new_utxo"], old_c["new_utxos"][1]],
                                             fee_per_output=DEFAULT_FEE * 5, sequence=self.seq())
        res = self.same("a child also spending the replaced child", [new_p["hex"], new_c["hex"]])
        assert_equal(res["package_msg"], "package-not-child-with-unconfirmed-parents")
        hexes = parent_replacing_other_parents_parent(w, self.send, self.coins.pop(), self.coins.pop(),
                                                      self.seq, DEFAULT_FEE)
        res = self.same("a parent replacing the other parent's pool parent", hexes)
        assert "package RBF failed" in res["package_msg"]

        self.log.info("TRUC")
        coin = self.coins.pop()
        h1, t1 = self.simple(coin, 0, DEFAULT_FEE, version=3)
        assert_equal(self.same("a TRUC pair", h1)["package_msg"], "success")
        h2, t2 = self.simple(coin, 0, DEFAULT_FEE * 3, version=3)
        res = self.same("a TRUC pair replacing a TRUC pair", h2)
        assert_equal(res["package_msg"], "success")
        assert_equal(sorted(res["replaced-transactions"]), sorted(t["txid"] for t in t1))

        self.log.info("package limits as a whole")
        chain, parent, child = chain_end_package(w, self.send, self.coins.pop(), self.coins.pop(), self.seq())
        res = self.same("a parent at the end of a chain of 24 with a child", [parent["hex"], child["hex"]])
        assert res["package_msg"].startswith("package-mempool-limits")
        parent = w.create_self_transfer(utxo_to_spend=chain[-1]["new_utxo"], sequence=self.seq())
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"])
        core0, br2 = self.pair_nodes()
        a = core0.testmempoolaccept([parent["hex"], child["hex"]])
        self.log.info("compare: testmempoolaccept of the same -> %s", a)
        assert_equal(br2.testmempoolaccept([parent["hex"], child["hex"]]), a)
        assert a[0]["package-error"].startswith("package-mempool-limits, possibly")
        parent = w.create_self_transfer(sequence=self.seq())
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee=0)
        a = core0.testmempoolaccept([parent["hex"], child["hex"]])
        self.log.info("compare: testmempoolaccept, a child failing its cheap checks -> %s", a)
        b = br2.testmempoolaccept([parent["hex"], child["hex"]])
        for row in b:
            row.pop("reject-details", None)  # Core 29's field, kept on purpose (doc/rpc.md)
        assert_equal(b, a)

    def blocked_parent(self, num_outputs=1):
        """A parent that cannot get in alone: it conflicts with a pool transaction of a higher rate."""
        coin = self.coins.pop()
        self.send(self.wallet.create_self_transfer(fee_rate=50000, utxo_to_spend=coin, sequence=self.seq()))
        return self.wallet.create_self_transfer_multi(utxos_to_spend=[coin], num_outputs=num_outputs,
                                                      fee_per_output=1000, sequence=self.seq())

    def two_parents_child(self):
        p1, p2 = self.blocked_parent(), self.blocked_parent()
        child = self.wallet.create_self_transfer_multi(utxos_to_spend=[p1["new_utxos"][0], p2["new_utxos"][0]],
                                                       fee_per_output=DEFAULT_FEE * 5)
        return [p1["hex"], p2["hex"], child["hex"]]

    def compare_small_limits(self):
        self.log.info("package limits as a whole, under small -limit* options")
        w = self.wallet
        for i, args in ((0, []), (2, CORE28_FEES)):
            self.restart_node(i, extra_args=args + ["-limitancestorcount=2", "-limitancestorsize=1"])
        res = self.same("three transactions, the ancestor count limit 2", self.two_parents_child())
        assert res["package_msg"].startswith("package-mempool-limits, package count 3")
        p1 = self.blocked_parent(num_outputs=14)
        child = w.create_self_transfer_multi(utxos_to_spend=[p1["new_utxos"][0]], num_outputs=10,
                                             fee_per_output=DEFAULT_FEE)
        res = self.same("over 1000 vB, the ancestor size limit 1000", [p1["hex"], child["hex"]])
        assert res["package_msg"].startswith("package-mempool-limits, package size")
        for i, args in ((0, []), (2, CORE28_FEES)):
            self.restart_node(i, extra_args=args + ["-limitdescendantcount=2", "-limitdescendantsize=1"])
        res = self.same("three transactions, the descendant count limit 2", self.two_parents_child())
        assert res["package_msg"].startswith("package-mempool-limits, package count 3")
        for i, args in ((0, []), (2, CORE28_FEES)):
            self.restart_node(i, extra_args=args)

    # --- relay ------------------------------------------------------------------

    def relay(self, sender, sname, receivers):
        self.log.info("A package RBF submitted to %s replaces the pair everywhere", sname)
        coin = self.wallet.get_utxo(confirmed_only=True)
        h1, t1 = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE)
        assert_equal(sender.submitpackage(h1)["package_msg"], "success")
        self.wait_until(lambda: all(t["txid"] in n.getrawmempool() for t in t1 for n in receivers), timeout=90)
        # The new parent alone cannot replace the old one (a lower rate).
        h2, t2 = self.simple(coin, DEFAULT_FEE // 2, DEFAULT_FEE * 10)
        for node in self.nodes:
            r = node.testmempoolaccept([h2[0]])[0]
            assert_equal(r["reject-reason"], "insufficient fee")
        res = sender.submitpackage(h2)
        assert_equal(res["package_msg"], "success")
        assert_equal(sorted(res["replaced-transactions"]), sorted(t["txid"] for t in t1))
        self.wait_until(lambda: all(t["txid"] in n.getrawmempool() for t in t2 for n in receivers), timeout=90)
        for node in receivers:
            pool = node.getrawmempool()
            assert all(t["txid"] not in pool for t in t1)
        self.wallet.scan_tx(h2[0])
        self.wallet.scan_tx(h2[1])


if __name__ == "__main__":
    InteropPackageRBFTest(__file__).main()
