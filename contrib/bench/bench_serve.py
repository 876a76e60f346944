#!/usr/bin/env python3
"""Serving benchmark: how fast a fresh node syncs the dev chain from one source.

usage: contrib/bench/bench_serve.py BUILDDIR [RUNS] [--baseline OLDBUILDDIR]
           [--pairs core<-bitrootd,...] [--depth N] [--v1] [--core DIR] [--file DAT]

Imports ../shared/chains/regtest-dev.dat once into bitrootd and once into
Bitcoin Core (the shared Core 28.1 node), starts a bitrootd source and a Core
source on loopback (and, with --baseline, a second bitrootd source from another
build, "base", for before/after figures in one run), then, RUNS times, for each
pair SYNCER<-SOURCE:
- core or bitrootd: starts a fresh node with -connect= to the source alone and
  times it from process start to the chain's tip (getblockcount polled every
  10 ms). Also reported: the CPU the source used meanwhile, and for the
  syncer's busiest thread (Core's b-msghand, bitrootd's validation) the time
  it was blocked, not running nor waiting for a CPU: the time it waited for
  the network, which is what a slow source adds, and which unlike wall time
  hardly grows when other work on the machine competes for the CPUs.
- raw: a Python v1 peer that validates nothing fetches every block the way
  Core's download does (16 in flight, one more asked per block received) and
  is timed from its first getdata to the last block: the source's serving
  alone. --depth 1 gives the round trip of one request.
The pairs of a run are measured one after the other, in an order that rotates
from run to run, so load from other work falls on all of them alike. Prints
each run and the median per pair; the line to quote is Core-from-bitrootd
against Core-from-Core.

Sources run with -maxtipage large enough to be out of initial block download
(the chain's blocks are from 2023): Core answers no getheaders in IBD.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

MAXTIPAGE = "-maxtipage=%d" % (20 * 365 * 24 * 3600)
PAIRS = ["core<-bitrootd", "core<-core", "bitrootd<-core", "bitrootd<-bitrootd"]
RAW_PAIRS = ["raw<-bitrootd", "raw<-core"]
REGTEST_MAGIC = bytes.fromhex("fabfb5da")
REGTEST_GENESIS = bytes.fromhex(
    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")[::-1]
MSG_WITNESS_BLOCK = 0x40000002


class RawPeer:
    """A v1 peer that validates nothing: it fetches blocks as Core's download
    does (the first getdata with `depth` blocks, then one block per getdata for
    each block received), so the time it takes is the source's serving and
    loopback alone, without the syncer's validation."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def send(self, cmd, payload=b""):
        h = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
        self.sock.sendall(REGTEST_MAGIC + cmd.encode().ljust(12, b"\0") +
                          struct.pack("<I", len(payload)) + h + payload)

    def recv(self):
        # An offset into the buffer, compacted now and then: deleting each
        # message from the front would copy the rest every time, and make the
        # client, not the source, the bottleneck when blocks come in bulk.
        while True:
            if len(self.buf) - self.pos >= 24:
                n = struct.unpack_from("<I", self.buf, self.pos + 16)[0]
                if len(self.buf) - self.pos >= 24 + n:
                    p = self.pos
                    cmd = bytes(self.buf[p + 4:p + 16]).rstrip(b"\0").decode()
                    body = bytes(self.buf[p + 24:p + 24 + n])
                    self.pos += 24 + n
                    return cmd, body
            if self.pos:
                del self.buf[:self.pos]
                self.pos = 0
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("source closed the connection")
            self.buf += chunk

    def handshake(self):
        addr = struct.pack("<Q", 0) + bytes(10) + b"\xff\xff" + bytes(4) + struct.pack(">H", 0)
        ua = b"/bench_serve:0/"
        self.send("version", struct.pack("<iQq", 70016, 8, int(time.time())) + addr + addr +
                  struct.pack("<Q", random.getrandbits(64)) + bytes([len(ua)]) + ua +
                  struct.pack("<i?", 0, False))
        got_version = got_verack = False
        while not (got_version and got_verack):
            cmd, body = self.recv()
            if cmd == "version":
                got_version = True
                self.send("wtxidrelay")
                self.send("sendaddrv2")
                self.send("verack")
            elif cmd == "verack":
                got_verack = True
            elif cmd == "ping":
                self.send("pong", body)

    def headers(self):
        """The hashes of the source's chain after genesis, by getheaders."""
        hashes, last = [], REGTEST_GENESIS
        while True:
            self.send("getheaders", struct.pack("<I", 70016) + b"\x01" + last + bytes(32))
            while True:
                cmd, body = self.recv()
                if cmd == "ping":
                    self.send("pong", body)
                elif cmd == "headers":
                    break
            n, off = body[0], 1
            if n == 0xfd:
                n, off = struct.unpack_from("<H", body, 1)[0], 3
            for i in range(n):
                h = body[off + 81 * i:off + 81 * i + 80]
                last = hashlib.sha256(hashlib.sha256(h).digest()).digest()
                hashes.append(last)
            if n < 2000:
                return hashes

    def fetch(self, hashes, depth):
        """Seconds from the first getdata to the last block."""
        def getdata(batch):
            n = len(batch)
            size = bytes([n]) if n < 0xfd else b"\xfd" + struct.pack("<H", n)
            self.send("getdata", size + b"".join(
                struct.pack("<I", MSG_WITNESS_BLOCK) + h for h in batch))
        start = time.monotonic()
        nxt = min(depth, len(hashes))
        getdata(hashes[:nxt])
        got = 0
        while got < len(hashes):
            cmd, body = self.recv()
            if cmd == "ping":
                self.send("pong", body)
            if cmd != "block":
                continue
            got += 1
            if nxt < len(hashes):
                getdata(hashes[nxt:nxt + 1])
                nxt += 1
        return time.monotonic() - start

    def close(self):
        self.sock.close()


