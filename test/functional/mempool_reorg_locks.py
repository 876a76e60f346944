#!/usr/bin/env python3
"""What a reorg makes invalid leaves the mempool (Core's removeForReorg).

Blocks are mined 600 s apart with a mock clock, so each block moves the
median time past. At tip T the pool holds, each valid only because T is the
tip, and each with a child spending it:

- a spend of the coinbase of block T-99 (mature from block T+1);
- nLockTime = T (height lock, final from block T+1);
- nLockTime = mediantime(T) - 1 (time lock);
- a BIP68 height lock of 6 blocks on an output of block T-5;
- a BIP68 time lock of 6 * 512 s on an output of block T-5;

plus one transaction without locks. invalidateblock(T) must drop the five
and their children and keep the last one; reconsiderblock brings T back.
Leaving T and T-1 for one new block on T-2 (a tip of height T-1 with a
median time below T's) does the same.
"""

import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

SPACING = 600


class MempoolReorgLocksTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def mine(self, n):
        hashes = []
        for _ in range(n):
            self.clock += SPACING
            self.node.setmocktime(self.clock)
            hashes += self.wallet.generate(1)
        return hashes

    def fill(self):
        """Mines to a tip T and fills the pool; returns (lockeds, keeper)."""
        node, w = self.node, self.wallet
        # Two confirmed outputs of block T-5 for the BIP68 cases.
        self.mine(1)
        src_h = w.send_self_transfer(from_node=node)
        src_t = w.send_self_transfer(from_node=node)
        self.mine(1)
        c = node.getblockcount()                 # C = T - 5
        self.mine(5)
        tip = node.getblockcount()
        assert_equal(tip, c + 5)
        mtp = node.getblockheader(node.getbestblockhash())["mediantime"]
        cb_block = node.getblock(node.getblockhash(tip - 99))
        cb = w.get_utxo(txid=cb_block["tx"][0])
        lockeds = []
        lockeds.append(("coinbase spend", w.send_self_transfer(from_node=node, utxo_to_spend=cb)))
        lockeds.append(("height locktime", w.send_self_transfer(
            from_node=node, locktime=tip, sequence=0xfffffffe)))
        lockeds.append(("time locktime", w.send_self_transfer(
            from_node=node, locktime=mtp - 1, sequence=0xfffffffe)))
        lockeds.append(("BIP68 height", w.send_self_transfer(
            from_node=node, utxo_to_spend=w.get_utxo(txid=src_h["txid"]), sequence=6)))
        lockeds.append(("BIP68 time", w.send_self_transfer(
            from_node=node, utxo_to_spend=w.get_utxo(txid=src_t["txid"]), sequence=(1 << 22) | 6)))
        kids = [w.send_self_transfer(from_node=node, utxo_to_spend=tx["new_utxo"]) for _, tx in lockeds]
        keeper = w.send_self_transfer(from_node=node)
        pool = set(node.getrawmempool())
        for name, tx in lockeds:
            assert tx["txid"] in pool, name
        assert_equal(len(pool), 2 * len(lockeds) + 1)
        return lockeds, kids, keeper

    def check_after(self, lockeds, kids, keeper):
        node = self.node
        pool = set(node.getrawmempool())
        for name, tx in lockeds:
            assert tx["txid"] not in pool, "%s kept after the reorg" % name
        for kid in kids:
            assert kid["txid"] not in pool, "a child kept after its parent left"
        assert_equal(pool, {keeper["txid"]})

    def run_test(self):
        self.node = self.nodes[0]
        self.wallet = MiniWallet(self.node)
        self.clock = int(time.time()) - 400 * SPACING
        self.mine(200)

        self.log.info("invalidateblock of the tip drops what only the tip allowed")
        lockeds, kids, keeper = self.fill()
        tip = self.node.getbestblockhash()
        self.node.invalidateblock(tip)
        self.check_after(lockeds, kids, keeper)
        self.node.reconsiderblock(tip)
        assert_equal(self.node.getbestblockhash(), tip)
        self.mine(1)
        assert_equal(self.node.getrawmempool(), [])
        self.wallet.rescan_utxos()

        self.log.info("a real reorg to a branch one block shorter does the same")
        lockeds, kids, keeper = self.fill()
        tip = self.node.getbestblockhash()
        height = self.node.getblockcount()
        fork = self.node.getblockhash(height - 2)
        # A branch of the same work cannot win, so the node leaves T-1 and T
        # and mines one block on T-2: it sits at height T-1 on another block.
        self.node.invalidateblock(self.node.getblockhash(height - 1))
        self.clock += SPACING
        self.node.setmocktime(self.clock)
        new = self.node.generateblock(self.wallet.get_descriptor(), [])["hash"]
        assert_equal(self.node.getblockheader(new)["previousblockhash"], fork)
        assert_equal(self.node.getblockcount(), height - 1)
        assert tip != self.node.getbestblockhash()
        # Height T-1 again, and an MTP below the one at T.
        self.check_after(lockeds, kids, keeper)


if __name__ == "__main__":
    MempoolReorgLocksTest(__file__).main()
