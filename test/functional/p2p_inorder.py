#!/usr/bin/env python3
"""A peer's messages are processed in order (Core's guarantee).

The net thread hands a peer's transactions to the mempool thread and its
blocks and headers to the validation thread; the peer's next message waits
until that work is done. So a `pong` means everything sent before the
`ping` was processed, which is what send_and_ping relies on. Each case
sends its messages in one write, followed by a ping, and on the pong looks
at the result at once, without waiting; each is repeated in a bounded
loop, as one round could pass by luck where the order was not kept (the
mempool serves RPC calls between a peer's transactions, so before this
change the first rounds already failed):

- a chain of transactions: every one is in the mempool;
- a block with transactions: it is the tip; eight blocks back to back
  (a peer's blocks may wait at validation together): the last is the tip;
- a 1p1c package (child first, then its parent paying nothing, behind a
  chain of transactions): both are in the mempool, tried as a package
  before the pong;
- a refused transaction (behind a chain of transactions, followed by a
  valid one): its refusal is logged before the pong, the same
  transaction sent again is answered from the recent rejects, and a valid
  one sent after it still gets in;
- a peer that sends transactions and a block and hangs up at once leaves
  the node healthy (no peer left, the next peer's work processed in order).
"""

from test_framework.blocktools import create_block, create_coinbase, create_next_block, solve
from test_framework.messages import build_message, msg_block, msg_tx
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

ROUNDS = 12
CHAIN = 20
CHAINS = 3


def send_all(peer, msgs):
    """Several messages in one write, so that the node reads them together."""
    peer.send_raw_message(b"".join(build_message(m, peer.magic) for m in msgs))


class InOrderTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-debug=mempool"]]

    def run_test(self):
        self.node = self.nodes[0]
        self.wallet = MiniWallet(self.node)
        self.wallet.generate(ROUNDS * 6 + 20)
        self.self_generate(101)
        self.txs()
        self.blocks()
        self.packages()
        self.rejected()
        self.gone_mid_work()

    def self_generate(self, n):
        self.generate(self.node, n, sync_fun=self.no_op)
        self.wallet.rescan_utxos()

    def txs(self):
        self.log.info("%d chains of %d transactions, then ping: all in the mempool on the pong" % (CHAINS, CHAIN))
        peer = self.node.add_p2p_connection(P2PInterface())
        for _ in range(ROUNDS):
            chains = [self.wallet.create_self_transfer_chain(chain_length=CHAIN) for _ in range(CHAINS)]
            txs = [t for c in chains for t in c]
            send_all(peer, [msg_tx(t["tx"]) for t in txs])
            peer.sync_with_ping()
            # The last one first: the pool takes them in order.
            last = chains[-1]
            assert_equal(self.node.getmempoolentry(last[-1]["txid"])["depends"], [last[-2]["txid"]])
            pool = set(self.node.getrawmempool())
            assert_equal([t["txid"] for t in txs if t["txid"] not in pool], [])
        self.node.disconnect_p2ps()
        self.self_generate(1)

    def blocks(self):
        self.log.info("a block with transactions, then ping: it is the tip on the pong")
        peer = self.node.add_p2p_connection(P2PInterface())
        for _ in range(ROUNDS):
            chain = self.wallet.create_self_transfer_chain(chain_length=CHAIN)
            block = create_next_block(self.node, txs=[t["tx"] for t in chain])
            send_all(peer, [msg_block(block)])
            peer.sync_with_ping()
            assert_equal(self.node.getbestblockhash(), block.hash_hex)
        self.log.info("blocks back to back (several at validation at once), then ping: the last is the tip")
        for _ in range(ROUNDS // 2):
            tip = self.node.getbestblockhash()
            hdr = self.node.getblockheader(tip)
            blocks = []
            for i in range(8):
                prev = blocks[-1].hash if blocks else tip
                blocks.append(solve(create_block(prev, create_coinbase(hdr["height"] + 1 + i),
                                                 max(hdr["mediantime"], hdr["time"]) + 1 + i)))
            send_all(peer, [msg_block(b) for b in blocks])
            peer.sync_with_ping()
            assert_equal(self.node.getbestblockhash(), blocks[-1].hash_hex)
        self.node.disconnect_p2ps()
        self.wallet.rescan_utxos()

    def packages(self):
        self.log.info("child, then its parent paying nothing, then ping: the package is in on the pong")
        peer = self.node.add_p2p_connection(P2PInterface())
        for _ in range(ROUNDS // 2):
            parent = self.wallet.create_self_transfer(fee=0, version=3)
            child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000, version=3)
            ahead = [msg_tx(t["tx"]) for t in self.wallet.create_self_transfer_chain(chain_length=CHAIN)]
            send_all(peer, ahead + [msg_tx(child["tx"]), msg_tx(parent["tx"])])
            peer.sync_with_ping()
            pool = set(self.node.getrawmempool())
            assert parent["txid"] in pool and child["txid"] in pool, "package not in the mempool on the pong"
            assert_equal(self.node.getorphantxs(), [])
        self.node.disconnect_p2ps()
        self.self_generate(1)

    def rejected(self):
        self.log.info("a refused transaction, then ping: refused (and remembered) before the pong")
        peer = self.node.add_p2p_connection(P2PInterface())
        for _ in range(ROUNDS // 2):
            bad = self.wallet.create_self_transfer(version=4)  # non-standard version
            good = self.wallet.create_self_transfer()
            offset = self.node.debug_log_bytes()
            ahead = [msg_tx(t["tx"]) for t in self.wallet.create_self_transfer_chain(chain_length=CHAIN)]
            send_all(peer, ahead + [msg_tx(bad["tx"]), msg_tx(good["tx"])])
            peer.sync_with_ping()
            log = self.node.read_debug_log(offset)
            assert "tx %s from peer=%d was not accepted: version" % (bad["txid"], peer.peer_id) in log, log[-2000:]
            assert good["txid"] in self.node.getrawmempool()
            assert bad["txid"] not in self.node.getrawmempool()
            offset = self.node.debug_log_bytes()
            peer.send_and_ping(msg_tx(bad["tx"]))
            assert "tx recently rejected, not resubmitted: %s" % bad["txid"] in self.node.read_debug_log(offset)
        self.node.disconnect_p2ps()
        self.self_generate(1)

    def gone_mid_work(self):
        self.log.info("a peer hanging up with transactions and a block in hand leaves the node healthy")
        for _ in range(ROUNDS // 2):
            peer = self.node.add_p2p_connection(P2PInterface())
            chain = self.wallet.create_self_transfer_chain(chain_length=CHAIN)
            block = create_next_block(self.node, txs=[t["tx"] for t in
                                                      self.wallet.create_self_transfer_chain(chain_length=3)])
            send_all(peer, [msg_tx(t["tx"]) for t in chain] + [msg_block(block)])
            peer.peer_disconnect()
            peer.wait_for_disconnect()
            self.wait_until(lambda: self.node.getpeerinfo() == [])
            self.node.p2ps.clear()
        # Whatever the node got before the hang-ups, the next peer is served
        # in order. (Their block may still be at validation: two blocks on
        # the tip read now outweigh it.)
        peer = self.node.add_p2p_connection(P2PInterface())
        chain = self.wallet.create_self_transfer_chain(chain_length=CHAIN)
        send_all(peer, [msg_tx(t["tx"]) for t in chain])
        peer.sync_with_ping()
        assert chain[-1]["txid"] in self.node.getrawmempool()
        tip = self.node.getbestblockhash()
        hdr = self.node.getblockheader(tip)
        first = solve(create_block(tip, create_coinbase(hdr["height"] + 1),
                                   max(hdr["mediantime"], hdr["time"]) + 1))
        second = solve(create_block(first.hash, create_coinbase(hdr["height"] + 2), first.time + 1))
        send_all(peer, [msg_block(first), msg_block(second)])
        peer.sync_with_ping()
        assert_equal(self.node.getbestblockhash(), second.hash_hex)
        self.node.disconnect_p2ps()

if __name__ == "__main__":
    InOrderTest(__file__).main()
