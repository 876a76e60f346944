"""Assertions, waiting helpers, port allocation and datadir set-up.

Everything here is used from the test's main thread. Functions that look at
P2P state take the framework's p2p lock themselves when given one.
"""

import decimal
import errno
import inspect
import os
import re
import socket
import time

from .authproxy import JSONRPCException

# Node numbers are small; every test gets its own window of ports so tests
# run in parallel by test_runner.py never pick the same ones.
MAX_NODES = 16
PORTS_PER_WINDOW = 4 * MAX_NODES     # p2p, rpc, and spare ports for tests
PORT_MIN = 11000


def ephemeral_port_range(path="/proc/sys/net/ipv4/ip_local_port_range"):
    """The kernel's range for outgoing connections' local ports, (low, high)."""
    try:
        with open(path, encoding="ascii") as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999      # Linux's default


def port_limit(ephemeral=None):
    """The end (exclusive) of the ports the framework hands out.

    The kernel gives every outgoing connection (the framework's RPC and P2P
    clients, the nodes' own dials) a local port from the ephemeral range;
    a window inside it can find its port taken by some other test's
    connection between the check and the node's bind. So stay below it.
    """
    low, _ = ephemeral if ephemeral is not None else ephemeral_port_range()
    if low - PORT_MIN < 16 * PORTS_PER_WINDOW:
        raise RuntimeError("ip_local_port_range starts at %d: fewer than 16 port windows "
                           "fit between %d and it; raise its start" % (low, PORT_MIN))
    return low


PORT_MAX = port_limit()
PORT_WINDOWS = (PORT_MAX - PORT_MIN) // PORTS_PER_WINDOW

REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
REGTEST_GENESIS_TIME = 1296688602


class PortSeed:
    """The per-run seed; set once by the framework from --portseed."""
    n = None


class Timeouts:
    """--timeout-factor, set once by the framework; scales every wait_until."""
    factor = 1.0


# ---------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------

def assert_equal(thing1, thing2, *args):
    if thing1 != thing2 or any(thing1 != arg for arg in args):
        raise AssertionError("not(%s)" % " == ".join(repr(a) for a in (thing1, thing2) + args))


def assert_not_equal(thing1, thing2):
    if thing1 == thing2:
        raise AssertionError("%r == %r" % (thing1, thing2))


def assert_greater_than(thing1, thing2):
    if not thing1 > thing2:
        raise AssertionError("%r <= %r" % (thing1, thing2))


def assert_greater_than_or_equal(thing1, thing2):
    if not thing1 >= thing2:
        raise AssertionError("%r < %r" % (thing1, thing2))


def assert_less_than(thing1, thing2):
    if not thing1 < thing2:
        raise AssertionError("%r >= %r" % (thing1, thing2))


def assert_in(item, container):
    if item not in container:
        raise AssertionError("%r not in %r" % (item, container))


def assert_is_hex_string(s, length=None):
    if not isinstance(s, str) or re.fullmatch(r"[0-9a-f]*", s) is None:
        raise AssertionError("not a lower-case hex string: %r" % (s,))
    if length is not None and len(s) != length:
        raise AssertionError("hex string %r has length %d, expected %d" % (s, len(s), length))


def assert_is_hash_string(s):
    assert_is_hex_string(s, 64)


def assert_keys(obj, required, optional=()):
    """obj is a dict whose keys are exactly required plus any of optional."""
    if not isinstance(obj, dict):
        raise AssertionError("expected a JSON object, got %r" % (obj,))
    keys = set(obj)
    missing = set(required) - keys
    extra = keys - set(required) - set(optional)
    if missing or extra:
        raise AssertionError("keys differ: missing %s, unexpected %s in %r" %
                             (sorted(missing), sorted(extra), obj))


def assert_raises(exc, fun, *args, **kwds):
    assert_raises_message(exc, None, fun, *args, **kwds)


