#!/usr/bin/env python3
"""Block download rules that Core's own tests check (issue 15).

- After the node rejects an invalid block, a different block on the same
  parent is still requested and judged on its own: one bad block does not
  stall the download of its height.
- With -minimumchainwork above the chain's work the node stores headers (of a
  noban peer, as every peer here is; an ordinary peer's are held back by the
  presync, p2p_headers_presync.py) but downloads no blocks, and an
  unrequested block or compact block on a low-work chain is not even stored
  (Core: "missing anti-dos proof-of-work validation").
- Regression: a headers message continuing a full batch that validation has
  not stored yet (a fast peer) was taken as unconnected and lost, and the
  header sync stalled at 2,000.
"""

import copy
import time

from test_framework.blocktools import create_block, create_chain, create_coinbase
from test_framework.messages import (MSG_BLOCK, MSG_WITNESS_FLAG, msg_block, msg_cmpctblock, msg_headers,
                                     msg_sendheaders)
from test_framework.p2p import P2PDataStore, P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, wait_until


def hex_to_hash(h):
    return bytes.fromhex(h)[::-1]


def requested(peer, h):
    with p2p_lock:
        return any((inv.type & ~MSG_WITNESS_FLAG) == MSG_BLOCK and inv.hash == h
                   for inv in peer.getdata_requests)


class SyncRulesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-debug=net", "-debug=validation", "-whitelist=noban@127.0.0.1"]]

    def run_test(self):
        self.rejected_block_does_not_stall()
        self.getheaders_locators()
        self.minimum_chain_work()
        self.headers_continuation_before_stored()

    def next_block(self, prev_hex, height, ntime, witness=None, **kw):
        b = create_block(hex_to_hash(prev_hex), create_coinbase(height, **kw), ntime,
                         witness_commitment=witness)
        b.solve()
        return b

    def offer(self, node, peer, block, raw=None, reason=None):
        """Announces block by headers, serves it (or raw) when asked."""
        with p2p_lock:
            peer.getdata_requests.clear()
        peer.block_raw[block.hash] = raw if raw is not None else block.serialize()
        with node.assert_debug_log([reason] if reason else [], timeout=30):
            peer.send_and_ping(msg_headers([block.header()]))
            wait_until(lambda: requested(peer, block.hash), timeout=30)
            peer.sync_with_ping()

    def rejected_block_does_not_stall(self):
        self.log.info("Bad blocks do not stop download of other blocks at their height")
        node = self.nodes[0]
        self.generate(node, 1, sync_fun=self.no_op)
        tip = node.getbestblockhash()
        height = node.getblockcount()
        ntime = node.getblockheader(tip)["time"] + 1
        # A noban peer stays connected after a bad block.
        peer = node.add_p2p_connection(P2PDataStore())
        # Core's p2p_invalid_block order: a mutated copy (not held invalid),
        # two invalid siblings, then the real block with the copy's hash.
        real = self.next_block(tip, height + 1, ntime, witness=True)
        mutated = copy.deepcopy(real)
        mutated.vtx[0].witness = [[b"\x00" * 31]]
        assert_equal(mutated.hash, real.hash)
        self.offer(node, peer, real, mutated.serialize(), "bad-witness-nonce-size")
        bad = self.next_block(tip, height + 1, ntime + 1, value=50 * 10**8 + 1)
        self.offer(node, peer, bad, reason="bad-cb-amount")
        bad_b = self.next_block(tip, height + 1, ntime + 2, value=50 * 10**8 + 2)
        self.offer(node, peer, bad_b, reason="bad-cb-amount")
        assert_equal(node.getbestblockhash(), tip)
        self.offer(node, peer, real)
        wait_until(lambda: node.getbestblockhash() == real.hash_hex, timeout=30)
        node.invalidateblock(real.hash_hex)
        assert_equal(node.getbestblockhash(), tip)

        self.log.info("... a valid sibling of a bad block is fetched and connected")
        good = self.next_block(tip, height + 1, ntime + 3)
        self.offer(node, peer, good)
        wait_until(lambda: node.getbestblockhash() == good.hash_hex, timeout=30)

        self.log.info("... and from another peer after the first is gone")
        tip = good.hash_hex
        bad2 = self.next_block(tip, height + 2, ntime + 2, value=50 * 10**8 + 1)
        good2 = self.next_block(tip, height + 2, ntime + 3)
        peer.block_raw[bad2.hash] = bad2.serialize()
        peer.send_and_ping(msg_headers([bad2.header()]))
        wait_until(lambda: requested(peer, bad2.hash), timeout=30)
        peer.sync_with_ping()
        assert_equal(node.getbestblockhash(), tip)
        node.disconnect_p2ps()
        other = node.add_p2p_connection(P2PDataStore())
        other.block_raw[good2.hash] = good2.serialize()
        other.send_and_ping(msg_headers([good2.header()]))
        wait_until(lambda: requested(other, good2.hash), timeout=30)
        wait_until(lambda: node.getbestblockhash() == good2.hash_hex, timeout=30)
        node.disconnect_p2ps()

    def headers_answer(self, peer, locator):
        peer.clear_messages()
        peer.send_get_headers(locator)
        peer.wait_for_message("headers")
        return [h.hash for h in peer.messages("headers")[-1].headers]

    def getheaders_locators(self):
        self.log.info("getheaders: a locator of unknown hashes forks at genesis")
        node = self.nodes[0]
        self.generate(node, 3, sync_fun=self.no_op)
        chain = [hex_to_hash(node.getblockhash(h)) for h in range(node.getblockcount() + 1)]
        peer = node.add_p2p_connection(P2PDataStore())
        peer.send_and_ping(msg_sendheaders())
        assert_equal(self.headers_answer(peer, [b"\x11" * 32, b"\x22" * 32]), chain[1:])

        self.log.info("... a locator hash beyond our tip on our chain forks at the tip")
        tip = node.getbestblockhash()
        ahead = self.next_block(tip, len(chain), node.getblockheader(tip)["time"] + 1)
        peer.send_and_ping(msg_headers([ahead.header()]))
        assert_equal(self.headers_answer(peer, [ahead.hash]), [])

        self.log.info("... and new blocks are still announced by headers")
        peer.block_raw[ahead.hash] = ahead.serialize()
        peer.send_and_ping(msg_block(ahead))
        peer.clear_messages()
        new = hex_to_hash(self.generate(node, 1, sync_fun=self.no_op)[0])
        peer.wait_for_message("headers", lambda m: any(h.hash == new for h in m.headers))
        with p2p_lock:
            assert not any(m.msgtype == b"inv" and any(i.hash == new for i in m.inv) for m in peer.received)
        node.disconnect_p2ps()

    def minimum_chain_work(self):
        self.log.info("Below -minimumchainwork headers are kept but no block is downloaded")
        node = self.nodes[0]
        self.restart_node(0, self.extra_args[0] + ["-minimumchainwork=0x" + "ff" * 8])
        tip = node.getbestblockhash()
        height = node.getblockcount()
        ntime = node.getblockheader(tip)["time"] + 1
        peer = node.add_p2p_connection(P2PDataStore())
        blocks = []
        prev = tip
        for i in range(3):
            b = self.next_block(prev, height + 1 + i, ntime + i)
            blocks.append(b)
            prev = b.hash_hex
        for b in blocks:
            peer.block_raw[b.hash] = b.serialize()
        peer.send_and_ping(msg_headers([b.header() for b in blocks]))
        assert_equal(node.getblockchaininfo()["headers"], height + 3)
        time.sleep(2)
        peer.sync_with_ping()
        assert not any(requested(peer, b.hash) for b in blocks)
        assert_equal(node.getblockcount(), height)

        self.log.info("An unrequested block on a low-work chain is not stored")
        lone = self.next_block(tip, height + 1, ntime + 10)
        with node.assert_debug_log(["missing anti-dos proof-of-work validation"], timeout=30):
            peer.send_and_ping(msg_block(lone))
        assert not any(t["hash"] == lone.hash_hex for t in node.getchaintips())
        assert_equal(node.getblockcount(), height)

        self.log.info("Nor one that comes as a compact block")
        lone_cb = self.next_block(tip, height + 1, ntime + 11)
        with node.assert_debug_log(["Ignoring low-work compact block"], timeout=30):
            peer.send_and_ping(msg_cmpctblock.from_block(lone_cb))
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, lone_cb.hash_hex)
        assert_equal(node.getblockcount(), height)

        node.disconnect_p2ps()

    def headers_continuation_before_stored(self):
        self.log.info("Two headers messages back to back: the second continues the first before it is stored")
        node = self.nodes[0]
        self.restart_node(0, self.extra_args[0])
        tip = node.getbestblockhash()
        height = node.getblockcount()
        blocks = create_chain(tip, height + 1, node.getblockheader(tip)["time"] + 1, 2100)
        # A peer that answers no getheaders: the node has only these two
        # messages to learn the chain from.
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_message(msg_headers([b.header() for b in blocks[:2000]]))
        peer.send_message(msg_headers([b.header() for b in blocks[2000:]]))
        wait_until(lambda: node.getblockchaininfo()["headers"] == height + 2100, timeout=60)
        node.disconnect_p2ps()


if __name__ == "__main__":
    SyncRulesTest(__file__).main()
