#!/usr/bin/env python3
"""Bad P2P input: the offender is disconnected or ignored as Core does,
and the node goes on serving an honest peer with bounded memory.

node0, one bad peer at a time, an honest peer pinging after each:
- disconnected: wrong magic, declared length 4,000,001, an invalid message
  type, 2001 headers, a header with invalid proof of work, 50,001 inv or
  getdata entries, 1001 addr or addrv2 entries, 102 locator entries in
  getheaders or getblocks;
- ignored (the connection carries on): a bad checksum (the message is
  dropped), messages before version, a second version, truncated payloads
  of every message type, a non-canonical CompactSize, unknown inventory
  types, unknown message types, a flood of unconnecting headers.

node1 syncs ../shared/chains/regtest-dev.dat from an honest test peer it
connects to (addconnection) while 100 peers send it random bytes, random
frames, and random payloads after a proper handshake; the sync completes with
the right tip and UTXO hash, and resident memory stays bounded throughout.
"""

import json
import random
import struct
import threading
import time

from test_framework.blocktools import bootstrap_records, create_chain, create_coinbase, create_block
from test_framework.messages import (MAGIC_MAIN, MSG_BLOCK, MSG_TX, CAddress, CBlockHeader, CBlockLocator, CInv,
                                     COutPoint, CTransaction, CTxIn, CTxOut, frame_message, hash256, hex_to_hash,
                                     msg_addr, msg_addrv2,
                                     msg_block, msg_feefilter, msg_getblocks, msg_getdata, msg_getheaders,
                                     msg_headers, msg_inv, msg_notfound, msg_ping, msg_pong, msg_sendcmpct,
                                     msg_tx)
from test_framework.p2p import NetworkThread, P2PDataStore, P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, process_rss_kb, wait_until

KNOWN_TYPES = [b"version", b"verack", b"ping", b"pong", b"addr", b"addrv2", b"getaddr", b"inv", b"getdata",
               b"notfound", b"getheaders", b"getblocks", b"headers", b"block", b"tx", b"sendheaders",
               b"sendcmpct", b"feefilter", b"wtxidrelay", b"sendaddrv2", b"mempool"]


class GarbagePeer(P2PInterface):
    """Keeps sending junk (and reconnecting when dropped) until stopped.

    kind "raw": random bytes; "frames": well-framed messages of random or
    known types with random payloads, no handshake; "handshaken": a proper
    handshake, then random payloads of known types.
    """

    def __init__(self, kind, seed, port):
        super().__init__(send_version=(kind == "handshaken"), record_limit=50)
        self.kind = kind
        self.rng = random.Random(seed)
        self.port = port
        self.stopped = False
        self.sent = 0
        self.connections = 0

    def on_open(self):
        self.connections += 1
        self.verack_received = False
        self.peer_version = None
        super().on_open()
        NetworkThread.network_event_loop.call_later(0.01, self.tick)

    def junk(self):
        r = self.rng
        if self.kind == "raw":
            return r.randbytes(r.randint(1, 3000))
        if self.kind == "frames" and r.random() < 0.5:
            msgtype = bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(1, 12)))
        else:
            msgtype = r.choice(KNOWN_TYPES)
        payload = r.randbytes(r.randint(0, 3000))
        roll = r.random()
        checksum = b"\x00\x00\x00\x00" if roll < 0.05 else None
        return frame_message(msgtype, payload, checksum=checksum)

    def tick(self):
        if self.stopped or self._transport is None:
            return
        if self.kind != "handshaken" or self.verack_received:
            self._transport.write(self.junk())
            self.sent += 1
        NetworkThread.network_event_loop.call_later(0.05, self.tick)

    def on_close(self):
        if self.stopped:
            return
        loop = NetworkThread.network_event_loop

        async def again():
            if self.stopped:
                return
            try:
                await loop.create_connection(lambda: self, host="127.0.0.1", port=self.port)
            except OSError:
                loop.call_later(0.2, lambda: loop.create_task(again()))
        loop.call_later(0.1, lambda: loop.create_task(again()))


class InvalidMessagesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_network(self):
        self.add_nodes(2)
        self.start_node(0)

    # --- helpers ---------------------------------------------------------

    def honest_ok(self):
        self.honest.sync_with_ping(timeout=60)
        assert_equal(self.nodes[0].getbestblockhash(), self.tip)

    def expect_disconnect(self, what, send):
        node = self.nodes[0]
        bad = node.add_p2p_connection(P2PInterface())
        send(bad)
        bad.wait_for_disconnect(timeout=60)
        self.honest_ok()
        self.log.info("  disconnected: %s", what)

    def expect_ignored(self, what, send, peer=None):
        node = self.nodes[0]
        bad = peer or node.add_p2p_connection(P2PInterface())
        send(bad)
        bad.sync_with_ping(timeout=60)
        assert bad.is_connected, "%s: peer dropped, Core ignores this" % what
        self.honest_ok()
        self.log.debug("  ignored: %s", what)
        return bad

    def sample_payloads(self):
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(b"\x44" * 32, 1), b"\x00", 0xfffffffe)]
        tx.vout = [CTxOut(5000, b"\x51")]
        tx.witness = [[b"\xaa" * 3]]
        blk = create_block(b"\x55" * 32, create_coinbase(5), 1700000000, txs=[tx])
        addrs = [CAddress("10.0.0.%d" % i, 8333, time_=int(time.time())) for i in range(3)]
        return {
            b"ping": msg_ping(5).serialize(), b"pong": msg_pong(5).serialize(),
            b"addr": msg_addr(addrs).serialize(), b"addrv2": msg_addrv2(addrs).serialize(),
            b"inv": msg_inv([CInv(MSG_TX, b"\x01" * 32), CInv(MSG_BLOCK, b"\x02" * 32)]).serialize(),
            b"getdata": msg_getdata([CInv(MSG_TX, b"\x03" * 32)]).serialize(),
            b"notfound": msg_notfound([CInv(MSG_TX, b"\x04" * 32)]).serialize(),
            b"getheaders": msg_getheaders(CBlockLocator([hex_to_hash(self.tip)])).serialize(),
            b"getblocks": msg_getblocks(CBlockLocator([hex_to_hash(self.tip)])).serialize(),
            b"headers": msg_headers([blk.header(), blk.header()]).serialize(),
            b"block": msg_block(blk).serialize(), b"tx": msg_tx(tx).serialize(),
            b"sendcmpct": msg_sendcmpct(False, 2).serialize(), b"feefilter": msg_feefilter(1000).serialize(),
        }

    # --- node0: one bad input at a time ----------------------------------------

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 10)
        self.tip = node.getbestblockhash()
        self.honest = node.add_p2p_connection(P2PInterface())
        rss_start = process_rss_kb(node.pid)

        self.log.info("Framing")
        self.expect_disconnect("wrong magic", lambda p: p.send_frame(b"ping", struct.pack("<Q", 1), magic=MAGIC_MAIN))
        self.expect_disconnect("declared length 4,000,001",
                               lambda p: p.send_frame(b"ping", struct.pack("<Q", 1), length=4_000_001))
        # An invalid message type (bytes after the NUL padding starts) is
        # dropped like a bad checksum; the connection carries on.
        payload = struct.pack("<Q", 99)
        peer = self.expect_ignored("invalid message type", lambda p: p.send_raw_message(
            p.magic + b"pi\x00ng" + b"\x00" * 7 + struct.pack("<I", 8) + hash256(payload)[:4] + payload))
        with p2p_lock:
            assert 99 not in peer.pong_nonces, "a message with an invalid type was processed"
        peer = self.expect_ignored("bad checksum", lambda p: p.send_frame(b"ping", struct.pack("<Q", 77),
                                                                          checksum=b"\xde\xad\xbe\xef"))
        with p2p_lock:
            assert 77 not in peer.pong_nonces, "a message with a bad checksum was processed"

        self.log.info("Handshake order")
        self.expect_ignored("second version", lambda p: p.send_message(p.make_version()))
        early = node.add_p2p_connection(P2PInterface(send_version=False), wait_for_verack=False)
        early.send_message(msg_ping(88))
        early.send_frame(b"inv", msg_inv([CInv(MSG_TX, b"\x05" * 32)]).serialize())
        time.sleep(1)
        assert early.is_connected
        with p2p_lock:
            assert 88 not in early.pong_nonces
        early.send_message(early.make_version())
        early.wait_for_verack()
        early.sync_with_ping()
        self.honest_ok()

        self.log.info("Truncated payloads of every message type")
        peer = node.add_p2p_connection(P2PInterface())
        for msgtype, payload in self.sample_payloads().items():
            for cut in sorted({len(payload) // 2, len(payload) - 1, 1}):
                self.expect_ignored("%s truncated to %d" % (msgtype.decode(), cut),
                                    lambda p: p.send_frame(msgtype, payload[:cut]), peer=peer)
        self.expect_ignored("non-canonical CompactSize", lambda p: p.send_frame(
            b"inv", b"\xfd\x01\x00" + struct.pack("<I", MSG_TX) + b"\x06" * 32), peer=peer)
        self.expect_ignored("unknown message type", lambda p: p.send_frame(b"xyzzy", b"\x01" * 50), peer=peer)
        self.expect_ignored("unknown inventory type in inv", lambda p: p.send_message(
            msg_inv([CInv(0x12345678, b"\x07" * 32)])), peer=peer)
        self.expect_ignored("unknown inventory type in getdata", lambda p: p.send_message(
            msg_getdata([CInv(0x7f, b"\x08" * 32)])), peer=peer)

        self.log.info("Size limits")
        hashes = [bytes([i % 256, i // 256]) + b"\x00" * 30 for i in range(50001)]
        self.expect_disconnect("50,001 inv entries", lambda p: p.send_message(
            msg_inv([CInv(MSG_TX, h) for h in hashes])))
        self.expect_disconnect("50,001 getdata entries", lambda p: p.send_message(
            msg_getdata([CInv(MSG_TX, h) for h in hashes])))
        addrs = [CAddress("10.%d.%d.1" % (i // 256, i % 256), 8333, time_=int(time.time())) for i in range(1001)]
        self.expect_disconnect("1001 addr entries", lambda p: p.send_message(msg_addr(addrs)))
        self.expect_disconnect("1001 addrv2 entries", lambda p: p.send_message(msg_addrv2(addrs)))
        loc = CBlockLocator([hex_to_hash(self.tip)] * 102)
        self.expect_disconnect("102 getheaders locator entries", lambda p: p.send_message(msg_getheaders(loc)))
        self.expect_disconnect("102 getblocks locator entries", lambda p: p.send_message(msg_getblocks(loc)))
        # 101 is the limit itself: answered, not punished.
        self.expect_ignored("101 locator entries", lambda p: p.send_message(
            msg_getheaders(CBlockLocator([hex_to_hash(self.tip)] * 101))))

        self.log.info("Headers")
        tip_hdr = node.getblockheader(self.tip)
        chain = create_chain(hex_to_hash(self.tip), tip_hdr["height"] + 1, tip_hdr["time"] + 1, 2001)
        self.expect_disconnect("2001 headers", lambda p: p.send_message(msg_headers([b.header() for b in chain])))
        bad = chain[0].header()
        bad.unsolve()
        self.expect_disconnect("a header with invalid proof of work", lambda p: p.send_message(msg_headers([bad])))
        flooder = node.add_p2p_connection(P2PInterface())
        for i in range(50):
            lone = CBlockHeader(0x20000000, self.rng.randbytes(32), b"\x00" * 32, tip_hdr["time"] + 1, 0x207fffff, 0)
            lone.solve()
            if not flooder.is_connected:
                break
            flooder.send_message(msg_headers([lone]))
        if flooder.is_connected:
            flooder.sync_with_ping()
        self.honest_ok()
        self.log.info("  unconnecting headers flood: flooder %s",
                      "still connected" if flooder.is_connected else "disconnected")
        # 2000 good headers are fine, and they do not move the tip (no blocks).
        good = node.add_p2p_connection(P2PInterface())
        good.send_message(msg_headers([b.header() for b in chain[:2000]]))
        good.sync_with_ping()
        assert good.is_connected
        assert_equal(node.getblockchaininfo()["headers"], tip_hdr["height"] + 2000)
        self.honest_ok()

        rss_end = process_rss_kb(node.pid)
        self.log.info("node0 RSS %d kB before, %d kB after the bad inputs", rss_start, rss_end)
        assert rss_end < rss_start + 200 * 1024, "memory grew by %d kB" % (rss_end - rss_start)
        node.disconnect_p2ps()

        self.sync_under_attack()

    # --- node1: honest sync of the shared chain among 100 junk peers ---------------

    def sync_under_attack(self):
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        self.log.info("Loading %s into an honest test peer", "regtest-dev.dat")
        honest = P2PDataStore()
        honest.add_raw_blocks(bootstrap_records(self.require_shared("chains", "regtest-dev.dat")))
        assert_equal(len(honest.chain), expect["height"] + 1)

        self.start_node(1)
        node = self.nodes[1]
        rss_base = process_rss_kb(node.pid)
        junk = []
        for i in range(100):
            kind = ("raw", "frames", "handshaken")[i % 3]
            p = GarbagePeer(kind, self.options.randomseed + i, node.p2p_port)
            p.timeout_factor = self.options.timeout_factor
            try:
                p.peer_connect("127.0.0.1", node.p2p_port)
            except OSError:
                pass   # it will not reconnect by itself if the first connect failed
            junk.append(p)
        self.log.info("100 junk peers started; node1 now syncs from the honest peer")
        peak = [rss_base]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                r = process_rss_kb(node.pid)
                if r:
                    peak[0] = max(peak[0], r)
                stop.wait(0.25)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t = time.monotonic()
        try:
            node.add_outbound_p2p_connection(honest, connection_type="outbound-full-relay")
            wait_until(lambda: node.getbestblockhash() == expect["bestblockhash"], timeout=900, check_interval=0.5)
        finally:
            stop.set()
            sampler.join(5)
            for p in junk:
                p.stopped = True
                p.peer_disconnect()
        took = time.monotonic() - t
        sent = sum(p.sent for p in junk)
        conns = sum(p.connections for p in junk)
        self.log.info("synced %d blocks in %.1fs while %d junk messages arrived over %d connections",
                      expect["height"], took, sent, conns)
        self.log.info("node1 RSS: %d kB at start, peak %d kB", rss_base, peak[0])
        assert sent > 1000, "the junk peers hardly sent anything (%d)" % sent
        assert honest.is_connected, "the honest peer was disconnected"
        assert_equal(node.getblockcount(), expect["height"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
        assert peak[0] < 512 * 1024, "resident memory peaked at %d kB" % peak[0]
        honest.sync_with_ping()


if __name__ == "__main__":
    InvalidMessagesTest(__file__).main()
