#!/usr/bin/env python3
"""gettxoutproof and verifytxoutproof, as Bitcoin Core.

- Proofs for one, several and all transactions of a block are byte for byte
  the merkle block (BIP37 CMerkleBlock) built here in Python, and
  verifytxoutproof gives back the proven txids in block order.
- Without a block hash the block is found through an unspent output of one
  of the transactions; once every output is spent only a node with
  -txindex finds it; a mempool transaction is "not yet in block".
- Errors: empty and duplicated txids, a wrong or unknown block, a txid not
  in the block, bad hex, truncated and malformed proofs (Core's stream
  errors), wrong types.
- Tampered proofs: a wrong transaction count or a broken tree give [],
  a block that left the active chain gives "Block not found in chain".
"""

import struct

from test_framework.messages import CBlock, hash256, hash_to_hex, hex_to_hash, ser_compact_size
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet


def width(n, h):
    return (n + (1 << h) - 1) >> h


def node_hash(ids, h, pos):
    if h == 0:
        return ids[pos]
    left = node_hash(ids, h - 1, pos * 2)
    right = node_hash(ids, h - 1, pos * 2 + 1) if pos * 2 + 1 < width(len(ids), h - 1) else left
    return hash256(left + right)


def partial_tree(ids, match):
    """Core's CPartialMerkleTree: (flag bits, hashes), depth first."""
    bits, hashes = [], []
    height = 0
    while width(len(ids), height) > 1:
        height += 1

    def build(h, pos):
        parent = any(match[p] for p in range(pos << h, min((pos + 1) << h, len(ids))))
        bits.append(parent)
        if h == 0 or not parent:
            hashes.append(node_hash(ids, h, pos))
            return
        build(h - 1, pos * 2)
        if pos * 2 + 1 < width(len(ids), h - 1):
            build(h - 1, pos * 2 + 1)

    build(height, 0)
    return bits, hashes


