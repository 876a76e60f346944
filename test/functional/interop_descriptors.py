#!/usr/bin/env python3
"""Output descriptors: bitrootd against Core 28 on the same calls.

getdescriptorinfo and deriveaddresses over every descriptor function and key
form (hex keys compressed, uncompressed and x-only, WIF, tpub/tprv with paths,
ranges and origins, with ' and h markers) and many malformed or misplaced
descriptors: the same result, or the same error code and message, on both.
Then scantxoutset with descriptor strings and {"desc", "range"} objects over
coins both nodes hold, compared whole (the inferred "desc" of each coin too).

Miniscript inside wsh() and tr() is compared too (interop_miniscript.py
covers it in depth). Deliberate difference, asserted rather than compared:
error messages longer than bitrootd's 511-byte RPC error (cut there).
"""

import random

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

TPRV = "tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m"
TPUB = "tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp"
XPUB = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
WIF = "cVPXTF2TnozE1PenpP3x9huctiATZmp27T9Ue1d8nqLSExoPwfN5"      # compressed
WIFU = "93MWZE9VGpMDTpj6PyCYXX7V51iZkg9qjhMxCZKA1sNd5Zat7w2"        # uncompressed
K1 = "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2"  # WIF's key
K2 = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
K3 = "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
X1, X2 = K1[2:], K2[2:]
U = ("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
H = "06" + U[2:]   # hybrid

GOOD = [
    f"pk({K1})", f"pk({U})", f"pk({WIF})", f"pk({WIFU})", f"pk({K1.upper()})",
    f"pkh({K2})", f"pkh({U})", f"pkh({WIF})",
    f"wpkh({K1})", f"wpkh({WIF})", f"sh(wpkh({K2}))", f"sh(pkh({U}))",
    f"combo({K1})", f"combo({U})", f"combo({WIFU})", f"combo({WIF})",
    f"multi(1,{K1},{K2})", f"multi(2,{K1},{K2},{U})", f"multi(01,{K1})", f"multi(+1,{K1})",
    f"sortedmulti(1,{K1},{K2},{K3})", f"sh(multi(2,{K2},{K1}))",
    f"sh(sortedmulti(2,{K2},{K1},{U}))", f"wsh(multi(1,{K1},{K2},{K3}))",
    f"wsh(sortedmulti(2,{K3},{K2},{K1}))", f"sh(wsh(multi(1,{K1},{K2})))",
    f"sh(wsh(pkh({K1})))", f"wsh(pk({K2}))", f"wsh(pkh({WIF}))", f"sh(wsh(sortedmulti(1,{K2},{K1})))",
    f"tr({K1})", f"tr({X2})", f"tr({WIF})", f"tr({K1},pk({K2}))",
    f"tr({X1},{{pk({X2}),pk({K3})}})",
    f"tr({K1},{{pk({K2}),{{multi_a(1,{K3},{X2}),sortedmulti_a(2,{K3},{K2},{K1})}}}})",
    f"tr({K1},{{{{pk({K2}),pk({K3})}},pk({WIF})}})",
    f"tr({K1},{{{{pk({K2}),pk({K3})}},{{pk({X1}),pk({WIF})}}}})",
    f"rawtr({K1})", f"rawtr({X2})", f"rawtr({WIF})",
    f"pkh({TPUB})", f"pkh({TPRV})", f"pkh({TPUB}/0)", f"wpkh({TPUB}/1/2/3)",
    f"pkh({TPRV}/1h/2'/3)", f"pkh({TPRV}/1'/2h/3)", f"pkh({TPUB}/1/2h)", f"pkh({TPUB}/*h)",
    f"wpkh([d34db33f/44'/1'/0']{TPUB}/0/*)",
    f"wpkh([D34DB33F/84h/1h/0h]{TPRV}/1/*h)",
    f"sh(wpkh([00000000]{TPRV}/0h/*))",
    f"pkh([d34db33f/44h/0h/0']{TPRV}/1'/2/*h)",
    f"pkh([d34db33f/44'/0'/0']{TPRV}/1/2h/*)",
    f"combo({TPUB}/*)", f"tr({TPRV}/86h/1h/0h/0/*)",
    f"tr({TPUB}/0/*,pk({TPUB}/1/*))",
    f"tr({K1},{{pk({TPUB}/2/*),multi_a(1,{TPUB}/3/*,{K2})}})",
    f"wsh(multi(2,{TPUB}/0/*,{TPRV}/1h/*,{K1}))",
    f"sh(sortedmulti(1,{TPUB}/0/*,{TPUB}/1/*))",
    f"rawtr({TPUB}/5/*)", f"multi(1,{TPUB}/7,{TPRV}/7h)",
    "addr(bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080)",
    "addr(2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc)", "raw(deadbeef)", "raw(6a)",
    f"pkh({K1})#nqmpmlk2", f"pkh({TPUB}/+1)", f"pkh({TPUB}/007)",
    "wsh(multi(20," + ",".join([K1] * 20) + "))",
    "sh(multi(1," + ",".join([K1] * 15) + "))",
    "tr(" + K1 + ",multi_a(1," + ",".join([X2] * 25) + "))",
]

BAD = [
    "", "foo()", "foo", "pk()", "pk( )", f"pk({K1}))", f"pk({K1})x", f"pk({K1}",
    f"pk({K1})}}", f"pk({K1}),", "sh(foo)", "wsh(foo)", f"sh({K1})", f"wsh({K1})",
    f"sh(pk({K1})", f"pk({K1[:-2]})", f"pk({K1}00)", f"pk({H})", "pk(zz)",
    f"wpkh({U})", f"wsh(pk({U}))", f"sh(wpkh({U}))", f"wpkh({WIFU})", f"wsh(pkh({WIFU}))",
    f"tr({U})", f"pk({X1})", f"wsh(pk({X1}))", f"rawtr({X1[:-2]})",
    f"pkh(wpkh({K1}))", f"wpkh(wpkh({K1}))", f"wsh(wpkh({K1}))", f"wsh(wsh(pk({K1})))",
    f"sh(sh(pk({K1})))", f"wsh(sh(pk({K1})))", f"sh(combo({K1}))", f"wsh(combo({K1}))",
    f"tr({K1},combo({K1}))", f"tr({K1},tr({K1}))", f"sh(tr({K1}))", f"wsh(rawtr({K1}))",
    "sh(addr(2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc))", "sh(raw(00))", "raw(0)", "raw(zz)", "raw()",
    "addr(foo)", "addr(1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2)", "addr()",
    f"multi(0,{K1})", f"multi(2,{K1})", f"multi(x,{K1})", f"multi(-1,{K1})", f"multi(+-1,{K1})", f"multi(+,{K1})",
    f"multi(1 ,{K1})", f"multi(4294967296,{K1})", "multi(1)", "multi()",
    f"multi(1,{K1},{K2},{K3},{K1})", f"multi(1,{K1};{K2})", f"multi(1,{K1},)",
    "sh(multi(1," + ",".join([K1] * 16) + "))",
    "wsh(multi(1," + ",".join([K1] * 21) + "))",
    f"multi_a(1,{K1})", f"wsh(multi_a(1,{K1}))", f"sh(sortedmulti_a(1,{K1}))",
    f"tr({K1},multi(1,{K1}))", f"tr({K1},sortedmulti(1,{K1}))",
    f"tr({K1},multi_a(0,{K1}))", f"tr({K1},multi_a(3,{K1},{K2}))", f"tr({K1},multi_a(1,{U}))",
    "tr(" + K1 + ",multi_a(1," + ",".join([X2] * 1000) + "))",
    f"tr({K1},{{pk({K2})}})", f"tr({K1},{{pk({K2}),pk({K3})}}", f"tr({K1},pk({K2}),pk({K3}))",
    f"tr({K1},{{pk({K2}),pk({K3})}}x)", f"tr({K1},{{pk({K2}),pk({K3}))", f"tr({K1},wpkh({K2}))",
    f"tr({K1},{{{{{{{{pk({K2}),pk({K3})}}}}}}}})", f"tr({K1} x)", f"tr({K1}}}", f"tr(,pk({K1}))",
    f"tr({K1},)", f"tr({K1},{{}})", f"tr({K1},foo)", f"tr({K1},pk({U}))",
    "tr(" + K1 + "," + "{" * 129 + f"pk({K2}),pk({K3})" + "}" * 129 + ")",
    f"rawtr({K1},{K2})", f"rawtr({K1},pk({K2}))", f"rawtr({U})",
    f"pkh([d34db33f]{TPUB}]/0)", f"pkh(d34db33f]{TPUB})", f"pkh(]{TPUB})",
    f"pkh([d34db33/0]{TPUB})", f"pkh([d34db33fx/0]{TPUB})", f"pkh([d34db3zz/0]{TPUB})",
    f"pkh([d34db33f/x]{TPUB})", f"pkh([d34db33f/2147483648]{TPUB})", f"pkh([d34db33f//1]{TPUB})",
    f"pkh([d34db33f/]{TPUB})", f"pkh([d34db33f/*]{TPUB})", f"pkh([d34db33f/<0;1>]{TPUB})",
    f"pkh({TPUB}/x)", f"pkh({TPUB}/2147483648)", f"pkh({TPUB}/4294967296)", f"pkh({TPUB}/-1)",
    f"pkh({TPUB}/)", f"pkh({TPUB}//1)", f"pkh({TPUB}/1/*/2)", f"pkh({TPUB}/*/*)", f"pkh({TPUB}/1hh)",
    f"pkh({TPUB}/<0;1>/*)", f"pkh({TPUB}/1H)", f"pkh({TPUB}/**)", f"pkh({TPUB}/*'h)",
    f"pkh({XPUB})", f"pkh({TPUB[:-1]}x)", f"pkh({TPUB[:-4]})",
    f"pkh({K1}/0)", f"pkh({WIF}/0)", "pkh(/0)", "pkh([d34db33f])", f"wpkh({WIFU}/0)",
    f"combo({K1},{K2})", f"pk({K1},{K2})", f"wpkh({K1},{K2})",
    f"pkh({K1})#", f"pkh({K1})#nqmpmlk3", f"pkh({K1})#nqmpmlk", f"pkh({K1})##nqmpmlk2",
    f"pkh({K1})#nqmpmlk22", "pkh(\u00e9)", "pkh(\n)",
    f"sh(pk({K1}),pk({K2}))", f"wsh(pk({K1}),1)", f"sh(wsh(pk({K1}),1))",
]

# Miniscript, which both parse.
MINISCRIPT = [
    f"wsh(and_v(v:pk({K1}),older(10)))", f"tr({K1},pkh({K2}))",
    f"tr({K1},and_v(v:pk({K2}),older(10)))", f"wsh(or_d(pk({K1}),pkh({K2})))",
]


class InteropDescriptorsTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()
        self.connect_nodes(1, 0)

    def both(self, method, *args):
        out = []
        for n in self.nodes:
            try:
                out.append(("ok", getattr(n, method)(*args)))
            except Exception as e:   # the RPC error
                if not hasattr(e, "error"):
                    raise
                out.append(("error", e.error["code"], e.error["message"]))
        return out

    def same(self, method, *args):
        theirs, ours = self.both(method, *args)
        assert_equal(ours, theirs)
        return theirs

    def run_test(self):
        core, br = self.nodes

        self.log.info("getdescriptorinfo: %d good, %d bad descriptors", len(GOOD), len(BAD))
        infos = {}
        for d in GOOD:
            r = self.same("getdescriptorinfo", d)
            assert r[0] == "ok", (d, r)
            infos[d] = r[1]
        for d in BAD:
            r = self.same("getdescriptorinfo", d)
            assert r[0] == "error", (d, r)

        self.log.info("getdescriptorinfo of the good ones with random edits")
        rnd = random.Random(20261206)
        edits = "()[]{},/'h*<>;#0123456789abcdefx@ "
        for _ in range(400):
            d = rnd.choice(GOOD)
            for _ in range(rnd.randint(1, 3)):
                p = rnd.randrange(len(d) + 1)
                op = rnd.randrange(3)
                if op == 0:
                    d = d[:p] + d[p + 1:]
                elif op == 1:
                    d = d[:p] + rnd.choice(edits) + d[p:]
                else:
                    d = d[:p] + rnd.choice(edits) + d[p + 1:]
            theirs, ours = self.both("getdescriptorinfo", d)
            if ours[0] == "error" and theirs[0] == "error" and len(ours[2]) >= 500 and theirs[2].startswith(ours[2]):
                continue   # bitrootd's RPC errors stop at 511 bytes
            assert_equal((d, ours), (d, theirs))

        self.log.info("deriveaddresses over the good ones, ranged and not")
        for d in GOOD:
            body = d.split("#")[0]
            full = body + "#" + infos[d]["checksum"]
            if infos[d]["isrange"]:
                self.same("deriveaddresses", full, 2)
                self.same("deriveaddresses", full, [5, 7])
                self.same("deriveaddresses", full)
                self.same("deriveaddresses", infos[d]["descriptor"], [2147483640, 2147483647])
            else:
                self.same("deriveaddresses", full)
                self.same("deriveaddresses", full, 1)
            self.same("deriveaddresses", body)

        self.log.info("deriveaddresses errors")
        hard = f"pkh({TPUB}/1h)"
        info = core.getdescriptorinfo(hard)
        self.same("deriveaddresses", hard + "#" + info["checksum"])
        rng = infos[f"combo({TPUB}/*)"]["descriptor"]
        for r in ([3, 1], [-1, 2], 2147483648, [0, 1000000], "x", [1], [1, 2, 3], {}):
            self.same("deriveaddresses", rng, r)
        self.same("deriveaddresses", rng, None)

        self.log.info("generatetodescriptor's refusals")
        for d in (f"pkh({TPUB}/*)", f"pkh({TPUB}/1h)", "pkh(x)", f"combo({K1},{K2})", f"wsh(wpkh({K1}))"):
            theirs, ours = self.both("generatetodescriptor", 1, d)
            assert theirs[0] == "error", (d, theirs)
            assert_equal(ours, theirs)

        self.log.info("Miniscript: both parse it")
        for d in MINISCRIPT:
            r = self.same("getdescriptorinfo", d)
            assert r[0] == "ok", (d, r)

        self.log.info("scantxoutset over coins paid to descriptors")
        paid = [
            f"wpkh([d34db33f/84h/1h/0h]{TPUB}/0/3)", f"pkh({K1})", f"combo({K2})",
            f"tr({TPUB}/86h/1h/0h/0/1)".replace(TPUB, TPRV), f"sh(wpkh({WIF}))",
            f"wsh(sortedmulti(1,{K2},{K1}))", f"rawtr({X2})", f"sh(multi(1,{K3},{U}))",
            f"tr({K1},{{pk({K2}),pk({TPUB}/9)}})",
            f"tr({X1},{{{{pk({K2}),pk({K3})}},{{pk({TPUB}/4),multi_a(1,{K1},{K3})}}}})",
            f"tr({TPUB}/6,{{pk({K3}),{{pk({K2}),sortedmulti_a(1,{K2},{K1})}}}})",
        ]
        for d in paid:
            core.generatetodescriptor(1, d)
        self.generate(core, 100)
        self.sync_blocks()
        scans = [
            [f"wpkh([d34db33f/84h/1h/0h]{TPUB}/0/*)"],
            [{"desc": f"wpkh([d34db33f/84h/1h/0h]{TPUB}/0/*)", "range": [2, 4]}],
            [{"desc": f"wpkh([d34db33f/84h/1h/0h]{TPUB}/0/*)", "range": 3}],
            [f"pkh({WIF})", f"combo({K2})", f"tr({TPRV}/86h/1h/0h/0/*)"],
            [f"sh(wpkh({K1}))", f"wsh(sortedmulti(1,{K1},{K2}))", f"rawtr({X2})"],
            [f"sh(multi(1,{K3},{U}))", f"tr({K1},{{pk({K2}),pk({TPUB}/9)}})", "raw(6a)"],
            [f"tr({X1},{{{{pk({K2}),pk({K3})}},{{pk({TPUB}/4),multi_a(1,{K1},{K3})}}}})",
             f"tr({TPUB}/6,{{pk({K3}),{{pk({K2}),sortedmulti_a(1,{K2},{K1})}}}})"],
            [{"desc": f"pkh({K1})", "range": 5}, {"desc": f"combo({K2})", "range": None}],
        ]
        for objs in scans:
            theirs, ours = self.both("scantxoutset", "start", objs)
            assert theirs[0] == "ok", theirs
            for r in (theirs, ours):
                r[1]["unspents"].sort(key=lambda u: (u["txid"], u["vout"]))
            assert_equal(ours, theirs)
            assert len(theirs[1]["unspents"]) > 0, objs
        for objs in ([{"desc": f"pkh({TPUB}/1h/*)", "range": 2}], [{"foo": 1}], [1], [{"desc": 1}],
                     [{"desc": f"pkh({TPUB}/*)", "range": [3, 1]}], ["pkh(x)"], [f"pkh({TPUB}/*)#aaaaaaaa"],
                     [{"desc": f"pkh({TPUB}/*)", "range": [0, 1000000]}], [{"desc": f"pkh({TPUB}/*)", "range": -1}],
                     [{"desc": f"pkh({TPUB}/*)", "range": "x"}], [f"wsh(and_v(v:pk({K1}),older(10))"]):
            theirs, ours = self.both("scantxoutset", "start", objs)
            assert theirs[0] == "error", theirs
            assert_equal(ours, theirs)


if __name__ == "__main__":
    InteropDescriptorsTest(__file__).main()
