#!/usr/bin/env python3
"""BIP324 v2 transport between Bitcoin Core 28.1 and bitrootd (doc/p2p.md, "v2 transport").

- bitrootd -> Core and Core -> bitrootd with -v2transport=1 on both: each
  side reports transport_protocol_type "v2" and the same session_id, and
  both advertise NODE_P2P_V2.
- Over those v2 connections alone, blocks mined on either side and
  transactions sent to either side reach the other.
- v1 fallback both ways: bitrootd (v2) to a Core node with -v2transport=0
  retries with v1 and ends up "v1" on both sides; Core (v2) to a bitrootd
  with -v2transport=0 does the same from Core's side.
- Two bitrootd nodes speak v2 to each other; bitrootd (v2) to bitrootd
  (v1 only) falls back.
- An inbound connection that has sent nothing is "detecting"; one that
  sends a v1 version header becomes "v1", one that sends a 64-byte key
  becomes "v2" with a session id.
"""

import os
import socket

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than
from test_framework.wallet import MiniWallet

V2 = "-v2transport=1"
V1 = "-v2transport=0"
NODE_P2P_V2 = 1 << 11

# 0 core v2, 1 bitrootd v2, 2 bitrootd v1, 3 core v1, 4 bitrootd v2
IMPLS = ["core", "bitrootd", "bitrootd", "core", "bitrootd"]
ARGS = [[V2], [V2], [V1], [V1], [V2]]


class InteropV2TransportTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.extra_args = ARGS
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args, binaries=self.node_impls)
        self.start_nodes()

    def peer(self, node, other, inbound):
        sub = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sub and p["inbound"] == inbound]
        assert_equal(len(found), 1)
        return found[0]

    def check_pair(self, a, b, transport):
        """a opened a connection to b: both sides see the transport; v2 has one session id."""
        pa = self.peer(a, b, False)
        pb = self.peer(b, a, True)
        assert_equal(pa["transport_protocol_type"], transport)
        assert_equal(pb["transport_protocol_type"], transport)
        if transport == "v2":
            assert_equal(len(pa["session_id"]), 64)
            assert_equal(pa["session_id"], pb["session_id"])
        else:
            assert_equal(pa["session_id"], "")
            assert_equal(pb["session_id"], "")
        return pa, pb

    def run_test(self):
        core0, br1, br2, core3, br4 = self.nodes

        self.log.info("NODE_P2P_V2 is advertised exactly with -v2transport=1")
        for node, v2 in ((core0, True), (br1, True), (br2, False), (core3, False), (br4, True)):
            services = int(node.getnetworkinfo()["localservices"], 16)
            assert_equal(bool(services & NODE_P2P_V2), v2)

        self.log.info("bitrootd -> Core over v2")
        self.connect_nodes(1, 0)
        self.check_pair(br1, core0, "v2")
        assert_equal("P2P_V2" in self.peer(br1, core0, False)["servicesnames"], True)
        assert_equal("P2P_V2" in self.peer(core0, br1, True)["servicesnames"], True)

        self.log.info("Core -> bitrootd over v2")
        self.connect_nodes(0, 1)
        pa, pb = self.check_pair(core0, br1, "v2")
        # Two connections, two sessions.
        assert pa["session_id"] != self.peer(br1, core0, False)["session_id"]

        self.log.info("blocks and transactions relayed over the v2 connections")
        wallet = MiniWallet(core0)
        wallet.generate(101)
        self.sync_blocks([core0, br1])
        wallet.rescan_utxos()
        br_wallet = MiniWallet(br1)
        br_wallet.generate(3)
        self.sync_blocks([core0, br1])
        assert_equal(br1.getbestblockhash(), core0.getbestblockhash())
        for node, other in ((br1, core0), (core0, br1)):
            for inbound in (False, True):
                p = self.peer(node, other, inbound)
                assert_equal(p["transport_protocol_type"], "v2")
        got = sum(self.peer(br1, core0, ib)["bytesrecv_per_msg"].get("block", 0) for ib in (False, True))
        assert_greater_than(got, 0)
        got = sum(self.peer(core0, br1, ib)["bytesrecv_per_msg"].get("block", 0) +
                  self.peer(core0, br1, ib)["bytesrecv_per_msg"].get("headers", 0) for ib in (False, True))
        assert_greater_than(got, 0)
        tx = wallet.send_self_transfer(from_node=core0)
        self.wait_until(lambda: tx["txid"] in br1.getrawmempool(), timeout=60)
        tx2 = wallet.create_self_transfer()
        br1.sendrawtransaction(tx2["hex"])
        self.wait_until(lambda: tx2["txid"] in core0.getrawmempool(), timeout=60)
        got = sum(self.peer(core0, br1, ib)["bytesrecv_per_msg"].get("tx", 0) for ib in (False, True))
        assert_greater_than(got, 0)
        self.generate_and_sync(core0, [core0, br1])
        assert_equal(br1.getrawmempool(), [])

        self.log.info("bitrootd (v2) -> Core (v1 only): retried with v1")
        with br1.assert_debug_log(["retrying with v1 transport protocol"], timeout=30):
            self.connect_nodes(1, 3)
        self.check_pair(br1, core3, "v1")
        self.sync_blocks([br1, core3])

        self.log.info("Core (v2) -> bitrootd (v1 only): Core retries with v1")
        self.connect_nodes(0, 2)
        self.check_pair(core0, br2, "v1")
        self.sync_blocks([core0, br2])

        self.log.info("bitrootd <-> bitrootd over v2, and v2 -> v1-only fallback")
        self.connect_nodes(4, 1)
        self.check_pair(br4, br1, "v2")
        self.sync_blocks([br1, br4])
        with br4.assert_debug_log(["retrying with v1 transport protocol"], timeout=30):
            self.connect_nodes(4, 2)
        self.check_pair(br4, br2, "v1")

        self.log.info("inbound detection: detecting, then v1 or v2 by the first bytes")
        v1_header = bytes.fromhex("fabfb5da") + b"version" + bytes(5)
        for first, expect in ((b"", "detecting"), (v1_header, "v1"), (os.urandom(64), "v2")):
            before = {p["id"] for p in br1.getpeerinfo()}
            sock = socket.create_connection(("127.0.0.1", br1.p2p_port))
            try:
                if first:
                    sock.sendall(first)

                def new_peer():
                    new = [p for p in br1.getpeerinfo() if p["id"] not in before]
                    return new[0] if new and new[0]["transport_protocol_type"] == expect else None
                self.wait_until(lambda: new_peer() is not None, timeout=30)
                assert_equal(len(new_peer()["session_id"]), 64 if expect == "v2" else 0)
            finally:
                sock.close()

        self.log.info("a block mined on bitrootd reaches every node")
        br_wallet.generate(1)
        self.sync_blocks()

    def generate_and_sync(self, node, nodes):
        MiniWallet(node).generate(1)
        self.sync_blocks(nodes)


if __name__ == "__main__":
    InteropV2TransportTest().main()
