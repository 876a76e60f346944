/*
 * Relay policy, part two: the standardness rules over one transaction
 * (Core's IsStandardTx, AreInputsStandard, IsWitnessStandard) and its
 * signature-operation counts.
 */
#include "config.h"

#include <string.h>

#include "mempool/policy.h"
#include "script/opcodes.h"
#include "script/script.h"

/* Core's MAX_BIP125_RBF_SEQUENCE. */
#define BIP125_MAX_RBF_SEQUENCE 0xfffffffdu
/* BIP341: an annex is a last witness item starting with this byte. */
#define TAPROOT_ANNEX_TAG 0x50

static int
reject(const char **reason, const char *why)
{
	if (reason != NULL)
		*reason = why;
	return 0;
}

int
policy_signals_rbf(const struct tx *tx)
{
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].sequence <= BIP125_MAX_RBF_SEQUENCE)
			return 1;
	return 0;
}

/* Serialized size without witness, for a tx built by hand too. */
static size_t
base_size(const struct tx *tx)
{
	size_t i,
	    n = 4 + compact_size_len(tx->vin_count) +
	    compact_size_len(tx->vout_count) + 4;

	for (i = 0; i < tx->vin_count; i++)
		n += 36 + compact_size_len(tx->vin[i].script_len) +
		    tx->vin[i].script_len + 4;
	for (i = 0; i < tx->vout_count; i++)
		n += 8 + compact_size_len(tx->vout[i].script_len) +
		    tx->vout[i].script_len;
	return n;
}

int
policy_tx_size_small(const struct tx *tx)
{
	return base_size(tx) < POLICY_MIN_STANDARD_TX_NONWITNESS_SIZE;
}

/* Core's IsStandard for one output script. */
static int
output_standard(const struct txout *o, enum txout_type *type)
{
	int m = 0, n = 0;

	*type = policy_solve_multisig(o->script, o->script_len, &m, &n);
	if (*type == TXOUT_NONSTANDARD)
		return 0;
	/* Up to x-of-3 bare multisig. */
	if (*type == TXOUT_MULTISIG && (n < 1 || n > 3 || m < 1 || m > n))
		return 0;
	return 1;
}

int
policy_is_standard_tx(const struct policy *p, const struct tx *tx,
    const char **reason)
{
	enum txout_type type;
	size_t i, carrier_left;
	uint32_t version = (uint32_t)tx->version;

	/* Core 30 compares the version as unsigned: -1 is too high. */
	if (version < 1 || version > POLICY_TX_MAX_STANDARD_VERSION)
		return reject(reason, "version");
	/* sighash work grows with inputs times size */
	if (tx_weight(tx) > POLICY_MAX_STANDARD_TX_WEIGHT)
		return reject(reason, "tx-size");
	for (i = 0; i < tx->vin_count; i++) {
		/* a 15-of-15 P2SH multisig spend fits with room to spare */
		if (tx->vin[i].script_len > POLICY_MAX_SCRIPTSIG_SIZE)
			return reject(reason, "scriptsig-size");
		if (!script_is_push_only(tx->vin[i].script,
			tx->vin[i].script_len))
			return reject(reason, "scriptsig-not-pushonly");
	}
	carrier_left = p->datacarrier ? p->max_datacarrier_bytes : 0;
	for (i = 0; i < tx->vout_count; i++) {
		if (!output_standard(&tx->vout[i], &type))
			return reject(reason, "scriptpubkey");
		if (type == TXOUT_NULL_DATA) {
			/* One budget shared by all OP_RETURN outputs. */
			if (tx->vout[i].script_len > carrier_left)
				return reject(reason, "datacarrier");
			carrier_left -= tx->vout[i].script_len;
		} else if (type == TXOUT_MULTISIG && !p->permit_bare_multisig)
			return reject(reason, "bare-multisig");
	}
	if (policy_dust_count(p, tx) > POLICY_MAX_DUST_OUTPUTS_PER_TX)
		return reject(reason, "dust");
	return 1;
}

/*
 * The stack a push-only scriptSig leaves (Core runs EvalScript with no
 * flags), reduced to what the callers need: its top item and whether it
 * is empty. Pushes over 520 bytes, scripts over 10,000 bytes and
 * OP_RESERVED fail there as in EvalScript; any other non-push opcode is
 * taken as failure too, which only matters for scriptSigs IsStandardTx
 * has already refused. Returns 1 with *top (NULL when the stack is
 * empty), or 0.
 */
static int
scriptsig_top(const uint8_t *s, size_t len, const uint8_t **top,
    size_t *top_len)
{
	static const uint8_t small[17] = { 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16 };
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;

	*top = NULL;
	*top_len = 0;
	if (len > MAX_SCRIPT_SIZE)
		return 0;
	while (pc < len) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl))
			return 0;
		if (op <= OP_PUSHDATA4) {
			if (dl > MAX_SCRIPT_ELEMENT_SIZE)
				return 0;
			/* OP_0 pushes an empty item: point at the script. */
			*top = d != NULL ? d : s;
			*top_len = dl;
		} else if (op == OP_1NEGATE) {
			*top = &small[0];
			*top_len = 1;
		} else if (op >= OP_1 && op <= OP_16) {
			*top = &small[op - (OP_1 - 1)];
			*top_len = 1;
		} else
			return 0;
	}
	return 1;
}

/* Core's GetSigOpCount(scriptSig): a P2SH output counts its redeem script. */
static unsigned
spent_sigops(const struct txout *prev, const struct txin *in)
{
	if (script_is_p2sh(prev->script, prev->script_len))
		return script_p2sh_sigops(prev->script, prev->script_len,
		    in->script, in->script_len);
	return script_sigops(prev->script, prev->script_len, 1);
}

