#!/usr/bin/env python3
"""Network RPCs: shapes key by key as Core documents them, and behaviour.

getconnectioncount, getpeerinfo (both directions and a test peer, with
per-message byte counts checked against what was actually sent),
getnettotals, getnetworkinfo, ping, addnode/getaddednodeinfo,
disconnectnode, setban/listbanned/clearbanned (enforced and persisted),
setnetworkactive, addpeeraddress/getnodeaddresses.
"""

import time

from test_framework.messages import P2P_SUBVERSION, build_message
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import (assert_equal, assert_greater_than_or_equal, assert_keys, assert_raises_rpc_error,
                                 spare_port, wait_until)

PEER_REQUIRED = ["id", "addr", "addrbind", "network", "services", "servicesnames", "relaytxes", "lastsend",
                 "lastrecv", "last_transaction", "last_block", "bytessent", "bytesrecv", "conntime",
                 "timeoffset", "version", "subver", "inbound", "bip152_hb_to", "bip152_hb_from",
                 "startingheight", "presynced_headers", "synced_headers", "synced_blocks", "inflight",
                 "addr_relay_enabled", "addr_processed", "addr_rate_limited", "permissions", "minfeefilter",
                 "bytessent_per_msg", "bytesrecv_per_msg", "connection_type", "transport_protocol_type",
                 "session_id"]
PEER_OPTIONAL = ["addrlocal", "mapped_as", "pingtime", "minping", "pingwait", "last_inv_sequence",
                 "inv_to_send", "cpu_load"]
NETINFO_KEYS = ["version", "subversion", "protocolversion", "localservices", "localservicesnames", "localrelay",
                "timeoffset", "networkactive", "connections", "connections_in", "connections_out", "networks",
                "relayfee", "incrementalfee", "localaddresses", "warnings"]


class RpcNetTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def peer_of(self, node, other):
        sv = other.getnetworkinfo()["subversion"]
        found = [p for p in node.getpeerinfo() if p["subver"] == sv]
        return found[0] if found else None

    def run_test(self):
        self.check_counts_and_peerinfo()
        self.check_test_peer_bytes()
        self.check_nettotals_networkinfo()
        self.check_ping()
        self.check_addnode()
        self.check_disconnectnode()
        self.check_bans()
        self.check_networkactive()
        self.check_addresses()

    def check_counts_and_peerinfo(self):
        n0, n1 = self.nodes
        self.log.info("getconnectioncount and getpeerinfo, both directions")
        assert_equal(n0.getconnectioncount(), 1)
        assert_equal(n1.getconnectioncount(), 1)
        out, inb = self.peer_of(n0, n1), self.peer_of(n1, n0)
        for p in (out, inb):
            assert_keys(p, PEER_REQUIRED, PEER_OPTIONAL)
            assert_equal(p["version"], 70016)
            assert_equal(p["services"], "0000000000000409")
            assert_equal(p["servicesnames"], ["NETWORK", "WITNESS", "NETWORK_LIMITED"])
            assert_equal(p["transport_protocol_type"], "v1")
            assert_equal(p["session_id"], "")
            assert_equal(p["relaytxes"], True)
            assert_equal(p["permissions"], [])
            assert_equal(p["network"], "not_publicly_routable")
            assert isinstance(p["bytessent_per_msg"], dict) and isinstance(p["bytesrecv_per_msg"], dict)
        assert_equal((out["inbound"], out["connection_type"]), (False, "manual"))
        assert_equal((inb["inbound"], inb["connection_type"]), (True, "inbound"))
        assert_equal(out["addr"], "127.0.0.1:%d" % n1.p2p_port)
        assert_equal(inb["addrbind"], "127.0.0.1:%d" % n1.p2p_port)
        assert_equal(out["subver"], n1.getnetworkinfo()["subversion"])
        assert_equal(inb["subver"], n0.getnetworkinfo()["subversion"])
        # What one side counts as sent the other counts as received, per message type.
        for m in ("version", "verack"):
            assert_equal(out["bytessent_per_msg"][m], inb["bytesrecv_per_msg"][m])
            assert_equal(out["bytesrecv_per_msg"][m], inb["bytessent_per_msg"][m])
        assert_equal(out["bytessent_per_msg"]["verack"], 24)

    def check_test_peer_bytes(self):
        n0 = self.nodes[0]
        self.log.info("Byte counts of a test peer are exact")
        peer = n0.add_p2p_connection(P2PInterface())
        info = [p for p in n0.getpeerinfo() if p["subver"] == P2P_SUBVERSION][0]
        assert_equal(info["bytesrecv_per_msg"]["version"], len(build_message(peer.our_version)))
        assert_equal(info["bytesrecv_per_msg"]["verack"], 24)
        assert_equal(info["bytesrecv_per_msg"]["wtxidrelay"], 24)
        assert_equal(info["bytesrecv_per_msg"]["sendaddrv2"], 24)
        with p2p_lock:
            their_version = build_message(peer.peer_version)
        assert_equal(info["bytessent_per_msg"]["version"], len(their_version))
        assert_equal(info["bytesrecv"], sum(info["bytesrecv_per_msg"].values()))
        assert_equal(info["bytessent"], sum(info["bytessent_per_msg"].values()))
        assert_equal(info["inbound"], True)
        assert_equal(info["startingheight"], 0)
        n0.disconnect_p2ps()

    def check_nettotals_networkinfo(self):
        n0, n1 = self.nodes
        self.log.info("getnettotals and getnetworkinfo")
        peers = n0.getpeerinfo()
        totals = n0.getnettotals()
        assert_keys(totals, ["totalbytesrecv", "totalbytessent", "timemillis", "uploadtarget"])
        assert_keys(totals["uploadtarget"], ["timeframe", "target", "target_reached", "serve_historical_blocks",
                                             "bytes_left_in_cycle", "time_left_in_cycle"])
        assert_greater_than_or_equal(totals["totalbytesrecv"], sum(p["bytesrecv"] for p in peers))
        assert_greater_than_or_equal(totals["totalbytessent"], sum(p["bytessent"] for p in peers))
        assert abs(totals["timemillis"] - int(time.time() * 1000)) < 60000
        info = n0.getnetworkinfo()
        assert_keys(info, NETINFO_KEYS)
        assert_equal(info["protocolversion"], 70016)
        assert_equal(info["localservices"], "0000000000000409")
        assert_equal(info["localservicesnames"], ["NETWORK", "WITNESS", "NETWORK_LIMITED"])
        assert_equal(info["networkactive"], True)
        assert_equal((info["connections"], info["connections_in"], info["connections_out"]), (1, 0, 1))
        assert_equal(n1.getnetworkinfo()["connections_in"], 1)
        assert "(testnode0)" in info["subversion"], info["subversion"]
        for net in info["networks"]:
            assert_keys(net, ["name", "limited", "reachable", "proxy", "proxy_randomize_credentials"])
        assert isinstance(info["warnings"], list)

    def check_ping(self):
        n0, n1 = self.nodes
        self.log.info("ping fills in pingtime")
        assert_equal(n0.ping(), None)
        wait_until(lambda: "pingtime" in (self.peer_of(n0, n1) or {}), timeout=30)
        p = self.peer_of(n0, n1)
        assert 0 <= p["pingtime"] < 10 and 0 <= p["minping"] <= p["pingtime"]

    def check_addnode(self):
        n0 = self.nodes[0]
        self.log.info("addnode add/remove and getaddednodeinfo")
        target = "127.0.0.1:%d" % spare_port(0)
        assert_equal(n0.getaddednodeinfo(), [])
        n0.addnode(target, "add")
        info = n0.getaddednodeinfo()
        assert_equal(len(info), 1)
        assert_keys(info[0], ["addednode", "connected", "addresses"])
        assert_equal((info[0]["addednode"], info[0]["connected"]), (target, False))
        assert_equal(n0.getaddednodeinfo(target)[0]["addednode"], target)
        assert_raises_rpc_error(-23, "Node already added", n0.addnode, target, "add")
        n0.addnode(target, "remove")
        assert_equal(n0.getaddednodeinfo(), [])
        assert_raises_rpc_error(-24, "It has not been added previously", n0.addnode, target, "remove")
        assert_raises_rpc_error(-24, None, n0.getaddednodeinfo, target)

    def check_disconnectnode(self):
        n0, n1 = self.nodes
        self.log.info("disconnectnode by address and by nodeid")
        assert_raises_rpc_error(-29, "Node not found in connected nodes", n0.disconnectnode, "127.0.0.1:1")
        assert_raises_rpc_error(-29, None, n0.disconnectnode, nodeid=987654)
        peer = self.peer_of(n0, n1)
        assert_raises_rpc_error(-32602, "Only one of address and nodeid should be provided",
                                n0.disconnectnode, address=peer["addr"], nodeid=peer["id"])
        n0.disconnectnode(address=peer["addr"])
        wait_until(lambda: self.peer_of(n0, n1) is None and self.peer_of(n1, n0) is None, timeout=30)
        self.connect_nodes(0, 1)
        peer = self.peer_of(n0, n1)
        n0.disconnectnode(nodeid=peer["id"])
        wait_until(lambda: n0.getconnectioncount() == 0 and n1.getconnectioncount() == 0, timeout=30)
        self.connect_nodes(0, 1)

    def check_bans(self):
        n0, n1 = self.nodes
        self.log.info("setban, listbanned, clearbanned")
        assert_equal(n1.listbanned(), [])
        n1.setban("192.168.0.0/24", "add", 1000)
        bans = n1.listbanned()
        assert_equal(len(bans), 1)
        assert_keys(bans[0], ["address", "ban_created", "banned_until", "ban_duration", "time_remaining"])
        assert_equal(bans[0]["address"], "192.168.0.0/24")
        assert_equal(bans[0]["ban_duration"], 1000)
        assert_equal(bans[0]["banned_until"] - bans[0]["ban_created"], 1000)
        assert_raises_rpc_error(-23, "IP/Subnet already banned", n1.setban, "192.168.0.0/24", "add")
        assert_raises_rpc_error(-30, "Invalid IP/Subnet", n1.setban, "not-an-address", "add")
        assert_raises_rpc_error(-30, None, n1.setban, "10.0.0.1", "remove")
        n1.setban("2001:db8::/32", "add", 2000000000, True)   # absolute time
        assert_equal(sorted(b["address"] for b in n1.listbanned()), ["192.168.0.0/24", "2001:db8::/32"])

        self.log.info("A ban drops and refuses matching peers")
        n1.setban("127.0.0.1", "add")
        wait_until(lambda: n1.getconnectioncount() == 0, timeout=30)
        q = P2PInterface()
        q.peer_connect("127.0.0.1", n1.p2p_port)
        q.wait_for_disconnect(timeout=30)
        assert not q.verack_received
        n1.setban("127.0.0.1", "remove")

        self.log.info("Bans persist across a restart")
        self.restart_node(1)
        assert_equal(sorted(b["address"] for b in n1.listbanned()), ["192.168.0.0/24", "2001:db8::/32"])
        n1.clearbanned()
        assert_equal(n1.listbanned(), [])
        self.restart_node(1)
        assert_equal(n1.listbanned(), [])
        self.connect_nodes(0, 1)

    def check_networkactive(self):
        n0, n1 = self.nodes
        self.log.info("setnetworkactive")
        assert_equal(n0.setnetworkactive(False), False)
        assert_equal(n0.getnetworkinfo()["networkactive"], False)
        wait_until(lambda: n0.getconnectioncount() == 0 and n1.getconnectioncount() == 0, timeout=30)
        assert_equal(n0.setnetworkactive(True), True)
        assert_equal(n0.getnetworkinfo()["networkactive"], True)
        self.connect_nodes(0, 1)
        self.generate(self.nodes[0], 1)

    def check_addresses(self):
        n0 = self.nodes[0]
        self.log.info("addpeeraddress and getnodeaddresses")
        assert_equal(n0.addpeeraddress("1.2.3.4", 8333)["success"], True)
        assert_equal(n0.addpeeraddress("2.3.4.5", 8333, True)["success"], True)
        addrs = n0.getnodeaddresses(0)
        mine = {a["address"]: a for a in addrs}
        assert "1.2.3.4" in mine and "2.3.4.5" in mine, addrs
        for a in addrs:
            assert_keys(a, ["time", "services", "address", "port", "network"])
        assert_equal((mine["1.2.3.4"]["port"], mine["1.2.3.4"]["network"]), (8333, "ipv4"))
        assert_equal(len(n0.getnodeaddresses(1)), 1)
        assert_equal(n0.getnodeaddresses(0, "ipv6"), [])
        assert_raises_rpc_error(-8, None, n0.getnodeaddresses, -1)


if __name__ == "__main__":
    RpcNetTest(__file__).main()
