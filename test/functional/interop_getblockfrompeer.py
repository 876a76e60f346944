#!/usr/bin/env python3
"""getblockfrompeer between Bitcoin Core 28.1 and bitrootd, both ways, and its errors compared.

Node 0 is Core, node 1 bitrootd; they share a chain, then part.

1. bitrootd fetches from Core: apart, Core mines one block S and bitrootd
   two; bitrootd is given S's header alone (submitheader). Joined again,
   Core reorganises to bitrootd's branch and keeps S, fully validated, as a
   stale block; bitrootd does not download S (it has less work: headers-only
   in getchaintips). getblockfrompeer(S, Core's id) answers {} at once; S
   then arrives and is stored (getblock as Core's), the tip stays.
2. Core fetches from bitrootd: the same the other way, bitrootd's stale
   block served to Core.
3. Errors: every call made on both nodes, each with its own peer ids and
   its own headers-only block (a header both were given, whose block no one
   has), and the answers compared (code and message identical): bad hashes
   and types, an unknown header, a stored block, unknown and negative peer
   ids, a peer without NODE_WITNESS, a peer that has not sent its verack,
   and the order of the checks. A block-relay-only peer is asked like any
   other by both: the same single getdata for the block with witnesses.
"""

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import create_block, create_coinbase, solve
from test_framework.messages import MSG_WITNESS_BLOCK, NODE_NETWORK, NODE_WITNESS
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

BADHASH = "00" * 31 + "01"


class NoVerack(P2PInterface):
    """Sends its version and never its verack: a peer not fully connected."""

    def on_version(self, message):
        self.peer_version = message


class InteropGetBlockFromPeerTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def peer_id(self, node, other):
        sub = other.getnetworkinfo()["subversion"]
        found = [p["id"] for p in node.getpeerinfo() if p["subver"] == sub]
        assert_equal(len(found), 1)
        return found[0]

    def tip_status(self, node, h):
        return next((t["status"] for t in node.getchaintips() if t["hash"] == h), None)

    def answer(self, node, method, *args):
        try:
            return ("result", getattr(node, method)(*args))
        except JSONRPCException as e:
            return ("error", e.error["code"], e.error["message"])

    def same(self, method, core_args, br_args, expect):
        """The call on each node with its own arguments; both must answer expect."""
        core, br = self.nodes
        got = (self.answer(core, method, *core_args), self.answer(br, method, *br_args))
        assert_equal(got[0], got[1])
        assert_equal(got[1], expect)
        self.compared += 1

    def fetch_round(self, *, fetcher, server, short, long):
        """server mines the short branch, the other node the long one; fetcher gets the stale block."""
        core, br = self.nodes
        self.disconnect_nodes(1, 0)
        stale = self.generate(server, short, sync_fun=self.no_op)[-1]
        self.generate(fetcher, long, sync_fun=self.no_op)
        fetcher.submitheader(server.getblockheader(stale, False))
        assert_equal(self.tip_status(fetcher, stale), "headers-only")
        self.connect_nodes(1, 0)
        self.sync_blocks()
        tip = fetcher.getbestblockhash()
        assert_equal(server.getbestblockhash(), tip)
        # Joined and synced, the stale block was not downloaded on its own.
        assert_equal(self.tip_status(fetcher, stale), "headers-only")
        try:
            fetcher.getblock(stale)
            raise AssertionError("the stale block was downloaded before getblockfrompeer")
        except JSONRPCException as e:
            assert_equal(e.error["code"], -1)
        self.log.info("%s fetches %s from %s", fetcher.name, stale, server.name)
        assert_equal(fetcher.getblockfrompeer(stale, self.peer_id(fetcher, server)), {})
        self.wait_until(lambda: self.answer(fetcher, "getblock", stale, 0) == ("result", server.getblock(stale, 0)),
                        timeout=60)
        # Stored, not connected: Core's status for such a block, on either side.
        assert_equal(self.tip_status(fetcher, stale), "valid-headers")
        assert_equal(fetcher.getbestblockhash(), tip)
        # The block as each describes it (bitrootd adds Core 29's target).
        mine, theirs = fetcher.getblock(stale), server.getblock(stale)
        for d in (mine, theirs):
            d.pop("target", None)
        assert_equal(mine, theirs)
        assert_equal(mine["confirmations"], -1)
        return stale

    def run_test(self):
        core, br = self.nodes
        self.compared = 0
        self.generate(core, 10)

        self.log.info("bitrootd fetches Core's stale block from Core")
        s_core = self.fetch_round(fetcher=br, server=core, short=1, long=2)
        self.log.info("Core fetches bitrootd's stale block from bitrootd")
        s_br = self.fetch_round(fetcher=core, server=br, short=1, long=2)

        self.log.info("errors, each call compared with Core's answer")
        core_id, br_id = self.peer_id(core, br), self.peer_id(br, core)
        tip = core.getbestblockhash()
        assert_equal(br.getbestblockhash(), tip)
        # A header both know and no one has the block of: a sibling of the tip.
        parent = core.getblockheader(tip)
        blk = create_block(parent["previousblockhash"], create_coinbase(parent["height"]), parent["time"] + 1)
        solve(blk)
        orphan = blk.hash_hex
        for n in self.nodes:
            assert_equal(n.submitheader(blk.serialize_header().hex()), None)
            assert_equal(self.tip_status(n, orphan), "headers-only")

        def both(args, expect):
            self.same("getblockfrompeer", args, args, expect)

        both(["1234", 0], ("error", -8, "blockhash must be of length 64 (not 4, for '1234')"))
        both(["zz" * 32, 0], ("error", -8, "blockhash must be hexadecimal string (not '%s')" % ("zz" * 32)))
        both([1234, 0], ("error", -3, "Wrong type passed:\n{\n    \"Position 1 (blockhash)\": "
                                      "\"JSON value of type number is not of expected type string\"\n}"))
        both([orphan, "0"], ("error", -3, "Wrong type passed:\n{\n    \"Position 2 (peer_id)\": "
                                          "\"JSON value of type string is not of expected type number\"\n}"))
        both([orphan, 1.5], ("error", -1, "JSON integer out of range"))
        both([orphan, 2**64], ("error", -1, "JSON integer out of range"))
        both([BADHASH, 0], ("error", -1, "Block header missing"))
        both([BADHASH, -1], ("error", -1, "Block header missing"))
        for h in (tip, s_core, s_br, core.getblockhash(0)):
            both([h, 10**6], ("error", -1, "Block already downloaded"))
        for pid in (-1, 10**6, 2**63 - 1):
            both([orphan, pid], ("error", -1, "Peer does not exist"))

        self.log.info("a peer without NODE_WITNESS: Pre-SegWit peer")
        old = [n.add_p2p_connection(P2PInterface(services=NODE_NETWORK)) for n in self.nodes]
        self.same("getblockfrompeer", [orphan, old[0].peer_id], [orphan, old[1].peer_id],
                  ("error", -1, "Pre-SegWit peer"))
        # The header check comes before the peer's.
        self.same("getblockfrompeer", [BADHASH, old[0].peer_id], [BADHASH, old[1].peer_id],
                  ("error", -1, "Block header missing"))

        self.log.info("a peer that sent no verack: Peer not fully connected")
        half = []
        for n in self.nodes:
            p = n.add_p2p_connection(NoVerack(services=NODE_NETWORK | NODE_WITNESS), wait_for_verack=False)
            p.wait_until(lambda: p.peer_version is not None)
            port = p._transport.get_extra_info("sockname")[1]

            def listed(n=n, port=port):
                return [q for q in n.getpeerinfo() if q["addr"] == "127.0.0.1:%d" % port and q["version"] != 0]
            self.wait_until(lambda: len(listed()) == 1)
            half.append(listed()[0]["id"])
        self.same("getblockfrompeer", [orphan, half[0]], [orphan, half[1]],
                  ("error", -1, "Peer not fully connected"))

        self.log.info("a block-relay-only peer is asked as any other (Core has no such restriction)")
        for n in self.nodes:
            relay = n.add_outbound_p2p_connection(P2PInterface(), connection_type="block-relay-only")
            pid = [q["id"] for q in n.getpeerinfo() if q["connection_type"] == "block-relay-only"]
            assert_equal(len(pid), 1)
            assert_equal(n.getblockfrompeer(orphan, pid[0]), {})
            # The request on the wire: one getdata, the block with witnesses.
            gd = relay.wait_for_message("getdata", lambda m: any(i.hash == blk.hash for i in m.inv))
            assert_equal([i.type for i in gd.inv], [MSG_WITNESS_BLOCK])
            self.compared += 1

        self.log.info("a block no one has, asked of a real peer: {} at once on both")
        self.same("getblockfrompeer", [orphan, core_id], [orphan, br_id], ("result", {}))
        # Asked again, of the same peer: the earlier request is forgotten first (Core).
        self.same("getblockfrompeer", [orphan, core_id], [orphan, br_id], ("result", {}))
        # From each node's client, the peer id given as a word: a number, as bitcoin-cli converts it.
        for n, pid in ((core, core_id), (br, br_id)):
            assert_equal(n.cli_json("getblockfrompeer", orphan, str(pid)), {})
        self.log.info("%d calls compared", self.compared)
        for n in self.nodes:
            n.disconnect_p2ps()


if __name__ == '__main__':
    InteropGetBlockFromPeerTest(__file__).main()
