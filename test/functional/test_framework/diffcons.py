"""Differential consensus testing: one block, several judges.

A DiffHarness holds nodes that share one chain (Bitcoin Core first, then
bitrootd), unconnected, so each judges every block on its own. judge()
submits a block built on the common tip to every node with submitblock and
compares the answers: null (valid), a reject reason, or an RPC error. A
block some node accepted is invalidated again on that node, so after every
case all nodes are back on the common tip; coins of the tip are never
consumed by a case and serve any number of cases.

Coins: Coin records an output of the common chain with a Spender that knows
how to satisfy its scriptPubKey. Blocks: block() builds a case block on the
tip (BIP34 height, subsidy plus fees, witness commitment when needed) and
finish() seals it (merkle root, commitment, a nonce never used before).
The Python sigop and weight helpers follow Core's counting, so that cases
can sit exactly at a limit.
"""

import http.client
import json
import struct
import time

from .authproxy import JSONRPCException
from .key import compute_xonly_pubkey, sign_schnorr, tweak_add_privkey
from .messages import (COIN, CBlock, bits_to_target, COutPoint, CTransaction, CTxIn, CTxOut, REGTEST_POW_LIMIT_BITS,
                       hash256, hash_to_hex, hex_to_hash, ser_compact_size)
from .script import (OP_0, OP_1, OP_16, OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY, OP_CHECKSIG, OP_CHECKSIGVERIFY,
                     OP_RETURN, OP_TRUE, SIGHASH_ALL, CScript, ScriptParseError, key_to_p2pk_script,
                     key_to_p2pkh_script, key_to_p2wpkh_script, legacy_signature_hash, p2wpkh_script_code,
                     script_to_p2sh_script, script_to_p2wsh_script, segwit_v0_signature_hash, taproot_construct,
                     taproot_signature_hash, tapleaf_hash)

MAX_BLOCK_WEIGHT = 4_000_000
MAX_BLOCK_SIGOPS_COST = 80_000
MAX_MONEY = 21_000_000 * COIN
LOCKTIME_THRESHOLD = 500_000_000
SEQUENCE_FINAL = 0xffffffff
SEQUENCE_DISABLE = 1 << 31
SEQUENCE_TYPE_TIME = 1 << 22
WITNESS_HEADER = b"\xaa\x21\xa9\xed"
REGTEST_HALVING = 150
VERSIONBITS_TOP = 0x20000000
REGTEST_GENESIS_TIME = 1296688602
BARE_TRUE = bytes([OP_TRUE])
VALID = "valid"
# Bitcoin Core 28.1's submitblock answer for a script failure found on its
# check queue (script threads, the default with more than one core) is
# "block-validation-failed" with no detail; with -par=1 the scripts run
# inline and it answers "mandatory-script-verify-flag-failed (<error>)".
# bitrootd answers "block-script-verify-flag-failed (<error>)" as later Core
# versions do; the harness compares the error itself.
CORE28_QUEUE_FAILURE = "block-validation-failed"
CORE28_INLINE_PREFIX = "mandatory-script-verify-flag-failed"
SCRIPT_FAIL_PREFIX = "block-script-verify-flag-failed"
CORE_CRASHED = "core-crashed"
# Reject reasons Core 28.1 words otherwise than later Core, whose words
# bitrootd uses (and ../shared/vectors/core expects). Core 28.1's
# EvalChecksigTapscript sets SCRIPT_ERR_PUBKEYTYPE for an empty tapscript
# key (the only way to that error under block flags); later Core sets
# SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY. Same verdict; such answers are counted
# as documented differences, not disagreements.
CORE28_LATER = {
    SCRIPT_FAIL_PREFIX + " (Public key is neither compressed or uncompressed)":
        SCRIPT_FAIL_PREFIX + " (Empty public key in tapscript)",
}


def subsidy(height):
    halvings = height // REGTEST_HALVING
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


def bip34_push(height):
    """CScript() << height: what a BIP34 coinbase scriptSig starts with."""
    return bytes(CScript([height]))


def signed32(v):
    """A 32-bit pattern as the signed value CTransaction serializes."""
    v &= 0xffffffff
    return v - (1 << 32) if v & 0x80000000 else v


# --- Sigops, as Core counts them ------------------------------------------------

