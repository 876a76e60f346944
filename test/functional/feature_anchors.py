#!/usr/bin/env python3
"""anchors.dat, as Core: the block-relay-only peers survive a restart.

- At shutdown bitrootd writes its block-relay-only outbound peers (at most
  two; full-relay peers are not anchors) to <chaindir>/anchors.dat in
  Core's format (message start, CompactSize count, addrv2 disk entries,
  SHA256d); at start-up it reads the file, deletes it, and connects to
  those peers first, as block-relay-only.
- A corrupt file is ignored (and removed).

The anchors must be in different network groups (Core skips an anchor in
the group of an outbound peer, and every loopback address is one group),
so they are routable addresses that a SOCKS5 server of the framework maps
to local nodes; -test=nopublicdial keeps the rest on loopback.
- The files are Core's: Core 28 reconnects to the anchors bitrootd wrote,
  and bitrootd to the anchors Core wrote.
"""

import os
import shutil
import struct

from test_framework.messages import hash256, read_compact_size
from test_framework.socks5 import Socks5Server
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until

REGTEST_MAGIC = bytes.fromhex("fabfb5da")


def parse_anchors(data):
    """Core's anchors.dat: returns [(ip, port, services)]."""
    assert_equal(data[:4], REGTEST_MAGIC)
    assert_equal(hash256(data[:-32]), data[-32:])
    body, off = data[4:-32], 0
    count = body[off]
    off += 1
    out = []
    for _ in range(count):
        version, _time = struct.unpack_from("<II", body, off)
        off += 8
        assert version & (1 << 29), "addrv2 disk format"
        services, off = read_compact_size(body, off)
        net, alen = body[off], body[off + 1]
        off += 2
        addr = body[off:off + alen]
        off += alen
        (port,) = struct.unpack_from(">H", body, off)
        off += 2
        assert_equal((net, alen), (1, 4))
        out.append((".".join(str(b) for b in addr), port, services))
    assert_equal(off, len(body))
    return out


class AnchorsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.node_impls = ["bitrootd", "bitrootd", "bitrootd", "core"]
        # Anchors are for automatic connections: no -connect=0.
        self.disable_autoconnect = False

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)
        self.start_nodes()

    def peers_of(self, node, kind):
        return sorted(p["addr"] for p in node.getpeerinfo() if p["connection_type"] == kind)

    def anchors_path(self, node):
        return os.path.join(node.chaindir, "anchors.dat")

    def run_test(self):
        n0, n1, n2, core = self.nodes
        self.px = Socks5Server({("1.2.3.4", 18444): ("127.0.0.1", n1.p2p_port),
                                ("5.6.7.8", 18444): ("127.0.0.1", n2.p2p_port)})
        try:
            self.run_with(n0, n1, n2, core)
        finally:
            self.px.stop()

    def run_with(self, n0, n1, n2, core):
        a1, a2 = "1.2.3.4:18444", "5.6.7.8:18444"
        proxy = ["-proxy=" + self.px.addr]
        self.restart_node(0, extra_args=proxy)
        self.restart_node(3, extra_args=proxy)

        self.log.info("Block-relay-only peers are written to anchors.dat at shutdown")
        n0.addconnection(a1, "block-relay-only", False)
        n0.addconnection(a2, "block-relay-only", False)
        n0.addconnection("127.0.0.1:%d" % core.p2p_port, "outbound-full-relay", False)
        wait_until(lambda: self.peers_of(n0, "block-relay-only") == sorted([a1, a2]), timeout=60)
        wait_until(lambda: len(self.peers_of(n0, "outbound-full-relay")) == 1, timeout=60)
        wait_until(lambda: all(p["version"] for p in n0.getpeerinfo()), timeout=60)
        self.stop_node(0)
        with open(self.anchors_path(n0), "rb") as f:
            data = f.read()
        got = parse_anchors(data)
        assert_equal(sorted((ip, port) for ip, port, _ in got), [("1.2.3.4", 18444), ("5.6.7.8", 18444)])
        assert all(s & 9 == 9 for _, _, s in got)
        n0.wait_for_debug_log(["Flush 2 outbound block-relay-only peer addresses to anchors.dat"])

        self.log.info("At start-up they are read, the file deleted, and they are connected first")
        self.start_node(0, extra_args=proxy)
        n0.wait_for_debug_log(["Loaded 2 addresses from \"anchors.dat\"",
                               "2 block-relay-only anchors will be tried for connections."])
        assert not os.path.exists(self.anchors_path(n0))
        wait_until(lambda: self.peers_of(n0, "block-relay-only") == sorted([a1, a2]), timeout=60)
        n0.wait_for_debug_log(["Trying to make an anchor connection to " + a1,
                               "Trying to make an anchor connection to " + a2])
        # The full-relay peer was not an anchor.
        assert_equal(self.peers_of(n0, "outbound-full-relay"), [])

        self.log.info("Core 28 reads bitrootd's anchors.dat")
        self.stop_node(0)
        self.stop_node(3)
        shutil.copy(self.anchors_path(n0), self.anchors_path(core))
        self.start_node(3, extra_args=proxy)
        wait_until(lambda: self.peers_of(core, "block-relay-only") == sorted([a1, a2]), timeout=60)
        assert not os.path.exists(self.anchors_path(core))

        self.log.info("bitrootd reads Core's anchors.dat")
        self.stop_node(3)
        with open(self.anchors_path(core), "rb") as f:
            theirs = parse_anchors(f.read())
        assert_equal(sorted((ip, port) for ip, port, _ in theirs), [("1.2.3.4", 18444), ("5.6.7.8", 18444)])
        os.remove(self.anchors_path(n0)) if os.path.exists(self.anchors_path(n0)) else None
        shutil.copy(self.anchors_path(core), self.anchors_path(n0))
        self.start_node(0, extra_args=proxy)
        wait_until(lambda: self.peers_of(n0, "block-relay-only") == sorted([a1, a2]), timeout=60)
        self.stop_node(0)

        self.log.info("A corrupt anchors.dat is ignored and removed")
        with open(self.anchors_path(n0), "r+b") as f:
            f.seek(10)
            f.write(b"\xff")
        self.start_node(0, extra_args=proxy)
        n0.wait_for_debug_log(["anchors.dat is corrupt, ignored",
                               "0 block-relay-only anchors will be tried for connections."])
        assert not os.path.exists(self.anchors_path(n0))


if __name__ == "__main__":
    AnchorsTest(__file__).main()
