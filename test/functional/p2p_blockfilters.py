#!/usr/bin/env python3
"""BIP157 over P2P: -peerblockfilters serves getcfilters, getcfheaders and getcfcheckpt.

- node0 (-blockfilterindex -peerblockfilters) imports the shared dev chain
  and mines 901 blocks more (2001 in all), with a two-block stale branch at
  heights 1000-1001; node1 has the index but does not serve it.
- node0 signals NODE_COMPACT_FILTERS (version message and getnetworkinfo);
  node1 does not.
- cfcheckpt: one header per 1000 blocks, on the active chain and on the
  stale branch; cfheaders: the previous header and the filter hashes;
  cfilter: one message per block, in order, 1000 at most. Every answer is
  checked against getblockfilter, whose filters rpc_blockfilter.py checks
  against the test's own BIP158.
- Bad requests disconnect as in Core: a filter type we do not serve (any
  type at node1), an unknown stop hash, a start height above the stop, more
  than 1000 filters or 2000 headers. A message too short to read is
  dropped without a disconnect (Core's deserialization exception).
"""

import json

from test_framework.address import ADDRESS_BCRT1_P2WSH_OP_TRUE, ADDRESS_BCRT1_UNSPENDABLE
from test_framework.messages import (FILTER_TYPE_BASIC, NODE_COMPACT_FILTERS, hash256, hex_to_hash,
                                     msg_generic, msg_getcfcheckpt, msg_getcfheaders, msg_getcfilters)
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
INDEX = "basic block filter index"


class FiltersPeer(P2PInterface):
    def cfilters(self):
        return self.messages("cfilter")


