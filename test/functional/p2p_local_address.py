#!/usr/bin/env python3
"""Self-advertisement, as Core: -externalip, -discover, localaddresses.

For bitrootd and for Core 28 alike (the same expectations on both):
- -externalip (repeatable) fills getnetworkinfo's localaddresses with
  address, port (-port when none is given) and score 4 (LOCAL_MANUAL); a
  second -externalip of the same address scores one more;
- a listening node out of initial block download advertises its best
  address to a new outbound peer in an addr message (a P2P test peer
  receives it); the version message's addr_from stays empty (Core 28 sends
  none: the address goes by addr);
- a host name is resolved with this host's resolver, also with -proxy (not
  through it): "localhost" is 127.0.0.1, a valid address that is not
  routable, so not listed; with -dns=0 a name is not looked up and stops
  start-up with Core's message (issue 15; the names used never leave
  /etc/hosts, so no DNS query is sent);
- a bad -externalip stops start-up with Core's message;
- -discover lists only routable addresses of the host's interfaces.
"""

import ipaddress
import shutil
import subprocess
import time

from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


class AddrCollector(P2PInterface):
    def __init__(self):
        super().__init__()
        self.got = []

    def on_addr(self, message):
        self.got.extend((a.ip, a.port) for a in message.addrs)

    def on_addrv2(self, message):
        self.got.extend((a.ip, a.port) for a in message.addrs)


def interface_addresses():
    """The host's global addresses, from ip(8); None when it is missing."""
    if shutil.which("ip") is None:
        return None
    out = subprocess.run(["ip", "-o", "addr", "show", "up"], capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[2] in ("inet", "inet6"):
            a = ipaddress.ip_address(parts[3].split("/")[0])
            if a.is_global:
                found.add(str(a))
    return found


class LocalAddressTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["bitrootd", "core"]

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)
        self.start_nodes()

    def run_test(self):
        for node in self.nodes:
            self.log.info("%s: -externalip", node.name)
            self.check_externalip(node)
            self.log.info("%s: -externalip with a host name", node.name)
            self.check_externalip_name(node)
        node = self.nodes[0]
        self.log.info("bitrootd: a bad -externalip stops start-up")
        self.stop_node(0)
        # -dns=0: the text is not sent to a name server.
        node.assert_start_raises_init_error(["-externalip=not an address", "-dns=0"],
                                            "Error: Cannot resolve -externalip address: 'not an address'")
        self.log.info("bitrootd: -discover lists the interfaces' routable addresses only")
        self.start_node(0, extra_args=["-discover=1"])
        got = node.getnetworkinfo()["localaddresses"]
        for a in got:
            assert ipaddress.ip_address(a["address"]).is_global, a
            assert_equal((a["port"], a["score"]), (node.p2p_port, 1))
        expected = interface_addresses()
        if expected is not None:
            assert_equal(sorted(a["address"] for a in got), sorted(expected))

    def check_externalip_name(self, node):
        i = node.index
        for extra in ([], ["-proxy=127.0.0.1:9"]):
            self.restart_node(i, extra_args=["-externalip=localhost", "-externalip=localhost:8557",
                                             "-externalip=1.2.3.4"] + extra)
            assert_equal(node.getnetworkinfo()["localaddresses"],
                         [{"address": "1.2.3.4", "port": node.p2p_port, "score": 4}])
        self.stop_node(i)
        node.assert_start_raises_init_error(["-externalip=localhost", "-dns=0"],
                                            "Error: Cannot resolve -externalip address: 'localhost'")
        self.start_node(i)

    def check_externalip(self, node):
        i = node.index
        self.restart_node(i, extra_args=["-externalip=1.2.3.4", "-externalip=[2a01:4f8::9]:8555",
                                         "-externalip=5.6.7.8:8556", "-externalip=5.6.7.8:8556"])
        got = sorted(node.getnetworkinfo()["localaddresses"], key=lambda a: a["address"])
        assert_equal(got, [
            {"address": "1.2.3.4", "port": node.p2p_port, "score": 4},
            {"address": "2a01:4f8::9", "port": 8555, "score": 4},
            {"address": "5.6.7.8", "port": 8556, "score": 5},
        ])
        # Out of initial block download: only then is the address sent.
        self.generate(node, 1, sync_fun=self.no_op)
        peer = node.add_outbound_p2p_connection(AddrCollector(), connection_type="outbound-full-relay")
        version = peer.last_message["version"]
        assert_equal((version.addr_from.ip, version.addr_from.port), ("::", 0))
        # The addr schedule (about 30 s) runs on node time: move it on.
        now = int(time.time())
        for k in range(1, 30):
            node.setmocktime(now + 30 * k)
            time.sleep(0.5)
            with p2p_lock:
                if ("5.6.7.8", 8556) in peer.got:
                    break
        # The best for an unroutable (test) peer: IPv4, then the higher score.
        with p2p_lock:
            assert ("5.6.7.8", 8556) in peer.got, peer.got
            assert ("1.2.3.4", node.p2p_port) not in peer.got
        node.setmocktime(0)
        node.disconnect_p2ps()


if __name__ == "__main__":
    LocalAddressTest(__file__).main()
