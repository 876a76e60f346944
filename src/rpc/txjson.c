/*
 * Transactions and scripts as JSON, in the shapes of Core's TxToUniv and
 * ScriptToUniv: shared by getblock (verbosity 2 and 3), getrawtransaction,
 * decoderawtransaction, decodescript and gettxout. Reentrant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

#include "chain/address.h"
#include "chain/descriptor.h"
#include "consensus/consensus.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* ---- Script classification (Core's Solver, for output scripts) ---- */

enum txout_type {
	TXOUT_NONSTANDARD,
	TXOUT_ANCHOR,
	TXOUT_PUBKEY,
	TXOUT_PUBKEYHASH,
	TXOUT_SCRIPTHASH,
	TXOUT_MULTISIG,
	TXOUT_NULLDATA,
	TXOUT_V0_KEYHASH,
	TXOUT_V0_SCRIPTHASH,
	TXOUT_V1_TAPROOT,
	TXOUT_WITNESS_UNKNOWN,
};

static const char *const type_names[] = {
	"nonstandard",
	"anchor",
	"pubkey",
	"pubkeyhash",
	"scripthash",
	"multisig",
	"nulldata",
	"witness_v0_keyhash",
	"witness_v0_scripthash",
	"witness_v1_taproot",
	"witness_unknown",
};

/* A public key of plausible size and prefix (Core's CPubKey::IsValid). */
static int
pubkey_plausible(const uint8_t *p, size_t n)
{
	if (n == 33)
		return p[0] == 2 || p[0] == 3;
	if (n == 65)
		return p[0] == 4 || p[0] == 6 || p[0] == 7;
	return 0;
}

static int
small_int(unsigned op)
{
	if (op == OP_0)
		return 0;
	if (op >= OP_1 && op <= OP_16)
		return (int)(op - OP_1 + 1);
	return -1;
}

/* Bare multisig: m keys... n CHECKMULTISIG. Fills *m and *n on success. */
static int
match_multisig(const uint8_t *s, size_t len, int *m, int *n)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;
	int keys = 0, req;

	if (len < 1 || s[len - 1] != OP_CHECKMULTISIG)
		return 0;
	if (!script_get_op(s, len, &pc, &op, &d, &dl) ||
	    (req = small_int(op)) < 1)
		return 0;
	for (;;) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl))
			return 0;
		if (op > OP_PUSHDATA4 || d == NULL)
			break;
		if (!pubkey_plausible(d, dl))
			return 0;
		keys++;
	}
	if (small_int(op) != keys || keys < req || pc != len - 1)
		return 0;
	*m = req;
	*n = keys;
	return 1;
}

static enum txout_type
solve(const uint8_t *s, size_t len)
{
	const uint8_t *prog;
	size_t plen;
	int ver, m, n;

	if (len == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL)
		return TXOUT_SCRIPTHASH;
	if (script_is_witness_program(s, len, &ver, &prog, &plen)) {
		if (ver == 1 && plen == 2 && prog[0] == 0x4e &&
		    prog[1] == 0x73)
			return TXOUT_ANCHOR;
		if (ver == 0 && plen == 20)
			return TXOUT_V0_KEYHASH;
		if (ver == 0 && plen == 32)
			return TXOUT_V0_SCRIPTHASH;
		if (ver == 1 && plen == 32)
			return TXOUT_V1_TAPROOT;
		if (ver != 0)
			return TXOUT_WITNESS_UNKNOWN;
		return TXOUT_NONSTANDARD;
	}
	if (len >= 1 && s[0] == OP_RETURN &&
	    script_is_push_only(s + 1, len - 1))
		return TXOUT_NULLDATA;
	if ((len == 35 && s[0] == 33 && s[34] == OP_CHECKSIG &&
		pubkey_plausible(s + 1, 33)) ||
	    (len == 67 && s[0] == 65 && s[66] == OP_CHECKSIG &&
		pubkey_plausible(s + 1, 65)))
		return TXOUT_PUBKEY;
	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
	    s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG)
		return TXOUT_PUBKEYHASH;
	if (match_multisig(s, len, &m, &n))
		return TXOUT_MULTISIG;
	return TXOUT_NONSTANDARD;
}

const char *
rpc_script_type(const uint8_t *s, size_t len)
{
	return type_names[solve(s, len)];
}

/* ---- Assembly (Core's ScriptToAsmStr) ---- */

