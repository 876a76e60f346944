#!/usr/bin/env python3
"""getaddr answers are cached per network and local socket, as in Core.

The node listens on two loopback ports. Inbound test peers send getaddr:
- the answer holds min(1000, 23% of the address book) addresses;
- a second connection to the same local socket gets exactly the same set,
  even after the address book has grown;
- a connection to the other local socket has its own cache, filled from the
  current address book;
- after the cache's lifetime (21-27 hours, by mocktime) the answer is new,
  and capped at 1000 addresses.
"""

import time

from test_framework.messages import msg_getaddr
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, p2p_port


def add_addresses(node, first, count):
    """Adds count IPv4 addresses, each in its own /16 so few collide."""
    reqs = []
    for i in range(first, first + count):
        ip = "%d.%d.1.1" % (11 + i // 250, i % 250 + 1)
        reqs.append(node.rpc.addpeeraddress.request_object(ip, 8333))
    for k in range(0, len(reqs), 500):
        for r in node.rpc.batch(reqs[k:k + 500]):
            assert r.get("error") is None, r


class GetaddrCacheTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_network(self):
        self.port_a = p2p_port(0)
        self.port_b = p2p_port(1)
        # The config file already binds 127.0.0.1 on port_a.
        self.extra_args = [["-bind=127.0.0.1:%d" % self.port_b]]
        super().setup_network()

    def ask(self, port):
        p = P2PInterface()
        p.peer_connect("127.0.0.1", port)
        p.wait_for_verack()
        p.sync_with_ping()
        with p2p_lock:
            p.last_message.pop("addrv2", None)
        p.send_message(msg_getaddr())
        p.sync_with_ping()
        # The answer leaves on the peer's address send schedule (mean 30 s):
        # move mock time past it.
        self.mocktime += 5 * 60
        self.nodes[0].setmocktime(self.mocktime)
        p.wait_for_message("addrv2", timeout=60)
        with p2p_lock:
            got = {(a.ip, a.port) for a in p.last_message["addrv2"].addrs}
        p.peer_disconnect()
        p.wait_for_disconnect()
        return got

    def expected(self):
        size = len(self.nodes[0].getnodeaddresses(0))
        return min(1000, size * 23 // 100)

    def run_test(self):
        node = self.nodes[0]
        self.mocktime = int(time.time())
        node.setmocktime(self.mocktime)
        add_addresses(node, 0, 400)
        want = self.expected()
        assert want > 50, want

        self.log.info("First answer on socket A: 23% of the address book")
        a1 = self.ask(self.port_a)
        assert_equal(len(a1), want)

        self.log.info("The book grows; socket A still answers from its cache")
        add_addresses(node, 400, 400)
        want2 = self.expected()
        assert want2 > want, (want, want2)
        a2 = self.ask(self.port_a)
        assert_equal(a2, a1)

        self.log.info("Socket B has its own cache, filled from the current book")
        b1 = self.ask(self.port_b)
        assert_equal(len(b1), want2)
        assert b1 != a1
        assert_equal(self.ask(self.port_b), b1)

        self.log.info("After the cache lifetime the answer is new, capped at 1000")
        add_addresses(node, 800, 4200)
        assert_equal(self.expected(), 1000)
        self.mocktime += 28 * 3600
        node.setmocktime(self.mocktime)
        a3 = self.ask(self.port_a)
        assert_equal(len(a3), 1000)


if __name__ == "__main__":
    GetaddrCacheTest(__file__).main()
