#!/usr/bin/env python3
"""A damaged chainstate/data.mdb stops bitrootd with a message, never a crash
or wrong answers (doc/store.md, "Opening, and what is refused").

- Cut short by 1%, by 10%, to its two meta pages, to 0 bytes: each start
  exits with status 1 and a message naming the file and what to do. Before
  the check LMDB mapped the short file and the first read past its end
  killed the node with SIGBUS and no message.
- One bit flipped in a coin of the tip block (found by its key in the file,
  so the flip is deterministic): with -checklevel=2 (no coin checks) the
  node starts and serves a wrong hash_serialized_3, which shows the flip
  landed in live data; with the defaults (-checkblocks=6 -checklevel=3, as
  Core) start-up verification refuses to start; -reindex-chainstate, which
  the message suggests, rebuilds the UTXO set and the right hash.
- Options: -checklevel outside 0-4 warns and is clamped; verifying every
  block (-checkblocks=0) at level 4 passes on an intact store.
"""

import os
import shutil
import struct

from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_not_equal

# The key of a coin in the coins database: txid (internal order), n big-endian.
COIN_KEY_LEN = 36
# LMDB leaf node header: data size (lo16, hi16), flags, key size.
NODE_HDR = 8


class StoreDamageTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def store_dir(self):
        return os.path.join(self.nodes[0].chaindir, "chainstate")

    def data_path(self):
        return os.path.join(self.store_dir(), "data.mdb")

    def restore(self):
        shutil.rmtree(self.store_dir())
        shutil.copytree(self.backup, self.store_dir())

    def run_test(self):
        node = self.nodes[0]
        self.generate(node, 120)
        tip = node.getbestblockhash()
        self.coinbase = node.getblock(tip)["tx"][0]
        assert node.gettxout(self.coinbase, 0) is not None
        self.hash = node.gettxoutsetinfo()["hash_serialized_3"]
        self.stop_node(0)
        self.backup = os.path.join(self.options.tmpdir, "chainstate.backup")
        shutil.copytree(self.store_dir(), self.backup)

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
                expected_msg=r"chainstate/data\.mdb (is damaged|is empty).*Restore the chainstate "
                             r"directory from a backup",
                match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)
            assert "SIGBUS" not in err
            # Refused without touching anything.
            assert_equal(os.path.getsize(self.data_path()), keep)
        self.log.info("the intact store starts and serves the same UTXO set")
        self.restore()
        self.start_node(0)
        assert_equal(self.nodes[0].gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)

    def flip_coin(self, txid, n):
        """Flips the low bit of the last script byte of every stored copy of
        the coin (txid, n): the live one and copies in free pages."""
        key = bytes.fromhex(txid)[::-1] + struct.pack(">I", n)
        with open(self.data_path(), "r+b") as f:
            data = bytearray(f.read())
            flips, pos = 0, data.find(key)
            while pos != -1:
                hdr = data[pos - NODE_HDR:pos]
                lo, hi, _flags, ksize = struct.unpack("<HHHH", hdr)
                dsize = lo | hi << 16
                if ksize == COIN_KEY_LEN and 2 < dsize < 100:
                    data[pos + COIN_KEY_LEN + dsize - 1] ^= 1
                    flips += 1
                pos = data.find(key, pos + 1)
            f.seek(0)
            f.write(data)
        return flips

    def bit_flip(self):
        self.log.info("one bit flipped in the tip's coinbase coin")
        self.restore()
        assert self.flip_coin(self.coinbase, 0) >= 1
        damaged = os.path.join(self.options.tmpdir, "chainstate.flipped")
        shutil.copytree(self.store_dir(), damaged)

        self.log.info("-checklevel=2 does not look at coins: a wrong hash is served")
        self.start_node(0, ["-checklevel=2"])
        assert_not_equal(self.nodes[0].gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)

        self.log.info("default start-up verification (6 blocks, level 3) refuses")
        shutil.rmtree(self.store_dir())
        shutil.copytree(damaged, self.store_dir())
        self.nodes[0].assert_start_raises_init_error(
            expected_msg=r"Corrupted block database detected in .*chainstate: coin database "
                         r"inconsistencies found at height 120 .*-reindex-chainstate",
            match=ErrorMatch.PARTIAL_REGEX, expected_ret_code=1)

        self.log.info("-reindex-chainstate, as the message says, recovers")
        self.start_node(0, ["-reindex-chainstate"])
        self.wait_until(lambda: self.nodes[0].getblockcount() == 120, timeout=120)
        assert_equal(self.nodes[0].gettxoutsetinfo()["hash_serialized_3"], self.hash)
        self.stop_node(0)

    def options_checks(self):
        self.restore()
        self.log.info("-checkblocks=0 -checklevel=4: every block, intact store")
        node = self.nodes[0]
        with node.assert_debug_log(["Verifying last 120 blocks at level 4",
                                    "No coin database inconsistencies in last 120 blocks"]):
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
