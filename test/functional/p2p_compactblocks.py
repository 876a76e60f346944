#!/usr/bin/env python3
"""BIP152 compact blocks, version 2 (doc/p2p.md, "Compact blocks").

- After verack the node offers sendcmpct(high-bandwidth=0, version 2).
- Between two nodes: the first new block goes by low-bandwidth getdata
  MSG_CMPCT_BLOCK; the receiver then picks the sender as a high-bandwidth
  peer (sendcmpct 1), whose next block comes unasked as a cmpctblock, rebuilt
  from the mempool (bip152_hb_to/_from in getpeerinfo, cmpctblock counters).
- A test peer in high-bandwidth mode gets a cmpctblock whose short ids are
  SipHash-2-4 of the wtxids keyed by SHA256(header || nonce), coinbase
  prefilled; in low-bandwidth mode an announcement, then getdata
  MSG_CMPCT_BLOCK gives a cmpctblock; deeper than 5 blocks the full block.
- getblocktxn is answered with blocktxn; deeper than 10 blocks with the full
  block; an out-of-bounds index gets the peer disconnected.
- A cmpctblock from a test peer: rebuilt from the mempool without a round
  trip; with a transaction the node lacks, getblocktxn/blocktxn complete it;
  a blocktxn with the wrong count, or an invalid compact block (prefilled
  index past the end), gets the peer disconnected; two equal short ids make
  the node ask for the full block.
- The node requests full blocks (MSG_WITNESS_BLOCK) from a peer that never
  sent sendcmpct, and never sends it a cmpctblock; sendcmpct version 1 is
  ignored.
- Only three high-bandwidth peers at a time.
- A transaction the node refused (fee under its minimum) is kept in the
  extra pool and rebuilds a later cmpctblock without a round trip; with
  -blockreconstructionextratxn=0 it has to be asked for.
"""

import time

from test_framework.blocktools import create_block, create_coinbase, solve
from test_framework.messages import (MSG_BLOCK, MSG_CMPCT_BLOCK, MSG_WITNESS_BLOCK, CBlock, CInv, cmpct_keys,
                                     hash_to_hex, hex_to_hash, msg_block, msg_blocktxn, msg_cmpctblock, msg_generic,
                                     msg_getblocktxn, msg_getdata, msg_headers, msg_sendcmpct, msg_tx, short_id,
                                     PrefilledTx)
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet


