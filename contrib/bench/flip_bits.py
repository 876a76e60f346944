#!/usr/bin/env python3
"""Bit rot experiment (issue 17): import the shared chain once, then for each
seed flip 20 random bits of chainstate/data.mdb outside its two meta pages,
start bitrootd and ask gettxoutsetinfo. Prints per seed whether the node
refused (and its first line on stderr), served the right hash_serialized_3
(the flips missed everything read), or served a wrong one.

usage: contrib/bench/flip_bits.py [BUILDDIR] [FIRST_SEED] [LAST_SEED]
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

FLIPS = 20


def main():
    builddir = sys.argv[1] if len(sys.argv) > 1 else "."
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    last = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    srcdir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = os.environ.get("BR_SHARED_DIR", os.path.join(srcdir, "..", "shared"))
    dat = os.path.join(shared, "chains", "regtest-dev.dat")
    with open(os.path.join(shared, "chains", "regtest-dev.json"), encoding="utf8") as f:
        expect = json.load(f)
    daemon = os.path.join(builddir, "src", "bitrootd")
    port = str(20000 + os.getpid() % 10000)
    base = tempfile.mkdtemp(prefix="flip_bits.")
    common = ["-regtest", "-datadir=" + base, "-listen=0", "-connect=0", "-rpcport=" + port,
              "-printtoconsole=0"]
    cli = [os.path.join(builddir, "src", "bitroot-cli"), "-regtest", "-datadir=" + base, "-rpcport=" + port]
    subprocess.run([daemon] + common + ["-loadblock=" + dat, "-stopatheight=%d" % expect["height"]],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    cs = os.path.join(base, "regtest", "chainstate")
    pristine = os.path.join(base, "pristine")
    shutil.copytree(cs, pristine)
    try:
        for seed in range(first, last + 1):
            shutil.rmtree(cs)
            shutil.copytree(pristine, cs)
            path = os.path.join(cs, "data.mdb")
            with open(path, "rb") as f:
                data = bytearray(f.read())
            rng = random.Random(seed)
            for _ in range(FLIPS):
                data[rng.randrange(2 * 4096, len(data))] ^= 1 << rng.randrange(8)
            with open(path, "wb") as f:
                f.write(data)
            proc = subprocess.Popen([daemon] + common, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            served = None
            for _ in range(300):
                if proc.poll() is not None:
                    break
                r = subprocess.run(cli + ["gettxoutsetinfo"], capture_output=True, text=True)
                if r.returncode == 0:
                    served = json.loads(r.stdout)["hash_serialized_3"]
                    break
                time.sleep(0.2)
            if served is not None:
                subprocess.run(cli + ["stop"], capture_output=True)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            err = proc.stderr.read().decode("utf8", "replace").strip().splitlines()
            if served is None:
                print("seed %d: refused, exit %d: %s" % (seed, proc.returncode, err[0] if err else ""))
            elif served == expect["hash_serialized_3"]:
                print("seed %d: served the right hash" % seed)
            else:
                print("seed %d: served a WRONG hash %s" % (seed, served))
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