def sigop_count(script, accurate):
    """CScript::GetSigOpCount: CHECKSIG 1, CHECKMULTISIG n after OP_n when accurate, else 20."""
    n = 0
    last = None
    try:
        for op, _, _ in CScript(script).raw_ops():
            if op in (OP_CHECKSIG, OP_CHECKSIGVERIFY):
                n += 1
            elif op in (OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY):
                if accurate and last is not None and OP_1 <= last <= OP_16:
                    n += last - OP_1 + 1
                else:
                    n += 20
            last = op
    except ScriptParseError:
        pass
    return n


def is_p2sh(spk):
    return len(spk) == 23 and spk[0] == 0xa9 and spk[1] == 0x14 and spk[22] == 0x87


def witness_program(spk):
    """(version, program) if spk is a witness program (Core's IsWitnessProgram), else None."""
    if len(spk) < 4 or len(spk) > 42:
        return None
    if spk[0] != OP_0 and not OP_1 <= spk[0] <= OP_16:
        return None
    if spk[1] + 2 != len(spk):
        return None
    return (0 if spk[0] == OP_0 else spk[0] - OP_1 + 1), bytes(spk[2:])


def last_push(script_sig):
    """The last item a push-only scriptSig pushes, or None if it is not push-only."""
    data = b""
    try:
        for op, d, _ in CScript(script_sig).raw_ops():
            if op > OP_16:
                return None
            data = d if d is not None else b""
    except ScriptParseError:
        return None
    return data


def witness_sigops(version, program, witness):
    if version == 0:
        if len(program) == 20:
            return 1
        if len(program) == 32 and witness:
            return sigop_count(witness[-1], True)
    return 0


def tx_sigop_cost(tx, spent_spks):
    """GetTransactionSigOpCost with P2SH and WITNESS: spent_spks one scriptPubKey per input."""
    legacy = sum(sigop_count(i.script_sig, False) for i in tx.vin)
    legacy += sum(sigop_count(o.script_pubkey, False) for o in tx.vout)
    cost = legacy * 4
    if tx.is_coinbase():
        return cost
    for k, txin in enumerate(tx.vin):
        spk = spent_spks[k]
        if is_p2sh(spk):
            redeem = last_push(txin.script_sig)
            if redeem is not None:
                cost += 4 * sigop_count(redeem, True)
        wit = tx.witness[k] if k < len(tx.witness) else []
        prog = witness_program(spk)
        if prog is not None:
            cost += witness_sigops(prog[0], prog[1], wit)
        elif is_p2sh(spk):
            redeem = last_push(txin.script_sig)
            if redeem is not None:
                prog = witness_program(redeem)
                if prog is not None:
                    cost += witness_sigops(prog[0], prog[1], wit)
    return cost


# --- Spenders -------------------------------------------------------------------------

class Spender:
    """How to satisfy one scriptPubKey. fill() sets input i of tx; spent: every input's CTxOut."""

    signs = False

    def __init__(self, spk):
        self.spk = bytes(spk)

    def fill(self, tx, i, spent, **opts):
        raise NotImplementedError


def set_witness(tx, i, stack):
    while len(tx.witness) < len(tx.vin):
        tx.witness.append([])
    tx.witness[i] = [bytes(x) for x in stack]


class Raw(Spender):
    """A fixed scriptSig and witness (OP_TRUE scripts, anyone-can-spend programs)."""

    def __init__(self, spk, script_sig=b"", witness=()):
        super().__init__(spk)
        self.script_sig = bytes(script_sig)
        self.witness = list(witness)

    def fill(self, tx, i, spent, **opts):
        tx.vin[i].script_sig = self.script_sig
        set_witness(tx, i, self.witness)


def p2sh(redeem, pushes=(), witness=()):
    """P2SH of redeem, scriptSig = pushes then the redeem script."""
    return Raw(script_to_p2sh_script(redeem), CScript(list(pushes) + [bytes(redeem)]), witness)


def p2wsh(script, stack=()):
    return Raw(script_to_p2wsh_script(script), b"", list(stack) + [bytes(script)])


def p2sh_p2wsh(script, stack=()):
    inner = script_to_p2wsh_script(script)
    return Raw(script_to_p2sh_script(inner), CScript([bytes(inner)]), list(stack) + [bytes(script)])


