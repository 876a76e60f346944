#!/usr/bin/env python3
"""Blocks and undo data in Core-framed block files (doc/store.md, "Block files").

- The shared chain imported with -fastprune (64 KiB files): blocks/ holds
  many blkNNNNN.dat and revNNNNN.dat files, none past 64 KiB, and a restart
  keeps every block (getblock answers at every tenth height, the UTXO hash is
  the reference's).
- Bitcoin Core 28.1 reads our blk files with its own -loadblock and ends on
  the same tip and hash_serialized_3.
- Damage: a flipped bit in a stored header, a missing blk file: getblock
  answers Core's "Block not found on disk" (never the damaged bytes), the
  log names the file and offset; a truncated file under the tip stops
  start-up verification with Core's "Corrupted block database detected".
- -blocksdir as Core: a missing directory is refused with Core's message;
  the files moved to <blocksdir>/regtest/blocks are found there.
- kill -9 during a -fastprune import, then a restart and the import again:
  the reference tip and hash_serialized_3.
"""

import glob
import json
import os
import shutil
import time

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_greater_than

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
FAST = 0x10000


class BlockFilesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["bitrootd", "core"]
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(2, [[], [MAXTIPAGE]], binaries=self.node_impls)

    def blocks_dir(self):
        return os.path.join(self.nodes[0].chaindir, "blocks")

    def files(self, kind):
        return sorted(glob.glob(os.path.join(self.blocks_dir(), kind + "*.dat")))

    def check_tip(self, node):
        assert_equal(node.getblockcount(), self.expect["height"])
        assert_equal(node.getbestblockhash(), self.expect["bestblockhash"])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.expect["hash_serialized_3"])

    def run_test(self):
        self.dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            self.expect = json.load(f)
        self.height = self.expect["height"]
        self.import_and_restart()
        self.core_reads_our_files()
        self.damage()
        self.blocksdir()
        self.kill_during_import()

    def import_and_restart(self):
        node = self.nodes[0]
        self.log.info("import with -fastprune: many small block files")
        self.start_node(0, ["-fastprune", "-loadblock=" + self.dat, "-stopatheight=%d" % self.height])
        node.wait_until_stopped(timeout=600)
        blk, rev = self.files("blk"), self.files("rev")
        assert_greater_than(len(blk), 20)
        assert_greater_than(len(rev), 20)
        for path in blk:
            with open(path, "rb") as f:
                head = f.read(8)
            assert_equal(head[:4], bytes.fromhex("fabfb5da"))
            # A file is closed before a block would take it past 64 KiB,
            # unless the block alone is larger.
            assert os.path.getsize(path) <= FAST or \
                os.path.getsize(path) == 8 + int.from_bytes(head[4:], "little"), path
        self.log.info("restart: every block is still there")
        self.start_node(0)
        self.check_tip(node)
        self.raw = {}
        for h in sorted(set(range(0, self.height + 1, 10)) | {self.height}):
            bh = node.getblockhash(h)
            raw = node.getblock(bh, 0)
            assert_equal(node.getblock(bh)["height"], h)
            self.raw[h] = (bh, raw)
        self.stop_node(0)

    def core_reads_our_files(self):
        self.log.info("Core 28.1 imports our blk files with its -loadblock")
        core = self.nodes[1]
        self.start_node(1, [MAXTIPAGE] + ["-loadblock=" + p for p in self.files("blk")])
        self.wait_until(lambda: core.getblockcount() == self.height, timeout=600)
        self.check_tip(core)
        self.stop_node(1)

    def find_record(self, height):
        """The blk file holding the block at height, and its offset there."""
        raw = bytes.fromhex(self.raw[height][1])
        for path in self.files("blk"):
            with open(path, "rb") as f:
                data = f.read()
            pos = data.find(raw)
            if pos != -1:
                return path, pos
        raise AssertionError("block %d not found in the block files" % height)

    def flip(self, path, pos):
        with open(path, "r+b") as f:
            f.seek(pos)
            b = f.read(1)
            f.seek(pos)
            f.write(bytes([b[0] ^ 0x10]))

    def assert_not_on_disk(self, node, bh):
        try:
            node.getblock(bh, 0)
            raise AssertionError("served a damaged block")
        except JSONRPCException as e:
            assert_equal(e.error["message"], "Block not found on disk")

    def damage(self):
        node = self.nodes[0]
        h = 500
        bh = self.raw[h][0]
        path, pos = self.find_record(h)
        name = os.path.basename(path)

        self.log.info("a flipped bit in a stored header: refused, with the file and offset")
        self.flip(path, pos + 76)  # the nonce: the block hashes differently
        self.start_node(0)
        with node.assert_debug_log(["%s is damaged: the record at offset %d holds a block hashing to" %
                                    (name, pos - 8)]):
            self.assert_not_on_disk(node, bh)
        # The chain around it is served as before.
        assert_equal(node.getblock(self.raw[h - 10][0], 0), self.raw[h - 10][1])
        self.stop_node(0)
        self.flip(path, pos + 76)

        self.log.info("a missing blk file: refused, naming it")
        moved = path + ".away"
        os.rename(path, moved)
        self.start_node(0)
        with node.assert_debug_log(["%s (record at offset %d): the file is missing" % (name, pos - 8)]):
            self.assert_not_on_disk(node, bh)
        self.stop_node(0)
        os.rename(moved, path)

        self.log.info("a truncated blk file under the tip: start-up verification stops")
        tip_path, tip_pos = self.find_record(self.height)
        keep = os.path.join(self.options.tmpdir, "tipfile")
        shutil.copyfile(tip_path, keep)
        os.truncate(tip_path, tip_pos + 100)
        node.assert_start_raises_init_error(
            expected_msg=r"Error: Corrupted block database detected .*ReadBlock failed at height %d" % self.height,
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)
        with open(os.path.join(node.chaindir, "debug.log"), encoding="utf8") as f:
            assert "%s is truncated" % os.path.basename(tip_path) in f.read()
        shutil.copyfile(keep, tip_path)
        self.start_node(0)
        self.check_tip(node)
        self.stop_node(0)

    def blocksdir(self):
        node = self.nodes[0]
        self.log.info("-blocksdir: a missing directory is refused as Core refuses it")
        bd = os.path.join(self.options.tmpdir, "bd")
        node.assert_start_raises_init_error(
            ["-blocksdir=" + bd],
            expected_msg='Error: Specified blocks directory "%s" does not exist.' % bd,
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)
        self.log.info("-blocksdir: the files under <blocksdir>/regtest/blocks")
        os.makedirs(os.path.join(bd, "regtest"))
        shutil.move(self.blocks_dir(), os.path.join(bd, "regtest", "blocks"))
        self.start_node(0, ["-blocksdir=" + bd])
        self.check_tip(node)
        assert_equal(node.getblock(self.raw[10][0], 0), self.raw[10][1])
        self.stop_node(0)
        assert not os.path.exists(self.blocks_dir())
        shutil.move(os.path.join(bd, "regtest", "blocks"), self.blocks_dir())

    def kill_during_import(self):
        node = self.nodes[0]
        self.log.info("kill -9 during a -fastprune import, then restart")
        shutil.rmtree(self.blocks_dir())
        shutil.rmtree(os.path.join(node.chaindir, "chainstate"))
        node.start(["-fastprune", "-loadblock=" + self.dat])
        node.wait_for_rpc_connection()
        self.wait_until(lambda: node.getblockcount() >= 300, timeout=600)
        time.sleep(0.2)
        node.kill_process()
        self.start_node(0, ["-fastprune", "-loadblock=" + self.dat])
        self.wait_until(lambda: node.getblockcount() == self.height, timeout=600)
        self.check_tip(node)
        for h in (1, 299, 300, 301, self.height):
            if h in self.raw:
                assert_equal(node.getblock(self.raw[h][0], 0), self.raw[h][1])
        assert_equal(node.verifychain(4, 0), True)
        self.stop_node(0)


if __name__ == "__main__":
    BlockFilesTest(__file__).main()
