#!/usr/bin/env python3
"""Blockchain RPCs: result shapes key by key (as Core documents them) and values.

On a chain of 200 generated blocks (the regtest subsidy halves at 150):
getblockchaininfo, getblockcount, getbestblockhash, getblockhash,
getblockheader (both forms), getblock (verbosity 0, 1, 2), getchaintips,
getdifficulty, gettxout, gettxoutsetinfo (amounts, bogosize,
hash_serialized_3), getchaintxstats, getdeploymentinfo, getmempoolinfo,
getrawmempool, scantxoutset, waitfornewblock, waitforblock,
waitforblockheight, verifychain, invalidateblock and reconsiderblock (the UTXO
hash restored exactly).
"""

import decimal
import threading
import time

from test_framework.address import address_to_scriptpubkey, descsum_create, key_to_p2pkh
from test_framework.key import ECKey
from test_framework.messages import CBlock, CBlockHeader
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import (REGTEST_GENESIS_HASH, assert_equal, assert_greater_than, assert_is_hash_string,
                                 assert_is_hex_string, assert_keys, assert_raises_rpc_error)

D = decimal.Decimal
REGTEST_DIFFICULTY = D("4.656542373906925E-10")
REGTEST_TARGET = "7fffff0000000000000000000000000000000000000000000000000000000000"
HEADER_KEYS = ["hash", "confirmations", "height", "version", "versionHex", "merkleroot", "time", "mediantime",
               "nonce", "bits", "target", "difficulty", "chainwork", "nTx"]
LINK_KEYS = ["previousblockhash", "nextblockhash"]


class RpcBlockchainTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        key = ECKey(0xb10c)
        self.addr = key_to_p2pkh(key.get_pubkey().get_bytes())
        self.spk = address_to_scriptpubkey(self.addr)
        self.hashes = [REGTEST_GENESIS_HASH] + self.generate(node, 189, address=self.addr)
        self.utxo189 = node.gettxoutsetinfo()["hash_serialized_3"]
        self.hashes += self.generate(node, 11, address=self.addr)
        self.check_chaininfo()
        self.check_headers_and_blocks()
        self.check_utxo()
        self.check_txstats_deployments_mempool()
        self.check_waits()
        self.check_invalidate()
        assert_equal(node.verifychain(), True)
        assert_equal(node.verifychain(4, 0), True)

    def check_chaininfo(self):
        node = self.nodes[0]
        self.log.info("getblockchaininfo, getblockcount, getbestblockhash, getdifficulty")
        info = node.getblockchaininfo()
        assert_keys(info, ["chain", "blocks", "headers", "bestblockhash", "bits", "target", "difficulty", "time",
                           "mediantime", "verificationprogress", "initialblockdownload", "chainwork",
                           "size_on_disk", "pruned", "warnings"])
        assert_equal(info["chain"], "regtest")
        assert_equal(info["blocks"], 200)
        assert_equal(info["headers"], 200)
        assert_equal(info["bestblockhash"], self.hashes[200])
        assert_equal(info["bits"], "207fffff")
        assert_equal(info["target"], REGTEST_TARGET)
        assert_equal(info["difficulty"], REGTEST_DIFFICULTY)
        assert_equal(info["chainwork"], "%064x" % (2 * 201))
        assert_equal(info["initialblockdownload"], False)
        assert_equal(info["pruned"], False)
        assert isinstance(info["warnings"], list)
        assert_greater_than(info["size_on_disk"], 0)
        assert 0 < info["verificationprogress"] <= 1
        tip = node.getblockheader(self.hashes[200])
        assert_equal(info["time"], tip["time"])
        assert_equal(info["mediantime"], tip["mediantime"])
        assert_equal(node.getblockcount(), 200)
        assert_equal(node.getbestblockhash(), self.hashes[200])
        assert_equal(node.getdifficulty(), REGTEST_DIFFICULTY)

    def check_headers_and_blocks(self):
        node = self.nodes[0]
        self.log.info("getblockhash, getblockheader, getblock (0, 1, 2), getchaintips")
        for h in (0, 1, 16, 17, 149, 150, 151, 199, 200):
            assert_equal(node.getblockhash(h), self.hashes[h])
        times = []
        for h in range(0, 201):
            hdr = node.getblockheader(self.hashes[h])
            times.append(hdr["time"])
            if h not in (0, 1, 100, 199, 200):
                continue
            optional = [k for k in LINK_KEYS if (k != "previousblockhash" or h > 0) and (k != "nextblockhash" or h < 200)]
            assert_keys(hdr, HEADER_KEYS + optional)
            assert_equal(hdr["height"], h)
            assert_equal(hdr["hash"], self.hashes[h])
            assert_equal(hdr["confirmations"], 201 - h)
            assert_equal(hdr["nTx"], 1)
            assert_equal(hdr["bits"], "207fffff")
            assert_equal(hdr["target"], REGTEST_TARGET)
            assert_equal(hdr["difficulty"], REGTEST_DIFFICULTY)
            assert_equal(hdr["chainwork"], "%064x" % (2 * (h + 1)))
            assert_equal(hdr["versionHex"], "%08x" % hdr["version"])
            if h > 0:
                assert_equal(hdr["previousblockhash"], self.hashes[h - 1])
                # Median time past: the median of the previous 11 blocks' times.
                window = sorted(times[max(0, h - 10):h + 1])
                assert_equal(hdr["mediantime"], window[len(window) // 2])
            if h < 200:
                assert_equal(hdr["nextblockhash"], self.hashes[h + 1])
            raw = node.getblockheader(self.hashes[h], False)
            assert_is_hex_string(raw, 160)
            parsed = CBlockHeader.from_hex(raw)
            assert_equal(parsed.hash_hex, self.hashes[h])
            assert_equal(parsed.time, hdr["time"])
            assert_equal(parsed.nonce, hdr["nonce"])
            assert_equal("%08x" % parsed.bits, hdr["bits"])
            assert_equal(parsed.merkle_root[::-1].hex(), hdr["merkleroot"])

        h = 150
        raw = node.getblock(self.hashes[h], 0)
        blk = CBlock.from_hex(raw)
        assert_equal(blk.hash_hex, self.hashes[h])
        assert_equal(blk.calc_merkle_root(), blk.merkle_root)
        assert_equal(blk.vtx[0].vout[0].value, 25 * 10**8)           # halved at 150
        assert_equal(blk.vtx[0].vout[0].script_pubkey, self.spk)
        b1 = node.getblock(self.hashes[h])
        assert_keys(b1, HEADER_KEYS + LINK_KEYS + ["size", "strippedsize", "weight", "tx"], optional=["coinbase_tx"])
        assert_equal(b1["tx"], [blk.vtx[0].txid_hex])
        assert_equal(b1["size"], len(bytes.fromhex(raw)))
        assert_equal(b1["strippedsize"], len(blk.serialize(with_witness=False)))
        assert_equal(b1["weight"], blk.get_weight())
        b2 = node.getblock(self.hashes[h], 2)
        assert_equal(len(b2["tx"]), 1)
        tx = b2["tx"][0]
        for k in ("txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout", "hex"):
            assert k in tx, "getblock verbosity 2 tx lacks %s" % k
        assert_equal(tx["txid"], blk.vtx[0].txid_hex)
        assert_equal(tx["hash"], blk.vtx[0].wtxid_hex)
        assert_equal(tx["hex"], blk.vtx[0].serialize().hex())
        assert "coinbase" in tx["vin"][0]
        assert_equal(tx["vout"][0]["value"], D("25.00000000"))
        assert_equal(tx["vout"][0]["n"], 0)
        assert_equal(tx["vout"][0]["scriptPubKey"]["hex"], self.spk.hex())
        assert_equal(tx["vout"][0]["scriptPubKey"]["address"], self.addr)
        assert_equal(node.getblock(self.hashes[1], 0), node.getblock(blockhash=self.hashes[1], verbosity=0))
        genesis = node.getblock(REGTEST_GENESIS_HASH)
        assert "previousblockhash" not in genesis
        assert_equal(genesis["height"], 0)

        tips = node.getchaintips()
        assert_equal(tips, [{"height": 200, "hash": self.hashes[200], "branchlen": 0, "status": "active"}])

    def check_utxo(self):
        node = self.nodes[0]
        self.log.info("gettxout, gettxoutsetinfo, scantxoutset")
        cb1 = node.getblock(self.hashes[1])["tx"][0]
        out = node.gettxout(cb1, 0)
        assert_keys(out, ["bestblock", "confirmations", "value", "scriptPubKey", "coinbase"])
        assert_equal(out["bestblock"], self.hashes[200])
        assert_equal(out["confirmations"], 200)
        assert_equal(out["value"], D("50.00000000"))
        assert_equal(out["coinbase"], True)
        spk = out["scriptPubKey"]
        assert_keys(spk, ["asm", "desc", "hex", "address", "type"])
        assert_equal(spk["hex"], self.spk.hex())
        assert_equal(spk["address"], self.addr)
        assert_equal(spk["type"], "pubkeyhash")
        assert_equal(node.gettxout(cb1, 1), None)                 # the witness commitment is unspendable
        assert_equal(node.gettxout("00" * 32, 0), None)
        # 149 blocks of 50 and 51 of 25 (heights 150..200); each output is
        # counted in bogosize as 50 bytes plus its script.
        info = node.gettxoutsetinfo()
        assert_keys(info, ["height", "bestblock", "txouts", "bogosize", "hash_serialized_3", "total_amount",
                           "transactions", "disk_size"])
        assert_equal(info["height"], 200)
        assert_equal(info["bestblock"], self.hashes[200])
        assert_equal(info["txouts"], 200)
        assert_equal(info["transactions"], 200)
        assert_equal(info["bogosize"], 200 * (50 + len(self.spk)))
        assert_equal(info["total_amount"], D("8725.00000000"))
        assert_is_hash_string(info["hash_serialized_3"])
        assert info["hash_serialized_3"] != self.utxo189
        again = node.gettxoutsetinfo("hash_serialized_3")
        assert_equal(again["hash_serialized_3"], info["hash_serialized_3"])
        scan = node.scantxoutset("start", [descsum_create("addr(%s)" % self.addr)])
        assert_equal(scan["success"], True)
        assert_equal(scan["height"], 200)
        assert_equal(scan["bestblock"], self.hashes[200])
        assert_equal(len(scan["unspents"]), 200)
        assert_equal(scan["total_amount"], D("8725.00000000"))
        u = [x for x in scan["unspents"] if x["txid"] == cb1][0]
        assert_equal((u["vout"], u["amount"], u["height"], u["scriptPubKey"]), (0, D("50.00000000"), 1, self.spk.hex()))
        scan = node.scantxoutset("start", ["raw(%s)" % self.spk.hex()])
        assert_equal(len(scan["unspents"]), 200)
        assert_equal(node.scantxoutset("start", ["raw(51)"])["unspents"], [])
        assert_raises_rpc_error(-5, None, node.scantxoutset, "start", ["addr(notanaddress)"])

    def check_txstats_deployments_mempool(self):
        node = self.nodes[0]
        self.log.info("getchaintxstats, getdeploymentinfo, getmempoolinfo, getrawmempool")
        s = node.getchaintxstats()
        assert_keys(s, ["time", "txcount", "window_final_block_hash", "window_final_block_height",
                        "window_block_count", "window_tx_count", "window_interval", "txrate"])
        assert_equal(s["txcount"], 201)
        assert_equal(s["window_final_block_hash"], self.hashes[200])
        assert_equal(s["window_final_block_height"], 200)
        assert_equal(s["window_block_count"], 199)
        assert_equal(s["window_tx_count"], 199)
        s = node.getchaintxstats(10, self.hashes[100])
        assert_equal((s["txcount"], s["window_block_count"], s["window_tx_count"]), (101, 10, 10))
        assert_equal(s["window_final_block_height"], 100)
        assert_raises_rpc_error(-8, None, node.getchaintxstats, 201)

        d = node.getdeploymentinfo()
        assert_equal(d["hash"], self.hashes[200])
        assert_equal(d["height"], 200)
        for name in ("bip34", "bip66", "bip65", "csv", "segwit"):
            dep = d["deployments"][name]
            assert_equal(dep["type"], "buried")
            assert_equal(dep["active"], True)
            assert dep["height"] <= 1, (name, dep)

        m = node.getmempoolinfo()
        for k in ("loaded", "size", "bytes", "usage", "total_fee", "maxmempool", "mempoolminfee", "minrelaytxfee"):
            assert k in m, "getmempoolinfo lacks %s" % k
        assert_equal((m["loaded"], m["size"], m["bytes"]), (True, 0, 0))
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getrawmempool(True), {})

    def check_waits(self):
        node = self.nodes[0]
        self.log.info("waitforblockheight, waitforblock, waitfornewblock")
        assert_equal(node.waitforblockheight(200, 1000), {"hash": self.hashes[200], "height": 200})
        assert_equal(node.waitforblock(self.hashes[200], 1000), {"hash": self.hashes[200], "height": 200})
        assert_equal(node.waitfornewblock(200), {"hash": self.hashes[200], "height": 200})
        result = {}
        waiter = node.get_rpc_proxy(timeout=120)
        t = threading.Thread(target=lambda: result.update(waiter.waitfornewblock(60000)))
        t.start()
        # Let the call register the current tip first, or it waits for the block after ours.
        time.sleep(1)
        assert t.is_alive(), "waitfornewblock returned without a new block: %s" % result
        new = self.generate(node, 1, address=self.addr)[0]
        t.join(60)
        assert not t.is_alive()
        assert_equal(result, {"hash": new, "height": 201})
        self.hashes.append(new)

    def check_invalidate(self):
        node = self.nodes[0]
        self.log.info("invalidateblock/reconsiderblock restore the UTXO set exactly")
        before = node.gettxoutsetinfo()["hash_serialized_3"]
        node.invalidateblock(self.hashes[190])
        assert_equal(node.getblockcount(), 189)
        assert_equal(node.getbestblockhash(), self.hashes[189])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.utxo189)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[self.hashes[189]]["status"], "active")
        assert_equal(tips[self.hashes[201]]["status"], "invalid")
        assert_equal(tips[self.hashes[201]]["branchlen"], 12)
        assert_equal(node.gettxout(node.getblock(self.hashes[195])["tx"][0], 0), None)
        node.reconsiderblock(self.hashes[190])
        assert_equal(node.getbestblockhash(), self.hashes[201])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], before)
        assert_equal(len(node.getchaintips()), 1)
        assert_raises_rpc_error(-5, "Block not found", node.invalidateblock, "00" * 32)


if __name__ == "__main__":
    RpcBlockchainTest(__file__).main()
