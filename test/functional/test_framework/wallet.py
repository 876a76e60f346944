"""MiniWallet: a tiny wallet for functional tests, after Core's test framework.

It owns the outputs of one script and spends them without any key management
in bitrootd:

    p2tr_op_true   taproot output whose only leaf is OP_TRUE, spent by script
                   path (internal key: the NUMS point); bech32m address
    p2wsh_op_true  P2WSH of OP_TRUE, spent with the script as witness
    p2pk           pay-to-pubkey of a fixed ECDSA key, spent with a signature

Outputs it creates pay back to its own script. It learns about outputs from
the coinbases it mines (generate), from scantxoutset (rescan_utxos) and from
the transactions it sends (sendrawtransaction); amounts are satoshis (int)
throughout. Fee rates are sat/kvB; fees are rounded up as bitrootd's policy
does, so a transaction never pays less than the rate asked for.

A utxo is a dict: txid (hex), vout, value (sat), height (0 while
unconfirmed), coinbase (bool), confirmations (as last seen).
"""

import decimal

from .address import ADDRESS_BCRT1_P2WSH_OP_TRUE, descsum_create, output_key_to_p2tr
from .blocktools import COINBASE_MATURITY, OP_TRUE_SCRIPT, p2tr_op_true_info
from .key import G, ORDER, ECKey, der_encode, int_from_bytes, point_mul, rfc6979_nonce
from .messages import COIN, CBlock, COutPoint, CTransaction, CTxIn, CTxOut, hash_to_hex, hex_to_hash
from .script import (OP_1, OP_RETURN, SIGHASH_ALL, CScript, key_to_p2pk_script, legacy_signature_hash,
                     script_to_p2wsh_script)

MODES = ("p2tr_op_true", "p2wsh_op_true", "p2pk")

# The key of "p2pk" mode: fixed so that runs are reproducible.
P2PK_SECRET = 0x4d696e6957616c6c6574


