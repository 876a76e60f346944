#!/usr/bin/env python3
"""Option audit: every option in the registry does something or says so.

Parses the option table in src/util/args_table.c and fails (exit 1, one
line per problem) when:

  - an option is read nowhere in src/ outside the table and carries none of
    the flags that make the args module act on it by itself:
      X  ARG_IGNORED  accepted; a warning at start-up whenever it is set
      U  ARG_UNSUPP   refused at start-up when asking for anything but off
      W  ARG_WARN_ON  a warning at start-up when asking for anything but off
  - an option carries X, U or W but is also read somewhere (then it does
    something, and the warning or refusal would be a lie);
  - an option carries X, U or W without the note that tells the user why,
    or what to use instead.

"Read" means the option's name, as a string literal, is the second argument
of a function call (args_get(a, "name"), args_get_bool(a, "name", 1),
get_count(a, "name", ...), rpc_opt(r, "name")), or appears in the args
module's own chain and config handling (src/util/args.c, args_conf.c).

Usage: contrib/devtools/check_options.py [--list] [SRCDIR]
"""

import os
import re
import sys

FLAG_BITS = {"X": "ARG_IGNORED", "U": "ARG_UNSUPP", "W": "ARG_WARN_ON"}
SELF_READERS = ("util/args.c", "util/args_conf.c")


def split_top(text):
    """Splits an initializer's text at top-level commas; strings joined."""
    fields, cur, i = [], [], 0
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c == "/" and text[i:i + 2] == "/*":
            i = text.index("*/", i) + 2
            continue
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        if c == "," and depth == 0:
            fields.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        fields.append("".join(cur).strip())
    return fields


def c_string(field):
    """The value of a field made of adjacent string literals, or None."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', field)
    if not parts:
        return None
    return "".join(parts)


def parse_table(path):
    src = open(path, encoding="utf8").read()
    start = src.index("static const struct arg_def table[] = {")
    end = src.index("\n};", start)
    body = src[src.index("{", start) + 1:end]
    # notes shared by a group: #define NOWALLET "..." (may continue a line)
    macros = {m.group(1): c_string(m.group(2)) for m in re.finditer(
        r'^#define\s+([A-Z][A-Z0-9_]*)\s+("(?:[^\n]|\\\n)*)$', src, re.M)}
    entries = []
    i = 0
    while True:
        i = body.find("{", i)
        if i < 0:
            break
        # an entry ends at the matching '}' (strings hold no braces here)
        j, depth = i, 0
        in_str = False
        while True:
            c = body[j]
            if in_str:
                if c == "\\":
                    j += 1
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        fields = split_top(body[i + 1:j])
        name = c_string(fields[0])
        flags = {f.strip() for f in fields[2].split("|")}
        note = None
        if len(fields) > 5:
            note = c_string(fields[5]) or macros.get(fields[5].strip())
        entries.append((name, flags, note))
        i = j + 1
    return entries


def read_names(srcdir, table_path):
    """Option names read outside the table."""
    # calls that take a name second but do not read an option
    not_getters = r'(?!json_|str|mem|log_|snprintf|arg_bool\b)'
    call = re.compile(r'\b' + not_getters +
                      r'[A-Za-z_]\w*\s*\(\s*[^,()"]+,\s*"([a-z0-9?-]+)"')
    lit = re.compile(r'"([a-z0-9?-]+)"')
    names = {}
    for root, _, files in os.walk(srcdir):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            p = os.path.join(root, f)
            if os.path.samefile(p, table_path):
                continue
            text = open(p, encoding="utf8", errors="replace").read()
            rel = os.path.relpath(p, srcdir)
            found = set(call.findall(text))
            if rel in SELF_READERS:
                found |= set(lit.findall(text))
            for n in found:
                names.setdefault(n.lstrip("-"), rel)
    return names


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    top = os.path.abspath(args[0]) if args else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    srcdir = os.path.join(top, "src")
    table_path = os.path.join(srcdir, "util", "args_table.c")
    entries = parse_table(table_path)
    read = read_names(srcdir, table_path)
    problems = []
    for name, flags, note in entries:
        marks = [k for k, v in FLAG_BITS.items() if k in flags or v in flags]
        where = read.get(name)
        if "--list" in argv:
            print("%-28s %-4s %s" % (name, "".join(marks) or "-", where or ""))
        if not marks and where is None:
            problems.append("-%s is read nowhere in src/ and is neither "
                            "warned about (X, W) nor refused (U)" % name)
        if marks and where is not None:
            problems.append("-%s is read in %s but flagged %s: drop the "
                            "flag or the reading" % (name, where, "".join(marks)))
        if marks and not note:
            problems.append("-%s is flagged %s but has no note saying why "
                            "or what to use instead" % (name, "".join(marks)))
    for p in problems:
        print("check_options: " + p)
    print("check_options: %d options, %d problems" % (len(entries), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
