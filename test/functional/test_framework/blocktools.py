"""Building blocks and transactions for tests.

create_block + create_coinbase give a regtest block that bitrootd (and
bitcoind) accept once solved: BIP34 height in the coinbase, witness
commitment when any transaction has a witness (or when asked). The spend_*
helpers build transactions spending OP_TRUE P2WSH, P2TR script-path, P2PK
and P2WPKH outputs, signing with the framework's own secp256k1.
"""

import struct
import time

from .key import ECKey
from .messages import (COIN, REGTEST_POW_LIMIT_BITS, CBlock, COutPoint, CTransaction, CTxIn,
                       CTxOut, hash256, hex_to_hash)
from .script import (OP_0, OP_1, OP_RETURN, OP_TRUE, SIGHASH_ALL, CScript,
                     key_to_p2pk_script, key_to_p2wpkh_script, legacy_signature_hash,
                     p2wpkh_script_code, script_num_encode, script_to_p2wsh_script,
                     segwit_v0_signature_hash, taproot_construct)

WITNESS_COMMITMENT_HEADER = b"\xaa\x21\xa9\xed"
REGTEST_HALVING_INTERVAL = 150
COINBASE_MATURITY = 100
VERSIONBITS_TOP = 0x20000000

# An x-only key nobody knows the secret of (BIP341's H point), for outputs
# that must only be spendable through a script path.
NUMS_XONLY = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")

OP_TRUE_SCRIPT = CScript([OP_TRUE])


def block_subsidy(height, halving_interval=REGTEST_HALVING_INTERVAL):
    halvings = height // halving_interval
    if halvings >= 64:
        return 0
    return (50 * COIN) >> halvings


def bip34_height_script(height):
    """The scriptSig start BIP34 requires: the height as CScript() << height would push it.

    OP_1 is appended for heights 1..16 so the scriptSig meets the 2-byte minimum.
    """
    if height == 0:
        return CScript([OP_0, OP_1])
    if 1 <= height <= 16:
        return CScript([height, OP_1])
    return CScript([script_num_encode(height)])


def create_coinbase(height, *, script_pubkey=None, pubkey=None, fees=0, value=None,
                    extra_script_sig=b"", extra_outputs=()):
    """A coinbase for height paying subsidy+fees to script_pubkey (default OP_TRUE P2WSH)."""
    if pubkey is not None:
        script_pubkey = key_to_p2pk_script(pubkey)
    if script_pubkey is None:
        script_pubkey = script_to_p2wsh_script(OP_TRUE_SCRIPT)
    if value is None:
        value = block_subsidy(height) + fees
    script_sig = bytes(bip34_height_script(height)) + bytes(extra_script_sig)
    tx = CTransaction(version=2)
    tx.vin = [CTxIn(COutPoint(), script_sig, 0xffffffff)]
    tx.vout = [CTxOut(value, script_pubkey)] + list(extra_outputs)
    return tx


def witness_commitment_script(block, nonce=b"\x00" * 32):
    root = block.calc_witness_merkle_root()
    return CScript([OP_RETURN, WITNESS_COMMITMENT_HEADER + hash256(root + nonce)])


def add_witness_commitment(block, nonce=b"\x00" * 32):
    """Adds (or replaces) the BIP141 commitment and the coinbase witness reserved value."""
    coinbase = block.vtx[0]
    coinbase.witness = [[nonce]]
    coinbase.vout = [o for o in coinbase.vout
                     if not (len(o.script_pubkey) >= 38 and o.script_pubkey[:6] == b"\x6a\x24" +
                             WITNESS_COMMITMENT_HEADER)]
    coinbase.vout.append(CTxOut(0, witness_commitment_script(block, nonce)))
    block.update_merkle_root()


def create_block(prev_hash=None, coinbase=None, ntime=None, *, version=VERSIONBITS_TOP,
                 txs=(), bits=REGTEST_POW_LIMIT_BITS, height=None, tmpl=None, witness_commitment=None):
    """An unsolved block. prev_hash: hex string or 32 bytes (internal order).

    tmpl: a getblocktemplate result; supplies prev hash, height, time and bits.
    witness_commitment: True/False forces it; None adds it when a tx has a witness.
    """
    if tmpl is not None:
        prev_hash = tmpl["previousblockhash"]
        height = tmpl["height"]
        ntime = tmpl["curtime"] if ntime is None else ntime
        bits = int(tmpl["bits"], 16)
        version = tmpl["version"]
    if isinstance(prev_hash, str):
        prev_hash = hex_to_hash(prev_hash)
    if coinbase is None:
        if height is None:
            raise ValueError("create_block needs a coinbase or a height")
        fees = 0
        coinbase = create_coinbase(height, fees=fees)
    block = CBlock(version, prev_hash, b"\x00" * 32, int(ntime if ntime is not None else time.time()),
                   bits, 0)
    block.vtx = [coinbase] + list(txs)
    if witness_commitment or (witness_commitment is None and any(t.has_witness() for t in txs)):
        add_witness_commitment(block)
    block.update_merkle_root()
    return block


