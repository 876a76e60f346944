#!/usr/bin/env python3
"""Mining RPCs: getmininginfo, getblocktemplate, generate*, submitblock, submitheader.

- getmininginfo's shape and its "next" block (height, bits, difficulty, target).
- generatetoaddress, generatetodescriptor, generateblock (submitted or not).
- getblocktemplate (segwit rule required): a block built by the test from
  the template, with its own coinbase, is accepted by submitblock; the
  template's fields agree with the chain.
- submitblock answers: null for a new block, "duplicate", "high-hash" for an
  unsolved one, "inconclusive" for a valid block on a side branch.
- submitheader: a header is accepted without its block; a bad one refused.
- Coinbase maturity: a spend of a 99-confirmation coinbase is refused, at
  100 it is accepted.
"""

import decimal

from test_framework.address import (ADDRESS_BCRT1_P2WSH_OP_TRUE, address_to_scriptpubkey, descsum_create,
                                    key_to_p2wpkh)
from test_framework.blocktools import (block_subsidy, create_block, create_coinbase, create_next_block, outpoint_of, solve,
                                       spend_p2wsh_op_true)
from test_framework.key import ECKey
from test_framework.messages import CBlock, COIN, CTxOut
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_keys, assert_raises_rpc_error

D = decimal.Decimal
REGTEST_TARGET = "7fffff0000000000000000000000000000000000000000000000000000000000"


class MiningBasicTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.log.info("generatetoaddress, generatetodescriptor, generateblock")
        hashes = self.generate(node, 10)
        assert_equal(len(hashes), 10)
        assert_equal(node.getblockcount(), 10)
        wpkh = key_to_p2wpkh(ECKey(0xfeed).get_pubkey().get_bytes())
        h = node.generatetodescriptor(1, descsum_create("addr(%s)" % wpkh))[0]
        blk = CBlock.from_hex(node.getblock(h, 0))
        assert_equal(blk.vtx[0].vout[0].script_pubkey, address_to_scriptpubkey(wpkh))
        h = node.generatetodescriptor(1, "raw(51)")[0]
        assert_equal(CBlock.from_hex(node.getblock(h, 0)).vtx[0].vout[0].script_pubkey, b"\x51")
        assert_raises_rpc_error(-5, None, node.generatetodescriptor, 1, "raw(zz)")
        res = node.generateblock(ADDRESS_BCRT1_P2WSH_OP_TRUE, [])
        assert_keys(res, ["hash"])
        assert_equal(node.getbestblockhash(), res["hash"])
        res = node.generateblock(output=ADDRESS_BCRT1_P2WSH_OP_TRUE, transactions=[], submit=False)
        assert_keys(res, ["hash", "hex"])
        unsubmitted = CBlock.from_hex(res["hex"])
        assert_equal(unsubmitted.hash_hex, res["hash"])
        assert unsubmitted.check_pow()
        assert node.getbestblockhash() != res["hash"]
        assert_equal(node.submitblock(res["hex"]), None)
        assert_equal(node.getbestblockhash(), res["hash"])
        self.generate(node, 100)
        height = node.getblockcount()

        self.log.info("getmininginfo")
        info = node.getmininginfo()
        assert_keys(info, ["blocks", "bits", "difficulty", "target", "networkhashps", "pooledtx", "chain", "next",
                           "warnings"], optional=["currentblockweight", "currentblocktx", "blockmintxfee"])
        assert_equal(info["blocks"], height)
        assert_equal(info["chain"], "regtest")
        assert_equal((info["bits"], info["target"]), ("207fffff", REGTEST_TARGET))
        assert_equal(info["pooledtx"], 0)
        assert_keys(info["next"], ["height", "bits", "difficulty", "target"])
        assert_equal(info["next"]["height"], height + 1)
        assert_equal(info["next"]["bits"], "207fffff")
        assert_equal(info["next"]["target"], REGTEST_TARGET)
        assert node.getnetworkhashps() >= 0

        self.log.info("getblocktemplate: a block from the template is accepted")
        # template_request is required, as in Core (interop_rpc_diff.py).
        assert_raises_rpc_error(-1, "getblocktemplate {", node.getblocktemplate)
        assert_raises_rpc_error(-8, "segwit", node.getblocktemplate, {})
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        for k in ("capabilities", "version", "rules", "vbavailable", "vbrequired", "previousblockhash", "transactions",
                  "coinbaseaux", "coinbasevalue", "longpollid", "target", "mintime", "mutable", "noncerange",
                  "sigoplimit", "sizelimit", "weightlimit", "curtime", "bits", "height",
                  "default_witness_commitment"):
            assert k in tmpl, "getblocktemplate lacks %s" % k
        assert_equal(tmpl["previousblockhash"], node.getbestblockhash())
        assert_equal(tmpl["height"], height + 1)
        assert_equal(tmpl["bits"], "207fffff")
        assert_equal(tmpl["target"], REGTEST_TARGET)
        assert_equal(tmpl["coinbasevalue"], block_subsidy(height + 1))
        assert_equal(tmpl["transactions"], [])
        assert_equal((tmpl["sigoplimit"], tmpl["sizelimit"], tmpl["weightlimit"]), (80000, 4000000, 4000000))
        assert "!segwit" in tmpl["rules"], tmpl["rules"]      # Core marks segwit as a required rule
        assert_equal(tmpl["mintime"], node.getblockheader(tmpl["previousblockhash"])["mediantime"] + 1)
        cb = create_coinbase(tmpl["height"], value=tmpl["coinbasevalue"])
        block = create_block(coinbase=cb, tmpl=tmpl, witness_commitment=True)
        solve(block)
        # With no transactions the template's commitment is the one we computed.
        assert_equal(block.vtx[0].vout[-1].script_pubkey.hex(), tmpl["default_witness_commitment"])
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash_hex)
        assert_equal(node.submitblock(block.serialize().hex()), "duplicate")

        self.log.info("submitblock answers")
        b = create_next_block(node)
        b.unsolve()
        assert_equal(node.submitblock(b.serialize().hex()), "high-hash")
        b = create_next_block(node, script_pubkey=b"\x51")
        overpay = create_next_block(node)
        overpay.vtx[0].vout[0].value += 1
        solve(overpay)
        assert_equal(node.submitblock(overpay.serialize().hex()), "bad-cb-amount")
        assert_equal(node.submitblock(b.serialize().hex()), None)
        # A valid block on a shorter side branch: stored, not the tip.
        side = create_block(b.prev, create_coinbase(b_height := node.getblockcount(), script_pubkey=b"\x52"),
                            b.time + 1)
        solve(side)
        assert_equal(node.submitblock(side.serialize().hex()), "inconclusive")
        assert_equal(node.getbestblockhash(), b.hash_hex)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[side.hash_hex]["status"], "valid-headers")
        assert_equal(tips[side.hash_hex]["height"], b_height)

        self.log.info("submitheader")
        nxt = create_next_block(node)
        assert_equal(node.submitheader(nxt.serialize_header().hex()), None)
        hdr = node.getblockheader(nxt.hash_hex)
        assert_equal(hdr["height"], node.getblockcount() + 1)
        assert_equal(node.getbestblockhash(), b.hash_hex)       # a header alone is not a block
        assert_equal({t["hash"]: t["status"] for t in node.getchaintips()}[nxt.hash_hex], "headers-only")
        assert_equal(node.submitblock(nxt.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), nxt.hash_hex)
        orphan = create_next_block(node)
        orphan.prev = b"\x42" * 32
        solve(orphan)
        assert_raises_rpc_error(-25, "Must submit previous header", node.submitheader, orphan.serialize_header().hex())
        bad = create_next_block(node)
        bad.unsolve()
        assert_raises_rpc_error(-25, "high-hash", node.submitheader, bad.serialize_header().hex())
        assert_raises_rpc_error(-22, None, node.submitheader, "00")

        self.log.info("Coinbase maturity: 100 confirmations")
        tip_height = node.getblockcount()
        # Mine a coinbase we can spend (OP_TRUE P2WSH), then 98 more blocks.
        src = self.generate(node, 1)[0]
        src_tx = CBlock.from_hex(node.getblock(src, 0)).vtx[0]
        self.generate(node, 98)
        spend = spend_p2wsh_op_true([outpoint_of(src_tx, 0)], [CTxOut(src_tx.vout[0].value - 1000, b"\x51")])
        early = create_next_block(node, txs=[spend])     # the coinbase would have 99 confirmations
        assert_equal(node.getblockcount(), tip_height + 99)
        assert_equal(node.submitblock(early.serialize().hex()), "bad-txns-premature-spend-of-coinbase")
        self.generate(node, 1)
        ok = create_next_block(node, txs=[spend], fees=1000)
        assert_equal(node.submitblock(ok.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), ok.hash_hex)
        assert_equal(node.gettxout(src_tx.txid_hex, 0), None)
        out = node.gettxout(spend.txid_hex, 0)
        assert_equal(out["value"], D(src_tx.vout[0].value - 1000) / COIN)
        assert_equal(out["coinbase"], False)


if __name__ == "__main__":
    MiningBasicTest(__file__).main()
