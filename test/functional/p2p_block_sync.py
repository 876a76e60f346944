#!/usr/bin/env python3
"""Headers-first block download and block relay over P2P.

- Three bitrootd nodes in a line (0-1-2) sync the shared chain
  (regtest-dev.dat) that only node0 imported, to the same tip and UTXO set.
- A fresh node with four test peers as outbound sources downloads blocks
  from every one of them, never the same block twice.
- A source that stops answering getdata in mid-sync is dropped as a staller
  and the sync finishes from the other source.
- New tips are announced with headers to a peer that sent sendheaders
  (BIP130) and with inv to one that did not; headers announced by a peer
  make the node fetch the block.
- getheaders and getblocks are served from the active chain.
"""

import json
import time

from test_framework.blocktools import bootstrap_records, create_block, create_coinbase
from test_framework.messages import (MSG_BLOCK, MSG_WITNESS_FLAG, CBlock, CBlockHeader, CBlockLocator, CInv,
                                     msg_getblocks, msg_getdata, msg_getheaders, msg_headers, msg_sendheaders)
from test_framework.p2p import P2PDataStore, P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


def hex_to_hash(h):
    return bytes.fromhex(h)[::-1]


class StallingStore(P2PDataStore):
    """Serves headers but never sends the blocks it is asked for."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.withheld = 0

    def on_getdata(self, message):
        for inv in message.inv:
            self.getdata_requests.append(inv)
            if (inv.type & ~MSG_WITNESS_FLAG) == MSG_BLOCK:
                self.withheld += 1


class BlockSyncTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 6

    def setup_network(self):
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        self.raws = list(bootstrap_records(self.require_shared("chains", "regtest-dev.dat")))
        # The chain's blocks are ten minutes apart and old: with the clock at
        # its tip the nodes leave initial download near the end and relay.
        last = CBlockHeader.from_bytes(self.raws[-1][:80])
        self.mocktime = last.time + 600
        args = ["-mocktime=%d" % self.mocktime, "-debug=net"]
        self.add_nodes(self.num_nodes, [args + ["-loadblock=" + self.require_shared("chains", "regtest-dev.dat")]]
                       + [list(args) for _ in range(self.num_nodes - 1)])
        self.start_nodes()

    def run_test(self):
        self.line_sync()
        self.parallel_sources()
        self.stalling_source()
        self.announcements()
        self.serving()

    def line_sync(self):
        self.log.info("Three nodes in a line sync the shared chain from node0")
        n0, n1, n2 = self.nodes[:3]
        wait_until(lambda: n0.getblockcount() == self.expect["height"], timeout=300)
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 1)
        t = time.monotonic()
        wait_until(lambda: all(n.getbestblockhash() == self.expect["bestblockhash"] for n in (n1, n2)),
                   timeout=600, check_interval=0.2)
        self.log.info("  node1 and node2 at height %d after %.1fs", self.expect["height"], time.monotonic() - t)
        for n in (n1, n2):
            assert_equal(n.getblockchaininfo()["initialblockdownload"], False)
            assert_equal(n.gettxoutsetinfo()["hash_serialized_3"], self.expect["hash_serialized_3"])
        # node2 got its blocks from node1 only (it has no other peer).
        peers2 = [p for p in n2.getpeerinfo() if not p["inbound"]]
        assert_equal(len(peers2), 1)
        assert peers2[0]["bytesrecv_per_msg"].get("block", 0) > 7000000
        assert_equal(peers2[0]["synced_headers"], self.expect["height"])
        assert_equal(peers2[0]["synced_blocks"], self.expect["height"])
        assert_equal(peers2[0]["inflight"], [])

    def store_peer(self, cls=P2PDataStore):
        p = cls()
        p.add_raw_blocks(self.raws)
        return p

    def parallel_sources(self):
        self.log.info("A node with four sources downloads from all of them")
        node = self.nodes[3]
        sources = [self.store_peer() for _ in range(4)]
        for s in sources:
            node.add_outbound_p2p_connection(s, connection_type="outbound-full-relay")
        wait_until(lambda: node.getbestblockhash() == self.expect["bestblockhash"], timeout=600,
                   check_interval=0.2)
        served = [s.served_blocks for s in sources]
        self.log.info("  blocks served per source: %s", served)
        assert all(n > 0 for n in served), served
        # No block was asked twice: the requests add up to the chain.
        with p2p_lock:
            asked = [inv.hash for s in sources for inv in s.getdata_requests
                     if (inv.type & ~MSG_WITNESS_FLAG) == MSG_BLOCK]
        assert_equal(len(asked), len(set(asked)))
        assert_equal(len(asked), self.expect["height"])
        # Witness blocks are what a bitrootd asks for.
        with p2p_lock:
            assert all(inv.type == MSG_BLOCK | MSG_WITNESS_FLAG for s in sources for inv in s.getdata_requests)
        node.disconnect_p2ps()

    def stalling_source(self):
        self.log.info("A source that stops answering is dropped and the sync finishes elsewhere")
        node = self.nodes[4]
        staller = self.store_peer(StallingStore)
        node.add_outbound_p2p_connection(staller, connection_type="outbound-full-relay")
        # Alone, the staller gets asked and answers nothing.
        staller.wait_until(lambda: staller.withheld >= 16, timeout=60)
        assert_equal(node.getblockcount(), 0)
        honest = self.store_peer()
        with node.assert_debug_log(["is stalling block download"], timeout=60):
            node.add_outbound_p2p_connection(honest, connection_type="outbound-full-relay")
            # Stall timeouts run on node time, as Core's: step the mock clock.
            t = self.mocktime
            for _ in range(100):
                if not staller.is_connected:
                    break
                t += 1
                node.setmocktime(t)
                time.sleep(0.1)
            staller.wait_for_disconnect(timeout=60)
        node.setmocktime(self.mocktime)
        wait_until(lambda: node.getbestblockhash() == self.expect["bestblockhash"], timeout=600,
                   check_interval=0.2)
        assert honest.is_connected
        node.disconnect_p2ps()

    def announcements(self):
        self.log.info("New tips reach a sendheaders peer as headers, others as inv")
        node = self.nodes[0]
        hdr_peer = node.add_p2p_connection(P2PInterface())
        hdr_peer.send_and_ping(msg_sendheaders())
        inv_peer = node.add_p2p_connection(P2PInterface())
        # Each peer must know the tip for a header announcement to connect.
        tip = hex_to_hash(node.getbestblockhash())
        for p in (hdr_peer, inv_peer):
            p.send_and_ping(msg_headers([CBlockHeader.from_bytes(self.raws[-1][:80])]))
            p.clear_messages()
        new = self.generate(node, 1, sync_fun=self.no_op)[0]
        new_hash = hex_to_hash(new)
        hdr_peer.wait_for_message("headers", lambda m: any(h.hash == new_hash for h in m.headers))
        inv_peer.wait_for_message("inv", lambda m: any(i.hash == new_hash for i in m.inv))
        with p2p_lock:
            assert not any(m.msgtype == b"inv" and any(i.hash == new_hash for i in m.inv)
                           for m in hdr_peer.received)
        # node1 and node2 (out of initial download) follow the new tip.
        self.sync_blocks(self.nodes[:3])
        assert tip != new_hash

        self.log.info("A block announced by headers from a peer is fetched from it")
        source = node.add_p2p_connection(P2PDataStore())
        height = node.getblockcount()
        blk = create_block(new_hash, create_coinbase(height + 1), self.mocktime + 600)
        blk.solve()
        source.add_blocks([blk])
        source.send_and_ping(msg_headers([blk.header()]))
        wait_until(lambda: node.getbestblockhash() == blk.hash_hex, timeout=60)
        with p2p_lock:
            assert any(inv.hash == blk.hash for inv in source.getdata_requests)
        self.sync_blocks(self.nodes[:3])
        node.disconnect_p2ps()

    def serving(self):
        self.log.info("getheaders and getblocks are served from the active chain")
        node = self.nodes[0]
        peer = node.add_p2p_connection(P2PInterface())
        genesis = hex_to_hash(node.getblockhash(0))
        peer.send_and_ping(msg_getheaders(CBlockLocator([genesis])))
        hdrs = peer.wait_for_message("headers").headers
        assert_equal(len(hdrs), min(2000, node.getblockcount()))
        assert_equal(hdrs[0].hash, hex_to_hash(node.getblockhash(1)))
        # Stop at a given hash.
        stop = hex_to_hash(node.getblockhash(10))
        peer.clear_messages()
        peer.send_and_ping(msg_getheaders(CBlockLocator([genesis]), stop))
        assert_equal(len(peer.wait_for_message("headers").headers), 10)
        # An unknown locator starts from genesis; an empty locator asks for the stop block only.
        peer.clear_messages()
        peer.send_and_ping(msg_getheaders(CBlockLocator([b"\x42" * 32]), stop))
        assert_equal(len(peer.wait_for_message("headers").headers), 10)
        peer.clear_messages()
        peer.send_and_ping(msg_getheaders(CBlockLocator([]), stop))
        assert_equal([h.hash for h in peer.wait_for_message("headers").headers], [stop])
        # getblocks: at most 500 block hashes in an inv.
        peer.clear_messages()
        peer.send_and_ping(msg_getblocks(CBlockLocator([genesis])))
        inv = peer.wait_for_message("inv").inv
        assert_equal(len(inv), 500)
        assert_equal(inv[0].hash, hex_to_hash(node.getblockhash(1)))
        # A plain (non-witness) request gets the block stripped of witnesses.
        raw = max(self.raws, key=lambda r: len(r) - len(CBlock.from_bytes(r).serialize(with_witness=False)))
        full = CBlock.from_bytes(raw)
        stripped = full.serialize(with_witness=False)
        assert len(stripped) < len(raw), "the shared chain has no witness data"
        for typ, want in ((MSG_BLOCK, stripped), (MSG_BLOCK | MSG_WITNESS_FLAG, raw)):
            peer.clear_messages()
            peer.send_and_ping(msg_getdata([CInv(typ, full.hash)]))
            got = peer.wait_for_message("block")
            assert_equal(got.block.serialize(with_witness=typ != MSG_BLOCK), want)
        node.disconnect_p2ps()


if __name__ == "__main__":
    BlockSyncTest(__file__).main()
