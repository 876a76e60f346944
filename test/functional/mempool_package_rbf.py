#!/usr/bin/env python3
"""Package RBF and package limits (Core 28's PackageMempoolChecks).

One node, bitrootd's own policy (Core 30's 100 sat/kvB minimum and
incremental relay fee). Every refusal's package_msg is checked word for
word (interop_package_rbf.py compares them with Core 28.1's).

- A child pays for its new parent to replace the pool's parent and child:
  both replaced (replaced-transactions in Core's order), both rows at the
  package fee rate; the new child depends on the new parent.
- Refusals, each leaving the pool exactly as it was (entries, their
  figures and entry times, the mempool sequence): the diagram not improved;
  rule 3 and rule 4 on the package totals ("insufficient anti-DoS fees",
  told of the child); a package rate not above the parent's; more than 100
  evictions; conflicts in clusters of more than two (a chain of three,
  each member in turn); three transactions; a member with an in-pool
  ancestor; a parent replacing the other parent's pool parent.
- A TRUC pair paying nothing for its parent replaces a TRUC pair.
- Package limits as a whole: a parent at the end of a chain of 24 with its
  child ("possibly too many unconfirmed ancestors", by submitpackage and
  by testmempoolaccept, whose rows then carry only the package-error),
  and a parent whose
  in-pool parent has 23 descendants ("possibly too many descendants for
  tx ...").
"""

from test_framework.package_cases import chain_end_package, parent_replacing_other_parents_parent
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

DEFAULT_FEE = 10000  # sat
MAX_BIP125_RBF_SEQUENCE = 0xfffffffd
INCREMENTAL = 100  # sat/kvB, bitrootd's default


