#!/usr/bin/env python3
"""getblock verbosity 2 and 3 and getrawtransaction verbosity 2: fees and
prevouts from the blocks' undo records, as Bitcoin Core 30.

- On the shared regtest chain (imported with -loadblock): for a sample of
  blocks, verbosity 2 gives every non-coinbase transaction a "fee" (between
  "vout" and "hex") and no "prevout"; verbosity 3 is verbosity 2 plus a
  "prevout" (generated, height, value, scriptPubKey) before each
  non-coinbase input's "sequence", and 4 answers as 3. Each prevout is
  checked against the output it names, read from the block at its height
  (so "generated" is true exactly for coinbase outputs); the prevout values
  minus the outputs equal the fee; the coinbase pays out no more than the
  subsidy plus the block's fees.
- getrawtransaction verbosity 2 with a block hash is the block's verbosity-3
  entry plus the block fields, through -txindex the same without
  in_active_chain; a coinbase answers as verbosity 1.
- MiniWallet transactions: in the mempool verbosity 2 answers as verbosity 1
  (Core reads fees and prevouts only from undo data); once mined, the fee is
  the wallet's, a coinbase spend is "generated" at its height, the spend of
  a wallet output is not.
- A block stored but never connected (equal work, second seen) has no undo
  record: fee and prevout are omitted. A block disconnected by
  invalidateblock keeps its record, as in Core.
"""

import json
from decimal import Decimal

from test_framework.blocktools import COINBASE_MATURITY, bootstrap_records
from test_framework.messages import COIN, hash256, hash_to_hex
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

TX_KEYS = ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout"]
BLOCK_FIELDS = ["blockhash", "confirmations", "time", "blocktime"]
SPK_KEYS = {"asm", "desc", "hex", "type"}


