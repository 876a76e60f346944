#!/usr/bin/env python3
"""Blocks built by the test: Core's reject reasons, and spends of every output kind.

Valid: one block spending a P2PK output (ECDSA, legacy sighash), a P2WPKH
output (ECDSA, BIP143), an OP_TRUE P2WSH output and an OP_TRUE P2TR output
through its script path, all signed by the framework's own secp256k1.

Invalid, each refused by submitblock with Core's reason while the tip stays
put: high-hash, bad-diffbits, time-too-old, time-too-new, bad-version(...),
bad-txnmrklroot, bad-txns-duplicate, bad-cb-missing, bad-cb-multiple,
bad-cb-amount, bad-cb-height, bad-blk-weight, bad-blk-sigops,
bad-txns-inputs-missingorspent, bad-txns-in-belowout,
bad-txns-premature-spend-of-coinbase, bad-txns-nonfinal (absolute lock
time, and BIP68 for versions 0xffffffff and 0x80000000, read unsigned),
bad-witness-merkle-match, unexpected-witness, and
block-script-verify-flag-failed for a bad ECDSA signature, a bad BIP143
signature and a taproot control block for another key.
"""

import time

from test_framework.blocktools import (NUMS_XONLY, add_witness_commitment, create_block, create_coinbase,
                                       create_next_block, create_tx, outpoint_of, p2pk_key_and_script,
                                       p2tr_op_true_info, p2wpkh_key_and_script, sign_p2pk_input,
                                       sign_p2wpkh_input, solve, spend_p2tr_script_path, spend_p2wsh_op_true)
from test_framework.key import ECKey, compute_xonly_pubkey
from test_framework.messages import COutPoint, CTxOut, msg_block
from test_framework.p2p import P2PInterface
from test_framework.script import OP_CHECKSIG, OP_RETURN, CScript
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error


class FeatureBlockTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def submit_new(self, block):
        node = self.nodes[0]
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash_hex)

    def reject(self, block, reason, *, prefix=False):
        node = self.nodes[0]
        tip = node.getbestblockhash()
        got = node.submitblock(block.serialize().hex())
        if prefix:
            assert got is not None and got.startswith(reason), "expected %s..., got %r" % (reason, got)
        else:
            assert_equal(got, reason)
        assert_equal(node.getbestblockhash(), tip)
        self.log.info("  refused: %s", got)

    def reject_p2p(self, block, reason):
        node = self.nodes[0]
        tip = node.getbestblockhash()
        peer = node.add_p2p_connection(P2PInterface())
        with node.assert_debug_log([reason], timeout=30):
            peer.send_message(msg_block(block))
            peer.wait_for_disconnect(timeout=30)
        assert_equal(node.getbestblockhash(), tip)
        self.log.info("  refused over P2P: %s", reason)

    def run_test(self):
        node = self.nodes[0]
        self.p2pk_key, self.p2pk_spk = p2pk_key_and_script(0xA11CE)
        self.wpkh_key, self.wpkh_spk = p2wpkh_key_and_script(0xB0B)
        self.tr = p2tr_op_true_info()

        self.log.info("Coinbases to P2PK, P2WPKH, P2TR (ours) and OP_TRUE P2WSH")
        self.coins = {}
        for name, spk in (("p2pk", self.p2pk_spk), ("p2wpkh", self.wpkh_spk), ("p2tr", self.tr.script_pubkey),
                          ("p2wsh", None), ("p2wsh2", None), ("p2wsh3", None), ("p2wsh4", None)):
            b = create_next_block(node, script_pubkey=spk)
            self.submit_new(b)
            self.coins[name] = (b.vtx[0], 0)
        self.generate(node, 100)

        self.check_valid_spends()
        self.check_header_rules()
        self.check_block_rules()
        self.check_tx_rules()
        self.check_script_failures()
        self.check_trailing_bytes()

    def check_valid_spends(self):
        node = self.nodes[0]
        self.log.info("One block spending P2PK, P2WPKH, P2WSH and P2TR script path")
        txs = []
        cb, n = self.coins["p2pk"]
        tx = create_tx([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, self.p2pk_spk)])
        sign_p2pk_input(tx, 0, self.p2pk_key, self.p2pk_spk)
        txs.append(tx)
        cb, n = self.coins["p2wpkh"]
        tx = create_tx([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, self.wpkh_spk)])
        sign_p2wpkh_input(tx, 0, self.wpkh_key, cb.vout[n].value)
        txs.append(tx)
        cb, n = self.coins["p2wsh"]
        txs.append(spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, b"\x51")]))
        cb, n = self.coins["p2tr"]
        txs.append(spend_p2tr_script_path([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, b"\x51")],
                                          self.tr))
        block = create_next_block(node, txs=txs, fees=4000)
        self.submit_new(block)
        for t in txs:
            out = node.gettxout(t.txid_hex, 0)
            assert out is not None and out["confirmations"] == 1
        for name in ("p2pk", "p2wpkh", "p2wsh", "p2tr"):
            cb, n = self.coins[name]
            assert_equal(node.gettxout(cb.txid_hex, n), None)
        # Keep the P2PK and P2WPKH outputs for the failure cases.
        self.coins["p2pk"] = (txs[0], 0)
        self.coins["p2wpkh"] = (txs[1], 0)

    def run_rejects(self, cases):
        """Runs a table of (name, build, reason[, refuse]): build() makes the
        block at the time its case runs (the tip is the same for every case
        unless a builder says otherwise); refuse(block, reason) checks the
        refusal, self.reject by default."""
        for case in cases:
            name, build, reason = case[:3]
            refuse = case[3] if len(case) > 3 else self.reject
            self.log.info(" %s", name)
            refuse(build(), reason)

    def solved(self, mutate, **kwargs):
        """A builder: the next block, mutated, then its header solved again
        (the merkle root stays as mutate leaves it)."""
        def build():
            b = create_next_block(self.nodes[0], **kwargs)
            mutate(b)
            b.solve()
            return b
        return build

    def check_header_rules(self):
        node = self.nodes[0]
        self.log.info("Header rules")

        def unsolved():
            b = create_next_block(node)
            b.unsolve()
            return b

        def set_bits(b):
            b.bits = 0x1f7fffff         # harder than expected: valid proof of work, wrong target

        def set_version(version):
            def mutate(b):
                b.version = version
            return mutate

        def mediantime():
            return node.getblockheader(node.getbestblockhash())["mediantime"]

        self.run_rejects([
            ("unsolved", unsolved, "high-hash"),
            ("wrong target", self.solved(set_bits), "bad-diffbits"),
            ("time at the median time past", lambda: create_next_block(node, ntime=mediantime()), "time-too-old"),
            ("time over two hours ahead", lambda: create_next_block(node, ntime=int(time.time()) + 2 * 3600 + 600),
             "time-too-new"),
        ] + [("version %d" % v, self.solved(set_version(v)), "bad-version(0x%08x)" % v) for v in (1, 2, 3)])

    def reject_cb_missing(self, block, reason):
        # submitblock refuses this before validation (as Core); over P2P it
        # is validated, logged with its reason, and its sender disconnected.
        assert_raises_rpc_error(-22, "Block does not start with a coinbase", self.nodes[0].submitblock,
                                block.serialize().hex())
        self.reject_p2p(block, reason)

    def check_block_rules(self):
        node = self.nodes[0]
        self.log.info("Block rules")
        height = node.getblockcount() + 1
        tip = node.getbestblockhash()
        hdr = node.getblockheader(tip)
        spend_a = spend_p2wsh_op_true([outpoint_of(*self.coins["p2wsh2"])], [CTxOut(10**8, b"\x51")])
        spend_b = spend_p2wsh_op_true([outpoint_of(*self.coins["p2wsh3"])], [CTxOut(10**8, b"\x51")])

        def set_merkle_root(b):
            b.merkle_root = b"\x13" * 32

        def duplicate_last(b):
            good_root = b.merkle_root
            b.vtx.append(b.vtx[-1])          # same merkle root, duplicated transaction (CVE-2012-2459)
            assert_equal(b.calc_merkle_root(), good_root)

        def drop_coinbase(b):
            b.vtx = b.vtx[1:]
            b.update_merkle_root()

        def second_coinbase(b):
            b.vtx.append(create_coinbase(height, extra_script_sig=b"\x01\x01"))
            b.update_merkle_root()

        def coinbase_plus_one(b):
            b.vtx[0].vout[0].value += 1
            b.update_merkle_root()

        def next_height_coinbase():
            b = create_block(tip, create_coinbase(height + 1), hdr["time"] + 1)
            solve(b)
            return b

        def sigops_coinbase():
            # Over 20,000 legacy sigops (x4 > 80,000) in the coinbase's output.
            cb = create_coinbase(height, script_pubkey=CScript([OP_CHECKSIG] * 20001))
            b = create_block(tip, cb, hdr["time"] + 1)
            solve(b)
            return b

        def heavy():
            # Base size under 1 MB, weight over 4,000,000 thanks to the witness.
            big = spend_p2wsh_op_true([outpoint_of(*self.coins["p2wsh4"])],
                                      [CTxOut(0, CScript([OP_RETURN]) + b"\x00" * 850000)])
            big.witness[0] = [b"\x00" * 1000000] + big.witness[0]
            b = create_next_block(node, txs=[big])
            assert len(b.serialize(with_witness=False)) * 4 <= 4000000 < b.get_weight()
            return b

        w = spend_p2wsh_op_true([outpoint_of(*self.coins["p2wsh2"])], [CTxOut(10**8, b"\x51")])

        def uncovered_reserved_value(b):
            add_witness_commitment(b, nonce=b"\x00" * 32)
            b.vtx[0].witness = [[b"\x01" * 32]]      # reserved value that the commitment does not cover
            b.update_merkle_root()

        self.run_rejects([
            ("wrong merkle root", self.solved(set_merkle_root), "bad-txnmrklroot"),
            ("duplicated last transaction", self.solved(duplicate_last, txs=[spend_a, spend_b]),
             "bad-txns-duplicate"),
            ("no coinbase", self.solved(drop_coinbase, txs=[spend_a]), "bad-cb-missing", self.reject_cb_missing),
            ("two coinbases", self.solved(second_coinbase), "bad-cb-multiple"),
            ("coinbase over subsidy", self.solved(coinbase_plus_one), "bad-cb-amount"),
            ("coinbase of the next height", next_height_coinbase, "bad-cb-height"),
            ("legacy sigops", sigops_coinbase, "bad-blk-sigops"),
            ("weight over 4M", heavy, "bad-blk-weight"),
            ("witness without commitment", lambda: create_next_block(node, txs=[w], witness_commitment=False),
             "unexpected-witness"),
            ("reserved value not committed", self.solved(uncovered_reserved_value, txs=[w]),
             "bad-witness-merkle-match"),
        ])

    def check_tx_rules(self):
        node = self.nodes[0]
        self.log.info("Transaction rules")
        cb, n = self.coins["p2wsh2"]

        def with_spends(*spends):
            return lambda: create_next_block(node, txs=list(spends))

        def young_coinbase_spend():
            # Connects a block first: its coinbase is the one spent too early.
            fresh = create_next_block(node)
            self.submit_new(fresh)
            young = spend_p2wsh_op_true([outpoint_of(fresh.vtx[0], 0)], [CTxOut(1000, b"\x51")])
            return create_next_block(node, txs=[young])

        missing = spend_p2wsh_op_true([COutPoint(b"\x77" * 32, 0)], [CTxOut(1000, b"\x51")])
        over = spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value + 1, b"\x51")])
        nonfinal = spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(1000, b"\x51")],
                                       locktime=node.getblockcount() + 10, sequence=0)
        # Spending the same coin twice in one block.
        twice = (spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(1000, b"\x51")]),
                 spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(2000, b"\x51")]))
        self.run_rejects([
            ("unknown input", with_spends(missing), "bad-txns-inputs-missingorspent"),
            ("outputs over inputs", with_spends(over), "bad-txns-in-belowout"),
            ("locktime not reached", with_spends(nonfinal), "bad-txns-nonfinal"),
            ("immature coinbase", young_coinbase_spend, "bad-txns-premature-spend-of-coinbase"),
            ("coin spent twice in the block", with_spends(*twice), "bad-txns-inputs-missingorspent"),
        ])
        self.check_bip68_version_unsigned()

    def check_bip68_version_unsigned(self):
        """Issue 14: BIP68 reads nVersion unsigned, so 0xffffffff and
        0x80000000 (negative as int32) are >= 2 and their relative locks
        hold; a node that compared the signed value accepted such a block."""
        node = self.nodes[0]
        self.log.info("BIP68 for versions negative as int32")
        cb, n = self.coins["p2wsh2"]
        lock = node.getblockcount() + 100     # blocks: far from met by the next block
        assert lock <= 0xffff
        for version in (-1, -0x80000000):
            tx = spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(1000, b"\x51")], sequence=lock)
            tx.version = version
            self.reject(create_next_block(node, txs=[tx]), "bad-txns-nonfinal")
        # Version 1 has no relative lock: the same spend connects.
        cb, n = self.coins["p2wsh3"]
        tx = spend_p2wsh_op_true([outpoint_of(cb, n)], [CTxOut(1000, b"\x51")], sequence=lock)
        tx.version = 1
        self.submit_new(create_next_block(node, txs=[tx], fees=cb.vout[n].value - 1000))

    def check_script_failures(self):
        node = self.nodes[0]
        self.log.info("Script failures")
        cb, n = self.coins["p2pk"]
        tx = create_tx([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, b"\x51")])
        sign_p2pk_input(tx, 0, ECKey(0xBAD), self.p2pk_spk)           # someone else's key
        self.reject(create_next_block(node, txs=[tx]), "block-script-verify-flag-failed", prefix=True)
        cb, n = self.coins["p2wpkh"]
        tx = create_tx([outpoint_of(cb, n)], [CTxOut(cb.vout[n].value - 1000, b"\x51")])
        sign_p2wpkh_input(tx, 0, self.wpkh_key, cb.vout[n].value + 1)   # signs the wrong amount
        self.reject(create_next_block(node, txs=[tx]), "block-script-verify-flag-failed", prefix=True)
        # A taproot output whose internal key is ours, spent with a control
        # block naming the NUMS key: the commitment check fails.
        mine = compute_xonly_pubkey(b"\x00" * 31 + b"\x07")[0]
        assert mine != NUMS_XONLY
        info = p2tr_op_true_info(mine)
        b1 = create_next_block(node, script_pubkey=info.script_pubkey)
        self.submit_new(b1)
        self.generate(node, 100)
        tx = spend_p2tr_script_path([outpoint_of(b1.vtx[0], 0)], [CTxOut(1000, b"\x51")], self.tr)
        self.reject(create_next_block(node, txs=[tx]), "block-script-verify-flag-failed", prefix=True)
        # The right control block spends it.
        tx = spend_p2tr_script_path([outpoint_of(b1.vtx[0], 0)], [CTxOut(1000, b"\x51")], info)
        self.submit_new(create_next_block(node, txs=[tx], fees=b1.vtx[0].vout[0].value - 1000))

    def check_trailing_bytes(self):
        """Issue 14 (feature_consensus_diff.py): Core reads a block from submitblock's hex or a block
        message and ignores the bytes after it; so does bitrootd, and it keeps only the block."""
        node = self.nodes[0]
        self.log.info("Bytes after a block: ignored (submitblock and P2P), not stored")
        b = create_next_block(node)
        assert_equal(node.submitblock(b.serialize().hex() + "00ff"), None)
        assert_equal(node.getbestblockhash(), b.hash_hex)
        assert_equal(node.getblock(b.hash_hex, 0), b.serialize().hex())
        b = create_next_block(node)
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_frame(b"block", b.serialize() + b"\x00\x01\x02")
        # Validation runs on its own thread: wait for the tip, then check the peer stayed.
        self.wait_until(lambda: node.getbestblockhash() == b.hash_hex, timeout=30)
        peer.sync_with_ping()
        assert_equal(node.getblock(b.hash_hex, 0), b.serialize().hex())
        node.disconnect_p2ps()


if __name__ == "__main__":
    FeatureBlockTest(__file__).main()
