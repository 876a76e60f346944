#!/usr/bin/env python3
"""createmultisig and deriveaddresses, as Bitcoin Core 28.

createmultisig:
- legacy, p2sh-segwit and bech32: the redeem script (CScript numbers, so
  OP_n up to 16 and a push above), the P2SH / P2SH-P2WSH / P2WSH address
  and the descriptor (sh(multi()), sh(wsh(multi())), wsh(multi()) with its
  checksum) are built here and must match; the default type is legacy.
- Uncompressed keys force legacy with Core's warning; hybrid keys give an
  addr() descriptor, as Core's inference does; a legacy redeem script over
  520 bytes is refused, P2WSH takes up to 20 keys.
- A 2-of-3 P2WSH multisig output is paid and spent on chain with a
  transaction signed here, so the address really is the script's.
- Errors: key syntax, length and validity, unknown and bech32m types,
  required out of range, more than 20 keys, wrong types.
deriveaddresses: raw() and addr() descriptors (the ones the node parses),
the checksum requirement, a script without an address, and the range
checks in Core's order.
"""

from test_framework.address import (descsum_create, key_to_p2pkh, script_to_p2sh, script_to_p2wsh,
                                    scriptpubkey_to_address)
from test_framework.key import ECKey
from test_framework.messages import COIN, COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash
from test_framework.script import CScript, OP_CHECKMULTISIG, script_to_p2wsh_script, segwit_v0_signature_hash
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import MiniWallet

WARN = "Unable to make chosen address type, please ensure no uncompressed public keys are present."


def key(i, compressed=True):
    return ECKey(i.to_bytes(32, "big"), compressed)


def multisig_script(required, pubs):
    return CScript([required] + pubs + [len(pubs), OP_CHECKMULTISIG])


class CreateMultisigTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def check(self, required, pubs, address_type=None):
        node = self.nodes[0]
        args = [required, [p.hex() for p in pubs]] + ([address_type] if address_type else [])
        res = node.createmultisig(*args)
        redeem = multisig_script(required, pubs)
        inner = "multi(%d,%s)" % (required, ",".join(p.hex() for p in pubs))
        kind = address_type or "legacy"
        if any(len(p) != 33 for p in pubs):
            kind = "legacy"
        if kind == "legacy":
            address, desc = script_to_p2sh(redeem), "sh(%s)" % inner
        elif kind == "p2sh-segwit":
            address, desc = script_to_p2sh(script_to_p2wsh_script(redeem)), "sh(wsh(%s))" % inner
        else:
            address, desc = script_to_p2wsh(redeem), "wsh(%s)" % inner
        expect = {"address": address, "redeemScript": bytes(redeem).hex(), "descriptor": descsum_create(desc)}
        if kind != (address_type or "legacy"):
            expect["warnings"] = [WARN]
        assert_equal(res, expect)
        return res

    def run_test(self):
        node = self.nodes[0]
        pubs = [key(i).get_pubkey().get_bytes() for i in range(1, 22)]
        upubs = [key(i, False).get_pubkey().get_bytes() for i in range(1, 4)]

        self.log.info("Scripts, addresses and descriptors of every type")
        for t in (None, "legacy", "p2sh-segwit", "bech32"):
            for required, ks in ((1, pubs[:1]), (2, pubs[:3]), (3, pubs[:3]), (15, pubs[:15])):
                self.check(required, ks, t)
            self.check(1, [upubs[0], pubs[0]], t)
            self.check(2, upubs, t)
        for n in (16, 17, 20):
            for t in ("p2sh-segwit", "bech32"):
                self.check(n, pubs[:n], t)
                self.check(1, pubs[:n], t)
        assert_equal(node.createmultisig(nrequired=1, keys=[pubs[0].hex()], address_type="bech32"),
                     self.check(1, pubs[:1], "bech32"))
        hybrid = bytes([6]) + upubs[0][1:] if upubs[0][-1] % 2 == 0 else bytes([7]) + upubs[0][1:]
        res = node.createmultisig(1, [hybrid.hex()])
        redeem = multisig_script(1, [hybrid])
        assert_equal(res, {"address": script_to_p2sh(redeem), "redeemScript": bytes(redeem).hex(),
                           "descriptor": descsum_create("addr(%s)" % script_to_p2sh(redeem))})
        assert_equal(node.createmultisig(1, [hybrid.hex()], "bech32")["warnings"], [WARN])

        self.log.info("A 2-of-3 P2WSH output, paid and spent")
        wallet = MiniWallet(node)
        wallet.generate(101)
        ms = node.createmultisig(2, [p.hex() for p in pubs[:3]], "bech32")
        spk = bytes.fromhex(node.validateaddress(ms["address"])["scriptPubKey"])
        funding = wallet.send_to(from_node=node, scriptPubKey=spk, amount=COIN)
        self.generate(node, 1)
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(hex_to_hash(funding["txid"]), funding["sent_vout"]), b"", 0xffffffff)]
        tx.vout = [CTxOut(COIN - 10000, wallet.script_pubkey)]
        redeem = bytes.fromhex(ms["redeemScript"])
        h = segwit_v0_signature_hash(redeem, tx, 0, 1, COIN)
        sigs = [key(i).sign_ecdsa(h) + b"\x01" for i in (1, 3)]
        tx.witness = [[b""] + sigs + [redeem]]
        txid = node.sendrawtransaction(tx.serialize().hex())
        self.generate(node, 1)
        assert_equal(node.getrawtransaction(txid, 1, node.getbestblockhash())["txid"], txid)

        self.log.info("createmultisig errors")
        assert_raises_rpc_error(-8, "redeemScript exceeds size limit: 547 > 520", node.createmultisig, 1,
                                [p.hex() for p in pubs[:16]])
        assert_raises_rpc_error(-8, "Number of keys involved in the multisignature address creation > 20\n"
                                "Reduce the number", node.createmultisig, 1, [p.hex() for p in pubs[:21]], "bech32")
        assert_raises_rpc_error(-8, "a multisignature address must require at least one key to redeem",
                                node.createmultisig, 0, [pubs[0].hex()])
        assert_raises_rpc_error(-8, "a multisignature address must require at least one key to redeem",
                                node.createmultisig, -1, [pubs[0].hex()])
        assert_raises_rpc_error(-8, "not enough keys supplied (got 1 keys, but need at least 3 to redeem)",
                                node.createmultisig, 3, [pubs[0].hex()])
        assert_raises_rpc_error(-8, "not enough keys supplied (got 0 keys, but need at least 1 to redeem)",
                                node.createmultisig, 1, [])
        assert_raises_rpc_error(-1, "JSON integer out of range", node.createmultisig, 1.5, [pubs[0].hex()])
        assert_raises_rpc_error(-3, "Position 1 (nrequired)", node.createmultisig, "1", [pubs[0].hex()])
        assert_raises_rpc_error(-3, "Position 2 (keys)", node.createmultisig, 1, pubs[0].hex())
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.createmultisig, 1, [1])
        assert_raises_rpc_error(-5, 'Pubkey "zz" must be a hex string', node.createmultisig, 1, ["zz"])
        assert_raises_rpc_error(-5, 'Pubkey "" must be a hex string', node.createmultisig, 1, [""])
        assert_raises_rpc_error(-5, 'Pubkey "0011" must have a length of either 33 or 65 bytes',
                                node.createmultisig, 1, ["0011"])
        bad = "02" + "00" * 32
        assert_raises_rpc_error(-5, 'Pubkey "%s" must be cryptographically valid.' % bad,
                                node.createmultisig, 1, [bad])
        wrong_parity = bytes([hybrid[0] ^ 1]) + hybrid[1:]
        assert_raises_rpc_error(-5, "must be cryptographically valid", node.createmultisig, 1, [wrong_parity.hex()])
        # Keys are read before the type and the counts are checked.
        assert_raises_rpc_error(-5, 'Pubkey "zz" must be a hex string', node.createmultisig, 0, ["zz"], "foo")
        assert_raises_rpc_error(-5, "Unknown address type 'foo'", node.createmultisig, 0, [pubs[0].hex()], "foo")
        assert_raises_rpc_error(-5, "Unknown address type 'Legacy'", node.createmultisig, 1, [pubs[0].hex()],
                                "Legacy")
        assert_raises_rpc_error(-5, "createmultisig cannot create bech32m multisig addresses",
                                node.createmultisig, 1, [pubs[0].hex()], "bech32m")

        self.log.info("deriveaddresses: raw() and addr()")
        p2pkh = key_to_p2pkh(pubs[0])
        for desc, addr in (("addr(%s)" % p2pkh, p2pkh), ("addr(%s)" % ms["address"], ms["address"]),
                           ("raw(%s)" % spk.hex(), ms["address"]),
                           ("raw(0014%s)" % ("11" * 20), scriptpubkey_to_address(bytes.fromhex("0014" + "11" * 20)))):
            assert_equal(node.deriveaddresses(descsum_create(desc)), [addr])
            assert_equal(node.deriveaddresses(descriptor=descsum_create(desc)), [addr])
            assert_raises_rpc_error(-5, "Missing checksum", node.deriveaddresses, desc)
        for script in ("6a", "51", "21" + pubs[0].hex() + "ac"):
            assert_raises_rpc_error(-5, "Descriptor does not have a corresponding address",
                                    node.deriveaddresses, descsum_create("raw(%s)" % script))
        desc = descsum_create("addr(%s)" % p2pkh)
        assert_raises_rpc_error(-5, "Provided checksum", node.deriveaddresses, desc[:-1] + "q")
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses, desc, 5)
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses, desc, [0, 2])
        # A null range still counts as given, as in Core.
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses, desc, None)
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses, descriptor=desc, range=None)
        for rng, msg in ((-1, "End of range is too high"), (2 ** 31, "End of range is too high"),
                         ([3, 1], "Range specified as [begin,end] must not have begin after end"),
                         ([-1, 2], "Range should be greater or equal than 0"),
                         ([0, 2000000], "Range is too large"),
                         ("x", "Range must be specified as end or as [begin,end]"),
                         ([1], "Range must be specified as end or as [begin,end]")):
            # The range is read before the descriptor.
            assert_raises_rpc_error(-8, msg, node.deriveaddresses, "nonsense", rng)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.deriveaddresses, desc, 1.5)
        assert_raises_rpc_error(-3, "Position 1 (descriptor)", node.deriveaddresses, 5)


if __name__ == "__main__":
    CreateMultisigTest(__file__).main()
