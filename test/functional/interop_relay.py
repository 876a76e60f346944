#!/usr/bin/env python3
"""Mixed network: blocks and transactions relayed between Bitcoin Core and bitrootd.

Nodes: core0 and br1 (the main pair, br1 connects out to core0); core2 runs
-minrelaytxfee=0.0001 and connects out to br1; br3 runs -minrelaytxfee=0.0001
and connects out to core0.

- Blocks at the tip: one mined on either side reaches the other within
  BLOCK_RELAY_LIMIT seconds (every node, through both kinds of hop); so
  does a burst of 12 (more than the 8 headers a tip announcement carries).
- wtxid relay: both ends of each mixed connection sent and received
  `wtxidrelay`; a witness transaction submitted on one side is announced to
  the other by wtxid ("got inv: wtx <wtxid>" in the receiver's log), fetched
  and accepted, both ways.
- feefilter (BIP133) both ways: Core's getpeerinfo shows bitrootd's filter
  and the reverse; a transaction under the receiver's filter is never
  announced to it while one above it, submitted later, arrives.
- Orphans: a child sent by a test peer before its parent is kept as an
  orphan (by bitrootd, then by Core); the parent, submitted on the other
  implementation, is announced and fetched, and both reach both mempools.
- Orphans a block confirms or conflicts with (the parent never seen
  outside the block) leave the orphanage, on both (Core's EraseForBlock).
- A TRUC parent under Core's minimum relay fee (bitrootd's is lower) with
  a child paying for both, submitted to bitrootd: only the child is
  announced to Core, Core asks bitrootd for the missing parent and takes
  the pair as a package (Core 28's one-parent-one-child relay).
- Full RBF (Core 28's -mempoolfullrbf=1): a non-signalling transaction
  replaced on one side is replaced on the other, both ways, descendants
  included.
- A transaction submitted to bitrootd is mined by Core: it is in Core's
  block and every mempool empties when the block arrives.
"""

import time
from decimal import Decimal

from test_framework.address import ADDRESS_BCRT1_UNSPENDABLE
from test_framework.messages import msg_tx
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_less_than
from test_framework.wallet import MiniWallet

IMPLS = ["core", "bitrootd", "core", "bitrootd"]
HIGH_MIN_RELAY = "-minrelaytxfee=0.0001"   # 10 sat/vB
# Seconds (times --timeout-factor) a block mined at the tip may take to reach a peer.
BLOCK_RELAY_LIMIT = 30


class InteropRelayTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.extra_args = [[], [], [HIGH_MIN_RELAY], [HIGH_MIN_RELAY]]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 1)
        self.connect_nodes(3, 0)

    # --- helpers -------------------------------------------------------------

    def peer_of(self, node, other):
        """node's getpeerinfo entry for its connection to other (by user agent)."""
        sub = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sub]
        assert_equal(len(found), 1)
        return found[0]

    def round_trip(self, node, other):
        """node pings other and waits for the pong: other processed all node sent before."""
        before = self.peer_of(node, other)["bytesrecv_per_msg"].get("pong", 0)
        node.ping()
        self.wait_until(lambda: self.peer_of(node, other)["bytesrecv_per_msg"].get("pong", 0) > before,
                        timeout=60)

    def in_mempools(self, txid, nodes):
        return all(txid in n.getrawmempool() for n in nodes)

    def wait_in_mempools(self, txids, nodes, timeout=90):
        self.wait_until(lambda: all(self.in_mempools(t, nodes) for t in txids), timeout=timeout)

    # --- the test --------------------------------------------------------------

    def run_test(self):
        core0, br1, core2, br3 = self.nodes
        self.wallet = MiniWallet(core0)
        self.wallet.generate(120, sync_fun=lambda: self.sync_blocks(timeout=120))
        # Out of initial download every node sends its real feefilter.
        for node in self.nodes:
            self.wait_until(lambda: all(p["minfeefilter"] < 1 for p in node.getpeerinfo()), timeout=90)
        self.blocks_at_tip()
        self.wtxid_relay()
        self.feefilter()
        self.orphans()
        self.orphans_erased_by_block()
        self.cpfp_to_core()
        self.full_rbf()
        self.core_mines_bitrootd_tx()

    def blocks_at_tip(self):
        core0, br1, core2, br3 = self.nodes
        for miner, name in ((core0, "Core"), (br1, "bitrootd"), (core2, "Core"), (br3, "bitrootd")):
            self.log.info("A block mined on %s (%s) reaches every node", miner.name, name)
            start = time.monotonic()
            block = self.generate(miner, 1, sync_fun=self.no_op)[0]
            limit = BLOCK_RELAY_LIMIT * self.options.timeout_factor
            self.wait_until(lambda: all(n.getbestblockhash() == block for n in self.nodes), timeout=limit)
            self.log.info("... in %.1f s", time.monotonic() - start)
        for miner in (br1, core0):
            self.log.info("A burst of 12 blocks mined on %s reaches every node", miner.name)
            start = time.monotonic()
            tip = self.generate(miner, 12, sync_fun=self.no_op)[-1]
            limit = BLOCK_RELAY_LIMIT * self.options.timeout_factor
            self.wait_until(lambda: all(n.getbestblockhash() == tip for n in self.nodes), timeout=limit)
            self.log.info("... in %.1f s", time.monotonic() - start)
        self.sync_blocks()
        self.wallet.rescan_utxos()

    def wtxid_relay(self):
        core0, br1, core2, br3 = self.nodes
        self.log.info("Every mixed connection negotiated wtxidrelay, both ways")
        for a, b in ((core0, br1), (br1, core2), (core0, br3)):
            for x, y in ((a, b), (b, a)):
                p = self.peer_of(x, y)
                assert_greater_than(p["bytesrecv_per_msg"].get("wtxidrelay", 0), 0)
                assert_greater_than(p["bytessent_per_msg"].get("wtxidrelay", 0), 0)
                assert p["relaytxes"], "%s does not relay transactions to %s" % (x.name, y.name)

        for src, dst in ((br1, core0), (core0, br1)):
            self.log.info("A witness transaction from %s is announced by wtxid and fetched by %s",
                          src.name, dst.name)
            dst_peer = self.peer_of(dst, src)
            tx = self.wallet.create_self_transfer(fee_rate=20000)
            assert tx["txid"] != tx["wtxid"]
            sent_before = self.peer_of(src, dst)["bytessent_per_msg"].get("tx", 0)
            self.wallet.sendrawtransaction(from_node=src, tx_hex=tx["hex"])
            self.wait_in_mempools([tx["txid"]], [dst])
            dst.wait_for_debug_log(["got inv: wtx %s  new peer=%d" % (tx["wtxid"], dst_peer["id"])])
            assert_greater_than(self.peer_of(src, dst)["bytessent_per_msg"].get("tx", 0), sent_before)
            entry = dst.getmempoolentry(tx["txid"])
            assert_equal(entry["wtxid"], tx["wtxid"])
        self.wait_in_mempools(self.core0_pool(), self.nodes)

    def core0_pool(self):
        return self.nodes[0].getrawmempool()

    def feefilter(self):
        core0, br1, core2, br3 = self.nodes
        self.log.info("feefilter: each side shows the filter the other sent")
        # bitrootd's filter is its minimum relay fee rate, unrounded; Core
        # rounds its own down or up to a bucket within 10% (FeeFilterRounder).
        # With empty pools each filter is the sender's minimum relay fee rate
        # (bitrootd's default is Core 30's 0.1 sat/vB, Core 28's is 1 sat/vB).
        relayfee = {n.index: n.getnetworkinfo()["relayfee"] for n in self.nodes}
        assert_equal(relayfee[3], Decimal("0.0001"))
        assert_equal(relayfee[2], Decimal("0.0001"))
        assert_equal(self.peer_of(core0, br1)["minfeefilter"], relayfee[1])
        assert_equal(self.peer_of(core0, br3)["minfeefilter"], relayfee[3])
        for node, core in ((br1, core0), (br3, core0), (br1, core2)):
            want = relayfee[core.index]
            got = self.peer_of(node, core)["minfeefilter"]
            assert want * Decimal("0.85") <= got <= want * Decimal("1.15"), "%s sees %s's feefilter %s" % (node.name, core.name, got)
            assert_greater_than(self.peer_of(node, core)["bytesrecv_per_msg"].get("feefilter", 0), 0)

        for src, dst, via in ((br1, core2, "bitrootd to Core"), (core0, br3, "Core to bitrootd")):
            self.log.info("feefilter honoured %s: 3 sat/vB is not announced, 20 sat/vB is", via)
            dst_peer = self.peer_of(dst, src)
            low = self.wallet.create_self_transfer(fee_rate=3000)
            high = self.wallet.create_self_transfer(fee_rate=20000)
            self.wallet.sendrawtransaction(from_node=src, tx_hex=low["hex"])
            self.wallet.sendrawtransaction(from_node=src, tx_hex=high["hex"])
            self.wait_in_mempools([high["txid"]], [dst])
            dst.wait_for_debug_log(["got inv: wtx %s  new peer=%d" % (high["wtxid"], dst_peer["id"])])
            # The low one would have been in the same inv or an earlier one.
            self.round_trip(src, dst)
            log = dst.read_debug_log()
            for h in (low["txid"], low["wtxid"]):
                assert h not in log, "%s heard of %s, under its feefilter" % (dst.name, h)
            assert low["txid"] not in dst.getrawmempool()
            assert_less_than(low["fee"] * 1000 // low["vsize"], 10000)
        # Both low transactions are in the default-fee nodes' pools.
        self.wait_until(lambda: set(core0.getrawmempool()) == set(br1.getrawmempool()), timeout=90)

    def orphans(self):
        core0, br1, core2, br3 = self.nodes
        for holder, other in ((br1, core0), (core0, br1)):
            self.log.info("Orphan on %s: the child comes first from a test peer, the parent "
                          "from %s", holder.name, other.name)
            parent = self.wallet.create_self_transfer(fee_rate=20000)
            child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000)
            peer = holder.add_p2p_connection(P2PInterface())
            with holder.assert_debug_log(["stored orphan tx %s" % child["txid"]], timeout=30):
                peer.send_and_ping(msg_tx(child["tx"]))
            if not holder.is_core:
                assert_equal(self.orphan_txids(holder), [child["txid"]])
            assert child["txid"] not in holder.getrawmempool()
            self.wallet.sendrawtransaction(from_node=other, tx_hex=parent["hex"])
            self.wallet.scan_tx(child["hex"])
            self.wait_in_mempools([parent["txid"], child["txid"]], self.nodes)
            if not holder.is_core:
                self.wait_until(lambda: self.orphan_txids(holder) == [], timeout=30)
            holder.disconnect_p2ps()

    def orphans_erased_by_block(self):
        core0, br1, core2, br3 = self.nodes
        self.log.info("Orphans that a block confirms or conflicts with leave the orphanage, on both "
                      "(Core's EraseForBlock)")
        parent = self.wallet.create_self_transfer(fee_rate=20000)
        child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=20000)
        rival = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=30000)
        holders = [br1, core0]
        for holder in holders:
            peer = holder.add_p2p_connection(P2PInterface())
            with holder.assert_debug_log(["stored orphan tx %s" % t["txid"] for t in (child, rival)],
                                         timeout=30):
                peer.send_and_ping(msg_tx(child["tx"]))
                peer.send_and_ping(msg_tx(rival["tx"]))
        assert_equal(sorted(br1.getorphantxs()), sorted([child["txid"], rival["txid"]]))
        offset = core0.debug_log_bytes()
        # Mined where neither holder saw the parent: only the block brings it.
        block = core2.generateblock(ADDRESS_BCRT1_UNSPENDABLE, [parent["hex"], child["hex"]])["hash"]
        self.wait_until(lambda: all(n.getbestblockhash() == block for n in self.nodes), timeout=60)
        core0.wait_for_debug_log(["Erased 2 orphan transaction(s) included or conflicted by block"],
                                 offset=offset)
        self.wait_until(lambda: br1.getorphantxs() == [], timeout=30)
        for n in self.nodes:
            assert rival["txid"] not in n.getrawmempool()
        for holder in holders:
            holder.disconnect_p2ps()
        self.wallet.rescan_utxos(include_mempool=True)

    def cpfp_to_core(self):
        core0, br1, core2, br3 = self.nodes
        self.log.info("A TRUC parent under Core's minimum relay fee with a child paying for both goes from "
                      "bitrootd to Core (Core asks bitrootd for the orphan's parent; 1p1c)")
        relayfee = br1.getnetworkinfo()["relayfee"]
        if relayfee > Decimal("0.000005"):
            self.log.info("... skipped: bitrootd's minimum relay fee %s is not under 0.5 sat/vB", relayfee)
            return
        # Core 28 takes a parent under its minimum relay fee only in a
        # one-parent-one-child package, and only a TRUC (version 3) one.
        parent = self.wallet.create_self_transfer(fee_rate=500, version=3)
        child = self.wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"], fee_rate=40000, version=3)
        self.wallet.sendrawtransaction(from_node=br1, tx_hex=parent["hex"])
        self.wallet.sendrawtransaction(from_node=br1, tx_hex=child["hex"])
        cores = [core0, core2]
        self.wait_in_mempools([parent["txid"], child["txid"]], cores)
        for core in cores:
            # The parent was never announced to Core (under its feefilter): asked for by txid.
            log = core.read_debug_log()
            assert "got inv: wtx %s" % parent["wtxid"] not in log
            assert "got inv: wtx %s" % child["wtxid"] in log
            assert_equal(core.getmempoolentry(child["txid"])["depends"], [parent["txid"]])

    def orphan_txids(self, node):
        """The orphanage, where the node can list it (Core 28 has no getorphantxs)."""
        if node.is_core:
            return None
        return node.getorphantxs()

    def full_rbf(self):
        core0, br1, core2, br3 = self.nodes
        everyone = self.nodes
        for first, second in ((br1, core0), (core0, br1)):
            self.log.info("Full RBF: a non-signalling tx from %s with a child, replaced on %s",
                          first.name, second.name)
            utxo = self.wallet.get_utxo()
            orig = self.wallet.create_self_transfer(utxo_to_spend=utxo, fee_rate=20000)
            assert all(i.sequence == 0xffffffff for i in orig["tx"].vin)
            child = self.wallet.create_self_transfer(utxo_to_spend=orig["new_utxo"], fee_rate=20000)
            self.wallet.sendrawtransaction(from_node=first, tx_hex=orig["hex"])
            self.wallet.sendrawtransaction(from_node=first, tx_hex=child["hex"])
            self.wait_in_mempools([orig["txid"], child["txid"]], everyone)
            assert_equal(core0.getmempoolentry(orig["txid"])["bip125-replaceable"], False)
            # Pays for both it evicts, plus the incremental relay fee on its own size.
            repl = self.wallet.create_self_transfer(utxo_to_spend=utxo, fee_rate=50000)
            assert_greater_than(repl["fee"], orig["fee"] + child["fee"] + repl["vsize"])
            self.wallet.sendrawtransaction(from_node=second, tx_hex=repl["hex"])
            self.wait_in_mempools([repl["txid"]], everyone)
            self.wait_until(lambda: not any(orig["txid"] in n.getrawmempool() or child["txid"] in n.getrawmempool()
                                            for n in everyone), timeout=60)
            # The child's output went with it.
            self.wallet.rescan_utxos(include_mempool=True)

    def core_mines_bitrootd_tx(self):
        core0, br1, core2, br3 = self.nodes
        self.log.info("A transaction submitted to bitrootd is mined by Core")
        tx = self.wallet.send_self_transfer(from_node=br1, fee_rate=20000)
        self.wait_in_mempools([tx["txid"]], self.nodes)
        # Whatever the low-fee nodes hold, core0 holds too: its block empties every pool.
        for n in self.nodes:
            assert set(n.getrawmempool()) <= set(core0.getrawmempool())
        block = self.generate(core0, 1, sync_fun=self.no_op)[0]
        assert tx["txid"] in core0.getblock(block)["tx"]
        self.sync_blocks(timeout=60)
        self.wait_until(lambda: all(n.getrawmempool() == [] for n in self.nodes), timeout=60)
        for n in self.nodes:
            assert_equal(n.gettxout(tx["txid"], 0)["confirmations"], 1)


if __name__ == "__main__":
    InteropRelayTest(__file__).main()
