#!/usr/bin/env python3
"""Mixed network: BIP157/158 compact block filters, Bitcoin Core against bitrootd.

Core and bitrootd each import ../shared/chains/regtest-dev.dat with
-blockfilterindex=1 -peerblockfilters. Then:

- getindexinfo is the same on both once they are synced;
- getblockfilter gives the same filter and header for every block;
- the same blocks, built here and submitted to both, make a branch that is
  connected and then reorganised away: both keep its filters, both move the
  index's best block the same way (also for an invalidateblock of the tip
  alone), and both answer the same errors (unknown type, unknown block, a
  block known only by its header);
- a test peer sends each node the same getcfcheckpt, getcfheaders and
  getcfilters requests (active chain, ranges at the limits, a stale stop
  block) and gets byte-identical answers; the same bad requests make both
  disconnect, and a short message makes neither.
"""

import json

from test_framework.blocktools import create_block, create_coinbase, solve
from test_framework.messages import (FILTER_TYPE_BASIC, NODE_COMPACT_FILTERS, hex_to_hash, msg_generic,
                                     msg_getcfcheckpt, msg_getcfheaders, msg_getcfilters)
from test_framework.p2p import P2PInterface
from test_framework.script import CScript, OP_TRUE
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
ARGS = [MAXTIPAGE, "-blockfilterindex=1", "-peerblockfilters"]
INDEX = "basic block filter index"
IMPLS = ["core", "bitrootd"]


class Recorder(P2PInterface):
    def answers(self):
        """Every cfilter/cfheaders/cfcheckpt received, serialized, in order."""
        return [(m.msgtype, m.serialize()) for m in self.received
                if m.msgtype in (b"cfilter", b"cfheaders", b"cfcheckpt")]


class InteropBlockFiltersTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [list(ARGS) for _ in IMPLS], binaries=self.node_impls)

    def same(self, method, *args):
        """Both nodes answer method(*args) the same way; returns the answer."""
        core, br = self.nodes
        a = getattr(core, method)(*args)
        b = getattr(br, method)(*args)
        assert_equal(b, a)
        return a

    def same_error(self, method, *args):
        """Both nodes refuse method(*args) with the same code and message."""
        core, br = self.nodes
        e = assert_raises_rpc_error(None, None, getattr(core, method), *args)
        f = assert_raises_rpc_error(None, None, getattr(br, method), *args)
        assert_equal((f.error["code"], f.error["message"]), (e.error["code"], e.error["message"]))

    def wait_indexes(self, height):
        for node in self.nodes:
            self.wait_until(lambda: node.getindexinfo() == {INDEX: {"synced": True, "best_block_height": height}},
                            timeout=240)

    def submit_both(self, blocks):
        for node in self.nodes:
            for b in blocks:
                node.submitblock(b.serialize().hex())
            node.syncwithvalidationinterfacequeue()

    def chain_on(self, prev_hex, count, tag):
        """count blocks on prev, paying to a script of our own (tag makes branches differ)."""
        prev = self.nodes[0].getblockheader(prev_hex)
        height, t = prev["height"] + 1, prev["time"] + 1
        blocks = []
        for i in range(count):
            cb = create_coinbase(height + i, script_pubkey=CScript([OP_TRUE, tag]))
            b = solve(create_block(prev_hex, cb, t + i))
            blocks.append(b)
            prev_hex = b.hash_hex
        return blocks

    def ask_both(self, msg):
        """The answers each node gives to msg, after a ping round trip."""
        got = []
        for node in self.nodes:
            peer = node.p2ps[0]
            peer.clear_messages()
            peer.send_and_ping(msg)
            got.append(peer.answers())
        assert_equal(got[1], got[0])
        assert len(got[0]) > 0, "no answer to %r" % msg
        return got[0]

    def both_disconnect(self, msg):
        for node in self.nodes:
            peer = node.add_p2p_connection(Recorder())
            peer.send_message(msg)
            peer.wait_for_disconnect(timeout=30)
            node.p2ps.remove(peer)

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        core, br = self.nodes
        height = expect["height"]

        self.log.info("Core and bitrootd import the dev chain and build their filter indexes")
        for i in range(self.num_nodes):
            self.start_node(i, extra_args=ARGS + ["-loadblock=" + dat])
        for node in self.nodes:
            self.wait_until(lambda: node.getbestblockhash() == expect["bestblockhash"], timeout=600)
        self.wait_indexes(height)
        self.same("getindexinfo")
        self.same("getindexinfo", INDEX)
        self.same("getindexinfo", "")
        self.same("getindexinfo", "txindex")

        self.log.info("getblockfilter: the same filter and header for all %d blocks", height + 1)
        hashes = [core.getblockhash(h) for h in range(height + 1)]
        assert_equal([br.getblockhash(h) for h in range(height + 1)], hashes)
        for h in hashes:
            self.same("getblockfilter", h)
        self.same("getblockfilter", hashes[0], "basic")

        self.log.info("The same errors")
        self.same_error("getblockfilter", hashes[5], "BASIC")
        self.same_error("getblockfilter", hashes[5], "v0")
        self.same_error("getblockfilter", "11" * 32)
        self.same_error("getblockfilter", "00")
        header_only = self.chain_on(hashes[-1], 1, b"h")[0]
        for node in self.nodes:
            node.submitheader(header_only.serialize_header().hex())
        self.same_error("getblockfilter", header_only.hash_hex)

        self.log.info("A branch connected then reorganised away keeps its filters on both")
        old_tip = hashes[-1]
        for node in self.nodes:
            node.invalidateblock(old_tip)
            node.syncwithvalidationinterfacequeue()
        # The best block stays on the invalidated tip, on both.
        self.same("getindexinfo")
        self.same("getblockcount")
        stale = self.chain_on(hashes[-2], 2, b"s")
        self.submit_both(stale)
        self.same("getbestblockhash")
        assert_equal(core.getbestblockhash(), stale[-1].hash_hex)
        self.wait_indexes(height + 1)
        for node in self.nodes:
            node.reconsiderblock(old_tip)
        back = self.chain_on(old_tip, 2, b"b")
        self.submit_both(back)
        for node in self.nodes:
            self.wait_until(lambda: node.getbestblockhash() == back[-1].hash_hex)
        self.wait_indexes(height + 2)
        self.same("getindexinfo")
        for b in stale + back + [header_only]:
            if b is header_only:
                self.same_error("getblockfilter", b.hash_hex)
            else:
                self.same("getblockfilter", b.hash_hex)
        self.same("getblockfilter", old_tip)
        tip = back[-1].hash_hex
        hashes = [core.getblockhash(h) for h in range(height + 3)]

        self.log.info("P2P: both signal NODE_COMPACT_FILTERS and answer byte for byte the same")
        for node in self.nodes:
            peer = node.add_p2p_connection(Recorder())
            assert peer.peer_version.services & NODE_COMPACT_FILTERS
        bh = [hex_to_hash(h) for h in hashes]
        stale_bh = [hex_to_hash(b.hash_hex) for b in stale]
        requests = [
            msg_getcfcheckpt(FILTER_TYPE_BASIC, hex_to_hash(tip)),
            msg_getcfcheckpt(FILTER_TYPE_BASIC, bh[999]),
            msg_getcfcheckpt(FILTER_TYPE_BASIC, bh[1000]),
            msg_getcfcheckpt(FILTER_TYPE_BASIC, stale_bh[1]),
            msg_getcfheaders(FILTER_TYPE_BASIC, 0, bh[0]),
            msg_getcfheaders(FILTER_TYPE_BASIC, 0, hex_to_hash(tip)),
            msg_getcfheaders(FILTER_TYPE_BASIC, 1, bh[1000]),
            msg_getcfheaders(FILTER_TYPE_BASIC, 1090, stale_bh[1]),
            msg_getcfheaders(FILTER_TYPE_BASIC, 1101, stale_bh[1]),
            msg_getcfilters(FILTER_TYPE_BASIC, 0, bh[999]),
            msg_getcfilters(FILTER_TYPE_BASIC, 1000, hex_to_hash(tip)),
            msg_getcfilters(FILTER_TYPE_BASIC, 1095, stale_bh[1]),
            msg_getcfilters(FILTER_TYPE_BASIC, 1102, hex_to_hash(tip)),
        ]
        for msg in requests:
            answers = self.ask_both(msg)
            self.log.debug("%r: %d messages", msg, len(answers))
        assert_equal(len(self.ask_both(msg_getcfilters(FILTER_TYPE_BASIC, 0, bh[999]))), 1000)
        # Trailing bytes are ignored by both.
        self.ask_both(msg_generic("getcfcheckpt", msg_getcfcheckpt(FILTER_TYPE_BASIC, bh[5]).serialize() + b"x"))

        self.log.info("A message too short to read: neither disconnects")
        for node in self.nodes:
            peer = node.p2ps[0]
            for msgtype, size in (("getcfilters", 36), ("getcfheaders", 10), ("getcfcheckpt", 32)):
                peer.send_and_ping(msg_generic(msgtype, b"\x00" * size))
            assert peer.is_connected

        self.log.info("The same bad requests make both disconnect")
        for msg in (
                msg_getcfcheckpt(1, hex_to_hash(tip)),
                msg_getcfilters(255, 0, bh[5]),
                msg_getcfheaders(FILTER_TYPE_BASIC, 0, b"\x42" * 32),
                msg_getcfcheckpt(FILTER_TYPE_BASIC, hex_to_hash(header_only.hash_hex)),
                msg_getcfilters(FILTER_TYPE_BASIC, 11, bh[10]),
                msg_getcfilters(FILTER_TYPE_BASIC, 100, bh[1100]),
                msg_getcfheaders(FILTER_TYPE_BASIC, 2000, bh[1000]),
        ):
            self.both_disconnect(msg)


if __name__ == "__main__":
    InteropBlockFiltersTest(__file__).main()
