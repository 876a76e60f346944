"""Scripts: opcodes, a CScript builder/iterator, and signature hashes.

Signature hashes: legacy (with the SIGHASH_SINGLE bug and OP_CODESEPARATOR
removal), BIP143 (segwit v0) and BIP341 (taproot key and script path). Also
the taproot output construction used by blocktools.
"""

import struct

from .key import tagged_hash, tweak_add_pubkey
from .messages import CTransaction, CTxOut, hash160, hash256, ser_var_bytes, sha256

# --- Opcodes ------------------------------------------------------------------

OPCODE_NAMES = {}


class CScriptOp(int):
    """One opcode byte."""

    @staticmethod
    def encode_op_n(n):
        if not 0 <= n <= 16:
            raise ValueError("OP_N takes 0..16, not %d" % n)
        return OP_0 if n == 0 else CScriptOp(OP_1 + n - 1)

    def decode_op_n(self):
        if self == OP_0:
            return 0
        if not OP_1 <= self <= OP_16:
            raise ValueError("%r is not an OP_N" % self)
        return int(self - OP_1 + 1)

    def __repr__(self):
        return OPCODE_NAMES.get(int(self), "CScriptOp(0x%02x)" % int(self))


OP_0 = CScriptOp(0x00)
OP_PUSHDATA1 = CScriptOp(0x4c)
OP_PUSHDATA2 = CScriptOp(0x4d)
OP_PUSHDATA4 = CScriptOp(0x4e)
OP_1NEGATE = CScriptOp(0x4f)
OP_RESERVED = CScriptOp(0x50)
OP_1 = CScriptOp(0x51)
OP_2 = CScriptOp(0x52)
OP_3 = CScriptOp(0x53)
OP_4 = CScriptOp(0x54)
OP_5 = CScriptOp(0x55)
OP_6 = CScriptOp(0x56)
OP_7 = CScriptOp(0x57)
OP_8 = CScriptOp(0x58)
OP_9 = CScriptOp(0x59)
OP_10 = CScriptOp(0x5a)
OP_11 = CScriptOp(0x5b)
OP_12 = CScriptOp(0x5c)
OP_13 = CScriptOp(0x5d)
OP_14 = CScriptOp(0x5e)
OP_15 = CScriptOp(0x5f)
OP_16 = CScriptOp(0x60)
OP_NOP = CScriptOp(0x61)
OP_VER = CScriptOp(0x62)
OP_IF = CScriptOp(0x63)
OP_NOTIF = CScriptOp(0x64)
OP_VERIF = CScriptOp(0x65)
OP_VERNOTIF = CScriptOp(0x66)
OP_ELSE = CScriptOp(0x67)
OP_ENDIF = CScriptOp(0x68)
OP_VERIFY = CScriptOp(0x69)
OP_RETURN = CScriptOp(0x6a)
OP_TOALTSTACK = CScriptOp(0x6b)
OP_FROMALTSTACK = CScriptOp(0x6c)
OP_2DROP = CScriptOp(0x6d)
OP_2DUP = CScriptOp(0x6e)
OP_3DUP = CScriptOp(0x6f)
OP_2OVER = CScriptOp(0x70)
OP_2ROT = CScriptOp(0x71)
OP_2SWAP = CScriptOp(0x72)
OP_IFDUP = CScriptOp(0x73)
OP_DEPTH = CScriptOp(0x74)
OP_DROP = CScriptOp(0x75)
OP_DUP = CScriptOp(0x76)
OP_NIP = CScriptOp(0x77)
OP_OVER = CScriptOp(0x78)
OP_PICK = CScriptOp(0x79)
OP_ROLL = CScriptOp(0x7a)
OP_ROT = CScriptOp(0x7b)
OP_SWAP = CScriptOp(0x7c)
OP_TUCK = CScriptOp(0x7d)
OP_CAT = CScriptOp(0x7e)
OP_SUBSTR = CScriptOp(0x7f)
OP_LEFT = CScriptOp(0x80)
OP_RIGHT = CScriptOp(0x81)
OP_SIZE = CScriptOp(0x82)
OP_INVERT = CScriptOp(0x83)
OP_AND = CScriptOp(0x84)
OP_OR = CScriptOp(0x85)
OP_XOR = CScriptOp(0x86)
OP_EQUAL = CScriptOp(0x87)
OP_EQUALVERIFY = CScriptOp(0x88)
OP_RESERVED1 = CScriptOp(0x89)
OP_RESERVED2 = CScriptOp(0x8a)
OP_1ADD = CScriptOp(0x8b)
OP_1SUB = CScriptOp(0x8c)
OP_2MUL = CScriptOp(0x8d)
OP_2DIV = CScriptOp(0x8e)
OP_NEGATE = CScriptOp(0x8f)
OP_ABS = CScriptOp(0x90)
OP_NOT = CScriptOp(0x91)
OP_0NOTEQUAL = CScriptOp(0x92)
OP_ADD = CScriptOp(0x93)
OP_SUB = CScriptOp(0x94)
OP_MUL = CScriptOp(0x95)
OP_DIV = CScriptOp(0x96)
OP_MOD = CScriptOp(0x97)
OP_LSHIFT = CScriptOp(0x98)
OP_RSHIFT = CScriptOp(0x99)
OP_BOOLAND = CScriptOp(0x9a)
OP_BOOLOR = CScriptOp(0x9b)
OP_NUMEQUAL = CScriptOp(0x9c)
OP_NUMEQUALVERIFY = CScriptOp(0x9d)
OP_NUMNOTEQUAL = CScriptOp(0x9e)
OP_LESSTHAN = CScriptOp(0x9f)
OP_GREATERTHAN = CScriptOp(0xa0)
OP_LESSTHANOREQUAL = CScriptOp(0xa1)
OP_GREATERTHANOREQUAL = CScriptOp(0xa2)
OP_MIN = CScriptOp(0xa3)
OP_MAX = CScriptOp(0xa4)
OP_WITHIN = CScriptOp(0xa5)
OP_RIPEMD160 = CScriptOp(0xa6)
OP_SHA1 = CScriptOp(0xa7)
OP_SHA256 = CScriptOp(0xa8)
OP_HASH160 = CScriptOp(0xa9)
OP_HASH256 = CScriptOp(0xaa)
OP_CODESEPARATOR = CScriptOp(0xab)
OP_CHECKSIG = CScriptOp(0xac)
OP_CHECKSIGVERIFY = CScriptOp(0xad)
OP_CHECKMULTISIG = CScriptOp(0xae)
OP_CHECKMULTISIGVERIFY = CScriptOp(0xaf)
OP_NOP1 = CScriptOp(0xb0)
OP_CHECKLOCKTIMEVERIFY = CScriptOp(0xb1)
OP_CHECKSEQUENCEVERIFY = CScriptOp(0xb2)
OP_NOP4 = CScriptOp(0xb3)
OP_NOP5 = CScriptOp(0xb4)
OP_NOP6 = CScriptOp(0xb5)
OP_NOP7 = CScriptOp(0xb6)
OP_NOP8 = CScriptOp(0xb7)
OP_NOP9 = CScriptOp(0xb8)
OP_NOP10 = CScriptOp(0xb9)
OP_CHECKSIGADD = CScriptOp(0xba)
OP_INVALIDOPCODE = CScriptOp(0xff)