def subsidy(height):
    # The regtest subsidy halves every 150 blocks.
    return (50 * COIN) >> (height // 150)


class RawTxVerboseTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def block_at(self, height):
        """getblock verbosity 2 of the active block at height, cached."""
        if height not in self.cache:
            self.cache[height] = self.node.getblock(self.node.getblockhash(height), 2)
        return self.cache[height]

    def check_prevout(self, vin):
        """vin's prevout describes the output it spends, as the chain has it."""
        p = vin["prevout"]
        assert_equal(list(p), ["generated", "height", "value", "scriptPubKey"])
        block = self.block_at(p["height"])
        pos = [i for i, t in enumerate(block["tx"]) if t["txid"] == vin["txid"]]
        assert_equal(len(pos), 1)
        out = block["tx"][pos[0]]["vout"][vin["vout"]]
        assert_equal(p["generated"], pos[0] == 0)
        assert_equal(p["value"], out["value"])
        assert_equal(p["scriptPubKey"], out["scriptPubKey"])
        assert SPK_KEYS <= set(p["scriptPubKey"]), p

    def check_block(self, blockhash, height):
        """Verbosity 2, 3 and 4 of one connected block."""
        v2 = self.node.getblock(blockhash, 2)
        v3 = self.node.getblock(blockhash, 3)
        assert_equal(self.node.getblock(blockhash, 4), v3)
        assert_equal(len(v2["tx"]), len(v3["tx"]))
        fees = 0
        for i, (t2, t3) in enumerate(zip(v2["tx"], v3["tx"])):
            if i == 0:
                assert_equal(list(t2), TX_KEYS + ["hex"])
                assert_equal(t3, t2)
                assert all("prevout" not in x for x in t3["vin"])
                continue
            assert_equal(list(t2), TX_KEYS + ["fee", "hex"])
            assert_equal(list(t3), TX_KEYS + ["fee", "hex"])
            assert isinstance(t2["fee"], Decimal) and t2["fee"] >= 0, t2["fee"]
            assert_equal(t3["fee"], t2["fee"])
            total_in = Decimal(0)
            for x2, x3 in zip(t2["vin"], t3["vin"]):
                assert "prevout" not in x2, x2
                keys = list(x3)
                assert_equal(keys[-2:], ["prevout", "sequence"])
                assert_equal(keys[:-2] + ["sequence"], list(x2))
                self.check_prevout(x3)
                total_in += x3["prevout"]["value"]
                strip = dict(x3)
                del strip["prevout"]
                assert_equal(strip, x2)
            total_out = sum(o["value"] for o in t3["vout"])
            assert_equal(total_in - total_out, t3["fee"])
            fees += int(t3["fee"] * COIN)
            self.checked_inputs += len(t3["vin"])
        paid = sum(int(o["value"] * COIN) for o in v2["tx"][0]["vout"])
        assert paid <= subsidy(height) + fees, (height, paid, fees)
        self.checked_blocks += 1
        return v3

    def check_rawtx(self, v3, blockhash, tip):
        """getrawtransaction verbosity 2 against the block's verbosity 3."""
        for i, t in enumerate(v3["tx"]):
            r2 = self.node.getrawtransaction(t["txid"], 2, blockhash)
            r1 = self.node.getrawtransaction(t["txid"], 1, blockhash)
            assert_equal(list(r2), ["in_active_chain"] + list(t) + BLOCK_FIELDS)
            assert_equal(r2["in_active_chain"], True)
            assert_equal(r2["confirmations"], tip - v3["height"] + 1)
            assert_equal({k: r2[k] for k in t}, t)
            if i == 0:
                assert_equal(r2, r1)
            else:
                assert "fee" not in r1
                assert all("prevout" not in x for x in r1["vin"])
            # verbose=true is 1, larger numbers are 2.
            assert_equal(self.node.getrawtransaction(t["txid"], True, blockhash), r1)
            assert_equal(self.node.getrawtransaction(t["txid"], 7, blockhash), r2)
            # Through -txindex: the same, without in_active_chain.
            del r2["in_active_chain"]
            assert_equal(self.node.getrawtransaction(t["txid"], 2), r2)

    def run_test(self):
        self.node = self.nodes[0]
        self.cache = {}
        self.checked_blocks = self.checked_inputs = 0
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        tip = expect["height"]
        raws = list(bootstrap_records(dat))
        hashes = [hash_to_hex(hash256(r[:80])) for r in raws]

        self.log.info("import the shared chain")
        self.start_node(0, extra_args=["-txindex", "-loadblock=" + dat])
        self.wait_until(lambda: self.node.getblockcount() >= tip, timeout=600)
        self.node.syncwithvalidationinterfacequeue()
        assert_equal(self.node.getbestblockhash(), expect["bestblockhash"])

        self.log.info("getblock verbosity 2/3: fees and prevouts against the chain")
        # The genesis block and a block of only its coinbase: no fee anywhere.
        for h in (0, 1):
            v3 = self.node.getblock(hashes[h], 3)
            assert_equal(list(v3["tx"][0]), TX_KEYS + ["hex"])
        # The busiest blocks (by the transaction count after the header),
        # one every 50 blocks after the first spendable coinbase, the tip.
        busy = sorted(range(1, tip + 1), key=lambda h: -raws[h][80])[:5]
        sample = sorted(set(busy) | set(range(101, tip + 1, 50)) | {tip})
        last = None
        for h in sample:
            v3 = self.check_block(hashes[h], h)
            if len(v3["tx"]) > 1:
                last = (h, v3)
        self.log.info("checked %d blocks, %d inputs", self.checked_blocks, self.checked_inputs)
        assert self.checked_inputs > 0, "the sample spends nothing"

        self.log.info("getrawtransaction verbosity 2 with a block hash")
        self.check_rawtx(last[1], hashes[last[0]], tip)

        self.log.info("MiniWallet: a mempool transaction, then mined")
        wallet = MiniWallet(self.node)
        wallet.generate(COINBASE_MATURITY + 1)
        utxo = wallet.get_utxo()
        assert utxo["coinbase"]
        a = wallet.send_self_transfer(from_node=self.node, utxo_to_spend=utxo)
        b = wallet.send_self_transfer(from_node=self.node, utxo_to_spend=a["new_utxo"])
        for t in (a, b):
            m2 = self.node.getrawtransaction(t["txid"], 2)
            assert_equal(m2, self.node.getrawtransaction(t["txid"], 1))
            assert "fee" not in m2 and "blockhash" not in m2, m2
            assert all("prevout" not in x for x in m2["vin"])

        # Keep a second block with the same transactions for later: same
        # height and work as the one mined now, so it is stored but never
        # connected.
        side = self.node.generateblock("raw(51)", [a["hex"], b["hex"]], False)
        [mined] = wallet.generate(1)
        height = self.node.getblockcount()
        ra = self.node.getrawtransaction(a["txid"], 2, mined)
        rb = self.node.getrawtransaction(b["txid"], 2, mined)
        assert_equal(ra["fee"], Decimal(a["fee"]) / COIN)
        assert_equal(rb["fee"], Decimal(b["fee"]) / COIN)
        pa = ra["vin"][0]["prevout"]
        assert_equal(pa["generated"], True)
        assert_equal(pa["height"], utxo["height"])
        assert_equal(pa["value"], Decimal(utxo["value"]) / COIN)
        assert_equal(pa["scriptPubKey"]["hex"], wallet.script_pubkey.hex())
        assert_equal(pa["scriptPubKey"]["address"], wallet.get_address())
        assert_equal(pa["scriptPubKey"]["type"], "witness_v1_taproot")
        pb = rb["vin"][0]["prevout"]
        assert_equal(pb["generated"], False)
        assert_equal(pb["height"], height)
        assert_equal(pb["value"], ra["vout"][0]["value"])
        self.check_block(mined, height)

        self.log.info("a disconnected block keeps its undo record")
        self.node.invalidateblock(mined)
        r = self.node.getrawtransaction(b["txid"], 2, mined)
        assert_equal(r["in_active_chain"], False)
        assert_equal(r["fee"], rb["fee"])
        assert_equal(r["vin"][0]["prevout"], pb)
        assert_equal(self.node.getblock(mined, 3)["tx"][1]["vin"][0]["prevout"], pa)
        self.node.reconsiderblock(mined)
        assert_equal(self.node.getbestblockhash(), mined)

        self.log.info("a block never connected has no undo record: no fee, no prevout")
        assert_equal(self.node.submitblock(side["hex"]), "inconclusive")
        assert_equal(self.node.getbestblockhash(), mined)
        sv2 = self.node.getblock(side["hash"], 2)
        sv3 = self.node.getblock(side["hash"], 3)
        assert_equal(sv3, sv2)
        for t in sv3["tx"]:
            assert_equal(list(t), TX_KEYS + ["hex"])
            assert all("prevout" not in x for x in t["vin"])
        r = self.node.getrawtransaction(a["txid"], 2, side["hash"])
        assert_equal(r["in_active_chain"], False)
        assert "fee" not in r
        assert_equal(r, self.node.getrawtransaction(a["txid"], 1, side["hash"]))


if __name__ == "__main__":
    RawTxVerboseTest(__file__).main()
