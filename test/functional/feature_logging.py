#!/usr/bin/env python3
"""debug.log: where it is, what a line looks like, rotation on SIGHUP.

- The log is <datadir>/regtest/debug.log.
- With the harness's -logtimemicros -logthreadnames -logsourcelocations every
  line starts with a microsecond UTC timestamp, then [thread]; the main
  thread is named "main". Source locations ([file.c:line]) appear, and where
  a line has one it comes right after the thread name. (Core prints one on
  every line; issue 2 lets bitrootd implement the option or ignore it, and
  bitrootd prints it on debug-category lines.)
- SIGHUP reopens the log: after debug.log is moved away, new lines go to a
  new debug.log and the moved file stops growing.
- -printtoconsole copies the log to stdout.
- The `logging` RPC reports the categories, all on under -debug, and turns
  one off.
- The lines operators grep for, in Bitcoin Core 28's wording (doc/logging.md
  lists them): UpdateTip on every tip move (connect and disconnect), "Saw new
  header", a block that fails to connect (ERROR: ConnectBlock(),
  InvalidChainFound, ConnectTip ... failed, BlockChecked), a block refused
  before (ProcessNewBlock: AcceptBlock FAILED), a peer connecting, a
  transaction not accepted (shown by -debug=mempoolrej alone), Misbehaving and
  the disconnection.
"""

import os
import re
import signal
import time

from test_framework.blocktools import block_subsidy, create_block, create_coinbase, create_next_block, solve
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, msg_tx
from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, wait_until
from test_framework.wallet import MiniWallet

TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
LINE = re.compile(r"^(" + TS + r") \[([^\]\s]+)\] (.*)$")
SOURCE = re.compile(r"[\w./-]+\.c:\d+")
AFTER_THREAD = re.compile(r"^\[[\w./-]+\.c:\d+\]")
HEX64 = r"[0-9a-f]{64}"
DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


class LoggingTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def activity(self, node):
        """Something every build logs: a connection, blocks, RPCs."""
        node.add_p2p_connection(P2PInterface())
        self.generate(node, 2)
        node.getblockchaininfo()
        node.disconnect_p2ps()

    def run_test(self):
        node = self.nodes[0]
        assert_equal(node.debug_log_path, os.path.join(node.datadir, "regtest", "debug.log"))
        self.activity(node)

        self.log.info("Line format: timestamp with microseconds, [thread], source location")
        lines = [ln for ln in node.read_debug_log().splitlines() if ln.strip()]
        assert len(lines) >= 10, "debug.log has only %d lines" % len(lines)
        threads = set()
        located = 0
        for ln in lines:
            m = LINE.match(ln)
            assert m, "line without a micro timestamp and a thread name: %r" % ln
            thread = m.group(2)
            assert ".c:" not in thread, "thread name missing, source location first: %r" % ln
            threads.add(thread)
            if SOURCE.search(m.group(3)):
                located += 1
                assert AFTER_THREAD.match(m.group(3)), "source location not after the thread: %r" % ln
        assert located > 0, "-logsourcelocations: no line carries a source location"
        self.log.debug("thread names seen: %s", sorted(threads))
        assert "main" in threads, "no line from the thread named main: %s" % sorted(threads)
        assert len(threads) >= 2, "only one thread ever logs: %s" % sorted(threads)

        self.log.info("SIGHUP reopens debug.log after it was moved")
        moved = node.debug_log_path + ".1"
        os.rename(node.debug_log_path, moved)
        node.send_signal(signal.SIGHUP)
        # A logger may reopen lazily, at its next line: keep it busy until it has.
        deadline = time.monotonic() + 30 * self.options.timeout_factor
        while not os.path.exists(node.debug_log_path):
            assert time.monotonic() < deadline, "no new debug.log after SIGHUP"
            self.generate(node, 1, sync_fun=self.no_op)
            time.sleep(0.25)
        size_moved = os.path.getsize(moved)
        size_new = os.path.getsize(node.debug_log_path)
        self.activity(node)
        wait_until(lambda: os.path.getsize(node.debug_log_path) > size_new, timeout=30,
                   timeout_factor=self.options.timeout_factor)
        assert_equal(os.path.getsize(moved), size_moved)
        for ln in node.read_debug_log().splitlines():
            if ln.strip():
                assert LINE.match(ln), "malformed line after reopen: %r" % ln

        self.log.info("-printtoconsole copies the log to stdout")
        self.restart_node(0, extra_args=["-printtoconsole"])
        self.activity(node)
        out = [ln for ln in node.read_stdout().splitlines() if LINE.match(ln)]
        assert len(out) >= 5, "stdout has %d log lines with -printtoconsole" % len(out)
        assert os.path.getsize(node.debug_log_path) > 0
        self.restart_node(0)
        self.activity(node)
        assert_equal([ln for ln in node.read_stdout().splitlines() if LINE.match(ln)], [])

        self.log.info("The logging RPC")
        cats = node.logging()
        for c in ("net", "mempool", "rpc", "http", "validation"):
            assert c in cats, "category %s missing from logging()" % c
            assert_equal(cats[c], True)
        assert "unknown" not in cats, "a bit no category uses is listed: %s" % sorted(cats)
        cats = node.logging([], ["net"])
        assert_equal(cats["net"], False)
        assert_equal(cats["validation"], True)
        cats = node.logging(["net"])
        assert_equal(cats["net"], True)
        self.core_lines(node)

    def expect(self, node, offset, *patterns):
        """Waits until every regex matches some line logged since offset."""
        def missing():
            log = node.read_debug_log(offset)
            return [p for p in patterns if not re.search(p, log, flags=re.MULTILINE)]
        try:
            wait_until(lambda: not missing(), timeout=30, timeout_factor=self.options.timeout_factor)
        except AssertionError:
            raise AssertionError("debug.log lacks %s" % missing())

    def core_lines(self, node):
        self.log.info("Core's operator lines: UpdateTip and Saw new header")
        wallet = MiniWallet(node, mode="p2wsh_op_true")
        wallet.generate(101)
        off = node.debug_log_bytes()
        h = self.generate(node, 1, sync_fun=self.no_op)[0]
        height = node.getblockcount()
        tx_total = node.getchaintxstats()["txcount"]
        self.expect(node, off,
                    r"Saw new header hash=%s height=%d$" % (h, height),
                    r"UpdateTip: new best=%s height=%d version=0x[0-9a-f]{8} log2_work=\d+\.\d{6} tx=%d "
                    r"date='%s' progress=[01]\.\d{6} cache=\d+\.\dMiB\(\d+txo\)$" % (h, height, tx_total, DATE))
        self.log.info("... UpdateTip when invalidateblock disconnects, and back")
        parent = node.getblockhash(height - 1)
        off = node.debug_log_bytes()
        node.invalidateblock(h)
        self.expect(node, off, r"UpdateTip: new best=%s height=%d " % (parent, height - 1))
        off = node.debug_log_bytes()
        node.reconsiderblock(h)
        self.expect(node, off, r"UpdateTip: new best=%s height=%d " % (h, height))

        self.log.info("... a block that fails to connect")
        tip = node.getblockheader(h)
        cb = create_coinbase(height + 1, value=block_subsidy(height + 1) + 1)
        bad = solve(create_block(h, cb, tip["time"] + 1))
        off = node.debug_log_bytes()
        assert_equal(node.submitblock(bad.serialize().hex()), "bad-cb-amount")
        self.expect(node, off,
                    r"ERROR: ConnectBlock\(\): coinbase pays too much \(actual=\d+ vs limit=\d+\)$",
                    r"InvalidChainFound: invalid block=%s  height=%d  log2_work=\d+\.\d{6}  date=%s$"
                    % (bad.hash_hex, height + 1, DATE),
                    r"InvalidChainFound:  current best=%s  height=%d  log2_work=\d+\.\d{6}  date=%s$"
                    % (h, height, DATE),
                    r"ConnectTip: ConnectBlock %s failed, bad-cb-amount" % bad.hash_hex,
                    r"BlockChecked: block hash=%s state=bad-cb-amount" % bad.hash_hex)
        self.log.info("... a block refused before connecting")
        mutated = create_next_block(node)
        mutated.merkle_root = b"\x11" * 32
        mutated.solve()
        off = node.debug_log_bytes()
        assert_equal(node.submitblock(mutated.serialize().hex()), "bad-txnmrklroot")
        self.expect(node, off,
                    r"ProcessNewBlock: AcceptBlock FAILED \(bad-txnmrklroot",
                    r"BlockChecked: block hash=%s state=bad-txnmrklroot" % mutated.hash_hex)

        self.log.info("... a peer, its refused transaction (-debug=mempoolrej alone), Misbehaving, disconnection")
        node.logging([], ["all"])
        node.logging(["mempoolrej"])
        off = node.debug_log_bytes()
        peer = node.add_p2p_connection(P2PInterface())
        pid = node.getpeerinfo()[-1]["id"]
        # Without -debug=net, as Core 28.
        self.expect(node, off, r"New inbound v1 peer connected: version: 70016, blocks=\d+, peer=%d" % pid)
        node.logging(["net"])
        u = wallet.get_utxo()
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(hex_to_hash(u["txid"]), u["vout"]), b"", 0xffffffff)]
        tx.vout = [CTxOut(u["value"] - 1000, wallet.script_pubkey)]
        tx.witness = [[b"\x00"]]     # not the script the output commits to
        peer.send_message(msg_tx(tx))
        peer.wait_for_disconnect()
        self.expect(node, off,
                    r"New inbound v1 peer connected: version: 70016, blocks=\d+, peer=%d" % pid,
                    r"%s \(wtxid=%s\) from peer=%d was not accepted: mandatory-script-verify-flag-failed"
                    % (tx.txid_hex, tx.wtxid_hex, pid),
                    r"Misbehaving: peer=%d" % pid,
                    r"disconnecting peer=%d" % pid)
        node.logging(["all"])


if __name__ == "__main__":
    LoggingTest(__file__).main()
