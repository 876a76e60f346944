#!/usr/bin/env python3
"""Address gossip between Bitcoin Core 28.1 and bitrootd, both directions.

A Core node connects to a bitrootd node (addnode onetry: Core's manual
outbound, bitrootd's inbound), and later the other way round; each relays
to the other in both cases. Mock time moves both clocks together, a minute
at a time, so that the addr trickle (a Poisson timer of mean 30 s in both)
fires without waiting.

- getaddr to a node whose address book is empty gets no answer at all from
  either (no empty addr message).
- Core -> bitrootd: a test peer sends Core an addrv2 and an addr message of
  fresh routable addresses (IPv4 and IPv6); Core relays them to bitrootd,
  which processes them all (getpeerinfo addr_processed) and stores them
  (getnodeaddresses).
- bitrootd -> Core: the same through a test peer of bitrootd's; Core learns
  them.
- What is not gossiped, by either: the addresses of a message of more than
  10, and addresses older than 10 minutes; both store them. A later small
  batch that does arrive shows the trickle ran meanwhile.
- getaddr, once the day-long answer cache has expired: each node answers a
  new inbound peer with 23% of its address book, addrv2 or addr as the peer
  asked, once per connection.
- Rate limit: a new peer's bucket holds one token, which any address takes,
  even one then skipped for its services.
- Entries of networks nobody knows are read, not kept: they count towards
  the 10 that make a message small enough to gossip, and cost tokens.
- Fan-out: of three addr-relay peers, a fresh IPv4 address goes to two; an
  onion, I2P or CJDNS address (not reachable here: relayed, not stored) to
  one or two.
The findings are printed as a table (check, Core, bitrootd).
"""

import ipaddress
import time

from test_framework.messages import NET_CJDNS, NET_I2P, NET_TORV3, CAddress, msg_addr, msg_addrv2, msg_getaddr
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

# One mock minute per step: the addr trickle has a 30 s mean.
STEP = 60
MAX_STEPS = 90
# Core's getaddr answer cache lives 21 to 27 hours.
CACHE_LIFETIME_MAX = 27 * 3600


def batch(tag, n, *, ipv6=0):
    """n routable addresses, each in its own /16 (IPv4) or /32 (IPv6)."""
    out = ["%d.%d.0.1" % (20 + tag, 10 + i) for i in range(n - ipv6)]
    out += ["2a%02x:%x::1" % (tag, 0x100 + i) for i in range(ipv6)]
    return out


def addrs(ips, t):
    return [CAddress(ip, 8333, time_=t) for ip in ips]


def unknown_entries(n, t):
    """n addrv2 entries of a network id BIP155 does not define (ignored, but read)."""
    return [CAddress(bytes([i + 1]) * 7, 8333, time_=t, net=42) for i in range(n)]


def known(node):
    return {a["address"] for a in node.getnodeaddresses(0)}


def stored(node, ips):
    """Whether node's address book holds ips, but for at most one.

    Addresses from one source go to 64 of the 1,024 new-table buckets (Core's
    addrman, and bitrootd's), so one may lose its slot to another now and
    then, silently, in either implementation.
    """
    return len(set(ips) - known(node)) <= 1


class InteropAddrTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.add_nodes(2, binaries=self.node_impls)
        self.start_nodes()

    # --- mock time -------------------------------------------------------------

    def set_time(self, t):
        self.t = t
        for node in self.nodes:
            node.setmocktime(t)

    def step(self):
        self.set_time(self.t + STEP)
        time.sleep(0.25)

    def until(self, pred, what):
        for i in range(MAX_STEPS):
            if pred():
                self.log.info("  %s after %d mock minute(s)", what, i)
                return
            self.step()
        raise AssertionError("%s: not within %d mock minutes" % (what, MAX_STEPS))

    # --- checks -----------------------------------------------------------------

    def addr_messages(self, peer):
        with p2p_lock:
            return [m for m in peer.received if m.msgtype in (b"addr", b"addrv2")]

    def expect_equal(self, what, got, want):
        """A check whose failure is reported after the table is printed."""
        if got != want:
            self.failures.append("%s: %r, expected %r" % (what, got, want))

    def processed(self, node, other):
        """getpeerinfo's addr_processed of node's connection to other."""
        return self.peer_entry(node, other)["addr_processed"]

    def peer_entry(self, node, other):
        sub = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sub]
        assert_equal(len(found), 1)
        return found[0]

    def run_test(self):
        core, br = self.nodes
        self.rows = []
        self.failures = []
        self.set_time(int(time.time()))

        self.log.info("getaddr with an empty address book: no answer")
        askers = [node.add_p2p_connection(P2PInterface()) for node in self.nodes]
        for _ in range(5):
            self.step()
        got = [len(self.addr_messages(p)) for p in askers]
        self.rows.append(("addr messages answering getaddr, empty book", got[0], got[1]))
        assert_equal(got, [0, 0])
        for node in self.nodes:
            node.disconnect_p2ps()

        # The test peers that feed each node, connected as the first topology starts.
        p = q = None
        tag = 0
        for outbound in (core, br):
            inbound = br if outbound is core else core
            self.log.info("%s connects to %s", outbound.name, inbound.name)
            self.connect_nodes(outbound.index, inbound.index)
            assert_equal(self.peer_entry(outbound, inbound)["connection_type"], "manual")
            assert_equal(self.peer_entry(inbound, outbound)["inbound"], True)
            how = "Core's outbound" if outbound is core else "bitrootd's outbound"
            if p is None:
                p = core.add_p2p_connection(P2PInterface())
                q = br.add_p2p_connection(P2PInterface())
            self.set_time(self.t + 100)     # ten tokens for the peers' buckets, in both nodes
            for src, dst, peer in ((core, br, p), (br, core, q)):
                self.log.info("  %s -> %s: addrv2 and addr from a test peer reach the other node",
                              src.name, dst.name)
                one, two = batch(tag, 5, ipv6=1), batch(tag + 1, 4, ipv6=1)
                tag += 2
                base = self.processed(dst, src)
                peer.send_and_ping(msg_addrv2(addrs(one, self.t)))
                peer.send_and_ping(msg_addr(addrs(two, self.t)))
                assert stored(src, one + two), "%s did not store what its peer sent" % src.name
                self.until(lambda: self.processed(dst, src) == base + len(one + two),
                           "%s got the addresses" % dst.name)
                assert stored(dst, one + two), "%s did not store what %s relayed" % (dst.name, src.name)
                # Each asked the other for addrv2, and got it.
                got = self.peer_entry(dst, src)["bytesrecv_per_msg"]
                assert got.get("addrv2", 0) > 0, got
                row = "%s -> %s, over %s connection: 9 fresh addresses (addrv2, addr)" % (
                    "Core" if src is core else "bitrootd", "bitrootd" if src is core else "Core", how)
                self.rows.append((row, "relayed" if src is core else "learnt",
                                  "relayed" if src is br else "learnt"))
            if outbound is core:
                self.disconnect_nodes(outbound.index, inbound.index)

        self.log.info("Not gossiped by either: a message of 11 entries, addresses 20 minutes old")
        big = {core: batch(tag, 11), br: batch(tag + 1, 11)}
        stale = {core: batch(tag + 2, 3), br: batch(tag + 3, 3)}
        late = {core: batch(tag + 4, 2), br: batch(tag + 5, 2)}
        # 8 addresses and 3 entries of networks nobody knows: 11 entries.
        mixed = {core: batch(tag + 6, 8), br: batch(tag + 7, 8)}
        tag += 8
        self.set_time(self.t + 400)     # forty more tokens for the 27 entries
        base = {core: self.processed(br, core), br: self.processed(core, br)}
        for node, peer in ((core, p), (br, q)):
            peer.send_and_ping(msg_addrv2(addrs(big[node], self.t)))
            peer.send_and_ping(msg_addrv2(addrs(stale[node], self.t - 20 * 60)))
            peer.send_and_ping(msg_addrv2(addrs(mixed[node], self.t) + unknown_entries(3, self.t)))
            for ips in (big[node], stale[node], mixed[node]):
                assert stored(node, ips), "%s did not store them" % node.name
            peer.send_and_ping(msg_addrv2(addrs(late[node], self.t)))
        self.until(lambda: self.processed(br, core) >= base[core] + len(late[core]) and
                   self.processed(core, br) >= base[br] + len(late[br]), "a later small batch crossed both ways")
        self.expect_equal("entries %s relayed besides the later batch" % core.name,
                          self.processed(br, core) - base[core] - len(late[core]), 0)
        self.expect_equal("entries %s relayed besides the later batch" % br.name,
                          self.processed(core, br) - base[br] - len(late[br]), 0)
        gossiped = []
        for node, other in ((core, br), (br, core)):
            gossiped.append([what for what, ips in (("11 fresh", big), ("20 minutes old", stale),
                                                    ("8 fresh + 3 unknown", mixed))
                             if set(ips[node]) & known(other)])
        for what in ("11 fresh", "20 minutes old", "8 fresh + 3 unknown"):
            self.rows.append(("%s addresses in one message" % what,
                              "stored, %s" % ("relayed" if what in gossiped[0] else "not relayed"),
                              "stored, %s" % ("relayed" if what in gossiped[1] else "not relayed")))
        self.expect_equal("batches gossiped", gossiped, [[], []])

        self.log.info("getaddr answers: 23%% of the address book, once per connection")
        sizes = [len(known(node)) for node in self.nodes]
        for node in self.nodes:
            node.disconnect_p2ps()
        self.set_time(self.t + CACHE_LIFETIME_MAX + 3600)
        answers = []
        for v2 in (True, False):
            askers = [node.add_p2p_connection(P2PInterface(support_addrv2=v2)) for node in self.nodes]
            self.until(lambda: all(self.addr_messages(a) for a in askers), "getaddr answered (addrv2=%s)" % v2)
            for node, a in zip(self.nodes, askers):
                msgs = self.addr_messages(a)
                assert_equal([m.msgtype for m in msgs], [b"addrv2" if v2 else b"addr"])
                ips = {str(ipaddress.ip_address(x.ip)) for x in msgs[0].addrs}
                assert ips <= known(node), "%s answered addresses it does not know" % node.name
                # A second getaddr on the same connection is not answered.
                a.send_and_ping(msg_getaddr())
            for _ in range(5):
                self.step()
            counts = []
            for a in askers:
                msgs = self.addr_messages(a)
                assert_equal(len(msgs), 1)
                counts.append(len(msgs[0].addrs))
            answers.append(counts)
            self.rows.append(("getaddr answer (%s), from a book of %d / %d" % ("addrv2" if v2 else "addr", *sizes),
                              counts[0], counts[1]))
            for node in self.nodes:
                node.disconnect_p2ps()
        for counts in answers:
            self.expect_equal("getaddr answer sizes", counts, [size * 23 // 100 for size in sizes])

        self.log.info("Rate limit: a new peer's bucket holds one token, spent on any address")
        # One of the five does not advertise NODE_NETWORK: it is not stored,
        # but it costs its token all the same. Core shuffles the message
        # first, so which address the token goes to is left to chance.
        limited = []
        for node in self.nodes:
            ips = batch(tag, 5)
            tag += 1
            peer = node.add_p2p_connection(P2PInterface())
            sent = addrs(ips, self.t)
            sent[0].services = 0
            peer.send_and_ping(msg_addrv2(sent))
            info = [x for x in node.getpeerinfo() if x["id"] == peer.peer_id][0]
            kept = set(ips) & known(node)
            assert len(kept) <= 1 and ips[0] not in kept, kept
            assert info["addr_processed"] <= 1, info
            limited.append(info["addr_rate_limited"])
        self.rows.append(("5 addresses from a new peer, one without NODE_NETWORK: rate-limited",
                          limited[0], limited[1]))
        self.expect_equal("rate-limited, one without NODE_NETWORK", limited, [4, 4])
        # Entries of networks nobody knows cost tokens too.
        limited = []
        for node in self.nodes:
            peer = node.add_p2p_connection(P2PInterface())
            peer.send_and_ping(msg_addrv2(addrs(batch(tag, 1), self.t) + unknown_entries(3, self.t)))
            tag += 1
            info = [x for x in node.getpeerinfo() if x["id"] == peer.peer_id][0]
            limited.append(info["addr_rate_limited"])
        self.rows.append(("1 address and 3 of unknown networks from a new peer: rate-limited",
                          limited[0], limited[1]))
        self.expect_equal("rate-limited, unknown networks", limited, [3, 3])

        self.log.info("Fan-out: a fresh address goes to two addr-relay peers, an unreachable one to one or two")
        self.disconnect_nodes(1, 0)
        for node in self.nodes:
            node.disconnect_p2ps()
        fan = []
        for node in self.nodes:
            listeners = [node.add_p2p_connection(P2PInterface()) for _ in range(3)]
            src = node.add_p2p_connection(P2PInterface())
            self.set_time(self.t + 100)
            sent = [CAddress(batch(tag, 1)[0], 8333, time_=self.t),
                    CAddress(bytes([tag]) * 32, 8333, time_=self.t, net=NET_TORV3),
                    CAddress(bytes([tag + 1]) * 32, 8333, time_=self.t, net=NET_I2P),
                    CAddress(b"\xfc" + bytes([tag]) * 15, 8333, time_=self.t, net=NET_CJDNS)]
            tag += 2
            src.send_and_ping(msg_addrv2(sent))
            for _ in range(10):
                self.step()
            counts = []
            for a in sent:
                counts.append(sum(any(b.net == a.net and b.addr == a.addr and b.port == a.port
                                      for m in self.addr_messages(peer) for b in m.addrs)
                                  for peer in listeners))
            fan.append(counts)
            # Only IPv4 and IPv6 are reachable here: the others are not kept.
            for net in ("onion", "i2p", "cjdns"):
                assert_equal(node.getnodeaddresses(0, net), [])
            node.disconnect_p2ps()
        for k, what in enumerate(("IPv4", "onion", "I2P", "CJDNS")):
            self.rows.append(("fresh %s address: relayed to how many of 3 peers" % what, fan[0][k], fan[1][k]))
        # Reachable: two peers. Unreachable: one or two, as a keyed hash of
        # the address and the day decides.
        for node, counts in zip(self.nodes, fan):
            self.expect_equal("%s fan-out of IPv4" % node.name, counts[0], 2)
            self.expect_equal("%s fan-out of the others within 1..2" % node.name,
                              [c in (1, 2) for c in counts[1:]], [True] * 3)

        w = max(len(r[0]) for r in self.rows)
        lines = ["%-*s  %-20s  %s" % (w, "check", "Core 28.1", "bitrootd")]
        lines += ["%-*s  %-20s  %s" % (w, r[0], r[1], r[2]) for r in self.rows]
        self.log.info("Address relay:\n%s", "\n".join(lines))
        assert not self.failures, "bitrootd or Core not as expected: %s" % "; ".join(self.failures)
        for node in self.nodes:
            node.setmocktime(0)


if __name__ == "__main__":
    InteropAddrTest(__file__).main()
