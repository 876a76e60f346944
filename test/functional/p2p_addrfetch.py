#!/usr/bin/env python3
"""addr-fetch connections (addconnection ... addr-fetch, -seednode), as Core.

- getpeerinfo reports connection_type "addr-fetch";
- the node sends getaddr and does not start headers sync with the peer;
- an addr message with a single address (a self-announcement) keeps the
  connection; the first larger answer ends it ("addrfetch connection
  completed");
- a peer that never answers is dropped after five minutes (mocktime: kept at
  +295 s, dropped at +301 s), "addrfetch connection timeout";
- -seednode makes the same kind of connection at start-up.
"""

import time

from test_framework.messages import CAddress, msg_addr
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


def addr_msg(n):
    now = int(time.time())
    # Loopback addresses: counted, never stored or dialled.
    return msg_addr([CAddress("127.0.0.%d" % (2 + i), 18444, time_=now) for i in range(n)])


class AddrFetchTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # Core makes -seednode connections only where it makes automatic
        # ones: not with -connect=0.
        self.disable_autoconnect = False

    def fetch_peer(self):
        node = self.nodes[0]
        p = P2PInterface()
        port = p.peer_accept_connection()
        node.addconnection("127.0.0.1:%d" % port, "addr-fetch", False)
        p.wait_for_connect()
        p.wait_for_verack()
        p.sync_with_ping()
        return p

    def info(self, p):
        return [x for x in self.nodes[0].getpeerinfo() if x["addr"] == "127.0.0.1:%d" % p.dstport]

    def check_fetch(self, p):
        """The peer is an addr-fetch one, asked for addresses, not headers."""
        info = self.info(p)
        assert_equal(len(info), 1)
        assert_equal(info[0]["connection_type"], "addr-fetch")
        p.wait_until(lambda: p.message_count["getaddr"] == 1)
        p.sync_with_ping()
        with p2p_lock:
            assert_equal(p.message_count["getaddr"], 1)
            assert_equal(p.message_count["getheaders"], 0)

    def run_test(self):
        node = self.nodes[0]

        self.log.info("addconnection addr-fetch: getaddr, no headers sync")
        p = self.fetch_peer()
        self.check_fetch(p)

        self.log.info("A single address keeps the connection; a real answer ends it")
        p.send_message(addr_msg(1))
        p.sync_with_ping()
        assert_equal(len(self.info(p)), 1)
        with node.assert_debug_log(["addrfetch connection completed"], timeout=30):
            p.send_message(addr_msg(2))
            p.wait_for_disconnect(timeout=30)
        wait_until(lambda: node.getconnectioncount() == 0, timeout=30)

        self.log.info("A peer that never answers is dropped after five minutes")
        now = int(time.time())
        node.setmocktime(now)
        p = self.fetch_peer()
        node.setmocktime(now + 295)
        time.sleep(2)
        p.sync_with_ping()
        assert_equal(len(self.info(p)), 1)
        with node.assert_debug_log(["addrfetch connection timeout"], timeout=30):
            node.setmocktime(now + 301)
            p.wait_for_disconnect(timeout=30)
        node.setmocktime(0)
        wait_until(lambda: node.getconnectioncount() == 0, timeout=30)

        self.log.info("-seednode makes an addr-fetch connection")
        p = P2PInterface()
        port = p.peer_accept_connection()
        self.restart_node(0, extra_args=["-seednode=127.0.0.1:%d" % port])
        p.wait_for_connect(timeout=60)
        p.wait_for_verack()
        p.sync_with_ping()
        self.check_fetch(p)
        p.send_message(addr_msg(2))
        p.wait_for_disconnect(timeout=30)


if __name__ == "__main__":
    AddrFetchTest(__file__).main()
