#!/usr/bin/env python3
"""Bad peers, Bitcoin Core as the judge: the same malformed or abusive input is
sent by a test peer to a Core node and to a bitrootd node, and each node's
reaction must be the same.

A reaction is one of
- ignore:     the connection carries on (a handshaken peer still gets its
              pings answered; a peer before its handshake can still finish it);
- disconnect: the node closes the connection and nothing more;
- discourage: the node closes the connection and a new connection from the
              same address is refused while the inbound slots are nearly full
              (Core's discouragement, net.cpp CreateNodeFromAcceptedSocket).
and, for some cases, a note on what the node made of the message (it answered
a version or a ping, its tip moved).

The cases: framing (magic, checksum, length, command bytes), the handshake
order, the version message cut at every field, size limits (inv, getdata,
notfound, addr, addrv2, locators, headers), headers and blocks that break a
consensus rule or build on an invalid or unknown block, consensus-invalid
and policy-invalid transactions, truncated payloads of most types, malformed
ping/pong/sendcmpct/feefilter, the bloom and mempool messages we do not
serve, and compact blocks. A few are sent by a peer the node connected to
(outbound), where Core's rules differ: a block or header already known to be
invalid is punished from an outbound peer only.

Core never discourages a local (127.0.0.0/8) address: it would discourage
every local peer at once (net_processing.cpp MaybeDiscourageAndDisconnect).
Tests keep their traffic on loopback, so by default "discourage" means
"Misbehaving logged for the peer, then disconnected". Inside a network
namespace of your own, BR_TEST_SECOND_ADDR=1 makes the bad peers connect
from a non-loopback address of the host, to which both nodes also listen;
Core then discourages that address and disconnects every peer connected from
it, which a second, well-behaved peer from the same address ("bystander")
shows. Core forgets discouragement only when it restarts, so
after each discouraging case the node is restarted.

The table of (case, Core, bitrootd) is printed; each row must agree, except
the deliberate differences listed in DELIBERATE with their reason.
"""

import os
import re
import socket
import struct
import time

from test_framework.address import ADDRESS_BCRT1_P2WSH_OP_TRUE
from test_framework.blocktools import (COINBASE_MATURITY, block_subsidy, create_block,
                                       create_chain, create_coinbase, spend_p2wsh_op_true)
from test_framework.messages import (COIN, MAGIC_MAIN, MSG_BLOCK, MSG_TX, MSG_WITNESS_TX, CAddress, CBlockLocator,
                                     CInv, COutPoint, CTransaction, CTxIn, CTxOut, hash256, hex_to_hash, msg_addr,
                                     msg_addrv2, msg_block, msg_getblocks, msg_getdata, msg_getheaders, msg_headers,
                                     msg_inv, msg_notfound, msg_ping, msg_pong, msg_sendaddrv2, msg_sendcmpct,
                                     msg_tx, msg_verack, msg_version, msg_wtxidrelay, ser_compact_size)
from test_framework.p2p import P2PDataStore, P2PInterface, p2p_lock
from test_framework.script import CScript, OP_TRUE
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, p2p_port, wait_until

# -maxconnections=15 leaves 15 - (8 full + 2 block-relay + 1 feeler) = 4
# inbound slots, in Core and in bitrootd.
MAXCONNECTIONS = 15
MAX_INBOUND = 4
# How long a message may take to have its effect before "still connected"
# counts as "ignored": bitrootd hands headers, blocks and transactions to
# other threads (validation, mempool) and punishes when they answer, after
# the pong that follows the message.
GRACE = 0.5
GRACE_VALIDATION = 2.0
# Cases whose message reaches validation or the mempool.
VALIDATION_TYPES = (b"headers", b"block", b"tx", b"cmpctblock")

# Cases where bitrootd differs from Core on purpose: name -> why.
DELIBERATE = {}


