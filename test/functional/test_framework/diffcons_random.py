"""Random differential cases: valid blocks, then mutated.

Each case is drawn from random.Random(seed, case number), so one case can be
rebuilt alone (--seed and --first give the same block again, as long as the
chain is the same: the transactions are, the header times follow the clock).

A case starts as a valid block on the common tip: one to four transactions
spending coins of every kind in the pool (and outputs of earlier
transactions in the block), random versions, lock times and sequences that
hold, random signature hash types. Then zero to three mutations, each
applied at its stage:

- before signing (the signatures stay valid, the rule under test is the
  mutated field): version, lock time, sequence, output values and count,
  inputs (duplicate, null, missing, immature coinbase), hash types;
- after signing (the signature commitments are under test): any witness
  item or scriptSig byte, annex, control block, DER and low-S forms, fields
  a hash type does or does not cover;
- on the block: transaction order, duplicates, double spends, coinbase
  value, scriptSig, lock time and outputs, the witness commitment and
  reserved value;
- on the header: time around the median time past and the future limit,
  version, bits, nonce, merkle root, parent.
"""

import random
import struct
import time

from .diffcons import (BARE_TRUE, MAX_MONEY, SEQUENCE_DISABLE, SEQUENCE_FINAL, SEQUENCE_TYPE_TIME, Coin, Raw,
                       TrScript, bip34_push, commitment_script, p2wsh, set_witness, sign_tx, signed32, subsidy)
from .diffcons_world import KEY, LEAF_KEYS, LEAF_SECRETS
from .key import ORDER, der_decode, der_encode
from .messages import COutPoint, CTransaction, CTxIn, CTxOut
from .script import (OP_0, OP_1, OP_CHECKSIG, OP_NOP, OP_RETURN, OP_TRUE, CScript, program_to_witness_script,
                     script_num_encode, script_to_p2sh_script, script_to_p2wsh_script, taproot_construct)

LEAF_KEY0 = LEAF_KEYS[0]
KEY0_PUB = KEY.get_pubkey().get_bytes()

# Pool tags and how often a random input draws from each.
TAG_WEIGHTS = [
    ("true", 10), ("wsh_true", 10), ("sh_true", 4), ("shwsh_true", 4), ("p2pk", 4), ("p2pk_u", 1),
    ("p2pkh", 4), ("p2wpkh", 5), ("p2wpkh_u", 1), ("shwpkh", 3), ("ms", 2), ("wsh_ms", 2), ("trkey", 6),
    ("tree", 10), ("v2", 2), ("v16", 1), ("v1_20", 1), ("sh_v1", 1), ("v0_41", 1), ("v0_pd1", 1),
    ("sigops_sh", 1), ("sigops_wsh", 1), ("sigop1_wsh", 1), ("wsh_cltv", 2), ("wsh_csv", 2), ("bare_cltv", 1),
    ("bare_csv", 1), ("sh_cltv", 1), ("sh_csv", 1), ("wsh_if", 1), ("wsh_checksig_not", 1), ("height", 8),
    ("coinbase", 4), ("deep0", 1), ("deep1", 1), ("deep128", 1),
]
TREE_LEAVES = ["true", "checksig", "checksig_not", "checksigadd", "success", "unknown_version", "cltv", "csv",
               "codesep", "if", "unknown_key"]
OUT_SPKS = ["true", "wsh_true", "op_return", "p2tr", "sh", "v2", "sigops"]
TAPROOT_HASHTYPES = [0, 0, 0, 1, 2, 3, 0x81, 0x82, 0x83]
ECDSA_HASHTYPES = [1, 1, 1, 2, 3, 0x81, 0x82, 0x83]


def num(n):
    return script_num_encode(n)


class Ctx:
    """One case being built: the block's transactions and what each input spends."""

    def __init__(self, h, rng):
        self.h = h
        self.rng = rng
        self.height = h.next_height
        self.mtp = h.mtp()
        self.txs = []
        self.coins = []        # per tx: [Coin or None per input]
        self.opts = []         # per tx: per_input signing options
        self.made = []         # in-block coins others may spend
        self.muts = []
        self.cb_delta = 0
        self.cb = None
        self.commitment = None
        self.nonce_value = b"\x00" * 32


