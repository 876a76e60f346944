"""The chain the differential consensus cases run on, and its coins.

Two chains are built, each on its own pair of nodes (Core, bitrootd):

- low: default regtest (BIP34 and friends from height 1). Heights 1 to
  LOW_TOP are built one by one, with cases at each height (BIP34 pushes of
  small heights, short coinbase scriptSigs, median time past over fewer
  than eleven blocks).
- main: every buried deployment (bip34, dersig, cltv, csv, segwit) at
  ACTIVATION via -testactivationheight. Heights up to ACTIVATION - 2 carry
  coins for the boundary cases, which run at ACTIVATION - 1 and again at
  ACTIVATION; then the chain grows to MAIN_TIP with the pool of coins every
  later case draws from, one "ladder" coin per height (BIP68), coinbases
  of every height (maturity), and two coinbases made before BIP34 that a
  coinbase at MAIN_TIP + 1 can duplicate (BIP30).

Block times are exactly STEP seconds apart, so median time past differences
are multiples of 512 where BIP68 time locks need them.
"""

import time

from .diffcons import (BARE_TRUE, MAX_BLOCK_WEIGHT, Multisig, P2PK, P2PKH, P2WPKH, Raw, TrKey, TrScript, bip34_push,
                       p2sh, p2sh_p2wsh, p2wsh, spend_tx, subsidy)
from .key import ECKey, compute_xonly_pubkey
from .messages import COIN, CTxOut, sha256
from .script import (LEAF_VERSION_TAPSCRIPT, OP_0, OP_1, OP_2, OP_CHECKLOCKTIMEVERIFY, OP_CHECKMULTISIG,
                     OP_CHECKSEQUENCEVERIFY, OP_CHECKSIG, OP_CHECKSIGADD, OP_CHECKSIGVERIFY, OP_CODESEPARATOR,
                     OP_DROP, OP_DUP, OP_ELSE, OP_ENDIF, OP_IF, OP_NOP, OP_NOT, OP_NUMEQUAL, OP_RETURN, OP_TRUE,
                     CScript, program_to_witness_script, tagged_hash, taproot_construct, tapleaf_hash)
from .key import tweak_add_pubkey

ACTIVATION = 150
MAIN_TIP = 299
LOW_TOP = 20
STEP = 64
NUMS = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")
DEPLOYMENTS = ("bip34", "dersig", "cltv", "csv", "segwit")
MAIN_ARGS = ["-testactivationheight=%s@%d" % (d, ACTIVATION) for d in DEPLOYMENTS]

# Coinbases made before BIP34 whose scriptSig starts with MAIN_TIP + 1's push.
BIP30_TAGS = {2: b"\x02\xb3\x00", 3: b"\x02\xb3\x01"}
BIP30_VALUE = subsidy(MAIN_TIP + 1)

# Keys: fixed, so every run builds the same transactions.
KEY = ECKey(0xD1FF0001)
KEY2 = ECKey(0xD1FF0002)
KEY3 = ECKey(0xD1FF0003)
UKEY = ECKey(0xD1FF0004, compressed=False)
TR_SECRET = (0xD1FF0005).to_bytes(32, "big")
LEAF_SECRETS = [(0xD1FF0010 + k).to_bytes(32, "big") for k in range(3)]
LEAF_KEYS = [compute_xonly_pubkey(s)[0] for s in LEAF_SECRETS]

# Unexecuted CHECKMULTISIGs: 20 sigops each when counted, never run.
SIGOPS_SCRIPT = CScript([OP_0, OP_IF] + [OP_CHECKMULTISIG] * 199 + [OP_ENDIF, OP_1])
SIGOPS_PER_SCRIPT = 199 * 20
ONE_SIGOP_SCRIPT = CScript([OP_0, OP_IF, OP_CHECKSIG, OP_ENDIF, OP_1])


def budget_script(n):
    """n signature checks of one signature (stack: [sig]): BIP342's budget at work."""
    return CScript([OP_DUP, LEAF_KEYS[0], OP_CHECKSIGVERIFY] * (n - 1) + [LEAF_KEYS[0], OP_CHECKSIG])


