#!/usr/bin/env python3
"""The REST interface (-rest) of one bitrootd node.

- Without -rest every /rest/ path answers 404 with no body; JSON-RPC is
  unchanged. With it, REST needs no credentials, but -rpcallowip still holds.
- /rest/tx finds mempool transactions and, with -txindex, confirmed ones;
  .bin is the serialization, .hex its hex and a newline, .json Core's
  TxToUniv (blockhash only once confirmed).
- /rest/block .bin is the stored block; .json is getblock at verbosity 3
  (prevouts), notxdetails at verbosity 1.
- /rest/headers: the chain from a block on, at most count (default 5, at
  most 2000), empty for a block not on the active chain; the legacy
  /rest/headers/<count>/<hash> form too.
- /rest/getutxos: the bitmap follows the UTXO set, and with checkmempool
  also the pool (an output spent there is gone, a pool output is there with
  height 2147483647); .bin is BIP 64's layout; at most 15 outpoints.
- /rest/mempool/contents with mempool_sequence agrees with getrawmempool.
- /rest/blockhashbyheight, /rest/chaininfo, /rest/deploymentinfo answer as
  the matching RPCs; /rest/blockfilter* answer that the index is off.
"""

import http.client
import json
import struct

from test_framework.messages import CBlock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet


class RestInterfaceTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-rest=1", "-txindex=1"]]

    def get(self, path, method="GET", body=None, status=200):
        conn = http.client.HTTPConnection("127.0.0.1", self.nodes[0].rpc_port, timeout=60)
        conn.request(method, path, body=body)
        resp = conn.getresponse()
        data = resp.read()
        ctype = resp.getheader("Content-Type")
        conn.close()
        assert_equal(resp.status, status)
        if status == 200:
            want = {"bin": "application/octet-stream", "hex": "text/plain", "json": "application/json"}
            ext = path.split("?")[0].rsplit(".", 1)[-1]
            assert_equal(ctype, want[ext])
        return data

    def json(self, path, **kw):
        data = self.get(path, **kw)
        assert data.endswith(b"\n")
        return json.loads(data)

    def err(self, path, status, text, **kw):
        assert_equal(self.get(path, status=status, **kw), text.encode() + b"\r\n")

    def run_test(self):
        node = self.nodes[0]
        w = MiniWallet(node)
        w.generate(5)
        self.generate(node, 100)

        self.log.info("Off by default: 404 without a body; on: no credentials asked")
        self.restart_node(0, extra_args=["-txindex=1"])
        assert_equal(self.get("/rest/chaininfo.json", status=404), b"")
        self.restart_node(0, extra_args=["-rest=1", "-txindex=1"])
        info = self.json("/rest/chaininfo.json")
        assert_equal(info["blocks"], node.getblockcount())
        assert_equal(info["bestblockhash"], node.getbestblockhash())
        assert_equal(self.get("/rest/nothere", status=404), b"")
        self.get("/rest/chaininfo.json", method="DELETE", status=405)

        self.log.info("/rest/tx: mempool and confirmed transactions")
        w.rescan_utxos()
        tx = w.send_self_transfer(from_node=node)
        raw = self.get("/rest/tx/%s.bin" % tx["txid"])
        assert_equal(raw.hex(), tx["hex"])
        assert_equal(self.get("/rest/tx/%s.hex" % tx["txid"]), tx["hex"].encode() + b"\n")
        j = self.json("/rest/tx/%s.json" % tx["txid"])
        assert_equal(j["txid"], tx["txid"])
        assert "blockhash" not in j
        assert_equal(list(j)[-1], "hex")
        self.generate(node, 1)
        j = self.json("/rest/tx/%s.json" % tx["txid"])
        assert_equal(j["blockhash"], node.getbestblockhash())
        assert_equal(list(j)[-2:], ["blockhash", "hex"])
        self.err("/rest/tx/%s.json" % ("11" * 32), 404, "%s not found" % ("11" * 32))
        self.err("/rest/tx/abc.json", 400, "Invalid hash: abc")
        self.err("/rest/tx/%s.txt" % tx["txid"], 400, "Invalid hash: %s.txt" % tx["txid"])
        self.err("/rest/tx/%s" % tx["txid"], 404, "output format not found (available: .bin, .hex, .json)")

        self.log.info("/rest/block: stored bytes, verbosity 3 and 1")
        tip = node.getbestblockhash()
        raw = self.get("/rest/block/%s.bin" % tip)
        assert_equal(raw.hex(), node.getblock(tip, 0))
        blk = CBlock.from_bytes(raw)
        assert_equal(len(blk.vtx), len(node.getblock(tip, 1)["tx"]))
        full = self.json("/rest/block/%s.json" % tip)
        assert_equal(full["hash"], tip)
        assert_equal([t["txid"] for t in full["tx"]], node.getblock(tip, 1)["tx"])
        assert "prevout" in full["tx"][1]["vin"][0]
        notx = self.json("/rest/block/notxdetails/%s.json" % tip)
        assert_equal(notx["tx"], node.getblock(tip, 1)["tx"])
        self.err("/rest/block/%s.json" % ("22" * 32), 404, "%s not found" % ("22" * 32))

        self.log.info("/rest/headers: count, limits, legacy form")
        h1 = node.getblockhash(1)
        hdrs = self.get("/rest/headers/%s.bin?count=3" % h1)
        assert_equal(len(hdrs), 240)
        assert_equal(hdrs[:80].hex(), node.getblockheader(h1, False))
        assert_equal(len(self.get("/rest/headers/%s.bin" % h1)), 400)
        assert_equal(self.get("/rest/headers/3/%s.bin" % h1), hdrs)
        assert_equal(len(self.json("/rest/headers/%s.json?count=2000" % h1)), node.getblockcount())
        jh = self.json("/rest/headers/%s.json?count=2" % h1)
        assert_equal([x["hash"] for x in jh], [h1, node.getblockhash(2)])
        for bad in ("0", "2001", "x", "-1"):
            self.err("/rest/headers/%s.json?count=%s" % (h1, bad), 400,
                     "Header count is invalid or out of acceptable range (1-2000): %s" % bad)
        assert_equal(self.get("/rest/headers/%s.bin" % ("33" * 32)), b"")
        assert_equal(self.json("/rest/headers/%s.json" % ("33" * 32)), [])

        self.log.info("/rest/blockhashbyheight")
        assert_equal(self.get("/rest/blockhashbyheight/1.bin")[::-1].hex(), h1)
        assert_equal(self.get("/rest/blockhashbyheight/1.hex"), h1.encode() + b"\n")
        assert_equal(self.json("/rest/blockhashbyheight/1.json"), {"blockhash": h1})
        self.err("/rest/blockhashbyheight/%d.json" % (node.getblockcount() + 1), 404, "Block height out of range")
        self.err("/rest/blockhashbyheight/-1.json", 400, "Invalid height: -1")

        self.log.info("/rest/getutxos: chain, pool, bitmap, limit")
        conf = w.get_utxo(mark_as_spent=False, confirmed_only=True)
        spend = w.send_self_transfer(from_node=node, utxo_to_spend=conf)
        out = spend["new_utxo"]
        op_conf = "%s-%d" % (conf["txid"], conf["vout"])
        op_pool = "%s-%d" % (out["txid"], out["vout"])
        r = self.json("/rest/getutxos/%s/%s.json" % (op_conf, op_pool))
        assert_equal(r["bitmap"], "10")
        assert_equal(r["chainHeight"], node.getblockcount())
        assert_equal(r["chaintipHash"], node.getbestblockhash())
        assert_equal(round(r["utxos"][0]["value"] * 1e8), conf["value"])
        r = self.json("/rest/getutxos/checkmempool/%s/%s.json" % (op_conf, op_pool))
        assert_equal(r["bitmap"], "01")
        assert_equal(r["utxos"][0]["height"], 0x7fffffff)
        b = self.get("/rest/getutxos/checkmempool/%s/%s.bin" % (op_conf, op_pool))
        height, = struct.unpack("<i", b[:4])
        assert_equal(height, node.getblockcount())
        assert_equal(b[4:36][::-1].hex(), node.getbestblockhash())
        assert_equal(b[36:38], b"\x01\x02")   # one bitmap byte: second bit set
        assert_equal(b[38], 1)               # one coin
        self.err("/rest/getutxos/%s.json" % "/".join([op_conf] * 16), 400,
                 "Error: max outpoints exceeded (max: 15, tried: 16)")
        self.err("/rest/getutxos/x-1.json", 400, "Parse error")
        self.err("/rest/getutxos.json", 400, "Error: empty request")

        self.log.info("/rest/mempool: info and contents with mempool_sequence")
        assert_equal(self.json("/rest/mempool/info.json")["size"], node.getmempoolinfo()["size"])
        c = self.json("/rest/mempool/contents.json?verbose=false&mempool_sequence=true")
        assert_equal(c, node.getrawmempool(False, True))
        assert_equal(set(self.json("/rest/mempool/contents.json")), set(node.getrawmempool()))
        self.err("/rest/mempool/contents.json?mempool_sequence=true", 400,
                 "Verbose results cannot contain mempool sequence values. (hint: set \"verbose=false\")")

        self.log.info("/rest/deploymentinfo and /rest/blockfilter*")
        assert_equal(self.json("/rest/deploymentinfo.json"), node.getdeploymentinfo())
        assert_equal(self.json("/rest/deploymentinfo/%s.json" % h1), node.getdeploymentinfo(h1))
        self.err("/rest/deploymentinfo/%s.json" % ("44" * 32), 400, "Block not found")
        self.err("/rest/blockfilter/basic/%s.json" % h1, 400, "Index is not enabled for filtertype basic")
        self.err("/rest/blockfilterheaders/basic/%s.json" % h1, 400, "Index is not enabled for filtertype basic")

        self.log.info("-rpcallowip still holds for REST")
        self.restart_node(0, extra_args=["-rest=1", "-rpcallowip=10.0.0.0/8", "-rpcbind=127.0.0.1"])
        self.json("/rest/chaininfo.json")  # loopback is always allowed


if __name__ == "__main__":
    RestInterfaceTest(__file__).main()
