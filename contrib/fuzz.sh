#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in a copy of the tree and
# runs each for a while, from seed corpora generated here from the shared
# regtest chain and Bitcoin Core's vectors (nothing large lives in the repo).
#
#   contrib/fuzz.sh                   # every target, 60 s each
#   contrib/fuzz.sh -t 180 p2p tx     # these two, 3 minutes each
#   contrib/fuzz.sh -n                # seeds and a build only, no run
#
# Options: -t SECONDS per target (default 60), -b DIR build copy (default
# build-fuzz/tree), -w DIR work directory with seeds, corpora, logs and
# crash artifacts (default build-fuzz/run), -n do not run. Targets: tx
# block p2p jsonrpc config address script v2transport merkleblock snapshot
# feeestimates (default: all).
#
# Corpora under WORK/corpus/TARGET grow from run to run; seeds are made
# afresh each time. A target that finds something leaves WORK/artifacts/
# TARGET-crash-* (or leak-, timeout-, oom-); the script then exits 1.
# Reproduce with: BUILD/test/fuzz/fuzz_TARGET ARTIFACT
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=60
build="$top/build-fuzz/tree"
work="$top/build-fuzz/run"
run=1
all="tx block p2p jsonrpc config address script v2transport merkleblock snapshot feeestimates"

while getopts "t:b:w:nh" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	b) build=$OPTARG ;;
	w) work=$OPTARG ;;
	n) run=0 ;;
	*) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=${*:-$all}
case "$secs" in ''|*[!0-9]*) echo "fuzz.sh: -t wants seconds" >&2; exit 2 ;; esac
for t in $targets; do
	case " $all " in *" $t "*) ;; *) echo "fuzz.sh: no target $t" >&2; exit 2 ;; esac
done
shared=${BR_SHARED_DIR:-$top/../shared}
[ -d "$shared" ] || { echo "fuzz.sh: no shared data at $shared" >&2; exit 2; }
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 2; }