def assert_raises_message(exc, message, fun, *args, **kwds):
    try:
        fun(*args, **kwds)
    except JSONRPCException:
        if exc is not JSONRPCException:
            raise AssertionError("unexpected JSONRPCException raised")
        return
    except exc as e:
        if message is not None and message not in str(e):
            raise AssertionError("expected message %r not found in %r" % (message, str(e)))
        return
    raise AssertionError("no exception raised")


def assert_raises_rpc_error(code, message, fun, *args, **kwds):
    """Runs fun and checks it raises a JSON-RPC error.

    code: the expected error code, or None to accept any.
    message: a substring of the expected message, or None to accept any.
    """
    try:
        fun(*args, **kwds)
    except JSONRPCException as e:
        if code is not None and e.error.get("code") != code:
            raise AssertionError("expected RPC error code %d, got %r (%r)" %
                                 (code, e.error.get("code"), e.error.get("message")))
        if message is not None and message not in str(e.error.get("message")):
            raise AssertionError("expected RPC error message containing %r, got %r" %
                                 (message, e.error.get("message")))
        return e
    except Exception as e:
        raise AssertionError("expected a JSONRPCException, got %s: %s" % (type(e).__name__, e))
    raise AssertionError("RPC call did not fail (expected code %r)" % (code,))


def assert_rpc_exact(code, message, fun, *args, **kwds):
    """Runs fun and checks it fails with exactly this JSON-RPC code and message."""
    e = assert_raises_rpc_error(code, None, fun, *args, **kwds)
    assert_equal((e.error["code"], e.error["message"]), (code, message))


def assert_approx(v, vexp, vspan):
    if v < vexp - vspan or v > vexp + vspan:
        raise AssertionError("%s not within %s of %s" % (v, vspan, vexp))


# ---------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------

def wait_until(predicate, *, timeout=60, check_interval=0.05, lock=None, timeout_factor=None,
               message=None):
    """Polls predicate until it returns a true value; AssertionError on timeout.

    lock, if given, is held while the predicate runs (P2P state is changed by
    the network thread under that lock).
    """
    if timeout_factor is None:
        timeout_factor = Timeouts.factor
    deadline = time.monotonic() + timeout * timeout_factor
    # Poll fast at first (most waits end within milliseconds), then back off.
    pause = min(0.001, check_interval)
    while True:
        if lock is not None:
            with lock:
                ok = predicate()
        else:
            ok = predicate()
        if ok:
            return ok
        if time.monotonic() > deadline:
            break
        time.sleep(pause)
        pause = min(pause * 2, check_interval)
    try:
        src = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        src = repr(predicate)
    raise AssertionError("wait_until timed out after %.1fs: %s%s" %
                         (timeout * timeout_factor, src, (" (" + message + ")") if message else ""))


def sync_blocks(rpc_connections, *, wait=0.1, timeout=60):
    """Waits until every node has the same best block hash."""
    if not rpc_connections:
        return
    deadline = time.monotonic() + timeout
    best = None
    while time.monotonic() < deadline:
        best = [r.getbestblockhash() for r in rpc_connections]
        if best.count(best[0]) == len(rpc_connections):
            # The nodes agree; let their validation queues drain so later
            # RPCs see every side effect of that tip.
            for r in rpc_connections:
                r.syncwithvalidationinterfacequeue()
            return
        time.sleep(wait)
    heights = []
    for r in rpc_connections:
        try:
            heights.append(r.getblockcount())
        except Exception as e:  # noqa: BLE001 -- only for the report
            heights.append(str(e))
    raise AssertionError("block sync timed out after %ds: best hashes %s, heights %s" %
                         (timeout, best, heights))


