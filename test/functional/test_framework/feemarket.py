"""A synthetic fee market for fee-estimation tests.

Transactions from a MiniWallet at a few fee-rate classes, each class
confirming after its own number of blocks: every round sends
`per_block` transactions of each class, waits until every node's mempool
holds them, then mines one block (generateblock with an explicit list)
holding exactly the transactions whose delay is up. Every node therefore
sees the same transactions enter at the same height and confirm in the
same block, which is what the estimator learns from.
"""

from test_framework.address import ADDRESS_BCRT1_P2WSH_OP_TRUE

# (fee rate in sat/kvB, blocks until it confirms): rates sit inside their
# buckets (1,000 * 1.05^k) rather than on a boundary.
DEFAULT_CLASSES = [(25500, 1), (11200, 2), (5300, 4), (2250, 8)]


class FeeMarket:
    def __init__(self, test, wallet, nodes, *, classes=DEFAULT_CLASSES, per_block=3):
        self.test = test
        self.wallet = wallet
        self.nodes = nodes
        self.classes = classes
        self.per_block = per_block
        self.utxos = []
        self.waiting = []      # (due_round, tx dict)
        self.round = 0

    def fund(self, count, miner):
        """Splits mature coinbases into count confirmed outputs (mined on miner)."""
        per_tx = 100
        while len(self.utxos) < count:
            split = self.wallet.send_self_transfer_multi(from_node=miner, num_outputs=per_tx)
            self.utxos.extend(split["new_utxos"])
        # Every node must see the splits enter before they confirm: the
        # estimator learns from them too.
        self.test.sync_mempools(self.nodes)
        self.test.generate(miner, 1, sync_fun=lambda: self.test.sync_blocks(self.nodes))
        self.test.sync_mempools(self.nodes)

    def send_round(self, sender_for):
        """One round of transactions; sender_for(i) picks the node the i-th goes to."""
        i = 0
        for rate, delay in self.classes:
            for _ in range(self.per_block):
                utxo = self.utxos.pop()
                tx = self.wallet.create_self_transfer(fee_rate=rate, utxo_to_spend=utxo)
                sender_for(i).sendrawtransaction(tx["hex"])
                self.waiting.append((self.round + delay, tx))
                i += 1
        want = {tx["txid"] for _, tx in self.waiting}
        self.test.wait_until(lambda: all(want <= set(n.getrawmempool()) for n in self.nodes),
                             timeout=120)

    def mine_round(self, miner, *, everything=False):
        """The next block, on miner, with the transactions now due (or all)."""
        self.round += 1
        due = [tx for r, tx in self.waiting if everything or r <= self.round]
        self.waiting = [(r, tx) for r, tx in self.waiting if not (everything or r <= self.round)]
        miner.generateblock(ADDRESS_BCRT1_P2WSH_OP_TRUE, [tx["hex"] for tx in due])
        self.test.sync_blocks(self.nodes)
        left = {tx["txid"] for _, tx in self.waiting}
        self.test.wait_until(lambda: all(set(n.getrawmempool()) == left for n in self.nodes),
                             timeout=120)

    def run(self, rounds, *, sender_for, miner_for):
        for k in range(rounds):
            self.send_round(sender_for)
            self.mine_round(miner_for(k))

    def needed(self, rounds):
        return rounds * self.per_block * len(self.classes)
