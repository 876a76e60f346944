#!/usr/bin/env python3
"""gettxspendingprevout: which mempool transaction spends each output.

- Confirmed and unconfirmed outputs, spent and unspent, in one call: the
  answer lists every outpoint in the order given (duplicates included),
  with "spendingtxid" only for those a pool transaction spends.
- A replacement (RBF) becomes the spender; mining the spender ends it; a
  block disconnected (invalidateblock) puts it back.
- Errors in Core's words and codes: no outputs, not an object, missing
  and mistyped keys, unexpected keys, a bad txid, a negative or
  non-integer vout, wrong arity and type.
"""

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet


def op(txid, vout):
    return {"txid": txid, "vout": vout}


class TxSpendingPrevoutTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        wallet = MiniWallet(node)
        wallet.generate(110)
        confirmed = wallet.get_utxo(mark_as_spent=False)
        a = wallet.send_self_transfer(from_node=node, utxo_to_spend=confirmed, sequence=0xfffffffd)
        b = wallet.send_self_transfer(from_node=node, utxo_to_spend=a["new_utxo"])
        lone = wallet.get_utxo(mark_as_spent=False)

        self.log.info("Spent and unspent outputs, in the order given")
        query = [op(confirmed["txid"], confirmed["vout"]), op(a["txid"], 0), op(b["txid"], 0),
                 op(lone["txid"], lone["vout"]), op(a["txid"], 0), op("11" * 32, 5)]
        assert_equal(node.gettxspendingprevout(query), [
            dict(query[0], spendingtxid=a["txid"]), dict(query[1], spendingtxid=b["txid"]), query[2],
            query[3], dict(query[4], spendingtxid=b["txid"]), query[5]])
        assert_equal(node.gettxspendingprevout(outputs=query[:1]), [dict(query[0], spendingtxid=a["txid"])])
        # Upper-case txids are read, lower-case written.
        assert_equal(node.gettxspendingprevout([op(a["txid"].upper(), 0)]), [dict(query[1], spendingtxid=b["txid"])])

        self.log.info("A replacement takes over; a block ends it; a disconnect brings it back")
        replacement = wallet.create_self_transfer(utxo_to_spend=confirmed, fee_rate=50000)
        node.sendrawtransaction(replacement["hex"])
        assert_equal(node.gettxspendingprevout(query[:3]), [
            dict(query[0], spendingtxid=replacement["txid"]), query[1], query[2]])
        tip = self.generate(node, 1)[0]
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.gettxspendingprevout(query[:1]), query[:1])
        node.invalidateblock(tip)
        assert_equal(node.gettxspendingprevout(query[:1]), [dict(query[0], spendingtxid=replacement["txid"])])
        node.reconsiderblock(tip)
        assert_equal(node.gettxspendingprevout(query[:1]), query[:1])

        self.log.info("Errors")
        t = confirmed["txid"]
        assert_raises_rpc_error(-8, "Invalid parameter, outputs are missing", node.gettxspendingprevout, [])
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type object",
                                node.gettxspendingprevout, [op(t, 0), 5])
        assert_raises_rpc_error(-3, "Missing vout", node.gettxspendingprevout, [{"txid": t}])
        assert_raises_rpc_error(-3, "Missing vout", node.gettxspendingprevout, [{"txid": t, "vout": None}])
        assert_raises_rpc_error(-3, "Missing txid", node.gettxspendingprevout, [{"vout": 0}])
        assert_raises_rpc_error(-3, "Missing vout", node.gettxspendingprevout, [{"x": 1, "txid": "zz"}])
        assert_raises_rpc_error(-3, "Unexpected key x", node.gettxspendingprevout, [dict(op(t, 0), x=1)])
        assert_raises_rpc_error(-3, "JSON value of type number for field txid is not of expected type string",
                                node.gettxspendingprevout, [op(1, 0)])
        assert_raises_rpc_error(-3, "JSON value of type string for field vout is not of expected type number",
                                node.gettxspendingprevout, [op(t, "0")])
        assert_raises_rpc_error(-3, "JSON value of type bool for field vout is not of expected type number",
                                node.gettxspendingprevout, [op(t, True)])
        assert_raises_rpc_error(-8, "txid must be of length 64 (not 2, for 'zz')", node.gettxspendingprevout,
                                [op("zz", 0)])
        assert_raises_rpc_error(-8, "Invalid parameter, vout cannot be negative", node.gettxspendingprevout,
                                [op(t, -1)])
        assert_raises_rpc_error(-1, "JSON integer out of range", node.gettxspendingprevout, [op(t, 1.5)])
        assert_raises_rpc_error(-1, "JSON integer out of range", node.gettxspendingprevout, [op(t, 2 ** 32)])
        assert_raises_rpc_error(-3, "Position 1 (outputs)", node.gettxspendingprevout, "x")
        assert_raises_rpc_error(-1, "gettxspendingprevout", node.gettxspendingprevout)


if __name__ == "__main__":
    TxSpendingPrevoutTest(__file__).main()
