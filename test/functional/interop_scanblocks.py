#!/usr/bin/env python3
"""scanblocks against Core 28 on the same chain, both with -blockfilterindex.

The chain holds payments to a few scripts at known heights; for each scan
(descriptor sets, height ranges, with and without filter_false_positives)
both nodes must name the same blocks, and every error must be Core's code
and message. A node without the index refuses as Core does. Without the
false-positive filter the answer is the filters' (equal to Core's, as
interop_blockfilters shows); with it, exactly the blocks that pay or spend
the scripts.
"""

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until
from test_framework.wallet import MiniWallet


class InteropScanblocksTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.node_impls = ["core", "bitrootd", "bitrootd"]
        self.extra_args = [["-blockfilterindex=1"], ["-blockfilterindex=1"], []]

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 1)

    def error(self, node, *args):
        try:
            node.scanblocks(*args)
        except Exception as e:   # the RPC error
            return (e.error["code"], e.error["message"])
        raise AssertionError("scanblocks %r did not fail on %s" % (args, node.name))

    def run_test(self):
        core, br, plain = self.nodes
        wallet = MiniWallet(br)
        wallet.generate(110)
        # Payments to two scripts of our own, three blocks apart, then a
        # spend of the first in a later block.
        a = wallet.send_to(from_node=br, scriptPubKey=bytes.fromhex("0014" + "11" * 20), amount=100000)
        self.generate(br, 1)
        h_a = br.getblockcount()
        self.generate(br, 2)
        b = wallet.send_to(from_node=br, scriptPubKey=bytes.fromhex("0014" + "22" * 20), amount=200000)
        self.generate(br, 1)
        h_b = br.getblockcount()
        self.generate(br, 3)
        self.sync_blocks()
        for n in (core, br):
            wait_until(lambda: n.getindexinfo()["basic block filter index"]["synced"], timeout=60)
        tip = br.getblockcount()
        raw_a = "raw(0014" + "11" * 20 + ")"
        raw_b = {"desc": "raw(0014" + "22" * 20 + ")"}
        unused = "raw(0014" + "33" * 20 + ")"
        addr = "addr(%s)" % wallet.get_address()

        self.log.info("the same relevant blocks as Core")
        cases = [
            ([raw_a], []),
            ([raw_a, raw_b], []),
            ([unused], []),
            ([raw_a, raw_b], [h_a, h_b]),
            ([raw_a, raw_b], [h_a + 1]),
            ([raw_a], [0, h_a]),
            ([addr], [100, tip]),
        ]
        for objs, heights in cases:
            for opts in (None, {"filter_false_positives": True}):
                args = ["start", objs] + heights
                if opts:
                    args += [None] * (4 - len(args)) + ["basic", opts]
                ours, theirs = br.scanblocks(*args), core.scanblocks(*args)
                assert_equal(ours, theirs)
                assert ours["completed"]
        res = br.scanblocks("start", [raw_a, raw_b], None, None, "basic", {"filter_false_positives": True})
        assert_equal(res["from_height"], 0)
        assert_equal(res["to_height"], tip)
        assert_equal(set(res["relevant_blocks"]), {br.getblockhash(h_a), br.getblockhash(h_b)})
        assert_equal(br.scanblocks("start", [unused], 0, tip, "basic",
                                   {"filter_false_positives": True})["relevant_blocks"], [])
        assert a["txid"] and b["txid"]

        self.log.info("errors and the idle status/abort as Core's")
        assert_equal(br.scanblocks("status"), core.scanblocks("status"))
        assert_equal(br.scanblocks("status"), None)
        assert_equal(br.scanblocks("abort"), core.scanblocks("abort"))
        mismatches = []
        for args in (("bogus",), ("start",), ("start", [raw_a], 0, None, "extended"),
                     ("start", [raw_a], tip + 1), ("start", [raw_a], 5, 2), ("start", [raw_a], 0, tip + 1),
                     ("start", [raw_a], -1), ("start", ["raw(zz)"]), ("start", ["nosuch(1)"]),
                     ("start", [raw_a], 0, None, "basic", {"filter_false_positives": "yes"})):
            ours, theirs = self.error(br, *args), self.error(core, *args)
            if ours != theirs:
                mismatches.append((args, ours, theirs))
        assert_equal(mismatches, [])
        assert_equal(self.error(plain, "start", [raw_a]),
                     (-1, "Index is not enabled for filtertype basic"))


if __name__ == "__main__":
    InteropScanblocksTest(__file__).main()
