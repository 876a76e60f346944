#!/usr/bin/env python3
"""A damaged chainstate/data.mdb stops bitrootd with a message, never a crash
or wrong answers (doc/store.md, "Opening, and what is refused").

- Cut short by 1%, by 10%, to its two meta pages, to 0 bytes: each start
  exits with status 1 and a message naming the file and what to do. Before
  the check LMDB mapped the short file and the first read past its end
  killed the node with SIGBUS and no message.
- One bit flipped in a coin of the tip block (found by its key in the file,
  so the flip is deterministic). Before, the node served a wrong
  hash_serialized_3. Now each coin value carries a checksum: with
  -checklevel=2 (no coin reads at start-up) the node starts, and
  gettxoutsetinfo stops it with a message instead of answering; with the
  defaults (-checkblocks=6 -checklevel=3, as Core) start-up verification
  reads the coin and refuses; -reindex-chainstate, which the message
  suggests, rebuilds the UTXO set and the right hash.
- One bit flipped in the tip block's stored bytes (in blocks/blk00000.dat;
  the header, whose hash reads check, is intact): start-up verification finds the bad merkle root and refuses
  with Core's "Corrupted block database detected".
- Cut short while the node runs (the open-time check cannot see it): the
  next read of a lost page raises SIGBUS; the node says so on stderr before
  it dies of it.
- Options: -checklevel outside 0-4 warns and is clamped; verifying every
  block (-checkblocks=0) at level 4 passes on an intact store.
"""

import http.client
import json
import os
import re
import shutil
import signal
import struct

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_not_equal

# The key of a coin in the coins database: txid (internal order), n big-endian.
COIN_KEY_LEN = 36
# LMDB leaf node header: data size (lo16, hi16), flags, key size.
NODE_HDR = 8
# A coin value ends with a CRC-32C of key and value (store format 3).
SUM_LEN = 4


class StoreDamageTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def store_dir(self):
        return os.path.join(self.nodes[0].chaindir, "chainstate")

    def data_path(self):
        return os.path.join(self.store_dir(), "data.mdb")

    def blocks_dir(self):
        return os.path.join(self.nodes[0].chaindir, "blocks")

    def restore(self):
        shutil.rmtree(self.store_dir())
        shutil.copytree(self.backup, self.store_dir())
        shutil.rmtree(self.blocks_dir())
        shutil.copytree(self.backup + ".blocks", self.blocks_dir())

    def setup_network(self):
        self.add_nodes(1)

    def run_test(self):
        node = self.nodes[0]
        # The shared chain (1,100 blocks, a 12.8 MB store): 1% of it is
        # 31 pages, so the cuts reach pages in use. (Cutting off only free
        # pages at the end is no damage: LMDB leaves those unwritten at
        # times, and such a store opens; test_store checks that case.)
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        self.height = expect["height"]
        self.start_node(0, ["-loadblock=" + dat, "-stopatheight=%d" % self.height])
        node.wait_until_stopped(timeout=600)
        self.start_node(0)
        assert_equal(node.getblockcount(), self.height)
        tip = node.getbestblockhash()
        self.coinbase = node.getblock(tip)["tx"][0]
        self.tip_raw = node.getblock(tip, 0)
        assert node.gettxout(self.coinbase, 0) is not None
        self.hash = node.gettxoutsetinfo()["hash_serialized_3"]
        assert_equal(self.hash, expect["hash_serialized_3"])
        self.stop_node(0)
        self.backup = os.path.join(self.options.tmpdir, "chainstate.backup")
        shutil.copytree(self.store_dir(), self.backup)
        shutil.copytree(self.blocks_dir(), self.backup + ".blocks")

        self.truncations()
        self.bit_flip()
        self.options_checks()

    def truncations(self):
        size = os.path.getsize(self.data_path())
        with open(self.data_path(), "rb") as f:
            page0 = f.read(64)
        # mm_psize: md_pad of the first MDB_db, after the 16-byte page
        # header, magic, version, mm_address and mm_mapsize (64-bit).
        psize = struct.unpack_from("<I", page0, 16 + 8 + 16)[0]
        assert_equal(psize & (psize - 1), 0)
        assert size > 4 * psize
        cuts = [("1%", size * 99 // 100), ("10%", size * 90 // 100),
                ("to the meta pages", 2 * psize), ("to 0 bytes", 0)]
        for what, keep in cuts:
            self.log.info("data.mdb cut short %s (%d of %d bytes): refused", what, keep, size)
            self.restore()
            os.truncate(self.data_path(), keep)
            err = self.nodes[0].assert_start_raises_init_error(
                expected_msg=r"chainstate/data\.mdb (is damaged|is empty).*Restart with -reindex to "
                             r"rebuild it from the block files, or restore the chainstate directory "
                             r"from a backup",
                match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)
            assert "SIGBUS" not in err
            # Refused without touching anything.
            assert_equal(os.path.getsize(self.data_path()), keep)
        self.log.info("the advice holds: -reindex rebuilds the store from the block files")
        self.start_node(0, ["-reindex"])
        node = self.nodes[0]
        self.wait_until(lambda: node.getblockcount() == self.height, timeout=600)
        node.syncwithvalidationinterfacequeue()
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)
        self.log.info("cut short while running: SIGBUS, with a message first")
        self.restore()
        node = self.nodes[0]
        self.start_node(0)
        os.truncate(self.data_path(), 2 * psize)
        try:
            res = node.gettxoutsetinfo()
            raise AssertionError("served from a truncated store: %r" % res)
        except (OSError, http.client.HTTPException, JSONRPCException):
            pass
        node.process.wait(timeout=60)
        stderr = node.read_stderr().strip()
        assert re.search(r"Error: SIGBUS: a read from .*chainstate/data\.mdb failed: the file shrank", stderr), stderr
        node.wait_until_stopped(expected_stderr=stderr, expected_ret_code=-signal.SIGBUS)

        self.log.info("the intact store starts and serves the same UTXO set")
        self.restore()
        self.start_node(0)
        assert_equal(self.nodes[0].gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)

    def flip_value_bytes(self, needle, offset_from_end, path=None):
        """Flips the low bit of one byte of every stored copy of needle (the
        live one and old copies in free pages), offset_from_end bytes before
        its end, in data.mdb or path."""
        with open(path or self.data_path(), "r+b") as f:
            data = bytearray(f.read())
            flips, pos = 0, data.find(needle)
            while pos != -1:
                data[pos + len(needle) - 1 - offset_from_end] ^= 1
                flips += 1
                pos = data.find(needle, pos + 1)
            f.seek(0)
            f.write(data)
        return flips

    def flip_coin(self, txid, n):
        """Flips a bit in the last script byte of every stored copy of the
        coin (txid, n), found by its key: the value follows it, and ends
        with the 4-byte checksum."""
        key = bytes.fromhex(txid)[::-1] + struct.pack(">I", n)
        with open(self.data_path(), "rb") as f:
            data = f.read()
        records, pos = [], data.find(key)
        while pos != -1:
            lo, hi, _flags, ksize = struct.unpack_from("<HHHH", data, pos - NODE_HDR)
            dsize = lo | hi << 16
            if ksize == COIN_KEY_LEN and SUM_LEN + 2 < dsize < 100:
                records.append(data[pos:pos + COIN_KEY_LEN + dsize])
            pos = data.find(key, pos + 1)
        flips = 0
        for rec in set(records):
            flips += self.flip_value_bytes(rec, SUM_LEN)
        return flips

    def expect_checksum_stop(self, node):
        node.process.wait(timeout=60)
        stderr = node.read_stderr().strip()
        assert re.search(r"chainstate/data\.mdb is damaged: the coin with key [0-9a-f]{72} fails its "
                         r"checksum .*-reindex-chainstate", stderr), stderr
        node.wait_until_stopped(expected_stderr=stderr, expected_ret_code=1)

    def bit_flip(self):
        node = self.nodes[0]
        self.log.info("one bit flipped in the script of the tip's coinbase coin")
        self.restore()
        assert self.flip_coin(self.coinbase, 0) >= 1
        damaged = os.path.join(self.options.tmpdir, "chainstate.flipped")
        shutil.copytree(self.store_dir(), damaged)

        self.log.info("-checklevel=2 does not read coins; gettxoutsetinfo stops the node, no wrong hash")
        self.start_node(0, ["-checklevel=2"])
        try:
            res = node.gettxoutsetinfo()
            raise AssertionError("served a UTXO set hash from a damaged store: %r" % res)
        except (OSError, http.client.HTTPException, JSONRPCException):
            pass
        self.expect_checksum_stop(node)

        self.log.info("default start-up verification (6 blocks, level 3) reads the coin: refused")
        shutil.rmtree(self.store_dir())
        shutil.copytree(damaged, self.store_dir())
        node.assert_start_raises_init_error(
            expected_msg=r"the coin with key [0-9a-f]{72} fails its checksum",
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)

        self.log.info("-reindex-chainstate, as the message says, recovers")
        self.start_node(0, ["-reindex-chainstate"])
        self.wait_until(lambda: node.getblockcount() == self.height, timeout=600)
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)

        self.log.info("one bit flipped in the tip block's stored bytes: start-up verification refuses")
        self.restore()
        # The block is in the block files (blocks/blk00000.dat), not data.mdb.
        blk = os.path.join(self.blocks_dir(), "blk00000.dat")
        assert_equal(self.flip_value_bytes(bytes.fromhex(self.tip_raw), 0, blk), 1)
        node.assert_start_raises_init_error(
            expected_msg=r"Error: Corrupted block database detected in .*chainstate: found bad block at "
                         r"height %d \(block [0-9a-f]{64}\): bad-txnmrklroot.*-reindex-chainstate" % self.height,
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)

    def options_checks(self):
        self.restore()
        self.log.info("-checkblocks=0 -checklevel=4: every block, intact store")
        node = self.nodes[0]
        with node.assert_debug_log(["Verifying last %d blocks at level 4" % self.height,
                                    "No coin database inconsistencies in last %d blocks" % self.height],
                                   timeout=300):
            self.start_node(0, ["-checkblocks=0", "-checklevel=4"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)
        self.log.info("-checklevel=7: a warning, then level 4")
        with node.assert_debug_log(["-checklevel=7 is outside 0-4; using 4",
                                    "Verifying last 6 blocks at level 4"]):
            self.start_node(0, ["-checklevel=7"])
        self.stop_node(0)


if __name__ == "__main__":
    StoreDamageTest(__file__).main()
