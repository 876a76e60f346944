#!/usr/bin/env python3
"""-blockfilterindex: the BIP158 basic filter index, getblockfilter and getindexinfo.

Every filter is checked against a BIP158 implementation in the test
(test_framework/blockfilter.py) fed with `getblock HASH 3`, and every header
against the chain of the previous one, so nothing is taken from the node.

- node0 imports the shared dev chain with -blockfilterindex=basic; the index
  builds in the background after the import and getindexinfo reports it as
  Core does ("basic block filter index", synced, best_block_height).
- getblockfilter: every block's filter and header; Core's errors for an
  unknown filter type, a bad or unknown hash, a block known only by its
  header.
- Reorgs: invalidating the tip leaves the index's best block where it was
  (as Core) and the stale block's filter available; blocks on the new branch
  are indexed on the fork's header; going back to the old branch rewinds the
  best block; a 10-block reorg chains the new headers from the fork.
- Restarts: the index resumes from its best block; after a restart without
  -blockfilterindex (blocks added and a reorg meanwhile) it catches up from
  the fork; after kill -9 it is consistent.
- node1 without the index: -1 "Index is not enabled for filtertype basic"
  and an empty getindexinfo; Core's start-up errors for -peerblockfilters
  without the index and for unknown -blockfilterindex values.
"""

import json

from test_framework.address import ADDRESS_BCRT1_P2WSH_OP_TRUE, ADDRESS_BCRT1_UNSPENDABLE
from test_framework.blockfilter import basic_filter, filter_header
from test_framework.blocktools import COINBASE_MATURITY, create_next_block
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
INDEX = "basic block filter index"
ADDR_A = ADDRESS_BCRT1_P2WSH_OP_TRUE
ADDR_B = ADDRESS_BCRT1_UNSPENDABLE

RPC_MISC_ERROR = -1
RPC_TYPE_ERROR = -3
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8


class BlockFilterIndexTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    # --- helpers -----------------------------------------------------------

    def wait_index(self, node, height):
        self.wait_until(lambda: node.getindexinfo() == {INDEX: {"synced": True, "best_block_height": height}},
                        timeout=120)

    def expected(self, node, blockhash):
        """The filter (hex) and header the block must have, from the test's BIP158."""
        block = node.getblock(blockhash, 3)
        prev = block.get("previousblockhash")
        prev_header = self.headers.get(prev) if prev else None
        if prev is not None and prev_header is None:
            prev_header = node.getblockfilter(prev)["header"]
            self.check_block(node, prev, prev_header)
        filt = basic_filter(block)
        return filt.hex(), filter_header(filt, prev_header)

    def check_block(self, node, blockhash, got_header=None):
        want = self.expected(node, blockhash)
        got = node.getblockfilter(blockhash)
        assert_equal((got["filter"], got["header"]), want)
        if got_header is not None:
            assert_equal(got_header, want[1])
        self.headers[blockhash] = want[1]

    def check_range(self, node, lo, hi):
        for h in range(lo, hi + 1):
            self.check_block(node, node.getblockhash(h))

    # --- the test ------------------------------------------------------------

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        node, plain = self.nodes
        self.headers = {}
        args = [MAXTIPAGE, "-blockfilterindex=basic"]

        self.log.info("The index is built after the import of the dev chain")
        self.start_node(0, extra_args=args + ["-loadblock=" + dat])
        self.wait_until(lambda: node.getblockcount() == expect["height"], timeout=600)
        self.wait_index(node, expect["height"])
        assert_equal(node.getindexinfo(INDEX), {INDEX: {"synced": True, "best_block_height": 1100}})
        assert_equal(node.getindexinfo(""), node.getindexinfo())
        assert_equal(node.getindexinfo("txindex"), {})
        assert_equal(node.getindexinfo("basic"), {})
        node.wait_for_debug_log(["basic block filter index is enabled at height 1100"])

        self.log.info("getblockfilter: all %d blocks against the test's BIP158", expect["height"] + 1)
        self.check_range(node, 0, expect["height"])
        genesis = node.getblockhash(0)
        assert_equal(node.getblockfilter(genesis, "basic"), node.getblockfilter(genesis))
        assert_equal(node.getblockfilter(blockhash=genesis, filtertype="basic"), node.getblockfilter(genesis))

        self.log.info("getblockfilter: Core's errors")
        tip = node.getbestblockhash()
        for name in ("BASIC", "v0", "1", ""):
            assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Unknown filtertype", node.getblockfilter,
                                    tip, name)
        assert_raises_rpc_error(RPC_TYPE_ERROR, None, node.getblockfilter, tip, 0)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Block not found", node.getblockfilter, "11" * 32)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "blockhash must be of length 64 (not 2, for '00')",
                                node.getblockfilter, "00")
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "blockhash must be hexadecimal string",
                                node.getblockfilter, "zz" * 32)
        header_only = create_next_block(node)
        assert_equal(node.submitheader(header_only.serialize_header().hex()), None)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY,
                                "Filter not found. Block was not connected to active chain.",
                                node.getblockfilter, header_only.hash_hex)

        self.log.info("Invalidating the tip leaves the index's best block on it, as Core")
        old_tip = tip
        node.invalidateblock(old_tip)
        assert_equal(node.getblockcount(), 1099)
        assert_equal(node.getindexinfo(), {INDEX: {"synced": True, "best_block_height": 1100}})
        # Its filter stays known even though the block is now invalid.
        self.check_block(node, old_tip)

        self.log.info("A new branch is indexed from the fork's header")
        new = node.generatetoaddress(2, ADDR_B)
        self.wait_index(node, 1101)
        for h in new:
            self.check_block(node, h)
        self.check_block(node, old_tip)

        self.log.info("Back to the old branch: the best block is rewound to it")
        node.reconsiderblock(old_tip)
        node.invalidateblock(new[0])
        assert_equal(node.getbestblockhash(), old_tip)
        old_more = node.generatetoaddress(3, ADDR_A)
        self.wait_index(node, 1103)
        self.check_range(node, 1095, 1103)
        for h in new:
            self.check_block(node, h)   # stale, still served by hash

        self.log.info("A 10-block reorg")
        fork = node.getblockhash(1093)
        old_1094 = node.getblockhash(1094)
        node.invalidateblock(old_1094)
        branch = node.generatetoaddress(12, ADDR_B)
        self.wait_index(node, 1105)
        self.check_range(node, 1090, 1105)
        for h in old_more:
            self.check_block(node, h)
        assert_equal(node.getblockheader(branch[0])["previousblockhash"], fork)
        node.reconsiderblock(old_1094)
        assert_equal(node.getbestblockhash(), branch[-1])

        self.log.info("Restart: the index resumes at the tip")
        self.restart_node(0, extra_args=args)
        node.wait_for_debug_log(["basic block filter index: best block %s at height 1105 (the tip)"
                                 % branch[-1]])
        assert_equal(node.getindexinfo(), {INDEX: {"synced": True, "best_block_height": 1105}})
        more = node.generatetoaddress(2, ADDR_A)
        self.wait_index(node, 1107)
        for h in more:
            self.check_block(node, h)

        self.log.info("Blocks and a reorg while the index is off: it catches up from the fork")
        self.restart_node(0, extra_args=[MAXTIPAGE])
        assert_equal(node.getindexinfo(), {})
        assert_raises_rpc_error(RPC_MISC_ERROR, "Index is not enabled for filtertype basic",
                                node.getblockfilter, node.getbestblockhash())
        node.invalidateblock(node.getblockhash(1104))
        off = node.generatetoaddress(6, ADDR_A)
        assert_equal(node.getblockcount(), 1109)
        self.restart_node(0, extra_args=args)
        self.wait_index(node, 1109)
        self.check_range(node, 1100, 1109)
        for h in off:
            self.check_block(node, h)

        self.log.info("kill -9, then a restart: the index is consistent")
        node.generatetoaddress(3, ADDR_B)
        self.wait_index(node, 1112)
        self.kill_node(0)
        self.start_node(0, extra_args=args)
        self.wait_index(node, 1112)
        self.check_range(node, 1105, 1112)
        node.generatetoaddress(1, ADDR_A)
        self.wait_index(node, 1113)
        self.check_range(node, 1113, 1113)

        self.log.info("Spends through a reorg: the spent scripts come from the undo data")
        wallet = MiniWallet(node)
        wallet.generate(1)
        node.generatetoaddress(COINBASE_MATURITY, ADDR_A)
        sent = [wallet.send_self_transfer(from_node=node)["txid"] for _ in range(3)]
        first = node.generatetoaddress(1, ADDR_A)[0]
        assert_equal(len(node.getblock(first)["tx"]), 4)
        height = node.getblockcount()
        self.wait_index(node, height)
        self.check_range(node, height - COINBASE_MATURITY - 1, height)
        node.invalidateblock(first)
        assert_equal(sorted(node.getrawmempool()), sorted(sent))
        again = node.generatetoaddress(2, ADDR_B)
        assert_equal(len(node.getblock(again[0])["tx"]), 4)
        self.wait_index(node, height + 1)
        for h in again + [first]:
            self.check_block(node, h)
        assert_equal(node.getblockfilter(first)["filter"] != node.getblockfilter(again[0])["filter"], True)

        self.log.info("Without the index: Core's errors")
        self.start_node(1, extra_args=[MAXTIPAGE])
        assert_equal(plain.getindexinfo(), {})
        assert_raises_rpc_error(RPC_MISC_ERROR, "Index is not enabled for filtertype basic",
                                plain.getblockfilter, plain.getbestblockhash())
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Unknown filtertype",
                                plain.getblockfilter, plain.getbestblockhash(), "extended")
        self.stop_node(1)
        for extra, msg in (
                (["-peerblockfilters"], "Cannot set -peerblockfilters without -blockfilterindex."),
                (["-noblockfilterindex", "-peerblockfilters"],
                 "Cannot set -peerblockfilters without -blockfilterindex."),
                (["-blockfilterindex=0", "-peerblockfilters"],
                 "Cannot set -peerblockfilters without -blockfilterindex."),
                (["-blockfilterindex=abc"], "Unknown -blockfilterindex value abc."),
                (["-blockfilterindex=1", "-blockfilterindex=basic"], "Unknown -blockfilterindex value 1."),
        ):
            plain.assert_start_raises_init_error(extra, "Error: " + msg)
        # Forms that start: "", 1, basic twice, and the last value 1 after a name.
        for extra in (["-blockfilterindex"], ["-blockfilterindex=1"],
                      ["-blockfilterindex=basic", "-blockfilterindex=basic"],
                      ["-blockfilterindex=basic", "-blockfilterindex=1", "-peerblockfilters"]):
            self.start_node(1, extra_args=[MAXTIPAGE] + extra)
            self.wait_index(plain, 0)
            self.stop_node(1)


if __name__ == "__main__":
    BlockFilterIndexTest(__file__).main()
