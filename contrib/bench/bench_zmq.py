#!/usr/bin/env python3
"""ZeroMQ benchmark: rawtx notifications per second, with and without a slow
subscriber attached, and RPC latency meanwhile.

usage: contrib/bench/bench_zmq.py [--builddir DIR] [--runs 3] [-n 2000]

Each run starts one bitrootd (regtest, a fresh temporary datadir, free
loopback ports, -zmqpubrawtx on a loopback port with -zmqpubrawtxhwm=5000,
so that one block's N + 1 rawtx fit in a subscriber's pipe; no debug
logging), mines coins to a MiniWallet and fans them out, and
builds (beforehand, not timed) two sets of N independent signed
transactions. For each set:

    plain  one subscriber that reads everything
    slow   the same, plus a second subscriber on the same socket whose
           receive HWM is 1 and which takes one message every 50 ms

the set is sent with sendrawtransaction from 4 client threads while a fifth
thread calls getblockcount every 2 ms on its own connection. Figures:

    notif/s    N / (time from the first send to the attentive subscriber
               holding all N rawtx messages)
    getblockcount p50/p99 latency during that window (ms)
    slow got   how many messages the slow subscriber had taken by then
    block      then generatetoaddress 1 confirms the set: (N + 1) / (time
               from the call to the attentive subscriber holding the
               block's N + 1 rawtx messages), block assembly included

Every run's figures are printed, then the median over runs. Needs
python3-zmq (Debian's, also found when this script runs on another
python3). Loops are bounded; the node is stopped (or killed) at the end.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

try:
    import zmq
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "functional"))

from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash  # noqa: E402
from test_framework.test_node import TestNode  # noqa: E402
from test_framework.util import spare_port  # noqa: E402
from test_framework.wallet import MiniWallet  # noqa: E402

FANOUT = 400
FANOUT_FEE = 100000
CLIENTS = 4
WAIT_LIMIT = 300
SLOW_SLEEP = 0.05
# Above a block's transaction count: the burst of a block's rawtx must not
# overflow the attentive subscriber's pipe (libzmq drops at the HWM).
HWM = 5000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pct(values, p):
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def load():
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


class Subscriber(threading.Thread):
    def __init__(self, ctx, address, rcvhwm=1000, sleep=0.0):
        super().__init__(daemon=True)
        self.s = ctx.socket(zmq.SUB)
        self.s.setsockopt(zmq.RCVHWM, rcvhwm)
        self.s.setsockopt(zmq.RCVTIMEO, 200)
        self.s.setsockopt(zmq.SUBSCRIBE, b"rawtx")
        self.s.connect(address)
        self.sleep = sleep
        self.count = 0
        self.last = 0.0
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                self.s.recv_multipart()
            except zmq.Again:
                continue
            self.count += 1
            self.last = time.monotonic()
            if self.sleep:
                time.sleep(self.sleep)
        self.s.close(linger=0)


def one_run(args, k):
    workdir = tempfile.mkdtemp(prefix="bench_zmq_")
    daemon = os.path.join(os.path.abspath(args.builddir), "src", "bitrootd")
    node = TestNode(0, workdir, binary=daemon, rpc_timeout=WAIT_LIMIT)
    address = "tcp://127.0.0.1:%d" % spare_port(k % 8)
    node.start(args_override=[daemon, "-datadir=" + node.datadir, "-printtoconsole=0",
                              "-zmqpubrawtx=" + address, "-zmqpubrawtxhwm=%d" % HWM, "-maxmempool=300"])
    ctx = zmq.Context()
    try:
        node.wait_for_rpc_connection()
        n = args.n
        w = MiniWallet(node, mode="p2tr_op_true")
        fanouts = -(-2 * n // FANOUT)
        w.generate(100 + fanouts)
        coins = w.get_utxos()[:fanouts]
        utxos = []
        for c in coins:
            tx = CTransaction(version=2)
            tx.vin = [CTxIn(COutPoint(hex_to_hash(c["txid"]), c["vout"]), b"", 0xffffffff)]
            each = (c["value"] - FANOUT_FEE) // FANOUT
            tx.vout = [CTxOut(each, w.script_pubkey) for _ in range(FANOUT)]
            w.sign_tx(tx)
            node.sendrawtransaction(tx.serialize().hex(), 0)
            utxos += [{"txid": tx.txid_hex, "vout": i, "value": each, "height": 0, "coinbase": False,
                       "confirmations": 1} for i in range(FANOUT)]
        w.generate(1)
        sets = {m: [w.create_self_transfer(utxo_to_spend=utxos.pop(), fee_rate=2000)["hex"] for _ in range(n)]
                for m in ("plain", "slow")}
        res = {}
        for mode in ("plain", "slow"):
            fast = Subscriber(ctx, address)
            slow = Subscriber(ctx, address, rcvhwm=1, sleep=SLOW_SLEEP) if mode == "slow" else None
            fast.start()
            if slow:
                slow.start()
            time.sleep(0.5)  # subscriptions reach the publisher
            lat = []
            done = threading.Event()

            def probe():
                p = node.get_rpc_proxy()
                while not done.is_set():
                    s = time.monotonic()
                    p.getblockcount()
                    lat.append(time.monotonic() - s)
                    time.sleep(0.002)

            def sender(part):
                p = node.get_rpc_proxy()
                for h in part:
                    p.sendrawtransaction(h)

            txs = sets[mode]
            pt = threading.Thread(target=probe)
            senders = [threading.Thread(target=sender, args=(txs[i::CLIENTS],)) for i in range(CLIENTS)]
            t0 = time.monotonic()
            pt.start()
            for s in senders:
                s.start()
            for s in senders:
                s.join()
            deadline = time.monotonic() + WAIT_LIMIT
            while fast.count < n and time.monotonic() < deadline:
                time.sleep(0.005)
            done.set()
            pt.join()
            if fast.count < n:
                raise RuntimeError("%s: attentive subscriber got %d of %d" % (mode, fast.count, n))
            secs = fast.last - t0
            res[mode] = {"notif/s": n / secs, "p50": pct(lat, 50) * 1000, "p99": pct(lat, 99) * 1000,
                         "slow_got": slow.count if slow else None, "probes": len(lat)}
            # The block that confirms the set: N + 1 rawtx at once, from the
            # moment generatetoaddress is called (block assembly included).
            fast.count = 0
            t1 = time.monotonic()
            node.generatetoaddress(1, w.get_address())
            deadline = time.monotonic() + WAIT_LIMIT
            while fast.count < n + 1 and time.monotonic() < deadline:
                time.sleep(0.005)
            if fast.count < n + 1:
                raise RuntimeError("%s: block burst: got %d of %d" % (mode, fast.count, n + 1))
            res[mode]["block notif/s"] = (n + 1) / (fast.last - t1)
            fast.stop = True
            if slow:
                slow.stop = True
            fast.join()
            if slow:
                slow.join()
        return res
    finally:
        ctx.destroy(linger=0)
        try:
            node.stop_node(timeout=60)
        except Exception as e:  # noqa: BLE001 -- shut down whatever happens
            log("node did not stop cleanly (%s): killing it" % e)
            node.kill_process()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-n", type=int, default=2000)
    args = ap.parse_args()
    all_runs = []
    for k in range(args.runs):
        r = one_run(args, k)
        all_runs.append(r)
        for mode, f in r.items():
            print("run %d %-5s %7.0f notif/s  block %7.0f notif/s  getblockcount p50 %.2f ms p99 %.2f ms "
                  "(%d calls)%s  load %s" % (
                k + 1, mode, f["notif/s"], f["block notif/s"], f["p50"], f["p99"], f["probes"],
                "  slow subscriber took %d" % f["slow_got"] if f["slow_got"] is not None else "", load()))
    for mode in ("plain", "slow"):
        med = {key: statistics.median(r[mode][key] for r in all_runs)
               for key in ("notif/s", "block notif/s", "p50", "p99")}
        print("median %-5s %7.0f notif/s  block %7.0f notif/s  getblockcount p50 %.2f ms p99 %.2f ms" % (
            mode, med["notif/s"], med["block notif/s"], med["p50"], med["p99"]))


if __name__ == "__main__":
    main()
