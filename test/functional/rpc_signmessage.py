#!/usr/bin/env python3
"""signmessagewithprivkey and verifymessage (Bitcoin signed messages).

- The signature is the compact recoverable ECDSA signature over
  SHA256d(CompactSize || "Bitcoin Signed Message:\\n" || CompactSize ||
  message), checked here with the framework's own secp256k1 code: R is
  the RFC 6979 nonce's point (no extra entropy, so it is deterministic and
  equal on every run), S is low, the header byte is 27 + recid (+ 4 for a
  compressed key).
- verifymessage accepts it for the key's P2PKH address and no other
  message; a signature of another key, a header byte changed to the other
  recovery id or compression, and garbage are false.
- Errors as Core 28 words them: invalid address (-5), an address that is
  not P2PKH (-3 "Address does not refer to key"), malformed base64 (-3),
  an invalid private key (-5), wrong types and arity.
"""

import base64

from test_framework.address import base58check_encode, key_to_p2pkh, key_to_p2wpkh, script_to_p2sh
from test_framework.key import G, ORDER, ECKey, ECPubKey, der_encode, point_mul, rfc6979_nonce
from test_framework.messages import hash256, ser_compact_size
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

MAGIC = b"Bitcoin Signed Message:\n"


def wif(secret, compressed):
    return base58check_encode(bytes([0xef]) + secret + (b"\x01" if compressed else b""))


def message_hash(msg):
    m = msg.encode()
    return hash256(ser_compact_size(len(MAGIC)) + MAGIC + ser_compact_size(len(m)) + m)


class SignMessageTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def check_signature(self, secret, compressed, msg, sig_b64):
        sig = base64.b64decode(sig_b64)
        assert_equal(len(sig), 65)
        assert_equal(bool((sig[0] - 27) & 4), compressed)
        assert 27 <= sig[0] <= 34, sig[0]
        h = message_hash(msg)
        r, s = int.from_bytes(sig[1:33], "big"), int.from_bytes(sig[33:], "big")
        k = rfc6979_nonce(int.from_bytes(secret, "big"), h)
        assert_equal(r, point_mul(G, k)[0] % ORDER)
        assert s <= ORDER // 2
        key = ECKey(secret, compressed)
        assert key.get_pubkey().verify_ecdsa(der_encode(r, s), h)
        # The recovery id names R's y parity, flipped when S was negated to low S.
        d = int.from_bytes(secret, "big")
        s_raw = pow(k, -1, ORDER) * (int.from_bytes(h, "big") + r * d) % ORDER
        assert_equal((sig[0] - 27) & 1, (point_mul(G, k)[1] & 1) ^ (s_raw > ORDER // 2))

    def run_test(self):
        node = self.nodes[0]
        msgs = ["", "hello", "x" * 300, "\u00fcn\u00efc\u00f6d\u00e9 \u2713", "a\nb\tc\"\\", "y" * 70000]
        signed = []
        self.log.info("Signatures are deterministic, low S, recoverable to the key")
        for i, compressed in [(1, True), (1, False), (0xdeadbeef, True), (ORDER - 1, False)]:
            secret = i.to_bytes(32, "big")
            key = ECKey(secret, compressed)
            addr = key_to_p2pkh(key.get_pubkey().get_bytes())
            for msg in msgs:
                sig = node.signmessagewithprivkey(wif(secret, compressed), msg)
                assert_equal(node.signmessagewithprivkey(privkey=wif(secret, compressed), message=msg), sig)
                self.check_signature(secret, compressed, msg, sig)
                assert_equal(node.verifymessage(addr, sig, msg), True)
                assert_equal(node.verifymessage(address=addr, signature=sig, message=msg), True)
                assert_equal(node.verifymessage(addr, sig, msg + "."), False)
                signed.append((secret, compressed, addr, sig, msg))

        self.log.info("verifymessage says false for the wrong key or header")
        secret, compressed, addr, sig, msg = signed[0]
        other = signed[len(msgs) * 2][2]
        assert_equal(node.verifymessage(other, sig, msg), False)
        raw = base64.b64decode(sig)
        for header in range(256):
            forged = base64.b64encode(bytes([header]) + raw[1:]).decode()
            # As Core, only the low three bits of (header - 27) count.
            assert_equal(node.verifymessage(addr, forged, msg), (header - 27) % 8 == (raw[0] - 27) % 8)
        uncompressed = ECKey(secret, not compressed).get_pubkey().get_bytes()
        flipped = base64.b64encode(bytes([raw[0] ^ 4]) + raw[1:]).decode()
        assert_equal(node.verifymessage(key_to_p2pkh(uncompressed), flipped, msg), True)
        for garbage in ("", "AAAA", base64.b64encode(raw[:64]).decode(), base64.b64encode(raw + b"\0").decode(),
                        base64.b64encode(bytes([raw[0]]) + b"\xff" * 64).decode()):
            assert_equal(node.verifymessage(addr, garbage, msg), False)

        self.log.info("Errors in Core's words")
        pub = ECKey(secret, True).get_pubkey().get_bytes()
        assert_raises_rpc_error(-5, "Invalid address", node.verifymessage, "nope", sig, msg)
        assert_raises_rpc_error(-5, "Invalid address", node.verifymessage,
                                "1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX", sig, msg)   # mainnet
        assert_raises_rpc_error(-3, "Address does not refer to key", node.verifymessage,
                                key_to_p2wpkh(pub), sig, msg)
        assert_raises_rpc_error(-3, "Address does not refer to key", node.verifymessage,
                                script_to_p2sh(b"\x51"), sig, msg)
        for bad in ("!!!!", "abc", sig + "=", "====", "AB=="):
            assert_raises_rpc_error(-3, "Malformed base64 encoding", node.verifymessage, addr, bad, msg)
        # The address is checked before the signature.
        assert_raises_rpc_error(-5, "Invalid address", node.verifymessage, "nope", "!!!!", msg)
        assert_raises_rpc_error(-3, "Position 3 (message)", node.verifymessage, addr, sig, 5)
        assert_raises_rpc_error(-1, "verifymessage", node.verifymessage, addr, sig)
        for bad_key in ("nope", "", wif(b"\0" * 32, True), wif(b"\xff" * 32, True),
                        base58check_encode(b"\x80" + b"\x01" * 32),            # mainnet prefix
                        base58check_encode(b"\xef" + b"\x01" * 32 + b"\x02")):  # bad flag byte
            assert_raises_rpc_error(-5, "Invalid private key", node.signmessagewithprivkey, bad_key, "m")
        assert_raises_rpc_error(-3, "Position 1 (privkey)", node.signmessagewithprivkey, 5, "m")
        assert_raises_rpc_error(-1, "signmessagewithprivkey", node.signmessagewithprivkey, "x")
        assert ECPubKey(pub).is_valid


if __name__ == "__main__":
    SignMessageTest(__file__).main()