def ecdsa_sig(key, msg, hashtype=SIGHASH_ALL, low_s=True):
    return key.sign_ecdsa(msg, low_s=low_s) + bytes([hashtype & 0xff])


class P2PK(Spender):
    signs = True

    def __init__(self, key):
        super().__init__(key_to_p2pk_script(key.get_pubkey().get_bytes()))
        self.key = key

    def fill(self, tx, i, spent, hashtype=SIGHASH_ALL, low_s=True, **opts):
        msg = legacy_signature_hash(self.spk, tx, i, hashtype)
        tx.vin[i].script_sig = bytes(CScript([ecdsa_sig(self.key, msg, hashtype, low_s)]))
        set_witness(tx, i, [])


class P2PKH(Spender):
    signs = True

    def __init__(self, key):
        super().__init__(key_to_p2pkh_script(key.get_pubkey().get_bytes()))
        self.key = key

    def fill(self, tx, i, spent, hashtype=SIGHASH_ALL, low_s=True, **opts):
        msg = legacy_signature_hash(self.spk, tx, i, hashtype)
        pub = self.key.get_pubkey().get_bytes()
        tx.vin[i].script_sig = bytes(CScript([ecdsa_sig(self.key, msg, hashtype, low_s), pub]))
        set_witness(tx, i, [])


class Multisig(Spender):
    """Bare m-of-n CHECKMULTISIG (m signatures by the first m keys), dummy element given."""
    signs = True

    def __init__(self, keys, m, wrap=None):
        self.keys = keys
        self.m = m
        self.script = CScript([m] + [k.get_pubkey().get_bytes() for k in keys] + [len(keys), OP_CHECKMULTISIG])
        self.wrap = wrap    # None (bare), "wsh"
        spk = script_to_p2wsh_script(self.script) if wrap == "wsh" else self.script
        super().__init__(spk)

    def fill(self, tx, i, spent, hashtype=SIGHASH_ALL, dummy=b"", **opts):
        if self.wrap == "wsh":
            msg = segwit_v0_signature_hash(self.script, tx, i, hashtype, spent[i].value)
        else:
            msg = legacy_signature_hash(self.script, tx, i, hashtype)
        sigs = [ecdsa_sig(k, msg, hashtype) for k in self.keys[:self.m]]
        if self.wrap == "wsh":
            tx.vin[i].script_sig = b""
            set_witness(tx, i, [dummy] + sigs + [bytes(self.script)])
        else:
            tx.vin[i].script_sig = bytes(CScript([dummy] + sigs))
            set_witness(tx, i, [])


class P2WPKH(Spender):
    signs = True

    def __init__(self, key, wrap=False):
        self.key = key
        self.program = key_to_p2wpkh_script(key.get_pubkey().get_bytes())
        self.wrap = wrap
        super().__init__(script_to_p2sh_script(self.program) if wrap else self.program)

    def fill(self, tx, i, spent, hashtype=SIGHASH_ALL, low_s=True, **opts):
        pub = self.key.get_pubkey().get_bytes()
        msg = segwit_v0_signature_hash(p2wpkh_script_code(pub), tx, i, hashtype, spent[i].value)
        tx.vin[i].script_sig = bytes(CScript([self.program])) if self.wrap else b""
        set_witness(tx, i, [ecdsa_sig(self.key, msg, hashtype, low_s), pub])


class TrKey(Spender):
    """Taproot key path (no script tree): the tweaked secret signs."""
    signs = True

    def __init__(self, secret32):
        xonly, _ = compute_xonly_pubkey(secret32)
        self.info = taproot_construct(xonly)
        self.secret = tweak_add_privkey(secret32, self.info.tweak)
        super().__init__(self.info.script_pubkey)

    def sig(self, tx, i, spent, hashtype=0, annex=None):
        try:
            msg = taproot_signature_hash(tx, spent, hashtype, i, annex=annex)
        except ValueError:
            msg = b"\x00" * 32      # no digest exists (SINGLE without output, bad type): any signature
        
        s = sign_schnorr(self.secret, msg)
        return s if hashtype == 0 else s + bytes([hashtype])

    def fill(self, tx, i, spent, hashtype=0, annex=None, **opts):
        tx.vin[i].script_sig = b""
        stack = [self.sig(tx, i, spent, hashtype, annex)]
        if annex is not None:
            stack.append(annex)
        set_witness(tx, i, stack)


