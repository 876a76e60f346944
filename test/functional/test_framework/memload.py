"""The two loads that used to leave bitrootd holding memory (issue 17).

Shared by contrib/bench/bench_memory.py (the figures) and
feature_memory_return.py (the bound):

- rpc_getblock_batch: one JSON-RPC batch of N getblock calls at verbosity
  2, cycling over the chain's blocks; the whole reply is read and dropped.
- half_sent_messages: P peers each declare a 4,000,000-byte message and send
  most of it, all at once, then hang up.
- settled_rss_kb: the node's resident size once it stops falling.
"""

import base64
import http.client
import json
import socket
import struct
import time

from .util import process_rss_kb

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
DECLARED = 4000000          # MAX_PROTOCOL_MESSAGE_LENGTH
SENT = 3900000              # "3.9 MB": never the whole message


def _post(node, body, timeout):
    user, pw = node.read_cookie()
    auth = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=timeout)
    try:
        conn.request("POST", "/", body, {"Authorization": "Basic " + auth,
                                         "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def rpc_getblock_batch(node, n=2000, timeout=600):
    """Sends the batch; returns (HTTP status, reply bytes, answers that are results)."""
    height = node.getblockcount()
    hashes = [node.getblockhash(h) for h in range(1, height + 1)] or [node.getbestblockhash()]
    body = json.dumps([{"method": "getblock", "params": [hashes[i % len(hashes)], 2], "id": i}
                       for i in range(n)])
    status, data = _post(node, body, timeout)
    try:
        replies = json.loads(data)
    except ValueError:
        return status, len(data), 0
    ok = sum(1 for r in replies if isinstance(r, dict) and r.get("error") is None) \
        if isinstance(replies, list) else 0
    return status, len(data), ok


def half_sent_messages(node, peers=20, declared=DECLARED, sent=SENT, on_held=None, timeout=120):
    """P connections, each with a header declaring `declared` bytes and `sent` of them.

    The header is a v1 "version", which the node's v2 detection takes for
    v1. on_held(), if given, is called while every peer still holds its
    part-message; then all hang up.
    """
    head = REGTEST_MAGIC + b"version".ljust(12, b"\0") + struct.pack("<I", declared) + b"\0" * 4
    chunk = b"\0" * 65536
    socks = []
    try:
        for _ in range(peers):
            s = socket.create_connection(("127.0.0.1", node.p2p_port), timeout=timeout)
            s.sendall(head)
            socks.append(s)
        # Interleaved, so every peer's buffer grows at once.
        left = [sent] * peers
        while any(left):
            for i, s in enumerate(socks):
                if left[i]:
                    k = min(left[i], len(chunk))
                    s.sendall(chunk[:k])
                    left[i] -= k
        if on_held is not None:
            on_held()
    finally:
        for s in socks:
            s.close()


def settled_rss_kb(pid, timeout=30, step=0.5):
    """RSS once two samples a second apart differ by under 1 MB (or at the time-out)."""
    deadline = time.monotonic() + timeout
    last = process_rss_kb(pid)
    while time.monotonic() < deadline:
        time.sleep(step)
        now = process_rss_kb(pid)
        if now is None or last is None or abs(now - last) < 1024:
            return now
        last = now
    return last
