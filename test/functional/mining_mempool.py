#!/usr/bin/env python3
"""Mining from the mempool, and block events reaching the mempool.

- sendrawtransaction then generatetoaddress confirms the transaction: the
  block holds it, gettxout sees its output confirmed, the coinbase claims
  subsidy + fees, and the mempool is empty afterwards.
- getblocktemplate lists the pool's transactions with Core's fields (data,
  txid, hash, depends, fee, sigops, weight) and coinbasevalue includes their
  fees.
- Child pays for parent: a low-fee parent with a high-fee child is ordered
  (parent, child) before a transaction whose own rate is between the two.
- A block built by the test that double-spends a pool transaction removes
  it (and its child) from the mempool.
- invalidateblock puts the block's transactions back into the mempool and
  reconsiderblock removes them again.
- generateblock takes the txid of a mempool transaction, as Core.
- -blockmaxweight limits what a block takes from the pool.
"""

from test_framework.blocktools import block_subsidy, create_next_block
from test_framework.messages import CBlock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

GBT_TX_KEYS = ["data", "txid", "hash", "depends", "fee", "sigops", "weight"]


class MiningMempoolTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def coinbase_value(self, blockhash):
        block = CBlock.from_hex(self.nodes[0].getblock(blockhash, 0))
        return sum(o.value for o in block.vtx[0].vout)

    def run_test(self):
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(101)

        self.test_confirm()
        self.test_template_and_cpfp()
        self.test_conflict_from_block()
        self.test_invalidate_reconsider()
        self.test_generateblock_txid()
        self.test_block_max_weight()

    def test_confirm(self):
        node = self.nodes[0]
        self.log.info("sendrawtransaction then generatetoaddress confirms it")
        tx = self.wallet.send_self_transfer(from_node=node, fee_rate=5000)
        assert_equal(node.getrawmempool(), [tx["txid"]])
        assert_equal(node.gettxout(tx["txid"], 0)["confirmations"], 0)
        assert_equal(node.getmininginfo()["pooledtx"], 1)
        height = node.getblockcount() + 1
        blockhash = self.wallet.generate(1)[0]
        block = node.getblock(blockhash)
        assert tx["txid"] in block["tx"]
        assert_equal(len(block["tx"]), 2)
        # The last assembled block: the coinbase and the transaction.
        mi = node.getmininginfo()
        assert_equal((mi["pooledtx"], mi["currentblocktx"]), (0, 1))
        assert mi["currentblockweight"] > 4 * 80, mi
        assert_equal(self.coinbase_value(blockhash), block_subsidy(height) + tx["fee"])
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getmempoolinfo()["size"], 0)
        assert_equal(node.gettxout(tx["txid"], 0)["confirmations"], 1)

    def test_template_and_cpfp(self):
        node = self.nodes[0]
        self.log.info("getblocktemplate: Core's fields, child pays for parent")
        parent = self.wallet.send_self_transfer(from_node=node, fee_rate=200)
        child = self.wallet.send_self_transfer(from_node=node, fee_rate=50000,
                                               utxo_to_spend=parent["new_utxo"])
        middle = self.wallet.send_self_transfer(from_node=node, fee_rate=5000)
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        txs = tmpl["transactions"]
        assert_equal([t["txid"] for t in txs], [parent["txid"], child["txid"], middle["txid"]])
        for t, want in zip(txs, (parent, child, middle)):
            assert_equal(sorted(t.keys()), sorted(GBT_TX_KEYS))
            assert_equal(list(t.keys()), GBT_TX_KEYS)
            assert_equal(t["data"], want["hex"])
            assert_equal(t["hash"], want["wtxid"])
            assert_equal(t["fee"], want["fee"])
            assert_equal(t["weight"], want["tx"].get_weight())
            assert_equal(t["sigops"], 0)
        assert_equal(txs[0]["depends"], [])
        assert_equal(txs[1]["depends"], [1])
        assert_equal(txs[2]["depends"], [])
        fees = parent["fee"] + child["fee"] + middle["fee"]
        assert_equal(tmpl["coinbasevalue"], block_subsidy(tmpl["height"]) + fees)

        blockhash = self.wallet.generate(1)[0]
        block = node.getblock(blockhash)
        assert_equal(block["tx"][1:], [parent["txid"], child["txid"], middle["txid"]])
        assert_equal(self.coinbase_value(blockhash), block_subsidy(tmpl["height"]) + fees)
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getblocktemplate({"rules": ["segwit"]})["transactions"], [])

    def test_conflict_from_block(self):
        node = self.nodes[0]
        self.log.info("a block that double-spends pool transactions removes them")
        utxo = self.wallet.get_utxo()
        in_pool = self.wallet.send_self_transfer(from_node=node, utxo_to_spend=utxo, fee_rate=1000)
        descendant = self.wallet.send_self_transfer(from_node=node, utxo_to_spend=in_pool["new_utxo"])
        bystander = self.wallet.send_self_transfer(
            from_node=node, utxo_to_spend=self.wallet.get_utxo(confirmed_only=True))
        assert_equal(sorted(node.getrawmempool()),
                     sorted([in_pool["txid"], descendant["txid"], bystander["txid"]]))
        rival = self.wallet.create_self_transfer(utxo_to_spend=utxo, fee_rate=2000)
        block = create_next_block(node, txs=[rival["tx"]], script_pubkey=self.wallet.script_pubkey)
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash_hex)
        self.wait_until(lambda: node.getrawmempool() == [bystander["txid"]])
        assert_equal(node.gettxout(rival["txid"], 0)["confirmations"], 1)
        assert_equal(node.gettxout(in_pool["txid"], 0), None)
        self.wallet.generate(1)
        assert_equal(node.getrawmempool(), [])

    def test_invalidate_reconsider(self):
        node = self.nodes[0]
        self.log.info("invalidateblock returns the block's transactions, reconsiderblock takes them")
        a = self.wallet.send_self_transfer(from_node=node)
        b = self.wallet.send_self_transfer(from_node=node, utxo_to_spend=a["new_utxo"])
        blockhash = self.wallet.generate(1)[0]
        assert_equal(node.getrawmempool(), [])
        node.invalidateblock(blockhash)
        self.wait_until(lambda: sorted(node.getrawmempool()) == sorted([a["txid"], b["txid"]]))
        entry = node.getmempoolentry(b["txid"])
        assert_equal(entry["depends"], [a["txid"]])
        node.reconsiderblock(blockhash)
        assert_equal(node.getbestblockhash(), blockhash)
        self.wait_until(lambda: node.getrawmempool() == [])
        self.wallet.rescan_utxos()

    def test_generateblock_txid(self):
        node = self.nodes[0]
        self.log.info("generateblock takes a mempool transaction by txid")
        tx = self.wallet.send_self_transfer(from_node=node)
        other = self.wallet.send_self_transfer(from_node=node)
        res = node.generateblock(self.wallet.get_descriptor(), [tx["txid"]])
        block = node.getblock(res["hash"])
        assert_equal(block["tx"][1:], [tx["txid"]])
        # Core's generateblock leaves the fees unclaimed.
        assert_equal(self.coinbase_value(res["hash"]), block_subsidy(block["height"]))
        self.wait_until(lambda: node.getrawmempool() == [other["txid"]])
        assert_raises_rpc_error(-5, "Transaction %s not in mempool." % tx["txid"],
                                node.generateblock, self.wallet.get_descriptor(), [tx["txid"]])
        self.wallet.generate(1)
        self.wallet.rescan_utxos()

    def test_block_max_weight(self):
        node = self.nodes[0]
        self.log.info("-blockmaxweight bounds what the template takes")
        self.restart_node(0, extra_args=["-blockmaxweight=9000"])
        sent = [self.wallet.send_self_transfer(from_node=node) for _ in range(5)]
        # 9000 - 8000 reserved leaves room for two of these (~436 WU each).
        weight = sent[0]["tx"].get_weight()
        fit = (9000 - 8000 - 1) // weight
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        assert_equal(len(tmpl["transactions"]), fit)
        self.wallet.generate(1)
        assert_equal(len(node.getrawmempool()), 5 - fit)
        self.restart_node(0)
        self.log.info("bad -blockmaxweight / -blockreservedweight stop start-up")
        self.stop_node(0)
        node.assert_start_raises_init_error(
            ["-blockmaxweight=4000001"],
            "Error: Specified -blockmaxweight (4000001) exceeds consensus maximum block weight (4000000)")
        node.assert_start_raises_init_error(
            ["-blockreservedweight=1999"],
            "Error: Specified -blockreservedweight (1999) is lower than minimum safety value of (2000)")
        self.start_node(0)


if __name__ == "__main__":
    MiningMempoolTest(__file__).main()
