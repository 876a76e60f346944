#!/usr/bin/env python3
"""Checks the test framework's pure-Python parts; needs no bitrootd.

Codec round trips and truncation for every message, transactions and blocks
(the regtest genesis hash, the mainnet block in ../shared), CompactSize and
framing rules; secp256k1 against the BIP340 vectors and RFC 6979; signature
hashes against Core's sighash.json, BIP143 and BIP341 vectors; addresses
against Core's key_io and base58 vectors and BIP173/BIP350 strings; the RPC
proxy against a local HTTP server; and two framework test peers doing the
handshake and serving blocks to each other over loopback.
"""

import decimal
import hashlib
import http.server
import json
import socket
import struct
import threading

from test_framework.address import (ADDRESS_BCRT1_P2WSH_OP_TRUE, AddressError, CHAINS,
                                    address_to_scriptpubkey, base58_decode, base58_encode,
                                    bech32_decode, descsum_create, key_to_p2pkh, output_key_to_p2tr,
                                    scriptpubkey_to_address)
from test_framework.authproxy import AuthServiceProxy, _encode
from test_framework.blocktools import (bip34_height_script, block_subsidy, create_block, create_chain,
                                       create_coinbase, p2tr_op_true_info, p2wpkh_key_and_script,
                                       sign_p2wpkh_input, spend_p2wsh_op_true, WITNESS_COMMITMENT_HEADER)
from test_framework.key import (ECKey, ECPubKey, G, ORDER, compute_xonly_pubkey, der_decode, der_encode,
                                point_mul, rfc6979_nonce, sign_schnorr, tweak_add_privkey, tweak_add_pubkey,
                                verify_schnorr)
from test_framework.messages import (MAGIC_REGTEST, MESSAGEMAP, MSG_BLOCK, MSG_TX, MSG_WITNESS_BLOCK,
                                     CAddress, CBlock, CBlockHeader, CBlockLocator, CInv, COutPoint,
                                     CTransaction, CTxIn, CTxOut, DeserializationError, FrameError, Reader,
                                     _ripemd160_py, bits_to_target, build_message, decode_message,
                                     frame_message, hash256, hash_to_hex, msg_addr, msg_addrv2, msg_block,
                                     msg_feefilter, msg_getaddr, msg_getblocks, msg_getdata, msg_getheaders,
                                     msg_headers, msg_inv, msg_mempool, msg_notfound, msg_ping, msg_pong,
                                     msg_sendaddrv2, msg_sendcmpct, msg_sendheaders, msg_tx, msg_verack,
                                     msg_version, msg_wtxidrelay, parse_frame, ser_compact_size,
                                     target_to_bits)
from test_framework.messages import (msg_cfcheckpt, msg_cfheaders, msg_cfilter, msg_getcfcheckpt,
                                     msg_getcfheaders, msg_getcfilters, msg_cmpctblock, msg_getblocktxn,
                                     msg_blocktxn)
from test_framework.p2p import P2PDataStore, P2PInterface, locator_for, p2p_lock
from test_framework.script import (OP_CHECKSIG, OP_DUP, OP_EQUALVERIFY, OP_HASH160, CScript,
                                   legacy_signature_hash, remove_codeseparators, script_num_decode,
                                   script_num_encode, segwit_v0_signature_hash, taproot_signature_hash,
                                   taproot_signature_msg, p2wpkh_script_code)
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import (REGTEST_GENESIS_HASH, assert_equal, assert_raises,
                                 assert_raises_rpc_error, p2p_port, rpc_port, spare_port, wait_until)