def money(sat):
    """Core's FormatMoney: 8 decimals, trailing zeros cut down to two."""
    s = "%d.%08d" % (sat // 100000000, sat % 100000000)
    while s.endswith("0") and len(s.split(".")[1]) > 2:
        s = s[:-1]
    return s


def feerate(fee, vsize):
    """CFeeRate(fee, vsize).ToString()."""
    k = fee * 1000 // vsize
    return "%d.%08d BTC/kvB" % (k // 100000000, k % 100000000)


def fee_at(rate, vsize):
    return -(-rate * vsize // 1000)


def stored_order(txids):
    """Core's std::set<uint256> order: by the bytes as stored."""
    return sorted(txids, key=lambda h: bytes.fromhex(h)[::-1])


class MempoolPackageRBFTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        self.ctr = 0
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(170)
        self.coins = self.wallet.get_utxos(mark_as_spent=True, confirmed_only=True)
        self.test_basic()
        self.test_diagram()
        self.test_anti_dos()
        self.test_parent_pays()
        self.test_max_conflicts()
        self.test_cluster_size()
        self.test_not_1p1c()
        self.test_truc()
        self.test_limits()

    # --- helpers ----------------------------------------------------------------

    def seq(self):
        self.ctr += 1
        return MAX_BIP125_RBF_SEQUENCE - self.ctr

    def simple(self, coin, parent_fee=DEFAULT_FEE, child_fee=DEFAULT_FEE, heavy_child=False, version=2):
        return self.wallet.create_simple_package(coin, parent_fee=parent_fee, child_fee=child_fee,
                                                 sequence=self.seq(), heavy_child=heavy_child, version=version)

    def send(self, *txs):
        for tx in txs:
            self.nodes[0].sendrawtransaction(tx["hex"])

    def snapshot(self):
        node = self.nodes[0]
        seq = node.getrawmempool(False, True)
        return node.getrawmempool(True), seq["mempool_sequence"], node.getmempoolinfo()

    def refused(self, hexes, msg):
        """submitpackage refuses with package_msg msg and leaves the pool as it was."""
        before = self.snapshot()
        res = self.nodes[0].submitpackage(hexes)
        assert_equal(res["package_msg"], msg)
        assert_equal(res["replaced-transactions"], [])
        assert_equal(self.snapshot(), before)
        return res

    def fresh(self):
        self.generate(self.nodes[0], 1)
        assert_equal(self.nodes[0].getrawmempool(), [])

    # --- cases ------------------------------------------------------------------

    def test_basic(self):
        self.log.info("A child pays to replace its new parent's conflict and that one's child")
        node = self.nodes[0]
        coin = self.coins.pop()
        h1, t1 = self.simple(coin)
        h2, t2 = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE * 5)
        assert_equal(node.submitpackage(h1)["package_msg"], "success")
        # Alone the new parent cannot replace (the same rate as the old one).
        assert_equal(node.testmempoolaccept([h2[0]])[0]["reject-reason"], "insufficient fee")
        res = node.submitpackage(h2)
        assert_equal(res["package_msg"], "success")
        assert_equal(res["replaced-transactions"], stored_order([t["txid"] for t in t1]))
        total_fee = t2[0]["fee"] + t2[1]["fee"]
        total_vsize = t2[0]["vsize"] + t2[1]["vsize"]
        for t in t2:
            row = res["tx-results"][t["wtxid"]]
            assert_equal(row["fees"]["effective-includes"], [t2[0]["wtxid"], t2[1]["wtxid"]])
            assert_equal(int(row["fees"]["effective-feerate"] * 100000000), total_fee * 1000 // total_vsize)
        assert_equal(sorted(node.getrawmempool()), sorted(t["txid"] for t in t2))
        assert_equal(node.getmempoolentry(t2[1]["txid"])["depends"], [t2[0]["txid"]])
        self.fresh()

    def test_diagram(self):
        self.log.info("More fee, but under the old parent's rate at its size: the diagram is not better")
        node = self.nodes[0]
        delta = DEFAULT_FEE // 2
        coin = self.coins.pop()
        h1, t1 = self.simple(coin, DEFAULT_FEE + delta, DEFAULT_FEE - delta)
        node.submitpackage(h1)
        h2, t2 = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE + delta)
        self.refused(h2, "package RBF failed: insufficient feerate: does not improve feerate diagram")
        # A child paying enough to lift the pair above the old parent's rate does.
        h3, t3 = self.simple(coin, DEFAULT_FEE + delta, DEFAULT_FEE * 2)
        assert_equal(node.submitpackage(h3)["package_msg"], "success")
        self.fresh()

    def test_anti_dos(self):
        self.log.info("Rules 3 and 4 on the package's totals")
        node = self.nodes[0]
        delta = DEFAULT_FEE // 2
        coin = self.coins.pop()
        h1, t1 = self.simple(coin)
        node.submitpackage(h1)
        old = t1[0]["fee"] + t1[1]["fee"]
        h2, t2 = self.simple(coin, DEFAULT_FEE - delta, DEFAULT_FEE + delta - 1)
        self.refused(h2, "package RBF failed: insufficient anti-DoS fees, rejecting replacement %s, less fees "
                     "than conflicting txs; %s < %s" % (t2[1]["txid"], money(old - 1), money(old)))
        h3, t3 = self.simple(coin, DEFAULT_FEE - delta, DEFAULT_FEE + delta + 1)
        relay = fee_at(INCREMENTAL, t3[0]["vsize"] + t3[1]["vsize"])
        self.refused(h3, "package RBF failed: insufficient anti-DoS fees, rejecting replacement %s, not enough "
                     "additional fees to relay; %s < %s" % (t3[1]["txid"], money(1), money(relay)))
        self.fresh()

    def test_parent_pays(self):
        self.log.info("A package rate not above its parent's")
        node = self.nodes[0]
        delta = DEFAULT_FEE // 2
        coin = self.coins.pop()
        h1, t1 = self.simple(coin)
        node.submitpackage(h1)
        h2, t2 = self.simple(coin, DEFAULT_FEE + delta, DEFAULT_FEE - delta // 2)
        total = t2[0]["fee"] + t2[1]["fee"]
        size = t2[0]["vsize"] + t2[1]["vsize"]
        self.refused(h2, "package RBF failed: package feerate is less than or equal to parent feerate, package "
                     "feerate %s <= parent feerate is %s" % (feerate(total, size),
                                                             feerate(t2[0]["fee"], t2[0]["vsize"])))
        self.fresh()

    def test_max_conflicts(self):
        self.log.info("More than 100 evictions")
        roots = [self.coins.pop() for _ in range(5)]
        for c in roots:
            self.send(*self.wallet.create_self_transfer_chain(chain_length=25, utxo_to_spend=c))
        parent = self.wallet.create_self_transfer_multi(utxos_to_spend=roots, fee_per_output=500)
        child = self.wallet.create_self_transfer(fee_rate=50 * DEFAULT_FEE, utxo_to_spend=parent["new_utxos"][0])
        self.refused([parent["hex"], child["hex"]],
                     "package RBF failed: too many potential replacements, rejecting replacement %s; too many "
                     "potential replacements (125 > 100)\n" % child["txid"])
        self.fresh()

    def test_cluster_size(self):
        self.log.info("Conflicts in clusters of more than two")
        w = self.wallet
        c1, c2, c3 = self.coins.pop(), self.coins.pop(), self.coins.pop()
        a = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        b = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[a["new_utxo"], c2],
                                         sequence=self.seq())
        c = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE, utxos_to_spend=[b["new_utxos"][0], c3],
                                         sequence=self.seq())
        self.send(a, b, c)
        want = {
            0: "%s has 2 descendants, max 1 allowed" % a["txid"],
            1: "%s has both ancestor and descendant, exceeding cluster limit of 2" % b["txid"],
            2: "%s has 2 ancestors, max 1 allowed" % c["txid"],
        }
        for i, coin in enumerate((c1, c2, c3)):
            h, t = self.simple(coin, DEFAULT_FEE, DEFAULT_FEE * 5)
            self.refused(h, "package RBF failed: " + want[i])
        self.fresh()

    def test_not_1p1c(self):
        self.log.info("Three transactions; a member with an in-pool ancestor")
        node = self.nodes[0]
        w = self.wallet
        c1, c2 = self.coins.pop(), self.coins.pop()
        for coin in (c1, c2):
            node.submitpackage(self.simple(coin)[0])
        p1 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        p2 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c2, sequence=self.seq())
        k = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE * 5,
                                         utxos_to_spend=[p1["new_utxo"], p2["new_utxo"]], sequence=self.seq())
        self.refused([p1["hex"], p2["hex"], k["hex"]], "package RBF failed: package must be 1-parent-1-child")
        self.fresh()
        c1, c2 = self.coins.pop(), self.coins.pop()
        node.submitpackage(self.simple(c1)[0])
        p1 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c1, sequence=self.seq())
        p2 = w.create_self_transfer(fee=DEFAULT_FEE, utxo_to_spend=c2, sequence=self.seq())
        k = w.create_self_transfer_multi(fee_per_output=DEFAULT_FEE * 5,
                                         utxos_to_spend=[p1["new_utxo"], p2["new_utxo"]], sequence=self.seq())
        res = node.submitpackage([p1["hex"], p2["hex"], k["hex"]])
        # p2 gets in alone; the rest is a 1p1c whose child has it as an in-pool parent.
        assert_equal(res["package_msg"], "package RBF failed: new transaction cannot have mempool ancestors")
        assert p2["txid"] in node.getrawmempool()
        assert p1["txid"] not in node.getrawmempool()
        self.fresh()
        # One parent replaces the pool parent of the other (which cannot
        # get in alone either): the trial could not evict it under a
        # package member, so the package is refused at once.
        hexes = parent_replacing_other_parents_parent(w, self.send, self.coins.pop(), self.coins.pop(),
                                                      self.seq, DEFAULT_FEE)
        self.refused(hexes, "package RBF failed: package must be 1-parent-1-child")
        self.fresh()

    def test_truc(self):
        self.log.info("A TRUC pair replaces a TRUC pair")
        node = self.nodes[0]
        coin = self.coins.pop()
        h1, t1 = self.simple(coin, 0, DEFAULT_FEE, version=3)
        assert_equal(node.submitpackage(h1)["package_msg"], "success")
        h2, t2 = self.simple(coin, 0, DEFAULT_FEE * 3, version=3)
        res = node.submitpackage(h2)
        assert_equal(res["package_msg"], "success")
        assert_equal(res["replaced-transactions"], stored_order([t["txid"] for t in t1]))
        self.fresh()

    def test_limits(self):
        self.log.info("Package limits as a whole")
        node = self.nodes[0]
        w = self.wallet
        chain, parent, child = chain_end_package(w, self.send, self.coins.pop(), self.coins.pop(), self.seq())
        assert_equal(node.testmempoolaccept([parent["hex"]])[0]["reject-reason"], "insufficient fee")
        self.refused([parent["hex"], child["hex"]],
                     "package-mempool-limits, possibly too many unconfirmed ancestors [limit: 25]")
        # testmempoolaccept checks the same limits as a whole; each member
        # alone fits (the child's only parent is in the package).
        parent = w.create_self_transfer(utxo_to_spend=chain[-1]["new_utxo"], sequence=self.seq())
        child = w.create_self_transfer(utxo_to_spend=parent["new_utxo"])
        assert_equal(node.testmempoolaccept([parent["hex"]])[0]["allowed"], True)
        res = node.testmempoolaccept([parent["hex"], child["hex"]])
        for row, tx in zip(res, (parent, child)):
            assert_equal(row, {"txid": tx["txid"], "wtxid": tx["wtxid"], "package-error":
                               "package-mempool-limits, possibly too many unconfirmed ancestors [limit: 25]"})
        self.fresh()

        top = w.create_self_transfer_multi(utxos_to_spend=[self.coins.pop()], num_outputs=2)
        self.send(top)
        self.send(*w.create_self_transfer_chain(chain_length=23, utxo_to_spend=top["new_utxos"][0]))
        assert_equal(node.getmempoolentry(top["txid"])["descendantcount"], 24)
        coin = self.coins.pop()
        self.send(w.create_self_transfer(fee_rate=50000, utxo_to_spend=coin, sequence=self.seq()))
        parent = w.create_self_transfer_multi(utxos_to_spend=[top["new_utxos"][1], coin],
                                              fee_per_output=2000, sequence=self.seq())
        child = w.create_self_transfer(fee_rate=100000, utxo_to_spend=parent["new_utxos"][0])
        self.refused([parent["hex"], child["hex"]],
                     "package-mempool-limits, possibly too many descendants for tx %s [limit: 25]" % top["txid"])
        self.fresh()


if __name__ == "__main__":
    MempoolPackageRBFTest(__file__).main()
