#!/usr/bin/env python3
"""ping/pong, and peer timers driven by setmocktime.

- Pings with nonce 0 and N are answered in order; so are 500 pings sent in
  one burst.
- The ping RPC makes the node ping every peer; a peer that answers shows
  pingtime and minping in getpeerinfo, one that does not shows pingwait; a
  pong with the wrong nonce does not end the wait.
- The node pings on its own every 2 minutes of (mock) time.
- With -peertimeout=1, stepping mock time forward half an hour in 3-minute
  steps keeps a peer that answers pings and drops one that stays silent.
"""

import time

from test_framework.messages import msg_ping, msg_pong
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


class PingTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def info(self, peer):
        node = self.nodes[0]
        return [p for p in node.getpeerinfo() if p["id"] == peer.peer_id][0]

    def run_test(self):
        node = self.nodes[0]

        self.log.info("Pings with nonce 0 and N are answered in order")
        peer = node.add_p2p_connection(P2PInterface())
        with p2p_lock:
            peer.pong_nonces.clear()
        peer.send_message(msg_ping(0))
        peer.send_message(msg_ping(2 ** 64 - 1))
        peer.send_message(msg_ping(7))
        peer.wait_until(lambda: len(peer.pong_nonces) >= 3, timeout=30)
        with p2p_lock:
            assert_equal(peer.pong_nonces[:3], [0, 2 ** 64 - 1, 7])
            peer.pong_nonces.clear()
        nonces = list(range(1000, 1500))
        for n in nonces:
            peer.send_message(msg_ping(n))
        peer.wait_until(lambda: len(peer.pong_nonces) >= len(nonces), timeout=60)
        with p2p_lock:
            assert_equal(peer.pong_nonces, nonces)

        self.log.info("The ping RPC, pingtime and pingwait")
        quiet = node.add_p2p_connection(P2PInterface(auto_pong=False))
        with p2p_lock:
            pings_before = len(peer.ping_nonces)
            quiet_before = len(quiet.ping_nonces)
        node.ping()
        peer.wait_until(lambda: len(peer.ping_nonces) > pings_before, timeout=30)
        quiet.wait_until(lambda: len(quiet.ping_nonces) > quiet_before, timeout=30)
        wait_until(lambda: "pingtime" in self.info(peer), timeout=30)
        good = self.info(peer)
        assert 0 <= good["minping"] <= good["pingtime"] < 10
        assert "pingwait" not in good
        wait_until(lambda: "pingwait" in self.info(quiet), timeout=30)
        with p2p_lock:
            nonce = quiet.ping_nonces[-1]
        assert nonce != 0
        quiet.send_message(msg_pong(nonce + 1))       # wrong nonce: still waiting
        quiet.sync_with_ping()
        assert "pingwait" in self.info(quiet)
        quiet.send_message(msg_pong(nonce))
        quiet.sync_with_ping()
        wait_until(lambda: "pingwait" not in self.info(quiet), timeout=30)
        assert "pingtime" in self.info(quiet)
        node.disconnect_p2ps()

        self.log.info("The node pings on its own every 2 minutes of mock time")
        peer = node.add_p2p_connection(P2PInterface())
        now = int(time.time())
        node.setmocktime(now)
        with p2p_lock:
            before = len(peer.ping_nonces)
        node.setmocktime(now + 3 * 60)
        peer.wait_until(lambda: len(peer.ping_nonces) > before, timeout=30)
        node.setmocktime(0)
        node.disconnect_p2ps()

        self.log.info("Mock-time steps keep an answering peer and drop a silent one")
        self.restart_node(0, extra_args=["-peertimeout=1"])
        talker = node.add_p2p_connection(P2PInterface())
        silent = node.add_p2p_connection(P2PInterface(auto_pong=False))
        now = int(time.time())
        for step in range(1, 11):
            node.setmocktime(now + step * 3 * 60)
            with p2p_lock:
                seen = len(talker.ping_nonces)
            # The node pings the talker, which answers; that resets its timers.
            talker.wait_until(lambda: len(talker.ping_nonces) > seen, timeout=30)
            talker.sync_with_ping()
            if not silent.is_connected:
                break
        silent.wait_for_disconnect(timeout=60)
        assert talker.is_connected, "the peer that answered every ping was dropped"
        self.log.info("silent peer dropped by mock minute %d", step * 3)
        talker.sync_with_ping()
        node.setmocktime(0)


if __name__ == "__main__":
    PingTest(__file__).main()