def solve(block):
    block.update_merkle_root()
    block.solve()
    return block


def create_next_block(node, txs=(), *, script_pubkey=None, ntime=None, fees=0, witness_commitment=None):
    """A solved block on node's tip, with time one second past the tip's mediantime or later."""
    tip = node.getbestblockhash()
    hdr = node.getblockheader(tip)
    height = hdr["height"] + 1
    if ntime is None:
        ntime = max(hdr["mediantime"] + 1, hdr["time"] + 1)
    cb = create_coinbase(height, script_pubkey=script_pubkey, fees=fees)
    block = create_block(tip, cb, ntime, txs=txs, witness_commitment=witness_commitment)
    return solve(block)


def create_chain(prev_hash, start_height, start_time, count, *, script_pubkey=None):
    """count solved blocks in a row on prev_hash."""
    blocks = []
    for i in range(count):
        cb = create_coinbase(start_height + i, script_pubkey=script_pubkey)
        b = create_block(prev_hash, cb, start_time + i)
        solve(b)
        blocks.append(b)
        prev_hash = b.hash
    return blocks


# --- Spends ----------------------------------------------------------------------

def outpoint_of(tx, n=0):
    return COutPoint(tx.txid, n)


def spend_p2wsh_op_true(prevouts, outputs, *, locktime=0, sequence=0xffffffff):
    """Spends OP_TRUE P2WSH outputs: each witness is just the script."""
    tx = CTransaction(version=2, locktime=locktime)
    tx.vin = [CTxIn(p, b"", sequence) for p in prevouts]
    tx.vout = list(outputs)
    tx.witness = [[bytes(OP_TRUE_SCRIPT)] for _ in prevouts]
    return tx


def p2tr_op_true_info(internal_pubkey=NUMS_XONLY):
    """A taproot output with a single OP_TRUE leaf (spendable by script path only)."""
    return taproot_construct(internal_pubkey, [("op_true", OP_TRUE_SCRIPT)])


def spend_p2tr_script_path(prevouts, outputs, info, leaf="op_true", stack=()):
    """Spends taproot outputs through one leaf: witness = stack items, script, control block."""
    script, _, control = info.leaves[leaf]
    tx = CTransaction(version=2)
    tx.vin = [CTxIn(p, b"", 0xffffffff) for p in prevouts]
    tx.vout = list(outputs)
    tx.witness = [list(stack) + [bytes(script), control] for _ in prevouts]
    return tx


def sign_p2pk_input(tx, in_idx, key, spent_script, hashtype=SIGHASH_ALL):
    """Sets the scriptSig of input in_idx spending a P2PK output of key."""
    sighash = legacy_signature_hash(spent_script, tx, in_idx, hashtype)
    sig = key.sign_ecdsa(sighash) + bytes([hashtype])
    tx.vin[in_idx].script_sig = bytes(CScript([sig]))


def sign_p2wpkh_input(tx, in_idx, key, amount, hashtype=SIGHASH_ALL):
    """Sets the witness of input in_idx spending a P2WPKH output of key."""
    pub = key.get_pubkey().get_bytes()
    sighash = segwit_v0_signature_hash(p2wpkh_script_code(pub), tx, in_idx, hashtype, amount)
    sig = key.sign_ecdsa(sighash) + bytes([hashtype])
    while len(tx.witness) < len(tx.vin):
        tx.witness.append([])
    tx.witness[in_idx] = [sig, pub]
    tx.vin[in_idx].script_sig = b""


def create_tx(prevouts, outputs, *, version=2, locktime=0):
    tx = CTransaction(version=version, locktime=locktime)
    tx.vin = [CTxIn(p, b"", 0xffffffff) for p in prevouts]
    tx.vout = list(outputs)
    return tx


def p2pk_key_and_script(secret=None):
    key = ECKey(secret if secret is not None else 0x1234567, compressed=True)
    return key, key_to_p2pk_script(key.get_pubkey().get_bytes())


def p2wpkh_key_and_script(secret=None):
    key = ECKey(secret if secret is not None else 0x7654321, compressed=True)
    return key, key_to_p2wpkh_script(key.get_pubkey().get_bytes())


def bootstrap_records(path, magic=bytes.fromhex("fabfb5da")):
    """Yields raw blocks from a bootstrap file (magic, 4-byte LE length, block)."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + 8 <= len(data):
        if data[pos:pos + 4] != magic:
            # Bytes between records are skipped, as -loadblock does.
            nxt = data.find(magic, pos + 1)
            if nxt < 0:
                break
            pos = nxt
            continue
        length = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if pos + 8 + length > len(data):
            break
        yield data[pos + 8:pos + 8 + length]
        pos += 8 + length