OPCODE_NAMES.update({int(v): k for k, v in list(globals().items())
                     if k.startswith("OP_") and isinstance(v, CScriptOp)})

OP_FALSE = OP_0
OP_TRUE = OP_1

SIGHASH_DEFAULT = 0
SIGHASH_ALL = 1
SIGHASH_NONE = 2
SIGHASH_SINGLE = 3
SIGHASH_ANYONECANPAY = 0x80

LEAF_VERSION_TAPSCRIPT = 0xc0
ANNEX_TAG = 0x50


# --- Numbers --------------------------------------------------------------------

def script_num_encode(n):
    """CScriptNum: minimal little-endian sign-magnitude."""
    if n == 0:
        return b""
    neg = n < 0
    a = -n if neg else n
    out = bytearray()
    while a:
        out.append(a & 0xff)
        a >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0x00)
    elif neg:
        out[-1] |= 0x80
    return bytes(out)


def script_num_decode(b):
    if not b:
        return 0
    v = int.from_bytes(b, "little")
    if b[-1] & 0x80:
        return -(v & ~(0x80 << (8 * (len(b) - 1))))
    return v


# --- CScript ----------------------------------------------------------------------

def push_data(data):
    data = bytes(data)
    n = len(data)
    if n < OP_PUSHDATA1:
        return bytes([n]) + data
    if n <= 0xff:
        return b"\x4c" + bytes([n]) + data
    if n <= 0xffff:
        return b"\x4d" + struct.pack("<H", n) + data
    return b"\x4e" + struct.pack("<I", n) + data