def sync_mempools(rpc_connections, *, wait=0.1, timeout=60):
    if len(rpc_connections) < 2:
        return
    deadline = time.monotonic() + timeout
    pools = None
    while time.monotonic() < deadline:
        pools = [set(r.getrawmempool()) for r in rpc_connections]
        if pools.count(pools[0]) == len(rpc_connections):
            return
        time.sleep(wait)
    raise AssertionError("mempool sync timed out: %s" % pools)


# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

_port_cache = {}


_bind_errors = []      # (port, "errno NAME: message") of the last failed binds


def _port_is_free(port):
    """True if nothing is bound to 127.0.0.1:port (TCP)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError as e:
        _bind_errors.append((port, bind_error_text(e)))
        del _bind_errors[:-8]
        return False
    finally:
        s.close()


def bind_error_text(e):
    """'errno 98 (EADDRINUSE): Address already in use' for an OSError."""
    name = errno.errorcode.get(e.errno, "?") if e.errno is not None else "?"
    return "errno %s (%s): %s" % (e.errno, name, e.strerror or os.strerror(e.errno or 0))


def _window_base():
    seed = PortSeed.n if PortSeed.n is not None else os.getpid()
    return PORT_MIN + (seed % PORT_WINDOWS) * PORTS_PER_WINDOW


def _pick(kind, n, offset):
    if not 0 <= n < MAX_NODES:
        raise ValueError("port index %d out of range" % n)
    key = (kind, n)
    if key in _port_cache:
        return _port_cache[key]
    base = _window_base()
    # Prefer the deterministic slot; if something else holds it, walk the
    # spare part of this window, then the following windows.
    candidates = [base + offset + n]
    candidates += [base + 3 * MAX_NODES + i for i in range(MAX_NODES)]
    candidates += range(base + PORTS_PER_WINDOW, PORT_MAX)
    taken = set(_port_cache.values())
    for port in candidates:
        if port in taken or port >= PORT_MAX:
            continue
        if _port_is_free(port):
            _port_cache[key] = port
            return port
    raise RuntimeError("no free TCP port found for %s %d below %d; last bind errors: %s" % (
        kind, n, PORT_MAX, "; ".join("%d: %s" % pe for pe in _bind_errors) or "none"))


def p2p_port(n):
    return _pick("p2p", n, 0)


def rpc_port(n):
    return _pick("rpc", n, MAX_NODES)


def spare_port(n):
    """A free port that no node is configured with (for 'nothing listens here')."""
    return _pick("spare", n, 2 * MAX_NODES)


# ---------------------------------------------------------------------------
# Datadirs
# ---------------------------------------------------------------------------

def get_datadir_path(dirname, n):
    return os.path.join(dirname, "node" + str(n))


def chain_dir(datadir, chain="regtest"):
    return os.path.join(datadir, chain)


def write_config(path, *, n, chain="regtest", extra_config="", disable_autoconnect=True):
    """Writes a Core-harness style config file: regtest=1 and a [regtest] section."""
    lines = [
        "%s=1" % chain,
        "[%s]" % chain,
        "port=%d" % p2p_port(n),
        "rpcport=%d" % rpc_port(n),
        "rpcservertimeout=99000",
        "rpcdoccheck=1",
        "fallbackfee=0.0002",
        "server=1",
        "keypool=1",
        "discover=0",
        "dnsseed=0",
        "fixedseeds=0",
        "listenonion=0",
        "peertimeout=999999999",
        "printtoconsole=0",
        "natpmp=0",
        "shrinkdebugfile=0",
        # A key bitrootd does not know: the harness contract says unknown
        # keys are tolerated, and Core's harness writes this one.
        "deprecatedrpc=create_bdb",
        "unsafesqlitesync=1",
        "bind=127.0.0.1",
    ]
    if disable_autoconnect:
        lines.append("connect=0")
    with open(path, "w", encoding="utf8") as f:
        f.write("\n".join(lines) + "\n")
        if extra_config:
            f.write(extra_config if extra_config.endswith("\n") else extra_config + "\n")


def initialize_datadir(dirname, n, *, conf_name="bitcoin.conf", extra_config="",
                       disable_autoconnect=True):
    datadir = get_datadir_path(dirname, n)
    os.makedirs(datadir, exist_ok=True)
    write_config(os.path.join(datadir, conf_name), n=n, extra_config=extra_config,
                 disable_autoconnect=disable_autoconnect)
    return datadir


def append_config(datadir, lines, conf_name="bitcoin.conf"):
    with open(os.path.join(datadir, conf_name), "a", encoding="utf8") as f:
        for line in lines:
            f.write(line + "\n")


# ---------------------------------------------------------------------------
# Miscellaneous
# ---------------------------------------------------------------------------

def satoshi_round(amount):
    return decimal.Decimal(amount).quantize(decimal.Decimal("0.00000001"), rounding=decimal.ROUND_DOWN)


def hex_str_to_bytes(s):
    return bytes.fromhex(s)


def process_rss_kb(pid):
    """Resident set size of a process in kB, from /proc (None if gone)."""
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    except (OSError, IndexError):
        return False


# ---------------------------------------------------------------------------
# Connecting nodes (TestNode objects)
# ---------------------------------------------------------------------------

def _find_peer(node, subver, inbound):
    for p in node.getpeerinfo():
        if p.get("subver") == subver and p.get("inbound") == inbound:
            return p
    return None


def _bytes_recv(peer, msgtype):
    return 0 if peer is None else peer.get("bytesrecv_per_msg", {}).get(msgtype, 0)


def connect_nodes(from_node, to_node, *, timeout=60):
    """from_node opens a manual connection to to_node; returns when both finished the handshake."""
    from_subver = from_node.getnetworkinfo()["subversion"]
    to_subver = to_node.getnetworkinfo()["subversion"]
    from_node.addnode("127.0.0.1:%d" % to_node.p2p_port, "onetry")
    factor = getattr(from_node, "timeout_factor", 1.0)

    # Both sides see the other with a version (handshake done) ...
    def handshaken():
        a = _find_peer(from_node, to_subver, False)
        b = _find_peer(to_node, from_subver, True)
        return (a is not None and b is not None and a.get("version", 0) != 0 and b.get("version", 0) != 0
                and _bytes_recv(a, "verack") >= 21 and _bytes_recv(b, "verack") >= 21)
    wait_until(handshaken, timeout=timeout, timeout_factor=factor,
               message="connect %s -> %s" % (from_subver, to_subver))
    # ... and a ping round trip each way proves the verack was processed.
    pongs_a = _bytes_recv(_find_peer(from_node, to_subver, False), "pong")
    pongs_b = _bytes_recv(_find_peer(to_node, from_subver, True), "pong")
    from_node.ping()
    to_node.ping()
    wait_until(lambda: _bytes_recv(_find_peer(from_node, to_subver, False), "pong") > pongs_a and
               _bytes_recv(_find_peer(to_node, from_subver, True), "pong") > pongs_b,
               timeout=timeout, timeout_factor=factor, message="pong after connect")


def disconnect_nodes(from_node, to_node, *, timeout=60):
    """Drops every connection between the two nodes, whichever side opened it."""
    to_subver = to_node.getnetworkinfo()["subversion"]
    from_subver = from_node.getnetworkinfo()["subversion"]
    for p in from_node.getpeerinfo():
        if p.get("subver") == to_subver:
            try:
                from_node.disconnectnode(nodeid=p["id"])
            except JSONRPCException as e:
                # -29: already gone between getpeerinfo and the call.
                if e.error.get("code") != -29:
                    raise
    factor = getattr(from_node, "timeout_factor", 1.0)
    wait_until(lambda: not any(p.get("subver") == to_subver for p in from_node.getpeerinfo()) and
               not any(p.get("subver") == from_subver for p in to_node.getpeerinfo()),
               timeout=timeout, timeout_factor=factor, message="disconnect")
