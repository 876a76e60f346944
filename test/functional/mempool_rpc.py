#!/usr/bin/env python3
"""The mempool's RPC methods: shapes key by key, figures and their effects.

- getmempoolinfo, getrawmempool (plain, verbose, with mempool_sequence),
  getmempoolentry, getmempoolancestors / getmempooldescendants (plain and
  verbose), getprioritisedtransactions, savemempool: every key and type as
  Bitcoin Core 30 documents them, and their errors.
- A chain of three (A <- B <- C) with known fees and sizes: ancestor and
  descendant counts, sizes and fees, depends / spentby, the relatives lists.
- prioritisetransaction: "modified" (and the ancestor/descendant fees)
  move by the delta, a delta before arrival lets a zero-fee transaction in,
  getprioritisedtransactions lists them, the dummy argument must be 0, and
  the block template puts the prioritised transaction first.
- getrawtransaction finds mempool transactions (no block fields); gettxout
  shows mempool outputs (confirmations 0, bestblock the tip) and answers
  null for an output a mempool transaction spends, unless include_mempool
  is false.
- getrawmempool order: fewer ancestors, then higher fee rate, then the
  higher txid (Core's score order).
"""

import os
from decimal import Decimal

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.messages import COIN
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

RPC_MISC_ERROR = -1
RPC_TYPE_ERROR = -3
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8


def _is_hex(v):
    return isinstance(v, str) and len(v) % 2 == 0 and all(c in "0123456789abcdef" for c in v)


INT = lambda v: isinstance(v, int) and not isinstance(v, bool)             # noqa: E731
AMOUNT = lambda v: isinstance(v, Decimal) and v >= 0 and v.as_tuple().exponent >= -8  # noqa: E731
BOOL = lambda v: isinstance(v, bool)                                       # noqa: E731
HASH = lambda v: _is_hex(v) and len(v) == 64                               # noqa: E731
STR = lambda v: isinstance(v, str)                                         # noqa: E731

ENTRY = {"vsize": INT, "weight": INT, "time": INT, "height": INT, "descendantcount": INT,
         "descendantsize": INT, "ancestorcount": INT, "ancestorsize": INT, "wtxid": HASH,
         "fees": {"base": AMOUNT, "modified": AMOUNT, "ancestor": AMOUNT, "descendant": AMOUNT},
         "depends": [HASH], "spentby": [HASH], "bip125-replaceable": BOOL, "unbroadcast": BOOL}
MEMPOOLINFO = {"loaded": BOOL, "size": INT, "bytes": INT, "usage": INT, "total_fee": AMOUNT, "maxmempool": INT,
               "mempoolminfee": AMOUNT, "minrelaytxfee": AMOUNT, "incrementalrelayfee": AMOUNT,
               "unbroadcastcount": INT, "fullrbf": BOOL, "permitbaremultisig": BOOL, "maxdatacarriersize": INT}


def check_shape(v, shape, path="result"):
    """shape: a predicate, a dict (exact keys, in that order), or [shape] for arrays."""
    if isinstance(shape, dict):
        assert isinstance(v, dict), "%s: not an object: %r" % (path, v)
        assert_equal(list(v), list(shape))
        for k, s in shape.items():
            check_shape(v[k], s, "%s.%s" % (path, k))
    elif isinstance(shape, list):
        assert isinstance(v, list), "%s: not an array: %r" % (path, v)
        for i, e in enumerate(v):
            check_shape(e, shape[0], "%s[%d]" % (path, i))
    else:
        assert shape(v), "%s: unexpected %r" % (path, v)


def assert_rpc(code, message, fun, *args, **kw):
    try:
        fun(*args, **kw)
    except JSONRPCException as e:
        assert_equal((e.error["code"], e.error["message"]), (code, message))
        return
    raise AssertionError("the call did not fail")


def btc(sat):
    return Decimal(sat) / COIN


class MempoolRpcTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(COINBASE_MATURITY + 10)
        self.check_empty()
        self.check_chain()
        self.check_prioritise()
        self.check_lookups()
        self.check_save()
        self.check_order_ties()
        self.check_relay_fee_options()

    def check_relay_fee_options(self):
        node = self.nodes[0]
        self.log.info("-minrelaytxfee/-incrementalrelayfee reach getmempoolinfo and getnetworkinfo")
        self.restart_node(0, extra_args=["-minrelaytxfee=0.00002", "-incrementalrelayfee=0.00003"])
        mi, ni = node.getmempoolinfo(), node.getnetworkinfo()
        assert_equal((mi["minrelaytxfee"], mi["incrementalrelayfee"]), (Decimal("0.00002"), Decimal("0.00003")))
        assert_equal((ni["relayfee"], ni["incrementalfee"]), (Decimal("0.00002"), Decimal("0.00003")))
        # A transaction paying 1 sat/vB is now below the floor of 2 sat/vB.
        self.wallet.rescan_utxos()
        tx = self.wallet.create_self_transfer(fee_rate=1000)
        res = node.testmempoolaccept([tx["hex"]])[0]
        assert_equal(res["reject-reason"], "min relay fee not met")

    def check_order_ties(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("getrawmempool: equal depth and fee rate go by txid, higher first (Core's score order)")
        self.generate(node, 1)
        w.rescan_utxos()
        txids = [w.send_self_transfer(from_node=node, fee=1000)["txid"] for _ in range(6)]
        assert_equal(len({node.getmempoolentry(t)["vsize"] for t in txids}), 1)
        want = sorted(txids, key=lambda h: bytes.fromhex(h)[::-1], reverse=True)
        assert_equal(node.getrawmempool(), want)
        self.generate(node, 1)
        w.rescan_utxos()

    def check_empty(self):
        node = self.nodes[0]
        self.log.info("getmempoolinfo and getrawmempool of an empty pool")
        info = node.getmempoolinfo()
        check_shape(info, MEMPOOLINFO, "getmempoolinfo")
        assert_equal({k: info[k] for k in ("loaded", "size", "bytes", "usage", "total_fee", "maxmempool",
                                           "mempoolminfee", "minrelaytxfee", "incrementalrelayfee",
                                           "unbroadcastcount", "fullrbf", "permitbaremultisig",
                                           "maxdatacarriersize")},
                     {"loaded": True, "size": 0, "bytes": 0, "usage": 0, "total_fee": Decimal("0E-8"),
                      "maxmempool": 300000000, "mempoolminfee": Decimal("0.00000100"),
                      "minrelaytxfee": Decimal("0.00000100"), "incrementalrelayfee": Decimal("0.00000100"),
                      "unbroadcastcount": 0, "fullrbf": True, "permitbaremultisig": True,
                      "maxdatacarriersize": 100000})
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getrawmempool(True), {})
        seq = node.getrawmempool(False, True)
        check_shape(seq, {"txids": [HASH], "mempool_sequence": INT})
        assert_rpc(RPC_INVALID_PARAMETER, "Verbose results cannot contain mempool sequence values.",
                   node.getrawmempool, True, True)
        assert_equal(node.getprioritisedtransactions(), {})
        self.seq0 = seq["mempool_sequence"]

    def check_chain(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("a chain of three: entries, ancestors, descendants")
        a, b, c = w.send_self_transfer_chain(from_node=node, chain_length=3, fee_rate=2000)
        txids = [t["txid"] for t in (a, b, c)]
        assert_equal(sorted(node.getrawmempool()), sorted(txids))
        seq = node.getrawmempool(mempool_sequence=True)
        assert_equal(sorted(seq["txids"]), sorted(txids))
        assert_equal(seq["mempool_sequence"], self.seq0 + 3)
        # Fewer ancestors first, as Core sorts them.
        assert_equal(node.getrawmempool(), txids)

        info = node.getmempoolinfo()
        assert_equal((info["size"], info["bytes"]), (3, sum(t["vsize"] for t in (a, b, c))))
        assert_equal(info["total_fee"], btc(sum(t["fee"] for t in (a, b, c))))
        assert info["usage"] > info["bytes"]

        tip = node.getblockcount()
        entries = node.getrawmempool(True)
        assert_equal(sorted(entries), sorted(txids))
        for i, t in enumerate((a, b, c)):
            e = node.getmempoolentry(t["txid"])
            check_shape(e, ENTRY, "getmempoolentry")
            assert_equal(entries[t["txid"]], e)
            anc, desc = (a, b, c)[:i + 1], (a, b, c)[i:]
            assert_equal((e["vsize"], e["weight"], e["height"], e["wtxid"]),
                         (t["vsize"], t["tx"].get_weight(), tip, t["wtxid"]))
            assert_equal((e["ancestorcount"], e["ancestorsize"]), (len(anc), sum(x["vsize"] for x in anc)))
            assert_equal((e["descendantcount"], e["descendantsize"]), (len(desc), sum(x["vsize"] for x in desc)))
            assert_equal(e["fees"], {"base": btc(t["fee"]), "modified": btc(t["fee"]),
                                     "ancestor": btc(sum(x["fee"] for x in anc)),
                                     "descendant": btc(sum(x["fee"] for x in desc))})
            assert_equal(e["depends"], [(a, b, c)[i - 1]["txid"]] if i else [])
            assert_equal(e["spentby"], [(a, b, c)[i + 1]["txid"]] if i < 2 else [])
            assert_equal((e["bip125-replaceable"], e["unbroadcast"]), (False, False))

        assert_equal(node.getmempoolancestors(c["txid"]), sorted([a["txid"], b["txid"]],
                                                                 key=lambda h: bytes.fromhex(h)[::-1]))
        assert_equal(node.getmempoolancestors(a["txid"]), [])
        assert_equal(node.getmempooldescendants(a["txid"]), sorted([b["txid"], c["txid"]],
                                                                   key=lambda h: bytes.fromhex(h)[::-1]))
        assert_equal(node.getmempooldescendants(c["txid"], False), [])
        v = node.getmempoolancestors(c["txid"], True)
        assert_equal(sorted(v), sorted([a["txid"], b["txid"]]))
        for k, e in v.items():
            check_shape(e, ENTRY, "getmempoolancestors")
            assert_equal(e, node.getmempoolentry(k))
        v = node.getmempooldescendants(txid=a["txid"], verbose=True)
        assert_equal(sorted(v), sorted([b["txid"], c["txid"]]))
        for k, e in v.items():
            assert_equal(e, node.getmempoolentry(k))

        missing = "00" * 32
        for m in (node.getmempoolentry, node.getmempoolancestors, node.getmempooldescendants):
            assert_rpc(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool", m, missing)
            assert_rpc(RPC_INVALID_PARAMETER, "parameter 1 must be of length 64 (not 3, for 'abc')", m, "abc")
            assert_rpc(RPC_INVALID_PARAMETER, "parameter 1 must be hexadecimal string (not '%s')" % ("zz" * 32),
                       m, "zz" * 32)
        try:
            node.getmempoolancestors(a["txid"], "yes")
            raise AssertionError("a string verbose was accepted")
        except JSONRPCException as e:
            assert_equal(e.error["code"], RPC_TYPE_ERROR)

        # A signalling parent makes its descendants replaceable too.
        sig = w.send_self_transfer(from_node=node, sequence=0xfffffffd)
        kid = w.send_self_transfer(from_node=node, utxo_to_spend=sig["new_utxo"])
        assert_equal(node.getmempoolentry(sig["txid"])["bip125-replaceable"], True)
        assert_equal(node.getmempoolentry(kid["txid"])["bip125-replaceable"], True)
        self.chain = (a, b, c)
        self.generate(node, 1)
        w.rescan_utxos()
        assert_equal(node.getrawmempool(), [])

    def check_prioritise(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("prioritisetransaction: modified fees, arrival after a delta, mining order")
        p = w.send_self_transfer(from_node=node, fee_rate=1000)
        q = w.send_self_transfer(from_node=node, fee_rate=5000)
        assert_equal(node.prioritisetransaction(p["txid"], 0, 100000), True)
        assert_equal(node.prioritisetransaction(txid=p["txid"], fee_delta=-20000), True)
        e = node.getmempoolentry(p["txid"])
        assert_equal((e["fees"]["base"], e["fees"]["modified"]), (btc(p["fee"]), btc(p["fee"] + 80000)))
        assert_equal((e["fees"]["ancestor"], e["fees"]["descendant"]), (btc(p["fee"] + 80000),) * 2)
        assert_equal(node.getmempoolinfo()["total_fee"], btc(p["fee"] + q["fee"]))
        # The block template takes the prioritised transaction first.
        gbt = node.getblocktemplate({"rules": ["segwit"]})
        assert_equal([t["txid"] for t in gbt["transactions"]], [p["txid"], q["txid"]])

        # A delta before the transaction arrives lets a 0-fee one in.
        zero = w.create_self_transfer(fee=0)
        assert_equal(node.testmempoolaccept([zero["hex"]])[0]["reject-reason"], "min relay fee not met")
        assert_equal(node.prioritisetransaction(zero["txid"], None, 1000), True)
        ghost = "ab" * 32
        assert_equal(node.prioritisetransaction(ghost, 0, 777), True)
        assert_equal(node.getprioritisedtransactions(), {
            p["txid"]: {"fee_delta": 80000, "in_mempool": True, "modified_fee": p["fee"] + 80000},
            zero["txid"]: {"fee_delta": 1000, "in_mempool": False},
            ghost: {"fee_delta": 777, "in_mempool": False}})
        assert_equal(node.sendrawtransaction(zero["hex"]), zero["txid"])
        e = node.getmempoolentry(zero["txid"])
        assert_equal((e["fees"]["base"], e["fees"]["modified"]), (Decimal(0), btc(1000)))
        assert_equal(node.getprioritisedtransactions()[zero["txid"]],
                     {"fee_delta": 1000, "in_mempool": True, "modified_fee": 1000})
        # Back to 0: the delta is forgotten.
        assert_equal(node.prioritisetransaction(ghost, 0, -777), True)
        assert ghost not in node.getprioritisedtransactions()

        self.log.info("prioritisetransaction: errors")
        assert_rpc(RPC_INVALID_PARAMETER,
                   "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.",
                   node.prioritisetransaction, p["txid"], 1, 10)
        assert_rpc(RPC_INVALID_PARAMETER, "txid must be of length 64 (not 2, for 'ab')",
                   node.prioritisetransaction, "ab", 0, 10)
        for bad in ((p["txid"],), (p["txid"], 0)):
            try:
                node.prioritisetransaction(*bad)
                raise AssertionError("prioritisetransaction without fee_delta was accepted")
            except JSONRPCException as err:
                assert_equal(err.error["code"], RPC_MISC_ERROR)
                assert err.error["message"].startswith("prioritisetransaction \"txid\""), err.error
        try:
            node.prioritisetransaction(p["txid"], 0, "10")
            raise AssertionError("a string fee_delta was accepted")
        except JSONRPCException as err:
            assert_equal(err.error["code"], RPC_TYPE_ERROR)

        # Mined: entries and their deltas go.
        self.generate(node, 1)
        w.rescan_utxos()
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getprioritisedtransactions(), {})

    def check_lookups(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("getrawtransaction and gettxout see the mempool")
        utxo = w.get_utxo(mark_as_spent=False)
        conf = node.gettxout(utxo["txid"], utxo["vout"])
        assert conf is not None and conf["confirmations"] >= 1
        tx = w.send_self_transfer(from_node=node, utxo_to_spend=w.get_utxo())
        assert_equal(node.getrawtransaction(tx["txid"]), tx["hex"])
        assert_equal(node.getrawtransaction(tx["txid"], 0), tx["hex"])
        v = node.getrawtransaction(tx["txid"], True)
        assert_equal(list(v), ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout",
                               "hex"])
        assert_equal((v["txid"], v["hash"], v["vsize"], v["hex"]), (tx["txid"], tx["wtxid"], tx["vsize"], tx["hex"]))
        assert_equal(node.getrawtransaction(txid=tx["txid"], verbosity=1), v)

        # The spent confirmed output is gone with the mempool, there without.
        assert_equal(node.gettxout(utxo["txid"], utxo["vout"]), None)
        assert_equal(node.gettxout(utxo["txid"], utxo["vout"], True), None)
        assert_equal(node.gettxout(utxo["txid"], utxo["vout"], False), conf)
        # The new output: confirmations 0, the tip as bestblock.
        out = node.gettxout(tx["txid"], 0)
        assert_equal(list(out), ["bestblock", "confirmations", "value", "scriptPubKey", "coinbase"])
        assert_equal((out["bestblock"], out["confirmations"], out["value"], out["coinbase"]),
                     (node.getbestblockhash(), 0, btc(tx["new_utxo"]["value"]), False))
        assert_equal(out["scriptPubKey"]["hex"], w.script_pubkey.hex())
        assert_equal(out["scriptPubKey"]["address"], w.address)
        assert_equal(node.gettxout(tx["txid"], 0, False), None)
        assert_equal(node.gettxout(tx["txid"], 1), None)
        # Spent inside the mempool: null too.
        child = w.send_self_transfer(from_node=node, utxo_to_spend=tx["new_utxo"])
        assert_equal(node.gettxout(tx["txid"], 0), None)
        assert node.gettxout(child["txid"], 0) is not None
        self.generate(node, 1)
        w.rescan_utxos()
        out = node.gettxout(child["txid"], 0)
        assert_equal(out["confirmations"], 1)
        assert_equal(node.getrawtransaction(child["txid"], True, node.getbestblockhash())["in_active_chain"], True)

    def check_save(self):
        node = self.nodes[0]
        w = self.wallet
        self.log.info("savemempool")
        w.send_self_transfer(from_node=node)
        res = node.savemempool()
        check_shape(res, {"filename": STR})
        assert res["filename"].endswith("mempool.dat")
        assert os.path.isfile(res["filename"])
        assert os.path.getsize(res["filename"]) > 100
        try:
            node.savemempool(1)
            raise AssertionError("savemempool took an argument")
        except JSONRPCException as err:
            assert_equal(err.error["code"], RPC_MISC_ERROR)


if __name__ == "__main__":
    MempoolRpcTest(__file__).main()