class TrScript(Spender):
    """A taproot script path: leaf name, and a function giving the stack for (tx, i, spent, opts)."""

    def __init__(self, info, leaf, stack=None, signs=False):
        super().__init__(info.script_pubkey)
        self.info = info
        self.leaf = leaf
        self.stack = stack
        self.signs = signs

    def fill(self, tx, i, spent, annex=None, control=None, **opts):
        script, _, ctrl = self.info.leaves[self.leaf]
        items = []
        if self.stack is not None:
            items = self.stack(self, tx, i, spent, annex=annex, **opts) if callable(self.stack) else self.stack
        w = list(items) + [bytes(script), control if control is not None else ctrl]
        if annex is not None:
            w.append(annex)
        tx.vin[i].script_sig = b""
        set_witness(tx, i, w)

    def leaf_sig(self, secret32, tx, i, spent, hashtype=0, annex=None, codesep_pos=0xffffffff):
        script, version, _ = self.info.leaves[self.leaf]
        try:
            msg = taproot_signature_hash(tx, spent, hashtype, i, annex=annex,
                                         leaf_hash=tapleaf_hash(script, version), codesep_pos=codesep_pos)
        except ValueError:
            msg = b"\x00" * 32
        s = sign_schnorr(secret32, msg)
        return s if hashtype == 0 else s + bytes([hashtype])


class Coin:
    """An output of the common chain and how to spend it."""

    __slots__ = ("outpoint", "txout", "height", "coinbase", "spender", "tag")

    def __init__(self, outpoint, txout, height, coinbase, spender, tag=""):
        self.outpoint = outpoint
        self.txout = txout
        self.height = height
        self.coinbase = coinbase
        self.spender = spender
        self.tag = tag

    @property
    def value(self):
        return self.txout.value

    def __repr__(self):
        return "Coin(%s:%d %s h=%d)" % (hash_to_hex(self.outpoint.txid)[:16], self.outpoint.n, self.tag,
                                         self.height)


def sign_tx(tx, coins, **opts):
    """Fills every input of tx from its coin's spender. coins: one per input (None: leave as is).

    opts may be a dict per input index under "per_input".
    """
    spent = [c.txout if c is not None else CTxOut(0, b"") for c in coins]
    per_input = opts.pop("per_input", {})
    while len(tx.witness) < len(tx.vin):
        tx.witness.append([])
    for i, c in enumerate(coins):
        if c is None:
            continue
        o = dict(opts)
        o.update(per_input.get(i, {}))
        c.spender.fill(tx, i, spent, **o)
    return tx


# --- Verdicts -----------------------------------------------------------------------------

def submit_verdict(node, block_hex):
    """submitblock's answer as one string: "valid", the reject reason, or "rpc-error CODE: MESSAGE"."""
    try:
        res = node.submitblock(block_hex)
    except JSONRPCException as e:
        return "rpc-error %s: %s" % (e.error.get("code"), e.error.get("message"))
    if res is None:
        return VALID
    return str(res)


class Outcome:
    __slots__ = ("name", "verdicts", "expect", "block_hex", "detail")

    def __init__(self, name, verdicts, expect, block_hex, detail=""):
        self.name = name
        self.verdicts = verdicts
        self.expect = expect
        self.block_hex = block_hex
        self.detail = detail

    @property
    def agree(self):
        return len(set(self.verdicts)) == 1

    @property
    def core(self):
        return self.verdicts[0]

    def expect_ok(self):
        """Whether Core gave what the case meant to build (a prefix match for script errors)."""
        if self.expect is None:
            return True
        if self.expect.startswith("~"):
            return self.expect[1:] in self.core
        return self.core == self.expect


class NodeDied(Exception):
    pass


class RawBlock:
    """Bytes submitted as they are (serialization cases); hash_hex from the first 80 bytes."""

    def __init__(self, raw):
        self.raw = bytes(raw)

    @property
    def hash_hex(self):
        return hash_to_hex(hash256(self.raw[:80]))


# --- The harness -------------------------------------------------------------------------------

