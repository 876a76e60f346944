"""Test peers speaking the Bitcoin P2P protocol to bitrootd over asyncio.

Design: one NetworkThread per test process runs an asyncio event loop that
owns every socket. The test's main thread never touches a socket: it calls
send_message(), which hands the bytes to the loop, and it waits on state
that the loop's callbacks change under p2p_lock (an RLock). Callbacks
(on_version, on_ping, ...) run on the network thread with p2p_lock held, so
a predicate evaluated under the lock sees consistent state.

A P2PInterface connects to a node (peer_connect) or accepts the node's
outbound connection (peer_accept_connection), does the handshake the way
Bitcoin Core's test peer does (version 70016 "/python-p2p-tester:0.0.3/",
then wtxidrelay, sendaddrv2, verack and getaddr), answers pings, and records
every message received. P2PDataStore also serves blocks and headers.
"""

import asyncio
import collections
import logging
import random
import threading

from .messages import (MAGIC_REGTEST, MSG_BLOCK, MSG_TX, MSG_WITNESS_BLOCK, MSG_WITNESS_FLAG,
                       MSG_WITNESS_TX, MAX_HEADERS_RESULTS, NODE_NETWORK, NODE_WITNESS, P2P_SUBVERSION,
                       P2P_VERSION, CAddress, CBlock, CBlockHeader, CBlockLocator, CInv, DeserializationError,
                       FrameError, build_message, decode_message, frame_message, hash_to_hex, msg_block,
                       msg_generic, msg_getaddr, msg_getheaders, msg_headers, msg_inv, msg_notfound,
                       msg_ping, msg_pong, msg_sendaddrv2, msg_tx, msg_verack, msg_version,
                       msg_wtxidrelay, parse_frame)
from .util import assert_equal, wait_until

logger = logging.getLogger("TestFramework.p2p")

# Guards every attribute the network thread changes and the test thread reads.
p2p_lock = threading.RLock()


