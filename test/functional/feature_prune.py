#!/usr/bin/env python3
"""Pruning as Core's: -prune, pruneblockchain, what a pruned node serves.

- Options refused with Core's messages: a negative -prune, a target below
  550 MiB, -prune with -txindex, -prune with -reindex-chainstate.
- The shared chain imported with -fastprune -prune=1 (manual pruning):
  getblockchaininfo says pruned, pruneheight 0, no automatic pruning; the
  node offers NODE_NETWORK_LIMITED without NODE_NETWORK.
- pruneblockchain(500) deletes the first block file pairs, answers the
  height of the last block pruned, getblockchaininfo's pruneheight is the
  next one, getblock on a pruned block answers Core's "Block not available
  (pruned data)"; a height close to the tip is clamped to tip - 288; a
  height above the tip, a negative one and pruneblockchain without -prune
  are refused as Core refuses them.
- A pruned store refuses to start without -prune; -prune=550 reports
  automatic pruning and its target in bytes.
- P2P: a peer asking for a block deeper than 288 + 2 is disconnected (Core's
  NODE_NETWORK_LIMITED threshold); a recent block is served.
- Mixed: Bitcoin Core 28.1, holding the chain up to height 900, syncs the
  recent blocks from the pruned bitrootd alone and ends on the reference tip
  and hash_serialized_3; bitrootd fetches a pruned block again from Core with
  getblockfrompeer.
"""

import glob
import json
import os

from test_framework.authproxy import JSONRPCException
from test_framework.messages import CInv, MSG_BLOCK, MSG_WITNESS_FLAG, msg_getdata
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_greater_than

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
NODE_NETWORK = 1
NODE_NETWORK_LIMITED = 1 << 10


class PruneTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["bitrootd", "core"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(2, [[MAXTIPAGE], [MAXTIPAGE]], binaries=self.node_impls)

    def rpc_error(self, fn, code, message):
        try:
            fn()
        except JSONRPCException as e:
            assert_equal(e.error["code"], code)
            assert_equal(e.error["message"], message)
            return
        raise AssertionError("no error, expected %r" % message)

    def run_test(self):
        node = self.nodes[0]
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        height = expect["height"]

        self.log.info("options refused as Core refuses them")
        for args, msg in ((["-prune=-1"], "Prune cannot be configured with a negative value."),
                          (["-prune=549"], "Prune configured below the minimum of 550 MiB.  Please use a higher number."),
                          (["-prune=1", "-txindex"], "Prune mode is incompatible with -txindex."),
                          (["-prune=550", "-reindex-chainstate"],
                           "Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.")):
            node.assert_start_raises_init_error(args, expected_msg="Error: " + msg,
                                                match=ErrorMatch.PARTIAL_REGEX,
                                                expected_ret_code=1)

        self.log.info("import with -fastprune -prune=1")
        prune_args = [MAXTIPAGE, "-fastprune", "-prune=1"]
        self.start_node(0, prune_args + ["-loadblock=" + dat, "-stopatheight=%d" % height])
        node.wait_until_stopped(timeout=600)
        self.start_node(0, prune_args)
        assert_equal(node.getblockcount(), height)
        info = node.getblockchaininfo()
        assert_equal(info["pruned"], True)
        assert_equal(info["pruneheight"], 0)
        assert_equal(info["automatic_pruning"], False)
        assert "prune_target_size" not in info
        services = int(node.getnetworkinfo()["localservices"], 16)
        assert_equal(services & NODE_NETWORK, 0)
        assert_equal(services & NODE_NETWORK_LIMITED, NODE_NETWORK_LIMITED)
        hashes = {h: node.getblockhash(h) for h in (10, 400, 600, height - 100, height)}
        raw_recent = node.getblock(hashes[height - 100], 0)

        self.log.info("pruneblockchain(500)")
        blocks = os.path.join(node.chaindir, "blocks")
        nfiles = len(glob.glob(os.path.join(blocks, "blk*.dat")))
        size = node.getblockchaininfo()["size_on_disk"]
        on_disk = sum(os.path.getsize(p) for p in glob.glob(os.path.join(blocks, "*.dat")))
        # Core's size_on_disk: the block and undo files.
        assert_equal(size, on_disk)
        last = node.pruneblockchain(500)
        assert 0 < last <= 500, last
        assert_equal(node.getblockchaininfo()["pruneheight"], last + 1)
        assert not os.path.exists(os.path.join(blocks, "blk00000.dat"))
        assert not os.path.exists(os.path.join(blocks, "rev00000.dat"))
        assert_greater_than(nfiles, len(glob.glob(os.path.join(blocks, "blk*.dat"))))
        assert_equal(node.getblockchaininfo()["size_on_disk"],
                     sum(os.path.getsize(p) for p in glob.glob(os.path.join(blocks, "*.dat"))))
        assert_greater_than(size, node.getblockchaininfo()["size_on_disk"])
        self.rpc_error(lambda: node.getblock(hashes[10]), -1, "Block not available (pruned data)")
        node.getblock(node.getblockhash(last + 1))
        node.getblock(hashes[600])
        assert_equal(node.getblock(hashes[height - 100], 0), raw_recent)

        self.log.info("pruneblockchain: clamped to tip - 288, and Core's refusals")
        last = node.pruneblockchain(height)
        assert last <= height - 288, last
        assert_greater_than(last, 500)
        self.rpc_error(lambda: node.getblock(hashes[600]), -1, "Block not available (pruned data)")
        assert_equal(node.getblock(hashes[height - 100], 0), raw_recent)
        self.rpc_error(lambda: node.pruneblockchain(height + 1), -8,
                       "Blockchain is shorter than the attempted prune height.")
        self.rpc_error(lambda: node.pruneblockchain(-1), -8, "Negative block height.")
        self.pruneheight = node.getblockchaininfo()["pruneheight"]
        assert_equal(self.pruneheight, last + 1)
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])

        self.log.info("P2P: below the NODE_NETWORK_LIMITED threshold the peer is disconnected")
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_and_ping(msg_getdata([CInv(MSG_BLOCK | MSG_WITNESS_FLAG, hashes[height - 100])]))
        peer.wait_for_message("block")
        with node.assert_debug_log(["Ignore block request below NODE_NETWORK_LIMITED threshold"]):
            peer.send_message(msg_getdata([CInv(MSG_BLOCK | MSG_WITNESS_FLAG,
                                                node.getblockhash(height - 291))]))
            peer.wait_for_disconnect()
        self.stop_node(0)

        self.log.info("a pruned store does not start without -prune")
        node.assert_start_raises_init_error(
            [MAXTIPAGE], expected_msg="Error: You need to rebuild the database using -reindex to go back to unpruned mode",
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)
        self.log.info("-prune=550: automatic pruning and its target")
        self.start_node(0, [MAXTIPAGE, "-prune=550"])
        info = node.getblockchaininfo()
        assert_equal((info["pruned"], info["automatic_pruning"]), (True, True))
        assert_equal(info["prune_target_size"], 550 * 1024 * 1024)
        assert_equal(info["pruneheight"], self.pruneheight)
        self.rpc_error(lambda: self.nodes[0].getblock(hashes[10]), -1, "Block not available (pruned data)")

        self.log.info("Core 28.1 holding blocks to 900 syncs the rest from the pruned bitrootd")
        core = self.nodes[1]
        # A bootstrap file cut after block 900: with -stopatheight Core may
        # store blocks past it before it stops and connect them at restart.
        head = os.path.join(self.options.tmpdir, "first900.dat")
        self.write_prefix(dat, head, 901)
        self.start_node(1, [MAXTIPAGE, "-loadblock=" + head])
        self.wait_until(lambda: core.getblockcount() == 900, timeout=600)
        core.addnode("127.0.0.1:%d" % node.p2p_port, "onetry")
        self.wait_until(lambda: core.getbestblockhash() == expect["bestblockhash"], timeout=300)
        assert_equal(core.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
        peers = [p for p in core.getpeerinfo() if "bitroot" in p["subver"].lower()]
        assert_equal(len(peers), 1)
        assert_equal(int(peers[0]["services"], 16) & (NODE_NETWORK | NODE_NETWORK_LIMITED),
                     NODE_NETWORK_LIMITED)

        self.log.info("getblockfrompeer fetches a pruned block again from Core")
        ours = [p for p in node.getpeerinfo() if "Satoshi" in p["subver"]]
        assert_equal(len(ours), 1)
        assert_equal(node.getblockfrompeer(hashes[10], ours[0]["id"]), {})
        self.wait_until(lambda: self.has_block(node, hashes[10]), timeout=60)
        assert_equal(node.getblock(hashes[10], 0), core.getblock(hashes[10], 0))

        self.log.info("-reindex without -prune: every block again, downloaded from Core")
        self.restart_node(0, [MAXTIPAGE, "-reindex"])
        assert_equal(node.getblockchaininfo()["pruned"], False)
        core.addnode("127.0.0.1:%d" % node.p2p_port, "onetry")
        self.wait_until(lambda: node.getbestblockhash() == expect["bestblockhash"], timeout=300)
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
        assert_equal(node.getblock(node.getblockhash(1), 0), core.getblock(core.getblockhash(1), 0))
        self.stop_node(1)
        self.stop_node(0)

    @staticmethod
    def write_prefix(src, dst, nblocks):
        """Copies the first nblocks records (magic, length, block) of a bootstrap file."""
        with open(src, "rb") as f, open(dst, "wb") as out:
            for _ in range(nblocks):
                head = f.read(8)
                assert len(head) == 8, "bootstrap file ends early"
                n = int.from_bytes(head[4:], "little")
                body = f.read(n)
                assert len(body) == n, "bootstrap file ends early"
                out.write(head + body)

    def has_block(self, node, bh):
        try:
            node.getblock(bh, 0)
            return True
        except JSONRPCException:
            return False


if __name__ == "__main__":
    PruneTest(__file__).main()