/* BIP66 strict DER plus a defined hash type (Core's STRICTENC check). */
static int
sig_strict(const uint8_t *sig, size_t n)
{
	size_t rlen, slen;
	unsigned ht;

	if (n < 9 || n > 73 || sig[0] != 0x30 || sig[1] != n - 3)
		return 0;
	rlen = sig[3];
	if (5 + rlen >= n)
		return 0;
	slen = sig[5 + rlen];
	if (rlen + slen + 7 != n)
		return 0;
	if (sig[2] != 0x02 || rlen == 0 || (sig[4] & 0x80))
		return 0;
	if (rlen > 1 && sig[4] == 0 && !(sig[5] & 0x80))
		return 0;
	if (sig[rlen + 4] != 0x02 || slen == 0 || (sig[rlen + 6] & 0x80))
		return 0;
	if (slen > 1 && sig[rlen + 6] == 0 && !(sig[rlen + 7] & 0x80))
		return 0;
	ht = sig[n - 1] & ~0x80u;
	return ht >= 1 && ht <= 3;
}

const char *
rpc_sighash_name(uint8_t t)
{
	switch (t) {
	case 0x01: return "ALL";
	case 0x02: return "NONE";
	case 0x03: return "SINGLE";
	case 0x81: return "ALL|ANYONECANPAY";
	case 0x82: return "NONE|ANYONECANPAY";
	case 0x83: return "SINGLE|ANYONECANPAY";
	}
	return NULL;
}

/* Little-endian sign-magnitude, as CScriptNum without minimality. */
static long long
script_num(const uint8_t *d, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		v |= (unsigned long long)d[i] << (8 * i);
	if (d[n - 1] & 0x80)
		return -(long long)(v & ~(0x80ull << (8 * (n - 1))));
	return (long long)v;
}

char *
rpc_script_asm(const uint8_t *s, size_t len, int sighash_decode)
{
	struct jout o = { NULL, 0, 0 };
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;
	char num[32];
	char *hex;
	int unspendable = script_is_unspendable(s, len);

	jout_puts(&o, "");
	while (pc < len) {
		if (o.len)
			jout_puts(&o, " ");
		if (!script_get_op(s, len, &pc, &op, &d, &dl)) {
			jout_puts(&o, "[error]");
			break;
		}
		if (op <= OP_PUSHDATA4) {
			if (dl <= 4) {
				snprintf(num, sizeof(num), "%lld",
				    script_num(d, dl));
				jout_puts(&o, num);
			} else if (sighash_decode && !unspendable &&
			    sig_strict(d, dl) && rpc_sighash_name(d[dl - 1])) {
				hex = hex_encode_alloc(d, dl - 1);
				jout_puts(&o, hex);
				free(hex);
				jout_puts(&o, "[");
				jout_puts(&o, rpc_sighash_name(d[dl - 1]));
				jout_puts(&o, "]");
			} else {
				hex = hex_encode_alloc(d, dl);
				jout_puts(&o, hex);
				free(hex);
			}
		} else
			jout_puts(&o, script_op_name(op));
	}
	return o.p;
}

/* ---- Addresses and descriptors ---- */

char *
rpc_script_address(const uint8_t *s, size_t len, const struct chainparams *cp)
{
	enum txout_type t = solve(s, len);

	if (t == TXOUT_PUBKEY || t == TXOUT_MULTISIG || t == TXOUT_NULLDATA ||
	    t == TXOUT_NONSTANDARD)
		return NULL;
	return address_from_script(cp, s, len);
}

int
rpc_address_to_script(const char *addr, const struct chainparams *cp,
    uint8_t **script, size_t *len)
{
	uint8_t buf[ADDRESS_MAX_SCRIPT];

	if (address_to_script(cp, addr, buf, len, NULL, 0) == -1)
		return -1;
	*script = xmemdup(buf, *len);
	return 0;
}

static int
xonly_valid(const uint8_t *p)
{
	static secp256k1_context *ctx;
	secp256k1_context *c;
	secp256k1_xonly_pubkey pk;

	/* A static context: parsing needs no randomisation or lock. */
	c = __atomic_load_n(&ctx, __ATOMIC_ACQUIRE);
	if (c == NULL) {
		secp256k1_context *n = secp256k1_context_create(
		    SECP256K1_CONTEXT_NONE);
		secp256k1_context *expect = NULL;

		if (!__atomic_compare_exchange_n(&ctx, &expect, n, 0,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			secp256k1_context_destroy(n);
			c = expect;
		} else
			c = n;
	}
	return secp256k1_xonly_pubkey_parse(c, &pk, p) == 1;
}

static char *
with_checksum(const char *body)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1];

	if (descriptor_checksum(body, strlen(body), sum) == -1)
		return xstrdup(body);
	return xasprintf("%s#%s", body, sum);
}

