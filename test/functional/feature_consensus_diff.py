#!/usr/bin/env python3
"""Differential consensus test: Bitcoin Core 28.1 and bitrootd judge the same blocks.

Every case is a block built on a tip both nodes share; both get it through
submitblock, unconnected, and must give the same answer (valid, or the same
reject reason). A block both accepted is invalidated again, so every case
starts from the same tip. See test_framework/diffcons*.py.

    feature_consensus_diff.py                       # CI: directed cases + --random cases
    feature_consensus_diff.py --random=100000 --no-directed --seed=7 --report=DIR
    feature_consensus_diff.py --groups=taproot,tapscript --random=0

Prints the number of cases (directed, random), the time they took and cases
per second; with --report, writes every disagreement (name, verdicts, block
hex) to DIR/disagreements.jsonl. Fails if Core and bitrootd disagree on any
case (unless --keep-going, which only reports them).
"""

import json
import os
import time

from test_framework.diffcons import DiffHarness, NodeDied
from test_framework.diffcons_cases import Directed
from test_framework.diffcons_random import RandomCases
from test_framework.diffcons_world import ACTIVATION, LOW_TOP, MAIN_ARGS, World
from test_framework.test_framework import BitrootTestFramework

# Quiet nodes: a long campaign would otherwise write gigabytes of debug log.
QUIET = ["-debug=0", "-printtoconsole=0"]
# Core checks its whole block index after every block on regtest (-checkblockindex): with thousands of
# case blocks in the index that is most of a campaign's time, and it checks Core, not the blocks.
CORE_ONLY = ["-checkblockindex=0"]


class ConsensusDiffTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.node_impls = ["core", "bitrootd"]
        self.rpc_timeout = 300

    def add_options(self, parser):
        parser.add_argument("--random", type=int, default=1000, help="random cases to run (default 1000)")
        parser.add_argument("--random-pre", type=int, default=200, dest="random_pre",
                            help="random cases at height %d, before the deployments (default 200)" % (ACTIVATION - 1))
        parser.add_argument("--seed", type=int, help="seed of the random cases (default: --randomseed)")
        parser.add_argument("--no-directed", dest="directed", action="store_false",
                            help="skip the directed cases (the chains are still built)")
        parser.add_argument("--groups", help="comma-separated directed groups (default: all): low, activation, "
                            + ", ".join(Directed.ALL))
        parser.add_argument("--report", help="directory for disagreements.jsonl and summary.json")
        parser.add_argument("--keep-going", action="store_true", help="report disagreements without failing")
        parser.add_argument("--progress", type=int, default=1000, help="log progress every N random cases")
        parser.add_argument("--first", type=int, default=0, help="number of the first random case (default 0)")
        parser.add_argument("--dump", help="directory: write every random case's block hex there (NAME.hex)")

    def setup_network(self):
        pass

    def harness(self, nodes, detail):
        h = DiffHarness(nodes, self.log, self.rng, detail=detail)
        if self.options.report:
            os.makedirs(self.options.report, exist_ok=True)
            h.report_file = os.path.join(self.options.report, "disagreements.jsonl")
        return h

    def start_judges(self, args):
        """Core (script checks on its queue, as on any machine with two cores or more), bitrootd,
        and Core with scripts checked inline (-par=1), asked for the detail of a script failure."""
        first = len(self.nodes)
        self.add_nodes(3, [args + QUIET + CORE_ONLY + ["-par=2"], args + QUIET, args + QUIET + CORE_ONLY + ["-par=1"]],
                       binaries=["core", "bitrootd", "core"])
        for i in range(first, first + 3):
            self.start_node(i)
        return self.harness(self.nodes[first:first + 2], self.nodes[first + 2])

    def stop_judges(self, h):
        for n in h.nodes + [h.detail]:
            n.stop_node()

    def run_test(self):
        if self.options.report:
            os.makedirs(self.options.report, exist_ok=True)
            open(os.path.join(self.options.report, "disagreements.jsonl"), "w").close()
        seed = self.options.seed if self.options.seed is not None else self.options.randomseed
        groups = self.options.groups.split(",") if self.options.groups else None
        want = (lambda g: groups is None or g in groups) if self.options.directed else (lambda g: False)
        started = time.time()
        totals = {"directed": 0, "random": 0}
        generator_errors = 0
        harnesses = []

        if want("low"):
            self.log.info("Low chain: BIP34 pushes, short coinbases, MTP near genesis (heights 1..%d)", LOW_TOP)
            h = self.start_judges([])
            harnesses.append(h)
            h.load_tip()
            world = World(h)
            world.start_low()
            d = Directed(h, world, self.log)
            while h.height < LOW_TOP:
                d.low_height()
                h.extend(world.next_block())
            h.compare_utxo("low-chain")
            totals["directed"] += d.count
            self.stop_judges(h)

        self.log.info("Main chain: deployments at %d; building it", ACTIVATION)
        h = self.start_judges(MAIN_ARGS)
        harnesses.append(h)
        h.load_tip()
        world = World(h)
        d = Directed(h, world, self.log)
        t0 = time.time()
        world.build_main_pre()
        if self.options.random_pre > 0:
            self.log.info("Random cases before the deployments (height %d): %d, seed %d", ACTIVATION - 1,
                          self.options.random_pre, seed + 1)
            rc = RandomCases(h, world, seed + 1, self.log, prefix="pre_")
            t0 = time.time()
            for k in range(self.options.random_pre):
                rc.run_one(k)
            h.compare_utxo("after-random-pre")
            totals["random"] += rc.count
            generator_errors += rc.errors
            self.log.info("Random before the deployments: %d cases in %.1f s", rc.count, time.time() - t0)
        if want("activation"):
            self.log.info("Deployment boundary: cases at height %d, then %d", ACTIVATION - 1, ACTIVATION)
            d.activation(False)
            world.build_main_rest_step()
            d.activation(True)
        world.build_main_rest()
        self.log.info("Chain built to %d in %.1f s; %d coins", h.height, time.time() - t0,
                      sum(len(v) for v in h.coins.values()))
        run = [g for g in Directed.ALL if want(g)]
        if run:
            t0 = time.time()
            n0 = d.count
            d.run(run)
            self.log.info("Directed groups %s: %d cases in %.1f s", ",".join(run), d.count - n0, time.time() - t0)
            h.compare_utxo("after-directed")
        totals["directed"] += d.count

        if self.options.random > 0:
            self.log.info("Random cases: %d, seed %d", self.options.random, seed)
            rc = RandomCases(h, world, seed, self.log)
            t0 = time.time()
            for k in range(self.options.first, self.options.first + self.options.random):
                try:
                    out = rc.run_one(k)
                    if self.options.dump and out is not None:
                        os.makedirs(self.options.dump, exist_ok=True)
                        with open(os.path.join(self.options.dump, "%d.hex" % k), "w", encoding="utf8") as f:
                            f.write(out.block_hex + "\n")
                except NodeDied as e:
                    self.log.error("%s", e)
                    raise AssertionError(str(e))
                done = k + 1 - self.options.first
                if self.options.progress and done % self.options.progress == 0:
                    el = time.time() - t0
                    h.compare_utxo("after-random-%d" % (k + 1))
                    self.log.info("  random %d/%d, %.1f cases/s, %d disagreements", done, self.options.random,
                                  done / el, len(h.disagreements))
            h.compare_utxo("after-random")
            totals["random"] += rc.count
            generator_errors += rc.errors
            el = time.time() - t0
            self.log.info("Random: %d cases in %.1f s (%.1f cases/s); mutations used: %s", rc.count, el,
                          rc.count / el if el else 0, rc.mutation_summary())

        elapsed = time.time() - started
        cases = totals["directed"] + totals["random"]
        disagreements = [o for hh in harnesses for o in hh.disagreements]
        unexpected = [o for hh in harnesses for o in hh.unexpected]
        verdicts = {}
        for hh in harnesses:
            for k, v in hh.by_verdict.items():
                verdicts[k] = verdicts.get(k, 0) + v
        judged = sum(hh.case_seconds for hh in harnesses)
        crashes = [c for hh in harnesses for c in hh.core_crashes]
        documented = {}
        for hh in harnesses:
            for k, v in hh.documented.items():
                documented[k] = documented.get(k, 0) + v
        if crashes:
            self.log.warning("Bitcoin Core 28.1 crashed on %d cases (restarted each time): %s", len(crashes),
                             ", ".join(n for n, _ in crashes[:20]))
        if documented:
            self.log.info("Documented Core 28.1 wordings normalized: %s", json.dumps(documented))
        self.log.info("Verdicts (Core): %s", json.dumps(dict(sorted(verdicts.items(), key=lambda kv: -kv[1]))))
        print("cases: %d (directed %d, random %d) in %.1f s, %.1f cases/s (%.1f s in submit/compare); "
              "disagreements: %d; cases Core answered otherwise than meant: %d" % (
                  cases, totals["directed"], totals["random"], elapsed, cases / elapsed, judged,
                  len(disagreements), len(unexpected)))
        if self.options.report:
            os.makedirs(self.options.report, exist_ok=True)
            with open(os.path.join(self.options.report, "core_crashes.jsonl"), "w", encoding="utf8") as f:
                for n, hexb in crashes:
                    f.write(json.dumps({"name": n, "block": hexb}) + "\n")
            with open(os.path.join(self.options.report, "summary.json"), "w", encoding="utf8") as f:
                json.dump({"seed": seed, "cases": cases, "directed": totals["directed"], "random": totals["random"],
                           "seconds": round(elapsed, 1), "cases_per_second": round(cases / elapsed, 2),
                           "disagreements": len(disagreements), "verdicts": verdicts,
                           "core_crashes": [n for n, _ in crashes], "documented": documented,
                           "unexpected": [(o.name, o.core, o.expect) for o in unexpected]}, f, indent=1)
        for o in unexpected:
            self.log.warning("unexpected: %s Core=%r meant=%r", o.name, o.core, o.expect)
        for o in disagreements:
            self.log.error("DISAGREEMENT %s: core=%r bitrootd=%r %s", o.name, o.verdicts[0], o.verdicts[1], o.detail)
        if disagreements and not self.options.keep_going:
            raise AssertionError("%d disagreements between Core and bitrootd" % len(disagreements))
        if generator_errors:
            self.log.error("%d random cases could not be built (generator errors, above)", generator_errors)
            if not self.options.keep_going:
                raise AssertionError("%d random cases could not be built" % generator_errors)
        if unexpected and not self.options.keep_going:
            raise AssertionError("%d directed cases did not build what they meant (see above)" % len(unexpected))


if __name__ == "__main__":
    ConsensusDiffTest(__file__).main()
