"""Bitcoin primitives and P2P messages: serialization both ways.

Hashes are kept as 32 bytes in internal (little-endian) order, as they go on
the wire; hash_to_hex/hex_to_hash convert to and from the reversed hex that
RPC shows. Every deserializer reads through Reader, which raises
DeserializationError on a short read, a non-canonical CompactSize or a size
over the protocol limit, so truncated payloads are caught, never guessed.
"""

import hashlib
import ipaddress
import random
import struct
import time

MAGIC_REGTEST = bytes.fromhex("fabfb5da")
MAGIC_MAIN = bytes.fromhex("f9beb4d9")

P2P_VERSION = 70016
P2P_SUBVERSION = "/python-p2p-tester:0.0.3/"
MIN_PEER_PROTO_VERSION = 31800

MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000
MAX_SIZE = 0x02000000
MAX_INV_SIZE = 50_000
MAX_ADDR_TO_SEND = 1000
MAX_LOCATOR_SZ = 101
MAX_HEADERS_RESULTS = 2000
MAX_BLOCK_WEIGHT = 4_000_000
WITNESS_SCALE_FACTOR = 4
COIN = 100_000_000

NODE_NETWORK = 1 << 0
NODE_BLOOM = 1 << 2
NODE_WITNESS = 1 << 3
NODE_COMPACT_FILTERS = 1 << 6
NODE_NETWORK_LIMITED = 1 << 10
NODE_P2P_V2 = 1 << 11

MSG_TX = 1
MSG_BLOCK = 2
MSG_FILTERED_BLOCK = 3
MSG_CMPCT_BLOCK = 4
MSG_WTX = 5
MSG_WITNESS_FLAG = 1 << 30
MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG
MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG

HEADER_LEN = 24
REGTEST_POW_LIMIT_BITS = 0x207fffff


class DeserializationError(ValueError):
    pass


# ---------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------

def sha256(b):
    return hashlib.sha256(b).digest()


def read_compact_size(data, off):
    """A CompactSize at data[off:]: (value, offset after it)."""
    b = data[off]
    if b < 0xfd:
        return b, off + 1
    size = {0xfd: 2, 0xfe: 4, 0xff: 8}[b]
    return int.from_bytes(data[off + 1:off + 1 + size], "little"), off + 1 + size


def hash256(b):
    return sha256(sha256(b))


def ripemd160(b):
    try:
        return hashlib.new("ripemd160", b).digest()
    except ValueError:
        return _ripemd160_py(b)


def hash160(b):
    return ripemd160(sha256(b))


def hash_to_hex(h):
    """Internal byte order -> the reversed hex RPC shows."""
    return h[::-1].hex()


def hex_to_hash(s):
    b = bytes.fromhex(s)
    if len(b) != 32:
        raise ValueError("a hash is 32 bytes, got %d" % len(b))
    return b[::-1]


def hash_int(h):
    return int.from_bytes(h, "little")


def bits_to_target(bits):
    exponent = bits >> 24
    mantissa = bits & 0x007fffff
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))


def target_to_bits(target):
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        compact = target << (8 * (3 - size))
    else:
        compact = target >> (8 * (size - 3))
    if compact & 0x00800000:
        compact >>= 8
        size += 1
    return compact | (size << 24)


def block_work(bits):
    target = bits_to_target(bits)
    return (1 << 256) // (target + 1)


# ---------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------

