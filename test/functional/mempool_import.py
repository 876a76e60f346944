#!/usr/bin/env python3
"""importmempool: a mempool.dat from elsewhere joins the mempool, as in Core 28.

Three nodes on one chain, not relaying to each other (no connections after
the chain is shared): Core (node 0) and two bitrootd (nodes 1 and 2).

- A file written by bitrootd's savemempool imports into the other bitrootd
  and into Core, and Core's file imports into bitrootd: the same
  transactions end up in the importer's mempool (the format is Core's).
- Options: use_current_time (default true) decides the entry times;
  apply_fee_delta_priority (default false) takes the file's
  prioritisetransaction deltas; unknown keys are ignored, a non-boolean
  option is Core's type error.
- Errors as Core's: during initial block download, a file that does not
  read, a wrong parameter type.
"""

import os
import shutil
import time

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet


class MempoolImportTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.node_impls = ["core", "bitrootd", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()

    def error(self, node, *args):
        try:
            node.importmempool(*args)
        except Exception as e:   # the RPC error
            return (e.error["code"], e.error["message"])
        raise AssertionError("importmempool %r did not fail on %s" % (args, node.name))

    def run_test(self):
        core, br, br2 = self.nodes
        tmp = os.path.join(self.options.tmpdir, "files")
        os.makedirs(tmp)

        self.log.info("during initial block download: refused as Core")
        for n in self.nodes:
            assert_equal(self.error(n, "/nonexistent"), (-10, "Can only import the mempool after the block "
                                                         "download and sync is done."))

        wallet = MiniWallet(br)
        wallet.generate(101)
        self.connect_nodes(0, 1)
        self.connect_nodes(2, 1)
        self.sync_blocks()
        self.disconnect_nodes(0, 1)
        self.disconnect_nodes(2, 1)

        self.log.info("bad input: a missing file, a wrong option type, a wrong argument type")
        for n in self.nodes:
            assert_equal(self.error(n, os.path.join(tmp, "nope.dat")),
                         (-1, "Unable to import mempool file, see debug.log for details."))
            assert_equal(self.error(n, os.path.join(tmp, "nope.dat"), {"use_current_time": "x"}),
                         (-3, "JSON value of type string is not of expected type bool"))
            code, _ = self.error(n, os.path.join(tmp, "nope.dat"), 5)
            assert_equal(code, -3)
        garbage = os.path.join(tmp, "garbage.dat")
        with open(garbage, "wb") as f:
            f.write(b"\x02\x00\x00\x00\x00\x00\x00\x00\x08" + os.urandom(40))
        for n in self.nodes:
            assert_equal(self.error(n, garbage)[0], -1)

        self.log.info("bitrootd's file imports into bitrootd and Core")
        txs = [wallet.send_self_transfer(from_node=br) for _ in range(3)]
        txids = sorted(t["txid"] for t in txs)
        br.prioritisetransaction(txs[0]["txid"], 0, 5000)
        entry_time = br.getmempoolentry(txs[1]["txid"])["time"]
        path = br.savemempool()["filename"]
        ours = os.path.join(tmp, "bitrootd.dat")
        shutil.copy(path, ours)
        assert_equal(sorted(br2.getrawmempool()), [])
        time.sleep(1)   # entry times: the file's differ from now
        assert_equal(br2.importmempool(ours, {"use_current_time": False, "bogus": 1}), {})
        assert_equal(sorted(br2.getrawmempool()), txids)
        assert_equal(br2.getmempoolentry(txs[1]["txid"])["time"], entry_time)
        # No deltas by default: the prioritised transaction has its own fee.
        e = br2.getmempoolentry(txs[0]["txid"])
        assert_equal(e["fees"]["modified"], e["fees"]["base"])
        assert_equal(core.importmempool(ours), {})
        assert_equal(sorted(core.getrawmempool()), txids)

        self.log.info("apply_fee_delta_priority takes the file's deltas")
        self.restart_node(2, extra_args=["-persistmempool=0"])
        assert_equal(br2.getrawmempool(), [])
        assert_equal(br2.importmempool(ours, {"apply_fee_delta_priority": True}), {})
        e = br2.getmempoolentry(txs[0]["txid"])
        assert_equal(round((e["fees"]["modified"] - e["fees"]["base"]) * 100000000), 5000)
        # use_current_time (default): the entry time is the import's
        assert br2.getmempoolentry(txs[1]["txid"])["time"] > entry_time

        self.log.info("Core's file imports into bitrootd")
        core_txs = [wallet.send_self_transfer(from_node=core) for _ in range(2)]
        core_path = os.path.join(tmp, "core.dat")
        shutil.copy(core.savemempool()["filename"], core_path)
        self.restart_node(2, extra_args=["-persistmempool=0"])
        assert_equal(br2.importmempool(core_path), {})
        assert_equal(sorted(br2.getrawmempool()), sorted(txids + [t["txid"] for t in core_txs]))
        # a second import finds them all there: nothing changes
        assert_equal(br2.importmempool(core_path), {})
        assert_equal(len(br2.getrawmempool()), 5)


if __name__ == "__main__":
    MempoolImportTest(__file__).main()
