"""Signet blocks for tests (BIP325): built here, signed with a key the test
holds, and ground to signet's proof of work by `bitroot-util grind`.

    challenge = multisig_1of1_challenge(key.get_pubkey().get_bytes())
    block = create_signet_block(prev_hash, height, ntime)
    sign_signet_block(block, challenge, key)
    grind(block, util_binary)
    node.submitblock(block.serialize().hex())

Signing follows BIP325 the way a miner does: the witness commitment gets a
push of the bare signet header, the signature is made over the block in
that state (to_spend commits to version, previous hash, merkle root and
time; the nonce is not signed), then the push becomes header + solution.
So grind after signing.
"""

import struct
import subprocess

from .blocktools import add_witness_commitment, bip34_height_script
from .messages import (COIN, CBlock, COutPoint, CTransaction, CTxIn, CTxOut, hash256, hex_to_hash,
                       merkle_root, ser_compact_size, ser_var_bytes, ser_vector)
from .script import (OP_0, OP_1, OP_CHECKMULTISIG, OP_RETURN, SIGHASH_ALL, CScript, key_to_p2wpkh_script,
                     legacy_signature_hash, p2wpkh_script_code, push_data, segwit_v0_signature_hash)

SIGNET_HEADER = b"\xec\xc7\xda\xa2"
SIGNET_POW_LIMIT_BITS = 0x1e0377ae
# Every signet, custom or not, starts from this block.
SIGNET_GENESIS_HASH = "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"
WITNESS_COMMITMENT_PREFIX = b"\x6a\x24\xaa\x21\xa9\xed"


def signet_magic(challenge):
    """The message start of the signet with this challenge: SHA256d(CompactSize || script)[:4]."""
    challenge = bytes(challenge)
    return hash256(ser_compact_size(len(challenge)) + challenge)[:4]


def multisig_1of1_challenge(pubkey):
    """OP_1 <pubkey> OP_1 OP_CHECKMULTISIG, as Core's own signet tests use."""
    return CScript([OP_1, bytes(pubkey), OP_1, OP_CHECKMULTISIG])


def p2wpkh_challenge(pubkey):
    return key_to_p2wpkh_script(bytes(pubkey))


def create_signet_block(prev_hash, height, ntime, *, txs=(), script_pubkey=None, version=0x20000000):
    """An unsigned, unground signet block: coinbase (BIP34 height, 50 BTC), witness commitment."""
    if isinstance(prev_hash, str):
        prev_hash = hex_to_hash(prev_hash)
    if script_pubkey is None:
        script_pubkey = CScript([OP_1])
    coinbase = CTransaction(version=2)
    coinbase.vin = [CTxIn(COutPoint(), bip34_height_script(height), 0xffffffff)]
    coinbase.vout = [CTxOut(50 * COIN, script_pubkey)]
    block = CBlock(version, prev_hash, b"\x00" * 32, ntime, SIGNET_POW_LIMIT_BITS, 0)
    block.vtx = [coinbase] + list(txs)
    add_witness_commitment(block)
    return block


def _commitment_index(block):
    idx = None
    for i, out in enumerate(block.vtx[0].vout):
        if len(out.script_pubkey) >= 38 and out.script_pubkey[:6] == WITNESS_COMMITMENT_PREFIX:
            idx = i
    if idx is None:
        raise ValueError("the block has no witness commitment")
    return idx


def signet_txs(block, challenge):
    """(to_spend, to_sign) of a block whose commitment holds no solution (yet).

    to_sign has no scriptSig or witness: the caller signs it.
    """
    leaves = [tx.txid for tx in block.vtx]
    data = (struct.pack("<i", block.version) + block.prev + merkle_root(leaves) +
            struct.pack("<I", block.time))
    to_spend = CTransaction(version=0, locktime=0)
    to_spend.vin = [CTxIn(COutPoint(), bytes([OP_0]) + push_data(data), 0)]
    to_spend.vout = [CTxOut(0, bytes(challenge))]
    to_sign = CTransaction(version=0, locktime=0)
    to_sign.vin = [CTxIn(COutPoint(to_spend.txid, 0), b"", 0)]
    to_sign.vout = [CTxOut(0, bytes([OP_RETURN]))]
    return to_spend, to_sign


def solution_bytes(script_sig, witness):
    """The serialized solution: the scriptSig, then the witness stack."""
    return ser_var_bytes(bytes(script_sig)) + ser_vector([bytes(w) for w in witness], ser_var_bytes)


def get_solution(block):
    """The solution in block's commitment, or None."""
    script = CScript(block.vtx[0].vout[_commitment_index(block)].script_pubkey)
    for _, data, _ in script.raw_ops():
        if data is not None and len(data) > len(SIGNET_HEADER) and data.startswith(SIGNET_HEADER):
            return data[len(SIGNET_HEADER):]
    return None


def set_solution(block, solution):
    """Replaces any signet push in the commitment with header + solution (None: the bare header)."""
    out = block.vtx[0].vout[_commitment_index(block)]
    kept = b""
    for _, data, end in CScript(out.script_pubkey).raw_ops():
        if data is not None and data.startswith(SIGNET_HEADER):
            break
        kept = bytes(out.script_pubkey[:end])
    payload = SIGNET_HEADER + (solution if solution is not None else b"")
    out.script_pubkey = kept + push_data(payload)
    block.update_merkle_root()


def sign_signet_block(block, challenge, key, *, kind="multisig"):
    """Signs block for challenge with key (ECKey): kind "multisig" (1-of-1) or "p2wpkh"."""
    set_solution(block, None)
    _, to_sign = signet_txs(block, challenge)
    pubkey = key.get_pubkey().get_bytes()
    if kind == "multisig":
        sighash = legacy_signature_hash(bytes(challenge), to_sign, 0, SIGHASH_ALL)
        sig = key.sign_ecdsa(sighash) + bytes([SIGHASH_ALL])
        solution = solution_bytes(CScript([OP_0, sig]), [])
    elif kind == "p2wpkh":
        sighash = segwit_v0_signature_hash(p2wpkh_script_code(pubkey), to_sign, 0, SIGHASH_ALL, 0)
        sig = key.sign_ecdsa(sighash) + bytes([SIGHASH_ALL])
        solution = solution_bytes(b"", [sig, pubkey])
    else:
        raise ValueError("kind must be multisig or p2wpkh")
    set_solution(block, solution)
    return block


def grind(block, util_binary, *, timeout=300):
    """Sets the nonce with `bitroot-util grind` (the header's own nBits)."""
    res = subprocess.run([util_binary, "grind", block.serialize_header().hex()], capture_output=True,
                         text=True, timeout=timeout)
    if res.returncode != 0:
        raise AssertionError("bitroot-util grind failed (%d): %s" % (res.returncode, res.stderr.strip()))
    header = bytes.fromhex(res.stdout.strip())
    if header[:76] != block.serialize_header()[:76]:
        raise AssertionError("bitroot-util grind changed more than the nonce")
    block.nonce = struct.unpack("<I", header[76:80])[0]
    if not block.check_pow():
        raise AssertionError("bitroot-util grind returned a header that misses its target")
    return block
