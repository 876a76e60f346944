#!/usr/bin/env python3
"""Peer defence: permissions, misbehaviour, inbound eviction, address relay
limits, and the send/receive budgets.

- -whitelist grants Core's permission names (implicit set without '@'); a
  bad permission stops start-up; a noban peer is not punished for what gets
  another peer disconnected.
- With every inbound slot taken, a new inbound peer evicts one (Core's
  protection classes), and noban peers are never candidates.
- addr: at most MAX_ADDR_TO_SEND per message; Core's token bucket limits
  what an unsolicited addr may add; learnt addresses show in
  getnodeaddresses; getaddr is answered once, to inbound peers only.
- A peer that stops reading makes the node stop serving it at
  -maxsendbuffer; once it reads again everything arrives, in order.
- An added node that is not up yet is retried (with back-off) until it is,
  and reconnected when the connection drops.
"""

import time

from test_framework.messages import (MSG_BLOCK, MSG_WITNESS_FLAG, CAddress, CBlockHeader, CInv, msg_addr,
                                     msg_addrv2, msg_getaddr, msg_getdata, msg_headers, msg_ping)
from test_framework.p2p import NetworkThread, P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, spare_port, wait_until


def hex_to_hash(h):
    return bytes.fromhex(h)[::-1]


class PeerDefenceTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # A fixed addrman key (Core's -test=addrman) from the first start on,
        # since peers.dat keeps the key: the address counts below would
        # otherwise fail whenever two test addresses share a bucket slot.
        self.extra_args = [["-test=addrman"]]

    def run_test(self):
        self.node = self.nodes[0]
        self.generate(self.node, 120)
        self.permissions()
        self.misbehaviour()
        self.eviction()
        self.addresses()
        self.send_budget()
        self.addnode_retry()

    def perms_of_test_peer(self):
        peer = self.node.add_p2p_connection(P2PInterface())
        perms = [p["permissions"] for p in self.node.getpeerinfo() if p["id"] == peer.peer_id][0]
        self.node.disconnect_p2ps()
        return perms

    def permissions(self):
        self.log.info("-whitelist permissions, as Core names them")
        assert_equal(self.perms_of_test_peer(), [])
        self.restart_node(0, ["-test=addrman", "-whitelist=noban,relay@127.0.0.1"])
        assert_equal(self.perms_of_test_peer(), ["noban", "relay", "download"])
        self.restart_node(0, ["-test=addrman", "-whitelist=127.0.0.0/8"])
        assert_equal(self.perms_of_test_peer(), ["noban", "relay", "mempool", "download"])
        self.restart_node(0, ["-test=addrman", "-whitelist=all@127.0.0.1"])
        assert_equal(self.perms_of_test_peer(), ["bloomfilter", "noban", "forcerelay", "relay", "mempool",
                                                 "download", "addr"])
        self.stop_node(0)
        self.node.assert_start_raises_init_error(["-whitelist=sparkle@127.0.0.1"],
                                                 "Error: Invalid P2P permission: 'sparkle'")
        self.node.assert_start_raises_init_error(["-whitelist=noban@300.1.1.1"],
                                                 "Error: Invalid netmask specified in -whitelist: '300.1.1.1'")
        self.start_node(0)

    def too_many_headers(self):
        tip = self.node.getblockheader(self.node.getbestblockhash())
        hdr = CBlockHeader(0x20000000, hex_to_hash(tip["hash"]), b"\x00" * 32, tip["time"] + 1, 0x207fffff, 0)
        return msg_headers([hdr] * 2001)

    def misbehaviour(self):
        self.log.info("Misbehaviour disconnects a local peer; a noban peer is kept")
        bad = self.node.add_p2p_connection(P2PInterface())
        with self.node.assert_debug_log(["Misbehaving", "headers message size = 2001",
                                         "disconnecting but not discouraging"]):
            bad.send_message(self.too_many_headers())
            bad.wait_for_disconnect()
        self.restart_node(0, ["-test=addrman", "-whitelist=noban@127.0.0.1"])
        kept = self.node.add_p2p_connection(P2PInterface())
        with self.node.assert_debug_log(["not punishing noban peer"]):
            kept.send_and_ping(self.too_many_headers())
        assert kept.is_connected
        self.node.disconnect_p2ps()
        self.restart_node(0)

    def eviction(self):
        self.log.info("A new inbound peer evicts one when every inbound slot is taken")
        # 50 connections: 8 + 2 outbound and 1 feeler slot leave 39 inbound.
        self.restart_node(0, ["-test=addrman", "-maxconnections=50"])
        peers = [self.node.add_p2p_connection(P2PInterface(), check_peerinfo=False) for _ in range(39)]
        assert_equal(self.node.getnetworkinfo()["connections_in"], 39)
        newcomer = self.node.add_p2p_connection(P2PInterface(), check_peerinfo=False)
        wait_until(lambda: sum(1 for p in peers if not p.is_connected) == 1, timeout=60)
        assert newcomer.is_connected
        gone = [i for i, p in enumerate(peers) if not p.is_connected][0]
        self.log.info("  evicted the peer connected %s", "%d of 39" % (gone + 1))
        # The four longest connected are protected by uptime before any choice.
        assert gone >= 4, gone
        wait_until(lambda: self.node.getnetworkinfo()["connections_in"] == 39, timeout=30)
        self.node.disconnect_p2ps()

        self.log.info("noban peers are never evicted: a newcomer is refused instead")
        self.restart_node(0, ["-test=addrman", "-maxconnections=15", "-whitelist=noban@127.0.0.1"])
        peers = [self.node.add_p2p_connection(P2PInterface(), check_peerinfo=False) for _ in range(4)]
        with self.node.assert_debug_log(["failed to find an eviction candidate"]):
            late = P2PInterface()
            late.peer_connect("127.0.0.1", self.node.p2p_port)
            late.wait_for_disconnect(timeout=30)
        assert all(p.is_connected for p in peers)
        self.node.disconnect_p2ps()
        self.restart_node(0)

    def addresses(self):
        self.log.info("addr relay: token bucket, getnodeaddresses, getaddr once per inbound peer")
        now = int(time.time())
        self.node.setmocktime(now)
        peer = self.node.add_p2p_connection(P2PInterface())
        # An unsolicited addr of 5: the bucket starts with one token.
        addrs = [CAddress("8.%d.8.%d" % (i, i + 1), 8333, time_=now - 60) for i in range(5)]
        peer.send_and_ping(msg_addr(addrs))
        info = [p for p in self.node.getpeerinfo() if p["id"] == peer.peer_id][0]
        assert_equal(info["addr_relay_enabled"], True)
        assert_equal(info["addr_processed"] + info["addr_rate_limited"], 5)
        assert_equal(info["addr_processed"], 1)
        # Tokens come back at 0.1 per second.
        self.node.setmocktime(now + 100)
        more = [CAddress("9.%d.9.%d" % (i, i + 1), 8333, time_=now) for i in range(20)]
        peer.send_and_ping(msg_addrv2(more))
        info = [p for p in self.node.getpeerinfo() if p["id"] == peer.peer_id][0]
        assert_equal(info["addr_processed"], 11)
        known = self.node.getnodeaddresses(0)
        assert_equal(len(known), 11)
        assert all(a["network"] == "ipv4" and a["port"] == 8333 for a in known)
        assert_equal(len(self.node.getnodeaddresses(0, "ipv6")), 0)
        # More than 1000 in one message: misbehaviour.
        flood = [CAddress("7.7.%d.%d" % (i // 250, 1 + i % 250), 8333, time_=now) for i in range(1001)]
        with self.node.assert_debug_log(["addr message size = 1001"]):
            bad = self.node.add_p2p_connection(P2PInterface())
            bad.send_message(msg_addr(flood))
            bad.wait_for_disconnect()
        # Learnt addresses survive a restart (peers.dat); the restart also
        # empties the getaddr answer cache, which lasts about a day.
        self.restart_node(0)
        self.node.setmocktime(now + 100)
        assert_equal(len(self.node.getnodeaddresses(0)), 11)
        # getaddr (a test peer sends one after its verack, as Core's does) is
        # answered to an inbound peer, once, on the broadcast schedule.
        asker = self.node.add_p2p_connection(P2PInterface())
        with self.node.assert_debug_log(['Ignoring repeated "getaddr"']):
            asker.send_and_ping(msg_getaddr())
        for step in range(1, 30):
            self.node.setmocktime(now + 100 + 10 * step)
            time.sleep(0.3)
            with p2p_lock:
                if asker.message_count["addrv2"]:
                    break
        got = asker.wait_for_message("addrv2").addrs
        assert 0 < len(got) <= 11, len(got)
        assert_equal(self.node.getpeerinfo()[-1]["addr_relay_enabled"], True)
        # The second getaddr was ignored: no second answer even much later.
        self.node.setmocktime(now + 2000)
        time.sleep(1)
        with p2p_lock:
            assert_equal(asker.message_count["addrv2"], 1)
        self.node.setmocktime(0)
        self.node.disconnect_p2ps()

    def send_budget(self):
        self.log.info("-maxsendbuffer: a peer that stops reading stops being served, then catches up")
        self.restart_node(0, ["-test=addrman", "-maxsendbuffer=4"])
        slow = self.node.add_p2p_connection(P2PInterface())
        fast = self.node.add_p2p_connection(P2PInterface())
        NetworkThread.call_soon(lambda: slow._transport.pause_reading())
        hashes = [hex_to_hash(self.node.getblockhash(h)) for h in range(1, 121)]
        # 40,000 requests, about 10 MB of blocks: more than the kernel buffers hold.
        count = 40000
        size = len(self.node.getblock(self.node.getblockhash(60), 0)) // 2 + 24
        slow.send_message(msg_getdata([CInv(MSG_BLOCK | MSG_WITNESS_FLAG, hashes[i % 120])
                                       for i in range(count)]))
        slow.send_message(msg_ping(4242))
        time.sleep(2)
        # Others are served meanwhile.
        fast.sync_with_ping()
        queued = [p for p in self.node.getpeerinfo() if p["id"] == slow.peer_id][0]["bytessent_per_msg"]
        self.log.info("  queued for the stopped reader: %d of %d bytes of blocks",
                      queued.get("block", 0), count * size)
        assert queued.get("block", 0) < count * size // 2, queued
        NetworkThread.call_soon(lambda: slow._transport.resume_reading())
        slow.wait_until(lambda: slow.message_count["block"] == count and 4242 in slow.pong_nonces,
                        timeout=300)
        with p2p_lock:
            order = [m for m in slow.received if m.msgtype in (b"block", b"pong")]
        # The pong comes after every block asked before it.
        assert_equal(order[-1].msgtype, b"pong")
        assert_equal(order[-1].nonce, 4242)
        self.node.disconnect_p2ps()

    def addnode_retry(self):
        self.log.info("addnode: retried with back-off until it comes up, reconnected when dropped")
        port = spare_port(0)
        target = "127.0.0.1:%d" % port
        self.node.addnode(target, "add")
        time.sleep(3)   # a few attempts fail: nothing listens yet
        info = self.node.getaddednodeinfo(target)
        assert_equal(info[0]["connected"], False)
        first = P2PInterface()
        first.peer_accept_connection(port=port)
        first.wait_for_connect(timeout=60)
        first.wait_for_verack(timeout=60)
        wait_until(lambda: self.node.getaddednodeinfo(target)[0]["connected"], timeout=30)
        conn = [p for p in self.node.getpeerinfo() if p["addr"] == target]
        assert_equal(conn[0]["connection_type"], "manual")
        first.peer_disconnect()
        first.wait_for_disconnect()
        second = P2PInterface()
        second.peer_accept_connection(port=port)
        second.wait_for_connect(timeout=60)
        second.wait_for_verack(timeout=60)
        self.node.addnode(target, "remove")
        assert_equal(self.node.getaddednodeinfo(), [])
        second.peer_disconnect()


if __name__ == "__main__":
    PeerDefenceTest(__file__).main()
