#!/usr/bin/env python3
"""Orphan transactions (doc/p2p.md, "Orphans").

- A child sent before its parent is kept in the orphanage (getorphantxs)
  and the node asks the sender for the parent (MSG_WITNESS_TX by txid);
  once the parent arrives both enter the mempool and the orphanage empties.
- An orphan whose only sender disconnects is dropped: its parent arriving
  later does not pull it in.
- A child of a rejected (witness-less) parent is not kept, and its txid is
  remembered as rejected with its wtxid: a txid announcement is not followed.
- The orphanage is bounded: of 150 orphans at most 100 are kept (random
  eviction, logged as "orphanage overflow").
- getorphantxs: verbosity 0 (txids), 1 (details), 2 (details and hex); a
  bad verbosity is an error.
"""

import random
import time

from test_framework.messages import MSG_TX, MSG_WITNESS_TX, CInv, msg_inv, msg_tx
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet


def hex_hash(h):
    return bytes.fromhex(h)[::-1]


class OrphanTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        self.node = self.nodes[0]
        self.wallet = MiniWallet(self.node)
        self.wallet.generate(120)
        self.child_before_parent()
        self.sender_disconnects()
        self.rejected_parent()
        self.bounded()
        self.rpc_shapes()

    def family(self):
        parent = self.wallet.create_self_transfer()
        child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"])
        return parent, child

    def child_before_parent(self):
        self.log.info("child first: kept as an orphan, the parent is asked for")
        node = self.node
        peer = node.add_p2p_connection(P2PInterface())
        parent, child = self.family()
        with node.assert_debug_log(["stored orphan tx %s" % child["txid"]]):
            peer.send_and_ping(msg_tx(child["tx"]))
        peer.wait_for_message("getdata", lambda m: any(
            i.type == MSG_WITNESS_TX and i.hash == hex_hash(parent["txid"]) for i in m.inv))
        assert_equal(node.getorphantxs(), [child["txid"]])
        assert child["txid"] not in node.getrawmempool()
        self.log.info("the parent arrives: both in the mempool")
        peer.send_and_ping(msg_tx(parent["tx"]))
        assert {parent["txid"], child["txid"]} <= set(node.getrawmempool())
        assert_equal(node.getorphantxs(), [])
        node.disconnect_p2ps()

    def sender_disconnects(self):
        self.log.info("an orphan whose sender disconnects is dropped")
        node = self.node
        peer = node.add_p2p_connection(P2PInterface())
        parent, child = self.family()
        peer.send_and_ping(msg_tx(child["tx"]))
        assert_equal(node.getorphantxs(), [child["txid"]])
        with node.assert_debug_log(["Erased 1 orphan transaction(s) from peer=%d" % peer.peer_id]):
            node.disconnect_p2ps()
            self.wait_until(lambda: node.getorphantxs() == [])
        node.sendrawtransaction(parent["hex"])
        other = node.add_p2p_connection(P2PInterface())
        other.sync_with_ping()
        assert parent["txid"] in node.getrawmempool()
        assert child["txid"] not in node.getrawmempool()
        # The child is still valid: sending it now gets it accepted.
        other.send_and_ping(msg_tx(child["tx"]))
        assert child["txid"] in node.getrawmempool()
        node.disconnect_p2ps()

    def rejected_parent(self):
        self.log.info("a child of a rejected parent is rejected by txid and wtxid (Core)")
        node = self.node
        legacy = MiniWallet(node, mode="p2pk")
        legacy.generate(1)
        self.wallet.generate(100)
        # A witness-less parent paying too little, its output the witness wallet's.
        parent = legacy.create_self_transfer(fee=0)["tx"]
        parent.vout[0].script_pubkey = self.wallet.script_pubkey
        legacy.sign_tx(parent)
        assert_equal(parent.txid_hex, parent.wtxid_hex)
        child = self.wallet.create_self_transfer(utxo_to_spend={
            "txid": parent.txid_hex, "vout": 0, "value": parent.vout[0].value, "height": 0,
            "coinbase": False, "confirmations": 0})
        assert child["txid"] != child["wtxid"]
        peer = node.add_p2p_connection(P2PInterface())
        with node.assert_debug_log(["min relay fee not met"]):
            peer.send_and_ping(msg_tx(parent))
        with node.assert_debug_log(["not keeping orphan with rejected parents %s" % child["txid"]]):
            peer.send_and_ping(msg_tx(child["tx"]))
        assert_equal(node.getorphantxs(), [])
        # A txid announcement of it (another witness could be offered) is not followed.
        other = node.add_p2p_connection(P2PInterface(wtxidrelay=False))
        other.send_and_ping(msg_inv([CInv(MSG_TX, hex_hash(child["txid"]))]))
        time.sleep(3)
        other.sync_with_ping()
        with p2p_lock:
            asked = [i.hash for m in other.received if m.msgtype == b"getdata" for i in m.inv]
        assert hex_hash(child["txid"]) not in asked
        node.disconnect_p2ps()

    def bounded(self):
        self.log.info("150 orphans: at most 100 kept")
        node = self.node
        peer = node.add_p2p_connection(P2PInterface())
        sent = []
        with node.assert_debug_log(["orphanage overflow, removed"], timeout=30):
            for _ in range(150):
                fake = {"txid": "%064x" % random.getrandbits(256), "vout": 0, "value": 10_000,
                        "height": 0, "coinbase": False, "confirmations": 0}
                orphan = self.wallet.create_self_transfer(utxo_to_spend=fake)
                sent.append(orphan["txid"])
                peer.send_message(msg_tx(orphan["tx"]))
            peer.sync_with_ping()
            self.wait_until(lambda: len(node.getorphantxs()) == 100)
        kept = node.getorphantxs()
        assert set(kept) <= set(sent)
        assert_equal(len(set(kept)), 100)
        self.orphan_peer = peer

    def rpc_shapes(self):
        self.log.info("getorphantxs verbosity 1 and 2; bad verbosity")
        node = self.node
        entries = node.getorphantxs(1)
        assert_equal(len(entries), 100)
        e = entries[0]
        assert_equal(sorted(e.keys()), ["bytes", "from", "txid", "vsize", "weight", "wtxid"])
        assert_equal(e["from"], [self.orphan_peer.peer_id])
        assert_equal(e["vsize"], (e["weight"] + 3) // 4)
        full = node.getorphantxs(2)
        by_txid = {x["txid"]: x for x in full}
        raw = bytes.fromhex(by_txid[e["txid"]]["hex"])
        assert_equal(len(raw), e["bytes"])
        try:
            node.getorphantxs(3)
            raise AssertionError("verbosity 3 accepted")
        except Exception as err:  # noqa: BLE001 -- the RPC error carries the message
            assert "Invalid verbosity value 3" in str(err), err
        node.disconnect_p2ps()
        self.wait_until(lambda: node.getorphantxs() == [])


if __name__ == "__main__":
    OrphanTest(__file__).main()
