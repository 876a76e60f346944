#!/usr/bin/env python3
"""getblockstats: every statistic recomputed here from getblock verbosity 3.

- A fresh regtest chain with MiniWallet transactions of every kind the
  statistics tell apart: taproot and P2WSH spends (segwit), P2PK spends (no
  witness), several fee rates, several outputs, zero-value OP_RETURN
  padding (counted by utxo_increase but not by utxo_increase_actual).
- For each block (genesis, coinbase-only blocks and the busy ones) the full
  answer equals the statistics computed in Python from the block's
  transactions, sizes, weights, fees and prevouts, key by key and in
  Core's key order; by height and by hash alike.
- The stats filter: any subset, in Core's set order (sorted, once each);
  an unknown name is -8 naming the first unknown one in that order.
- Errors as Core words them: negative height, height above the tip, a
  height that is not an int (-1), a bad or unknown hash, wrong types (-3),
  a header without its block (submitheader), a block stored but never
  connected, wrong arity.
"""

from decimal import Decimal

from test_framework.blocktools import COINBASE_MATURITY, create_block, create_coinbase, solve
from test_framework.messages import COIN
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

KEYS = ["avgfee", "avgfeerate", "avgtxsize", "blockhash", "feerate_percentiles", "height", "ins", "maxfee",
        "maxfeerate", "maxtxsize", "medianfee", "mediantime", "mediantxsize", "minfee", "minfeerate",
        "mintxsize", "outs", "subsidy", "swtotal_size", "swtotal_weight", "swtxs", "time", "total_out",
        "total_size", "total_weight", "totalfee", "txs", "utxo_increase", "utxo_size_inc",
        "utxo_increase_actual", "utxo_size_inc_actual"]
PER_UTXO_OVERHEAD = 36 + 4 + 1
MAX_MONEY = 21000000 * COIN


def sat(v):
    return int(Decimal(v) * COIN)


def compact_len(n):
    return 1 if n < 253 else 3 if n <= 0xffff else 5


def out_size(spk_hex):
    n = len(spk_hex) // 2
    return 8 + compact_len(n) + n


def unspendable(spk_hex):
    return spk_hex.startswith("6a") or len(spk_hex) // 2 > 10000


def median(v):
    if not v:
        return 0
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) // 2


def percentiles(rates, total_weight):
    if not rates:
        return [0] * 5
    rates = sorted(rates)
    marks = [total_weight / 10.0, total_weight / 4.0, total_weight / 2.0, (total_weight * 3.0) / 4.0,
             (total_weight * 9.0) / 10.0]
    res, cum, nxt = [0] * 5, 0, 0
    for rate, weight in rates:
        cum += weight
        while nxt < 5 and cum >= marks[nxt]:
            res[nxt] = rate
            nxt += 1
    for i in range(nxt, 5):
        res[i] = rates[-1][0]
    return res


