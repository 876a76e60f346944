#!/usr/bin/env python3
"""A custom signet (BIP325) shared by bitrootd and Bitcoin Core.

- Every node runs -signetchallenge=<1-of-1 multisig of a key this test
  holds>: chain "signet", the challenge in getblocktemplate (and, on
  bitrootd, as Core 29+ has it, in getblockchaininfo and getmininginfo),
  Core's log lines and message start, the signet directory.
- Blocks are built and signed here, ground by `bitroot-util grind` and
  submitted: bitrootd accepts them, Core syncs them from bitrootd, and
  bitrootd syncs the ones Core was given.
- Blocks with no solution, a signature by another key, a signed field
  changed after signing, or bytes after the solution are refused with
  bad-signet-blksig by bitrootd and Core alike, and neither keeps their
  header; proof of work is checked before the signature and the signature
  before the merkle root, on both. Over P2P both speak only the signet's
  message start and disconnect a peer that sends such a block.
- The same signed block is refused by a node on another challenge (a
  P2WPKH one, whose own witness-signed block it takes), whose message
  start differs; bitrootd will not open that node's datadir for this
  challenge.
- -signetseednode: with DNS seeding on, bitrootd and Core each make an
  address-fetch connection to the seed and learn its addresses.
- Start-up errors for -signetchallenge are Core's.
"""

import os
import shutil
import time

from test_framework.key import ECKey
from test_framework.messages import msg_block
from test_framework.p2p import P2PInterface
from test_framework.signet import (SIGNET_GENESIS_HASH, create_signet_block, get_solution, grind,
                                   multisig_1of1_challenge, p2wpkh_challenge, set_solution, sign_signet_block,
                                   signet_magic)
from test_framework.test_framework import BitrootTestFramework
from test_framework.test_node import ErrorMatch
from test_framework.util import assert_equal, assert_raises_rpc_error

KEY_SECRET = 0x5157_1e70_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0001
OTHER_SECRET = 0x0bad_5157_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0002

# node: 0 bitrootd (fed blocks), 1 bitrootd (seeded, wrong challenge, errors), 2 Core
IMPLS = ["bitrootd", "bitrootd", "core"]


