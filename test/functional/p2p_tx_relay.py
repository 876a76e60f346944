#!/usr/bin/env python3
"""Transaction relay between peers (doc/p2p.md, "Transaction relay").

- A transaction given to node0 by sendrawtransaction reaches node1's mempool.
- Announcements: a wtxidrelay peer gets MSG_WTX by wtxid, another MSG_TX by
  txid; never the peer the transaction came from; not a peer whose
  feefilter is above the transaction's fee rate (its base fee: a
  prioritisation does not count); not a relay=false peer.
- getdata: MSG_WTX and MSG_WITNESS_TX give the witness serialization,
  MSG_TX the stripped one; an unknown txid gets notfound.
- An announced transaction is requested (MSG_WTX by wtxid, or
  MSG_WITNESS_TX by txid); one sent to the node enters its mempool.
- The node sends its feefilter; `mempool` from a peer with the mempool
  permission is answered with invs of the whole mempool.
- A consensus-invalid transaction gets its sender disconnected, a
  non-standard one does not.
- -blocksonly: version relay flag off, a peer sending a tx or a tx inv is
  disconnected.
"""

import time
from decimal import Decimal

from test_framework.messages import (MSG_TX, MSG_WITNESS_TX, MSG_WTX, CInv, msg_feefilter, msg_getdata,
                                     msg_inv, msg_mempool, msg_tx)
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet


def invs_of(peer, inv_type):
    """Every hash the peer was announced with type inv_type."""
    with p2p_lock:
        return {i.hash for m in peer.received if m.msgtype == b"inv" for i in m.inv if i.type == inv_type}


def tx_msgs(peer):
    with p2p_lock:
        return [m.tx for m in peer.received if m.msgtype == b"tx"]


class TxRelayTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        # node0's test peers (127.0.0.1) are noban: invs at the next tick.
        self.extra_args = [["-whitelist=noban,mempool,relay@127.0.0.1"], []]

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(0, 1)

    def run_test(self):
        self.wallet = MiniWallet(self.nodes[0])
        self.wallet.generate(110)
        self.sync_blocks()
        # Out of initial download, each node replaces the feefilter of
        # MAX_MONEY it sent during it; until then nothing is announced.
        for node in self.nodes:
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()))
        self.node_to_node()
        self.announce_and_serve()
        self.request_and_receive()
        self.feefilter()
        self.mempool_message()
        self.relay_false()
        self.invalid_txs()
        self.blocksonly()

    def node_to_node(self):
        self.log.info("sendrawtransaction on node0 reaches node1's mempool")
        tx = self.wallet.send_self_transfer(from_node=self.nodes[0])
        self.wait_until(lambda: tx["txid"] in self.nodes[1].getrawmempool(), timeout=60)
        peer1 = [p for p in self.nodes[1].getpeerinfo()][0]
        assert peer1["relaytxes"]
        assert peer1["bytesrecv_per_msg"].get("tx", 0) > 0

    def announce_and_serve(self):
        node = self.nodes[0]
        self.log.info("wtxidrelay peers get MSG_WTX, others MSG_TX")
        pw = node.add_p2p_connection(P2PInterface(wtxidrelay=True))
        pt = node.add_p2p_connection(P2PInterface(wtxidrelay=False))
        tx = self.wallet.send_self_transfer(from_node=node)
        txid, wtxid = tx["tx"].txid, tx["tx"].wtxid
        assert txid != wtxid
        pw.wait_until(lambda: wtxid in invs_of(pw, MSG_WTX))
        pt.wait_until(lambda: txid in invs_of(pt, MSG_TX))
        assert txid not in invs_of(pw, MSG_TX) and wtxid not in invs_of(pt, MSG_WTX)

        self.log.info("getdata: witness or not by type; unknown -> notfound")
        pw.send_message(msg_getdata([CInv(MSG_WTX, wtxid)]))
        pw.wait_until(lambda: any(t.wtxid == wtxid for t in tx_msgs(pw)))
        got = [t for t in tx_msgs(pw) if t.wtxid == wtxid][0]
        assert got.has_witness()
        pt.send_message(msg_getdata([CInv(MSG_TX, txid)]))
        pt.wait_until(lambda: any(t.txid == txid for t in tx_msgs(pt)))
        got = [t for t in tx_msgs(pt) if t.txid == txid][0]
        assert not got.has_witness()
        pt.clear_messages()
        pt.send_message(msg_getdata([CInv(MSG_WITNESS_TX, txid)]))
        pt.wait_until(lambda: any(t.txid == txid for t in tx_msgs(pt)))
        assert [t for t in tx_msgs(pt) if t.txid == txid][0].has_witness()
        unknown = bytes(range(32))
        pw.send_message(msg_getdata([CInv(MSG_WITNESS_TX, unknown)]))
        nf = pw.wait_for_message("notfound")
        assert_equal([(i.type, i.hash) for i in nf.inv], [(MSG_WITNESS_TX, unknown)])
        info = [p for p in node.getpeerinfo() if p["id"] == pw.peer_id][0]
        assert info["last_inv_sequence"] > 0
        assert "tx" in info["bytessent_per_msg"] and "getdata" in info["bytesrecv_per_msg"]
        node.disconnect_p2ps()

    def request_and_receive(self):
        node = self.nodes[0]
        pw = node.add_p2p_connection(P2PInterface(wtxidrelay=True))
        pt = node.add_p2p_connection(P2PInterface(wtxidrelay=False))
        self.log.info("an announced transaction is requested")
        tx1 = self.wallet.create_self_transfer()
        tx2 = self.wallet.create_self_transfer()
        pw.send_message(msg_inv([CInv(MSG_WTX, tx1["tx"].wtxid)]))
        pw.wait_for_message("getdata", lambda m: any(i.type == MSG_WTX and i.hash == tx1["tx"].wtxid
                                                     for i in m.inv))
        pt.send_message(msg_inv([CInv(MSG_TX, tx2["tx"].txid)]))
        pt.wait_for_message("getdata", lambda m: any(i.type == MSG_WITNESS_TX and i.hash == tx2["tx"].txid
                                                     for i in m.inv))

        self.log.info("a valid tx from a peer enters the mempool, is announced to others, not back")
        pw.send_and_ping(msg_tx(tx1["tx"]))
        assert tx1["txid"] in node.getrawmempool()
        pt.wait_until(lambda: tx1["tx"].txid in invs_of(pt, MSG_TX))
        time.sleep(1)
        pw.sync_with_ping()
        assert tx1["tx"].wtxid not in invs_of(pw, MSG_WTX)
        # node1 learns it too.
        self.wait_until(lambda: tx1["txid"] in self.nodes[1].getrawmempool(), timeout=60)
        self.wallet.sendrawtransaction(from_node=node, tx_hex=tx2["hex"])
        node.disconnect_p2ps()

    def feefilter(self):
        node = self.nodes[0]
        self.log.info("the node sends its feefilter")
        low = node.add_p2p_connection(P2PInterface())
        high = node.add_p2p_connection(P2PInterface())
        ff = low.wait_for_message("feefilter")
        assert ff.feerate >= 100
        self.log.info("a peer whose feefilter is above the tx's rate gets no inv")
        high.send_and_ping(msg_feefilter(10_000_000))
        info = [p for p in node.getpeerinfo() if p["id"] == high.peer_id][0]
        assert_equal(info["minfeefilter"], Decimal("0.1"))
        tx = self.wallet.send_self_transfer(from_node=node, fee_rate=5000)
        low.wait_until(lambda: tx["tx"].wtxid in invs_of(low, MSG_WTX))
        time.sleep(1)
        high.sync_with_ping()
        assert tx["tx"].wtxid not in invs_of(high, MSG_WTX)

        self.log.info("the feefilter is checked against the base fee, not a prioritised one (Core)")
        tx = self.wallet.create_self_transfer(fee_rate=5000)
        node.prioritisetransaction(tx["txid"], 0, 100_000_000)
        node.sendrawtransaction(tx["hex"])
        assert_equal(node.getmempoolentry(tx["txid"])["fees"]["modified"], Decimal("1") + tx["fee"] / Decimal(10**8))
        low.wait_until(lambda: tx["tx"].wtxid in invs_of(low, MSG_WTX))
        time.sleep(1)
        high.sync_with_ping()
        assert tx["tx"].wtxid not in invs_of(high, MSG_WTX)
        node.disconnect_p2ps()

    def mempool_message(self):
        node = self.nodes[0]
        self.log.info("`mempool` from a peer with the mempool permission: invs of the whole mempool")
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_message(msg_mempool())
        want = {bytes.fromhex(e["wtxid"])[::-1] for e in node.getrawmempool(True).values()}
        assert len(want) >= 3
        peer.wait_until(lambda: want <= invs_of(peer, MSG_WTX))
        node.disconnect_p2ps()
        self.log.info("... and a peer without it is disconnected")
        plain = self.nodes[1].add_p2p_connection(P2PInterface())
        plain.send_message(msg_mempool())
        plain.wait_for_disconnect()

    def relay_false(self):
        node = self.nodes[0]
        self.log.info("a relay=false peer gets no tx invs")
        quiet = node.add_p2p_connection(P2PInterface(relay=False))
        loud = node.add_p2p_connection(P2PInterface())
        info = {p["id"]: p for p in node.getpeerinfo()}
        assert not info[quiet.peer_id]["relaytxes"] and info[loud.peer_id]["relaytxes"]
        tx = self.wallet.send_self_transfer(from_node=node)
        loud.wait_until(lambda: tx["tx"].wtxid in invs_of(loud, MSG_WTX))
        time.sleep(1)
        quiet.sync_with_ping()
        assert_equal(invs_of(quiet, MSG_WTX) | invs_of(quiet, MSG_TX), set())
        node.disconnect_p2ps()

    def invalid_txs(self):
        node = self.nodes[1]   # no whitelist: its peers can be punished
        self.sync_mempools()
        self.log.info("a non-standard tx: rejected, the sender stays")
        peer = node.add_p2p_connection(P2PInterface())
        nonstd = self.wallet.create_self_transfer(version=4)
        with node.assert_debug_log(["was not accepted"]):
            peer.send_and_ping(msg_tx(nonstd["tx"]))
        assert nonstd["txid"] not in node.getrawmempool()
        assert peer.is_connected
        self.log.info("a consensus-invalid tx (outputs exceed inputs): the sender is disconnected")
        bad = self.wallet.create_self_transfer()
        bad["tx"].vout[0].value = 5000 * 100_000_000
        with node.assert_debug_log(["Misbehaving"], timeout=20):
            peer.send_message(msg_tx(bad["tx"]))
            peer.wait_for_disconnect()
        assert bad["tx"].txid_hex not in node.getrawmempool()

    def blocksonly(self):
        self.log.info("-blocksonly: relay flag off, tx and tx inv disconnect")
        self.restart_node(1, ["-blocksonly"])
        node = self.nodes[1]
        assert not node.getnetworkinfo()["localrelay"]
        peer = node.add_p2p_connection(P2PInterface())
        assert not peer.peer_version.relay
        tx = self.wallet.create_self_transfer()
        peer.send_message(msg_tx(tx["tx"]))
        peer.wait_for_disconnect()
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_message(msg_inv([CInv(MSG_WTX, tx["tx"].wtxid)]))
        peer.wait_for_disconnect()
        # RPC transactions are still accepted.
        self.wallet.sendrawtransaction(from_node=node, tx_hex=tx["hex"])
        assert tx["txid"] in node.getrawmempool()


if __name__ == "__main__":
    TxRelayTest(__file__).main()
