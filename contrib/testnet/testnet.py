#!/usr/bin/env python3
"""A bitrootd test network on one machine, one network namespace per host.

    contrib/testnet/testnet.py --hosts 16 --topology ring --delay 50ms --blocks 20
    contrib/testnet/testnet.py --hosts 30 --topology random --degree 3 --loss 1% --blocks 10

Every host is a bitrootd in a network namespace of its own, named
br-<runid>-<i>. Hosts are joined only along the edges of the chosen topology
(line, ring, or a connected random graph where every host has at least
--degree links), one point-to-point link per edge with its own /31 out of
10.201.0.0/16. Those addresses exist only inside the namespaces: no host has a
default route or any interface other than its loopback and its links, so no
packet can leave them. The host's own (default) namespace is never changed.

Each link delays every packet by --delay in each direction (so a TCP round
trip over one link costs twice that) and drops --loss of them, using
`tc qdisc ... netem` on both ends of a veth pair where the kernel has netem,
and otherwise a user-space link emulator (one process in its own namespace
that forwards IP packets between a pair of TUN devices per link after the same
delay and loss). --link-emulation picks one explicitly.

Host 0 mines one warm-up block (every node leaves initial block download on
it; not measured), then --blocks blocks one at a time. For each block the time
from the generatetoaddress call on host 0 (the block can leave before the call
returns: compact blocks are announced before the block is connected) until
each other host reports it as
its tip (waitforblockheight, which looks every 10 ms) is recorded. At the end
the report gives p50/p99/max over every (block, host) pair, the same over the
per-block time to reach the last host, the mean by hop distance, and whether
every host ends on the same tip. Exit status: 0 when every block reached every
host and the tips agree, 1 when not, 2 when the network could not be set up.

Everything this creates is removed on exit, including on Ctrl-C, SIGTERM and
SIGHUP: the daemons are stopped (RPC stop, then SIGTERM, then SIGKILL), every
process still inside one of its namespaces is killed, and the namespaces (and
so every link in them) are deleted. Daemons also get SIGTERM from the kernel if
this script itself dies (PR_SET_PDEATHSIG). A SIGKILL of this script leaves
the namespaces behind; the next run removes any br-<pid>x...-* namespace whose
owning process is gone. --keep keeps the data directories and logs.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`), iproute2, and
Python 3 (standard library only).
"""

import argparse
import base64
import ctypes
import fcntl
import hashlib
import heapq
import http.client
import json
import math
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

P2P_PORT = 18444
RPC_PORT = 18443
NS_PREFIX = "br-"
# br-<owner pid>x<random hex>-<host number | wire | probe>
NS_RE = re.compile(r"^br-(\d+)x([0-9a-f]+)-([a-z0-9]+)$")
LINK_NET = (10, 201)          # links take /31s out of 10.201.0.0/16
MAX_HOSTS = 1000
MAX_LINKS = 32768             # /31s in a /16
MAX_BLOCKS = 10000
CAP_NET_ADMIN = 12
CAP_SYS_ADMIN = 21
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
# The emulator holds at most this many packets per link direction, as
# netem's default queue limit; more are dropped as a full queue would.
EMU_QUEUE_LIMIT = 1000
# Packets read from one TUN device per wake-up, so one busy link cannot
# starve the others' deliveries.
EMU_READ_BATCH = 64
# How often tips are looked at when the daemon has no waitforblockheight.
POLL_INTERVAL = 0.01
RPC_METHOD_NOT_FOUND = -32601

_libc = ctypes.CDLL(None, use_errno=True)


class TestnetError(Exception):
    """The network could not be built or run: the message says why."""


class Interrupted(KeyboardInterrupt):
    """A termination signal arrived; raised in the main thread (a
    KeyboardInterrupt, so harnesses that handle Ctrl-C handle it too)."""

    def __init__(self, signum):
        super().__init__("signal %d" % signum)
        self.signum = signum


class RPCError(Exception):
    def __init__(self, code, message):
        super().__init__("RPC error %s: %s" % (code, message))
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------
# Parsing and small helpers
# ---------------------------------------------------------------------------

def parse_duration(text):
    """'50ms', '0.05s', '500us' or a bare number of milliseconds -> seconds."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*(us|ms|s)?\s*", text)
    if not m:
        raise ValueError("bad duration %r (use e.g. 50ms, 0.05s, 500us)" % text)
    value = float(m.group(1))
    unit = m.group(2) or "ms"
    return value * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def parse_percent(text):
    """'1%', '0.5%' or a bare number of percent -> a fraction in [0, 1]."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*%?\s*", text)
    if not m:
        raise ValueError("bad percentage %r (use e.g. 0%%, 1.5%%)" % text)
    value = float(m.group(1))
    if value > 100:
        raise ValueError("percentage %r is above 100%%" % text)
    return value / 100.0


