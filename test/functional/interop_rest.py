#!/usr/bin/env python3
"""Differential REST test: every /rest/ endpoint fetched from Bitcoin Core 28.1 and bitrootd.

Both nodes run with -rest=1 -txindex=1 on the same chain (the shared dev chain
plus MiniWallet blocks) and the same mempool (the same transactions sent to
each), on the same mock time. Each request (valid ones in .bin, .hex and
.json, and the error cases: bad hashes, unknown blocks, counts and heights out
of range, bad query parameters, too many outpoints, bad bodies, unknown
formats, unknown paths and methods) goes to both. The status code and the
Content-Type must be equal; a .bin or .hex body, and every error text, byte
for byte; a JSON body field by field, where only the differences listed in
KNOWN (each with its reason) pass.
"""

import http.client
import json
import time

from test_framework.blocktools import COINBASE_MATURITY
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
ARGS = [MAXTIPAGE, "-rest=1", "-txindex=1"]
P2PKH = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
UNKNOWN = "00" * 31 + "01"

# (path prefix, field path, reason): JSON fields allowed to differ.
KNOWN = [
    ("/rest/chaininfo", "size_on_disk", "block and undo files: bitrootd's undo records are not Core's, and Core preallocates"),
    ("/rest/chaininfo", "verificationprogress", "estimated from the chain's last month, not Core's statistics"),
    ("/rest/chaininfo", "warnings", "Core 28.1 (Inquisition build) warns of a pre-release build"),
    ("/rest/chaininfo", "bits", "Core 29: bits of the next block"),
    ("/rest/chaininfo", "target", "Core 29: target next to bits"),
    ("/rest/block/", "target", "Core 29: target next to bits"),
    ("/rest/headers/", "[].target", "Core 29: target next to bits"),
    ("/rest/mempool/info", "usage", "memory accounting of each implementation's pool"),
    ("/rest/mempool/info", "unbroadcastcount", "not yet: initial broadcast is not tracked"),
    ("/rest/mempool/info", "permitbaremultisig", "Core 29: -permitbaremultisig in getmempoolinfo"),
    ("/rest/mempool/info", "maxdatacarriersize", "Core 29: -datacarriersize in getmempoolinfo"),
    ("/rest/mempool/info", "minrelaytxfee", "Core 30: -minrelaytxfee default 100 sat/kvB"),
    ("/rest/mempool/info", "mempoolminfee", "Core 30: follows -minrelaytxfee"),
    ("/rest/mempool/info", "incrementalrelayfee", "Core 30: -incrementalrelayfee default 100 sat/kvB"),
    ("/rest/mempool/contents", "{*}.unbroadcast", "not yet: initial broadcast is not tracked"),
    ("/rest/deploymentinfo", "deployments.taproot", "Inquisition buries taproot at height 1"),
    ("/rest/deploymentinfo", "deployments.testdummy", "Inquisition's heretical testdummy deployment"),
    ("/rest/deploymentinfo", "script_flags", "not yet: the block's script flags (Core 30, optional)"),
]


class _Missing:
    def __repr__(self):
        return "<absent>"


MISSING = _Missing()


def known(path, field):
    for prefix, f, _ in KNOWN:
        if path.startswith(prefix) and (field == f or field.startswith(f + ".")):
            return True
    return False


class InteropRestTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [ARGS, ARGS], binaries=self.node_impls)

    # --- Fetching and comparing ----------------------------------------------

    @staticmethod
    def fetch(node, path, method="GET", body=None):
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        conn.request(method, path, body=body)
        resp = conn.getresponse()
        data = resp.read()
        ctype = resp.getheader("Content-Type")
        conn.close()
        return resp.status, ctype, data

    def diff(self, url, field, c, b, out):
        if isinstance(c, dict) and isinstance(b, dict):
            n = 0
            for k in sorted(set(c) | set(b)):
                if field == "" and url.startswith("/rest/mempool/contents") and len(k) == 64:
                    sub = "{*}"
                else:
                    sub = k
                sub = "%s.%s" % (field, sub) if field else sub
                n += self.diff(url, sub, c.get(k, MISSING), b.get(k, MISSING), out)
            return n
        if isinstance(c, list) and isinstance(b, list):
            n = 1
            if len(c) != len(b):
                out.append((field + ".length", len(c), len(b)))
            for x, y in zip(c, b):
                n += self.diff(url, field + "[]", x, y, out)
            return n
        if type(c) is not type(b) or c != b:
            out.append((field, c, b))
        return 1

    def cmp(self, url, method="GET", body=None):
        core, br = self.nodes
        cs, ct, cb = self.fetch(core, url, method, body)
        bs, bt, bb = self.fetch(br, url, method, body)
        self.requests += 1
        where = "%s %s%s" % (method, url, " (body %d bytes)" % len(body) if body else "")
        if (cs, ct) != (bs, bt):
            self.failures.append("%s: status/type core %s %s %r, bitrootd %s %s %r" %
                                 (where, cs, ct, cb[:200], bs, bt, bb[:200]))
            return cs, cb
        if ct == "application/json" and cs == 200 and method != "HEAD":
            assert cb.endswith(b"\n") and bb.endswith(b"\n"), where
            found = []
            cj = json.loads(cb, parse_float=str)
            bj = json.loads(bb, parse_float=str)
            if url.startswith("/rest/mempool/contents") and isinstance(cj, list):
                cj, bj = sorted(cj), sorted(bj)
            if isinstance(cj, dict) and isinstance(cj.get("txids"), list):
                cj["txids"], bj["txids"] = sorted(cj["txids"]), sorted(bj.get("txids", []))
            self.fields += self.diff(url, "", cj, bj, found)
            for field, c, b in found:
                if known(url, field):
                    continue
                self.failures.append("%s: %s: core %s, bitrootd %s" % (where, field or "(body)", str(c)[:200],
                                                                       str(b)[:200]))
        else:
            self.bodies += 1
            if cb != bb:
                self.failures.append("%s: body core %r, bitrootd %r" % (where, cb[:300], bb[:300]))
        return cs, cb

    # --- The test ------------------------------------------------------------

    def run_test(self):
        self.requests = self.fields = self.bodies = 0
        self.failures = []
        core, br = self.nodes
        dat = self.require_shared("chains", "regtest-dev.dat")

        self.log.info("Core imports the dev chain; bitrootd syncs it from Core")
        self.start_node(0, extra_args=ARGS + ["-loadblock=" + dat])
        self.wait_until(lambda: core.getblockcount() == 1100, timeout=240)
        self.start_node(1)
        self.connect_nodes(1, 0)
        self.wait_until(lambda: br.getbestblockhash() == core.getbestblockhash(), timeout=240)
        self.wait_until(lambda: br.getindexinfo().get("txindex", {}).get("synced") is True, timeout=120)
        now = int(time.time())
        for n in self.nodes:
            n.setmocktime(now)

        self.log.info("MiniWallet blocks, and a block of its transactions")
        w = self.wallet = MiniWallet(core)
        w.generate(10, sync_fun=self.no_op)
        self.generate(core, COINBASE_MATURITY, address=P2PKH, sync_fun=self.no_op)
        w.rescan_utxos()
        self.sync_blocks()
        txs = [w.create_self_transfer() for _ in range(3)]
        txs.append(w.create_self_transfer_multi(num_outputs=3))
        for tx in txs:
            for n in self.nodes:
                n.sendrawtransaction(tx["hex"])
        self.generate(core, 1, address=P2PKH, sync_fun=self.no_op)
        self.sync_blocks()
        self.mined = core.getbestblockhash()
        self.mined_txs = txs
        self.disconnect_nodes(1, 0)

        self.log.info("The same mempool on both")
        self.parent = w.create_self_transfer()
        self.child = w.create_self_transfer(utxo_to_spend=self.parent["new_utxo"])
        self.multi = w.create_self_transfer_multi(num_outputs=3)
        self.spender = w.create_self_transfer(utxo_to_spend=self.multi["new_utxos"][0])
        self.spent_conf = txs[0]  # its output gets spent in the pool below
        self.pool_spend = w.create_self_transfer(utxo_to_spend=txs[0]["new_utxo"])
        for tx in (self.parent, self.child, self.multi, self.spender, self.pool_spend):
            for n in self.nodes:
                n.sendrawtransaction(tx["hex"])
        assert_equal(sorted(core.getrawmempool()), sorted(br.getrawmempool()))
        self.wait_until(lambda: br.getindexinfo()["txindex"]["synced"] is True)

        self.check_tx()
        self.check_block()
        self.check_headers()
        self.check_blockhashbyheight()
        self.check_info()
        self.check_mempool()
        self.check_getutxos()
        self.check_deploymentinfo()
        self.check_blockfilter()
        self.check_http()

        self.log.info("%d requests compared: %d bodies byte for byte, %d JSON fields", self.requests,
                      self.bodies, self.fields)
        for f in self.failures:
            self.log.error(f)
        assert_equal(len(self.failures), 0)

    def fmts(self, base, exts=("bin", "hex", "json")):
        for e in exts:
            self.cmp("%s.%s" % (base, e))

    def check_tx(self):
        self.log.info("/rest/tx")
        core = self.nodes[0]
        busy = core.getblock(core.getblockhash(1100))["tx"]
        for txid in (busy[0], busy[-1], self.mined_txs[0]["txid"], self.mined_txs[3]["txid"],
                     self.parent["txid"], self.spender["txid"]):
            self.fmts("/rest/tx/" + txid)
        genesis_cb = core.getblock(core.getblockhash(0))["tx"][0]
        self.fmts("/rest/tx/" + genesis_cb)
        self.fmts("/rest/tx/" + UNKNOWN)
        self.fmts("/rest/tx/" + busy[0].upper())
        for bad in ("xyz", busy[0][:63], busy[0] + "0", busy[0][:63] + "g"):
            self.fmts("/rest/tx/" + bad)
        self.cmp("/rest/tx/" + busy[0])
        self.cmp("/rest/tx/" + busy[0] + ".xml")
        self.cmp("/rest/tx/" + busy[0] + ".json?x=1")
        self.cmp("/rest/tx/" + UNKNOWN + ".xml")
        self.cmp("/rest/tx/.json")
        self.cmp("/rest/tx/")

    def check_block(self):
        self.log.info("/rest/block and /rest/block/notxdetails")
        core = self.nodes[0]
        hashes = [core.getblockhash(h) for h in (0, 1, 1100, core.getblockcount())] + [self.mined]
        for h in hashes:
            self.fmts("/rest/block/" + h)
            self.fmts("/rest/block/notxdetails/" + h)
        for bad in (UNKNOWN, "xyz", hashes[0][:60]):
            self.fmts("/rest/block/" + bad)
            self.fmts("/rest/block/notxdetails/" + bad)
        self.cmp("/rest/block/" + hashes[1])
        self.cmp("/rest/block/" + hashes[1] + ".txt")
        self.cmp("/rest/block/notxdetails/" + UNKNOWN + ".txt")
        self.cmp("/rest/block/notxdetails/")

    def check_headers(self):
        self.log.info("/rest/headers")
        core = self.nodes[0]
        tip = core.getblockcount()
        h1 = core.getblockhash(1)
        near = core.getblockhash(tip - 2)
        for count in ("1", "5", "2000", "2001", "0", "-1", "abc", "+3", "3.0", "", "0003", "18446744073709551617"):
            self.cmp("/rest/headers/%s.json?count=%s" % (h1, count))
            self.cmp("/rest/headers/%s.bin?count=%s" % (near, count))
            self.cmp("/rest/headers/%s/%s.hex" % (count, near))
        self.fmts("/rest/headers/" + core.getblockhash(0))
        self.fmts("/rest/headers/" + near)
        self.fmts("/rest/headers/3/" + h1)
        self.fmts("/rest/headers/" + UNKNOWN)
        self.fmts("/rest/headers/xyz")
        self.cmp("/rest/headers/1/2/%s.json" % h1)
        self.cmp("/rest/headers/%s?count=3" % h1)
        self.cmp("/rest/headers/%s.txt?count=3" % h1)
        self.cmp("/rest/headers/%s.json?count=3&count=4" % h1)
        self.cmp("/rest/headers/%s.json?count=1{" % h1)
        self.cmp("/rest/headers/%s.json?foo=1" % h1)
        self.cmp("/rest/headers/")

    def check_blockhashbyheight(self):
        self.log.info("/rest/blockhashbyheight")
        tip = self.nodes[0].getblockcount()
        for h in ("0", "1", "1100", str(tip), str(tip + 1), "-1", "abc", "+1", "1.5", "", "2147483648",
                  "99999999999", "-0", "00", "1a<b>", "+-1", "+", "++1", "%201", "1%00", "1[2]", "1$&'()*,;=:@!~_", "1%2B"):
            self.fmts("/rest/blockhashbyheight/" + h)
        self.cmp("/rest/blockhashbyheight/1")
        self.cmp("/rest/blockhashbyheight/1.xml")

    def check_info(self):
        self.log.info("/rest/chaininfo")
        self.fmts("/rest/chaininfo")
        self.cmp("/rest/chaininfo")
        self.cmp("/rest/chaininfo/.json")
        self.cmp("/rest/chaininfo.json?x=1")

    def check_mempool(self):
        self.log.info("/rest/mempool")
        self.fmts("/rest/mempool/info")
        self.fmts("/rest/mempool/contents")
        for q in ("verbose=false", "verbose=true", "verbose=false&mempool_sequence=true",
                  "mempool_sequence=true", "mempool_sequence=false", "verbose=maybe",
                  "verbose=false&mempool_sequence=1", "verbose=TRUE", "verbose=false{"):
            self.cmp("/rest/mempool/contents.json?" + q)
        for p in ("/rest/mempool/info", "/rest/mempool/foo.json", "/rest/mempool/.json", "/rest/mempool/",
                  "/rest/mempool/info.txt", "/rest/mempool/contents/x.json"):
            self.cmp(p)

    def check_getutxos(self):
        self.log.info("/rest/getutxos")
        conf = self.mined_txs[1]["new_utxo"]
        spent_in_pool = self.mined_txs[0]["new_utxo"]
        pool_out = self.multi["new_utxos"][1]
        pool_spent = self.multi["new_utxos"][0]
        coinbase = (self.nodes[0].getblock(self.mined)["tx"][0], 0)
        ops = ["%s-%d" % (u["txid"], u["vout"]) for u in (conf, spent_in_pool, pool_out, pool_spent)]
        ops.append("%s-%d" % coinbase)
        ops.append("%s-%d" % (UNKNOWN, 0))
        ops.append("%s-%d" % (conf["txid"], 7))
        for pre in ("/rest/getutxos/", "/rest/getutxos/checkmempool/"):
            for op in ops:
                self.fmts(pre + op)
            self.fmts(pre + "/".join(ops))
            self.fmts(pre + "/".join([ops[0]] * 15))
            self.fmts(pre + "/".join([ops[0]] * 16))
            for bad in ("x-0", ops[0].split("-")[0], ops[0] + "-1", ops[0].split("-")[0] + "-",
                        ops[0].split("-")[0] + "--1", ops[0].split("-")[0] + "-4294967296",
                        ops[0].split("-")[0] + "-+1", ops[0][:10] + "-0", ops[0] + "/", ""):
                self.fmts(pre + bad)
        self.fmts("/rest/getutxos")
        self.fmts("/rest/getutxos/checkmempool")
        self.cmp("/rest/getutxos/" + ops[0])
        self.cmp("/rest/getutxos/" + ops[0] + ".xml")

        def outpoints_bin(pairs, checkmempool):
            b = bytes([1 if checkmempool else 0]) + bytes([len(pairs)])
            for txid, n in pairs:
                b += bytes.fromhex(txid)[::-1] + n.to_bytes(4, "little")
            return b

        pairs = [(conf["txid"], conf["vout"]), (pool_out["txid"], pool_out["vout"])]
        for cm in (False, True):
            body = outpoints_bin(pairs, cm)
            self.cmp("/rest/getutxos.bin", "POST", body)
            self.cmp("/rest/getutxos.hex", "POST", body.hex().encode())
            self.cmp("/rest/getutxos.json", "POST", body)
            self.cmp("/rest/getutxos/checkmempool.bin", "POST", body)
            self.cmp("/rest/getutxos/%s.bin" % ops[0], "POST", body)
        self.cmp("/rest/getutxos.bin", "POST", outpoints_bin(pairs * 8, True))
        self.cmp("/rest/getutxos.bin", "POST", b"\x01")
        self.cmp("/rest/getutxos.bin", "POST", b"\x01\x05abc")
        self.cmp("/rest/getutxos.hex", "POST", b"zz")
        self.cmp("/rest/getutxos.hex", "POST", b"01 02")
        self.cmp("/rest/getutxos.bin", "POST", bytes(37 * 2 + 2))

    def check_deploymentinfo(self):
        self.log.info("/rest/deploymentinfo")
        core = self.nodes[0]
        self.cmp("/rest/deploymentinfo.json")
        self.cmp("/rest/deploymentinfo")
        self.cmp("/rest/deploymentinfo.bin")
        self.cmp("/rest/deploymentinfo/.json")
        for h in (core.getblockhash(0), core.getblockhash(500), core.getbestblockhash(), UNKNOWN, "xyz"):
            self.fmts("/rest/deploymentinfo/" + h, ("json", "hex"))
        self.cmp("/rest/deploymentinfo/" + UNKNOWN)

    def check_blockfilter(self):
        self.log.info("/rest/blockfilter and /rest/blockfilterheaders without the index")
        h = self.nodes[0].getblockhash(1)
        for p in ("basic/" + h, "foo/" + h, "basic/xyz", "basic", "basic/" + h + "/x", "foo/xyz"):
            self.fmts("/rest/blockfilter/" + p)
        for p in ("basic/" + h, "basic/3/" + h, "foo/" + h, "basic/0/" + h, "basic/xyz", "basic",
                  "basic/1/2/" + h, "foo/2001/xyz"):
            self.fmts("/rest/blockfilterheaders/" + p)
        self.cmp("/rest/blockfilterheaders/basic/%s.json?count=9999" % h)
        self.cmp("/rest/blockfilterheaders/basic/%s.json?count=2" % h)

    def check_http(self):
        self.log.info("Unknown paths and methods")
        h = self.nodes[0].getblockhash(1)
        self.cmp("/nothere", "DELETE")
        for p in ("/rest/", "/rest/foo", "/rest/blockx/" + h + ".json", "/rest", "/rest/tx", "/restx/tx/"):
            self.cmp(p)
        self.cmp("/rest/chaininfo.json", "POST", b"")
        self.cmp("/rest/chaininfo.json", "PUT", b"")
        self.cmp("/rest/chaininfo.json", "HEAD")
        self.cmp("/rest/chaininfo.json", "DELETE")
        self.cmp("/rest/chaininfo.json", "OPTIONS")
        self.cmp("/rest/chaininfo.json", "TRACE")
        self.cmp("/", "OPTIONS")
        self.cmp("/", "DELETE")


if __name__ == "__main__":
    InteropRestTest(__file__).main()
