#!/usr/bin/env python3
"""-txindex: getrawtransaction without a block hash, and getindexinfo.

- node0 imports the shared regtest chain with -txindex: a coinbase and a
  non-coinbase transaction are found without a block hash at verbosity 0
  (the hex hashes to the txid) and 1 (blockhash, confirmations, time and
  blocktime, no in_active_chain, as Core); an unknown txid and the genesis
  coinbase give -5 with Core's messages; getindexinfo reports the index
  synced at the tip.
- Invalidating the tip removes its transactions from the index (its
  coinbase is gone, the others are back in the mempool), reconsiderblock
  puts them back.
- node1 imports without -txindex: -5 with Core's "Use -txindex" message and
  an empty getindexinfo; restarted with -txindex it builds the index for
  the existing chain and finds the old transactions; restarted without and
  then with it again, the index is still right: rebuilt after a reorg
  while it was off, caught up after blocks connected while it was off.
"""

import json

from test_framework.blocktools import bootstrap_records
from test_framework.messages import CBlock, CTransaction, hash256, hash_to_hex
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, wait_until

RPC_INVALID_ADDRESS_OR_KEY = -5
NO_TXINDEX = ("No such mempool transaction. Use -txindex or provide a block hash to enable "
              "blockchain transaction queries. Use gettransaction for wallet transactions.")
NOT_FOUND = "No such mempool or blockchain transaction. Use gettransaction for wallet transactions."
GENESIS_CB = ("The genesis block coinbase is not considered an ordinary transaction and cannot "
              "be retrieved")
UNKNOWN_TXID = "11" * 32


class TxIndexTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def wait_for_height(self, node, height):
        wait_until(lambda: node.getblockcount() >= height, timeout=600,
                   timeout_factor=self.options.timeout_factor, check_interval=0.2)
        node.syncwithvalidationinterfacequeue()

    def check_found(self, node, tx, height, tip_height):
        """tx (CTransaction) is found without a block hash, in the block at height."""
        txid = tx.txid_hex
        blockhash = self.hashes[height]
        raw = node.getrawtransaction(txid)
        assert_equal(raw, tx.serialize().hex())
        # The txid is the hash of the serialization without witness.
        again = CTransaction.from_hex(raw)
        assert_equal(hash_to_hex(hash256(again.serialize_without_witness())), txid)
        assert_equal(node.getrawtransaction(txid, 0), raw)
        for verbose in (1, True):
            v = node.getrawtransaction(txid, verbose)
            assert_equal(v["txid"], txid)
            assert_equal(v["hex"], raw)
            assert_equal(v["blockhash"], blockhash)
            assert_equal(v["confirmations"], tip_height - height + 1)
            header = node.getblockheader(blockhash)
            assert_equal(v["time"], header["time"])
            assert_equal(v["blocktime"], header["time"])
            assert "in_active_chain" not in v, v
        # With the block hash the answer is the same, plus in_active_chain.
        v = node.getrawtransaction(txid, 1, blockhash)
        assert_equal(v["in_active_chain"], True)
        assert_equal(v["hex"], raw)

    def check_not_in_chain(self, node, tx):
        """tx left the active chain: a coinbase is gone (-5); any other
        transaction went back to the mempool (as in Core), where
        getrawtransaction finds it without block fields, unless it is not
        final at the new tip."""
        if tx.is_coinbase():
            assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NOT_FOUND,
                                    node.getrawtransaction, tx.txid_hex)
            return
        next_height = node.getblockcount() + 1
        if (tx.locktime != 0 and tx.locktime < 500000000 and tx.locktime >= next_height
                and any(i.sequence != 0xffffffff for i in tx.vin)):
            # Core's wallet sets nLockTime to the height it built on: below
            # that height the transaction is not final and stays out.
            assert tx.txid_hex not in node.getrawmempool(), tx.txid_hex
            assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NOT_FOUND,
                                    node.getrawtransaction, tx.txid_hex)
            return
        assert tx.txid_hex in node.getrawmempool(), tx.txid_hex
        v = node.getrawtransaction(tx.txid_hex, 1)
        assert_equal(v["hex"], tx.serialize().hex())
        assert "blockhash" not in v and "confirmations" not in v, v

    def check_index(self, node, tip_height):
        for height, tx in self.samples:
            if height <= tip_height:
                self.check_found(node, tx, height, tip_height)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NOT_FOUND,
                                node.getrawtransaction, UNKNOWN_TXID)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, GENESIS_CB,
                                node.getrawtransaction, self.genesis_cb)
        assert_equal(node.getindexinfo(),
                     {"txindex": {"synced": True, "best_block_height": tip_height}})
        assert_equal(node.getindexinfo("txindex"),
                     {"txindex": {"synced": True, "best_block_height": tip_height}})
        assert_equal(node.getindexinfo("coinstatsindex"), {})

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        tip = expect["height"]
        raws = list(bootstrap_records(dat))
        self.hashes = [hash_to_hex(hash256(r[:80])) for r in raws]
        blocks = {h: CBlock.from_bytes(raws[h]) for h in (0, 1, tip)}
        self.genesis_cb = blocks[0].vtx[0].txid_hex
        # A coinbase, and non-coinbase transactions from an old block and the tip.
        self.samples = [(1, blocks[1].vtx[0]), (tip, blocks[tip].vtx[0])]
        for h in range(101, tip + 1):
            b = CBlock.from_bytes(raws[h])
            if len(b.vtx) > 1:
                self.samples.append((h, b.vtx[1]))
                break
        assert_equal(len(self.samples), 3)
        assert len(blocks[tip].vtx) > 1, "the tip block has only its coinbase"
        self.samples.append((tip, blocks[tip].vtx[-1]))

        self.log.info("node0 imports the chain with -txindex")
        n0 = self.nodes[0]
        self.start_node(0, extra_args=["-txindex", "-loadblock=" + dat])
        self.wait_for_height(n0, tip)
        self.check_index(n0, tip)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NOT_FOUND,
                                n0.getrawtransaction, UNKNOWN_TXID, 1)

        self.log.info("invalidateblock of the tip drops its transactions from the index")
        n0.invalidateblock(self.hashes[tip])
        assert_equal(n0.getblockcount(), tip - 1)
        for height, tx in self.samples:
            if height == tip:
                self.check_not_in_chain(n0, tx)
                # Still readable through its (now inactive) block.
                v = n0.getrawtransaction(tx.txid_hex, 1, self.hashes[tip])
                assert_equal(v["in_active_chain"], False)
        self.check_index(n0, tip - 1)

        self.log.info("reconsiderblock puts them back")
        n0.reconsiderblock(self.hashes[tip])
        self.wait_for_height(n0, tip)
        self.check_index(n0, tip)

        self.log.info("the index survives a restart")
        self.restart_node(0, extra_args=["-txindex"])
        self.check_index(n0, tip)

        self.log.info("node1 imports without -txindex: Core's -5")
        n1 = self.nodes[1]
        self.start_node(1, extra_args=["-loadblock=" + dat])
        self.wait_for_height(n1, tip)
        for height, tx in self.samples:
            assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NO_TXINDEX,
                                    n1.getrawtransaction, tx.txid_hex)
            assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NO_TXINDEX,
                                    n1.getrawtransaction, tx.txid_hex, 1)
            # The block-hash path works without the index.
            assert_equal(n1.getrawtransaction(tx.txid_hex, 0, self.hashes[height]),
                         tx.serialize().hex())
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, NO_TXINDEX,
                                n1.getrawtransaction, UNKNOWN_TXID)
        assert_equal(n1.getindexinfo(), {})

        self.log.info("node1 restarted with -txindex builds the index for the existing chain")
        self.restart_node(1, extra_args=["-txindex"])
        self.check_index(n1, tip)

        self.log.info("a reorg while -txindex is off is caught up on the next start")
        self.restart_node(1, extra_args=[])
        n1.invalidateblock(self.hashes[tip - 1])
        assert_equal(n1.getblockcount(), tip - 2)
        self.restart_node(1, extra_args=["-txindex"])
        self.check_index(n1, tip - 2)
        for height, tx in self.samples:
            if height >= tip - 1:
                self.check_not_in_chain(n1, tx)
        n1.reconsiderblock(self.hashes[tip - 1])
        self.wait_for_height(n1, tip)
        self.check_index(n1, tip)

        self.log.info("blocks connected while -txindex is off are indexed on the next start")
        n1.invalidateblock(self.hashes[tip - 1])
        self.restart_node(1, extra_args=[])
        n1.reconsiderblock(self.hashes[tip - 1])
        self.wait_for_height(n1, tip)
        self.restart_node(1, extra_args=["-txindex"])
        self.check_index(n1, tip)


if __name__ == "__main__":
    TxIndexTest(__file__).main()