class Node:
    """One daemon process with its datadir and an RPC connection by cookie."""

    def __init__(self, impl, binary, datadir, rpcport, args):
        self.impl, self.datadir, self.rpcport = impl, datadir, rpcport
        os.makedirs(datadir, exist_ok=True)
        cmd = [binary, "-regtest", "-datadir=" + datadir, "-rpcport=%d" % rpcport,
               "-printtoconsole=0", "-server=1"] + args
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.conn, self.auth = None, None

    def rpc(self, method, params=None):
        if self.auth is None:
            with open(os.path.join(self.datadir, "regtest", ".cookie"), encoding="utf8") as f:
                self.auth = "Basic " + base64.b64encode(f.read().strip().encode()).decode()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.rpcport, timeout=60)
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": params or []})
        try:
            self.conn.request("POST", "/", body, {"Authorization": self.auth,
                                                 "Content-Type": "application/json"})
            reply = json.loads(self.conn.getresponse().read())
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        if reply.get("error"):
            raise RuntimeError("%s: %s" % (method, reply["error"]))
        return reply["result"]

    def try_rpc(self, method):
        """The result, or None while the node is starting (no cookie, warm-up)."""
        try:
            return self.rpc(method)
        except (OSError, RuntimeError, http.client.HTTPException, ValueError):
            self.auth = None if not os.path.exists(
                os.path.join(self.datadir, "regtest", ".cookie")) else self.auth
            return None

    def cpu(self):
        """CPU seconds (user + system) the process has used so far."""
        with open("/proc/%d/stat" % self.proc.pid, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def busiest_thread(self):
        """(name, seconds alive, on CPU, waiting for a CPU, blocked) of the thread
        that used the most CPU: Core's b-msghand, bitrootd's validation. Blocked
        is what is left of its life, time it slept waiting for something, such as
        the next block from the source; unlike wall time it hardly grows when
        other work on the machine keeps the thread off the CPU."""
        with open("/proc/uptime", encoding="ascii") as f:
            now = float(f.read().split()[0])
        best = None
        tck = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir("/proc/%d/task" % self.proc.pid):
            base = "/proc/%d/task/%s/" % (self.proc.pid, tid)
            try:
                with open(base + "comm", encoding="utf8") as f:
                    name = f.read().strip()
                with open(base + "schedstat", encoding="ascii") as f:
                    run, wait = (int(x) / 1e9 for x in f.read().split()[:2])
                with open(base + "stat", encoding="ascii") as f:
                    start = int(f.read().rsplit(")", 1)[1].split()[19]) / tck
            except OSError:
                continue
            if best is None or run > best[2]:
                alive = now - start
                best = (name, alive, run, wait, max(0.0, alive - run - wait))
        return best

    def wait_height(self, height, timeout, interval=0.01):
        """Seconds from process start until getblockcount reaches height."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s in %s exited with %d" % (self.impl, self.datadir,
                                                                self.proc.returncode))
            h = self.try_rpc("getblockcount")
            if h is not None and h >= height:
                return time.monotonic() - self.start
            time.sleep(interval)
        raise RuntimeError("%s in %s did not reach height %d in %d s" % (
            self.impl, self.datadir, height, timeout))

    def stop(self):
        try:
            self.rpc("stop")
        except (OSError, RuntimeError, http.client.HTTPException, ValueError):
            self.proc.terminate()
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.conn:
            self.conn.close()


def measure_raw(source, height, depth):
    """One raw fetch: (seconds, source CPU seconds)."""
    node, port = source
    cpu0 = node.cpu()
    raw = RawPeer(port)
    try:
        raw.handshake()
        hashes = raw.headers()
        if len(hashes) != height:
            raise RuntimeError("%s served %d headers, not %d" % (node.impl, len(hashes), height))
        t = raw.fetch(hashes, depth)
    finally:
        raw.close()
    return t, node.cpu() - cpu0, None


def measure_sync(binary, impl, datadir, rpcport, source, height, common):
    """One fresh node synced from source: (seconds, source CPU, (syncer CPU,
    busiest thread))."""
    src, port = source
    node = Node(impl, binary, datadir, rpcport,
                common + ["-listen=0", "-connect=127.0.0.1:%d" % port])
    try:
        cpu0 = src.cpu()
        t = node.wait_height(height, 300)
        extra = (node.cpu(), node.busiest_thread())
        return t, src.cpu() - cpu0, extra
    finally:
        node.stop()
        shutil.rmtree(datadir, ignore_errors=True)


def describe(r):
    t, src_cpu, extra = r
    if extra is None:
        return "%.3f s from the first getdata (source CPU %.2f s)" % (t, src_cpu)
    th = extra[1]
    return ("%.3f s (CPU: syncer %.2f s, source %.2f s; syncer's %s: %.2f s on CPU, "
            "%.2f s waiting for one, %.2f s blocked)" % (t, extra[0], src_cpu, th[0], th[2],
                                                         th[3], th[4]))


def main():
    srcdir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = os.environ.get("BR_SHARED_DIR", os.path.join(srcdir, "..", "shared"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("builddir", nargs="?", default=".")
    ap.add_argument("runs", nargs="?", type=int, default=3)
    ap.add_argument("--core", default=os.path.join(shared, "anchors", "bitcoin-core-28.1", "bin"))
    ap.add_argument("--file", default=os.path.join(shared, "chains", "regtest-dev.dat"))
    ap.add_argument("--baseline", metavar="BUILDDIR",
                    help="also a bitrootd source from this build, named 'base' in pairs")
    ap.add_argument("--pairs", default=",".join(PAIRS + RAW_PAIRS),
                    help="comma-separated SYNCER<-SOURCE pairs; syncers core, bitrootd, raw; "
                         "sources bitrootd, core, base (default: %(default)s)")
    ap.add_argument("--depth", type=int, default=16,
                    help="blocks in flight for the raw syncer (Core: 16 per peer)")
    ap.add_argument("--v1", action="store_true", help="-v2transport=0 on every node")
    ap.add_argument("--source-args", default="",
                    help="extra arguments for every source, Core's too (space-separated)")
    a = ap.parse_args()

    bins = {"bitrootd": os.path.join(a.builddir, "src", "bitrootd"),
            "core": os.path.join(a.core, "bitcoind")}
    if a.baseline:
        bins["base"] = os.path.join(a.baseline, "src", "bitrootd")
    for impl, b in bins.items():
        if not os.access(b, os.X_OK):
            sys.exit("no %s binary at %s" % (impl, b))
    if a.runs < 1 or a.depth < 1:
        sys.exit("RUNS and --depth must be at least 1")
    pairs = a.pairs.split(",")
    for p in pairs:
        syncer, _, source = p.partition("<-")
        if syncer not in ("core", "bitrootd", "raw") or source not in bins:
            sys.exit("unknown pair %r (syncers core, bitrootd, raw; sources %s)" % (
                p, ", ".join(bins)))
    with open(os.path.splitext(a.file)[0] + ".json", encoding="utf8") as f:
        height = json.load(f)["height"]
    common = ["-v2transport=0"] if a.v1 else []

    work = tempfile.mkdtemp(prefix="bench_serve.")
    # Below the kernel's ephemeral range (32768 up), where outgoing
    # connections take their local ports.
    base = 20000 + (os.getpid() * 37) % 12000
    sources, running = {}, []
    try:
        # One import per implementation, then the sources run on copies of it.
        for i, impl in enumerate(["bitrootd", "core"]):
            d = os.path.join(work, "import-" + impl)
            print("importing %s into %s..." % (os.path.basename(a.file), impl), file=sys.stderr)
            imp = Node(impl, bins[impl], d, base + 10 + i,
                       common + [MAXTIPAGE, "-loadblock=" + a.file, "-listen=0", "-connect=0"])
            running.append(imp)
            imp.wait_height(height, 600, interval=0.2)
            imp.stop()
            running.remove(imp)
        for i, name in enumerate(bins):
            impl = "core" if name == "core" else "bitrootd"
            d = os.path.join(work, "src-" + name)
            shutil.copytree(os.path.join(work, "import-" + impl, "regtest"),
                            os.path.join(d, "regtest"),
                            ignore=shutil.ignore_patterns(".cookie", ".lock", "*.pid"))
            port = base + 2 * i
            extra = a.source_args.split()
            node = Node(name, bins[name], d, base + 1 + 2 * i,
                        common + [MAXTIPAGE, "-listen=1", "-bind=127.0.0.1", "-port=%d" % port,
                                  "-connect=0"] + extra)
            running.append(node)
            node.wait_height(height, 120, interval=0.1)
            sources[name] = (node, port)

        results = {p: [] for p in pairs}
        for r in range(a.runs):
            for p in pairs[r % len(pairs):] + pairs[:r % len(pairs)]:
                syncer, source = p.split("<-")
                if syncer == "raw":
                    res = measure_raw(sources[source], height, a.depth)
                else:
                    res = measure_sync(bins[syncer], syncer,
                                       os.path.join(work, "sync-%d-%s" % (r, p.replace("<-", "-"))),
                                       base + 20, sources[source], height, common)
                    time.sleep(0.5)
                results[p].append(res)
                print("run %d: %-20s %s" % (r + 1, p, describe(res)), file=sys.stderr)

        print("median of %d run(s), %d blocks%s; nodes: process start to tip; raw: first "
              "getdata to last block, %d in flight:" % (
                  a.runs, height, " (v1 transport)" if a.v1 else "", a.depth))
        med = {}
        for p in pairs:
            rs = results[p]
            med[p] = statistics.median(x[0] for x in rs)
            line = "  %-20s %.3f s  (runs: %s; source CPU %.2f s" % (
                p, med[p], " ".join("%.3f" % x[0] for x in rs),
                statistics.median(x[1] for x in rs))
            if rs[0][2] is not None:
                line += "; syncer CPU %.2f s, its %s blocked %.2f s" % (
                    statistics.median(x[2][0] for x in rs), rs[0][2][1][0],
                    statistics.median(x[2][1][4] for x in rs))
            print(line + ")")
        if "core<-bitrootd" in med and "core<-core" in med:
            print("Core from bitrootd / Core from Core: %.2f" % (
                med["core<-bitrootd"] / med["core<-core"]))
    finally:
        for node in running:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
