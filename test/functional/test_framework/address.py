"""Addresses: base58check, bech32/bech32m (BIP173, BIP350), descriptor checksums.

Regtest is the default chain; other chains' prefixes are here so the
selftest can check against Core's key_io vectors.
"""

import hashlib

from .messages import hash160, sha256
from .script import (CScript, OP_TRUE, key_to_p2pkh_script, keyhash_to_p2pkh_script,
                     program_to_witness_script, script_to_p2wsh_script, scripthash_to_p2sh_script)

CHAINS = {
    # name: (p2pkh prefix, p2sh prefix, bech32 hrp)
    "main": (0, 5, "bc"),
    "test": (111, 196, "tb"),
    "testnet4": (111, 196, "tb"),
    "signet": (111, 196, "tb"),
    "regtest": (111, 196, "bcrt"),
}

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2bc830a3


class AddressError(ValueError):
    pass


# --- base58 ----------------------------------------------------------------------

def base58_encode(b):
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58_ALPHABET[r] + out
    pad = len(b) - len(b.lstrip(b"\x00"))
    return "1" * pad + out


def base58_decode(s):
    n = 0
    for c in s:
        i = B58_ALPHABET.find(c)
        if i < 0:
            raise AddressError("invalid base58 character %r" % c)
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(s) - len(s.lstrip("1"))
    return b"\x00" * pad + body


def base58check_encode(payload):
    return base58_encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])


def base58check_decode(s):
    raw = base58_decode(s)
    if len(raw) < 4:
        raise AddressError("base58check string too short")
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        raise AddressError("base58check checksum mismatch")
    return payload


# --- bech32 / bech32m ------------------------------------------------------------------

def _polymod(values):
    gen = (0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_create_checksum(hrp, data, const):
    pm = _polymod(_hrp_expand(hrp) + list(data) + [0] * 6) ^ const
    return [(pm >> 5 * (5 - i)) & 31 for i in range(6)]


def bech32_encode(hrp, data, const):
    combined = list(data) + bech32_create_checksum(hrp, data, const)
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in combined)


def bech32_decode(s):
    """(hrp, data, const) of a bech32 or bech32m string; AddressError if invalid."""
    if any(ord(c) < 33 or ord(c) > 126 for c in s):
        raise AddressError("invalid character in bech32 string")
    if s.lower() != s and s.upper() != s:
        raise AddressError("mixed case bech32 string")
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s) or len(s) > 90:
        raise AddressError("bad bech32 separator position or length")
    hrp = s[:pos]
    data = []
    for c in s[pos + 1:]:
        i = BECH32_CHARSET.find(c)
        if i < 0:
            raise AddressError("invalid bech32 data character %r" % c)
        data.append(i)
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        raise AddressError("bech32 checksum mismatch")
    return hrp, data[:-6], const


def convertbits(data, frombits, tobits, pad=True):
    acc = 0
    bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for v in data:
        if v < 0 or v >> frombits:
            raise AddressError("bad value in convertbits")
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise AddressError("non-zero or excess padding")
    return out


def encode_segwit_address(hrp, version, program):
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    addr = bech32_encode(hrp, [version] + convertbits(program, 8, 5), const)
    if decode_segwit_address(hrp, addr) != (version, bytes(program)):
        raise AddressError("cannot encode witness program v%d of %d bytes" % (version, len(program)))
    return addr


def decode_segwit_address(hrp, addr):
    got_hrp, data, const = bech32_decode(addr)
    if got_hrp != hrp:
        raise AddressError("wrong hrp %r (expected %r)" % (got_hrp, hrp))
    if not data:
        raise AddressError("empty witness data")
    version = data[0]
    program = bytes(convertbits(data[1:], 5, 8, False))
    if version > 16 or not 2 <= len(program) <= 40:
        raise AddressError("invalid witness version or program length")
    if version == 0 and len(program) not in (20, 32):
        raise AddressError("invalid v0 program length")
    if (version == 0) != (const == BECH32_CONST):
        raise AddressError("wrong checksum variant for witness version %d" % version)
    return version, program


# --- Addresses ---------------------------------------------------------------------

def keyhash_to_p2pkh(h, chain="regtest"):
    return base58check_encode(bytes([CHAINS[chain][0]]) + h)


