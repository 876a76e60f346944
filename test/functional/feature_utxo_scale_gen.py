#!/usr/bin/env python3
"""The scale benchmark's chains are valid: contrib/bench/gen_utxo_chain.

- The generator is deterministic: the same seed gives the same bytes, another
  seed another chain. Its file is in the bootstrap format: genesis first,
  then one record per block up to the height it prints.
- A 20,000-coin chain (OP_TRUE spends of random older coins) is imported with
  -loadblock into bitrootd and into Bitcoin Core 28.1: both accept every block,
  end on the generator's tip with exactly 20,000 coins and the same
  hash_serialized_3, and count the generator's transactions.
- The signed variant (P2WPKH, a real signature per input, witness
  commitments) likewise, at 5,000 coins.
- contrib/bench/bench_utxo_scale.sh, given the cached 20,000-coin chain,
  prints one JSON line for bitrootd, core and core-dbcache4000, each with
  positive figures and the hash both nodes above agreed on.

Skipped with one line when the Core binary cannot run (failed under CI or
--require-core).
"""

import filecmp
import json
import os
import subprocess

from test_framework.blocktools import bootstrap_records
from test_framework.messages import hash256, hash_to_hex
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

IMPLS = ["bitrootd", "core", "bitrootd", "core"]
COINS = 20000
SIGNED_COINS = 5000
JSON_FIELDS = ("node", "coins", "seconds", "peak_rss_kb", "disk_bytes", "blocks_per_s", "inputs_per_s",
               "last10pct_seconds", "hash_serialized_3")


class UtxoScaleGenTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.rpc_timeout = 120

    def setup_network(self):
        self.add_nodes(self.num_nodes, binaries=self.node_impls)

    def builddir(self):
        return os.path.dirname(os.path.dirname(os.path.abspath(self.options.bitrootd)))

    def generate_chain(self, path, coins, seed, signed=False):
        gen = os.path.join(self.builddir(), "contrib", "bench", "gen_utxo_chain")
        assert os.access(gen, os.X_OK), "no %s: build first" % gen
        cmd = [gen, "--coins", str(coins), "--seed", str(seed), "--out", path] + (["--signed"] if signed else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        info = dict(line.split("=", 1) for line in out.split())
        for k in ("height", "coins", "transactions", "inputs", "bytes"):
            info[k] = int(info[k])
        assert_equal(info["coins"], coins)
        assert_equal(info["bytes"], os.path.getsize(path))
        return info, out

    def check_file(self, path, info):
        raws = list(bootstrap_records(path))
        assert_equal(len(raws), info["height"] + 1)
        assert_equal(hash_to_hex(hash256(raws[-1][:80])), info["tip"])
        return hash_to_hex(hash256(raws[0][:80]))

    def import_both(self, pair, path, info, genesis):
        for i in pair:
            self.start_node(i, extra_args=["-loadblock=" + path])
        for i in pair:
            n = self.nodes[i]
            self.wait_until(lambda n=n: n.getblockcount() >= info["height"], timeout=600)
        answers = []
        for i in pair:
            n = self.nodes[i]
            assert_equal(n.getblockcount(), info["height"])
            assert_equal(n.getbestblockhash(), info["tip"])
            assert_equal(n.getblockhash(0), genesis)
            assert_equal(n.getchaintxstats()["txcount"], info["transactions"])
            utxo = n.gettxoutsetinfo()
            assert_equal(utxo["txouts"], info["coins"])
            assert_equal(utxo["bestblock"], info["tip"])
            answers.append(utxo)
        assert_equal(answers[0]["hash_serialized_3"], answers[1]["hash_serialized_3"])
        assert_equal(answers[0]["total_amount"], answers[1]["total_amount"])
        self.log.info("  both nodes at height %d, %d coins, hash_serialized_3 %s", info["height"],
                      info["coins"], answers[0]["hash_serialized_3"])
        return answers[0]["hash_serialized_3"]

    def run_test(self):
        seed = self.rng.randrange(1 << 31)
        cache = os.path.join(self.tmpdir, "cache")
        os.makedirs(cache)
        # The name bench_utxo_scale.sh looks for, so it reuses this chain.
        plain = os.path.join(cache, "utxo-%d-s%d.dat" % (COINS, seed))
        self.log.info("Generating %d coins with seed %d", COINS, seed)
        info, out = self.generate_chain(plain, COINS, seed)
        self.log.info("  height %d, %d transactions, %d inputs, %d bytes", info["height"],
                      info["transactions"], info["inputs"], info["bytes"])
        with open(plain[:-4] + ".txt", "w", encoding="utf8") as f:
            f.write(out)

        self.log.info("The same seed gives the same file; another seed another chain")
        again = os.path.join(self.tmpdir, "again.dat")
        assert_equal(self.generate_chain(again, COINS, seed)[0], info)
        assert filecmp.cmp(plain, again, shallow=False), "two runs with one seed differ"
        other = self.generate_chain(again, COINS, seed + 1)[0]
        assert other["tip"] != info["tip"]
        genesis = self.check_file(plain, info)

        self.log.info("bitrootd and Core import the OP_TRUE chain")
        plain_hash = self.import_both((0, 1), plain, info, genesis)
        # Spends of every kind of older coin: far more inputs than blocks.
        assert info["inputs"] > 10 * info["height"]

        self.log.info("bitrootd and Core import the signed chain (%d coins)", SIGNED_COINS)
        signed = os.path.join(self.tmpdir, "signed.dat")
        sinfo = self.generate_chain(signed, SIGNED_COINS, seed, signed=True)[0]
        assert_equal(self.check_file(signed, sinfo), genesis)
        signed_hash = self.import_both((2, 3), signed, sinfo, genesis)
        assert signed_hash != plain_hash
        for i in range(self.num_nodes):
            self.stop_node(i)

        self.log.info("bench_utxo_scale.sh on the cached chain: one JSON line per node")
        script = os.path.join(os.path.dirname(__file__), "..", "..", "contrib", "bench", "bench_utxo_scale.sh")
        env = dict(os.environ, BENCH_CACHE=cache)
        res = subprocess.run([script, "--coins", str(COINS), "--seed", str(seed), "--runs", "1",
                              "--core", self.options.bitcoind, "--builddir", self.builddir()],
                             env=env, capture_output=True, text=True, timeout=900)
        assert_equal(res.returncode, 0)
        assert "generating" not in res.stderr, "the script did not reuse the cached chain"
        lines = [json.loads(line) for line in res.stdout.splitlines()]
        assert_equal([d["node"] for d in lines], ["bitrootd", "core", "core-dbcache4000"])
        for d in lines:
            for k in JSON_FIELDS:
                assert k in d, (k, d)
            assert_equal(d["coins"], COINS)
            assert_equal(d["height"], info["height"])
            assert_equal(d["inputs"], info["inputs"])
            assert_equal(d["hash_serialized_3"], plain_hash)
            for k in ("seconds", "peak_rss_kb", "disk_bytes", "blocks_per_s", "inputs_per_s", "cpu_seconds"):
                assert d[k] > 0, (k, d)
            assert 0 <= d["last10pct_seconds"] <= d["seconds"], d
            self.log.info("  %s", json.dumps(d))


if __name__ == "__main__":
    UtxoScaleGenTest(__file__).main()