class ScriptParseError(ValueError):
    pass


class CScript(bytes):
    """A script; CScript([OP_DUP, b'..', 5]) builds one from ops, data and ints."""

    @staticmethod
    def _coerce(item):
        if isinstance(item, CScriptOp):
            return bytes([item])
        if isinstance(item, int):
            if 0 <= item <= 16:
                return bytes([CScriptOp.encode_op_n(item)])
            if item == -1:
                return b"\x4f"
            return push_data(script_num_encode(item))
        if isinstance(item, (bytes, bytearray)):
            return push_data(item)
        raise TypeError("cannot put %r in a script" % (item,))

    def __new__(cls, value=b""):
        if isinstance(value, (bytes, bytearray)):
            return super().__new__(cls, value)
        return super().__new__(cls, b"".join(cls._coerce(v) for v in value))

    def raw_ops(self):
        """Yields (opcode, data or None, offset after); ScriptParseError if truncated."""
        i = 0
        n = len(self)
        while i < n:
            op = self[i]
            i += 1
            data = None
            if op <= 0x4e:
                if op < 0x4c:
                    size = op
                else:
                    width = {0x4c: 1, 0x4d: 2, 0x4e: 4}[op]
                    if i + width > n:
                        raise ScriptParseError("truncated push size")
                    size = int.from_bytes(self[i:i + width], "little")
                    i += width
                if i + size > n:
                    raise ScriptParseError("truncated push")
                data = bytes(self[i:i + size])
                i += size
            yield CScriptOp(op), data, i

    def __iter__(self):
        for op, data, _ in self.raw_ops():
            yield data if data is not None else op

    def __add__(self, other):
        return CScript(bytes(self) + bytes(CScript(other) if not isinstance(other, bytes) else other))

    def __repr__(self):
        parts = []
        try:
            for op, data, _ in self.raw_ops():
                parts.append(data.hex() if data is not None else repr(op))
        except ScriptParseError:
            parts.append("[error]")
        return "CScript([%s])" % ", ".join(parts)


def remove_codeseparators(script):
    """The script with every OP_CODESEPARATOR removed (bytes after a parse error kept)."""
    script = CScript(script)
    out = bytearray()
    start = 0
    try:
        for op, _, end in script.raw_ops():
            if op == OP_CODESEPARATOR:
                out += script[start:end - 1]
                start = end
    except ScriptParseError:
        pass
    out += script[start:]
    return bytes(out)


# --- Standard scripts ---------------------------------------------------------------

def key_to_p2pk_script(pubkey):
    return CScript([pubkey, OP_CHECKSIG])


def keyhash_to_p2pkh_script(h):
    return CScript([OP_DUP, OP_HASH160, h, OP_EQUALVERIFY, OP_CHECKSIG])


def key_to_p2pkh_script(pubkey):
    return keyhash_to_p2pkh_script(hash160(pubkey))


def scripthash_to_p2sh_script(h):
    return CScript([OP_HASH160, h, OP_EQUAL])


def script_to_p2sh_script(script):
    return scripthash_to_p2sh_script(hash160(script))


def program_to_witness_script(version, program):
    if not 0 <= version <= 16 or not 2 <= len(program) <= 40:
        raise ValueError("invalid witness program")
    return CScript([CScriptOp.encode_op_n(version), program])