char *
rpc_script_descriptor(const uint8_t *s, size_t len,
    const struct chainparams *cp)
{
	struct jout o = { NULL, 0, 0 };
	enum txout_type t = solve(s, len);
	const uint8_t *d, *prog;
	size_t pc = 0, dl, plen;
	unsigned op;
	char *addr, *hex, *res, num[16];
	int ver, m, n;

	switch (t) {
	case TXOUT_PUBKEY:
		hex = hex_encode_alloc(s + 1, len - 2);
		jout_puts(&o, "pk(");
		jout_puts(&o, hex);
		jout_puts(&o, ")");
		free(hex);
		break;
	case TXOUT_MULTISIG:
		match_multisig(s, len, &m, &n);
		snprintf(num, sizeof(num), "multi(%d", m);
		jout_puts(&o, num);
		script_get_op(s, len, &pc, &op, &d, &dl);
		while (script_get_op(s, len, &pc, &op, &d, &dl) &&
		    op <= OP_PUSHDATA4) {
			hex = hex_encode_alloc(d, dl);
			jout_puts(&o, ",");
			jout_puts(&o, hex);
			free(hex);
		}
		jout_puts(&o, ")");
		break;
	case TXOUT_V1_TAPROOT:
		script_is_witness_program(s, len, &ver, &prog, &plen);
		if (xonly_valid(prog)) {
			hex = hex_encode_alloc(prog, plen);
			jout_puts(&o, "rawtr(");
			jout_puts(&o, hex);
			jout_puts(&o, ")");
			free(hex);
			break;
		}
		/* FALLTHROUGH */
	default:
		addr = rpc_script_address(s, len, cp);
		if (addr) {
			jout_puts(&o, "addr(");
			jout_puts(&o, addr);
			jout_puts(&o, ")");
			free(addr);
		} else {
			hex = hex_encode_alloc(s, len);
			jout_puts(&o, "raw(");
			jout_puts(&o, hex);
			jout_puts(&o, ")");
			free(hex);
		}
		break;
	}
	res = with_checksum(o.p);
	jout_free(&o);
	return res;
}

json_t *
rpc_script_pubkey_json(const uint8_t *s, size_t len,
    const struct chainparams *cp, int include_hex, int include_address)
{
	json_t *o = json_object();
	char *str;

	str = rpc_script_asm(s, len, 0);
	json_object_set_new(o, "asm", json_string(str));
	free(str);
	if (include_address) {
		str = rpc_script_descriptor(s, len, cp);
		json_object_set_new(o, "desc", json_string(str));
		free(str);
	}
	if (include_hex) {
		json_object_set_new(o, "hex", rpc_hex_json(s, len));
	}
	if (include_address && (str = rpc_script_address(s, len, cp))) {
		json_object_set_new(o, "address", json_string(str));
		free(str);
	}
	json_object_set_new(o, "type", json_string(rpc_script_type(s, len)));
	return o;
}

/* ---- Spent coins from a block's undo record ---- */

int
rpc_undo_spent(const uint8_t *undo, size_t n, const struct block *b,
    int32_t height, struct consensus_coin **out)
{
	struct consensus_inputs res;
	struct consensus_coin *v;
	size_t i, k, nin;

	if (consensus_undo_read(undo, n, b, &v, &nin) != 0)
		return -1;
	/*
	 * The block connected at height, so each of its transactions passed
	 * CheckTxInputs with these coins; a record that does not is damaged,
	 * and its fee sums could overflow in rpc_tx_json_spent.
	 */
	for (i = 1, k = 0; i < b->tx_count; k += b->txs[i].vin_count, i++)
		if (consensus_check_tx_inputs(&b->txs[i], v + k, height,
			&res) != 0) {
			free(v);
			return -1;
		}
	*out = v;
	return 0;
}
int
rpc_block_spent(const uint8_t *raw, size_t len, const uint8_t *undo,
    size_t ulen, int32_t height, struct block *b,
    struct consensus_coin **spent)
{
	if (block_parse(raw, len, b) == -1)
		return RPC_BLOCK_UNREADABLE;
	if (undo && rpc_undo_spent(undo, ulen, b, height, spent) == -1) {
		block_free(b);
		return RPC_BLOCK_UNDO_UNREADABLE;
	}
	return 0;
}