def fmt_ms(seconds):
    return "%.1f ms" % (seconds * 1e3)


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list (p in 0..100)."""
    s = sorted(values)
    rank = max(1, int(math.ceil(p / 100.0 * len(s))))
    return s[min(rank, len(s)) - 1]


def build_topology(n, kind, degree, rng):
    """Edges (a, b) with a < b of a connected graph on n hosts."""
    if kind == "line":
        edges = {(i, i + 1) for i in range(n - 1)}
    elif kind == "ring":
        edges = {(i, i + 1) for i in range(n - 1)}
        if n >= 3:
            edges.add((0, n - 1))
    elif kind == "random":
        want = min(degree, n - 1)
        order = list(range(n))
        rng.shuffle(order)
        edges = set()
        # A random spanning tree first, so the graph is connected.
        for k in range(1, n):
            a, b = order[k], order[rng.randrange(k)]
            edges.add((min(a, b), max(a, b)))
        deg = [0] * n
        for a, b in edges:
            deg[a] += 1
            deg[b] += 1
        # Then links between hosts still short of the degree, preferring
        # pairs that are both short so degrees stay even.
        for _ in range(n * want * 20):
            short = [i for i in range(n) if deg[i] < want]
            if not short:
                break
            a = rng.choice(short)
            pool = [j for j in short if j != a and (min(a, j), max(a, j)) not in edges]
            if not pool:
                pool = [j for j in range(n) if j != a and (min(a, j), max(a, j)) not in edges]
            if not pool:
                break
            b = rng.choice(pool)
            edges.add((min(a, b), max(a, b)))
            deg[a] += 1
            deg[b] += 1
    else:
        raise ValueError("unknown topology %r" % kind)
    return sorted(edges)


def hop_distances(n, edges, src):
    adj = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    dist = [None] * n
    dist[src] = 0
    frontier = [src]
    while frontier:
        nxt = []
        for u in frontier:
            for v in adj[u]:
                if dist[v] is None:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    return dist


def link_addresses(j):
    """The two addresses of link j: a /31 out of 10.201.0.0/16."""
    if not 0 <= j < MAX_LINKS:
        raise ValueError("link number %d out of range" % j)
    lo = 2 * j
    base = "%d.%d.%d." % (LINK_NET[0], LINK_NET[1], lo >> 8)
    return base + str(lo & 0xff), base + str((lo & 0xff) + 1)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    num = int.from_bytes(data, "big")
    out = ""
    while num:
        num, r = divmod(num, 58)
        out = _B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def mining_address():
    """A regtest P2PKH address nobody holds the key to: the rewards are burnt."""
    h160 = hashlib.sha256(b"bitroot testnet mining address").digest()[:20]
    return base58check(b"\x6f" + h160)


def pid_alive(pid):
    """True if pid is a running process (a zombie counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    # pid (comm) state ...: comm may hold spaces and parentheses.
    state = stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3]
    return state not in (b"Z", b"X")


# ---------------------------------------------------------------------------
# Privileges, tools and namespaces
# ---------------------------------------------------------------------------

def _effective_caps():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return 0


