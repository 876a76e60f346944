#!/usr/bin/env python3
"""The layer rules of contrib/devtools/check_includes.py hold (issue 16).

- The checker passes on this tree: no pure module (crypto, primitives,
  script, chain, consensus) or util includes a thread module, util includes
  no other module, net and rpc call none of the store's write functions, no
  module includes another's *_int.h, no pure module starts a thread.
- On a small fake tree it reports each kind of violation as "file:line:
  rule: ..." with exit status 1, derives the write functions from the fake
  store.h, and leaves alone what the rules allow (reads of the store, a
  module's own *_int.h, a thread in a thread module, comments and strings,
  jansson in src/rpc and in the file kept for Core's banlist.json).
"""

import os
import subprocess
import sys
import tempfile

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKER = os.path.join(REPO, "contrib", "devtools", "check_includes.py")

STORE_H = """\
struct store_wtxn;
int store_get_tip(struct store_rtxn *t, uint8_t hash[32], int32_t *height);
#define STORE_X 1
int store_stamp(struct store_wtxn *t,
    const uint8_t hash[32]);
int store_put_thing(struct store *s, int x);
int store_grow(struct store *s);
"""

FAKE = {
    "store/store.h": STORE_H,
    "store/store_int.h": "struct store { int fd; };\n",
    "store/store.c": '#include "store/store_int.h"\n',
    # pure module including a thread module, and its own headers (fine)
    "script/interp.c": '#include "script/interp.h"\n#include "util/log.h"\n'
                       '#include "validation/validation.h"\n',
    "script/interp.h": "int script_run(void);\n",
    # a pure module starting a thread; the name in a comment does not count
    "script/pool.c": "/* no pthread_create( here */\nstatic void\nf(void)\n{\n"
                     "\tpthread_create(&t, NULL, main, NULL);\n}\n",
    # util including another module, and config.h (fine)
    "util/log.c": '#include "config.h"\n#include "util/log.h"\n#include "crypto/hash.h"\n',
    "util/log.h": "void log_info(const char *fmt, ...);\n",
    # a thread module's thread (fine), another module's internal header
    "validation/validation.c": '#include "store/store_int.h"\n#include "store/store.h"\n'
                               "void g(void) { pthread_create(0, 0, 0, 0); }\n",
    # net reading (fine), then writing; a write named in a string is no call
    "net/sync.c": '#include "store/store.h"\nvoid h(void)\n{\n\tstore_get_tip(t, h, &n);\n'
                  '\tlog("store_put_thing(");\n\tstore_stamp(w, h);\n}\n',
    "rpc/control.c": "void k(void)\n{\n\tstore_grow(s);\n\tstore_put_thing(s, 1);\n}\n",
    # JSON outside src/rpc: jansson and an rpc header in the mempool (two),
    # jansson in rpc (fine), and in the one file kept for Core's JSON file
    "mempool/serve.c": '#include <stdio.h>\n#include <jansson.h>\n#include "rpc/rpc.h"\n',
    "rpc/server.c": '#include <jansson.h>\n#include "rpc/rpc_int.h"\n',
    "store/banlist.c": '#include <jansson.h>\n',
    # files directly in src/ assemble the program: anything goes
    "node.c": '#include "store/store_int.h"\nvoid m(void) { store_stamp(0, 0); }\n',
}

EXPECTED = [
    "src/mempool/serve.c:2: json: mempool includes <jansson.h> (JSON lives in src/rpc)",
    "src/mempool/serve.c:3: json: mempool includes rpc/rpc.h (JSON-RPC lives in src/rpc)",
    "src/net/sync.c:6: store: net writes to the store (store_stamp)",
    "src/rpc/control.c:3: store: rpc writes to the store (store_grow)",
    "src/rpc/control.c:4: store: rpc writes to the store (store_put_thing)",
    "src/script/interp.c:3: layer: script (pure) includes validation/validation.h (a thread module)",
    "src/script/pool.c:5: threads: script (pure) creates a thread (pthread_create)",
    "src/util/log.c:3: util: util includes crypto/hash.h (util includes no other module)",
    "src/validation/validation.c:1: int: validation includes store/store_int.h, internal to store",
]


class LintIncludesTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.needs_daemon = False

    def setup_network(self):
        pass

    def checker(self, top):
        return subprocess.run([sys.executable, CHECKER, top], capture_output=True, text=True)

    def run_test(self):
        self.log.info("check_includes.py passes on this tree")
        res = self.checker(REPO)
        assert_equal(res.stderr, "")
        assert res.stdout.rstrip().endswith(" 0 problems"), res.stdout
        assert_equal(res.returncode, 0)

        self.log.info("check_includes.py reports each violation of a fake tree, and only those")
        with tempfile.TemporaryDirectory() as top:
            for rel, text in FAKE.items():
                path = os.path.join(top, "src", rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
            res = self.checker(top)
            assert_equal(res.returncode, 1)
            lines = res.stdout.splitlines()
            assert_equal(sorted(lines[:-1]), EXPECTED)
            assert_equal(lines[-1], "3 store write functions; 9 problems")

            self.log.info("A clean fake tree passes")
            for rel in ("script/interp.c", "script/pool.c", "util/log.c", "validation/validation.c",
                        "net/sync.c", "rpc/control.c", "mempool/serve.c"):
                os.remove(os.path.join(top, "src", rel))
            res = self.checker(top)
            assert_equal(res.stdout, "3 store write functions; 0 problems\n")
            assert_equal(res.returncode, 0)


if __name__ == "__main__":
    LintIncludesTest(__file__).main()
