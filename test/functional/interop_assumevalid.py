#!/usr/bin/env python3
"""-assumevalid beside Bitcoin Core 28.1: the same chain, the same options.

Runs feature_assumevalid.py's four cases (a later block assumed valid; 0;
an assumed-valid block too close to the best header; a hash no header has)
on bitrootd and on the shared Core node, each fed by its own peer serving
the same chain, and requires both to end on the same tip in every case.
"""

from feature_assumevalid import AssumeValidTest


class InteropAssumeValidTest(AssumeValidTest):
    IMPLS = ["bitrootd", "core"]


if __name__ == "__main__":
    InteropAssumeValidTest(__file__).main()
