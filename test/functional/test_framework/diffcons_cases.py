"""Directed differential consensus cases: every rule at its edges.

Each case builds one block on the harness's tip and judges it; expect is
what the case means to build (Core's answer), checked so that a case that
silently stopped testing its rule is noticed: VALID, a reject reason, or
se("...") for a script failure with that ScriptErrorString. Agreement
between Core and bitrootd is what the test asserts; a wrong expectation is
reported separately.

Groups run at the main chain's tip (height MAIN_TIP + 1), except:
- low_height(): the low chain, at each height 1 .. LOW_TOP;
- activation(active): the main chain at ACTIVATION - 1 and ACTIVATION.
"""

import time

from .diffcons import (BARE_TRUE, MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT, MAX_MONEY, SEQUENCE_DISABLE,
                       SEQUENCE_FINAL, SEQUENCE_TYPE_TIME, VALID, Coin, Raw, TrScript, bip34_push, commitment_script,
                       ecdsa_sig, set_witness, sign_tx, spend_tx, subsidy, tx_sigop_cost)
from .diffcons_world import (SIGOPS_SCRIPT as SIGOPS_SCRIPT_FOR_FAKE, ACTIVATION, BIP30_TAGS, BIP30_VALUE, KEY,
                             LEAF_SECRETS, MAIN_TIP, SIGOPS_PER_SCRIPT,
                             WSH_SCRIPTS)
from .diffcons_random import Writer, ser_cs
from .key import ORDER, der_decode, der_encode, sign_schnorr
from .messages import COutPoint, CTransaction, CTxIn, CTxOut, ser_compact_size
from .script import (OP_0, OP_1, OP_CHECKMULTISIG, OP_CHECKSIG, OP_DROP, OP_ENDIF, OP_IF, OP_NOP, OP_NOT, OP_RETURN,
                     CScriptOp, OP_TRUE, SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE, CScript,
                     SIGHASH_ONE, legacy_signature_hash, p2wpkh_script_code, script_num_encode,
                     segwit_v0_signature_hash, tapleaf_hash, taproot_signature_hash)


def se(msg):
    """Expectation: a block script failure with ScriptErrorString msg."""
    return "~(%s)" % msg


EVAL_FALSE = se("Script evaluated without error but finished with a false/empty top stack element")
LOCKTIME = se("Locktime requirement not satisfied")
NONFINAL = "bad-txns-nonfinal"


X = CScriptOp


def num(n):
    """A script number push's bytes (CScriptNum, minimal)."""
    return script_num_encode(n)


