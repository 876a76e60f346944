#!/usr/bin/env python3
"""Every RPC method of issue 6: one valid call with the result checked key by
key and type by type against Bitcoin Core 30's documented result, and one bad
call answered with Core's error code.

The node imports the shared regtest chain (1,100 blocks, ~22,000
transactions), then mines a few blocks of its own. `help` must list every
method not in Core's hidden category and `help METHOD` must work for all.
Methods that Bitroot does not implement yet are listed in KNOWN_MISSING and
checked to answer "Method not found", so that implementing them makes this
test fail until their shapes are added here. The mempool methods are called
last, on transactions of a MiniWallet whose coinbase matured on top of the
shared chain.
"""

import decimal
import time

from test_framework.address import descsum_create
from test_framework.blocktools import COINBASE_MATURITY, create_block, create_coinbase, solve
from test_framework.messages import MSG_WITNESS_BLOCK, CBlock, CBlockHeader, msg_block
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error, spare_port
from test_framework.wallet import MiniWallet

D = decimal.Decimal
ADDR = "bcrt1q5lmq9mha7csw8aup8efs446mkhznjh2klvsdmj"   # a P2WPKH paid by the shared chain
SPK = "0014a7f602eefdf620e3f7813e530ad75bb5c5395d56"
P2PKH = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
BADHASH = "00" * 31 + "01"

# Core's error codes.
RPC_MISC_ERROR = -1
RPC_TYPE_ERROR = -3
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8
RPC_CLIENT_NODE_NOT_ADDED = -24
RPC_DESERIALIZATION_ERROR = -22
RPC_METHOD_NOT_FOUND = -32601

# Methods in the table (so `help` documents them) that are not implemented
# yet and answer "Method not found". None since the mempool landed.
KNOWN_MISSING = []


# Result shape language: a type token, a dict of key -> shape (a key ending
# in "?" is optional: Core documents it as such), [shape] for an array whose
# every element has that shape, or a tuple of alternatives.
class T:
    def __init__(self, name, check):
        self.name, self.check = name, check

    def __repr__(self):
        return self.name


def _is_hex(v):
    return isinstance(v, str) and len(v) % 2 == 0 and all(c in "0123456789abcdef" for c in v)