def tdiv(a, b):
    """C's truncating division (Core divides int64s)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


class BlockStatsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def expected(self, blockhash):
        node = self.nodes[0]
        b = node.getblock(blockhash, 3)
        height = b["height"]
        st = {k: 0 for k in KEYS}
        fees, sizes, rates = [], [], []
        minfee = minrate = MAX_MONEY
        mintx = 4000000
        utxos = 0
        for i, tx in enumerate(b["tx"]):
            st["outs"] += len(tx["vout"])
            tx_out = 0
            for o in tx["vout"]:
                tx_out += sat(o["value"])
                size = out_size(o["scriptPubKey"]["hex"]) + PER_UTXO_OVERHEAD
                st["utxo_size_inc"] += size
                if height == 0 or unspendable(o["scriptPubKey"]["hex"]):
                    continue
                utxos += 1
                st["utxo_size_inc_actual"] += size
            if i == 0:
                continue
            st["ins"] += len(tx["vin"])
            st["total_out"] += tx_out
            sizes.append(tx["size"])
            st["maxtxsize"] = max(st["maxtxsize"], tx["size"])
            mintx = min(mintx, tx["size"])
            st["total_size"] += tx["size"]
            st["total_weight"] += tx["weight"]
            if any("txinwitness" in vin for vin in tx["vin"]):
                st["swtxs"] += 1
                st["swtotal_size"] += tx["size"]
                st["swtotal_weight"] += tx["weight"]
            tx_in = 0
            for vin in tx["vin"]:
                prev = vin["prevout"]
                tx_in += sat(prev["value"])
                size = out_size(prev["scriptPubKey"]["hex"]) + PER_UTXO_OVERHEAD
                st["utxo_size_inc"] -= size
                st["utxo_size_inc_actual"] -= size
            fee = tx_in - tx_out
            assert_equal(fee, sat(tx["fee"]))
            fees.append(fee)
            st["maxfee"] = max(st["maxfee"], fee)
            minfee = min(minfee, fee)
            st["totalfee"] += fee
            rate = tdiv(fee * 4, tx["weight"])
            rates.append((rate, tx["weight"]))
            st["maxfeerate"] = max(st["maxfeerate"], rate)
            minrate = min(minrate, rate)
        n = len(b["tx"])
        st.update({
            "avgfee": tdiv(st["totalfee"], n - 1) if n > 1 else 0,
            "avgfeerate": tdiv(st["totalfee"] * 4, st["total_weight"]) if st["total_weight"] else 0,
            "avgtxsize": tdiv(st["total_size"], n - 1) if n > 1 else 0,
            "blockhash": blockhash,
            "feerate_percentiles": percentiles(rates, st["total_weight"]),
            "height": height,
            "medianfee": median(fees),
            "mediantime": b["mediantime"],
            "mediantxsize": median(sizes),
            "minfee": 0 if minfee == MAX_MONEY else minfee,
            "minfeerate": 0 if minrate == MAX_MONEY else minrate,
            "mintxsize": 0 if mintx == 4000000 else mintx,
            "subsidy": (50 * COIN) >> (height // 150),
            "time": b["time"],
            "txs": n,
            "utxo_increase": st["outs"] - st["ins"],
            "utxo_increase_actual": utxos - st["ins"],
        })
        return st

    def check_block(self, blockhash):
        node = self.nodes[0]
        exp = self.expected(blockhash)
        got = node.getblockstats(blockhash)
        assert_equal(list(got), KEYS)
        assert_equal(got, exp)
        assert_equal(node.getblockstats(exp["height"]), got)
        assert_equal(node.getblockstats(hash_or_height=exp["height"], stats=[]), got)
        return got

    def run_test(self):
        node = self.nodes[0]
        wallet = MiniWallet(node)
        p2pk = MiniWallet(node, mode="p2pk")
        p2wsh = MiniWallet(node, mode="p2wsh_op_true")
        blocks = [node.getblockhash(0)]
        blocks += wallet.generate(5)
        blocks += p2pk.generate(5)
        blocks += p2wsh.generate(5)
        self.generate(node, COINBASE_MATURITY)

        self.log.info("Transactions of every kind, mined in one block")
        for rate in (1000, 3000, 7000, 25000):
            wallet.send_self_transfer(from_node=node, fee_rate=rate)
        wallet.send_self_transfer_multi(from_node=node, num_outputs=4, fee_per_output=3000)
        wallet.send_self_transfer(from_node=node, target_vsize=900)        # OP_RETURN padding
        p2pk.send_self_transfer(from_node=node, fee_rate=5000)
        p2pk.send_self_transfer(from_node=node, target_vsize=400)
        p2wsh.send_self_transfer(from_node=node, fee_rate=12000)
        busy = self.generate(node, 1)[0]
        assert_equal(len(node.getblock(busy)["tx"]), 10)
        blocks.append(busy)
        self.log.info("A chain of spends in one block, and a block of one spend")
        wallet.send_self_transfer_chain(from_node=node, chain_length=3)
        blocks += self.generate(node, 1)
        p2pk.send_self_transfer(from_node=node)
        blocks += self.generate(node, 1)
        blocks += self.generate(node, 1)        # coinbase only

        self.log.info("Every statistic recomputed from getblock verbosity 3")
        for h in blocks:
            got = self.check_block(h)
        genesis = node.getblockstats(0)
        assert_equal((genesis["txs"], genesis["outs"], genesis["utxo_increase"], genesis["utxo_size_inc"],
                      genesis["utxo_increase_actual"], genesis["utxo_size_inc_actual"]), (1, 1, 1, 117, 0, 0))
        stats = node.getblockstats(busy)
        assert_equal((stats["txs"], stats["ins"], stats["swtxs"]), (10, 9, 7))
        assert stats["utxo_increase"] > stats["utxo_increase_actual"], stats
        assert stats["feerate_percentiles"][0] < stats["feerate_percentiles"][4], stats
        assert_equal(got["txs"], 1)

        self.log.info("The stats filter: sorted, once each, Core's errors")
        assert_equal(node.getblockstats(busy, ["txs", "height", "txs"]),
                     {"height": stats["height"], "txs": stats["txs"]})
        sel = node.getblockstats(busy, ["utxo_size_inc", "avgfee", "feerate_percentiles", "blockhash"])
        assert_equal(list(sel), ["avgfee", "blockhash", "feerate_percentiles", "utxo_size_inc"])
        assert_equal(sel, {k: stats[k] for k in sel})
        for k in KEYS:
            assert_equal(node.getblockstats(busy, [k]), {k: stats[k]})
        assert_raises_rpc_error(-8, "Invalid selected statistic 'aa'", node.getblockstats, busy,
                                ["zz", "aa", "height"])
        assert_raises_rpc_error(-8, "Invalid selected statistic ''", node.getblockstats, busy, [""])
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.getblockstats, busy, [1])
        assert_raises_rpc_error(-3, "Position 2 (stats)", node.getblockstats, busy, "txs")

        self.log.info("hash_or_height errors")
        tip = node.getblockcount()
        assert_raises_rpc_error(-8, "Target block height -1 is negative", node.getblockstats, -1)
        assert_raises_rpc_error(-8, "Target block height %d after current tip %d" % (tip + 1, tip),
                                node.getblockstats, tip + 1)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.getblockstats, 1.5)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.getblockstats, 2 ** 40)
        assert_raises_rpc_error(-5, "Block not found", node.getblockstats, "00" * 32)
        assert_raises_rpc_error(-8, "hash_or_height must be of length 64 (not 3, for 'abc')",
                                node.getblockstats, "abc")
        assert_raises_rpc_error(-8, "hash_or_height must be hexadecimal string", node.getblockstats, "zz" * 32)
        assert_raises_rpc_error(-3, "JSON value of type bool is not of expected type string",
                                node.getblockstats, True)
        assert_raises_rpc_error(-3, "JSON value of type null is not of expected type string",
                                node.getblockstats, None)
        assert_raises_rpc_error(-1, "getblockstats", node.getblockstats)
        assert_raises_rpc_error(-1, "getblockstats", node.getblockstats, 1, [], 3)

        self.log.info("A block known by its header only")
        tip_hash = node.getbestblockhash()
        block = create_block(tip_hash, create_coinbase(tip + 1),
                             node.getblockheader(tip_hash)["time"] + 1)
        solve(block)
        assert_equal(node.submitheader(block.serialize().hex()[:160]), None)
        assert_raises_rpc_error(-1, "Block not found on disk", node.getblockstats, block.hash_hex)
        self.log.info("A block stored but never connected (no undo record)")
        prev = node.getblockhash(tip - 1)
        stale = create_block(prev, create_coinbase(tip, script_pubkey=b"\x51"),
                             node.getblockheader(tip_hash)["time"] + 2)
        solve(stale)
        assert_equal(node.submitblock(stale.serialize().hex()), "inconclusive")
        assert_raises_rpc_error(-1, "Can't read undo data from disk", node.getblockstats, stale.hash_hex)


if __name__ == "__main__":
    BlockStatsTest(__file__).main()