class NetworkThread(threading.Thread):
    """The event loop thread. Start one per test; close it at the end."""

    network_event_loop = None

    def __init__(self):
        super().__init__(name="NetworkThread", daemon=True)
        NetworkThread.network_event_loop = asyncio.new_event_loop()

    def run(self):
        loop = NetworkThread.network_event_loop
        asyncio.set_event_loop(loop)
        loop.run_forever()

    def close(self, timeout=10):
        loop = NetworkThread.network_event_loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        self.join(timeout)
        if not loop.is_running():
            loop.close()
        NetworkThread.network_event_loop = None

    @staticmethod
    def run_coro(coro, timeout=30):
        """Runs coro on the network loop and waits for its result."""
        loop = NetworkThread.network_event_loop
        if loop is None:
            raise RuntimeError("the network thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    @staticmethod
    def call_soon(fn, *args):
        NetworkThread.network_event_loop.call_soon_threadsafe(fn, *args)


class P2PConnection(asyncio.Protocol):
    """Framing and raw I/O; subclasses handle messages in on_message()."""

    def __init__(self):
        self._transport = None
        self._server = None
        self.recvbuf = bytearray()
        self.magic = MAGIC_REGTEST
        self.dstaddr = None
        self.dstport = None
        self.outbound = None          # True: we connected to the node
        self.protocol_errors = []     # frames or payloads the node got wrong
        self.handler_errors = []      # our own on_* handlers that raised
        self.timeout_factor = 1.0
        self.closed_count = 0

    # --- connection set-up (test thread) ---

    @property
    def is_connected(self):
        return self._transport is not None

    def peer_connect(self, dstaddr, dstport, *, timeout=30):
        """Opens a TCP connection to the node; returns once it is established."""
        self.dstaddr, self.dstport, self.outbound = dstaddr, dstport, True
        loop = NetworkThread.network_event_loop

        async def connect():
            await loop.create_connection(lambda: self, host=dstaddr, port=dstport)
        NetworkThread.run_coro(connect(), timeout)

    def peer_accept_connection(self, *, host="127.0.0.1", port=0, timeout=30):
        """Listens for one inbound connection (the node's outbound); returns the port."""
        self.outbound = False
        loop = NetworkThread.network_event_loop

        async def listen():
            return await loop.create_server(lambda: self, host=host, port=port, reuse_address=True)
        self._server = NetworkThread.run_coro(listen(), timeout)
        self.dstaddr = host
        self.dstport = self._server.sockets[0].getsockname()[1]
        return self.dstport

    def peer_disconnect(self):
        """Closes the connection (from any thread)."""
        def close():
            if self._transport is not None:
                self._transport.close()
            if self._server is not None:
                self._server.close()
                self._server = None
        NetworkThread.call_soon(close)

    # --- asyncio callbacks (network thread) ---

    def connection_made(self, transport):
        if self._transport is not None:
            # A listener accepts one connection; refuse any other.
            transport.close()
            return
        self._transport = transport
        if self._server is not None:
            self._server.close()
            self._server = None
        with p2p_lock:
            self.on_open()

    def connection_lost(self, exc):
        self._transport = None
        self.recvbuf = bytearray()
        with p2p_lock:
            self.closed_count += 1
            self.on_close()

    def data_received(self, data):
        self.recvbuf += data
        while self._transport is not None:
            try:
                frame = parse_frame(self.recvbuf, self.magic)
            except FrameError as e:
                self._protocol_error("bad frame from node: %s" % e)
                return
            if frame is None:
                return
            msgtype, payload, used = frame
            del self.recvbuf[:used]
            try:
                msg = decode_message(msgtype, payload)
            except (DeserializationError, UnicodeDecodeError) as e:
                self._protocol_error("undecodable %r from node: %s" % (msgtype, e))
                return
            with p2p_lock:
                try:
                    self.on_message(msg)
                except Exception:  # noqa: BLE001 -- a test's handler failed: keep the trace
                    logger.exception("handler for %r failed", msgtype)
                    self.handler_errors.append(msgtype)

    def _protocol_error(self, what):
        logger.warning("%s (peer %s:%s)", what, self.dstaddr, self.dstport)
        with p2p_lock:
            self.protocol_errors.append(what)
        if self._transport is not None:
            self._transport.close()

    # --- sending (any thread) ---

    def send_raw_message(self, raw):
        if not self.is_connected:
            raise IOError("not connected")

        def write():
            if self._transport is not None and not self._transport.is_closing():
                self._transport.write(raw)
        try:
            on_loop = asyncio.get_running_loop() is NetworkThread.network_event_loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            # Already on the network thread (a callback): write in order now.
            write()
        else:
            NetworkThread.call_soon(write)

    def send_message(self, msg):
        self.send_raw_message(build_message(msg, self.magic))

    def send_frame(self, msgtype, payload, **kw):
        """A frame with a chosen type and payload; checksum/length/magic may be forced."""
        kw.setdefault("magic", self.magic)
        self.send_raw_message(frame_message(msgtype, payload, **kw))

    # --- hooks ---

    def on_open(self):
        pass

    def on_close(self):
        pass

    def on_message(self, message):
        pass


class P2PInterface(P2PConnection):
    """A test peer: handshake, ping answers, and a record of what arrived."""

    def __init__(self, *, wtxidrelay=True, support_addrv2=True, auto_pong=True, send_version=True,
                 services=NODE_NETWORK | NODE_WITNESS, user_agent=P2P_SUBVERSION, version=P2P_VERSION,
                 start_height=0, relay=True, record_limit=20000):
        super().__init__()
        self.wtxidrelay = wtxidrelay
        self.support_addrv2 = support_addrv2
        self.auto_pong = auto_pong
        self.send_version = send_version
        self.our_version = None
        self.version_args = dict(version=version, services=services, user_agent=user_agent,
                                 start_height=start_height, relay=relay)
        self.message_count = collections.defaultdict(int)
        self.last_message = {}
        self.received = collections.deque(maxlen=record_limit)   # messages, in order
        self.pong_nonces = []
        self.ping_nonces = []
        self.peer_version = None
        self.verack_received = False
        self.ping_counter = 1

    # --- handshake ---

    def make_version(self):
        addr_recv = CAddress(self.dstaddr or "127.0.0.1", self.dstport or 0, services=0)
        return msg_version(addr_recv=addr_recv, addr_from=CAddress("0.0.0.0", 0, services=0),
                           nonce=random.getrandbits(64), **self.version_args)

    def on_open(self):
        if self.send_version:
            self.our_version = self.make_version()
            self.send_message(self.our_version)

    def on_message(self, message):
        name = message.msgtype.decode("ascii", "replace")
        self.message_count[name] += 1
        self.last_message[name] = message
        self.received.append(message)
        handler = getattr(self, "on_" + name, None)
        if handler is not None:
            handler(message)

    def on_version(self, message):
        self.peer_version = message
        if message.version >= 70016 and self.wtxidrelay:
            self.send_message(msg_wtxidrelay())
        if self.support_addrv2:
            self.send_message(msg_sendaddrv2())
        self.send_message(msg_verack())
        if self.outbound:
            self.send_message(msg_getaddr())

    def on_verack(self, message):
        self.verack_received = True

    def on_ping(self, message):
        self.ping_nonces.append(message.nonce)
        if self.auto_pong:
            self.send_message(msg_pong(message.nonce))

    def on_pong(self, message):
        self.pong_nonces.append(message.nonce)

    # --- waiting (test thread) ---

    def wait_until(self, predicate, *, timeout=60, check_connected=False):
        def pred():
            if check_connected and not self.is_connected:
                raise AssertionError("peer disconnected while waiting")
            return predicate()
        return wait_until(pred, timeout=timeout, lock=p2p_lock, timeout_factor=self.timeout_factor)

    def wait_for_connect(self, timeout=60):
        self.wait_until(lambda: self.is_connected, timeout=timeout)

    def wait_for_disconnect(self, timeout=60):
        self.wait_until(lambda: not self.is_connected, timeout=timeout)

    def wait_for_verack(self, timeout=60):
        self.wait_until(lambda: self.verack_received, timeout=timeout, check_connected=True)

    def wait_for_message(self, msgtype, predicate=None, *, timeout=60):
        """Waits for a message of msgtype (optionally one predicate accepts); returns it."""
        found = []

        def check():
            for m in self.received:
                if m.msgtype == msgtype.encode() and (predicate is None or predicate(m)):
                    found.append(m)
                    return True
            return False
        self.wait_until(check, timeout=timeout)
        return found[0]

    def clear_messages(self):
        with p2p_lock:
            self.received.clear()
            self.last_message.clear()
            self.message_count.clear()

    def messages(self, msgtype):
        with p2p_lock:
            return [m for m in self.received if m.msgtype == msgtype.encode()]

    def sync_with_ping(self, timeout=60):
        """Sends a ping and waits for its pong: everything sent before is processed."""
        with p2p_lock:
            nonce = self.ping_counter
            self.ping_counter += 1
        self.send_message(msg_ping(nonce))
        self.wait_until(lambda: nonce in self.pong_nonces, timeout=timeout, check_connected=True)

    def send_and_ping(self, message, timeout=60):
        self.send_message(message)
        self.sync_with_ping(timeout=timeout)

    def send_get_headers(self, locator, hashstop=b"\x00" * 32):
        self.send_message(msg_getheaders(CBlockLocator(locator), hashstop))

    def wait_for_block_announcement(self, block_hash, timeout=60):
        """Waits for an inv or headers message announcing block_hash (internal order)."""
        def announced():
            for m in self.received:
                if m.msgtype == b"inv" and any(i.hash == block_hash for i in m.inv):
                    return True
                if m.msgtype == b"headers" and any(h.hash == block_hash for h in m.headers):
                    return True
            return False
        self.wait_until(announced, timeout=timeout)


class P2PDataStore(P2PInterface):
    """A peer holding a chain of blocks (and transactions) that it serves.

    Blocks are kept as raw bytes keyed by hash so that a large chain (such as
    ../shared/chains/regtest-dev.dat) is served without re-serializing.
    """

    def __init__(self, **kw):
        super().__init__(**kw)
        self.block_raw = {}          # hash -> raw block (witness serialization)
        self.headers = {}            # hash -> CBlockHeader
        self.chain = []              # hashes of our best chain, genesis first
        self.height_of = {}          # hash -> height in self.chain
        self.tx_store = {}           # txid -> CTransaction
        self.getdata_requests = []   # every CInv the node asked us for
        self.served_blocks = 0

    def add_raw_blocks(self, raws):
        """Appends raw blocks to our chain; each must build on the previous one."""
        with p2p_lock:
            for raw in raws:
                hdr = CBlockHeader.from_bytes(raw[:80])
                h = hdr.hash
                if self.chain and hdr.prev != self.chain[-1]:
                    raise ValueError("block %s does not extend our chain" % hdr.hash_hex)
                self.block_raw[h] = bytes(raw)
                self.headers[h] = hdr
                self.height_of[h] = len(self.chain)
                self.chain.append(h)

    def add_blocks(self, blocks):
        self.add_raw_blocks([b.serialize() for b in blocks])

    def tip(self):
        return self.chain[-1] if self.chain else None

    def on_getdata(self, message):
        notfound = []
        for inv in message.inv:
            self.getdata_requests.append(inv)
            base = inv.type & ~MSG_WITNESS_FLAG
            if base == MSG_BLOCK and inv.hash in self.block_raw:
                raw = self.block_raw[inv.hash]
                if inv.type == MSG_BLOCK:
                    raw = CBlock.from_bytes(raw).serialize(with_witness=False)
                self.send_raw_message(frame_message(b"block", raw, magic=self.magic))
                self.served_blocks += 1
            elif base == MSG_TX and inv.hash in self.tx_store:
                tx = self.tx_store[inv.hash]
                self.send_message(msg_tx(tx) if inv.type == MSG_WITNESS_TX else
                                  msg_generic(b"tx", tx.serialize_without_witness()))
            elif base == MSG_TX:
                notfound.append(inv)
        if notfound:
            self.send_message(msg_notfound(notfound))

    def on_getheaders(self, message):
        start = None
        for h in message.locator.have:
            if h in self.height_of:
                start = self.height_of[h] + 1
                break
        if start is None:
            return
        out = []
        for h in self.chain[start:start + MAX_HEADERS_RESULTS]:
            out.append(self.headers[h])
            if h == message.hashstop:
                break
        self.send_message(msg_headers(out))

    def announce_tip(self, *, use_headers=True):
        tip = self.tip()
        if use_headers:
            self.send_message(msg_headers([self.headers[tip]]))
        else:
            self.send_message(msg_inv([CInv(MSG_WITNESS_BLOCK, tip)]))

    def send_blocks_and_test(self, blocks, node, *, success=True, reject_reason=None,
                             expect_disconnect=False, timeout=60):
        """Sends blocks directly and checks whether the last one became node's tip."""
        with node.assert_debug_log(expected_msgs=[reject_reason] if reject_reason else []):
            for b in blocks:
                self.send_message(msg_block(b))
            if expect_disconnect:
                self.wait_for_disconnect(timeout=timeout)
            else:
                self.sync_with_ping(timeout=timeout)
            if success:
                # The pong comes after the blocks were validated (in order).
                assert_equal(node.getbestblockhash(), blocks[-1].hash_hex)
            else:
                if node.getbestblockhash() == blocks[-1].hash_hex:
                    raise AssertionError("block %s was accepted but should not be" % blocks[-1].hash_hex)


def locator_for(chain_hashes):
    """A block locator (internal-order hashes) for a list of hashes, genesis first."""
    out = []
    step = 1
    i = len(chain_hashes) - 1
    while i > 0:
        out.append(chain_hashes[i])
        if len(out) >= 10:
            step *= 2
        i -= step
    out.append(chain_hashes[0])
    return out


__all__ = ["p2p_lock", "NetworkThread", "P2PConnection", "P2PInterface", "P2PDataStore", "locator_for",
           "hash_to_hex", "msg_inv"]
