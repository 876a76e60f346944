#!/usr/bin/env python3
"""assumeutxo on bitrootd: loadtxoutset, background validation, getchainstates, restarts.

node0 imports the dev chain and writes a snapshot at SNAP (invalidateblock,
dumptxoutset, reconsiderblock), which -testsnapshot makes loadable on the
other nodes (the dev chain's heights are not in regtest's assumeutxo table).

- Refusals, each leaving nothing behind (the next load works): a header not
  known, bad magic, version, network, truncated metadata, a block not in
  the table, the coin count off by one either way, a truncated coin, a
  duplicate coin, a coin above the base height, an amount out of range,
  bytes after the last coin, a content hash that differs, a non-empty
  mempool, a chain with more work than the snapshot, a forked header chain.
- node1 loads it with the headers only: it follows the snapshot at SNAP,
  getchainstates shows both chainstates, the UTXO set dumps to the same
  bytes, NODE_NETWORK is off, a second load is refused; it survives
  restarts before and during background validation (which resumes where it
  was; blocks stored ahead of it are connected in one sync batch, and after
  kill -9 it resumes from its last commit), refuses to start without the -testsnapshot entry as Core does
  without its table entry; connected to node0 it reaches the tip while the
  background chainstate validates up to SNAP, which then drops out.
- node3 has mined a short chain of its own (less work than the snapshot,
  not its ancestor): after the load its background chainstate first
  disconnects that chain with its undo data, then validates the snapshot's
  history.
- node2 loads a snapshot whose content was changed and whose changed hash
  -testsnapshot vouches for: background validation disagrees at SNAP, the
  node stops with an error and, restarted, follows the validated chain
  without the snapshot.
"""

import json
import os
import re

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import COINBASE_MATURITY, create_chain
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import MiniWallet

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
SNAP = 500
META = 5 + 2 + 4 + 32 + 8
BATCH = re.compile(r"sync batch: (\d+) blocks")


def rpc_error(fn, *args):
    try:
        fn(*args)
    except JSONRPCException as e:
        return e.error["code"], e.error["message"]
    raise AssertionError("no error")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def read_compact(data, off):
    b = data[off]
    if b < 0xfd:
        return b, off + 1
    size = {0xfd: 2, 0xfe: 4, 0xff: 8}[b]
    return int.from_bytes(data[off + 1:off + 1 + size], "little"), off + 1 + size


def read_varint(data, off):
    n = 0
    while True:
        b = data[off]
        off += 1
        n = (n << 7) | (b & 0x7f)
        if b & 0x80:
            n += 1
        else:
            return n, off


def varint(n):
    out = [n & 0x7f]
    while n > 0x7f:
        n = (n >> 7) - 1
        out.append((n & 0x7f) | 0x80)
    return bytes(reversed(out))


def coins_start(data):
    """Offset of the first coin record (after the first txid and its count)."""
    return META + 32 + len(compact(read_compact(data, META + 32)[0]))


def skip_coin(data, off):
    """Offset after the coin (vout, code, amount, script) at off."""
    _, off = read_compact(data, off)
    _, off = read_varint(data, off)
    _, off = read_varint(data, off)
    size, off = read_varint(data, off)
    if size < 6:
        return off + (20 if size < 2 else 32)
    return off + size - 6


class AssumeutxoTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, [[MAXTIPAGE]] * self.num_nodes)

    def load_error(self, node, path):
        """loadtxoutset's error; afterwards the node is as it was."""
        before = node.getchainstates()
        code, msg = rpc_error(node.loadtxoutset, path)
        assert_equal(node.getchainstates(), before)
        return code, msg

    def expect_load_error(self, node, data, want, code=-32603, name="bad.dat"):
        path = os.path.join(node.chaindir, name)
        write(path, data)
        got = self.load_error(node, path)
        if code == -32603:
            want = "Unable to load UTXO snapshot: %s. (%s)" % (want, path)
        assert_equal(got, (code, want))

    def feed_headers(self, node, upto):
        src = self.nodes[0]
        for h in range(1, upto + 1):
            node.submitheader(src.getblockheader(src.getblockhash(h), False))

    def run_test(self):
        dat = self.require_shared("chains", "regtest-dev.dat")
        with open(self.require_shared("chains", "regtest-dev.json"), encoding="utf8") as f:
            expect = json.load(f)
        n0, n1, n2, _ = self.nodes
        self.start_node(0, extra_args=[MAXTIPAGE, "-loadblock=" + dat])
        self.wait_until(lambda: n0.getblockcount() == expect["height"], timeout=240)

        self.log.info("node0 writes a snapshot at height %d", SNAP)
        after = n0.getblockhash(SNAP + 1)
        n0.invalidateblock(after)
        dump = n0.dumptxoutset("snap.dat")
        n0.reconsiderblock(after)
        self.wait_until(lambda: n0.getblockcount() == expect["height"])
        assert_equal(dump["base_height"], SNAP)
        snap = read(dump["path"])
        base = dump["base_hash"]
        self.snap_hash = dump["txoutset_hash"]
        spec = "-testsnapshot=%d:%s:%s:%d" % (SNAP, base, dump["txoutset_hash"], dump["nchaintx"])
        args1 = [MAXTIPAGE, spec]

        self.log.info("refusals before anything is loaded")
        self.start_node(1, extra_args=args1)
        path1 = os.path.join(n1.chaindir, "snap.dat")
        write(path1, snap)
        assert_equal(n1.getchainstates(), {"headers": 0, "chainstates": [{
            "blocks": 0, "bestblockhash": n1.getblockhash(0), "difficulty": n1.getdifficulty(),
            "verificationprogress": n1.getchainstates()["chainstates"][0]["verificationprogress"],
            "coins_db_cache_bytes": 8388608, "coins_tip_cache_bytes": 461373440, "validated": True}]})
        assert_equal(self.load_error(n1, path1), (-32603, (
            "Unable to load UTXO snapshot: The base block header (%s) must appear in the headers chain. "
            "Make sure all headers are syncing, and call loadtxoutset again. (%s)") % (base, path1)))
        self.feed_headers(n1, expect["height"])
        assert_equal(n1.getblockchaininfo()["headers"], expect["height"])
        self.check_bad_files(n1, snap, base)

        self.log.info("a chain with more work than the snapshot's: refused (node0)")
        self.restart_node(0, extra_args=args1)
        path0 = dump["path"]
        assert_equal(self.load_error(n0, path0), (-32603, "Unable to load UTXO snapshot: Population failed: Work "
                                                  "does not exceed active chainstate. (%s)" % path0))

        self.log.info("node1 loads the snapshot with the headers only")
        res = n1.loadtxoutset(path1)
        assert_equal(res, {"coins_loaded": dump["coins_written"], "tip_hash": base, "base_height": SNAP,
                           "path": path1})
        self.check_loaded(n1, dump, bg_height=0)
        assert_equal(self.load_error(n1, path1), (-32603, "Unable to load UTXO snapshot: Can't activate a "
                                                  "snapshot-based chainstate more than once. (%s)" % path1))
        # The loaded UTXO set is the snapshot: the same file again.
        redump = n1.dumptxoutset("redump.dat")
        assert_equal(read(redump["path"]), snap)
        assert_equal({k: v for k, v in redump.items() if k != "path"},
                     {k: v for k, v in dump.items() if k != "path"})

        self.log.info("restart: the snapshot chainstate and the background one come back")
        self.restart_node(1, extra_args=args1)
        self.check_loaded(n1, dump, bg_height=0)
        self.log.info("restart without the table entry: refused as Core refuses")
        self.stop_node(1)
        n1.assert_start_raises_init_error(
            [MAXTIPAGE], "Error: A fatal internal error occurred, see debug.log for details: Assumeutxo data "
            "not found for the given blockhash '%s'." % base)

        self.log.info("background validation goes on after a restart in the middle")
        self.start_node(1, extra_args=args1)
        for h in range(1, 251):
            n1.submitblock(n0.getblock(n0.getblockhash(h), 0))
        self.wait_until(lambda: n1.getchainstates()["chainstates"][0]["blocks"] == 250)
        self.restart_node(1, extra_args=args1)
        self.check_loaded(n1, dump, bg_height=250)

        self.log.info("blocks stored ahead of it: background validation connects them in one sync batch")
        self.restart_node(1, extra_args=args1 + ["-debug=bench"])
        start = n1.debug_log_bytes()
        # Highest first: the background chainstate waits for 251 while the rest is stored.
        for h in range(400, 250, -1):
            n1.submitblock(n0.getblock(n0.getblockhash(h), 0))
        self.wait_until(lambda: n1.getchainstates()["chainstates"][0]["blocks"] == 400)

        def batch_sizes():
            with open(n1.debug_log_path, "rb") as f:
                f.seek(start)
                return [int(m.group(1)) for m in BATCH.finditer(f.read().decode("utf8", "replace"))]
        # getchainstates shows the batch's blocks before its commit, which logs the line.
        self.wait_until(lambda: sum(batch_sizes()) == 150)
        sizes = batch_sizes()
        assert max(sizes) > 1, sizes
        self.log.info("kill -9: it resumes from its last commit")
        n1.kill_process()
        self.start_node(1, extra_args=args1)
        bg = n1.getchainstates()["chainstates"][0]["blocks"]
        assert 250 <= bg <= 400, bg
        self.check_loaded(n1, dump, bg_height=bg)

        self.log.info("connected to node0: tip and background validation both finish")
        self.connect_nodes(1, 0)
        self.wait_until(lambda: n1.getbestblockhash() == expect["bestblockhash"], timeout=240)
        self.wait_until(lambda: len(n1.getchainstates()["chainstates"]) == 1, timeout=240)
        cs = n1.getchainstates()
        assert_equal(cs["chainstates"][0]["snapshot_blockhash"], base)
        assert_equal(cs["chainstates"][0]["validated"], True)
        assert_equal(cs["chainstates"][0]["blocks"], expect["height"])
        assert "NETWORK" in n1.getnetworkinfo()["localservicesnames"]
        assert_equal(n1.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
        n1.verifychain(4, 0)
        self.restart_node(1, extra_args=[MAXTIPAGE])
        cs = n1.getchainstates()["chainstates"]
        assert_equal(len(cs), 1)
        assert "snapshot_blockhash" not in cs[0]
        assert_equal(n1.getblockcount(), expect["height"])
        assert_equal(n1.gettxoutsetinfo()["hash_serialized_3"], expect["hash_serialized_3"])
        assert_equal(n1.getblock(n1.getblockhash(10))["height"], 10)

        self.check_invalid_snapshot(snap, base, dump)
        self.check_divergent_chain(snap, base, dump, args1)

        self.log.info("a mempool transaction: refused before the work is compared (node0)")
        wallet = MiniWallet(n0)
        wallet.generate(COINBASE_MATURITY + 1)
        wallet.send_self_transfer(from_node=n0)
        assert_equal(self.load_error(n0, path0), (-32603, "Unable to load UTXO snapshot: Can't activate a snapshot "
                                                  "when mempool not empty. (%s)" % path0))

    def check_divergent_chain(self, snap, base, dump, args):
        self.log.info("node3: a chain of its own first, then the snapshot: the background chainstate "
                      "disconnects it")
        n0, n3 = self.nodes[0], self.nodes[3]
        self.start_node(3, extra_args=args)
        own = self.generate(n3, 30, sync_fun=self.no_op)
        self.feed_headers(n3, SNAP + 10)
        assert_equal(n3.getblockcount(), 30)
        path = os.path.join(n3.chaindir, "snap.dat")
        write(path, snap)
        n3.loadtxoutset(path)
        # It starts from there and steps back at once (no block needed).
        n3.wait_for_debug_log(["[background validation] from height 30 to the snapshot's base"])
        self.wait_until(lambda: n3.getchainstates()["chainstates"][0]["blocks"] == 0)
        assert_equal(n3.getchainstates()["chainstates"][1]["blocks"], SNAP)
        self.connect_nodes(3, 0)
        self.wait_until(lambda: n3.getbestblockhash() == n0.getbestblockhash(), timeout=240)
        self.wait_until(lambda: len(n3.getchainstates()["chainstates"]) == 1, timeout=240)
        assert_equal(n3.gettxoutsetinfo()["hash_serialized_3"], n0.gettxoutsetinfo()["hash_serialized_3"])
        tips = {t["hash"]: t["status"] for t in n3.getchaintips()}
        assert_equal(tips[own[-1]], "valid-fork")
        assert_equal(tips[n0.getbestblockhash()], "active")

    def check_loaded(self, node, dump, bg_height):
        base = dump["base_hash"]
        assert_equal(node.getblockcount(), SNAP)
        assert_equal(node.getbestblockhash(), base)
        cs = node.getchainstates()
        assert_equal(len(cs["chainstates"]), 2)
        bg, snap = cs["chainstates"]
        assert_equal(bg["blocks"], bg_height)
        assert_equal(bg["validated"], True)
        assert "snapshot_blockhash" not in bg
        assert_equal(snap["blocks"], SNAP)
        assert_equal(snap["bestblockhash"], base)
        assert_equal(snap["snapshot_blockhash"], base)
        assert_equal(snap["validated"], False)
        assert_equal(list(snap.keys()), ["blocks", "bestblockhash", "difficulty", "verificationprogress",
                                         "coins_db_cache_bytes", "coins_tip_cache_bytes", "snapshot_blockhash",
                                         "validated"])
        info = node.gettxoutsetinfo()
        assert_equal(info["hash_serialized_3"], dump["txoutset_hash"])
        assert_equal(info["txouts"], dump["coins_written"])
        assert "NETWORK" not in node.getnetworkinfo()["localservicesnames"]
        assert "NETWORK_LIMITED" in node.getnetworkinfo()["localservicesnames"]
        assert_equal(node.getchaintxstats(1)["txcount"], dump["nchaintx"])

    def check_bad_files(self, node, snap, base):
        e = self.expect_load_error
        self.log.info("  metadata")
        e(node, b"utxa" + snap[4:], "Unable to parse metadata: Invalid UTXO set snapshot magic bytes. Please "
          "check if this is indeed a snapshot file or if you are using an outdated snapshot format.: iostream "
          "error", code=-22)
        e(node, snap[:5] + b"\x01\x00" + snap[7:], "Unable to parse metadata: Version of snapshot 1 does not "
          "match any of the supported versions.: iostream error", code=-22)
        e(node, snap[:7] + bytes.fromhex("f9beb4d9") + snap[11:], "Unable to parse metadata: The network of "
          "the snapshot (main) does not match the network of this node (regtest).: iostream error", code=-22)
        e(node, snap[:7] + bytes.fromhex("0a03cf40") + snap[11:], "Unable to parse metadata: The network of "
          "the snapshot (signet) does not match the network of this node (regtest).: iostream error", code=-22)
        e(node, snap[:7] + b"\0\0\0\0" + snap[11:], "Unable to parse metadata: This snapshot has been created "
          "for an unrecognized network. This could be a custom signet, a new testnet or possibly caused by data "
          "corruption.: iostream error", code=-22)
        e(node, snap[:50], "Unable to parse metadata: AutoFile::read: end of file: iostream error", code=-22)
        e(node, b"", "Unable to parse metadata: AutoFile::read: end of file: iostream error", code=-22)
        assert_equal(self.load_error(node, node.chaindir), (-22, "Unable to parse metadata: AutoFile::read: "
                                                             "fread failed: iostream error"))
        missing = os.path.join(node.chaindir, "nosuch.dat")
        assert_equal(self.load_error(node, missing), (-8, "Couldn't open file %s for reading." % missing))
        other = self.nodes[0].getblockhash(SNAP - 1)
        e(node, snap[:11] + bytes.fromhex(other)[::-1] + snap[43:], "assumeutxo block hash in snapshot metadata "
          "not recognized (hash: %s). The following snapshot heights are available: 110, 200, 299, %d" % (
              other, SNAP))

        self.log.info("  coins")
        count = int.from_bytes(snap[43:51], "little")
        pop = "Population failed: "
        e(node, snap[:43] + (count - 1).to_bytes(8, "little") + snap[51:],
          pop + "Bad snapshot - coins left over after deserializing %d coins" % (count - 1))
        e(node, snap[:43] + (count + 1).to_bytes(8, "little") + snap[51:],
          pop + "Bad snapshot format or truncated snapshot after deserializing %d coins" % count)
        e(node, snap[:-3], pop + "Bad snapshot format or truncated snapshot after deserializing %d coins" %
          (count - 1))
        e(node, snap + b"\0", pop + "Bad snapshot - coins left over after deserializing %d coins" % count)
        # The first transaction's coin count made larger than the coins left.
        e(node, snap[:META + 32] + b"\xfd\xff\xff" + snap[META + 33:],
          pop + "Mismatch in coins count in snapshot metadata and actual snapshot data")
        # A non-canonical CompactSize for the count: Core's reader refuses it.
        first_count = read_compact(snap, META + 32)[0]
        e(node, snap[:META + 32] + b"\xfd" + first_count.to_bytes(2, "little") + snap[META + 33:],
          pop + "Bad snapshot format or truncated snapshot after deserializing 0 coins")
        start = coins_start(snap)
        first_end = skip_coin(snap, start)
        first = snap[start:first_end]
        # The first coin twice (the count and metadata adjusted).
        dup = (snap[:43] + (count + 1).to_bytes(8, "little") + snap[51:META + 32] + compact(first_count + 1) +
               snap[start:first_end] + first + snap[first_end:])
        e(node, dup, pop + "Bad snapshot data after deserializing 1 coins - duplicate coin")
        # The first coin's height above the base.
        vout, off = read_compact(snap, start)
        code, off2 = read_varint(snap, off)
        high = varint(((SNAP + 1) << 1) | (code & 1))
        e(node, snap[:off] + high + snap[off2:], pop + "Bad snapshot data after deserializing 0 coins")
        # The first coin's amount above MAX_MONEY (21e6 BTC + 1 sat, compressed).
        _, off3 = read_varint(snap, off2)
        e(node, snap[:off2] + varint(compress_amount(21000000 * 100000000 + 1)) + snap[off3:],
          pop + "Bad snapshot data after deserializing 0 coins - bad tx out value")
        # A changed amount: it parses, its hash is not the table's.
        amount, _ = read_varint(snap, off2)
        changed = snap[:off2] + varint(amount + 1) + snap[off3:]
        path = os.path.join(node.chaindir, "changed.dat")
        write(path, changed)
        code, msg = self.load_error(node, path)
        prefix = "Unable to load UTXO snapshot: Population failed: Bad snapshot content hash: expected %s, got " % (
            self.snap_hash)
        assert msg.startswith(prefix), msg
        self.changed = changed
        self.changed_hash = msg.split("got ")[1].split(".")[0]

    def check_invalid_snapshot(self, snap, base, dump):
        self.log.info("node2: a changed snapshot vouched for by -testsnapshot fails background validation")
        n0, n2 = self.nodes[0], self.nodes[2]
        spec = "-testsnapshot=%d:%s:%s:%d" % (SNAP, base, self.changed_hash, dump["nchaintx"])
        self.start_node(2, extra_args=[MAXTIPAGE, spec])
        self.feed_headers(n2, SNAP)
        path = os.path.join(n2.chaindir, "changed.dat")
        write(path, self.changed)
        self.log.info("  first a forked header chain with more work: refused")
        parent = n0.getblockheader(n0.getblockhash(SNAP - 1))
        for b in create_chain(parent["hash"], SNAP, parent["time"] + 1, 2):
            n2.submitheader(b.serialize_header().hex())
        assert_equal(self.load_error(n2, path), (-32603, "Unable to load UTXO snapshot: A forked headers-chain "
                                                 "with more work than the chain with the snapshot base block header "
                                                 "exists. Please proceed to sync without AssumeUtxo.. (%s)" % path))
        for h in (SNAP + 1, SNAP + 2):
            n2.submitheader(n0.getblockheader(n0.getblockhash(h), False))
        n2.loadtxoutset(path)
        assert_equal(n2.getblockcount(), SNAP)
        for h in range(1, SNAP + 1):
            try:
                n2.submitblock(n0.getblock(n0.getblockhash(h), 0))
            except (JSONRPCException, OSError, ConnectionError):
                break
        n2.wait_until_stopped(expected_ret_code=1, expected_stderr=(
            "Error: bitrootd failed to validate the -assumeutxo snapshot state; the node stopped and will resume "
            "from the validated chain without the snapshot (see debug.log)"), timeout=120)
        assert "[snapshot] hash mismatch: actual=%s, expected=%s" % (dump["txoutset_hash"], self.changed_hash) in \
            open(n2.debug_log_path, encoding="utf8").read()
        self.start_node(2, extra_args=[MAXTIPAGE, spec])
        cs = n2.getchainstates()["chainstates"]
        assert_equal(len(cs), 1)
        assert "snapshot_blockhash" not in cs[0]
        assert_equal(n2.getblockcount(), SNAP)
        assert_equal(n2.gettxoutsetinfo()["hash_serialized_3"], dump["txoutset_hash"])
        assert "NETWORK" in n2.getnetworkinfo()["localservicesnames"]


def compress_amount(n):
    if n == 0:
        return 0
    e = 0
    while n % 10 == 0 and e < 9:
        n //= 10
        e += 1
    if e < 9:
        d = n % 10
        n //= 10
        return 1 + (n * 9 + d - 1) * 10 + e
    return 1 + (n - 1) * 10 + 9


if __name__ == "__main__":
    AssumeutxoTest(__file__).main()
