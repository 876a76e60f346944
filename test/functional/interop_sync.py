#!/usr/bin/env python3
"""Mixed network: the shared dev chain synced between Bitcoin Core and bitrootd.

- A Core node imports ../shared/chains/regtest-dev.dat; a fresh bitrootd syncs
  it from that Core node alone (headers first, then blocks).
- A fresh Core node syncs the chain from that bitrootd alone.
- A fresh bitrootd and a fresh Core node each sync from three sources at once:
  two Core nodes and one bitrootd.
Every node must end on the tip, chain work, transaction count and UTXO set
hash (gettxoutsetinfo hash_serialized_3) that Core reported for the file.

The chain's newest block is from 2023, so every node would call itself in
initial block download; Core answers no getheaders in IBD, so each node runs
with -maxtipage large enough to be out of IBD once it holds the chain.
"""

import json

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)

# node: 0 core (imports), 1 bitrootd, 2 core, 3 bitrootd, 4 core
IMPLS = ["core", "bitrootd", "core", "bitrootd", "core"]


class InteropSyncTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [[MAXTIPAGE] for _ in IMPLS], binaries=self.node_impls)

    def peer_of(self, node, other):
        """node's getpeerinfo entry for its connection to other (by user agent)."""
        sub = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sub]
        assert_equal(len(found), 1)
        return found[0]

    def check_chain(self, node):
        expect = self.expect
        assert_equal(node.getblockcount(), expect["height"])
        assert_equal(node.getbestblockhash(), expect["bestblockhash"])
        info = node.getblockchaininfo()
        assert_equal(info["chainwork"], expect["chainwork"])
        assert_equal(info["headers"], expect["height"])
        stats = node.getchaintxstats()
        assert_equal(stats["txcount"], expect["txcount"])
        utxo = node.gettxoutsetinfo("hash_serialized_3")
        assert_equal(utxo["hash_serialized_3"], expect["hash_serialized_3"])
        assert_equal(utxo["bestblock"], expect["bestblockhash"])
        return utxo

    def wait_synced(self, node, timeout=240):
        self.wait_until(lambda: node.getbestblockhash() == self.expect["bestblockhash"], timeout=timeout)

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        core0, br1, core2, br3, core4 = self.nodes

        self.log.info("Core imports the dev chain")
        self.start_node(0, extra_args=[MAXTIPAGE, "-loadblock=" + dat])
        self.wait_synced(core0)
        ref = self.check_chain(core0)

        self.log.info("bitrootd syncs the chain from Core alone")
        self.start_node(1)
        self.connect_nodes(1, 0)
        self.wait_synced(br1)
        br_utxo = self.check_chain(br1)
        for key in ("txouts", "total_amount", "height"):
            assert_equal(br_utxo[key], ref[key])
        peer = self.peer_of(br1, core0)
        # Headers first: headers came from Core before (and besides) the blocks.
        assert_greater_than(peer["bytesrecv_per_msg"].get("headers", 0), 0)
        assert_greater_than(peer["bytesrecv_per_msg"].get("block", 0), self.expect["file_bytes"] // 2)
        assert_equal(peer["synced_headers"], self.expect["height"])
        assert_equal(peer["synced_blocks"], self.expect["height"])
        # Core sent blocks to bitrootd and counted them.
        core_side = self.peer_of(core0, br1)
        assert_greater_than(core_side["bytessent_per_msg"].get("block", 0), self.expect["file_bytes"] // 2)

        self.log.info("Core syncs the chain from bitrootd alone")
        self.start_node(2)
        self.connect_nodes(2, 1)
        self.wait_synced(core2)
        self.check_chain(core2)
        peer = self.peer_of(core2, br1)
        assert_greater_than(peer["bytesrecv_per_msg"].get("headers", 0), 0)
        assert_greater_than(peer["bytesrecv_per_msg"].get("block", 0), self.expect["file_bytes"] // 2)
        assert_equal(peer["synced_headers"], self.expect["height"])
        # bitrootd is, to Core, a full witness node.
        assert_equal(set(peer["servicesnames"]) >= {"NETWORK", "WITNESS"}, True)
        chaintips = core2.getchaintips()
        assert_equal(chaintips[0]["status"], "active")
        assert_equal(len([t for t in chaintips if t["status"] != "active"]), 0)

        self.log.info("bitrootd and Core each sync from two Core sources and one bitrootd source at once")
        self.start_node(3)
        self.start_node(4)
        # bitrootd's syncer meets Core first, Core's syncer meets bitrootd first:
        # the first peer is the one headers come from.
        for fresh, sources in ((3, (0, 2, 1)), (4, (1, 0, 2))):
            for source in sources:
                self.connect_nodes(fresh, source)
        self.wait_synced(br3)
        self.wait_synced(core4)
        for fresh in (br3, core4):
            self.check_chain(fresh)
            got, headers = {}, 0
            for source in (core0, core2, br1):
                p = self.peer_of(fresh, source)
                got[source.name] = p["bytesrecv_per_msg"].get("block", 0)
                headers += p["bytesrecv_per_msg"].get("headers", 0)
            self.log.info("%s received block bytes per source: %s", fresh.name, got)
            # Core syncs headers from one peer in IBD; blocks come from any.
            assert_greater_than(headers, 0)
            assert_greater_than(sum(got.values()), self.expect["file_bytes"] // 2)
        # Core served bitrootd's syncer; bitrootd served Core's (its first peer).
        assert_greater_than(self.peer_of(br3, core0)["bytesrecv_per_msg"].get("block", 0), 0)
        assert_greater_than(self.peer_of(core4, br1)["bytesrecv_per_msg"].get("block", 0), 0)

        self.log.info("All five nodes agree on tip and UTXO set hash")
        hashes = {n.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"] for n in self.nodes}
        assert_equal(hashes, {self.expect["hash_serialized_3"]})


if __name__ == "__main__":
    InteropSyncTest(__file__).main()