def merkle_block(block_hex, txids):
    """The serialized CMerkleBlock proving txids (hex) in the block."""
    block = CBlock.from_hex(block_hex)
    ids = [tx.txid for tx in block.vtx]
    want = {hex_to_hash(t) for t in txids}
    bits, hashes = partial_tree(ids, [i in want for i in ids])
    packed = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        packed[i // 8] |= b << (i % 8)
    return (block.serialize_header() + struct.pack("<I", len(ids)) + ser_compact_size(len(hashes)) +
            b"".join(hashes) + ser_compact_size(len(packed)) + bytes(packed)).hex()


class TxOutProofTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [[], ["-txindex"]]

    def run_test(self):
        node, indexed = self.nodes
        wallet = MiniWallet(node)
        wallet.generate(110, sync_fun=self.sync_all)
        txs = [wallet.send_self_transfer(from_node=node) for _ in range(5)]
        txs.append(wallet.send_self_transfer_multi(from_node=node, num_outputs=3))
        blockhash = self.generate(node, 1)[0]
        block_hex = node.getblock(blockhash, 0)
        ids = [t["txid"] for t in txs]
        block_txids = node.getblock(blockhash)["tx"]
        assert_equal(len(block_txids), 7)

        self.log.info("Proofs are Core's merkle blocks, byte for byte")
        for sel in ([ids[0]], [ids[3], ids[1]], ids, block_txids, [block_txids[0]], [ids[-1]]):
            proof = node.gettxoutproof(sel, blockhash)
            assert_equal(proof, merkle_block(block_hex, sel))
            assert_equal(node.gettxoutproof(sel), proof)
            assert_equal(indexed.gettxoutproof(sel, blockhash), proof)
            in_order = [t for t in block_txids if t in sel]
            assert_equal(node.verifytxoutproof(proof), in_order)
            assert_equal(indexed.verifytxoutproof(proof), in_order)
        assert_equal(node.gettxoutproof(txids=[ids[2]], blockhash=blockhash),
                     merkle_block(block_hex, [ids[2]]))
        # Trailing bytes after the proof are not read, as in Core.
        assert_equal(node.verifytxoutproof(node.gettxoutproof([ids[0]]) + "00"), [ids[0]])
        # A block with a single transaction: the tree is one leaf.
        lone = self.generate(node, 1)[0]
        cb = node.getblock(lone)["tx"][0]
        proof = node.gettxoutproof([cb], lone)
        assert_equal(proof, merkle_block(node.getblock(lone, 0), [cb]))
        assert_equal(node.verifytxoutproof(proof), [cb])

        self.log.info("Without a block hash: unspent outputs, then -txindex")
        spender = wallet.send_self_transfer(from_node=node, utxo_to_spend=txs[0]["new_utxo"])
        self.generate(node, 1)
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, [ids[0]])
        assert_equal(indexed.gettxoutproof([ids[0]]), merkle_block(block_hex, [ids[0]]))
        # One of several with an unspent output is enough.
        assert_equal(node.gettxoutproof([ids[0], ids[1]]), merkle_block(block_hex, [ids[0], ids[1]]))
        assert_equal(node.gettxoutproof([ids[0]], blockhash), merkle_block(block_hex, [ids[0]]))
        mempool_tx = wallet.send_self_transfer(from_node=node)
        for n in self.nodes:
            assert_raises_rpc_error(-5, "Transaction not yet in block", n.gettxoutproof, [mempool_tx["txid"]])
            assert_raises_rpc_error(-5, "Transaction not yet in block", n.gettxoutproof, ["11" * 32])
        assert spender["txid"] in indexed.getblock(indexed.getbestblockhash())["tx"]

        self.log.info("gettxoutproof errors")
        assert_raises_rpc_error(-8, "Parameter 'txids' cannot be empty", node.gettxoutproof, [])
        assert_raises_rpc_error(-8, "Invalid parameter, duplicated txid: %s" % ids[1].upper(),
                                node.gettxoutproof, [ids[1], ids[1].upper()])
        assert_raises_rpc_error(-8, "txid must be of length 64 (not 2, for 'zz')", node.gettxoutproof, ["zz"])
        assert_raises_rpc_error(-8, "txid must be hexadecimal string", node.gettxoutproof, ["zz" * 32])
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.gettxoutproof, [1])
        assert_raises_rpc_error(-3, "Position 1 (txids)", node.gettxoutproof, ids[0])
        assert_raises_rpc_error(-5, "Block not found", node.gettxoutproof, [ids[1]], "11" * 32)
        assert_raises_rpc_error(-8, "blockhash must be of length 64", node.gettxoutproof, [ids[1]], "11")
        assert_raises_rpc_error(-5, "Not all transactions found in specified or retrieved block",
                                node.gettxoutproof, [ids[1]], node.getblockhash(5))
        assert_raises_rpc_error(-5, "Not all transactions found in specified or retrieved block",
                                node.gettxoutproof, [ids[1], "11" * 32])

        self.log.info("verifytxoutproof errors and tampered proofs")
        proof = node.gettxoutproof([ids[1]], blockhash)
        header, rest = proof[:160], proof[160:]
        wrong_count = header + struct.pack("<I", 8).hex() + rest[8:]
        assert_equal(node.verifytxoutproof(wrong_count), [])
        raw = bytearray(bytes.fromhex(proof))
        raw[-1] ^= 0x02                      # another flag bit: the walk differs
        assert_equal(node.verifytxoutproof(raw.hex()), [])
        raw = bytearray(bytes.fromhex(proof))
        raw[90] ^= 1                         # a hash of the tree
        assert_equal(node.verifytxoutproof(raw.hex()), [])
        assert_raises_rpc_error(-1, "DataStream::read(): end of data: iostream error",
                                node.verifytxoutproof, proof[:200])
        assert_raises_rpc_error(-1, "DataStream::read(): end of data: iostream error",
                                node.verifytxoutproof, "00")
        zero = "00" * 84
        assert_raises_rpc_error(-1, "ReadCompactSize(): size too large: iostream error",
                                node.verifytxoutproof, zero + "feffffff7f")
        assert_raises_rpc_error(-1, "non-canonical ReadCompactSize(): iostream error",
                                node.verifytxoutproof, zero + "fd0100")
        # No transactions and a zero merkle root: the empty tree "matches".
        assert_raises_rpc_error(-5, "Block not found in chain", node.verifytxoutproof, zero + "0000")
        for bad in ("zz", "0", ""):
            assert_raises_rpc_error(-8, "proof must be hexadecimal string (not '%s')" % bad,
                                    node.verifytxoutproof, bad)
        assert_raises_rpc_error(-3, "Position 1 (proof)", node.verifytxoutproof, 1)
        assert_equal(node.verifytxoutproof(proof.upper()), [ids[1]])

        self.log.info("A block that left the active chain")
        node.invalidateblock(blockhash)
        assert_raises_rpc_error(-5, "Block not found in chain", node.verifytxoutproof, proof)
        # The block itself is still known: with its hash a proof is still made.
        assert_equal(node.gettxoutproof([ids[1]], blockhash), proof)
        node.reconsiderblock(blockhash)
        assert_equal(node.verifytxoutproof(proof), [ids[1]])
        assert_equal(hash_to_hex(hash256(bytes.fromhex(header))), blockhash)


if __name__ == "__main__":
    TxOutProofTest(__file__).main()