def key_to_p2wpkh_script(pubkey):
    return program_to_witness_script(0, hash160(pubkey))


def script_to_p2wsh_script(script):
    return program_to_witness_script(0, sha256(script))


def output_key_to_p2tr_script(xonly):
    return program_to_witness_script(1, xonly)


def p2wpkh_script_code(pubkey):
    """The BIP143 scriptCode of a P2WPKH input."""
    return key_to_p2pkh_script(pubkey)


# --- Signature hashes -------------------------------------------------------------------

SIGHASH_ONE = b"\x01" + b"\x00" * 31


def legacy_signature_hash(script_code, tx, in_idx, hashtype):
    """Pre-segwit signature hash (internal byte order), as consensus computes it."""
    if in_idx >= len(tx.vin):
        return SIGHASH_ONE
    base = hashtype & 0x1f
    if base == SIGHASH_SINGLE and in_idx >= len(tx.vout):
        return SIGHASH_ONE
    t = CTransaction(tx.version, [], [], tx.locktime)
    t.vin = [type(i)(i.prevout, b"", i.sequence) for i in tx.vin]
    t.vin[in_idx].script_sig = remove_codeseparators(script_code)
    t.vout = list(tx.vout)
    if base == SIGHASH_NONE:
        t.vout = []
        for i, txin in enumerate(t.vin):
            if i != in_idx:
                txin.sequence = 0
    elif base == SIGHASH_SINGLE:
        t.vout = [CTxOut(-1, b"") for _ in range(in_idx)] + [tx.vout[in_idx]]
        for i, txin in enumerate(t.vin):
            if i != in_idx:
                txin.sequence = 0
    if hashtype & SIGHASH_ANYONECANPAY:
        t.vin = [t.vin[in_idx]]
    return hash256(t.serialize_without_witness() + struct.pack("<I", hashtype & 0xffffffff))


def segwit_v0_signature_hash(script_code, tx, in_idx, hashtype, amount):
    """BIP143 signature hash (internal byte order)."""
    zero = b"\x00" * 32
    base = hashtype & 0x1f
    acp = hashtype & SIGHASH_ANYONECANPAY
    hash_prevouts = zero
    hash_sequence = zero
    hash_outputs = zero
    if not acp:
        hash_prevouts = hash256(b"".join(i.prevout.serialize() for i in tx.vin))
    if not acp and base != SIGHASH_SINGLE and base != SIGHASH_NONE:
        hash_sequence = hash256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    if base != SIGHASH_SINGLE and base != SIGHASH_NONE:
        hash_outputs = hash256(b"".join(o.serialize() for o in tx.vout))
    elif base == SIGHASH_SINGLE and in_idx < len(tx.vout):
        hash_outputs = hash256(tx.vout[in_idx].serialize())
    txin = tx.vin[in_idx]
    preimage = (struct.pack("<i", tx.version) + hash_prevouts + hash_sequence +
                txin.prevout.serialize() + ser_var_bytes(script_code) + struct.pack("<q", amount) +
                struct.pack("<I", txin.sequence) + hash_outputs + struct.pack("<I", tx.locktime) +
                struct.pack("<I", hashtype & 0xffffffff))
    return hash256(preimage)


def tapleaf_hash(script, leaf_version=LEAF_VERSION_TAPSCRIPT):
    return tagged_hash("TapLeaf", bytes([leaf_version]) + ser_var_bytes(script))


