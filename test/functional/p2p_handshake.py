#!/usr/bin/env python3
"""The version handshake, both directions.

Inbound (a test peer connects):
- the node answers version with its own (70016, NODE_NETWORK|NODE_WITNESS|
  NODE_NETWORK_LIMITED, the subversion getnetworkinfo shows, its height,
  relay on), then wtxidrelay and sendaddrv2, then verack; nothing else
  before its version;
- messages before version are ignored (no pong), and the handshake still
  completes afterwards; so are messages after version but before verack;
- a second version is ignored and the connection goes on;
- an obsolete protocol version (below 31800) is disconnected;
- a peer that never finishes the handshake is dropped after -peertimeout.
Outbound (addconnection to a listening test peer):
- the node speaks first with version, addressed to the peer, and completes
  the handshake for each connection type, with relay off for
  block-relay-only.
"""

import time

from test_framework.messages import (NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS, msg_ping, msg_verack,
                                     msg_version)
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_greater_than, wait_until


class SilentPeer(P2PInterface):
    """Connects without sending version (tests send what they want)."""

    def __init__(self, **kw):
        super().__init__(send_version=False, **kw)


class HandshakeTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 3)
        subver = node.getnetworkinfo()["subversion"]

        self.log.info("The node's answer to a version")
        peer = node.add_p2p_connection(P2PInterface())
        with p2p_lock:
            order = [m.msgtype for m in peer.received]
            v = peer.peer_version
        assert_equal(order[0], b"version")
        i_verack = order.index(b"verack")
        assert order.index(b"wtxidrelay") < i_verack, order
        assert order.index(b"sendaddrv2") < i_verack, order
        assert_equal(order.count(b"version"), 1)
        assert_equal(v.version, 70016)
        assert_equal(v.services, NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED)
        assert_equal(v.user_agent, subver)
        assert_equal(v.start_height, 3)
        assert_equal(v.relay, True)
        assert v.nonce != peer.our_version.nonce
        assert abs(v.timestamp - time.time()) < 120
        node.disconnect_p2ps()

        self.log.info("Messages before version are ignored")
        early = node.add_p2p_connection(SilentPeer(), wait_for_verack=False)
        early.send_message(msg_ping(1111))
        early.send_message(msg_verack())
        time.sleep(1)
        with p2p_lock:
            assert_equal(early.pong_nonces, [])
            assert_equal(early.message_count["version"], 0)   # the node waits for ours
        early.our_version = early.make_version()
        early.send_message(early.our_version)
        early.wait_for_verack()
        early.sync_with_ping()
        with p2p_lock:
            assert 1111 not in early.pong_nonces
        node.disconnect_p2ps()

        self.log.info("Messages between version and verack are ignored")
        # This peer records the node's version but holds back its own verack.
        raw = P2PInterface(send_version=False)
        raw.on_version = lambda m: setattr(raw, "peer_version", m)
        raw.peer_connect("127.0.0.1", node.p2p_port)
        raw.send_message(raw.make_version())
        raw.wait_until(lambda: raw.peer_version is not None, timeout=30)
        raw.send_message(msg_ping(2222))
        time.sleep(1)
        with p2p_lock:
            assert 2222 not in raw.pong_nonces
        raw.send_message(msg_verack())
        raw.sync_with_ping()
        raw.peer_disconnect()
        raw.wait_for_disconnect()

        self.log.info("A second version is ignored")
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_message(peer.make_version())
        peer.sync_with_ping()
        assert peer.is_connected
        with p2p_lock:
            assert_equal(peer.message_count["version"], 1)
        node.disconnect_p2ps()

        self.log.info("An obsolete protocol version is disconnected")
        old = P2PInterface(send_version=False)
        old.peer_connect("127.0.0.1", node.p2p_port)
        old.send_message(msg_version(version=31799, addr_recv=None))
        old.wait_for_disconnect(timeout=30)
        with p2p_lock:
            assert not old.verack_received

        self.log.info("Outbound: version first, then the handshake, per connection type")
        # Core announces relay=0 to block-relay-only and feeler connections.
        for ctype, relay in (("outbound-full-relay", True), ("block-relay-only", False), ("addr-fetch", True),
                             ("feeler", False)):
            p = P2PInterface()
            port = p.peer_accept_connection()
            node.addconnection("127.0.0.1:%d" % port, ctype, False)
            p.wait_until(lambda: p.peer_version is not None, timeout=60)
            with p2p_lock:
                assert_equal(p.received[0].msgtype, b"version")
                v = p.peer_version
            assert_equal(v.relay, relay)
            assert_equal(v.user_agent, subver)
            if ctype in ("feeler",):
                # Core drops a feeler right after the version handshake.
                p.wait_for_disconnect(timeout=60)
                continue
            p.wait_for_verack()
            p.sync_with_ping()
            info = [x for x in node.getpeerinfo() if not x["inbound"] and x["addr"] == "127.0.0.1:%d" % port]
            assert_equal(len(info), 1)
            assert_equal(info[0]["connection_type"], ctype)
            p.peer_disconnect()
            p.wait_for_disconnect()

        self.log.info("A peer that never finishes the handshake is dropped after -peertimeout")
        self.restart_node(0, extra_args=["-peertimeout=3"])
        idle = node.add_p2p_connection(SilentPeer(), wait_for_verack=False)
        t = time.monotonic()
        idle.wait_for_disconnect(timeout=60)
        took = time.monotonic() - t
        self.log.info("dropped after %.1fs", took)
        assert_greater_than(took, 1.5)
        # A peer that does the handshake stays.
        ok = node.add_p2p_connection(P2PInterface())
        time.sleep(5)
        assert ok.is_connected
        ok.sync_with_ping()
        wait_until(lambda: node.getconnectioncount() == 1, timeout=30)


if __name__ == "__main__":
    HandshakeTest(__file__).main()