class DiffHarness:
    """Nodes on one chain; nodes[0] is the judge (Bitcoin Core)."""

    def __init__(self, nodes, log, rng, detail=None):
        self.nodes = list(nodes)
        # Core with script checks inline (-par=1): asked only when the judge answers
        # block-validation-failed (its check queue's answer), for the ScriptError.
        self.detail = detail
        self.log = log
        self.rng = rng
        self.times = {}        # height -> block time, for the common chain
        self.hashes = {}       # height -> block hash (bytes)
        self.tip = None
        self.height = None
        self.coins = {}        # tag -> [Coin]
        self.coinbases = {}    # height -> Coin (output 0 of that height's coinbase)
        self.seen = set()
        self.cases = 0
        self.by_verdict = {}
        self.disagreements = []
        self.unexpected = []
        self.case_seconds = 0.0
        self.documented = {}
        self.report_file = None  # disagreements are appended here as found (JSON lines)
        self.chain_blocks = []   # hex of every block extend() added, in order (revive)
        self.core_crashes = []   # (case name, block hex): Core died on them (revive)   # Core 28.1 answer -> times normalized (CORE28_LATER)

    # -- the chain --

    def load_tip(self):
        tips = [n.getbestblockhash() for n in self.nodes]
        if len(set(tips)) != 1:
            raise AssertionError("nodes are on different tips: %s" % tips)
        hdr = self.nodes[0].getblockheader(tips[0])
        self.tip = hex_to_hash(tips[0])
        self.height = hdr["height"]
        if self.height not in self.times:
            # Fill times back to genesis from the node (only at start).
            h = self.height
            bh = tips[0]
            while h >= 0 and h not in self.times:
                hd = self.nodes[0].getblockheader(bh)
                self.times[h] = hd["time"]
                self.hashes[h] = hex_to_hash(bh)
                bh = hd.get("previousblockhash")
                h -= 1

    def mtp(self, height=None):
        """Median time past of the common chain's block at height (default: the tip)."""
        if height is None:
            height = self.height
        ts = sorted(self.times[h] for h in range(max(0, height - 10), height + 1))
        return ts[len(ts) // 2]

    @property
    def next_height(self):
        return self.height + 1

    def default_time(self):
        return max(self.times[self.height] + 1, self.mtp() + 1)

    def add_coins(self, tag, coins):
        self.coins.setdefault(tag, []).extend(coins)

    def coin(self, tag, k=0):
        return self.coins[tag][k]

    def extend(self, block, coin_tags=None):
        """Connects block on every node (all must accept); the tip moves. coin_tags: {(tx index,
        output): (tag, Spender)} records outputs as coins."""
        self.finish(block)
        hexb = block.serialize().hex()
        self.chain_blocks.append(hexb)
        for n in self.nodes + ([self.detail] if self.detail else []):
            res = submit_verdict(n, hexb)
            if res != VALID:
                raise AssertionError("setup block at height %d refused by node%d (%s): %s" %
                                     (self.height + 1, n.index, n.implementation, res))
        for n in self.nodes:
            if n.getbestblockhash() != block.hash_hex:
                raise AssertionError("node%d did not move to setup block %s" % (n.index, block.hash_hex))
        self.height += 1
        self.tip = block.hash
        self.times[self.height] = block.time
        self.hashes[self.height] = block.hash
        cb = block.vtx[0]
        self.coinbases[self.height] = Coin(COutPoint(cb.txid, 0), cb.vout[0], self.height, True,
                                           getattr(block, "cb_spender", None), "cb%d" % self.height)
        for (ti, n), (tag, sp) in (coin_tags or {}).items():
            tx = block.vtx[ti]
            self.add_coins(tag, [Coin(COutPoint(tx.txid, n), tx.vout[n], self.height, ti == 0, sp, tag)])

    # -- building --

    def coinbase(self, height=None, value=None, spk=BARE_TRUE, script_sig=None, extra=b"", fees=0,
                 outputs=None, sequence=SEQUENCE_FINAL, locktime=0, version=1):
        height = self.next_height if height is None else height
        if script_sig is None:
            script_sig = bip34_push(height) + extra
            if len(script_sig) < 2:
                script_sig += b"\x51"
        tx = CTransaction(version=version, locktime=locktime)
        tx.vin = [CTxIn(COutPoint(), script_sig, sequence)]
        if outputs is None:
            outputs = [CTxOut(subsidy(height) + fees if value is None else value, spk)]
        tx.vout = list(outputs)
        return tx

    def input_value(self, outpoint, block_txs):
        for c in self._coin_index().get((outpoint.txid, outpoint.n), ()):
            return c.value
        for t in block_txs:
            if t.txid == outpoint.txid and outpoint.n < len(t.vout):
                v = t.vout[outpoint.n].value
                return v if 0 <= v <= MAX_MONEY else None
        return None

    def _coin_index(self):
        idx = getattr(self, "_cidx", None)
        if idx is None or self._cidx_n != sum(len(v) for v in self.coins.values()) + len(self.coinbases):
            idx = {}
            for lst in self.coins.values():
                for c in lst:
                    idx.setdefault((c.outpoint.txid, c.outpoint.n), []).append(c)
            for c in self.coinbases.values():
                idx.setdefault((c.outpoint.txid, c.outpoint.n), []).append(c)
            self._cidx = idx
            self._cidx_n = sum(len(v) for v in self.coins.values()) + len(self.coinbases)
        return idx

    def fees_of(self, txs):
        """Sum of in - out over txs whose inputs are all known (pool coins or earlier txs)."""
        total = 0
        for k, t in enumerate(txs):
            vin = 0
            for i in t.vin:
                v = self.input_value(i.prevout, txs[:k])
                if v is None:
                    vin = None
                    break
                vin += v
            vout = sum(o.value for o in t.vout)
            if vin is not None and all(0 <= o.value <= MAX_MONEY for o in t.vout) and 0 <= vout <= vin:
                total += vin - vout
        return total

    def block(self, txs=(), *, time_=None, version=VERSIONBITS_TOP, cb=None, cb_delta=0, commitment=None,
              height=None, bits=REGTEST_POW_LIMIT_BITS, prev=None):
        """A case block on the tip (not sealed: call finish). commitment: None (when a tx has a
        witness), True, False."""
        txs = list(txs)
        height = self.next_height if height is None else height
        if cb is None:
            fees = max(0, self.fees_of(txs))
            cb = self.coinbase(height, value=subsidy(height) + fees + cb_delta)
        b = CBlock(version, self.tip if prev is None else prev, b"\x00" * 32,
                   self.default_time() if time_ is None else time_, bits, 0)
        b.vtx = [cb] + txs
        b.commitment = commitment
        return b

    def finish(self, b, *, commit=True, solve=True, nonce_value=b"\x00" * 32):
        """Adds the witness commitment (if wanted), merkle root, and a fresh solving nonce."""
        want = getattr(b, "commitment", None)
        if commit and (want or (want is None and any(t.has_witness() for t in b.vtx[1:]))):
            set_commitment(b, nonce_value)
        b.merkle_root = b.calc_merkle_root()
        if solve:
            self.solve(b)
        return b

    def solve(self, b, tries=5000):
        """A nonce never used before that meets the header's target; a header whose target is out
        of reach (a mutated nBits) is left unsolved after tries attempts."""
        target = bits_to_target(b.bits)
        prefix = b.serialize_header()[:76]
        nonce = self.rng.getrandbits(32)
        for _ in range(tries):
            h = hash256(prefix + struct.pack("<I", nonce))
            if int.from_bytes(h, "little") <= target and h not in self.seen:
                b.nonce = nonce
                self.seen.add(h)
                return b
            nonce = (nonce + 1) & 0xffffffff
        b.nonce = nonce
        return b

    # -- judging --

    def submit(self, node, hexb, name):
        """submit_verdict; a Core that crashed on the block is restarted (see revive) and asked again."""
        try:
            return submit_verdict(node, hexb)
        except (OSError, http.client.HTTPException) as e:
            if not node.is_core:
                raise NodeDied("node%d (%s) died on case %s: %s" % (node.index, node.implementation, name, e))
            self.log.warning("Core (node%d) died on case %s: %s; restarting it", node.index, name, e)
            self.core_crashes.append((name, hexb))
            self.revive(node)
            # Core's crash is a race; once more, and if it dies again the case has no verdict.
            try:
                return submit_verdict(node, hexb)
            except (OSError, http.client.HTTPException):
                self.log.warning("Core (node%d) died again on case %s; no verdict", node.index, name)
                self.revive(node)
                return CORE_CRASHED

    def revive(self, node):
        """Restarts a Core node that crashed and returns it to the common tip.

        Bitcoin Core 28.1 can die on a block whose script checks are on its check
        queue when a later transaction fails (ConnectBlock returns while queue
        workers still read the transaction data it frees). After the restart it may
        have lost recent invalidateblock marks and sit on an earlier case block:
        those are invalidated again until the tip is the common one.
        """
        node.kill_process()
        node.start()
        node.wait_for_rpc_connection()
        # A crash before Core's first flush loses its whole index: give it the chain again.
        for hexb in self.chain_blocks[node.getblockcount():]:
            res = submit_verdict(node, hexb)
            if res not in (VALID, "duplicate", "inconclusive"):
                raise AssertionError("restarted node%d refused a chain block: %s" % (node.index, res))
        tip_hex = hash_to_hex(self.tip)
        for _ in range(100000):
            got = node.getbestblockhash()
            if got == tip_hex:
                return
            if node.getblockheader(got)["height"] < self.height:
                node.reconsiderblock(tip_hex)
                continue
            node.invalidateblock(got)
        raise AssertionError("restarted node%d did not return to the tip" % node.index)

    def script_detail(self, hexb, name):
        """Core's script failure with its ScriptError, from the -par=1 node, in bitrootd's words."""
        v = self.submit(self.detail, hexb, name)
        if v.startswith(CORE28_INLINE_PREFIX):
            return SCRIPT_FAIL_PREFIX + v[len(CORE28_INLINE_PREFIX):]
        if v == VALID:
            self.detail.invalidateblock(CBlock.from_hex(hexb).hash_hex)
        return "core-par1-says:" + v

    def verdicts_of(self, name, hexb):
        """Every judge's answer to one block, Core's put in bitrootd's words (see CORE28_*)."""
        verdicts = [self.submit(n, hexb, name) for n in self.nodes]
        if verdicts[0] == CORE28_QUEUE_FAILURE and self.detail is not None:
            verdicts[0] = self.script_detail(hexb, name)
        if verdicts[0] in CORE28_LATER:
            self.documented[verdicts[0]] = self.documented.get(verdicts[0], 0) + 1
            verdicts[0] = CORE28_LATER[verdicts[0]]
        return verdicts

    def check_tip(self, name):
        tip_hex = hash_to_hex(self.tip)
        for n in self.nodes:
            got = n.getbestblockhash()
            if got != tip_hex:
                raise AssertionError("node%d left on %s after case %s, not the tip %s" % (n.index, got, name, tip_hex))

    def record(self, name, verdicts, expect, hexb, detail):
        out = Outcome(name, verdicts, expect, hexb, detail)
        self.cases += 1
        # Reject reasons as Core gave them (script failures with their error): what the cases reached.
        key = verdicts[0]
        if key.startswith("bad-version("):
            key = "bad-version(...)"
        self.by_verdict[key] = self.by_verdict.get(key, 0) + 1
        if verdicts[0] == CORE_CRASHED:
            self.log.warning("case %s: Core crashed, bitrootd said %r", name, verdicts[1])
        elif not out.agree:
            self.disagree(name, verdicts, hexb, detail)
            self.disagreements.append(out)
        elif not out.expect_ok():
            self.unexpected.append(out)
            self.log.warning("case %s: Core says %r, the case meant %r", name, out.core, expect)
        return out

    def disagree(self, name, verdicts, hexb, detail):
        if self.report_file:
            with open(self.report_file, "a", encoding="utf8") as f:
                f.write(json.dumps({"name": name, "verdicts": verdicts, "detail": detail, "block": hexb}) + "\n")
        self.log.warning("DISAGREE %s: %s", name,
                         ", ".join("%s=%r" % (n.implementation, v) for n, v in zip(self.nodes, verdicts)))

    def judge(self, name, block, expect=None, detail=""):
        """Submits block (a CBlock, or raw bytes) to every node, compares, and returns every node to
        the tip."""
        if isinstance(block, (bytes, bytearray)):
            hexb = bytes(block).hex()
            block = RawBlock(block)
        else:
            hexb = block.serialize().hex()
        start = time.time()
        verdicts = self.verdicts_of(name, hexb)
        for n, v in zip(self.nodes, verdicts):
            if v == VALID:
                n.invalidateblock(block.hash_hex)
        if VALID in verdicts or len(set(verdicts)) != 1:
            self.check_tip(name)
        self.case_seconds += time.time() - start
        return self.record(name, verdicts, expect, hexb, detail)

    def judge_chain(self, name, blocks, expects=None, detail=""):
        """Blocks in a row from the tip, each on the one before: each goes to every judge while all
        accept the ones before it (and to the -par=1 Core, so that it can judge the next one); then
        every node invalidates the first block it accepted. Returns the outcomes, one per block
        judged."""
        expects = list(expects) if expects is not None else [None] * len(blocks)
        first_ok = [None] * len(self.nodes)
        detail_first = None
        outs = []
        start = time.time()
        for k, b in enumerate(blocks):
            hexb = b.serialize().hex()
            verdicts = self.verdicts_of("%s[%d]" % (name, k), hexb)
            for i, v in enumerate(verdicts):
                if v == VALID and first_ok[i] is None:
                    first_ok[i] = b.hash_hex
            outs.append(self.record("%s[%d]" % (name, k), verdicts, expects[k], hexb, detail))
            if any(v != VALID for v in verdicts):
                break
            if self.detail is not None and k + 1 < len(blocks):
                if submit_verdict(self.detail, hexb) == VALID and detail_first is None:
                    detail_first = b.hash_hex
        for n, h in zip(self.nodes, first_ok):
            if h is not None:
                n.invalidateblock(h)
        if detail_first is not None:
            self.detail.invalidateblock(detail_first)
        self.check_tip(name)
        self.case_seconds += time.time() - start
        return outs

    def compare_utxo(self, when):
        """Every node's UTXO set hash (gettxoutsetinfo hash_serialized_3) must be the same: each
        valid case was connected and disconnected again on every node."""
        nodes = self.nodes + ([self.detail] if self.detail else [])
        got = [n.gettxoutsetinfo("hash_serialized_3") for n in nodes]
        hashes = [g["hash_serialized_3"] for g in got]
        if len(set(hashes)) != 1 or len(set(g["bestblock"] for g in got)) != 1:
            self.disagree("utxo-set-" + when, hashes, "", "gettxoutsetinfo differs")
            self.disagreements.append(Outcome("utxo-set-" + when, hashes, None, "", ""))
            return False
        return True


def set_commitment(b, nonce_value=b"\x00" * 32, *, replace=True):
    """BIP141 commitment (replacing any) and the coinbase reserved value."""
    cb = b.vtx[0]
    if replace:
        cb.vout = [o for o in cb.vout
                   if not (len(o.script_pubkey) >= 38 and o.script_pubkey[:6] == b"\x6a\x24" + WITNESS_HEADER)]
    set_witness(cb, 0, [nonce_value])
    root = b.calc_witness_merkle_root()
    cb.vout.append(CTxOut(0, commitment_script(root, nonce_value)))


def commitment_script(root, nonce_value=b"\x00" * 32):
    return bytes([OP_RETURN, 0x24]) + WITNESS_HEADER + hash256(root + nonce_value)


def spend_tx(coins, outputs=None, *, version=2, locktime=0, sequence=SEQUENCE_FINAL, fee=1000, out_spk=BARE_TRUE):
    """An unsigned tx spending coins, by default to one output of their value minus fee."""
    tx = CTransaction(version=signed32(version), locktime=locktime & 0xffffffff)
    seqs = sequence if isinstance(sequence, (list, tuple)) else [sequence] * len(coins)
    tx.vin = [CTxIn(c.outpoint, b"", s & 0xffffffff) for c, s in zip(coins, seqs)]
    if outputs is None:
        outputs = [CTxOut(sum(c.value for c in coins) - fee, out_spk)]
    tx.vout = list(outputs)
    tx.witness = [[] for _ in coins]
    return tx


def pad_output(size):
    """An OP_RETURN output whose serialization is exactly size bytes (size >= 10)."""
    # 8 value + compact size + script; script = OP_RETURN + filler bytes.
    for slen in range(size - 9, 0, -1):
        if 8 + len(ser_compact_size(slen)) + slen == size:
            return CTxOut(0, bytes([OP_RETURN]) + b"\x00" * (slen - 1))
    raise ValueError("no output of %d bytes" % size)
