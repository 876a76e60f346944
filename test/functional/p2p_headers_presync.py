#!/usr/bin/env python3
"""Low-work headers presync: the header-flood defence (Core's HeadersSyncState).

- A test peer feeds 200,000 cheap regtest headers from genesis to a node whose
  -minimumchainwork they never reach. The node presyncs them (getpeerinfo's
  presynced_headers follows, the "Pre-synchronizing blockheaders" line is
  logged) but stores none: getblockchaininfo shows no headers, getchaintips
  only genesis, getblockheader on the last one fails. The peer is not
  punished (still connected, as in Core), and the node's resident memory
  grows by less than RSS_BOUND_MB (the figure is printed).
- A short low-work batch is ignored, not stored.
- A peer whose chain reaches the work in presync but that stops part way
  through the redownload leaves nothing stored either.
- A 20,000-header chain whose work is reached only 16,000 headers in is
  stored whole (headers 14,441 deep in the redownload leave early, the rest
  once the work is reached).
- A bitrootd node with a chain above -minimumchainwork syncs fully to a node
  that presyncs, redownloads and then stores and downloads it.
"""

import hashlib
import struct
import time

from test_framework.messages import ser_compact_size
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

FLOOD = 200_000
HALF = 100_000
REGTEST_BITS = 0x207fffff
REGTEST_TARGET = 0x7fffff << (8 * (0x20 - 3))
# Far above anything this test builds (regtest work is 2 a block).
HIGH_WORK = "0x100000"
# Resident memory the whole flood may add to the node.
RSS_BOUND_MB = 16
# For the high-work chain: first batch (2,000) short of it, the chain above.
CHAIN_LEN = 2400
CHAIN_MIN_WORK = "0x%x" % (2 * (2200 + 1))
# A header chain long enough for the redownload to release by depth.
DEPTH_CHAIN = 20_000


def build_headers(prev, start_time, count):
    """count regtest headers on prev, solved: (raw 80-byte headers, hashes)."""
    raws, hashes = [], []
    version = struct.pack("<i", 0x20000000)
    merkle = b"\x42" * 32
    for i in range(count):
        base = version + prev + merkle + struct.pack("<II", start_time + 600 * (i + 1), REGTEST_BITS)
        nonce = 0
        while True:
            raw = base + struct.pack("<I", nonce)
            h = hashlib.sha256(hashlib.sha256(raw).digest()).digest()
            if int.from_bytes(h, "little") <= REGTEST_TARGET:
                break
            nonce += 1
        raws.append(raw)
        hashes.append(h)
        prev = h
    return raws, hashes


def sanitized(pid):
    """Whether the node runs under ASan or TSan, whose allocators keep freed memory resident."""
    with open("/proc/%d/maps" % pid, encoding="ascii", errors="replace") as f:
        return any("libasan" in line or "libtsan" in line for line in f)


def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


class FloodPeer(P2PInterface):
    """Answers getheaders from its header chain, up to a gate the test opens."""

    def __init__(self, genesis, raws, hashes, gate):
        super().__init__()
        self.genesis = genesis
        self.raws = raws
        self.index = {h: i for i, h in enumerate(hashes)}
        self.gate = gate
        self.held = None
        self.empty_sent = 0

    def start_of(self, locator):
        for h in locator:
            if h in self.index:
                return self.index[h] + 1
            if h == self.genesis:
                return 0
        return None

    def serve(self, start, stop=None):
        end = min(start + 2000, len(self.raws) if stop is None else stop)
        payload = ser_compact_size(end - start) + b"".join(r + b"\x00" for r in self.raws[start:end])
        if end == start:
            self.empty_sent += 1
        self.send_frame(b"headers", payload)

    def on_getheaders(self, message):
        start = self.start_of(message.locator.have)
        if start is None:
            return
        if start >= self.gate and start < len(self.raws):
            self.held = start
            return
        self.serve(start)

    def open_gate(self):
        with p2p_lock:
            self.gate = len(self.raws)
            held, self.held = self.held, None
        if held is not None:
            self.serve(held)