json_t *
rpc_block_read_fail(struct rpc_error *err, int rc)
{
	if (rc == RPC_BLOCK_UNREADABLE)
		return rpc_fail(err, RPC_DESERIALIZATION_ERROR,
		    "Block read failed");
	return rpc_fail(err, RPC_INTERNAL_ERROR, "%s", RPC_UNDO_UNREADABLE);
}

static json_t *
prevout_json(const struct consensus_coin *c, const struct chainparams *cp)
{
	json_t *p = json_object();

	json_object_set_new(p, "generated", json_boolean(c->coinbase));
	json_object_set_new(p, "height", json_integer(c->height));
	json_object_set_new(p, "value", rpc_amount(c->out.value));
	json_object_set_new(p, "scriptPubKey",
	    rpc_script_pubkey_json(c->out.script, c->out.script_len, cp, 1,
		1));
	return p;
}

json_t *
rpc_tx_hex_json(const struct tx *tx)
{
	struct wbuf w;
	json_t *j;

	wbuf_init(&w);
	tx_serialize(tx, &w, 1);
	j = rpc_hex_json(w.p, w.len);
	wbuf_free(&w);
	return j;
}

json_t *
rpc_tx_json(const struct tx *tx, const struct chainparams *cp, int include_hex)
{
	return rpc_tx_json_spent(tx, cp, include_hex, NULL, 0);
}

json_t *
rpc_tx_json_spent(const struct tx *tx, const struct chainparams *cp,
    int include_hex, const struct consensus_coin *spent, int prevout)
{
	json_t *o = json_object(), *vin, *vout, *in, *out, *sig, *wit;
	size_t i, j, weight = tx_weight(tx);
	int coinbase = tx_is_coinbase(tx);
	int64_t in_total = 0, out_total = 0;
	char *str;

	/* Core has no undo data for a coinbase. */
	if (coinbase)
		spent = NULL;

	json_object_set_new(o, "txid", rpc_hash_json(tx->txid));
	json_object_set_new(o, "hash", rpc_hash_json(tx->wtxid));
	json_object_set_new(o, "version",
	    json_integer((json_int_t)(uint32_t)tx->version));
	json_object_set_new(o, "size",
	    json_integer((json_int_t)tx->total_size));
	json_object_set_new(o, "vsize",
	    json_integer((json_int_t)((weight + WITNESS_SCALE_FACTOR - 1) /
		WITNESS_SCALE_FACTOR)));
	json_object_set_new(o, "weight", json_integer((json_int_t)weight));
	json_object_set_new(o, "locktime", json_integer(tx->locktime));
	vin = json_array();
	for (i = 0; i < tx->vin_count; i++) {
		const struct txin *ti = &tx->vin[i];

		in = json_object();
		if (coinbase)
			json_object_set_new(in, "coinbase",
			    rpc_hex_json(ti->script, ti->script_len));
		else {
			json_object_set_new(in, "txid",
			    rpc_hash_json(ti->prevout.hash));
			json_object_set_new(in, "vout",
			    json_integer(ti->prevout.n));
			sig = json_object();
			str = rpc_script_asm(ti->script, ti->script_len, 1);
			json_object_set_new(sig, "asm", json_string(str));
			free(str);
			json_object_set_new(sig, "hex",
			    rpc_hex_json(ti->script, ti->script_len));
			json_object_set_new(in, "scriptSig", sig);
		}
		if (ti->wit_count) {
			wit = json_array();
			for (j = 0; j < ti->wit_count; j++)
				json_array_append_new(wit,
				    rpc_hex_json(ti->wit[j].p,
					ti->wit[j].len));
			json_object_set_new(in, "txinwitness", wit);
		}
		if (spent) {
			in_total += spent[i].out.value;
			if (prevout)
				json_object_set_new(in, "prevout",
				    prevout_json(&spent[i], cp));
		}
		json_object_set_new(in, "sequence",
		    json_integer(ti->sequence));
		json_array_append_new(vin, in);
	}
	json_object_set_new(o, "vin", vin);
	vout = json_array();
	for (i = 0; i < tx->vout_count; i++) {
		const struct txout *to = &tx->vout[i];

		out = json_object();
		if (spent)
			out_total += to->value;
		json_object_set_new(out, "value", rpc_amount(to->value));
		json_object_set_new(out, "n", json_integer((json_int_t)i));
		json_object_set_new(out, "scriptPubKey",
		    rpc_script_pubkey_json(to->script, to->script_len, cp, 1,
			1));
		json_array_append_new(vout, out);
	}
	json_object_set_new(o, "vout", vout);
	/* rpc_undo_spent checked that this is in money range. */
	if (spent)
		json_object_set_new(o, "fee",
		    rpc_amount(in_total - out_total));
	if (include_hex) {
		struct wbuf w;

		wbuf_init(&w);
		tx_serialize(tx, &w, 1);
		json_object_set_new(o, "hex", rpc_hex_json(w.p, w.len));
		wbuf_free(&w);
	}
	return o;
}