class RandomCases:
    def __init__(self, h, world, seed, log, prefix=""):
        """prefix: the tag prefix of the coins to draw ("pre_" for those made before the deployments)."""
        self.h = h
        self.prefix = prefix
        self.w = world
        self.seed = seed
        self.log = log
        self.count = 0
        self.errors = 0
        self.used = {}
        self.heights = sorted(int(t[1:]) for t in h.coins if t[0] == "h" and t[1:].isdigit())
        tags = [(t, w) for t, w in TAG_WEIGHTS if prefix + t in h.coins or (t == "height" and self.heights) or
                t == "coinbase"]
        self.tags = [t for t, _ in tags]
        self.weights = [w for _, w in tags]
        self.mature_cb = [hh for hh in h.coinbases if hh <= h.next_height - 100 and hh > 3 and
                          hh not in world.spent_cbs]
        self.tree = world.tree

    def mutation_summary(self):
        return ", ".join("%s=%d" % kv for kv in sorted(self.used.items(), key=lambda kv: -kv[1]))

    # -- one case --

    def run_one(self, k):
        rng = random.Random(self.seed * 1_000_003 + k)
        c = Ctx(self.h, rng)
        try:
            block = self.build(c)
        except Exception:  # noqa: BLE001 -- a generator bug skips the case, and is counted and shown
            self.errors += 1
            self.log.exception("random case %d (seed %d) could not be built; mutations %s", k, self.seed, c.muts)
            return None
        name = "random_%d_%d[%s]" % (self.seed, k, ",".join(c.muts) or "none")
        self.count += 1
        for m in c.muts:
            self.used[m] = self.used.get(m, 0) + 1
        return self.h.judge(name, block, None, detail="seed=%d case=%d" % (self.seed, k))

    def pick_coin(self, c, avoid):
        rng = c.rng
        for _ in range(20):
            tag = rng.choices(self.tags, self.weights)[0]
            if tag == "height":
                coin = self.h.coin("h%d" % rng.choice(self.heights))
            elif tag == "coinbase":
                coin = self.h.coinbases[rng.choice(self.mature_cb)]
                if coin.spender is None:
                    continue
            else:
                lst = self.h.coins[self.prefix + tag]
                coin = lst[rng.randrange(len(lst))]
            if coin.outpoint not in avoid:
                return self.dress(c, coin, tag)
        return None

    def dress(self, c, coin, tag):
        """A coin with a spender chosen for this case (tree leaves, CLTV/CSV arguments)."""
        rng = c.rng
        if tag == "tree":
            leaf = rng.choice(TREE_LEAVES)
            return Coin(coin.outpoint, coin.txout, coin.height, coin.coinbase, self.tree_spender(c, leaf), "tree:" + leaf)
        if tag in ("deep0", "deep1", "deep128"):
            depth = int(tag[4:])
            ctrl = self.w.deep[depth]
            return Coin(coin.outpoint, coin.txout, coin.height, False,
                        Raw(coin.txout.script_pubkey, b"", [bytes(CScript([OP_TRUE])), ctrl]), tag)
        if tag in ("wsh_cltv", "bare_cltv", "sh_cltv", "wsh_csv", "bare_csv", "sh_csv"):
            return Coin(coin.outpoint, coin.txout, coin.height, False, LockSpender(coin, tag, self, c), tag)
        return coin

    def lock_arg(self, c, csv, tx, i, coin):
        """An argument for CLTV/CSV that the tx as built satisfies, mostly."""
        rng = c.rng
        if csv:
            seq = tx.vin[i].sequence
            choice = rng.random()
            if choice < 0.6:
                return seq & 0x0040ffff if not seq & SEQUENCE_DISABLE else 0
            if choice < 0.8:
                return rng.choice([0, 1, SEQUENCE_DISABLE, SEQUENCE_TYPE_TIME | 1, (seq & 0xffff) + 1, -1, 1 << 40])
            return rng.getrandbits(33) - (1 << 32)
        lt = tx.locktime
        choice = rng.random()
        if choice < 0.6:
            return lt
        if choice < 0.8:
            return rng.choice([0, lt + 1, lt - 1, 500_000_000, c.mtp - 1, -1, 1 << 40, 0xffffffff])
        return rng.getrandbits(33) - (1 << 32)

    def tree_spender(self, c, leaf):
        rng = c.rng
        harness = self

        def stack(sp, tx, i, spent, annex=None, hashtype=0, **o):
            if leaf in ("checksig", "codesep"):
                pos = 0 if leaf == "codesep" else 0xffffffff
                if leaf == "codesep" and rng.random() < 0.2:
                    pos = 0xffffffff
                return [sp.leaf_sig(LEAF_SECRETS[0], tx, i, spent, hashtype, annex, codesep_pos=pos)]
            if leaf == "checksig_not":
                return [rng.choice([b"", b"\x01" * 64])]
            if leaf == "checksigadd":
                sigs = [sp.leaf_sig(LEAF_SECRETS[k], tx, i, spent, hashtype, annex) for k in range(3)]
                pick = rng.choice([(sigs[2], b"", sigs[0]), (b"", sigs[1], sigs[0]), (sigs[2], sigs[1], b""),
                                   (b"", b"", sigs[0]), (sigs[2], sigs[1], sigs[0])])
                return list(pick)
            if leaf in ("success", "unknown_version"):
                return [b"\x00"] * rng.randrange(0, 4)
            if leaf == "cltv":
                return [num(harness.lock_arg(c, False, tx, i, None))]
            if leaf == "csv":
                return [num(harness.lock_arg(c, True, tx, i, None))]
            if leaf == "if":
                return [rng.choice([b"\x01", b"", b"\x02", b"\x01\x00"])]
            if leaf == "unknown_key":
                return [rng.choice([b"", b"\x01" * 64])]
            return []
        return TrScript(self.tree, leaf, stack, signs=leaf in ("checksig", "codesep", "checksigadd"))

    # -- building --

    def out_spk(self, c):
        kind = c.rng.choice(OUT_SPKS)
        if kind == "true":
            return BARE_TRUE, Raw(BARE_TRUE)
        if kind == "wsh_true":
            sp = p2wsh(CScript([OP_TRUE]))
            return sp.spk, sp
        if kind == "op_return":
            return bytes(CScript([OP_RETURN, c.rng.randbytes(c.rng.randrange(0, 80))])), None
        if kind == "p2tr":
            return self.tree.script_pubkey, TrScript(self.tree, "true")
        if kind == "sh":
            return script_to_p2sh_script(CScript([OP_TRUE])), Raw(script_to_p2sh_script(CScript([OP_TRUE])),
                                                                  CScript([bytes(CScript([OP_TRUE]))]))
        if kind == "v2":
            return bytes(program_to_witness_script(2, b"\x02" * 32)), Raw(program_to_witness_script(2, b"\x02" * 32))
        return bytes(CScript([OP_CHECKSIG] * c.rng.randrange(1, 200))), None

    def valid_sequence(self, c, coin, version):
        rng = c.rng
        r = rng.random()
        if r < 0.5:
            return SEQUENCE_FINAL
        if r < 0.65:
            return 0xfffffffe
        if r < 0.75:
            return 0
        if (version & 0xffffffff) >= 2:
            depth = c.height - coin.height
            if rng.random() < 0.5:
                return max(0, min(depth, 0xffff))
            units = max(0, (c.mtp - self.h.mtp(max(coin.height - 1, 0))) // 512)
            return SEQUENCE_TYPE_TIME | min(units, 0xffff)
        return rng.getrandbits(32)

    def make_tx(self, c):
        rng = c.rng
        avoid = {i.prevout for t in c.txs for i in t.vin}
        coins = []
        nin = rng.choices([1, 2, 3], [6, 3, 1])[0]
        if c.made and rng.random() < 0.35:
            coins.append(c.made.pop(rng.randrange(len(c.made))))
        while len(coins) < nin:
            coin = self.pick_coin(c, avoid | {x.outpoint for x in coins})
            if coin is None:
                break
            coins.append(coin)
        version = rng.choices([1, 2, 3, -1], [3, 6, 1, 1])[0]
        lr = rng.random()
        if lr < 0.6:
            locktime = 0
        elif lr < 0.8:
            locktime = rng.randrange(0, c.height)
        else:
            locktime = rng.randrange(500_000_000, c.mtp)
        tx = CTransaction(version=signed32(version), locktime=locktime)
        tx.vin = [CTxIn(co.outpoint, b"", self.valid_sequence(c, co, version)) for co in coins]
        total = sum(co.value for co in coins)
        fee = rng.choice([0, 1, 1000, 10000, rng.randrange(0, max(1, total // 100))])
        nout = rng.choices([1, 2, 3], [5, 3, 2])[0]
        avail = max(0, total - fee)
        outs, made = [], []
        for k in range(nout):
            spk, sp = self.out_spk(c)
            v = avail // (nout - k) if k < nout - 1 else avail
            if spk[0] == OP_RETURN and rng.random() < 0.7:
                v = 0
            avail -= v
            outs.append(CTxOut(v, spk))
            made.append(sp)
        tx.vout = outs
        tx.witness = [[] for _ in coins]
        opts = {}
        for i, co in enumerate(coins):
            if isinstance(co.spender, TrScript) or co.tag == "trkey":
                opts[i] = {"hashtype": rng.choice(TAPROOT_HASHTYPES)}
            else:
                opts[i] = {"hashtype": rng.choice(ECDSA_HASHTYPES)}
            if rng.random() < 0.1:
                opts[i]["annex"] = b"\x50" + rng.randbytes(rng.randrange(0, 40))
        c.txs.append(tx)
        c.coins.append(coins)
        c.opts.append(opts)
        c.pending_made = made

    def register_made(self, c, ti):
        tx = c.txs[ti]
        for n, sp in enumerate(c.pending_made):
            if sp is not None and n < len(tx.vout) and 0 <= tx.vout[n].value <= MAX_MONEY:
                c.made.append(Coin(COutPoint(tx.txid, n), tx.vout[n], c.height, False, sp, "inblock"))

    def build(self, c):
        rng = c.rng
        if rng.random() < SCRIPT_SHARE:
            return self.build_script_case(c)
        b = self.build_block(c)
        if rng.random() < RAW_SHARE:
            name, fn = rng.choice(RAW)
            raw = fn(self, c, b)
            if raw is not None:
                c.muts.append(name)
                return raw
        return b

    def build_script_case(self, c):
        """A random script, put in an output by one tx and spent by the next in the same block."""
        rng = c.rng
        h = self.h
        kind = rng.choice(SCRIPT_KINDS_PRE if self.prefix else SCRIPT_KINDS)
        c.muts.append("script_" + kind)
        fund = h.coin(self.prefix + "true", rng.randrange(len(h.coins[self.prefix + "true"])))
        tap = kind == "tap"
        script = random_script(rng, tapscript=tap)
        stack = [random_push_value(rng) for _ in range(rng.choices([0, 1, 2, 3, 5], [2, 4, 3, 2, 1])[0])]
        version = rng.choices([1, 2, -1], [2, 6, 1])[0]
        locktime = rng.choice([0, 0, c.height - 1, c.mtp - 1, rng.getrandbits(32)])
        seq = rng.choice([SEQUENCE_FINAL, 0xfffffffe, 0, 1, SEQUENCE_TYPE_TIME | 1, rng.getrandbits(32)])
        if kind == "scriptsig":
            tx = CTransaction(version=signed32(version), locktime=locktime)
            tx.vin = [CTxIn(fund.outpoint, script, seq)]
            tx.vout = [CTxOut(fund.value - 1000, BARE_TRUE)]
            return self.finish_script_case(c, [tx])
        if kind == "bare":
            spk = script
        elif kind == "p2sh":
            spk = script_to_p2sh_script(script)
        elif kind in ("wsh", "shwsh"):
            spk = script_to_p2wsh_script(script)
            if kind == "shwsh":
                spk = script_to_p2sh_script(spk)
        else:
            leaf_version = rng.choices([0xc0, 0xc2, 0xfe], [20, 1, 1])[0]
            info = taproot_construct(NUMS_KEY, [("s", script, leaf_version)])
            spk = info.script_pubkey
        a = CTransaction(version=2)
        a.vin = [CTxIn(fund.outpoint, b"", SEQUENCE_FINAL)]
        a.vout = [CTxOut(fund.value - 1000, spk)]
        b = CTransaction(version=signed32(version), locktime=locktime)
        b.vin = [CTxIn(COutPoint(a.txid, 0), b"", seq)]
        b.vout = [CTxOut(fund.value - 2000, BARE_TRUE)]
        if kind == "bare":
            b.vin[0].script_sig = random_script(rng, pushes_only=rng.random() < 0.7)
        elif kind == "p2sh":
            b.vin[0].script_sig = bytes(CScript(stack + [bytes(script)]))
        elif kind == "wsh":
            b.witness = [stack + [bytes(script)]]
        elif kind == "shwsh":
            b.vin[0].script_sig = bytes(CScript([script_to_p2wsh_script(script)]))
            b.witness = [stack + [bytes(script)]]
        else:
            _, _, control = info.leaves["s"]
            w = stack + [bytes(script), control]
            if rng.random() < 0.15:
                w.append(b"\x50" + rng.randbytes(rng.randrange(0, 8)))
            b.witness = [w]
        return self.finish_script_case(c, [a, b])

    def finish_script_case(self, c, txs):
        b = self.h.block(txs)
        self.h.finish(b)
        return b

    def build_block(self, c):
        rng = c.rng
        h = self.h
        nmut = rng.choices([0, 1, 2, 3], [2, 5, 3, 1])[0]
        stages = [rng.choice(STAGES) for _ in range(nmut)]
        ntx = rng.choices([0, 1, 2, 3, 4], [1, 8, 5, 2, 1])[0]
        if rng.random() < 0.05:
            ntx = rng.randrange(8, 25)      # many transactions: order, accumulated fees and sigops
        for ti in range(ntx):
            self.make_tx(c)
            tx = c.txs[-1]
            for s in stages:
                if s == "pre":
                    self.mutate(c, PRE, ti)
            sign_tx(tx, c.coins[ti], per_input=c.opts[ti])
            for s in stages:
                if s == "post":
                    self.mutate(c, POST, ti)
            self.register_made(c, ti)
        for s in stages:
            if s == "block":
                self.mutate(c, BLOCK, None)
        b = h.block(c.txs, cb=c.cb, cb_delta=c.cb_delta, commitment=c.commitment)
        h.finish(b, solve=False, nonce_value=c.nonce_value)
        for s in stages:
            if s == "late":
                self.mutate(c, LATE, b)
        h.solve(b)
        for s in stages:
            if s == "header":
                self.mutate(c, HEADER, b)
        return b

    def mutate(self, c, table, arg):
        name, fn = c.rng.choice(table)
        if fn(self, c, arg) is not False:
            c.muts.append(name)


# --- mutations --------------------------------------------------------------------------------
# Each takes (RandomCases, Ctx, arg) and returns False when it did not apply.

def i64(v):
    """v clamped to what an output's value field holds (repeated mutations can push it past)."""
    return max(-(1 << 63), min((1 << 63) - 1, v))


def _tx(c, ti):
    return c.txs[ti]


def m_version(r, c, ti):
    _tx(c, ti).version = signed32(c.rng.choice([0, 1, 2, 3, 0xffffffff, 0x80000000, 0x7fffffff, c.rng.getrandbits(32)]))


def m_locktime(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    tx.locktime = rng.choice([0, c.height - 1, c.height, c.height + 1, 499_999_999, 500_000_000, c.mtp - 1, c.mtp,
                              c.mtp + 1, r.h.default_time(), 0xffffffff, rng.getrandbits(32)]) & 0xffffffff
    if rng.random() < 0.5:
        for i in tx.vin:
            if i.sequence == SEQUENCE_FINAL:
                i.sequence = 0xfffffffe


def m_sequence(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    i = rng.randrange(len(tx.vin)) if tx.vin else None
    if i is None:
        return False
    coin = c.coins[ti][i] if i < len(c.coins[ti]) else None
    ch = coin.height if coin is not None else c.height - 1
    depth = c.height - ch
    units = max(0, (c.mtp - r.h.mtp(max(ch - 1, 0))) // 512)
    tx.vin[i].sequence = rng.choice([0, 1, 0xfffffffe, 0xffffffff, depth, depth + 1, max(depth - 1, 0),
                                     SEQUENCE_DISABLE | (depth + 1), SEQUENCE_TYPE_TIME | units,
                                     SEQUENCE_TYPE_TIME | (units + 1), SEQUENCE_DISABLE | SEQUENCE_TYPE_TIME | 0xffff,
                                     0x00400000 | depth, 0x00bf0000 | (depth + 1), rng.getrandbits(32)]) & 0xffffffff


def m_out_value(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    if not tx.vout:
        return False
    o = tx.vout[rng.randrange(len(tx.vout))]
    total_in = sum(co.value for co in c.coins[ti] if co is not None)
    o.value = i64(rng.choice([-1, 0, o.value + 1, o.value - 1, total_in, total_in + 1, MAX_MONEY, MAX_MONEY + 1,
                              -(1 << 63), (1 << 63) - 1, MAX_MONEY // 2 + 1]))


def m_outputs(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    choice = rng.randrange(3)
    if choice == 0:
        tx.vout = []
    elif choice == 1:
        tx.vout.append(CTxOut(rng.choice([0, 1, 546]), rng.choice([BARE_TRUE, b"", bytes([OP_RETURN])])))
    else:
        tx.vout = tx.vout[:1]


def m_inputs(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    if not tx.vin:
        return False
    choice = rng.randrange(6)
    i = rng.randrange(len(tx.vin))
    if choice == 0:
        tx.vin.append(CTxIn(tx.vin[i].prevout, b"", tx.vin[i].sequence))
        c.coins[ti].append(c.coins[ti][i])
        tx.witness.append([])
    elif choice == 1:
        tx.vin[i].prevout = COutPoint()
        c.coins[ti][i] = None
    elif choice == 2:
        tx.vin[i].prevout = COutPoint(rng.randbytes(32), rng.randrange(3))
        c.coins[ti][i] = None
    elif choice == 3:
        n = tx.vin[i].prevout.n
        tx.vin[i].prevout = COutPoint(tx.vin[i].prevout.txid, (n + rng.choice([1, 1000, 0xffffffff - n])) & 0xffffffff)
        c.coins[ti][i] = None
    elif choice == 4:
        hh = c.height - rng.choice([99, 100, 101, 1, 50])
        cb = r.h.coinbases.get(hh)
        if cb is None or cb.spender is None:
            return False
        tx.vin[i].prevout = cb.outpoint
        c.coins[ti][i] = cb
    else:
        tx.vin = []
        tx.witness = []
        c.coins[ti] = []


def m_hashtype(r, c, ti):
    rng = c.rng
    opts = c.opts[ti]
    if not opts:
        return False
    i = rng.choice(list(opts))
    opts[i]["hashtype"] = rng.choice([0, 1, 2, 3, 4, 0x80, 0x81, 0x82, 0x83, 0x84, 0x41, 0xff, rng.randrange(256)])
    if rng.random() < 0.3:
        opts[i]["low_s"] = False


def m_fee(r, c, ti):
    tx = _tx(c, ti)
    known = [co for co in c.coins[ti] if co is not None]
    if not tx.vout or len(known) != len(tx.vin):
        return False
    total = sum(co.value for co in known)
    rest = sum(o.value for o in tx.vout[1:])
    tx.vout[0].value = i64(total - rest + c.rng.choice([0, 1, -1]))


PRE = [("version", m_version), ("locktime", m_locktime), ("sequence", m_sequence), ("out_value", m_out_value),
       ("outputs", m_outputs), ("inputs", m_inputs), ("hashtype", m_hashtype), ("fee", m_fee)]


def _items(tx):
    """(input, where, index) of every signature-like item: witness items and scriptSig pushes."""
    out = []
    for i, w in enumerate(tx.witness):
        for k in range(len(w)):
            out.append((i, "w", k))
    for i, txin in enumerate(tx.vin):
        if txin.script_sig:
            out.append((i, "s", None))
    return out


def m_flip(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    items = _items(tx)
    if not items:
        return False
    i, where, k = rng.choice(items)
    if where == "w":
        item = bytearray(tx.witness[i][k])
        if not item:
            tx.witness[i][k] = bytes([rng.randrange(256)])
            return
        pos = rng.randrange(len(item))
        item[pos] ^= 1 << rng.randrange(8)
        tx.witness[i][k] = bytes(item)
    else:
        s = bytearray(tx.vin[i].script_sig)
        pos = rng.randrange(len(s))
        s[pos] ^= 1 << rng.randrange(8)
        tx.vin[i].script_sig = bytes(s)


def m_witness_shape(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    if not tx.vin:
        return False
    i = rng.randrange(len(tx.vin))
    while len(tx.witness) < len(tx.vin):
        tx.witness.append([])
    w = tx.witness[i]
    choice = rng.randrange(7)
    if choice == 0:
        w.insert(0, rng.choice([b"", b"\x01", b"\x00" * 520, b"\x00" * 521, rng.randbytes(33)]))
    elif choice == 1 and w:
        w.pop(rng.randrange(len(w)))
    elif choice == 2:
        tx.witness[i] = []
    elif choice == 3 and w:
        k = rng.randrange(len(w))
        w[k] = w[k] + b"\x00" * rng.choice([1, 519, 600])
    elif choice == 4:
        w.append(b"\x50" + rng.randbytes(rng.randrange(0, 10)))
    elif choice == 5 and len(w) >= 2:
        w[-1], w[-2] = w[-2], w[-1]
    else:
        w.append(rng.choice([b"", b"\x51"]))


def m_scriptsig(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    if not tx.vin:
        return False
    i = rng.randrange(len(tx.vin))
    prefix = rng.choice([bytes([OP_NOP]), bytes([OP_0]), bytes([OP_1]), b"\x50", b"\x4c\x01\x07", b"\x01\x07",
                         b"\x4f", bytes([0x61, 0x61])])
    choice = rng.randrange(3)
    if choice == 0:
        tx.vin[i].script_sig = prefix + tx.vin[i].script_sig
    elif choice == 1:
        tx.vin[i].script_sig = tx.vin[i].script_sig + prefix
    else:
        tx.vin[i].script_sig = b""


def _ecdsa_positions(tx):
    out = []
    for i, w in enumerate(tx.witness):
        for k, item in enumerate(w):
            if 9 <= len(item) <= 73 and item[0] == 0x30:
                out.append((i, "w", k, item))
    for i, txin in enumerate(tx.vin):
        try:
            for op, data, end in CScript(txin.script_sig).raw_ops():
                if data is not None and 9 <= len(data) <= 73 and data[0] == 0x30:
                    out.append((i, "s", end - len(data), data))
        except Exception:  # noqa: BLE001 -- an unparsable scriptSig has no signature to find
            pass
    return out


def m_der(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    pos = _ecdsa_positions(tx)
    if not pos:
        return False
    i, where, k, sig = rng.choice(pos)
    dec = der_decode(sig[:-1])
    if dec is None:
        return False
    rr, ss = dec
    choice = rng.randrange(4)
    if choice == 0:
        new = der_encode(rr, ORDER - ss) + sig[-1:]      # high S: policy only
    elif choice == 1:
        rb = b"\x00" + rr.to_bytes((rr.bit_length() + 8) // 8, "big")
        sb = ss.to_bytes((ss.bit_length() + 8) // 8, "big")
        body = b"\x02" + bytes([len(rb)]) + rb + b"\x02" + bytes([len(sb)]) + sb
        new = b"\x30" + bytes([len(body)]) + body + sig[-1:]
    elif choice == 2:
        new = sig[:-1] + bytes([rng.choice([0, 4, 0x41, 0x84, 0xff])])
    else:
        new = sig[:-1]
    if where == "w":
        tx.witness[i][k] = new
    else:
        s = tx.vin[i].script_sig
        start = k
        # Rebuild the push with the new length.
        hdr_end = start
        hdr_start = start - 1 if s[start - 1] == len(sig) else start - 2
        tx.vin[i].script_sig = s[:hdr_start] + bytes(CScript([new])) + s[hdr_end + len(sig):]


def m_after_sign(r, c, ti):
    """Changes a field after signing: whether it was signed depends on the hash type."""
    rng = c.rng
    tx = _tx(c, ti)
    choice = rng.randrange(5)
    if choice == 0 and tx.vin:
        i = rng.randrange(len(tx.vin))
        tx.vin[i].sequence = (tx.vin[i].sequence - 1) & 0xffffffff
    elif choice == 1 and tx.vout:
        o = tx.vout[rng.randrange(len(tx.vout))]
        o.value = max(0, o.value - 1)
    elif choice == 2:
        tx.vout.append(CTxOut(0, bytes([OP_RETURN])))
    elif choice == 3:
        tx.locktime = 0 if tx.locktime else 1
    elif choice == 4 and tx.vout:
        tx.vout[-1] = CTxOut(tx.vout[-1].value, BARE_TRUE if tx.vout[-1].script_pubkey != BARE_TRUE else b"\x52")
    else:
        return False


def m_control(r, c, ti):
    rng = c.rng
    tx = _tx(c, ti)
    cands = [i for i, w in enumerate(tx.witness) if len(w) >= 2 and len(w[-1]) >= 33 and (w[-1][0] & 0xfe) in
             (0xc0, 0xc2) or (len(w) >= 3 and w[-1][:1] == b"\x50")]
    if not cands:
        return False
    i = rng.choice(cands)
    w = tx.witness[i]
    k = len(w) - 1 if w[-1][:1] != b"\x50" else len(w) - 2
    ctrl = bytearray(w[k])
    choice = rng.randrange(5)
    if choice == 0:
        ctrl[0] ^= 1
    elif choice == 1:
        ctrl = ctrl + bytes(32)
    elif choice == 2:
        ctrl = ctrl[:-1]
    elif choice == 3:
        ctrl[0] = (ctrl[0] & 1) | rng.choice([0xc2, 0xc4, 0x50 & 0xfe, 0xfe])
    else:
        ctrl[rng.randrange(1, len(ctrl))] ^= 1
    w[k] = bytes(ctrl)


POST = [("flip", m_flip), ("witness_shape", m_witness_shape), ("scriptsig", m_scriptsig), ("der", m_der),
        ("after_sign", m_after_sign), ("control", m_control)]


def m_order(r, c, arg):
    if len(c.txs) < 2:
        return False
    c.rng.shuffle(c.txs)


def m_dup_tx(r, c, arg):
    if not c.txs:
        return False
    t = c.rng.choice(c.txs)
    if c.rng.random() < 0.5:
        c.txs.append(t)
    else:
        c.txs.insert(c.rng.randrange(len(c.txs) + 1), t)


def m_double_spend(r, c, arg):
    cands = [(t, i) for t in c.txs for i in t.vin]
    if not cands:
        return False
    t, i = c.rng.choice(cands)
    tx = CTransaction(version=2)
    tx.vin = [CTxIn(i.prevout, i.script_sig, SEQUENCE_FINAL)]
    tx.witness = [list(t.witness[t.vin.index(i)]) if t.vin.index(i) < len(t.witness) else []]
    tx.vout = [CTxOut(0, BARE_TRUE)]
    c.txs.append(tx)


def m_cb_value(r, c, arg):
    c.cb_delta = c.rng.choice([1, -1, 1000, -subsidy(c.height), MAX_MONEY])


def m_cb_script(r, c, arg):
    rng = c.rng
    push = bip34_push(c.height)
    sig = rng.choice([push[:1], push + b"\x00" * (100 - len(push)), push + b"\x00" * (101 - len(push)),
                      bip34_push(c.height + 1), bip34_push(c.height - 1), b"\x4c" + push, push[:-1] + b"\x00",
                      b"\x51\x51", push + rng.randbytes(rng.randrange(0, 20))])
    c.cb = r.h.coinbase(c.height, script_sig=sig, value=subsidy(c.height) + max(0, r.h.fees_of(c.txs)))


def m_cb_fields(r, c, arg):
    rng = c.rng
    fees = max(0, r.h.fees_of(c.txs))
    choice = rng.randrange(5)
    if choice == 0:
        c.cb = r.h.coinbase(c.height, fees=fees, locktime=rng.choice([c.height, c.height - 1, c.mtp, c.mtp - 1]),
                            sequence=rng.choice([0, SEQUENCE_FINAL]))
    elif choice == 1:
        c.cb = r.h.coinbase(c.height, fees=fees, version=rng.choice([0, 2, -1]))
    elif choice == 2:
        c.cb = r.h.coinbase(c.height, outputs=[CTxOut(subsidy(c.height) + fees, BARE_TRUE),
                                               CTxOut(0, bytes(CScript([OP_CHECKSIG] * rng.choice([1, 1000]))))])
    elif choice == 3:
        c.cb = r.h.coinbase(c.height, outputs=[])
    else:
        c.cb = r.h.coinbase(c.height, outputs=[CTxOut(subsidy(c.height), BARE_TRUE), CTxOut(fees, BARE_TRUE)])


def m_commitment_policy(r, c, arg):
    rng = c.rng
    choice = rng.randrange(3)
    if choice == 0:
        c.commitment = False
    elif choice == 1:
        c.commitment = True
    else:
        c.nonce_value = rng.randbytes(32)


def m_second_coinbase(r, c, arg):
    c.txs.insert(c.rng.randrange(len(c.txs) + 1), r.h.coinbase(c.height, extra=b"\x02\x02"))


BLOCK = [("order", m_order), ("dup_tx", m_dup_tx), ("double_spend", m_double_spend), ("cb_value", m_cb_value),
         ("cb_script", m_cb_script), ("cb_fields", m_cb_fields), ("commitment_policy", m_commitment_policy),
         ("second_coinbase", m_second_coinbase)]


def m_commitment_bytes(r, c, b):
    rng = c.rng
    cb = b.vtx[0]
    idx = [k for k, o in enumerate(cb.vout) if o.script_pubkey[:6] == b"\x6a\x24\xaa\x21\xa9\xed"]
    choice = rng.randrange(6)
    if choice == 0 and idx:
        o = cb.vout[idx[-1]]
        s = bytearray(o.script_pubkey)
        s[rng.randrange(6, len(s))] ^= 1
        cb.vout[idx[-1]] = CTxOut(o.value, bytes(s))
    elif choice == 1 and idx:
        cb.vout.append(CTxOut(0, cb.vout[idx[-1]].script_pubkey))
    elif choice == 2 and idx:
        cb.vout.insert(idx[-1], CTxOut(0, commitment_script(rng.randbytes(32))))
    elif choice == 3:
        set_witness(cb, 0, rng.choice([[], [b"\x00" * 31], [b"\x00" * 32, b""], [b"\x00" * 33], [rng.randbytes(32)]]))
    elif choice == 4 and idx:
        cb.vout[idx[-1]] = CTxOut(0, cb.vout[idx[-1]].script_pubkey[:37])
    elif choice == 5:
        cb.vout.append(CTxOut(0, commitment_script(b.calc_witness_merkle_root())))
        set_witness(cb, 0, [b"\x00" * 32])
    else:
        return False
    b.merkle_root = b.calc_merkle_root()


LATE = [("commitment_bytes", m_commitment_bytes)]


def m_time(r, c, b):
    rng = c.rng
    now = int(time.time())
    b.time = rng.choice([c.mtp, c.mtp + 1, c.mtp - 1, r.h.times[r.h.height], now + 7200 + 300, now + 3600,
                         now]) & 0xffffffff
    r.h.solve(b)


def m_header(r, c, b):
    rng = c.rng
    choice = rng.randrange(5)
    if choice == 0:
        b.version = signed32(rng.choice([1, 2, 3, 4, 0xffffffff, 0x80000000, rng.getrandbits(32)]))
    elif choice == 1:
        b.bits = rng.choice([0x207ffffe, 0x1d00ffff, 0x207fffff + 1])
        if b.bits != 0x207ffffe:
            return      # no nonce in reach: high-hash
    elif choice == 2:
        b.merkle_root = rng.randbytes(32)
    elif choice == 3:
        b.prev = rng.randbytes(32)
    if choice == 4:
        b.unsolve()
    else:
        r.h.solve(b)


HEADER = [("time", m_time), ("header", m_header)]

STAGES = ["pre"] * 8 + ["post"] * 7 + ["block"] * 5 + ["late"] * 2 + ["header"] * 2


# --- random scripts ---------------------------------------------------------------------------

SCRIPT_KINDS = ["scriptsig", "bare", "p2sh", "wsh", "shwsh", "tap", "tap"]
# Before segwit a witness makes the block unexpected-witness: mostly legacy scripts there.
SCRIPT_KINDS_PRE = ["scriptsig", "scriptsig", "bare", "bare", "p2sh", "p2sh", "wsh"]
SCRIPT_SHARE = 0.3
NUMS_KEY = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")
OP_SUCCESS = set([0x50, 0x62, 0x7e, 0x7f, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x89, 0x8a, 0x8d, 0x8e, 0x95, 0x96,
                  0x97, 0x98, 0x99] + list(range(0xbb, 0xff)))
# Opcodes a random script draws from, besides pushes: stack, arithmetic, flow, crypto, locks, checks.
COMMON_OPS = ([0x61, 0x63, 0x64, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73,
               0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x82, 0x87, 0x88, 0x8b, 0x8c, 0x8f, 0x90,
               0x91, 0x92, 0x93, 0x94, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
               0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xba]
              + [0x76, 0x75, 0x87, 0x69, 0x63, 0x68, 0x67, 0x93, 0x7c])


def random_push_value(rng):
    r = rng.random()
    if r < 0.25:
        return rng.choice([b"", b"\x00", b"\x01", b"\x02", b"\x80", b"\x81", b"\x7f", b"\xff", b"\x00\x80",
                           b"\x01\x00", b"\xff\xff\xff\x7f", b"\xff\xff\xff\xff", b"\x00\x00\x00\x80\x00"])
    if r < 0.5:
        return script_num_encode(rng.choice([rng.randrange(-20, 20), rng.randrange(-(1 << 31), 1 << 31),
                                             rng.randrange(-(1 << 39), 1 << 39), 500_000_000, 0xffff]))
    if r < 0.7:
        return rng.randbytes(rng.randrange(0, 9))
    if r < 0.8:
        return rng.randbytes(rng.choice([20, 32, 33, 64, 65]))
    if r < 0.9:
        return rng.choice([LEAF_KEY0, KEY0_PUB, b"\x00" * 520, b"\x00" * 521, b"\x02" + b"\x00" * 32])
    return rng.choice([b"\x30\x06\x02\x01\x01\x02\x01\x01\x01", b"\x30" + rng.randbytes(70)])


def push_bytes(rng, data):
    n = len(data)
    r = rng.random()
    if r < 0.08 and n < 256:
        return bytes([0x4c, n]) + data
    if r < 0.1 and n < 65536:
        return bytes([0x4d]) + n.to_bytes(2, "little") + data
    if r < 0.11:
        return bytes([0x4e]) + n.to_bytes(4, "little") + data
    if n == 0 and r < 0.6:
        return b"\x00"
    if n == 1 and 1 <= data[0] <= 16 and r < 0.6:
        return bytes([0x50 + data[0]])
    if n == 1 and data[0] == 0x81 and r < 0.6:
        return b"\x4f"
    return bytes(CScript([data]))


def random_script(rng, tapscript=False, pushes_only=False):
    """Bytes of a short random script: pushes (some non-minimal), common opcodes, now and then any byte."""
    out = []
    for _ in range(rng.choices([0, 1, 3, 6, 12, 25], [1, 3, 4, 4, 2, 1])[0]):
        r = rng.random()
        if pushes_only or r < 0.35:
            out.append(push_bytes(rng, random_push_value(rng)))
        elif r < 0.5:
            out.append(bytes([rng.choice([0x00, 0x4f] + list(range(0x51, 0x61)))]))
        elif r < 0.95:
            out.append(bytes([rng.choice(COMMON_OPS)]))
        else:
            op = rng.randrange(256)
            if tapscript and op in OP_SUCCESS and rng.random() < 0.8:
                op = 0x61
            out.append(bytes([op]))
    if rng.random() < 0.02:
        out.append(rng.choice([b"\x4c", b"\x4d\x01", b"\x05\x00"]))      # a truncated push
    return b"".join(out)


# --- serialization (the bytes submitblock decodes) --------------------------------------------

def ser_cs(n, odd=False):
    """A CompactSize; odd: the next wider (non-canonical) form."""
    if not odd:
        if n < 253:
            return bytes([n])
        if n <= 0xffff:
            return b"\xfd" + n.to_bytes(2, "little")
        if n <= 0xffffffff:
            return b"\xfe" + n.to_bytes(4, "little")
        return b"\xff" + n.to_bytes(8, "little")
    if n < 253:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xffff:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


class Writer:
    """Serializes a block counting its CompactSizes; the one numbered odd is written non-canonically."""

    def __init__(self, odd=-1, force_witness=False):
        self.k = 0
        self.odd = odd
        self.force_witness = force_witness
        self.out = []

    def cs(self, n):
        self.out.append(ser_cs(n, self.k == self.odd))
        self.k += 1

    def var(self, b):
        self.cs(len(b))
        self.out.append(bytes(b))

    def tx(self, t, witness):
        self.out.append(struct.pack("<i", t.version))
        use = witness and (t.has_witness() or self.force_witness)
        if use:
            self.out.append(b"\x00\x01")
        self.cs(len(t.vin))
        for i in t.vin:
            self.out.append(i.prevout.serialize())
            self.var(i.script_sig)
            self.out.append(struct.pack("<I", i.sequence))
        self.cs(len(t.vout))
        for o in t.vout:
            self.out.append(struct.pack("<q", o.value))
            self.var(o.script_pubkey)
        if use:
            for k in range(len(t.vin)):
                w = t.witness[k] if k < len(t.witness) else []
                self.cs(len(w))
                for item in w:
                    self.var(item)
        self.out.append(struct.pack("<I", t.locktime))

    def block(self, b):
        self.out.append(b.serialize_header())
        self.cs(len(b.vtx))
        for t in b.vtx:
            self.tx(t, True)
        return b"".join(self.out)


def r_trailing(r, c, b):
    return b.serialize() + c.rng.choice([b"\x00", b"\x01", c.rng.randbytes(c.rng.randrange(1, 100))])


def r_truncated(r, c, b):
    raw = b.serialize()
    return raw[:len(raw) - c.rng.randrange(1, min(len(raw) - 80, 40))]


def r_noncanonical(r, c, b):
    total = Writer(-1)
    total.block(b)
    return Writer(c.rng.randrange(total.k)).block(b)


def r_tx_count(r, c, b):
    raw = b.serialize()
    n = len(b.vtx)
    rest = raw[80 + len(ser_cs(n)):]
    d = c.rng.choice([1, -1, 1000, 0x02000001 - n, -n])
    if n + d < 0:
        return None
    return raw[:80] + ser_cs(n + d) + rest


def r_witness_flags(r, c, b):
    """A witness marker on a tx without witness ("Superfluous witness record"), or an unknown flag."""
    rng = c.rng
    if rng.random() < 0.5:
        return Writer(-1, force_witness=True).block(b)
    raw = bytearray(b.serialize())
    pos = raw.find(b"\x00\x01", 80)
    wit_txs = [t for t in b.vtx if t.has_witness()]
    if not wit_txs:
        return None
    # The marker of the first witness tx: right after its version.
    off = 80 + len(ser_cs(len(b.vtx)))
    for t in b.vtx:
        if t.has_witness():
            raw[off + 5] = rng.choice([0x02, 0x03, 0xff])
            return bytes(raw)
        off += len(t.serialize())
    _unused_pos = pos
    return None


RAW = [("raw_trailing", r_trailing), ("raw_truncated", r_truncated), ("raw_noncanonical", r_noncanonical),
       ("raw_tx_count", r_tx_count), ("raw_witness_flags", r_witness_flags)]
RAW_SHARE = 0.06


class LockSpender(Raw):
    """A CLTV or CSV script coin whose argument is chosen when the tx is known."""

    def __init__(self, coin, tag, r, c):
        super().__init__(coin.txout.script_pubkey)
        self.tag = tag
        self.r = r
        self.c = c
        self.script = r.w_scripts(tag)

    def fill(self, tx, i, spent, **opts):
        arg = num(self.r.lock_arg(self.c, self.tag.endswith("csv"), tx, i, None))
        if self.tag.startswith("wsh_"):
            tx.vin[i].script_sig = b""
            set_witness(tx, i, [arg, bytes(self.script)])
        elif self.tag.startswith("sh_"):
            tx.vin[i].script_sig = bytes(CScript([arg, bytes(self.script)]))
            set_witness(tx, i, [])
        else:
            tx.vin[i].script_sig = bytes(CScript([arg]))
            set_witness(tx, i, [])


def _w_scripts(self, tag):
    from .diffcons_world import BARE_SCRIPTS, WSH_SCRIPTS
    if tag.startswith("bare_"):
        return BARE_SCRIPTS[tag]
    if tag.startswith("sh_"):
        return WSH_SCRIPTS["wsh_" + tag[3:]]
    return WSH_SCRIPTS[tag]


RandomCases.w_scripts = _w_scripts
