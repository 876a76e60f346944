#!/usr/bin/env python3
"""Mempool benchmark: acceptance, mining from a full pool, and relay.

usage: contrib/bench/bench_mempool.py [--builddir DIR] [--runs 3] [-n 2000]
                                      [--modes p2pk,p2tr_op_true,chain25]

Each run starts two bitrootd (regtest, a fresh temporary datadir, free
loopback ports, -whitelist=noban@127.0.0.1 on both, no debug logging),
mines mature coins on node0 and fans them out into small outputs. Then, for
each mode, it builds (beforehand, in Python) four sets of N signed
transactions:

    p2pk          independent 1-in/1-out spends, each with an ECDSA signature
    p2tr_op_true  independent spends of a taproot OP_TRUE leaf: no signature
    chain25       chains of 25 p2tr_op_true spends (N/25 chains): ancestor
                  and descendant accounting at the default limits

and measures on node0 (node1 disconnected):

    testmempoolaccept  one call per transaction (chain25: one call per chain,
                       as a package of 25), one client; tx/s
    send, 1 client     sendrawtransaction of set A one at a time: tx/s, p50
                       and p99 latency of a call
    mine               generatetoaddress(1) with set A in the pool: wall time
                       of the call; the block must hold all N
    send, 4 clients    set B from 4 threads, each with its own keep-alive
                       connection (chains are not split between threads)
    relay              node1 connects (addnode onetry) and catches up, set C
                       is sent to node0 from one client; the time from the
                       last sendrawtransaction's reply until node1's
                       getmempoolinfo size reaches N
    p2p in             set D sent to node0 by one test peer (P2P, every tx
                       message in one write): tx/s from the write until
                       node0's getmempoolinfo size reaches N (what a peer's
                       in-order processing costs)

Every run's figures are printed, then the median over runs. Loops are
bounded; nodes are stopped (or killed) at the end, also on errors; the
datadir is removed unless --keep.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "functional"))

from test_framework.authproxy import JSONRPCException  # noqa: E402
from test_framework.messages import (COutPoint, CTransaction, CTxIn, CTxOut, build_message,  # noqa: E402
                                     hex_to_hash, msg_tx)
from test_framework.p2p import NetworkThread, P2PInterface  # noqa: E402
from test_framework.test_node import TestNode  # noqa: E402
from test_framework.wallet import MiniWallet  # noqa: E402

CHAIN_LEN = 25
FANOUT = 400           # outputs per fan-out transaction
FANOUT_FEE = 100000    # sat
FEE_RATE = 2000        # sat/kvB for the measured transactions
WAIT_LIMIT = 300       # seconds any single wait may take
CLIENTS = 4
SETS = 4               # A, B, C and D below


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load():
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def wait_for(what, pred, timeout=WAIT_LIMIT, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(interval)
    raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))


class Bench:
    def __init__(self, args, workdir):
        self.args = args
        self.n = args.n
        daemon = os.path.join(args.builddir, "src", "bitrootd")
        if not os.access(daemon, os.X_OK):
            raise SystemExit("no %s: build first or give --builddir" % daemon)
        self.nodes = []
        for i in range(2):
            node = TestNode(i, workdir, binary=daemon, rpc_timeout=WAIT_LIMIT)
            node.bench_args = [daemon, "-datadir=" + node.datadir, "-whitelist=noban@127.0.0.1",
                               "-maxmempool=300", "-printtoconsole=0"]
            self.nodes.append(node)

    # --- nodes ------------------------------------------------------------

    def start(self):
        for node in self.nodes:
            node.start(args_override=node.bench_args)
        for node in self.nodes:
            node.wait_for_rpc_connection()

    def stop(self):
        for node in self.nodes:
            if not node.running:
                continue
            try:
                node.stop_node(timeout=60)
            except Exception as e:  # noqa: BLE001 -- shut down whatever happens
                log("node%d did not stop cleanly (%s): killing it" % (node.index, e))
                node.kill_process()

    def connect(self):
        n0, n1 = self.nodes
        n1.addnode("127.0.0.1:%d" % n0.p2p_port, "onetry")
        wait_for("node1 to connect", lambda: n0.getconnectioncount() == 1 and
                 n1.getconnectioncount() == 1)
        tip = n0.getbestblockhash()
        wait_for("node1 to sync", lambda: n1.getbestblockhash() == tip)

    def disconnect(self):
        n0, n1 = self.nodes
        for p in n1.getpeerinfo():
            n1.disconnectnode(nodeid=p["id"])
        wait_for("the nodes to disconnect", lambda: n0.getconnectioncount() == 0 and
                 n1.getconnectioncount() == 0)

    # --- coins ------------------------------------------------------------

    def fund(self, per_mode_needs):
        """Mines coins to a p2tr_op_true wallet and fans them out to each wallet's script."""
        n0 = self.nodes[0]
        miner = MiniWallet(n0, mode="p2tr_op_true")
        self.miner = miner
        self.wallets = {"p2tr_op_true": MiniWallet(n0, mode="p2tr_op_true"),
                        "p2pk": MiniWallet(n0, mode="p2pk")}
        fanouts = {m: -(-need // FANOUT) for m, need in per_mode_needs.items()}
        total = sum(fanouts.values())
        miner.generate(100 + total)
        coins = miner.get_utxos()
        if len(coins) < total:
            raise RuntimeError("only %d mature coinbases for %d fan-outs" % (len(coins), total))
        self.utxos = {m: [] for m in per_mode_needs}
        sent = []
        for mode, count in fanouts.items():
            script = self.wallets["p2tr_op_true" if mode == "chain25" else mode].script_pubkey
            for _ in range(count):
                c = coins.pop()
                tx = CTransaction(version=2)
                tx.vin = [CTxIn(COutPoint(hex_to_hash(c["txid"]), c["vout"]), b"", 0xffffffff)]
                each = (c["value"] - FANOUT_FEE) // FANOUT
                tx.vout = [CTxOut(each, script) for _ in range(FANOUT)]
                miner.sign_tx(tx)
                n0.sendrawtransaction(tx.serialize().hex(), 0)
                sent.append(tx.txid_hex)
                self.utxos[mode] += [{"txid": tx.txid_hex, "vout": i, "value": each, "height": 0,
                                      "coinbase": False, "confirmations": 1} for i in range(FANOUT)]
        h = miner.generate(1)[0]
        ntx = len(n0.getblock(h, 1)["tx"])
        if ntx != len(sent) + 1:
            raise RuntimeError("fan-out block holds %d transactions, want %d" % (ntx, len(sent) + 1))

    def build(self, mode):
        """One set of N transactions of mode, as a list of groups sent in order (chains)."""
        if mode == "chain25":
            wallet = self.wallets["p2tr_op_true"]
            pool = self.utxos["chain25"]
            nchains = self.n // CHAIN_LEN
            groups = []
            for _ in range(nchains):
                chain = wallet.create_self_transfer_chain(chain_length=CHAIN_LEN, utxo_to_spend=pool.pop(),
                                                          fee_rate=FEE_RATE)
                groups.append([t["hex"] for t in chain])
            return groups
        wallet = self.wallets[mode]
        pool = self.utxos[mode]
        return [[wallet.create_self_transfer(utxo_to_spend=pool.pop(), fee_rate=FEE_RATE)["hex"]]
                for _ in range(self.n)]

    # --- measurements ---------------------------------------------------------

    def send(self, node, groups, clients):
        """sendrawtransaction of every group's transactions from `clients` threads.

        Returns (seconds from start to the last reply, latencies, monotonic time of the last reply).
        """
        shares = [groups[i::clients] for i in range(clients)]
        proxies = [node.get_rpc_proxy() for _ in range(clients)]
        for p in proxies:
            p.getblockcount()  # open the keep-alive connection before timing
        lat = [[] for _ in range(clients)]
        errors = []
        ends = [0.0] * clients
        barrier = threading.Barrier(clients + 1)

        def worker(k):
            rpc = proxies[k].sendrawtransaction
            out = lat[k]
            barrier.wait()
            try:
                for g in shares[k]:
                    for hexstr in g:
                        t0 = time.perf_counter()
                        rpc(hexstr, 0)
                        out.append(time.perf_counter() - t0)
            except Exception as e:  # noqa: BLE001 -- reported by the caller
                errors.append(e)
            ends[k] = time.perf_counter()

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join(WAIT_LIMIT)
        for p in proxies:
            p.close()
        if any(t.is_alive() for t in threads):
            raise RuntimeError("a sender thread did not finish in %ds" % WAIT_LIMIT)
        if errors:
            raise RuntimeError("sendrawtransaction failed: %r" % errors[0])
        end = max(ends)
        all_lat = [x for part in lat for x in part]
        return end - start, all_lat, end

    def testaccept(self, node, groups):
        rpc = node.get_rpc_proxy()
        t0 = time.perf_counter()
        count = 0
        for g in groups:
            res = rpc.testmempoolaccept(g, 0)
            for r in res:
                if not r.get("allowed"):
                    raise RuntimeError("testmempoolaccept refused a transaction: %r" % r)
            count += len(res)
        dt = time.perf_counter() - t0
        rpc.close()
        return count / dt

    def mine_all(self, expect):
        n0 = self.nodes[0]
        size = n0.getmempoolinfo()["size"]
        if size != expect:
            raise RuntimeError("mempool holds %d transactions, want %d" % (size, expect))
        addr = self.miner.get_address()
        t0 = time.perf_counter()
        h = n0.generatetoaddress(1, addr)[0]
        dt = time.perf_counter() - t0
        ntx = len(n0.getblock(h, 1)["tx"])
        if ntx != expect + 1:
            raise RuntimeError("block holds %d transactions, want %d" % (ntx - 1, expect))
        wait_for("the mempool to empty", lambda: n0.getmempoolinfo()["size"] == 0)
        return dt

    def run_mode(self, mode):
        n0, n1 = self.nodes
        res = {}
        t0 = time.monotonic()
        sets = [self.build(mode) for _ in range(SETS)]
        ntx = sum(len(g) for g in sets[0])
        log("  %s: built %d x %d transactions in %.1f s" % (mode, SETS, ntx, time.monotonic() - t0))

        # testmempoolaccept, on an empty pool (chains as packages).
        res["tma_tps"] = self.testaccept(n0, sets[0])

        # Set A, one client; then the block.
        dt, lat, _ = self.send(n0, sets[0], 1)
        res["send1_tps"] = ntx / dt
        res["send1_p50_ms"] = pct(lat, 50) * 1e3
        res["send1_p99_ms"] = pct(lat, 99) * 1e3
        res["mine_s"] = self.mine_all(ntx)

        # Set B, four clients.
        dt, lat, _ = self.send(n0, sets[1], CLIENTS)
        res["send4_tps"] = ntx / dt
        res["send4_p50_ms"] = pct(lat, 50) * 1e3
        res["send4_p99_ms"] = pct(lat, 99) * 1e3
        self.mine_all(ntx)

        # Set C relayed to node1.
        self.connect()
        dt, _, last = self.send(n0, sets[2], 1)
        first = last - dt

        def relayed():
            return n1.getmempoolinfo()["size"] >= ntx
        wait_for("node1 to receive %d transactions" % ntx, relayed, interval=0.005)
        got = time.perf_counter()
        res["relay_tail_s"] = got - last
        res["relay_total_s"] = got - first
        self.mine_all(ntx)
        tip = n0.getbestblockhash()
        wait_for("node1 to take the block", lambda: n1.getbestblockhash() == tip and
                 n1.getmempoolinfo()["size"] == 0)
        self.disconnect()

        # Set D from a test peer, in one write.
        peer = n0.add_p2p_connection(P2PInterface())
        raw = b"".join(build_message(msg_tx(CTransaction.from_hex(h)), peer.magic) for g in sets[3] for h in g)
        t0 = time.perf_counter()
        peer.send_raw_message(raw)
        wait_for("node0 to take %d transactions from the peer" % ntx,
                 lambda: n0.getmempoolinfo()["size"] >= ntx, interval=0.005)
        res["p2p_in_tps"] = ntx / (time.perf_counter() - t0)
        n0.disconnect_p2ps()
        self.mine_all(ntx)
        return res

    def p2p_in_only(self, mode, reps):
        """--p2p-in-only: the p2p in figure alone, reps times on one pair of nodes."""
        n0 = self.nodes[0]
        out = []
        for _ in range(reps):
            txs = [h for g in self.build(mode) for h in g]
            peer = n0.add_p2p_connection(P2PInterface())
            raw = b"".join(build_message(msg_tx(CTransaction.from_hex(h)), peer.magic) for h in txs)
            t0 = time.perf_counter()
            peer.send_raw_message(raw)
            wait_for("node0 to take %d transactions from the peer" % len(txs),
                     lambda: n0.getmempoolinfo()["size"] >= len(txs), interval=0.002)
            out.append(len(txs) / (time.perf_counter() - t0))
            n0.disconnect_p2ps()
            self.mine_all(len(txs))
        return out


FIELDS = [
    ("tma_tps", "testmempoolaccept tx/s", "%.0f"),
    ("send1_tps", "send 1 client tx/s", "%.0f"),
    ("send1_p50_ms", "  p50 ms", "%.3f"),
    ("send1_p99_ms", "  p99 ms", "%.3f"),
    ("send4_tps", "send 4 clients tx/s", "%.0f"),
    ("send4_p50_ms", "  p50 ms", "%.3f"),
    ("send4_p99_ms", "  p99 ms", "%.3f"),
    ("mine_s", "generatetoaddress(1) s", "%.3f"),
    ("relay_tail_s", "relay after last send s", "%.3f"),
    ("relay_total_s", "relay first send->all s", "%.3f"),
    ("p2p_in_tps", "p2p in, one peer tx/s", "%.0f"),
]


def one_run(args, k):
    workdir = tempfile.mkdtemp(prefix="bench_mempool.")
    bench = Bench(args, workdir)
    try:
        bench.start()
        needs = {}
        for mode in args.modes:
            if mode == "chain25":
                needs["chain25"] = SETS * (args.n // CHAIN_LEN)
            else:
                needs[mode] = SETS * args.n
        if args.p2p_in_only:
            needs = {m: n * args.p2p_in_only // SETS for m, n in needs.items()}
        log("run %d: datadir %s, load %s; funding" % (k, workdir, load()))
        bench.fund(needs)
        out = {}
        if args.p2p_in_only:
            for mode in args.modes:
                tps = bench.p2p_in_only(mode, args.p2p_in_only)
                print("run %d %s (load %s): p2p in tx/s median %.0f of %s" % (
                    k, mode, load(), statistics.median(tps), ", ".join("%.0f" % v for v in tps)), flush=True)
            return None
        for mode in args.modes:
            out[mode] = bench.run_mode(mode)
            out[mode]["load"] = load()
            print("run %d %s (load %s): %s" % (
                k, mode, out[mode]["load"],
                "  ".join("%s=%s" % (f, fmt % out[mode][f]) for f, _, fmt in FIELDS)), flush=True)
        return out
    finally:
        bench.stop()
        if args.keep:
            log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=".", help="where src/bitrootd is (default .)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-n", type=int, default=2000, help="transactions per set (default 2000)")
    ap.add_argument("--modes", default="p2pk,p2tr_op_true,chain25")
    ap.add_argument("--keep", action="store_true", help="keep the datadirs")
    ap.add_argument("--p2p-in-only", type=int, metavar="REPS", default=0,
                    help="measure only p2p in, REPS times per run (no other figures)")
    args = ap.parse_args()
    args.builddir = os.path.abspath(args.builddir)
    args.modes = [m for m in args.modes.split(",") if m]
    for m in args.modes:
        if m not in ("p2pk", "p2tr_op_true", "chain25"):
            ap.error("unknown mode %r" % m)
    if args.runs < 1 or args.n < CHAIN_LEN:
        ap.error("--runs must be at least 1 and -n at least %d" % CHAIN_LEN)
    if "chain25" in args.modes and args.n % CHAIN_LEN:
        ap.error("-n must be a multiple of %d for chain25" % CHAIN_LEN)

    try:
        rev = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = "?"
    print("bitrootd %s (%s), N=%d, %d runs, %d cores, load %s" % (
        args.builddir, rev, args.n, args.runs, os.cpu_count(), load()), flush=True)
    # SIGTERM unwinds like an error, so the nodes are still stopped.
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit("terminated"))
    runs = []
    net = NetworkThread()
    net.start()
    for k in range(1, args.runs + 1):
        try:
            runs.append(one_run(args, k))
        except (RuntimeError, JSONRPCException, OSError) as e:
            raise SystemExit("run %d failed: %s" % (k, e))
    net.close()
    if args.p2p_in_only:
        return
    print("median of %d runs:" % len(runs))
    for mode in args.modes:
        print("  %s (loads: %s)" % (mode, "; ".join(r[mode]["load"] for r in runs)))
        for f, label, fmt in FIELDS:
            vals = [r[mode][f] for r in runs]
            print("    %-26s %10s   (%s)" % (label, fmt % statistics.median(vals),
                                             ", ".join(fmt % v for v in vals)))


if __name__ == "__main__":
    main()
