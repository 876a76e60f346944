#!/usr/bin/env python3
"""The contract a Bitcoin-Core-style functional test harness relies on.

Each point of doc/testing.md "The harness contract", in order:

 1. Arguments: the node runs with exactly the arguments Core's harness
    passes, and getnetworkinfo's subversion carries the -uacomment.
 2. Config: the [regtest] section of bitcoin.conf in the datadir is honoured
    (port, rpcport, bind=127.0.0.1, connect=0, peertimeout, maxconnections),
    unknown keys are tolerated.
 3. Files: <datadir>/regtest/.cookie, <datadir>/regtest/debug.log, an empty
    regtest/wallets/, and no directories under regtest/ but blocks,
    chainstate, indexes and wallets; a chain cached the way Core's harness
    caches one (everything else deleted, the rest copied to another node)
    starts.
 4. RPC: getblockcount answers or says -28; getmempoolinfo.loaded;
    setmocktime drives block times, the initial-download state and peer
    timers; generatetoaddress with named parameters to base58 P2PKH and
    bech32m P2TR addresses and maxtries; getblock verbosity 0; submitblock
    ("duplicate" for a known block); getblockchaininfo blocks and
    initialblockdownload; addnode onetry; getpeerinfo's id, addr, addrbind,
    subver, inbound, bytesrecv_per_msg; disconnectnode(nodeid=);
    getrawmempool; syncwithvalidationinterfacequeue; addconnection;
    stop(wait=0) then exit 0 and empty stderr.
 5. P2P: Core's test peer handshake (version 70016 /python-p2p-tester:0.0.3/,
    wtxidrelay, sendaddrv2, verack, getaddr) is accepted; pings with nonce 0
    and N are answered in order.
"""

import os
import shutil
import socket
import time

from test_framework.address import address_to_scriptpubkey, key_to_p2pkh, output_key_to_p2tr
from test_framework.blocktools import create_next_block, p2tr_op_true_info
from test_framework.key import ECKey
from test_framework.messages import CBlock, P2P_SUBVERSION, msg_ping
from test_framework.p2p import P2PInterface, p2p_lock
from test_framework.script import CScript
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import HARNESS_ARGS
from test_framework.util import (REGTEST_GENESIS_TIME, append_config, assert_equal, assert_in,
                                 assert_raises_rpc_error, connect_nodes, wait_until)

ALLOWED_DIRS = {"blocks", "chainstate", "indexes", "wallets"}
WARMUP_OUTCOMES = {"refused", "-28", "http401", "http503", "oserror"}


def local_non_loopback_ipv4():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))   # TEST-NET-1: nothing is sent for UDP
        ip = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ip.startswith("127.") else ip


class HarnessContractTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_network(self):
        self.add_nodes(3)
        self.start_node(0)
        self.start_node(1)

    def check_warmup(self, node):
        """Before the first answer the RPC wait only ever saw refusals or -28."""
        assert set(node.startup_rpc_log) <= WARMUP_OUTCOMES, node.startup_rpc_log

    def check_files(self, node, running):
        chain = node.chaindir
        if running:
            assert os.path.isfile(os.path.join(chain, ".cookie"))
            with open(os.path.join(chain, ".cookie"), encoding="ascii") as f:
                user, _, pw = f.read().strip().partition(":")
            assert_equal(user, "__cookie__")
            assert_equal(len(pw), 64)
            int(pw, 16)
        assert os.path.isfile(os.path.join(chain, "debug.log"))
        wallets = os.path.join(chain, "wallets")
        assert os.path.isdir(wallets), "regtest/wallets/ must exist"
        assert_equal(os.listdir(wallets), [])
        dirs = {e for e in os.listdir(chain) if os.path.isdir(os.path.join(chain, e))}
        assert dirs <= ALLOWED_DIRS, "directories a caching harness cannot delete: %s" % sorted(dirs - ALLOWED_DIRS)

    def run_test(self):
        n0, n1, n2 = self.nodes
        self.check_warmup(n0)
        self.check_warmup(n1)

        self.log.info("1. Harness arguments accepted; subversion carries -uacomment")
        for a in HARNESS_ARGS + ["-uacomment=testnode0", "-datadir=" + n0.datadir]:
            assert_in(a, n0.args)
        subver = n0.getnetworkinfo()["subversion"]
        assert subver.startswith("/") and subver.endswith("/"), subver
        assert_in("testnode0", subver)
        assert_in("testnode1", n1.getnetworkinfo()["subversion"])

        self.log.info("3. Files in the datadir")
        self.check_files(n0, running=True)

        self.log.info("5. P2P: Core's test-peer handshake and ordered pings")
        peer = n0.add_p2p_connection(P2PInterface())
        with p2p_lock:
            order = [m.msgtype for m in peer.received]
            ver = peer.peer_version
        assert_equal(order[0], b"version")
        assert order.index(b"verack") > order.index(b"wtxidrelay"), order
        assert order.index(b"verack") > order.index(b"sendaddrv2"), order
        assert_equal(ver.version, 70016)
        assert_equal(ver.user_agent, subver)
        assert_equal(ver.start_height, n0.getblockcount())
        with p2p_lock:
            k = len(peer.pong_nonces)      # the handshake's own ping is already answered
        peer.send_message(msg_ping(0))
        peer.send_message(msg_ping(4242424242))
        peer.sync_with_ping()
        with p2p_lock:
            assert_equal(peer.pong_nonces[k:k + 2], [0, 4242424242])
        info = [p for p in n0.getpeerinfo() if p["subver"] == P2P_SUBVERSION]
        assert_equal(len(info), 1)
        n0.disconnect_p2ps()

        self.log.info("4. RPC: warm-up, mempool, mock time, generation")
        assert_equal(n0.getmempoolinfo()["loaded"], True)
        assert_equal(n0.getrawmempool(), [])
        assert_equal(n0.syncwithvalidationinterfacequeue(), None)
        assert_equal(n0.getblockchaininfo()["initialblockdownload"], True)
        mock = int(time.time()) + 3600
        n0.setmocktime(mock)
        key = ECKey(0x5eed)
        p2pkh = key_to_p2pkh(key.get_pubkey().get_bytes())
        p2tr = output_key_to_p2tr(p2tr_op_true_info().output_pubkey)
        hashes = n0.generatetoaddress(nblocks=2, address=p2pkh, maxtries=1000000)
        assert_equal(len(hashes), 2)
        for h in hashes:
            blk = CBlock.from_hex(n0.getblock(blockhash=h, verbosity=0))
            assert_equal(blk.hash_hex, h)
            # Block time is the node's (mock) time, or one past the median time past if that is later.
            mtp = n0.getblockheader(blk.prev_hex)["mediantime"]
            assert_equal(blk.time, max(mock, mtp + 1))
            assert_equal(blk.vtx[0].vout[0].script_pubkey, address_to_scriptpubkey(p2pkh))
            height = n0.getblockheader(h)["height"]
            assert blk.vtx[0].vin[0].script_sig.startswith(bytes(CScript([height]))), "no BIP34 height"
        n0.setmocktime(mock + 100)
        h = n0.generatetoaddress(1, p2tr)[0]
        blk = CBlock.from_hex(n0.getblock(h, 0))
        assert_equal(blk.time, max(mock + 100, n0.getblockheader(blk.prev_hex)["mediantime"] + 1))
        assert blk.time < mock + 100 + 10, "block time does not follow mock time"
        assert_equal(blk.vtx[0].vout[0].script_pubkey, address_to_scriptpubkey(p2tr))
        assert_equal(blk.vtx[0].vout[0].script_pubkey[:2], b"\x51\x20")
        assert_equal(n0.generatetoaddress(1, p2pkh, maxtries=0), [])
        assert_equal(n0.getblockcount(), 3)
        info = n0.getblockchaininfo()
        assert_equal(info["blocks"], 3)
        assert_equal(info["initialblockdownload"], False)

        self.log.info("4. submitblock: duplicate, and a new block")
        assert_equal(n0.submitblock(n0.getblock(h, 0)), "duplicate")
        block = create_next_block(n0)
        assert_equal(n0.submitblock(hexdata=block.serialize().hex()), None)
        assert_equal(n0.getbestblockhash(), block.hash_hex)
        n0.setmocktime(0)

        self.log.info("4. addnode onetry, getpeerinfo, disconnectnode(nodeid=)")
        n0.addnode("127.0.0.1:%d" % n1.p2p_port, "onetry")
        s0 = n0.getnetworkinfo()["subversion"]
        s1 = n1.getnetworkinfo()["subversion"]
        wait_until(lambda: any(p["subver"] == s0 for p in n1.getpeerinfo()) and
                   any(p["subver"] == s1 for p in n0.getpeerinfo()), timeout=60)
        out = [p for p in n0.getpeerinfo() if p["subver"] == s1][0]
        inb = [p for p in n1.getpeerinfo() if p["subver"] == s0][0]
        for p in (out, inb):
            for k in ("id", "addr", "addrbind", "subver", "inbound", "bytesrecv_per_msg"):
                assert_in(k, p)
            assert isinstance(p["id"], int)
            assert isinstance(p["bytesrecv_per_msg"], dict)
        assert_equal(out["inbound"], False)
        assert_equal(inb["inbound"], True)
        assert_equal(out["addr"], "127.0.0.1:%d" % n1.p2p_port)
        assert_equal(inb["addrbind"], "127.0.0.1:%d" % n1.p2p_port)
        assert inb["addr"].startswith("127.0.0.1:")
        wait_until(lambda: [p for p in n1.getpeerinfo() if p["subver"] == s0][0]
                   ["bytesrecv_per_msg"].get("verack", 0) > 0, timeout=30)
        self.sync_blocks([n0, n1])
        n0.disconnectnode(nodeid=out["id"])
        wait_until(lambda: not any(p["subver"] == s1 for p in n0.getpeerinfo()) and
                   not any(p["subver"] == s0 for p in n1.getpeerinfo()), timeout=30)
        assert_raises_rpc_error(-29, None, n0.disconnectnode, nodeid=out["id"])

        self.log.info("4. addconnection: outbound-full-relay and block-relay-only")
        for ctype, relay in (("outbound-full-relay", True), ("block-relay-only", False)):
            p = n0.add_outbound_p2p_connection(P2PInterface(), connection_type=ctype)
            with p2p_lock:
                assert_equal(p.received[0].msgtype, b"version")
                assert_equal(p.peer_version.relay, relay)
            mine = [x for x in n0.getpeerinfo() if x["subver"] == P2P_SUBVERSION]
            assert_equal(len(mine), 1)
            assert_equal(mine[0]["inbound"], False)
            assert_equal(mine[0]["connection_type"], ctype)
            n0.disconnect_p2ps()

        self.log.info("2. Config: peertimeout=999999999 keeps peers across mock-time jumps")
        p = n0.add_p2p_connection(P2PInterface())
        n0.setmocktime(int(time.time()) + 3 * 3600)
        time.sleep(3)
        assert p.is_connected
        p.sync_with_ping()
        n0.setmocktime(0)
        n0.disconnect_p2ps()

        self.log.info("2. Config: connect=0 means no outbound connections of its own")
        time.sleep(2)
        assert_equal([x for x in n0.getpeerinfo() if not x["inbound"]], [])

        self.log.info("2. Config: bind=127.0.0.1")
        ip = local_non_loopback_ipv4()
        if ip is None:
            self.log.info("   (no non-loopback IPv4 address here; bind check skipped)")
        else:
            s = socket.socket()
            s.settimeout(5)
            try:
                assert s.connect_ex((ip, n0.p2p_port)) != 0, "P2P port reachable on %s despite bind" % ip
            finally:
                s.close()

        self.log.info("2. Config: unknown keys tolerated, maxconnections honoured")
        n1.stop_node()
        append_config(n1.datadir, ["walletrbf=1", "acceptnonstdtxn=1", "nosuchkeyatall=yes", "maxconnections=20"])
        self.start_node(1)
        self.check_warmup(n1)
        peers = []
        for _ in range(25):
            q = P2PInterface()
            try:
                q.peer_connect("127.0.0.1", n1.p2p_port)
                peers.append(q)
            except OSError:
                pass
        time.sleep(3)
        connected = sum(1 for q in peers if q.is_connected)
        assert connected <= 20, "%d peers connected with maxconnections=20" % connected
        assert n1.getconnectioncount() <= 20
        for q in peers:
            if q.is_connected:
                q.peer_disconnect()

        self.log.info("4. setmocktime drives the initial-download state (fresh node)")
        self.start_node(2)
        self.check_warmup(n2)
        assert_equal(n2.getblockchaininfo()["initialblockdownload"], True)
        n2.setmocktime(REGTEST_GENESIS_TIME + 60)
        assert_equal(n2.getblockchaininfo()["initialblockdownload"], False)
        n2.setmocktime(0)

        self.log.info("4. setmocktime drives peer timers (-peertimeout=1)")
        self.restart_node(2, extra_args=["-peertimeout=1"])
        p = n2.add_p2p_connection(P2PInterface())
        time.sleep(2)
        assert p.is_connected, "dropped without any mock-time jump"
        n2.setmocktime(int(time.time()) + 3600)
        p.wait_for_disconnect(timeout=60)
        n2.setmocktime(0)
        self.stop_node(2)

        self.log.info("3. A chain cached the way Core's harness caches it starts elsewhere")
        tip = n0.getbestblockhash()
        height = n0.getblockcount()
        self.stop_node(0)
        self.check_files(n0, running=False)
        chain = n0.chaindir
        os.rmdir(os.path.join(chain, "wallets"))     # fails unless it is an empty directory
        for entry in os.listdir(chain):
            if entry not in ("blocks", "chainstate", "indexes"):
                os.remove(os.path.join(chain, entry))  # fails on any other directory
        shutil.rmtree(n2.chaindir)
        shutil.copytree(chain, n2.chaindir)
        self.start_node(2)
        assert_equal(n2.getbestblockhash(), tip)
        assert_equal(n2.getblockcount(), height)
        self.check_files(n2, running=True)
        self.start_node(0)
        assert_equal(n0.getbestblockhash(), tip)
        connect_nodes(n2, n0)

        self.log.info("4. stop(wait=0): exit status 0 and empty stderr")
        n1.rpc.stop(wait=0)
        n1.wait_until_stopped(expected_stderr="", expected_ret_code=0)


if __name__ == "__main__":
    HarnessContractTest(__file__).main()