/* ---- decodescript ---- */

static int
valid_op(unsigned op, void *arg)
{
	int *bad_for_wrap = arg;

	if (op > OP_CHECKSIGADD)
		return 0;
	if (op == OP_CHECKSIGADD || script_op_is_success(op))
		*bad_for_wrap = 1;
	return 1;
}

static int
has_valid_ops(const uint8_t *s, size_t len, int *bad_for_wrap)
{
	*bad_for_wrap = 0;
	return script_each_op(s, len, valid_op, bad_for_wrap);
}

static char *
p2sh_address(const uint8_t *s, size_t len, const struct chainparams *cp)
{
	uint8_t spk[23];

	spk[0] = OP_HASH160;
	spk[1] = 20;
	hash160(s, len, spk + 2);
	spk[22] = OP_EQUAL;
	return address_from_script(cp, spk, sizeof(spk));
}

json_t *
rpc_decodescript_json(const uint8_t *s, size_t len,
    const struct chainparams *cp)
{
	json_t *r = rpc_script_pubkey_json(s, len, cp, 0, 1), *sr;
	enum txout_type t = solve(s, len);
	int wrap = 0, wrap_wsh = 0, bad = 0;
	uint8_t seg[34];
	size_t seglen, pc, dl;
	const uint8_t *d;
	unsigned op;
	char *a, *inner, *body;

	switch (t) {
	case TXOUT_MULTISIG:
	case TXOUT_NONSTANDARD:
	case TXOUT_PUBKEY:
	case TXOUT_PUBKEYHASH:
	case TXOUT_V0_KEYHASH:
	case TXOUT_V0_SCRIPTHASH:
		wrap = has_valid_ops(s, len, &bad) && len <= MAX_SCRIPT_SIZE &&
		    !bad;
		break;
	default: break;
	}
	if (!wrap)
		return r;
	a = p2sh_address(s, len, cp);
	if (a) {
		json_object_set_new(r, "p2sh", json_string(a));
		free(a);
	}
	switch (t) {
	case TXOUT_MULTISIG:
	case TXOUT_PUBKEY:
		/* Uncompressed keys cannot be used under segwit. */
		wrap_wsh = 1;
		pc = 0;
		while (pc < len && script_get_op(s, len, &pc, &op, &d, &dl))
			if (d && dl > 1 && dl != 33)
				wrap_wsh = 0;
		break;
	case TXOUT_NONSTANDARD:
	case TXOUT_PUBKEYHASH: wrap_wsh = 1; break;
	default: break;
	}
	if (!wrap_wsh)
		return r;
	if (t == TXOUT_PUBKEY || t == TXOUT_PUBKEYHASH) {
		seg[0] = OP_0;
		seg[1] = 20;
		if (t == TXOUT_PUBKEY)
			hash160(s + 1, len - 2, seg + 2);
		else
			memcpy(seg + 2, s + 3, 20);
		seglen = 22;
	} else {
		seg[0] = OP_0;
		seg[1] = 32;
		sha256(s, len, seg + 2);
		seglen = 34;
	}
	sr = rpc_script_pubkey_json(seg, seglen, cp, 1, 1);
	if (t == TXOUT_MULTISIG) {
		/* Core knows the witness script here: wsh(multi(...)). */
		inner = rpc_script_descriptor(s, len, cp);
		inner[strcspn(inner, "#")] = '\0';
		body = xasprintf("wsh(%s)", inner);
		a = with_checksum(body);
		json_object_set_new(sr, "desc", json_string(a));
		free(a);
		free(body);
		free(inner);
	} else if (t == TXOUT_NONSTANDARD &&
	    (a = descriptor_infer_wsh_miniscript(s, len)) != NULL) {
		/* Core knows the witness script, and it is Miniscript. */
		json_object_set_new(sr, "desc", json_string(a));
		free(a);
	}
	a = p2sh_address(seg, seglen, cp);
	if (a) {
		json_object_set_new(sr, "p2sh-segwit", json_string(a));
		free(a);
	}
	json_object_set_new(r, "segwit", sr);
	return r;
}
