#!/usr/bin/env python3
"""Layer check: which module of src/ may use which.

The modules are the directories of src/. They fall in three layers:

  base     util
           What every module uses: allocation, logging, buffers, hex, the
           queues and typed requests between threads, start-up options, the
           -*notify runner. It includes no other module, so it may start a
           thread of its own (notify.c) but knows nothing of the others.
  pure     crypto, primitives, script, chain, consensus
           Code that computes: no thread of its own, no state shared between
           threads, no I/O beyond what the caller hands it.
  threads  store, validation, mempool, net, rpc, index, zmq
           The modules that own a thread or the database shared between them.

The files directly in src/ (bitrootd.c, node.c, bitroot-cli.c, ...) assemble
the programs and may include anything; so may the directories of PROGRAMS,
which hold one program's own parts (src/cli: bitroot-cli, a JSON-RPC client
that links no thread module).

Rules, one line per violation ("file:line: rule: what"), exit status 1 if any:

  layer     A pure module includes no header of a thread module.
  util      util includes no other module (only util/ and the
            configure-generated config.h).
  store     net and rpc only read the store: they call none of its write
            functions. Those are taken from src/store/store.h: every function
            declared there whose prototype names struct store_wtxn (the
            write transaction) or whose name says it changes the store
            (store_write_*, store_put_*, store_del_*, store_set_*,
            store_add_*, store_clear_*, store_swap_*, store_reset_*,
            store_grow, store_open*, store_close, store_sync).
  int       No module includes another module's *_int.h: a module's
            internal header is shared by its own files only.
  threads   A pure module creates no thread (pthread_create, thrd_create):
            the script check queue, for example, belongs to validation.
  json      JSON and JSON-RPC live in src/rpc: no other module includes
            <jansson.h> or an rpc/ header. The threads answer the rpc thread
            with typed structs (util/request.h) and src/rpc formats them.
            JSON_FILES names the files that read or write a JSON file format
            fixed by Core, with the reason.

ALLOW lists violations that are being fixed on another branch; each entry
names the issue, and the entry goes once that branch has landed.

Usage: contrib/devtools/check_includes.py [TOPDIR]   (default: this tree)
"""

import os
import re
import sys

PURE = ("crypto", "primitives", "script", "chain", "consensus")
THREADS = ("store", "validation", "mempool", "net", "rpc", "index", "zmq")
STORE_READERS_ONLY = ("net", "rpc")
WRITE_VERBS = re.compile(
    r"^store_(write_\w+|put_\w+|del_\w+|set_\w+|add_\w+|clear_\w+|swap_\w+|"
    r"reset_\w+|grow|open\w*|close|sync)$")
THREAD_CALLS = ("pthread_create", "thrd_create")
PROGRAMS = ("cli",)

# (path under src/, rule) pairs exempted while a fix lands on another
# branch, each with the issue that removes it. None today.
ALLOW = set()

# Files outside src/rpc that may use jansson: each keeps a file in a JSON
# format that Core defines (and so cannot be a typed struct on disk).
JSON_FILES = {
    "store/banlist.c",  # <datadir>/banlist.json, Core's ban list file
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SYSINCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>')


def strip_code(text):
    """Blanks comments, string and character literals, keeping newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def store_write_functions(store_h):
    """The write API, from the prototypes of store.h."""
    with open(store_h, errors="replace") as f:
        code = strip_code(f.read())
    code = re.sub(r"(?m)^\s*#.*$", "", code)
    # A declaration runs from the end of the previous one to its ';'.
    names = set()
    for decl in re.split(r"[;}]", code):
        m = re.search(r"\b(store_\w+)\s*\(", decl)
        if not m:
            continue
        name = m.group(1)
        if "struct store_wtxn" in decl or WRITE_VERBS.match(name):
            names.add(name)
    return names


def module_files(src):
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, src).replace(os.sep, "/")
                if "/" in rel and rel.split("/")[0] not in PROGRAMS:
                    yield rel, rel.split("/")[0], path


def check(top):
    src = os.path.join(top, "src")
    problems = []

    def report(rel, line, rule, what):
        if (rel, rule) not in ALLOW:
            problems.append("src/%s:%d: %s: %s" % (rel, line, rule, what))

    store_h = os.path.join(src, "store", "store.h")
    writes = store_write_functions(store_h) if os.path.exists(store_h) else set()
    write_re = re.compile(r"\b(%s)\b" % "|".join(sorted(writes))) if writes else None
    thread_re = re.compile(r"\b(%s)\s*\(" % "|".join(THREAD_CALLS))

    for rel, mod, path in module_files(src):
        with open(path, errors="replace") as f:
            text = f.read()
        for no, line in enumerate(text.splitlines(), 1):
            m = SYSINCLUDE.match(line)
            if m and m.group(1) == "jansson.h" and mod != "rpc" and rel not in JSON_FILES:
                report(rel, no, "json", "%s includes <jansson.h> (JSON lives in src/rpc)" % mod)
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            parts = inc.split("/")
            other = parts[0] if len(parts) > 1 else None
            if mod in PURE and other in THREADS:
                report(rel, no, "layer", "%s (pure) includes %s (a thread module)" % (mod, inc))
            elif mod == "util" and other not in (None, "util"):
                report(rel, no, "util", "util includes %s (util includes no other module)" % inc)
            elif mod == "util" and other is None and inc != "config.h":
                report(rel, no, "util", "util includes %s (util includes no other module)" % inc)
            if other == "rpc" and mod != "rpc":
                report(rel, no, "json", "%s includes %s (JSON-RPC lives in src/rpc)" % (mod, inc))
            if other and other != mod and parts[-1].endswith("_int.h"):
                report(rel, no, "int", "%s includes %s, internal to %s" % (mod, inc, other))
        if mod not in STORE_READERS_ONLY and mod not in PURE:
            continue
        code = strip_code(text)
        for no, line in enumerate(code.splitlines(), 1):
            if mod in STORE_READERS_ONLY and write_re:
                for m in write_re.finditer(line):
                    report(rel, no, "store", "%s writes to the store (%s)" % (mod, m.group(1)))
            if mod in PURE:
                for m in thread_re.finditer(line):
                    report(rel, no, "threads", "%s (pure) creates a thread (%s)" % (mod, m.group(1)))
    return problems, writes


def main(argv):
    top = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if not os.path.isdir(os.path.join(top, "src")):
        print("check_includes.py: no src/ in %s" % top, file=sys.stderr)
        return 2
    problems, writes = check(top)
    for p in problems:
        print(p)
    print("%d store write functions; %d problems" % (len(writes), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