class CmpctPeer(P2PInterface):
    """Answers getdata for blocks it made and records what it was asked."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.blocks = {}

    def on_getdata(self, message):
        for inv in message.inv:
            b = self.blocks.get(inv.hash)
            if b is not None and inv.type in (MSG_BLOCK, MSG_WITNESS_BLOCK):
                from test_framework.messages import msg_block
                self.send_message(msg_block(b))

    def getdata_types(self, blockhash):
        with p2p_lock:
            return [i.type for m in self.received if m.msgtype == b"getdata" for i in m.inv if i.hash == blockhash]

    def msgs(self, msgtype):
        with p2p_lock:
            return [m for m in self.received if m.msgtype == msgtype]


def block_of(node, blockhash_hex):
    return CBlock.from_hex(node.getblock(blockhash_hex, 0))


class CompactBlocksTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [[], []]

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def run_test(self):
        self.wallet = MiniWallet(self.nodes[0])
        self.wallet.generate(120)
        self.sync_blocks()
        # Transactions are relayed once both left initial download.
        for node in self.nodes:
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()))
        self.handshake()
        self.node_to_node()
        self.hb_peer()
        self.early_announce()
        self.lb_peer()
        self.getblocktxn_serving()
        self.receive_cmpct()
        self.malformed()
        self.collision()
        self.no_sendcmpct()
        self.hb_limit()
        self.extra_pool()

    def mempool_txs(self, n):
        txs = [self.wallet.send_self_transfer(from_node=self.nodes[0]) for _ in range(n)]
        self.sync_mempools()
        return txs

    def handshake(self):
        self.log.info("after verack the node offers sendcmpct(0, 2)")
        peer = self.nodes[0].add_p2p_connection(CmpctPeer())
        peer.wait_for_message("sendcmpct")
        m = peer.last_message["sendcmpct"]
        assert_equal((m.announce, m.version), (False, 2))
        self.nodes[0].disconnect_p2ps()

    def node_to_node(self):
        n0, n1 = self.nodes
        self.log.info("low-bandwidth first, then node1 picks node0 as high-bandwidth")
        txs = self.mempool_txs(3)
        full_before = n1.getpeerinfo()[0]["bytesrecv_per_msg"].get("block", 0)
        self.generate(n0, 1)
        assert all(t["txid"] not in n1.getrawmempool() for t in txs)
        p1 = n1.getpeerinfo()[0]
        self.wait_until(lambda: n1.getpeerinfo()[0]["bip152_hb_to"])
        self.wait_until(lambda: n0.getpeerinfo()[0]["bip152_hb_from"])
        p1 = n1.getpeerinfo()[0]
        assert p1["bytesrecv_per_msg"].get("cmpctblock", 0) > 0
        assert p1["bytessent_per_msg"].get("sendcmpct", 0) > 0
        assert_equal(p1["bytesrecv_per_msg"].get("block", 0), full_before)
        self.log.info("high-bandwidth: the next block comes unasked, rebuilt from the mempool")
        before = n1.getpeerinfo()[0]["bytesrecv_per_msg"]
        self.mempool_txs(5)
        self.generate(n0, 1)
        after = n1.getpeerinfo()[0]["bytesrecv_per_msg"]
        assert after["cmpctblock"] > before["cmpctblock"]
        assert_equal(after.get("block", 0), full_before)
        assert_equal(after.get("blocktxn", 0), 0)
        assert_equal(n0.getpeerinfo()[0]["bytesrecv_per_msg"].get("getblocktxn", 0), 0)

    def check_cmpct(self, m, block):
        assert_equal(m.header.hash, block.hash)
        k0, k1 = cmpct_keys(block.serialize_header(), m.nonce)
        assert_equal(m.shortids, [short_id(k0, k1, tx.wtxid) for tx in block.vtx[1:]])
        assert_equal(len(m.prefilled), 1)
        assert_equal(m.prefilled[0].index, 0)
        assert_equal(m.prefilled[0].tx.serialize(), block.vtx[0].serialize())

    def tell_tip(self, node, peer):
        """A getheaders from the tip: the node then knows the peer has it."""
        peer.send_get_headers([hex_to_hash(node.getbestblockhash())])
        peer.sync_with_ping()

    def hb_peer(self):
        node = self.nodes[0]
        self.log.info("a high-bandwidth test peer gets each new block as a cmpctblock")
        peer = node.add_p2p_connection(CmpctPeer())
        self.tell_tip(node, peer)
        peer.send_and_ping(msg_sendcmpct(True, 2))
        self.wait_until(lambda: [p for p in node.getpeerinfo() if p["id"] == peer.peer_id][0]["bip152_hb_from"])
        self.mempool_txs(4)
        h = self.generate(node, 1)[0]
        peer.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == h)
        m = [x for x in peer.msgs(b"cmpctblock") if x.header.hash_hex == h][0]
        self.check_cmpct(m, block_of(node, h))
        assert_equal(len(m.shortids), 4)
        self.hb = peer

    def bad_script_block(self, ntime_bump):
        """A block on the tip that passes every check but its scripts."""
        t = self.wallet.create_self_transfer()
        # An OP_0 leaf instead of OP_TRUE: the control block no longer
        # commits to it, which only script verification finds.
        t["tx"].witness = [[b"\x00", t["tx"].witness[0][1]]]
        node = self.nodes[0]
        hdr = node.getblockheader(node.getbestblockhash())
        return self.make_block([t], ntime=max(hdr["mediantime"] + 1, hdr["time"] + 1) + ntime_bump)

    def early_announce(self):
        node = self.nodes[0]
        self.log.info("a new block goes to high-bandwidth peers before it is connected (Core's NewPoWValidBlock)")
        tip = node.getbestblockhash()
        bad = self.bad_script_block(0)
        sender = node.add_p2p_connection(P2PInterface())
        with node.assert_debug_log(["NewPoWValidBlock sending header-and-ids %s" % bad.hash_hex]):
            sender.send_message(msg_block(bad))
            # Only a peer told before validation could hear of a block that
            # fails it.
            self.hb.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == bad.hash_hex)
            sender.wait_for_disconnect()
        assert_equal(node.getbestblockhash(), tip)
        assert_equal([t["status"] for t in node.getchaintips() if t["hash"] == bad.hash_hex], ["invalid"])
        self.log.info("a compact block that fails past its header costs its sender nothing (BIP152)")
        bad2 = self.bad_script_block(1)
        cmpct = node.add_p2p_connection(CmpctPeer())
        cmpct.send_and_ping(msg_sendcmpct(False, 2))
        every = tuple(range(len(bad2.vtx)))
        with node.assert_debug_log(["block %s from peer=%d invalid" % (bad2.hash_hex, cmpct.peer_id)]):
            cmpct.send_and_ping(msg_cmpctblock.from_block(bad2, nonce=5, prefill=every))
            self.wait_until(lambda: any(t["hash"] == bad2.hash_hex and t["status"] == "invalid"
                                        for t in node.getchaintips()))
        cmpct.sync_with_ping()
        assert cmpct.is_connected
        assert_equal([p["id"] for p in node.getpeerinfo() if p["id"] == cmpct.peer_id], [cmpct.peer_id])
        self.hb.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == bad2.hash_hex)
        self.log.info("the next valid block still reaches the high-bandwidth peer, once")
        h = self.generate(node, 1)[0]
        self.hb.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == h)
        self.hb.sync_with_ping()
        assert_equal(len([m for m in self.hb.msgs(b"cmpctblock") if m.header.hash_hex == h]), 1)

    def lb_peer(self):
        node = self.nodes[0]
        self.log.info("a low-bandwidth peer gets an announcement, then asks for MSG_CMPCT_BLOCK")
        peer = self.hb
        peer.send_and_ping(msg_sendcmpct(False, 2))
        peer.clear_messages()
        self.mempool_txs(2)
        h = self.generate(node, 1)[0]
        peer.wait_for_block_announcement(hex_to_hash(h))
        assert not peer.msgs(b"cmpctblock")
        peer.send_and_ping(msg_getdata([CInv(MSG_CMPCT_BLOCK, hex_to_hash(h))]))
        peer.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == h)
        self.check_cmpct(peer.last_message["cmpctblock"], block_of(node, h))
        self.log.info("deeper than 5 blocks, MSG_CMPCT_BLOCK gets the full block")
        old = node.getblockhash(node.getblockcount() - 6)
        peer.clear_messages()
        peer.send_and_ping(msg_getdata([CInv(MSG_CMPCT_BLOCK, hex_to_hash(old))]))
        assert not peer.msgs(b"cmpctblock")
        assert_equal(peer.last_message["block"].block.hash_hex, old)
        ok = node.getblockhash(node.getblockcount() - 5)
        peer.send_and_ping(msg_getdata([CInv(MSG_CMPCT_BLOCK, hex_to_hash(ok))]))
        assert_equal(peer.last_message["cmpctblock"].header.hash_hex, ok)

    def getblocktxn_serving(self):
        node = self.nodes[0]
        peer = self.hb
        self.log.info("getblocktxn is answered with blocktxn (witness serialization)")
        self.mempool_txs(3)
        h = self.generate(node, 1)[0]
        block = block_of(node, h)
        peer.clear_messages()
        peer.send_and_ping(msg_getblocktxn(hex_to_hash(h), [1, 3]))
        m = peer.last_message["blocktxn"]
        assert_equal(m.blockhash, hex_to_hash(h))
        assert_equal([t.serialize() for t in m.txs], [block.vtx[1].serialize(), block.vtx[3].serialize()])
        self.log.info("deeper than 10 blocks, getblocktxn gets the full block")
        old = node.getblockhash(node.getblockcount() - 11)
        peer.clear_messages()
        peer.send_and_ping(msg_getblocktxn(hex_to_hash(old), [0]))
        assert not peer.msgs(b"blocktxn")
        assert_equal(peer.last_message["block"].block.hash_hex, old)
        within = node.getblockhash(node.getblockcount() - 10)
        peer.send_and_ping(msg_getblocktxn(hex_to_hash(within), [0]))
        assert_equal(peer.last_message["blocktxn"].blockhash, hex_to_hash(within))
        self.log.info("an out-of-bounds index gets the peer disconnected")
        peer.send_message(msg_getblocktxn(hex_to_hash(h), [4]))
        peer.wait_for_disconnect()
        node.disconnect_p2ps()

    def make_block(self, txs, *, prev=None, height=None, ntime=None):
        node = self.nodes[0]
        prev = prev or node.getbestblockhash()
        hdr = node.getblockheader(prev)
        height = hdr["height"] + 1 if height is None else height
        ntime = ntime or max(hdr["mediantime"] + 1, hdr["time"] + 1)
        block = create_block(prev, create_coinbase(height), ntime, txs=[t["tx"] for t in txs],
                             witness_commitment=True)
        return solve(block)

    def receive_cmpct(self):
        node = self.nodes[0]
        self.log.info("a cmpctblock whose transactions are all in the mempool: rebuilt at once")
        peer = node.add_p2p_connection(CmpctPeer())
        peer.send_and_ping(msg_sendcmpct(False, 2))
        txs = self.mempool_txs(3)
        block = self.make_block(txs)
        peer.send_and_ping(msg_cmpctblock.from_block(block, nonce=7))
        self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
        assert not peer.msgs(b"getblocktxn")
        self.sync_blocks()
        self.log.info("a transaction the node lacks is fetched with getblocktxn")
        txs = self.mempool_txs(2)
        unknown = self.wallet.create_self_transfer()
        allt = txs[:1] + [unknown] + txs[1:]
        block = self.make_block(allt)
        peer.clear_messages()
        peer.send_message(msg_cmpctblock.from_block(block, nonce=8))
        peer.wait_for_message("getblocktxn")
        m = peer.last_message["getblocktxn"]
        assert_equal((m.blockhash, m.indexes), (block.hash, [2]))
        peer.send_and_ping(msg_blocktxn(block.hash, [unknown["tx"]]))
        self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
        self.sync_blocks()
        self.rx = peer

    def malformed(self):
        node = self.nodes[0]
        self.log.info("blocktxn with the wrong number of transactions: disconnected")
        peer = self.rx
        unknown = self.wallet.create_self_transfer()
        block = self.make_block([unknown])
        peer.clear_messages()
        peer.send_message(msg_cmpctblock.from_block(block, nonce=9))
        peer.wait_for_message("getblocktxn")
        peer.send_message(msg_blocktxn(block.hash, []))
        peer.wait_for_disconnect()
        node.disconnect_p2ps()
        self.log.info("a truncated cmpctblock is dropped, the peer stays")
        peer = node.add_p2p_connection(CmpctPeer())
        peer.send_and_ping(msg_generic(b"cmpctblock", bytes(85)))
        assert peer.is_connected
        self.log.info("a prefilled index past the end: invalid compact block, disconnected")
        block = self.make_block([], prev=node.getbestblockhash())
        m = msg_cmpctblock.from_block(block, nonce=1)
        m.prefilled = [PrefilledTx(5, block.vtx[0])]
        peer.send_message(m)
        peer.wait_for_disconnect()
        node.disconnect_p2ps()
        # The header went to validation; the block itself never came.
        self.wait_until(lambda: any(t["hash"] == block.hash_hex for t in node.getchaintips()))

    def collision(self):
        node = self.nodes[0]
        self.log.info("two equal short ids: the node asks for the full block")
        peer = node.add_p2p_connection(CmpctPeer())
        peer.send_and_ping(msg_sendcmpct(False, 2))
        txs = self.mempool_txs(2)
        block = self.make_block(txs)
        peer.blocks[block.hash] = block
        m = msg_cmpctblock.from_block(block, nonce=3)
        m.shortids[1] = m.shortids[0]
        peer.send_message(m)
        self.wait_until(lambda: MSG_WITNESS_BLOCK in peer.getdata_types(block.hash))
        self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
        self.sync_blocks()
        node.disconnect_p2ps()

    def no_sendcmpct(self):
        node = self.nodes[0]
        self.log.info("a peer that never sent sendcmpct gets and is asked for full blocks only")
        peer = node.add_p2p_connection(CmpctPeer())
        peer.send_and_ping(msg_sendcmpct(True, 1))    # version 1: ignored
        info = [p for p in node.getpeerinfo() if p["id"] == peer.peer_id][0]
        assert not info["bip152_hb_from"]
        block = self.make_block([])
        peer.blocks[block.hash] = block
        peer.send_message(msg_headers([block]))
        self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
        assert_equal(peer.getdata_types(block.hash), [MSG_WITNESS_BLOCK])
        self.sync_blocks()
        h = self.generate(node, 1)[0]
        peer.wait_for_block_announcement(hex_to_hash(h))
        assert not peer.msgs(b"cmpctblock")
        info = [p for p in node.getpeerinfo() if p["id"] == peer.peer_id][0]
        assert not info["bip152_hb_to"]
        assert_equal(info["bytessent_per_msg"].get("cmpctblock", 0), 0)
        node.disconnect_p2ps()

    def hb_limit(self):
        node = self.nodes[0]
        self.log.info("at most three high-bandwidth peers; the oldest is told sendcmpct(0)")
        peers = []
        for i in range(4):
            peer = node.add_p2p_connection(CmpctPeer())
            peer.send_and_ping(msg_sendcmpct(False, 2))
            block = self.make_block([])
            peer.blocks[block.hash] = block
            peer.send_and_ping(msg_cmpctblock.from_block(block, nonce=i))
            self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
            peer.wait_for_message("sendcmpct", lambda m: m.announce)
            peers.append(peer)
        self.wait_until(lambda: sum(p["bip152_hb_to"] for p in node.getpeerinfo()) == 3)
        hb = {p["id"] for p in node.getpeerinfo() if p["bip152_hb_to"]}
        assert peers[0].peer_id not in hb
        # node1 (outbound to node0, so inbound here) and the first test peer were pushed out.
        peers[0].wait_for_message("sendcmpct", lambda m: not m.announce and
                                  peers[0].message_count["sendcmpct"] >= 3)
        node.disconnect_p2ps()

    def rejected_then_mined(self, node, *, expect_getblocktxn):
        """A transaction node refused (fee under its minimum) comes back in a cmpctblock."""
        peer = node.add_p2p_connection(CmpctPeer())
        peer.send_and_ping(msg_sendcmpct(False, 2))
        cheap = self.wallet.create_self_transfer(fee=0)
        offset = node.debug_log_bytes()
        peer.send_message(msg_tx(cheap["tx"]))
        node.wait_for_debug_log(["%s from peer=%d was not accepted" % (cheap["txid"], peer.peer_id)],
                                offset=offset)
        assert cheap["txid"] not in node.getrawmempool()
        block = self.make_block([cheap])
        peer.send_message(msg_cmpctblock.from_block(block, nonce=11))
        if expect_getblocktxn:
            peer.wait_for_message("getblocktxn")
            assert_equal(peer.last_message["getblocktxn"].indexes, [1])
            peer.send_message(msg_blocktxn(block.hash, [cheap["tx"]]))
        self.wait_until(lambda: node.getbestblockhash() == block.hash_hex)
        if not expect_getblocktxn:
            peer.sync_with_ping()
            assert not peer.msgs(b"getblocktxn")
        self.wallet.scan_tx(cheap["tx"])
        node.disconnect_p2ps()

    def extra_pool(self):
        node = self.nodes[0]
        self.log.info("a refused transaction is kept for rebuilding (-blockreconstructionextratxn)")
        self.rejected_then_mined(node, expect_getblocktxn=False)
        self.log.info("-blockreconstructionextratxn=0 keeps none: getblocktxn")
        self.restart_node(0, ["-blockreconstructionextratxn=0"])
        self.rejected_then_mined(self.nodes[0], expect_getblocktxn=True)


if __name__ == "__main__":
    CompactBlocksTest(__file__).main()