def fee_at(rate, vsize):
    """Fee in sat for vsize at rate sat/kvB, rounded up (as policy_fee_at)."""
    return -(-rate * vsize // 1000)


# DER length of a signature with 32-byte r and s (low R, low S).
_FIXED_DER_LEN = 70


def sign_ecdsa_fixed(key, msg32):
    """An ECDSA signature of exactly 70 DER bytes (low R and low S), as Core grinds.

    Extra entropy (a counter) goes into RFC 6979 until r and s both take 32
    bytes without a sign byte; so a transaction's size does not depend on its
    signatures.
    """
    z = int_from_bytes(msg32) % ORDER
    for counter in range(1 << 16):
        extra = counter.to_bytes(32, "little") if counter else b""
        k = rfc6979_nonce(key.secret, msg32, extra)
        r = point_mul(G, k)[0] % ORDER
        if r == 0:
            continue
        s = pow(k, -1, ORDER) * (z + r * key.secret) % ORDER
        if s == 0:
            continue
        if s > ORDER // 2:
            s = ORDER - s
        der = der_encode(r, s)
        if len(der) == _FIXED_DER_LEN:
            return der
    raise RuntimeError("no fixed-length signature found")


def _sat(amount):
    """A JSON amount (Decimal BTC) in satoshis; refuses fractions of a satoshi."""
    sat = decimal.Decimal(amount) * COIN
    if sat != sat.to_integral_value():
        raise ValueError("amount %s is not a whole number of satoshis" % amount)
    return int(sat)


class MiniWallet:
    def __init__(self, node, *, mode="p2tr_op_true"):
        if mode not in MODES:
            raise ValueError("unknown MiniWallet mode %r (one of %s)" % (mode, ", ".join(MODES)))
        self._node = node
        self.mode = mode
        self._utxos = []
        self._key = None
        self._taproot = None
        if mode == "p2tr_op_true":
            self._taproot = p2tr_op_true_info()
            self.script_pubkey = bytes(self._taproot.script_pubkey)
            self.address = output_key_to_p2tr(self._taproot.output_pubkey)
        elif mode == "p2wsh_op_true":
            self.script_pubkey = bytes(script_to_p2wsh_script(OP_TRUE_SCRIPT))
            self.address = ADDRESS_BCRT1_P2WSH_OP_TRUE
        else:
            self._key = ECKey(P2PK_SECRET, compressed=True)
            self.pubkey = self._key.get_pubkey().get_bytes()
            self.script_pubkey = bytes(key_to_p2pk_script(self.pubkey))
            self.address = None  # P2PK has no address

    # --- What the wallet is ---------------------------------------------------------

    def get_descriptor(self):
        if self.address is not None:
            return descsum_create("addr(%s)" % self.address)
        return descsum_create("raw(%s)" % self.script_pubkey.hex())

    def get_address(self):
        if self.address is None:
            raise AssertionError("a p2pk MiniWallet has no address")
        return self.address

    # --- Learning about outputs -----------------------------------------------------

    def _add_utxo(self, txid, vout, value, height, coinbase, confirmations):
        self._utxos = [u for u in self._utxos if not (u["txid"] == txid and u["vout"] == vout)]
        utxo = {"txid": txid, "vout": vout, "value": value, "height": height,
                "coinbase": coinbase, "confirmations": confirmations}
        self._utxos.append(utxo)
        return utxo

    def generate(self, num_blocks, **kw):
        """Mines num_blocks to the wallet's script, then rescans: returns the block hashes.

        sync_fun (optional) is called afterwards (e.g. to sync other nodes);
        other keywords go to generatetodescriptor (maxtries).
        """
        sync_fun = kw.pop("sync_fun", None)
        hashes = self._node.generatetodescriptor(num_blocks, self.get_descriptor(), **kw)
        # Rescanning records the coinbases and also settles what a reorg,
        # a mined or an evicted transaction changed.
        self.rescan_utxos()
        for h in hashes:
            block = CBlock.from_hex(self._node.getblock(h, 0))
            cb = block.vtx[0]
            for n, out in enumerate(cb.vout):
                if bytes(out.script_pubkey) == self.script_pubkey and not any(
                        u["txid"] == cb.txid_hex and u["vout"] == n for u in self._utxos):
                    raise AssertionError("coinbase %s:%d of block %s is not in the UTXO set"
                                         % (cb.txid_hex, n, h))
        if sync_fun is not None:
            sync_fun()
        return hashes

    def rescan_utxos(self, *, include_mempool=False):
        """Replaces the known utxos with the node's UTXO set for the wallet's script.

        include_mempool: also take the outputs of mempool transactions paying
        to the wallet, and drop the utxos they spend (needs a node with a
        mempool; off by default).
        """
        res = self._node.scantxoutset("start", [self.get_descriptor()])
        if res.get("success") is not True:
            raise AssertionError("scantxoutset failed: %r" % res)
        self._utxos = []
        for u in res["unspents"]:
            self._add_utxo(u["txid"], u["vout"], _sat(u["amount"]), u["height"], u["coinbase"],
                           u.get("confirmations", 1))
        if include_mempool:
            txs = [CTransaction.from_hex(self._node.getrawtransaction(txid))
                   for txid in self._node.getrawmempool()]
            for tx in txs:
                self.scan_tx(tx)

    def scan_tx(self, tx):
        """Takes note of a transaction sent: drops what it spends, adds what pays to us.

        tx: a CTransaction or its hex.
        """
        if isinstance(tx, str):
            tx = CTransaction.from_hex(tx)
        for txin in tx.vin:
            txid = hash_to_hex(txin.prevout.txid)
            self._utxos = [u for u in self._utxos
                           if not (u["txid"] == txid and u["vout"] == txin.prevout.n)]
        new = []
        for n, out in enumerate(tx.vout):
            if bytes(out.script_pubkey) == self.script_pubkey:
                new.append(self._add_utxo(tx.txid_hex, n, out.value, 0, False, 0))
        return new

    # --- Picking outputs -----------------------------------------------------------------

    def _mature(self, utxo, tip_height):
        # A coinbase of height h can be spent in block h + 100.
        return not utxo["coinbase"] or tip_height + 1 - utxo["height"] >= COINBASE_MATURITY

    def get_utxo(self, *, txid=None, vout=None, mark_as_spent=True, confirmed_only=False):
        """One utxo: by default the largest mature one (the oldest among equals).

        With txid (and vout) the first match, mature or not. Raises
        StopIteration when none matches (as Core's MiniWallet). With
        mark_as_spent the wallet forgets it.
        """
        self._utxos.sort(key=lambda u: (u["value"], -u["height"]))
        if txid is not None:
            candidates = [u for u in self._utxos if u["txid"] == txid]
        else:
            tip = self._node.getblockcount()
            candidates = [u for u in reversed(self._utxos) if self._mature(u, tip)]
        if vout is not None:
            candidates = [u for u in candidates if u["vout"] == vout]
        if confirmed_only:
            candidates = [u for u in candidates if u["confirmations"] > 0]
        if not candidates:
            raise StopIteration("MiniWallet has no utxo%s" % (" of %s" % txid if txid else ""))
        utxo = candidates[0]
        if mark_as_spent:
            self._utxos.remove(utxo)
        return utxo

    def get_utxos(self, *, include_immature_coinbase=False, mark_as_spent=True, confirmed_only=False):
        """Every utxo (largest first); the wallet forgets them with mark_as_spent."""
        tip = self._node.getblockcount()
        self._utxos.sort(key=lambda u: (u["value"], -u["height"]), reverse=True)
        out = [u for u in self._utxos
               if (include_immature_coinbase or self._mature(u, tip))
               and (not confirmed_only or u["confirmations"] > 0)]
        if mark_as_spent:
            self._utxos = [u for u in self._utxos if u not in out]
        return list(out)

    def get_balance(self):
        """Sum of every known utxo (immature coinbases included), in sat."""
        return sum(u["value"] for u in self._utxos)

    # --- Signing -----------------------------------------------------------------------

    def sign_tx(self, tx):
        """Fills in the scriptSig or witness of every input (all spend the wallet's script)."""
        if self.mode == "p2wsh_op_true":
            tx.witness = [[bytes(OP_TRUE_SCRIPT)] for _ in tx.vin]
        elif self.mode == "p2tr_op_true":
            script, _, control = self._taproot.leaves["op_true"]
            tx.witness = [[bytes(script), control] for _ in tx.vin]
        else:
            tx.witness = []
            for i, txin in enumerate(tx.vin):
                sighash = legacy_signature_hash(self.script_pubkey, tx, i, SIGHASH_ALL)
                sig = sign_ecdsa_fixed(self._key, sighash) + bytes([SIGHASH_ALL])
                txin.script_sig = bytes(CScript([sig]))

    def _bulk(self, tx, nreal, target_vsize):
        """Pads tx with 0-value OP_RETURN outputs after its nreal outputs to target_vsize.

        The padding is OP_RETURN followed by OP_1s, one vbyte each; where the
        script length's CompactSize grows (253 bytes) some sizes cannot be
        reached with one output, so a second, empty OP_RETURN shifts them.
        """
        for spare in (0, 1):
            k = 0
            for _ in range(12):
                tx.vout = tx.vout[:nreal] + [CTxOut(0, CScript([OP_RETURN] + [OP_1] * k))]
                tx.vout += [CTxOut(0, CScript([OP_RETURN]))] * spare
                self.sign_tx(tx)
                diff = target_vsize - tx.get_vsize()
                if diff == 0:
                    return
                if k + diff < 0:
                    raise RuntimeError("target_vsize %d is below the transaction's own vsize %d"
                                       % (target_vsize, tx.get_vsize() - k))
                k += diff
        raise RuntimeError("cannot bulk the transaction to vsize %d" % target_vsize)

    def _finish(self, tx, target_vsize, set_fee):
        """Signs tx with set_fee(vsize) applied, until the fee matches the final vsize.

        Signatures of p2pk mode vary in length, so the fee is set from the
        signed size and the transaction signed again while that changes.
        """
        nreal = len(tx.vout)
        vsize = None
        for _ in range(10):
            if target_vsize is not None:
                self._bulk(tx, nreal, target_vsize)
            else:
                self.sign_tx(tx)
            if tx.get_vsize() == vsize:
                return
            vsize = tx.get_vsize()
            set_fee(vsize)
        raise RuntimeError("the transaction's size does not settle")

    # --- Building transactions ----------------------------------------------------------

    def _result(self, tx, fee, extra):
        res = {"txid": tx.txid_hex, "wtxid": tx.wtxid_hex, "hex": tx.serialize().hex(), "tx": tx,
               "fee": fee, "vsize": tx.get_vsize()}
        res.update(extra)
        return res

    def _utxo_of(self, tx, n):
        return {"txid": tx.txid_hex, "vout": n, "value": tx.vout[n].value, "height": 0,
                "coinbase": False, "confirmations": 0}

    def create_self_transfer(self, *, fee_rate=3000, fee=None, utxo_to_spend=None, sequence=0xffffffff,
                             locktime=0, version=2, target_vsize=None):
        """One input, one output back to the wallet (plus an OP_RETURN with target_vsize).

        fee_rate in sat/kvB (default 3 sat/vB); fee (sat) overrides it.
        """
        utxo = utxo_to_spend or self.get_utxo()
        tx = CTransaction(version=version, locktime=locktime)
        tx.vin = [CTxIn(COutPoint(hex_to_hash(utxo["txid"]), utxo["vout"]), b"", sequence)]
        tx.vout = [CTxOut(utxo["value"], self.script_pubkey)]
        paid = {}

        def set_fee(vsize):
            paid["fee"] = fee if fee is not None else fee_at(fee_rate, vsize)
            if paid["fee"] > utxo["value"]:
                raise AssertionError("utxo of %d sat cannot pay a fee of %d" % (utxo["value"], paid["fee"]))
            tx.vout[0].value = utxo["value"] - paid["fee"]

        set_fee(0)
        self._finish(tx, target_vsize, set_fee)
        return self._result(tx, paid["fee"], {"new_utxo": self._utxo_of(tx, 0)})

    def send_self_transfer(self, *, from_node, **kw):
        tx = self.create_self_transfer(**kw)
        self.sendrawtransaction(from_node=from_node, tx_hex=tx["hex"])
        return tx

    def create_self_transfer_multi(self, *, utxos_to_spend=None, num_outputs=1, amount_per_output=0,
                                   fee_per_output=1000, sequence=0xffffffff, locktime=0, version=2,
                                   target_vsize=None):
        """Inputs utxos_to_spend (default: the largest utxo), num_outputs equal outputs to the wallet.

        The fee is fee_per_output * num_outputs (sat) plus whatever does not
        divide evenly, or what is left over amount_per_output * num_outputs.
        sequence: one number for all inputs, or a list.
        """
        utxos = list(utxos_to_spend) if utxos_to_spend else [self.get_utxo()]
        seqs = [sequence] * len(utxos) if isinstance(sequence, int) else list(sequence)
        if len(seqs) != len(utxos):
            raise ValueError("%d sequences for %d inputs" % (len(seqs), len(utxos)))
        total_in = sum(u["value"] for u in utxos)
        per = amount_per_output or (total_in - fee_per_output * num_outputs) // num_outputs
        if per <= 0 or per * num_outputs > total_in:
            raise AssertionError("inputs of %d sat cannot pay %d outputs" % (total_in, num_outputs))
        tx = CTransaction(version=version, locktime=locktime)
        tx.vin = [CTxIn(COutPoint(hex_to_hash(u["txid"]), u["vout"]), b"", s) for u, s in zip(utxos, seqs)]
        tx.vout = [CTxOut(per, self.script_pubkey) for _ in range(num_outputs)]
        self._finish(tx, target_vsize, lambda vsize: None)
        return self._result(tx, total_in - per * num_outputs,
                            {"new_utxos": [self._utxo_of(tx, i) for i in range(num_outputs)]})

    def send_self_transfer_multi(self, *, from_node, **kw):
        tx = self.create_self_transfer_multi(**kw)
        self.sendrawtransaction(from_node=from_node, tx_hex=tx["hex"])
        return tx

    def create_simple_package(self, coin, *, parent_fee, child_fee, sequence, heavy_child=False, version=2):
        """Core's create_simple_package: a parent spending coin (fee parent_fee) and its child
        (fee child_fee, over 10 outputs if heavy_child), both with sequence. Returns (hexes, txs)."""
        parent = self.create_self_transfer(fee=parent_fee, utxo_to_spend=coin, sequence=sequence,
                                           version=version)
        n = 10 if heavy_child else 1
        child = self.create_self_transfer_multi(utxos_to_spend=[parent["new_utxo"]], num_outputs=n,
                                                fee_per_output=child_fee // n, sequence=sequence,
                                                version=version)
        return [parent["hex"], child["hex"]], [parent, child]

    def create_self_transfer_chain(self, *, chain_length, utxo_to_spend=None, **kw):
        """chain_length self transfers, each spending the previous one's output."""
        utxo = utxo_to_spend or self.get_utxo()
        chain = []
        for _ in range(chain_length):
            tx = self.create_self_transfer(utxo_to_spend=utxo, **kw)
            utxo = tx["new_utxo"]
            chain.append(tx)
        return chain

    def send_self_transfer_chain(self, *, from_node, **kw):
        chain = self.create_self_transfer_chain(**kw)
        for tx in chain:
            self.sendrawtransaction(from_node=from_node, tx_hex=tx["hex"])
        return chain

    def create_to(self, *, scriptPubKey, amount, fee=1000, utxo_to_spend=None):
        """A transaction paying amount (sat) to scriptPubKey (output 1), change to the wallet (0)."""
        utxo = utxo_to_spend or self.get_utxo()
        if utxo["value"] < amount + fee:
            raise AssertionError("utxo of %d sat cannot pay %d + fee %d" % (utxo["value"], amount, fee))
        tx = CTransaction(version=2)
        tx.vin = [CTxIn(COutPoint(hex_to_hash(utxo["txid"]), utxo["vout"]), b"", 0xffffffff)]
        tx.vout = [CTxOut(utxo["value"] - amount - fee, self.script_pubkey),
                   CTxOut(amount, bytes(scriptPubKey))]
        self.sign_tx(tx)
        return tx

    def send_to(self, *, from_node, scriptPubKey, amount, fee=1000):
        """Sends amount (sat) to scriptPubKey with a fixed fee: dict(txid, wtxid, sent_vout, tx)."""
        tx = self.create_to(scriptPubKey=scriptPubKey, amount=amount, fee=fee)
        txid = self.sendrawtransaction(from_node=from_node, tx_hex=tx.serialize().hex())
        return {"txid": txid, "wtxid": tx.wtxid_hex, "sent_vout": 1, "tx": tx}

    def sendrawtransaction(self, *, from_node, tx_hex, maxfeerate=0, **kw):
        """sendrawtransaction on from_node; on success records the new outputs. Returns the txid."""
        txid = from_node.sendrawtransaction(hexstring=tx_hex, maxfeerate=maxfeerate, **kw)
        self.scan_tx(tx_hex)
        return txid