def _run(cmd, *, timeout=30, check=True):
    """Runs one command; TestnetError with its stderr when it fails."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
    except FileNotFoundError:
        raise TestnetError("%s: command not found" % cmd[0]) from None
    except subprocess.TimeoutExpired:
        raise TestnetError("%s: no answer within %ds" % (" ".join(cmd), timeout)) from None
    if check and p.returncode != 0:
        raise TestnetError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode,
                                                        p.stderr.strip() or p.stdout.strip()))
    return p


def environment_problem():
    """None when namespaces can be made here, else why not (for a skip)."""
    if os.geteuid() != 0:
        return "not running as root (ip netns needs root)"
    caps = _effective_caps()
    if not caps & (1 << CAP_NET_ADMIN):
        return "CAP_NET_ADMIN is missing from the effective capabilities"
    if not caps & (1 << CAP_SYS_ADMIN):
        return "CAP_SYS_ADMIN is missing (ip netns add mounts the namespace)"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    name = "%s%dx%s-probe" % (NS_PREFIX, os.getpid(), os.urandom(3).hex())
    p = _run(["ip", "netns", "add", name], check=False)
    if p.returncode != 0:
        return "cannot create a network namespace: %s" % (p.stderr.strip() or "ip netns add failed")
    _run(["ip", "netns", "del", name], check=False)
    return None


def list_namespaces():
    p = _run(["ip", "netns", "list"], check=False)
    if p.returncode != 0:
        return []
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def namespace_pids(ns):
    p = _run(["ip", "netns", "pids", ns], check=False)
    if p.returncode != 0:
        return []
    return [int(x) for x in p.stdout.split() if x.isdigit()]


def remove_namespace(ns):
    """Kills whatever still runs in ns (all of it ours), then deletes it.

    Returns an error message, or None."""
    for _ in range(3):
        pids = [pid for pid in namespace_pids(ns) if pid != os.getpid()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
    p = _run(["ip", "netns", "del", ns], check=False)
    if p.returncode != 0 and ns in list_namespaces():
        return p.stderr.strip() or "ip netns del %s failed" % ns
    return None


def reap_stale_namespaces(log):
    """Removes namespaces left by runs of this script that died by SIGKILL."""
    for ns in list_namespaces():
        m = NS_RE.match(ns)
        if not m or pid_alive(int(m.group(1))):
            continue
        err = remove_namespace(ns)
        log("removed namespace %s left by a run that is gone%s" % (ns, (": " + err) if err else ""))


def run_in_netns(ns, fn, *, timeout=60):
    """Calls fn() in a short-lived thread that has joined namespace ns.

    A network namespace is a per-thread attribute, and a socket stays in the
    namespace it was made in, so sockets fn creates keep working from any
    thread afterwards while this process's other threads never move."""
    result = {}

    def work():
        try:
            fd = os.open("/run/netns/" + ns, os.O_RDONLY | os.O_CLOEXEC)
            try:
                if hasattr(os, "setns"):
                    os.setns(fd, CLONE_NEWNET)
                elif _libc.setns(fd, CLONE_NEWNET) != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, "setns(%s): %s" % (ns, os.strerror(e)))
            finally:
                os.close(fd)
            result["value"] = fn()
        except BaseException as e:  # noqa: BLE001 -- handed to the caller
            result["error"] = e

    t = threading.Thread(target=work, name="netns-" + ns, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TestnetError("operation in namespace %s did not finish in %ds" % (ns, timeout))
    if "error" in result:
        raise result["error"]
    return result["value"]


def _set_pdeathsig():
    # Runs in the child between fork and exec: the daemon gets SIGTERM if
    # this script dies, whatever way it dies.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


# ---------------------------------------------------------------------------
# JSON-RPC to a daemon inside a namespace
# ---------------------------------------------------------------------------

class NetnsRPC:
    """A keep-alive JSON-RPC client for 127.0.0.1:port inside namespace ns.

    Not thread-safe: one client per thread that calls."""

    def __init__(self, ns, port, cookie_path, timeout=30):
        self.ns = ns
        self.port = port
        self.cookie_path = cookie_path
        self.timeout = timeout
        self.conn = None
        self.next_id = 0

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connect(self):
        with open(self.cookie_path, encoding="ascii") as f:
            cookie = f.read().strip()
        self.auth = "Basic " + base64.b64encode(cookie.encode()).decode()
        sock = run_in_netns(self.ns, lambda: socket.create_connection(("127.0.0.1", self.port),
                                                                      timeout=self.timeout))
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        conn.sock = sock
        self.conn = conn

    def call(self, method, *params, timeout=None):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self.next_id, "method": method,
                           "params": list(params)})
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self._connect()
            self.conn.sock.settimeout(timeout or self.timeout)
            try:
                self.conn.request("POST", "/", body, {"Authorization": self.auth,
                                                      "Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, ConnectionError, BrokenPipeError) as e:
                # The server may close an idle keep-alive connection: retry
                # once on a new one, but not when the new one failed too.
                self.close()
                if fresh or attempt:
                    raise ConnectionError("RPC %s to %s: %s" % (method, self.ns, e)) from e
                continue
            except OSError:
                self.close()
                raise
            if resp.status == 401:
                raise RPCError(-1, "RPC authentication failed (HTTP 401)")
            try:
                reply = json.loads(data)
            except ValueError:
                raise RPCError(-1, "HTTP %d with a body that is not JSON: %r" % (resp.status,
                                                                                 data[:200])) from None
            if reply.get("error"):
                err = reply["error"]
                raise RPCError(err.get("code"), err.get("message"))
            return reply.get("result")
        raise AssertionError("unreachable")


# ---------------------------------------------------------------------------
# User-space link emulator (runs in its own namespace, see wire_main)
# ---------------------------------------------------------------------------

def _tun_open(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


def wire_main(config_path):
    """Forwards packets between the two TUN devices of each link after its
    delay, dropping its loss. Exits when stdin closes (the parent is done or
    gone) or after max_seconds. Prints "ready" once every device exists."""
    with open(config_path, encoding="utf8") as f:
        cfg = json.load(f)
    rng = random.Random(cfg["seed"])
    route = {}          # fd -> (peer fd, delay s, loss fraction, direction)
    for j, link in enumerate(cfg["links"]):
        fa = _tun_open(link["a"])
        fb = _tun_open(link["b"])
        route[fa] = (fb, link["delay"], link["loss"], 2 * j)
        route[fb] = (fa, link["delay"], link["loss"], 2 * j + 1)
    queued = [0] * (2 * len(cfg["links"]))
    stats = {"forwarded": 0, "lost": 0, "overflow": 0, "write_errors": 0}
    ep = select.epoll()
    for fd in route:
        ep.register(fd, select.EPOLLIN)
    ep.register(0, select.EPOLLIN | select.EPOLLHUP)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    heap = []
    seq = 0
    deadline = time.monotonic() + cfg["max_seconds"]

    def deliver(out, pkt):
        try:
            os.write(out, pkt)
            stats["forwarded"] += 1
        except OSError:
            # The peer device is not up yet or is gone: the packet is lost,
            # as on a wire whose far end is down.
            stats["write_errors"] += 1

    running = True
    while running:
        now = time.monotonic()
        if now >= deadline:
            break
        while heap and heap[0][0] <= now:
            _, _, out, pkt, d = heapq.heappop(heap)
            queued[d] -= 1
            deliver(out, pkt)
        wait = min(1.0, deadline - now)
        if heap:
            wait = min(wait, max(0.0, heap[0][0] - now))
        for fd, _ in ep.poll(wait):
            if fd == 0:
                if not os.read(0, 4096):
                    running = False
                continue
            out, delay, loss, d = route[fd]
            for _ in range(EMU_READ_BATCH):
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if loss and rng.random() < loss:
                    stats["lost"] += 1
                    continue
                if delay <= 0:
                    deliver(out, pkt)
                    continue
                if queued[d] >= EMU_QUEUE_LIMIT:
                    stats["overflow"] += 1
                    continue
                queued[d] += 1
                seq += 1
                heapq.heappush(heap, (time.monotonic() + delay, seq, out, pkt, d))
    sys.stderr.write("wire emulator: %s\n" % json.dumps(stats))
    return 0


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------

class Config:
    def __init__(self, *, hosts, topology="ring", degree=3, delay=0.0, loss=0.0, blocks=10,
                 bitrootd=None, keep=False, link_emulation="auto", seed=None, block_timeout=60.0,
                 timeout_factor=1.0, workdir=None, daemon_args=None, max_seconds=3600):
        if not 2 <= hosts <= MAX_HOSTS:
            raise ValueError("--hosts must be between 2 and %d" % MAX_HOSTS)
        if topology not in ("line", "ring", "random"):
            raise ValueError("--topology must be line, ring or random")
        if topology == "ring" and hosts < 3:
            raise ValueError("a ring needs at least 3 hosts")
        if topology == "random" and not 1 <= degree < hosts:
            raise ValueError("--degree must be between 1 and hosts-1 (%d)" % (hosts - 1))
        if not 1 <= blocks <= MAX_BLOCKS:
            raise ValueError("--blocks must be between 1 and %d" % MAX_BLOCKS)
        if not 0 <= delay <= 10:
            raise ValueError("--delay must be between 0 and 10 s")
        if not 0 <= loss <= 1:
            raise ValueError("--loss must be between 0%% and 100%%")
        if link_emulation not in ("auto", "netem", "userspace", "none"):
            raise ValueError("--link-emulation must be auto, netem, userspace or none")
        if block_timeout <= 0 or timeout_factor <= 0 or max_seconds <= 0:
            raise ValueError("time limits must be positive")
        self.hosts = hosts
        self.topology = topology
        self.degree = degree
        self.delay = delay
        self.loss = loss
        self.blocks = blocks
        self.bitrootd = bitrootd or os.environ.get("BITROOTD") or os.path.join(REPO_ROOT, "src", "bitrootd")
        self.keep = keep
        self.link_emulation = link_emulation
        self.seed = seed if seed is not None else random.randrange(1 << 32)
        self.block_timeout = block_timeout
        self.timeout_factor = timeout_factor
        self.workdir = workdir
        self.daemon_args = list(daemon_args or [])
        self.max_seconds = max_seconds


class Host:
    def __init__(self, index, ns, datadir):
        self.index = index
        self.ns = ns
        self.datadir = datadir
        self.addrs = []         # this host's own link addresses
        self.connect = []       # link addresses this host dials
        self.links = 0
        self.proc = None
        self.rpc = None         # for the main thread
        self.wrpc = None        # for this host's waiter thread
        self.stderr_path = os.path.join(datadir, "stderr.txt")
        self.stdout_path = os.path.join(datadir, "stdout.txt")

    @property
    def cookie_path(self):
        return os.path.join(self.datadir, "regtest", ".cookie")

    @property
    def debug_log(self):
        return os.path.join(self.datadir, "regtest", "debug.log")


class Result:
    def __init__(self):
        self.samples = []       # (block number, host, seconds)
        self.per_block = []     # seconds to the last host, None when one never got it
        self.missing = []       # (block number, host) that never got the block
        self.hashes = []
        self.warmup = None
        self.tips = []
        self.heights = []
        self.tips_agree = False
        self.by_hops = {}
        self.link_rtt = None

    @property
    def ok(self):
        return self.tips_agree and not self.missing

    def summary(self):
        d = {"samples": len(self.samples), "missing": len(self.missing), "tips_agree": self.tips_agree,
             "warmup_s": self.warmup, "link_rtt_s": self.link_rtt}
        vals = [s for _, _, s in self.samples]
        if vals:
            d["host_p50_s"] = percentile(vals, 50)
            d["host_p99_s"] = percentile(vals, 99)
            d["host_max_s"] = max(vals)
            d["host_min_s"] = min(vals)
        full = [s for s in self.per_block if s is not None]
        if full:
            d["all_p50_s"] = percentile(full, 50)
            d["all_p99_s"] = percentile(full, 99)
            d["all_max_s"] = max(full)
        d["by_hops_mean_s"] = {str(h): sum(v) / len(v) for h, v in sorted(self.by_hops.items())}
        return d


class Testnet:
    """Builds the namespaces and links, runs the daemons, measures, cleans up.

    Use from the main thread (daemons are tied to the thread that starts
    them through PR_SET_PDEATHSIG). close() is idempotent and is always safe
    to call, also after a partial set-up."""

    def __init__(self, cfg, log=None):
        self.cfg = cfg
        self.log = log or (lambda msg: print(msg, flush=True))
        self.rng = random.Random(cfg.seed)
        self.runid = "%dx%s" % (os.getpid(), os.urandom(3).hex())
        self.namespaces = []    # every namespace created, in order
        self.hosts = []
        self.edges = []
        self.wire_proc = None
        self.wire_ns = None
        self.emulation = None
        self.emulation_note = ""
        self.link_rtt = None
        self.poll_tips = False
        self.daemon_failures = []   # filled by close(): non-zero exits, stderr output
        self.closed = False
        self.own_workdir = cfg.workdir is None
        self.workdir = cfg.workdir or tempfile.mkdtemp(prefix="bitroot-testnet-%s-" % self.runid)
        os.makedirs(self.workdir, exist_ok=True)
        self.t_start = time.monotonic()

    def _t(self, seconds):
        return seconds * self.cfg.timeout_factor

    def _check_budget(self):
        if time.monotonic() - self.t_start > self.cfg.max_seconds:
            raise TestnetError("the run went past --max-seconds=%d" % self.cfg.max_seconds)

    def ns_name(self, what):
        return "%s%s-%s" % (NS_PREFIX, self.runid, what)

    def _add_ns(self, name):
        # Recorded before it exists, so an interruption between the two
        # still removes it.
        self.namespaces.append(name)
        _run(["ip", "netns", "add", name])
        _run(["ip", "-n", name, "link", "set", "lo", "up"])

    # --- set-up ------------------------------------------------------------

    def _probe_netem(self):
        if shutil.which("tc") is None:
            return "the tc command (iproute2) is not installed"
        ns = self.ns_name("probe")
        try:
            self._add_ns(ns)
            _run(["ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1"])
            p = _run(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", "p0", "root", "netem",
                      "delay", "1ms"], check=False)
            if p.returncode != 0:
                return "tc netem is unavailable (%s)" % (p.stderr.strip() or "exit %d" % p.returncode)
            return None
        finally:
            err = remove_namespace(ns)
            if err is None:
                self.namespaces.remove(ns)

    def _choose_emulation(self):
        mode = self.cfg.link_emulation
        shaped = self.cfg.delay > 0 or self.cfg.loss > 0
        if mode == "none" or (mode == "auto" and not shaped):
            self.emulation = "none"
            if shaped:
                self.emulation_note = "link emulation off: --delay and --loss are NOT applied"
            return
        why = self._probe_netem()
        if why is None:
            self.emulation = "netem"
            if mode == "userspace":
                self.emulation = "userspace"
            return
        if mode == "netem":
            raise TestnetError("--link-emulation=netem: %s" % why)
        if not os.path.exists("/dev/net/tun"):
            raise TestnetError("%s, and /dev/net/tun for the user-space emulator is missing too" % why)
        self.emulation = "userspace"
        self.emulation_note = "%s: links use the user-space emulator" % why

    def setup(self):
        cfg = self.cfg
        if not (os.path.isfile(cfg.bitrootd) and os.access(cfg.bitrootd, os.X_OK)):
            raise TestnetError("bitrootd not found or not executable at %s (build it or pass --bitrootd)"
                               % cfg.bitrootd)
        reap_stale_namespaces(self.log)
        self.edges = build_topology(cfg.hosts, cfg.topology, cfg.degree, self.rng)
        if len(self.edges) > MAX_LINKS:
            raise TestnetError("%d links is more than the %d addresses allow" % (len(self.edges), MAX_LINKS))
        self._choose_emulation()
        for i in range(cfg.hosts):
            ns = self.ns_name(str(i))
            self._add_ns(ns)
            datadir = os.path.join(self.workdir, "host%d" % i)
            os.makedirs(datadir, exist_ok=True)
            self.hosts.append(Host(i, ns, datadir))
        if self.emulation == "userspace":
            self._start_wire()
        for j, (a, b) in enumerate(self.edges):
            self._check_budget()
            self._make_link(j, a, b)
        for h in self.hosts:
            # No default route anywhere: a packet for any address that is
            # not a neighbour's has nowhere to go.
            p = _run(["ip", "-n", h.ns, "route", "show", "default"])
            if p.stdout.strip():
                raise TestnetError("namespace %s unexpectedly has a default route" % h.ns)

    def _start_wire(self):
        self.wire_ns = self.ns_name("wire")
        self._add_ns(self.wire_ns)
        conf = {"seed": self.cfg.seed, "max_seconds": self.cfg.max_seconds + 120,
                "links": [{"a": "w%da" % j, "b": "w%db" % j, "delay": self.cfg.delay,
                           "loss": self.cfg.loss} for j in range(len(self.edges))]}
        path = os.path.join(self.workdir, "wire.json")
        with open(path, "w", encoding="utf8") as f:
            json.dump(conf, f)
        errf = open(os.path.join(self.workdir, "wire-stderr.txt"), "wb")
        self.wire_proc = subprocess.Popen(
            ["ip", "netns", "exec", self.wire_ns, sys.executable, "-u", os.path.abspath(__file__),
             "--wire-emulator", path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errf, preexec_fn=_set_pdeathsig,
            start_new_session=True)
        errf.close()
        ready, _, _ = select.select([self.wire_proc.stdout], [], [], self._t(20))
        line = self.wire_proc.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            self.wire_proc.poll()
            with open(os.path.join(self.workdir, "wire-stderr.txt"), "rb") as f:
                err = f.read().decode("utf8", "replace").strip()
            raise TestnetError("the user-space link emulator did not start: %s" % (err or "no answer"))

    def _make_link(self, j, a, b):
        ha, hb = self.hosts[a], self.hosts[b]
        addr_a, addr_b = link_addresses(j)
        dev_a, dev_b = "to%d" % b, "to%d" % a
        if self.emulation == "userspace":
            for tun, h, dev in (("w%da" % j, ha, dev_a), ("w%db" % j, hb, dev_b)):
                _run(["ip", "-n", self.wire_ns, "link", "set", tun, "netns", h.ns])
                _run(["ip", "-n", h.ns, "link", "set", tun, "name", dev])
        else:
            _run(["ip", "-n", ha.ns, "link", "add", dev_a, "type", "veth", "peer", "name", dev_b,
                  "netns", hb.ns])
        for h, dev, addr in ((ha, dev_a, addr_a), (hb, dev_b, addr_b)):
            _run(["ip", "-n", h.ns, "addr", "add", addr + "/31", "dev", dev])
            _run(["ip", "-n", h.ns, "link", "set", dev, "up"])
            if self.emulation == "netem":
                cmd = ["ip", "netns", "exec", h.ns, "tc", "qdisc", "add", "dev", dev, "root", "netem",
                       "delay", "%dus" % round(self.cfg.delay * 1e6)]
                if self.cfg.loss > 0:
                    cmd += ["loss", "%g%%" % (self.cfg.loss * 100)]
                _run(cmd)
            h.links += 1
        ha.addrs.append(addr_a)
        hb.addrs.append(addr_b)
        # One connection per link: the lower-numbered host dials.
        ha.connect.append(addr_b)

    def measure_link_rtt(self):
        """Time for a TCP connection attempt across link 0 to be refused
        (nothing listens yet): one round trip over that link."""
        a, b = self.edges[0]
        _, addr_b = link_addresses(0)

        def attempt():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(self._t(10))
            t0 = time.monotonic()
            try:
                s.connect((addr_b, P2P_PORT))
            except ConnectionRefusedError:
                return time.monotonic() - t0
            except OSError:
                return None
            finally:
                s.close()
            return None

        samples = []
        for _ in range(5 if self.cfg.loss == 0 else 9):
            v = run_in_netns(self.hosts[a].ns, attempt)
            if v is not None:
                samples.append(v)
        return min(samples) if samples else None

    # --- daemons -------------------------------------------------------------

    def start_daemons(self):
        for h in self.hosts:
            args = [self.cfg.bitrootd, "-regtest", "-datadir=" + h.datadir, "-port=%d" % P2P_PORT,
                    "-listen=1", "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-rpcport=%d" % RPC_PORT,
                    "-dnsseed=0", "-fixedseeds=0", "-discover=0", "-uacomment=testnet%d" % h.index]
            args += ["-bind=%s" % a for a in h.addrs]
            args += ["-connect=%s:%d" % (a, P2P_PORT) for a in h.connect] or ["-connect=0"]
            args += self.cfg.daemon_args
            with open(h.stdout_path, "wb") as out, open(h.stderr_path, "wb") as err:
                h.proc = subprocess.Popen(["ip", "netns", "exec", h.ns] + args, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=err, preexec_fn=_set_pdeathsig,
                                          start_new_session=True)
            h.rpc = NetnsRPC(h.ns, RPC_PORT, h.cookie_path, timeout=self._t(30))
            h.wrpc = NetnsRPC(h.ns, RPC_PORT, h.cookie_path, timeout=self._t(30))
        deadline = time.monotonic() + self._t(60)
        pending = list(self.hosts)
        for _ in range(100000):
            if not pending:
                break
            for h in list(pending):
                if h.proc.poll() is not None:
                    raise TestnetError("bitrootd on host %d exited with %d during start-up: %s" %
                                       (h.index, h.proc.returncode, self._stderr_tail(h)))
                try:
                    h.rpc.call("getblockcount")
                    pending.remove(h)
                except (OSError, ConnectionError, RPCError):
                    # Not listening, no cookie yet, or -28 while warming up.
                    h.rpc.close()
            if time.monotonic() > deadline:
                raise TestnetError("hosts %s did not answer RPC within %ds" %
                                   ([h.index for h in pending], self._t(60)))
            time.sleep(0.1)

    def _stderr_tail(self, h):
        try:
            with open(h.stderr_path, "rb") as f:
                text = f.read()[-2000:].decode("utf8", "replace").strip()
        except OSError:
            text = ""
        return text or "(no stderr)"

    def _check_alive(self):
        for h in self.hosts:
            if h.proc is not None and h.proc.poll() is not None:
                raise TestnetError("bitrootd on host %d exited with %d: %s" %
                                   (h.index, h.proc.returncode, self._stderr_tail(h)))

    def wait_connected(self):
        """Until every host has a handshaken peer on each of its links."""
        deadline = time.monotonic() + self._t(60)
        counts = {}
        for _ in range(100000):
            self._check_alive()
            ok = True
            for h in self.hosts:
                peers = h.rpc.call("getpeerinfo")
                n = sum(1 for p in peers if p.get("version", 1))
                counts[h.index] = n
                if n < h.links:
                    ok = False
            if ok:
                return
            if time.monotonic() > deadline:
                short = {i: "%d/%d" % (counts[i], self.hosts[i].links) for i in counts
                         if counts[i] < self.hosts[i].links}
                raise TestnetError("links not all connected after %ds (host: peers/links) %s" %
                                   (self._t(60), short))
            time.sleep(0.1)

    def _mine_and_time(self, height):
        """Mines one block on host 0; seconds until each other host has it."""
        cfg = self.cfg
        arrivals = {}
        started = threading.Barrier(len(self.hosts))
        limit_ms = int(self._t(cfg.block_timeout) * 1000)

        def poll(h):
            end = time.monotonic() + self._t(cfg.block_timeout)
            while time.monotonic() < end:
                if h.wrpc.call("getblockcount") >= height:
                    return (time.monotonic(), h.wrpc.call("getblockhash", height))
                time.sleep(POLL_INTERVAL)
            return (None, "timed out")

        def waiter(h):
            try:
                started.wait(self._t(10))
            except threading.BrokenBarrierError:
                return
            try:
                if self.poll_tips:
                    arrivals[h.index] = poll(h)
                    return
                r = h.wrpc.call("waitforblockheight", height, limit_ms,
                                timeout=self._t(cfg.block_timeout) + self._t(15))
                if r and r.get("height", -1) >= height:
                    arrivals[h.index] = (time.monotonic(), r.get("hash"))
            except RPCError as e:
                if e.code != RPC_METHOD_NOT_FOUND:
                    arrivals[h.index] = (None, str(e))
                    return
                # A daemon without waitforblockheight: look every 10 ms.
                self.poll_tips = True
                try:
                    arrivals[h.index] = poll(h)
                except (OSError, ConnectionError, RPCError) as e2:
                    arrivals[h.index] = (None, str(e2))
            except (OSError, ConnectionError) as e:
                arrivals[h.index] = (None, str(e))

        threads = [threading.Thread(target=waiter, args=(h,), daemon=True, name="wait%d" % h.index)
                   for h in self.hosts[1:]]
        for t in threads:
            t.start()
        try:
            started.wait(self._t(10))
        except threading.BrokenBarrierError:
            raise TestnetError("waiter threads did not start within %ds" % self._t(10)) from None
        # Give every waiter time to have its request in the daemon before
        # the block exists (a late waiter would only return late, never
        # early, but a settled start keeps the numbers honest).
        time.sleep(0.05)
        # From the call, not its return: the block may reach a neighbour
        # first (it is announced before it is connected and stored).
        t0 = time.monotonic()
        hashes = self.hosts[0].rpc.call("generatetoaddress", 1, mining_address())
        if not isinstance(hashes, list) or len(hashes) != 1:
            raise TestnetError("generatetoaddress returned %r" % (hashes,))
        for t in threads:
            t.join(self._t(cfg.block_timeout) + self._t(20))
        times = {}
        for h in self.hosts[1:]:
            when, what = arrivals.get(h.index, (None, None))
            if when is None:
                times[h.index] = None
                if what:
                    self.log("block %d: waiting on host %d failed: %s" % (height, h.index, what))
            else:
                times[h.index] = max(0.0, when - t0)
                if what != hashes[0]:
                    self.log("block %d: host %d reached the height on another block %s" %
                             (height, h.index, what))
        return hashes[0], times

    def run_blocks(self):
        cfg = self.cfg
        res = Result()
        dist = hop_distances(cfg.hosts, self.edges, 0)
        base = self.hosts[0].rpc.call("getblockcount")
        # Warm-up: every node is in initial block download until it has a
        # recent tip; that block is not a fair measurement.
        _, times = self._mine_and_time(base + 1)
        missing = [i for i, t in times.items() if t is None]
        if missing:
            raise TestnetError("the warm-up block never reached hosts %s" % missing)
        res.warmup = max(times.values())
        self.log("warm-up block reached all %d hosts in %s" % (cfg.hosts, fmt_ms(res.warmup)))
        for k in range(1, cfg.blocks + 1):
            self._check_budget()
            self._check_alive()
            height = base + 1 + k
            bhash, times = self._mine_and_time(height)
            res.hashes.append(bhash)
            got = {i: t for i, t in times.items() if t is not None}
            for i, t in sorted(got.items()):
                res.samples.append((k, i, t))
                res.by_hops.setdefault(dist[i], []).append(t)
            lost = sorted(i for i, t in times.items() if t is None)
            for i in lost:
                res.missing.append((k, i))
            last = max(got.values()) if got else None
            res.per_block.append(None if lost else last)
            slow = max(got, key=got.get) if got else None
            self.log("block %d/%d %s: %d/%d hosts, slowest %s%s" %
                     (k, cfg.blocks, bhash[:16], len(got), cfg.hosts - 1,
                      "%s (host %d, %d hops)" % (fmt_ms(last), slow, dist[slow]) if got else "-",
                      (", never reached hosts %s" % lost) if lost else ""))
        tips = []
        heights = []
        for h in self.hosts:
            tips.append(h.rpc.call("getbestblockhash"))
            heights.append(h.rpc.call("getblockcount"))
        res.tips = tips
        res.heights = heights
        res.tips_agree = len(set(tips)) == 1 and tips[0] == res.hashes[-1]
        return res

    def report(self, res):
        cfg = self.cfg
        s = res.summary()
        lines = []
        if s.get("samples"):
            lines.append("propagation to one host (%d block x host samples): p50 %s  p99 %s  max %s  min %s" %
                         (s["samples"], fmt_ms(s["host_p50_s"]), fmt_ms(s["host_p99_s"]),
                          fmt_ms(s["host_max_s"]), fmt_ms(s["host_min_s"])))
        if "all_p50_s" in s:
            lines.append("propagation to every host (%d blocks): p50 %s  p99 %s  max %s" %
                         (len([x for x in res.per_block if x is not None]), fmt_ms(s["all_p50_s"]),
                          fmt_ms(s["all_p99_s"]), fmt_ms(s["all_max_s"])))
        if res.by_hops:
            lines.append("mean by hop distance from the miner: " +
                         ", ".join("%d: %s" % (h, fmt_ms(sum(v) / len(v))) for h, v in sorted(res.by_hops.items())))
        if res.missing:
            lines.append("NOT propagated within %ds: %d (block, host) pairs, e.g. %s" %
                         (self._t(cfg.block_timeout), len(res.missing), res.missing[:5]))
        if res.tips_agree:
            lines.append("tips: all %d hosts at height %d, %s (agree)" % (cfg.hosts, res.heights[0], res.tips[0]))
        else:
            groups = {}
            for i, t in enumerate(res.tips):
                groups.setdefault(t, []).append(i)
            lines.append("tips DISAGREE: " + "; ".join("%s… on hosts %s" % (t[:16], hs) for t, hs in groups.items()))
        return lines

    def describe(self):
        cfg = self.cfg
        how = {"netem": "tc netem on both ends of a veth pair per link",
               "userspace": "user-space emulator (TUN pair per link)",
               "none": "plain veth pairs, no delay or loss"}[self.emulation]
        return ("%d hosts, %s topology%s, %d links; link delay %s one-way, loss %g%%; %s; seed %d" %
                (cfg.hosts, cfg.topology, (" degree %d" % cfg.degree) if cfg.topology == "random" else "",
                 len(self.edges), fmt_ms(cfg.delay), cfg.loss * 100, how, cfg.seed))

    # --- clean-up ------------------------------------------------------------

    def close(self):
        """Stops every daemon and the emulator, deletes every namespace.

        Returns a list of problems (empty when everything is gone)."""
        if self.closed:
            return []
        self.closed = True
        problems = []
        running = [h for h in self.hosts if h.proc is not None and h.proc.poll() is None]
        for h in running:
            try:
                h.rpc.call("stop", timeout=5)
            except Exception:  # noqa: BLE001 -- SIGTERM below takes over
                pass
        self._reap([h.proc for h in running], self._t(20))
        for h in self.hosts:
            if h.proc is not None and h.proc.returncode != 0:
                self.daemon_failures.append("host %d: bitrootd exited with %s: %s" %
                                            (h.index, h.proc.returncode, self._stderr_tail(h)))
            elif h.proc is not None and os.path.exists(h.stderr_path) and os.path.getsize(h.stderr_path):
                self.daemon_failures.append("host %d: bitrootd wrote to stderr: %s" %
                                            (h.index, self._stderr_tail(h)))
        for h in self.hosts:
            for c in (h.rpc, h.wrpc):
                if c is not None:
                    c.close()
        if self.wire_proc is not None:
            try:
                self.wire_proc.stdin.close()
            except OSError:
                pass
            self._reap([self.wire_proc], 5)
            self.wire_proc.stdout.close()
        for ns in reversed(self.namespaces):
            err = remove_namespace(ns)
            if err:
                problems.append("namespace %s: %s" % (ns, err))
        left = [ns for ns in list_namespaces() if ns.startswith(NS_PREFIX + self.runid + "-")]
        problems += ["namespace %s still exists" % ns for ns in left]
        if self.own_workdir and not self.cfg.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        elif self.cfg.keep:
            self.log("data directories and logs kept in %s" % self.workdir)
        return problems

    @staticmethod
    def _reap(procs, grace):
        procs = [p for p in procs if p.poll() is None]
        deadline = time.monotonic() + grace
        while procs and time.monotonic() < deadline:
            time.sleep(0.05)
            procs = [p for p in procs if p.poll() is None]
        for p in procs:
            p.terminate()
        deadline = time.monotonic() + 5
        while procs and time.monotonic() < deadline:
            time.sleep(0.05)
            procs = [p for p in procs if p.poll() is None]
        for p in procs:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


def install_signal_handlers():
    """SIGINT, SIGTERM and SIGHUP raise Interrupted in the main thread, so
    the finally blocks that clean up run."""
    def handler(signum, _frame):
        # Further signals while the clean-up runs would cut it short.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def run(cfg, log=None):
    """Builds the network, measures, tears it down; returns (Testnet, Result).

    Raises TestnetError (and Interrupted) after cleaning up."""
    net = Testnet(cfg, log)
    try:
        net.setup()
        net.log("testnet %s: %s" % (net.runid, net.describe()))
        if net.emulation_note:
            net.log("NOTE: " + net.emulation_note)
        if net.emulation != "none":
            net.link_rtt = net.measure_link_rtt()
        if net.link_rtt is not None:
            net.log("link round trip (TCP connect refused across link 0): %s, expected ~%s" %
                    (fmt_ms(net.link_rtt), fmt_ms(2 * cfg.delay)))
        net.start_daemons()
        net.wait_connected()
        net.log("all %d hosts up, every link connected" % cfg.hosts)
        res = net.run_blocks()
        res.link_rtt = net.link_rtt
        return net, res
    finally:
        problems = net.close()
        for p in net.daemon_failures:
            net.log("DAEMON PROBLEM: " + p)
        for p in problems:
            net.log("CLEAN-UP PROBLEM: " + p)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="See doc/testnet.md.")
    p.add_argument("--hosts", type=int, required=True, help="number of bitrootd hosts (2..%d)" % MAX_HOSTS)
    p.add_argument("--topology", choices=("line", "ring", "random"), default="ring")
    p.add_argument("--degree", type=int, default=3, help="random topology: links per host at least (default 3)")
    p.add_argument("--delay", default="0ms", help="one-way delay per link, e.g. 50ms (default 0)")
    p.add_argument("--loss", default="0%", help="packet loss per link and direction, e.g. 1%% (default 0%%)")
    p.add_argument("--blocks", type=int, default=10, help="blocks to mine and time (default 10)")
    p.add_argument("--bitrootd", help="bitrootd binary (default: $BITROOTD or src/bitrootd of this checkout)")
    p.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    p.add_argument("--link-emulation", choices=("auto", "netem", "userspace", "none"), default="auto",
                   help="how delay and loss are applied (default auto: netem if the kernel has it, "
                   "else the user-space emulator)")
    p.add_argument("--seed", type=int, help="seed for the random topology and loss")
    p.add_argument("--block-timeout", type=float, default=60.0,
                   help="seconds a block may take to reach every host (default 60)")
    p.add_argument("--max-seconds", type=int, default=3600, help="limit for the whole run (default 3600)")
    p.add_argument("--workdir", help="directory for data directories (default: a new temporary one)")
    p.add_argument("--json", help="also write the results as JSON to this file")
    p.add_argument("--daemon-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for every bitrootd, e.g. --daemon-arg=-debug=net (repeatable)")
    return p.parse_args(argv)


def main(argv):
    if len(argv) == 2 and argv[0] == "--wire-emulator":
        return wire_main(argv[1])
    args = parse_args(argv)
    try:
        cfg = Config(hosts=args.hosts, topology=args.topology, degree=args.degree,
                     delay=parse_duration(args.delay), loss=parse_percent(args.loss), blocks=args.blocks,
                     bitrootd=args.bitrootd, keep=args.keep, link_emulation=args.link_emulation,
                     seed=args.seed, block_timeout=args.block_timeout, workdir=args.workdir,
                     daemon_args=args.daemon_arg, max_seconds=args.max_seconds)
    except ValueError as e:
        print("testnet: %s" % e, file=sys.stderr)
        return 2
    why = environment_problem()
    if why:
        print("testnet: cannot build the network here: %s" % why, file=sys.stderr)
        return 2
    install_signal_handlers()
    try:
        net, res = run(cfg)
    except Interrupted as e:
        print("testnet: interrupted by signal %d; everything was cleaned up" % e.signum, file=sys.stderr)
        return 128 + e.signum
    except TestnetError as e:
        print("testnet: %s" % e, file=sys.stderr)
        return 2
    lines = net.report(res)
    for line in lines:
        print(line)
    if args.json:
        out = {"config": {"hosts": cfg.hosts, "topology": cfg.topology, "degree": cfg.degree,
                          "delay_s": cfg.delay, "loss": cfg.loss, "blocks": cfg.blocks, "seed": cfg.seed,
                          "emulation": net.emulation, "links": len(net.edges)},
               "result": res.summary(),
               "samples": [{"block": b, "host": h, "seconds": s} for b, h, s in res.samples],
               "missing": [{"block": b, "host": h} for b, h in res.missing]}
        with open(args.json, "w", encoding="utf8") as f:
            json.dump(out, f, indent=1)
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
