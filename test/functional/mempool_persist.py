#!/usr/bin/env python3
"""mempool.dat: the mempool survives a restart, as in Core.

- Transactions (a parent and its child, and another) and their
  prioritisetransaction deltas survive a restart; the load is logged with
  Core's counts; getmempoolinfo says "loaded".
- -persistmempool=0 neither loads nor writes the file: the mempool starts
  empty, and the next ordinary start finds the old file intact.
- savemempool writes <chaindir>/mempool.dat and answers {"filename": path};
  the file has Core's version-2 layout (XOR key, count, entries, deltas,
  unbroadcast set), checked byte by byte here; -persistmempoolv1 writes
  version 1 without the key.
- Entries older than -mempoolexpiry are counted as expired at load.
- A corrupt mempool.dat is reported in debug.log and start-up continues
  with an empty mempool.
"""

import decimal
import os
import struct

from test_framework.messages import CTransaction, Reader, hash_to_hex, msg_mempool
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet


def parse_mempool_dat(path):
    """Core's mempool.dat (v1 or v2): (version, [(txid, time, delta)], {txid: delta}, [unbroadcast])."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    r = Reader(data)
    version = r.u64()
    if version == 2:
        assert_equal(r.compact_size(), 8)
        key = r.read(8)
        # Core's AutoFile: the key applies by file offset (17 -> key[1]).
        for i in range(r.pos, len(data)):
            data[i] ^= key[i % 8]
        pos = r.pos
        r = Reader(data)
        r.pos = pos
    else:
        assert_equal(version, 1)
    entries = []
    for _ in range(r.u64()):
        tx = CTransaction.deserialize(r)
        entries.append((tx.txid_hex, r.i64(), r.i64()))
    deltas = {}
    for _ in range(r.compact_size()):
        txid = hash_to_hex(r.hash())
        deltas[txid] = r.i64()
    unbroadcast = [hash_to_hex(r.hash()) for _ in range(r.compact_size())]
    r.done()
    return version, entries, deltas, unbroadcast


class MempoolPersistTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        wallet = MiniWallet(node)
        wallet.generate(101)
        dat = os.path.join(node.chaindir, "mempool.dat")

        self.log.info("a first start says once, as information, that there is no mempool.dat yet")
        first = node.read_debug_log()
        assert_equal(first.count("No mempool file %s yet" % dat), 1)
        assert "Failed to open mempool file" not in first, "first start alarms: Failed to open mempool file"
        assert "[warning] No mempool file" not in first

        self.log.info("transactions and deltas survive a restart")
        parent = wallet.send_self_transfer(from_node=node)
        child = wallet.send_self_transfer(from_node=node, utxo_to_spend=parent["new_utxo"])
        other = wallet.send_self_transfer(from_node=node)
        node.prioritisetransaction(other["txid"], 0, 4321)
        absent = "ab" * 32
        node.prioritisetransaction(absent, 0, 777)
        txids = sorted([parent["txid"], child["txid"], other["txid"]])
        assert_equal(node.getmempoolinfo()["loaded"], True)
        with node.assert_debug_log(["Imported mempool transactions from file: 3 succeeded, 0 failed, "
                                    "0 expired, 0 already there, 0 waiting for initial broadcast"],
                                   timeout=20):
            self.restart_node(0)
            self.wait_until(lambda: len(node.getrawmempool()) == 3)
        assert_equal(sorted(node.getrawmempool()), txids)
        assert_equal(node.getmempoolinfo()["loaded"], True)
        assert_equal(node.getmempoolentry(child["txid"])["depends"], [parent["txid"]])
        fees = node.getmempoolentry(other["txid"])["fees"]
        assert_equal(fees["modified"] - fees["base"], decimal.Decimal("0.00004321"))
        assert_equal(node.getprioritisedtransactions()[absent]["fee_delta"], 777)

        self.log.info("loaded transactions reach the net thread: a BIP35 `mempool` request lists them")
        self.restart_node(0, extra_args=["-whitelist=mempool@127.0.0.1"])
        self.wait_until(lambda: len(node.getrawmempool()) == 3)
        peer = node.add_p2p_connection(P2PInterface())
        peer.send_message(msg_mempool())
        want = {bytes.fromhex(e["wtxid"])[::-1] for e in node.getrawmempool(True).values()}

        def announced():
            with p2p_lock:
                return {i.hash for m in peer.received if m.msgtype == b"inv" for i in m.inv}
        peer.wait_until(lambda: want <= announced())
        node.disconnect_p2ps()

        self.log.info("-persistmempool=0: nothing loaded, nothing written")
        self.stop_node(0)
        mtime = os.stat(dat).st_mtime_ns
        self.start_node(0, extra_args=["-persistmempool=0"])
        assert_equal(node.getrawmempool(), [])
        self.stop_node(0)
        assert_equal(os.stat(dat).st_mtime_ns, mtime)
        self.start_node(0)
        self.wait_until(lambda: sorted(node.getrawmempool()) == txids)

        self.log.info("savemempool writes Core's layout")
        os.remove(dat)
        res = node.savemempool()
        assert_equal(res, {"filename": dat})
        version, entries, deltas, unbroadcast = parse_mempool_dat(dat)
        assert_equal(version, 2)
        assert_equal(sorted(e[0] for e in entries), txids)
        order = [e[0] for e in entries]
        assert order.index(parent["txid"]) < order.index(child["txid"])
        by_txid = {e[0]: e for e in entries}
        assert_equal(by_txid[other["txid"]][2], 4321)
        assert_equal(by_txid[parent["txid"]][2], 0)
        assert_equal(deltas, {absent: 777})
        assert_equal(unbroadcast, [])
        for txid in txids:
            assert_equal(by_txid[txid][1], node.getmempoolentry(txid)["time"])

        self.log.info("-persistmempoolv1 writes version 1 (no key); entry times survive a reload")
        later = max(e[1] for e in entries) + 1000
        self.restart_node(0, extra_args=["-persistmempoolv1", "-mocktime=%d" % later])
        self.wait_until(lambda: len(node.getrawmempool()) == 3)
        for txid in txids:
            assert_equal(node.getmempoolentry(txid)["time"], by_txid[txid][1])
        node.savemempool()
        version, entries, deltas, _ = parse_mempool_dat(dat)
        assert_equal(version, 1)
        assert_equal(sorted(e[0] for e in entries), txids)
        with node.assert_debug_log(["Imported mempool transactions from file: 3 succeeded"], timeout=20):
            self.restart_node(0)
            self.wait_until(lambda: len(node.getrawmempool()) == 3)

        self.log.info("entries older than -mempoolexpiry are expired at load")
        self.stop_node(0)
        _, entries, _, _ = parse_mempool_dat(dat)
        newest = max(e[1] for e in entries)
        with node.assert_debug_log(["Imported mempool transactions from file: 0 succeeded, 0 failed, "
                                    "3 expired"], timeout=20):
            self.start_node(0, extra_args=["-mempoolexpiry=1", "-mocktime=%d" % (newest + 3601)])
        assert_equal(node.getrawmempool(), [])

        self.log.info("a corrupt mempool.dat is reported and start-up goes on")
        self.stop_node(0)
        with open(dat, "wb") as f:
            f.write(struct.pack("<Q", 2) + b"\x08" + b"\x01" * 8 + b"\x42" * 5)
        with node.assert_debug_log(["Failed to deserialize mempool data on file"], timeout=20):
            self.start_node(0)
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getmempoolinfo()["loaded"], True)
        wallet.generate(1)
        self.stop_node(0)
        with open(dat, "wb") as f:
            f.write(struct.pack("<Q", 7))
        with node.assert_debug_log(["Failed to deserialize mempool data on file", "unknown version"],
                                   timeout=20):
            self.start_node(0)
        assert_equal(node.getrawmempool(), [])
        node.savemempool()
        version, entries, _, _ = parse_mempool_dat(dat)
        assert_equal((version, entries), (2, []))

        self.log.info("savemempool fails cleanly when the file cannot be written")
        os.remove(dat)
        os.mkdir(dat + ".new")
        assert_raises_rpc_error(-1, "Unable to dump mempool to disk", node.savemempool)
        os.rmdir(dat + ".new")


if __name__ == "__main__":
    MempoolPersistTest(__file__).main()
