#!/usr/bin/env python3
"""Differential RPC test: the same calls to Bitcoin Core 28.1 and bitrootd, answers compared.

Both nodes hold the same chain (the shared dev chain, 1,100 blocks made by
Core, plus blocks mined here by a MiniWallet) and the same mempool (the same
MiniWallet transactions sent to each through sendrawtransaction), and run on
the same mock time. Then every method that bitrootd implements (its `help`,
plus the hidden ones that rpc_methods.py lists) is called on both with a table
of parameters: valid calls, bad parameters, wrong JSON types, unknown hashes,
out-of-range heights, too many parameters and named parameters. Results are
compared recursively, key by key and element by element (numbers by type and
by the digits written); errors by code and message.

A difference passes only when KNOWN lists it (method, path of the field, one
line of reason). Differences of bitrootd on purpose follow the project's rule:
for policy defaults, RPC details and options that changed after Core 28, it
follows current Core (30); those are listed with "Core 30:". Differences that
are bugs still to fix are listed with "not yet:". Anything else fails the test.
The test prints how many calls and fields it compared, and the methods that
Core has and bitrootd lacks (out of scope here).
"""

import copy
import decimal
import json
import re
import time

from test_framework.address import descsum_create, output_key_to_p2tr, scripthash_to_p2sh
from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY
from test_framework.messages import msg_sendcmpct
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

D = decimal.Decimal
MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
ADDRMAN = "-test=addrman"
BADHASH = "00" * 31 + "01"
P2WPKH = "bcrt1q5lmq9mha7csw8aup8efs446mkhznjh2klvsdmj"
P2WPKH_SPK = "0014a7f602eefdf620e3f7813e530ad75bb5c5395d56"
P2PKH = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
P2SH = scripthash_to_p2sh(bytes(range(20)))
P2TR = output_key_to_p2tr(bytes(range(32)))
MAINNET_P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
PUBKEY = "02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
SCRIPTS = {
    "p2pkh": "76a914" + "11" * 20 + "88ac",
    "p2sh": "a914" + "22" * 20 + "87",
    "p2wpkh": P2WPKH_SPK,
    "p2wsh": "0020" + "33" * 32,
    "p2tr": "5120" + "44" * 32,
    "p2pk": "21" + PUBKEY + "ac",
    "multisig": "51" + "21" + PUBKEY + "51ae",
    "op_return": "6a0400ff00ff",
    "nonstandard": "51",
    "empty": "",
    "witness_unknown": "6002" + "abcd",
    "anchor": "51024e73",
    "bad_push": "4c",
}



# Methods whose calls are compared with Core by another mixed test (their help is still compared here).
COMPARED_ELSEWHERE = {
    m: "interop_rpc_more.py: about 3,900 calls, errors included"
    for m in ("combinerawtransaction", "createmultisig", "deriveaddresses", "getblockstats", "gettxoutproof",
              "gettxspendingprevout", "signmessagewithprivkey", "signrawtransactionwithkey", "verifymessage",
              "verifytxoutproof")
}
COMPARED_ELSEWHERE["getblockfilter"] = "interop_blockfilters.py: every block of the dev chain, with the index on"
for _m in ("analyzepsbt", "combinepsbt", "converttopsbt", "createpsbt", "decodepsbt", "finalizepsbt", "joinpsbts",
           "utxoupdatepsbt"):
    COMPARED_ELSEWHERE[_m] = "interop_psbt.py: PSBTs of every kind, truncated and corrupted ones, errors included"
COMPARED_ELSEWHERE["enumeratesigners"] = "interop_signer.py: a mock -signer tool's every answer, errors included"
COMPARED_ELSEWHERE["descriptorprocesspsbt"] = ("interop_psbt_sign.py: every descriptor kind, sighash type and "
                                               "option, signatures byte for byte, errors included")

class K:
    """One known difference: methods ("*" for all), a field path pattern and its reason.

    Path: "" is the whole result, "a.b" a key, "[]" any array element,
    "{}" any key of an object used as a map (txids), "!error.code" and
    "!error.message" an error's parts, "!outcome" an error on one side only.
    "*" stands for one key. A pattern covers the fields under it too. check,
    when given, is a function (core_value, bitrootd_value) that must still
    hold for the difference to pass.
    """

    def __init__(self, methods, path, reason, check=None):
        self.methods = (methods,) if isinstance(methods, str) else tuple(methods)
        self.path = path
        self.reason = reason
        self.check = check
        rx = re.escape(path).replace(r"\*", r"[^.\[]*")
        self.rx = re.compile(rx + r"(?:[.\[{].*)?" if path else ".*")
        self.used = 0

    def matches(self, method, path, core_v, br_v):
        if "*" not in self.methods and method not in self.methods:
            return False
        if not self.rx.fullmatch(path):
            return False
        if self.check is not None and not self.check(core_v, br_v):
            return False
        return True


def first_line(c, b):
    """Help texts (and arity errors, which answer them): the usage line must match."""
    return (isinstance(c, str) and isinstance(b, str) and "\n\n" in c and "\n\n" in b and
            c.split("\n")[0] == b.split("\n")[0])


def added_arg(name):
    """Core 30 added an optional argument at the end of the usage line."""
    def check(c, b):
        return (isinstance(c, str) and isinstance(b, str) and
                b.split("\n")[0] == c.split("\n")[0].replace(" )", " %s )" % name, 1))
    return check


def both_ints(c, b):
    return isinstance(c, int) and isinstance(b, int)


def both_numbers(c, b):
    return all(isinstance(v, (int, D)) and not isinstance(v, bool) for v in (c, b))


def same_basename(c, b):
    return isinstance(c, str) and isinstance(b, str) and c.rsplit("/", 1)[-1] == b.rsplit("/", 1)[-1]


def same_after_chaindir(c, b):
    """Messages naming a file in each node's own chain directory."""
    return (isinstance(c, str) and isinstance(b, str) and
            re.sub(r"/\S*/regtest", "<chaindir>", c) == re.sub(r"/\S*/regtest", "<chaindir>", b))


def absent(side):
    return lambda c, b: (c if side == "core" else b) is MISSING


class _Missing:
    def __repr__(self):
        return "<absent>"


MISSING = _Missing()

TIMING = "timing: differs between any two nodes"
PORTS = "ports and peer ids: each node has its own"