class P2PBlockFiltersTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.rpc_timeout = 180

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def header(self, node, blockhash):
        return hex_to_hash(node.getblockfilter(blockhash)["header"])

    def filter_bytes(self, node, blockhash):
        return bytes.fromhex(node.getblockfilter(blockhash)["filter"])

    def bad_request(self, node, msg, why):
        """A fresh peer sends msg and is disconnected."""
        peer = node.add_p2p_connection(FiltersPeer())
        with node.assert_debug_log([why], timeout=30):
            peer.send_message(msg)
            peer.wait_for_disconnect(timeout=30)
        node.disconnect_p2ps()

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        node, quiet = self.nodes

        self.log.info("node0 serves filters for the dev chain and 901 blocks more")
        self.start_node(0, extra_args=[MAXTIPAGE, "-blockfilterindex", "-peerblockfilters",
                                       "-loadblock=" + dat, "-debug=net"])
        self.wait_until(lambda: node.getblockcount() == expect["height"], timeout=600)
        # Synced first: from then on every block connected is indexed (as
        # in Core, an index that is still catching up ignores them).
        self.wait_until(lambda: node.getindexinfo() == {INDEX: {"synced": True, "best_block_height": 1100}},
                        timeout=120)
        # A stale branch at 1000-1001.
        old_1000 = node.getblockhash(1000)
        node.invalidateblock(old_1000)
        stale = node.generatetoaddress(2, ADDRESS_BCRT1_UNSPENDABLE)
        node.reconsiderblock(old_1000)
        self.wait_until(lambda: node.getbestblockhash() == expect["bestblockhash"])
        node.generatetoaddress(901, ADDRESS_BCRT1_P2WSH_OP_TRUE)
        tip_height = node.getblockcount()
        assert_equal(tip_height, 2001)
        self.wait_until(lambda: node.getindexinfo() == {INDEX: {"synced": True, "best_block_height": 2001}},
                        timeout=120)
        tip = hex_to_hash(node.getbestblockhash())
        hashes = [hex_to_hash(node.getblockhash(h)) for h in range(tip_height + 1)]
        stale = [hex_to_hash(h) for h in stale]

        self.log.info("NODE_COMPACT_FILTERS is signalled only with -peerblockfilters")
        self.start_node(1, extra_args=[MAXTIPAGE, "-blockfilterindex", "-debug=net"])
        assert "COMPACT_FILTERS" in node.getnetworkinfo()["localservicesnames"]
        assert "COMPACT_FILTERS" not in quiet.getnetworkinfo()["localservicesnames"]
        peer = node.add_p2p_connection(FiltersPeer())
        assert peer.peer_version.services & NODE_COMPACT_FILTERS
        other = quiet.add_p2p_connection(FiltersPeer())
        assert not other.peer_version.services & NODE_COMPACT_FILTERS
        quiet.disconnect_p2ps()

        self.log.info("getcfcheckpt: one header per 1000 blocks")
        peer.send_and_ping(msg_getcfcheckpt(FILTER_TYPE_BASIC, tip))
        cp = peer.last_message["cfcheckpt"]
        assert_equal((cp.filter_type, cp.stop_hash), (FILTER_TYPE_BASIC, tip))
        assert_equal(cp.headers, [self.header(node, node.getblockhash(h)) for h in (1000, 2000)])
        # Stop at 999: no checkpoint yet.
        peer.send_and_ping(msg_getcfcheckpt(FILTER_TYPE_BASIC, hashes[999]))
        assert_equal(peer.last_message["cfcheckpt"].headers, [])
        # On the stale branch: its own block at 1000.
        peer.send_and_ping(msg_getcfcheckpt(FILTER_TYPE_BASIC, stale[1]))
        cp = peer.last_message["cfcheckpt"]
        assert_equal(cp.stop_hash, stale[1])
        assert_equal(cp.headers, [self.header(node, stale[0][::-1].hex())])
        assert cp.headers[0] != self.header(node, node.getblockhash(1000))

        self.log.info("getcfheaders: the previous header and 2000 filter hashes at most")
        peer.send_and_ping(msg_getcfheaders(FILTER_TYPE_BASIC, 1, hashes[2000]))
        ch = peer.last_message["cfheaders"]
        assert_equal((ch.stop_hash, ch.prev_header), (hashes[2000], self.header(node, node.getblockhash(0))))
        assert_equal(len(ch.hashes), 2000)
        for h in (1, 2, 999, 1000, 1500, 2000):
            assert_equal(ch.hashes[h - 1], hash256(self.filter_bytes(node, node.getblockhash(h))))
        # The headers chain: each is hash256(filter hash + previous header).
        prev = ch.prev_header
        for h in range(1, 30):
            prev = hash256(ch.hashes[h - 1] + prev)
            assert_equal(prev, self.header(node, node.getblockhash(h)))
        peer.send_and_ping(msg_getcfheaders(FILTER_TYPE_BASIC, 0, hashes[0]))
        ch = peer.last_message["cfheaders"]
        assert_equal((ch.prev_header, len(ch.hashes)), (b"\x00" * 32, 1))
        peer.send_and_ping(msg_getcfheaders(FILTER_TYPE_BASIC, 1000, stale[1]))
        ch = peer.last_message["cfheaders"]
        assert_equal(ch.prev_header, self.header(node, node.getblockhash(999)))
        assert_equal(ch.hashes, [hash256(self.filter_bytes(node, h[::-1].hex())) for h in stale])

        self.log.info("getcfilters: one cfilter per block, 1000 at most")
        peer.clear_messages()
        peer.send_and_ping(msg_getcfilters(FILTER_TYPE_BASIC, 1001, hashes[2000]))
        got = peer.cfilters()
        assert_equal(len(got), 1000)
        assert_equal([m.block_hash for m in got], hashes[1001:2001])
        for m in got[::111] + [got[-1]]:
            assert_equal(m.filter_type, FILTER_TYPE_BASIC)
            assert_equal(m.filter_data, self.filter_bytes(node, m.block_hash[::-1].hex()))
        peer.clear_messages()
        peer.send_and_ping(msg_getcfilters(FILTER_TYPE_BASIC, 995, stale[1]))
        got = peer.cfilters()
        assert_equal([m.block_hash for m in got], hashes[995:1000] + stale)
        for m in got:
            assert_equal(m.filter_data, self.filter_bytes(node, m.block_hash[::-1].hex()))
        # Trailing bytes are ignored, as Core does.
        peer.clear_messages()
        peer.send_and_ping(msg_generic("getcfilters", msg_getcfilters(FILTER_TYPE_BASIC, 5, hashes[5]).serialize()
                                       + b"junk"))
        assert_equal([m.block_hash for m in peer.cfilters()], [hashes[5]])

        self.log.info("A message too short to read is dropped, the peer stays")
        for msgtype, size in (("getcfilters", 36), ("getcfheaders", 5), ("getcfcheckpt", 32)):
            peer.send_and_ping(msg_generic(msgtype, b"\x00" * size))
        assert peer.is_connected
        node.disconnect_p2ps()

        self.log.info("Bad requests disconnect, as in Core")
        self.bad_request(node, msg_getcfcheckpt(255, tip), "requested unsupported block filter type: 255")
        self.bad_request(node, msg_getcfilters(1, 0, hashes[5]), "requested unsupported block filter type: 1")
        self.bad_request(node, msg_getcfheaders(FILTER_TYPE_BASIC, 0, b"\x42" * 32),
                         "requested invalid block hash")
        self.bad_request(node, msg_getcfcheckpt(FILTER_TYPE_BASIC, b"\x42" * 32), "requested invalid block hash")
        self.bad_request(node, msg_getcfilters(FILTER_TYPE_BASIC, 11, hashes[10]),
                         "with start height 11 and stop height 10")
        self.bad_request(node, msg_getcfheaders(FILTER_TYPE_BASIC, 2001, hashes[2000]),
                         "with start height 2001 and stop height 2000")
        self.bad_request(node, msg_getcfilters(FILTER_TYPE_BASIC, 1000, hashes[2000]),
                         "requested too many cfilters/cfheaders: 1001 / 1000")
        self.bad_request(node, msg_getcfheaders(FILTER_TYPE_BASIC, 0, hashes[2000]),
                         "requested too many cfilters/cfheaders: 2001 / 2000")
        # node1 keeps the index but serves no filter type.
        self.bad_request(quiet, msg_getcfilters(FILTER_TYPE_BASIC, 0, hex_to_hash(quiet.getbestblockhash())),
                         "requested unsupported block filter type: 0")
        self.bad_request(quiet, msg_getcfcheckpt(FILTER_TYPE_BASIC, hex_to_hash(quiet.getbestblockhash())),
                         "requested unsupported block filter type: 0")


if __name__ == "__main__":
    P2PBlockFiltersTest(__file__).main()
