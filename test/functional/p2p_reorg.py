#!/usr/bin/env python3
"""Partition, mine on both halves, heal: everyone converges on the heavier branch.

Four nodes in a line 0-1-2-3 share a common chain, then the link 1-2 is cut.
The halves {0,1} and {2,3} mine separate branches, the second one longer.
When the link is restored all four converge on the longer branch: same tip,
same hash_serialized_3, the losing branch shown by getchaintips as a
valid-fork, its coinbases gone from the UTXO set.

Then a 20-block reorg: the other half overtakes, and a disconnect/reconnect
round trip (invalidateblock/reconsiderblock) restores the UTXO set exactly.
Equal-work branches: each node keeps the first it saw until preciousblock.
"""

from test_framework.address import ADDRESS_BCRT1_UNSPENDABLE
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_not_equal


class ReorgTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4

    def tips(self, nodes):
        return [n.getbestblockhash() for n in nodes]

    def partition(self):
        self.disconnect_nodes(1, 2)

    def heal(self):
        self.connect_nodes(1, 2)

    def run_test(self):
        n0, n1, n2, n3 = self.nodes
        left, right = [n0, n1], [n2, n3]
        self.generate(n0, 20)
        base = n0.getblockcount()
        for n in self.nodes:
            assert_equal(n.getblockcount(), base)

        self.log.info("Partition 0-1 | 2-3 and mine 5 left, 8 right")
        self.partition()
        # The two sides pay different addresses: blocks mined on the same
        # parent in the same second to the same script are identical, and
        # the "branches" would be one chain.
        lost = self.generate(n0, 5, sync_fun=lambda: self.sync_blocks(left))
        won = self.generate(n3, 8, address=ADDRESS_BCRT1_UNSPENDABLE,
                            sync_fun=lambda: self.sync_blocks(right))
        assert_equal(self.tips(left), [lost[-1]] * 2)
        assert_equal(self.tips(right), [won[-1]] * 2)
        lost_coinbase = n0.getblock(lost[0])["tx"][0]
        assert n0.gettxout(lost_coinbase, 0) is not None

        self.log.info("Heal: everyone follows the heavier branch")
        self.heal()
        self.sync_blocks(timeout=120)
        assert_equal(self.tips(self.nodes), [won[-1]] * 4)
        assert_equal(n0.getblockcount(), base + 8)
        utxo = {n.gettxoutsetinfo()["hash_serialized_3"] for n in self.nodes}
        assert_equal(len(utxo), 1)
        assert_equal(n0.gettxout(lost_coinbase, 0), None)
        tips = {t["hash"]: t for t in n0.getchaintips()}
        assert_equal(tips[won[-1]]["status"], "active")
        assert_equal(tips[lost[-1]]["status"], "valid-fork")
        assert_equal(tips[lost[-1]]["branchlen"], 5)
        assert_equal(tips[lost[-1]]["height"], base + 5)

        self.log.info("A 20-block reorg the other way, and an exact UTXO round trip")
        self.partition()
        fork_height = n0.getblockcount()
        fork_utxo = n0.gettxoutsetinfo()["hash_serialized_3"]
        right_branch = self.generate(n2, 20, address=ADDRESS_BCRT1_UNSPENDABLE,
                                     sync_fun=lambda: self.sync_blocks(right))
        left_branch = self.generate(n1, 21, sync_fun=lambda: self.sync_blocks(left))
        left_utxo = n0.gettxoutsetinfo()["hash_serialized_3"]
        self.heal()
        self.sync_blocks(timeout=120)
        assert_equal(self.tips(self.nodes), [left_branch[-1]] * 4)
        for n in self.nodes:
            assert_equal(n.gettxoutsetinfo()["hash_serialized_3"], left_utxo)
        tips = {t["hash"]: t for t in n3.getchaintips()}
        assert_equal(tips[right_branch[-1]]["status"], "valid-fork")
        assert_equal(tips[right_branch[-1]]["branchlen"], 20)
        # Disconnect all 21 blocks and reconnect them on one node.
        n3.invalidateblock(left_branch[0])
        assert_equal(n3.getblockcount(), fork_height + 20)            # falls back to the right branch
        assert_equal(n3.getbestblockhash(), right_branch[-1])
        n3.invalidateblock(right_branch[0])
        assert_equal(n3.getblockcount(), fork_height)
        assert_equal(n3.gettxoutsetinfo()["hash_serialized_3"], fork_utxo)
        n3.reconsiderblock(right_branch[0])
        n3.reconsiderblock(left_branch[0])
        assert_equal(n3.getbestblockhash(), left_branch[-1])
        assert_equal(n3.gettxoutsetinfo()["hash_serialized_3"], left_utxo)

        self.log.info("Equal work: first seen wins until preciousblock")
        self.partition()
        a = self.generate(n0, 1, sync_fun=lambda: self.sync_blocks(left))[0]
        b = self.generate(n3, 1, sync_fun=lambda: self.sync_blocks(right))[0]
        assert_not_equal(a, b)
        # Give each middle node the other branch's block directly: it keeps its own tip.
        assert n1.submitblock(n3.getblock(b, 0)) in (None, "inconclusive", "duplicate")
        assert n2.submitblock(n0.getblock(a, 0)) in (None, "inconclusive", "duplicate")
        assert_equal(self.tips(self.nodes), [a, a, b, b])
        n1.preciousblock(b)
        assert_equal(n1.getbestblockhash(), b)
        n1.preciousblock(a)
        assert_equal(n1.getbestblockhash(), a)
        n2.preciousblock(a)
        assert_equal(n2.getbestblockhash(), a)
        self.heal()
        self.log.info("One more block on either branch settles it everywhere")
        c = self.generate(n3, 1, sync_fun=self.no_op)[0]
        self.sync_blocks(timeout=120)
        assert_equal(self.tips(self.nodes), [c] * 4)
        assert_equal(len({n.gettxoutsetinfo()["hash_serialized_3"] for n in self.nodes}), 1)


if __name__ == "__main__":
    ReorgTest(__file__).main()
