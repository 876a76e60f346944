#!/usr/bin/env python3
"""Three nodes in a line sync the shared chain over P2P; then four sources.

- node0 imports ../shared/chains/regtest-dev.dat; node1 syncs from node0,
  then node2 from node1 only. node2 must get every block through node1 and
  end at regtest-dev.json's tip and hash_serialized_3.
- A block mined on node2 travels back to node0 through node1.
- A test peer on node2 that sent sendheaders (and learned the tip) gets new
  blocks announced as headers; one that did not gets an inv.
- node4 syncs from four sources at once (nodes 0-3) and downloads blocks
  from every one of them.

The shared chain is years old, so a node that imported it is in initial
block download, and (as in Core) answers getheaders only from peers with the
"download" permission: the serving nodes run with
-whitelist=download@127.0.0.1. A node in initial download also announces
nothing and answers getheaders from its active chain only, so node2 connects
once node1 has the whole chain, as it would have to with Core.
"""

import json

from test_framework.messages import CBlockLocator, hex_to_hash, msg_getheaders, msg_sendheaders
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than, wait_until


WHITELIST = "-whitelist=download@127.0.0.1"


class SyncTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 5

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def subver(self, i):
        return self.nodes[i].getnetworkinfo()["subversion"]

    def run_test(self):
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        dat = self.require_shared("chains", "regtest-dev.dat")
        n0, n1, n2, n3, n4 = self.nodes

        self.log.info("Three nodes in a line: node0 (import) - node1 - node2")
        self.start_node(0, ["-loadblock=" + dat, WHITELIST])
        wait_until(lambda: n0.getblockcount() == expect["height"], timeout=300, check_interval=0.2)
        self.start_node(1, [WHITELIST])
        self.connect_nodes(1, 0)
        self.sync_blocks([n0, n1], timeout=300)
        self.start_node(2, [WHITELIST])
        self.connect_nodes(2, 1)
        self.sync_blocks([n0, n1, n2], timeout=300)
        for n in (n0, n1, n2):
            assert_equal(n.getbestblockhash(), expect["bestblockhash"])
            assert_equal(n.getblockcount(), expect["height"])
            assert_equal(n.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
            assert_equal(n.getblockchaininfo()["chainwork"], expect["chainwork"])
        # node2 never talked to node0.
        sv0 = self.subver(0)
        assert not any(p["subver"] == sv0 for p in n2.getpeerinfo())
        assert_equal(n2.getconnectioncount(), 1)
        got = [p for p in n2.getpeerinfo() if p["subver"] == self.subver(1)][0]
        assert_greater_than(got["bytesrecv_per_msg"].get("block", 0), 1000000)

        self.log.info("A block from node2 reaches node0 through node1")
        new = self.generate(n2, 1, sync_fun=lambda: self.sync_blocks([n0, n1, n2]))[0]
        assert_equal(n0.getbestblockhash(), new)

        self.log.info("Announcements: headers to a sendheaders peer, inv to the others")
        hp = n2.add_p2p_connection(P2PInterface())
        ip = n2.add_p2p_connection(P2PInterface())
        hp.send_message(msg_sendheaders())
        # A getheaders from the tip tells the node what this peer already has.
        hp.send_message(msg_getheaders(CBlockLocator([hex_to_hash(new)])))
        hp.sync_with_ping()
        with p2p_lock:
            hp.clear_messages()
            ip.clear_messages()
        block = self.generate(n0, 1, sync_fun=lambda: self.sync_blocks([n0, n1, n2]))[0]
        h = hex_to_hash(block)
        hp.wait_for_block_announcement(h)
        ip.wait_for_block_announcement(h)
        with p2p_lock:
            hdrs = [m for m in hp.received if m.msgtype == b"headers" and any(x.hash == h for x in m.headers)]
            invs = [m for m in hp.received if m.msgtype == b"inv" and any(i.hash == h for i in m.inv)]
            assert_equal((len(hdrs), len(invs)), (1, 0))
            invs = [m for m in ip.received if m.msgtype == b"inv" and any(i.hash == h for i in m.inv)]
            hdrs = [m for m in ip.received if m.msgtype == b"headers" and any(x.hash == h for x in m.headers)]
            assert_equal((len(invs), len(hdrs)), (1, 0))
        n2.disconnect_p2ps()

        self.log.info("node3 catches up from node2 alone")
        self.start_node(3, [WHITELIST])
        self.connect_nodes(3, 2)
        self.sync_blocks([n0, n1, n2, n3], timeout=300)

        self.log.info("node4 syncs from four sources at once")
        self.start_node(4)
        for i in range(4):
            # No waiting in between: all four should be there when the download starts.
            n4.addnode("127.0.0.1:%d" % self.nodes[i].p2p_port, "onetry")
        wait_until(lambda: n4.getconnectioncount() >= 4, timeout=60)
        self.sync_blocks(self.nodes, timeout=300)
        per_source = {}
        for p in n4.getpeerinfo():
            per_source[p["subver"]] = p["bytesrecv_per_msg"].get("block", 0)
        self.log.info("block bytes per source: %s", per_source)
        for i in range(4):
            assert_greater_than(per_source.get(self.subver(i), 0), 0)
        assert_equal(n4.gettxoutsetinfo()["hash_serialized_3"], n0.gettxoutsetinfo()["hash_serialized_3"])


if __name__ == "__main__":
    SyncTest(__file__).main()