class SignetTest(BitrootTestFramework):
    def set_test_params(self):
        self.chain = "signet"
        self.num_nodes = len(IMPLS)
        self.node_impls = IMPLS
        self.key = ECKey(KEY_SECRET)
        self.other = ECKey(OTHER_SECRET)
        self.challenge = multisig_1of1_challenge(self.key.get_pubkey().get_bytes())
        self.challenge_arg = "-signetchallenge=" + self.challenge.hex()
        self.extra_args = [[self.challenge_arg] for _ in IMPLS]

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args, binaries=self.node_impls)
        self.start_node(0)
        self.start_node(2)

    # --- helpers -----------------------------------------------------------

    def next_block(self, node, *, sign=True, key=None):
        """An unground block on node's tip; signed for the challenge unless sign is False."""
        self.time += 1
        block = create_signet_block(node.getbestblockhash(), node.getblockcount() + 1, self.time)
        if sign:
            sign_signet_block(block, self.challenge, key or self.key)
        return block

    def mine(self, node, n):
        hashes = []
        for _ in range(n):
            block = grind(self.next_block(node), self.util)
            assert_equal(node.submitblock(block.serialize().hex()), None)
            assert_equal(node.getbestblockhash(), block.hash_hex)
            hashes.append(block.hash_hex)
        return hashes

    def refuse(self, block, reason, nodes):
        """Every node refuses block with reason and keeps neither block nor header."""
        hex_ = block.serialize().hex()
        for node in nodes:
            tip = node.getbestblockhash()
            assert_equal(node.submitblock(hex_), reason)
            assert_equal(node.getbestblockhash(), tip)
            assert_raises_rpc_error(-5, "Block not found", node.getblockheader, block.hash_hex)

    def without_autoconnect(self, node):
        """Lets node make automatic connections (and seed): drops connect=0 and dnsseed=0."""
        with open(node.conf_path, encoding="utf8") as f:
            lines = [line for line in f.read().splitlines() if line not in ("connect=0", "dnsseed=0")]
        with open(node.conf_path, "w", encoding="utf8") as f:
            f.write("\n".join(lines) + "\n")

    # --- the test ----------------------------------------------------------

    def run_test(self):
        self.util = self.options.bitrootutil
        if not (os.path.isfile(self.util) and os.access(self.util, os.X_OK)):
            raise AssertionError("bitroot-util not found at %s: build it or set BITROOTUTIL" % self.util)
        self.time = int(time.time()) - 3600
        self.test_chain_info()
        self.test_sync()
        self.test_bad_signatures()
        self.test_check_order()
        self.test_other_challenge()
        # Before any test peer asks the seeds for addresses: both cache
        # their getaddr answer for a day.
        self.test_seed_node()
        self.test_p2p()
        self.test_init_errors()

    def test_chain_info(self):
        self.log.info("A custom signet: chain info, log lines, message start and directory")
        br0, _, core = self.nodes
        magic = signet_magic(self.challenge).hex()
        for node in (br0, core):
            info = node.getblockchaininfo()
            assert_equal(info["chain"], "signet")
            assert_equal(info["blocks"], 0)
            assert_equal(info["bestblockhash"], SIGNET_GENESIS_HASH)
            mining = node.getmininginfo()
            assert_equal(mining["chain"], "signet")
            if not node.is_core:
                # Core shows these from version 29 on; the shared Core is 28.1.
                assert_equal(info["signet_challenge"], self.challenge.hex())
                assert_equal(mining["signet_challenge"], self.challenge.hex())
            assert os.path.isdir(os.path.join(node.datadir, "signet", "chainstate"))
            assert not os.path.exists(os.path.join(node.datadir, "regtest"))
            node.wait_for_debug_log(["Signet with challenge %s" % self.challenge.hex(),
                                     "Signet derived magic (message start): %s" % magic])
            # getblocktemplate on signet needs the signet rule, after the segwit one.
            assert_raises_rpc_error(-8, 'getblocktemplate must be called with the signet rule set (call with '
                                    '{"rules": ["segwit", "signet"]})', node.getblocktemplate, {"rules": ["segwit"]})
            assert_raises_rpc_error(-8, "getblocktemplate must be called with the segwit rule set",
                                    node.getblocktemplate, {"rules": ["signet"]})
            tmpl = node.getblocktemplate({"rules": ["segwit", "signet"]})
            assert_equal(tmpl["signet_challenge"], self.challenge.hex())
            assert "!signet" in tmpl["rules"]

    def test_sync(self):
        br0, _, core = self.nodes
        self.log.info("bitrootd accepts signed blocks; Core syncs them from bitrootd")
        self.mine(br0, 3)
        self.connect_nodes(2, 0)
        self.sync_blocks([br0, core])
        assert_equal(core.getblockcount(), 3)

        self.log.info("Core is given two more; bitrootd syncs them from Core")
        hashes = self.mine(core, 2)
        self.sync_blocks([br0, core])
        assert_equal(br0.getbestblockhash(), hashes[-1])
        assert_equal(br0.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"],
                     core.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"])

    def test_bad_signatures(self):
        br0, _, core = self.nodes
        nodes = [br0, core]
        self.log.info("No solution at all")
        block = self.next_block(br0, sign=False)
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)

        self.log.info("The bare signet header, without a solution")
        block = self.next_block(br0, sign=False)
        set_solution(block, None)
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)

        self.log.info("Signed by a key the challenge does not name")
        block = self.next_block(br0, key=self.other)
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)

        self.log.info("The time changed after signing")
        block = self.next_block(br0)
        block.time += 1
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)

        self.log.info("A byte after the solution")
        block = self.next_block(br0)
        solution = get_solution(block)
        set_solution(block, solution + b"\x00")
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)

        self.log.info("Only the signed block of all these is good")
        set_solution(block, solution)
        grind(block, self.util)
        assert_equal(br0.submitblock(block.serialize().hex()), None)
        self.sync_blocks([br0, core])
        assert_equal(core.getbestblockhash(), block.hash_hex)

    def test_check_order(self):
        br0, _, core = self.nodes
        nodes = [br0, core]
        self.log.info("Proof of work is checked before the signature")
        block = self.next_block(br0)
        block.unsolve()
        self.refuse(block, "high-hash", nodes)

        self.log.info("The signature is checked before the merkle root")
        block = self.next_block(br0, key=self.other)
        block.merkle_root = b"\x11" * 32
        self.refuse(grind(block, self.util), "bad-signet-blksig", nodes)
        # A good signature over the real transactions, a wrong root in the header.
        block = self.next_block(br0)
        block.merkle_root = b"\x11" * 32
        self.refuse(grind(block, self.util), "bad-txnmrklroot", nodes)

    def test_p2p(self):
        br0, _, core = self.nodes
        self.log.info("Over P2P the signet's message start is spoken, regtest's is not, and a peer "
                      "sending a block with a bad signature is disconnected")
        block = grind(self.next_block(br0, key=self.other), self.util)
        for node in (br0, core):
            tip = node.getbestblockhash()
            stranger = node.add_p2p_connection(P2PInterface(), wait_for_verack=False)
            stranger.wait_for_disconnect()
            peer = P2PInterface()
            peer.magic = signet_magic(self.challenge)
            node.add_p2p_connection(peer)
            peer.send_message(msg_block(block))
            peer.wait_for_disconnect()
            assert_equal(node.getbestblockhash(), tip)
            node.p2ps = []

    def test_other_challenge(self):
        br0, br1, _ = self.nodes
        self.log.info("A node on another challenge refuses the same block and has another message start")
        other = p2wpkh_challenge(self.other.get_pubkey().get_bytes())
        self.start_node(1, extra_args=["-signetchallenge=" + other.hex()])
        br1.wait_for_debug_log(["Signet derived magic (message start): %s" % signet_magic(other).hex()])
        assert signet_magic(other) != signet_magic(self.challenge)
        block1 = br0.getblock(br0.getblockhash(1), 0)
        assert_equal(br1.submitblock(block1), "bad-signet-blksig")
        assert_equal(br1.getblockcount(), 0)
        self.log.info("A P2WPKH challenge: the solution is a witness")
        self.time += 1
        block = create_signet_block(SIGNET_GENESIS_HASH, 1, self.time)
        sign_signet_block(block, other, self.other, kind="p2wpkh")
        assert_equal(get_solution(block)[:2], b"\x00\x02")  # empty scriptSig, two witness items
        assert_equal(br1.submitblock(grind(block, self.util).serialize().hex()), None)
        assert_equal(br1.getbestblockhash(), block.hash_hex)
        self.stop_node(1)

        self.log.info("bitrootd will not reuse that signet directory for another challenge")
        br1.assert_start_raises_init_error([self.challenge_arg], r"store was made for another chain",
                                           match=ErrorMatch.PARTIAL_REGEX)
        shutil.rmtree(br1.chaindir)

    def seed_and_fetch(self, node, seed, prefix):
        """Starts node with seed as its signet seed; returns once node holds an address under prefix."""
        self.without_autoconnect(node)
        self.start_node(node.index, extra_args=[self.challenge_arg, "-dnsseed=1", "-forcednsseed=1",
                                                "-signetseednode=127.0.0.1:%d" % seed.p2p_port])
        # Only the seed knows addresses under prefix.
        self.wait_until(lambda: any(a["address"].startswith(prefix) for a in node.getnodeaddresses(0)))
        # An address-fetch connection ends once the addresses are in.
        subver = node.getnetworkinfo()["subversion"]
        self.wait_until(lambda: not any(p["subver"] == subver for p in seed.getpeerinfo()))

    def test_seed_node(self):
        br0, br1, core = self.nodes
        self.log.info("-signetseednode: bitrootd fetches addresses from its seed (Core) and leaves")
        for i in range(20):
            core.addpeeraddress("1.2.3.%d" % (i + 1), 38333)
        self.seed_and_fetch(br1, core, "1.2.3.")
        br1.wait_for_debug_log(["trying addr-fetch connection (v1) to 127.0.0.1:%d" % core.p2p_port,
                                "addrfetch connection completed"])

        self.log.info("The seeded bitrootd syncs from Core")
        self.connect_nodes(1, 2)
        self.sync_blocks()

        # Core is not seeded here the other way round: a Core node allowed
        # automatic connections would dial the routable addresses a seed
        # gives it, and tests send traffic to loopback only (bitrootd has
        # -test=nopublicdial for that; Core 28 has no such switch).

    def test_init_errors(self):
        self.log.info("-signetchallenge start-up errors are Core's")
        cases = [
            (["-signetchallenge=zz"], "Error: -signetchallenge must be hex, not 'zz'."),
            (["-signetchallenge=5 1"], "Error: -signetchallenge must be hex, not '5 1'."),
            ([self.challenge_arg, "-signetchallenge=51"], "Error: -signetchallenge cannot be multiple values."),
        ]
        self.stop_nodes()
        for node in (self.nodes[1], self.nodes[2]):
            for args, msg in cases:
                node.assert_start_raises_init_error(args, msg)
            node.assert_start_raises_init_error(["-nosignetchallenge"],
                                                "Negating of -signetchallenge is meaningless and therefore forbidden",
                                                match=ErrorMatch.PARTIAL_REGEX)


if __name__ == "__main__":
    SignetTest(__file__).main()
