/*
 * Core's Solver and the script builders (see solver.h).
 *
 * The mempool's policy code and the RPC's script descriptions classify
 * scripts too, for their own needs (type names, multisig counts); this one
 * also hands out the keys and hashes, which signing needs.
 */
#include <string.h>

#include "script/script.h"
#include "script/solver.h"

/* The length a public key with this first byte has, or 0. */
static size_t
pubkey_len(uint8_t header)
{
	if (header == 2 || header == 3)
		return 33;
	if (header == 4 || header == 6 || header == 7)
		return 65;
	return 0;
}

static int
valid_pubkey_size(const uint8_t *p, size_t len)
{
	return len > 0 && pubkey_len(p[0]) == len;
}

/* Core's GetScriptNumber: a small-integer opcode or a minimal number push. */
static int
script_number(unsigned op, const uint8_t *d, size_t len, int min, int max,
    int *out)
{
	int64_t v = 0;
	size_t i;

	if (op >= OP_1 && op <= OP_16)
		v = (int64_t)op - (OP_1 - 1);
	else if (op > OP_0 && op <= OP_PUSHDATA4) {
		if (!script_minimal_push(op, d, len) || len > 4)
			return 0;
		/* CScriptNum with fRequireMinimal: no needless top byte. */
		if (len > 0 && (d[len - 1] & 0x7f) == 0 &&
		    (len <= 1 || (d[len - 2] & 0x80) == 0))
			return 0;
		for (i = 0; i < len; i++)
			v |= (int64_t)d[i] << (8 * i);
		if (len > 0 && (d[len - 1] & 0x80))
			v = -(v & ~((int64_t)0x80 << (8 * (len - 1))));
	} else
		return 0;
	if (v < min || v > max)
		return 0;
	*out = (int)v;
	return 1;
}

static int
match_multisig(const uint8_t *s, size_t len, struct script_solution *sol)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;
	int nkeys;

	if (len < 1 || s[len - 1] != OP_CHECKMULTISIG)
		return 0;
	if (!script_get_op(s, len, &pc, &op, &d, &dl) ||
	    !script_number(op, d, dl, 1, MAX_PUBKEYS_PER_MULTISIG,
		&sol->required))
		return 0;
	sol->n = 0;
	for (;;) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl)) {
			op = OP_INVALIDOPCODE;
			break;
		}
		if (!valid_pubkey_size(d, dl))
			break;
		if (sol->n == MAX_PUBKEYS_PER_MULTISIG)
			return 0;
		sol->item[sol->n] = d;
		sol->len[sol->n++] = dl;
	}
	if (!script_number(op, d, dl, sol->required, MAX_PUBKEYS_PER_MULTISIG,
		&nkeys) ||
	    (size_t)nkeys != sol->n)
		return 0;
	return pc + 1 == len;
}

enum script_type
script_solve(const uint8_t *s, size_t len, struct script_solution *sol)
{
	const uint8_t *prog;
	size_t plen;
	int version;

	memset(sol, 0, sizeof(*sol));
	if (script_is_p2sh(s, len)) {
		sol->item[0] = s + 2;
		sol->len[0] = 20;
		sol->n = 1;
		return sol->type = SCRIPT_SCRIPTHASH;
	}
	if (script_is_witness_program(s, len, &version, &prog, &plen)) {
		sol->version = version;
		sol->item[0] = prog;
		sol->len[0] = plen;
		sol->n = 1;
		if (version == 0 && plen == 20)
			return sol->type = SCRIPT_WITNESS_V0_KEYHASH;
		if (version == 0 && plen == 32)
			return sol->type = SCRIPT_WITNESS_V0_SCRIPTHASH;
		if (version == 1 && plen == 32)
			return sol->type = SCRIPT_WITNESS_V1_TAPROOT;
		if (version == 1 && plen == 2 && prog[0] == 0x4e &&
		    prog[1] == 0x73) {
			sol->n = 0;
			return sol->type = SCRIPT_ANCHOR;
		}
		if (version != 0)
			return sol->type = SCRIPT_WITNESS_UNKNOWN;
		memset(sol, 0, sizeof(*sol));
		return sol->type = SCRIPT_NONSTANDARD;
	}
	if (len >= 1 && s[0] == OP_RETURN &&
	    script_is_push_only(s + 1, len - 1))
		return sol->type = SCRIPT_NULL_DATA;
	if ((len == 67 || len == 35) && s[0] == len - 2 &&
	    s[len - 1] == OP_CHECKSIG && valid_pubkey_size(s + 1, len - 2)) {
		sol->item[0] = s + 1;
		sol->len[0] = len - 2;
		sol->n = 1;
		return sol->type = SCRIPT_PUBKEY;
	}
	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
	    s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG) {
		sol->item[0] = s + 3;
		sol->len[0] = 20;
		sol->n = 1;
		return sol->type = SCRIPT_PUBKEYHASH;
	}
	if (match_multisig(s, len, sol))
		return sol->type = SCRIPT_MULTISIG;
	memset(sol, 0, sizeof(*sol));
	return sol->type = SCRIPT_NONSTANDARD;
}

void
script_push_data(struct wbuf *w, const uint8_t *data, size_t len)
{
	if (len < OP_PUSHDATA1)
		wbuf_put_u8(w, (uint8_t)len);
	else if (len <= 0xff) {
		wbuf_put_u8(w, OP_PUSHDATA1);
		wbuf_put_u8(w, (uint8_t)len);
	} else if (len <= 0xffff) {
		wbuf_put_u8(w, OP_PUSHDATA2);
		wbuf_put_le16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, OP_PUSHDATA4);
		wbuf_put_le32(w, (uint32_t)len);
	}
	wbuf_put(w, data, len);
}

void
script_push_int(struct wbuf *w, int64_t n)
{
	uint8_t b[9];
	uint64_t a;
	size_t k = 0;
	int neg = n < 0;

	if (n == -1 || (n >= 1 && n <= 16)) {
		wbuf_put_u8(w, n == -1 ? OP_1NEGATE : (uint8_t)(OP_1 + n - 1));
		return;
	}
	if (n == 0) {
		wbuf_put_u8(w, OP_0);
		return;
	}
	/* CScriptNum: little endian, sign in the top bit of the last byte. */
	a = neg ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	while (a) {
		b[k++] = (uint8_t)(a & 0xff);
		a >>= 8;
	}
	if (b[k - 1] & 0x80)
		b[k++] = neg ? 0x80 : 0;
	else if (neg)
		b[k - 1] |= 0x80;
	script_push_data(w, b, k);
}

void
script_build_multisig(struct wbuf *w, int required, const uint8_t *const *keys,
    const size_t *lens, size_t n)
{
	size_t i;

	script_push_int(w, required);
	for (i = 0; i < n; i++)
		script_push_data(w, keys[i], lens[i]);
	script_push_int(w, (int64_t)n);
	wbuf_put_u8(w, OP_CHECKMULTISIG);
}
