#!/usr/bin/env python3
"""Mixed network: a partition between Core and bitrootd nodes, both halves mining, healed.

Nodes core0 - br1 | core2 - br3: br1 connects out to core0, br3 to core2,
and the link across the partition is core2 -> br1 (a Core node and a
bitrootd). Each half holds both implementations, so what one mines the
other must accept, and each implementation must put back in its mempool
what the losing branch had confirmed.

Two rounds:
1. the left half loses: bitrootd (br1) mines the short branch, Core (core2)
   the long one;
2. the right half loses: Core (core2) mines the short branch, bitrootd (br1)
   the long one.

In each round, before the partition, a transaction C reaches every pool.
Cut off, the losing half confirms (in two blocks): C, A, B1 and its child
B2, a zero-fee Z (put in by generateblock) and D; its pools then hold E
(spends A), Cc (spends C) and Dc (spends D). The winning half confirms C and D', which
double-spends D's input, in a longer branch. Reconnected, every node must
end on the winning tip with the same UTXO set hash (hash_serialized_3) and
the losing half's blocks as a valid-fork; both pools of the losing half
must hold exactly A, B1, B2, Z and E (Core's MaybeUpdateMempoolForReorg:
put back with limits bypassed, below the minimum relay fee too), with E
linked to A and B2 to B1, and Cc (C is confirmed again, so it was not
offered back and its spender stays), but neither D (its input is spent)
nor Dc (its parent failed to come back: Core's removeRecursive). What came
back is not announced: a transaction submitted afterwards on the losing
node of the link reaches the winning half, which never hears of A, B1 or
B2 (Core's MaybeUpdateMempoolForReorg relays nothing). Then the
losing half's other implementation mines a block from its template that
takes A, B1, B2, E and Cc, and every node accepts it.
"""

from test_framework.address import ADDRESS_BCRT1_P2WSH_OP_TRUE, ADDRESS_BCRT1_UNSPENDABLE
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than
from test_framework.wallet import MiniWallet

IMPLS = ["core", "bitrootd", "core", "bitrootd"]


class InteropReorgTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)
        self.connect_nodes(3, 2)
        self.heal()

    def partition(self):
        self.disconnect_nodes(2, 1)

    def heal(self):
        self.connect_nodes(2, 1)

    def pool(self, node):
        return set(node.getrawmempool())

    def wait_pools(self, txids, nodes, timeout=90):
        self.wait_until(lambda: all(set(txids) <= self.pool(n) for n in nodes), timeout=timeout)

    def run_test(self):
        core0, br1, core2, br3 = self.nodes
        self.wallet = MiniWallet(core0)
        self.wallet.generate(130, sync_fun=lambda: self.sync_blocks(timeout=120))
        self.round(losing=[core0, br1], loser=br1, winning=[core2, br3], winner=core2,
                   lose_blocks=2, win_blocks=4)
        self.round(losing=[core2, br3], loser=core2, winning=[core0, br1], winner=br1,
                   lose_blocks=3, win_blocks=5)

    def round(self, *, losing, loser, winning, winner, lose_blocks, win_blocks):
        self.log.info("Round: %s mines %d blocks for the losing half, %s mines %d for the winning half",
                      loser.name, lose_blocks, winner.name, win_blocks)
        assert loser in losing and winner in winning
        # The other implementation of each half is where its transactions are submitted.
        lose_entry = [n for n in losing if n is not loser][0]
        win_entry = [n for n in winning if n is not winner][0]
        w = self.wallet
        self.sync_blocks(timeout=120)
        w.rescan_utxos()
        utxos = w.get_utxos()
        assert len(utxos) >= 6, "not enough mature coins"
        u_a, u_b, u_c, u_d, u_z, u_f = utxos[:6]
        fork_height = loser.getblockcount()

        self.log.info("C reaches every pool before the partition")
        c = w.create_self_transfer(utxo_to_spend=u_c, fee_rate=5000)
        w.sendrawtransaction(from_node=lose_entry, tx_hex=c["hex"])
        self.wait_pools([c["txid"]], self.nodes)

        self.log.info("Partition; the losing half confirms A, B1, B2, C, D and a zero-fee Z")
        self.partition()
        a = w.create_self_transfer(utxo_to_spend=u_a, fee_rate=4000)
        b1 = w.create_self_transfer(utxo_to_spend=u_b, fee_rate=4000)
        d = w.create_self_transfer(utxo_to_spend=u_d, fee_rate=4000)
        for tx in (a, b1, d):
            w.sendrawtransaction(from_node=lose_entry, tx_hex=tx["hex"])
        self.wait_pools([a["txid"], b1["txid"], d["txid"]], losing)
        lost = self.generate(loser, 1, address=ADDRESS_BCRT1_P2WSH_OP_TRUE,
                             sync_fun=lambda: self.sync_blocks(losing))
        assert set(loser.getblock(lost[0])["tx"]) >= {a["txid"], b1["txid"], c["txid"], d["txid"]}
        b2 = w.create_self_transfer(utxo_to_spend=b1["new_utxo"], fee_rate=4000)
        z = w.create_self_transfer(utxo_to_spend=u_z, fee=0)
        w.sendrawtransaction(from_node=lose_entry, tx_hex=b2["hex"])
        self.wait_pools([b2["txid"]], losing)
        lost.append(loser.generateblock(ADDRESS_BCRT1_P2WSH_OP_TRUE, [z["hex"], b2["hex"]])["hash"])
        if lose_blocks > 2:
            lost += loser.generatetoaddress(lose_blocks - 2, ADDRESS_BCRT1_P2WSH_OP_TRUE)
        self.sync_blocks(losing)
        e = w.create_self_transfer(utxo_to_spend=a["new_utxo"], fee_rate=4000)
        cc = w.create_self_transfer(utxo_to_spend=c["new_utxo"], fee_rate=4000)
        dc = w.create_self_transfer(utxo_to_spend=d["new_utxo"], fee_rate=4000)
        for tx in (e, cc, dc):
            w.sendrawtransaction(from_node=lose_entry, tx_hex=tx["hex"])
        self.wait_pools([e["txid"], cc["txid"], dc["txid"]], losing)
        for n in losing:
            assert_equal(n.getbestblockhash(), lost[-1])
            assert_equal(self.pool(n), {e["txid"], cc["txid"], dc["txid"]})
            assert_equal(n.gettxout(z["txid"], 0)["confirmations"], lose_blocks - 1)

        self.log.info("The winning half confirms C and D' (D's input) in a longer branch")
        d2 = w.create_self_transfer(utxo_to_spend=u_d, fee_rate=6000)
        assert d2["txid"] != d["txid"]
        w.sendrawtransaction(from_node=win_entry, tx_hex=d2["hex"])
        self.wait_pools([d2["txid"]], winning)
        won = self.generate(winner, 1, address=ADDRESS_BCRT1_UNSPENDABLE, sync_fun=lambda: self.sync_blocks(winning))
        assert set(winner.getblock(won[0])["tx"]) >= {c["txid"], d2["txid"]}
        won += self.generate(winner, win_blocks - 1, address=ADDRESS_BCRT1_UNSPENDABLE,
                             sync_fun=lambda: self.sync_blocks(winning))
        for n in winning:
            assert_equal(n.getbestblockhash(), won[-1])
            assert_equal(self.pool(n), set())
        assert_greater_than(win_blocks, lose_blocks)

        self.log.info("Heal: every node ends on the winning tip with the same UTXO set")
        log_from = {n.index: n.debug_log_bytes() for n in winning}
        self.heal()
        self.sync_blocks(timeout=120)
        hashes = set()
        for n in self.nodes:
            assert_equal(n.getbestblockhash(), won[-1])
            assert_equal(n.getblockcount(), fork_height + win_blocks)
            info = n.gettxoutsetinfo("hash_serialized_3")
            assert_equal(info["bestblock"], won[-1])
            hashes.add(info["hash_serialized_3"])
        assert_equal(len(hashes), 1)
        for n in losing:
            tips = {t["hash"]: t for t in n.getchaintips()}
            assert_equal(tips[lost[-1]]["status"], "valid-fork")
            assert_equal(tips[lost[-1]]["branchlen"], lose_blocks)
            assert_equal(tips[won[-1]]["status"], "active")

        self.log.info("Both implementations on the losing side put its transactions back")
        back = {a["txid"], b1["txid"], b2["txid"], z["txid"], e["txid"]}
        self.wait_until(lambda: all(self.pool(n) >= back for n in losing), timeout=60)
        for n in losing:
            # Cc never left: C is confirmed again, so its spender stays.
            assert_equal(self.pool(n), back | {cc["txid"]})
            assert_equal(n.getmempoolentry(cc["txid"])["depends"], [])
            assert_equal(n.getmempoolentry(e["txid"])["depends"], [a["txid"]])
            assert_equal(n.getmempoolentry(a["txid"])["spentby"], [e["txid"]])
            assert_equal(n.getmempoolentry(b2["txid"])["depends"], [b1["txid"]])
            assert_equal(n.getmempoolentry(b1["txid"])["ancestorcount"], 1)
            assert_equal(n.getmempoolentry(b2["txid"])["ancestorcount"], 2)
            assert_equal(n.getmempoolentry(z["txid"])["fees"]["base"], 0)
            # C and D' are confirmed in the winning branch; D's input is spent.
            assert_equal(n.gettxout(c["txid"], 0, False)["confirmations"], win_blocks)
            assert_equal(n.gettxout(d2["txid"], 0, False)["confirmations"], win_blocks)
            assert n.gettxout(d["txid"], 0, True) is None
            assert n.gettxout(dc["txid"], 0, True) is None
        for n in self.nodes:
            pool = self.pool(n)
            for gone in (c, d, dc, d2):
                assert gone["txid"] not in pool, "%s holds %s" % (n.name, gone["txid"])

        self.log.info("What came back is not announced (Core relays nothing a reorg puts back)")
        # The losing node on the link announces a new transaction; invs go out
        # in order, so had it queued A, B1 or B2 they would be there first.
        link = [n for n in losing if n in (self.nodes[1], self.nodes[2])][0]
        fresh = w.create_self_transfer(utxo_to_spend=u_f, fee_rate=20000)
        w.sendrawtransaction(from_node=link, tx_hex=fresh["hex"])
        self.wait_pools([fresh["txid"]], self.nodes)
        for n in winning:
            log = n.read_debug_log(log_from[n.index])
            assert "got inv: wtx %s" % fresh["wtxid"] in log
            for tx in (a, b1, b2):
                assert tx["wtxid"] not in log, "%s was told of %s" % (n.name, tx["wtxid"])
                assert tx["txid"] not in self.pool(n)

        self.log.info("The losing half's other implementation mines them; every node accepts the block")
        miner = lose_entry
        block = self.generate(miner, 1, address=ADDRESS_BCRT1_P2WSH_OP_TRUE, sync_fun=self.no_op)[0]
        mined = set(miner.getblock(block)["tx"])
        assert mined >= {a["txid"], b1["txid"], b2["txid"], e["txid"], cc["txid"], fresh["txid"]}, \
            "%s mined %s" % (miner.name, mined)
        self.sync_blocks(timeout=120)
        for n in self.nodes:
            for tx in (a, b1, b2, e, cc, fresh):
                assert tx["txid"] not in self.pool(n)
        # Z pays nothing: neither implementation mines it from a template.
        loser_pools = [self.pool(n) for n in losing]
        assert_equal(loser_pools, [{z["txid"]}] * len(losing))
        block = losing[0].generateblock(ADDRESS_BCRT1_P2WSH_OP_TRUE, [z["hex"]])["hash"]
        self.sync_blocks(timeout=120)
        self.wait_until(lambda: all(self.pool(n) == set() for n in self.nodes), timeout=60)
        assert_equal(len({n.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"] for n in self.nodes}), 1)


if __name__ == "__main__":
    InteropReorgTest(__file__).main()