def taproot_signature_msg(tx, spent_utxos, hashtype, in_idx, *, annex=None, leaf_hash=None,
                          codesep_pos=0xffffffff):
    """BIP341 SigMsg, with the leading epoch byte 0x00. spent_utxos: a CTxOut per input."""
    if hashtype not in (0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83):
        raise ValueError("invalid taproot hash type 0x%02x" % hashtype)
    if len(spent_utxos) != len(tx.vin):
        raise ValueError("need one spent output per input")
    out_type = SIGHASH_ALL if hashtype == 0 else hashtype & 3
    acp = hashtype & SIGHASH_ANYONECANPAY
    msg = b"\x00" + bytes([hashtype]) + struct.pack("<iI", tx.version, tx.locktime)
    if not acp:
        msg += sha256(b"".join(i.prevout.serialize() for i in tx.vin))
        msg += sha256(b"".join(struct.pack("<q", u.value) for u in spent_utxos))
        msg += sha256(b"".join(ser_var_bytes(u.script_pubkey) for u in spent_utxos))
        msg += sha256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    if out_type == SIGHASH_ALL:
        msg += sha256(b"".join(o.serialize() for o in tx.vout))
    ext_flag = 1 if leaf_hash is not None else 0
    msg += bytes([ext_flag * 2 + (1 if annex is not None else 0)])
    if acp:
        u = spent_utxos[in_idx]
        msg += (tx.vin[in_idx].prevout.serialize() + struct.pack("<q", u.value) +
                ser_var_bytes(u.script_pubkey) + struct.pack("<I", tx.vin[in_idx].sequence))
    else:
        msg += struct.pack("<I", in_idx)
    if annex is not None:
        msg += sha256(ser_var_bytes(annex))
    if out_type == SIGHASH_SINGLE:
        if in_idx >= len(tx.vout):
            raise ValueError("SIGHASH_SINGLE without a matching output")
        msg += sha256(tx.vout[in_idx].serialize())
    if leaf_hash is not None:
        msg += leaf_hash + b"\x00" + struct.pack("<I", codesep_pos)
    return msg


def taproot_signature_hash(tx, spent_utxos, hashtype, in_idx, **kw):
    return tagged_hash("TapSighash", taproot_signature_msg(tx, spent_utxos, hashtype, in_idx, **kw))


# --- Taproot outputs --------------------------------------------------------------------

class TaprootInfo:
    """A taproot output: its scriptPubKey, output key, and per-leaf spend data.

    leaves: name -> (script, leaf_version, control_block).
    """

    def __init__(self, internal_pubkey, output_pubkey, negflag, merkle_root, leaves, tweak):
        self.internal_pubkey = internal_pubkey
        self.output_pubkey = output_pubkey
        self.negflag = negflag
        self.merkle_root = merkle_root
        self.leaves = leaves
        self.tweak = tweak
        self.script_pubkey = output_key_to_p2tr_script(output_pubkey)


def _tap_branch(a, b):
    if b < a:
        a, b = b, a
    return tagged_hash("TapBranch", a + b)


def taproot_construct(internal_pubkey, scripts=None):
    """scripts: list of (name, script[, leaf_version]) leaves, or nested lists for a tree."""

    def build(node):
        # Returns (hash, [(name, script, version, path-so-far)]).
        if isinstance(node, tuple):
            name, script = node[0], node[1]
            version = node[2] if len(node) > 2 else LEAF_VERSION_TAPSCRIPT
            return tapleaf_hash(script, version), [(name, script, version, b"")]
        if len(node) == 1:
            return build(node[0])
        mid = len(node) // 2
        left_hash, left = build(node[:mid] if mid > 1 else node[0])
        right_hash, right = build(node[mid:] if len(node) - mid > 1 else node[mid])
        left = [(n, s, v, p + right_hash) for n, s, v, p in left]
        right = [(n, s, v, p + left_hash) for n, s, v, p in right]
        return _tap_branch(left_hash, right_hash), left + right

    if scripts:
        root, leaves = build(scripts if len(scripts) > 1 else scripts[0])
    else:
        root, leaves = b"", []
    tweak = tagged_hash("TapTweak", internal_pubkey + root)
    res = tweak_add_pubkey(internal_pubkey, tweak)
    if res is None:
        raise ValueError("invalid internal key or tweak")
    output_pubkey, negated = res
    info = {}
    for name, script, version, path in leaves:
        control = bytes([version | (1 if negated else 0)]) + internal_pubkey + path
        info[name] = (script, version, control)
    return TaprootInfo(internal_pubkey, output_pubkey, negated, root or None, info, tweak)
