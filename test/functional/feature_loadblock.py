#!/usr/bin/env python3
"""-loadblock of the shared regtest chain (../shared/chains/regtest-dev.dat).

- node0 imports the file; tip, height, chainwork, transaction count and
  gettxoutsetinfo's hash_serialized_3 equal what Bitcoin Core reported
  (regtest-dev.json); every block hash matches the file.
- The chain survives a restart without -loadblock; importing the same file
  again changes nothing.
- node1 imports the chain split over two files, the first starting after
  genesis, with junk between records and blocks out of order (held until
  their parent arrives).
- node2 imports a copy whose last record is cut short: it stops one block
  before the tip and keeps running.
"""

import json
import os
import struct
import time

from test_framework.blocktools import bootstrap_records
from test_framework.messages import MAGIC_REGTEST, hash256, hash_to_hex
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until


def record(raw):
    return MAGIC_REGTEST + struct.pack("<I", len(raw)) + raw


class LoadBlockTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_network(self):
        self.add_nodes(self.num_nodes)   # each starts with its own -loadblock below

    def wait_for_height(self, node, height, timeout=600):
        wait_until(lambda: node.getblockcount() >= height, timeout=timeout,
                   timeout_factor=self.options.timeout_factor, check_interval=0.2)
        # Let the rest of the import (if any) be processed before comparing.
        node.syncwithvalidationinterfacequeue()

    def check_chain(self, node, expect, hashes):
        assert_equal(node.getblockcount(), expect["height"])
        assert_equal(node.getbestblockhash(), expect["bestblockhash"])
        info = node.getblockchaininfo()
        assert_equal(info["blocks"], expect["height"])
        assert_equal(info["headers"], expect["height"])
        assert_equal(info["bestblockhash"], expect["bestblockhash"])
        assert_equal(info["chainwork"], expect["chainwork"])
        stats = node.getchaintxstats()
        assert_equal(stats["txcount"], expect["txcount"])
        assert_equal(stats["window_final_block_hash"], expect["bestblockhash"])
        assert_equal(stats["window_final_block_height"], expect["height"])
        utxo = node.gettxoutsetinfo()
        assert_equal(utxo["height"], expect["height"])
        assert_equal(utxo["bestblock"], expect["bestblockhash"])
        assert_equal(utxo["hash_serialized_3"], expect["hash_serialized_3"])
        for h in (0, 1, 16, 17, 149, 150, 500, expect["height"] - 1, expect["height"]):
            assert_equal(node.getblockhash(h), hashes[h])
        return utxo

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        raws = list(bootstrap_records(dat))
        hashes = [hash_to_hex(hash256(r[:80])) for r in raws]
        assert_equal(len(raws), expect["height"] + 1)
        assert_equal(hashes[-1], expect["bestblockhash"])

        self.log.info("node0 imports %s (%d blocks)", os.path.basename(dat), len(raws))
        n0 = self.nodes[0]
        t0 = time.monotonic()
        self.start_node(0, extra_args=["-loadblock=" + dat])
        self.wait_for_height(n0, expect["height"])
        self.log.info("imported in %.1fs (Bitcoin Core: %ss on the reference machine)",
                      time.monotonic() - t0, expect.get("core_import_seconds"))
        utxo = self.check_chain(n0, expect, hashes)
        assert 0 < utxo["transactions"] <= utxo["txouts"], utxo

        self.log.info("The chain survives a restart; a second import changes nothing")
        self.restart_node(0, extra_args=[])
        self.check_chain(n0, expect, hashes)
        self.restart_node(0, extra_args=["-loadblock=" + dat])
        time.sleep(2)
        n0.syncwithvalidationinterfacequeue()
        self.check_chain(n0, expect, hashes)

        self.log.info("node1: two files, no genesis, junk between records, blocks out of order")
        part1 = bytearray()
        order = list(range(1, 551))
        # Swap some neighbours so children arrive before their parents.
        for i in range(10, 540, 50):
            order[i], order[i + 1] = order[i + 1], order[i]
        order[200:205] = reversed(order[200:205])
        for k, h in enumerate(order):
            if k % 97 == 0:
                part1 += b"\x00junk between records\xff" * 3
            part1 += record(raws[h])
        part2 = b"".join(record(r) for r in raws[551:])
        f1 = os.path.join(self.tmpdir, "part1.dat")
        f2 = os.path.join(self.tmpdir, "part2.dat")
        with open(f1, "wb") as f:
            f.write(part1)
        with open(f2, "wb") as f:
            f.write(part2)
        n1 = self.nodes[1]
        self.start_node(1, extra_args=["-loadblock=" + f1, "-loadblock=" + f2])
        self.wait_for_height(n1, expect["height"])
        self.check_chain(n1, expect, hashes)

        self.log.info("node2: a file whose last record is cut short")
        cut = b"".join(record(r) for r in raws)
        cut = cut[:len(cut) - len(raws[-1]) // 2]
        f3 = os.path.join(self.tmpdir, "truncated.dat")
        with open(f3, "wb") as f:
            f.write(cut)
        n2 = self.nodes[2]
        self.start_node(2, extra_args=["-loadblock=" + f3])
        self.wait_for_height(n2, expect["height"] - 1)
        time.sleep(2)
        assert_equal(n2.getblockcount(), expect["height"] - 1)
        assert_equal(n2.getbestblockhash(), hashes[-2])
        # Still running and answering.
        assert_equal(n2.getblockhash(expect["height"] - 1), hashes[-2])


if __name__ == "__main__":
    LoadBlockTest(__file__).main()