def key_to_p2pkh(pubkey, chain="regtest"):
    return keyhash_to_p2pkh(hash160(pubkey), chain)


def scripthash_to_p2sh(h, chain="regtest"):
    return base58check_encode(bytes([CHAINS[chain][1]]) + h)


def script_to_p2sh(script, chain="regtest"):
    return scripthash_to_p2sh(hash160(script), chain)


def program_to_witness(version, program, chain="regtest"):
    return encode_segwit_address(CHAINS[chain][2], version, program)


def key_to_p2wpkh(pubkey, chain="regtest"):
    return program_to_witness(0, hash160(pubkey), chain)


def script_to_p2wsh(script, chain="regtest"):
    return program_to_witness(0, sha256(script), chain)


def output_key_to_p2tr(xonly, chain="regtest"):
    return program_to_witness(1, xonly, chain)


def address_to_scriptpubkey(addr, chain="regtest"):
    p2pkh, p2sh, hrp = CHAINS[chain]
    if addr.lower().startswith(hrp + "1"):
        version, program = decode_segwit_address(hrp, addr)
        return program_to_witness_script(version, program)
    payload = base58check_decode(addr)
    if len(payload) == 21 and payload[0] == p2pkh:
        return keyhash_to_p2pkh_script(payload[1:])
    if len(payload) == 21 and payload[0] == p2sh:
        return scripthash_to_p2sh_script(payload[1:])
    raise AddressError("not a %s address: %r" % (chain, addr))


def scriptpubkey_to_address(spk, chain="regtest"):
    """The address of a standard scriptPubKey, or None."""
    spk = bytes(spk)
    if len(spk) == 25 and spk[:3] == b"\x76\xa9\x14" and spk[23:] == b"\x88\xac":
        return keyhash_to_p2pkh(spk[3:23], chain)
    if len(spk) == 23 and spk[:2] == b"\xa9\x14" and spk[22] == 0x87:
        return scripthash_to_p2sh(spk[2:22], chain)
    if 4 <= len(spk) <= 42 and (spk[0] == 0 or 0x51 <= spk[0] <= 0x60) and spk[1] == len(spk) - 2:
        version = 0 if spk[0] == 0 else spk[0] - 0x50
        try:
            return program_to_witness(version, spk[2:], chain)
        except AddressError:
            return None
    return None


# --- Descriptor checksums (BIP380) -------------------------------------------------------

_DESC_INPUT_CHARSET = ("0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                       "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")


def _desc_polymod(c, val):
    c0 = c >> 35
    c = ((c & 0x7ffffffff) << 5) ^ val
    for bit, gen in enumerate((0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd)):
        if c0 & (1 << bit):
            c ^= gen
    return c


def descsum_checksum(desc):
    c = 1
    cls = 0
    clscount = 0
    for ch in desc:
        pos = _DESC_INPUT_CHARSET.find(ch)
        if pos < 0:
            raise ValueError("invalid character %r in descriptor" % ch)
        c = _desc_polymod(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        clscount += 1
        if clscount == 3:
            c = _desc_polymod(c, cls)
            cls = 0
            clscount = 0
    if clscount:
        c = _desc_polymod(c, cls)
    for _ in range(8):
        c = _desc_polymod(c, 0)
    c ^= 1
    return "".join(BECH32_CHARSET[(c >> (5 * (7 - i))) & 31] for i in range(8))


def descsum_create(desc):
    return desc + "#" + descsum_checksum(desc)


# --- Fixed regtest addresses used by tests ----------------------------------------------

# Anyone can spend these with a witness of just the script; tests mine to them.
P2WSH_OP_TRUE_SCRIPT = CScript([OP_TRUE])
SCRIPT_P2WSH_OP_TRUE = script_to_p2wsh_script(P2WSH_OP_TRUE_SCRIPT)
ADDRESS_BCRT1_P2WSH_OP_TRUE = script_to_p2wsh(P2WSH_OP_TRUE_SCRIPT)
# Witness program of zeros: unspendable, handy as a burn address.
ADDRESS_BCRT1_UNSPENDABLE = program_to_witness(0, b"\x00" * 32)


def p2pkh_address_of_key(eckey):
    return key_to_p2pkh(eckey.get_pubkey().get_bytes())


__all__ = [n for n in dir() if not n.startswith("_")] + ["key_to_p2pkh_script"]
