#!/usr/bin/env python3
"""getaddrmaninfo, getrawaddrman and sendmsgtopeer, side by side with Core 28.

The same addresses go into Core's address manager and bitrootd's; the
counts per network and table must be equal, and the raw tables must hold
the same entries (bucket and position depend on each node's secret key, so
only their ranges are compared). sendmsgtopeer must deliver a message of
any type to a P2P test peer, framed by the node, and fail as Core fails.
"""

from test_framework.messages import msg_ping
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

ADDRS = [("1.2.3.4", 8333), ("8.9.10.11", 18444), ("2a01:4f8:1:2::3", 8333),
         ("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", 8333),
         ("udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p", 0)]


class InteropAddrmanTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()

    def error_of(self, node, method, *args):
        try:
            getattr(node, method)(*args)
        except Exception as e:   # JSONRPCException: code and message
            return (e.error["code"], e.error["message"])
        raise AssertionError("%s %r did not fail on %s" % (method, args, node.name))

    def run_test(self):
        core, br = self.nodes
        self.log.info("the same addresses in both address managers")
        for addr, port in ADDRS:
            for n in (core, br):
                assert n.addpeeraddress(addr, port)["success"], (n.name, addr)
        assert_equal(br.getaddrmaninfo(), core.getaddrmaninfo())
        info = br.getaddrmaninfo()
        assert_equal(info["all_networks"], {"new": 5, "tried": 0, "total": 5})
        assert_equal((info["onion"]["new"], info["i2p"]["new"]), (1, 1))

        def entries(n):
            raw = n.getrawaddrman()
            out = {}
            for table, slots in raw.items():
                for pos, e in slots.items():
                    b, p = map(int, pos.split("/"))
                    assert 0 <= p < 64 and 0 <= b < (1024 if table == "new" else 256)
                    out[(table, e["address"], e["port"])] = (e["services"], e["network"], e["source"],
                                                             e["source_network"], sorted(e))
            return out
        assert_equal(entries(br), entries(core))

        self.log.info("sendmsgtopeer: errors as Core's")
        for args in ((0, "abcdefghijklm", "00"), (0, "ping", "zz"), (0, "ping", "0"), (99, "ping", "00"),
                     (-1, "ping", "00")):
            assert_equal(self.error_of(br, "sendmsgtopeer", *args), self.error_of(core, "sendmsgtopeer", *args))

        self.log.info("sendmsgtopeer: any type reaches the peer, framed by the node")
        for n in (core, br):
            peer = n.add_p2p_connection(P2PInterface())
            pid = [p["id"] for p in n.getpeerinfo() if p["subver"].startswith("/python")][0]
            assert_equal(n.sendmsgtopeer(pid, "ping", "2a00000000000000"), {})
            wait_until(lambda: "ping" in peer.last_message and peer.last_message["ping"].nonce == 42,
                       timeout=30)
            # a type the node does not know is sent as given
            assert_equal(n.sendmsgtopeer(pid, "zzzz", "01ff"), {})
            wait_until(lambda: "zzzz" in peer.last_message, timeout=30)
            assert_equal(peer.last_message["zzzz"].payload, b"\x01\xff")
            # the connection lives on: a ping of ours is answered
            peer.send_message(msg_ping(nonce=7))
            wait_until(lambda: "pong" in peer.last_message and peer.last_message["pong"].nonce == 7, timeout=30)
            n.disconnect_p2ps()


if __name__ == "__main__":
    InteropAddrmanTest(__file__).main()