class Directed:
    def __init__(self, h, world, log):
        self.h = h
        self.w = world
        self.log = log
        self.count = 0

    # -- plumbing --

    def judge(self, name, block, expect=None, *, seal=True, solve=True):
        if seal:
            self.h.finish(block, solve=solve)
        self.count += 1
        return self.h.judge(name, block, expect)

    def txs_case(self, name, txs, expect, **kw):
        seal_kw = {}
        for k in ("commit",):
            if k in kw:
                seal_kw[k] = kw.pop(k)
        b = self.h.block(txs, **kw)
        if seal_kw:
            self.h.finish(b, **seal_kw)
            return self.judge(name, b, expect, seal=False)
        return self.judge(name, b, expect)

    def spend(self, coins, *, version=2, locktime=0, sequence=SEQUENCE_FINAL, outputs=None, fee=1000, sign=True,
              **opts):
        tx = spend_tx(coins, outputs, version=version, locktime=locktime, sequence=sequence, fee=fee)
        if sign:
            sign_tx(tx, coins, **opts)
        return tx

    def spend_case(self, name, coins, expect, *, block_kw=None, **kw):
        tx = self.spend(coins, **kw)
        return self.txs_case(name, [tx], expect, **(block_kw or {}))

    def coin(self, tag, k=0):
        return self.h.coin(tag, k)

    def run(self, groups):
        for g in groups:
            getattr(self, "g_" + g)()

    ALL = ("header", "block", "serialization", "coinbase", "witness_commitment", "tx", "chain", "locktime", "bip68", "sigops",
           "weight", "legacy_script", "segwit", "taproot", "tapscript")

    # ================================================================ low chain

    def low_height(self):
        """At the low chain's next height: BIP34 pushes, short coinbases, MTP near genesis."""
        h = self.h
        height = h.next_height
        mtp = h.mtp()
        push = bip34_push(height)
        cases = []
        # The push alone is one byte for 1..16: one byte is too short a scriptSig.
        if len(push) == 1:
            cases.append(("cb_len1", push, "bad-cb-length"))
            cases.append(("cb_len2", push + b"\x00", VALID))
            # A push of the number instead of OP_n is not what CScript() << n writes.
            cases.append(("bip34_push_not_opn", bytes([1, height]) + b"\x00", "bad-cb-height"))
        else:
            cases.append(("bip34_minimal", push, VALID if len(push) >= 2 else "bad-cb-length"))
            cases.append(("bip34_opn_instead", bytes([0x50 + height]) + b"\x00" if height <= 16 else
                          push[:-1] + bytes([push[-1] ^ 1]), "bad-cb-height"))
        cases.append(("bip34_next", bip34_push(height + 1) + b"\x00", "bad-cb-height"))
        cases.append(("bip34_prev", bip34_push(height - 1) + b"\x00", "bad-cb-height"))
        cases.append(("bip34_pushdata1", bytes([0x4c, len(num(height))]) + num(height), "bad-cb-height"))
        for name, sig, expect in cases:
            cb = h.coinbase(height, script_sig=sig)
            self.judge("low%d_%s" % (height, name), h.block(cb=cb), expect)
        # Median time past over fewer than 11 blocks.
        self.judge("low%d_time_mtp" % height, h.block(time_=mtp), "time-too-old")
        self.judge("low%d_time_mtp1" % height, h.block(time_=mtp + 1), VALID)
        for v in (1, 2, 3, 4):
            # Default regtest buries BIP34, BIP66 and BIP65 at height 1: below 4 is too old.
            expect = VALID if v >= 4 else "bad-version(0x%08x)" % v
            self.judge("low%d_version%d" % (height, v), h.block(version=v), expect)

    # ================================================================ activation boundary

    def activation(self, active):
        """Cases at ACTIVATION - 1 (active False) and ACTIVATION (active True)."""
        h = self.h
        assert h.next_height == (ACTIVATION if active else ACTIVATION - 1)
        tag = "act%d_" % h.next_height

        def ex(pre, post):
            return post if active else pre

        for v in (1, 2, 3):
            self.judge(tag + "version%d" % v, h.block(version=v), ex(VALID, "bad-version(0x%08x)" % v))
        self.judge(tag + "version4", h.block(version=4), VALID)
        # BIP34: a coinbase without the height.
        cb = h.coinbase(script_sig=b"\x51\x51")
        self.judge(tag + "bip34_missing", h.block(cb=cb), ex(VALID, "bad-cb-height"))
        cb = h.coinbase(script_sig=b"\x51")
        self.judge(tag + "cb_len1", h.block(cb=cb), "bad-cb-length")
        # BIP66: a signature that is not strict DER.
        c = self.coin("pre_p2pk")
        tx = self.spend([c])
        tx.vin[0].script_sig = bytes(CScript([self.bad_der_pad(tx, 0, c)]))
        self.txs_case(tag + "dersig_padded", [tx], ex(VALID, se("Non-canonical DER signature")))
        # BIP65: CLTV 100 with lock time 99 and 100.
        self.spend_case(tag + "cltv_unmet", [self.coin("pre_bare_cltv100")], ex(VALID, LOCKTIME),
                        sequence=0, locktime=99)
        self.spend_case(tag + "cltv_met", [self.coin("pre_bare_cltv100")], VALID, sequence=0, locktime=100)
        # BIP112: CSV 10 with version 1.
        self.spend_case(tag + "csv_v1", [self.coin("pre_bare_csv10")], ex(VALID, LOCKTIME), version=1,
                        sequence=10)
        self.spend_case(tag + "csv_v2_met", [self.coin("pre_bare_csv10")], VALID, version=2, sequence=10)
        # BIP68: a relative lock of 100 blocks on a coin from height 101.
        c = self.coin("pre_true")
        depth = h.next_height - c.height
        self.spend_case(tag + "bip68_unmet", [c], ex(VALID, NONFINAL), sequence=depth + 1)
        self.spend_case(tag + "bip68_met", [c], VALID, sequence=depth)
        # BIP113: lock time between the parent's MTP and the block's time.
        bt = h.default_time()
        mtp = h.mtp()
        self.spend_case(tag + "bip113_mtp", [c], ex(VALID, NONFINAL), locktime=mtp, sequence=0)
        self.spend_case(tag + "bip113_mtp_minus1", [c], VALID, locktime=mtp - 1, sequence=0)
        self.spend_case(tag + "bip113_blocktime", [c], NONFINAL, locktime=bt, sequence=0)
        self.spend_case(tag + "bip113_blocktime_minus1", [c], ex(VALID, NONFINAL), locktime=bt - 1, sequence=0)
        # BIP147: NULLDUMMY with segwit.
        self.spend_case(tag + "nulldummy", [self.coin("pre_ms")], ex(VALID, se("Dummy CHECKMULTISIG argument "
                                                                                 "must be zero")), dummy=b"\x01")
        self.spend_case(tag + "nulldummy_ok", [self.coin("pre_ms")], VALID)
        # BIP141: witness data before segwit, P2WSH spent without it, unknown versions.
        self.spend_case(tag + "wsh_with_witness", [self.coin("pre_wsh_true")], ex("unexpected-witness", VALID))
        tx = self.spend([self.coin("pre_wsh_true")], sign=False)
        self.txs_case(tag + "wsh_without_witness", [tx], se("Witness program was passed an empty witness"))
        self.spend_case(tag + "v2_no_witness", [self.coin("pre_v2")], VALID)
        tx = self.spend([self.coin("pre_v2")], sign=False)
        set_witness(tx, 0, [b"\x01"])
        self.txs_case(tag + "v2_with_witness", [tx], ex("unexpected-witness", VALID))
        self.spend_case(tag + "shwpkh", [self.coin("pre_shwpkh")], ex("unexpected-witness", VALID))
        # A commitment without witnesses is fine either side; a wrong one only counts with segwit.
        b = h.block([self.spend([self.coin("pre_true")])], commitment=True)
        self.judge(tag + "commitment_and_cb_witness", b, ex("unexpected-witness", VALID))
        b = h.block([self.spend([self.coin("pre_true")])], commitment=False)
        b.vtx[0].vout.append(CTxOut(0, commitment_script(b.calc_witness_merkle_root())))
        self.judge(tag + "commitment_no_witness", b, VALID)
        b = h.block([self.spend([self.coin("pre_true")])], commitment=False)
        b.vtx[0].vout.append(CTxOut(0, commitment_script(b"\x11" * 32)))
        self.judge(tag + "commitment_wrong_no_witness", b, ex(VALID, "bad-witness-merkle-match"))
        self.spend_case(tag + "sh_true", [self.coin("pre_sh_true")], VALID)

    # ================================================================ header

    def g_header(self):
        h = self.h
        mtp = h.mtp()
        self.judge("time_eq_mtp", h.block(time_=mtp), "time-too-old")
        self.judge("time_mtp_plus1", h.block(time_=mtp + 1), VALID)
        self.judge("time_below_parent_above_mtp", h.block(time_=h.times[h.height] - 1), VALID)
        # The future limit, on a clock both nodes share.
        now = int(time.time())
        for n in h.nodes:
            n.setmocktime(now)
        try:
            self.judge("time_now_plus_2h", h.block(time_=now + 7200), VALID)
            self.judge("time_now_plus_2h_1", h.block(time_=now + 7201), "time-too-new")
        finally:
            for n in h.nodes:
                n.setmocktime(0)
        for v in (0, 1, 2, 3, -1, -0x80000000):
            self.judge("version_%x" % (v & 0xffffffff), h.block(version=v), "bad-version(0x%08x)" % (v & 0xffffffff))
        for v in (4, 5, 0x20000000, 0x7fffffff, 0x3fffffff):
            self.judge("version_%x" % v, h.block(version=v), VALID)
        self.judge("bits_wrong", h.block(bits=0x207ffffe), "bad-diffbits")
        b = h.finish(h.block(), solve=False)
        b.unsolve()
        self.judge("high_hash", b, "high-hash", seal=False)
        self.judge("prev_unknown", h.block(prev=b"\x42" * 32), "prev-blk-not-found")
        # submitblock's other answers: a block already on the chain, one already refused, a side branch.
        self.count += 1
        h.judge("resubmit_tip", bytes.fromhex(h.chain_blocks[-1]), "duplicate")
        b = h.block(cb_delta=1)
        self.judge("refused_once", b, "bad-cb-amount")
        self.count += 1
        h.judge("refused_twice", b.serialize(), "duplicate-invalid")
        parent = h.height - 1
        side = h.block(prev=h.hashes[parent], height=h.height, time_=h.times[h.height] + 1)
        self.judge("side_branch_same_height", side, "inconclusive")
        side = h.block(prev=h.hashes[parent - 1], height=h.height - 1, time_=h.times[h.height] + 2)
        self.judge("side_branch_lower", side, "inconclusive")

    # ================================================================ block

    def g_block(self):
        h = self.h
        b = h.finish(h.block([self.spend([self.coin("true")])]), solve=False)
        b.merkle_root = b"\x13" * 32
        h.solve(b)
        self.judge("merkle_wrong", b, "bad-txnmrklroot", seal=False)
        t1, t2 = self.spend([self.coin("true", 0)]), self.spend([self.coin("true", 1)])
        b = h.block([t1, t2])
        h.finish(b, solve=False)
        b.vtx.append(t2)
        h.solve(b)
        self.judge("duplicate_tx_same_root", b, "bad-txns-duplicate", seal=False)
        b = h.block([t1, t1])
        self.judge("duplicate_tx_odd_position", b, "bad-txns-inputs-missingorspent")
        b = h.block([t2, t1, t1])
        self.judge("duplicate_tx_even_position", b, "bad-txns-duplicate")
        b = h.block([h.coinbase(extra=b"\x01\x01")])
        self.judge("two_coinbases", b, "bad-cb-multiple")
        b = h.block([t1])
        b.vtx = b.vtx[1:]
        self.judge("no_coinbase", b, "rpc-error -22: Block does not start with a coinbase")
        # A coinbase-like tx with two inputs is not a coinbase.
        cb = h.coinbase()
        cb.vin.append(CTxIn(self.coin("true").outpoint, b"", SEQUENCE_FINAL))
        self.judge("coinbase_two_inputs", h.block(cb=cb), "rpc-error -22: Block does not start with a coinbase")
        self.size_cases()

    def g_serialization(self):
        """What submitblock decodes: Core reads the block and ignores the bytes after it."""
        h = self.h
        c = self.coin("true")

        def raw_case(name, raw, expect):
            self.count += 1
            return h.judge(name, raw, expect)
        b = h.finish(h.block([self.spend([c])]))
        raw = b.serialize()
        raw_case("trailing_byte", raw + b"\x00", VALID)
        b = h.finish(h.block([self.spend([c])]))
        raw_case("trailing_junk", b.serialize() + bytes(range(256)) * 4, VALID)
        b = h.finish(h.block([self.spend([self.coin("wsh_true")])]))
        raw_case("trailing_after_witness_block", b.serialize() + b"\x01\x00\x00\x00", VALID)
        b = h.finish(h.block([self.spend([c]), self.spend([self.coin("true", 1)])]))
        raw = b.serialize()
        n = len(b.vtx)
        raw_case("tx_count_minus1_rest_trailing", raw[:80] + ser_cs(n - 1) + raw[81:], "bad-txnmrklroot")
        raw_case("tx_count_plus1", raw[:80] + ser_cs(n + 1) + raw[81:], "rpc-error -22: Block decode failed")
        raw_case("tx_count_zero", raw[:80] + ser_cs(0) + raw[81:],
                 "rpc-error -22: Block does not start with a coinbase")
        raw_case("tx_count_noncanonical", raw[:80] + b"\xfd" + n.to_bytes(2, "little") + raw[81:],
                 "rpc-error -22: Block decode failed")
        raw_case("truncated", raw[:-1], "rpc-error -22: Block decode failed")
        raw_case("header_only", raw[:80], "rpc-error -22: Block decode failed")
        b = h.finish(h.block([self.spend([c])]))
        raw_case("superfluous_witness_record", Writer(-1, force_witness=True).block(b),
                 "rpc-error -22: Block decode failed")
        b = h.finish(h.block([self.spend([self.coin("wsh_true")])]))
        raw = bytearray(b.serialize())
        off = 80 + 1 + len(b.vtx[0].serialize())
        assert raw[off + 4:off + 6] == b"\x00\x01"
        raw[off + 5] = 0x03
        raw_case("unknown_witness_flag", bytes(raw), "rpc-error -22: Block decode failed")
        b = h.finish(h.block([self.spend([c])]))
        total = Writer(-1)
        total.block(b)
        for k in range(total.k):
            raw_case("noncanonical_compactsize_%d" % k, Writer(k).block(b), "rpc-error -22: Block decode failed")

    def size_cases(self):
        """Stripped size at 1,000,000 bytes and one above (bad-blk-length)."""
        h = self.h
        for extra, expect in ((0, VALID), (1, "bad-blk-length")):
            c = self.coin("true", 2)
            tx = self.spend([c])
            b = h.block([tx])
            base = len(b.serialize(with_witness=False))
            want = 1_000_000 + extra
            # Grow one OP_RETURN output until the block has the wanted size.
            pad = want - base
            tx.vout.append(CTxOut(0, bytes([OP_RETURN])))
            for _ in range(3):
                cur = len(h.block([tx]).serialize(with_witness=False))
                spk = tx.vout[-1].script_pubkey
                tx.vout[-1] = CTxOut(0, spk + b"\x00" * (want - cur) if want > cur else spk[:len(spk) - (cur - want)])
            b = h.block([tx])
            assert len(b.serialize(with_witness=False)) == want, (len(b.serialize(with_witness=False)), want, pad)
            self.judge("stripped_size_%d" % want, b, expect)

    # ================================================================ coinbase

    def g_coinbase(self):
        h = self.h
        height = h.next_height
        push = bip34_push(height)
        for n, expect in ((100, VALID), (101, "bad-cb-length")):
            cb = h.coinbase(script_sig=push + b"\x00" * (n - len(push)))
            self.judge("cb_scriptsig_%d" % n, h.block(cb=cb), expect)
        for name, sig, expect in (
                ("minimal", push, VALID),
                ("minimal_then_junk", push + b"\xff\x00", VALID),
                ("nonminimal_zero_pad", bytes([len(num(height)) + 1]) + num(height) + b"\x00", "bad-cb-height"),
                ("pushdata1", bytes([0x4c, len(num(height))]) + num(height), "bad-cb-height"),
                ("pushdata2", bytes([0x4d, len(num(height)), 0]) + num(height), "bad-cb-height"),
                ("next", bip34_push(height + 1), "bad-cb-height"),
                ("prev", bip34_push(height - 1), "bad-cb-height"),
                ("negative", bytes(CScript([-height])), "bad-cb-height"),
                ("truncated", push[:-1] + b"", "bad-cb-height"),
                ("big_endian", bytes([len(num(height))]) + num(height)[::-1], "bad-cb-height")):
            cb = h.coinbase(script_sig=sig if len(sig) >= 2 else sig + b"\x00")
            self.judge("bip34_" + name, h.block(cb=cb), expect)
        # Subsidy plus fees, to the satoshi.
        c = self.coin("true")
        tx = self.spend([c], fee=12345)
        self.txs_case("cb_amount_exact_fees", [tx], VALID)
        self.txs_case("cb_amount_plus1_fees", [tx], "bad-cb-amount", cb_delta=1)
        self.txs_case("cb_amount_minus1", [], VALID, cb_delta=-1)
        self.txs_case("cb_amount_plus1", [], "bad-cb-amount", cb_delta=1)
        cb = h.coinbase(outputs=[CTxOut(subsidy(height) // 2, BARE_TRUE), CTxOut(subsidy(height) // 2 + 1, BARE_TRUE)])
        self.judge("cb_amount_two_outputs_plus1", h.block(cb=cb), "bad-cb-amount")
        cb = h.coinbase(outputs=[CTxOut(-1, BARE_TRUE)])
        self.judge("cb_value_negative", h.block(cb=cb), "bad-txns-vout-negative")
        cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE), CTxOut(-1, BARE_TRUE)])
        self.judge("cb_second_value_negative", h.block(cb=cb), "bad-txns-vout-negative")
        cb = h.coinbase(outputs=[])
        self.judge("cb_no_outputs", h.block(cb=cb), "bad-txns-vout-empty")
        # The coinbase's own lock time counts.
        cb = h.coinbase(locktime=height + 1, sequence=0)
        self.judge("cb_locktime_nonfinal", h.block(cb=cb), NONFINAL)
        cb = h.coinbase(locktime=height + 1, sequence=SEQUENCE_FINAL)
        self.judge("cb_locktime_final_seq", h.block(cb=cb), VALID)
        cb = h.coinbase(locktime=height - 1, sequence=0)
        self.judge("cb_locktime_met", h.block(cb=cb), VALID)
        cb = h.coinbase(version=2, sequence=0xffff)
        self.judge("cb_sequence_bip68_ignored", h.block(cb=cb), VALID)
        cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE)], version=-1)
        self.judge("cb_version_ffffffff", h.block(cb=cb), VALID)
        # BIP30: a coinbase made before BIP34 that pushes this height.
        for hh, expect in ((2, "bad-txns-BIP30"), (3, VALID)):
            cb = h.coinbase(script_sig=bip34_push(height) + BIP30_TAGS[hh], value=BIP30_VALUE)
            assert cb.txid == h.coinbases[hh].outpoint.txid
            self.judge("bip30_dup_cb_of_h%d" % hh, h.block(cb=cb), expect)
        # Coinbase maturity: 100 blocks deep exactly, and 99.
        self.spend_case("maturity_100", [h.coinbases[height - 100]], VALID)
        self.spend_case("maturity_99", [h.coinbases[height - 99]], "bad-txns-premature-spend-of-coinbase")
        self.spend_case("maturity_1", [h.coinbases[height - 1]], "bad-txns-premature-spend-of-coinbase")
        b = h.block()
        cb = b.vtx[0]
        own = Coin(COutPoint(cb.txid, 0), cb.vout[0], height, True, Raw(BARE_TRUE))
        tx = self.spend([own])
        b.vtx.append(tx)
        self.judge("maturity_0_same_block", b, "bad-txns-premature-spend-of-coinbase")

    # ================================================================ witness commitment

    def g_witness_commitment(self):
        h = self.h
        wtx = lambda: self.spend([self.coin("wsh_true")])  # noqa: E731
        self.txs_case("wc_ok", [wtx()], VALID)
        self.txs_case("wc_missing", [wtx()], "unexpected-witness", commitment=False)
        b = h.block([wtx()])
        h.finish(b, solve=False)
        b.vtx[0].vout[-1] = CTxOut(0, commitment_script(b"\x22" * 32))
        b.merkle_root = b.calc_merkle_root()
        h.solve(b)
        self.judge("wc_wrong", b, "bad-witness-merkle-match", seal=False)
        # Two commitments: the last one counts.
        for last_good in (True, False):
            b = h.block([wtx()])
            h.finish(b, solve=False)
            good = b.vtx[0].vout[-1]
            bad = CTxOut(0, commitment_script(b"\x33" * 32))
            b.vtx[0].vout[-1:] = [bad, good] if last_good else [good, bad]
            b.merkle_root = b.calc_merkle_root()
            h.solve(b)
            self.judge("wc_two_last_%s" % ("good" if last_good else "bad"), b,
                       VALID if last_good else "bad-witness-merkle-match", seal=False)
        # Nonce (reserved value) sizes.
        for name, stack, expect in (("nonce_31", [b"\x00" * 31], "bad-witness-nonce-size"),
                                    ("nonce_33", [b"\x00" * 33], "bad-witness-nonce-size"),
                                    ("nonce_two_items", [b"\x00" * 32, b""], "bad-witness-nonce-size"),
                                    ("nonce_nonzero", [b"\x07" * 32], VALID)):
            b = h.block([wtx()])
            h.finish(b, solve=False, nonce_value=stack[0] if len(stack[0]) == 32 else b"\x00" * 32)
            set_witness(b.vtx[0], 0, stack)
            b.merkle_root = b.calc_merkle_root()
            h.solve(b)
            self.judge("wc_" + name, b, expect, seal=False)
        # No reserved value: submitblock puts the default one in.
        b = h.block([wtx()])
        h.finish(b, solve=False)
        set_witness(b.vtx[0], 0, [])
        h.solve(b)
        self.judge("wc_nonce_missing_added_by_submitblock", b, VALID, seal=False)
        b = h.block([wtx()])
        h.finish(b, solve=False, nonce_value=b"\x01" * 32)
        set_witness(b.vtx[0], 0, [])
        h.solve(b)
        self.judge("wc_nonce_missing_commits_other", b, "bad-witness-merkle-match", seal=False)
        # The commitment output's script may be longer; shorter is not a commitment.
        b = h.block([wtx()])
        h.finish(b, solve=False)
        b.vtx[0].vout[-1] = CTxOut(0, b.vtx[0].vout[-1].script_pubkey + b"\x01")
        b.merkle_root = b.calc_merkle_root()
        h.solve(b)
        self.judge("wc_script_39_bytes", b, VALID, seal=False)
        b = h.block([wtx()])
        h.finish(b, solve=False)
        spk = b.vtx[0].vout[-1].script_pubkey
        b.vtx[0].vout[-1] = CTxOut(0, spk[:37])
        b.merkle_root = b.calc_merkle_root()
        h.solve(b)
        self.judge("wc_script_37_bytes", b, "unexpected-witness", seal=False)
        # A commitment with no witness anywhere is still checked.
        b = h.block([self.spend([self.coin("true")])], commitment=False)
        b.vtx[0].vout.append(CTxOut(0, commitment_script(b"\x44" * 32)))
        self.judge("wc_wrong_no_witness", b, "bad-witness-merkle-match")
        b = h.block([self.spend([self.coin("true")])], commitment=True)
        self.judge("wc_right_no_witness", b, VALID)
        # A coinbase witness without a commitment.
        b = h.block([self.spend([self.coin("true")])], commitment=False)
        set_witness(b.vtx[0], 0, [b"\x00" * 32])
        self.judge("wc_cb_witness_no_commitment", b, "unexpected-witness")
        # The commitment in a value-carrying output.
        b = h.block([wtx()])
        h.finish(b, solve=False)
        b.vtx[0].vout[0].value -= 1
        b.vtx[0].vout[-1].value = 1
        b.merkle_root = b.calc_merkle_root()
        h.solve(b)
        self.judge("wc_output_with_value", b, VALID, seal=False)

    # ================================================================ transactions

    def g_tx(self):
        h = self.h
        c, c2 = self.coin("true", 0), self.coin("true", 1)
        tx = self.spend([c])
        tx.vout = []
        self.txs_case("vout_empty", [tx], "bad-txns-vout-empty")
        for name, outs, expect in (
                ("value_negative", [CTxOut(-1, BARE_TRUE)], "bad-txns-vout-negative"),
                ("value_max_money", [CTxOut(MAX_MONEY, BARE_TRUE)], "bad-txns-in-belowout"),
                ("value_max_money_plus1", [CTxOut(MAX_MONEY + 1, BARE_TRUE)], "bad-txns-vout-toolarge"),
                ("value_sum_over_max", [CTxOut(MAX_MONEY // 2 + 1, BARE_TRUE)] * 2, "bad-txns-txouttotal-toolarge"),
                ("value_sum_max", [CTxOut(MAX_MONEY // 2, BARE_TRUE)] * 2, "bad-txns-in-belowout"),
                ("value_int64_min", [CTxOut(-(1 << 63), BARE_TRUE)], "bad-txns-vout-negative"),
                ("value_zero", [CTxOut(0, BARE_TRUE)], VALID),
                ("value_all_in", [CTxOut(c.value, BARE_TRUE)], VALID),
                ("value_in_plus1", [CTxOut(c.value + 1, BARE_TRUE)], "bad-txns-in-belowout")):
            self.spend_case("tx_" + name, [c], expect, outputs=outs)
        self.spend_case("inputs_duplicate", [c, c], "bad-txns-inputs-duplicate")
        tx = self.spend([c, c2])
        tx.vin[1].prevout = COutPoint()
        self.txs_case("prevout_null", [tx], "bad-txns-prevout-null")
        tx = self.spend([c])
        tx.vin[0].prevout = COutPoint(c.outpoint.txid, 0xffffffff)
        self.txs_case("prevout_n_ffffffff", [tx], "bad-txns-inputs-missingorspent")
        tx.vin[0].prevout = COutPoint(b"\x00" * 32, 0)
        self.txs_case("prevout_zero_hash", [tx], "bad-txns-inputs-missingorspent")
        tx = self.spend([c])
        tx.vin[0].prevout = COutPoint(c.outpoint.txid, c.outpoint.n + 1000)
        self.txs_case("prevout_missing", [tx], "bad-txns-inputs-missingorspent")
        # In-block chains.
        parent = self.spend([c], outputs=[CTxOut(c.value - 1000, BARE_TRUE), CTxOut(0, bytes([OP_RETURN]))])
        pc = Coin(COutPoint(parent.txid, 0), parent.vout[0], h.next_height, False, Raw(BARE_TRUE))
        child = self.spend([pc])
        self.txs_case("chain_parent_child", [parent, child], VALID)
        self.txs_case("chain_child_parent", [child, parent], "bad-txns-inputs-missingorspent")
        gchild = self.spend([Coin(COutPoint(child.txid, 0), child.vout[0], 0, False, Raw(BARE_TRUE))])
        self.txs_case("chain_three", [parent, child, gchild], VALID)
        self.txs_case("chain_three_misordered", [parent, gchild, child], "bad-txns-inputs-missingorspent")
        ret = self.spend([Coin(COutPoint(parent.txid, 1), parent.vout[1], 0, False, Raw(BARE_TRUE))], fee=0)
        self.txs_case("chain_spend_op_return", [parent, ret], "bad-txns-inputs-missingorspent")
        nope = self.spend([Coin(COutPoint(parent.txid, 2), CTxOut(0, BARE_TRUE), 0, False, Raw(BARE_TRUE))], fee=0)
        self.txs_case("chain_spend_past_outputs", [parent, nope], "bad-txns-inputs-missingorspent")
        # An output script over 10,000 bytes is unspendable: never a coin, so "missing", not a script error.
        for n, expect in ((10000, VALID), (10001, "bad-txns-inputs-missingorspent")):
            spk = bytes(WSH_SCRIPTS["wsh_%d" % n])
            par = self.spend([c], outputs=[CTxOut(c.value - 1000, spk)])
            big = Coin(COutPoint(par.txid, 0), par.vout[0], h.next_height, False, Raw(spk))
            self.txs_case("spend_output_script_%d_in_block" % n, [par, self.spend([big])], expect)
            self.chain("chain_spend_output_script_%d" % n, [self.first([par]), None], [VALID, expect], par=par)
        self.txs_case("double_spend_two_txs", [self.spend([c]), self.spend([c], fee=2000)],
                      "bad-txns-inputs-missingorspent")
        self.txs_case("double_spend_in_block_coin", [parent, child, self.spend([pc], fee=5)],
                      "bad-txns-inputs-missingorspent")
        # A missing input before a bad script: the first failure in order is the input.
        bad = self.spend([self.coin("p2pk")])
        bad.vin[0].script_sig = b"\x00"
        tx = self.spend([c])
        tx.vin[0].prevout = COutPoint(b"\x01" * 32, 0)
        self.txs_case("script_fail_then_missing", [bad, tx], "bad-txns-inputs-missingorspent")
        self.txs_case("belowout_then_script_fail", [self.spend([c2], outputs=[CTxOut(c2.value + 1, BARE_TRUE)]), bad],
                      "bad-txns-in-belowout")
        # An empty-input tx: its bytes read as a segwit marker.
        tx = CTransaction(version=2)
        tx.vin = []
        tx.vout = [CTxOut(0, BARE_TRUE)]
        b = h.block([tx])
        self.judge("vin_empty", b, None)

    # ================================================================ blocks in a row

    def on(self, prev, txs=(), **kw):
        """A sealed block on prev (a block of this case, not the tip), one second after it."""
        h = self.h
        height = prev.height + 1
        fees = max(0, h.fees_of(list(txs)))
        cb = h.coinbase(height, value=subsidy(height) + fees + kw.pop("cb_delta", 0))
        b = h.block(txs, cb=cb, prev=prev.hash, height=height, time_=kw.pop("time_", prev.time + 1), **kw)
        b.height = height
        return h.finish(b)

    def first(self, txs=(), **kw):
        b = self.h.finish(self.h.block(txs, **kw))
        b.height = self.h.next_height
        return b

    def g_chain(self):
        """Two or three blocks in a row: what a block may do with the one before it."""
        h = self.h
        c = self.coin("true")
        tx1 = self.spend([c])
        c1 = Coin(COutPoint(tx1.txid, 0), tx1.vout[0], h.next_height, False, Raw(BARE_TRUE))
        a = self.first([tx1])
        self.chain("chain_spend_prev_block", [a, self.on(a, [self.spend([c1])])], [VALID, VALID])
        a = self.first([tx1])
        self.chain("chain_tx_again_unspent", [a, self.on(a, [tx1])], [VALID, "bad-txns-BIP30"])
        tx2 = self.spend([c1])
        a = self.first([tx1, tx2])
        self.chain("chain_tx_again_spent", [a, self.on(a, [tx1])], [VALID, "bad-txns-inputs-missingorspent"])
        a = self.first([tx1])
        cbc = Coin(COutPoint(a.vtx[0].txid, 0), a.vtx[0].vout[0], h.next_height, True, Raw(BARE_TRUE))
        self.chain("chain_spend_prev_coinbase", [a, self.on(a, [self.spend([cbc])])],
                   [VALID, "bad-txns-premature-spend-of-coinbase"])
        for seq, expect in ((1, VALID), (2, NONFINAL), (SEQUENCE_TYPE_TIME | 1, NONFINAL),
                            (SEQUENCE_TYPE_TIME, VALID)):
            a = self.first([tx1])
            self.chain("chain_bip68_%x" % seq, [a, self.on(a, [self.spend([c1], sequence=seq)])], [VALID, expect])
        a = self.first([tx1])
        b = self.on(a, [self.spend([c1])])
        c2 = Coin(COutPoint(b.vtx[1].txid, 0), b.vtx[1].vout[0], h.next_height + 1, False, Raw(BARE_TRUE))
        self.chain("chain_three", [a, b, self.on(b, [self.spend([c2], sequence=1)])], [VALID, VALID, VALID])
        a = self.first([tx1])
        bad = self.spend([c1])
        bad.vin[0].script_sig = bytes(CScript([OP_RETURN]))
        self.chain("chain_second_script_fails", [a, self.on(a, [bad])], [VALID, se("OP_RETURN was encountered")])
        a = self.first([tx1])
        self.chain("chain_second_time_eq_mtp", [a, self.on(a, time_=h.mtp())], [VALID, "time-too-old"])

    def chain(self, name, blocks, expects, par=None):
        """blocks: None as the second one spends output 0 of par (in the first) in a block on it."""
        if par is not None and blocks[1] is None:
            spk = par.vout[0].script_pubkey
            coin = Coin(COutPoint(par.txid, 0), par.vout[0], self.h.next_height, False, Raw(spk))
            blocks[1] = self.on(blocks[0], [self.spend([coin])])
        self.count += len(blocks)
        return self.h.judge_chain(name, blocks, expects)

    # ================================================================ lock times

    def g_locktime(self):
        h = self.h
        height = h.next_height
        mtp = h.mtp()
        c = self.coin("true")
        for name, lt, seq, expect in (
                ("height_prev", height - 1, 0, VALID),
                ("height_eq", height, 0, NONFINAL),
                ("height_eq_seq_final", height, SEQUENCE_FINAL, VALID),
                ("height_eq_seq_fffffffe", height, 0xfffffffe, NONFINAL),
                ("height_max", 499_999_999, 0, NONFINAL),
                ("time_min", 500_000_000, 0, VALID),
                ("time_mtp_minus1", mtp - 1, 0, VALID),
                ("time_mtp", mtp, 0, NONFINAL),
                ("time_mtp_seq_final", mtp, SEQUENCE_FINAL, VALID),
                ("time_blocktime", h.default_time() - 1, 0, NONFINAL),
                ("time_max", 0xffffffff, 0, NONFINAL),
                ("zero", 0, 0, VALID)):
            self.spend_case("locktime_" + name, [c], expect, locktime=lt, sequence=seq)
        # One final input is not enough.
        self.spend_case("locktime_one_of_two_final", [c, self.coin("true", 1)], NONFINAL, locktime=height,
                        sequence=[SEQUENCE_FINAL, 0])
        # CLTV: stack value against the lock time.
        for tag in ("wsh_cltv", "bare_cltv", "sh_cltv", "tree"):
            for name, arg, lt, seq, expect in (
                    ("met", height - 1, height - 1, 0, VALID),
                    ("unmet", height - 1, height - 2, 0, LOCKTIME),
                    ("seq_final", 0, 0, SEQUENCE_FINAL, LOCKTIME),
                    ("type_mismatch", 500_000_000, height - 1, 0, LOCKTIME),
                    ("time_met", mtp - 1, mtp - 1, 0, VALID),
                    ("negative", -1, 0, 0, se("Negative locktime")),
                    ("five_bytes", 0xffffffff, 0, 0, LOCKTIME),
                    ("five_bytes_met", 0x80000000, 0x80000000, 0, NONFINAL),
                    ("six_bytes", 1 << 40, 0, 0, se("unknown error")),
                    ("zero", 0, 0, 0, VALID)):
                arg_bytes = num(arg)
                self.cltv_case("cltv_%s_%s" % (tag, name), self.coin(tag), tag, arg_bytes, lt, seq, expect)
            self.cltv_case("cltv_%s_nonminimal" % tag, self.coin(tag), tag, num(height - 1) + b"\x00", height - 1, 0,
                           VALID)
            self.cltv_case("cltv_%s_empty_stack" % tag, self.coin(tag), tag, None, 0, 0,
                           se("Operation not valid with the current stack size"))

    def cltv_case(self, name, coin, tag, arg, locktime, seq, expect, *, version=2, csv=False):
        """Spends a CLTV/CSV script coin with arg on the stack (None: nothing)."""
        tx = self.spend([coin], locktime=locktime, sequence=seq, version=version, sign=False)
        stack = [] if arg is None else [arg]
        if tag.startswith("wsh_"):
            set_witness(tx, 0, stack + [bytes(WSH_SCRIPTS[tag])])
        elif tag.startswith("bare_"):
            tx.vin[0].script_sig = bytes(CScript(stack))
        elif tag.startswith("sh_"):
            tx.vin[0].script_sig = bytes(CScript(stack + [bytes(WSH_SCRIPTS["wsh_" + tag[3:]])]))
        else:
            leaf = "csv" if csv else "cltv"
            TrScript(self.w.tree, leaf, stack).fill(tx, 0, [coin.txout])
        if arg is None and tag == "tree":
            expect = se("Operation not valid with the current stack size")
        return self.txs_case(name, [tx], expect)

    # ================================================================ BIP68

    def g_bip68(self):
        h = self.h
        height = h.next_height
        tip_mtp = h.mtp()
        # Height locks: a coin at height ch needs sequence <= height - ch.
        ch = MAIN_TIP - 10
        hc = self.coin("h%d" % ch)
        depth = height - ch
        # Time locks: coin time is the MTP of the block before the coin's.
        tc = None
        for cand in range(MAIN_TIP - 8, 150, -1):
            diff = tip_mtp - h.mtp(cand - 1)
            if diff > 0 and diff % 512 == 0 and "h%d" % cand in h.coins:
                tc = self.coin("h%d" % cand)
                units = diff // 512
                break
        assert tc is not None, "no coin at a 512-second multiple"
        for v in (1, 2, 3, 0, -1, -0x80000000, 0x7fffffff):
            enforced = (v & 0xffffffff) >= 2
            vn = "v%x" % (v & 0xffffffff)

            def ex(ok):
                return VALID if ok or not enforced else NONFINAL
            self.spend_case("bip68_%s_height_met" % vn, [hc], VALID, version=v, sequence=depth)
            self.spend_case("bip68_%s_height_unmet" % vn, [hc], ex(False), version=v, sequence=depth + 1)
            self.spend_case("bip68_%s_height_disabled" % vn, [hc], VALID, version=v,
                            sequence=SEQUENCE_DISABLE | (depth + 1))
            self.spend_case("bip68_%s_time_met" % vn, [tc], VALID, version=v, sequence=SEQUENCE_TYPE_TIME | units)
            self.spend_case("bip68_%s_time_unmet" % vn, [tc], ex(False), version=v,
                            sequence=SEQUENCE_TYPE_TIME | (units + 1))
            self.spend_case("bip68_%s_time_disabled" % vn, [tc], VALID, version=v,
                            sequence=SEQUENCE_DISABLE | SEQUENCE_TYPE_TIME | (units + 1))
            # Bits outside the type flag and the 16-bit value are ignored.
            self.spend_case("bip68_%s_height_high_bits" % vn, [hc], ex(False), version=v,
                            sequence=0x00ff0000 | (depth + 1))
            self.spend_case("bip68_%s_height_high_bits_met" % vn, [hc], VALID, version=v,
                            sequence=0x3fbf0000 | depth)
            self.spend_case("bip68_%s_height_high_bits_unmet" % vn, [hc], ex(False), version=v,
                            sequence=0x3fbf0000 | (depth + 1))
        # Two inputs: the stricter one counts.
        self.spend_case("bip68_two_inputs_one_unmet", [hc, tc], NONFINAL, sequence=[depth, SEQUENCE_TYPE_TIME | (units + 1)])
        self.spend_case("bip68_two_inputs_met", [hc, tc], VALID, sequence=[depth, SEQUENCE_TYPE_TIME | units])
        # A coin made in the same block has height = this block: lock 0 met, 1 not.
        parent = self.spend([self.coin("true")])
        pc = Coin(COutPoint(parent.txid, 0), parent.vout[0], height, False, Raw(BARE_TRUE))
        self.txs_case("bip68_in_block_0", [parent, self.spend([pc], sequence=0)], VALID)
        self.txs_case("bip68_in_block_1", [parent, self.spend([pc], sequence=1)], NONFINAL)
        self.txs_case("bip68_in_block_time_0", [parent, self.spend([pc], sequence=SEQUENCE_TYPE_TIME)], VALID)
        self.txs_case("bip68_in_block_time_1", [parent, self.spend([pc], sequence=SEQUENCE_TYPE_TIME | 1)],
                      NONFINAL)
        # CSV opcode.
        for tag in ("wsh_csv", "bare_csv", "tree"):
            for name, arg, seq, v, expect in (
                    ("met", depth, depth, 2, VALID),
                    ("arg_above_seq", depth, depth - 1, 2, LOCKTIME),
                    ("seq_unmet_arg_met", depth - 1, depth + 1, 2, NONFINAL),
                    ("version1", 1, 1, 1, LOCKTIME),
                    ("version_ffffffff", 1, 1, -1, VALID),
                    ("version_80000000", 1, 1, -0x80000000, VALID),
                    ("arg_disable_flag", SEQUENCE_DISABLE, 0, 1, VALID),
                    ("seq_disable_flag", 1, SEQUENCE_DISABLE | 1, 2, LOCKTIME),
                    ("type_mismatch", SEQUENCE_TYPE_TIME | 1, 1, 2, LOCKTIME),
                    ("time_met", SEQUENCE_TYPE_TIME | 1, SEQUENCE_TYPE_TIME | 1, 2, VALID),
                    ("masked_bits", 0x00bf0000 | 1, 1, 2, VALID),
                    ("type_bit_in_high_bits", 0x00ff0000 | 1, 1, 2, LOCKTIME),
                    ("negative", -1, 0, 2, se("Negative locktime")),
                    ("five_bytes", 0x7fffffff + 1, 0, 2, VALID),
                    ("six_bytes", 1 << 40, 0, 2, se("unknown error"))):
                coin = self.coin(tag)
                cdepth = height - coin.height
                if name in ("met", "arg_above_seq", "seq_unmet_arg_met"):
                    d = {"met": (cdepth, cdepth), "arg_above_seq": (cdepth, cdepth - 1),
                         "seq_unmet_arg_met": (cdepth - 1, cdepth + 1)}[name]
                    arg, seq = d
                self.cltv_case("csv_%s_%s" % (tag, name), coin, tag, num(arg), 0, seq, expect, version=v, csv=True)

    # ================================================================ sigops

    def g_sigops(self):
        h = self.h
        height = h.next_height
        for n, expect in ((20000, VALID), (20001, "bad-blk-sigops")):
            cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE),
                                     CTxOut(0, CScript([OP_CHECKSIG] * n))])
            self.judge("sigops_legacy_cb_%d" % n, h.block(cb=cb), expect)
        # Legacy CHECKMULTISIG counts 20 in an output, whatever precedes it.
        cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE),
                                 CTxOut(0, CScript([OP_1, OP_CHECKMULTISIG] * 1000 + [OP_CHECKSIG]))])
        self.judge("sigops_legacy_multisig_20001", h.block(cb=cb), "bad-blk-sigops")
        # P2SH (x4), witness (x1) and legacy (x4) together at 80,000 and 80,001.
        for total in (MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_SIGOPS_COST + 1):
            for mix in ("p2sh", "wsh", "shwsh"):
                self.sigops_mix("sigops_%s_%d" % (mix, total), mix, total)
        # Sigops in a scriptSig count (legacy, x4).
        c = self.coin("true")
        tx = self.spend([c])
        tx.vin[0].script_sig = bytes(CScript([OP_0, OP_IF] + [OP_CHECKSIG] * 100 + [OP_ENDIF]))
        self.txs_case("sigops_in_scriptsig", [tx], VALID)
        # P2SH sigops are counted from the scriptSig's last push, even one that is not the redeem
        # script: a block over the limit that way is refused for sigops, before any script runs.
        coins = [self.coin("sh_true", k) for k in range(4)]
        tx = self.spend(coins)
        fake = bytes(SIGOPS_SCRIPT_FOR_FAKE)
        for txin in tx.vin:
            txin.script_sig = bytes(CScript([fake]))
        legacy = (MAX_BLOCK_SIGOPS_COST - 4 * 4 * SIGOPS_PER_SCRIPT) // 4
        cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE), CTxOut(0, CScript([OP_CHECKSIG] * (legacy + 1)))])
        b = h.block([tx], cb=cb)
        b.vtx[0].vout[0].value += h.fees_of([tx])
        self.judge("sigops_fake_redeem_over", b, "bad-blk-sigops")
        cb = h.coinbase(outputs=[CTxOut(subsidy(height), BARE_TRUE), CTxOut(0, CScript([OP_CHECKSIG] * legacy))])
        b = h.block([tx], cb=cb)
        b.vtx[0].vout[0].value += h.fees_of([tx])
        self.judge("sigops_fake_redeem_at_limit", b, EVAL_FALSE)
        # A P2SH sigop count reads the last push even when the script fails push-only.
        c = self.coin("sigops_sh")
        tx = self.spend([c])
        tx.vin[0].script_sig = bytes([OP_NOP]) + tx.vin[0].script_sig
        self.txs_case("sigops_sh_not_pushonly", [tx], se("Only push operators allowed in signatures"))

    def sigops_mix(self, name, mix, total):
        """A block of sigop cost total from big P2SH or witness scripts, legacy CHECKSIGs and
        one-sigop witness scripts (x1)."""
        h = self.h
        per = SIGOPS_PER_SCRIPT * (4 if mix == "p2sh" else 1)
        tag = {"p2sh": "sigops_sh", "wsh": "sigops_wsh", "shwsh": "sigops_shwsh"}[mix]
        avail = len(h.coins[tag])
        n = min(avail, total // per)
        coins = [self.coin(tag, k) for k in range(n)]
        rest = total - n * per
        ones = rest % 4
        legacy = rest // 4
        coins += [self.coin("sigop1_wsh", k) for k in range(ones)]
        tx = self.spend(coins)
        spks = [c.txout.script_pubkey for c in coins]
        cb_cost = 0
        cb = h.coinbase(outputs=[CTxOut(subsidy(h.next_height), BARE_TRUE), CTxOut(0, CScript([OP_CHECKSIG] * legacy))])
        cost = tx_sigop_cost(tx, spks) + tx_sigop_cost(cb, []) + cb_cost
        assert cost == total, (name, cost, total)
        b = h.block([tx], cb=cb)
        b.vtx[0].vout[0].value += h.fees_of([tx])
        self.judge(name, b, VALID if total <= MAX_BLOCK_SIGOPS_COST else "bad-blk-sigops")

    # ================================================================ weight

    def g_weight(self):
        h = self.h
        for extra, expect in ((0, VALID), (1, "bad-blk-weight")):
            b = self.weight_block(MAX_BLOCK_WEIGHT + extra)
            self.judge("weight_%d" % (MAX_BLOCK_WEIGHT + extra), b, expect, seal=False)
        # Under the weight limit with a big annex on a taproot spend.
        c = self.coin("tree")
        tx = self.spend([c], annex=b"\x50" + b"\x00" * 100000)
        self.txs_case("taproot_annex_100k", [tx], VALID)

    def weight_block(self, want):
        """A block of exactly want weight: a v2 witness spend with a big witness item."""
        h = self.h
        c = self.coin("weight")
        item = 2_900_000
        for _ in range(6):
            tx = self.spend([c], sign=False)
            set_witness(tx, 0, [b"\x00" * item])
            b = h.block([tx])
            h.finish(b, solve=False)
            w = b.get_weight()
            if w == want:
                h.solve(b)
                return b
            item += want - w
        raise AssertionError("no block of weight %d (got %d)" % (want, w))

    # ================================================================ legacy scripts

    def bad_der_pad(self, tx, i, coin):
        """A signature of input i with a zero byte padded into R (not strict DER)."""
        msg = legacy_signature_hash(coin.txout.script_pubkey, tx, i, SIGHASH_ALL)
        sig = KEY.sign_ecdsa(msg)
        r, s = der_decode(sig)
        rb = r.to_bytes((r.bit_length() + 8) // 8, "big")
        rb = b"\x00" + rb
        sb = s.to_bytes((s.bit_length() + 8) // 8, "big")
        body = b"\x02" + bytes([len(rb)]) + rb + b"\x02" + bytes([len(sb)]) + sb
        return b"\x30" + bytes([len(body)]) + body + bytes([SIGHASH_ALL])

    def legacy_sig_variant(self, tx, i, coin, variant, hashtype=SIGHASH_ALL, v0=False):
        spk = coin.txout.script_pubkey
        if v0:
            pub = KEY.get_pubkey().get_bytes()
            msg = segwit_v0_signature_hash(p2wpkh_script_code(pub), tx, i, hashtype, coin.value)
        else:
            msg = legacy_signature_hash(spk, tx, i, hashtype)
        sig = KEY.sign_ecdsa(msg)
        r, s = der_decode(sig)
        ht = bytes([hashtype & 0xff])
        if variant == "high_s":
            return der_encode(r, ORDER - s) + ht
        if variant == "padded_r":
            return self.bad_der_pad(tx, i, coin) if not v0 else None
        if variant == "trailing_byte":
            return sig + b"\x00" + ht
        if variant == "length_off":
            return bytes([0x30, sig[1] + 1]) + sig[2:] + ht
        if variant == "no_hashtype":
            return sig
        if variant == "neg_r":
            rb = r.to_bytes(32, "big")
            body = b"\x02" + bytes([len(rb)]) + rb + sig[2 + 2 + sig[3]:]
            return b"\x30" + bytes([len(body)]) + body + ht
        if variant == "ok":
            return sig + ht
        raise ValueError(variant)

    def g_legacy_script(self):
        h = self.h
        c = self.coin("p2pk")
        # DER strictness (BIP66) is consensus; LOW_S and STRICTENC hash types are policy.
        for variant, expect in (("ok", VALID), ("high_s", VALID), ("padded_r", se("Non-canonical DER signature")),
                                ("trailing_byte", se("Non-canonical DER signature")),
                                ("length_off", se("Non-canonical DER signature")),
                                ("no_hashtype", se("Non-canonical DER signature")), ("neg_r", None)):
            tx = self.spend([c], sign=False)
            tx.vin[0].script_sig = bytes(CScript([self.legacy_sig_variant(tx, 0, c, variant)]))
            self.txs_case("der_p2pk_" + variant, [tx], expect)
        for ht in (0x00, 0x04, 0x41, 0x84, 0xff, SIGHASH_NONE, SIGHASH_SINGLE, SIGHASH_ALL | SIGHASH_ANYONECANPAY):
            tx = self.spend([c], sign=False)
            tx.vin[0].script_sig = bytes(CScript([self.legacy_sig_variant(tx, 0, c, "ok", ht)]))
            self.txs_case("hashtype_p2pk_%02x" % ht, [tx], VALID)
        # SIGHASH_SINGLE with no matching output signs the number one.
        c2 = self.coin("p2pk", 1)
        tx = self.spend([self.coin("true"), c2], sign=False)
        sig = KEY.sign_ecdsa(SIGHASH_ONE) + bytes([SIGHASH_SINGLE])
        tx.vin[1].script_sig = bytes(CScript([sig]))
        self.txs_case("sighash_single_bug", [tx], VALID)
        # NULLFAIL is policy: a failed CHECKSIG with a non-empty signature, then NOT.
        tx = self.spend([self.coin("bare_checksig_not")], sign=False)
        tx.vin[0].script_sig = bytes(CScript([b"\x30\x06\x02\x01\x01\x02\x01\x01\x01"]))
        self.txs_case("nullfail_policy_only", [tx], VALID)
        # An uncompressed key.
        self.spend_case("p2pk_uncompressed", [self.coin("p2pk_u")], VALID)
        # NULLDUMMY.
        self.spend_case("multisig_dummy_empty", [self.coin("ms")], VALID)
        self.spend_case("multisig_dummy_01", [self.coin("ms")], se("Dummy CHECKMULTISIG argument must be zero"),
                        dummy=b"\x01")
        self.spend_case("multisig_dummy_00", [self.coin("ms")], se("Dummy CHECKMULTISIG argument must be zero"),
                        dummy=b"\x00")
        self.spend_case("wsh_multisig_dummy_01", [self.coin("wsh_ms")],
                        se("Dummy CHECKMULTISIG argument must be zero"), dummy=b"\x01")
        # P2SH push-only, and OP_RESERVED which counts as a push there.
        c = self.coin("sh_true")
        for name, prefix, expect in (("nop", bytes([OP_NOP]), se("Only push operators allowed in signatures")),
                                     ("op1", bytes([OP_1]), VALID),
                                     ("reserved", bytes([X(0x50)]), se("Opcode missing or not understood")),
                                     ("1negate", bytes([0x4f]), VALID),
                                     ("pushdata4", bytes([0x4e, 1, 0, 0, 0, 7]), VALID)):
            tx = self.spend([c])
            tx.vin[0].script_sig = prefix + tx.vin[0].script_sig
            self.txs_case("p2sh_pushonly_" + name, [tx], expect)
        tx = self.spend([c])
        tx.vin[0].script_sig = b""
        self.txs_case("p2sh_empty_scriptsig", [tx], se("Operation not valid with the current stack size"))
        # Opcode rules, evaluated in a scriptSig before OP_TRUE.
        t = self.coin("true")
        for name, sig, expect in (
                ("cat_unexecuted", [OP_0, OP_IF, X(0x7e), OP_ENDIF], se("Attempted to use a disabled opcode")),
                ("verif_unexecuted", [OP_0, OP_IF, X(0x65), OP_ENDIF], se("Opcode missing or not understood")),
                ("reserved_unexecuted", [OP_0, OP_IF, X(0x50), OP_ENDIF], VALID),
                ("ver_unexecuted", [OP_0, OP_IF, X(0x62), OP_ENDIF], VALID),
                ("return_unexecuted", [OP_0, OP_IF, OP_RETURN, OP_ENDIF], VALID),
                ("return", [OP_RETURN], se("OP_RETURN was encountered")),
                ("unbalanced_if", [OP_1, OP_IF], se("Invalid OP_IF construction")),
                ("op_success_legacy", [X(0xbb)], se("Opcode missing or not understood")),
                ("checksigadd_legacy", [OP_0, OP_IF, X(0xba), OP_ENDIF], VALID),
                ("checksigadd_legacy_run", [X(0xba)], se("Opcode missing or not understood")),
                ("push_520", [b"\x00" * 520, OP_DROP], VALID),
                ("push_521", [b"\x00" * 521, OP_DROP], se("Push value size limit exceeded")),
                ("nop10", [X(0xb9)], VALID),
                ("ops_201", [OP_NOP] * 201, VALID),
                ("ops_202", [OP_NOP] * 202, se("Operation limit exceeded")),
                ("stack_1000", [OP_1] * 999, VALID),
                ("stack_1001", [OP_1] * 1000, se("Stack size limit exceeded")),
                ("minimalif_2", [2, OP_IF, OP_ENDIF], VALID),
                ("num_4_bytes", [b"\xff\xff\xff\x7f", X(0x8b), OP_DROP], VALID),
                ("num_5_bytes", [b"\xff\xff\xff\xff\x00", X(0x8b), OP_DROP], se("unknown error")),
                ("codesep", [OP_NOP, X(0xab)], VALID)):
            tx = self.spend([t])
            tx.vin[0].script_sig = bytes(CScript(sig))
            self.txs_case("op_" + name, [tx], expect)
        # A scriptSig of 10,000 and 10,001 bytes.
        for n, expect in ((10000, VALID), (10001, se("Script is too big"))):
            tx = self.spend([t])
            filler = [b"\x00" * 500, OP_DROP] * 19
            s = bytes(CScript(filler))
            s += bytes(CScript([b"\x00" * (n - len(s) - 4), OP_DROP]))
            tx.vin[0].script_sig = s
            assert len(s) == n, len(s)
            self.txs_case("scriptsig_size_%d" % n, [tx], expect)
        # OP_CODESEPARATOR in a bare script: the signature covers what follows it.
        c = self.coin("bare_codesep")
        tx = self.spend([c], sign=False)
        code = bytes(CScript([KEY.get_pubkey().get_bytes(), OP_CHECKSIG]))
        tx.vin[0].script_sig = bytes(CScript([ecdsa_sig(KEY, legacy_signature_hash(code, tx, 0, SIGHASH_ALL))]))
        assert bytes(c.txout.script_pubkey).endswith(code) and len(c.txout.script_pubkey) > len(code) + 1
        self.txs_case("codesep_bare", [tx], VALID)
        tx = self.spend([c], sign=False)
        tx.vin[0].script_sig = bytes(CScript([ecdsa_sig(KEY, legacy_signature_hash(
            c.txout.script_pubkey, tx, 0, SIGHASH_ALL))]))
        self.txs_case("codesep_bare_whole_script", [tx], EVAL_FALSE)
        # Multisig counts.
        for name, sig, expect in (
                ("cms_21_keys", [OP_0, OP_0] + [b"\x02" * 33] * 21 + [21, OP_CHECKMULTISIG, OP_NOT],
                 se("Pubkey count negative or limit exceeded")),
                ("cms_20_keys", [OP_0, OP_0] + [b"\x02" * 33] * 20 + [20, OP_CHECKMULTISIG, OP_DROP], VALID),
                ("cms_sigs_over_keys", [OP_0, OP_0, OP_0, 2, b"\x02" * 33, 1, OP_CHECKMULTISIG],
                 se("Signature count negative or greater than pubkey count")),
                ("cms_negative_keys", [OP_0, OP_0, -1, OP_CHECKMULTISIG],
                 se("Pubkey count negative or limit exceeded"))):
            tx = self.spend([t])
            tx.vin[0].script_sig = bytes(CScript([x if not isinstance(x, int) or x > 16 or x < 0 else x for x in sig]))
            self.txs_case("op_" + name, [tx], expect)

    # ================================================================ segwit v0

    def g_segwit(self):
        h = self.h
        self.spend_case("p2wpkh", [self.coin("p2wpkh")], VALID)
        self.spend_case("p2wpkh_uncompressed_policy_only", [self.coin("p2wpkh_u")], VALID)
        self.spend_case("shwpkh", [self.coin("shwpkh")], VALID)
        self.spend_case("p2wpkh_high_s", [self.coin("p2wpkh")], VALID, low_s=False)
        for ht in (0x00, 0x04, 0x84):
            self.spend_case("p2wpkh_hashtype_%02x" % ht, [self.coin("p2wpkh")], VALID, hashtype=ht)
        c = self.coin("p2wpkh")
        tx = self.spend([c])
        tx.witness[0] = tx.witness[0] + [b""]
        self.txs_case("p2wpkh_three_items", [tx], se("Witness program hash mismatch"))
        tx = self.spend([c])
        tx.witness[0] = tx.witness[0][:1]
        self.txs_case("p2wpkh_one_item", [tx], se("Witness program hash mismatch"))
        tx = self.spend([c])
        tx.vin[0].script_sig = b"\x00"
        self.txs_case("p2wpkh_scriptsig_nonempty", [tx], se("Witness requires empty scriptSig"))
        tx = self.spend([self.coin("wsh_true")])
        tx.vin[0].script_sig = bytes(CScript([OP_NOP]))
        self.txs_case("wsh_scriptsig_nonpush", [tx], se("Witness requires empty scriptSig"))
        # P2SH-wrapped: exactly one canonical push of the program.
        c = self.coin("shwsh_true")
        tx = self.spend([c])
        prog = bytes(CScript(tx.vin[0].script_sig))[1:]
        tx.vin[0].script_sig = bytes([0x4c, len(prog)]) + prog
        self.txs_case("shwsh_pushdata1", [tx], se("Witness requires only-redeemscript scriptSig"))
        tx = self.spend([c])
        tx.vin[0].script_sig = bytes([OP_0]) + tx.vin[0].script_sig
        self.txs_case("shwsh_extra_push", [tx], se("Witness requires only-redeemscript scriptSig"))
        self.spend_case("shwsh_ok", [c], VALID)
        c = self.coin("wsh_true")
        tx = self.spend([c], sign=False)
        self.txs_case("wsh_empty_witness", [tx], se("Witness program was passed an empty witness"))
        tx = self.spend([c], sign=False)
        set_witness(tx, 0, [bytes([OP_1, OP_1])])
        self.txs_case("wsh_wrong_script", [tx], se("Witness program hash mismatch"))
        tx = self.spend([c])
        tx.witness[0] = [b"\x00" * 520] + tx.witness[0]
        self.txs_case("wsh_item_520_cleanstack", [tx], se("Stack size must be exactly one after execution"))
        tx = self.spend([self.coin("wsh_drop")], sign=False)
        set_witness(tx, 0, [b"\x00" * 520, bytes(WSH_SCRIPTS["wsh_drop"])])
        self.txs_case("wsh_item_520", [tx], VALID)
        set_witness(tx, 0, [b"\x00" * 521, bytes(WSH_SCRIPTS["wsh_drop"])])
        self.txs_case("wsh_item_521", [tx], se("Push value size limit exceeded"))
        self.spend_case("wsh_two_on_stack", [self.coin("wsh_two")], se("Stack size must be exactly one after execution"))
        # v0 has no initial stack limit; 1,000 items is checked after each opcode.
        for n, expect in ((1000, se("Stack size must be exactly one after execution")),
                          (1001, se("Stack size limit exceeded"))):
            tx = self.spend([self.coin("wsh_drop")], sign=False)
            set_witness(tx, 0, [b""] * n + [bytes(WSH_SCRIPTS["wsh_drop"])])
            self.txs_case("wsh_stack_%d_items" % n, [tx], expect)
        for tag, expect in (("wsh_10000", VALID), ("wsh_10001", se("Script is too big")),
                            ("wsh_ops201", VALID), ("wsh_ops202", se("Operation limit exceeded"))):
            self.spend_case(tag, [self.coin(tag)], expect)
        # MINIMALIF is policy for v0.
        for name, arg in (("two", b"\x02"), ("one_nonminimal", b"\x01\x00"), ("empty", b""), ("zero", b"\x00")):
            tx = self.spend([self.coin("wsh_if")], sign=False)
            set_witness(tx, 0, [arg, bytes(WSH_SCRIPTS["wsh_if"])])
            self.txs_case("wsh_minimalif_" + name, [tx], VALID)
        # Programs: versions and lengths.
        for tag, witness, expect in (
                ("v2", [], VALID), ("v2", [b"\x00" * 600, b""], VALID), ("v16", [b"\x01"], VALID),
                ("v2_zero", [], EVAL_FALSE), ("v16_zero", [b"\x01"], EVAL_FALSE), ("v1_zero", [b"\x01"], EVAL_FALSE),
                ("sh_v1_zero", [b"\x01"], EVAL_FALSE),
                ("v1_20", [b"\x01"], VALID), ("sh_v1", [b"\x01"], VALID),
                ("v0_21", [b"\x01"], se("Witness program has incorrect length")),
                ("v0_21", [], se("Witness program has incorrect length")),
                ("v0_41", [], VALID), ("v0_41", [b"\x01"], se("Witness provided for non-witness script")),
                ("v0_pd1", [], VALID), ("v0_pd1", [b"\x01"], se("Witness provided for non-witness script")),
                ("true", [b"\x01"], se("Witness provided for non-witness script")),
                ("sh_true", [b"\x01"], se("Witness provided for non-witness script"))):
            tx = self.spend([self.coin(tag)])
            set_witness(tx, 0, witness)
            self.txs_case("program_%s_%d" % (tag, len(witness)), [tx], expect)
        # The BIP143 digest commits to the amount.
        c = self.coin("p2wpkh")
        tx = self.spend([c], sign=False)
        wrong = Coin(c.outpoint, CTxOut(c.value + 1, c.txout.script_pubkey), c.height, False, c.spender)
        sign_tx(tx, [wrong])
        self.txs_case("p2wpkh_wrong_amount", [tx], EVAL_FALSE)
        # SIGHASH_SINGLE past the outputs in v0 signs zeros, not one.
        c2 = self.coin("p2wpkh", 1)
        tx = self.spend([self.coin("true"), c2], sign=False)
        sign_tx(tx, [None, c2], hashtype=SIGHASH_SINGLE)
        self.txs_case("p2wpkh_single_no_output", [tx], VALID)
        # OP_CODESEPARATOR in P2WSH: script code after the last executed one.
        c = self.coin("wsh_codesep")
        tx = self.spend([c], sign=False)
        code = bytes(CScript([KEY.get_pubkey().get_bytes(), OP_CHECKSIG]))
        sig = ecdsa_sig(KEY, segwit_v0_signature_hash(code, tx, 0, SIGHASH_ALL, c.value))
        set_witness(tx, 0, [sig, bytes(WSH_SCRIPTS["wsh_codesep"])])
        self.txs_case("wsh_codesep", [tx], VALID)

    # ================================================================ taproot

    def g_taproot(self):
        h = self.h
        c = self.coin("trkey")
        self.spend_case("trkey_default", [c], VALID)
        for ht in (0x01, 0x02, 0x03, 0x81, 0x82, 0x83):
            self.spend_case("trkey_hashtype_%02x" % ht, [c], VALID, hashtype=ht)
        # Hash type byte 0x00 written out, unknown ones, sizes 63/66.
        for name, fix, expect in (
                ("explicit_00", lambda s: s + b"\x00", se("Invalid Schnorr signature hash type")),
                ("hashtype_04", lambda s: s + b"\x04", se("Invalid Schnorr signature hash type")),
                ("hashtype_84", lambda s: s + b"\x84", se("Invalid Schnorr signature hash type")),
                ("size_63", lambda s: s[:63], se("Invalid Schnorr signature size")),
                ("size_66", lambda s: s + b"\x01\x01", se("Invalid Schnorr signature size")),
                ("size_0", lambda s: b"", se("Invalid Schnorr signature size")),
                ("flipped", lambda s: s[:10] + bytes([s[10] ^ 1]) + s[11:], se("Invalid Schnorr signature"))):
            tx = self.spend([c])
            tx.witness[0][0] = fix(tx.witness[0][0])
            self.txs_case("trkey_sig_" + name, [tx], expect)
        # Hash type 0x01 must sign with 0x01 in the digest; SINGLE needs a matching output.
        tx = self.spend([self.coin("true"), c], sign=False)
        sign_tx(tx, [self.coin("true"), c], per_input={1: {"hashtype": 0x03}})
        self.txs_case("trkey_single_no_output", [tx], se("Invalid Schnorr signature hash type"))
        tx = self.spend([self.coin("true"), c], sign=False)
        sign_tx(tx, [self.coin("true"), c], per_input={1: {"hashtype": 0x83}})
        self.txs_case("trkey_single_acp_no_output", [tx], se("Invalid Schnorr signature hash type"))
        # Annex: committed to, and removed only with two or more items.
        self.spend_case("trkey_annex", [c], VALID, annex=b"\x50")
        self.spend_case("trkey_annex_long", [c], VALID, annex=b"\x50" + b"\xff" * 300)
        tx = self.spend([c], annex=b"\x50\x01")
        tx.witness[0][-1] = b"\x50\x02"
        self.txs_case("trkey_annex_changed", [tx], se("Invalid Schnorr signature"))
        tx = self.spend([c])
        tx.witness[0].append(b"\x51")
        self.txs_case("trkey_second_item_not_annex", [tx], se("Invalid Taproot control block size"))
        tx = self.spend([c])
        tx.witness[0] = [b"\x50" + b"\x00" * 63]
        self.txs_case("trkey_only_annex_like", [tx], se("Invalid Schnorr signature"))
        tx = self.spend([c], sign=False)
        self.txs_case("trkey_empty_witness", [tx], se("Witness program was passed an empty witness"))
        # The digest commits to every spent amount and script.
        t = self.coin("true")
        tx = self.spend([t, c], sign=False)
        fake = Coin(t.outpoint, CTxOut(t.value + 1, t.txout.script_pubkey), t.height, False, t.spender)
        sign_tx(tx, [fake, c])
        self.txs_case("trkey_other_amount_wrong", [tx], se("Invalid Schnorr signature"))
        tx = self.spend([t, c], sign=False)
        sign_tx(tx, [fake, c], per_input={1: {"hashtype": 0x81}})
        self.txs_case("trkey_other_amount_wrong_acp", [tx], VALID)
        tx = self.spend([c])
        tx.vin[0].script_sig = b"\x00"
        self.txs_case("trkey_scriptsig", [tx], se("Witness requires empty scriptSig"))
        # Control blocks.
        for depth in (0, 1, 128):
            dc = self.coin("deep%d" % depth)
            control = self.w.deep[depth]
            for name, ctrl, expect in (
                    ("ok", control, VALID),
                    ("one_more_byte", control + b"\x00", se("Invalid Taproot control block size")),
                    ("one_less_byte", control[:-1], se("Invalid Taproot control block size")),
                    ("extra_node", control + b"\x00" * 32,
                     se("Invalid Taproot control block size") if depth == 128 else se("Witness program hash mismatch")),
                    ("parity_flipped", bytes([control[0] ^ 1]) + control[1:], se("Witness program hash mismatch")),
                    ("leaf_version_c2", bytes([(control[0] & 1) | 0xc2]) + control[1:],
                     se("Witness program hash mismatch"))):
                tx = self.spend([dc], sign=False)
                set_witness(tx, 0, [bytes(CScript([OP_TRUE])), ctrl])
                self.txs_case("control_depth%d_%s" % (depth, name), [tx], expect)
        tx = self.spend([self.coin("deep0")], sign=False)
        set_witness(tx, 0, [bytes(CScript([OP_TRUE])), b"\xc0" + b"\x00" * 32 + b"\x00" * 32 * 129])
        self.txs_case("control_129_nodes", [tx], se("Invalid Taproot control block size"))
        tx = self.spend([self.coin("deep0")], sign=False)
        set_witness(tx, 0, [bytes(CScript([OP_TRUE])), b"\xc0" + b"\x00" * 31])
        self.txs_case("control_32_bytes", [tx], se("Invalid Taproot control block size"))

    def tree_case(self, name, leaf, stack, expect, *, annex=None, control=None, **kw):
        c = self.coin("tree")
        tx = self.spend([c], sign=False, **kw)
        TrScript(self.w.tree, leaf, list(stack)).fill(tx, 0, [c.txout], annex=annex, control=control)
        return self.txs_case("tap_" + name, [tx], expect)

    def tree_sig_case(self, name, leaf, make_stack, expect, *, annex=None, hashtype=0, **kw):
        """make_stack(sig) -> stack; sig signs this leaf with LEAF_SECRETS[0]."""
        c = self.coin("tree")
        tx = self.spend([c], sign=False, **kw)
        sp = TrScript(self.w.tree, leaf, [])
        sp.fill(tx, 0, [c.txout], annex=annex)
        sig = sp.leaf_sig(LEAF_SECRETS[0], tx, 0, [c.txout], hashtype=hashtype, annex=annex)
        TrScript(self.w.tree, leaf, list(make_stack(sig, sp, tx, c))).fill(tx, 0, [c.txout], annex=annex)
        return self.txs_case("tap_" + name, [tx], expect)

    def g_tapscript(self):
        self.tree_case("true", "true", [], VALID)
        self.tree_case("true_extra_item", "true", [b"\x01"], se("Stack size must be exactly one after execution"))
        self.tree_case("success80", "success", [b"\x00"] * 3, VALID)
        self.tree_case("success_after_return", "success_after_return", [], VALID)
        self.tree_case("success_then_bad_push", "success_then_bad_push", [], VALID)
        self.tree_case("bad_push_then_success", "bad_push_then_success", [], se("Opcode missing or not understood"))
        self.tree_case("unknown_leaf_version", "unknown_version", [b"\x00"] * 2, VALID)
        self.tree_case("cms_disabled", "cms", [], se("OP_CHECKMULTISIG(VERIFY) is not available in tapscript"))
        for name, arg, expect in (("one", b"\x01", VALID), ("empty", b"", VALID),
                                  ("two", b"\x02", se("OP_IF/NOTIF argument must be minimal in tapscript")),
                                  ("one_padded", b"\x01\x00", se("OP_IF/NOTIF argument must be minimal in tapscript")),
                                  ("zero_byte", b"\x00", se("OP_IF/NOTIF argument must be minimal in tapscript"))):
            self.tree_case("minimalif_" + name, "if", [arg], expect)
        self.tree_case("item_520", "drop_all", [b"\x00" * 520] * 4, VALID)
        self.tree_case("item_521", "drop_all", [b"\x00" * 521] + [b""] * 3, se("Push value size limit exceeded"))
        self.tree_case("big_script", "big", [], VALID)
        self.tree_case("many_ops", "ops", [], VALID)
        self.tree_case("stack_1000", "success", [b""] * 1000, VALID)
        self.tree_case("stack_1001_success", "success", [b""] * 1001, VALID)
        self.tree_case("item_521_success", "success", [b"\x00" * 521], VALID)
        self.tree_case("stack_1001", "drop_all", [b""] * 1001, se("Stack size limit exceeded"))
        self.tree_case("empty_key", "empty_key", [b"\x01" * 64], se("Empty public key in tapscript"))
        self.tree_case("empty_key_empty_sig", "empty_key", [b""], se("Empty public key in tapscript"))
        self.tree_case("unknown_key_sig", "unknown_key", [b"\x01" * 64], VALID)
        self.tree_case("unknown_key_empty_sig", "unknown_key", [b""], EVAL_FALSE)
        # Signatures.
        self.tree_sig_case("checksig", "checksig", lambda s, *_: [s], VALID)
        for ht in (0x01, 0x02, 0x81, 0x83):
            self.tree_sig_case("checksig_hashtype_%02x" % ht, "checksig", lambda s, *_: [s], VALID, hashtype=ht)
        self.tree_sig_case("checksig_explicit_00", "checksig", lambda s, *_: [s + b"\x00"],
                           se("Invalid Schnorr signature hash type"))
        self.tree_sig_case("checksig_size_65_bad_type", "checksig", lambda s, *_: [s + b"\x05"],
                           se("Invalid Schnorr signature hash type"))
        self.tree_sig_case("checksig_size_63", "checksig", lambda s, *_: [s[:63]], se("Invalid Schnorr signature size"))
        self.tree_sig_case("checksig_empty", "checksig", lambda s, *_: [b""], EVAL_FALSE)
        self.tree_sig_case("checksig_not_empty", "checksig_not", lambda s, *_: [b""], VALID)
        self.tree_sig_case("checksig_not_bad_sig", "checksig_not", lambda s, *_: [s[:5] + bytes([s[5] ^ 1]) + s[6:]],
                           se("Invalid Schnorr signature"))
        self.tree_sig_case("checksig_annex", "checksig", lambda s, *_: [s], VALID, annex=b"\x50\x00")
        # CHECKSIGADD: two of three.
        self.tree_sig_case("checksigadd_1_of_3", "checksigadd", lambda s, *_: [b"", b"", s], EVAL_FALSE)
        self.tree_case_multi()
        # Codeseparator position in the digest.
        self.tree_sig_case("codesep_wrong_pos", "codesep", lambda s, *_: [s], se("Invalid Schnorr signature"))
        self.codesep_case()
        self.budget_cases()

    def tree_case_multi(self):
        c = self.coin("tree")
        tx = self.spend([c], sign=False)
        sp = TrScript(self.w.tree, "checksigadd", [])
        sp.fill(tx, 0, [c.txout])
        sigs = [sp.leaf_sig(LEAF_SECRETS[k], tx, 0, [c.txout]) for k in range(3)]
        # Stack order: the last key's signature first.
        TrScript(self.w.tree, "checksigadd", [sigs[2], b"", sigs[0]]).fill(tx, 0, [c.txout])
        self.txs_case("tap_checksigadd_2_of_3", [tx], VALID)
        TrScript(self.w.tree, "checksigadd", [sigs[2], sigs[1], sigs[0]]).fill(tx, 0, [c.txout])
        self.txs_case("tap_checksigadd_3_of_3", [tx], EVAL_FALSE)
        TrScript(self.w.tree, "checksigadd", [sigs[1], b"", sigs[0]]).fill(tx, 0, [c.txout])
        self.txs_case("tap_checksigadd_wrong_key", [tx], se("Invalid Schnorr signature"))

    def codesep_case(self):
        c = self.coin("tree")
        tx = self.spend([c], sign=False)
        script, ver, _ = self.w.tree.leaves["codesep"]
        msg = taproot_signature_hash(tx, [c.txout], 0, 0, leaf_hash=tapleaf_hash(script, ver), codesep_pos=0)
        TrScript(self.w.tree, "codesep", [sign_schnorr(LEAF_SECRETS[0], msg)]).fill(tx, 0, [c.txout])
        self.txs_case("tap_codesep_pos0", [tx], VALID)

    def budget_cases(self):
        """BIP342 sigops budget: 20 checks of one signature cost 1000; the annex tops the budget up."""
        c = self.coin("tree")
        for target, expect in ((1000, VALID), (999, se("Too much signature validation relative to witness weight"))):
            annex = b"\x50"
            for _ in range(5):
                tx = self.spend([c], sign=False)
                sp = TrScript(self.w.tree, "budget", [])
                sp.fill(tx, 0, [c.txout], annex=annex)
                sig = sp.leaf_sig(LEAF_SECRETS[0], tx, 0, [c.txout], annex=annex)
                TrScript(self.w.tree, "budget", [sig]).fill(tx, 0, [c.txout], annex=annex)
                wsize = len(ser_compact_size(len(tx.witness[0]))) + sum(len(ser_compact_size(len(x))) + len(x)
                                                                      for x in tx.witness[0])
                budget = 50 + wsize
                if budget == target:
                    break
                annex = annex + b"\x00" * (target - budget) if target > budget else annex[:len(annex) - (budget - target)]
            assert budget == target, (budget, target)
            self.txs_case("tap_budget_%d" % target, [tx], expect)


__all__ = ["Directed", "se"]
