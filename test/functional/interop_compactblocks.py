#!/usr/bin/env python3
"""Mixed network: BIP152 compact blocks between Bitcoin Core 28.1 and bitrootd.

Nodes: core0 and br1 (br1 connects out to core0); core2 runs -blocksonly and
connects out to br1.

- A block mined on Core with mempool transactions both hold reaches bitrootd
  as a cmpctblock and is rebuilt without a round trip; bitrootd then makes
  Core a high-bandwidth peer (its bip152_hb_to, Core's bip152_hb_from).
- The same the other way: a block mined on bitrootd reaches Core as a
  cmpctblock; Core makes bitrootd a high-bandwidth peer (Core's
  bip152_hb_to, bitrootd's bip152_hb_from), and the next block comes unasked.
- A block holding a transaction the receiver never saw (generateblock with
  a raw transaction) is completed with getblocktxn/blocktxn, both ways.
- A test peer connected to Core in high-bandwidth mode receives Core's own
  cmpctblock: its short ids are what bitrootd computes (getblock's wtxids
  through the framework's SipHash, which p2p_compactblocks.py checks against
  bitrootd), and bitrootd's cmpctblock for the same block reads the same.
- Core with -blocksonly asks bitrootd for full blocks: it receives `block`,
  never `cmpctblock`.
"""

from test_framework.messages import (CBlock, cmpct_keys, hex_to_hash, msg_sendcmpct, short_id)
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

IMPLS = ["core", "bitrootd", "core"]
FEE_RATE = 20000    # sat/kvB: above every node's minimum


class InteropCompactBlocksTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.extra_args = [[], [], ["-blocksonly"]]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def peer_of(self, node, other):
        sub = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sub]
        assert_equal(len(found), 1)
        return found[0]

    def counter(self, node, other, direction, msg):
        return self.peer_of(node, other)["bytes%s_per_msg" % direction].get(msg, 0)

    def run_test(self):
        self.core, self.br = self.nodes[0], self.nodes[1]
        self.wallet = MiniWallet(self.core)
        self.wallet.generate(120)
        self.sync_blocks(self.nodes[:2])
        for node in self.nodes[:2]:
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()))
        self.core_to_bitrootd()
        self.bitrootd_to_core()
        self.missing_tx()
        self.core_encoding()
        self.blocksonly_full_blocks()

    def shared_txs(self, n, from_node):
        txs = [self.wallet.send_self_transfer(from_node=from_node, fee_rate=FEE_RATE) for _ in range(n)]
        self.sync_mempools(self.nodes[:2])
        return txs

    def mine_and_check(self, miner, receiver, unasked=False):
        """Mines on miner; the block reaches receiver as a cmpctblock, no round trip.

        unasked: the receiver sends no getdata for it (high-bandwidth mode).
        """
        txs = self.shared_txs(3, miner)
        before = {m: self.counter(receiver, miner, "recv", m) for m in ("cmpctblock", "block", "blocktxn")}
        getdata = self.counter(receiver, miner, "sent", "getdata")
        h = self.generate(miner, 1, sync_fun=lambda: self.sync_blocks(self.nodes[:2]))[0]
        block = receiver.getblock(h)
        assert all(t["txid"] in block["tx"] for t in txs)
        after = {m: self.counter(receiver, miner, "recv", m) for m in before}
        assert after["cmpctblock"] > before["cmpctblock"], (before, after)
        assert_equal(after["block"], before["block"])
        assert_equal(after["blocktxn"], before["blocktxn"])
        if unasked:
            assert_equal(self.counter(receiver, miner, "sent", "getdata"), getdata)

    def core_to_bitrootd(self):
        self.log.info("a block mined on Core reaches bitrootd as a cmpctblock")
        self.mine_and_check(self.core, self.br)
        self.log.info("bitrootd makes Core a high-bandwidth peer")
        self.wait_until(lambda: self.peer_of(self.br, self.core)["bip152_hb_to"])
        self.wait_until(lambda: self.peer_of(self.core, self.br)["bip152_hb_from"])
        self.log.info("the next Core block comes unasked")
        self.mine_and_check(self.core, self.br, unasked=True)

    def bitrootd_to_core(self):
        self.log.info("a block mined on bitrootd reaches Core as a cmpctblock")
        self.mine_and_check(self.br, self.core)
        self.log.info("Core makes bitrootd a high-bandwidth peer")
        self.wait_until(lambda: self.peer_of(self.core, self.br)["bip152_hb_to"])
        self.wait_until(lambda: self.peer_of(self.br, self.core)["bip152_hb_from"])
        self.log.info("the next bitrootd block comes to Core unasked")
        self.mine_and_check(self.br, self.core, unasked=True)
        for a, b in ((self.core, self.br), (self.br, self.core)):
            p = self.peer_of(a, b)
            assert p["bip152_hb_to"] and p["bip152_hb_from"], p

    def missing_tx(self):
        for miner, receiver, name in ((self.core, self.br, "Core to bitrootd"),
                                      (self.br, self.core, "bitrootd to Core")):
            self.log.info("%s: a transaction the receiver lacks comes by getblocktxn/blocktxn" % name)
            shared = self.shared_txs(2, miner)
            secret = self.wallet.create_self_transfer(fee_rate=FEE_RATE)
            asked = self.counter(receiver, miner, "sent", "getblocktxn")
            got = self.counter(receiver, miner, "recv", "blocktxn")
            full = self.counter(receiver, miner, "recv", "block")
            res = miner.generateblock(self.wallet.get_address(),
                                      [t["txid"] for t in shared] + [secret["hex"]])
            self.sync_blocks(self.nodes[:2])
            assert secret["txid"] in receiver.getblock(res["hash"])["tx"]
            assert self.counter(receiver, miner, "sent", "getblocktxn") > asked
            assert self.counter(receiver, miner, "recv", "blocktxn") > got
            assert_equal(self.counter(receiver, miner, "recv", "block"), full)
            served = self.counter(miner, receiver, "sent", "blocktxn")
            assert served > 0
            self.wallet.scan_tx(secret["hex"])

    def core_encoding(self):
        self.log.info("Core's own cmpctblock: short ids as bitrootd computes them")
        peer = self.core.add_p2p_connection(P2PInterface())
        peer.send_get_headers([hex_to_hash(self.core.getbestblockhash())])
        peer.sync_with_ping()
        peer.send_and_ping(msg_sendcmpct(True, 2))
        txs = self.shared_txs(4, self.core)
        h = self.generate(self.core, 1, sync_fun=lambda: self.sync_blocks(self.nodes[:2]))[0]
        m = peer.wait_for_message("cmpctblock", lambda m: m.header.hash_hex == h)
        block = CBlock.from_hex(self.br.getblock(h, 0))
        k0, k1 = cmpct_keys(block.serialize_header(), m.nonce)
        assert_equal(m.shortids, [short_id(k0, k1, tx.wtxid) for tx in block.vtx[1:]])
        assert_equal([p.index for p in m.prefilled], [0])
        assert_equal(len(m.shortids), len(txs))
        self.core.disconnect_p2ps()

    def blocksonly_full_blocks(self):
        self.log.info("Core with -blocksonly gets full blocks from bitrootd")
        core2 = self.nodes[2]
        self.connect_nodes(2, 1)
        self.sync_blocks()
        h = self.generate(self.br, 1, sync_fun=self.no_op)[0]
        self.wait_until(lambda: core2.getbestblockhash() == h)
        p = self.peer_of(core2, self.br)
        assert p["bytesrecv_per_msg"].get("block", 0) > 0
        assert_equal(p["bytesrecv_per_msg"].get("cmpctblock", 0), 0)
        assert not p["bip152_hb_to"]
        assert_equal(self.peer_of(self.br, core2)["bytessent_per_msg"].get("cmpctblock", 0), 0)


if __name__ == "__main__":
    InteropCompactBlocksTest(__file__).main()