# Tapscript leaves: name -> (script bytes, leaf version).
TAP_LEAVES = [
    ("true", CScript([OP_TRUE]), LEAF_VERSION_TAPSCRIPT),
    ("checksig", CScript([LEAF_KEYS[0], OP_CHECKSIG]), LEAF_VERSION_TAPSCRIPT),
    ("checksig_not", CScript([LEAF_KEYS[0], OP_CHECKSIG, OP_NOT]), LEAF_VERSION_TAPSCRIPT),
    ("checksigadd", CScript([LEAF_KEYS[0], OP_CHECKSIG, LEAF_KEYS[1], OP_CHECKSIGADD, LEAF_KEYS[2],
                             OP_CHECKSIGADD, OP_2, OP_NUMEQUAL]), LEAF_VERSION_TAPSCRIPT),
    ("cms", CScript([OP_0, LEAF_KEYS[0], OP_1, OP_CHECKMULTISIG]), LEAF_VERSION_TAPSCRIPT),
    ("if", CScript([OP_IF, OP_1, OP_ELSE, OP_1, OP_ENDIF]), LEAF_VERSION_TAPSCRIPT),
    ("success", bytes([0x50]), LEAF_VERSION_TAPSCRIPT),
    ("success_after_return", bytes([OP_RETURN, 0xbb]), LEAF_VERSION_TAPSCRIPT),
    ("success_then_bad_push", bytes([0x7e, 0x4c, 0xff]), LEAF_VERSION_TAPSCRIPT),
    ("bad_push_then_success", bytes([0x4c, 0xff, 0x50]), LEAF_VERSION_TAPSCRIPT),
    ("cltv", CScript([OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_1]), LEAF_VERSION_TAPSCRIPT),
    ("csv", CScript([OP_CHECKSEQUENCEVERIFY, OP_DROP, OP_1]), LEAF_VERSION_TAPSCRIPT),
    ("codesep", CScript([OP_CODESEPARATOR, LEAF_KEYS[0], OP_CHECKSIG]), LEAF_VERSION_TAPSCRIPT),
    ("unknown_version", CScript([OP_RETURN]), 0xc2),
    ("empty_key", CScript([OP_0, OP_CHECKSIG]), LEAF_VERSION_TAPSCRIPT),
    ("unknown_key", CScript([b"\x01" * 33, OP_CHECKSIG]), LEAF_VERSION_TAPSCRIPT),
    ("budget", budget_script(20), LEAF_VERSION_TAPSCRIPT),
    ("big", CScript([b"\x00" * 520, OP_DROP] * 20 + [OP_1]), LEAF_VERSION_TAPSCRIPT),
    ("ops", CScript([OP_1] + [OP_DUP, OP_DROP] * 150), LEAF_VERSION_TAPSCRIPT),
    ("drop_all", CScript([OP_DROP] * 4 + [OP_1]), LEAF_VERSION_TAPSCRIPT),
]


def tap_tree():
    return taproot_construct(NUMS, [(name, script, ver) for name, script, ver in TAP_LEAVES])


def deep_taproot(script, depth, internal=NUMS):
    """A taproot output whose one leaf sits depth levels down: (scriptPubKey, control block)."""
    h = tapleaf_hash(script)
    path = []
    for k in range(depth):
        sibling = sha256(b"deep" + k.to_bytes(2, "big"))
        path.append(sibling)
        a, b = (h, sibling) if h < sibling else (sibling, h)
        h = tagged_hash("TapBranch", a + b)
    tweak = tagged_hash("TapTweak", internal + h)
    out, neg = tweak_add_pubkey(internal, tweak)
    control = bytes([LEAF_VERSION_TAPSCRIPT | (1 if neg else 0)]) + internal + b"".join(path)
    return program_to_witness_script(1, out), control


# Legacy and v0 witness scripts that get a coin each: tag -> script.
BARE_SCRIPTS = {
    "bare_cltv": CScript([OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_1]),
    "bare_csv": CScript([OP_CHECKSEQUENCEVERIFY, OP_DROP, OP_1]),
    "bare_cltv100": CScript([100, OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_1]),
    "bare_csv10": CScript([10, OP_CHECKSEQUENCEVERIFY, OP_DROP, OP_1]),
    "bare_codesep": CScript([OP_1, OP_DROP, OP_CODESEPARATOR, KEY.get_pubkey().get_bytes(), OP_CHECKSIG]),
    "bare_checksig_not": CScript([KEY.get_pubkey().get_bytes(), OP_CHECKSIG, OP_NOT]),
}
WSH_SCRIPTS = {
    "wsh_cltv": CScript([OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_1]),
    "wsh_csv": CScript([OP_CHECKSEQUENCEVERIFY, OP_DROP, OP_1]),
    "wsh_if": CScript([OP_IF, OP_1, OP_ELSE, OP_1, OP_ENDIF]),
    "wsh_checksig_not": CScript([KEY.get_pubkey().get_bytes(), OP_CHECKSIG, OP_NOT]),
    "wsh_two": CScript([OP_1, OP_1]),
    "wsh_drop": CScript([OP_DROP, OP_1]),
    "wsh_10000": CScript([b"\x00" * 520, OP_DROP] * 19 + [b"\x00" * 41, OP_DROP, OP_1]),
    "wsh_10001": CScript([b"\x00" * 520, OP_DROP] * 19 + [b"\x00" * 42, OP_DROP, OP_1]),
    "wsh_ops201": CScript([OP_1] + [OP_NOP] * 201),
    "wsh_ops202": CScript([OP_1] + [OP_NOP] * 202),
    "wsh_codesep": CScript([OP_1, OP_DROP, OP_CODESEPARATOR, KEY.get_pubkey().get_bytes(), OP_CHECKSIG]),
}