INT = T("int", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUM = T("number", lambda v: isinstance(v, (int, D)) and not isinstance(v, bool))
AMOUNT = T("amount", lambda v: isinstance(v, (int, D)) and not isinstance(v, bool) and v >= 0 and
           D(v).as_tuple().exponent >= -8)
STR = T("string", lambda v: isinstance(v, str))
HEX = T("hex", _is_hex)
HASH = T("hash", lambda v: _is_hex(v) and len(v) == 64)
BOOL = T("bool", lambda v: isinstance(v, bool))
NULL = T("null", lambda v: v is None)
ANYOBJ = T("object", lambda v: isinstance(v, dict))


def check_shape(v, shape, path="result"):
    if isinstance(shape, T):
        if not shape.check(v):
            raise AssertionError("%s: expected %r, got %r" % (path, shape, v))
    elif isinstance(shape, tuple):
        errors = []
        for alt in shape:
            try:
                check_shape(v, alt, path)
                return
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError("%s: no alternative matches: %s" % (path, "; ".join(errors)))
    elif isinstance(shape, list):
        if not isinstance(v, list):
            raise AssertionError("%s: expected an array, got %r" % (path, v))
        for i, e in enumerate(v):
            check_shape(e, shape[0], "%s[%d]" % (path, i))
    elif isinstance(shape, dict):
        if not isinstance(v, dict):
            raise AssertionError("%s: expected an object, got %r" % (path, v))
        required = {k for k in shape if not k.endswith("?")}
        allowed = {k.rstrip("?"): s for k, s in shape.items()}
        missing = required - set(v)
        extra = set(v) - set(allowed)
        if missing or extra:
            raise AssertionError("%s: keys differ: missing %s, unexpected %s" %
                                 (path, sorted(missing), sorted(extra)))
        for k, e in v.items():
            check_shape(e, allowed[k], "%s.%s" % (path, k))
    else:
        raise TypeError("bad shape %r" % (shape,))


# Core 30's documented results (src/rpc/*.cpp RPCResult), as shapes.
SCRIPTPUBKEY = {"asm": STR, "desc": STR, "hex": HEX, "address?": STR, "type": STR}
VIN = {"coinbase?": HEX, "txid?": HASH, "vout?": INT, "scriptSig?": {"asm": STR, "hex": HEX},
       "txinwitness?": [HEX], "sequence": INT}
VOUT = {"value": AMOUNT, "n": INT, "scriptPubKey": SCRIPTPUBKEY}
TX = {"txid": HASH, "hash": HASH, "version": INT, "size": INT, "vsize": INT, "weight": INT, "locktime": INT,
      "vin": [VIN], "vout": [VOUT]}
TX_IN_BLOCK = dict(TX, **{"hex": HEX, "fee?": AMOUNT})
HEADER = {"hash": HASH, "confirmations": INT, "height": INT, "version": INT, "versionHex": HEX,
          "merkleroot": HASH, "time": INT, "mediantime": INT, "nonce": INT, "bits": HEX, "target": HASH,
          "difficulty": NUM, "chainwork": HASH, "nTx": INT, "previousblockhash?": HASH, "nextblockhash?": HASH}
BLOCK1 = dict(HEADER, **{"strippedsize": INT, "size": INT, "weight": INT, "tx": [HASH],
                         "coinbase_tx?": ANYOBJ})
BLOCK2 = dict(BLOCK1, tx=[TX_IN_BLOCK])
CHAININFO = {"chain": STR, "blocks": INT, "headers": INT, "bestblockhash": HASH, "bits": HEX, "target": HASH,
             "difficulty": NUM, "time": INT, "mediantime": INT, "verificationprogress": NUM,
             "initialblockdownload": BOOL, "chainwork": HASH, "size_on_disk": INT, "pruned": BOOL,
             "pruneheight?": INT, "automatic_pruning?": BOOL, "prune_target_size?": INT,
             "signet_challenge?": HEX, "warnings": [STR]}
BIP9 = {"bit?": INT, "start_time": INT, "timeout": INT, "min_activation_height": INT, "status": STR,
        "since": INT, "status_next": STR,
        "statistics?": {"period": INT, "threshold?": INT, "elapsed": INT, "count": INT, "possible?": BOOL},
        "signalling?": STR}
DEPLOYMENT = {"type": STR, "height?": INT, "active": BOOL, "bip9?": BIP9}
NEXTBLOCK = {"height": INT, "bits": HEX, "difficulty": NUM, "target": HASH}
MININGINFO = {"blocks": INT, "currentblockweight?": INT, "currentblocktx?": INT, "bits": HEX, "difficulty": NUM,
              "target": HASH, "networkhashps": NUM, "pooledtx": INT, "blockmintxfee": AMOUNT, "chain": STR,
              "signet_challenge?": HEX, "next": NEXTBLOCK, "warnings": [STR]}
MEMPOOLINFO = {"loaded": BOOL, "size": INT, "bytes": INT, "usage": INT, "total_fee": AMOUNT, "maxmempool": INT,
               "mempoolminfee": AMOUNT, "minrelaytxfee": AMOUNT, "incrementalrelayfee": AMOUNT,
               "unbroadcastcount": INT, "fullrbf": BOOL, "permitbaremultisig": BOOL,
               "maxdatacarriersize": INT}
MEMPOOLENTRY = {"vsize": INT, "weight": INT, "time": INT, "height": INT, "descendantcount": INT,
                "descendantsize": INT, "ancestorcount": INT, "ancestorsize": INT, "wtxid": HASH,
                "fees": {"base": AMOUNT, "modified": AMOUNT, "ancestor": AMOUNT, "descendant": AMOUNT},
                "depends": [HASH], "spentby": [HASH], "bip125-replaceable": BOOL, "unbroadcast": BOOL}
TESTACCEPT = {"txid": HASH, "wtxid": HASH, "package-error?": STR, "allowed?": BOOL, "vsize?": INT,
              "fees?": {"base": AMOUNT, "effective-feerate": AMOUNT, "effective-includes": [HASH]},
              "reject-reason?": STR, "reject-details?": STR}
PKGROW = {"txid": HASH, "other-wtxid?": HASH, "vsize?": INT,
          "fees?": {"base": AMOUNT, "effective-feerate?": AMOUNT, "effective-includes?": [HASH]},
          "error?": STR}
PRIORITISED = {"fee_delta": INT, "in_mempool": BOOL, "modified_fee?": INT}
NETWORKINFO = {"version": INT, "subversion": STR, "protocolversion": INT, "localservices": HEX,
               "localservicesnames": [STR], "localrelay": BOOL, "timeoffset": INT, "connections": INT,
               "connections_in": INT, "connections_out": INT, "networkactive": BOOL,
               "networks": [{"name": STR, "limited": BOOL, "reachable": BOOL, "proxy": STR,
                             "proxy_randomize_credentials": BOOL}],
               "relayfee": AMOUNT, "incrementalfee": AMOUNT,
               "localaddresses": [{"address": STR, "port": INT, "score": INT}], "warnings": [STR]}
PEER = {"id": INT, "addr": STR, "addrbind?": STR, "addrlocal?": STR, "network": STR, "mapped_as?": INT,
        "services": HEX, "servicesnames": [STR], "relaytxes": BOOL, "last_inv_sequence": INT,
        "inv_to_send": INT, "lastsend": INT, "lastrecv": INT, "last_transaction": INT, "last_block": INT,
        "bytessent": INT, "bytesrecv": INT, "conntime": INT, "timeoffset": INT, "pingtime?": NUM,
        "minping?": NUM, "pingwait?": NUM, "version": INT, "subver": STR, "inbound": BOOL,
        "bip152_hb_to": BOOL, "bip152_hb_from": BOOL, "startingheight?": INT, "presynced_headers": INT,
        "synced_headers": INT, "synced_blocks": INT, "inflight": [INT], "addr_relay_enabled": BOOL,
        "addr_processed": INT, "addr_rate_limited": INT, "permissions": [STR], "minfeefilter": AMOUNT,
        "bytessent_per_msg": ANYOBJ, "bytesrecv_per_msg": ANYOBJ, "connection_type": STR,
        "transport_protocol_type": STR, "session_id": STR}
NETTOTALS = {"totalbytesrecv": INT, "totalbytessent": INT, "timemillis": INT,
             "uploadtarget": {"timeframe": INT, "target": INT, "target_reached": BOOL,
                              "serve_historical_blocks": BOOL, "bytes_left_in_cycle": INT,
                              "time_left_in_cycle": INT}}
TXOUTSETINFO = {"height": INT, "bestblock": HASH, "txouts": INT, "bogosize": INT, "hash_serialized_3?": HASH,
                "muhash?": HASH, "total_amount": AMOUNT, "transactions": INT, "disk_size": INT}
CHAINTXSTATS = {"time": INT, "txcount?": INT, "window_final_block_hash": HASH, "window_final_block_height": INT,
                "window_block_count": INT, "window_interval?": INT, "window_tx_count?": INT, "txrate?": NUM}
UNSPENT = {"txid": HASH, "vout": INT, "scriptPubKey": HEX, "desc": STR, "amount": AMOUNT, "coinbase": BOOL,
           "height": INT, "blockhash": HASH, "confirmations": INT}
SCAN = {"success": BOOL, "txouts": INT, "height": INT, "bestblock": HASH, "unspents": [UNSPENT],
        "total_amount": AMOUNT}
GBT = {"capabilities": [STR], "version": INT, "rules": [STR], "vbavailable": {}, "vbrequired": INT,
       "previousblockhash": HASH, "transactions": [ANYOBJ], "coinbaseaux": {}, "coinbasevalue": INT,
       "longpollid": STR, "target": HASH, "mintime": INT, "mutable": [STR], "noncerange": HEX, "sigoplimit": INT,
       "sizelimit": INT, "weightlimit": INT, "curtime": INT, "bits": HEX, "height": INT,
       "signet_challenge?": HEX, "default_witness_commitment?": HEX}
DECODESCRIPT = {"asm": STR, "desc": STR, "type": STR, "address?": STR, "p2sh?": STR,
                "segwit?": {"asm": STR, "hex": HEX, "type": STR, "address?": STR, "desc": STR,
                            "p2sh-segwit": STR}}
RAWTX_VERBOSE = dict(TX, **{"in_active_chain?": BOOL, "blockhash?": HASH, "confirmations?": INT,
                            "time?": INT, "blocktime?": INT, "hex": HEX})
VALIDADDR = {"isvalid": BOOL, "address?": STR, "scriptPubKey?": HEX, "isscript?": BOOL, "iswitness?": BOOL,
             "witness_version?": INT, "witness_program?": HEX, "error?": STR, "error_locations?": [INT]}
DESCINFO = {"descriptor": STR, "multipath_expansion?": [STR], "checksum": STR, "isrange": BOOL,
            "issolvable": BOOL, "hasprivatekeys": BOOL}
RPCINFO = {"active_commands": [{"method": STR, "duration": INT}], "logpath": STR}
MEMINFO = {"locked": {"used": INT, "free": INT, "total": INT, "locked": INT, "chunks_used": INT,
                      "chunks_free": INT}}
TIP = {"hash": HASH, "height": INT}
BLOCKSTATS = {"avgfee": INT, "avgfeerate": INT, "avgtxsize": INT, "blockhash": HASH, "feerate_percentiles": [INT],
              "height": INT, "ins": INT, "maxfee": INT, "maxfeerate": INT, "maxtxsize": INT, "medianfee": INT,
              "mediantime": INT, "mediantxsize": INT, "minfee": INT, "minfeerate": INT, "mintxsize": INT,
              "outs": INT, "subsidy": INT, "swtotal_size": INT, "swtotal_weight": INT, "swtxs": INT, "time": INT,
              "total_out": INT, "total_size": INT, "total_weight": INT, "totalfee": INT, "txs": INT,
              "utxo_increase": INT, "utxo_size_inc": INT, "utxo_increase_actual": INT,
              "utxo_size_inc_actual": INT}
FILTERINDEX = "basic block filter index"
INDEXINFO = {"synced": BOOL, "best_block_height": INT}


class RpcMethodsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_network(self):
        self.add_nodes(self.num_nodes)

    def call(self, method, *args, shape, **kw):
        """One valid call: its result must have Core's shape."""
        res = getattr(self.nodes[0], method)(*args, **kw)
        check_shape(res, shape, method)
        self.called.add(method)
        return res

    def bad(self, code, method, *args, **kw):
        """One bad call: Core's error code."""
        assert_raises_rpc_error(code, None, getattr(self.nodes[0], method), *args, **kw)
        self.badcalled.add(method)

    def run_test(self):
        self.called, self.badcalled = set(), set()
        node = self.nodes[0]
        dat = self.require_shared("chains", "regtest-dev.dat")
        self.start_node(0, extra_args=["-loadblock=" + dat, "-blockfilterindex"])
        self.wait_until(lambda: node.getblockcount() >= 1100, timeout=600, check_interval=0.2)
        node.syncwithvalidationinterfacequeue()
        # The shared chain is from 2023: bring node time after its tip so
        # the node leaves initial block download when it mines.
        tiptime = node.getblockheader(node.getbestblockhash())["time"]
        node.setmocktime(tiptime + 600)
        self.mined = self.generate(node, 5, address=ADDR)
        assert_equal(node.getblockcount(), 1105)

        self.check_help()
        self.check_blockchain()
        self.check_mining()
        self.check_rawtx()
        self.check_network()
        self.check_control_util()
        self.check_issue22()
        self.check_psbt()
        self.check_known_missing()
        self.check_mempool()

        listed = self.help_listed | self.hidden
        assert_equal(sorted(listed - self.called - set(KNOWN_MISSING) - {"stop"}), [])
        assert_equal(sorted(listed - self.badcalled - set(KNOWN_MISSING)), [])

        self.log.info("stop: Core's result string, then the process exits 0")
        res = node.stop()
        check_shape(res, STR, "stop")
        assert "stopping" in res
        node.wait_until_stopped()

    def check_help(self):
        node = self.nodes[0]
        self.log.info("help lists every method by category; help METHOD for each")
        text = node.help()
        self.help_listed = set()
        categories = []
        for line in text.splitlines():
            if line.startswith("== "):
                categories.append(line.strip("= "))
            elif line.strip():
                self.help_listed.add(line.split()[0])
        assert_equal(categories, ["Blockchain", "Control", "Generating", "Mining", "Network",
                                  "Rawtransactions", "Signer", "Util", "Zmq"])
        # Core keeps these in its hidden category (not in the listing).
        self.hidden = {"invalidateblock", "reconsiderblock", "addpeeraddress", "echo", "echojson", "setmocktime",
                       "syncwithvalidationinterfacequeue", "addconnection", "generate",
                       "getrawaddrman", "sendmsgtopeer", "mockscheduler"}
        issue6 = {
            "getblockchaininfo", "getblockcount", "getbestblockhash", "getblockhash", "getblockheader", "getblock",
            "getchaintips", "getdifficulty", "gettxout", "gettxoutsetinfo", "getchaintxstats", "getdeploymentinfo",
            "verifychain", "getmempoolinfo", "getrawmempool", "waitfornewblock", "waitforblock",
            "waitforblockheight", "preciousblock", "scantxoutset",
            "getpeerinfo", "getconnectioncount", "getnettotals", "getnetworkinfo", "addnode", "disconnectnode",
            "getaddednodeinfo", "setban", "listbanned", "clearbanned", "ping", "setnetworkactive",
            "getnodeaddresses",
            "generatetoaddress", "generateblock", "generatetodescriptor", "submitblock", "submitheader",
            "getblocktemplate", "getmininginfo", "getnetworkhashps",
            "getrawtransaction", "decoderawtransaction", "decodescript", "createrawtransaction",
            "sendrawtransaction", "testmempoolaccept",
            "help", "stop", "uptime", "getrpcinfo", "logging", "getmemoryinfo", "validateaddress",
            "getdescriptorinfo"}
        issue22 = {"getblockstats", "gettxoutproof", "verifytxoutproof", "createmultisig", "deriveaddresses",
                   "signmessagewithprivkey", "verifymessage", "gettxspendingprevout",
                   "signrawtransactionwithkey", "combinerawtransaction", "getaddrmaninfo",
                   "importmempool", "scanblocks", "submitpackage", "createpsbt", "decodepsbt",
                   "combinepsbt", "finalizepsbt", "converttopsbt", "utxoupdatepsbt", "joinpsbts",
                   "analyzepsbt", "getblockfrompeer", "descriptorprocesspsbt"}
        assert_equal(sorted((issue6 | issue22) - self.help_listed), [])
        assert_equal(sorted(self.help_listed & self.hidden), [])
        for m in sorted(self.help_listed | self.hidden):
            h = node.help(m)
            assert h.startswith(m), "help %s starts with %r" % (m, h[:40])
            if m != "generate":         # Core's generate help is its one line
                assert_in("Examples:", h)
        assert_equal(node.help(command="getblockcount"), node.help("getblockcount"))
        self.called.add("help")
        # An unknown command is a -1 with Core's text; a number is a type error.
        assert_equal(node.help("nosuchmethod"), "help: unknown command: nosuchmethod")
        self.bad(RPC_TYPE_ERROR, "help", 1)
        self.bad(RPC_MISC_ERROR, "help", "getblockcount", "extra")

    def check_blockchain(self):
        node = self.nodes[0]
        tip = node.getbestblockhash()
        self.log.info("blockchain: chain state")
        info = self.call("getblockchaininfo", shape=CHAININFO)
        assert_equal((info["chain"], info["blocks"], info["bestblockhash"]), ("regtest", 1105, tip))
        assert_equal(info["initialblockdownload"], False)
        self.bad(RPC_MISC_ERROR, "getblockchaininfo", 1)
        assert_equal(self.call("getblockcount", shape=INT), 1105)
        self.bad(RPC_MISC_ERROR, "getblockcount", 1)
        assert_equal(self.call("getbestblockhash", shape=HASH), tip)
        self.bad(RPC_MISC_ERROR, "getbestblockhash", "x")
        assert_equal(self.call("getblockhash", 1105, shape=HASH), tip)
        self.bad(RPC_TYPE_ERROR, "getblockhash", "1")
        self.bad(RPC_INVALID_PARAMETER, "getblockhash", 1106)       # out of range
        assert_equal(self.call("getdifficulty", shape=NUM), info["difficulty"])
        self.bad(RPC_MISC_ERROR, "getdifficulty", 1)

        self.log.info("blockchain: headers and blocks")
        hdr = self.call("getblockheader", tip, shape=HEADER)
        assert_equal((hdr["height"], hdr["confirmations"], hdr["bits"]), (1105, 1, "207fffff"))
        assert "nextblockhash" not in hdr
        old = self.call("getblockheader", node.getblockhash(1000), shape=HEADER)
        assert_equal(old["nextblockhash"], node.getblockhash(1001))
        raw = self.call("getblockheader", tip, False, shape=HEX)
        assert_equal(CBlockHeader.from_hex(raw).hash_hex, tip)
        self.bad(RPC_INVALID_PARAMETER, "getblockheader", "abc")       # not 64 hex digits
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getblockheader", BADHASH)  # unknown
        self.bad(RPC_TYPE_ERROR, "getblockheader", tip, "yes")
        b0 = self.call("getblock", tip, 0, shape=HEX)
        assert_equal(CBlock.from_hex(b0).hash_hex, tip)
        busy = node.getblockhash(1100)                      # 22 transactions
        b1 = self.call("getblock", busy, shape=BLOCK1)
        assert_equal(len(b1["tx"]), 22)
        b1v = self.call("getblock", busy, 1, shape=BLOCK1)
        assert_equal(b1v, b1)
        b2 = self.call("getblock", busy, 2, shape=BLOCK2)
        assert_equal([t["txid"] for t in b2["tx"]], b1["tx"])
        assert_in("coinbase", b2["tx"][0]["vin"][0])
        assert_in("txid", b2["tx"][1]["vin"][0])
        assert_equal(self.call("getblock", blockhash=busy, verbosity=True, shape=BLOCK1), b1)   # true is 1
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getblock", BADHASH)
        self.bad(RPC_INVALID_PARAMETER, "getblock", "zz" * 32)
        self.bad(RPC_TYPE_ERROR, "getblock", tip, "2")     # Core: getInt's type error (interop_rpc_diff.py)
        self.bad(RPC_MISC_ERROR, "getblock", tip, 1, 2)
        tips = self.call("getchaintips", shape=[{"height": INT, "hash": HASH, "branchlen": INT, "status": STR}])
        assert_equal(tips[0], {"height": 1105, "hash": tip, "branchlen": 0, "status": "active"})
        self.bad(RPC_MISC_ERROR, "getchaintips", 1)

        self.log.info("blockchain: coins and statistics")
        coinbase = node.getblock(self.mined[0], 1)["tx"][0]
        txo = self.call("gettxout", coinbase, 0, shape={"bestblock": HASH, "confirmations": INT, "value": AMOUNT,
                                                        "scriptPubKey": SCRIPTPUBKEY, "coinbase": BOOL})
        assert_equal((txo["confirmations"], txo["coinbase"], txo["scriptPubKey"]["hex"]), (5, True, SPK))
        assert_equal(node.gettxout(coinbase, 5), None)                  # no such output: null
        self.bad(RPC_INVALID_PARAMETER, "gettxout", "xyz", 0)
        self.bad(RPC_TYPE_ERROR, "gettxout", coinbase, "0")
        uinfo = self.call("gettxoutsetinfo", shape=TXOUTSETINFO)
        assert_equal((uinfo["height"], uinfo["bestblock"]), (1105, tip))
        assert_in("hash_serialized_3", uinfo)
        self.bad(RPC_INVALID_PARAMETER, "gettxoutsetinfo", "nosuchhash")
        stats = self.call("getchaintxstats", shape=CHAINTXSTATS)
        assert_equal(stats["txcount"], 21886 + 5)
        assert_equal(stats["window_final_block_height"], 1105)
        self.call("getchaintxstats", 10, node.getblockhash(1000), shape=CHAINTXSTATS)
        self.bad(RPC_INVALID_PARAMETER, "getchaintxstats", 5000)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getchaintxstats", 10, BADHASH)
        dep = self.call("getdeploymentinfo", shape={"hash": HASH, "height": INT, "script_flags?": [STR],
                                                    "deployments": {"bip34": DEPLOYMENT, "bip66": DEPLOYMENT,
                                                                    "bip65": DEPLOYMENT, "csv": DEPLOYMENT,
                                                                    "segwit": DEPLOYMENT,
                                                                    "testdummy": DEPLOYMENT,
                                                                    "taproot": DEPLOYMENT}})
        assert_equal(dep["hash"], tip)
        for name, d in dep["deployments"].items():
            assert_equal("bip9" in d, d["type"] == "bip9")
            # Core: the signalling bit only while it means something.
            if "bip9" in d and d["bip9"]["status"] not in ("started", "locked_in"):
                assert "bit" not in d["bip9"], "%s: bit shown in status %s" % (name, d["bip9"]["status"])
        self.call("getdeploymentinfo", node.getblockhash(100), shape=ANYOBJ)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getdeploymentinfo", BADHASH)
        assert_equal(self.call("verifychain", 3, 6, shape=BOOL), True)
        self.bad(RPC_TYPE_ERROR, "verifychain", "x")
        # This node does not prune: Core's refusal. feature_prune.py makes
        # the valid calls on a pruning node.
        self.bad(RPC_MISC_ERROR, "pruneblockchain", 500)
        self.called.add("pruneblockchain")
        # No -signer here: Core's refusal. interop_signer.py lists signers.
        self.bad(RPC_MISC_ERROR, "enumeratesigners")
        self.called.add("enumeratesigners")
        scan = self.call("scantxoutset", "start", [descsum_create("addr(%s)" % ADDR)], shape=SCAN)
        assert_equal(scan["success"], True)
        assert_equal(len([u for u in scan["unspents"] if u["height"] > 1100]), 5)
        self.call("scantxoutset", "start", ["raw(%s)" % SPK], shape=SCAN)
        assert_equal(self.nodes[0].scantxoutset("status"), None)
        self.bad(RPC_INVALID_PARAMETER, "scantxoutset", "begin", [])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "scantxoutset", "start", ["nonsense(1)"])
        found = self.call("scanblocks", "start", [descsum_create("addr(%s)" % ADDR)], 1100,
                          shape={"from_height": INT, "to_height": INT, "relevant_blocks": [HASH], "completed": BOOL})
        assert_equal(set(self.mined) - set(found["relevant_blocks"]), set())
        assert_equal(self.nodes[0].scanblocks("status"), None)
        self.bad(RPC_INVALID_PARAMETER, "scanblocks", "begin", [])

        self.log.info("blockchain: mempool (empty so far)")
        mp = self.call("getmempoolinfo", shape=MEMPOOLINFO)
        assert_equal((mp["loaded"], mp["size"]), (True, 0))
        self.bad(RPC_MISC_ERROR, "getmempoolinfo", 1)
        assert_equal(self.call("getrawmempool", shape=[HASH]), [])
        assert_equal(self.call("getrawmempool", True, shape={}), {})
        self.call("getrawmempool", False, True, shape={"txids": [HASH], "mempool_sequence": INT})
        self.bad(RPC_TYPE_ERROR, "getrawmempool", "x")

        self.log.info("blockchain: waits")
        assert_equal(self.call("waitfornewblock", 50, shape=TIP), {"hash": tip, "height": 1105})
        self.bad(RPC_TYPE_ERROR, "waitfornewblock", "x")
        assert_equal(self.call("waitforblock", tip, 50, shape=TIP), {"hash": tip, "height": 1105})
        self.bad(RPC_INVALID_PARAMETER, "waitforblock", "zz")
        assert_equal(self.call("waitforblockheight", 1000, 50, shape=TIP), {"hash": tip, "height": 1105})
        self.bad(RPC_TYPE_ERROR, "waitforblockheight", "1000")

        self.log.info("blockchain: invalidate, reconsider, precious")
        utxo = uinfo["hash_serialized_3"]
        assert_equal(self.call("invalidateblock", self.mined[3], shape=NULL), None)
        assert_equal(node.getblockcount(), 1103)
        assert_equal(self.call("reconsiderblock", self.mined[3], shape=NULL), None)
        assert_equal(node.getbestblockhash(), tip)
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo)
        assert_equal(self.call("preciousblock", tip, shape=NULL), None)
        for m in ("invalidateblock", "reconsiderblock", "preciousblock"):
            self.bad(RPC_INVALID_ADDRESS_OR_KEY, m, BADHASH)

    def check_mining(self):
        node = self.nodes[0]
        self.log.info("mining and generating")
        mi = self.call("getmininginfo", shape=MININGINFO)
        assert_equal((mi["blocks"], mi["next"]["height"], mi["next"]["bits"]), (1105, 1106, "207fffff"))
        self.bad(RPC_MISC_ERROR, "getmininginfo", 1)
        self.call("getnetworkhashps", shape=NUM)
        self.call("getnetworkhashps", 120, 1000, shape=NUM)
        self.bad(RPC_TYPE_ERROR, "getnetworkhashps", "x")
        gbt = self.call("getblocktemplate", {"rules": ["segwit"]}, shape=GBT)
        assert_equal((gbt["height"], gbt["previousblockhash"]), (1106, node.getbestblockhash()))
        self.bad(RPC_INVALID_PARAMETER, "getblocktemplate", {})           # segwit rule missing
        self.bad(RPC_TYPE_ERROR, "getblocktemplate", "x")
        hashes = self.call("generatetoaddress", 1, P2PKH, shape=[HASH])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "generatetoaddress", 1, "notanaddress")
        self.bad(RPC_TYPE_ERROR, "generatetoaddress", "1", P2PKH)
        hashes += self.call("generatetodescriptor", 1, descsum_create("addr(%s)" % ADDR), shape=[HASH])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "generatetodescriptor", 1, "addr(nope)")
        gen = self.call("generateblock", ADDR, [], shape={"hash": HASH})
        hashes.append(gen["hash"])
        nosub = self.call("generateblock", ADDR, [], False, shape={"hash": HASH, "hex": HEX})
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "generateblock", "notanaddress", [])
        self.bad(RPC_TYPE_ERROR, "generateblock", ADDR, "notalist")
        assert_equal(node.getbestblockhash(), hashes[-1])
        assert_equal(node.getblockcount(), 1108)
        # The unsubmitted block is still valid: its header, then itself.
        assert_equal(self.call("submitheader", nosub["hex"][:160], shape=NULL), None)
        self.bad(RPC_DESERIALIZATION_ERROR, "submitheader", "00" * 79)
        assert_equal(self.call("submitblock", nosub["hex"], shape=NULL), None)
        assert_equal(node.getbestblockhash(), nosub["hash"])
        assert_equal(self.call("submitblock", nosub["hex"], shape=STR), "duplicate")
        self.bad(RPC_DESERIALIZATION_ERROR, "submitblock", "00")
        self.mined += hashes + [nosub["hash"]]

    def check_rawtx(self):
        node = self.nodes[0]
        self.log.info("rawtransactions")
        busy = node.getblockhash(1100)
        txid = node.getblock(busy)["tx"][3]
        raw = self.call("getrawtransaction", txid, 0, busy, shape=HEX)
        v1 = self.call("getrawtransaction", txid, 1, busy, shape=RAWTX_VERBOSE)
        assert_equal((v1["txid"], v1["blockhash"], v1["in_active_chain"], v1["hex"]), (txid, busy, True, raw))
        self.call("getrawtransaction", txid, True, busy, shape=RAWTX_VERBOSE)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getrawtransaction", txid)   # no -txindex
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Use -txindex or provide a block hash",
                                node.getrawtransaction, txid, 1)
        # Only the block filter index runs here (rpc_txindex.py covers -txindex,
        # rpc_blockfilter.py the filter index).
        self.wait_until(lambda: node.getindexinfo()[FILTERINDEX]["synced"], timeout=120)
        assert_equal(list(self.call("getindexinfo", shape={FILTERINDEX: INDEXINFO})), [FILTERINDEX])
        assert_equal(self.call("getindexinfo", "txindex", shape=ANYOBJ), {})
        self.bad(RPC_TYPE_ERROR, "getindexinfo", 5)
        self.call("getblockfilter", busy, shape={"filter": HEX, "header": HASH})
        self.call("getblockfilter", busy, "basic", shape={"filter": HEX, "header": HASH})
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getblockfilter", busy, "extended")
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getblockfilter", BADHASH)
        self.bad(RPC_TYPE_ERROR, "getblockfilter", busy, 0)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getrawtransaction", txid, 1, BADHASH)
        self.bad(RPC_INVALID_PARAMETER, "getrawtransaction", "nothex")
        self.bad(RPC_TYPE_ERROR, "getrawtransaction", txid, "1", busy)
        self.bad(RPC_TYPE_ERROR, "getrawtransaction", txid, [1], busy)
        dec = self.call("decoderawtransaction", raw, shape=TX)
        assert_equal(dec["txid"], txid)
        self.bad(RPC_DESERIALIZATION_ERROR, "decoderawtransaction", "zz")
        self.bad(RPC_DESERIALIZATION_ERROR, "decoderawtransaction", raw[:-2])
        self.bad(RPC_TYPE_ERROR, "decoderawtransaction", 5)
        ds = self.call("decodescript", SPK, shape=DECODESCRIPT)
        assert_equal((ds["type"], ds["address"]), ("witness_v0_keyhash", ADDR))
        ms = self.call("decodescript", "51" + "21" + "02" + "11" * 32 + "51ae", shape=DECODESCRIPT)
        assert_equal(ms["type"], "multisig")
        assert_in("segwit", ms)
        self.bad(RPC_INVALID_PARAMETER, "decodescript", "zz")
        self.bad(RPC_MISC_ERROR, "decodescript", SPK, 1)
        created = self.call("createrawtransaction", [{"txid": txid, "vout": 0}], [{ADDR: D("0.1")}], shape=HEX)
        ct = node.decoderawtransaction(created)
        assert_equal((ct["vin"][0]["txid"], ct["vout"][0]["value"], ct["version"]), (txid, D("0.1"), 2))
        self.call("createrawtransaction", [], {"data": "00ff"}, 0, True, 3, shape=HEX)
        self.bad(RPC_INVALID_PARAMETER, "createrawtransaction", [{"txid": "zz", "vout": 0}], [])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "createrawtransaction", [], [{"notanaddress": 1}])
        self.bad(RPC_TYPE_ERROR, "createrawtransaction", "x", [])

    def check_network(self):
        node = self.nodes[0]
        self.log.info("network")
        peer = node.add_p2p_connection(P2PInterface())
        peer.sync_with_ping()
        assert_equal(self.call("getconnectioncount", shape=INT), 1)
        self.bad(RPC_MISC_ERROR, "getconnectioncount", 1)
        peers = self.call("getpeerinfo", shape=[PEER])
        assert_equal(len(peers), 1)
        assert_equal((peers[0]["inbound"], peers[0]["subver"]), (True, "/python-p2p-tester:0.0.3/"))
        for k, v in list(peers[0]["bytessent_per_msg"].items()) + list(peers[0]["bytesrecv_per_msg"].items()):
            check_shape(v, INT, "getpeerinfo.bytes_per_msg." + k)
        self.bad(RPC_MISC_ERROR, "getpeerinfo", 1)
        tot = self.call("getnettotals", shape=NETTOTALS)
        assert tot["totalbytesrecv"] > 0 and tot["totalbytessent"] > 0
        self.bad(RPC_MISC_ERROR, "getnettotals", 1)
        ni = self.call("getnetworkinfo", shape=NETWORKINFO)
        assert_equal((ni["connections"], ni["connections_in"], ni["networkactive"]), (1, 1, True))
        self.bad(RPC_MISC_ERROR, "getnetworkinfo", 1)
        assert_equal(self.call("ping", shape=NULL), None)
        self.bad(RPC_MISC_ERROR, "ping", 1)
        spare = "127.0.0.1:%d" % spare_port(0)
        assert_equal(self.call("addnode", spare, "add", shape=NULL), None)
        added = self.call("getaddednodeinfo", shape=[{"addednode": STR, "connected": BOOL,
                                                      "addresses": [{"address": STR, "connected": STR}]}])
        assert_equal(added[0]["addednode"], spare)
        self.call("getaddednodeinfo", spare, shape=[ANYOBJ])
        self.bad(RPC_CLIENT_NODE_NOT_ADDED, "getaddednodeinfo", "10.9.9.9:1")
        assert_equal(node.addnode(spare, "remove"), None)
        self.bad(RPC_MISC_ERROR, "addnode", spare, "sideways")         # Core: its help text
        assert_equal(self.call("setban", "10.1.2.0/24", "add", 3600, shape=NULL), None)
        banned = self.call("listbanned", shape=[{"address": STR, "ban_created": INT, "banned_until": INT,
                                                 "ban_duration": INT, "time_remaining": INT}])
        assert_equal((banned[0]["address"], banned[0]["ban_duration"]), ("10.1.2.0/24", 3600))
        self.bad(RPC_MISC_ERROR, "listbanned", 1)
        self.bad(-30, "setban", "notanip", "add")          # RPC_CLIENT_INVALID_IP_OR_SUBNET
        assert_equal(self.call("clearbanned", shape=NULL), None)
        assert_equal(node.listbanned(), [])
        self.bad(RPC_MISC_ERROR, "clearbanned", 1)
        res = self.call("addpeeraddress", "1.2.3.4", 8333, shape={"success": BOOL, "error?": STR})
        assert_equal(res["success"], True)
        self.bad(RPC_TYPE_ERROR, "addpeeraddress", "1.2.3.4", "port")
        addrs = self.call("getnodeaddresses", 0, shape=[{"time": INT, "services": INT, "address": STR,
                                                         "port": INT, "network": STR}])
        assert_in("1.2.3.4", [a["address"] for a in addrs])
        self.bad(RPC_INVALID_PARAMETER, "getnodeaddresses", -1)
        tbl = {"new": INT, "tried": INT, "total": INT}
        info = self.call("getaddrmaninfo", shape={n: tbl for n in ("ipv4", "ipv6", "onion", "i2p", "cjdns",
                                                                  "all_networks")})
        assert info["ipv4"]["new"] >= 1
        assert_equal(info["all_networks"]["total"], sum(info[n]["total"] for n in info if n != "all_networks"))
        self.bad(RPC_MISC_ERROR, "getaddrmaninfo", 1)
        slot = {"address": STR, "port": INT, "services": INT, "time": INT, "network": STR, "source": STR,
                "source_network": STR}
        raw = self.call("getrawaddrman", shape={"new": ANYOBJ, "tried": ANYOBJ})
        for table in raw.values():
            for pos, e in table.items():
                bucket, position = map(int, pos.split("/"))
                assert 0 <= bucket < 1024 and 0 <= position < 64, pos
                check_shape(e, slot, "getrawaddrman." + pos)
        assert_in(("1.2.3.4", 8333), [(e["address"], e["port"]) for e in raw["new"].values()])
        self.bad(RPC_MISC_ERROR, "getrawaddrman", 1)
        assert_equal(self.call("sendmsgtopeer", peers[0]["id"], "ping", "0102030405060708", shape={}), {})
        self.bad(RPC_INVALID_PARAMETER, "sendmsgtopeer", peers[0]["id"], "abcdefghijklm", "00")
        self.bad(RPC_INVALID_PARAMETER, "sendmsgtopeer", peers[0]["id"], "ping", "zz")
        self.bad(RPC_MISC_ERROR, "sendmsgtopeer", 1000, "ping", "00")
        pid = peers[0]["id"]
        # getblockfrompeer: a header alone (a sibling of the tip); the test
        # peer is asked for the block with witnesses and sends it.
        tip = node.getblockheader(node.getbestblockhash())
        blk = solve(create_block(tip["previousblockhash"], create_coinbase(tip["height"]), tip["time"] + 1))
        assert_equal(node.submitheader(blk.serialize_header().hex()), None)
        self.bad(RPC_MISC_ERROR, "getblockfrompeer", blk.hash_hex, 1000)      # Peer does not exist
        assert_equal(self.call("getblockfrompeer", blk.hash_hex, pid, shape={}), {})
        gd = peer.wait_for_message("getdata", lambda m: any(i.hash == blk.hash for i in m.inv))
        assert_equal([i.type for i in gd.inv if i.hash == blk.hash], [MSG_WITNESS_BLOCK])
        peer.send_message(msg_block(blk))
        self.wait_until(lambda: any(t["hash"] == blk.hash_hex and t["status"] != "headers-only"
                                    for t in node.getchaintips()))
        assert_equal(node.getblock(blk.hash_hex, 0), blk.serialize().hex())
        assert_equal(node.getbestblockhash(), tip["hash"])
        self.bad(RPC_MISC_ERROR, "getblockfrompeer", blk.hash_hex, pid)       # Block already downloaded
        self.bad(RPC_MISC_ERROR, "getblockfrompeer", "00" * 32, pid)          # Block header missing
        assert_equal(self.call("setnetworkactive", False, shape=BOOL), False)
        self.wait_until(lambda: node.getconnectioncount() == 0)
        assert_equal(node.setnetworkactive(True), True)
        self.bad(RPC_TYPE_ERROR, "setnetworkactive", "maybe")
        peer2 = node.add_p2p_connection(P2PInterface())
        pid = [p["id"] for p in node.getpeerinfo()][0]
        assert_equal(self.call("disconnectnode", nodeid=pid, shape=NULL), None)
        peer2.wait_for_disconnect()
        self.bad(-29, "disconnectnode", nodeid=pid)        # RPC_CLIENT_NODE_NOT_CONNECTED
        self.log.info("test helpers: addconnection, setmocktime, syncwithvalidationinterfacequeue")
        out = P2PInterface()
        out.timeout_factor = self.options.timeout_factor
        port = out.peer_accept_connection()
        node.p2ps.append(out)
        res = self.call("addconnection", "127.0.0.1:%d" % port, "block-relay-only", False,
                        shape={"address": STR, "connection_type": STR})
        assert_equal(res, {"address": "127.0.0.1:%d" % port, "connection_type": "block-relay-only"})
        out.wait_for_connect()
        out.wait_for_verack()
        out.sync_with_ping()
        self.bad(RPC_INVALID_PARAMETER, "addconnection", "127.0.0.1:1", "sideways", False)
        node.disconnect_p2ps()

    def check_issue22(self):
        node = self.nodes[0]
        self.log.info("issue 22: block statistics, proofs, multisig, messages, raw transaction signing")
        st = self.call("getblockstats", 1100, shape=BLOCKSTATS)
        assert_equal((st["height"], st["blockhash"], len(st["feerate_percentiles"])),
                     (1100, node.getblockhash(1100), 5))
        assert_equal(self.call("getblockstats", node.getblockhash(1100), ["txs"], shape={"txs": INT}),
                     {"txs": st["txs"]})
        self.bad(RPC_INVALID_PARAMETER, "getblockstats", 1100, ["nosuchstat"])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getblockstats", BADHASH)
        busy = node.getblockhash(1100)
        txids = node.getblock(busy)["tx"][1:4]
        proof = self.call("gettxoutproof", txids, busy, shape=HEX)
        assert_equal(self.call("verifytxoutproof", proof, shape=[HASH]), txids)
        self.bad(RPC_INVALID_PARAMETER, "gettxoutproof", [])
        self.bad(RPC_MISC_ERROR, "verifytxoutproof", proof[:100])
        keys = ["02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                "03" + "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"]
        ms = self.call("createmultisig", 1, keys, "bech32",
                       shape={"address": STR, "redeemScript": HEX, "descriptor": STR, "warnings?": [STR]})
        assert_equal(ms["descriptor"], descsum_create("wsh(multi(1,%s,%s))" % tuple(keys)))
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "createmultisig", 1, ["zz"])
        assert_equal(self.call("deriveaddresses", descsum_create("addr(%s)" % ADDR), shape=[STR]), [ADDR])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "deriveaddresses", "addr(%s)" % ADDR)   # no checksum
        wif = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA"   # the key 1, compressed
        sig = self.call("signmessagewithprivkey", wif, "hello", shape=STR)
        assert_equal(self.call("verifymessage", "mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", sig, "hello", shape=BOOL), True)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "signmessagewithprivkey", "nope", "hello")
        self.bad(RPC_TYPE_ERROR, "verifymessage", ADDR, sig, "hello")      # not P2PKH
        # generate moved to the CLI: Core's help text as a "method not found".
        assert_raises_rpc_error(-32601, "has been replaced by the -generate cli option", node.generate)
        self.called.add("generate")
        self.bad(RPC_MISC_ERROR, "generate", 1)
        outs = [{"txid": txids[0], "vout": 0}]
        assert_equal(self.call("gettxspendingprevout", outs,
                               shape=[{"txid": HASH, "vout": INT, "spendingtxid?": HASH}]), outs)
        self.bad(RPC_INVALID_PARAMETER, "gettxspendingprevout", [])
        # A spend of a P2PKH output of the key 1 (the output need not exist).
        spend = node.createrawtransaction([{"txid": BADHASH, "vout": 0}], [{ADDR: 1}])
        pt = [{"txid": BADHASH, "vout": 0, "scriptPubKey": "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac",
               "amount": 2}]
        signed = self.call("signrawtransactionwithkey", spend, [wif], pt,
                           shape={"hex": HEX, "complete": BOOL,
                                  "errors?": [{"txid": HASH, "vout": INT, "witness": [HEX], "scriptSig": HEX,
                                               "sequence": INT, "error": STR}]})
        assert_equal(signed["complete"], True)
        unsigned = self.call("signrawtransactionwithkey", spend, [], pt, shape=ANYOBJ)
        assert_equal(unsigned["errors"][0]["error"],
                     "Unable to sign input, invalid stack size (possibly missing key)")
        self.bad(RPC_DESERIALIZATION_ERROR, "signrawtransactionwithkey", "zz", [wif])
        coinbase = node.getblock(self.mined[0])["tx"][0]
        unsigned = node.createrawtransaction([{"txid": coinbase, "vout": 0}], [{ADDR: 1}])
        assert_equal(self.call("combinerawtransaction", [unsigned, unsigned], shape=HEX), unsigned)
        self.bad(-25, "combinerawtransaction", [signed["hex"]])       # no such coin
        self.bad(RPC_DESERIALIZATION_ERROR, "combinerawtransaction", [])

    def check_psbt(self):
        node = self.nodes[0]
        self.log.info("PSBT methods")
        coinbase = node.getblock(self.mined[0])["tx"][0]
        ins, outs = [{"txid": coinbase, "vout": 0}], [{ADDR: D("0.1")}]
        psbt = self.call("createpsbt", ins, outs, shape=STR)
        self.bad(RPC_INVALID_PARAMETER, "createpsbt", ins, outs, -1)
        raw = node.createrawtransaction(ins, outs)
        assert_equal(self.call("converttopsbt", raw, shape=STR), psbt)
        self.bad(RPC_DESERIALIZATION_ERROR, "converttopsbt", "zz")
        upd = self.call("utxoupdatepsbt", psbt, shape=STR)
        self.bad(RPC_DESERIALIZATION_ERROR, "utxoupdatepsbt", "zz")
        # No descriptors: nothing to sign with, the PSBT stays incomplete.
        res = self.call("descriptorprocesspsbt", upd, [], shape={"psbt": STR, "complete": BOOL, "hex?": HEX})
        assert_equal(res["complete"], False)
        self.bad(RPC_DESERIALIZATION_ERROR, "descriptorprocesspsbt", "zz", [])
        self.bad(RPC_INVALID_PARAMETER, "descriptorprocesspsbt", upd, [], "FOO")
        script = {"asm": STR, "desc": STR, "hex": HEX, "address?": STR, "type": STR}
        dec = self.call("decodepsbt", upd, shape={
            "tx": ANYOBJ, "global_xpubs": [ANYOBJ], "psbt_version": INT, "proprietary": [ANYOBJ],
            "unknown": ANYOBJ, "inputs": [{"witness_utxo?": {"amount": AMOUNT, "scriptPubKey": script},
                                           "non_witness_utxo?": ANYOBJ}],
            "outputs": [ANYOBJ], "fee?": AMOUNT})
        assert_equal(dec["inputs"][0]["witness_utxo"]["scriptPubKey"]["hex"], SPK)
        self.bad(RPC_DESERIALIZATION_ERROR, "decodepsbt", "cHNidP8=")
        ana = self.call("analyzepsbt", upd, shape={
            "inputs?": [{"has_utxo": BOOL, "is_final": BOOL, "next": STR,
                         "missing?": {"pubkeys?": [HEX], "signatures?": [HEX], "redeemscript?": HEX,
                                      "witnessscript?": HEX}}],
            "estimated_vsize?": INT, "estimated_feerate?": AMOUNT, "fee?": AMOUNT, "next": STR, "error?": STR})
        assert_equal(ana["next"], "updater")     # the key of ADDR is unknown
        self.bad(RPC_DESERIALIZATION_ERROR, "analyzepsbt", "zz")
        assert_equal(self.call("combinepsbt", [psbt, upd], shape=STR), upd)
        self.bad(RPC_INVALID_PARAMETER, "combinepsbt", [])
        fin = self.call("finalizepsbt", upd, shape={"psbt?": STR, "hex?": HEX, "complete": BOOL})
        assert_equal(fin["complete"], False)
        self.bad(RPC_DESERIALIZATION_ERROR, "finalizepsbt", "")
        other = node.createpsbt([{"txid": BADHASH, "vout": 1}], [{P2PKH: 2}])
        self.call("joinpsbts", [psbt, other], shape=STR)
        self.bad(RPC_INVALID_PARAMETER, "joinpsbts", [psbt])

    def check_control_util(self):
        node = self.nodes[0]
        self.log.info("control and util")
        # Node time: the mock time set at the start lies before the start-up.
        self.call("uptime", shape=INT)
        self.bad(RPC_MISC_ERROR, "uptime", 1)
        info = self.call("getrpcinfo", shape=RPCINFO)
        assert_equal([c["method"] for c in info["active_commands"]], ["getrpcinfo"])
        assert info["logpath"].endswith("debug.log")
        self.bad(RPC_MISC_ERROR, "getrpcinfo", 1)
        self.call("getmemoryinfo", shape=MEMINFO)
        self.call("getmemoryinfo", "stats", shape=MEMINFO)
        assert_equal(self.call("getmemoryinfo", "mallocinfo", shape=STR)[:6], "<mallo")
        self.bad(RPC_INVALID_PARAMETER, "getmemoryinfo", "nosuchmode")
        cats = self.call("logging", shape=ANYOBJ)
        for k, v in cats.items():
            check_shape(v, BOOL, "logging." + k)
        assert_in("rpc", cats)
        self.call("logging", ["rpc"], [], shape=ANYOBJ)
        self.bad(RPC_INVALID_PARAMETER, "logging", ["nosuchcategory"])
        self.bad(RPC_TYPE_ERROR, "logging", "rpc")
        va = self.call("validateaddress", ADDR, shape=VALIDADDR)
        assert_equal((va["isvalid"], va["scriptPubKey"], va["witness_version"]), (True, SPK, 0))
        va = self.call("validateaddress", P2PKH, shape=VALIDADDR)
        assert_equal((va["isvalid"], va["iswitness"]), (True, False))
        inv = self.call("validateaddress", "bcrt1qxyz", shape=VALIDADDR)
        assert_equal(inv["isvalid"], False)
        assert_in("error", inv)
        self.bad(RPC_TYPE_ERROR, "validateaddress", 5)
        di = self.call("getdescriptorinfo", "addr(%s)" % ADDR, shape=DESCINFO)
        assert_equal(di["descriptor"], descsum_create("addr(%s)" % ADDR))
        self.call("getdescriptorinfo", "raw(%s)" % SPK, shape=DESCINFO)
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getdescriptorinfo", "nonsense(1)")
        # Without -zmqpub* no notifier is active (zmq_interface.py has them).
        assert_equal(self.call("getzmqnotifications", shape=[{"type": STR, "address": STR, "hwm": INT}]), [])
        self.bad(RPC_MISC_ERROR, "getzmqnotifications", 1)
        # No fee data on this node (feature_fee_estimation.py has some).
        self.call("estimatesmartfee", 6, shape={"feerate?": NUM, "errors?": [STR], "blocks": INT})
        self.bad(RPC_INVALID_PARAMETER, "estimatesmartfee", 0)
        assert_equal(self.call("echo", "a", 1, shape=[(STR, INT)]), ["a", 1])
        assert_equal(self.call("echojson", [1], {"k": 2}, shape=[(ANYOBJ, [INT])]), [[1], {"k": 2}])
        self.bad(RPC_MISC_ERROR, "echo", *range(11))
        self.bad(RPC_MISC_ERROR, "echojson", *range(11))
        now = int(time.time())
        assert_equal(self.call("setmocktime", now + 3600, shape=NULL), None)
        assert 3600 <= node.uptime() < 3600 + 600
        assert_equal(node.setmocktime(0), None)
        assert 0 <= node.uptime() < 600
        self.bad(RPC_TYPE_ERROR, "setmocktime", "soon")
        self.bad(RPC_INVALID_PARAMETER, "setmocktime", -1)
        # mockscheduler: feature_mockscheduler.py checks what it runs.
        assert_equal(self.call("mockscheduler", 1, shape=NULL), None)
        self.bad(RPC_MISC_ERROR, "mockscheduler", 3601)
        assert_equal(self.call("syncwithvalidationinterfacequeue", shape=NULL), None)
        self.bad(RPC_MISC_ERROR, "syncwithvalidationinterfacequeue", 1)
        self.bad(RPC_TYPE_ERROR, "stop", "now")

    def check_known_missing(self):
        node = self.nodes[0]
        self.log.info("known missing: %s", ", ".join(KNOWN_MISSING) or "none")
        for m in KNOWN_MISSING:
            assert_in(m, self.help_listed)
            assert node.help(m).startswith(m)
            assert_raises_rpc_error(RPC_METHOD_NOT_FOUND, None, getattr(node, m))

    def check_mempool(self):
        node = self.nodes[0]
        self.log.info("mempool: a MiniWallet coinbase matured on the shared chain")
        wallet = MiniWallet(node)
        wallet.generate(1)
        self.generate(node, COINBASE_MATURITY, address=ADDR)
        parent = wallet.create_self_transfer()
        child = wallet.create_self_transfer(utxo_to_spend=parent["new_utxo"])

        self.log.info("rawtransactions: testmempoolaccept, sendrawtransaction")
        res = self.call("testmempoolaccept", [parent["hex"], child["hex"]], shape=[TESTACCEPT])
        assert_equal([(r["txid"], r["allowed"]) for r in res], [(parent["txid"], True), (child["txid"], True)])
        res = self.call("testmempoolaccept", [child["hex"]], shape=[TESTACCEPT])
        assert_equal((res[0]["allowed"], res[0]["reject-reason"]), (False, "missing-inputs"))
        self.bad(RPC_INVALID_PARAMETER, "testmempoolaccept", [])
        assert_equal(self.call("sendrawtransaction", parent["hex"], shape=HASH), parent["txid"])
        assert_equal(self.call("sendrawtransaction", child["hex"], 0, shape=HASH), child["txid"])
        self.bad(RPC_DESERIALIZATION_ERROR, "sendrawtransaction", "00")
        res = self.call("submitpackage", [parent["hex"], child["hex"]],
                        shape={"package_msg": STR, "tx-results": {parent["wtxid"]: PKGROW, child["wtxid"]: PKGROW},
                               "replaced-transactions?": [HASH]})
        assert_equal(res["package_msg"], "success")
        self.bad(RPC_INVALID_PARAMETER, "submitpackage", [parent["hex"]])

        self.log.info("blockchain: the pool's contents")
        mp = self.call("getmempoolinfo", shape=MEMPOOLINFO)
        assert_equal((mp["loaded"], mp["size"], mp["bytes"]), (True, 2, parent["vsize"] + child["vsize"]))
        assert_equal(sorted(self.call("getrawmempool", shape=[HASH])), sorted([parent["txid"], child["txid"]]))
        verbose = self.call("getrawmempool", True, shape=ANYOBJ)
        assert_equal(sorted(verbose), sorted([parent["txid"], child["txid"]]))
        for k, e in verbose.items():
            check_shape(e, MEMPOOLENTRY, "getrawmempool[%s]" % k)
        self.bad(RPC_INVALID_PARAMETER, "getrawmempool", True, True)
        e = self.call("getmempoolentry", child["txid"], shape=MEMPOOLENTRY)
        assert_equal((e["ancestorcount"], e["depends"]), (2, [parent["txid"]]))
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getmempoolentry", BADHASH)
        assert_equal(self.call("getmempoolancestors", child["txid"], shape=[HASH]), [parent["txid"]])
        anc = self.call("getmempoolancestors", child["txid"], True, shape={parent["txid"]: MEMPOOLENTRY})
        assert_equal(anc[parent["txid"]]["spentby"], [child["txid"]])
        self.bad(RPC_INVALID_ADDRESS_OR_KEY, "getmempoolancestors", BADHASH)
        assert_equal(self.call("getmempooldescendants", parent["txid"], shape=[HASH]), [child["txid"]])
        self.call("getmempooldescendants", parent["txid"], True, shape={child["txid"]: MEMPOOLENTRY})
        self.bad(RPC_TYPE_ERROR, "getmempooldescendants", parent["txid"], "yes")

        self.log.info("mining: prioritisetransaction, getprioritisedtransactions")
        assert_equal(self.call("prioritisetransaction", parent["txid"], 0, 1000, shape=BOOL), True)
        self.bad(RPC_INVALID_PARAMETER, "prioritisetransaction", parent["txid"], 1, 1000)
        pr = self.call("getprioritisedtransactions", shape={parent["txid"]: PRIORITISED})
        assert_equal(pr[parent["txid"]], {"fee_delta": 1000, "in_mempool": True,
                                          "modified_fee": parent["fee"] + 1000})
        self.bad(RPC_MISC_ERROR, "getprioritisedtransactions", 1)

        self.log.info("blockchain: savemempool")
        saved = self.call("savemempool", shape={"filename": STR})
        assert saved["filename"].endswith("mempool.dat")
        self.bad(RPC_MISC_ERROR, "savemempool", 1)
        assert_equal(self.call("importmempool", saved["filename"], shape={}), {})
        self.bad(RPC_MISC_ERROR, "importmempool", saved["filename"] + ".absent")

        self.log.info("blockchain: dumptxoutset")
        dump = self.call("dumptxoutset", "utxo.dat",
                         shape={"coins_written": INT, "base_hash": HASH, "base_height": INT, "path": STR,
                                "txoutset_hash": HASH, "nchaintx": INT})
        assert dump["path"].endswith("/regtest/utxo.dat")
        assert_equal(dump["txoutset_hash"], self.nodes[0].gettxoutsetinfo()["hash_serialized_3"])
        self.bad(RPC_INVALID_PARAMETER, "dumptxoutset", "utxo.dat")
        self.bad(RPC_MISC_ERROR, "dumptxoutset")

        self.log.info("blockchain: getchainstates, loadtxoutset")
        cs = self.call("getchainstates", shape={"headers": INT, "chainstates": [{
            "blocks": INT, "bestblockhash": HASH, "difficulty": NUM, "verificationprogress": NUM,
            "coins_db_cache_bytes": INT, "coins_tip_cache_bytes": INT, "validated": BOOL}]})
        assert_equal(cs["chainstates"][0]["blocks"], self.nodes[0].getblockcount())
        self.bad(RPC_MISC_ERROR, "getchainstates", 1)
        # A snapshot of the tip is no more work than the tip: Core's refusal
        # (loading one for real: feature_assumeutxo.py).
        assert_raises_rpc_error(-32603, "assumeutxo block hash in snapshot metadata not recognized",
                                self.nodes[0].loadtxoutset, "utxo.dat")
        self.called.add("loadtxoutset")
        self.bad(RPC_INVALID_PARAMETER, "loadtxoutset", "no-such-file.dat")


if __name__ == "__main__":
    RpcMethodsTest(__file__).main()