class Reader:
    """A bounds-checked cursor over bytes."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def read(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DeserializationError("read of %d bytes past the end (%d left)" % (n, self.remaining()))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def _unpack(self, fmt):
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def u8(self):
        return self._unpack("<B")

    def u16(self):
        return self._unpack("<H")

    def u16be(self):
        return self._unpack(">H")

    def u32(self):
        return self._unpack("<I")

    def i32(self):
        return self._unpack("<i")

    def u64(self):
        return self._unpack("<Q")

    def i64(self):
        return self._unpack("<q")

    def compact_size(self, limit=MAX_SIZE):
        first = self.u8()
        if first < 0xfd:
            n = first
        elif first == 0xfd:
            n = self.u16()
            if n < 0xfd:
                raise DeserializationError("non-canonical CompactSize")
        elif first == 0xfe:
            n = self.u32()
            if n < 0x10000:
                raise DeserializationError("non-canonical CompactSize")
        else:
            n = self.u64()
            if n < 0x100000000:
                raise DeserializationError("non-canonical CompactSize")
        if limit is not None and n > limit:
            raise DeserializationError("CompactSize %d over the limit %d" % (n, limit))
        return n

    def var_bytes(self, limit=MAX_SIZE):
        return self.read(self.compact_size(limit))

    def hash(self):
        return self.read(32)

    def vector(self, read_item, limit=MAX_SIZE):
        n = self.compact_size(limit)
        return [read_item(self) for _ in range(n)]

    def done(self):
        if self.remaining():
            raise DeserializationError("%d trailing bytes" % self.remaining())


def ser_compact_size(n):
    if n < 0:
        raise ValueError("negative CompactSize")
    if n < 0xfd:
        return struct.pack("<B", n)
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def ser_var_bytes(b):
    return ser_compact_size(len(b)) + bytes(b)


def ser_string(s):
    return ser_var_bytes(s.encode("utf8") if isinstance(s, str) else s)


def ser_vector(items, ser_item=None):
    out = [ser_compact_size(len(items))]
    for it in items:
        out.append(ser_item(it) if ser_item else it.serialize())
    return b"".join(out)


def ser_hash_vector(hashes):
    return ser_compact_size(len(hashes)) + b"".join(hashes)


class Serializable:
    """from_bytes/deserialize/serialize plus value equality."""

    @classmethod
    def from_bytes(cls, data, *, exact=True):
        r = Reader(data)
        obj = cls.deserialize(r)
        if exact:
            r.done()
        return obj

    @classmethod
    def from_hex(cls, s, **kw):
        return cls.from_bytes(bytes.fromhex(s), **kw)

    def to_hex(self):
        return self.serialize().hex()

    def __eq__(self, other):
        return type(self) is type(other) and self.serialize() == other.serialize()

    def __hash__(self):
        return hash(self.serialize())


# ---------------------------------------------------------------------------
# Transactions and blocks
# ---------------------------------------------------------------------------

class COutPoint(Serializable):
    def __init__(self, txid=b"\x00" * 32, n=0xffffffff):
        if isinstance(txid, str):
            txid = hex_to_hash(txid)
        self.txid = txid
        self.n = n

    @classmethod
    def deserialize(cls, r):
        return cls(r.hash(), r.u32())

    def serialize(self):
        return self.txid + struct.pack("<I", self.n)

    def is_null(self):
        return self.txid == b"\x00" * 32 and self.n == 0xffffffff

    def __repr__(self):
        return "COutPoint(%s:%d)" % (hash_to_hex(self.txid), self.n)


class CTxIn(Serializable):
    def __init__(self, prevout=None, script_sig=b"", sequence=0xffffffff):
        self.prevout = prevout if prevout is not None else COutPoint()
        self.script_sig = bytes(script_sig)
        self.sequence = sequence

    @classmethod
    def deserialize(cls, r):
        prevout = COutPoint.deserialize(r)
        return cls(prevout, r.var_bytes(), r.u32())

    def serialize(self):
        return self.prevout.serialize() + ser_var_bytes(self.script_sig) + struct.pack("<I", self.sequence)

    def __repr__(self):
        return "CTxIn(%r, %s, %08x)" % (self.prevout, self.script_sig.hex(), self.sequence)


class CTxOut(Serializable):
    def __init__(self, value=0, script_pubkey=b""):
        self.value = value
        self.script_pubkey = bytes(script_pubkey)

    @classmethod
    def deserialize(cls, r):
        return cls(r.i64(), r.var_bytes())

    def serialize(self):
        return struct.pack("<q", self.value) + ser_var_bytes(self.script_pubkey)

    def __repr__(self):
        return "CTxOut(%d, %s)" % (self.value, self.script_pubkey.hex())


class CTransaction(Serializable):
    """A transaction; witness[i] is the list of stack items of input i."""

    def __init__(self, version=2, vin=None, vout=None, locktime=0, witness=None):
        self.version = version
        self.vin = list(vin) if vin else []
        self.vout = list(vout) if vout else []
        self.locktime = locktime
        self.witness = [list(w) for w in witness] if witness else []

    def copy(self):
        return CTransaction.from_bytes(self.serialize())

    def has_witness(self):
        return any(len(w) > 0 for w in self.witness)

    def _witness_for(self, i):
        return self.witness[i] if i < len(self.witness) else []

    @classmethod
    def deserialize(cls, r):
        tx = cls()
        tx.version = r.i32()
        tx.vin = r.vector(CTxIn.deserialize)
        flags = 0
        if not tx.vin:
            # BIP144: an empty input vector followed by a non-zero flag byte.
            flags = r.u8()
            if flags != 0:
                tx.vin = r.vector(CTxIn.deserialize)
                tx.vout = r.vector(CTxOut.deserialize)
        else:
            tx.vout = r.vector(CTxOut.deserialize)
        if flags & 1:
            flags &= ~1
            tx.witness = [r.vector(lambda rr: rr.var_bytes()) for _ in tx.vin]
            if not tx.has_witness():
                raise DeserializationError("superfluous witness record")
        if flags:
            raise DeserializationError("unknown transaction optional data")
        tx.locktime = r.u32()
        return tx

    def serialize(self, with_witness=True):
        out = [struct.pack("<i", self.version)]
        use_witness = with_witness and self.has_witness()
        if use_witness:
            out.append(b"\x00\x01")
        out.append(ser_vector(self.vin))
        out.append(ser_vector(self.vout))
        if use_witness:
            for i in range(len(self.vin)):
                out.append(ser_vector(self._witness_for(i), ser_var_bytes))
        out.append(struct.pack("<I", self.locktime))
        return b"".join(out)

    def serialize_without_witness(self):
        return self.serialize(with_witness=False)

    @property
    def txid(self):
        return hash256(self.serialize_without_witness())

    @property
    def wtxid(self):
        return hash256(self.serialize())

    @property
    def txid_hex(self):
        return hash_to_hex(self.txid)

    @property
    def wtxid_hex(self):
        return hash_to_hex(self.wtxid)

    def is_coinbase(self):
        return len(self.vin) == 1 and self.vin[0].prevout.is_null()

    def get_weight(self):
        base = len(self.serialize_without_witness())
        total = len(self.serialize())
        return base * (WITNESS_SCALE_FACTOR - 1) + total

    def get_vsize(self):
        return (self.get_weight() + WITNESS_SCALE_FACTOR - 1) // WITNESS_SCALE_FACTOR

    def __repr__(self):
        return "CTransaction(%s, vin=%r, vout=%r, locktime=%d)" % (self.txid_hex, self.vin, self.vout,
                                                                  self.locktime)


class CBlockHeader(Serializable):
    def __init__(self, version=0x20000000, prev=b"\x00" * 32, merkle_root=b"\x00" * 32,
                 time_=0, bits=REGTEST_POW_LIMIT_BITS, nonce=0):
        self.version = version
        self.prev = prev
        self.merkle_root = merkle_root
        self.time = time_
        self.bits = bits
        self.nonce = nonce

    @classmethod
    def deserialize(cls, r):
        h = cls.__new__(cls)
        CBlockHeader._read_header(h, r)
        return h

    @staticmethod
    def _read_header(h, r):
        h.version = r.i32()
        h.prev = r.hash()
        h.merkle_root = r.hash()
        h.time = r.u32()
        h.bits = r.u32()
        h.nonce = r.u32()

    def serialize_header(self):
        return (struct.pack("<i", self.version) + self.prev + self.merkle_root +
                struct.pack("<III", self.time, self.bits, self.nonce))

    def serialize(self):
        return self.serialize_header()

    def header(self):
        return CBlockHeader(self.version, self.prev, self.merkle_root, self.time, self.bits, self.nonce)

    @property
    def hash(self):
        return hash256(self.serialize_header())

    @property
    def hash_hex(self):
        return hash_to_hex(self.hash)

    @property
    def prev_hex(self):
        return hash_to_hex(self.prev)

    def check_pow(self):
        return hash_int(self.hash) <= bits_to_target(self.bits)

    def solve(self):
        """Grinds the nonce until the header meets its own target."""
        target = bits_to_target(self.bits)
        prefix = self.serialize_header()[:76]
        nonce = self.nonce
        while True:
            if hash_int(hash256(prefix + struct.pack("<I", nonce))) <= target:
                self.nonce = nonce
                return
            nonce = (nonce + 1) & 0xffffffff
            if nonce == self.nonce:
                raise RuntimeError("no nonce solves this header; change its time or coinbase")

    def unsolve(self):
        """Grinds the nonce until the header does NOT meet its target."""
        target = bits_to_target(self.bits)
        while hash_int(self.hash) <= target:
            self.nonce = (self.nonce + 1) & 0xffffffff

    def __repr__(self):
        return "CBlockHeader(%s prev=%s time=%d bits=%08x nonce=%d)" % (
            self.hash_hex, self.prev_hex, self.time, self.bits, self.nonce)


def merkle_root(hashes):
    if not hashes:
        return b"\x00" * 32
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hash256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


class CBlock(CBlockHeader):
    def __init__(self, *args, vtx=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vtx = list(vtx) if vtx else []

    @classmethod
    def deserialize(cls, r):
        b = cls.__new__(cls)
        CBlockHeader._read_header(b, r)
        b.vtx = r.vector(CTransaction.deserialize)
        return b

    def serialize(self, with_witness=True):
        return self.serialize_header() + ser_vector(self.vtx, lambda t: t.serialize(with_witness))

    def calc_merkle_root(self):
        return merkle_root([tx.txid for tx in self.vtx])

    def calc_witness_merkle_root(self):
        # The coinbase's wtxid counts as zero (BIP141).
        return merkle_root([b"\x00" * 32] + [tx.wtxid for tx in self.vtx[1:]])

    def update_merkle_root(self):
        self.merkle_root = self.calc_merkle_root()

    def get_weight(self):
        base = len(self.serialize(with_witness=False))
        total = len(self.serialize())
        return base * (WITNESS_SCALE_FACTOR - 1) + total

    def __repr__(self):
        return "CBlock(%s prev=%s txs=%d)" % (self.hash_hex, self.prev_hex, len(self.vtx))


class CBlockLocator(Serializable):
    def __init__(self, have=None, version=P2P_VERSION):
        self.version = version
        self.have = list(have) if have else []

    @classmethod
    def deserialize(cls, r):
        version = r.u32()
        return cls(r.vector(lambda rr: rr.hash()), version)

    def serialize(self):
        return struct.pack("<I", self.version) + ser_hash_vector(self.have)


# ---------------------------------------------------------------------------
# Addresses and inventory
# ---------------------------------------------------------------------------

NET_IPV4 = 1
NET_IPV6 = 2
NET_TORV3 = 4
NET_I2P = 5
NET_CJDNS = 6
ADDRV2_LENGTHS = {NET_IPV4: 4, NET_IPV6: 16, NET_TORV3: 32, NET_I2P: 32, NET_CJDNS: 16}
IPV4_MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"


class CAddress:
    """A network address; time is only on the wire in addr/addrv2 messages."""

    def __init__(self, ip="0.0.0.0", port=0, services=NODE_NETWORK | NODE_WITNESS, time_=0, net=None):
        self.time = time_
        self.services = services
        self.port = port
        if net is None:
            addr = ipaddress.ip_address(ip)
            net = NET_IPV4 if addr.version == 4 else NET_IPV6
            ip = addr.packed
        self.net = net
        self.addr = bytes(ip)

    @property
    def ip(self):
        if self.net == NET_IPV4:
            return str(ipaddress.IPv4Address(self.addr))
        if self.net == NET_IPV6:
            return str(ipaddress.IPv6Address(self.addr))
        return self.addr.hex()

    def _v1_ip(self):
        if self.net == NET_IPV4:
            return IPV4_MAPPED_PREFIX + self.addr
        if self.net == NET_IPV6:
            return self.addr
        raise ValueError("network %d has no addr (v1) encoding" % self.net)

    def serialize_v1(self, with_time):
        out = struct.pack("<I", self.time) if with_time else b""
        return out + struct.pack("<Q", self.services) + self._v1_ip() + struct.pack(">H", self.port)

    @classmethod
    def deserialize_v1(cls, r, with_time):
        a = cls.__new__(cls)
        a.time = r.u32() if with_time else 0
        a.services = r.u64()
        raw = r.read(16)
        if raw.startswith(IPV4_MAPPED_PREFIX):
            a.net, a.addr = NET_IPV4, raw[12:]
        else:
            a.net, a.addr = NET_IPV6, raw
        a.port = r.u16be()
        return a

    def serialize_v2(self):
        return (struct.pack("<I", self.time) + ser_compact_size(self.services) +
                struct.pack("<B", self.net) + ser_var_bytes(self.addr) + struct.pack(">H", self.port))

    @classmethod
    def deserialize_v2(cls, r):
        a = cls.__new__(cls)
        a.time = r.u32()
        a.services = r.compact_size(limit=None)
        a.net = r.u8()
        a.addr = r.var_bytes(limit=512)
        want = ADDRV2_LENGTHS.get(a.net)
        if want is not None and len(a.addr) != want:
            raise DeserializationError("addrv2 address of network %d has length %d" % (a.net, len(a.addr)))
        a.port = r.u16be()
        return a

    def __eq__(self, other):
        return (isinstance(other, CAddress) and (self.time, self.services, self.net, self.addr, self.port) ==
                (other.time, other.services, other.net, other.addr, other.port))

    def __repr__(self):
        return "CAddress(%s:%d services=%x time=%d)" % (self.ip, self.port, self.services, self.time)


class CInv(Serializable):
    TYPE_NAMES = {0: "Error", MSG_TX: "TX", MSG_BLOCK: "Block", MSG_FILTERED_BLOCK: "FilteredBlock",
                  MSG_CMPCT_BLOCK: "CompactBlock", MSG_WTX: "WTX", MSG_WITNESS_BLOCK: "WitnessBlock",
                  MSG_WITNESS_TX: "WitnessTx"}

    def __init__(self, type_=0, hash_=b"\x00" * 32):
        if isinstance(hash_, str):
            hash_ = hex_to_hash(hash_)
        self.type = type_
        self.hash = hash_

    @classmethod
    def deserialize(cls, r):
        return cls(r.u32(), r.hash())

    def serialize(self):
        return struct.pack("<I", self.type) + self.hash

    def __repr__(self):
        return "CInv(%s %s)" % (self.TYPE_NAMES.get(self.type, str(self.type)), hash_to_hex(self.hash))


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

class Message:
    """Base of every P2P message: msgtype (bytes) and payload codec."""
    msgtype = b""

    def serialize(self):
        return b""

    @classmethod
    def deserialize(cls, r):
        return cls()

    @classmethod
    def from_payload(cls, payload):
        # Like Core, bytes after a complete message are ignored.
        return cls.deserialize(Reader(payload))

    def __eq__(self, other):
        return (type(self) is type(other) and self.msgtype == other.msgtype and
                self.serialize() == other.serialize())

    def __repr__(self):
        return "msg_%s()" % self.msgtype.decode()


class msg_version(Message):
    msgtype = b"version"

    def __init__(self, version=P2P_VERSION, services=NODE_NETWORK | NODE_WITNESS, timestamp=None,
                 addr_recv=None, addr_from=None, nonce=None, user_agent=P2P_SUBVERSION,
                 start_height=-1, relay=True):
        self.version = version
        self.services = services
        self.timestamp = int(time.time()) if timestamp is None else timestamp
        self.addr_recv = addr_recv if addr_recv is not None else CAddress("0.0.0.0", 0, 0)
        self.addr_from = addr_from if addr_from is not None else CAddress("0.0.0.0", 0, 0)
        self.nonce = random.getrandbits(64) if nonce is None else nonce
        self.user_agent = user_agent
        self.start_height = start_height
        self.relay = relay

    def serialize(self):
        return (struct.pack("<iQq", self.version, self.services, self.timestamp) +
                self.addr_recv.serialize_v1(False) + self.addr_from.serialize_v1(False) +
                struct.pack("<Q", self.nonce) + ser_string(self.user_agent) +
                struct.pack("<i", self.start_height) + struct.pack("<B", 1 if self.relay else 0))

    @classmethod
    def deserialize(cls, r):
        m = cls.__new__(cls)
        m.version = r.i32()
        m.services = r.u64()
        m.timestamp = r.i64()
        m.addr_recv = CAddress.deserialize_v1(r, False)
        # Everything after addr_recv has been optional in the protocol's history.
        m.addr_from = CAddress.deserialize_v1(r, False) if r.remaining() else CAddress("0.0.0.0", 0, 0)
        m.nonce = r.u64() if r.remaining() else 0
        m.user_agent = r.var_bytes(limit=256).decode("utf8", "replace") if r.remaining() else ""
        m.start_height = r.i32() if r.remaining() else 0
        m.relay = bool(r.u8()) if r.remaining() else True
        return m

    def __repr__(self):
        return ("msg_version(version=%d services=%x time=%d nonce=%x ua=%r height=%d relay=%d)" %
                (self.version, self.services, self.timestamp, self.nonce, self.user_agent,
                 self.start_height, self.relay))


class _EmptyMessage(Message):
    pass


class msg_verack(_EmptyMessage):
    msgtype = b"verack"


class msg_getaddr(_EmptyMessage):
    msgtype = b"getaddr"


class msg_sendheaders(_EmptyMessage):
    msgtype = b"sendheaders"


class msg_wtxidrelay(_EmptyMessage):
    msgtype = b"wtxidrelay"


class msg_sendaddrv2(_EmptyMessage):
    msgtype = b"sendaddrv2"


class msg_mempool(_EmptyMessage):
    msgtype = b"mempool"


class _NonceMessage(Message):
    def __init__(self, nonce=0):
        self.nonce = nonce

    def serialize(self):
        return struct.pack("<Q", self.nonce)

    @classmethod
    def deserialize(cls, r):
        return cls(r.u64())

    def __repr__(self):
        return "msg_%s(nonce=%d)" % (self.msgtype.decode(), self.nonce)


class msg_ping(_NonceMessage):
    msgtype = b"ping"


class msg_pong(_NonceMessage):
    msgtype = b"pong"


class msg_addr(Message):
    msgtype = b"addr"

    def __init__(self, addrs=None):
        self.addrs = list(addrs) if addrs else []

    def serialize(self):
        return ser_vector(self.addrs, lambda a: a.serialize_v1(True))

    @classmethod
    def deserialize(cls, r):
        return cls(r.vector(lambda rr: CAddress.deserialize_v1(rr, True)))

    def __repr__(self):
        return "msg_addr(%d addrs)" % len(self.addrs)


class msg_addrv2(Message):
    msgtype = b"addrv2"

    def __init__(self, addrs=None):
        self.addrs = list(addrs) if addrs else []

    def serialize(self):
        return ser_vector(self.addrs, lambda a: a.serialize_v2())

    @classmethod
    def deserialize(cls, r):
        return cls(r.vector(CAddress.deserialize_v2))

    def __repr__(self):
        return "msg_addrv2(%d addrs)" % len(self.addrs)


class _InvMessage(Message):
    def __init__(self, inv=None):
        self.inv = list(inv) if inv else []

    def serialize(self):
        return ser_vector(self.inv)

    @classmethod
    def deserialize(cls, r):
        return cls(r.vector(CInv.deserialize))

    def __repr__(self):
        return "msg_%s(%r)" % (self.msgtype.decode(), self.inv[:4] + (["..."] if len(self.inv) > 4 else []))


class msg_inv(_InvMessage):
    msgtype = b"inv"


class msg_getdata(_InvMessage):
    msgtype = b"getdata"


class msg_notfound(_InvMessage):
    msgtype = b"notfound"


class _LocatorMessage(Message):
    def __init__(self, locator=None, hashstop=b"\x00" * 32):
        self.locator = locator if locator is not None else CBlockLocator()
        self.hashstop = hashstop

    def serialize(self):
        return self.locator.serialize() + self.hashstop

    @classmethod
    def deserialize(cls, r):
        return cls(CBlockLocator.deserialize(r), r.hash())

    def __repr__(self):
        return "msg_%s(%d locator hashes, stop=%s)" % (self.msgtype.decode(), len(self.locator.have),
                                                        hash_to_hex(self.hashstop))


class msg_getheaders(_LocatorMessage):
    msgtype = b"getheaders"


class msg_getblocks(_LocatorMessage):
    msgtype = b"getblocks"


class msg_headers(Message):
    msgtype = b"headers"

    def __init__(self, headers=None):
        self.headers = list(headers) if headers else []

    def serialize(self):
        # Each header carries a transaction count, always zero here.
        return ser_vector(self.headers, lambda h: h.serialize_header() + b"\x00")

    @classmethod
    def deserialize(cls, r):
        def one(rr):
            h = CBlockHeader.deserialize(rr)
            if rr.compact_size() != 0:
                raise DeserializationError("header with a non-zero transaction count")
            return h
        return cls(r.vector(one))

    def __repr__(self):
        return "msg_headers(%d)" % len(self.headers)


class msg_block(Message):
    msgtype = b"block"

    def __init__(self, block=None):
        self.block = block if block is not None else CBlock()

    def serialize(self):
        return self.block.serialize()

    @classmethod
    def deserialize(cls, r):
        return cls(CBlock.deserialize(r))

    def __repr__(self):
        return "msg_block(%r)" % (self.block,)


class msg_no_witness_block(msg_block):
    def serialize(self):
        return self.block.serialize(with_witness=False)


class msg_tx(Message):
    msgtype = b"tx"

    def __init__(self, tx=None):
        self.tx = tx if tx is not None else CTransaction()

    def serialize(self):
        return self.tx.serialize()

    @classmethod
    def deserialize(cls, r):
        return cls(CTransaction.deserialize(r))

    def __repr__(self):
        return "msg_tx(%s)" % self.tx.txid_hex


class msg_sendcmpct(Message):
    msgtype = b"sendcmpct"

    def __init__(self, announce=False, version=2):
        self.announce = announce
        self.version = version

    def serialize(self):
        return struct.pack("<BQ", 1 if self.announce else 0, self.version)

    @classmethod
    def deserialize(cls, r):
        return cls(bool(r.u8()), r.u64())

    def __repr__(self):
        return "msg_sendcmpct(announce=%s, version=%d)" % (self.announce, self.version)


class msg_feefilter(Message):
    msgtype = b"feefilter"

    def __init__(self, feerate=0):
        self.feerate = feerate

    def serialize(self):
        return struct.pack("<q", self.feerate)

    @classmethod
    def deserialize(cls, r):
        return cls(r.i64())

    def __repr__(self):
        return "msg_feefilter(%d)" % self.feerate


# BIP157 (compact block filters). Hashes are 32 bytes in internal order.
FILTER_TYPE_BASIC = 0


class _GetCFMessage(Message):
    """getcfilters / getcfheaders: filter type, start height, stop hash."""

    def __init__(self, filter_type=FILTER_TYPE_BASIC, start_height=0, stop_hash=b"\x00" * 32):
        self.filter_type = filter_type
        self.start_height = start_height
        self.stop_hash = stop_hash

    def serialize(self):
        return struct.pack("<BI", self.filter_type, self.start_height) + self.stop_hash

    @classmethod
    def deserialize(cls, r):
        return cls(r.u8(), r.u32(), r.hash())

    def __repr__(self):
        return "msg_%s(type=%d, start=%d, stop=%s)" % (self.msgtype.decode(), self.filter_type,
                                                      self.start_height, hash_to_hex(self.stop_hash))


class msg_getcfilters(_GetCFMessage):
    msgtype = b"getcfilters"


class msg_getcfheaders(_GetCFMessage):
    msgtype = b"getcfheaders"


class msg_getcfcheckpt(Message):
    msgtype = b"getcfcheckpt"

    def __init__(self, filter_type=FILTER_TYPE_BASIC, stop_hash=b"\x00" * 32):
        self.filter_type = filter_type
        self.stop_hash = stop_hash

    def serialize(self):
        return struct.pack("<B", self.filter_type) + self.stop_hash

    @classmethod
    def deserialize(cls, r):
        return cls(r.u8(), r.hash())


class msg_cfilter(Message):
    msgtype = b"cfilter"

    def __init__(self, filter_type=FILTER_TYPE_BASIC, block_hash=b"\x00" * 32, filter_data=b""):
        self.filter_type = filter_type
        self.block_hash = block_hash
        self.filter_data = bytes(filter_data)

    def serialize(self):
        return struct.pack("<B", self.filter_type) + self.block_hash + ser_var_bytes(self.filter_data)

    @classmethod
    def deserialize(cls, r):
        return cls(r.u8(), r.hash(), r.var_bytes())

    def __repr__(self):
        return "msg_cfilter(%s, %d bytes)" % (hash_to_hex(self.block_hash), len(self.filter_data))


class msg_cfheaders(Message):
    msgtype = b"cfheaders"

    def __init__(self, filter_type=FILTER_TYPE_BASIC, stop_hash=b"\x00" * 32, prev_header=b"\x00" * 32,
                 hashes=None):
        self.filter_type = filter_type
        self.stop_hash = stop_hash
        self.prev_header = prev_header
        self.hashes = list(hashes) if hashes else []

    def serialize(self):
        return (struct.pack("<B", self.filter_type) + self.stop_hash + self.prev_header +
                ser_hash_vector(self.hashes))

    @classmethod
    def deserialize(cls, r):
        return cls(r.u8(), r.hash(), r.hash(), r.vector(Reader.hash))

    def __repr__(self):
        return "msg_cfheaders(%s, %d hashes)" % (hash_to_hex(self.stop_hash), len(self.hashes))


class msg_cfcheckpt(Message):
    msgtype = b"cfcheckpt"

    def __init__(self, filter_type=FILTER_TYPE_BASIC, stop_hash=b"\x00" * 32, headers=None):
        self.filter_type = filter_type
        self.stop_hash = stop_hash
        self.headers = list(headers) if headers else []

    def serialize(self):
        return struct.pack("<B", self.filter_type) + self.stop_hash + ser_hash_vector(self.headers)

    @classmethod
    def deserialize(cls, r):
        return cls(r.u8(), r.hash(), r.vector(Reader.hash))

    def __repr__(self):
        return "msg_cfcheckpt(%s, %d headers)" % (hash_to_hex(self.stop_hash), len(self.headers))


class msg_generic(Message):
    """Any message type with an opaque payload (unknown types, raw tests)."""

    def __init__(self, msgtype, payload=b""):
        self.msgtype = msgtype if isinstance(msgtype, bytes) else msgtype.encode()
        self.payload = bytes(payload)

    def serialize(self):
        return self.payload

    def __repr__(self):
        return "msg_generic(%r, %d bytes)" % (self.msgtype, len(self.payload))


# BIP152 compact blocks.

def _rotl64(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xffffffffffffffff


def siphash24(k0, k1, data):
    """SipHash-2-4 of data under the 128-bit key (k0, k1), from the paper."""
    m64 = 0xffffffffffffffff
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & m64
            v[1] = _rotl64(v[1], 13) ^ v[0]
            v[0] = _rotl64(v[0], 32)
            v[2] = (v[2] + v[3]) & m64
            v[3] = _rotl64(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & m64
            v[3] = _rotl64(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & m64
            v[1] = _rotl64(v[1], 17) ^ v[2]
            v[2] = _rotl64(v[2], 32)

    n = len(data)
    tail = data[n - n % 8:] + b"\x00" * (7 - n % 8) + bytes([n & 0xff])
    for i in range(0, n - n % 8, 8):
        m = struct.unpack("<Q", data[i:i + 8])[0]
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    m = struct.unpack("<Q", tail)[0]
    v[3] ^= m
    rounds(2)
    v[0] ^= m
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def cmpct_keys(header_bytes, nonce):
    d = sha256(header_bytes + struct.pack("<Q", nonce))
    return struct.unpack("<QQ", d[:16])


def short_id(k0, k1, wtxid):
    return siphash24(k0, k1, wtxid) & 0xffffffffffff


class PrefilledTx:
    def __init__(self, index=0, tx=None):
        self.index = index      # absolute
        self.tx = tx


class msg_cmpctblock(Message):
    """HeaderAndShortIDs; prefilled indexes are kept absolute here."""
    msgtype = b"cmpctblock"

    def __init__(self, header=None, nonce=0, shortids=None, prefilled=None):
        self.header = header if header is not None else CBlockHeader()
        self.nonce = nonce
        self.shortids = list(shortids) if shortids else []
        self.prefilled = list(prefilled) if prefilled else []

    @classmethod
    def from_block(cls, block, nonce=0, prefill=(0,)):
        hdr = CBlockHeader.from_bytes(block.serialize_header())
        k0, k1 = cmpct_keys(block.serialize_header(), nonce)
        pre = [PrefilledTx(i, block.vtx[i]) for i in prefill]
        ids = [short_id(k0, k1, tx.wtxid) for i, tx in enumerate(block.vtx) if i not in prefill]
        return cls(hdr, nonce, ids, pre)

    def serialize(self):
        out = [self.header.serialize_header(), struct.pack("<Q", self.nonce), ser_compact_size(len(self.shortids))]
        out += [struct.pack("<Q", i)[:6] for i in self.shortids]
        out.append(ser_compact_size(len(self.prefilled)))
        last = -1
        for p in self.prefilled:
            out.append(ser_compact_size(p.index - last - 1) + p.tx.serialize())
            last = p.index
        return b"".join(out)

    @classmethod
    def deserialize(cls, r):
        hdr = CBlockHeader.deserialize(r)
        nonce = r.u64()
        ids = [struct.unpack("<Q", r.read(6) + b"\x00\x00")[0] for _ in range(r.compact_size())]
        pre, last = [], -1
        for _ in range(r.compact_size()):
            last += r.compact_size() + 1
            pre.append(PrefilledTx(last, CTransaction.deserialize(r)))
        return cls(hdr, nonce, ids, pre)

    def __repr__(self):
        return "msg_cmpctblock(%s, %d ids, %d prefilled)" % (self.header.hash_hex, len(self.shortids),
                                                            len(self.prefilled))


class msg_getblocktxn(Message):
    msgtype = b"getblocktxn"

    def __init__(self, blockhash=b"\x00" * 32, indexes=None):
        self.blockhash = blockhash
        self.indexes = list(indexes) if indexes else []     # absolute

    def serialize(self):
        out = [self.blockhash, ser_compact_size(len(self.indexes))]
        last = -1
        for i in self.indexes:
            out.append(ser_compact_size(i - last - 1))
            last = i
        return b"".join(out)

    @classmethod
    def deserialize(cls, r):
        h = r.hash()
        idx, last = [], -1
        for _ in range(r.compact_size()):
            last += r.compact_size() + 1
            idx.append(last)
        return cls(h, idx)

    def __repr__(self):
        return "msg_getblocktxn(%s, %r)" % (hash_to_hex(self.blockhash), self.indexes)


class msg_blocktxn(Message):
    msgtype = b"blocktxn"

    def __init__(self, blockhash=b"\x00" * 32, txs=None):
        self.blockhash = blockhash
        self.txs = list(txs) if txs else []

    def serialize(self):
        return self.blockhash + ser_vector(self.txs)

    @classmethod
    def deserialize(cls, r):
        h = r.hash()
        return cls(h, r.vector(CTransaction.deserialize))

    def __repr__(self):
        return "msg_blocktxn(%s, %d txs)" % (hash_to_hex(self.blockhash), len(self.txs))


MESSAGEMAP = {cls.msgtype: cls for cls in (
    msg_version, msg_verack, msg_ping, msg_pong, msg_addr, msg_addrv2, msg_getaddr, msg_inv,
    msg_getdata, msg_notfound, msg_getheaders, msg_getblocks, msg_headers, msg_block, msg_tx,
    msg_sendheaders, msg_sendcmpct, msg_feefilter, msg_wtxidrelay, msg_sendaddrv2, msg_mempool,
    msg_getcfilters, msg_getcfheaders, msg_getcfcheckpt, msg_cfilter, msg_cfheaders, msg_cfcheckpt,
    msg_cmpctblock, msg_getblocktxn, msg_blocktxn)}


# ---------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------

def frame_message(msgtype, payload, *, magic=MAGIC_REGTEST, checksum=None, length=None):
    """A complete wire message; checksum/length may be forced for bad-input tests."""
    if isinstance(msgtype, str):
        msgtype = msgtype.encode()
    if len(msgtype) > 12:
        raise ValueError("message type longer than 12 bytes")
    if checksum is None:
        checksum = hash256(payload)[:4]
    if length is None:
        length = len(payload)
    return magic + msgtype.ljust(12, b"\x00") + struct.pack("<I", length) + checksum + payload


def build_message(msg, magic=MAGIC_REGTEST):
    return frame_message(msg.msgtype, msg.serialize(), magic=magic)


class FrameError(Exception):
    pass


def parse_frame(buf, magic=MAGIC_REGTEST):
    """Splits one frame off buf.

    Returns (msgtype, payload, frame_length), or None if buf holds less than a
    whole frame. Raises FrameError on a wrong magic, a malformed command, an
    oversized length or a bad checksum.
    """
    if len(buf) < HEADER_LEN:
        return None
    if buf[:4] != magic:
        raise FrameError("wrong magic %s" % buf[:4].hex())
    raw_type = bytes(buf[4:16])
    msgtype = raw_type.rstrip(b"\x00")
    if b"\x00" in msgtype or any(c < 0x20 or c > 0x7e for c in msgtype):
        raise FrameError("malformed message type %r" % raw_type)
    length = struct.unpack("<I", buf[16:20])[0]
    if length > MAX_PROTOCOL_MESSAGE_LENGTH:
        raise FrameError("message length %d over the limit" % length)
    if len(buf) < HEADER_LEN + length:
        return None
    payload = bytes(buf[HEADER_LEN:HEADER_LEN + length])
    if hash256(payload)[:4] != buf[20:24]:
        raise FrameError("bad checksum for %r" % msgtype)
    return msgtype, payload, HEADER_LEN + length


def decode_message(msgtype, payload):
    """A message object for msgtype; msg_generic for types we do not parse."""
    cls = MESSAGEMAP.get(msgtype)
    if cls is None:
        return msg_generic(msgtype, payload)
    return cls.from_payload(payload)


# ---------------------------------------------------------------------------
# RIPEMD-160 for OpenSSL builds that no longer expose it through hashlib
# ---------------------------------------------------------------------------

def _ripemd160_py(data):
    # Round constants and word orders from the RIPEMD-160 specification.
    rl = [
        list(range(16)),
        [7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8],
        [3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12],
        [1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2],
        [4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13]]
    rr = [
        [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12],
        [6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2],
        [15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13],
        [8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14],
        [12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11]]
    sl = [
        [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8],
        [7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12],
        [11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5],
        [11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12],
        [9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6]]
    sr = [
        [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6],
        [9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11],
        [9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5],
        [15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8],
        [8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11]]
    kl = [0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
    kr = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000]
    mask = 0xffffffff

    def f(j, x, y, z):
        if j == 0:
            return x ^ y ^ z
        if j == 1:
            return (x & y) | (~x & z)
        if j == 2:
            return (x | ~y) ^ z
        if j == 3:
            return (x & z) | (y & ~z)
        return x ^ (y | ~z)

    def rol(x, n):
        x &= mask
        return ((x << n) | (x >> (32 - n))) & mask

    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    msg = bytes(data) + b"\x80"
    msg += b"\x00" * ((56 - len(msg)) % 64) + struct.pack("<Q", 8 * len(data))
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(5):
            for i in range(16):
                t = rol(al + f(j, bl, cl, dl) + x[rl[j][i]] + kl[j], sl[j][i]) + el
                al, el, dl, cl, bl = el, dl, rol(cl, 10), bl, t & mask
                t = rol(ar + f(4 - j, br, cr, dr) + x[rr[j][i]] + kr[j], sr[j][i]) + er
                ar, er, dr, cr, br = er, dr, rol(cr, 10), br, t & mask
        t = (h[1] + cl + dr) & mask
        h[1] = (h[2] + dl + er) & mask
        h[2] = (h[3] + el + ar) & mask
        h[3] = (h[4] + al + br) & mask
        h[4] = (h[0] + bl + cr) & mask
        h[0] = t
    return struct.pack("<5I", *h)
