#!/usr/bin/env python3
"""One-parent-one-child package relay from a peer (doc/p2p.md, RECONSIDERABLE).

A TRUC parent paying nothing (under the minimum relay fee, which only a
package can pay for) and a child paying for both, sent by a test peer:

- parent first: refused alone and remembered as reconsiderable, not as
  rejected; the child is kept as an orphan and the parent asked for again
  by txid; the parent sent again is tried with the child as a package and
  both enter the mempool (and are announced to another peer);
- child first: an orphan; the parent, fetched, is refused alone and then
  tried with the child at once;
- a child too poor for the pair: the package fails ("package evaluation
  ... transaction failed"), the child leaves the orphanage; a better child
  sent later is tried with the same parent and gets both in.
"""

from test_framework.messages import MSG_WITNESS_TX, hex_to_hash, msg_tx
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet


class Package1p1cTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        self.node = self.nodes[0]
        self.wallet = MiniWallet(self.node)
        self.wallet.generate(120)
        self.parent_first()
        self.child_first()
        self.poor_child()

    def family(self, child_fee_rate=20000, child_fee=None):
        parent = self.wallet.create_self_transfer(fee=0, version=3)
        child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=child_fee_rate,
                                                 fee=child_fee, version=3)
        return parent, child

    def wait_getdata_parent(self, peer, parent):
        peer.wait_for_message("getdata", lambda m: any(
            i.type == MSG_WITNESS_TX and i.hash == hex_to_hash(parent["txid"]) for i in m.inv))

    def in_pool(self, *txs):
        pool = set(self.node.getrawmempool())
        return all(tx["txid"] in pool for tx in txs)

    def parent_first(self):
        node = self.node
        self.log.info("parent first: refused alone, tried again with its child")
        peer = node.add_p2p_connection(P2PInterface())
        watcher = node.add_p2p_connection(P2PInterface())
        parent, child = self.family()
        with node.assert_debug_log(["min relay fee not met"], timeout=60):
            peer.send_and_ping(msg_tx(parent["tx"]))
        assert not self.in_pool(parent)
        with node.assert_debug_log(["stored orphan tx %s" % child["txid"]], timeout=60):
            peer.send_and_ping(msg_tx(child["tx"]))
        # Reconsiderable is not rejected: the orphan's parent is asked for again.
        self.wait_getdata_parent(peer, parent)
        with node.assert_debug_log(["found tx in reconsiderable rejects",
                                    "trying package of parent %s" % parent["wtxid"]], timeout=60):
            peer.send_and_ping(msg_tx(parent["tx"]))
            assert self.in_pool(parent, child)
        assert_equal(node.getorphantxs(), [])
        assert_equal(node.getmempoolentry(child["txid"])["depends"], [parent["txid"]])
        self.log.info("... and the pair is announced to another peer")
        watcher.wait_for_message("inv", lambda m: any(i.hash == hex_to_hash(child["wtxid"]) for i in m.inv))
        self.wallet.scan_tx(parent["hex"])
        self.wallet.scan_tx(child["hex"])
        node.disconnect_p2ps()

    def child_first(self):
        node = self.node
        self.log.info("child first: the fetched parent is tried with it at once")
        peer = node.add_p2p_connection(P2PInterface())
        parent, child = self.family()
        peer.send_and_ping(msg_tx(child["tx"]))
        assert_equal(node.getorphantxs(), [child["txid"]])
        self.wait_getdata_parent(peer, parent)
        with node.assert_debug_log(["trying package of parent %s (peer=%d) + child %s (peer=%d)" %
                                    (parent["wtxid"], peer.peer_id, child["wtxid"], peer.peer_id)],
                                   timeout=60):
            peer.send_and_ping(msg_tx(parent["tx"]))
            assert self.in_pool(parent, child)
        self.wallet.scan_tx(parent["hex"])
        self.wallet.scan_tx(child["hex"])
        node.disconnect_p2ps()

    def poor_child(self):
        node = self.node
        self.log.info("a child too poor for the pair: the package fails, a better child succeeds")
        peer = node.add_p2p_connection(P2PInterface())
        parent, poor = self.family(child_fee_rate=None, child_fee=1)
        peer.send_and_ping(msg_tx(poor["tx"]))
        self.wait_getdata_parent(peer, parent)
        with node.assert_debug_log(["package evaluation for parent %s + child %s from peer=%d: transaction failed" %
                                    (parent["wtxid"], poor["wtxid"], peer.peer_id)], timeout=60):
            peer.send_and_ping(msg_tx(parent["tx"]))
        assert_equal(node.getorphantxs(), [])
        assert not self.in_pool(parent) and not self.in_pool(poor)
        rich = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=30000, version=3)
        peer.clear_messages()
        peer.send_and_ping(msg_tx(rich["tx"]))
        self.wait_getdata_parent(peer, parent)
        peer.send_and_ping(msg_tx(parent["tx"]))
        assert self.in_pool(parent, rich)
        node.disconnect_p2ps()


if __name__ == "__main__":
    Package1p1cTest(__file__).main()
