#!/usr/bin/env python3
"""Polls a bitrootd metrics listener as Prometheus would: GET /metrics once
a second (and /status.json, as an open status page would every 2 s), until
killed. Connection failures (the node not up yet, or gone) are counted and
ignored. On SIGTERM prints one line: scrapes, failures, bytes, mean ms.

usage: contrib/bench/scrape_loop.py PORT [INTERVAL_SECONDS]
"""

import signal
import sys
import time
import urllib.request


def main():
    port = int(sys.argv[1])
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    stats = {"ok": 0, "fail": 0, "bytes": 0, "secs": 0.0}

    def done(*_):
        n = max(stats["ok"], 1)
        print("scraper: %d scrapes, %d failed, %d bytes, %.2f ms mean" %
              (stats["ok"], stats["fail"], stats["bytes"], 1000 * stats["secs"] / n), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    signal.signal(signal.SIGINT, done)
    tick = 0
    while True:
        paths = ["/metrics"] + (["/status.json"] if tick % 2 == 0 else [])
        for path in paths:
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
                    stats["bytes"] += len(r.read())
                stats["ok"] += 1
                stats["secs"] += time.monotonic() - t0
            except OSError:
                stats["fail"] += 1
        tick += 1
        time.sleep(interval)


if __name__ == "__main__":
    main()