# Every known difference, with its reason.
KNOWN = [
    # --- Identity, timing and the node's own addresses ----------------------
    K("getnetworkinfo", "subversion", "user agent: /Bitroot:x/ vs /Satoshi:28.1.0/ and each node's uacomment"),
    K("getnetworkinfo", "version", "version number of each implementation"),
    K("getnetworkinfo", "localaddresses", "each node's own listening addresses"),
    K("*", "warnings", "Core 28.1 (an Inquisition build) may warn of a pre-release build; bitrootd has none"),
    K("uptime", "", TIMING),
    K("getnettotals", "totalbytesrecv", TIMING + " (and each message's size: user agents differ)"),
    K("getnettotals", "totalbytessent", TIMING + " (and each message's size: user agents differ)"),
    K("getnettotals", "timemillis", TIMING),
    K("getnettotals", "uploadtarget.time_left_in_cycle", TIMING),
    K("getpeerinfo", "[].lastsend", TIMING),
    K("getpeerinfo", "[].lastrecv", TIMING),
    K("getpeerinfo", "[].conntime", TIMING),
    K("getpeerinfo", "[].pingtime", TIMING),
    K("getpeerinfo", "[].minping", TIMING),
    K("getpeerinfo", "[].pingwait", TIMING),
    K("getpeerinfo", "[].addr", PORTS),
    K("getpeerinfo", "[].addrbind", PORTS),
    K("getpeerinfo", "[].addrlocal", PORTS),
    K("getpeerinfo", "[].id", PORTS),
    K("getpeerinfo", "[].bytessent", TIMING + " (pings, and sizes of version messages)"),
    K("getpeerinfo", "[].bytesrecv", TIMING + " (pings)"),
    K("getpeerinfo", "[].bytessent_per_msg", TIMING + " (pings, and sizes of version messages)"),
    K("getpeerinfo", "[].bytesrecv_per_msg", TIMING + " (pings)"),
    K("getpeerinfo", "[].last_inv_sequence", "counts every transaction the node handled: timing"),
    K("getrpcinfo", "logpath", "each node's own datadir"),
    K("getrpcinfo", "active_commands[].duration", TIMING),
    K("savemempool", "filename", "each node's own datadir", same_basename),
    K("dumptxoutset", "path", "each node's own datadir", same_basename),
    K("dumptxoutset", "!error.message", "each node's own datadir", same_after_chaindir),
    K("loadtxoutset", "!error.message", "each node's own datadir", same_after_chaindir),
    K("loadtxoutset", "!error.message", "Bitcoin Inquisition's regtest table has a second 299 entry (its own "
      "chain's block hash); Core 28.1's and bitrootd's list 110, 200, 299",
      lambda c, b: c.replace("299, 299.", "299.") == b.replace("/node1/", "/node0/")),
    K("getmemoryinfo", "", "process memory: bitrootd has no locked pool and its own malloc statistics"),
    K("getblockchaininfo", "size_on_disk", "block and undo files: bitrootd's undo records are not Core's, and Core preallocates"),
    K("getblockchaininfo", "verificationprogress",
      "estimated from the last month of the chain instead of Core's built-in chain statistics",
      both_numbers),
    K("stop", "", "bitrootd answers \"Bitroot server stopping\""),
    K("getzmqnotifications", "!outcome", "the Core 28.1 anchor is built without ZeroMQ: Method not found",
      lambda c, b: c[0] == "error" and c[1]["code"] == -32601 and b == ("result", [])),
    K("help getzmqnotifications", "", "the Core 28.1 anchor is built without ZeroMQ: unknown command",
      lambda c, b: c == "help: unknown command: getzmqnotifications" and b.startswith("getzmqnotifications")),
    K("help", "", "bitrootd's help texts are Core 30's and list only its methods; the usage line matches",
      first_line),
    K("*", "!error.message", "an arity error answers the method's help: Core 30's text, same usage line",
      first_line),
    K("gettxoutsetinfo", "disk_size", "LMDB store vs Core's LevelDB estimate"),
    K("getmempoolinfo", "usage", "memory accounting of each implementation's pool"),

    # --- The anchor is Bitcoin Inquisition 28.1: its own regtest deployments ---
    K(("getdeploymentinfo",), "deployments.taproot",
      "Inquisition buries taproot at height 1; Core 28 and 30 list it as bip9, always active (height 0)"),
    K(("getdeploymentinfo",), "deployments.testdummy",
      "Inquisition's testdummy is a 'heretical' deployment the dev chain activated; Core's is bip9 "
      "(not yet: bitrootd reports BIP9 state from the activation height only, no signalling)"),
    K("getblocktemplate", "rules", "Inquisition: testdummy active and taproot buried (not in rules)"),
    K("help stop", "", "Inquisition names itself in stop's help", first_line),
    K(tuple("help %s" % m for m in (
        "combinerawtransaction", "createmultisig", "deriveaddresses", "getblockstats", "gettxoutproof",
        "gettxspendingprevout", "signmessagewithprivkey", "signrawtransactionwithkey", "verifymessage",
        "verifytxoutproof", "importmempool", "scanblocks")), "",
      "not yet: issue 22's methods have help written here, not Core's text (their usage lines name "
      "array arguments, not their elements)", lambda c, b: isinstance(c, str) and isinstance(b, str) and
      c.split(" ", 1)[0] == b.split(" ", 1)[0]),
    K("getdeploymentinfo", "script_flags",
      "not yet: the block's script verification flags (Core 30 documents script_flags as optional)",
      absent("br")),

    # --- Core 29/30 changes that bitrootd follows (project rule: current Core) ---
    K(("getblockchaininfo", "getmininginfo"), "bits", "Core 29: bits of the next block", absent("core")),
    K(("getblockchaininfo", "getblockheader", "getblock", "getmininginfo"), "target",
      "Core 29: target next to bits", absent("core")),
    K("getmininginfo", "next", "Core 29: the next block's height, bits, difficulty, target", absent("core")),
    K("getmininginfo", "currentblockweight", "Core 29: counts -blockreservedweight (default 8000) where "
      "Core 28 counted a fixed 4000", lambda c, b: both_ints(c, b) and b - c == 4000),
    K("getmininginfo", "blockmintxfee", "Core 29: -blockmintxfee in getmininginfo", absent("core")),
    K("getmempoolinfo", "permitbaremultisig", "Core 29: -permitbaremultisig in getmempoolinfo",
      absent("core")),
    K("getmempoolinfo", "maxdatacarriersize", "Core 29: -datacarriersize in getmempoolinfo (Core 30: 100000)",
      absent("core")),
    K("getmempoolinfo", "minrelaytxfee", "Core 30: -minrelaytxfee default 100 sat/kvB"),
    K("getmempoolinfo", "mempoolminfee", "Core 30: follows -minrelaytxfee, 100 sat/kvB"),
    K("getmempoolinfo", "incrementalrelayfee", "Core 30: -incrementalrelayfee default 100 sat/kvB"),
    K("getnetworkinfo", "relayfee", "Core 30: -minrelaytxfee default 100 sat/kvB"),
    K("getnetworkinfo", "incrementalfee", "Core 30: -incrementalrelayfee default 100 sat/kvB"),
    K("getpeerinfo", "[].inv_to_send", "Core 30: inv_to_send in getpeerinfo", absent("core")),
    K("testmempoolaccept", "[].reject-details", "Core 29: reject-details beside reject-reason",
      absent("core")),
    K("createrawtransaction", "!outcome", "Core 29: createrawtransaction's version argument",
      lambda c, b: c[0] == "error" and c[1]["code"] == -1 and b[0] == "result"),
    K("createrawtransaction", "!error.code", "Core 29: version out of range (1~3) instead of an arity error",
      lambda c, b: (c, b) == (-1, -8)),
    K("createrawtransaction", "!error.message", "Core 29: version out of range (1~3) instead of an arity error",
      lambda c, b: b == "Invalid parameter, version out of range(1~3)"),
    K("createrawtransaction", "!error.message", "Core 29: the usage line has the version argument",
      added_arg("version")),
    K("help createrawtransaction", "", "Core 29: the version argument", added_arg("version")),
    K("help waitfornewblock", "", "Core 29: waitfornewblock's current_tip argument", added_arg('"current_tip"')),
    K("waitfornewblock", "!outcome", "Core 29: a negative timeout is refused (\"Negative timeout\")",
      lambda c, b: b == ("error", {"code": -1, "message": "Negative timeout"})),

    # --- Not yet ------------------------------------------------------------
    K(("getrawmempool", "getmempoolentry", "getmempoolancestors", "getmempooldescendants"),
      "unbroadcast", "not yet: initial broadcast is not tracked, every entry is broadcast"),
    K(("getrawmempool", "getmempoolancestors", "getmempooldescendants"), "{*}.unbroadcast",
      "not yet: initial broadcast is not tracked, every entry is broadcast"),
    K("getmempoolinfo", "unbroadcastcount", "not yet: initial broadcast is not tracked"),
    K(("getdescriptorinfo", "generatetodescriptor", "deriveaddresses"), "!outcome",
      "not yet: no Miniscript inside wsh() and tr() (Core parses it)",
      lambda c, b: b[0] == "error" and b[1]["message"].startswith("Miniscript expressions are not supported")),
    K("decodescript", "segwit.desc", "not yet: no miniscript, so a P2WSH of a script that is miniscript "
      "(wsh(0), wsh(tv:pk(K)), ...) is described as addr(...)"),
    K("logging", "", "bitrootd also lists its own categories (store, script, lock, config)", absent("core")),
    K("logging", "blockstorage", "coindb and blockstorage are both bitrootd's store category: one toggles both"),
    K("logging", "coindb", "coindb and blockstorage are both bitrootd's store category: one toggles both"),
    K("getblocktemplate", "longpollid",
      "not yet: no count of mempool updates after the tip hash (and no long-poll wait)"),
    K("generateblock", "hash", "not yet: bitrootd's coinbase carries an extra nonce after the height "
      "(Core: OP_0), so the same template gives another block"),
    K("generateblock", "hex", "not yet: the coinbase's extra nonce (see hash)"),
    K(("generatetoaddress", "generatetodescriptor"), "[]", "not yet: the coinbase's extra nonce (see generateblock)"),
    K("generateblock", "!error.message", "not yet: Core 28.1 writes 'testBlockValidity failed: REASON, DEBUG'; "
      "bitrootd 'TestBlockValidity failed: ...' and names the transaction (the text comes from connect.c)",
      lambda c, b: c.lower().split(",")[0] == b.lower().split(",")[0]),
]

# Core answers these in an order of its own choosing (random): compared sorted.
SORTED = {
    "getnodeaddresses": lambda v: sorted(v, key=lambda a: (a.get("network"), a.get("address"))),
}


class InteropRpcDiffTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 120

    def setup_network(self):
        # A fixed addrman key on both (Core's -test=addrman): otherwise whether
        # addpeeraddress finds its new-table slot taken is a 1-in-64 draw.
        self.add_nodes(self.num_nodes, [[MAXTIPAGE, ADDRMAN], [MAXTIPAGE, ADDRMAN]],
                       binaries=self.node_impls)

    # --- Calling and comparing -------------------------------------------------

    def ask(self, node, method, args, kw):
        try:
            return ("result", getattr(node, method)(*args, **kw))
        except JSONRPCException as e:
            err = e.error if isinstance(e.error, dict) else {"code": None, "message": str(e.error)}
            return ("error", {"code": err.get("code"), "message": err.get("message")})

    def diff(self, method, path, c, b, out):
        """Appends (path, core, bitrootd) for each difference; returns fields compared."""
        if isinstance(c, dict) and isinstance(b, dict):
            n = 0
            for k in sorted(set(c) | set(b), key=str):
                sub = "%s.%s" % (path, k) if path else k
                if self.map_keys(method, path):
                    sub = "%s{%s}" % (path, k)
                n += self.diff(method, sub, c.get(k, MISSING), b.get(k, MISSING), out)
            return n
        if isinstance(c, list) and isinstance(b, list):
            n = 1
            if len(c) != len(b):
                out.append((path + ".length", len(c), len(b)))
            for x, y in zip(c, b):
                n += self.diff(method, path + "[]", x, y, out)
            return n
        same = type(c) is type(b) and (str(c) == str(b) if isinstance(c, D) else c == b)
        if not same:
            out.append((path, c, b))
        return 1

    @staticmethod
    def map_keys(method, path):
        # Objects keyed by txid or category name.
        return path == "" and method in ("getrawmempool", "getmempoolancestors", "getmempooldescendants",
                                         "getprioritisedtransactions")

    def cmp(self, method, *args, **kw):
        """Calls method on both nodes; records each difference not in KNOWN. Returns Core's answer."""
        core, br = self.nodes
        return self.judge(method, args, kw, self.ask(core, method, args, kw), self.ask(br, method, args, kw))

    def cmp_own(self, method, core_args, br_args):
        """cmp with each node's own arguments (its own peer's address or id); Core's are the ones reported."""
        core, br = self.nodes
        return self.judge(method, core_args, {}, self.ask(core, method, core_args, {}),
                          self.ask(br, method, br_args, {}))

    def judge(self, method, args, kw, ca, ba):
        """Records each difference between Core's answer ca and bitrootd's ba not in KNOWN."""
        if method in SORTED:
            ca = (ca[0], SORTED[method](ca[1]) if ca[0] == "result" else ca[1])
            ba = (ba[0], SORTED[method](ba[1]) if ba[0] == "result" else ba[1])
        self.calls += 1
        self.methods_called.add(method)
        found = []
        if ca[0] != ba[0]:
            found.append(("!outcome", ca, ba))
            self.fields += 1
        elif ca[0] == "error":
            self.fields += self.diff(method, "!error", ca[1], ba[1], found)
        else:
            self.fields += self.diff(method, "", ca[1], ba[1], found)
        key = "help %s" % args[0] if method == "help" and args and isinstance(args[0], str) else method
        for path, c, b in found:
            k = next((k for k in KNOWN if k.matches(key, path, c, b) or
                      (key != method and k.matches(method, path, c, b))), None)
            if k is not None:
                k.used += 1
                continue
            self.failures.append("%s %s%s: %s: core %s, bitrootd %s" % (
                method, json.dumps(list(args), default=str)[:200], (" " + json.dumps(kw, default=str)) if kw else "",
                path or "(result)", self.short(c), self.short(b)))
        return ca[1] if ca[0] == "result" else None

    @staticmethod
    def short(v):
        s = json.dumps(v, default=str) if not isinstance(v, _Missing) else repr(v)
        return s if len(s) < 300 else s[:300] + "..."

    def both(self, method, *args, **kw):
        """The same call on both, answers not compared (set-up steps)."""
        return [getattr(n, method)(*args, **kw) for n in self.nodes]

    # --- The test -----------------------------------------------------------------

    def run_test(self):
        self.calls = 0
        self.fields = 0
        self.failures = []
        self.methods_called = set()
        core, br = self.nodes
        dat = self.require_shared("chains", "regtest-dev.dat")

        self.log.info("Core imports the dev chain; bitrootd syncs it from Core")
        self.start_node(0, extra_args=[MAXTIPAGE, ADDRMAN, "-loadblock=" + dat])
        self.wait_until(lambda: core.getblockcount() == 1100, timeout=240)
        self.start_node(1)
        self.connect_nodes(1, 0)
        self.wait_until(lambda: br.getbestblockhash() == core.getbestblockhash(), timeout=240)

        # One clock for both: entry times, block times and ban times agree.
        self.now = int(time.time())
        self.both("setmocktime", self.now)

        self.log.info("MiniWallet blocks and a block of its transactions, mined by Core")
        self.wallet = MiniWallet(core)
        self.wallet.generate(10, sync_fun=self.no_op)
        self.generate(core, COINBASE_MATURITY, address=P2WPKH, sync_fun=self.no_op)
        self.wallet.rescan_utxos()
        # bitrootd must hold the coins before it is sent their spends.
        self.sync_blocks()
        # Sent to both pools (mock time stops Core's relay timers), so both
        # see these come and go: the same mempool history.
        txs = [self.wallet.create_self_transfer() for _ in range(3)]
        txs.append(self.wallet.create_self_transfer_multi(num_outputs=3))
        for tx in txs:
            for n in self.nodes:
                n.sendrawtransaction(tx["hex"])
        self.generate(core, 1, address=P2PKH, sync_fun=self.no_op)
        self.sync_blocks()
        self.mined_block = core.getbestblockhash()
        assert_equal(len(core.getblock(self.mined_block)["tx"]), 5)

        self.log.info("Nodes apart; the same transactions sent to each")
        self.disconnect_nodes(1, 0)
        self.wait_until(lambda: core.getconnectioncount() == 0 and br.getconnectioncount() == 0)
        self.make_mempool()
        # Both have assembled the same block (getmininginfo's currentblock*).
        self.both("getblocktemplate", {"rules": ["segwit"]})

        self.check_blockchain()
        self.check_mempool()
        self.check_rawtx()
        self.check_util_control()
        self.check_integer_order()
        self.check_mining()
        self.check_network()
        self.check_state_changes()
        self.check_help()
        self.check_generating()
        self.check_stop()

        self.report()

    def make_mempool(self):
        w = self.wallet
        self.parent = w.create_self_transfer()
        self.child = w.create_self_transfer(utxo_to_spend=self.parent["new_utxo"])
        self.grandchild = w.create_self_transfer(utxo_to_spend=self.child["new_utxo"], fee_rate=10000)
        self.rbf = w.create_self_transfer(sequence=0xfffffffd)
        self.multi = w.create_self_transfer_multi(num_outputs=4)
        self.spender = w.create_self_transfer(utxo_to_spend=self.multi["new_utxos"][1])
        self.pool_txs = [self.parent, self.child, self.grandchild, self.rbf, self.multi, self.spender]
        for tx in self.pool_txs:
            self.cmp("sendrawtransaction", tx["hex"])
        core, br = self.nodes
        assert_equal(sorted(core.getrawmempool()), sorted(br.getrawmempool()))
        assert_equal(len(core.getrawmempool()), len(self.pool_txs))
        # An unconfirmed transaction not sent, for testmempoolaccept.
        self.loose = w.create_self_transfer(utxo_to_spend=self.spender["new_utxo"])
        self.unspent = w.get_utxo(mark_as_spent=False)

    def check_blockchain(self):
        self.log.info("blockchain")
        core = self.nodes[0]
        tip = core.getbestblockhash()
        height = core.getblockcount()
        busy = core.getblockhash(1100)
        genesis = core.getblockhash(0)
        self.tip, self.height, self.busy = tip, height, busy
        c = self.cmp
        c("getbestblockhash")
        c("getbestblockhash", 1)
        c("getblockcount")
        c("getblockcount", "x")
        c("getblockchaininfo")
        c("getblockchaininfo", 1)
        c("getdifficulty")
        c("getdifficulty", 1)
        for h in (0, 1, 1000, height):
            c("getblockhash", h)
        c("getblockhash", -1)
        c("getblockhash", height + 1)
        c("getblockhash", "1")
        c("getblockhash", 1.5)
        c("getblockhash", None)
        c("getblockhash")
        c("getblockhash", 1, 2)
        c("getblockhash", height=5)
        c("getblockhash", heigth=5)
        c("getblockhash", 5, height=5)
        for h in (tip, busy, genesis, self.mined_block, core.getblockhash(1000)):
            c("getblockheader", h)
            c("getblockheader", h, False)
        c("getblockheader", blockhash=tip, verbose=False)
        c("getblockheader", BADHASH)
        c("getblockheader", "abc")
        c("getblockheader", "zz" * 32)
        c("getblockheader", tip.upper())
        c("getblockheader", tip, "yes")
        c("getblockheader", 5)
        c("getblockheader", tip, True, 1)
        c("getblockheader")
        for h in (busy, genesis, self.mined_block, core.getblockhash(500)):
            for v in (0, 1, 2, 3):
                c("getblock", h, v)
        c("getblock", tip)
        c("getblock", tip, 4)
        c("getblock", tip, -1)
        c("getblock", tip, True)
        c("getblock", tip, False)
        c("getblock", blockhash=busy, verbosity=True)
        c("getblock", blockhash=busy, verbose=0)
        c("getblock", BADHASH)
        c("getblock", "zz" * 32)
        c("getblock", tip, "2")
        c("getblock", tip, 1.5)
        c("getblock", tip, 1, 2)
        c("getblock")
        c("getchaintips")
        c("getchaintips", 1)
        c("getchaintxstats")
        c("getchaintxstats", 10)
        c("getchaintxstats", 10, core.getblockhash(1000))
        c("getchaintxstats", None, core.getblockhash(1000))
        c("getchaintxstats", 0)
        c("getchaintxstats", 1)
        c("getchaintxstats", height)
        c("getchaintxstats", height + 1)
        c("getchaintxstats", -1)
        c("getchaintxstats", 10, BADHASH)
        c("getchaintxstats", "x")
        c("getchaintxstats", nblocks=20, blockhash=busy)
        c("getchaintxstats", 1, genesis)
        c("getchaintxstats", None, genesis)
        c("getdeploymentinfo")
        for h in (genesis, core.getblockhash(100), core.getblockhash(431), core.getblockhash(432), busy):
            c("getdeploymentinfo", h)
        c("getdeploymentinfo", BADHASH)
        c("getdeploymentinfo", "x")
        c("getdeploymentinfo", tip, 1)
        mined = core.getblock(self.mined_block)["tx"]
        coinbase = core.getblock(tip)["tx"][0]
        c("gettxout", coinbase, 0)
        c("gettxout", coinbase, 1)
        c("gettxout", coinbase, 5)
        c("gettxout", mined[1], 0)
        c("gettxout", mined[1], 0, False)
        c("gettxout", self.parent["txid"], 0)
        c("gettxout", self.parent["txid"], 0, False)
        c("gettxout", self.spender["txid"], 0, True)
        c("gettxout", self.multi["txid"], 1)
        c("gettxout", self.multi["txid"], 2)
        c("gettxout", BADHASH, 0)
        c("gettxout", "xyz", 0)
        c("gettxout", coinbase, "0")
        c("gettxout", coinbase, -1)
        c("gettxout", coinbase)
        c("gettxout", txid=coinbase, n=0, include_mempool=False)
        c("gettxout", coinbase, 0, True, 1)
        c("gettxoutsetinfo")
        c("gettxoutsetinfo", "hash_serialized_3")
        c("gettxoutsetinfo", "none")
        c("gettxoutsetinfo", "muhash")
        c("gettxoutsetinfo", "nosuchhash")
        c("gettxoutsetinfo", "none", 1000)
        c("gettxoutsetinfo", "none", tip)
        c("gettxoutsetinfo", hash_type="none", use_index=False)
        c("gettxoutsetinfo", 5)
        # The snapshot files themselves: interop_utxo_snapshot.py.
        c("dumptxoutset", "diff-utxo.dat")
        c("dumptxoutset", "diff-utxo.dat")
        c("dumptxoutset", "")
        c("dumptxoutset", "no/such/dir/x.dat")
        c("dumptxoutset")
        c("dumptxoutset", "x.dat", "latest")
        c("dumptxoutset", 5)
        c("dumptxoutset", path="diff-utxo2.dat")
        c("getchainstates")
        c("getchainstates", 1)
        c("loadtxoutset", "diff-utxo.dat")
        c("loadtxoutset", "no-such-file.dat")
        c("loadtxoutset", "")
        c("loadtxoutset")
        c("loadtxoutset", 5)
        c("verifychain")
        c("verifychain", 3, 6)
        c("verifychain", 4, 3)
        c("verifychain", 0, 0)
        c("verifychain", "x")
        # Neither node prunes: Core's refusal, word for word (feature_prune.py
        # compares a pruning node's answers).
        c("pruneblockchain", 500)
        c("pruneblockchain", -1)
        c("pruneblockchain")
        c("verifychain", checklevel=1, nblocks=10)
        c("verifychain", 5, 1)
        for desc in (descsum_create("addr(%s)" % P2WPKH), "addr(%s)" % P2WPKH, "raw(%s)" % P2WPKH_SPK,
                     self.wallet.get_descriptor()):
            c("scantxoutset", "start", [desc])
        c("scantxoutset", "start", [{"desc": "raw(%s)" % P2WPKH_SPK}])
        c("scantxoutset", "start", [{"desc": "raw(%s)" % P2WPKH_SPK, "range": 10}])
        c("scantxoutset", "status")
        c("scantxoutset", "abort")
        c("scantxoutset", "start")
        c("scantxoutset", "start", [])
        c("scantxoutset", "start", ["nonsense(1)"])
        # scanblocks without -blockfilterindex, and its argument checks
        c("scanblocks", "start", [desc])
        c("scanblocks", "status")
        c("scanblocks", "abort")
        c("scanblocks", "start")
        c("scanblocks", "bogus")
        c("scanblocks", "start", [desc], 0, None, "extended")
        c("getaddrmaninfo")
        c("getaddrmaninfo", 1)
        c("importmempool", "/nonexistent/mempool.dat")
        c("importmempool", "/nonexistent/mempool.dat", {"use_current_time": "x"})
        c("importmempool", "/nonexistent/mempool.dat", {"apply_fee_delta_priority": True, "unknown": 1})
        c("importmempool")
        c("scantxoutset", "start", "addr(%s)" % P2WPKH)
        c("scantxoutset", "begin", [])
        c("scantxoutset", 1)
        c("scantxoutset", action="start", scanobjects=["raw(%s)" % P2WPKH_SPK])
        c("waitfornewblock", 10)
        c("waitfornewblock", "x")
        c("waitfornewblock", -1)
        c("waitforblock", tip, 10)
        c("waitforblock", "zz")
        c("waitforblock", tip, "x")
        c("waitforblockheight", 1000, 10)
        c("waitforblockheight", height, 10)
        c("waitforblockheight", "1000")
        c("waitforblockheight", -1, 10)
        c("preciousblock", tip)
        c("preciousblock", BADHASH)
        c("preciousblock", "zz")
        c("preciousblock")
        c("syncwithvalidationinterfacequeue")
        c("syncwithvalidationinterfacequeue", 1)

    def check_mempool(self):
        self.log.info("mempool")
        c = self.cmp
        c("getmempoolinfo")
        c("getmempoolinfo", 1)
        c("getrawmempool")
        c("getrawmempool", True)
        c("getrawmempool", False, True)
        c("getrawmempool", verbose=True)
        c("getrawmempool", True, True)
        c("getrawmempool", "x")
        c("getrawmempool", False, "x")
        c("getrawmempool", False, False, 1)
        for tx in self.pool_txs:
            c("getmempoolentry", tx["txid"])
            c("getmempoolancestors", tx["txid"])
            c("getmempoolancestors", tx["txid"], True)
            c("getmempooldescendants", tx["txid"])
            c("getmempooldescendants", tx["txid"], True)
        c("getmempoolentry", BADHASH)
        c("getmempoolentry", "zz")
        c("getmempoolentry", self.tip)
        c("getmempoolentry")
        c("getmempoolancestors", BADHASH)
        c("getmempoolancestors", "zz")
        c("getmempoolancestors", self.parent["txid"], "yes")
        c("getmempooldescendants", BADHASH)
        c("getmempooldescendants", self.parent["txid"], "yes")
        c("getmempooldescendants", txid=self.parent["txid"], verbose=True)
        c("savemempool")
        c("savemempool", 1)

    def check_rawtx(self):
        self.log.info("rawtransactions")
        core = self.nodes[0]
        c = self.cmp
        busy_txs = core.getblock(self.busy)["tx"]
        mined = core.getblock(self.mined_block)["tx"]
        for txid in busy_txs[:6] + mined:
            blk = self.busy if txid in busy_txs else self.mined_block
            c("getrawtransaction", txid, 0, blk)
            c("getrawtransaction", txid, 1, blk)
            c("getrawtransaction", txid, 2, blk)
        for tx in self.pool_txs:
            c("getrawtransaction", tx["txid"])
            c("getrawtransaction", tx["txid"], 1)
            c("getrawtransaction", tx["txid"], 2)
            c("getrawtransaction", tx["txid"], True)
        c("getrawtransaction", busy_txs[1])
        c("getrawtransaction", busy_txs[1], 1)
        c("getrawtransaction", busy_txs[1], 1, BADHASH)
        c("getrawtransaction", busy_txs[1], 1, self.tip)
        c("getrawtransaction", busy_txs[1], 1, "zz")
        c("getrawtransaction", "nothex")
        c("getrawtransaction", busy_txs[1], "1", self.busy)
        c("getrawtransaction", busy_txs[1], [1], self.busy)
        c("getrawtransaction", busy_txs[1], 3, self.busy)
        c("getrawtransaction", busy_txs[1], -1, self.busy)
        c("getrawtransaction", txid=busy_txs[1], verbose=1, blockhash=self.busy)
        c("getrawtransaction", txid=busy_txs[1], verbosity=1, blockhash=self.busy)
        c("getrawtransaction", core.getblock(core.getblockhash(0))["tx"][0], 1, core.getblockhash(0))
        c("getrawtransaction")
        c("getrawtransaction", busy_txs[1], 1, self.busy, 1)
        hexes = [core.getrawtransaction(t, 0, self.busy) for t in busy_txs[:6]]
        hexes += [core.getrawtransaction(t, 0, self.mined_block) for t in mined]
        for h in hexes:
            c("decoderawtransaction", h)
        c("decoderawtransaction", hexes[1], True)
        c("decoderawtransaction", hexes[1], False)
        c("decoderawtransaction", hexes[0], False)
        c("decoderawtransaction", hexstring=hexes[2], iswitness=True)
        c("decoderawtransaction", "zz")
        c("decoderawtransaction", "")
        c("decoderawtransaction", "00")
        c("decoderawtransaction", hexes[1][:-2])
        c("decoderawtransaction", hexes[1] + "00")
        c("decoderawtransaction", 5)
        c("decoderawtransaction", hexes[1], "yes")
        c("decoderawtransaction")
        for name, spk in SCRIPTS.items():
            c("decodescript", spk)
        c("decodescript", "zz")
        c("decodescript", "abc")
        c("decodescript", 5)
        c("decodescript", P2WPKH_SPK, 1)
        c("decodescript", hexstring=SCRIPTS["p2pkh"])
        # Scripts at the edges: empty, truncated pushes, opcodes of each kind, bare multisig.
        for h in ("", "00", "51", "6a", "6a04deadbeef", "ff", "4c", "0101", "0114", "5101", "b2", "ba", "51b2",
                  "0400000000b175", "6351676a68", "60" + "14" + "11" * 20, "21" + PUBKEY + "ac" * 2,
                  "21" + PUBKEY + "ad51", "5221" + PUBKEY + "21" + PUBKEY + "52ae", "5121" + PUBKEY + "51ae"):
            c("decodescript", h)
        outp = [{"txid": busy_txs[1], "vout": 0}]
        for args in ([outp, [{P2WPKH: D("0.1")}]],
                     [outp, {P2WPKH: D("0.1"), P2PKH: 1}],
                     [outp, [{"data": "00ff"}]],
                     [[], {"data": "00ff"}, 0, True],
                     [[], [], 500000],
                     [outp, [{P2TR: D("0.00001")}, {P2SH: D("21000000")}], 0, False],
                     [[{"txid": busy_txs[1], "vout": 1, "sequence": 5}], []],
                     [outp, [], 10, True, 3],
                     [outp, [], 0, False, 1]):
            c("createrawtransaction", *args)
        c("createrawtransaction", inputs=outp, outputs=[], locktime=1)
        for args in ([[{"txid": "zz", "vout": 0}], []],
                     [[{"txid": busy_txs[1]}], []],
                     [[{"txid": busy_txs[1], "vout": -1}], []],
                     [[{"txid": busy_txs[1], "vout": "0"}], []],
                     [[{"txid": busy_txs[1], "vout": 0, "sequence": -1}], []],
                     [[], [{"notanaddress": 1}]],
                     [[], [{MAINNET_P2PKH: 1}]],
                     [[], [{P2WPKH: -1}]],
                     [[], [{P2WPKH: "x"}]],
                     [[], [{P2WPKH: 1}, {P2WPKH: 2}]],
                     [[], [{P2WPKH: 1, P2PKH: 2}]],
                     [[], [{"data": "zz"}]],
                     [[], [{"data": "00"}, {"data": "11"}]],
                     [[], [], -1],
                     [[], [], 4294967296],
                     [[], [], 0, False, 4],
                     [[], [], 0, "x"],
                     ["x", []],
                     [[], "x"],
                     [[]]):
            c("createrawtransaction", *args)
        # sendrawtransaction: in the pool already, conflicting, bad.
        c("sendrawtransaction", self.parent["hex"])
        c("sendrawtransaction", self.parent["hex"], 0)
        c("sendrawtransaction", self.loose["hex"], D("0.00000001"))
        c("sendrawtransaction", self.loose["hex"], -1)
        c("sendrawtransaction", self.loose["hex"], "x")
        c("sendrawtransaction", self.loose["hex"], 0, -1)
        c("sendrawtransaction", "00")
        c("sendrawtransaction", "zz")
        # Two faults: Core decodes before it reads maxfeerate.
        c("sendrawtransaction", "zz", -1)
        c("sendrawtransaction", "zz", "x")
        c("sendrawtransaction", "zz", 1)
        c("sendrawtransaction", "zz", 0, -1)
        c("sendrawtransaction", hexes[0])
        c("sendrawtransaction", hexes[1])
        conflict = copy.deepcopy(self.child["tx"])
        conflict.vout[0].value -= 1000
        self.wallet.sign_tx(conflict)
        c("sendrawtransaction", conflict.serialize().hex())
        c("sendrawtransaction")
        # testmempoolaccept
        loose = self.loose
        c("testmempoolaccept", [loose["hex"]])
        c("testmempoolaccept", [self.parent["hex"]])
        c("testmempoolaccept", [loose["hex"]], 0)
        c("testmempoolaccept", [loose["hex"]], D("0.00000001"))
        c("testmempoolaccept", rawtxs=[loose["hex"]], maxfeerate=D("0.1"))
        fresh = self.wallet.create_self_transfer(utxo_to_spend=self.unspent)
        fresh2 = self.wallet.create_self_transfer(utxo_to_spend=fresh["new_utxo"])
        c("testmempoolaccept", [fresh["hex"], fresh2["hex"]])
        c("testmempoolaccept", [fresh2["hex"], fresh["hex"]])
        c("testmempoolaccept", [fresh2["hex"]])
        c("testmempoolaccept", [fresh["hex"], fresh["hex"]])
        c("testmempoolaccept", [hexes[1]])
        c("testmempoolaccept", [hexes[0]])
        c("testmempoolaccept", [conflict.serialize().hex()])
        c("testmempoolaccept", [])
        c("testmempoolaccept", ["00"])
        c("testmempoolaccept", ["zz"])
        c("testmempoolaccept", loose["hex"])
        c("testmempoolaccept", [loose["hex"]] * 26)
        c("testmempoolaccept", [loose["hex"]], -1)
        c("testmempoolaccept")
        # submitpackage: only calls that leave the pool as it is.
        c("submitpackage", [self.parent["hex"], self.child["hex"]])
        c("submitpackage", package=[self.parent["hex"], self.child["hex"]], maxfeerate=0, maxburnamount=1)
        c("submitpackage", [self.parent["hex"], conflict.serialize().hex()])
        c("submitpackage", [fresh2["hex"], fresh["hex"]])
        c("submitpackage", [fresh["hex"], loose["hex"]])
        c("submitpackage", [fresh["hex"], fresh2["hex"]], -1)
        c("submitpackage", [fresh["hex"], fresh2["hex"]], 1)
        c("submitpackage", [fresh["hex"], fresh2["hex"]], "x")
        c("submitpackage", [fresh["hex"], fresh2["hex"]], 0, -1)
        c("submitpackage", [fresh["hex"]])
        c("submitpackage", [])
        c("submitpackage", ["00", "zz"])
        c("submitpackage", [fresh["hex"], 5])
        c("submitpackage", [fresh["hex"]] * 26)
        c("submitpackage", fresh["hex"])
        c("submitpackage")

    def check_util_control(self):
        self.log.info("util and control")
        c = self.cmp
        for a in (P2WPKH, P2PKH, P2SH, P2TR, MAINNET_P2PKH, "bcrt1qxyz", "", "notanaddress",
                  P2WPKH.upper(), P2WPKH[:-1] + "q", "bcrt1" + "q" * 60, P2PKH[:-1] + "x",
                  "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"):
            c("validateaddress", a)
        c("validateaddress", 5)
        c("validateaddress")
        c("getzmqnotifications")
        c("validateaddress", P2PKH, 1)
        c("validateaddress", address=P2TR)
        for d in ("addr(%s)" % P2WPKH, "raw(%s)" % P2WPKH_SPK, descsum_create("addr(%s)" % P2PKH),
                  "addr(%s)#aaaaaaaa" % P2WPKH, "nonsense(1)", "addr(notanaddress)", "raw(zz)",
                  "pkh(%s)" % PUBKEY, "wpkh(%s)" % PUBKEY, "tr(%s)" % PUBKEY[2:], "combo(%s)" % PUBKEY,
                  "sh(wpkh(%s))" % PUBKEY, "multi(1,%s)" % PUBKEY, "wsh(multi(1,%s))" % PUBKEY,
                  "pk(%s)" % PUBKEY, "rawtr(%s)" % PUBKEY[2:], ""):
            c("getdescriptorinfo", d)
        c("getdescriptorinfo", 5)
        c("getdescriptorinfo")
        c("getindexinfo")
        c("getindexinfo", "txindex")
        c("getindexinfo", "nosuchindex")
        c("getindexinfo", 5)
        # Fee estimates (feature/interop_fee_estimation.py compare a market):
        # the answers here, and Core's errors.
        c("estimatesmartfee", 2)
        c("estimatesmartfee", 6, "conservative")
        c("estimaterawfee", 2)
        for bad in ((0,), (1009,), (2, "fast"), (0, "fast"), (2.5,), ("2",), (2, 1), ()):
            c("estimatesmartfee", *bad)
        for bad in ((2, 1.5), (2, -0.1), (1009,), (2, "x"), ()):
            c("estimaterawfee", *bad)
        c("echo")
        c("echo", "a", 1, None, [1], {"k": D("1.5")})
        c("echo", *range(10))
        c("echo", *range(11))
        c("echo", arg0="x", arg9=9)
        c("echojson", [1], {"k": 2})
        c("echojson", *range(11))
        c("setmocktime", "soon")
        c("setmocktime", -1)
        c("setmocktime")
        c("setmocktime", 1, 2)
        c("setmocktime", self.now)
        for bad in ((0,), (-1,), (3601,), (1.5,), ("60",), (2**64,), (), (1, 2)):
            c("mockscheduler", *bad)
        c("mockscheduler", 1)
        c("mockscheduler", delta_time=3600)
        c("uptime")
        c("uptime", 1)
        c("getrpcinfo")
        c("getrpcinfo", 1)
        c("getmemoryinfo")
        c("getmemoryinfo", "nosuchmode")
        c("getmemoryinfo", 5)
        c("getmemoryinfo", "stats", 1)
        c("logging", ["nosuchcategory"])
        c("logging", "rpc")
        c("logging", [], ["nosuchcategory"])
        c("logging", [], [], 1)
        c("help", "nosuchmethod")
        c("help", 1)
        c("help", "getblockcount", "extra")
        c("help", None)
        c("help", "")
        c("logging", [5])
        c("logging", ["net", None])
        c("logging", ["net"], 5)
        c("logging", None, [True])
        # Core's categories, those without code here too, listed and toggled as Core.
        c("logging")
        c("logging", [], ["qt", "coindb"])
        c("logging", ["qt"], ["net"])
        c("logging", ["all"], ["tor", "libevent"])
        c("logging", ["all"])
        c("uptime", None)
        c("getrpcinfo", None)
        c("getmemoryinfo", None)
        self.log.info("util: message signing, multisig, descriptors")
        for args in (("x", "y", "z"), (P2PKH, "AAA", "m"), (P2WPKH, "AAA", "m"), (P2PKH, "!!!", "m"),
                     (P2PKH, "H" + "A" * 87, "m"), (5, "a", "m"), (P2PKH, "a")):
            c("verifymessage", *args)
        for args in (("x", "m"), (5, "m"), ("cVpF924EspNh8KjYsfhgY96mmxvT6DgdWiTYMtMjuM74hJaU5psW", 5)):
            c("signmessagewithprivkey", *args)
        c("signmessagewithprivkey", "cVpF924EspNh8KjYsfhgY96mmxvT6DgdWiTYMtMjuM74hJaU5psW", "hello")
        for args in ((0, [PUBKEY]), (2, [PUBKEY]), (1, ["zz"]), (1, [PUBKEY], "foo"), (1, []), (1, [PUBKEY] * 21),
                     (1, [PUBKEY] * 17, "bech32"), (1, [PUBKEY], "legacy"), (1, [PUBKEY], "p2sh-segwit"),
                     (-1, [PUBKEY]), (1, "x"), (1, [PUBKEY[:-2]]), ("1", [PUBKEY]), (1, [PUBKEY], "bech32m")):
            c("createmultisig", *args)
        for args in (("addr(x)",), ("wpkh(%s)" % PUBKEY,), ("wpkh(%s)" % PUBKEY, 1), ("wpkh(%s)" % PUBKEY, [0, 1]),
                     ("wpkh(%s)#zzzzzzzz" % PUBKEY,), (5,), (descsum_create("wpkh(%s)" % PUBKEY),),
                     (descsum_create("addr(%s)" % P2PKH), [0, 2]), (descsum_create("addr(%s)" % P2PKH),)):
            c("deriveaddresses", *args)
        c("stop", "now")
        c("stop", 1, 2)

    def check_integer_order(self):
        """A number that is not whole where an integer is read: Core's type
        check lets it through, getInt() refuses it ("JSON integer out of
        range") only when the method reads it, after the parameters read
        before it (issue 15)."""
        self.log.info("fractional integers, in Core's order of reads")
        c = self.cmp
        tip = self.nodes[0].getbestblockhash()
        for v in (1.5, 1.0, 1e3, -0.5):
            c("getblockhash", v)
            c("gettxout", "zz", v)
            c("gettxout", BADHASH, v)
            c("waitforblock", "zz", v)
            c("waitforblock", tip, v)
            c("waitforblockheight", v, 1)
            c("waitforblockheight", 1, v)
            c("waitfornewblock", v)
            c("prioritisetransaction", "zz", 0, v)
            c("prioritisetransaction", BADHASH, 1, v)
            c("getchaintxstats", v, "zz")
            c("getchaintxstats", v)
            c("getblockstats", v)
            c("verifychain", v, v)
            c("verifychain", 4, v)
            c("getnetworkhashps", v)
            c("getnetworkhashps", 1, v)
            c("generatetoaddress", v, "bad")
            c("generatetoaddress", 1, "bad", v)
            c("generatetodescriptor", 1, "bad", v)
            c("disconnectnode", "", v)
            c("disconnectnode", "x", v)
            c("getnodeaddresses", v, "bad")
            c("setban", "bad", "add", v)
            c("setban", "1.2.3.4", "add", v)
            c("setban", "1.2.3.4", "remove", v)
            c("sendmsgtopeer", v, "x" * 20, "zz")
            c("getblockfrompeer", "zz", v)
            c("getblockfrompeer", tip, v)
            c("addpeeraddress", "bad", v)
            c("createmultisig", v, ["zz"])
            c("createrawtransaction", [{"txid": "zz"}], {}, v)
            c("createrawtransaction", [{"txid": BADHASH, "vout": 0, "sequence": v}], {})
            c("scanblocks", "start", [], v)
            c("deriveaddresses", "bad", v)
            c("deriveaddresses", "bad", [0, v])
            c("estimatesmartfee", v)
            c("estimaterawfee", v)
            c("setmocktime", v)
            c("mockscheduler", v)
        # A sequence that is no number keeps the default, as in Core.
        for seq in ("x", True, None, -1, 2**32, 7):
            c("createrawtransaction", [{"txid": BADHASH, "vout": 0, "sequence": seq}], {})

    def check_mining(self):
        self.log.info("mining")
        c = self.cmp
        c("getmininginfo")
        c("getmininginfo", 1)
        c("getnetworkhashps")
        c("getnetworkhashps", 120, 1000)
        c("getnetworkhashps", 1)
        c("getnetworkhashps", 0)
        c("getnetworkhashps", -1)
        c("getnetworkhashps", 120, -1)
        c("getnetworkhashps", 120, self.height + 1)
        c("getnetworkhashps", 120, 0)
        c("getnetworkhashps", "x")
        c("getnetworkhashps", nblocks=10, height=1100)
        c("getblocktemplate", {"rules": ["segwit"]})
        c("getblocktemplate", template_request={"rules": ["segwit"]})
        c("getblocktemplate", {"rules": ["segwit"], "mode": "template"})
        c("getblocktemplate", {})
        c("getblocktemplate")
        c("getblocktemplate", "x")
        c("getblocktemplate", {"rules": ["segwit"], "mode": "nosuchmode"})
        c("getblocktemplate", {"rules": ["segwit"], "mode": "proposal"})
        c("getblocktemplate", {"rules": ["segwit"], "mode": "proposal", "data": "00"})
        c("getblocktemplate", {"rules": ["segwit"], "mode": "proposal",
                               "data": self.nodes[0].getblock(self.tip, 0)})
        c("getblocktemplate", {"rules": ["segwit"], "longpollid": "x" * 64})
        c("getprioritisedtransactions")
        c("getprioritisedtransactions", 1)
        for txid in (self.parent["txid"], BADHASH):
            c("prioritisetransaction", txid, 0, 1000)
            c("getprioritisedtransactions")
            c("getmempoolentry", self.parent["txid"])
            c("prioritisetransaction", txid, None, -1000)
        c("getprioritisedtransactions")
        c("prioritisetransaction", self.parent["txid"], 1, 1000)
        c("prioritisetransaction", self.parent["txid"], 0, "x")
        c("prioritisetransaction", self.parent["txid"], 0, 1.5)
        c("prioritisetransaction", "zz", 0, 1000)
        c("prioritisetransaction", self.parent["txid"])
        c("prioritisetransaction", txid=self.parent["txid"], fee_delta=0)
        c("submitblock", self.nodes[0].getblock(self.tip, 0))
        c("submitblock", self.nodes[0].getblock(self.busy, 0))
        c("submitblock", "00")
        c("submitblock", "zz")
        c("submitblock", 5)
        c("submitblock")
        c("submitblock", self.nodes[0].getblock(self.tip, 0), "dummy", 1)
        c("submitheader", self.nodes[0].getblockheader(self.tip, False))
        c("submitheader", self.nodes[0].getblockheader(self.busy, False))
        c("submitheader", "00" * 79)
        c("submitheader", "00" * 80)
        c("submitheader", "zz")
        c("submitheader", 5)
        c("submitheader")

    def check_ban_forms(self):
        """setban's address and subnet forms, times and errors, as Core parses and stores them."""
        c = self.cmp
        c("setban", "10.3.2.1/24", "add", 3600)
        c("setban", "10.3.3.0/255.255.255.0", "add", 3600)
        c("setban", "10.3.4.0/255.0.255.0", "add", 3600)
        c("setban", "10.3.5.0/024", "add", 3600)
        c("setban", "10.3.6.0/+24", "add", 3600)
        c("setban", "10.3.7.0/0x18", "add", 3600)
        c("setban", "10.3.8.0/", "add", 3600)
        c("setban", "10.3.9.0/33", "add", 3600)
        c("setban", "10.3.9.0/-1", "add", 3600)
        c("setban", "10.3.10.0/ 24", "add", 3600)
        c("setban", "10.3.11.0/24/8", "add", 3600)
        c("setban", "10.3.12.9/32", "add", 3600)
        c("setban", "10.3.12.9", "add", 3600)
        c("setban", "10.3.3.7", "add", 3600)
        c("setban", "10.3.3.0/25", "add", 3600)
        c("setban", "[::2]", "add", 100)
        c("setban", "[::3]/128", "add", 100)
        c("setban", "::ffff:10.4.0.1", "add", 100)
        c("setban", "::ffff:10.4.1.0/120", "add", 100)
        c("setban", "fc00::1", "add", 100)
        c("setban", "2001:db8:1::/48", "add", 100)
        c("setban", "2001:db8:2::1/ffff:ffff::", "add", 100)
        # IPv6 zones: numbers as written, names of this machine's interfaces
        # ("lo" is index 1), printed but never compared.
        c("setban", "fe80::1%1", "add", 100)
        c("setban", "fe80::1%lo", "add", 100)
        c("setban", "[fe80::2%7]", "add", 100)
        c("setban", "fe80::%3/64", "add", 100)
        c("setban", "fe80::1:5%lo", "add", 100)
        c("setban", "fe80::9%nosuchif0", "add", 100)
        c("setban", "fe80::9%", "add", 100)
        c("setban", "fe80::9%4294967296", "add", 100)
        c("setban", "10.9.9.9%1", "add", 100)
        c("setban", "::ffff:10.9.9.8%1", "add", 100)
        c("setban", "fe80::2%9", "remove")
        c("setban", "0.0.0.0", "add")
        c("setban", "0.0.0.0/0", "remove")
        c("setban", "255.255.255.255", "add")
        c("setban", "127.0.0.1:8333", "add")
        c("setban", "localhost", "add")
        c("setban", "1.2.3", "add")
        c("setban", "", "add")
        c("setban", "1.2.3.4", "")
        c("setban", "1.2.3.6", "add", self.now - 10, True)
        c("setban", "1.2.3.7", "add", 0, True)
        c("setban", "1.2.3.8", "add", None, True)
        c("setban", "1.2.3.9", "add", -5)
        c("setban", "1.2.3.10", "add", 100, False)
        c("setban", "1.2.3.11", "add", self.now, True)
        c("setban", "1.2.3.12", "add", self.now + 1, True)
        c("setban", subnet="1.2.3.13", command="add", absolute=True, bantime=self.now + 100)
        c("setban", subnet="1.2.3.14", command="add")
        c("setban", "1.2.3.15", "add", 2 ** 40)
        c("setban", "1.2.3.16", "add", 2 ** 62)
        c("setban", "1.2.3.17", "add", 1.5)
        c("setban", "1.2.3.18", "add", 100, "yes")
        c("setban", "1.2.3.19", "add", 100, True, 5)
        c("listbanned")
        # A ban ending this second is still listed; a second later it is gone.
        self.both("setmocktime", self.now + 100)
        c("listbanned")
        c("setban", "::2", "add", 50)
        self.both("setmocktime", self.now + 101)
        c("listbanned")
        self.both("setmocktime", self.now)
        c("setban", "10.3.12.9", "remove")
        c("setban", "10.3.2.0/24", "remove")
        c("setban", "10.3.3.7", "remove")
        c("setban", "10.3.3.0/255.255.255.0", "remove")
        c("setban", "[::2]/128", "remove")
        c("setban", "::2", "remove")
        c("setban", "notanip", "remove")
        c("listbanned")

    def check_disconnect_forms(self):
        """disconnectnode by each node's own peer's address and id."""
        core, br = self.nodes

        def own_peer(n):
            return next(p for p in n.getpeerinfo() if p["inbound"])

        cp, bp = own_peer(core), own_peer(br)
        self.cmp_own("disconnectnode", [cp["addr"]], [bp["addr"]])
        for n in self.nodes:
            n.p2p.wait_for_disconnect()
            n.disconnect_p2ps()
            n.add_p2p_connection(P2PInterface())
        self.cmp_own("disconnectnode", [cp["addr"]], [bp["addr"]])
        cp, bp = own_peer(core), own_peer(br)
        self.cmp_own("disconnectnode", ["", cp["id"]], ["", bp["id"]])
        for n in self.nodes:
            n.p2p.wait_for_disconnect()
        self.cmp_own("disconnectnode", ["", cp["id"]], ["", bp["id"]])
        for n in self.nodes:
            n.disconnect_p2ps()
            n.add_p2p_connection(P2PInterface())
        cp, bp = own_peer(core), own_peer(br)
        self.cmp_own("disconnectnode", [cp["addr"], cp["id"]], [bp["addr"], bp["id"]])
        self.cmp_own("disconnectnode", [cp["addr"].upper() + " "], [bp["addr"].upper() + " "])
        self.cmp("disconnectnode", "", -1)
        self.cmp("disconnectnode", None, None)

    def check_network(self):
        self.log.info("network: one python peer in each node")
        core, br = self.nodes
        for n in self.nodes:
            n.add_p2p_connection(P2PInterface())
            n.p2p.sync_with_ping()
        c = self.cmp
        c("getconnectioncount")
        c("getconnectioncount", 1)
        # getblockfrompeer's checks before the peer's (interop_getblockfrompeer.py
        # compares the peer's and fetches both ways).
        for args in (("1234", 0), ("zz" * 32, 0), (1234, 0), (BADHASH, "0"), (BADHASH, 1.5), (BADHASH, 0),
                     (BADHASH, -1), (self.mined_block, 0), (self.mined_block, 10**6), (BADHASH,), ()):
            c("getblockfrompeer", *args)
        c("getblockfrompeer", blockhash=self.mined_block, peer_id=0)
        c("getpeerinfo")
        c("getpeerinfo", 1)
        c("getnettotals")
        c("getnettotals", 1)
        c("getnetworkinfo")
        c("getnetworkinfo", 1)
        c("ping")
        c("ping", 1)
        for n in self.nodes:
            n.p2p.sync_with_ping()
        # The peer picks each node as its BIP152 high-bandwidth peer, then
        # not (a version 1 sendcmpct is ignored): bip152_hb_from follows.
        for n in self.nodes:
            n.p2p.send_and_ping(msg_sendcmpct(announce=True, version=2))
        c("getpeerinfo")
        for n in self.nodes:
            n.p2p.send_and_ping(msg_sendcmpct(announce=False, version=2))
            n.p2p.send_and_ping(msg_sendcmpct(announce=True, version=1))
        c("getpeerinfo")
        c("getaddednodeinfo")
        c("addnode", "127.0.0.1:1", "add")
        c("addnode", "127.0.0.1:1", "add")
        c("getaddednodeinfo")
        c("getaddednodeinfo", "127.0.0.1:1")
        c("getaddednodeinfo", "10.9.9.9:1")
        c("getaddednodeinfo", 5)
        c("addnode", "127.0.0.1:1", "remove")
        c("addnode", "127.0.0.1:1", "remove")
        c("addnode", "127.0.0.1:1", "sideways")
        c("addnode", "127.0.0.1:1", "add", "x")
        c("addnode", "127.0.0.1:1", "onetry", True)
        c("addnode", "127.0.0.1:1")
        c("addnode", node="127.0.0.1:1", command="remove")
        c("listbanned")
        c("listbanned", 1)
        c("setban", "10.1.2.0/24", "add", 3600)
        c("setban", "10.1.2.3", "add", 3600)
        c("setban", "10.1.2.0/24", "add", 3600)
        c("setban", "1.2.3.4", "add", self.now + 7200, True)
        c("setban", "1.2.3.5", "add")
        c("setban", "::1", "add", 100)
        c("setban", "2001:db8::/32", "add", 100)
        c("listbanned")
        c("setban", "10.1.2.0/24", "remove")
        c("setban", "10.9.9.9", "remove")
        c("setban", "notanip", "add")
        c("setban", "10.1.2.0/99", "add")
        c("setban", "1.2.3.4", "sideways")
        c("setban", "1.2.3.4", "add", "x")
        c("setban", "1.2.3.4", "add", -1)
        c("setban", "1.2.3.4")
        self.check_ban_forms()
        c("listbanned")
        c("clearbanned")
        c("clearbanned", 1)
        c("listbanned")
        c("getnodeaddresses")
        c("addpeeraddress", "1.2.3.4", 8333)
        c("addpeeraddress", "1.2.3.4", 8333)
        c("addpeeraddress", "1.2.3.5", 8333, True)
        c("addpeeraddress", "notanip", 8333)
        c("addpeeraddress", "1.2.3.4", "port")
        c("addpeeraddress", "1.2.3.4", 70000)
        c("addpeeraddress", "1.2.3.4")
        c("getnodeaddresses", 5)
        c("getnodeaddresses", 0)
        c("getnodeaddresses", 2, "ipv4")
        c("getnodeaddresses", 0, "ipv6")
        c("getnodeaddresses", 0, "onion")
        c("getnodeaddresses", 0, "nosuchnet")
        c("getnodeaddresses", -1)
        c("getnodeaddresses", "x")
        c("disconnectnode", "127.0.0.1:1")
        c("disconnectnode", "", 12345)
        c("disconnectnode", "127.0.0.1:1", 5)
        c("disconnectnode")
        c("disconnectnode", nodeid=12345)
        c("disconnectnode", address="x")
        c("addconnection", "127.0.0.1:1", "sideways", False)
        c("addconnection", "127.0.0.1:1", "outbound-full-relay")
        c("addconnection", "127.0.0.1:1", 5, False)
        self.check_disconnect_forms()
        c("setnetworkactive", "maybe")
        c("setnetworkactive")
        c("setnetworkactive", True)
        c("setnetworkactive", False)
        for n in self.nodes:
            self.wait_until(lambda: n.getconnectioncount() == 0)
        c("getnetworkinfo")
        c("setnetworkactive", True)

    def check_state_changes(self):
        """Calls that change the chain state, undone afterwards."""
        self.log.info("invalidate and reconsider, the same on both")
        core = self.nodes[0]
        c = self.cmp
        c("invalidateblock", self.mined_block)
        c("getblockchaininfo")
        c("getchaintips")
        c("getrawmempool")
        c("getmempoolinfo")
        c("getblockheader", self.mined_block)
        c("getblock", self.mined_block, 1)
        c("invalidateblock", self.mined_block)
        c("reconsiderblock", self.mined_block)
        c("getchaintips")
        c("getrawmempool")
        c("invalidateblock", BADHASH)
        c("invalidateblock", "zz")
        c("invalidateblock")
        c("reconsiderblock", BADHASH)
        c("reconsiderblock", 5)
        c("invalidateblock", core.getblockhash(0))
        c("getbestblockhash")

    def check_help(self):
        self.log.info("help for each method")
        core, br = self.nodes
        listing = br.help()
        self.br_methods = set()
        for line in listing.splitlines():
            if line.strip() and not line.startswith("=="):
                self.br_methods.add(line.split()[0])
        core_listing = core.help()
        self.core_methods = set()
        for line in core_listing.splitlines():
            if line.strip() and not line.startswith("=="):
                self.core_methods.add(line.split()[0])
        # Core's hidden methods that bitrootd implements (rpc_methods.py).
        self.hidden = {"invalidateblock", "reconsiderblock", "addpeeraddress", "echo", "echojson", "setmocktime",
                       "syncwithvalidationinterfacequeue", "addconnection", "mockscheduler"}
        self.cmp("help")
        for m in sorted(self.br_methods | self.hidden):
            self.cmp("help", m)
        self.cmp("help", command="getblockcount")

    def check_generating(self):
        """Mining the same block template on both: the same block, so both stay on one chain."""
        self.log.info("generating")
        core, br = self.nodes
        c = self.cmp
        c("generateblock", P2WPKH, [], False)
        c("generateblock", P2WPKH, [self.parent["txid"]], False)
        c("generateblock", P2WPKH, [self.loose["hex"]], False)
        c("generateblock", P2WPKH, [BADHASH], False)
        c("generateblock", P2WPKH, ["zz"], False)
        c("generateblock", "notanaddress", [])
        c("generateblock", P2WPKH, "notalist")
        c("generateblock", descsum_create("raw(%s)" % P2WPKH_SPK), [], False)
        c("generateblock", P2WPKH)
        c("generatetoaddress", 1, "notanaddress")
        c("generatetoaddress", "1", P2PKH)
        c("generatetoaddress", -1, P2PKH)
        c("generatetoaddress", 0, P2PKH)
        c("generatetoaddress", 1, MAINNET_P2PKH)
        c("generatetoaddress", 1, P2PKH, -1)
        c("generatetodescriptor", 1, "addr(nope)")
        c("generatetodescriptor", 1, "raw(%s)" % P2WPKH_SPK)
        c("generatetodescriptor", 0, descsum_create("raw(%s)" % P2WPKH_SPK))
        c("generate")
        # Blocks that change the tip, last: both nodes mine from the same
        # template at the same mock time.
        c("generatetoaddress", 1, P2PKH)
        c("generatetodescriptor", 1, descsum_create("raw(%s)" % P2WPKH_SPK))
        c("generateblock", P2WPKH, [])
        c("getblockcount")
        c("getrawmempool")
        # Last: Core mines here and bitrootd cannot parse the descriptor yet.
        c("generatetodescriptor", 1, descsum_create("pkh(%s)" % PUBKEY))

    def check_stop(self):
        self.log.info("stop")
        self.cmp("stop")
        for n in self.nodes:
            n.wait_until_stopped()

    def report(self):
        self.log.info("compared %d calls and %d fields over %d methods", self.calls, self.fields,
                      len(self.methods_called))
        print("interop_rpc_diff: %d calls, %d fields compared over %d methods" % (
            self.calls, self.fields, len(self.methods_called)))
        missing = sorted(self.core_methods - self.br_methods - self.hidden)
        self.log.info("methods Core 28.1 lists that bitrootd lacks (%d, out of scope): %s", len(missing),
                      ", ".join(missing))
        uncalled = sorted((self.br_methods | self.hidden) - self.methods_called - set(COMPARED_ELSEWHERE))
        for k in KNOWN:
            self.log.debug("known difference used %d times: %s %s: %s", k.used, ",".join(k.methods), k.path,
                           k.reason)
        unused = [k for k in KNOWN if not k.used]
        if unused:
            self.log.info("known differences not seen this run: %s",
                          "; ".join("%s %s" % (",".join(k.methods), k.path) for k in unused))
        if uncalled:
            self.failures.append("methods of bitrootd never called: %s" % ", ".join(uncalled))
        if self.failures:
            for f in self.failures:
                self.log.error("difference: %s", f)
            raise AssertionError("%d differences from Core not listed in KNOWN" % len(self.failures))


if __name__ == "__main__":
    InteropRpcDiffTest(__file__).main()