unsigned
policy_legacy_sigops(const struct tx *tx, const struct txout *spent)
{
	unsigned n = 0;
	size_t i;

	if (tx_is_coinbase(tx) || spent == NULL)
		return 0;
	/* BIP54 counts where sigops may run: scriptSigs and spent scripts. */
	for (i = 0; i < tx->vin_count; i++) {
		n += script_sigops(tx->vin[i].script, tx->vin[i].script_len,
		    1);
		n += spent_sigops(&spent[i], &tx->vin[i]);
	}
	return n;
}

int
policy_inputs_standard(const struct tx *tx, const struct txout *spent,
    const char **reason, const char **debug)
{
	static const char *nonstd = "bad-txns-nonstandard-inputs";
	const uint8_t *rs;
	size_t i, rs_len;
	enum txout_type type;

	if (debug != NULL)
		*debug = NULL;
	if (tx_is_coinbase(tx))
		return 1;
	if (policy_legacy_sigops(tx, spent) > POLICY_MAX_TX_LEGACY_SIGOPS) {
		if (debug != NULL)
			*debug = "non-witness sigops exceed bip54 limit";
		return reject(reason, nonstd);
	}
	for (i = 0; i < tx->vin_count; i++) {
		type = policy_solve(spent[i].script, spent[i].script_len);
		if (type == TXOUT_NONSTANDARD ||
		    type == TXOUT_WITNESS_UNKNOWN) {
			if (debug != NULL)
				*debug = type == TXOUT_NONSTANDARD ?
				    "input script nonstandard" :
				    "input witness version unknown";
			return reject(reason, nonstd);
		}
		if (type != TXOUT_SCRIPTHASH)
			continue;
		if (!scriptsig_top(tx->vin[i].script, tx->vin[i].script_len,
			&rs, &rs_len)) {
			if (debug != NULL)
				*debug = "p2sh scriptsig malformed";
			return reject(reason, nonstd);
		}
		if (rs == NULL) {
			if (debug != NULL)
				*debug = "p2sh redeemscript missing";
			return reject(reason, nonstd);
		}
		if (script_sigops(rs, rs_len, 1) > POLICY_MAX_P2SH_SIGOPS) {
			if (debug != NULL)
				*debug =
				    "p2sh redeemscript sigops exceed limit";
			return reject(reason, nonstd);
		}
	}
	return 1;
}

/* Core's P2WSH limits: script, item count and item size. */
static int
p2wsh_standard(const struct txin *in)
{
	size_t j;

	if (in->wit[in->wit_count - 1].len >
	    POLICY_MAX_STANDARD_P2WSH_SCRIPT_SIZE)
		return 0;
	if (in->wit_count - 1 > POLICY_MAX_STANDARD_P2WSH_STACK_ITEMS)
		return 0;
	for (j = 0; j + 1 < in->wit_count; j++)
		if (in->wit[j].len > POLICY_MAX_STANDARD_P2WSH_STACK_ITEM_SIZE)
			return 0;
	return 1;
}

/* BIP341/342 spends: no annex, tapscript items at most 80 bytes. */
static int
taproot_standard(const struct txin *in)
{
	const struct witem *w = in->wit, *control;
	size_t n = in->wit_count, j;

	if (n >= 2 && w[n - 1].len > 0 && w[n - 1].p[0] == TAPROOT_ANNEX_TAG)
		return 0; /* no semantics for annexes yet */
	if (n == 1)
		return 1; /* key path: nothing to check */
	if (n == 0)
		return 0;
	control = &w[n - 1];
	if (control->len == 0)
		return 0;
	if ((control->p[0] & TAPROOT_LEAF_MASK) != TAPROOT_LEAF_TAPSCRIPT)
		return 1; /* unknown leaf versions: no item limit */
	for (j = 0; j + 2 < n; j++)
		if (w[j].len > POLICY_MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE)
			return 0;
	return 1;
}

int
policy_witness_standard(const struct tx *tx, const struct txout *spent,
    const char **reason)
{
	static const char *bad = "bad-witness-nonstandard";
	const struct txin *in;
	const uint8_t *script, *prog;
	size_t i, len, plen;
	int version, p2sh;

	if (tx_is_coinbase(tx))
		return 1;
	for (i = 0; i < tx->vin_count; i++) {
		in = &tx->vin[i];
		/* An empty witness cannot be bloated. */
		if (in->wit_count == 0)
			continue;
		script = spent[i].script;
		len = spent[i].script_len;
		/* P2A takes no witness: anything there is stuffing. */
		if (len == 4 && script[0] == OP_1 && script[1] == 2 &&
		    script[2] == 0x4e && script[3] == 0x73)
			return reject(reason, bad);
		p2sh = 0;
		if (script_is_p2sh(script, len)) {
			/* The redeem script, as the P2SH rule would find it. */
			if (!scriptsig_top(in->script, in->script_len, &script,
				&len) ||
			    script == NULL)
				return reject(reason, bad);
			p2sh = 1;
		}
		/* A witness for a script that is no witness program. */
		if (!script_is_witness_program(script, len, &version, &prog,
			&plen))
			return reject(reason, bad);
		if (version == 0 && plen == 32 && !p2wsh_standard(in))
			return reject(reason, bad);
		if (version == 1 && plen == 32 && !p2sh &&
		    !taproot_standard(in))
			return reject(reason, bad);
	}
	return 1;
}
