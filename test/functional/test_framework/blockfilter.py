"""BIP158 basic block filters in Python, written from the BIP, so that tests
can check a node's filters without trusting the node: the filter of a block
from `getblock HASH 3` (which carries every spent output's script), its hash
and its header.
"""

from .messages import hash256, hash_to_hex, hex_to_hash, ser_compact_size

BASIC_P = 19
BASIC_M = 784931
OP_RETURN = 0x6a

_MASK = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash(k0, k1, data):
    """SipHash-2-4 of data under the 128-bit key (k0, k1)."""
    v0 = 0x736f6d6570736575 ^ k0
    v1 = 0x646f72616e646f6d ^ k1
    v2 = 0x6c7967656e657261 ^ k0
    v3 = 0x7465646279746573 ^ k1

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    full = len(data) - len(data) % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        rounds(2)
        v0 ^= m
    m = int.from_bytes(data[full:], "little") | ((len(data) & 0xff) << 56)
    v3 ^= m
    rounds(2)
    v0 ^= m
    v2 ^= 0xff
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def gcs_encode(key, elements, p=BASIC_P, m=BASIC_M):
    """The Golomb-coded set of the distinct elements under key (16 bytes)."""
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:16], "little")
    items = set(bytes(e) for e in elements)
    n = len(items)
    f = n * m
    values = sorted((siphash(k0, k1, e) * f) >> 64 for e in items)
    bits = []
    last = 0
    for v in values:
        delta = v - last
        last = v
        bits.extend([1] * (delta >> p))
        bits.append(0)
        bits.extend((delta >> i) & 1 for i in range(p - 1, -1, -1))
    bits.extend([0] * (-len(bits) % 8))
    data = bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))
    return ser_compact_size(n) + data


def basic_filter(block):
    """The basic filter (bytes) of a block as `getblock HASH 3` returns it."""
    elements = []
    for tx in block["tx"]:
        for out in tx["vout"]:
            script = bytes.fromhex(out["scriptPubKey"]["hex"])
            if script and script[0] != OP_RETURN:
                elements.append(script)
        for vin in tx["vin"]:
            if "coinbase" in vin:
                continue
            script = bytes.fromhex(vin["prevout"]["scriptPubKey"]["hex"])
            if script:
                elements.append(script)
    return gcs_encode(hex_to_hash(block["hash"])[:16], elements)


def filter_header(filter_bytes, prev_header_hex):
    """The filter header (display hex) after the previous one (display hex)."""
    prev = hex_to_hash(prev_header_hex) if prev_header_hex else b"\x00" * 32
    return hash_to_hex(hash256(hash256(filter_bytes) + prev))


def filter_hash(filter_bytes):
    """The filter hash, 32 bytes in internal order (as cfheaders carries it)."""
    return hash256(filter_bytes)
