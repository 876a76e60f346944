#!/usr/bin/env python3
"""Writes src/chain/chainseeds_data.h: Bitcoin Core 28.1's fixed seed lists.

Core compiles its published node lists (contrib/seeds/nodes_*.txt) into
chainparamsseeds.h as BIP155 records; this reads those arrays back out of
the Core 28.1 release binary in ../shared/anchors (the offsets below were
found by scanning it for runs of well-formed records with each chain's
port) and writes them as data for bitrootd.

Usage: contrib/seeds/extract_fixed_seeds.py BITCOIND OUT.h
"""
import ipaddress, sys
data = open(sys.argv[1],'rb').read()
LEN = {1:4, 2:16, 4:32, 5:32, 6:16}
def run(start, end):
    out=[]; i=start
    while i < end:
        nid=data[i]; l=data[i+1]; assert LEN[nid]==l
        out.append(data[i:i+4+l]); i+=4+l
    assert i==end
    return out
arrays = {'main': run(0x6a99d8, 0x6b19d8), 'test': run(0x6b19d8, 0x6b34b4), 'testnet4': run(0x6b3d50, 0x6b3d90)}
names={1:'IPv4',2:'IPv6',4:'TorV3',5:'I2P',6:'CJDNS'}
o=[]
o.append("/*\n * Fixed seeds: Bitcoin Core 28.1's lists of reliable nodes per chain, as\n * its release carries them (chainparamsseeds.h, made from its\n * contrib/seeds/nodes_*.txt), extracted from the release binary by\n * contrib/seeds/extract_fixed_seeds.py. Data, not code: each record is a\n * BIP155 network id, the address length, the address and the port\n * (big-endian). Signet and regtest have none, as in Core 28.1.\n */\n")
for name, recs in arrays.items():
    cnt = {}
    for r in recs: cnt[names[r[0]]] = cnt.get(names[r[0]],0)+1
    o.append("/* %s: %d nodes (%s) */\n" % (name, len(recs), ", ".join("%d %s"%(v,k) for k,v in cnt.items())))
    o.append("static const uint8_t fixed_seeds_%s[] = {\n" % name.replace('testnet4','testnet4'))
    for r in recs:
        o.append("\t" + ", ".join("0x%02x"%b for b in r) + ",\n")
    o.append("};\n\n")
open(sys.argv[2],'w').write("".join(o).rstrip()+"\n")
print({k:len(v) for k,v in arrays.items()})