class World:
    """Builds a chain on a DiffHarness and registers its coins."""

    def __init__(self, h):
        self.h = h
        self.tree = tap_tree()
        self.deep = {}
        self.spent_cbs = set()

    # -- helpers --

    def base_time(self, top):
        """Block times: height k at base + STEP * k, the top one ten minutes ago."""
        return int(time.time()) - 600 - STEP * top

    def next_block(self, txs=(), *, cb_extra=b"", cb_spk=BARE_TRUE, cb_script_sig=None, cb_value=None,
                   time_=None):
        h = self.h
        height = h.next_height
        fees = max(0, h.fees_of(list(txs)))
        cb = h.coinbase(height, value=subsidy(height) + fees if cb_value is None else cb_value, spk=cb_spk,
                        script_sig=cb_script_sig, extra=cb_extra)
        b = h.block(txs, cb=cb, time_=time_ if time_ is not None else self.base + STEP * height)
        b.cb_spender = Raw(cb_spk) if cb_spk == BARE_TRUE else None
        return b

    def fanout(self, coin, outs):
        """A tx spending coin to outs [(tag, spender, value)], change back to bare OP_TRUE."""
        total = sum(v for _, _, v in outs)
        change = coin.value - total - 10000
        assert change >= 0, "fan-out over budget"
        tx = spend_tx([coin], [CTxOut(v, sp.spk) for _, sp, v in outs] + [CTxOut(change, BARE_TRUE)])
        coin.spender.fill(tx, 0, [coin.txout])
        return tx, [(k, tag, sp) for k, (tag, sp, _) in enumerate(outs)], len(outs)

    def extend_with(self, fanouts, **kw):
        """One block holding fan-out txs; registers their outputs and change ("true")."""
        txs = [f[0] for f in fanouts]
        b = self.next_block(txs, **kw)
        coin_tags = {}
        for ti, (tx, outs, nchange) in enumerate(fanouts, start=1):
            for k, tag, sp in outs:
                coin_tags[(ti, k)] = (tag, sp)
            coin_tags[(ti, nchange)] = ("true", Raw(BARE_TRUE))
        self.h.extend(b, coin_tags)
        return b

    def take_cb(self, height):
        self.spent_cbs.add(height)
        return self.h.coinbases[height]

    # -- the low chain --

    def start_low(self):
        self.base = self.base_time(LOW_TOP)

    # -- the main chain --

    def build_main_pre(self):
        """Heights 1 .. ACTIVATION - 2 with the coins the boundary cases need."""
        h = self.h
        self.base = self.base_time(MAIN_TIP)
        while h.height < 100:
            height = h.next_height
            if height in BIP30_TAGS:
                b = self.next_block(cb_script_sig=bip34_push(MAIN_TIP + 1) + BIP30_TAGS[height],
                                    cb_value=BIP30_VALUE)
            else:
                b = self.next_block()
            h.extend(b)
        # Height 101: spend the coinbase of height 1 into pre-activation coins.
        outs = [("pre_p2pk", P2PK(KEY), COIN)] * 2
        outs += [("pre_true", Raw(BARE_TRUE), COIN)] * 4
        outs += [("pre_ms", Multisig([KEY], 1), COIN)] * 2
        outs += [("pre_wsh_true", p2wsh(CScript([OP_TRUE])), COIN)] * 2
        outs += [("pre_v2", Raw(program_to_witness_script(2, b"\x02" * 32)), COIN)]
        outs += [("pre_v2_zero", Raw(program_to_witness_script(2, b"\x00" * 32)), COIN)]
        outs += [("pre_sh_true", p2sh(CScript([OP_TRUE])), COIN)]
        outs += [("pre_shwpkh", P2WPKH(KEY, wrap=True), COIN)]
        for tag in ("bare_cltv100", "bare_csv10", "bare_cltv", "bare_csv"):
            outs.append(("pre_" + tag, Raw(BARE_SCRIPTS[tag]), COIN))
        self.extend_with([self.fanout(self.take_cb(1), outs)])
        while h.height < 109:
            h.extend(self.next_block())
        # Spend the second BIP30 coinbase, so that its duplicate is allowed later.
        self.extend_with([self.fanout(self.take_cb(3), [])])
        while h.height < ACTIVATION - 2:
            h.extend(self.next_block())

    def build_main_rest_step(self):
        """One block: the tip moves from ACTIVATION - 2 to ACTIVATION - 1."""
        assert self.h.height == ACTIVATION - 2
        self.h.extend(self.next_block())

    def build_main_rest(self):
        """ACTIVATION - 1 .. MAIN_TIP: the pool, the ladder, and coinbases to mature."""
        h = self.h
        while h.height < ACTIVATION - 1:
            h.extend(self.next_block())
        pool = self.pool_outputs()
        fans = []
        cb_height = 4
        while pool:
            chunk, budget = [], subsidy(1) - 10 ** 6
            while pool and budget - pool[0][2] > 0 and len(chunk) < 400:
                budget -= pool[0][2]
                chunk.append(pool.pop(0))
            fans.append(self.fanout(self.take_cb(cb_height), chunk))
            cb_height += 1
        self.extend_with(fans)
        # The ladder: from here on every block makes one bare OP_TRUE coin ("h<height>").
        ladder = self.take_cb(cb_height)
        while h.height < MAIN_TIP:
            tx = spend_tx([ladder], [CTxOut(COIN // 10, BARE_TRUE), CTxOut(ladder.value - COIN // 10 - 1000, BARE_TRUE)])
            height = h.next_height
            b = self.next_block([tx])
            h.extend(b, {(1, 0): ("h%d" % height, Raw(BARE_TRUE)),
                         (1, 1): ("ladder", Raw(BARE_TRUE))})
            ladder = h.coins["ladder"][-1]

    def pool_outputs(self):
        """(tag, spender, value) for every coin kind of the pool."""
        outs = []

        def add(tag, sp, n, value=COIN):
            outs.extend([(tag, sp, value)] * n)

        add("true", Raw(BARE_TRUE), 8)
        add("wsh_true", p2wsh(CScript([OP_TRUE])), 8)
        add("sh_true", p2sh(CScript([OP_TRUE])), 4)
        add("shwsh_true", p2sh_p2wsh(CScript([OP_TRUE])), 4)
        add("p2pk", P2PK(KEY), 4)
        add("p2pk_u", P2PK(UKEY), 2)
        add("p2pkh", P2PKH(KEY2), 4)
        add("p2wpkh", P2WPKH(KEY), 4)
        add("p2wpkh_u", P2WPKH(UKEY), 2)
        add("shwpkh", P2WPKH(KEY3, wrap=True), 4)
        add("ms", Multisig([KEY, KEY2], 1), 3)
        add("wsh_ms", Multisig([KEY, KEY2, KEY3], 2, wrap="wsh"), 3)
        add("trkey", TrKey(TR_SECRET), 4)
        add("tree", TrScript(self.tree, "true"), 4)
        # A witness program whose bytes are all zero leaves a false top element: unspendable.
        add("v2", Raw(program_to_witness_script(2, b"\x02" * 32)), 3)
        add("v2_zero", Raw(program_to_witness_script(2, b"\x00" * 32)), 1)
        add("v16", Raw(program_to_witness_script(16, b"\x10" * 2)), 2)
        add("v16_zero", Raw(program_to_witness_script(16, b"\x00" * 2)), 1)
        add("v1_20", Raw(program_to_witness_script(1, b"\x01" * 20)), 2)
        add("v1_zero", Raw(program_to_witness_script(1, b"\x00" * 20)), 1)
        add("sh_v1", p2sh(program_to_witness_script(1, b"\x01" * 32)), 2)
        add("sh_v1_zero", p2sh(program_to_witness_script(1, b"\x00" * 32)), 1)
        add("v0_21", Raw(program_to_witness_script(0, b"\x01" * 21)), 2)
        add("v0_41", Raw(CScript([OP_0, b"\x01" * 41])), 2)
        add("v0_pd1", Raw(bytes([OP_0, 0x4c, 20]) + b"\x01" * 20), 2)
        add("sigops_sh", p2sh(SIGOPS_SCRIPT), 8)
        add("sigops_wsh", p2wsh(SIGOPS_SCRIPT), 24)
        add("sigop1_wsh", p2wsh(ONE_SIGOP_SCRIPT), 6)
        add("sigops_shwsh", p2sh_p2wsh(SIGOPS_SCRIPT), 2)
        for tag, script in BARE_SCRIPTS.items():
            add(tag, Raw(script), 2)
        for tag, script in WSH_SCRIPTS.items():
            add(tag, p2wsh(script), 2)
        for tag, script in (("sh_cltv", WSH_SCRIPTS["wsh_cltv"]), ("sh_csv", WSH_SCRIPTS["wsh_csv"])):
            add(tag, p2sh(script), 2)
        for depth in (0, 1, 128):
            spk, control = deep_taproot(CScript([OP_TRUE]), depth)
            self.deep[depth] = control
            add("deep%d" % depth, Raw(spk), 2)
        # For the weight and size cases: big witness and plenty of value.
        add("weight", Raw(program_to_witness_script(2, b"\x02" * 32)), 4, 10 * COIN)
        return outs

    def check_limits(self):
        assert MAX_BLOCK_WEIGHT == 4_000_000