def host_address():
    """A non-loopback IPv4 address of this host to connect to itself on, or None.

    Only when BR_TEST_SECOND_ADDR=1 (for a run inside a network namespace the
    developer made): tests keep their traffic on loopback, where neither Core
    nor bitrootd discourages, so by default discouragement is read from the
    nodes' "Misbehaving" log lines instead.
    """
    if os.environ.get("BR_TEST_SECOND_ADDR") != "1":
        return None
    for probe in ("192.0.2.1", "10.255.255.254", "8.8.8.8"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.connect((probe, 9))
            ip = s.getsockname()[0]
        except OSError:
            continue
        finally:
            s.close()
        if ip.startswith("127.") or ip == "0.0.0.0":
            continue
        t = socket.socket()
        try:
            t.bind((ip, 0))
            return ip
        except OSError:
            pass
        finally:
            t.close()
    return None


def record(peer, sent):
    """Notes in sent the type of every message peer sends from now on."""
    raw = peer.send_raw_message

    def send(data):
        if len(data) >= 16:
            sent.append(bytes(data[4:16]).rstrip(b"\x00"))
        raw(data)
    peer.send_raw_message = send


class Case:
    """One bad input. send(peer, ctx) sends it; pre: sent before our version;
    outbound: the node connected to the bad peer (addconnection), not the
    other way round.

    answered(peer, node) -> bool, if given, records whether the node acted
    on the message (a version sent back, a pong, a new tip); it is part of
    the reaction. store: the bad peer serves the blocks it sends
    (P2PDataStore) when the node asks for them.
    """

    def __init__(self, name, send, *, pre=False, answered=None, outbound=False, store=False):
        self.store = store
        self.name = name
        self.send = send
        self.pre = pre
        self.answered = answered
        self.outbound = outbound


class Ctx:
    """What a node's cases build on: its tip and a mature coinbase output."""

    def __init__(self, node, invalid):
        self.node = node
        self.invalid = invalid      # a block the node holds as invalid
        tip = node.getbestblockhash()
        hdr = node.getblockheader(tip)
        self.tip = hex_to_hash(tip)
        self.height = hdr["height"]
        self.time = max(hdr["time"], hdr["mediantime"]) + 1
        self.mediantime = hdr["mediantime"]
        cb = node.getblock(node.getblockhash(1), 2)["tx"][0]
        self.utxo = COutPoint(hex_to_hash(cb["txid"]), 0)
        self.utxo_value = block_subsidy(1)

    def next_block(self, txs=(), *, witness_commitment=None, ntime=None, **kw):
        cb = create_coinbase(self.height + 1)
        return create_block(self.tip, cb, self.time if ntime is None else ntime, txs=txs,
                            witness_commitment=witness_commitment, **kw)

    def child_of_invalid(self):
        cb = create_coinbase(self.height + 2)
        return solved(create_block(self.invalid.hash, cb, self.time + 1))


def invalid_block(node):
    """A block on node's tip spending an output that does not exist."""
    hdr = node.getblockheader(node.getbestblockhash())
    tx = CTransaction(version=2)
    tx.vin = [CTxIn(COutPoint(b"\x78" * 32, 0), b"\x51", 0xffffffff)]
    tx.vout = [CTxOut(1000, b"\x51")]
    b = create_block(hdr["hash"], create_coinbase(hdr["height"] + 1, extra_script_sig=b"\x01\x02"),
                     max(hdr["time"], hdr["mediantime"]) + 1, txs=[tx])
    return solved(b)


def solved(block):
    block.solve()
    return block


def spend(ctx, value, *, witness=True):
    tx = spend_p2wsh_op_true([ctx.utxo], [CTxOut(value, bytes(CScript([0, hash256(b"x")])))])
    if not witness:
        tx.witness = []
    return tx


def truncated(msgtype, payload, cut):
    return lambda p, c: p.send_frame(msgtype, payload(c)[:cut(len(payload(c)))])


def version_payload(user_agent="/bad/"):
    v = msg_version(user_agent=user_agent)
    return v.serialize()


def cases():
    now = int(time.time())
    hashes = [struct.pack("<I", i) + b"\x11" * 28 for i in range(50001)]
    addrs = [CAddress("10.%d.%d.1" % (i // 256, i % 256), 8333, time_=now) for i in range(1001)]

    def bad_merkle(p, c):
        b = c.next_block()
        b.merkle_root = b"\x42" * 32
        p.send_message(msg_block(solved(b)))

    def bad_tx_in_block(p, c):
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(b"\x77" * 32, 0), b"\x51", 0xffffffff)]
        tx.vout = [CTxOut(1000, b"\x51")]
        p.send_message(msg_block(solved(c.next_block([tx]))))

    def witness_mutated(p, c):
        # A witness transaction and no commitment: the block is mutated.
        b = c.next_block([spend(c, 49 * COIN)], witness_commitment=False)
        p.send_message(msg_block(solved(b)))

    def bad_witness_commitment(p, c):
        b = c.next_block([spend(c, 49 * COIN)])
        tx = b.vtx[1]
        tx.witness = [[bytes(CScript([OP_TRUE])), b"\x01"]]   # changes the wtxid, not the txid
        b.update_merkle_root()
        p.send_message(msg_block(solved(b)))

    def unknown_parent(p, c):
        b = create_block(b"\x66" * 32, create_coinbase(c.height + 1), c.time)
        p.send_message(msg_block(solved(b)))

    def headers_noncontinuous(p, c):
        chain = create_chain(c.tip, c.height + 1, c.time, 3)
        p.send_message(msg_headers([chain[0].header(), chain[2].header()]))

    def headers_bad_pow(p, c):
        h = c.next_block().header()
        h.unsolve()
        p.send_message(msg_headers([h]))

    def headers_2001(p, c):
        chain = create_chain(c.tip, c.height + 1, c.time, 2001)
        p.send_message(msg_headers([b.header() for b in chain]))

    def headers_tx_count(p, c):
        h = solved(c.next_block()).header()
        p.send_frame(b"headers", ser_compact_size(1) + h.serialize() + ser_compact_size(1))

    def tx_belowout(p, c):
        p.send_message(msg_tx(spend(c, c.utxo_value + 1)))

    def tx_dup_inputs(p, c):
        tx = spend(c, COIN)
        tx.vin.append(tx.vin[0])
        tx.witness.append(tx.witness[0])
        p.send_message(msg_tx(tx))

    def tx_bad_script(p, c):
        tx = spend(c, 49 * COIN)
        tx.witness = [[bytes(CScript([OP_TRUE, OP_TRUE]))]]   # not the committed script
        p.send_message(msg_tx(tx))

    def tx_coinbase(p, c):
        p.send_message(msg_tx(create_coinbase(c.height + 1)))

    def tx_dust(p, c):
        p.send_message(msg_tx(spend(c, 100)))

    def tx_witness_stripped(p, c):
        p.send_message(msg_tx(spend(c, 49 * COIN, witness=False)))

    def tx_orphan(p, c):
        tx = spend(c, COIN)
        tx.vin[0].prevout = COutPoint(b"\x79" * 32, 0)
        p.send_message(msg_tx(tx))

    def tx_superfluous_witness(p, c):
        tx = spend(c, 49 * COIN, witness=False)
        raw = tx.serialize()
        # version, marker 0, flag 1, inputs, outputs, one empty witness stack, locktime.
        body = raw[4:-4]
        p.send_frame(b"tx", raw[:4] + b"\x00\x01" + body + b"\x00" + raw[-4:])

    def tx_version4(p, c):
        tx = spend(c, 49 * COIN)
        tx.version = 4
        p.send_message(msg_tx(tx))

    def cmpct(block):
        # header, nonce, no short ids, no prefilled transactions
        return block.header().serialize() + struct.pack("<Q", 5) + ser_compact_size(0) + ser_compact_size(0)

    def cmpct_of(block, prefilled=(), nshort=0, first_index=0):
        out = block.header().serialize() + struct.pack("<Q", 5) + ser_compact_size(nshort) + b"\x07" * (6 * nshort)
        out += ser_compact_size(len(prefilled))
        for k, tx in enumerate(prefilled):
            out += ser_compact_size(first_index if k == 0 else 0) + tx.serialize()
        return out

    def cmpct_valid(p, c):
        # On a fresh tip: no header of the other cases competes with it.
        c.node.generatetoaddress(1, ADDRESS_BCRT1_P2WSH_OP_TRUE)
        c = Ctx(c.node, c.invalid)
        b = solved(c.next_block())
        p.add_blocks([b])
        p.sent_block = b.hash_hex
        p.send_frame(b"cmpctblock", cmpct_of(b, [b.vtx[0]]))

    def became_tip(p, n):
        return n.getbestblockhash() == p.sent_block

    def cmpct_bad_pow(p, c):
        b = c.next_block()
        b.unsolve()
        p.send_frame(b"cmpctblock", cmpct(b))

    def cmpct_unknown_parent(p, c):
        b = solved(create_block(b"\x64" * 32, create_coinbase(c.height + 1), c.time))
        p.send_frame(b"cmpctblock", cmpct(b))

    def unconnecting_flood(p, c):
        for i in range(20):
            b = solved(create_block(bytes([i]) * 32, create_coinbase(c.height + 1), c.time))
            p.send_message(msg_headers([b.header()]))

    def addrv2_entry(net, addr):
        return struct.pack("<I", now) + ser_compact_size(1) + bytes([net]) + ser_compact_size(len(addr)) + addr + \
            struct.pack(">H", 8333)

    def ping_silence(p, c):
        # The node pings every 2 minutes; this peer stops answering, and
        # the clock jumps past the 20-minute ping timeout. The harness's
        # -peertimeout=999999999 is what Core's own tests use to keep
        # that timeout off.
        p.auto_pong = False
        t = int(time.time())
        with p2p_lock:
            seen = len(p.ping_nonces)
        c.node.setmocktime(t + 3 * 60)
        p.wait_until(lambda: len(p.ping_nonces) > seen, timeout=30)
        c.node.setmocktime(t + 25 * 60)

    def sample_tx(c):
        return spend(c, 49 * COIN).serialize()

    def sample_headers(c):
        return msg_headers([b.header() for b in create_chain(c.tip, c.height + 1, c.time, 2)]).serialize()

    def sample_inv(c):
        return msg_inv([CInv(MSG_TX, b"\x01" * 32), CInv(MSG_BLOCK, b"\x02" * 32)]).serialize()

    def sample_addr(c):
        return msg_addr(addrs[:3]).serialize()

    def sample_getheaders(c):
        return msg_getheaders(CBlockLocator([c.tip])).serialize()

    def sample_block(c):
        return solved(c.next_block()).serialize()

    def pong_for(nonce):
        return lambda p, n: nonce in p.pong_nonces

    def extra_pong(p, n):
        # Pongs beyond the two sync pings the check itself sends.
        return len(p.pong_nonces) > 3

    def answered_version(p, n):
        return p.peer_version is not None

    def oversized_ua(p, c):
        p.send_message(msg_version(user_agent="u" * 257, nonce=7))

    def before_version(msg):
        return lambda p, c: p.send_message(msg)

    return [
        # --- framing
        Case("bad magic", lambda p, c: p.send_frame(b"ping", struct.pack("<Q", 1), magic=MAGIC_MAIN)),
        Case("bad checksum", lambda p, c: p.send_frame(b"ping", struct.pack("<Q", 1), checksum=b"\xde\xad\xbe\xef"),
             answered=extra_pong),
        Case("header length 4,000,001", lambda p, c: p.send_frame(b"ping", struct.pack("<Q", 1), length=4_000_001)),
        Case("unknown command", lambda p, c: p.send_frame(b"xyzzy", b"\x01" * 50)),
        Case("invalid command bytes", lambda p, c: p.send_raw_message(
            p.magic + b"pi\x00ng" + b"\x00" * 7 + struct.pack("<I", 8) + hash256(b"\x05" * 8)[:4] + b"\x05" * 8),
            answered=extra_pong),
        # --- handshake
        Case("version twice", lambda p, c: p.send_message(p.make_version())),
        Case("ping before version", before_version(msg_ping(88)), pre=True, answered=pong_for(88)),
        Case("verack before version", before_version(msg_verack()), pre=True),
        Case("version truncated to 46 bytes", lambda p, c: p.send_frame(b"version", version_payload()[:46]),
             pre=True, answered=answered_version),
        Case("version truncated in addr_recv", lambda p, c: p.send_frame(b"version", version_payload()[:30]),
             pre=True, answered=answered_version),
        Case("version truncated in addr_from", lambda p, c: p.send_frame(b"version", version_payload()[:60]),
             pre=True, answered=answered_version),
        Case("version truncated in the nonce", lambda p, c: p.send_frame(b"version", version_payload()[:76]),
             pre=True, answered=answered_version),
        Case("version truncated after the nonce", lambda p, c: p.send_frame(b"version", version_payload()[:80]),
             pre=True, answered=answered_version),
        Case("version truncated in the user agent", lambda p, c: p.send_frame(b"version", version_payload()[:83]),
             pre=True, answered=answered_version),
        Case("version truncated in the start height",
             lambda p, c: p.send_frame(b"version", version_payload()[:88]), pre=True, answered=answered_version),
        Case("version without the relay flag", lambda p, c: p.send_frame(b"version", version_payload()[:90]),
             pre=True, answered=answered_version),
        Case("version with a 257-byte user agent", oversized_ua, pre=True, answered=answered_version),
        Case("version from protocol 31799", lambda p, c: p.send_message(msg_version(version=31799)), pre=True),
        Case("wtxidrelay after verack", lambda p, c: p.send_message(msg_wtxidrelay())),
        Case("sendaddrv2 after verack", lambda p, c: p.send_message(msg_sendaddrv2())),
        Case("verack twice", lambda p, c: p.send_message(msg_verack())),
        # --- size limits
        Case("inv of 50,001", lambda p, c: p.send_message(msg_inv([CInv(MSG_TX, h) for h in hashes]))),
        Case("getdata of 50,001", lambda p, c: p.send_message(msg_getdata([CInv(MSG_TX, h) for h in hashes]))),
        Case("notfound of 50,001", lambda p, c: p.send_message(msg_notfound([CInv(MSG_TX, h) for h in hashes]))),
        Case("addr of 1000", lambda p, c: p.send_message(msg_addr(addrs[:1000]))),
        Case("addr of 1001", lambda p, c: p.send_message(msg_addr(addrs))),
        Case("addrv2 of 1001", lambda p, c: p.send_message(msg_addrv2(addrs))),
        Case("addrv2 with a 513-byte address", lambda p, c: p.send_frame(
            b"addrv2", ser_compact_size(1) + addrv2_entry(7, b"\x01" * 513))),
        Case("addrv2 with a 5-byte IPv4 address", lambda p, c: p.send_frame(
            b"addrv2", ser_compact_size(1) + addrv2_entry(1, b"\x01" * 5))),
        Case("addrv2 of an unknown network", lambda p, c: p.send_frame(
            b"addrv2", ser_compact_size(1) + addrv2_entry(42, b"\x01" * 7))),
        Case("getheaders with 102 locator hashes",
             lambda p, c: p.send_message(msg_getheaders(CBlockLocator([c.tip] * 102)))),
        Case("getblocks with 102 locator hashes",
             lambda p, c: p.send_message(msg_getblocks(CBlockLocator([c.tip] * 102)))),
        Case("getheaders with 101 locator hashes",
             lambda p, c: p.send_message(msg_getheaders(CBlockLocator([c.tip] * 101)))),
        # --- headers
        Case("headers not continuous", headers_noncontinuous),
        Case("header with invalid proof of work", headers_bad_pow),
        Case("headers of 2001", headers_2001),
        Case("header with a transaction count of 1", headers_tx_count),
        Case("header not connecting to anything", lambda p, c: p.send_message(msg_headers([
            solved(create_block(b"\x65" * 32, create_coinbase(c.height + 1), c.time)).header()]))),
        Case("20 headers messages not connecting", unconnecting_flood),
        Case("header with wrong difficulty bits", lambda p, c: p.send_message(msg_headers([
            solved(c.next_block(bits=0x207ffffe)).header()]))),
        Case("header with a time before the median", lambda p, c: p.send_message(msg_headers([
            solved(c.next_block(ntime=c.mediantime)).header()]))),
        Case("header with a time 3 hours ahead", lambda p, c: p.send_message(msg_headers([
            solved(c.next_block(ntime=int(time.time()) + 3 * 3600)).header()]))),
        Case("header of version 1", lambda p, c: p.send_message(msg_headers([
            solved(c.next_block(version=1)).header()]))),
        Case("header known to be invalid", lambda p, c: p.send_message(msg_headers([c.invalid.header()]))),
        Case("header building on an invalid block", lambda p, c: p.send_message(msg_headers([
            c.child_of_invalid().header()]))),
        # --- blocks
        Case("block with a bad merkle root", bad_merkle),
        Case("block with an invalid transaction", bad_tx_in_block),
        Case("block with witness data and no commitment", witness_mutated),
        Case("block with a wrong witness commitment", bad_witness_commitment),
        Case("block with an unknown parent", unknown_parent),
        Case("block with a time 3 hours ahead", lambda p, c: p.send_message(msg_block(
            solved(c.next_block(ntime=int(time.time()) + 3 * 3600))))),
        Case("block known to be invalid", lambda p, c: p.send_message(msg_block(c.invalid))),
        Case("block building on an invalid block", lambda p, c: p.send_message(msg_block(c.child_of_invalid()))),
        Case("block with wrong difficulty bits", lambda p, c: p.send_message(msg_block(
            solved(c.next_block(bits=0x207ffffe))))),
        Case("block with a bad coinbase height", lambda p, c: p.send_message(msg_block(solved(create_block(
            c.tip, create_coinbase(c.height + 5), c.time))))),
        # --- transactions
        Case("tx spending more than its input (consensus)", tx_belowout),
        Case("tx with duplicate inputs (consensus)", tx_dup_inputs),
        Case("tx failing its witness script (consensus)", tx_bad_script),
        Case("coinbase as a tx (consensus)", tx_coinbase),
        Case("tx with a dust output (policy)", tx_dust),
        Case("tx with its witness stripped", tx_witness_stripped),
        Case("tx spending a missing output (orphan)", tx_orphan),
        Case("tx with a superfluous witness flag", tx_superfluous_witness),
        Case("tx of version 4 (policy)", tx_version4),
        # --- truncated payloads
        Case("inv truncated", truncated(b"inv", sample_inv, lambda n: n // 2)),
        Case("headers truncated", truncated(b"headers", sample_headers, lambda n: n - 1)),
        Case("tx truncated", truncated(b"tx", sample_tx, lambda n: n // 2)),
        Case("addr truncated", truncated(b"addr", sample_addr, lambda n: n - 3)),
        Case("getheaders truncated", truncated(b"getheaders", sample_getheaders, lambda n: n - 1)),
        Case("block truncated", truncated(b"block", sample_block, lambda n: n - 1)),
        Case("ping without nonce", lambda p, c: p.send_frame(b"ping", b""), answered=extra_pong),
        Case("pong without nonce", lambda p, c: p.send_frame(b"pong", b"")),
        # --- sendcmpct, feefilter
        Case("sendcmpct truncated", lambda p, c: p.send_frame(b"sendcmpct", msg_sendcmpct(False, 2).serialize()[:5])),
        Case("sendcmpct version 3", lambda p, c: p.send_message(msg_sendcmpct(True, 3))),
        Case("feefilter truncated", lambda p, c: p.send_frame(b"feefilter", b"\xe8\x03\x00\x00")),
        Case("feefilter negative", lambda p, c: p.send_frame(b"feefilter", struct.pack("<q", -1))),
        Case("unsolicited pong", lambda p, c: p.send_message(msg_pong(12345))),
        Case("no pong for 25 minutes (-peertimeout=999999999)", ping_silence),
        # --- other protocol violations
        Case("mempool without bloom filters", lambda p, c: p.send_frame(b"mempool", b"")),
        Case("filterload without bloom filters", lambda p, c: p.send_frame(b"filterload", b"\x00" * 10)),
        Case("cmpctblock that does not parse", lambda p, c: p.send_frame(b"cmpctblock", b"\x01" * 90)),
        Case("cmpctblock with invalid proof of work", cmpct_bad_pow),
        Case("cmpctblock with an unknown parent", cmpct_unknown_parent),
        Case("cmpctblock of a new block, empty", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct(solved(c.next_block(ntime=c.time + 3))))),
        Case("cmpctblock of a new block, prefilled index out of range", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct_of(solved(c.next_block(ntime=c.time + 4)), [create_coinbase(c.height + 1)],
                                    first_index=3))),
        Case("cmpctblock of a new block, 2 short ids, prefilled at 2", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct_of(solved(c.next_block(ntime=c.time + 5)), [create_coinbase(c.height + 1)],
                                    nshort=2, first_index=2))),
        Case("cmpctblock of a new block, null prefilled tx", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct_of(solved(c.next_block(ntime=c.time + 8)), [CTransaction(version=2)],
                                    nshort=1))),
        Case("cmpctblock of a new block, colliding short ids", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct_of(solved(c.next_block(ntime=c.time + 6)), [create_coinbase(c.height + 1)],
                                    nshort=2))),
        Case("cmpctblock of a block known to be invalid", lambda p, c: p.send_frame(b"cmpctblock", cmpct(c.invalid))),
        Case("cmpctblock building on an invalid block", lambda p, c: p.send_frame(
            b"cmpctblock", cmpct(c.child_of_invalid()))),
        # --- from a peer the node chose (outbound): an invalid chain is its fault
        Case("header known to be invalid, outbound peer",
             lambda p, c: p.send_message(msg_headers([c.invalid.header()])), outbound=True),
        Case("block known to be invalid, outbound peer", lambda p, c: p.send_message(msg_block(c.invalid)),
             outbound=True),
        Case("cmpctblock of a block known to be invalid, outbound peer",
             lambda p, c: p.send_frame(b"cmpctblock", cmpct(c.invalid)), outbound=True),
        Case("block with an unknown parent, outbound peer", unknown_parent, outbound=True),
        Case("getblocktxn for an unknown block", lambda p, c: p.send_frame(
            b"getblocktxn", b"\x13" * 32 + ser_compact_size(1) + ser_compact_size(0))),
        Case("blocktxn nobody asked for", lambda p, c: p.send_frame(
            b"blocktxn", b"\x14" * 32 + ser_compact_size(0))),
        Case("getdata for a block nobody has",
             lambda p, c: p.send_message(msg_getdata([CInv(MSG_BLOCK, b"\x0a" * 32)]))),
        Case("inv of an unknown block", lambda p, c: p.send_message(msg_inv([CInv(MSG_BLOCK, b"\x0b" * 32)]))),
        Case("getaddr twice", lambda p, c: (p.send_frame(b"getaddr", b""), p.send_frame(b"getaddr", b""))),
        Case("getdata for a witness tx nobody has",
             lambda p, c: p.send_message(msg_getdata([CInv(MSG_WITNESS_TX, b"\x09" * 32)]))),
        # Last: the node's tip moves.
        Case("cmpctblock of a valid new block", cmpct_valid, store=True, answered=became_tip),
    ]


class InteropBadPeerTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.rpc_timeout = 120

    def add_options(self, parser):
        parser.add_argument("--case", dest="cases", action="append", default=[],
                            help="run only the cases whose name contains this (repeatable)")

    def setup_network(self):
        self.src = host_address()
        args = []
        for i in range(2):
            a = ["-maxconnections=%d" % MAXCONNECTIONS]
            if self.src:
                port = p2p_port(i)
                # The config file binds 127.0.0.1 already.
                a += ["-bind=%s:%d" % (self.src, port)]
            args.append(a)
        self.add_nodes(2, args, binaries=["core", "bitrootd"])
        self.start_nodes()

    # --- connections --------------------------------------------------------

    def connect(self, node, peer, *, src=None, handshake=True):
        """Connects peer to node from src (this host's address, or loopback)."""
        src = src or "127.0.0.1"
        peer.timeout_factor = self.options.timeout_factor
        peer.peer_connect(src, node.p2p_port)
        node.p2ps.append(peer)
        if handshake:
            peer.wait_for_verack()
            peer.sync_with_ping()
        return peer

    def connect_outbound(self, node):
        """Has node connect (addconnection, outbound-full-relay) to a test peer on src."""
        peer = P2PInterface()
        peer.timeout_factor = self.options.timeout_factor
        port = peer.peer_accept_connection(host=self.src or "127.0.0.1")
        node.p2ps.append(peer)
        node.addconnection("%s:%d" % (self.src or "127.0.0.1", port), "outbound-full-relay", False)
        peer.wait_for_connect()
        peer.wait_for_verack()
        peer.sync_with_ping()
        return peer

    def peer_id(self, node, peer):
        sock = peer._transport.get_extra_info("sockname")
        ours = "%s:%d" % (sock[0], sock[1])

        def find():
            for p in node.getpeerinfo():
                if p["addr"] == ours:
                    return p["id"]
            return None
        wait_until(lambda: find() is not None, timeout=30)
        return find()

    def settle(self, node, expect):
        wait_until(lambda: len(node.getpeerinfo()) == expect, timeout=60)

    def start_honest(self, node):
        self.honest[node.index] = self.connect(node, P2PInterface())

    def restart(self, node):
        node.p2ps = [p for p in node.p2ps if p.is_connected]
        self.restart_node(node.index)
        self.start_honest(node)

    # --- observing a reaction ---------------------------------------------------

    @staticmethod
    def alive(peer, grace):
        """Pings twice, grace seconds apart: False if the node dropped the peer."""
        try:
            peer.sync_with_ping(timeout=60)
            time.sleep(grace)
            peer.sync_with_ping(timeout=60)
            return True
        except (AssertionError, IOError):
            return False

    def discouraged(self, node):
        """With the inbound slots one short of full, is a connection from src refused?"""
        self.settle(node, 1)
        fillers = [self.connect(node, P2PInterface()) for _ in range(MAX_INBOUND - 2)]
        self.settle(node, MAX_INBOUND - 1)
        probe = P2PInterface()
        probe.peer_connect(self.src, node.p2p_port)
        wait_until(lambda: probe.verack_received or not probe.is_connected, lock=p2p_lock, timeout=60)
        refused = not probe.verack_received
        for p in fillers + [probe]:
            p.peer_disconnect()
        for p in fillers + [probe]:
            p.wait_for_disconnect()
        self.settle(node, 1)
        return refused

    def observe(self, node, case):
        ctx = Ctx(node, self.invalid[node.index])
        if case.outbound:
            bad = self.connect_outbound(node)
        else:
            cls = P2PDataStore if case.store else P2PInterface
            bad = self.connect(node, cls(send_version=not case.pre), src=self.src, handshake=not case.pre)
        bystander = self.connect(node, P2PInterface(), src=self.src) if self.src else None
        pid = self.peer_id(node, bad)
        log_from = node.debug_log_bytes()
        sent = []
        record(bad, sent)
        case.send(bad, ctx)
        grace = GRACE_VALIDATION if any(t in VALIDATION_TYPES for t in sent) else GRACE
        if case.pre:
            time.sleep(2 * GRACE)
            stays = bad.is_connected
            with p2p_lock:
                answered = case.answered(bad, node) if case.answered else None
            if stays:
                try:
                    if bad.peer_version is None:
                        bad.send_message(bad.make_version())
                    bad.wait_for_verack()
                    stays = self.alive(bad, GRACE)
                except (AssertionError, IOError):
                    stays = False
        else:
            stays = self.alive(bad, grace)
            with p2p_lock:
                answered = case.answered(bad, node) if case.answered else None
        node.setmocktime(0)
        self.honest[node.index].sync_with_ping()
        note = ""
        if answered is not None:
            note = ", answered" if answered else ", not answered"
        if stays:
            reaction = "ignore"
        elif self.src:
            # Core drops every peer of a discouraged address at once.
            try:
                bystander.wait_for_disconnect(timeout=2)
            except AssertionError:
                pass
            others = "" if bystander.is_connected else " (+ same-address peers)"
            bystander.peer_disconnect()
            bystander.wait_for_disconnect()
            bystander = None
            if self.discouraged(node):
                reaction = "discourage" + others
                self.restart(node)
            else:
                reaction = "disconnect" + others
        else:
            log = node.read_debug_log(log_from)
            misbehaved = re.search(r"Misbehaving: peer=%d\b" % pid, log) is not None
            reaction = "discourage" if misbehaved else "disconnect"
        for p in (bad, bystander):
            if p is not None and p.is_connected:
                p.peer_disconnect()
                p.wait_for_disconnect()
        self.settle(node, 1)
        return reaction + note

    def run_test(self):
        core, br = self.nodes
        for node in self.nodes:
            self.generate(node, COINBASE_MATURITY + 10, sync_fun=self.no_op)
        self.honest = {}
        self.invalid = {}
        for node in self.nodes:
            blk = invalid_block(node)
            node.submitblock(blk.serialize().hex())
            assert_equal(node.getblockheader(blk.hash_hex)["confirmations"], -1)
            self.invalid[node.index] = blk
        for node in self.nodes:
            self.start_honest(node)
        if self.src:
            self.log.info("Bad peers connect from %s (discouragement observable)", self.src)
        else:
            self.log.info("No non-loopback address: bad peers connect from 127.0.0.1 "
                          "(discouragement read from the Misbehaving log line)")
        rows = []
        chosen = [c for c in cases() if not self.options.cases or any(k in c.name for k in self.options.cases)]
        for case in chosen:
            got_core = self.observe(core, case)
            got_br = self.observe(br, case)
            rows.append((case.name, got_core, got_br))
            self.log.debug("%s: core %s, bitrootd %s", case.name, got_core, got_br)
        w = max(len(r[0]) for r in rows)
        wc = max(len(r[1]) for r in rows)
        lines = ["%-*s  %-*s  %s" % (w, "case", wc, "Core 28.1", "bitrootd")]
        bad = []
        for name, c, b in rows:
            mark = ""
            if c != b:
                mark = "  <- deliberate: " + DELIBERATE[name] if name in DELIBERATE else "  <- DIFFERS"
                if name not in DELIBERATE:
                    bad.append(name)
            lines.append("%-*s  %-*s  %s%s" % (w, name, wc, c, b, mark))
        self.log.info("Reactions to bad peers:\n%s", "\n".join(lines))
        assert not bad, "bitrootd reacts unlike Core to: %s" % ", ".join(bad)
        # Both nodes still serve their honest peers.
        for node in self.nodes:
            self.honest[node.index].sync_with_ping()


if __name__ == "__main__":
    InteropBadPeerTest(__file__).main()