# BIP340 test vectors (bitcoin/bips bip-0340/test-vectors.csv):
# index, secret key, public key, aux_rand, message, signature, valid
BIP340_VECTORS = [
    (0, "0000000000000000000000000000000000000000000000000000000000000003",
     "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0",
     True),
    (1, "B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF",
     "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
     "0000000000000000000000000000000000000000000000000000000000000001",
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A",
     True),
    (2, "C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9",
     "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8",
     "C87AA53824B4D7AE2EB035A2B5BBBCCC080E76CDC6D1692C4B0B62D798E6D906",
     "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C",
     "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1BAB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7",
     True),
    (3, "0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710",
     "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
     "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3",
     True),
    (4, None, "D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9", None,
     "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703",
     "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C6376AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4",
     True),
    (5, None, "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     False),
    (6, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A14602975563CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2",
     False),
    (7, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD",
     False),
    (8, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6",
     False),
    (9, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "0000000000000000000000000000000000000000000000000000000000000000123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051",
     False),
    (10, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "00000000000000000000000000000000000000000000000000000000000000017615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197",
     False),
    (11, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     False),
    (12, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     False),
    (13, None, "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
     False),
    (14, None, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", None,
     "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
     "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B",
     False),
]

# The regtest genesis block, from its parameters.
GENESIS_SCRIPT_SIG = bytes.fromhex(
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e20"
    "6272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73")
GENESIS_PUBKEY = bytes.fromhex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec1"
    "12de5c384df7ba0b8d578a4c702b6bf11d5f")
GENESIS_MERKLE_ROOT = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"

# BIP143's native P2WPKH example: the unsigned transaction, the second input's
# key and amount, and the signature hash it must produce.
BIP143_UNSIGNED = (
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffff"
    "ef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206"
    "000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42db"
    "ee7e4dbe6a21b2d50ce2f0167faa815988ac11000000")
BIP143_PUBKEY = "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357"
BIP143_AMOUNT = 600000000
BIP143_SIGHASH = "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670"

# BIP173 / BIP350 strings: valid bech32, valid bech32m, and invalid ones.
BECH32_VALID = ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"]
BECH32M_VALID = ["A1LQFN3A", "a1lqfn3a", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx"]
BECH32_INVALID = ["pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8",
                  "a12UEL5L", "10a06t8", "1qzzfhee"]
SEGWIT_VECTORS = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "main",
     "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "main",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
]


class FrameworkSelfTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.needs_daemon = False

    def setup_network(self):
        pass

    def run_test(self):
        checks = [m for m in dir(self) if m.startswith("check_")]
        for name in sorted(checks):
            self.log.info("%s", name)
            getattr(self, name)()
        self.log.info("%d framework checks passed", len(checks))

    # --- primitives -------------------------------------------------------

    def check_compact_size(self):
        for n in (0, 1, 0xfc, 0xfd, 0xfe, 0xffff, 0x10000, 0xffffffff, 0x100000000):
            b = ser_compact_size(n)
            assert_equal(len(b), 1 if n < 0xfd else 3 if n <= 0xffff else 5 if n <= 0xffffffff else 9)
            assert_equal(Reader(b).compact_size(limit=None), n)
        # Non-canonical encodings and sizes over the limit are refused.
        for bad in (b"\xfd\xfc\x00", b"\xfe\xff\xff\x00\x00", b"\xff" + struct.pack("<Q", 0xffffffff)):
            assert_raises(DeserializationError, Reader(bad).compact_size, limit=None)
        assert_raises(DeserializationError, Reader(ser_compact_size(0x02000001)).compact_size)
        assert_raises(DeserializationError, Reader(b"\xfd\x01").compact_size)

    def check_hashes(self):
        assert_equal(_ripemd160_py(b"").hex(), "9c1185a5c5e9fc54612808977ee8f548b2258d31")
        assert_equal(_ripemd160_py(b"abc").hex(), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        assert_equal(_ripemd160_py(b"a" * 1000), hashlib.new("ripemd160", b"a" * 1000).digest()
                     if "ripemd160" in hashlib.algorithms_available else _ripemd160_py(b"a" * 1000))
        for bits in (0x207fffff, 0x1d00ffff, 0x1b0404cb):
            assert_equal(target_to_bits(bits_to_target(bits)), bits)

    def check_genesis(self):
        coinbase = CTransaction(version=1)
        coinbase.vin = [CTxIn(COutPoint(), GENESIS_SCRIPT_SIG, 0xffffffff)]
        coinbase.vout = [CTxOut(50 * 100_000_000, CScript([GENESIS_PUBKEY, OP_CHECKSIG]))]
        block = CBlock(1, b"\x00" * 32, b"\x00" * 32, 1296688602, 0x207fffff, 2, vtx=[coinbase])
        block.update_merkle_root()
        assert_equal(hash_to_hex(block.merkle_root), GENESIS_MERKLE_ROOT)
        assert_equal(block.hash_hex, REGTEST_GENESIS_HASH)
        assert block.check_pow()
        raw = block.serialize()
        again = CBlock.from_bytes(raw)
        assert_equal(again.serialize(), raw)
        assert_equal(again.hash_hex, REGTEST_GENESIS_HASH)
        assert_equal(again.vtx[0].txid_hex, GENESIS_MERKLE_ROOT)

    def check_mainnet_block(self):
        path = self.require_shared("vectors", "core", "block413567.raw")
        with open(path, "rb") as f:
            raw = f.read()
        block = CBlock.from_bytes(raw)
        assert_equal(block.serialize(), raw)
        assert_equal(block.calc_merkle_root(), block.merkle_root)
        assert block.check_pow(), "block 413567 must meet its own target"
        assert_equal(len(block.serialize_header()), 80)
        # Every transaction re-serializes to the same bytes, one after another.
        pos = 80 + len(ser_compact_size(len(block.vtx)))
        for tx in block.vtx:
            b = tx.serialize()
            assert_equal(raw[pos:pos + len(b)], b)
            pos += len(b)
        assert_equal(pos, len(raw))

    def check_transaction_witness(self):
        tx = CTransaction(version=2, locktime=7)
        tx.vin = [CTxIn(COutPoint(b"\x11" * 32, 3), b"\x51", 0xfffffffd),
                  CTxIn(COutPoint(b"\x22" * 32, 0), b"", 0xffffffff)]
        tx.vout = [CTxOut(12345, b"\x00\x14" + b"\x33" * 20)]
        plain = tx.serialize()
        assert not tx.has_witness()
        assert_equal(tx.txid, tx.wtxid)
        tx.witness = [[], [b"\x01\x02", b""]]
        full = tx.serialize()
        assert_equal(full[4:6], b"\x00\x01")
        assert_equal(tx.serialize_without_witness(), plain)
        assert tx.txid != tx.wtxid
        back = CTransaction.from_bytes(full)
        assert_equal(back.serialize(), full)
        assert_equal(back.witness, [[], [b"\x01\x02", b""]])
        assert_equal(tx.get_weight(), 3 * len(plain) + len(full))
        # A witness flag with only empty witnesses is refused (BIP144).
        bad = plain[:4] + b"\x00\x01" + plain[4:-4] + b"\x00\x00" + plain[-4:]
        assert_raises(DeserializationError, CTransaction.from_bytes, bad)
        # Every strict prefix is a short read.
        for cut in range(len(full)):
            assert_raises(DeserializationError, CTransaction.from_bytes, full[:cut])

    # --- messages ---------------------------------------------------------

    def sample_messages(self):
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(b"\x44" * 32, 1), b"\x00", 0xfffffffe)]
        tx.vout = [CTxOut(5000, b"\x51")]
        tx.witness = [[b"\xaa" * 3]]
        cb = create_coinbase(5)
        block = create_block(b"\x55" * 32, cb, 1700000000, txs=[tx])
        hdrs = [CBlockHeader(0x20000000, b"\x01" * 32, b"\x02" * 32, 1700000000 + i, 0x207fffff, i)
                for i in range(3)]
        addrs = [CAddress("10.0.0.%d" % i, 8333 + i, time_=1700000000 + i) for i in range(3)]
        addrs.append(CAddress("2001:db8::1", 18444, time_=5))
        return [
            msg_version(nonce=42, timestamp=1700000000, start_height=7, relay=False,
                        addr_recv=CAddress("127.0.0.1", 18444, 0)),
            msg_verack(), msg_getaddr(), msg_sendheaders(), msg_wtxidrelay(), msg_sendaddrv2(),
            msg_mempool(), msg_ping(0), msg_ping(2 ** 64 - 1), msg_pong(12345),
            msg_addr(addrs), msg_addrv2(addrs),
            msg_inv([CInv(MSG_TX, b"\x01" * 32), CInv(MSG_WITNESS_BLOCK, b"\x02" * 32)]),
            msg_getdata([CInv(MSG_BLOCK, b"\x03" * 32)]), msg_notfound([CInv(MSG_TX, b"\x04" * 32)]),
            msg_getheaders(CBlockLocator([b"\x05" * 32, b"\x06" * 32]), b"\x07" * 32),
            msg_getblocks(CBlockLocator([b"\x08" * 32]), b"\x00" * 32),
            msg_headers(hdrs), msg_block(block), msg_tx(tx), msg_sendcmpct(True, 2),
            msg_feefilter(1000),
            msg_getcfilters(0, 1000, b"\x09" * 32), msg_getcfheaders(0, 0, b"\x0a" * 32),
            msg_getcfcheckpt(0, b"\x0b" * 32), msg_cfilter(0, b"\x0c" * 32, b"\x01\x8c\x40\x98"),
            msg_cfheaders(0, b"\x0d" * 32, b"\x0e" * 32, [b"\x0f" * 32, b"\x10" * 32]),
            msg_cfcheckpt(0, b"\x11" * 32, [b"\x12" * 32]),
            msg_cmpctblock.from_block(block, nonce=7), msg_getblocktxn(b"\x13" * 32, [1, 4, 5]),
            msg_blocktxn(b"\x14" * 32, [tx])]

    def check_message_round_trips(self):
        msgs = self.sample_messages()
        # The samples cover every message type the codec knows.
        assert_equal(set(MESSAGEMAP), set(m.msgtype for m in msgs))
        for m in msgs:
            wire = build_message(m)
            frame = parse_frame(wire)
            assert frame is not None
            msgtype, payload, used = frame
            assert_equal((msgtype, used), (m.msgtype, len(wire)))
            back = decode_message(msgtype, payload)
            assert_equal(type(back), type(m))
            assert_equal(back.serialize(), payload)
            # Every strict prefix of a payload fails to decode (version has an
            # optional tail, checked below).
            if m.msgtype == b"version":
                continue
            for cut in range(len(payload)):
                try:
                    decode_message(msgtype, payload[:cut])
                except DeserializationError:
                    continue
                raise AssertionError("%r truncated to %d bytes decoded" % (m.msgtype, cut))
        # version: everything up to addr_recv is required.
        payload = msgs[0].serialize()
        for cut in range(46):
            assert_raises(DeserializationError, decode_message, b"version", payload[:cut])
        v = decode_message(b"version", payload)
        assert_equal((v.nonce, v.user_agent, v.start_height, v.relay), (42, "/python-p2p-tester:0.0.3/", 7, False))

    def check_framing(self):
        wire = build_message(msg_ping(7))
        assert_equal(len(wire), 24 + 8)
        assert_equal(wire[:4], MAGIC_REGTEST)
        assert_equal(wire[4:16], b"ping" + b"\x00" * 8)
        assert_equal(parse_frame(wire[:-1]), None)
        assert_equal(parse_frame(wire[:10]), None)
        assert_raises(FrameError, parse_frame, b"\xf9\xbe\xb4\xd9" + wire[4:])
        bad_sum = frame_message(b"ping", struct.pack("<Q", 7), checksum=b"\x00\x00\x00\x00")
        assert_raises(FrameError, parse_frame, bad_sum)
        too_long = frame_message(b"inv", b"", length=4_000_001)
        assert_raises(FrameError, parse_frame, too_long)
        # Unknown types come back as generic messages with their payload.
        m = decode_message(b"xyzzy", b"\x01\x02")
        assert_equal((m.msgtype, m.serialize()), (b"xyzzy", b"\x01\x02"))

    # --- keys and signatures -------------------------------------------

    def check_bip340_vectors(self):
        for idx, sk, pk, aux, msg, sig, valid in BIP340_VECTORS:
            pk_b, msg_b, sig_b = bytes.fromhex(pk), bytes.fromhex(msg), bytes.fromhex(sig)
            if sk is not None:
                sk_b = bytes.fromhex(sk)
                assert_equal(compute_xonly_pubkey(sk_b)[0], pk_b)
                assert_equal(sign_schnorr(sk_b, msg_b, bytes.fromhex(aux)).hex().upper(), sig)
            assert_equal(verify_schnorr(pk_b, sig_b, msg_b), valid)

    def check_ecdsa(self):
        # RFC 6979 nonces for key 1 (widely published secp256k1 values).
        assert_equal(rfc6979_nonce(1, hashlib.sha256(b"Satoshi Nakamoto").digest()),
                     0x8F8A276C19F4149656B280621E358CCE24F5F52542772691EE69063B74F15D15)
        assert_equal(rfc6979_nonce(1, hashlib.sha256(
            b"All those moments will be lost in time, like tears in rain. Time to die...").digest()),
            0x38AA22D72376B4DBC472E06C3BA403EE0A394DA63FC58D88686C611ABA98D6B3)
        key = ECKey(0xC0FFEE)
        pub = key.get_pubkey()
        assert_equal(pub.get_bytes(), bytes([2 + (point_mul(G, 0xC0FFEE)[1] & 1)]) +
                     point_mul(G, 0xC0FFEE)[0].to_bytes(32, "big"))
        for i in range(5):
            msg = hashlib.sha256(b"msg%d" % i).digest()
            sig = key.sign_ecdsa(msg)
            r, s = der_decode(sig)
            assert s <= ORDER // 2, "signatures are low-S"
            assert_equal(der_encode(r, s), sig)
            assert pub.verify_ecdsa(sig, msg)
            assert not pub.verify_ecdsa(sig, hashlib.sha256(b"other").digest())
            assert not pub.verify_ecdsa(der_encode(r, ORDER - s), msg), "high-S refused"
        unc = ECKey(0xC0FFEE, compressed=False).get_pubkey()
        assert_equal(len(unc.get_bytes()), 65)
        assert ECPubKey(unc.get_bytes()).is_valid
        assert not ECPubKey(b"\x02" + b"\xff" * 32).is_valid

    def check_bip341_wallet_vectors(self):
        path = self.require_shared("vectors", "core", "bip341_wallet_vectors.json")
        with open(path, encoding="utf8") as f:
            vectors = json.load(f)
        from test_framework.script import taproot_construct

        def tree(t):
            if t is None:
                return None
            if isinstance(t, dict):
                return (t["id"], bytes.fromhex(t["script"]), t["leafVersion"])
            return [tree(x) for x in t]

        for v in vectors["scriptPubKey"]:
            ipk = bytes.fromhex(v["given"]["internalPubkey"])
            t = tree(v["given"]["scriptTree"])
            info = taproot_construct(ipk, None if t is None else ([t] if isinstance(t, tuple) else t))
            assert_equal(info.tweak.hex(), v["intermediary"]["tweak"])
            assert_equal(info.output_pubkey.hex(), v["intermediary"]["tweakedPubkey"])
            assert_equal(info.script_pubkey.hex(), v["expected"]["scriptPubKey"])
            assert_equal(output_key_to_p2tr(info.output_pubkey, "main"), v["expected"]["bip350Address"])
            for i, cb in enumerate(v["expected"].get("scriptPathControlBlocks", [])):
                assert_equal(info.leaves[i][2].hex(), cb)
        nsig = 0
        for case in vectors["keyPathSpending"]:
            tx = CTransaction.from_hex(case["given"]["rawUnsignedTx"])
            utxos = [CTxOut(u["amountSats"], bytes.fromhex(u["scriptPubKey"])) for u in case["given"]["utxosSpent"]]
            for spend in case["inputSpending"]:
                g, im = spend["given"], spend["intermediary"]
                idx, ht = g["txinIndex"], g["hashType"]
                assert_equal(taproot_signature_msg(tx, utxos, ht, idx).hex(), im["sigMsg"])
                sighash = taproot_signature_hash(tx, utxos, ht, idx)
                assert_equal(sighash.hex(), im["sigHash"])
                sk = bytes.fromhex(g["internalPrivkey"])
                xonly = compute_xonly_pubkey(sk)[0]
                assert_equal(xonly.hex(), im["internalPubkey"])
                root = bytes.fromhex(g["merkleRoot"]) if g["merkleRoot"] else b""
                from test_framework.key import tagged_hash
                tweak = tagged_hash("TapTweak", xonly + root)
                assert_equal(tweak.hex(), im["tweak"])
                tweaked = tweak_add_privkey(sk, tweak)
                assert_equal(tweaked.hex(), im["tweakedPrivkey"])
                out_key = tweak_add_pubkey(xonly, tweak)[0]
                assert_equal(out_key, utxos[idx].script_pubkey[2:])
                sig = sign_schnorr(tweaked, sighash, b"\x00" * 32)
                expected = spend["expected"]["witness"][0]
                assert_equal((sig + (bytes([ht]) if ht else b"")).hex(), expected)
                nsig += 1
        assert nsig >= 7

    def check_sighash_vectors(self):
        path = self.require_shared("vectors", "core", "sighash.json")
        with open(path, encoding="utf8") as f:
            cases = [c for c in json.load(f) if len(c) == 5]
        assert len(cases) >= 500
        for raw, script, idx, hashtype, expected in cases:
            tx = CTransaction.from_hex(raw)
            got = legacy_signature_hash(bytes.fromhex(script), tx, idx, hashtype)
            assert_equal(hash_to_hex(got), expected)
        # BIP143 native P2WPKH example.
        tx = CTransaction.from_hex(BIP143_UNSIGNED)
        code = p2wpkh_script_code(bytes.fromhex(BIP143_PUBKEY))
        assert_equal(segwit_v0_signature_hash(code, tx, 1, 1, BIP143_AMOUNT).hex(), BIP143_SIGHASH)

    def check_scripts(self):
        s = CScript([OP_DUP, OP_HASH160, b"\x11" * 20, OP_EQUALVERIFY, OP_CHECKSIG])
        assert_equal(s.hex(), "76a914" + "11" * 20 + "88ac")
        assert_equal(list(CScript(s)), [OP_DUP, OP_HASH160, b"\x11" * 20, OP_EQUALVERIFY, OP_CHECKSIG])
        assert_equal(CScript([b"\x00" * 80]).hex()[:4], "4c50")
        assert_equal(CScript([b"\x00" * 300]).hex()[:6], "4d2c01")
        assert_equal(CScript([0, 1, 16, -1, 17, 1000]).hex(), "00" "51" "60" "4f" "0111" "02e803")
        for n, enc in ((0, ""), (1, "01"), (-1, "81"), (127, "7f"), (128, "8000"), (-128, "8080"),
                       (255, "ff00"), (256, "0001"), (0x7fffffff, "ffffff7f"), (-0x7fffffff, "ffffffff")):
            assert_equal(script_num_encode(n).hex(), enc)
            assert_equal(script_num_decode(bytes.fromhex(enc)), n)
        assert_equal(remove_codeseparators(bytes.fromhex("ab51ab52ab")), bytes.fromhex("5152"))
        # A push of 0xab is data, not a code separator.
        assert_equal(remove_codeseparators(bytes.fromhex("01ab51")), bytes.fromhex("01ab51"))

    # --- addresses --------------------------------------------------------

    def check_addresses(self):
        with open(self.require_shared("vectors", "core", "key_io_valid.json"), encoding="utf8") as f:
            valid = json.load(f)
        n = 0
        for addr, spk, meta in valid:
            if meta.get("isPrivkey"):
                continue
            assert_equal(address_to_scriptpubkey(addr, meta["chain"]).hex(), spk)
            assert_equal(scriptpubkey_to_address(bytes.fromhex(spk), meta["chain"]), addr.lower()
                         if addr.lower().startswith(CHAINS[meta["chain"]][2] + "1") else addr)
            n += 1
        assert n > 40
        with open(self.require_shared("vectors", "core", "key_io_invalid.json"), encoding="utf8") as f:
            invalid = json.load(f)
        for (s,) in invalid:
            for chain in CHAINS:
                assert_raises(Exception, address_to_scriptpubkey, s, chain)
        with open(self.require_shared("vectors", "core", "base58_encode_decode.json"), encoding="utf8") as f:
            for hexdata, enc in json.load(f):
                assert_equal(base58_encode(bytes.fromhex(hexdata)), enc)
                assert_equal(base58_decode(enc).hex(), hexdata.lower())
        for s in BECH32_VALID:
            assert_equal(bech32_decode(s)[2], 1)
        for s in BECH32M_VALID:
            assert_equal(bech32_decode(s)[2], 0x2bc830a3)
        for s in BECH32_INVALID:
            assert_raises(AddressError, bech32_decode, s)
        for addr, chain, spk in SEGWIT_VECTORS:
            assert_equal(address_to_scriptpubkey(addr, chain).hex(), spk)
        assert_equal(ADDRESS_BCRT1_P2WSH_OP_TRUE,
                     "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85")
        assert key_to_p2pkh(ECKey(1).get_pubkey().get_bytes()).startswith(("m", "n"))
        # BIP380's example checksum.
        assert_equal(descsum_create("raw(deadbeef)"), "raw(deadbeef)#89f8spxm")

    # --- block building ---------------------------------------------------

    def check_blocktools(self):
        assert_equal(bip34_height_script(1).hex(), "5151")
        assert_equal(bip34_height_script(16).hex(), "6051")
        assert_equal(bip34_height_script(17).hex(), "0111")
        assert_equal(bip34_height_script(128).hex(), "028000")
        assert_equal(bip34_height_script(300).hex(), "022c01")
        assert_equal([block_subsidy(h) for h in (1, 149, 150, 299, 300)],
                     [5000000000, 5000000000, 2500000000, 2500000000, 1250000000])
        genesis = bytes.fromhex(REGTEST_GENESIS_HASH)[::-1]
        chain = create_chain(genesis, 1, 1296688700, 5)
        prev = genesis
        for b in chain:
            assert b.check_pow()
            assert_equal(b.prev, prev)
            assert_equal(b.calc_merkle_root(), b.merkle_root)
            prev = b.hash
        # A witness spend gets a BIP141 commitment that matches the witness root.
        spend = spend_p2wsh_op_true([COutPoint(chain[0].vtx[0].txid, 0)], [CTxOut(1000, b"\x51")])
        blk = create_block(chain[-1].hash, create_coinbase(6), 1296688800, txs=[spend])
        commit = blk.vtx[0].vout[-1].script_pubkey
        assert_equal(commit[:6], b"\x6a\x24" + WITNESS_COMMITMENT_HEADER)
        assert_equal(commit[6:], hash256(blk.calc_witness_merkle_root() + b"\x00" * 32))
        assert_equal(blk.vtx[0].witness, [[b"\x00" * 32]])
        # P2TR OP_TRUE leaf: the control block commits to the output key.
        info = p2tr_op_true_info()
        script, version, control = info.leaves["op_true"]
        assert_equal(len(control), 33)
        assert_equal(control[0] & 0xfe, 0xc0)
        assert_equal(tweak_add_pubkey(control[1:33], info.tweak), (info.output_pubkey, bool(control[0] & 1)))
        # A P2WPKH spend signed by key.py verifies against the BIP143 hash.
        key, spk = p2wpkh_key_and_script()
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(b"\x09" * 32, 0))]
        tx.vout = [CTxOut(4000, spk)]
        sign_p2wpkh_input(tx, 0, key, 5000)
        sig, pub = tx.witness[0]
        h = segwit_v0_signature_hash(p2wpkh_script_code(pub), tx, 0, 1, 5000)
        assert ECPubKey(pub).verify_ecdsa(sig[:-1], h)
        assert_equal(sig[-1], 1)

    # --- RPC proxy -------------------------------------------------------

    def check_authproxy(self):
        assert_equal(_encode({"a": decimal.Decimal("0.10000000"), "b": [1, "x", None, True]}),
                     '{"a":0.10000000,"b":[1,"x",null,true]}')
        connections = []
        seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                connections.append(self.client_address)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                req = json.loads(body)
                seen.append((self.headers.get("Authorization"), req))
                if req["method"] == "fail":
                    reply = {"jsonrpc": "2.0", "error": {"code": -8, "message": "bad thing"}, "id": req["id"]}
                else:
                    reply = {"jsonrpc": "2.0", "result": {"params": req["params"], "amount": 1.5},
                             "id": req["id"]}
                out = json.dumps(reply).replace("1.5", "1.50000000").encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            proxy = AuthServiceProxy("http://user:pa%%3Ass@127.0.0.1:%d" % port)
            r = proxy.echo(1, "two")
            assert_equal(r["params"], [1, "two"])
            assert_equal(r["amount"], decimal.Decimal("1.50000000"))
            assert isinstance(r["amount"], decimal.Decimal)
            r = proxy.getblock(blockhash="00" * 32, verbosity=0)
            assert_equal(r["params"], {"blockhash": "00" * 32, "verbosity": 0})
            r = proxy.generatetoaddress(1, "addr", maxtries=5)
            assert_equal(r["params"], {"maxtries": 5, "args": [1, "addr"]})
            e = assert_raises_rpc_error(-8, "bad", proxy.fail)
            assert_equal(e.error["code"], -8)
            # Keep-alive: one TCP connection carried every call.
            assert_equal(len(connections), 1)
            assert_equal(seen[0][0], "Basic dXNlcjpwYTpzcw==")
            assert_equal(seen[0][1]["jsonrpc"], "2.0")
            legacy = AuthServiceProxy("http://u:p@127.0.0.1:%d" % port, jsonrpc_version="1.0")
            legacy.echo()
            assert "jsonrpc" not in seen[-1][1]
            # assert_raises_rpc_error itself fails on the wrong code or no error.
            assert_raises(AssertionError, assert_raises_rpc_error, -5, None, proxy.fail)
            assert_raises(AssertionError, assert_raises_rpc_error, -8, None, proxy.echo)
        finally:
            server.shutdown()
            server.server_close()

    # --- util ------------------------------------------------------------

    def check_ports(self):
        ports = [p2p_port(i) for i in range(4)] + [rpc_port(i) for i in range(4)] + [spare_port(0)]
        assert_equal(len(set(ports)), len(ports))
        assert_equal(p2p_port(0), ports[0])     # stable once picked
        for p in ports:
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", p))
            finally:
                s.close()
        assert_raises(AssertionError, wait_until, lambda: False, timeout=0.2)
        assert_equal(wait_until(lambda: 5, timeout=1), 5)

    # --- P2P over loopback ---------------------------------------------

    def check_p2p_loopback(self):
        # "server" plays the node side: it accepts, serves a chain, answers pings.
        server = P2PDataStore()
        port = server.peer_accept_connection()
        genesis = bytes.fromhex(REGTEST_GENESIS_HASH)[::-1]
        chain = create_chain(genesis, 1, 1296688700, 12)
        server.chain = [genesis]
        server.height_of = {genesis: 0}
        server.headers[genesis] = CBlockHeader()
        server.add_blocks(chain)
        client = P2PInterface()
        client.peer_connect("127.0.0.1", port)
        client.wait_for_verack(timeout=10)
        server.wait_for_verack(timeout=10)
        # The client's handshake, in Core's test-peer order.
        wait_until(lambda: len(server.received) >= 5, timeout=10, lock=p2p_lock)
        with p2p_lock:
            order = [m.msgtype for m in list(server.received)[:5]]
            ver = server.peer_version
        assert_equal(order, [b"version", b"wtxidrelay", b"sendaddrv2", b"verack", b"getaddr"])
        assert_equal((ver.version, ver.user_agent), (70016, "/python-p2p-tester:0.0.3/"))
        # Pings with nonce 0 and N come back in order.
        client.send_message(msg_ping(0))
        client.send_message(msg_ping(987654321))
        client.wait_until(lambda: len(client.pong_nonces) >= 2, timeout=10)
        assert_equal(client.pong_nonces[:2], [0, 987654321])
        client.sync_with_ping(timeout=10)
        # Headers and blocks are served.
        client.send_get_headers(locator_for([genesis]))
        hdrs = client.wait_for_message("headers", timeout=10)
        assert_equal([h.hash for h in hdrs.headers], [b.hash for b in chain])
        client.send_message(msg_getdata([CInv(MSG_WITNESS_BLOCK, chain[4].hash)]))
        blk = client.wait_for_message("block", timeout=10)
        assert_equal(blk.block.hash, chain[4].hash)
        assert_equal(blk.block.serialize(), chain[4].serialize())
        # A locator in the middle gets only what follows it, up to hashstop.
        client.clear_messages()
        client.send_get_headers([chain[5].hash, genesis], chain[8].hash)
        hdrs = client.wait_for_message("headers", timeout=10)
        assert_equal([h.hash for h in hdrs.headers], [b.hash for b in chain[6:9]])
        # Raw frames: a bad checksum makes the receiver drop the connection.
        client.send_frame(b"ping", struct.pack("<Q", 1), checksum=b"\xde\xad\xbe\xef")
        server.wait_for_disconnect(timeout=10)
        client.wait_for_disconnect(timeout=10)
        assert server.protocol_errors and "checksum" in server.protocol_errors[0]
        assert_raises(IOError, client.send_message, msg_ping(1))


if __name__ == "__main__":
    FrameworkSelfTest(__file__).main()