case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
case "$work" in /*) ;; *) work="$PWD/$work" ;; esac

echo "fuzz.sh: building in $build"
"$top/contrib/build.sh" "$build" --enable-fuzz CC=clang \
	--enable-sanitizers=address,undefined

rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts" "$work/logs"
echo "fuzz.sh: generating seeds in $work/seeds"
python3 - "$shared" "$work/seeds" "$top" <<'EOF'
# Seed inputs in each target's input format (see the comment at the top of
# test/fuzz/fuzz_*.c). Small and typical: libFuzzer finds the rest.
import json
import os
import struct
import sys
import hashlib

shared, out, top = sys.argv[1], sys.argv[2], sys.argv[3]
count = {}


def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    n = count.get(target, 0)
    count[target] = n + 1
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-%04d" % n), "wb") as f:
        f.write(data)


def vec(name):
    with open(os.path.join(shared, "vectors", "core", name)) as f:
        return json.load(f)


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def cs(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def read_cs(b, o):
    n = b[o]
    if n < 0xfd:
        return n, o + 1
    w = {0xfd: 2, 0xfe: 4, 0xff: 8}[n]
    return int.from_bytes(b[o + 1:o + 1 + w], "little"), o + 1 + w


def tx_end(b, o):
    """Offset after the transaction at o (BIP144 serialization)."""
    o += 4
    wit = b[o] == 0 and b[o + 1] != 0
    if wit:
        o += 2
    nin, o = read_cs(b, o)
    for _ in range(nin):
        l, o = read_cs(b, o + 36)
        o += l + 4
    nout, o = read_cs(b, o)
    for _ in range(nout):
        l, o = read_cs(b, o + 8)
        o += l
    if wit:
        for _ in range(nin):
            k, o = read_cs(b, o)
            for _ in range(k):
                l, o = read_cs(b, o)
                o += l
    return o + 4


def txs_of(block):
    n, o = read_cs(block, 80)
    res = []
    for _ in range(n):
        e = tx_end(block, o)
        res.append(block[o:e])
        o = e
    return res


# The regtest chain: magic, length, block; blk*.dat style.
chain = open(os.path.join(shared, "chains", "regtest-dev.dat"), "rb").read()
blocks, o = [], 0
while o < len(chain):
    n = struct.unpack("<I", chain[o + 4:o + 8])[0]
    blocks.append(chain[o + 8:o + 8 + n])
    o += 8 + n
magic = chain[:4]
sample = blocks[:12] + blocks[12::40] + blocks[-6:]

# block: raw blocks.
for b in sample:
    put("block", b)

# merkleblock: proofs as gettxoutproof writes them (one Core 28.1 wrote,
# and the empty tree of a zero header).
put("merkleblock", bytes.fromhex(
    "00000020462513d48d46c91ef50aef8436e91ea8a5ac9178a439fa3f8bab61eaab5a437d"
    "e3434b50d23f0a1029fd0fe6830030b486b7d411695256722a7efb576ae768d22b035e65"
    "ffff7f200400000016000000064e90279d6d1e6b868261fad655dffdd1737c00e8107cd1"
    "7d53cc1fdd57123fd12575db0005dd4c33f388c71253922b7ca45828eb5218a735823504"
    "16c507c3864517e66d5ea40603949ac8d93caba23338f021f80223928d052b523ee6cea5"
    "c8e1bc445ee789f38c4d5b19100d6c2e563fb4ddac6536df6b216fc78854b86edf666d14"
    "978468da49cb61e356f640dad99809defbcf5bea8b7bed662fb376f04730700013bf1c34"
    "c9eefe366c196b90355f77bd000ddc56ff759ded723d95674c02af00"))
put("merkleblock", bytes(84) + b"\x00\x00")

# tx: flags byte (bit 0: allow witness), then the transaction.
ntx = 0
for b in sample:
    for t in txs_of(b)[:6]:
        put("tx", b"\x01" + t)
        if ntx % 7 == 0:
            put("tx", b"\x00" + t)
        ntx += 1
for name in ("tx_valid.json", "tx_invalid.json"):
    for e in vec(name):
        if len(e) >= 2 and isinstance(e[0], list) and isinstance(e[1], str):
            put("tx", b"\x01" + bytes.fromhex(e[1]))

# script: flags, amount, hash type, input index, mode 0, scriptPubKey, tx.
for e in vec("sighash.json")[1:60]:
    raw, script, nin, ht = bytes.fromhex(e[0]), bytes.fromhex(e[1]), e[2], e[3]
    put("script", struct.pack("<IQiBB", 0x1fffd, 50000, ht, nin & 0xff, 0) +
        cs(len(script)) + script + raw)

# p2p: selector (0 stream, 1 address text, 2 version, 3 addr, 4 addrv2,
# 5 inv, 6 getheaders, 7 headers, 8 ping), then the payload.
def v1addr(ip16, port):
    return ip16 + struct.pack(">H", port)


lo4 = b"\x00" * 10 + b"\xff\xff" + bytes([127, 0, 0, 1])
lo6 = b"\x00" * 15 + b"\x01"
ua = b"/Satoshi:30.0.0/"
version = (struct.pack("<iQqQ", 70016, 0x409, 1700000000, 0x409) +
           v1addr(lo4, 18444) + struct.pack("<Q", 0x409) +
           v1addr(lo6, 18445) + struct.pack("<Q", 0x1122334455667788) +
           cs(len(ua)) + ua + struct.pack("<iB", 1100, 1))
addr = cs(2) + b"".join(
    struct.pack("<IQ", 1700000000 + i, 0x409) + v1addr(a, 18444)
    for i, a in enumerate((lo4, lo6)))
addrv2 = cs(4) + b"".join((
    struct.pack("<I", 1700000000) + cs(0x409) + b"\x01" + cs(4) +
    bytes([10, 0, 0, 1]) + struct.pack(">H", 8333),
    struct.pack("<I", 1700000001) + cs(1) + b"\x02" + cs(16) +
    bytes(range(0x20, 0x30)) + struct.pack(">H", 8333),
    struct.pack("<I", 1700000002) + cs(8) + b"\x04" + cs(32) +
    bytes(32) + struct.pack(">H", 9050),
    struct.pack("<I", 1700000003) + cs(0) + b"\x63" + cs(5) +
    b"abcde" + struct.pack(">H", 1)))
hashes = [sha256d(b[:80]) for b in blocks[:3]]
inv = cs(3) + struct.pack("<I", 0x40000001) + hashes[0] + \
    struct.pack("<I", 2) + hashes[1] + struct.pack("<I", 5) + hashes[2]
getheaders = struct.pack("<I", 70016) + cs(2) + hashes[2] + hashes[0] + \
    bytes(32)
headers = cs(3) + b"".join(b[:80] + b"\x00" for b in blocks[1:4])
ping = struct.pack("<Q", 0xdeadbeef)
for sel, payload in ((2, version), (2, version[:86]), (3, addr),
                     (4, addrv2), (5, inv), (6, getheaders), (7, headers),
                     (8, ping)):
    put("p2p", bytes([sel]) + payload)


def frame(cmd, payload):
    return (magic + cmd.encode().ljust(12, b"\x00") +
            struct.pack("<I", len(payload)) + sha256d(payload)[:4] + payload)


stream = b"".join((frame("version", version), frame("verack", b""),
                   frame("sendcmpct", b"\x01" + struct.pack("<Q", 2)),
                   frame("feefilter", struct.pack("<Q", 1000)),
                   frame("ping", ping), frame("pong", ping),
                   frame("getaddr", b""), frame("addr", addr),
                   frame("addrv2", addrv2), frame("inv", inv),
                   frame("getdata", inv), frame("notfound", inv),
                   frame("getheaders", getheaders),
                   frame("getblocks", getheaders),
                   frame("headers", headers)))
put("p2p", b"\x00" + magic + stream)
# v2transport: selector even = raw bytes of an inbound peer, cut into chunks
# by a size byte each; odd = a well-behaved initiator, then packets
# (flags, LE16 length, contents).
v1_prefix = magic + b"version" + bytes(5)
put("v2transport", b"\x00" + b"".join(bytes([len(c)]) + c for c in (v1_prefix[:5], v1_prefix[5:])))
put("v2transport", b"\x00" + bytes([63]) + bytes(range(64)) + bytes([20]) + bytes(21))
put("v2transport", b"\x01\x10" + b"\x00\x05\x00" + b"\x12abcd" + b"\x01\x03\x00xyz" +
    b"\x00\x0e\x00" + b"\x00verack" + bytes(6) + b"\x00\x01\x00\xc8")
bad = bytearray(frame("ping", ping))
bad[20] ^= 1
put("p2p", b"\x00" + magic + bytes(bad) + frame("pong", ping))
put("p2p", b"\x00" + magic + magic + b"block\x00\x00\x00\x00\x00\x00\x00" +
    struct.pack("<I", 4000001) + bytes(4))
for text in ("1.2.3.4", "1.2.3.4:8333", "::1", "[::1]:18444",
             "[2001:db8::1]", "10.0.0.0/8", "1.2.3.0/255.255.255.0",
             "fe80::/10", "::ffff:1.2.3.4", "2001:db8::/ffff:ffff::"):
    put("p2p", b"\x01" + struct.pack("<H", 8333) + text.encode())

# jsonrpc: request bodies.
h0 = hashes[0][::-1].hex()
bodies = [
    '{"method":"echo","params":[1,"a",null,true,2.5,{"k":[]}],"id":7}',
    '{"jsonrpc":"2.0","method":"echojson","params":{"arg0":1,"arg3":"x"},'
    '"id":"abc"}',
    '{"jsonrpc":"2.0","method":"echo"}',
    '{"method":"help","params":["getblock"],"id":1}',
    '{"method":"help","id":null}',
    '{"method":"getblock","params":{"blockhash":"%s","verbosity":2},"id":1}'
    % h0,
    '{"method":"gettxout","params":{"args":["%s",1],"include_mempool":true},'
    '"id":2}' % h0,
    '{"jsonrpc":"2.0","method":"getblockhash","params":["x"],"id":3}',
    '{"method":"getblockcount","params":[1],"id":4}',
    '{"method":"sendrawtransaction","params":["00",0.1],"id":5}',
    '{"method":"validateaddress","params":["bcrt1qx"],"id":6}',
    '[{"method":"echo","params":[1],"id":1},'
    '{"jsonrpc":"2.0","method":"nosuch","id":2},'
    '{"jsonrpc":"2.0","method":"echo"},7]',
    '[]', '[{"jsonrpc":"2.0","method":"echo"}]', '{', '5', '"s"',
    '{"method":1}', '{"jsonrpc":"3.0","method":"echo"}',
    '{"method":"echo","params":["a\\u00e9\\n\\"b\\\\",1e300,-0.0,'
    '9223372036854775807,"21000000.00000000"]}',
]
for body in bodies:
    put("jsonrpc", body)
for name in ("base58_encode_decode.json",):
    put("jsonrpc", open(os.path.join(shared, "vectors", "core", name)).read())

# config: the golden files, the example, and a few shapes.
d = os.path.join(top, "test", "golden", "config")
for f in sorted(os.listdir(d)):
    if f.endswith(".conf"):
        put("config", open(os.path.join(d, f), "rb").read())
put("config", open(os.path.join(top, "contrib", "bitroot.conf.example"),
                   "rb").read())
for text in ("regtest=1\n[regtest]\nport=18444\nrpcport=18443\n",
             "server=1\nnolisten=1\n# comment\nmain.maxconnections=8 # x\n",
             "[test]\naddnode=1.2.3.4\naddnode=5.6.7.8\n[unknown]\nfoo=1\n",
             "-regtest\n", "rpcpassword=a#b\n", "=1\n", "nofoo\n",
             "includeconf=other.conf\nchain=signet\n"):
    put("config", text)
put("config", b"-regtest\x00-port=1\x00-noconnect\x00-debug=net\x00-debug=rpc")

# address: selector (chain << 3 | mode), then text or bytes. Chains: main,
# test, testnet4, signet, regtest; modes: 0 address, 1 Bech32 string,
# 2 Bech32 encode, 3 Base58 string, 4 Base58 encode, 5 script, 6/7
# descriptor (7: checksum required).
chains = {"main": 0, "test": 1, "testnet4": 2, "signet": 3, "regtest": 4}
DESC_IN = ("0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
           "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GEN = (0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd)


def desc_sum(s):
    """BIP380 checksum of a descriptor."""
    def step(c, v):
        top = c >> 35
        c = ((c & 0x7ffffffff) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                c ^= GEN[i]
        return c
    c, cls, k = 1, 0, 0
    for ch in s:
        pos = DESC_IN.index(ch)
        c = step(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        k += 1
        if k == 3:
            c, cls, k = step(c, cls), 0, 0
    if k:
        c = step(c, cls)
    for _ in range(8):
        c = step(c, 0)
    c ^= 1
    return "".join(B32[(c >> (5 * (7 - j))) & 31] for j in range(8))


for e in vec("key_io_valid.json"):
    if e[2].get("isPrivkey"):
        continue
    s, script, ch = e[0], bytes.fromhex(e[1]), chains[e[2]["chain"]]
    bech = "1" in s[1:] and s.lower().startswith(("bc", "tb"))
    put("address", bytes([ch << 3 | 0]) + s.encode())
    put("address", bytes([ch << 3 | (1 if bech else 3)]) + s.encode())
    put("address", bytes([ch << 3 | 5]) + script)
    d = "addr(%s)" % s
    put("address", bytes([ch << 3 | 7]) + (d + "#" + desc_sum(d)).encode())
    d = "raw(%s)" % e[1]
    put("address", bytes([ch << 3 | 6]) + d.encode())
for e in vec("key_io_invalid.json"):
    for ch in (0, 4):
        put("address", bytes([ch << 3]) + e[0].encode())
for e in vec("base58_encode_decode.json"):
    put("address", bytes([3]) + e[1].encode())
    put("address", bytes([4]) + bytes.fromhex(e[0]))
put("address", bytes([2, 4]) + b"bcrt" + bytes(range(20)))


# snapshot: a UTXO snapshot file (metadata, then coins grouped by txid),
# made from the regtest chain's coinbases: Core's VARINT and compressions.
def varint(n):
    out = [n & 0x7f]
    while n > 0x7f:
        n = (n >> 7) - 1
        out.append((n & 0x7f) | 0x80)
    return bytes(reversed(out))


def compress_amount(n):
    if n == 0:
        return 0
    e = 0
    while n % 10 == 0 and e < 9:
        n //= 10
        e += 1
    if e < 9:
        d = n % 10
        n //= 10
        return 1 + (n * 9 + d - 1) * 10 + e
    return 1 + (n - 1) * 10 + 9


def coin(height, value, script):
    return varint(height * 2 + 1) + varint(compress_amount(value)) + \
        varint(len(script) + 6) + script


snap_coins = []
for h, block in enumerate(blocks[1:30], start=1):
    cb = txs_of(block)[0]
    snap_coins.append(sha256d(cb) + cs(2) + cs(0) +
                      coin(h, 5000000000, b"\x00\x14" + bytes(20)) +
                      cs(1) + coin(h, 0, b"\x6a"))
special = (sha256d(b"x") + cs(3) + cs(0) + b"\x00" + varint(0) + b"\x00" +
           bytes(20) + cs(1) + varint(10) + varint(9) + b"\x02" + bytes(32) +
           cs(5) + varint(2) + varint(1) + b"\x05" + bytes(32))
for body in (b"".join(snap_coins), special, b""):
    ncoins = 2 * len(snap_coins) if body is not special else 3
    if not body:
        ncoins = 0
    meta = (b"utxo\xff" + struct.pack("<H", 2) + magic + hashes[0] +
            struct.pack("<Q", ncoins))
    put("snapshot", meta + body)
put("snapshot", b"utxo\xff" + struct.pack("<H", 2) + bytes.fromhex("f9beb4d9"))


# feeestimates: fee_estimates.dat as Core writes it with no history (190
# buckets; medium, short and long horizons), and one with a few counts.
def fee_file(fill):
    buckets = []
    b = 1000.0
    while b <= 1e7:
        buckets.append(b)
        b *= 1.05
    buckets.append(1e99)
    nb = len(buckets)

    def dbls(v):
        return cs(len(v)) + b"".join(struct.pack("<d", x) for x in v)

    out = struct.pack("<iiIII", 149900, 280100, 200, 100 if fill else 0, 200 if fill else 0)
    out += dbls(buckets)
    for decay, scale, periods in ((0.9952, 2, 24), (0.962, 1, 12), (0.99931, 24, 42)):
        row = [float(fill * (i % 3)) for i in range(nb)]
        out += struct.pack("<d", decay) + struct.pack("<I", scale)
        out += dbls([r * 5000 for r in row]) + dbls(row)
        out += cs(periods) + b"".join(dbls(row) for _ in range(periods))
        out += cs(periods) + b"".join(dbls([0.0] * nb) for _ in range(periods))
    return out


put("feeestimates", fee_file(0))
put("feeestimates", fee_file(1))
put("feeestimates", struct.pack("<iiI", 149900, 999999, 0))

for t in sorted(count):
    print("  %-8s %d seeds" % (t, count[t]))
EOF

[ "$run" = 1 ] || exit 0
found=0
for t in $targets; do
	bin="$build/test/fuzz/fuzz_$t"
	mkdir -p "$work/corpus/$t" "$work/logs/$t" "$work/seeds/$t"
	rm -f "$work/logs/$t"/fuzz-*.log
	echo "fuzz.sh: fuzz_$t for ${secs}s"
	# -jobs=1: one worker process, its output in fuzz-0.log.
	(cd "$work/logs/$t" && "$bin" -jobs=1 -workers=1 \
	    -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
	    "$work/corpus/$t" "$work/seeds/$t" >/dev/null 2>&1) || true
	log="$work/logs/$t/fuzz-0.log"
	grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' \
	    "$log" | sed 's/^/    /' || true
	grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 |
	    sed 's/^/    /' || true
	if grep -qE 'ERROR: |property failed|SUMMARY: ' "$log"; then
		found=1
		echo "    FOUND: see $log"
		grep -E 'property failed|SUMMARY: ' "$log" | head -3 |
		    sed 's/^/    /'
	fi
done
arts=$(find "$work/artifacts" -type f 2>/dev/null | wc -l)
if [ "$found" = 1 ] || [ "$arts" -gt 0 ]; then
	echo "fuzz.sh: artifacts in $work/artifacts:"
	ls -1 "$work/artifacts" | sed 's/^/    /'
	exit 1
fi
echo "fuzz.sh: nothing found"