class StoppingPeer(FloodPeer):
    """Presyncs its whole chain, then in the redownload stops at stop_at."""

    def __init__(self, genesis, raws, hashes, stop_at):
        super().__init__(genesis, raws, hashes, len(raws))
        self.stop_at = stop_at
        self.from_genesis = 0

    def on_getheaders(self, message):
        start = self.start_of(message.locator.have)
        if start == 0:
            self.from_genesis += 1
        if start is not None and self.from_genesis >= 2:
            self.serve(start, self.stop_at)
        else:
            super().on_getheaders(message)


class HeadersPresyncTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.extra_args = [["-debug=net", "-minimumchainwork=" + HIGH_WORK],
                           [],
                           ["-debug=net", "-minimumchainwork=" + CHAIN_MIN_WORK]]

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        self.flood()
        self.short_low_work_batch()
        self.redownload_stopped()
        self.released_by_depth()
        self.high_work_chain_syncs()

    def flood(self):
        node = self.nodes[0]
        genesis_hex = node.getblockhash(0)
        genesis = bytes.fromhex(genesis_hex)[::-1]
        gtime = node.getblockheader(genesis_hex)["time"]
        t0 = time.monotonic()
        raws, hashes = build_headers(genesis, gtime, FLOOD)
        self.log.info("Built %d regtest headers in %.1f s", FLOOD, time.monotonic() - t0)
        self.flood_last = hashes[-1][::-1].hex()

        peer = FloodPeer(genesis, raws, hashes, HALF)
        rss_before = vm_rss_kb(node.pid)
        with node.assert_debug_log(["Pre-synchronizing blockheaders, height: ",
                                    "Initial headers sync started with peer="], timeout=120):
            node.add_p2p_connection(peer)
            self.wait_until(lambda: peer.held is not None, timeout=300)
        self.log.info("Half way: presynced_headers follows the peer")
        info = node.getpeerinfo()
        assert_equal(len(info), 1)
        assert_equal(info[0]["presynced_headers"], HALF)
        assert_equal(node.getblockchaininfo()["headers"], 0)

        self.log.info("The rest: nothing stored, the peer kept")
        peer.open_gate()
        self.wait_until(lambda: peer.empty_sent > 0, timeout=300)
        peer.sync_with_ping()
        self.wait_until(lambda: node.getpeerinfo()[0]["presynced_headers"] == -1)
        rss_after = vm_rss_kb(node.pid)
        assert peer.is_connected
        assert_equal(len(node.getpeerinfo()), 1)
        assert_equal(node.getblockchaininfo()["headers"], 0)
        assert_equal(node.getblockchaininfo()["blocks"], 0)
        tips = node.getchaintips()
        assert_equal(len(tips), 1)
        assert_equal(tips[0]["hash"], genesis_hex)
        for h in (hashes[0], hashes[HALF], hashes[-1]):
            assert_raises_rpc_error(-5, "Block not found", node.getblockheader, h[::-1].hex())
        growth_mb = (rss_after - rss_before) / 1024
        self.log.info("RSS growth over a %d-header low-work flood: %.1f MB (%d kB -> %d kB), bound %d MB",
                      FLOOD, growth_mb, rss_before, rss_after, RSS_BOUND_MB)
        print("presync flood RSS growth: %.1f MB" % growth_mb)
        if sanitized(node.pid):
            # ASan's quarantine holds every freed message buffer: the
            # figure is the sanitizer's, not the node's.
            self.log.info("Sanitizer build: RSS bound not checked")
        else:
            assert growth_mb < RSS_BOUND_MB, "RSS grew by %.1f MB" % growth_mb
        node.disconnect_p2ps()

    def short_low_work_batch(self):
        self.log.info("A short low-work batch is ignored, not stored")
        node = self.nodes[0]
        genesis_hex = node.getblockhash(0)
        genesis = bytes.fromhex(genesis_hex)[::-1]
        raws, hashes = build_headers(genesis, node.getblockheader(genesis_hex)["time"] + 7, 10)
        peer = node.add_p2p_connection(P2PInterface())
        with node.assert_debug_log(["Ignoring low-work chain (height=10)"], timeout=30):
            peer.send_frame(b"headers", ser_compact_size(10) + b"".join(r + b"\x00" for r in raws))
            peer.sync_with_ping()
        assert_equal(node.getblockchaininfo()["headers"], 0)
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, hashes[-1][::-1].hex())
        assert peer.is_connected
        node.disconnect_p2ps()

    def redownload_stopped(self):
        self.log.info("A peer that reaches the work, then stops in the redownload: nothing stored")
        node = self.nodes[2]
        genesis_hex = node.getblockhash(0)
        genesis = bytes.fromhex(genesis_hex)[::-1]
        # Other timestamps than the flood: another chain.
        raws, hashes = build_headers(genesis, node.getblockheader(genesis_hex)["time"] + 13, 3000)
        peer = StoppingPeer(genesis, raws, hashes, 2100)
        with node.assert_debug_log(["Initial headers sync transition with peer=",
                                    "incomplete headers message at height=2100 (redownload phase)"],
                                   timeout=60):
            node.add_p2p_connection(peer)
            self.wait_until(lambda: peer.from_genesis >= 2, timeout=60)
            peer.sync_with_ping()
        self.wait_until(lambda: node.getpeerinfo()[0]["presynced_headers"] == -1)
        assert_equal(node.getblockchaininfo()["headers"], 0)
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, hashes[0][::-1].hex())
        assert peer.is_connected
        node.disconnect_p2ps()

    def released_by_depth(self):
        self.log.info("A long chain above the work: headers deep enough in the redownload are released early")
        node = self.nodes[0]
        # The work of DEPTH_CHAIN - 4,000 headers: reached past the release
        # depth (14,441), so the first headers leave by depth, the rest at
        # the work.
        need = DEPTH_CHAIN - 4000
        self.restart_node(0, ["-debug=net", "-minimumchainwork=0x%x" % (2 * (need + 1))])
        genesis_hex = node.getblockhash(0)
        genesis = bytes.fromhex(genesis_hex)[::-1]
        raws, hashes = build_headers(genesis, node.getblockheader(genesis_hex)["time"] + 29, DEPTH_CHAIN)
        peer = FloodPeer(genesis, raws, hashes, len(raws))
        with node.assert_debug_log(["Initial headers sync transition with peer=",
                                    "Initial headers sync complete with peer="], timeout=120):
            node.add_p2p_connection(peer)
            self.wait_until(lambda: node.getblockchaininfo()["headers"] == DEPTH_CHAIN, timeout=120)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[hashes[-1][::-1].hex()]["status"], "headers-only")
        assert_equal(node.getblockheader(hashes[-1][::-1].hex())["height"], DEPTH_CHAIN)
        assert_equal(node.getpeerinfo()[0]["presynced_headers"], -1)
        node.disconnect_p2ps()

    def high_work_chain_syncs(self):
        self.log.info("A chain above -minimumchainwork: presync, redownload, then stored and downloaded")
        src, dst = self.nodes[1], self.nodes[2]
        for _ in range(CHAIN_LEN // 400):
            self.generate(src, 400, sync_fun=self.no_op)
        tip = src.getbestblockhash()
        with dst.assert_debug_log(["Initial headers sync started with peer=",
                                   "Initial headers sync transition with peer=",
                                   "Initial headers sync complete with peer="], timeout=120):
            self.connect_nodes(2, 1)
            self.wait_until(lambda: dst.getblockchaininfo()["headers"] == CHAIN_LEN, timeout=240)
        self.wait_until(lambda: dst.getbestblockhash() == tip, timeout=240)
        assert_equal(dst.getblockchaininfo()["initialblockdownload"], False)
        assert_equal(len(dst.getchaintips()), 1)


if __name__ == "__main__":
    HeadersPresyncTest(__file__).main()
